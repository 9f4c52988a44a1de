#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Big tables for fake_telemetry.py, written to a replies file.

  make_tables.py paged FILE   3 services of 2500 real servers, 10000 checks
                              (half UP), 25000 connections, 3000 neighbours:
                              served with --page-size they span many pages,
                              and each service is cut between pages
  make_tables.py big FILE N   one /halb/conns reply of N connections (about
                              200 bytes each), for the reply-size limits
"""

import json
import sys


def real_server(i):
    return {"ip": "10.0.%d.%d" % (i // 250, i % 250 + 1), "port": 80, "weight": 1,
            "configured_weight": 1, "weight_override": None, "healthy": True,
            "in_service": True, "active": 1, "inactive": 2, "sorry": False}


def conn(i, prefix="10.2"):
    return {"protocol": "TCP", "client": "%s.%d.%d" % (prefix, i // 250 % 256, i % 250),
            "client_port": 1024 + i % 60000, "vip": "172.17.100.100", "vport": 80,
            "rip": "10.0.0.1", "rport": 80, "forward": "DR", "state": "ESTABLISHED",
            "expires": 900, "template": False}


def paged():
    services = [{"vip": "172.17.100.%d" % (100 + s), "port": 80, "protocol": "TCP",
                 "scheduler": "rr", "sched_flags": [], "forward": "DR", "persistence": 0,
                 "owned": True, "quorum_up": True,
                 "real_servers": [real_server(i) for i in range(2500)]} for s in range(3)]
    checks = [{"vip": "172.17.100.100", "vport": 80, "protocol": "TCP",
               "rip": "10.1.%d.%d" % (i // 250, i % 250 + 1), "rport": 80,
               "type": "TCP_CHECK", "target": "10.1.0.1:80",
               "state": "UP" if i % 2 else "DOWN", "last_result": "ok", "reason": "",
               "since": 1764060000.5, "failures": 0, "checks": 1} for i in range(10000)]
    neighbours = [{"ip": "10.3.%d.%d" % (i // 250, i % 250), "mac": "02:00:00:00:00:01",
                   "port": "eth1", "state": "REACHABLE", "age": 1.0} for i in range(3000)]
    return {"/halb/version": {"version": "0.1.0", "connections": 1048576},
            "/halb/services": {"services": services, "total": 3},
            "/halb/checks": {"checks": checks, "total": 10000},
            "/halb/conns": {"conns": [conn(i) for i in range(25000)], "total": 25000},
            "/halb/neigh": {"neighbours": neighbours}}


def big(n):
    conns = [conn(i, "10") for i in range(n)]
    for i, c in enumerate(conns):
        c["client"] = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        c["client_port"] = 1024 + i % 60000
    return {"/halb/conns": {"conns": conns, "total": n, "truncated": False}}


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "paged":
        table = paged()
    elif len(sys.argv) == 4 and sys.argv[1] == "big":
        table = big(int(sys.argv[3]))
    else:
        sys.exit(__doc__)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(table, f)


if __name__ == "__main__":
    main()
