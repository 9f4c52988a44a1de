/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /halb/vrrp: each instance's state, priorities, master, VIPs, trackers,
 * advert counters, rejects by reason and its last transitions, plus the
 * adverts rejected before an instance was found. Built under the control
 * core's lock from the running state; nothing here changes it. Also what
 * /metrics reports of each instance (ctl_metrics.c), copied the same way.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_vrrp_int.h"

static json_t *tracker_json(const struct ctl_vrrp *v, const struct vi_track *tr,
			    const struct vrrp_track_item *it)
{
	static const char *const type[] = { [VI_TRACK_LINK] = "interface",
					    [VI_TRACK_SCRIPT] = "script",
					    [VI_TRACK_FILE] = "file",
					    [VI_TRACK_PROCESS] = "process" };
	bool link = tr->kind == VI_TRACK_LINK;
	const char *status = it->state == VRRP_TRACK_INIT ? "init"
			     : it->state == VRRP_TRACK_UP ? (link ? "up" : "ok")
							  : (link ? "down" : "failed");
	json_t *o = json_pack("{s:s, s:s, s:s, s:i}", "name", tr->name, "type", type[tr->kind],
			      "status", status, "weight", it->ignored ? 0 : it->weight);

	if (tr->kind == VI_TRACK_SCRIPT)
		json_object_set_new(o, "last_result", json_string(v->scripts[tr->index].last));
	else if (tr->kind == VI_TRACK_FILE && tr->index < v->n_files)
		json_object_set_new(o, "last_result", json_string(v->files[tr->index].last));
	else if (tr->kind == VI_TRACK_PROCESS && tr->index < v->n_procs)
		json_object_set_new(o, "running", json_integer(v->procs[tr->index].count));
	if (it->is_value)
		json_object_set_new(o, "offset", json_integer(it->ignored ? 0 : it->value));
	return o;
}

static json_t *vi_json(const struct ctl *c, const struct ctl_vi *vi)
{
	const struct ctl_vrrp *v = c->vrrp;
	json_t *vips = json_array(), *rejects = json_object(), *trackers = json_array();
	json_t *trans = json_array();
	unsigned int first =
	    vi->n_trans > CTL_VRRP_TRANSITIONS_KEPT ? vi->n_trans - CTL_VRRP_TRANSITIONS_KEPT : 0;
	bool master = vi->fsm.state == VRRP_STATE_MASTER;

	for (size_t a = 0; a < vi->cfg->n_vips; a++)
		json_array_append_new(vips, ctl_addr_json(&vi->cfg->vips[a].pfx.addr));
	for (int r = 1; r < VRRP_REJECT_COUNT; r++)
		if (vi->rejects[r])
			json_object_set_new(rejects, vrrp_reject_name(r),
					    json_integer((json_int_t)vi->rejects[r]));
	for (size_t t = 0; t < vi->n_items; t++)
		json_array_append_new(trackers, tracker_json(v, &vi->tracks[t], &vi->items[t]));
	for (unsigned int i = first; i < vi->n_trans; i++) {
		const struct vi_transition *t = &vi->trans[i % CTL_VRRP_TRANSITIONS_KEPT];

		json_array_append_new(trans, json_pack("{s:s, s:s, s:f, s:s}", "from",
						       vrrp_state_name(t->from), "to",
						       vrrp_state_name(t->to), "at", t->at,
						       "reason", t->reason ? t->reason : ""));
	}
	return json_pack(
	    "{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:o, s:i, s:f, s:o, s:I, s:o, s:I, s:I, "
	    "s:o, s:o, s:o}",
	    "name", vi->cfg->name, "state", vrrp_state_name(vi->fsm.state), "interface",
	    vi->cfg->interface, "vrid", vi->cfg->vrid, "version", vi->p.version, "priority",
	    vi->cfg->priority, "effective_priority", vi->fsm.priority, "master",
	    ctl_vi_master_json(vi), "master_priority",
	    master ? vi->fsm.priority : vi->fsm.master_priority, "advert_int",
	    vi->p.advert_int_ms / 1000.0, "vips", vips, "vips_advertised",
	    (json_int_t)vi->cfg->n_vips_adv, "sync_group",
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

/* -------------------------------------------------------------- metrics */

size_t ctl_vrrp_metrics(const struct ctl *c, struct ctl_vrrp_metric *out, size_t max)
{
	size_t n = c->vrrp != NULL ? c->vrrp->n_vi : 0;

	for (size_t i = 0; i < n && i < max; i++) {
		const struct ctl_vi *vi = &c->vrrp->vi[i];

		out[i] = (struct ctl_vrrp_metric){ .name = strdup(vi->cfg->name),
						   .interface = strdup(vi->cfg->interface),
						   .vrid = vi->cfg->vrid,
						   .state = (int)vi->fsm.state,
						   .priority = vi->cfg->priority,
						   .effective_priority = vi->fsm.priority,
						   .transitions = vi->n_trans,
						   .adverts_sent = vi->sent,
						   .adverts_received = vi->received };
	}
	return n;
}
