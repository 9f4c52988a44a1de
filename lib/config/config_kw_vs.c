/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtual_server and real_server: their keyword tables and handlers, with
 * keepalived 2.2's ranges and defaults (check_parser.c): scheduler wlc,
 * forwarding NAT, protocol TCP, delay_loop 60 s, connect_timeout 5 s,
 * real server weight 1 (0..65535), persistence_timeout 1..31 days (360 s
 * when written without a value). lvs_sched and lvs_method are keepalived's
 * other names for lb_algo and lb_kind. halb serves IPv4 "IP PORT" virtual
 * servers only: fwmark and group virtual servers are refused by name.
 *
 * Checker settings written on a virtual or real server (delay_loop, retry,
 * delay_before_retry, connect_timeout) are recorded as written and folded
 * into the checkers by config_resolve.c; the checkers themselves are in
 * config_kw_check.c.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"

#define LVS_MAX_TIMEOUT (86400u * 31)

/* --------------------------------------------------------------- virtual_server */

static void vs_defaults(struct cfg_virtual_server *vs)
{
	vs->protocol = IPPROTO_TCP;
	vs->delay_loop_ms = 60000;
	vs->sched = CFG_SCHED_WLC;
	vs->fwd = CFG_FWD_NAT;
	vs->retry = CFG_UNSET;
	vs->delay_before_retry_ms = CFG_UNSET;
	vs->connect_timeout_ms = 5000;
	vs->persistence_granularity = UINT32_MAX;
	vs->quorum = 1;
}

void *cfg_vs_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	struct cfg_virtual_server *vs;
	uint32_t addr;
	uint16_t port;

	if (strcmp(st->v[1].s, "fwmark") == 0 || strcmp(st->v[1].s, "group") == 0) {
		cfg_err(ps, &st->v[1],
			"virtual_server %s: halb does not support %s virtual servers", st->v[1].s,
			st->v[1].s);
		return NULL;
	}
	if (!cfg_arg_ipv4(ps, &st->v[1], "virtual_server", &addr))
		return NULL;
	if (st->n < 3) {
		cfg_err(ps, st->v, "virtual_server %s: missing port (virtual_server IP PORT)",
			st->v[1].s);
		return NULL;
	}
	if (!cfg_arg_port(ps, &st->v[2], "virtual_server port", true, &port))
		return NULL;
	vs = CFG_GROW(ps, st->v, k->vs, k->n_vs);
	if (vs == NULL)
		return NULL;
	vs_defaults(vs);
	vs->addr = addr;
	vs->port = port;
	vs->loc = cfg_tok_loc(ps, st->v);
	return vs;
}

static void vs_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_virtual_server *vs = obj;

	if (vs->port == 0 && vs->persistence_timeout == 0)
		cfg_err(ps, kw, "virtual_server port 0 (all ports) needs persistence_timeout");
	if ((vs->sched_port || vs->sched_fallback) && vs->sched != CFG_SCHED_SH &&
	    vs->sched != CFG_SCHED_MH)
		cfg_warn(ps, kw, "sh-/mh- flags apply to the sh and mh schedulers only: ignored");
	if (vs->n_rs == 0 && !cfg_saw(&cfg_vs_block, seen, "real_server"))
		cfg_warn(ps, kw, "virtual_server has no real_server");
}

static void *vs_delay_loop(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), true, 1, CFG_SEC_MAX_MS, &vs->delay_loop_ms);
	return NULL;
}

static void *vs_sched(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	for (int s = 0; s < CFG_SCHED_COUNT; s++) {
		if (strcmp(st->v[1].s, cfg_sched_name((enum cfg_sched)s)) == 0) {
			vs->sched = (enum cfg_sched)s;
			return NULL;
		}
	}
	cfg_err(ps, &st->v[1],
		"%s: unknown scheduler '%s' (rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh)",
		cfg_kw_name(st), st->v[1].s);
	return NULL;
}

static void *vs_sched_flag(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const char *f = cfg_kw_name(st);

	(void)ps;
	if (strcmp(f + 3, "port") == 0)
		vs->sched_port = true;
	else
		vs->sched_fallback = true;
	return NULL;
}

/* lb_kind NAT|DR|TUN [type ipip]: halb tunnels with IPIP only. */
static void *vs_fwd(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const char *s = st->v[1].s;

	if (strcmp(s, "NAT") == 0) {
		vs->fwd = CFG_FWD_NAT;
	} else if (strcmp(s, "DR") == 0) {
		vs->fwd = CFG_FWD_DR;
	} else if (strcmp(s, "TUN") == 0) {
		vs->fwd = CFG_FWD_TUN;
	} else {
		cfg_err(ps, &st->v[1], "%s: unknown forwarding method '%s' (NAT, DR or TUN)",
			cfg_kw_name(st), s);
		return NULL;
	}
	if (st->n > 2 && (vs->fwd != CFG_FWD_TUN || st->n != 4 || strcmp(st->v[2].s, "type") != 0 ||
			  strcmp(st->v[3].s, "ipip") != 0))
		cfg_err(ps, &st->v[2], "%s: halb supports only plain NAT, DR and TUN (type ipip)",
			cfg_kw_name(st));
	return NULL;
}

static void *vs_nat_mask(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	uint32_t mask;

	/* keepalived ignores nat_mask; a malformed one is still worth a word. */
	(void)obj;
	if (!cfg_parse_ipv4(st->v[1].s, &mask))
		cfg_warn(ps, &st->v[1], "nat_mask: '%s' is not a netmask (ignored anyway)",
			 st->v[1].s);
	return NULL;
}

static void *vs_persistence(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	if (st->n < 2)
		vs->persistence_timeout = 360;
	else
		cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, LVS_MAX_TIMEOUT,
			     &vs->persistence_timeout);
	return NULL;
}

static void *vs_granularity(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	if (!cfg_arg_ipv4(ps, &st->v[1], cfg_kw_name(st), &vs->persistence_granularity))
		return NULL;
	if (vs->persistence_timeout == 0)
		vs->persistence_timeout = 360;
	return NULL;
}

static void *vs_protocol(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const char *s = st->v[1].s;

	if (strcasecmp(s, "TCP") == 0)
		vs->protocol = IPPROTO_TCP;
	else if (strcasecmp(s, "UDP") == 0)
		vs->protocol = IPPROTO_UDP;
	else if (strcasecmp(s, "SCTP") == 0)
		cfg_err(ps, &st->v[1], "protocol: halb does not support SCTP");
	else
		cfg_err(ps, &st->v[1], "protocol: unknown protocol '%s' (TCP or UDP)", s);
	return NULL;
}

static void *vs_sorry(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	uint32_t addr;
	uint16_t port = vs->port;

	if (!cfg_arg_ipv4(ps, &st->v[1], cfg_kw_name(st), &addr))
		return NULL;
	if (st->n > 2 && !cfg_arg_port(ps, &st->v[2], "sorry_server port", false, &port))
		return NULL;
	vs->has_sorry_server = true;
	vs->sorry_server.addr = addr;
	vs->sorry_server.port = port;
	vs->sorry_server.weight = 1;
	vs->sorry_server.delay_loop_ms = CFG_UNSET;
	vs->sorry_server.retry = CFG_UNSET;
	vs->sorry_server.delay_before_retry_ms = CFG_UNSET;
	vs->sorry_server.connect_timeout_ms = CFG_UNSET;
	vs->sorry_server.loc = cfg_tok_loc(ps, st->v);
	return NULL;
}

static void *vs_sorry_inhibit(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &vs->sorry_server_inhibit);
	return NULL;
}

static void *vs_count(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	if (strcmp(cfg_kw_name(st), "quorum") == 0)
		cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, UINT32_MAX, &vs->quorum);
	else
		cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 0, UINT32_MAX, &vs->hysteresis);
	return NULL;
}

static void *vs_quorum_script(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	cfg_set_script(
	    ps, strcmp(cfg_kw_name(st), "quorum_up") == 0 ? &vs->quorum_up : &vs->quorum_down, st);
	return NULL;
}

/* inhibit_on_failure, alpha, omega, ha_suspend: flags with an optional
 * true/false. */
static void *vs_flag(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const char *kw = cfg_kw_name(st);
	bool *dst = strcmp(kw, "alpha") == 0        ? &vs->alpha
		    : strcmp(kw, "omega") == 0      ? &vs->omega
		    : strcmp(kw, "ha_suspend") == 0 ? &vs->ha_suspend
						    : &vs->inhibit_on_failure;

	cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, kw, dst);
	return NULL;
}

static void *vs_virtualhost(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;

	cfg_set_str(ps, &vs->virtualhost, &st->v[1]);
	return NULL;
}

static void *vs_ip_family(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	(void)obj;
	if (strcmp(st->v[1].s, "inet") != 0)
		cfg_err(ps, &st->v[1], "ip_family: halb supports inet (IPv4) only");
	return NULL;
}

/* retry, delay_before_retry, connect_timeout at the virtual server level. */
static void *vs_check_setting(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const char *kw = cfg_kw_name(st);

	if (strcmp(kw, "retry") == 0)
		cfg_arg_uint(ps, &st->v[1], kw, 0, UINT32_MAX - 1, &vs->retry);
	else if (strcmp(kw, "delay_before_retry") == 0)
		cfg_arg_ms(ps, &st->v[1], kw, true, 0, CFG_SEC_MAX_MS, &vs->delay_before_retry_ms);
	else
		cfg_arg_ms(ps, &st->v[1], kw, true, 1, CFG_SEC_MAX_MS, &vs->connect_timeout_ms);
	return NULL;
}

/* ----------------------------------------------------------------- real_server */

static void *rs_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	struct cfg_real_server *rs;
	uint32_t addr;
	uint16_t port = vs->port;

	if (!cfg_arg_ipv4(ps, &st->v[1], "real_server", &addr))
		return NULL;
	if (st->n > 2 && !cfg_arg_port(ps, &st->v[2], "real_server port", false, &port))
		return NULL;
	rs = CFG_GROW(ps, st->v, vs->rs, vs->n_rs);
	if (rs == NULL)
		return NULL;
	rs->addr = addr;
	rs->port = port;
	rs->weight = 1;
	rs->delay_loop_ms = CFG_UNSET;
	rs->retry = CFG_UNSET;
	rs->delay_before_retry_ms = CFG_UNSET;
	rs->connect_timeout_ms = CFG_UNSET;
	rs->loc = cfg_tok_loc(ps, st->v);
	return rs;
}

static void *rs_weight(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_real_server *rs = obj;

	cfg_arg_int(ps, &st->v[1], cfg_kw_name(st), 0, 65535, &rs->weight);
	return NULL;
}

static void *rs_inhibit(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_real_server *rs = obj;

	if (cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st),
			 &rs->inhibit_on_failure))
		rs->inhibit_on_failure_set = true;
	return NULL;
}

static void *rs_notify(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_real_server *rs = obj;

	cfg_set_script(
	    ps, strcmp(cfg_kw_name(st), "notify_up") == 0 ? &rs->notify_up : &rs->notify_down, st);
	return NULL;
}

/* delay_loop, retry, delay_before_retry, connect_timeout at the real
 * server level. */
static void *rs_check_setting(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_real_server *rs = obj;
	const char *kw = cfg_kw_name(st);

	if (strcmp(kw, "retry") == 0)
		cfg_arg_uint(ps, &st->v[1], kw, 0, UINT32_MAX - 1, &rs->retry);
	else if (strcmp(kw, "delay_before_retry") == 0)
		cfg_arg_ms(ps, &st->v[1], kw, true, 0, CFG_SEC_MAX_MS, &rs->delay_before_retry_ms);
	else if (strcmp(kw, "delay_loop") == 0)
		cfg_arg_ms(ps, &st->v[1], kw, true, 1, CFG_SEC_MAX_MS, &rs->delay_loop_ms);
	else
		cfg_arg_ms(ps, &st->v[1], kw, true, 1, CFG_SEC_MAX_MS, &rs->connect_timeout_ms);
	return NULL;
}

static const struct cfg_kw rs_kw[] = {
	{ "weight", 1, 1, rs_weight, NULL, NULL },
	{ "inhibit_on_failure", 0, 1, rs_inhibit, NULL, NULL },
	{ "notify_up", 1, 3, rs_notify, NULL, NULL },
	{ "notify_down", 1, 3, rs_notify, NULL, NULL },
	{ "delay_loop", 1, 1, rs_check_setting, NULL, NULL },
	{ "retry", 1, 1, rs_check_setting, NULL, NULL },
	{ "delay_before_retry", 1, 1, rs_check_setting, NULL, NULL },
	{ "connect_timeout", 1, 1, rs_check_setting, NULL, NULL },
	{ "HTTP_GET", 0, 0, cfg_checker_open, &cfg_http_block, NULL },
	{ "SSL_GET", 0, 0, cfg_checker_open, &cfg_http_block, NULL },
	{ "TCP_CHECK", 0, 0, cfg_checker_open, &cfg_tcp_block, NULL },
	{ "MISC_CHECK", 0, 0, cfg_checker_open, &cfg_misc_block, NULL },
	/* keepalived settings that have no meaning for halb */
	{ "lvs_method", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "uthreshold", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "lthreshold", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "alpha", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "warmup", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "smtp_alert", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "virtualhost", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct cfg_block cfg_rs_block = { "real_server", rs_kw, NULL };

static const struct cfg_kw vs_kw[] = {
	{ "delay_loop", 1, 1, vs_delay_loop, NULL, NULL },
	{ "lb_algo", 1, 1, vs_sched, NULL, NULL },
	{ "lvs_sched", 1, 1, vs_sched, NULL, NULL },
	{ "sh-port", 0, 0, vs_sched_flag, NULL, NULL },
	{ "sh-fallback", 0, 0, vs_sched_flag, NULL, NULL },
	{ "mh-port", 0, 0, vs_sched_flag, NULL, NULL },
	{ "mh-fallback", 0, 0, vs_sched_flag, NULL, NULL },
	{ "lb_kind", 1, 3, vs_fwd, NULL, NULL },
	{ "lvs_method", 1, 3, vs_fwd, NULL, NULL },
	{ "nat_mask", 1, 1, vs_nat_mask, NULL, NULL },
	{ "persistence_timeout", 0, 1, vs_persistence, NULL, NULL },
	{ "persistence_granularity", 1, 1, vs_granularity, NULL, NULL },
	{ "protocol", 1, 1, vs_protocol, NULL, NULL },
	{ "sorry_server", 1, 2, vs_sorry, NULL, NULL },
	{ "sorry_server_inhibit", 0, 1, vs_sorry_inhibit, NULL, NULL },
	{ "quorum", 1, 1, vs_count, NULL, NULL },
	{ "hysteresis", 1, 1, vs_count, NULL, NULL },
	{ "quorum_up", 1, 3, vs_quorum_script, NULL, NULL },
	{ "quorum_down", 1, 3, vs_quorum_script, NULL, NULL },
	{ "inhibit_on_failure", 0, 1, vs_flag, NULL, NULL },
	{ "alpha", 0, 1, vs_flag, NULL, NULL },
	{ "omega", 0, 1, vs_flag, NULL, NULL },
	{ "ha_suspend", 0, 1, vs_flag, NULL, NULL },
	{ "virtualhost", 1, 1, vs_virtualhost, NULL, NULL },
	{ "ip_family", 1, 1, vs_ip_family, NULL, NULL },
	{ "retry", 1, 1, vs_check_setting, NULL, NULL },
	{ "delay_before_retry", 1, 1, vs_check_setting, NULL, NULL },
	{ "connect_timeout", 1, 1, vs_check_setting, NULL, NULL },
	{ "real_server", 1, 2, rs_open, &cfg_rs_block, NULL },
	/* keepalived settings that have no meaning for halb */
	{ "ops", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "hashed", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "warmup", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "smtp_alert", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ "persistence_engine", 0, CFG_ARGS_ANY, cfg_kw_ignored, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

const struct cfg_block cfg_vs_block = { "virtual_server", vs_kw, vs_end };
