/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/neigh, the neighbour table, on a fake clock: entries
 * only where halb resolves, pinned ones kept and probed, unpinned ones
 * freed when stale or failed, a full table that frees its oldest unpinned
 * entry and refuses meanwhile, and freed slots that come back only after
 * an RCU grace period.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "halb_neigh.h"

static struct rte_rcu_qsbr *qsbr;
static struct rte_mempool *pool;
static char prefix[32];

struct calls {
	unsigned int solicit, release, drop, drop_full;
	unsigned int solicit6; /* of them, for IPv6 addresses */
	struct neigh_ip last;  /* the last address solicited */
};

static void op_solicit(void *ctx, uint8_t port, const struct neigh_ip *ip)
{
	struct calls *c = ctx;

	(void)port;
	c->solicit++;
	c->solicit6 += !neigh_ip_is4(ip);
	c->last = *ip;
}

static void op_release(void *ctx, uint8_t port, struct rte_mbuf *m,
		       const struct rte_ether_addr *mac)
{
	(void)port;
	(void)mac;
	((struct calls *)ctx)->release++;
	rte_pktmbuf_free(m);
}

static void op_drop(void *ctx, struct rte_mbuf *m, enum neigh_drop why)
{
	struct calls *c = ctx;

	c->drop++;
	c->drop_full += why == NEIGH_DROP_QUEUE_FULL;
	rte_pktmbuf_free(m);
}

static struct calls calls;
static const struct neigh_ops ops = {
	.solicit = op_solicit, .release = op_release, .drop = op_drop, .ctx = &calls
};

static int eal_up(void **state)
{
	char *argv[] = { "test_neigh",
			 "--no-huge",
			 "-m",
			 "64",
			 "--no-pci",
			 "--no-telemetry",
			 "--log-level=*:warning",
			 "--file-prefix",
			 prefix,
			 NULL };

	(void)state;
	snprintf(prefix, sizeof(prefix), "neigh%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	qsbr = rte_zmalloc("qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	pool = rte_pktmbuf_pool_create("p", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (qsbr == NULL || pool == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		return -1;
	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	return 0;
}

static int eal_down(void **state)
{
	char cmd[128];

	(void)state;
	rte_mempool_free(pool);
	rte_free(qsbr);
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", prefix);
	return system(cmd) == 0 ? 0 : -1;
}

static struct neigh_table *table(uint32_t size)
{
	static unsigned int n;
	char name[16];
	struct neigh_table *t;

	snprintf(name, sizeof(name), "n%u", n++);
	t = neigh_create(name, size, qsbr, 0);
	assert_non_null(t);
	calls = (struct calls){ 0 };
	return t;
}

/* 172.17.0.host, and 2001:db8::host, as the table takes them. */
#define ip(host) ((const struct neigh_ip[]){ neigh_ip4(rte_cpu_to_be_32(0xac110000u + (host))) })
#define ip6(host)                   \
	((const struct neigh_ip[]){ \
	    { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (host) } } })

static const struct rte_ether_addr MAC = { { 2, 0, 0, 0, 0, 7 } };

/* Ages the table every second from `from` to `to` (ms). */
static void age(struct neigh_table *t, uint64_t from, uint64_t to)
{
	for (uint64_t now = from; now <= to; now += 1000)
		neigh_age(t, now, &ops);
}

/* A pinned entry (a real server's) is probed when its 30 s are up and
 * stays; an unpinned one (made for a packet) is not probed and is freed
 * when it has been stale for a minute; learning only updates entries. */
static void test_pinned_and_unpinned(void **state)
{
	struct neigh_table *t = table(16);
	struct rte_ether_addr mac;
	uint8_t port;
	int32_t rs, other;

	(void)state;
	assert_int_equal(neigh_learn(t, ip(9), &MAC, 0, false, 0, &ops), -1); /* no entry made */
	rs = neigh_resolve(t, ip(7), 0, true, 0, &ops);
	other = neigh_resolve(t, ip(8), 0, false, 0, &ops);
	assert_true(rs >= 0 && other >= 0);
	assert_int_equal(calls.solicit, 2);
	assert_int_equal(neigh_learn(t, ip(7), &MAC, 0, false, 10, &ops), rs);
	assert_int_equal(neigh_learn(t, ip(8), &MAC, 0, false, 10, &ops), other);
	assert_true(neigh_slot_get(t, (uint32_t)rs, &mac, &port));
	assert_false(neigh_slot_news(t, (uint32_t)rs, &MAC, 0));
	age(t, 1000, 31000);
	/* the pinned one is being probed: workers report what they hear */
	assert_int_equal(calls.solicit, 3);
	assert_true(neigh_slot_news(t, (uint32_t)rs, &MAC, 0));
	assert_int_equal(t->ent[other].state, NEIGH_STALE);
	neigh_learn(t, ip(7), &MAC, 0, false, 31500, &ops);
	assert_false(neigh_slot_news(t, (uint32_t)rs, &MAC, 0));
	age(t, 32000, 95000);
	assert_int_equal(neigh_find(t, ip(8)), -1);
	assert_int_equal(neigh_find(t, ip(7)), rs);
	assert_int_equal(t->live, 1);
	neigh_free(t);
}

/* An unpinned entry nobody answers fails and is freed; a pinned one fails
 * (its slot invalid, its held packets dropped) and is probed again later. */
static void test_failed(void **state)
{
	struct neigh_table *t = table(16);
	int32_t rs;

	(void)state;
	rs = neigh_resolve(t, ip(7), 0, true, 0, &ops);
	neigh_resolve(t, ip(8), 0, false, 0, &ops);
	neigh_hold(t, ip(7), 0, rte_pktmbuf_alloc(pool), 0, &ops);
	age(t, 1000, 5000);
	assert_int_equal(t->ent[rs].state, NEIGH_FAILED);
	assert_int_equal(calls.drop, 1);
	assert_int_equal(neigh_find(t, ip(8)), -1);
	age(t, 6000, 13000);
	assert_int_equal(t->ent[rs].state, NEIGH_INCOMPLETE); /* probed again */
	neigh_free(t);
}

/* Frames wait at most NEIGH_HOLD_MAX per address. */
static void test_hold_bounded(void **state)
{
	struct neigh_table *t = table(16);

	(void)state;
	for (int i = 0; i < NEIGH_HOLD_MAX + 3; i++)
		neigh_hold(t, ip(7), 0, rte_pktmbuf_alloc(pool), 0, &ops);
	assert_int_equal(calls.drop_full, 3);
	neigh_learn(t, ip(7), &MAC, 0, false, 1, &ops);
	assert_int_equal(calls.release, NEIGH_HOLD_MAX);
	neigh_free(t);
}

/* A full table refuses a new address, frees its oldest unpinned entry, and
 * gives that slot to a later one once every reader has passed a quiescent
 * point; pinned entries are never sacrificed. */
static void test_full_table(void **state)
{
	struct neigh_table *t = table(8);
	int32_t old;

	(void)state;
	neigh_resolve(t, ip(1), 0, true, 0, &ops);
	neigh_resolve(t, ip(2), 0, true, 0, &ops);
	old = neigh_resolve(t, ip(3), 0, false, 100, &ops);
	for (uint32_t h = 4; h <= 8; h++)
		neigh_resolve(t, ip(h), 0, false, 100 + h, &ops);
	assert_int_equal(neigh_resolve(t, ip(9), 0, false, 300, &ops), -1);
	assert_int_equal(t->full, 1);
	assert_int_equal(neigh_find(t, ip(3)), -1); /* the oldest unpinned */
	assert_int_equal(neigh_resolve(t, ip(9), 0, false, 300, &ops), -1); /* not yet */
	rte_rcu_qsbr_quiescent(qsbr, 0);
	neigh_age(t, 400, &ops);
	assert_int_equal(neigh_resolve(t, ip(9), 0, false, 400, &ops), old);
	assert_true(neigh_find(t, ip(1)) >= 0 && neigh_find(t, ip(2)) >= 0);
	/* a new configuration pins what it resolves; the old pins lapse */
	neigh_pin_begin(t);
	neigh_resolve(t, ip(2), 0, true, 500, &ops);
	assert_int_equal(neigh_resolve(t, ip(10), 0, false, 500, &ops), -1);
	assert_int_equal(neigh_find(t, ip(1)), -1); /* unpinned now, and the oldest */
	neigh_free(t);
}

/* IPv4 and IPv6 neighbours live in one table under the same bounds: an
 * IPv6 address is solicited as one (neighbour discovery, not ARP), an
 * IPv4 address mapped into IPv6 is not the IPv6 one of the same bytes, and
 * a full table makes room for either family the same way. */
static void test_both_families(void **state)
{
	struct neigh_table *t = table(8);
	int32_t s6, s4;

	(void)state;
	s6 = neigh_resolve(t, ip6(7), 1, true, 0, &ops);
	assert_true(s6 >= 0);
	assert_int_equal(calls.solicit6, 1);
	assert_memory_equal(calls.last.b, ip6(7)->b, 16);
	s4 = neigh_resolve(t, ip(7), 0, true, 0, &ops);
	assert_true(s4 >= 0 && s4 != s6);
	assert_true(neigh_ip_is4(&calls.last) && !neigh_ip_is4(ip6(7)));
	assert_int_equal(neigh_learn(t, ip6(7), &MAC, 1, false, 10, &ops), s6);
	assert_int_equal(neigh_find(t, ip6(8)), -1);
	/* full of two pinned ones and six unpinned IPv4 ones: an IPv6 newcomer
	 * waits for the oldest unpinned one's grace period, like any */
	for (uint32_t h = 1; h <= 6; h++)
		assert_true(neigh_resolve(t, ip(h), 0, false, 100 * h, &ops) >= 0);
	assert_int_equal(neigh_resolve(t, ip6(9), 0, false, 700, &ops), -1);
	assert_int_equal(neigh_find(t, ip(1)), -1);
	rte_rcu_qsbr_quiescent(qsbr, 0);
	neigh_age(t, 800, &ops);
	assert_true(neigh_resolve(t, ip6(9), 0, false, 800, &ops) >= 0);
	assert_true(neigh_find(t, ip6(7)) == s6 && neigh_find(t, ip(7)) == s4);
	neigh_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned_and_unpinned), cmocka_unit_test(test_failed),
		cmocka_unit_test(test_hold_bounded),        cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_both_families),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
