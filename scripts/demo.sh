#!/usr/bin/env bash
# Builds sellertrustd and runs it on its embedded default (SQLite under
# var/demo) with a freshly generated demo marketplace, serving
# http://127.0.0.1:${PORT:-8080}. Stop it with Ctrl-C.
# Extra arguments go to sellertrustd (e.g. --set=api.operator_token=secret).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sellertrustd

# var/demo is the demo's own directory: --force replaces what an older
# version left there.
exec build/release/daemon/sellertrustd --demo --force \
  --set=data.dir=var/demo --set=http.port="${PORT:-8080}" "$@"
