#!/usr/bin/env bash
# The HTTP server under load, beside nginx serving the same bytes as a
# static file on the same machine (issue 10). Not a test: it prints figures.
#   1. wrk -t2 -c64 on GET /v1/sellers/1/badge (demo data) and on nginx's
#      copy of that answer, interleaved A B A B: requests/s and latency
#      percentiles of each run, then the medians' p99 ratio.
#   2. bench/idle_connections.py on both: latency of a new connection while
#      1000 others idle, stay kept alive or trickle bytes.
# Usage: bench/http_bench.sh [REPS] [DURATION]     (defaults 3, 10s)
# Needs wrk and nginx (apt-get install wrk nginx); SELLERTRUSTD=path picks
# the binary (default: the release build, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
duration="${2:-10s}"
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "http_bench: needs $tool (apt-get install wrk nginx curl)" >&2; exit 2; }
done
bin="${SELLERTRUSTD:-build/release/daemon/sellertrustd}"
if [ -z "${SELLERTRUSTD:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target sellertrustd >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work="$(mktemp -d /tmp/st-http-bench-XXXX)"
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

dport="$(free_port)"
"$bin" --demo --force --set=data.dir="$work/demo" --set=http.port="$dport" \
  --set=jobs.score.interval_seconds=3600 >"$work/daemon.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do
  curl -sf "http://127.0.0.1:$dport/readyz" >/dev/null && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$dport/readyz" >/dev/null || { cat "$work/daemon.log"; exit 1; }

# nginx with the daemon's keep-alive limits, serving the badge answer.
mkdir -p "$work/www" "$work/nginx"
curl -sf "http://127.0.0.1:$dport/v1/sellers/1/badge" >"$work/www/badge.json"
nport="$(free_port)"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_timeout 5s;
  keepalive_requests 100;
  server {
    listen 127.0.0.1:$nport;
    location / { root $work/www; default_type application/json; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nport/badge.json" >/dev/null && break; sleep 0.1; done

daemon_url="http://127.0.0.1:$dport/v1/sellers/1/badge"
nginx_url="http://127.0.0.1:$nport/badge.json"
echo "badge body: $(wc -c <"$work/www/badge.json") bytes; wrk -t2 -c64 -d$duration, $reps reps interleaved"
results="$work/results"
for rep in $(seq "$reps"); do
  for side in sellertrustd nginx; do
    url=$([ $side = sellertrustd ] && echo "$daemon_url" || echo "$nginx_url")
    wrk -t2 -c64 -d"$duration" --latency "$url" >"$work/wrk.out"
    python3 - "$side" "$work/wrk.out" "$results" <<'PY'
import re, sys
side, text = sys.argv[1], open(sys.argv[2]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
pct = {q: ms(v, u) for q, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
errors = re.findall(r"Non-2xx or 3xx responses: \d+|Socket errors: .*", text)
with open(sys.argv[3], "a") as out:
    print(side, rps, pct["50"], pct["90"], pct["99"], file=out)
print(f"  {side:12} {rps:9.0f} req/s  p50 {pct['50']:6.2f} ms  p90 {pct['90']:6.2f} ms"
      f"  p99 {pct['99']:6.2f} ms  {' '.join(errors)}")
PY
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = lambda side, i: statistics.median(float(r[i]) for r in rows if r[0] == side)
for name, i in (("req/s", 1), ("p50 ms", 2), ("p99 ms", 4)):
    print(f"median {name:7} sellertrustd {med('sellertrustd', i):9.2f}  nginx {med('nginx', i):9.2f}"
          f"  ratio {med('sellertrustd', i) / med('nginx', i):.2f}x")
PY
echo "new connections beside 1000 idle, kept-alive and trickling ones:"
echo "  sellertrustd: $(python3 bench/idle_connections.py "$dport" /v1/sellers/1/badge)"
echo "  nginx:        $(python3 bench/idle_connections.py "$nport" /badge.json)"
