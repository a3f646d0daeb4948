// The read-only HTTP API of SPEC §4 (and /metrics) as a Poco request-handler
// factory. Every request is answered from the current snapshot: no request
// runs SQL. The factory and its handlers are called from Poco's server
// threads concurrently.
#pragma once

#include <functional>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "daemon/telemetry.h"
#include "jobs/snapshot.h"

namespace sellertrust {

struct ApiOptions {
  int badgeMaxAgeSeconds = 60;   // Cache-Control max-age of badge responses
  std::string operatorToken;     // empty: operator endpoints are open
  int staleAfterSeconds = 3600;  // /readyz fails when the snapshot is older
  bool serveMetrics = true;      // also answer GET /metrics on this listener
  bool serveApi = true;          // false: only /metrics, /livez, /readyz (admin port)
};

struct ApiContext {
  const SnapshotHolder* snapshots = nullptr;
  Telemetry* telemetry = nullptr;
  // Returns the body of GET /v1/status (version, jobs, database, role...).
  std::function<std::string()> statusJson;
  // The wall clock, in seconds since the epoch (a test may fix it).
  std::function<Timestamp()> now;
};

// Creates the factory for one listener. The context's pointers must outlive
// the HTTP server.
Poco::Net::HTTPRequestHandlerFactory* makeApiHandlerFactory(const ApiContext& context,
                                                            const ApiOptions& options);

}  // namespace sellertrust
