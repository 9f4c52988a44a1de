/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the wire: adverts out (multicast, or to each unicast peer through
 * the neighbour table), gratuitous ARPs (IPv6: unsolicited neighbour
 * adverts) for an instance's VIPs, and adverts in from the workers: decoded,
 * matched to an instance by VRID, family and port, checked against it, and
 * every reject counted by reason and logged once per reason before the
 * state machine sees anything. For the switches that snoop MLD, the TAP of
 * each port with an IPv6 instance joins the VRRP group: its kernel reports
 * the membership and answers the queries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ethdev.h>

#include "ctl_vrrp_int.h"

/* Whether the advert goes to a group (the configured ones, or any
 * multicast address) rather than to a unicast peer. */
static bool is_group(const struct ctl_vi *vi, uint32_t dst, const uint8_t *dst6)
{
	if (vi->af == 6)
		return dst6[0] == 0xff;
	return dst == vi->c->k->global.vrrp_mcast_group4 || (dst >> 28) == 0xe;
}

/* A unicast advert goes where halb's routing table says: to the peer when
 * it is on a connected prefix, else to the route's gateway, out of the
 * route's port (a peer behind a router hears it). The next hop's MAC comes
 * from the neighbour table; until it is known the advert waits there. A
 * peer no route reaches is tried on the instance's port, as a neighbour. */
static void unicast_send(struct ctl_vi *vi, struct rte_mbuf *m, uint32_t dst, const uint8_t *dst6)
{
	struct ctl *c = vi->c;
	const bool v6 = vi->af == 6;
	uint8_t port = vi->port, nport;
	struct rte_ether_addr dmac;
	struct neigh_ip nh;
	int32_t slot;

	if (v6) {
		uint8_t hop[16];

		if (route_lookup6(c->routes, dst6, hop, &port) != 0) {
			memcpy(hop, dst6, 16);
			port = vi->port;
		}
		nh = neigh_ip6(hop);
	} else {
		rte_be32_t hop = rte_cpu_to_be_32(dst);

		if (route_lookup(c->routes, hop, &hop, &port) != 0) {
			hop = rte_cpu_to_be_32(dst);
			port = vi->port;
		}
		nh = neigh_ip4(hop);
	}
	memset(&dmac, 0, sizeof(dmac));
	pkt_push_ether(m, &c->ports[port].mac, &dmac,
		       v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	slot = neigh_find(c->env.neigh, &nh);
	if (slot >= 0 && neigh_slot_get(c->env.neigh, (uint32_t)slot, &dmac, &nport) &&
	    nport == port) {
		rte_ether_addr_copy(&dmac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
		ctl_tx(c, port, m);
		return;
	}
	neigh_hold(c->env.neigh, &nh, port, m, ctl_vrrp_now_ms(), &c->nops);
}

/* The advert to dst (dst6 for IPv6), built into a new frame without its
 * Ethernet header; NULL when there is no mbuf. */
static struct rte_mbuf *advert_build(struct ctl_vi *vi, uint8_t priority, uint32_t dst,
				     const uint8_t *dst6)
{
	struct ctl *c = vi->c;
	const bool v6 = vi->af == 6;
	struct vrrp_tx tx = { .version = vi->p.version,
			      .vrid = vi->cfg->vrid,
			      .priority = priority,
			      .interval_cs = (uint16_t)(vi->p.advert_int_ms / 10),
			      .addrs = vi->vips,
			      .n_addrs = vi->cfg->n_vips_adv,
			      .auth_type = vi->chk.auth_type,
			      .src = vi->src_ip,
			      .dst = dst,
			      .ip_id = vi->ip_id++,
			      .af = vi->af,
			      .addrs6 = (const uint8_t(*)[16])vi->vips6 };
	size_t len = v6 ? vrrp_encoded_len6(vi->cfg->n_vips_adv)
			: vrrp_encoded_len(vi->p.version, vi->cfg->n_vips_adv);
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	void *ip;

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return NULL;
	}
	memcpy(tx.auth_pass, vi->chk.auth_pass, sizeof(tx.auth_pass));
	memcpy(tx.src6, vi->src_ip6, 16);
	if (v6)
		memcpy(tx.dst6, dst6, 16);
	if (!is_group(vi, dst, dst6))
		tx.ttl = (uint8_t)vi->cfg->unicast_ttl;
	ip = rte_pktmbuf_append(m, (uint16_t)len);
	if (ip == NULL || vrrp_encode(ip, len, &tx) < 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	vi->sent++;
	return m;
}

static void advert_send_to(struct ctl_vi *vi, uint8_t priority, uint32_t dst, const uint8_t *dst6)
{
	struct ctl *c = vi->c;
	struct rte_mbuf *m = advert_build(vi, priority, dst, dst6);
	struct rte_ether_addr dmac;

	if (m == NULL)
		return;
	if (!is_group(vi, dst, dst6)) {
		unicast_send(vi, m, dst, dst6);
		return;
	}
	if (vi->af == 6)
		pkt_mcast_mac6(dst6, &dmac);
	else
		pkt_mcast_mac(dst, &dmac);
	pkt_push_ether(m, &c->ports[vi->port].mac, &dmac,
		       vi->af == 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	ctl_tx(c, vi->port, m);
}

void ctl_vi_advert_send(struct ctl_vi *vi, uint8_t priority)
{
	const struct cfg_global *g = &vi->c->k->global;

	if (vi->cfg->n_unicast_peers == 0) {
		advert_send_to(vi, priority, g->vrrp_mcast_group4, g->vrrp_mcast_group6);
		return;
	}
	for (size_t i = 0; i < vi->cfg->n_unicast_peers; i++)
		advert_send_to(vi, priority, vi->peers[i], vi->peers6[i]);
}

void ctl_vi_garps_send(struct ctl_vi *vi, unsigned int count)
{
	for (unsigned int n = 0; n < count; n++)
		for (size_t a = 0; a < vi->cfg->n_vips; a++) {
			const struct cfg_vip *v = &vi->cfg->vips[a];
			const struct cfg_port *cp = v->dev ? cfg_port_find(vi->c->d, v->dev) : NULL;
			uint8_t p = cp ? (uint8_t)(cp - vi->c->d->ports) : vi->port;

			ctl_claim_addr(vi->c, p, &v->pfx.addr);
		}
	ctl_io_flush(vi->c);
}

/* Whether the advert is one of ours, seen again. */
static bool src_is_ours(const struct ctl *c, const struct vrrp_advert *adv)
{
	const struct cfg_addr src = adv->af == 6 ? cfg_addr6(adv->src6) : cfg_addr4(adv->src);

	for (size_t p = 0; p < c->d->n_ports; p++) {
		if (adv->af == 6 && memcmp(c->env.ports[p].ll6, adv->src6, 16) == 0)
			return true;
		for (size_t a = 0; a < c->d->ports[p].n_addrs; a++)
			if (cfg_addr_eq(&c->d->ports[p].addrs[a].addr, &src))
				return true;
	}
	return false;
}

static void reject(struct ctl *c, struct ctl_vi *vi, enum vrrp_reject r, const struct cfg_addr *src)
{
	struct ctl_vrrp *v = c->vrrp;
	char from[CFG_ADDR_STRLEN];
	bool *logged = &v->logged[r];

	if (vi != NULL) {
		vi->rejects[r]++;
		logged = NULL;
		if (!(vi->logged_flags & (1u << (r % 32)))) {
			vi->logged_flags |= 1u << (r % 32);
			HALB_LOG(ctl, WARNING,
				 "(%s) advert from %s rejected: %s (logged once per reason)",
				 vi->cfg->name, cfg_addr_str(src, from), vrrp_reject_name(r));
		}
		return;
	}
	v->rejects[r]++;
	if (!*logged) {
		*logged = true;
		HALB_LOG(ctl, WARNING, "VRRP packet from %s rejected: %s (logged once per reason)",
			 cfg_addr_str(src, from), vrrp_reject_name(r));
	}
}

/* The source of an advert, or of the packet that could not be one. */
static struct cfg_addr advert_src(const struct vrrp_advert *adv)
{
	return adv->af == 6 ? cfg_addr6(adv->src6) : cfg_addr4(adv->src);
}

static struct cfg_addr packet_src(struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);

	/* pkt_parse checked the header */
	if (meta->ether_type == RTE_ETHER_TYPE_IPV6)
		return cfg_addr6(
		    rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, meta->l2_len)
			->src_addr);
	return cfg_addr4(rte_be_to_cpu_32(
	    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l2_len)->src_addr));
}

/* Whether the advert comes from the master we know. */
static bool from_master(const struct ctl_vi *vi, const struct vrrp_advert *adv)
{
	if (vi->af == 6)
		return memcmp(adv->src6, vi->fsm.master_ip6, 16) == 0;
	return adv->src == vi->fsm.master_ip;
}

json_t *ctl_vi_master_json(const struct ctl_vi *vi)
{
	static const uint8_t none[16];
	const bool master = vi->fsm.state == VRRP_STATE_MASTER;
	struct cfg_addr a;

	if (vi->af == 6) {
		const uint8_t *b = master ? vi->src_ip6 : vi->fsm.master_ip6;

		if (memcmp(b, none, 16) == 0)
			return json_null();
		a = cfg_addr6(b);
	} else {
		uint32_t b = master ? vi->src_ip : vi->fsm.master_ip;

		if (b == 0)
			return json_null();
		a = cfg_addr4(b);
	}
	return ctl_addr_json(&a);
}

void ctl_vrrp_mld_join(struct ctl *c, struct ctl_vrrp *v)
{
	struct ipv6_mreq mr;

	memcpy(mr.ipv6mr_multiaddr.s6_addr, c->k->global.vrrp_mcast_group6, 16);
	for (size_t i = 0; i < v->n_vi; i++) {
		const struct ctl_vi *vi = &v->vi[i];
		int *fd = &v->mld_fd[vi->port];

		if (vi->af != 6 || vi->cfg->n_unicast_peers > 0 || *fd >= 0)
			continue;
		mr.ipv6mr_interface = c->ports[vi->port].ifindex;
		*fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (*fd >= 0 &&
		    setsockopt(*fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) == 0)
			continue;
		HALB_LOG(ctl, WARNING, "(%s) cannot join the VRRP group on %s: %s", vi->cfg->name,
			 c->d->ports[vi->port].kernel_if, strerror(errno));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

void ctl_vrrp_mld_leave(struct ctl_vrrp *v)
{
	for (size_t p = 0; p < FWD_MAX_PORTS; p++) {
		if (v->mld_fd[p] >= 0)
			close(v->mld_fd[p]); /* the kernel leaves the group */
		v->mld_fd[p] = -1;
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

	struct cfg_addr src;

	/* the decoder reads one buffer: the first segment (a longer advert,
	 * chained, fails its length check) */
	r = vrrp_decode(rte_pktmbuf_mtod_offset(m, const void *, meta->l2_len),
			rte_pktmbuf_data_len(m) - meta->l2_len, &adv);
	if (v == NULL || (r == VRRP_OK && src_is_ours(c, &adv)))
		goto out; /* our own advert seen again */
	if (r != VRRP_OK) {
		src = packet_src(m);
		reject(c, NULL, r, &src);
		goto out;
	}
	src = advert_src(&adv);
	/* one VRID per family and link (RFC 5798 5.2.3) */
	for (size_t i = 0; i < v->n_vi; i++)
		if (v->vi[i].cfg->vrid == adv.vrid && v->vi[i].port == meta->in_port &&
		    v->vi[i].af == adv.af)
			vi = &v->vi[i];
	if (vi == NULL) {
		reject(c, NULL, VRRP_REJECT_VRID_MISMATCH, &src);
		goto out;
	}
	{
		/* skip_check_adv_addr: the address list of the master we know
		 * is not checked again (keepalived) */
		int skip = vi->cfg->skip_check_adv_addr >= 0
			       ? vi->cfg->skip_check_adv_addr
			       : c->k->global.vrrp_skip_check_adv_addr;
		struct vrrp_check_params chk = vi->chk;

		if (skip && from_master(vi, &adv))
			chk.addr_check = VRRP_ADDR_CHECK_LOG_ONLY;
		r = vrrp_advert_check(&chk, &adv, &flags);
	}
	if (r != VRRP_OK) {
		reject(c, vi, r, &src);
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
