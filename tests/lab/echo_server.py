#!/usr/bin/python3
"""Echo server for the lab's "Salesforce" side: echoes UDP datagrams and TCP streams, and appends
each client's address to a log, so that tests can see which source address arrived.

usage: echo_server.py udp|tcp ADDRESS PORT LOGFILE
"""
import socket
import sys
import threading

proto, address, port, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
IDLE_TIMEOUT = 120  # seconds a TCP client may stay silent before the server hangs up


def record(peer):
    with open(log, "a") as f:
        f.write(f"{peer[0]}:{peer[1]}\n")


if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, port))
    while True:
        data, peer = s.recvfrom(65535)
        record(peer)
        s.sendto(data, peer)
else:
    # One thread per connection: the demo keeps a connection open while other clients come and go.
    def serve(conn):
        with conn:
            conn.settimeout(IDLE_TIMEOUT)
            try:
                while data := conn.recv(65535):
                    conn.sendall(data)
            except OSError:
                pass

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(16)
    while True:
        conn, peer = s.accept()
        record(peer)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
