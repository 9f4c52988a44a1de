/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the control core: the glue between lib/vrrp's pure state machine
 * and the world.
 *
 * In: adverts that workers pass up (decoded, checked against the instance,
 * every reject counted by reason and logged once per reason), timers (one
 * libev timer per instance, armed on the state machine's next deadline),
 * tracking (vrrp_script runs through lib/proc, link state of tracked ports).
 * Out: the actions each step returns, executed in order: adverts (multicast
 * or to each unicast peer), taking or releasing the VIPs (dataplane
 * snapshot and TAP addresses), gratuitous ARPs, notify scripts, mail alerts,
 * and the forcing events of sync groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "ctl_priv.h"
#include "halb_proc.h"
#include "halb_vrrp.h"

#define TRANSITIONS_KEPT    16
#define LINK_CHECK_INTERVAL 1.0

struct vi_transition {
	enum vrrp_state from, to;
	double at;
	const char *reason;
};

/* A tracked item's source: a vrrp_script or a port's link. */
struct vi_track {
	bool is_script;
	size_t index; /* script index, or port index */
	const char *name;
};

struct ctl_vi {
	struct ctl *c;
	size_t index;
	const struct cfg_vrrp_instance *cfg;
	uint8_t port;
	int group;
	struct vrrp_params p;
	struct vrrp_check_params chk;
	struct vrrp_fsm fsm;
	uint32_t *vips;
	uint32_t src_ip;
	struct vrrp_track_item *items;
	struct vi_track *tracks;
	size_t n_items;
	bool started;
	ev_timer timer;
	uint16_t ip_id;
	uint64_t sent, received;
	uint64_t rejects[VRRP_REJECT_COUNT];
	unsigned int logged_flags;
	struct vi_transition trans[TRANSITIONS_KEPT];
	unsigned int n_trans;
};

struct ctl_vscript {
	struct ctl *c;
	size_t index;
	const struct cfg_vrrp_script *cfg;
	struct vrrp_script_status st;
	ev_timer timer;
	struct proc *running;
	char last[160];
};

struct ctl_vgroup {
	const struct cfg_sync_group *cfg;
	struct vrrp_sync sync;
};

struct ctl_vrrp {
	struct ctl_vi *vi;
	size_t n_vi;
	struct ctl_vscript *scripts;
	size_t n_scripts;
	struct ctl_vgroup *groups;
	size_t n_groups;
	uint64_t rejects[VRRP_REJECT_COUNT]; /* before an instance was found */
	bool logged[VRRP_REJECT_COUNT];
	ev_timer link_timer;
};

static void vi_step(struct ctl_vi *vi, const struct vrrp_event *ev);

/* ------------------------------------------------------------- helpers */

static uint64_t now_ms(void)
{
	return fwd_clock_ms();
}

/* ------------------------------------------------------------- sending */

static void mcast_mac(uint32_t group, struct rte_ether_addr *mac)
{
	mac->addr_bytes[0] = 0x01;
	mac->addr_bytes[1] = 0x00;
	mac->addr_bytes[2] = 0x5e;
	mac->addr_bytes[3] = (group >> 16) & 0x7f;
	mac->addr_bytes[4] = (group >> 8) & 0xff;
	mac->addr_bytes[5] = group & 0xff;
}

static void advert_send_to(struct ctl_vi *vi, uint8_t priority, uint32_t dst)
{
	struct ctl *c = vi->c;
	struct vrrp_tx tx = { .version = vi->p.version,
			      .vrid = vi->cfg->vrid,
			      .priority = priority,
			      .interval_cs = (uint16_t)(vi->p.advert_int_ms / 10),
			      .addrs = vi->vips,
			      .n_addrs = vi->cfg->n_vips,
			      .auth_type = vi->chk.auth_type,
			      .src = vi->src_ip,
			      .dst = dst,
			      .ip_id = vi->ip_id++ };
	size_t len = vrrp_encoded_len(vi->p.version, vi->cfg->n_vips);
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	struct rte_ether_addr dmac;
	void *ip;

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return;
	}
	memcpy(tx.auth_pass, vi->chk.auth_pass, sizeof(tx.auth_pass));
	ip = rte_pktmbuf_append(m, (uint16_t)len);
	if (ip == NULL || vrrp_encode(ip, len, &tx) < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	vi->sent++;
	if (dst == c->k->global.vrrp_mcast_group4 || (dst >> 28) == 0xe) {
		mcast_mac(dst, &dmac);
		pkt_push_ether(m, &c->ports[vi->port].mac, &dmac, RTE_ETHER_TYPE_IPV4);
		ctl_tx(c, vi->port, m);
		return;
	}
	/* A unicast peer: its MAC from the neighbour table, or wait for it. */
	memset(&dmac, 0, sizeof(dmac));
	pkt_push_ether(m, &c->ports[vi->port].mac, &dmac, RTE_ETHER_TYPE_IPV4);
	{
		int32_t slot = neigh_find(c->env.neigh, rte_cpu_to_be_32(dst));
		uint8_t port;

		if (slot >= 0 && neigh_slot_get(c->env.neigh, (uint32_t)slot, &dmac, &port)) {
			rte_ether_addr_copy(&dmac,
					    &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
			ctl_tx(c, vi->port, m);
		} else {
			neigh_hold(c->env.neigh, rte_cpu_to_be_32(dst), vi->port, m, now_ms(),
				   &c->nops);
		}
	}
}

static void advert_send(struct ctl_vi *vi, uint8_t priority)
{
	if (vi->cfg->n_unicast_peers == 0) {
		advert_send_to(vi, priority, vi->c->k->global.vrrp_mcast_group4);
		return;
	}
	for (size_t i = 0; i < vi->cfg->n_unicast_peers; i++)
		advert_send_to(vi, priority, vi->cfg->unicast_peers[i]);
}

static void garps_send(struct ctl_vi *vi, unsigned int count)
{
	for (unsigned int n = 0; n < count; n++)
		for (size_t a = 0; a < vi->cfg->n_vips; a++) {
			const struct cfg_vip *v = &vi->cfg->vips[a];
			const struct cfg_port *cp = v->dev ? cfg_port_find(vi->c->d, v->dev) : NULL;
			uint8_t p = cp ? (uint8_t)(cp - vi->c->d->ports) : vi->port;

			ctl_send_garp(vi->c, p, rte_cpu_to_be_32(v->pfx.addr));
		}
	ctl_io_flush(vi->c);
}

/* ------------------------------------------------------ notify and mail */

static const char *notify_for(const struct cfg_notify *n, enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_MASTER:
		return n->master;
	case VRRP_STATE_BACKUP:
		return n->backup;
	case VRRP_STATE_FAULT:
		return n->fault;
	case VRRP_STATE_STOP:
		return n->stop;
	default:
		return NULL;
	}
}

static void notify_run(struct ctl *c, const struct cfg_notify *n, const char *kind,
		       const char *name, enum vrrp_state s, uint8_t prio)
{
	const char *one = notify_for(n, s);

	if (one != NULL)
		ctl_run_script(c, one, NULL, 0);
	if (n->any != NULL) {
		char p[8];
		const char *args[4] = { kind, name, vrrp_state_name(s), p };

		snprintf(p, sizeof(p), "%u", prio);
		ctl_run_script(c, n->any, args, 4);
	}
}

static void mail_alert(struct ctl *c, const char *name, enum vrrp_state s, uint8_t prio)
{
	char subject[256], text[512];

	snprintf(subject, sizeof(subject), "[%s] VRRP Instance %s - Entering %s state",
		 ctl_router_id(c), name, vrrp_state_name(s));
	snprintf(text, sizeof(text),
		 "%s: VRRP Instance %s is now in %s state (priority %u)\n"
		 "=> VRRP Instance is %s VRRP VIPs <=",
		 ctl_router_id(c), name, vrrp_state_name(s), prio,
		 s == VRRP_STATE_MASTER ? "now owning" : "no longer owning");
	ctl_mail(c, subject, text);
}

static bool smtp_alert(const struct ctl *c, int setting)
{
	return setting < 0 ? c->k->global.smtp_alert : setting != 0;
}

/* -------------------------------------------------------- transitions */

static void record(struct ctl_vi *vi, const struct vrrp_actions *a)
{
	struct vi_transition *t = &vi->trans[vi->n_trans % TRANSITIONS_KEPT];

	t->from = a->from;
	t->to = a->to;
	t->at = ctl_now_real();
	t->reason = a->reason;
	vi->n_trans++;
}

static void on_transition(struct ctl_vi *vi, const struct vrrp_actions *a)
{
	struct ctl *c = vi->c;

	HALB_LOG(ctl, NOTICE, "VRRP_Instance(%s) Entering %s STATE%s%s%s", vi->cfg->name,
		 vrrp_state_name(a->to), a->reason ? " (" : "", a->reason ? a->reason : "",
		 a->reason ? ")" : "");
	record(vi, a);
	notify_run(c, &vi->cfg->notify, "INSTANCE", vi->cfg->name, a->to, vi->fsm.priority);
	if (smtp_alert(c, vi->cfg->smtp_alert))
		mail_alert(c, vi->cfg->name, a->to, vi->fsm.priority);
}

static void group_sync(struct ctl_vi *vi, const struct vrrp_actions *a)
{
	struct ctl_vrrp *v = vi->c->vrrp;
	const struct cfg_sync_group *g;
	struct ctl_vgroup *cg;
	const struct vrrp_fsm *members[64];
	struct vrrp_sync_force forces[64];
	enum vrrp_state before;
	size_t n, who = 0, nf;

	if (vi->group < 0)
		return;
	cg = &v->groups[vi->group];
	g = cg->cfg;
	n = RTE_MIN(g->n_members, RTE_DIM(members));
	for (size_t i = 0; i < n; i++) {
		members[i] = &v->vi[g->member[i]].fsm;
		if (g->member[i] == vi->index)
			who = i;
	}
	before = cg->sync.state;
	nf = vrrp_sync_update(&cg->sync, members, n, who, a, forces);
	if (cg->sync.state != before) {
		HALB_LOG(ctl, NOTICE, "VRRP_Group(%s) Syncing instances to %s state", g->name,
			 vrrp_state_name(cg->sync.state));
		notify_run(vi->c, &g->notify, "GROUP", g->name, cg->sync.state, 0);
		if (smtp_alert(vi->c, g->smtp_alert))
			mail_alert(vi->c, g->name, cg->sync.state, 0);
	}
	for (size_t f = 0; f < nf; f++) {
		struct vrrp_event ev = { .type = forces[f].type };

		vi_step(&v->vi[g->member[forces[f].member]], &ev);
	}
}

static void vi_arm(struct ctl_vi *vi)
{
	uint64_t at = vrrp_fsm_next_deadline(&vi->fsm), now = now_ms();

	ev_timer_stop(vi->c->loop, &vi->timer);
	if (at == VRRP_NEVER)
		return;
	ev_timer_set(&vi->timer, at > now ? (double)(at - now) / 1000.0 : 0.0, 0.0);
	ev_timer_start(vi->c->loop, &vi->timer);
}

static void vi_act(struct ctl_vi *vi, const struct vrrp_actions *a)
{
	if (a->note != NULL)
		HALB_LOG(ctl, INFO, "(%s) %s", vi->cfg->name, a->note);
	if (a->release_vips)
		ctl_instance_own(vi->c, vi->index, false);
	if (a->send_advert)
		advert_send(vi, a->advert_priority);
	if (a->take_vips)
		ctl_instance_own(vi->c, vi->index, true);
	if (a->garp_count > 0)
		garps_send(vi, a->garp_count);
	ctl_io_flush(vi->c);
	if (a->state_changed)
		on_transition(vi, a);
	if (a->state_changed || a->want_master)
		group_sync(vi, a);
}

static void vi_step(struct ctl_vi *vi, const struct vrrp_event *ev)
{
	struct vrrp_actions a;

	if (vrrp_fsm_step(&vi->p, &vi->fsm, ev, now_ms(), &a) == 0)
		vi_act(vi, &a);
	vi_arm(vi);
}

static void on_vi_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_vi *vi = t->data;
	struct vrrp_event ev = { .type = VRRP_EV_TIMER };

	(void)loop;
	(void)revents;
	vi_step(vi, &ev);
}

/* ------------------------------------------------------------ tracking */

/* Recomputes what tracking says and tells the state machine. */
static void vi_track_update(struct ctl_vi *vi)
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
		vi_step(vi, &ev);
		return;
	}
	if (fault != vi->fsm.fault) {
		struct vrrp_event ev = { .type = fault ? VRRP_EV_FAULT : VRRP_EV_FAULT_CLEARED };

		vi_step(vi, &ev);
	}
	if (prio != vi->fsm.priority) {
		struct vrrp_event ev = { .type = VRRP_EV_PRIORITY_CHANGED, .priority = prio };

		HALB_LOG(ctl, INFO, "(%s) Changing effective priority from %u to %u", vi->cfg->name,
			 vi->fsm.priority, prio);
		vi_step(vi, &ev);
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
			vi_track_update(vi);
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

/* ------------------------------------------------------------- start-up */

static int vi_tracks(struct ctl_vi *vi)
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

		vi->items[vi->n_items] =
		    (struct vrrp_track_item){ .weight = ts->has_weight ? ts->weight : s->weight,
					      .reverse = ts->has_weight ? ts->weight_reverse
									: s->weight_reverse,
					      .is_script = true,
					      .state = VRRP_TRACK_INIT };
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
	/* keepalived tracks the instance's own interface: down means FAULT */
	vi->items[vi->n_items] = (struct vrrp_track_item){ .weight = 0, .state = VRRP_TRACK_UP };
	vi->tracks[vi->n_items++] = (struct vi_track){ .index = vi->port, .name = in->interface };
	if (vrrp_track_normalise(vi->items, vi->n_items, in->priority, vi->group >= 0) > 0)
		HALB_LOG(ctl, WARNING,
			 "(%s) some tracking weights are ignored (address owner or sync group), as "
			 "keepalived does",
			 in->name);
	return 0;
}

static int group_of(const struct cfg_keepalived *k, size_t inst)
{
	for (size_t g = 0; g < k->n_groups; g++)
		for (size_t m = 0; m < k->groups[g].n_members; m++)
			if (k->groups[g].member[m] == inst)
				return (int)g;
	return -1;
}

static long inherit(long own, long global)
{
	return own >= 0 ? own : global;
}

static int vi_init(struct ctl *c, struct ctl_vi *vi, size_t i)
{
	const struct cfg_vrrp_instance *in = &c->k->instances[i];
	const struct cfg_global *g = &c->k->global;
	const struct cfg_port *cp = cfg_port_find(c->d, in->interface);
	unsigned int fixed = 0;

	vi->c = c;
	vi->index = i;
	vi->cfg = in;
	vi->port = cp ? (uint8_t)(cp - c->d->ports) : 0;
	vi->group = group_of(c->k, i);
	vi->src_ip = in->has_unicast_src_ip ? in->unicast_src_ip
		     : (cp && cp->n_addrs)  ? cp->addrs[0].addr
					    : 0;
	vi->vips = calloc(in->n_vips ? in->n_vips : 1, sizeof(*vi->vips));
	if (vi->vips == NULL)
		return -1;
	for (size_t a = 0; a < in->n_vips; a++)
		vi->vips[a] = in->vips[a].pfx.addr;

	vrrp_params_init(&vi->p);
	vi->p.version = (uint8_t)(in->version ? in->version : g->vrrp_version);
	vi->p.priority = in->priority;
	vi->p.advert_int_ms = in->advert_int_ms;
	vi->p.src_ip = vi->src_ip;
	vi->p.initial_master =
	    in->state == CFG_VRRP_MASTER || (!in->state_set && in->priority == VRRP_PRIO_OWNER);
	vi->p.nopreempt = in->nopreempt;
	vi->p.preempt_delay_ms = in->preempt_delay_ms;
	vi->p.garp_master_delay_ms =
	    (uint32_t)inherit(in->garp_master_delay_ms, g->vrrp_garp_master_delay_ms);
	vi->p.garp_master_repeat =
	    (unsigned int)inherit(in->garp_master_repeat, g->vrrp_garp_master_repeat);
	vi->p.garp_master_refresh_ms =
	    (uint32_t)inherit(in->garp_master_refresh_ms, g->vrrp_garp_master_refresh_ms);
	vi->p.garp_master_refresh_repeat = g->vrrp_garp_master_refresh_repeat;
	vi->p.sync_group = vi->group >= 0;
	vrrp_params_normalise(&vi->p, &fixed);
	if (fixed != 0)
		HALB_LOG(ctl, WARNING,
			 "(%s) conflicting preemption settings adjusted as keepalived", in->name);

	vi->chk = (struct vrrp_check_params){
		.version = vi->p.version,
		.vrid = in->vrid,
		.auth_type = vi->p.version == 2 && in->auth_type == CFG_AUTH_PASS ? VRRP_AUTH_PASS
										  : VRRP_AUTH_NONE,
		.interval_cs = (uint16_t)(in->advert_int_ms / 10),
		.vips = vi->vips,
		.n_vips = in->n_vips,
		.unicast = in->n_unicast_peers > 0,
		.peers = in->unicast_peers,
		.n_peers = in->n_unicast_peers,
		.addr_check = VRRP_ADDR_CHECK_KEEPALIVED,
	};
	/* zero-padded to 8 bytes, as keepalived */
	memcpy(vi->chk.auth_pass, in->auth_pass, strnlen(in->auth_pass, VRRP_AUTH_PASS_LEN));
	vrrp_fsm_init(&vi->fsm, &vi->p);
	ev_timer_init(&vi->timer, on_vi_timer, 0, 0);
	vi->timer.data = vi;
	return vi_tracks(vi);
}

static const struct ctl_vi *old_vi(const struct ctl_vrrp *old, const char *name)
{
	for (size_t i = 0; old != NULL && i < old->n_vi; i++)
		if (strcmp(old->vi[i].cfg->name, name) == 0)
			return &old->vi[i];
	return NULL;
}

static const struct ctl_vscript *old_script(const struct ctl_vrrp *old, const char *name)
{
	for (size_t i = 0; old != NULL && i < old->n_scripts; i++)
		if (strcmp(old->scripts[i].cfg->name, name) == 0)
			return &old->scripts[i];
	return NULL;
}

/* A reloaded instance goes on where the old one was: state, timers,
 * counters, history; if it holds its VIPs, the new list goes on the TAP. */
static void vi_carry(struct ctl_vi *vi, const struct ctl_vi *ov)
{
	struct ctl *c = vi->c;

	vi->fsm = ov->fsm;
	vi->started = ov->started;
	vi->sent = ov->sent;
	vi->received = ov->received;
	memcpy(vi->rejects, ov->rejects, sizeof(vi->rejects));
	memcpy(vi->trans, ov->trans, sizeof(vi->trans));
	vi->n_trans = ov->n_trans;
	vi->ip_id = ov->ip_id;
	if (vi->fsm.state == VRRP_STATE_MASTER) {
		ctl_instance_own(c, vi->index, true);
		garps_send(vi, 1);
	}
	vi_arm(vi);
}

int ctl_vrrp_start(struct ctl *c, const struct ctl_vrrp *old)
{
	const struct cfg_keepalived *k = c->k;
	struct ctl_vrrp *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return -1;
	c->vrrp = v;
	v->n_vi = k->n_instances;
	v->n_scripts = k->n_scripts;
	v->n_groups = k->n_groups;
	v->vi = calloc(v->n_vi ? v->n_vi : 1, sizeof(*v->vi));
	v->scripts = calloc(v->n_scripts ? v->n_scripts : 1, sizeof(*v->scripts));
	v->groups = calloc(v->n_groups ? v->n_groups : 1, sizeof(*v->groups));
	if (v->vi == NULL || v->scripts == NULL || v->groups == NULL)
		return -1;
	if (old != NULL) {
		memcpy(v->rejects, old->rejects, sizeof(v->rejects));
		memcpy(v->logged, old->logged, sizeof(v->logged));
	}
	for (size_t g = 0; g < v->n_groups; g++) {
		v->groups[g].cfg = &k->groups[g];
		vrrp_sync_init(&v->groups[g].sync);
	}
	for (size_t s = 0; s < v->n_scripts; s++) {
		struct ctl_vscript *cs = &v->scripts[s];
		const struct ctl_vscript *os;
		double every = k->scripts[s].interval_ms / 1000.0;

		cs->c = c;
		cs->index = s;
		cs->cfg = &k->scripts[s];
		vrrp_script_init(&cs->st, cs->cfg->rise, cs->cfg->fall);
		os = old_script(old, cs->cfg->name);
		if (os != NULL) {
			cs->st.state = os->st.state; /* a reload is no new start */
			memcpy(cs->last, os->last, sizeof(cs->last));
		}
		ev_timer_init(&cs->timer, on_script_timer, 0.0, every);
		cs->timer.data = cs;
		ev_timer_start(c->loop, &cs->timer);
	}
	for (size_t i = 0; i < v->n_vi; i++)
		if (vi_init(c, &v->vi[i], i) != 0)
			return -1;
	for (size_t i = 0; i < v->n_vi; i++) {
		const struct ctl_vi *ov = old_vi(old, v->vi[i].cfg->name);

		if (ov != NULL)
			vi_carry(&v->vi[i], ov);
	}
	ev_timer_init(&v->link_timer, on_link_timer, LINK_CHECK_INTERVAL, LINK_CHECK_INTERVAL);
	v->link_timer.data = c;
	ev_timer_start(c->loop, &v->link_timer);
	for (size_t i = 0; i < v->n_vi; i++)
		vi_track_update(&v->vi[i]); /* starts those with nothing pending */
	return 0;
}

/* Whether addr is among the VIPs of new_k's instance called name. */
static bool vip_stays(const struct cfg_keepalived *new_k, const char *name, uint32_t addr)
{
	for (size_t i = 0; i < new_k->n_instances; i++) {
		const struct cfg_vrrp_instance *in = &new_k->instances[i];

		if (strcmp(in->name, name) != 0)
			continue;
		for (size_t a = 0; a < in->n_vips; a++)
			if (in->vips[a].pfx.addr == addr)
				return true;
	}
	return false;
}

void ctl_vrrp_retire(struct ctl *c, const struct cfg_keepalived *new_k)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t i = 0; v != NULL && i < v->n_vi; i++) {
		struct ctl_vi *vi = &v->vi[i];
		bool kept = false;

		for (size_t n = 0; n < new_k->n_instances; n++)
			kept |= strcmp(new_k->instances[n].name, vi->cfg->name) == 0;
		if (!kept) {
			struct vrrp_event ev = { .type = VRRP_EV_SHUTDOWN };

			HALB_LOG(ctl, NOTICE, "(%s) removed from the configuration", vi->cfg->name);
			vi_step(vi, &ev);
			continue;
		}
		if (vi->fsm.state != VRRP_STATE_MASTER)
			continue;
		for (size_t a = 0; a < vi->cfg->n_vips; a++) {
			const struct cfg_vip *vip = &vi->cfg->vips[a];
			const struct cfg_port *cp =
			    cfg_port_find(c->d, vip->dev ? vip->dev : vi->cfg->interface);

			if (!vip_stays(new_k, vi->cfg->name, vip->pfx.addr) && cp != NULL)
				port_kernel_addr(&c->ports[cp - c->d->ports], vip->pfx.addr,
						 vip->pfx.plen, vip->label, false);
		}
	}
}

/* Stops tracking: script timers and runs, link checks. */
static void tracking_stop(struct ctl *c, struct ctl_vrrp *v)
{
	for (size_t s = 0; s < v->n_scripts; s++) {
		ev_timer_stop(c->loop, &v->scripts[s].timer);
		if (v->scripts[s].running != NULL)
			proc_cancel(v->scripts[s].running);
		v->scripts[s].running = NULL;
	}
	ev_timer_stop(c->loop, &v->link_timer);
}

struct ctl_vrrp *ctl_vrrp_detach(struct ctl *c)
{
	struct ctl_vrrp *v = c->vrrp;

	if (v == NULL)
		return NULL;
	tracking_stop(c, v);
	for (size_t i = 0; i < v->n_vi; i++)
		ev_timer_stop(c->loop, &v->vi[i].timer);
	c->vrrp = NULL;
	return v;
}

void ctl_vrrp_shutdown(struct ctl *c)
{
	struct ctl_vrrp *v = c->vrrp;

	if (v == NULL)
		return;
	tracking_stop(c, v);
	/* The notify scripts these steps start (notify_stop) are left to run
	 * to their end, as keepalived's are. */
	for (size_t i = 0; i < v->n_vi; i++) {
		struct vrrp_event ev = { .type = VRRP_EV_SHUTDOWN };

		vi_step(&v->vi[i], &ev);
		ev_timer_stop(c->loop, &v->vi[i].timer);
	}
}

void ctl_vrrp_free(struct ctl_vrrp *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n_vi; i++) {
		free(v->vi[i].vips);
		free(v->vi[i].items);
		free(v->vi[i].tracks);
	}
	free(v->vi);
	free(v->scripts);
	free(v->groups);
	free(v);
}

/* ---------------------------------------------------------------- input */

static bool src_is_ours(const struct ctl *c, uint32_t src)
{
	for (size_t p = 0; p < c->d->n_ports; p++)
		for (size_t a = 0; a < c->d->ports[p].n_addrs; a++)
			if (c->d->ports[p].addrs[a].addr == src)
				return true;
	return false;
}

static void reject(struct ctl *c, struct ctl_vi *vi, enum vrrp_reject r, uint32_t src)
{
	struct ctl_vrrp *v = c->vrrp;
	char from[16];
	bool *logged = &v->logged[r];

	if (vi != NULL) {
		vi->rejects[r]++;
		logged = NULL;
		if (!(vi->logged_flags & (1u << (r % 32)))) {
			vi->logged_flags |= 1u << (r % 32);
			cfg_ipv4_str(src, from);
			HALB_LOG(ctl, WARNING,
				 "(%s) advert from %s rejected: %s (logged once per reason)",
				 vi->cfg->name, from, vrrp_reject_name(r));
		}
		return;
	}
	v->rejects[r]++;
	if (!*logged) {
		*logged = true;
		cfg_ipv4_str(src, from);
		HALB_LOG(ctl, WARNING, "VRRP packet from %s rejected: %s (logged once per reason)",
			 from, vrrp_reject_name(r));
	}
}

void ctl_vrrp_input(struct ctl *c, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	struct ctl_vrrp *v = c->vrrp;
	struct vrrp_advert adv;
	struct ctl_vi *vi = NULL;
	enum vrrp_reject r;
	unsigned int flags = 0;

	r = vrrp_decode(rte_pktmbuf_mtod_offset(m, const void *, meta->l2_len),
			rte_pktmbuf_pkt_len(m) - meta->l2_len, &adv);
	if (v == NULL || (r == VRRP_OK && src_is_ours(c, adv.src)))
		goto out; /* our own advert seen again */
	if (r != VRRP_OK) {
		const struct rte_ipv4_hdr *ip =
		    rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, meta->l2_len);

		reject(c, NULL, r, rte_be_to_cpu_32(ip->src_addr)); /* pkt_parse checked it */
		goto out;
	}
	for (size_t i = 0; i < v->n_vi; i++)
		if (v->vi[i].cfg->vrid == adv.vrid && v->vi[i].port == meta->in_port)
			vi = &v->vi[i];
	if (vi == NULL) {
		reject(c, NULL, VRRP_REJECT_VRID_MISMATCH, adv.src);
		goto out;
	}
	r = vrrp_advert_check(&vi->chk, &adv, &flags);
	if (r != VRRP_OK) {
		reject(c, vi, r, adv.src);
		goto out;
	}
	vi->received++;
	if (vi->started) {
		struct vrrp_event ev = { .type = VRRP_EV_ADVERT, .advert = &adv };

		vi_step(vi, &ev);
	}
out:
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ telemetry */

static json_t *vi_json(const struct ctl *c, const struct ctl_vi *vi)
{
	const struct ctl_vrrp *v = c->vrrp;
	json_t *vips = json_array(), *rejects = json_object(), *trackers = json_array();
	json_t *trans = json_array();
	unsigned int first = vi->n_trans > TRANSITIONS_KEPT ? vi->n_trans - TRANSITIONS_KEPT : 0;
	bool master = vi->fsm.state == VRRP_STATE_MASTER;

	for (size_t a = 0; a < vi->cfg->n_vips; a++)
		json_array_append_new(vips, ctl_ip_json(vi->vips[a]));
	for (int r = 1; r < VRRP_REJECT_COUNT; r++)
		if (vi->rejects[r])
			json_object_set_new(rejects, vrrp_reject_name(r),
					    json_integer((json_int_t)vi->rejects[r]));
	for (size_t t = 0; t < vi->n_items; t++) {
		const struct vrrp_track_item *it = &vi->items[t];
		const char *status = it->state == VRRP_TRACK_INIT ? "init"
				     : it->state == VRRP_TRACK_UP
					 ? (vi->tracks[t].is_script ? "ok" : "up")
					 : (vi->tracks[t].is_script ? "failed" : "down");
		json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "name", vi->tracks[t].name, "type",
				      vi->tracks[t].is_script ? "script" : "interface", "status",
				      status, "weight", it->ignored ? 0 : it->weight);

		if (vi->tracks[t].is_script)
			json_object_set_new(o, "last_result",
					    json_string(v->scripts[vi->tracks[t].index].last));
		json_array_append_new(trackers, o);
	}
	for (unsigned int i = first; i < vi->n_trans; i++) {
		const struct vi_transition *t = &vi->trans[i % TRANSITIONS_KEPT];

		json_array_append_new(trans, json_pack("{s:s, s:s, s:f, s:s}", "from",
						       vrrp_state_name(t->from), "to",
						       vrrp_state_name(t->to), "at", t->at,
						       "reason", t->reason ? t->reason : ""));
	}
	return json_pack(
	    "{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o, s:i, s:f, s:o, s:o, s:I, s:I, "
	    "s:o, s:o, s:o}",
	    "name", vi->cfg->name, "state", vrrp_state_name(vi->fsm.state), "interface",
	    vi->cfg->interface, "vrid", vi->cfg->vrid, "version", vi->p.version, "priority",
	    vi->cfg->priority, "effective_priority", vi->fsm.priority, "master",
	    master              ? ctl_ip_json(vi->src_ip)
	    : vi->fsm.master_ip ? ctl_ip_json(vi->fsm.master_ip)
				: json_null(),
	    "master_priority", master ? vi->fsm.priority : vi->fsm.master_priority, "advert_int",
	    vi->p.advert_int_ms / 1000.0, "vips", vips, "sync_group",
	    vi->group >= 0 ? json_string(v->groups[vi->group].cfg->name) : json_null(),
	    "adverts_sent", (json_int_t)vi->sent, "adverts_received", (json_int_t)vi->received,
	    "rejects", rejects, "trackers", trackers, "transitions", trans);
}

static json_t *tel_vrrp(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	json_t *arr = json_array(), *other = json_object();

	(void)params;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; c->vrrp != NULL && i < c->vrrp->n_vi; i++)
		json_array_append_new(arr, vi_json(c, &c->vrrp->vi[i]));
	for (int r = 1; c->vrrp != NULL && r < VRRP_REJECT_COUNT; r++)
		if (c->vrrp->rejects[r])
			json_object_set_new(other, vrrp_reject_name(r),
					    json_integer((json_int_t)c->vrrp->rejects[r]));
	pthread_mutex_unlock(&c->lock);
	return json_pack("{s:o, s:o}", "instances", arr, "rejects", other);
}

int ctl_vrrp_tel_init(struct ctl *c)
{
	return tel_register(c->tel, "/halb/vrrp", tel_vrrp, c,
			    "VRRP instances: state, priorities, master, VIPs, transitions");
}
