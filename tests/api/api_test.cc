// The HTTP API end to end in-process: the real HTTP server on 127.0.0.1
// with the API handler, serving a snapshot built by hand from the core's own
// evaluation and rendering functions, exercised with HTTPClientSession.
#include "daemon/api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include "daemon/openapi.h"
#include "jobs/report.h"
#include "sellertrust/seller.h"
#include "tests/api/api_snapshot.h"

namespace sellertrust {
namespace {

// The `i`th active warning, by ascending id.
const SharedWarning& nth(const ActiveWarnings& warnings, std::size_t i) {
  return *std::next(warnings.begin(), static_cast<std::ptrdiff_t>(i));
}

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Net::HTTPRequest;

using namespace api_fixture;  // NOLINT(google-build-using-namespace)

// A writer on MySQL whose score job ran once with an error before it
// succeeded; the history job has not run yet.
DaemonStatus healthyStatus() {
  DaemonStatus s;
  s.version = "9.9.9";
  s.revision = "v0.1.0-7-gabc";
  s.rulesVersion = kRulesVersion;
  s.instance = "db-7.internal";
  s.writer = true;
  s.sourceBackend = "mysql";
  s.resultsBackend = "mysql";
  s.sourceReachable = true;
  s.lastScoreRun = DaemonStatus::ScoreRun{"incremental", 3, 1234};
  JobState score;
  score.name = "score";
  score.lastRunAt = kComputedAt;
  score.lastSuccessAt = kComputedAt;
  score.lastDurationSeconds = 1.5;
  score.lastRowsRead = 1234;
  score.nextRunAt = kComputedAt + 60;
  score.runs = 2;
  score.failures = 1;
  JobState history;
  history.name = "history";
  history.nextRunAt = kComputedAt + 3600;
  s.jobs = {score, history};
  return s;
}

// GET /v1/status for healthyStatus() and makeSnapshot() a minute after the run.
const std::string kPublicStatus =
    R"({"status":"ok","version":"9.9.9","revision":"v0.1.0-7-gabc","rules_version":"1.0000abcd","fresh":true,)"
    R"("computed_at":"2026-03-01T12:00:00Z"})";
const std::string kFullStatus =
    R"({"status":"ok","version":"9.9.9","revision":"v0.1.0-7-gabc","rules_version":"1.0000abcd","fresh":true,)"
    R"("computed_at":"2026-03-01T12:00:00Z","instance":"db-7.internal","role":"writer",)"
    R"("backends":{"source":"mysql","results":"mysql"},"database":{"source_reachable":true},)"
    R"("snapshot":{"computed_at":"2026-03-01T12:00:00Z","age_seconds":60,"sellers":3,)"
    R"("last_full_run":"2026-03-01T11:00:00Z","source_watermark":"2026-03-01T11:59:30Z",)"
    R"("watermark_lag_seconds":90},)"
    R"("last_score_run":{"kind":"incremental","sellers_recomputed":3,"rows_read":1234},)"
    R"("jobs":[{"task":"score","running":false,"last_run":"2026-03-01T12:00:00Z",)"
    R"("last_success":"2026-03-01T12:00:00Z","duration_seconds":1.5,"rows_read":1234,)"
    R"("next_run":"2026-03-01T12:01:00Z","runs":2,"failures":1,"last_error":null},)"
    R"({"task":"history","running":false,"last_run":null,"last_success":null,)"
    R"("duration_seconds":0,"rows_read":0,"next_run":"2026-03-01T13:00:00Z","runs":0,)"
    R"("failures":0,"last_error":null}]})";

struct Response {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse header;

  std::string get(const std::string& name) const { return header.get(name, ""); }
  Object::Ptr json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Object::Ptr>();
  }
};

// One API listener on an ephemeral port of 127.0.0.1.
class TestServer {
 public:
  explicit TestServer(const ApiOptions& options = ApiOptions(), bool withSnapshot = true)
      : telemetry_("9.9.9", "abc123", kRulesVersion),
        socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    if (withSnapshot) snapshots.publish(makeSnapshot());
    ApiContext context;
    context.snapshots = &snapshots;
    context.telemetry = &telemetry_;
    context.status = [this] {
      if (statusThrows.load()) throw std::runtime_error("status exploded");
      std::lock_guard<std::mutex> lock(statusMutex_);
      return status_;
    };
    context.now = [this] { return now.load(); };
    server_ = std::make_unique<HttpServer>(socket_, makeApiHandler(context, options), HttpLimits(),
                                           &telemetry_);
  }

  // A keep-alive client session; several requests may go over it in turn.
  std::unique_ptr<Poco::Net::HTTPClientSession> session() const {
    auto s = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", socket_.address().port());
    s->setTimeout(Poco::Timespan(5, 0));
    return s;
  }

  static Response send(Poco::Net::HTTPClientSession& session, const std::string& method,
                       const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.add(name, value);
    session.sendRequest(request);
    Response r;
    std::istream& in = session.receiveResponse(r.header);
    Poco::StreamCopier::copyToString(in, r.body);
    r.status = r.header.getStatus();
    return r;
  }

  Response get(const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               const std::string& method = HTTPRequest::HTTP_GET) const {
    return send(*session(), method, target, headers);
  }

  std::string scrape() const { return telemetry_.scrape(); }

  // Changes what the daemon reports to GET /v1/status.
  void setStatus(const DaemonStatus& status) {
    std::lock_guard<std::mutex> lock(statusMutex_);
    status_ = status;
  }

  SnapshotHolder snapshots;
  std::atomic<Timestamp> now{kComputedAt + 60};
  std::atomic<bool> statusThrows{false};

 private:
  std::mutex statusMutex_;
  DaemonStatus status_ = healthyStatus();
  Telemetry telemetry_;
  Poco::Net::ServerSocket socket_;
  std::unique_ptr<HttpServer> server_;
};

ApiOptions withToken(const std::string& token) {
  ApiOptions o;
  o.operatorToken = token;
  return o;
}

// A problem+json body with the four RFC 9457 members and this detail.
void expectProblem(const Response& r, int status, const std::string& detail) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header.getContentType(), "application/problem+json");
  const Object::Ptr p = r.json();
  EXPECT_EQ(p->getValue<std::string>("type"), "about:blank");
  EXPECT_EQ(p->getValue<std::string>("title"),
            Poco::Net::HTTPResponse::getReasonForStatus(
                static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status)));
  EXPECT_EQ(p->getValue<int>("status"), status);
  EXPECT_EQ(p->getValue<std::string>("detail"), detail);
}

TEST(ApiTest, BadgeJsonWithStrongEtagAndPublicCaching) {
  TestServer server;
  const Response r = server.get("/v1/sellers/9/badge");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  EXPECT_EQ(r.body, R"({"seller_id":9,"badge":"at_risk","score":42.5,)"
                    R"("computed_at":"2026-03-01T12:00:00Z","rules_version":"1.0000abcd"})");
  EXPECT_EQ(r.get("Cache-Control"), "public, max-age=60");
  const std::string etag = r.get("ETag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(server.get("/v1/sellers/9/badge").get("ETag"), etag);  // stable
  EXPECT_NE(server.get("/v1/sellers/7/badge").get("ETag"), etag);  // per body
}

TEST(ApiTest, BadgeOfSellerWithoutScoreHasNullScore) {
  TestServer server;
  const Response r = server.get("/v1/sellers/8/badge");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"seller_id":8,"badge":"new","score":null,)"
                    R"("computed_at":"2026-03-01T12:00:00Z","rules_version":"1.0000abcd"})");
}

TEST(ApiTest, BadgeMaxAgeComesFromOptions) {
  ApiOptions options;
  options.badgeMaxAgeSeconds = 300;
  TestServer server(options);
  EXPECT_EQ(server.get("/v1/sellers/9/badge").get("Cache-Control"), "public, max-age=300");
  EXPECT_EQ(server.get("/v1/sellers/9/badge.svg").get("Cache-Control"), "public, max-age=300");
}

TEST(ApiTest, IfNoneMatchAnswers304WithValidatorsAndNoBody) {
  TestServer server;
  const std::string etag = server.get("/v1/sellers/9/badge").get("ETag");
  const std::string weak = "W/" + etag;
  for (const std::string& condition :
       {etag, "\"nope\", " + etag, "\"a\",\"b\" ,  " + weak, weak, std::string("*")}) {
    SCOPED_TRACE(condition);
    const auto session = server.session();
    const Response r =
        TestServer::send(*session, "GET", "/v1/sellers/9/badge", {{"If-None-Match", condition}});
    EXPECT_EQ(r.status, 304);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.get("ETag"), etag);
    EXPECT_EQ(r.get("Cache-Control"), "public, max-age=60");
    // The connection still carries a request: no stray body was sent.
    EXPECT_EQ(TestServer::send(*session, "GET", "/livez").status, 200);
  }
  EXPECT_EQ(server.get("/v1/sellers/9/badge", {{"If-None-Match", "\"other\""}}).status, 200);
  EXPECT_EQ(server.get("/v1/sellers/9/badge", {{"If-None-Match", etag.substr(1)}}).status, 200);
  // Two If-None-Match fields count as one list.
  EXPECT_EQ(server.get("/v1/sellers/9/badge", {{"If-None-Match", "\"x\""}, {"If-None-Match", etag}})
                .status,
            304);
  EXPECT_EQ(server.get("/v1/sellers/9/badge", {{"If-None-Match", etag}}, "HEAD").status, 304);
}

TEST(ApiTest, BadgeSvgIsEscapedCacheableAndNotSniffable) {
  TestServer server;
  const Response r = server.get("/v1/sellers/9/badge.svg");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "image/svg+xml");
  EXPECT_EQ(r.get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.get("Cache-Control"), "public, max-age=60");
  EXPECT_EQ(r.body.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("<title>sellertrust: at risk 42.5</title>"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  // The seller's name never reaches the badge.
  EXPECT_EQ(server.get("/v1/sellers/7/badge.svg").body.find("Shop"), std::string::npos);
  EXPECT_NE(server.get("/v1/sellers/8/badge.svg").body.find(">new</text>"), std::string::npos);
  const std::string etag = r.get("ETag");
  EXPECT_NE(etag, server.get("/v1/sellers/9/badge").get("ETag"));
  const Response cached = server.get("/v1/sellers/9/badge.svg", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_EQ(cached.get("ETag"), etag);
}

TEST(ApiTest, BatchBadgesInRequestOrderWithUnknownIds) {
  TestServer server;
  const Response r = server.get("/v1/badges?seller_ids=9,404,7,9,8,405");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.get("Cache-Control"), "public, max-age=60");
  EXPECT_FALSE(r.get("ETag").empty());
  const Object::Ptr body = r.json();
  const auto badges = body->getArray("badges");
  ASSERT_EQ(badges->size(), 3u);
  EXPECT_EQ(badges->getObject(0)->getValue<int>("seller_id"), 9);
  EXPECT_EQ(badges->getObject(1)->getValue<int>("seller_id"), 7);
  EXPECT_EQ(badges->getObject(2)->getValue<int>("seller_id"), 8);
  EXPECT_TRUE(badges->getObject(2)->isNull("score"));
  EXPECT_EQ(badges->getObject(0)->getValue<std::string>("badge"), "at_risk");
  const auto unknown = body->getArray("unknown");
  ASSERT_EQ(unknown->size(), 2u);
  EXPECT_EQ(unknown->getElement<int>(0), 404);
  EXPECT_EQ(unknown->getElement<int>(1), 405);
  EXPECT_EQ(server.get("/v1/badges?seller_ids=404").body, R"({"badges":[],"unknown":[404]})");
}

TEST(ApiTest, BatchRejectsEmptyMalformedAndTooManyIds) {
  TestServer server;
  expectProblem(server.get("/v1/badges"), 400,
                "seller_ids is required: 1 to 100 comma-separated seller ids");
  expectProblem(server.get("/v1/badges?seller_ids="), 400,
                "seller_ids is required: 1 to 100 comma-separated seller ids");
  expectProblem(server.get("/v1/badges?seller_ids=1,,2"), 400,
                "seller_ids entry 2 must be a positive integer, got ''");
  expectProblem(server.get("/v1/badges?seller_ids=1,x7"), 400,
                "seller_ids entry 2 must be a positive integer, got 'x7'");
  expectProblem(server.get("/v1/badges?seller_ids=1,"), 400,
                "seller_ids entry 2 must be a positive integer, got ''");
  std::string hundred = "7";
  for (int i = 1; i < 100; ++i) hundred += "," + std::to_string(1000 + i);
  EXPECT_EQ(server.get("/v1/badges?seller_ids=" + hundred).status, 200);
  expectProblem(server.get("/v1/badges?seller_ids=" + hundred + ",9"), 400,
                "seller_ids lists more than 100 ids");
}

TEST(ApiTest, MalformedIdsAre400WithExactDetail) {
  TestServer server;
  for (const std::string id : {"0", "-1", "abc", "1e3", "+5", "12345678901234567890",
                               "9223372036854775808", "1.0", "%20"}) {
    SCOPED_TRACE(id);
    const std::string shown = id == "%20" ? " " : id;
    expectProblem(server.get("/v1/sellers/" + id + "/badge"), 400,
                  "seller id must be a positive integer, got '" + shown + "'");
    EXPECT_EQ(server.get("/v1/sellers/" + id + "/badge.svg").status, 400);
    EXPECT_EQ(server.get("/v1/sellers/" + id).status, 400);
    EXPECT_EQ(server.get("/v1/sellers/" + id + "/history").status, 400);
    EXPECT_EQ(server.get("/v1/sellers/" + id + "/defects").status, 400);
    expectProblem(server.get("/v1/products/" + id), 400,
                  "product id must be a positive integer, got '" + shown + "'");
  }
  // The largest id is valid, just unknown.
  expectProblem(server.get("/v1/sellers/9223372036854775807/badge"), 404,
                "seller 9223372036854775807 is not known");
}

TEST(ApiTest, UnknownSellerProductAndRouteAre404) {
  TestServer server;
  expectProblem(server.get("/v1/sellers/404/badge"), 404, "seller 404 is not known");
  expectProblem(server.get("/v1/sellers/404/badge.svg"), 404, "seller 404 is not known");
  expectProblem(server.get("/v1/sellers/404"), 404, "seller 404 is not known");
  expectProblem(server.get("/v1/sellers/404/history"), 404, "seller 404 is not known");
  expectProblem(server.get("/v1/sellers/404/defects"), 404, "seller 404 is not known");
  expectProblem(server.get("/v1/products/404"), 404, "product 404 is not known");
  expectProblem(server.get("/v1/nothing"), 404, "no such endpoint: /v1/nothing");
  expectProblem(server.get("/v1/sellers/7/badge/"), 404, "no such endpoint: /v1/sellers/7/badge/");
  EXPECT_EQ(server.get("/").status, 404);
  EXPECT_EQ(server.get("/v1//sellers/7").status, 404);
  EXPECT_EQ(server.get("/v1/sellers/7/badge.png").status, 404);
}

TEST(ApiTest, OtherMethodsAre405WithAllow) {
  TestServer server;
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    const Response r = server.get("/v1/sellers/9/badge", {}, method);
    expectProblem(r, 405,
                  std::string("method ") + method +
                      " is not allowed on /v1/sellers/{id}/badge; use GET or HEAD");
    // Badge endpoints also answer CORS preflights.
    EXPECT_EQ(r.get("Allow"), "GET, HEAD, OPTIONS");
  }
  // Elsewhere OPTIONS is one more method that is not allowed.
  for (const char* target : {"/v1/sellers/9", "/v1/status", "/v1/openapi.json", "/livez"}) {
    SCOPED_TRACE(target);
    const Response r = server.get(target, {}, "OPTIONS");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.get("Allow"), "GET, HEAD");
  }
  EXPECT_EQ(server.get("/livez", {}, "POST").status, 405);
  EXPECT_EQ(server.get("/v1/nothing", {}, "POST").status, 404);
}

TEST(ApiTest, HeadAnswersLikeGetWithoutBody) {
  TestServer server;
  const Response get = server.get("/v1/sellers/9/badge");
  const auto session = server.session();
  const Response head = TestServer::send(*session, "HEAD", "/v1/sellers/9/badge");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.header.getContentLength(), static_cast<std::streamsize>(get.body.size()));
  EXPECT_EQ(head.header.getContentType(), "application/json");
  EXPECT_EQ(head.get("ETag"), get.get("ETag"));
  // The connection is still in step: no body bytes were sent.
  EXPECT_EQ(TestServer::send(*session, "GET", "/v1/sellers/9/badge").body, get.body);
  EXPECT_EQ(TestServer::send(*session, "HEAD", "/v1/sellers/404/badge").status, 404);
  EXPECT_EQ(TestServer::send(*session, "GET", "/livez").body, R"({"status":"ok"})");
}

TEST(ApiTest, OperatorEndpointsNeedTheBearerToken) {
  TestServer server(withToken("s3cret-token"));
  for (const char* target : {"/v1/sellers/7", "/v1/sellers/7/history", "/v1/sellers/7/defects",
                             "/v1/warnings", "/v1/products/100"}) {
    SCOPED_TRACE(target);
    const Response none = server.get(target);
    expectProblem(none, 401, "this endpoint requires an Authorization: Bearer token");
    EXPECT_EQ(none.get("WWW-Authenticate"), "Bearer realm=\"sellertrust\"");
    const Response wrong = server.get(target, {{"Authorization", "Bearer s3cret-tokem"}});
    expectProblem(wrong, 401, "the bearer token in the Authorization header is not valid");
    EXPECT_EQ(wrong.get("WWW-Authenticate"),
              "Bearer realm=\"sellertrust\", error=\"invalid_token\"");
    EXPECT_EQ(server.get(target, {{"Authorization", "Bearer s3cret"}}).status, 401);
    EXPECT_EQ(server.get(target, {{"Authorization", "Bearer s3cret-token-and-more"}}).status, 401);
    EXPECT_EQ(server.get(target, {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}).status, 401);
    EXPECT_EQ(server.get(target, {{"Authorization", "Bearer s3cret-token"}}).status, 200);
    EXPECT_EQ(server.get(target, {{"Authorization", "bearer s3cret-token"}}).status, 200);
  }
  // Authentication comes before validation: nothing leaks to a stranger.
  EXPECT_EQ(server.get("/v1/sellers/abc").status, 401);
  for (const char* target :
       {"/v1/sellers/7/badge", "/v1/sellers/7/badge.svg", "/v1/badges?seller_ids=7", "/v1/status",
        "/v1/openapi.json", "/livez", "/readyz", "/metrics"}) {
    EXPECT_EQ(server.get(target).status, 200) << target;
  }
}

TEST(ApiTest, OperatorEndpointsAreOpenWithoutAToken) {
  TestServer server;
  EXPECT_EQ(server.get("/v1/sellers/7").status, 200);
  EXPECT_EQ(server.get("/v1/warnings").status, 200);
  EXPECT_EQ(server.get("/v1/sellers/7", {{"Authorization", "Bearer anything"}}).status, 200);
}

// The report rendered at the edge from the stored tallies is the one the
// core's evaluation renders at run time.
TEST(ApiTest, SellerReportIsTheEvaluationsReport) {
  TestServer server;
  const Response r = server.get("/v1/sellers/7");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  const auto snapshot = server.snapshots.current();
  const SellerEvaluation seven = evaluateSeller(7, tally(400, 2), Badge::kFair, Rules());
  EXPECT_EQ(r.body, renderSellerReport({7, "Zo\xc3\xab <Shop> & \"Co\"", "FR"}, seven,
                                       {*nth(snapshot->warnings, 0), *nth(snapshot->warnings, 3),
                                        *nth(snapshot->warnings, 6)},
                                       kComputedAt, kRulesVersion, Rules()));
  const Object::Ptr report = r.json();
  EXPECT_EQ(report->getValue<std::string>("name"), "Zo\xc3\xab <Shop> & \"Co\"");
  EXPECT_EQ(report->getArray("warnings")->size(), 3u);
  EXPECT_EQ(report->getArray("explanation")->size(), kMetricCount);
  EXPECT_FALSE(
      server.get("/v1/sellers/8").json()->getValue<std::string>("no_score_reason").empty());
}

TEST(ApiTest, HistoryCoversTheLastDaysAndValidatesDays) {
  TestServer server;
  Response r = server.get("/v1/sellers/7/history");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"seller_id":7,"days":30,"points":[)"
                    R"({"day":"2026-01-31","score":82.9,"badge":"good"},)"
                    R"({"day":"2026-02-28","score":80.1,"badge":"good"},)"
                    R"({"day":"2026-03-01","score":80.0,"badge":"good"}],"badge_changes":[)"
                    R"({"at":"2026-02-24T12:00:00Z","from":"fair","to":"good","score":80.3,)"
                    R"("reason":"score 80.3 reached 77.0"}]})");
  r = server.get("/v1/sellers/7/history?days=365");
  const Object::Ptr all = r.json();
  EXPECT_EQ(all->getValue<int>("days"), 365);
  EXPECT_EQ(all->getArray("points")->size(), 5u);
  ASSERT_EQ(all->getArray("badge_changes")->size(), 2u);
  EXPECT_TRUE(all->getArray("badge_changes")->getObject(0)->isNull("from"));
  EXPECT_EQ(server.get("/v1/sellers/7/history?days=31").json()->getArray("points")->size(), 4u);
  EXPECT_EQ(server.get("/v1/sellers/7/history?days=1").json()->getArray("points")->size(), 1u);
  EXPECT_EQ(server.get("/v1/sellers/9/history").body,
            R"({"seller_id":9,"days":30,"points":[],"badge_changes":[]})");
  EXPECT_EQ(
      server.get("/v1/sellers/8/history").json()->getArray("points")->getObject(0)->isNull("score"),
      true);
  for (const char* days : {"0", "366", "-3", "x", "1.5", "99999999999999999999"}) {
    expectProblem(server.get(std::string("/v1/sellers/7/history?days=") + days), 400,
                  std::string("days must be an integer from 1 to 365, got '") + days + "'");
  }
}

TEST(ApiTest, DefectsSummariseEveryRateAndPageOneMetricById) {
  TestServer server;
  const Object::Ptr summary = server.get("/v1/sellers/7/defects").json();
  const Array::Ptr metrics = summary->getArray("metrics");
  ASSERT_EQ(metrics->size(), kMetricCount - 1);  // every rate, not the rating average
  EXPECT_EQ(metrics->getObject(0)->getValue<std::string>("metric"), "order_defect_rate");
  EXPECT_EQ(metrics->getObject(0)->getValue<int>("defects"), 2);
  EXPECT_EQ(metrics->getObject(1)->getValue<int>("defects"), 0);
  EXPECT_EQ(metrics->getObject(6)->getValue<std::string>("counts"), "tickets");
  EXPECT_EQ(summary->getArray("products")->size(), 1u);
  EXPECT_EQ(summary->getArray("products")->getObject(0)->getValue<int>("product_id"), 100);

  const std::string head =
      R"({"seller_id":7,"metric":"order_defect_rate","counts":"orders","total":2,)"
      R"("computed_at":"2026-03-01T12:00:00Z","window":{"from":"2025-12-31T12:00:00Z",)"
      R"("to":"2026-03-01T12:00:00Z","days":60},"defects":[)";
  // A page never splits the reasons of one order.
  EXPECT_EQ(server.get("/v1/sellers/7/defects?metric=order_defect_rate&limit=1").body,
            head +
                R"({"id":1001,"order_id":1001,"ordered_at":"2026-02-19T12:00:00Z","reasons":[)"
                R"({"reason":"low_rating","table":"ratings","row_id":5001,"stars":1},)"
                R"({"reason":"defect_claim","table":"tickets","row_id":6001,"product_id":100}]}],)"
                R"("next_after":1001})");
  EXPECT_EQ(server.get("/v1/sellers/7/defects?metric=order_defect_rate&limit=1&after=1001").body,
            head + R"({"id":1002,"order_id":1002,"ordered_at":"2026-02-19T12:00:00Z","reasons":[)"
                   R"({"reason":"service_chargeback","table":"chargebacks","row_id":7001}]}],)"
                   R"("next_after":null})");
  EXPECT_EQ(server.get("/v1/sellers/7/defects?metric=order_defect_rate")
                .json()
                ->getArray("defects")
                ->size(),
            2u);
  EXPECT_EQ(server.get("/v1/sellers/7/defects?metric=claim_rate").json()->getValue<int>("total"),
            0);

  expectProblem(server.get("/v1/sellers/7/defects?metric=rating_average"), 400,
                "metric must be one of order_defect_rate, claim_rate, late_shipment_rate, "
                "late_delivery_rate, seller_cancel_rate, valid_tracking_rate, "
                "response_within_48h_rate, escalation_rate, spontaneous_refund_rate, "
                "return_resolved_15d_rate (rating_average is a mean, not a count of rows), got "
                "'rating_average'");
  EXPECT_EQ(server.get("/v1/sellers/7/defects?metric=odr").status, 400);
  for (const char* limit : {"0", "501", "x"}) {
    expectProblem(server.get(std::string("/v1/sellers/7/defects?metric=claim_rate&limit=") + limit),
                  400, std::string("limit must be an integer from 1 to 500, got '") + limit + "'");
  }
  expectProblem(server.get("/v1/sellers/7/defects?metric=claim_rate&after=-2"), 400,
                "after must be an id (a positive integer), got '-2'");
  expectProblem(server.get("/v1/sellers/7/defects?limit=5"), 400,
                "limit and after page the defects of one metric: give metric too");
}

TEST(OpenApiTest, DescribesEveryDefectReasonAndItsValue) {
  std::ifstream file(SELLERTRUST_SOURCE_DIR "/docs/openapi.json", std::ios::binary);
  ASSERT_TRUE(file) << "cannot read docs/openapi.json";
  std::stringstream text;
  text << file.rdbuf();
  const Object::Ptr reason = Poco::JSON::Parser()
                                 .parse(text.str())
                                 .extract<Object::Ptr>()
                                 ->getObject("components")
                                 ->getObject("schemas")
                                 ->getObject("DefectReason")
                                 ->getObject("properties");
  std::set<std::string> names;
  for (const Poco::Dynamic::Var& name : *reason->getObject("reason")->getArray("enum")) {
    names.insert(name.toString());
  }
  for (const source::DefectReasonDef& r : source::defectReasons()) {
    EXPECT_EQ(names.count(r.name), 1u) << r.name;
    if (!r.valueName.empty()) {
      EXPECT_TRUE(reason->has(r.valueName)) << r.valueName;
    }
  }
  EXPECT_EQ(names.size(), source::defectReasons().size());
}

// Collects every warning id over pages of `limit`, following next_after.
std::vector<int> allPages(const TestServer& server, const std::string& filter, int limit,
                          int* pages) {
  std::vector<int> ids;
  std::string after;
  *pages = 0;
  while (true) {
    std::string target = "/v1/warnings?limit=" + std::to_string(limit);
    target += filter;
    target += after;
    const Response r = server.get(target);
    EXPECT_EQ(r.status, 200) << r.body;
    const Object::Ptr body = r.json();
    const auto list = body->getArray("warnings");
    for (unsigned i = 0; i < list->size(); ++i) {
      ids.push_back(list->getObject(i)->getValue<int>("id"));
    }
    ++*pages;
    if (body->isNull("next_after") || *pages > 20) break;
    after = "&after=" + std::to_string(body->getValue<int>("next_after"));
  }
  return ids;
}

TEST(ApiTest, WarningsPaginateWithAfter) {
  TestServer server;
  int pages = 0;
  EXPECT_EQ(allPages(server, "", 2, &pages), (std::vector<int>{2, 3, 5, 8, 13, 21, 34}));
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(allPages(server, "", 7, &pages), (std::vector<int>{2, 3, 5, 8, 13, 21, 34}));
  EXPECT_EQ(pages, 1);  // exactly one full page: no empty page after it

  const Object::Ptr first = server.get("/v1/warnings?limit=3").json();
  EXPECT_EQ(first->getValue<int>("next_after"), 5);
  const Object::Ptr w = first->getArray("warnings")->getObject(0);
  EXPECT_EQ(w->getValue<std::string>("code"), "order_defect_rate_above_target");
  EXPECT_EQ(w->getValue<std::string>("severity"), "warning");
  EXPECT_TRUE(w->isNull("product_id"));
  // The cursor need not be a current id: a cleared warning's id works.
  EXPECT_EQ(server.get("/v1/warnings?after=6&limit=1")
                .json()
                ->getArray("warnings")
                ->getObject(0)
                ->getValue<int>("id"),
            8);
  EXPECT_EQ(server.get("/v1/warnings?after=34").body, R"({"warnings":[],"next_after":null})");
  EXPECT_EQ(server.get("/v1/warnings").json()->getArray("warnings")->size(),
            7u);  // default limit 50
}

TEST(ApiTest, WarningsFilterBySeverityAndCode) {
  TestServer server;
  int pages = 0;
  EXPECT_EQ(allPages(server, "&severity=info", 1, &pages), (std::vector<int>{5, 13, 34}));
  EXPECT_EQ(allPages(server, "&severity=critical", 50, &pages), (std::vector<int>{3, 8}));
  EXPECT_EQ(allPages(server, "&code=slow_responses", 50, &pages), (std::vector<int>{21}));
  EXPECT_EQ(allPages(server, "&severity=info&code=slow_responses", 50, &pages), std::vector<int>{});
  EXPECT_EQ(allPages(server, "&severity=&code=", 50, &pages).size(), 7u);  // empty means absent
  expectProblem(server.get("/v1/warnings?severity=fatal"), 400,
                "severity must be one of info, warning, critical, got 'fatal'");
  for (const char* limit : {"0", "501", "-1", "ten"}) {
    expectProblem(server.get(std::string("/v1/warnings?limit=") + limit), 400,
                  std::string("limit must be an integer from 1 to 500, got '") + limit + "'");
  }
  EXPECT_EQ(server.get("/v1/warnings?limit=500").status, 200);
  for (const char* after : {"0", "-2", "x", "99999999999999999999"}) {
    expectProblem(
        server.get(std::string("/v1/warnings?after=") + after), 400,
        std::string("after must be a warning id (a positive integer), got '") + after + "'");
  }
}

TEST(ApiTest, ProductReportIsRenderedFromTheStoredLadder) {
  TestServer server;
  const Response r = server.get("/v1/products/100");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  const auto snapshot = server.snapshots.current();
  EXPECT_EQ(r.body, renderProductReport(snapshot->products.at(100).ladder,
                                        snapshot->claimsByProduct.at(100), 1,
                                        {*nth(snapshot->warnings, 3)}, kComputedAt, kRulesVersion));
  EXPECT_EQ(r.json()->getValue<std::string>("recommended_action"), "delist_product");
}

TEST(ApiTest, StatusLivezAndMetrics) {
  TestServer server;
  Response r = server.get("/livez");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  server.get("/v1/sellers/9/badge");
  r = server.get("/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("# TYPE sellertrust_http_requests_total counter"), std::string::npos);
  EXPECT_NE(r.body.find(
                R"(sellertrust_http_requests_total{code="200",route="/v1/sellers/{id}/badge"} 1)"),
            std::string::npos)
      << r.body;
}

TEST(ApiTest, MetricsCanBeLeftToAnotherListener) {
  ApiOptions options;
  options.serveMetrics = false;
  TestServer server(options);
  expectProblem(server.get("/metrics"), 404, "no such endpoint: /metrics");
}

TEST(ApiTest, ReadyzFollowsSnapshotAge) {
  TestServer server;
  Response r = server.get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ready","snapshot_age_seconds":60})");
  server.now = kComputedAt + 3599;
  EXPECT_EQ(server.get("/readyz").status, 200);
  server.now = kComputedAt + 3600;
  expectProblem(server.get("/readyz"), 503,
                "the snapshot is 3600 seconds old, beyond the staleness budget of 3600 seconds");
  EXPECT_EQ(server.get("/livez").status, 200);  // liveness checks nothing
}

TEST(ApiTest, NoSnapshotYetIs503ForDataAndReadiness) {
  TestServer server(ApiOptions(), /*withSnapshot=*/false);
  const std::string detail = "no snapshot has been computed yet; retry after the first scoring run";
  for (const char* target :
       {"/v1/sellers/7/badge", "/v1/sellers/7/badge.svg", "/v1/badges?seller_ids=7",
        "/v1/sellers/7", "/v1/sellers/7/history", "/v1/warnings", "/v1/products/100"}) {
    SCOPED_TRACE(target);
    expectProblem(server.get(target), 503, detail);
  }
  expectProblem(server.get("/readyz"), 503, "no snapshot is loaded yet");
  EXPECT_EQ(server.get("/livez").status, 200);
  EXPECT_EQ(server.get("/v1/status").status, 200);
  // Validation still comes first.
  EXPECT_EQ(server.get("/v1/sellers/abc/badge").status, 400);
  server.snapshots.publish(makeSnapshot());
  EXPECT_EQ(server.get("/v1/sellers/7/badge").status, 200);
}

TEST(ApiTest, FailureInsideAHandlerIs500Problem) {
  TestServer server;
  server.statusThrows = true;
  expectProblem(server.get("/v1/status"), 500, "internal error while answering this request");
  server.statusThrows = false;
  EXPECT_EQ(server.get("/v1/status").status, 200);
}

TEST(ApiTest, TelemetryRecordsRoutePatternsNeverRawPaths) {
  TestServer server;
  server.get("/v1/sellers/9/badge");
  server.get("/v1/sellers/9/badge");
  server.get("/v1/sellers/123456/badge");
  server.get("/v1/sellers/abc/badge.svg");
  server.get("/v1/nothing/at/all");
  server.get("/v1/sellers/9/badge", {}, "DELETE");
  const std::string s = server.scrape();
  EXPECT_NE(
      s.find(R"(sellertrust_http_requests_total{code="200",route="/v1/sellers/{id}/badge"} 2)"),
      std::string::npos)
      << s;
  EXPECT_NE(
      s.find(R"(sellertrust_http_requests_total{code="404",route="/v1/sellers/{id}/badge"} 1)"),
      std::string::npos);
  EXPECT_NE(
      s.find(R"(sellertrust_http_requests_total{code="405",route="/v1/sellers/{id}/badge"} 1)"),
      std::string::npos);
  EXPECT_NE(
      s.find(R"(sellertrust_http_requests_total{code="400",route="/v1/sellers/{id}/badge.svg"} 1)"),
      std::string::npos);
  EXPECT_NE(s.find(R"(sellertrust_http_requests_total{code="404",route="other"} 1)"),
            std::string::npos);
  EXPECT_EQ(s.find("123456"), std::string::npos);
  EXPECT_EQ(s.find("nothing"), std::string::npos);
  EXPECT_NE(
      s.find(
          R"(sellertrust_http_request_duration_seconds_count{route="/v1/sellers/{id}/badge"} 4)"),
      std::string::npos);
}

TEST(ApiTest, MalformedRequestTargetIs400) {
  TestServer server;
  expectProblem(server.get("/v1/sellers/%zz/badge"), 400,
                "the request target '/v1/sellers/%zz/badge' is not a valid URI");
}

TEST(ApiTest, StatusIsFullWhenNoTokenIsConfigured) {
  TestServer server;
  const Response r = server.get("/v1/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  EXPECT_EQ(r.get("Cache-Control"), "no-store");
  EXPECT_EQ(r.get("Vary"), "Authorization");
  EXPECT_EQ(r.body, kFullStatus);
  // Any Authorization header is ignored, as on the operator endpoints.
  EXPECT_EQ(server.get("/v1/status", {{"Authorization", "Bearer anything"}}).body, kFullStatus);
}

TEST(ApiTest, StatusWithoutTheTokenIsThePublicSummary) {
  TestServer server(withToken("s3cret-token"));
  JobState failed;
  failed.name = "score";
  failed.lastError = "cannot connect to db-7.internal:3306 as sellertrust_ro";
  DaemonStatus status = healthyStatus();
  status.jobs = {failed};
  server.setStatus(status);
  const Response r = server.get("/v1/status");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.get("Cache-Control"), "no-store");
  EXPECT_EQ(r.get("Vary"), "Authorization");
  EXPECT_EQ(
      r.body,
      R"({"status":"degraded","version":"9.9.9","revision":"v0.1.0-7-gabc","rules_version":"1.0000abcd",)"
      R"("fresh":true,"computed_at":"2026-03-01T12:00:00Z"})");
  EXPECT_EQ(r.body.find("db-7"), std::string::npos);
}

TEST(ApiTest, StatusWithTheTokenIsFull) {
  TestServer server(withToken("s3cret-token"));
  EXPECT_EQ(server.get("/v1/status").body, kPublicStatus);
  EXPECT_EQ(server.get("/v1/status", {{"Authorization", "Bearer s3cret-token"}}).body, kFullStatus);
}

TEST(ApiTest, StatusWithAWrongTokenIs401NotLess) {
  TestServer server(withToken("s3cret-token"));
  const Response wrong = server.get("/v1/status", {{"Authorization", "Bearer s3cret-tokem"}});
  expectProblem(wrong, 401, "the bearer token in the Authorization header is not valid");
  EXPECT_EQ(wrong.get("WWW-Authenticate"), "Bearer realm=\"sellertrust\", error=\"invalid_token\"");
  expectProblem(server.get("/v1/status", {{"Authorization", "Basic czNjcmV0LXRva2Vu"}}), 401,
                "the bearer token in the Authorization header is not valid");
}

TEST(ApiTest, StatusIsDegradedWhenStaleSourceDownOrAJobFailed) {
  TestServer server(withToken("t"));
  server.now = kComputedAt + 3599;
  EXPECT_EQ(server.get("/v1/status").body, kPublicStatus);
  server.now = kComputedAt + 3600;  // the staleness budget, as /readyz
  EXPECT_EQ(
      server.get("/v1/status").body,
      R"({"status":"degraded","version":"9.9.9","revision":"v0.1.0-7-gabc","rules_version":"1.0000abcd",)"
      R"("fresh":false,"computed_at":"2026-03-01T12:00:00Z"})");
  server.now = kComputedAt + 60;
  DaemonStatus down = healthyStatus();
  down.sourceReachable = false;
  server.setStatus(down);
  EXPECT_EQ(server.get("/v1/status").json()->getValue<std::string>("status"), "degraded");
  DaemonStatus historyFailed = healthyStatus();
  historyFailed.jobs[1].lastError = "disk full";
  server.setStatus(historyFailed);
  EXPECT_EQ(server.get("/v1/status").json()->getValue<std::string>("status"), "degraded");
  EXPECT_EQ(server.get("/v1/status", {{"Authorization", "Bearer t"}})
                .json()
                ->getArray("jobs")
                ->getObject(1)
                ->getValue<std::string>("last_error"),
            "disk full");
}

TEST(ApiTest, StatusBeforeTheFirstResults) {
  TestServer server(withToken("t"), /*withSnapshot=*/false);
  EXPECT_EQ(
      server.get("/v1/status").body,
      R"({"status":"degraded","version":"9.9.9","revision":"v0.1.0-7-gabc","rules_version":"1.0000abcd",)"
      R"("fresh":false,"computed_at":null})");
  const Object::Ptr full = server.get("/v1/status", {{"Authorization", "Bearer t"}}).json();
  EXPECT_TRUE(full->isNull("snapshot"));
  EXPECT_TRUE(full->isNull("computed_at"));
  EXPECT_EQ(full->getValue<std::string>("instance"), "db-7.internal");
}

TEST(ApiTest, BadgeAnswersAllowAnyOriginByDefault) {
  TestServer server;
  const std::vector<std::pair<std::string, std::string>> origin = {
      {"Origin", "https://shop.example"}};
  for (const char* target :
       {"/v1/sellers/9/badge", "/v1/sellers/9/badge.svg", "/v1/badges?seller_ids=9,7"}) {
    SCOPED_TRACE(target);
    const Response ok = server.get(target, origin);
    EXPECT_EQ(ok.status, 200);
    EXPECT_EQ(ok.get("Access-Control-Allow-Origin"), "*");
    const Response cached = server.get(target, {{"If-None-Match", ok.get("ETag")}});
    EXPECT_EQ(cached.status, 304);
    EXPECT_EQ(cached.get("Access-Control-Allow-Origin"), "*");
  }
  // Errors too, so that the storefront's script can read them.
  EXPECT_EQ(server.get("/v1/sellers/404/badge").get("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(server.get("/v1/sellers/x/badge.svg").get("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(server.get("/v1/badges").get("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(server.get("/v1/badges", {}, "POST").get("Access-Control-Allow-Origin"), "*");
}

TEST(ApiTest, OperatorAndOtherAnswersAllowNoOtherOrigin) {
  TestServer server(withToken("t"));
  const std::vector<std::pair<std::string, std::string>> request = {
      {"Origin", "https://shop.example"}, {"Authorization", "Bearer t"}};
  for (const char* target :
       {"/v1/sellers/7", "/v1/sellers/7/history", "/v1/warnings", "/v1/products/100", "/v1/status",
        "/v1/openapi.json", "/livez", "/readyz", "/metrics", "/v1/nothing"}) {
    SCOPED_TRACE(target);
    const Response r = server.get(target, request);
    EXPECT_NE(r.status, 0);
    EXPECT_FALSE(r.header.has("Access-Control-Allow-Origin"));
    EXPECT_FALSE(server.get(target).header.has("Access-Control-Allow-Origin"));
  }
}

TEST(ApiTest, CorsAllowOriginComesFromOptions) {
  ApiOptions options;
  options.corsAllowOrigin = "https://shop.example";
  TestServer server(options);
  EXPECT_EQ(server.get("/v1/sellers/9/badge").get("Access-Control-Allow-Origin"),
            "https://shop.example");
  EXPECT_EQ(server.get("/v1/sellers/9/badge", {}, "OPTIONS").get("Access-Control-Allow-Origin"),
            "https://shop.example");
}

TEST(ApiTest, PreflightOnBadgeEndpointsIs204AndKeepsTheConnection) {
  TestServer server;
  for (const char* target : {"/v1/sellers/9/badge", "/v1/sellers/9/badge.svg", "/v1/badges"}) {
    SCOPED_TRACE(target);
    const auto session = server.session();
    const Response r = TestServer::send(*session, "OPTIONS", target,
                                        {{"Origin", "https://shop.example"},
                                         {"Access-Control-Request-Method", "GET"},
                                         {"Access-Control-Request-Headers", "if-none-match"}});
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(r.body, "");
    EXPECT_FALSE(r.header.has("Content-Type"));
    EXPECT_FALSE(r.header.has("Content-Length"));
    EXPECT_EQ(r.get("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(r.get("Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(r.get("Access-Control-Allow-Headers"), "If-None-Match");
    EXPECT_EQ(r.get("Access-Control-Max-Age"), "86400");
    EXPECT_EQ(r.get("Allow"), "GET, HEAD, OPTIONS");
    // The request it announces follows on the same connection.
    EXPECT_EQ(TestServer::send(*session, "GET", "/v1/sellers/9/badge").status, 200);
  }
  // The preflight does not look at the id: the request it announces will.
  EXPECT_EQ(server.get("/v1/sellers/abc/badge", {}, "OPTIONS").status, 204);
  EXPECT_NE(
      server.scrape().find(R"(sellertrust_http_requests_total{code="204",route="/v1/badges"} 1)"),
      std::string::npos);
}

TEST(ApiTest, EmptyCorsAllowOriginDisablesCors) {
  ApiOptions options;
  options.corsAllowOrigin = "";
  TestServer server(options);
  for (const char* target :
       {"/v1/sellers/9/badge", "/v1/sellers/9/badge.svg", "/v1/badges?seller_ids=9"}) {
    SCOPED_TRACE(target);
    const Response ok = server.get(target, {{"Origin", "https://shop.example"}});
    EXPECT_EQ(ok.status, 200);
    EXPECT_FALSE(ok.header.has("Access-Control-Allow-Origin"));
    const Response preflight = server.get(target, {{"Origin", "https://shop.example"}}, "OPTIONS");
    EXPECT_EQ(preflight.status, 405);
    EXPECT_EQ(preflight.get("Allow"), "GET, HEAD");
    EXPECT_FALSE(preflight.header.has("Access-Control-Allow-Origin"));
    EXPECT_FALSE(preflight.header.has("Access-Control-Allow-Methods"));
  }
}

TEST(ApiTest, OpenApiDocumentIsDocsOpenapiJsonAsBuilt) {
  TestServer server;
  const Response r = server.get("/v1/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header.getContentType(), "application/json");
  EXPECT_EQ(r.get("Cache-Control"), "no-cache");
  std::ifstream file(SELLERTRUST_SOURCE_DIR "/docs/openapi.json", std::ios::binary);
  ASSERT_TRUE(file) << "cannot read docs/openapi.json";
  const std::string source((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
  EXPECT_EQ(r.body, source);
  EXPECT_EQ(r.body, std::string(openApiDocument()));
  EXPECT_EQ(r.json()->getValue<std::string>("openapi").substr(0, 4), "3.0.");
  const Response cached = server.get("/v1/openapi.json", {{"If-None-Match", r.get("ETag")}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_EQ(cached.body, "");
}

// Each path of the document is a route of the API (the other direction is
// the end-to-end test's: every answer is described by the document).
TEST(ApiTest, EveryDocumentedPathIsServed) {
  TestServer server;
  Poco::JSON::Parser parser;
  const Object::Ptr paths =
      parser.parse(std::string(openApiDocument())).extract<Object::Ptr>()->getObject("paths");
  std::vector<std::string> names;
  paths->getNames(names);
  EXPECT_EQ(names.size(), 13u);
  for (const std::string& path : names) {
    SCOPED_TRACE(path);
    std::string target = path;
    const std::size_t id = target.find("{id}");
    if (id != std::string::npos) target.replace(id, 4, "7");
    const Response r = server.get(target);
    EXPECT_EQ(r.body.find("no such endpoint"), std::string::npos) << r.body;
    EXPECT_TRUE(r.status == 200 || r.status == 400 || r.status == 404) << r.status;
  }
}

// The stress test for the TSan preset (and a check everywhere): snapshots
// are published while clients on every loop have requests in flight. Each
// answer must come whole from one snapshot: a badge's computed_at is one
// that was published, and its score is the one published with it.
TEST(ApiTest, PublishingSnapshotsWhileRequestsAreInFlightIsSafe) {
  TestServer server;
  constexpr int kPublishes = 200;
  const auto publish = [&server](int i) {
    auto snapshot = makeSnapshot();
    snapshot->computedAt = kComputedAt + i;
    SellerResult seller = *snapshot->sellers.at(9);
    seller.score = i;
    snapshot->sellers[9] = std::make_shared<const SellerResult>(seller);
    server.snapshots.publish(snapshot);
  };
  publish(0);
  std::atomic<bool> done{false};
  std::atomic<int> answers{0};
  std::atomic<int> wrong{0};
  constexpr int kClients = 4;
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int t = 0; t < kClients; ++t) {
    clients.emplace_back([&] {
      const auto session = server.session();
      while (!done.load()) {
        const Response r = TestServer::send(*session, "GET", "/v1/sellers/9/badge");
        const Object::Ptr badge = r.json();
        const Timestamp at = *parseUtc(badge->getValue<std::string>("computed_at"));
        // Publish i carries computedAt kComputedAt + i and seller 9's score i.
        const double expected = static_cast<double>(at - kComputedAt);
        if (r.status != 200 || badge->getValue<double>("score") != expected) ++wrong;
        ++answers;
        TestServer::send(*session, "GET", "/v1/warnings?limit=3");
      }
    });
  }
  for (int i = 1; i < kPublishes; ++i) {
    publish(i);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  while (answers.load() < 100) std::this_thread::yield();
  done = true;
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace sellertrust
