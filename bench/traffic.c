/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Synthetic traffic through the worker's own round.
 *
 * Each worker owns RING_MBUFS mbufs, as a NIC owns its RX descriptors, and
 * cycles through them: fill a burst of frames (a template's headers with
 * the flow's addresses and ports, checksums patched), put it in the port's
 * RX ring, time fwd_worker_poll, take the sent frames back from the TX
 * rings. Frames that were not sent (dropped, or handed to the control core)
 * are anomalies: a healthy case has none, but for the legitimate ACKs a
 * flood's evictions made late, which are counted as such.
 *
 * Flows: client 198.18.0.0/15 (RFC 2544's benchmarking range), address and
 * port from the flow number; IPv6 (DR6) clients 2001:db8:c::/96, the low
 * 32 bits the IPv4 client's offset in 198.18.0.0/15. Established traffic
 * picks flows uniformly at random from the worker's own, the hardest
 * pattern for caches; new connections take fresh flow numbers; a flood's
 * sources are random in 100.64.0.0/10.
 *
 * NAT replies "across" (nat-reply-cross) arrive on the worker that does not
 * own their connection: it redirects them to the owner, whose round
 * forwards them. The frames then come out of the other worker's TX queue,
 * so across, each worker takes back what it sent for the other, and frames
 * are counted over the whole run, both workers drained at its end.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring_elem.h>
#include <rte_tcp.h>

#include "traffic.h"

#define LIFE_LAG   32 /* whole connections: ACK and FIN 32 connections apart */
#define CLIENT_NET PB_IP4(198, 18, 0, 0)

static const struct pb_mac MAC_GW = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

uint32_t rs_addr(unsigned int r)
{
	return PB_IP4(172, 17, 1, 10 + r);
}

void rs_addr6(unsigned int r, uint8_t *a)
{
	memcpy(a, PKTENV_DIP0_6, 16);
	a[15] = (uint8_t)(0x10 + r);
}

struct pb_mac rs_mac(unsigned int r)
{
	return (struct pb_mac){ { 0x02, 0x00, 0x00, 0x00, 0x01, (uint8_t)(0x10 + r) } };
}

uint32_t method_vip(enum method m)
{
	return m == M_DR ? VIP_DR : m == M_NAT ? VIP_NAT : m == M_TUN ? VIP_TUN : 0;
}

uint32_t client_addr(uint64_t flow)
{
	return CLIENT_NET + (uint32_t)(flow >> 14);
}

uint16_t client_port(uint64_t flow)
{
	return (uint16_t)(1024 + (flow & 0x3fff));
}

/* ------------------------------------------------------------ frames */

/* Simple IMIX, interleaved: 7 small, 4 medium, 1 large per 12 frames. */
static const uint8_t imix_class[12] = { 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1 };
static const uint8_t variant_flags[V_COUNT] = { PB_TH_SYN, PB_TH_ACK, PB_TH_FIN | PB_TH_ACK };

static void gen_templates(struct gen *g)
{
	/* TUN adds 20 bytes: its large frames stay within a 1500-byte MTU,
	 * as clients behind a TUN director learn to send. A "64-byte" IPv6
	 * frame is the smallest there is, a bare ACK of 74 bytes. */
	const bool v6 = g->m == M_DR6;
	const uint16_t hl = v6 ? HDR6_LEN : HDR_LEN;
	const uint16_t sizes[3] = { v6 ? HDR6_LEN : 60, 590,
				    (uint16_t)(g->m == M_TUN ? 1494 : 1514) };
	/* A 64-byte frame is a bare ACK or SYN padded to the minimum. */
	const uint16_t payload[3] = { 0, sizes[1] - hl, sizes[2] - hl };
	uint8_t buf[PB_FRAME_MAX];

	g->hdr_len = hl;
	for (unsigned int v = 0; v < V_COUNT; v++) {
		for (unsigned int s = 0; s < 3; s++) {
			struct pb_ip ip;
			struct pb_frame f;

			if (g->reply) {
				ip = pb_tcp(rs_addr(0), NAT_RPORT, client_addr(0), client_port(0),
					    variant_flags[v]);
				f = pb_eth(pktenv_port_mac[0], rs_mac(0), &ip);
			} else if (v6) {
				uint8_t client[16];

				memcpy(client, CLIENT6, 16);
				ip = pb_tcp6(client, client_port(0), VIP_DR6, VPORT,
					     variant_flags[v]);
				f = pb_eth(pktenv_port_mac[0], MAC_GW, &ip);
			} else {
				ip = pb_tcp(client_addr(0), client_port(0), g->vip, VPORT,
					    variant_flags[v]);
				f = pb_eth(pktenv_port_mac[0], MAC_GW, &ip);
			}
			f.ip.payload_len = payload[s];
			f.pad_to = sizes[s];
			if (pb_render(&f, buf, sizeof(buf)) != sizes[s])
				rte_panic("bench: template of %u bytes\n", sizes[s]);
			memcpy(g->hdr[v][s], buf, hl);
			g->len[s] = sizes[s];
		}
	}
}

struct gen gen_make(enum gen_kind kind, enum method m, bool reply, uint8_t variant, bool imix)
{
	struct gen g = { .kind = kind,
			 .m = m,
			 .vip = method_vip(m),
			 .reply = reply,
			 .variant = variant,
			 .imix = imix };

	gen_templates(&g);
	return g;
}

void gen_vip(struct gen *g, uint32_t vip)
{
	g->vip = vip;
	gen_templates(g);
}

/* One frame to make: its template and its client. */
struct pick {
	uint8_t v, s;
	uint32_t caddr;
	uint16_t cport;
	uint64_t j; /* the flow's index among its owner's (NAT replies' server) */
};

/* An IPv6 client's frame: the source address's low 32 bits and the source
 * port are p's (IPv6 has no header checksum). */
static inline void frame_fill6(uint8_t *d, const struct pick *p)
{
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(d + 14 + 40);
	const rte_be32_t a1 = rte_cpu_to_be_32(p->caddr - CLIENT_NET);
	const rte_be16_t p0 = rte_cpu_to_be_16(p->cport);
	rte_be32_t a0;

	memcpy(&a0, d + 14 + 8 + 12, 4);
	memcpy(d + 14 + 8 + 12, &a1, 4);
	tcp->cksum = pkt_csum_update32(tcp->cksum, a0, a1);
	tcp->cksum = pkt_csum_update16(tcp->cksum, tcp->src_port, p0);
	tcp->src_port = p0;
}

/* Writes the frame p into m, checksums patched. */
static inline void frame_fill(struct rte_mbuf *m, const struct gen *g, const struct pick *p)
{
	uint8_t *d;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	rte_be32_t a0, a1;
	rte_be16_t p0;

	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = g->len[p->s];
	m->pkt_len = g->len[p->s];
	m->ol_flags = 0;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(d, g->hdr[p->v][p->s], g->hdr_len);
	if (g->m == M_DR6) {
		frame_fill6(d, p);
		return;
	}
	ip = (struct rte_ipv4_hdr *)(d + 14);
	tcp = (struct rte_tcp_hdr *)(d + 34);
	a1 = rte_cpu_to_be_32(p->caddr);
	p0 = rte_cpu_to_be_16(p->cport);
	if (g->reply) {
		/* rr over the real servers, in the owner's flow order (how it
		 * filled the table): its j-th went to real server j % BENCH_RS. */
		unsigned int r = (unsigned int)(p->j % BENCH_RS);
		rte_be32_t rs = rte_cpu_to_be_32(rs_addr(r));

		memcpy(d + 6, rs_mac(r).b, 6);
		a0 = ip->src_addr;
		ip->src_addr = rs;
		tcp->cksum = pkt_csum_update32(tcp->cksum, a0, rs);
		a0 = ip->dst_addr;
		ip->dst_addr = a1;
		tcp->cksum = pkt_csum_update32(tcp->cksum, a0, a1);
		tcp->cksum = pkt_csum_update16(tcp->cksum, tcp->dst_port, p0);
		tcp->dst_port = p0;
	} else {
		a0 = ip->src_addr;
		ip->src_addr = a1;
		tcp->cksum = pkt_csum_update32(tcp->cksum, a0, a1);
		tcp->cksum = pkt_csum_update16(tcp->cksum, tcp->src_port, p0);
		tcp->src_port = p0;
	}
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* ------------------------------------------------------------ a worker */

/* A flood's legitimate SYN waiting for its ACK. */
struct pend {
	uint64_t due, flow;
};

struct wrun {
	struct bench *b;
	struct level *lv;
	uint16_t id;
	struct gen g;
	const struct run_opts *ro;
	uint64_t rng;
	bool verify;
	struct hwc hw;
	/* the mbufs not in a ring: a FIFO, so every one of them cycles */
	struct rte_mbuf *fifo[RING_MBUFS];
	unsigned int head, count;
	uint64_t seq, pos;
	uint64_t spare; /* G_LIFE: SYNs standing in for ACKs before the first */
	/* G_FLOOD: legitimate SYNs waiting for their ACK, and the next client */
	struct pend *pend;
	uint32_t pend_size, pend_head, pend_n;
	uint64_t syns, legit_next;
	/* results: rounds during which the OS switched the thread out
	 * (getrusage's context switches moved) are left out of the timing */
	uint64_t pkts, back, anomalies;
	uint64_t timed_pkts, timed_bytes, cycles;
	uint64_t rounds, skipped;
	uint64_t legit_syns, legit_acks, legit_done, sync_events;
	int err;
};

static atomic_int go, finished;

/* The times the OS has switched this thread out so far. */
static uint64_t context_switches(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s; /* xorshift64* */

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline struct rte_mbuf *fifo_pop(struct wrun *r)
{
	struct rte_mbuf *m = r->fifo[r->head];

	r->head = (r->head + 1) % RING_MBUFS;
	r->count--;
	return m;
}

/* Keeps m, or frees it when the FIFO is full (across, frames come back to
 * the worker that forwarded them, not to the one that sent them). */
static inline void fifo_push(struct wrun *r, struct rte_mbuf *m)
{
	if (r->count == RING_MBUFS) {
		rte_pktmbuf_free(m);
		return;
	}
	r->fifo[(r->head + r->count) % RING_MBUFS] = m;
	r->count++;
}

static int fifo_fill(struct wrun *r)
{
	while (r->count < RING_MBUFS) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(r->lv->e.base->pool);

		if (m == NULL)
			return -1;
		fifo_push(r, m);
	}
	return 0;
}

static void fifo_free(struct wrun *r)
{
	while (r->count > 0)
		rte_pktmbuf_free(fifo_pop(r));
}

/* -------------------------------------------------------- generators */

static void pick_flow(struct pick *p, uint64_t flow)
{
	p->caddr = client_addr(flow);
	p->cport = client_port(flow);
}

static void next_flows(struct wrun *r, struct pick *p)
{
	struct gen *g = &r->g;

	p->v = g->variant;
	p->j = g->sequential ? g->next++ : ((rng_next(&r->rng) >> 32) * g->n_own) >> 32;
	pick_flow(p, g->own != NULL ? g->own[p->j] : g->base + p->j);
}

/* A new NAT flow of two workers is one the worker owns (symmetric RSS). */
static void next_new(struct wrun *r, struct pick *p)
{
	const struct pktenv *e = &r->lv->e;
	uint64_t flow;

	p->v = V_SYN;
	p->j = 0;
	for (;;) {
		rte_be32_t a;

		flow = r->g.next++;
		if (r->g.m != M_NAT || e->env.n_workers == 1)
			break;
		a = rte_cpu_to_be_32(client_addr(flow));
		if (fwd_owner(&e->env, 4, &a, rte_cpu_to_be_16(client_port(flow))) == r->id)
			break;
	}
	pick_flow(p, flow);
}

/* Whole connections: position 3q is the SYN of connection q, 3q + 1 the
 * ACK of q - LIFE_LAG, 3q + 2 the FIN of q - 2 LIFE_LAG. */
static void next_life(struct wrun *r, struct pick *p)
{
	const uint64_t pos = r->g.next++, q = pos / 3, ph = pos % 3;
	const uint64_t first = LIFE_FLOWS + ((uint64_t)r->id << 27);

	p->j = 0;
	if (q < ph * LIFE_LAG) {
		p->v = V_SYN;
		pick_flow(p, first + (1ull << 26) + r->spare++);
		return;
	}
	p->v = (uint8_t)ph; /* V_SYN, V_ACK, V_FIN */
	pick_flow(p, first + q - ph * LIFE_LAG);
}

static void next_flood(struct wrun *r, struct pick *p)
{
	const struct gen *g = &r->g;

	p->j = 0;
	if (r->pend_n > 0 && r->pend[r->pend_head].due <= r->pos) {
		p->v = V_ACK;
		pick_flow(p, r->pend[r->pend_head].flow);
		r->pend_head = (r->pend_head + 1) % r->pend_size;
		r->pend_n--;
		r->legit_acks++;
		return;
	}
	p->v = V_SYN;
	if (g->legit_every > 0 && r->syns++ % (g->legit_every + 1) == g->legit_every &&
	    r->pend_n < r->pend_size) {
		uint64_t flow = r->legit_next++;

		r->pend[(r->pend_head + r->pend_n++) % r->pend_size] =
		    (struct pend){ .due = r->pos + g->legit_delay, .flow = flow };
		r->legit_syns++;
		pick_flow(p, flow);
		return;
	}
	{
		uint64_t x = rng_next(&r->rng);

		p->caddr = PB_IP4(100, 64, 0, 0) + (uint32_t)(x & 0x3fffff);
		p->cport = (uint16_t)(1024 + (x >> 32) % 64512);
	}
}

static inline void next_pick(struct wrun *r, struct pick *p)
{
	switch (r->g.kind) {
	case G_FLOWS:
		next_flows(r, p);
		break;
	case G_NEW:
		next_new(r, p);
		break;
	case G_LIFE:
		next_life(r, p);
		break;
	case G_FLOOD:
		next_flood(r, p);
		break;
	}
	p->s = r->g.imix ? imix_class[r->seq++ % RTE_DIM(imix_class)] : 0;
	r->pos++;
}

/* ------------------------------------------------------------ a round */

/* Checks a sent frame: every checksum right, sent to a real server's MAC
 * (or the gateway's, for NAT replies). */
static void verify_sent(struct wrun *r, struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	char err[128];
	bool mac_ok = false;

	if (r->g.reply) {
		mac_ok = memcmp(d, MAC_GW.b, 6) == 0;
	} else {
		for (unsigned int i = 0; i < BENCH_RS; i++)
			mac_ok |= memcmp(d, rs_mac(i).b, 6) == 0;
	}
	if (rte_pktmbuf_data_len(m) != rte_pktmbuf_pkt_len(m) ||
	    pb_verify(d, rte_pktmbuf_data_len(m), err, sizeof(err)) != 0 || !mac_ok) {
		fprintf(stderr, "bench: worker %u sent a wrong frame (%s)\n", r->id,
			mac_ok ? err : "destination MAC");
		pb_hexdump(stderr, "# ", d, rte_pktmbuf_data_len(m));
		r->err = -1;
	}
}

/* A flood's frame sent: an ACK is a legitimate handshake completed. */
static inline void flood_sent(struct wrun *r, const struct rte_mbuf *m)
{
	const uint8_t flags = rte_pktmbuf_mtod(m, const uint8_t *)[14 + 20 + 13];

	if ((flags & RTE_TCP_ACK_FLAG) && !(flags & RTE_TCP_SYN_FLAG))
		r->legit_done++;
}

/* Takes back what the round sent or handed over (n went in), and the sync
 * sender's records, as the control core would. */
static void take_back(struct wrun *r, unsigned int n)
{
	struct pktenv *e = &r->lv->e;
	struct rte_mbuf *m[FWD_BURST * 2];
	unsigned int got = 0, k;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		while ((k = rte_ring_sc_dequeue_burst(e->base->tx[p][r->id], (void **)m, RTE_DIM(m),
						      NULL)) > 0) {
			for (unsigned int i = 0; i < k; i++) {
				if (r->verify)
					verify_sent(r, m[i]);
				if (r->g.kind == G_FLOOD)
					flood_sent(r, m[i]);
				fifo_push(r, m[i]);
			}
			got += k;
		}
	}
	r->verify = false;
	/* Handed to the control core: not forwarded, but ours again. */
	while ((k = rte_ring_sc_dequeue_burst(e->w[r->id]->to_ctl, (void **)m, RTE_DIM(m), NULL)) >
	       0) {
		for (unsigned int i = 0; i < k; i++)
			fifo_push(r, m[i]);
		r->anomalies += k;
	}
	if (r->lv->sync_out[r->id] != NULL) {
		struct fwd_sync s[64];

		while ((k = rte_ring_sc_dequeue_burst_elem(r->lv->sync_out[r->id], s, sizeof(s[0]),
							   RTE_DIM(s), NULL)) > 0)
			r->sync_events += k;
	}
	r->back += got;
	if (!r->g.cross && got < n)
		r->anomalies += n - got;
	if (r->count < FWD_BURST && fifo_fill(r) != 0)
		r->err = -1;
}

/* One round: n (at most a burst) new frames into the RX ring if send, the
 * worker's round (timed), what it sent taken back. */
static void wrun_round(struct wrun *r, bool send)
{
	struct fwd_worker *w = r->lv->e.w[r->id];
	struct rte_ring *rx = r->lv->e.base->rx[0][r->id];
	const struct run_opts *ro = r->ro;
	struct rte_mbuf *burst[FWD_BURST];
	unsigned int n = 0;
	uint64_t t0, t1, bytes = 0, switches;
	uint32_t got;

	if (send)
		n = (unsigned int)RTE_MIN(RTE_MIN((uint64_t)FWD_BURST, r->count),
					  ro->target - r->pkts);
	for (unsigned int i = 0; i < n; i++) {
		struct pick p = { 0 };

		next_pick(r, &p);
		burst[i] = fifo_pop(r);
		frame_fill(burst[i], &r->g, &p);
		bytes += r->g.len[p.s];
	}
	if (n > 0 && rte_ring_sp_enqueue_burst(rx, (void **)burst, n, NULL) != n) {
		r->err = -1;
		return;
	}
	switches = r->b->o.keep_preempted ? 0 : context_switches();
	if (r->hw.any)
		hwc_enable(&r->hw);
	t0 = rte_rdtsc();
	got = fwd_worker_poll(w);
	t1 = rte_rdtsc();
	if (r->hw.any)
		hwc_disable(&r->hw);
	r->pkts += n;
	/* A round with work is timed: frames of its own, or (across) of the
	 * other worker's, redirected here. */
	if (n > 0 || got > 0) {
		r->rounds++;
		if (!r->b->o.keep_preempted && context_switches() != switches) {
			r->skipped++;
		} else {
			r->cycles += t1 - t0 > r->b->rdtsc_cost ? t1 - t0 - r->b->rdtsc_cost : 0;
			r->timed_pkts += n;
			r->timed_bytes += bytes;
		}
	}
	take_back(r, n);
}

/* Across, a worker sends while its frames' owner keeps up (a NIC's RX
 * queue would hold the excess instead of the redirect ring). */
static bool may_send(const struct wrun *r)
{
	const struct pktenv *e = &r->lv->e;

	if (r->pkts >= r->ro->target || r->err != 0)
		return false;
	return !r->g.cross ||
	       rte_ring_count(e->w[(r->id + 1) % r->ro->workers]->redirect) < 4 * FWD_BURST;
}

/* The worker's clock for the next round: moved by clock_step per round
 * (churn), or by the TSC (floods), or left. */
struct wclock {
	uint64_t base_ms, acc, tsc0;
};

static void wclock_tick(struct wrun *r, struct wclock *c)
{
	struct fwd_worker *w = r->lv->e.w[r->id];

	/* fwd_worker_clock: the data plane keeps its seconds apart */
	if (r->ro->clock_step != 0) {
		c->acc += r->ro->clock_step;
		fwd_worker_clock(w, c->base_ms + (c->acc >> 16));
	} else if (r->ro->realtime) {
		fwd_worker_clock(w, c->base_ms + (uint64_t)((double)(rte_rdtsc() - c->tsc0) * 1e3 /
							    r->b->tsc_hz));
	}
}

static void wrun_loop(struct wrun *r)
{
	struct wclock c = { .base_ms = r->lv->e.w[r->id]->now_ms, .tsc0 = rte_rdtsc() };

	while (r->pkts < r->ro->target && r->err == 0) {
		wclock_tick(r, &c);
		wrun_round(r, may_send(r));
	}
	/* Across, the other worker still needs this one to forward its frames. */
	atomic_fetch_add(&finished, 1);
	while (r->g.cross && r->err == 0 && atomic_load(&finished) < (int)r->ro->workers)
		wrun_round(r, false);
}

/* A worker is an RCU reader while it runs; one that has finished goes
 * offline, as a stopped worker thread does, so that the other's grace
 * periods do not wait for it. */
static int wrun_entry(void *arg)
{
	struct wrun *r = arg;
	struct rte_rcu_qsbr *qsbr = r->lv->e.env.qsbr;
	char why[128];

	while (atomic_load_explicit(&go, memory_order_acquire) == 0)
		rte_pause();
	if (r->ro->count_hw && !hwc_open(&r->hw, why, sizeof(why)))
		r->err = -1;
	rte_rcu_qsbr_thread_online(qsbr, r->id);
	wrun_loop(r);
	rte_rcu_qsbr_thread_offline(qsbr, r->id);
	return 0;
}

/* One thread runs every worker's rounds in turn (fewer lcores than
 * workers: the callgrind child). */
static void lockstep(struct wrun *r, unsigned int workers)
{
	struct wclock c[PKTENV_WORKERS];
	bool busy = true;

	for (unsigned int k = 0; k < workers; k++) {
		c[k] = (struct wclock){ .base_ms = r[k].lv->e.w[k]->now_ms, .tsc0 = rte_rdtsc() };
		rte_rcu_qsbr_thread_online(r[k].lv->e.env.qsbr, k);
	}
	while (busy) {
		busy = false;
		for (unsigned int k = 0; k < workers; k++) {
			busy |= r[k].pkts < r[k].ro->target && r[k].err == 0;
			wclock_tick(&r[k], &c[k]);
			wrun_round(&r[k], may_send(&r[k]));
		}
	}
}

/* Across: what is still in the redirect rings goes through its owner. */
static void drain_cross(struct wrun *r, unsigned int workers)
{
	uint64_t before, after = 0;

	do {
		before = after;
		after = 0;
		for (unsigned int k = 0; k < workers; k++) {
			wrun_round(&r[k], false);
			after += r[k].back;
		}
	} while (after != before);
}

static void wrun_init(struct wrun *r, struct level *lv, const struct gen *g,
		      const struct run_opts *ro, unsigned int k)
{
	const unsigned int workers = ro->workers;

	*r = (struct wrun){ .b = lv->b,
			    .lv = lv,
			    .id = (uint16_t)k,
			    .g = *g,
			    .ro = ro,
			    .rng = lv->seed++ * 0x9e3779b97f4a7c15ull + 1,
			    /* IMIX payloads are left as they are: their TCP
			     * checksums are not right */
			    .verify = ro->verify && !g->imix };
	for (unsigned int e = 0; e < HW_COUNT; e++)
		r->hw.fd[e] = -1;
	if (g->m == M_NAT && workers > 1) {
		/* across: the other worker's flows, that it owns */
		const unsigned int o = g->cross ? (k + 1) % workers : k;

		r->g.own = lv->own[o];
		r->g.n_own = lv->n_own[o];
	} else {
		r->g.base = (uint32_t)((uint64_t)g->n_flows * k / workers);
		r->g.n_own = (uint32_t)((uint64_t)g->n_flows * (k + 1) / workers) - r->g.base;
	}
	switch (g->kind) {
	case G_NEW:
		r->g.next = lv->next_new[k];
		break;
	case G_LIFE:
		r->g.next = lv->next_life[k];
		break;
	case G_FLOOD:
		r->legit_next = lv->next_legit[k];
		r->pend_size = (uint32_t)(g->legit_delay / (g->legit_every + 1) + 4);
		r->pend = calloc(r->pend_size, sizeof(*r->pend));
		if (r->pend == NULL)
			r->err = -1;
		break;
	default:
		break;
	}
}

/* Sums up a run's workers and gives the level back their state. */
static int wrun_finish(struct level *lv, struct wrun *r, unsigned int workers, struct result *res)
{
	uint64_t sent = 0, back = 0;
	int rc = 0;

	for (unsigned int k = 0; k < workers; k++) {
		double s = (double)r[k].cycles / lv->b->tsc_hz;

		res->pkts += r[k].timed_pkts;
		res->cycles += r[k].cycles;
		res->anomalies += r[k].anomalies;
		res->rounds += r[k].rounds;
		res->skipped += r[k].skipped;
		res->legit_syns += r[k].legit_syns;
		res->legit_acks += r[k].legit_acks;
		res->legit_done += r[k].legit_done;
		res->sync_events += r[k].sync_events;
		sent += r[k].pkts;
		back += r[k].back;
		res->sent += r[k].pkts;
		if (s > 0) {
			res->mpps_per_worker += (double)r[k].timed_pkts / s / 1e6 / workers;
			res->gbps_per_worker += (double)r[k].timed_bytes * 8 / s / 1e9 / workers;
		}
		if (r[k].hw.any) {
			uint64_t v[HW_COUNT];

			hwc_read(&r[k].hw, v);
			for (unsigned int e = 0; e < HW_COUNT; e++)
				res->hw[e] = v[e] == UINT64_MAX || res->hw[e] == UINT64_MAX
						 ? UINT64_MAX
						 : res->hw[e] + v[e];
			res->hw_counted = true;
		}
		hwc_close(&r[k].hw);
		if (r[k].err != 0)
			rc = -1;
		switch (r[k].g.kind) {
		case G_NEW:
			lv->next_new[k] = r[k].g.next;
			break;
		case G_LIFE:
			lv->next_life[k] = r[k].g.next;
			break;
		case G_FLOOD:
			lv->next_legit[k] = r[k].legit_next;
			break;
		default:
			break;
		}
		free(r[k].pend);
		fifo_free(&r[k]);
	}
	if (r[0].g.cross)
		res->anomalies += sent - back;
	/* A flood's late legitimate ACKs are dropped: that is what it shows. */
	if (r[0].g.kind == G_FLOOD) {
		const uint64_t late = res->legit_acks - res->legit_done;

		if (res->anomalies < late) {
			fprintf(stderr, "bench: %" PRIu64 " legitimate ACKs forwarded twice?\n",
				late - res->anomalies);
			rc = -1;
		}
		res->anomalies -= RTE_MIN(late, res->anomalies);
	}
	return rc;
}

int run_workers(struct level *lv, const struct gen *g, const struct run_opts *ro,
		struct result *res)
{
	struct bench *b = lv->b;
	const unsigned int workers = ro->workers;
	static struct wrun r[PKTENV_WORKERS];
	unsigned int lcore = rte_lcore_id();
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (workers > PKTENV_WORKERS || workers == 0 || (g->cross && workers < 2))
		return -1;
	for (unsigned int k = 0; k < workers; k++) {
		wrun_init(&r[k], lv, g, ro, k);
		if (fifo_fill(&r[k]) != 0)
			r[k].err = -1;
	}
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		rte_rcu_qsbr_thread_offline(b->base.qsbr, k);
	/* A director of this many workers: NAT's owners are among them. */
	lv->e.env.n_workers = (uint16_t)workers;
	atomic_store(&go, 0);
	atomic_store(&finished, 0);
	if (workers > b->n_lcores) {
		char why[128];

		for (unsigned int k = 0; k < workers; k++)
			if (ro->count_hw && !hwc_open(&r[k].hw, why, sizeof(why)))
				r[k].err = -1;
		lockstep(r, workers);
	} else {
		for (unsigned int k = 1; k < workers; k++) {
			lcore = rte_get_next_lcore(lcore, 1, 0);
			if (rte_eal_remote_launch(wrun_entry, &r[k], lcore) != 0)
				rc = -1;
		}
		atomic_store_explicit(&go, 1, memory_order_release);
		wrun_entry(&r[0]);
		rte_eal_mp_wait_lcore();
	}
	/* Between runs this thread is every worker's reader (pktenv). */
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		rte_rcu_qsbr_thread_online(b->base.qsbr, k);
	if (g->cross)
		drain_cross(r, workers);
	lv->e.env.n_workers = PKTENV_WORKERS;
	if (wrun_finish(lv, r, workers, res) != 0)
		rc = -1;
	/* The clocks moved separately: agree on the latest. */
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		if (lv->e.w[k]->now_ms > lv->e.now_ms)
			lv->e.now_ms = lv->e.w[k]->now_ms;
	pktenv_clock(&lv->e, lv->e.now_ms);
	return rc;
}
