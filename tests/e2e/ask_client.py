#!/usr/bin/env python3
"""A legitimate client during a flood, for test_flood.sh.

Asks every --interval seconds, each ask a new TCP connection (HTTP GET of
--path) or a UDP datagram echoed back (sent again each second without an
answer, as a resolver does), each within --timeout seconds, in
one process, so that what is measured is the network and halb, not how fast
a loaded machine starts programs. Runs until the file --stop appears, or for
--count asks, then prints "ok total slowest_ms" (the slowest answered ask),
and each failure's time and reason on stderr. Usage:
  ask_client.py {http|udp} HOST PORT (--stop FILE | --count N)
"""
import argparse
import os
import socket
import sys
import time


def ask_http(host, port, path, timeout):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.settimeout(timeout)
        s.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        if not data.startswith(b"HTTP/1.1 200") and not data.startswith(b"HTTP/1.0 200"):
            raise ConnectionError(data.split(b"\r\n")[0].decode(errors="replace"))


def ask_udp(host, port, timeout):
    """One datagram echoed back; sent again each second without an answer,
    as a resolver retries, until timeout (TCP's SYN is retried the same way
    by the kernel)."""
    end = time.monotonic() + timeout
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((host, port))
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise socket.timeout("timed out")
            s.send(b"halb")
            s.settimeout(min(1.0, left))
            try:
                if s.recv(64) != b"halb":
                    raise ConnectionError("wrong echo")
                return
            except socket.timeout:
                continue


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["http", "udp"])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--path", default="/test.html")
    p.add_argument("--stop")
    p.add_argument("--count", type=int)
    p.add_argument("--interval", type=float, default=0.2)
    p.add_argument("--timeout", type=float, default=1.0)
    a = p.parse_args()
    ok = n = 0
    slowest = 0.0
    t0 = time.monotonic()
    while (a.count is not None and n < a.count) or (a.stop and not os.path.exists(a.stop)):
        start = time.monotonic()
        n += 1
        try:
            if a.kind == "http":
                ask_http(a.host, a.port, a.path, a.timeout)
            else:
                ask_udp(a.host, a.port, a.timeout)
            ok += 1
            slowest = max(slowest, time.monotonic() - start)
        except (OSError, ConnectionError) as e:
            print("%.1f s: %s" % (start - t0, e), file=sys.stderr)
        time.sleep(max(0.0, a.interval - (time.monotonic() - start)))
    print(ok, n, int(slowest * 1000))


if __name__ == "__main__":
    main()
