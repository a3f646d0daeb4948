#include "jobs/bucket_file.h"

#include <Poco/Checksum.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "sellertrust/varint.h"

namespace sellertrust {
namespace {

// A text line, then the state as variable-length integers, then a text
// line that closes it:
//   sellertrust-buckets 4 <computedAt> <rulesVersion>\n
//   <sellers> then per seller: its id less the one before, the size of its
//     packed buckets (PackedBuckets), those bytes;
//   <tables> then per table: the size of its name, the name, <rows>, then
//     per row: its key less the one before, its digest;
//   end <payload bytes> <CRC-32 of the payload>\n
// The buckets go as they are packed in memory: a run saves them without
// unpacking any; each seller's are checked whole as they are read back.
constexpr const char* kMagic = "sellertrust-buckets";
constexpr int kFormat = 4;
// Bytes the writer gathers before each write.
constexpr std::size_t kChunk = 1 << 16;

// The payload, checked for size at every step.
class Payload {
 public:
  explicit Payload(const std::string& bytes) : bytes_(bytes) {}
  bool number(std::uint64_t* v) { return varint::tryGet(bytes_, &at_, v); }
  bool delta(std::int64_t* v) {
    std::int64_t d = 0;
    if (!varint::tryGetSigned(bytes_, &at_, &d)) return false;
    *v = varint::plus(*v, d);
    return true;
  }
  bool text(std::string* out) {
    std::uint64_t size = 0;
    if (!number(&size) || size > bytes_.size() - at_) return false;
    out->assign(bytes_, at_, size);
    at_ += size;
    return true;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
};

void putText(std::string* out, const std::string& text) {
  varint::put(out, text.size());
  out->append(text);
}

std::optional<SavedJobState> parse(const std::string& bytes) {
  Payload in(bytes);
  SavedJobState state;
  std::uint64_t sellers = 0;
  if (!in.number(&sellers)) return std::nullopt;
  std::int64_t seller = 0;
  for (std::uint64_t i = 0; i < sellers; ++i) {
    std::string bytes;
    if (!in.delta(&seller) || !in.text(&bytes)) return std::nullopt;
    std::optional<PackedBuckets> packed = PackedBuckets::fromBytes(std::move(bytes));
    if (!packed) return std::nullopt;
    state.buckets.emplace_hint(state.buckets.end(), seller, std::move(*packed));
  }
  std::uint64_t tables = 0;
  if (!in.number(&tables)) return std::nullopt;
  for (std::uint64_t t = 0; t < tables; ++t) {
    std::string table;
    std::uint64_t rows = 0;
    if (!in.text(&table) || !in.number(&rows)) return std::nullopt;
    auto& keys = state.recent.rows[table];
    std::int64_t key = 0;
    for (std::uint64_t r = 0; r < rows; ++r) {
      std::uint64_t digest = 0;
      if (!in.delta(&key) || !in.number(&digest)) return std::nullopt;
      keys.emplace_back(key, digest);
    }
    std::sort(keys.begin(), keys.end());  // RecentRows::saw() searches them
  }
  if (!in.done()) return std::nullopt;
  return state;
}

}  // namespace

std::string saveBuckets(const std::string& path, Timestamp computedAt,
                        const std::string& rulesVersion, const BucketState& buckets,
                        const RecentRows& recent) {
  const std::string temporary = path + ".new";
  errno = 0;
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << kMagic << ' ' << kFormat << ' ' << computedAt << ' ' << rulesVersion << '\n';
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
      varint::putSigned(&chunk, varint::minus(seller, previous));
      previous = seller;
      putText(&chunk, packed.bytes());
      flush(kChunk);
    }
    varint::put(&chunk, recent.rows.size());
    for (const auto& [table, rows] : recent.rows) {
      putText(&chunk, table);
      varint::put(&chunk, rows.size());
      std::int64_t key = 0;
      for (const auto& [k, digest] : rows) {
        varint::putSigned(&chunk, varint::minus(k, key));
        key = k;
        varint::put(&chunk, digest);
        flush(kChunk);
      }
    }
    flush(0);
    out << "end " << size << ' ' << crc.checksum() << '\n';
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
  std::ifstream in(path, std::ios::binary);
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
  const std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The closing line: "end <size> <crc>\n", right after the payload.
  const std::size_t end = rest.rfind("end ");
  if (end == std::string::npos || rest.empty() || rest.back() != '\n') return std::nullopt;
  std::istringstream closing(rest.substr(end + 4));
  std::size_t size = 0;
  Poco::UInt32 expected = 0;
  std::string extra;
  if (!(closing >> size >> expected) || (closing >> extra) || size != end) return std::nullopt;
  const std::string payload = rest.substr(0, end);
  Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
  crc.update(payload.data(), static_cast<unsigned>(payload.size()));
  if (crc.checksum() != expected) return std::nullopt;
  return parse(payload);
}

}  // namespace sellertrust
