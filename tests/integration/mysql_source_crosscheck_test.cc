// The cross-check: many seeded random orders with after-sales rows, most
// times placed on or one second either side of a metric boundary, some rows
// bad in every way the source can be bad, read by MysqlSource on MariaDB
// and by SqliteSource on the same rows: the two engines run SQL generated
// from the one definition and must agree on everything, problem wording
// included. Run on the reference schema (ENUMs, NOT NULL) and on views over
// loose tables (plain-string enums, NULLs), each with the default rules and
// with other parameters.
#include <gtest/gtest.h>

#include <Poco/TemporaryFile.h>

#include <atomic>
#include <random>
#include <stdexcept>
#include <string>

#include "jobs/source/definition.h"
#include "jobs/source/mysql_source.h"
#include "jobs/source/sqlite_source.h"
#include "tests/integration/mariadb_test.h"
#include "tests/integration/mysql_rows.h"

namespace sellertrust::testing {
namespace {

const Timestamp kNow = *parseUtc("2026-03-01 12:00:00");
constexpr Timestamp D = kSecondsPerDay;
constexpr Timestamp H = kSecondsPerHour;
constexpr int kOrders = 6000;
constexpr int kSellers = 40;

using Names = std::vector<std::string>;

// The SPEC names of an enum column, from the one definition.
Names namesOf(const char* table, const char* column) {
  for (const source::ColumnDef& c : source::table(table).columns) {
    if (c.name == column) return c.names;
  }
  throw std::logic_error(std::string("no enum column ") + table + "." + column);
}

const Names kCancelledBy = namesOf("orders", "cancelled_by");
const Names kFulfilledBy = {"seller", "seller", "seller", "operator"};  // mostly the seller
const Names kKinds = namesOf("tickets", "kind");
const Names kStatuses = namesOf("tickets", "status");
const Names kMethods = namesOf("refunds", "method");
const Names kRefundKinds = namesOf("refunds", "kind");
const Names kReasons = namesOf("refunds", "reason");
const Names kResolutions = namesOf("return_requests", "resolution");
const Names kLiabilities = namesOf("chargebacks", "liability");

class Generator {
 public:
  Generator(std::uint64_t seed, const Rules& rules, bool lax)
      : random_(seed), window_(windowAt(kNow, rules)), lax_(lax) {
    responseLimit_ = rules.responseHours * H;
    graceLimit_ = rules.lateDeliveryGraceDays * D;
    refundLimit_ = rules.spontaneousRefundDays * D;
    returnLimit_ = rules.returnResolveDays * D;
  }

  RawSource make() {
    RawSource s;
    for (int i = 1; i <= kSellers; ++i) {
      s.sellers.push_back({i, "Seller " + std::to_string(i), i % 2 ? "FR" : "DE"});
    }
    for (int i = 1; i <= kOrders; ++i) addOrder(&s, i);
    return s;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(random_);
  }
  // On the anchor or one second either side of it.
  Timestamp near(Timestamp anchor) { return anchor + between(-1, 1); }
  const std::string& pick(const Names& names) {
    return names[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(names.size()) - 1))];
  }

  // A time that is sometimes not a date at all.
  RawTime time(Timestamp t) {
    if (chance(0.005)) return kZeroDate;
    if (chance(0.005)) return kZeroDay;
    return t;
  }
  RawTime requiredTime(Timestamp t) {
    if (lax_ && chance(0.01)) return std::nullopt;
    return time(t);
  }
  RawId requiredId(std::int64_t id) {
    if (lax_ && chance(0.01)) return std::nullopt;
    return id;
  }
  // An enum value; on loose tables sometimes NULL or a string the SPEC does
  // not know, including ones a case-insensitive, space-padding collation
  // would confuse with a known one.
  RawText enumValue(const Names& names, bool required) {
    std::string name = pick(names);
    if (!lax_) return name;
    if (required && chance(0.01)) return std::nullopt;
    if (chance(0.03)) {
      switch (between(0, 3)) {
        case 0:
          name[0] = static_cast<char>(name[0] - 'a' + 'A');
          break;
        case 1:
          name += " ";
          break;
        case 2:
          name = "bogus";
          break;
        default:
          name = "";
          break;
      }
    }
    return name;
  }

  void addOrder(RawSource* s, std::int64_t id) {
    RawOrder o;
    o.orderId = id;
    const std::int64_t seller = between(1, kSellers);
    o.sellerId = requiredId(seller);
    o.productId = requiredId(seller * 100 + between(0, 9));
    Timestamp ordered = 0;
    const std::int64_t where = between(0, 99);
    if (where < 8) {
      ordered = near(window_.begin);
    } else if (where < 16) {
      ordered = near(window_.end);
    } else {
      ordered = between(window_.begin - 5 * D, window_.end + 2 * D);
    }
    o.orderedAt = requiredTime(ordered);
    std::optional<Timestamp> shipBy, shipped, promised, delivered;
    if (chance(0.75)) {
      shipBy = chance(0.15) ? std::max(ordered, near(kNow)) : ordered + between(0, 3 * D);
      if (chance(0.02)) shipBy = ordered - between(1, 2 * D);
    }
    if (chance(0.7)) {
      shipped =
          shipBy && chance(0.3) ? std::max(ordered, near(*shipBy)) : ordered + between(0, 5 * D);
      if (chance(0.02)) shipped = ordered - between(1, D);
    }
    if (chance(0.7)) {
      promised =
          chance(0.2) ? std::max(ordered, near(kNow - graceLimit_)) : ordered + between(D, 10 * D);
    }
    if (shipped && chance(0.8)) {
      delivered = promised && chance(0.3) ? std::max(*shipped, near(*promised))
                                          : *shipped + between(0, 6 * D);
      if (chance(0.02)) delivered = *shipped - between(1, D);
    }
    o.shipByAt = shipBy ? time(*shipBy) : std::nullopt;
    o.shippedAt = shipped ? time(*shipped) : std::nullopt;
    o.promisedAt = promised ? time(*promised) : std::nullopt;
    o.deliveredAt = delivered ? time(*delivered) : std::nullopt;
    if (chance(0.12)) {
      o.cancelledAt = time(ordered + between(0, 2 * D));
      o.cancelledBy = enumValue(kCancelledBy, false);
      if (chance(0.03)) o.cancelledAt.reset();
      if (chance(0.03)) o.cancelledBy.reset();
    }
    if (chance(0.7)) o.trackingValid = chance(0.01) ? 2 : static_cast<int>(between(0, 1));
    o.fulfilledBy = enumValue(kFulfilledBy, true);
    s->orders.push_back(o);

    // After-sales rows; a few point at orders that do not exist.
    const std::int64_t orderRef = chance(0.01) ? kOrders + 1000 + id : id;
    // The seller an after-sales row names: the order's seller (also when
    // the order's seller_id is NULL), a few another's or (loose tables)
    // none; a read in parts deals the row out by it.
    const auto namedSeller = [&]() -> RawId {
      if (chance(0.01)) return seller % kSellers + 1;
      if (lax_ && chance(0.01)) return std::nullopt;
      return seller;
    };
    std::vector<std::int64_t> ticketIds;
    for (std::int64_t n = ticketCount(); n > 0; --n) {
      RawTicket t;
      t.ticketId = nextTicket_++;
      t.orderId = orderRef;
      t.sellerId = namedSeller();
      if (chance(0.3)) t.productId = chance(0.5) ? seller * 100 + between(0, 9) : between(1, 50);
      t.kind = enumValue(kKinds, true);
      t.status = enumValue(kStatuses, true);
      const Timestamp opened =
          chance(0.2) ? near(kNow - responseLimit_) : ordered + between(0, 20 * D);
      t.openedAt = requiredTime(opened);
      const std::int64_t answer = between(0, 99);
      if (answer < 25) {
        t.respondedAt = time(near(opened + responseLimit_));
      } else if (answer < 65) {
        t.respondedAt = time(opened + between(0, 5 * D));
      } else if (answer < 70) {
        t.respondedAt = time(opened - between(1, H));
      }
      if (chance(0.2)) t.escalatedAt = time(opened + between(chance(0.05) ? -H : 0, 10 * D));
      if (chance(0.3)) t.closedAt = time(opened + between(chance(0.03) ? -H : 0, 20 * D));
      ticketIds.push_back(t.ticketId);
      s->tickets.push_back(t);
    }
    for (std::int64_t n = childCount(0.7); n > 0; --n) {
      RawRefund r;
      r.refundId = nextRefund_++;
      r.orderId = orderRef;
      r.sellerId = namedSeller();
      if (chance(0.5)) {
        r.ticketId = ticketIds.empty() ? between(1, 1000) : ticketIds.front();
      }
      r.createdAt = requiredTime(delivered && chance(0.5) ? near(*delivered + refundLimit_)
                                                          : ordered + between(0, 30 * D));
      r.method = enumValue(kMethods, true);
      r.kind = enumValue(kRefundKinds, true);
      r.reason = enumValue(kReasons, true);
      s->refunds.push_back(r);
    }
    for (std::int64_t n = childCount(0.75); n > 0; --n) {
      RawReturn r;
      r.returnId = nextReturn_++;
      r.orderId = orderRef;
      r.sellerId = namedSeller();
      const Timestamp requested =
          chance(0.3) ? near(kNow - returnLimit_) : ordered + between(D, 30 * D);
      r.requestedAt = requiredTime(requested);
      if (chance(0.55)) {
        r.resolvedAt = time(chance(0.4) ? near(requested + returnLimit_)
                                        : requested + between(chance(0.03) ? -D : 0, 30 * D));
        r.resolution = enumValue(kResolutions, false);
      }
      if (chance(0.02)) r.resolution = r.resolution ? std::nullopt : RawText("refund");
      s->returns.push_back(r);
    }
    for (std::int64_t n = childCount(0.6); n > 0; --n) {
      RawRating r;
      r.ratingId = nextRating_++;
      r.orderId = orderRef;
      r.sellerId = namedSeller();
      static const int kImpossibleStars[] = {0, 6, -1, 100};
      r.stars = chance(0.03) ? kImpossibleStars[between(0, 3)] : static_cast<int>(between(1, 5));
      if (lax_ && chance(0.01)) r.stars.reset();
      r.createdAt = requiredTime(ordered + between(0, 30 * D));
      s->ratings.push_back(r);
    }
    if (chance(0.1)) {
      RawChargeback c;
      c.chargebackId = nextChargeback_++;
      c.orderId = orderRef;
      c.sellerId = namedSeller();
      c.createdAt = requiredTime(ordered + between(0, 60 * D));
      c.liability = enumValue(kLiabilities, true);
      s->chargebacks.push_back(c);
    }
  }

  std::int64_t ticketCount() {
    const std::int64_t r = between(0, 99);
    return r < 45 ? 0 : r < 75 ? 1 : r < 93 ? 2 : 3;
  }
  std::int64_t childCount(double noneProbability) {
    return chance(noneProbability) ? 0 : between(1, 2);
  }

  std::mt19937_64 random_;
  const Window window_;
  const bool lax_;
  Timestamp responseLimit_ = 0, graceLimit_ = 0, refundLimit_ = 0, returnLimit_ = 0;
  std::int64_t nextTicket_ = 1, nextRefund_ = 1, nextReturn_ = 1, nextRating_ = 1,
               nextChargeback_ = 1;
};

Rules otherRules() {
  Rules rules;
  rules.windowDays = 30;
  rules.lagDays = 3;
  rules.responseHours = 24;
  rules.lateDeliveryGraceDays = 2;
  rules.spontaneousRefundDays = 7;
  rules.returnResolveDays = 10;
  return rules;
}

struct Case {
  const char* name;
  bool lax;
  bool defaultRules;
  std::uint64_t seed;
  // How many bad keys each backend lists per table.
  std::int64_t problemKeysPerTable = 1000000;
};

class MysqlSourceCrossCheckTest : public MariadbTest, public ::testing::WithParamInterface<Case> {};

std::vector<AuthenticityClaim> sortedClaims(std::vector<AuthenticityClaim> claims) {
  std::sort(claims.begin(), claims.end(),
            [](const auto& a, const auto& b) { return a.ticketId < b.ticketId; });
  return claims;
}

TEST_P(MysqlSourceCrossCheckTest, MariadbAndSqliteAgreeOnEveryTallyAndProblem) {
  const Case& c = GetParam();
  const Rules rules = c.defaultRules ? Rules{} : otherRules();
  if (c.lax) makeSourceLax(root());
  const RawSource rows = Generator(c.seed, rules, c.lax).make();
  insertRows(root(), rows);
  Poco::TemporaryFile sqliteFile;
  writeSqliteSource(sqliteFile.path(), rows);

  CancelToken cancel;
  // MariaDB reads its sellers dealt out in three parts side by side
  // (MySQL's remainder of a negative id), SQLite on one session.
  source::ReadSettings settings;
  settings.problemKeysPerTable = c.problemKeysPerTable;
  const SourceData sqlite =
      SqliteSource(sqliteFile.path(), settings).read(kNow, rules, cancel, nullptr);
  settings.sessions = 3;
  // With no previous run, a sample of the window tells the largest sellers
  // (one query, on MariaDB's syntax too); views, whose keys may repeat, are
  // read on one session.
  std::atomic<int> samples{0};
  settings.onQuery = [&samples](const std::string& what, double, std::int64_t rows) {
    if (what == "sampling the window's sellers" && rows > 0) ++samples;
  };
  const SourceData mysql =
      MysqlSource(env().readOnly(), settings).read(kNow, rules, cancel, nullptr);
  EXPECT_EQ(samples.load(), c.lax ? 0 : 1);

  // Not vacuous: every counter of the SPEC is exercised, and bad rows of
  // many kinds are met.
  SellerTally sum;
  for (const auto& [seller, tally] : mysql.tallies) {
    for (std::size_t i = 0; i < kTallyCount; ++i) sum.counts[i] += tally.counts[i];
  }
  for (std::size_t i = 0; i + 1 < kMetricCount; ++i) {
    const Ratio r = sum.rate(static_cast<MetricId>(i));
    EXPECT_GT(r.numerator, 0) << metricName(static_cast<MetricId>(i));
    EXPECT_GT(r.denominator, r.numerator) << metricName(static_cast<MetricId>(i));
  }
  EXPECT_GT(mysql.problems.size(), c.problemKeysPerTable < 100 ? 3u : 100u);

  EXPECT_EQ(mysql.sellers.size(), sqlite.sellers.size());
  ASSERT_EQ(mysql.tallies.size(), sqlite.tallies.size());
  for (const auto& [seller, tally] : sqlite.tallies) {
    ASSERT_EQ(mysql.tallies.count(seller), 1u) << "seller " << seller;
    EXPECT_EQ(tallyDifferences(tally, mysql.tallies.at(seller)), "") << "seller " << seller;
  }
  EXPECT_EQ(mysql.problems, sqlite.problems);
  EXPECT_EQ(mysql.rowsRead, sqlite.rowsRead);
  const std::vector<AuthenticityClaim> a = sortedClaims(mysql.authenticityClaims);
  const std::vector<AuthenticityClaim> b = sortedClaims(sqlite.authenticityClaims);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i].ticketId == b[i].ticketId && a[i].sellerId == b[i].sellerId &&
                a[i].productId == b[i].productId && a[i].openedAt == b[i].openedAt &&
                a[i].status == b[i].status)
        << "authenticity claim " << a[i].ticketId;
  }
}

INSTANTIATE_TEST_SUITE_P(Sources, MysqlSourceCrossCheckTest,
                         ::testing::Values(Case{"ReferenceSchemaDefaultRules", false, true, 1},
                                           Case{"ReferenceSchemaOtherRules", false, false, 2},
                                           Case{"LooseViewsDefaultRules", true, true, 3},
                                           Case{"LooseViewsOtherRules", true, false, 4},
                                           Case{"LooseViewsFewListedKeys", true, true, 5, 3}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace sellertrust::testing
