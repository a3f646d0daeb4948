// Loads an SQLite source (e.g. the demo marketplace) into the MariaDB of
// scripts/mariadb-test-server.sh (SELLERTRUST_MYSQL_ENV_FILE), for
// bench/full_run_bench.sh. Not a test. Usage: load_demo_mysql SOURCE.db
#include <chrono>
#include <iostream>

#include "../tests/integration/mariadb_env.h"
#include "../tests/integration/sqlite_to_mysql.h"

int main(int argc, char** argv) {
  using namespace sellertrust;
  if (argc != 2) {
    std::cerr << "usage: load_demo_mysql SOURCE.db\n";
    return 2;
  }
  std::string error;
  const std::optional<testing::MariadbEnv> env = testing::MariadbEnv::load(&error);
  if (!env) {
    std::cerr << "load_demo_mysql: " << error << "\n";
    return 1;
  }
  try {
    const auto started = std::chrono::steady_clock::now();
    MysqlConnection root(env->root());
    testing::resetSourceDb(root, *env);
    testing::makeSourceLax(root);  // the demo's deliberately unknown enum values
    std::int64_t rows = 0;
    for (const auto& [table, n] : testing::copySqliteSource(argv[1], root)) rows += n;
    std::cout << "loaded " << rows << " rows in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
  } catch (const std::exception& e) {
    std::cerr << "load_demo_mysql: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
