// The one reader both backends share: it runs the queries generated from
// the one definition over a backend's SQL session and assembles the
// SourceData of a run (sellers, tallies, authenticity claims, problems,
// rows read). Backends only open sessions and step through rows. One
// reader per run; it may read on several sessions side by side.
#pragma once

#include <cstdint>
#include <functional>
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

inline constexpr std::int64_t kDefaultProblemKeysPerTable = 1000;

// How a source reads, as configured.
struct ReadSettings {
  // How many sessions read side by side (ReadOptions::openSession opens
  // those beyond the first). A full read deals the sellers out by id
  // (splitSellers; unless a table may repeat keys: a key may repeat across
  // sellers), an incremental one its chunks of sellers and buckets, each to
  // the next session free. Each session reads in its own snapshot, begun
  // after the watermark was read.
  int sessions = 1;
  // Bounds the bad rows listed per table.
  std::int64_t problemKeysPerTable = kDefaultProblemKeysPerTable;
  // Sellers per chunk of an incremental read: keeps the IN lists short.
  std::size_t sellersPerQuery = 1000;
  // Called after each query of a read, from the thread that ran it, with
  // what the query read (as in the read's errors), its seconds and the
  // rows it returned; unset: none. The daemon logs them at debug level.
  std::function<void(const std::string& what, double seconds, std::int64_t rows)> onQuery;
};

// How one read goes about it.
struct ReadOptions {
  ReadSettings settings;
  // The tables (tablesWithoutUniqueKey, contract.h) whose window the read
  // searches for keys that appear in more than one row: every such row is
  // skipped and reported.
  std::set<std::string> mayRepeatKeys;
  // The tables whose key cannot be NULL (KnownRows::keyNeverNull).
  std::set<std::string> keyNeverNull;
  // orders(ordered_at) is indexed (windowIndexed, contract.h): a full read
  // with no previous run to tell its largest sellers samples the window.
  bool windowIndexed = false;
  // Opens one more session on the same source; unset: one session only.
  std::function<std::unique_ptr<SqlSession>()> openSession;
};

// Reads what a run at `now` needs (Source::read). Throws SourceError (also
// when a table repeats more than kMaxRepeatedKeys keys), RunCancelled, and
// std::invalid_argument for invalid rules or a `now` the engine cannot hold.
SourceData readSource(SqlSession& session, const Dialect& dialect, Timestamp now,
                      const Rules& rules, const CancelToken& cancel, const ChangeScope* changes,
                      const CarriedState* buckets, const ReadOptions& options);

// More repeated keys than this in one table's window: not a few bad rows but
// a broken view (a join that multiplies rows); the read fails, naming it.
inline constexpr std::size_t kMaxRepeatedKeys = 10000;

// Source::probe over a backend's session: every SPEC §1 table answers its
// probeQuery. Throws SourceError naming the first table that does not.
void probeTables(SqlSession& session);

}  // namespace sellertrust::source
