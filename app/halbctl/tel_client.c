/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry socket seen from the client. tel_open() connects, bounded by
 * SO_SNDTIMEO (which an AF_UNIX connect() honours while the daemon's accept
 * queue is full), and reads the greeting, whose max_output_len sizes the
 * receive buffer. tel_query() sends one command, waits for one message with
 * poll() and unwraps {"/path": VALUE}. A SEQPACKET message arrives whole in
 * one recv(); MSG_TRUNC makes recv() report the real length, so a reply
 * bigger than the buffer is an error rather than half a JSON document.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tel_client.h"

static enum tel_status tel_fail(struct tel_conn *c, enum tel_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum tel_status tel_fail(struct tel_conn *c, enum tel_status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
	return st;
}

static double timeout_seconds(const struct tel_conn *c)
{
	return c->timeout_ms / 1000.0;
}

/* Up to 60 bytes of a message, with anything unprintable shown as '.'. */
static void preview(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = len < 60 ? len : 60;
	size_t i;

	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++)
		out[i] = (buf[i] >= 0x20 && buf[i] < 0x7f) ? buf[i] : '.';
	out[n] = '\0';
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until a message can be read, for at most the connection's timeout. */
static enum tel_status tel_wait(struct tel_conn *c, const char *what)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			break;
		n = poll(&pfd, 1, (int)left);
		if (n > 0)
			return TEL_OK;
		if (n < 0 && errno != EINTR) {
			c->sys_errno = errno;
			return tel_fail(c, TEL_EIO, "waiting for the %s: %s", what,
					strerror(errno));
		}
	}
	return tel_fail(c, TEL_ETIMEDOUT, "no %s from halb within %g s (is it hung?)", what,
			timeout_seconds(c));
}

/* Reads one whole message into c->buf. */
static enum tel_status tel_recv(struct tel_conn *c, const char *what, size_t *len)
{
	enum tel_status st = tel_wait(c, what);
	ssize_t n;

	if (st != TEL_OK)
		return st;
	n = recv(c->fd, c->buf, c->buf_len, MSG_TRUNC);
	if (n < 0) {
		c->sys_errno = errno;
		return tel_fail(c, TEL_EIO, "reading the %s: %s", what, strerror(errno));
	}
	if (n == 0)
		return tel_fail(c, TEL_EIO,
				"halb closed the connection instead of sending the %s "
				"(too many telemetry clients, or it is shutting down)",
				what);
	if ((size_t)n > c->buf_len)
		return tel_fail(c, TEL_EPROTO, "the %s is %zd bytes, more than the %zu expected",
				what, n, c->buf_len);
	*len = (size_t)n;
	return TEL_OK;
}

static enum tel_status tel_parse(struct tel_conn *c, size_t len, const char *what, json_t **out)
{
	json_error_t err;
	char head[64];

	*out = json_loadb(c->buf, len, JSON_DECODE_ANY, &err);
	if (*out == NULL) {
		preview(c->buf, len, head, sizeof(head));
		return tel_fail(c, TEL_EPROTO, "the %s is not JSON (%s, at byte %d): \"%s\"", what,
				err.text, err.position, head);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		preview(c->buf, len, head, sizeof(head));
		return tel_fail(c, TEL_EPROTO, "the %s is not a JSON object: \"%s\"", what, head);
	}
	return TEL_OK;
}

static size_t clamp_reply_len(json_int_t announced)
{
	if (announced < (json_int_t)TEL_MIN_REPLY_LEN)
		return TEL_MIN_REPLY_LEN;
	if (announced > (json_int_t)TEL_MAX_REPLY_LEN)
		return TEL_MAX_REPLY_LEN;
	return (size_t)announced;
}

/* The greeting says how big replies may be; size the buffer to match. */
static enum tel_status tel_greeting(struct tel_conn *c)
{
	json_t *greeting, *v;
	enum tel_status st;
	size_t len;
	char *buf;

	st = tel_recv(c, "greeting", &len);
	if (st == TEL_OK)
		st = tel_parse(c, len, "greeting", &greeting);
	if (st != TEL_OK)
		return st;
	v = json_object_get(greeting, "max_output_len");
	if (json_is_integer(v))
		c->max_output = (size_t)clamp_reply_len(json_integer_value(v));
	v = json_object_get(greeting, "pid");
	if (json_is_integer(v))
		c->daemon_pid = (long)json_integer_value(v);
	json_decref(greeting);

	if (c->max_output > c->buf_len) {
		buf = realloc(c->buf, c->max_output);
		if (buf == NULL)
			return tel_fail(c, TEL_EIO, "no memory for a %zu-byte reply buffer",
					c->max_output);
		c->buf = buf;
		c->buf_len = c->max_output;
	}
	return TEL_OK;
}

static enum tel_status tel_connect(struct tel_conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = c->timeout_ms / 1000,
		.tv_usec = (c->timeout_ms % 1000) * 1000,
	};
	size_t len = strlen(path);

	if (len >= sizeof(sa.sun_path)) {
		c->sys_errno = ENAMETOOLONG;
		return tel_fail(c, TEL_ECONNECT, "%s: %s", path, strerror(ENAMETOOLONG));
	}
	memcpy(sa.sun_path, path, len + 1);

	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		c->sys_errno = errno;
		if (errno == EAGAIN || errno == EINPROGRESS)
			return tel_fail(c, TEL_ECONNECT,
					"%s: halb did not accept the connection within %g s", path,
					timeout_seconds(c));
		return tel_fail(c, TEL_ECONNECT, "%s: %s", path, strerror(errno));
	}
	return TEL_OK;
}

enum tel_status tel_open(struct tel_conn *c, const char *path, int timeout_ms)
{
	enum tel_status st;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	c->daemon_pid = -1;
	c->buf = malloc(TEL_MIN_REPLY_LEN);
	if (c->buf == NULL)
		return tel_fail(c, TEL_EIO, "no memory for the reply buffer");
	c->buf_len = TEL_MIN_REPLY_LEN;

	st = tel_connect(c, path);
	if (st == TEL_OK)
		st = tel_greeting(c);
	return st;
}

/* The command without its parameters: the key of the reply object. */
static char *reply_key(const char *cmd)
{
	size_t n = strcspn(cmd, ",");
	char *key = malloc(n + 1);

	if (key != NULL) {
		memcpy(key, cmd, n);
		key[n] = '\0';
	}
	return key;
}

/*
 * Finds the value in {"/path": VALUE}. A reply with one member under another
 * name is accepted too: the value matters more than how the server echoed
 * the command.
 */
static json_t *reply_value(json_t *reply, const char *key)
{
	json_t *v = json_object_get(reply, key);

	if (v == NULL && json_object_size(reply) == 1)
		v = json_object_iter_value(json_object_iter(reply));
	return v;
}

/* Reports {"error": ...} as a refusal, with the text the daemon gave. */
static enum tel_status check_error_value(struct tel_conn *c, const char *cmd, json_t *v)
{
	json_t *e = json_object_get(v, "error");
	char *text;

	if (e == NULL)
		return TEL_OK;
	c->restart = json_is_true(json_object_get(v, "restart"));
	if (json_is_string(e))
		return tel_fail(c, TEL_EREPLY, "halb refused %s: %s", cmd, json_string_value(e));
	text = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT);
	tel_fail(c, TEL_EREPLY, "halb refused %s: %s", cmd, text ? text : "(no reason given)");
	free(text);
	return TEL_EREPLY;
}

static enum tel_status tel_send(struct tel_conn *c, const char *cmd)
{
	size_t len = strlen(cmd);
	ssize_t n = send(c->fd, cmd, len, MSG_NOSIGNAL);

	if (n == (ssize_t)len)
		return TEL_OK;
	if (n >= 0)
		return tel_fail(c, TEL_EIO, "sending %s: short write", cmd);
	c->sys_errno = errno;
	if (errno == EAGAIN)
		return tel_fail(c, TEL_ETIMEDOUT, "sending %s: halb did not take it within %g s",
				cmd, timeout_seconds(c));
	return tel_fail(c, TEL_EIO, "sending %s: %s", cmd, strerror(errno));
}

static enum tel_status tel_unwrap(struct tel_conn *c, const char *cmd, json_t *reply,
				  json_t **value)
{
	char *key = reply_key(cmd);
	enum tel_status st;
	json_t *v;

	if (key == NULL)
		return tel_fail(c, TEL_EIO, "out of memory");
	v = reply_value(reply, key);
	if (v == NULL)
		st = tel_fail(c, TEL_EPROTO, "the reply to %s has no \"%s\" member", cmd, key);
	else if (json_is_null(v))
		st = tel_fail(c, TEL_ENULL,
			      "halb does not know %s (it answered null): is this a halb "
			      "of the same version as halbctl " HALB_VERSION "?",
			      cmd);
	else
		st = check_error_value(c, cmd, v);
	if (st == TEL_OK)
		*value = json_incref(v);
	free(key);
	return st;
}

enum tel_status tel_query(struct tel_conn *c, const char *cmd, json_t **value)
{
	enum tel_status st;
	json_t *reply;
	char what[128];
	size_t len;

	*value = NULL;
	c->restart = false;
	snprintf(what, sizeof(what), "reply to %s", cmd);
	st = tel_send(c, cmd);
	if (st == TEL_OK)
		st = tel_recv(c, what, &len);
	if (st == TEL_OK)
		st = tel_parse(c, len, what, &reply);
	if (st != TEL_OK)
		return st;
	st = tel_unwrap(c, cmd, reply, value);
	json_decref(reply);
	return st;
}

void tel_close(struct tel_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->buf_len = 0;
}
