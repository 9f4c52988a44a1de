/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /metrics HTTP server: libmicrohttpd with one internal polling thread
 * (epoll), at most METRICS_CLIENTS clients and METRICS_TIMEOUT_S seconds
 * for each, so a slow or idle scraper cannot hold it. GET /metrics renders
 * the page on that thread; "/" points at it; anything else is 404, a method
 * other than GET or HEAD 405.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "halb_metrics.h"

#define METRICS_CLIENTS   16
#define METRICS_TIMEOUT_S 10
#define CONTENT_TYPE      "text/plain; version=0.0.4; charset=utf-8"

struct metrics_server {
	struct MHD_Daemon *mhd;
	metrics_render_fn render;
	void *ctx;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned int status, const char *msg)
{
	return reply(conn, status, "text/plain; charset=utf-8", (char *)msg, strlen(msg),
		     MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct metrics_server *s = cls;
	struct metrics_buf b = { 0 };

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (strcmp(url, "/") == 0)
		return text(conn, MHD_HTTP_OK, "halb: metrics at /metrics\n");
	if (strcmp(url, "/metrics") != 0)
		return text(conn, MHD_HTTP_NOT_FOUND, "not found: metrics at /metrics\n");
	if (s->render(s->ctx, &b) != 0 || b.failed) {
		metrics_buf_free(&b);
		return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot render the metrics\n");
	}
	/* MHD frees the text with the response. */
	return reply(conn, MHD_HTTP_OK, CONTENT_TYPE, b.text ? b.text : strdup(""), b.len,
		     MHD_RESPMEM_MUST_FREE);
}

struct metrics_server *metrics_start(uint32_t addr, uint16_t port, metrics_render_fn render,
				     void *ctx, char *err, size_t errlen)
{
	struct metrics_server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(addr) };
	char a[INET_ADDRSTRLEN];

	if (s == NULL) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	s->render = render;
	s->ctx = ctx;
	errno = 0;
	s->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, port, NULL, NULL, on_request, s,
	    MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CLIENTS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S, MHD_OPTION_END);
	if (s->mhd == NULL) {
		inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a));
		snprintf(err, errlen, "metrics: cannot listen on %s:%u: %s", a, port,
			 errno ? strerror(errno) : "libmicrohttpd refused");
		free(s);
		return NULL;
	}
	return s;
}

void metrics_stop(struct metrics_server *s)
{
	if (s == NULL)
		return;
	MHD_stop_daemon(s->mhd);
	free(s);
}
