// Benchmark of MysqlSource::read on a large generated source: fills the
// test server's source database with N orders across S sellers (and about
// 0.9 N after-sales rows) using server-side INSERT ... SELECT over MariaDB's
// sequence engine, then times read() with the read-only account and prints
// its wall time, the rows it covered and the process's peak RSS.
//
// Usage: SELLERTRUST_MYSQL_ENV_FILE=DIR/env mysql_source_bench [orders [sellers]]
//        (DIR from scripts/mariadb-test-server.sh start DIR)
// Single-threaded.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "jobs/source/mysql_source.h"
#include "tests/integration/mariadb_env.h"

namespace sellertrust {
namespace {

// Orders over the 70 days before `now`: most fall in the 60-day window.
constexpr const char* kFillOrders = R"sql(
INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, shipped_at,
                    promised_at, delivered_at, cancelled_at, cancelled_by, tracking_valid,
                    fulfilled_by, amount, currency)
SELECT x.seq, x.seller, x.seller * 100 + x.seq % 7, x.t,
       x.t + INTERVAL 2 DAY,
       CASE WHEN x.r < 900 THEN x.t + INTERVAL (x.r * 173 % 259200) SECOND END,
       x.t + INTERVAL 5 DAY,
       CASE WHEN x.r < 800 THEN x.t + INTERVAL (259200 + x.r * 311 % 259200) SECOND END,
       CASE WHEN x.r >= 960 THEN x.t + INTERVAL 1 HOUR END,
       CASE WHEN x.r >= 980 THEN 'seller' WHEN x.r >= 960 THEN 'buyer' END,
       x.r % 10 < 9, IF(x.r % 7 = 0, 'operator', 'seller'), 19.99, 'EUR'
FROM (SELECT seq, TIMESTAMP'{now}' - INTERVAL (seq * 7919 % 6048000) SECOND AS t,
             seq * 104729 % 1000 AS r, 1 + CRC32(seq) % {sellers} AS seller
      FROM seq_1_to_{orders}) x)sql";

constexpr const char* kFillTickets = R"sql(
INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, opened_at,
                     first_seller_response_at, escalated_at, closed_at)
SELECT o.order_id + {offset}, o.order_id, o.seller_id, NULL,
       ELT(1 + (o.order_id + {offset}) % 9, 'not_received', 'late_delivery', 'damaged',
           'defective', 'not_as_described', 'wrong_item', 'authenticity', 'question', 'other'),
       ELT(1 + o.order_id % 7, 'open', 'escalated', 'resolved', 'withdrawn', 'refused',
           'granted_seller_funded', 'granted_operator_funded'),
       o.ordered_at + INTERVAL 3 DAY,
       IF(o.order_id % 5 = 0, NULL, o.ordered_at + INTERVAL (3 * 86400 + o.order_id % 200000) SECOND),
       IF(o.order_id % 11 = 0, o.ordered_at + INTERVAL 6 DAY, NULL),
       NULL
FROM orders o WHERE o.order_id % {modulus} = 0)sql";

constexpr const char* kFillRefunds = R"sql(
INSERT INTO refunds (refund_id, order_id, seller_id, ticket_id, created_at, amount, method, kind,
                     reason)
SELECT o.order_id, o.order_id, o.seller_id, NULL, o.ordered_at + INTERVAL 9 DAY, 5.00,
       'original_payment', 'partial', 'goodwill'
FROM orders o WHERE o.order_id % 20 = 0)sql";

constexpr const char* kFillReturns = R"sql(
INSERT INTO return_requests (return_id, order_id, seller_id, requested_at, resolved_at, resolution)
SELECT o.order_id, o.order_id, o.seller_id, o.ordered_at + INTERVAL 8 DAY,
       IF(o.order_id % 3 = 0, NULL, o.ordered_at + INTERVAL (8 * 86400 + o.order_id % 2000000) SECOND),
       IF(o.order_id % 3 = 0, NULL, 'refund')
FROM orders o WHERE o.order_id % 25 = 0)sql";

constexpr const char* kFillRatings = R"sql(
INSERT INTO ratings (rating_id, order_id, seller_id, product_id, stars, created_at)
SELECT o.order_id, o.order_id, o.seller_id, o.product_id, 1 + o.order_id % 5,
       o.ordered_at + INTERVAL 10 DAY
FROM orders o WHERE o.order_id % 3 = 0)sql";

constexpr const char* kFillChargebacks = R"sql(
INSERT INTO chargebacks (chargeback_id, order_id, seller_id, created_at, liability)
SELECT o.order_id, o.order_id, o.seller_id, o.ordered_at + INTERVAL 20 DAY,
       IF(o.order_id % 2 = 0, 'service', 'fraud')
FROM orders o WHERE o.order_id % 200 = 0)sql";

constexpr const char* kFillSellers = R"sql(
INSERT INTO sellers (seller_id, name, country, created_at)
SELECT seq, CONCAT('Seller ', seq), 'FR', '2020-01-01 00:00:00' FROM seq_1_to_{sellers})sql";

std::string fill(std::string sql, const std::string& name, const std::string& value) {
  const std::string token = "{" + name + "}";
  for (std::size_t at = sql.find(token); at != std::string::npos; at = sql.find(token, at)) {
    sql.replace(at, token.size(), value);
  }
  return sql;
}

long currentRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

long peakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run(long orders, long sellers) {
  std::string error;
  std::optional<testing::MariadbEnv> env = testing::MariadbEnv::load(&error);
  if (!env) {
    std::fprintf(stderr, "mysql_source_bench: %s\n", error.c_str());
    return 2;
  }
  const Timestamp now = *parseUtc("2026-03-01 12:00:00");
  {
    MysqlConnection root(env->root());
    testing::resetSourceDb(root, *env);
    const auto start = std::chrono::steady_clock::now();
    auto exec = [&](const char* what, std::string sql) {
      sql = fill(fill(fill(std::move(sql), "orders", std::to_string(orders)), "sellers",
                      std::to_string(sellers)),
                 "now", formatUtc(now));
      root.execute(what, sql);
    };
    exec("filling sellers", kFillSellers);
    exec("filling orders", kFillOrders);
    exec("filling tickets", fill(fill(kFillTickets, "offset", "0"), "modulus", "4"));
    exec("filling tickets", fill(fill(kFillTickets, "offset", "100000000"), "modulus", "25"));
    exec("filling refunds", kFillRefunds);
    exec("filling return requests", kFillReturns);
    exec("filling ratings", kFillRatings);
    exec("filling chargebacks", kFillChargebacks);
    root.execute("analysing",
                 "ANALYZE TABLE orders, tickets, refunds, return_requests, ratings, chargebacks");
    std::printf("loaded %ld orders across %ld sellers in %.1f s\n", orders, sellers,
                secondsSince(start));
  }

  MysqlSource source(env->readOnly());
  CancelToken cancel;
  const long rssBefore = currentRssKb();
  for (int pass = 1; pass <= 3; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    const SourceData data = source.read(now, Rules{}, cancel, nullptr);
    const double seconds = secondsSince(start);
    std::int64_t rows = 0;
    for (const auto& [table, n] : data.rowsRead) rows += n;
    std::printf(
        "read pass %d: %.2f s, %zu tallies, %zu sellers, %zu claims, %zu problems, "
        "%lld rows covered (orders %lld, tickets %lld)\n",
        pass, seconds, data.tallies.size(), data.sellers.size(), data.authenticityClaims.size(),
        data.problems.size(), static_cast<long long>(rows),
        static_cast<long long>(data.rowsRead.at("orders")),
        static_cast<long long>(data.rowsRead.at("tickets")));
  }
  std::printf("RSS before read %ld KiB, peak RSS %ld KiB\n", rssBefore, peakRssKb());
  return 0;
}

}  // namespace
}  // namespace sellertrust

int main(int argc, char** argv) {
  const long orders = argc > 1 ? std::atol(argv[1]) : 1000000;
  const long sellers = argc > 2 ? std::atol(argv[2]) : 3000;
  if (orders <= 0 || sellers <= 0) {
    std::fprintf(stderr, "usage: %s [orders [sellers]]\n", argv[0]);
    return 2;
  }
  try {
    return sellertrust::run(orders, sellers);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mysql_source_bench: %s\n", e.what());
    return 1;
  }
}
