#!/usr/bin/env python3
"""Keep-alive HTTP connections through a VIP, for the failover tests.

Opens N HTTP/1.1 connections to VIP:80 and asks each for /test.html (the
body names the real server), then, for each GO file in turn, waits for it
to appear and asks again on every connection at once, each within
--timeout seconds. After each round it writes REPORT.<round> as JSON:
  {"n": N, "ok": answered, "broken": not answered, "same_rs": answered by
   the real server of the first request, "gap_ms": the longest time from GO
   to an answer, "first_ms": the shortest, "broken_ports": the local ports
   of the connections that broke, "answer_ms": {local port: ms to its
   answer}}
Connections that broke are not asked again. Usage:
  keepalive_client.py --vip IP --n 50 --ready FILE --report PREFIX GO...
"""
import argparse
import json
import os
import socket
import sys
import threading
import time


def ask(sock, host, timeout):
    """One GET /test.html on sock; returns the body, or raises."""
    sock.settimeout(timeout)
    sock.sendall(b"GET /test.html HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    if not head.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(head.split(b"\r\n")[0].decode(errors="replace"))
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    return body[:length].decode().strip()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vip", required=True)
    p.add_argument("--n", type=int, default=50)
    p.add_argument("--ready", required=True)
    p.add_argument("--report", required=True)
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--wait", type=float, default=180.0)
    p.add_argument("go", nargs="+")
    a = p.parse_args()

    conns = []
    for _ in range(a.n):
        s = socket.create_connection((a.vip, 80), timeout=5)
        conns.append([s, ask(s, a.vip, 5), s.getsockname()[1]])
    with open(a.ready, "w") as f:
        f.write(" ".join(sorted(set(c[1] for c in conns))) + "\n")

    for rnd, go in enumerate(a.go, 1):
        end = time.time() + a.wait
        while not os.path.exists(go):
            if time.time() > end:
                sys.exit("keepalive_client: no " + go)
            time.sleep(0.05)
        t0 = time.time()
        results = [None] * len(conns)

        def one(i):
            try:
                body = ask(conns[i][0], a.vip, a.timeout)
                results[i] = (body, (time.time() - t0) * 1000)
            except (OSError, ConnectionError) as e:
                results[i] = (None, str(e))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(conns))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [(c, r) for c, r in zip(conns, results) if r[0] is not None]
        times = [r[1] for _, r in ok]
        report = {
            "n": len(conns),
            "ok": len(ok),
            "broken": len(conns) - len(ok),
            "same_rs": sum(1 for c, r in ok if r[0] == c[1]),
            "gap_ms": int(max(times)) if times else None,
            "first_ms": int(min(times)) if times else None,
            "errors": sorted(set(r[1] for r in results if r[0] is None))[:5],
            "broken_ports": [c[2] for c, r in zip(conns, results) if r[0] is None],
            "answer_ms": {c[2]: int(r[1]) for c, r in zip(conns, results) if r[0] is not None},
        }
        with open("%s.%d" % (a.report, rnd), "w") as f:
            json.dump(report, f)
        conns = [c for c, _ in ok]


if __name__ == "__main__":
    main()
