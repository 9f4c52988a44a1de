/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The least-connection schedulers, which read every usable destination's
 * load through the caller's callback and keep no state between picks:
 * - lc (ip_vs_lc.c): the least overhead, (active << 8) + inactive; weights
 *   only decide who is usable.
 * - wlc (ip_vs_wlc.c): the least overhead / weight.
 * - sed (ip_vs_sed.c): the least (active + 1) / weight, the expected delay
 *   of a new connection when only active ones take service time.
 * - nq (ip_vs_nq.c): the first idle destination (no active connection),
 *   whatever its weight, as the kernel; when none is idle, as sed.
 *
 * Ratios are compared by cross-multiplication (sched_heavier), and on a tie
 * the destination first in order stays, as in the kernel's loops.
 */
#include "sched_priv.h"

int sched_lc_pick(const struct sched *s, const struct sched_load *load)
{
	uint64_t loh = 0;
	int least = -1;
	uint32_t k;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t i = s->usable[k], active, inactive;
		uint64_t doh;

		sched_load_read(load, i, &active, &inactive);
		doh = sched_conn_overhead(active, inactive);
		if (least < 0 || doh < loh) {
			least = (int)i;
			loh = doh;
		}
	}
	return least;
}

/* What wlc and sed minimise per unit of weight. */
static uint64_t sched_wlc_cost(uint32_t active, uint32_t inactive)
{
	return sched_conn_overhead(active, inactive);
}

static uint64_t sched_sed_cost(uint32_t active, uint32_t inactive)
{
	(void)inactive;
	return (uint64_t)active + 1;
}

static inline int sched_weighted_least(const struct sched *s, const struct sched_load *load,
				       uint64_t (*cost)(uint32_t, uint32_t))
{
	uint32_t least = s->usable[0], active, inactive, k;
	uint64_t loh;

	sched_load_read(load, least, &active, &inactive);
	loh = cost(active, inactive);
	for (k = 1; k < s->n_usable; k++) {
		uint32_t i = s->usable[k];
		uint64_t doh;

		sched_load_read(load, i, &active, &inactive);
		doh = cost(active, inactive);
		if (sched_heavier(loh, s->dests[least].weight, doh, s->dests[i].weight)) {
			least = i;
			loh = doh;
		}
	}
	return (int)least;
}

int sched_wlc_pick(const struct sched *s, const struct sched_load *load)
{
	if (s->n_usable == 0)
		return -1;
	return sched_weighted_least(s, load, sched_wlc_cost);
}

int sched_sed_pick(const struct sched *s, const struct sched_load *load)
{
	if (s->n_usable == 0)
		return -1;
	return sched_weighted_least(s, load, sched_sed_cost);
}

int sched_nq_pick(const struct sched *s, const struct sched_load *load)
{
	uint64_t loh = 0;
	int least = -1;
	uint32_t k;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t i = s->usable[k], active, inactive;
		uint64_t doh;

		sched_load_read(load, i, &active, &inactive);
		if (active == 0)
			return (int)i; /* idle: it never queues */
		doh = sched_sed_cost(active, inactive);
		if (least < 0 ||
		    sched_heavier(loh, s->dests[least].weight, doh, s->dests[i].weight)) {
			least = (int)i;
			loh = doh;
		}
	}
	return least;
}
