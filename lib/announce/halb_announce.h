/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_ANNOUNCE_H
#define HALB_ANNOUNCE_H

/**
 * @file
 * Route health injection, the policy (docs/SCALEOUT.md). halb speaks no
 * routing protocol: a VIP it announces is an address of a kernel interface
 * of its own, which a routing daemon beside it (BIRD's direct protocol)
 * exports. This component decides which VIPs are on that interface and
 * keeps the record an operator reads (halbctl announce): whether each VIP
 * is announced, why or why not, since when, how often it changed.
 *
 * A VIP is announced exactly while
 * - this director serves it (no vrrp_instance holds it, or the instance
 *   that does is MASTER here),
 * - its health is known (every checker of its virtual servers has given a
 *   first verdict: a director that has just started does not attract
 *   traffic on the assumption that every real server is up; a VIP already
 *   announced stays while a reload's new checkers make their first
 *   attempt, so SIGHUP does not flap the route),
 * - at least one virtual server on it has quorum (keepalived's quorum,
 *   default: one real server up), and
 * - halb is not stopping.
 * Whatever is announced and should not be is withdrawn; the caller does
 * the withdrawals before the dataplane stops serving and the additions
 * after it starts (announce_update's adds flag).
 *
 * Pure apart from the callback that changes the interface; control core
 * only (no locking).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Why a VIP is, or is not, announced. */
enum announce_why {
	ANNOUNCE_UP,          /**< served, health known, quorum met */
	ANNOUNCE_NOT_SERVED,  /**< its vrrp_instance is not MASTER here */
	ANNOUNCE_PENDING,     /**< its health checks have not all run yet */
	ANNOUNCE_QUORUM_LOST, /**< no virtual server on it has quorum */
	ANNOUNCE_STOPPING,    /**< halb is stopping */
	ANNOUNCE_FAILED,      /**< the kernel refused the change (err says why) */
};

/** What the control core knows of one VIP (one per distinct address). */
struct announce_fact {
	struct cfg_addr addr; /**< IPv4 or IPv6 */
	bool served;          /**< the dataplane serves it */
	bool settled;         /**< every checker of its virtual servers has run */
	uint16_t n_vs;        /**< virtual servers on the address */
	uint16_t n_up;        /**< of those, with quorum */
};

/** One VIP's record. */
struct announce_vip {
	struct announce_fact fact; /**< as last given */
	bool announced;            /**< the address is on the interface */
	enum announce_why why;     /**< why it is (ANNOUNCE_UP) or is not */
	int err;                   /**< ANNOUNCE_FAILED: a negative errno */
	double since;              /**< when announced last changed, or first seen */
	uint64_t changes;          /**< announcements plus withdrawals */
};

struct announce_ops {
	/** Adds (add) or removes addr on the interface, for the reason why:
	 * 0 or a negative errno. */
	int (*apply)(void *ctx, const struct cfg_addr *addr, bool add, enum announce_why why);
	void *ctx;
};

struct announce;

/** An empty record; ops is copied. NULL when out of memory. */
struct announce *announce_create(const struct announce_ops *ops);

/** Frees a; changes nothing on the interface. */
void announce_free(struct announce *a);

/** The verdict on one VIP, before the interface is asked. */
enum announce_why announce_verdict(const struct announce_fact *f, bool stopping);

/**
 * Brings the interface in line with facts (n distinct addresses): VIPs
 * whose verdict is not ANNOUNCE_UP, or that are no longer in facts, are
 * withdrawn; with adds, those whose verdict is ANNOUNCE_UP and are not on
 * the interface are announced (a failed change is tried again on the next
 * call). now (seconds) stamps the changes.
 * @return the number of changes made, or -1 when out of memory (nothing
 *   changed).
 */
int announce_update(struct announce *a, const struct announce_fact *facts, size_t n, bool stopping,
		    bool adds, double now);

/** The record, in the order of the last facts; *v valid until the next
 * announce_update(). */
size_t announce_list(const struct announce *a, const struct announce_vip **v);

/** How many VIPs are announced. */
size_t announce_count(const struct announce *a);

/** why as a token for telemetry: "served", "not_served", "checks_pending",
 * "quorum_lost", "stopping", "kernel_error". */
const char *announce_why_str(enum announce_why why);

#ifdef __cplusplus
}
#endif

#endif /* HALB_ANNOUNCE_H */
