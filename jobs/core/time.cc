// Calendar arithmetic after Howard Hinnant's days_from_civil: exact for the
// proleptic Gregorian calendar, no locale, no time zone database.
#include "sellertrust/time.h"

#include <cstdio>

namespace sellertrust {
namespace {

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

bool isLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(std::int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at text[pos]; false if any is not a digit.
bool readDigits(std::string_view text, std::size_t pos, std::size_t width, unsigned* out) {
  if (pos + width > text.size()) return false;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::optional<Timestamp> parseUtc(std::string_view text) {
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !readDigits(text, 0, 4, &year) || text[4] != '-' ||
      !readDigits(text, 5, 2, &month) || text[7] != '-' || !readDigits(text, 8, 2, &day) ||
      (text[10] != ' ' && text[10] != 'T') || !readDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !readDigits(text, 14, 2, &minute) || text[16] != ':' || !readDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  if (rest == "Z") rest = {};
  if (!rest.empty()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  return daysFromCivil(year, month, day) * kSecondsPerDay + hour * kSecondsPerHour +
         static_cast<Timestamp>(minute) * 60 + second;
}

bool isCanonicalUtc(std::string_view text) {
  return text.size() == 19 && text[10] == ' ' && parseUtc(text).has_value();
}

namespace {

std::string format(Timestamp t, const char* pattern) {
  const Timestamp day = startOfDay(t);
  const Timestamp secs = t - day;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(day / kSecondsPerDay, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof buf, pattern, static_cast<long long>(y), m, d,
                static_cast<unsigned>(secs / 3600), static_cast<unsigned>(secs / 60 % 60),
                static_cast<unsigned>(secs % 60));
  return buf;
}

}  // namespace

std::string formatUtc(Timestamp t) { return format(t, "%04lld-%02u-%02u %02u:%02u:%02u"); }

std::string formatRfc3339(Timestamp t) { return format(t, "%04lld-%02u-%02uT%02u:%02u:%02uZ"); }

Timestamp startOfDay(Timestamp t) {
  Timestamp r = t % kSecondsPerDay;
  if (r < 0) r += kSecondsPerDay;
  return t - r;
}

}  // namespace sellertrust
