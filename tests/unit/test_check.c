/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/check.
 *
 * The pure parts first: the HTTP reader on recorded responses fed in chunks
 * of every size (digests precomputed with md5sum), the checker state machine
 * on a fake clock, the quorum rule.
 *
 * Then the engine against real servers on 127.0.0.1 run by this test in the
 * same libev loop: an HTTP server that answers, answers 500, never answers,
 * or dribbles its answer; a TLS server with a certificate made here that
 * records the SNI it sees; closed ports; scripts for MISC_CHECK. Every wait
 * is bounded by a wall-clock limit of a few seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <rte_log.h>

#include "halb_check.h"
#include "halb_proc.h"

#define LOOPBACK 0x7f000001u

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
	{
		/* Found by the fuzzer: the verdict must not depend on how the
		 * stream is cut (a long bad terminator line, whole or split). */
		static char bad[1600];
		size_t n = (size_t)sprintf(bad, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
						"\r\n1\r\na");

		memset(bad + n, ']', 1500);
		assert_error(bad, n + 1500, false, "bad chunk terminator");
	}
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
	const struct cfg_addr rs = cfg_addr4(0xac110107), one = cfg_addr4(1);
	struct cfg_addr rs6;

	(void)state;
	assert_true(cfg_parse_addr("2001:db8::7", &rs6));
	n = check_http_request(buf, sizeof(buf), "/", NULL, &rs, 80);
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: 172.17.1.7:80\r\nConnection: close\r\n\r\n");
	assert_int_equal(n, (int)strlen(buf));
	/* RFC 7230 5.4: an IPv6 literal is bracketed */
	check_http_request(buf, sizeof(buf), "/", NULL, &rs6, 8080);
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: [2001:db8::7]:8080\r\nConnection: close\r\n\r\n");
	check_http_request(buf, sizeof(buf), "/health?x=1", "www.example.com", &rs, 8080);
	assert_string_equal(buf, "GET /health?x=1 HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: www.example.com\r\nConnection: close\r\n\r\n");
	assert_int_equal(check_http_request(buf, sizeof(buf), "/a b", NULL, &one, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "/\r\nX: y", NULL, &one, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "", NULL, &one, 80), -1);
	assert_int_equal(check_http_request(buf, sizeof(buf), "/", "evil\r\nhost", &one, 80), -1);
	assert_int_equal(check_http_request(buf, 20, "/", NULL, &one, 80), -1);
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

/* ====================================================== local test servers */

enum ts_mode {
	TS_RESPOND, /* answer the request at once */
	TS_SILENT,  /* accept, read, never answer */
	TS_DRIBBLE, /* answer one byte every dribble_ms */
	TS_GREET,   /* answer on accept, before any request */
};

struct ts_conn;

struct tserver {
	int lfd;
	uint16_t port;
	ev_io accept_io;
	SSL_CTX *ssl;
	enum ts_mode mode;
	const char *response;
	const char *missing_path; /* requests for it get 404 */
	unsigned int dribble_ms;
	char last_request[1024];
	char sni[256];
	uint32_t last_peer; /* the client's address, host order (IPv4) */
	bool v6;            /* listening on ::1 */
	unsigned int accepted;
	unsigned int answered;
	struct ts_conn *conns;
};

struct ts_conn {
	struct ts_conn *next;
	struct tserver *s;
	int fd;
	SSL *ssl;
	bool handshaken;
	ev_io io;
	ev_timer drip;
	char req[2048];
	size_t req_len;
	const char *out;
	size_t out_len, out_off;
};

static const char resp_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";
static const char resp_500[] = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
static const char resp_404[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static void ts_conn_close(struct ts_conn *c)
{
	struct ts_conn **pp = &c->s->conns;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	ev_io_stop(EV_DEFAULT, &c->io);
	ev_timer_stop(EV_DEFAULT, &c->drip);
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	free(c);
}

static long ts_write(struct ts_conn *c, const char *p, size_t n)
{
	size_t w = 0;

	if (c->ssl == NULL)
		return send(c->fd, p, n, MSG_NOSIGNAL);
	return SSL_write_ex(c->ssl, p, n, &w) == 1 ? (long)w : -1;
}

static void ts_drip_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ts_conn *c = w->data;

	(void)loop;
	(void)revents;
	if (ts_write(c, c->out + c->out_off, 1) != 1 || ++c->out_off == c->out_len) {
		c->s->answered++;
		ts_conn_close(c);
		return;
	}
	ev_timer_again(EV_DEFAULT, w);
}

static void ts_answer(struct ts_conn *c)
{
	struct tserver *s = c->s;

	snprintf(s->last_request, sizeof(s->last_request), "%.*s", (int)c->req_len, c->req);
	c->out = s->response;
	if (s->missing_path != NULL && strstr(c->req, s->missing_path) != NULL)
		c->out = resp_404;
	c->out_len = strlen(c->out);
	ev_io_stop(EV_DEFAULT, &c->io);
	if (s->mode == TS_SILENT)
		return;
	if (s->mode == TS_DRIBBLE) {
		ev_timer_init(&c->drip, ts_drip_cb, 0., s->dribble_ms / 1000.0);
		c->drip.data = c;
		ev_timer_again(EV_DEFAULT, &c->drip);
		return;
	}
	assert_int_equal(ts_write(c, c->out, c->out_len), (long)c->out_len);
	s->answered++;
	ts_conn_close(c);
}

static void ts_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ts_conn *c = w->data;
	long n;

	(void)loop;
	(void)revents;
	if (c->ssl != NULL && !c->handshaken) {
		int r = SSL_do_handshake(c->ssl);

		if (r != 1) {
			int err = SSL_get_error(c->ssl, r);

			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
				ts_conn_close(c);
			return;
		}
		c->handshaken = true;
		snprintf(c->s->sni, sizeof(c->s->sni), "%s",
			 SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name) ?: "");
	}
	if (c->ssl != NULL) {
		size_t got = 0;

		n = SSL_read_ex(c->ssl, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len,
				&got) == 1
			? (long)got
			: (SSL_get_error(c->ssl, 0) == SSL_ERROR_WANT_READ ? -2 : 0);
	} else {
		n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len, 0);
		if (n < 0 && errno == EAGAIN)
			n = -2;
	}
	if (n == -2)
		return;
	if (n <= 0) {
		ts_conn_close(c);
		return;
	}
	c->req_len += (size_t)n;
	c->req[c->req_len] = '\0';
	if (strstr(c->req, "\r\n\r\n") != NULL)
		ts_answer(c);
}

static void ts_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct tserver *s = w->data;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct ts_conn *c;
	int fd = accept4(s->lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)loop;
	(void)revents;
	if (fd < 0)
		return;
	if (peer.ss_family == AF_INET)
		s->last_peer = ntohl(((struct sockaddr_in *)&peer)->sin_addr.s_addr);
	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->s = s;
	c->fd = fd;
	if (s->ssl != NULL) {
		c->ssl = SSL_new(s->ssl);
		SSL_set_fd(c->ssl, fd);
		SSL_set_accept_state(c->ssl);
	}
	c->next = s->conns;
	s->conns = c;
	s->accepted++;
	ev_io_init(&c->io, ts_conn_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(EV_DEFAULT, &c->io);
	if (s->mode == TS_GREET)
		ts_answer(c);
}

/* Listens on 127.0.0.1, or ::1 with v6, on a port of the kernel's choice. */
static void tserver_listen(struct tserver *s, SSL_CTX *ssl, bool v6)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr *a = v6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa;
	socklen_t len = v6 ? sizeof(sa6) : sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->ssl = ssl;
	s->v6 = v6;
	s->response = resp_ok;
	s->lfd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, a, len), 0);
	assert_int_equal(listen(s->lfd, 1024), 0);
	assert_int_equal(getsockname(s->lfd, a, &len), 0);
	s->port = ntohs(v6 ? sa6.sin6_port : sa.sin_port);
	ev_io_init(&s->accept_io, ts_accept_cb, s->lfd, EV_READ);
	s->accept_io.data = s;
	ev_io_start(EV_DEFAULT, &s->accept_io);
}

static void tserver_start(struct tserver *s, SSL_CTX *ssl)
{
	tserver_listen(s, ssl, false);
}

static void tserver_stop(struct tserver *s)
{
	ev_io_stop(EV_DEFAULT, &s->accept_io);
	while (s->conns != NULL)
		ts_conn_close(s->conns);
	close(s->lfd);
}

/* A TLS server context with a self-signed certificate made on the spot. */
static SSL_CTX *tls_server_ctx(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(pkey);
	assert_non_null(x);
	assert_non_null(ctx);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"halb-test", -1,
				   -1, 0);
	X509_set_issuer_name(x, name);
	assert_true(X509_sign(x, pkey, EVP_sha256()) > 0);
	assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, pkey), 1);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return ctx;
}

/* ============================================================ engine tests */

#include "check_harness.h"

/* ------------------------------------------------------------ HTTP_GET */

static void test_engine_http_up_alpha(void **state)
{
	struct tserver s;
	struct tconf *t;
	char want[256];
	struct check_status st;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	/* apply reports the starting health: down under alpha. */
	assert_int_equal(n_recs, 1);
	assert_false(recs[0].up);
	assert_int_equal(recs[0].weight, -1);
	assert_true(wait_report(0, true, 1, 3.0));
	st = status_of(0);
	assert_true(st.up);
	assert_string_equal(st.last_result, "ok");
	assert_string_equal(st.reason, "HTTP status 200");
	assert_int_equal(st.ip.af, 4);
	assert_int_equal(st.ip.v4, LOOPBACK);
	assert_int_equal(st.port, s.port);
	assert_int_equal(st.type, CFG_CHECK_HTTP);
	snprintf(want, sizeof(want),
		 "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:%u\r\n"
		 "Connection: close\r\n\r\n",
		 s.port);
	assert_string_equal(s.last_request, want);
	assert_true(log_has("HTTP_GET on 127.0.0.1:%u succeeded", s.port));
	assert_true(check_engine_rs_health(eng, 0, 0, NULL));
	/* It keeps checking every delay_loop without reporting again. */
	wait_checks(3, 2.0);
	assert_int_equal(n_recs, 2);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

/* Over IPv6: the HTTP_GET and the TCP_CHECK connect to ::1, the request
 * names the server [::1]:port, the status says where it went, and a port
 * nothing listens on fails. */
static void test_engine_ipv6(void **state)
{
	struct tserver s;
	struct tconf *t;
	struct check_status st;
	char want[256];

	(void)state;
	tserver_listen(&s, NULL, true);
	t = tconf_new(2, CFG_CHECK_HTTP, s.port);
	t->vs.alpha = true;
	assert_true(cfg_parse_addr("2001:db8::100", &t->vs.addr));
	for (int i = 0; i < 2; i++)
		assert_true(cfg_parse_addr("::1", &t->rs[i].addr));
	t->ck[1].type = CFG_CHECK_TCP;
	t->rs[1].port = closed_port();
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 2, 3.0));
	st = status_of(0);
	assert_true(st.up);
	assert_int_equal(st.ip.af, 6);
	snprintf(want, sizeof(want),
		 "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [::1]:%u\r\n"
		 "Connection: close\r\n\r\n",
		 s.port);
	assert_string_equal(s.last_request, want);
	assert_true(log_has("HTTP_GET on [::1]:%u succeeded", s.port));
	wait_checks(2, 2.0);
	assert_false(status_of(1).up);
	assert_string_equal(status_of(1).last_result, "connection refused");
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_http_refused(void **state)
{
	struct tconf *t = tconf_new(1, CFG_CHECK_HTTP, closed_port());
	struct check_status st;

	(void)state;
	t->ck[0].retry = 3;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(recs[0].up);
	/* At start-up one failure is enough, as in keepalived. */
	assert_true(wait_report(0, false, 1, 2.0));
	st = status_of(0);
	assert_false(st.up);
	assert_string_equal(st.last_result, "connection refused");
	assert_int_equal(st.failures, 1);
	assert_true(log_has("HTTP_GET on 127.0.0.1:%u failed: connection refused", t->rs[0].port));
	assert_true(log_has("Check on service [127.0.0.1]:tcp:%u failed.", t->rs[0].port));
	free(t);
}

static void test_engine_http_timeout(void **state)
{
	struct tserver s;
	struct tconf *t;
	struct check_status st;
	double t0 = ev_time();

	(void)state;
	tserver_start(&s, NULL);
	s.mode = TS_SILENT;
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->ck[0].connect_timeout_ms = 300;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, false, 1, 3.0));
	assert_true(last_rec(0)->at - t0 >= 0.29);
	st = status_of(0);
	assert_string_equal(st.last_result, "timeout");
	assert_string_equal(st.reason, "timeout after 300 ms waiting for the complete response");
	assert_int_equal(s.accepted, 1);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_http_dribble(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	/* 45 bytes at 20 ms each: 0.9 s, complete but too slow for 300 ms. */
	tserver_start(&s, NULL);
	s.mode = TS_DRIBBLE;
	s.dribble_ms = 20;
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->ck[0].connect_timeout_ms = 300;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, false, 1, 3.0));
	assert_string_equal(status_of(0).last_result, "timeout");
	assert_int_equal(s.answered, 0);

	/* The same dribble within a 2 s bound passes. */
	t->ck[0].connect_timeout_ms = 2000;
	t->ck[0].delay_loop_ms = 100;
	t->url[0][0].path = "/slow"; /* a different checker: starts afresh */
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(recs[0].up);
	wait_checks(1, 4.0);
	assert_true(status_of(0).up);
	assert_string_equal(status_of(0).last_result, "ok");
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_http_retries(void **state)
{
	struct tserver s;
	struct tconf *t;
	double t_fail, t_down;
	size_t mark;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->ck[0].retry = 2;
	t->ck[0].delay_before_retry_ms = 150;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	wait_checks(1, 2.0);
	assert_true(status_of(0).up);

	s.response = resp_500;
	t_fail = ev_time();
	mark = n_recs;
	assert_true(wait_report(0, false, mark, 3.0));
	t_down = last_rec(0)->at;
	/* Three failed attempts: the first within a delay_loop, then two
	 * retries delay_before_retry apart. */
	assert_true(t_down - t_fail >= 2 * 0.150);
	assert_true(t_down - t_fail < 0.200 + 2 * 0.150 + 0.5);
	assert_string_equal(status_of(0).last_result, "HTTP status 500");
	assert_int_equal(status_of(0).failures, 3);
	assert_int_equal(log_count("failed: HTTP status 500"), 3);
	assert_true(log_has("Check on service [127.0.0.1]:tcp:%u failed after 2 retries.", s.port));

	s.response = resp_ok;
	mark = n_recs;
	assert_true(wait_report(0, true, mark, 2.0));
	assert_true(log_has("HTTP_GET on 127.0.0.1:%u succeeded", s.port));
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_http_digest(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(2, CFG_CHECK_HTTP, s.port);
	t->vs.alpha = true;
	t->url[0][0].has_digest = true;
	strcpy(t->url[0][0].digest, MD5_HELLO);
	t->url[1][0].has_digest = true;
	strcpy(t->url[1][0].digest, MD5_EMPTY);
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(status_of(0).reason, "HTTP status 200, digest ok");
	wait_checks(2, 2.0);
	assert_false(status_of(1).up);
	assert_string_equal(status_of(1).last_result, "digest mismatch");
	assert_non_null(strstr(status_of(1).reason, "got " MD5_HELLO));
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_http_vhost_and_urls(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, NULL);
	s.missing_path = "/missing";
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->vs.virtualhost = "www.example.com";
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_non_null(strstr(s.last_request, "\r\nHost: www.example.com\r\n"));

	/* Every url must pass, each on its own connection. */
	t->url[0][1].path = "/missing";
	t->url[0][1].virtualhost = "other.example.com";
	t->ck[0].n_urls = 2;
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_false(recs[0].up); /* a new checker, alpha */
	wait_checks(1, 3.0);
	assert_false(status_of(0).up);
	assert_string_equal(status_of(0).last_result, "HTTP status 404");
	assert_non_null(strstr(s.last_request, "GET /missing HTTP/1.0"));
	assert_non_null(strstr(s.last_request, "\r\nHost: other.example.com\r\n"));
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_connect_to_and_bindto(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, NULL);
	/* The real server is elsewhere; the checker goes where it is told,
	 * from the address it is told. */
	t = tconf_new(1, CFG_CHECK_HTTP, 9);
	t->rs[0].addr = cfg_addr4(0xc0000201); /* 192.0.2.1 */
	t->ck[0].has_connect_ip = true;
	t->ck[0].connect_ip = cfg_addr4(LOOPBACK);
	t->ck[0].connect_port = s.port;
	t->ck[0].has_bindto = true;
	t->ck[0].bindto = cfg_addr4(LOOPBACK + 1); /* 127.0.0.2 */
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_int_equal(s.last_peer, LOOPBACK + 1);
	assert_int_equal(status_of(0).ip.v4, LOOPBACK);
	assert_int_equal(status_of(0).port, s.port);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

static void test_engine_local_error_counted(void **state)
{
	struct tconf *t = tconf_new(1, CFG_CHECK_TCP, 80);

	(void)state;
	/* bindto an address this host does not have: the server cannot be
	 * checked, which must never count as a pass (nor as nothing, which
	 * left a server up for ever): it is a failed check. */
	t->ck[0].has_bindto = true;
	t->ck[0].bindto = cfg_addr4(0xc0000201);
	t->ck[0].retry = 0;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	run_for(0.5);
	assert_false(status_of(0).up);
	assert_true(status_of(0).checks >= 1);
	assert_true(status_of(0).failures >= 1);
	assert_true(log_has("TCP_CHECK on 127.0.0.1:80 could not run: bind: cannot assign "
			    "requested address; counted as a failure"));
	free(t);
}

/* ------------------------------------------------------------- SSL_GET */

static void test_engine_ssl_sni(void **state)
{
	SSL_CTX *ctx = tls_server_ctx();
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, ctx);
	t = tconf_new(1, CFG_CHECK_SSL, s.port);
	t->vs.alpha = true;
	t->ck[0].enable_sni = true;
	t->ck[0].virtualhost = "sni.halb.test";
	t->url[0][0].has_digest = true;
	strcpy(t->url[0][0].digest, MD5_HELLO);
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(s.sni, "sni.halb.test");
	assert_non_null(strstr(s.last_request, "\r\nHost: sni.halb.test\r\n"));
	assert_string_equal(status_of(0).reason, "HTTP status 200, digest ok");

	/* Without enable_sni, no SNI (keepalived), the Host header stays. */
	t->ck[0].enable_sni = false;
	s.sni[0] = 'x';
	s.sni[1] = '\0';
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(s.sni, "");
	assert_true(status_of(0).up);

	/* A plain server talking first is a failed handshake. */
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	tserver_start(&s, NULL);
	s.mode = TS_GREET;
	struct check_ops ops = { .rs_changed = on_rs_changed };
	eng = check_engine_create(EV_DEFAULT, &ops);
	t->rs[0].port = s.port;
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	wait_checks(1, 3.0);
	assert_false(status_of(0).up);
	assert_string_equal(status_of(0).last_result, "TLS handshake failed");
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	SSL_CTX_free(ctx);
	free(t);
}

/* ----------------------------------------------------------- TCP_CHECK */

static void test_engine_tcp(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(2, CFG_CHECK_TCP, s.port);
	t->rs[1].port = closed_port();
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(status_of(0).reason, "connected");
	run_for(0.3);
	assert_false(status_of(1).up);
	assert_true(status_of(1).checks >= 1);
	assert_string_equal(status_of(1).last_result, "connection refused");
	assert_false(check_engine_rs_health(eng, 0, 1, NULL));
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

/* ---------------------------------------------------------- MISC_CHECK */

static void test_engine_misc(void **state)
{
	struct tconf *t = tconf_new(4, CFG_CHECK_MISC, 80);
	double t0 = ev_time();
	int weight = 0;

	(void)state;
	t->vs.alpha = true;
	t->ck[0].misc_path = "exit 0";
	t->ck[1].misc_path = "exit 1";
	t->ck[2].misc_path = "sleep 10";
	t->ck[2].misc_timeout_ms = 300;
	t->ck[3].misc_path = "exit 5";
	t->ck[3].misc_dynamic = true;
	t->rs[3].weight = 1;
	for (int i = 0; i < 4; i++)
		t->rs[i].addr = cfg_addr4(LOOPBACK + 1 + (uint32_t)i);
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_int_equal(n_recs, 4);
	assert_true(wait_report(0, true, 4, 3.0));
	assert_true(wait_report(3, true, 4, 3.0));
	/* misc_dynamic: exit 5 -> up with weight 3. */
	assert_int_equal(last_rec(3)->weight, 3);
	assert_true(check_engine_rs_health(eng, 0, 3, &weight));
	assert_int_equal(weight, 3);
	assert_string_equal(status_of(3).reason, "exit status 5, weight 3");
	/* exit 1 fails; sleep 10 is killed at misc_timeout. */
	run_for(0.6);
	assert_false(status_of(1).up);
	assert_string_equal(status_of(1).last_result, "exit status 1");
	assert_false(status_of(2).up);
	assert_string_equal(status_of(2).last_result, "timeout");
	assert_true(status_of(2).checks >= 1);
	assert_true(ev_time() - t0 < 3.0);
	free(t);
}

static void test_engine_misc_dynamic_non_alpha(void **state)
{
	struct tconf *t = tconf_new(1, CFG_CHECK_MISC, 80);

	(void)state;
	t->ck[0].misc_path = "exit 12";
	t->ck[0].misc_dynamic = true;
	t->rs[0].weight = 4;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(recs[0].up);
	assert_int_equal(recs[0].weight, -1);
	/* Up all along: the only news is the weight. */
	assert_true(run_until(checks_done, &(uint64_t){ 1 }, 3.0));
	run_for(0.05);
	assert_int_equal(n_recs, 2);
	assert_true(recs[1].up);
	assert_int_equal(recs[1].weight, 10);
	free(t);
}

/* --------------------------------------------------------------- reload */

static void test_engine_reload_keeps_state(void **state)
{
	struct tserver s;
	struct tconf *t, *t2;
	uint64_t done;
	double since;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(2, CFG_CHECK_HTTP, s.port);
	t->rs[1].port = closed_port();
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(1, false, 0, 3.0));
	wait_checks(2, 3.0);
	done = status_of(0).checks;
	since = status_of(1).since;

	/* The same configuration, rebuilt: nothing flaps. */
	t2 = tconf_new(2, CFG_CHECK_HTTP, s.port);
	t2->rs[1].port = t->rs[1].port;
	t2->ck[0].delay_loop_ms = 100; /* timing changes keep the checker */
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t2->k), 0);
	assert_int_equal(n_recs, 2);
	assert_true(recs[0].up);
	assert_false(recs[1].up);
	assert_true(status_of(0).checks >= done);
	assert_true(status_of(1).since == since);
	run_for(0.5);
	assert_int_equal(n_recs, 2);
	assert_true(status_of(0).checks >= done + 3);

	/* A real server inserted before: indexes move, states follow. */
	t2->vs.n_rs = 3;
	t2->rs[2] = t2->rs[1];
	t2->rs[1] = t2->rs[0];
	t2->rs[0].port = closed_port();
	t2->rs[0].checkers = &t2->ck[2];
	t2->ck[2] = t2->ck[0];
	t2->ck[2].urls = t2->url[2];
	t2->url[2][0].path = "/";
	t2->rs[1].checkers = &t2->ck[0];
	t2->rs[2].checkers = &t2->ck[1];
	n_recs = 0;
	assert_int_equal(check_engine_apply(eng, &t2->k), 0);
	assert_int_equal(n_recs, 3);
	assert_true(recs[0].up); /* new, not alpha: up until its first attempt */
	assert_true(recs[1].up);
	assert_false(recs[2].up);
	assert_true(status_of(1).checks >= done);
	assert_true(status_of(2).since == since);
	assert_true(wait_report(0, false, 3, 2.0));

	/* An emptied configuration stops everything. */
	t2->k.n_vs = 0;
	assert_int_equal(check_engine_apply(eng, &t2->k), 0);
	assert_int_equal(check_engine_status(eng, NULL, 0), 0);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
	free(t2);
}

static void test_engine_ha_suspend(void **state)
{
	struct tserver s;
	struct tconf *t;

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(1, CFG_CHECK_HTTP, s.port);
	t->vs.ha_suspend = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	run_for(0.4);
	assert_int_equal(status_of(0).checks, 0);
	assert_false(status_of(0).running);
	assert_int_equal(s.accepted, 0);

	check_engine_set_active(eng, 0, true);
	assert_true(status_of(0).running);
	wait_checks(1, 1.0);
	check_engine_set_active(eng, 0, false);
	assert_false(status_of(0).running);
	s.accepted = 0;
	run_for(0.4);
	assert_int_equal(s.accepted, 0);
	/* The active flag survives a reload of the same virtual server. */
	check_engine_set_active(eng, 0, true);
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(status_of(0).running);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
}

/* --------------------------------------------------------- many at once */

static bool all_checked(const void *arg)
{
	static struct check_status st[MAX_RS];
	size_t n = check_engine_status(eng, st, MAX_RS);

	(void)arg;
	for (size_t i = 0; i < n; i++)
		if (st[i].checks < 1)
			return false;
	return true;
}

static void test_engine_many(void **state)
{
	static struct check_status st[MAX_RS];
	struct tserver s;
	struct tconf *t;
	double t0 = ev_time();

	(void)state;
	tserver_start(&s, NULL);
	t = tconf_new(MAX_RS, CFG_CHECK_HTTP, s.port);
	for (size_t i = 0; i < MAX_RS; i++)
		t->rs[i].port = s.port;
	t->vs.delay_loop_ms = 5000;
	for (size_t i = 0; i < MAX_RS; i++)
		t->ck[i].delay_loop_ms = 5000;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_int_equal(n_recs, MAX_RS);
	assert_true(run_until(all_checked, NULL, 4.0));
	assert_int_equal(check_engine_status(eng, st, MAX_RS), MAX_RS);
	for (size_t i = 0; i < MAX_RS; i++) {
		assert_true(st[i].up);
		assert_string_equal(st[i].last_result, "ok");
	}
	/* The first attempts were spread over the 1 s warm-up. */
	assert_true(ev_time() - t0 < 3.0);
	assert_int_equal(n_recs, MAX_RS);
	check_engine_free(eng);
	eng = NULL;
	tserver_stop(&s);
	free(t);
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
		cmocka_unit_test_setup_teardown(test_engine_http_up_alpha, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_ipv6, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_refused, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_timeout, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_dribble, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_retries, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_digest, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_http_vhost_and_urls, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_connect_to_and_bindto, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_local_error_counted, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_ssl_sni, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_tcp, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_misc, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_misc_dynamic_non_alpha, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_reload_keeps_state, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_ha_suspend, engine_setup,
						engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_many, engine_setup, engine_teardown),
	};

	ev_default_loop(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
