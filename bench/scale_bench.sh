#!/usr/bin/env bash
# The scale benchmark: a full first scoring run of `sellertrustd
# --run-once=score` on a generated marketplace (bench/generate_marketplace,
# default 10M orders, 100k Zipf-skewed sellers, 120 days), against one
# hand-written tuned statement computing the core figures per seller
# (bench/tuned_mariadb.sql, bench/tuned_sqlite.sql), on a throw-away MariaDB
# (source and results) and on SQLite, interleaved A B A B on the same
# machine in the same run. Prints min/median/max seconds, peak RSS of the
# daemon, the daemon/statement ratios and the split of the daemon's run into
# reading, evaluating and writing. Then, on the last rep's results, the
# incremental runs: idle (nothing changed), a full run on an unchanged source
# (it must write nothing), and one after 10000 changed rows at 10M orders
# (bench/source_changes.py: new orders, shipments, tickets, ratings,
# refunds... on recent orders, so Zipf-skewed like the orders), with the rows
# MariaDB read from the source. Not a test (bench.scale_smoke runs it at a
# toy scale so that CI notices when it breaks).
#
# Usage: bench/scale_bench.sh [--orders N] [--sellers N] [--reps N] [--keep DIR] [--smoke]
#   --keep DIR   generate into DIR and keep it (data, results, MariaDB log)
#   --smoke      20000 orders, 500 sellers, 1 rep (later options override)
# Environment: SELLERTRUSTD, GENERATOR: use these binaries instead of
# building the release preset; SELLERTRUST_MARIADB_BUFFER_POOL: the InnoDB
# buffer pool (default 4G per 10M orders, at least 512M); TMPDIR: where the
# temporary directory goes.
set -euo pipefail

readonly kWindowDays=60  # the daemon's default window (rules), ending now
readonly kHistoryDays=120
readonly kSeed=42

# Prints the usage lines of the header; exits with $1.
usage() {
  sed -n 's/^# \{0,1\}//; /^Usage:/,/^Environment/p' "$0" | sed '$d' >&2
  exit "$1"
}

orders=10000000
sellers=100000
reps=3
keep=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --orders) orders="${2:?}"; shift 2 ;;
    --sellers) sellers="${2:?}"; shift 2 ;;
    --reps) reps="${2:?}"; shift 2 ;;
    --keep) keep="${2:?}"; shift 2 ;;
    --smoke) orders=20000; sellers=500; reps=1; shift ;;
    -h | --help) usage 0 ;;
    *) echo "scale_bench: unknown option $1" >&2; usage 2 ;;
  esac
done
for n in "$orders" "$sellers" "$reps"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "scale_bench: not a positive integer: $n" >&2; exit 2; }
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$repo/bench"
server_script="$repo/scripts/mariadb-test-server.sh"

die() {
  echo "scale_bench: $*" >&2
  exit 1
}

log() { echo "scale_bench: $*" >&2; }

# Seconds since `start` (an $EPOCHREALTIME), two decimals.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# Binaries: given, or built from this tree.
if [[ -z ${SELLERTRUSTD:-} || -z ${GENERATOR:-} ]]; then
  "$repo/scripts/install-deps.sh"
  targets=()
  [[ -n ${SELLERTRUSTD:-} ]] || targets+=(sellertrustd)
  [[ -n ${GENERATOR:-} ]] || targets+=(generate_marketplace)
  (cd "$repo" && cmake --preset release >/dev/null &&
    cmake --build --preset release --target "${targets[@]}" >/dev/null)
  : "${SELLERTRUSTD:=$repo/build/release/daemon/sellertrustd}"
  : "${GENERATOR:=$repo/build/release/bench/generate_marketplace}"
fi
[[ -x $SELLERTRUSTD ]] || die "SELLERTRUSTD is not an executable: $SELLERTRUSTD"
[[ -x $GENERATOR ]] || die "GENERATOR is not an executable: $GENERATOR"
for tool in mariadb sqlite3 python3 awk; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done

# The work directory, and the MariaDB directory: its unix socket path must
# stay under 100 characters, so it moves to /tmp when the work path is long.
if [[ -n $keep ]]; then
  mkdir -p "$keep"
  work="$(cd "$keep" && pwd)"
  [[ -z "$(ls -A "$work")" ]] || die "--keep DIR must be empty or new: $work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/st-scale-XXXXXX")"
fi
db_dir="$work/db"
separate_db_dir=""
if [[ ${#db_dir} -gt 80 ]]; then
  db_dir="$(mktemp -d /tmp/st-db-XXXXXX)"
  separate_db_dir="$db_dir"
fi
server_started=""
cleanup() {
  local status=$?
  if [[ -n $server_started ]]; then
    "$server_script" stop "$db_dir" >/dev/null 2>&1 || true
  fi
  [[ -n $separate_db_dir ]] && rm -rf "$separate_db_dir"
  [[ -z $keep ]] && rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command with stdin, stdout and stderr redirected to the given
# files; prints "seconds peak_rss_kib". Exits loudly, with the command's
# stderr, if it fails.
measured() {
  local in="$1" out="$2" err="$3"
  shift 3
  local figures
  if ! figures="$(python3 - "$in" "$out" "$err" "$@" <<'PY'
import resource, subprocess, sys, time
stdin, stdout, stderr, cmd = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(stdin, "rb") as i, open(stdout, "wb") as o, open(stderr, "wb") as e:
    started = time.monotonic()
    code = subprocess.run(cmd, stdin=i, stdout=o, stderr=e).returncode
    elapsed = time.monotonic() - started
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(code)
PY
  )"; then
    echo "scale_bench: failed: $*" | sed 's/password=[^ ]*/password=.../g' >&2
    tail -n 20 "$err" >&2
    [[ $out == /dev/null ]] || tail -n 5 "$out" >&2
    exit 1
  fi
  echo "$figures"
}

# --- Generate ----------------------------------------------------------------
now="$(date -u '+%Y-%m-%d %H:%M:%S')"
mkdir -p "$work/tsv" "$work/lite" "$work/my"
log "generating $orders orders, $sellers sellers, $kHistoryDays days up to $now (seed $kSeed)"
# Two processes, one per output, on two cores: the generator is
# deterministic, so both write the same marketplace.
generate() {
  local log_file="$1"
  shift
  "$GENERATOR" --orders "$orders" --sellers "$sellers" --days "$kHistoryDays" --seed "$kSeed" \
    --now "$now" "$@" 2>"$log_file" || { cat "$log_file" >&2; return 1; }
}
started=$EPOCHREALTIME
generate "$work/generate-tsv.log" --tsv-dir "$work/tsv" &
tsv_pid=$!
if ! generate "$work/generate-sqlite.log" --sqlite "$work/source.db"; then
  kill "$tsv_pid" 2>/dev/null || true
  wait "$tsv_pid" 2>/dev/null || true
  die "the generator failed"
fi
wait "$tsv_pid" || die "the generator failed"
generate_s="$(since "$started")"
grep -v ' orders, ' "$work/generate-sqlite.log" | sed 's/^/  /' >&2

# --- MariaDB: start, load --------------------------------------------------------
if [[ -z ${SELLERTRUST_MARIADB_BUFFER_POOL:-} ]]; then
  pool_mb=$((orders * 4096 / 10000000))
  ((pool_mb >= 512)) || pool_mb=512
  export SELLERTRUST_MARIADB_BUFFER_POOL="$((pool_mb / 128 * 128))M"
fi
log "starting MariaDB (buffer pool $SELLERTRUST_MARIADB_BUFFER_POOL) in $db_dir"
server_started=1
"$server_script" start "$db_dir" 2>"$work/mariadb-start.log" ||
  { cat "$work/mariadb-start.log" >&2; die "MariaDB did not start"; }
# shellcheck disable=SC1091
source "$db_dir/env"
source_db="$SELLERTRUST_MYSQL_SOURCE_DB"
results_db="$SELLERTRUST_MYSQL_RESULTS_DB"

# The superuser, through the socket.
admin() {
  mariadb --no-defaults --protocol=socket --socket="$SELLERTRUST_MYSQL_ROOT_SOCKET" \
    --user="$SELLERTRUST_MYSQL_ROOT_USER" --batch --skip-column-names "$@"
}
# The daemon's read-only account over TCP, as the daemon connects.
ro_cnf="$work/ro.cnf"
(
  umask 077
  printf '[client]\nhost=%s\nport=%s\nuser=%s\npassword=%s\ndatabase=%s\n' \
    "$SELLERTRUST_MYSQL_HOST" "$SELLERTRUST_MYSQL_PORT" "$SELLERTRUST_MYSQL_RO_USER" \
    "$SELLERTRUST_MYSQL_RO_PASSWORD" "$source_db" >"$ro_cnf"
)

tables=(sellers orders tickets refunds return_requests ratings chargebacks)
log "loading MariaDB"
admin -e "DROP DATABASE IF EXISTS $source_db; CREATE DATABASE $source_db CHARACTER SET utf8mb4"
admin "$source_db" <"$repo/etc/sql/mysql/source_schema.sql"
# Secondary indexes are dropped while loading and built afterwards by sort,
# from their own definitions (one ALTER per table builds them in one pass).
admin "$source_db" -e "
  SELECT TABLE_NAME,
         GROUP_CONCAT(CONCAT('DROP KEY ', INDEX_NAME) ORDER BY INDEX_NAME SEPARATOR ', '),
         GROUP_CONCAT(CONCAT('ADD KEY ', INDEX_NAME, ' (', cols, ')') ORDER BY INDEX_NAME
                      SEPARATOR ', ')
  FROM (SELECT TABLE_NAME, INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols
        FROM information_schema.STATISTICS
        WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY'
        GROUP BY TABLE_NAME, INDEX_NAME) k
  GROUP BY TABLE_NAME" >"$work/indexes.tsv"
while IFS=$'\t' read -r table drop _; do
  admin "$source_db" -e "ALTER TABLE $table $drop"
done <"$work/indexes.tsv"
started=$EPOCHREALTIME
for table in "${tables[@]}"; do
  file="$work/tsv/$table.tsv"
  columns="$(head -n 1 "$file" | tr '\t' ',')"
  # Server-side LOAD DATA: the server runs as this user and reads the file.
  # Every line must land, without a warning (a truncated or coerced value).
  read -r loaded warnings < <(admin "$source_db" -e "
    SET SESSION unique_checks = 0, foreign_key_checks = 0;
    LOAD DATA INFILE '$file' INTO TABLE $table CHARACTER SET utf8mb4
    FIELDS TERMINATED BY '\t' LINES TERMINATED BY '\n' IGNORE 1 LINES ($columns);
    SELECT ROW_COUNT(), @@warning_count")
  lines=$(($(wc -l <"$file") - 1))
  [[ $loaded -eq $lines && $warnings -eq 0 ]] ||
    die "$table: $loaded of $lines rows loaded with $warnings warnings"
done
load_s="$(since "$started")"
started=$EPOCHREALTIME
while IFS=$'\t' read -r table _ add; do
  admin "$source_db" -e "ALTER TABLE $table $add"
done <"$work/indexes.tsv"
admin "$source_db" -e "ANALYZE TABLE $(IFS=,; echo "${tables[*]}")" >/dev/null
index_s="$(since "$started")"
log "MariaDB load ${load_s} s, indexes and statistics ${index_s} s"
[[ -n $keep ]] || rm -rf "$work/tsv"

# --- The runs ----------------------------------------------------------------
mysql_opts=(--set=data.dir="$work/my" --set=source.backend=mysql --set=results.backend=mysql)
for side in source results; do
  up=$([[ $side == source ]] && echo RO || echo RW)
  db=$([[ $side == source ]] && echo "$source_db" || echo "$results_db")
  user_var="SELLERTRUST_MYSQL_${up}_USER"
  password_var="SELLERTRUST_MYSQL_${up}_PASSWORD"
  mysql_opts+=("--set=$side.mysql.host=$SELLERTRUST_MYSQL_HOST"
    "--set=$side.mysql.port=$SELLERTRUST_MYSQL_PORT"
    "--set=$side.mysql.user=${!user_var}" "--set=$side.mysql.password=${!password_var}"
    "--set=$side.mysql.database=$db")
done
sqlite_opts=(--set=data.dir="$work/lite" --set=source.sqlite.path="$work/source.db")

# An empty results database for a full first run, with the grants of
# grants.sql re-applied as scripts/mariadb-test-server.sh applies them.
reset_mysql_results() {
  admin -e "DROP DATABASE IF EXISTS $results_db; CREATE DATABASE $results_db CHARACTER SET utf8mb4"
  sed -e "s/@RO_PASSWORD@/$SELLERTRUST_MYSQL_RO_PASSWORD/g" \
    -e "s/@RW_PASSWORD@/$SELLERTRUST_MYSQL_RW_PASSWORD/g" "$repo/etc/sql/mysql/grants.sql" | admin
}
reset_sqlite_results() { rm -f "$work/lite/results.db" "$work/lite/results.db-wal" "$work/lite/results.db-shm"; }

# The statement with the window ending now, as the daemon's run computes it.
statement() {
  local template="$1" end begin
  end="$(date -u '+%Y-%m-%d %H:%M:%S')"
  begin="$(date -u -d "$end UTC - $kWindowDays days" '+%Y-%m-%d %H:%M:%S')"
  sed -e "s|@WINDOW_BEGIN@|$begin|g" -e "s|@WINDOW_END@|$end|g" -e "s|@NOW@|$end|g" "$template" \
    >"$work/statement.sql"
  echo "$begin|$end"
}

# Once: each statement returns one row per seller with window orders.
for engine in mariadb sqlite; do
  if [[ $engine == mariadb ]]; then
    window="$(statement "$bench/tuned_mariadb.sql")"
    rows="$(mariadb --defaults-file="$ro_cnf" --batch --skip-column-names <"$work/statement.sql" | wc -l)"
    expected="$(mariadb --defaults-file="$ro_cnf" --batch --skip-column-names -e \
      "SELECT COUNT(DISTINCT seller_id) FROM orders WHERE ordered_at BETWEEN '${window%|*}' AND '${window#*|}'")"
  else
    window="$(statement "$bench/tuned_sqlite.sql")"
    rows="$(sqlite3 -readonly "$work/source.db" <"$work/statement.sql" | wc -l)"
    expected="$(sqlite3 -readonly "$work/source.db" \
      "SELECT COUNT(DISTINCT seller_id) FROM orders WHERE ordered_at BETWEEN '${window%|*}' AND '${window#*|}'")"
  fi
  [[ $rows -eq $expected && $rows -gt 0 ]] ||
    die "the $engine statement returned $rows rows for $expected sellers with window orders"
  log "the $engine statement returns one row for each of the $rows sellers with window orders"
done

# One line per run in $work/runs: "case seconds rss_kib read evaluate write
# run": seconds of the process, then of the score run itself (without the
# start-up and the loading of the results it starts from).
: >"$work/runs"
daemon_run() {
  local name="$1" figures split
  shift
  figures="$(measured /dev/null "$work/daemon.out" "$work/daemon.err" "$SELLERTRUSTD" \
    --run-once=score "$@")"
  split="$(sed -n 's/^score: ok in \([0-9.]*\) s: .*(read \([0-9.]*\) s, evaluate \([0-9.]*\) s, write \([0-9.]*\) s)$/\2 \3 \4 \1/p' \
    "$work/daemon.out")"
  [[ -n $split ]] || {
    cat "$work/daemon.out" >&2
    die "no '(read R s, evaluate E s, write W s)' in the daemon's summary line"
  }
  echo "$name $figures $split" >>"$work/runs"
  log "  $name: ${figures%% *} s: $(sed 's/^score: ok in [0-9.]* s: //' "$work/daemon.out")"
}
statement_run() {
  local name="$1" figures
  shift
  figures="$(measured "$work/statement.sql" /dev/null "$work/statement.err" "$@")"
  echo "$name $figures - - - -" >>"$work/runs"
  log "  $name: ${figures%% *} s"
}

for ((rep = 1; rep <= reps; rep++)); do
  log "rep $rep of $reps"
  reset_mysql_results
  daemon_run mariadb_daemon "${mysql_opts[@]}"
  statement "$bench/tuned_mariadb.sql" >/dev/null
  statement_run mariadb_statement mariadb --defaults-file="$ro_cnf" --batch --skip-column-names
  reset_sqlite_results
  daemon_run sqlite_daemon "${sqlite_opts[@]}"
  statement "$bench/tuned_sqlite.sql" >/dev/null
  statement_run sqlite_statement sqlite3 -readonly "$work/source.db"
done

# Runs on an unchanged source, on the last rep's results: the first
# evaluates once more the sellers whose badge the full run changed (a badge
# that holds gives another reason than one that changes), the second is the
# idle incremental run, the third a full run that must write nothing.
# Then changed rows (bench/source_changes.py; 0.1 % of the orders, 10000 at
# 10M) and an incremental run.
# On MariaDB, the rows the server read from the source's tables per run
# (the user statistics' TABLE_STATISTICS). Handler_read_* would count the
# results database too: a daemon that starts loads its previous results,
# 870 k rows at 100 k sellers, and an idle run reads 10 k from the source.
admin -e "SET GLOBAL userstat = 1"
source_rows_read() {
  admin -e "SELECT COALESCE(SUM(ROWS_READ), 0) FROM information_schema.TABLE_STATISTICS
            WHERE TABLE_SCHEMA = '$source_db'"
}
summary_field() { sed -n "$1" "$work/daemon.out"; }
changes=$((orders / 1000 > 10 ? orders / 1000 : 10))  # 10000 at 10M orders
python3 "$bench/source_changes.py" "$work/source.db" "$changes" \
  "$(date -u '+%Y-%m-%d %H:%M:%S')" "$kSeed" >"$work/changes.sql"
declare -A repeat_rows examined recomputed kinds
for engine in mariadb sqlite; do
  opts_name=$([[ $engine == mariadb ]] && echo mysql_opts || echo sqlite_opts)
  declare -n opts="$opts_name"
  daemon_run ${engine}_settle "${opts[@]}"
  [[ $engine == mariadb ]] && before="$(source_rows_read)"
  daemon_run ${engine}_idle "${opts[@]}"
  [[ $engine == mariadb ]] && examined[idle]=$(($(source_rows_read) - before))
  kinds[${engine}_idle]="$(summary_field 's/.*: \([a-z]*\) run: .*/\1/p')"
  [[ $engine == mariadb ]] && before="$(source_rows_read)"
  daemon_run ${engine}_full_repeat "${opts[@]}" --full
  [[ $engine == mariadb ]] && examined[full]=$(($(source_rows_read) - before))
  repeat_rows[$engine]="$(summary_field 's/.* \([0-9]*\) result rows written.*/\1/p')"
  if [[ $engine == mariadb ]]; then
    admin "$source_db" <"$work/changes.sql"
    before="$(source_rows_read)"
  else
    sqlite3 "$work/source.db" <"$work/changes.sql"
  fi
  daemon_run ${engine}_changed "${opts[@]}"
  [[ $engine == mariadb ]] && examined[changed]=$(($(source_rows_read) - before))
  kinds[${engine}_changed]="$(summary_field 's/.*: \([a-z]*\) run: .*/\1/p')"
  recomputed[$engine]="$(summary_field 's/.* run: \([0-9]* of [0-9]*\) sellers.*/\1/p')"
  unset -n opts
done

# --- Report ------------------------------------------------------------------
# Prints "min median max" of column `col` for case `name`.
stats() {
  awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$work/runs" | sort -g |
    awk '{ v[NR] = $1 } END {
      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.2f %.2f %.2f\n", v[1], m, v[NR] }'
}
median() { stats "$1" "$2" | awk '{ print $2 }'; }
peak_mib() { stats "$1" 3 | awk '{ printf "%.0f", $3 / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
percent() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", 100 * a / b; else print "-" }'; }

echo
echo "sellertrust scale benchmark: $orders orders, $sellers sellers, $kHistoryDays days" \
  "(window $kWindowDays days), $reps rep(s) interleaved"
echo "generation ${generate_s} s (TSV and SQLite in parallel); MariaDB load ${load_s} s," \
  "indexes ${index_s} s; buffer pool $SELLERTRUST_MARIADB_BUFFER_POOL"
echo
printf '%-30s %8s %8s %8s %14s\n' "full first run" "min s" "median s" "max s" "peak RSS MiB"
for row in "mariadb_daemon|MariaDB  sellertrustd" "mariadb_statement|MariaDB  tuned statement" \
  "sqlite_daemon|SQLite   sellertrustd" "sqlite_statement|SQLite   tuned statement"; do
  name="${row%%|*}"
  read -r lo mid hi < <(stats "$name" 2)
  rss="$(peak_mib "$name")"
  [[ $name == mariadb_statement ]] && rss="(client)"
  printf '%-30s %8s %8s %8s %14s\n' "${row#*|}" "$lo" "$mid" "$hi" "$rss"
done
echo
for engine in mariadb sqlite; do
  label=$([[ $engine == mariadb ]] && echo "MariaDB" || echo "SQLite ")
  printf '%s daemon / statement (median): %sx; daemon split (median s): read %s, evaluate %s, write %s\n' \
    "$label" "$(ratio "$(median ${engine}_daemon 2)" "$(median ${engine}_statement 2)")" \
    "$(median ${engine}_daemon 4)" "$(median ${engine}_daemon 5)" "$(median ${engine}_daemon 6)"
done
echo
# The first run has no previous results, so it tallies no seller in
# buckets; every later full run (the daily one) does, at a cost of its own.
printf 'full run on previous results, the source unchanged (the daily full run; the first builds no buckets): MariaDB %s s = %sx the statement, %s result rows written; SQLite %s s = %sx, %s result rows written\n' \
  "$(median mariadb_full_repeat 2)" \
  "$(ratio "$(median mariadb_full_repeat 2)" "$(median mariadb_statement 2)")" \
  "${repeat_rows[mariadb]}" "$(median sqlite_full_repeat 2)" \
  "$(ratio "$(median sqlite_full_repeat 2)" "$(median sqlite_statement 2)")" \
  "${repeat_rows[sqlite]}"
printf 'idle incremental run (%s / %s): MariaDB %s s (the run itself %s s), %s MiB; SQLite %s s (the run itself %s s), %s MiB\n' \
  "${kinds[mariadb_idle]}" "${kinds[sqlite_idle]}" "$(median mariadb_idle 2)" \
  "$(median mariadb_idle 7)" "$(peak_mib mariadb_idle)" "$(median sqlite_idle 2)" \
  "$(median sqlite_idle 7)" "$(peak_mib sqlite_idle)"
for engine in mariadb sqlite; do
  label=$([[ $engine == mariadb ]] && echo "MariaDB" || echo "SQLite ")
  # Peak memory beside a full run that also starts from previous results
  # (issue 8: an incremental run's peak is at most a full run's).
  # Also the run itself, as a running daemon pays it every interval: both
  # processes also start (load the results they continue from) and exit.
  printf '%s after %s changed rows: %s run, %s sellers recomputed, %s s = %s%% of the full run (the run itself %s s = %s%% of the full run'"'"'s own %s s), %s MiB (a full run on previous results %s MiB)\n' \
    "$label" "$changes" "${kinds[${engine}_changed]}" "${recomputed[$engine]}" \
    "$(median ${engine}_changed 2)" "$(percent "$(median ${engine}_changed 2)" "$(median ${engine}_daemon 2)")" \
    "$(median ${engine}_changed 7)" "$(percent "$(median ${engine}_changed 7)" "$(median ${engine}_daemon 7)")" \
    "$(median ${engine}_daemon 7)" "$(peak_mib ${engine}_changed)" "$(peak_mib ${engine}_full_repeat)"
done
# Issue 7's bound is on every run, not only the first: a later one holds the
# results it starts from beside the ones it makes.
printf 'peak RSS of any daemon run: %s\n' "$(awk '$1 !~ /_statement$/ && $3 > m { m = $3; n = $1 }
  END { printf "%.0f MiB = %.0f MB (%s)", m / 1024, m * 1024 / 1e6, n }' "$work/runs")"
printf 'MariaDB rows read from the source (TABLE_STATISTICS): full run %s; idle run %s; after %s changed rows %s (%s per changed row)\n' \
  "${examined[full]}" "${examined[idle]}" "$changes" "${examined[changed]}" \
  "$(awk -v a="${examined[changed]}" -v b="$changes" 'BEGIN { printf "%.1f", a / b }')"
