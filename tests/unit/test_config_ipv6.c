/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 in both files: addresses of either family where keepalived takes
 * them, the family rules (one per instance; a real server of the virtual
 * server's family unless lb_kind TUN, as IPVS), persistence_granularity as
 * a prefix length, VRRP version 3 for IPv6, and the dataplane's IPv6
 * addresses and routes. Table-driven: one row per case, refused ones with
 * the line and words of their error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define INST6(body) \
	"vrrp_instance V6 {\n interface eth1\n virtual_router_id 7\n version 3\n" body "}\n"

#define DP_V6                                                   \
	"ports = ( { name = \"eth1\"; device = \"net_tap0\";\n" \
	"  addresses = [\"2001:db8:17::6/64\"]; } );\n"

static bool has_diag(const struct cfg_diags *d, enum cfg_severity sev, int line, const char *s)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && d->v[i].line == line && strstr(d->v[i].msg, s))
			return true;
	return false;
}

/* ------------------------------------------------------ refused: one row each */

static const struct refusal {
	const char *text;
	int line;
	const char *msg;
} refusals[] = {
	{ INST6(" virtual_ipaddress {\n  2001:db8::100\n  10.0.0.1\n }\n"), 7,
	  "vrrp_instance V6 is IPv6: one family per instance" },
	{ INST6(" unicast_peer {\n  10.0.0.2\n }\n virtual_ipaddress { 2001:db8::100 }\n"), 1,
	  "unicast_peer 10.0.0.2 is not IPv6 like the instance" },
	{ INST6(" unicast_src_ip 10.0.0.1\n virtual_ipaddress { 2001:db8::100 }\n"), 1,
	  "unicast_src_ip 10.0.0.1 is not IPv6" },
	{ INST6(" virtual_ipaddress {\n  2001:db8::100/129\n }\n"), 6,
	  "bad prefix length in '2001:db8::100/129' (0..128)" },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n lb_kind DR\n"
	  " real_server 2001:db8::7 80 { }\n}\n",
	  3, "an IPv6 real server of an IPv4 virtual server needs lb_kind TUN" },
	{ "virtual_server 2001:db8::1 80 { protocol TCP\n lb_kind NAT\n"
	  " real_server 10.0.0.7 80 { }\n}\n",
	  3, "an IPv4 real server of an IPv6 virtual server needs lb_kind TUN" },
	{ "virtual_server 2001:db8::1 80 { protocol TCP\n sorry_server 10.0.0.9 80\n"
	  " real_server 2001:db8::7 80 { }\n}\n",
	  2, "an IPv4 sorry server of an IPv6 virtual server" },
	{ "virtual_server 2001:db8::1 80 { protocol TCP\n persistence_granularity 129\n"
	  " real_server 2001:db8::7 80 { }\n}\n",
	  2, "persistence_granularity (IPv6: a prefix length) 129 is out of range (1..128)" },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n persistence_granularity 255.0.255.0\n"
	  " real_server 10.0.0.7 80 { }\n}\n",
	  2, "persistence_granularity 255.0.255.0 is not a solid netmask" },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n ip_family inet6\n"
	  " real_server 10.0.0.7 80 { }\n}\n",
	  2, "ip_family inet6 conflicts with the virtual server's address" },
	{ "global_defs {\n vrrp_mcast_group6 2001:db8::12\n}\n", 2,
	  "vrrp_mcast_group6 2001:db8::12 is not an IPv6 multicast address" },
	{ "virtual_server 2001:db8::1 80 { protocol TCP\n"
	  " real_server 2001:db8::7 80 {\n  TCP_CHECK { connect_ip 2001:db8:::1 }\n }\n}\n",
	  3, "is not an IPv4 or IPv6 address" },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n real_server ::ffff:10.0.0.7 80 { }\n}\n", 2,
	  "'::ffff:10.0.0.7' is an IPv4-mapped IPv6 address" },
};

static void test_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(r->text, strlen(r->text), "t.conf", &d);

		if (k != NULL || !has_diag(&d, CFG_ERROR, r->line, r->msg)) {
			cfg_diags_print(stderr, &d);
			fail_msg("row %zu: no error at %d '%s'", i, r->line, r->msg);
		}
		cfg_diags_free(&d);
	}
}

/* ------------------------------------------------------------- accepted */

static struct cfg_keepalived *accept_text(const char *text, struct cfg_diags *d)
{
	struct cfg_keepalived *k = cfg_keepalived_parse(text, strlen(text), "t.conf", d);

	if (k == NULL) {
		cfg_diags_print(stderr, d);
		fail_msg("refused");
	}
	return k;
}

static void assert_addr(const struct cfg_addr *a, const char *text)
{
	char buf[CFG_ADDR_STRLEN];

	assert_string_equal(cfg_addr_str(a, buf), text);
}

static void test_instance(void **state)
{
	static const char text[] =
	    "vrrp_instance V6 {\n interface eth1\n virtual_router_id 7\n"
	    " unicast_src_ip fe80::1\n unicast_peer {\n  fe80::2\n }\n"
	    " virtual_ipaddress {\n  2001:db8:100::100/64 dev eth1\n  2001:db8:100::101\n }\n}\n"
	    "vrrp_instance V4 {\n interface eth1\n virtual_router_id 7\n"
	    " virtual_ipaddress { 10.0.0.1 }\n}\n"
	    "vrrp_instance N6 {\n interface eth1\n virtual_router_id 8\n native_ipv6\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = accept_text(text, &d);
	const struct cfg_vrrp_instance *v = &k->instances[0];

	(void)state;
	assert_int_equal(v->family, 6);
	assert_int_equal(v->version, 3); /* version 2 by default: upgraded, with a word */
	assert_true(has_diag(&d, CFG_WARNING, 1, "IPv6 needs VRRP version 3"));
	assert_addr(&v->vips[0].pfx.addr, "2001:db8:100::100");
	assert_int_equal(v->vips[0].pfx.plen, 64);
	assert_int_equal(v->vips[1].pfx.plen, 128);
	assert_addr(&v->unicast_src_ip, "fe80::1");
	assert_addr(&v->unicast_peers[0], "fe80::2");
	assert_int_equal(k->instances[1].family, 4);
	assert_int_equal(k->instances[2].family, 6);
	/* one VRID for each family on a link (RFC 5798 5.2.3): no error */
	assert_int_equal(cfg_check(k, NULL, &d), 0);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_virtual_servers(void **state)
{
	static const char text[] =
	    "virtual_server 2001:db8::1 443 { protocol TCP\n lb_kind NAT\n"
	    " persistence_granularity 64\n ip_family inet6\n sorry_server 2001:db8::99 80\n"
	    " real_server 2001:db8::7 8443 { TCP_CHECK { connect_ip ::1\n bindto ::1 } }\n}\n"
	    "virtual_server 10.0.0.1 80 { protocol TCP\n lb_kind TUN\n"
	    " real_server 2001:db8::8 80 { }\n real_server 10.0.0.8 80 { }\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = accept_text(text, &d);
	const struct cfg_virtual_server *v6 = &k->vs[0], *tun = &k->vs[1];

	(void)state;
	assert_addr(&v6->addr, "2001:db8::1");
	assert_int_equal(v6->persistence_plen6, 64);
	assert_int_equal(v6->persistence_timeout, 360);
	assert_addr(&v6->sorry_server.addr, "2001:db8::99");
	assert_addr(&v6->rs[0].checkers[0].connect_ip, "::1");
	assert_addr(&v6->members[0].addr, "2001:db8::1");
	/* TUN: IPv4 in IPv6 is IPVS's to make */
	assert_int_equal(tun->rs[0].addr.af, 6);
	assert_int_equal(tun->rs[1].addr.af, 4);
	assert_int_equal(d.errors, 0);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* --------------------------------------------------------------- dataplane */

static const struct dp_refusal {
	const char *text;
	int line;
	const char *msg;
} dp_refusals[] = {
	{ DP_V6 "routes = ( { prefix = \"::/0\"; via = \"10.0.0.1\"; } );\n", 3,
	  "via 10.0.0.1 is not of the family of prefix ::/0" },
	{ DP_V6 "routes = ( { prefix = \"::/0\"; via = \"fe80::1\"; } );\n", 3,
	  "a link-local gateway is not supported" },
	{ DP_V6 "routes = ( { prefix = \"2001:db8:5::1/48\"; via = \"2001:db8:17::1\"; } );\n", 3,
	  "has host bits set" },
	{ "ports = ( { name = \"eth1\"; device = \"net_tap0\";\n"
	  "  addresses = [\"ff02::1/64\"]; } );\n",
	  2, "cannot be an address of the director" },
	{ "ports = ( { name = \"eth1\"; device = \"net_tap0\";\n"
	  "  addresses = [\"2001:db8::1/129\"]; } );\n",
	  2, "is not ADDRESS/len" },
};

static void test_dataplane(void **state)
{
	static const char text[] =
	    DP_V6 "connections = 8192;\n"
		  "routes = ( { prefix = \"::/0\"; via = \"2001:db8:17::1\"; },\n"
		  " { prefix = \"2001:db8:99::/48\"; via = \"2001:db8:17::2\"; } );\n";
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p = cfg_dataplane_parse(text, "t.cfg", &d);

	(void)state;
	assert_non_null(p);
	assert_addr(&p->ports[0].addrs[0].addr, "2001:db8:17::6");
	assert_int_equal(p->ports[0].addrs[0].plen, 64);
	assert_int_equal(p->routes[0].prefix.plen, 0);
	assert_int_equal(p->routes[0].prefix.addr.af, 6);
	assert_addr(&p->routes[1].via, "2001:db8:17::2");
	assert_int_equal(p->connections6, 8192 / 4);
	assert_int_equal(cfg_check(NULL, p, &d), 0);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
	for (size_t i = 0; i < sizeof(dp_refusals) / sizeof(dp_refusals[0]); i++) {
		const struct dp_refusal *r = &dp_refusals[i];

		d = (struct cfg_diags){ 0 };
		p = cfg_dataplane_parse(r->text, "t.cfg", &d);
		if (p != NULL || !has_diag(&d, CFG_ERROR, r->line, r->msg)) {
			cfg_diags_print(stderr, &d);
			fail_msg("row %zu: no error at %d '%s'", i, r->line, r->msg);
		}
		cfg_diags_free(&d);
	}
}

/* Both files: an IPv6 instance needs no IPv4 address on its port (it
 * speaks from the link-local one); an IPv4 instance does. */
static void test_both_files(void **state)
{
	static const char conf[] =
	    INST6(" virtual_ipaddress { 2001:db8::100 }\n") "vrrp_instance V4 {\n interface eth1\n "
							    "virtual_router_id 8\n"
							    " virtual_ipaddress { 10.0.0.1 }\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = cfg_keepalived_parse(conf, strlen(conf), "t.conf", &d);
	struct cfg_dataplane *p = cfg_dataplane_parse(DP_V6, "t.cfg", &d);

	(void)state;
	assert_non_null(k);
	assert_non_null(p);
	assert_int_equal(cfg_check(k, p, &d), 1);
	assert_true(has_diag(&d, CFG_ERROR, 8, "vrrp_instance V4: port eth1 has no IPv4 address"));
	cfg_keepalived_free(k);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),         cmocka_unit_test(test_instance),
		cmocka_unit_test(test_virtual_servers), cmocka_unit_test(test_dataplane),
		cmocka_unit_test(test_both_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
