/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the worker path: frames from the input go through
 * the real fwd_process and fwd_flush on the director of tests/pkt (ring
 * ports, real tables, two workers, a fake clock), with the clock, the
 * service snapshot and the neighbours moved by the input too (the format is
 * in fwd_scene.h).
 *
 * Besides the sanitizers, each input is held to what must always be true:
 * - a frame sent on a port carries that port's MAC as its source; a frame
 *   for the control core has a known reason (RESOLVE: a port that exists);
 * - when every frame of a burst had right checksums (pb_verify), so does
 *   every frame sent for it: the worker's rewrites keep them right;
 * - after each burst, the real servers' active + inactive counters add up
 *   to the connections found in the table (a flow scheduled twice leaves an
 *   unreachable first connection counted);
 * - once the input is over and the clock has run on for 1000 s, turning the
 *   wheels every 250 ms as the worker loop does, the table is empty, every
 *   active/inactive counter is back to zero, and no mbuf is left out of
 *   the pool.
 * A broken rule aborts with a message (libFuzzer keeps the input).
 *
 * Each input starts from the same state: base services republished (which
 * resets the schedulers), neighbours relearned, counters cleared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "fwd_scene.h"

#define N_SVC  12
#define MAX_RS 2

static struct pktenv_base base;
static struct pktenv env;
static unsigned int pool_in_use;

struct burst {
	struct rte_mbuf *m[FUZZ_BURST];
	uint16_t n;
	uint16_t wid;
	uint8_t port;
	bool checksums_right; /* every frame in it passed pb_verify */
};

static void die(const char *what, const uint8_t *f, size_t len)
{
	fprintf(stderr, "fuzz_fwd: %s\n", what);
	if (f != NULL)
		pb_hexdump(stderr, "  ", f, len);
	abort();
}

/* ------------------------------------------------------------ the scene */

struct scene_rs {
	uint32_t addr;
	uint16_t port;
	uint32_t weight;
	uint8_t af; /* 0: IPv4 in addr; 6: addr6 */
	uint8_t addr6[16];
};

struct scene_svc {
	uint32_t vip;
	uint16_t vport;
	uint8_t proto;
	enum cfg_fwd fwd;
	enum cfg_sched sched;
	uint32_t persist_s;
	bool owned;
	struct scene_rs rs[MAX_RS];
	uint32_t n_rs;
	uint8_t af; /* 0: IPv4 in vip; 6: vip6 */
	uint8_t vip6[16];
};

#define RS6(g, p)                                                          \
	{                                                                  \
		.port = (p), .weight = 1, .af = 6, .addr6 = PB_IP6_INIT(g) \
	}

static const struct scene_svc scene[N_SVC] = {
	{ FUZZ_VIP,
	  80,
	  IPPROTO_TCP,
	  CFG_FWD_DR,
	  CFG_SCHED_RR,
	  0,
	  true,
	  { { FUZZ_RS1, 80, 1 }, { FUZZ_RS2, 80, 1 } },
	  2 },
	{ FUZZ_VIP,
	  443,
	  IPPROTO_TCP,
	  CFG_FWD_DR,
	  CFG_SCHED_WRR,
	  60,
	  true,
	  { { FUZZ_RS1, 443, 1 }, { FUZZ_RS2, 443, 2 } },
	  2 },
	{ FUZZ_VIP,
	  8080,
	  IPPROTO_TCP,
	  CFG_FWD_NAT,
	  CFG_SCHED_RR,
	  0,
	  true,
	  { { FUZZ_RS1, 80, 1 }, { FUZZ_RS2, 80, 1 } },
	  2 },
	{ FUZZ_VIP,
	  53,
	  IPPROTO_UDP,
	  CFG_FWD_NAT,
	  CFG_SCHED_WLC,
	  0,
	  true,
	  { { FUZZ_RS1, 5353, 1 }, { FUZZ_RS2, 5353, 1 } },
	  2 },
	{ FUZZ_VIP2,
	  80,
	  IPPROTO_TCP,
	  CFG_FWD_TUN,
	  CFG_SCHED_SH,
	  0,
	  true,
	  { { FUZZ_RS1, 80, 1 }, { FUZZ_RS4, 80, 1 } },
	  2 },
	{ FUZZ_VIP2,
	  53,
	  IPPROTO_UDP,
	  CFG_FWD_DR,
	  CFG_SCHED_LC,
	  0,
	  true,
	  { { FUZZ_RS3, 53, 1 } },
	  1 },
	{ FUZZ_VIP3,
	  80,
	  IPPROTO_TCP,
	  CFG_FWD_DR,
	  CFG_SCHED_RR,
	  0,
	  false,
	  { { FUZZ_RS1, 80, 1 } },
	  1 },
	{ .vip = FUZZ_VIP2,
	  .vport = 8081,
	  .proto = IPPROTO_TCP,
	  .fwd = CFG_FWD_TUN,
	  .sched = CFG_SCHED_RR,
	  .owned = true,
	  .rs = { RS6(FUZZ_RS6_4_G, 80) },
	  .n_rs = 1 },
	{ .vport = 80,
	  .proto = IPPROTO_TCP,
	  .fwd = CFG_FWD_DR,
	  .sched = CFG_SCHED_RR,
	  .owned = true,
	  .rs = { RS6(FUZZ_RS6_1_G, 80), RS6(FUZZ_RS6_2_G, 80) },
	  .n_rs = 2,
	  .af = 6,
	  .vip6 = PB_IP6_INIT(FUZZ_VIP6_G) },
	{ .vport = 8080,
	  .proto = IPPROTO_TCP,
	  .fwd = CFG_FWD_NAT,
	  .sched = CFG_SCHED_RR,
	  .persist_s = 60,
	  .owned = true,
	  .rs = { RS6(FUZZ_RS6_1_G, 80), RS6(FUZZ_RS6_2_G, 80) },
	  .n_rs = 2,
	  .af = 6,
	  .vip6 = PB_IP6_INIT(FUZZ_VIP6_G) },
	{ .vport = 53,
	  .proto = IPPROTO_UDP,
	  .fwd = CFG_FWD_NAT,
	  .sched = CFG_SCHED_WLC,
	  .owned = true,
	  .rs = { RS6(FUZZ_RS6_1_G, 5353), RS6(FUZZ_RS6_2_G, 5353) },
	  .n_rs = 2,
	  .af = 6,
	  .vip6 = PB_IP6_INIT(FUZZ_VIP6_G) },
	{ .vport = 80,
	  .proto = IPPROTO_TCP,
	  .fwd = CFG_FWD_TUN,
	  .sched = CFG_SCHED_SH,
	  .owned = true,
	  .rs = { RS6(FUZZ_RS6_1_G, 80), { FUZZ_RS1, 80, 1 } },
	  .n_rs = 2,
	  .af = 6,
	  .vip6 = PB_IP6_INIT(FUZZ_VIP6_2_G) },
};

/* Stat slots: 1 + i * 4 for service i, the next ones for its servers. */
static uint32_t stat_of(unsigned int svc, int rs)
{
	return 1 + svc * 4 + (uint32_t)(rs + 1);
}

/* Whether real server rs is the first one of its family (variants 1 and 3
 * take it away). */
static bool first_rs(const struct scene_rs *rs)
{
	return rs->af == 6 ? memcmp(rs->addr6, FUZZ_RS6_1, 16) == 0 : rs->addr == FUZZ_RS1;
}

/* The snapshot builder's view of real server rs of service i. */
static struct svc_spec_rs rs_spec(unsigned int i, uint32_t r, uint32_t weight, bool available)
{
	const struct scene_rs *x = &scene[i].rs[r];
	struct svc_spec_rs o = { .addr = x->addr,
				 .port = x->port,
				 .weight = weight,
				 .available = available,
				 .stat = stat_of(i, (int)r),
				 .af = x->af == 6 ? 6 : 4 };
	struct neigh_ip nh;
	uint32_t nh4 = 0;

	if (x->af == 6) {
		if (pktenv_route6(&env, x->addr6, o.nexthop6, &o.out_port) != 0)
			die("no route to a real server", NULL, 0);
		memcpy(o.addr6, x->addr6, 16);
		nh = neigh_ip6(o.nexthop6);
		pktenv_dest6(&env, o.stat, x->addr6, x->port, stat_of(i, -1));
	} else {
		if (pktenv_route(&env, x->addr, &nh4, &o.out_port) != 0)
			die("no route to a real server", NULL, 0);
		o.nexthop = nh4;
		nh = neigh_ip4(rte_cpu_to_be_32(nh4));
		pktenv_dest(&env, o.stat, x->addr, x->port, stat_of(i, -1));
	}
	o.neigh = neigh_find(env.env.neigh, &nh);
	return o;
}

static void add_addr(struct svc_spec_addr *a, unsigned int *n, uint8_t af, uint32_t v4,
		     const uint8_t *v6, uint8_t flags, uint8_t port)
{
	a[*n] = (struct svc_spec_addr){ .addr = v4, .flags = flags, .port = port, .af = af };
	if (af == 6)
		memcpy(a[*n].addr6, v6, 16);
	(*n)++;
}

static void publish(unsigned int variant)
{
	struct svc_spec specs[N_SVC];
	struct svc_spec_rs rs[N_SVC][MAX_RS];
	struct svc_spec_addr addrs[8 + N_SVC * (MAX_RS + 1)];
	unsigned int n_addrs = 0;

	add_addr(addrs, &n_addrs, 4, PKTENV_DIP0, NULL, SVC_AF_LOCAL, 0);
	add_addr(addrs, &n_addrs, 4, PKTENV_DIP0B, NULL, SVC_AF_LOCAL, 0);
	add_addr(addrs, &n_addrs, 4, PKTENV_DIP1, NULL, SVC_AF_LOCAL, 1);
	add_addr(addrs, &n_addrs, 6, 0, PKTENV_DIP0_6, SVC_AF_LOCAL, 0);
	add_addr(addrs, &n_addrs, 6, 0, PKTENV_DIP1_6, SVC_AF_LOCAL, 1);
	add_addr(addrs, &n_addrs, 6, 0, env.env.ports[0].ll6, SVC_AF_LOCAL, 0);
	add_addr(addrs, &n_addrs, 6, 0, PKTENV_GW6, SVC_AF_TRUSTED, SVC_PORT_ANY);
	for (unsigned int i = 0; i < N_SVC; i++) {
		const struct scene_svc *v = &scene[i];
		bool owned = v->owned && variant != 2;
		uint32_t n = 0;

		for (uint32_t r = 0; r < v->n_rs; r++) {
			uint32_t weight = v->rs[r].weight;

			if (variant == 1 && first_rs(&v->rs[r]))
				continue;
			if (variant == 1 && v->sched == CFG_SCHED_WRR)
				weight = 0;
			rs[i][n++] = rs_spec(i, r, weight, !(variant == 3 && first_rs(&v->rs[r])));
		}
		specs[i] = (struct svc_spec){ .vip = v->vip,
					      .af = v->af == 6 ? 6 : 4,
					      .persist_plen6 = 64,
					      .vport = v->vport,
					      .proto = v->proto,
					      .fwd = v->fwd,
					      .sched = v->sched,
					      .persist_s = v->persist_s,
					      .persist_mask = 0xffffffffu,
					      .stat = stat_of(i, -1),
					      .owned = owned,
					      .rs = rs[i],
					      .n_rs = n };
		memcpy(specs[i].vip6, v->vip6, 16);
		add_addr(addrs, &n_addrs, v->af == 6 ? 6 : 4, v->vip, v->vip6,
			 SVC_AF_VIP | SVC_AF_SERVICE | (owned ? SVC_AF_OWNED : 0), 0);
		for (uint32_t r = 0; r < v->n_rs; r++)
			add_addr(addrs, &n_addrs, v->rs[r].af == 6 ? 6 : 4, v->rs[r].addr,
				 v->rs[r].addr6,
				 SVC_AF_RS | (v->fwd == CFG_FWD_NAT ? SVC_AF_NAT_RS : 0),
				 SVC_PORT_ANY);
	}
	if (pktenv_publish(&env, specs, N_SVC, addrs, n_addrs) != 0)
		die("cannot publish the services", NULL, 0);
}

static void learn_neighbours(void)
{
	static const struct {
		uint32_t ip;
		const struct pb_mac *mac;
	} known[] = {
		{ PKTENV_GW, &fuzz_mac_gw }, { FUZZ_RS1, &fuzz_mac_rs1 },
		{ FUZZ_RS2, &fuzz_mac_rs2 }, { FUZZ_RS3, &fuzz_mac_rs3 },
		{ FUZZ_RS4, &fuzz_mac_rs4 },
	};

	const struct {
		const uint8_t *ip;
		const struct pb_mac *mac;
	} known6[] = {
		{ PKTENV_GW6, &fuzz_mac_gw },
		{ FUZZ_RS6_1, &fuzz_mac_rs6_1 },
		{ FUZZ_RS6_2, &fuzz_mac_rs6_2 },
		{ FUZZ_RS6_4, &fuzz_mac_rs6_4 },
	};

	for (size_t i = 0; i < RTE_DIM(known); i++)
		if (pktenv_neigh_learn(&env, known[i].ip, *known[i].mac) < 0)
			die("cannot learn a neighbour", NULL, 0);
	for (size_t i = 0; i < RTE_DIM(known6); i++)
		if (pktenv_neigh_learn6(&env, known6[i].ip, *known6[i].mac) < 0)
			die("cannot learn a neighbour", NULL, 0);
}

/* ------------------------------------------------------------- checking */

/* Takes and frees everything the workers produced, checking it. */
static void drain(bool checksums_right)
{
	struct rte_mbuf *m[FUZZ_BURST * 2];
	uint8_t copy[PB_FRAME_MAX];
	char err[160];
	unsigned int n;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		while ((n = pktenv_take_tx(&env, p, m, RTE_DIM(m))) > 0) {
			for (unsigned int i = 0; i < n; i++) {
				uint32_t len = rte_pktmbuf_pkt_len(m[i]);
				const uint8_t *f = len <= sizeof(copy)
						       ? rte_pktmbuf_read(m[i], 0, len, copy)
						       : NULL;

				if (f == NULL || len < 14)
					die("a frame sent that cannot be read", NULL, 0);
				if (memcmp(f + 6, pktenv_port_mac[p].b, 6) != 0)
					die("a frame sent without its port's MAC", f, len);
				if (checksums_right && pb_verify(f, len, err, sizeof(err)) != 0) {
					fprintf(stderr, "fuzz_fwd: %s\n", err);
					die("right checksums in, a wrong one out", f, len);
				}
			}
			rte_pktmbuf_free_bulk(m, n);
		}
	}
	for (uint16_t w = 0; w < PKTENV_WORKERS; w++) {
		while ((n = pktenv_take_ctl(&env, w, m, RTE_DIM(m))) > 0) {
			for (unsigned int i = 0; i < n; i++) {
				const struct pkt_meta *meta = pkt_meta(m[i]);

				if (meta->ctl == PKT_CTL_NONE || meta->ctl > PKT_CTL_RESOLVE)
					die("a frame for the control core without a reason", NULL,
					    0);
				if (meta->ctl == PKT_CTL_RESOLVE && meta->out_port >= PKTENV_PORTS)
					die("a frame to resolve for a port that does not exist",
					    NULL, 0);
			}
			rte_pktmbuf_free_bulk(m, n);
		}
	}
}

/* Connections the workers' tables list. */
static int64_t listed_conns(void)
{
	int64_t n = 0;

	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		struct conn_view v;
		uint64_t pos = 0;

		while (conn_table_read(env.w[i]->conns, &pos, &v))
			n++;
	}
	return n;
}

/* Connections the real servers' counters account for. */
static int64_t counted_conns(void)
{
	int64_t n = 0;

	for (unsigned int i = 0; i < N_SVC; i++)
		for (int r = 0; r < (int)scene[i].n_rs; r++) {
			struct svc_counters sum;

			fwd_counters_sum(&env.env, stat_of(i, r), &sum);
			n += sum.active + sum.inactive;
		}
	return n;
}

static void flush(struct burst *b)
{
	int64_t listed, counted;

	if (b->n == 0)
		return;
	pktenv_process(&env, b->wid, b->m, b->n, b->port);
	drain(b->checksums_right);
	listed = listed_conns();
	counted = counted_conns();
	if (listed != counted) {
		fprintf(stderr,
			"fuzz_fwd: %" PRId64 " connections counted, %" PRId64 " in the table\n",
			counted, listed);
		die("the counters do not match the table", NULL, 0);
	}
	pktenv_quiesce(&env);
	b->n = 0;
	b->checksums_right = true;
}

static void add_frame(struct burst *b, uint8_t op, uint16_t word, const uint8_t *data, size_t len)
{
	uint16_t wid = op & 1;
	uint8_t port = (op >> 1) & 1;
	uint8_t f[PB_FRAME_MAX];
	char err[160];
	struct rte_mbuf *m;

	if (b->n > 0 && (b->wid != wid || b->port != port || b->n == FUZZ_BURST))
		flush(b);
	memcpy(f, data, len);
	if (op & (FUZZ_F_FIX_IP | FUZZ_F_FIX_L4 | FUZZ_F_FIX_LEN))
		pb_fix_frame(f, len, op & FUZZ_F_FIX_LEN, op & FUZZ_F_FIX_L4);
	if ((op & FUZZ_F_SPLIT) && len >= 2)
		m = pktenv_mbuf_split(&env, f, len, RTE_MAX(len * (word >> 11) / 32, (size_t)1));
	else
		m = pktenv_mbuf(&env, f, len);
	if (m == NULL)
		die("out of mbufs", NULL, 0);
	if (op & FUZZ_F_OFFLOAD)
		m->ol_flags |= pb_ip_csum_ok(f, len) ? RTE_MBUF_F_RX_IP_CKSUM_GOOD
						     : RTE_MBUF_F_RX_IP_CKSUM_BAD;
	b->wid = wid;
	b->port = port;
	b->m[b->n++] = m;
	if (pb_verify(f, len, err, sizeof(err)) != 0)
		b->checksums_right = false;
}

/* Lets every connection expire, then checks that nothing is left. */
static void settle(void)
{
	uint32_t tpos = 0;
	struct conn_tmpl t;

	/* The longest timeout is 900 s (ESTABLISHED), a template outlives its
	 * last connection by 60 s and the wheel is a second late at most. */
	for (int i = 0; i < 4000; i++) {
		pktenv_clock(&env, env.now_ms + 250);
		pktenv_expire(&env);
	}
	if (listed_conns() != 0)
		die("a connection outlived the input by 1000 s", NULL, 0);
	if (conn_tmpls_read(env.env.tmpls, &tpos, &t))
		die("a template outlived the input by 1000 s", NULL, 0);
	for (unsigned int i = 0; i < N_SVC; i++)
		for (int r = -1; r < (int)scene[i].n_rs; r++) {
			struct svc_counters sum;

			fwd_counters_sum(&env.env, stat_of(i, r), &sum);
			if (sum.active != 0 || sum.inactive != 0) {
				fprintf(stderr,
					"fuzz_fwd: slot %u: active %" PRId64 " inactive %" PRId64
					"\n",
					stat_of(i, r), sum.active, sum.inactive);
				die("counters not back to zero with no connection", NULL, 0);
			}
		}
	if (rte_mempool_in_use_count(base.pool) != pool_in_use)
		die("mbufs leaked", NULL, 0);
}

/* ------------------------------------------------------------- libFuzzer */

static void cleanup(void)
{
	pktenv_close(&env);
	pktenv_base_cleanup();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	if (pktenv_base_init(&base, (*argv)[0], true) != 0 || pktenv_open(&env, &base, 64, 8) != 0)
		die("cannot set up", NULL, 0);
	learn_neighbours();
	publish(0);
	pool_in_use = rte_mempool_in_use_count(base.pool);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct burst b = { .checksums_right = true };
	size_t i = 0;

	learn_neighbours();
	publish(0);
	for (uint16_t w = 0; w < PKTENV_WORKERS; w++)
		for (uint32_t s = 0; s <= stat_of(N_SVC, -1); s++)
			env.w[w]->ctr[s] = (struct svc_counters){ 0 };

	while (i < size) {
		uint8_t byte = data[i++], op = byte & 7;

		if (op <= 3) {
			uint16_t word;
			size_t len;

			if (size - i < 2)
				break;
			word = (uint16_t)(data[i] | data[i + 1] << 8);
			i += 2;
			len = RTE_MIN((size_t)(word & 0x7ff), size - i);
			add_frame(&b, byte, word, data + i, len);
			i += len;
			continue;
		}
		flush(&b);
		if (op == FUZZ_OP_FLUSH)
			continue;
		if (i == size)
			break;
		switch (op) {
		case FUZZ_OP_CLOCK:
			pktenv_clock(&env, env.now_ms + (data[i] + 1u) * 250u);
			pktenv_expire(&env);
			break;
		case FUZZ_OP_SERVICES:
			publish(data[i] % FUZZ_VARIANTS);
			break;
		default: /* FUZZ_OP_NEIGH_AGE */
			neigh_age(env.env.neigh, env.now_ms + (data[i] + 1u) * 10000u,
				  &env.neigh_ops);
			break;
		}
		i++;
	}
	flush(&b);
	settle();
	return 0;
}
