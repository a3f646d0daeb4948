// libFuzzer target: the JSON string escape that every rendered body uses
// for text from the source database and from clients. Invariants: the
// literal always parses as one JSON string (stray bytes become U+FFFD), and
// ASCII text comes back exactly.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <Poco/JSON/Parser.h>

#include "jobs/report.h"

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string literal = sellertrust::jsonString(text);
  std::string back;
  try {
    back = Poco::JSON::Parser()
               .parse("[" + literal + "]")
               .extract<Poco::JSON::Array::Ptr>()
               ->getElement<std::string>(0);
  } catch (const Poco::Exception& e) {
    std::fprintf(stderr, "jsonString gave an unparsable literal: %s\n", e.displayText().c_str());
    std::abort();
  }
  bool ascii = true;
  for (const char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii && back != text) {
    std::fprintf(stderr, "ASCII text did not come back\n");
    std::abort();
  }
  return 0;
}
