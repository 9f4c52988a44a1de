#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for halb's telemetry socket, for testing halbctl without a daemon.

It speaks DPDK's telemetry protocol (v2) as DPDK 22.11's server does: a
SOCK_SEQPACKET Unix socket; on connect one greeting message
{"version": ..., "pid": ..., "max_output_len": ...}; then one reply message
{"/path": VALUE} per command message ("/path" or "/path,params"), null for a
command it does not know, and "/" lists the commands.

Replies come from a JSON file mapping a command to its VALUE. A key with
parameters ("/halb/conns,5") is tried before the bare path. Two special
values make broken daemons on purpose:
  {"__raw__": "text"}   send text as the whole message (malformed replies)
  {"__hang__": true}    never answer (timeouts)

With --page-size N, the lists of /halb/services, /halb/conns, /halb/checks
and /halb/neigh are served as halb serves them (docs/TELEMETRY.md): N
entries a page (for services, N real servers, a service cut between two
pages coming back with "rs_offset"), "next" naming the cursor, "limit=" and
"count=1" (conns) honoured; filters are ignored. --restart-once makes the
first services page asked with a cursor answer "restart": true, as halb does
when a reload overtakes a listing. Every request is appended to --log.

  fake_telemetry.py --socket PATH --replies FILE [--max-output-len N]
                    [--no-greeting] [--page-size N] [--restart-once]
                    [--log FILE]

The socket appears at PATH only once it listens (it is bound under a
temporary name and renamed), so a test can wait for the file to exist.
SIGTERM and SIGINT remove it and exit.
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading

# Linux's SO_SNDBUFFORCE: lets root raise the send buffer past wmem_max, as a
# server with 1 MiB replies must (a SEQPACKET message must fit in it whole).
SO_SNDBUFFORCE = 32


def load_replies(path):
    with open(path, encoding="utf-8") as f:
        replies = json.load(f)
    if not isinstance(replies, dict):
        sys.exit("fake_telemetry: %s: expected an object of command -> value" % path)
    return replies


LISTS = {"/halb/services": "services", "/halb/conns": "conns",
         "/halb/checks": "checks", "/halb/neigh": "neighbours"}


def params_of(text):
    params = {}
    for kv in text.split(",")[1:]:
        k, _, v = kv.partition("=")
        params[k] = v
    return params


def services_page(value, params, size):
    """A page of services holding at most size real servers."""
    svc_i, rs_i = 0, 0
    if "cursor" in params:
        svc_i, rs_i = (int(x) for x in params["cursor"][1:].split("."))
    services, room = [], size
    all_svcs = value["services"]
    while svc_i < len(all_svcs) and room > 0:
        svc = dict(all_svcs[svc_i])
        rss = svc.get("real_servers", [])
        part = rss[rs_i:rs_i + room]
        svc["real_servers"] = part
        if rs_i:
            svc["rs_offset"] = rs_i
        services.append(svc)
        room -= len(part)
        if rs_i + len(part) < len(rss):
            rs_i += len(part)
            break
        svc_i, rs_i = svc_i + 1, 0
        if not rss:
            room -= 1
    page = dict(value, services=services)
    page["next"] = "f%d.%d" % (svc_i, rs_i) if svc_i < len(all_svcs) else None
    return page


def list_page(path, value, params, size):
    key = LISTS[path]
    if key == "services":
        return services_page(value, params, size)
    start = int(params["cursor"][1:]) if "cursor" in params else 0
    entries = value[key]
    if params.get("count") == "1":
        states = {}
        for e in entries:
            if not e.get("template"):
                states[e["state"]] = states.get(e["state"], 0) + 1
        return {"connections": sum(states.values()),
                "templates": sum(1 for e in entries if e.get("template")),
                "states": states, "total": len(entries), "next": None,
                "truncated": False}
    n = min(size, int(params.get("limit", size)))
    page = dict(value)
    page[key] = entries[start:start + n]
    more = start + n < len(entries)
    page["next"] = "f%d" % (start + n) if more else None
    page["truncated"] = more
    return page


def reply_for(replies, text, args, state):
    """The message to send for a command, or None to stay silent."""
    path = text.split(",", 1)[0]
    if args.page_size and path in LISTS and isinstance(replies.get(path), dict):
        params = params_of(text)
        if (path == "/halb/services" and "cursor" in params and args.restart_once
                and not state.get("restarted")):
            state["restarted"] = True
            return json.dumps({path: {"error": "reloaded", "restart": True}}).encode()
        return json.dumps({path: list_page(path, replies[path], params,
                                           args.page_size)}).encode()
    if text == "/":
        value = sorted({k.split(",", 1)[0] for k in replies} | {"/", "/info"})
    elif text in replies:
        value = replies[text]
    else:
        value = replies.get(path)
    if isinstance(value, dict) and "__hang__" in value:
        return None
    if isinstance(value, dict) and "__raw__" in value:
        return value["__raw__"].encode()
    return json.dumps({path: value}).encode()


def serve_client(conn, args, replies, state):
    with conn:
        if args.no_greeting:
            conn.recv(1)  # until the client gives up and closes
            return
        greeting = {"version": "DPDK 22.11.11", "pid": os.getpid(),
                    "max_output_len": args.max_output_len}
        conn.send(json.dumps(greeting).encode())
        while True:
            data = conn.recv(1024)
            if not data:
                return
            text = data.decode(errors="replace").strip()
            if args.log:
                with open(args.log, "a", encoding="utf-8") as log:
                    log.write(text + "\n")
            msg = reply_for(replies, text, args, state)
            if msg is None:
                conn.recv(1)
                return
            conn.send(msg)


def listen(path):
    tmp = path + ".tmp"
    for p in (path, tmp):
        if os.path.exists(p):
            os.unlink(p)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.bind(tmp)
    sock.listen(8)
    os.rename(tmp, path)
    return sock


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--replies", required=True)
    ap.add_argument("--max-output-len", type=int, default=1024 * 1024)
    ap.add_argument("--no-greeting", action="store_true")
    ap.add_argument("--page-size", type=int, default=0)
    ap.add_argument("--restart-once", action="store_true")
    ap.add_argument("--log")
    args = ap.parse_args()
    replies = load_replies(args.replies)

    sock = listen(args.socket)

    def stop(_signum, _frame):
        try:
            os.unlink(args.socket)
        except OSError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    state = {}
    while True:
        conn, _ = sock.accept()
        try:
            conn.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * 1024 * 1024)
        except OSError:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        threading.Thread(target=serve_client, args=(conn, args, replies, state),
                         daemon=True).start()


if __name__ == "__main__":
    main()
