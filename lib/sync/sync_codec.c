/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPVS sync codec (see halb_sync.h). The decoder follows the kernel's
 * receiver (ip_vs_process_message, ip_vs_proc_sync_conn) check for check,
 * so that a message halb accepts is one the kernel would, and what it
 * refuses it refuses for the same reason: a malformed connection drops
 * the rest of its message, an unknown protocol or option drops only that
 * connection.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "halb_sync.h"

#define OPT_SEQ_DATA 1
#define OPT_PE_DATA  2
#define OPT_PE_NAME  3
#define OPT_F_PARAM  (1 << (7 - 1)) /* an option the receiver may skip */
#define OPT_SEQ_LEN  24             /* two struct ip_vs_seq */
#define TCP_STATES   11             /* IP_VS_TCP_S_LAST */
#define UDP_STATES   1              /* IP_VS_UDP_S_LAST */

static const char *const error_names[SYNC_E_COUNT] = {
	[SYNC_OK] = "ok",           [SYNC_E_SHORT] = "short", [SYNC_E_SIZE] = "size",
	[SYNC_E_SYNCID] = "syncid", [SYNC_E_CONN] = "conn",   [SYNC_E_VERSION] = "version",
};

const char *sync_error_name(enum sync_error e)
{
	return e < SYNC_E_COUNT ? error_names[e] : "?";
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* ------------------------------------------------------------- writing */

void sync_writer_init(struct sync_writer *w, uint8_t *buf, size_t cap, uint8_t syncid)
{
	w->buf = buf;
	w->cap = cap > 0xffff ? 0xffff : cap;
	w->len = SYNC_HDR_LEN;
	w->n = 0;
	memset(buf, 0, SYNC_HDR_LEN);
	buf[1] = syncid;
	buf[5] = 1; /* version */
}

bool sync_writer_add(struct sync_writer *w, const struct sync_conn *c)
{
	const size_t alen = c->af == 6 ? 16 : 4;
	const size_t len = c->af == 6 ? SYNC_CONN_V6_LEN : SYNC_CONN_V4_LEN;
	uint8_t *p = w->buf + w->len;

	if (w->n == SYNC_MAX_CONNS || w->len + len > w->cap)
		return false;
	p[0] = c->af == 6 ? 1 : 0;
	p[1] = c->proto;
	put16(p + 2, (uint16_t)len); /* version 0 of the connection format */
	put32(p + 4, c->flags & ~(uint32_t)SYNC_F_HASHED);
	put16(p + 8, c->state);
	memcpy(p + 10, &c->cport, 2);
	memcpy(p + 12, &c->vport, 2);
	memcpy(p + 14, &c->dport, 2);
	put32(p + 16, c->fwmark);
	put32(p + 20, c->timeout);
	memcpy(p + 24, c->caddr, alen);
	memcpy(p + 24 + alen, c->vaddr, alen);
	memcpy(p + 24 + 2 * alen, c->daddr, alen);
	w->len += len;
	w->n++;
	return true;
}

size_t sync_writer_finish(struct sync_writer *w)
{
	put16(w->buf + 2, (uint16_t)w->len);
	w->buf[4] = (uint8_t)w->n;
	return w->len;
}

size_t sync_write_request(uint8_t *buf, uint8_t syncid)
{
	memset(buf, 0, SYNC_HDR_LEN);
	buf[1] = syncid;
	put16(buf + 2, SYNC_HDR_LEN);
	buf[5] = SYNC_HALB_REQUEST;
	return SYNC_HDR_LEN;
}

/* ------------------------------------------------------------ reading */

/* Whether a connection of this protocol, flags and state can be taken:
 * the kernel skips unknown protocols and out-of-range states, but takes
 * any template state. */
static bool conn_usable(uint8_t proto, uint32_t flags, uint16_t state)
{
	if (flags & SYNC_F_TEMPLATE)
		return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
	if (proto == IPPROTO_TCP)
		return state < TCP_STATES;
	if (proto == IPPROTO_UDP)
		return state < UDP_STATES;
	return false;
}

/*
 * One version 1 connection in [p, end). @return 0 when decoded into c,
 * 1 when it is to be skipped, -1 when the message is malformed.
 */
static int conn_v1(const uint8_t *p, const uint8_t *end, struct sync_conn *c)
{
	const uint8_t type = p[0];
	size_t alen, base;
	bool pe = false;

	if (type & 1) {
		alen = 16;
		base = SYNC_CONN_V6_LEN;
	} else if (type == 0) {
		alen = 4;
		base = SYNC_CONN_V4_LEN;
	} else {
		return -1;
	}
	if (p + base > end)
		return -1;
	memset(c, 0, sizeof(*c));
	c->af = alen == 16 ? 6 : 4;
	c->proto = p[1];
	c->flags = (get32(p + 4) & SYNC_F_BACKUP_MASK) | SYNC_F_SYNC;
	c->state = get16(p + 8);
	memcpy(&c->cport, p + 10, 2);
	memcpy(&c->vport, p + 12, 2);
	memcpy(&c->dport, p + 14, 2);
	c->fwmark = get32(p + 16);
	c->timeout = get32(p + 20);
	memcpy(c->caddr, p + 24, alen);
	memcpy(c->vaddr, p + 24 + alen, alen);
	memcpy(c->daddr, p + 24 + 2 * alen, alen);
	/* The optional parameters: each one a type and a length. */
	for (p += base; p < end;) {
		uint8_t ptype, plen;

		if (p + 2 > end)
			return -1;
		ptype = p[0];
		plen = p[1];
		p += 2;
		if (plen == 0 || p + plen > end)
			return -1;
		switch (ptype & ~OPT_F_PARAM) {
		case OPT_SEQ_DATA:
			if (plen != OPT_SEQ_LEN)
				return -1;
			break;
		case OPT_PE_DATA:
		case OPT_PE_NAME:
			pe = true; /* a persistence engine (SIP): halb has none */
			break;
		default:
			if (!(ptype & OPT_F_PARAM))
				return 1; /* mandatory and unknown */
		}
		p += plen;
	}
	if (pe || !conn_usable(c->proto, c->flags, c->state))
		return 1;
	return 0;
}

static enum sync_error decode_v1(const uint8_t *buf, size_t len, struct sync_msg *msg,
				 struct sync_conn *out, unsigned int max)
{
	const uint8_t *p = buf + SYNC_HDR_LEN, *end = buf + len;

	for (unsigned int i = 0; i < buf[4]; i++) {
		size_t size;
		int rc;

		if (p + SYNC_CONN_V4_LEN > end)
			return SYNC_E_CONN;
		size = get16(p + 2) & 0x0fff;
		if (get16(p + 2) >> 12)
			return SYNC_E_VERSION;
		if (p + size > end || size < SYNC_CONN_V4_LEN)
			return SYNC_E_CONN;
		if (msg->n < max) {
			rc = conn_v1(p, p + size, &out[msg->n]);
		} else {
			struct sync_conn scratch;

			rc = conn_v1(p, p + size, &scratch);
			if (rc == 0)
				rc = 1; /* no room in out */
		}
		if (rc < 0)
			return SYNC_E_CONN;
		if (rc == 0)
			msg->n++;
		else
			msg->skipped++;
		p += (size + 3) & ~(size_t)3;
	}
	return SYNC_OK;
}

static enum sync_error decode_v0(const uint8_t *buf, size_t len, struct sync_msg *msg,
				 struct sync_conn *out, unsigned int max)
{
	const uint8_t *p = buf + SYNC_HDR0_LEN, *end = buf + len;

	for (unsigned int i = 0; i < buf[0]; i++) {
		struct sync_conn c = { .af = 4 };
		uint16_t flags;

		if (p + SYNC_CONN_V0_LEN > end)
			return SYNC_E_CONN;
		c.proto = p[1];
		memcpy(&c.cport, p + 2, 2);
		memcpy(&c.vport, p + 4, 2);
		memcpy(&c.dport, p + 6, 2);
		memcpy(c.caddr, p + 8, 4);
		memcpy(c.vaddr, p + 12, 4);
		memcpy(c.daddr, p + 16, 4);
		flags = get16(p + 20);
		/* the flags a backup takes, as in version 1 */
		c.flags = ((uint32_t)flags & SYNC_F_BACKUP_MASK) | SYNC_F_SYNC;
		c.state = get16(p + 22);
		p += SYNC_CONN_V0_LEN;
		if (flags & SYNC_F_SEQ_MASK) {
			p += OPT_SEQ_LEN;
			if (p > end)
				return SYNC_E_CONN;
		}
		if (!conn_usable(c.proto, c.flags, c.state) || msg->n >= max) {
			msg->skipped++;
			continue;
		}
		out[msg->n++] = c;
	}
	return SYNC_OK;
}

enum sync_error sync_decode(const uint8_t *buf, size_t len, uint8_t want_syncid,
			    struct sync_msg *msg, struct sync_conn *out, unsigned int max)
{
	memset(msg, 0, sizeof(*msg));
	if (len < SYNC_HDR0_LEN)
		return SYNC_E_SHORT;
	if (get16(buf + 2) != len)
		return SYNC_E_SIZE;
	msg->syncid = buf[1];
	if (want_syncid != 0 && msg->syncid != want_syncid)
		return SYNC_E_SYNCID;
	if (len >= SYNC_HDR_LEN && buf[0] == 0 && get16(buf + 6) == 0) {
		if (buf[5] == 1) {
			msg->version = 1;
			return decode_v1(buf, len, msg, out, max);
		}
		if (buf[5] == SYNC_HALB_REQUEST && buf[4] == 0 && len == SYNC_HDR_LEN) {
			msg->request = true;
			return SYNC_OK;
		}
	}
	return decode_v0(buf, len, msg, out, max);
}
