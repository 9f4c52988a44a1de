/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing and building of frames. pkt_parse is on every packet's way, so it
 * reads each header once, checks only what a forwarding decision depends on
 * and records offsets for later stages; the builders are for the control core
 * and rare worker paths (ICMP errors) and favour clarity.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "halb_pkt.h"

/* pkt_parse_l4, inlined into the IPv4 parse (every packet's path). */
static inline int parse_l4(const uint8_t *l4, uint32_t avail, struct pkt_meta *meta)
{
	switch (meta->l4_proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *tcp = (const struct rte_tcp_hdr *)l4;

		if (avail < sizeof(*tcp))
			return -PKT_ERR_TRUNCATED;
		if ((tcp->data_off >> 4) < 5)
			return -PKT_ERR_BAD_L4_HEADER;
		if (avail < (uint32_t)((tcp->data_off >> 4) * 4))
			return -PKT_ERR_TRUNCATED;
		meta->tcp_flags = tcp->tcp_flags;
		break;
	}
	case IPPROTO_UDP:
		if (avail < sizeof(struct rte_udp_hdr))
			return -PKT_ERR_TRUNCATED;
		break;
	case IPPROTO_ICMP:
	case PKT_IPPROTO_ICMPV6: /* every message has at least 8 bytes */
		if (avail < sizeof(struct rte_icmp_hdr))
			return -PKT_ERR_TRUNCATED;
		break;
	default:
		break;
	}
	return 0;
}

int pkt_parse_l4(const uint8_t *l4, uint32_t avail, struct pkt_meta *meta)
{
	return parse_l4(l4, avail, meta);
}

/*
 * Whether the IPv4 header's checksum verifies: its 32-bit words summed
 * into 64 bits and folded to 16 is the RFC 1071 sum of its 16-bit words
 * (the one's complement sum does not depend on how the words are grouped
 * or on byte order), all ones when the header is intact. Five loads and
 * adds for a 20-byte header instead of rte_raw_cksum's ten.
 */
static inline uint32_t word32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static inline bool ipv4_sum_ok(const uint8_t *hdr, uint32_t ihl)
{
	/* The header without options, unrolled; options word by word. */
	uint64_t sum = (uint64_t)word32(hdr) + word32(hdr + 4) + word32(hdr + 8) +
		       word32(hdr + 12) + word32(hdr + 16);

	for (uint32_t i = 20; i < ihl; i += 4)
		sum += word32(hdr + i);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static int parse_ipv4(struct rte_mbuf *m, struct pkt_meta *meta)
{
	const uint32_t seg_len = rte_pktmbuf_data_len(m), pkt_len = rte_pktmbuf_pkt_len(m);
	const uint32_t l2 = meta->l2_len;
	const struct rte_ipv4_hdr *ip;
	uint32_t ihl, total, avail;
	uint16_t frag;

	if (seg_len < l2 + sizeof(*ip))
		return -PKT_ERR_TRUNCATED;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	ihl = (ip->version_ihl & 0xf) * 4u;
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || total < ihl)
		return -PKT_ERR_BAD_IP_HEADER;
	if (seg_len < l2 + ihl || pkt_len < l2 + total)
		return -PKT_ERR_TRUNCATED;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_BAD) ||
	    (!(m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_GOOD) &&
	     !ipv4_sum_ok((const uint8_t *)ip, ihl)))
		return -PKT_ERR_BAD_IP_CHECKSUM;
	/* Ethernet pads short frames: the IP length is the truth. */
	if (pkt_len > l2 + total)
		rte_pktmbuf_trim(m, (uint16_t)(pkt_len - (l2 + total)));

	frag = rte_be_to_cpu_16(ip->fragment_offset);
	meta->l3_len = (uint16_t)ihl;
	meta->l4_len = (uint16_t)(total - ihl);
	meta->l4_proto = ip->next_proto_id;
	meta->is_fragment = (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	meta->first_fragment = (frag & RTE_IPV4_HDR_OFFSET_MASK) == 0;
	/* A later fragment has no L4 header; a first one may carry only a
	 * part of it; and headers beyond the first segment are looked at
	 * only as far as it goes. */
	if (!meta->first_fragment)
		return PKT_KIND_IPV4;
	if (meta->is_fragment && seg_len >= l2 + total)
		return PKT_KIND_IPV4;
	avail = RTE_MIN(seg_len - l2, total) - ihl;
	return parse_l4((const uint8_t *)ip + ihl, avail, meta);
}

int pkt_parse(struct rte_mbuf *m, struct pkt_meta *meta)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t type;

	/* Every field parsing owns starts from its default, in one go. */
	*meta = (struct pkt_meta){ .l2_len = sizeof(struct rte_ether_hdr),
				   .first_fragment = true,
				   .in_port = meta->in_port,
				   .out_port = meta->out_port };
	if (rte_pktmbuf_data_len(m) < sizeof(*eth))
		return -PKT_ERR_TRUNCATED;
	type = rte_be_to_cpu_16(eth->ether_type);
	if (type == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*vh))
			return -PKT_ERR_TRUNCATED;
		meta->has_vlan = true;
		meta->vlan_tci = rte_be_to_cpu_16(vh->vlan_tci);
		type = rte_be_to_cpu_16(vh->eth_proto);
		meta->l2_len += sizeof(*vh);
	}
	meta->ether_type = type;
	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		return parse_ipv4(m, meta);
	case RTE_ETHER_TYPE_IPV6:
		return pkt_parse_ipv6(m, meta);
	case RTE_ETHER_TYPE_ARP:
		if (rte_pktmbuf_data_len(m) < meta->l2_len + sizeof(struct rte_arp_hdr))
			return -PKT_ERR_TRUNCATED;
		return PKT_KIND_ARP;
	default:
		return PKT_KIND_OTHER;
	}
}

int pkt_push_ether(struct rte_mbuf *m, const struct rte_ether_addr *src,
		   const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eth =
	    (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, sizeof(struct rte_ether_hdr));

	if (eth == NULL)
		return -ENOSPC;
	rte_ether_addr_copy(src, &eth->src_addr);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	return 0;
}

int pkt_build_arp(struct rte_mbuf *m, uint16_t op, const struct rte_ether_addr *src_mac,
		  const struct rte_ether_addr *dst_mac, rte_be32_t sip,
		  const struct rte_ether_addr *tha, rte_be32_t tip)
{
	struct rte_arp_hdr *arp =
	    (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(struct rte_arp_hdr));

	if (arp == NULL)
		return -ENOSPC;
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(uint32_t);
	arp->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(src_mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = sip;
	rte_ether_addr_copy(tha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = tip;
	return pkt_push_ether(m, src_mac, dst_mac, RTE_ETHER_TYPE_ARP);
}

int pkt_build_icmp_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint16_t mtu,
			 const struct rte_ipv4_hdr *orig_ip, uint32_t orig_len, rte_be32_t src)
{
	const uint32_t ihl = rte_ipv4_hdr_len(orig_ip);
	const uint32_t quote = RTE_MIN(orig_len, ihl + 8);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t *body;

	if (orig_len < ihl)
		return -EINVAL;
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, sizeof(*ip) + sizeof(*icmp) + quote);
	if (ip == NULL)
		return -ENOSPC;
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	body = (uint8_t *)(icmp + 1);

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*icmp) + quote));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = orig_ip->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);

	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* RFC 1191: the next-hop MTU sits in the low half of the "unused" word. */
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(body, orig_ip, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	return 0;
}

int pkt_build_udp(struct rte_mbuf *m, rte_be32_t src, rte_be32_t dst, rte_be16_t sport,
		  rte_be16_t dport, uint8_t ttl, uint16_t ip_id, const void *payload, size_t len)
{
	const size_t total = sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + len;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	if (total > UINT16_MAX)
		return -ENOSPC;
	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)total);
	if (ip == NULL)
		return -ENOSPC;
	udp = (struct rte_udp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)total);
	ip->packet_id = rte_cpu_to_be_16(ip_id);
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = sport;
	udp->dst_port = dport;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	return 0;
}

void pkt_mcast_mac(uint32_t group, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x01;
	mac->addr_bytes[1] = 0x00;
	mac->addr_bytes[2] = 0x5e;
	mac->addr_bytes[3] = (group >> 16) & 0x7f;
	mac->addr_bytes[4] = (group >> 8) & 0xff;
	mac->addr_bytes[5] = group & 0xff;
}
