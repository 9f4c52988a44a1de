/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_ROUTE_H
#define HALB_ROUTE_H

/**
 * @file
 * The routing table: rte_lpm over the ports' connected prefixes and the
 * dataplane file's routes. It picks the next hop and the port for NAT
 * replies, TUN's outer packets and anything halb originates.
 *
 * A table is immutable once built: a reload builds a new one and publishes
 * it inside the service snapshot (lib/svc), so workers read it without locks
 * and the old one is freed after an RCU grace period.
 */

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where a route leads. gw == 0: the destination is on the link. */
struct route_nh {
	rte_be32_t gw;
	uint8_t port;
};

struct route_table {
	struct rte_lpm *lpm;
	int32_t dflt; /**< next hop of 0.0.0.0/0 (rte_lpm takes no depth 0), or -1 */
	uint32_t n_nh;
	struct route_nh nh[];
};

/**
 * Builds the table for the dataplane file's ports (index = position in
 * p->ports) and routes. Control core. @return NULL with rte_errno set.
 */
struct route_table *route_table_build(const struct cfg_dataplane *p, int socket);

/** A route from keepalived.conf (static_routes, an instance's
 * virtual_routes): via 0 is on the link of port; port -1 is the one whose
 * connected prefix holds via. */
struct route_extra {
	struct cfg_prefix prefix;
	uint32_t via; /**< host order */
	int port;
};

/** route_table_build() and then the n_x extra routes, which win over the
 * dataplane file's for the same prefix. */
struct route_table *route_table_build_ex(const struct cfg_dataplane *p, const struct route_extra *x,
					 size_t n_x, int socket);

void route_table_free(struct route_table *rt);

/**
 * The next hop and port towards dst (network order).
 * @return 0, or -1 when no route matches.
 */
static inline int route_lookup(const struct route_table *rt, rte_be32_t dst, rte_be32_t *nexthop,
			       uint8_t *port)
{
	uint32_t idx;
	const struct route_nh *nh;

	if (rte_lpm_lookup(rt->lpm, rte_be_to_cpu_32(dst), &idx) != 0) {
		if (rt->dflt < 0)
			return -1;
		idx = (uint32_t)rt->dflt;
	}
	nh = &rt->nh[idx];
	*nexthop = nh->gw != 0 ? nh->gw : dst;
	*port = nh->port;
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* HALB_ROUTE_H */
