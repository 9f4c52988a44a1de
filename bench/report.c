/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What halb-bench prints: the machine and the method first (what was
 * measured, on what, how many runs), then the forwarding table (median and
 * [min-max] over the runs), instructions per packet, the connection table's
 * memory and fill rate, and the control-plane timings. The same numbers,
 * every run included, go to the JSON file.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_version.h>

#include "bench.h"

void series_add(struct bench_series *s, double v)
{
	if (s->n < BENCH_RUNS_MAX)
		s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double series_median(const struct bench_series *s)
{
	double v[BENCH_RUNS_MAX];

	if (s->n == 0)
		return 0;
	memcpy(v, s->v, sizeof(v[0]) * s->n);
	qsort(v, s->n, sizeof(v[0]), cmp_double);
	return s->n % 2 ? v[s->n / 2] : (v[s->n / 2 - 1] + v[s->n / 2]) / 2;
}

double series_min(const struct bench_series *s)
{
	double m = s->n ? s->v[0] : 0;

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] < m ? s->v[i] : m;
	return m;
}

double series_max(const struct bench_series *s)
{
	double m = s->n ? s->v[0] : 0;

	for (unsigned int i = 1; i < s->n; i++)
		m = s->v[i] > m ? s->v[i] : m;
	return m;
}

void bench_cpu(char *model, size_t len, double *mhz)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(model, len, "unknown");
	*mhz = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v = strchr(line, ':');

		if (v == NULL)
			continue;
		v += 2;
		v[strcspn(v, "\n")] = '\0';
		if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0)
			snprintf(model, len, "%s", v);
		else if (strncmp(line, "cpu MHz", 7) == 0 && *mhz == 0)
			*mhz = atof(v);
	}
	fclose(f);
}

/* "12.3 [12.1-12.6]" with the given precision. */
static void fmt_series(char *buf, size_t len, const struct bench_series *s, int prec)
{
	snprintf(buf, len, "%.*f [%.*f-%.*f]", prec, series_median(s), prec, series_min(s), prec,
		 series_max(s));
}

static const char *conns_name(uint32_t n, char *buf, size_t len)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%uM", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%uK", n / 1000);
	else
		snprintf(buf, len, "%u", n);
	return buf;
}

/* The process's peak resident memory (VmHWM) in KiB, 0 when unknown. */
static unsigned long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kib = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

void bench_print_header(const struct bench *b, FILE *out)
{
	char model[256], date[64];
	double mhz;
	struct utsname u;
	time_t now = time(NULL);

	bench_cpu(model, sizeof(model), &mhz);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	fprintf(out, "halb-bench %s, %s\n", HALB_VERSION, date);
	fprintf(out, "machine:  %s, %ld CPUs online, cpu MHz %.0f (/proc/cpuinfo), TSC %.0f MHz\n",
		model, sysconf(_SC_NPROCESSORS_ONLN), mhz, b->tsc_hz / 1e6);
	fprintf(out, "software: Linux %s, %s, gcc %s%s\n", u.release, rte_version(), __VERSION__,
#ifdef __OPTIMIZE__
		" -O2"
#else
		" -O0"
#endif
	);
	fprintf(
	    out,
	    "method:   fwd_worker_poll (rx_burst, fwd_process, fwd_flush, wheel, RCU report)\n"
	    "          on net_ring ports, timed with rte_rdtsc per round (%" PRIu64
	    " cycles of timer\n"
	    "          overhead subtracted); frames prepared outside the timed region;\n"
	    "          %u runs per row of %" PRIu64
	    " packets per worker after a warm-up of a quarter\n"
	    "          of that; median [min-max] over the runs. %u worker lcore(s) available.\n",
	    b->rdtsc_cost, b->o.runs, b->o.packets, b->n_lcores);
	fprintf(out,
		"memory:   EAL --no-huge -m %u (4 KiB pages, no hugepages on this machine);\n"
		"          peak resident memory so far %.2f GiB\n",
		b->o.mem_mb, (double)peak_rss_kib() / (1 << 20));
	if (b->o.keep_preempted)
		fprintf(out,
			"          Every round is timed, also those the OS switched out of.\n");
	else
		fprintf(out,
			"          Rounds during which the OS switched the worker out (getrusage)\n"
			"          are left out; the table says how many.\n");
}

void bench_print_table(const struct bench *b, FILE *out)
{
	char c1[64], c2[64], c3[64], cn[16];

	fprintf(out, "\nForwarding (DR scheduler for new connections: %s; NAT and TUN: rr)\n",
		cfg_sched_name(b->o.new_sched));
	fprintf(out, "%-16s %-5s %5s %2s  %-24s %-24s %-22s %s\n", "case", "frame", "conns", "w",
		"Mpps per worker", "cycles per packet", "Gb/s per worker", "left out");
	for (unsigned int i = 0; i < b->n_rows; i++) {
		const struct bench_row *r = &b->rows[i];

		fmt_series(c1, sizeof(c1), &r->mpps, 2);
		fmt_series(c2, sizeof(c2), &r->cycles, 0);
		fmt_series(c3, sizeof(c3), &r->gbps, 2);
		fprintf(out, "%-16s %-5s %5s %2u  %-24s %-24s %-22s %.2f%%%s\n",
			bench_case_name(r->c), bench_frames_name(r->frames),
			conns_name(r->conns, cn, sizeof(cn)), r->workers, c1, c2, c3,
			r->rounds ? 100.0 * (double)r->skipped / (double)r->rounds : 0.0,
			r->anomalies ? "  (frames lost!)" : "");
	}

	fprintf(out, "\nInstructions per packet (callgrind, inside fwd_worker_poll, 1K connections,"
		     " 1 worker, 64-byte frames)\n");
	if (b->n_ir == 0)
		fprintf(out, "  not measured: %s\n", b->ir_note ? b->ir_note : "--no-callgrind");
	for (unsigned int i = 0; i < b->n_ir; i++)
		fprintf(out, "  %-16s %7.1f  (%" PRIu64 " packets)\n", bench_case_name(b->ir[i].c),
			b->ir[i].per_packet, b->ir[i].packets);

	fprintf(out, "\nConnection table: heap taken by conn_table_create for a table of exactly\n"
		     "N IPv4 connections (any method: two keys are provisioned per connection),\n"
		     "what N IPv6 connections add to a table (bytes/conn6), and the table the\n"
		     "runs used (N plus room for the new-connection churn)\n");
	fprintf(out, "%-6s %10s %12s %12s %10s %10s   %s\n", "conns", "MiB", "bytes/conn",
		"bytes/conn6", "run table", "MiB",
		"fill from empty, inserts/s (DR, NAT, TUN, DR6; 1 worker, SYNs)");
	for (unsigned int i = 0; i < b->o.n_levels; i++) {
		const struct bench_level *l = &b->levels[i];

		if (!l->fitted) {
			fprintf(out, "%-6s does not fit in -m %u MiB\n",
				conns_name(l->conns, cn, sizeof(cn)), b->o.mem_mb);
			continue;
		}
		fprintf(out, "%-6s %10.1f %12.1f %12.1f %10u %10.1f   %.2fM %.2fM %.2fM %.2fM\n",
			conns_name(l->conns, cn, sizeof(cn)), (double)l->exact_bytes / (1 << 20),
			(double)l->exact_bytes / (double)l->conns,
			(double)l->exact_bytes6 / (double)l->conns, l->capacity,
			(double)l->table_bytes / (1 << 20), l->fill_per_s[0] / 1e6,
			l->fill_per_s[1] / 1e6, l->fill_per_s[2] / 1e6, l->fill_per_s[3] / 1e6);
	}

	fprintf(out, "\nControl plane (ms unless said; median [min-max] of %u runs)\n",
		b->ctl.maglev_ms[0].n);
	for (unsigned int k = 0; k < 3; k++) {
		fmt_series(c1, sizeof(c1), &b->ctl.maglev_ms[k], 2);
		fprintf(out, "  Maglev table (65537 slots), %4u real servers: %s\n",
			b->ctl.maglev_rs[k], c1);
	}
	fmt_series(c1, sizeof(c1), &b->ctl.snap_build_ms, 1);
	fmt_series(c2, sizeof(c2), &b->ctl.snap_pub_us, 2);
	fprintf(out, "  snapshot of %u services (2 real servers each): build %s, publish %s us\n",
		b->ctl.snap_services, c1, c2);
	fmt_series(c1, sizeof(c1), &b->ctl.snap_flap_ms, 1);
	fprintf(out, "  the same after one real server's health changed: build %s\n", c1);
	fprintf(out, "\ntotal time %.0f s\n", b->seconds);
}

/* ---------------------------------------------------------------- JSON */

static json_t *series_json(const struct bench_series *s)
{
	json_t *runs = json_array();

	for (unsigned int i = 0; i < s->n; i++)
		json_array_append_new(runs, json_real(s->v[i]));
	return json_pack("{s:f, s:f, s:f, s:o}", "median", series_median(s), "min", series_min(s),
			 "max", series_max(s), "runs", runs);
}

int bench_write_json(const struct bench *b, const char *path)
{
	char model[256];
	double mhz;
	json_t *root, *rows = json_array(), *ir = json_array(), *levels = json_array();
	int rc;

	bench_cpu(model, sizeof(model), &mhz);
	for (unsigned int i = 0; i < b->n_rows; i++) {
		const struct bench_row *r = &b->rows[i];

		json_array_append_new(
		    rows,
		    json_pack("{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I}", "case",
			      bench_case_name(r->c), "frames", bench_frames_name(r->frames),
			      "conns", (json_int_t)r->conns, "workers", (json_int_t)r->workers,
			      "mpps_per_worker", series_json(&r->mpps), "cycles_per_packet",
			      series_json(&r->cycles), "gbps_per_worker", series_json(&r->gbps),
			      "packets", (json_int_t)r->packets, "anomalies",
			      (json_int_t)r->anomalies, "rounds", (json_int_t)r->rounds,
			      "rounds_left_out", (json_int_t)r->skipped));
	}
	for (unsigned int i = 0; i < b->n_ir; i++)
		json_array_append_new(ir, json_pack("{s:s, s:f, s:I}", "case",
						    bench_case_name(b->ir[i].c), "per_packet",
						    b->ir[i].per_packet, "packets",
						    (json_int_t)b->ir[i].packets));
	for (unsigned int i = 0; i < b->o.n_levels; i++) {
		const struct bench_level *l = &b->levels[i];

		json_array_append_new(
		    levels,
		    json_pack("{s:I, s:I, s:I, s:b, s:I, s:I, s:f, s:f, s:[f,f,f,f]}", "conns",
			      (json_int_t)l->conns, "exact_table_bytes", (json_int_t)l->exact_bytes,
			      "exact_table_bytes6", (json_int_t)l->exact_bytes6, "capacity",
			      (json_int_t)l->capacity, "fitted", l->fitted, "table_bytes",
			      (json_int_t)l->table_bytes, "bytes_per_conn",
			      l->conns ? (double)l->exact_bytes / l->conns : 0.0, "bytes_per_conn6",
			      l->conns ? (double)l->exact_bytes6 / l->conns : 0.0,
			      "fill_inserts_per_s", l->fill_per_s[0], l->fill_per_s[1],
			      l->fill_per_s[2], l->fill_per_s[3]));
	}
	root = json_pack(
	    "{s:{s:s, s:f, s:f, s:I, s:s, s:I, s:I}, s:{s:I, s:I, s:I, s:b, s:s}, s:o, s:o, s:s?, "
	    "s:o, "
	    "s:{s:o, s:o, s:o, s:I, s:o, s:o, s:o}, s:f}",
	    "machine", "cpu", model, "cpu_mhz", mhz, "tsc_mhz", b->tsc_hz / 1e6, "lcores",
	    (json_int_t)b->n_lcores, "dpdk", rte_version(), "eal_mem_mb", (json_int_t)b->o.mem_mb,
	    "peak_rss_kib", (json_int_t)peak_rss_kib(), "method", "runs", (json_int_t)b->o.runs,
	    "packets_per_run", (json_int_t)b->o.packets, "rdtsc_overhead",
	    (json_int_t)b->rdtsc_cost, "quick", b->o.quick, "dr_new_scheduler",
	    cfg_sched_name(b->o.new_sched), "forwarding", rows, "instructions", ir,
	    "instructions_note", b->ir_note, "tables", levels, "control", "maglev_10_ms",
	    series_json(&b->ctl.maglev_ms[0]), "maglev_100_ms", series_json(&b->ctl.maglev_ms[1]),
	    "maglev_1000_ms", series_json(&b->ctl.maglev_ms[2]), "snapshot_services",
	    (json_int_t)b->ctl.snap_services, "snapshot_build_ms",
	    series_json(&b->ctl.snap_build_ms), "snapshot_publish_us",
	    series_json(&b->ctl.snap_pub_us), "snapshot_flap_build_ms",
	    series_json(&b->ctl.snap_flap_ms), "seconds", b->seconds);
	if (root == NULL) {
		fprintf(stderr, "bench: cannot build the JSON\n");
		return -1;
	}
	rc = json_dump_file(root, path, JSON_INDENT(1));
	json_decref(root);
	if (rc != 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	return rc;
}
