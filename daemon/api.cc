// The HTTP API of SPEC §4. One Api value, immutable after construction, is
// shared by every handler; each request takes the current snapshot once and
// answers from it alone, so a publish during a request never mixes two runs.
// Routing, validation and rendering build a reply; handle() is the one path
// every answer (errors included) takes, and records telemetry. Called from
// the HTTP server's loops concurrently.
#include "daemon/api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include "daemon/badge_svg.h"
#include "daemon/openapi.h"
#include "jobs/report.h"
#include "jobs/source/definition.h"
#include "sellertrust/records.h"

namespace sellertrust {
namespace {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;
using Reply = HttpReply;

constexpr std::size_t kMaxBatchIds = 100;
constexpr int kDefaultHistoryDays = 30;
constexpr int kMaxHistoryDays = 365;
// A page of warnings or defects: `limit` entries after the id `after`.
constexpr int kDefaultPageLimit = 50;
constexpr int kMaxPageLimit = 500;
// Client text echoed in an error detail is cut to this many bytes, so a
// huge request cannot make a huge error body.
constexpr std::size_t kMaxEcho = 64;

constexpr const char* kJson = "application/json";
constexpr const char* kNoStore = "no-store";
// A CORS preflight's answer is good for a day (browsers cap it lower).
constexpr const char* kCorsMaxAge = "86400";

enum class Route {
  kOther,
  kBadge,
  kBadgeSvg,
  kBadges,
  kSeller,
  kHistory,
  kDefects,
  kWarnings,
  kProduct,
  kStatus,
  kOpenApi,
  kLivez,
  kReadyz,
  kMetrics,
};

struct RouteMatch {
  Route route = Route::kOther;
  const char* pattern = "other";  // the telemetry label: never the raw path
  std::string id;                 // the {id} segment, unvalidated
  bool operatorOnly = false;
};

std::string echo(const std::string& text) {
  if (text.size() <= kMaxEcho) return text;
  return text.substr(0, kMaxEcho) + "...";
}

// A JSON reply that no cache keeps; cacheable() makes badge replies public.
Reply json(std::string body) {
  Reply r;
  r.contentType = kJson;
  r.body = std::move(body);
  r.header("Cache-Control", kNoStore);
  return r;
}

// The route for a decoded path. Segments are matched exactly: a trailing
// slash or an empty segment is another resource, hence 404.
RouteMatch route(const std::string& path, bool serveMetrics) {
  std::vector<std::string> s;
  if (path.empty() || path[0] != '/') return {};
  std::size_t start = 1;
  while (true) {
    const std::size_t slash = path.find('/', start);
    s.push_back(path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  RouteMatch m;
  auto set = [&m](Route r, const char* pattern, bool operatorOnly) {
    m.route = r;
    m.pattern = pattern;
    m.operatorOnly = operatorOnly;
  };
  if (s.size() == 1) {
    if (s[0] == "livez") set(Route::kLivez, "/livez", false);
    if (s[0] == "readyz") set(Route::kReadyz, "/readyz", false);
    if (s[0] == "metrics" && serveMetrics) set(Route::kMetrics, "/metrics", false);
    return m;
  }
  if (s[0] != "v1") return m;
  if (s.size() == 2) {
    if (s[1] == "badges") set(Route::kBadges, "/v1/badges", false);
    if (s[1] == "warnings") set(Route::kWarnings, "/v1/warnings", true);
    if (s[1] == "status") set(Route::kStatus, "/v1/status", false);
    if (s[1] == "openapi.json") set(Route::kOpenApi, "/v1/openapi.json", false);
    return m;
  }
  if (s.size() == 3 && s[1] == "products") {
    set(Route::kProduct, "/v1/products/{id}", true);
  } else if (s.size() == 3 && s[1] == "sellers") {
    set(Route::kSeller, "/v1/sellers/{id}", true);
  } else if (s.size() == 4 && s[1] == "sellers") {
    if (s[3] == "badge") set(Route::kBadge, "/v1/sellers/{id}/badge", false);
    if (s[3] == "badge.svg") set(Route::kBadgeSvg, "/v1/sellers/{id}/badge.svg", false);
    if (s[3] == "history") set(Route::kHistory, "/v1/sellers/{id}/history", true);
    if (s[3] == "defects") set(Route::kDefects, "/v1/sellers/{id}/defects", true);
  }
  if (m.route != Route::kOther) m.id = s[2];
  return m;
}

// True iff the route is a public badge endpoint, which a storefront page may
// fetch from another origin.
bool crossOrigin(Route route) {
  return route == Route::kBadge || route == Route::kBadgeSvg || route == Route::kBadges;
}

std::optional<int> parseBounded(const std::string& text, int lo, int hi) {
  const std::optional<std::int64_t> v = parsePositiveId(text);
  if (!v || *v < lo || *v > hi) return std::nullopt;
  return static_cast<int>(*v);
}

// The first value of a query parameter; nullopt if absent or empty (an
// empty value, as in "?severity=", means "not given").
std::optional<std::string> param(const Poco::URI::QueryParameters& query, const char* name) {
  for (const auto& [k, v] : query) {
    if (k == name) return v.empty() ? std::nullopt : std::optional<std::string>(v);
  }
  return std::nullopt;
}

// A strong validator: the quoted FNV-1a 64 hash of the body.
std::string etagOf(const std::string& body) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buf;
}

// True iff one of the If-None-Match field values matches `etag` under the
// weak comparison of RFC 9110 §13.1.2 (a W/ prefix is ignored), or is "*".
bool ifNoneMatchHits(const std::vector<std::string>& values, const std::string& etag) {
  for (const std::string& v : values) {
    std::size_t i = 0;
    while (i < v.size()) {
      const char c = v[i];
      if (c == ' ' || c == '\t' || c == ',') {
        ++i;
        continue;
      }
      if (c == '*') return true;
      if (v.compare(i, 2, "W/") == 0) i += 2;
      if (i < v.size() && v[i] == '"') {
        const std::size_t close = v.find('"', i + 1);
        if (close == std::string::npos) break;
        if (v.compare(i, close - i + 1, etag) == 0) return true;
        i = close + 1;
      } else {
        // Not an entity tag: skip to the next list member.
        const std::size_t comma = v.find(',', i);
        if (comma == std::string::npos) break;
        i = comma + 1;
      }
    }
  }
  return false;
}

// Compares in time that depends on the expected token's length only, so a
// client cannot find the token byte by byte by timing failures.
bool constantTimeEquals(const std::string& given, const std::string& expected) {
  unsigned diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto g = static_cast<unsigned char>(i < given.size() ? given[i] : 0);
    diff |= g ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

std::string badgeObject(std::int64_t sellerId, const SellerResult& seller,
                        const Snapshot& snapshot) {
  return "{\"seller_id\":" + std::to_string(sellerId) +
         ",\"badge\":" + jsonString(toString(seller.badge)) +
         ",\"score\":" + jsonScore(seller.score) +
         ",\"computed_at\":" + jsonString(formatRfc3339(snapshot.computedAt)) +
         ",\"rules_version\":" + jsonString(snapshot.rulesVersion) + "}";
}

class Api {
 public:
  Api(const ApiContext& context, const ApiOptions& options)
      : context_(context),
        options_(options),
        cacheControl_("public, max-age=" + std::to_string(options.badgeMaxAgeSeconds)) {}

  Reply handle(const HTTPRequest& request) const;

 private:
  struct Request {
    const HTTPRequest& http;
    const RouteMatch& match;
    const Poco::URI::QueryParameters& query;
  };

  Reply answer(const HTTPRequest& http, RouteMatch* match) const;
  std::optional<Reply> checkToken(const HTTPRequest& http) const;
  // Adds ETag and `cacheControl` to a public reply, and turns it into a 304
  // when the client already holds this representation.
  Reply cacheable(Reply reply, const HTTPRequest& http, const std::string& cacheControl) const;
  // True iff the snapshot is younger than the staleness budget.
  bool fresh(const Snapshot& snapshot) const;
  // True iff answers on `route` carry CORS headers.
  bool cors(Route route) const { return crossOrigin(route) && !options_.corsAllowOrigin.empty(); }

  Reply badge(const Request& r, bool svg) const;
  Reply badges(const Request& r) const;
  // The stored report of one seller or product: `entries` is
  // &Snapshot::sellers or &Snapshot::products, `kind` names it in errors.
  template <typename Entries>
  Reply storedReport(const Request& r, const char* kind, Entries Snapshot::*entries) const;
  Reply history(const Request& r) const;
  Reply defects(const Request& r) const;
  Reply warnings(const Request& r) const;
  Reply status(const HTTPRequest& http) const;
  Reply openApi(const HTTPRequest& http) const;
  Reply preflight() const;
  Reply readyz() const;

  Timestamp now() const {
    return context_.now ? context_.now() : static_cast<Timestamp>(std::time(nullptr));
  }

  const ApiContext context_;
  const ApiOptions options_;
  const std::string cacheControl_;
};

Reply badId(const char* what, const std::string& text) {
  return problemReply(
      400, std::string(what) + " id must be a positive integer, got '" + echo(text) + "'");
}

Reply unknownId(const char* what, std::int64_t id) {
  return problemReply(404, std::string(what) + " " + std::to_string(id) + " is not known");
}

Reply noSnapshot() {
  return problemReply(503, "no snapshot has been computed yet; retry after the first scoring run");
}

struct Page {
  int limit = kDefaultPageLimit;
  std::int64_t after = 0;  // none
};

// The `limit` (1 to kMaxPageLimit) and `after` (a positive id) of a paged
// request into *page, or the problem that says which is wrong; `ids` names
// what `after` is ("an id", "a warning id").
std::optional<Reply> readPage(const Poco::URI::QueryParameters& query, const char* ids,
                              Page* page) {
  if (const std::optional<std::string> text = param(query, "limit")) {
    const std::optional<int> parsed = parseBounded(*text, 1, kMaxPageLimit);
    if (!parsed) {
      return problemReply(400, "limit must be an integer from 1 to " +
                                   std::to_string(kMaxPageLimit) + ", got '" + echo(*text) + "'");
    }
    page->limit = *parsed;
  }
  if (const std::optional<std::string> text = param(query, "after")) {
    const std::optional<std::int64_t> parsed = parsePositiveId(*text);
    if (!parsed) {
      return problemReply(400, std::string("after must be ") + ids +
                                   " (a positive integer), got '" + echo(*text) + "'");
    }
    page->after = *parsed;
  }
  return std::nullopt;
}

std::optional<Reply> Api::checkToken(const HTTPRequest& http) const {
  if (options_.operatorToken.empty()) return std::nullopt;
  const std::string auth = http.get("Authorization", "");
  std::string token;
  if (auth.size() > 7 && Poco::icompare(auth.substr(0, 7), "Bearer ") == 0) {
    token = Poco::trim(auth.substr(7));
  }
  if (!token.empty() && constantTimeEquals(token, options_.operatorToken)) return std::nullopt;
  Reply r;
  if (auth.empty()) {
    r = problemReply(401, "this endpoint requires an Authorization: Bearer token");
    r.header("WWW-Authenticate", "Bearer realm=\"sellertrust\"");
  } else {
    r = problemReply(401, "the bearer token in the Authorization header is not valid");
    r.header("WWW-Authenticate", "Bearer realm=\"sellertrust\", error=\"invalid_token\"");
  }
  return r;
}

Reply Api::cacheable(Reply reply, const HTTPRequest& http, const std::string& cacheControl) const {
  const std::string etag = etagOf(reply.body);
  reply.header("ETag", etag);
  reply.headers.erase(std::remove_if(reply.headers.begin(), reply.headers.end(),
                                     [](const auto& h) { return h.first == "Cache-Control"; }),
                      reply.headers.end());
  reply.header("Cache-Control", cacheControl);
  std::vector<std::string> conditions;
  for (const auto& [name, value] : http) {
    if (Poco::icompare(name, "If-None-Match") == 0) conditions.push_back(value);
  }
  if (ifNoneMatchHits(conditions, etag)) {
    reply.status = 304;
    reply.body.clear();
    reply.contentType.clear();
  }
  return reply;
}

Reply Api::badge(const Request& r, bool svg) const {
  const std::optional<std::int64_t> id = parsePositiveId(r.match.id);
  if (!id) return badId("seller", r.match.id);
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  const auto it = snapshot->sellers.find(*id);
  if (it == snapshot->sellers.end()) return unknownId("seller", *id);
  Reply reply;
  if (svg) {
    reply.contentType = "image/svg+xml";
    reply.body = renderBadgeSvg(it->second->badge, it->second->score);
    reply.header("X-Content-Type-Options", "nosniff");
    // An SVG opened on its own is a document: forbid it any script or fetch.
    reply.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  } else {
    reply = json(badgeObject(*id, *it->second, *snapshot));
  }
  // Public and shared: a storefront CDN may serve it to every visitor.
  return cacheable(std::move(reply), r.http, cacheControl_);
}

Reply Api::badges(const Request& r) const {
  const std::optional<std::string> list = param(r.query, "seller_ids");
  if (!list) {
    return problemReply(400, "seller_ids is required: 1 to " + std::to_string(kMaxBatchIds) +
                                 " comma-separated seller ids");
  }
  std::vector<std::int64_t> ids;
  std::set<std::int64_t> seen;
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list->find(',', start);
    const std::string item =
        list->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (++count > kMaxBatchIds) {
      return problemReply(400,
                          "seller_ids lists more than " + std::to_string(kMaxBatchIds) + " ids");
    }
    const std::optional<std::int64_t> id = parsePositiveId(item);
    if (!id) {
      return problemReply(400, "seller_ids entry " + std::to_string(count) +
                                   " must be a positive integer, got '" + echo(item) + "'");
    }
    if (seen.insert(*id).second) ids.push_back(*id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  std::string found = "[";
  std::string unknown = "[";
  for (std::int64_t id : ids) {
    const auto it = snapshot->sellers.find(id);
    if (it == snapshot->sellers.end()) {
      if (unknown.size() > 1) unknown.push_back(',');
      unknown += std::to_string(id);
    } else {
      if (found.size() > 1) found.push_back(',');
      found += badgeObject(id, *it->second, *snapshot);
    }
  }
  return cacheable(json("{\"badges\":" + found + "],\"unknown\":" + unknown + "]}"), r.http,
                   cacheControl_);
}

namespace {

// The reports of both kinds of stored result, for storedReport().
std::string renderReport(const SharedSeller& seller, const Snapshot& snapshot) {
  return renderSellerReport(*seller, snapshot);
}
std::string renderReport(const ProductResult& product, const Snapshot& snapshot) {
  return renderProductReport(product, snapshot);
}

}  // namespace

template <typename Entries>
Reply Api::storedReport(const Request& r, const char* kind, Entries Snapshot::*entries) const {
  const std::optional<std::int64_t> id = parsePositiveId(r.match.id);
  if (!id) return badId(kind, r.match.id);
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  const Entries& all = (*snapshot).*entries;
  const auto it = all.find(*id);
  if (it == all.end()) return unknownId(kind, *id);
  return json(renderReport(it->second, *snapshot));
}

Reply Api::history(const Request& r) const {
  const std::optional<std::int64_t> id = parsePositiveId(r.match.id);
  if (!id) return badId("seller", r.match.id);
  int days = kDefaultHistoryDays;
  if (const std::optional<std::string> text = param(r.query, "days")) {
    const std::optional<int> parsed = parseBounded(*text, 1, kMaxHistoryDays);
    if (!parsed) {
      return problemReply(400, "days must be an integer from 1 to " +
                                   std::to_string(kMaxHistoryDays) + ", got '" + echo(*text) + "'");
    }
    days = *parsed;
  }
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  if (snapshot->sellers.count(*id) == 0) return unknownId("seller", *id);
  // The last `days` calendar days (UTC) up to the snapshot, today included,
  // for both the points and the changes, so that the two lists agree.
  const Timestamp from =
      startOfDay(snapshot->computedAt) - static_cast<Timestamp>(days - 1) * kSecondsPerDay;
  const Timestamp to = snapshot->computedAt;
  std::string points = "[";
  if (const auto it = snapshot->history->find(*id); it != snapshot->history->end()) {
    for (const HistoryPoint& p : it->second) {
      if (p.day < from || p.day > to) continue;
      if (points.size() > 1) points.push_back(',');
      points += "{\"day\":" + jsonString(formatRfc3339(p.day).substr(0, 10)) +
                ",\"score\":" + jsonScore(p.score) + ",\"badge\":" + jsonString(toString(p.badge)) +
                "}";
    }
  }
  std::string changes = "[";
  if (const auto it = snapshot->badgeChanges.find(*id); it != snapshot->badgeChanges.end()) {
    for (const BadgeChange& c : it->second) {
      if (c.at < from || c.at > to) continue;
      if (changes.size() > 1) changes.push_back(',');
      changes += "{\"at\":" + jsonString(formatRfc3339(c.at)) +
                 ",\"from\":" + (c.from ? jsonString(toString(*c.from)) : "null") +
                 ",\"to\":" + jsonString(toString(c.to)) + ",\"score\":" + jsonScore(c.score) +
                 ",\"reason\":" + jsonString(c.reason) + "}";
    }
  }
  return json("{\"seller_id\":" + std::to_string(*id) + ",\"days\":" + std::to_string(days) +
              ",\"points\":" + points + "],\"badge_changes\":" + changes + "]}");
}

Reply Api::defects(const Request& r) const {
  const std::optional<std::int64_t> id = parsePositiveId(r.match.id);
  if (!id) return badId("seller", r.match.id);
  std::optional<MetricId> metric;
  if (const std::optional<std::string> text = param(r.query, "metric")) {
    std::string names;
    for (std::size_t m = 0; m < kMetricCount; ++m) {
      const auto candidate = static_cast<MetricId>(m);
      if (!source::hasDefects(candidate)) continue;
      if (*text == metricName(candidate)) metric = candidate;
      names += std::string(names.empty() ? "" : ", ") + metricName(candidate);
    }
    if (!metric) {
      return problemReply(400, "metric must be one of " + names + " (rating_average is a mean, " +
                                   "not a count of rows), got '" + echo(*text) + "'");
    }
  }
  Page paging;
  if (std::optional<Reply> bad = readPage(r.query, "an id", &paging)) return std::move(*bad);
  if (!metric && (param(r.query, "limit") || param(r.query, "after"))) {
    return problemReply(400, "limit and after page the defects of one metric: give metric too");
  }
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  const auto it = snapshot->sellers.find(*id);
  if (it == snapshot->sellers.end()) return unknownId("seller", *id);
  if (!metric) return json(renderDefectSummary(*it->second, *snapshot));
  return json(renderDefectPage(*it->second, *snapshot, *metric,
                               static_cast<std::size_t>(paging.limit), paging.after));
}

Reply Api::warnings(const Request& r) const {
  std::optional<Severity> severity;
  if (const std::optional<std::string> text = param(r.query, "severity")) {
    Severity s;
    if (!parseSeverity(*text, &s)) {
      return problemReply(
          400, "severity must be one of info, warning, critical, got '" + echo(*text) + "'");
    }
    severity = s;
  }
  const std::optional<std::string> code = param(r.query, "code");
  Page paging;
  if (std::optional<Reply> bad = readPage(r.query, "a warning id", &paging)) {
    return std::move(*bad);
  }
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return noSnapshot();
  // The cursor is an id, not an offset: a warning cleared between two pages
  // neither shifts nor repeats the rest.
  std::vector<const Warning*> page;
  bool more = false;
  for (auto it = snapshot->warnings.after(paging.after); it != snapshot->warnings.end(); ++it) {
    const Warning& w = **it;
    if (severity && w.firing.severity != *severity) continue;
    if (code && w.firing.code != *code) continue;
    if (page.size() == static_cast<std::size_t>(paging.limit)) {
      more = true;
      break;
    }
    page.push_back(&w);
  }
  std::string body = "{\"warnings\":[";
  for (std::size_t i = 0; i < page.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += renderWarning(*page[i]);
  }
  body +=
      "],\"next_after\":" + (more ? std::to_string(page.back()->id) : std::string("null")) + "}";
  return json(std::move(body));
}

bool Api::fresh(const Snapshot& snapshot) const {
  return now() - snapshot.computedAt < options_.staleAfterSeconds;
}

// Anyone sees whether the daemon is healthy and how fresh its results are;
// what would help an attacker (error texts that name hosts and accounts, the
// instance, the backends, run details) needs the operator token when one is
// configured. A wrong token is refused rather than quietly answered with
// less, so that a misconfigured monitor notices.
Reply Api::status(const HTTPRequest& http) const {
  if (!context_.status) return problemReply(500, "no status source is configured");
  bool full = options_.operatorToken.empty();
  if (!full && !http.get("Authorization", "").empty()) {
    if (std::optional<Reply> denied = checkToken(http)) return *denied;
    full = true;
  }
  const DaemonStatus s = context_.status();
  const std::shared_ptr<const Snapshot> snap = context_.snapshots->current();
  const Timestamp now = this->now();
  const bool isFresh = snap && fresh(*snap);
  const bool jobsOk = std::all_of(s.jobs.begin(), s.jobs.end(),
                                  [](const JobState& j) { return j.lastError.empty(); });
  std::string body =
      std::string("{\"status\":") +
      (isFresh && s.sourceReachable && jobsOk ? "\"ok\"" : "\"degraded\"") +
      ",\"version\":" + jsonString(s.version) + ",\"revision\":" + jsonString(s.revision) +
      ",\"rules_version\":" + jsonString(s.rulesVersion) + ",\"fresh\":" + jsonBool(isFresh) +
      ",\"computed_at\":" + (snap ? jsonTime(snap->computedAt) : "null");
  if (full) {
    std::string jobs;
    for (const JobState& j : s.jobs) {
      if (!jobs.empty()) jobs += ",";
      jobs += "{\"task\":" + jsonString(j.name) + ",\"running\":" + jsonBool(j.running) +
              ",\"last_run\":" + jsonTime(j.lastRunAt) +
              ",\"last_success\":" + jsonTime(j.lastSuccessAt) +
              ",\"duration_seconds\":" + jsonNumber(j.lastDurationSeconds) +
              ",\"rows_read\":" + std::to_string(j.lastRowsRead) +
              ",\"next_run\":" + jsonTime(j.nextRunAt) + ",\"runs\":" + std::to_string(j.runs) +
              ",\"failures\":" + std::to_string(j.failures) +
              ",\"last_error\":" + (j.lastError.empty() ? "null" : jsonString(j.lastError)) + "}";
    }
    const std::string snapshot =
        snap ? "{\"computed_at\":" + jsonTime(snap->computedAt) +
                   ",\"age_seconds\":" + std::to_string(now - snap->computedAt) +
                   ",\"sellers\":" + std::to_string(snap->sellers.size()) +
                   ",\"last_full_run\":" + jsonTime(snap->fullRunAt) +
                   ",\"source_watermark\":" + jsonTime(snap->sourceWatermark) +
                   ",\"watermark_lag_seconds\":" +
                   (snap->sourceWatermark ? std::to_string(now - *snap->sourceWatermark) : "null") +
                   "}"
             : "null";
    const std::string scoreRun =
        s.lastScoreRun
            ? "{\"kind\":" + jsonString(s.lastScoreRun->kind) +
                  ",\"sellers_recomputed\":" + std::to_string(s.lastScoreRun->sellersRecomputed) +
                  ",\"rows_read\":" + std::to_string(s.lastScoreRun->rowsRead) + "}"
            : "null";
    body += ",\"instance\":" + jsonString(s.instance) +
            ",\"role\":" + (s.writer ? "\"writer\"" : "\"reader\"") +
            ",\"backends\":{\"source\":" + jsonString(s.sourceBackend) +
            ",\"results\":" + jsonString(s.resultsBackend) + "}" +
            ",\"database\":{\"source_reachable\":" + jsonBool(s.sourceReachable) +
            "},\"snapshot\":" + snapshot + ",\"last_score_run\":" + scoreRun + ",\"jobs\":[" +
            jobs + "]";
  }
  Reply reply = json(body + "}");
  reply.header("Vary", "Authorization");
  return reply;
}

// The document is fixed at build time: clients revalidate with its ETag.
Reply Api::openApi(const HTTPRequest& http) const {
  return cacheable(json(std::string(openApiDocument())), http, "no-cache");
}

// The answer to a CORS preflight; handle() adds the allowed origin. Only
// If-None-Match is worth allowing: the rest a storefront sends is safelisted.
Reply Api::preflight() const {
  Reply r;
  r.status = 204;
  r.header("Allow", "GET, HEAD, OPTIONS");
  r.header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
  r.header("Access-Control-Allow-Headers", "If-None-Match");
  r.header("Access-Control-Max-Age", kCorsMaxAge);
  return r;
}

Reply Api::readyz() const {
  const std::shared_ptr<const Snapshot> snapshot = context_.snapshots->current();
  if (!snapshot) return problemReply(503, "no snapshot is loaded yet");
  const Timestamp age = std::max<Timestamp>(0, now() - snapshot->computedAt);
  if (!fresh(*snapshot)) {
    return problemReply(503, "the snapshot is " + std::to_string(age) +
                                 " seconds old, beyond the staleness budget of " +
                                 std::to_string(options_.staleAfterSeconds) + " seconds");
  }
  return json("{\"status\":\"ready\",\"snapshot_age_seconds\":" + std::to_string(age) + "}");
}

Reply Api::answer(const HTTPRequest& http, RouteMatch* match) const {
  Poco::URI uri;
  Poco::URI::QueryParameters query;
  try {
    uri = Poco::URI(http.getURI());
    query = uri.getQueryParameters();
  } catch (const Poco::SyntaxException&) {
    return problemReply(400, "the request target '" + echo(http.getURI()) + "' is not a valid URI");
  }
  *match = route(uri.getPath(), options_.serveMetrics && context_.telemetry != nullptr);
  const bool probeOrMetrics = match->route == Route::kMetrics || match->route == Route::kLivez ||
                              match->route == Route::kReadyz;
  if (!options_.serveApi && !probeOrMetrics) *match = RouteMatch{};
  if (match->route == Route::kOther) {
    return problemReply(404, "no such endpoint: " + echo(uri.getPath()));
  }
  const std::string& method = http.getMethod();
  const bool cors = this->cors(match->route);
  if (method == HTTPRequest::HTTP_OPTIONS && cors) return preflight();
  if (method != HTTPRequest::HTTP_GET && method != HTTPRequest::HTTP_HEAD) {
    Reply r = problemReply(405, "method " + echo(method) + " is not allowed on " + match->pattern +
                                    "; use GET or HEAD");
    r.header("Allow", cors ? "GET, HEAD, OPTIONS" : "GET, HEAD");
    return r;
  }
  if (match->operatorOnly) {
    if (std::optional<Reply> denied = checkToken(http)) return *denied;
  }
  const Request r{http, *match, query};
  switch (match->route) {
    case Route::kBadge:
      return badge(r, false);
    case Route::kBadgeSvg:
      return badge(r, true);
    case Route::kBadges:
      return badges(r);
    case Route::kSeller:
      return storedReport(r, "seller", &Snapshot::sellers);
    case Route::kHistory:
      return history(r);
    case Route::kDefects:
      return defects(r);
    case Route::kWarnings:
      return warnings(r);
    case Route::kProduct:
      return storedReport(r, "product", &Snapshot::products);
    case Route::kStatus:
      return status(http);
    case Route::kOpenApi:
      return openApi(http);
    case Route::kLivez:
      return json("{\"status\":\"ok\"}");
    case Route::kReadyz:
      return readyz();
    case Route::kMetrics: {
      Reply reply;
      reply.contentType = "text/plain; version=0.0.4; charset=utf-8";
      reply.body = context_.telemetry->scrape();
      reply.header("Cache-Control", kNoStore);
      return reply;
    }
    case Route::kOther:
      break;
  }
  return problemReply(404, "no such endpoint: " + echo(uri.getPath()));
}

Reply Api::handle(const HTTPRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  RouteMatch match;
  Reply reply;
  try {
    reply = answer(request, &match);
  } catch (const std::exception& e) {
    Poco::Logger::get("sellertrust.api")
        .error("%s %s failed: %s", request.getMethod(), echo(request.getURI()),
               std::string(e.what()));
    reply = problemReply(500, "internal error while answering this request");
  } catch (...) {
    Poco::Logger::get("sellertrust.api")
        .error("%s %s failed with an unknown exception", request.getMethod(),
               echo(request.getURI()));
    reply = problemReply(500, "internal error while answering this request");
  }
  // Errors too: a storefront script must be able to read why it failed.
  if (cors(match.route)) reply.header("Access-Control-Allow-Origin", options_.corsAllowOrigin);
  if (context_.telemetry != nullptr) {
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    context_.telemetry->recordHttp(match.pattern, reply.status, seconds.count());
  }
  return reply;
}

}  // namespace

HttpHandler makeApiHandler(const ApiContext& context, const ApiOptions& options) {
  auto api = std::make_shared<const Api>(context, options);
  return [api](const HTTPRequest& request) { return api->handle(request); };
}

}  // namespace sellertrust
