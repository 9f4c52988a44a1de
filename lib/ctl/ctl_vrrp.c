/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the control core: the glue between lib/vrrp's pure state machine
 * and the world, for each vrrp_instance.
 *
 * An instance gets one libev timer, armed on the state machine's next
 * deadline; every event (timer, advert, tracking change, sync group force)
 * goes through ctl_vi_step(), which carries out the actions the step
 * returns, in order: adverts, taking or releasing the VIPs (dataplane
 * snapshot and TAP addresses), gratuitous ARPs, notify scripts, mail
 * alerts, then the sync group. Start-up, reload (an instance of the same
 * name goes on where it was) and stop are here too; the wire, tracking,
 * sync groups and telemetry have their own files (ctl_vrrp_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_vrrp_int.h"

/* ------------------------------------------------------ notify and mail */

static const struct cfg_script *notify_for(const struct cfg_notify *n, enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_MASTER:
		return &n->master;
	case VRRP_STATE_BACKUP:
		return &n->backup;
	case VRRP_STATE_FAULT:
		return &n->fault;
	case VRRP_STATE_STOP:
		return &n->stop;
	default:
		return NULL;
	}
}

void ctl_vrrp_notify_run(struct ctl *c, const struct cfg_notify *n, const char *kind,
			 const char *name, enum vrrp_state s, uint8_t prio)
{
	const struct cfg_script *one = notify_for(n, s);

	if (one != NULL)
		ctl_run_script(c, one, NULL, 0);
	if (n->any.cmd != NULL) {
		char p[8];
		const char *args[4] = { kind, name, vrrp_state_name(s), p };

		snprintf(p, sizeof(p), "%u", prio);
		ctl_run_script(c, &n->any, args, 4);
	}
}

void ctl_vrrp_mail(struct ctl *c, int smtp_alert, const char *name, enum vrrp_state s, uint8_t prio)
{
	char subject[256], text[512];

	const struct cfg_global *g = &c->k->global;

	/* the instance's or group's smtp_alert, else smtp_alert_vrrp, else
	 * smtp_alert, as keepalived; no_email_faults: none for FAULT */
	if (smtp_alert < 0)
		smtp_alert = g->smtp_alert_vrrp >= 0 ? g->smtp_alert_vrrp : g->smtp_alert;
	if (smtp_alert == 0 || (s == VRRP_STATE_FAULT && g->no_email_faults))
		return;
	snprintf(subject, sizeof(subject), "[%s] VRRP Instance %s - Entering %s state",
		 ctl_router_id(c), name, vrrp_state_name(s));
	snprintf(text, sizeof(text),
		 "%s: VRRP Instance %s is now in %s state (priority %u)\n"
		 "=> VRRP Instance is %s VRRP VIPs <=",
		 ctl_router_id(c), name, vrrp_state_name(s), prio,
		 s == VRRP_STATE_MASTER ? "now owning" : "no longer owning");
	ctl_mail(c, subject, text);
}

/* -------------------------------------------------------- transitions */

static void record(struct ctl_vi *vi, const struct vrrp_actions *a)
{
	struct vi_transition *t = &vi->trans[vi->n_trans % CTL_VRRP_TRANSITIONS_KEPT];

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
	ctl_fifo_write(c, "INSTANCE", vi->cfg->name, vrrp_state_name(a->to), vi->fsm.priority);
	ctl_vrrp_notify_run(c, &vi->cfg->notify, "INSTANCE", vi->cfg->name, a->to,
			    vi->fsm.priority);
	ctl_vrrp_mail(c, vi->cfg->smtp_alert, vi->cfg->name, a->to, vi->fsm.priority);
}

static void vi_arm(struct ctl_vi *vi)
{
	uint64_t at = vrrp_fsm_next_deadline(&vi->fsm), now = ctl_vrrp_now_ms();

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
		ctl_vi_advert_send(vi, a->advert_priority);
	if (a->take_vips)
		ctl_instance_own(vi->c, vi->index, true);
	if (a->garp_count > 0)
		ctl_vi_garps_send(vi, a->garp_count);
	ctl_io_flush(vi->c);
	if (a->state_changed)
		on_transition(vi, a);
	if (a->state_changed || a->want_master)
		ctl_vgroup_sync(vi, a);
}

void ctl_vi_step(struct ctl_vi *vi, const struct vrrp_event *ev)
{
	struct vrrp_actions a;

	if (vrrp_fsm_step(&vi->p, &vi->fsm, ev, ctl_vrrp_now_ms(), &a) == 0)
		vi_act(vi, &a);
	vi_arm(vi);
}

static void on_vi_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_vi *vi = t->data;
	struct vrrp_event ev = { .type = VRRP_EV_TIMER };

	(void)loop;
	(void)revents;
	ctl_vi_step(vi, &ev);
}

static long inherit(long own, long global)
{
	return own >= 0 ? own : global;
}

/* The instance's addresses in the form the codec takes: its VIPs, its
 * peers and the address it advertises from (IPv4: unicast_src_ip, else the
 * port's first; IPv6: unicast_src_ip, else the port's link-local, as RFC
 * 5798 5.1.2.1 asks). */
static int vi_addrs(struct ctl *c, struct ctl_vi *vi, const struct cfg_vrrp_instance *in,
		    const struct cfg_port *cp)
{
	const struct cfg_prefix *first = cfg_port_addr(cp, 4);
	const size_t nv = in->n_vips ? in->n_vips : 1, np = in->n_unicast_peers + 1;

	vi->af = in->family == 6 ? 6 : 4;
	vi->vips = calloc(nv, sizeof(*vi->vips));
	vi->vips6 = calloc(nv, sizeof(*vi->vips6));
	vi->peers = calloc(np, sizeof(*vi->peers));
	vi->peers6 = calloc(np, sizeof(*vi->peers6));
	vi->peer_ttl = calloc(np, sizeof(*vi->peer_ttl));
	if (vi->vips == NULL || vi->vips6 == NULL || vi->peers == NULL || vi->peers6 == NULL ||
	    vi->peer_ttl == NULL)
		return -1;
	for (size_t a = 0; a < in->n_vips; a++) {
		vi->vips[a] = in->vips[a].pfx.addr.v4;
		memcpy(vi->vips6[a], in->vips[a].pfx.addr.v6, 16);
	}
	for (size_t a = 0; a < in->n_unicast_peers; a++) {
		vi->peers[a] = in->unicast_peers[a].v4;
		memcpy(vi->peers6[a], in->unicast_peers[a].v6, 16);
		vi->peer_ttl[a] = (struct vrrp_ttl_range){ .min = in->peer_ttl[a].min,
							   .max = in->peer_ttl[a].max };
	}
	if (in->has_unicast_src_ip) {
		vi->src_ip = in->unicast_src_ip.v4;
		memcpy(vi->src_ip6, in->unicast_src_ip.v6, 16);
	} else {
		vi->src_ip = first != NULL ? first->addr.v4 : 0;
		memcpy(vi->src_ip6, c->env.ports[vi->port].ll6, 16);
	}
	return 0;
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
	vi->group = ctl_vgroup_of(c->k, i);
	if (vi_addrs(c, vi, in, cp) != 0)
		return -1;

	vrrp_params_init(&vi->p);
	vi->p.version = (uint8_t)(in->version ? in->version : g->vrrp_version);
	vi->p.priority = in->priority;
	vi->p.advert_int_ms = in->advert_int_ms;
	vi->p.src_ip = vi->src_ip;
	vi->p.af = vi->af;
	memcpy(vi->p.src_ip6, vi->src_ip6, 16);
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
	vi->p.garp_master_refresh_repeat = (unsigned int)inherit(
	    in->garp_master_refresh_repeat, g->vrrp_garp_master_refresh_repeat);
	/* the lower priority GARPs: the instance's, else global_defs', else
	 * the master GARPs' settings (keepalived) */
	vi->p.garp_lower_prio_delay_ms = (uint32_t)inherit(
	    in->garp_lower_prio_delay_ms,
	    inherit(g->vrrp_garp_lower_prio_delay_ms, vi->p.garp_master_delay_ms));
	vi->p.garp_lower_prio_repeat = (unsigned int)inherit(
	    in->garp_lower_prio_repeat,
	    inherit(g->vrrp_garp_lower_prio_repeat, vi->p.garp_master_repeat));
	vi->p.lower_prio_no_advert =
	    in->lower_prio_no_advert >= 0 ? in->lower_prio_no_advert : g->vrrp_lower_prio_no_advert;
	vi->p.higher_prio_send_advert = in->higher_prio_send_advert >= 0
					    ? in->higher_prio_send_advert
					    : g->vrrp_higher_prio_send_advert;
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
		.n_vips = in->n_vips_adv, /* virtual_ipaddress_excluded is not advertised */
		.unicast = in->n_unicast_peers > 0,
		.check_unicast_src = true,
		.peers = vi->peers,
		.n_peers = in->n_unicast_peers,
		.peer_ttl = vi->peer_ttl,
		.addr_check = VRRP_ADDR_CHECK_KEEPALIVED,
		.af = vi->af,
		.vips6 = (const uint8_t(*)[16])vi->vips6,
		.peers6 = (const uint8_t(*)[16])vi->peers6,
	};
	/* zero-padded to 8 bytes, as keepalived */
	memcpy(vi->chk.auth_pass, in->auth_pass, strnlen(in->auth_pass, VRRP_AUTH_PASS_LEN));
	vrrp_fsm_init(&vi->fsm, &vi->p);
	ev_timer_init(&vi->timer, on_vi_timer, 0, 0);
	vi->timer.data = vi;
	return ctl_vi_tracks(vi);
}

static const struct ctl_vi *old_vi(const struct ctl_vrrp *old, const char *name)
{
	for (size_t i = 0; old != NULL && i < old->n_vi; i++)
		if (strcmp(old->vi[i].cfg->name, name) == 0)
			return &old->vi[i];
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
		ctl_vi_garps_send(vi, 1);
	}
	vi_arm(vi);
}

/* A sync group whose name and members did not change keeps its state
 * (MASTER, BACKUP, FAULT) across a reload; another starts in INIT and
 * follows its members' next steps. */
static void group_carry(struct ctl_vgroup *g, const struct ctl_vrrp *old)
{
	for (size_t i = 0; old != NULL && i < old->n_groups; i++) {
		const struct cfg_sync_group *o = old->groups[i].cfg;
		bool same = strcmp(o->name, g->cfg->name) == 0 && o->n_members == g->cfg->n_members;

		for (size_t m = 0; same && m < o->n_members; m++)
			same = strcmp(o->members[m], g->cfg->members[m]) == 0;
		if (same)
			g->sync = old->groups[i].sync;
	}
}

static void on_startup_done(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = t->data;

	(void)loop;
	(void)revents;
	if (c->vrrp == NULL)
		return;
	/* over, whatever the clocks say: libev's and fwd_clock_ms() may differ
	 * by a millisecond, and nothing else would start the instances */
	c->vrrp->startup_until = 0;
	HALB_LOG(ctl, NOTICE, "vrrp_startup_delay over: starting the VRRP instances");
	for (size_t i = 0; i < c->vrrp->n_vi; i++)
		ctl_vi_track_update(&c->vrrp->vi[i]);
}

/* vrrp_startup_delay, from the start of halb (a reload goes on with it). */
static void startup_delay(struct ctl *c, struct ctl_vrrp *v, const struct ctl_vrrp *old)
{
	uint64_t now = ctl_vrrp_now_ms();

	v->startup_until = old != NULL ? old->startup_until
			   : c->k->global.vrrp_startup_delay_ms > 0
			       ? now + c->k->global.vrrp_startup_delay_ms
			       : 0;
	ev_timer_init(&v->startup_timer, on_startup_done, 0, 0);
	v->startup_timer.data = c;
	if (v->startup_until <= now)
		return;
	if (old == NULL)
		HALB_LOG(ctl, NOTICE, "vrrp_startup_delay: VRRP instances start in %.1f s",
			 (double)(v->startup_until - now) / 1000.0);
	ev_timer_set(&v->startup_timer, (double)(v->startup_until - now) / 1000.0, 0);
	ev_timer_start(c->loop, &v->startup_timer);
}

int ctl_vrrp_start(struct ctl *c, const struct ctl_vrrp *old, const struct cfg_keepalived *old_k)
{
	const struct cfg_keepalived *k = c->k;
	struct ctl_vrrp *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return -1;
	c->vrrp = v;
	for (size_t p = 0; p < FWD_MAX_PORTS; p++)
		v->mld_fd[p] = -1;
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
		group_carry(&v->groups[g], old);
	}
	startup_delay(c, v, old);
	for (size_t i = 0; i < v->n_vi; i++)
		if (vi_init(c, &v->vi[i], i) != 0)
			return -1;
	ctl_vrrp_mld_join(c, v);
	for (size_t i = 0; i < v->n_vi; i++) {
		const struct ctl_vi *ov = old_vi(old, v->vi[i].cfg->name);

		if (ov != NULL)
			vi_carry(&v->vi[i], ov);
	}
	/* vrrp_scripts, and notify scripts of every instance and group that
	 * may run at once on a transition */
	proc_nofile_need(PROC_NOFILE_SCRIPTS,
			 (unsigned int)(k->n_scripts + 5 * (k->n_instances + k->n_groups)) *
				 PROC_FDS_PER_SCRIPT +
			     16);
	ctl_vrrp_tracking_start(c, v, old, old_k);
	for (size_t i = 0; i < v->n_vi; i++)
		ctl_vi_track_update(&v->vi[i]); /* starts those with nothing pending */
	return 0;
}

void ctl_vrrp_fifo_states(struct ctl *c)
{
	struct ctl_vrrp *v = c->vrrp;

	for (size_t i = 0; v != NULL && i < v->n_vi; i++)
		ctl_fifo_write(c, "INSTANCE", v->vi[i].cfg->name,
			       vrrp_state_name(v->vi[i].fsm.state), v->vi[i].fsm.priority);
	for (size_t g = 0; v != NULL && g < v->n_groups; g++)
		ctl_fifo_write(c, "GROUP", v->groups[g].cfg->name,
			       vrrp_state_name(v->groups[g].sync.state), 0);
}

/* Whether addr is among the VIPs of new_k's instance called name. */
static bool vip_stays(const struct cfg_keepalived *new_k, const char *name,
		      const struct cfg_addr *addr)
{
	for (size_t i = 0; i < new_k->n_instances; i++) {
		const struct cfg_vrrp_instance *in = &new_k->instances[i];

		if (strcmp(in->name, name) != 0)
			continue;
		for (size_t a = 0; a < in->n_vips; a++)
			if (cfg_addr_eq(&in->vips[a].pfx.addr, addr))
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
			ctl_vi_step(vi, &ev);
			continue;
		}
		if (vi->fsm.state != VRRP_STATE_MASTER)
			continue;
		for (size_t a = 0; a < vi->cfg->n_vips; a++) {
			const struct cfg_vip *vip = &vi->cfg->vips[a];
			const struct cfg_port *cp =
			    cfg_port_find(c->d, vip->dev ? vip->dev : vi->cfg->interface);

			if (!vip_stays(new_k, vi->cfg->name, &vip->pfx.addr) && cp != NULL)
				port_kernel_addr(&c->ports[cp - c->d->ports], &vip->pfx.addr,
						 vip->pfx.plen, vip->label, false);
		}
	}
}

/* Stops tracking: script timers and runs, link checks. */

struct ctl_vrrp *ctl_vrrp_detach(struct ctl *c)
{
	struct ctl_vrrp *v = c->vrrp;

	if (v == NULL)
		return NULL;
	ctl_vrrp_tracking_stop(c, v);
	ev_timer_stop(c->loop, &v->startup_timer);
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
	ctl_vrrp_tracking_stop(c, v);
	ev_timer_stop(c->loop, &v->startup_timer);
	/* The notify scripts these steps start (notify_stop) are left to run
	 * to their end, as keepalived's are. */
	for (size_t i = 0; i < v->n_vi; i++) {
		struct vrrp_event ev = { .type = VRRP_EV_SHUTDOWN };

		ctl_vi_step(&v->vi[i], &ev);
		ev_timer_stop(c->loop, &v->vi[i].timer);
	}
}

void ctl_vrrp_free(struct ctl_vrrp *v)
{
	if (v == NULL)
		return;
	ctl_vrrp_mld_leave(v);
	for (size_t i = 0; i < v->n_vi; i++) {
		free(v->vi[i].vips);
		free(v->vi[i].peer_ttl);
		free(v->vi[i].vips6);
		free(v->vi[i].peers);
		free(v->vi[i].peers6);
		free(v->vi[i].items);
		free(v->vi[i].tracks);
	}
	free(v->vi);
	free(v->files);
	free(v->procs);
	free(v->scripts);
	free(v->groups);
	free(v);
}
