// MysqlSource reads the SPEC §1 source tables (or the operator's views of
// the same names) from MySQL / MariaDB, the production backend. The metrics
// are aggregated by the database with the queries generated from the one
// definition (definition.h), the same that the SQLite source runs: grouped
// queries return one row per seller (plus small histograms and one row per
// bad source row), never one row per order, so a run's memory does not grow
// with the number of orders.
// Each call opens its own connections, so read(), probe() and
// checkContract() may run from different threads at the same time;
// read() itself is meant for one job thread at a time (it may read on
// several connections side by side: source::ReadSettings::sessions).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jobs/mysql/mysql_connection.h"
#include "jobs/source/contract.h"
#include "jobs/source/source.h"
#include "jobs/source/source_reader.h"

namespace sellertrust {

class MysqlSource : public Source {
 public:
  // A read uses as many connections side by side as settings.sessions.
  explicit MysqlSource(MysqlOptions options, source::ReadSettings settings = {});

  // Reads in read-only, consistent-snapshot transactions, one per
  // connection, each begun after the watermark was read. Throws
  // SourceError (a MysqlError for database failures), RunCancelled, and
  // std::invalid_argument for invalid rules or a `now` outside DATETIME.
  using Source::read;
  SourceData read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                  const ChangeScope* changes, const CarriedState* buckets) override;

  // A new connection reads every table's columns (no row), or a
  // SourceError with the server's reason (and a hint when no password was
  // given).
  void probe() override;

  // From information_schema (source/contract.h): a time column must be
  // DATETIME or TIMESTAMP; a view's indexes are its base tables' (a note).
  ContractReport checkContract() override;

 private:
  // A new connection; its failure names a missing password as the likely
  // reason when none was configured.
  std::unique_ptr<MysqlConnection> connect() const;

  const MysqlOptions options_;
  const source::ReadSettings settings_;
  // The catalogue as of the last full read.
  std::optional<source::SourceSchema> schema_;
};

}  // namespace sellertrust
