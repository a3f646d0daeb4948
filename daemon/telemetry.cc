// Telemetry on a prometheus-cpp registry, plus process metrics read from
// /proc/self at scrape time (prometheus-cpp core has no process collector).
// prometheus-cpp families and metrics are thread-safe on their own; the
// mutex here guards only our bookkeeping of series that must be reset or
// looked up without re-creating them.
#include "daemon/telemetry.h"

#include <dirent.h>
#include <unistd.h>
#include <chrono>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace sellertrust {
namespace {

// Scheduled jobs last from a few milliseconds (an empty demo database) to
// many minutes (a large marketplace on MySQL).
const prometheus::Histogram::BucketBoundaries kJobBuckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                                             5,    10,   30,  60,   120, 300, 600};

// Requests are served from memory: most take well under a millisecond; the
// upper buckets catch lock contention or a slow client.
const prometheus::Histogram::BucketBoundaries kHttpBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

std::string formatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

void appendProcessMetric(std::string* out, const char* name, const char* type, const char* help,
                         double value) {
  *out += std::string("# HELP ") + name + " " + help + "\n";
  *out += std::string("# TYPE ") + name + " " + type + "\n";
  *out += std::string(name) + " " + formatNumber(value) + "\n";
}

// The machine's boot time in seconds since the epoch ("btime" of /proc/stat),
// or nullopt if it cannot be read.
std::optional<double> bootTime() {
  std::ifstream stat("/proc/stat");
  std::string word;
  while (stat >> word) {
    if (word == "btime") {
      double t = 0;
      if (stat >> t) return t;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// When this process started, in seconds since the epoch: from /proc when
// it can be read, else (systemd's ProcSubset=pid hides /proc/stat) the
// clock at the first call, which Telemetry's constructor makes at start-up.
double processStartTime() {
  static const double start = [] {
    std::ifstream statFile("/proc/self/stat");
    const std::string stat((std::istreambuf_iterator<char>(statFile)),
                           std::istreambuf_iterator<char>());
    const std::size_t close = stat.rfind(')');
    const std::optional<double> boot = bootTime();
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    if (close != std::string::npos && boot && ticks > 0) {
      std::istringstream fields(stat.substr(close + 1));
      std::string token;
      for (int field = 3; fields >> token; ++field) {
        if (field == 22) return *boot + std::strtod(token.c_str(), nullptr) / ticks;
      }
    }
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }();
  return start;
}

int countOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor of this very listing
}

// The process metrics of the Prometheus client conventions, from /proc/self.
// A file that cannot be read leaves its metrics out rather than reporting 0.
std::string processMetrics() {
  std::string out;
  std::string stat;
  {
    std::ifstream statFile("/proc/self/stat");
    stat.assign(std::istreambuf_iterator<char>(statFile), std::istreambuf_iterator<char>());
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields
  // are counted from the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 1));
    std::vector<std::string> f;  // f[0] is field 3 (state)
    std::string token;
    while (fields >> token) f.push_back(token);
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    // Fields are plain decimal integers; strtod cannot throw, unlike stod.
    auto field = [&](std::size_t number) { return std::strtod(f[number - 3].c_str(), nullptr); };
    if (f.size() >= 22 && ticks > 0) {
      appendProcessMetric(&out, "process_cpu_seconds_total", "counter",
                          "Total user and system CPU time spent in seconds.",
                          (field(14) + field(15)) / ticks);
      appendProcessMetric(&out, "process_virtual_memory_bytes", "gauge",
                          "Virtual memory size in bytes.", field(23));
      appendProcessMetric(&out, "process_resident_memory_bytes", "gauge",
                          "Resident memory size in bytes.", field(24) * page);
    }
  }
  appendProcessMetric(&out, "process_start_time_seconds", "gauge",
                      "Start time of the process since unix epoch in seconds.", processStartTime());
  const int fds = countOpenFds();
  if (fds >= 0) {
    appendProcessMetric(&out, "process_open_fds", "gauge", "Number of open file descriptors.", fds);
  }
  return out;
}

}  // namespace

struct Telemetry::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  prometheus::Family<prometheus::Gauge>& buildInfo =
      prometheus::BuildGauge()
          .Name("sellertrust_build_info")
          .Help(
              "Always 1; labelled with the build version, its git revision and the rules version "
              "in use.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sourceUp =
      prometheus::BuildGauge()
          .Name("sellertrust_source_up")
          .Help(
              "1 if the last read of the source database worked (a score run's read, or a "
              "probe that reads every table's columns), else 0.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& jobRuns =
      prometheus::BuildCounter()
          .Name("sellertrust_job_runs_total")
          .Help("Scheduled job runs, successful or not, by task.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& jobFailures =
      prometheus::BuildCounter()
          .Name("sellertrust_job_failures_total")
          .Help("Scheduled job runs that failed, by task.")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& jobDuration =
      prometheus::BuildHistogram()
          .Name("sellertrust_job_duration_seconds")
          .Help("Duration of scheduled job runs in seconds, by task.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& jobLastSuccess =
      prometheus::BuildGauge()
          .Name("sellertrust_job_last_success_timestamp_seconds")
          .Help("When each task last finished successfully, in seconds since the epoch.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& rowsRead =
      prometheus::BuildCounter()
          .Name("sellertrust_rows_read_total")
          .Help("Source rows read, by source table.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& rowsSkipped =
      prometheus::BuildGauge()
          .Name("sellertrust_rows_skipped")
          .Help(
              "Source rows the last full score run skipped (unknown enum values, missing or "
              "impossible values), by source table and reason.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& resultsUp =
      prometheus::BuildGauge()
          .Name("sellertrust_results_up")
          .Help("1 if the last read or write of the results database worked, else 0.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& configReloads =
      prometheus::BuildCounter()
          .Name("sellertrust_config_reloads_total")
          .Help("Configuration reloads (SIGHUP), by result (ok, failed).")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& configReloadOk =
      prometheus::BuildGauge()
          .Name("sellertrust_config_last_reload_successful")
          .Help(
              "1 if the last configuration reload worked (or none was asked for), 0 if the "
              "file was rejected and the running configuration kept.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& writer =
      prometheus::BuildGauge()
          .Name("sellertrust_writer")
          .Help(
              "1 if this daemon holds the results database's writer lock (it runs the jobs), "
              "0 if it serves the writer's results.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& scoreRuns =
      prometheus::BuildCounter()
          .Name("sellertrust_score_runs_total")
          .Help("Successful score runs, by kind (full or incremental).")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& scoreRunsRefused =
      prometheus::BuildCounter()
          .Name("sellertrust_score_runs_refused_total")
          .Help(
              "Score runs refused because the source lost more than jobs.score.max_shrink of the "
              "sellers or window orders of the previous results, by what it lost (sellers, "
              "window_orders).")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& scoreRefused =
      prometheus::BuildGauge()
          .Name("sellertrust_score_refused")
          .Help(
              "1 if the last score run was refused for a vanishing source (the previous results "
              "are served), 0 once a run is published.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sellersRecomputed =
      prometheus::BuildGauge()
          .Name("sellertrust_score_sellers_recomputed")
          .Help("Sellers the last score run read and evaluated.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& watermarkLag =
      prometheus::BuildGauge()
          .Name("sellertrust_source_watermark_lag_seconds")
          .Help(
              "Seconds from the latest source change the last score run saw (its updated_at) to "
              "the run's time.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sellers =
      prometheus::BuildGauge()
          .Name("sellertrust_sellers")
          .Help("Sellers in the current snapshot, by badge.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& warningsActive =
      prometheus::BuildGauge()
          .Name("sellertrust_warnings_active")
          .Help("Active warnings in the current snapshot, by code and severity.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& marketplaceOdr =
      prometheus::BuildGauge()
          .Name("sellertrust_marketplace_order_defect_rate")
          .Help("Window orders with a defect divided by all window orders, over every seller.")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& snapshotTimestamp =
      prometheus::BuildGauge()
          .Name("sellertrust_snapshot_timestamp_seconds")
          .Help("The computation time of the snapshot being served, in seconds since the epoch.")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& httpRequests =
      prometheus::BuildCounter()
          .Name("sellertrust_http_requests_total")
          .Help("HTTP requests answered, by route pattern and status code.")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& httpDuration =
      prometheus::BuildHistogram()
          .Name("sellertrust_http_request_duration_seconds")
          .Help("Time to answer HTTP requests in seconds, by route pattern.")
          .Register(*registry);
  prometheus::Gauge& httpConnections = prometheus::BuildGauge()
                                           .Name("sellertrust_http_connections")
                                           .Help("HTTP connections open now.")
                                           .Register(*registry)
                                           .Add({});
  prometheus::Family<prometheus::Counter>& httpConnectionsClosed =
      prometheus::BuildCounter()
          .Name("sellertrust_http_connections_closed_total")
          .Help(
              "HTTP connections closed, by reason (client_closed, done, idle_timeout, "
              "request_timeout, send_timeout, shed, over_capacity, error).")
          .Register(*registry);

  std::string version;
  std::string revision;

  std::mutex mutex;  // guards the fields below
  prometheus::Gauge* buildInfoSeries = nullptr;
  std::string rulesVersion;
  prometheus::Gauge* odrSeries = nullptr;
  // Every {code, severity} series ever published, so that a code that is no
  // longer active drops to 0 instead of keeping its last count.
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> warningSeries;
  // Every {table, reason} series of rows skipped ever published, likewise.
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> skippedSeries;
  // Hot-path caches: Family::Add would construct a histogram per call.
  std::map<std::pair<std::string, int>, prometheus::Counter*> httpCounters;
  std::map<std::string, prometheus::Histogram*> httpHistograms;

  // Sets the gauge of `family` labelled {first, second} for each key of
  // `counts`, and 0 on every series in `seen` that `counts` lacks now, so a
  // key that disappears drops to 0 instead of keeping its last value.
  // Caller holds `mutex`.
  static void setCounts(prometheus::Family<prometheus::Gauge>& family, const char* first,
                        const char* second,
                        std::map<std::pair<std::string, std::string>, prometheus::Gauge*>* seen,
                        const std::map<std::pair<std::string, std::string>, std::int64_t>& counts) {
    for (auto& [key, gauge] : *seen) {
      if (counts.count(key) == 0) gauge->Set(0);
    }
    for (const auto& [key, n] : counts) {
      prometheus::Gauge*& gauge = (*seen)[key];
      if (gauge == nullptr) gauge = &family.Add({{first, key.first}, {second, key.second}});
      gauge->Set(static_cast<double>(n));
    }
  }

  // Caller holds `mutex`.
  void setBuildInfo(const std::string& newRulesVersion) {
    if (buildInfoSeries != nullptr) buildInfo.Remove(buildInfoSeries);
    rulesVersion = newRulesVersion;
    buildInfoSeries = &buildInfo.Add(
        {{"version", version}, {"revision", revision}, {"rules_version", rulesVersion}});
    buildInfoSeries->Set(1);
  }
};

Telemetry::Telemetry(const std::string& version, const std::string& revision,
                     const std::string& rulesVersion)
    : impl_(std::make_unique<Impl>()) {
  processStartTime();  // pinned now, near the process's start
  impl_->version = version;
  impl_->revision = revision;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->setBuildInfo(rulesVersion);
  impl_->sourceUp.Add({}).Set(0);
  impl_->resultsUp.Add({}).Set(0);
  impl_->writer.Add({}).Set(0);
  impl_->configReloadOk.Add({}).Set(1);
  for (const char* reason : kShrinkReasons) impl_->scoreRunsRefused.Add({{"reason", reason}});
  impl_->scoreRefused.Add({}).Set(0);
  // Every badge is present from the start, so a dashboard sums and rates
  // over a stable set of series.
  for (int b = 0; b < 5; ++b) impl_->sellers.Add({{"badge", toString(static_cast<Badge>(b))}});
}

Telemetry::~Telemetry() = default;

void Telemetry::recordJobRun(const std::string& task, bool success, double seconds,
                             double finishedAt) {
  const prometheus::Labels labels = {{"task", task}};
  impl_->jobRuns.Add(labels).Increment();
  // Created on the first run even when it succeeds, so that rate() over
  // failures has a series to start from.
  prometheus::Counter& failures = impl_->jobFailures.Add(labels);
  if (!success) failures.Increment();
  impl_->jobDuration.Add(labels, kJobBuckets).Observe(seconds);
  if (success) impl_->jobLastSuccess.Add(labels).Set(finishedAt);
}

void Telemetry::recordRowsRead(const std::map<std::string, std::int64_t>& rowsByTable) {
  for (const auto& [table, rows] : rowsByTable) {
    impl_->rowsRead.Add({{"table", table}}).Increment(static_cast<double>(rows));
  }
}

void Telemetry::recordRowsSkipped(const std::vector<RowProblem>& problems) {
  std::map<std::pair<std::string, std::string>, std::int64_t> counts;
  for (const RowProblem& p : problems) counts[{p.table, p.reason}] += p.rows;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl::setCounts(impl_->rowsSkipped, "table", "reason", &impl_->skippedSeries, counts);
}

void Telemetry::recordScoreRun(RunKind kind, std::int64_t sellersRecomputed,
                               std::optional<double> watermarkLagSeconds) {
  // Both kinds exist from the first run, so rate() has a series for each.
  for (RunKind k : {RunKind::kFull, RunKind::kIncremental}) {
    impl_->scoreRuns.Add({{"kind", runKindName(k)}});
  }
  impl_->scoreRuns.Add({{"kind", runKindName(kind)}}).Increment();
  impl_->scoreRefused.Add({}).Set(0);
  impl_->sellersRecomputed.Add({}).Set(static_cast<double>(sellersRecomputed));
  if (watermarkLagSeconds) impl_->watermarkLag.Add({}).Set(*watermarkLagSeconds);
}

void Telemetry::recordScoreRefused(const std::string& reason) {
  impl_->scoreRunsRefused.Add({{"reason", reason}}).Increment();
  impl_->scoreRefused.Add({}).Set(1);
}

void Telemetry::setSourceUp(bool up) { impl_->sourceUp.Add({}).Set(up ? 1 : 0); }

void Telemetry::setResultsUp(bool up) { impl_->resultsUp.Add({}).Set(up ? 1 : 0); }

void Telemetry::recordConfigReload(bool ok) {
  for (const char* result : {"ok", "failed"}) impl_->configReloads.Add({{"result", result}});
  impl_->configReloads.Add({{"result", ok ? "ok" : "failed"}}).Increment();
  impl_->configReloadOk.Add({}).Set(ok ? 1 : 0);
}

void Telemetry::setWriter(bool writer) { impl_->writer.Add({}).Set(writer ? 1 : 0); }

void Telemetry::publishSnapshot(const Snapshot& snapshot) {
  const std::array<std::int64_t, 5> counts = snapshot.badgeCounts();
  std::map<std::pair<std::string, std::string>, std::int64_t> warnings;
  for (const auto& [key, n] : snapshot.warnings.counts()) {
    warnings[{key.first.str(), toString(key.second)}] += n;
  }

  std::lock_guard<std::mutex> lock(impl_->mutex);
  for (int b = 0; b < 5; ++b) {
    impl_->sellers.Add({{"badge", toString(static_cast<Badge>(b))}})
        .Set(static_cast<double>(counts[static_cast<std::size_t>(b)]));
  }
  Impl::setCounts(impl_->warningsActive, "code", "severity", &impl_->warningSeries, warnings);
  // No orders anywhere means no rate: the series disappears rather than
  // claiming a perfect 0.
  if (snapshot.marketplaceOdr) {
    if (impl_->odrSeries == nullptr) impl_->odrSeries = &impl_->marketplaceOdr.Add({});
    impl_->odrSeries->Set(*snapshot.marketplaceOdr);
  } else if (impl_->odrSeries != nullptr) {
    impl_->marketplaceOdr.Remove(impl_->odrSeries);
    impl_->odrSeries = nullptr;
  }
  impl_->snapshotTimestamp.Add({}).Set(static_cast<double>(snapshot.computedAt));
  if (!snapshot.rulesVersion.empty() && snapshot.rulesVersion != impl_->rulesVersion) {
    impl_->setBuildInfo(snapshot.rulesVersion);
  }
}

void Telemetry::recordHttp(const std::string& route, int code, double seconds) {
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* histogram = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    prometheus::Counter*& c = impl_->httpCounters[{route, code}];
    if (c == nullptr) {
      c = &impl_->httpRequests.Add({{"route", route}, {"code", std::to_string(code)}});
    }
    counter = c;
    prometheus::Histogram*& h = impl_->httpHistograms[route];
    if (h == nullptr) h = &impl_->httpDuration.Add({{"route", route}}, kHttpBuckets);
    histogram = h;
  }
  counter->Increment();
  histogram->Observe(seconds);
}

void Telemetry::recordHttpConnectionOpened() { impl_->httpConnections.Increment(); }

void Telemetry::recordHttpConnectionClosed(const std::string& reason) {
  impl_->httpConnectionsClosed.Add({{"reason", reason}}).Increment();
  impl_->httpConnections.Decrement();
}

std::string Telemetry::scrape() const {
  std::string out = prometheus::TextSerializer().Serialize(impl_->registry->Collect());
  out += processMetrics();
  return out;
}

}  // namespace sellertrust
