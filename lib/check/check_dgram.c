/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP_CHECK and DNS_CHECK: one datagram to the target from a connected UDP
 * socket with IP_RECVERR, then the answer, as keepalived's check_udp.c and
 * check_dns.c:
 * - an ICMP error about the datagram (port, host or network unreachable)
 *   fails the attempt as soon as it arrives;
 * - UDP_CHECK without require_reply passes on any reply, and when
 *   connect_timeout passes without an ICMP error; with require_reply, the
 *   reply must come, its length lie in min_reply_length..max_reply_length
 *   and its bytes match the require_reply pattern (keepalived's man page;
 *   its code checks the length only with a pattern);
 * - DNS_CHECK waits for the datagram with its query's id and judges its
 *   RCODE (check_dns.c); other datagrams are skipped.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "check_int.h"

const char *check_udp_reply_mismatch(const uint8_t *data, size_t len, const uint8_t *want,
				     const uint8_t *care, size_t want_len, unsigned int min,
				     unsigned int max)
{
	size_t n = len < want_len ? len : want_len;

	if (len < min)
		return "reply shorter than min_reply_length";
	if (len > max)
		return "reply longer than max_reply_length";
	for (size_t i = 0; i < n; i++)
		if ((data[i] ^ want[i]) & (care != NULL ? care[i] : 0xff))
			return "reply does not match require_reply";
	return NULL;
}

/* What an ICMP error on a UDP socket means, in ICMP's words. */
static const char *dgram_error_str(int err, char *buf, size_t len)
{
	switch (err) {
	case ECONNREFUSED:
		return "ICMP port unreachable";
	case EHOSTUNREACH:
		return "ICMP host unreachable";
	case ENETUNREACH:
		return "ICMP network unreachable";
	default:
		return check_errno_str(err, buf, len);
	}
}

static void udp_judge(struct check *c, const uint8_t *data, size_t len)
{
	const struct check_def *d = &c->def;
	const char *why;

	if (!d->require_reply) {
		check_attempt_done(c, CHECK_PASS, "ok", "reply of %zu bytes", len);
		return;
	}
	why = check_udp_reply_mismatch(data, len, d->reply, d->reply_care, d->reply_len,
				       d->min_reply_len, d->max_reply_len);
	if (why != NULL)
		check_attempt_done(c, CHECK_FAIL, why, "%s (%zu bytes)", why, len);
	else
		check_attempt_done(c, CHECK_PASS, "ok", "reply of %zu bytes matches", len);
}

/* Returns true when the datagram ended the attempt. */
static bool dns_judge(struct check *c, const uint8_t *data, size_t len)
{
	int rcode = 0;
	char name[32];

	switch (check_dns_reply(data, len, c->seq, &rcode)) {
	case CHECK_DNS_OK:
		check_attempt_done(c, CHECK_PASS, "ok", "answer NOERROR");
		return true;
	case CHECK_DNS_ERROR:
		check_dns_rcode_str(rcode, name, sizeof(name));
		check_attempt_done(c, CHECK_FAIL, name, "answer %s", name);
		return true;
	default:
		return false;
	}
}

static void dgram_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	char msg[96];
	const char *why;
	ssize_t n;

	(void)loop;
	(void)revents;
	for (;;) {
		n = recv(c->fd, c->e->dgram_buf, CHECK_DGRAM_BUF, MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			why = dgram_error_str(errno, msg, sizeof(msg));
			check_attempt_done(c, CHECK_FAIL, why, NULL);
			return;
		}
		if (n > CHECK_DGRAM_BUF)
			n = CHECK_DGRAM_BUF + 1; /* too long for any max_reply_length */
		if (c->def.type == CFG_CHECK_UDP) {
			udp_judge(c, c->e->dgram_buf, (size_t)n);
			return;
		}
		if (dns_judge(c, c->e->dgram_buf, (size_t)n))
			return;
	}
}

void check_dgram_start(struct check *c)
{
	uint8_t query[CHECK_DNS_QUERY_MAX];
	const void *msg = CHECK_UDP_DEFAULT_PAYLOAD;
	size_t len = strlen(CHECK_UDP_DEFAULT_PAYLOAD);
	int one = 1, n;

	if (check_socket(c, SOCK_DGRAM, IPPROTO_UDP, true) < 0)
		return;
	setsockopt(c->fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	if (c->def.type == CFG_CHECK_DNS) {
		c->seq = (uint16_t)check_rand(c->e);
		n = check_dns_query(query, sizeof(query), c->seq, c->def.dns_type, c->def.dns_name);
		if (n < 0) { /* halb -t refuses such a name */
			check_attempt_done(c, CHECK_LOCAL_ERROR, "bad name", "no query for '%s'",
					   c->def.dns_name != NULL ? c->def.dns_name : ".");
			return;
		}
		msg = query;
		len = (size_t)n;
	} else if (c->def.payload != NULL) {
		msg = c->def.payload;
		len = c->def.payload_len;
	}
	if (check_connect(c) != 0) {
		check_net_failed(c, errno, "connect");
		return;
	}
	if (send(c->fd, msg, len, 0) != (ssize_t)len) {
		check_net_failed(c, errno, "send");
		return;
	}
	c->phase = CHECK_WAITING;
	ev_io_init(&c->io, dgram_io_cb, c->fd, EV_READ);
	c->io.data = c;
	ev_io_start(c->e->loop, &c->io);
}

void check_udp_deadline(struct check *c)
{
	check_attempt_done(c, CHECK_PASS, "ok", "no ICMP error within %u ms",
			   c->def.connect_timeout_ms);
}
