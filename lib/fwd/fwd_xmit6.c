/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit side for IPv6, as IPVS does it (ip_vs_xmit.c's _v6
 * functions):
 * - DR rewrites the Ethernet addresses only.
 * - NAT rewrites the destination (requests) or the source (replies); IPv6
 *   has no header checksum, the transport's covers the addresses (RFC 1624
 *   updates over the 128 bits).
 * - The hop limit of every forwarded packet is decremented; one that
 *   would reach 0 gets ICMPv6 "time exceeded".
 * - Routers never fragment IPv6 (RFC 8200 5): a packet larger than the
 *   egress MTU gets ICMPv6 Packet Too Big back and is dropped. The outer
 *   header of a tunnel is halb's own, so an outer packet over the MTU whose
 *   inner packet is small is fragmented instead (RFC 2473 7.1), with
 *   rte_ip_frag.
 * - ICMPv6 errors about a connection (destination unreachable, packet too
 *   big, time exceeded, parameter problem) reach its owner worker and go
 *   where the connection goes, their quote translated for NAT and their
 *   checksum (which covers the addresses) made again.
 * The errors halb makes pass the same token bucket as ICMP's.
 */
#include <string.h>

#include <rte_tcp.h>
#include <rte_udp.h>

#include "fwd_internal.h"

static inline bool icmp6_is_error(uint8_t type)
{
	return type >= PKT_ICMP6_DST_UNREACH && type <= PKT_ICMP6_PARAM_PROB;
}

static inline bool is_mcast6(const uint8_t *a)
{
	return a[0] == 0xff;
}

static inline bool is_any6(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static inline bool is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ----------------------------------------------------- ICMPv6 it makes */

void fwd_icmp6_send(struct fwd_worker *w, const struct svc_snapshot *snap, const struct rte_mbuf *m,
		    uint8_t type, uint8_t code, uint32_t param, const uint8_t *src)
{
	const struct pkt_meta *meta = pkt_meta((struct rte_mbuf *)(uintptr_t)m);
	const struct rte_ipv6_hdr *ip =
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta->l2_len);
	const uint8_t *l4 = (const uint8_t *)ip + meta->l3_len;
	struct rte_mbuf *e;

	/* Never about an ICMPv6 error (RFC 4443 2.4 e), a fragment other than
	 * the first, a packet to a group (but Packet Too Big), or to a
	 * source that is nobody or a group. */
	if ((meta->l4_proto == PKT_IPPROTO_ICMPV6 && meta->first_fragment &&
	     icmp6_is_error(l4[0])) ||
	    !meta->first_fragment || is_any6(ip->src_addr) || is_mcast6(ip->src_addr) ||
	    (is_mcast6(ip->dst_addr) && type != PKT_ICMP6_PKT_TOO_BIG))
		return;
	/* A port without a global address answers from its link-local one,
	 * which a host off the link would discard. */
	if (is_link_local6(src) && !is_link_local6(ip->src_addr))
		return;
	e = fwd_icmp_mbuf(w);
	if (e == NULL ||
	    !fwd_icmp_ether(w, e,
			    pkt_build_icmp6_error(e, type, code, param, ip,
						  rte_pktmbuf_data_len(m) - meta->l2_len, src),
			    RTE_ETHER_TYPE_IPV6))
		return;
	*pkt_meta(e) = (struct pkt_meta){ .l2_len = sizeof(struct rte_ether_hdr),
					  .l3_len = sizeof(struct rte_ipv6_hdr),
					  .ether_type = RTE_ETHER_TYPE_IPV6,
					  .l4_proto = PKT_IPPROTO_ICMPV6,
					  .first_fragment = true,
					  .in_port = meta->in_port };
	w->st.icmp_sent++;
	fwd_send_routed6(w, snap, e, ip->src_addr);
}

bool fwd_hop6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);

	if (ip->hop_limits <= 1) {
		fwd_icmp6_send(w, snap, m, PKT_ICMP6_TIME_EXCEED, 0, 0,
			       w->env->ports[meta->in_port].addr6);
		fwd_drop(w, m, FWD_DROP_TTL_EXCEEDED);
		return false;
	}
	ip->hop_limits--;
	return true;
}

bool fwd_fits6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
	       uint32_t len, uint8_t port, const uint8_t *src)
{
	const uint32_t mtu = w->env->ports[port].mtu, inner = fwd_ip_len(m);
	uint32_t report;

	if (len <= mtu)
		return true;
	/* A tunnel's outer packet over the MTU around an inner one no larger
	 * than the minimum MTU is fragmented: the inner one cannot be smaller. */
	if (len > inner && inner <= PKT_IPV6_MIN_MTU)
		return true;
	report = RTE_MAX(mtu - (len - inner), (uint32_t)PKT_IPV6_MIN_MTU);
	fwd_icmp6_send(w, snap, m, PKT_ICMP6_PKT_TOO_BIG, 0, report, src);
	fwd_drop(w, m, FWD_DROP_MTU_EXCEEDED);
	return false;
}

/* ------------------------------------------------------------- sending */

void fwd_send_to6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  uint8_t port, int32_t neigh_slot, const uint8_t *nexthop)
{
	const struct neigh_ip nh = neigh_ip6(nexthop);

	(void)snap;
	fwd_send_nh(w, m, port, neigh_slot, &nh);
}

void fwd_send_routed6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const uint8_t *dst)
{
	uint8_t nexthop[16], port;

	if (route_lookup6(snap->routes, dst, nexthop, &port) != 0) {
		fwd_drop(w, m, FWD_DROP_NO_ROUTE);
		return;
	}
	fwd_send_to6(w, snap, m, port, -1, nexthop);
}

/* ------------------------------------------------------------ methods */

void fwd_xmit_dr6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  const struct svc_rs *rs)
{
	uint8_t vip[16];

	memcpy(vip, fwd_ip6(m, pkt_meta(m))->dst_addr, 16);
	if (!fwd_fits6(w, snap, m, fwd_ip_len(m), rs->out_port, vip) || !fwd_hop6(w, snap, m))
		return;
	fwd_send_to6(w, snap, m, rs->out_port, rs->neigh, rs->nexthop6);
}

/* Rewrites the 128-bit address at addr and the port of a TCP/UDP header at
 * l4, fixing its checksum. */
static void l4_rewrite6(uint8_t proto, void *l4, uint8_t *addr, const uint8_t *new_addr,
			rte_be16_t *port, rte_be16_t new_port)
{
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = l4;

		tcp->cksum = pkt_csum_update128(tcp->cksum, addr, new_addr);
		tcp->cksum = pkt_csum_update16(tcp->cksum, *port, new_port);
	} else {
		struct rte_udp_hdr *udp = l4;

		if (udp->dgram_cksum != 0) {
			rte_be16_t c = pkt_csum_update128(udp->dgram_cksum, addr, new_addr);

			c = pkt_csum_update16(c, *port, new_port);
			udp->dgram_cksum = c == 0 ? 0xffff : c;
		}
	}
	memcpy(addr, new_addr, 16);
	*port = new_port;
}

void fwd_xmit_nat_in6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct svc_rs *rs)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	rte_be16_t *ports = fwd_l4(m, meta);
	uint8_t vip[16];

	memcpy(vip, ip->dst_addr, 16);
	if (!fwd_fits6(w, snap, m, fwd_ip_len(m), rs->out_port, vip) || !fwd_hop6(w, snap, m))
		return;
	l4_rewrite6(meta->l4_proto, ports, ip->dst_addr, rs->addr6, &ports[1], rs->port);
	fwd_send_to6(w, snap, m, rs->out_port, rs->neigh, rs->nexthop6);
}

void fwd_xmit_nat_out6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		       const struct conn *c)
{
	const struct conn6 *c6 = (const struct conn6 *)c;
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
	rte_be16_t *ports = fwd_l4(m, meta);
	uint8_t nexthop[16], port;

	if (route_lookup6(snap->routes, ip->dst_addr, nexthop, &port) != 0) {
		fwd_drop(w, m, FWD_DROP_NO_ROUTE);
		return;
	}
	if (!fwd_fits6(w, snap, m, fwd_ip_len(m), port, w->env->ports[meta->in_port].addr6) ||
	    !fwd_hop6(w, snap, m))
		return;
	l4_rewrite6(meta->l4_proto, ports, ip->src_addr, c6->vaddr, &ports[0], c->vport);
	fwd_send_to6(w, snap, m, port, -1, nexthop);
}

/* ---------------------------------------------------------- ICMPv6 errors */

/* The quoted packet of an ICMPv6 error: where its addresses and ports are. */
struct quote6 {
	struct rte_ipv6_hdr *ip;
	uint8_t proto;
	rte_be16_t *ports;
	uint32_t l4_len; /* bytes of its transport header and payload quoted */
};

/* Rewrites the source (src true) or destination address and port of the
 * quoted packet; its transport checksum too when the quote holds it. */
static void quoted_rewrite6(struct quote6 *q, bool src, const uint8_t *addr, rte_be16_t port)
{
	uint8_t *a = src ? q->ip->src_addr : q->ip->dst_addr;
	rte_be16_t *p = &q->ports[src ? 0 : 1];

	if ((q->proto == IPPROTO_UDP && q->l4_len >= 8) ||
	    (q->proto == IPPROTO_TCP && q->l4_len >= 18)) {
		l4_rewrite6(q->proto, q->ports, a, addr, p, port);
		return;
	}
	memcpy(a, addr, 16);
	*p = port;
}

/* The ICMPv6 checksum of the message at icmp, made again (it covers the
 * outer addresses and the quote). */
static void icmp6_resum(struct rte_ipv6_hdr *ip, uint8_t *icmp, uint32_t len)
{
	rte_be16_t c;

	memset(icmp + 2, 0, 2);
	c = pkt_ipv6_cksum(ip->src_addr, ip->dst_addr, PKT_IPPROTO_ICMPV6, icmp, len);
	memcpy(icmp + 2, &c, 2);
}

/* Finds the quoted TCP/UDP packet of the error m. @return false when there
 * is none halb could translate (the kernel's, then). */
static bool quote_of(struct rte_mbuf *m, struct quote6 *q)
{
	const struct pkt_meta *meta = pkt_meta(m);
	uint8_t *icmp = fwd_l4(m, meta);
	const uint32_t icmp_len = meta->l4_len;
	uint32_t off;

	if (icmp_len < 8 + 40 + 4 || meta->is_fragment ||
	    rte_pktmbuf_data_len(m) < meta->l2_len + meta->l3_len + icmp_len)
		return false;
	q->ip = (struct rte_ipv6_hdr *)(icmp + 8);
	if (pkt_ipv6_upper((const uint8_t *)q->ip, icmp_len - 8, &q->proto, &off) != 0 ||
	    (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP) || off + 4 > icmp_len - 8)
		return false;
	q->ports = (rte_be16_t *)((uint8_t *)q->ip + off);
	q->l4_len = icmp_len - 8 - off;
	return true;
}

/* About a packet that left the VIP towards the client: the real server
 * sent it, so the error goes there. */
static void icmp6_to_rs(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
			const struct conn *c, const struct svc_rs *rs, struct quote6 *q)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);

	if (conn_fwd(c) == CFG_FWD_DR) {
		fwd_xmit_dr6(w, snap, m, rs);
		return;
	}
	if (conn_fwd(c) != CFG_FWD_NAT) {
		fwd_xmit_tun(w, snap, m, rs);
		return;
	}
	if (!fwd_hop6(w, snap, m))
		return;
	memcpy(ip->dst_addr, rs->addr6, 16);
	quoted_rewrite6(q, true, rs->addr6, rs->port);
	icmp6_resum(ip, fwd_l4(m, meta), meta->l4_len);
	fwd_send_to6(w, snap, m, rs->out_port, rs->neigh, rs->nexthop6);
}

/* About a packet halb sent to the real server (NAT): back to the client as
 * if it came from the VIP. */
static void icmp6_to_client(struct fwd_worker *w, const struct svc_snapshot *snap,
			    struct rte_mbuf *m, const struct conn *c, const struct svc_rs *rs,
			    struct quote6 *q)
{
	const struct conn6 *c6 = (const struct conn6 *)c;
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);

	if (!fwd_hop6(w, snap, m))
		return;
	if (memcmp(ip->src_addr, rs->addr6, 16) == 0)
		memcpy(ip->src_addr, c6->vaddr, 16);
	quoted_rewrite6(q, false, c6->vaddr, c->vport);
	icmp6_resum(ip, fwd_l4(m, meta), meta->l4_len);
	fwd_send_routed6(w, snap, m, ip->dst_addr);
}

bool fwd_icmp6_error(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint8_t *icmp = fwd_l4(m, meta);
	const struct svc_rs *rs;
	struct conn_key key;
	struct quote6 q;
	struct conn *c;
	bool redirected;
	uint8_t dir;

	if (meta->l4_proto != PKT_IPPROTO_ICMPV6 || !icmp6_is_error(icmp[0]) || !quote_of(m, &q))
		return false;
	/* The quoted packet went from its source to its destination: the
	 * key of a connection it belongs to is its reverse. */
	key = (struct conn_key){
		.af = 6, .proto = q.proto, .sport = q.ports[1], .dport = q.ports[0]
	};
	memcpy(key.v6.src, q.ip->dst_addr, 16);
	memcpy(key.v6.dst, q.ip->src_addr, 16);
	rs = fwd_icmp_conn(w, snap, m, &key, &c, &dir, &redirected);
	if (redirected)
		return true;
	if (rs == NULL)
		return false;
	/* An error is at most 1280 bytes (RFC 4443 2.4 c), which every IPv6
	 * port carries; a longer one would need cutting, which a router of
	 * IPv6 must not do. */
	if (fwd_ip_len(m) > PKT_IPV6_MIN_MTU) {
		fwd_drop(w, m, FWD_DROP_MTU_EXCEEDED);
		return true;
	}
	if (dir == CONN_DIR_IN)
		icmp6_to_rs(w, snap, m, c, rs, &q);
	else
		icmp6_to_client(w, snap, m, c, rs, &q);
	return true;
}
