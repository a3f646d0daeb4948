// Variable-length integers: the compact encodings of defect lists and tally
// buckets. get() is for bytes this process wrote (no bounds checks);
// tryGet() for bytes read back from a file.
#pragma once

#include <cstdint>
#include <string>

namespace sellertrust::varint {

// a - b, a + b and a * b, wrapping as unsigned arithmetic does: any two int64
// differ by an int64 modulo 2^64.
inline std::int64_t minus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
inline std::int64_t plus(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

inline std::int64_t times(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

// Small magnitudes, either sign, to small unsigned numbers: 0, -1, 1, -2...
inline std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ (v < 0 ? ~std::uint64_t{0} : 0);
}
inline std::int64_t unzigzag(std::uint64_t u) {
  return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

// Seven bits a byte, low first; the high bit says another byte follows.
inline void put(std::string* out, std::uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
inline std::uint64_t get(const std::string& in, std::size_t* at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<std::uint8_t>(in[(*at)++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

// As get(), for bytes that may be damaged: false (and `at` anywhere) when
// they end before the number does or it runs past 64 bits.
inline bool tryGet(const std::string& in, std::size_t* at, std::uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*at >= in.size()) return false;
    const auto byte = static_cast<std::uint8_t>(in[(*at)++]);
    *v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}
inline bool tryGetSigned(const std::string& in, std::size_t* at, std::int64_t* v) {
  std::uint64_t u = 0;
  if (!tryGet(in, at, &u)) return false;
  *v = unzigzag(u);
  return true;
}

// A signed value.
inline void putSigned(std::string* out, std::int64_t v) { put(out, zigzag(v)); }
inline std::int64_t getSigned(const std::string& in, std::size_t* at) {
  return unzigzag(get(in, at));
}

}  // namespace sellertrust::varint
