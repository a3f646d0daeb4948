// A map from an int64 id to a value, in ascending id, whose copies share
// what they did not change. The entries lie in chunks of a few dozen; a copy
// costs a pointer per chunk, and a change copies only the chunk it falls in.
// A snapshot that recomputes 50 of 100 000 sellers thus copies, and its
// predecessor later frees, 50 chunks instead of the marketplace.
//
// Thread safety: like a standard container. Any number of threads may read
// a table that none changes; copies of one table may be changed by different
// threads at once (they never change a chunk they share).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sellertrust {

template <typename V>
class SharedTable {
 public:
  using key_type = std::int64_t;
  using mapped_type = V;
  using value_type = std::pair<std::int64_t, V>;
  using size_type = std::size_t;

 private:
  struct Chunk {
    // The table that may change this chunk in place (see epoch_); any other
    // copies it first.
    std::uint64_t owner = 0;
    std::vector<value_type> entries;  // ascending id, never empty
  };
  using Chunks = std::vector<std::shared_ptr<Chunk>>;

 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = SharedTable::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    Iterator() = default;
    reference operator*() const { return (*chunks_)[chunk_]->entries[entry_]; }
    pointer operator->() const { return &**this; }
    Iterator& operator++() {
      if (++entry_ == (*chunks_)[chunk_]->entries.size()) {
        ++chunk_;
        entry_ = 0;
      }
      return *this;
    }
    Iterator operator++(int) {
      Iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const Iterator& o) const { return chunk_ == o.chunk_ && entry_ == o.entry_; }
    bool operator!=(const Iterator& o) const { return !(*this == o); }

   private:
    friend class SharedTable;
    Iterator(const Chunks* chunks, std::size_t chunk, std::size_t entry)
        : chunks_(chunks), chunk_(chunk), entry_(entry) {}
    const Chunks* chunks_ = nullptr;
    std::size_t chunk_ = 0;
    std::size_t entry_ = 0;
  };

  SharedTable() = default;
  // Neither table may change in place a chunk they now share: both take a
  // new epoch.
  SharedTable(const SharedTable& other) : chunks_(other.chunks_), size_(other.size_) {
    other.epoch_ = nextEpoch();
  }
  SharedTable(SharedTable&& other) noexcept
      : chunks_(std::move(other.chunks_)), size_(other.size_), epoch_(other.epoch_.load()) {
    other.chunks_.clear();
    other.size_ = 0;
    other.epoch_ = nextEpoch();
  }
  SharedTable& operator=(const SharedTable& other) {
    if (this != &other) {
      chunks_ = other.chunks_;
      size_ = other.size_;
      epoch_ = nextEpoch();
      other.epoch_ = nextEpoch();
    }
    return *this;
  }
  SharedTable& operator=(SharedTable&& other) noexcept {
    if (this != &other) {
      chunks_ = std::move(other.chunks_);
      size_ = other.size_;
      epoch_ = other.epoch_.load();
      other.chunks_.clear();
      other.size_ = 0;
      other.epoch_ = nextEpoch();
    }
    return *this;
  }
  ~SharedTable() = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Iterator begin() const { return {&chunks_, 0, 0}; }
  Iterator end() const { return {&chunks_, chunks_.size(), 0}; }

  // The first entry whose id is not below `key`.
  Iterator lowerBound(std::int64_t key) const {
    const std::size_t c = chunkFor(key);
    if (c == chunks_.size()) return end();
    return {&chunks_, c, entryFor(*chunks_[c], key)};
  }
  // The first entry whose id is above `key`.
  Iterator upperBound(std::int64_t key) const {
    Iterator it = lowerBound(key);
    return it != end() && it->first == key ? std::next(it) : it;
  }
  Iterator find(std::int64_t key) const {
    const Iterator it = lowerBound(key);
    return it != end() && it->first == key ? it : end();
  }
  std::size_t count(std::int64_t key) const { return find(key) == end() ? 0 : 1; }
  // Throws std::out_of_range when `key` is absent.
  const V& at(std::int64_t key) const {
    const Iterator it = find(key);
    if (it == end()) throw std::out_of_range("SharedTable::at: no such id");
    return it->second;
  }

  // The value of `key`, a default one inserted if absent, which may be
  // changed until the table is next changed or copied.
  V& operator[](std::int64_t key) { return *slot(key, nullptr); }
  // Inserts `value` unless `key` is present; returns true iff it did.
  bool emplace(std::int64_t key, V value) {
    bool added = false;
    V* at = slot(key, &added);
    if (added) *at = std::move(value);
    return added;
  }
  // Returns the number of entries removed (0 or 1).
  std::size_t erase(std::int64_t key) {
    const std::size_t c = chunkFor(key);
    if (c == chunks_.size()) return 0;
    const std::size_t e = entryFor(*chunks_[c], key);
    if (e == chunks_[c]->entries.size() || chunks_[c]->entries[e].first != key) return 0;
    if (chunks_[c]->entries.size() == 1) {
      chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(c));
    } else {
      Chunk& chunk = writable(c);
      chunk.entries.erase(chunk.entries.begin() + static_cast<std::ptrdiff_t>(e));
    }
    --size_;
    return 1;
  }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }

 private:
  // A chunk holds up to 2 * kChunk entries and reserves room for them; a
  // full one splits in two before it takes another.
  static constexpr std::size_t kChunk = 32;

  static std::uint64_t nextEpoch() {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  // The first chunk whose last id is not below `key`, or chunks_.size().
  std::size_t chunkFor(std::int64_t key) const {
    const auto it = std::lower_bound(chunks_.begin(), chunks_.end(), key,
                                     [](const std::shared_ptr<Chunk>& c, std::int64_t k) {
                                       return c->entries.back().first < k;
                                     });
    return static_cast<std::size_t>(it - chunks_.begin());
  }
  static std::size_t entryFor(const Chunk& chunk, std::int64_t key) {
    const auto it =
        std::lower_bound(chunk.entries.begin(), chunk.entries.end(), key,
                         [](const value_type& entry, std::int64_t k) { return entry.first < k; });
    return static_cast<std::size_t>(it - chunk.entries.begin());
  }
  // Chunk `c`, copied first unless this table made it since it was last
  // copied.
  Chunk& writable(std::size_t c) {
    const std::uint64_t epoch = epoch_.load(std::memory_order_relaxed);
    if (chunks_[c]->owner != epoch) {
      auto copy = std::make_shared<Chunk>();
      copy->owner = epoch;
      copy->entries.reserve(2 * kChunk);
      copy->entries = chunks_[c]->entries;
      chunks_[c] = std::move(copy);
    }
    return *chunks_[c];
  }
  // The value of `key`, inserted (default) if absent; `added` says which.
  V* slot(std::int64_t key, bool* added) {
    if (added != nullptr) *added = false;
    if (chunks_.empty()) {
      chunks_.push_back(std::make_shared<Chunk>(Chunk{epoch_.load(std::memory_order_relaxed), {}}));
      chunks_.back()->entries.reserve(2 * kChunk);
      chunks_.back()->entries.emplace_back(key, V());
      ++size_;
      if (added != nullptr) *added = true;
      return &chunks_.back()->entries.back().second;
    }
    // Past the last id, the last chunk grows.
    std::size_t c = std::min(chunkFor(key), chunks_.size() - 1);
    std::size_t e = entryFor(*chunks_[c], key);
    if (e < chunks_[c]->entries.size() && chunks_[c]->entries[e].first == key) {
      return &writable(c).entries[e].second;
    }
    if (chunks_[c]->entries.size() == 2 * kChunk && e == 2 * kChunk) {
      // Full, and the key goes after its last: a new chunk starts (ids that
      // come in ascending order fill their chunks).
      auto next = std::make_shared<Chunk>();
      next->owner = epoch_.load(std::memory_order_relaxed);
      next->entries.reserve(2 * kChunk);
      next->entries.emplace_back(key, V());
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, next);
      ++size_;
      if (added != nullptr) *added = true;
      return &next->entries.back().second;
    }
    if (chunks_[c]->entries.size() == 2 * kChunk) {
      // Full: the upper half moves to a new chunk after this one, before
      // the entry goes in (so that no chunk outgrows what it reserved).
      Chunk& full = writable(c);
      auto upper = std::make_shared<Chunk>();
      upper->owner = full.owner;
      upper->entries.reserve(2 * kChunk);
      const auto half = full.entries.begin() + static_cast<std::ptrdiff_t>(kChunk);
      std::move(half, full.entries.end(), std::back_inserter(upper->entries));
      full.entries.erase(half, full.entries.end());
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(c) + 1, std::move(upper));
      if (e > kChunk) {
        ++c;
        e -= kChunk;
      }
    }
    Chunk& chunk = writable(c);
    chunk.entries.emplace(chunk.entries.begin() + static_cast<std::ptrdiff_t>(e), key, V());
    ++size_;
    if (added != nullptr) *added = true;
    return &chunk.entries[e].second;
  }

  Chunks chunks_;
  std::size_t size_ = 0;
  // This table's mark on the chunks it made since it was last copied.
  // Mutable: copying a table (a const operation) gives it a new one.
  mutable std::atomic<std::uint64_t> epoch_{nextEpoch()};
};

}  // namespace sellertrust
