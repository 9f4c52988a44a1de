/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtual_server and real_server: their keyword tables and handlers, with
 * keepalived 2.2's ranges and defaults (check_parser.c): scheduler wlc,
 * forwarding NAT, protocol UDP (with a warning, as keepalived 2.2's
 * "no protocol set - defaulting to UDP"), delay_loop 60 s, connect_timeout 5 s,
 * real server weight 1 (0..65535), persistence_timeout 1..31 days (360 s
 * when written without a value). lvs_sched and lvs_method are keepalived's
 * other names for lb_algo and lb_kind. Virtual servers are "IP PORT" (IPv4
 * or IPv6) or "group NAME"; fwmark virtual servers are refused by name.
 * persistence_granularity is a netmask for IPv4 and a prefix length for
 * IPv6, as keepalived reads it.
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
#define NOT_YET         "not implemented yet"
#define WARMUP          "not implemented: a checker's first attempt is one delay_loop after start"
#define SMTP_ALERT      "checker mail follows global_defs smtp_alert and smtp_alert_checker"

/* --------------------------------------------------------------- virtual_server */

static void vs_defaults(struct cfg_virtual_server *vs)
{
	vs->protocol = IPPROTO_UDP; /* keepalived 2.2's default: vs_end warns */
	vs->delay_loop_ms = 60000;
	vs->sched = CFG_SCHED_WLC;
	vs->fwd = CFG_FWD_NAT;
	vs->retry = CFG_UNSET;
	vs->delay_before_retry_ms = CFG_UNSET;
	vs->connect_timeout_ms = 5000;
	vs->persistence_granularity = UINT32_MAX;
	vs->persistence_plen6 = 128;
	vs->quorum = 1;
}

/* ------------------------------------------------------ virtual_server_group */

void *cfg_vsg_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	struct cfg_vs_group *g = CFG_GROW(ps, &st->v[1], k->vs_groups, k->n_vs_groups);

	if (g == NULL)
		return NULL;
	g->name = cfg_strdup(ps, &st->v[1], st->v[1].s);
	if (g->name == NULL) {
		k->n_vs_groups--;
		return NULL;
	}
	g->loc = cfg_tok_loc(ps, st->v);
	return g;
}

/* The range end LAST of "FIRST-LAST": decimal for the last byte of an IPv4
 * address, hex for the last 16-bit group of an IPv6 one (keepalived). */
static bool vsg_range_end(struct cfg_parser *ps, const struct cfg_tok *v, const char *text,
			  const struct cfg_addr *first, uint16_t *last)
{
	const bool v6 = first->af == 6;
	const unsigned int low =
	    v6 ? (unsigned int)(first->v6[14] << 8 | first->v6[15]) : (first->v4 & 0xff);
	const unsigned int high = v6 ? 0xffff : 255;
	char *end;
	unsigned long x;

	*last = (uint16_t)low;
	if (text == NULL)
		return true;
	x = strtoul(text, &end, v6 ? 16 : 10);
	if (*text == '\0' || *end != '\0' || *text == '-' || *text == '+' || x < low || x > high) {
		if (v6)
			cfg_err(ps, v,
				"virtual_server_group range end '%s' is out of range (%x..%x, in "
				"hex: the last 16-bit group of the address)",
				text, low, high);
		else
			cfg_err(ps, v, "virtual_server_group range end %s is out of range (%u..%u)",
				text, low, high);
		return false;
	}
	*last = (uint16_t)x;
	return true;
}

/* IP[-LAST] PORT, or fwmark N (refused). */
void cfg_vsg_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vs_group *g = obj;
	struct cfg_vsg_entry *e;
	char addr[64];
	const char *dash = strchr(v[0].s, '-');
	size_t alen = dash != NULL ? (size_t)(dash - v[0].s) : strlen(v[0].s);
	struct cfg_addr first;
	uint16_t port, last;

	if (strcmp(v[0].s, "fwmark") == 0) {
		g->refused = true;
		cfg_err(ps, v,
			"virtual_server_group %s: fwmark entries are not supported by halb "
			"(it classifies by address and port)",
			g->name);
		return;
	}
	if (alen >= sizeof(addr)) {
		cfg_err(ps, v, "virtual_server_group: '%s' is not IP[-LAST] PORT", v[0].s);
		return;
	}
	memcpy(addr, v[0].s, alen);
	addr[alen] = '\0';
	if (!cfg_parse_addr(addr, &first)) {
		cfg_err(ps, v, "virtual_server_group: '%s' is not an IPv4 or IPv6 address", addr);
		return;
	}
	if (!vsg_range_end(ps, v, dash != NULL ? dash + 1 : NULL, &first, &last))
		return;
	if (n < 2) {
		cfg_err(ps, v, "virtual_server_group: %s needs a port (IP[-LAST] PORT)", v[0].s);
		return;
	}
	if (!cfg_arg_port(ps, &v[1], "virtual_server_group port", true, &port))
		return;
	if (n > 2)
		cfg_err(ps, &v[2], "virtual_server_group: one IP[-LAST] PORT per line");
	e = CFG_GROW(ps, v, g->entries, g->n_entries);
	if (e == NULL)
		return;
	e->first = first;
	e->last = last;
	e->port = port;
	e->loc = cfg_tok_loc(ps, v);
}

/* --------------------------------------------------------------- virtual_server */

void *cfg_vs_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	struct cfg_virtual_server *vs;
	struct cfg_addr addr;
	uint16_t port;

	if (strcmp(st->v[1].s, "fwmark") == 0) {
		cfg_err(ps, &st->v[1],
			"virtual_server fwmark is not supported by halb (it classifies by address "
			"and port)");
		return NULL;
	}
	if (strcmp(st->v[1].s, "group") == 0) {
		if (st->n < 3) {
			cfg_err(ps, st->v, "virtual_server group: missing the group's name");
			return NULL;
		}
		vs = CFG_GROW(ps, st->v, k->vs, k->n_vs);
		if (vs == NULL)
			return NULL;
		vs_defaults(vs);
		vs->group = cfg_strdup(ps, &st->v[2], st->v[2].s);
		vs->loc = cfg_tok_loc(ps, st->v);
		return vs;
	}
	if (!cfg_arg_addr(ps, &st->v[1], "virtual_server", &addr))
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

	if (vs->group == NULL && vs->port == 0 && vs->persistence_timeout == 0)
		cfg_err(ps, kw, "virtual_server port 0 (all ports) needs persistence_timeout");
	if ((vs->sched_port || vs->sched_fallback) && vs->sched != CFG_SCHED_SH &&
	    vs->sched != CFG_SCHED_MH)
		cfg_warn(ps, kw, "sh-/mh- flags apply to the sh and mh schedulers only: ignored");
	if (vs->n_rs == 0 && !cfg_saw(&cfg_vs_block, seen, "real_server"))
		cfg_warn(ps, kw, "virtual_server has no real_server");
	if (!cfg_saw(&cfg_vs_block, seen, "protocol")) {
		vs->protocol = IPPROTO_UDP;
		cfg_warn(ps, kw,
			 "virtual_server has no protocol: UDP, as keepalived 2.2 defaults to "
			 "(write protocol TCP for a TCP service)");
	}
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
	if (strcmp(f + 3, "port") == 0 || strcmp(f, "flag-2") == 0)
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

/* A netmask for IPv4 (contiguous, as keepalived demands), a prefix length
 * 1..128 for IPv6; a group virtual server's family is told by the value. */
static void *vs_granularity(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	const struct cfg_tok *t = &st->v[1];
	bool v6 = vs->group != NULL ? strchr(t->s, '.') == NULL : vs->addr.af == 6;
	unsigned int plen;
	uint32_t m;

	if (v6) {
		if (cfg_arg_uint(ps, t, "persistence_granularity (IPv6: a prefix length)", 1, 128,
				 &plen))
			vs->persistence_plen6 = (uint8_t)plen;
		else
			return NULL;
	} else {
		if (!cfg_arg_ipv4(ps, t, cfg_kw_name(st), &m))
			return NULL;
		if (m != 0 && (~m & (~m + 1)) != 0) {
			cfg_err(ps, t, "persistence_granularity %s is not a solid netmask", t->s);
			return NULL;
		}
		vs->persistence_granularity = m;
	}
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
	struct cfg_addr addr;
	uint16_t port = vs->port;

	if (!cfg_arg_addr(ps, &st->v[1], cfg_kw_name(st), &addr))
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

/* ip_family inet|inet6: must agree with the virtual server's address (a
 * group's is checked once its members are known). */
static void *vs_ip_family(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_virtual_server *vs = obj;
	uint8_t af;

	if (strcmp(st->v[1].s, "inet") == 0) {
		af = 4;
	} else if (strcmp(st->v[1].s, "inet6") == 0) {
		af = 6;
	} else {
		cfg_err(ps, &st->v[1], "ip_family: unknown family '%s' (inet or inet6)",
			st->v[1].s);
		return NULL;
	}
	vs->ip_family = af;
	if (vs->group == NULL && vs->addr.af != af)
		cfg_err(ps, &st->v[1], "ip_family %s conflicts with the virtual server's address",
			st->v[1].s);
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
	struct cfg_addr addr;
	uint16_t port = vs->port;

	if (!cfg_arg_addr(ps, &st->v[1], "real_server", &addr))
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
	{ "PING_CHECK", 0, 0, cfg_checker_open, &cfg_ping_block, NULL },
	{ "UDP_CHECK", 0, 0, cfg_checker_open, &cfg_udp_block, NULL },
	{ "DNS_CHECK", 0, 0, cfg_checker_open, &cfg_dns_block, NULL },
	{ "SMTP_CHECK", 0, 0, cfg_checker_open, &cfg_smtp_block, NULL },
	{ "FILE_CHECK", 0, 0, cfg_checker_open, &cfg_file_block, NULL },
	/* what changes where traffic goes or when, and halb does not do */
	CFG_KW_REFUSE("BFD_CHECK", "BFD sessions are out of scope: halb's checks are kernel "
				   "sockets through the TAP, BFD needs its own fast timers and "
				   "peers (docs/CHECKS.md)"),
	CFG_KW_REFUSE("lvs_method", "not implemented: every real server is reached with its "
				    "virtual server's lb_kind"),
	CFG_KW_REFUSE("uthreshold", "not implemented: halb limits no real server's connections"),
	CFG_KW_REFUSE("lthreshold", "not implemented: halb limits no real server's connections"),
	CFG_KW_REFUSE("alpha", "not implemented on a real server: use alpha on the virtual_server"),
	CFG_KW_REFUSE("warmup", WARMUP),
	CFG_KW_REFUSE("virtualhost", "not implemented on a real server: set virtualhost in the "
				     "checker or the virtual_server"),
	/* what has no meaning for halb */
	CFG_KW_NOOP("smtp_alert", SMTP_ALERT),
	CFG_KW_NOOP("snmp_name", "halb has no SNMP agent"),
	CFG_KW_END,
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
	{ "flag-1", 0, 0, vs_sched_flag, NULL, NULL, 0, "the same as sh-fallback / mh-fallback" },
	{ "flag-2", 0, 0, vs_sched_flag, NULL, NULL, 0, "the same as sh-port / mh-port" },
	/* what changes where traffic goes or when, and halb does not do */
	CFG_KW_REFUSE("ops", "not implemented: halb schedules connections, not single packets"),
	CFG_KW_REFUSE("persistence_engine", "not implemented: persistence is by client address"),
	CFG_KW_REFUSE("sorry_server_lvs_method", "not implemented: the sorry server is reached "
						 "with the virtual server's lb_kind"),
	CFG_KW_REFUSE("warmup", WARMUP),
	CFG_KW_REFUSE("weight", NOT_YET),
	/* what has no meaning for halb */
	CFG_KW_NOOP("flag-3", "no scheduler halb implements uses it (as in IPVS)"),
	CFG_KW_NOOP("hashed", "a flag IPVS sets by itself; halb has no IPVS"),
	CFG_KW_NOOP("smtp_alert", SMTP_ALERT),
	CFG_KW_NOOP("snmp_name", "halb has no SNMP agent"),
	CFG_KW_END,
};

const struct cfg_block cfg_vs_block = { "virtual_server", vs_kw, vs_end };
