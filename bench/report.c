/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What halb-bench prints: the machine and the method first (what was
 * measured, on what, how many runs), then the forwarding table (median and
 * [min-max] over the runs), instructions per packet, the connection table's
 * memory and fill rate, the floods, connection sync and the control-plane
 * timings. The same numbers, every run included, go to the JSON file
 * (json.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

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
unsigned long bench_peak_rss_kib(void)
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
		b->o.mem_mb, (double)bench_peak_rss_kib() / (1 << 20));
	if (b->o.keep_preempted)
		fprintf(out,
			"          Every round is timed, also those the OS switched out of.\n");
	else
		fprintf(out,
			"          Rounds during which the OS switched the worker out (getrusage)\n"
			"          are left out; the table says how many.\n");
}

static int cmp_row(const void *a, const void *b)
{
	const struct bench_row *x = *(const struct bench_row *const *)a;
	const struct bench_row *y = *(const struct bench_row *const *)b;

	if (x->conns != y->conns)
		return x->conns < y->conns ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	if (x->frames != y->frames)
		return x->frames < y->frames ? -1 : 1;
	return (x->workers > y->workers) - (x->workers < y->workers);
}

/* The rows in the table's order: level, case, frames, workers. */
static unsigned int sorted_rows(const struct bench *b, const struct bench_row **out)
{
	for (unsigned int i = 0; i < b->n_rows; i++)
		out[i] = &b->rows[i];
	qsort(out, b->n_rows, sizeof(out[0]), cmp_row);
	return b->n_rows;
}

const struct bench_row *bench_row_find(const struct bench *b, enum bench_case c, uint32_t conns,
				       unsigned int workers)
{
	for (unsigned int i = 0; i < b->n_rows; i++) {
		const struct bench_row *r = &b->rows[i];

		if (r->c == c && r->conns == conns && r->workers == workers && r->frames == BF_64)
			return r;
	}
	return NULL;
}

static void print_hw(const struct bench *b, const struct bench_row *const *rows, unsigned int n,
		     FILE *out)
{
	char cn[16];
	bool any = false;

	for (unsigned int i = 0; i < n; i++)
		any |= rows[i]->hw_counted;
	if (!any) {
		fprintf(out, "\nHardware counters per packet: %s\n",
			b->hw_note[0] ? b->hw_note
			: b->o.hw     ? "none counted"
				      : "not asked for");
		return;
	}
	fprintf(out,
		"\nHardware counters per packet (one more run per row, user space, the worker's"
		" rounds only; - : not counted)\n");
	fprintf(out, "%-20s %-5s %5s %2s", "case", "frame", "conns", "w");
	for (unsigned int e = 0; e < HW_COUNT; e++)
		fprintf(out, " %12.12s", bench_hw_name(e));
	fprintf(out, " %6s\n", "IPC");
	for (unsigned int i = 0; i < n; i++) {
		const struct bench_row *r = rows[i];

		if (!r->hw_counted)
			continue;
		fprintf(out, "%-20s %-5s %5s %2u", bench_case_name(r->c),
			bench_frames_name(r->frames), conns_name(r->conns, cn, sizeof(cn)),
			r->workers);
		for (unsigned int e = 0; e < HW_COUNT; e++)
			if (r->hw[e] < 0)
				fprintf(out, " %12s", "-");
			else
				fprintf(out, " %12.2f", r->hw[e]);
		if (r->hw[HW_CYCLES] > 0 && r->hw[HW_INSTRUCTIONS] >= 0)
			fprintf(out, " %6.2f\n", r->hw[HW_INSTRUCTIONS] / r->hw[HW_CYCLES]);
		else
			fprintf(out, " %6s\n", "-");
	}
}

static void print_forwarding(const struct bench *b, FILE *out)
{
	const struct bench_row *rows[RTE_DIM(b->rows)];
	const unsigned int n = sorted_rows(b, rows);
	char c1[64], c2[64], c3[64], cn[16];

	fprintf(out,
		"\nForwarding (DR scheduler for new connections: %s; NAT and TUN: rr;"
		" nat-reply-cross: per packet entering, both workers' cycles;\n"
		"dr6-*: DR over IPv6, whose smallest frames, in the 64 rows, are 74 bytes)\n",
		cfg_sched_name(b->o.new_sched));
	fprintf(out, "%-20s %-5s %5s %2s  %-24s %-24s %-22s %s\n", "case", "frame", "conns", "w",
		"Mpps per worker", "cycles per packet", "Gb/s per worker", "left out");
	for (unsigned int i = 0; i < n; i++) {
		const struct bench_row *r = rows[i];

		fmt_series(c1, sizeof(c1), &r->mpps, 2);
		fmt_series(c2, sizeof(c2), &r->cycles, 0);
		fmt_series(c3, sizeof(c3), &r->gbps, 2);
		fprintf(out, "%-20s %-5s %5s %2u  %-24s %-24s %-22s %.2f%%%s\n",
			bench_case_name(r->c), bench_frames_name(r->frames),
			conns_name(r->conns, cn, sizeof(cn)), r->workers, c1, c2, c3,
			r->rounds ? 100.0 * (double)r->skipped / (double)r->rounds : 0.0,
			r->anomalies ? "  (frames lost!)" : "");
	}
	print_hw(b, rows, n, out);
}

static void print_instructions(const struct bench *b, FILE *out)
{
	char cn[16];

	fprintf(out,
		"\nInstructions and simulated cache misses per unit (callgrind, %s connections,"
		" inside fwd_worker_poll\nor sync_decode; 1 worker, 64-byte frames;"
		" nat-reply-cross: 2 workers, per packet entering)\n",
		conns_name(b->o.cg_conns, cn, sizeof(cn)));
	if (b->n_ir == 0) {
		fprintf(out, "  not measured: %s\n", b->ir_note ? b->ir_note : "--no-callgrind");
		return;
	}
	fprintf(out, "  %-22s %12s %11s %10s  %s\n", "", "instructions", "L1d misses", "LL misses",
		"per");
	for (unsigned int i = 0; i < b->n_ir; i++) {
		const struct bench_ir *ir = &b->ir[i];

		if (ir->cache_sim)
			fprintf(out, "  %-22s %12.1f %11.2f %10.2f  %s (%" PRIu64 ")\n", ir->name,
				ir->ir, ir->d1, ir->ll, ir->unit, ir->units);
		else
			fprintf(out, "  %-22s %12.1f %11s %10s  %s (%" PRIu64 ")\n", ir->name,
				ir->ir, "-", "-", ir->unit, ir->units);
	}
}

static void print_tables(const struct bench *b, FILE *out)
{
	char cn[16];

	fprintf(out,
		"\nConnection table: heap taken by conn_table_create for a table of exactly\n"
		"N IPv4 connections (any method: the index has room for two keys a connection),\n"
		"what N IPv6 connections add to a table (bytes/conn6), and for a worker's table\n"
		"in the one-worker runs (N plus room for the churn)\n");
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
}

static void print_floods(const struct bench *b, FILE *out)
{
	char cn[16];

	if (b->n_floods == 0)
		return;
	fprintf(out,
		"\nSYN flood at the worker's full rate (DR, random sources, 1 worker; embryonic"
		" budget 25%% of the\nworker's table; room: the embryonic connections that fit"
		" beside the level's established ones).\nLegitimate clients: a SYN every %u flood"
		" SYNs, its ACK one RTT later (D packets at the flood's rate)\n",
		b->floods[0].legit_every);
	fprintf(out, "%-6s %-20s %8s %8s %6s %7s %10s   %s\n", "conns", "case", "budget", "room",
		"Mpps", "cyc/SYN", "room/rate", "handshakes completed, ACK after RTT (D)");
	for (unsigned int i = 0; i < b->n_floods; i++) {
		const struct bench_flood *f = &b->floods[i];
		const struct bench_row *r = bench_row_find(b, f->c, f->conns, 1);

		fprintf(out, "%-6s %-20s %8u %8u %6.2f %7.0f %8.1f ms ",
			conns_name(f->conns, cn, sizeof(cn)), bench_case_name(f->c), f->budget,
			f->room, f->mpps, r ? series_median(&r->cycles) : 0,
			f->mpps > 0 ? f->room / (f->mpps * 1e3) : 0);
		for (unsigned int k = 0; k < f->n_rtt; k++)
			fprintf(out, "  %g ms (%" PRIu64 "): %.1f%%", f->share[k].rtt_ms,
				f->share[k].delay,
				f->share[k].acks ? 100.0 * (double)f->share[k].completed /
						       (double)f->share[k].acks
						 : 0.0);
		fprintf(out, "\n       evictions:");
		for (unsigned int k = 0; k < CONN_REASON_COUNT; k++)
			if (f->reasons[k] != 0)
				fprintf(out, " %s %" PRIu64, conn_reason_name(k), f->reasons[k]);
		if (f->tmpl.created != 0)
			fprintf(out,
				"; templates: %u of %u live, created %" PRIu64 ", evicted %" PRIu64
				", refused %" PRIu64,
				f->tmpl.live, f->tmpl.capacity, f->tmpl.created, f->tmpl.evicted,
				f->tmpl.refused);
		fprintf(out, "; established kept: %s\n", f->established_kept ? "all" : "NO");
	}
}

static void print_sync(const struct bench *b, FILE *out)
{
	char cn[16], c1[64], c2[64];
	bool head = false;

	fprintf(out, "\nConnection sync\n");
	for (unsigned int i = 0; i < b->o.n_levels; i++) {
		const uint32_t n = b->levels[i].conns;
		const struct bench_row *off = bench_row_find(b, BC_DR_CONN, n, 1);
		const struct bench_row *on = bench_row_find(b, BC_DR_CONN_SYNC, n, 1);
		double c_off, c_on;

		if (off == NULL || on == NULL || on->sent == 0)
			continue;
		if (!head)
			fprintf(out,
				"  sender, on the worker: dr-conn with sync_out NULL and set, 1"
				" worker, cycles per connection (SYN, ACK, FIN)\n");
		head = true;
		c_off = 3 * series_median(&off->cycles);
		c_on = 3 * series_median(&on->cycles);
		fprintf(out,
			"    %-6s off %6.0f  on %6.0f  sync: %+5.0f cycles per connection, %.2f "
			"records each\n",
			conns_name(n, cn, sizeof(cn)), c_off, c_on, c_on - c_off,
			(double)on->sync_events / ((double)on->sent / 3));
	}
	if (b->ctl.decode_cycles.n > 0) {
		const double cyc = series_median(&b->ctl.decode_cycles);

		fmt_series(c1, sizeof(c1), &b->ctl.decode_cycles, 1);
		fprintf(
		    out,
		    "  receiver, control core: sync_decode of full IPVS v1 messages (1472 bytes,"
		    " %u connections):\n    %s cycles per connection, %.1f M connections/s\n",
		    b->ctl.decode_per_msg, c1, b->tsc_hz / cyc / 1e6);
	}
	for (unsigned int i = 0; i < b->n_syncs; i++) {
		const struct bench_sync *s = &b->syncs[i];

		fmt_series(c1, sizeof(c1), &s->install, 0);
		fmt_series(c2, sizeof(c2), &s->refresh, 0);
		if (i == 0)
			fprintf(out,
				"  receiver, worker: fwd_sync_install from sync_in, whole rounds,"
				" cycles per connection\n");
		fprintf(out, "    %-6s installed %s (%.2f M/s), refreshed %s (%.2f M/s)\n",
			conns_name(s->conns, cn, sizeof(cn)), c1,
			b->tsc_hz / series_median(&s->install) / 1e6, c2,
			b->tsc_hz / series_median(&s->refresh) / 1e6);
	}
}

static void print_control(const struct bench *b, FILE *out)
{
	char c1[64], c2[64];

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
}

void bench_print_table(const struct bench *b, FILE *out)
{
	print_forwarding(b, out);
	print_instructions(b, out);
	print_tables(b, out);
	print_floods(b, out);
	print_sync(b, out);
	print_control(b, out);
	fprintf(out, "\ntotal time %.0f s\n", b->seconds);
}
