/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of lib/config for PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK and
 * FILE_CHECK: what each setting becomes in the model, keepalived's defaults
 * (DNS_CHECK retry 3 and delay_before_retry = delay_loop, UDP_CHECK reply
 * lengths 0..255, FILE_CHECK weight from its track_file), keepalived's hex
 * strings, SMTP host blocks made checkers of their own, and every error
 * with its line (one table row per case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* A real server 10.0.1.1:53 with the checkers in body. */
static struct cfg_keepalived *parse_rs(const char *pre, const char *body, struct cfg_diags *d)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "%s"
		 "virtual_server 10.0.0.1 53 {\n" /* pre's lines + 1 */
		 " protocol UDP\n"
		 " delay_loop 7\n"
		 " real_server 10.0.1.1 53 {\n"
		 "%s"
		 " }\n"
		 "}\n",
		 pre, body);
	return cfg_keepalived_parse(text, strlen(text), "test.conf", d);
}

static const struct cfg_real_server *ok_rs(const char *pre, const char *body,
					   struct cfg_keepalived **k)
{
	struct cfg_diags d = { 0 };

	*k = parse_rs(pre, body, &d);
	if (*k == NULL || d.errors != 0)
		cfg_diags_print(stderr, &d);
	assert_non_null(*k);
	assert_int_equal(d.errors, 0);
	cfg_diags_free(&d);
	return &(*k)->vs[0].rs[0];
}

/* ------------------------------------------------------------- model */

static void test_ping(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_real_server *rs =
	    ok_rs("",
		  "  PING_CHECK {\n   connect_ip 10.0.2.2\n   bindto 10.0.0.6\n"
		  "   connect_timeout 2\n   retry 2\n  }\n",
		  &k);
	const struct cfg_checker *c = &rs->checkers[0];

	(void)state;
	assert_int_equal(rs->n_checkers, 1);
	assert_int_equal(c->type, CFG_CHECK_PING);
	assert_string_equal(cfg_check_name(c->type), "PING_CHECK");
	assert_true(c->has_connect_ip);
	assert_int_equal(c->connect_ip.v4, IP(10, 0, 2, 2));
	assert_true(c->has_bindto);
	assert_int_equal(c->connect_timeout_ms, 2000);
	assert_int_equal(c->retry, 2);
	assert_int_equal(c->delay_loop_ms, 7000);
	assert_int_equal(c->delay_before_retry_ms, 1000);
	cfg_keepalived_free(k);
}

struct hex_case {
	const char *line;
	size_t len;
	const char *bytes, *care; /* care NULL: every bit */
};

static void test_udp_hex(void **state)
{
	static const struct hex_case cases[] = {
		/* the man page's example */
		{ "payload Ab12f 3 456 546443123", 11,
		  "\xab\x12\x0f\x03\x45\x06\x54\x64\x43\x12\x03", NULL },
		{ "payload 00", 1, "\x00", NULL },
		{ "payload 7", 1, "\x07", NULL },
		{ "payload 68616c62", 4, "halb", NULL },
		{ "require_reply 68 6X x2", 3, "\x68\x60\x02", "\xff\xf0\x0f" },
		{ "require_reply Xx", 1, "\x00", "\x00" },
		{ "require_reply x", 1, "\x00", "\xf0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hex_case *h = &cases[i];
		char body[256];
		struct cfg_keepalived *k;
		const struct cfg_checker *c;
		bool reply = strncmp(h->line, "require_reply", 13) == 0;

		snprintf(body, sizeof(body), "  UDP_CHECK {\n   %s\n  }\n", h->line);
		c = &ok_rs("", body, &k)->checkers[0];
		assert_int_equal(c->type, CFG_CHECK_UDP);
		if (reply) {
			assert_true(c->require_reply);
			assert_int_equal(c->reply_len, h->len);
			assert_memory_equal(c->reply, h->bytes, h->len);
			for (size_t b = 0; b < h->len; b++)
				assert_int_equal(c->reply_care[b],
						 h->care != NULL ? (uint8_t)h->care[b] : 0xff);
			assert_null(c->payload);
		} else {
			assert_false(c->require_reply);
			assert_int_equal(c->payload_len, h->len);
			assert_memory_equal(c->payload, h->bytes, h->len);
		}
		cfg_keepalived_free(k);
	}
}

static void test_udp_defaults(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_checker *c =
	    &ok_rs("",
		   "  UDP_CHECK {\n   require_reply\n  }\n  UDP_CHECK {\n"
		   "   min_reply_length 4\n   max_reply_length 1000\n   connect_port 5353\n  }\n",
		   &k)
		 ->checkers[0];

	(void)state;
	assert_true(c->require_reply);
	assert_int_equal(c->reply_len, 0);
	assert_null(c->payload);
	assert_int_equal(c->min_reply_len, 0);
	assert_int_equal(c->max_reply_len, 255);
	assert_int_equal(c->retry, 1);
	c++;
	assert_false(c->require_reply);
	assert_int_equal(c->min_reply_len, 4);
	assert_int_equal(c->max_reply_len, 1000);
	assert_int_equal(c->connect_port, 5353);
	cfg_keepalived_free(k);
}

static void test_dns(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_checker *c =
	    &ok_rs("",
		   "  DNS_CHECK {\n  }\n  DNS_CHECK {\n   type aaaa\n   name www.example.com.\n"
		   "   retry 1\n   delay_before_retry 2\n  }\n  DNS_CHECK {\n   type MX\n"
		   "   name .\n  }\n",
		   &k)
		 ->checkers[0];

	(void)state;
	assert_int_equal(c->type, CFG_CHECK_DNS);
	assert_int_equal(c->dns_type, 6); /* SOA */
	assert_null(c->dns_name);         /* "." */
	assert_int_equal(c->retry, 3);
	assert_int_equal(c->delay_before_retry_ms, 7000); /* delay_loop */
	c++;
	assert_int_equal(c->dns_type, 28);
	assert_string_equal(c->dns_name, "www.example.com.");
	assert_int_equal(c->retry, 1);
	assert_int_equal(c->delay_before_retry_ms, 2000);
	c++;
	assert_int_equal(c->dns_type, 15);
	assert_string_equal(c->dns_name, ".");
	cfg_keepalived_free(k);
}

static void test_smtp_plain(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_real_server *rs =
	    ok_rs("",
		  "  SMTP_CHECK {\n  }\n  SMTP_CHECK {\n   helo_name lb1.example.com\n"
		  "   connect_port 2525\n  }\n",
		  &k);

	(void)state;
	assert_int_equal(rs->n_checkers, 2);
	assert_int_equal(rs->checkers[0].type, CFG_CHECK_SMTP);
	assert_null(rs->checkers[0].helo_name);
	assert_int_equal(rs->checkers[0].connect_port, 0);
	assert_string_equal(rs->checkers[1].helo_name, "lb1.example.com");
	assert_int_equal(rs->checkers[1].connect_port, 2525);
	cfg_keepalived_free(k);
}

/* keepalived 2.2: each host is a checker; the SMTP_CHECK is one too only
 * with connection settings of its own; a host starts from the settings
 * written before it; timings in a host are the SMTP_CHECK's. */
static void test_smtp_hosts(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_real_server *rs =
	    ok_rs("",
		  "  TCP_CHECK { }\n"
		  "  SMTP_CHECK {\n   helo_name h.example\n   connect_port 2525\n"
		  "   host {\n    connect_ip 10.0.3.1\n    retry 4\n   }\n"
		  "   bindto 10.0.0.6\n"
		  "   host {\n    connect_ip 10.0.3.2\n    connect_port 25\n"
		  "    connect_timeout 2\n   }\n  }\n"
		  "  SMTP_CHECK {\n   host {\n    connect_ip 10.0.3.3\n   }\n  }\n"
		  "  MISC_CHECK { misc_path /bin/true }\n",
		  &k);
	const struct cfg_checker *c = rs->checkers;

	(void)state;
	assert_int_equal(rs->n_checkers, 6);
	assert_int_equal(c[0].type, CFG_CHECK_TCP);
	/* the first SMTP_CHECK itself: connect_port, bindto, then its hosts */
	assert_int_equal(c[1].type, CFG_CHECK_SMTP);
	assert_false(c[1].has_connect_ip);
	assert_int_equal(c[1].connect_port, 2525);
	assert_true(c[1].has_bindto);
	assert_int_equal(c[1].retry, 4);
	assert_int_equal(c[1].n_hosts, 0);
	assert_int_equal(c[2].connect_ip.v4, IP(10, 0, 3, 1));
	assert_int_equal(c[2].connect_port, 2525);
	assert_false(c[2].has_bindto); /* written after this host */
	assert_int_equal(c[2].retry, 4);
	assert_int_equal(c[2].connect_timeout_ms, 5000);
	assert_string_equal(c[2].helo_name, "h.example");
	assert_int_equal(c[2].loc.line, 9);
	assert_int_equal(c[3].connect_ip.v4, IP(10, 0, 3, 2));
	assert_int_equal(c[3].connect_port, 25);
	assert_true(c[3].has_bindto);
	assert_int_equal(c[3].connect_timeout_ms, 2000);
	assert_int_equal(c[3].retry, 4);
	assert_string_equal(c[3].helo_name, "h.example");
	/* the second SMTP_CHECK has nothing of its own: only its host */
	assert_int_equal(c[4].type, CFG_CHECK_SMTP);
	assert_int_equal(c[4].connect_ip.v4, IP(10, 0, 3, 3));
	assert_null(c[4].helo_name);
	assert_int_equal(c[4].retry, 1);
	assert_int_equal(c[5].type, CFG_CHECK_MISC);
	cfg_keepalived_free(k);
}

static void test_file(void **state)
{
	struct cfg_keepalived *k;
	const struct cfg_checker *c =
	    &ok_rs("track_file one {\n file /tmp/one\n weight 3 reverse\n}\n"
		   "track_file two {\n file /tmp/two\n}\n",
		   "  FILE_CHECK {\n   track_file two\n  }\n"
		   "  FILE_CHECK {\n   track_file one\n  }\n"
		   "  FILE_CHECK {\n   track_file one\n   weight -5\n  }\n"
		   "  FILE_CHECK {\n   track_file two\n   weight 0 reverse\n  }\n",
		   &k)
		 ->checkers[0];

	(void)state;
	assert_int_equal(c[0].type, CFG_CHECK_FILE);
	assert_int_equal(c[0].track_file, 1);
	assert_int_equal(c[0].file_weight, 1);
	assert_false(c[0].file_reverse);
	assert_int_equal(c[1].track_file, 0);
	assert_int_equal(c[1].file_weight, 3);
	assert_true(c[1].file_reverse);
	assert_int_equal(c[2].file_weight, -5);
	assert_false(c[2].file_reverse);
	assert_int_equal(c[3].file_weight, 0);
	assert_true(c[3].file_reverse);
	cfg_keepalived_free(k);
}

/* ------------------------------------------------------------- errors */

struct err_case {
	const char *pre, *body;
	enum cfg_severity sev;
	int line; /* of the whole text; the real server's body starts at 5 */
	const char *msg;
};

static const struct err_case err_cases[] = {
	{ "", "  UDP_CHECK {\n   payload 0g\n  }\n", CFG_ERROR, 6,
	  "payload: '0g' is not a hex string (0-9, a-f)" },
	{ "", "  UDP_CHECK {\n   payload 0x\n  }\n", CFG_ERROR, 6, "is not a hex string" },
	{ "", "  UDP_CHECK {\n   require_reply 01 zz\n  }\n", CFG_ERROR, 6,
	  "require_reply: 'zz' is not a hex string (0-9, a-f, x for any)" },
	{ "", "  UDP_CHECK {\n   payload\n  }\n", CFG_ERROR, 6, "missing argument" },
	{ "", "  UDP_CHECK {\n   min_reply_length 5\n   max_reply_length 2\n  }\n", CFG_ERROR, 5,
	  "min_reply_length 5 is above max_reply_length 2" },
	{ "", "  UDP_CHECK {\n   max_reply_length 65536\n  }\n", CFG_ERROR, 6, "out of range" },
	{ "", "  DNS_CHECK {\n   type PTR\n  }\n", CFG_ERROR, 6,
	  "type: 'PTR' is not a DNS_CHECK type" },
	{ "", "  DNS_CHECK {\n   type\n  }\n", CFG_ERROR, 6, "missing argument" },
	{ "", "  DNS_CHECK {\n   name a..b\n  }\n", CFG_ERROR, 6, "has an empty label" },
	{ "", "  DNS_CHECK {\n   name .example.com\n  }\n", CFG_ERROR, 6, "has an empty label" },
	{ "",
	  "  DNS_CHECK {\n   name "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\n  }\n",
	  CFG_ERROR, 6, "one longer than 63" },
	{ "", "  DNS_CHECK {\n   name \"a b.com\"\n  }\n", CFG_ERROR, 6, "holds a blank" },
	{ "", "  SMTP_CHECK {\n   helo_name \"a b\"\n  }\n", CFG_ERROR, 6, "holds a blank" },
	{ "", "  SMTP_CHECK {\n   host {\n    helo_name x\n   }\n  }\n", CFG_WARNING, 7,
	  "unknown keyword 'helo_name' in host" },
	{ "", "  SMTP_CHECK {\n   host {\n    bind_if eth0\n   }\n  }\n", CFG_ERROR, 7,
	  "bind_if is not supported by halb" },
	{ "", "  SMTP_CHECK {\n   host {\n   }\n  }\n", CFG_WARNING, 6,
	  "the SMTP_CHECK host block is deprecated" },
	{ "", "  PING_CHECK {\n   fwmark 1\n  }\n", CFG_ERROR, 6,
	  "fwmark is not supported by halb" },
	{ "", "  PING_CHECK {\n   warmup 2\n  }\n", CFG_ERROR, 6,
	  "warmup is not supported by halb" },
	{ "", "  PING_CHECK {\n   connect_port 80\n  }\n", CFG_WARNING, 6,
	  "connect_port has no effect in halb: ICMP has no ports" },
	{ "", "  PING_CHECK {\n   payload 00\n  }\n", CFG_WARNING, 6,
	  "unknown keyword 'payload' in PING_CHECK" },
	{ "", "  FILE_CHECK {\n  }\n", CFG_ERROR, 5, "FILE_CHECK has no track_file" },
	{ "", "  FILE_CHECK {\n   track_file nosuch\n  }\n", CFG_ERROR, 6,
	  "track_file nosuch not found (it must be defined before)" },
	{ "track_file t {\n file /tmp/t\n}\n",
	  "  FILE_CHECK {\n   track_file t\n   weight 1 up\n  }\n", CFG_ERROR, 10,
	  "weight: unknown option 'up'" },
	{ "track_file t {\n file /tmp/t\n}\n",
	  "  FILE_CHECK {\n   track_file t\n   weight 2147483648\n  }\n", CFG_ERROR, 10,
	  "out of range" },
	{ "track_file t {\n file /tmp/t\n}\n", "  FILE_CHECK {\n   track_file t\n   dynamic\n  }\n",
	  CFG_WARNING, 10, "unknown keyword 'dynamic' in FILE_CHECK" },
	{ "", "  FILE_CHECK {\n   retry 2\n  }\n", CFG_WARNING, 6,
	  "unknown keyword 'retry' in FILE_CHECK" },
	{ "", "  BFD_CHECK {\n   name b\n  }\n", CFG_ERROR, 5,
	  "BFD_CHECK is not supported by halb: BFD sessions are out of scope" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *e = &err_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k = parse_rs(e->pre, e->body, &d);
		bool found = false;

		for (size_t j = 0; j < d.n; j++)
			found |= d.v[j].severity == e->sev && d.v[j].line == e->line &&
				 strstr(d.v[j].msg, e->msg) != NULL;
		if (!found) {
			fprintf(stderr, "case %zu: want %s at %d '%s':\n", i,
				e->sev == CFG_ERROR ? "error" : "warning", e->line, e->msg);
			cfg_diags_print(stderr, &d);
		}
		assert_true(found);
		/* an error makes the file unusable; unknown words fail halb -t */
		assert_true(e->sev == CFG_WARNING || k == NULL);
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping),         cmocka_unit_test(test_udp_hex),
		cmocka_unit_test(test_udp_defaults), cmocka_unit_test(test_dns),
		cmocka_unit_test(test_smtp_plain),   cmocka_unit_test(test_smtp_hosts),
		cmocka_unit_test(test_file),         cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
