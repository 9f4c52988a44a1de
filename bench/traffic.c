/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding cases: synthetic traffic through the worker's own round.
 *
 * Each worker owns RING_MBUFS mbufs, as a NIC owns its RX descriptors, and
 * cycles through them: fill a burst of frames (a template's headers with
 * the flow's addresses and ports, checksums patched), put it in the port's
 * RX ring, time fwd_worker_poll, take the sent frames back from the TX
 * rings. Frames that were not sent (dropped, or handed to the control core)
 * are anomalies: a healthy case has none.
 *
 * Flows: client 198.18.0.0/15 (RFC 2544's benchmarking range), address and
 * port from the flow number; IPv6 (DR6) clients 2001:db8:c::/96 with the
 * same low 32 bits. Established cases pick flows uniformly at
 * random from those in the table, the hardest pattern for caches; new
 * connections take fresh flow numbers.
 *
 * Steady state for new connections: a SYN makes a connection that lives
 * 60 s (SYN_RECV) and then expires through the worker's wheel. The fake
 * clock moves on by 60 s every N new connections, so N stay in the table
 * while each round inserts a burst's worth and the wheel expires as many:
 * the cost of a connection's whole life, not only its insert.
 */
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "bench.h"
#include "fwd_internal.h" /* fwd_conn_gone, for turning the wheels by hand */

#define VIP_DR     PB_IP4(172, 17, 100, 100)
#define VIP_NAT    PB_IP4(172, 17, 100, 101)
#define VIP_TUN    PB_IP4(172, 17, 100, 102)
#define VIP_DR6    PB_IP6(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x100)
#define CLIENT6    PB_IP6(0x2001, 0xdb8, 0xc, 0, 0, 0, 0, 0) /* low 32 bits: the client */
#define VPORT      80
#define NAT_RPORT  8080
#define CLIENT_NET PB_IP4(198, 18, 0, 0)
#define NEW_FLOWS  (1ull << 30) /* new flows are numbered from here */
#define RING_MBUFS 512          /* frames in flight per worker */
#define HDR_LEN    54           /* Ethernet, IPv4, TCP without options */
#define HDR6_LEN   74           /* Ethernet, IPv6, TCP without options */
#define SYN_RECV_S 60           /* how long a SYN's connection lives */
#define FILL_CHUNK 16384u       /* flows a worker opens and establishes at a time */

static const struct pb_mac MAC_GW = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static const char *const case_names[BC_COUNT] = {
	[BC_DR_EST] = "dr-established", [BC_DR_NEW] = "dr-new",
	[BC_NAT_REQ] = "nat-request",   [BC_NAT_REP] = "nat-reply",
	[BC_TUN] = "tun-established",   [BC_DR6_EST] = "dr6-established",
	[BC_DR6_NEW] = "dr6-new",
};

const char *bench_case_name(enum bench_case c)
{
	return c < BC_COUNT ? case_names[c] : "?";
}

const char *bench_frames_name(enum bench_frames f)
{
	return f == BF_64 ? "64" : "imix";
}

static uint32_t rs_addr(unsigned int r)
{
	return PB_IP4(172, 17, 1, 10 + r);
}

/* IPv6 real servers, on port 0's link (2001:db8:17::/64) */
static void rs_addr6(unsigned int r, uint8_t *a)
{
	memcpy(a, PKTENV_DIP0_6, 16);
	a[15] = (uint8_t)(0x10 + r);
}

static struct pb_mac rs_mac(unsigned int r)
{
	return (struct pb_mac){ { 0x02, 0x00, 0x00, 0x00, 0x01, (uint8_t)(0x10 + r) } };
}

static inline uint32_t client_addr(uint64_t flow)
{
	return CLIENT_NET + (uint32_t)(flow >> 14);
}

static inline uint16_t client_port(uint64_t flow)
{
	return (uint16_t)(1024 + (flow & 0x3fff));
}

/* ------------------------------------------------------------ frames */

/* Simple IMIX, interleaved: 7 small, 4 medium, 1 large per 12 frames. */
static const uint8_t imix_class[12] = { 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 0, 1 };

enum method { M_DR, M_NAT, M_TUN, M_DR6, M_COUNT };

/* What a worker sends. */
struct gen {
	enum method m;
	bool reply;        /* NAT: real server -> client */
	uint8_t tcp_flags; /* PB_TH_SYN or PB_TH_ACK */
	bool imix;
	bool sequential; /* this worker's flows in order (else at random) */
	uint64_t next;   /* sequential: the index of the next; new flows: the flow */
	uint32_t n_flows;
	/* this worker's flows, as RSS would give each worker its own: the
	 * flows own[0..n_own) when own is set (NAT: the flows whose clients
	 * the worker owns), else base..base + n_own (a contiguous range, since
	 * the connections of one worker are its own memory in a real director,
	 * never interleaved with another worker's) */
	const uint32_t *own;
	uint32_t base, n_own;
	/* the templates of the three frame sizes */
	uint8_t hdr[3][HDR6_LEN];
	uint16_t len[3];
	uint16_t hdr_len;
};

static const char *const method_name[M_COUNT] = { "DR", "NAT", "TUN", "DR6" };

static uint32_t method_vip(enum method m)
{
	return m == M_DR ? VIP_DR : m == M_NAT ? VIP_NAT : VIP_TUN;
}

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
	for (unsigned int s = 0; s < 3; s++) {
		struct pb_ip ip;
		struct pb_frame f;

		if (g->reply) {
			ip = pb_tcp(rs_addr(0), NAT_RPORT, client_addr(0), client_port(0),
				    g->tcp_flags);
			f = pb_eth(pktenv_port_mac[0], rs_mac(0), &ip);
		} else if (v6) {
			uint8_t client[16];

			memcpy(client, CLIENT6, 16);
			ip = pb_tcp6(client, client_port(0), VIP_DR6, VPORT, g->tcp_flags);
			f = pb_eth(pktenv_port_mac[0], MAC_GW, &ip);
		} else {
			ip = pb_tcp(client_addr(0), client_port(0), method_vip(g->m), VPORT,
				    g->tcp_flags);
			f = pb_eth(pktenv_port_mac[0], MAC_GW, &ip);
		}
		f.ip.payload_len = payload[s];
		f.pad_to = sizes[s];
		if (pb_render(&f, buf, sizeof(buf)) != sizes[s])
			rte_panic("bench: template of %u bytes\n", sizes[s]);
		memcpy(g->hdr[s], buf, hl);
		g->len[s] = sizes[s];
	}
}

/* An IPv6 client's frame: the source address's low 32 bits and the source
 * port are the flow's (IPv6 has no header checksum). */
static inline void frame_fill6(uint8_t *d, uint64_t flow)
{
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(d + 14 + 40);
	const rte_be32_t a1 = rte_cpu_to_be_32(client_addr(flow) - CLIENT_NET);
	const rte_be16_t p0 = rte_cpu_to_be_16(client_port(flow));
	rte_be32_t a0;

	memcpy(&a0, d + 14 + 8 + 12, 4);
	memcpy(d + 14 + 8 + 12, &a1, 4);
	tcp->cksum = pkt_csum_update32(tcp->cksum, a0, a1);
	tcp->cksum = pkt_csum_update16(tcp->cksum, tcp->src_port, p0);
	tcp->src_port = p0;
}

/* Writes the frame of flow into m (template s), checksums patched; the
 * flow is the j-th of its worker's. */
static inline void frame_fill(struct rte_mbuf *m, const struct gen *g, unsigned int s,
			      uint64_t flow, uint64_t j)
{
	uint8_t *d;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *tcp;
	rte_be32_t a0, a1;
	rte_be16_t p0;

	m->data_off = RTE_PKTMBUF_HEADROOM;
	m->data_len = g->len[s];
	m->pkt_len = g->len[s];
	m->ol_flags = 0;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(d, g->hdr[s], g->hdr_len);
	if (g->m == M_DR6) {
		frame_fill6(d, flow);
		return;
	}
	ip = (struct rte_ipv4_hdr *)(d + 14);
	tcp = (struct rte_tcp_hdr *)(d + 34);
	a1 = rte_cpu_to_be_32(client_addr(flow));
	p0 = rte_cpu_to_be_16(client_port(flow));
	if (g->reply) {
		/* rr over the real servers, in the worker's flow order (how it
		 * filled the table): its j-th went to real server j % BENCH_RS. */
		unsigned int r = (unsigned int)(j % BENCH_RS);
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

struct wrun {
	struct bench *b;
	struct pktenv *e;
	uint16_t id;
	struct gen g;
	uint64_t target;     /* packets */
	uint64_t clock_step; /* ms per round, 16.16 fixed point (new conns) */
	uint64_t rng;
	bool verify; /* check the first burst's output frames */
	/* the mbufs not in a ring: a FIFO, so every one of them cycles */
	struct rte_mbuf *fifo[RING_MBUFS];
	unsigned int head, count;
	uint64_t seq;
	/* results: rounds during which the OS switched the thread out
	 * (getrusage's context switches moved) are left out of the timing */
	uint64_t pkts, anomalies;
	uint64_t timed_pkts, timed_bytes, cycles;
	uint64_t rounds, skipped;
	int err;
};

static atomic_int go;

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

static inline void fifo_push(struct wrun *r, struct rte_mbuf *m)
{
	r->fifo[(r->head + r->count) % RING_MBUFS] = m;
	r->count++;
}

static int fifo_fill(struct wrun *r)
{
	while (r->count < RING_MBUFS) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(r->e->base->pool);

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

/* The next flow to send, and its index j among the worker's. */
static inline uint64_t next_flow(struct wrun *r, uint64_t *j)
{
	const struct gen *g = &r->g;

	if (g->next >= NEW_FLOWS) {
		*j = 0;
		return r->g.next++;
	}
	*j = g->sequential ? r->g.next++ : ((rng_next(&r->rng) >> 32) * g->n_own) >> 32;
	return g->own != NULL ? g->own[*j] : g->base + *j;
}

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

/* Takes back what the round sent or handed over; n went in. */
static void take_back(struct wrun *r, unsigned int n)
{
	struct rte_mbuf *m[FWD_BURST * 2];
	unsigned int got = 0, k;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		while ((k = rte_ring_sc_dequeue_burst(r->e->base->tx[p][r->id], (void **)m,
						      RTE_DIM(m), NULL)) > 0) {
			for (unsigned int i = 0; i < k; i++) {
				if (r->verify)
					verify_sent(r, m[i]);
				fifo_push(r, m[i]);
			}
			got += k;
		}
	}
	r->verify = false;
	/* Handed to the control core: not forwarded, but ours again. */
	while ((k = rte_ring_sc_dequeue_burst(r->e->w[r->id]->to_ctl, (void **)m, RTE_DIM(m),
					      NULL)) > 0) {
		for (unsigned int i = 0; i < k; i++)
			fifo_push(r, m[i]);
		r->anomalies += k;
	}
	if (got < n) {
		r->anomalies += n - got;
		if (fifo_fill(r) != 0)
			r->err = -1;
	}
}

static void wrun_loop(struct wrun *r)
{
	struct fwd_worker *w = r->e->w[r->id];
	struct rte_ring *rx = r->e->base->rx[0][r->id];
	const uint64_t cost = r->b->rdtsc_cost;
	const bool keep_all = r->b->o.keep_preempted;
	const uint64_t base_ms = w->now_ms;
	uint64_t clock = 0;
	struct rte_mbuf *burst[FWD_BURST];

	while (r->pkts < r->target && r->err == 0) {
		unsigned int n = (unsigned int)RTE_MIN(RTE_MIN((uint64_t)FWD_BURST, r->count),
						       r->target - r->pkts);
		uint64_t t0, t1, bytes = 0, switches;
		uint32_t got;

		for (unsigned int i = 0; i < n; i++) {
			unsigned int s = r->g.imix ? imix_class[r->seq++ % RTE_DIM(imix_class)] : 0;
			uint64_t j, flow = next_flow(r, &j);

			burst[i] = fifo_pop(r);
			frame_fill(burst[i], &r->g, s, flow, j);
			bytes += r->g.len[s];
		}
		if (rte_ring_sp_enqueue_burst(rx, (void **)burst, n, NULL) != n) {
			r->err = -1;
			break;
		}
		if (r->clock_step != 0) {
			clock += r->clock_step;
			fwd_worker_clock(w, base_ms + (clock >> 16));
		}
		switches = keep_all ? 0 : context_switches();
		t0 = rte_rdtsc();
		got = fwd_worker_poll(w);
		t1 = rte_rdtsc();
		r->pkts += got;
		r->rounds++;
		if (!keep_all && context_switches() != switches) {
			r->skipped++;
		} else {
			r->cycles += t1 - t0 > cost ? t1 - t0 - cost : 0;
			r->timed_pkts += got;
			r->timed_bytes += bytes;
		}
		take_back(r, n);
	}
}

/* A worker is an RCU reader while it runs; one that has finished goes
 * offline, as a stopped worker thread does, so that the other's grace
 * periods do not wait for it. */
static int wrun_entry(void *arg)
{
	struct wrun *r = arg;
	struct rte_rcu_qsbr *qsbr = r->e->env.qsbr;

	while (atomic_load_explicit(&go, memory_order_acquire) == 0)
		rte_pause();
	rte_rcu_qsbr_thread_online(qsbr, r->id);
	wrun_loop(r);
	rte_rcu_qsbr_thread_offline(qsbr, r->id);
	return 0;
}

/* ------------------------------------------------------------- a level */

struct level {
	struct bench *b;
	struct pktenv e;
	uint32_t n; /* connections in the table */
	uint64_t seed;
	uint64_t next_new[RTE_MAX_LCORE]; /* per worker: its next new flow */
	/* The worker count the table was filled for, and with two, the
	 * flows of [0, n) whose NAT connections each worker owns. */
	unsigned int filled_for;
	uint32_t *own[PKTENV_WORKERS];
	uint32_t n_own[PKTENV_WORKERS];
};

struct result {
	uint64_t pkts, cycles, anomalies, rounds, skipped;
	double mpps_per_worker, gbps_per_worker;
};

/*
 * Runs workers (1 or 2) on generator g for target packets each and sums up.
 * Worker 0 is this thread; worker 1 the next lcore. With one worker the
 * other's RCU reader is offline, as a stopped worker's would be.
 */
static int run_workers(struct level *lv, const struct gen *g, unsigned int workers, uint64_t target,
		       uint64_t clock_step, bool verify, struct result *res)
{
	struct bench *b = lv->b;
	struct wrun r[PKTENV_WORKERS];
	unsigned int lcore = rte_lcore_id();
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (workers > PKTENV_WORKERS || workers > b->n_lcores)
		return -1;
	for (unsigned int k = 0; k < workers; k++) {
		r[k] = (struct wrun){ .b = b,
				      .e = &lv->e,
				      .id = (uint16_t)k,
				      .g = *g,
				      .target = target,
				      .clock_step = clock_step,
				      .rng = lv->seed++ * 0x9e3779b97f4a7c15ull + 1,
				      /* IMIX payloads are left as they are:
				       * their TCP checksums are not right */
				      .verify = verify && !g->imix };
		if (g->m == M_NAT && workers > 1) {
			r[k].g.own = lv->own[k];
			r[k].g.n_own = lv->n_own[k];
		} else {
			r[k].g.base = (uint32_t)((uint64_t)g->n_flows * k / workers);
			r[k].g.n_own =
			    (uint32_t)((uint64_t)g->n_flows * (k + 1) / workers) - r[k].g.base;
		}
		if (g->sequential && g->tcp_flags == PB_TH_SYN && g->next >= NEW_FLOWS) {
			r[k].g.next = lv->next_new[k];
			lv->next_new[k] += target;
		}
		if (fifo_fill(&r[k]) != 0)
			return -1;
	}
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		rte_rcu_qsbr_thread_offline(b->base.qsbr, k);
	/* A director of this many workers: NAT's owners are among them. */
	lv->e.env.n_workers = (uint16_t)workers;
	atomic_store(&go, 0);
	for (unsigned int k = 1; k < workers; k++) {
		lcore = rte_get_next_lcore(lcore, 1, 0);
		if (rte_eal_remote_launch(wrun_entry, &r[k], lcore) != 0)
			rc = -1;
	}
	atomic_store_explicit(&go, 1, memory_order_release);
	wrun_entry(&r[0]);
	rte_eal_mp_wait_lcore();
	lv->e.env.n_workers = PKTENV_WORKERS;
	/* Between runs this thread is every worker's reader (pktenv). */
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		rte_rcu_qsbr_thread_online(b->base.qsbr, k);

	for (unsigned int k = 0; k < workers; k++) {
		double s = (double)r[k].cycles / b->tsc_hz;

		res->pkts += r[k].timed_pkts;
		res->cycles += r[k].cycles;
		res->anomalies += r[k].anomalies;
		res->rounds += r[k].rounds;
		res->skipped += r[k].skipped;
		if (s > 0) {
			res->mpps_per_worker += (double)r[k].timed_pkts / s / 1e6 / workers;
			res->gbps_per_worker += (double)r[k].timed_bytes * 8 / s / 1e9 / workers;
		}
		if (r[k].err != 0)
			rc = -1;
		fifo_free(&r[k]);
	}
	/* The clocks moved separately (new connections): agree on the latest. */
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		if (lv->e.w[k]->now_ms > lv->e.now_ms)
			lv->e.now_ms = lv->e.w[k]->now_ms;
	pktenv_clock(&lv->e, lv->e.now_ms);
	return rc;
}

static struct gen gen_make(enum method m, bool reply, uint8_t flags, bool imix)
{
	struct gen g = { .m = m, .reply = reply, .tcp_flags = flags, .imix = imix };

	gen_templates(&g);
	return g;
}

/* The IPv6 DR service (stat slots from *stat on): BENCH_RS real servers on
 * port 0's link, dr_sched as DR's. */
static int level_setup6(struct level *lv, enum cfg_sched dr_sched, struct svc_spec *spec,
			struct svc_spec_rs *rs, uint32_t *stat)
{
	struct pktenv *e = &lv->e;
	const uint32_t svc_stat = *stat + BENCH_RS + 1;

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
	}
	*spec = (struct svc_spec){ .vport = VPORT,
				   .proto = IPPROTO_TCP,
				   .af = 6,
				   .fwd = CFG_FWD_DR,
				   .sched = dr_sched,
				   .persist_mask = 0xffffffffu,
				   .stat = ++*stat,
				   .owned = true,
				   .rs = rs,
				   .n_rs = BENCH_RS };
	memcpy(spec->vip6, VIP_DR6, 16);
	return 0;
}

/* The services and neighbours of every level: one service per method, each
 * with BENCH_RS real servers on port 0's link. */
static int level_setup(struct level *lv, enum cfg_sched dr_sched)
{
	struct pktenv *e = &lv->e;
	struct svc_spec specs[M_COUNT];
	struct svc_spec_rs rs[M_COUNT][BENCH_RS];
	struct svc_spec_addr addrs[M_COUNT + 4];
	const enum method ms[3] = { M_DR, M_NAT, M_TUN };
	uint32_t stat = 0;
	unsigned int n_addrs = 0;

	if (pktenv_neigh_learn(e, PKTENV_GW, MAC_GW) < 0)
		return -1;
	for (unsigned int i = 0; i < BENCH_RS; i++)
		if (pktenv_neigh_learn(e, rs_addr(i), rs_mac(i)) < 0)
			return -1;
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP0, SVC_AF_LOCAL };
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP0B, SVC_AF_LOCAL };
	addrs[n_addrs++] = (struct svc_spec_addr){ PKTENV_DIP1, SVC_AF_LOCAL };
	addrs[n_addrs] = (struct svc_spec_addr){ .flags = SVC_AF_LOCAL, .af = 6 };
	memcpy(addrs[n_addrs++].addr6, PKTENV_DIP0_6, 16);
	for (unsigned int s = 0; s < 3; s++) {
		const uint32_t svc_stat = stat + BENCH_RS + 1;

		for (unsigned int i = 0; i < BENCH_RS; i++) {
			pktenv_dest(e, stat + 1, rs_addr(i), ms[s] == M_NAT ? NAT_RPORT : VPORT,
				    svc_stat);
			rs[s][i] = (struct svc_spec_rs){
				.addr = rs_addr(i),
				.port = ms[s] == M_NAT ? NAT_RPORT : VPORT,
				.weight = 1,
				.available = true,
				.stat = ++stat,
				.neigh = neigh_find4(e->env.neigh, rte_cpu_to_be_32(rs_addr(i))),
				.nexthop = rs_addr(i),
				.out_port = 0,
			};
		}
		specs[s] = (struct svc_spec){ .vip = method_vip(ms[s]),
					      .vport = VPORT,
					      .proto = IPPROTO_TCP,
					      .fwd = ms[s] == M_DR    ? CFG_FWD_DR
						     : ms[s] == M_NAT ? CFG_FWD_NAT
								      : CFG_FWD_TUN,
					      /* NAT replies are made knowing rr's order */
					      .sched = ms[s] == M_DR ? dr_sched : CFG_SCHED_RR,
					      .persist_mask = 0xffffffffu,
					      .stat = ++stat, /* == svc_stat */
					      .owned = true,
					      .rs = rs[s],
					      .n_rs = BENCH_RS };
		addrs[n_addrs++] =
		    (struct svc_spec_addr){ method_vip(ms[s]),
					    SVC_AF_VIP | SVC_AF_OWNED | SVC_AF_SERVICE };
	}
	if (level_setup6(lv, dr_sched, &specs[M_DR6], rs[M_DR6], &stat) != 0)
		return -1;
	addrs[n_addrs] =
	    (struct svc_spec_addr){ .flags = SVC_AF_VIP | SVC_AF_OWNED | SVC_AF_SERVICE, .af = 6 };
	memcpy(addrs[n_addrs++].addr6, VIP_DR6, 16);
	/* Services republished unchanged keep their scheduler's state; the
	 * services-free snapshot in between makes rr start over. */
	if (pktenv_publish(e, specs, 0, addrs, n_addrs) != 0)
		return -1;
	return pktenv_publish(e, specs, M_COUNT, addrs, n_addrs);
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

static uint32_t level_live(const struct level *lv)
{
	uint32_t n = 0;

	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		n += conn_table_stats(lv->e.w[i]->conns)->live;
	return n;
}

/* Why frames were not forwarded: the workers' counters so far. */
static void report_losses(const struct level *lv)
{
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++) {
		const struct fwd_stats *st = &lv->e.w[k]->st;

		const struct conn_table_stats *ct = conn_table_stats(lv->e.w[k]->conns);

		fprintf(stderr, "  worker %u: to control %" PRIu64 ", to kernel %" PRIu64, k,
			st->to_control, st->to_kernel);
		for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
			if (st->drops[d] != 0)
				fprintf(stderr, ", %s %" PRIu64, fwd_drop_name(d), st->drops[d]);
		for (unsigned int d = 0; d < CONN_REASON_COUNT; d++)
			if (ct->reasons[d] != 0)
				fprintf(stderr, ", %s %" PRIu64, conn_reason_name(d),
					ct->reasons[d]);
		fputc('\n', stderr);
	}
}

/* Fills the table with flows [0, n) of method m, each of `workers` workers
 * its own: SYNs (timed: the fill rate), then ACKs so that every connection
 * is established, FILL_CHUNK flows a worker at a time. (All the SYNs
 * first would make a table of half-open connections, which the table's
 * defences thin out where buckets crowd, as they would under a SYN flood.) */
static int level_fill(struct level *lv, enum method m, unsigned int workers, double *per_s)
{
	const uint32_t before = level_live(lv), per_worker = lv->n / workers;
	struct result res = { 0 };
	uint64_t pkts = 0, cycles = 0;

	/* New services: rr starts at the first server, as the reply
	 * generator expects (the j-th flow of a worker went to j % BENCH_RS). */
	if (level_setup(lv, lv->b->o.new_sched) != 0)
		goto fail;
	for (uint32_t off = 0; off < per_worker; off += FILL_CHUNK) {
		for (unsigned int ack = 0; ack < 2; ack++) {
			struct gen g = gen_make(m, false, ack ? PB_TH_ACK : PB_TH_SYN, false);

			g.sequential = true;
			g.n_flows = lv->n;
			g.next = off;
			if (run_workers(lv, &g, workers, RTE_MIN(FILL_CHUNK, per_worker - off), 0,
					off == 0 && !ack, &res) != 0 ||
			    res.anomalies != 0)
				goto fail;
			pkts += ack ? 0 : res.pkts;
			cycles += ack ? 0 : res.cycles;
		}
	}
	*per_s = cycles ? (double)pkts * lv->b->tsc_hz / (double)cycles : 0;
	if (level_live(lv) != before + lv->n)
		goto fail;
	lv->filled_for = workers;
	return 0;
fail:
	fprintf(stderr,
		"bench: filling %u connections (%s) failed: %" PRIu64
		" frames not forwarded, %u connections live\n",
		lv->n, method_name[m], res.anomalies, level_live(lv));
	report_losses(lv);
	return -1;
}

static bool wanted(const struct bench *b, enum bench_case c)
{
	return b->o.only == NULL || strstr(bench_case_name(c), b->o.only) != NULL;
}

/* One row: a warm-up, then the runs. */
static int row_run(struct level *lv, struct bench_row *row, const struct gen *g,
		   uint64_t clock_step)
{
	struct bench *b = lv->b;
	struct result res;

	if (run_workers(lv, g, row->workers, b->o.packets / 4 + 1, clock_step, true, &res) != 0)
		return -1;
	for (unsigned int i = 0; i < b->o.runs; i++) {
		if (run_workers(lv, g, row->workers, b->o.packets, clock_step, false, &res) != 0)
			return -1;
		series_add(&row->mpps, res.mpps_per_worker);
		series_add(&row->gbps, res.gbps_per_worker);
		series_add(&row->cycles, res.pkts ? (double)res.cycles / (double)res.pkts : 0);
		row->packets += res.pkts;
		row->anomalies += res.anomalies;
		row->rounds += res.rounds;
		row->skipped += res.skipped;
	}
	if (row->anomalies != 0)
		report_losses(lv);
	fprintf(stderr, "  %-16s %-4s %9u conns %u worker%s %7.2f Mpps/worker %7.1f cycles/pkt\n",
		bench_case_name(row->c), bench_frames_name(row->frames), row->conns, row->workers,
		row->workers > 1 ? "s" : " ", series_median(&row->mpps),
		series_median(&row->cycles));
	return row->anomalies == 0 ? 0 : -1;
}

static struct bench_row *row_new(struct bench *b, enum bench_case c, enum bench_frames f,
				 uint32_t conns, unsigned int workers)
{
	struct bench_row *row;

	if (b->n_rows == RTE_DIM(b->rows))
		return NULL;
	row = &b->rows[b->n_rows++];
	*row = (struct bench_row){ .c = c, .frames = f, .conns = conns, .workers = workers };
	return row;
}

static int level_empty(struct level *lv);
static int level_setup(struct level *lv, enum cfg_sched dr_sched);

/* The table filled with method m's n connections, each of `workers` its
 * own share, as the rows of that worker count need it. */
static int level_ready(struct level *lv, enum method m, unsigned int workers)
{
	double ignored;

	if (lv->filled_for == workers)
		return 0;
	if (level_empty(lv) != 0)
		return -1;
	return level_fill(lv, m, workers, &ignored);
}

/* The established cases of a method: 64-byte and IMIX, each worker count. */
static int level_established(struct level *lv, enum bench_case c, enum method m, bool reply)
{
	struct bench *b = lv->b;

	if (!wanted(b, c))
		return 0;
	for (unsigned int wk = 1; wk <= b->o.max_workers; wk++) {
		if (level_ready(lv, m, wk) != 0)
			return -1;
		for (unsigned int f = 0; f < BF_COUNT; f++) {
			struct gen g = gen_make(m, reply, PB_TH_ACK, f == BF_IMIX);
			struct bench_row *row = row_new(b, c, f, lv->n, wk);

			g.n_flows = lv->n;
			if (row == NULL || row_run(lv, row, &g, 0) != 0)
				return -1;
		}
	}
	return 0;
}

/* The clock step that keeps n connections of SYN_RECV_S alive while each
 * of workers inserts a burst per round: 16.16 ms per round. */
static uint64_t churn_step(uint32_t n, unsigned int workers)
{
	return ((uint64_t)SYN_RECV_S * 1000 << 16) * FWD_BURST * workers / n;
}

/* Expires every connection (the longest timeout is ESTABLISHED's 900 s).
 * @return 0 when the table is empty. */
static int level_empty(struct level *lv)
{
	const uint32_t live = level_live(lv);
	const uint64_t t0 = rte_rdtsc();

	pktenv_clock(&lv->e, lv->e.now_ms + 901 * 1000);
	level_expire(lv);
	lv->filled_for = 0;
	fprintf(stderr, "  expired %u connections in %.2f s\n", live,
		(double)(rte_rdtsc() - t0) / lv->b->tsc_hz);
	if (level_live(lv) != 0) {
		fprintf(stderr, "bench: %u connections outlived their timeout\n", level_live(lv));
		return -1;
	}
	return 0;
}

/* New connections at a steady n (case c, method m: DR or DR6): for each
 * worker count, the table is emptied, the workers ramp the SYN_RECV
 * population up to n, then the runs keep it there. */
static int level_new(struct level *lv, enum bench_case c, enum method m)
{
	struct bench *b = lv->b;
	struct gen g = gen_make(m, false, PB_TH_SYN, false);
	struct result res;

	if (!wanted(b, c))
		return 0;
	g.sequential = true;
	g.next = NEW_FLOWS;
	for (unsigned int wk = 1; wk <= b->o.max_workers; wk++) {
		struct bench_row *row = row_new(b, c, BF_64, lv->n, wk);
		uint64_t ramp = (lv->n + lv->n / 16) / wk;

		if (row == NULL || level_empty(lv) != 0)
			return -1;
		if (run_workers(lv, &g, wk, ramp, churn_step(lv->n, wk), false, &res) != 0 ||
		    res.anomalies != 0 || row_run(lv, row, &g, churn_step(lv->n, wk)) != 0)
			return -1;
	}
	return 0;
}

static void level_close(struct level *lv)
{
	pktenv_close(&lv->e);
	for (unsigned int k = 0; k < PKTENV_WORKERS; k++)
		free(lv->own[k]);
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

/* A level of n connections; a table of capacity for IPv4 and capacity6 for
 * IPv6 (the families' tables are apart, as in halb). */
static int level_open(struct level *lv, struct bench *b, uint32_t n, uint32_t capacity,
		      uint32_t capacity6)
{
	memset(lv, 0, sizeof(*lv));
	lv->b = b;
	lv->n = n;
	lv->seed = 1;
	for (unsigned int k = 0; k < RTE_MAX_LCORE; k++)
		lv->next_new[k] = NEW_FLOWS + ((uint64_t)k << 29);
	/* No embryonic budget: the new-connection cases measure a
	 * connection's whole life, not its eviction. Each worker's table is
	 * of the whole capacity: a one-worker row puts every connection of
	 * the level in worker 0's. */
	b->base.conns6 = capacity6 * PKTENV_WORKERS;
	if (pktenv_open(&lv->e, &b->base, capacity * PKTENV_WORKERS, 0) != 0)
		return -1;
	if (level_setup(lv, b->o.new_sched) != 0 || level_owners(lv) != 0) {
		level_close(lv);
		return -1;
	}
	return 0;
}

/* The table holds n connections, and room for the churn's slack. */
static uint32_t level_capacity(uint32_t n)
{
	return n + n / 8 + 65536;
}

static int method_run(struct bench *b, struct bench_level *bl, enum method m)
{
	struct level *lv = malloc(sizeof(*lv));
	int rc = -1;

	/* an IPv6 level holds its connections in the IPv6 table */
	if (lv == NULL || level_open(lv, b, bl->conns, m == M_DR6 ? 1024 : bl->capacity,
				     m == M_DR6 ? bl->capacity : 0) != 0) {
		free(lv);
		return -1;
	}
	if (level_fill(lv, m, 1, &bl->fill_per_s[m]) != 0)
		goto out;
	bl->fill_packets = bl->conns;
	switch (m) {
	case M_DR:
		rc = level_established(lv, BC_DR_EST, M_DR, false);
		if (rc == 0)
			rc = level_new(lv, BC_DR_NEW, M_DR);
		break;
	case M_DR6:
		rc = level_established(lv, BC_DR6_EST, M_DR6, false);
		if (rc == 0)
			rc = level_new(lv, BC_DR6_NEW, M_DR6);
		break;
	case M_COUNT:
		break;
	case M_NAT:
		rc = level_established(lv, BC_NAT_REQ, M_NAT, false);
		if (rc == 0)
			rc = level_established(lv, BC_NAT_REP, M_NAT, true);
		break;
	case M_TUN:
		rc = level_established(lv, BC_TUN, M_TUN, false);
		break;
	}
out:
	level_close(lv);
	free(lv);
	return rc;
}

int bench_level_run(struct bench *b, struct bench_level *bl)
{
	const bool any[M_COUNT] = { wanted(b, BC_DR_EST) || wanted(b, BC_DR_NEW),
				    wanted(b, BC_NAT_REQ) || wanted(b, BC_NAT_REP),
				    wanted(b, BC_TUN),
				    wanted(b, BC_DR6_EST) || wanted(b, BC_DR6_NEW) };

	bl->capacity = level_capacity(bl->conns);
	bl->exact_bytes = bench_table_bytes(b->base.qsbr, bl->conns, 0);
	bl->table_bytes = bench_table_bytes(b->base.qsbr, bl->capacity, 0);
	/* the IPv6 side: what conns IPv6 entries add to a minimal table */
	bl->exact_bytes6 = bench_table_bytes(b->base.qsbr, 1, bl->conns);
	if (bl->exact_bytes6 != 0)
		bl->exact_bytes6 -=
		    RTE_MIN(bl->exact_bytes6, bench_table_bytes(b->base.qsbr, 1, 0));
	if (bl->table_bytes == 0 || bl->exact_bytes == 0 || bl->exact_bytes6 == 0) {
		fprintf(stderr, "bench: no room for a table of %u connections\n", bl->capacity);
		return -1;
	}
	bl->fitted = true;
	fprintf(stderr, "%u connections (table of %u: %.1f MiB)\n", bl->conns, bl->capacity,
		(double)bl->table_bytes / (1 << 20));
	for (unsigned int m = 0; m < M_COUNT; m++)
		if (any[m] && method_run(b, bl, (enum method)m) != 0)
			return -1;
	return 0;
}

/* ----------------------------------------------------------- callgrind */

int bench_callgrind_cases(struct bench *b, uint64_t packets)
{
	const uint32_t n = 1000;
	const struct {
		enum bench_case c;
		enum method m;
		bool reply;
	} cases[] = { { BC_DR_EST, M_DR, false },
		      { BC_NAT_REQ, M_NAT, false },
		      { BC_NAT_REP, M_NAT, true },
		      { BC_TUN, M_TUN, false },
		      { BC_DR6_EST, M_DR6, false } };
	struct level *lv = malloc(sizeof(*lv));
	struct result res;
	double ignored;
	int rc = -1;

	if (lv == NULL || level_open(lv, b, n, level_capacity(n), level_capacity(n)) != 0) {
		free(lv);
		return -1;
	}
	/* One table holds every method's flows: their VIPs differ. */
	for (unsigned int m = 0; m < M_COUNT; m++)
		if (level_fill(lv, (enum method)m, 1, &ignored) != 0)
			goto out;
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct gen g = gen_make(cases[i].m, cases[i].reply, PB_TH_ACK, false);

		g.n_flows = n;
		if (run_workers(lv, &g, 1, packets / 4, 0, true, &res) != 0)
			goto out;
		bench_cg_begin();
		if (run_workers(lv, &g, 1, packets, 0, false, &res) != 0 || res.anomalies != 0)
			goto out;
		bench_cg_end(cases[i].c, res.pkts);
	}
	for (unsigned int v6 = 0; v6 < 2; v6++) {
		struct gen g = gen_make(v6 ? M_DR6 : M_DR, false, PB_TH_SYN, false);

		g.sequential = true;
		g.next = NEW_FLOWS;
		if (level_empty(lv) != 0 ||
		    run_workers(lv, &g, 1, n + n / 16, churn_step(n, 1), false, &res) != 0)
			goto out;
		bench_cg_begin();
		if (run_workers(lv, &g, 1, packets, churn_step(n, 1), false, &res) != 0 ||
		    res.anomalies != 0)
			goto out;
		bench_cg_end(v6 ? BC_DR6_NEW : BC_DR_NEW, res.pkts);
	}
	rc = 0;
out:
	level_close(lv);
	free(lv);
	return rc;
}
