/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracking on the control core: what moves an instance's priority or puts
 * it in FAULT. vrrp_script runs through lib/proc every interval; every
 * second each port's link is polled, each track_file read and the
 * processes of every vrrp_track_process counted in /proc (keepalived
 * watches files with inotify and processes with the kernel's process
 * events; a poll needs neither and reacts within a second). The results go
 * into each instance's list of vrrp_track_item, and lib/vrrp's pure
 * functions (rise/fall counting, a file's number times its weight, effective
 * priority, fault verdict) say what the state machine is told.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
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

		/* vrrp_startup_delay: no instance starts before it ends */
		if (ctl_vrrp_now_ms() < vi->c->vrrp->startup_until)
			return;
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

/* Sets the items fed by (kind, index): to state st, or for a file from
 * number; instances whose items changed are told. */
static void track_set_any(struct ctl *c, enum vi_track_kind kind, size_t index,
			  enum vrrp_track_state st, long number)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t i = 0; i < v->n_vi; i++) {
		struct ctl_vi *vi = &v->vi[i];
		bool changed = false;

		for (size_t t = 0; t < vi->n_items; t++) {
			struct vrrp_track_item *it = &vi->items[t];
			struct vrrp_track_item before = *it;

			if (vi->tracks[t].kind != kind || vi->tracks[t].index != index)
				continue;
			if (kind == VI_TRACK_FILE)
				vrrp_track_file_set(it, number);
			else
				it->state = st;
			changed |= it->state != before.state || it->value != before.value;
		}
		if (changed)
			ctl_vi_track_update(vi);
	}
}

static void track_set(struct ctl *c, enum vi_track_kind kind, size_t index,
		      enum vrrp_track_state st)
{
	track_set_any(c, kind, index, st, 0);
}

/* ------------------------------------------------------------ track_file */

/* keepalived reads the file's text as a number; an empty, missing or
 * unreadable file reads as 0. */
static long file_number(const char *path, char *why, size_t len)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;
	long v;
	char *end;

	if (fd < 0) {
		snprintf(why, len, "cannot read: %s (0)", strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf) {
		snprintf(why, len, "no number (0)");
		return 0;
	}
	snprintf(why, len, "%ld", v);
	return v;
}

static void files_poll(struct ctl *c)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t f = 0; f < v->n_files; f++) {
		struct ctl_vfile *vf = &v->files[f];
		long num = file_number(c->k->track_files[f].file, vf->last, sizeof(vf->last));

		if (vf->read && num == vf->number)
			continue;
		if (vf->read)
			HALB_LOG(ctl, NOTICE, "Track_file(%s) now %ld", c->k->track_files[f].name,
				 num);
		vf->number = num;
		vf->read = true;
		track_set_any(c, VI_TRACK_FILE, f, VRRP_TRACK_UP, num);
	}
}

/* init_file: VALUE written when the file is missing, or always with
 * overwrite, before the first read (keepalived). */
static void files_init(const struct cfg_keepalived *k)
{
	for (size_t f = 0; f < k->n_track_files; f++) {
		const struct cfg_track_file *tf = &k->track_files[f];
		int fd;

		if (!tf->init_file)
			continue;
		fd = open(tf->file,
			  O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
			      (tf->init_overwrite ? O_TRUNC : O_EXCL),
			  0644);
		if (fd < 0) {
			if (errno != EEXIST)
				HALB_LOG(ctl, WARNING, "Track_file(%s): cannot create %s: %s",
					 tf->name, tf->file, strerror(errno));
			continue;
		}
		if (dprintf(fd, "%ld\n", tf->init_value) < 0)
			HALB_LOG(ctl, WARNING, "Track_file(%s): cannot write %s", tf->name,
				 tf->file);
		close(fd);
	}
}

/* -------------------------------------------------------- track_process */

static void procs_poll(struct ctl *c)
{
	const struct cfg_keepalived *k = c->k;
	struct ctl_vrrp *v = c->vrrp;
	struct proc_match *m;
	unsigned int *counts;
	uint64_t now = ctl_vrrp_now_ms();

	if (v->n_procs == 0)
		return;
	m = calloc(v->n_procs, sizeof(*m));
	counts = calloc(v->n_procs, sizeof(*counts));
	if (m == NULL || counts == NULL)
		goto out;
	for (size_t i = 0; i < v->n_procs; i++) {
		const struct cfg_track_process *tp = &k->track_processes[i];

		m[i] = (struct proc_match){ .argv = (const char *const *)tp->argv,
					    .argc = tp->argc,
					    .by_cmdline = tp->has_params || tp->full_command,
					    .param_match = (enum proc_param_match)tp->param_match };
	}
	if (proc_count_matches(NULL, m, v->n_procs, counts) != 0)
		goto out;
	for (size_t i = 0; i < v->n_procs; i++) {
		const struct cfg_track_process *tp = &k->track_processes[i];
		struct ctl_vproc *vp = &v->procs[i];
		bool quorum = counts[i] >= tp->quorum && counts[i] <= tp->quorum_max;
		enum vrrp_track_state want = quorum ? VRRP_TRACK_UP : VRRP_TRACK_DOWN;
		/* fork_delay before counting a gained quorum, terminate_delay a
		 * lost one; none at the first count */
		unsigned int delay = vp->state == VRRP_TRACK_INIT ? 0
				     : quorum                     ? tp->fork_delay_ms
								  : tp->terminate_delay_ms;

		vp->count = counts[i];
		if (want == vp->state) {
			vp->pending_since = 0;
			continue;
		}
		if (vp->pending_since == 0)
			vp->pending_since = now;
		if (now - vp->pending_since < delay)
			continue;
		vp->pending_since = 0;
		vp->state = want;
		HALB_LOG(ctl, NOTICE, "Track_process(%s) %s (%u running)", tp->name,
			 quorum ? "quorum gained" : "quorum lost", counts[i]);
		track_set(c, VI_TRACK_PROCESS, i, want);
	}
out:
	free(m);
	free(counts);
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
		track_set(s->c, VI_TRACK_SCRIPT, s->index, s->st.state);
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
		track_set(c, VI_TRACK_LINK, p,
			  port_link_up(&c->ports[p]) ? VRRP_TRACK_UP : VRRP_TRACK_DOWN);
	files_poll(c);
	procs_poll(c);
}

int ctl_vi_tracks(struct ctl_vi *vi)
{
	const struct cfg_vrrp_instance *in = vi->cfg;
	const struct cfg_keepalived *k = vi->c->k;
	size_t n =
	    in->n_track_scripts + in->n_track_if + in->n_track_files + in->n_track_processes + 1;

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
		vi->tracks[vi->n_items++] = (struct vi_track){ .kind = VI_TRACK_SCRIPT,
							       .index = ts->script,
							       .name = s->name };
	}
	for (size_t i = 0; i < in->n_track_files; i++) {
		const struct cfg_track_script *ts = &in->track_files[i];
		const struct cfg_track_file *f = &k->track_files[ts->script];

		vi->items[vi->n_items] =
		    (struct vrrp_track_item){ .weight = ts->has_weight ? ts->weight : f->weight,
					      .reverse =
						  ts->has_weight ? ts->weight_reverse : f->reverse,
					      .is_script = true,
					      .is_value = true,
					      .state = VRRP_TRACK_INIT };
		vi->tracks[vi->n_items++] = (struct vi_track){ .kind = VI_TRACK_FILE,
							       .index = ts->script,
							       .name = f->name };
	}
	for (size_t i = 0; i < in->n_track_processes; i++) {
		const struct cfg_track_script *ts = &in->track_processes[i];
		const struct cfg_track_process *p = &k->track_processes[ts->script];

		vi->items[vi->n_items] =
		    (struct vrrp_track_item){ .weight = ts->has_weight ? ts->weight : p->weight,
					      .reverse =
						  ts->has_weight ? ts->weight_reverse : p->reverse,
					      .is_script = true,
					      .state = VRRP_TRACK_INIT };
		vi->tracks[vi->n_items++] = (struct vi_track){ .kind = VI_TRACK_PROCESS,
							       .index = ts->script,
							       .name = p->name };
	}
	for (size_t i = 0; i < in->n_track_if; i++) {
		const struct cfg_port *cp = cfg_port_find(vi->c->d, in->track_if[i].name);

		if (cp == NULL)
			continue;
		vi->items[vi->n_items] = (struct vrrp_track_item){ .weight = in->track_if[i].weight,
								   .state = VRRP_TRACK_UP };
		vi->tracks[vi->n_items++] =
		    (struct vi_track){ .kind = VI_TRACK_LINK,
				       .index = (size_t)(cp - vi->c->d->ports),
				       .name = cp->name };
	}
	/* keepalived tracks the instance's own interface (down means FAULT)
	 * unless dont_track_primary */
	if (!in->dont_track_primary) {
		vi->items[vi->n_items] =
		    (struct vrrp_track_item){ .weight = 0, .state = VRRP_TRACK_UP };
		vi->tracks[vi->n_items++] = (struct vi_track){ .kind = VI_TRACK_LINK,
							       .index = vi->port,
							       .name = in->interface };
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

static bool str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* A vrrp_script is the same across a reload when what decides its result
 * is: command line, user and group, interval, timeout, rise and fall (and
 * init_fail). Its weight is the tracking's, not the script's: a new weight
 * applies at once to the result the script already has. */
static bool script_same(const struct cfg_vrrp_script *a, const struct cfg_vrrp_script *b)
{
	return str_same(a->script, b->script) && str_same(a->user, b->user) &&
	       str_same(a->group, b->group) && a->interval_ms == b->interval_ms &&
	       a->timeout_ms == b->timeout_ms && a->rise == b->rise && a->fall == b->fall &&
	       a->init_fail == b->init_fail;
}

static const struct ctl_vscript *old_script(const struct ctl_vrrp *old,
					    const struct cfg_vrrp_script *cfg)
{
	for (size_t i = 0; old != NULL && i < old->n_scripts; i++)
		if (strcmp(old->scripts[i].cfg->name, cfg->name) == 0)
			return script_same(old->scripts[i].cfg, cfg) ? &old->scripts[i] : NULL;
	return NULL;
}

/* A vrrp_track_process keeps its count and state (and a quorum change
 * still waiting out its delay) when it watches the same processes. */
static bool process_same(const struct cfg_track_process *a, const struct cfg_track_process *b)
{
	if (strcmp(a->name, b->name) != 0 || a->argc != b->argc || a->has_params != b->has_params ||
	    a->param_match != b->param_match || a->full_command != b->full_command)
		return false;
	for (size_t i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]) != 0)
			return false;
	return true;
}

static void procs_carry(struct ctl *c, struct ctl_vrrp *v, const struct ctl_vrrp *old,
			const struct cfg_keepalived *old_k)
{
	for (size_t i = 0; old != NULL && old_k != NULL && i < v->n_procs; i++)
		for (size_t j = 0; j < old->n_procs && j < old_k->n_track_processes; j++)
			if (process_same(&c->k->track_processes[i], &old_k->track_processes[j]))
				v->procs[i] = old->procs[j];
}

/* Every tracked item from its source as it is now: a script's state, a
 * process's quorum, a file's number, and after a reload (links) a port's
 * link. After a reload this is what the instance goes on with, not "not
 * yet run" and "link up". (At start a link counts as up until the first
 * poll, a second later, while the port comes up.) */
static void items_from_sources(struct ctl *c, struct ctl_vi *vi, bool links)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t t = 0; t < vi->n_items; t++) {
		struct vrrp_track_item *it = &vi->items[t];
		size_t idx = vi->tracks[t].index;

		switch (vi->tracks[t].kind) {
		case VI_TRACK_SCRIPT:
			it->state = v->scripts[idx].st.state;
			break;
		case VI_TRACK_PROCESS:
			it->state = idx < v->n_procs ? v->procs[idx].state : it->state;
			break;
		case VI_TRACK_FILE:
			if (idx < v->n_files && v->files[idx].read)
				vrrp_track_file_set(it, v->files[idx].number);
			break;
		case VI_TRACK_LINK:
			if (links)
				it->state =
				    port_link_up(&c->ports[idx]) ? VRRP_TRACK_UP : VRRP_TRACK_DOWN;
			break;
		}
	}
}

void ctl_vrrp_tracking_start(struct ctl *c, struct ctl_vrrp *v, const struct ctl_vrrp *old,
			     const struct cfg_keepalived *old_k)
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
		os = old_script(old, cs->cfg);
		if (os != NULL) {
			cs->st = os->st; /* a reload is no new start: state and run count */
			memcpy(cs->last, os->last, sizeof(cs->last));
		} else if (old != NULL) {
			HALB_LOG(ctl, INFO, "VRRP_Script(%s) is new or changed: starts afresh",
				 cs->cfg->name);
		}
		ev_timer_init(&cs->timer, on_script_timer, 0.0, every);
		cs->timer.data = cs;
		ev_timer_start(c->loop, &cs->timer);
	}
	v->n_files = k->n_track_files;
	v->n_procs = k->n_track_processes;
	v->files = calloc(v->n_files ? v->n_files : 1, sizeof(*v->files));
	v->procs = calloc(v->n_procs ? v->n_procs : 1, sizeof(*v->procs));
	if (v->files == NULL || v->procs == NULL) {
		v->n_files = v->n_procs = 0;
		HALB_LOG(ctl, ERR, "out of memory: track_file and vrrp_track_process not tracked");
	}
	/* a reload is no new start: init_file only at start */
	if (old == NULL)
		files_init(k);
	procs_carry(c, v, old, old_k);
	files_poll(c);
	procs_poll(c);
	for (size_t i = 0; i < v->n_vi; i++)
		items_from_sources(c, &v->vi[i], old != NULL);
	ev_timer_init(&v->link_timer, on_link_timer, LINK_CHECK_INTERVAL, LINK_CHECK_INTERVAL);
	v->link_timer.data = c;
	ev_timer_start(c->loop, &v->link_timer);
}
