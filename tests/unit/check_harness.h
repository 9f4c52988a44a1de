/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine tests' harness, shared by test_check.c and test_check_probe.c:
 * a configuration of one virtual server with n real servers (tconf_new), the
 * reports the engine makes (recs), its log in memory, bounded waits on the
 * libev default loop (run_until, wait_report, wait_checks), and a port
 * nothing listens on (closed_port).
 */
#ifndef HALB_TEST_CHECK_HARNESS_H
#define HALB_TEST_CHECK_HARNESS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>
#include <rte_log.h>

#include "halb_check.h"
#include "halb_proc.h"

#ifndef LOOPBACK
#define LOOPBACK 0x7f000001u
#endif

#define HARNESS_UNUSED __attribute__((unused))

#define MAX_RS 300

struct tconf {
	struct cfg_keepalived k;
	struct cfg_virtual_server vs;
	struct cfg_real_server rs[MAX_RS];
	struct cfg_checker ck[MAX_RS];
	struct cfg_url url[MAX_RS][2];
};

/* One virtual server with n real servers on 127.0.0.1:port, one checker each,
 * quick timings: delay_loop 200 ms, delay_before_retry 100 ms, retry 0. */
HARNESS_UNUSED static struct tconf *tconf_new(size_t n, enum cfg_check_type type, uint16_t port)
{
	struct tconf *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->k.vs = &t->vs;
	t->k.n_vs = 1;
	t->vs.addr = cfg_addr4(0x0a000001);
	t->vs.port = 80;
	t->vs.protocol = IPPROTO_TCP;
	t->vs.delay_loop_ms = 200;
	t->vs.rs = t->rs;
	t->vs.n_rs = n;
	for (size_t i = 0; i < n; i++) {
		t->rs[i].addr = cfg_addr4(LOOPBACK);
		t->rs[i].port = port;
		t->rs[i].weight = 1;
		t->rs[i].checkers = &t->ck[i];
		t->rs[i].n_checkers = 1;
		t->ck[i].type = type;
		t->ck[i].connect_timeout_ms = 1000;
		t->ck[i].retry = 0;
		t->ck[i].delay_before_retry_ms = 100;
		t->ck[i].delay_loop_ms = 200;
		if (type == CFG_CHECK_HTTP || type == CFG_CHECK_SSL) {
			t->ck[i].urls = t->url[i];
			t->ck[i].n_urls = 1;
			t->url[i][0].path = "/";
		}
	}
	return t;
}

struct rec {
	size_t vs, rs;
	bool up;
	int weight;
	double at;
};

HARNESS_UNUSED static struct rec recs[4096];
HARNESS_UNUSED static size_t n_recs;
HARNESS_UNUSED static struct check_engine *eng;
HARNESS_UNUSED static char *logbuf;
HARNESS_UNUSED static size_t loglen;
HARNESS_UNUSED static FILE *logmem;

HARNESS_UNUSED static void on_rs_changed(void *ctx, size_t vs, size_t rs, bool up, int weight)
{
	(void)ctx;
	assert_true(n_recs < sizeof(recs) / sizeof(recs[0]));
	recs[n_recs++] = (struct rec){ vs, rs, up, weight, ev_time() };
}

HARNESS_UNUSED static int engine_setup(void **state)
{
	struct check_ops ops = { .rs_changed = on_rs_changed };

	(void)state;
	n_recs = 0;
	logmem = open_memstream(&logbuf, &loglen);
	rte_openlog_stream(logmem);
	eng = check_engine_create(EV_DEFAULT, &ops);
	return eng != NULL ? 0 : -1;
}

HARNESS_UNUSED static int engine_teardown(void **state)
{
	(void)state;
	check_engine_free(eng);
	eng = NULL;
	rte_openlog_stream(NULL);
	fclose(logmem);
	free(logbuf);
	logbuf = NULL;
	/* Let the reaper collect any script the engine cancelled. */
	for (int i = 0; i < 300 && proc_count() > 0; i++)
		ev_run(EV_DEFAULT, EVRUN_NOWAIT), usleep(10000);
	return 0;
}

HARNESS_UNUSED static bool log_has(const char *fmt, ...)
{
	char want[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	fflush(logmem);
	return logbuf != NULL && strstr(logbuf, want) != NULL;
}

HARNESS_UNUSED static unsigned int log_count(const char *what)
{
	unsigned int n = 0;

	fflush(logmem);
	for (const char *p = logbuf; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

HARNESS_UNUSED static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

/* Runs the loop until pred(arg) holds or max_s seconds pass. */
HARNESS_UNUSED static bool run_until(bool (*pred)(const void *), const void *arg, double max_s)
{
	double end = ev_time() + max_s;
	ev_timer tick;
	bool ok;

	ev_timer_init(&tick, tick_cb, 0.01, 0.01);
	ev_timer_start(EV_DEFAULT, &tick);
	while (!(ok = pred(arg)) && ev_time() < end)
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	ev_timer_stop(EV_DEFAULT, &tick);
	return ok;
}

HARNESS_UNUSED static bool never(const void *arg)
{
	(void)arg;
	return false;
}

HARNESS_UNUSED static void run_for(double s)
{
	run_until(never, NULL, s);
}

/* The last report for real server rs, or NULL. */
HARNESS_UNUSED static const struct rec *last_rec(size_t rs)
{
	for (size_t i = n_recs; i-- > 0;)
		if (recs[i].rs == rs)
			return &recs[i];
	return NULL;
}

struct want {
	size_t rs;
	bool up;
	size_t after; /* only reports from this index on */
};

HARNESS_UNUSED static bool reported(const void *arg)
{
	const struct want *w = arg;

	for (size_t i = w->after; i < n_recs; i++)
		if (recs[i].rs == w->rs && recs[i].up == w->up)
			return true;
	return false;
}

HARNESS_UNUSED static bool wait_report(size_t rs, bool up, size_t after, double max_s)
{
	struct want w = { rs, up, after };

	return run_until(reported, &w, max_s);
}

HARNESS_UNUSED static struct check_status status_of(size_t i)
{
	struct check_status st[MAX_RS];
	size_t n = check_engine_status(eng, st, MAX_RS);

	assert_true(i < n);
	return st[i];
}

HARNESS_UNUSED static bool checks_done(const void *arg)
{
	const uint64_t *n = arg;

	return status_of(0).checks >= *n;
}

HARNESS_UNUSED static void wait_checks(uint64_t n, double max_s)
{
	assert_true(run_until(checks_done, &n, max_s));
}

/* A port nothing listens on. */
HARNESS_UNUSED static uint16_t closed_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

#endif /* HALB_TEST_CHECK_HARNESS_H */
