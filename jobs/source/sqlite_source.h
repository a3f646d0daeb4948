// SqliteSource reads the SPEC §1 source tables from an embedded SQLite file
// (times as TEXT "YYYY-MM-DD HH:MM:SS" UTC, booleans 0/1, enums by name):
// the queries generated from the one definition aggregate in the database,
// and the shared reader (source_reader.h) assembles the run's data.
// createSourceSchema() creates those tables for the demo and the tests.
// Each call opens its own read-only connections, so read() and probe() may
// run from different threads at the same time; read() itself is meant for
// one job thread at a time (it may read on several connections side by
// side: source::ReadSettings::sessions).
#pragma once

#include <Poco/Data/Session.h>

#include <cstdint>
#include <memory>
#include <string>

#include "jobs/source/source.h"
#include "jobs/source/source_reader.h"

namespace sellertrust {

// Creates the SPEC §1 tables (from the one definition) and the indexes the
// queries rely on in an empty database. Throws Poco::Data exceptions (the
// caller owns the session).
void createSourceSchema(Poco::Data::Session& session);

// A read-only session on the SQLite file at `path`; a query stops when
// `cancel` (if not null) is cancelled. Throws SourceError.
std::unique_ptr<source::SqlSession> openSqliteSession(const std::string& path,
                                                      const CancelToken* cancel);

class SqliteSource : public Source {
 public:
  // `path` is the SQLite file; it is opened read-only (by as many
  // connections as settings.sessions) and never created.
  explicit SqliteSource(std::string path, source::ReadSettings settings = {});

  // Reads in read transactions, one per connection, each begun after the
  // watermark was read. Throws SourceError, RunCancelled (also
  // in the middle of a long query) and std::invalid_argument for invalid
  // rules.
  using Source::read;
  SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                  const ChangeScope* changes, const CarriedState* buckets) override;
  // The file exists, is an SQLite database and holds every table.
  void probe() override;
  // From sqlite_master and the table_info / index_list pragmas
  // (source/contract.h); an INTEGER PRIMARY KEY counts as an index.
  ContractReport checkContract() override;

 private:
  // Throws SourceError unless the file exists (SQLite would create it).
  void requireFile() const;

  const std::string path_;
  const source::ReadSettings settings_;
};

}  // namespace sellertrust
