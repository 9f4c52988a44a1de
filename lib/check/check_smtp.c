/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMTP_CHECK: keepalived's conversation (check_smtp.c) over the connection
 * check_tcp.c made: the greeting must be 220, "HELO name" must be answered
 * 250, "QUIT" must be answered (any code). The dialogue is pure
 * (check_smtp_begin/feed/eof, unit-tested against canned replies); the
 * probe moves bytes between it and the socket without ever blocking, and
 * the engine's deadline (connect_timeout) bounds the whole conversation.
 *
 * Where halb reads more carefully than keepalived: a reply may span lines
 * ("220-..." then "220 ..."), and its last line's code counts; keepalived
 * looks at the first line it reads, so a multi-line greeting makes its
 * HELO read the greeting's second line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_int.h"

#define SMTP_DEFAULT_HELO "smtpchecker.keepalived.org"
#define SMTP_IN_BUF       2048

enum smtp_stage {
	SMTP_GREETING = 0,
	SMTP_HELO,
	SMTP_QUIT,
	SMTP_DONE,
};

/* ------------------------------------------------------------- dialogue */

void check_smtp_begin(struct check_smtp *s, const char *helo)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->helo, sizeof(s->helo), "%s", helo != NULL ? helo : SMTP_DEFAULT_HELO);
}

static enum check_smtp_step smtp_fail(struct check_smtp *s, const char *fmt, const char *arg)
{
	snprintf(s->why, sizeof(s->why), fmt, arg);
	s->stage = SMTP_DONE;
	return CHECK_SMTP_FAIL;
}

static enum check_smtp_step smtp_send(struct check_smtp *s, const char *what, const char *arg)
{
	int n = snprintf(s->out, sizeof(s->out), what, arg);

	s->out_len = n > 0 && (size_t)n < sizeof(s->out) ? (size_t)n : 0;
	s->stage++;
	return CHECK_SMTP_WRITE;
}

/* A complete reply (its last line in s->line): what it asks for. */
static enum check_smtp_step smtp_reply(struct check_smtp *s)
{
	char code[4] = { s->line[0], s->line[1], s->line[2], '\0' };

	switch (s->stage) {
	case SMTP_GREETING:
		if (s->code != 220)
			return smtp_fail(s, "greeting %s, not 220", code);
		return smtp_send(s, "HELO %s\r\n", s->helo);
	case SMTP_HELO:
		if (s->code != 250)
			return smtp_fail(s, "HELO answered %s, not 250", code);
		return smtp_send(s, "QUIT\r\n", NULL);
	default:
		s->stage = SMTP_DONE;
		return CHECK_SMTP_OK;
	}
}

/* A line has ended: "NNN-" goes on, "NNN" or "NNN text" ends the reply. */
static enum check_smtp_step smtp_line(struct check_smtp *s)
{
	const char *l = s->line;

	if (s->line_len > 0 && l[s->line_len - 1] == '\r')
		s->line[--s->line_len] = '\0';
	if (s->line_len < 3 || l[0] < '0' || l[0] > '9' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
	    l[2] > '9' || (s->line_len > 3 && l[3] != ' ' && l[3] != '-'))
		return smtp_fail(s, "not an SMTP reply: '%.40s'", l);
	s->code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	if (s->line_len > 3 && l[3] == '-')
		return CHECK_SMTP_READ;
	return smtp_reply(s);
}

enum check_smtp_step check_smtp_feed(struct check_smtp *s, const char *data, size_t len,
				     size_t *used)
{
	enum check_smtp_step step = CHECK_SMTP_READ;
	size_t i = 0;

	if (s->stage == SMTP_DONE)
		return smtp_fail(s, "%s", "conversation over");
	s->out_len = 0;
	while (i < len && step == CHECK_SMTP_READ) {
		char ch = data[i++];

		if (ch != '\n') {
			if (s->line_len + 1 < sizeof(s->line))
				s->line[s->line_len++] = ch;
			s->line[s->line_len] = '\0';
			continue;
		}
		step = smtp_line(s);
		s->line_len = 0;
		s->line[0] = '\0';
	}
	*used = i;
	return step;
}

enum check_smtp_step check_smtp_eof(struct check_smtp *s)
{
	static const char *const waiting[] = { "the greeting", "the HELO reply", "the QUIT reply",
					       "nothing" };

	return smtp_fail(s, "connection closed before %s", waiting[s->stage]);
}

/* ------------------------------------------------------------------ probe */

struct smtp_io {
	struct check_smtp s;
	char in[SMTP_IN_BUF];
	size_t in_len;
	size_t out_off;
};

static void smtp_wait(struct check *c, int events)
{
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == events)
		return;
	ev_io_stop(c->e->loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	ev_io_start(c->e->loop, &c->io);
}

/* Ends the attempt as the dialogue says; false while it goes on. */
static bool smtp_outcome(struct check *c, enum check_smtp_step step)
{
	const struct check_smtp *s = &((struct smtp_io *)c->smtp)->s;

	if (step == CHECK_SMTP_OK) {
		check_attempt_done(c, CHECK_PASS, "ok", "greeting, HELO and QUIT answered");
		return true;
	}
	if (step == CHECK_SMTP_FAIL) {
		check_attempt_done(c, CHECK_FAIL, s->why, NULL);
		return true;
	}
	return false;
}

/* Feeds what was read until the dialogue wants to write or needs more. */
static bool smtp_digest(struct check *c)
{
	struct smtp_io *io = (struct smtp_io *)c->smtp;
	enum check_smtp_step step;
	size_t used;

	while (io->in_len > 0 && io->s.out_len == 0) {
		step = check_smtp_feed(&io->s, io->in, io->in_len, &used);
		memmove(io->in, io->in + used, io->in_len - used);
		io->in_len -= used;
		io->out_off = 0;
		if (smtp_outcome(c, step))
			return true;
	}
	return false;
}

/* Sends what the dialogue asked for; true when the attempt ended. */
static bool smtp_write(struct check *c)
{
	struct smtp_io *io = (struct smtp_io *)c->smtp;
	ssize_t n;

	while (io->out_off < io->s.out_len) {
		n = send(c->fd, io->s.out + io->out_off, io->s.out_len - io->out_off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			smtp_wait(c, EV_WRITE);
			return false;
		}
		if (n < 0) {
			check_net_failed(c, errno, "send");
			return true;
		}
		io->out_off += (size_t)n;
	}
	io->s.out_len = 0;
	io->out_off = 0;
	return false;
}

/* Moves bytes until the socket would block or the attempt ends. */
static void smtp_pump(struct check *c)
{
	struct smtp_io *io = (struct smtp_io *)c->smtp;
	ssize_t n;

	for (;;) {
		if (io->s.out_len > 0) {
			if (smtp_write(c) || io->s.out_len > 0)
				return;
			continue;
		}
		if (io->in_len > 0) {
			if (smtp_digest(c))
				return;
			if (io->s.out_len > 0)
				continue;
		}
		n = recv(c->fd, io->in + io->in_len, sizeof(io->in) - io->in_len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			smtp_wait(c, EV_READ);
			return;
		}
		if (n < 0) {
			check_net_failed(c, errno, "recv");
			return;
		}
		if (n == 0) {
			smtp_outcome(c, check_smtp_eof(&io->s));
			return;
		}
		io->in_len += (size_t)n;
	}
}

void check_smtp_connected(struct check *c)
{
	struct smtp_io *io = calloc(1, sizeof(*io));

	if (io == NULL) {
		check_attempt_done(c, CHECK_LOCAL_ERROR, "no memory", "out of memory");
		return;
	}
	check_smtp_begin(&io->s, c->def.helo_name);
	c->smtp = &io->s; /* the first member */
	c->phase = CHECK_TALKING;
	smtp_pump(c);
}

void check_smtp_io(struct check *c, int revents)
{
	(void)revents;
	smtp_pump(c);
}

void check_smtp_stop(struct check *c)
{
	free(c->smtp);
	c->smtp = NULL;
}
