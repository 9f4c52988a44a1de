#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A bounded burst of TCP opens towards a VIP, for filling halb's table.

Each flow is a SYN then an ACK from its own client address and port, so a
DR director (which sees only client -> server) enters it as an ESTABLISHED
connection, as it would a real client's. Frames are written on a packet
socket of the given interface with correct IP and TCP checksums, paced to
RATE frames a second, FLOWS flows in all (at most 2**20 per /12 of client
addresses: 10.64.0.0 + flow // 16, ports 20000 + flow % 16).

  synburst.py IFACE DST_MAC VIP PORT FLOWS RATE [FIRST]

Prints how many frames it sent and how long it took.
"""

import socket
import struct
import sys
import time

SYN, ACK = 0x02, 0x10


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def words(b):
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    iface, dst_mac, vip, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    flows, rate = int(sys.argv[5]), float(sys.argv[6])
    first = int(sys.argv[7]) if len(sys.argv) == 8 else 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src_mac = s.getsockname()[4]
    dst = socket.inet_aton(vip)
    eth = bytes.fromhex(dst_mac.replace(":", "")) + src_mac + b"\x08\x00"
    # IPv4 header without source and checksum: ver/ihl, tos, len 40, id, DF,
    # ttl 64, TCP; its sum (dst included) is the same for every frame.
    ip_sum = words(struct.pack("!BBHHHBBH4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, dst))

    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0, bytes(4), dst)
    frames = {}
    for flags in (SYN, ACK):
        seq, ack = (1000, 0) if flags == SYN else (1001, 1)
        tcp = struct.pack("!HHIIBBHHH", 0, port, seq, ack, 0x50, flags, 65535, 0, 0)
        # pseudo header (dst, proto, length) and the TCP header without the
        # source port: constant per kind
        frames[flags] = (bytearray(eth + ip + tcp), words(dst) + 6 + 20 + words(tcp))
    sent, start = 0, time.monotonic()
    for f in range(first, first + flows):
        src = 0x0A400000 + (f >> 4)
        sport = 20000 + (f & 15)
        src_words = (src >> 16) + (src & 0xFFFF)
        for flags in (SYN, ACK):
            frame, tcp_sum = frames[flags]
            ip_csum = ~fold(ip_sum + src_words) & 0xFFFF
            tcp_csum = ~fold(tcp_sum + src_words + sport) & 0xFFFF
            struct.pack_into("!HI", frame, 24, ip_csum, src)
            struct.pack_into("!H", frame, 34, sport)
            struct.pack_into("!H", frame, 50, tcp_csum)
            s.send(frame)
            sent += 1
        if sent % 2048 == 0:
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    took = time.monotonic() - start
    print("%d frames (%d flows) in %.1f s, %.0f frames/s" % (sent, flows, took, sent / took))


if __name__ == "__main__":
    main()
