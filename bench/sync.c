/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection sync (lvs_sync_daemon), both sides:
 *
 * - The sender, on a worker: while the sync daemon is MASTER, the ACK that
 *   establishes a connection and the FIN that closes it each put a struct
 *   fwd_sync on the worker's sync_out ring. Its cost per connection is the
 *   difference between the dr-conn-sync and dr-conn rows: the same whole
 *   connections, SYN, ACK and FIN, with env.sync_send on and sync_out set,
 *   or off. The harness drains sync_out after each round, as the control
 *   core would (but on the same core: no cache line crosses to another).
 * - The receiver: the control core decodes IPVS sync v1 messages
 *   (sync_decode; measured here on full messages of MTU 1500's 1472 bytes,
 *   40 IPv4 connections each), then hands each connection to its owner
 *   worker's sync_in ring, where the worker installs it in its round
 *   (fwd_sync_install, at most 64 a round). The install rate is timed over
 *   whole worker rounds with nothing else to do, the level's n connections
 *   into an empty table (installed), then the same again (refreshed). What
 *   the control core does in between (the real server's slot by address,
 *   the ring) is not measured.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ring_elem.h>

#include "halb_sync.h"
#include "traffic.h"

#define SYNC_RING     4096 /* the daemon's (CTL_SYNC_RING_SIZE), each way */
#define DECODE_MSGS   256
#define DECODE_MAXLEN 1472 /* an MTU of 1500 less the IP and UDP headers */

int sync_sender(struct level *lv, bool on)
{
	static unsigned int seq;

	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		char name[RTE_RING_NAMESIZE];

		if (lv->e.w[k] == NULL)
			continue;
		if (on && lv->sync_out[k] == NULL) {
			snprintf(name, sizeof(name), "bso%u_%u", seq++, k);
			lv->sync_out[k] =
			    rte_ring_create_elem(name, sizeof(struct fwd_sync), SYNC_RING,
						 SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (lv->sync_out[k] == NULL)
				return -1;
		}
		lv->e.w[k]->sync_out = on ? lv->sync_out[k] : NULL;
	}
	lv->e.env.sync_send = on;
	return 0;
}

void sync_sender_free(struct level *lv)
{
	sync_sender(lv, false);
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		rte_ring_free(lv->sync_out[k]);
		lv->sync_out[k] = NULL;
	}
}

/* ------------------------------------------------------------- decode */

/* DECODE_MSGS full messages of established DR connections. */
static unsigned int make_messages(uint8_t (*msgs)[DECODE_MAXLEN], size_t *lens)
{
	unsigned int flow = 0, per = 0;

	for (unsigned int i = 0; i < DECODE_MSGS; i++) {
		struct sync_writer w;

		sync_writer_init(&w, msgs[i], DECODE_MAXLEN, 1);
		for (;;) {
			struct sync_conn c = { .af = 4,
					       .proto = IPPROTO_TCP,
					       .state = CONN_S_ESTABLISHED,
					       .flags = SYNC_F_DROUTE | SYNC_F_NOOUTPUT,
					       .cport = rte_cpu_to_be_16(client_port(flow)),
					       .vport = rte_cpu_to_be_16(VPORT),
					       .dport = rte_cpu_to_be_16(VPORT),
					       .timeout = 900 };
			rte_be32_t a = rte_cpu_to_be_32(client_addr(flow));
			rte_be32_t v = rte_cpu_to_be_32(VIP_DR);
			rte_be32_t d = rte_cpu_to_be_32(rs_addr(flow % BENCH_RS));

			memcpy(c.caddr, &a, 4);
			memcpy(c.vaddr, &v, 4);
			memcpy(c.daddr, &d, 4);
			if (!sync_writer_add(&w, &c))
				break;
			flow++;
		}
		lens[i] = sync_writer_finish(&w);
		per = w.n;
	}
	return per;
}

/* Decodes every message once. @return the connections, or 0 on an error. */
static uint64_t decode_all(uint8_t (*msgs)[DECODE_MAXLEN], const size_t *lens,
			   struct sync_conn *out)
{
	uint64_t conns = 0;

	for (unsigned int i = 0; i < DECODE_MSGS; i++) {
		struct sync_msg msg;

		if (sync_decode(msgs[i], lens[i], 1, &msg, out, SYNC_MAX_CONNS) != SYNC_OK)
			return 0;
		conns += msg.n;
	}
	return conns;
}

int bench_sync_decode(struct bench *b)
{
	uint8_t(*msgs)[DECODE_MAXLEN] = malloc(sizeof(*msgs) * DECODE_MSGS);
	size_t lens[DECODE_MSGS];
	struct sync_conn *out = malloc(sizeof(*out) * SYNC_MAX_CONNS);
	int rc = -1;

	if (msgs == NULL || out == NULL)
		goto done;
	b->ctl.decode_per_msg = make_messages(msgs, lens);
	if (decode_all(msgs, lens, out) == 0) /* warm */
		goto done;
	if (b->cg) {
		uint64_t n;

		bench_cg_begin();
		n = decode_all(msgs, lens, out);
		bench_cg_end("sync-decode", "connection", n);
		rc = n > 0 ? 0 : -1;
		goto done;
	}
	for (unsigned int r = 0; r < b->o.runs; r++) {
		uint64_t t0 = rte_rdtsc(), n = 0, t1;

		for (unsigned int k = 0; k < 64; k++)
			n += decode_all(msgs, lens, out);
		t1 = rte_rdtsc();
		if (n == 0)
			goto done;
		series_add(&b->ctl.decode_cycles, (double)(t1 - t0) / (double)n);
	}
	rc = 0;
done:
	if (rc != 0)
		fprintf(stderr, "bench: sync_decode refused the messages it was made of\n");
	free(msgs);
	free(out);
	return rc;
}

/* ------------------------------------------------------------ install */

/* The record of level flow i, as the control core hands it over: an
 * established DR connection to real server i % BENCH_RS of the DR service
 * (counters slots 1 to BENCH_RS, level_setup). */
static struct fwd_sync record(uint32_t i)
{
	struct fwd_sync r = {
		.rs_stat = (uint16_t)(1 + i % BENCH_RS),
		.state = CONN_S_ESTABLISHED,
		.flags = (uint8_t)(CFG_FWD_DR << CONN_F_FWD_SHIFT) | CONN_F_ASSURED,
		.timeout_s = 900,
	};

	r.key = (struct conn_key){ .af = 4,
				   .proto = IPPROTO_TCP,
				   .sport = rte_cpu_to_be_16(client_port(i)),
				   .dport = rte_cpu_to_be_16(VPORT) };
	r.key.v4.src = rte_cpu_to_be_32(client_addr(i));
	r.key.v4.dst = rte_cpu_to_be_32(VIP_DR);
	return r;
}

/* Hands worker 0 the level's n records, a ring at a time, and times its
 * rounds. @return the cycles. */
static uint64_t install_pass(struct level *lv, struct rte_ring *ring)
{
	struct fwd_worker *w = lv->e.w[0];
	uint64_t cycles = 0;

	for (uint32_t i = 0; i < lv->n;) {
		while (i < lv->n && rte_ring_free_count(ring) > 0) {
			struct fwd_sync r = record(i);

			if (rte_ring_sp_enqueue_elem(ring, &r, sizeof(r)) != 0)
				break;
			i++;
		}
		while (!rte_ring_empty(ring)) {
			uint64_t t0 = rte_rdtsc();

			fwd_worker_poll(w);
			cycles += rte_rdtsc() - t0;
		}
	}
	return cycles;
}

/* Installs the level's n connections into an empty table, then the same
 * again; checks what the worker counted. */
static int install_run(struct level *lv, struct rte_ring *ring, struct bench_sync *s)
{
	const struct fwd_sync_stats before = lv->e.w[0]->sst;
	struct bench *b = lv->b;
	uint64_t c1, c2;

	if (level_empty(lv) != 0)
		return -1;
	if (b->cg)
		bench_cg_begin();
	c1 = install_pass(lv, ring);
	if (b->cg)
		bench_cg_end("sync-install", "connection", lv->n);
	c2 = install_pass(lv, ring);
	if (lv->e.w[0]->sst.installed - before.installed != lv->n ||
	    lv->e.w[0]->sst.refreshed - before.refreshed != lv->n || level_assured(lv) != lv->n) {
		fprintf(stderr,
			"bench: sync install: %" PRIu64 " installed, %" PRIu64
			" refreshed of %u, %u live\n",
			lv->e.w[0]->sst.installed - before.installed,
			lv->e.w[0]->sst.refreshed - before.refreshed, lv->n, level_live(lv));
		return -1;
	}
	series_add(&s->install, (double)c1 / lv->n);
	series_add(&s->refresh, (double)c2 / lv->n);
	return 0;
}

int sync_install_level(struct level *lv)
{
	struct bench *b = lv->b;
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *ring;
	struct bench_sync *s;
	/* millions of installs are their own average */
	const unsigned int runs = b->cg ? 1 : lv->n > 100000 ? 1 : b->o.runs;
	int rc = 0;

	if (!bench_wanted_name(b, "sync-install"))
		return 0;
	if (b->n_syncs == RTE_DIM(b->syncs))
		return -1;
	s = &b->syncs[b->n_syncs++];
	memset(s, 0, sizeof(*s));
	s->conns = lv->n;
	snprintf(name, sizeof(name), "bsi%u", lv->n);
	ring = rte_ring_create_elem(name, sizeof(struct fwd_sync), SYNC_RING, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ring == NULL)
		return -1;
	lv->e.w[0]->sync_in = ring;
	lv->e.env.n_workers = 1; /* a director of one worker */
	for (unsigned int r = 0; r < runs && rc == 0; r++)
		rc = install_run(lv, ring, s);
	lv->e.env.n_workers = PKTENV_WORKERS;
	lv->e.w[0]->sync_in = NULL;
	rte_ring_free(ring);
	if (rc == 0 && !b->cg)
		fprintf(stderr, "  %-20s %9u conns: %.0f cycles per install, %.0f per refresh\n",
			"sync-install", lv->n, series_median(&s->install),
			series_median(&s->refresh));
	return rc;
}
