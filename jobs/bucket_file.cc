#include "jobs/bucket_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sellertrust {
namespace {

// Line by line:
//   sellertrust-buckets 1 <computedAt> <rulesVersion>
//   s <seller> <otherDue or ->
//   b <bucket> <due or -> <kTallyCount counts> <n> <key count>... <n> <key count>...
//   r <table> <key> <digest>
//   end
// (a bucket line follows its seller's line; the histograms are the response
// seconds, then the product claims; r lines, the recent rows, come last).
constexpr const char* kMagic = "sellertrust-buckets";
constexpr int kFormat = 2;

void writeTime(std::ostream& out, const std::optional<Timestamp>& t) {
  if (t) {
    out << ' ' << *t;
  } else {
    out << " -";
  }
}

bool readTime(std::istream& in, std::optional<Timestamp>* t) {
  std::string word;
  if (!(in >> word)) return false;
  if (word == "-") {
    t->reset();
    return true;
  }
  try {
    std::size_t used = 0;
    *t = std::stoll(word, &used);
    return used == word.size();
  } catch (const std::exception&) {
    return false;
  }
}

void writeHistogram(std::ostream& out, const Histogram& h) {
  out << ' ' << h.size();
  for (const auto& [key, count] : h) out << ' ' << key << ' ' << count;
}

bool readHistogram(std::istream& in, Histogram* h) {
  std::size_t n = 0;
  if (!(in >> n)) return false;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t key = 0;
    std::int64_t count = 0;
    if (!(in >> key >> count)) return false;
    (*h)[key] += count;
  }
  return true;
}

}  // namespace

std::string saveBuckets(const std::string& path, Timestamp computedAt,
                        const std::string& rulesVersion, const BucketState& buckets,
                        const RecentRows& recent) {
  const std::string temporary = path + ".new";
  errno = 0;
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << kMagic << ' ' << kFormat << ' ' << computedAt << ' ' << rulesVersion << '\n';
    for (const auto& [seller, packed] : buckets) {
      const SellerBuckets state = packed.unpack();
      out << "s " << seller;
      writeTime(out, state.otherDue);
      out << '\n';
      for (const auto& [b, bucket] : state.buckets) {
        out << "b " << b;
        writeTime(out, bucket.due);
        for (std::int64_t count : bucket.tally.counts) out << ' ' << count;
        writeHistogram(out, bucket.tally.responseSeconds);
        writeHistogram(out, bucket.tally.productClaims);
        out << '\n';
      }
    }
    for (const auto& [table, rows] : recent.rows) {
      for (const auto& [key, digest] : rows) {
        out << "r " << table << ' ' << key << ' ' << digest << '\n';
      }
    }
    out << "end\n";
    out.flush();
    if (!out) {
      return "cannot write " + temporary +
             (errno != 0 ? std::string(": ") + std::strerror(errno) : "");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return "cannot rename " + temporary + " to " + path + ": " + why;
  }
  return "";
}

std::optional<SavedJobState> loadBuckets(const std::string& path, Timestamp computedAt,
                                         const std::string& rulesVersion) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  {
    std::istringstream header(line);
    std::string magic;
    int format = 0;
    Timestamp at = 0;
    std::string version;
    if (!(header >> magic >> format >> at >> version) || magic != kMagic || format != kFormat ||
        at != computedAt || version != rulesVersion) {
      return std::nullopt;
    }
  }
  SavedJobState state;
  BucketState& buckets = state.buckets;
  std::optional<std::int64_t> id;  // of the seller whose lines these are
  SellerBuckets seller;
  const auto done = [&] {
    if (id) buckets[*id] = PackedBuckets(seller);
  };
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    fields >> kind;
    if (kind == "end") {
      done();
      for (auto& [table, rows] : state.recent.rows) std::sort(rows.begin(), rows.end());
      return state;
    }
    if (kind == "s") {
      done();
      seller = SellerBuckets();
      id.emplace();
      if (!(fields >> *id)) return std::nullopt;
      if (!readTime(fields, &seller.otherDue)) return std::nullopt;
    } else if (kind == "b" && id) {
      std::int64_t b = 0;
      if (!(fields >> b)) return std::nullopt;
      TallyBucket& bucket = seller.buckets[b];
      if (!readTime(fields, &bucket.due)) return std::nullopt;
      for (std::int64_t& count : bucket.tally.counts) {
        if (!(fields >> count)) return std::nullopt;
      }
      if (!readHistogram(fields, &bucket.tally.responseSeconds) ||
          !readHistogram(fields, &bucket.tally.productClaims)) {
        return std::nullopt;
      }
    } else if (kind == "r") {
      std::string table;
      std::int64_t key = 0;
      std::uint64_t digest = 0;
      if (!(fields >> table >> key >> digest)) return std::nullopt;
      state.recent.rows[table].emplace_back(key, digest);
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;  // cut short: no end line
}

}  // namespace sellertrust
