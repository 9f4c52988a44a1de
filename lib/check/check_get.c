/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP_GET and SSL_GET conversation once the TCP connection is up:
 * [TLS handshake] -> send keepalived's request -> read the response into the
 * reader -> judge it (status code, then digest) -> next url on a new
 * connection, or pass.
 *
 * Plain and TLS sockets differ only in the two I/O calls below. Every step
 * runs until the socket would block, then waits on the checker's one ev_io
 * for what the transport asked for; the engine's deadline bounds each url's
 * connection from connect to the complete response, so a server that
 * dribbles its answer fails like one that never answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_int.h"

#define CHECK_REQ_MAX  4096
#define CHECK_READ_BUF (16 * 1024)

static long get_plain_errno(int err, char *why, size_t whylen, bool reading)
{
	char msg[96];

	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR)
		return reading ? CHECK_IO_WANT_READ : CHECK_IO_WANT_WRITE;
	snprintf(why, whylen, "%s", check_errno_str(err, msg, sizeof(msg)));
	return CHECK_IO_ERROR;
}

static long get_read(struct check *c, void *buf, size_t len, char *why, size_t whylen)
{
	ssize_t n;

	if (c->ssl != NULL)
		return check_ssl_read(c, buf, len, why, whylen);
	n = recv(c->fd, buf, len, 0);
	return n >= 0 ? (long)n : get_plain_errno(errno, why, whylen, true);
}

static long get_write(struct check *c, const void *buf, size_t len, char *why, size_t whylen)
{
	ssize_t n;

	if (c->ssl != NULL)
		return check_ssl_write(c, buf, len, why, whylen);
	n = send(c->fd, buf, len, MSG_NOSIGNAL);
	return n >= 0 ? (long)n : get_plain_errno(errno, why, whylen, false);
}

/* Waits for the socket event the transport asked for. */
static void get_wait(struct check *c, long want)
{
	int events = want == CHECK_IO_WANT_WRITE ? EV_WRITE : EV_READ;

	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(c->e->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->e->loop, &c->io);
}

/* A complete response: judge it, then fetch the next url or pass. */
static void get_judge(struct check *c)
{
	const struct check_url *u = &c->def.urls[c->url];
	struct cfg_url accept;
	int status = check_http_reader_status(c->rd);
	const char *digest = check_http_reader_digest(c->rd);
	char res[64];

	memset(&accept, 0, sizeof(accept));
	memcpy(accept.status, u->status, sizeof(accept.status));
	if (!check_http_status_ok(&accept, status)) {
		snprintf(res, sizeof(res), "HTTP status %d", status);
		check_attempt_done(c, CHECK_FAIL, res, "HTTP status %d for %s", status, u->path);
		return;
	}
	if (u->has_digest && strcmp(digest, u->digest) != 0) {
		check_attempt_done(c, CHECK_FAIL, "digest mismatch",
				   "digest mismatch for %s: got %s, expected %s", u->path, digest,
				   u->digest);
		return;
	}
	if (c->url + 1 < c->def.n_urls) {
		/* keepalived fetches every url, each on its own connection. */
		check_net_stop(c);
		c->url++;
		check_deadline_start(c);
		check_tcp_start(c);
		return;
	}
	check_attempt_done(c, CHECK_PASS, "ok", "HTTP status %d%s", status,
			   u->has_digest ? ", digest ok" : "");
}

static void get_reader_failed(struct check *c)
{
	const char *err = check_http_reader_error(c->rd);

	check_attempt_done(c, CHECK_FAIL, err, "%s for %s", err, c->def.urls[c->url].path);
}

static void get_receive(struct check *c)
{
	char buf[CHECK_READ_BUF], why[128];

	for (;;) {
		enum check_http_state st;
		long n = get_read(c, buf, sizeof(buf), why, sizeof(why));

		if (n < 0 && n != CHECK_IO_ERROR) {
			get_wait(c, n);
			return;
		}
		if (n == CHECK_IO_ERROR) {
			check_attempt_done(c, CHECK_FAIL, why, NULL);
			return;
		}
		st = n == 0 ? check_http_reader_eof(c->rd)
			    : check_http_reader_feed(c->rd, buf, (size_t)n);
		if (st == CHECK_HTTP_COMPLETE) {
			get_judge(c);
			return;
		}
		if (st == CHECK_HTTP_ERROR) {
			get_reader_failed(c);
			return;
		}
	}
}

static void get_send(struct check *c)
{
	char why[128];

	while (c->req_off < c->req_len) {
		long n =
		    get_write(c, c->req + c->req_off, c->req_len - c->req_off, why, sizeof(why));

		if (n == CHECK_IO_ERROR) {
			check_attempt_done(c, CHECK_FAIL, why, "sending the request: %s", why);
			return;
		}
		if (n < 0) {
			get_wait(c, n);
			return;
		}
		c->req_off += (size_t)n;
	}
	c->phase = CHECK_RECEIVING;
	get_receive(c);
}

static void get_handshake(struct check *c)
{
	char why[128];
	int r = check_ssl_handshake(c, why, sizeof(why));

	if (r == CHECK_IO_ERROR) {
		check_attempt_done(c, CHECK_FAIL, "TLS handshake failed", "%s", why);
		return;
	}
	if (r < 0) {
		get_wait(c, r);
		return;
	}
	c->phase = CHECK_SENDING;
	get_send(c);
}

void check_get_io(struct check *c, int revents)
{
	(void)revents;
	switch (c->phase) {
	case CHECK_HANDSHAKE:
		get_handshake(c);
		break;
	case CHECK_SENDING:
		get_send(c);
		break;
	case CHECK_RECEIVING:
		get_receive(c);
		break;
	default:
		break;
	}
}

void check_get_connected(struct check *c)
{
	const struct check_url *u = &c->def.urls[c->url];
	char why[128];
	int n;

	c->rd = check_http_reader_new(0, 0);
	c->req = malloc(CHECK_REQ_MAX);
	if (c->rd == NULL || c->req == NULL) {
		check_attempt_done(c, CHECK_LOCAL_ERROR, "out of memory", NULL);
		return;
	}
	n = check_http_request(c->req, CHECK_REQ_MAX, u->path, u->host, &c->def.ip, c->def.port);
	if (n < 0) {
		check_attempt_done(c, CHECK_LOCAL_ERROR, "bad url",
				   "url path '%s' or virtualhost cannot be sent", u->path);
		return;
	}
	c->req_len = (size_t)n;
	c->req_off = 0;
	if (c->def.type != CFG_CHECK_SSL) {
		c->phase = CHECK_SENDING;
		get_send(c);
		return;
	}
	if (check_ssl_begin(c, why, sizeof(why)) != 0) {
		check_attempt_done(c, CHECK_LOCAL_ERROR, why, NULL);
		return;
	}
	c->phase = CHECK_HANDSHAKE;
	get_handshake(c);
}
