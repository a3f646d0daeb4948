// The read-only HTTP API of SPEC §4 (and /metrics) as a handler for the
// HTTP server. Every request is answered from the current snapshot: no
// request runs SQL. The handler is called from the server's loops
// concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/http_server.h"
#include "daemon/telemetry.h"
#include "jobs/scheduler.h"
#include "jobs/snapshot.h"

namespace sellertrust {

struct ApiOptions {
  int badgeMaxAgeSeconds = 60;   // Cache-Control max-age of badge responses
  std::string operatorToken;     // empty: operator endpoints are open
  int staleAfterSeconds = 3600;  // /readyz fails when the snapshot is older
  bool serveMetrics = true;      // also answer GET /metrics on this listener
  bool serveApi = true;          // false: only /metrics, /livez, /readyz (admin port)
  // Access-Control-Allow-Origin of the public badge endpoints, which also
  // answer CORS preflights; empty: no CORS headers, OPTIONS is a 405.
  std::string corsAllowOrigin = "*";
};

// What the daemon reports in GET /v1/status besides the snapshot, which the
// API reads itself. The API renders it: a public summary for anyone, these
// details only for the operator.
struct DaemonStatus {
  struct ScoreRun {
    std::string kind;  // "full" or "incremental"
    std::int64_t sellersRecomputed = 0;
    std::int64_t rowsRead = 0;
  };
  std::string version;
  std::string revision;  // the git revision of the build
  std::string rulesVersion;
  std::string instance;
  bool writer = false;  // holds the results database's writer lock
  std::string sourceBackend;
  std::string resultsBackend;
  bool sourceReachable = false;  // as of the last score run
  std::optional<ScoreRun> lastScoreRun;
  std::vector<JobState> jobs;
};

struct ApiContext {
  const SnapshotHolder* snapshots = nullptr;
  Telemetry* telemetry = nullptr;
  // The daemon's state for GET /v1/status, gathered when it is asked for.
  std::function<DaemonStatus()> status;
  // The wall clock, in seconds since the epoch (a test may fix it).
  std::function<Timestamp()> now;
};

// Creates the handler of one listener. The context's pointers must outlive
// the HTTP server.
HttpHandler makeApiHandler(const ApiContext& context, const ApiOptions& options);

}  // namespace sellertrust
