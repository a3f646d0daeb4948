#!/usr/bin/env bash
# Builds and runs every test: lint (clang-format, clang-tidy), the dev build
# (unit, integration against a throw-away MariaDB, end-to-end against the
# real daemon), then the in-process tests under AddressSanitizer and UBSan,
# the threaded ones under ThreadSanitizer, and a short run of every fuzzer.
# Exits non-zero on any failure.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

cmake --preset dev >/dev/null
scripts/lint.sh
cmake --build --preset dev
ctest --preset dev -j2 "$@"

# Every in-process test again under AddressSanitizer and UBSan.
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -L unit -j2

# The tests with threads under ThreadSanitizer: the HTTP server and the API
# while snapshots are published, the scheduler, the score job, the source
# read on several sessions side by side.
cmake --preset tsan >/dev/null
cmake --build --preset tsan
for t in api/api_test jobs/jobs_test; do
  TSAN_OPTIONS=halt_on_error=1 "build/tsan/tests/$t" --gtest_brief=1
done
TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/source/side_by_side_test --gtest_brief=1 \
  --gtest_filter='BadRowsSideBySideTest.*:FutureRowsSideBySideTest.*'

# The libFuzzer targets (clang), 10 s each from their seed corpora.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz
