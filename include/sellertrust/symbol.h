// Interned text: equal texts share one copy for the life of the process, so
// a text that recurs across many records (a warning's code, action and
// detail, an evidence name) costs two words and no allocation per record.
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

  std::string_view view() const { return view_; }
  std::string str() const { return std::string(view_); }
  operator std::string() const { return str(); }  // NOLINT(google-explicit-constructor)
  bool empty() const { return view_.empty(); }

  // By value; comparing with plain text never interns it.
  friend bool operator==(const Symbol& a, const Symbol& b) { return a.view_ == b.view_; }
  friend bool operator!=(const Symbol& a, const Symbol& b) { return a.view_ != b.view_; }
  friend bool operator<(const Symbol& a, const Symbol& b) { return a.view_ < b.view_; }
  friend bool operator==(const Symbol& a, std::string_view b) { return a.view_ == b; }
  friend bool operator!=(const Symbol& a, std::string_view b) { return a.view_ != b; }
  friend bool operator==(const Symbol& a, const char* b) { return a.view_ == b; }
  friend bool operator!=(const Symbol& a, const char* b) { return a.view_ != b; }
  friend bool operator==(const Symbol& a, const std::string& b) { return a.view_ == b; }
  friend bool operator!=(const Symbol& a, const std::string& b) { return a.view_ != b; }
  friend std::ostream& operator<<(std::ostream& out, const Symbol& s) { return out << s.view_; }

 private:
  std::string_view view_;
};

}  // namespace sellertrust
