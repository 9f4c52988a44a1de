/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the wire: adverts out (multicast, or to each unicast peer through
 * the neighbour table), gratuitous ARPs for an instance's VIPs, and adverts
 * in from the workers: decoded, matched to an instance by VRID and port,
 * checked against it, and every reject counted by reason and logged once
 * per reason before the state machine sees anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl_vrrp_int.h"

static bool is_group(uint32_t dst, const struct ctl *c)
{
	return dst == c->k->global.vrrp_mcast_group4 || (dst >> 28) == 0xe;
}

/* A unicast advert goes where halb's routing table says: to the peer when
 * it is on a connected prefix, else to the route's gateway, out of the
 * route's port (a peer behind a router hears it). The next hop's MAC comes
 * from the neighbour table; until it is known the advert waits there. A
 * peer no route reaches is tried on the instance's port, as a neighbour. */
static void unicast_send(struct ctl_vi *vi, struct rte_mbuf *m, uint32_t dst)
{
	struct ctl *c = vi->c;
	rte_be32_t nh = rte_cpu_to_be_32(dst);
	uint8_t port = vi->port, nport;
	struct rte_ether_addr dmac;
	int32_t slot;

	if (route_lookup(c->routes, nh, &nh, &port) != 0) {
		nh = rte_cpu_to_be_32(dst);
		port = vi->port;
	}
	memset(&dmac, 0, sizeof(dmac));
	pkt_push_ether(m, &c->ports[port].mac, &dmac, RTE_ETHER_TYPE_IPV4);
	slot = neigh_find(c->env.neigh, nh);
	if (slot >= 0 && neigh_slot_get(c->env.neigh, (uint32_t)slot, &dmac, &nport) &&
	    nport == port) {
		rte_ether_addr_copy(&dmac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		ctl_tx(c, port, m);
		return;
	}
	neigh_hold(c->env.neigh, nh, port, m, ctl_vrrp_now_ms(), &c->nops);
}

static void advert_send_to(struct ctl_vi *vi, uint8_t priority, uint32_t dst)
{
	struct ctl *c = vi->c;
	struct vrrp_tx tx = { .version = vi->p.version,
			      .vrid = vi->cfg->vrid,
			      .priority = priority,
			      .interval_cs = (uint16_t)(vi->p.advert_int_ms / 10),
			      .addrs = vi->vips,
			      .n_addrs = vi->cfg->n_vips_adv,
			      .auth_type = vi->chk.auth_type,
			      .src = vi->src_ip,
			      .dst = dst,
			      .ip_id = vi->ip_id++ };
	size_t len = vrrp_encoded_len(vi->p.version, vi->cfg->n_vips_adv);
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	struct rte_ether_addr dmac;
	void *ip;

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return;
	}
	memcpy(tx.auth_pass, vi->chk.auth_pass, sizeof(tx.auth_pass));
	if (!is_group(dst, c))
		tx.ttl = (uint8_t)vi->cfg->unicast_ttl;
	ip = rte_pktmbuf_append(m, (uint16_t)len);
	if (ip == NULL || vrrp_encode(ip, len, &tx) < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	vi->sent++;
	if (is_group(dst, c)) {
		pkt_mcast_mac(dst, &dmac);
		pkt_push_ether(m, &c->ports[vi->port].mac, &dmac, RTE_ETHER_TYPE_IPV4);
		ctl_tx(c, vi->port, m);
		return;
	}
	unicast_send(vi, m, dst);
}

void ctl_vi_advert_send(struct ctl_vi *vi, uint8_t priority)
{
	if (vi->cfg->n_unicast_peers == 0) {
		advert_send_to(vi, priority, vi->c->k->global.vrrp_mcast_group4);
		return;
	}
	for (size_t i = 0; i < vi->cfg->n_unicast_peers; i++)
		advert_send_to(vi, priority, vi->cfg->unicast_peers[i]);
}

void ctl_vi_garps_send(struct ctl_vi *vi, unsigned int count)
{
	for (unsigned int n = 0; n < count; n++)
		for (size_t a = 0; a < vi->cfg->n_vips; a++) {
			const struct cfg_vip *v = &vi->cfg->vips[a];
			const struct cfg_port *cp = v->dev ? cfg_port_find(vi->c->d, v->dev) : NULL;
			uint8_t p = cp ? (uint8_t)(cp - vi->c->d->ports) : vi->port;

			ctl_send_garp(vi->c, p, rte_cpu_to_be_32(v->pfx.addr));
		}
	ctl_io_flush(vi->c);
}

static bool src_is_ours(const struct ctl *c, uint32_t src)
{
	for (size_t p = 0; p < c->d->n_ports; p++)
		for (size_t a = 0; a < c->d->ports[p].n_addrs; a++)
			if (c->d->ports[p].addrs[a].addr == src)
				return true;
	return false;
}

static void reject(struct ctl *c, struct ctl_vi *vi, enum vrrp_reject r, uint32_t src)
{
	struct ctl_vrrp *v = c->vrrp;
	char from[16];
	bool *logged = &v->logged[r];

	if (vi != NULL) {
		vi->rejects[r]++;
		logged = NULL;
		if (!(vi->logged_flags & (1u << (r % 32)))) {
			vi->logged_flags |= 1u << (r % 32);
			cfg_ipv4_str(src, from);
			HALB_LOG(ctl, WARNING,
				 "(%s) advert from %s rejected: %s (logged once per reason)",
				 vi->cfg->name, from, vrrp_reject_name(r));
		}
		return;
	}
	v->rejects[r]++;
	if (!*logged) {
		*logged = true;
		cfg_ipv4_str(src, from);
		HALB_LOG(ctl, WARNING, "VRRP packet from %s rejected: %s (logged once per reason)",
			 from, vrrp_reject_name(r));
	}
}

void ctl_vrrp_input(struct ctl *c, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct ctl_vrrp *v = c->vrrp;
	struct vrrp_advert adv;
	struct ctl_vi *vi = NULL;
	enum vrrp_reject r;
	unsigned int flags = 0;

	r = vrrp_decode(rte_pktmbuf_mtod_offset(m, const void *, meta->l2_len),
			rte_pktmbuf_pkt_len(m) - meta->l2_len, &adv);
	if (v == NULL || (r == VRRP_OK && src_is_ours(c, adv.src)))
		goto out; /* our own advert seen again */
	if (r != VRRP_OK) {
		const struct rte_ipv4_hdr *ip =
		    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l2_len);

		reject(c, NULL, r, rte_be_to_cpu_32(ip->src_addr)); /* pkt_parse checked it */
		goto out;
	}
	for (size_t i = 0; i < v->n_vi; i++)
		if (v->vi[i].cfg->vrid == adv.vrid && v->vi[i].port == meta->in_port)
			vi = &v->vi[i];
	if (vi == NULL) {
		reject(c, NULL, VRRP_REJECT_VRID_MISMATCH, adv.src);
		goto out;
	}
	{
		/* skip_check_adv_addr: the address list of the master we know
		 * is not checked again (keepalived) */
		int skip = vi->cfg->skip_check_adv_addr >= 0
			       ? vi->cfg->skip_check_adv_addr
			       : c->k->global.vrrp_skip_check_adv_addr;
		struct vrrp_check_params chk = vi->chk;

		if (skip && adv.src == vi->fsm.master_ip)
			chk.addr_check = VRRP_ADDR_CHECK_LOG_ONLY;
		r = vrrp_advert_check(&chk, &adv, &flags);
	}
	if (r != VRRP_OK) {
		reject(c, vi, r, adv.src);
		goto out;
	}
	vi->received++;
	if (vi->started) {
		struct vrrp_event ev = { .type = VRRP_EV_ADVERT, .advert = &adv };

		ctl_vi_step(vi, &ev);
	}
out:
	rte_pktmbuf_free(m);
}
