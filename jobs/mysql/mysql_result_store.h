// The results database on MySQL / MariaDB (SPEC §6): created and migrated by
// the daemon itself from the versioned files of etc/sql/mysql/results/
// (compiled in), written one transaction per run, shared by several daemons
// of which one at a time holds the writer lock (GET_LOCK on a connection of
// its own, released by the server when that daemon dies). A lost connection
// fails the operation and is re-opened by the next one: no silent
// reconnect. Used from one thread at a time (the scheduler's), plus
// loadSnapshot at start-up.
#pragma once

#include <memory>
#include <string>

#include "jobs/mysql/mysql_connection.h"
#include "jobs/result_store.h"

namespace sellertrust {

class MysqlResultStore : public ResultStore {
 public:
  // The schema version this build creates and understands.
  static int latestSchemaVersion();

  // `instance` names this daemon in run_meta.written_by (e.g. its host name).
  MysqlResultStore(MysqlOptions options, std::string instance);
  ~MysqlResultStore() override;

  // For --check-config, creating nothing: connects and reads the schema
  // version ("absent" before the first start). Throws SourceError with the
  // server's reason, or when the schema is newer than this build's.
  std::string inspect();

  // Applies the missing migrations under a migration lock. Throws
  // SourceError when the database's schema is newer than this build's.
  void migrate() override;
  // The schema version found in the database (0: none).
  int schemaVersion();
  void saveRun(const RunRecord& run) override;
  std::int64_t saveHistory(Timestamp day,
                           const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
                           Timestamp pruneBefore) override;
  std::shared_ptr<Snapshot> loadSnapshot(Timestamp historySince) override;
  bool acquireWriterLock() override;
  std::optional<Timestamp> latestRunAt() override;

 private:
  // The data connection, opened on first use and after a failure.
  MysqlConnection& connection();
  // Runs `body` on the data connection; any failure drops the connection
  // (the server rolls back an open transaction) and rethrows.
  template <typename F>
  auto withConnection(F&& body) -> decltype(body(std::declval<MysqlConnection&>()));

  const MysqlOptions options_;
  const std::string instance_;
  const std::string lockName_;  // per results database
  // Fails the open transaction unless this daemon still holds the writer
  // lock: a daemon whose lock connection dropped mid-run (and whose lock
  // another daemon may have taken) must not commit.
  void checkStillWriter(MysqlConnection& c);

  std::unique_ptr<MysqlConnection> connection_;
  std::unique_ptr<MysqlConnection> lockConnection_;
  std::optional<std::int64_t> lockConnectionId_;  // set while the lock is held
};

}  // namespace sellertrust
