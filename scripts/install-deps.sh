#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages on a
# bookworm machine. Idempotent: silent and quick when everything is present.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libpoco-dev libsqlite3-dev sqlite3 rapidjson-dev
  libmysqlcppconn-dev libboost-dev libmariadb-dev
  prometheus-cpp-dev
  libgtest-dev libgmock-dev
  clang-format clang-tidy clang libclang-rt-14-dev
  mariadb-server mariadb-client
  prometheus systemd curl python3 python3-jsonschema wrk nginx
  dpkg-dev file man-db groff-base
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
