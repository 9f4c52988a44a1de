/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PKT_H
#define HALB_PKT_H

/**
 * @file
 * Packet parsing, checksums and frame builders shared by the worker path,
 * the control core and the tests.
 *
 * A worker parses each frame once (pkt_parse) into struct pkt_meta, kept in
 * the mbuf's private area; everything downstream reads the offsets from
 * there. IPv6 extension headers are walked once, bounded (pkt6.c), so that
 * l3_len covers them and l4_proto is the upper layer's. The builders make
 * the frames halb originates itself: ARP requests and gratuitous ARPs,
 * neighbour solicitations and adverts, ICMP and ICMPv6 errors, VRRP adverts
 * (whose IP part comes from lib/vrrp). Checksum updates are incremental (RFC
 * 1624) so rewriting an address costs a few instructions, not a pass over
 * the payload.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PKT_IPPROTO_VRRP       112
#define PKT_ICMP_DEST_UNREACH  3
#define PKT_ICMP_FRAG_NEEDED   4 /* code of PKT_ICMP_DEST_UNREACH */
#define PKT_ICMP_SOURCE_QUENCH 4
#define PKT_ICMP_TIME_EXCEEDED 11
#define PKT_ICMP_PARAM_PROBLEM 12

#define PKT_IPPROTO_ICMPV6    58
#define PKT_ICMP6_DST_UNREACH 1
#define PKT_ICMP6_PKT_TOO_BIG 2
#define PKT_ICMP6_TIME_EXCEED 3
#define PKT_ICMP6_PARAM_PROB  4
#define PKT_ICMP6_ECHO_REQ    128
#define PKT_ICMP6_MLD_QUERY   130
#define PKT_ICMP6_MLD_REPORT  131
#define PKT_ICMP6_MLD_DONE    132
#define PKT_ICMP6_RS          133
#define PKT_ICMP6_RA          134
#define PKT_ICMP6_NS          135
#define PKT_ICMP6_NA          136
#define PKT_ICMP6_REDIRECT    137
#define PKT_ICMP6_MLD2_REPORT 143
#define PKT_IPV6_MIN_MTU      1280 /**< RFC 8200 5 */

/* Neighbour advert flags (first byte of the reserved word). */
#define PKT_NA_ROUTER    0x80
#define PKT_NA_SOLICITED 0x40
#define PKT_NA_OVERRIDE  0x20

/** Extension headers pkt_parse walks before it gives up on a packet
 * (counted as a hostile chain), and the bytes they may take in all. */
#define PKT_IPV6_EXT_MAX   8
#define PKT_IPV6_CHAIN_MAX 512

/** Why a frame went from a worker to the control core (pkt_meta.ctl). */
enum pkt_ctl_reason {
	PKT_CTL_NONE = 0,
	PKT_CTL_KERNEL,  /**< for the kernel: write it to the port's TAP */
	PKT_CTL_ARP,     /**< ARP: learn the neighbour, then to the TAP */
	PKT_CTL_VRRP,    /**< a VRRP advert for the VRRP engine */
	PKT_CTL_RESOLVE, /**< ready to go out but the next hop has no MAC yet */
	PKT_CTL_TX,      /**< control -> worker: transmit as is on out_port */
	PKT_CTL_SYNC,    /**< an IPVS sync message for the sync daemon */
};

/** What pkt_parse found; lives in the mbuf's private area. */
struct pkt_meta {
	uint16_t l2_len;     /**< Ethernet header plus VLAN tag, if any */
	uint16_t l3_len;     /**< IPv4 header with options */
	uint16_t l4_len;     /**< bytes from the L4 header to the IP packet's end */
	uint16_t ether_type; /**< after the VLAN tag, host order */
	uint16_t vlan_tci;   /**< host order; valid when has_vlan */
	bool has_vlan;
	bool is_fragment;    /**< MF set or offset != 0 */
	bool first_fragment; /**< offset 0 (the L4 header is present) */
	uint8_t l4_proto;
	uint8_t tcp_flags;   /**< TCP only */
	uint8_t in_port;     /**< halb port index the frame came in on */
	uint8_t out_port;    /**< halb port index to send it out of */
	uint8_t ctl;         /**< enum pkt_ctl_reason */
	bool redirected;     /**< handed over by another worker: never again */
	bool v6_routed;      /**< IPv6: a routing header with segments left */
	uint8_t nexthop[16]; /**< PKT_CTL_RESOLVE: whose MAC is missing (an IPv6
			      * address, or IPv4 mapped: ::ffff:a.b.c.d) */
};

/** Size to reserve as the mbuf private area (mempool priv_size). */
#define PKT_PRIV_SIZE RTE_ALIGN(sizeof(struct pkt_meta), RTE_MBUF_PRIV_ALIGN)

static inline struct pkt_meta *pkt_meta(struct rte_mbuf *m)
{
	return (struct pkt_meta *)rte_mbuf_to_priv(m);
}

/** Verdicts of pkt_parse that are not drops. */
enum pkt_kind {
	PKT_KIND_IPV4 = 0,
	PKT_KIND_ARP,
	PKT_KIND_OTHER, /**< another EtherType: the kernel's business */
	PKT_KIND_IPV6,
};

/** Reasons pkt_parse rejects a frame (negative returns are -reason). */
enum pkt_error {
	PKT_ERR_TRUNCATED = 1,   /**< shorter than its headers say */
	PKT_ERR_BAD_IP_HEADER,   /**< version, IHL, or total length wrong */
	PKT_ERR_BAD_IP_CHECKSUM, /**< header checksum does not verify */
	PKT_ERR_BAD_L4_HEADER,   /**< TCP data offset below 5 words */
	PKT_ERR_BAD_IPV6_EXT,    /**< an extension header out of place or malformed */
	PKT_ERR_IPV6_EXT_CHAIN,  /**< more extension headers than PKT_IPV6_EXT_MAX,
				  *   or longer than PKT_IPV6_CHAIN_MAX */
};

/**
 * Parses the Ethernet (one optional 802.1Q tag), IPv4 or IPv6 (with its
 * extension headers, all in the first segment) and TCP/UDP/ICMP/ICMPv6
 * headers of m into *meta; trims Ethernet padding past the IP length.
 * @return an enum pkt_kind (>= 0), or -enum pkt_error.
 */
int pkt_parse(struct rte_mbuf *m, struct pkt_meta *meta);

/* The IPv6 part of pkt_parse (pkt6.c): m's IPv6 header sits at meta->l2_len. */
int pkt_parse_ipv6(struct rte_mbuf *m, struct pkt_meta *meta);

/** Where the upper-layer header of the IPv6 packet at ip (avail bytes,
 * a quote in an ICMPv6 error perhaps) starts, walking its extension headers
 * with pkt_parse's bounds. @return 0 with *proto and *off (from ip), or -1
 * (malformed, cut short, or a fragment other than the first). */
int pkt_ipv6_upper(const uint8_t *ip, uint32_t avail, uint8_t *proto, uint32_t *off);

/* Reads the L4 header facts the forwarding path needs (avail bytes at l4). */
int pkt_parse_l4(const uint8_t *l4, uint32_t avail, struct pkt_meta *meta);

/* ------------------------------------------------------------ checksums */

/** Folds a 32-bit one's complement sum into 16 bits (not inverted). */
static inline uint16_t pkt_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/** RFC 1624 eqn. 3: the checksum after a 16-bit field changed from old to new. */
static inline rte_be16_t pkt_csum_update16(rte_be16_t csum, rte_be16_t old, rte_be16_t new_)
{
	uint32_t sum = (uint16_t)~csum + (uint16_t)~old + (uint16_t)new_;

	return (rte_be16_t)~pkt_csum_fold(sum);
}

/** The checksum after a 32-bit field (an address) changed from old to new. */
static inline rte_be16_t pkt_csum_update32(rte_be16_t csum, rte_be32_t old, rte_be32_t new_)
{
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t) ~(old & 0xffff) + (uint16_t) ~(old >> 16);
	sum += (new_ & 0xffff) + (new_ >> 16);
	return (rte_be16_t)~pkt_csum_fold(sum);
}

/** The checksum after a 128-bit field (an IPv6 address) changed from old
 * to new. */
static inline rte_be16_t pkt_csum_update128(rte_be16_t csum, const uint8_t *old,
					    const uint8_t *new_)
{
	uint32_t sum = (uint16_t)~csum;

	for (int i = 0; i < 16; i += 2) {
		uint16_t o, n;

		memcpy(&o, old + i, 2);
		memcpy(&n, new_ + i, 2);
		sum += (uint16_t)~o + n;
	}
	return (rte_be16_t)~pkt_csum_fold(sum);
}

/** Like pkt_csum_update16 for UDP, where 0 means "no checksum" and stays so. */
static inline rte_be16_t pkt_udp_csum_update16(rte_be16_t csum, rte_be16_t old, rte_be16_t new_)
{
	if (csum == 0)
		return 0;
	csum = pkt_csum_update16(csum, old, new_);
	return csum == 0 ? 0xffff : csum;
}

static inline rte_be16_t pkt_udp_csum_update32(rte_be16_t csum, rte_be32_t old, rte_be32_t new_)
{
	if (csum == 0)
		return 0;
	csum = pkt_csum_update32(csum, old, new_);
	return csum == 0 ? 0xffff : csum;
}

/* ------------------------------------------------------------- builders */

/**
 * Writes an ARP packet into m (which must be empty): op is RTE_ARP_OP_REQUEST
 * or RTE_ARP_OP_REPLY; Ethernet destination dst_mac (broadcast for requests).
 * A gratuitous ARP is a request with sip == tip and the broadcast target.
 * @return 0, or -ENOSPC when m has no room.
 */
int pkt_build_arp(struct rte_mbuf *m, uint16_t op, const struct rte_ether_addr *src_mac,
		  const struct rte_ether_addr *dst_mac, rte_be32_t sip,
		  const struct rte_ether_addr *tha, rte_be32_t tip);

/**
 * Builds, into the empty mbuf m, an ICMP error (type, code, and for
 * "fragmentation needed" the next-hop MTU) about the IPv4 packet orig_ip
 * (orig_len bytes available), addressed to its source from src. Quotes the
 * IP header and the first 8 bytes of payload as RFC 792 asks. The Ethernet
 * header is left for the caller (l2 room is reserved).
 * @return 0, or a negative errno.
 */
int pkt_build_icmp_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint16_t mtu,
			 const struct rte_ipv4_hdr *orig_ip, uint32_t orig_len, rte_be32_t src);

/**
 * Writes, into the empty mbuf m, an IPv4/UDP datagram carrying len bytes of
 * payload (checksums computed); the Ethernet header is left for the caller.
 * @return 0, or -ENOSPC when m has no room.
 */
int pkt_build_udp(struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
		  rte_be16_t dport, uint8_t ttl, uint16_t ip_id, const void *payload, size_t len);

/** The Ethernet address of IPv4 multicast group (host order). */
void pkt_mcast_mac(uint32_t group, struct rte_ether_addr *mac);

/* ----------------------------------------------------------------- IPv6 */

/** The Ethernet address of IPv6 multicast group (33:33 and its last 32 bits). */
void pkt_mcast_mac6(const uint8_t *group, struct rte_ether_addr *mac);

/** The IPv6 link-local address of an interface with MAC mac: fe80::/64
 * with the modified EUI-64 (RFC 4291 2.5.1), as the kernel makes it. */
void pkt_link_local(const struct rte_ether_addr *mac, uint8_t *out);

/** The solicited-node multicast group of a (ff02::1:ffXX:XXXX, RFC 4291). */
void pkt_solicited_node(const uint8_t *a, uint8_t *group);

/** The one's complement sum (not folded, not inverted) of the IPv6
 * pseudo-header (RFC 8200 8.1) for len bytes of upper-layer proto. */
uint32_t pkt_ipv6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint32_t len, uint8_t proto);

/** The checksum to store in an upper-layer header of len bytes at l4,
 * whose checksum field is zero, between src and dst (IPv6). */
uint16_t pkt_ipv6_cksum(const uint8_t *src, const uint8_t *dst, uint8_t proto, const void *l4,
			uint32_t len);

/** Whether the upper-layer checksum of len bytes at l4 verifies (IPv6). */
bool pkt_ipv6_cksum_ok(const uint8_t *src, const uint8_t *dst, uint8_t proto, const void *l4,
		       uint32_t len);

/** Writes an IPv6 header in front of nothing: at ip, with payload_len,
 * next header proto and the hop limit. */
void pkt_ipv6_hdr(struct rte_ipv6_hdr *ip, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		  uint16_t payload_len, uint8_t hop_limit);

/** Bytes of the NS and NA halb makes: the message and one link-layer
 * address option. */
#define PKT_ND_LEN 32

/**
 * Writes at `at` an IPv6 header (hop limit 255) and a neighbour
 * solicitation or advert (type PKT_ICMP6_NS or _NA; flags PKT_NA_*) of
 * PKT_ND_LEN bytes for target, with mac as its source (NS) or target (NA)
 * link-layer address option, checksummed. target may lie in the bytes
 * written over.
 */
void pkt_nd_write(void *at, uint8_t type, uint8_t flags, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *target, const struct rte_ether_addr *mac);

/**
 * Writes, into the empty mbuf m, a neighbour solicitation for target from
 * src (with src_mac as its source link-layer address option), to dst (the
 * target's solicited-node group, or the target itself to probe it), hop
 * limit 255; then the Ethernet header towards dst's MAC (its group's, or
 * dst_mac when not NULL). @return 0, or -ENOSPC.
 */
int pkt_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src_mac, const uint8_t *src,
		 const uint8_t *dst, const struct rte_ether_addr *dst_mac, const uint8_t *target);

/**
 * Writes, into the empty mbuf m, a neighbour advert for target (flags
 * PKT_NA_*; mac as the target link-layer address option) from src to dst,
 * hop limit 255, and its Ethernet header to dst_mac.
 * @return 0, or -ENOSPC.
 */
int pkt_build_na(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		 const struct rte_ether_addr *dst_mac, const uint8_t *src, const uint8_t *dst,
		 const uint8_t *target, uint8_t flags);

/**
 * Builds, into the empty mbuf m, an ICMPv6 error (type, code, and the
 * 32-bit field after them: the MTU of "packet too big", the pointer of a
 * parameter problem) about the IPv6 packet orig (orig_len bytes available),
 * addressed to its source from src; it quotes as much of orig as keeps the
 * error within the minimum MTU (RFC 4443 2.4 c). The Ethernet header is
 * left for the caller. @return 0, or a negative errno.
 */
int pkt_build_icmp6_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint32_t param,
			  const struct rte_ipv6_hdr *orig, uint32_t orig_len, const uint8_t *src);

/** Writes the Ethernet header in front of m's data (prepending room). */
int pkt_push_ether(struct rte_mbuf *m, const struct rte_ether_addr *src,
		   const struct rte_ether_addr *dst, uint16_t ether_type);

#ifdef __cplusplus
}
#endif

#endif /* HALB_PKT_H */
