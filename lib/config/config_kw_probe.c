/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checkers keepalived 2.2 added around the classic ones, as it reads
 * them (check_ping.c, check_udp.c, check_dns.c, check_smtp.c, check_file.c):
 *
 * - PING_CHECK: the common settings; no ports (ICMP has none, keepalived
 *   ignores connect_port and bind_port too).
 * - UDP_CHECK: payload HEX, require_reply [HEX], min_reply_length (0),
 *   max_reply_length (255). HEX is keepalived's free hex: blanks separate
 *   groups, a group is read two digits at a time and an odd last digit is a
 *   byte of its own ("Ab12f 3" is AB 12 0F 03); in require_reply, x or X is
 *   a nibble that may hold anything.
 * - DNS_CHECK: type (A NS CNAME SOA MX TXT AAAA, default SOA), name
 *   (default "."). retry defaults to 3 and delay_before_retry to delay_loop
 *   (config_resolve.c).
 * - SMTP_CHECK: helo_name, and the deprecated host blocks: each host is a
 *   checker of its own, starting from the connection settings written in
 *   the SMTP_CHECK before it; the SMTP_CHECK itself is a checker too when
 *   it has connection settings of its own or no host (cfg_smtp_expand()).
 *   retry, delay_loop and delay_before_retry written in a host apply to the
 *   whole SMTP_CHECK, as in keepalived, where they set the checker's.
 * - FILE_CHECK: track_file NAME (a track_file written before it) and weight
 *   W [reverse] (default: the track_file's).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_int.h"

#define DNS_NAME_MAX  253 /* characters of a name without its last dot */
#define DNS_LABEL_MAX 63
#define UDP_MAX_LEN   65507 /* the largest UDP payload over IPv4 */

/* ----------------------------------------------------------- keepalived hex */

static int hex_nibble(char ch, bool wildcard)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)toupper((unsigned char)ch);
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return wildcard && ch == 'X' ? 16 : -1;
}

/* Reads the words v[0..n-1] as keepalived's free hex (read_hex_str) into
 * *data (and *care, the bits that must match, when wildcards are allowed).
 * Returns the length, 0 after reporting an error. */
static size_t hex_read(struct cfg_parser *ps, const struct cfg_tok *v, size_t n, const char *what,
		       uint8_t **data, uint8_t **care)
{
	size_t cap = 0, len = 0;
	uint8_t *d, *m;

	for (size_t i = 0; i < n; i++)
		cap += strlen(v[i].s) / 2 + 1;
	d = malloc(cap);
	m = malloc(cap);
	if (d == NULL || m == NULL) {
		free(d);
		free(m);
		cfg_err(ps, v, "out of memory");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		for (const char *p = v[i].s; *p != '\0'; p += p[1] != '\0' ? 2 : 1, len++) {
			int hi = hex_nibble(p[0], care != NULL);
			int lo = p[1] != '\0' ? hex_nibble(p[1], care != NULL) : hi;

			if (hi < 0 || lo < 0) {
				cfg_err(ps, &v[i], "%s: '%s' is not a hex string%s", what, v[i].s,
					care != NULL ? " (0-9, a-f, x for any)" : " (0-9, a-f)");
				free(d);
				free(m);
				return 0;
			}
			if (p[1] == '\0') /* an odd last digit is a byte of its own */
				hi = 0;
			d[len] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
			m[len] = (uint8_t)((hi == 16 ? 0 : 0xf0) | (lo == 16 ? 0 : 0x0f));
		}
	}
	if (len == 0 || len > UDP_MAX_LEN) {
		cfg_err(ps, v, "%s: %zu bytes; 1 to %u are possible", what, len, UDP_MAX_LEN);
		free(d);
		free(m);
		return 0;
	}
	*data = d;
	if (care != NULL)
		*care = m;
	else
		free(m);
	return len;
}

/* ------------------------------------------------------------------ UDP_CHECK */

static void udp_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_checker *c = obj;

	(void)seen;
	if (c->min_reply_len > c->max_reply_len)
		cfg_err(ps, kw, "UDP_CHECK: min_reply_length %u is above max_reply_length %u",
			c->min_reply_len, c->max_reply_len);
}

static void *udp_payload(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	uint8_t *d = NULL;
	size_t len = hex_read(ps, &st->v[1], st->n - 1, "payload", &d, NULL);

	if (len == 0)
		return NULL;
	free(c->payload);
	c->payload = d;
	c->payload_len = len;
	return NULL;
}

static void *udp_require_reply(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	uint8_t *d = NULL, *m = NULL;
	size_t len;

	c->require_reply = true;
	if (st->n < 2)
		return NULL;
	len = hex_read(ps, &st->v[1], st->n - 1, "require_reply", &d, &m);
	if (len == 0)
		return NULL;
	free(c->reply);
	free(c->reply_care);
	c->reply = d;
	c->reply_care = m;
	c->reply_len = len;
	return NULL;
}

static void *udp_reply_length(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	const char *kw = cfg_kw_name(st);

	cfg_arg_uint(ps, &st->v[1], kw, 0, UINT16_MAX,
		     strcmp(kw, "min_reply_length") == 0 ? &c->min_reply_len : &c->max_reply_len);
	return NULL;
}

/* ------------------------------------------------------------------ DNS_CHECK */

static const struct {
	const char *name;
	uint16_t type;
} dns_types[] = {
	{ "A", 1 },   { "NS", 2 },   { "CNAME", 5 }, { "SOA", 6 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 },
};

static void *dns_type(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++) {
		if (strcasecmp(st->v[1].s, dns_types[i].name) == 0) {
			c->dns_type = dns_types[i].type;
			return NULL;
		}
	}
	cfg_err(ps, &st->v[1],
		"type: '%s' is not a DNS_CHECK type (A, NS, CNAME, SOA, MX, TXT, "
		"AAAA)",
		st->v[1].s);
	return NULL;
}

/* A name that can go into a query: labels of 1..63 characters, printable
 * and without blanks, 253 characters at most; "." is the root. */
static bool dns_name_ok(struct cfg_parser *ps, const struct cfg_tok *t)
{
	const char *s = t->s;
	size_t len = strlen(s), label = 0;

	if (strcmp(s, ".") == 0)
		return true;
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX) {
		cfg_err(ps, t, "name: '%s' is not a DNS name (1 to %u characters)", s,
			DNS_NAME_MAX);
		return false;
	}
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > DNS_LABEL_MAX) {
				cfg_err(ps, t,
					"name: '%s' has an empty label or one longer than %u", s,
					DNS_LABEL_MAX);
				return false;
			}
			label = 0;
		} else if (!isgraph((unsigned char)s[i])) {
			cfg_err(ps, t, "name: '%s' holds a blank or a control character", s);
			return false;
		} else {
			label++;
		}
	}
	return true;
}

static void *dns_name(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	if (dns_name_ok(ps, &st->v[1]))
		cfg_set_str(ps, &c->dns_name, &st->v[1]);
	return NULL;
}

/* ----------------------------------------------------------------- SMTP_CHECK */

/* Whether connection settings were written in c itself. */
static bool smtp_has_connection(const struct cfg_checker *c)
{
	return c->has_connect_ip || c->connect_port != 0 || c->has_bindto || c->bind_port != 0 ||
	       c->connect_timeout_ms != CFG_UNSET;
}

static void *smtp_helo(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	const char *s = st->v[1].s;

	for (const char *p = s; *p != '\0'; p++) {
		if (!isgraph((unsigned char)*p)) {
			cfg_err(ps, &st->v[1],
				"helo_name: '%s' holds a blank or a control character", s);
			return NULL;
		}
	}
	if (*s == '\0') {
		cfg_err(ps, &st->v[1], "helo_name: empty");
		return NULL;
	}
	cfg_set_str(ps, &c->helo_name, &st->v[1]);
	return NULL;
}

/* host { }: a checker of its own, starting from the connection settings
 * written so far in the SMTP_CHECK. */
static void *smtp_host_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	struct cfg_checker *h;

	cfg_warn(ps, st->v,
		 "the SMTP_CHECK host block is deprecated (keepalived says so too): "
		 "each host is a checker of its own, write SMTP_CHECKs instead");
	h = CFG_GROW(ps, st->v, c->hosts, c->n_hosts);
	if (h == NULL)
		return NULL;
	h->type = CFG_CHECK_SMTP;
	h->has_connect_ip = c->has_connect_ip;
	h->connect_ip = c->connect_ip;
	h->connect_port = c->connect_port;
	h->has_bindto = c->has_bindto;
	h->bindto = c->bindto;
	h->bind_port = c->bind_port;
	h->connect_timeout_ms = c->connect_timeout_ms;
	h->retry = CFG_UNSET;
	h->delay_before_retry_ms = CFG_UNSET;
	h->delay_loop_ms = CFG_UNSET;
	h->loc = cfg_tok_loc(ps, st->v);
	return h;
}

/* Timings written in a host are the SMTP_CHECK's (keepalived keeps one
 * checker's while it reads the hosts). */
static void smtp_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_checker *c = obj;

	(void)ps;
	(void)kw;
	(void)seen;
	for (size_t i = 0; i < c->n_hosts; i++) {
		const struct cfg_checker *h = &c->hosts[i];

		if (h->retry != CFG_UNSET)
			c->retry = h->retry;
		if (h->delay_before_retry_ms != CFG_UNSET)
			c->delay_before_retry_ms = h->delay_before_retry_ms;
		if (h->delay_loop_ms != CFG_UNSET)
			c->delay_loop_ms = h->delay_loop_ms;
	}
}

/* A host as a checker: the SMTP_CHECK's settings, the host's connection. */
static int smtp_host_checker(struct cfg_checker *dst, const struct cfg_checker *c,
			     const struct cfg_checker *h)
{
	*dst = *h;
	dst->retry = c->retry;
	dst->delay_before_retry_ms = c->delay_before_retry_ms;
	dst->delay_loop_ms = c->delay_loop_ms;
	dst->helo_name = c->helo_name != NULL ? strdup(c->helo_name) : NULL;
	return c->helo_name != NULL && dst->helo_name == NULL ? -1 : 0;
}

void cfg_smtp_expand(struct cfg_parser *ps, struct cfg_real_server *rs)
{
	size_t n = 0, j = 0;
	struct cfg_checker *v;

	for (size_t i = 0; i < rs->n_checkers; i++)
		n += rs->checkers[i].n_hosts == 0 || smtp_has_connection(&rs->checkers[i])
			 ? 1 + rs->checkers[i].n_hosts
			 : rs->checkers[i].n_hosts;
	if (n == rs->n_checkers)
		return;
	v = calloc(n, sizeof(*v));
	if (v == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, &rs->loc, "out of memory");
		return;
	}
	for (size_t i = 0; i < rs->n_checkers; i++) {
		struct cfg_checker *c = &rs->checkers[i];
		struct cfg_checker *hosts = c->hosts;
		size_t n_hosts = c->n_hosts;
		bool keep = n_hosts == 0 || smtp_has_connection(c);

		for (size_t h = 0; h < n_hosts; h++)
			if (smtp_host_checker(&v[j + keep + h], c, &hosts[h]) != 0)
				cfg_diag_add(ps->d, CFG_ERROR, &hosts[h].loc, "out of memory");
		c->hosts = NULL;
		c->n_hosts = 0;
		if (keep)
			v[j] = *c;
		else
			cfg_checker_free(c);
		free(hosts); /* their strings went to the new checkers */
		j += keep + n_hosts;
	}
	free(rs->checkers);
	rs->checkers = v;
	rs->n_checkers = n;
}

/* ----------------------------------------------------------------- FILE_CHECK */

static void file_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_checker *c = obj;
	const struct cfg_track_file *tf;

	if (!cfg_saw(&cfg_file_block, seen, "track_file")) {
		cfg_err(ps, kw, "FILE_CHECK has no track_file");
		return;
	}
	if (c->track_file >= ps->k->n_track_files || cfg_saw(&cfg_file_block, seen, "weight"))
		return;
	tf = &ps->k->track_files[c->track_file];
	c->file_weight = tf->weight;
	c->file_reverse = tf->reverse;
}

/* keepalived looks the name up as it reads it: the track_file block must
 * come first. */
static void *file_track(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;
	const struct cfg_keepalived *k = ps->k;

	for (size_t i = 0; i < k->n_track_files; i++) {
		if (strcmp(k->track_files[i].name, st->v[1].s) == 0) {
			c->track_file = i;
			return NULL;
		}
	}
	c->track_file = SIZE_MAX;
	cfg_err(ps, &st->v[1], "track_file %s not found (it must be defined before)", st->v[1].s);
	return NULL;
}

static void *file_weight(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_checker *c = obj;

	cfg_arg_int(ps, &st->v[1], cfg_kw_name(st), -2147483647L, 2147483647L, &c->file_weight);
	c->file_reverse = false;
	if (st->n > 2) {
		if (strcmp(st->v[2].s, "reverse") == 0)
			c->file_reverse = true;
		else if (strcmp(st->v[2].s, "noreverse") != 0)
			cfg_err(ps, &st->v[2], "weight: unknown option '%s' (reverse)", st->v[2].s);
	}
	return NULL;
}

/* ---------------------------------------------------------------------- tables */

#define NO_PORT "ICMP has no ports (keepalived ignores it on PING_CHECK too)"

static const struct cfg_kw ping_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_KW_NOOP("connect_port", NO_PORT),
	CFG_KW_NOOP("bind_port", NO_PORT),
	CFG_KW_END,
};

const struct cfg_block cfg_ping_block = { "PING_CHECK", ping_kw, NULL };

static const struct cfg_kw udp_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	{ "payload", 1, CFG_ARGS_ANY, udp_payload, NULL, NULL },
	{ "require_reply", 0, CFG_ARGS_ANY, udp_require_reply, NULL, NULL },
	{ "min_reply_length", 1, 1, udp_reply_length, NULL, NULL },
	{ "max_reply_length", 1, 1, udp_reply_length, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_udp_block = { "UDP_CHECK", udp_kw, udp_end };

static const struct cfg_kw dns_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	{ "type", 1, 1, dns_type, NULL, NULL },
	{ "name", 1, 1, dns_name, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_dns_block = { "DNS_CHECK", dns_kw, NULL };

static const struct cfg_kw host_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	CFG_KW_END,
};

static const struct cfg_block host_block = { "host", host_kw, NULL };

static const struct cfg_kw smtp_kw[] = {
	CFG_CHECK_COMMON_KW,
	CFG_CHECK_ADDR_KW,
	CFG_CHECK_PORT_KW,
	{ "helo_name", 1, 1, smtp_helo, NULL, NULL },
	{ "host", 0, 0, smtp_host_open, &host_block, NULL, 0,
	  "deprecated in keepalived too: each host is a checker of its own" },
	CFG_KW_END,
};

const struct cfg_block cfg_smtp_block = { "SMTP_CHECK", smtp_kw, smtp_end };

static const struct cfg_kw file_kw[] = {
	{ "track_file", 1, 1, file_track, NULL, NULL },
	{ "weight", 1, 2, file_weight, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_file_block = { "FILE_CHECK", file_kw, file_end };
