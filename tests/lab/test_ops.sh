#!/usr/bin/env bash
# Operating secnat in the lab (CONSOLE.md, "Operations commands"): the running configuration shown,
# saved and restarted from; `configure replace` applying only the difference (the BGP session with
# the BIRD playing Salesforce stays up) or nothing; SIGHUP; the version; the log with its syslog
# priorities; and the runtime directory secnat makes and removes for any -s path.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/topology.sh"
source "$here/checks.sh"
trap lab_down EXIT

lab_up
conf=$LAB_DIR/startup/secnat.conf
mkdir -p "$LAB_DIR/startup"
cat >"$conf" <<'CONF'
port 0 role lan
port 0 address 10.11.0.1/24
port 1 role aend
vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M
route add 198.51.100.0/24 via 203.0.113.0 distance 250
bgp as 64512 router-id 203.0.113.1
bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9
CONF
chmod 644 "$conf" # as an editor may leave it: secnat must warn about the password
lab_bird_peer sf 203.0.113.0 203.0.113.0 203.0.113.1 s3cret
# A socket in folders that do not exist yet: secnat must make them, and remove them at stop.
run=$LAB_DIR/run/deep
lab_secnat_command "$conf" -s "$run/secnat.sock"
"${lab_secnat_argv[@]}" >"$LAB_DIR/secnat.log" 2>&1 &
lab_secnat_pid=$!
lab_pids+=("$lab_secnat_pid")
ctl() { "$SECNATCTL" -s "$run/secnat.sock" "$@"; } # topology.sh's json() asks through this one
check "secnat starts with its socket in folders it had to make" within 20 test -S "$run/secnat.sock"
check "the runtime directory is 0755" test "$(stat -c %a "$run")" = 755
check "BIRD's directory inside it is 0700" test "$(stat -c %a "$run/secnat.sock.bird")" = 700

state() { json show bgp neighbors -- "d['neighbors'][0]['state']"; }
uptime() { json show bgp neighbors -- "d['neighbors'][0]['uptime_s']"; }
established() { [ "$(state)" = Established ]; }
check "the BGP session with the BIRD peer establishes" within 60 established

echo "# show running-config"
ctl show running-config >"$LAB_DIR/shown.conf"
check "it shows the startup file's commands" grep -qx 'vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M' "$LAB_DIR/shown.conf"
hidden() { grep -q 'password <hidden>' "$LAB_DIR/shown.conf" && ! grep -q s3cret "$LAB_DIR/shown.conf"; }
check "the BGP password is hidden" hidden
json_lines() { [ "$(json show running-config -- "'\\n'.join(d['lines'])")" = "$(cat "$LAB_DIR/shown.conf")" ]; }
check "its JSON form lists the same lines" json_lines
check "what it shows passes secnat --check" "$SECNAT" --check -f "$LAB_DIR/shown.conf" >/dev/null

echo "# runtime changes, write, restart"
ctl vxc sec1 rate 2.5G >/dev/null
ctl route add 198.18.0.0/15 via 10.11.0.9 >/dev/null
ctl show running-config >"$LAB_DIR/changed.conf"
changed() { grep -q 'rate 2500M' "$LAB_DIR/changed.conf" && grep -qx 'route add 198.18.0.0/15 via 10.11.0.9' "$LAB_DIR/changed.conf"; }
check "runtime changes appear in the running configuration" changed
cp "$conf" "$LAB_DIR/original.conf"
check "write saves to the startup file" ctl write >/dev/null
check "the saved file is mode 0600" test "$(stat -c %a "$conf")" = 600
check "the previous file is kept as .bak" cmp -s "$conf.bak" "$LAB_DIR/original.conf"
check "the saved file keeps the password" grep -q 'password s3cret' "$conf"
write_elsewhere() { ctl write "$LAB_DIR/copy.conf" >/dev/null && grep -q 'rate 2500M' "$LAB_DIR/copy.conf"; }
check "write FILE saves elsewhere" write_elsewhere

lab_secnat_stop
check "at stop the runtime directory secnat made is gone" test ! -e "$LAB_DIR/run"
check "and BIRD's configuration with its password" test ! -e "$run/secnat.sock.bird/bird.conf"
all_prefixed() { [ -s "$LAB_DIR/secnat.log" ] && ! grep -qvE '^<[0-7]>' "$LAB_DIR/secnat.log"; }
check "every line secnat printed carries a syslog priority" all_prefixed
check "a startup file with a password that others may read is warned about" \
  grep -q "^<4>secnat: $conf holds a BGP password and others may read it (mode 644)" "$LAB_DIR/secnat.log"

lab_secnat_command "$conf" -s "$run/secnat.sock"
"${lab_secnat_argv[@]}" >"$LAB_DIR/secnat2.log" 2>&1 &
lab_secnat_pid=$!
lab_pids+=("$lab_secnat_pid")
check "secnat restarts from what write saved" within 20 test -S "$run/secnat.sock"
check "saved 0600, it is not warned about" bash -c "! grep -q 'others may read it' '$LAB_DIR/secnat2.log'"
same_as() { ctl show running-config | cmp -s - "$1"; }
check "and shows the same running configuration" same_as "$LAB_DIR/changed.conf"
check "the BGP session establishes again" within 60 established
# A second secnat on the same socket must leave the first's files (BIRD's password-bearing
# configuration among them) alone.
"$SECNAT" --no-pci --no-huge -m 256 -l 0-1 --file-prefix "$LAB-second" --vdev net_ring0 --vdev net_ring1 \
  --no-telemetry -- -f "$conf" -s "$run/secnat.sock" --sessions 1024 >"$LAB_DIR/second.log" 2>&1
status=$?
rm -rf "/var/run/dpdk/$LAB-second"
check "a second secnat on the same socket refuses to start (exit $status)" test "$status" != 0
check "saying another secnat answers there" grep -q 'another secnat answers on' "$LAB_DIR/second.log"
check "and the first one's BIRD files and socket are untouched" bash -c \
  "[ -f '$run/secnat.sock.bird/bird.conf' ] && [ -S '$run/secnat.sock' ]"
check "the first one's BGP session is still up" established

echo "# configure replace"
sleep 3 # an uptime that would visibly restart
before=$(uptime)
sed -e 's/rate 2500M/rate 750M/' "$conf" >"$LAB_DIR/replace.conf"
echo 'route add 192.0.2.0/24 via 10.11.0.8 distance 10' >>"$LAB_DIR/replace.conf"
check "configure replace with a changed rate and a new route succeeds" ctl configure replace "$LAB_DIR/replace.conf" >/dev/null
rate_is() { [ "$(json show vxc -- "d['vxcs'][0]['rate_bps']")" = "$1" ]; }
check "the VXC's rate changed" rate_is 750000000
route_added() { ctl show route | grep -qE '^\* 192\.0\.2\.0/24 +10\.11\.0\.8 +static'; }
check "the route was added" route_added
sleep 2
after=$(uptime)
check "the BGP session stayed up (uptime $before s, then $after s two seconds later)" test "$after" -ge $((before + 2))
# The same commands; running-config orders them by kind (routes before BGP).
same_lines() { diff <(ctl show running-config | sort) <(grep -v '^#' "$1" | sed 's/password s3cret/password <hidden>/' | sort); }
check "the running configuration holds the file's commands" same_lines "$LAB_DIR/replace.conf"

ctl show running-config >"$LAB_DIR/before-refused.conf"
cp "$LAB_DIR/replace.conf" "$LAB_DIR/bad.conf"
echo 'vxc sec1 rate 1G' >>"$LAB_DIR/bad.conf"
echo 'route add 10.0.0.0/8 via 192.168.1.1' >>"$LAB_DIR/bad.conf"
bad_line=$(wc -l <"$LAB_DIR/bad.conf")
ctl configure replace "$LAB_DIR/bad.conf" 2>"$LAB_DIR/refused.err" >/dev/null
status=$?
check "a file with a bad line is refused (exit 1)" test "$status" = 1
check "the refusal names FILE:LINE" grep -q "^$LAB_DIR/bad.conf:$bad_line: " "$LAB_DIR/refused.err"
check "and nothing changed" same_as "$LAB_DIR/before-refused.conf"
sed -e 's/port 1 role aend/port 1 role internet/; /^vxc/d; /^route add 198.51/d; /^bgp neighbor/d' \
  "$LAB_DIR/replace.conf" >"$LAB_DIR/roles.conf"
ctl configure replace "$LAB_DIR/roles.conf" >/dev/null 2>"$LAB_DIR/roles.err"
status=$?
check "a file that changes a port's role is refused while running (exit $status)" test "$status" = 1
check "saying why" grep -q 'port roles and MTUs are fixed' "$LAB_DIR/roles.err"
check "and nothing changed either" same_as "$LAB_DIR/before-refused.conf"
check "the BGP session is still up after the refusals" established

echo "# SIGHUP"
sed -i 's/rate 2500M/rate 3G/' "$conf"
kill -HUP "$lab_secnat_pid"
check "SIGHUP applies the edited startup file" within 5 rate_is 3000000000
check "secnat is still running after SIGHUP" kill -0 "$lab_secnat_pid"
logged_sighup() { [ "$(json show log -- "any('SIGHUP' in e['message'] and e['level'] == 'info' for e in d['log'])")" = True ]; }
check "show log reports it" logged_sighup
one_message() { [ "$(json show log limit 1 -- "len(d['log'])")" = 1 ]; }
check "show log limit 1 returns one message" one_message

echo "# BIRD restarts, rate-limited in the log"
kill_bird() { pkill -KILL -P "$lab_secnat_pid" -x bird >/dev/null; }
kill_bird
bird_running() { pgrep -P "$lab_secnat_pid" -x bird >/dev/null; }
check "secnat restarts the BIRD it supervises" within 10 bird_running
kill_bird
sleep 3
bird_lines=$(grep -c 'BIRD exited' "$LAB_DIR/secnat2.log")
check "two BIRD deaths within a minute make one warning ($bird_lines)" test "$bird_lines" = 1
check "it is a warning (<4>)" grep -q '^<4>secnat: BIRD exited' "$LAB_DIR/secnat2.log"

echo "# refused new flows, said in words"
ctl nat limit per-host 1 >/dev/null
for port in 40001 40002 40003; do
  echo probe | lab_ns lan socat -u - "UDP4:198.51.100.10:5353,bind=10.11.0.5:$port" 2>/dev/null
done
refusal_logged() {
  [ "$(json show log -- "sum('inside host at its session limit (host_limit)' in e['message'] and e['level'] == 'warning' for e in d['log'])")" = 1 ]
}
check "flows refused by the per-host limit make one warning in show log" within 5 refusal_logged
check "and the journal line is a warning (<4>)" grep -q '^<4>secnat: .* new flows\? refused: inside host' "$LAB_DIR/secnat2.log"

echo "# the control socket under misbehaving clients"
# Enough sessions that "show nat sessions json" outgrows the socket's buffers (~700 KB).
ctl nat limit per-host 0 >/dev/null
lab_ns lan /usr/bin/python3 -c '
import socket
for port in range(20000, 24000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.11.0.5", port))
    s.sendto(b"x", ("198.51.100.10", 5353))
    s.close()'
many_sessions() { [ "$(json show nat stats -- "d['sessions']")" -ge 4000 ]; }
check "4,000 sessions for a large reply" within 10 many_sessions
/usr/bin/python3 "$here/slow_clients.py" "$run/secnat.sock" 7 >"$LAB_DIR/slow.out" 2>&1 &
slow=$!
sleep 1 # the three are connected, the deaf one's reply is stuck in its socket
quick_answer() {
  local t0 t1
  t0=$(date +%s%N)
  ctl show vxc >/dev/null || return 1
  t1=$(date +%s%N)
  echo "  show vxc answered in $(((t1 - t0) / 1000000)) ms"
  [ $(((t1 - t0) / 1000000)) -lt 100 ]
}
check "with an idle, a trickling and a non-reading client connected, show vxc answers within 100 ms" quick_answer
check "and again" quick_answer
wait "$slow"
check "the three are dropped after the timeout" bash -c "[ \"\$(grep -c closed '$LAB_DIR/slow.out')\" = 3 ]"
dropped_logged() { [ "$(json show log -- "any('dropped after' in e['message'] for e in d['log'])")" = True ]; }
check "and the log says so" dropped_logged
check "a line of 2,000 bytes is refused, not read forever" bash -c \
  "/usr/bin/python3 '$here/slow_clients.py' '$run/secnat.sock' long | grep -q 'ERR line longer than 1023'"
check "a full reply still arrives whole" bash -c \
  "[ \"\$('$SECNATCTL' -s '$run/secnat.sock' show nat sessions json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"sessions\"]))')\" -ge 4000 ]"

echo "# show version"
versions() { json show version -- "d['version'] + ' ' + d['dpdk']" | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+ DPDK 22\.11'; }
check "show version names secnat's and DPDK's versions" versions
lab_secnat_stop
check "the second stop leaves nothing in the runtime directory either" test ! -e "$LAB_DIR/run"
report
