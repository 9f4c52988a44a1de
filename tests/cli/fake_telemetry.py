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

  fake_telemetry.py --socket PATH --replies FILE [--max-output-len N]
                    [--no-greeting]

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


def reply_for(replies, text):
    """The message to send for a command, or None to stay silent."""
    path = text.split(",", 1)[0]
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


def serve_client(conn, args, replies):
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
            msg = reply_for(replies, data.decode(errors="replace").strip())
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
    while True:
        conn, _ = sock.accept()
        try:
            conn.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * 1024 * 1024)
        except OSError:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * 1024 * 1024)
        threading.Thread(target=serve_client, args=(conn, args, replies),
                         daemon=True).start()


if __name__ == "__main__":
    main()
