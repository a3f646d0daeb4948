// The process-wide pool behind Symbol.
#include "sellertrust/symbol.h"

#include <functional>
#include <mutex>
#include <set>

namespace sellertrust {

Symbol::Symbol(std::string_view text) {
  if (text.empty()) return;
  // Never destroyed: Symbols may outlive every other static. A set's
  // elements never move, so neither do their texts; std::less<> finds a
  // string_view without building a std::string.
  static auto* const pool = new std::set<std::string, std::less<>>();
  static auto* const mutex = new std::mutex();
  const std::lock_guard<std::mutex> lock(*mutex);
  auto it = pool->find(text);
  if (it == pool->end()) it = pool->emplace(text).first;
  text_ = &*it;
}

}  // namespace sellertrust
