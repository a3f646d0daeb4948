// SqliteSource reads the SPEC §1 source tables from an embedded SQLite file
// (times as TEXT "YYYY-MM-DD HH:MM:SS" UTC, booleans 0/1, enums by name) and
// turns them into per-seller tallies, the sellers and the authenticity claims
// a scoring run needs. createSourceSchema() creates those tables for the demo
// and the tests. Each call opens its own read-only connection, so read() and
// ping() may run from different threads at the same time; read() itself is
// meant for one job thread at a time.
#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <string>

#include "jobs/source.h"

namespace sellertrust {

// Creates the SPEC §1 tables and the indexes read() relies on in an empty
// database. Throws Poco::Data exceptions (the caller owns the session).
void createSourceSchema(Poco::Data::Session& session);

class SqliteSource : public Source {
 public:
  // `path` is the SQLite file; it is opened read-only and never created.
  // `chunkOrders` bounds how many window orders (with their after-sales rows)
  // are held in memory at once.
  explicit SqliteSource(std::string path, std::int64_t chunkOrders = kDefaultChunkOrders);

  SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel) override;
  bool ping() override;

  static constexpr std::int64_t kDefaultChunkOrders = 5000;

 private:
  const std::string path_;
  const std::int64_t chunkOrders_;
};

}  // namespace sellertrust
