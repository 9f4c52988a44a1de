/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tracking: what vrrp_script runs, interface links, track_file numbers and
 * vrrp_track_process counts do to an instance.
 *
 * A script's results go through rise/fall counting (vrrp_script_result); its
 * state and each tracked interface's link make a list of vrrp_track_item, from
 * which come the effective priority (weighted items) and the FAULT verdict
 * (weight-0 items). Running the scripts and watching the links is the glue's
 * job; this file only counts and adds, as keepalived's vrrp_track.c and
 * vrrp_script_child_thread() do.
 *
 * keepalived keeps one counter per script between 0 and rise+fall-1 (OK from
 * rise up). The state-plus-run counter here is the same machine written out:
 * FAILED needs `rise` successes in a row, OK needs `fall` failures in a row,
 * any result of the other kind restarts the run. A script starts in INIT,
 * where keepalived's counter is rise-1: the first success makes it OK, and
 * the first failure fails it (its init flag forces the transition).
 */

#include "halb_vrrp.h"

void vrrp_script_init(struct vrrp_script_status *s, unsigned int rise, unsigned int fall)
{
	s->rise = rise ? rise : 1;
	s->fall = fall ? fall : 1;
	s->state = VRRP_TRACK_INIT;
	s->run = 0;
}

/* Moves to state if the run reached need; true when it did. */
static bool script_run(struct vrrp_script_status *s, unsigned int need, enum vrrp_track_state to)
{
	if (++s->run < need)
		return false;
	s->state = to;
	s->run = 0;
	return true;
}

bool vrrp_script_result(struct vrrp_script_status *s, bool success)
{
	switch (s->state) {
	case VRRP_TRACK_INIT:
		s->state = success ? VRRP_TRACK_UP : VRRP_TRACK_DOWN;
		s->run = 0;
		return true;
	case VRRP_TRACK_UP:
		if (success) {
			s->run = 0;
			return false;
		}
		return script_run(s, s->fall, VRRP_TRACK_DOWN);
	case VRRP_TRACK_DOWN:
		if (!success) {
			s->run = 0;
			return false;
		}
		return script_run(s, s->rise, VRRP_TRACK_UP);
	}
	return false;
}

/* keepalived vrrp_complete_instance(): the owner's priority never floats, and
 * a sync group (without sgroup_tracking_weight) must not float either, so its
 * weighted interfaces fault the instance instead (the owner's too). */
static bool normalise_item(struct vrrp_track_item *t, bool owner, bool sync_group)
{
	if (t->ignored || t->weight == 0)
		return false;
	if (t->is_script) {
		if (!owner && !sync_group)
			return false;
		t->ignored = true;
		return true;
	}
	if (sync_group) {
		t->weight = 0;
		return true;
	}
	if (owner) {
		t->ignored = true;
		return true;
	}
	return false;
}

size_t vrrp_track_normalise(struct vrrp_track_item *items, size_t n, uint8_t base, bool sync_group)
{
	size_t changed = 0;

	for (size_t i = 0; i < n; i++)
		changed += normalise_item(&items[i], base == VRRP_PRIO_OWNER, sync_group);
	return changed;
}

/* An item's share of the priority, keepalived's process_script_update_priority()
 * and initialise_interface_tracking_priorities(): a positive weight counts
 * while UP, a negative one while DOWN; reverse turns the sign. */
static int item_weight(const struct vrrp_track_item *t)
{
	int sign = t->reverse ? -1 : 1;

	if (t->is_value)
		return !t->ignored && t->state == VRRP_TRACK_UP ? t->value : 0;
	if (t->ignored || t->weight == 0)
		return 0;
	if (t->state == VRRP_TRACK_UP && t->weight > 0)
		return t->weight * sign;
	if (t->state == VRRP_TRACK_DOWN && t->weight < 0)
		return t->weight * sign;
	return 0;
}

uint8_t vrrp_effective_priority(uint8_t base, const struct vrrp_track_item *items, size_t n)
{
	long total = base;

	if (base == VRRP_PRIO_OWNER)
		return base;
	for (size_t i = 0; i < n; i++)
		total += item_weight(&items[i]);
	if (total < 1)
		return 1;
	if (total >= VRRP_PRIO_OWNER)
		return VRRP_PRIO_OWNER - 1;
	return (uint8_t)total;
}

/* A weight-0 item faults the instance when DOWN, or when UP if reversed
 * (keepalived: script_ok != (multiplier == 1)). */
static bool item_faults(const struct vrrp_track_item *t)
{
	if (t->is_value)
		return !t->ignored && t->state == VRRP_TRACK_DOWN;
	if (t->ignored || t->weight != 0 || t->state == VRRP_TRACK_INIT)
		return false;
	return (t->state == VRRP_TRACK_UP) == t->reverse;
}

bool vrrp_track_fault(const struct vrrp_track_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (item_faults(&items[i]))
			return true;
	return false;
}

bool vrrp_track_pending(const struct vrrp_track_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!items[i].ignored && items[i].weight == 0 && items[i].state == VRRP_TRACK_INIT)
			return true;
	return false;
}

void vrrp_track_file_set(struct vrrp_track_item *t, long number)
{
	long long v;

	t->is_value = true;
	t->value = 0;
	if (t->weight == 0) {
		t->state = (number != 0) != t->reverse ? VRRP_TRACK_DOWN : VRRP_TRACK_UP;
		return;
	}
	v = (long long)number * t->weight * (t->reverse ? -1 : 1);
	if (v < -253) {
		t->state = VRRP_TRACK_DOWN;
		return;
	}
	t->state = VRRP_TRACK_UP;
	t->value = v > 253 ? 253 : (int)v;
}
