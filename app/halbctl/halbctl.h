/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALBCTL_H
#define HALBCTL_H

/**
 * @file
 * What halbctl's files share: the parsed command line (main.c and
 * ipvsadm.c fill it), the session with halb (session.c: one connection,
 * queries, listings followed page by page) and the commands that run on it
 * (run.c).
 */

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "tel_client.h"
#include "views.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2

#define DEFAULT_PREFIX "halb"
#define RUNTIME_DIR    "/var/run/dpdk"
#define SOCKET_NAME    "dpdk_telemetry.v2"
#define TIMEOUT_MS     2000
#define WATCH_DEFAULT  2.0 /* seconds: IPVS's estimator period */

/** The command line, parsed. Filters are kept as typed (already checked),
 * to be passed to halb as request parameters. */
struct opts {
	const char *prefix;
	const char *socket;
	bool json;
	bool count;   /**< --count: totals only */
	double watch; /**< --watch: seconds between refreshes; 0: once */
	struct list_opts list;
	long limit;         /**< conns --limit: entries to show; 0: all */
	const char *vip;    /**< --vip, -t/-u: A[:P] */
	const char *proto;  /**< "tcp" or "udp" (from -t/-u), or NULL */
	const char *rs;     /**< --rs: A[:P] */
	const char *client; /**< --client: A[:P] */
	const char *weight; /**< weight: W or "reset" */
	const char *argv0;  /**< how the command was spelled, for --watch titles */
	char title[256];    /**< the command line, for --watch */
};

/** One connection to halb's telemetry socket, opened on first use. */
struct session {
	const struct opts *o;
	char path[PATH_MAX];
	struct tel_conn conn;
	bool open;
};

/** Sends cmd, hands back the reply's value; reports failures on stderr. */
int session_query(struct session *s, const char *cmd, json_t **value);

/** Called with each page of a listing; returns EXIT_OK to go on, anything
 * else to stop with that status (PAGES_ENOUGH: stop, all is well). */
typedef int (*page_fn)(void *arg, const json_t *page);
#define PAGES_ENOUGH (-1)

/**
 * Follows a paged listing: path with params (may be ""), then with the
 * cursor each reply names in "next", until there is none. When halb says
 * the configuration changed under the listing, restart (may be NULL) is
 * called and the listing starts again, at most three times.
 */
int session_pages(struct session *s, const char *path, const char *params, page_fn fn, void *arg,
		  void (*restart)(void *arg));

void session_close(struct session *s);

/** value as indented JSON on stdout. */
int print_json(const json_t *value);

/** Whether value is an object; says so on stderr when it is not. */
bool expect_object(const json_t *value, const char *cmd);

/* main.c */
/** `halbctl --help` */
void halbctl_usage(FILE *out);
/** One line on stderr: "halbctl: MESSAGE (see halbctl [CMD ]--help)".
 * @return EXIT_USAGE */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** "A" or "A:P" for IPv4, "B", "[B]" or "[B]:P" for IPv6 (need_port: with ":P"). */
bool valid_addr(const char *s, bool need_port);
/** -t/-u VIP:PORT into o. @return -1 (go on) or EXIT_USAGE. */
int service_opt(const char *cmd, struct opts *o, int c, const char *arg);
/** The title --watch shows: halbctl and argv. */
void watch_title(struct opts *o, int argc, char **argv);
/** Runs the command called name with o. */
int run_named(const char *name, struct opts *o);

/* ipvsadm.c: halbctl called with ipvsadm's options. */
/** Whether argv uses ipvsadm's command options (-L, -l, -Z, -e). */
bool ipvsadm_spelling(int argc, char **argv);
/** Parses and runs an ipvsadm-style command line. */
int ipvsadm_main(int argc, char **argv, struct opts *o);

/* run.c: the commands. Each returns an exit status. */
int run_list(struct session *s);
int run_conns(struct session *s);
int run_checks(struct session *s);
int run_neigh(struct session *s);
int run_weight(struct session *s);
int run_zero(struct session *s);
int run_stats(struct session *s);
/** path and view: one request, one table (vrrp, ports, version). */
int run_plain(struct session *s, const char *path, void (*view)(FILE *, const json_t *));
/** Runs fn again every o->watch seconds, each time on a cleared screen. */
int run_watch(struct session *s, int (*fn)(struct session *));

#endif /* HALBCTL_H */
