/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading values: numbers, keepalived's seconds (with fractions where
 * keepalived takes them), IPv4 and IPv6 addresses and prefixes, ports, booleans,
 * interface names. The cfg_parse_* functions are pure text parsers that the
 * dataplane file uses too; the cfg_arg_* functions read one argument token
 * and report what is wrong with it at the token's FILE:LINE, naming the
 * keyword it belongs to. Also the small allocation helpers every keyword
 * handler uses.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

bool cfg_parse_ulong(const char *s, unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned int digit = (unsigned char)*s - '0';

		if (digit > 9 || v > (ULONG_MAX - digit) / 10)
			return false;
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}

static bool parse_long(const char *s, long *out)
{
	unsigned long mag;
	bool neg = *s == '-';

	if (!cfg_parse_ulong(neg ? s + 1 : s, &mag) || mag > (unsigned long)LONG_MAX)
		return false;
	*out = neg ? -(long)mag : (long)mag;
	return true;
}

bool cfg_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

const char *cfg_ipv4_str(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

uint32_t cfg_plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : UINT32_MAX << (32 - plen);
}

/* --------------------------------------------------------------- addresses */

struct cfg_addr cfg_addr6(const uint8_t b[16])
{
	struct cfg_addr r = { .af = 6 };

	memcpy(r.v6, b, 16);
	return r;
}

bool cfg_parse_addr(const char *s, struct cfg_addr *out)
{
	struct in6_addr a6;

	if (cfg_parse_ipv4(s, &out->v4)) {
		out->af = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, &a6) != 1 || IN6_IS_ADDR_V4MAPPED(&a6))
		return false;
	*out = cfg_addr6(a6.s6_addr);
	return true;
}

bool cfg_addr_eq(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return cfg_addr_cmp(a, b) == 0;
}

int cfg_addr_cmp(const struct cfg_addr *a, const struct cfg_addr *b)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	if (a->af == 6)
		return memcmp(a->v6, b->v6, 16);
	if (a->af == 4 && a->v4 != b->v4)
		return a->v4 < b->v4 ? -1 : 1;
	return 0;
}

const char *cfg_addr_str(const struct cfg_addr *a, char buf[CFG_ADDR_STRLEN])
{
	if (a->af == 6)
		inet_ntop(AF_INET6, a->v6, buf, CFG_ADDR_STRLEN);
	else if (a->af == 4)
		cfg_ipv4_str(a->v4, buf);
	else
		snprintf(buf, CFG_ADDR_STRLEN, "-");
	return buf;
}

const char *cfg_addr_port_str(const struct cfg_addr *a, uint16_t port,
			      char buf[CFG_ADDR_STRLEN + 8])
{
	char s[CFG_ADDR_STRLEN];

	snprintf(buf, CFG_ADDR_STRLEN + 8, a->af == 6 ? "[%s]:%u" : "%s:%u", cfg_addr_str(a, s),
		 port);
	return buf;
}

bool cfg_addr_is_any(const struct cfg_addr *a)
{
	static const uint8_t zero[16];

	return a->af == 4 ? a->v4 == 0 : a->af != 6 || memcmp(a->v6, zero, 16) == 0;
}

bool cfg_addr_is_link_local(const struct cfg_addr *a)
{
	return a->af == 6 && a->v6[0] == 0xfe && (a->v6[1] & 0xc0) == 0x80;
}

bool cfg_addr_is_multicast(const struct cfg_addr *a)
{
	return a->af == 4 ? (a->v4 >> 28) == 0xe : a->af == 6 && a->v6[0] == 0xff;
}

struct cfg_addr cfg_addr_masked(const struct cfg_addr *a, uint8_t plen)
{
	struct cfg_addr r = *a;

	if (a->af == 4) {
		r.v4 &= cfg_plen_mask(plen > 32 ? 32 : plen);
		return r;
	}
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = plen > 8 * i ? plen - 8 * i : 0;

		if (keep < 8)
			r.v6[i] &= (uint8_t)(0xff00u >> keep);
	}
	return r;
}

bool cfg_prefix_has(const struct cfg_prefix *p, const struct cfg_addr *a)
{
	struct cfg_addr x = cfg_addr_masked(a, p->plen), y = cfg_addr_masked(&p->addr, p->plen);

	return a->af == p->addr.af && cfg_addr_eq(&x, &y);
}

bool cfg_parse_prefix(const char *s, struct cfg_prefix *out, bool need_len)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned long plen;
	size_t alen;

	if (slash == NULL && need_len)
		return false;
	alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(addr))
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (!cfg_parse_addr(addr, &out->addr))
		return false;
	plen = out->addr.af == 6 ? 128 : 32;
	if (slash != NULL) {
		unsigned long max = plen;

		if (!cfg_parse_ulong(slash + 1, &plen) || plen > max)
			return false;
	}
	out->plen = (uint8_t)plen;
	return true;
}

bool cfg_ifname_ok(const char *s)
{
	size_t len = strlen(s);

	/* Linux: 1..IFNAMSIZ-1 bytes, no '/', ':' is an alias, no blanks. */
	if (len == 0 || len > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == '\v' || *s == '\f' || *s == ':')
			return false;
	return true;
}

bool cfg_arg_uint(struct cfg_parser *ps, const struct cfg_tok *t, const char *what,
		  unsigned long min, unsigned long max, unsigned int *out)
{
	unsigned long v;

	if (!cfg_parse_ulong(t->s, &v)) {
		cfg_err(ps, t, "%s: '%s' is not a number", what, t->s);
		return false;
	}
	if (v < min || v > max) {
		cfg_err(ps, t, "%s %s is out of range (%lu..%lu)", what, t->s, min, max);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

bool cfg_arg_int(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, long min,
		 long max, int *out)
{
	long v;

	if (!parse_long(t->s, &v)) {
		cfg_err(ps, t, "%s: '%s' is not a number", what, t->s);
		return false;
	}
	if (v < min || v > max) {
		cfg_err(ps, t, "%s %s is out of range (%ld..%ld)", what, t->s, min, max);
		return false;
	}
	*out = (int)v;
	return true;
}

/* "S" or "S.FFF" seconds into milliseconds; false when malformed, finer
 * than a millisecond or too large. */
static bool parse_seconds_ms(const char *s, bool fraction, unsigned long *ms)
{
	const char *dot = strchr(s, '.');
	char whole[24];
	unsigned long sec, frac = 0;
	size_t wlen = dot != NULL ? (size_t)(dot - s) : strlen(s);

	if (wlen == 0 || wlen >= sizeof(whole))
		return false;
	memcpy(whole, s, wlen);
	whole[wlen] = '\0';
	if (!cfg_parse_ulong(whole, &sec) || sec > UINT32_MAX / 1000)
		return false;
	if (dot != NULL) {
		size_t flen = strlen(dot + 1);
		unsigned long f;

		if (!fraction || flen == 0 || !cfg_parse_ulong(dot + 1, &f))
			return false;
		/* Allow trailing zeros beyond milliseconds ("1.5000"). */
		while (flen > 3 && f % 10 == 0) {
			f /= 10;
			flen--;
		}
		if (flen > 3)
			return false;
		for (; flen < 3; flen++)
			f *= 10;
		frac = f;
	}
	*ms = sec * 1000 + frac;
	return true;
}

bool cfg_arg_ms(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool fraction,
		unsigned long min_ms, unsigned long max_ms, unsigned int *out)
{
	unsigned long ms;

	if (!parse_seconds_ms(t->s, fraction, &ms)) {
		if (fraction)
			cfg_err(ps, t, "%s: '%s' is not a number of seconds (at most 3 decimals)",
				what, t->s);
		else
			cfg_err(ps, t, "%s: '%s' is not a whole number of seconds", what, t->s);
		return false;
	}
	if (ms < min_ms || ms > max_ms) {
		if (fraction)
			cfg_err(ps, t, "%s %s is out of range (%lu.%03lu..%lu.%03lu seconds)", what,
				t->s, min_ms / 1000, min_ms % 1000, max_ms / 1000, max_ms % 1000);
		else
			cfg_err(ps, t, "%s %s is out of range (%lu..%lu seconds)", what, t->s,
				min_ms / 1000, max_ms / 1000);
		return false;
	}
	*out = (unsigned int)ms;
	return true;
}

bool cfg_arg_ipv4(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, uint32_t *out)
{
	struct cfg_addr a;

	if (cfg_parse_ipv4(t->s, out))
		return true;
	if (cfg_parse_addr(t->s, &a))
		cfg_err(ps, t, "%s: '%s': an IPv4 address is needed here", what, t->s);
	else
		cfg_err(ps, t, "%s: '%s' is not an IPv4 address", what, t->s);
	return false;
}

bool cfg_arg_addr(struct cfg_parser *ps, const struct cfg_tok *t, const char *what,
		  struct cfg_addr *out)
{
	struct in6_addr a6;

	if (cfg_parse_addr(t->s, out))
		return true;
	if (inet_pton(AF_INET6, t->s, &a6) == 1) /* the one IPv6 form refused */
		cfg_err(ps, t,
			"%s: '%s' is an IPv4-mapped IPv6 address, which never appears on the wire: "
			"write the IPv4 address",
			what, t->s);
	else
		cfg_err(ps, t, "%s: '%s' is not an IPv4 or IPv6 address", what, t->s);
	return false;
}

bool cfg_arg_port(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool allow_zero,
		  uint16_t *out)
{
	unsigned int v;

	if (!cfg_arg_uint(ps, t, what, allow_zero ? 0 : 1, 65535, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool cfg_arg_bool(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool *out)
{
	static const char *const yes[] = { "true", "on", "yes" };
	static const char *const no[] = { "false", "off", "no" };

	if (t == NULL) {
		*out = true;
		return true;
	}
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(t->s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(t->s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	cfg_err(ps, t, "%s: '%s' is not a boolean (true/on/yes, false/off/no)", what, t->s);
	return false;
}

bool cfg_arg_ifname(struct cfg_parser *ps, const struct cfg_tok *t, const char *what)
{
	if (cfg_ifname_ok(t->s))
		return true;
	cfg_err(ps, t,
		"%s: '%s' is not a valid interface name (1..15 bytes, no '/', ':' or blanks)", what,
		t->s);
	return false;
}

char *cfg_cmdline(struct cfg_parser *ps, const struct cfg_stmt *st)
{
	size_t len = 1;
	char *line, *o;

	for (size_t i = 1; i < st->n; i++)
		len += 4 * strlen(st->v[i].s) + 3;
	line = malloc(len);
	if (line == NULL) {
		cfg_err(ps, st->v, "out of memory");
		return NULL;
	}
	o = line;
	for (size_t i = 1; i < st->n; i++) {
		const char *w = st->v[i].s;

		if (i > 1)
			*o++ = ' ';
		if (i == 1 || !st->v[i].quoted) {
			o = stpcpy(o, w);
			continue;
		}
		*o++ = '\'';
		for (; *w != '\0'; w++)
			o = *w == '\'' ? stpcpy(o, "'\\''") : (*o = *w, o + 1);
		*o++ = '\'';
	}
	*o = '\0';
	return line;
}

char *cfg_strdup(struct cfg_parser *ps, const struct cfg_tok *t, const char *s)
{
	char *c = strdup(s);

	if (c == NULL)
		cfg_err(ps, t, "out of memory");
	return c;
}

void cfg_set_str(struct cfg_parser *ps, char **dst, const struct cfg_tok *t)
{
	char *c = cfg_strdup(ps, t, t->s);

	if (c == NULL)
		return;
	free(*dst);
	*dst = c;
}

void *cfg_grow(struct cfg_parser *ps, const struct cfg_tok *t, void *base, size_t n, size_t size)
{
	size_t cap;
	void *v;

	/* The capacity is 4 for 1..4 elements, then the next power of two. */
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return base;
	cap = n == 0 ? 4 : n * 2;
	if (cap > SIZE_MAX / size) {
		cfg_err(ps, t, "out of memory");
		return NULL;
	}
	v = realloc(base, cap * size);
	if (v == NULL)
		cfg_err(ps, t, "out of memory");
	return v;
}
