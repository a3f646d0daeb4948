// Opens the source and results backends the configuration names, so the
// rest of the daemon only sees Source and ResultStore, and checks them for
// --check-config. Called from the main thread.
#pragma once

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
  std::string description;  // e.g. "source mysql 10.0.0.5:3306/shop, results sqlite ..."
  // ScoreJob::Options::fullReadShare for this source: beyond 1 / it of the
  // window's orders, an incremental run's read by seller costs more than
  // one pass over the window.
  std::int64_t fullReadShare = 5;
};

// Constructs the backends (no connection is opened yet for MySQL; the
// SQLite results file is opened, and created if missing).
Backends openBackends(const DaemonConfig& config);

// What --check-config finds, creating nothing: `findings` say what each
// backend is (and notes on what could not be checked); `problems` are what
// keeps the daemon from working, each with the database's own reason
// (access denied, unknown host, no such file, missing table or index, ...).
struct BackendCheck {
  std::vector<std::string> findings;
  std::vector<std::string> problems;
};
BackendCheck checkBackends(const DaemonConfig& config);

}  // namespace sellertrust
