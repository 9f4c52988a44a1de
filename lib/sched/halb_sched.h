/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_SCHED_H
#define HALB_SCHED_H

/**
 * @file
 * IPVS's schedulers as pure code: rr wrr lc wlc lblc lblcr dh sh sed nq fo
 * ovf mh, with the semantics of the Linux kernel's ip_vs_*.c.
 *
 * A scheduler is split in two:
 * - struct sched: what depends only on the destination set (the Maglev
 *   lookup table, the dh/sh bucket tables, gcd and maximum weight). Built on
 *   the control core when a service snapshot is made; immutable afterwards,
 *   so every worker reads it without locks.
 * - struct sched_state: the little mutable state a scheduler keeps between
 *   picks (rr's position, wrr's current weight, lblc's destination map).
 *   One per worker and service, never shared, so picks take no lock; the
 *   shares over all workers still follow the weights.
 *
 * Load (active and inactive connections per destination) is read through a
 * callback, because it lives in per-worker counters that the caller sums.
 *
 * Nothing here allocates on a pick, divides per packet, or calls the OS.
 */

#include <stdbool.h>
#include <stdint.h>

#include "halb_config.h" /* enum cfg_sched */

#ifdef __cplusplus
extern "C" {
#endif

/** Default Maglev table size (a prime, as IPVS's mh). */
#define SCHED_MH_TABLE_SIZE 65537u

/** A destination (real server) as a scheduler sees it. */
struct sched_dest {
	uint32_t addr;   /**< host order */
	uint16_t port;   /**< host order */
	uint32_t weight; /**< 0: quiesced, never picked for a new connection */
	bool available;  /**< false: down or being removed, never picked */
};

/** What a new connection is scheduled by. Addresses and ports host order. */
struct sched_key {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint64_t now_ms; /**< for lblc/lblcr entry expiry */
};

/** Reads the current load of destination i (summed over workers). */
struct sched_load {
	void (*get)(void *ctx, uint32_t i, uint32_t *active, uint32_t *inactive);
	void *ctx;
};

struct sched_params {
	bool port;              /**< sh-port / mh-port: hash the source port too */
	bool fallback;          /**< sh-fallback / mh-fallback: try the next
				 * destination when the hashed one is unusable */
	uint32_t mh_table_size; /**< 0: SCHED_MH_TABLE_SIZE; must be prime */
};

struct sched;
struct sched_state;

/**
 * Builds the immutable part of a scheduler over n destinations (copied).
 * Control core only; may allocate (the Maglev table is 4 bytes per slot).
 * @return NULL on a bad argument (unknown kind, mh_table_size not prime) or
 *   out of memory.
 */
struct sched *sched_create(enum cfg_sched kind, const struct sched_dest *dests, uint32_t n,
			   const struct sched_params *params);

void sched_free(struct sched *s);

/** The destinations the scheduler was built over. */
const struct sched_dest *sched_dests(const struct sched *s, uint32_t *n);

/** Creates the per-worker mutable state for s. NULL when out of memory. */
struct sched_state *sched_state_create(const struct sched *s);

void sched_state_free(struct sched_state *st);

/**
 * Picks the destination for a new connection.
 * Thread-safety: any number of threads may pick on one struct sched as long
 * as each passes its own struct sched_state.
 * @return the destination's index, or -1 when no destination is usable.
 */
int sched_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
	       const struct sched_load *load);

#ifdef __cplusplus
}
#endif

#endif /* HALB_SCHED_H */
