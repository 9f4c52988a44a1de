/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev (mh) as several directors behind one ECMP router rely on it
 * (docs/SCALEOUT.md): every director must map a flow to the same real
 * server, and a change of the real-server set must move few flows.
 *
 * - Independent processes agree: this program runs itself again twice
 *   (fresh process images, so fresh address-space layout and heap), each
 *   building the table from the same servers listed in a different order,
 *   and prints the server it picks for a fixed list of keys; the lists
 *   must match each other and this process's, key for key.
 * - Disruption: every server claims one slot per round, so with equal
 *   weights one of M servers holds 1/M of the T slots to within 1/T, and
 *   removing it moves exactly those slots, plus the few whose claim order
 *   it broke (measured below 3% of the moved ones for M <= 10, T = 65537;
 *   5% is allowed). Adding one moves 1/(M+1) the same way. Measured over K
 *   random keys, a fraction p moves with a standard deviation of
 *   sqrt(p(1-p)/K); the bounds add five of those.
 */
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "halb_sched.h"

extern char **environ;

#define N_DESTS   7
#define DUMP_KEYS 4096
#define KEYS      200000
#define EXTRA_MAX 0.05 /* moves beyond the share, relative to the share */

/* A fixed-seed generator: every process sees the same keys. */
static uint32_t next_rand(uint64_t *rng)
{
	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return (uint32_t)((*rng * 0x2545f4914f6cdd1dull) >> 32);
}

static struct sched_dest dest(uint32_t addr, uint16_t port, uint32_t weight)
{
	return (
	    struct sched_dest){ .addr = addr, .port = port, .weight = weight, .available = true };
}

/* The test's set of real servers, in configuration order. */
static void servers(struct sched_dest *d)
{
	static const uint32_t weights[N_DESTS] = { 1, 1, 2, 1, 3, 1, 1 };

	for (uint32_t i = 0; i < N_DESTS; i++)
		d[i] = dest(0x0a000014u + 3 * i, 80, weights[i]);
}

/* The same servers in the order a seed shuffles them to (seed 0: as given). */
static void shuffled(struct sched_dest *d, uint64_t seed)
{
	servers(d);
	for (uint32_t i = N_DESTS - 1; seed != 0 && i > 0; i--) {
		uint32_t j = next_rand(&seed) % (i + 1);
		struct sched_dest t = d[i];

		d[i] = d[j];
		d[j] = t;
	}
}

static int pick(const struct sched *s, struct sched_state *st, uint32_t saddr, uint16_t sport)
{
	struct sched_key k = { .saddr = saddr, .daddr = 0x0a640001u, .sport = sport, .dport = 80 };

	return sched_pick(s, st, &k, NULL);
}

/* The address picked for each of DUMP_KEYS fixed keys, over the servers in
 * the order seed gives them. */
static void picks(uint64_t seed, uint32_t *out)
{
	struct sched_params p = { .port = true };
	struct sched_dest d[N_DESTS];
	struct sched *s;
	struct sched_state *st;
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	shuffled(d, seed);
	s = sched_create(CFG_SCHED_MH, d, N_DESTS, &p);
	st = sched_state_create(s);
	for (uint32_t i = 0; i < DUMP_KEYS; i++) {
		uint32_t a = next_rand(&rng);
		int r = s != NULL && st != NULL ? pick(s, st, a, (uint16_t)next_rand(&rng)) : -1;

		out[i] = r >= 0 ? d[r].addr : 0;
	}
	sched_state_free(st);
	sched_free(s);
}

/* The helper mode: test_sched_mh --dump SEED prints picks(SEED), one a line. */
static int dump(const char *seed)
{
	uint32_t *out = calloc(DUMP_KEYS, sizeof(*out));

	if (out == NULL)
		return 1;
	picks(strtoull(seed, NULL, 0), out);
	for (uint32_t i = 0; i < DUMP_KEYS; i++)
		printf("%08x\n", out[i]);
	free(out);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Runs this program again with --dump seed and reads what it prints. */
static void picks_of_process(uint64_t seed, uint32_t *out)
{
	char arg[32], line[32];
	char *argv[] = { "test_sched_mh", "--dump", arg, NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	uint32_t n = 0;
	pid_t pid;
	FILE *f;

	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)seed);
	assert_int_equal(pipe(fds), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	assert_int_equal(posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(f);
	while (n < DUMP_KEYS && fgets(line, sizeof(line), f) != NULL)
		out[n++] = (uint32_t)strtoul(line, NULL, 16);
	fclose(f);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(n, DUMP_KEYS);
}

static void test_independent_processes_agree(void **state)
{
	static uint32_t here[DUMP_KEYS], a[DUMP_KEYS], b[DUMP_KEYS];
	uint32_t used[N_DESTS] = { 0 };
	struct sched_dest d[N_DESTS];

	(void)state;
	picks(0, here);
	picks_of_process(1, a);
	picks_of_process(0xdeadbeef, b);
	servers(d);
	for (uint32_t i = 0; i < DUMP_KEYS; i++) {
		assert_int_equal(a[i], here[i]);
		assert_int_equal(b[i], here[i]);
		for (uint32_t k = 0; k < N_DESTS; k++)
			used[k] += here[i] == d[k].addr;
	}
	/* Not a degenerate agreement: every server takes its share. */
	for (uint32_t k = 0; k < N_DESTS; k++)
		assert_true(used[k] > DUMP_KEYS / 20);
}

/* Of KEYS random keys, how many map to another server address with set b
 * than with set a. */
static uint32_t moved(const struct sched_dest *a, uint32_t na, const struct sched_dest *b,
		      uint32_t nb)
{
	struct sched *sa = sched_create(CFG_SCHED_MH, a, na, NULL);
	struct sched *sb = sched_create(CFG_SCHED_MH, b, nb, NULL);
	struct sched_state *ta = sched_state_create(sa), *tb = sched_state_create(sb);
	uint64_t rng = 0x2545f4914f6cdd1dull;
	uint32_t n = 0;

	assert_non_null(ta);
	assert_non_null(tb);
	for (uint32_t i = 0; i < KEYS; i++) {
		uint32_t key = next_rand(&rng);
		int x = pick(sa, ta, key, 0), y = pick(sb, tb, key, 0);

		assert_true(x >= 0 && y >= 0);
		n += a[x].addr != b[y].addr;
	}
	sched_state_free(ta);
	sched_state_free(tb);
	sched_free(sa);
	sched_free(sb);
	return n;
}

/* share <= moved fraction <= share * (1 + EXTRA_MAX), each side widened by
 * five standard deviations of a fraction measured over KEYS keys (compared
 * squared: (f - bound)^2 > 25 var). */
static void assert_moves_share(uint32_t n_moved, double share, const char *what)
{
	double f = (double)n_moved / KEYS, var = share * (1 - share) / KEYS;
	double lo = share, hi = share * (1 + EXTRA_MAX);

	print_message("  %-24s %.4f of the keys moved (1/M = %.4f)\n", what, f, share);
	if ((f < lo && (lo - f) * (lo - f) > 25 * var) ||
	    (f > hi && (f - hi) * (f - hi) > 25 * var))
		fail_msg("%s: %.4f of the keys moved, expected %.4f to %.4f, give or take five "
			 "standard deviations (variance %.2e)",
			 what, f, lo, hi, var);
}

static void test_removal_and_addition_move_one_mth(void **state)
{
	static const struct {
		uint32_t m, which;
	} rows[] = { { 3, 0 }, { 3, 2 }, { 4, 1 }, { 4, 3 }, { 10, 4 }, { 10, 9 } };

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		uint32_t m = rows[r].m, w = rows[r].which;
		struct sched_dest full[10], less[10];
		char what[64];

		for (uint32_t i = 0; i < m; i++)
			full[i] = dest(0xc0a80001u + 7 * i, 80, 1);
		memcpy(less, full, w * sizeof(*full));
		memcpy(less + w, full + w + 1, (m - 1 - w) * sizeof(*full));

		/* removal: the removed server's keys move, and few others */
		snprintf(what, sizeof(what), "removing server %u of %u", w, m);
		assert_moves_share(moved(full, m, less, m - 1), 1.0 / m, what);
		/* addition: the same sets the other way round */
		snprintf(what, sizeof(what), "adding server %u to %u", w, m - 1);
		assert_moves_share(moved(less, m - 1, full, m), 1.0 / m, what);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_independent_processes_agree),
		cmocka_unit_test(test_removal_and_addition_move_one_mth),
	};

	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		return dump(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
