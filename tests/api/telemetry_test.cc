// Telemetry: the series SPEC §5 names, with the values the recorders set,
// and a scrape that promtool accepts.
#include "daemon/telemetry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace sellertrust {
namespace {

// The value of the sample whose name and labels are exactly `series` (e.g.
// `sellertrust_sellers{badge="new"}`), or nullopt if it is absent.
std::optional<double> sample(const std::string& scrape, const std::string& series) {
  std::istringstream lines(scrape);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

Warning warning(std::int64_t id, const std::string& code, Severity severity) {
  Warning w;
  w.id = id;
  w.firing.code = code;
  w.firing.severity = severity;
  w.firing.sellerId = 7;
  return w;
}

Snapshot snapshotWith(std::vector<Warning> warnings) {
  Snapshot s;
  s.computedAt = 1772366400;
  s.rulesVersion = "1.aaaa0000";
  for (auto [id, badge] : {std::pair{1, Badge::kTop}, {2, Badge::kGood}, {3, Badge::kGood}}) {
    SellerResult seller;
    seller.sellerId = id;
    seller.badge = badge;
    s.sellers[id] = std::make_shared<const SellerResult>(seller);
  }
  s.marketplaceOdr = 0.0125;
  for (Warning& w : warnings) s.warnings.add(std::make_shared<const Warning>(std::move(w)));
  return s;
}

TEST(TelemetryTest, BuildInfoSourceUpAndEveryBadgeFromTheStart) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.aaaa0000");
  const std::string s = t.scrape();
  EXPECT_EQ(
      sample(
          s,
          R"(sellertrust_build_info{revision="v0.1.0-5-gabc",rules_version="1.aaaa0000",version="1.2.3"})"),
      1);
  EXPECT_EQ(sample(s, "sellertrust_source_up"), 0);
  for (const char* badge : {"new", "top", "good", "fair", "at_risk"}) {
    EXPECT_EQ(sample(s, std::string(R"(sellertrust_sellers{badge=")") + badge + "\"}"), 0) << badge;
  }
  t.setSourceUp(true);
  EXPECT_EQ(sample(t.scrape(), "sellertrust_source_up"), 1);
}

TEST(TelemetryTest, JobRunsCountFailuresDurationAndLastSuccess) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  t.recordJobRun("score", true, 1.5, 1772366400);
  std::string s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_job_runs_total{task="score"})"), 1);
  EXPECT_EQ(sample(s, R"(sellertrust_job_failures_total{task="score"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_job_last_success_timestamp_seconds{task="score"})"),
            1772366400);

  t.recordJobRun("score", false, 700, 1772370000);
  s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_job_runs_total{task="score"})"), 2);
  EXPECT_EQ(sample(s, R"(sellertrust_job_failures_total{task="score"})"), 1);
  // A failure leaves the last success where it was.
  EXPECT_EQ(sample(s, R"(sellertrust_job_last_success_timestamp_seconds{task="score"})"),
            1772366400);
  EXPECT_EQ(sample(s, R"(sellertrust_job_duration_seconds_count{task="score"})"), 2);
  EXPECT_EQ(sample(s, R"(sellertrust_job_duration_seconds_sum{task="score"})"), 701.5);
  EXPECT_EQ(sample(s, R"(sellertrust_job_duration_seconds_bucket{task="score",le="0.01"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_job_duration_seconds_bucket{task="score",le="600"})"), 1);
  EXPECT_EQ(sample(s, R"(sellertrust_job_duration_seconds_bucket{task="score",le="+Inf"})"), 2);
}

TEST(TelemetryTest, RowsReadAndSkippedByTable) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  t.recordRowsRead({{"orders", 1000}, {"tickets", 40}});
  t.recordRowsRead({{"orders", 5}});
  t.recordRowsSkipped(
      {{"orders", 17, "delivered_at is before ordered_at", "delivered_at is before ordered_at"},
       {"orders", 18, "unknown cancelled_by 'x'", "unknown cancelled_by"},
       {"orders", 19, "unknown cancelled_by 'y'", "unknown cancelled_by"},
       {"ratings", 0, "1500 more rows with problems", "unlisted", 1500}});
  std::string s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_rows_read_total{table="orders"})"), 1005);
  EXPECT_EQ(sample(s, R"(sellertrust_rows_read_total{table="tickets"})"), 40);
  EXPECT_EQ(sample(s, R"(sellertrust_rows_skipped{reason="unknown cancelled_by",table="orders"})"),
            2);
  EXPECT_EQ(sample(s, R"(sellertrust_rows_skipped{reason="unlisted",table="ratings"})"), 1500);
  // The row key and value go to the log, never into a label.
  EXPECT_EQ(s.find("'x'"), std::string::npos);
  // The next full run replaces the counts: the same bad rows are not
  // counted twice, and a fixed problem drops to 0.
  t.recordRowsSkipped({{"orders", 18, "unknown cancelled_by 'x'", "unknown cancelled_by"}});
  s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_rows_skipped{reason="unknown cancelled_by",table="orders"})"),
            1);
  EXPECT_EQ(sample(s, R"(sellertrust_rows_skipped{reason="unlisted",table="ratings"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_rows_skipped{reason="delivered_at is before ordered_at",)"
                      R"(table="orders"})"),
            0);
}

TEST(TelemetryTest, ResultsUpAndWriterStartAtZero) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  EXPECT_EQ(sample(t.scrape(), "sellertrust_results_up"), 0);
  EXPECT_EQ(sample(t.scrape(), "sellertrust_writer"), 0);
  t.setResultsUp(true);
  t.setWriter(true);
  EXPECT_EQ(sample(t.scrape(), "sellertrust_results_up"), 1);
  EXPECT_EQ(sample(t.scrape(), "sellertrust_writer"), 1);
}

// Both reasons exist from the start (rate() and increase() need a series
// to start from); the gauge says whether the last run was refused.
TEST(TelemetryTest, RefusedScoreRunsByReasonUntilOneIsPublished) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  std::string s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_score_runs_refused_total{reason="sellers"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_score_runs_refused_total{reason="window_orders"})"), 0);
  EXPECT_EQ(sample(s, "sellertrust_score_refused"), 0);
  t.recordScoreRefused("window_orders");
  t.recordScoreRefused("window_orders");
  s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_score_runs_refused_total{reason="sellers"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_score_runs_refused_total{reason="window_orders"})"), 2);
  EXPECT_EQ(sample(s, "sellertrust_score_refused"), 1);
  t.recordScoreRun(RunKind::kFull, 3, std::nullopt);
  s = t.scrape();
  EXPECT_EQ(sample(s, "sellertrust_score_refused"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_score_runs_refused_total{reason="window_orders"})"), 2);
}

TEST(TelemetryTest, PublishSnapshotSetsBadgesWarningsOdrAndTimestamp) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.aaaa0000");
  t.publishSnapshot(snapshotWith({warning(1, "account_review", Severity::kCritical),
                                  warning(2, "claim_rate_off_target", Severity::kInfo),
                                  warning(3, "claim_rate_off_target", Severity::kInfo)}));
  std::string s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_sellers{badge="top"})"), 1);
  EXPECT_EQ(sample(s, R"(sellertrust_sellers{badge="good"})"), 2);
  EXPECT_EQ(sample(s, R"(sellertrust_sellers{badge="fair"})"), 0);
  EXPECT_EQ(sample(s, R"(sellertrust_warnings_active{code="account_review",severity="critical"})"),
            1);
  EXPECT_EQ(
      sample(s, R"(sellertrust_warnings_active{code="claim_rate_off_target",severity="info"})"), 2);
  EXPECT_EQ(sample(s, "sellertrust_marketplace_order_defect_rate"), 0.0125);
  EXPECT_EQ(sample(s, "sellertrust_snapshot_timestamp_seconds"), 1772366400);

  // A code that is no longer active drops to 0 rather than keeping its count.
  Snapshot next = snapshotWith({warning(2, "claim_rate_off_target", Severity::kInfo)});
  next.sellers.erase(1);
  next.marketplaceOdr.reset();
  t.publishSnapshot(next);
  s = t.scrape();
  EXPECT_EQ(sample(s, R"(sellertrust_warnings_active{code="account_review",severity="critical"})"),
            0);
  EXPECT_EQ(
      sample(s, R"(sellertrust_warnings_active{code="claim_rate_off_target",severity="info"})"), 1);
  EXPECT_EQ(sample(s, R"(sellertrust_sellers{badge="top"})"), 0);
  EXPECT_FALSE(sample(s, "sellertrust_marketplace_order_defect_rate").has_value());
}

TEST(TelemetryTest, NewRulesVersionReplacesBuildInfoSeries) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.aaaa0000");
  Snapshot s = snapshotWith({});
  s.rulesVersion = "1.bbbb1111";
  t.publishSnapshot(s);
  const std::string text = t.scrape();
  EXPECT_EQ(
      sample(
          text,
          R"(sellertrust_build_info{revision="v0.1.0-5-gabc",rules_version="1.bbbb1111",version="1.2.3"})"),
      1);
  EXPECT_EQ(text.find("1.aaaa0000"), std::string::npos);
}

TEST(TelemetryTest, HttpRequestsByRouteAndCode) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  t.recordHttp("/v1/sellers/{id}/badge", 200, 0.0002);
  t.recordHttp("/v1/sellers/{id}/badge", 200, 0.0004);
  t.recordHttp("/v1/sellers/{id}/badge", 404, 0.3);
  const std::string s = t.scrape();
  EXPECT_EQ(
      sample(s, R"(sellertrust_http_requests_total{code="200",route="/v1/sellers/{id}/badge"})"),
      2);
  EXPECT_EQ(
      sample(s, R"(sellertrust_http_requests_total{code="404",route="/v1/sellers/{id}/badge"})"),
      1);
  EXPECT_EQ(
      sample(s,
             R"(sellertrust_http_request_duration_seconds_count{route="/v1/sellers/{id}/badge"})"),
      3);
  EXPECT_EQ(
      sample(
          s,
          R"(sellertrust_http_request_duration_seconds_bucket{route="/v1/sellers/{id}/badge",le="0.00025"})"),
      1);
  EXPECT_EQ(
      sample(
          s,
          R"(sellertrust_http_request_duration_seconds_bucket{route="/v1/sellers/{id}/badge",le="0.001"})"),
      2);
}

TEST(TelemetryTest, ProcessMetricsComeFromProcSelf) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  const std::string s = t.scrape();
  for (const char* name :
       {"process_cpu_seconds_total", "process_resident_memory_bytes",
        "process_virtual_memory_bytes", "process_open_fds", "process_start_time_seconds"}) {
    EXPECT_NE(s.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
    EXPECT_NE(s.find(std::string("# HELP ") + name + " "), std::string::npos) << name;
    EXPECT_TRUE(sample(s, name).has_value()) << name;
  }
  EXPECT_GT(*sample(s, "process_resident_memory_bytes"), 1e5);
  EXPECT_GE(*sample(s, "process_open_fds"), 3);
  const double start = *sample(s, "process_start_time_seconds");
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 24 * 3600);  // a test process is young
}

TEST(TelemetryTest, NoReservedOrIdentifyingLabels) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  t.recordJobRun("score", true, 1, 1);
  t.recordHttp("other", 404, 0.001);
  t.publishSnapshot(snapshotWith({warning(1, "product_delist", Severity::kCritical)}));
  const std::string s = t.scrape();
  for (const char* label : {"job=", "instance=", "seller", "product_id="}) {
    EXPECT_EQ(s.find(std::string("{") + label), std::string::npos) << label;
    EXPECT_EQ(s.find(std::string(",") + label), std::string::npos) << label;
  }
}

TEST(TelemetryTest, ScrapePassesPromtool) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  t.recordJobRun("score", true, 1.5, 1772366400);
  t.recordJobRun("history", false, 0.02, 1772366400);
  t.recordRowsRead({{"orders", 10}});
  t.recordRowsSkipped({{"orders", 1, "bad 'v'", "bad"}});
  t.setSourceUp(true);
  t.recordScoreRefused("sellers");
  t.publishSnapshot(snapshotWith({warning(1, "slow_responses", Severity::kWarning)}));
  t.recordHttp("/v1/sellers/{id}/badge", 200, 0.0002);
  t.recordHttp("other", 404, 0.0001);
  const std::string text = t.scrape();

  const char* promtool = "/usr/bin/promtool";
  if (access(promtool, X_OK) != 0) GTEST_SKIP() << "promtool is not installed";
  char path[] = "/tmp/promtool-out-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string command = std::string(promtool) + " check metrics > " + path + " 2>&1";
  std::signal(SIGPIPE, SIG_IGN);  // promtool may stop reading early on a bad line
  FILE* pipe = popen(command.c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  fwrite(text.data(), 1, text.size(), pipe);
  const int status = pclose(pipe);
  std::ifstream in(path);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path);
  EXPECT_EQ(status, 0) << output << "\n--- scrape ---\n" << text;
  EXPECT_EQ(output, "") << output;
}

TEST(TelemetryTest, ConcurrentRecordingAndScraping) {
  Telemetry t("1.2.3", "v0.1.0-5-gabc", "1.x");
  std::vector<std::thread> threads;
  threads.reserve(6);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&t, i] {
      for (int n = 0; n < 2000; ++n) {
        t.recordHttp(i % 2 == 0 ? "/livez" : "/readyz", n % 3 == 0 ? 503 : 200, 0.0001);
      }
    });
  }
  threads.emplace_back([&t] {
    for (int n = 0; n < 50; ++n) {
      t.publishSnapshot(snapshotWith({warning(n, "c" + std::to_string(n % 5), Severity::kInfo)}));
    }
  });
  threads.emplace_back([&t] {
    for (int n = 0; n < 50; ++n) t.scrape();
  });
  for (std::thread& th : threads) th.join();
  const std::string s = t.scrape();
  EXPECT_EQ(*sample(s, R"(sellertrust_http_request_duration_seconds_count{route="/livez"})") +
                *sample(s, R"(sellertrust_http_request_duration_seconds_count{route="/readyz"})"),
            8000);
}

}  // namespace
}  // namespace sellertrust
