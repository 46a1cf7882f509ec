# shellcheck shell=bash
# Traffic for the lab tests that count flows (sourced after topology.sh): from the LAN hosts to the
# echo servers (tests/lab/echo_server.py) on 198.51.100.10, UDP 5353 and TCP 8443.

# The echo servers, in the Salesforce namespace (after lab_up).
flows_servers() {
  lab_bg sf /usr/bin/python3 "$LAB_ROOT/tests/lab/echo_server.py" udp 198.51.100.10 5353 "$LAB_DIR/udp.log"
  lab_bg sf /usr/bin/python3 "$LAB_ROOT/tests/lab/echo_server.py" tcp 198.51.100.10 8443 "$LAB_DIR/tcp.log"
}

# Both LAN hosts known to secnat (after lab_secnat): replies to a host not yet resolved are dropped.
flows_resolve_hosts() {
  local host
  for host in 10.11.0.5 10.11.0.6; do
    lab_ns lan ping -c 2 -W 1 -I "$host" 198.51.100.10 >/dev/null 2>&1
  done
}

# udp_flows FLOWS: FLOWS UDP flows, each from its own source port, one datagram each; prints how many got their echo.
udp_flows() {
  lab_ns lan /usr/bin/python3 - "$1" <<'PY'
import select, socket, sys
flows, answered = int(sys.argv[1]), 0
# Batches of 100: the lab's Python echo server must keep up, or its socket buffer drops them.
for start in range(0, flows, 100):
    socks = []
    for i in range(start, min(start + 100, flows)):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("10.11.0.5" if i % 2 else "10.11.0.6", 0))
        s.sendto(b"flow %d" % i, ("198.51.100.10", 5353))
        socks.append(s)
    waiting = set(socks)
    for attempt in range(3):  # a datagram the lab's echo server missed is sent again, same flow
        if attempt:
            for s in waiting:
                s.sendto(b"again", ("198.51.100.10", 5353))
        while waiting:
            ready, _, _ = select.select(list(waiting), [], [], 2)
            if not ready:
                break
            for s in ready:
                s.recv(2048)
                answered += 1
                waiting.discard(s)
    for s in socks:
        s.close()
print(answered)
PY
}

# tcp_flows: 20 TCP connections, each echoing one line; fails at the first that does not.
tcp_flows() {
  local i
  for i in $(seq 20); do
    [ "$(echo "tcp $i" | lab_ns lan socat -T 2 - TCP4:198.51.100.10:8443)" = "tcp $i" ] || return 1
  done
}
