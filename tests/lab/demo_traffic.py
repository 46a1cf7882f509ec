#!/usr/bin/python3
"""LAN clients for the demo: what an office sends towards Salesforce, slowly, so that the operator
finds it in "show nat sessions". Runs in the LAN namespace; stops by itself after DURATION seconds.

Every ROUND seconds, from each LAN host: one ping, one UDP request and one short TCP exchange with
the servers; and throughout, one long-lived TCP connection that sends a line every 10 seconds.

usage: demo_traffic.py DURATION
"""
import socket
import subprocess
import sys
import time

HOSTS = ["10.11.0.5", "10.11.0.6"]
SERVER = "198.51.100.10"
UDP_PORT, TCP_PORT = 5353, 8443
ROUND = 2.0
KEEPALIVE = 10.0

deadline = time.monotonic() + float(sys.argv[1])


def udp_request(source):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        s.bind((source, 0))
        s.sendto(b"hello from " + source.encode(), (SERVER, UDP_PORT))
        s.recv(2048)


def tcp_exchange(source):
    with socket.create_connection((SERVER, TCP_PORT), timeout=1, source_address=(source, 0)) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.recv(2048)


def ping(source):
    subprocess.run(["ping", "-c", "1", "-W", "1", "-I", source, SERVER],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


long_lived = None
next_keepalive = 0.0
while time.monotonic() < deadline:
    for host in HOSTS:
        for send in (ping, udp_request, tcp_exchange):
            try:
                send(host)
            except OSError:
                pass  # secnat may not be up yet, or a neighbour not resolved: next round
    try:
        if long_lived is None:
            long_lived = socket.create_connection((SERVER, TCP_PORT), timeout=1,
                                                  source_address=(HOSTS[0], 0))
            next_keepalive = 0.0
        if time.monotonic() >= next_keepalive:
            long_lived.sendall(b"still here\n")
            long_lived.recv(2048)
            next_keepalive = time.monotonic() + KEEPALIVE
    except OSError:
        if long_lived is not None:
            long_lived.close()
        long_lived = None
    time.sleep(ROUND)
