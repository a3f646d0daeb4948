#!/usr/bin/env bash
# Builds and runs every test: lint (clang-format, clang-tidy), the dev build
# (unit, integration against a throw-away MariaDB, end-to-end against the
# real daemon), then the core's unit tests again under AddressSanitizer and
# UBSan. Exits non-zero on any failure.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

cmake --preset dev >/dev/null
scripts/lint.sh
cmake --build --preset dev
ctest --preset dev "$@"

cmake --preset asan >/dev/null
cmake --build --preset asan --target core_test
ctest --preset asan -L unit
