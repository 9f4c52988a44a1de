/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From configuration and running state to service snapshots.
 *
 * What a snapshot holds is derived, never stored twice: the virtual servers
 * of keepalived.conf, the health and dynamic weight of each real server,
 * each virtual server's quorum, and which VRRP instances this director is
 * MASTER of. Any change to those calls ctl_publish(), which rebuilds the
 * whole snapshot (cheap; measured in bench/) and publishes it.
 *
 * Stat slots give each service and real server a stable index into the
 * workers' counters. A slot is keyed by what the object is (VIP, port,
 * protocol, and the real server's address and port), so the same object
 * keeps its counters across reloads; slots are never reused for another
 * object, because connections may still count into an old one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "ctl_priv.h"

/* A slot's identity. Addresses are 16 bytes, IPv4 ones mapped
 * (::ffff:a.b.c.d, as the neighbour table keeps them). */
struct stat_key {
	struct neigh_ip vip, rip;
	uint16_t vport, rport;
	uint8_t proto;
	uint8_t kind; /* 0 service, 1 real server, 2 sorry server */
	uint16_t pad;
};

struct neigh_ip ctl_neigh_ip(const struct cfg_addr *a)
{
	if (a->af == 6)
		return neigh_ip6(a->v6);
	return neigh_ip4(rte_cpu_to_be_32(a->v4));
}

static int stat_slot(struct ctl *c, const struct stat_key *k, uint32_t *slot)
{
	void *data;

	if (rte_hash_lookup_data(c->stat_ids, k, &data) >= 0) {
		*slot = (uint32_t)(uintptr_t)data;
		return 0;
	}
	if (c->n_stats == SVC_STAT_MAX) {
		HALB_LOG(ctl, ERR,
			 "more than %u services and real servers since start: restart halb",
			 SVC_STAT_MAX);
		return -ENOSPC;
	}
	if (rte_hash_add_key_data(c->stat_ids, k, (void *)(uintptr_t)c->n_stats) < 0)
		return -ENOSPC;
	*slot = c->n_stats++;
	return 0;
}

bool ctl_rs_slot_find(const struct ctl *c, const struct cfg_addr *vip, uint16_t vport,
		      uint8_t proto, const struct cfg_addr *rip, uint16_t rport, uint32_t *slot)
{
	for (uint8_t kind = 1; kind <= 2; kind++) {
		struct stat_key k = { .vip = ctl_neigh_ip(vip),
				      .vport = vport,
				      .proto = proto,
				      .rip = ctl_neigh_ip(rip),
				      .rport = rport,
				      .kind = kind };
		void *data;

		if (rte_hash_lookup_data(c->stat_ids, &k, &data) >= 0) {
			*slot = (uint32_t)(uintptr_t)data;
			return true;
		}
	}
	return false;
}

/* A real server's slot; the workers' registry (env.dests) learns its
 * address and service, which no later change of the slot's owner alters. */
static int rs_slot(struct ctl *c, const struct cfg_virtual_server *v,
		   const struct cfg_real_server *r, uint8_t kind, uint32_t svc_stat, uint32_t *slot)
{
	struct stat_key k = { .vip = ctl_neigh_ip(&v->addr),
			      .vport = v->port,
			      .proto = v->protocol,
			      .rip = ctl_neigh_ip(&r->addr),
			      .rport = r->port,
			      .kind = kind };
	int rc = stat_slot(c, &k, slot);
	struct conn_dest *d = &c->env.dests[*slot];

	if (rc != 0)
		return rc;
	*d = (struct conn_dest){ .af = r->addr.af,
				 .port = rte_cpu_to_be_16(r->port),
				 .svc_stat = (uint16_t)svc_stat };
	if (r->addr.af == 6)
		memcpy(d->addr.v6, r->addr.v6, 16);
	else
		d->addr.v4 = rte_cpu_to_be_32(r->addr.v4);
	return 0;
}

/* The instance whose virtual_ipaddress holds addr, or -1. */
static int instance_of(const struct cfg_keepalived *k, const struct cfg_addr *addr)
{
	for (size_t i = 0; i < k->n_instances; i++)
		for (size_t a = 0; a < k->instances[i].n_vips; a++)
			if (cfg_addr_eq(&k->instances[i].vips[a].pfx.addr, addr))
				return (int)i;
	return -1;
}

/* Gives every virtual and real server its running state. */
static int vs_init(struct ctl *c)
{
	const struct cfg_keepalived *k = c->k;

	c->vs = calloc(k->n_vs ? k->n_vs : 1, sizeof(*c->vs));
	if (c->vs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *v = &k->vs[i];
		struct ctl_vs *vs = &c->vs[i];
		struct stat_key sk = { .vip = ctl_neigh_ip(&v->addr),
				       .vport = v->port,
				       .proto = v->protocol };
		int rc = stat_slot(c, &sk, &vs->stat);

		if (rc != 0)
			return rc;
		vs->owner = instance_of(k, &v->addr);
		vs->quorum_up = true;
		vs->rs = calloc(v->n_rs ? v->n_rs : 1, sizeof(*vs->rs));
		if (vs->rs == NULL)
			return -ENOMEM;
		for (size_t r = 0; r < v->n_rs; r++) {
			vs->rs[r].dyn_weight = -1;
			vs->rs[r].override = -1;
			/* keepalived: up from the start, unless alpha */
			vs->rs[r].healthy = !v->alpha || v->rs[r].n_checkers == 0;
			rc = rs_slot(c, v, &v->rs[r], 1, vs->stat, &vs->rs[r].stat);
			if (rc != 0)
				return rc;
		}
		if (v->has_sorry_server) {
			vs->sorry.healthy = true;
			vs->sorry.dyn_weight = -1;
			vs->sorry.override = -1;
			rc = rs_slot(c, v, &v->sorry_server, 2, vs->stat, &vs->sorry.stat);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* Running state for the virtual servers and instances of c->k. */
static int runtime_init(struct ctl *c)
{
	int rc;

	c->inst_master = calloc(c->k->n_instances ? c->k->n_instances : 1, sizeof(bool));
	if (c->inst_master == NULL)
		return -ENOMEM;
	rc = vs_init(c);
	if (rc == 0)
		c->n_vs_rt = c->k->n_vs;
	return rc;
}

static void runtime_fini(struct ctl *c)
{
	for (size_t i = 0; c->vs != NULL && i < c->n_vs_rt; i++)
		free(c->vs[i].rs);
	free(c->vs);
	free(c->inst_master);
	c->vs = NULL;
	c->inst_master = NULL;
	c->n_vs_rt = 0;
}

int ctl_svc_init(struct ctl *c)
{
	struct rte_hash_parameters hp = {
		.name = "halb_stat_ids",
		.entries = SVC_STAT_MAX,
		.key_len = sizeof(struct stat_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
	};
	int rc;

	c->stat_ids = rte_hash_create(&hp);
	c->rates = rte_zmalloc("halb_rates", sizeof(*c->rates) * SVC_STAT_MAX, 0);
	if (c->stat_ids == NULL || c->rates == NULL) {
		rte_errno = ENOMEM;
		return -1;
	}
	rc = runtime_init(c);
	if (rc != 0) {
		rte_errno = -rc;
		return -1;
	}
	return 0;
}

/* What a reload carries over for a service or real server, by stat slot. */
struct carried {
	uint32_t stat;
	bool healthy, quorum_up;
	int dyn_weight;
	int override; /* halbctl weight, with what it was set over: */
	int weight;   /* the configured weight ... */
	bool inhibit; /* ... and inhibit_on_failure */
};

static size_t carry_save(const struct ctl *c, const struct cfg_keepalived *old_k,
			 struct carried *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_vs_rt; i++) {
		const struct cfg_virtual_server *v = &old_k->vs[i];

		out[n++] =
		    (struct carried){ .stat = c->vs[i].stat, .quorum_up = c->vs[i].quorum_up };
		for (size_t r = 0; r < v->n_rs; r++)
			out[n++] = (struct carried){ .stat = c->vs[i].rs[r].stat,
						     .healthy = c->vs[i].rs[r].healthy,
						     .dyn_weight = c->vs[i].rs[r].dyn_weight,
						     .override = c->vs[i].rs[r].override,
						     .weight = v->rs[r].weight,
						     .inhibit = v->rs[r].inhibit_on_failure };
	}
	return n;
}

static const struct carried *carry_find(const struct carried *v, size_t n, uint32_t stat)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].stat == stat)
			return &v[i];
	return NULL;
}

/* A halbctl weight survives a reload unless the reload changed what it
 * overrides: the server's weight or inhibit_on_failure. */
static int override_kept(const struct carried *x, const struct cfg_real_server *now)
{
	if (x->override < 0)
		return -1;
	if (x->weight != now->weight || x->inhibit != now->inhibit_on_failure) {
		char a[CFG_ADDR_STRLEN];

		HALB_LOG(
		    ctl, NOTICE,
		    "Weight override of [%s]:%u dropped: the configuration changed that server",
		    cfg_addr_str(&now->addr, a), now->port);
		return -1;
	}
	return x->override;
}

static size_t rs_total(const struct cfg_keepalived *k, size_t n_vs)
{
	size_t n = n_vs;

	for (size_t i = 0; i < n_vs; i++)
		n += k->vs[i].n_rs;
	return n;
}

int ctl_svc_reload(struct ctl *c, const struct cfg_keepalived *old_k)
{
	struct carried *saved = calloc(rs_total(old_k, c->n_vs_rt) + 1, sizeof(*saved));
	size_t n_saved;
	int rc;

	if (saved == NULL) {
		rte_errno = ENOMEM;
		return -1;
	}
	n_saved = carry_save(c, old_k, saved);
	runtime_fini(c);
	rc = runtime_init(c);
	for (size_t i = 0; rc == 0 && i < c->k->n_vs; i++) {
		const struct carried *v = carry_find(saved, n_saved, c->vs[i].stat);

		if (v != NULL)
			c->vs[i].quorum_up = v->quorum_up;
		for (size_t r = 0; r < c->k->vs[i].n_rs; r++) {
			const struct carried *x = carry_find(saved, n_saved, c->vs[i].rs[r].stat);

			if (x != NULL) {
				c->vs[i].rs[r].healthy = x->healthy;
				c->vs[i].rs[r].dyn_weight = x->dyn_weight;
				c->vs[i].rs[r].override = override_kept(x, &c->k->vs[i].rs[r]);
			}
		}
	}
	free(saved);
	if (rc != 0) {
		rte_errno = -rc;
		return -1;
	}
	return 0;
}

void ctl_svc_fini(struct ctl *c)
{
	ctl_admin_fini(c);
	runtime_fini(c);
	rte_hash_free(c->stat_ids);
	rte_free(c->rates);
	c->stat_ids = NULL;
	c->rates = NULL;
}

/* ------------------------------------------------------------ building */

/* The next hop towards a (the address itself when on the link, or when
 * no route leads there) and the port; false when no route does. */
static bool nexthop_of(const struct ctl *c, const struct cfg_addr *a, struct cfg_addr *nh,
		       uint8_t *port)
{
	*nh = *a;
	*port = 0;
	if (a->af == 6)
		return route_lookup6(c->routes, a->v6, nh->v6, port) == 0;
	else {
		rte_be32_t be = rte_cpu_to_be_32(a->v4);

		if (route_lookup(c->routes, be, &be, port) != 0)
			return false;
		nh->v4 = rte_be_to_cpu_32(be);
		return true;
	}
}

uint8_t ctl_port_of(const struct ctl *c, const struct cfg_addr *addr)
{
	struct cfg_addr nh;
	uint8_t port;

	return nexthop_of(c, addr, &nh, &port) ? port : 0;
}

/* The neighbour table's entry for nh out of port, pinned. */
static int32_t neigh_pin(struct ctl *c, const struct cfg_addr *nh, uint8_t port)
{
	const struct neigh_ip ip = ctl_neigh_ip(nh);

	return neigh_resolve(c->env.neigh, &ip, port, true, fwd_clock_ms(), &c->nops);
}

bool ctl_vs_owned(const struct ctl *c, size_t i)
{
	int owner = c->vs[i].owner;

	return owner < 0 || c->inst_master[owner];
}

/* Describes real server r of a snapshot: weight in force, next hop. */
static void rs_spec(struct ctl *c, const struct cfg_real_server *r, const struct ctl_rs *rt,
		    struct svc_spec_rs *o)
{
	struct cfg_addr nh;
	uint8_t port;

	o->af = r->addr.af;
	if (r->addr.af == 6)
		memcpy(o->addr6, r->addr.v6, 16);
	else
		o->addr = r->addr.v4;
	o->port = r->port;
	o->stat = rt->stat;
	if (rt->healthy) {
		o->weight = rt->dyn_weight >= 0 ? (uint32_t)rt->dyn_weight : (uint32_t)r->weight;
		if (rt->override >= 0) /* halbctl weight, over the configuration */
			o->weight = (uint32_t)rt->override;
		o->available = true;
	} else {
		/* inhibit_on_failure: stays, with weight 0 (quiesced) */
		o->weight = 0;
		o->available = false;
	}
	nexthop_of(c, &r->addr, &nh, &port);
	if (nh.af == 6)
		memcpy(o->nexthop6, nh.v6, 16);
	else
		o->nexthop = nh.v4;
	o->out_port = port;
	o->neigh = neigh_pin(c, &nh, port);
}

/* The real servers a service schedules over right now. */
static uint32_t vs_rs_specs(struct ctl *c, size_t i, struct svc_spec_rs *out)
{
	const struct cfg_virtual_server *v = &c->k->vs[i];
	const struct ctl_vs *vs = &c->vs[i];
	uint32_t n = 0;

	if (!vs->quorum_up && v->has_sorry_server) {
		/* keepalived: quorum lost, the sorry server alone serves */
		rs_spec(c, &v->sorry_server, &vs->sorry, &out[n++]);
		return n;
	}
	for (size_t r = 0; r < v->n_rs; r++) {
		const struct ctl_rs *rt = &vs->rs[r];

		if (!rt->healthy && !v->rs[r].inhibit_on_failure)
			continue; /* removed from the service */
		rs_spec(c, &v->rs[r], rt, &out[n++]);
	}
	return n;
}

void ctl_spec_addr(struct svc_spec_addr *a, uint32_t *n, const struct cfg_addr *addr, uint8_t flags,
		   uint8_t port)
{
	a[*n] = (struct svc_spec_addr){ .flags = flags, .port = port, .af = addr->af };
	if (addr->af == 6)
		memcpy(a[*n].addr6, addr->v6, 16);
	else
		a[*n].addr = addr->v4;
	(*n)++;
}

/* The port instance i's VIP v lives on. */
static uint8_t vip_port(const struct ctl *c, const struct cfg_vrrp_instance *in,
			const struct cfg_vip *v)
{
	const struct cfg_port *cp = cfg_port_find(c->d, v->dev != NULL ? v->dev : in->interface);

	return cp != NULL ? (uint8_t)(cp - c->d->ports) : SVC_PORT_ANY;
}

/* What the workers know of addresses: the director's own (and the port
 * each lives on, for ARP), the VIPs (held or not), the real servers (a NAT
 * one's replies are steered to their connection's worker), and who is
 * trusted (gateways, VRRP peers: the kernel hears them first). */
static uint32_t addr_specs(const struct ctl *c, struct svc_spec_addr *a)
{
	const struct cfg_keepalived *k = c->k;
	uint32_t n = 0;

	for (size_t p = 0; p < c->d->n_ports; p++) {
		const struct cfg_addr ll = cfg_addr6(c->env.ports[p].ll6);

		ctl_spec_addr(a, &n, &ll, SVC_AF_LOCAL, (uint8_t)p);
		for (size_t i = 0; i < c->d->ports[p].n_addrs; i++)
			ctl_spec_addr(a, &n, &c->d->ports[p].addrs[i].addr, SVC_AF_LOCAL,
				      (uint8_t)p);
	}
	for (size_t i = 0; i < k->n_instances; i++) {
		const struct cfg_vrrp_instance *in = &k->instances[i];

		for (size_t v = 0; v < in->n_vips; v++)
			ctl_spec_addr(a, &n, &in->vips[v].pfx.addr,
				      SVC_AF_VIP | (c->inst_master[i] ? SVC_AF_OWNED : 0),
				      vip_port(c, in, &in->vips[v]));
		for (size_t p = 0; p < in->n_unicast_peers; p++)
			ctl_spec_addr(a, &n, &in->unicast_peers[p], SVC_AF_TRUSTED, SVC_PORT_ANY);
	}
	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *v = &k->vs[i];
		uint8_t rs = SVC_AF_RS | (v->fwd == CFG_FWD_NAT ? SVC_AF_NAT_RS : 0);

		for (size_t m = 0; m < v->n_members; m++)
			ctl_spec_addr(a, &n, &v->members[m].addr,
				      SVC_AF_SERVICE | SVC_AF_VIP |
					  (ctl_vs_owned(c, i) ? SVC_AF_OWNED : 0),
				      c->vs[i].owner < 0 ? ctl_port_of(c, &v->members[m].addr)
							 : SVC_PORT_ANY);
		for (size_t r = 0; r < v->n_rs; r++)
			ctl_spec_addr(a, &n, &v->rs[r].addr, rs, SVC_PORT_ANY);
		if (v->has_sorry_server)
			ctl_spec_addr(a, &n, &v->sorry_server.addr, rs, SVC_PORT_ANY);
	}
	for (size_t r = 0; r < c->d->n_routes; r++)
		if (!cfg_addr_is_any(&c->d->routes[r].via))
			ctl_spec_addr(a, &n, &c->d->routes[r].via, SVC_AF_TRUSTED, SVC_PORT_ANY);
	return ctl_static_addr_specs(c, a, n);
}

/* Snapshot entries: one per address and port a virtual server serves (a
 * virtual_server group has several, sharing one entry's real servers and
 * counters). */
size_t ctl_members_total(const struct cfg_keepalived *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->n_vs; i++)
		n += k->vs[i].n_members;
	return n;
}

static uint32_t addrs_max(const struct ctl *c)
{
	uint32_t n = (uint32_t)(ctl_members_total(c->k) + c->d->n_routes + ctl_static_addrs_max(c));

	for (size_t p = 0; p < c->d->n_ports; p++)
		n += (uint32_t)c->d->ports[p].n_addrs + 1; /* and its link-local */
	for (size_t i = 0; i < c->k->n_instances; i++)
		n += (uint32_t)(c->k->instances[i].n_vips + c->k->instances[i].n_unicast_peers);
	for (size_t i = 0; i < c->k->n_vs; i++)
		n += (uint32_t)c->k->vs[i].n_rs + 1;
	return n;
}

static void vs_spec(struct ctl *c, size_t i, const struct cfg_vs_member *m, struct svc_spec_rs *rs,
		    uint32_t n_rs, struct svc_spec *sp)
{
	const struct cfg_virtual_server *v = &c->k->vs[i];

	sp->af = m->addr.af;
	if (m->addr.af == 6)
		memcpy(sp->vip6, m->addr.v6, 16);
	else
		sp->vip = m->addr.v4;
	sp->vport = m->port;
	sp->persist_plen6 = v->persistence_plen6;
	sp->proto = v->protocol;
	sp->fwd = v->fwd;
	sp->sched = v->sched;
	sp->sched_params.port = v->sched_port;
	sp->sched_params.fallback = v->sched_fallback;
	sp->persist_s = v->persistence_timeout;
	sp->persist_mask = v->persistence_granularity;
	sp->stat = c->vs[i].stat;
	sp->owned = ctl_vs_owned(c, i);
	sp->rs = rs;
	sp->n_rs = n_rs;
}

/* The gateways of the routes: pinned in the neighbour table, resolved
 * before anything needs them. */
static void pin_gateways(struct ctl *c)
{
	for (size_t r = 0; r < c->d->n_routes; r++) {
		const struct cfg_addr *via = &c->d->routes[r].via;
		struct cfg_addr nh;
		uint8_t port;

		if (cfg_addr_is_any(via))
			continue;
		nexthop_of(c, via, &nh, &port);
		neigh_pin(c, &nh, port);
	}
}

int ctl_publish(struct ctl *c)
{
	const struct cfg_keepalived *k = c->k;
	size_t n_specs = 0, total = ctl_members_total(k);
	struct svc_spec *specs = calloc(total ? total : 1, sizeof(*specs));
	struct svc_spec_rs **rs = calloc(k->n_vs ? k->n_vs : 1, sizeof(*rs));
	struct svc_spec_addr *addrs = calloc(addrs_max(c) + 1, sizeof(*addrs));
	struct svc_snapshot *snap = NULL;
	uint32_t n_addrs, n_rs;
	int rc = -ENOMEM;

	if (specs == NULL || rs == NULL || addrs == NULL)
		goto out;
	if (ctl_routes_refresh(c) != 0) /* the old table stays; retried next time */
		HALB_LOG(ctl, ERR, "the static and virtual routes are not in force");
	neigh_pin_begin(c->env.neigh);
	pin_gateways(c);
	ctl_static_pin(c);
	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *v = &k->vs[i];

		rs[i] = calloc(v->n_rs + 1, sizeof(**rs));
		if (rs[i] == NULL)
			goto out;
		n_rs = vs_rs_specs(c, i, rs[i]);
		for (size_t m = 0; m < v->n_members; m++)
			vs_spec(c, i, &v->members[m], rs[i], n_rs, &specs[n_specs++]);
	}
	n_addrs = addr_specs(c, addrs);
	snap = svc_snapshot_build(specs, (uint32_t)n_specs, addrs, n_addrs, c->routes, c->n_workers,
				  c->ports[0].socket, c->env.svc.cur);
	if (snap == NULL) {
		rc = -rte_errno;
		goto out;
	}
	/* A VIP stops attracting traffic before the dataplane stops serving
	 * it, and attracts it only once served. */
	ctl_announce_update(c, false);
	svc_publish(&c->env.svc, snap);
	ctl_announce_update(c, true);
	rc = 0;
out:
	for (size_t i = 0; rs != NULL && i < k->n_vs; i++)
		free(rs[i]);
	free(rs);
	free(specs);
	free(addrs);
	if (rc != 0)
		rte_errno = -rc;
	return rc == 0 ? 0 : -1;
}

/* --------------------------------------------------------- VIP ownership */

void ctl_instance_own(struct ctl *c, size_t i, bool own)
{
	const struct cfg_vrrp_instance *in = &c->k->instances[i];

	c->inst_master[i] = own;
	ctl_sync_role(c, i, own);
	/* Serve first, then announce: the snapshot before the GARPs. */
	if (own && ctl_publish(c) != 0)
		HALB_LOG(ctl, ERR, "(%s) cannot publish the services: %s", in->name,
			 rte_strerror(rte_errno));
	for (size_t a = 0; a < in->n_vips; a++) {
		const struct cfg_vip *v = &in->vips[a];
		const struct cfg_port *cp =
		    cfg_port_find(c->d, v->dev != NULL ? v->dev : in->interface);
		uint8_t p = cp != NULL ? (uint8_t)(cp - c->d->ports) : 0;
		int rc = port_kernel_addr(&c->ports[p], &v->pfx.addr, v->pfx.plen, v->label, own);
		char a[CFG_ADDR_STRLEN];

		if (rc != 0)
			HALB_LOG(ctl, WARNING, "(%s) cannot %s %s on %s: %s", in->name,
				 own ? "add" : "remove", cfg_addr_str(&v->pfx.addr, a),
				 cp ? cp->kernel_if : "?", strerror(-rc));
	}
	/* virtual_routes after the VIPs, which they may use as source */
	ctl_vroutes(c, i, own);
	if ((!own || in->n_vroutes > 0) && ctl_publish(c) != 0)
		HALB_LOG(ctl, ERR, "(%s) cannot publish the services: %s", in->name,
			 rte_strerror(rte_errno));
	ctl_check_ownership(c);
	ctl_io_flush(c);
}

size_t ctl_static_vip_list(const struct ctl *c, struct cfg_addr *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_vs_rt; i++) {
		bool seen = false;

		if (c->vs[i].owner >= 0)
			continue;
		for (size_t j = 0; j < n; j++)
			seen |= cfg_addr_eq(&out[j], &c->k->vs[i].addr);
		if (!seen)
			out[n++] = c->k->vs[i].addr;
	}
	return n;
}

/* A host address's prefix length: 32 or 128. */
static uint8_t host_plen(const struct cfg_addr *a)
{
	return a->af == 6 ? 128 : 32;
}

void ctl_static_vips_drop(struct ctl *c, const struct cfg_addr *old, size_t n_old)
{
	struct cfg_addr *now = calloc(c->n_vs_rt + 1, sizeof(*now));
	size_t n_now;

	if (now == NULL)
		return;
	n_now = ctl_static_vip_list(c, now);
	for (size_t i = 0; i < n_old; i++) {
		bool stays = false;

		for (size_t j = 0; j < n_now; j++)
			stays |= cfg_addr_eq(&now[j], &old[i]);
		if (!stays)
			port_kernel_addr(&c->ports[ctl_port_of(c, &old[i])], &old[i],
					 host_plen(&old[i]), NULL, false);
	}
	free(now);
}

void ctl_static_vips(struct ctl *c)
{
	for (size_t i = 0; i < c->k->n_vs; i++) {
		const struct cfg_addr *vip = &c->k->vs[i].addr;
		uint8_t p = ctl_port_of(c, vip);
		char a[CFG_ADDR_STRLEN];
		bool seen = false;

		if (c->vs[i].owner >= 0)
			continue;
		for (size_t j = 0; j < i; j++)
			seen |= cfg_addr_eq(&c->k->vs[j].addr, vip) && c->vs[j].owner < 0;
		if (seen)
			continue;
		if (port_kernel_addr(&c->ports[p], vip, host_plen(vip), NULL, true) != 0)
			HALB_LOG(ctl, WARNING, "cannot add VIP %s to %s", cfg_addr_str(vip, a),
				 c->d->ports[p].kernel_if);
		/* Announced by routing, a VIP is every director's at once: none
		 * claims it on the link. */
		if (c->announce == NULL)
			ctl_claim_addr(c, p, vip);
	}
	ctl_io_flush(c);
}

/* ---------------------------------------------------------------- rates */

static double ewma(double avg, double sample)
{
	/* IPVS's estimator: avg += (sample - avg) / 4 every two seconds */
	return avg + (sample - avg) / 4.0;
}

void ctl_rates_update(struct ctl *c, double interval_s)
{
	for (uint32_t s = 0; s < c->n_stats; s++) {
		struct ctl_rate *r = &c->rates[s];
		struct svc_counters now;

		fwd_counters_sum(&c->env, s, &now);
		r->cps = ewma(r->cps, (double)(now.conns - r->last.conns) / interval_s);
		r->in_pps = ewma(r->in_pps, (double)(now.in_pkts - r->last.in_pkts) / interval_s);
		r->out_pps =
		    ewma(r->out_pps, (double)(now.out_pkts - r->last.out_pkts) / interval_s);
		r->in_bps = ewma(r->in_bps, (double)(now.in_bytes - r->last.in_bytes) / interval_s);
		r->out_bps =
		    ewma(r->out_bps, (double)(now.out_bytes - r->last.out_bytes) / interval_s);
		r->last = now;
	}
}
