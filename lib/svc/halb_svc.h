/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_SVC_H
#define HALB_SVC_H

/**
 * @file
 * The service snapshot: everything a worker needs to decide where a packet
 * goes, as one immutable structure.
 *
 * The control core builds a snapshot from the configuration and the running
 * state (which VIPs this director owns, which real servers are healthy, their
 * weights), publishes it with one atomic pointer store, and frees the one it
 * replaced once every worker has passed an RCU quiescent point. Workers load
 * the pointer once per burst and never lock.
 *
 * Counters are not in the snapshot: they live per worker, indexed by stable
 * "stat slots" that the control core assigns to each service and real
 * server, so they survive rebuilds and reloads.
 *
 * IPv4 and IPv6 services and addresses live in tables of their own
 * (by_key/addrs and by_key6/addrs6), so an IPv4 lookup hashes 4 bytes, not
 * 16. A real server's family is its own: a TUN service may send IPv4 in
 * IPv6 or IPv6 in IPv4, as IPVS does.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_rcu_qsbr.h>

#include "halb_config.h"
#include "halb_route.h"
#include "halb_sched.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Number of stat slots (services plus real servers over the process life). */
#define SVC_STAT_MAX 65536u

/* stat_flags bits */
#define SVC_SF_OWNED   0x01 /**< service slot: its VIP is owned: serve it */
#define SVC_SF_PRESENT 0x02 /**< real server slot: still in its service */

/* address flags (struct svc_snapshot.addrs) */
#define SVC_AF_LOCAL   0x01 /**< one of the director's own addresses */
#define SVC_AF_VIP     0x02 /**< a virtual_ipaddress of some instance */
#define SVC_AF_OWNED   0x04 /**< ... that this director holds (MASTER) */
#define SVC_AF_SERVICE 0x08 /**< ... that has virtual servers */
#define SVC_AF_RS      0x10 /**< a real (or sorry) server */
#define SVC_AF_NAT_RS  0x20 /**< ... of a NAT service: its replies are steered */
#define SVC_AF_TRUSTED 0x40 /**< a gateway or a VRRP peer: the kernel hears it first */

/** An address's port when it has none of its own (svc_addr_info). */
#define SVC_PORT_ANY 0xff

/** Per-worker counters of one stat slot. */
struct svc_counters {
	uint64_t conns;
	uint64_t in_pkts, out_pkts;
	uint64_t in_bytes, out_bytes;
	int64_t active, inactive; /**< deltas: the sum over workers is the count */
} __rte_cache_aligned;

struct svc_rs {
	rte_be32_t addr; /**< IPv4 */
	rte_be16_t port;
	uint8_t out_port; /**< port towards its next hop */
	bool available;   /**< healthy and in service */
	uint32_t weight;  /**< in force (0: quiesced) */
	uint32_t stat;
	int32_t neigh; /**< neighbour slot of the next hop, -1 when none */
	rte_be32_t nexthop;
	uint8_t af;           /**< 4 or 6 */
	uint8_t addr6[16];    /**< IPv6 */
	uint8_t nexthop6[16]; /**< IPv6 */
};

/** A service's scheduler and its per-worker state, shared by the snapshots
 * that schedule over the same destinations (refcounted, control core). */
struct svc_sched;

struct svc {
	rte_be32_t vip; /**< IPv4 */
	rte_be16_t vport;
	uint8_t proto;
	uint8_t af;       /**< 4 or 6 */
	uint8_t vip6[16]; /**< IPv6 */
	uint8_t fwd;      /**< enum cfg_fwd */
	bool flow_hashed; /**< the scheduler maps a flow to a server by its
			   * addresses alone (mh, sh, dh): any director agrees */
	uint32_t stat;
	uint32_t persist_ms;     /**< 0: no persistence */
	rte_be32_t persist_mask; /**< persistence_granularity (IPv4) */
	uint8_t persist_plen6;   /**< persistence_granularity (IPv6 prefix length) */
	struct sched *sched;
	struct sched_state **state; /**< one per worker */
	struct svc_sched *shared;   /**< what owns sched and state */
	uint32_t n_rs;
	struct svc_rs *rs;
};

struct svc_snapshot {
	uint64_t generation;
	struct rte_hash *by_key;  /**< struct svc_key -> index in svc[] */
	struct rte_hash *addrs;   /**< be32 address -> SVC_AF_* */
	struct rte_hash *by_key6; /**< struct svc_key6 -> index in svc[] */
	struct rte_hash *addrs6;  /**< 16-byte address -> SVC_AF_* */
	uint32_t n_svc;
	struct svc *svc;
	uint8_t *stat_flags;         /**< [SVC_STAT_MAX] SVC_SF_* */
	const struct svc_rs **rs_of; /**< [SVC_STAT_MAX] real server by slot */
	struct route_table *routes;  /**< shared with other snapshots */
	struct svc_snapshot *retired_next;
	uint64_t retired_token;
};

struct svc_key {
	rte_be32_t vip;
	rte_be16_t vport;
	uint8_t proto;
	uint8_t pad;
} __rte_packed;

struct svc_key6 {
	uint8_t vip[16];
	rte_be16_t vport;
	uint8_t proto;
	uint8_t pad;
} __rte_packed;

/* ------------------------------------------------------------- building */

/** A real server as the builder is told about it (host order; IPv6 when
 * af is 6, in addr6 and nexthop6). */
struct svc_spec_rs {
	uint32_t addr;
	uint16_t port;
	uint32_t weight;
	bool available;
	uint32_t stat;
	int32_t neigh;
	uint32_t nexthop;
	uint8_t out_port;
	uint8_t af; /**< 0 or 4: IPv4; 6: IPv6 */
	uint8_t addr6[16];
	uint8_t nexthop6[16];
};

/** A service as the builder is told about it (host order; IPv6 when af is
 * 6, in vip6). */
struct svc_spec {
	uint32_t vip;
	uint16_t vport;
	uint8_t proto;
	uint8_t af; /**< 0 or 4: IPv4; 6: IPv6 */
	uint8_t vip6[16];
	uint8_t persist_plen6; /**< IPv6 persistence granularity; 0: 128 */
	enum cfg_fwd fwd;
	enum cfg_sched sched;
	struct sched_params sched_params;
	uint32_t persist_s;
	uint32_t persist_mask;
	uint32_t stat;
	bool owned;
	const struct svc_spec_rs *rs;
	uint32_t n_rs;
};

/** An address the director knows about, with SVC_AF_* flags, and the port
 * it lives on (SVC_PORT_ANY: none in particular). An address given twice
 * has the union of the flags; the first port given stays. */
struct svc_spec_addr {
	uint32_t addr;
	uint8_t flags;
	uint8_t port;
	uint8_t af; /**< 0 or 4: IPv4; 6: IPv6, in addr6 */
	uint8_t addr6[16];
};

/**
 * Builds a snapshot. routes is shared (the caller keeps it alive while any
 * snapshot uses it). A service of prev (the snapshot in force, or NULL)
 * whose scheduler would be built over the same destinations, weights and
 * parameters keeps its scheduler and its workers' state (rr's position,
 * lblc's maps): a health change rebuilds one service's Maglev table, not
 * every one. Control core. @return NULL with rte_errno set.
 */
struct svc_snapshot *svc_snapshot_build(const struct svc_spec *specs, uint32_t n,
					const struct svc_spec_addr *addrs, uint32_t n_addrs,
					struct route_table *routes, uint16_t n_workers, int socket,
					const struct svc_snapshot *prev);

void svc_snapshot_free(struct svc_snapshot *s, uint16_t n_workers);

/* --------------------------------------------------------------- lookup */

/** Worker: the SVC_AF_* flags of dst, 0 when unknown. */
uint8_t svc_addr_flags(const struct svc_snapshot *s, rte_be32_t dst);

/** Worker: the same, and the port the address lives on (SVC_PORT_ANY). */
uint8_t svc_addr_info(const struct svc_snapshot *s, rte_be32_t dst, uint8_t *port);

/** Worker: the service for a packet to vip:vport/proto, or NULL. */
const struct svc *svc_lookup(const struct svc_snapshot *s, rte_be32_t vip, rte_be16_t vport,
			     uint8_t proto);

/** Worker: svc_addr_info for an IPv6 address (16 bytes). */
uint8_t svc_addr_info6(const struct svc_snapshot *s, const uint8_t *dst, uint8_t *port);

/** Worker: svc_addr_flags for an IPv6 address. */
uint8_t svc_addr_flags6(const struct svc_snapshot *s, const uint8_t *dst);

/** Worker: svc_lookup for an IPv6 VIP. */
const struct svc *svc_lookup6(const struct svc_snapshot *s, const uint8_t *vip, rte_be16_t vport,
			      uint8_t proto);

/* ----------------------------------------------------------- publishing */

/** Where the current snapshot is published, with its retired ones. */
struct svc_domain {
	struct svc_snapshot *cur; /**< read with svc_current() */
	struct svc_snapshot *retired;
	struct rte_rcu_qsbr *qsbr;
	uint16_t n_workers;
};

/** Worker: the snapshot in force (valid until its next quiescent report). */
static inline const struct svc_snapshot *svc_current(const struct svc_domain *d)
{
	return __atomic_load_n(&d->cur, __ATOMIC_ACQUIRE);
}

/** Control: publishes s; the previous snapshot is retired. */
void svc_publish(struct svc_domain *d, struct svc_snapshot *s);

/** Control: frees retired snapshots whose grace period is over. */
void svc_reclaim(struct svc_domain *d);

/** Control, at exit (workers stopped): frees everything. */
void svc_domain_clear(struct svc_domain *d);

#ifdef __cplusplus
}
#endif

#endif /* HALB_SVC_H */
