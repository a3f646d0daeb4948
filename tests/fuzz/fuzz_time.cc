// libFuzzer target: the time parsing every source row and configuration
// value goes through. Invariants: a parsed time formats to a text that
// parses back to it, and a canonical text is exactly what formatUtc writes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "sellertrust/time.h"

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = sellertrust::parseUtc(text);
  if (parsed) {
    const std::string formatted = sellertrust::formatUtc(*parsed);
    if (sellertrust::parseUtc(formatted) != parsed) {
      std::fprintf(stderr, "formatUtc(parseUtc(x)) does not parse back\n");
      std::abort();
    }
  }
  if (sellertrust::isCanonicalUtc(text) && (!parsed || sellertrust::formatUtc(*parsed) != text)) {
    std::fprintf(stderr, "a canonical time is not what formatUtc writes\n");
    std::abort();
  }
  return 0;
}
