#!/usr/bin/env bash
# secnat --check on the shipped examples and on broken files: the exit codes and messages of
# CONSOLE.md ("FILE: ok" and 0; "FILE:LINE: message" and 2), without EAL or ports.
set -euo pipefail
secnat=$1
config_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 passes=0

expect() { # name, expected exit code, expected output pattern, command...
  local name=$1 code=$2 pattern=$3 out rc=0
  shift 3
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq "$code" ] && grep -qE -- "$pattern" <<<"$out"; then
    passes=$((passes + 1))
  else
    echo "FAIL $name: exit $rc (want $code), output: $out" >&2
    failures=$((failures + 1))
  fi
}

for f in "$config_dir"/*.conf; do
  expect "example $(basename "$f")" 0 "^$f: ok$" "$secnat" --check -f "$f"
done

cp "$config_dir/mode1-translate-to-31.conf" "$tmp/bad.conf"
echo "nat pool sec1 192.168.0.0/24" >>"$tmp/bad.conf"
line=$(wc -l <"$tmp/bad.conf")
expect "private pool" 2 "^$tmp/bad.conf:$line: nat pool 192.168.0.0/24 is not public" \
  "$secnat" --check -f "$tmp/bad.conf"
expect "EAL options before --" 2 "^$tmp/bad.conf:$line:" \
  "$secnat" --no-pci -l 0 -- --check -f "$tmp/bad.conf"

printf 'port 0 role lan\nport 0 address 10.1.0.1/24\nroute add 0.0.0.0/0 via 10.1.0.254\nport 1 role aend\nvxc add s port 1 vlan 7 local 198.51.100.1/31 peer 198.51.100.0 rate 1G\nroute add 0.0.0.0/0 via 198.51.100.0\n' >"$tmp/default.conf"
expect "default via salesforce" 2 "^$tmp/default.conf:6: a default route is never pointed at Salesforce" \
  "$secnat" --check -f "$tmp/default.conf"
expect "missing file" 2 "No such file" "$secnat" --check -f "$tmp/none.conf"
expect "check without file" 2 "needs -f" "$secnat" --check

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
