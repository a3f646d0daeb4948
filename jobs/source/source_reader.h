// The one reader both backends share: it runs the queries generated from
// the one definition over a backend's SQL session and assembles the
// SourceData of a run (sellers, tallies, authenticity claims, problems,
// rows read). Backends only open the session and step through rows. One
// reader per run, on one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "jobs/source/dialect.h"
#include "jobs/source/source.h"

namespace sellertrust::source {

// The rows of one query, read in order. Columns are numbered from 0.
class SqlRows {
 public:
  virtual ~SqlRows() = default;
  // Advances to the next row; false after the last one. Throws SourceError.
  virtual bool next() = 0;
  virtual bool isNull(int column) const = 0;
  virtual std::int64_t getInt64(int column) const = 0;  // 0 for NULL
  virtual std::string getString(int column) const = 0;  // "" for NULL
};

// A connection to the source database. Every failure is a SourceError whose
// message names `what`.
class SqlSession {
 public:
  virtual ~SqlSession() = default;
  virtual void execute(const std::string& what, const std::string& sql) = 0;
  // The rows must be read to the end or destroyed before the next query.
  virtual std::unique_ptr<SqlRows> query(const std::string& what, const std::string& sql) = 0;
  // Starts and ends the one consistent read of a run.
  virtual void beginRead() = 0;
  virtual void endRead() = 0;
};

// Reads what a run at `now` needs (Source::read). `problemKeysPerTable` bounds the keys
// listed per table. In the tables `mayRepeatKeys` names
// (tablesWithoutUniqueKey, contract.h) the read looks for keys that appear
// in more than one window row: every such row is skipped and reported. Throws
// SourceError (also when a table repeats more than kMaxRepeatedKeys keys),
// RunCancelled, and std::invalid_argument for invalid rules or a `now` the
// engine cannot hold.
SourceData readSource(SqlSession& session, const Dialect& dialect, Timestamp now,
                      const Rules& rules, const CancelToken& cancel, const ChangeScope* changes,
                      std::int64_t problemKeysPerTable,
                      const std::set<std::string>& mayRepeatKeys = {});

inline constexpr std::int64_t kDefaultProblemKeysPerTable = 1000;
// More repeated keys than this in one table's window: not a few bad rows but
// a broken view (a join that multiplies rows); the read fails, naming it.
inline constexpr std::size_t kMaxRepeatedKeys = 10000;

// Source::probe over a backend's session: every SPEC §1 table answers its
// probeQuery. Throws SourceError naming the first table that does not.
void probeTables(SqlSession& session);

}  // namespace sellertrust::source
