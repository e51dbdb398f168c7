#!/usr/bin/env python3
"""Thousands of half-open TLS handshakes against `meshward serve`, and real reviews beside them.

Issue #9: idle or slow TLS clients must not starve real requests. This script starts the
server on the bookinfo example, measures real admission requests alone (the baseline, same
run), then opens --clients TCP connections that each send the first bytes of a TLS ClientHello
and stall (a half-open handshake), and measures the same real requests again while the
attacker holds them. Each real request is a new TCP connection and TLS handshake (the case the
connection table must make room for), POSTing examples/admission/reviews-v4-create.json.

The attacker keeps --clients connections open the whole time: one the server closes (evicted
from the connection table, or cut at the handshake deadline) is opened again at once. It
prints, for both phases: requests answered, failures, p50/p99/max latency; then how many
connections the attacker opened and the server closed, the server's RSS and open descriptors
under attack, and its connection and shed metrics. A figure for people, not a test: nothing here asserts
a timing.

Usage: bench/slow_clients.py [--clients 3000] [--requests 200] [--meshward build/meshward]
"""
import argparse
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def client_hello_prefix():
    """The first 64 bytes of a real ClientHello, from Python's own TLS client."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="meshward")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    return hello[:64]


class Attacker(threading.Thread):
    """Keeps `count` half-open handshakes open: each connection sends the first bytes of a
    ClientHello and stalls; one the server closes (evicted, timed out) is opened again."""

    def __init__(self, port, count, hello):
        super().__init__(daemon=True)
        self.port, self.count, self.hello = port, count, hello
        self.sockets, self.opened, self.closed_by_server, self.refused = [], 0, 0, 0
        self.stop = threading.Event()

    def open_one(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.sendall(self.hello)
            self.opened += 1
            return s
        except OSError:
            self.refused += 1
            return None

    def run(self):
        while len(self.sockets) < self.count and not self.stop.is_set():
            s = self.open_one()
            if s is not None:
                self.sockets.append(s)
        while not self.stop.wait(0.05):
            for i, s in enumerate(self.sockets):
                try:
                    if s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                        continue  # The server wrote something (an alert): still counts as open.
                except BlockingIOError:
                    continue  # Open, nothing to read.
                except OSError:
                    pass
                self.closed_by_server += 1
                s.close()
                replacement = self.open_one()
                if replacement is not None:
                    self.sockets[i] = replacement
        for s in self.sockets:
            s.close()


def exchange(port, ctx, request):
    """Sends `request` on a new TLS connection and reads the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(request)
            data = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    return data
                data += chunk


def real_request(port, body, ctx):
    start = time.perf_counter()
    request = (
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    data = exchange(port, ctx, request)
    elapsed = time.perf_counter() - start
    ok = data.startswith(b"HTTP/1.1 200") and b'"AdmissionReview"' in data
    return ok, elapsed


def measure(port, body, ctx, n):
    latencies, failures = [], 0
    for _ in range(n):
        try:
            ok, elapsed = real_request(port, body, ctx)
        except OSError:
            ok, elapsed = False, 0.0
        if ok:
            latencies.append(elapsed)
        else:
            failures += 1
    return latencies, failures


def describe(name, latencies, failures):
    if not latencies:
        return f"{name:<28} answered 0, failed {failures}"
    latencies = sorted(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return (f"{name:<28} answered {len(latencies)}, failed {failures}, "
            f"p50 {statistics.median(latencies) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
            f"max {latencies[-1] * 1000:.2f} ms")


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        status = f.read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, hwm, fds


def metrics(port, ctx):
    data = exchange(port, ctx, b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    text = data.decode(errors="replace")
    wanted = ("meshward_connections", "meshward_requests_shed_total")
    return [l for l in text.splitlines() if l.startswith(wanted)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--meshward", default=os.path.join(ROOT, "build", "meshward"))
    parser.add_argument("--port", type=int, default=18643)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="meshward-slow-")
    subprocess.run([os.path.join(ROOT, "certs", "gen-dev-certs.sh"), os.path.join(work, "certs")],
                   check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [args.meshward, "serve", "--listen", f"127.0.0.1:{args.port}",
         "--tls-cert", os.path.join(work, "certs", "tls.crt"),
         "--tls-key", os.path.join(work, "certs", "tls.key"),
         "--world", os.path.join(ROOT, "examples", "bookinfo")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        if "serving on" not in line:
            sys.exit(f"slow_clients: meshward did not start: {line!r}")
        print(line.strip())
        body = open(os.path.join(ROOT, "examples", "admission", "reviews-v4-create.json"), "rb").read()
        ctx = ssl.create_default_context(cafile=os.path.join(work, "certs", "ca.crt"))
        ctx.check_hostname = False

        measure(args.port, body, ctx, 20)  # warm-up
        base = measure(args.port, body, ctx, args.requests)
        _, _, fds_before = proc_status(server.pid)

        attacker = Attacker(args.port, args.clients, client_hello_prefix())
        opened_at = time.perf_counter()
        attacker.start()
        while len(attacker.sockets) < args.clients and attacker.is_alive():
            time.sleep(0.05)
        open_seconds = time.perf_counter() - opened_at
        loaded = measure(args.port, body, ctx, args.requests)
        rss, hwm, fds_during = proc_status(server.pid)
        attacker.stop.set()
        attacker.join()
        print(f"half-open clients: {args.clients} kept open ({open_seconds:.2f} s to open them), "
              f"each sent {len(attacker.hello)} bytes of a ClientHello and stalled; "
              f"{attacker.opened} connections opened in all, {attacker.closed_by_server} closed "
              f"by the server and reopened, {attacker.refused} refused at connect")
        print(describe("real requests, alone", *base))
        print(describe("real requests, under attack", *loaded))
        if base[0] and loaded[0]:
            print(f"p50 ratio (under attack / alone): "
                  f"{statistics.median(loaded[0]) / statistics.median(base[0]):.2f}")
        print(f"server under attack: RSS {rss} KiB (peak {hwm} KiB), open descriptors "
              f"{fds_during} (before: {fds_before})")
        for line in metrics(args.port, ctx):
            print("  " + line)
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
