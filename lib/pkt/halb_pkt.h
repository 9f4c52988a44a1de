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
 * there. The builders make the frames halb originates itself: ARP requests
 * and gratuitous ARPs, ICMP errors, VRRP adverts (whose IP part comes from
 * lib/vrrp). Checksum updates are incremental (RFC 1624) so rewriting an
 * address costs a few instructions, not a pass over the payload.
 */

#include <stdbool.h>
#include <stdint.h>

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
	uint8_t tcp_flags;  /**< TCP only */
	uint8_t in_port;    /**< halb port index the frame came in on */
	uint8_t out_port;   /**< halb port index to send it out of */
	uint8_t ctl;        /**< enum pkt_ctl_reason */
	bool redirected;    /**< handed over by another worker: never again */
	rte_be32_t nexthop; /**< PKT_CTL_RESOLVE: whose MAC is missing */
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
};

/** Reasons pkt_parse rejects a frame (negative returns are -reason). */
enum pkt_error {
	PKT_ERR_TRUNCATED = 1,   /**< shorter than its headers say */
	PKT_ERR_BAD_IP_HEADER,   /**< version, IHL, or total length wrong */
	PKT_ERR_BAD_IP_CHECKSUM, /**< header checksum does not verify */
	PKT_ERR_BAD_L4_HEADER,   /**< TCP data offset below 5 words */
};

/**
 * Parses the Ethernet (one optional 802.1Q tag), IPv4 and TCP/UDP/ICMP
 * headers of m into *meta; trims Ethernet padding past the IP total length.
 * @return an enum pkt_kind (>= 0), or -enum pkt_error.
 */
int pkt_parse(struct rte_mbuf *m, struct pkt_meta *meta);

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

/** Writes the Ethernet header in front of m's data (prepending room). */
int pkt_push_ether(struct rte_mbuf *m, const struct rte_ether_addr *src,
		   const struct rte_ether_addr *dst, uint16_t ether_type);

#ifdef __cplusplus
}
#endif

#endif /* HALB_PKT_H */
