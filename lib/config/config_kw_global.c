/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * global_defs: mail settings for notifications, the router id, script
 * security and the defaults every vrrp_instance inherits (gratuitous ARP
 * timings, VRRP version, multicast group). Ranges and defaults follow
 * keepalived 2.2's global_parser.c; the defaults themselves are set by
 * cfg_keepalived_defaults() so that a file without global_defs gets them too.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

void *cfg_global_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;

	k->global.loc = cfg_tok_loc(ps, st->v);
	return &k->global;
}

static void email_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_global *g = obj;

	for (size_t i = 0; i < n; i++) {
		char **slot = CFG_GROW(ps, &v[i], g->notification_email, g->n_notification_email);

		if (slot == NULL)
			return;
		*slot = cfg_strdup(ps, &v[i], v[i].s);
		if (*slot == NULL)
			g->n_notification_email--;
	}
}

static void *email_from(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_set_str(ps, &g->notification_email_from, &st->v[1]);
	return NULL;
}

static void *smtp_server(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	uint32_t addr;
	uint16_t port = 25;

	if (!cfg_parse_ipv4(st->v[1].s, &addr)) {
		cfg_err(
		    ps, &st->v[1],
		    "smtp_server: '%s' is not an IPv4 address (halb does not resolve host names)",
		    st->v[1].s);
		return NULL;
	}
	if (st->n > 2 && !cfg_arg_port(ps, &st->v[2], "smtp_server port", false, &port))
		return NULL;
	g->has_smtp_server = true;
	g->smtp_server = addr;
	g->smtp_port = port;
	return NULL;
}

static void *smtp_timeout(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 1000, CFG_SEC_MAX_MS,
		   &g->smtp_connect_timeout_ms);
	return NULL;
}

static void *smtp_helo(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_set_str(ps, &g->smtp_helo_name, &st->v[1]);
	return NULL;
}

static void *smtp_alert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &g->smtp_alert);
	return NULL;
}

static void *router_id(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_set_str(ps, &g->router_id, &st->v[1]);
	return NULL;
}

static void *script_security(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	(void)ps;
	(void)st;
	g->enable_script_security = true;
	return NULL;
}

static void *script_user(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_set_str(ps, &g->script_user, &st->v[1]);
	if (st->n > 2)
		cfg_set_str(ps, &g->script_group, &st->v[2]);
	return NULL;
}

static void *garp_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS,
		   &g->vrrp_garp_master_delay_ms);
	return NULL;
}

static void *garp_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, UINT32_MAX, &g->vrrp_garp_master_repeat);
	return NULL;
}

static void *garp_refresh(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS,
		   &g->vrrp_garp_master_refresh_ms);
	return NULL;
}

static void *garp_refresh_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, UINT32_MAX,
		     &g->vrrp_garp_master_refresh_repeat);
	return NULL;
}

static void *vrrp_version(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 2, 3, &g->vrrp_version);
	return NULL;
}

static void *mcast_group4(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	uint32_t addr;

	if (!cfg_arg_ipv4(ps, &st->v[1], cfg_kw_name(st), &addr))
		return NULL;
	if ((addr >> 28) != 0xe) {
		cfg_err(ps, &st->v[1], "vrrp_mcast_group4 %s is not a multicast address",
			st->v[1].s);
		return NULL;
	}
	g->vrrp_mcast_group4 = addr;
	return NULL;
}

static void *mcast_group6(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	struct cfg_addr a;

	if (!cfg_parse_addr(st->v[1].s, &a) || a.af != 6 || !cfg_addr_is_multicast(&a)) {
		cfg_err(ps, &st->v[1], "vrrp_mcast_group6 %s is not an IPv6 multicast address",
			st->v[1].s);
		return NULL;
	}
	memcpy(g->vrrp_mcast_group6, a.v6, 16);
	return NULL;
}

static void *random_seed(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	unsigned int seed;

	(void)obj;
	/* seeds ${_RANDOM} for the lines after it, as keepalived */
	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 0, UINT32_MAX, &seed))
		srandom(seed);
	return NULL;
}

static void *smtp_alert_kind(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	bool on;

	if (cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &on)) {
		if (strcmp(cfg_kw_name(st), "smtp_alert_vrrp") == 0)
			g->smtp_alert_vrrp = on;
		else
			g->smtp_alert_checker = on;
	}
	return NULL;
}

static void *no_email_faults(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	(void)ps;
	if (strcmp(cfg_kw_name(st), "no_checker_emails") == 0)
		g->no_checker_emails = true;
	else
		g->no_email_faults = true;
	return NULL;
}

static void *skip_check_adv_addr(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st),
		     &g->vrrp_skip_check_adv_addr);
	return NULL;
}

static void *garp_lower_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	unsigned int ms;

	if (cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS, &ms))
		g->vrrp_garp_lower_prio_delay_ms = ms;
	return NULL;
}

static void *garp_lower_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	unsigned int n;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 0, INT32_MAX, &n))
		g->vrrp_garp_lower_prio_repeat = n;
	return NULL;
}

/* vrrp_lower_prio_no_advert [bool], vrrp_higher_prio_send_advert [bool] */
static void *prio_advert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	const char *kw = cfg_kw_name(st);
	bool on = true;

	if (st->n > 1 && !cfg_arg_bool(ps, &st->v[1], kw, &on))
		return NULL;
	if (strcmp(kw, "vrrp_lower_prio_no_advert") == 0)
		g->vrrp_lower_prio_no_advert = on;
	else
		g->vrrp_higher_prio_send_advert = on;
	return NULL;
}

/* vrrp_startup_delay SECS (fractions allowed, as keepalived) */
static void *startup_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), true, 0, 3600000, &g->vrrp_startup_delay_ms);
	return NULL;
}

static void *fifo_on_reload(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	bool on = true;

	if (st->n > 1 && !cfg_arg_bool(ps, &st->v[1], cfg_kw_name(st), &on))
		return NULL;
	g->fifo_write_vrrp_states_on_reload = on;
	return NULL;
}

static void *unicast_src_check(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	(void)ps;
	(void)obj;
	(void)st;
	return NULL; /* halb always does it */
}

#define PROC_TUNING "halb is one process whose cores are placed by the dataplane file"
#define NO_SNMP     "halb has no SNMP agent (halbctl and the telemetry socket show its state)"
#define NO_NETLINK  "halb's ports are DPDK ports, not kernel interfaces read through netlink"
#define NO_VMAC     "halb has no VMAC interfaces"
#define NO_FW       "halb puts no firewall rules in the kernel: a BACKUP's dataplane drops VIP traffic"
#define NOT_YET     "not implemented yet"
#define LVS_FIFO                                                                             \
	"not implemented: halb writes VRRP events to notify_fifo and vrrp_notify_fifo, not " \
	"checker events"

static const struct cfg_kw global_kw[] = {
	{ "notification_email", 0, 0, NULL, NULL, email_value },
	{ "notification_email_from", 1, 1, email_from, NULL, NULL },
	{ "smtp_server", 1, 2, smtp_server, NULL, NULL },
	{ "smtp_connect_timeout", 1, 1, smtp_timeout, NULL, NULL },
	{ "smtp_helo_name", 1, 1, smtp_helo, NULL, NULL },
	{ "smtp_alert", 0, 1, smtp_alert, NULL, NULL },
	{ "smtp_alert_vrrp", 0, 1, smtp_alert_kind, NULL, NULL },
	{ "smtp_alert_checker", 0, 1, smtp_alert_kind, NULL, NULL },
	{ "no_email_faults", 0, 0, no_email_faults, NULL, NULL },
	{ "no_checker_emails", 0, 0, no_email_faults, NULL, NULL },
	{ "router_id", 1, 1, router_id, NULL, NULL },
	{ "enable_script_security", 0, 0, script_security, NULL, NULL },
	{ "script_user", 1, 2, script_user, NULL, NULL },
	{ "vrrp_garp_master_delay", 1, 1, garp_delay, NULL, NULL },
	{ "vrrp_garp_master_repeat", 1, 1, garp_repeat, NULL, NULL },
	{ "vrrp_garp_master_refresh", 1, 1, garp_refresh, NULL, NULL },
	{ "vrrp_garp_master_refresh_repeat", 1, 1, garp_refresh_repeat, NULL, NULL },
	{ "vrrp_version", 1, 1, vrrp_version, NULL, NULL },
	{ "vrrp_mcast_group4", 1, 1, mcast_group4, NULL, NULL },
	{ "vrrp_check_unicast_src", 0, 0, unicast_src_check, NULL, NULL, 0,
	  "halb always drops unicast adverts from an address that is no unicast_peer" },
	{ "random_seed", 1, 1, random_seed, NULL, NULL },
	{ "vrrp_skip_check_adv_addr", 0, 1, skip_check_adv_addr, NULL, NULL },
	{ "vrrp_garp_lower_prio_delay", 1, 1, garp_lower_delay, NULL, NULL },
	{ "vrrp_garp_lower_prio_repeat", 1, 1, garp_lower_repeat, NULL, NULL },
	{ "vrrp_lower_prio_no_advert", 0, 1, prio_advert, NULL, NULL },
	{ "vrrp_higher_prio_send_advert", 0, 1, prio_advert, NULL, NULL },
	{ "vrrp_startup_delay", 1, 1, startup_delay, NULL, NULL },
	{ "notify_fifo", 1, 3, cfg_kw_fifo, NULL, NULL, 0,
	  "halb writes its VRRP events there (instances and sync groups), not checker events" },
	{ "notify_fifo_script", 1, 3, cfg_kw_fifo, NULL, NULL },
	{ "vrrp_notify_fifo", 1, 3, cfg_kw_fifo, NULL, NULL },
	{ "vrrp_notify_fifo_script", 1, 3, cfg_kw_fifo, NULL, NULL },
	{ "fifo_write_vrrp_states_on_reload", 0, 1, fifo_on_reload, NULL, NULL },
	{ "vrrp_mcast_group6", 1, 1, mcast_group6, NULL, NULL },
	/* what changes where traffic goes or when, and halb does not do */
	CFG_KW_REFUSE("default_interface",
		      "not implemented: give each vrrp_instance its interface (a dataplane port)"),
	CFG_KW_REFUSE("vrrp_down_timer_adverts",
		      "not implemented: the master down timer is 3 advert intervals (RFC 5798)"),
	CFG_KW_REFUSE("vrrp_garp_extra_if", "not implemented: gratuitous ARPs go out of the "
					    "VIP's own port only"),
	CFG_KW_REFUSE("vrrp_min_garp", NOT_YET),
	CFG_KW_REFUSE("vrrp_notify_priority_changes", "not implemented: notify scripts run on "
						      "state changes only"),
	CFG_KW_REFUSE("lvs_notify_fifo", LVS_FIFO),
	CFG_KW_REFUSE("lvs_notify_fifo_script", LVS_FIFO),
	{ "lvs_sync_daemon", 2, 12, cfg_kw_lvs_sync_daemon, NULL, NULL },
	CFG_KW_REFUSE("lvs_timeouts", "not implemented: halb times connections out as IPVS does "
				      "by default (TCP 900 s, FIN 120 s, UDP 300 s)"),
	CFG_KW_REFUSE("rs_init_notifies", "not implemented: notify_up/notify_down run on changes "
					  "only"),
	CFG_KW_REFUSE("startup_script", NOT_YET),
	CFG_KW_REFUSE("startup_script_timeout", NOT_YET),
	CFG_KW_REFUSE("shutdown_script", NOT_YET),
	CFG_KW_REFUSE("shutdown_script_timeout", NOT_YET),
	CFG_KW_REFUSE("net_namespace", "halb runs in the network namespace it is started in (start "
				       "it with ip netns exec)"),
	CFG_KW_REFUSE("net_namespace_ipvs", "halb has no IPVS: its services live in its dataplane"),
	CFG_KW_REFUSE("namespace_with_ipsets", "halb uses no ipsets"),
	/* what has no meaning for halb */
	CFG_KW_NOOP("vrrp_strict", "halb makes no firewall rules and checks adverts as it always "
				   "does"),
	CFG_KW_NOOP("vrrp_garp_interval", "halb does not pace gratuitous ARPs"),
	CFG_KW_NOOP("vrrp_gna_interval", "halb does not pace unsolicited neighbour adverts"),
	CFG_KW_NOOP("vrrp_iptables", NO_FW),
	CFG_KW_NOOP("nftables", NO_FW),
	CFG_KW_NOOP("nftables_counters", NO_FW),
	CFG_KW_NOOP("nftables_ifindex", NO_FW),
	CFG_KW_NOOP("nftables_priority", NO_FW),
	CFG_KW_NOOP("nftables_ipvs", NO_FW),
	CFG_KW_NOOP("nftables_ipvs_priority", NO_FW),
	CFG_KW_NOOP("nftables_ipvs_start_fwmark", NO_FW),
	CFG_KW_NOOP("enable_traps", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_vrrp", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_checker", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_rfc", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_rfcv2", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_rfcv3", NO_SNMP),
	CFG_KW_NOOP("enable_snmp_keepalived", NO_SNMP),
	CFG_KW_NOOP("snmp_socket", NO_SNMP),
	CFG_KW_NOOP("enable_dbus", "halb has no D-Bus interface (use halbctl)"),
	CFG_KW_NOOP("dbus_service_name", "halb has no D-Bus interface (use halbctl)"),
	CFG_KW_NOOP("checker_log_all_failures", "halb logs every checker state change, and each "
						"failure at DEBUG"),
	CFG_KW_NOOP("vmac_prefix", NO_VMAC),
	CFG_KW_NOOP("vmac_addr_prefix", NO_VMAC),
	CFG_KW_NOOP("vrrp_vmac_garp_intvl", NO_VMAC),
	CFG_KW_NOOP("dynamic_interfaces", "halb's ports are fixed by the dataplane file"),
	CFG_KW_NOOP("disable_local_igmp", "halb's ports are not kernel interfaces"),
	CFG_KW_NOOP("lvs_flush",
		    "halb's service table is its own: there is no IPVS table to flush"),
	CFG_KW_NOOP("lvs_flush_on_stop",
		    "halb's service table is its own: there is no IPVS table to flush"),
	CFG_KW_NOOP("lvs_flush_onstop",
		    "halb's service table is its own: there is no IPVS table to flush"),
	CFG_KW_NOOP("lvs_netlink_cmd_rcv_bufs", NO_NETLINK),
	CFG_KW_NOOP("lvs_netlink_cmd_rcv_bufs_force", NO_NETLINK),
	CFG_KW_NOOP("lvs_netlink_monitor_rcv_bufs", NO_NETLINK),
	CFG_KW_NOOP("lvs_netlink_monitor_rcv_bufs_force", NO_NETLINK),
	CFG_KW_NOOP("vrrp_netlink_cmd_rcv_bufs", NO_NETLINK),
	CFG_KW_NOOP("vrrp_netlink_cmd_rcv_bufs_force", NO_NETLINK),
	CFG_KW_NOOP("vrrp_netlink_monitor_rcv_bufs", NO_NETLINK),
	CFG_KW_NOOP("vrrp_netlink_monitor_rcv_bufs_force", NO_NETLINK),
	CFG_KW_NOOP("process_monitor_rcv_bufs", NO_NETLINK),
	CFG_KW_NOOP("process_monitor_rcv_bufs_force", NO_NETLINK),
	CFG_KW_NOOP("vrrp_rx_bufs_policy",
		    "halb receives adverts from its dataplane, not a socket"),
	CFG_KW_NOOP("vrrp_rx_bufs_multiplier",
		    "halb receives adverts from its dataplane, not a socket"),
	CFG_KW_NOOP("process_names", PROC_TUNING),
	CFG_KW_NOOP("process_name", PROC_TUNING),
	CFG_KW_NOOP("log_unknown_vrids", "halb counts adverts of unknown VRIDs (halbctl vrrp) and "
					 "logs each reason once"),
	CFG_KW_NOOP("vrrp_process_name", PROC_TUNING),
	CFG_KW_NOOP("checker_process_name", PROC_TUNING),
	CFG_KW_NOOP("lvs_process_name", PROC_TUNING),
	CFG_KW_NOOP("bfd_process_name", PROC_TUNING),
	CFG_KW_NOOP("vrrp_priority", PROC_TUNING),
	CFG_KW_NOOP("checker_priority", PROC_TUNING),
	CFG_KW_NOOP("bfd_priority", PROC_TUNING),
	CFG_KW_NOOP("vrrp_rt_priority", PROC_TUNING),
	CFG_KW_NOOP("checker_rt_priority", PROC_TUNING),
	CFG_KW_NOOP("bfd_rt_priority", PROC_TUNING),
	CFG_KW_NOOP("vrrp_rlimit_rtime", PROC_TUNING),
	CFG_KW_NOOP("checker_rlimit_rtime", PROC_TUNING),
	CFG_KW_NOOP("bfd_rlimit_rtime", PROC_TUNING),
	CFG_KW_NOOP("vrrp_rlimit_rttime", PROC_TUNING),
	CFG_KW_NOOP("checker_rlimit_rttime", PROC_TUNING),
	CFG_KW_NOOP("bfd_rlimit_rttime", PROC_TUNING),
	CFG_KW_NOOP("vrrp_no_swap", PROC_TUNING),
	CFG_KW_NOOP("checker_no_swap", PROC_TUNING),
	CFG_KW_NOOP("bfd_no_swap", PROC_TUNING),
	CFG_KW_NOOP("vrrp_cpu_affinity", PROC_TUNING),
	CFG_KW_NOOP("checker_cpu_affinity", PROC_TUNING),
	CFG_KW_NOOP("bfd_cpu_affinity", PROC_TUNING),
	CFG_KW_NOOP("max_auto_priority", PROC_TUNING),
	CFG_KW_NOOP("min_auto_priority_delay", PROC_TUNING),
	CFG_KW_NOOP("umask", "halb writes no files but its pid file"),
	CFG_KW_NOOP("config_save_dir", "halb keeps no copies of its configuration"),
	CFG_KW_NOOP("tmp_config_directory", "halb keeps no copies of its configuration"),
	CFG_KW_NOOP("data_use_instance", "halb writes no data files (halbctl shows its state)"),
	CFG_KW_NOOP("include_check", "halb reports every include that matches nothing"),
	CFG_KW_NOOP("reload_check_config", "halb always checks a configuration before it reloads"),
	CFG_KW_NOOP("reload_file", "halb reloads on SIGHUP only"),
	CFG_KW_NOOP("reload_repeat", "halb reloads on SIGHUP only"),
	CFG_KW_NOOP("reload_time_file", "halb reloads on SIGHUP only"),
	CFG_KW_END,
};

const struct cfg_block cfg_global_block = { "global_defs", global_kw, NULL };
