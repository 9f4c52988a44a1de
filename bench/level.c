/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A level of connections and the forwarding cases run at it.
 *
 * A level is the director of pktenv sized for n connections and a number
 * of workers: each worker has its share of level_capacity(n), as the daemon
 * shares `connections`, and the table is filled with n established
 * connections of one method, each worker's own (with two workers, NAT
 * connections by the worker owning their client, as symmetric RSS would
 * deliver them). The cases of the method then run on it, for one worker
 * and for two, each with its own table:
 *
 *   established  ACKs of the level's connections, at random
 *   new          SYNs of new flows at a steady n: each makes a connection
 *                that lives 60 s (SYN_RECV) on the fake clock, which moves
 *                60 s per n new connections, so the table holds n while each
 *                round inserts a burst and the wheel expires as many: the
 *                cost of a connection's whole life, not only its insert
 *   life         whole connections, SYN, ACK and FIN, the three 32
 *                connections apart; each lives 120 s (the FIN's FIN_WAIT)
 *                at a steady n; with and without the sync sender
 *   across       NAT replies on the worker that does not own them
 *
 * DR over IPv6 (dr6-*) is a method of its own: its level holds the n
 * connections in the tables' IPv6 entries (each worker's IPv6 share of
 * level_capacity(n)), its IPv4 entries few. The floods (flood.c) open
 * levels of their own, with the embryonic budget.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "traffic.h"

#define SYN_RECV_S 60   /* how long a SYN's connection lives */
#define LIFE_S     120  /* how long a whole connection lives (FIN_WAIT) */
#define V6_IPV4    1024 /* the IPv4 entries of each worker's table at an IPv6 level */

enum how { H_ESTABLISHED, H_NEW, H_LIFE, H_FLOOD };

/* The cases; bench.h's enum gives the order of the table. */
static const struct case_def {
	const char *name;
	enum method m;
	enum how how;
	bool reply, cross, imix, sync;
} case_defs[BC_COUNT] = {
	[BC_DR_EST] = { "dr-established", M_DR, H_ESTABLISHED, .imix = true },
	[BC_DR_NEW] = { "dr-new", M_DR, H_NEW },
	[BC_DR_CONN] = { "dr-conn", M_DR, H_LIFE },
	[BC_DR_CONN_SYNC] = { "dr-conn-sync", M_DR, H_LIFE, .sync = true },
	[BC_DR_FLOOD] = { "dr-syn-flood", M_DR, H_FLOOD },
	[BC_DR_FLOOD_PERSIST] = { "dr-syn-flood-persist", M_DR, H_FLOOD },
	[BC_NAT_REQ] = { "nat-request", M_NAT, H_ESTABLISHED, .imix = true },
	[BC_NAT_REP] = { "nat-reply", M_NAT, H_ESTABLISHED, .reply = true, .imix = true },
	[BC_NAT_REP_CROSS] = { "nat-reply-cross", M_NAT, H_ESTABLISHED, .reply = true,
			       .cross = true },
	[BC_NAT_NEW] = { "nat-new", M_NAT, H_NEW },
	[BC_TUN] = { "tun-established", M_TUN, H_ESTABLISHED, .imix = true },
	[BC_DR6_EST] = { "dr6-established", M_DR6, H_ESTABLISHED, .imix = true },
	[BC_DR6_NEW] = { "dr6-new", M_DR6, H_NEW },
};

static const char *const method_name[M_COUNT] = { "DR", "NAT", "TUN", "DR6" };

const char *bench_case_name(enum bench_case c)
{
	return c < BC_COUNT ? case_defs[c].name : "?";
}

const char *bench_frames_name(enum bench_frames f)
{
	return f == BF_64 ? "64" : "imix";
}

bool bench_wanted(const struct bench *b, enum bench_case c)
{
	if (b->o.only == NULL)
		return true;
	/* dr-conn-sync's cost is its difference with dr-conn */
	if (c == BC_DR_CONN && strstr(case_defs[BC_DR_CONN_SYNC].name, b->o.only) != NULL)
		return true;
	return strstr(case_defs[c].name, b->o.only) != NULL;
}

bool bench_wanted_name(const struct bench *b, const char *name)
{
	return b->o.only == NULL || strstr(name, b->o.only) != NULL;
}

bool row_wanted(const struct bench *b, enum bench_case c, enum bench_frames f, unsigned int workers)
{
	if (!bench_wanted(b, c) || workers > b->o.max_workers)
		return false;
	if (case_defs[c].cross && workers < 2)
		return false;
	if (f == BF_IMIX && !case_defs[c].imix)
		return false;
	if (b->cg) /* instructions: one worker, 64-byte frames; across two */
		return f == BF_64 && workers == (case_defs[c].cross ? 2u : 1u);
	return !case_defs[c].cross || f == BF_64;
}

/* ------------------------------------------------------------- the level */

uint32_t level_capacity(uint32_t n)
{
	return n + n / 8 + 65536;
}

/* The IPv6 DR service (stat slots from *stat on, its addresses appended to
 * addrs): BENCH_RS real servers on port 0's link, the scheduler asked for
 * as DR's. @return 0 or -1. */
static int level_setup6(struct level *lv, struct svc_spec *spec, struct svc_spec_rs *rs,
			uint32_t *stat, struct svc_spec_addr *addrs, uint32_t *n_addrs)
{
	struct pktenv *e = &lv->e;
	const uint32_t svc_stat = *stat + BENCH_RS + 1;

	addrs[*n_addrs] = (struct svc_spec_addr){ .flags = SVC_AF_LOCAL, .af = 6 };
	memcpy(addrs[(*n_addrs)++].addr6, PKTENV_DIP0_6, 16);
	for (unsigned int i = 0; i < BENCH_RS; i++) {
		uint8_t a[16];
		int32_t slot;

		rs_addr6(i, a);
		slot = pktenv_neigh_learn6(e, a, rs_mac(i));
		if (slot < 0)
			return -1;
		pktenv_dest6(e, *stat + 1, a, VPORT, svc_stat);
		rs[i] = (struct svc_spec_rs){ .port = VPORT,
					      .weight = 1,
					      .available = true,
					      .stat = ++*stat,
					      .neigh = slot,
					      .out_port = 0,
					      .af = 6 };
		memcpy(rs[i].addr6, a, 16);
		memcpy(rs[i].nexthop6, a, 16);
		/* as the daemon says of real servers */
		addrs[*n_addrs] = (struct svc_spec_addr){ .flags = SVC_AF_RS, .af = 6 };
		memcpy(addrs[(*n_addrs)++].addr6, a, 16);
	}
	*spec = (struct svc_spec){ .vport = VPORT,
				   .proto = IPPROTO_TCP,
				   .af = 6,
				   .fwd = CFG_FWD_DR,
				   .sched = lv->b->o.new_sched,
				   .persist_mask = 0xffffffffu,
				   .stat = ++*stat, /* == svc_stat */
				   .owned = true,
				   .rs = rs,
				   .n_rs = BENCH_RS };
	memcpy(spec->vip6, VIP_DR6, 16);
	addrs[*n_addrs] =
	    (struct svc_spec_addr){ .flags = SVC_AF_VIP | SVC_AF_OWNED | SVC_AF_SERVICE, .af = 6 };
	memcpy(addrs[(*n_addrs)++].addr6, VIP_DR6, 16);
	return 0;
}

/* The services: DR (the scheduler asked for), NAT and TUN (rr, so that the
 * replies' real server is known), DR with persistence, and DR over IPv6,
 * each with BENCH_RS real servers on port 0's link. */
int level_setup(struct level *lv)
{
	static const struct {
		enum method m;
		uint32_t vip;
		bool persist;
	} svcs[] = { { M_DR, VIP_DR, false },
		     { M_NAT, VIP_NAT, false },
		     { M_TUN, VIP_TUN, false },
		     { M_DR, VIP_DR_PERS, true } };
	struct pktenv *e = &lv->e;
	struct svc_spec specs[RTE_DIM(svcs) + 1];
	struct svc_spec_rs rs[RTE_DIM(svcs) + 1][BENCH_RS];
	struct svc_spec_addr addrs[3 + RTE_DIM(svcs) + BENCH_RS + 2 + BENCH_RS];
	uint32_t stat = 0, n_addrs = 0;

	if (pktenv_neigh_learn(e, PKTENV_GW, (struct pb_mac){ { 2, 0, 0, 0, 0, 1 } }) < 0)
		return -1;
	for (unsigned int i = 0; i < BENCH_RS; i++) {
		if (pktenv_neigh_learn(e, rs_addr(i), rs_mac(i)) < 0)
			return -1;
		/* as the daemon says of real servers (the NAT service's too) */
		addrs[n_addrs++] =
		    (struct svc_spec_addr){ rs_addr(i), SVC_AF_RS | SVC_AF_NAT_RS, 0 };
	}
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP0, SVC_AF_LOCAL, 0 };
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP0B, SVC_AF_LOCAL, 0 };
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP1, SVC_AF_LOCAL, 0 };
	for (unsigned int s = 0; s < RTE_DIM(svcs); s++) {
		const uint32_t svc_stat = stat + BENCH_RS + 1;
		const uint16_t port = svcs[s].m == M_NAT ? NAT_RPORT : VPORT;

		for (unsigned int i = 0; i < BENCH_RS; i++) {
			pktenv_dest(e, stat + 1, rs_addr(i), port, svc_stat);
			rs[s][i] = (struct svc_spec_rs){
				.addr = rs_addr(i),
				.port = port,
				.weight = 1,
				.available = true,
				.stat = ++stat,
				.neigh = neigh_find4(e->env.neigh, rte_cpu_to_be_32(rs_addr(i))),
				.nexthop = rs_addr(i),
				.out_port = 0,
			};
		}
		specs[s] = (struct svc_spec){
			.vip = svcs[s].vip,
			.vport = VPORT,
			.proto = IPPROTO_TCP,
			.fwd = svcs[s].m == M_DR    ? CFG_FWD_DR
			       : svcs[s].m == M_NAT ? CFG_FWD_NAT
						    : CFG_FWD_TUN,
			/* NAT replies are made knowing rr's order */
			.sched = svcs[s].m == M_DR ? lv->b->o.new_sched : CFG_SCHED_RR,
			.persist_s = svcs[s].persist ? PERSIST_S : 0,
			.persist_mask = 0xffffffffu,
			.stat = ++stat, /* == svc_stat */
			.owned = true,
			.rs = rs[s],
			.n_rs = BENCH_RS,
		};
		addrs[n_addrs++] =
		    (struct svc_spec_addr){ svcs[s].vip, SVC_AF_VIP | SVC_AF_OWNED | SVC_AF_SERVICE,
					    0 };
	}
	if (level_setup6(lv, &specs[RTE_DIM(svcs)], rs[RTE_DIM(svcs)], &stat, addrs, &n_addrs) != 0)
		return -1;
	/* Services republished unchanged keep their scheduler's state; the
	 * services-free snapshot in between makes rr start over. */
	if (pktenv_publish(e, specs, 0, addrs, n_addrs) != 0)
		return -1;
	return pktenv_publish(e, specs, RTE_DIM(specs), addrs, n_addrs);
}

/* With two workers, NAT's flows are those whose clients each owns (the
 * first n / 2 of each), as symmetric RSS would deliver them. */
static int level_owners(struct level *lv)
{
	const uint32_t want = lv->n / PKTENV_WORKERS;

	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		lv->own[k] = malloc(sizeof(uint32_t) * (want ? want : 1));
		if (lv->own[k] == NULL)
			return -1;
	}
	for (uint32_t f = 0; lv->n_own[0] < want || lv->n_own[1] < want; f++) {
		rte_be32_t a = rte_cpu_to_be_32(client_addr(f));
		uint16_t k = fwd_owner(&lv->e.env, 4, &a, rte_cpu_to_be_16(client_port(f)));

		if (lv->n_own[k] < want)
			lv->own[k][lv->n_own[k]++] = f;
	}
	return 0;
}

int level_open(struct level *lv, struct bench *b, uint32_t n, unsigned int workers,
	       unsigned int embryonic_pct, uint32_t templates)
{
	return level_open_af(lv, b, n, workers, embryonic_pct, templates, false);
}

int level_open_af(struct level *lv, struct bench *b, uint32_t n, unsigned int workers,
		  unsigned int embryonic_pct, uint32_t templates, bool v6)
{
	const uint32_t per_worker = (level_capacity(n) + workers - 1) / workers;
	const struct pktenv_tables t = {
		.per_worker = v6 ? V6_IPV4 : per_worker,
		.embryonic_max = (uint32_t)((uint64_t)per_worker * embryonic_pct / 100),
		.templates = templates,
	};

	memset(lv, 0, sizeof(*lv));
	lv->b = b;
	lv->n = n;
	lv->workers = workers;
	lv->per_worker = per_worker;
	lv->budget = t.embryonic_max ? t.embryonic_max : per_worker;
	lv->seed = 1;
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		lv->next_new[k] = NEW_FLOWS + ((uint64_t)k << 28);
		lv->next_legit[k] = LEGIT_FLOWS + ((uint64_t)k << 26);
	}
	/* IPv6 entries: pktenv gives each worker its share of conns6 (64
	 * when 0); at an IPv6 level, per_worker each */
	b->base.conns6 = v6 ? per_worker * PKTENV_WORKERS : 0;
	if (pktenv_open_tables(&lv->e, &b->base, &t) != 0)
		return -1;
	if (level_setup(lv) != 0 || level_owners(lv) != 0) {
		level_close(lv);
		return -1;
	}
	return 0;
}

void level_close(struct level *lv)
{
	sync_sender_free(lv);
	pktenv_close(&lv->e);
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		free(lv->own[k]);
}

/* Turns every wheel at the current time until it has nothing more to do,
 * a bounded amount at a time, as the worker loop would. */
static void level_expire(struct level *lv)
{
	struct pktenv *e = &lv->e;
	uint32_t seen;

	do {
		seen = 0;
		for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
			fwd_worker_clock(e->w[i], e->now_ms);
			seen += fwd_worker_expire(e->w[i], 1024);
		}
		pktenv_quiesce(e);
	} while (seen > 0);
}

uint32_t level_live(const struct level *lv)
{
	uint32_t n = 0;

	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		n += conn_table_stats(lv->e.w[i]->conns)->live;
	return n;
}

uint32_t level_assured(const struct level *lv)
{
	uint32_t n = 0;

	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		const struct conn_table_stats *st = conn_table_stats(lv->e.w[i]->conns);

		n += st->live - st->embryonic;
	}
	return n;
}

int level_empty(struct level *lv)
{
	const uint32_t live = level_live(lv);
	const uint64_t t0 = rte_rdtsc();

	pktenv_clock(&lv->e, lv->e.now_ms + 901 * 1000);
	level_expire(lv);
	if (!lv->b->cg)
		fprintf(stderr, "  expired %u connections in %.2f s\n", live,
			(double)(rte_rdtsc() - t0) / lv->b->tsc_hz);
	if (level_live(lv) != 0) {
		fprintf(stderr, "bench: %u connections outlived their timeout\n", level_live(lv));
		return -1;
	}
	return 0;
}

/* SYNs then ACKs of the worker's flows [start, start + k) each. */
static int fill_chunk(struct level *lv, enum method m, uint32_t start, uint32_t k, bool verify,
		      double *seconds)
{
	struct gen g = gen_make(G_FLOWS, m, false, V_SYN, false);
	struct run_opts ro = { .workers = lv->workers, .target = k, .verify = verify };
	struct result res;

	g.sequential = true;
	g.n_flows = lv->n;
	g.next = start;
	if (run_workers(lv, &g, &ro, &res) != 0 || res.anomalies != 0)
		return -1;
	*seconds += res.mpps_per_worker > 0 ? k / (res.mpps_per_worker * 1e6) : 0;
	g = gen_make(G_FLOWS, m, false, V_ACK, false);
	g.sequential = true;
	g.n_flows = lv->n;
	g.next = start;
	ro.verify = false;
	return run_workers(lv, &g, &ro, &res) != 0 || res.anomalies != 0 ? -1 : 0;
}

/* The level's n connections: SYNs (timed: the fill rate), then ACKs, in
 * chunks of half the embryonic budget so that none is evicted. */
int level_fill(struct level *lv, enum method m, double *per_s)
{
	const uint32_t before = level_live(lv), per_w = lv->n / lv->workers;
	const uint32_t chunk = RTE_MAX(RTE_MIN(per_w, lv->budget / 2), 1u);
	double seconds = 0;

	/* New services: rr starts at the first server, as the reply
	 * generator expects (the j-th flow of a worker went to j % BENCH_RS). */
	if (level_setup(lv) != 0)
		goto fail;
	for (uint32_t start = 0; start < per_w; start += chunk)
		if (fill_chunk(lv, m, start, RTE_MIN(chunk, per_w - start), start == 0, &seconds) !=
		    0)
			goto fail;
	*per_s = seconds > 0 ? per_w / seconds : 0;
	if (level_live(lv) != before + lv->n || level_assured(lv) != before + lv->n)
		goto fail;
	return 0;
fail:
	fprintf(stderr,
		"bench: filling %u connections (%s, %u worker(s)) failed, %u connections live\n",
		lv->n, method_name[m], lv->workers, level_live(lv));
	report_losses(lv);
	return -1;
}

void report_losses(const struct level *lv)
{
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		const struct fwd_stats *st = &lv->e.w[k]->st;
		const struct conn_table_stats *ct = conn_table_stats(lv->e.w[k]->conns);

		fprintf(stderr, "  worker %u: to control %" PRIu64 ", to kernel %" PRIu64, k,
			st->to_control, st->to_kernel);
		for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
			if (st->drops[d] != 0)
				fprintf(stderr, ", %s %" PRIu64, fwd_drop_name(d), st->drops[d]);
		for (unsigned int r = 0; r < CONN_REASON_COUNT; r++)
			if (ct->reasons[r] != 0)
				fprintf(stderr, ", %s %" PRIu64, conn_reason_name(r),
					ct->reasons[r]);
		fputc('\n', stderr);
	}
}

/* ------------------------------------------------------------------ rows */

struct bench_row *row_new(struct bench *b, enum bench_case c, enum bench_frames f, uint32_t conns,
			  unsigned int workers)
{
	struct bench_row *row;

	if (b->n_rows == RTE_DIM(b->rows))
		return NULL;
	row = &b->rows[b->n_rows++];
	*row = (struct bench_row){ .c = c, .frames = f, .conns = conns, .workers = workers };
	return row;
}

/* The callgrind child's row: one run between markers. */
static int row_cg(struct level *lv, struct bench_row *row, const struct gen *g,
		  const struct run_opts *ro)
{
	struct run_opts one = *ro;
	struct result res;

	one.target = lv->b->o.packets;
	bench_cg_begin();
	if (run_workers(lv, g, &one, &res) != 0 || res.anomalies != 0)
		return -1;
	bench_cg_end(bench_case_name(row->c), "packet", res.sent);
	row->packets += res.sent;
	row->sent += res.sent;
	return 0;
}

/* One more run, its rounds counted by the CPU's hardware counters. */
static int row_hw(struct level *lv, struct bench_row *row, const struct gen *g,
		  const struct run_opts *ro)
{
	struct run_opts counted = *ro;
	struct result res;

	counted.count_hw = true;
	if (run_workers(lv, g, &counted, &res) != 0)
		return -1;
	if (res.hw_counted && res.sent > 0) {
		row->hw_counted = true;
		for (unsigned int e = 0; e < HW_COUNT; e++)
			row->hw[e] = res.hw[e] == UINT64_MAX ? -1 /* not counted */
							     : (double)res.hw[e] / (double)res.sent;
	}
	return 0;
}

/* One timed run, added to the row. */
static int row_one(struct level *lv, struct bench_row *row, const struct gen *g,
		   const struct run_opts *ro)
{
	struct result res;

	if (run_workers(lv, g, ro, &res) != 0)
		return -1;
	series_add(&row->mpps, res.mpps_per_worker);
	series_add(&row->gbps, res.gbps_per_worker);
	series_add(&row->cycles, res.pkts ? (double)res.cycles / (double)res.pkts : 0);
	row->packets += res.pkts;
	row->sent += res.sent;
	row->sync_events += res.sync_events;
	row->anomalies += res.anomalies;
	row->rounds += res.rounds;
	row->skipped += res.skipped;
	return 0;
}

/* After the runs: the hardware counters, the row on stderr. */
static int row_finish(struct level *lv, struct bench_row *row, const struct gen *g,
		      const struct run_opts *ro)
{
	struct bench *b = lv->b;

	if (b->hw_ok && b->o.hw && row_hw(lv, row, g, ro) != 0)
		return -1;
	if (row->anomalies != 0)
		report_losses(lv);
	fprintf(stderr, "  %-20s %-4s %9u conns %u worker%s %7.2f Mpps/worker %7.1f cycles/pkt\n",
		bench_case_name(row->c), bench_frames_name(row->frames), row->conns, row->workers,
		row->workers > 1 ? "s" : " ", series_median(&row->mpps),
		series_median(&row->cycles));
	return row->anomalies == 0 ? 0 : -1;
}

int row_run(struct level *lv, struct bench_row *row, const struct gen *g, const struct run_opts *ro,
	    uint64_t warm)
{
	struct run_opts r = *ro;
	struct result res;

	r.target = warm;
	if (run_workers(lv, g, &r, &res) != 0)
		return -1;
	if (lv->b->cg)
		return row_cg(lv, row, g, ro);
	r = *ro;
	r.verify = false;
	for (unsigned int i = 0; i < lv->b->o.runs; i++)
		if (row_one(lv, row, g, &r) != 0)
			return -1;
	return row_finish(lv, row, g, &r);
}

int row_run_ab(struct level *lv, struct bench_row *rows[2], const struct gen *g,
	       const struct run_opts *ro, uint64_t warm, int (*set)(struct level *, bool))
{
	struct run_opts r = *ro;
	struct result res;

	r.target = warm;
	if (set(lv, false) != 0 || run_workers(lv, g, &r, &res) != 0)
		return -1;
	r = *ro;
	r.verify = false;
	for (unsigned int i = 0; i < (lv->b->cg ? 1 : lv->b->o.runs); i++)
		for (unsigned int k = 0; k < 2; k++)
			if (set(lv, k == 1) != 0 || (lv->b->cg ? row_cg(lv, rows[k], g, ro)
							       : row_one(lv, rows[k], g, &r)) != 0)
				return -1;
	for (unsigned int k = 0; k < 2 && !lv->b->cg; k++)
		if (set(lv, k == 1) != 0 || row_finish(lv, rows[k], g, &r) != 0)
			return -1;
	return set(lv, false);
}

/* ------------------------------------------------------------- the cases */

/* The clock step that keeps n connections of life_s alive while each worker
 * makes a burst's worth (per_conn packets each) per round. */
static uint64_t churn_step(const struct level *lv, unsigned int life_s, unsigned int per_conn)
{
	return ((uint64_t)life_s * 1000 << 16) * FWD_BURST * lv->workers / per_conn / lv->n;
}

static int case_established(struct level *lv, enum bench_case c)
{
	const struct case_def *cd = &case_defs[c];
	const struct run_opts ro = { .workers = lv->workers,
				     .target = lv->b->o.packets,
				     .verify = true };

	for (unsigned int f = 0; f < BF_COUNT; f++) {
		struct gen g = gen_make(G_FLOWS, cd->m, cd->reply, V_ACK, f == BF_IMIX);
		struct bench_row *row;

		if (!row_wanted(lv->b, c, f, lv->workers))
			continue;
		row = row_new(lv->b, c, f, lv->n, lv->workers);
		g.n_flows = lv->n;
		g.cross = cd->cross;
		if (row == NULL || row_run(lv, row, &g, &ro, lv->b->o.packets / 4 + 1) != 0)
			return -1;
	}
	return 0;
}

/* New connections (how H_NEW) or whole ones (H_LIFE) at a steady n: the
 * table emptied, the population ramped up to n, then the runs keep it
 * there. *churning: the population is already there (dr-conn-sync after
 * dr-conn). */
static int case_churn(struct level *lv, enum bench_case c, enum how *churning)
{
	const struct case_def *cd = &case_defs[c];
	const bool life = cd->how == H_LIFE;
	struct gen g = gen_make(life ? G_LIFE : G_NEW, cd->m, false, V_SYN, false);
	const struct run_opts ro = {
		.workers = lv->workers,
		.target = lv->b->o.packets,
		.clock_step = life ? churn_step(lv, LIFE_S, 3) : churn_step(lv, SYN_RECV_S, 1),
	};
	struct run_opts ramp = ro;
	struct bench_row *row;
	struct result res;
	int rc;

	if (!row_wanted(lv->b, c, BF_64, lv->workers))
		return 0;
	if (*churning != cd->how) {
		ramp.target = (uint64_t)(lv->n + lv->n / 16) * (life ? 3 : 1) / lv->workers;
		if (level_empty(lv) != 0 || run_workers(lv, &g, &ramp, &res) != 0 ||
		    res.anomalies != 0)
			return -1;
		*churning = cd->how;
	}
	if (c == BC_DR_CONN && row_wanted(lv->b, BC_DR_CONN_SYNC, BF_64, lv->workers)) {
		/* with and without the sync sender, run for run: its cost is the
		 * difference, and the machine's moods touch both alike */
		struct bench_row *rows[2] = {
			row_new(lv->b, BC_DR_CONN, BF_64, lv->n, lv->workers),
			row_new(lv->b, BC_DR_CONN_SYNC, BF_64, lv->n, lv->workers),
		};

		if (rows[0] == NULL || rows[1] == NULL)
			return -1;
		return row_run_ab(lv, rows, &g, &ro, lv->b->o.packets / 4 + 1, sync_sender);
	}
	if (c == BC_DR_CONN_SYNC && row_wanted(lv->b, BC_DR_CONN, BF_64, lv->workers))
		return 0; /* made with dr-conn */
	row = row_new(lv->b, c, BF_64, lv->n, lv->workers);
	if (row == NULL || (cd->sync && sync_sender(lv, true) != 0))
		return -1;
	rc = row_run(lv, row, &g, &ro, lv->b->o.packets / 4 + 1);
	if (cd->sync)
		sync_sender(lv, false);
	return rc;
}

/* Every case of method m at one level and worker count. */
static int method_cases(struct bench *b, struct bench_level *bl, enum method m,
			unsigned int workers)
{
	struct level *lv = malloc(sizeof(*lv));
	enum how churning = H_ESTABLISHED;
	double fill;
	int rc = -1;

	if (lv == NULL || level_open_af(lv, b, bl->conns, workers, 0, 0, m == M_DR6) != 0) {
		free(lv);
		return -1;
	}
	if (level_fill(lv, m, &fill) != 0)
		goto out;
	if (workers == 1) {
		bl->fill_per_s[m] = fill;
		bl->fill_packets = bl->conns;
	}
	for (unsigned int c = 0; c < BC_COUNT; c++) {
		const struct case_def *cd = &case_defs[c];

		if (cd->m != m || cd->how == H_FLOOD)
			continue;
		if (cd->how == H_ESTABLISHED && churning != H_ESTABLISHED) {
			/* the churn replaced the level's connections */
			fprintf(stderr, "bench: %s must come before its method's churn\n",
				cd->name);
			goto out;
		}
		if ((cd->how == H_ESTABLISHED ? case_established(lv, c)
					      : case_churn(lv, c, &churning)) != 0)
			goto out;
	}
	rc = m == M_DR && workers == 1 ? sync_install_level(lv) : 0;
out:
	level_close(lv);
	free(lv);
	return rc;
}

static bool method_wanted(const struct bench *b, enum method m, unsigned int workers)
{
	for (unsigned int c = 0; c < BC_COUNT; c++)
		for (unsigned int f = 0; f < BF_COUNT; f++)
			if (case_defs[c].m == m && case_defs[c].how != H_FLOOD &&
			    row_wanted(b, c, f, workers))
				return true;
	/* the install rate runs on the DR level of one worker */
	return m == M_DR && workers == 1 && bench_wanted_name(b, "sync-install");
}

int bench_level_run(struct bench *b, struct bench_level *bl)
{
	bl->capacity = level_capacity(bl->conns);
	bl->exact_bytes = bench_table_bytes(bl->conns, 0);
	bl->table_bytes = bench_table_bytes(bl->capacity, 0);
	/* the IPv6 side: what conns IPv6 entries add to a minimal table */
	bl->exact_bytes6 = bench_table_bytes(1, bl->conns);
	if (bl->exact_bytes6 != 0)
		bl->exact_bytes6 -= RTE_MIN(bl->exact_bytes6, bench_table_bytes(1, 0));
	if (bl->table_bytes == 0 || bl->exact_bytes == 0 || bl->exact_bytes6 == 0) {
		fprintf(stderr, "bench: no room for a table of %u connections\n", bl->capacity);
		return -1;
	}
	bl->fitted = true;
	if (!b->cg)
		fprintf(stderr, "%u connections (a worker's table of %u: %.1f MiB)\n", bl->conns,
			bl->capacity, (double)bl->table_bytes / (1 << 20));
	for (unsigned int m = 0; m < M_COUNT; m++)
		for (unsigned int w = 1; w <= b->o.max_workers; w++)
			if (method_wanted(b, (enum method)m, w) &&
			    method_cases(b, bl, (enum method)m, w) != 0)
				return -1;
	return flood_level(b, bl->conns);
}
