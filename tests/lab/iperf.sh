# shellcheck shell=bash
# Offered load through the lab with iperf3 (UDP), and how close the delivered rate is to a VXC's
# rate. Sourced after topology.sh.

PAYLOAD=1400
# What one datagram is on the A-end: payload, UDP, IPv4, Ethernet and the 802.1Q tag.
FRAME=$((PAYLOAD + 8 + 20 + 14 + 4))

iperf_server() { lab_bg sf iperf3 --server --bind 198.51.100.10 --json >"$LAB_DIR/iperf-server.log"; }

# measure OFFERED_BPS: the UDP payload rate the server received over 6 s (the first second is left
# out, so that the meter's initial burst does not count), in bits per second.
measure() {
  lab_ns lan iperf3 --client 198.51.100.10 --udp --bitrate "$1" --length "$PAYLOAD" --time 7 \
    --omit 1 --json --get-server-output >"$LAB_DIR/iperf.json" 2>&1 || return 1
  /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
server = d["server_output_json"]["end"]["sum"]  # what the receiving end counted
print(int((server["packets"] - server["lost_packets"]) * int(sys.argv[2]) * 8 / server["seconds"]))' \
    "$LAB_DIR/iperf.json" "$PAYLOAD"
}
within_3_percent() { # measured payload bps, configured rate bps
  /usr/bin/python3 -c "
import sys
measured, rate, payload, frame = map(int, sys.argv[1:])
expected = rate * payload / frame
print(f'     delivered {measured / 1e6:.3f} Mbps of UDP payload, expected {expected / 1e6:.3f} ({(measured / expected - 1) * 100:+.2f}%)')
sys.exit(abs(measured / expected - 1) > 0.03)" "$1" "$2" "$PAYLOAD" "$FRAME"
}
