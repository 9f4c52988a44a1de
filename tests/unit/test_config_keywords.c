/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every keepalived keyword has a known handling, and the docs say it:
 * - every keyword keepalived 2.2.7 accepts (tests/conf-corpus/
 *   keepalived-2.2.7-keywords.txt, found by probing keepalived itself) is
 *   in halb's table for its block, or its whole block is refused;
 * - docs/CONFIGURATION.md's keyword table is exactly what the tables say
 *   (on a mismatch the table to paste is written to keyword-table.md);
 * - refused keywords are errors at their FILE:LINE, keywords without
 *   effect warn once, unknown keywords are errors (one row per case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

#define ROOT HALB_SOURCE_ROOT

/* keepalived's context in the keyword list -> halb's block, or the block
 * and keyword that refuse the whole context. */
static const struct {
	const char *ctx, *block, *opener_block, *opener;
} ctx_map[] = {
	{ "top", "the top level", NULL, NULL },
	{ "global_defs", "global_defs", NULL, NULL },
	{ "vrrp_instance", "vrrp_instance", NULL, NULL },
	{ "authentication", "authentication", NULL, NULL },
	{ "vrrp_sync_group", "vrrp_sync_group", NULL, NULL },
	{ "vrrp_script", "vrrp_script", NULL, NULL },
	{ "vrrp_track_file", "track_file", NULL, NULL },
	{ "vrrp_track_process", "vrrp_track_process", NULL, NULL },
	{ "virtual_server", "virtual_server", NULL, NULL },
	{ "real_server", "real_server", NULL, NULL },
	{ "HTTP_GET", "HTTP_GET/SSL_GET", NULL, NULL },
	{ "SSL_GET", "HTTP_GET/SSL_GET", NULL, NULL },
	{ "TCP_CHECK", "TCP_CHECK", NULL, NULL },
	{ "MISC_CHECK", "MISC_CHECK", NULL, NULL },
	{ "url", "url", NULL, NULL },
	{ "bfd_instance", NULL, "the top level", "bfd_instance" },
	{ "garp_group", NULL, "the top level", "garp_group" },
	{ "SSL", NULL, "the top level", "SSL" },
	{ "SMTP_CHECK", "SMTP_CHECK", NULL, NULL },
	{ "host", "host", NULL, NULL },
	{ "DNS_CHECK", "DNS_CHECK", NULL, NULL },
	{ "UDP_CHECK", "UDP_CHECK", NULL, NULL },
	{ "PING_CHECK", "PING_CHECK", NULL, NULL },
	{ "FILE_CHECK", "FILE_CHECK", NULL, NULL },
	{ "BFD_CHECK", NULL, "real_server", "BFD_CHECK" },
};

static void test_keepalived_keywords_covered(void **state)
{
	FILE *f = fopen(ROOT "/tests/conf-corpus/keepalived-2.2.7-keywords.txt", "r");
	char line[256];
	unsigned int n = 0, missing = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char ctx[64], kw[128];
		size_t i;

		if (line[0] == '#' || sscanf(line, "%63s %127s", ctx, kw) != 2)
			continue;
		for (i = 0; i < sizeof(ctx_map) / sizeof(ctx_map[0]); i++)
			if (strcmp(ctx_map[i].ctx, ctx) == 0)
				break;
		assert_true(i < sizeof(ctx_map) / sizeof(ctx_map[0]));
		n++;
		if (ctx_map[i].block != NULL) {
			if (cfg_keyword_status(ctx_map[i].block, kw) < 0) {
				fprintf(stderr, "keepalived's %s %s: in no halb table\n", ctx, kw);
				missing++;
			}
		} else {
			/* the whole block is refused or has no effect */
			assert_true(cfg_keyword_status(ctx_map[i].opener_block, ctx_map[i].opener) >
				    0);
		}
	}
	fclose(f);
	assert_true(n > 400);
	assert_int_equal(missing, 0);
}

/* The text between the markers of docs/CONFIGURATION.md. */
static char *doc_table(void)
{
	static const char begin[] = "<!-- keyword-table: made by cfg_keyword_table_md -->\n";
	static const char end[] = "<!-- keyword-table end -->";
	FILE *f = fopen(ROOT "/docs/CONFIGURATION.md", "r");
	char *text = NULL, *b, *e;
	size_t len = 0;

	assert_non_null(f);
	assert_true(getdelim(&text, &len, '\0', f) > 0);
	fclose(f);
	b = strstr(text, begin);
	assert_non_null(b);
	b += strlen(begin);
	e = strstr(b, end);
	assert_non_null(e);
	memmove(text, b, (size_t)(e - b));
	text[e - b] = '\0';
	return text;
}

static void test_doc_table_matches(void **state)
{
	char *want = NULL, *doc = doc_table();
	size_t len = 0;
	FILE *m = open_memstream(&want, &len);

	(void)state;
	cfg_keyword_table_md(m);
	fclose(m);
	if (strcmp(doc, want) != 0) {
		FILE *out = fopen("keyword-table.md", "w");

		if (out != NULL) {
			fputs(want, out);
			fclose(out);
		}
		fprintf(stderr, "docs/CONFIGURATION.md's keyword table differs from the parser's "
				"tables: paste keyword-table.md (in the test's directory) between "
				"its markers\n");
	}
	assert_string_equal(doc, want);
	free(doc);
	free(want);
}

/* ------------------------------------------------------------ diagnostics */

static const struct diag_case {
	const char *text;
	enum cfg_severity sev;
	int line;
	const char *msg;
	unsigned int errors, warnings;
} diag_cases[] = {
	{ "global_defs {\n lvs_timeouts tcp 10\n}\n", CFG_ERROR, 2,
	  "lvs_timeouts is not supported by halb: not implemented", 1, 0 },
	{ "global_defs {\n vrrp_iptables\n vrrp_iptables\n nftables\n}\n", CFG_WARNING, 2,
	  "vrrp_iptables has no effect in halb: halb puts no firewall rules", 0, 2 },
	{ "global_defs {\n vrrp_startup_delay soon\n}\n", CFG_ERROR, 2, "vrrp_startup_delay", 1,
	  0 },
	{ "global_defs {\n notify_fifo tmp/fifo\n}\n", CFG_ERROR, 2,
	  "notify_fifo: tmp/fifo is not an absolute path", 1, 0 },
	{ "global_defs {\n vrrp_garp_lower_prio_repeat -1\n}\n", CFG_ERROR, 2,
	  "vrrp_garp_lower_prio_repeat", 1, 0 },
	{ "global_defs {\n vrrp_lower_prio_no_advert perhaps\n}\n", CFG_ERROR, 2,
	  "vrrp_lower_prio_no_advert", 1, 0 },
	{ "global_defs {\n lvs_notify_fifo /tmp/f\n}\n", CFG_ERROR, 2,
	  "lvs_notify_fifo is not supported by halb: not implemented: halb writes VRRP events", 1,
	  0 },
	{ "global_defs {\n nosuch 1\n}\n", CFG_WARNING, 2,
	  "unknown keyword 'nosuch' in global_defs skipped (keepalived does not know it either)", 0,
	  1 },
	{ "static_routes {\n 10.0.0.0/8 via 1.2.3.4 table 5\n}\n", CFG_ERROR, 2,
	  "static_routes: 'table' is not supported by halb", 1, 0 },
	{ "static_routes {\n blackhole 10.0.0.0/8\n}\n", CFG_ERROR, 2,
	  "static_routes: 'blackhole' is not supported by halb", 1, 0 },
	{ "static_routes {\n 10.0.0.1/8 via 1.2.3.4\n}\n", CFG_ERROR, 2,
	  "static_routes: 10.0.0.1/8 has host bits set", 1, 0 },
	{ "static_routes {\n 10.0.0.0/8 metric\n}\n", CFG_ERROR, 2,
	  "static_routes: metric needs a value", 1, 0 },
	{ "static_routes {\n 10.0.0.0/8 src 1.2.3.4\n}\n", CFG_ERROR, 2,
	  "static_routes: 10.0.0.0/8 needs via GATEWAY or dev IF", 1, 0 },
	{ "static_routes {\n 10.0.0.0/8 via 1.2.3.4\n 10.1.0.0/16 nexthop via 1.2.3.5\n}\n",
	  CFG_ERROR, 3, "static_routes: 'nexthop' is not supported by halb", 1, 0 },
	{ "static_routes {\n 2001:db8:5::/64 via 10.0.0.1\n}\n", CFG_ERROR, 2,
	  "static_routes via: 10.0.0.1 is not of the route's family (IPv6)", 1, 0 },
	{ "static_routes {\n 2001:db8:5::1/64 via 2001:db8::1\n}\n", CFG_ERROR, 2,
	  "static_routes: 2001:db8:5::1/64 has host bits set", 1, 0 },
	{ "static_ipaddress {\n 10.9.9.9/24\n}\n", CFG_ERROR, 2,
	  "static_ipaddress: 10.9.9.9/24 needs dev IF", 1, 0 },
	{ "static_ipaddress {\n 10.9.9.300/24 dev eth0\n}\n", CFG_ERROR, 2,
	  "static_ipaddress: '10.9.9.300/24' is not an IPv4 or IPv6 address", 1, 0 },
	{ "static_rules {\n from 10.0.0.0/8 table 5\n}\n", CFG_ERROR, 1,
	  "static_rules is not supported by halb: not implemented: halb's dataplane has one "
	  "routing table",
	  1, 0 },
	{ "bfd_instance b {\n neighbor_ip 1.2.3.4\n}\n", CFG_ERROR, 1,
	  "bfd_instance is not supported by halb: halb does not implement BFD", 1, 0 },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n  BFD_CHECK {\n  "
	  "}\n }\n}\n",
	  CFG_ERROR, 3, "BFD_CHECK is not supported by halb: BFD sessions are out of scope", 1, 0 },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n ops\n real_server 10.0.1.1 80 { }\n}\n",
	  CFG_ERROR, 2, "ops is not supported by halb", 1, 0 },
	{ "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n  uthreshold "
	  "10\n }\n}\n",
	  CFG_ERROR, 3, "uthreshold is not supported by halb", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n use_vmac\n}\n",
	  CFG_ERROR, 5, "use_vmac is not supported by halb", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n virtual_ipaddress_excluded {\n  10.0.0.2/40\n }\n}\n",
	  CFG_ERROR, 6, "virtual_ipaddress_excluded: bad prefix length in '10.0.0.2/40'", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n unicast_peer {\n  10.0.0.9 min_ttl 300\n }\n}\n",
	  CFG_ERROR, 6, "unicast_peer min_ttl", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n unicast_peer {\n  10.0.0.9 min_ttl 200 max_ttl 100\n"
	  " }\n}\n",
	  CFG_ERROR, 6, "unicast_peer: min_ttl 200 is above max_ttl 100", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n unicast_peer {\n  10.0.0.9 max_ttl\n }\n}\n",
	  CFG_ERROR, 6, "unicast_peer: max_ttl needs a value", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n unicast_ttl 0\n}\n",
	  CFG_ERROR, 5, "unicast_ttl", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n lower_prio_no_advert maybe\n}\n",
	  CFG_ERROR, 5, "lower_prio_no_advert", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n garp_lower_prio_repeat x\n}\n",
	  CFG_ERROR, 5, "garp_lower_prio_repeat", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n virtual_routes {\n  10.8.0.0/16 via 10.0.0.254 "
	  "proto kernel\n }\n}\n",
	  CFG_ERROR, 6, "virtual_routes: 'proto' is not supported by halb", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n virtual_rules {\n  from 10.0.0.1 table 7\n }\n}\n",
	  CFG_ERROR, 5, "virtual_rules is not supported by halb", 1, 0 },
	{ "vrrp_instance V {\n interface eth1\n virtual_router_id 1\n"
	  " virtual_ipaddress { 10.0.0.1 }\n strict_mode\n}\n",
	  CFG_WARNING, 5, "strict_mode has no effect in halb", 0, 1 },
	{ "vrrp_sync_group G {\n group { A B }\n sync_group_tracking_weight\n}\n", CFG_ERROR, 3,
	  "sync_group_tracking_weight is not supported by halb", 3, 0 },
};

static void test_diag_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(diag_cases) / sizeof(diag_cases[0]); i++) {
		const struct diag_case *c = &diag_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(c->text, strlen(c->text), "test.conf", &d);
		bool found = false;

		for (size_t j = 0; j < d.n; j++)
			found |= d.v[j].severity == c->sev && d.v[j].line == c->line &&
				 strstr(d.v[j].msg, c->msg) != NULL;
		if (!found || d.errors != c->errors || d.warnings != c->warnings) {
			fprintf(stderr, "case %zu: want %s at %d '%s' (%u errors, %u warnings):\n",
				i, c->sev == CFG_ERROR ? "error" : "warning", c->line, c->msg,
				c->errors, c->warnings);
			cfg_diags_print(stderr, &d);
		}
		assert_true(found);
		assert_int_equal(d.errors, c->errors);
		assert_int_equal(d.warnings, c->warnings);
		assert_true((k == NULL) == (c->errors > 0));
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keepalived_keywords_covered),
		cmocka_unit_test(test_doc_table_matches),
		cmocka_unit_test(test_diag_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
