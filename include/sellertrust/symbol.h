// Interned text: equal texts share one copy for the life of the process, so
// a text that recurs across many records (a warning's code, action and
// detail, an evidence name, a badge reason) costs one pointer and no
// allocation per record.
// Safe from any thread. Meant for small vocabularies: every distinct text
// ever interned is kept until exit, so never intern what a client sends.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace sellertrust {

class Symbol {
 public:
  Symbol() = default;  // the empty text
  // Implicit, so that assigning any text to a Symbol interns it (a
  // string_view member could dangle instead).
  Symbol(std::string_view text);  // NOLINT(google-explicit-constructor)
  Symbol(const char* text) : Symbol(std::string_view(text)) {}         // NOLINT
  Symbol(const std::string& text) : Symbol(std::string_view(text)) {}  // NOLINT

  std::string_view view() const { return text_ == nullptr ? std::string_view() : *text_; }
  std::string str() const { return std::string(view()); }
  operator std::string() const { return str(); }  // NOLINT(google-explicit-constructor)
  bool empty() const { return view().empty(); }

  // Equal texts are one pool entry, so Symbols compare by address;
  // comparing with plain text compares the text and never interns it.
  friend bool operator==(const Symbol& a, const Symbol& b) { return a.text_ == b.text_; }
  friend bool operator!=(const Symbol& a, const Symbol& b) { return a.text_ != b.text_; }
  friend bool operator<(const Symbol& a, const Symbol& b) { return a.view() < b.view(); }
  friend bool operator==(const Symbol& a, std::string_view b) { return a.view() == b; }
  friend bool operator!=(const Symbol& a, std::string_view b) { return a.view() != b; }
  friend bool operator==(const Symbol& a, const char* b) { return a.view() == b; }
  friend bool operator!=(const Symbol& a, const char* b) { return a.view() != b; }
  friend bool operator==(const Symbol& a, const std::string& b) { return a.view() == b; }
  friend bool operator!=(const Symbol& a, const std::string& b) { return a.view() != b; }
  friend std::ostream& operator<<(std::ostream& out, const Symbol& s) { return out << s.view(); }

 private:
  const std::string* text_ = nullptr;  // in the pool; one word per Symbol
};

}  // namespace sellertrust
