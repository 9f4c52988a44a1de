/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's part in connection synchronisation (the codec is lib/sync,
 * the daemon lib/ctl/ctl_sync.c):
 * - while this director's sync daemon is MASTER, a connection that reaches
 *   a state worth syncing is reported to the control core, as IPVS's
 *   ip_vs_sync_conn_needed() decides: TCP when it becomes ESTABLISHED or
 *   closes (FIN_WAIT, CLOSE, CLOSE_WAIT, TIME_WAIT), UDP once assured (a
 *   one-packet flood is never synced); the control core refreshes long-lived
 *   ones itself by reading the tables, so a busy connection costs nothing
 *   more here;
 * - connections the control core received from the MASTER are installed in
 *   the worker's own table by the worker, with what time they have left,
 *   bound to the same real server; a connection this worker made itself is
 *   fresher than any message and is kept.
 */
#include <rte_ring_elem.h>

#include "fwd_internal.h"

#define INSTALL_BURST 32

static bool worth_syncing(const struct conn *c, uint8_t old, bool was_assured)
{
	if (c->proto != IPPROTO_TCP)
		return !was_assured && (c->flags & CONN_F_ASSURED);
	switch (c->state) {
	case CONN_S_ESTABLISHED:
		return old != CONN_S_ESTABLISHED || !was_assured;
	case CONN_S_FIN_WAIT:
	case CONN_S_CLOSE:
	case CONN_S_CLOSE_WAIT:
	case CONN_S_TIME_WAIT:
		return old != c->state;
	default:
		return false;
	}
}

void fwd_sync_event(struct fwd_worker *w, const struct conn *c, uint8_t old, bool was_assured)
{
	struct fwd_sync r;
	int32_t left;

	if (w->sync_out == NULL || !worth_syncing(c, old, was_assured))
		return;
	left = conn_left(c, w->now_s);
	r = (struct fwd_sync){ .rs_stat = c->rs_stat,
			       .state = c->state,
			       .flags = c->flags,
			       .timeout_s = (uint16_t)(left > 0 ? left : 1),
			       .tmpl = c->tmpl };
	conn_key_of(c, &r.key);
	if (rte_ring_sp_enqueue_elem(w->sync_out, &r, sizeof(r)) == 0)
		w->sst.events++;
	else
		w->sst.events_dropped++;
}

/* One received connection: made, updated, or left to the local one. */
static void install(struct fwd_worker *w, const struct fwd_sync *r)
{
	uint8_t dir;
	struct conn *c = conn_lookup(w->conns, &r->key, &dir);

	if (c != NULL && (c->flags & CONN_F_SYNCED) &&
	    (c->rs_stat != r->rs_stat ||
	     (c->flags >> CONN_F_FWD_SHIFT) != (r->flags >> CONN_F_FWD_SHIFT))) {
		/* The flow is bound elsewhere now (its client port was reused
		 * after TIME_WAIT, another server chosen): as IPVS's
		 * ip_vs_proc_conn, an active one replaces the old copy, an
		 * inactive one leaves it. */
		if (!conn_state_active(r->state)) {
			w->sst.refreshed++;
			return;
		}
		conn_kill(w->conns, c, fwd_conn_gone, w);
		w->sst.replaced++;
		c = NULL;
	}
	if (c != NULL) {
		int delta;

		if (!(c->flags & CONN_F_SYNCED)) {
			w->sst.kept_local++;
			return;
		}
		delta = conn_resync(w->conns, c, r->state, r->timeout_s, w->now_s);
		if (delta != 0) {
			struct svc_counters *rs = &w->ctr[c->rs_stat];
			struct svc_counters *sv = &w->ctr[w->env->dests[c->rs_stat].svc_stat];

			rs->active += delta;
			rs->inactive -= delta;
			sv->active += delta;
			sv->inactive -= delta;
		}
		w->sst.refreshed++;
		return;
	}
	{
		const struct conn_init ci = {
			.key = r->key,
			.fwd = (uint8_t)(r->flags >> CONN_F_FWD_SHIFT),
			.rs_stat = r->rs_stat,
			.state = r->state,
			.assured = (r->flags & CONN_F_ASSURED) != 0,
			.synced = true,
			.timeout_s = r->timeout_s,
		};

		c = conn_create(w->conns, &ci, w->now_s, fwd_conn_gone, w);
	}
	if (c == NULL) {
		w->sst.refused++;
		return;
	}
	fwd_count_new(w, c);
	w->sst.installed++;
}

uint32_t fwd_sync_install(struct fwd_worker *w, uint32_t max)
{
	struct fwd_sync r[INSTALL_BURST];
	uint32_t done = 0;

	if (w->sync_in == NULL)
		return 0;
	while (done < max) {
		unsigned int n = rte_ring_sc_dequeue_burst_elem(
		    w->sync_in, r, sizeof(r[0]), RTE_MIN((uint32_t)INSTALL_BURST, max - done),
		    NULL);

		for (unsigned int i = 0; i < n; i++)
			install(w, &r[i]);
		done += n;
		if (n < INSTALL_BURST)
			break;
	}
	return done;
}
