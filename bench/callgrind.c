/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instructions per packet, counted by valgrind's callgrind: this program
 * runs itself under `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=fwd_worker_poll --toggle-collect=sync_decode
 * --cache-sim=yes` in its callgrind mode, which passes each case once with
 * markers around the measured packets (zero the counts, dump them under the
 * case's name). Only what runs inside fwd_worker_poll (or sync_decode) is
 * counted, so the harness's own work is left out. The instruction counts
 * are deterministic: the same build gives the same numbers on every run
 * and every machine.
 *
 * The cache simulation (callgrind's model of this host's L1d and last-level
 * cache, no prefetching, no TLB) gives misses per packet where the CPU's
 * own counters cannot be read. At the default level of 1000 connections
 * everything fits the last level; --cg-conns 1000000 shows a table that
 * does not (slowly: the fill runs under valgrind too).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HALB_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include "bench.h"

bool bench_cg_running(void)
{
#ifdef HALB_HAVE_CALLGRIND
	return RUNNING_ON_VALGRIND != 0;
#else
	return false;
#endif
}

void bench_cg_begin(void)
{
#ifdef HALB_HAVE_CALLGRIND
	CALLGRIND_ZERO_STATS;
#endif
}

void bench_cg_end(const char *name, const char *unit, uint64_t units)
{
#ifdef HALB_HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT(name);
#endif
	printf("cg %s %s %" PRIu64 "\n", name, unit, units);
	fflush(stdout);
}

/* A dump's totals: the events it names, in its order. */
struct cg_totals {
	char name[32]; /* the trigger */
	uint64_t ir, d1, ll;
	bool cache_sim;
};

static void parse_events(char *line, int idx[3])
{
	static const char *const want[][3] = { { "Ir" }, { "D1mr", "D1mw" }, { "DLmr", "DLmw" } };
	int i = 0;

	for (char *save = NULL, *t = strtok_r(line, " \n", &save); t != NULL;
	     t = strtok_r(NULL, " \n", &save), i++)
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < 2; j++)
				if (want[k][j] != NULL && strcmp(t, want[k][j]) == 0)
					idx[k] |= 1 << i;
}

static void parse_totals(const char *line, const int idx[3], struct cg_totals *t)
{
	const char *p = strchr(line, ' ');

	for (int i = 0; p != NULL && i < 32; i++) {
		char *end;
		uint64_t v = strtoull(p, &end, 10);

		if (end == p)
			break;
		if (idx[0] & 1 << i)
			t->ir += v;
		if (idx[1] & 1 << i)
			t->d1 += v;
		if (idx[2] & 1 << i)
			t->ll += v;
		p = end;
	}
	t->cache_sim = idx[1] != 0 && idx[2] != 0;
}

/* The totals and the trigger's name of one callgrind output file. */
static int parse_dump(const char *path, struct cg_totals *t)
{
	static const char trigger[] = "desc: Trigger: Client Request: ";
	FILE *f = fopen(path, "r");
	char line[1024];
	int idx[3] = { 0 }, found = 0;

	if (f == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, trigger, sizeof(trigger) - 1) == 0) {
			const char *v = line + sizeof(trigger) - 1;
			size_t k = strcspn(v, "\n");

			if (k >= sizeof(t->name))
				k = sizeof(t->name) - 1;
			memcpy(t->name, v, k);
			t->name[k] = '\0';
		} else if (strncmp(line, "events: ", 8) == 0) {
			parse_events(line + 8, idx);
		} else if (!found && (strncmp(line, "totals: ", 8) == 0 ||
				      strncmp(line, "summary: ", 9) == 0)) {
			parse_totals(line, idx, t);
			found = 1;
		}
	}
	fclose(f);
	return found && t->name[0] ? 0 : -1;
}

static void collect(struct bench *b, const char *dir, const char *name, const char *unit,
		    uint64_t units)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && b->n_ir < RTE_DIM(b->ir)) {
		char path[4096];
		struct cg_totals t;
		struct bench_ir *ir;

		if (strncmp(de->d_name, "cg.out", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (parse_dump(path, &t) != 0 || strcmp(t.name, name) != 0)
			continue;
		ir = &b->ir[b->n_ir++];
		*ir = (struct bench_ir){ .unit =
					     strcmp(unit, "packet") == 0 ? "packet" : "connection",
					 .ir = (double)t.ir / (double)units,
					 .d1 = (double)t.d1 / (double)units,
					 .ll = (double)t.ll / (double)units,
					 .cache_sim = t.cache_sim,
					 .units = units };
		memcpy(ir->name, t.name, sizeof(ir->name)); /* == name, 31 bytes at most */
		unlink(path);                               /* a name is dumped once */
	}
	closedir(d);
}

/* A field of the CPU's cache index i in sysfs ("" when absent). */
static void cache_field(int i, const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/%s", i, name);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* The last-level cache as the kernel describes it ("--LL=33554432,16,64 "),
 * for callgrind's simulation: its own guess from CPUID is wrong in some
 * VMs (256 MiB direct-mapped here). Empty when sysfs does not say. */
static void ll_option(char *out, size_t len)
{
	unsigned long best = 0;

	out[0] = '\0';
	for (int i = 0; i < 8; i++) {
		char type[32], level[16], size[32], ways[16], line[16];
		unsigned long bytes;

		cache_field(i, "level", level, sizeof(level));
		if (level[0] == '\0')
			break;
		cache_field(i, "type", type, sizeof(type));
		cache_field(i, "size", size, sizeof(size));
		cache_field(i, "ways_of_associativity", ways, sizeof(ways));
		cache_field(i, "coherency_line_size", line, sizeof(line));
		bytes = strtoul(size, NULL, 10) << (strchr(size, 'M')   ? 20
						    : strchr(size, 'K') ? 10
									: 0);
		if (strcmp(type, "Unified") != 0 || strtoul(level, NULL, 10) <= best ||
		    strtoul(ways, NULL, 10) == 0 || strtoul(line, NULL, 10) == 0 || bytes == 0)
			continue;
		best = strtoul(level, NULL, 10);
		snprintf(out, len, "--LL=%lu,%s,%s ", bytes, ways, line);
	}
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int bench_callgrind(struct bench *b, const char *self)
{
#ifndef HALB_HAVE_CALLGRIND
	(void)self;
	b->ir_note = "built without valgrind/callgrind.h";
	return -1;
#else
	char dir[] = "/tmp/halb-bench-cg.XXXXXX", cmd[8192], line[256], ll[64];
	FILE *p;
	int status;

	if (system("valgrind --version >/dev/null 2>&1") != 0) {
		b->ir_note = "valgrind is not installed";
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		b->ir_note = "no temporary directory";
		return -1;
	}
	fprintf(stderr,
		"instructions per packet: the cases under callgrind at %u connections "
		"(a minute or two)\n",
		b->o.cg_conns);
	ll_option(ll, sizeof(ll));
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --collect-atstart=no --cache-sim=yes %s"
		 "--toggle-collect=fwd_worker_poll --toggle-collect=sync_decode "
		 "--callgrind-out-file=%s/cg.out '%s' --callgrind-child --cg-conns %u "
		 "--sched %s%s%s%s 2>%s/log",
		 ll, dir, self, b->o.cg_conns, cfg_sched_name(b->o.new_sched),
		 b->o.only ? " --only '" : "", b->o.only ? b->o.only : "", b->o.only ? "'" : "",
		 dir);
	p = popen(cmd, "r");
	if (p == NULL) {
		b->ir_note = "cannot run valgrind";
		rm_dir(dir);
		return -1;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		char name[64], unit[16];
		uint64_t units;

		if (sscanf(line, "cg %63s %15s %" SCNu64, name, unit, &units) == 3 && units > 0)
			collect(b, dir, name, unit, units);
	}
	status = pclose(p);
	if (status != 0 || b->n_ir == 0) {
		char log[4096];

		snprintf(log, sizeof(log), "tail -n 20 %s/log >&2", dir);
		fprintf(stderr, "bench: the callgrind run failed (status %d):\n", status);
		if (system(log) != 0)
			fprintf(stderr, "(no log)\n");
		b->ir_note = "the callgrind run failed";
		rm_dir(dir);
		return -1;
	}
	rm_dir(dir);
	return 0;
#endif
}
