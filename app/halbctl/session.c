/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halbctl's conversation with halb: one connection to the telemetry socket
 * of the chosen instance, opened on first use and reported with a hint
 * when it cannot be; one request at a time; and listings followed page by
 * page. A listing asks for the first page, then for each "next" cursor the
 * reply names, until there is none; a listing of services or checks that a
 * reload overtook is started again (halb says so with "restart": true).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halbctl.h"

#define RESTARTS_MAX 3

static const char *socket_path(struct session *s)
{
	if (s->o->socket != NULL)
		snprintf(s->path, sizeof(s->path), "%s", s->o->socket);
	else
		snprintf(s->path, sizeof(s->path), RUNTIME_DIR "/%s/" SOCKET_NAME, s->o->prefix);
	return s->path;
}

/* A hint that fits why connect() failed. */
static const char *connect_hint(int err, bool by_prefix)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return by_prefix ? "is halb running? use -P to choose the instance"
				 : "is halb running?";
	case EACCES:
	case EPERM:
		return "run halbctl as root, or as the user halb runs as";
	case ECONNREFUSED:
		return "nobody listens on it: halb has stopped and left its socket behind";
	default:
		return NULL;
	}
}

static void report_connect_error(const struct session *s)
{
	const char *hint = connect_hint(s->conn.sys_errno, s->o->socket == NULL);

	fputs("halbctl: cannot reach halb", stderr);
	if (s->o->socket == NULL)
		fprintf(stderr, " (file prefix '%s')", s->o->prefix);
	fprintf(stderr, ": %s%s%s\n", s->conn.message, hint ? " \u2014 " : "", hint ? hint : "");
}

/* Opens the connection on first use; reports failures itself. */
static int session_open(struct session *s)
{
	enum tel_status st;

	if (s->open)
		return EXIT_OK;
	st = tel_open(&s->conn, socket_path(s), TIMEOUT_MS);
	if (st == TEL_ECONNECT) {
		report_connect_error(s);
		tel_close(&s->conn);
		return EXIT_FAIL;
	}
	if (st != TEL_OK) {
		fprintf(stderr, "halbctl: %s: %s\n", s->path, s->conn.message);
		tel_close(&s->conn);
		return EXIT_FAIL;
	}
	s->open = true;
	return EXIT_OK;
}

int session_query(struct session *s, const char *cmd, json_t **value)
{
	int rc = session_open(s);

	*value = NULL;
	if (rc != EXIT_OK)
		return rc;
	if (tel_query(&s->conn, cmd, value) != TEL_OK) {
		fprintf(stderr, "halbctl: %s\n", s->conn.message);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

void session_close(struct session *s)
{
	if (s->open)
		tel_close(&s->conn);
	s->open = false;
}

/* "path", "path,params", "path,cursor=C" or "path,params,cursor=C" */
static void page_request(char *buf, size_t len, const char *path, const char *params,
			 const char *cursor)
{
	snprintf(buf, len, "%s%s%s%s%s", path, params[0] || cursor ? "," : "", params,
		 params[0] && cursor ? "," : "", cursor ? "cursor=" : "");
	if (cursor != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s", cursor);
}

/* One pass over the pages; *restart is set when halb asked to start again. */
static int pages_once(struct session *s, const char *path, const char *params, page_fn fn,
		      void *arg, bool *restart)
{
	char req[1024], cursor[128];
	bool first = true;

	*restart = false;
	for (;;) {
		json_t *page, *next;
		int rc;

		page_request(req, sizeof(req), path, params, first ? NULL : cursor);
		first = false;
		rc = session_open(s);
		if (rc != EXIT_OK)
			return rc;
		if (tel_query(&s->conn, req, &page) != TEL_OK) {
			if (s->conn.restart) {
				*restart = true;
				return EXIT_OK;
			}
			fprintf(stderr, "halbctl: %s\n", s->conn.message);
			return EXIT_FAIL;
		}
		if (!expect_object(page, path)) {
			json_decref(page);
			return EXIT_FAIL;
		}
		rc = fn(arg, page);
		next = json_object_get(page, "next");
		if (json_is_string(next) && strlen(json_string_value(next)) < sizeof(cursor))
			snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		else
			next = NULL;
		json_decref(page);
		if (rc != EXIT_OK)
			return rc == PAGES_ENOUGH ? EXIT_OK : rc;
		if (next == NULL)
			return EXIT_OK;
	}
}

int session_pages(struct session *s, const char *path, const char *params, page_fn fn, void *arg,
		  void (*restart)(void *arg))
{
	for (int i = 0;; i++) {
		bool again;
		int rc = pages_once(s, path, params, fn, arg, &again);

		if (rc != EXIT_OK || !again)
			return rc;
		if (i == RESTARTS_MAX || restart == NULL) {
			fprintf(stderr,
				"halbctl: halb reloaded its configuration %d times during the "
				"listing; try again\n",
				i + 1);
			return EXIT_FAIL;
		}
		restart(arg);
	}
}

/*
 * 16 significant digits, not jansson's 17: a value the daemon wrote as 61.9
 * prints as 61.9 rather than 61.899999999999999, and microseconds of a
 * timestamp (16 digits) survive.
 */
int print_json(const json_t *value)
{
	if (json_dumpf(value, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(16)) !=
	    0) {
		fprintf(stderr, "halbctl: cannot print the reply: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	putchar('\n');
	return EXIT_OK;
}

/* The views read objects; anything else means the daemon broke the contract. */
bool expect_object(const json_t *value, const char *cmd)
{
	if (json_is_object(value))
		return true;
	fprintf(stderr, "halbctl: the reply to %s is not a JSON object; try --json to see it\n",
		cmd);
	return false;
}
