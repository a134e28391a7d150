#!/usr/bin/env python3
"""A fuzzed-request soak of a server on 127.0.0.1:PORT for SECONDS: four
clients send mutated HTTP requests (a valid GET /metrics with bytes flipped,
inserted, cut, repeated, or noise; some sent in pieces, some left open,
some closed half-way), each reading whatever comes back, while a scraper
asks for GET /metrics every 0.2 s and must get 200 with a body every time.
Deterministic from SEED. Prints "requests N scrapes N lost N slowest_ms N";
exits 1 if a scrape was lost (not 200 within 2 s) or the server stopped
accepting.
Usage: fuzz-requests.py PORT SECONDS SEED"""
import random
import socket
import sys
import threading
import time

port, seconds, seed = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
BASE = [
    b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    b"GET /metrics?x=1 HTTP/1.0\r\nAccept: */*\r\nUser-Agent: Prometheus/2.42\r\n\r\n",
    b"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",   # a TLS hello's first bytes
]
stop = time.monotonic() + seconds
sent = [0]
lock = threading.Lock()


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:
            del data[at:at + rng.randint(1, 16)]
        elif op == 3:
            data[at:at] = data[at:at + rng.randint(1, 64)] * rng.randint(2, 200)
        elif op == 4:
            data[at:at] = rng.choice([b"\r\n", b"\n", b"\r\n\r\n", b"\0", b":", b" ", b"%"])
        else:
            data = data[:at]
    return bytes(data[:20000])


def client(k):
    rng = random.Random(seed * 100 + k)
    while time.monotonic() < stop:
        req = mutate(rng, rng.choice(BASE)) if rng.random() < 0.9 else \
            bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
            s.settimeout(0.2)
            style = rng.randrange(4)
            if style == 0:                      # in pieces
                for i in range(0, len(req), 7):
                    s.sendall(req[i:i + 7])
            elif style == 1:                    # half, then gone
                s.sendall(req[:len(req) // 2])
                s.close()
                continue
            else:
                s.sendall(req)
            if style != 3:                      # read what comes; 3: leave at once
                try:
                    while s.recv(65536):
                        pass
                except OSError:
                    pass
            s.close()
        except OSError:
            pass
        with lock:
            sent[0] += 1


def scrape():
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    s.settimeout(2)
    s.sendall(BASE[0])
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.startswith(b"HTTP/1.1 200") and b"\r\n\r\n# HELP" in data


threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
scrapes = lost = 0
slowest = 0.0
while time.monotonic() < stop:
    t0 = time.monotonic()
    try:
        ok = scrape()
    except OSError:
        ok = False
    slowest = max(slowest, time.monotonic() - t0)
    scrapes += 1
    lost += not ok
    time.sleep(0.2)
for t in threads:
    t.join()
print("requests %d scrapes %d lost %d slowest_ms %d" % (sent[0], scrapes, lost, slowest * 1000))
sys.exit(1 if lost or not scrapes else 0)
