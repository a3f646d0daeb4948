// The check of a source database against the contract of SPEC §1 and what
// the generated queries need: every table and column of the one definition
// (definition.h), time columns typed as times where the engine types
// columns, and every index of source::indexes(). Each backend reads its
// catalogue into a SourceSchema; the judgement is made once, here. Pure.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "jobs/source/source.h"

namespace sellertrust::source {

struct SourceSchema {
  struct Table {
    bool view = false;
    std::map<std::string, std::string> columns;  // lower-case name -> lower-case type
    // Index name -> its columns in order; the primary key too.
    std::map<std::string, std::vector<std::string>> indexes;
    // The names of the indexes that are unique (the primary key's too).
    std::set<std::string> unique;
  };
  std::map<std::string, Table> tables;  // lower-case name
  // The engine enforces column types (MySQL): time columns must be DATETIME
  // or TIMESTAMP. SQLite's declared types are only affinities.
  bool typed = false;
};

ContractReport checkContract(const SourceSchema& schema);

// The tables whose rows a run reads by key (every one but sellers) that may
// hold a key twice: views, and tables without a unique index on exactly
// their key. A run looks for duplicate keys in these (source_reader.h).
std::set<std::string> tablesWithoutUniqueKey(const SourceSchema& schema);

// Whether orders is a table with an index that begins with ordered_at: a
// range of the window, or its first few orders from a time, reads only
// those (a view's base tables are not checked: false).
bool windowIndexed(const SourceSchema& schema);

// The tables whose key can hold no NULL: SQLite tables whose key is their
// INTEGER PRIMARY KEY (the rowid).
std::set<std::string> tablesKeyedByRowid(const SourceSchema& schema);

}  // namespace sellertrust::source
