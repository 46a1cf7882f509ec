#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz (corpus/<target>/seed-*): a few well-formed inputs per
target, from which the fuzzer mutates. Run again after changing an input format; the files are
committed so that runs are reproducible. Usage: seeds.py [DIR] (default: corpus beside this file).
"""
import os
import socket
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
H, H2, R, P = "10.11.0.5", "10.11.0.6", "198.51.100.10", "203.0.113.1"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip(src, dst, proto, payload, ident=1, frag=0x4000, total=None):
    total = total or 20 + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, frag, 64, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def l4(src, dst, proto, segment):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, proto, len(segment))
    c = csum(pseudo + segment)
    at = 16 if proto == 6 else 6
    return segment[:at] + struct.pack("!H", c) + segment[at + 2:]


def tcp(src, dst, sport, dport, flags, seq=1000, ack=0):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    return ip(src, dst, 6, l4(src, dst, 6, seg))


def udp(src, dst, sport, dport, payload=b"query-12345!"):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip(src, dst, 17, l4(src, dst, 17, seg), frag=0)


def icmp(src, dst, typ, code, rest, body):
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    return ip(src, dst, 1, msg)


def eth(packet):
    return b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" + b"\x08\x00" + packet


def record(packet, out2in=False, seconds=0):
    frame = eth(packet)
    frame += b"\0" * ((8 - (len(frame) - 14) % 8) % 8)  # an Ethernet trailer rounds it to 8
    return bytes([(seconds << 1) | out2in, (len(frame) - 14) // 8]) + frame


SYN, ACK, FIN, RST = 0x02, 0x10, 0x01, 0x04


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# fuzz_worker: a configuration byte, then records.
handshake = b"".join([
    record(tcp(H, R, 40000, 443, SYN)),
    record(tcp(R, P, 443, 40000, SYN | ACK), out2in=True),
    record(tcp(H, R, 40000, 443, ACK)),
    record(tcp(H, R, 40000, 443, FIN | ACK), seconds=3),
    record(tcp(R, P, 443, 40000, FIN | ACK), out2in=True),
    record(tcp(H, R, 40000, 443, ACK), seconds=127),
])
write("fuzz_worker", "tcp-handshake", b"\x00" + handshake)
write("fuzz_worker", "tcp-handshake-eim-limits", b"\x5b" + handshake)
# Port blocks of 8 (bit 7), no port hold: nine flows from one source fill a block and open another.
write("fuzz_worker", "port-blocks", b"\xc0" + b"".join(record(udp(H, R, 5000 + i, 53)) for i in range(9)) +
      record(udp(H, R, 5000, 53), seconds=127) + record(udp(H, R, 6000, 53), seconds=127))
write("fuzz_worker", "udp-and-reply", b"\x00" + record(udp(H, R, 5353, 53)) +
      record(udp(R, P, 53, 5353), out2in=True) + record(udp(H2, R, 5353, 53), seconds=100))
ping = icmp(H, R, 8, 0, struct.pack("!HH", 0x1234, 1), b"ping")
pong = icmp(R, P, 0, 0, struct.pack("!HH", 0x1234, 1), b"ping")
write("fuzz_worker", "echo", b"\x00" + record(ping) + record(pong, out2in=True))
sent = udp(P, R, 5353, 53)
unreach = icmp(R, P, 3, 3, b"\0\0\0\0", sent[:28])
write("fuzz_worker", "icmp-error", b"\x00" + record(udp(H, R, 5353, 53)) + record(unreach, out2in=True))
# A UDP datagram of 8 + 48 bytes in two fragments, in order and the second first.
whole = l4(H, R, 17, struct.pack("!HHHH", 6000, 53, 56, 0) + bytes(range(48)))
first = ip(H, R, 17, whole[:32], ident=77, frag=0x2000)
second = ip(H, R, 17, whole[32:], ident=77, frag=32 // 8)
write("fuzz_worker", "fragments", b"\x00" + record(first) + record(second))
write("fuzz_worker", "fragments-reversed", b"\x00" + record(second) + record(first, seconds=1))

# fuzz_cli: lines of the command language.
write("fuzz_cli", "setup", b"""nat pool sec1 192.0.2.0/28
nat exempt 192.0.2.64/26
nat mapping endpoint-independent
nat timeout udp 600
nat limit per-host 2000
nat limit embryonic-per-host 100
vxc add sec2 port 1 vlan 200 local 203.0.113.3/31 peer 203.0.113.2 rate 2.5G
vxc sec1 rate 500M
route add 0.0.0.0/0 via 10.11.0.9 distance 200
bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9 max-prefix 5000 ttl-security
bgp announce 192.0.2.0/28
port 0 mtu 9000
arp timeout 60
""")
write("fuzz_cli", "logging", b"""log ipfix collector 192.168.7.2 port 4740 source 192.168.7.1
log syslog server 192.168.7.3 tcp
log syslog server 192.168.7.4 port 5514
metrics listen 192.168.7.1 9100
nat allocation port-block 64
no log syslog server 192.168.7.3
nat allocation port-block 100
no metrics listen
nat allocation dynamic
""")
write("fuzz_cli", "refusals", b"""vxc add sec9 port 1 vlan 100 local 10.0.0.1/31 peer 10.0.0.0 rate 9G
route add 0.0.0.0/0 via 203.0.113.0
nat pool nosuch 192.0.2.0/28
vxc del sec1
route del 198.51.100.0/24 via 203.0.113.0
vxc del sec1
""")

# fuzz_route_import: one rtnetlink datagram.
def rta(kind, data):
    n = 4 + len(data)
    return struct.pack("=HH", n, kind) + data + b"\0" * ((4 - n % 4) % 4)


def route_msg(msgtype, dst, length, attrs, table=201, rtype=1, proto=12):
    rtm = struct.pack("=BBBBBBBBI", socket.AF_INET, length, 0, 0, table, proto, 0, rtype, 0)
    body = rtm + rta(1, socket.inet_aton(dst)) + attrs  # RTA_DST
    return struct.pack("=IHHII", 16 + len(body), msgtype, 0, 1, 0) + body


RTM_NEWROUTE, RTM_DELROUTE, RTA_GATEWAY, RTA_MULTIPATH, RTA_TABLE = 24, 25, 5, 9, 15
gw = rta(RTA_GATEWAY, socket.inet_aton("203.0.113.0"))
hops = b"".join(struct.pack("=HBBi", 8 + 8, 0, 0, 3) + rta(RTA_GATEWAY, socket.inet_aton(a))
                for a in ("203.0.113.0", "203.0.113.2"))
done = struct.pack("=IHHII", 20, 3, 2, 1, 0) + b"\0" * 4  # NLMSG_DONE
write("fuzz_route_import", "new-del", route_msg(RTM_NEWROUTE, "198.51.100.0", 24, gw) +
      route_msg(RTM_DELROUTE, "198.51.100.0", 24, gw) + done)
write("fuzz_route_import", "multipath", route_msg(RTM_NEWROUTE, "198.51.100.0", 24, rta(RTA_MULTIPATH, hops)))
write("fuzz_route_import", "table-attr", route_msg(RTM_NEWROUTE, "20.0.0.0", 8,
      rta(RTA_TABLE, struct.pack("=I", 201)) + gw, table=252))

# fuzz_bird_reply: what BIRD's control socket says.
write("fuzz_bird_reply", "greeting", b"0001 BIRD 2.0.12 ready.\n")
write("fuzz_bird_reply", "protocol", b"""2002-Name       Proto      Table      State  Since         Info
1002-sf_203_0_113_0 BGP        ---        up     1733350000    Established
1006-  Description:    vxc sec1
     Routes:         5 imported, 4 filtered, 1 exported, 1 preferred
0000 
""")
write("fuzz_bird_reply", "error", b"8003 No protocols match\n")
