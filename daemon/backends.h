// Opens the source and results backends the configuration names, so the
// rest of the daemon only sees Source and ResultStore. Called once at
// start-up from the main thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config.h"
#include "jobs/result_store.h"
#include "jobs/source/source.h"

namespace sellertrust {

struct Backends {
  std::unique_ptr<Source> source;
  std::unique_ptr<ResultStore> results;
  // Problems of the source contract (missing tables, columns, indexes), each
  // named; empty when the source is as SPEC §1 requires.
  std::function<std::vector<std::string>()> checkSourceContract;
  std::string description;  // e.g. "source mysql 10.0.0.5:3306/shop, results sqlite ..."
};

// Constructs the backends (no connection is opened yet for MySQL).
Backends openBackends(const DaemonConfig& config);

}  // namespace sellertrust
