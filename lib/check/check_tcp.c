/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets for the network checkers (check_socket: non-blocking, of the
 * target's family, IPv4 or IPv6, bound as bindto and bind_port ask),
 * non-blocking TCP connections, and TCP_CHECK
 * itself (connected = up, as keepalived's tcp_check_thread). HTTP_GET,
 * SSL_GET and SMTP_CHECK go on from the connected socket.
 *
 * The socket is created SOCK_NONBLOCK, bound when bindto/bind_port ask for
 * it, and connect() either completes at once, fails at once (a loopback
 * refusal does) or reports EINPROGRESS; then writability says it is done and
 * SO_ERROR says how. One ev_io per checker serves the whole conversation: in
 * CHECK_CONNECTING it is ours, later check_get.c drives it.
 *
 * Errors on our side (no descriptor left, bind refused, no ephemeral port)
 * are local errors: they say nothing about the real server, so they do not
 * count as failed attempts (keepalived "Rescheduling" likewise).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_int.h"

/* The socket address of ip:port (IPv4 or IPv6); *len its size. */
static struct sockaddr_storage check_sockaddr(const struct cfg_addr *ip, uint16_t port,
					      socklen_t *len)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (ip->af == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(s6->sin6_addr.s6_addr, ip->v6, 16);
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(ip->v4);
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
	}
	return ss;
}

static bool check_local_errno(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM ||
	       err == EADDRNOTAVAIL || err == EADDRINUSE || err == EAGAIN;
}

void check_net_failed(struct check *c, int err, const char *what)
{
	char msg[96];

	check_errno_str(err, msg, sizeof(msg));
	if (check_local_errno(err))
		check_attempt_done(c, CHECK_LOCAL_ERROR, msg, "%s: %s", what, msg);
	else
		check_attempt_done(c, CHECK_FAIL, msg, NULL);
}

static void check_tcp_connected(struct check *c)
{
	if (c->def.type == CFG_CHECK_TCP)
		check_attempt_done(c, CHECK_PASS, "connected", NULL);
	else if (c->def.type == CFG_CHECK_SMTP)
		check_smtp_connected(c);
	else
		check_get_connected(c);
}

static void check_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	socklen_t len = sizeof(int);
	int err = 0;

	(void)loop;
	if (c->phase != CHECK_CONNECTING) {
		if (c->def.type == CFG_CHECK_SMTP)
			check_smtp_io(c, revents);
		else
			check_get_io(c, revents);
		return;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		check_net_failed(c, err, "connect");
		return;
	}
	check_tcp_connected(c);
}

static int check_bind(struct check *c, bool bind_port)
{
	uint16_t port = bind_port ? c->def.bind_port : 0;
	/* no bindto: the unspecified address of the target's family */
	struct cfg_addr any = { .af = c->def.ip.af };
	socklen_t len;
	struct sockaddr_storage sa =
	    check_sockaddr(c->def.has_bindto ? &c->def.bindto : &any, port, &len);
	int one = 1;

	if (!c->def.has_bindto && port == 0)
		return 0;
	if (port != 0)
		setsockopt(c->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(c->fd, (struct sockaddr *)&sa, len);
}

int check_socket_setup(struct check *c, int fd, bool bind_port)
{
	char msg[96];

	c->fd = fd;
	if (c->fd < 0) {
		check_errno_str(errno, msg, sizeof(msg));
		check_attempt_done(c, CHECK_LOCAL_ERROR, msg, "socket: %s", msg);
		return -1;
	}
	if (check_bind(c, bind_port) != 0) {
		check_errno_str(errno, msg, sizeof(msg));
		check_attempt_done(c, CHECK_LOCAL_ERROR, msg, "bind: %s", msg);
		return -1;
	}
	return c->fd;
}

int check_socket(struct check *c, int type, int protocol, bool bind_port)
{
	return check_socket_setup(c,
				  socket(c->def.ip.af == 6 ? AF_INET6 : AF_INET,
					 type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol),
				  bind_port);
}

int check_connect(struct check *c)
{
	socklen_t len;
	struct sockaddr_storage sa = check_sockaddr(&c->def.ip, c->def.port, &len);

	return connect(c->fd, (struct sockaddr *)&sa, len);
}

void check_tcp_start(struct check *c)
{
	if (check_socket(c, SOCK_STREAM, 0, true) < 0)
		return;
	ev_io_init(&c->io, check_io_cb, c->fd, EV_WRITE);
	c->io.data = c;
	c->phase = CHECK_CONNECTING;
	if (check_connect(c) == 0) {
		check_tcp_connected(c);
		return;
	}
	if (errno != EINPROGRESS) {
		check_net_failed(c, errno, "connect");
		return;
	}
	ev_io_start(c->e->loop, &c->io);
}

void check_net_stop(struct check *c)
{
	ev_io_stop(c->e->loop, &c->io);
	check_ssl_stop(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	check_http_reader_free(c->rd);
	c->rd = NULL;
	free(c->req);
	c->req = NULL;
	c->req_len = c->req_off = 0;
	check_smtp_stop(c);
}
