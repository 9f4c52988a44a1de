/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6: parsing with the extension headers, the pseudo-header checksum, and
 * the frames halb makes for neighbour discovery and ICMPv6 errors.
 *
 * The extension header chain (RFC 8200 4) is walked once, bounded: at most
 * PKT_IPV6_EXT_MAX headers and PKT_IPV6_CHAIN_MAX bytes of them, all within
 * the first segment and the payload length, else the packet is refused
 * under a reason of its own, so a hostile chain costs a few loads and a
 * counter. What the walk enforces, after RFC 8200 and RFC 7112:
 * - Hop-by-Hop Options only right after the IPv6 header;
 * - one Fragment header; a first fragment must hold the whole header chain
 *   (RFC 7112), a later one is a fragment with no upper-layer header; an
 *   atomic fragment (offset 0, no more fragments, RFC 6946) is a whole
 *   packet;
 * - a Routing header with segments left marks the packet (v6_routed): its
 *   destination is not its final one, so halb never serves it; type 0
 *   (deprecated by RFC 5095) with segments left is malformed outright.
 * ESP, No Next Header and anything the walk does not know end it: that is
 * the upper layer as far as halb is concerned (the kernel's business).
 */
#include <errno.h>
#include <string.h>

#include <rte_icmp.h>

#include "halb_pkt.h"

#define EXT_HOPOPTS  0
#define EXT_ROUTING  43
#define EXT_FRAGMENT 44
#define EXT_AH       51
#define EXT_DSTOPTS  60

/* One extension header's length, or 0 when nh is not one the walk steps
 * over. p holds at least 2 bytes. */
static uint32_t ext_len(uint8_t nh, const uint8_t *p)
{
	switch (nh) {
	case EXT_HOPOPTS:
	case EXT_ROUTING:
	case EXT_DSTOPTS:
		return ((uint32_t)p[1] + 1) * 8;
	case EXT_FRAGMENT:
		return 8;
	case EXT_AH:
		return ((uint32_t)p[1] + 2) * 4;
	default:
		return 0;
	}
}

/* What a walk of the chain found. */
struct chain {
	uint32_t off; /* bytes of extension headers */
	uint8_t proto;
	bool is_fragment, first_fragment, routed;
};

/* A Fragment header at p. @return 0, or -PKT_ERR_BAD_IPV6_EXT for a
 * second one. */
static int ext_fragment(const uint8_t *p, struct chain *c, bool *seen)
{
	uint16_t off_m = (uint16_t)(p[2] << 8 | p[3]);
	uint16_t offset = off_m & 0xfff8;
	bool more = off_m & 1;

	if (*seen)
		return -PKT_ERR_BAD_IPV6_EXT;
	*seen = true;
	/* an atomic fragment is a whole packet (RFC 6946) */
	c->is_fragment = offset != 0 || more;
	c->first_fragment = offset == 0;
	return 0;
}

/* A Routing header at p (its 4 first bytes): segments left. */
static int ext_routing(const uint8_t *p, struct chain *c)
{
	if (p[3] == 0)
		return 0;
	if (p[2] == 0)
		return -PKT_ERR_BAD_IPV6_EXT; /* RFC 5095: type 0 is gone */
	c->routed = true;
	return 0;
}

static bool is_ext(uint8_t nh)
{
	return nh == EXT_HOPOPTS || nh == EXT_ROUTING || nh == EXT_FRAGMENT || nh == EXT_AH ||
	       nh == EXT_DSTOPTS;
}

/* Walks the chain of the IPv6 header at ip (payload plen bytes, avail
 * bytes readable after the fixed header). */
static int chain_walk(const uint8_t *ip, uint32_t plen, uint32_t avail, struct chain *c)
{
	unsigned int count = 0;
	bool frag = false;
	int rc;

	*c = (struct chain){ .proto = ip[6], .first_fragment = true };
	while (is_ext(c->proto)) {
		const uint8_t *p = ip + 40 + c->off;
		uint32_t len;

		if (c->proto == EXT_HOPOPTS && c->off != 0)
			return -PKT_ERR_BAD_IPV6_EXT;
		if (++count > PKT_IPV6_EXT_MAX)
			return -PKT_ERR_IPV6_EXT_CHAIN;
		if (c->off + 8 > plen || c->off + 8 > avail)
			return -PKT_ERR_TRUNCATED;
		len = ext_len(c->proto, p);
		if (c->off + len > PKT_IPV6_CHAIN_MAX)
			return -PKT_ERR_IPV6_EXT_CHAIN;
		if (c->off + len > plen || c->off + len > avail)
			return -PKT_ERR_TRUNCATED;
		if (c->proto == EXT_FRAGMENT)
			rc = ext_fragment(p, c, &frag);
		else if (c->proto == EXT_ROUTING)
			rc = ext_routing(p, c);
		else
			rc = 0;
		if (rc != 0)
			return rc;
		c->proto = p[0];
		c->off += len;
		/* a later fragment: what follows is the middle of a payload */
		if (!c->first_fragment)
			break;
	}
	return 0;
}

int pkt_ipv6_upper(const uint8_t *ip, uint32_t avail, uint8_t *proto, uint32_t *off)
{
	struct chain c;

	if (avail < 40 || (ip[0] >> 4) != 6 ||
	    chain_walk(ip, (uint32_t)(ip[4] << 8 | ip[5]), avail - 40, &c) != 0 ||
	    !c.first_fragment)
		return -1;
	*proto = c.proto;
	*off = 40 + c.off;
	return 0;
}

int pkt_parse_ipv6(struct rte_mbuf *m, struct pkt_meta *meta)
{
	const uint32_t seg_len = rte_pktmbuf_data_len(m), pkt_len = rte_pktmbuf_pkt_len(m);
	const uint32_t l2 = meta->l2_len;
	const uint8_t *ip;
	uint32_t plen, avail;
	struct chain c;
	int rc;

	if (seg_len < l2 + 40)
		return -PKT_ERR_TRUNCATED;
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, l2);
	plen = (uint32_t)(ip[4] << 8 | ip[5]);
	/* a jumbogram (payload length 0) is refused: no link of halb's has it */
	if ((ip[0] >> 4) != 6 || plen == 0)
		return -PKT_ERR_BAD_IP_HEADER;
	if (pkt_len < l2 + 40 + plen)
		return -PKT_ERR_TRUNCATED;
	if (pkt_len > l2 + 40 + plen)
		rte_pktmbuf_trim(m, (uint16_t)(pkt_len - (l2 + 40 + plen)));
	avail = RTE_MIN(seg_len - l2 - 40, plen);
	rc = chain_walk(ip, plen, avail, &c);
	if (rc != 0)
		return rc;
	meta->l3_len = (uint16_t)(40 + c.off);
	meta->l4_proto = c.proto;
	meta->is_fragment = c.is_fragment;
	meta->first_fragment = c.first_fragment;
	meta->v6_routed = c.routed;
	meta->l4_len = (uint16_t)(40 + plen - meta->l3_len);
	if (!meta->first_fragment)
		return PKT_KIND_IPV6;
	/* RFC 7112: a first fragment holds the whole chain; its upper-layer
	 * header is looked at only when whole, as for IPv4. */
	if (meta->is_fragment && avail >= plen)
		return PKT_KIND_IPV6;
	rc = pkt_parse_l4(ip + meta->l3_len, avail + 40 - meta->l3_len, meta);
	return rc != 0 ? rc : PKT_KIND_IPV6;
}

/* ------------------------------------------------------------ checksums */

uint32_t pkt_ipv6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint32_t len, uint8_t proto)
{
	uint32_t sum = 0;

	for (int i = 0; i < 16; i += 2) {
		sum += (uint32_t)(src[i] << 8 | src[i + 1]);
		sum += (uint32_t)(dst[i] << 8 | dst[i + 1]);
	}
	sum += (len >> 16) + (len & 0xffff) + proto;
	return sum;
}

/* The RFC 1071 sum of p, as big-endian words, added to sum. */
static uint32_t sum_be(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t raw = rte_raw_cksum(p, len); /* in memory order */

	return sum + rte_be_to_cpu_16((uint16_t)raw);
}

uint16_t pkt_ipv6_cksum(const uint8_t *src, const uint8_t *dst, uint8_t proto, const void *l4,
			uint32_t len)
{
	uint32_t sum = sum_be(pkt_ipv6_pseudo_sum(src, dst, len, proto), l4, len);
	uint16_t c = (uint16_t)~pkt_csum_fold(sum);

	/* UDP over IPv6 must carry a checksum: a computed zero is all ones */
	if (c == 0 && proto == IPPROTO_UDP)
		c = 0xffff;
	return rte_cpu_to_be_16(c);
}

bool pkt_ipv6_cksum_ok(const uint8_t *src, const uint8_t *dst, uint8_t proto, const void *l4,
		       uint32_t len)
{
	uint32_t sum = sum_be(pkt_ipv6_pseudo_sum(src, dst, len, proto), l4, len);

	return pkt_csum_fold(sum) == 0xffff;
}

/* ------------------------------------------------------------- builders */

void pkt_mcast_mac6(const uint8_t *group, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x33;
	mac->addr_bytes[1] = 0x33;
	memcpy(&mac->addr_bytes[2], group + 12, 4);
}

void pkt_link_local(const struct rte_ether_addr *mac, uint8_t *out)
{
	const uint8_t *m = mac->addr_bytes;

	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	out[8] = m[0] ^ 0x02;
	out[9] = m[1];
	out[10] = m[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	out[13] = m[3];
	out[14] = m[4];
	out[15] = m[5];
}

void pkt_solicited_node(const uint8_t *a, uint8_t *group)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(group, prefix, sizeof(prefix));
	memcpy(group + 13, a + 13, 3);
}

void pkt_ipv6_hdr(struct rte_ipv6_hdr *ip, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		  uint16_t payload_len, uint8_t hop_limit)
{
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limits = hop_limit;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
}

void pkt_nd_write(void *at, uint8_t type, uint8_t flags, const uint8_t *src, const uint8_t *dst,
		  const uint8_t *target, const struct rte_ether_addr *mac)
{
	const uint16_t len = PKT_ND_LEN;
	struct rte_ipv6_hdr *ip = at;
	uint8_t *nd = (uint8_t *)(ip + 1), t[16];
	rte_be16_t csum;

	memcpy(t, target, 16); /* it may lie where the message goes */
	pkt_ipv6_hdr(ip, src, dst, PKT_IPPROTO_ICMPV6, len, 255);
	memset(nd, 0, len);
	nd[0] = type;
	nd[4] = flags;
	memcpy(nd + 8, t, 16);
	nd[24] = type == PKT_ICMP6_NS ? 1 : 2; /* source / target link-layer address */
	nd[25] = 1;                            /* 8 bytes */
	memcpy(nd + 26, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	csum = pkt_ipv6_cksum(ip->src_addr, ip->dst_addr, PKT_IPPROTO_ICMPV6, nd, len);
	memcpy(nd + 2, &csum, 2);
}

/* An NS or NA appended to the empty m. */
static int build_nd(struct rte_mbuf *m, uint8_t type, uint8_t flags, const uint8_t *src,
		    const uint8_t *dst, const uint8_t *target, const struct rte_ether_addr *mac)
{
	void *ip = rte_pktmbuf_append(m, sizeof(struct rte_ipv6_hdr) + PKT_ND_LEN);

	if (ip == NULL)
		return -ENOSPC;
	pkt_nd_write(ip, type, flags, src, dst, target, mac);
	return 0;
}

int pkt_build_ns(struct rte_mbuf *m, const struct rte_ether_addr *src_mac, const uint8_t *src,
		 const uint8_t *dst, const struct rte_ether_addr *dst_mac, const uint8_t *target)
{
	struct rte_ether_addr group;
	int rc = build_nd(m, PKT_ICMP6_NS, 0, src, dst, target, src_mac);

	if (rc != 0)
		return rc;
	if (dst_mac == NULL) {
		pkt_mcast_mac6(dst, &group);
		dst_mac = &group;
	}
	return pkt_push_ether(m, src_mac, dst_mac, RTE_ETHER_TYPE_IPV6);
}

int pkt_build_na(struct rte_mbuf *m, const struct rte_ether_addr *mac,
		 const struct rte_ether_addr *dst_mac, const uint8_t *src, const uint8_t *dst,
		 const uint8_t *target, uint8_t flags)
{
	int rc = build_nd(m, PKT_ICMP6_NA, flags, src, dst, target, mac);

	if (rc != 0)
		return rc;
	return pkt_push_ether(m, mac, dst_mac, RTE_ETHER_TYPE_IPV6);
}

int pkt_build_icmp6_error(struct rte_mbuf *m, uint8_t type, uint8_t code, uint32_t param,
			  const struct rte_ipv6_hdr *orig, uint32_t orig_len, const uint8_t *src)
{
	const uint32_t quote = RTE_MIN(orig_len, (uint32_t)PKT_IPV6_MIN_MTU - 40 - 8);
	struct rte_ipv6_hdr *ip;
	rte_be32_t word = rte_cpu_to_be_32(param);
	rte_be16_t csum;
	uint8_t *icmp;

	if (orig_len < sizeof(*orig))
		return -EINVAL;
	ip = (struct rte_ipv6_hdr *)rte_pktmbuf_append(m, (uint16_t)(40 + 8 + quote));
	if (ip == NULL)
		return -ENOSPC;
	pkt_ipv6_hdr(ip, src, orig->src_addr, PKT_IPPROTO_ICMPV6, (uint16_t)(8 + quote), 64);
	icmp = (uint8_t *)(ip + 1);
	icmp[0] = type;
	icmp[1] = code;
	icmp[2] = icmp[3] = 0;
	memcpy(icmp + 4, &word, 4);
	memcpy(icmp + 8, orig, quote);
	csum = pkt_ipv6_cksum(src, orig->src_addr, PKT_IPPROTO_ICMPV6, icmp, 8 + quote);
	memcpy(icmp + 2, &csum, 2);
	return 0;
}
