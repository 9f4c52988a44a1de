/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the routing table. Connected prefixes come first, one next hop
 * per port address; a configured route's port is the one whose connected
 * prefix holds its gateway (halb -t has already checked there is one).
 * IPv4: rte_lpm has no depth 0, so a default route is kept beside it as the
 * fallback of route_lookup(). IPv6: the routes are sorted longest prefix
 * first (a stable sort: of two routes for one prefix, the later one given
 * wins, as with IPv4, by being put first).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "halb_route.h"

/* The port whose connected prefix holds addr, or -1. */
static int connected_port(const struct cfg_dataplane *p, const struct cfg_addr *addr)
{
	for (size_t i = 0; i < p->n_ports; i++)
		for (size_t a = 0; a < p->ports[i].n_addrs; a++)
			if (cfg_prefix_has(&p->ports[i].addrs[a], addr))
				return (int)i;
	return -1;
}

/* How many connected prefixes and routes of family af. */
static size_t count_af(const struct cfg_dataplane *p, uint8_t af)
{
	size_t n = 0;

	for (size_t k = 0; k < p->n_ports; k++)
		for (size_t a = 0; a < p->ports[k].n_addrs; a++)
			n += p->ports[k].addrs[a].addr.af == af;
	for (size_t r = 0; r < p->n_routes; r++)
		n += p->routes[r].prefix.addr.af == af;
	return n;
}

static int add4(struct route_table *rt, uint32_t *i, const struct cfg_prefix *pf, rte_be32_t gw,
		uint8_t port)
{
	uint32_t net = cfg_addr_masked(&pf->addr, pf->plen).v4;

	rt->nh[*i] = (struct route_nh){ .gw = gw, .port = port };
	if (pf->plen == 0) {
		/* rte_lpm_add refuses depth 0: the default route is what a
		 * lookup falls back to (the last one given wins, as a later
		 * route for the same prefix does in the table). */
		rt->dflt = (int32_t)*i;
	} else if (rte_lpm_add(rt->lpm, net, pf->plen, *i) < 0) {
		return -1;
	}
	(*i)++;
	return 0;
}

static void add6(struct route_table *rt, const struct cfg_prefix *pf, const struct cfg_addr *gw,
		 uint8_t port)
{
	struct route6 *r = &rt->r6[rt->n6];
	struct cfg_addr net = cfg_addr_masked(&pf->addr, pf->plen);

	memset(r, 0, sizeof(*r));
	r->seq = rt->n6++;
	memcpy(r->prefix, net.v6, 16);
	r->plen = pf->plen;
	r->port = port;
	r->on_link = gw == NULL;
	if (gw != NULL)
		memcpy(r->gw, gw->v6, 16);
}

/* Longest prefix first; of equal ones, the later given first. */
static int route6_cmp(const void *pa, const void *pb)
{
	const struct route6 *a = pa, *b = pb;

	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	return a->seq < b->seq ? 1 : -1;
}

static int add_connected(struct route_table *rt, const struct cfg_dataplane *p, uint32_t *i)
{
	for (size_t k = 0; k < p->n_ports; k++)
		for (size_t a = 0; a < p->ports[k].n_addrs; a++) {
			const struct cfg_prefix *pf = &p->ports[k].addrs[a];

			if (pf->addr.af == 6)
				add6(rt, pf, NULL, (uint8_t)k);
			else if (add4(rt, i, pf, 0, (uint8_t)k) != 0)
				return -1;
		}
	return 0;
}

static int add_routes(struct route_table *rt, const struct cfg_dataplane *p, uint32_t *i)
{
	for (size_t r = 0; r < p->n_routes; r++) {
		const struct cfg_route *ro = &p->routes[r];
		int port = connected_port(p, &ro->via);

		if (port < 0) {
			rte_errno = EHOSTUNREACH;
			return -1;
		}
		if (ro->prefix.addr.af == 6)
			add6(rt, &ro->prefix, &ro->via, (uint8_t)port);
		else if (add4(rt, i, &ro->prefix, rte_cpu_to_be_32(ro->via.v4), (uint8_t)port) != 0)
			return -1;
	}
	return 0;
}

/* keepalived.conf's routes, after the file's: they win for a prefix both
 * give. */
static int add_extras(struct route_table *rt, const struct cfg_dataplane *p,
		      const struct route_extra *x, size_t n_x, uint32_t *i)
{
	for (size_t r = 0; r < n_x; r++) {
		const bool on_link = x[r].via.af == 0;
		int port = x[r].port >= 0 ? x[r].port : connected_port(p, &x[r].via);

		if (port < 0) {
			rte_errno = EHOSTUNREACH;
			return -1;
		}
		if (x[r].prefix.addr.af == 6)
			add6(rt, &x[r].prefix, on_link ? NULL : &x[r].via, (uint8_t)port);
		else if (add4(rt, i, &x[r].prefix, on_link ? 0 : rte_cpu_to_be_32(x[r].via.v4),
			      (uint8_t)port) != 0)
			return -1;
	}
	return 0;
}

struct route_table *route_table_build(const struct cfg_dataplane *p, int socket)
{
	return route_table_build_ex(p, NULL, 0, socket);
}

struct route_table *route_table_build_ex(const struct cfg_dataplane *p, const struct route_extra *x,
					 size_t n_x, int socket)
{
	static unsigned int generation;
	size_t n4 = count_af(p, 4), n6 = count_af(p, 6);
	struct rte_lpm_config lc = { .number_tbl8s = 256 };
	struct route_table *rt;
	char name[RTE_LPM_NAMESIZE];
	uint32_t i = 0;

	for (size_t r = 0; r < n_x; r++) {
		n4 += x[r].prefix.addr.af != 6;
		n6 += x[r].prefix.addr.af == 6;
	}
	lc.max_rules = (uint32_t)RTE_MAX(n4 * 2, (size_t)64);
	rt = rte_zmalloc_socket(
	    "route", sizeof(*rt) + n4 * sizeof(rt->nh[0]) + n6 * sizeof(*rt->r6), 0, socket);
	if (rt == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rt->dflt = -1;
	rt->r6 = (struct route6 *)&rt->nh[n4];
	snprintf(name, sizeof(name), "route%u", generation++);
	rt->lpm = rte_lpm_create(name, socket, &lc);
	if (rt->lpm == NULL || add_connected(rt, p, &i) != 0 || add_routes(rt, p, &i) != 0 ||
	    add_extras(rt, p, x, n_x, &i) != 0)
		goto fail;
	rt->n_nh = i;
	qsort(rt->r6, rt->n6, sizeof(*rt->r6), route6_cmp);
	return rt;
fail:
	route_table_free(rt);
	return NULL;
}

void route_table_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	rte_lpm_free(rt->lpm);
	rte_free(rt);
}
