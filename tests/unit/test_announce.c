/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/announce: the verdict on a VIP (one row per case), then the record
 * and the interface changes over a scripted life: start with checks
 * pending, announce, a reload's pending checker, lose and regain quorum, a refused change tried
 * again, a VIP that leaves the configuration, the two passes around a snapshot, and the stop. A
 * fake interface records every change and can refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "halb_announce.h"

/* In the facts (initializers), and as values. */
#define VIP1                               \
	{                                  \
		.af = 4, .v4 = 0x0a640001u \
	}
#define VIP2                               \
	{                                  \
		.af = 4, .v4 = 0x0a640002u \
	}
#define VIP1_ADDR ((struct cfg_addr)VIP1)
#define VIP2_ADDR ((struct cfg_addr)VIP2)

/* --------------------------------------------------------------- verdict */

static const struct verdict_case {
	struct announce_fact f;
	bool stopping;
	enum announce_why want;
} verdict_cases[] = {
	{ { VIP1, true, true, 1, 1 }, false, ANNOUNCE_UP },
	{ { VIP1, true, true, 2, 1 }, false, ANNOUNCE_UP },
	{ { VIP1, true, true, 2, 0 }, false, ANNOUNCE_QUORUM_LOST },
	{ { VIP1, true, false, 1, 1 }, false, ANNOUNCE_PENDING },
	{ { VIP1, false, true, 1, 1 }, false, ANNOUNCE_NOT_SERVED },
	{ { VIP1, false, false, 1, 0 }, false, ANNOUNCE_NOT_SERVED },
	{ { VIP1, true, true, 1, 1 }, true, ANNOUNCE_STOPPING },
	{ { VIP1, false, true, 1, 0 }, true, ANNOUNCE_STOPPING },
};

static void test_verdict(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(verdict_cases) / sizeof(verdict_cases[0]); i++) {
		const struct verdict_case *c = &verdict_cases[i];
		enum announce_why got = announce_verdict(&c->f, c->stopping);

		if (got != c->want)
			fail_msg("case %zu: %s, expected %s", i, announce_why_str(got),
				 announce_why_str(c->want));
	}
	assert_string_equal(announce_why_str(ANNOUNCE_FAILED), "kernel_error");
	assert_string_equal(announce_why_str((enum announce_why)99), "?");
}

/* ---------------------------------------------------- the fake interface */

struct fake_if {
	struct cfg_addr addrs[8];
	size_t n;
	int refuse; /* the next change fails with this errno (negative) */
	unsigned int calls;
};

static bool fake_has(const struct fake_if *f, struct cfg_addr addr)
{
	for (size_t i = 0; i < f->n; i++)
		if (cfg_addr_eq(&f->addrs[i], &addr))
			return true;
	return false;
}

static int fake_apply(void *ctx, const struct cfg_addr *addr, bool add, enum announce_why why)
{
	struct fake_if *f = ctx;

	/* an addition is for a VIP to announce, a withdrawal never is */
	assert_int_equal(why == ANNOUNCE_UP, add);
	f->calls++;
	if (f->refuse != 0) {
		int rc = f->refuse;

		f->refuse = 0;
		return rc;
	}
	assert_int_equal(fake_has(f, *addr), !add); /* never asked twice */
	if (add) {
		f->addrs[f->n++] = *addr;
		return 0;
	}
	for (size_t i = 0; i < f->n; i++)
		if (cfg_addr_eq(&f->addrs[i], addr))
			f->addrs[i] = f->addrs[--f->n];
	return 0;
}

static const struct announce_vip *vip_of(const struct announce *a, struct cfg_addr addr)
{
	const struct announce_vip *v;
	size_t n = announce_list(a, &v);

	for (size_t i = 0; i < n; i++)
		if (cfg_addr_eq(&v[i].fact.addr, &addr))
			return &v[i];
	fail_msg("%08x is not in the record", addr.v4);
	return NULL;
}

/* ----------------------------------------------------------------- a life */

/* One step: the facts of VIP1 and VIP2 (n_vs 0: not in the configuration),
 * the flags of the update and the errno the interface answers with, then
 * what must hold: changes made, VIP1 and VIP2 on the interface, their
 * whys, and VIP1's count of changes. Facts are { addr, served, settled,
 * n_vs, n_up }. */
struct life_step {
	const char *what;
	struct announce_fact v1, v2;
	bool stopping, adds;
	int refuse;
	int changes;
	bool on1, on2;
	enum announce_why why1, why2;
	uint64_t changes1;
};

#define UP  ANNOUNCE_UP
#define NS  ANNOUNCE_NOT_SERVED
#define PND ANNOUNCE_PENDING
#define QL  ANNOUNCE_QUORUM_LOST
#define STP ANNOUNCE_STOPPING
#define ERR ANNOUNCE_FAILED

/* clang-format off */
static const struct life_step life[] = {
	{ "start: checks pending",
	  { VIP1, true, false, 1, 1 }, { VIP2, false, true, 1, 1 }, false, true, 0,
	  0, false, false, PND, NS, 0 },
	{ "checks ran: the withdraw pass adds nothing",
	  { VIP1, true, true, 1, 1 }, { VIP2, false, true, 1, 1 }, false, false, 0,
	  0, false, false, PND, NS, 0 },
	{ "the add pass announces",
	  { VIP1, true, true, 1, 1 }, { VIP2, false, true, 1, 1 }, false, true, 0,
	  1, true, false, UP, NS, 1 },
	{ "nothing new: nothing done",
	  { VIP1, true, true, 1, 1 }, { VIP2, false, true, 1, 1 }, false, true, 0,
	  0, true, false, UP, NS, 1 },
	{ "a reload's new checker is pending: VIP1 stays",
	  { VIP1, true, false, 2, 1 }, { VIP2, false, true, 1, 1 }, false, true, 0,
	  0, true, false, UP, NS, 1 },
	{ "quorum lost: withdrawn in the first pass",
	  { VIP1, true, true, 2, 0 }, { VIP2, false, true, 1, 1 }, false, false, 0,
	  1, false, false, QL, NS, 2 },
	{ "quorum back, the kernel refuses",
	  { VIP1, true, true, 2, 1 }, { VIP2, false, true, 1, 1 }, false, true, -ENODEV,
	  0, false, false, ERR, NS, 2 },
	{ "tried again",
	  { VIP1, true, true, 2, 1 }, { VIP2, false, true, 1, 1 }, false, true, 0,
	  1, true, false, UP, NS, 3 },
	{ "VIP2's instance becomes MASTER",
	  { VIP1, true, true, 2, 1 }, { VIP2, true, true, 1, 1 }, false, true, 0,
	  1, true, true, UP, UP, 3 },
	{ "VIP2 leaves the configuration",
	  { VIP1, true, true, 2, 1 }, { { 0 } }, false, false, 0,
	  1, true, false, UP, UP, 3 },
	{ "stop: the withdrawal refused",
	  { VIP1, true, true, 2, 1 }, { { 0 } }, true, false, -EPERM,
	  0, true, false, ERR, UP, 3 },
	{ "stop, again",
	  { VIP1, true, true, 2, 1 }, { { 0 } }, true, false, 0,
	  1, false, false, STP, UP, 4 },
	{ "stopped: nothing comes back",
	  { VIP1, true, true, 2, 1 }, { { 0 } }, true, true, 0,
	  0, false, false, STP, UP, 4 },
};
/* clang-format on */

static void test_life(void **state)
{
	struct fake_if f = { 0 };
	struct announce_ops ops = { .apply = fake_apply, .ctx = &f };
	struct announce *a = announce_create(&ops);

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < sizeof(life) / sizeof(life[0]); i++) {
		const struct life_step *s = &life[i];
		struct announce_fact facts[2] = { s->v1, s->v2 };
		size_t n = s->v2.n_vs != 0 ? 2 : 1;
		const struct announce_vip *v1;
		int changes;

		f.refuse = s->refuse;
		changes = announce_update(a, facts, n, s->stopping, s->adds, (double)i);
		if (changes != s->changes)
			fail_msg("step %zu (%s): %d changes, expected %d", i, s->what, changes,
				 s->changes);
		assert_int_equal(fake_has(&f, VIP1_ADDR), s->on1);
		assert_int_equal(fake_has(&f, VIP2_ADDR), s->on2);
		assert_int_equal(announce_count(a), (size_t)s->on1 + s->on2);
		v1 = vip_of(a, VIP1_ADDR);
		assert_int_equal(v1->announced, s->on1);
		if (v1->why != s->why1)
			fail_msg("step %zu (%s): VIP1 %s, expected %s", i, s->what,
				 announce_why_str(v1->why), announce_why_str(s->why1));
		assert_int_equal(v1->err, s->why1 == ANNOUNCE_FAILED ? s->refuse : 0);
		assert_int_equal(v1->changes, s->changes1);
		if (n == 2)
			assert_int_equal(vip_of(a, VIP2_ADDR)->why, s->why2);
	}
	/* since: the step of VIP1's last change (the withdrawal at stop) */
	assert_true(vip_of(a, VIP1_ADDR)->since == 11.0);
	announce_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_life),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
