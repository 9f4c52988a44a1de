/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane file's announce group (route health injection,
 * docs/SCALEOUT.md): its fields and defaults, each error at its line, and
 * cfg_check's warning for a scheduler that cannot keep a flow on its real
 * server when the router moves it to another director (one row per case);
 * and conf/scaleout/ as shipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define PORT "ports = ( { name = \"eth1\"; device = \"net_tap0\"; kernel_if = \"tap1\"; } );\n"

static const struct field_case {
	const char *text;
	bool enabled;
	const char *interface;
	unsigned int stop_delay_ms;
	int line;
} field_cases[] = {
	{ PORT, false, NULL, 0, 0 },
	{ PORT "announce = {};\n", true, "halb-announce", 2000, 2 },
	{ PORT "\nannounce = { interface = \"vips\"; stop_delay_ms = 0; };\n", true, "vips", 0, 3 },
	{ PORT "announce = { stop_delay_ms = 600000; };\n", true, "halb-announce", 600000, 2 },
};

static void test_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const struct field_case *c = &field_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_dataplane *p = cfg_dataplane_parse(c->text, "a.cfg", &d);

		if (p == NULL || d.n != 0) {
			cfg_diags_print(stderr, &d);
			fail_msg("case %zu: not clean", i);
		}
		assert_int_equal(p->announce.enabled, c->enabled);
		if (c->interface == NULL)
			assert_null(p->announce.interface);
		else
			assert_string_equal(p->announce.interface, c->interface);
		assert_int_equal(p->announce.stop_delay_ms, c->stop_delay_ms);
		assert_int_equal(p->announce.loc.line, c->line);
		cfg_dataplane_free(p);
		cfg_diags_free(&d);
	}
}

/* d holds a diagnostic of severity sev at line whose message contains msg. */
static void expect_diag(const struct cfg_diags *d, enum cfg_severity sev, int line, const char *msg,
			size_t i)
{
	for (size_t n = 0; n < d->n; n++)
		if (d->v[n].severity == sev && d->v[n].line == line &&
		    strstr(d->v[n].msg, msg) != NULL)
			return;
	cfg_diags_print(stderr, d);
	fail_msg("case %zu: no %s at line %d containing '%s'", i,
		 sev == CFG_ERROR ? "error" : "warning", line, msg);
}

static const struct diag_case {
	const char *text;
	enum cfg_severity sev;
	int line;
	const char *msg;
} error_cases[] = {
	{ PORT "announce = true;\n", CFG_ERROR, 2, "announce must be a group" },
	{ PORT "announce = {\n interface = \"a/b\"; };\n", CFG_ERROR, 3,
	  "interface 'a/b' is not a valid interface name" },
	{ PORT "announce = { interface = 3; };\n", CFG_ERROR, 2, "interface must be a string" },
	{ PORT "announce = {\n interface = \"tap1\"; };\n", CFG_ERROR, 2,
	  "announce interface tap1 is the TAP of port eth1" },
	{ PORT "announce = {\n stop_delay_ms = 600001; };\n", CFG_ERROR, 3,
	  "stop_delay_ms 600001 is out of range (0..600000)" },
	{ PORT "announce = {\n stop_delay_ms = \"1s\"; };\n", CFG_ERROR, 3,
	  "stop_delay_ms must be an integer" },
	{ PORT "announce = {\n bgp = true; };\n", CFG_WARNING, 3,
	  "unknown setting 'bgp' in announce" },
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct diag_case *c = &error_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_dataplane *p = cfg_dataplane_parse(c->text, "a.cfg", &d);

		expect_diag(&d, c->sev, c->line, c->msg, i);
		if (c->sev == CFG_ERROR)
			assert_null(p);
		cfg_dataplane_free(p);
		cfg_diags_free(&d);
	}
}

#define VS(algo)                                                                          \
	"virtual_server 10.100.0.1 80 {\n lb_algo " algo "\n lb_kind DR\n protocol TCP\n" \
	" real_server 10.0.0.21 80 { }\n}\n"

static const struct check_case {
	const char *conf;
	const char *dp;
	bool warns;
} check_cases[] = {
	{ VS("wrr"), PORT "announce = {};\n", true }, { VS("rr"), PORT "announce = {};\n", true },
	{ VS("mh"), PORT "announce = {};\n", false }, { VS("sh"), PORT "announce = {};\n", false },
	{ VS("dh"), PORT "announce = {};\n", false }, { VS("wrr"), PORT, false },
};

static void test_check_scheduler(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(c->conf, strlen(c->conf), "k.conf", &d);
		struct cfg_dataplane *p = cfg_dataplane_parse(c->dp, "a.cfg", &d);

		assert_non_null(k);
		assert_non_null(p);
		assert_int_equal(cfg_check(k, p, &d), 0);
		if (c->warns)
			expect_diag(&d, CFG_WARNING, 1,
				    "with announce (a.cfg:2): a connection the router moves to "
				    "another director breaks there",
				    i);
		else
			for (size_t n = 0; n < d.n; n++)
				assert_null(strstr(d.v[n].msg, "announce"));
		cfg_keepalived_free(k);
		cfg_dataplane_free(p);
		cfg_diags_free(&d);
	}
}

/* conf/scaleout/ as shipped: clean, announce on, every service on mh. */
static void test_scaleout_sample(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k =
	    cfg_keepalived_load(HALB_SOURCE_ROOT "/conf/scaleout/keepalived.conf", &d);
	struct cfg_dataplane *p =
	    cfg_dataplane_load(HALB_SOURCE_ROOT "/conf/scaleout/director.cfg", &d);

	(void)state;
	if (k == NULL || p == NULL || cfg_check(k, p, &d) != 0 || d.n != 0) {
		cfg_diags_print(stderr, &d);
		fail_msg("conf/scaleout/ is not clean");
	}
	assert_int_equal(k->n_instances, 0);
	assert_int_equal(k->n_vs, 2);
	for (size_t i = 0; i < k->n_vs; i++)
		assert_int_equal(k->vs[i].sched, CFG_SCHED_MH);
	assert_true(p->announce.enabled);
	assert_string_equal(p->announce.interface, "halb-announce");
	assert_int_equal(p->announce.stop_delay_ms, 1500);
	cfg_keepalived_free(k);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_check_scheduler),
		cmocka_unit_test(test_scaleout_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
