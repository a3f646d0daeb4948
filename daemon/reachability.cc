#include "daemon/reachability.h"

#include <type_traits>

namespace sellertrust {
namespace {

// Runs `call`, reports true if it returns and false if the database failed
// (a SourceError), and passes on what it returns or throws.
template <typename Call>
auto observed(const std::function<void(bool)>& report, Call call) -> decltype(call()) {
  try {
    if constexpr (std::is_void_v<decltype(call())>) {
      call();
      report(true);
    } else {
      auto result = call();
      report(true);
      return result;
    }
  } catch (const SourceError&) {
    report(false);
    throw;
  }
}

}  // namespace

SourceData ObservedSource::read(Timestamp now, const Rules& rules, const CancelToken& cancel,
                                const ChangeScope* changes, const CarriedState* buckets) {
  return observed(report_, [&] { return inner_.read(now, rules, cancel, changes, buckets); });
}

void ObservedSource::probe() {
  observed(report_, [&] { inner_.probe(); });
}

void ObservedStore::migrate() {
  observed(report_, [&] { inner_.migrate(); });
}

void ObservedStore::saveRun(const RunRecord& run) {
  observed(report_, [&] { inner_.saveRun(run); });
}

std::int64_t ObservedStore::saveHistory(
    Timestamp day, const std::vector<std::pair<std::int64_t, HistoryPoint>>& points,
    Timestamp pruneBefore) {
  return observed(report_, [&] { return inner_.saveHistory(day, points, pruneBefore); });
}

std::shared_ptr<Snapshot> ObservedStore::loadSnapshot(Timestamp historySince) {
  return observed(report_, [&] { return inner_.loadSnapshot(historySince); });
}

std::optional<Timestamp> ObservedStore::latestRunAt() {
  return observed(report_, [&] { return inner_.latestRunAt(); });
}

}  // namespace sellertrust
