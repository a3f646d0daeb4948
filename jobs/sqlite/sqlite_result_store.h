// SqliteResultStore keeps the daemon's results (SPEC §6) in a SQLite file it
// owns: current seller and product results, run metadata, badge changes,
// warnings with their lifecycle, and daily history. The file runs in WAL mode
// with a busy timeout, so API processes reading it are not blocked by a run
// being written. One connection, guarded by a mutex: every method may be
// called from any thread, one call at a time.
#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "jobs/result_store.h"

namespace sellertrust {

class SqliteResultStore : public ResultStore {
 public:
  // The schema version this build writes; migrate() upgrades older files and
  // refuses newer ones.
  static constexpr int kSchemaVersion = 5;

  // Opens (creating if needed) the results file at `path`. Throws SourceError.
  explicit SqliteResultStore(const std::string& path);

  // For --check-config, creating nothing: the schema version of the file at
  // `path`, or that it will be created (its directory is writable, or can be
  // created). Throws SourceError when the file cannot serve as results: not
  // a database, a newer schema, a directory the daemon cannot write.
  static std::string inspect(const std::string& path);
  ~SqliteResultStore() override;

  SqliteResultStore(const SqliteResultStore&) = delete;
  SqliteResultStore& operator=(const SqliteResultStore&) = delete;

  void migrate() override;
  void saveRun(const RunRecord& run) override;
  std::int64_t saveHistory(Timestamp day,
                           const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
                           Timestamp pruneBefore) override;
  std::shared_ptr<Snapshot> loadSnapshot(Timestamp historySince) override;
  // An exclusive flock on "<path>.lock", taken once and held until this
  // store is destroyed: a second process on the same file (a second daemon,
  // or --run-once beside the service) is never the writer.
  bool acquireWriterLock() override;
  std::optional<Timestamp> latestRunAt() override;

  // The schema version stored in the file; 0 before the first migrate().
  int schemaVersion();

 private:
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on any error;
  // Poco errors become SourceError naming `what`.
  template <typename F>
  void inTransaction(const std::string& what, F&& body);
  // The stored schema version, creating schema_version if needed; the caller
  // holds mutex_ and handles Poco exceptions.
  int readVersion();

  const std::string path_;
  std::mutex mutex_;  // one statement sequence at a time on session_
  std::unique_ptr<Poco::Data::Session> session_;
  int lockFd_ = -1;  // the writer lock's file, once taken
};

}  // namespace sellertrust
