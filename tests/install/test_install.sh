#!/usr/bin/env bash
# `meson install` as an appliance gets it: into a DESTDIR, the files where the README says, the unit
# verified by systemd-analyze, every man page rendering (and secnat.conf(5) covering every command),
# the operator's files kept on reinstall, and the installed secnat started the way secnat.service
# starts it: its ExecStartPre, ExecStart with the environment file's options, NOTIFY_SOCKET and
# WATCHDOG_USEC as systemd sets them, ExecReload, and SIGTERM.
#
# The installed tree is bind-mounted over the unit's own paths in a private mount namespace (with an
# empty /run), so the unit's command lines run unchanged. Usage: test_install.sh BUILDDIR
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (mount namespace)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lab/checks.sh"
builddir=$(cd "$1" && pwd)

if [ -z "${SECNAT_INSTALL_INNER:-}" ]; then
  tmp=$(mktemp -d /tmp/secnat-install.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  SECNAT_INSTALL_INNER=$tmp unshare --mount --propagation private "$0" "$@"
  exit $?
fi
tmp=$SECNAT_INSTALL_INNER
dest=$tmp/dest

echo "# meson install --destdir"
check "meson install into a DESTDIR succeeds" bash -c \
  "meson install -C '$builddir' --destdir '$dest' --no-rebuild >'$tmp/install.log' 2>&1"
unit=$(find "$dest" -path '*/lib/systemd/system/secnat.service' | head -n 1)
check "the unit is installed under lib/systemd/system" test -n "$unit"
sbindir=$(sed -n 's|^ExecStart=\([^ ]*\)/secnat .*|\1|p' "$unit")
conf=$(sed -n 's|^ExecStart=.* -f \([^ ]*\) .*|\1|p' "$unit")
envfile=$(sed -n 's|^EnvironmentFile=-\{0,1\}||p' "$unit")
check "secnat, secnatctl and secnat-setup-host are in $sbindir" bash -c \
  "for b in secnat secnatctl secnat-setup-host; do [ -x '$dest$sbindir/'\$b ] || exit 1; done"
for page in man8/secnat.8 man8/secnatctl.8 man5/secnat.conf.5 man8/secnat-setup-host.8; do
  found=$(find "$dest" -path "*/share/man/$page" | head -n 1)
  check "man page $page is installed" test -n "$found"
  render() { MANWIDTH=100 man --warnings=w -l "$1" 2>"$tmp/man.err" >"$tmp/man.out" && [ ! -s "$tmp/man.err" ] &&
             [ "$(wc -l <"$tmp/man.out")" -gt 20 ]; }
  check "man -l renders $page without a warning" render "$found"
  cp "$tmp/man.out" "$tmp/$(basename "$page").txt"
done
# Every command of the grammar (secnat --help lists them) is in secnat.conf(5), its words in order.
all_commands_documented() {
  local missing=0 words
  while read -r words; do
    grep -qF -- "$words" <(tr -s ' \n' ' ' <"$tmp/secnat.conf.5.txt") || { echo "  not in secnat.conf(5): $words"; missing=1; }
  done < <("$dest$sbindir/secnat" --help | sed -n '/^commands:/,$p' | tail -n +2 |
           sed 's/ *[<[].*//; s/ [a-z-]*|.*//' | sort -u)
  [ "$missing" = 0 ]
}
check "secnat.conf(5) documents every command of the grammar" all_commands_documented
check "the environment file $envfile is installed" test -f "$dest$envfile"
check "the startup file $conf is installed, mode 0600 (it holds the BGP password)" \
  test "$(stat -c %a "$dest$conf" 2>/dev/null)" = 600
check "the installed startup file passes secnat --check" "$dest$sbindir/secnat" --check -f "$dest$conf"
echo "# an operator's edit" >>"$dest$conf"
meson install -C "$builddir" --destdir "$dest" --no-rebuild >/dev/null 2>&1
check "a second install keeps the operator's startup file" grep -q "an operator's edit" "$dest$conf"
check "and puts the new example beside it" test -f "$dest$conf.example"

echo "# the unit"
# The installed tree over the unit's paths, and an empty /run, as on a machine just booted.
prefix=${sbindir%/sbin}
mkdir -p "$tmp/run" "$prefix/sbin" "$prefix/etc" "$prefix/share/man"
mount --bind "$dest$prefix/sbin" "$prefix/sbin"
mount --bind "$dest$prefix/share/man" "$prefix/share/man" # the unit's Documentation= pages
mount --bind "$dest$(dirname "$(dirname "$conf")")" "$(dirname "$(dirname "$conf")")"
mount --bind "$tmp/run" /run
verify() { systemd-analyze verify "$unit" >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; }
check "systemd-analyze verify accepts the unit with no warning" verify
[ -s "$tmp/verify.out" ] && cat "$tmp/verify.out"
unit_value() { sed -n "s|^$1=||p" "$unit"; }
check "it is Type=notify" test "$(unit_value Type)" = notify
check "with Restart=on-failure" test "$(unit_value Restart)" = on-failure
check "and a watchdog" test -n "$(unit_value WatchdogSec)"
check "ExecReload is configure replace of the startup file" \
  test "$(unit_value ExecReload)" = "$sbindir/secnatctl configure replace $conf"

echo "# the installed secnat started as the unit starts it"
# The operator's edit of the environment file for this machine: virtual ports, no hugepages.
cat >"$envfile" <<ENV
SECNAT_EAL_OPTS="--no-pci --no-huge -m 512 -l 0-1 --file-prefix secnat-install-$$ --vdev net_ring0 --vdev net_ring1 --no-telemetry"
SECNAT_OPTS="--sessions 1024"
ENV
set -a
# shellcheck disable=SC1090
. "$envfile"
set +a
# systemd's word splitting of $VAR in Exec lines is the shell's for these values.
expand() { eval "echo $1"; }
watchdog_s=$(unit_value WatchdogSec)
check "ExecStartPre (secnat --check) passes" $(expand "$(unit_value ExecStartPre)")
/usr/bin/python3 "$here/notify_listener.py" "$tmp/notify.sock" "$tmp/notify.log" 60 &
listener=$!
for _ in $(seq 50); do [ -S "$tmp/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET=$tmp/notify.sock WATCHDOG_USEC=$((watchdog_s * 1000000)) \
  $(expand "$(unit_value ExecStart)") >"$tmp/secnat.log" 2>&1 &
pid=$!
# WATCHDOG_PID is systemd's too: this is the main process's pid, which only exists now.
ready() { grep -q ' READY=1$' "$tmp/notify.log" 2>/dev/null; }
check "secnat tells systemd READY=1" within 30 ready
check "once it runs: the socket answers" "$sbindir/secnatctl" show version
check "its runtime directory /run/secnat was made" test -d /run/secnat
feeds() { [ "$(grep -c ' WATCHDOG=1$' "$tmp/notify.log")" -ge 2 ]; }
check "it feeds the watchdog (every $((watchdog_s / 2)) s of WatchdogSec=$watchdog_s)" within $((watchdog_s + 5)) feeds
sed -i 's/rate 500M/rate 1G/' "$conf"
check "ExecReload applies the edited startup file" $(expand "$(unit_value ExecReload)")
rate_1g() { "$sbindir/secnatctl" show vxc json | grep -q '"rate_bps":1000000000'; }
check "the new rate is in force" rate_1g
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
check "SIGTERM stops it with status 0" test "$status" = 0
check "it said STOPPING=1" grep -q ' STOPPING=1$' "$tmp/notify.log"
check "and removed /run/secnat" test ! -e /run/secnat
check "every line it printed carries a syslog priority" bash -c "! grep -qvE '^<[0-7]>' '$tmp/secnat.log'"
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
rm -rf "/var/run/dpdk/secnat-install-$$"
if [ "$failures" -ne 0 ]; then
  echo "--- install log"; tail -20 "$tmp/install.log"
  echo "--- secnat log"; tail -20 "$tmp/secnat.log"
  echo "--- notifications"; cat "$tmp/notify.log"
fi
report
