/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instructions per packet, counted by valgrind's callgrind: this program
 * runs itself under `valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=fwd_worker_poll` in its callgrind mode, which passes each
 * case once with markers around the measured packets (zero the counts,
 * dump them under the case's name). Only instructions executed inside
 * fwd_worker_poll are counted, so the harness's own work is left out. The
 * counts are deterministic: the same build gives the same numbers on every
 * run and every machine.
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

void bench_cg_end(enum bench_case c, uint64_t packets)
{
#ifdef HALB_HAVE_CALLGRIND
	CALLGRIND_DUMP_STATS_AT(bench_case_name(c));
#endif
	printf("cg %s %" PRIu64 "\n", bench_case_name(c), packets);
	fflush(stdout);
}

/* The Ir total and the trigger's name of one callgrind output file. */
static int parse_dump(const char *path, char *name, size_t len, uint64_t *ir)
{
	static const char trigger[] = "desc: Trigger: Client Request: ";
	FILE *f = fopen(path, "r");
	char line[512];
	int found = 0;

	if (f == NULL)
		return -1;
	name[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, trigger, sizeof(trigger) - 1) == 0) {
			const char *v = line + sizeof(trigger) - 1;
			size_t k = strcspn(v, "\n");

			if (k >= len)
				k = len - 1;
			memcpy(name, v, k);
			name[k] = '\0';
		} else if (strncmp(line, "totals: ", 8) == 0 ||
			   strncmp(line, "summary: ", 9) == 0) {
			*ir = strtoull(strchr(line, ' ') + 1, NULL, 10);
			found = 1;
		}
	}
	fclose(f);
	return found && name[0] ? 0 : -1;
}

static void collect(struct bench *b, const char *dir, const char *name, uint64_t packets)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[4096], trig[64];
		uint64_t ir;

		if (strncmp(de->d_name, "cg.out", 6) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (parse_dump(path, trig, sizeof(trig), &ir) != 0 || strcmp(trig, name) != 0)
			continue;
		for (unsigned int c = 0; c < BC_COUNT; c++) {
			if (strcmp(bench_case_name(c), name) != 0 || b->n_ir == BC_COUNT)
				continue;
			b->ir[b->n_ir++] =
			    (struct bench_ir){ .c = c,
					       .per_packet = (double)ir / (double)packets,
					       .packets = packets };
		}
	}
	closedir(d);
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
	char dir[] = "/tmp/halb-bench-cg.XXXXXX", cmd[8192], line[256];
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
	fprintf(stderr, "instructions per packet: the cases under callgrind (about a minute)\n");
	snprintf(cmd, sizeof(cmd),
		 "valgrind --tool=callgrind --collect-atstart=no "
		 "--toggle-collect=fwd_worker_poll --callgrind-out-file=%s/cg.out "
		 "'%s' --callgrind-child 2>%s/log",
		 dir, self, dir);
	p = popen(cmd, "r");
	if (p == NULL) {
		b->ir_note = "cannot run valgrind";
		rm_dir(dir);
		return -1;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		char name[64];
		uint64_t packets;

		if (sscanf(line, "cg %63s %" SCNu64, name, &packets) == 2 && packets > 0)
			collect(b, dir, name, packets);
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
