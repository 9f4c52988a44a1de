/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtual_server_group and "virtual_server group NAME": the addresses a
 * group virtual server serves (ranges written out), and the errors, each
 * at its line. One row per case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define VS_G(name) "virtual_server group " name " { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n"

static const struct member_case {
	const char *text;
	size_t vs;           /* which virtual server */
	const char *members; /* "a.b.c.d:port ..." */
} member_cases[] = {
	{ "virtual_server_group G {\n 192.168.1.1-3 80\n 10.0.0.9 8080\n}\n" VS_G("G"), 0,
	  "192.168.1.1:80 192.168.1.2:80 192.168.1.3:80 10.0.0.9:8080" },
	{ VS_G("G") "virtual_server_group G {\n 192.168.1.250-250 80\n}\n", 0, "192.168.1.250:80" },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n", 0,
	  "10.0.0.1:80" },
	{ "virtual_server_group G {\n 10.1.1.1 0\n}\n"
	  "virtual_server group G { protocol TCP\n persistence_timeout 60\n real_server 10.0.1.1 "
	  "80 { }\n}\n",
	  0, "10.1.1.1:0" },
	/* IPv6: the range is on the last 16-bit group, in hex (keepalived's
	 * IPv6 sample) */
	{ "virtual_server_group G6 {\n ae00::8-b 80\n ae00::1 80\n}\n"
	  "virtual_server group G6 { protocol TCP\n real_server ae00::10 80 { }\n}\n",
	  0, "ae00::8:80 ae00::9:80 ae00::a:80 ae00::b:80 ae00::1:80" },
};

static void test_members(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(member_cases) / sizeof(member_cases[0]); i++) {
		const struct member_case *c = &member_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(c->text, strlen(c->text), "g.conf", &d);
		const struct cfg_virtual_server *vs;
		char got[512], a[CFG_ADDR_STRLEN];
		size_t used = 0;

		if (k == NULL) {
			cfg_diags_print(stderr, &d);
			fail_msg("case %zu: does not parse", i);
		}
		vs = &k->vs[c->vs];
		got[0] = '\0';
		for (size_t m = 0; m < vs->n_members; m++)
			used += (size_t)snprintf(
			    got + used, sizeof(got) - used, "%s%s:%u", m ? " " : "",
			    cfg_addr_str(&vs->members[m].addr, a), vs->members[m].port);
		if (strcmp(got, c->members) != 0)
			fail_msg("case %zu: members '%s'", i, got);
		/* the group's first member names the virtual server */
		assert_true(cfg_addr_eq(&vs->addr, &vs->members[0].addr));
		assert_int_equal(vs->port, vs->members[0].port);
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

static const struct err_case {
	const char *text;
	int line;
	const char *msg;
} err_cases[] = {
	{ "virtual_server_group G {\n fwmark 5\n}\n" VS_G("G"), 2,
	  "fwmark entries are not supported by halb" },
	{ "virtual_server_group G {\n 10.0.0.5-2 80\n}\n" VS_G("G"), 2,
	  "range end 2 is out of range" },
	{ "virtual_server_group G {\n 10.0.0.5-300 80\n}\n" VS_G("G"), 2, "out of range" },
	{ "virtual_server_group G {\n 10.0.0.1 80\n ae00::1 80\n}\n" VS_G("G"), 3,
	  "IPv4 and IPv6 addresses in one group" },
	{ "virtual_server_group G {\n ae00::5-2 80\n}\n" VS_G("G"), 2,
	  "range end '2' is out of range (5..ffff, in hex" },
	{ "virtual_server_group G {\n ae00::5-fffff 80\n}\n" VS_G("G"), 2, "out of range" },
	{ "virtual_server_group G {\n ae00::5 80\n}\n" VS_G("G"), 5,
	  "real_server 10.0.1.1: an IPv4 real server of an IPv6 virtual server needs lb_kind "
	  "TUN" },
	{ "virtual_server_group G {\n 10.0.0.5\n}\n" VS_G("G"), 2, "needs a port" },
	{ "virtual_server_group G {\n 10.0.0.5 80 90\n}\n" VS_G("G"), 2,
	  "one IP[-LAST] PORT per line" },
	{ VS_G("NOPE"), 1, "virtual_server group NOPE: no virtual_server_group of that name" },
	{ "virtual_server_group G {\n}\n" VS_G("G"), 3, "the group has no address" },
	{ "virtual_server_group G {\n 10.0.0.1-2 80\n}\n" VS_G(
	      "G") "virtual_server 10.0.0.2 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n",
	  7, "virtual_server 10.0.0.2 80 TCP is already defined at g.conf:4" },
	{ "virtual_server_group G {\n 10.0.0.1 0\n}\n" VS_G("G"), 2,
	  "port 0 (all ports) needs persistence_timeout" },
	{ "virtual_server_group G {\n 10.0.0.1 80\n}\nvirtual_server_group G {\n 10.0.0.2 "
	  "80\n}\n" VS_G("G"),
	  4, "virtual_server_group G is already defined at g.conf:1" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(c->text, strlen(c->text), "g.conf", &d);
		bool found = false;

		for (size_t j = 0; j < d.n; j++)
			found |= d.v[j].severity == CFG_ERROR && d.v[j].line == c->line &&
				 strstr(d.v[j].msg, c->msg) != NULL;
		if (!found) {
			cfg_diags_print(stderr, &d);
			fail_msg("case %zu: no error at %d '%s'", i, c->line, c->msg);
		}
		assert_null(k);
		cfg_diags_free(&d);
	}
}

/* cfg_check: a group's addresses must all be VIPs of one instance. */
static void test_group_on_one_instance(void **state)
{
	static const struct {
		const char *vips;
		const char *msg; /* NULL: fine */
	} rows[] = {
		{ "10.0.0.1 10.0.0.2", NULL },
		{ "10.0.0.1", "10.0.0.2 is not in the virtual_ipaddress of vrrp_instance V" },
		{ "10.0.0.9", "10.0.0.1 is in no vrrp_instance's virtual_ipaddress" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[512];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k;
		unsigned int errors;

		snprintf(text, sizeof(text),
			 "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
			 " virtual_ipaddress { %s }\n}\n"
			 "virtual_server_group G {\n 10.0.0.1-2 80\n}\n" VS_G("G"),
			 rows[i].vips);
		k = cfg_keepalived_parse(text, strlen(text), "g.conf", &d);
		assert_non_null(k);
		errors = cfg_check(k, NULL, &d);
		if (rows[i].msg == NULL) {
			assert_int_equal(errors, 0);
		} else {
			bool found = false;

			for (size_t j = 0; j < d.n; j++)
				found |=
				    d.v[j].line == 9 && strstr(d.v[j].msg, rows[i].msg) != NULL;
			if (!found) {
				cfg_diags_print(stderr, &d);
				fail_msg("row %zu: no '%s' at line 9", i, rows[i].msg);
			}
		}
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_group_on_one_instance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
