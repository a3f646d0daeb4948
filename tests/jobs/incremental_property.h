// The property that incremental runs are exact, for both backends: random
// sequences of source changes and clock advances, across the window's edges
// and every clock threshold of SPEC §2 and §3; after each step one job runs
// incrementally and another runs in full over the same source at the same
// time, and their snapshots must be equal seller by seller (results, due
// times, products, ladder claims, warnings with their ids and times, badge
// changes). Test-only; one thread.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "jobs/score_job.h"
#include "jobs/source/source_reader.h"
#include "tests/jobs/fakes.h"

namespace sellertrust::testing::incremental {

inline constexpr Timestamp kMinute = 60;
inline constexpr Timestamp kHour = kSecondsPerHour;
inline constexpr Timestamp kDay = kSecondsPerDay;
inline const Timestamp kStart = *parseUtc("2026-03-01 12:00:00");

// Short windows and limits, so that a few hundred steps cross every edge.
inline Rules testRules() {
  Rules r;
  r.windowDays = 6;
  r.minOrders = 3;
  r.delistDays = 2;
  r.repeatWindowDays = 5;
  r.productComplaintClaims = 2;
  return r;
}

inline std::string sqlTime(Timestamp t) { return "'" + formatUtc(t) + "'"; }
inline std::string sqlTime(std::optional<Timestamp> t) { return t ? sqlTime(*t) : "NULL"; }

template <typename T>
const T& pick(std::mt19937& rng, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

// Runs one SQL statement on the source database.
using Execute = std::function<void(const std::string& sql)>;

// A marketplace that random steps change, through SQL that SQLite and
// MariaDB both run, on a source database with the SPEC §1 tables.
class RandomMarketplace {
 public:
  RandomMarketplace(std::uint32_t seed, Execute execute)
      : rng_(seed), execute_(std::move(execute)) {
    for (int id = 1; id <= kSellers; ++id) {
      exec("INSERT INTO sellers (seller_id, name, country, created_at, updated_at) VALUES (" +
           std::to_string(id) + ", 'seller " + std::to_string(id) + "', 'FR', " + sqlTime(clock_) +
           ", " + sqlTime(clock_) + ")");
    }
  }

  Timestamp clock() const { return clock_; }

  // One random change, or a clock advance; returns what it did.
  std::string step() {
    const int kind = std::uniform_int_distribution<int>(0, 25)(rng_);
    if (kind < 4 || orders_ == 0) return newOrder();
    if (kind >= 20) return advance();
    switch (kind) {
      case 4:
      case 5:
        return advance();
      case 6:
        return set(
            "orders", "order_id", orders_,
            "shipped_at = " + sqlTime(clock_ + ahead()) + ", tracking_valid = " + coin("1", "0"));
      case 7:
        return set("orders", "order_id", orders_, "delivered_at = " + sqlTime(clock_));
      case 8:
        return set("orders", "order_id", orders_,
                   "cancelled_at = " + sqlTime(clock_) + ", cancelled_by = '" +
                       pick(rng_, std::vector<std::string>{"seller", "buyer", "operator"}) + "'");
      case 9:
      case 10:
        return newTicket();
      case 11:
        return tickets_ == 0 ? advance()
                             : set("tickets", "ticket_id", tickets_,
                                   "first_seller_response_at = " + sqlTime(clock_ + ahead()));
      case 12:
        return tickets_ == 0
                   ? advance()
                   : set("tickets", "ticket_id", tickets_,
                         "status = '" +
                             pick(rng_, std::vector<std::string>{"withdrawn", "refused", "resolved",
                                                                 "granted_operator_funded",
                                                                 "escalated"}) +
                             "', escalated_at = " + coin(sqlTime(clock_), "NULL"));
      case 13:
        return newChild("refunds",
                        "refund_id, order_id, seller_id, ticket_id, created_at, "
                        "amount, method, kind, reason",
                        [&](std::int64_t order) {
                          return std::to_string(order) + ", 0, " + coin("NULL", "1") + ", " +
                                 sqlTime(clock_) + ", 5, 'original_payment', 'full', 'goodwill'";
                        });
      case 14:
        return newChild("return_requests",
                        "return_id, order_id, seller_id, requested_at, received_at, resolved_at, "
                        "resolution",
                        [&](std::int64_t order) {
                          return std::to_string(order) + ", 0, " + sqlTime(clock_ - ago(3 * kDay)) +
                                 ", NULL, NULL, NULL";
                        });
      case 15:
        return returns_ == 0 ? advance()
                             : set("return_requests", "return_id", returns_,
                                   "resolved_at = " + sqlTime(clock_) + ", resolution = '" +
                                       pick(rng_, std::vector<std::string>{"refund", "replacement",
                                                                           "rejected"}) +
                                       "'");
      case 16:
      case 17:
        return newChild("ratings", "rating_id, order_id, seller_id, product_id, stars, created_at",
                        [&](std::int64_t order) {
                          return std::to_string(order) + ", 0, 0, " +
                                 std::to_string(std::uniform_int_distribution<int>(1, 5)(rng_)) +
                                 ", " + sqlTime(clock_ + ahead());
                        });
      case 18:
        return newChild("chargebacks", "chargeback_id, order_id, seller_id, created_at, liability",
                        [&](std::int64_t order) {
                          return std::to_string(order) + ", 0, " + sqlTime(clock_) + ", " +
                                 coin("'service'", "'fraud'");
                        });
      default:
        return set("sellers", "seller_id", kSellers,
                   "name = 'renamed " + std::to_string(clock_) + "'");
    }
  }

 private:
  static constexpr int kSellers = 5;
  static constexpr int kProducts = 4;

  void exec(const std::string& sql) {
    log_ = sql;
    execute_(sql);
  }
  std::string coin(const std::string& a, const std::string& b) {
    return std::bernoulli_distribution(0.5)(rng_) ? a : b;
  }
  Timestamp ago(Timestamp upTo) { return std::uniform_int_distribution<Timestamp>(0, upTo)(rng_); }
  // Mostly now; sometimes later (a source clock ahead of ours), within
  // the rules' clock skew or beyond it.
  Timestamp ahead() { return any(4) == 1 ? ago(kHour) : 0; }
  std::int64_t any(std::int64_t count) {
    return std::uniform_int_distribution<std::int64_t>(1, count)(rng_);
  }

  std::string advance() {
    // Mostly short steps, so thresholds fall between runs; sometimes days.
    const std::vector<Timestamp> steps = {kMinute, 17 * kMinute, 3 * kHour, 11 * kHour, 2 * kDay};
    clock_ += ago(pick(rng_, steps));
    return "advance to " + formatUtc(clock_);
  }

  std::string newOrder() {
    const std::int64_t id = ++orders_;
    // Placed up to 8 days ago (some before the window), or soon (in the
    // future, entering the window later).
    const Timestamp at = clock_ - ago(8 * kDay) + (any(10) == 1 ? ago(kHour) : 0);
    const bool seller = any(4) != 1;
    // A product is one seller's listing (SPEC §3's ladder is per product).
    const std::int64_t sellerId = any(kSellers);
    exec(
        "INSERT INTO orders (order_id, seller_id, product_id, ordered_at, ship_by_at, "
        "promised_at, fulfilled_by, amount, currency, updated_at) VALUES (" +
        std::to_string(id) + ", " + std::to_string(sellerId) + ", " +
        std::to_string(100 * sellerId + any(kProducts)) + ", " + sqlTime(at) + ", " +
        (any(5) == 1 ? "NULL" : sqlTime(at + ago(3 * kDay))) + ", " +
        (any(5) == 1 ? "NULL" : sqlTime(at + ago(4 * kDay))) + ", " +
        (seller ? "'seller'" : "'operator'") + ", 10, 'EUR', " + sqlTime(clock_) + ")");
    return log_;
  }

  std::string newTicket() {
    const std::int64_t id = ++tickets_;
    if (any(8) == 1) {
      // An orphan until the next order is placed, perhaps by another
      // seller than the ticket's: skipped, then on the ladder.
      const std::int64_t sellerId = any(kSellers);
      exec(
          "INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, "
          "opened_at, updated_at) VALUES (" +
          std::to_string(id) + ", " + std::to_string(orders_ + 1) + ", " +
          std::to_string(sellerId) + ", " + std::to_string(100 * sellerId + any(kProducts)) +
          ", 'authenticity', 'open', " + sqlTime(clock_ - ago(kDay)) + ", " + sqlTime(clock_) +
          ")");
      return log_;
    }
    const std::int64_t order = any(orders_);
    const std::string kind =
        pick(rng_, std::vector<std::string>{"not_received", "damaged", "authenticity",
                                            "authenticity", "question", "other", "wrong_item"});
    const std::string status =
        pick(rng_, std::vector<std::string>{"open", "withdrawn", "refused", "granted_seller_funded",
                                            "granted_operator_funded", "under_review"});
    exec(
        "INSERT INTO tickets (ticket_id, order_id, seller_id, product_id, kind, status, "
        "opened_at, updated_at) SELECT " +
        std::to_string(id) + ", order_id, seller_id, " + coin("NULL", "product_id") + ", '" + kind +
        "', '" + status + "', " + sqlTime(clock_ - ago(3 * kDay)) + ", " + sqlTime(clock_) +
        " FROM orders WHERE order_id = " + std::to_string(order));
    return log_;
  }

  template <typename Values>
  std::string newChild(const std::string& table, const std::string& columns, Values values) {
    std::int64_t& count = table == "refunds"           ? refunds_
                          : table == "return_requests" ? returns_
                          : table == "ratings"         ? ratings_
                                                       : chargebacks_;
    const std::int64_t id = ++count;
    exec("INSERT INTO " + table + " (" + columns + ", updated_at) VALUES (" + std::to_string(id) +
         ", " + values(any(orders_)) + ", " + sqlTime(clock_) + ")");
    return log_;
  }

  std::string set(const std::string& table, const std::string& key, std::int64_t count,
                  const std::string& assignments) {
    exec("UPDATE " + table + " SET " + assignments + ", updated_at = " + sqlTime(clock_) +
         " WHERE " + key + " = " + std::to_string(any(count)));
    return log_;
  }

  std::mt19937 rng_;
  Execute execute_;
  Timestamp clock_ = kStart;
  std::int64_t orders_ = 0, tickets_ = 0, refunds_ = 0, returns_ = 0, ratings_ = 0,
               chargebacks_ = 0;
  std::string log_;
};

inline std::string describe(const SellerResult& s) {
  std::ostringstream out;
  out << "seller " << s.sellerId << " " << s.name << " badge " << toString(s.badge) << " score "
      << (s.score ? std::to_string(*s.score) : "-") << " due "
      << (s.dueAt ? formatUtc(*s.dueAt) : "-") << " reason '" << s.badgeReason.str()
      << "' answered " << s.responseTime.answered << " p50 " << s.responseTime.p50Hours.value_or(-1)
      << " p90 " << s.responseTime.p90Hours.value_or(-1) << " counts";
  for (std::int64_t c : s.counts) out << " " << c;
  return out.str();
}

// Every difference between two snapshots that an incremental run must not
// make, one line each ("" if none).
inline std::string differences(const Snapshot& full, const Snapshot& inc) {
  std::ostringstream out;
  for (const auto& [id, s] : full.sellers) {
    auto it = inc.sellers.find(id);
    if (it == inc.sellers.end()) {
      out << "missing " << describe(*s) << "\n";
    } else if (*it->second != *s) {
      out << "full: " << describe(*s) << "\n inc: " << describe(*it->second) << "\n";
    }
  }
  for (const auto& [id, s] : inc.sellers) {
    if (full.sellers.count(id) == 0) out << "extra " << describe(*s) << "\n";
  }
  const auto products = [](const Snapshot& s) {
    std::ostringstream text;
    std::map<std::int64_t, ProductResult> sorted(s.products.begin(), s.products.end());
    for (const auto& [id, p] : sorted) {
      const ProductLadder& l = p.ladder;
      text << id << " seller " << l.sellerId << " step " << toString(l.step) << " counted "
           << l.countedClaims << " first " << l.firstClaimAt.value_or(0) << " second "
           << l.secondClaimAt.value_or(0) << " until " << l.delistUntil.value_or(0) << " active "
           << l.delistActive << " in window " << p.claimsInWindow << "\n";
    }
    return text.str();
  };
  if (products(full) != products(inc)) {
    out << "products differ\nfull:\n" << products(full) << "inc:\n" << products(inc);
  }
  const auto claims = [](const Snapshot& s) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& [product, list] : s.claimsByProduct) {
      for (const AuthenticityClaim& c : list) out.emplace_back(product, c.ticketId);
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  if (claims(full) != claims(inc)) out << "ladder claims differ\n";
  const auto warnings = [](const Snapshot& s) {
    std::ostringstream text;
    for (const SharedWarning& w : s.warnings) {
      text << w->id << " " << w->firing.code.str() << " seller " << w->firing.sellerId
           << " product " << w->firing.productId.value_or(0) << " detail " << w->firing.detail.str()
           << " raised " << w->raisedAt << " updated " << w->updatedAt << " evidence";
      for (const Evidence& e : w->firing.evidence) text << " " << e.name.str() << "=" << e.value;
      text << "\n";
    }
    return text.str();
  };
  if (warnings(full) != warnings(inc)) {
    out << "warnings differ\nfull:\n" << warnings(full) << "inc:\n" << warnings(inc);
  }
  if (full.nextWarningId != inc.nextWarningId) out << "next warning ids differ\n";
  if (full.marketplaceOdr != inc.marketplaceOdr) out << "marketplace ODR differs\n";
  const auto badgeChanges = [](const Snapshot& s) {
    std::ostringstream text;
    std::map<std::int64_t, std::vector<BadgeChange>> sorted(s.badgeChanges.begin(),
                                                            s.badgeChanges.end());
    for (const auto& [id, list] : sorted) {
      for (const BadgeChange& c : list) {
        text << id << " " << toString(c.to) << " at " << c.at << " " << c.reason.str() << "\n";
      }
    }
    return text.str();
  };
  if (badgeChanges(full) != badgeChanges(inc)) out << "badge changes differ\n";
  return out.str();
}

// Settings that read on three sessions side by side, two sellers a chunk:
// a full read with its sellers dealt out by id, an incremental one its chunks.
inline source::ReadSettings sideBySide() {
  source::ReadSettings settings;
  settings.sessions = 3;
  settings.sellersPerQuery = 2;
  return settings;
}

// Two jobs over one source, each with its own results: one runs in full
// every time, the other incrementally (never full on its own). With
// `buckets`, the incremental one tallies every seller with a window order in
// buckets (ScoreJob::Options::bucketMinOrders 1), as wide as
// `ordersPerBucket` makes them (1: a day for a seller with up to one window
// order a day, narrower the more it has; 0: the narrowest for everyone), and
// reads them in part; the full one never does.
class FullAndIncremental {
 public:
  FullAndIncremental(Source& source, bool buckets, std::int64_t ordersPerBucket = 1)
      : full_(&source, &fullStore_, &fullSnapshots_, testRules(), options(0)),
        incremental_(&source, &incStore_, &incSnapshots_, testRules(),
                     incrementalOptions(buckets, ordersPerBucket)) {}

  // Runs both at `at`; the incremental run's summary.
  ScoreRunSummary run(Timestamp at) {
    full_.run(at, CancelToken(), RunKind::kFull);
    return incremental_.run(at, CancelToken(), RunKind::kIncremental);
  }
  // Every difference between their snapshots ("" if none).
  std::string differences() const {
    return incremental::differences(*fullSnapshots_.current(), *incSnapshots_.current());
  }
  // The full job's tally `id` of `seller` after its last run.
  std::int64_t fullCount(std::int64_t seller, TallyId id) const {
    return fullSnapshots_.current()->sellers.at(seller)->counts[static_cast<std::size_t>(id)];
  }

 private:
  static ScoreJob::Options options(std::int64_t bucketMinOrders) {
    ScoreJob::Options o;
    o.keepDays = 30;
    // Days-long clock steps empty a short window: what is compared here is
    // the results, not the guard against a vanishing source.
    o.maxShrink = 1;
    o.bucketMinOrders = bucketMinOrders;
    return o;
  }
  static ScoreJob::Options incrementalOptions(bool buckets, std::int64_t ordersPerBucket) {
    ScoreJob::Options o = options(buckets ? 1 : 0);
    o.ordersPerBucket = ordersPerBucket;
    o.fullEverySeconds = 365 * kDay;
    o.fullReadShare = 0;
    return o;
  }

  FakeStore fullStore_, incStore_;
  SnapshotHolder fullSnapshots_, incSnapshots_;
  ScoreJob full_;
  ScoreJob incremental_;
};

// Runs 200 random steps on `market`, and after most of them both jobs of a
// FullAndIncremental at the market's clock; fails at the first step where
// their snapshots differ. With sideBySide() the full run reads its sellers
// dealt out by id and the incremental one reads each seller's whole window
// (or its buckets) in chunks: they check each other.
inline void expectIncrementalRunsEqualFullOnes(RandomMarketplace& market, Source& source,
                                               bool buckets = false,
                                               std::int64_t ordersPerBucket = 1) {
  FullAndIncremental jobs(source, buckets, ordersPerBucket);
  int incrementalRuns = 0;
  std::int64_t recomputed = 0;
  std::string history;
  for (int step = 0; step < 200; ++step) {
    history += market.step() + "\n";
    if (step % 5 == 0) continue;  // sometimes two changes in one run
    const Timestamp at = market.clock();
    const ScoreRunSummary s = jobs.run(at);
    if (s.kind == RunKind::kIncremental) {
      ++incrementalRuns;
      recomputed += s.sellersRecomputed;
    }
    ASSERT_EQ("", jobs.differences()) << "after step " << step << " at " << formatUtc(at) << ":\n"
                                      << history;
  }
  // Every run but the first was incremental, and many read few sellers.
  EXPECT_EQ(incrementalRuns, 159);
  EXPECT_LT(recomputed, 159 * 5 * 3 / 4);
}

}  // namespace sellertrust::testing::incremental
