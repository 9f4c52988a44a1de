/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telling the operator when a defence engages and when it lets go, once
 * each: every second the control core looks at the counters of each
 * worker's defences (embryonic connections evicted, connections refused,
 * traffic for the kernel policed, rings overflowing); the first second one
 * of them moves, it logs that it engaged and how fast it is working; after
 * QUIET_S seconds without a move, that it disengaged and what it did in all.
 * A flood makes two log lines, not one a packet (or a second).
 */
#include "ctl_priv.h"

#define QUIET_S 10

/* What a defence counts, from a worker's counters. */
static uint64_t evicted(const struct fwd_worker *w)
{
	const struct conn_table_stats *t = conn_table_stats(w->conns);

	return t->reasons[CONN_EVICT_EMBRYONIC_BUDGET] + t->reasons[CONN_EVICT_TABLE_FULL] +
	       t->reasons[CONN_EVICT_BUCKET_FULL];
}

static uint64_t refused(const struct fwd_worker *w)
{
	const struct conn_table_stats *t = conn_table_stats(w->conns);

	return t->reasons[CONN_REFUSE_TABLE_FULL] + t->reasons[CONN_REFUSE_BUCKET_FULL];
}

static uint64_t policed(const struct fwd_worker *w)
{
	const uint64_t *d = w->st.drops;

	return d[FWD_DROP_KERNEL_POLICED] + d[FWD_DROP_TRUSTED_POLICED] + d[FWD_DROP_ARP_POLICED] +
	       d[FWD_DROP_RESOLVE_POLICED];
}

static uint64_t overflowed(const struct fwd_worker *w)
{
	const uint64_t *d = w->st.drops;

	return d[FWD_DROP_RING_FULL] + d[FWD_DROP_PRIO_RING_FULL] + d[FWD_DROP_REDIRECT_FULL];
}

static const struct {
	const char *name; /* telemetry's */
	const char *what; /* "... defence engaged on worker N: " */
	const char *unit; /* "R UNIT/s" */
	uint64_t (*count)(const struct fwd_worker *w);
} defences[CTL_DEFENCES] = {
	{ "eviction", "embryonic connection eviction (a SYN or UDP flood?)",
	  "embryonic connections evicted", evicted },
	{ "refusal", "connection refusal (the table is full of established connections)",
	  "new connections refused", refused },
	{ "policing", "kernel traffic policing (a flood at the director's addresses?)",
	  "frames dropped", policed },
	{ "overflow", "ring overflow (the control core or a worker cannot keep up)",
	  "frames dropped", overflowed },
};

/* The neighbour table is the control core's: one line when it first
 * refuses an entry, one when it has not for QUIET_S seconds. */
static void neigh_tick(struct ctl *c, uint64_t now_ms)
{
	struct ctl_defence *s = &c->neigh_full;
	const uint64_t now = c->env.neigh->full;

	(void)now_ms;
	if (now != s->last) {
		if (!s->on)
			HALB_LOG(ctl, WARNING,
				 "The neighbour table is full (%u entries): new next hops wait "
				 "for a stale or failed entry to go (raise neighbours)",
				 c->env.neigh->size);
		s->on = true;
		s->quiet = 0;
	} else if (s->on && ++s->quiet >= QUIET_S) {
		s->on = false;
		HALB_LOG(ctl, NOTICE, "The neighbour table has room again");
	}
	s->last = now;
}

void ctl_defence_tick(struct ctl *c, uint64_t now_ms)
{
	neigh_tick(c, now_ms);
	for (uint16_t w = 0; w < c->n_workers; w++) {
		for (int d = 0; d < CTL_DEFENCES; d++) {
			struct ctl_defence *s = &c->defence[w][d];
			uint64_t now = defences[d].count(c->env.workers[w]);
			uint64_t rate = now - s->last;

			s->last = now;
			if (rate > 0) {
				if (!s->on) {
					s->on = true;
					s->since_ms = now_ms;
					s->start = now - rate;
					HALB_LOG(ctl, WARNING,
						 "Defence engaged on worker %u: %s: %" PRIu64
						 " %s/s",
						 w, defences[d].what, rate, defences[d].unit);
				}
				s->quiet = 0;
			} else if (s->on && ++s->quiet >= QUIET_S) {
				s->on = false;
				HALB_LOG(ctl, NOTICE,
					 "Defence disengaged on worker %u: %s: %" PRIu64
					 " %s in %.0f s",
					 w, defences[d].what, now - s->start, defences[d].unit,
					 (double)(now_ms - s->since_ms) / 1000.0 - QUIET_S);
			}
		}
	}
}

json_t *ctl_defence_json(const struct ctl *c, uint16_t w)
{
	json_t *o = json_object();

	for (int d = 0; d < CTL_DEFENCES; d++)
		json_object_set_new(o, defences[d].name, json_boolean(c->defence[w][d].on));
	return o;
}
