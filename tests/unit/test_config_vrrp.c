/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived.conf's VRRP details, parsed into the model and checked against
 * a dataplane file: virtual_ipaddress_excluded and the move of the VIPs an
 * advert has no room for, unicast_peer min_ttl/max_ttl and unicast_ttl, the
 * lower priority GARPs and adverts (instance and global_defs),
 * vrrp_startup_delay, the notify FIFOs, static_ipaddress, static_routes and
 * virtual_routes. Errors without a dataplane file are in
 * test_config_keywords.c's table.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static const char *const dataplane =
    "eal = [\"--no-huge\", \"--file-prefix\", \"t\"];\n"
    "ports = ( { name = \"eth0\"; device = \"net_null0\";\n"
    "  addresses = [\"10.0.0.6/24\"]; },\n"
    " { name = \"eth1\"; device = \"net_null1\";\n"
    "  addresses = [\"192.168.1.6/24\", \"2001:db8:1::6/64\"]; } );\n"
    "routes = ();\n";

static struct cfg_keepalived *parse(const char *text, struct cfg_diags *d)
{
	return cfg_keepalived_parse(text, strlen(text), "test.conf", d);
}

/* Whether d holds a diagnostic of severity sev at line whose text has msg. */
static bool has_diag(const struct cfg_diags *d, enum cfg_severity sev, int line, const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && d->v[i].line == line &&
		    strstr(d->v[i].msg, msg) != NULL)
			return true;
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  %d: %s\n", d->v[i].line, d->v[i].msg);
	return false;
}

static void test_excluded_after_advertised(void **state)
{
	const char *text = "vrrp_instance V {\n"
			   " interface eth0\n"
			   " virtual_router_id 1\n"
			   " virtual_ipaddress_excluded {\n"
			   "  10.0.0.200/24 dev eth1 label eth1:x\n"
			   " }\n"
			   " virtual_ipaddress {\n"
			   "  10.0.0.100\n"
			   "  10.0.0.101\n"
			   " }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(k);
	v = &k->instances[0];
	assert_int_equal(v->n_vips, 3);
	assert_int_equal(v->n_vips_adv, 2);
	assert_int_equal(v->vips[0].pfx.addr.v4, IP(10, 0, 0, 100));
	assert_false(v->vips[0].excluded);
	assert_int_equal(v->vips[1].pfx.addr.v4, IP(10, 0, 0, 101));
	assert_int_equal(v->vips[2].pfx.addr.v4, IP(10, 0, 0, 200));
	assert_true(v->vips[2].excluded);
	assert_int_equal(v->vips[2].pfx.plen, 24);
	assert_string_equal(v->vips[2].dev, "eth1");
	assert_string_equal(v->vips[2].label, "eth1:x");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* 300 VIPs: the first 255 are advertised, 45 move to the excluded list
 * with a warning at the instance, as keepalived does. */
static void test_more_vips_than_an_advert_holds(void **state)
{
	size_t cap = 16384, len = 0;
	char *text = malloc(cap);
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len,
				"vrrp_instance V {\n interface eth0\n virtual_router_id 1\n"
				" virtual_ipaddress_excluded {\n  10.2.0.1\n }\n"
				" virtual_ipaddress {\n");
	for (int i = 0; i < 300; i++)
		len +=
		    (size_t)snprintf(text + len, cap - len, "  10.1.%d.%d\n", i / 200, i % 200 + 1);
	snprintf(text + len, cap - len, " }\n}\n");
	k = parse(text, &d);
	assert_non_null(k);
	v = &k->instances[0];
	assert_int_equal(v->n_vips, 301);
	assert_int_equal(v->n_vips_adv, 255);
	for (size_t i = 0; i < 255; i++)
		assert_false(v->vips[i].excluded);
	/* the excluded ones in the order written: the excluded block came
	 * first, then the 256th to 300th of virtual_ipaddress */
	assert_int_equal(v->vips[255].pfx.addr.v4, IP(10, 2, 0, 1));
	assert_int_equal(v->vips[256].pfx.addr.v4, IP(10, 1, 1, 56));
	assert_int_equal(v->vips[300].pfx.addr.v4, IP(10, 1, 1, 100));
	for (size_t i = 255; i < 301; i++)
		assert_true(v->vips[i].excluded);
	assert_int_equal(d.errors, 0);
	/* at the first address moved: line 8 holds the first of the 300 */
	assert_true(has_diag(&d, CFG_WARNING, 8 + 255, "300 addresses in virtual_ipaddress"));
	assert_true(has_diag(&d, CFG_WARNING, 8 + 255, "the last 45, from this one on, are moved"));
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
	free(text);
}

static void test_peers_ttl_and_prio_settings(void **state)
{
	const char *text = "global_defs {\n"
			   " vrrp_garp_lower_prio_delay 7\n"
			   " vrrp_garp_lower_prio_repeat 0\n"
			   " vrrp_lower_prio_no_advert\n"
			   " vrrp_higher_prio_send_advert true\n"
			   " vrrp_startup_delay 2.5\n"
			   "}\n"
			   "vrrp_instance A {\n"
			   " interface eth0\n"
			   " virtual_router_id 1\n"
			   " virtual_ipaddress { 10.0.0.100 }\n"
			   " unicast_peer {\n"
			   "  10.0.0.7 min_ttl 250\n"
			   "  10.9.0.8 max_ttl 254 min_ttl 200 10.0.0.9\n"
			   " }\n"
			   " unicast_ttl 64\n"
			   " garp_lower_prio_delay 3\n"
			   " garp_lower_prio_repeat 2\n"
			   " lower_prio_no_advert false\n"
			   " higher_prio_send_advert off\n"
			   "}\n"
			   "vrrp_instance B {\n"
			   " interface eth0\n"
			   " virtual_router_id 2\n"
			   " virtual_ipaddress { 10.0.0.101 }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_instance *a, *b;

	(void)state;
	assert_non_null(k);
	assert_int_equal(d.errors, 0);
	assert_int_equal(k->global.vrrp_garp_lower_prio_delay_ms, 7000);
	assert_int_equal(k->global.vrrp_garp_lower_prio_repeat, 0);
	assert_true(k->global.vrrp_lower_prio_no_advert);
	assert_true(k->global.vrrp_higher_prio_send_advert);
	assert_int_equal(k->global.vrrp_startup_delay_ms, 2500);
	a = &k->instances[0];
	b = &k->instances[1];
	assert_int_equal(a->n_unicast_peers, 3);
	assert_int_equal(a->unicast_peers[1].v4, IP(10, 9, 0, 8));
	assert_int_equal(a->peer_ttl[0].min, 250);
	assert_int_equal(a->peer_ttl[0].max, 255);
	assert_int_equal(a->peer_ttl[1].min, 200);
	assert_int_equal(a->peer_ttl[1].max, 254);
	assert_int_equal(a->peer_ttl[2].min, 0);
	assert_int_equal(a->peer_ttl[2].max, 255);
	assert_int_equal(a->unicast_ttl, 64);
	assert_int_equal(a->garp_lower_prio_delay_ms, 3000);
	assert_int_equal(a->garp_lower_prio_repeat, 2);
	assert_int_equal(a->lower_prio_no_advert, 0);
	assert_int_equal(a->higher_prio_send_advert, 0);
	/* B inherits global_defs' (-1) and sends unicast adverts with TTL 255 */
	assert_int_equal(b->garp_lower_prio_delay_ms, -1);
	assert_int_equal(b->garp_lower_prio_repeat, -1);
	assert_int_equal(b->lower_prio_no_advert, -1);
	assert_int_equal(b->higher_prio_send_advert, -1);
	assert_int_equal(b->unicast_ttl, 255);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_fifos(void **state)
{
	const char *text = "global_defs {\n"
			   " notify_fifo /run/ka.fifo nobody nogroup\n"
			   " notify_fifo_script \"/usr/bin/reader -v\" root\n"
			   " vrrp_notify_fifo /run/vrrp.fifo\n"
			   " fifo_write_vrrp_states_on_reload\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_global *g;

	(void)state;
	assert_non_null(k);
	g = &k->global;
	assert_string_equal(g->notify_fifo.path, "/run/ka.fifo");
	assert_string_equal(g->notify_fifo.user, "nobody");
	assert_string_equal(g->notify_fifo.group, "nogroup");
	assert_string_equal(g->notify_fifo.script.cmd, "/usr/bin/reader -v");
	assert_string_equal(g->notify_fifo.script.user, "root");
	assert_int_equal(g->notify_fifo.loc.line, 2);
	assert_string_equal(g->vrrp_notify_fifo.path, "/run/vrrp.fifo");
	assert_null(g->vrrp_notify_fifo.user);
	assert_null(g->vrrp_notify_fifo.script.cmd);
	assert_true(g->fifo_write_vrrp_states_on_reload);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_static_and_virtual_routes(void **state)
{
	const char *text = "static_ipaddress {\n"
			   " 192.168.1.50/24 dev eth1 label eth1:s\n"
			   "}\n"
			   "static_routes {\n"
			   " 172.16.0.0/12 via 192.168.1.1\n"
			   " default gw 10.0.0.1 dev eth0 metric 50\n"
			   " 10.50.0.0/16 dev eth1 src 192.168.1.50\n"
			   " default via 2001:db8:1::1\n"
			   "}\n"
			   "vrrp_instance V {\n"
			   " interface eth0\n"
			   " virtual_router_id 1\n"
			   " virtual_ipaddress { 10.0.0.100 }\n"
			   " virtual_routes {\n"
			   "  10.60.0.0/16 via 10.0.0.254 src 10.0.0.100\n"
			   " }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	struct cfg_dataplane *p;
	const struct cfg_sroute *r;

	(void)state;
	assert_non_null(k);
	assert_int_equal(k->n_static_addrs, 1);
	assert_int_equal(k->static_addrs[0].pfx.addr.v4, IP(192, 168, 1, 50));
	assert_string_equal(k->static_addrs[0].dev, "eth1");
	assert_int_equal(k->n_static_routes, 4);
	r = k->static_routes;
	assert_int_equal(r[0].prefix.addr.v4, IP(172, 16, 0, 0));
	assert_int_equal(r[0].prefix.plen, 12);
	assert_int_equal(r[0].via.v4, IP(192, 168, 1, 1));
	assert_null(r[0].dev);
	assert_int_equal(r[1].prefix.plen, 0);
	assert_int_equal(r[1].via.v4, IP(10, 0, 0, 1));
	assert_string_equal(r[1].dev, "eth0");
	assert_int_equal(r[1].metric, 50);
	assert_int_equal(r[2].via.af, 0);
	assert_int_equal(r[2].src.v4, IP(192, 168, 1, 50));
	assert_int_equal(r[2].loc.line, 7);
	/* "default" takes its gateway's family */
	assert_int_equal(r[3].prefix.addr.af, 6);
	assert_int_equal(r[3].prefix.plen, 0);
	assert_int_equal(r[3].via.af, 6);
	assert_int_equal(r[3].via.v6[15], 1);
	assert_int_equal(k->instances[0].n_vroutes, 1);
	assert_int_equal(k->instances[0].vroutes[0].via.v4, IP(10, 0, 0, 254));
	p = cfg_dataplane_parse(dataplane, "test.cfg", &d);
	assert_non_null(p);
	assert_int_equal(cfg_check(k, p, &d), 0);
	cfg_dataplane_free(p);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* What only the dataplane file can tell: ports and gateways. */
static const struct check_case {
	const char *text;
	int line;
	const char *msg;
} check_cases[] = {
	{ "static_ipaddress {\n 10.9.9.9/24 dev eth7\n}\n", 2,
	  "static_ipaddress 10.9.9.9: dev eth7 is not a port of test.cfg" },
	{ "static_routes {\n 10.8.0.0/16 via 172.31.0.1\n}\n", 2,
	  "static_routes: via 172.31.0.1: no port has an address in the gateway's subnet" },
	{ "static_routes {\n 10.8.0.0/16 via 10.0.0.1 dev eth1\n}\n", 2,
	  "static_routes: via 10.0.0.1: no port eth1 has an address in the gateway's subnet" },
	{ "static_routes {\n 10.8.0.0/16 dev eth9\n}\n", 2,
	  "static_routes: dev eth9 is not a port of test.cfg" },
	{ "vrrp_instance V {\n interface eth0\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.100 }\n virtual_routes {\n  10.8.0.0/16 via 10.7.0.1\n"
	  " }\n}\n",
	  6, "virtual_routes: via 10.7.0.1: no port has an address in the gateway's subnet" },
};

static void test_check_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *t = &check_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k = parse(t->text, &d);
		struct cfg_dataplane *p = cfg_dataplane_parse(dataplane, "test.cfg", &d);

		assert_non_null(k);
		assert_non_null(p);
		assert_int_equal(cfg_check(k, p, &d), 1);
		if (!has_diag(&d, CFG_ERROR, t->line, t->msg))
			fail_msg("case %zu: no '%s' at line %d", i, t->msg, t->line);
		cfg_dataplane_free(p);
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_excluded_after_advertised),
		cmocka_unit_test(test_more_vips_than_an_advert_holds),
		cmocka_unit_test(test_peers_ttl_and_prio_settings),
		cmocka_unit_test(test_fifos),
		cmocka_unit_test(test_static_and_virtual_routes),
		cmocka_unit_test(test_check_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
