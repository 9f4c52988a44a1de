/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_SCHED_PRIV_H
#define HALB_SCHED_PRIV_H

/*
 * What the scheduler families of lib/sched share, never included from outside
 * it: the two halves of a scheduler (struct sched, built once and read-only;
 * struct sched_state, one per worker), the load and weight arithmetic every
 * IPVS scheduler uses, and each family's build and pick functions.
 *
 * sched.c builds and dispatches; sched_rr.c holds the weight-only schedulers
 * (rr wrr fo ovf), sched_load.c the least-connection ones (lc wlc sed nq),
 * sched_lblc.c the locality ones (lblc lblcr) with their per-worker maps, and
 * sched_hash.c the table-driven ones (dh sh mh).
 */

#include <stdbool.h>
#include <stdint.h>

#include "halb_sched.h"

struct sched {
	enum cfg_sched kind;
	bool port;     /* sh/mh: hash the source port too */
	bool fallback; /* dh/sh/mh: walk on from an unusable destination */
	uint32_t n;
	struct sched_dest *dests;
	/* The usable destinations' indexes in order: what every scheduler but
	 * dh/sh walks, so a pick never looks at a destination it cannot take. */
	uint32_t n_usable;
	uint32_t *usable;
	uint32_t wrr_di; /* wrr: gcd of the usable weights */
	uint32_t wrr_mw; /* wrr: maximum weight - (gcd - 1) */
	int fo;          /* fo: the answer, fixed by the destination set */
	/* dh/sh: 256 buckets; mh: the Maglev lookup table. Each slot holds a
	 * destination index, -1 for none. */
	int32_t *table;
	uint32_t table_size;
};

struct sched_state {
	const struct sched *s;
	uint32_t rr_next;                /* rr: position in s->usable of the next pick */
	uint32_t wrr_cl;                 /* wrr: position of the last pick, UINT32_MAX: none */
	uint32_t wrr_cw;                 /* wrr: current weight */
	struct sched_lblc_entry *lblc;   /* lblc: the map (sched_lblc.c) */
	struct sched_lblcr_entry *lblcr; /* lblcr: the map (sched_lblc.c) */
};

static inline bool sched_usable(const struct sched_dest *d)
{
	return d->available && d->weight > 0;
}

static inline void sched_load_read(const struct sched_load *load, uint32_t i, uint32_t *active,
				   uint32_t *inactive)
{
	*active = 0;
	*inactive = 0;
	if (load != NULL && load->get != NULL)
		load->get(load->ctx, i, active, inactive);
}

/* IPVS's ip_vs_dest_conn_overhead(): an active connection weighs 256
 * inactive ones. At most 2^40 + 2^32, so it never wraps. */
static inline uint64_t sched_conn_overhead(uint32_t active, uint32_t inactive)
{
	return ((uint64_t)active << 8) + inactive;
}

/*
 * Whether load a on weight wa is heavier than load b on weight wb, that is
 * a / wa > b / wb, compared as a * wb > b * wa the way IPVS does to avoid a
 * division. Loads reach 2^41 and weights 2^32, so the products take 128 bits.
 */
static inline bool sched_heavier(uint64_t a, uint32_t wa, uint64_t b, uint32_t wb)
{
	return (unsigned __int128)a * wb > (unsigned __int128)b * wa;
}

static inline uint32_t sched_gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The kernel's hash_32(): the top bits of a multiply by the golden ratio. */
static inline uint32_t sched_hash_32(uint32_t v, unsigned int bits)
{
	return (v * 0x61C88647u) >> (32 - bits);
}

/* sched_rr.c */
void sched_wrr_build(struct sched *s);
void sched_fo_build(struct sched *s);
void sched_wrr_state_init(const struct sched *s, struct sched_state *st);
int sched_rr_pick(const struct sched *s, struct sched_state *st);
int sched_wrr_pick(const struct sched *s, struct sched_state *st);
int sched_ovf_pick(const struct sched *s, const struct sched_load *load);

/* sched_load.c */
int sched_lc_pick(const struct sched *s, const struct sched_load *load);
int sched_wlc_pick(const struct sched *s, const struct sched_load *load);
int sched_sed_pick(const struct sched *s, const struct sched_load *load);
int sched_nq_pick(const struct sched *s, const struct sched_load *load);

/* sched_lblc.c */
int sched_lblc_state_init(struct sched_state *st);
int sched_lblcr_state_init(struct sched_state *st);
int sched_lblc_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
		    const struct sched_load *load);
int sched_lblcr_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
		     const struct sched_load *load);

/* sched_hash.c */
int sched_bucket_build(struct sched *s);
int sched_mh_build(struct sched *s, uint32_t table_size);
int sched_dh_pick(const struct sched *s, const struct sched_key *key);
int sched_sh_pick(const struct sched *s, const struct sched_key *key);
int sched_mh_pick(const struct sched *s, const struct sched_key *key);

#endif /* HALB_SCHED_PRIV_H */
