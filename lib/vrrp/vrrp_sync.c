/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sync groups: instances that fail over together (keepalived vrrp_sync.c and
 * the transition matrix of vrrp_scheduler.c).
 *
 * The group has a state of its own. After each step of a member the glue
 * calls vrrp_sync_update(), which reads every member's state machine and
 * returns the events to force on members:
 *   fault     any member in its own fault -> group FAULT, all others FAULT;
 *             no member in fault any more -> group BACKUP, all out of FAULT;
 *   election  MASTER -> BACKUP of one       -> group BACKUP, the others too;
 *   takeover  one wants MASTER and every other member wants it as well (or
 *             the group is MASTER already) -> group MASTER, all MASTER.
 * Members in a sync group (vrrp_params.sync_group) never become MASTER or
 * leave FAULT on their own, so these rules are the only way there; forces
 * are issued when the group's state changes, plus to the stepped member
 * itself when it lags (started late), so feeding the forced steps back in
 * converges without repeats.
 */

#include "halb_vrrp.h"

void vrrp_sync_init(struct vrrp_sync *g)
{
	g->state = VRRP_STATE_INIT;
}

static bool running(const struct vrrp_fsm *s)
{
	return s->state == VRRP_STATE_BACKUP || s->state == VRRP_STATE_MASTER;
}

bool vrrp_sync_can_goto_master(const struct vrrp_sync *g, const struct vrrp_fsm *const m[],
			       size_t n, size_t who)
{
	if (g->state == VRRP_STATE_MASTER)
		return true;
	/* keepalived: only if everyone wants to, i.e. prefer BACKUP to thrashing */
	for (size_t i = 0; i < n; i++) {
		if (i == who || m[i]->state == VRRP_STATE_STOP)
			continue;
		if (!m[i]->want_master && m[i]->state != VRRP_STATE_MASTER)
			return false;
	}
	return true;
}

static bool any_own_fault(const struct vrrp_fsm *const m[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i]->fault && m[i]->state != VRRP_STATE_STOP)
			return true;
	return false;
}

static bool all_stopped(const struct vrrp_fsm *const m[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i]->state != VRRP_STATE_STOP)
			return false;
	return true;
}

/* Adds a force for every member (but skip) in state from. */
static size_t force_all(const struct vrrp_fsm *const m[], size_t n, size_t skip,
			enum vrrp_state from, enum vrrp_event_type type,
			struct vrrp_sync_force *out, size_t k)
{
	for (size_t i = 0; i < n; i++) {
		if (i == skip || m[i]->state != from)
			continue;
		out[k].member = i;
		out[k].type = type;
		k++;
	}
	return k;
}

static size_t force_one(size_t who, enum vrrp_event_type type, struct vrrp_sync_force *out)
{
	out[0].member = who;
	out[0].type = type;
	return 1;
}

/* keepalived vrrp_sync_fault(): FAULT spreads to every running member. */
static size_t sync_fault(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n,
			 size_t who, struct vrrp_sync_force *out)
{
	size_t k;

	if (g->state == VRRP_STATE_FAULT)
		return running(m[who]) ? force_one(who, VRRP_EV_GROUP_FAULT, out) : 0;
	g->state = VRRP_STATE_FAULT;
	k = force_all(m, n, n, VRRP_STATE_BACKUP, VRRP_EV_GROUP_FAULT, out, 0);
	return force_all(m, n, n, VRRP_STATE_MASTER, VRRP_EV_GROUP_FAULT, out, k);
}

/* keepalived try_up_instance() + vrrp_sync_backup(): the last member to clear
 * its fault brings the whole group back, to BACKUP. */
static size_t sync_unfault(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n,
			   struct vrrp_sync_force *out)
{
	g->state = VRRP_STATE_BACKUP;
	return force_all(m, n, n, VRRP_STATE_FAULT, VRRP_EV_GROUP_BACKUP, out, 0);
}

/* keepalived vrrp_sync_backup() after a lost election. */
static size_t sync_backup(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n,
			  size_t who, struct vrrp_sync_force *out)
{
	if (g->state == VRRP_STATE_BACKUP)
		return 0;
	g->state = VRRP_STATE_BACKUP;
	return force_all(m, n, who, VRRP_STATE_MASTER, VRRP_EV_GROUP_BACKUP, out, 0);
}

/* keepalived vrrp_state_goto_master() + vrrp_sync_master(); a group that is
 * MASTER already only takes in the member that asks. */
static size_t sync_master(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n,
			  size_t who, struct vrrp_sync_force *out)
{
	if (g->state == VRRP_STATE_MASTER)
		return m[who]->state == VRRP_STATE_BACKUP
			   ? force_one(who, VRRP_EV_GROUP_MASTER, out)
			   : 0;
	if (!vrrp_sync_can_goto_master(g, m, n, who))
		return 0;
	g->state = VRRP_STATE_MASTER;
	return force_all(m, n, n, VRRP_STATE_BACKUP, VRRP_EV_GROUP_MASTER, out, 0);
}

size_t vrrp_sync_update(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n, size_t who,
			const struct vrrp_actions *a, struct vrrp_sync_force *out)
{
	if (who >= n)
		return 0;
	if (all_stopped(m, n)) {
		g->state = VRRP_STATE_STOP;
		return 0;
	}
	if (any_own_fault(m, n))
		return sync_fault(g, m, n, who, out);
	if (g->state == VRRP_STATE_FAULT)
		return sync_unfault(g, m, n, out);
	if (a && a->state_changed && a->from == VRRP_STATE_MASTER && a->to == VRRP_STATE_BACKUP)
		return sync_backup(g, m, n, who, out);
	if ((a && a->want_master) || m[who]->state == VRRP_STATE_MASTER)
		return sync_master(g, m, n, who, out);
	if (g->state == VRRP_STATE_INIT && m[who]->state == VRRP_STATE_BACKUP)
		g->state = VRRP_STATE_BACKUP;
	return 0;
}
