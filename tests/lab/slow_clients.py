#!/usr/bin/python3
"""Clients of secnat's control socket that misbehave, for the tests.

  slow_clients.py SOCKET SECONDS   holds three connections for SECONDS: one that sends nothing, one that
      sends "show vxc\\n" a byte every half second, one that asks for "show nat sessions json" and never
      reads; then prints, for each, whether secnat had closed it ("closed") or not ("open").
  slow_clients.py SOCKET long      sends a 2,000-byte line and prints secnat's answer.
"""
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def closed_by_peer(s):
    """True when the daemon has closed its end (reads reach the end, or the connection is reset)."""
    s.setblocking(False)
    try:
        while True:
            data = s.recv(1 << 20)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


path = sys.argv[1]
if sys.argv[2] == "long":
    s = connect(path)
    s.sendall(b"x" * 2000)
    s.settimeout(2)
    print(s.recv(4096).decode(errors="replace").replace("\n", " ").strip())
    sys.exit(0)

seconds = float(sys.argv[2])
idle = connect(path)
trickle = connect(path)
deaf = connect(path)
deaf.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
deaf.sendall(b"show nat sessions json\n")
line, sent, end = b"show vxc\n", 0, time.monotonic() + seconds
while time.monotonic() < end:
    if sent < len(line):
        try:
            trickle.send(line[sent:sent + 1])
            sent += 1
        except OSError:
            sent = len(line)
    time.sleep(0.5)
for name, s in (("idle", idle), ("trickle", trickle), ("deaf", deaf)):
    print(name, "closed" if closed_by_peer(s) else "open", flush=True)
