#!/usr/bin/env bash
# A full scoring run of sellertrustd on the demo marketplace (3000 sellers,
# ~318k orders), on the embedded SQLite backend (the baseline) and on a real
# MariaDB (source and results), side by side: wall time and peak RSS of
# `sellertrustd --run-once=score`, best of N, and the MariaDB/SQLite ratios.
# Not a test. Usage: bench/full_run_bench.sh [RUNS]   (release build)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sellertrustd load_demo_mysql >/dev/null
bin=build/release/daemon/sellertrustd
work="$(mktemp -d /tmp/st-bench-XXXX)"
trap 'scripts/mariadb-test-server.sh stop "$work/db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

scripts/mariadb-test-server.sh start "$work/db" 2>/dev/null
export SELLERTRUST_MYSQL_ENV_FILE="$work/db/env"
# shellcheck disable=SC1091
source "$work/db/env"
"$bin" --demo=42 --run-once=score --set=data.dir="$work/lite" >/dev/null 2>&1
build/release/tests/integration/load_demo_mysql "$work/lite/source.db"

mysql_opts=(--set=source.backend=mysql --set=results.backend=mysql)
for side in source results; do
  up=$([ $side = source ] && echo RO || echo RW)
  db=$([ $side = source ] && echo "$SELLERTRUST_MYSQL_SOURCE_DB" || echo "$SELLERTRUST_MYSQL_RESULTS_DB")
  user_var="SELLERTRUST_MYSQL_${up}_USER"; pw_var="SELLERTRUST_MYSQL_${up}_PASSWORD"
  mysql_opts+=(--set=$side.mysql.host=127.0.0.1 --set=$side.mysql.port="$SELLERTRUST_MYSQL_PORT"
               --set=$side.mysql.user="${!user_var}" --set=$side.mysql.password="${!pw_var}"
               --set=$side.mysql.database="$db")
done

# Runs the command RUNS times; prints "best_seconds peak_rss_kb".
measure() {
  python3 - "$runs" "$@" <<'PY'
import resource, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    t = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.monotonic() - t
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

read -r lite_s lite_kb < <(measure "$bin" --run-once=score --set=data.dir="$work/lite")
read -r my_s my_kb < <(measure "$bin" --run-once=score --set=data.dir="$work/my" "${mysql_opts[@]}")
printf '%-28s %10s %14s\n' "full score run (demo)" "seconds" "peak RSS MiB"
printf '%-28s %10s %14.1f\n' "SQLite (baseline)" "$lite_s" "$(echo "$lite_kb / 1024" | bc -l)"
printf '%-28s %10s %14.1f\n' "MariaDB source + results" "$my_s" "$(echo "$my_kb / 1024" | bc -l)"
printf '%-28s %10.2f %14.2f\n' "ratio MariaDB / SQLite" "$(echo "$my_s / $lite_s" | bc -l)" \
  "$(echo "$my_kb / $lite_kb" | bc -l)"
