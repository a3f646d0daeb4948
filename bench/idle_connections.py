#!/usr/bin/env python3
"""New-connection latency of an HTTP server while 1000 other connections
idle, stay kept alive after a request, or trickle a request head one byte a
second (issue 10). Prints one line: p50, p99 and max in milliseconds over
SAMPLES fresh connections, each a connect, one GET and its whole answer.
Usage: idle_connections.py PORT PATH [SAMPLES]"""

import resource
import socket
import sys
import threading
import time

OTHERS = 1000


def answer(s):
    """Reads one answer by its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError("closed before an answer")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += s.recv(65536)
    return head.split(b"\r\n")[0]


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    request = f"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
    others, tricklers = [], []
    for i in range(OTHERS):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        if i % 3 == 1:
            s.sendall(request)
            answer(s)
        elif i % 3 == 2:
            s.sendall(f"GET {path} HTTP/1.1\r\nX-Slow: ".encode())
            tricklers.append(s)
        others.append(s)
    stop = threading.Event()

    def trickle():
        while not stop.wait(1.0):
            for s in tricklers:
                try:
                    s.send(b"a")
                except OSError:
                    pass

    threading.Thread(target=trickle, daemon=True).start()
    latencies = []
    for _ in range(samples):
        start = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
            s.sendall(request)
            status = answer(s)
        latencies.append((time.perf_counter() - start) * 1000)
        if not status.endswith(b"200 OK"):
            raise RuntimeError(f"answer {status!r}")
    stop.set()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"p50 {p(0.50):.2f} ms  p99 {p(0.99):.2f} ms  max {latencies[-1]:.2f} ms"
          f"  ({samples} new connections beside {OTHERS} idle/kept-alive/trickling)")
    for s in others:
        s.close()


if __name__ == "__main__":
    main()
