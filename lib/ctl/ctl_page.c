/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every list reply shares: its parameters and its pages.
 *
 * A list command takes "key=value" parameters after its comma
 * (/halb/conns,limit=500,vip=172.17.100.100:80,cursor=c1234); each command
 * says which keys it knows, and anything else is an error naming the keys
 * it accepts. A reply carries at most one page: entries are added while
 * they fit in TEL_PAGE_BUDGET, and the reply then names the cursor the next
 * request starts from ("next"), or null at the end. Cursors are opaque to
 * clients: each list encodes its own position in them (docs/TELEMETRY.md).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_priv.h"

json_t *ctl_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:s}", "error", msg);
}

json_t *ctl_error_restart(void)
{
	return json_pack("{s:s, s:b}", "error",
			 "the configuration was reloaded since this listing began (or the cursor "
			 "is bad): start again without a cursor",
			 "restart", true);
}

static const struct {
	const char *key;
	unsigned int flag;
} query_keys[] = {
	{ "limit", CTL_Q_LIMIT }, { "cursor", CTL_Q_CURSOR }, { "count", CTL_Q_COUNT },
	{ "vip", CTL_Q_VIP },     { "rs", CTL_Q_RS },         { "client", CTL_Q_CLIENT },
	{ "proto", CTL_Q_PROTO }, { "weight", CTL_Q_WEIGHT },
};

/* "A.B.C.D[:PORT]", an IPv6 address alone, or "[IPV6]:PORT" as ipvsadm
 * writes it. */
static bool parse_addr_filter(const char *v, struct ctl_addr_filter *f)
{
	char addr[CFG_ADDR_STRLEN];
	const char *start = v, *end, *port = NULL;
	size_t n;

	if (v[0] == '[') {
		start = v + 1;
		end = strchr(start, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return false;
		if (end[1] == ':')
			port = end + 2;
	} else if (strchr(v, ':') != strrchr(v, ':')) {
		end = v + strlen(v); /* IPv6 without a port */
	} else {
		end = strchr(v, ':');
		if (end != NULL)
			port = end + 1;
		else
			end = v + strlen(v);
	}
	n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(addr))
		return false;
	memcpy(addr, start, n);
	addr[n] = '\0';
	if (!cfg_parse_addr(addr, &f->addr))
		return false;
	if (port != NULL) {
		char *stop;
		long p = strtol(port, &stop, 10);

		if (port[0] == '\0' || *stop != '\0' || p < 0 || p > 65535)
			return false;
		f->port = (uint16_t)p;
		f->has_port = true;
	}
	f->set = true;
	return true;
}

static bool parse_count(const char *v, long max, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (v[0] == '\0' || *end != '\0' || n <= 0 || n > max)
		return false;
	*out = n;
	return true;
}

static int apply_key(const char *key, char *v, unsigned int allowed, long max_limit,
		     struct ctl_query *q, char *err, size_t errlen)
{
	unsigned int flag = 0;

	for (size_t i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++)
		if (strcmp(key, query_keys[i].key) == 0)
			flag = query_keys[i].flag;
	if (!(flag & allowed)) {
		char known[128] = "";

		for (size_t i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++)
			if (query_keys[i].flag & allowed)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", known[0] ? ", " : "", query_keys[i].key);
		snprintf(err, errlen, "unknown parameter '%s' (known: %s)", key, known);
		return -1;
	}
	switch (flag) {
	case CTL_Q_LIMIT:
		if (!parse_count(v, max_limit, &q->limit))
			goto bad;
		return 0;
	case CTL_Q_CURSOR:
		if (strlen(v) >= sizeof(q->cursor))
			goto bad;
		snprintf(q->cursor, sizeof(q->cursor), "%s", v);
		return 0;
	case CTL_Q_COUNT:
		q->count = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
		if (!q->count && strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
			goto bad;
		return 0;
	case CTL_Q_PROTO:
		if (strcasecmp(v, "tcp") == 0)
			q->proto = IPPROTO_TCP;
		else if (strcasecmp(v, "udp") == 0)
			q->proto = IPPROTO_UDP;
		else
			goto bad;
		return 0;
	case CTL_Q_WEIGHT: {
		char *end;
		long w = strtol(v, &end, 10);

		q->has_weight = true;
		q->weight = -1; /* "reset": back to the configuration's */
		if (strcmp(v, "reset") == 0)
			return 0;
		if (v[0] == '\0' || *end != '\0' || w < 0 || w > 65535)
			goto bad;
		q->weight = w;
		return 0;
	}
	default:
		if (!parse_addr_filter(v, flag == CTL_Q_VIP  ? &q->vip
					  : flag == CTL_Q_RS ? &q->rs
							     : &q->client))
			goto bad;
		return 0;
	}
bad:
	snprintf(err, errlen, "bad value for %s: '%s'", key, v);
	return -1;
}

int ctl_query_parse(const char *params, unsigned int allowed, long max_limit, struct ctl_query *q,
		    char *err, size_t errlen)
{
	char buf[TEL_MAX_REQUEST], *save = NULL, *tok;

	memset(q, 0, sizeof(*q));
	q->weight = -1;
	if (params == NULL || params[0] == '\0')
		return 0;
	snprintf(buf, sizeof(buf), "%s", params);
	/* "/halb/conns,50": a bare number is a limit, as before paging. */
	if ((allowed & CTL_Q_LIMIT) && strspn(buf, "0123456789") == strlen(buf)) {
		if (parse_count(buf, max_limit, &q->limit))
			return 0;
		snprintf(err, errlen, "expected key=value parameters or a number from 1 to %ld",
			 max_limit);
		return -1;
	}
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq == NULL) {
			snprintf(err, errlen, "expected key=value, not '%s'", tok);
			return -1;
		}
		*eq = '\0';
		if (apply_key(tok, eq + 1, allowed, max_limit, q, err, errlen) != 0)
			return -1;
	}
	return 0;
}

bool ctl_addr_match(const struct ctl_addr_filter *f, const struct cfg_addr *addr, uint16_t port)
{
	return !f->set || (cfg_addr_eq(&f->addr, addr) && (!f->has_port || f->port == port));
}

/* ---------------------------------------------------------------- pages */

void ctl_page_init(struct ctl_page *p, size_t budget)
{
	p->arr = json_array();
	p->bytes = 0;
	p->budget = budget;
}

bool ctl_page_fits(const struct ctl_page *p, const json_t *entry)
{
	size_t n = json_dumpb(entry, NULL, 0, JSON_COMPACT) + 1;

	return p->bytes + n <= p->budget;
}

bool ctl_page_add(struct ctl_page *p, json_t *entry)
{
	size_t n = json_dumpb(entry, NULL, 0, JSON_COMPACT) + 1; /* and a comma */

	if (p->bytes + n > p->budget) {
		json_decref(entry);
		return false;
	}
	p->bytes += n;
	json_array_append_new(p->arr, entry);
	return true;
}

void ctl_page_grow(struct ctl_page *p, size_t bytes)
{
	p->bytes += bytes;
}
