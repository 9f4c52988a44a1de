/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building the LPM table. Connected prefixes come first, one next hop per
 * port address; a configured route's port is the one whose connected prefix
 * holds its gateway (halb -t has already checked there is one). rte_lpm has
 * no depth 0, so a default route is kept beside it as the fallback of
 * route_lookup().
 */
#include <errno.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "halb_route.h"

static uint32_t prefix_mask(uint8_t plen)
{
	return plen == 0 ? 0 : ~0u << (32 - plen);
}

/* The port whose connected prefix holds addr (host order), or -1. */
static int connected_port(const struct cfg_dataplane *p, uint32_t addr)
{
	for (size_t i = 0; i < p->n_ports; i++)
		for (size_t a = 0; a < p->ports[i].n_addrs; a++) {
			const struct cfg_prefix *pf = &p->ports[i].addrs[a];
			uint32_t m = prefix_mask(pf->plen);

			if ((addr & m) == (pf->addr & m))
				return (int)i;
		}
	return -1;
}

/* One route's next hop at nh[i]; the default route is kept aside. */
static int route_add(struct route_table *rt, uint32_t i, const struct cfg_prefix *pf,
		     struct route_nh nh)
{
	rt->nh[i] = nh;
	if (pf->plen == 0) {
		/* rte_lpm_add refuses depth 0: the default route is what a
		 * lookup falls back to (the last one given wins, as a later
		 * route for the same prefix does below). */
		rt->dflt = (int32_t)i;
		return 0;
	}
	return rte_lpm_add(rt->lpm, pf->addr & prefix_mask(pf->plen), pf->plen, i) < 0 ? -1 : 0;
}

struct route_table *route_table_build(const struct cfg_dataplane *p, int socket)
{
	return route_table_build_ex(p, NULL, 0, socket);
}

struct route_table *route_table_build_ex(const struct cfg_dataplane *p, const struct route_extra *x,
					 size_t n_x, int socket)
{
	static unsigned int generation;
	size_t n_nh = p->n_routes + n_x;
	struct rte_lpm_config lc = { .number_tbl8s = 256 };
	struct route_table *rt;
	char name[RTE_LPM_NAMESIZE];
	uint32_t i = 0;

	for (size_t k = 0; k < p->n_ports; k++)
		n_nh += p->ports[k].n_addrs;
	lc.max_rules = (uint32_t)RTE_MAX(n_nh * 2, (size_t)64);
	rt = rte_zmalloc_socket("route", sizeof(*rt) + n_nh * sizeof(rt->nh[0]), 0, socket);
	if (rt == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	rt->dflt = -1;
	snprintf(name, sizeof(name), "route%u", generation++);
	rt->lpm = rte_lpm_create(name, socket, &lc);
	if (rt->lpm == NULL)
		goto fail;

	for (size_t k = 0; k < p->n_ports; k++)
		for (size_t a = 0; a < p->ports[k].n_addrs; a++, i++) {
			const struct cfg_prefix *pf = &p->ports[k].addrs[a];

			rt->nh[i] = (struct route_nh){ .gw = 0, .port = (uint8_t)k };
			if (rte_lpm_add(rt->lpm, pf->addr & prefix_mask(pf->plen), pf->plen, i) < 0)
				goto fail;
		}
	for (size_t r = 0; r < p->n_routes; r++, i++) {
		const struct cfg_route *ro = &p->routes[r];
		int port = connected_port(p, ro->via);

		if (port < 0) {
			rte_errno = EHOSTUNREACH;
			goto fail;
		}
		if (route_add(rt, i, &ro->prefix,
			      (struct route_nh){ .gw = rte_cpu_to_be_32(ro->via),
						 .port = (uint8_t)port }) != 0)
			goto fail;
	}
	for (size_t r = 0; r < n_x; r++, i++) {
		int port = x[r].port >= 0 ? x[r].port : connected_port(p, x[r].via);

		if (port < 0) {
			rte_errno = EHOSTUNREACH;
			goto fail;
		}
		if (route_add(rt, i, &x[r].prefix,
			      (struct route_nh){ .gw = rte_cpu_to_be_32(x[r].via),
						 .port = (uint8_t)port }) != 0)
			goto fail;
	}
	rt->n_nh = i;
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
