#include "jobs/bucket_file.h"

#include <Poco/Checksum.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sellertrust/varint.h"

namespace sellertrust {
namespace {

// Records, each a text line, then its payload as variable-length
// integers, then a text line that closes it:
//   sellertrust-buckets 6 <computedAt> <rulesVersion>\n   (the whole state)
//   <sellers> then per seller: its id less the one before, the size of its
//     packed buckets (PackedBuckets) plus 1, those bytes; then the recent
//     rows: <tables> then per table: the size of its name, the name,
//     <rows>, then per row: its key less the one before, its digest;
//   end <payload bytes> <CRC-32 of the payload>\n
// then any number of changes, each the state after a later run:
//   changes <computedAt>\n
//   <sellers> then per seller whose buckets the run changed: its id less
//     the one before, then what became of its buckets: kGone; kWhole, the
//     size of its packed buckets and those bytes; or kDelta (BucketDelta),
//     <dropped>, each dropped bucket's start less the one before, then the
//     size of the packed buckets put and those bytes; then the recent
//     rows, all of them, as above;
//   end <payload bytes> <CRC-32 of the payload>\n
// The buckets go as they are packed in memory: a run saves them without
// unpacking any; each seller's are checked whole as they are read back.
constexpr const char* kMagic = "sellertrust-buckets";
constexpr const char* kChanges = "changes";
constexpr int kFormat = 6;
// What became of a seller's buckets, in a change.
enum ChangeKind : std::uint64_t { kGone = 0, kWhole = 1, kDelta = 2 };
// Bytes the writer gathers before each write.
constexpr std::size_t kChunk = 1 << 16;

// A payload, checked for size at every step.
class Payload {
 public:
  Payload(const std::string& bytes, std::size_t at) : bytes_(bytes), at_(at) {}
  bool number(std::uint64_t* v) { return varint::tryGet(bytes_, &at_, v); }
  bool delta(std::int64_t* v) {
    std::int64_t d = 0;
    if (!varint::tryGetSigned(bytes_, &at_, &d)) return false;
    *v = varint::plus(*v, d);
    return true;
  }
  bool text(std::string* out, std::uint64_t size) {
    if (size > bytes_.size() - at_) return false;
    out->assign(bytes_, at_, size);
    at_ += size;
    return true;
  }
  bool text(std::string* out) {
    std::uint64_t size = 0;
    return number(&size) && text(out, size);
  }
  std::size_t at() const { return at_; }

 private:
  const std::string& bytes_;
  std::size_t at_;
};

void putText(std::string* out, const std::string& text) {
  varint::put(out, text.size());
  out->append(text);
}

// `flush` is called after each row.
void putRecent(std::string* out, const RecentRows& recent, const std::function<void()>& flush) {
  varint::put(out, recent.rows.size());
  for (const auto& [table, rows] : recent.rows) {
    putText(out, table);
    varint::put(out, rows.size());
    std::int64_t key = 0;
    for (const auto& [k, digest] : rows) {
      varint::putSigned(out, varint::minus(k, key));
      key = k;
      varint::put(out, digest);
      flush();
    }
  }
}

bool parseRecent(Payload* in, RecentRows* recent) {
  std::uint64_t tables = 0;
  if (!in->number(&tables)) return false;
  for (std::uint64_t t = 0; t < tables; ++t) {
    std::string table;
    std::uint64_t rows = 0;
    if (!in->text(&table) || !in->number(&rows)) return false;
    auto& keys = recent->rows[table];
    std::int64_t key = 0;
    for (std::uint64_t r = 0; r < rows; ++r) {
      std::uint64_t digest = 0;
      if (!in->delta(&key) || !in->number(&digest)) return false;
      keys.emplace_back(key, digest);
    }
    std::sort(keys.begin(), keys.end());  // RecentRows::saw() searches them
  }
  return true;
}

// The line at `*at` of `bytes` without its '\n', which `*at` then passes;
// nullopt if no line ends there.
std::optional<std::string> line(const std::string& bytes, std::size_t* at) {
  const std::size_t end = bytes.find('\n', *at);
  if (end == std::string::npos) return std::nullopt;
  std::string out = bytes.substr(*at, end - *at);
  *at = end + 1;
  return out;
}

// The line that closes a payload of `size` bytes with this CRC-32.
std::string closingLine(std::size_t size, std::uint32_t crc) {
  return "end " + std::to_string(size) + ' ' + std::to_string(crc) + '\n';
}

std::uint32_t crcOf(const char* data, std::size_t size) {
  Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
  crc.update(data, static_cast<unsigned>(size));
  return crc.checksum();
}

// Whether the payload from `start` to `*at` of `bytes` is closed by its
// line, with its size and CRC; `*at` then passes the line.
bool closed(const std::string& bytes, std::size_t start, std::size_t* at) {
  const std::size_t end = *at;
  const std::optional<std::string> closing = line(bytes, at);
  if (!closing) return false;
  std::istringstream in(*closing);
  std::string word;
  std::size_t size = 0;
  std::uint32_t expected = 0;
  std::string extra;
  return (in >> word >> size >> expected) && !(in >> extra) && word == "end" &&
         size == end - start && crcOf(bytes.data() + start, size) == expected;
}

// A seller's entry in the whole state.
void putSeller(std::string* out, std::int64_t seller, std::int64_t* previous,
               const PackedBuckets& packed) {
  varint::putSigned(out, varint::minus(seller, *previous));
  *previous = seller;
  varint::put(out, packed.bytes().size() + 1);
  out->append(packed.bytes());
}

// A seller's entry in a change: its buckets `after` the run (null: gone),
// as what changed since `before` (null: none) where that weighs less; that
// is `known` if given (before->deltaTo(*after)).
void putChange(std::string* out, std::int64_t seller, std::int64_t* previous,
               const PackedBuckets* before, const PackedBuckets* after, const BucketDelta* known) {
  varint::putSigned(out, varint::minus(seller, *previous));
  *previous = seller;
  if (after == nullptr) {
    varint::put(out, kGone);
    return;
  }
  std::optional<BucketDelta> found;
  if (known == nullptr && before != nullptr) {
    found = before->deltaTo(*after);
    if (found) known = &*found;
  }
  if (known != nullptr) {
    std::string entry;
    varint::put(&entry, kDelta);
    varint::put(&entry, known->drop.size());
    Timestamp start = 0;
    for (Timestamp dropped : known->drop) {
      varint::putSigned(&entry, varint::minus(dropped, start));
      start = dropped;
    }
    varint::put(&entry, known->put.bytes().size());
    entry.append(known->put.bytes());
    if (entry.size() < after->bytes().size()) {
      out->append(entry);
      return;
    }
  }
  varint::put(out, kWhole);
  varint::put(out, after->bytes().size());
  out->append(after->bytes());
}

// The packed buckets of `size` bytes at `in`, checked whole.
std::optional<PackedBuckets> packedOf(Payload* in, std::uint64_t size) {
  std::string packed;
  if (!in->text(&packed, size)) return std::nullopt;
  return PackedBuckets::fromBytes(std::move(packed));
}

// The whole state's payload at `*at` (the format above) into `state`;
// `*at` then passes it.
bool parseWhole(const std::string& bytes, std::size_t* at, SavedJobState* state) {
  Payload in(bytes, *at);
  std::uint64_t sellers = 0;
  if (!in.number(&sellers)) return false;
  std::int64_t seller = 0;
  for (std::uint64_t i = 0; i < sellers; ++i) {
    std::uint64_t size = 0;
    if (!in.delta(&seller) || !in.number(&size) || size == 0) return false;
    std::optional<PackedBuckets> read = packedOf(&in, size - 1);
    if (!read) return false;
    state->buckets.emplace_hint(state->buckets.end(), seller, std::move(*read));
  }
  if (!parseRecent(&in, &state->recent)) return false;
  *at = in.at();
  return true;
}

// A change's payload at `*at` (the format above), to `buckets`: each
// seller's buckets after it into `changed` (nullopt: gone), and its
// recent rows into `recent`; `*at` then passes it.
bool parseChange(const std::string& bytes, std::size_t* at, const BucketState& buckets,
                 std::vector<std::pair<std::int64_t, std::optional<PackedBuckets>>>* changed,
                 RecentRows* recent) {
  Payload in(bytes, *at);
  std::uint64_t sellers = 0;
  if (!in.number(&sellers)) return false;
  std::int64_t seller = 0;
  for (std::uint64_t i = 0; i < sellers; ++i) {
    std::uint64_t kind = 0;
    if (!in.delta(&seller) || !in.number(&kind)) return false;
    std::optional<PackedBuckets> after;
    if (kind == kWhole || kind == kDelta) {
      BucketDelta delta;
      std::uint64_t dropped = 0;
      if (kind == kDelta && !in.number(&dropped)) return false;
      Timestamp start = 0;
      for (std::uint64_t d = 0; d < dropped; ++d) {
        if (!in.delta(&start)) return false;
        delta.drop.insert(start);
      }
      std::uint64_t size = 0;
      if (!in.number(&size)) return false;
      after = packedOf(&in, size);
      if (!after) return false;
      if (kind == kDelta) {
        const auto before = buckets.find(seller);
        if (before == buckets.end()) return false;
        delta.put = std::move(*after);
        try {
          after = before->second.apply(delta);
        } catch (const std::logic_error&) {
          return false;  // of another width than the buckets it changes
        }
      }
    } else if (kind != kGone) {
      return false;
    }
    changed->emplace_back(seller, std::move(after));
  }
  if (!parseRecent(&in, recent)) return false;
  *at = in.at();
  return true;
}

std::string errnoText() { return errno != 0 ? std::string(": ") + std::strerror(errno) : ""; }

}  // namespace

std::optional<SavedJobState> BucketFile::load(Timestamp computedAt,
                                              const std::string& rulesVersion) {
  held_.reset();
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return std::nullopt;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::size_t at = 0;
  const std::optional<std::string> header = line(bytes, &at);
  if (!header) return std::nullopt;
  Held held;
  {
    std::istringstream in(*header);
    std::string magic;
    int format = 0;
    if (!(in >> magic >> format >> held.computedAt >> held.rulesVersion) || magic != kMagic ||
        format != kFormat || held.rulesVersion != rulesVersion) {
      return std::nullopt;
    }
  }
  SavedJobState state;
  const std::size_t start = at;
  if (!parseWhole(bytes, &at, &state) || !closed(bytes, start, &at)) return std::nullopt;
  held.wholeBytes = at;
  // The changes, up to the run asked for; a change cut short or damaged
  // ends them (a save that failed half way).
  while (held.computedAt != computedAt && at < bytes.size()) {
    std::size_t next = at;
    const std::optional<std::string> title = line(bytes, &next);
    std::istringstream in(title.value_or(""));
    std::string word;
    Timestamp changedAt = 0;
    // Applied only once the change is known whole.
    std::vector<std::pair<std::int64_t, std::optional<PackedBuckets>>> sellers;
    RecentRows recent;
    const std::size_t payload = next;
    if (!(in >> word >> changedAt) || word != kChanges ||
        !parseChange(bytes, &next, state.buckets, &sellers, &recent) ||
        !closed(bytes, payload, &next)) {
      break;
    }
    for (auto& [seller, read] : sellers) {
      if (read) {
        state.buckets.insert_or_assign(seller, std::move(*read));
      } else {
        state.buckets.erase(seller);
      }
    }
    state.recent = std::move(recent);
    held.computedAt = changedAt;
    at = next;
  }
  if (held.computedAt != computedAt) return std::nullopt;
  held.bytes = at;
  held_ = std::move(held);
  return state;
}

std::string BucketFile::save(Timestamp computedAt, const std::string& rulesVersion,
                             const BucketState& buckets, const RecentRows& recent,
                             const BucketChanges* changes) {
  if (changes != nullptr && held_ && held_->computedAt == changes->previousAt &&
      held_->rulesVersion == rulesVersion && held_->bytes - held_->wholeBytes < held_->wholeBytes) {
    return append(computedAt, buckets, recent, *changes);
  }
  return rewrite(computedAt, rulesVersion, buckets, recent);
}

std::string BucketFile::rewrite(Timestamp computedAt, const std::string& rulesVersion,
                                const BucketState& buckets, const RecentRows& recent) {
  held_.reset();
  const std::string temporary = path_ + ".new";
  errno = 0;
  std::uint64_t written = 0;
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    const std::string header = std::string(kMagic) + ' ' + std::to_string(kFormat) + ' ' +
                               std::to_string(computedAt) + ' ' + rulesVersion + '\n';
    out << header;
    Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
    std::size_t size = 0;
    std::string chunk;
    const auto flush = [&](std::size_t atLeast) {
      if (chunk.size() < atLeast) return;
      crc.update(chunk.data(), static_cast<unsigned>(chunk.size()));
      out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      size += chunk.size();
      chunk.clear();
    };
    varint::put(&chunk, buckets.size());
    std::int64_t previous = 0;
    for (const auto& [seller, packed] : buckets) {
      putSeller(&chunk, seller, &previous, packed);
      flush(kChunk);
    }
    putRecent(&chunk, recent, [&] { flush(kChunk); });
    flush(0);
    const std::string closing = closingLine(size, crc.checksum());
    out << closing;
    out.flush();
    if (!out) return "cannot write " + temporary + errnoText();
    written = header.size() + size + closing.size();
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temporary.c_str());
    return "cannot rename " + temporary + " to " + path_ + ": " + why;
  }
  held_ = Held{computedAt, rulesVersion, written, written};
  return "";
}

std::string BucketFile::append(Timestamp computedAt, const BucketState& buckets,
                               const RecentRows& recent, const BucketChanges& changes) {
  std::string payload;
  varint::put(&payload, changes.sellers.size());
  std::int64_t previous = 0;
  const auto find = [](const BucketState& in, std::int64_t seller) {
    const auto it = in.find(seller);
    return it == in.end() ? nullptr : &it->second;
  };
  for (std::int64_t seller : changes.sellers) {
    const auto delta = changes.deltas.find(seller);
    putChange(&payload, seller, &previous, find(changes.before, seller), find(buckets, seller),
              delta == changes.deltas.end() ? nullptr : &delta->second);
  }
  putRecent(&payload, recent, [] {});
  const std::string record = std::string(kChanges) + ' ' + std::to_string(computedAt) + '\n' +
                             payload +
                             closingLine(payload.size(), crcOf(payload.data(), payload.size()));
  Held held = *held_;
  held_.reset();  // unknown until the change is whole on disk
  errno = 0;
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return "cannot open " + path_ + errnoText();
  // Whatever a failed save left after the state the file holds goes.
  bool ok = ::ftruncate(fd, static_cast<off_t>(held.bytes)) == 0;
  for (std::size_t done = 0; ok && done < record.size();) {
    const ssize_t n = ::pwrite(fd, record.data() + done, record.size() - done,
                               static_cast<off_t>(held.bytes + done));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  if (!ok) {
    std::string why = "cannot write " + path_ + errnoText();
    ::close(fd);
    return why;
  }
  if (::close(fd) != 0) return "cannot write " + path_ + errnoText();
  held.computedAt = computedAt;
  held.bytes += record.size();
  held_ = std::move(held);
  return "";
}

}  // namespace sellertrust
