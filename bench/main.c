/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halb-bench: drives the real worker code with synthetic traffic, no NIC.
 *
 * Usage: halb-bench [--quick] [--runs N] [--conns N,N,...] [--packets N]
 *                   [--workers N] [--mem MB] [--sched NAME] [--only CASE]
 *                   [--json FILE] [--no-callgrind] [--cg-conns N] [--no-hw]
 *
 * Prints the machine, the method, the forwarding table (DR, NAT and TUN
 * over IPv4, DR over IPv6; Mpps per worker, cycles per packet, hardware
 * counters where the CPU has them), the instructions and simulated cache
 * misses per packet, the connection table's memory (per IPv4 and per IPv6
 * connection) and fill rate, the SYN floods, connection sync and the
 * control-plane timings; --json writes the same with every run. --quick is
 * a smoke test of a few seconds (one level of 1000 connections, two runs,
 * few packets): its numbers are not results.
 *
 * Exits non-zero when a case lost frames or failed: numbers are never
 * compared with goals here.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "bench.h"

#define DEFAULT_RUNS    5
#define DEFAULT_PACKETS 1000000u

static void usage(FILE *out)
{
	unsigned int col = 0;

	fprintf(out,
		"usage: halb-bench [options]\n"
		"  --quick          smoke test in seconds (1000 connections, 2 runs)\n"
		"  --runs N         runs per row (default %u, at most %u)\n"
		"  --conns LIST     connection levels (default 1000,1000000,10000000)\n"
		"  --packets N      timed packets per worker and run (default %u)\n"
		"  --workers N      1 or 2 (default: 2 when two CPUs are there)\n"
		"  --mem MB         EAL memory (default: what the largest level needs)\n"
		"  --sched NAME     scheduler of the DR service (default wlc)\n"
		"  --only CASE      only the cases whose name contains CASE (see below)\n"
		"  --json FILE      write every number to FILE\n"
		"  --no-callgrind   skip instructions per packet\n"
		"  --cg-conns N     the connections of the callgrind pass (default 1000)\n"
		"  --no-hw          skip the hardware counters\n"
		"  --keep-preempted also time the rounds the OS switched the worker out of\n",
		DEFAULT_RUNS, BENCH_RUNS_MAX, DEFAULT_PACKETS);
	fprintf(out, "cases (dr6-*: DR over IPv6, 74-byte minimum frames):\n");
	for (unsigned int c = 0; c < BC_COUNT + 2; c++) {
		const char *name = c < BC_COUNT    ? bench_case_name((enum bench_case)c)
				   : c == BC_COUNT ? "sync-decode"
						   : "sync-install";

		if (col > 0 && col + 1 + strlen(name) > 76) {
			fputc('\n', out);
			col = 0;
		}
		col += (unsigned int)fprintf(out, "%s%s", col == 0 ? "  " : " ", name);
	}
	fputc('\n', out);
}

static int parse_levels(struct bench_opts *o, const char *s)
{
	char *copy = strdup(s), *save = NULL;

	o->n_levels = 0;
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		unsigned long v = strtoul(t, NULL, 10);

		if (v < 64 || v > 100000000 || o->n_levels == RTE_DIM(o->levels)) {
			free(copy);
			return -1;
		}
		o->levels[o->n_levels++] = (uint32_t)v;
	}
	free(copy);
	return o->n_levels > 0 ? 0 : -1;
}

static int parse_sched(const char *s, enum cfg_sched *out)
{
	for (unsigned int i = 0; i < CFG_SCHED_COUNT; i++) {
		if (strcmp(cfg_sched_name((enum cfg_sched)i), s) == 0) {
			*out = (enum cfg_sched)i;
			return 0;
		}
	}
	return -1;
}

static int parse_args(struct bench_opts *o, bool *cg_child, int argc, char **argv)
{
	static const struct option longs[] = { { "quick", no_argument, NULL, 'q' },
					       { "runs", required_argument, NULL, 'r' },
					       { "conns", required_argument, NULL, 'c' },
					       { "packets", required_argument, NULL, 'p' },
					       { "workers", required_argument, NULL, 'w' },
					       { "mem", required_argument, NULL, 'm' },
					       { "sched", required_argument, NULL, 's' },
					       { "only", required_argument, NULL, 'o' },
					       { "json", required_argument, NULL, 'j' },
					       { "no-callgrind", no_argument, NULL, 'n' },
					       { "cg-conns", required_argument, NULL, 'g' },
					       { "no-hw", no_argument, NULL, 'H' },
					       { "keep-preempted", no_argument, NULL, 'k' },
					       { "callgrind-child", no_argument, NULL, 'C' },
					       { "help", no_argument, NULL, 'h' },
					       { NULL, 0, NULL, 0 } };
	bool levels_set = false, runs_set = false, packets_set = false;
	int c;

	*o = (struct bench_opts){ .runs = DEFAULT_RUNS,
				  .max_workers = 2,
				  .packets = DEFAULT_PACKETS,
				  .callgrind = true,
				  .cg_conns = 1000,
				  .hw = true,
				  .new_sched = CFG_SCHED_WLC };
	parse_levels(o, "1000,1000000,10000000");
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->quick = true;
			break;
		case 'r':
			o->runs = (unsigned int)atoi(optarg);
			runs_set = true;
			if (o->runs < 1 || o->runs > BENCH_RUNS_MAX)
				return -1;
			break;
		case 'c':
			levels_set = true;
			if (parse_levels(o, optarg) != 0)
				return -1;
			break;
		case 'p':
			o->packets = strtoull(optarg, NULL, 10);
			packets_set = true;
			if (o->packets < 1000)
				return -1;
			break;
		case 'w':
			o->max_workers = (unsigned int)atoi(optarg);
			if (o->max_workers < 1 || o->max_workers > PKTENV_WORKERS)
				return -1;
			break;
		case 'm':
			o->mem_mb = (unsigned int)atoi(optarg);
			break;
		case 's':
			if (parse_sched(optarg, &o->new_sched) != 0)
				return -1;
			break;
		case 'o':
			o->only = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'n':
			o->callgrind = false;
			break;
		case 'k':
			o->keep_preempted = true;
			break;
		case 'g':
			o->cg_conns = (uint32_t)strtoul(optarg, NULL, 10);
			if (o->cg_conns < 64 || o->cg_conns > 100000000)
				return -1;
			break;
		case 'H':
			o->hw = false;
			break;
		case 'C':
			*cg_child = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (o->quick) {
		if (!levels_set)
			parse_levels(o, "1000");
		if (!runs_set)
			o->runs = 2;
		if (!packets_set)
			o->packets = 20000;
		o->callgrind = false;
	}
	return 0;
}

/* The EAL memory a level of n needs: two workers' tables of its capacity
 * (56 bytes a connection each with the index) and the flood's templates (an
 * eighth of it, about 200 bytes each with their hash), or for the IPv6
 * level two workers' IPv6 tables of its capacity (88 bytes a connection,
 * its IPv4 tables small), the mbufs and the rest, rounded up. */
static unsigned int mem_for(uint32_t n)
{
	const uint64_t cap = (uint64_t)n + n / 8 + 65536;
	const uint64_t per_conn = RTE_MAX(2 * 64 + 200 / 8, 2 * 96);

	return (unsigned int)(((cap * per_conn >> 20) + 512 + 255) / 256 * 256);
}

static unsigned int mem_needed(const struct bench_opts *o)
{
	uint32_t max = 0;

	for (unsigned int i = 0; i < o->n_levels; i++)
		max = o->levels[i] > max ? o->levels[i] : max;
	return mem_for(max);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The cycles an empty timed region costs: the median of many (the smallest
 * says little: rdtsc is not serialising). */
static uint64_t rdtsc_cost(void)
{
	static uint64_t d[10001];

	for (unsigned int i = 0; i < RTE_DIM(d); i++) {
		uint64_t t0 = rte_rdtsc(), t1 = rte_rdtsc();

		d[i] = t1 - t0;
	}
	qsort(d, RTE_DIM(d), sizeof(d[0]), cmp_u64);
	return d[RTE_DIM(d) / 2];
}

static int eal_start(struct bench *b, const char *prog, unsigned int lcores, unsigned int mem_mb)
{
	struct pktenv_opts po = { .mem_mb = mem_mb, .lcores = lcores };

	if (pktenv_base_init_opts(&b->base, prog, &po) != 0) {
		fprintf(stderr, "bench: cannot start the EAL with -m %u (no hugepages)\n", mem_mb);
		return -1;
	}
	b->n_lcores = rte_lcore_count();
	b->tsc_hz = (double)rte_get_tsc_hz();
	b->rdtsc_cost = rdtsc_cost();
	return 0;
}

/* Under valgrind: each case once at one level, counted between markers
 * (callgrind.c); one lcore, so two workers take turns on it. */
static int callgrind_child(struct bench *b, const char *prog)
{
	struct bench_level lv = { .conns = b->o.cg_conns };
	int rc;

	b->cg = true;
	b->o.keep_preempted = true; /* under valgrind every round is slow */
	b->o.hw = false;
	b->o.runs = 1;
	b->o.packets = 20000;
	b->o.max_workers = 2;
	if (eal_start(b, prog, 1, mem_for(b->o.cg_conns)) != 0)
		return 1;
	rc = bench_level_run(b, &lv);
	if (rc == 0 && bench_wanted_name(b, "sync-decode"))
		rc = bench_sync_decode(b);
	pktenv_base_cleanup();
	return rc == 0 ? 0 : 1;
}

/* Numbers a working harness cannot give: nothing measured, or nonsense. */
static int sane(const struct bench *b)
{
	int bad = 0;

	for (unsigned int i = 0; i < b->n_rows; i++) {
		const struct bench_row *r = &b->rows[i];
		double mpps = series_median(&r->mpps), cyc = series_median(&r->cycles);

		if (r->packets == 0 || r->anomalies != 0 || !(mpps > 0.001 && mpps < 1000) ||
		    !(cyc > 1 && cyc < 1e7)) {
			fprintf(stderr, "bench: %s %s at %u connections gave no sane numbers\n",
				bench_case_name(r->c), bench_frames_name(r->frames), r->conns);
			bad = -1;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	static struct bench b;
	bool cg_child = false;
	time_t t0 = time(NULL);
	int rc = 0;

	if (parse_args(&b.o, &cg_child, argc, argv) != 0) {
		usage(stderr);
		return 2;
	}
	if (cg_child)
		return callgrind_child(&b, argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Before the EAL: the child runs in its own, under valgrind. */
	if (b.o.callgrind) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n > 0) {
			self[n] = '\0';
			bench_callgrind(&b, self);
		}
	}
	if (b.o.mem_mb == 0)
		b.o.mem_mb = mem_needed(&b.o);
	if (eal_start(&b, argv[0], b.o.max_workers, b.o.mem_mb) != 0)
		return 1;
	if (b.n_lcores < b.o.max_workers)
		b.o.max_workers = b.n_lcores;
	b.hw_ok = b.o.hw && bench_hw_probe(&b);
	bench_print_header(&b, stderr);
	for (unsigned int i = 0; i < b.o.n_levels && rc == 0; i++) {
		b.levels[i].conns = b.o.levels[i];
		rc = bench_level_run(&b, &b.levels[i]);
	}
	if (rc == 0)
		rc = bench_control(&b);
	if (rc == 0)
		rc = sane(&b);
	b.seconds = difftime(time(NULL), t0);
	bench_print_header(&b, stdout);
	bench_print_table(&b, stdout);
	if (b.o.json != NULL && bench_write_json(&b, b.o.json) != 0)
		rc = -1;
	pktenv_base_cleanup();
	return rc == 0 ? 0 : 1;
}
