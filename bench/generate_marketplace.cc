// generate_marketplace writes a large synthetic SPEC §1 marketplace for
// bench/scale_bench.sh: tab-separated files for MariaDB's LOAD DATA, an
// SQLite source file, or both from one pass. Not a test, and not the demo
// (jobs/demo/ plants misbehaving sellers for a newcomer to look at): every
// row here is valid, the volumes and rates are those of a large marketplace,
// and what matters is speed. Deterministic for a given --seed and --now: the
// only randomness is std::mt19937_64, whose output the standard fixes, mapped
// to integer ranges by this file (no std distribution, whose algorithms
// differ between standard libraries). Rows are streamed out as they are
// made, so memory does not grow with --orders. Single-threaded.
//
// Usage: generate_marketplace [--sellers N] [--orders N] [--days N] [--seed N]
//          [--now "YYYY-MM-DD HH:MM:SS"] [--tsv-dir DIR] [--sqlite FILE]
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/source/sqlite_source.h"
#include "sellertrust/time.h"

namespace sellertrust {
namespace {

constexpr std::int64_t kPpm = 1000000;  // probabilities are in parts per million
constexpr Timestamp kMinute = 60;
constexpr Timestamp kHour = kSecondsPerHour;
constexpr Timestamp kDay = kSecondsPerDay;

struct Options {
  std::int64_t sellers = 100000;
  std::int64_t orders = 10000000;
  std::int64_t days = 120;
  std::uint64_t seed = 1;
  Timestamp now = 0;
  std::string tsvDir;
  std::string sqlitePath;
};

// The SPEC §1 tables in the order they are written, with the columns this
// generator fills (all of them). The TSV files carry these names as their
// header line, so a loader needs no second copy of the list.
enum Table { kSellers, kOrders, kTickets, kRefunds, kReturnRequests, kRatings, kChargebacks };
constexpr int kTableCount = 7;

struct TableSpec {
  const char* name;
  std::vector<const char*> columns;
};

const std::array<TableSpec, kTableCount>& tableSpecs() {
  static const std::array<TableSpec, kTableCount> kSpecs = {{
      {"sellers", {"seller_id", "name", "country", "created_at", "updated_at"}},
      {"orders",
       {"order_id", "seller_id", "product_id", "ordered_at", "ship_by_at", "shipped_at",
        "promised_at", "delivered_at", "cancelled_at", "cancelled_by", "tracking_valid",
        "fulfilled_by", "amount", "currency", "updated_at"}},
      {"tickets",
       {"ticket_id", "order_id", "seller_id", "product_id", "kind", "status", "opened_at",
        "first_seller_response_at", "escalated_at", "closed_at", "updated_at"}},
      {"refunds",
       {"refund_id", "order_id", "seller_id", "ticket_id", "created_at", "amount", "method", "kind",
        "reason", "updated_at"}},
      {"return_requests",
       {"return_id", "order_id", "seller_id", "requested_at", "received_at", "resolved_at",
        "resolution", "updated_at"}},
      {"ratings",
       {"rating_id", "order_id", "seller_id", "product_id", "stars", "created_at", "updated_at"}},
      {"chargebacks",
       {"chargeback_id", "order_id", "seller_id", "created_at", "liability", "updated_at"}},
  }};
  return kSpecs;
}

// "YYYY-MM-DD HH:MM:SS" without a call to snprintf per time: the date part
// comes from formatUtc once per day and is cached (the data spans a few
// hundred days), the clock part is written digit by digit.
class TimeFormatter {
 public:
  // Writes 19 characters to out.
  void format(Timestamp t, char* out) {
    const Timestamp day = startOfDay(t);
    if (day != cachedDay_) {
      std::memcpy(cachedDate_, formatUtc(day).data(), 11);  // "YYYY-MM-DD "
      cachedDay_ = day;
    }
    std::memcpy(out, cachedDate_, 11);
    const auto secs = static_cast<unsigned>(t - day);
    twoDigits(secs / 3600, out + 11);
    out[13] = ':';
    twoDigits(secs / 60 % 60, out + 14);
    out[16] = ':';
    twoDigits(secs % 60, out + 17);
  }

 private:
  static void twoDigits(unsigned v, char* out) {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
  }
  Timestamp cachedDay_ = -1;
  char cachedDate_[11] = {};
};

// One value of a row. Text points into storage that lives until the row is
// written (the row's own buffers or a string literal).
struct Value {
  enum Kind { kNull, kInt, kText, kCents } kind = kNull;
  std::int64_t number = 0;  // kInt, or kCents: an amount in hundredths
  std::string_view text;    // kText
};

// A row under construction; times are formatted into its own slots.
class Row {
 public:
  explicit Row(TimeFormatter* times) : times_(times) {}
  Row& reset() {
    size_ = 0;
    usedTimes_ = 0;
    return *this;
  }
  Row& null() { return push({Value::kNull, 0, {}}); }
  Row& integer(std::int64_t v) { return push({Value::kInt, v, {}}); }
  Row& text(std::string_view v) { return push({Value::kText, 0, v}); }
  Row& cents(std::int64_t v) { return push({Value::kCents, v, {}}); }
  Row& time(Timestamp t) {
    char* slot = timeSlots_[usedTimes_++].data();
    times_->format(t, slot);
    return text(std::string_view(slot, 19));
  }
  Row& time(std::optional<Timestamp> t) { return t ? time(*t) : null(); }
  Row& integer(std::optional<std::int64_t> v) { return v ? integer(*v) : null(); }

  int size() const { return size_; }
  const Value& operator[](int i) const { return values_[static_cast<std::size_t>(i)]; }

 private:
  Row& push(const Value& v) {
    values_[static_cast<std::size_t>(size_++)] = v;
    return *this;
  }
  TimeFormatter* times_;
  std::array<Value, 16> values_;
  std::array<std::array<char, 19>, 8> timeSlots_ = {};
  int size_ = 0;
  int usedTimes_ = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(Table table, const Row& row) = 0;
  // Flushes and closes; throws on any error.
  virtual void finish() = 0;
};

// One tab-separated file per table, NULL as \N, a header line of column
// names. Amounts are written as decimals, never through a double.
class TsvSink : public Sink {
 public:
  explicit TsvSink(const std::string& dir) {
    for (int t = 0; t < kTableCount; ++t) {
      const TableSpec& spec = tableSpecs()[static_cast<std::size_t>(t)];
      File& f = files_[static_cast<std::size_t>(t)];
      f.path = dir + "/" + spec.name + ".tsv";
      f.handle = std::fopen(f.path.c_str(), "wb");
      if (f.handle == nullptr) throw std::runtime_error("cannot create " + f.path);
      for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        if (i > 0) f.buffer += '\t';
        f.buffer += spec.columns[i];
      }
      f.buffer += '\n';
    }
  }
  ~TsvSink() override {
    for (File& f : files_) {
      if (f.handle != nullptr) std::fclose(f.handle);
    }
  }

  void write(Table table, const Row& row) override {
    File& f = files_[static_cast<std::size_t>(table)];
    std::string& b = f.buffer;
    for (int i = 0; i < row.size(); ++i) {
      if (i > 0) b += '\t';
      const Value& v = row[i];
      switch (v.kind) {
        case Value::kNull:
          b += "\\N";
          break;
        case Value::kInt:
          appendInt(v.number, &b);
          break;
        case Value::kText:
          b.append(v.text);
          break;
        case Value::kCents:
          appendInt(v.number / 100, &b);
          b += '.';
          b += static_cast<char>('0' + v.number % 100 / 10);
          b += static_cast<char>('0' + v.number % 10);
          break;
      }
    }
    b += '\n';
    if (b.size() >= kFlushBytes) flush(&f);
  }

  void finish() override {
    for (File& f : files_) {
      flush(&f);
      if (std::fclose(f.handle) != 0) throw std::runtime_error("cannot write " + f.path);
      f.handle = nullptr;
    }
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;
  struct File {
    std::string path;
    std::FILE* handle = nullptr;
    std::string buffer;
  };
  static void appendInt(std::int64_t v, std::string* out) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    out->append(digits, end);
  }
  static void flush(File* f) {
    if (std::fwrite(f->buffer.data(), 1, f->buffer.size(), f->handle) != f->buffer.size()) {
      throw std::runtime_error("cannot write " + f->path);
    }
    f->buffer.clear();
  }
  std::array<File, kTableCount> files_;
};

// A new SQLite source file: the schema of createSourceSchema(), filled in
// one transaction with journal and syncs off. Its indexes are dropped while
// loading and recreated from their own SQL at the end (faster than keeping
// fifteen indexes up to date row by row).
class SqliteSink : public Sink {
 public:
  explicit SqliteSink(const std::string& path) : path_(path) {
    if (std::FILE* existing = std::fopen(path.c_str(), "rb")) {
      std::fclose(existing);
      throw std::runtime_error(path + " exists; remove it first");
    }
    Poco::Data::SQLite::Connector::registerConnector();
    session_ = std::make_unique<Poco::Data::Session>("SQLite", path);
    createSourceSchema(*session_);
    db_ = Poco::Data::SQLite::Utility::dbHandle(*session_);
    sqlite3_stmt* list = prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
        "sql IS NOT NULL ORDER BY name");
    std::vector<std::string> names;
    while (sqlite3_step(list) == SQLITE_ROW) {
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 0)));
      indexSql_.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list, 1)));
    }
    sqlite3_finalize(list);
    for (const std::string& name : names) exec("DROP INDEX " + name);
    exec("PRAGMA journal_mode = OFF");
    exec("PRAGMA synchronous = OFF");
    exec("PRAGMA cache_size = -262144");
    exec("BEGIN");
    for (int t = 0; t < kTableCount; ++t) {
      const TableSpec& spec = tableSpecs()[static_cast<std::size_t>(t)];
      std::string sql = std::string("INSERT INTO ") + spec.name + " (";
      std::string marks;
      for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        sql += (i > 0 ? ", " : "") + std::string(spec.columns[i]);
        marks += i > 0 ? ", ?" : "?";
      }
      inserts_[static_cast<std::size_t>(t)] = prepare(sql + ") VALUES (" + marks + ")");
    }
  }
  ~SqliteSink() override {
    for (sqlite3_stmt* s : inserts_) sqlite3_finalize(s);
  }

  void write(Table table, const Row& row) override {
    sqlite3_stmt* s = inserts_[static_cast<std::size_t>(table)];
    for (int i = 0; i < row.size(); ++i) {
      const Value& v = row[i];
      switch (v.kind) {
        case Value::kNull:
          sqlite3_bind_null(s, i + 1);
          break;
        case Value::kInt:
          sqlite3_bind_int64(s, i + 1, v.number);
          break;
        case Value::kText:
          sqlite3_bind_text(s, i + 1, v.text.data(), static_cast<int>(v.text.size()),
                            SQLITE_STATIC);
          break;
        case Value::kCents:
          sqlite3_bind_double(s, i + 1, static_cast<double>(v.number) / 100.0);
          break;
      }
    }
    if (sqlite3_step(s) != SQLITE_DONE) fail("inserting into " + std::string(tableName(table)));
    sqlite3_reset(s);
  }

  void finish() override {
    exec("COMMIT");
    const auto started = std::chrono::steady_clock::now();
    for (const std::string& sql : indexSql_) exec(sql);
    std::cerr << "generate_marketplace: SQLite indexes built in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
              << " s\n";
    for (sqlite3_stmt*& s : inserts_) {
      sqlite3_finalize(s);
      s = nullptr;
    }
    session_->close();
  }

 private:
  static const char* tableName(Table t) { return tableSpecs()[static_cast<std::size_t>(t)].name; }
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("SQLite " + path_ + ", " + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) fail(sql);
    return s;
  }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }

  std::string path_;
  std::unique_ptr<Poco::Data::Session> session_;
  sqlite3* db_ = nullptr;
  std::vector<std::string> indexSql_;
  std::array<sqlite3_stmt*, kTableCount> inserts_ = {};
};

// Integer draws from mt19937_64 (Lemire's multiply-and-reject: unbiased,
// and a division only on the rare rejection path).
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using Wide = unsigned __int128;
    Wide m = static_cast<Wide>(engine_()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<Wide>(engine_()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  // Uniform in [lo, hi]; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }
  // True with probability ppm / 1e6.
  bool chance(std::int64_t ppm) { return static_cast<std::int64_t>(below(kPpm)) < ppm; }
  // An index drawn with the given integer weights.
  template <std::size_t N>
  std::size_t pick(const std::array<std::uint32_t, N>& weights) {
    std::uint64_t total = 0;
    for (std::uint32_t w : weights) total += w;
    std::uint64_t r = below(total);
    for (std::size_t i = 0; i < N; ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return N - 1;
  }

 private:
  std::mt19937_64 engine_;
};

struct Country {
  const char* code;
  const char* currency;
};
constexpr std::array<Country, 8> kCountries = {{{"FR", "EUR"},
                                                {"DE", "EUR"},
                                                {"ES", "EUR"},
                                                {"IT", "EUR"},
                                                {"NL", "EUR"},
                                                {"GB", "GBP"},
                                                {"PL", "PLN"},
                                                {"US", "USD"}}};
constexpr std::array<std::uint32_t, 8> kCountryWeights = {30, 20, 12, 10, 6, 10, 5, 7};

// Sellers differ in how well they work: a quality factor in permille that
// scales their defect probabilities (late shipping and delivery, claims,
// bad ratings, chargebacks, unanswered tickets). Weighted to average ~1.
// The largest sellers, which hold much of the volume, are all average, so
// that the marketplace's rates do not hang on the draw of a few classes.
constexpr std::array<std::uint32_t, 4> kQualityFactors = {700, 1200, 2000, 4000};
constexpr std::array<std::uint32_t, 4> kQualityWeights = {60, 27, 10, 3};
constexpr std::uint32_t kAverageQuality = 1000;
constexpr std::uint32_t kAverageRanks = 100;

struct Seller {
  std::int64_t firstProduct = 0;
  std::int32_t products = 0;
  std::uint16_t quality = 1000;
  std::uint8_t country = 0;
};

constexpr std::array<const char*, 3> kCancelledBy = {"seller", "buyer", "operator"};
constexpr std::array<std::uint32_t, 3> kCancelledByWeights = {35, 50, 15};

constexpr std::array<const char*, 9> kTicketKinds = {
    "not_received", "late_delivery", "damaged",  "defective", "not_as_described",
    "wrong_item",   "authenticity",  "question", "other"};
constexpr std::array<std::uint32_t, 9> kTicketKindWeights = {180, 120, 120, 110, 120,
                                                             70,  5,   175, 100};
constexpr std::size_t kNotReceived = 0;

// Closed statuses, by whether the operator stepped in.
constexpr std::array<const char*, 6> kClosedStatuses = {"granted_seller_funded",
                                                        "granted_operator_funded",
                                                        "refunded",
                                                        "resolved",
                                                        "withdrawn",
                                                        "refused"};
constexpr std::array<std::uint32_t, 6> kClosedWeightsEscalated = {20, 25, 25, 5, 10, 15};
constexpr std::array<std::uint32_t, 6> kClosedWeightsDirect = {15, 0, 25, 40, 12, 8};
constexpr std::array<const char*, 2> kEscalatedOpenStatuses = {"escalated", "under_review"};

constexpr std::array<const char*, 4> kRefundMethods = {"original_payment", "bank_transfer",
                                                       "store_credit", "promo_code"};
constexpr std::array<std::uint32_t, 4> kRefundMethodWeights = {70, 10, 12, 8};
constexpr std::array<const char*, 8> kRefundReasons = {
    "non_conforming", "defective", "late_delivery", "not_received",
    "price_match",    "return",    "goodwill",      "other"};
constexpr std::array<std::uint32_t, 8> kTicketRefundReasons = {25, 25, 15, 25, 0, 5, 3, 2};
constexpr std::array<std::uint32_t, 8> kSpontaneousRefundReasons = {5, 5, 10, 5, 25, 25, 20, 5};

constexpr std::array<const char*, 3> kResolutions = {"refund", "replacement", "rejected"};
constexpr std::array<std::uint32_t, 3> kResolutionWeights = {60, 20, 20};

// Counts of what was made, for the summary.
struct Counts {
  std::array<std::int64_t, kTableCount> rows = {};
  std::int64_t cancelled = 0;
  std::int64_t byOperator = 0;
  std::int64_t shipByNull = 0;
  std::int64_t lateShipped = 0;
  std::int64_t unshipped = 0;
  std::int64_t lateDelivered = 0;
  std::int64_t ticketOrders = 0;
  std::int64_t refundOrders = 0;
  std::int64_t ratedLow = 0;
};

class Generator {
 public:
  Generator(const Options& options, std::vector<std::unique_ptr<Sink>> sinks)
      : o_(options), random_(options.seed), sinks_(std::move(sinks)), row_(&times_) {}

  Counts run() {
    makeSellers();
    const Timestamp begin = o_.now - o_.days * kDay;
    const Timestamp span = o_.days * kDay;
    const auto started = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < o_.orders; ++i) {
      // Order ids follow time, as a marketplace's do, with some jitter.
      const Timestamp at = std::min(
          o_.now, begin + i * span / o_.orders + static_cast<Timestamp>(random_.below(600)));
      makeOrder(i + 1, at);
      if ((i + 1) % 1000000 == 0) {
        std::cerr
            << "generate_marketplace: " << (i + 1) << " orders, "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
      }
    }
    for (auto& sink : sinks_) sink->finish();
    return counts_;
  }

 private:
  void emit(Table table) {
    ++counts_.rows[table];
    for (auto& sink : sinks_) sink->write(table, row_);
  }

  std::int64_t scaled(std::int64_t ppm, const Seller& s) const {
    return std::min<std::int64_t>(kPpm, ppm * s.quality / 1000);
  }

  // Sellers, their products, and the Zipf (exponent 1) weights of seller
  // ranks as integer cumulative sums; ranks map to ids through a shuffle,
  // so the largest seller is not seller 1.
  void makeSellers() {
    const auto n = static_cast<std::size_t>(o_.sellers);
    sellers_.resize(n);
    rankToSeller_.resize(n);
    cumulative_.resize(n);
    for (std::size_t i = 0; i < n; ++i) rankToSeller_[i] = static_cast<std::int64_t>(i) + 1;
    for (std::size_t i = n - 1; i > 0; --i) {
      std::swap(rankToSeller_[i], rankToSeller_[random_.below(i + 1)]);
    }
    std::uint64_t sum = 0;
    for (std::size_t rank = 0; rank < n; ++rank) {
      sum += (std::uint64_t{1} << 40) / (rank + 1);
      cumulative_[rank] = sum;
    }
    std::vector<std::uint32_t> rankOf(n);
    for (std::size_t rank = 0; rank < n; ++rank) {
      rankOf[static_cast<std::size_t>(rankToSeller_[rank] - 1)] = static_cast<std::uint32_t>(rank);
    }
    std::int64_t nextProduct = 1;
    for (std::size_t i = 0; i < n; ++i) {
      Seller& s = sellers_[i];
      // ~10 products on average; the largest sellers have many more.
      s.products = static_cast<std::int32_t>(random_.between(1, 19) + 2000 / (rankOf[i] + 1));
      s.firstProduct = nextProduct;
      nextProduct += s.products;
      const std::uint32_t drawn = kQualityFactors[random_.pick(kQualityWeights)];
      s.quality = static_cast<std::uint16_t>(rankOf[i] < kAverageRanks ? kAverageQuality : drawn);
      s.country = static_cast<std::uint8_t>(random_.pick(kCountryWeights));
      const Timestamp created = o_.now - o_.days * kDay - random_.between(kDay, 1500 * kDay);
      const std::string name = "Seller " + std::to_string(i + 1);
      row_.reset()
          .integer(static_cast<std::int64_t>(i) + 1)
          .text(name)
          .text(kCountries[s.country].code)
          .time(created)
          .time(std::min(o_.now, created + random_.between(0, 30 * kDay)));
      emit(kSellers);
    }
  }

  std::int64_t drawSeller() {
    const std::uint64_t r = random_.below(cumulative_.back());
    const auto rank =
        std::upper_bound(cumulative_.begin(), cumulative_.end(), r) - cumulative_.begin();
    return rankToSeller_[static_cast<std::size_t>(rank)];
  }

  // A time if it has happened by now.
  std::optional<Timestamp> past(Timestamp t) const {
    return t <= o_.now ? std::optional<Timestamp>(t) : std::nullopt;
  }

  static Timestamp latest(std::initializer_list<std::optional<Timestamp>> times) {
    Timestamp out = 0;
    for (const auto& t : times) {
      if (t) out = std::max(out, *t);
    }
    return out;
  }

  struct Order {
    std::int64_t id = 0;
    std::int64_t sellerId = 0;
    std::int64_t productId = 0;
    Timestamp ordered = 0;
    std::optional<Timestamp> shipBy, shipped, promised, delivered, cancelled;
    std::int64_t cents = 0;
  };

  void makeOrder(std::int64_t id, Timestamp at) {
    Order o;
    o.id = id;
    o.sellerId = drawSeller();
    const Seller& s = sellers_[static_cast<std::size_t>(o.sellerId - 1)];
    // A few products sell most: the smaller of two uniform draws.
    o.productId = s.firstProduct + static_cast<std::int64_t>(random_.below(
                                       random_.below(static_cast<std::uint64_t>(s.products)) + 1));
    o.ordered = at;
    const bool byOperator = random_.chance(300000);
    if (random_.chance(930000)) o.shipBy = at + random_.between(1, 3) * kDay;
    o.promised = at + (byOperator ? random_.between(2, 4) : random_.between(3, 7)) * kDay +
                 random_.between(0, 12 * kHour);
    std::optional<std::int64_t> trackingValid;
    const char* cancelledBy = nullptr;
    // The operator's own logistics are a little better than average.
    const std::int64_t quality = byOperator ? 700 : s.quality;
    const auto late = [&](std::int64_t ppm) {
      return random_.chance(std::min<std::int64_t>(kPpm, ppm * quality / 1000));
    };
    if (random_.chance(40000)) {
      // A cancellation still to come has not happened: the order is open
      // for now (not cancelled at `now`, which would stamp thousands of
      // rows with the same updated_at).
      cancelledBy = kCancelledBy[random_.pick(kCancelledByWeights)];
      o.cancelled = past(at + random_.between(600, 2 * kDay));
      if (o.cancelled) {
        ++counts_.cancelled;
      } else {
        cancelledBy = nullptr;
      }
    }
    if (!o.cancelled) {
      Timestamp ship = 0;
      if (o.shipBy && late(40000)) {
        ship = *o.shipBy + random_.between(kHour, 3 * kDay);
      } else if (o.shipBy) {
        ship = at + random_.between(30 * kMinute, *o.shipBy - at);
      } else {
        ship = at + random_.between(kHour, 2 * kDay);
      }
      o.shipped = past(ship);
      if (!o.shipped) ++counts_.unshipped;
      if (o.shipBy && (ship > *o.shipBy)) ++counts_.lateShipped;
    }
    if (o.shipped) {
      const std::uint64_t tracking = random_.below(1000);
      if (tracking < 930) {
        trackingValid = 1;
      } else if (tracking < 970) {
        trackingValid = 0;
      }
      if (!random_.chance(3000)) {  // else lost in transit: never delivered
        const Timestamp earliest = *o.shipped + 6 * kHour;
        Timestamp delivered = 0;
        // ~5% late in all, with the late shipments' share.
        if (late(36000) || earliest > *o.promised) {
          delivered = std::max(earliest, *o.promised + random_.between(kHour, 4 * kDay));
        } else {
          delivered = random_.between(earliest, *o.promised);
        }
        o.delivered = past(delivered);
        if (delivered > *o.promised) ++counts_.lateDelivered;
      }
    }
    o.cents = random_.between(500, 50000);
    if (byOperator) ++counts_.byOperator;
    if (!o.shipBy) ++counts_.shipByNull;
    row_.reset()
        .integer(o.id)
        .integer(o.sellerId)
        .integer(o.productId)
        .time(o.ordered)
        .time(o.shipBy)
        .time(o.shipped)
        .time(o.promised)
        .time(o.delivered)
        .time(o.cancelled);
    if (cancelledBy != nullptr) {
      row_.text(cancelledBy);
    } else {
      row_.null();
    }
    row_.integer(trackingValid)
        .text(byOperator ? "operator" : "seller")
        .cents(o.cents)
        .text(kCountries[s.country].currency)
        // Last changed by its latest event; ship-by and promise are
        // deadlines set when the order is placed, often still ahead.
        .time(latest({o.ordered, o.shipped, o.delivered, o.cancelled}));
    emit(kOrders);
    makeAfterSales(o, s);
  }

  struct Ticket {
    std::int64_t id = 0;
    std::optional<Timestamp> closed;
    Timestamp opened = 0;
  };

  void makeAfterSales(const Order& o, const Seller& s) {
    std::optional<Ticket> firstTicket;
    if (random_.chance(scaled(60000, s))) {
      const int n = random_.chance(200000) ? 2 : 1;
      for (int i = 0; i < n; ++i) {
        std::optional<Ticket> t = makeTicket(o, s);
        if (!firstTicket) firstTicket = t;
      }
      if (firstTicket) ++counts_.ticketOrders;
    }
    bool refunded = false;
    if (firstTicket && random_.chance(250000)) {
      refunded = makeRefund(
          o, firstTicket->id,
          firstTicket->closed.value_or(firstTicket->opened + random_.between(kHour, 3 * kDay)),
          kTicketRefundReasons);
    }
    if (o.delivered && random_.chance(16500)) {
      refunded = makeRefund(o, std::nullopt, *o.delivered + random_.between(kHour, 20 * kDay),
                            kSpontaneousRefundReasons) ||
                 refunded;
    }
    if (refunded) ++counts_.refundOrders;
    if (o.delivered && random_.chance(22000)) makeReturn(o);
    if (o.delivered && random_.chance(385000)) makeRating(o, s);
    if (random_.chance(scaled(3000, s))) {
      if (const auto at = past(o.ordered + random_.between(5 * kDay, 60 * kDay))) {
        row_.reset()
            .integer(++nextChargeback_)
            .integer(o.id)
            .integer(o.sellerId)
            .time(*at)
            .text(random_.chance(600000) ? "service" : "fraud")
            .time(*at);
        emit(kChargebacks);
      }
    }
  }

  // Returns the ticket, or nothing if it would open in the future.
  std::optional<Ticket> makeTicket(const Order& o, const Seller& s) {
    const std::size_t kind = random_.pick(kTicketKindWeights);
    const Timestamp from = kind == kNotReceived && o.promised ? *o.promised
                           : o.delivered                      ? *o.delivered
                           : o.shipped                        ? *o.shipped
                                                              : o.ordered;
    const std::optional<Timestamp> opened = past(from + random_.between(kHour, 10 * kDay));
    if (!opened) return std::nullopt;
    std::optional<Timestamp> response;
    if (!random_.chance(scaled(50000, s))) {
      // Mostly within hours, with a long tail.
      const std::uint64_t band = random_.below(100);
      const Timestamp delay = band < 70   ? random_.between(5 * kMinute, 12 * kHour)
                              : band < 90 ? random_.between(12 * kHour, 48 * kHour)
                              : band < 98 ? random_.between(48 * kHour, 7 * kDay)
                                          : random_.between(7 * kDay, 20 * kDay);
      response = past(*opened + delay);
    }
    std::optional<Timestamp> escalated;
    if (random_.chance(80000)) {
      escalated = past(latest({opened, response}) + random_.between(kHour, 5 * kDay));
    }
    std::optional<Timestamp> closed;
    const char* status = "open";
    if (random_.chance(850000)) {
      closed = past(latest({opened, response, escalated}) + random_.between(kHour, 5 * kDay));
    }
    if (closed) {
      status =
          kClosedStatuses[random_.pick(escalated ? kClosedWeightsEscalated : kClosedWeightsDirect)];
    } else if (escalated) {
      status = kEscalatedOpenStatuses[random_.below(2)];
    }
    Ticket t{++nextTicket_, closed, *opened};
    row_.reset().integer(t.id).integer(o.id).integer(o.sellerId);
    if (random_.chance(300000)) {
      row_.integer(o.productId);
    } else {
      row_.null();
    }
    row_.text(kTicketKinds[kind])
        .text(status)
        .time(*opened)
        .time(response)
        .time(escalated)
        .time(closed)
        .time(latest({opened, response, escalated, closed}));
    emit(kTickets);
    return t;
  }

  template <std::size_t N>
  bool makeRefund(const Order& o, std::optional<std::int64_t> ticketId, Timestamp at,
                  const std::array<std::uint32_t, N>& reasonWeights) {
    if (!past(at)) return false;
    const bool full = random_.chance(600000);
    const std::int64_t cents = full ? o.cents : o.cents * random_.between(10, 90) / 100;
    row_.reset()
        .integer(++nextRefund_)
        .integer(o.id)
        .integer(o.sellerId)
        .integer(ticketId)
        .time(at)
        .cents(std::max<std::int64_t>(cents, 1))
        .text(kRefundMethods[random_.pick(kRefundMethodWeights)])
        .text(full ? "full" : "partial")
        .text(kRefundReasons[random_.pick(reasonWeights)])
        .time(at);
    emit(kRefunds);
    return true;
  }

  void makeReturn(const Order& o) {
    const std::optional<Timestamp> requested =
        past(*o.delivered + random_.between(kHour, 14 * kDay));
    if (!requested) return;
    std::optional<Timestamp> received;
    if (random_.chance(850000)) received = past(*requested + random_.between(2 * kDay, 10 * kDay));
    std::optional<Timestamp> resolved;
    if (random_.chance(900000)) {
      resolved = past(latest({requested, received}) + random_.between(kHour, 20 * kDay));
    }
    row_.reset()
        .integer(++nextReturn_)
        .integer(o.id)
        .integer(o.sellerId)
        .time(*requested)
        .time(received)
        .time(resolved);
    if (resolved) {
      row_.text(kResolutions[random_.pick(kResolutionWeights)]);
    } else {
      row_.null();
    }
    row_.time(latest({requested, received, resolved}));
    emit(kReturnRequests);
  }

  void makeRating(const Order& o, const Seller& s) {
    const std::optional<Timestamp> at = past(*o.delivered + random_.between(kHour, 14 * kDay));
    if (!at) return;
    std::int64_t stars = 0;
    if (random_.chance(scaled(100000, s))) {
      stars = random_.chance(600000) ? 1 : 2;
      ++counts_.ratedLow;
    } else {
      const std::uint64_t r = random_.below(100);
      stars = r < 70 ? 5 : r < 92 ? 4 : 3;
    }
    row_.reset()
        .integer(++nextRating_)
        .integer(o.id)
        .integer(o.sellerId)
        .integer(o.productId)
        .integer(stars)
        .time(*at)
        .time(*at);
    emit(kRatings);
  }

  const Options o_;
  Random random_;
  std::vector<std::unique_ptr<Sink>> sinks_;
  TimeFormatter times_;
  Row row_;
  std::vector<Seller> sellers_;             // by seller_id - 1
  std::vector<std::int64_t> rankToSeller_;  // Zipf rank -> seller_id
  std::vector<std::uint64_t> cumulative_;   // Zipf weights, cumulative by rank
  std::int64_t nextTicket_ = 0;
  std::int64_t nextRefund_ = 0;
  std::int64_t nextReturn_ = 0;
  std::int64_t nextRating_ = 0;
  std::int64_t nextChargeback_ = 0;
  Counts counts_;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "generate_marketplace: " << problem
            << "\nusage: generate_marketplace [--sellers N] [--orders N] [--days N] [--seed N]\n"
               "         [--now \"YYYY-MM-DD HH:MM:SS\"] [--tsv-dir DIR] [--sqlite FILE]\n";
  std::exit(2);
}

std::int64_t positive(const std::string& name, const std::string& text) {
  std::int64_t v = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (error != std::errc() || end != text.data() + text.size() || v < 1) {
    usage(name + " needs a positive integer, not '" + text + "'");
  }
  return v;
}

Options parse(int argc, char** argv) {
  Options o;
  o.now = static_cast<Timestamp>(std::time(nullptr));
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    std::string value;
    const std::size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      usage(name + " needs a value");
    }
    if (name == "--sellers") {
      o.sellers = positive(name, value);
    } else if (name == "--orders") {
      o.orders = positive(name, value);
    } else if (name == "--days") {
      o.days = positive(name, value);
    } else if (name == "--seed") {
      o.seed = static_cast<std::uint64_t>(positive(name, value));
    } else if (name == "--now") {
      const std::optional<Timestamp> now = parseUtc(value);
      if (!now) usage("--now needs \"YYYY-MM-DD HH:MM:SS\", not '" + value + "'");
      o.now = *now;
    } else if (name == "--tsv-dir") {
      o.tsvDir = value;
    } else if (name == "--sqlite") {
      o.sqlitePath = value;
    } else {
      usage("unknown option " + name);
    }
  }
  if (o.tsvDir.empty() && o.sqlitePath.empty()) usage("give --tsv-dir, --sqlite or both");
  return o;
}

std::string percent(std::int64_t part, std::int64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%",
                whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

}  // namespace
}  // namespace sellertrust

int main(int argc, char** argv) {
  using namespace sellertrust;
  const Options options = parse(argc, argv);
  try {
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Sink>> sinks;
    if (!options.tsvDir.empty()) sinks.push_back(std::make_unique<TsvSink>(options.tsvDir));
    if (!options.sqlitePath.empty()) {
      sinks.push_back(std::make_unique<SqliteSink>(options.sqlitePath));
    }
    const Counts c = Generator(options, std::move(sinks)).run();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "generate_marketplace: done in " << seconds << " s, now " << formatUtc(options.now)
              << ", seed " << options.seed << "\n";
    for (int t = 0; t < kTableCount; ++t) {
      std::cerr << "  " << tableSpecs()[static_cast<std::size_t>(t)].name << ": "
                << c.rows[static_cast<std::size_t>(t)] << " rows\n";
    }
    const std::int64_t n = c.rows[kOrders];
    std::cerr << "  orders cancelled " << percent(c.cancelled, n) << ", by operator "
              << percent(c.byOperator, n) << ", without ship_by_at " << percent(c.shipByNull, n)
              << ", shipped late " << percent(c.lateShipped, n) << ", unshipped "
              << percent(c.unshipped, n) << ", delivered late " << percent(c.lateDelivered, n)
              << "\n  orders with tickets " << percent(c.ticketOrders, n) << ", refunds "
              << percent(c.refundOrders, n) << ", ratings " << percent(c.rows[kRatings], n)
              << " (1-2 stars " << percent(c.ratedLow, c.rows[kRatings]) << ")\n";
  } catch (const Poco::Exception& e) {
    std::cerr << "generate_marketplace: " << e.displayText() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "generate_marketplace: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
