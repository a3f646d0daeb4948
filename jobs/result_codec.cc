#include "jobs/result_codec.h"

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include "jobs/source/source.h"

namespace sellertrust {
namespace {

[[noreturn]] void corrupt(const std::string& where, const std::string& problem) {
  throw SourceError("results database, " + where + ": " + problem);
}

}  // namespace

std::string evidenceJson(const std::vector<Evidence>& evidence) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const Evidence& e : evidence) object.set(e.name.str(), e.value);
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

std::vector<Evidence> parseEvidenceJson(const std::string& json, const std::string& where) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    Poco::JSON::Object::Ptr object = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    std::vector<Evidence> out;
    out.reserve(object->size());  // kept for the warning's life
    for (const std::string& name : object->getNames()) {
      out.push_back({name, object->getValue<double>(name)});
    }
    return out;
  } catch (const Poco::Exception& e) {
    corrupt(where, "evidence_json is not an object of numbers: " + e.displayText());
  }
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
