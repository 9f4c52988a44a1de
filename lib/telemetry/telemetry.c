/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry server (see halb_telemetry.h): commands, answering, DPDK's
 * own server behind ours, start and stop. How clients are served (the I/O
 * thread, the handler pool, timeouts) is in telemetry_io.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tel_int.h"

#define SOCKET_NAME "dpdk_telemetry.v2"
#define DPDK_ASIDE  "halb_dpdk_telemetry.sock"

/* --------------------------------------------------- DPDK's own server */

static int seqpacket_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 2 };

	if (fd < 0)
		return -1;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Asks DPDK's server; returns its raw reply (malloc'd) or NULL. */
static char *dpdk_ask(const struct tel_server *s, const char *request)
{
	char *buf;
	ssize_t n;
	int fd;

	if (!s->have_dpdk)
		return NULL;
	fd = seqpacket_connect(s->aside);
	if (fd < 0)
		return NULL;
	buf = malloc(TEL_MAX_OUTPUT + 1);
	if (buf == NULL)
		goto fail;
	n = recv(fd, buf, TEL_MAX_OUTPUT, 0); /* its greeting */
	if (n <= 0 || send(fd, request, strlen(request), MSG_NOSIGNAL) < 0)
		goto fail;
	n = recv(fd, buf, TEL_MAX_OUTPUT, 0);
	if (n <= 0)
		goto fail;
	buf[n] = '\0';
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* ----------------------------------------------------------- answering */

static const struct tel_cmd *find_cmd(struct tel_server *s, const char *name)
{
	for (int i = 0; i < s->n_cmds; i++)
		if (strcmp(s->cmds[i].name, name) == 0)
			return &s->cmds[i];
	return NULL;
}

static char *reply_of(const char *cmd, json_t *value)
{
	json_t *root = json_object();
	char *out;

	json_object_set_new(root, cmd, value != NULL ? value : json_null());
	out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (out != NULL && strlen(out) > TEL_MAX_OUTPUT) {
		free(out);
		root = json_pack("{s:{s:s}}", cmd, "error",
				 "reply too long for the telemetry socket; ask for fewer entries");
		out = json_dumps(root, JSON_COMPACT);
		json_decref(root);
	}
	return out;
}

char *tel_error_reply(const char *what)
{
	json_t *root = json_pack("{s:s}", "error", what);
	char *out = json_dumps(root, JSON_COMPACT);

	json_decref(root);
	return out;
}

/* "/": DPDK's command list with ours added. */
static char *answer_list(struct tel_server *s)
{
	char *dpdk = dpdk_ask(s, "/");
	json_t *root = dpdk ? json_loads(dpdk, 0, NULL) : NULL;
	json_t *list = root ? json_object_get(root, "/") : NULL;
	json_t *all = json_array();

	if (json_is_array(list))
		json_array_extend(all, list);
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->n_cmds; i++)
		json_array_append_new(all, json_string(s->cmds[i].name));
	pthread_mutex_unlock(&s->lock);
	json_decref(root);
	free(dpdk);
	return reply_of("/", all);
}

char *tel_answer(struct tel_server *s, const char *request)
{
	char cmd[TEL_MAX_REQUEST];
	const char *params = NULL;
	struct tel_cmd c;
	const struct tel_cmd *found;
	char *comma;

	snprintf(cmd, sizeof(cmd), "%s", request);
	comma = strchr(cmd, ',');
	if (comma != NULL) {
		*comma = '\0';
		params = comma + 1;
	}
	if (strcmp(cmd, "/") == 0)
		return answer_list(s);
	pthread_mutex_lock(&s->lock);
	found = find_cmd(s, strcmp(cmd, "/help") == 0 && params != NULL ? params : cmd);
	if (found != NULL)
		c = *found;
	pthread_mutex_unlock(&s->lock);
	if (found != NULL && strcmp(cmd, "/help") == 0)
		return reply_of(cmd, json_pack("{s:s}", params, c.help));
	if (found != NULL)
		return reply_of(cmd, c.fn(c.ctx, params));
	{
		char *relayed = dpdk_ask(s, request);

		return relayed != NULL ? relayed : reply_of(cmd, NULL);
	}
}

/* --------------------------------------------------------- start, stop */

struct tel_server *tel_server_start(const char *runtime_dir)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct tel_server *s = calloc(1, sizeof(*s));
	int saved;

	if (s == NULL)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	s->fd = -1;
	s->idle_ms = TEL_IDLE_TIMEOUT_MS;
	s->send_ms = TEL_SEND_TIMEOUT_MS;
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", runtime_dir, SOCKET_NAME) >=
		sizeof(s->path) ||
	    (size_t)snprintf(s->aside, sizeof(s->aside), "%s/%s", runtime_dir, DPDK_ASIDE) >=
		sizeof(s->aside)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	/* DPDK's listening socket keeps working under its new name. */
	s->have_dpdk = rename(s->path, s->aside) == 0;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		goto fail;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	unlink(s->path);
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s->fd, 16) < 0)
		goto fail;
	if (tel_io_start(s) != 0)
		goto fail;
	return s;
fail:
	saved = errno;
	if (s->fd >= 0) {
		close(s->fd);
		unlink(s->path);
	}
	if (s->have_dpdk)
		rename(s->aside, s->path);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->lock);
	free(s);
	errno = saved;
	return NULL;
}

int tel_register(struct tel_server *s, const char *cmd, tel_handler fn, void *ctx, const char *help)
{
	struct tel_cmd *c;

	pthread_mutex_lock(&s->lock);
	if (s->n_cmds == TEL_MAX_CMDS || strlen(cmd) >= sizeof(c->name)) {
		pthread_mutex_unlock(&s->lock);
		return -ENOSPC;
	}
	c = &s->cmds[s->n_cmds++];
	snprintf(c->name, sizeof(c->name), "%s", cmd);
	snprintf(c->help, sizeof(c->help), "%s", help);
	c->fn = fn;
	c->ctx = ctx;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void tel_server_set_timeouts(struct tel_server *s, uint32_t idle_ms, uint32_t send_ms)
{
	pthread_mutex_lock(&s->lock);
	s->idle_ms = idle_ms;
	s->send_ms = send_ms;
	pthread_mutex_unlock(&s->lock);
	tel_io_wake(s);
}

void tel_server_stats(struct tel_server *s, struct tel_server_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	pthread_mutex_unlock(&s->lock);
}

void tel_server_stop(struct tel_server *s)
{
	if (s == NULL)
		return;
	tel_io_stop(s);
	close(s->fd);
	unlink(s->path);
	if (s->have_dpdk)
		rename(s->aside, s->path);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
