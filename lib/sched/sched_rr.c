/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schedulers that look at weights only (rr, wrr, fo) and ovf, which adds
 * each destination's active connections to the weight test.
 *
 * All of them walk s->usable, the usable destinations in order, so "skip the
 * quiesced and the unavailable" costs nothing per pick:
 * - rr (ip_vs_rr.c) takes the next one after the last pick.
 * - wrr (ip_vs_wrr.c) makes passes over the list with a current weight cw
 *   that starts at the largest weight and steps down by the gcd of the
 *   weights; a pass takes every destination whose weight reaches cw. Over a
 *   full cycle each destination is picked weight / gcd times.
 * - fo (ip_vs_fo.c) takes the first destination of the highest weight; as
 *   that depends only on the destination set it is found at build time.
 * - ovf (ip_vs_ovf.c) takes the first destination of the highest weight
 *   among those whose active connections do not exceed their weight. This is
 *   the kernel's test (activeconns > weight excludes), so a destination with
 *   exactly `weight` active connections still takes one more.
 */
#include "sched_priv.h"

/* ip_vs_wrr_init_svc(): di is the gcd, mw the maximum weight less (di - 1),
 * so that the last pass of a cycle runs at cw = 1 and takes everyone. */
void sched_wrr_build(struct sched *s)
{
	uint32_t g = 0, max = 0, k;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t w = s->dests[s->usable[k]].weight;

		g = sched_gcd(w, g);
		if (w > max)
			max = w;
	}
	s->wrr_di = g > 0 ? g : 1;
	s->wrr_mw = max > 0 ? max - (s->wrr_di - 1) : 0;
}

void sched_wrr_state_init(const struct sched *s, struct sched_state *st)
{
	st->wrr_cl = UINT32_MAX; /* the list head: the first pass starts at 0 */
	st->wrr_cw = s->wrr_mw;
}

void sched_fo_build(struct sched *s)
{
	uint32_t hw = 0, k;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t i = s->usable[k];

		if (s->fo < 0 || s->dests[i].weight > hw) {
			s->fo = (int)i;
			hw = s->dests[i].weight;
		}
	}
}

int sched_rr_pick(const struct sched *s, struct sched_state *st)
{
	uint32_t k = st->rr_next;

	if (k >= s->n_usable)
		k = 0;
	st->rr_next = k + 1;
	return (int)s->usable[k];
}

/*
 * One step at a time from the last pick: past the end of the list the pass
 * is over and cw steps down by di, back to mw once it would reach 0. The
 * destination of the largest weight qualifies at every cw, so a pick looks at
 * no more than n_usable + 1 positions.
 */
int sched_wrr_pick(const struct sched *s, struct sched_state *st)
{
	for (;;) {
		uint32_t k = st->wrr_cl + 1; /* UINT32_MAX + 1: the first one */
		uint32_t i;

		if (k >= s->n_usable) {
			k = 0;
			st->wrr_cw = st->wrr_cw > s->wrr_di ? st->wrr_cw - s->wrr_di : s->wrr_mw;
		}
		st->wrr_cl = k;
		i = s->usable[k];
		if (s->dests[i].weight >= st->wrr_cw)
			return (int)i;
	}
}

int sched_ovf_pick(const struct sched *s, const struct sched_load *load)
{
	uint32_t hw = 0, k;
	int h = -1;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t i = s->usable[k], w = s->dests[i].weight;
		uint32_t active, inactive;

		if (h >= 0 && w <= hw)
			continue; /* cannot win: spare the load read */
		sched_load_read(load, i, &active, &inactive);
		if (active > w)
			continue;
		h = (int)i;
		hw = w;
	}
	return h;
}
