/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dr-syn-flood: SYNs from random sources (100.64.0.0/10, random ports) at a
 * DR service, at the worker's full rate, against halb's default embryonic
 * budget: `embryonic` 25 % of each worker's table (pktenv's embryonic_max),
 * and the daemon's default template table (`templates`, an eighth of the
 * connections). The table holds the level's n established connections
 * first; once the flood has filled the embryonic room (the budget, or what
 * the established connections leave of the table), every SYN evicts the
 * oldest embryonic connection: the row is the cost of a SYN in that steady
 * state. No established connection may go: the number of assured ones is
 * checked after every run.
 *
 * Then, with one worker, the legitimate clients: a legitimate client's SYN
 * every K = 99 flood SYNs and its ACK D packets later, D standing for the
 * client's round-trip time at the measured rate (D = RTT x rate). A
 * handshake completes when its ACK finds its connection and is forwarded.
 * With FIFO eviction this is a cliff: a connection survives while fewer
 * than the room's worth of newer embryonic ones were made after it, so a
 * handshake completes when its RTT is below room / rate.
 *
 * The same at a persistent service (persistence_timeout PERSIST_S): every
 * new client makes a template, so the flood also churns the shared
 * template table (and its lock).
 */
#include <stdlib.h>
#include <string.h>

#include "traffic.h"

#define FLOOD_EMBRYONIC_PCT 25 /* the dataplane file's default */
#define LEGIT_EVERY         99 /* flood SYNs per legitimate one */

static const double rtt_ms[BENCH_RTTS] = { 1, 10, 50, 200 };

static void tables_reasons(const struct level *lv, uint64_t out[CONN_REASON_COUNT])
{
	memset(out, 0, sizeof(uint64_t) * CONN_REASON_COUNT);
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		const struct conn_table_stats *st = conn_table_stats(lv->e.w[k]->conns);

		for (unsigned int r = 0; r < CONN_REASON_COUNT; r++)
			out[r] += st->reasons[r];
	}
}

/* The embryonic connections a worker's table takes besides its share of
 * the established ones. */
static uint32_t flood_room(const struct level *lv)
{
	const uint32_t est = lv->n / lv->workers;
	const uint32_t left = lv->per_worker > est ? lv->per_worker - est : 0;

	return RTE_MIN(lv->budget, left);
}

/* The legitimate clients' handshakes at each round-trip time. */
static int flood_shares(struct level *lv, struct bench_flood *fl, const struct gen *flood)
{
	const struct bench *b = lv->b;
	const unsigned int n_rtt = b->o.quick ? 2 : BENCH_RTTS;

	for (unsigned int i = 0; i < n_rtt; i++) {
		struct gen g = *flood;
		const uint64_t d = (uint64_t)(rtt_ms[i] * 1e-3 * fl->mpps * 1e6) + 1;
		const uint32_t before = level_assured(lv);
		struct run_opts ro = { .workers = 1, .realtime = true };
		struct result res;

		g.legit_every = LEGIT_EVERY;
		g.legit_delay = d;
		ro.target = d + RTE_MAX(b->o.packets / 4, 200ull * (LEGIT_EVERY + 1));
		if (run_workers(lv, &g, &ro, &res) != 0 || res.anomalies != 0) {
			report_losses(lv);
			return -1;
		}
		if (level_assured(lv) - before != res.legit_done) {
			fprintf(stderr,
				"bench: %" PRIu64 " legitimate handshakes completed, but %u "
				"connections were assured\n",
				res.legit_done, level_assured(lv) - before);
			return -1;
		}
		fl->share[i].rtt_ms = rtt_ms[i];
		fl->share[i].delay = d;
		fl->share[i].acks = res.legit_acks;
		fl->share[i].completed = res.legit_done;
		fprintf(stderr,
			"  %-20s RTT %5.0f ms (D %8" PRIu64 "): %" PRIu64 " of %" PRIu64
			" handshakes completed\n",
			bench_case_name(fl->c), rtt_ms[i], d, res.legit_done, res.legit_acks);
	}
	fl->n_rtt = n_rtt;
	return 0;
}

/* One flood case at an open level: the row, then (one worker) the
 * legitimate clients. */
static int flood_case(struct level *lv, enum bench_case c)
{
	struct bench *b = lv->b;
	struct gen g = gen_make(G_FLOOD, M_DR, false, V_SYN, false);
	const struct run_opts ro = {
		.workers = lv->workers, .target = b->o.packets, .realtime = true, .verify = true
	};
	const uint32_t assured = level_assured(lv);
	const uint64_t warm = b->o.packets / 4 + (uint64_t)flood_room(lv) * 5 / 4;
	struct bench_row *row = row_new(b, c, BF_64, lv->n, lv->workers);
	struct bench_flood *fl;

	if (c == BC_DR_FLOOD_PERSIST)
		gen_vip(&g, VIP_DR_PERS);
	if (row == NULL || row_run(lv, row, &g, &ro, warm) != 0)
		return -1;
	if (level_assured(lv) != assured) {
		fprintf(stderr, "bench: %s evicted %u established connections\n",
			bench_case_name(c), assured - level_assured(lv));
		return -1;
	}
	if (lv->workers != 1 || b->cg || b->n_floods == RTE_DIM(b->floods))
		return 0;
	fl = &b->floods[b->n_floods++];
	*fl = (struct bench_flood){ .c = c,
				    .conns = lv->n,
				    .per_worker = lv->per_worker,
				    .budget = lv->budget,
				    .room = flood_room(lv),
				    .mpps = series_median(&row->mpps),
				    .legit_every = LEGIT_EVERY };
	if (flood_shares(lv, fl, &g) != 0)
		return -1;
	fl->established_kept = level_assured(lv) >= assured;
	tables_reasons(lv, fl->reasons);
	fl->tmpl = *conn_tmpls_stats(lv->e.env.tmpls);
	return 0;
}

int flood_level(struct bench *b, uint32_t n)
{
	static const enum bench_case cases[] = { BC_DR_FLOOD, BC_DR_FLOOD_PERSIST };

	for (unsigned int w = 1; w <= b->o.max_workers; w++) {
		struct level *lv;
		double fill;
		int rc = 0;

		if (!row_wanted(b, BC_DR_FLOOD, BF_64, w) &&
		    !row_wanted(b, BC_DR_FLOOD_PERSIST, BF_64, w))
			continue;
		lv = malloc(sizeof(*lv));
		/* the daemon's templates: an eighth of `connections` */
		if (lv == NULL ||
		    level_open(lv, b, n, w, FLOOD_EMBRYONIC_PCT, level_capacity(n) / 8) != 0) {
			free(lv);
			return -1;
		}
		if (level_fill(lv, M_DR, &fill) != 0)
			rc = -1;
		for (unsigned int i = 0; i < RTE_DIM(cases) && rc == 0; i++)
			if (row_wanted(b, cases[i], BF_64, w))
				rc = flood_case(lv, cases[i]);
		level_close(lv);
		free(lv);
		if (rc != 0)
			return -1;
	}
	return 0;
}
