// Loads the raw rows of the shared fixtures (tests/source/raw_rows.h) into
// the test MariaDB, through an account that may write the source tables.
#pragma once

#include <string>

#include "jobs/mysql/mysql_connection.h"
#include "tests/source/raw_rows.h"

namespace sellertrust::testing {

inline void insertRows(MysqlConnection& db, const RawSource& source) {
  for (const std::string& sql : insertStatements(source)) db.execute("inserting test rows", sql);
}

}  // namespace sellertrust::testing
