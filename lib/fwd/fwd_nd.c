/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What belongs to no connection, for IPv6 (fwd_local.c is IPv4's): VRRP,
 * neighbour discovery, traffic for the director and transit traffic.
 *
 * Neighbour discovery (RFC 4861) is done here as ARP is:
 * - a neighbour solicitation for one of the director's addresses on the
 *   port it came in on (its own, its link-local, the VIPs it holds) is
 *   answered here with a neighbour advert (solicited, override, router);
 *   a duplicate address detection probe (from ::) gets its answer on the
 *   all-nodes group;
 * - what a solicitation's source link-layer option or an advert says about
 *   a neighbour halb knows goes to the control core as a small record
 *   (fwd_learn), through the learning bucket; a stranger creates nothing;
 * - adverts addressed to the director (answers to the kernel's own
 *   solicitations, health checks go through it) and unsolicited ones reach
 *   the kernel through the ARP bucket;
 * - every message is checked first as RFC 4861 7.1 asks (hop limit 255,
 *   code 0, length, checksum, options), else counted as bad_nd;
 * - router adverts are counted and dropped (ra_ignored): a director takes
 *   its routes from the dataplane file, and the TAP does not listen
 *   either; router solicitations and redirects are nobody's business here.
 * Frames a port sent itself (af_packet sees them again) are ignored.
 * MLD reaches the kernel, which keeps the TAP's memberships (the VRRP
 * group's too, joined on the TAP by the control core).
 */
#include <string.h>

#include "fwd_internal.h"

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

static inline bool is_mcast6(const uint8_t *a)
{
	return a[0] == 0xff;
}

/* An IPv4-mapped address (::ffff:0:0/96): never on the wire (RFC 4291
 * 2.5.5.2), and the neighbour table's key of an IPv4 neighbour, which an
 * advert for it would overwrite. */
static inline bool is_mapped6(const uint8_t *a)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

static inline bool is_any6(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* ------------------------------------------------------------------ VRRP */

/* A multicast advert must carry hop limit 255 (RFC 5798 5.1.2.3, a router
 * would have decremented it); a unicast one must come from a peer. */
static void fwd_vrrp6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct rte_ipv6_hdr *ip)
{
	if (is_mcast6(ip->dst_addr)) {
		if (ip->hop_limits != 255) {
			fwd_drop(w, m, FWD_DROP_VRRP_BAD_TTL);
			return;
		}
	} else if (!(svc_addr_flags6(snap, ip->src_addr) & SVC_AF_TRUSTED)) {
		fwd_drop(w, m, FWD_DROP_VRRP_UNTRUSTED);
		return;
	}
	fwd_to_control_prio(w, m, PKT_CTL_VRRP);
}

/* ------------------------------------------------- neighbour discovery */

/* The link-layer address option of type want in the len bytes of options
 * at opt, or NULL; false when the options are malformed (RFC 4861 4.6: no
 * option of length 0, none past the message). */
static bool nd_options(const uint8_t *opt, uint32_t len, uint8_t want,
		       const struct rte_ether_addr **lla)
{
	*lla = NULL;
	while (len > 0) {
		uint32_t olen;

		if (len < 2 || opt[1] == 0 || (uint32_t)opt[1] * 8 > len)
			return false;
		olen = (uint32_t)opt[1] * 8;
		if (opt[0] == want && olen == 8)
			*lla = (const struct rte_ether_addr *)(opt + 2);
		opt += olen;
		len -= olen;
	}
	return true;
}

/* The smallest message of each type halb reads. */
static uint32_t nd_min_len(uint8_t type)
{
	switch (type) {
	case PKT_ICMP6_RS:
		return 8;
	case PKT_ICMP6_RA:
		return 16;
	case PKT_ICMP6_REDIRECT:
		return 40;
	default:
		return 24; /* NS, NA */
	}
}

/* RFC 4861 7.1: what every message must be before anything is read from
 * it. */
static bool nd_valid(struct rte_mbuf *m, const struct rte_ipv6_hdr *ip, const uint8_t *nd,
		     uint32_t len)
{
	const struct pkt_meta *meta = pkt_meta(m);

	return ip->hop_limits == 255 && nd[1] == 0 && len >= nd_min_len(nd[0]) &&
	       rte_pktmbuf_data_len(m) >= meta->l2_len + meta->l3_len + len &&
	       pkt_ipv6_cksum_ok(ip->src_addr, ip->dst_addr, PKT_IPPROTO_ICMPV6, nd, len);
}

/* Whether target is one of the director's addresses on port in_port: its
 * own (the link-local among them) or a VIP it holds. */
static bool nd_ours(const struct svc_snapshot *snap, const uint8_t *target, uint8_t in_port)
{
	uint8_t port, flags = svc_addr_info6(snap, target, &port);

	return ((flags & SVC_AF_LOCAL) ||
		(flags & (SVC_AF_VIP | SVC_AF_OWNED)) == (SVC_AF_VIP | SVC_AF_OWNED)) &&
	       (port == in_port || port == SVC_PORT_ANY);
}

/* Turns the solicitation m into its answer, in place: target is at the
 * port's MAC. A probe from :: is answered on the all-nodes group. */
static void nd_answer(struct fwd_worker *w, struct rte_mbuf *m, bool solicited)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ether_addr *mac = &w->env->ports[meta->in_port].mac;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	const uint32_t want = meta->l2_len + sizeof(*ip) + PKT_ND_LEN;
	const uint32_t have = rte_pktmbuf_pkt_len(m);
	uint8_t target[16], dst[16];

	memcpy(target, (const uint8_t *)fwd_l4(m, meta) + 8, 16);
	memcpy(dst, solicited ? ip->src_addr : all_nodes, 16);
	if (have < want && rte_pktmbuf_append(m, (uint16_t)(want - have)) == NULL) {
		fwd_drop(w, m, FWD_DROP_NO_MBUF);
		return;
	}
	if (have > want)
		rte_pktmbuf_trim(m, (uint16_t)(have - want));
	if (solicited)
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	else
		pkt_mcast_mac6(all_nodes, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	pkt_nd_write(ip, PKT_ICMP6_NA,
		     PKT_NA_ROUTER | PKT_NA_OVERRIDE | (solicited ? PKT_NA_SOLICITED : 0), target,
		     dst, target, mac);
	w->st.nd_replies++;
	fwd_tx(w, meta->in_port, m);
}

static void nd_solicitation(struct fwd_worker *w, const struct svc_snapshot *snap,
			    struct rte_mbuf *m, const uint8_t *nd, uint32_t len)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	const uint8_t *target = nd + 8;
	const bool dad = is_any6(ip->src_addr);
	const struct rte_ether_addr *slla;
	uint8_t group[16];

	pkt_solicited_node(target, group);
	if (!nd_options(nd + 24, len - 24, 1, &slla) || is_mcast6(target) || is_mapped6(target) ||
	    is_mapped6(ip->src_addr) ||
	    (dad && (slla != NULL || memcmp(ip->dst_addr, group, 16) != 0))) {
		fwd_drop(w, m, FWD_DROP_BAD_ND);
		return;
	}
	if (slla != NULL && !dad && rte_is_unicast_ether_addr(slla) &&
	    !(svc_addr_flags6(snap, ip->src_addr) & (SVC_AF_LOCAL | SVC_AF_OWNED))) {
		const struct neigh_ip src = neigh_ip6(ip->src_addr);

		fwd_learn(w, &src, slla, meta->in_port, true);
	}
	if (nd_ours(snap, target, meta->in_port)) {
		nd_answer(w, m, !dad);
		return;
	}
	fwd_drop(w, m, FWD_DROP_ND_IGNORED);
}

static void nd_advert(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const uint8_t *nd, uint32_t len)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	const uint8_t *target = nd + 8;
	const struct rte_ether_addr *tlla;
	uint8_t dst_flags = svc_addr_flags6(snap, ip->dst_addr);

	if (!nd_options(nd + 24, len - 24, 2, &tlla) || is_mcast6(target) || is_mapped6(target) ||
	    (is_mcast6(ip->dst_addr) && (nd[4] & PKT_NA_SOLICITED))) {
		fwd_drop(w, m, FWD_DROP_BAD_ND);
		return;
	}
	/* A solicited answer to a unicast solicitation may leave the option
	 * out: the sender's address then (a multicast advert must carry it) */
	if (tlla == NULL && !is_mcast6(ip->dst_addr))
		tlla = &rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->src_addr;
	if (tlla != NULL && rte_is_unicast_ether_addr(tlla) &&
	    !(svc_addr_flags6(snap, target) & (SVC_AF_LOCAL | SVC_AF_OWNED))) {
		const struct neigh_ip t = neigh_ip6(target);

		fwd_learn(w, &t, tlla, meta->in_port, nd[4] & PKT_NA_OVERRIDE);
	}
	/* An answer to the kernel's own solicitation, or an unsolicited
	 * advert: the kernel keeps its neighbours too. */
	if (is_mcast6(ip->dst_addr) || (dst_flags & (SVC_AF_LOCAL | SVC_AF_OWNED))) {
		fwd_to_control(w, m, PKT_CTL_KERNEL, FWD_POL_ARP, FWD_DROP_ND_POLICED);
		return;
	}
	fwd_drop(w, m, FWD_DROP_ND_IGNORED);
}

static bool is_nd(uint8_t type)
{
	return type >= PKT_ICMP6_RS && type <= PKT_ICMP6_REDIRECT;
}

static void fwd_nd(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const uint8_t *nd = fwd_l4(m, meta);
	const uint32_t len = meta->l4_len;

	if (!nd_valid(m, ip, nd, len)) {
		fwd_drop(w, m, FWD_DROP_BAD_ND);
		return;
	}
	if (rte_is_same_ether_addr(&eth->src_addr, &w->env->ports[meta->in_port].mac)) {
		fwd_drop(w, m, FWD_DROP_ND_IGNORED); /* our own, seen again */
		return;
	}
	switch (nd[0]) {
	case PKT_ICMP6_NS:
		nd_solicitation(w, snap, m, nd, len);
		break;
	case PKT_ICMP6_NA:
		nd_advert(w, snap, m, nd, len);
		break;
	case PKT_ICMP6_RA:
		fwd_drop(w, m, FWD_DROP_RA_IGNORED);
		break;
	default: /* router solicitations, redirects */
		fwd_drop(w, m, FWD_DROP_ND_IGNORED);
		break;
	}
}

/* ------------------------------------------------------------------ local */

void fwd_local6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	uint8_t flags;

	if (meta->l4_proto == PKT_IPPROTO_VRRP && !meta->is_fragment) {
		fwd_vrrp6(w, snap, m, ip);
		return;
	}
	if (meta->l4_proto == PKT_IPPROTO_ICMPV6 && !meta->is_fragment) {
		const uint8_t type = *(const uint8_t *)fwd_l4(m, meta);

		if (is_nd(type)) {
			fwd_nd(w, snap, m);
			return;
		}
		if (fwd_icmp6_error(w, snap, m))
			return;
	}
	if (is_mcast6(ip->dst_addr)) {
		fwd_to_kernel(w, snap, m);
		return;
	}
	flags = svc_addr_flags6(snap, ip->dst_addr);
	/* A VIP that is not the packet's last stop is not served. */
	if (meta->v6_routed && (flags & SVC_AF_SERVICE)) {
		fwd_drop(w, m, FWD_DROP_IPV6_ROUTING);
		return;
	}
	fwd_local_rest(w, snap, m, flags);
}
