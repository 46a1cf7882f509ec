"""A stand-in for systemd's notification socket: binds the datagram socket named on the command line
and appends each message it receives, one line per field, with the time, to the log file."""
import os
import socket
import sys
import time

path, log = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
deadline = time.monotonic() + float(sys.argv[3]) if len(sys.argv) > 3 else None
with open(log, "a", buffering=1) as out:
    while deadline is None or time.monotonic() < deadline:
        sock.settimeout(1.0)
        try:
            data = sock.recv(4096)
        except socket.timeout:
            continue
        for field in data.decode(errors="replace").splitlines():
            out.write(f"{time.monotonic():.3f} {field}\n")
