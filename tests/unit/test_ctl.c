/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ctl's listing machinery, without a running halb: the parameters of
 * list requests (ctl_query_parse) and the connection walker behind
 * /halb/conns (ctl_conns_page) over two workers' connection tables of
 * 200,000 connections and a thousand persistence templates. A listing paged through any page size
 * sees every connection exactly once, each filter selects what it says, a request examines no more
 * than its scan bound, and a bad cursor is an error. The EAL runs without hugepages or PCI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "ctl_priv.h"

#define N_CONNS     200000u
#define N_TEMPLATES 1000u
#define VIP(i)      (0xac116464u + (i) % 3u) /* 172.17.100.100..102 */
#define RIP(i)      (0xac110101u + (i) % 5u) /* 172.17.1.1..5 */
#define CLIENT(i)   (0x0a000000u + (i) / 7u) /* 10.x.y.z */
#define CPORT(i)    (1024u + (i) % 7u)

#define TABLES 2 /* connection i is worker i % TABLES's */

static struct rte_rcu_qsbr *qsbr;
static struct conn_dest *dests;
static struct conn_table *tables[TABLES];
static struct conn_tmpls *tmpls;
static struct ctl_conns_src src;
static char prefix[32];
static uint32_t now_s = 1000;

static void gone(void *ctx, const struct conn *c)
{
	(void)ctx;
	(void)c;
}

static void fill(void)
{
	for (uint16_t s = 0; s < 5; s++)
		dests[s] = (struct conn_dest){ .af = 4,
					       .port = rte_cpu_to_be_16(80),
					       .svc_stat = 100,
					       .addr.v4 = rte_cpu_to_be_32(RIP(s)) };
	for (uint32_t i = 0; i < N_CONNS; i++) {
		struct conn_init ci = {
			.key = { .af = 4,
				 .proto = i % 11 == 0 ? IPPROTO_UDP : IPPROTO_TCP,
				 .sport = rte_cpu_to_be_16((uint16_t)CPORT(i)),
				 .dport = rte_cpu_to_be_16(80),
				 .v4 = { rte_cpu_to_be_32(CLIENT(i)), rte_cpu_to_be_32(VIP(i)) } },
			/* NAT ones are indexed twice: listed once */
			.fwd = i % 4 == 0 ? CFG_FWD_NAT : CFG_FWD_DR,
			.rs_stat = (uint16_t)(i % 5),
			.state = CONN_S_ESTABLISHED,
			.assured = true,
		};

		assert_non_null(conn_create(tables[i % TABLES], &ci, now_s, gone, NULL));
	}
	/* Template i: client 10.0.0.0 + i (so CLIENT(7 * i)), port 0. */
	for (uint32_t i = 0; i < N_TEMPLATES; i++) {
		struct conn_tkey k = { .af = 4,
				       .proto = i % 11 == 0 ? IPPROTO_UDP : IPPROTO_TCP,
				       .vport = rte_cpu_to_be_16(80) };
		rte_be32_t c = rte_cpu_to_be_32(0x0a000000u + i), v = rte_cpu_to_be_32(VIP(i));
		uint32_t idx;

		memcpy(k.caddr, &c, 4);
		memcpy(k.vaddr, &v, 4);
		assert_non_null(
		    conn_tmpl_get(tmpls, &k, (uint16_t)(i % 5), 100, 3600, now_s, &idx));
	}
}

static int eal_up(void **state)
{
	char *argv[] = { "test_ctl",
			 "--no-huge",
			 "-m",
			 "512",
			 "--no-pci",
			 "--no-telemetry",
			 "--log-level=*:warning",
			 "--file-prefix",
			 prefix,
			 NULL };

	(void)state;
	snprintf(prefix, sizeof(prefix), "ctl%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	qsbr = rte_zmalloc("qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	dests = rte_zmalloc("dests", sizeof(*dests) * 65536, 0);
	if (qsbr == NULL || dests == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	for (int t = 0; t < TABLES; t++) {
		char name[16];

		snprintf(name, sizeof(name), "walk%d", t);
		tables[t] = conn_table_create(&(struct conn_table_params){ .name = name,
									   .capacity = N_CONNS,
									   .dests = dests,
									   .tmpls = NULL,
									   .socket = 0 });
		if (tables[t] == NULL)
			return -1;
	}
	tmpls = conn_tmpls_create("walk", 4 * N_TEMPLATES, qsbr, 0);
	if (tmpls == NULL)
		return -1;
	src = (struct ctl_conns_src){ .tables = (const struct conn_table *const *)tables,
				      .n_tables = TABLES,
				      .tmpls = tmpls,
				      .dests = dests,
				      .now_s = now_s };
	fill();
	return 0;
}

static int eal_down(void **state)
{
	char cmd[128];

	(void)state;
	for (int t = 0; t < TABLES; t++)
		conn_table_free(tables[t]);
	conn_tmpls_free(tmpls);
	rte_free(dests);
	rte_free(qsbr);
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", prefix);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- the walk */

struct seen {
	uint8_t *conns; /* per connection index: times seen */
	uint32_t n, templates, page, page_max;
};

static uint32_t v4(const uint8_t *a)
{
	rte_be32_t x;

	memcpy(&x, a, sizeof(x));
	return rte_be_to_cpu_32(x);
}

/* Connections carry their index in client and client port. */
static bool collect(void *arg, const struct ctl_conn_info *ci)
{
	struct seen *s = arg;
	uint32_t i;

	if (s->page == s->page_max)
		return false;
	s->page++;
	if (ci->tmpl) {
		s->templates++;
		assert_int_equal(ci->cport, 0);
		return true;
	}
	i = (v4(ci->caddr) - 0x0a000000u) * 7u + (ci->cport - 1024u);
	assert_true(i < N_CONNS);
	assert_int_equal(v4(ci->vaddr), VIP(i));
	assert_int_equal(v4(ci->daddr), RIP(i));
	assert_int_equal(ci->worker, i % TABLES);
	assert_int_equal(ci->state, CONN_S_ESTABLISHED);
	s->conns[i]++;
	s->n++;
	return true;
}

/* Pages through everything that passes f; returns the requests made. */
static unsigned int walk(struct seen *s, const struct ctl_conn_filter *f, uint32_t page_max,
			 uint32_t scan_max)
{
	char cursor[CTL_CURSOR_LEN] = "", next[CTL_CURSOR_LEN];
	unsigned int requests = 0;

	memset(s, 0, sizeof(*s));
	s->conns = calloc(N_CONNS, 1);
	s->page_max = page_max;
	do {
		uint32_t scanned;

		s->page = 0;
		assert_int_equal(
		    ctl_conns_page(&src, cursor, f, scan_max, collect, s, next, &scanned), 0);
		assert_true(scanned <= scan_max);
		memcpy(cursor, next, sizeof(cursor));
		requests++;
		assert_true(requests < 10 * N_CONNS);
	} while (cursor[0] != '\0');
	return requests;
}

static void test_every_connection_once(void **state)
{
	static const uint32_t pages[] = { 1000, 333, 65536, 100000000 };
	struct ctl_conn_filter all = { 0 };

	(void)state;
	for (size_t p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		struct seen s;

		walk(&s, &all, pages[p], 64 * 1024);
		assert_int_equal(s.n, N_CONNS);
		assert_int_equal(s.templates, N_TEMPLATES);
		for (uint32_t i = 0; i < N_CONNS; i++)
			assert_int_equal(s.conns[i], 1);
		free(s.conns);
	}
}

static struct ctl_addr_filter addr(uint32_t a, int port)
{
	return (struct ctl_addr_filter){ .set = true,
					 .addr = cfg_addr4(a),
					 .has_port = port >= 0,
					 .port = (uint16_t)(port < 0 ? 0 : port) };
}

static void test_filters(void **state)
{
	uint32_t udp = 0;
	struct {
		const char *what;
		struct ctl_conn_filter f;
		uint32_t conns, templates;
	} cases[] = {
		{ "vip", { .vip = addr(VIP(0), 80) }, (N_CONNS + 2) / 3, (N_TEMPLATES + 2) / 3 },
		{ "vip other port", { .vip = addr(VIP(0), 443) }, 0, 0 },
		{ "rs", { .rs = addr(RIP(1), -1) }, N_CONNS / 5, N_TEMPLATES / 5 },
		{ "client", { .client = addr(CLIENT(700), 1024 + 700 % 7) }, 1, 0 },
		{ "client any port", { .client = addr(CLIENT(700), -1) }, 7, 1 },
		{ "udp", { .proto = IPPROTO_UDP }, 0, 0 },
		{ "vip and rs", { .vip = addr(VIP(0), -1), .rs = addr(RIP(0), -1) }, 0, 0 },
	};

	(void)state;
	for (uint32_t i = 0; i < N_CONNS; i++)
		udp += i % 11 == 0;
	cases[5].conns = udp;
	cases[5].templates = (N_TEMPLATES + 10) / 11;
	/* index % 3 == 0 and % 5 == 0: % 15 == 0 */
	cases[6].conns = (N_CONNS + 14) / 15;
	cases[6].templates = (N_TEMPLATES + 14) / 15;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct seen s;

		walk(&s, &cases[c].f, 500, 64 * 1024);
		if (s.n != cases[c].conns || s.templates != cases[c].templates)
			fail_msg("%s: %u connections and %u templates, expected %u and %u",
				 cases[c].what, s.n, s.templates, cases[c].conns,
				 cases[c].templates);
		free(s.conns);
	}
}

/* A filter that matches nothing still answers every request after at most
 * scan_max entries, and the walk ends. */
static void test_scan_bound(void **state)
{
	struct ctl_conn_filter none = { .vip = addr(0x01020304, -1) };
	struct seen s;
	unsigned int requests;

	(void)state;
	requests = walk(&s, &none, 1000, 10000);
	assert_int_equal(s.n, 0);
	assert_true(requests >= (N_CONNS + N_TEMPLATES) / 10000);
	assert_true(requests <= (N_CONNS + N_TEMPLATES) / 10000 + 2);
	free(s.conns);
}

static void test_bad_cursor(void **state)
{
	static const char *const bad[] = { "x1", "c", "cxyz", "c1z", "c1.z", "c2.0", "t", "t1z" };
	struct ctl_conn_filter all = { 0 };
	char next[CTL_CURSOR_LEN];
	struct seen s = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctl_conns_page(&src, bad[i], &all, 10, collect, &s, next, NULL),
				 -1);
}

/* ------------------------------------------------------------ parameters */

static void test_query_parse(void **state)
{
	static const struct {
		const char *params;
		unsigned int allowed;
		const char *error; /* NULL: accepted */
	} cases[] = {
		{ NULL, CTL_Q_LIMIT, NULL },
		{ "", CTL_Q_LIMIT, NULL },
		{ "50", CTL_Q_LIMIT, NULL },
		{ "0", CTL_Q_LIMIT, "expected key=value parameters or a number from 1 to 1000" },
		{ "1001", CTL_Q_LIMIT, "expected key=value parameters or a number from 1 to 1000" },
		{ "limit=7,cursor=c1f,vip=172.17.100.100:80,rs=172.17.1.7,client=10.0.0.1:5",
		  CTL_Q_LIMIT | CTL_Q_CURSOR | CTL_Q_VIP | CTL_Q_RS | CTL_Q_CLIENT, NULL },
		{ "proto=UDP,count=1", CTL_Q_PROTO | CTL_Q_COUNT, NULL },
		{ "vip=172.17.100.100:80", CTL_Q_LIMIT, "unknown parameter 'vip' (known: limit)" },
		{ "limit", CTL_Q_LIMIT | CTL_Q_VIP, "expected key=value, not 'limit'" },
		{ "vip=172.17.100:80", CTL_Q_VIP, "bad value for vip: '172.17.100:80'" },
		{ "vip=172.17.100.100:65536", CTL_Q_VIP,
		  "bad value for vip: '172.17.100.100:65536'" },
		{ "vip=172.17.100.100:", CTL_Q_VIP, "bad value for vip: '172.17.100.100:'" },
		{ "proto=sctp", CTL_Q_PROTO, "bad value for proto: 'sctp'" },
		{ "count=yes", CTL_Q_COUNT, "bad value for count: 'yes'" },
		{ "weight=reset", CTL_Q_WEIGHT, NULL },
		{ "weight=65536", CTL_Q_WEIGHT, "bad value for weight: '65536'" },
		{ "weight=-1", CTL_Q_WEIGHT, "bad value for weight: '-1'" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_query q;
		char err[160] = "";
		int rc =
		    ctl_query_parse(cases[i].params, cases[i].allowed, 1000, &q, err, sizeof(err));

		if (cases[i].error == NULL && rc != 0)
			fail_msg("'%s': refused: %s", cases[i].params, err);
		if (cases[i].error != NULL && (rc == 0 || strcmp(err, cases[i].error) != 0))
			fail_msg("'%s': got '%s', expected '%s'", cases[i].params, err,
				 cases[i].error);
	}
}

static void test_query_values(void **state)
{
	struct ctl_query q;
	char err[160];

	(void)state;
	assert_int_equal(ctl_query_parse("limit=7,cursor=c1f,vip=172.17.100.100:80,rs=172.17.1.7,"
					 "proto=udp,weight=0",
					 CTL_Q_LIMIT | CTL_Q_CURSOR | CTL_Q_VIP | CTL_Q_RS |
					     CTL_Q_PROTO | CTL_Q_WEIGHT,
					 100, &q, err, sizeof(err)),
			 0);
	assert_int_equal(q.limit, 7);
	assert_string_equal(q.cursor, "c1f");
	assert_true(q.vip.set && q.vip.has_port);
	assert_int_equal(q.vip.addr.v4, 0xac116464);
	assert_int_equal(q.vip.port, 80);
	assert_true(q.rs.set && !q.rs.has_port);
	assert_int_equal(q.proto, IPPROTO_UDP);
	assert_true(q.has_weight);
	assert_int_equal(q.weight, 0);
	assert_true(ctl_addr_match(&q.vip, (const struct cfg_addr[]){ cfg_addr4(0xac116464) }, 80));
	assert_false(
	    ctl_addr_match(&q.vip, (const struct cfg_addr[]){ cfg_addr4(0xac116464) }, 81));
	assert_true(
	    ctl_addr_match(&q.rs, (const struct cfg_addr[]){ cfg_addr4(0xac110107) }, 8080));
	assert_true(ctl_addr_match(&q.client, (const struct cfg_addr[]){ cfg_addr4(1) },
				   2)); /* unset: anything */
}

/* IPv6 filters as ipvsadm writes them: a bare address, or [address]:port. */
static void test_query_ipv6(void **state)
{
	static const struct {
		const char *params;
		const char *addr; /* NULL: refused */
		int port;         /* -1: none */
	} cases[] = {
		{ "vip=2001:db8::100", "2001:db8::100", -1 },
		{ "vip=[2001:db8::100]:80", "2001:db8::100", 80 },
		{ "vip=[2001:db8::100]", "2001:db8::100", -1 },
		{ "vip=[2001:db8::100]:", NULL, -1 },
		{ "vip=[2001:db8::100", NULL, -1 },
		{ "vip=2001:db8::100:80x", NULL, -1 },
		{ "vip=[2001:db8::100]:70000", NULL, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_query q;
		struct cfg_addr want;
		char err[160];
		int rc = ctl_query_parse(cases[i].params, CTL_Q_VIP, 100, &q, err, sizeof(err));

		if (cases[i].addr == NULL) {
			if (rc == 0)
				fail_msg("'%s' accepted", cases[i].params);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_true(cfg_parse_addr(cases[i].addr, &want));
		assert_true(ctl_addr_match(&q.vip, &want, 80));
		assert_int_equal(q.vip.has_port, cases[i].port >= 0);
		if (cases[i].port >= 0)
			assert_false(ctl_addr_match(&q.vip, &want, 81));
		assert_false(
		    ctl_addr_match(&q.vip, (const struct cfg_addr[]){ cfg_addr4(0xac116464) }, 80));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_parse), cmocka_unit_test(test_query_values),
		cmocka_unit_test(test_query_ipv6),  cmocka_unit_test(test_every_connection_once),
		cmocka_unit_test(test_filters),     cmocka_unit_test(test_scan_bound),
		cmocka_unit_test(test_bad_cursor),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
