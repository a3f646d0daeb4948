#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz) for RUNS executions each (default
# 10 M), from its seed corpus plus what earlier runs found, and prints per
# target the executions, executions/s, coverage and corpus size. A crash or
# sanitizer report stops the script with the fuzzer's output and the input
# that caused it (crash-* in build/fuzz/tests/fuzz/<name>/).
# Usage: bench/fuzz_bench.sh [RUNS] [TARGET...]     (builds the fuzz preset)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10000000}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(http time json)
root="$PWD"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
for name in "${targets[@]}"; do
  dir="build/fuzz/tests/fuzz/$name"
  mkdir -p "$dir/found"
  log="$dir/bench.log"
  start=$(date +%s)
  if ! (cd "$dir" && "../fuzz_$name" found "$root/tests/fuzz/corpus/$name" \
          -runs="$runs" -rss_limit_mb=2048 -print_final_stats=1) >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz_bench: fuzz_$name failed; see $log" >&2
    exit 1
  fi
  seconds=$(( $(date +%s) - start ))
  python3 - "$name" "$seconds" "$log" <<'PY'
import re, sys
name, seconds, text = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
stat = dict(re.findall(r"stat::(\w+):\s+(\d+)", text))
done = re.findall(r"DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/", text)
cov, ft, corp = done[-1] if done else ("?", "?", "?")
print(f"fuzz_{name:5} {int(stat['number_of_executed_units']):>11,} executions in {seconds} s"
      f" ({int(stat['average_exec_per_sec']):,}/s)  coverage {cov} edges, {ft} features,"
      f" corpus {corp}  no crash")
PY
done
