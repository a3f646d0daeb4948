#include "sellertrust/tally_buckets.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>

#include "sellertrust/varint.h"

namespace sellertrust {
namespace {

// 0 for none, else 1 + the zigzagged time.
void putTime(std::string* out, const std::optional<Timestamp>& t) {
  varint::put(out, t ? varint::zigzag(*t) + 1 : 0);
}
bool getTime(const std::string& in, std::size_t* at, std::optional<Timestamp>* t) {
  std::uint64_t v = 0;
  if (!varint::tryGet(in, at, &v)) return false;
  *t = v == 0 ? std::nullopt : std::optional<Timestamp>(varint::unzigzag(v - 1));
  return true;
}

// The number of entries, then each key as a delta from the one before and
// its count.
void putHistogram(std::string* out, const Histogram& h) {
  varint::put(out, h.size());
  std::int64_t previous = 0;
  for (const auto& [key, count] : h) {
    varint::putSigned(out, varint::minus(key, previous));
    varint::putSigned(out, count);
    previous = key;
  }
}

// A bucket's start, as the delta in widths from `previous` (the start of
// the bucket before, in widths), which it becomes.
void putStart(std::string* out, Timestamp start, Timestamp width, std::int64_t* previous) {
  if (start % width != 0) {
    throw std::logic_error("a bucket that starts at " + std::to_string(start) +
                           ", not at a whole " + std::to_string(width) + " seconds");
  }
  const std::int64_t b = start / width;
  varint::putSigned(out, varint::minus(b, *previous));
  *previous = b;
}

// What precedes the buckets: their width and the other due time.
void putHeader(std::string* out, Timestamp width, const std::optional<Timestamp>& otherDue) {
  varint::put(out, static_cast<std::uint64_t>(width));
  putTime(out, otherDue);
}

// A bucket's due time, counts and histograms: what follows its start.
void putBody(std::string* out, const TallyBucket& bucket) {
  putTime(out, bucket.due);
  for (std::int64_t count : bucket.tally.counts) varint::putSigned(out, count);
  putHistogram(out, bucket.tally.responseSeconds);
  putHistogram(out, bucket.tally.productClaims);
}

// At most how many bytes putStart and putBody take for `bucket`: a
// varint takes at most 10.
std::size_t packedBound(const TallyBucket& bucket) {
  constexpr std::size_t kVarint = 10;
  return kVarint * (2 + kTallyCount + 2 +
                    2 * (bucket.tally.responseSeconds.size() + bucket.tally.productClaims.size()));
}

// One bucket as scanned: its start, due time and counts, and where its
// bytes lie (from `body`, what follows its start, to `end`).
struct Scanned {
  Timestamp start = 0;
  std::optional<Timestamp> due;
  std::array<std::int64_t, kTallyCount> counts{};
  std::size_t body = 0;
  std::size_t end = 0;
};

// Reads packed buckets one at a time, checked as they are read.
class Scanner {
 public:
  explicit Scanner(const std::string& bytes) : bytes_(bytes) {}

  // The width and the other due time: false if they are not whole. Bytes
  // of no buckets at all read as a day's width and no due time.
  bool header(Timestamp* width, std::optional<Timestamp>* otherDue) {
    *width = kSecondsPerDay;
    otherDue->reset();
    if (bytes_.empty()) return true;
    std::uint64_t w = 0;
    if (!varint::tryGet(bytes_, &at_, &w) ||
        std::find(std::begin(kBucketWidths), std::end(kBucketWidths), w) ==
            std::end(kBucketWidths)) {
      return false;
    }
    *width = width_ = static_cast<Timestamp>(w);
    return getTime(bytes_, &at_, otherDue);
  }

  bool atEnd() const { return at_ >= bytes_.size(); }

  // The next bucket (call while !atEnd()), and if wants(its start) each
  // entry of its histograms given to onEntry(histogram, key, count),
  // histogram 0 the response times and 1 the product claims: false if it
  // is not whole, or its start or keys do not ascend (as packing gives).
  template <typename Wants, typename OnEntry>
  bool next(Scanned* s, Wants wants, OnEntry onEntry) {
    std::int64_t delta = 0;
    if (!varint::tryGetSigned(bytes_, &at_, &delta)) return false;
    // In widths: starts are multiples of the width.
    const std::int64_t b = varint::plus(b_, delta);
    if (started_ && b <= b_) return false;
    b_ = b;
    started_ = true;
    s->start = varint::times(b_, width_);
    const bool entries = wants(s->start);
    s->body = at_;
    if (!getTime(bytes_, &at_, &s->due)) return false;
    for (std::int64_t& count : s->counts) {
      if (!varint::tryGetSigned(bytes_, &at_, &count)) return false;
    }
    for (int histogram = 0; histogram < 2; ++histogram) {
      std::uint64_t n = 0;
      if (!varint::tryGet(bytes_, &at_, &n)) return false;
      std::int64_t key = 0;
      for (std::uint64_t i = 0; i < n; ++i) {
        std::int64_t count = 0;
        if (!varint::tryGetSigned(bytes_, &at_, &delta) ||
            !varint::tryGetSigned(bytes_, &at_, &count)) {
          return false;
        }
        const std::int64_t previous = key;
        key = varint::plus(key, delta);
        if (i > 0 && key <= previous) return false;
        if (entries) onEntry(histogram, key, count);
      }
    }
    s->end = at_;
    return true;
  }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
  Timestamp width_ = kSecondsPerDay;
  std::int64_t b_ = 0;  // the start of the bucket before, in widths
  bool started_ = false;
};

// Calls onBucket(scanned, tally) for each bucket of `bytes`, its tally
// unpacked if unpackIf(its start) (else only its counts), until it returns
// false; and gives the width and other due time: false if the bytes read
// are not whole buckets.
template <typename UnpackIf, typename OnBucket>
bool scan(const std::string& bytes, UnpackIf unpackIf, Timestamp* width,
          std::optional<Timestamp>* otherDue, OnBucket onBucket) {
  Scanner in(bytes);
  if (!in.header(width, otherDue)) return false;
  Scanned s;
  SellerTally tally;
  while (!in.atEnd()) {
    tally = SellerTally();
    const bool whole =
        in.next(&s, unpackIf, [&](int histogram, std::int64_t key, std::int64_t count) {
          (histogram == 0 ? tally.responseSeconds : tally.productClaims)[key] = count;
        });
    if (!whole) return false;
    tally.counts = s.counts;
    if (!onBucket(s, std::move(tally))) break;
  }
  return true;
}

// The buckets of `bytes`, checked as they are read: false if they are not
// whole.
bool decode(const std::string& bytes, SellerBuckets* out) {
  const auto all = [](Timestamp) { return true; };
  return scan(bytes, all, &out->width, &out->otherDue, [&](const Scanned& s, SellerTally tally) {
    TallyBucket& bucket = out->buckets[s.start];
    bucket.due = s.due;
    bucket.tally = std::move(tally);
    return true;
  });
}

bool none(Timestamp) { return false; }
void noEntry(int, std::int64_t, std::int64_t) {}

void throwNotWhole() { throw std::logic_error("packed buckets that are not whole"); }

// The next bucket of `in` into `s`: false at the end.
bool nextOf(Scanner* in, Scanned* s) {
  if (in->atEnd()) return false;
  if (!in->next(s, none, noEntry)) throwNotWhole();
  return true;
}

}  // namespace

Timestamp bucketWidth(std::int64_t windowOrders, Timestamp windowSeconds,
                      std::int64_t ordersPerBucket) {
  for (Timestamp width : kBucketWidths) {
    // windowOrders * width / windowSeconds <= ordersPerBucket, in doubles:
    // no product overflows.
    if (static_cast<double>(windowOrders) * static_cast<double>(width) <=
        static_cast<double>(ordersPerBucket) * static_cast<double>(windowSeconds)) {
      return width;
    }
  }
  return std::end(kBucketWidths)[-1];
}

// The width, otherDue, then per bucket: its start's delta from the bucket
// before in widths, due, every count, the two histograms.
PackedBuckets::PackedBuckets(const SellerBuckets& buckets) {
  putHeader(&bytes_, buckets.width, buckets.otherDue);
  std::int64_t previous = 0;
  for (const auto& [start, bucket] : buckets.buckets) {
    putStart(&bytes_, start, buckets.width, &previous);
    putBody(&bytes_, bucket);
  }
  bytes_.shrink_to_fit();
}

SellerBuckets PackedBuckets::unpack() const {
  SellerBuckets out;
  if (!decode(bytes_, &out)) throwNotWhole();
  return out;
}

BucketOutline PackedBuckets::outline(Timestamp now, const std::set<Timestamp>& times) const {
  BucketOutline out;
  Scanner in(bytes_);
  if (!in.header(&out.width, &out.otherDue)) throwNotWhole();
  std::set<Timestamp> starts;
  for (Timestamp t : times) starts.insert(bucketStart(t, out.width));
  Scanned s;
  while (nextOf(&in, &s)) {
    if ((s.due && *s.due <= now) || starts.count(s.start) != 0) {
      out.buckets.push_back({s.start, s.due, s.counts[static_cast<std::size_t>(TallyId::kOrders)]});
    }
  }
  return out;
}

const BucketOutline::Bucket* BucketOutline::find(Timestamp start) const {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), start,
                             [](const Bucket& b, Timestamp t) { return b.start < t; });
  return it != buckets.end() && it->start == start ? &*it : nullptr;
}

std::map<Timestamp, TallyBucket> PackedBuckets::select(const std::set<Timestamp>& starts) const {
  std::map<Timestamp, TallyBucket> out;
  if (starts.empty()) return out;
  Timestamp width = 0;
  std::optional<Timestamp> otherDue;
  const auto selected = [&](Timestamp start) { return starts.count(start) != 0; };
  // The buckets ascend: none past the last start asked is scanned further
  // (a run asks for the first few, those orders left).
  if (!scan(bytes_, selected, &width, &otherDue, [&](const Scanned& s, SellerTally tally) {
        if (s.start > *starts.rbegin()) return false;
        if (selected(s.start)) out[s.start] = {std::move(tally), s.due};
        return true;
      })) {
    throwNotWhole();
  }
  return out;
}

SplicedBuckets PackedBuckets::splice(const std::set<Timestamp>& drop,
                                     const std::map<Timestamp, TallyBucket>& put, Timestamp width,
                                     std::optional<Timestamp> otherDue,
                                     SpliceBuffers* buffers) const {
  SplicedBuckets out;
  std::string& bytes = out.packed.bytes_;
  SpliceBuffers own;
  std::vector<Histogram::Entry>* entries = (buffers != nullptr ? buffers : &own)->entries;
  for (int h = 0; h < 2; ++h) entries[h].clear();
  // The bytes are reserved once, for those kept and at most those put,
  // rather than grown step by step (which writes every step's pages).
  std::size_t putBytes = 0;
  for (const auto& [at, bucket] : put) putBytes += packedBound(bucket);
  constexpr std::size_t kHeaderBound = 20;
  bytes.reserve(kHeaderBound + bytes_.size() + putBytes);
  putHeader(&bytes, width, otherDue);
  std::int64_t previous = 0;
  // Puts the start of a bucket, then counts it in.
  const auto start = [&](Timestamp at, const std::optional<Timestamp>& due,
                         const std::array<std::int64_t, kTallyCount>& counts) {
    putStart(&bytes, at, width, &previous);
    for (std::size_t i = 0; i < counts.size(); ++i) out.sum.counts[i] += counts[i];
    if (due && (!out.due || *due < *out.due)) out.due = due;
    out.empty = false;
  };
  // For the delta: where the bucket put and the buckets not kept lie
  // (start, the bytes after it: from, to), in `bytes` and in these.
  struct Span {
    Timestamp start;
    std::size_t from;
    std::size_t to;
  };
  std::vector<Span> written;
  std::vector<Span> notKept;
  auto next = put.begin();
  const auto putUntil = [&](std::optional<Timestamp> before) {
    for (; next != put.end() && (!before || next->first < *before); ++next) {
      const TallyBucket& bucket = next->second;
      start(next->first, bucket.due, bucket.tally.counts);
      const std::size_t body = bytes.size();
      putBody(&bytes, bucket);
      written.push_back({next->first, body, bytes.size()});
      for (int h = 0; h < 2; ++h) {
        const Histogram& of = h == 0 ? bucket.tally.responseSeconds : bucket.tally.productClaims;
        entries[h].insert(entries[h].end(), of.begin(), of.end());
      }
    }
  };
  Scanner in(bytes_);
  Timestamp ownWidth = 0;
  std::optional<Timestamp> ownOtherDue;
  if (!in.header(&ownWidth, &ownOtherDue)) throwNotWhole();
  if (!in.atEnd() && ownWidth != width) {
    throw std::logic_error("buckets " + std::to_string(ownWidth) + " seconds wide spliced as " +
                           std::to_string(width));
  }
  // A bucket kept has its entries counted in as it is read.
  const auto keeps = [&](Timestamp at) { return drop.count(at) == 0 && put.count(at) == 0; };
  Scanned s;
  while (!in.atEnd()) {
    if (!in.next(&s, keeps, [&](int h, std::int64_t key, std::int64_t count) {
          entries[h].emplace_back(key, count);
        })) {
      throwNotWhole();
    }
    putUntil(s.start);
    if (!keeps(s.start)) {
      notKept.push_back({s.start, s.body, s.end});
      continue;
    }
    start(s.start, s.due, s.counts);
    bytes.append(bytes_, s.body, s.end - s.body);
  }
  putUntil(std::nullopt);
  // The delta: the buckets not kept, less those put back byte for byte;
  // the others put. As deltaTo gives it, for buckets that had bytes, of
  // the same width.
  if (!bytes_.empty() && ownWidth == width) {
    BucketDelta& delta = out.delta.emplace();
    std::string& changed = delta.put.bytes_;
    putHeader(&changed, width, otherDue);
    std::int64_t previousStart = 0;
    auto was = notKept.begin();
    for (const Span& w : written) {
      for (; was != notKept.end() && was->start < w.start; ++was) delta.drop.insert(was->start);
      if (was != notKept.end() && was->start == w.start) {
        const bool same =
            bytes_.compare(was->from, was->to - was->from, bytes, w.from, w.to - w.from) == 0;
        ++was;
        if (same) continue;
      }
      putStart(&changed, w.start, width, &previousStart);
      changed.append(bytes, w.from, w.to - w.from);
    }
    for (; was != notKept.end(); ++was) delta.drop.insert(was->start);
    changed.shrink_to_fit();
  }
  out.sum.responseSeconds = Histogram::sumOf(&entries[0]);
  out.sum.productClaims = Histogram::sumOf(&entries[1]);
  // Kept as reserved unless buckets dropped left an eighth of it unused.
  if (bytes.capacity() - bytes.size() > bytes.size() / 8) bytes.shrink_to_fit();
  return out;
}

std::optional<BucketDelta> PackedBuckets::deltaTo(const PackedBuckets& after) const {
  if (bytes_.empty() || after.bytes_.empty()) return std::nullopt;
  Scanner was(bytes_);
  Scanner is(after.bytes_);
  Timestamp wasWidth = 0;
  Timestamp width = 0;
  std::optional<Timestamp> wasOtherDue;
  std::optional<Timestamp> otherDue;
  if (!was.header(&wasWidth, &wasOtherDue) || !is.header(&width, &otherDue)) throwNotWhole();
  if (wasWidth != width) return std::nullopt;
  BucketDelta delta;
  std::string& put = delta.put.bytes_;
  putHeader(&put, width, otherDue);
  std::int64_t previous = 0;
  Scanned w;
  Scanned s;
  bool more = nextOf(&was, &w);
  while (nextOf(&is, &s)) {
    for (; more && w.start < s.start; more = nextOf(&was, &w)) delta.drop.insert(w.start);
    const bool matched = more && w.start == s.start;  // a bucket at the same start
    const bool same = matched && bytes_.compare(w.body, w.end - w.body, after.bytes_, s.body,
                                                s.end - s.body) == 0;
    if (matched) more = nextOf(&was, &w);
    if (same) continue;
    putStart(&put, s.start, width, &previous);
    put.append(after.bytes_, s.body, s.end - s.body);
  }
  for (; more; more = nextOf(&was, &w)) delta.drop.insert(w.start);
  put.shrink_to_fit();
  return delta;
}

PackedBuckets PackedBuckets::apply(const BucketDelta& delta) const {
  Scanner was(bytes_);
  Scanner put(delta.put.bytes_);
  Timestamp wasWidth = 0;
  Timestamp width = 0;
  std::optional<Timestamp> wasOtherDue;
  std::optional<Timestamp> otherDue;
  if (!was.header(&wasWidth, &wasOtherDue) || !put.header(&width, &otherDue)) throwNotWhole();
  if (!was.atEnd() && wasWidth != width) {
    throw std::logic_error("buckets " + std::to_string(wasWidth) + " seconds wide changed by " +
                           std::to_string(width));
  }
  PackedBuckets out;
  std::string& bytes = out.bytes_;
  putHeader(&bytes, width, otherDue);
  std::int64_t previous = 0;
  const auto copy = [&](const std::string& from, const Scanned& s) {
    putStart(&bytes, s.start, width, &previous);
    bytes.append(from, s.body, s.end - s.body);
  };
  Scanned w;
  Scanned p;
  bool more = nextOf(&put, &p);
  while (nextOf(&was, &w)) {
    for (; more && p.start < w.start; more = nextOf(&put, &p)) copy(delta.put.bytes_, p);
    if (more && p.start == w.start) continue;  // put in its place, next
    if (delta.drop.count(w.start) == 0) copy(bytes_, w);
  }
  for (; more; more = nextOf(&put, &p)) copy(delta.put.bytes_, p);
  bytes.shrink_to_fit();
  return out;
}

std::optional<PackedBuckets> PackedBuckets::fromBytes(std::string bytes) {
  Timestamp width = 0;
  std::optional<Timestamp> otherDue;
  if (!scan(bytes, none, &width, &otherDue,
            [](const Scanned&, const SellerTally&) { return true; })) {
    return std::nullopt;
  }
  PackedBuckets p;
  p.bytes_ = std::move(bytes);
  return p;
}

}  // namespace sellertrust
