/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health checkers of a real server as keepalived 2.2 reads them
 * (check_api.c and check_<type>.c): HTTP_GET and SSL_GET with their url
 * blocks, TCP_CHECK and MISC_CHECK here; PING_CHECK, UDP_CHECK, DNS_CHECK,
 * SMTP_CHECK (with its host blocks) and FILE_CHECK in config_kw_probe.c. A
 * new checker has every inheritable setting at CFG_UNSET; config_resolve.c
 * fills them from the real server, the virtual server or keepalived's
 * defaults. nb_get_retry is keepalived's old name for retry and still
 * works, with a warning.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define REGEX "not implemented: url checks match status codes and digests only"

void *cfg_checker_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_real_server *rs = obj;
	const char *kw = cfg_kw_name(st);
	struct cfg_checker *c = CFG_GROW(ps, st->v, rs->checkers, rs->n_checkers);
	enum cfg_check_type t = CFG_CHECK_HTTP;

	if (c == NULL)
		return NULL;
	while (strcmp(cfg_check_name(t), kw) != 0 && t < CFG_CHECK_FILE)
		t++;
	c->type = t;
	c->connect_timeout_ms = CFG_UNSET;
	c->retry = CFG_UNSET;
	c->delay_before_retry_ms = CFG_UNSET;
	c->delay_loop_ms = CFG_UNSET;
	c->max_reply_len = 255;
	c->dns_type = 6; /* SOA */
	c->loc = cfg_tok_loc(ps, st->v);
	return c;
}

/* ------------------------------------------------------------ common settings */

void *cfg_chk_timing(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	const char *kw = cfg_kw_name(st);

	if (strcmp(kw, "nb_get_retry") == 0)
		cfg_warn(ps, st->v, "nb_get_retry is deprecated: use retry");
	if (strcmp(kw, "retry") == 0 || strcmp(kw, "nb_get_retry") == 0)
		cfg_arg_uint(ps, &st->v[1], kw, 0, UINT32_MAX - 1, &c->retry);
	else if (strcmp(kw, "delay_before_retry") == 0)
		cfg_arg_ms(ps, &st->v[1], kw, true, 0, CFG_SEC_MAX_MS, &c->delay_before_retry_ms);
	else if (strcmp(kw, "delay_loop") == 0)
		cfg_arg_ms(ps, &st->v[1], kw, true, 1, CFG_SEC_MAX_MS, &c->delay_loop_ms);
	else
		cfg_arg_ms(ps, &st->v[1], kw, true, 1, CFG_SEC_MAX_MS, &c->connect_timeout_ms);
	return NULL;
}

void *cfg_chk_connect_ip(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	if (cfg_arg_addr(ps, &st->v[1], cfg_kw_name(st), &c->connect_ip))
		c->has_connect_ip = true;
	return NULL;
}

void *cfg_chk_connect_port(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_arg_port(ps, &st->v[1], cfg_kw_name(st), false, &c->connect_port);
	return NULL;
}

void *cfg_chk_bindto(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	if (cfg_arg_addr(ps, &st->v[1], cfg_kw_name(st), &c->bindto))
		c->has_bindto = true;
	return NULL;
}

void *cfg_chk_bind_port(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_arg_port(ps, &st->v[1], cfg_kw_name(st), false, &c->bind_port);
	return NULL;
}

/* ------------------------------------------------------------- url { } */

static void *url_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	struct cfg_url *u = CFG_GROW(ps, st->v, c->urls, c->n_urls);

	if (u == NULL)
		return NULL;
	u->loc = cfg_tok_loc(ps, st->v);
	return u;
}

static const struct cfg_block url_block;

static void url_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_url *u = obj;

	if (u->path == NULL && !cfg_saw(&url_block, seen, "path"))
		cfg_err(ps, kw, "url has no path");
}

static void *url_path(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_url *u = obj;

	cfg_set_str(ps, &u->path, &st->v[1]);
	return NULL;
}

/* status_code C or C1-C2, any number of them, 100..599. */
static void *url_status(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_url *u = obj;

	for (size_t i = 1; i < st->n; i++) {
		const char *s = st->v[i].s, *dash = strchr(s, '-');
		unsigned long lo = 0, hi;
		char first[8];
		bool ok;
		size_t flen = dash != NULL ? (size_t)(dash - s) : strlen(s);

		if (flen == 0 || flen >= sizeof(first)) {
			cfg_err(ps, &st->v[i], "status_code: '%s' is not a code or range", s);
			continue;
		}
		memcpy(first, s, flen);
		first[flen] = '\0';
		ok = cfg_parse_ulong(first, &lo);
		hi = lo;
		if (ok && dash != NULL)
			ok = cfg_parse_ulong(dash + 1, &hi);
		if (!ok || lo < 100 || hi > 599 || lo > hi) {
			cfg_err(ps, &st->v[i],
				"status_code: '%s' is not a code or range in 100..599", s);
			continue;
		}
		for (unsigned long code = lo; code <= hi; code++)
			u->status[(code - 100) / 64] |= UINT64_C(1) << ((code - 100) % 64);
	}
	return NULL;
}

static void *url_digest(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_url *u = obj;
	const char *s = st->v[1].s;
	size_t len = strlen(s);

	if (len != 32 || strspn(s, "0123456789abcdefABCDEF") != 32) {
		cfg_err(ps, &st->v[1], "digest: '%s' is not an MD5 digest (32 hex digits)", s);
		return NULL;
	}
	for (size_t i = 0; i < 32; i++)
		u->digest[i] = (char)tolower((unsigned char)s[i]);
	u->digest[32] = '\0';
	u->has_digest = true;
	return NULL;
}

static void *url_virtualhost(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_url *u = obj;

	cfg_set_str(ps, &u->virtualhost, &st->v[1]);
	return NULL;
}

static const struct cfg_kw url_kw[] = {
	{ "path", 1, 1, url_path, NULL, NULL },
	{ "status_code", 1, CFG_ARGS_ANY, url_status, NULL, NULL },
	{ "digest", 1, 1, url_digest, NULL, NULL },
	{ "virtualhost", 1, 1, url_virtualhost, NULL, NULL },
	CFG_KW_REFUSE("regex", REGEX),
	CFG_KW_REFUSE("regex_no_match", REGEX),
	CFG_KW_REFUSE("regex_options", REGEX),
	CFG_KW_REFUSE("regex_stack", REGEX),
	CFG_KW_REFUSE("regex_min_offset", REGEX),
	CFG_KW_REFUSE("regex_max_offset", REGEX),
	CFG_KW_END,
};

static const struct cfg_block url_block = { "url", url_kw, url_end };

/* ----------------------------------------------------------- HTTP_GET/SSL_GET */

static void http_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_checker *c = obj;

	if (c->n_urls == 0 && !cfg_saw(&cfg_http_block, seen, "url"))
		cfg_err(ps, kw, "%s has no url", cfg_check_name(c->type));
}

static void *http_virtualhost(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_set_str(ps, &c->virtualhost, &st->v[1]);
	return NULL;
}

static void *http_sni(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &c->enable_sni);
	return NULL;
}

static const struct cfg_kw http_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	{ "nb_get_retry", 1, 1, cfg_chk_timing, NULL, NULL },
	{ "virtualhost", 1, 1, http_virtualhost, NULL, NULL },
	{ "enable_sni", 0, 1, http_sni, NULL, NULL },
	{ "url", 0, 0, url_open, &url_block, NULL },
	CFG_KW_REFUSE("http_protocol", "not implemented: checks send HTTP/1.0 requests"),
	CFG_KW_REFUSE("fast_recovery", "not implemented: a failed server is retried every "
				       "delay_loop"),
	CFG_KW_END,
};

const struct cfg_block cfg_http_block = { "HTTP_GET/SSL_GET", http_kw, http_end };

/* ------------------------------------------------------------------ TCP_CHECK */

static const struct cfg_kw tcp_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	CFG_KW_END,
};

const struct cfg_block cfg_tcp_block = { "TCP_CHECK", tcp_kw, NULL };

/* ----------------------------------------------------------------- MISC_CHECK */

static void misc_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_checker *c = obj;

	if (c->misc_path == NULL && !cfg_saw(&cfg_misc_block, seen, "misc_path"))
		cfg_err(ps, kw, "MISC_CHECK has no misc_path");
}

/* misc_path COMMAND [ARGS...]: the whole line, as vrrp_script's script. */
static void *misc_path(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	char *line = cfg_cmdline(ps, st);

	if (line == NULL)
		return NULL;
	free(c->misc_path);
	c->misc_path = line;
	if (st->n > 2)
		cfg_warn(ps, &st->v[2],
			 "misc_path: halb runs the whole line '%s'; keepalived 2.2 would run only "
			 "'%s' (quote the command line to make both agree)",
			 line, st->v[1].s);
	return NULL;
}

static void *misc_timeout(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS, &c->misc_timeout_ms);
	return NULL;
}

static void *misc_dynamic(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	(void)ps;
	(void)st;
	c->misc_dynamic = true;
	return NULL;
}

static void *misc_user(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_set_str(ps, &c->user, &st->v[1]);
	if (st->n > 2)
		cfg_set_str(ps, &c->group, &st->v[2]);
	return NULL;
}

static const struct cfg_kw misc_kw[] = {
	CFG_CHECK_COMMON_KW,
	{ "misc_path", 1, CFG_ARGS_ANY, misc_path, NULL, NULL, 0,
	  "the whole line is the command and its arguments (keepalived 2.2 drops the words after "
	  "the first of an unquoted line: halb warns)",
	  true },
	{ "misc_timeout", 1, 1, misc_timeout, NULL, NULL },
	{ "misc_dynamic", 0, 0, misc_dynamic, NULL, NULL },
	{ "user", 1, 2, misc_user, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_misc_block = { "MISC_CHECK", misc_kw, misc_end };
