/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/check: the pure parts of PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK
 * and FILE_CHECK, table-driven: the SMTP dialogue against canned server
 * replies fed in every split, the DNS query bytes and the judgement of
 * answers, the UDP reply match with keepalived's wildcard nibbles, ICMP echo
 * requests and replies (datagram and raw sockets), a track_file's number
 * and what FILE_CHECK makes of it. No socket, no clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_check.h"

/* ============================================================ SMTP dialogue */

struct smtp_case {
	const char *helo;      /* NULL: keepalived's default */
	const char *server[4]; /* what the server sends, in order */
	bool eof;              /* then it closes */
	enum check_smtp_step want;
	const char *why;    /* in s.why on FAIL */
	const char *writes; /* everything the client sent */
};

static const struct smtp_case smtp_cases[] = {
	{ NULL,
	  { "220 mx ready\r\n", "250 hello\r\n", "221 bye\r\n" },
	  false,
	  CHECK_SMTP_OK,
	  NULL,
	  "HELO smtpchecker.keepalived.org\r\nQUIT\r\n" },
	{ "lb1.example",
	  { "220 mx\r\n", "250 hi\r\n", "221 bye\r\n" },
	  false,
	  CHECK_SMTP_OK,
	  NULL,
	  "HELO lb1.example\r\nQUIT\r\n" },
	/* replies over several lines: the last line's code counts */
	{ "h",
	  { "220-mx.example ESMTP\r\n220-no spam\r\n220 ready\r\n",
	    "250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n", "221 2.0.0 Bye\r\n" },
	  false,
	  CHECK_SMTP_OK,
	  NULL,
	  "HELO h\r\nQUIT\r\n" },
	/* a server that says it all at once, lines ending in LF only */
	{ "h", { "220 a\n250 b\n221 c\n" }, false, CHECK_SMTP_OK, NULL, "HELO h\r\nQUIT\r\n" },
	/* QUIT's answer is not judged, as keepalived */
	{ "h",
	  { "220 a\r\n", "250 b\r\n", "500 what\r\n" },
	  false,
	  CHECK_SMTP_OK,
	  NULL,
	  "HELO h\r\nQUIT\r\n" },
	{ "h", { "554 go away\r\n" }, false, CHECK_SMTP_FAIL, "greeting 554, not 220", "" },
	{ "h", { "220-first\r\n421 no\r\n" }, false, CHECK_SMTP_FAIL, "greeting 421, not 220", "" },
	{ "h",
	  { "220 a\r\n", "550 no\r\n" },
	  false,
	  CHECK_SMTP_FAIL,
	  "HELO answered 550, not 250",
	  "HELO h\r\n" },
	{ "h",
	  { "HTTP/1.1 400 Bad Request\r\n" },
	  false,
	  CHECK_SMTP_FAIL,
	  "not an SMTP reply",
	  "" },
	{ "h", { "22\r\n" }, false, CHECK_SMTP_FAIL, "not an SMTP reply", "" },
	{ "h", { "220x\r\n" }, false, CHECK_SMTP_FAIL, "not an SMTP reply", "" },
	{ "h",
	  { "220 half a li" },
	  true,
	  CHECK_SMTP_FAIL,
	  "connection closed before the greeting",
	  "" },
	{ "h",
	  { "220 a\r\n" },
	  true,
	  CHECK_SMTP_FAIL,
	  "connection closed before the HELO reply",
	  "HELO h\r\n" },
	{ "h",
	  { "220 a\r\n", "250 b\r\n" },
	  true,
	  CHECK_SMTP_FAIL,
	  "connection closed before the QUIT reply",
	  "HELO h\r\nQUIT\r\n" },
};

/* Feeds text in pieces of step bytes (0: whole), answering each WRITE by
 * appending s->out to sent. */
static enum check_smtp_step smtp_run(struct check_smtp *s, const char *text, size_t step,
				     char *sent, size_t sent_len)
{
	enum check_smtp_step st = CHECK_SMTP_READ;
	size_t len = strlen(text), off = 0;

	if (step == 0)
		step = len ? len : 1;
	while (off < len && (st == CHECK_SMTP_READ || st == CHECK_SMTP_WRITE)) {
		size_t n = len - off < step ? len - off : step, used = 0;

		st = check_smtp_feed(s, text + off, n, &used);
		assert_true(used >= 1 && used <= n);
		off += used;
		if (st == CHECK_SMTP_WRITE)
			strncat(sent, s->out, sent_len - strlen(sent) - 1);
	}
	return st;
}

static void test_smtp_dialogue(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(smtp_cases) / sizeof(smtp_cases[0]); i++) {
		const struct smtp_case *c = &smtp_cases[i];

		for (size_t step = 0; step <= 5; step += (step == 0 ? 1 : 4)) {
			struct check_smtp s;
			enum check_smtp_step st = CHECK_SMTP_READ;
			char sent[256] = "";

			check_smtp_begin(&s, c->helo);
			for (size_t j = 0; j < 4 && c->server[j] != NULL; j++)
				st = smtp_run(&s, c->server[j], step, sent, sizeof(sent));
			if (c->eof && st != CHECK_SMTP_FAIL)
				st = check_smtp_eof(&s);
			if (st != c->want || strcmp(sent, c->writes) != 0)
				fprintf(stderr, "case %zu step %zu: step %d, why '%s', sent '%s'\n",
					i, step, st, s.why, sent);
			assert_int_equal(st, c->want);
			assert_string_equal(sent, c->writes);
			if (c->why != NULL)
				assert_non_null(strstr(s.why, c->why));
		}
	}
}

static void test_smtp_long_line(void **state)
{
	struct check_smtp s;
	char line[2000], sent[256] = "";

	(void)state;
	memset(line, 'x', sizeof(line));
	memcpy(line, "220 ", 4);
	memcpy(line + sizeof(line) - 3, "\r\n", 3);
	check_smtp_begin(&s, "h");
	assert_int_equal(smtp_run(&s, line, 7, sent, sizeof(sent)), CHECK_SMTP_WRITE);
	assert_string_equal(sent, "HELO h\r\n");
	assert_int_equal(s.code, 220);
}

/* ===================================================================== DNS */

static void test_dns_query(void **state)
{
	static const uint8_t soa_root[] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0,
					    0,    0,    0,    0,    0, 6, 0, 1 };
	static const uint8_t a_www[] = { 0xab, 0xcd, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
					 0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
					 'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1 };
	uint8_t buf[CHECK_DNS_QUERY_MAX], small[20];
	char label64[70], long_name[300];

	(void)state;
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0x1234, 6, NULL), sizeof(soa_root));
	assert_memory_equal(buf, soa_root, sizeof(soa_root));
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0x1234, 6, "."), sizeof(soa_root));
	assert_memory_equal(buf, soa_root, sizeof(soa_root));
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0xabcd, 1, "www.example.com"),
			 sizeof(a_www));
	assert_memory_equal(buf, a_www, sizeof(a_www));
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0xabcd, 1, "www.example.com."),
			 sizeof(a_www));
	assert_memory_equal(buf, a_www, sizeof(a_www));
	/* what halb -t refuses cannot be written either */
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, 1, "a..b"), -1);
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, 1, ".a"), -1);
	memset(label64, 'a', 64);
	label64[64] = '\0';
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, 1, label64), -1);
	label64[63] = '\0';
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, 1, label64), 12 + 1 + 63 + 1 + 4);
	for (size_t i = 0; i < sizeof(long_name) - 1; i++)
		long_name[i] = i % 10 == 9 ? '.' : 'b';
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, 1, long_name), -1);
	assert_int_equal(check_dns_query(small, sizeof(small), 1, 1, "www.example.com"), -1);
}

struct dns_reply_case {
	uint8_t msg[12];
	size_t len;
	uint16_t id;
	enum check_dns_verdict want;
	int rcode;
};

static const struct dns_reply_case dns_reply_cases[] = {
	{ { 0x12, 0x34, 0x81, 0x80 }, 12, 0x1234, CHECK_DNS_OK, 0 },
	{ { 0x12, 0x34, 0x81, 0x83 }, 12, 0x1234, CHECK_DNS_ERROR, 3 },
	{ { 0x12, 0x34, 0x85, 0x82 }, 12, 0x1234, CHECK_DNS_ERROR, 2 },
	{ { 0x12, 0x34, 0x81, 0x85 }, 12, 0x1234, CHECK_DNS_ERROR, 5 },
	{ { 0x12, 0x35, 0x81, 0x80 }, 12, 0x1234, CHECK_DNS_IGNORE, -1 }, /* another id */
	{ { 0x12, 0x34, 0x01, 0x00 }, 12, 0x1234, CHECK_DNS_IGNORE, -1 }, /* a query */
	{ { 0x12, 0x34, 0x81, 0x80 }, 11, 0x1234, CHECK_DNS_IGNORE, -1 }, /* short */
	{ { 0 }, 0, 0, CHECK_DNS_IGNORE, -1 },
};

static void test_dns_reply(void **state)
{
	char name[32];

	(void)state;
	for (size_t i = 0; i < sizeof(dns_reply_cases) / sizeof(dns_reply_cases[0]); i++) {
		const struct dns_reply_case *c = &dns_reply_cases[i];
		int rcode = -1;

		assert_int_equal(check_dns_reply(c->msg, c->len, c->id, &rcode), c->want);
		assert_int_equal(rcode, c->rcode);
	}
	assert_string_equal(check_dns_rcode_str(3, name, sizeof(name)), "NXDOMAIN");
	assert_string_equal(check_dns_rcode_str(5, name, sizeof(name)), "REFUSED");
	assert_string_equal(check_dns_rcode_str(9, name, sizeof(name)), "RCODE 9");
}

/* =============================================================== UDP reply */

struct udp_case {
	const char *data;
	size_t len;
	const char *want, *care; /* care NULL: every bit */
	size_t want_len;
	unsigned int min, max;
	const char *why; /* NULL: matches */
};

static const struct udp_case udp_cases[] = {
	{ "halb", 4, "halb", NULL, 4, 0, 255, NULL },
	{ "halb!", 5, "halb", NULL, 4, 0, 255, NULL }, /* longer than the pattern */
	{ "ha", 2, "halb", NULL, 4, 0, 255, NULL },    /* as keepalived: the shorter */
	{ "hulb", 4, "halb", NULL, 4, 0, 255, "does not match" },
	{ "h\x6f", 2, "h\x60", "\xff\xf0", 2, 0, 255, NULL }, /* 6X */
	{ "h\x7f", 2, "h\x60", "\xff\xf0", 2, 0, 255, "does not match" },
	{ "\x12", 1, "\x02", "\x0f", 1, 0, 255, NULL }, /* x2 */
	{ "abc", 3, "", NULL, 0, 4, 255, "shorter than min_reply_length" },
	{ "abcdef", 6, "", NULL, 0, 0, 5, "longer than max_reply_length" },
	{ "", 0, "", NULL, 0, 0, 255, NULL }, /* require_reply, any reply */
};

static void test_udp_match(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(udp_cases) / sizeof(udp_cases[0]); i++) {
		const struct udp_case *c = &udp_cases[i];
		const char *why = check_udp_reply_mismatch(
		    (const uint8_t *)c->data, c->len, (const uint8_t *)c->want,
		    (const uint8_t *)c->care, c->want_len, c->min, c->max);

		if (c->why == NULL)
			assert_null(why);
		else
			assert_non_null(why != NULL ? strstr(why, c->why) : NULL);
	}
}

/* ================================================================ ICMP echo */

static void test_icmp_echo(void **state)
{
	uint8_t req[CHECK_ICMP_ECHO_LEN], rep[20 + CHECK_ICMP_ECHO_LEN];
	uint32_t sum = 0;

	(void)state;
	check_icmp_echo(req, 4, 0x4242, 7);
	assert_int_equal(req[0], 8);
	assert_int_equal(req[1], 0);
	assert_int_equal(req[4] << 8 | req[5], 0x4242);
	assert_int_equal(req[6] << 8 | req[7], 7);
	for (size_t i = 0; i < sizeof(req); i += 2)
		sum += (uint32_t)(req[i] << 8 | req[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff); /* the checksum is right */
	/* what a datagram socket hands over: the ICMP message, id the kernel's */
	memcpy(rep, req, sizeof(req));
	rep[0] = 0;
	rep[4] = 0x99;
	assert_true(check_icmp_is_reply(rep, sizeof(req), 4, false, 0x4242, 7));
	assert_false(check_icmp_is_reply(rep, sizeof(req), 4, false, 0x4242, 8));
	assert_false(check_icmp_is_reply(req, sizeof(req), 4, false, 0x4242, 7)); /* a request */
	assert_false(check_icmp_is_reply(rep, 7, 4, false, 0x4242, 7));
	/* a raw socket: the IPv4 header first, and the id must be ours */
	memset(rep, 0, 20);
	rep[0] = 0x45;
	memcpy(rep + 20, req, sizeof(req));
	rep[20] = 0;
	assert_true(check_icmp_is_reply(rep, sizeof(rep), 4, true, 0x4242, 7));
	assert_false(check_icmp_is_reply(rep, sizeof(rep), 4, true, 0x4243, 7));
	assert_false(check_icmp_is_reply(rep, 27, 4, true, 0x4242, 7));
	rep[0] = 0x65; /* not IPv4 */
	assert_false(check_icmp_is_reply(rep, sizeof(rep), 4, true, 0x4242, 7));
}

/* ICMPv6: request 128 (the kernel sums it), reply 129; a raw IPv6 socket
 * hands over the message alone, and the id must be ours. */
static void test_icmp6_echo(void **state)
{
	uint8_t req[CHECK_ICMP_ECHO_LEN], rep[CHECK_ICMP_ECHO_LEN];

	(void)state;
	check_icmp_echo(req, 6, 0x4242, 7);
	assert_int_equal(req[0], 128);
	assert_int_equal(req[2] << 8 | req[3], 0);
	assert_int_equal(req[4] << 8 | req[5], 0x4242);
	memcpy(rep, req, sizeof(req));
	rep[0] = 129;
	assert_true(check_icmp_is_reply(rep, sizeof(rep), 6, false, 0x9999, 7));
	assert_true(check_icmp_is_reply(rep, sizeof(rep), 6, true, 0x4242, 7));
	assert_false(check_icmp_is_reply(rep, sizeof(rep), 6, true, 0x4243, 7));
	assert_false(check_icmp_is_reply(rep, sizeof(rep), 4, false, 0x4242, 7)); /* not ICMP */
	assert_false(check_icmp_is_reply(req, sizeof(req), 6, false, 0x4242, 7)); /* a request */
}

/* =============================================================== FILE_CHECK */

static void test_file_number(void **state)
{
	static const struct {
		const char *text;
		bool ok;
		long value;
	} cases[] = {
		{ "0\n", true, 0 },
		{ "12\n", true, 12 },
		{ "-3", true, -3 },
		{ "0x1f\n", true, 31 },
		{ "017", true, 15 },
		{ "", true, 0 },
		{ "down\n", true, 0 },
		{ " 7 apples", true, 7 },
		{ "2147483648", true, 2147483648L },
		{ "2147483649", false, 0 },
		{ "-2147483648", true, -2147483648L },
		{ "-2147483649", false, 0 },
		{ "99999999999999999999", false, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = -99;

		assert_int_equal(check_file_number(cases[i].text, &v), cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(v, cases[i].value);
	}
}

static void test_file_verdict(void **state)
{
	static const struct {
		long number;
		int weight;
		bool reverse, up;
		long delta;
	} cases[] = {
		{ 0, 0, false, true, 0 },
		{ 1, 0, false, false, 0 },
		{ -5, 0, false, false, 0 },
		{ 0, 0, true, false, 0 },
		{ 3, 0, true, true, 0 },
		{ 2, 3, false, true, 6 },
		{ 2, 3, true, true, -6 },
		{ -4, 10, false, true, -40 },
		{ 0, 10, false, true, 0 },
		{ -2147483648L, 1, false, false, 0 }, /* INT_MIN: down */
		{ -2147483647L, 1, false, true, -2147483647L },
		{ 1073741824L, -2, false, false, 0 },
		{ 2147483647L, 2, false, true, 2147483647L }, /* capped */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long delta = 99;

		assert_int_equal(
		    check_file_verdict(cases[i].number, cases[i].weight, cases[i].reverse, &delta),
		    cases[i].up);
		assert_int_equal(delta, cases[i].delta);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_dialogue), cmocka_unit_test(test_smtp_long_line),
		cmocka_unit_test(test_dns_query),     cmocka_unit_test(test_dns_reply),
		cmocka_unit_test(test_udp_match),     cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp6_echo),    cmocka_unit_test(test_file_number),
		cmocka_unit_test(test_file_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
