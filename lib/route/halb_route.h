/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_ROUTE_H
#define HALB_ROUTE_H

/**
 * @file
 * The routing table: the ports' connected prefixes and the dataplane file's
 * routes. It picks the next hop and the port for NAT replies, TUN's outer
 * packets and anything halb originates.
 *
 * IPv4 is an rte_lpm. IPv6 routes are few on a director (a connected
 * prefix or two per port, a default route), and rte_lpm6 would take 64 MiB
 * for its first-level table alone, so they are an array sorted by prefix
 * length, longest first, searched in order: the first match is the longest.
 *
 * A table is immutable once built: a reload builds a new one and publishes
 * it inside the service snapshot (lib/svc), so workers read it without locks
 * and the old one is freed after an RCU grace period.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_lpm.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where an IPv4 route leads. gw == 0: the destination is on the link. */
struct route_nh {
	rte_be32_t gw;
	uint8_t port;
};

/** An IPv6 route: prefix/plen via gw (all zero: on the link) out of port. */
struct route6 {
	uint8_t prefix[16]; /**< host bits clear */
	uint8_t gw[16];
	uint8_t plen;
	uint8_t port;
	bool on_link;
	uint32_t seq; /**< order given (the later of two equal prefixes wins) */
};

struct route_table {
	struct rte_lpm *lpm;
	int32_t dflt; /**< next hop of 0.0.0.0/0 (rte_lpm takes no depth 0), or -1 */
	uint32_t n_nh;
	uint32_t n6;       /**< IPv6 routes in r6, longest prefix first */
	struct route6 *r6; /**< points past nh[] */
	struct route_nh nh[];
};

/**
 * Builds the table for the dataplane file's ports (index = position in
 * p->ports) and routes. Control core. @return NULL with rte_errno set.
 */
struct route_table *route_table_build(const struct cfg_dataplane *p, int socket);

/** A route from keepalived.conf (static_routes, an instance's
 * virtual_routes): via of af 0 is on the link of port; port -1 is the one
 * whose connected prefix holds via. */
struct route_extra {
	struct cfg_prefix prefix;
	struct cfg_addr via; /**< of the prefix's family, or af 0 */
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

/** Whether the IPv6 address a lies in prefix/plen (host bits of prefix
 * clear). */
static inline bool route6_match(const uint8_t *a, const uint8_t *prefix, uint8_t plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (memcmp(a, prefix, full) != 0)
		return false;
	return rest == 0 || (a[full] & (uint8_t)(0xff00u >> rest)) == prefix[full];
}

/**
 * The next hop (the destination itself when on the link) and port towards
 * the IPv6 address dst. @return 0, or -1 when no route matches.
 */
static inline int route_lookup6(const struct route_table *rt, const uint8_t *dst, uint8_t *nexthop,
				uint8_t *port)
{
	for (uint32_t i = 0; i < rt->n6; i++) {
		const struct route6 *r = &rt->r6[i];

		if (!route6_match(dst, r->prefix, r->plen))
			continue;
		memcpy(nexthop, r->on_link ? dst : r->gw, 16);
		*port = r->port;
		return 0;
	}
	return -1;
}

#ifdef __cplusplus
}
#endif

#endif /* HALB_ROUTE_H */
