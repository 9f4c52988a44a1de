/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of the VRRP glue share (not part of ctl_priv.h, which the
 * rest of lib/ctl sees):
 *   ctl_vrrp.c        instances: start, reload, transitions, notify, stop
 *   ctl_vrrp_sync.c   sync groups: members follow each other's state
 *   ctl_vrrp_track.c  tracking: vrrp_script runs, port links
 *   ctl_vrrp_wire.c   adverts and gratuitous ARPs out, adverts in
 *   ctl_vrrp_tel.c    the /halb/vrrp telemetry command
 */
#ifndef HALB_CTL_VRRP_INT_H
#define HALB_CTL_VRRP_INT_H

#include "ctl_priv.h"
#include "halb_proc.h"
#include "halb_vrrp.h"

#define CTL_VRRP_TRANSITIONS_KEPT 16

struct vi_transition {
	enum vrrp_state from, to;
	double at;
	const char *reason;
};

enum vi_track_kind {
	VI_TRACK_LINK = 0, /* a port's link */
	VI_TRACK_SCRIPT,   /* a vrrp_script */
	VI_TRACK_FILE,     /* a track_file */
	VI_TRACK_PROCESS,  /* a vrrp_track_process */
};

/* A tracked item's source. */
struct vi_track {
	enum vi_track_kind kind;
	size_t index; /* port, script, track_file or track_process index */
	const char *name;
};

/* A track_file: the number last read from its file. */
struct ctl_vfile {
	long number;
	bool read;     /* the file could be read and holds a number */
	char last[96]; /* what the last read found, for telemetry */
};

/* A vrrp_track_process: the count and the state after the delays. */
struct ctl_vproc {
	unsigned int count;
	enum vrrp_track_state state;
	uint64_t pending_since; /* ms: quorum changed, waiting out the delay; 0: none */
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
	uint8_t af;     /* the instance's family */
	uint32_t *vips; /* all of them; the first cfg->n_vips_adv are advertised */
	struct vrrp_ttl_range *peer_ttl;
	uint32_t src_ip;
	uint32_t *peers;       /* IPv4 unicast_peer */
	uint8_t (*vips6)[16];  /* IPv6 */
	uint8_t src_ip6[16];   /* IPv6: the port's link-local, or unicast_src_ip */
	uint8_t (*peers6)[16]; /* IPv6 unicast_peer */
	struct vrrp_track_item *items;
	struct vi_track *tracks;
	size_t n_items;
	bool started;
	ev_timer timer;
	uint16_t ip_id;
	uint64_t sent, received;
	uint64_t rejects[VRRP_REJECT_COUNT];
	unsigned int logged_flags;
	struct vi_transition trans[CTL_VRRP_TRANSITIONS_KEPT];
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
	struct ctl_vfile *files;
	size_t n_files;
	struct ctl_vproc *procs;
	size_t n_procs;
	uint64_t rejects[VRRP_REJECT_COUNT]; /* before an instance was found */
	bool logged[VRRP_REJECT_COUNT];
	ev_timer link_timer;    /* also reads track_files and counts processes */
	uint64_t startup_until; /* ms: vrrp_startup_delay ends (0: none) */
	ev_timer startup_timer;
	int mld_fd[FWD_MAX_PORTS]; /* joined the IPv6 VRRP group on the port's TAP, or -1 */
};

static inline uint64_t ctl_vrrp_now_ms(void)
{
	return fwd_clock_ms();
}

/* ctl_vrrp.c */
/* Feeds one event to an instance's state machine and carries out what it
 * says. */
void ctl_vi_step(struct ctl_vi *vi, const struct vrrp_event *ev);
/* Runs notify_<state> and notify of an instance or a sync group. */
void ctl_vrrp_notify_run(struct ctl *c, const struct cfg_notify *n, const char *kind,
			 const char *name, enum vrrp_state s, uint8_t prio);
/* Mails a transition when smtp_alert (own setting, else global) says so. */
void ctl_vrrp_mail(struct ctl *c, int smtp_alert, const char *name, enum vrrp_state s,
		   uint8_t prio);

/* ctl_vrrp_sync.c */
/* The sync group instance inst belongs to, or -1. */
int ctl_vgroup_of(const struct cfg_keepalived *k, size_t inst);
/* After a step of a group member: the group's state, its notify, and the
 * events that bring the other members along. */
void ctl_vgroup_sync(struct ctl_vi *vi, const struct vrrp_actions *a);

/* ctl_vrrp_track.c */
/* The tracked items of an instance (scripts, ports, its own port). */
int ctl_vi_tracks(struct ctl_vi *vi);
/* Recomputes what tracking says and tells the state machine (starts the
 * instance once nothing it waits for is pending). */
void ctl_vi_track_update(struct ctl_vi *vi);
/* Starts the script timers and link checks; old (of configuration old_k):
 * the state to carry across a reload. */
void ctl_vrrp_tracking_start(struct ctl *c, struct ctl_vrrp *v, const struct ctl_vrrp *old,
			     const struct cfg_keepalived *old_k);
void ctl_vrrp_tracking_stop(struct ctl *c, struct ctl_vrrp *v);

/* ctl_vrrp_wire.c */
void ctl_vi_advert_send(struct ctl_vi *vi, uint8_t priority);
/* Gratuitous ARPs, or unsolicited neighbour adverts for IPv6 VIPs. */
void ctl_vi_garps_send(struct ctl_vi *vi, unsigned int count);
/* The kernel of every port with an IPv6 multicast instance joins the
 * group (ff02::12) on its TAP, so that it answers MLD queries for it and
 * snooping switches send the adverts there; and leaves it. */
void ctl_vrrp_mld_join(struct ctl *c, struct ctl_vrrp *v);
void ctl_vrrp_mld_leave(struct ctl_vrrp *v);
/* The instance's address (ours, or the master's) as JSON. */
json_t *ctl_vi_master_json(const struct ctl_vi *vi);

#endif
