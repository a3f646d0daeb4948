#!/usr/bin/env bash
# Soak: the daemon on the demo marketplace with a score run every 10 s,
# under wrk (-t2 -c64, badges, reports and the warnings list in turn) for
# DURATION, its resident memory and open file descriptors sampled every 30 s.
# Prints the samples and, for each, the first and last third's maxima: flat
# means the last third's is within 10 % (RSS) or 16 descriptors (fds) of the
# first's. Not a test. Usage: bench/soak_bench.sh [DURATION]   (default 30m)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30m}"
command -v wrk >/dev/null || { echo "soak_bench: needs wrk (apt-get install wrk)" >&2; exit 2; }
bin="${SELLERTRUSTD:-build/release/daemon/sellertrustd}"
if [ -z "${SELLERTRUSTD:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target sellertrustd >/dev/null
fi
work="$(mktemp -d /tmp/st-soak-XXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$bin" --demo --force --set=data.dir="$work/demo" --set=http.port="$port" \
  --set=jobs.score.interval_seconds=10 --set=api.operator_token=soak >"$work/daemon.log" 2>&1 &
daemon=$!
pids+=("$daemon")
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

# Each wrk connection walks seller ids and endpoints in turn.
cat >"$work/mix.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local id = (n % 3000) + 1
  local kind = n % 10
  local headers = {["Authorization"] = "Bearer soak"}
  if kind < 7 then return wrk.format("GET", "/v1/sellers/" .. id .. "/badge") end
  if kind == 7 then return wrk.format("GET", "/v1/sellers/" .. id, headers) end
  if kind == 8 then return wrk.format("GET", "/v1/badges?seller_ids=" .. id .. "," .. id + 1) end
  return wrk.format("GET", "/v1/warnings?limit=50", headers)
end
LUA
wrk -t2 -c64 -d"$duration" -s "$work/mix.lua" "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1 &
load=$!
pids+=("$load")
samples="$work/samples"
echo "seconds rss_kb fds score_runs" | tee "$samples"
start=$(date +%s)
while kill -0 "$load" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$daemon/status")
  fds=$(ls "/proc/$daemon/fd" | wc -l)
  runs=$(curl -sf -H "Authorization: Bearer soak" "http://127.0.0.1:$port/v1/status" |
         python3 -c 'import json,sys; print(next(j["runs"] for j in json.load(sys.stdin)["jobs"] if j["task"]=="score"))')
  echo "$(( $(date +%s) - start )) $rss $fds $runs" | tee -a "$samples"
  sleep 30
done
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" "$work/wrk.out" || true
python3 - "$samples" <<'PY'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]).readlines()[1:]]
third = max(1, len(rows) // 3)
for name, i, flat in (("RSS kB", 1, lambda a, b: b <= a * 1.10), ("fds", 2, lambda a, b: b <= a + 16)):
    first, last = max(r[i] for r in rows[:third]), max(r[i] for r in rows[-third:])
    print(f"{name:6} first third max {first}  last third max {last}  "
          f"{'flat' if flat(first, last) else 'GROWING'}")
print(f"score runs during the soak: {rows[-1][3] - rows[0][3]}")
PY
