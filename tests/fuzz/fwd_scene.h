/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_FWD_SCENE_H
#define HALB_FWD_SCENE_H

/*
 * The director fuzz_fwd runs (the one of tests/pkt/pktenv.h) and the input
 * format it reads; fwd_seeds writes seed inputs in that format.
 *
 * An input is a sequence of records, each an op byte and its argument:
 *   op & 7 = 0..3  a frame received by worker (op & 1) on port (op >> 1 & 1):
 *                  a 2-byte little-endian word w, then the frame of
 *                  w & 0x7ff bytes. Consecutive frames for one worker and
 *                  port form a burst (at most FUZZ_BURST), processed in one
 *                  fwd_process call. The other bits of op say how the frame
 *                  arrives, so that a mutated frame gets past the length and
 *                  checksum checks to the code behind them:
 *                  FUZZ_F_FIX_IP   its IP header checksum is made right
 *                  FUZZ_F_FIX_L4   its TCP/UDP/ICMP checksum is made right
 *                  FUZZ_F_OFFLOAD  the NIC checked the IP checksum (the mbuf
 *                                  says good or bad)
 *                  FUZZ_F_FIX_LEN  its IP total length is the frame's
 *                  FUZZ_F_SPLIT    in two segments, the first of
 *                                  len * (w >> 11) / 32 bytes (at least 1)
 *   op & 7 = 4     end the burst here
 *   op & 7 = 5     one byte a: the clock moves (a + 1) * 250 ms and the
 *                  connection wheels turn
 *   op & 7 = 6     one byte v: publish service variant v % FUZZ_VARIANTS
 *   op & 7 = 7     one byte a: neighbours age (a + 1) * 10 s (unanswered,
 *                  they fail and frames wait for resolution)
 * A record cut short ends the input.
 */

#include "pktbuild.h"
#include "pktenv.h"

#define FUZZ_BURST    64
#define FUZZ_VARIANTS 4

#define FUZZ_F_FIX_IP  0x08
#define FUZZ_F_FIX_L4  0x10
#define FUZZ_F_OFFLOAD 0x20
#define FUZZ_F_FIX_LEN 0x40
#define FUZZ_F_SPLIT   0x80

enum fuzz_op {
	FUZZ_OP_FRAME = 0, /* ... 3 */
	FUZZ_OP_FLUSH = 4,
	FUZZ_OP_CLOCK = 5,
	FUZZ_OP_SERVICES = 6,
	FUZZ_OP_NEIGH_AGE = 7,
};

/* Services (variant 0):
 *   VIP:80/TCP    DR   rr        RS1:80 RS2:80
 *   VIP:443/TCP   DR   wrr 1:2   RS1:443 RS2:443, persistence 60 s
 *   VIP:8080/TCP  NAT  rr        RS1:80 RS2:80
 *   VIP:53/UDP    NAT  wlc       RS1:5353 RS2:5353
 *   VIP2:80/TCP   TUN  sh        RS1:80 RS4:80
 *   VIP2:53/UDP   DR   lc        RS3:53
 *   VIP3:80/TCP   DR   rr        RS1:80 (a VIP this director does not own)
 *   VIP2:8081/TCP TUN  rr        RS6_4:80 (IPv4 in IPv6)
 *   VIP6:80/TCP   DR   rr        RS6_1:80 RS6_2:80
 *   VIP6:8080/TCP NAT  rr        RS6_1:80 RS6_2:80, persistence 60 s by /64
 *   VIP6:53/UDP   NAT  wlc       RS6_1:5353 RS6_2:5353
 *   VIP6_2:80/TCP TUN  sh        RS6_1:80 RS1:80 (IPv6 in IPv6, and in IPv4)
 * Variant 1 removes RS1 and RS6_1 and quiesces RS2 in the wrr service, 2
 * owns no VIP, 3 has RS1 and RS6_1 down. */
#define FUZZ_VIP    PB_IP4(172, 17, 100, 100)
#define FUZZ_VIP2   PB_IP4(172, 17, 100, 101)
#define FUZZ_VIP3   PB_IP4(172, 17, 100, 102)
#define FUZZ_RS1    PB_IP4(172, 17, 1, 7)
#define FUZZ_RS2    PB_IP4(172, 17, 1, 8)
#define FUZZ_RS3    PB_IP4(192, 168, 30, 7)
#define FUZZ_RS4    PB_IP4(10, 2, 0, 7)
#define FUZZ_CLIENT PB_IP4(198, 51, 100, 10)
#define FUZZ_PEER   PB_IP4(172, 17, 1, 5)

#define FUZZ_VIP6_G   0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x100
#define FUZZ_VIP6_2_G 0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x101
#define FUZZ_RS6_1_G  0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 7
#define FUZZ_RS6_2_G  0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 8
#define FUZZ_RS6_4_G  0x2001, 0xdb8, 0x2, 0, 0, 0, 0, 7
#define FUZZ_VIP6     PB_IP6(FUZZ_VIP6_G)
#define FUZZ_VIP6_2   PB_IP6(FUZZ_VIP6_2_G)
#define FUZZ_RS6_1    PB_IP6(FUZZ_RS6_1_G)
#define FUZZ_RS6_2    PB_IP6(FUZZ_RS6_2_G)
#define FUZZ_RS6_4    PB_IP6(FUZZ_RS6_4_G)
#define FUZZ_CLIENT6  PB_IP6(0x2001, 0xdb8, 0x51, 0, 0, 0, 0, 0x10)

static const struct pb_mac fuzz_mac_gw = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
static const struct pb_mac fuzz_mac_rs1 = { { 0x02, 0x00, 0x00, 0x00, 0x01, 0x07 } };
static const struct pb_mac fuzz_mac_rs2 = { { 0x02, 0x00, 0x00, 0x00, 0x01, 0x08 } };
static const struct pb_mac fuzz_mac_rs3 = { { 0x02, 0x00, 0x00, 0x00, 0x30, 0x07 } };
static const struct pb_mac fuzz_mac_rs4 = { { 0x02, 0x00, 0x00, 0x00, 0x02, 0x07 } };
static const struct pb_mac fuzz_mac_rs6_1 = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x07 } };
static const struct pb_mac fuzz_mac_rs6_2 = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x08 } };
static const struct pb_mac fuzz_mac_rs6_4 = { { 0x02, 0x00, 0x00, 0x06, 0x02, 0x07 } };

#endif /* HALB_FWD_SCENE_H */
