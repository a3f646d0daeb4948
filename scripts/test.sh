#!/usr/bin/env bash
# Builds and runs every test: the dev build (unit, integration, e2e), then the
# unit tests again under AddressSanitizer and UBSan. Exits non-zero on any
# failure. Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev "$@"

cmake --preset asan >/dev/null
cmake --build --preset asan --target core_test
ctest --preset asan -L unit
