// Copies the SPEC §1 source tables of an SQLite source file (SqliteSource's
// layout, e.g. the demo marketplace) row for row into a MariaDB source
// database, for tests that read the same rows through both backends. Every
// column is copied as SQLite holds it: NULLs stay NULL, times go in as their
// text, unknown enum strings as they are (so the target's enum columns must
// be plain strings, see makeSourceLax). Used from the test thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "jobs/mysql/mysql_connection.h"

namespace sellertrust::testing {

// Inserts every row of the seven source tables of the SQLite file at
// `sqlitePath` into the tables (or insertable views) of the same names that
// `db` uses, with multi-row INSERTs of at most `rowsPerInsert` rows. Returns
// table -> rows copied. Throws MysqlError or a Poco::Data exception.
std::map<std::string, std::int64_t> copySqliteSource(const std::string& sqlitePath,
                                                     MysqlConnection& db,
                                                     std::size_t rowsPerInsert = 4000);

}  // namespace sellertrust::testing
