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
 *
 * A destination is usable for a new connection when it is available and its
 * weight is above 0. Where halb differs from the kernel (the details are in
 * the file comments of lib/sched/):
 * - dh fills its 256 buckets by weight as sh does (the kernel's dh gives one
 *   bucket per destination), and both take params->fallback.
 * - An unavailable destination is a removed one: it takes no dh/sh bucket
 *   and no Maglev slot. A weight-0 destination keeps one dh/sh bucket per
 *   cycle as ip_vs_sh_reassign() gives it (its keys fall back or get -1), and
 *   no Maglev slot, so mh's fallback never has anything to do.
 * - lblc/lblcr keep SCHED_LOC_ENTRIES entries per sched_state, direct-mapped
 *   by destination address; an entry unused for 60 s is forgotten, an lblcr
 *   set unchanged for 6 minutes drops its most loaded member, and a set holds
 *   at most 8 destinations.
 * - IPv6 addresses are folded to 32 bits before anything hashes them, as
 *   IPVS does; lblc/lblcr also key their map by the fold (IPVS keeps the
 *   whole address), so two IPv6 destinations of one fold share an entry.
 */

#include <stdbool.h>
#include <stdint.h>

#include "halb_config.h" /* enum cfg_sched */

#ifdef __cplusplus
extern "C" {
#endif

/** Default Maglev table size (a prime, as IPVS's mh). */
#define SCHED_MH_TABLE_SIZE 65537u

/** Largest Maglev table size sched_create accepts (64 MiB of table). */
#define SCHED_MH_TABLE_MAX (1u << 24)

/** Entries of the lblc/lblcr destination-address map in a sched_state. */
#define SCHED_LOC_ENTRIES 1024u

/**
 * An IPv6 address as the hashing schedulers (sh, dh, lblc, lblcr, mh) see
 * it: its four 32-bit words XORed, host order, as IPVS folds one
 * (ip_vs_sh_hashkey and the others).
 */
static inline uint32_t sched_addr_fold6(const uint8_t *a)
{
	uint32_t f = 0;

	for (int i = 0; i < 16; i += 4)
		f ^= (uint32_t)a[i] << 24 | (uint32_t)a[i + 1] << 16 | (uint32_t)a[i + 2] << 8 |
		     a[i + 3];
	return f;
}

/** A destination (real server) as a scheduler sees it. */
struct sched_dest {
	uint32_t addr;   /**< host order; IPv6: sched_addr_fold6 */
	uint16_t port;   /**< host order */
	uint32_t weight; /**< 0: quiesced, never picked for a new connection */
	bool available;  /**< false: down or being removed, never picked */
};

/** What a new connection is scheduled by. Addresses and ports host order;
 * IPv6 addresses folded (sched_addr_fold6). */
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
 * n == 0 is valid: every pick returns -1. params NULL means all defaults.
 * @return NULL on a bad argument (unknown kind, dests NULL with n > 0, n above
 *   INT32_MAX, for mh: mh_table_size not prime or above SCHED_MH_TABLE_MAX,
 *   or more usable destinations than slots) or out of memory.
 */
struct sched *sched_create(enum cfg_sched kind, const struct sched_dest *dests, uint32_t n,
			   const struct sched_params *params);

void sched_free(struct sched *s);

/** The destinations the scheduler was built over. */
const struct sched_dest *sched_dests(const struct sched *s, uint32_t *n);

/** Creates the per-worker mutable state for s (about 16 KiB for lblc, 56 KiB
 * for lblcr, a few bytes otherwise). NULL when s is NULL or out of memory. */
struct sched_state *sched_state_create(const struct sched *s);

void sched_state_free(struct sched_state *st);

/**
 * Picks the destination for a new connection.
 * Thread-safety: any number of threads may pick on one struct sched as long
 * as each passes its own struct sched_state.
 * s, st (created for s) and key are required; load may be NULL for the
 * schedulers that do not read it, and reads as no connections for the others.
 * @return the destination's index, or -1 when no destination is usable or an
 *   argument is missing.
 */
int sched_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
	       const struct sched_load *load);

#ifdef __cplusplus
}
#endif

#endif /* HALB_SCHED_H */
