#include "jobs/result_codec.h"

#include <cmath>
#include <cstdint>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "jobs/source/source.h"

namespace sellertrust {
namespace {

[[noreturn]] void corrupt(const std::string& where, const std::string& problem) {
  throw SourceError("results database, " + where + ": " + problem);
}

// Evidence is written and read with RapidJSON: a restart reads every active
// warning's evidence (about 100 000 at 100 k sellers), which Poco's JSON
// parser took most of a second for. Any double reads back as it was
// written: shortest round-trip digits out, full precision in, and NaN or
// infinity spelt as RapidJSON spells them both ways.
constexpr unsigned kEvidenceParseFlags =
    rapidjson::kParseFullPrecisionFlag | rapidjson::kParseNanAndInfFlag;

}  // namespace

std::string evidenceJson(const std::vector<Evidence>& evidence) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                    rapidjson::CrtAllocator, rapidjson::kWriteNanAndInfFlag>
      out(text);
  out.StartObject();
  for (const Evidence& e : evidence) {
    const std::string_view name = e.name.view();
    out.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    // A whole count reads as one: "numerator":1, not 1.0.
    const bool whole = std::abs(e.value) < 0x1p53 && e.value == std::trunc(e.value);
    if (whole) {
      out.Int64(static_cast<std::int64_t>(e.value));
    } else {
      out.Double(e.value);
    }
  }
  out.EndObject();
  return {text.GetString(), text.GetSize()};
}

std::vector<Evidence> parseEvidenceJson(const std::string& json, const std::string& where) {
  rapidjson::Document object;
  object.Parse<kEvidenceParseFlags>(json.data(), json.size());
  if (object.HasParseError()) {
    corrupt(where, "evidence_json is not JSON: " +
                       std::string(rapidjson::GetParseError_En(object.GetParseError())) +
                       " at offset " + std::to_string(object.GetErrorOffset()));
  }
  if (!object.IsObject()) corrupt(where, "evidence_json is not an object of numbers");
  std::vector<Evidence> out;
  out.reserve(object.MemberCount());  // kept for the warning's life
  for (const auto& member : object.GetObject()) {
    const std::string_view name(member.name.GetString(), member.name.GetStringLength());
    if (!member.value.IsNumber()) {
      corrupt(where, "evidence_json is not an object of numbers: '" + std::string(name) +
                         "' is not a number");
    }
    out.push_back({name, member.value.GetDouble()});
  }
  return out;
}

Timestamp storedTime(const std::string& text, const std::string& where) {
  const std::optional<Timestamp> t =
      parseUtc(text.size() == 10 ? text + " 00:00:00" : text);  // a DATE column
  if (!t) corrupt(where, "'" + text + "' is not a time");
  return *t;
}

Badge storedBadge(const std::string& name, const std::string& where) {
  Badge badge = Badge::kNew;
  if (!parseBadge(name, &badge)) corrupt(where, "unknown badge '" + name + "'");
  return badge;
}

Severity storedSeverity(const std::string& name, const std::string& where) {
  Severity severity = Severity::kInfo;
  if (!parseSeverity(name, &severity)) corrupt(where, "unknown severity '" + name + "'");
  return severity;
}

LadderStep storedLadderStep(const std::string& name, const std::string& where) {
  for (LadderStep step : {LadderStep::kNone, LadderStep::kDelist, LadderStep::kRemove}) {
    if (name == toString(step)) return step;
  }
  corrupt(where, "unknown ladder step '" + name + "'");
}

TicketStatus storedTicketStatus(const std::string& name, const std::string& where) {
  const std::optional<TicketStatus> status = parseTicketStatus(name);
  if (!status) corrupt(where, "unknown ticket status '" + name + "'");
  return *status;
}

}  // namespace sellertrust
