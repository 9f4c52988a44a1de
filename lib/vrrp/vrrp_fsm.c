/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VRRP state machine as a pure function: vrrp_fsm_step() takes the
 * instance's state, one event and the time, and returns what to do. Timers
 * are deadlines in struct vrrp_fsm; the caller sleeps until the earliest.
 *
 * Semantics are RFC 3768/5798 section 6 as keepalived 2.2.7 implements them
 * (vrrp.c: vrrp_state_backup, vrrp_state_master_rx, vrrp_state_master_tx,
 * vrrp_state_leave_master, vrrp_state_leave_fault; vrrp_scheduler.c:
 * vrrp_init_state, try_up_instance; vrrp_track.c: down_instance,
 * vrrp_set_effective_priority). Where keepalived and the RFC part, keepalived
 * wins, since halb shares virtual routers with it; each place says so.
 *
 * The file reads top down: timer arithmetic, the transitions (enter BACKUP,
 * become MASTER, leave MASTER, enter FAULT), then one handler per event.
 * A step changes state at most once, so the actions describe one transition.
 */

#include <errno.h>
#include <string.h>

#include "halb_vrrp.h"

static const char *const reason_init = "init";
static const char *const reason_owner = "address owner";
static const char *const reason_down_timer = "master down timer";
static const char *const reason_higher = "higher priority advert";
static const char *const reason_equal_higher_ip = "equal priority advert from higher address";
static const char *const reason_fault = "fault";
static const char *const reason_fault_cleared = "fault cleared";
static const char *const reason_group = "sync group";
static const char *const reason_shutdown = "shutdown";

const char *vrrp_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_INIT:
		return "INIT";
	case VRRP_STATE_BACKUP:
		return "BACKUP";
	case VRRP_STATE_MASTER:
		return "MASTER";
	case VRRP_STATE_FAULT:
		return "FAULT";
	case VRRP_STATE_STOP:
		return "STOP";
	}
	return "UNKNOWN";
}

/* ------------------------------------------------------------------ params */

void vrrp_params_init(struct vrrp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->version = 2;
	p->priority = 100;
	p->advert_int_ms = 1000;
	p->down_timer_adverts = 3;
	p->garp_master_delay_ms = 5000;
	p->garp_master_repeat = 5;
	p->garp_master_refresh_repeat = 1;
	/* keepalived: garp_lower_prio_* default to garp_master_* */
	p->garp_lower_prio_delay_ms = 5000;
	p->garp_lower_prio_repeat = 5;
}

static bool interval_valid(const struct vrrp_params *p)
{
	if (p->version == 2)
		return p->advert_int_ms >= 1000 && p->advert_int_ms % 1000 == 0 &&
		       p->advert_int_ms <= 255000;
	return p->advert_int_ms >= 10 && p->advert_int_ms % 10 == 0 &&
	       p->advert_int_ms <= 0x0fff * 10;
}

int vrrp_params_normalise(struct vrrp_params *p, unsigned int *fixed)
{
	unsigned int f = 0;

	if ((p->version != 2 && p->version != 3) || p->priority == 0 || !interval_valid(p) ||
	    p->down_timer_adverts == 0)
		return -EINVAL;
	/* keepalived vrrp_complete_instance(), in its order */
	if (p->priority == VRRP_PRIO_OWNER && p->nopreempt) {
		p->nopreempt = false;
		f |= VRRP_FIX_NOPREEMPT_OWNER;
	}
	if (p->initial_master && p->nopreempt) {
		p->nopreempt = false;
		f |= VRRP_FIX_NOPREEMPT_MASTER;
	}
	if (p->initial_master && p->preempt_delay_ms) {
		p->preempt_delay_ms = 0;
		f |= VRRP_FIX_PREEMPT_DELAY_MASTER;
	}
	if (p->nopreempt && p->preempt_delay_ms) {
		p->preempt_delay_ms = 0;
		f |= VRRP_FIX_PREEMPT_DELAY_NOPREEMPT;
	}
	if (fixed)
		*fixed = f;
	return 0;
}

/* ------------------------------------------------------------------ timers */

/* keepalived computes in microseconds (VRRP_TIMER_SKEW); the ms value is that
 * truncated, which keeps a higher priority strictly earlier for intervals of
 * a second (3.9 ms per priority step). v3 scales with the master's interval. */
uint32_t vrrp_skew_ms(const struct vrrp_params *p, const struct vrrp_fsm *s, uint8_t priority)
{
	uint64_t base = p->version == 3 ? s->master_adver_int_ms : 1000;

	return (uint32_t)((256u - priority) * base / 256u);
}

uint32_t vrrp_master_down_ms(const struct vrrp_params *p, const struct vrrp_fsm *s)
{
	return p->down_timer_adverts * s->master_adver_int_ms + vrrp_skew_ms(p, s, s->priority);
}

static uint64_t after(uint64_t now, uint32_t ms)
{
	return now + ms;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static bool due(uint64_t deadline, uint64_t now)
{
	return deadline != VRRP_NEVER && deadline <= now;
}

uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *s)
{
	uint64_t d = s->down_at;

	d = earliest(d, s->advert_at);
	d = earliest(d, s->garp_delay_at);
	d = earliest(d, s->garp_refresh_at);
	return earliest(d, s->garp_lower_at);
}

static void disarm_master_timers(struct vrrp_fsm *s)
{
	s->advert_at = VRRP_NEVER;
	s->garp_delay_at = VRRP_NEVER;
	s->garp_refresh_at = VRRP_NEVER;
	s->garp_lower_at = VRRP_NEVER;
}

static void disarm_all(struct vrrp_fsm *s)
{
	disarm_master_timers(s);
	s->down_at = VRRP_NEVER;
	s->preempt_at = VRRP_NEVER;
}

void vrrp_fsm_init(struct vrrp_fsm *s, const struct vrrp_params *p)
{
	memset(s, 0, sizeof(*s));
	s->state = VRRP_STATE_INIT;
	s->priority = p->priority;
	s->want_master = p->initial_master;
	s->master_adver_int_ms = p->advert_int_ms;
	disarm_all(s);
}

/* ------------------------------------------------------------- transitions */

static void set_state(struct vrrp_fsm *s, struct vrrp_actions *out, enum vrrp_state to,
		      const char *reason, uint64_t now)
{
	out->state_changed = true;
	out->from = s->state;
	out->to = to;
	out->reason = reason;
	s->state = to;
	s->last_transition_ms = now;
	s->transitions++;
}

static void send_advert(const struct vrrp_params *p, struct vrrp_fsm *s, struct vrrp_actions *out,
			uint8_t priority, uint64_t now)
{
	out->send_advert = true;
	out->advert_priority = priority;
	if (s->state == VRRP_STATE_MASTER && priority != VRRP_PRIO_STOP)
		s->advert_at = after(now, p->advert_int_ms);
}

/* BACKUP with the Master_Down_Timer at down_ms. keepalived's leave_master and
 * leave_fault clear the preempt delay; leave_fault also forgets the learned
 * v3 interval, which the caller does before computing down_ms. */
static void enter_backup(struct vrrp_fsm *s, struct vrrp_actions *out, const char *reason,
			 uint32_t down_ms, uint64_t now)
{
	disarm_master_timers(s);
	s->preempt_at = VRRP_NEVER;
	s->down_at = after(now, down_ms);
	set_state(s, out, VRRP_STATE_BACKUP, reason, now);
}

/* keepalived vrrp_state_goto_master() + vrrp_state_become_master(): the advert
 * goes first so that the old master drops the VIPs before our GARPs. */
static void become_master(const struct vrrp_params *p, struct vrrp_fsm *s, struct vrrp_actions *out,
			  const char *reason, uint64_t now)
{
	s->down_at = VRRP_NEVER;
	s->preempt_at = VRRP_NEVER;
	s->master_adver_int_ms = p->advert_int_ms;
	s->want_master = true;
	s->master_ip = p->src_ip;
	memcpy(s->master_ip6, p->src_ip6, 16);
	s->master_priority = s->priority;
	set_state(s, out, VRRP_STATE_MASTER, reason, now);
	send_advert(p, s, out, s->priority, now);
	out->take_vips = true;
	out->garp_count += p->garp_master_repeat;
	s->garp_delay_at =
	    p->garp_master_delay_ms ? after(now, p->garp_master_delay_ms) : VRRP_NEVER;
	s->garp_refresh_at =
	    p->garp_master_refresh_ms ? after(now, p->garp_master_refresh_ms) : VRRP_NEVER;
	s->garp_lower_at = VRRP_NEVER;
}

/* The master is the advert's sender. */
static void set_master(struct vrrp_fsm *s, const struct vrrp_advert *a)
{
	s->master_ip = a->src;
	memcpy(s->master_ip6, a->src6, 16);
}

/* Drops the VIPs; resign says whether to tell the others with priority 0
 * (keepalived does on FAULT and shutdown, not when it lost an election). */
static void leave_master(struct vrrp_fsm *s, struct vrrp_actions *out, bool resign)
{
	if (resign) {
		out->send_advert = true;
		out->advert_priority = VRRP_PRIO_STOP;
	}
	out->release_vips = true;
	disarm_master_timers(s);
}

/* MASTER -> BACKUP, having lost an election or been told by the group. */
static void master_to_backup(const struct vrrp_params *p, struct vrrp_fsm *s,
			     struct vrrp_actions *out, const char *reason, uint64_t now)
{
	leave_master(s, out, false);
	s->want_master = false;
	enter_backup(s, out, reason, vrrp_master_down_ms(p, s), now);
}

static void enter_fault(struct vrrp_fsm *s, struct vrrp_actions *out, const char *reason,
			uint64_t now)
{
	if (s->state == VRRP_STATE_MASTER)
		leave_master(s, out, true);
	disarm_all(s);
	s->want_master = false;
	set_state(s, out, VRRP_STATE_FAULT, reason, now);
}

/* keepalived vrrp_state_leave_fault() towards BACKUP: own interval again and a
 * full Master_Down_Interval. */
static void fault_to_backup(const struct vrrp_params *p, struct vrrp_fsm *s,
			    struct vrrp_actions *out, const char *reason, uint64_t now)
{
	s->master_adver_int_ms = p->advert_int_ms;
	s->want_master = false;
	enter_backup(s, out, reason, vrrp_master_down_ms(p, s), now);
}

/* ------------------------------------------------------------------ events */

/*
 * Leaving INIT, keepalived vrrp_init_state():
 * - the owner (priority 255, state MASTER) becomes MASTER at once (keepalived
 *   arms a 1 us down timer, which is the same thing);
 * - "state MASTER" below 255 does NOT take over: it enters BACKUP with the
 *   full Master_Down_Interval like any backup; only in a sync group (whose
 *   state is then BACKUP) does it wait one Master_Adver_Interval plus the
 *   smallest skew, to make sure no other master speaks first;
 * - in fault (own or the sync group's) it enters FAULT.
 */
static void on_startup(const struct vrrp_params *p, struct vrrp_fsm *s, const struct vrrp_event *ev,
		       uint64_t now, struct vrrp_actions *out)
{
	uint32_t down;

	if (s->state != VRRP_STATE_INIT)
		return;
	s->priority = ev->priority ? ev->priority : p->priority;
	s->fault = ev->fault;
	s->master_adver_int_ms = p->advert_int_ms;
	if (ev->fault || ev->group_fault) {
		enter_fault(s, out, reason_init, now);
		return;
	}
	if (p->initial_master && p->priority == VRRP_PRIO_OWNER && !p->sync_group) {
		become_master(p, s, out, reason_owner, now);
		return;
	}
	if (p->initial_master && p->sync_group)
		down = s->master_adver_int_ms + vrrp_skew_ms(p, s, 255);
	else
		down = vrrp_master_down_ms(p, s);
	enter_backup(s, out, reason_init, down, now);
	out->want_master = p->initial_master && p->sync_group && p->priority == VRRP_PRIO_OWNER;
}

/* keepalived vrrp_state_backup(). A lower priority advert that we may preempt
 * is ignored, so the running Master_Down_Timer fires and we take over. */
static void backup_on_advert(const struct vrrp_params *p, struct vrrp_fsm *s,
			     const struct vrrp_advert *a, uint64_t now, struct vrrp_actions *out)
{
	bool holding = p->preempt_delay_ms && (s->preempt_at == VRRP_NEVER || s->preempt_at > now);

	if (a->priority == VRRP_PRIO_STOP) {
		s->down_at = after(now, vrrp_skew_ms(p, s, s->priority));
		out->note = "priority 0 advert, master down after skew time";
		return;
	}
	if (!p->nopreempt && a->priority < s->priority && !holding) {
		set_master(s, a);
		out->note = "lower priority advert discarded, preempting";
		return;
	}
	if (p->version == 3)
		s->master_adver_int_ms = (uint32_t)a->interval_cs * 10; /* RFC 5798 6.4.2 */
	s->down_at = after(now, vrrp_master_down_ms(p, s));
	set_master(s, a);
	s->master_priority = a->priority;
	s->want_master = false;
	if (!p->preempt_delay_ms)
		return;
	/* keepalived: the delay runs from the first lower priority advert heard
	 * since entering BACKUP; an equal or higher master cancels it */
	if (a->priority >= s->priority) {
		s->preempt_at = VRRP_NEVER;
	} else if (s->preempt_at == VRRP_NEVER) {
		s->preempt_at = after(now, p->preempt_delay_ms);
		out->note = "lower priority advert, preempt delay started";
	}
}

/* >0 when the sender's primary address is higher than ours (RFC 3768 6.4.3;
 * RFC 5798 6.4.3 compares IPv6 addresses as unsigned integers too). */
static int addr_cmp(const struct vrrp_advert *a, const struct vrrp_params *p)
{
	if (p->af == 6) {
		int c = memcmp(a->src6, p->src_ip6, 16);

		return (c > 0) - (c < 0);
	}
	return (a->src > p->src_ip) - (a->src < p->src_ip);
}

/* keepalived vrrp_state_master_rx() after its packet checks. */
static void master_on_advert(const struct vrrp_params *p, struct vrrp_fsm *s,
			     const struct vrrp_advert *a, uint64_t now, struct vrrp_actions *out)
{
	int cmp = addr_cmp(a, p);
	bool theirs_wins = a->priority > s->priority || (a->priority == s->priority && cmp > 0);

	if (a->priority == VRRP_PRIO_STOP) {
		send_advert(p, s, out, s->priority, now);
		out->note = "priority 0 advert, advertising at once";
		return;
	}
	/* keepalived sends this one before any owner conflict is handled */
	if (theirs_wins && p->higher_prio_send_advert)
		send_advert(p, s, out, s->priority, now);
	if (a->priority == s->priority && cmp == 0) {
		out->note = "equal priority advert from our own address";
		return;
	}
	if (a->priority == s->priority && s->priority == VRRP_PRIO_OWNER) {
		/* two owners: keepalived reports a configuration error and steps
		 * down to 254 so that the election can finish */
		s->priority = VRRP_PRIO_OWNER - 1;
		s->owner_demoted = true;
		out->note = "another address owner, reducing priority to 254";
	}
	theirs_wins = a->priority > s->priority || (a->priority == s->priority && cmp > 0);
	if (!theirs_wins) {
		if (!p->lower_prio_no_advert)
			send_advert(p, s, out, s->priority, now);
		if (p->garp_lower_prio_repeat) {
			out->garp_count += p->garp_lower_prio_repeat;
			if (p->garp_lower_prio_delay_ms)
				s->garp_lower_at = after(now, p->garp_lower_prio_delay_ms);
		}
		if (!out->note)
			out->note = "lower priority advert, forcing new election";
		return;
	}
	if (p->version == 3)
		s->master_adver_int_ms = (uint32_t)a->interval_cs * 10;
	set_master(s, a);
	s->master_priority = a->priority;
	master_to_backup(p, s, out,
			 a->priority > s->priority ? reason_higher : reason_equal_higher_ip, now);
}

static void on_advert(const struct vrrp_params *p, struct vrrp_fsm *s, const struct vrrp_advert *a,
		      uint64_t now, struct vrrp_actions *out)
{
	/* keepalived drops adverts in FAULT and INIT before looking at them */
	if (s->state == VRRP_STATE_BACKUP)
		backup_on_advert(p, s, a, now, out);
	else if (s->state == VRRP_STATE_MASTER)
		master_on_advert(p, s, a, now, out);
}

/* A sync group member does not take over alone: it wants to, and waits a full
 * interval again while the group decides (keepalived
 * vrrp_sync_can_goto_master() re-arms the timer the same way). */
static void backup_on_timer(const struct vrrp_params *p, struct vrrp_fsm *s, uint64_t now,
			    struct vrrp_actions *out)
{
	if (!due(s->down_at, now))
		return;
	if (!p->sync_group) {
		become_master(p, s, out, reason_down_timer, now);
		return;
	}
	s->want_master = true;
	s->down_at = after(now, vrrp_master_down_ms(p, s));
	out->want_master = true;
	out->note = "master down timer, asking the sync group";
}

/* keepalived vrrp_state_master_tx() and the delayed GARP threads. Several
 * deadlines may be due in one step: one advert, GARP counts add up. */
static void master_on_timer(const struct vrrp_params *p, struct vrrp_fsm *s, uint64_t now,
			    struct vrrp_actions *out)
{
	if (due(s->advert_at, now))
		send_advert(p, s, out, s->priority, now);
	if (due(s->garp_delay_at, now)) {
		out->garp_count += p->garp_master_repeat;
		s->garp_delay_at = VRRP_NEVER;
	}
	if (due(s->garp_refresh_at, now)) {
		out->garp_count += p->garp_master_refresh_repeat;
		s->garp_refresh_at = after(now, p->garp_master_refresh_ms);
	}
	if (due(s->garp_lower_at, now)) {
		out->garp_count += p->garp_lower_prio_repeat;
		s->garp_lower_at = VRRP_NEVER;
	}
}

/*
 * keepalived vrrp_set_effective_priority(): applied at once; a MASTER
 * advertises it from its next advert, a BACKUP moves its running
 * Master_Down_Timer by the change of Skew_Time (keepalived moves it by the
 * change of the whole interval, which differs only right after a priority 0
 * advert, where it would push a skew-only timer out by three intervals).
 */
static void on_priority(const struct vrrp_params *p, struct vrrp_fsm *s, uint8_t priority,
			struct vrrp_actions *out)
{
	uint32_t old_skew, new_skew;

	if (s->owner_demoted && priority > VRRP_PRIO_OWNER - 1)
		priority = VRRP_PRIO_OWNER - 1;
	if (priority == 0 || priority == s->priority)
		return;
	old_skew = vrrp_skew_ms(p, s, s->priority);
	new_skew = vrrp_skew_ms(p, s, priority);
	s->priority = priority;
	if (s->state == VRRP_STATE_MASTER)
		s->master_priority = priority;
	if (s->state == VRRP_STATE_BACKUP && s->down_at != VRRP_NEVER) {
		if (new_skew >= old_skew)
			s->down_at += new_skew - old_skew;
		else
			s->down_at -= earliest(s->down_at, old_skew - new_skew);
	}
	out->note = "effective priority changed";
}

/* keepalived down_instance(): a MASTER resigns with priority 0. */
static void on_fault(struct vrrp_fsm *s, uint64_t now, struct vrrp_actions *out)
{
	s->fault = true;
	if (s->state == VRRP_STATE_BACKUP || s->state == VRRP_STATE_MASTER)
		enter_fault(s, out, reason_fault, now);
}

/* keepalived try_up_instance(): back to BACKUP with a full down timer, the
 * owner included (its wantstate was FAULT). A sync group member stays in
 * FAULT until the whole group is clear: vrrp_sync_update() forces it out. */
static void on_fault_cleared(const struct vrrp_params *p, struct vrrp_fsm *s, uint64_t now,
			     struct vrrp_actions *out)
{
	s->fault = false;
	if (s->state != VRRP_STATE_FAULT)
		return;
	if (p->sync_group) {
		out->note = "fault cleared, waiting for the sync group";
		return;
	}
	fault_to_backup(p, s, out, reason_fault_cleared, now);
}

/* keepalived restore_vrrp_interfaces() + notify_shutdown(). */
static void on_shutdown(struct vrrp_fsm *s, uint64_t now, struct vrrp_actions *out)
{
	if (s->state == VRRP_STATE_STOP)
		return;
	if (s->state == VRRP_STATE_MASTER)
		leave_master(s, out, true);
	disarm_all(s);
	s->want_master = false;
	set_state(s, out, VRRP_STATE_STOP, reason_shutdown, now);
}

/* keepalived vrrp_sync_master/backup/fault() on the other members. */
static void on_group(const struct vrrp_params *p, struct vrrp_fsm *s, enum vrrp_event_type type,
		     uint64_t now, struct vrrp_actions *out)
{
	switch (type) {
	case VRRP_EV_GROUP_MASTER:
		if (s->state == VRRP_STATE_BACKUP)
			become_master(p, s, out, reason_group, now);
		break;
	case VRRP_EV_GROUP_BACKUP:
		if (s->state == VRRP_STATE_MASTER)
			master_to_backup(p, s, out, reason_group, now);
		else if (s->state == VRRP_STATE_FAULT && !s->fault)
			fault_to_backup(p, s, out, reason_group, now);
		break;
	case VRRP_EV_GROUP_FAULT:
		if (s->state == VRRP_STATE_BACKUP || s->state == VRRP_STATE_MASTER)
			enter_fault(s, out, reason_group, now);
		break;
	default:
		break;
	}
}

int vrrp_fsm_step(const struct vrrp_params *p, struct vrrp_fsm *s, const struct vrrp_event *ev,
		  uint64_t now_ms, struct vrrp_actions *out)
{
	memset(out, 0, sizeof(*out));
	switch (ev->type) {
	case VRRP_EV_STARTUP:
		on_startup(p, s, ev, now_ms, out);
		return 0;
	case VRRP_EV_ADVERT:
		if (!ev->advert)
			return -EINVAL;
		on_advert(p, s, ev->advert, now_ms, out);
		return 0;
	case VRRP_EV_TIMER:
		if (s->state == VRRP_STATE_BACKUP)
			backup_on_timer(p, s, now_ms, out);
		else if (s->state == VRRP_STATE_MASTER)
			master_on_timer(p, s, now_ms, out);
		return 0;
	case VRRP_EV_PRIORITY_CHANGED:
		on_priority(p, s, ev->priority, out);
		return 0;
	case VRRP_EV_FAULT:
		on_fault(s, now_ms, out);
		return 0;
	case VRRP_EV_FAULT_CLEARED:
		on_fault_cleared(p, s, now_ms, out);
		return 0;
	case VRRP_EV_SHUTDOWN:
		on_shutdown(s, now_ms, out);
		return 0;
	case VRRP_EV_GROUP_MASTER:
	case VRRP_EV_GROUP_BACKUP:
	case VRRP_EV_GROUP_FAULT:
		on_group(p, s, ev->type, now_ms, out);
		return 0;
	}
	return -EINVAL;
}
