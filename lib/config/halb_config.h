/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CONFIG_H
#define HALB_CONFIG_H

/**
 * @file
 * halb's configuration model: keepalived.conf (VRRP instances, scripts, sync
 * groups, virtual and real servers, checkers) and the dataplane file
 * (libconfig: EAL arguments, workers, ports, routes).
 *
 * Both files are parsed into immutable structures; the running daemon derives
 * all of its state from them, and a reload builds a new model and compares it
 * with the running one. Nothing here touches DPDK, sockets or globals: the
 * functions are pure apart from reading files, so they are unit-tested and
 * fuzzed without an EAL.
 *
 * Conventions:
 * - An address is a struct cfg_addr: IPv4 (uint32_t, host byte order) or
 *   IPv6 (16 bytes, network order); a few IPv4-only settings (smtp_server,
 *   the sync group) stay uint32_t in host order. Ports are host order.
 * - Durations are in milliseconds (keepalived's seconds may carry fractions).
 * - Strings and arrays are owned by the model and freed with it.
 * - Every object carries the place it was defined (struct cfg_loc), so later
 *   checks can report FILE:LINE.
 * - Problems are collected in struct cfg_diags, never printed here.
 */

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- diagnostics */

/** Where something was written. file points into the model's file list. */
struct cfg_loc {
	const char *file;
	int line;
};

enum cfg_severity {
	CFG_WARNING,
	CFG_ERROR,
};

struct cfg_diag {
	enum cfg_severity severity;
	char *file; /**< owned copy; NULL when the problem has no place */
	int line;
	char *msg;
};

/** A growing list of problems. Zero-initialise before first use. */
struct cfg_diags {
	struct cfg_diag *v;
	size_t n, cap;
	unsigned int errors;
	unsigned int warnings;
	/** Of the warnings, words keepalived does not know either: skipped
	 * when halb runs, as keepalived skips them; halb -t fails on them, as
	 * keepalived -t does. */
	unsigned int unknown;
};

/** At most this many problems are stored; later ones are only counted (and
 * cfg_diags_print says how many were left out). */
#define CFG_DIAGS_MAX 1000

/** Appends a problem (printf-style message); loc may be NULL or have a NULL
 * file. Never fails visibly: on memory exhaustion the problem is still
 * counted. */
void cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, const struct cfg_loc *loc,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Prints every problem as "FILE:LINE: error: message" (or "warning:"),
 * "FILE: error: message" when the line is 0, "error: message" without a
 * file. */
void cfg_diags_print(FILE *out, const struct cfg_diags *d);

void cfg_diags_free(struct cfg_diags *d);

/* ---------------------------------------------------------- keepalived model */

/** An IPv4 or IPv6 address. */
struct cfg_addr {
	uint8_t af; /**< 4 or 6; 0: not set */
	uint8_t pad[3];
	union {
		uint32_t v4;    /**< host order */
		uint8_t v6[16]; /**< network order */
	};
};

/** Room for the text of any address (INET6_ADDRSTRLEN). */
#define CFG_ADDR_STRLEN 46

/** The IPv4 address a (host order). */
static inline struct cfg_addr cfg_addr4(uint32_t a)
{
	struct cfg_addr r = { .af = 4 };

	r.v4 = a;
	return r;
}

/** The IPv6 address b (16 bytes, network order). */
struct cfg_addr cfg_addr6(const uint8_t b[16]);

/** Parses an IPv4 or IPv6 address in text form. */
bool cfg_parse_addr(const char *s, struct cfg_addr *out);

/** Whether a and b are the same address (of the same family). */
bool cfg_addr_eq(const struct cfg_addr *a, const struct cfg_addr *b);

/** A total order: IPv4 before IPv6, then by value. */
int cfg_addr_cmp(const struct cfg_addr *a, const struct cfg_addr *b);

/** The text of a ("172.17.1.6", "2001:db8::1"), written in buf; returns buf. */
const char *cfg_addr_str(const struct cfg_addr *a, char buf[CFG_ADDR_STRLEN]);

/** "ADDR:PORT", "[ADDR]:PORT" for IPv6, as ipvsadm prints them; returns buf. */
const char *cfg_addr_port_str(const struct cfg_addr *a, uint16_t port,
			      char buf[CFG_ADDR_STRLEN + 8]);

/** Whether a is unspecified (0.0.0.0, ::) or not set. */
bool cfg_addr_is_any(const struct cfg_addr *a);

/** Whether a is an IPv6 link-local address (fe80::/10). */
bool cfg_addr_is_link_local(const struct cfg_addr *a);

/** Whether a is multicast (224.0.0.0/4, ff00::/8). */
bool cfg_addr_is_multicast(const struct cfg_addr *a);

/** a with the bits past plen cleared (persistence granularity, prefixes). */
struct cfg_addr cfg_addr_masked(const struct cfg_addr *a, uint8_t plen);

/** An IPv4 or IPv6 prefix, or a host address. */
struct cfg_prefix {
	struct cfg_addr addr;
	uint8_t plen; /**< 0..32, or 0..128 for IPv6 */
};

/** Whether a lies in p (and is of its family). */
bool cfg_prefix_has(const struct cfg_prefix *p, const struct cfg_addr *a);
/** Addresses one VRRP advert holds (its Count field is 8 bits). */
#define CFG_VRRP_MAX_ADV_ADDRS 255u

/** One line of virtual_ipaddress: IP[/len] [dev IF] [label L]
 * (keepalived also accepts "brd", "scope", "noprefixroute": accepted, kept
 * out of the model). */
struct cfg_vip {
	struct cfg_prefix pfx; /**< plen 32 (128) when not given */
	char *dev;             /**< NULL: the instance's interface */
	char *label;           /**< NULL when not given */
	bool excluded;         /**< virtual_ipaddress_excluded (or past the advert's room) */
	struct cfg_loc loc;
};

/** One route of static_routes or virtual_routes, in ip-route syntax:
 * DEST [src IP] [via|gw GW] [dev IF] [metric N] (DEST a prefix or
 * "default"). What else ip-route takes is refused by halb -t. */
struct cfg_sroute {
	struct cfg_prefix prefix;
	struct cfg_addr via; /**< of the prefix's family; af 0: on the link of dev */
	struct cfg_addr src; /**< af 0: none (the kernel's preferred source only) */
	uint32_t metric;     /**< the kernel's route priority; 0: none */
	char *dev;           /**< NULL: the port whose connected prefix holds via */
	struct cfg_loc loc;
};

/** A script run on an event: "KEYWORD SCRIPT [USER [GROUP]]", keepalived's
 * notify_*, notify_up/down and quorum_up/down. cmd NULL: not set. */
struct cfg_script {
	char *cmd;   /**< the command line */
	char *user;  /**< NULL: script_user (keepalived_script, else root) */
	char *group; /**< NULL: the user's group (script_group without user) */
};

/** notify_fifo / vrrp_notify_fifo PATH [USER [GROUP]] and its _script: a
 * FIFO halb writes a line to on every VRRP transition, keepalived's
 * "INSTANCE \"VI_1\" MASTER 100". path NULL: not set. */
struct cfg_fifo {
	char *path;
	char *user, *group;       /**< owner of a FIFO halb creates; NULL: root */
	struct cfg_script script; /**< started with the path as its argument */
	struct cfg_loc loc;
};

/** lvs_sync_daemon INTERFACE VRRP_INSTANCE [id ID] [maxlen LEN] [port PORT]
 * [ttl TTL] [group IP] (global_defs), or the older vrrp_instance keyword
 * lvs_sync_daemon_interface INTERFACE: IPVS connection synchronisation. */
struct cfg_sync {
	bool set;
	char *interface;     /**< a port of the dataplane file */
	char *instance;      /**< the vrrp_instance whose state it follows */
	size_t inst;         /**< its index (resolved) */
	int syncid;          /**< 0..255; -1: the instance's virtual_router_id */
	unsigned int maxlen; /**< message size; 0: the port's MTU less IP/UDP */
	unsigned int port;   /**< 8848 */
	unsigned int ttl;    /**< 1 */
	uint32_t group;      /**< 224.0.0.81 */
	struct cfg_loc loc;
};

struct cfg_global {
	char **notification_email;
	size_t n_notification_email;
	char *notification_email_from; /**< NULL: "keepalived@<hostname>" at use */
	bool has_smtp_server;
	uint32_t smtp_server;
	uint16_t smtp_port;                   /**< 25 unless given */
	unsigned int smtp_connect_timeout_ms; /**< 30000 */
	char *smtp_helo_name;                 /**< NULL: local host name */
	bool smtp_alert;                      /**< global_defs smtp_alert: default for all */
	int smtp_alert_vrrp;                  /**< -1: smtp_alert; else for VRRP mail */
	int smtp_alert_checker;               /**< -1: smtp_alert; else for checker mail */
	bool no_email_faults;                 /**< no mail on entering FAULT */
	bool no_checker_emails;               /**< no mail on a real server's up/down */
	bool vrrp_skip_check_adv_addr;
	char *router_id; /**< NULL: host name at use */
	bool enable_script_security;
	char *script_user;  /**< NULL: root (keepalived_script when it exists) */
	char *script_group; /**< NULL: the user's primary group */
	unsigned int vrrp_garp_master_delay_ms;       /**< 5000 */
	unsigned int vrrp_garp_master_repeat;         /**< 5 */
	unsigned int vrrp_garp_master_refresh_ms;     /**< 0: off */
	unsigned int vrrp_garp_master_refresh_repeat; /**< 1 */
	unsigned int vrrp_version;                    /**< 2 or 3; default 2 */
	uint32_t vrrp_mcast_group4;                   /**< 224.0.0.18 */
	long vrrp_garp_lower_prio_delay_ms;           /**< -1: vrrp_garp_master_delay */
	long vrrp_garp_lower_prio_repeat;             /**< -1: vrrp_garp_master_repeat */
	bool vrrp_lower_prio_no_advert;
	bool vrrp_higher_prio_send_advert;
	unsigned int vrrp_startup_delay_ms; /**< 0: none */
	struct cfg_fifo notify_fifo;        /**< notify_fifo */
	struct cfg_fifo vrrp_notify_fifo;   /**< vrrp_notify_fifo */
	bool fifo_write_vrrp_states_on_reload;
	uint8_t vrrp_mcast_group6[16]; /**< ff02::12 */
	struct cfg_sync lvs_sync;
	struct cfg_loc loc;
};

/** vrrp_script NAME { script; interval; timeout; weight; fall; rise; user } */
struct cfg_vrrp_script {
	char *name;
	char *script;             /**< command line, as written */
	unsigned int interval_ms; /**< 1000 */
	unsigned int timeout_ms;  /**< 0: the interval */
	int weight;               /**< -253..253; 0: failure means FAULT */
	bool weight_reverse;      /**< "weight W reverse" */
	bool init_fail;           /**< starts failed, not in INIT */
	unsigned int fall;        /**< 1 */
	unsigned int rise;        /**< 1 */
	char *user, *group;       /**< NULL: global script_user */
	struct cfg_loc loc;
};

/** track_file NAME { file PATH; weight W [reverse]; init_file [VALUE]
 * [overwrite] } (vrrp_track_file is keepalived's older name). */
struct cfg_track_file {
	char *name;
	char *file;
	int weight; /**< 1; 0: a non-zero value in the file means FAULT */
	bool reverse;
	bool init_file;      /**< write init_value when the file does not exist */
	bool init_overwrite; /**< ... or always */
	long init_value;     /**< 0 */
	struct cfg_loc loc;
};

/** How track_process compares a process's parameters (param_match). */
enum cfg_param_match {
	CFG_PARAM_EXACT = 0, /**< the parameters, all of them */
	CFG_PARAM_PARTIAL,   /**< the first N parameters, more may follow */
	CFG_PARAM_INITIAL,   /**< as partial, the last one may be longer */
};

/** vrrp_track_process NAME { process CMD [ARGS]; quorum; quorum_max; weight;
 * fork_delay; terminate_delay; delay; full_command; param_match } */
struct cfg_track_process {
	char *name;
	char **argv; /**< process and its parameters, as written */
	size_t argc;
	bool has_params; /**< parameters or param_match given: match the
			  * command line, not the process name */
	enum cfg_param_match param_match;
	bool full_command;
	unsigned int quorum;     /**< 1 */
	unsigned int quorum_max; /**< UINT_MAX: no maximum */
	int weight;              /**< 1 */
	bool reverse;
	unsigned int fork_delay_ms, terminate_delay_ms;
	struct cfg_loc loc;
};

/** An entry of track_script, track_file or track_process: a name and an
 * optional weight that overrides the tracked object's own. */
struct cfg_track_script {
	char *name;
	size_t script; /**< index into cfg_keepalived.scripts, .track_files or
			* .track_processes (resolved) */
	bool has_weight;
	int weight;
	bool weight_reverse;
	struct cfg_loc loc;
};

/** An entry of track_interface: a port name and an optional weight
 * (0: link down means FAULT). */
struct cfg_track_if {
	char *name;
	int weight;
	struct cfg_loc loc;
};

enum cfg_vrrp_state {
	CFG_VRRP_BACKUP = 0, /**< keepalived's default initial state */
	CFG_VRRP_MASTER,
};

enum cfg_auth_type {
	CFG_AUTH_NONE = 0,
	CFG_AUTH_PASS,
	CFG_AUTH_AH, /**< parsed; rejected by halb -t (not implemented) */
};

/** The notify hooks shared by instances and sync groups. */
struct cfg_notify {
	struct cfg_script master, backup, fault, stop, any; /**< any = "notify" */
};

struct cfg_vrrp_instance {
	char *name;
	enum cfg_vrrp_state state;
	bool state_set;             /**< "state" was written (keepalived derives MASTER
				     * for an address owner without one) */
	char *interface;            /**< names a port of the dataplane file */
	uint8_t vrid;               /**< 1..255 */
	uint8_t priority;           /**< 1..255; default 100 (255 = address owner) */
	unsigned int advert_int_ms; /**< 1000; v2: whole seconds */
	unsigned int version;       /**< 0: global vrrp_version */
	enum cfg_auth_type auth_type;
	char auth_pass[9];    /**< NUL-terminated, at most 8 bytes */
	struct cfg_vip *vips; /**< the advertised ones first, then the excluded */
	size_t n_vips;
	size_t n_vips_adv; /**< the first n_vips_adv are in adverts (at most 255) */
	bool nopreempt;
	unsigned int preempt_delay_ms;
	/* -1: inherit vrrp_garp_master_* from global_defs */
	long garp_master_delay_ms;
	long garp_master_repeat;
	long garp_master_refresh_ms;
	long garp_master_refresh_repeat;
	bool dont_track_primary; /**< a link down of interface does not mean FAULT */
	int skip_check_adv_addr; /**< -1: global vrrp_skip_check_adv_addr */
	uint8_t family;          /**< 4 or 6: its VIPs' (one family per instance, as
				  * keepalived); 4 when it has none (resolved) */
	bool has_unicast_src_ip;
	struct cfg_addr unicast_src_ip;
	struct cfg_addr *unicast_peers;
	size_t n_unicast_peers;
	/** per unicast_peer: the TTL range its adverts must arrive with
	 * (min_ttl 0 and max_ttl 255 when not given) */
	struct cfg_ttl_range {
		uint8_t min, max;
	} * peer_ttl;
	unsigned int unicast_ttl; /**< TTL of unicast adverts sent; 255 */
	/* -1: inherit the vrrp_* setting of global_defs */
	long garp_lower_prio_delay_ms;
	long garp_lower_prio_repeat;
	int lower_prio_no_advert;
	int higher_prio_send_advert;
	struct cfg_sroute *vroutes; /**< virtual_routes: in force while MASTER */
	size_t n_vroutes;
	struct cfg_track_if *track_if;
	size_t n_track_if;
	struct cfg_track_script *track_scripts;
	size_t n_track_scripts;
	struct cfg_track_script *track_files;
	size_t n_track_files;
	struct cfg_track_script *track_processes;
	size_t n_track_processes;
	struct cfg_notify notify;
	int smtp_alert; /**< -1: inherit global, 0/1 */
	struct cfg_loc loc;
	struct cfg_loc interface_loc; /**< the interface line (loc when none) */
	struct cfg_loc vrid_loc;      /**< the virtual_router_id line (loc when none) */
};

/** vrrp_sync_group NAME { group { I1 I2 } notify_* smtp_alert } */
struct cfg_sync_group {
	char *name;
	char **members; /**< instance names, as written */
	size_t *member; /**< indexes into cfg_keepalived.instances (resolved) */
	size_t n_members;
	struct cfg_notify notify;
	int smtp_alert;
	struct cfg_loc loc;
};

/** IPVS schedulers, by keepalived/ipvsadm name. */
enum cfg_sched {
	CFG_SCHED_RR = 0,
	CFG_SCHED_WRR,
	CFG_SCHED_LC,
	CFG_SCHED_WLC,
	CFG_SCHED_LBLC,
	CFG_SCHED_LBLCR,
	CFG_SCHED_DH,
	CFG_SCHED_SH,
	CFG_SCHED_SED,
	CFG_SCHED_NQ,
	CFG_SCHED_FO,
	CFG_SCHED_OVF,
	CFG_SCHED_MH,
	CFG_SCHED_COUNT
};

/** The scheduler's name ("wrr"), or NULL. */
const char *cfg_sched_name(enum cfg_sched s);

enum cfg_fwd {
	CFG_FWD_NAT = 0, /**< keepalived's default lb_kind */
	CFG_FWD_DR,
	CFG_FWD_TUN,
};

/** "NAT", "DR", "TUN". */
const char *cfg_fwd_name(enum cfg_fwd f);

enum cfg_check_type {
	CFG_CHECK_HTTP = 0, /**< HTTP_GET */
	CFG_CHECK_SSL,      /**< SSL_GET */
	CFG_CHECK_TCP,      /**< TCP_CHECK */
	CFG_CHECK_MISC,     /**< MISC_CHECK */
	CFG_CHECK_PING,     /**< PING_CHECK */
	CFG_CHECK_UDP,      /**< UDP_CHECK */
	CFG_CHECK_DNS,      /**< DNS_CHECK */
	CFG_CHECK_SMTP,     /**< SMTP_CHECK */
	CFG_CHECK_FILE,     /**< FILE_CHECK */
};

/** "HTTP_GET", "SSL_GET", "TCP_CHECK", "MISC_CHECK", "PING_CHECK",
 * "UDP_CHECK", "DNS_CHECK", "SMTP_CHECK", "FILE_CHECK". */
const char *cfg_check_name(enum cfg_check_type t);

/** url { path P; status_code C|C1-C2 ...; digest HEX; virtualhost H } */
struct cfg_url {
	char *path;
	/** Accepted status codes 100..599 as a bitmap (bit c-100); all zero:
	 * any 2xx, as keepalived. */
	uint64_t status[8];
	bool has_digest;
	char digest[33];   /**< lower-case hex MD5 of the body, as genhash prints */
	char *virtualhost; /**< NULL: the checker's */
	struct cfg_loc loc;
};

struct cfg_checker {
	enum cfg_check_type type;
	struct cfg_url *urls;
	size_t n_urls;
	/* connect_timeout_ms, retry, delay_before_retry_ms and delay_loop_ms are
	 * resolved as keepalived does: the value written in the checker, else on
	 * the real server, else on the virtual server, else keepalived's
	 * default: connect_timeout 5000 ms, retry 1 (MISC_CHECK 0),
	 * delay_before_retry 1000 ms (HTTP_GET/SSL_GET 3000 ms), delay_loop
	 * 60000 ms. */
	unsigned int connect_timeout_ms;
	unsigned int retry;
	unsigned int delay_before_retry_ms;
	unsigned int delay_loop_ms;
	bool has_connect_ip;
	struct cfg_addr connect_ip; /**< default: the real server */
	uint16_t connect_port;      /**< 0: the real server's port */
	bool has_bindto;
	struct cfg_addr bindto;
	uint16_t bind_port;
	char *virtualhost; /**< HTTP Host header; NULL: the virtual server's */
	bool enable_sni;   /**< SSL_GET: send SNI (virtualhost or connect IP) */
	char *misc_path;
	unsigned int misc_timeout_ms; /**< 0: delay_loop */
	bool misc_dynamic;
	char *user, *group; /**< MISC_CHECK user; NULL: global script_user */
	/* UDP_CHECK: payload (NULL: 32 bytes of halb's own), require_reply
	 * with the expected bytes, care holding the bits that must match
	 * (0 for an x nibble), min/max_reply_len 0 and 255. */
	uint8_t *payload;
	size_t payload_len;
	bool require_reply;
	uint8_t *reply, *reply_care;
	size_t reply_len;
	unsigned int min_reply_len, max_reply_len;
	/* DNS_CHECK: type (default 6, SOA) and name (NULL: "."). */
	uint16_t dns_type;
	char *dns_name;
	/* SMTP_CHECK: helo_name (NULL: smtpchecker.keepalived.org). Its host
	 * blocks become checkers of their own when the file is resolved, as in
	 * keepalived 2.2 (n_hosts is 0 afterwards). */
	char *helo_name;
	struct cfg_checker *hosts;
	size_t n_hosts;
	/* FILE_CHECK: the track_file (index into cfg_keepalived.track_files)
	 * and the weight (default: the track_file's) applied to its number. */
	size_t track_file;
	int file_weight;
	bool file_reverse;
	struct cfg_loc loc;
};

/** A checker setting that was not written at some level (see cfg_checker). */
#define CFG_UNSET UINT_MAX

struct cfg_real_server {
	struct cfg_addr addr;
	uint16_t port;               /**< not written: the virtual server's port */
	int weight;                  /**< 0..65535; default 1 */
	bool inhibit_on_failure;     /**< inherits the virtual server's */
	bool inhibit_on_failure_set; /**< written on the real server itself */
	struct cfg_script notify_up, notify_down;
	/* Checker settings written at the real server level, as written
	 * (CFG_UNSET: not written); already folded into each checker. */
	unsigned int delay_loop_ms;
	unsigned int retry;
	unsigned int delay_before_retry_ms;
	unsigned int connect_timeout_ms;
	struct cfg_checker *checkers;
	size_t n_checkers;
	struct cfg_loc loc;
};

/** One address and port a virtual server serves. */
struct cfg_vs_member {
	struct cfg_addr addr;
	uint16_t port;
};

/** An entry of a virtual_server_group: FIRST[-LAST] PORT, LAST the value
 * of the last address's last byte (IPv4) or last 16-bit group (IPv6, in
 * hex): keepalived's ranges. */
struct cfg_vsg_entry {
	struct cfg_addr first;
	uint16_t last;
	uint16_t port;
	struct cfg_loc loc;
};

/** virtual_server_group NAME { IP[-LAST] PORT ... } */
struct cfg_vs_group {
	char *name;
	struct cfg_vsg_entry *entries;
	size_t n_entries;
	bool refused; /**< an entry was refused (fwmark): no more errors about it */
	struct cfg_loc loc;
};

/** At most this many addresses in all the groups together. */
#define CFG_MAX_VS_MEMBERS 65536

struct cfg_virtual_server {
	/* addr and port: the virtual server's, or for "virtual_server group
	 * NAME" its group's first member (what names it in logs, telemetry
	 * and counters); members: every address and port it serves, all
	 * sharing its real servers, checkers and counters (resolved). */
	struct cfg_addr addr;
	uint16_t port;
	char *group; /**< virtual_server group NAME; NULL: IP PORT */
	struct cfg_vs_member *members;
	size_t n_members;
	uint8_t protocol;           /**< IPPROTO_TCP (default) or IPPROTO_UDP */
	unsigned int delay_loop_ms; /**< 60000 */
	enum cfg_sched sched;       /**< default wlc, as ipvsadm */
	bool sched_port;            /**< sh-port / mh-port */
	bool sched_fallback;        /**< sh-fallback / mh-fallback */
	enum cfg_fwd fwd;
	/* Checker settings written at the virtual server level, already folded
	 * into each checker: retry and delay_before_retry_ms are CFG_UNSET when
	 * not written, connect_timeout_ms is 5000 unless written. */
	unsigned int retry;
	unsigned int delay_before_retry_ms;
	unsigned int connect_timeout_ms;
	unsigned int persistence_timeout; /**< seconds; 0: no persistence */
	uint32_t persistence_granularity; /**< IPv4 netmask; default 255.255.255.255 */
	uint8_t persistence_plen6;        /**< IPv6: prefix length 1..128; default 128 */
	uint8_t ip_family;                /**< ip_family written: 4 or 6; 0: not written */
	bool has_sorry_server;
	struct cfg_real_server sorry_server; /**< no checkers */
	bool sorry_server_inhibit;
	unsigned int quorum;     /**< 1 */
	unsigned int hysteresis; /**< 0 */
	struct cfg_script quorum_up, quorum_down;
	bool inhibit_on_failure;
	bool alpha, omega;
	char *virtualhost;
	bool ha_suspend;
	struct cfg_real_server *rs;
	size_t n_rs;
	struct cfg_loc loc;
};

/** Everything read from keepalived.conf and the files it includes. */
struct cfg_keepalived {
	struct cfg_global global;
	struct cfg_vrrp_script *scripts;
	size_t n_scripts;
	struct cfg_track_file *track_files;
	size_t n_track_files;
	struct cfg_track_process *track_processes;
	size_t n_track_processes;
	struct cfg_vrrp_instance *instances;
	size_t n_instances;
	struct cfg_sync_group *groups;
	size_t n_groups;
	struct cfg_virtual_server *vs;
	size_t n_vs;
	struct cfg_vs_group *vs_groups;
	size_t n_vs_groups;
	struct cfg_vip *static_addrs; /**< static_ipaddress: on the TAP for good */
	size_t n_static_addrs;
	struct cfg_sroute *static_routes; /**< static_routes */
	size_t n_static_routes;
	char **files; /**< every file read, first the main one; cfg_loc.file
		       * points into this list */
	size_t n_files;
};

/**
 * Parses keepalived.conf at path (and every file it includes).
 *
 * @return the model, or NULL when d gained at least one error (every problem
 *   found is in d, not only the first). Warnings alone do not fail.
 */
struct cfg_keepalived *cfg_keepalived_load(const char *path, struct cfg_diags *d);

/**
 * Parses keepalived.conf text held in memory; name is used in messages and
 * relative includes are resolved against the directory of name.
 * Same return convention as cfg_keepalived_load.
 */
struct cfg_keepalived *cfg_keepalived_parse(const char *text, size_t len, const char *name,
					    struct cfg_diags *d);

/** Nesting limit of "include" (a deeper include is an error). */
#define CFG_MAX_INCLUDE_DEPTH 8

/** Options of cfg_keepalived_parse_ex; all-zero means the defaults. */
struct cfg_parse_opts {
	bool no_include;       /**< "include" is an error (fuzzing, untrusted text) */
	const char *config_id; /**< what "@ID" lines match (-i); NULL: the host
				* name up to its first dot, as keepalived */
};

/** cfg_keepalived_parse with options (opts may be NULL). */
struct cfg_keepalived *cfg_keepalived_parse_ex(const char *text, size_t len, const char *name,
					       const struct cfg_parse_opts *opts,
					       struct cfg_diags *d);

/** cfg_keepalived_load with options (opts may be NULL). */
struct cfg_keepalived *cfg_keepalived_load_ex(const char *path, const struct cfg_parse_opts *opts,
					      struct cfg_diags *d);

void cfg_keepalived_free(struct cfg_keepalived *k);

/** Writes the markdown table of every keepalived keyword halb's tables know,
 * block by block, with halb's handling (implemented, refused, no effect)
 * and why: the table of docs/CONFIGURATION.md. */
void cfg_keyword_table_md(FILE *out);

/** What halb does with keyword name in block (named as in that table):
 * 0 implemented, 1 refused, 2 no effect; -1 when no table has it. */
int cfg_keyword_status(const char *block, const char *name);

/* ----------------------------------------------------------- dataplane model */

/** A route of the director's own kernel on a port's TAP (kernel_routes). */
struct cfg_kernel_route {
	struct cfg_prefix prefix;
	struct cfg_addr via; /**< gateway of the prefix's family; af 0: on the link */
	uint32_t metric;     /**< 0: the kernel's default */
	struct cfg_addr src; /**< preferred source, of the prefix's family; af 0: none */
	struct cfg_loc loc;
};

struct cfg_port {
	char *name;               /**< what keepalived.conf calls it ("eth1") */
	char *device;             /**< a PCI address or a vdev string */
	bool is_pci;              /**< device is a PCI address */
	char *kernel_if;          /**< TAP name; default: name */
	struct cfg_prefix *addrs; /**< the director's own addresses; first is primary */
	size_t n_addrs;
	unsigned int mtu;                 /**< default 1500 */
	struct cfg_kernel_route *kroutes; /**< put on the TAP after the addresses */
	size_t n_kroutes;
	struct cfg_loc loc;
};

struct cfg_route {
	struct cfg_prefix prefix;
	struct cfg_addr via; /**< of the prefix's family */
	struct cfg_loc loc;
};

/** Token bucket rates of each worker, per second ("limits" group); 0 in a
 * field means halb's default. */
struct cfg_limits {
	unsigned int kernel;  /**< frames for the kernel from strangers */
	unsigned int trusted; /**< ... from real servers, gateways and peers */
	unsigned int arp;     /**< ARP frames for the kernel */
	unsigned int resolve; /**< frames waiting for a neighbour */
	unsigned int learn;   /**< neighbour news from ARP */
	unsigned int icmp;    /**< ICMP errors halb makes */
	unsigned int sync;    /**< connection sync messages sent (per director) */
};

/** Route health injection (docs/SCALEOUT.md): the VIPs this director
 * serves with quorum are addresses of a kernel interface that a routing
 * daemon (BIRD's direct protocol) announces. */
struct cfg_announce {
	bool enabled;               /**< the file has an announce group */
	char *interface;            /**< the interface halb creates; "halb-announce" */
	unsigned int stop_delay_ms; /**< SIGTERM: withdrawn, then forwarding this long;
				     * default 2000 */
	struct cfg_loc loc;
};

struct cfg_dataplane {
	char **eal; /**< EAL arguments, without the program name */
	size_t n_eal;
	unsigned int workers;       /**< 1..RTE_MAX_LCORE-1; default 1 */
	unsigned int idle_sleep_us; /**< 0 */
	unsigned int connections;   /**< IPv4 connections; default 1048576 */
	unsigned int connections6;  /**< IPv6 connections (64 bytes each, twice an
				     * IPv4 one); default connections / 4 */
	unsigned int neighbours;    /**< neighbour table size; default 4096 */
	unsigned int templates;     /**< persistence templates; default connections / 8 */
	unsigned int embryonic;     /**< % of a worker's connections that may be
				     * embryonic before the oldest go; default 25 */
	bool sloppy_tcp;            /**< adopt mid-flow TCP for every scheduler */
	struct cfg_limits limits;
	struct cfg_port *ports;
	size_t n_ports;
	struct cfg_route *routes;
	size_t n_routes;
	bool has_metrics;      /**< metrics_listen is set: serve /metrics */
	uint32_t metrics_addr; /**< its address (0: every address) */
	uint16_t metrics_port;
	struct cfg_announce announce;
	char *file;
};

/** The EAL file prefix when the dataplane file's eal names none; halbctl's
 * default -P too. */
#define CFG_DEFAULT_FILE_PREFIX "halb"

/**
 * Parses the dataplane file (libconfig syntax) and validates every field.
 * @return the model, or NULL when d gained an error.
 */
struct cfg_dataplane *cfg_dataplane_load(const char *path, struct cfg_diags *d);

/** Same, from text in memory; name is used in messages. */
struct cfg_dataplane *cfg_dataplane_parse(const char *text, const char *name, struct cfg_diags *d);

void cfg_dataplane_free(struct cfg_dataplane *p);

/** The EAL file prefix p's eal names (--file-prefix X or --file-prefix=X),
 * or NULL when it names none. */
const char *cfg_dataplane_file_prefix(const struct cfg_dataplane *p);

/**
 * The settings the dataplane parser knows, NULL-terminated: at the top
 * level (group NULL), in each port (group "ports"), each route (group
 * "routes"), in limits (group "limits") or in announce (group "announce").
 * What halb.cfg(5) documents is
 * checked against these.
 * @return the list, or NULL for an unknown group.
 */
const char *const *cfg_dataplane_keys(const char *group);

/** "a.b.c.d" of a host-order address, written in buf; returns buf. */
const char *cfg_ipv4_str(uint32_t a, char buf[16]);

/** The port's first address of family af (its primary for that family),
 * or NULL. */
const struct cfg_prefix *cfg_port_addr(const struct cfg_port *p, uint8_t af);

/** The port named name, or NULL. */
const struct cfg_port *cfg_port_find(const struct cfg_dataplane *p, const char *name);

/**
 * Checks the two files against each other and lints what parses but is
 * probably wrong: an instance's interface or a VIP's dev that names no port,
 * two instances with one VRID on one port, a virtual server defined twice,
 * auth_type AH, an HTTP_GET aimed at port 443, checker timings longer than
 * delay_loop, a route whose gateway no port reaches.
 *
 * With p NULL only the checks that need keepalived.conf alone run; with k
 * NULL only the dataplane's.
 *
 * @return the number of errors added to d.
 */
unsigned int cfg_check(const struct cfg_keepalived *k, const struct cfg_dataplane *p,
		       struct cfg_diags *d);

#ifdef __cplusplus
}
#endif

#endif /* HALB_CONFIG_H */
