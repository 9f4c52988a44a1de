/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/log: the rate limiter of repeated lines, driven with a fake clock
 * (one row per scenario: a sequence of lines at given times, what must be
 * logged and which summaries must appear), and keepalived's -S facility
 * spellings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <cmocka.h>

#include "halb_log.h"

#define MAX_STEPS 32

/* One line offered at a time; '+' logged, '-' left out. */
struct step {
	uint64_t at_ms;
	const char *line; /* NULL: a tick */
	char verdict;     /* '+', '-', or 0 for a tick */
};

struct rate_case {
	const char *name;
	unsigned int burst;
	uint64_t window_ms;
	struct step steps[MAX_STEPS];
	const char *summaries[4]; /* in order */
};

struct sink {
	char got[8][LOG_RATE_TEXT + 64];
	int prio[8];
	size_t n;
};

static void sink_emit(void *ctx, int prio, const char *summary)
{
	struct sink *s = ctx;

	assert_true(s->n < 8);
	snprintf(s->got[s->n], sizeof(s->got[0]), "%s", summary);
	s->prio[s->n++] = prio;
}

static const struct rate_case rate_cases[] = {
	{ "a line under the burst is always logged",
	  3,
	  1000,
	  { { 0, "a", '+' }, { 1, "a", '+' }, { 2, "a", '+' }, { 5000, NULL, 0 } },
	  { NULL } },
	{ "past the burst: left out, then one summary at the tick",
	  2,
	  1000,
	  { { 0, "check down", '+' },
	    { 10, "check down", '+' },
	    { 20, "check down", '-' },
	    { 30, "check down", '-' },
	    { 40, "check down", '-' },
	    { 999, NULL, 0 },
	    { 1000, NULL, 0 } },
	  { "last message repeated 3 times: check down" } },
	{ "a flapping checker: two lines alternate, each counted on its own",
	  1,
	  1000,
	  { { 0, "RS up", '+' },
	    { 1, "RS down", '+' },
	    { 2, "RS up", '-' },
	    { 3, "RS down", '-' },
	    { 4, "RS up", '-' },
	    { 2000, NULL, 0 } },
	  { "last message repeated 2 times: RS up", "last message repeated 1 times: RS down" } },
	{ "the next copy after the window says what was left out and is logged",
	  1,
	  100,
	  { { 0, "x", '+' }, { 50, "x", '-' }, { 150, "x", '+' }, { 160, "x", '-' } },
	  { "last message repeated 1 times: x" } },
	{ "lines differing in one digit are different lines",
	  1,
	  1000,
	  { { 0, "RS 10.0.0.1 down", '+' }, { 1, "RS 10.0.0.2 down", '+' } },
	  { NULL } },
};

static void test_rate_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(rate_cases) / sizeof(rate_cases[0]); c++) {
		const struct rate_case *rc = &rate_cases[c];
		struct log_rate r;
		struct sink sink = { 0 };
		size_t want = 0;

		log_rate_init(&r, rc->burst, rc->window_ms);
		for (const struct step *s = rc->steps; s->line != NULL || s->at_ms != 0; s++) {
			if (s->line == NULL) {
				log_rate_tick(&r, s->at_ms, sink_emit, &sink);
				continue;
			}
			bool ok = log_rate_admit(&r, s->line, strlen(s->line), LOG_WARNING,
						 s->at_ms, sink_emit, &sink);
			if (ok != (s->verdict == '+'))
				fail_msg("%s: '%s' at %llu ms: %s", rc->name, s->line,
					 (unsigned long long)s->at_ms, ok ? "logged" : "left out");
		}
		while (want < 4 && rc->summaries[want] != NULL)
			want++;
		if (sink.n != want)
			fail_msg("%s: %zu summaries, expected %zu (first: %s)", rc->name, sink.n,
				 want, sink.n ? sink.got[0] : "-");
		for (size_t i = 0; i < want; i++) {
			assert_string_equal(sink.got[i], rc->summaries[i]);
			assert_int_equal(sink.prio[i], LOG_WARNING);
		}
	}
}

/* More distinct lines than slots: the oldest slot is reused and its
 * suppressed copies are summed up first, never lost. */
static void test_rate_slot_reuse(void **state)
{
	struct log_rate r;
	struct sink sink = { 0 };
	char line[32];

	(void)state;
	log_rate_init(&r, 1, 60000);
	assert_true(log_rate_admit(&r, "first", 5, LOG_ERR, 0, sink_emit, &sink));
	assert_false(log_rate_admit(&r, "first", 5, LOG_ERR, 1, sink_emit, &sink));
	for (int i = 0; i < LOG_RATE_SLOTS; i++) {
		snprintf(line, sizeof(line), "other %d", i);
		assert_true(log_rate_admit(&r, line, strlen(line), LOG_ERR, 10 + (uint64_t)i,
					   sink_emit, &sink));
	}
	assert_int_equal(sink.n, 1);
	assert_string_equal(sink.got[0], "last message repeated 1 times: first");
	assert_int_equal(sink.prio[0], LOG_ERR);
}

/* A long line is followed whole but summarised by its first bytes. */
static void test_rate_long_line(void **state)
{
	struct log_rate r;
	struct sink sink = { 0 };
	char line[600];

	(void)state;
	memset(line, 'x', sizeof(line));
	log_rate_init(&r, 0, 10);
	assert_false(log_rate_admit(&r, line, sizeof(line), LOG_INFO, 0, sink_emit, &sink));
	log_rate_tick(&r, 10, sink_emit, &sink);
	assert_int_equal(sink.n, 1);
	assert_int_equal(strlen(sink.got[0]),
			 strlen("last message repeated 1 times: ") + LOG_RATE_TEXT - 1);
}

static void test_facility(void **state)
{
	static const struct {
		const char *in;
		int rc, facility;
	} rows[] = {
		{ "0", 0, LOG_LOCAL0 },
		{ "7", 0, LOG_LOCAL7 },
		{ "local3", 0, LOG_LOCAL3 },
		{ "user", 0, LOG_USER },
		{ "daemon", 0, LOG_DAEMON },
		{ "8", -1, 0 },
		{ "local8", -1, 0 },
		{ "", -1, 0 },
		{ "07", -1, 0 },
		{ "kern", -1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int f = -1;

		if (log_facility_parse(rows[i].in, &f) != rows[i].rc)
			fail_msg("-S '%s': expected %d", rows[i].in, rows[i].rc);
		if (rows[i].rc == 0)
			assert_int_equal(f, rows[i].facility);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_table),
		cmocka_unit_test(test_rate_slot_reuse),
		cmocka_unit_test(test_rate_long_line),
		cmocka_unit_test(test_facility),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
