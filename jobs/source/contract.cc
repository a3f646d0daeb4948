#include "jobs/source/contract.h"

#include <algorithm>

#include "jobs/source/definition.h"

namespace sellertrust::source {
namespace {

// Whether an index of `table` begins with `columns` (and so serves their
// ranges).
bool indexedOn(const SourceSchema::Table& table, const std::vector<std::string>& columns) {
  return std::any_of(table.indexes.begin(), table.indexes.end(), [&](const auto& index) {
    const std::vector<std::string>& have = index.second;
    return have.size() >= columns.size() &&
           std::equal(columns.begin(), columns.end(), have.begin());
  });
}

}  // namespace

ContractReport checkContract(const SourceSchema& schema) {
  ContractReport report;
  for (const TableDef& contract : tables()) {
    auto found = schema.tables.find(contract.name);
    if (found == schema.tables.end()) {
      report.problems.push_back("table " + contract.name + ": missing");
      continue;
    }
    const auto& have = found->second.columns;
    for (const ColumnDef& column : contract.columns) {
      auto it = have.find(column.name);
      if (it == have.end()) {
        report.problems.push_back("table " + contract.name + ": missing column " + column.name);
      } else if (schema.typed && isTime(column.type) && it->second != "datetime" &&
                 it->second != "timestamp") {
        report.problems.push_back("table " + contract.name + ": column " + column.name + " is " +
                                  it->second + ", not DATETIME");
      }
    }
  }
  for (const std::string& name : tablesWithoutUniqueKey(schema)) {
    report.notes.push_back("table " + name + ": " + table(name).key +
                           " is not declared unique (a view, or no primary key): every run "
                           "looks for keys that appear twice");
  }
  for (const IndexDef& need : indexes()) {
    auto found = schema.tables.find(need.table);
    if (found == schema.tables.end()) continue;  // reported above
    std::string list;
    for (const std::string& c : need.columns) list += (list.empty() ? "" : ", ") + c;
    if (found->second.view) {
      report.notes.push_back("table " + need.table +
                             " is a view: its base table needs an index on (" + list + "), for " +
                             need.why + " (not checked)");
      continue;
    }
    if (!indexedOn(found->second, need.columns)) {
      report.problems.push_back("table " + need.table + ": missing index on (" + list +
                                "), needed by " + need.why);
    }
  }
  return report;
}

std::set<std::string> tablesWithoutUniqueKey(const SourceSchema& schema) {
  std::set<std::string> out;
  for (const TableDef& t : tables()) {
    if (t.name == "sellers") continue;  // read into a map: a repeat changes nothing
    auto found = schema.tables.find(t.name);
    if (found == schema.tables.end()) continue;  // the read fails on it anyway
    const SourceSchema::Table& have = found->second;
    const bool keyed =
        !have.view && std::any_of(have.unique.begin(), have.unique.end(), [&](const auto& name) {
          auto index = have.indexes.find(name);
          return index != have.indexes.end() && index->second == std::vector<std::string>{t.key};
        });
    if (!keyed) out.insert(t.name);
  }
  return out;
}

bool windowIndexed(const SourceSchema& schema) {
  auto orders = schema.tables.find("orders");
  return orders != schema.tables.end() && !orders->second.view &&
         indexedOn(orders->second, {"ordered_at"});
}

std::set<std::string> tablesKeyedByRowid(const SourceSchema& schema) {
  std::set<std::string> out;
  for (const TableDef& t : tables()) {
    auto found = schema.tables.find(t.name);
    if (found == schema.tables.end()) continue;
    auto rowid = found->second.indexes.find("(rowid)");
    if (rowid != found->second.indexes.end() && rowid->second == std::vector<std::string>{t.key}) {
      out.insert(t.name);
    }
  }
  return out;
}

}  // namespace sellertrust::source
