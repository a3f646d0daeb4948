#!/usr/bin/env bash
# Builds the .deb with CPack from a configured build tree, unpacks it into a
# staging root and checks it as an operator's server would see it: the
# control fields (dependencies, conffiles, maintainer scripts), a stripped
# binary, every path that the unit, the README and the docs name under /etc,
# /usr and /lib, the unit with `systemd-analyze verify`, the man pages with
# groff and lexgrog, and the installed binary running on the installed
# configuration.
# Usage: check_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/out/sellertrust_*.deb)"
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"
root="$work/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# --- Control fields.
depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libpoconet libpocoutil libmysqlcppconn libprometheus-cpp-core libsqlite3 systemd; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[ "$(cat "$work/control/conffiles")" = "/etc/sellertrust/sellertrustd.properties" ] ||
  fail "conffiles: $(cat "$work/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script"
  sh -n "$work/control/$script" || fail "$script does not parse"
done

# --- Files.
for path in /usr/sbin/sellertrustd /etc/sellertrust/sellertrustd.properties \
            /lib/systemd/system/sellertrustd.service \
            /usr/share/man/man8/sellertrustd.8.gz /usr/share/man/man5/sellertrustd.properties.5.gz \
            /usr/share/doc/sellertrust/README.md /usr/share/doc/sellertrust/CHANGELOG.md \
            /usr/share/sellertrust/sellertrust-rules.yml \
            /usr/share/sellertrust/sellertrust-dashboard.json \
            /usr/share/sellertrust/sql/mysql/source_schema.sql; do
  [ -e "$root$path" ] || fail "missing $path"
done
[ ! -e "$root/usr/etc" ] || fail "a configuration under /usr/etc"
file "$root/usr/sbin/sellertrustd" | grep -q ', stripped' || fail "the binary is not stripped"

# Every absolute path the unit, the README and the docs name, other than
# the files an operator creates (secrets, a unit drop-in) and the state
# directory systemd creates, is in the package.
unit="$root/lib/systemd/system/sellertrustd.service"
while read -r path; do
  case "$path" in
    /etc/sellertrust/db-password | /etc/sellertrust/results-db-password | \
      /etc/sellertrust/api-token | /etc/systemd/system/* | /var/lib/sellertrust*) continue ;;
  esac
  [ -e "$root$path" ] || fail "named in the unit or the docs but not packaged: $path"
  echo "packaged: $path"
done < <(grep -rhoP '(?<![A-Za-z0-9_.-])/(etc|usr|lib)/[A-Za-z0-9_./-]*[A-Za-z0-9_/]' \
           "$unit" "$source_dir/README.md" "$source_dir/docs" --include='*.md' --include='*.service' |
         sort -u)

# --- The unit, pointed at the unpacked binary.
"$source_dir/tests/deploy/check_unit.sh" "$unit" "$root/usr/sbin/sellertrustd"

# --- The man pages: no groff warnings, a NAME line whatis can index.
for page in man8/sellertrustd.8.gz man5/sellertrustd.properties.5.gz; do
  warnings="$(zcat "$root/usr/share/man/$page" | groff -man -Tutf8 -ww -z 2>&1)"
  [ -z "$warnings" ] || fail "$page: $warnings"
  lexgrog "$root/usr/share/man/$page" | grep -q 'sellertrustd' || fail "$page: no whatis entry"
done
zcat "$root/usr/share/man/man8/sellertrustd.8.gz" | grep -q -- '-check\\-config' ||
  fail "sellertrustd(8) lacks --check-config"
zcat "$root/usr/share/man/man5/sellertrustd.properties.5.gz" | grep -q 'rules.window_days' ||
  fail "sellertrustd.properties(5) lacks rules.window_days"

# --- The installed binary on the installed configuration: a demo run, then
# the configuration check.
bin="$root/usr/sbin/sellertrustd"
config="$root/etc/sellertrust/sellertrustd.properties"
"$bin" --version | grep -Eq '^sellertrustd [0-9.]+ \(revision [^ ,]+, rules formula' ||
  fail "--version: $("$bin" --version)"
"$bin" --config="$config" --set=data.dir="$work/data" --demo --run-once=score >"$work/run.log" 2>&1 ||
  { cat "$work/run.log"; fail "a demo run with the installed configuration"; }
"$bin" --config="$config" --set=data.dir="$work/data" --check-config 2>&1 | tee "$work/check.log" |
  grep -q '^configuration OK' || { cat "$work/check.log"; fail "--check-config"; }
echo "package OK"
