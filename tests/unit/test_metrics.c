/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/metrics: the text exposition format (families, labels and their
 * escapes, integer and float values, exact 64-bit counters), one row per
 * case; and the HTTP server on a loopback port: /metrics answers 200 with
 * the render function's text, other paths 404, other methods 405.
 */
#include <arpa/inet.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "halb_metrics.h"

struct text_case {
	const char *name;
	struct metrics_label labels[3];
	size_t n_labels;
	double value;
	const char *want;
};

static const struct text_case text_cases[] = {
	{ "no labels, integer", { { 0 } }, 0, 42, "m 42\n" },
	{ "labels in order",
	  { { "vip", "10.0.0.1" }, { "port", "80" } },
	  2,
	  1,
	  "m{vip=\"10.0.0.1\",port=\"80\"} 1\n" },
	{ "quote, backslash, newline escaped",
	  { { "l", "a\"b\\c\nd" } },
	  1,
	  0,
	  "m{l=\"a\\\"b\\\\c\\nd\"} 0\n" },
	{ "a fraction", { { 0 } }, 0, 0.25, "m 0.25\n" },
	{ "negative", { { 0 } }, 0, -1, "m -1\n" },
	{ "NaN", { { 0 } }, 0, NAN, "m NaN\n" },
	{ "+Inf", { { 0 } }, 0, INFINITY, "m +Inf\n" },
};

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++) {
		const struct text_case *tc = &text_cases[i];
		struct metrics_buf b = { 0 };

		metrics_sample(&b, "m", tc->labels, tc->n_labels, tc->value);
		if (b.text == NULL || strcmp(b.text, tc->want) != 0)
			fail_msg("%s: got '%s', want '%s'", tc->name, b.text ? b.text : "(null)",
				 tc->want);
		metrics_buf_free(&b);
	}
}

static void test_family_and_u64(void **state)
{
	struct metrics_buf b = { 0 };
	struct metrics_label l = { "reason", "no_connection" };

	(void)state;
	metrics_family(&b, "halb_drops_total", METRICS_COUNTER, "Frames dropped\nby reason \\.");
	metrics_sample_u64(&b, "halb_drops_total", &l, 1, UINT64_MAX);
	assert_string_equal(b.text,
			    "# HELP halb_drops_total Frames dropped\\nby reason \\\\.\n"
			    "# TYPE halb_drops_total counter\n"
			    "halb_drops_total{reason=\"no_connection\"} 18446744073709551615\n");
	metrics_family(&b, "g", METRICS_GAUGE, "x");
	assert_non_null(strstr(b.text, "# TYPE g gauge\n"));
	metrics_buf_free(&b);
}

/* A large page grows the buffer as needed. */
static void test_growth(void **state)
{
	struct metrics_buf b = { 0 };

	(void)state;
	for (int i = 0; i < 20000; i++)
		metrics_sample(&b, "halb_real_server_up", NULL, 0, i);
	assert_false(b.failed);
	assert_non_null(strstr(b.text, "halb_real_server_up 19999\n"));
	metrics_buf_free(&b);
}

static int render(void *ctx, struct metrics_buf *b)
{
	int *calls = ctx;

	(*calls)++;
	metrics_family(b, "halb_test", METRICS_GAUGE, "a test");
	metrics_sample(b, "halb_test", NULL, 0, 7);
	return 0;
}

/* One HTTP/1.0 request on 127.0.0.1:port; returns the whole answer. */
static char *http(uint16_t port, const char *request)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char *buf = calloc(1, 8192);
	size_t len = 0;
	ssize_t n;

	assert_true(fd >= 0 && buf != NULL);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while ((n = read(fd, buf + len, 8191 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return buf;
}

static void test_http(void **state)
{
	struct metrics_server *s = NULL;
	char err[256], *r;
	int calls = 0;
	uint16_t port = 0;

	(void)state;
	/* A free port: a few tries over a high range. */
	for (int i = 0; i < 20 && s == NULL; i++) {
		port = (uint16_t)(40000 + (getpid() * 7 + i * 131) % 20000);
		s = metrics_start(INADDR_LOOPBACK, port, render, &calls, err, sizeof(err));
	}
	assert_non_null(s);
	r = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 200 OK\r\n"));
	assert_non_null(strstr(r, "text/plain; version=0.0.4"));
	assert_non_null(strstr(r, "\r\n\r\n# HELP halb_test a test\n# TYPE halb_test gauge\n"
				  "halb_test 7\n"));
	free(r);
	r = http(port, "GET /other HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(r, " 404 "));
	free(r);
	r = http(port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	assert_non_null(strstr(r, " 405 "));
	free(r);
	assert_int_equal(calls, 1);
	metrics_stop(s);
	/* The same port again: refused while another server holds it. */
	s = metrics_start(INADDR_LOOPBACK, port, render, &calls, err, sizeof(err));
	assert_non_null(s);
	assert_null(metrics_start(INADDR_LOOPBACK, port, render, &calls, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot listen on 127.0.0.1:"));
	metrics_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_family_and_u64),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
