/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conn, the connection table: keys and directions, IPVS's
 * TCP states, expiry on a fake clock through the owner's wheel, persistence
 * templates that outlive their connections, a full table, and concurrent
 * inserts, lookups and deletes from two lcores with RCU reclamation.
 *
 * The EAL runs without hugepages or PCI, with two lcores so that the second
 * thread is an EAL thread (rte_hash's multi-writer caches are per lcore).
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
#include <netinet/in.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "halb_conn.h"

#define WORKERS 2

static struct rte_rcu_qsbr *qsbr;
static char prefix[32];

static int eal_up(void **state)
{
	/* Two CPUs when there are: the race runs truly in parallel. */
	char *argv[] = { "test_conn",
			 "--no-huge",
			 "-m",
			 "256",
			 "--no-pci",
			 "--no-telemetry",
			 "--log-level=*:warning",
			 "--lcores",
			 sysconf(_SC_NPROCESSORS_ONLN) > 1 ? "0@0,1@1" : "0@0,1@0",
			 "--file-prefix",
			 prefix,
			 NULL };
	size_t sz;

	(void)state;
	snprintf(prefix, sizeof(prefix), "conn%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0)
		return -1;
	sz = rte_rcu_qsbr_get_memsize(WORKERS);
	qsbr = rte_zmalloc("qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (qsbr == NULL || rte_rcu_qsbr_init(qsbr, WORKERS) != 0)
		return -1;
	for (unsigned int i = 0; i < WORKERS; i++) {
		rte_rcu_qsbr_thread_register(qsbr, i);
		rte_rcu_qsbr_thread_online(qsbr, i);
	}
	return 0;
}

static int eal_down(void **state)
{
	char cmd[128];

	(void)state;
	rte_free(qsbr);
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", prefix);
	return system(cmd) == 0 ? 0 : -1;
}

static struct conn_table *table(uint32_t max)
{
	static unsigned int n;
	char name[16];
	struct conn_table *t;

	snprintf(name, sizeof(name), "t%u", n++);
	t = conn_table_create(&(struct conn_table_params){
	    .name = name, .max_conns = max, .n_workers = WORKERS, .qsbr = qsbr, .socket = 0 });
	assert_non_null(t);
	return t;
}

/* Every reader passes a quiescent point: what was freed can be reused. */
static void quiesce(void)
{
	for (unsigned int i = 0; i < WORKERS; i++)
		rte_rcu_qsbr_quiescent(qsbr, i);
}

static struct conn_key key(uint32_t client, uint16_t cport, uint8_t proto)
{
	return (struct conn_key){ .src = rte_cpu_to_be_32(client),
				  .dst = rte_cpu_to_be_32(0xac116464), /* 172.17.100.100 */
				  .sport = rte_cpu_to_be_16(cport),
				  .dport = rte_cpu_to_be_16(80),
				  .proto = proto,
				  .kind = CONN_KIND_CONN };
}

static struct conn *make(struct conn_table *t, uint16_t w, struct conn_key k, enum cfg_fwd fwd,
			 uint64_t now)
{
	struct conn_init ci = { .key = k,
				.daddr = rte_cpu_to_be_32(0xac110107), /* 172.17.1.7 */
				.dport = rte_cpu_to_be_16(8080),
				.fwd = fwd,
				.rs_stat = 1,
				.svc_stat = 0 };
	enum conn_error err;

	return conn_create(t, conn_table_worker(t, w), &ci, now, &err);
}

static int gone_count;

static void gone(void *ctx, const struct conn *c)
{
	(void)ctx;
	(void)c;
	gone_count++;
}

/* ----------------------------------------------------------------- tests */

static void test_keys_and_directions(void **state)
{
	struct conn_table *t = table(1024);
	struct conn_key k = key(0xac110002, 40000, IPPROTO_TCP), reply;
	struct conn *dr, *nat, *c;
	uint8_t dir;

	(void)state;
	dr = make(t, 0, k, CFG_FWD_DR, 1000);
	assert_non_null(dr);
	c = conn_lookup(t, &k, &dir);
	assert_ptr_equal(c, dr);
	assert_int_equal(dir, CONN_DIR_IN);
	assert_int_equal(conn_table_keys(t), 1); /* DR: no reply key */

	k = key(0xac110003, 40000, IPPROTO_TCP);
	nat = make(t, 0, k, CFG_FWD_NAT, 1000);
	assert_non_null(nat);
	reply = (struct conn_key){ .src = nat->daddr,
				   .dst = nat->caddr,
				   .sport = nat->dport,
				   .dport = nat->cport,
				   .proto = IPPROTO_TCP,
				   .kind = CONN_KIND_CONN };
	assert_ptr_equal(conn_lookup(t, &reply, &dir), nat);
	assert_int_equal(dir, CONN_DIR_OUT);
	assert_int_equal(conn_table_keys(t), 3);

	/* Killing takes every key away at once; only the first kill counts. */
	assert_true(conn_kill(t, nat));
	assert_false(conn_kill(t, nat));
	assert_null(conn_lookup(t, &k, &dir));
	assert_null(conn_lookup(t, &reply, &dir));
	conn_table_free(t);
}

static void test_bulk_lookup(void **state)
{
	struct conn_table *t = table(1024);
	struct conn_key keys[8];
	const struct conn_key *kp[8];
	struct conn *conns[8], *made[8];
	uint8_t dirs[8];
	uint64_t hits;

	(void)state;
	for (int i = 0; i < 8; i++) {
		keys[i] = key(0xac110010 + (uint32_t)i, 1000, IPPROTO_UDP);
		kp[i] = &keys[i];
		made[i] = (i % 2) ? make(t, 0, keys[i], CFG_FWD_DR, 0) : NULL;
	}
	hits = conn_lookup_bulk(t, kp, 8, conns, dirs);
	assert_int_equal(hits, 0xaa);
	for (int i = 1; i < 8; i += 2)
		assert_ptr_equal(conns[i], made[i]);
	conn_table_free(t);
}

static void test_tcp_states(void **state)
{
	struct conn_table *t = table(1024);
	struct conn *c = make(t, 0, key(0xac110002, 40001, IPPROTO_TCP), CFG_FWD_DR, 0);
	struct conn *n = make(t, 0, key(0xac110002, 40002, IPPROTO_TCP), CFG_FWD_NAT, 0);

	(void)state;
	/* DR is input-only: the client's packets alone drive the state. */
	assert_int_equal(conn_touch(c, CONN_DIR_IN, RTE_TCP_SYN_FLAG, 0), 0);
	assert_int_equal(c->state, CONN_S_SYN_RECV);
	assert_int_equal(c->expires, 60000);                                   /* SYN_RECV: 60 s */
	assert_int_equal(conn_touch(c, CONN_DIR_IN, RTE_TCP_ACK_FLAG, 10), 1); /* active */
	assert_int_equal(c->state, CONN_S_ESTABLISHED);
	assert_int_equal(c->expires, 900010); /* ESTABLISHED: 900 s */
	assert_int_equal(conn_touch(c, CONN_DIR_IN, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 20), -1);
	assert_int_equal(c->state, CONN_S_FIN_WAIT);
	assert_int_equal(c->expires, 120020);
	assert_int_equal(conn_touch(c, CONN_DIR_IN, RTE_TCP_RST_FLAG, 30), 0);
	assert_int_equal(c->state, CONN_S_CLOSE);
	assert_int_equal(c->expires, 10030);

	/* NAT sees both ways: the real server's SYN-ACK, then the client's ACK. */
	conn_touch(n, CONN_DIR_IN, RTE_TCP_SYN_FLAG, 0);
	assert_int_equal(n->state, CONN_S_SYN_RECV);
	conn_touch(n, CONN_DIR_OUT, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 1);
	assert_int_equal(n->state, CONN_S_SYN_RECV);
	assert_int_equal(conn_touch(n, CONN_DIR_IN, RTE_TCP_ACK_FLAG, 2), 1);
	assert_int_equal(n->state, CONN_S_ESTABLISHED);
	conn_touch(n, CONN_DIR_OUT, RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG, 3);
	assert_int_equal(n->state, CONN_S_FIN_WAIT);
	conn_table_free(t);
}

static void test_udp(void **state)
{
	struct conn_table *t = table(1024);
	struct conn *c = make(t, 0, key(0xac110002, 5353, IPPROTO_UDP), CFG_FWD_DR, 0);

	(void)state;
	assert_int_equal(conn_touch(c, CONN_DIR_IN, 0, 5), 1); /* UDP counts as active */
	assert_int_equal(c->state, CONN_S_UDP);
	assert_int_equal(c->expires, 300005); /* 300 s */
	assert_int_equal(conn_touch(c, CONN_DIR_IN, 0, 6), 0);
	conn_table_free(t);
}

static void test_expiry(void **state)
{
	struct conn_table *t = table(1024);
	struct conn_worker *w = conn_table_worker(t, 0);
	struct conn_key k = key(0xac110002, 40003, IPPROTO_TCP);
	struct conn *c = make(t, 0, k, CFG_FWD_DR, 1000);
	uint8_t dir;

	(void)state;
	gone_count = 0;
	conn_touch(c, CONN_DIR_IN, RTE_TCP_SYN_FLAG, 1000); /* expires at 61000 */
	conn_worker_run(t, w, 1000, 1000, gone, NULL);
	assert_int_equal(conn_worker_count(w), 1);
	conn_worker_run(t, w, 60000, 1000, gone, NULL);
	assert_non_null(conn_lookup(t, &k, &dir));
	assert_int_equal(gone_count, 0);
	/* Refreshed by traffic: still there when its old deadline passes. */
	conn_touch(c, CONN_DIR_IN, RTE_TCP_ACK_FLAG, 60500); /* ESTABLISHED: 960500 */
	conn_worker_run(t, w, 62000, 1000, gone, NULL);
	assert_non_null(conn_lookup(t, &k, &dir));
	/* Closed by an RST far from its 900 s: gone within the recheck time. */
	conn_touch(c, CONN_DIR_IN, RTE_TCP_RST_FLAG, 100000); /* CLOSE: 110000 */
	conn_worker_run(t, w, 109000, 100000, gone, NULL);
	assert_non_null(conn_lookup(t, &k, &dir));
	conn_worker_run(t, w, 141000, 100000, gone, NULL);
	assert_null(conn_lookup(t, &k, &dir));
	assert_int_equal(gone_count, 1);
	assert_int_equal(conn_worker_count(w), 0);
	/* Its memory returns to the pool after a grace period: a new entry
	 * can be made in a table whose every slot was used. */
	quiesce();
	conn_worker_run(t, w, 142000, 1000, gone, NULL);
	conn_table_free(t);
}

static void test_template_outlives_connections(void **state)
{
	struct conn_table *t = table(1024);
	struct conn_worker *w = conn_table_worker(t, 0);
	struct conn_key tk = { .src = rte_cpu_to_be_32(0xac110002),
			       .dst = rte_cpu_to_be_32(0xac116464),
			       .dport = rte_cpu_to_be_16(80),
			       .proto = IPPROTO_TCP,
			       .kind = CONN_KIND_TEMPLATE };
	struct conn_init ci;
	struct conn *tmpl, *c;
	enum conn_error err;

	(void)state;
	gone_count = 0;
	tmpl = conn_template_create(t, w, &tk, rte_cpu_to_be_32(0xac110107), rte_cpu_to_be_16(80),
				    1, 0, 5000, 0, &err);
	assert_non_null(tmpl);
	assert_ptr_equal(conn_template_find(t, &tk), tmpl);
	ci = (struct conn_init){ .key = key(0xac110002, 40004, IPPROTO_TCP),
				 .daddr = tmpl->daddr,
				 .dport = tmpl->dport,
				 .fwd = CFG_FWD_DR,
				 .rs_stat = 1,
				 .tmpl = tmpl };
	c = conn_create(t, w, &ci, 0, &err);
	assert_non_null(c);
	assert_int_equal(tmpl->n_controlled, 1);
	conn_touch(c, CONN_DIR_IN, RTE_TCP_SYN_FLAG, 0);
	conn_touch(c, CONN_DIR_IN, RTE_TCP_ACK_FLAG, 0); /* lives 900 s */

	/* The template's 5 s are over, but a connection still holds it. */
	conn_worker_run(t, w, 7000, 1000, gone, NULL);
	assert_ptr_equal(conn_template_find(t, &tk), tmpl);
	/* The connection closes (CLOSE: 10 s): its owner finds it within the
	 * wheel's recheck interval (30 s), then the template follows within
	 * its own timeout. */
	conn_touch(c, CONN_DIR_IN, RTE_TCP_RST_FLAG, 8000);
	conn_worker_run(t, w, 17000, 10000, gone, NULL);
	assert_int_equal(gone_count, 0);
	conn_worker_run(t, w, 18000 + 31000, 10000, gone, NULL);
	assert_int_equal(gone_count, 1);
	assert_ptr_equal(conn_template_find(t, &tk), tmpl);
	quiesce();
	conn_worker_run(t, w, 18000 + 31000 + 6000, 10000, gone, NULL);
	assert_null(conn_template_find(t, &tk));
	conn_table_free(t);
}

static void test_full_table(void **state)
{
	struct conn_table *t = table(64);
	struct conn_key first = key(0xac120000, 1, IPPROTO_TCP);
	struct conn_init ci = { .fwd = CFG_FWD_DR };
	enum conn_error err = 0;
	uint32_t made = 0;
	uint8_t dir;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		ci.key = key(0xac120000 + i, 1, IPPROTO_TCP);
		if (conn_create(t, conn_table_worker(t, 0), &ci, 0, &err) == NULL)
			break;
		made++;
	}
	assert_true(made >= 48 && made <= 64); /* mempool caches may strand a few */
	assert_int_equal(err, CONN_ERR_TABLE_FULL);
	/* What is in keeps working. */
	assert_non_null(conn_lookup(t, &first, &dir));
	conn_table_free(t);
}

/* ------------------------------------------------------------ concurrency */

#define RACE_ROUNDS 20000

struct race {
	struct conn_table *t;
	volatile int go;
	uint64_t bad, hits, made;
};

/* Key i belongs to one writer; its connection's fields encode i, so a
 * reader can tell a wrong or reused entry from the right one. */
static struct conn_key race_key(uint16_t writer, uint32_t i)
{
	return key(0x0a000000 | ((uint32_t)writer << 20) | (i & 0xfffff), 7, IPPROTO_UDP);
}

static void race_write_and_read(struct race *r, uint16_t me, uint16_t other)
{
	struct conn_worker *w = conn_table_worker(r->t, me);
	struct conn *live[64] = { 0 };

	for (uint32_t i = 0; i < RACE_ROUNDS; i++) {
		struct conn_key k = race_key(me, i), ok = race_key(other, i / 2);
		struct conn *c;
		uint8_t dir;

		/* Insert one, kill the one from 64 rounds ago. */
		if (live[i % 64] != NULL && conn_kill(r->t, live[i % 64]))
			live[i % 64] = NULL;
		live[i % 64] = make(r->t, me, k, CFG_FWD_DR, (uint64_t)i * 10);
		r->made += live[i % 64] != NULL;
		/* Read the other writer's keys as they come and go. */
		c = conn_lookup(r->t, &ok, &dir);
		if (c != NULL) {
			r->hits++;
			if (c->caddr != ok.src || c->cport != ok.sport || c->proto != IPPROTO_UDP)
				r->bad++;
		}
		/* The owner's wheel frees what is dead, after a grace period. */
		if (i % 128 == 0)
			conn_worker_run(r->t, w, (uint64_t)i * 10, 4096, NULL, NULL);
		rte_rcu_qsbr_quiescent(qsbr, me);
	}
	for (int j = 0; j < 64; j++)
		if (live[j] != NULL)
			conn_kill(r->t, live[j]);
	/* A reader that stops reading goes offline, or no grace period ends. */
	rte_rcu_qsbr_thread_offline(qsbr, me);
}

static struct race race_a, race_b;

static int race_main(void *arg)
{
	(void)arg;
	while (!race_b.go)
		;
	race_write_and_read(&race_b, 1, 0);
	return 0;
}

static void test_concurrent(void **state)
{
	struct conn_table *t = table(4096);
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);

	(void)state;
	assert_true(lcore < RTE_MAX_LCORE);
	race_a = (struct race){ .t = t };
	race_b = (struct race){ .t = t };
	assert_int_equal(rte_eal_remote_launch(race_main, NULL, lcore), 0);
	race_b.go = 1;
	race_write_and_read(&race_a, 0, 1);
	assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	for (unsigned int i = 0; i < WORKERS; i++)
		rte_rcu_qsbr_thread_online(qsbr, i);
	assert_int_equal(race_a.bad + race_b.bad, 0);
	assert_true(race_a.made > RACE_ROUNDS / 2 && race_b.made > RACE_ROUNDS / 2);
	print_message("concurrent: %" PRIu64 " + %" PRIu64 " inserts, %" PRIu64
		      " cross lookups hit, 0 wrong\n",
		      race_a.made, race_b.made, race_a.hits + race_b.hits);
	/* Everything is dead: a turn of each wheel buries it, and after a
	 * grace period the next turn frees the structs and the key slots. */
	for (int round = 0; round < 2; round++) {
		quiesce();
		for (uint16_t i = 0; i < WORKERS; i++)
			conn_worker_run(t, conn_table_worker(t, i), RACE_ROUNDS * 10 + 10000,
					1 << 20, NULL, NULL);
	}
	assert_int_equal(conn_table_keys(t), 0);
	conn_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_directions),
		cmocka_unit_test(test_bulk_lookup),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_template_outlives_connections),
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_concurrent),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
