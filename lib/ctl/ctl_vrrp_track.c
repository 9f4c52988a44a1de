/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracking on the control core: what moves an instance's priority or puts
 * it in FAULT. vrrp_script runs through lib/proc every interval, each port's
 * link is polled every second; the results go into each instance's list of
 * vrrp_track_item, and lib/vrrp's pure functions (rise/fall counting,
 * effective priority, fault verdict) say what the state machine is told.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_vrrp_int.h"

#define LINK_CHECK_INTERVAL 1.0

/* Recomputes what tracking says and tells the state machine. */
void ctl_vi_track_update(struct ctl_vi *vi)
{
	uint8_t prio = vrrp_effective_priority(vi->cfg->priority, vi->items, vi->n_items);
	bool fault = vrrp_track_fault(vi->items, vi->n_items);

	if (!vi->started) {
		struct vrrp_event ev = { .type = VRRP_EV_STARTUP,
					 .priority = prio,
					 .fault = fault };

		if (vrrp_track_pending(vi->items, vi->n_items))
			return;
		vi->started = true;
		ctl_vi_step(vi, &ev);
		return;
	}
	if (fault != vi->fsm.fault) {
		struct vrrp_event ev = { .type = fault ? VRRP_EV_FAULT : VRRP_EV_FAULT_CLEARED };

		ctl_vi_step(vi, &ev);
	}
	if (prio != vi->fsm.priority) {
		struct vrrp_event ev = { .type = VRRP_EV_PRIORITY_CHANGED, .priority = prio };

		HALB_LOG(ctl, INFO, "(%s) Changing effective priority from %u to %u", vi->cfg->name,
			 vi->fsm.priority, prio);
		ctl_vi_step(vi, &ev);
	}
}

static void track_set(struct ctl *c, bool is_script, size_t index, enum vrrp_track_state st)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t i = 0; i < v->n_vi; i++) {
		struct ctl_vi *vi = &v->vi[i];
		bool changed = false;

		for (size_t t = 0; t < vi->n_items; t++)
			if (vi->tracks[t].is_script == is_script && vi->tracks[t].index == index &&
			    vi->items[t].state != st) {
				vi->items[t].state = st;
				changed = true;
			}
		if (changed)
			ctl_vi_track_update(vi);
	}
}

static void script_done(void *ctx, const struct proc_result *res)
{
	struct ctl_vscript *s = ctx;
	bool ok = res->outcome == PROC_EXITED && res->status == 0;
	char buf[160];

	s->running = NULL;
	proc_result_str(res, buf, sizeof(buf));
	snprintf(s->last, sizeof(s->last), "%s", buf);
	if (vrrp_script_result(&s->st, ok)) {
		if (s->st.state == VRRP_TRACK_UP)
			HALB_LOG(ctl, NOTICE, "VRRP_Script(%s) succeeded", s->cfg->name);
		else
			HALB_LOG(ctl, NOTICE, "VRRP_Script(%s) failed (%s)", s->cfg->name, buf);
		track_set(s->c, true, s->index, s->st.state);
	}
}

static void on_script_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_vscript *s = t->data;
	const struct cfg_global *g = &s->c->k->global;
	struct proc_spec spec = {
		.cmdline = s->cfg->script,
		.timeout_ms = s->cfg->timeout_ms ? s->cfg->timeout_ms : s->cfg->interval_ms,
		.user = proc_default_user(s->cfg->user ? s->cfg->user : g->script_user),
		.group = s->cfg->user ? s->cfg->group : g->script_group,
		.script_security = g->enable_script_security,
		.name = s->cfg->name,
	};

	(void)revents;
	if (s->running != NULL)
		return; /* still running: its timeout will end it */
	s->running = proc_run(loop, &spec, script_done, s);
}

static void on_link_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = t->data;

	(void)loop;
	(void)revents;
	for (uint16_t p = 0; p < c->n_ports; p++)
		track_set(c, false, p,
			  port_link_up(&c->ports[p]) ? VRRP_TRACK_UP : VRRP_TRACK_DOWN);
}

int ctl_vi_tracks(struct ctl_vi *vi)
{
	const struct cfg_vrrp_instance *in = vi->cfg;
	size_t n = in->n_track_scripts + in->n_track_if + 1;

	vi->items = calloc(n, sizeof(*vi->items));
	vi->tracks = calloc(n, sizeof(*vi->tracks));
	if (vi->items == NULL || vi->tracks == NULL)
		return -1;
	for (size_t i = 0; i < in->n_track_scripts; i++) {
		const struct cfg_track_script *ts = &in->track_scripts[i];
		const struct cfg_vrrp_script *s = &vi->c->k->scripts[ts->script];

		vi->items[vi->n_items] = (struct vrrp_track_item){
			.weight = ts->has_weight ? ts->weight : s->weight,
			.reverse = ts->has_weight ? ts->weight_reverse : s->weight_reverse,
			.is_script = true,
			/* init_fail: failed until it succeeds */
			.state = s->init_fail ? VRRP_TRACK_DOWN : VRRP_TRACK_INIT
		};
		vi->tracks[vi->n_items++] =
		    (struct vi_track){ .is_script = true, .index = ts->script, .name = s->name };
	}
	for (size_t i = 0; i < in->n_track_if; i++) {
		const struct cfg_port *cp = cfg_port_find(vi->c->d, in->track_if[i].name);

		if (cp == NULL)
			continue;
		vi->items[vi->n_items] = (struct vrrp_track_item){ .weight = in->track_if[i].weight,
								   .state = VRRP_TRACK_UP };
		vi->tracks[vi->n_items++] =
		    (struct vi_track){ .index = (size_t)(cp - vi->c->d->ports), .name = cp->name };
	}
	/* keepalived tracks the instance's own interface (down means FAULT)
	 * unless dont_track_primary */
	if (!in->dont_track_primary) {
		vi->items[vi->n_items] =
		    (struct vrrp_track_item){ .weight = 0, .state = VRRP_TRACK_UP };
		vi->tracks[vi->n_items++] =
		    (struct vi_track){ .index = vi->port, .name = in->interface };
	}
	if (vrrp_track_normalise(vi->items, vi->n_items, in->priority, vi->group >= 0) > 0)
		HALB_LOG(ctl, WARNING,
			 "(%s) some tracking weights are ignored (address owner or sync group), as "
			 "keepalived does",
			 in->name);
	return 0;
}

void ctl_vrrp_tracking_stop(struct ctl *c, struct ctl_vrrp *v)
{
	for (size_t s = 0; s < v->n_scripts; s++) {
		ev_timer_stop(c->loop, &v->scripts[s].timer);
		if (v->scripts[s].running != NULL)
			proc_cancel(v->scripts[s].running);
		v->scripts[s].running = NULL;
	}
	ev_timer_stop(c->loop, &v->link_timer);
}

static const struct ctl_vscript *old_script(const struct ctl_vrrp *old, const char *name)
{
	for (size_t i = 0; old != NULL && i < old->n_scripts; i++)
		if (strcmp(old->scripts[i].cfg->name, name) == 0)
			return &old->scripts[i];
	return NULL;
}

void ctl_vrrp_tracking_start(struct ctl *c, struct ctl_vrrp *v, const struct ctl_vrrp *old)
{
	const struct cfg_keepalived *k = c->k;

	for (size_t s = 0; s < v->n_scripts; s++) {
		struct ctl_vscript *cs = &v->scripts[s];
		const struct ctl_vscript *os;
		double every = k->scripts[s].interval_ms / 1000.0;

		cs->c = c;
		cs->index = s;
		cs->cfg = &k->scripts[s];
		vrrp_script_init(&cs->st, cs->cfg->rise, cs->cfg->fall);
		if (cs->cfg->init_fail)
			cs->st.state = VRRP_TRACK_DOWN;
		os = old_script(old, cs->cfg->name);
		if (os != NULL) {
			cs->st.state = os->st.state; /* a reload is no new start */
			memcpy(cs->last, os->last, sizeof(cs->last));
		}
		ev_timer_init(&cs->timer, on_script_timer, 0.0, every);
		cs->timer.data = cs;
		ev_timer_start(c->loop, &cs->timer);
	}
	ev_timer_init(&v->link_timer, on_link_timer, LINK_CHECK_INTERVAL, LINK_CHECK_INTERVAL);
	v->link_timer.data = c;
	ev_timer_start(c->loop, &v->link_timer);
}
