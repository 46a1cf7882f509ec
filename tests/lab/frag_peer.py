#!/usr/bin/python3
"""Large UDP datagrams across the NAT, with or without DF, for the fragmentation tests.

  frag_peer.py server ADDRESS PORT SIZE df|nodf
      answers each datagram with SIZE bytes (a pattern) sent with DF set or clear, back to its sender
      from PORT over a socket connected to it, then prints the path MTU the kernel learned for it.
  frag_peer.py client BIND_ADDRESS SERVER PORT SIZE df|nodf [REPLY_SIZE]
      sends one datagram of SIZE bytes (the pattern) with DF set or clear; prints "sent", then
      "reply N ok|bad" for the reply (REPLY_SIZE bytes expected) or "no reply", and the path MTU.
"""
import socket
import sys
import time

IP_MTU_DISCOVER, IP_PMTUDISC_DONT, IP_PMTUDISC_DO, IP_MTU = 10, 0, 2, 14


def pattern(n):
    return bytes((i * 7 + (i >> 8)) & 0xFF for i in range(n))


def udp(df, bind):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # The server's reply leaves from its own port: a second socket on it, connected to the client.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO if df == "df" else IP_PMTUDISC_DONT)
    s.bind(bind)
    return s


def path_mtu(s):
    try:
        return s.getsockopt(socket.IPPROTO_IP, IP_MTU)
    except OSError:
        return 0


if sys.argv[1] == "server":
    address, port, size, df = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((address, port))
    while True:
        data, peer = listener.recvfrom(65535)
        reply = udp(df, (address, port))
        reply.connect(peer)
        try:
            reply.send(pattern(size))
        except OSError as e:
            print(f"send failed: {e}", flush=True)
        print(f"from {peer[0]}:{peer[1]} {len(data)} {'ok' if data == pattern(len(data)) else 'bad'}",
              flush=True)
        time.sleep(0.5)  # the ICMP fragmentation-needed, if any, comes back within a moment
        print(f"path mtu to {peer[0]} {path_mtu(reply)}", flush=True)
        reply.close()
else:
    bind, server, port, size, df = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    reply_size = int(sys.argv[7]) if len(sys.argv) > 7 else size
    s = udp(df, (bind, 0))
    s.connect((server, port))
    s.settimeout(1.5)
    try:
        s.send(pattern(size))
        print("sent", flush=True)
    except OSError as e:
        print(f"send failed: {e}", flush=True)
    try:
        data = s.recv(65535)
        print(f"reply {len(data)} {'ok' if data == pattern(reply_size) else 'bad'}", flush=True)
    except socket.timeout:
        print("no reply", flush=True)
    except OSError as e:  # EMSGSIZE: an ICMP fragmentation-needed came back for what was sent
        print(f"no reply: {e.strerror}", flush=True)
    print(f"path mtu {path_mtu(s)}", flush=True)
