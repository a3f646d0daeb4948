// UTF-8 as the results and the API need it: text from the operator's
// database (a seller's name on an SQLite source, a view over a latin1
// column) may hold bytes that are not UTF-8, which a MySQL utf8mb4 column
// refuses and JSON cannot carry. Pure.
#pragma once

#include <cstddef>
#include <string>

namespace sellertrust {

// Length of the valid UTF-8 sequence starting at s[i] (i < s.size()), or 0
// if it is not valid (overlong forms, surrogates and code points above
// U+10FFFF are not). 1 for ASCII.
std::size_t utf8Length(const std::string& s, std::size_t i);

// `text` with every byte that starts no valid sequence replaced by U+FFFD,
// the replacement character; valid text is returned as it is.
std::string validUtf8(std::string text);

}  // namespace sellertrust
