#!/usr/bin/env bash
# Checks formatting (clang-format) and static analysis (clang-tidy, with the
# repo's .clang-tidy) of every C++ file the project owns. Needs a configured
# dev build for compile_commands.json. Usage: scripts/lint.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
[ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
mapfile -t sources < <(git ls-files '*.cc')
# Two processes at a time: the machines have two cores.
printf '%s\n' "${sources[@]}" | xargs -P 2 -n 4 clang-tidy -p build/dev --quiet 2>/dev/null
echo "lint: ${#files[@]} files formatted and clean"
