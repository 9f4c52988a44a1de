/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: DR, NAT and TUN (the scene is in scene.h).
 */
#include "scene.h"

/* ------------------------------------------------------------------ DR */

/* A SYN creates the connection (scheduled once), later packets follow it,
 * also when they arrive on the other worker (which hands them to the
 * connection's owner); only the Ethernet addresses and the TTL change. */
static void dr_syn_then_ack(struct fx *x)
{
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in, out;
	struct svc_counters ctr;
	struct conn *c;

	setup(x, &DR, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	c = fx_conn(x, CLIENT, 40000, VIP, 80, TCP);
	FX_CHECK(x, conn_to(x, c, RS1) && c->state == CONN_S_SYN_RECV,
		 "the SYN made no SYN_RECV connection to RS1");

	/* rr would pick RS2 now: the connection keeps its packets on RS1. */
	ack.payload_len = 100;
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 1;
	ack.seq += 100;
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 0;
	c = fx_conn(x, CLIENT, 40000, VIP, 80, TCP);
	FX_CHECK(x, c != NULL && c->state == CONN_S_ESTABLISHED, "not ESTABLISHED after the ACK");
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, ctr.conns == 1 && ctr.active == 1 && ctr.inactive == 0 && ctr.in_pkts == 3,
		 "RS1 counters conns %" PRIu64 " active %" PRId64 " inactive %" PRId64
		 " in_pkts %" PRIu64,
		 ctr.conns, ctr.active, ctr.inactive, ctr.in_pkts);

	/* The next new connection is scheduled: rr's second pick. */
	dr_syn(x, CLIENT, 40001, MAC_RS2);
}

/* Real servers on port 0's second prefix and behind port 1: each is sent
 * on its own port, from that port's MAC. */
static void dr_other_prefixes(struct fx *x)
{
	struct fx_svc s[2] = { DR, DR };
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;

	s[0].n_rs = 1;
	s[0].rs[0] = (struct fx_rs){ RS4, 80, 1 };
	s[1].vip = VIP2;
	s[1].n_rs = 1;
	s[1].rs[0] = (struct fx_rs){ RS3, 80, 1 };
	setup(x, s, 2);
	in = from_gw(&syn);
	out = to_fwd(MAC_RS4, 1, &syn);
	fx_step(x, &in, fx_tx(1, &out));
	syn.dst = VIP2;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS3, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
}

/* UDP needs no SYN: the first datagram makes the connection. */
static void dr_udp(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip dg = pb_udp(CLIENT, 5000, VIP, 53);
	struct pb_frame in, out;

	s.proto = UDP;
	s.vport = 53;
	setup(x, &s, 1);
	dg.payload_len = 30;
	in = from_gw(&dg);
	out = to_fwd(MAC_RS1, 0, &dg);
	fx_step(x, &in, fx_tx(0, &out));
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, conn_to(x, fx_conn(x, CLIENT, 5000, VIP, 53, UDP), RS1), "no UDP connection");
}

/* The first datagrams of a new UDP flow often arrive in one burst: the
 * flow is scheduled once and all of them reach the same real server. */
static void udp_flow_in_one_burst(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip dg[3];
	struct pb_frame fr[3];
	const struct pb_frame *in[3];

	s.proto = UDP;
	s.vport = 53;
	setup(x, &s, 1);
	for (unsigned int i = 0; i < 3; i++) {
		dg[i] = pb_udp(CLIENT, 5000, VIP, 53);
		dg[i].payload_len = (uint16_t)(10 + i);
		fr[i] = from_gw(&dg[i]);
		in[i] = &fr[i];
	}
	x->step++;
	if (!fx_inject(x, in, 3))
		return;
	FX_CHECK(x, x->got.n_tx[0] == 3, "%u of 3 datagrams sent", x->got.n_tx[0]);
	for (unsigned int i = 0; i < x->got.n_tx[0]; i++) {
		struct pb_mac d = fx_dst_mac(x->got.tx[0][i]);

		FX_CHECK(x, memcmp(&d, &MAC_RS1, sizeof(d)) == 0,
			 "datagram %u went to %02x:%02x (not RS1)", i, d.b[4], d.b[5]);
	}
	fx_release(x);
	FX_CHECK(x,
		 fx_counters(x, VIP, 53, UDP, RS1, 80).conns == 1 &&
		     fx_counters(x, VIP, 53, UDP, RS2, 80).conns == 0,
		 "the flow was scheduled more than once");
	/* The next flow is rr's second pick. */
	dg[0].sport = 5001;
	fr[0] = from_gw(&dg[0]);
	{
		struct pb_frame out = to_fwd(MAC_RS2, 0, &dg[0]);

		fx_step(x, &fr[0], fx_tx(0, &out));
	}
}

/* A service whose real servers are all down: new connections are dropped. */
static void no_real_server(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in = from_gw(&syn);

	s.rs[0].down = true;
	s.rs[1].down = true;
	setup(x, &s, 1);
	fx_step(x, &in, fx_drop(FWD_DROP_NO_REAL_SERVER));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
	s.n_rs = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_drop(FWD_DROP_NO_REAL_SERVER));
}

/* Every forwarded packet's TTL is decremented, as IPVS has done since Linux
 * 5.8 (decrement_ttl() in ip_vs_xmit.c): one that arrives with TTL 1 or 0 is
 * not forwarded, and the client hears ICMP time exceeded from the port's
 * address. TTL 2 leaves with 1. */
static void dr_ttl_expired(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN), icmp;
	struct pb_frame in, out;

	setup(x, &DR, 1);
	for (uint8_t ttl = 0; ttl < 2; ttl++) {
		syn.ttl = ttl;
		syn.sport = (uint16_t)(40000 + ttl);
		icmp = pb_icmp_error(PKTENV_DIP0, CLIENT, 11, 0, 0, &syn, 28);
		icmp.id = 0;
		icmp.frag = 0;
		in = from_gw(&syn);
		out = to(MAC_GW, 0, &icmp);
		fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_TTL_EXCEEDED));
	}
	syn.ttl = 2;
	syn.sport = 40002;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
}

/* A tagged frame keeps its tag through DR. */
static void dr_vlan_keeps_tag(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &DR, 1);
	in = from_gw(&syn);
	in.vlan = 100;
	out = to_fwd(MAC_RS1, 0, &syn);
	out.vlan = 100;
	fx_step(x, &in, fx_tx(0, &out));
}

/* IP options (IHL 6 and 7) pass DR untouched. */
static void dr_ip_options(struct fx *x)
{
	static const uint8_t router_alert[4] = { 0x94, 0x04, 0x00, 0x00 };
	static const uint8_t nops[8] = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &DR, 1);
	syn.optlen = 4;
	memcpy(syn.opts, router_alert, 4);
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));

	syn.sport = 40001;
	syn.optlen = 8;
	memcpy(syn.opts, nops, 8);
	syn.payload_len = 10;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS2, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
}

/* Ethernet padding past the IP packet is trimmed, going out or up. */
static void ethernet_padding_trimmed(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip ssh = pb_tcp(CLIENT, 40000, PKTENV_DIP0, 22, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &DR, 1);
	in = from_gw(&syn);
	in.pad_to = 60;
	out = to_fwd(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));

	in = from_gw(&ssh);
	in.pad_to = 60;
	out = from_gw(&ssh);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &out));
}

/* ----------------------------------------------------------------- NAT */

/* Requests: destination rewritten to RIP:rport, TTL decremented, checksums
 * right. */
static void nat_request(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK | PB_TH_PSH);
	struct pb_ip exp;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	ack.payload_len = 333; /* odd: the sum's last byte is padded */
	ack.payload_seed = 0x5a;
	exp = ack;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, fx_conn(x, RS1, 8080, CLIENT, 40000, TCP) != NULL,
		 "the NAT connection has no reply key");
}

/* Replies: source rewritten back to VIP:vport, TTL decremented, routed to
 * the client's next hop (the gateway, or the client itself on port 1). */
static void nat_reply(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip synack = pb_tcp(RS1, 8080, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip exp;
	struct pb_frame in, out;
	struct svc_counters ctr;

	setup(x, &NAT, 1);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	synack.payload_len = 7;
	exp = synack;
	exp.src = VIP;
	exp.sport = 80;
	exp.ttl = 63;
	in = from(MAC_RS1, &synack);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 8080);
	FX_CHECK(x, ctr.in_pkts == 1 && ctr.out_pkts == 1, "in %" PRIu64 " out %" PRIu64,
		 ctr.in_pkts, ctr.out_pkts);

	/* A client on port 1's link: the reply leaves there, to its MAC. */
	syn.src = CLIENT_L;
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = pb_eth(pktenv_port_mac[1], MAC_CLIENT_L, &syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	x->in_port = 1;
	fx_step(x, &in, fx_tx(0, &out));
	x->in_port = 0;
	synack.dst = CLIENT_L;
	exp = synack;
	exp.src = VIP;
	exp.sport = 80;
	exp.ttl = 63;
	in = from(MAC_RS1, &synack);
	out = to(MAC_CLIENT_L, 1, &exp);
	fx_step(x, &in, fx_tx(1, &out));
}

/* A reply whose TTL runs out is not forwarded: the real server hears ICMP
 * time exceeded from the director. */
static void nat_reply_ttl1(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip synack = pb_tcp(RS1, 8080, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip exp = syn, icmp;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	synack.ttl = 1;
	icmp = pb_icmp_error(PKTENV_DIP0, RS1, 11, 0, 0, &synack, 28);
	icmp.id = 0;
	icmp.frag = 0;
	in = from(MAC_RS1, &synack);
	out = to(MAC_RS1, 0, &icmp);
	fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_TTL_EXCEEDED));
}

/* NAT with IP options: the transport header is found past them. */
static void nat_ip_options(struct fx *x)
{
	static const uint8_t opts[8] = { 0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00 };
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip synack = pb_tcp(RS1, 8080, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip exp;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	syn.optlen = 4;
	memcpy(syn.opts, opts, 4);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	synack.optlen = 8;
	memcpy(synack.opts, opts, 8);
	exp = synack;
	exp.src = VIP;
	exp.sport = 80;
	exp.ttl = 63;
	in = from(MAC_RS1, &synack);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* UDP: a zero checksum (none) stays zero; a checksum that becomes zero is
 * sent as 0xffff (RFC 768). */
static void nat_udp_checksums(struct fx *x)
{
	struct pb_ip dg = pb_udp(CLIENT, 5000, VIP, 53);
	struct pb_ip exp;
	struct pb_frame in, out;
	uint8_t payload[2], buf[256];
	bool found = false;

	setup(x, &NAT_UDP, 1);
	dg.udp_no_csum = true;
	dg.payload_len = 20;
	exp = dg;
	exp.dst = RS1;
	exp.dport = 5353;
	in = from_gw(&dg);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	/* Find a payload whose translated checksum computes to zero. */
	dg = pb_udp(CLIENT, 5001, VIP, 53);
	dg.payload = payload;
	dg.payload_len = sizeof(payload);
	for (unsigned int v = 0; v <= 0xffff && !found; v++) {
		payload[0] = (uint8_t)(v >> 8);
		payload[1] = (uint8_t)v;
		exp = dg;
		exp.dst = RS1;
		exp.dport = 5353;
		found =
		    pb_render_ip(&exp, buf, sizeof(buf)) > 0 && buf[26] == 0xff && buf[27] == 0xff;
	}
	FX_CHECK(x, found, "no payload makes the checksum zero");
	in = from_gw(&dg);
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* ----------------------------------------------------------------- TUN */

/* IPIP: outer source the port's address, destination the RIP, TTL 64, DF
 * and TOS copied, ids from the worker's counter; the inner packet one hop
 * on (its TTL decremented). */
static void tun_ipip(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip outer, inner;
	struct pb_frame in, out;

	setup(x, &TUN, 1);
	syn.tos = 0x28;
	syn.ttl = 50;
	inner = hop(&syn);
	outer = pb_ipip(PKTENV_DIP0, RS1, &inner);
	outer.tos = 0x28;
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	/* Without DF, the outer header has none either. */
	syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	syn.frag = 0;
	syn.payload_len = 1000;
	inner = hop(&syn);
	outer = pb_ipip(PKTENV_DIP0, RS1, &inner);
	outer.frag = 0;
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	/* A tagged frame: the outer header goes after the tag. */
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	in.vlan = 42;
	out = to(MAC_RS1, 0, &outer);
	out.vlan = 42;
	fx_step(x, &in, fx_tx(0, &out));
}

/* With a NIC that sums IPv4 headers, TUN's outer header is left to it:
 * the frame on the wire is the same. */
static void tun_ip_cksum_offload(struct fx *x)
{
	x->e.env.ports[0].ip_cksum = true;
	tun_ipip(x);
	FX_CHECK(x, x->offloaded == 3, "%u outer headers left to the NIC, expected 3",
		 x->offloaded);
}

/* Checks that the frames x got on port 0 are the fragments of the IP
 * packet p (rendered), each within the MTU with a right header checksum,
 * their data in order and whole. */
static void check_fragments(struct fx *x, const struct pb_ip *p, unsigned int want)
{
	uint8_t whole[PB_FRAME_MAX], got[PB_FRAME_MAX];
	size_t len = pb_render_ip(p, whole, sizeof(whole)), at = 20;
	char err[160];

	FX_CHECK(x, x->got.n_tx[0] == want, "%u fragments, expected %u", x->got.n_tx[0], want);
	for (unsigned int i = 0; i < x->got.n_tx[0] && len > 0; i++) {
		const struct rte_mbuf *m = x->got.tx[0][i];
		const uint8_t *ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
		uint16_t total = (uint16_t)(ip[2] << 8 | ip[3]),
			 off = (uint16_t)(ip[6] << 8 | ip[7]);
		bool last = i + 1 == x->got.n_tx[0];

		FX_CHECK(x, rte_pktmbuf_pkt_len(m) == 14u + total && total <= 1500,
			 "fragment %u: %u bytes of IP in a frame of %u", i, total,
			 rte_pktmbuf_pkt_len(m));
		rte_pktmbuf_read(m, 0, RTE_MIN(rte_pktmbuf_pkt_len(m), sizeof(got)), got);
		FX_CHECK(x, pb_verify(got, rte_pktmbuf_pkt_len(m), err, sizeof(err)) == 0,
			 "fragment %u: %s", i, err);
		FX_CHECK(x, (off & 0x1fff) * 8u == at - 20 && !!(off & PB_IP_MF) == !last,
			 "fragment %u: offset %u MF %d (expected %zu, %d)", i, (off & 0x1fff) * 8u,
			 !!(off & PB_IP_MF), at - 20, !last);
		FX_CHECK(x,
			 at + total - 20u <= len &&
			     memcmp(got + 14 + 20, whole + at, total - 20u) == 0,
			 "fragment %u: data differs from bytes %zu on", i, at);
		at += total - 20u;
	}
	FX_CHECK(x, at == len, "the fragments carry %zu of %zu bytes", at, len);
}

/* A packet that no longer fits the MTU once encapsulated: with DF, ICMP
 * "fragmentation needed" (MTU 1480) goes back to the client from the VIP
 * and the packet is dropped as mtu_exceeded; without DF the outer packet is
 * fragmented (IPVS's ipip_xmit). A packet of exactly 1480 bytes fits. */
static void tun_too_big(struct fx *x)
{
	struct pb_ip big = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip outer, icmp, inner;
	struct pb_frame in, out;
	const struct pb_frame *inp[1] = { &in };

	setup(x, &TUN, 1);
	inner = hop(&syn);
	outer = pb_ipip(PKTENV_DIP0, RS1, &inner);
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	big.payload_len = 1480 - 40; /* 1480 bytes of IP: fits exactly */
	inner = hop(&big);
	outer = pb_ipip(PKTENV_DIP0, RS1, &inner);
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&big);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	big.payload_len++;
	icmp = pb_icmp_error(VIP, CLIENT, 3, 4, 1480, &big, 28);
	icmp.id = 0;
	in = from_gw(&big);
	out = to(MAC_GW, 0, &icmp);
	fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_MTU_EXCEEDED));

	big.frag = 0;
	big.payload_len = 1900;
	inner = hop(&big);
	outer = pb_ipip(PKTENV_DIP0, RS1, &inner);
	outer.frag = 0;
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&big);
	x->step++;
	if (fx_inject(x, inp, 1)) {
		check_fragments(x, &outer, 2);
		FX_CHECK(x, x->e.w[0]->st.fragments >= 2, "fragments not counted");
		fx_release(x);
	}

	/* No ICMP error about an ICMP error (RFC 1122 3.2.2): a large error
	 * about the connection, with DF, is only dropped. */
	{
		struct pb_ip reply = pb_tcp(VIP, 80, CLIENT, 40000, PB_TH_ACK);
		struct pb_ip err;

		reply.payload_len = 1440;
		err = pb_icmp_error(ROUTER, VIP, 3, 1, 0, &reply, 0);
		err.frag = PB_IP_DF;
		in = from_gw(&err);
		fx_step(x, &in, fx_drop(FWD_DROP_MTU_EXCEEDED));
	}
}

/* The same fragments when the NIC sums their headers. */
static void tun_fragments_offload(struct fx *x)
{
	x->e.env.ports[0].ip_cksum = true;
	tun_too_big(x);
	FX_CHECK(x, x->offloaded > 0, "no fragment's header was left to the NIC");
}

const struct fixture pkt_forward_fixtures[] = {
	{ "dr_syn_then_ack", 0, dr_syn_then_ack },
	{ "dr_other_prefixes", 0, dr_other_prefixes },
	{ "dr_udp", 0, dr_udp },
	{ "udp_flow_in_one_burst", 0, udp_flow_in_one_burst },
	{ "no_real_server", 0, no_real_server },
	{ "dr_ttl_expired", 0, dr_ttl_expired },
	{ "dr_vlan_keeps_tag", 0, dr_vlan_keeps_tag },
	{ "dr_ip_options", 0, dr_ip_options },
	{ "ethernet_padding_trimmed", 0, ethernet_padding_trimmed },
	{ "nat_request", 0, nat_request },
	{ "nat_reply", 0, nat_reply },
	{ "nat_reply_ttl1", 0, nat_reply_ttl1 },
	{ "nat_ip_options", 0, nat_ip_options },
	{ "nat_udp_checksums", 0, nat_udp_checksums },
	{ "tun_ipip", 0, tun_ipip },
	{ "tun_too_big", 0, tun_too_big },
	{ "tun_ip_cksum_offload", 0, tun_ip_cksum_offload },
	{ "tun_fragments_offload", 0, tun_fragments_offload },
};
const size_t pkt_forward_n = RTE_DIM(pkt_forward_fixtures);
