/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands, once the command line is parsed: each turns the options
 * into request parameters, follows the listing page by page, and prints.
 *
 * Listings of services, checks and neighbours are gathered whole before
 * printing (they are sorted, and they are small: thousands of entries); a
 * service whose real servers span two pages comes back on the second with
 * "rs_offset" and is joined to the first. Connections are printed as each
 * page arrives, so `halbctl conns` over ten million entries holds one page
 * in memory, and --limit stops asking once it has shown enough.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fmt.h"
#include "halbctl.h"

/* "vip=A:P,proto=tcp,rs=...,client=..." from the filters given. */
static void filter_params(const struct opts *o, char *buf, size_t len, bool with_rs,
			  bool with_client)
{
	buf[0] = '\0';
	if (o->vip != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), ",vip=%s", o->vip);
	if (o->proto != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), ",proto=%s", o->proto);
	if (with_rs && o->rs != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), ",rs=%s", o->rs);
	if (with_client && o->client != NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), ",client=%s", o->client);
	if (buf[0] == ',')
		memmove(buf, buf + 1, strlen(buf));
}

int run_plain(struct session *s, const char *path, void (*view)(FILE *, const json_t *))
{
	json_t *value;
	int rc = session_query(s, path, &value);

	if (rc != EXIT_OK)
		return rc;
	if (s->o->json)
		rc = print_json(value);
	else if (!expect_object(value, path))
		rc = EXIT_FAIL;
	else
		view(stdout, value);
	json_decref(value);
	return rc;
}

/* ---------------------------------------------------------------- lists */

/* A listing gathered whole: the entries of every page under one key. */
struct gather {
	const char *key;
	json_t *all;
	json_t *total;
};

static bool same_service(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "vip"), json_object_get(b, "vip")) &&
	       json_equal(json_object_get(a, "port"), json_object_get(b, "port")) &&
	       json_equal(json_object_get(a, "protocol"), json_object_get(b, "protocol"));
}

/* A service continued from the previous page joins its first part. */
static void gather_service(json_t *all, json_t *svc)
{
	json_t *last = json_array_get(all, json_array_size(all) - 1);
	long long offset;

	if (jv_int(svc, "rs_offset", &offset) && offset > 0 && last != NULL &&
	    same_service(last, svc) && json_is_array(json_object_get(last, "real_servers"))) {
		json_array_extend(json_object_get(last, "real_servers"),
				  jv_array(svc, "real_servers"));
		return;
	}
	json_array_append(all, svc);
}

static int gather_page(void *arg, const json_t *page)
{
	struct gather *g = arg;
	const json_t *arr = jv_array(page, g->key);

	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);

		if (strcmp(g->key, "services") == 0)
			gather_service(g->all, e);
		else
			json_array_append(g->all, e);
	}
	if (json_object_get(page, "total") != NULL) {
		json_decref(g->total);
		g->total = json_incref(json_object_get(page, "total"));
	}
	return EXIT_OK;
}

static void gather_restart(void *arg)
{
	json_array_clear(((struct gather *)arg)->all);
}

/* The whole listing as one reply object {key: [...], "total": N}, or NULL. */
static json_t *gather(struct session *s, const char *path, const char *key, const char *params,
		      int *rc)
{
	struct gather g = { .key = key, .all = json_array() };
	json_t *o;

	*rc = session_pages(s, path, params, gather_page, &g, gather_restart);
	if (*rc != EXIT_OK) {
		json_decref(g.all);
		json_decref(g.total);
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, key, g.all);
	if (g.total != NULL)
		json_object_set_new(o, "total", g.total);
	return o;
}

/* Prints counts (a new object) as JSON or with view, and frees it. */
static int print_counts(struct session *s, json_t *counts, void (*view)(FILE *, const json_t *))
{
	int rc = EXIT_OK;

	if (s->o->json)
		rc = print_json(counts);
	else
		view(stdout, counts);
	json_decref(counts);
	return rc;
}

int run_list(struct session *s)
{
	const struct opts *o = s->o;
	json_t *services, *version = NULL;
	char params[256];
	int rc;

	filter_params(o, params, sizeof(params), false, false);
	services = gather(s, "/halb/services", "services", params, &rc);
	if (services == NULL)
		return rc;
	if (o->vip != NULL && json_array_size(jv_array(services, "services")) == 0) {
		fprintf(stderr, "halbctl: no such service: %s %s\n", o->proto ? o->proto : "",
			o->vip);
		rc = EXIT_FAIL;
	} else if (o->count) {
		rc = print_counts(s, list_count(services), view_list_count);
	} else if (o->json) {
		rc = print_json(services);
	} else {
		/* The title names the version; a halb that cannot say still lists. */
		if (tel_query(&s->conn, "/halb/version", &version) != TEL_OK)
			version = NULL;
		view_list(stdout, services, version, &o->list);
	}
	json_decref(version);
	json_decref(services);
	return rc;
}

int run_checks(struct session *s)
{
	json_t *checks;
	char params[256];
	int rc;

	filter_params(s->o, params, sizeof(params), true, false);
	checks = gather(s, "/halb/checks", "checks", params, &rc);
	if (checks == NULL)
		return rc;
	if (s->o->count)
		rc = print_counts(s, checks_count(checks), view_checks_count);
	else if (s->o->json)
		rc = print_json(checks);
	else
		view_checks(stdout, checks);
	json_decref(checks);
	return rc;
}

int run_neigh(struct session *s)
{
	json_t *neigh;
	int rc;

	neigh = gather(s, "/halb/neigh", "neighbours", "", &rc);
	if (neigh == NULL)
		return rc;
	if (s->o->json)
		rc = print_json(neigh);
	else
		view_neigh(stdout, neigh);
	json_decref(neigh);
	return rc;
}

/* ---------------------------------------------------------- connections */

struct conns_walk {
	const struct opts *o;
	bool started; /* the head is out */
	long shown;
	bool cut;
	json_t *total;
	json_t *counts; /* --count: the sums */
};

/* One entry as indented JSON inside the "conns" array. */
static void print_conn_json(const json_t *e, bool first)
{
	char *text = json_dumps(e, JSON_INDENT(2) | JSON_REAL_PRECISION(16));

	fputs(first ? "\n    " : ",\n    ", stdout);
	for (const char *p = text ? text : "null"; *p; p++) {
		putchar(*p);
		if (*p == '\n')
			fputs("    ", stdout);
	}
	free(text);
}

static int conns_page(void *arg, const json_t *page)
{
	struct conns_walk *w = arg;
	const json_t *arr = jv_array(page, "conns");
	size_t i;

	json_decref(w->total);
	w->total = json_incref(json_object_get(page, "total"));
	if (!w->started && w->o->json)
		fputs("{\n  \"conns\": [", stdout);
	else if (!w->started)
		view_conns_head(stdout);
	w->started = true;
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *e = json_array_get(arr, i);

		if (w->o->limit > 0 && w->shown == w->o->limit) {
			w->cut = true;
			return PAGES_ENOUGH;
		}
		if (w->o->json)
			print_conn_json(e, w->shown == 0);
		else if (json_is_object(e))
			view_conn(stdout, e);
		w->shown++;
	}
	if (w->o->limit > 0 && w->shown == w->o->limit &&
	    json_is_string(json_object_get(page, "next"))) {
		w->cut = true;
		return PAGES_ENOUGH;
	}
	return ferror(stdout) ? EXIT_FAIL : EXIT_OK;
}

static void add_count(json_t *sum, const char *key, const json_t *v)
{
	json_t *old = json_object_get(sum, key);

	if (!json_is_integer(v))
		return;
	json_object_set_new(sum, key,
			    json_integer(json_integer_value(v) +
					 (json_is_integer(old) ? json_integer_value(old) : 0)));
}

static int count_page(void *arg, const json_t *page)
{
	struct conns_walk *w = arg;
	json_t *states = json_object_get(w->counts, "states");
	const char *key;
	json_t *v;

	add_count(w->counts, "connections", json_object_get(page, "connections"));
	add_count(w->counts, "templates", json_object_get(page, "templates"));
	json_object_foreach(json_object_get(page, "states"), key, v) add_count(states, key, v);
	return EXIT_OK;
}

static int run_conns_count(struct session *s, const char *filters)
{
	struct conns_walk w = { .o = s->o };
	char params[300];
	int rc;

	snprintf(params, sizeof(params), "count=1%s%s", filters[0] ? "," : "", filters);
	w.counts = json_pack("{s:i, s:i, s:{}}", "connections", 0, "templates", 0, "states");
	rc = session_pages(s, "/halb/conns", params, count_page, &w, NULL);
	if (rc == EXIT_OK)
		return print_counts(s, w.counts, view_conns_count);
	json_decref(w.counts);
	return rc;
}

int run_conns(struct session *s)
{
	const struct opts *o = s->o;
	struct conns_walk w = { .o = o };
	char filters[256], params[300];
	int rc;

	filter_params(o, filters, sizeof(filters), true, true);
	if (o->count)
		return run_conns_count(s, filters);
	/* Ask for no more than is wanted: halb stops the page there. */
	if (o->limit > 0 && o->limit < 100000)
		snprintf(params, sizeof(params), "limit=%ld%s%s", o->limit, filters[0] ? "," : "",
			 filters);
	else
		snprintf(params, sizeof(params), "%s", filters);
	rc = session_pages(s, "/halb/conns", params, conns_page, &w, NULL);
	if (o->json && w.started) {
		char total[FMT_LEN];

		fmt_scalar(w.total, total);
		printf("%s],\n  \"total\": %s,\n  \"truncated\": %s\n}\n", w.shown ? "\n  " : "",
		       json_is_integer(w.total) ? total : "null", w.cut ? "true" : "false");
	}
	if (rc == EXIT_OK && w.cut) {
		char total[FMT_LEN];

		fprintf(stderr, "halbctl: %ld entries shown (--limit); halb holds %s connections\n",
			w.shown, fmt_scalar(w.total, total));
	}
	json_decref(w.total);
	return rc;
}

/* -------------------------------------------------------------- changes */

int run_weight(struct session *s)
{
	const struct opts *o = s->o;
	char cmd[512], vip[FMT_LEN], rs[FMT_LEN], buf[FMT_LEN];
	json_t *r;
	long long w;
	int rc;

	snprintf(cmd, sizeof(cmd), "/halb/weight,vip=%s%s%s,rs=%s,weight=%s", o->vip,
		 o->proto ? ",proto=" : "", o->proto ? o->proto : "", o->rs, o->weight);
	rc = session_query(s, cmd, &r);
	if (rc != EXIT_OK)
		return rc;
	if (o->json) {
		rc = print_json(r);
	} else {
		fmt_addr_port(r, "vip", "port", vip);
		fmt_addr_port(r, "rs", "rport", rs);
		if (jv_int(r, "weight_override", &w))
			printf("%s %s -> %s: weight %lld (configured %s) until a reload changes "
			       "this server\n",
			       fmt_field(r, "protocol", buf), vip, rs, w,
			       fmt_field(r, "configured_weight", buf + 64));
		else
			printf("%s %s -> %s: weight back to the configured %s\n",
			       fmt_field(r, "protocol", buf), vip, rs,
			       fmt_field(r, "configured_weight", buf + 64));
	}
	json_decref(r);
	return rc;
}

int run_zero(struct session *s)
{
	char params[256], cmd[300];
	json_t *r;
	int rc;

	filter_params(s->o, params, sizeof(params), false, false);
	snprintf(cmd, sizeof(cmd), "/halb/zero%s%s", params[0] ? "," : "", params);
	rc = session_query(s, cmd, &r);
	if (rc == EXIT_OK && s->o->json)
		rc = print_json(r);
	json_decref(r);
	return rc;
}

/* ---------------------------------------------------------------- watch */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* stats --watch: the counters first, then their rates between refreshes. */
static json_t *stats_prev;
static double stats_prev_at;

int run_stats(struct session *s)
{
	json_t *value, *shown;
	double at = now_s();
	int rc;

	if (s->o->watch <= 0 || s->o->json)
		return run_plain(s, "/halb/stats", view_stats);
	rc = session_query(s, "/halb/stats", &value);
	if (rc != EXIT_OK)
		return rc;
	if (!expect_object(value, "/halb/stats")) {
		json_decref(value);
		return EXIT_FAIL;
	}
	if (stats_prev == NULL) {
		printf("Counters (rates from the next refresh on):\n\n");
		view_stats(stdout, value);
	} else {
		printf("Per second, over the last %.1f s:\n\n", at - stats_prev_at);
		shown = stats_rates(stats_prev, value, at - stats_prev_at);
		view_stats(stdout, shown);
		json_decref(shown);
	}
	json_decref(stats_prev);
	stats_prev = value;
	stats_prev_at = at;
	return EXIT_OK;
}

int run_watch(struct session *s, int (*fn)(struct session *))
{
	bool tty = isatty(STDOUT_FILENO);

	for (;;) {
		char when[64];
		time_t t = time(NULL);
		int rc;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		if (tty)
			fputs("\033[H\033[2J", stdout);
		printf("Every %gs: %s    %s\n\n", s->o->watch, s->o->title, when);
		rc = fn(s);
		if (rc != EXIT_OK)
			return rc;
		if (!tty)
			putchar('\n');
		if (fflush(stdout) != 0)
			return EXIT_FAIL;
		/* halb closes a connection idle for 60 s */
		if (s->o->watch >= 30)
			session_close(s);
		{
			struct timespec d = { .tv_sec = (time_t)s->o->watch,
					      .tv_nsec = (long)(fmod(s->o->watch, 1.0) * 1e9) };

			while (nanosleep(&d, &d) != 0 && errno == EINTR)
				;
		}
	}
}
