#!/usr/bin/env bash
# A throw-away MariaDB for the integration tests and the benchmark: its own
# data directory, socket and TCP port (127.0.0.1, a free port) under DIR, no
# system service and no --skip-grant-tables. The OS user running the script is
# the database superuser through the unix socket in DIR; the two SPEC accounts
# of etc/sql/mysql/grants.sql get random passwords, written with everything
# else a test needs to DIR/env.
#
# Usage: scripts/mariadb-test-server.sh start DIR   start (or keep) the server
#        scripts/mariadb-test-server.sh stop DIR    shut it down cleanly
#        scripts/mariadb-test-server.sh env DIR     print DIR/env
#
# Works as root (mariadbd then needs --user=root) and as a normal user.
# SELLERTRUST_MARIADB_BUFFER_POOL sets the InnoDB buffer pool size (default
# 512M; bench/scale_bench.sh raises it for millions of orders).
# `start` on a running server changes nothing and exits 0; `stop` on a
# stopped one exits 0, so CI can call both unconditionally.
set -euo pipefail

readonly kSourceDb=sellertrust_source
readonly kResultsDb=sellertrust_results
readonly kRoUser=sellertrust_ro
readonly kRwUser=sellertrust_rw
readonly kStartTimeoutSeconds=60
readonly kStopTimeoutSeconds=60
readonly buffer_pool="${SELLERTRUST_MARIADB_BUFFER_POOL:-512M}"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(dirname "$script_dir")"
grants_sql="$repo_dir/etc/sql/mysql/grants.sql"

die() {
  echo "mariadb-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command="$1"
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
data_dir="$dir/data"
socket="$dir/mysqld.sock"
pid_file="$dir/mysqld.pid"
log_file="$dir/mysqld.log"
env_file="$dir/env"
os_user="$(id -un)"

# The unix socket path must fit in sun_path (108 bytes).
[[ ${#socket} -lt 100 ]] || die "DIR is too long for a unix socket path: $dir"

find_server() {
  local candidate
  for candidate in mariadbd mysqld; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return
    fi
    if [[ -x /usr/sbin/$candidate ]]; then
      echo "/usr/sbin/$candidate"
      return
    fi
  done
}

ensure_installed() {
  if [[ -n "$(find_server)" ]] && command -v mariadb-install-db >/dev/null 2>&1; then
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "mariadb-server is not installed; run: sudo apt-get install mariadb-server"
  echo "mariadb-test-server: installing mariadb-server" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    mariadb-server mariadb-client >&2
}

# The superuser client: the OS user through the socket (unix_socket plugin).
admin_sql() {
  mariadb --no-defaults --protocol=socket --socket="$socket" --user="$os_user" "$@"
}

server_pid() {
  [[ -f $pid_file ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

is_up() {
  mariadb-admin --no-defaults --protocol=socket --socket="$socket" --user="$os_user" \
    --connect-timeout=2 ping >/dev/null 2>&1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

random_port() {
  echo $((20000 + RANDOM % 40000))
}

random_password() {
  # 24 characters without quotes or backslashes, so no escaping is needed.
  # A bounded read: `tr </dev/urandom | head` dies of SIGPIPE under pipefail.
  local chars
  chars="$(head -c 2048 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')"
  echo "${chars:0:24}"
}

# Starts mariadbd on `port`; returns non-zero if it exits before answering
# (a port taken meanwhile, most often).
launch() {
  local port="$1" server run_as=()
  server="$(find_server)"
  # mariadbd refuses to run as root unless told so explicitly.
  if [[ $(id -u) -eq 0 ]]; then run_as=(--user=root); fi
  rm -f "$pid_file" "$socket"
  # setsid and closed standard streams: the server must not hold the pipes
  # of the caller (ctest waits for them to close).
  setsid "$server" --no-defaults "${run_as[@]}" \
    --datadir="$data_dir" --socket="$socket" --pid-file="$pid_file" \
    --log-error="$log_file" --port="$port" --bind-address=127.0.0.1 \
    --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_general_ci --default-time-zone=+00:00 \
    --innodb-buffer-pool-size="$buffer_pool" --innodb-log-file-size=256M \
    --innodb-flush-log-at-trx-commit=2 --max-allowed-packet=64M \
    </dev/null >>"$log_file" 2>&1 &
  local pid=$! waited=0
  while ! is_up; do
    if ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if ((waited >= kStartTimeoutSeconds * 10)); then
      kill -TERM "$pid" 2>/dev/null || true
      die "server did not answer within ${kStartTimeoutSeconds}s; see $log_file"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

provision() {
  local port="$1" ro_password rw_password
  ro_password="$(random_password)"
  rw_password="$(random_password)"
  [[ -f $grants_sql ]] || die "missing $grants_sql"
  admin_sql <<SQL
CREATE DATABASE IF NOT EXISTS $kSourceDb CHARACTER SET utf8mb4;
CREATE DATABASE IF NOT EXISTS $kResultsDb CHARACTER SET utf8mb4;
SQL
  sed -e "s/@RO_PASSWORD@/$ro_password/g" -e "s/@RW_PASSWORD@/$rw_password/g" "$grants_sql" |
    admin_sql
  local tmp="$env_file.tmp"
  {
    echo "# Written by scripts/mariadb-test-server.sh; source it."
    printf 'export SELLERTRUST_MYSQL_HOST=%q\n' 127.0.0.1
    printf 'export SELLERTRUST_MYSQL_PORT=%q\n' "$port"
    printf 'export SELLERTRUST_MYSQL_SOURCE_DB=%q\n' "$kSourceDb"
    printf 'export SELLERTRUST_MYSQL_RESULTS_DB=%q\n' "$kResultsDb"
    printf 'export SELLERTRUST_MYSQL_RO_USER=%q\n' "$kRoUser"
    printf 'export SELLERTRUST_MYSQL_RO_PASSWORD=%q\n' "$ro_password"
    printf 'export SELLERTRUST_MYSQL_RW_USER=%q\n' "$kRwUser"
    printf 'export SELLERTRUST_MYSQL_RW_PASSWORD=%q\n' "$rw_password"
    printf 'export SELLERTRUST_MYSQL_ROOT_SOCKET=%q\n' "$socket"
    printf 'export SELLERTRUST_MYSQL_ROOT_USER=%q\n' "$os_user"
  } >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$env_file"
}

start() {
  if server_pid >/dev/null && is_up && [[ -f $env_file ]]; then
    echo "mariadb-test-server: already running ($env_file)" >&2
    return
  fi
  stop_server
  ensure_installed
  rm -rf "$data_dir" "$env_file"
  mkdir -p "$data_dir"
  # --user is for root only; a normal user owns the files anyway.
  local run_as=()
  if [[ $(id -u) -eq 0 ]]; then run_as=(--user=root); fi
  mariadb-install-db --no-defaults "${run_as[@]}" --datadir="$data_dir" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$os_user" \
    --skip-test-db \
    >>"$log_file" 2>&1 || die "mariadb-install-db failed; see $log_file"
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port="$(random_port)"
    port_in_use "$port" && continue
    if launch "$port"; then
      provision "$port"
      echo "mariadb-test-server: up on 127.0.0.1:$port ($env_file)" >&2
      return
    fi
    echo "mariadb-test-server: start on port $port failed (attempt $attempt), retrying" >&2
  done
  die "could not start the server; see $log_file"
}

stop_server() {
  local pid
  pid="$(server_pid)" || return 0
  # A clean shutdown through the server itself, then signals as fallback.
  mariadb-admin --no-defaults --protocol=socket --socket="$socket" --user="$os_user" \
    --connect-timeout=5 shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= kStopTimeoutSeconds * 10)); then
      echo "mariadb-test-server: server $pid did not stop; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$pid_file"
}

case "$command" in
  start) start ;;
  stop)
    stop_server
    # The data is throw-away; the log stays for post-mortems.
    rm -rf "$data_dir" "$env_file" "$socket"
    ;;
  env)
    [[ -f $env_file ]] || die "no $env_file: run '$0 start $dir' first"
    cat "$env_file"
    ;;
  *) usage ;;
esac
