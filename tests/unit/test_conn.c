/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/conn: a worker's connection table (keys and directions,
 * bulk lookups, IPVS's TCP states, assurance, expiry through the wheel, the
 * embryonic budget and its evictions, a full table) and the shared
 * persistence templates; with two lcores, a reader walking and probing a
 * table its owner keeps changing, and two workers racing for one client's
 * template.
 *
 * The EAL runs without hugepages or PCI, with two lcores so that the second
 * thread is an EAL thread.
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
#include <rte_random.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "conn_int.h" /* the index, to look at its signatures */
#include "halb_config.h"
#include "halb_conn.h"

#define READERS 2

static struct rte_rcu_qsbr *qsbr;
static struct conn_dest *dests;
static char prefix[32];

/* Real servers by counters slot: slot s is 10.0.0.s port 8000 + s, of the
 * service of slot 1000. */
static void dests_fill(void)
{
	for (uint16_t s = 0; s < 256; s++)
		dests[s] = (struct conn_dest){ .af = 4,
					       .port = rte_cpu_to_be_16((uint16_t)(8000 + s)),
					       .svc_stat = 1000,
					       .addr.v4 = rte_cpu_to_be_32(0x0a000000u + s) };
}

static int eal_up(void **state)
{
	/* Two CPUs when there are: the races run truly in parallel. */
	char *argv[] = { "test_conn",
			 "--no-huge",
			 "-m",
			 "512",
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
	sz = rte_rcu_qsbr_get_memsize(READERS);
	qsbr = rte_zmalloc("qsbr", sz, RTE_CACHE_LINE_SIZE);
	dests = rte_zmalloc("dests", sizeof(*dests) * 65536, 0);
	if (qsbr == NULL || dests == NULL || rte_rcu_qsbr_init(qsbr, READERS) != 0)
		return -1;
	for (unsigned int i = 0; i < READERS; i++) {
		rte_rcu_qsbr_thread_register(qsbr, i);
		rte_rcu_qsbr_thread_online(qsbr, i);
	}
	dests_fill();
	return 0;
}

static int eal_down(void **state)
{
	char cmd[128];

	(void)state;
	rte_free(qsbr);
	rte_free(dests);
	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/%s", prefix);
	return system(cmd) == 0 ? 0 : -1;
}

static struct conn_table *table_tmpls(uint32_t cap, uint32_t embryonic, struct conn_tmpls *ts)
{
	struct conn_table *t =
	    conn_table_create(&(struct conn_table_params){ .name = "t",
							   .capacity = cap,
							   .capacity6 = 64,
							   .embryonic_max = embryonic,
							   .dests = dests,
							   .tmpls = ts,
							   .socket = 0 });

	assert_non_null(t);
	return t;
}

static struct conn_table *table(uint32_t cap, uint32_t embryonic)
{
	return table_tmpls(cap, embryonic, NULL);
}

static struct conn_key key(uint32_t client, uint16_t cport, uint8_t proto)
{
	return (struct conn_key){ .af = 4,
				  .proto = proto,
				  .sport = rte_cpu_to_be_16(cport),
				  .dport = rte_cpu_to_be_16(80),
				  .v4 = { .src = rte_cpu_to_be_32(client),
					  .dst = rte_cpu_to_be_32(0xac116464) } };
}

static struct conn_key key6(uint8_t last, uint16_t cport)
{
	struct conn_key k = { .af = 6,
			      .proto = IPPROTO_TCP,
			      .sport = rte_cpu_to_be_16(cport),
			      .dport = rte_cpu_to_be_16(80) };

	k.v6.src[0] = 0x20;
	k.v6.src[1] = 0x01;
	k.v6.src[15] = last;
	k.v6.dst[0] = 0x20;
	k.v6.dst[15] = 0x64;
	return k;
}

/* The counters the tests keep through the gone callback. */
struct tally {
	int64_t live, active;
	uint64_t gone;
};

static void gone(void *ctx, const struct conn *c)
{
	struct tally *t = ctx;

	if (t == NULL)
		return;
	t->live--;
	t->active -= conn_state_active(c->state);
	t->gone++;
}

static struct conn *make_as(struct conn_table *t, struct conn_key k, enum cfg_fwd fwd,
			    uint8_t state, bool assured, uint32_t now, struct tally *tl)
{
	struct conn_init ci = {
		.key = k, .fwd = (uint8_t)fwd, .rs_stat = 7, .state = state, .assured = assured
	};
	struct conn *c = conn_create(t, &ci, now, gone, tl);

	if (c != NULL && tl != NULL) {
		tl->live++;
		tl->active += conn_state_active(c->state);
	}
	return c;
}

static struct conn *make(struct conn_table *t, struct conn_key k, enum cfg_fwd fwd, uint32_t now)
{
	return make_as(t, k, fwd, CONN_S_SYN_RECV, false, now, NULL);
}

/* The reply key of a NAT connection made by make(): RS 10.0.0.7:8007. */
static struct conn_key reply_of(struct conn_key k)
{
	struct conn_key r = k;

	r.v4.src = rte_cpu_to_be_32(0x0a000007);
	r.sport = rte_cpu_to_be_16(8007);
	r.v4.dst = k.v4.src;
	r.dport = k.sport;
	return r;
}

/* ------------------------------------------------------------------ keys */

static void test_keys_and_directions(void **state)
{
	struct conn_table *t = table(64, 0);
	struct conn_key dr = key(0xc6336401, 1000, IPPROTO_TCP);
	struct conn_key nat = key(0xc6336402, 1000, IPPROTO_TCP);
	struct conn_key r = reply_of(nat), other = reply_of(nat);
	struct conn *c, *n;
	uint8_t dir = 9;

	(void)state;
	c = make(t, dr, CFG_FWD_DR, 100);
	n = make(t, nat, CFG_FWD_NAT, 100);
	assert_non_null(c);
	assert_non_null(n);
	assert_ptr_equal(conn_lookup(t, &dr, &dir), c);
	assert_int_equal(dir, CONN_DIR_IN);
	assert_ptr_equal(conn_lookup(t, &nat, &dir), n);
	assert_ptr_equal(conn_lookup(t, &r, &dir), n);
	assert_int_equal(dir, CONN_DIR_OUT);
	/* a DR connection has no reply key; a wrong server port is no reply */
	r = reply_of(dr);
	assert_null(conn_lookup(t, &r, &dir));
	other.sport = rte_cpu_to_be_16(8008);
	assert_null(conn_lookup(t, &other, &dir));
	assert_true(conn_probe(t, &nat) && conn_probe(t, &dr));
	assert_int_equal(conn_table_stats(t)->live, 2);
	/* killing a NAT connection takes both keys */
	conn_kill(t, n, NULL, NULL);
	r = reply_of(nat);
	assert_null(conn_lookup(t, &nat, &dir));
	assert_null(conn_lookup(t, &r, &dir));
	assert_false(conn_probe(t, &nat));
	assert_int_equal(conn_table_stats(t)->live, 1);
	conn_table_free(t);
}

/* 32 keys in one call: the hits, v4 and v6 together, where they are. */
static void test_bulk_lookup(void **state)
{
	struct conn_table *t = table(256, 0);
	struct conn_key keys[32];
	struct conn *made[32] = { 0 }, *got[32];
	uint8_t dirs[32];
	uint32_t hits;

	(void)state;
	for (uint32_t i = 0; i < 32; i++) {
		keys[i] =
		    i % 4 == 3 ? key6((uint8_t)i, 5000) : key(0xc6330000 + i, 5000, IPPROTO_TCP);
		if (i % 2 == 0)
			made[i] = make(t, keys[i], i % 8 == 0 ? CFG_FWD_NAT : CFG_FWD_DR, 5);
	}
	hits = conn_lookup_bulk(t, keys, 32, got, dirs);
	for (uint32_t i = 0; i < 32; i++) {
		if (i % 2 == 0) {
			assert_true(hits & (1u << i));
			assert_ptr_equal(got[i], made[i]);
			assert_int_equal(dirs[i], CONN_DIR_IN);
		} else {
			assert_false(hits & (1u << i));
		}
	}
	conn_table_free(t);
}

/* --------------------------------------------------------------- states */

/* A step of a TCP connection's life: a packet, and what must follow. */
struct tcp_step {
	uint8_t dir, flags;
	uint8_t state;
	int active_delta;
	bool assured;
};

static void run_steps(enum cfg_fwd fwd, const struct tcp_step *steps, size_t n)
{
	struct conn_table *t = table(16, 0);
	struct conn *c = make(t, key(1, 1, IPPROTO_TCP), fwd, 0);

	assert_non_null(c);
	for (size_t i = 0; i < n; i++) {
		int d = conn_touch(t, c, steps[i].dir, steps[i].flags, 10);

		if (c->state != steps[i].state || d != steps[i].active_delta ||
		    !!(c->flags & CONN_F_ASSURED) != steps[i].assured)
			fail_msg("step %zu: state %s delta %d assured %d, want %s %d %d", i,
				 conn_state_name(c->state), d, !!(c->flags & CONN_F_ASSURED),
				 conn_state_name(steps[i].state), steps[i].active_delta,
				 steps[i].assured);
		assert_int_equal(c->expires, 10 + conn_state_timeout(c->state));
	}
	assert_int_equal(conn_table_stats(t)->embryonic, (c->flags & CONN_F_ASSURED) ? 0 : 1);
	conn_table_free(t);
}

#define IN  CONN_DIR_IN
#define OUT CONN_DIR_OUT
#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG

/* IPVS's state tables: NAT sees both directions, DR only the client's; a
 * connection is assured once ESTABLISHED and stays so. */
static void test_tcp_states(void **state)
{
	static const struct tcp_step nat[] = {
		{ OUT, SYN | ACK, CONN_S_SYN_RECV, 0, false },
		{ IN, ACK, CONN_S_ESTABLISHED, 1, true },
		{ IN, ACK, CONN_S_ESTABLISHED, 0, true },
		{ IN, FIN | ACK, CONN_S_CLOSE_WAIT, -1, true },
		{ OUT, FIN | ACK, CONN_S_TIME_WAIT, 0, true },
	};
	static const struct tcp_step dr[] = {
		{ IN, ACK, CONN_S_ESTABLISHED, 1, true },
		{ IN, FIN | ACK, CONN_S_FIN_WAIT, -1, true },
		{ IN, ACK, CONN_S_FIN_WAIT, 0, true },
		{ IN, RST, CONN_S_CLOSE, 0, true },
	};
	static const struct tcp_step reset_early[] = {
		{ IN, RST, CONN_S_SYN_RECV, 0, false },
		{ IN, SYN, CONN_S_SYN_RECV, 0, false },
	};

	(void)state;
	run_steps(CFG_FWD_NAT, nat, RTE_DIM(nat));
	run_steps(CFG_FWD_DR, dr, RTE_DIM(dr));
	run_steps(CFG_FWD_DR, reset_early, RTE_DIM(reset_early));
}

/* UDP: one datagram makes an embryonic flow; a second one, or a reply,
 * assures it. */
static void test_udp(void **state)
{
	struct conn_table *t = table(16, 0);
	struct conn *a = make_as(t, key(1, 1, IPPROTO_UDP), CFG_FWD_DR, CONN_S_UDP, false, 0, NULL);
	struct conn *b =
	    make_as(t, key(2, 1, IPPROTO_UDP), CFG_FWD_NAT, CONN_S_UDP, false, 0, NULL);

	(void)state;
	assert_int_equal(conn_table_stats(t)->embryonic, 2);
	assert_int_equal(conn_touch(t, a, IN, 0, 1), 0);
	assert_true(a->flags & CONN_F_ASSURED);
	conn_touch(t, b, OUT, 0, 1);
	assert_true(b->flags & CONN_F_ASSURED);
	assert_int_equal(conn_table_stats(t)->embryonic, 0);
	assert_int_equal(a->expires, 1 + 300);
	conn_table_free(t);
}

/* --------------------------------------------------------------- expiry */

/* The wheel frees what is due, at its second, and files again what was
 * refreshed; a TCP connection whose expiry came nearer without moving in
 * the wheel leaves at most WHEEL_RECHECK_S (60 s) late. The clock may wrap
 * the 16-bit expiry. */
static void test_expiry(void **state)
{
	struct conn_table *t = table(64, 0);
	const uint32_t t0 = 65530; /* the 16-bit second wraps at 65536 */
	struct conn_key k1 = key(1, 1, IPPROTO_TCP), k2 = key(2, 2, IPPROTO_TCP);
	struct conn_key k3 = key(3, 3, IPPROTO_TCP);
	struct tally tl = { 0 };
	struct conn *c3;
	uint8_t dir;

	(void)state;
	conn_expire(t, t0, 1000, gone, &tl);
	make_as(t, k1, CFG_FWD_DR, CONN_S_SYN_RECV, false, t0, &tl); /* 60 s */
	make_as(t, k2, CFG_FWD_DR, CONN_S_SYN_RECV, false, t0, &tl);
	c3 = make_as(t, k3, CFG_FWD_DR, CONN_S_SYN_RECV, false, t0, &tl);
	conn_touch(t, c3, IN, ACK, t0 + 10); /* ESTABLISHED: 900 s */
	conn_expire(t, t0 + 59, 1000, gone, &tl);
	assert_non_null(conn_lookup(t, &k1, &dir));
	/* k2 refreshed at +50: 60 s from there */
	conn_touch(t, conn_lookup(t, &k2, &dir), IN, SYN, t0 + 50);
	conn_expire(t, t0 + 60, 1000, gone, &tl);
	assert_null(conn_lookup(t, &k1, &dir));
	assert_non_null(conn_lookup(t, &k2, &dir));
	conn_expire(t, t0 + 110, 1000, gone, &tl);
	assert_null(conn_lookup(t, &k2, &dir));
	/* c3: a RST at +200 makes it CLOSE (10 s); gone by +270 at the latest */
	conn_touch(t, c3, IN, RST, t0 + 200);
	for (uint32_t s = t0 + 111; s <= t0 + 270; s++)
		conn_expire(t, s, 1000, gone, &tl);
	assert_null(conn_lookup(t, &k3, &dir));
	assert_int_equal(tl.live, 0);
	assert_int_equal(tl.gone, 3);
	assert_int_equal(conn_table_stats(t)->live, 0);
	conn_table_free(t);
}

/* A slot of many connections is turned over several calls, budget by
 * budget, and ends empty. */
static void test_expiry_budget(void **state)
{
	struct conn_table *t = table(4096, 0);
	struct tally tl = { 0 };
	uint32_t seen, turns = 0;

	(void)state;
	conn_expire(t, 10, 100, gone, &tl);
	for (uint32_t i = 0; i < 3000; i++)
		assert_non_null(
		    make_as(t, key(i, 1, IPPROTO_UDP), CFG_FWD_DR, CONN_S_UDP, true, 10, &tl));
	assert_int_equal(conn_expire(t, 10 + 301, 1024, gone, &tl), 1024);
	do
		seen = conn_expire(t, 10 + 301, 1024, gone, &tl);
	while (seen > 0 && ++turns < 10);
	assert_int_equal(tl.live, 0);
	assert_int_equal(conn_table_stats(t)->live, 0);
	conn_table_free(t);
}

/* -------------------------------------------------------------- eviction */

/* With embryonic_max live embryonic connections, a new one evicts the
 * oldest; one that got past its handshake is neither counted nor evicted.
 * Every eviction goes through gone (the counters) and is counted by its
 * reason. */
static void test_embryonic_budget(void **state)
{
	const uint32_t budget = 16;
	struct conn_table *t = table(256, budget);
	struct tally tl = { 0 };
	struct conn *c[40];
	uint8_t dir;

	(void)state;
	for (uint32_t i = 0; i < 40; i++) {
		struct conn_key k = key(100 + i, 1, IPPROTO_TCP);

		c[i] = make_as(t, k, CFG_FWD_DR, CONN_S_SYN_RECV, false, 5, &tl);
		assert_non_null(c[i]);
		if (i % 5 == 0) /* one in five completes its handshake at once */
			tl.active += conn_touch(t, c[i], IN, ACK, 5);
	}
	/* 32 were embryonic: the 16 oldest of them are gone */
	assert_int_equal(conn_table_stats(t)->embryonic, budget);
	assert_int_equal(conn_table_stats(t)->reasons[CONN_EVICT_EMBRYONIC_BUDGET],
			 40 - 8 - budget);
	for (uint32_t i = 0, embryonic_seen = 0; i < 40; i++) {
		struct conn_key k = key(100 + i, 1, IPPROTO_TCP);
		bool alive = conn_lookup(t, &k, &dir) != NULL;

		if (i % 5 == 0) {
			assert_true(alive); /* assured: never evicted */
			continue;
		}
		embryonic_seen++;
		assert_int_equal(alive, embryonic_seen > 32 - budget);
	}
	assert_int_equal(tl.live, (int64_t)conn_table_stats(t)->live);
	assert_int_equal(tl.active, 8);
	conn_table_free(t);
}

/* Signatures tell apart the keys of a bucket: the clients of a director
 * differ in a few bits (here only their ports), and a lookup reads the
 * entry of the first slot whose signature matches. (They were one value
 * for every key once: two CRCs of a key differ by a constant.) */
static void test_signatures(void **state)
{
	struct conn_table *t = table(8192, 0);
	static uint8_t seen[65536];
	uint32_t distinct = 0, slots = 0, same_in_bucket = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < 8192; i++)
		assert_non_null(make_as(t, key(0xc6120001, (uint16_t)(1024 + i), IPPROTO_TCP),
					CFG_FWD_DR, CONN_S_ESTABLISHED, true, 1, NULL));
	for (uint32_t b = 0; b < t->n_buckets; b++) {
		const struct conn_bucket *bk = &t->bk[b];

		for (int i = 0; i < BUCKET_SLOTS; i++) {
			if (bk->sig[i] == 0)
				continue;
			slots++;
			distinct += !seen[bk->sig[i]];
			seen[bk->sig[i]] = 1;
			for (int j = 0; j < i; j++)
				same_in_bucket += bk->sig[j] == bk->sig[i];
		}
	}
	assert_int_equal(slots, 8192);
	/* 8192 random 16-bit values: about 7700 distinct, a few pairs alike */
	assert_true(distinct > 7000);
	assert_true(same_in_bucket < 16);
	conn_table_free(t);
}

/* Ordinary traffic: every connection completes its handshake, half the
 * table in use, many times its size made over time. The eviction queue
 * keeps only what is still embryonic: it never fills, nothing is evicted,
 * and a handshake in progress (the only one) stays. */
static void test_embryonic_queue_churn(void **state)
{
	const uint32_t cap = 4096, half = cap / 2;
	struct conn_table *t = table(cap, 0);
	const struct conn_table_stats *st = conn_table_stats(t);
	struct conn **live = calloc(half, sizeof(*live));
	struct conn_key hs = key(0x0b000001, 1, IPPROTO_TCP);
	uint8_t dir;

	(void)state;
	assert_non_null(live);
	for (uint32_t i = 0; i < 3 * cap; i++) {
		uint32_t j = i < half ? i : (uint32_t)(rte_rand() % half);

		if (i >= half)
			conn_kill(t, live[j], NULL, NULL);
		live[j] = make(t, key(0x0a000000u + i, 2, IPPROTO_TCP), CFG_FWD_DR, 1);
		assert_non_null(live[j]);
		conn_touch(t, live[j], IN, ACK, 1);
		if (i == cap)
			assert_non_null(make(t, hs, CFG_FWD_DR, 1));
	}
	assert_int_equal(st->embryonic, 1);
	assert_non_null(conn_lookup(t, &hs, &dir));
	for (int r = 0; r < CONN_REASON_COUNT; r++)
		assert_int_equal(st->reasons[r], 0);
	free(live);
	conn_table_free(t);
}

/* The same with a few handshakes under way at the queue's head the whole
 * time, behind which the stale entries pile up: the full queue sends them
 * round, never evicts them. */
static void test_no_eviction_without_pressure(void **state)
{
	struct conn_table *t = table(64, 0); /* the default budget: 16 */
	const struct conn_table_stats *st = conn_table_stats(t);
	struct tally tl = { 0 };
	struct conn *slow[4];
	uint8_t dir;

	(void)state;
	for (uint32_t i = 0; i < 4; i++) /* their ACKs come at the end */
		slow[i] = make_as(t, key(9000 + i, 1, IPPROTO_TCP), CFG_FWD_DR, CONN_S_SYN_RECV,
				  false, 1, &tl);
	for (uint32_t i = 0; i < 10000; i++) {
		struct conn *c =
		    make_as(t, key(i, 2, IPPROTO_TCP), CFG_FWD_DR, CONN_S_SYN_RECV, false, 1, &tl);

		assert_non_null(c);
		if (i % 3 != 0)
			tl.active += conn_touch(t, c, IN, ACK, 1); /* completes */
		conn_kill(t, c, gone, &tl);                        /* and goes, or gives up */
	}
	for (uint32_t i = 0; i < 4; i++) {
		struct conn_key k = key(9000 + i, 1, IPPROTO_TCP);

		assert_ptr_equal(conn_lookup(t, &k, &dir), slow[i]);
		tl.active += conn_touch(t, slow[i], IN, ACK, 1);
	}
	for (unsigned int r = 0; r < CONN_REASON_COUNT; r++)
		assert_int_equal(st->reasons[r], 0);
	assert_int_equal(st->live, 4);
	assert_int_equal(st->embryonic, 0);
	assert_int_equal(tl.active, 4);
	conn_table_free(t);
}

/* A full table: the oldest embryonic connection makes room (evict_table_full);
 * a table full of assured ones refuses (refuse_table_full). IPv4 and IPv6
 * entries are apart: an IPv6 connection needs an IPv6 one to go. */
static void test_table_full(void **state)
{
	struct conn_table *t = table(32, 0); /* no budget: only fullness evicts */
	const struct conn_table_stats *st = conn_table_stats(t);
	struct tally tl = { 0 };
	uint8_t dir;

	(void)state;
	for (uint32_t i = 0; i < 32; i++)
		assert_non_null(make_as(t, key(i, 1, IPPROTO_TCP), CFG_FWD_DR, CONN_S_SYN_RECV,
					i >= 4, 1, &tl));
	/* four embryonic: four more fit, by evicting them in age order */
	for (uint32_t i = 0; i < 4; i++) {
		struct conn_key old = key(i, 1, IPPROTO_TCP);

		assert_non_null(make_as(t, key(1000 + i, 1, IPPROTO_TCP), CFG_FWD_DR,
					CONN_S_SYN_RECV, true, 1, &tl));
		assert_null(conn_lookup(t, &old, &dir));
	}
	assert_int_equal(st->reasons[CONN_EVICT_TABLE_FULL], 4);
	assert_null(
	    make_as(t, key(2000, 1, IPPROTO_TCP), CFG_FWD_DR, CONN_S_SYN_RECV, false, 1, &tl));
	assert_int_equal(st->reasons[CONN_REFUSE_TABLE_FULL], 1);
	assert_int_equal(st->live, 32);
	/* IPv6 has its own entries */
	assert_non_null(make_as(t, key6(1, 1), CFG_FWD_DR, CONN_S_SYN_RECV, false, 1, &tl));
	assert_int_equal(tl.live, 33);
	conn_table_free(t);
}

/* The queue of embryonic connections keeps those that are gone or past
 * their handshake until it meets them again: when it is full of those, the
 * oldest stale entry makes room, and a live half-open connection at its
 * head goes to the tail: a full queue never evicts one. */
static void test_queue_wrap(void **state)
{
	struct conn_table *t = table(32, 0);
	const uint32_t queue = 32 + 64; /* capacity + capacity6 */
	const struct conn_table_stats *st;
	struct conn_key e = key(5000, 1, IPPROTO_TCP);
	uint8_t dir;

	(void)state;
	st = conn_table_stats(t);
	for (uint32_t i = 0; i < queue - 1; i++) {
		struct conn *c = make(t, key(i, 1, IPPROTO_TCP), CFG_FWD_DR, 1);

		assert_non_null(c);
		conn_kill(t, c, gone, NULL);
	}
	assert_non_null(make(t, e, CFG_FWD_DR, 1)); /* the queue is full now */
	assert_non_null(make(t, key(6000, 1, IPPROTO_TCP), CFG_FWD_DR, 1));
	assert_non_null(conn_lookup(t, &e, &dir));
	assert_int_equal(st->reasons[CONN_QUEUE_FULL], 0);
	assert_int_equal(st->live, 2);
	conn_table_free(t);

	/* the oldest entry a live half-open connection: it stays */
	t = table(32, 0);
	st = conn_table_stats(t);
	assert_non_null(make(t, e, CFG_FWD_DR, 1));
	for (uint32_t i = 0; i < queue - 1; i++)
		conn_kill(t, make(t, key(i, 1, IPPROTO_TCP), CFG_FWD_DR, 1), gone, NULL);
	assert_non_null(make(t, key(6000, 1, IPPROTO_TCP), CFG_FWD_DR, 1));
	assert_non_null(conn_lookup(t, &e, &dir));
	assert_int_equal(st->reasons[CONN_QUEUE_FULL], 0);
	assert_int_equal(st->reasons[CONN_EVICT_TABLE_FULL], 0);
	assert_int_equal(st->live, 2);
	conn_table_free(t);
}

/* The table lists its connections whole to any reader. */
static void test_read(void **state)
{
	struct conn_table *t = table(64, 0);
	struct conn_view v;
	uint64_t pos = 0;
	uint32_t n4 = 0, n6 = 0;

	(void)state;
	for (uint32_t i = 0; i < 10; i++)
		make(t, key(0xc6336400 + i, 1000, IPPROTO_TCP), CFG_FWD_NAT, 1);
	make(t, key6(9, 1234), CFG_FWD_DR, 1);
	while (conn_table_read(t, &pos, &v)) {
		if (v.af == 6) {
			n6++;
			assert_int_equal(v.caddr[15], 9);
			assert_int_equal(rte_be_to_cpu_16(v.cport), 1234);
			continue;
		}
		n4++;
		assert_int_equal(v.state, CONN_S_SYN_RECV);
		assert_int_equal(v.rs_stat, 7);
		assert_int_equal(v.caddr[0], 0xc6);
	}
	assert_int_equal(n4, 10);
	assert_int_equal(n6, 1);
	/* A bounded walk: a step of 4 positions at a time finds the same
	 * eleven, stops at each bound, and ends at the table's last position. */
	n4 = 0;
	pos = 0;
	for (int steps = 0; steps < 10000; steps++) {
		uint64_t end = pos + 4;

		if (conn_table_read_upto(t, &pos, end, &v)) {
			assert_true(pos <= end);
			n4++;
			continue;
		}
		if (pos >= conn_table_positions(t))
			break;
		assert_true(pos == end);
	}
	assert_int_equal(n4, 11);
	assert_true(pos == conn_table_positions(t));
	conn_table_free(t);
}

/* ---------------------------------------------------- concurrent reading */

#define RACE_ROUNDS 200000

/* The owner makes, touches, kills and lets the wheel expire connections
 * whose fields encode their key (rs_stat = the client's low 8 bits), while
 * a reader on another lcore walks and probes the table: every connection
 * it reads must be whole (one entry's fields, never two half-entries), and
 * the owner's counters must come back to zero when the table empties. */
struct race {
	struct conn_table *t;
	volatile int go, stop;
	uint64_t views, bad, probes, found;
};

static struct race race;

static int reader_main(void *arg)
{
	(void)arg;
	while (!race.go)
		;
	while (!race.stop) {
		struct conn_view v;
		uint64_t pos = 0;

		while (conn_table_read(race.t, &pos, &v)) {
			uint32_t client;

			memcpy(&client, v.caddr, 4);
			client = rte_be_to_cpu_32(client);
			race.views++;
			if (v.rs_stat != (client & 0xff) ||
			    rte_be_to_cpu_16(v.cport) != (uint16_t)(client >> 8))
				race.bad++;
		}
		for (uint32_t i = 0; i < 64; i++) {
			struct conn_key k =
			    key(0x0a000000 + i * 97, (uint16_t)((0x0a000000 + i * 97) >> 8),
				IPPROTO_TCP);

			race.probes++;
			race.found += conn_probe(race.t, &k);
		}
	}
	return 0;
}

static void test_concurrent_readers(void **state)
{
	struct conn_table *t = table(4096, 512);
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	struct tally tl = { 0 };
	struct conn *live[1024] = { 0 };

	(void)state;
	assert_true(lcore < RTE_MAX_LCORE);
	race = (struct race){ .t = t };
	assert_int_equal(rte_eal_remote_launch(reader_main, NULL, lcore), 0);
	race.go = 1;
	for (uint32_t i = 0; i < RACE_ROUNDS; i++) {
		uint32_t client = 0x0a000000 + (i * 97) % 100000;
		uint32_t now = 1 + i / 2000;
		struct conn_init ci = { .key = key(client, (uint16_t)(client >> 8), IPPROTO_TCP),
					.fwd = i % 3 == 0 ? CFG_FWD_NAT : CFG_FWD_DR,
					.rs_stat = (uint16_t)(client & 0xff),
					.state = CONN_S_SYN_RECV };
		struct conn *c;
		uint8_t dir;

		/* One in four completes its handshake; one in eight is
		 * killed later; the rest expire or are evicted. */
		if (conn_lookup(t, &ci.key, &dir) != NULL)
			continue;
		c = conn_create(t, &ci, now, gone, &tl);
		if (c == NULL)
			continue;
		tl.live++;
		if (i % 4 == 0)
			tl.active += conn_touch(t, c, IN, ACK, now);
		if (live[i % 1024] != NULL && (live[i % 1024]->flags & CONN_F_LIVE) && i % 8 == 0)
			conn_kill(t, live[i % 1024], gone, &tl);
		live[i % 1024] = c;
		if (i % 64 == 0)
			conn_expire(t, now, 4096, gone, &tl);
	}
	race.stop = 1;
	assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	conn_expire(t, RACE_ROUNDS / 2000 + 2000, 1 << 20, gone, &tl);
	print_message("concurrent: %" PRIu64 " connections read whole, %" PRIu64 " torn; %" PRIu64
		      " probes, %" PRIu64 " found\n",
		      race.views, race.bad, race.probes, race.found);
	assert_int_equal(race.bad, 0);
	assert_true(race.views > 0);
	assert_int_equal(conn_table_stats(t)->live, 0);
	assert_int_equal(tl.live, 0);
	assert_int_equal(tl.active, 0);
	conn_table_free(t);
}

/* ------------------------------------------------------------- templates */

static struct conn_tkey tkey(uint32_t client)
{
	struct conn_tkey k = { .af = 4, .proto = IPPROTO_TCP, .vport = rte_cpu_to_be_16(80) };
	rte_be32_t c = rte_cpu_to_be_32(client);

	memcpy(k.caddr, &c, 4);
	k.vaddr[0] = 172;
	return k;
}

/* A template lives while connections are bound to it, then its timeout;
 * a table of unassured templates makes room by evicting the oldest. */
static void test_templates(void **state)
{
	struct conn_tmpls *ts = conn_tmpls_create("tt", 8, qsbr, 0);
	struct conn_table *t = table_tmpls(64, 0, ts);
	struct conn_tkey k = tkey(1);
	struct conn_tmpl *tp;
	struct conn_init ci = { .key = key(1, 1, IPPROTO_TCP),
				.fwd = CFG_FWD_DR,
				.rs_stat = 7,
				.state = CONN_S_SYN_RECV };
	struct conn *c;
	uint32_t idx, idx2;

	(void)state;
	conn_tmpls_expire(ts, 100, 100);
	tp = conn_tmpl_get(ts, &k, 7, 1000, 30, 100, &idx);
	assert_non_null(tp);
	assert_ptr_equal(conn_tmpl_get(ts, &k, 8, 1000, 30, 100, &idx2), tp);
	assert_int_equal(idx2, idx);
	ci.tmpl = idx + 1;
	conn_tmpl_bind(tp, 100);
	c = conn_create(t, &ci, 100, NULL, NULL);
	assert_non_null(c);
	conn_touch(t, c, IN, ACK, 100); /* assures the template too */
	assert_true(tp->assured);
	/* its 30 s pass; the connection holds it */
	for (uint32_t s = 101; s <= 200; s++)
		conn_tmpls_expire(ts, s, 100);
	assert_non_null(conn_tmpl_find(ts, &k, &idx2));
	conn_kill(t, c, NULL, NULL);
	for (uint32_t s = 201; s <= 240; s++)
		conn_tmpls_expire(ts, s, 100);
	assert_null(conn_tmpl_find(ts, &k, &idx2));
	assert_int_equal(conn_tmpls_stats(ts)->live, 0);
	for (unsigned int r = 0; r < READERS; r++)
		rte_rcu_qsbr_quiescent(qsbr, r);
	conn_tmpls_expire(ts, 241, 100); /* its grace period over, it is freed */

	/* Eight unassured templates fill the table: the next evicts the
	 * oldest, whose room a later one gets after a grace period. */
	for (uint32_t i = 0; i < 8; i++) {
		struct conn_tkey ki = tkey(1000 + i);

		assert_non_null(conn_tmpl_get(ts, &ki, 7, 1000, 30, 300, &idx));
	}
	assert_null(conn_tmpl_get(ts, &k, 7, 1000, 30, 300, &idx));
	assert_int_equal(conn_tmpls_stats(ts)->evicted, 1);
	for (unsigned int r = 0; r < READERS; r++)
		rte_rcu_qsbr_quiescent(qsbr, r);
	conn_tmpls_expire(ts, 300, 100);
	assert_non_null(conn_tmpl_get(ts, &k, 7, 1000, 30, 300, &idx));
	conn_table_free(t);
	conn_tmpls_free(ts);
}

/* A flood's templates: every one held by an embryonic connection. Evicted,
 * each waits for its connection (held, not walked again); when the
 * connection goes, its template's room is free at once. */
static void test_templates_held(void **state)
{
	struct conn_tmpls *ts = conn_tmpls_create("th", 8, qsbr, 0);
	struct conn_table *t = table_tmpls(64, 0, ts);
	struct conn *c[8];
	uint32_t idx;

	(void)state;
	conn_tmpls_expire(ts, 100, 100);
	for (uint32_t i = 0; i < 8; i++) {
		struct conn_tkey ki = tkey(2000 + i);
		struct conn_init ci = { .key = key(2000 + i, 1, IPPROTO_TCP),
					.fwd = CFG_FWD_DR,
					.rs_stat = 7,
					.state = CONN_S_SYN_RECV };
		struct conn_tmpl *tp = conn_tmpl_get(ts, &ki, 7, 1000, 30, 100, &idx);

		assert_non_null(tp);
		conn_tmpl_bind(tp, 100);
		ci.tmpl = idx + 1;
		c[i] = conn_create(t, &ci, 100, NULL, NULL);
		assert_non_null(c[i]);
	}
	/* full: each try evicts one more; none can be freed while held */
	for (uint32_t i = 0; i < 8; i++) {
		struct conn_tkey ki = tkey(3000 + i);

		assert_null(conn_tmpl_get(ts, &ki, 7, 1000, 30, 100, &idx));
		for (unsigned int r = 0; r < READERS; r++)
			rte_rcu_qsbr_quiescent(qsbr, r);
	}
	assert_int_equal(conn_tmpls_stats(ts)->evicted, 8);
	assert_int_equal(conn_tmpls_stats(ts)->live, 0);
	conn_tmpls_expire(ts, 101, 100); /* every one past its grace period: held */
	/* the connections go: each frees its template's room */
	for (uint32_t i = 0; i < 8; i++) {
		struct conn_tkey ki = tkey(4000 + i);

		conn_kill(t, c[i], NULL, NULL);
		assert_non_null(conn_tmpl_get(ts, &ki, 7, 1000, 30, 101, &idx));
	}
	assert_int_equal(conn_tmpls_stats(ts)->live, 8);
	conn_table_free(t);
	conn_tmpls_free(ts);
}

/* Two workers racing to make the same clients' templates get one template
 * per client, the same one. */
#define TMPL_RACE 20000

static struct conn_tmpls *race_ts;
static uint32_t race_idx[2][TMPL_RACE];
static volatile int tmpl_go;

static void tmpl_race_run(int me)
{
	for (uint32_t i = 0; i < TMPL_RACE; i++) {
		struct conn_tkey k = tkey(i);
		uint32_t idx = UINT32_MAX;

		conn_tmpl_get(race_ts, &k, (uint16_t)me, 1000, 600, 10, &idx);
		race_idx[me][i] = idx;
		rte_rcu_qsbr_quiescent(qsbr, (unsigned int)me);
	}
}

static int tmpl_race_main(void *arg)
{
	(void)arg;
	while (!tmpl_go)
		;
	tmpl_race_run(1);
	return 0;
}

static void test_template_race(void **state)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	uint32_t same = 0;

	(void)state;
	race_ts = conn_tmpls_create("tr", 2 * TMPL_RACE, qsbr, 0);
	assert_non_null(race_ts);
	assert_int_equal(rte_eal_remote_launch(tmpl_race_main, NULL, lcore), 0);
	tmpl_go = 1;
	tmpl_race_run(0);
	assert_int_equal(rte_eal_wait_lcore(lcore), 0);
	for (uint32_t i = 0; i < TMPL_RACE; i++)
		same += race_idx[0][i] == race_idx[1][i] && race_idx[0][i] != UINT32_MAX;
	assert_int_equal(same, TMPL_RACE);
	assert_int_equal(conn_tmpls_stats(race_ts)->live, TMPL_RACE);
	conn_tmpls_free(race_ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_and_directions),
		cmocka_unit_test(test_bulk_lookup),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_expiry_budget),
		cmocka_unit_test(test_embryonic_budget),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_embryonic_queue_churn),
		cmocka_unit_test(test_no_eviction_without_pressure),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_queue_wrap),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_concurrent_readers),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_templates_held),
		cmocka_unit_test(test_template_race),
	};

	return cmocka_run_group_tests(tests, eal_up, eal_down);
}
