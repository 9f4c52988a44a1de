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

static const struct cfg_kw global_kw[] = {
	{ "notification_email", 0, 0, NULL, NULL, email_value },
	{ "notification_email_from", 1, 1, email_from, NULL, NULL },
	{ "smtp_server", 1, 2, smtp_server, NULL, NULL },
	{ "smtp_connect_timeout", 1, 1, smtp_timeout, NULL, NULL },
	{ "smtp_helo_name", 1, 1, smtp_helo, NULL, NULL },
	{ "smtp_alert", 0, 1, smtp_alert, NULL, NULL },
	{ "router_id", 1, 1, router_id, NULL, NULL },
	{ "enable_script_security", 0, 0, script_security, NULL, NULL },
	{ "script_user", 1, 2, script_user, NULL, NULL },
	{ "vrrp_garp_master_delay", 1, 1, garp_delay, NULL, NULL },
	{ "vrrp_garp_master_repeat", 1, 1, garp_repeat, NULL, NULL },
	{ "vrrp_garp_master_refresh", 1, 1, garp_refresh, NULL, NULL },
	{ "vrrp_garp_master_refresh_repeat", 1, 1, garp_refresh_repeat, NULL, NULL },
	{ "vrrp_version", 1, 1, vrrp_version, NULL, NULL },
	{ "vrrp_mcast_group4", 1, 1, mcast_group4, NULL, NULL },
	{ "lvs_sync_daemon", 2, 12, cfg_kw_lvs_sync_daemon, NULL, NULL },
	/* keepalived settings that have no meaning for halb */
	{ "vrrp_strict", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "vrrp_skip_check_adv_addr", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "vrrp_garp_interval", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "vrrp_gna_interval", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "vrrp_iptables", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "lvs_id", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "enable_traps", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct cfg_block cfg_global_block = { "global_defs", global_kw, NULL };
