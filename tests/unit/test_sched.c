/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sched's tests: argument checks, then what every scheduler must do
 * (never pick a quiesced or unavailable destination, -1 when none is usable),
 * then each scheduler against hand-computed IPVS cases and share counts over
 * many picks. Keys come from a fixed-seed generator, so every run sees the
 * same picks; tolerances on shares are several standard deviations wide.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_sched.h"

/* ---------------------------------------------------------------- helpers */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t test_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static struct sched_dest dest(uint32_t addr, uint32_t weight, bool available)
{
	struct sched_dest d = {
		.addr = addr, .port = 80, .weight = weight, .available = available
	};

	return d;
}

/* Loads the tests set by hand: active[i], inactive[i]. */
#define MAX_TEST_DESTS 1000
struct test_load {
	uint32_t active[MAX_TEST_DESTS];
	uint32_t inactive[MAX_TEST_DESTS];
};

static void test_load_get(void *ctx, uint32_t i, uint32_t *active, uint32_t *inactive)
{
	const struct test_load *l = ctx;

	*active = l->active[i];
	*inactive = l->inactive[i];
}

static struct test_load tl;
static const struct sched_load load = { .get = test_load_get, .ctx = &tl };

static void load_reset(void)
{
	memset(&tl, 0, sizeof(tl));
}

static void load_set(uint32_t i, uint32_t active, uint32_t inactive)
{
	tl.active[i] = active;
	tl.inactive[i] = inactive;
}

/* A scheduler and one worker's state, built or the test fails. */
struct picker {
	struct sched *s;
	struct sched_state *st;
};

static struct picker picker_new(enum cfg_sched kind, const struct sched_dest *d, uint32_t n,
				const struct sched_params *params)
{
	struct picker p;

	p.s = sched_create(kind, d, n, params);
	assert_non_null(p.s);
	p.st = sched_state_create(p.s);
	assert_non_null(p.st);
	return p;
}

static void picker_free(struct picker *p)
{
	sched_state_free(p->st);
	sched_free(p->s);
}

static int pick(struct picker *p, uint32_t saddr, uint32_t daddr, uint16_t sport, uint64_t now)
{
	struct sched_key key = {
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = 80, .now_ms = now
	};

	return sched_pick(p->s, p->st, &key, &load);
}

static int pick_random(struct picker *p)
{
	return pick(p, test_rand(), test_rand(), (uint16_t)test_rand(), 0);
}

static double share(const uint32_t *count, uint32_t i, uint32_t total)
{
	return (double)count[i] / (double)total;
}

#define assert_near(value, expected, tolerance)                                     \
	do {                                                                        \
		double v_ = (value), e_ = (expected), t_ = (tolerance);             \
		if (v_ < e_ - t_ || v_ > e_ + t_)                                   \
			fail_msg("%s = %f, expected %f +- %f", #value, v_, e_, t_); \
	} while (0)

/* ------------------------------------------------------ arguments, -1 cases */

static void test_create_rejects_bad_arguments(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true) };
	struct sched_params p = { 0 };
	struct sched *s;
	uint32_t n = 99;

	(void)state;
	assert_null(sched_create(CFG_SCHED_COUNT, d, 3, NULL));
	assert_null(sched_create((enum cfg_sched) - 1, d, 3, NULL));
	assert_null(sched_create(CFG_SCHED_RR, NULL, 3, NULL));
	assert_null(sched_create(CFG_SCHED_RR, d, (uint32_t)INT32_MAX + 1, NULL));

	/* sched_dests() hands back a copy. */
	s = sched_create(CFG_SCHED_RR, d, 3, NULL);
	assert_non_null(s);
	assert_ptr_not_equal(sched_dests(s, &n), d);
	assert_int_equal(n, 3);
	assert_memory_equal(sched_dests(s, NULL), d, sizeof(d));
	sched_free(s);
	assert_null(sched_dests(NULL, &n));
	assert_int_equal(n, 0);
	assert_null(sched_state_create(NULL));
	sched_free(NULL);
	sched_state_free(NULL);

	/* The table size matters to mh only. */
	p.mh_table_size = 4;
	s = sched_create(CFG_SCHED_RR, d, 3, &p);
	assert_non_null(s);
	sched_free(s);
}

static void test_mh_table_size_must_be_prime_and_bounded(void **state)
{
	/* 16777259 is prime but above SCHED_MH_TABLE_MAX. */
	static const uint32_t bad[] = { 1, 4, 9, 65535, 65536, 65541, 16777259 };
	static const uint32_t good[] = { 0, 3, 251, 4093, 65521, 65537 };
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, false) };
	struct sched_params p = { 0 };
	struct sched *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p.mh_table_size = bad[i];
		assert_null(sched_create(CFG_SCHED_MH, d, 3, &p));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		p.mh_table_size = good[i];
		s = sched_create(CFG_SCHED_MH, d, 3, &p);
		assert_non_null(s);
		sched_free(s);
	}
	/* Two usable destinations fit in 2 slots, three do not. */
	p.mh_table_size = 2;
	s = sched_create(CFG_SCHED_MH, d, 3, &p);
	assert_non_null(s);
	sched_free(s);
	d[2].available = true;
	assert_null(sched_create(CFG_SCHED_MH, d, 3, &p));
}

static void test_pick_rejects_bad_arguments(void **state)
{
	struct sched_dest d[2] = { dest(1, 1, true), dest(2, 1, true) };
	struct sched_key key = { .saddr = 1 };
	struct picker a = picker_new(CFG_SCHED_RR, d, 2, NULL);
	struct picker b = picker_new(CFG_SCHED_RR, d, 2, NULL);

	(void)state;
	assert_int_equal(sched_pick(NULL, a.st, &key, NULL), -1);
	assert_int_equal(sched_pick(a.s, NULL, &key, NULL), -1);
	assert_int_equal(sched_pick(a.s, a.st, NULL, NULL), -1);
	assert_int_equal(sched_pick(a.s, b.st, &key, NULL), -1); /* b's state */
	assert_int_equal(sched_pick(a.s, a.st, &key, NULL), 0);
	picker_free(&a);
	picker_free(&b);
}

static void test_empty_set_every_kind(void **state)
{
	int kind;

	(void)state;
	for (kind = 0; kind < CFG_SCHED_COUNT; kind++) {
		struct picker p = picker_new((enum cfg_sched)kind, NULL, 0, NULL);

		assert_int_equal(pick_random(&p), -1);
		assert_int_equal(pick_random(&p), -1);
		picker_free(&p);
	}
}

static void test_nothing_usable_every_kind(void **state)
{
	struct sched_dest d[3] = { dest(1, 0, true), dest(2, 5, false), dest(3, 0, false) };
	struct sched_params p = { .fallback = true };
	int kind, i;

	(void)state;
	load_reset();
	for (kind = 0; kind < CFG_SCHED_COUNT; kind++) {
		struct picker pk = picker_new((enum cfg_sched)kind, d, 3, &p);

		for (i = 0; i < 100; i++)
			assert_int_equal(pick_random(&pk), -1);
		picker_free(&pk);
	}
}

/*
 * Destination 1 is quiesced (weight 0) and 2 unavailable: no scheduler ever
 * picks them, whatever the keys and loads. With fallback nobody returns -1
 * (ovf aside: its destinations may all be over their weight); without, dh and
 * sh return -1 for the keys of the quiesced one's buckets.
 */
static void test_quiesced_and_unavailable_never_picked(void **state)
{
	struct sched_dest d[5] = { dest(1, 1, true), dest(2, 0, true), dest(3, 3, false),
				   dest(4, 2, true), dest(5, 1, true) };
	int kind, i, fb;

	(void)state;
	for (fb = 0; fb < 2; fb++) {
		struct sched_params p = { .fallback = fb == 1, .port = true };

		for (kind = 0; kind < CFG_SCHED_COUNT; kind++) {
			struct picker pk = picker_new((enum cfg_sched)kind, d, 5, &p);
			uint32_t none = 0;

			for (i = 0; i < 5000; i++) {
				int r;

				load_set(test_rand() % 5, test_rand() % 4, test_rand() % 50);
				r = pick(&pk, test_rand(), test_rand() % 64, (uint16_t)test_rand(),
					 (uint64_t)i * 100);
				if (r < 0) {
					none++;
					continue;
				}
				assert_true(r == 0 || r == 3 || r == 4);
			}
			if (!p.fallback && (kind == CFG_SCHED_DH || kind == CFG_SCHED_SH))
				assert_true(none > 0);
			else if (kind != CFG_SCHED_OVF)
				assert_int_equal(none, 0);
			picker_free(&pk);
		}
	}
	load_reset();
}

/* ---------------------------------------------------------------- rr, wrr */

static void test_rr_takes_turns(void **state)
{
	struct sched_dest d[5] = { dest(1, 1, true), dest(2, 0, true), dest(3, 5, true),
				   dest(4, 1, false), dest(5, 2, true) };
	struct picker p = picker_new(CFG_SCHED_RR, d, 5, NULL);
	uint32_t count[5] = { 0 };
	int i;

	(void)state;
	assert_int_equal(pick_random(&p), 0);
	assert_int_equal(pick_random(&p), 2);
	assert_int_equal(pick_random(&p), 4);
	assert_int_equal(pick_random(&p), 0);
	/* Weights do not matter to rr: equal shares. */
	for (i = 0; i < 3000; i++)
		count[pick_random(&p)]++;
	assert_int_equal(count[0], 1000);
	assert_int_equal(count[2], 1000);
	assert_int_equal(count[4], 1000);
	picker_free(&p);
}

static void test_rr_states_are_independent(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true) };
	struct picker p = picker_new(CFG_SCHED_RR, d, 3, NULL);
	struct sched_state *other = sched_state_create(p.s);
	struct sched_key key = { 0 };

	(void)state;
	assert_non_null(other);
	assert_int_equal(pick_random(&p), 0);
	assert_int_equal(pick_random(&p), 1);
	assert_int_equal(sched_pick(p.s, other, &key, NULL), 0);
	assert_int_equal(pick_random(&p), 2);
	assert_int_equal(sched_pick(p.s, other, &key, NULL), 1);
	sched_state_free(other);
	picker_free(&p);
}

/* IPVS's wrr over weights 4 3 2: passes at cw = 4, 3, 2, 1. */
static void test_wrr_sequence_matches_ipvs(void **state)
{
	static const int expect[] = { 0, 0, 1, 0, 1, 2, 0, 1, 2 };
	struct sched_dest d[3] = { dest(1, 4, true), dest(2, 3, true), dest(3, 2, true) };
	struct picker p = picker_new(CFG_SCHED_WRR, d, 3, NULL);
	int round, i;

	(void)state;
	for (round = 0; round < 3; round++)
		for (i = 0; i < 9; i++)
			assert_int_equal(pick_random(&p), expect[i]);
	picker_free(&p);
}

static void wrr_check_shares(const struct sched_dest *d, uint32_t n, uint32_t picks,
			     const uint32_t *expect)
{
	struct picker p = picker_new(CFG_SCHED_WRR, d, n, NULL);
	uint32_t count[8] = { 0 }, i;

	for (i = 0; i < picks; i++) {
		int r = pick_random(&p);

		assert_in_range(r, 0, (int)n - 1);
		count[r]++;
	}
	for (i = 0; i < n; i++)
		assert_int_equal(count[i], expect[i]);
	picker_free(&p);
}

static void test_wrr_shares_match_weights(void **state)
{
	struct sched_dest one_two[2] = { dest(1, 1, true), dest(2, 2, true) };
	struct sched_dest gcd[5] = { dest(1, 6, true), dest(2, 9, true), dest(3, 0, true),
				     dest(4, 7, false), dest(5, 3, true) };
	struct sched_dest big[3] = { dest(1, 100, true), dest(2, 300, true), dest(3, 600, true) };
	static const uint32_t e_one_two[] = { 1000, 2000 };
	static const uint32_t e_gcd[] = { 2000, 3000, 0, 0, 1000 };
	static const uint32_t e_big[] = { 300, 900, 1800 };

	(void)state;
	wrr_check_shares(one_two, 2, 3000, e_one_two);
	wrr_check_shares(gcd, 5, 6000, e_gcd);
	wrr_check_shares(big, 3, 3000, e_big);
}

/* ---------------------------------------------------- lc, wlc, sed, nq */

static void test_lc_least_overhead(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 5, true), dest(3, 2, true) };
	struct picker p = picker_new(CFG_SCHED_LC, d, 3, NULL);

	(void)state;
	load_reset();
	/* Overheads 256, 300, 266: weights do not matter to lc. */
	load_set(0, 1, 0);
	load_set(1, 0, 300);
	load_set(2, 1, 10);
	assert_int_equal(pick_random(&p), 0);
	load_set(0, 2, 0); /* 512 */
	assert_int_equal(pick_random(&p), 2);
	/* A tie stays with the first. */
	load_set(0, 0, 5);
	load_set(1, 0, 5);
	load_set(2, 0, 5);
	assert_int_equal(pick_random(&p), 0);
	load_reset();
	picker_free(&p);
}

static void test_wlc_least_overhead_per_weight(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 3, true), dest(3, 2, true) };
	struct sched_dest huge[2] = { dest(1, 3000000000u, true), dest(2, 4000000000u, true) };
	struct picker p = picker_new(CFG_SCHED_WLC, d, 3, NULL);
	struct picker h = picker_new(CFG_SCHED_WLC, huge, 2, NULL);
	struct sched_key key = { 0 };

	(void)state;
	load_reset();
	/* 256/1, 512/3 = 170.7, 356/2 = 178. */
	load_set(0, 1, 0);
	load_set(1, 2, 0);
	load_set(2, 1, 100);
	assert_int_equal(pick_random(&p), 1);
	/* 256/1 against 768/3: a tie stays with the first. */
	load_set(1, 3, 0);
	load_set(2, 3, 0);
	assert_int_equal(pick_random(&p), 0);
	/* Inactive connections count, 1/256 of an active one. */
	load_set(0, 0, 10);
	load_set(1, 0, 30);
	load_set(2, 0, 19);
	assert_int_equal(pick_random(&p), 2);
	/* Without a load callback every destination is idle: the first. */
	assert_int_equal(sched_pick(p.s, p.st, &key, NULL), 0);

	/* Products past 64 bits: 2^40 / 3e9 against 2^40 / 4e9. */
	load_set(0, 4000000000u, 0);
	load_set(1, 4000000000u, 0);
	assert_int_equal(pick_random(&h), 1);
	load_reset();
	picker_free(&p);
	picker_free(&h);
}

static void test_sed_shortest_expected_delay(void **state)
{
	struct sched_dest d[2] = { dest(1, 1, true), dest(2, 3, true) };
	struct picker sed = picker_new(CFG_SCHED_SED, d, 2, NULL);

	(void)state;
	load_reset();
	/* Both idle: (0+1)/1 against (0+1)/3, the heavier one wins. */
	assert_int_equal(pick_random(&sed), 1);
	/* (0+1)/1 against (2+1)/3: a tie stays with the first. */
	load_set(1, 2, 0);
	assert_int_equal(pick_random(&sed), 0);
	/* (1+1)/3 wins. */
	load_set(1, 1, 0);
	assert_int_equal(pick_random(&sed), 1);
	load_reset();
	picker_free(&sed);
}

static void test_sed_ignores_inactive(void **state)
{
	struct sched_dest d[2] = { dest(1, 1, true), dest(2, 1, true) };
	struct picker sed = picker_new(CFG_SCHED_SED, d, 2, NULL);
	struct picker wlc = picker_new(CFG_SCHED_WLC, d, 2, NULL);

	(void)state;
	load_reset();
	load_set(0, 0, 1000); /* sed 1, wlc 1000 */
	load_set(1, 1, 0);    /* sed 2, wlc 256 */
	assert_int_equal(pick_random(&sed), 0);
	assert_int_equal(pick_random(&wlc), 1);
	load_reset();
	picker_free(&sed);
	picker_free(&wlc);
}

static void test_nq_idle_first_then_sed(void **state)
{
	struct sched_dest d[3] = { dest(1, 10, true), dest(2, 1, true), dest(3, 5, true) };
	struct picker p = picker_new(CFG_SCHED_NQ, d, 3, NULL);

	(void)state;
	load_reset();
	/* The first idle one, not the heaviest idle one. */
	load_set(0, 1, 0);
	assert_int_equal(pick_random(&p), 1);
	/* Nobody idle: (2+1)/10, (3+1)/1, (9+1)/5 -> the first. */
	load_set(0, 2, 0);
	load_set(1, 3, 0);
	load_set(2, 9, 0);
	assert_int_equal(pick_random(&p), 0);
	/* (29+1)/10 = 3 against (9+1)/5 = 2. */
	load_set(0, 29, 0);
	assert_int_equal(pick_random(&p), 2);
	/* Inactive connections do not make a destination busy. */
	load_set(1, 0, 500);
	assert_int_equal(pick_random(&p), 1);
	load_reset();
	picker_free(&p);
}

/* ----------------------------------------------------------------- fo, ovf */

static void test_fo_highest_weight(void **state)
{
	struct sched_dest d[5] = { dest(1, 2, true), dest(2, 5, true), dest(3, 5, true),
				   dest(4, 9, false), dest(5, 0, true) };
	struct picker p = picker_new(CFG_SCHED_FO, d, 5, NULL);
	int i;

	(void)state;
	load_reset();
	load_set(1, 1000, 1000); /* load does not matter to fo */
	for (i = 0; i < 10; i++)
		assert_int_equal(pick_random(&p), 1);
	load_reset();
	picker_free(&p);
}

static void test_ovf_overflows_past_weight(void **state)
{
	struct sched_dest d[3] = { dest(1, 3, true), dest(2, 5, true), dest(3, 1, true) };
	struct picker p = picker_new(CFG_SCHED_OVF, d, 3, NULL);

	(void)state;
	load_reset();
	assert_int_equal(pick_random(&p), 1);
	/* The kernel excludes activeconns > weight: 5 of 5 still takes one. */
	load_set(1, 5, 0);
	assert_int_equal(pick_random(&p), 1);
	load_set(1, 6, 0);
	assert_int_equal(pick_random(&p), 0);
	load_set(0, 4, 100);
	assert_int_equal(pick_random(&p), 2);
	load_set(2, 2, 0);
	assert_int_equal(pick_random(&p), -1);
	load_reset();
	picker_free(&p);
}

/* ------------------------------------------------------------ lblc, lblcr */

#define VIP_X 0x0a010101u
#define VIP_Y 0x0a020202u

static void test_lblc_keeps_address_on_server(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 2, true) };
	struct picker p = picker_new(CFG_SCHED_LBLC, d, 3, NULL);

	(void)state;
	load_reset();
	/* All idle: wlc takes the first. */
	assert_int_equal(pick(&p, 7, VIP_X, 0, 0), 0);
	/* X stays on 0 while 0 is within its weight, although 1 is idler. */
	load_set(0, 1, 50);
	assert_int_equal(pick(&p, 8, VIP_X, 0, 1000), 0);
	/* Another address goes by wlc. */
	assert_int_equal(pick(&p, 9, VIP_Y, 0, 1000), 1);
	/* 0 over its weight while 1 is under half of its own: X moves. */
	load_set(0, 2, 0);
	assert_int_equal(pick(&p, 7, VIP_X, 0, 2000), 1);
	/* ...and stays on 1 when 0 is idle again. */
	load_reset();
	assert_int_equal(pick(&p, 7, VIP_X, 0, 3000), 1);
	/* 1 over its weight but nobody under half of theirs: no move. */
	load_set(0, 1, 0);
	load_set(1, 2, 0);
	load_set(2, 1, 0);
	assert_int_equal(pick(&p, 7, VIP_X, 0, 4000), 1);
	/* Y still on 1 too. */
	assert_int_equal(pick(&p, 9, VIP_Y, 0, 4000), 1);
	load_reset();
	picker_free(&p);
}

static void test_lblc_entries_expire(void **state)
{
	struct sched_dest d[2] = { dest(1, 1, true), dest(2, 1, true) };
	struct picker p = picker_new(CFG_SCHED_LBLC, d, 2, NULL);

	(void)state;
	load_reset();
	assert_int_equal(pick(&p, 1, VIP_X, 0, 1000), 0);
	load_set(0, 1, 0); /* wlc would now take 1 */
	/* Used within 60 s: kept, and each use restarts the 60 s. */
	assert_int_equal(pick(&p, 1, VIP_X, 0, 61000), 0);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 121000), 0);
	/* A clock that went back does not expire it either. */
	assert_int_equal(pick(&p, 1, VIP_X, 0, 5), 0);
	/* Unused for more than 60 s: forgotten, scheduled afresh by wlc. */
	assert_int_equal(pick(&p, 1, VIP_X, 0, 200000), 1);
	load_reset();
	picker_free(&p);
}

static void test_lblc_states_are_independent(void **state)
{
	struct sched_dest d[2] = { dest(1, 1, true), dest(2, 1, true) };
	struct picker p = picker_new(CFG_SCHED_LBLC, d, 2, NULL);
	struct sched_state *other = sched_state_create(p.s);
	struct sched_key key = { .daddr = VIP_X };

	(void)state;
	assert_non_null(other);
	load_reset();
	assert_int_equal(pick(&p, 1, VIP_X, 0, 0), 0);
	load_set(0, 1, 0);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 0), 0);
	/* The other worker has never seen X: wlc. */
	assert_int_equal(sched_pick(p.s, other, &key, &load), 1);
	sched_state_free(other);
	load_reset();
	picker_free(&p);
}

static void test_lblcr_grows_and_picks_least_in_set(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true) };
	struct picker p = picker_new(CFG_SCHED_LBLCR, d, 3, NULL);

	(void)state;
	load_reset();
	assert_int_equal(pick(&p, 1, VIP_X, 0, 0), 0); /* set {0} */
	/* 0 overloaded (2 > 1) and 1 idle: wlc adds 1. Set {1, 0}. */
	load_set(0, 2, 0);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 1000), 1);
	/* The least loaded member, even with an idle server outside the set. */
	load_set(0, 1, 0);
	load_set(1, 1, 5);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 2000), 0);
	load_set(0, 1, 9);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 3000), 1);
	/* A tie goes to the newest member. */
	load_set(0, 1, 5);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 4000), 1);
	load_reset();
	picker_free(&p);
}

static void test_lblcr_shrinks_stale_set(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true) };
	struct picker p = picker_new(CFG_SCHED_LBLCR, d, 3, NULL);
	uint64_t t;

	(void)state;
	load_reset();
	assert_int_equal(pick(&p, 1, VIP_X, 0, 0), 0);
	load_set(0, 2, 0);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 0), 1); /* set {1, 0} since t = 0 */
	/* Used every 30 s, unchanged: 1 (261) is the more loaded member. */
	load_set(0, 1, 0);
	load_set(1, 1, 5);
	for (t = 30000; t <= 360000; t += 30000)
		assert_int_equal(pick(&p, 1, VIP_X, 0, t), 0);
	/* Before the shrink, 1 would win now. */
	load_set(0, 1, 9);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 360000), 1);
	/* Past 6 minutes unchanged the most loaded member (0, 265) goes. */
	assert_int_equal(pick(&p, 1, VIP_X, 0, 390000), 1);
	/* 1 is the only member left: it stays even with 0 idler. */
	load_set(0, 0, 0);
	load_set(1, 1, 0);
	assert_int_equal(pick(&p, 1, VIP_X, 0, 400000), 1);
	load_reset();
	picker_free(&p);
}

static void test_lblcr_set_is_bounded(void **state)
{
	struct sched_dest d[12];
	struct picker p;
	uint32_t i, j;

	(void)state;
	for (i = 0; i < 12; i++)
		d[i] = dest(i + 1, 1, true);
	p = picker_new(CFG_SCHED_LBLCR, d, 12, NULL);
	/* Every member overloaded and j idle: each pick adds j to X's set. */
	for (j = 0; j < 12; j++) {
		for (i = 0; i < 12; i++)
			load_set(i, i == j ? 0 : 2, 0);
		assert_int_equal(pick(&p, 1, VIP_X, 0, j), (int)j);
	}
	load_reset();
	picker_free(&p);
}

/* ------------------------------------------------------------------ dh, sh */

static void hash_check_shares(enum cfg_sched kind, const struct sched_dest *d, uint32_t n,
			      const double *expect)
{
	struct picker p = picker_new(kind, d, n, NULL);
	uint32_t count[16] = { 0 }, i, total = 120000;

	for (i = 0; i < total; i++) {
		int r = pick_random(&p);

		assert_in_range(r, 0, (int)n - 1);
		count[r]++;
	}
	for (i = 0; i < n; i++)
		assert_near(share(count, i, total), expect[i], 0.02);
	picker_free(&p);
}

static void test_dh_sh_shares_follow_weights(void **state)
{
	struct sched_dest equal[4] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true),
				       dest(4, 1, true) };
	struct sched_dest weighted[3] = { dest(1, 1, true), dest(2, 2, true), dest(3, 3, true) };
	struct sched_dest removed[3] = { dest(1, 1, true), dest(2, 1, false), dest(3, 1, true) };
	static const double e_equal[] = { 0.25, 0.25, 0.25, 0.25 };
	/* 256 buckets in rounds of 1+2+3: 43, 86 and 127 buckets. */
	static const double e_weighted[] = { 43 / 256.0, 86 / 256.0, 127 / 256.0 };
	static const double e_removed[] = { 0.5, 0, 0.5 };

	(void)state;
	hash_check_shares(CFG_SCHED_SH, equal, 4, e_equal);
	hash_check_shares(CFG_SCHED_DH, equal, 4, e_equal);
	hash_check_shares(CFG_SCHED_SH, weighted, 3, e_weighted);
	hash_check_shares(CFG_SCHED_DH, weighted, 3, e_weighted);
	/* An unavailable destination takes no bucket: no -1, no fallback. */
	hash_check_shares(CFG_SCHED_SH, removed, 3, e_removed);
	hash_check_shares(CFG_SCHED_DH, removed, 3, e_removed);
}

static void test_dh_sh_hash_the_right_fields(void **state)
{
	struct sched_dest d[4] = { dest(1, 1, true), dest(2, 1, true), dest(3, 1, true),
				   dest(4, 1, true) };
	struct sched_params port = { .port = true };
	struct picker sh = picker_new(CFG_SCHED_SH, d, 4, NULL);
	struct picker shp = picker_new(CFG_SCHED_SH, d, 4, &port);
	struct picker dh = picker_new(CFG_SCHED_DH, d, 4, NULL);
	uint32_t i, port_moves = 0;

	(void)state;
	/* The kernel's buckets: sh hash_32(10.0.0.1, 8) = 39, dh
	 * (192.168.10.1 * 2654435761) & 255 = 177; weight-1 buckets cycle. */
	assert_int_equal(pick(&sh, 0x0a000001u, 0, 0, 0), 39 % 4);
	assert_int_equal(pick(&dh, 0, 0xc0a80a01u, 0, 0), 177 % 4);
	for (i = 0; i < 1000; i++) {
		uint32_t a = test_rand(), b = test_rand();
		uint16_t p1 = (uint16_t)test_rand(), p2 = (uint16_t)test_rand();

		/* sh: the source address alone, unless params->port. */
		assert_int_equal(pick(&sh, a, b, p1, 0), pick(&sh, a, test_rand(), p2, 0));
		port_moves += pick(&shp, a, b, p1, 0) != pick(&shp, a, b, p2, 0);
		/* dh: the destination address alone. */
		assert_int_equal(pick(&dh, a, b, p1, 0), pick(&dh, test_rand(), b, p2, 0));
	}
	assert_true(port_moves > 500);
	picker_free(&sh);
	picker_free(&shp);
	picker_free(&dh);
}

/*
 * Destination 1 is quiesced: it keeps one bucket per turn (a third of them).
 * Its keys get -1 without fallback; with fallback they go elsewhere and
 * nobody else's key moves.
 */
static void test_dh_sh_fallback(void **state)
{
	struct sched_dest d[3] = { dest(1, 1, true), dest(2, 0, true), dest(3, 1, true) };
	struct sched_params fb = { .fallback = true };
	enum cfg_sched kinds[2] = { CFG_SCHED_SH, CFG_SCHED_DH };
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct picker strict = picker_new(kinds[k], d, 3, NULL);
		struct picker walk = picker_new(kinds[k], d, 3, &fb);
		uint32_t i, none = 0, total = 30000;

		for (i = 0; i < total; i++) {
			uint32_t a = test_rand(), b = test_rand();
			int r = pick(&strict, a, b, 0, 0), w = pick(&walk, a, b, 0, 0);

			assert_true(w == 0 || w == 2);
			if (r < 0)
				none++;
			else
				assert_int_equal(r, w);
		}
		assert_near((double)none / total, 85 / 256.0, 0.02);
		picker_free(&strict);
		picker_free(&walk);
	}
}

/* ---------------------------------------------------------------------- mh */

static void test_mh_consistent_and_weighted(void **state)
{
	struct sched_dest d[5] = { dest(0x0a000001, 1, true), dest(0x0a000002, 2, true),
				   dest(0x0a000003, 3, true), dest(0x0a000004, 4, true),
				   dest(0x0a000005, 0, true) };
	struct picker p = picker_new(CFG_SCHED_MH, d, 5, NULL);
	struct picker again = picker_new(CFG_SCHED_MH, d, 5, NULL);
	uint32_t count[5] = { 0 }, i, total = 100000;

	(void)state;
	for (i = 0; i < total; i++) {
		uint32_t a = test_rand();
		uint16_t port = (uint16_t)test_rand();
		int r = pick(&p, a, test_rand(), port, 0);

		assert_in_range(r, 0, 3);
		count[r]++;
		/* Same key, same destination; the table is a pure function of
		 * the destinations; the port is not hashed by default. */
		assert_int_equal(pick(&p, a, test_rand(), (uint16_t)test_rand(), 0), r);
		assert_int_equal(pick(&again, a, 0, port, 0), r);
	}
	for (i = 0; i < 4; i++)
		assert_near(share(count, i, total), (i + 1) / 10.0, 0.015);
	picker_free(&p);
	picker_free(&again);
}

static void test_mh_port(void **state)
{
	struct sched_dest d[8];
	struct sched_params port = { .port = true, .mh_table_size = 251 };
	struct picker p;
	uint32_t i, moves = 0;

	(void)state;
	for (i = 0; i < 8; i++)
		d[i] = dest(0x0a000001 + i, 1, true);
	p = picker_new(CFG_SCHED_MH, d, 8, &port);
	for (i = 0; i < 1000; i++) {
		uint32_t a = test_rand();
		uint16_t p1 = (uint16_t)test_rand();

		assert_int_equal(pick(&p, a, 0, p1, 0), pick(&p, a, 1, p1, 0));
		moves += pick(&p, a, 0, p1, 0) != pick(&p, a, 0, (uint16_t)(p1 + 1), 0);
	}
	assert_true(moves > 700);
	picker_free(&p);
}

/*
 * Maglev's promise: taking one of N destinations away (unavailable, or out of
 * the array) moves its keys and few others. Destinations are compared by
 * address, since indexes shift when one leaves the array.
 */
static void mh_check_removal(uint32_t n)
{
	enum { KEYS = 100000 };
	struct sched_dest *full = calloc(n, sizeof(*full));
	struct sched_dest *down = calloc(n, sizeof(*down));
	struct sched_dest *gone = calloc(n, sizeof(*gone));
	uint32_t i, r = n / 3, moved = 0, kept = 0, others = 0;
	struct picker pf, pd, pg;

	assert_non_null(full);
	assert_non_null(down);
	assert_non_null(gone);
	for (i = 0; i < n; i++)
		full[i] = dest(0xc0a80000u + 7 * i + 1, 1, true);
	memcpy(down, full, n * sizeof(*full));
	down[r].available = false;
	memcpy(gone, full, r * sizeof(*full));
	memcpy(gone + r, full + r + 1, (n - r - 1) * sizeof(*full));
	pf = picker_new(CFG_SCHED_MH, full, n, NULL);
	pd = picker_new(CFG_SCHED_MH, down, n, NULL);
	pg = picker_new(CFG_SCHED_MH, gone, n - 1, NULL);

	for (i = 0; i < KEYS; i++) {
		uint32_t a = test_rand();
		int before = pick(&pf, a, 0, 0, 0), after = pick(&pd, a, 0, 0, 0);
		int g = pick(&pg, a, 0, 0, 0);

		assert_true(before >= 0 && after >= 0 && g >= 0);
		assert_int_not_equal(after, (int)r);
		assert_int_equal(gone[g].addr, down[after].addr);
		if (before != after)
			moved++;
		if (before != (int)r) {
			others++;
			kept += before == after;
		}
	}
	assert_true(moved >= KEYS * 0.5 / n && moved <= KEYS * 2.0 / n);
	assert_true(kept >= others * 0.97);
	picker_free(&pf);
	picker_free(&pd);
	picker_free(&pg);
	free(full);
	free(down);
	free(gone);
}

static void test_mh_removal_moves_one_nth(void **state)
{
	(void)state;
	mh_check_removal(10);
	mh_check_removal(100);
}

static void test_mh_many_destinations(void **state)
{
	enum { N = 65536 };
	struct sched_dest *d = calloc(N, sizeof(*d));
	struct picker p;
	uint32_t i;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < N; i++)
		d[i] = dest(0x0a000000u + i, 1 + i % 3, true);
	p = picker_new(CFG_SCHED_MH, d, N, NULL);
	for (i = 0; i < 100000; i++)
		assert_in_range(pick_random(&p), 0, N - 1);
	picker_free(&p);
	free(d);
}

/* ------------------------------------------------------------------ stress */

static void test_wlc_stress(void **state)
{
	enum { N = 1000 };
	struct sched_dest d[N];
	struct picker p;
	uint32_t i;

	(void)state;
	for (i = 0; i < N; i++)
		d[i] = dest(i + 1, test_rand() % 11, test_rand() % 8 != 0);
	p = picker_new(CFG_SCHED_WLC, d, N, NULL);
	load_reset();
	for (i = 0; i < 1000000; i++) {
		int r = pick_random(&p);

		assert_true(r >= 0 && r < N && d[r].available && d[r].weight > 0);
		/* The picked one gains a connection; now and then one ends. */
		tl.active[r]++;
		if ((i & 3) == 0) {
			uint32_t j = test_rand() % N;

			if (tl.active[j] > 0) {
				tl.active[j]--;
				tl.inactive[j]++;
			}
		}
	}
	load_reset();
	picker_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_arguments),
		cmocka_unit_test(test_mh_table_size_must_be_prime_and_bounded),
		cmocka_unit_test(test_pick_rejects_bad_arguments),
		cmocka_unit_test(test_empty_set_every_kind),
		cmocka_unit_test(test_nothing_usable_every_kind),
		cmocka_unit_test(test_quiesced_and_unavailable_never_picked),
		cmocka_unit_test(test_rr_takes_turns),
		cmocka_unit_test(test_rr_states_are_independent),
		cmocka_unit_test(test_wrr_sequence_matches_ipvs),
		cmocka_unit_test(test_wrr_shares_match_weights),
		cmocka_unit_test(test_lc_least_overhead),
		cmocka_unit_test(test_wlc_least_overhead_per_weight),
		cmocka_unit_test(test_sed_shortest_expected_delay),
		cmocka_unit_test(test_sed_ignores_inactive),
		cmocka_unit_test(test_nq_idle_first_then_sed),
		cmocka_unit_test(test_fo_highest_weight),
		cmocka_unit_test(test_ovf_overflows_past_weight),
		cmocka_unit_test(test_lblc_keeps_address_on_server),
		cmocka_unit_test(test_lblc_entries_expire),
		cmocka_unit_test(test_lblc_states_are_independent),
		cmocka_unit_test(test_lblcr_grows_and_picks_least_in_set),
		cmocka_unit_test(test_lblcr_shrinks_stale_set),
		cmocka_unit_test(test_lblcr_set_is_bounded),
		cmocka_unit_test(test_dh_sh_shares_follow_weights),
		cmocka_unit_test(test_dh_sh_hash_the_right_fields),
		cmocka_unit_test(test_dh_sh_fallback),
		cmocka_unit_test(test_mh_consistent_and_weighted),
		cmocka_unit_test(test_mh_port),
		cmocka_unit_test(test_mh_removal_moves_one_nth),
		cmocka_unit_test(test_mh_many_destinations),
		cmocka_unit_test(test_wlc_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
