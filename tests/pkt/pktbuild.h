/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PKTBUILD_H
#define HALB_PKTBUILD_H

/*
 * A small packet builder for the packet fixtures and the fuzzer's seeds.
 *
 * A frame is described by a struct pb_frame (Ethernet, an optional 802.1Q
 * tag, then an IPv4 packet or raw bytes) and a packet by a struct pb_ip
 * (IPv4 with options, flags, TTL and id; TCP, UDP, ICMP or any protocol; a
 * payload; for ICMP errors and IPIP the packet inside). pb_render() turns a
 * description into bytes with every checksum computed here by its own
 * RFC 1071 sum: nothing comes from lib/pkt or DPDK, so a fixture that
 * compares the worker's output with a rendered frame checks the worker's
 * incremental checksum updates against sums made from scratch.
 *
 * pb_verify() checks every checksum of a frame (IP header, TCP/UDP with the
 * pseudo header, ICMP, the quoted header of an ICMP error and, when the
 * quote is whole, its transport checksum; the inner packet of IPIP).
 *
 * Addresses and ports are host order throughout.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PB_FRAME_MAX 2048

#define PB_TH_FIN 0x01
#define PB_TH_SYN 0x02
#define PB_TH_RST 0x04
#define PB_TH_PSH 0x08
#define PB_TH_ACK 0x10

#define PB_IP_DF 0x4000
#define PB_IP_MF 0x2000

#define PB_ETH_IPV4 0x0800
#define PB_ETH_ARP  0x0806
#define PB_ETH_VLAN 0x8100

#define PB_PROTO_ICMP 1
#define PB_PROTO_IPIP 4
#define PB_PROTO_TCP  6
#define PB_PROTO_UDP  17
#define PB_PROTO_VRRP 112

/* Dotted quad in host order: PB_IP4(172, 17, 1, 6). */
#define PB_IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

struct pb_mac {
	uint8_t b[6];
};

/* An IPv4 packet. */
struct pb_ip {
	uint32_t src, dst;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	uint16_t id;
	uint16_t frag;  /* PB_IP_DF | PB_IP_MF | offset in 8-byte units */
	uint8_t optlen; /* bytes of options, a multiple of 4, at most 40 */
	uint8_t opts[40];
	/* TCP and UDP */
	uint16_t sport, dport;
	/* TCP */
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	/* UDP: send a zero checksum (none) */
	bool udp_no_csum;
	/* ICMP: type, code and the second word (id/seq, or unused/MTU) */
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_rest;
	/* what the packet carries after its L4 header */
	uint16_t payload_len;
	uint8_t payload_seed;   /* payload byte i is seed + i */
	const uint8_t *payload; /* or these bytes, when not NULL */
	/* ICMP errors: the quoted packet; IPIP: the encapsulated one */
	const struct pb_ip *inner;
	uint16_t quote; /* ICMP errors: bytes of inner quoted; 0: all of it */
};

/* An Ethernet frame. */
struct pb_frame {
	struct pb_mac dst, src;
	int32_t vlan;       /* -1: untagged; else the TCI */
	uint16_t ethertype; /* 0: IPv4 */
	uint16_t pad_to;    /* zero padding up to this frame length */
	const uint8_t *raw; /* not IPv4: the bytes after the EtherType */
	uint16_t raw_len;
	struct pb_ip ip;
};

/* Packets with the usual defaults: TTL 64, DF, id 1, TCP window 65535. */
struct pb_ip pb_tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags);
struct pb_ip pb_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport);
/* An ICMP error (type, code, second word rest) about quoted, quoting its
 * first quote bytes (0: all). */
struct pb_ip pb_icmp_error(uint32_t src, uint32_t dst, uint8_t type, uint8_t code, uint32_t rest,
			   const struct pb_ip *quoted, uint16_t quote);
/* An IPIP packet carrying inner (TTL 64, DF as given in frag). */
struct pb_ip pb_ipip(uint32_t src, uint32_t dst, const struct pb_ip *inner);

/* A frame carrying ip, untagged. */
struct pb_frame pb_eth(struct pb_mac dst, struct pb_mac src, const struct pb_ip *ip);
/* A frame carrying raw bytes under ethertype. */
struct pb_frame pb_eth_raw(struct pb_mac dst, struct pb_mac src, uint16_t ethertype,
			   const uint8_t *raw, uint16_t len);

/* Renders an IP packet into out (cap bytes). @return its length, 0 if it
 * does not fit. */
size_t pb_render_ip(const struct pb_ip *p, uint8_t *out, size_t cap);

/* Renders a frame into out. @return its length, 0 if it does not fit. */
size_t pb_render(const struct pb_frame *f, uint8_t *out, size_t cap);

/* An ARP request or reply (op 1 or 2) as the bytes after the EtherType. */
size_t pb_arp(uint16_t op, struct pb_mac sha, uint32_t sip, struct pb_mac tha, uint32_t tip,
	      uint8_t *out, size_t cap);

/* Recomputes the IPv4 header checksum of the packet at ip (after a fixture
 * edited its header on purpose). */
void pb_fix_ip_csum(uint8_t *ip);

/* Mends an IPv4 frame of len bytes in place: with total, its IP total
 * length becomes what the frame holds; with l4, its TCP, UDP or ICMP
 * checksum is recomputed (when the whole unfragmented packet is there);
 * then its IP header checksum (when the header is all there). */
void pb_fix_frame(uint8_t *f, size_t len, bool total, bool l4);

/* Whether the IPv4 header checksum of the frame is right (false when the
 * frame has no whole IPv4 header). */
bool pb_ip_csum_ok(const uint8_t *f, size_t len);

/*
 * Checks every checksum in the len bytes of frame f.
 * @return 0, or -1 with what is wrong in err.
 */
int pb_verify(const uint8_t *f, size_t len, char *err, size_t errlen);

/* Prints the 16-byte rows where exp and got differ, both versions, each
 * line started with prefix; and the first differing offset. */
void pb_hexdiff(FILE *out, const char *prefix, const uint8_t *exp, size_t elen, const uint8_t *got,
		size_t glen);

/* Prints a frame as hex rows. */
void pb_hexdump(FILE *out, const char *prefix, const uint8_t *f, size_t len);

#endif /* HALB_PKTBUILD_H */
