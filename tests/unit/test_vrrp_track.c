/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track_file items (lib/vrrp/vrrp_track.c): the number read from the file
 * times the weight, as keepalived's process_update_track_file_status(), and
 * what it does to the effective priority and the fault verdict. One row per
 * case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "halb_vrrp.h"

static const struct file_case {
	int weight;
	bool reverse;
	long number;
	uint8_t base;
	uint8_t want_prio;
	bool want_fault;
} file_cases[] = {
	{ 1, false, 0, 100, 100, false },
	{ 1, false, 20, 100, 120, false },
	{ 1, false, -30, 100, 70, false },
	{ 10, false, 5, 100, 150, false },
	{ 10, true, 5, 100, 50, false },
	{ 1, false, 300, 100, 254, false }, /* offset capped at 253, priority at 254 */
	{ 1, false, -253, 100, 1, false },  /* still no fault at -253 */
	{ 1, false, -254, 100, 100, true }, /* below -253: FAULT */
	{ 0, false, 0, 100, 100, false },   /* weight 0: zero is OK */
	{ 0, false, 7, 100, 100, true },    /* ... non-zero is a failure */
	{ 0, true, 0, 100, 100, true },     /* reversed */
	{ 254, false, -1, 100, 100, true }, /* weight 254: -1 in the file is FAULT */
	{ 1, false, 50, 255, 255, false },  /* the owner never floats */
};

static void test_file_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(file_cases) / sizeof(file_cases[0]); i++) {
		const struct file_case *c = &file_cases[i];
		struct vrrp_track_item it = { .weight = c->weight,
					      .reverse = c->reverse,
					      .is_script = true,
					      .is_value = true };

		vrrp_track_file_set(&it, c->number);
		if (vrrp_effective_priority(c->base, &it, 1) != c->want_prio ||
		    vrrp_track_fault(&it, 1) != c->want_fault)
			fail_msg("case %zu: priority %u fault %d, want %u %d", i,
				 vrrp_effective_priority(c->base, &it, 1), vrrp_track_fault(&it, 1),
				 c->want_prio, c->want_fault);
	}
}

/* A weighted file in a sync group is ignored, as a weighted script is. */
static void test_file_in_sync_group(void **state)
{
	struct vrrp_track_item it = { .weight = 5, .is_script = true, .is_value = true };

	(void)state;
	vrrp_track_file_set(&it, 4);
	assert_int_equal(vrrp_track_normalise(&it, 1, 100, true), 1);
	assert_int_equal(vrrp_effective_priority(100, &it, 1), 100);
	vrrp_track_file_set(&it, -300);
	assert_false(vrrp_track_fault(&it, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_cases),
		cmocka_unit_test(test_file_in_sync_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
