/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PKTBUILD_H
#define HALB_PKTBUILD_H

/*
 * A small packet builder for the packet fixtures and the fuzzer's seeds.
 *
 * A frame is described by a struct pb_frame (Ethernet, an optional 802.1Q
 * tag, then an IPv4 or IPv6 packet, or raw bytes) and a packet by a struct
 * pb_ip (IPv4 with options, flags, TTL and id, or IPv6 with extension
 * headers; TCP, UDP, ICMP, ICMPv6 or any protocol; a payload; for ICMP
 * errors and tunnels the packet inside). pb_render() turns a
 * description into bytes with every checksum computed here by its own
 * RFC 1071 sum: nothing comes from lib/pkt or DPDK, so a fixture that
 * compares the worker's output with a rendered frame checks the worker's
 * incremental checksum updates against sums made from scratch.
 *
 * pb_verify() checks every checksum of a frame (IP header, TCP/UDP with the
 * pseudo header, ICMP, ICMPv6, the quoted header of an ICMP error and, when
 * the quote is whole, its transport checksum; the inner packet of a
 * tunnel).
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
#define PB_ETH_IPV6 0x86dd

#define PB_PROTO_ICMP  1
#define PB_PROTO_IPIP  4
#define PB_PROTO_TCP   6
#define PB_PROTO_UDP   17
#define PB_PROTO_IPV6  41
#define PB_PROTO_ICMP6 58
#define PB_PROTO_VRRP  112

/* IPv6 extension headers */
#define PB_EXT_HOPOPTS  0
#define PB_EXT_ROUTING  43
#define PB_EXT_FRAGMENT 44
#define PB_EXT_DSTOPTS  60
#define PB_EXT_NONE     59 /* No Next Header */

/* Dotted quad in host order: PB_IP4(172, 17, 1, 6). */
#define PB_IP4(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* An IPv6 address from its eight 16-bit groups (given one by one, or as one
 * macro of them): PB_IP6_INIT in an initializer, PB_IP6 where a pointer to
 * 16 bytes is wanted. */
#define PB_IP6_B(g) (uint8_t)((g) >> 8), (uint8_t)(g)
#define PB_IP6_INIT8(a, b, c, d, e, f, g, h)                                                  \
	{                                                                                     \
		PB_IP6_B(a), PB_IP6_B(b), PB_IP6_B(c), PB_IP6_B(d), PB_IP6_B(e), PB_IP6_B(f), \
		    PB_IP6_B(g), PB_IP6_B(h)                                                  \
	}
#define PB_IP6_INIT(...) PB_IP6_INIT8(__VA_ARGS__)
#define PB_IP6(...)      ((const uint8_t[16])PB_IP6_INIT8(__VA_ARGS__))

struct pb_mac {
	uint8_t b[6];
};

/* An IPv4 or IPv6 packet. */
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
	/* or these bytes after the L4 header (neighbour discovery), when body_len */
	uint8_t body_len;
	uint8_t body[48];
	/* no L4 header: the payload alone (a later fragment) */
	bool no_l4;
	/* IPv6 (af 6): addresses; traffic class in tos, hop limit in ttl */
	uint8_t af;
	uint8_t src6[16], dst6[16];
	uint32_t flow; /* flow label */
	/* extension headers before proto's (pb_ext_add): the first one's type,
	 * then their bytes */
	uint8_t ext_nh;
	uint16_t ext_len;
	uint8_t ext[160];
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
/* An IPIP packet carrying inner (TTL 64, DF as given in frag; IPv6 in
 * IPv4 when inner is IPv6). */
struct pb_ip pb_ipip(uint32_t src, uint32_t dst, const struct pb_ip *inner);

/* IPv6: the same packets (hop limit 64, flow label 0). */
struct pb_ip pb_tcp6(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		     uint8_t flags);
struct pb_ip pb_udp6(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport);
/* An ICMPv6 message (type, code, the word after the checksum). */
struct pb_ip pb_icmp6(const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
		      uint32_t rest);
struct pb_ip pb_icmp6_error(const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
			    uint32_t rest, const struct pb_ip *quoted, uint16_t quote);
/* A tunnel to dst carrying inner (IPv6 in IPv6, or IPv4 in IPv6). */
struct pb_ip pb_ip6ip(const uint8_t *src, const uint8_t *dst, const struct pb_ip *inner);
/* Neighbour discovery (hop limit 255): a solicitation for target (with a
 * source link-layer address option when lla is not NULL) and an advert
 * (flags in the first byte of its word: router 0x80, solicited 0x40,
 * override 0x20; a target link-layer address option when lla). */
struct pb_ip pb_ns(const uint8_t *src, const uint8_t *dst, const uint8_t *target,
		   const struct pb_mac *lla);
struct pb_ip pb_na(const uint8_t *src, const uint8_t *dst, const uint8_t *target, uint8_t flags,
		   const struct pb_mac *lla);
/* The solicited-node group of a (ff02::1:ffXX:XXXX) and the MAC of an IPv6
 * group (33:33 and its last 32 bits). */
void pb_solicited_node(const uint8_t *a, uint8_t *group);
struct pb_mac pb_mcast_mac6(const uint8_t *group);
/* Appends an extension header of type (len bytes: a multiple of 8; the
 * Fragment header's is 8) to p, whose upper layer stays p->proto (set it
 * first); a Routing header gets segs_left and its type in offset, a
 * Fragment header offset (8-byte units) and more. Pads Hop-by-Hop and
 * Destination Options with PadN. @return false when it does not fit. */
bool pb_ext_add(struct pb_ip *p, uint8_t type, uint16_t len, uint8_t segs_left, uint16_t offset,
		bool more);

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
 * then its IP header checksum (when the header is all there). An IPv6
 * frame: its payload length, and its TCP, UDP or ICMPv6 checksum past
 * the extension headers. */
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
