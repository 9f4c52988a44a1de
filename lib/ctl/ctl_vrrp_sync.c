/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vrrp_sync_group on the control core: after every step of a member, the
 * pure lib/vrrp sync logic (vrrp_sync_update) says the group's state and
 * which members must follow; the group's notify scripts and mail go out
 * when its state changes, and the forced events are stepped here.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_vrrp_int.h"

int ctl_vgroup_of(const struct cfg_keepalived *k, size_t inst)
{
	for (size_t g = 0; g < k->n_groups; g++)
		for (size_t m = 0; m < k->groups[g].n_members; m++)
			if (k->groups[g].member[m] == inst)
				return (int)g;
	return -1;
}

void ctl_vgroup_sync(struct ctl_vi *vi, const struct vrrp_actions *a)
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
		ctl_fifo_write(vi->c, "GROUP", g->name, vrrp_state_name(cg->sync.state), 0);
		ctl_vrrp_notify_run(vi->c, &g->notify, "GROUP", g->name, cg->sync.state, 0);
		ctl_vrrp_mail(vi->c, g->smtp_alert, g->name, cg->sync.state, 0);
	}
	for (size_t f = 0; f < nf; f++) {
		struct vrrp_event ev = { .type = forces[f].type };

		ctl_vi_step(&v->vi[g->member[forces[f].member]], &ev);
	}
}
