// Prometheus metrics of SPEC §5 on a prometheus-cpp registry, serialised by
// the Poco HTTP server (no civetweb Exposer). No seller or product id is ever
// a label. Every method is safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jobs/score_job.h"
#include "jobs/snapshot.h"
#include "sellertrust/records.h"

namespace sellertrust {

class Telemetry {
 public:
  // `version`: the build version for sellertrust_build_info.
  // `revision`: the git revision of the build (build_info's label).
  Telemetry(const std::string& version, const std::string& revision,
            const std::string& rulesVersion);
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // sellertrust_job_runs_total, _failures_total, _duration_seconds,
  // _last_success_timestamp_seconds, all labelled {task}.
  void recordJobRun(const std::string& task, bool success, double seconds, double finishedAt);
  // sellertrust_rows_read_total{table}.
  void recordRowsRead(const std::map<std::string, std::int64_t>& rowsByTable);
  // sellertrust_rows_skipped{table,reason}: the bad source rows of a full
  // run (an incremental one sees only the sellers it reads), replacing the
  // previous run's counts; a reason no longer seen drops to 0.
  void recordRowsSkipped(const std::vector<RowProblem>& problems);
  // sellertrust_score_runs_total{kind} ("full", "incremental"),
  // sellertrust_score_refused = 0, sellertrust_score_sellers_recomputed
  // (the last run's) and
  // sellertrust_source_watermark_lag_seconds (from the latest source change
  // the last run saw to its now; absent until a run saw one).
  void recordScoreRun(RunKind kind, std::int64_t sellersRecomputed,
                      std::optional<double> watermarkLagSeconds);
  // sellertrust_score_runs_refused_total{reason} (a kShrinkReasons entry)
  // and sellertrust_score_refused = 1: a score run was refused for a
  // vanishing source; the next published run (recordScoreRun) sets it to 0.
  void recordScoreRefused(const std::string& reason);
  // sellertrust_source_up (1/0): the last read of the source worked (not
  // merely a connection: see daemon/reachability.h).
  void setSourceUp(bool up);
  // sellertrust_results_up (1/0): the last read or write of the results
  // database worked.
  void setResultsUp(bool up);
  // sellertrust_config_reloads_total{result} ("ok", "failed") and
  // sellertrust_config_last_reload_successful (1/0; 1 before any reload).
  void recordConfigReload(bool ok);
  // sellertrust_writer (1/0): this daemon holds the results database's
  // writer lock (the others serve what it writes).
  void setWriter(bool writer);
  // sellertrust_sellers{badge}, sellertrust_warnings_active{code,severity},
  // sellertrust_marketplace_order_defect_rate, sellertrust_snapshot_timestamp_seconds.
  void publishSnapshot(const Snapshot& snapshot);
  // sellertrust_http_requests_total{route,code},
  // sellertrust_http_request_duration_seconds{route}; `route` is the
  // endpoint's pattern (e.g. "/v1/sellers/{id}/badge"), never a raw path.
  void recordHttp(const std::string& route, int code, double seconds);
  // sellertrust_http_connections (open now) and
  // sellertrust_http_connections_closed_total{reason}.
  void recordHttpConnectionOpened();
  void recordHttpConnectionClosed(const std::string& reason);
  // The registry plus process metrics (process_cpu_seconds_total,
  // process_resident_memory_bytes, process_open_fds,
  // process_start_time_seconds) in the Prometheus text format 0.0.4.
  std::string scrape() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sellertrust
