#!/usr/bin/python3
"""A stand-in for systemd's notification socket (sd_notify(3)).

Binds a datagram socket at the path given (what NOTIFY_SOCKET names) and
appends each message it receives to the output file, one line per
assignment ("READY=1"), each message's lines followed by "--". Runs until
killed or until the timeout (seconds) passes.
"""
import os
import socket
import sys
import time

path, out, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if os.path.exists(path):
    os.unlink(path)
sock.bind(path)
os.chmod(path, 0o777)
end = time.monotonic() + timeout
with open(out, "a", buffering=1) as f:
    f.write("listening\n")
    while time.monotonic() < end:
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            msg = sock.recv(4096)
        except socket.timeout:
            break
        for line in msg.decode(errors="replace").splitlines():
            f.write(line + "\n")
        f.write("--\n")
