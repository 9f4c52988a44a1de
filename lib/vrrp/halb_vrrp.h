/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_VRRP_H
#define HALB_VRRP_H

/**
 * @file
 * The pure part of VRRP (RFC 3768 version 2, RFC 5798 version 3, over IPv4
 * and, version 3 only, over IPv6), run the way keepalived 2.2.7 runs it, so
 * that halb and keepalived can share a virtual router in either role.
 *
 * Four pieces, each in its own file:
 * - codec (vrrp_codec.c): builds an advert with its IPv4 header, parses and
 *   validates one, and checks a parsed advert against the receiving instance;
 * - state machine (vrrp_fsm.c): vrrp_fsm_step() maps (state, event, now) to
 *   (state, actions); every timer is a deadline kept in struct vrrp_fsm;
 * - tracking (vrrp_track.c): vrrp_script fall/rise bookkeeping, the
 *   effective priority and the fault verdict of tracked scripts/interfaces;
 * - sync groups (vrrp_sync.c): the events a vrrp_sync_group forces on its
 *   members when one of them changes state.
 *
 * Nothing here opens a socket, reads a clock, allocates or keeps a global:
 * every function is re-entrant, and an object (a struct vrrp_fsm, a struct
 * vrrp_sync, ...) may be used by one thread at a time. The caller's glue
 * receives packets, keeps the clock, executes the actions and logs.
 *
 * Conventions:
 * - IPv4 addresses are uint32_t in host byte order (as in halb_config.h);
 *   IPv6 ones are 16 bytes in network order, in the *6 fields beside them,
 *   read when the structure's af is 6 (an instance carries one family).
 * - Times are milliseconds; deadlines are absolute on the caller's monotonic
 *   clock, VRRP_NEVER when not armed.
 * - Advert intervals on the wire are in centiseconds (VRRPv2 carries whole
 *   seconds; the codec converts), in the state machine in milliseconds.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VRRP_IPPROTO       112        /**< IP protocol number */
#define VRRP_TTL           255        /**< TTL of every advert (RFC 3768 5.2.3) */
#define VRRP_MCAST_GROUP4  0xe0000012 /**< 224.0.0.18 */
#define VRRP_MAX_ADDRS     255        /**< the Count field is 8 bits */
#define VRRP_AUTH_PASS_LEN 8          /**< VRRPv2 Authentication Data */
#define VRRP_PRIO_OWNER    255        /**< the address owner */
#define VRRP_PRIO_STOP     0          /**< "I am leaving": sent when resigning */
#define VRRP_IP_HDR_LEN    20         /**< the IPv4 header vrrp_encode() writes */
#define VRRP_IP6_HDR_LEN   40         /**< the IPv6 header vrrp_encode() writes */
#define VRRP_HDR_LEN       8          /**< fixed part of the VRRP message */
/** Largest packet vrrp_encode() builds: VRRPv2 with 255 addresses. */
#define VRRP_PKT_MAX (VRRP_IP_HDR_LEN + VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS + VRRP_AUTH_PASS_LEN)
#define VRRP_NEVER   UINT64_MAX /**< a deadline that is not armed */

/** VRRPv2 Auth Type (RFC 3768 5.3.6; AH is RFC 2338's, kept by keepalived). */
enum vrrp_auth_type {
	VRRP_AUTH_NONE = 0,
	VRRP_AUTH_PASS = 1,
	VRRP_AUTH_AH = 2,
};

/* ===================================================================== codec */

/** Why a packet was not accepted. VRRP_OK is not a reject. Each reason has a
 * stable snake_case name (vrrp_reject_name) used as a telemetry key. */
enum vrrp_reject {
	VRRP_OK = 0,
	/* vrrp_decode(): the packet by itself */
	VRRP_REJECT_TRUNCATED,       /**< buffer shorter than the IP header or its total length */
	VRRP_REJECT_BAD_IP_HEADER,   /**< IP version, IHL or total length inconsistent */
	VRRP_REJECT_BAD_IP_CHECKSUM, /**< IPv4 header checksum */
	VRRP_REJECT_FRAGMENT,      /**< MF set or a fragment offset: adverts are never fragmented */
	VRRP_REJECT_NOT_VRRP,      /**< IP protocol is not 112 */
	VRRP_REJECT_BAD_VERSION,   /**< VRRP version neither 2 nor 3 */
	VRRP_REJECT_BAD_TYPE,      /**< VRRP type is not 1 (advertisement) */
	VRRP_REJECT_BAD_LENGTH,    /**< VRRP length does not match the address count */
	VRRP_REJECT_BAD_CHECKSUM,  /**< VRRP checksum (v3: with the IPv4 pseudo-header) */
	VRRP_REJECT_BAD_AUTH_TYPE, /**< v2 Auth Type not 0, 1 or 2 */
	VRRP_REJECT_BAD_INTERVAL,  /**< advert interval 0 */
	/* vrrp_advert_check(): against the receiving instance, keepalived's order */
	VRRP_REJECT_VRID_MISMATCH,      /**< no such instance */
	VRRP_REJECT_BAD_TTL,            /**< TTL is not 255 */
	VRRP_REJECT_VERSION_MISMATCH,   /**< the instance runs the other version */
	VRRP_REJECT_AUTH_TYPE_MISMATCH, /**< v2 Auth Type differs from ours */
	VRRP_REJECT_BAD_AUTH,           /**< v2 PASS: wrong password */
	VRRP_REJECT_INTERVAL_MISMATCH,  /**< v2 Adver Int differs from ours */
	VRRP_REJECT_DST_MISMATCH,       /**< multicast advert on a unicast instance or vice versa */
	VRRP_REJECT_UNKNOWN_PEER,       /**< unicast source is not a unicast_peer */
	VRRP_REJECT_TTL_RANGE,          /**< unicast TTL outside the peer's min_ttl..max_ttl */
	VRRP_REJECT_ADDR_MISMATCH,      /**< address count or list differs (see vrrp_addr_check) */
	VRRP_REJECT_COUNT
};

/** The reason's stable name ("bad_ip_checksum"), "ok" for VRRP_OK, "unknown"
 * outside the enum. Static storage; never NULL. */
const char *vrrp_reject_name(enum vrrp_reject r);

/** A parsed advertisement. Addresses and src/dst are in host byte order. */
struct vrrp_advert {
	uint8_t version;      /**< 2 or 3 */
	uint8_t vrid;         /**< Virtual Rtr ID */
	uint8_t priority;     /**< 0: the master is resigning */
	uint8_t count;        /**< Count IP Addrs */
	uint16_t interval_cs; /**< advert interval in centiseconds (v2: seconds * 100) */
	uint8_t auth_type;    /**< v2 Auth Type; 0 for v3 */
	uint8_t auth_data[VRRP_AUTH_PASS_LEN]; /**< v2 Authentication Data as received */
	uint8_t ttl;                           /**< IP TTL (hop limit) as received */
	uint32_t src, dst;                     /**< IP source and destination */
	uint32_t addrs[VRRP_MAX_ADDRS];        /**< count entries */
	uint8_t af;                            /**< 4 or 6 */
	uint8_t src6[16], dst6[16];            /**< IPv6 source and destination */
	uint8_t addrs6[VRRP_MAX_ADDRS][16];    /**< IPv6: count entries */
};

/**
 * Parses and validates an IPv4 or IPv6 packet holding a VRRP advert, by
 * itself: IP version, IHL and total length (payload length) within len, IPv4
 * header checksum, no fragment, protocol (next header) 112, VRRP version 2
 * or 3 (3 over IPv6), type 1, length against the address count, VRRP
 * checksum (v2 over the message, v3 with the pseudo-header as RFC 5798 5.2.8
 * and keepalived), v2 Auth Type, a non-zero interval.
 *
 * @param pkt  the packet from its IP header on (the caller strips Ethernet);
 *             bytes past the IP total length (Ethernet padding) are ignored.
 * @param len  bytes readable at pkt.
 * @param out  filled on VRRP_OK; unspecified otherwise. Caller-owned.
 * @return VRRP_OK or the first reason the packet fails.
 */
enum vrrp_reject vrrp_decode(const void *pkt, size_t len, struct vrrp_advert *out);

/** What vrrp_advert_check() does when the advert's addresses differ from the
 * instance's VIPs. The mismatch is always reported in the flags. */
enum vrrp_addr_check {
	/** keepalived 2.2.7 (without skip_check_adv_addr): reject. */
	VRRP_ADDR_CHECK_KEEPALIVED = 0,
	/** RFC 3768/5798 7.1: reject unless the sender is the owner (priority 255). */
	VRRP_ADDR_CHECK_RFC,
	/** Accept; the caller only logs. */
	VRRP_ADDR_CHECK_LOG_ONLY,
};

/** A unicast peer's TTL range (keepalived's min_ttl/max_ttl after the
 * peer's address): 0..255 when not configured. */
struct vrrp_ttl_range {
	uint8_t min, max;
};

/** The receiving instance, as vrrp_advert_check() needs it. Caller-owned; the
 * arrays must outlive the call. */
struct vrrp_check_params {
	uint8_t version;                       /**< 2 or 3 */
	uint8_t vrid;                          /**< 1..255 */
	uint8_t auth_type;                     /**< v2: VRRP_AUTH_NONE or VRRP_AUTH_PASS */
	uint8_t auth_pass[VRRP_AUTH_PASS_LEN]; /**< v2 PASS, zero-padded as keepalived */
	uint16_t interval_cs;                  /**< our advert interval */
	const uint32_t *vips;                  /**< our virtual addresses */
	size_t n_vips;
	bool unicast;           /**< the instance has unicast_peer entries */
	bool unicast_check_ttl; /**< also demand TTL 255 from unicast adverts (keepalived: no) */
	bool check_unicast_src; /**< unicast source must be one of peers (keepalived's option) */
	const uint32_t *peers;
	size_t n_peers;
	/** NULL, or one range per peer: a unicast advert from that peer whose
	 * TTL is outside it is rejected (VRRP_REJECT_TTL_RANGE) */
	const struct vrrp_ttl_range *peer_ttl;
	enum vrrp_addr_check addr_check;
	uint8_t af;                  /**< 4 (or 0) or 6: vips6 and peers6 instead */
	const uint8_t (*vips6)[16];  /**< IPv6: n_vips of them */
	const uint8_t (*peers6)[16]; /**< IPv6: n_peers of them */
};

/* Flags vrrp_advert_check() sets for the caller's log, whatever it returns. */
#define VRRP_CHECK_ADDR_COUNT (1u << 0) /**< Count IP Addrs differs from our VIP count */
#define VRRP_CHECK_ADDR_LIST  (1u << 1) /**< one of our VIPs is not in the advert */
#define VRRP_CHECK_INTERVAL   (1u << 2) /**< v3: the master's interval differs (learned) */
#define VRRP_CHECK_PRIO_ZERO  (1u << 3) /**< the sender is resigning */

/**
 * Checks a decoded advert against the receiving instance, in keepalived's
 * order: VRID, TTL 255 (multicast only unless unicast_check_ttl), version,
 * v2 Auth Type, v2 password (compared in constant time), v2 interval (a
 * mismatch is a reject, as keepalived: two masters must not share a VRID with
 * different timers; v3 accepts it and flags it, the backup learns the
 * master's interval), multicast vs unicast destination, unicast source, the
 * unicast peer's TTL range, and last the address count/list (see enum
 * vrrp_addr_check).
 *
 * @param flags  if not NULL, receives VRRP_CHECK_* bits (0 when none).
 * @return VRRP_OK or the reason to drop the advert.
 */
enum vrrp_reject vrrp_advert_check(const struct vrrp_check_params *c, const struct vrrp_advert *a,
				   unsigned int *flags);

/** What vrrp_encode() sends. Caller-owned; addrs must outlive the call. */
struct vrrp_tx {
	uint8_t version;      /**< 2 or 3 */
	uint8_t vrid;         /**< 1..255 */
	uint8_t priority;     /**< VRRP_PRIO_STOP when resigning */
	uint16_t interval_cs; /**< v2: a multiple of 100, at most 25500; v3: 1..4095 */
	const uint32_t *addrs;
	size_t n_addrs;                        /**< 0..VRRP_MAX_ADDRS */
	uint8_t auth_type;                     /**< v2 only: NONE or PASS */
	uint8_t auth_pass[VRRP_AUTH_PASS_LEN]; /**< v2 PASS, zero-padded */
	uint32_t src;                          /**< our primary address (or unicast_src_ip) */
	uint32_t dst;                          /**< VRRP_MCAST_GROUP4 or a unicast peer */
	uint16_t ip_id; /**< caller's counter; keepalived counts from 1 and skips 0 */
	uint8_t ttl; /**< IP TTL (IPv6: hop limit); 0 means VRRP_TTL (unicast_ttl may lower it) */
	uint8_t af;  /**< 4 (or 0) or 6: version 3 over IPv6, the *6 fields */
	const uint8_t (*addrs6)[16];
	uint8_t src6[16]; /**< our link-local address (or unicast_src_ip) */
	uint8_t dst6[16]; /**< ff02::12 or a unicast peer */
};

/** Length of the packet vrrp_encode() builds for version and n_addrs, or 0 when
 * either is out of range. */
size_t vrrp_encoded_len(unsigned int version, size_t n_addrs);

/** The same over IPv6 (version 3). */
size_t vrrp_encoded_len6(size_t n_addrs);

/**
 * Builds a complete IPv4 packet: header (TOS 0xc0, no DF, TTL tx->ttl or 255, protocol
 * 112, checksum), then the VRRP advert with its checksum (v2 over the message
 * with the Authentication Data; v3 with the IPv4 pseudo-header). With af 6,
 * an IPv6 packet (traffic class 0xc0, hop limit 255, next header 112) and a
 * version 3 advert checksummed with the IPv6 pseudo-header.
 *
 * @param buf  where to write; caller-owned, cap bytes.
 * @return the packet's length, -ENOSPC if cap is too small, -EINVAL if tx is
 *   out of range (version, interval, address count, v3 with authentication).
 */
int vrrp_encode(void *buf, size_t cap, const struct vrrp_tx *tx);

/* ============================================================ state machine */

/** Instance states, numbered as keepalived's. */
enum vrrp_state {
	VRRP_STATE_INIT = 0,
	VRRP_STATE_BACKUP = 1,
	VRRP_STATE_MASTER = 2,
	VRRP_STATE_FAULT = 3,
	VRRP_STATE_STOP = 98,
};

/** "INIT", "BACKUP", "MASTER", "FAULT", "STOP" as keepalived spells them;
 * "UNKNOWN" otherwise. Static storage. */
const char *vrrp_state_name(enum vrrp_state s);

/** One instance's configuration as the state machine needs it. Fill it with
 * vrrp_params_init() (keepalived's defaults) and then the configuration; pass
 * it through vrrp_params_normalise() once. Read-only for vrrp_fsm_step(). */
struct vrrp_params {
	uint8_t version;        /**< 2 (default) or 3 */
	uint8_t priority;       /**< configured priority 1..255; 255 = address owner */
	uint32_t advert_int_ms; /**< 1000; v2 whole seconds, v3 a multiple of 10 ms */
	uint32_t src_ip;        /**< our primary address: the equal-priority tie-break */
	uint8_t af;             /**< 4 (or 0), or 6: src_ip6 instead */
	uint8_t src_ip6[16];
	/** "state MASTER" in the configuration (keepalived also derives it when no
	 * state is given and priority is 255). */
	bool initial_master;
	bool nopreempt;
	uint32_t preempt_delay_ms;
	unsigned int down_timer_adverts;         /**< 3: adverts missed before master down */
	uint32_t garp_master_delay_ms;           /**< 5000; 0: no second burst */
	unsigned int garp_master_repeat;         /**< 5 */
	uint32_t garp_master_refresh_ms;         /**< 0: no refresh */
	unsigned int garp_master_refresh_repeat; /**< 1 */
	uint32_t garp_lower_prio_delay_ms;       /**< keepalived: garp_master_delay */
	unsigned int garp_lower_prio_repeat;     /**< keepalived: garp_master_repeat */
	bool lower_prio_no_advert;    /**< MASTER does not answer a lower priority advert */
	bool higher_prio_send_advert; /**< MASTER advertises once before yielding */
	/** Member of a vrrp_sync_group: the instance does not become MASTER or leave
	 * FAULT by itself, it asks (vrrp_actions.want_master) and vrrp_sync_update()
	 * decides. */
	bool sync_group;
};

/** Fills p with keepalived 2.2.7's defaults (version 2, priority 100, 1 s
 * adverts, GARP 5 then 5 more after 5 s, no refresh, ...). */
void vrrp_params_init(struct vrrp_params *p);

/* Corrections vrrp_params_normalise() made, each one a warning keepalived
 * also prints ("(VI_1) Warning - nopreempt will not work with initial state
 * MASTER - clearing"). */
#define VRRP_FIX_NOPREEMPT_OWNER         (1u << 0) /**< nopreempt with priority 255 */
#define VRRP_FIX_NOPREEMPT_MASTER        (1u << 1) /**< nopreempt with state MASTER */
#define VRRP_FIX_PREEMPT_DELAY_MASTER    (1u << 2) /**< preempt_delay with state MASTER */
#define VRRP_FIX_PREEMPT_DELAY_NOPREEMPT (1u << 3) /**< preempt_delay with nopreempt */

/**
 * Validates p and applies keepalived's configuration-time corrections (see
 * VRRP_FIX_*), in keepalived's order.
 * @param fixed  if not NULL, receives the VRRP_FIX_* bits applied.
 * @return 0, or -EINVAL when p cannot run (version, priority 0, interval not
 *   representable in the version, down_timer_adverts 0).
 */
int vrrp_params_normalise(struct vrrp_params *p, unsigned int *fixed);

/** One instance's running state. Caller-owned, initialised with
 * vrrp_fsm_init(); read it freely (telemetry), change it only through
 * vrrp_fsm_step(). */
struct vrrp_fsm {
	enum vrrp_state state;
	uint8_t priority;   /**< effective priority in use (tracking applied) */
	bool fault;         /**< our own tracking says fault */
	bool want_master;   /**< keepalived's wantstate == MASTER (sync groups) */
	bool owner_demoted; /**< met another owner: priority capped at 254, as keepalived */
	uint32_t master_adver_int_ms; /**< v3: learned from the master; v2: ours */
	uint32_t master_ip;           /**< the current master's address, 0 unknown */
	uint8_t master_ip6[16];       /**< IPv6: the same, all zero unknown */
	uint8_t master_priority;      /**< its priority as last advertised */
	uint64_t down_at;             /**< BACKUP: Master_Down_Timer */
	uint64_t advert_at;           /**< MASTER: Adver_Timer */
	uint64_t garp_delay_at;       /**< MASTER: the delayed GARP burst */
	uint64_t garp_refresh_at;     /**< MASTER: the next GARP refresh */
	uint64_t garp_lower_at;       /**< MASTER: delayed GARPs after a lower priority advert */
	uint64_t preempt_at;          /**< BACKUP: preempt_delay ends (checked on adverts) */
	uint64_t last_transition_ms;
	uint64_t transitions; /**< state changes since vrrp_fsm_init */
};

enum vrrp_event_type {
	VRRP_EV_STARTUP,          /**< leave INIT (tracking has its first results) */
	VRRP_EV_ADVERT,           /**< a decoded advert that passed vrrp_advert_check */
	VRRP_EV_TIMER,            /**< vrrp_fsm_next_deadline() has passed */
	VRRP_EV_PRIORITY_CHANGED, /**< tracking changed the effective priority */
	VRRP_EV_FAULT,            /**< tracking says fault (link down, weight-0 item failed) */
	VRRP_EV_FAULT_CLEARED,    /**< tracking no longer says fault */
	VRRP_EV_SHUTDOWN,         /**< SIGTERM: resign and stop */
	VRRP_EV_GROUP_MASTER,     /**< forced by the sync group (vrrp_sync_update) */
	VRRP_EV_GROUP_BACKUP,
	VRRP_EV_GROUP_FAULT,
};

/** An event for vrrp_fsm_step(). Caller-owned; only read during the call. */
struct vrrp_event {
	enum vrrp_event_type type;
	const struct vrrp_advert *advert; /**< ADVERT */
	/** STARTUP and PRIORITY_CHANGED: the effective priority
	 * (vrrp_effective_priority); 0 at STARTUP means the configured one. */
	uint8_t priority;
	bool fault;       /**< STARTUP: our tracking says fault */
	bool group_fault; /**< STARTUP: a member of our sync group is in fault */
};

/** What the glue must do after a step, in this order: send the advert,
 * release the VIPs, take the VIPs, send the GARPs, then log/notify the state
 * change. At most one of each per step. */
struct vrrp_actions {
	bool state_changed;
	enum vrrp_state from, to;
	const char *reason; /**< why, for the log ("master down timer"); static */
	bool send_advert;
	uint8_t advert_priority; /**< VRRP_PRIO_STOP when resigning */
	bool take_vips;          /**< start serving the VIPs (dataplane, TAP addresses) */
	bool release_vips;
	unsigned int garp_count; /**< gratuitous ARPs to send now for each VIP */
	/** A sync group member wants MASTER (or its owner start-up): call
	 * vrrp_sync_update(), which forces VRRP_EV_GROUP_MASTER when allowed. */
	bool want_master;
	/** Something worth one log line that changed no state ("lower priority
	 * advert, forcing new election"); static, NULL when none. */
	const char *note;
};

/** Sets s to INIT for p (deadlines off, priority from p). */
void vrrp_fsm_init(struct vrrp_fsm *s, const struct vrrp_params *p);

/**
 * Advances the state machine by one event at now_ms. Pure: no clock, no I/O,
 * no allocation; *out is cleared first and describes what to do.
 * Events that mean nothing in the current state are ignored (out stays empty).
 *
 * @return 0, or -EINVAL for an unknown event or an ADVERT without advert
 *   (nothing changed).
 */
int vrrp_fsm_step(const struct vrrp_params *p, struct vrrp_fsm *s, const struct vrrp_event *ev,
		  uint64_t now_ms, struct vrrp_actions *out);

/** The earliest armed deadline, VRRP_NEVER if none: the caller arms its real
 * timer there and steps VRRP_EV_TIMER when it fires. */
uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *s);

/** Skew_Time in ms for priority: v2 (256 - priority) / 256 s; v3
 * ((256 - priority) * Master_Adver_Interval) / 256. Truncated to ms. */
uint32_t vrrp_skew_ms(const struct vrrp_params *p, const struct vrrp_fsm *s, uint8_t priority);

/** Master_Down_Interval in ms: down_timer_adverts * Master_Adver_Interval +
 * Skew_Time at the current effective priority. */
uint32_t vrrp_master_down_ms(const struct vrrp_params *p, const struct vrrp_fsm *s);

/* ================================================================= tracking */

/** A tracked item's state: a script's result or an interface's link. */
enum vrrp_track_state {
	VRRP_TRACK_INIT = 0, /**< a script that has not finished a run yet */
	VRRP_TRACK_UP,       /**< script OK / link up */
	VRRP_TRACK_DOWN,     /**< script failed / link down */
};

/** A vrrp_script's result bookkeeping. Caller-owned. */
struct vrrp_script_status {
	unsigned int rise, fall;
	enum vrrp_track_state state;
	unsigned int run; /**< consecutive results against the current state */
};

/** Starts a script in INIT: its first result decides at once, whatever rise
 * and fall say (keepalived: "one success is enough", and the first failure
 * fails it). rise and fall of 0 count as 1. */
void vrrp_script_init(struct vrrp_script_status *s, unsigned int rise, unsigned int fall);

/** Records one run (success: exit status 0; a timeout is a failure).
 * @return true when the script's state changed (INIT->UP, UP->DOWN, ...). */
bool vrrp_script_result(struct vrrp_script_status *s, bool success);

/** One tracked script, interface, file or process of an instance.
 * Caller-owned. */
struct vrrp_track_item {
	int weight;     /**< 0: DOWN means FAULT; a file's may be any int */
	bool reverse;   /**< keepalived's "weight W reverse" */
	bool is_script; /**< a script, file or process: ignored when weighted in
			 * a sync group or by the owner (interfaces differ) */
	bool is_value;  /**< a track_file: adds value while UP, DOWN is FAULT
			 * (vrrp_track_file_set) */
	int value;
	bool ignored; /**< set by vrrp_track_normalise() */
	enum vrrp_track_state state;
};

/**
 * A track_file item from the number read from its file, keepalived's
 * process_update_track_file_status(): with weight 0 a non-zero number is a
 * failure (reverse: zero is); otherwise the number times the weight
 * (negated with reverse) is added to the priority, up to 253, and below
 * -253 it is a failure. A failure puts the instance in FAULT.
 */
void vrrp_track_file_set(struct vrrp_track_item *t, long number);

/**
 * Applies keepalived's configuration-time rules to an instance's items: in a
 * sync group (keepalived without sgroup_tracking_weight) weighted scripts are
 * ignored and weighted interfaces become weight 0 (down means FAULT); outside
 * one, an address owner (base 255) ignores every weighted item.
 * @return the number of items changed, for one warning each.
 */
size_t vrrp_track_normalise(struct vrrp_track_item *items, size_t n, uint8_t base, bool sync_group);

/**
 * The effective priority: base plus, for each weighted item, its weight when
 * UP and weight > 0, or when DOWN and weight < 0 (times -1 when reverse);
 * an item in INIT adds nothing. Clamped to 1..254; the owner (base 255)
 * always stays 255, as keepalived.
 */
uint8_t vrrp_effective_priority(uint8_t base, const struct vrrp_track_item *items, size_t n);

/** True when a weight-0 item is DOWN (UP when reverse): the instance is in
 * FAULT. */
bool vrrp_track_fault(const struct vrrp_track_item *items, size_t n);

/** True while a weight-0 script is still in INIT: keepalived keeps the
 * instance out of the election until it has its first result, so the glue
 * sends VRRP_EV_STARTUP only once this is false (for every member of a sync
 * group). */
bool vrrp_track_pending(const struct vrrp_track_item *items, size_t n);

/* ============================================================== sync groups */

/** A vrrp_sync_group's own state. Caller-owned; vrrp_sync_init() first. */
struct vrrp_sync {
	enum vrrp_state state;
};

/** An event vrrp_sync_update() forces on a member. */
struct vrrp_sync_force {
	size_t member;             /**< index into the members array */
	enum vrrp_event_type type; /**< VRRP_EV_GROUP_MASTER, _BACKUP or _FAULT */
};

/** Sets the group to INIT. */
void vrrp_sync_init(struct vrrp_sync *g);

/** keepalived's vrrp_sync_can_goto_master(): true when the group is MASTER
 * or every other member (not stopped) wants MASTER too. */
bool vrrp_sync_can_goto_master(const struct vrrp_sync *g, const struct vrrp_fsm *const m[],
			       size_t n, size_t who);

/**
 * Call after every vrrp_fsm_step() of a member (who, with the actions it
 * returned, after running them): updates the group's state and lists the
 * events to step on members, keepalived's way:
 * - a member in fault puts the group in FAULT and forces FAULT on the others;
 *   when no member is in fault any more the group goes BACKUP and forces
 *   BACKUP on the members left in FAULT (they come back together);
 * - a member that lost an election (MASTER -> BACKUP) forces BACKUP on the
 *   members still MASTER;
 * - a member that wants MASTER gets it, with all the others, when
 *   vrrp_sync_can_goto_master(); otherwise it stays BACKUP, wanting.
 * Stepping the forced events and calling this again converges: forces go
 * out when the group's state changes, and otherwise only to the stepped
 * member itself when it lags behind the group (it started late).
 *
 * @param m    the members' state machines; n of them.
 * @param out  room for n forces; caller-owned.
 * @return the number of forces written to out.
 */
size_t vrrp_sync_update(struct vrrp_sync *g, const struct vrrp_fsm *const m[], size_t n, size_t who,
			const struct vrrp_actions *a, struct vrrp_sync_force *out);

#ifdef __cplusplus
}
#endif

#endif /* HALB_VRRP_H */
