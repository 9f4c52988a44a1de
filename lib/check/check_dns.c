/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS_CHECK's messages, pure: the query keepalived sends (check_dns.c
 * dns_make_query: a random id, recursion desired, one question of the
 * configured type, class IN) and its judgement of a datagram (dns_recv_thread):
 * shorter than a header, another id or not a response is not the answer
 * (keep waiting); the answer passes with RCODE NOERROR and fails with any
 * other. The answer's records are not looked at, as in keepalived.
 */
#include <stdio.h>
#include <string.h>

#include "halb_check.h"

#define DNS_HEADER   12
#define DNS_FLAG_QR  0x8000
#define DNS_FLAG_RD  0x0100
#define DNS_CLASS_IN 1

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

/* name in wire form at p (room for len bytes): labels, then the root. */
static int dns_put_name(uint8_t *p, size_t len, const char *name)
{
	size_t n = 0;

	if (name != NULL && strcmp(name, ".") != 0) {
		while (*name != '\0') {
			const char *dot = strchr(name, '.');
			size_t label = dot != NULL ? (size_t)(dot - name) : strlen(name);

			if (label == 0 || label > 63 || n + 1 + label + 1 > len || n + label > 253)
				return -1;
			p[n++] = (uint8_t)label;
			memcpy(p + n, name, label);
			n += label;
			name += label;
			if (*name == '.')
				name++;
		}
	}
	if (n + 1 > len)
		return -1;
	p[n++] = 0;
	return (int)n;
}

int check_dns_query(uint8_t *buf, size_t len, uint16_t id, uint16_t type, const char *name)
{
	uint8_t *p = buf;
	int n;

	if (len < DNS_HEADER + 1 + 4)
		return -1;
	memset(buf, 0, DNS_HEADER);
	p = put16(p, id);
	p = put16(p, DNS_FLAG_RD);
	p = put16(p, 1); /* one question */
	p += 6;          /* no answer, authority or additional record */
	n = dns_put_name(p, len - DNS_HEADER - 4, name);
	if (n < 0)
		return -1;
	p = put16(p + n, type);
	p = put16(p, DNS_CLASS_IN);
	return (int)(p - buf);
}

enum check_dns_verdict check_dns_reply(const uint8_t *buf, size_t len, uint16_t id, int *rcode)
{
	uint16_t flags;

	if (len < DNS_HEADER || ((uint16_t)(buf[0] << 8) | buf[1]) != id)
		return CHECK_DNS_IGNORE;
	flags = (uint16_t)(buf[2] << 8 | buf[3]);
	if (!(flags & DNS_FLAG_QR))
		return CHECK_DNS_IGNORE;
	*rcode = flags & 15;
	return *rcode == 0 ? CHECK_DNS_OK : CHECK_DNS_ERROR;
}

const char *check_dns_rcode_str(int rcode, char *buf, size_t len)
{
	static const char *const names[] = { "NOERROR",  "FORMERR", "SERVFAIL",
					     "NXDOMAIN", "NOTIMP",  "REFUSED" };

	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		snprintf(buf, len, "%s", names[rcode]);
	else
		snprintf(buf, len, "RCODE %d", rcode);
	return buf;
}
