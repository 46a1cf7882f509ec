#!/usr/bin/env bash
# The interactive console (secnat -i) as CONSOLE.md describes it: prompt "secnat> ", Tab completion,
# '?' help, the same commands and answers as secnatctl (which works alongside it), refused commands
# that change nothing, and "quit" that stops secnat cleanly. Ports are net_ring devices: no namespaces
# or traffic needed. Typed input comes through a FIFO, so the test can act between keystrokes.
set -euo pipefail
secnat=$1
secnatctl=$2
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
source "$(dirname "$0")/../lab/checks.sh"

cat >"$tmp/c.conf" <<'EOF'
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M
EOF
mkfifo "$tmp/keys"
"$secnat" --no-pci --no-huge -m 512 -l 0-1 --file-prefix "secnat-console-$$" \
  --vdev net_ring0 --vdev net_ring1 --log-level 3 -- \
  -f "$tmp/c.conf" -s "$tmp/secnat.sock" --sessions 1024 -i <"$tmp/keys" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/keys"

# A secnat that died must fail the checks, not kill this script with SIGPIPE.
trap '' PIPE
type_keys() { printf '%b' "$1" >&3 2>/dev/null || true; }
# Waits until the console has written `pattern` (a fixed string), for up to 20 s.
wait_output() {
  local i
  for i in $(seq 200); do
    grep -qF -- "$1" "$tmp/out" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
# The output written since the last mark.
mark() { wc -c <"$tmp/out"; }
since() { tail -c +"$(($1 + 1))" "$tmp/out"; }

check "the console shows the prompt" wait_output "secnat> "

m=$(mark)
type_keys 'sho\t'
check "Tab completes a keyword" wait_output "show "
type_keys 'vx\t\n' # 'v' alone is also 'version'
check "a completed line runs: show vxc lists the VXC" wait_output "sec1"
check "the completed line was 'show vxc'" bash -c "tail -c +$((m + 1)) '$tmp/out' | grep -q 'show .*vxc'"

m=$(mark)
type_keys 'vxc ?'
check "'?' lists what may follow, with each command's syntax" wait_output " del [keyword]: vxc del <name>"
check "'?' names placeholders too" bash -c "tail -c +$((m + 1)) '$tmp/out' | grep -qF '<name> [value]: vxc <name> rate <rate>'"
type_keys 'sec1 rate 9G\n'
check "a refused command explains itself" wait_output "rate '9G'"

m=$(mark)
type_keys 'show vxc json\n'
wait_output '"vxcs"' || true
check "a refused command changes nothing" bash -c "tail -c +$((m + 1)) '$tmp/out' | grep -q '\"rate_bps\":500000000'"

type_keys 'vxc sec1 rate 1G\n'
sleep 0.5
check "secnatctl works while the console runs, and sees the console's change" bash -c \
  "'$secnatctl' -s '$tmp/secnat.sock' show vxc json | grep -q '\"rate_bps\":1000000000'"

m=$(mark)
type_keys 'fly away\n'
check "an unknown command is named" wait_output "unknown command 'fly'"

type_keys 'help\n'
check "help lists every command's syntax" wait_output "route add <A.B.C.D/len> via <A.B.C.D> [distance <1-255>]"

type_keys 'quit\n'
exec 3>&-
rc=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  rc=timeout
else
  wait "$pid" || rc=$?
fi
pid=
check "quit stops secnat with status 0" test "$rc" = 0
check "quit removes the control socket" test ! -e "$tmp/secnat.sock"

if [ "$failures" -ne 0 ]; then
  echo "--- console output" >&2
  cat -v "$tmp/out" >&2
  cat "$tmp/err" >&2
fi
report
