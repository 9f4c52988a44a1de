/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transmit side of each forwarding method for IPv4, as IPVS does it
 * (IPv6: fwd_xmit6.c; TUN, both families: fwd_tun.c):
 * - DR rewrites the Ethernet addresses; the IP packet keeps its addresses.
 * - NAT rewrites the destination (requests) or the source (replies) with
 *   incremental checksum updates.
 * - Every forwarded packet's TTL is decremented, as current IPVS does; one
 *   that would reach 0 gets ICMP "time exceeded".
 * - A packet larger than the egress port's MTU gets ICMP "fragmentation
 *   needed" when DF is set, and is fragmented otherwise (for TUN, the outer
 *   packet; rte_ip_frag does the cutting).
 * - ICMP errors about a connection are sent where the connection goes, with
 *   the quoted header translated for NAT, after the connection's owner got
 *   them.
 * The ICMP errors halb makes pass a token bucket.
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip_frag.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "fwd_internal.h"

#define FRAGS_MAX 48 /* fragments of one frame: 64 KiB over a 1280-byte MTU */

static bool icmp_is_error(uint8_t type)
{
	return type == PKT_ICMP_DEST_UNREACH || type == PKT_ICMP_SOURCE_QUENCH ||
	       type == PKT_ICMP_TIME_EXCEEDED || type == PKT_ICMP_PARAM_PROBLEM;
}

static inline bool ip_df(const struct rte_ipv4_hdr *ip)
{
	return (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
}

/* ------------------------------------------------------ ICMP it makes */

struct rte_mbuf *fwd_icmp_mbuf(struct fwd_worker *w)
{
	struct rte_mbuf *e;

	if (!fwd_police(w, FWD_POL_ICMP)) {
		w->st.icmp_limited++;
		return NULL;
	}
	e = rte_pktmbuf_alloc(w->pool);
	if (e == NULL) {
		w->st.drops[FWD_DROP_NO_MBUF]++;
		return NULL;
	}
	rte_pktmbuf_reset_headroom(e);
	return e;
}

bool fwd_icmp_ether(struct fwd_worker *w, struct rte_mbuf *e, int built, uint16_t ether_type)
{
	if (built != 0 || rte_pktmbuf_prepend(e, sizeof(struct rte_ether_hdr)) == NULL) {
		rte_pktmbuf_free(e);
		w->st.drops[FWD_DROP_NO_MBUF]++;
		return false;
	}
	rte_pktmbuf_mtod(e, struct rte_ether_hdr *)->ether_type = rte_cpu_to_be_16(ether_type);
	return true;
}

void fwd_icmp_send(struct fwd_worker *w, const struct svc_snapshot *snap, const struct rte_mbuf *m,
		   uint8_t type, uint8_t code, uint16_t mtu, rte_be32_t src)
{
	const struct pkt_meta *meta = pkt_meta((struct rte_mbuf *)(uintptr_t)m);
	const struct rte_ipv4_hdr *ip =
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l2_len);
	const struct rte_icmp_hdr *icmp =
	    (const struct rte_icmp_hdr *)((const uint8_t *)ip + meta->l3_len);
	uint32_t dst = rte_be_to_cpu_32(ip->src_addr);
	struct rte_mbuf *e;

	/* Never about an ICMP error (RFC 1122 3.2.2), a fragment other than
	 * the first, or to a group or nobody. */
	if ((meta->l4_proto == IPPROTO_ICMP && icmp_is_error(icmp->icmp_type)) ||
	    !meta->first_fragment || dst == 0 || (dst >> 28) >= 0xe)
		return;
	e = fwd_icmp_mbuf(w);
	if (e == NULL ||
	    !fwd_icmp_ether(w, e,
			    pkt_build_icmp_error(e, type, code, mtu, ip,
						 rte_pktmbuf_data_len(m) - meta->l2_len, src),
			    RTE_ETHER_TYPE_IPV4))
		return;
	pkt_meta(e)->l2_len = sizeof(struct rte_ether_hdr);
	pkt_meta(e)->l3_len = sizeof(struct rte_ipv4_hdr);
	pkt_meta(e)->in_port = meta->in_port;
	w->st.icmp_sent++;
	fwd_send_routed(w, snap, e, ip->src_addr);
}

bool fwd_ttl(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv4_hdr *ip = fwd_ip(m, meta);
	rte_be16_t old, new_;

	if (ip->time_to_live <= 1) {
		fwd_icmp_send(w, snap, m, PKT_ICMP_TIME_EXCEEDED, 0, 0,
			      w->env->ports[meta->in_port].addr);
		fwd_drop(w, m, FWD_DROP_TTL_EXCEEDED);
		return false;
	}
	/* TTL and protocol share one 16-bit word of the checksum. */
	memcpy(&old, &ip->time_to_live, sizeof(old));
	ip->time_to_live--;
	memcpy(&new_, &ip->time_to_live, sizeof(new_));
	ip->hdr_checksum = pkt_csum_update16(ip->hdr_checksum, old, new_);
	return true;
}

bool fwd_fits4_over(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		    uint32_t len, uint8_t port, rte_be32_t src)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint16_t mtu = w->env->ports[port].mtu;

	if (!ip_df(fwd_ip(m, meta)))
		return true;
	fwd_icmp_send(w, snap, m, PKT_ICMP_DEST_UNREACH, PKT_ICMP_FRAG_NEEDED,
		      (uint16_t)(mtu - (len - (rte_pktmbuf_pkt_len(m) - meta->l2_len))), src);
	fwd_drop(w, m, FWD_DROP_MTU_EXCEEDED);
	return false;
}

/* ------------------------------------------------------------- sending */

#define FRAG_ID_MASK ((1u << 26) - 1) /* the counter under the worker's bits */

void fwd_send_frame(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
		    const struct neigh_ip *nh)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct pkt_meta *meta = pkt_meta(m);
	struct rte_ether_addr mac;
	uint8_t nport;

	rte_ether_addr_copy(&w->env->ports[port].mac, &eth->src_addr);
	if (neigh_slot < 0)
		neigh_slot = neigh_find(w->env->neigh, nh);
	if (neigh_slot >= 0 && neigh_slot_get(w->env->neigh, (uint32_t)neigh_slot, &mac, &nport)) {
		rte_ether_addr_copy(&mac, &eth->dst_addr);
		w->st.forwarded++;
		fwd_tx(w, port, m);
		return;
	}
	/* The control core resolves nexthop, then sends the frame itself. */
	meta->out_port = port;
	memcpy(meta->nexthop, nh->b, sizeof(meta->nexthop));
	fwd_to_control(w, m, PKT_CTL_RESOLVE, FWD_POL_RESOLVE, FWD_DROP_RESOLVE_POLICED);
}

void fwd_ip_cksum(const struct fwd_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		  uint8_t port, uint8_t l2_len)
{
	ip->hdr_checksum = 0;
	if (w->env->ports[port].ip_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		m->l2_len = l2_len;
		m->l3_len = (uint16_t)rte_ipv4_hdr_len(ip);
		return;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

void fwd_send_fragments(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
			const struct neigh_ip *nh)
{
	const bool v6 = fwd_is_v6(pkt_meta(m));
	const struct pkt_meta meta = *pkt_meta(m);
	struct rte_mbuf *frags[FRAGS_MAX];
	uint8_t l2[RTE_ETHER_HDR_LEN + 4];
	int32_t n;

	memcpy(l2, rte_pktmbuf_mtod(m, void *), meta.l2_len);
	rte_pktmbuf_adj(m, meta.l2_len);
	n = w->indirect == NULL ? -1
	    : v6 ? rte_ipv6_fragment_packet(m, frags, FRAGS_MAX, w->env->ports[port].mtu, w->pool,
					    w->indirect)
		 : rte_ipv4_fragment_packet(m, frags, FRAGS_MAX, w->env->ports[port].mtu, w->pool,
					    w->indirect);
	rte_pktmbuf_free(m); /* the fragments hold what they need of it */
	if (n < 0) {
		w->st.drops[FWD_DROP_MTU_EXCEEDED]++;
		w->st.dropped++;
		return;
	}
	for (int32_t i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);
		uint8_t *p;

		p = (uint8_t *)rte_pktmbuf_prepend(frags[i], meta.l2_len);
		if (p == NULL) {
			rte_pktmbuf_free(frags[i]);
			w->st.drops[FWD_DROP_NO_MBUF]++;
			w->st.dropped++;
			continue;
		}
		/* rte_ip_frag leaves the sum to a NIC offload (IPv6 has none),
		 * and every IPv6 fragment's id at 0: the worker's series */
		if (!v6)
			fwd_ip_cksum(w, frags[i], ip, port, meta.l2_len);
		else
			((struct rte_ipv6_fragment_ext *)((uint8_t *)ip +
							  sizeof(struct rte_ipv6_hdr)))
			    ->id = rte_cpu_to_be_32(w->frag_id);
		memcpy(p, l2, meta.l2_len);
		*pkt_meta(frags[i]) = meta;
		pkt_meta(frags[i])->is_fragment = true;
		w->st.fragments++;
		fwd_send_frame(w, frags[i], port, neigh_slot, nh);
	}
	if (v6) /* the next packet's id, in the worker's series */
		w->frag_id = (w->frag_id & ~FRAG_ID_MASK) | ((w->frag_id + 1) & FRAG_ID_MASK);
}

void fwd_send_routed(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     rte_be32_t dst)
{
	rte_be32_t nexthop;
	uint8_t port;

	if (route_lookup(snap->routes, dst, &nexthop, &port) != 0) {
		fwd_drop(w, m, FWD_DROP_NO_ROUTE);
		return;
	}
	fwd_send_to(w, snap, m, port, -1, nexthop);
}

/* ------------------------------------------------------------ methods */

void fwd_xmit_dr(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		 const struct svc_rs *rs)
{
	const rte_be32_t vip = fwd_ip(m, pkt_meta(m))->dst_addr;

	if (!fwd_fits4(w, snap, m, fwd_ip_len(m), rs->out_port, vip) || !fwd_ttl(w, snap, m))
		return;
	fwd_send_to(w, snap, m, rs->out_port, rs->neigh, rs->nexthop);
}

/* Rewrites an address and port of a TCP/UDP header, fixing its checksum. */
static void l4_rewrite(uint8_t proto, void *l4, rte_be32_t old_addr, rte_be32_t new_addr,
		       rte_be16_t *port, rte_be16_t new_port)
{
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = l4;

		tcp->cksum = pkt_csum_update32(tcp->cksum, old_addr, new_addr);
		tcp->cksum = pkt_csum_update16(tcp->cksum, *port, new_port);
	} else {
		struct rte_udp_hdr *udp = l4;

		udp->dgram_cksum = pkt_udp_csum_update32(udp->dgram_cksum, old_addr, new_addr);
		udp->dgram_cksum = pkt_udp_csum_update16(udp->dgram_cksum, *port, new_port);
	}
	*port = new_port;
}

void fwd_xmit_nat_in(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     const struct svc_rs *rs)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv4_hdr *ip = fwd_ip(m, meta);
	rte_be16_t *ports = fwd_l4(m, meta);
	rte_be32_t old = ip->dst_addr;

	if (!fwd_fits4(w, snap, m, fwd_ip_len(m), rs->out_port, old) || !fwd_ttl(w, snap, m))
		return;
	ip->hdr_checksum = pkt_csum_update32(ip->hdr_checksum, old, rs->addr);
	ip->dst_addr = rs->addr;
	l4_rewrite(meta->l4_proto, ports, old, rs->addr, &ports[1], rs->port);
	fwd_send_to(w, snap, m, rs->out_port, rs->neigh, rs->nexthop);
}

void fwd_xmit_nat_out(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct conn *c)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv4_hdr *ip = fwd_ip(m, meta);
	rte_be16_t *ports = fwd_l4(m, meta);
	rte_be32_t old = ip->src_addr, nexthop;
	uint8_t port;

	if (route_lookup(snap->routes, ip->dst_addr, &nexthop, &port) != 0) {
		fwd_drop(w, m, FWD_DROP_NO_ROUTE);
		return;
	}
	if (!fwd_fits4(w, snap, m, fwd_ip_len(m), port, w->env->ports[meta->in_port].addr) ||
	    !fwd_ttl(w, snap, m))
		return;
	ip->hdr_checksum = pkt_csum_update32(ip->hdr_checksum, old, c->vaddr);
	ip->src_addr = c->vaddr;
	l4_rewrite(meta->l4_proto, ports, old, c->vaddr, &ports[0], c->vport);
	fwd_send_to(w, snap, m, port, -1, nexthop);
}

/* ----------------------------------------------------------- ICMP errors */

/* After translating the quoted packet, fixes the checksums that cover it. */
static void icmp_fix_checksums(struct rte_icmp_hdr *icmp, uint32_t icmp_len,
			       struct rte_ipv4_hdr *inner)
{
	inner->hdr_checksum = 0;
	inner->hdr_checksum = rte_ipv4_cksum(inner);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, icmp_len);
}

/* Rewrites the source (src true) or destination address and port of the
 * quoted TCP/UDP packet; its transport checksum is updated when the quote
 * holds it. */
static void quoted_rewrite(struct rte_ipv4_hdr *inner, uint8_t *il4, uint32_t il4_len, bool src,
			   rte_be32_t new_addr, rte_be16_t new_port)
{
	rte_be16_t *port = (rte_be16_t *)il4 + (src ? 0 : 1);
	rte_be32_t old_addr = src ? inner->src_addr : inner->dst_addr;
	rte_be16_t old_port = *port;

	if (src)
		inner->src_addr = new_addr;
	else
		inner->dst_addr = new_addr;
	*port = new_port;
	if (inner->next_proto_id == IPPROTO_UDP && il4_len >= sizeof(struct rte_udp_hdr)) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)il4;

		udp->dgram_cksum = pkt_udp_csum_update32(udp->dgram_cksum, old_addr, new_addr);
		udp->dgram_cksum = pkt_udp_csum_update16(udp->dgram_cksum, old_port, new_port);
	} else if (inner->next_proto_id == IPPROTO_TCP && il4_len >= 18) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)il4;

		tcp->cksum = pkt_csum_update32(tcp->cksum, old_addr, new_addr);
		tcp->cksum = pkt_csum_update16(tcp->cksum, old_port, new_port);
	}
}

const struct svc_rs *fwd_icmp_conn(struct fwd_worker *w, const struct svc_snapshot *snap,
				   struct rte_mbuf *m, const struct conn_key *key, struct conn **cp,
				   uint8_t *dir, bool *redirected)
{
	struct conn *c = conn_lookup(w->conns, key, dir);
	const struct svc_rs *rs;
	int owner;

	*redirected = false;
	*cp = c;
	if (c == NULL) {
		if (pkt_meta(m)->redirected)
			return NULL;
		/* Errors are rare: every other table is asked. */
		owner = fwd_probe(w, key);
		if (owner >= 0) {
			fwd_redirect(w, m, (uint16_t)owner);
			*redirected = true;
		}
		return NULL;
	}
	if (!(snap->stat_flags[w->env->dests[c->rs_stat].svc_stat] & SVC_SF_OWNED))
		return NULL;
	rs = snap->rs_of[c->rs_stat];
	if (rs == NULL || !(snap->stat_flags[c->rs_stat] & SVC_SF_PRESENT))
		return NULL;
	return rs;
}

bool fwd_icmp_error(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_ipv4_hdr *ip = fwd_ip(m, meta);
	struct rte_icmp_hdr *icmp = fwd_l4(m, meta);
	const uint32_t icmp_len = meta->l4_len;
	struct rte_ipv4_hdr *inner = (struct rte_ipv4_hdr *)(icmp + 1);
	const struct svc_rs *rs;
	uint32_t ihl, il4_len;
	rte_be16_t *iports;
	struct conn_key key;
	struct conn *c;
	bool redirected;
	uint8_t dir;

	if (fwd_is_v6(meta))
		return fwd_icmp6_error(w, snap, m);
	if (!icmp_is_error(icmp->icmp_type) || icmp_len < sizeof(*icmp) + sizeof(*inner) + 4)
		return false;
	/* The quote is read, rewritten and summed in place: it must all be
	 * in the first segment (pkt_parse vouched for 8 bytes of ICMP only).
	 * A scattered one is the kernel's. */
	if (rte_pktmbuf_data_len(m) < meta->l2_len + meta->l3_len + icmp_len)
		return false;
	ihl = rte_ipv4_hdr_len(inner);
	if ((inner->version_ihl >> 4) != 4 || ihl < sizeof(*inner) ||
	    icmp_len < sizeof(*icmp) + ihl + 4 ||
	    (inner->next_proto_id != IPPROTO_TCP && inner->next_proto_id != IPPROTO_UDP))
		return false;
	iports = (rte_be16_t *)((uint8_t *)inner + ihl);
	il4_len = icmp_len - sizeof(*icmp) - ihl;
	/* The quoted packet went from inner->src to inner->dst: the key of a
	 * connection it belongs to is its reverse. */
	key = (struct conn_key){ .af = 4,
				 .proto = inner->next_proto_id,
				 .sport = iports[1],
				 .dport = iports[0],
				 .v4 = { .src = inner->dst_addr, .dst = inner->src_addr } };
	rs = fwd_icmp_conn(w, snap, m, &key, &c, &dir, &redirected);
	if (redirected)
		return true;
	if (rs == NULL)
		return false;

	if (dir == CONN_DIR_IN) {
		/* About a packet that left the VIP towards the client: the
		 * real server sent it, so the error goes there. */
		if (conn_fwd(c) == CFG_FWD_NAT) {
			if (!fwd_ttl(w, snap, m))
				return true;
			ip->hdr_checksum =
			    pkt_csum_update32(ip->hdr_checksum, ip->dst_addr, rs->addr);
			ip->dst_addr = rs->addr;
			quoted_rewrite(inner, (uint8_t *)iports, il4_len, true, rs->addr, rs->port);
			icmp_fix_checksums(icmp, icmp_len, inner);
			fwd_send_to(w, snap, m, rs->out_port, rs->neigh, rs->nexthop);
		} else if (conn_fwd(c) == CFG_FWD_DR) {
			fwd_xmit_dr(w, snap, m, rs);
		} else {
			fwd_xmit_tun(w, snap, m, rs);
		}
		return true;
	}
	/* About a packet we sent to the real server (NAT): back to the client
	 * as if it came from the VIP. */
	if (!fwd_ttl(w, snap, m))
		return true;
	if (ip->src_addr == rs->addr) {
		ip->hdr_checksum = pkt_csum_update32(ip->hdr_checksum, ip->src_addr, c->vaddr);
		ip->src_addr = c->vaddr;
	}
	quoted_rewrite(inner, (uint8_t *)iports, il4_len, false, c->vaddr, c->vport);
	icmp_fix_checksums(icmp, icmp_len, inner);
	fwd_send_routed(w, snap, m, ip->dst_addr);
	return true;
}
