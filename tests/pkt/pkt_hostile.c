/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: what a hostile or unlucky network sends, and the
 * connections that must survive it (the scene is in scene.h): SYN and UDP
 * floods against the embryonic budget, a flood of traffic for the kernel
 * against its token buckets, a SYN reusing a closed connection, replies and
 * mid-flow packets that arrive at the wrong worker, flows adopted after a
 * failover, frames too big for the egress port.
 */
#include "scene.h"

#define BUDGET 16 /* embryonic connections per worker in these fixtures */

/* Sends n frames, one burst of at most 32 at a time, on worker wid. */
static void burst_of(struct fx *x, const struct pb_ip *ips, unsigned int n)
{
	for (unsigned int i = 0; i < n; i += 32) {
		struct pb_frame fr[32];
		const struct pb_frame *in[32];
		unsigned int b = RTE_MIN(32u, n - i);

		for (unsigned int k = 0; k < b; k++) {
			fr[k] = from_gw(&ips[i + k]);
			in[k] = &fr[k];
		}
		if (!fx_inject(x, in, b))
			return;
		fx_release(x);
	}
}

/* A SYN from each of n random sources to the VIP. */
static void syn_flood(struct fx *x, unsigned int n, uint32_t seed)
{
	struct pb_ip *syn = calloc(n, sizeof(*syn));

	if (syn == NULL) {
		fx_fail(x, "out of memory");
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		syn[i] = pb_tcp(PB_IP4(100, 64, 0, 0) + (seed + i) * 2654435761u % 4000000,
				(uint16_t)(1024 + i), VIP, 80, PB_TH_SYN);
	burst_of(x, syn, n);
	free(syn);
}

/* A SYN flood cannot keep a connection out: past the budget the oldest
 * embryonic connections go (counted), established ones never do, a new
 * client's SYN always gets in and its handshake completes while the flood
 * goes on; the counters stay true. */
static void syn_flood_embryonic(struct fx *x)
{
	const struct conn_table_stats *st = conn_table_stats(x->e.w[0]->conns);
	struct pb_ip ack = pb_tcp(CLIENT, 1000, VIP, 80, PB_TH_ACK);
	struct pb_frame in, out;
	struct svc_counters c;
	struct fx_svc s = DR;

	s.n_rs = 1;
	setup(x, &s, 1);
	/* an established connection from before the flood */
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));

	syn_flood(x, 500, 1);
	FX_CHECK(x, st->embryonic == BUDGET, "%u embryonic connections, budget %u", st->embryonic,
		 BUDGET);
	FX_CHECK(x, st->reasons[CONN_EVICT_EMBRYONIC_BUDGET] == 500 - BUDGET,
		 "%" PRIu64 " evicted by the budget", st->reasons[CONN_EVICT_EMBRYONIC_BUDGET]);
	FX_CHECK(x, x->e.w[0]->st.drops[FWD_DROP_CONN_TABLE_FULL] == 0,
		 "a SYN was refused during the flood");
	/* the old connection carries on */
	fx_step(x, &in, fx_tx(0, &out));

	/* a new client's handshake, with fewer than BUDGET flood SYNs between
	 * its SYN and its ACK, completes */
	dr_syn(x, CLIENT2, 2000, MAC_RS1);
	syn_flood(x, BUDGET / 2, 7000);
	ack = pb_tcp(CLIENT2, 2000, VIP, 80, PB_TH_ACK);
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	/* the two established, and the flood's embryonic ones but the one
	 * that just completed its handshake */
	FX_CHECK(x, st->live == 2 + BUDGET - 1 && st->embryonic == BUDGET - 1,
		 "%u connections live, %u embryonic", st->live, st->embryonic);
	syn_flood(x, 200, 9000);
	fx_step(x, &in, fx_tx(0, &out));

	c = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, c.active == 2 && c.inactive == BUDGET,
		 "active %" PRId64 " inactive %" PRId64 " (2 and %u in the table)", c.active,
		 c.inactive, BUDGET);
	/* the flood's leftovers expire: the counters come back to the two */
	fx_advance(x, 61000, 1000);
	c = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, c.active == 2 && c.inactive == 0 && st->live == 2,
		 "after expiry: active %" PRId64 " inactive %" PRId64 ", %u live", c.active,
		 c.inactive, st->live);
}

/* One-packet UDP "connections" cannot starve real flows: a flow that saw a
 * second datagram is assured and stays; the flood churns the budget. */
static void udp_flood_one_packet(struct fx *x)
{
	const struct conn_table_stats *st = conn_table_stats(x->e.w[0]->conns);
	struct pb_ip dg = pb_udp(CLIENT, 5000, VIP, 53), *flood;
	struct pb_frame in, out;
	struct fx_svc s = DR;

	s.proto = UDP;
	s.vport = 53;
	s.n_rs = 1;
	setup(x, &s, 1);
	in = from_gw(&dg);
	out = to_fwd(MAC_RS1, 0, &dg);
	fx_step(x, &in, fx_tx(0, &out));
	fx_step(x, &in, fx_tx(0, &out)); /* the second datagram assures it */
	flood = calloc(300, sizeof(*flood));
	if (flood == NULL)
		return;
	for (unsigned int i = 0; i < 300; i++)
		flood[i] = pb_udp(PB_IP4(100, 65, 0, 0) + i * 7919u, (uint16_t)(2000 + i), VIP, 53);
	burst_of(x, flood, 300);
	free(flood);
	FX_CHECK(x, st->embryonic == BUDGET && st->live == BUDGET + 1,
		 "%u embryonic of %u live (budget %u)", st->embryonic, st->live, BUDGET);
	FX_CHECK(x, fx_conn(x, CLIENT, 5000, VIP, 53, UDP) != NULL, "the real flow was evicted");
	fx_step(x, &in, fx_tx(0, &out));
}

/* A flood of traffic for the director's kernel passes its token bucket:
 * a burst's worth goes up, the rest is dropped as kernel_policed; a real
 * server's traffic for the kernel (health checks) has a bucket of its
 * own, which the flood does not drain. */
static void kernel_flood_policed(struct fx *x)
{
	const struct fwd_limits *l = &fwd_limits_default;
	struct pb_ip *ping = calloc(2000, sizeof(*ping));
	struct pb_ip hc = pb_tcp(RS1, 80, PKTENV_DIP0, 33000, PB_TH_SYN | PB_TH_ACK);
	struct pb_frame in;
	const uint64_t *d = x->e.w[0]->st.drops;

	setup(x, &DR, 1);
	if (ping == NULL)
		return;
	for (unsigned int i = 0; i < 2000; i++) {
		ping[i] = pb_icmp_error(PB_IP4(100, 66, 0, 0) + i, PKTENV_DIP0, 8, 0, i, NULL, 0);
		ping[i].payload_len = 56;
	}
	x->step++;
	burst_of(x, ping, 2000);
	free(ping);
	FX_CHECK(x,
		 x->e.w[0]->st.to_kernel == l->burst[FWD_POL_KERNEL] &&
		     d[FWD_DROP_KERNEL_POLICED] == 2000 - l->burst[FWD_POL_KERNEL],
		 "%" PRIu64 " to the kernel, %" PRIu64 " policed (burst %u)",
		 x->e.w[0]->st.to_kernel, d[FWD_DROP_KERNEL_POLICED], l->burst[FWD_POL_KERNEL]);
	pktenv_drain(&x->e);
	in = from(MAC_RS1, &hc);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	/* the bucket fills again with time */
	fx_advance(x, 100, 0);
	in = from_gw(&hc);
	hc.src = PB_IP4(100, 66, 0, 1);
	in = from_gw(&hc);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

/* IPVS's conn_reuse_mode: a SYN that finds the client's connection closed
 * (TIME_WAIT) is scheduled afresh, and so is one whose server was quiesced
 * (weight 0): it never lands on it. */
static void syn_reuses_closed(struct fx *x)
{
	struct pb_ip fin = pb_tcp(CLIENT, 1000, VIP, 80, PB_TH_FIN | PB_TH_ACK);
	struct pb_frame in, out;
	struct fx_svc s = DR;
	struct conn *c;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	in = from_gw(&fin);
	out = to_fwd(MAC_RS1, 0, &fin);
	fx_step(x, &in, fx_tx(0, &out));
	fin.flags = PB_TH_ACK;
	fin.seq++;
	in = from_gw(&fin);
	out = to_fwd(MAC_RS1, 0, &fin);
	fx_step(x, &in, fx_tx(0, &out));
	c = fx_conn(x, CLIENT, 1000, VIP, 80, TCP);
	FX_CHECK(x, c != NULL && c->state == CONN_S_TIME_WAIT, "not in TIME_WAIT");
	/* the port is reused: rr's next pick, RS2 */
	dr_syn(x, CLIENT, 1000, MAC_RS2);
	FX_CHECK(
	    x, conn_to(x, fx_conn(x, CLIENT, 1000, VIP, 80, TCP), RS2) && x->e.w[0]->st.reused == 1,
	    "the SYN did not replace the closed connection");

	/* RS2 quiesced: a retransmitted SYN of that connection goes to RS1 */
	s.rs[1].weight = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	FX_CHECK(x, x->e.w[0]->st.reused == 2, "reused %" PRIu64, x->e.w[0]->st.reused);
}

/* A NAT connection belongs to the worker its client hashes to: a request
 * and a reply arriving at the other worker are redirected there, and
 * translated there, whichever worker they reach. */
static void nat_redirected_to_owner(struct fx *x)
{
	struct pb_ip syn, synack, exp;
	struct pb_frame in, out;
	uint32_t client = CLIENT;
	rte_be32_t a;
	uint16_t owner;

	setup(x, &NAT, 1);
	/* a client that worker 1 owns */
	do {
		client++;
		a = rte_cpu_to_be_32(client);
		owner = fwd_owner(&x->e.env, 4, &a, rte_cpu_to_be_16(40000));
	} while (owner != 1);
	syn = pb_tcp(client, 40000, VIP, 80, PB_TH_SYN);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out)); /* arrives at worker 0 */
	FX_CHECK(x,
		 conn_table_stats(x->e.w[1]->conns)->live == 1 &&
		     conn_table_stats(x->e.w[0]->conns)->live == 0,
		 "the connection is not its owner's");
	synack = pb_tcp(RS1, 8080, client, 40000, PB_TH_SYN | PB_TH_ACK);
	exp = synack;
	exp.src = VIP;
	exp.sport = 80;
	exp.ttl = 63;
	in = from(MAC_RS1, &synack);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 1;
	fx_step(x, &in, fx_tx(0, &out)); /* on the owner itself */
	x->wid = 0;
	FX_CHECK(x, x->e.w[0]->st.redirected == 2 && x->e.w[1]->st.redirects_in == 2,
		 "redirected %" PRIu64 ", received %" PRIu64, x->e.w[0]->st.redirected,
		 x->e.w[1]->st.redirects_in);
}

/* After a failover that sync missed, a mid-flow packet finds no
 * connection: a service whose scheduler hashes the flow (mh) adopts it, as
 * every director would map it alike; rr cannot, so the packet is dropped;
 * with sloppy_tcp every scheduler adopts. An adopted connection stays
 * embryonic until its next packet. */
static void adopt_mid_flow(struct fx *x)
{
	const struct conn_table_stats *st = conn_table_stats(x->e.w[0]->conns);
	struct pb_ip ack = pb_tcp(CLIENT, 3000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack), out;
	struct fx_svc s = DR;
	struct pb_mac want;
	struct conn *c;

	setup(x, &s, 1);
	fx_step(x, &in, fx_drop(FWD_DROP_NO_CONNECTION));

	s.sched = CFG_SCHED_MH;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	x->step++;
	{
		const struct pb_frame *inp[1] = { &in };

		if (!fx_inject(x, inp, 1))
			return;
		FX_CHECK(x, x->got.n_tx[0] == 1, "the mid-flow ACK was not forwarded");
		want = x->got.n_tx[0] ? fx_dst_mac(x->got.tx[0][0]) : MAC_RS1;
		fx_release(x);
	}
	c = fx_conn(x, CLIENT, 3000, VIP, 80, TCP);
	FX_CHECK(x,
		 c != NULL && c->state == CONN_S_ESTABLISHED && !(c->flags & CONN_F_ASSURED) &&
		     x->e.w[0]->st.adopted == 1 && st->embryonic == 1,
		 "no embryonic ESTABLISHED connection adopted");
	out = to_fwd(want, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, c->flags & CONN_F_ASSURED, "not assured by its second packet");

	s.sched = CFG_SCHED_RR;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	x->e.env.sloppy_tcp = true;
	ack.sport = 3001;
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, x->e.w[0]->st.adopted == 2, "sloppy_tcp did not adopt");
}

/* An egress port whose MTU is below the frame: with DF, ICMP
 * fragmentation-needed back to the client from the VIP (as the kernel does
 * for IPVS), the frame dropped; without DF, fragments. */
static void egress_mtu(struct fx *x)
{
	struct pb_ip big = pb_tcp(CLIENT, 4000, VIP, 80, PB_TH_SYN), icmp;
	struct pb_frame in, out;
	const struct pb_frame *inp[1] = { &in };

	setup(x, &DR, 1);
	x->e.env.ports[0].mtu = 1400;
	big.payload_len = 1500 - 40;
	icmp = pb_icmp_error(VIP, CLIENT, 3, 4, 1400, &big, 28);
	icmp.id = 0;
	icmp.frag = 0;
	in = from_gw(&big);
	out = to(MAC_GW, 0, &icmp);
	fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_MTU_EXCEEDED));
	big.frag = 0;
	in = from_gw(&big);
	x->step++;
	if (fx_inject(x, inp, 1)) {
		FX_CHECK(x, x->got.n_tx[0] == 2, "%u frames for a 1500-byte packet over MTU 1400",
			 x->got.n_tx[0]);
		for (unsigned int i = 0; i < x->got.n_tx[0]; i++)
			FX_CHECK(x, rte_pktmbuf_pkt_len(x->got.tx[0][i]) <= 14 + 1400,
				 "fragment %u of %u bytes", i,
				 rte_pktmbuf_pkt_len(x->got.tx[0][i]));
		fx_release(x);
	}
}

/* An ICMP error about a NAT connection that reaches the wrong worker is
 * redirected to the owner, which translates it. */
static void icmp_error_redirected(struct fx *x)
{
	struct pb_ip syn, quoted, quoted_x, icmp, exp;
	struct pb_frame in, out;
	uint32_t client = CLIENT;
	rte_be32_t a;

	setup(x, &NAT, 1);
	do {
		client++;
		a = rte_cpu_to_be_32(client);
	} while (fwd_owner(&x->e.env, 4, &a, rte_cpu_to_be_16(40000)) != 1);
	syn = pb_tcp(client, 40000, VIP, 80, PB_TH_SYN);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	quoted = pb_tcp(VIP, 80, client, 40000, PB_TH_SYN | PB_TH_ACK);
	quoted_x = quoted;
	quoted_x.src = RS1;
	quoted_x.sport = 8080;
	icmp = pb_icmp_error(ROUTER, VIP, 3, 1, 0, &quoted, 0);
	exp = pb_icmp_error(ROUTER, RS1, 3, 1, 0, &quoted_x, 0);
	exp.ttl = 63;
	in = from_gw(&icmp);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

const struct fixture pkt_hostile_fixtures[] = {
	{ "syn_flood_embryonic", 0, syn_flood_embryonic, NULL, BUDGET },
	{ "udp_flood_one_packet", 0, udp_flood_one_packet, NULL, BUDGET },
	{ "kernel_flood_policed", 0, kernel_flood_policed },
	{ "syn_reuses_closed", 0, syn_reuses_closed },
	{ "nat_redirected_to_owner", 0, nat_redirected_to_owner },
	{ "adopt_mid_flow", 0, adopt_mid_flow },
	{ "egress_mtu", 0, egress_mtu },
	{ "icmp_error_redirected", 0, icmp_error_redirected },
};
const size_t pkt_hostile_n = RTE_DIM(pkt_hostile_fixtures);
