/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What belongs to no connection: ARP, VRRP, traffic for the director itself
 * and transit traffic the kernel routes. This is where a flood aimed at the
 * director lands, so every way out of here to the control core is bounded:
 *
 * - ARP requests for the director's own addresses, and for the VIPs it
 *   holds, are answered here, on the port the address lives on: the kernel
 *   and the control core never see them. What ARP says about a neighbour
 *   halb already knows (a changed MAC, an answer to its probe) goes to the
 *   control core as a small record through a token bucket; a sender halb
 *   does not know creates nothing. Replies addressed to the director and
 *   gratuitous ARPs reach the kernel through a bucket of their own.
 * - VRRP adverts take the priority ring, if they can be adverts: a
 *   multicast one must carry TTL 255 (RFC 5798 5.1.1.3; a router would have
 *   decremented it), a unicast one must come from a peer. IPVS sync
 *   messages to the sync group (link-local multicast) take it too.
 * - Everything for the kernel passes a token bucket: one for real servers,
 *   gateways and peers (health checks, routing protocols), one for the rest.
 * IPv6's counterpart, neighbour discovery included, is fwd_nd.c.
 */
#include <rte_arp.h>

#include "fwd_internal.h"

#define VRRP_GROUP RTE_BE32(0xe0000012) /* 224.0.0.18 */

static inline bool ip_is_group(rte_be32_t dst)
{
	uint32_t a = rte_be_to_cpu_32(dst);

	return (a >> 28) == 0xe || a == 0xffffffffu;
}

void fwd_to_kernel(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	uint8_t flags = 0;

	if (meta->ether_type == RTE_ETHER_TYPE_IPV4)
		flags = svc_addr_flags(snap, fwd_ip(m, meta)->src_addr);
	else if (fwd_is_v6(meta))
		flags = svc_addr_flags6(snap, fwd_ip6(m, meta)->src_addr);
	if (flags & (SVC_AF_RS | SVC_AF_TRUSTED))
		fwd_to_control(w, m, PKT_CTL_KERNEL, FWD_POL_TRUSTED, FWD_DROP_TRUSTED_POLICED);
	else
		fwd_to_control(w, m, PKT_CTL_KERNEL, FWD_POL_KERNEL, FWD_DROP_KERNEL_POLICED);
}

static void fwd_vrrp(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     const struct rte_ipv4_hdr *ip)
{
	if (ip->dst_addr == VRRP_GROUP) {
		if (ip->time_to_live != 255) {
			fwd_drop(w, m, FWD_DROP_VRRP_BAD_TTL);
			return;
		}
	} else if (!(svc_addr_flags(snap, ip->src_addr) & SVC_AF_TRUSTED)) {
		fwd_drop(w, m, FWD_DROP_VRRP_UNTRUSTED);
		return;
	}
	fwd_to_control_prio(w, m, PKT_CTL_VRRP);
}

void fwd_local(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv4_hdr *ip;

	if (fwd_is_v6(meta)) {
		fwd_local6(w, snap, m);
		return;
	}
	if (meta->ether_type != RTE_ETHER_TYPE_IPV4) {
		fwd_to_kernel(w, snap, m);
		return;
	}
	ip = fwd_ip(m, meta);
	if (ip->next_proto_id == PKT_IPPROTO_VRRP) {
		fwd_vrrp(w, snap, m, ip);
		return;
	}
	if (meta->l4_proto == IPPROTO_ICMP && !meta->is_fragment && fwd_icmp_error(w, snap, m))
		return;
	if (ip->dst_addr == w->env->sync_group && w->env->sync_group != 0 &&
	    meta->l4_proto == IPPROTO_UDP && !meta->is_fragment &&
	    ((const rte_be16_t *)fwd_l4(m, meta))[1] == w->env->sync_port) {
		/* the sync daemon's, before anything for the kernel; policed,
		 * so that a flood at the group cannot crowd adverts out of the
		 * priority ring */
		if (!fwd_police(w, FWD_POL_SYNC)) {
			fwd_drop(w, m, FWD_DROP_SYNC_POLICED);
			return;
		}
		fwd_to_control_prio(w, m, PKT_CTL_SYNC);
		return;
	}
	if (ip_is_group(ip->dst_addr)) {
		fwd_to_kernel(w, snap, m);
		return;
	}
	fwd_local_rest(w, snap, m, svc_addr_flags(snap, ip->dst_addr));
}

void fwd_local_rest(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		    uint8_t flags)
{
	if ((flags & SVC_AF_VIP) && !(flags & SVC_AF_OWNED)) {
		fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
		return;
	}
	/* Fragments of a service's traffic, or transit ones that may belong
	 * to NAT connections, which the kernel cannot translate: halb does not
	 * reassemble. */
	if (pkt_meta(m)->is_fragment &&
	    ((flags & SVC_AF_SERVICE) || !(flags & (SVC_AF_LOCAL | SVC_AF_VIP)))) {
		fwd_drop(w, m, FWD_DROP_FRAGMENT);
		return;
	}
	fwd_to_kernel(w, snap, m);
}

/* --------------------------------------------------------------- ARP */

/* News is a change, or an answer to halb's probe. */
void fwd_learn(struct fwd_worker *w, const struct neigh_ip *ip, const struct rte_ether_addr *mac,
	       uint8_t port, bool override)
{
	struct rte_ether_addr known;
	struct fwd_learn r;
	int32_t s = neigh_find(w->env->neigh, ip);
	uint8_t kport;

	if (s < 0 || !neigh_slot_news(w->env->neigh, (uint32_t)s, mac, port) ||
	    (!override && neigh_slot_get(w->env->neigh, (uint32_t)s, &known, &kport)))
		return;
	if (!fwd_police(w, FWD_POL_LEARN))
		return;
	r = (struct fwd_learn){ .ip = *ip, .mac = *mac, .port = port };
	if (rte_ring_sp_enqueue_elem(w->learn, &r, sizeof(r)) == 0)
		w->st.learn++;
}

/* Turns the request m into its answer: sip is at the port's MAC. */
static void arp_answer(struct fwd_worker *w, struct rte_mbuf *m, struct rte_arp_hdr *arp)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ether_addr *mac = &w->env->ports[meta->in_port].mac;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_ipv4 *d = &arp->arp_data;
	rte_be32_t tip = d->arp_tip;

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(mac, &eth->src_addr);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&d->arp_sha, &d->arp_tha);
	d->arp_tip = d->arp_sip;
	rte_ether_addr_copy(mac, &d->arp_sha);
	d->arp_sip = tip;
	w->st.arp_replies++;
	fwd_tx(w, meta->in_port, m);
}

void fwd_arp(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, meta->l2_len);
	const struct rte_arp_ipv4 *d = &arp->arp_data;
	uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
	uint8_t port, flags;
	bool ours;

	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4 ||
	    rte_pktmbuf_data_len(m) < meta->l2_len + sizeof(*arp) ||
	    (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)) {
		fwd_drop(w, m, FWD_DROP_BAD_ARP);
		return;
	}
	flags = svc_addr_info(snap, d->arp_tip, &port);
	ours = ((flags & SVC_AF_LOCAL) ||
		(flags & (SVC_AF_VIP | SVC_AF_OWNED)) == (SVC_AF_VIP | SVC_AF_OWNED)) &&
	       (port == meta->in_port || port == SVC_PORT_ANY);
	if (d->arp_sip != 0 && rte_is_unicast_ether_addr(&d->arp_sha) &&
	    !(svc_addr_flags(snap, d->arp_sip) & (SVC_AF_LOCAL | SVC_AF_OWNED))) {
		const struct neigh_ip sip = neigh_ip4(d->arp_sip);

		fwd_learn(w, &sip, &d->arp_sha, meta->in_port, true);
	}
	if (op == RTE_ARP_OP_REQUEST && ours && d->arp_sip != d->arp_tip) {
		arp_answer(w, m, arp);
		return;
	}
	/* An answer to the kernel's own request, or a gratuitous ARP: the
	 * kernel keeps its neighbours too (health checks go through it). */
	if ((op == RTE_ARP_OP_REPLY && ours) || d->arp_sip == d->arp_tip) {
		fwd_to_control(w, m, PKT_CTL_KERNEL, FWD_POL_ARP, FWD_DROP_ARP_POLICED);
		return;
	}
	fwd_drop(w, m, FWD_DROP_ARP_IGNORED);
}
