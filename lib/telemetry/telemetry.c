/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry server (see halb_telemetry.h). One listening SOCK_SEQPACKET
 * socket, an accept thread, a thread per client (at most MAX_CLIENTS), and
 * a small client of DPDK's own server for the commands we pass through.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_version.h>

#include "halb_telemetry.h"

#define SOCKET_NAME "dpdk_telemetry.v2"
#define DPDK_ASIDE  "halb_dpdk_telemetry.sock"
#define MAX_CMDS    64
#define MAX_CLIENTS 16
#define MAX_REQUEST 1024

struct tel_cmd {
	char name[64];
	char help[256];
	tel_handler fn;
	void *ctx;
};

struct tel_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char aside[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool have_dpdk;
	int fd;
	pthread_t accept_thread;
	pthread_mutex_t lock; /* commands and client count */
	struct tel_cmd cmds[MAX_CMDS];
	int n_cmds;
	int n_clients;
	volatile bool stopping;
};

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
	if (n <= 0 || send(fd, request, strlen(request), 0) < 0)
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
	char cmd[MAX_REQUEST];
	const char *params = NULL;
	const struct tel_cmd *c;
	char *comma;

	snprintf(cmd, sizeof(cmd), "%s", request);
	comma = strchr(cmd, ',');
	if (comma != NULL) {
		*comma = '\0';
		params = comma + 1;
	}
	if (strcmp(cmd, "/") == 0)
		return answer_list(s);
	if (strcmp(cmd, "/help") == 0 && params != NULL) {
		pthread_mutex_lock(&s->lock);
		c = find_cmd(s, params);
		pthread_mutex_unlock(&s->lock);
		if (c != NULL)
			return reply_of(cmd, json_pack("{s:s}", params, c->help));
	}
	pthread_mutex_lock(&s->lock);
	c = find_cmd(s, cmd);
	pthread_mutex_unlock(&s->lock);
	if (c != NULL)
		return reply_of(cmd, c->fn(c->ctx, params));
	{
		char *relayed = dpdk_ask(s, request);

		return relayed != NULL ? relayed : reply_of(cmd, NULL);
	}
}

/* ------------------------------------------------------------- clients */

struct client {
	struct tel_server *s;
	int fd;
};

static void *client_main(void *arg)
{
	struct client *cl = arg;
	struct tel_server *s = cl->s;
	char req[MAX_REQUEST];
	char greeting[256];
	ssize_t n;

	snprintf(greeting, sizeof(greeting),
		 "{\"version\":\"%s\",\"pid\":%d,\"max_output_len\":%d}", rte_version(),
		 (int)getpid(), TEL_MAX_OUTPUT);
	if (send(cl->fd, greeting, strlen(greeting), MSG_NOSIGNAL) < 0)
		goto out;
	while ((n = recv(cl->fd, req, sizeof(req) - 1, 0)) > 0) {
		char *reply;

		req[n] = '\0';
		reply = tel_answer(s, req);
		if (reply == NULL)
			break;
		if (send(cl->fd, reply, strlen(reply), MSG_NOSIGNAL) < 0) {
			free(reply);
			break;
		}
		free(reply);
	}
out:
	close(cl->fd);
	pthread_mutex_lock(&s->lock);
	s->n_clients--;
	pthread_mutex_unlock(&s->lock);
	free(cl);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct tel_server *s = arg;

	while (!s->stopping) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		struct client *cl;
		pthread_t t;
		int sndbuf = TEL_MAX_OUTPUT + 4096;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		/* A reply is one datagram: make room for the largest. */
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		pthread_mutex_lock(&s->lock);
		if (s->n_clients >= MAX_CLIENTS) {
			pthread_mutex_unlock(&s->lock);
			close(fd);
			continue;
		}
		s->n_clients++;
		pthread_mutex_unlock(&s->lock);
		cl = malloc(sizeof(*cl));
		if (cl != NULL) {
			cl->s = s;
			cl->fd = fd;
		}
		if (cl == NULL || pthread_create(&t, NULL, client_main, cl) != 0) {
			free(cl);
			close(fd);
			pthread_mutex_lock(&s->lock);
			s->n_clients--;
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
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
	s->fd = -1;
	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", runtime_dir, SOCKET_NAME) >=
		sizeof(s->path) ||
	    (size_t)snprintf(s->aside, sizeof(s->aside), "%s/%s", runtime_dir, DPDK_ASIDE) >=
		sizeof(s->aside)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	/* DPDK's listening socket keeps working under its new name. */
	s->have_dpdk = rename(s->path, s->aside) == 0;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	unlink(s->path);
	if (bind(s->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s->fd, 8) < 0)
		goto fail;
	if (pthread_create(&s->accept_thread, NULL, accept_main, s) != 0)
		goto fail;
	pthread_setname_np(s->accept_thread, "halb-telemetry");
	return s;
fail:
	saved = errno;
	if (s->fd >= 0)
		close(s->fd);
	if (s->have_dpdk)
		rename(s->aside, s->path);
	free(s);
	errno = saved;
	return NULL;
}

int tel_register(struct tel_server *s, const char *cmd, tel_handler fn, void *ctx, const char *help)
{
	struct tel_cmd *c;

	pthread_mutex_lock(&s->lock);
	if (s->n_cmds == MAX_CMDS || strlen(cmd) >= sizeof(c->name)) {
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

void tel_server_stop(struct tel_server *s)
{
	if (s == NULL)
		return;
	s->stopping = true;
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->accept_thread, NULL);
	close(s->fd);
	unlink(s->path);
	if (s->have_dpdk)
		rename(s->aside, s->path);
	/* Let a reply in flight finish; a client still connected after that
	 * keeps the server's memory (the process is about to exit). */
	for (int i = 0; i < 100; i++) {
		int n;

		pthread_mutex_lock(&s->lock);
		n = s->n_clients;
		pthread_mutex_unlock(&s->lock);
		if (n == 0) {
			pthread_mutex_destroy(&s->lock);
			free(s);
			return;
		}
		usleep(10000);
	}
}
