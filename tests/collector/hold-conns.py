#!/usr/bin/env python3
"""Hold N connections to 127.0.0.1:PORT for SECONDS, as clients that tie up
a server do: idle (never a byte) or slow (one byte of a request every 0.5 s),
each reopened as soon as the server drops it. Prints how many reopens it made.
Usage: hold-conns.py PORT N SECONDS idle|slow"""
import select
import socket
import sys
import time

port, n, seconds, mode = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]


def connect():
    s = socket.socket()
    s.settimeout(2)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    return s


socks = [connect() for _ in range(n)]
end = time.monotonic() + seconds
reopened = 0
last_byte = 0.0
while time.monotonic() < end:
    readable, _, _ = select.select(socks, [], [], 0.1)
    for s in readable:
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        # An answer or a close: the server dropped it; come back at once.
        s.close()
        socks[socks.index(s)] = connect()
        reopened += 1
    if mode == "slow" and time.monotonic() - last_byte >= 0.5:
        last_byte = time.monotonic()
        for s in socks:
            try:
                s.send(b"G")
            except OSError:
                pass
print(reopened)
