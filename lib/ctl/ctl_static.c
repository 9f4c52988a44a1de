/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived.conf's own addresses and routes: static_ipaddress and
 * static_routes, in force for as long as halb runs, and each instance's
 * virtual_routes, in force while it is MASTER.
 *
 * An address goes on the TAP of its port (the director's kernel holds it)
 * and into the dataplane's address list as one of the director's own (the
 * dataplane answers ARP for it and hands its traffic to the kernel). A
 * route goes into the kernel's main table through the TAP, and into halb's
 * own routing table (lib/route), which is rebuilt when the set of routes in
 * force changes and published with the next service snapshot. A reload
 * applies the difference: what left is removed, what came is added.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "ctl_priv.h"

static uint8_t port_index(const struct ctl *c, const char *dev)
{
	const struct cfg_port *cp = dev != NULL ? cfg_port_find(c->d, dev) : NULL;

	return cp != NULL ? (uint8_t)(cp - c->d->ports) : 0;
}

/* The port a route leaves by: its dev, else the port whose connected
 * prefix holds its gateway (halb -t checked there is one). */
static int route_port(const struct ctl *c, const struct cfg_sroute *r)
{
	if (r->dev != NULL)
		return port_index(c, r->dev);
	for (size_t p = 0; p < c->d->n_ports; p++)
		for (size_t a = 0; a < c->d->ports[p].n_addrs; a++)
			if (cfg_prefix_has(&c->d->ports[p].addrs[a], &r->via))
				return (int)p;
	return 0;
}

static bool same_route(const struct cfg_sroute *a, const struct cfg_sroute *b)
{
	return cfg_addr_eq(&a->prefix.addr, &b->prefix.addr) && a->prefix.plen == b->prefix.plen &&
	       cfg_addr_eq(&a->via, &b->via) && cfg_addr_eq(&a->src, &b->src) &&
	       a->metric == b->metric && (a->dev == NULL) == (b->dev == NULL) &&
	       (a->dev == NULL || strcmp(a->dev, b->dev) == 0);
}

static bool route_in(const struct cfg_sroute *r, const struct cfg_sroute *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (same_route(r, &set[i]))
			return true;
	return false;
}

static void kernel_route(struct ctl *c, const char *kind, const struct cfg_sroute *r, bool add)
{
	int p = route_port(c, r);
	struct cfg_kernel_route kr = {
		.prefix = r->prefix, .via = r->via, .metric = r->metric, .src = r->src
	};
	int rc = port_kernel_route(&c->ports[p], &kr, add);
	char a[CFG_ADDR_STRLEN];

	if (rc != 0)
		HALB_LOG(ctl, WARNING, "%s: cannot %s the route to %s/%u on %s: %s", kind,
			 add ? "add" : "remove", cfg_addr_str(&r->prefix.addr, a), r->prefix.plen,
			 c->d->ports[p].kernel_if, strerror(-rc));
}

void ctl_vroutes(struct ctl *c, size_t inst, bool add)
{
	const struct cfg_vrrp_instance *in = &c->k->instances[inst];

	if (in->n_vroutes == 0)
		return;
	for (size_t r = 0; r < in->n_vroutes; r++)
		kernel_route(c, in->name, &in->vroutes[r], add);
	c->routes_dirty = true;
}

static bool addr_in(const struct cfg_vip *a, const struct cfg_vip *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cfg_addr_eq(&set[i].pfx.addr, &a->pfx.addr) && set[i].pfx.plen == a->pfx.plen &&
		    strcmp(set[i].dev, a->dev) == 0)
			return true;
	return false;
}

static void kernel_addr(struct ctl *c, const struct cfg_vip *s, bool add)
{
	uint8_t p = port_index(c, s->dev);
	int rc = port_kernel_addr(&c->ports[p], &s->pfx.addr, s->pfx.plen, s->label, add);
	char a[CFG_ADDR_STRLEN];

	if (rc != 0)
		HALB_LOG(ctl, WARNING, "static_ipaddress: cannot %s %s/%u on %s: %s",
			 add ? "add" : "remove", cfg_addr_str(&s->pfx.addr, a), s->pfx.plen,
			 c->d->ports[p].kernel_if, strerror(-rc));
}

static bool static_routes_changed(const struct cfg_keepalived *a, const struct cfg_keepalived *b)
{
	if (a->n_static_routes != b->n_static_routes)
		return true;
	for (size_t i = 0; i < a->n_static_routes; i++)
		if (!same_route(&a->static_routes[i], &b->static_routes[i]))
			return true;
	return false;
}

void ctl_static_apply(struct ctl *c, const struct cfg_keepalived *old)
{
	const struct cfg_keepalived *k = c->k;

	if (old != NULL) {
		for (size_t i = 0; i < old->n_static_routes; i++)
			if (!route_in(&old->static_routes[i], k->static_routes, k->n_static_routes))
				kernel_route(c, "static_routes", &old->static_routes[i], false);
		for (size_t i = 0; i < old->n_static_addrs; i++)
			if (!addr_in(&old->static_addrs[i], k->static_addrs, k->n_static_addrs))
				kernel_addr(c, &old->static_addrs[i], false);
	}
	/* addresses first: a route may use one as its source */
	for (size_t i = 0; i < k->n_static_addrs; i++)
		if (old == NULL ||
		    !addr_in(&k->static_addrs[i], old->static_addrs, old->n_static_addrs))
			kernel_addr(c, &k->static_addrs[i], true);
	for (size_t i = 0; i < k->n_static_routes; i++)
		if (old == NULL ||
		    !route_in(&k->static_routes[i], old->static_routes, old->n_static_routes))
			kernel_route(c, "static_routes", &k->static_routes[i], true);
	/* halb's own table: rebuilt (64 MB of LPM) only when they changed */
	if (old == NULL ? k->n_static_routes > 0 : static_routes_changed(old, k))
		c->routes_dirty = true;
}

static void extra_add(const struct ctl *c, struct route_extra *x, size_t *n,
		      const struct cfg_sroute *r)
{
	x[(*n)++] = (struct route_extra){ .prefix = r->prefix,
					  .via = r->via,
					  .port = r->dev != NULL ? port_index(c, r->dev) : -1 };
}

int ctl_routes_refresh(struct ctl *c)
{
	const struct cfg_keepalived *k = c->k;
	size_t n = k->n_static_routes, m = 0;
	struct route_extra *x;
	struct route_table *rt, *old = c->routes;

	if (!c->routes_dirty)
		return 0;
	for (size_t i = 0; i < k->n_instances; i++)
		n += k->instances[i].n_vroutes;
	x = calloc(n ? n : 1, sizeof(*x));
	if (x == NULL)
		return -1;
	for (size_t i = 0; i < k->n_static_routes; i++)
		extra_add(c, x, &m, &k->static_routes[i]);
	for (size_t i = 0; i < k->n_instances; i++)
		for (size_t r = 0; c->inst_master[i] && r < k->instances[i].n_vroutes; r++)
			extra_add(c, x, &m, &k->instances[i].vroutes[r]);
	rt = route_table_build_ex(c->d, x, m, c->ports[0].socket);
	free(x);
	if (rt == NULL) {
		HALB_LOG(ctl, ERR, "cannot build the routing table: %s", rte_strerror(rte_errno));
		return -1;
	}
	/* A table no snapshot took yet is nobody's: free it here. One that
	 * was published goes with the last snapshot that uses it. */
	if (old != NULL && (c->env.svc.cur == NULL || c->env.svc.cur->routes != old))
		route_table_free(old);
	c->routes = rt;
	c->routes_dirty = false;
	return 0;
}

/* Calls fn on every route in force: the static ones, and the virtual
 * ones of the instances that are MASTER. */
static void routes_in_force(struct ctl *c,
			    void (*fn)(struct ctl *, const struct cfg_sroute *, void *), void *arg)
{
	const struct cfg_keepalived *k = c->k;

	for (size_t i = 0; i < k->n_static_routes; i++)
		fn(c, &k->static_routes[i], arg);
	for (size_t i = 0; i < k->n_instances; i++)
		for (size_t r = 0; c->inst_master[i] && r < k->instances[i].n_vroutes; r++)
			fn(c, &k->instances[i].vroutes[r], arg);
}

static void trust_gateway(struct ctl *c, const struct cfg_sroute *r, void *arg)
{
	struct {
		struct svc_spec_addr *a;
		uint32_t n;
	} *out = arg;

	if (r->via.af != 0)
		ctl_spec_addr(out->a, &out->n, &r->via, SVC_AF_TRUSTED, SVC_PORT_ANY);
	(void)c;
}

uint32_t ctl_static_addr_specs(const struct ctl *c, struct svc_spec_addr *a, uint32_t n)
{
	struct {
		struct svc_spec_addr *a;
		uint32_t n;
	} out = { a, n };

	for (size_t i = 0; i < c->k->n_static_addrs; i++)
		ctl_spec_addr(a, &out.n, &c->k->static_addrs[i].pfx.addr, SVC_AF_LOCAL,
			      port_index(c, c->k->static_addrs[i].dev));
	routes_in_force((struct ctl *)c, trust_gateway, &out);
	return out.n;
}

size_t ctl_static_addrs_max(const struct ctl *c)
{
	size_t n = c->k->n_static_addrs + c->k->n_static_routes;

	for (size_t i = 0; i < c->k->n_instances; i++)
		n += c->k->instances[i].n_vroutes;
	return n;
}

static void pin_gateway(struct ctl *c, const struct cfg_sroute *r, void *arg)
{
	const struct neigh_ip nh = ctl_neigh_ip(&r->via);

	(void)arg;
	if (r->via.af != 0)
		neigh_resolve(c->env.neigh, &nh, (uint8_t)route_port(c, r), true, fwd_clock_ms(),
			      &c->nops);
}

void ctl_static_pin(struct ctl *c)
{
	routes_in_force(c, pin_gateway, NULL);
}
