/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/check.
 *
 * The pure parts first: the HTTP reader on recorded responses fed in chunks
 * of every size (digests precomputed with md5sum), the checker state machine
 * on a fake clock, the quorum rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_check.h"

/* ======================================================== HTTP reader */

#define MD5_HELLO_WORLD "6f5902ac237024bdd0c176cb93063dc4" /* "hello world\n" */
#define MD5_WIKIPEDIA   "25b83662323c397c9944a8a7b3fef7ab" /* "Wikipedia in\r\n\r\nchunks." */
#define MD5_HELLO       "b1946ac92492d2347c6235b4d2611184" /* "hello\n" */
#define MD5_EMPTY       "d41d8cd98f00b204e9800998ecf8427e"
#define MD5_UNTIL_CLOSE "52612b66543cbe2884fe4f8494b8f5d7" /* "until close body" */
#define MD5_100K_X      "d5816f35916d1d9482fb0f1ec201101d" /* 100000 'x' */

static const char resp_200_len[] = "HTTP/1.1 200 OK\r\n"
				   "Server: nginx\r\n"
				   "Content-Type: text/html\r\n"
				   "Content-Length: 12\r\n"
				   "Connection: close\r\n"
				   "\r\n"
				   "hello world\n";

static const char resp_chunked[] = "HTTP/1.1 200 OK\r\n"
				   "Transfer-Encoding: chunked\r\n"
				   "\r\n"
				   "4\r\nWiki\r\n"
				   "5;name=value\r\npedia\r\n"
				   "E\r\n in\r\n\r\nchunks.\r\n"
				   "0\r\n"
				   "X-Trailer: yes\r\n"
				   "\r\n";

/* Feeds text in pieces of `step` bytes (0: all at once), then the end of the
 * stream when eof is set; returns the final state. */
static enum check_http_state feed(struct check_http_reader *r, const char *text, size_t len,
				  size_t step, bool eof)
{
	enum check_http_state st = CHECK_HTTP_INCOMPLETE;

	check_http_reader_reset(r);
	if (step == 0)
		step = len;
	for (size_t off = 0; off < len; off += step) {
		size_t n = len - off < step ? len - off : step;

		st = check_http_reader_feed(r, text + off, n);
	}
	if (len == 0)
		st = check_http_reader_feed(r, "", 0);
	return eof ? check_http_reader_eof(r) : st;
}

/* The same text must give the same verdict however it is split. */
static void assert_complete_any_split(const char *text, size_t len, int status, const char *digest,
				      bool eof)
{
	struct check_http_reader *r = check_http_reader_new(0, 0);
	static const size_t steps[] = { 0, 1, 2, 3, 7, 16, 100 };

	assert_non_null(r);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum check_http_state st = feed(r, text, len, steps[i], eof);

		if (st != CHECK_HTTP_COMPLETE)
			fail_msg("step %zu: state %d, error '%s'", steps[i], st,
				 check_http_reader_error(r));
		assert_int_equal(check_http_reader_status(r), status);
		assert_string_equal(check_http_reader_digest(r), digest);
	}
	check_http_reader_free(r);
}

static void assert_error(const char *text, size_t len, bool eof, const char *what)
{
	struct check_http_reader *r = check_http_reader_new(0, 0);
	static const size_t steps[] = { 0, 1, 5 };

	assert_non_null(r);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		enum check_http_state st = feed(r, text, len, steps[i], eof);

		if (st != CHECK_HTTP_ERROR || strstr(check_http_reader_error(r), what) == NULL)
			fail_msg("step %zu: state %d, error '%s', wanted '%s'", steps[i], st,
				 check_http_reader_error(r), what);
		assert_string_equal(check_http_reader_digest(r), "");
	}
	check_http_reader_free(r);
}

#define S(lit) lit, sizeof(lit) - 1

static void test_reader_content_length(void **state)
{
	(void)state;
	/* Complete as soon as Content-Length bytes are in: no need to wait
	 * for the server to close. */
	assert_complete_any_split(S(resp_200_len), 200, MD5_HELLO_WORLD, false);
	/* Bytes past the body are ignored. */
	assert_complete_any_split(S("HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\nEXTRA"),
				  200, MD5_HELLO, false);
	/* Identical repeated lengths are one length. */
	assert_complete_any_split(S("HTTP/1.1 200 OK\r\nContent-Length: 6, 6\r\n\r\nhello\n"), 200,
				  MD5_HELLO, false);
	assert_complete_any_split(S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 200, MD5_EMPTY,
				  false);
}

static void test_reader_chunked(void **state)
{
	(void)state;
	assert_complete_any_split(S(resp_chunked), 200, MD5_WIKIPEDIA, false);
	/* chunked wins over Content-Length; codings before it are ignored. */
	assert_complete_any_split(S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				    "Transfer-Encoding: gzip, chunked\r\n\r\n"
				    "6\r\nhello\n\r\n0\r\n\r\n"),
				  200, MD5_HELLO, false);
	/* Upper-case hex and bare LF line ends. */
	assert_complete_any_split(S("HTTP/1.1 200 OK\ntransfer-encoding: CHUNKED\n\n"
				    "C\nhello world\n\n0\n\n"),
				  200, MD5_HELLO_WORLD, false);
}

static void test_reader_until_close(void **state)
{
	char *big;
	size_t hl;

	(void)state;
	assert_complete_any_split(S("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nuntil close body"), 200,
				  MD5_UNTIL_CLOSE, true);
	/* A coding other than chunked last: read until close. */
	assert_complete_any_split(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
				    "until close body"),
				  200, MD5_UNTIL_CLOSE, true);
	/* A 100 KB body streamed (digested, not stored). */
	big = malloc(200000);
	assert_non_null(big);
	hl = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\n\r\n");
	memset(big + hl, 'x', 100000);
	assert_complete_any_split(big, hl + 100000, 200, MD5_100K_X, true);
	free(big);
}

static void test_reader_no_body_and_interim(void **state)
{
	(void)state;
	assert_complete_any_split(S("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"), 204,
				  MD5_EMPTY, false);
	assert_complete_any_split(S("HTTP/1.1 304 Not Modified\r\n\r\n"), 304, MD5_EMPTY, false);
	/* 1xx interim responses are skipped. */
	assert_complete_any_split(S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
				    "Link: </a>\r\n\r\n"
				    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n"),
				  200, MD5_HELLO, false);
	/* A status line without a reason phrase. */
	assert_complete_any_split(S("HTTP/1.1 200\r\nContent-Length: 6\r\n\r\nhello\n"), 200,
				  MD5_HELLO, false);
}

static void test_reader_status_acceptance(void **state)
{
	struct cfg_url any2xx, redirects;

	(void)state;
	memset(&any2xx, 0, sizeof(any2xx));
	memset(&redirects, 0, sizeof(redirects));
	for (int c = 300; c <= 399; c++)
		redirects.status[(c - 100) / 64] |= 1ULL << ((c - 100) % 64);

	assert_true(check_http_status_ok(&any2xx, 200));
	assert_true(check_http_status_ok(&any2xx, 204));
	assert_true(check_http_status_ok(&any2xx, 299));
	assert_false(check_http_status_ok(&any2xx, 301));
	assert_false(check_http_status_ok(&any2xx, 500));
	assert_false(check_http_status_ok(&any2xx, 199));
	assert_true(check_http_status_ok(&redirects, 301));
	assert_true(check_http_status_ok(&redirects, 399));
	assert_false(check_http_status_ok(&redirects, 200));
	assert_false(check_http_status_ok(&redirects, 500));
	assert_false(check_http_status_ok(&redirects, 0));
	assert_false(check_http_status_ok(&redirects, 600));

	/* A recorded 301 and 500 read fine; acceptance is the url's business. */
	assert_complete_any_split(S("HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n"
				    "Content-Length: 0\r\n\r\n"),
				  301, MD5_EMPTY, false);
	assert_complete_any_split(S("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 6\r\n"
				    "\r\nhello\n"),
				  500, MD5_HELLO, false);
}

static void test_reader_truncated(void **state)
{
	(void)state;
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this"), true,
		     "truncated body (9 of 100 bytes)");
	assert_error(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort"), true,
		     "truncated chunked body");
	/* The last chunk without its final CRLF is not complete either. */
	assert_error(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"), true,
		     "truncated chunked body");
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Le"), true, "truncated response");
	assert_error(S("HTTP/1.1 2"), true, "truncated response");
	assert_error("", 0, true, "no data received");
}

static void test_reader_garbage(void **state)
{
	(void)state;
	assert_error(S("SSH-2.0-OpenSSH_9.2\r\n"), false, "not an HTTP/1.x response");
	assert_error(S("HTTP/2 200\r\n\r\n"), false, "not an HTTP/1.x response");
	assert_error(S("HTTP/1.1 abc OK\r\n\r\n"), false, "bad status code");
	assert_error(S("HTTP/1.1 2000 OK\r\n\r\n"), false, "bad status code");
	assert_error(S("HTTP/1.1 600 Nope\r\n\r\n"), false, "bad status code");
	assert_error(S("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"), false, "malformed header line");
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"), false,
		     "invalid Content-Length");
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"), false,
		     "invalid Content-Length");
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), false,
		     "conflicting Content-Length");
	assert_error(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), false,
		     "bad chunk size");
	assert_error(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY"), false,
		     "bad chunk terminator");
	assert_error("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", 12, false,
		     "not an HTTP/1.x response");
}

static void test_reader_limits(void **state)
{
	static char big[20000];
	struct check_http_reader *r;
	size_t len;

	(void)state;
	/* A header larger than the limit. */
	len = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(big + len, 'a', 17000);
	len += 17000;
	len += (size_t)sprintf(big + len, "\r\n\r\n");
	assert_error(big, len, false, "header larger than 16384 bytes");

	/* Bodies larger than the limit: announced, streamed, or chunked. */
	assert_error(S("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n"), false,
		     "body larger than 1048576 bytes");
	r = check_http_reader_new(64, 10);
	assert_non_null(r);
	assert_int_equal(feed(r, S("HTTP/1.0 200 OK\r\n\r\n0123456789"), 0, false),
			 CHECK_HTTP_INCOMPLETE);
	assert_int_equal(check_http_reader_feed(r, "X", 1), CHECK_HTTP_ERROR);
	assert_string_equal(check_http_reader_error(r), "body larger than 10 bytes");
	assert_int_equal(feed(r,
			      S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"b\r\n"),
			      0, false),
			 CHECK_HTTP_ERROR);
	assert_int_equal(feed(r,
			      S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				"FFFFFFFFFFFFFFFFFFFFFFFF\r\n"),
			      0, false),
			 CHECK_HTTP_ERROR);
	/* The limit counts headers across interim responses too. */
	assert_int_equal(feed(r,
			      S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
				"HTTP/1.1 100 Continue\r\n\r\n"),
			      1, false),
			 CHECK_HTTP_ERROR);
	check_http_reader_free(r);
}

static void test_request_builder(void **state)
{
	char buf[512];
	int n;

	(void)state;
	n = check_http_request(buf, sizeof(buf), "/", NULL, 0xac110107, 80);
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: 172.17.1.7:80\r\nConnection: close\r\n\r\n");
	assert_int_equal(n, (int)strlen(buf));
	check_http_request(buf, sizeof(buf), "/health?x=1", "www.example.com", 0xac110107, 8080);
	assert_string_equal(buf, "GET /health?x=1 HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: www.example.com\r\nConnection: close\r\n\r\n");
	assert_int_equal(check_http_request(buf, sizeof(buf), "/a b", NULL, 1, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "/\r\nX: y", NULL, 1, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "", NULL, 1, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "/", "evil\r\nhost", 1, 80), -1);
	assert_int_equal(check_http_request(buf, 20, "/", NULL, 1, 80), -1);
}

/* ================================================= checker state machine */

static void test_fsm_retries_then_down(void **state)
{
	struct check_fsm f;
	uint64_t t = 0;

	(void)state;
	/* The seed: delay_loop 6, nb_get_retry 3, delay_before_retry 3. */
	check_fsm_init(&f, 3, 6000, 3000, false, 100);
	assert_true(f.up);
	assert_int_equal(f.next_ms, 100);
	t = 100;
	assert_int_equal(check_fsm_step(&f, true, t), CHECK_FSM_OK);
	assert_int_equal(f.next_ms, t + 6000);
	t = f.next_ms;
	/* Three failures are retried, delay_before_retry apart ... */
	for (unsigned int i = 1; i <= 3; i++) {
		assert_int_equal(check_fsm_step(&f, false, t), CHECK_FSM_RETRY);
		assert_true(f.up);
		assert_int_equal(f.failures, i);
		assert_int_equal(f.next_ms, t + 3000);
		t = f.next_ms;
	}
	/* ... the fourth (retry + 1) takes it down; then every delay_loop. */
	assert_int_equal(check_fsm_step(&f, false, t), CHECK_FSM_DOWN);
	assert_false(f.up);
	assert_int_equal(f.next_ms, t + 6000);
	t = f.next_ms;
	assert_int_equal(check_fsm_step(&f, false, t), CHECK_FSM_FAILED);
	assert_int_equal(f.next_ms, t + 6000);
	assert_int_equal(f.failures, 5);
	/* One success brings it back. */
	t = f.next_ms;
	assert_int_equal(check_fsm_step(&f, true, t), CHECK_FSM_UP);
	assert_true(f.up);
	assert_int_equal(f.failures, 0);
	assert_int_equal(f.next_ms, t + 6000);
}

static void test_fsm_success_resets_retries(void **state)
{
	struct check_fsm f;

	(void)state;
	check_fsm_init(&f, 2, 1000, 100, false, 0);
	assert_int_equal(check_fsm_step(&f, true, 0), CHECK_FSM_OK);
	assert_int_equal(check_fsm_step(&f, false, 1000), CHECK_FSM_RETRY);
	assert_int_equal(check_fsm_step(&f, false, 1100), CHECK_FSM_RETRY);
	assert_int_equal(check_fsm_step(&f, true, 1200), CHECK_FSM_OK);
	assert_int_equal(check_fsm_step(&f, false, 2200), CHECK_FSM_RETRY);
	assert_int_equal(f.failures, 1);
	assert_true(f.up);
}

static void test_fsm_first_failure_is_enough(void **state)
{
	struct check_fsm f;

	(void)state;
	/* keepalived starts with retry_it = retry: a server that is dead at
	 * start-up is not given the retries. */
	check_fsm_init(&f, 3, 6000, 3000, false, 0);
	assert_int_equal(check_fsm_step(&f, false, 0), CHECK_FSM_DOWN);
	assert_false(f.up);
	assert_int_equal(f.next_ms, 6000);
}

static void test_fsm_retry_zero(void **state)
{
	struct check_fsm f;

	(void)state;
	check_fsm_init(&f, 0, 1000, 100, false, 0);
	assert_int_equal(check_fsm_step(&f, true, 0), CHECK_FSM_OK);
	assert_int_equal(check_fsm_step(&f, false, 1000), CHECK_FSM_DOWN);
}

static void test_fsm_alpha(void **state)
{
	struct check_fsm f;

	(void)state;
	check_fsm_init(&f, 3, 6000, 3000, true, 0);
	assert_false(f.up);
	assert_int_equal(check_fsm_step(&f, false, 0), CHECK_FSM_FAILED);
	assert_false(f.up);
	assert_int_equal(f.next_ms, 6000);
	assert_int_equal(check_fsm_step(&f, true, 6000), CHECK_FSM_UP);
	assert_true(f.up);
}

static void test_fsm_delay_loop_rounds(void **state)
{
	struct check_fsm f;
	uint64_t t = 500;

	(void)state;
	check_fsm_init(&f, 1, 2000, 500, false, t);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(f.next_ms, t);
		assert_int_equal(check_fsm_step(&f, true, t), CHECK_FSM_OK);
		t += 2000;
	}
	/* A reload changes the timing, not the health. */
	check_fsm_set_timing(&f, 1, 3000, 500);
	assert_int_equal(check_fsm_step(&f, false, t), CHECK_FSM_RETRY);
	assert_int_equal(f.next_ms, t + 500);
	assert_int_equal(check_fsm_step(&f, true, t + 500), CHECK_FSM_OK);
	assert_int_equal(f.next_ms, t + 3500);
}

/* ================================================================= quorum */

static void test_quorum(void **state)
{
	(void)state;
	/* quorum 3, hysteresis 1: gained at 4, kept down to 2, lost below. */
	assert_false(check_quorum_eval(3, 3, 1, false));
	assert_true(check_quorum_eval(4, 3, 1, false));
	assert_true(check_quorum_eval(2, 3, 1, true));
	assert_false(check_quorum_eval(1, 3, 1, true));
	assert_int_equal(check_quorum_threshold(3, 1, false), 4);
	assert_int_equal(check_quorum_threshold(3, 1, true), 2);
	/* Without hysteresis it is a plain comparison. */
	assert_true(check_quorum_eval(1, 1, 0, false));
	assert_false(check_quorum_eval(0, 1, 0, false));
	assert_true(check_quorum_eval(1, 1, 0, true));
	assert_false(check_quorum_eval(0, 1, 0, true));
	/* keepalived: nothing alive loses quorum whatever the threshold. */
	assert_false(check_quorum_eval(0, 1, 1, true));
	assert_int_equal(check_quorum_threshold(1, 5, true), -4);
	assert_true(check_quorum_eval(1, 1, 5, true));
	/* Weights sum, as the caller adds them. */
	assert_true(check_quorum_eval(100000, 65535, 0, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_content_length),
		cmocka_unit_test(test_reader_chunked),
		cmocka_unit_test(test_reader_until_close),
		cmocka_unit_test(test_reader_no_body_and_interim),
		cmocka_unit_test(test_reader_status_acceptance),
		cmocka_unit_test(test_reader_truncated),
		cmocka_unit_test(test_reader_garbage),
		cmocka_unit_test(test_reader_limits),
		cmocka_unit_test(test_request_builder),
		cmocka_unit_test(test_fsm_retries_then_down),
		cmocka_unit_test(test_fsm_success_resets_retries),
		cmocka_unit_test(test_fsm_first_failure_is_enough),
		cmocka_unit_test(test_fsm_retry_zero),
		cmocka_unit_test(test_fsm_alpha),
		cmocka_unit_test(test_fsm_delay_loop_rounds),
		cmocka_unit_test(test_quorum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
