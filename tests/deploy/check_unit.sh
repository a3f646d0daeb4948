#!/usr/bin/env bash
# Checks systemd/sellertrustd.service with the real systemd tools:
# `systemd-analyze verify` must be clean (ExecStart pointed at the built
# binary) and the offline security exposure must be at most 3.0.
# Usage: check_unit.sh UNIT_FILE SELLERTRUSTD_BINARY
set -euo pipefail
unit="$1"
binary="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed "s|/usr/sbin/sellertrustd|$binary|" "$unit" > "$work/sellertrustd.service"

if ! out="$(systemd-analyze verify "$work/sellertrustd.service" 2>&1)" || [ -n "$out" ]; then
  echo "systemd-analyze verify is not clean:"
  echo "$out"
  exit 1
fi
report="$(systemd-analyze security --offline=true "$work/sellertrustd.service" 2>&1)"
exposure="$(echo "$report" | sed -n 's/.*Overall exposure level for sellertrustd.service: \([0-9.]*\).*/\1/p')"
[ -n "$exposure" ] || { echo "no exposure level in:"; echo "$report"; exit 1; }
echo "exposure $exposure"
awk -v e="$exposure" 'BEGIN { exit !(e <= 3.0) }' || { echo "exposure $exposure > 3.0"; exit 1; }
