/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fixtures: halb's forwarding behaviour, one named fixture per
 * behaviour, each feeding built frames to the real worker code and holding
 * it to the exact frames, control-core hand-overs and drop counters it must
 * produce (see fx.h for the harness, pktbuild.h for the builder).
 *
 * The scene: clients on the Internet reach the director (port 0,
 * 172.17.1.6) through the gateway 172.17.0.1; real servers sit on
 * 172.17.0.0/16, 192.168.30.0/24 (port 0) and 10.2.0.0/24 (port 1); the
 * VIP is 172.17.100.100.
 *
 * Usage: test_pkt [NAME...]   (no name: every fixture)
 * Prints "ok NAME" or "FAIL NAME: what differed" (details on the following
 * lines, starting with '#'); exits non-zero when a fixture failed.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "fwd_internal.h" /* fwd_conn_gone: the worker loop's wheel callback */
#include "fx.h"

#define VIP        PB_IP4(172, 17, 100, 100)
#define VIP2       PB_IP4(172, 17, 100, 101)
#define RS1        PB_IP4(172, 17, 1, 7)
#define RS2        PB_IP4(172, 17, 1, 8)
#define RS3        PB_IP4(192, 168, 30, 7)
#define RS4        PB_IP4(10, 2, 0, 7)
#define RS_UNKNOWN PB_IP4(172, 17, 1, 9)
#define CLIENT     PB_IP4(198, 51, 100, 10)
#define CLIENT2    PB_IP4(198, 51, 100, 20)
#define CLIENT_L   PB_IP4(10, 2, 0, 50)
#define ROUTER     PB_IP4(203, 0, 113, 1)
#define ROUTER_IN  PB_IP4(172, 17, 5, 5)
#define PEER       PB_IP4(172, 17, 1, 5)

#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP

static const struct pb_mac MAC_GW = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
static const struct pb_mac MAC_RS1 = { { 0x02, 0x00, 0x00, 0x00, 0x01, 0x07 } };
static const struct pb_mac MAC_RS2 = { { 0x02, 0x00, 0x00, 0x00, 0x01, 0x08 } };
static const struct pb_mac MAC_RS3 = { { 0x02, 0x00, 0x00, 0x00, 0x30, 0x07 } };
static const struct pb_mac MAC_RS4 = { { 0x02, 0x00, 0x00, 0x00, 0x02, 0x07 } };
static const struct pb_mac MAC_CLIENT_L = { { 0x02, 0x00, 0x00, 0x00, 0x02, 0x50 } };
static const struct pb_mac MAC_PEER = { { 0x02, 0x00, 0x00, 0x00, 0x01, 0x05 } };
static const struct pb_mac MAC_OTHER = { { 0x02, 0x00, 0x00, 0x00, 0x99, 0x99 } };
static const struct pb_mac MAC_BCAST = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct pb_mac MAC_VRRP = { { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 } };

/* Services the fixtures start from. */
static const struct fx_svc DR = { .vip = VIP,
				  .vport = 80,
				  .fwd = CFG_FWD_DR,
				  .sched = CFG_SCHED_RR,
				  .n_rs = 2,
				  .rs = { { RS1, 80, 1 }, { RS2, 80, 1 } } };
static const struct fx_svc NAT = { .vip = VIP,
				   .vport = 80,
				   .fwd = CFG_FWD_NAT,
				   .sched = CFG_SCHED_RR,
				   .n_rs = 1,
				   .rs = { { RS1, 8080, 1 } } };
static const struct fx_svc NAT_UDP = { .vip = VIP,
				       .vport = 53,
				       .proto = UDP,
				       .fwd = CFG_FWD_NAT,
				       .sched = CFG_SCHED_RR,
				       .n_rs = 1,
				       .rs = { { RS1, 5353, 1 } } };
static const struct fx_svc TUN = { .vip = VIP,
				   .vport = 80,
				   .fwd = CFG_FWD_TUN,
				   .sched = CFG_SCHED_RR,
				   .n_rs = 1,
				   .rs = { { RS1, 80, 1 } } };

/* ------------------------------------------------------------- helpers */

/* A frame as it reaches port 0 from the gateway (client traffic). */
static struct pb_frame from_gw(const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], MAC_GW, ip);
}

/* A frame from a host on port 0's link, addressed to the director. */
static struct pb_frame from(struct pb_mac src, const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], src, ip);
}

/* A frame as the director sends it out of port to dst. */
static struct pb_frame to(struct pb_mac dst, uint8_t port, const struct pb_ip *ip)
{
	return pb_eth(dst, pktenv_port_mac[port], ip);
}

/* The neighbours every fixture knows, then the services. */
static void setup(struct fx *x, const struct fx_svc *svcs, unsigned int n)
{
	fx_neigh(x, PKTENV_GW, MAC_GW);
	fx_neigh(x, RS1, MAC_RS1);
	fx_neigh(x, RS2, MAC_RS2);
	fx_neigh(x, RS3, MAC_RS3);
	fx_neigh(x, RS4, MAC_RS4);
	fx_neigh(x, CLIENT_L, MAC_CLIENT_L);
	if (fx_services(x, svcs, n) != 0)
		fx_fail(x, "cannot publish the services");
}

static bool conn_to(const struct conn *c, uint32_t rip)
{
	return c != NULL && c->daddr == rte_cpu_to_be_32(rip);
}

/* Sends a SYN from client:sport to the VIP's port 80 and expects it on port
 * 0 towards mac, untouched (DR). */
static void dr_syn(struct fx *x, uint32_t client, uint16_t sport, struct pb_mac mac)
{
	struct pb_ip syn = pb_tcp(client, sport, VIP, 80, PB_TH_SYN);
	struct pb_frame in = from_gw(&syn), out = to(mac, 0, &syn);

	fx_step(x, &in, fx_tx(0, &out));
}

/* ------------------------------------------------------------------ DR */

/* A SYN creates the connection (scheduled once), later packets follow it on
 * either worker; only the Ethernet addresses change. */
static void dr_syn_then_ack(struct fx *x)
{
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in, out;
	struct svc_counters ctr;
	struct conn *c;

	setup(x, &DR, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	c = fx_conn(x, CLIENT, 40000, VIP, 80, TCP);
	FX_CHECK(x, conn_to(c, RS1) && c->state == CONN_S_SYN_RECV,
		 "the SYN made no SYN_RECV connection to RS1");

	/* rr would pick RS2 now: the connection keeps its packets on RS1. */
	ack.payload_len = 100;
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 1;
	ack.seq += 100;
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &ack);
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
	out = to(MAC_RS4, 1, &syn);
	fx_step(x, &in, fx_tx(1, &out));
	syn.dst = VIP2;
	in = from_gw(&syn);
	out = to(MAC_RS3, 0, &syn);
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
	out = to(MAC_RS1, 0, &dg);
	fx_step(x, &in, fx_tx(0, &out));
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, conn_to(fx_conn(x, CLIENT, 5000, VIP, 53, UDP), RS1), "no UDP connection");
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
		struct pb_frame out = to(MAC_RS2, 0, &dg[0]);

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

/* IPVS does not decrement the TTL for DR: TTL 0 and 1 go out untouched. */
static void dr_ttl_0_and_1(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &DR, 1);
	syn.ttl = 1;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
	syn.ttl = 0;
	syn.sport = 40001;
	in = from_gw(&syn);
	out = to(MAC_RS2, 0, &syn);
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
	out = to(MAC_RS1, 0, &syn);
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
	out = to(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));

	syn.sport = 40001;
	syn.optlen = 8;
	memcpy(syn.opts, nops, 8);
	syn.payload_len = 10;
	in = from_gw(&syn);
	out = to(MAC_RS2, 0, &syn);
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
	out = to(MAC_RS1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));

	in = from_gw(&ssh);
	in.pad_to = 60;
	out = from_gw(&ssh);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &out));
}

/* ----------------------------------------------------------------- NAT */

/* Requests: destination rewritten to RIP:rport, TTL kept, checksums right. */
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
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	ack.payload_len = 333; /* odd: the sum's last byte is padded */
	ack.payload_seed = 0x5a;
	exp = ack;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &exp);
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
	out = to(MAC_RS1, 0, &exp);
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
	out = to(MAC_RS1, 0, &exp);
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

/* A reply whose TTL runs out goes to the kernel (ICMP time exceeded),
 * unchanged. */
static void nat_reply_ttl1(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip synack = pb_tcp(RS1, 8080, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip exp = syn;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	synack.ttl = 1;
	in = from(MAC_RS1, &synack);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
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
	out = to(MAC_RS1, 0, &exp);
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
	out = to(MAC_RS1, 0, &exp);
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
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* ----------------------------------------------------------------- TUN */

/* IPIP: outer source the port's address, destination the RIP, TTL 64, DF
 * and TOS copied, ids from the worker's counter; the inner packet as is. */
static void tun_ipip(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip outer;
	struct pb_frame in, out;

	setup(x, &TUN, 1);
	syn.tos = 0x28;
	syn.ttl = 50;
	outer = pb_ipip(PKTENV_DIP0, RS1, &syn);
	outer.tos = 0x28;
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	/* Without DF, the outer header has none either. */
	syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	syn.frag = 0;
	syn.payload_len = 1000;
	outer = pb_ipip(PKTENV_DIP0, RS1, &syn);
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

/* A packet that no longer fits the MTU once encapsulated: with DF, ICMP
 * "fragmentation needed" (MTU 1480) goes back to the client from the VIP and
 * the packet is dropped as mtu_exceeded; without DF it is only dropped. A
 * packet of exactly 1480 bytes still fits. */
static void tun_too_big(struct fx *x)
{
	struct pb_ip big = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip outer, icmp;
	struct pb_frame in, out;

	setup(x, &TUN, 1);
	outer = pb_ipip(PKTENV_DIP0, RS1, &syn);
	outer.id = x->e.w[0]->ip_id;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));

	big.payload_len = 1480 - 40; /* 1480 bytes of IP: fits exactly */
	outer = pb_ipip(PKTENV_DIP0, RS1, &big);
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
	in = from_gw(&big);
	fx_step(x, &in, fx_drop(FWD_DROP_MTU_EXCEEDED));

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

/* ----------------------------------------------------------- ICMP errors */

/* An error about a reply the director sent (VIP:80 -> client), from a
 * router on the client's side: to the real server, with the outer
 * destination and the quoted source translated to RIP:rport. Both a whole
 * quote (the TCP checksum inside is fixed too) and the RFC 792 minimum. */
static void icmp_error_nat_to_rs(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip quoted = pb_tcp(VIP, 80, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip quoted_x, icmp, exp;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	quoted.ttl = 60;
	quoted_x = quoted;
	quoted_x.src = RS1;
	quoted_x.sport = 8080;
	for (unsigned int q = 0; q < 2; q++) {
		uint16_t quote = q == 0 ? 0 : 28;

		icmp = pb_icmp_error(ROUTER, VIP, 3, 1, 0, &quoted, quote);
		icmp.ttl = 250;
		exp = pb_icmp_error(ROUTER, RS1, 3, 1, 0, &quoted_x, quote);
		exp.ttl = 250;
		in = from_gw(&icmp);
		out = to(MAC_RS1, 0, &exp);
		fx_step(x, &in, fx_tx(0, &out));
	}

	/* The quoted header carries options: the ports are found past them. */
	quoted.optlen = 4;
	quoted.opts[0] = 0x94;
	quoted.opts[1] = 0x04;
	quoted_x = quoted;
	quoted_x.src = RS1;
	quoted_x.sport = 8080;
	icmp = pb_icmp_error(ROUTER, VIP, 3, 1, 0, &quoted, 0);
	exp = pb_icmp_error(ROUTER, RS1, 3, 1, 0, &quoted_x, 0);
	in = from_gw(&icmp);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* An error about a request the director forwarded (client -> RIP:rport):
 * from the real server itself (port unreachable) its source becomes the
 * VIP; from a router between them it keeps the router's address. The
 * quoted destination becomes VIP:vport, the TTL drops, it is routed to the
 * client. */
static void icmp_error_nat_to_client(struct fx *x)
{
	struct pb_ip dg = pb_udp(CLIENT, 5000, VIP, 53);
	struct pb_ip quoted, quoted_x, icmp, exp;
	struct pb_frame in, out;

	setup(x, &NAT_UDP, 1);
	dg.payload_len = 12;
	exp = dg;
	exp.dst = RS1;
	exp.dport = 5353;
	in = from_gw(&dg);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	quoted = exp; /* what RS1 received */
	quoted_x = dg;
	icmp = pb_icmp_error(RS1, CLIENT, 3, 3, 0, &quoted, 0);
	exp = pb_icmp_error(VIP, CLIENT, 3, 3, 0, &quoted_x, 0);
	exp.ttl = 63;
	in = from(MAC_RS1, &icmp);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	icmp = pb_icmp_error(ROUTER_IN, CLIENT, 11, 0, 0, &quoted, 28);
	exp = pb_icmp_error(ROUTER_IN, CLIENT, 11, 0, 0, &quoted_x, 28);
	exp.ttl = 63;
	in = from(MAC_RS2, &icmp);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* An error about a DR reply (sent by the real server from the VIP) goes to
 * that real server untouched. */
static void icmp_error_dr(struct fx *x)
{
	struct pb_ip quoted = pb_tcp(VIP, 80, CLIENT, 40000, PB_TH_ACK);
	struct pb_ip icmp = pb_icmp_error(ROUTER, VIP, 3, 4, 1400, &quoted, 28);
	struct pb_frame in, out;

	setup(x, &DR, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	in = from_gw(&icmp);
	out = to(MAC_RS1, 0, &icmp);
	fx_step(x, &in, fx_tx(0, &out));

	/* About no connection: the kernel's. */
	quoted.dport = 40999;
	icmp = pb_icmp_error(ROUTER, VIP, 3, 4, 1400, &quoted, 28);
	in = from_gw(&icmp);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

/* A frame in two segments (scattered receive of a large frame) whose
 * quoted packet runs past the first: the worker cannot translate it in
 * place, so the kernel gets it, unchanged; a TCP segment split after its
 * header is forwarded whole. */
static void chained_mbufs(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip quoted = pb_tcp(VIP, 80, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip icmp = pb_icmp_error(ROUTER, VIP, 3, 1, 0, &quoted, 0);
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_ip exp;
	struct pb_frame in, out;

	setup(x, &NAT, 1);
	exp = syn;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	/* Ethernet, IP, ICMP, the quoted IP header and 8 bytes of TCP in the
	 * first segment; the quoted TCP checksum in the second. */
	in = from_gw(&icmp);
	fx_step_split(x, &in, 14 + 20 + 8 + 20 + 8, fx_ctl(PKT_CTL_KERNEL, &in));

	ack.payload_len = 1000;
	exp = ack;
	exp.dst = RS1;
	exp.dport = 8080;
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &exp);
	fx_step_split(x, &in, 14 + 20 + 20 + 100, fx_tx(0, &out));
}

/* --------------------------------------------------------- persistence */

/* Two connections of one client reach the same real server through the
 * template; once connections and template have expired (the wheel turning
 * every 100 ms as in the worker loop) the client is scheduled anew. */
static void persistence(struct fx *x)
{
	struct fx_svc s = DR;
	struct svc_counters ctr;
	struct conn *t;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	dr_syn(x, CLIENT, 1001, MAC_RS1); /* rr alone would pick RS2 */
	t = fx_template(x, CLIENT, VIP, 80, TCP);
	FX_CHECK(x, conn_to(t, RS1) && (t->flags & CONN_F_TEMPLATE), "no template to RS1");
	FX_CHECK(x,
		 fx_conn(x, CLIENT, 1000, VIP, 80, TCP) != NULL &&
		     fx_conn(x, CLIENT, 1001, VIP, 80, TCP) != NULL,
		 "a connection is missing");

	/* Connections (SYN_RECV, 60 s) keep the template past its 30 s. */
	fx_advance(x, 45000, 100);
	FX_CHECK(x, fx_template(x, CLIENT, VIP, 80, TCP) != NULL,
		 "the template died under its connections");
	dr_syn(x, CLIENT, 1002, MAC_RS1);

	/* Everything gone 30 s after the last connection (+1 s of wheel). */
	fx_advance(x, 60000 + 30000 + 1000, 100);
	FX_CHECK(x, fx_conn(x, CLIENT, 1002, VIP, 80, TCP) == NULL, "connection still there");
	FX_CHECK(x, fx_template(x, CLIENT, VIP, 80, TCP) == NULL, "template still there");
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, ctr.active == 0 && ctr.inactive == 0,
		 "RS1 active %" PRId64 " inactive %" PRId64 " after expiry", ctr.active,
		 ctr.inactive);
	dr_syn(x, CLIENT, 1003, MAC_RS2);
	FX_CHECK(x, conn_to(fx_template(x, CLIENT, VIP, 80, TCP), RS2), "no new template");
}

/* A template whose real server went down is dropped for new connections
 * (the client is scheduled anew) but its memory must stay until its own
 * connections, which continue, are gone: another client's template must
 * keep living while that client's connection does. */
static void persistence_server_down(struct fx *x)
{
	struct fx_svc s = DR;
	struct conn *t;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	fx_advance(x, 1000, 100);
	s.rs[0].down = true;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	dr_syn(x, CLIENT, 1000, MAC_RS1); /* its connection goes on */
	dr_syn(x, CLIENT, 1001, MAC_RS2); /* a new one is scheduled anew */
	FX_CHECK(x, conn_to(fx_template(x, CLIENT, VIP, 80, TCP), RS2), "template not replaced");

	/* The old template's slot comes round; then another client. */
	fx_advance(x, 34000, 100);
	dr_syn(x, CLIENT2, 2000, MAC_RS2);
	/* The first connections expire... */
	fx_advance(x, 30000, 100);
	FX_CHECK(x, fx_conn(x, CLIENT, 1000, VIP, 80, TCP) == NULL, "old connection still there");
	/* ...and CLIENT2's template must live on with its connection. */
	fx_advance(x, 10000, 100);
	t = fx_template(x, CLIENT2, VIP, 80, TCP);
	FX_CHECK(x, fx_conn(x, CLIENT2, 2000, VIP, 80, TCP) != NULL, "CLIENT2's connection died");
	FX_CHECK(x, conn_to(t, RS2), "CLIENT2's template died under its connection");
	if (t != NULL)
		FX_CHECK(x, t->n_controlled == 1, "CLIENT2's template controls %u connections",
			 t->n_controlled);
}

/* As IPVS: a persistent client keeps reaching a quiesced (weight 0) server
 * while its template lives; other clients are not sent there. */
static void persistence_quiesced(struct fx *x)
{
	struct fx_svc s = DR;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	s.rs[0].weight = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	dr_syn(x, CLIENT, 1001, MAC_RS1);
	dr_syn(x, CLIENT2, 2000, MAC_RS2);
	dr_syn(x, CLIENT2, 2001, MAC_RS2);
}

/* ------------------------------------------------- services that change */

/* Weight 0 quiesces: no new connection, the existing one continues. */
static void weight_zero(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in, out;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.rs[0].weight = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	for (uint16_t p = 0; p < 6; p++)
		dr_syn(x, CLIENT, (uint16_t)(41000 + p), MAC_RS2);
	fx_step(x, &in, fx_tx(0, &out));
}

/* A real server removed from the service: its connection's next packet is
 * dropped as real_server_gone and the connection is gone, so the client's
 * retry is scheduled anew. */
static void real_server_removed(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack);
	struct svc_counters ctr;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.rs[0] = s.rs[1];
	s.n_rs = 1;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_drop(FWD_DROP_REAL_SERVER_GONE));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "connection still there");
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, ctr.active == 0 && ctr.inactive == 0,
		 "RS1 active %" PRId64 " inactive %" PRId64, ctr.active, ctr.inactive);
	dr_syn(x, CLIENT, 40000, MAC_RS2);
}

/* A VIP this director does not own (BACKUP): new connections and other
 * traffic to it are dropped. */
static void vip_not_owned(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip ping = pb_tcp(CLIENT, 40000, VIP, 443, PB_TH_SYN);
	struct pb_frame in;

	s.not_owned = true;
	setup(x, &s, 1);
	in = from_gw(&syn);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	in = from_gw(&ping);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
}

/* An established connection when the VIP stops being owned: dropped while
 * BACKUP, forwarded again once MASTER. */
static void vip_lost_with_connection(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack), out = to(MAC_RS1, 0, &ack);

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.not_owned = true;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	s.not_owned = false;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_tx(0, &out));
}

/* A TCP segment other than a SYN, with no connection: dropped. */
static void no_connection(struct fx *x)
{
	static const uint8_t flags[] = { PB_TH_ACK, PB_TH_FIN | PB_TH_ACK, PB_TH_RST,
					 PB_TH_SYN | PB_TH_ACK, 0 };

	setup(x, &DR, 1);
	for (unsigned int i = 0; i < RTE_DIM(flags); i++) {
		struct pb_ip seg = pb_tcp(CLIENT, 40000, VIP, 80, flags[i]);
		struct pb_frame in = from_gw(&seg);

		fx_step(x, &in, fx_drop(FWD_DROP_NO_CONNECTION));
	}
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
}

/* The connection table full: the next SYN is dropped, established
 * connections still forward. */
static void conn_table_full(struct fx *x)
{
	struct pb_ip ack = pb_tcp(CLIENT, 1000, VIP, 80, PB_TH_ACK);
	struct pb_ip syn = pb_tcp(CLIENT2, 9999, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;
	struct fx_svc s = DR;

	s.n_rs = 1;
	setup(x, &s, 1);
	for (uint16_t p = 0; p < 64; p++)
		dr_syn(x, CLIENT, (uint16_t)(1000 + p), MAC_RS1);
	in = from_gw(&syn);
	fx_step(x, &in, fx_drop(FWD_DROP_CONN_TABLE_FULL));
	in = from_gw(&ack);
	out = to(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
}

/* A table sized for N connections holds N NAT connections (two keys
 * each), then says it is full. */
static void conn_table_nat_capacity(struct fx *x)
{
	const unsigned int n = 16384;
	struct pb_ip syn[32];
	struct pb_frame fr[32];
	const struct pb_frame *in[32];
	unsigned int sent = 0, dropped = 0, other = 0;
	struct fx_svc s = NAT;

	setup(x, &s, 1);
	for (unsigned int i = 0; i < n + 32; i += 32) {
		for (unsigned int k = 0; k < 32; k++) {
			unsigned int id = i + k;

			syn[k] =
			    pb_tcp(PB_IP4(100, 64, id >> 8, id & 0xff), 40000, VIP, 80, PB_TH_SYN);
			fr[k] = from_gw(&syn[k]);
			in[k] = &fr[k];
		}
		if (!fx_inject(x, in, 32))
			break;
		sent += x->got.n_tx[0];
		dropped += (unsigned int)x->got.drops[FWD_DROP_CONN_TABLE_FULL];
		other += x->got.n_tx[1] + x->got.n_ctl;
		for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
			if (d != FWD_DROP_CONN_TABLE_FULL)
				other += (unsigned int)x->got.drops[d];
		fx_release(x);
	}
	FX_CHECK(x, sent == n && dropped == 32 && other == 0,
		 "%u forwarded, %u dropped as conn_table_full, %u other outcomes (table of %u)",
		 sent, dropped, other, n);
}

/* ---------------------------------------------------------- scheduling */

/* Sends n SYNs from distinct clients in bursts of 32; counts the frames
 * that reached each of RS1 and RS2. */
static void spread(struct fx *x, unsigned int n, unsigned int *to1, unsigned int *to2)
{
	struct pb_ip syn[32];
	struct pb_frame fr[32];
	const struct pb_frame *in[32];
	char err[160];

	*to1 = *to2 = 0;
	for (unsigned int i = 0; i < n; i += 32) {
		unsigned int k, b = RTE_MIN(32u, n - i);

		for (k = 0; k < b; k++) {
			syn[k] = pb_tcp(CLIENT, (uint16_t)(10000 + i + k), VIP, 80, PB_TH_SYN);
			fr[k] = from_gw(&syn[k]);
			in[k] = &fr[k];
		}
		if (!fx_inject(x, in, b))
			return;
		FX_CHECK(x, x->got.n_tx[0] == b && x->got.n_ctl == 0, "burst at %u: %u of %u sent",
			 i, x->got.n_tx[0], b);
		for (k = 0; k < x->got.n_tx[0]; k++) {
			struct rte_mbuf *m = x->got.tx[0][k];
			struct pb_mac d = fx_dst_mac(m);

			*to1 += memcmp(&d, &MAC_RS1, sizeof(d)) == 0;
			*to2 += memcmp(&d, &MAC_RS2, sizeof(d)) == 0;
			if (pb_verify(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), err,
				      sizeof(err)) != 0)
				fx_fail(x, "burst at %u: %s", i, err);
		}
		fx_release(x);
	}
}

static void rr_1_1(struct fx *x)
{
	unsigned int a, b;

	setup(x, &DR, 1);
	spread(x, 3000, &a, &b);
	FX_CHECK(x, a == 1500 && b == 1500, "rr: %u to RS1, %u to RS2", a, b);
}

static void wrr_1_2(struct fx *x)
{
	struct fx_svc s = DR;
	unsigned int a, b;

	s.sched = CFG_SCHED_WRR;
	s.rs[1].weight = 2;
	setup(x, &s, 1);
	spread(x, 3000, &a, &b);
	FX_CHECK(x, a == 1000 && b == 2000, "wrr 1:2: %u to RS1, %u to RS2", a, b);
}

/* ------------------------------------------------------------- expiry */

/* A connection expires within a second of its timeout while the wheel
 * turns every 10 ms, as the worker loop turns it. */
static void conn_expires_on_time(struct fx *x)
{
	setup(x, &DR, 1);
	pktenv_clock(&x->e, x->e.now_ms + 250); /* not on a second boundary */
	dr_syn(x, CLIENT, 40000, MAC_RS1);      /* SYN_RECV: 60 s */
	fx_advance(x, 59000, 10);
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) != NULL, "expired early");
	fx_advance(x, 2000, 10);
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL,
		 "still there 61 s after a SYN_RECV connection was made");
}

/* Connections made in the same second share a wheel slot; one turn of the
 * wheel visits at most its budget of them (1024 in the worker loop) and the
 * next turn goes on where it stopped, until every one has expired. */
static void conn_expiry_over_many_turns(struct fx *x)
{
	const uint32_t n = 3000, budget = 1024;
	struct fwd_worker *w = x->e.w[0];
	unsigned int a, b, turns = 0;
	uint32_t seen, first;
	struct svc_counters c;

	setup(x, &DR, 1);
	pktenv_expire(&x->e); /* the wheels start turning, as the worker loop's do */
	spread(x, n, &a, &b); /* n SYN_RECV connections, all in one second */
	FX_CHECK(x, conn_worker_count(w->cw) == n, "%u connections made of %u",
		 conn_worker_count(w->cw), n);
	pktenv_clock(&x->e, x->e.now_ms + 61000);
	first = conn_worker_run(x->e.env.conns, w->cw, x->e.now_ms, budget, fwd_conn_gone, w);
	pktenv_quiesce(&x->e);
	do {
		seen =
		    conn_worker_run(x->e.env.conns, w->cw, x->e.now_ms, budget, fwd_conn_gone, w);
		pktenv_quiesce(&x->e);
	} while (seen > 0 && ++turns < 100);
	c = fx_counters(x, VIP, 80, TCP, 0, 0);
	FX_CHECK(x, first == budget, "the first turn visited %u, not its budget %u", first, budget);
	FX_CHECK(x, conn_worker_count(w->cw) == 0 && c.inactive == 0 && c.active == 0,
		 "after %u turns: %u connections live, %" PRId64 " inactive, %" PRId64 " active",
		 turns, conn_worker_count(w->cw), c.inactive, c.active);
	FX_CHECK(x,
		 fx_conn(x, CLIENT, 10000, VIP, 80, TCP) == NULL &&
		     fx_conn(x, CLIENT, (uint16_t)(10000 + n - 1), VIP, 80, TCP) == NULL,
		 "an expired connection is still found");
}

/* ---------------------------------------------------------- fragments */

/* halb does not reassemble: fragments to a VIP are dropped; fragments to
 * the director's own address are the kernel's. */
static void fragments(struct fx *x)
{
	struct pb_ip first = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip later = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_ip local = pb_udp(CLIENT, 5000, PKTENV_DIP0, 53);
	struct pb_frame in;

	setup(x, &DR, 1);
	first.frag = PB_IP_MF;
	first.payload_len = 16;
	in = from_gw(&first);
	fx_step(x, &in, fx_drop(FWD_DROP_FRAGMENT));
	later.frag = 185;
	later.payload_len = 8;
	in = from_gw(&later);
	fx_step(x, &in, fx_drop(FWD_DROP_FRAGMENT));

	local.frag = PB_IP_MF;
	local.payload_len = 32;
	in = from_gw(&local);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	local.frag = 5;
	in = from_gw(&local);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

/* ------------------------------------------------------ malformed frames */

/* Renders a SYN to the VIP into b; @return its length (54). */
static size_t syn_bytes(uint8_t *b, size_t cap)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame f = from_gw(&syn);

	return pb_render(&f, b, cap);
}

/* Sets the IP total length of the frame in b (IPv4 at 14), and fixes the
 * header checksum so that only the length is wrong. */
static void set_total(uint8_t *b, uint16_t total)
{
	b[16] = (uint8_t)(total >> 8);
	b[17] = (uint8_t)total;
	pb_fix_ip_csum(b + 14);
}

static size_t short_ethernet(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	return 13;
}

static size_t vlan_tag_cut(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	b[12] = 0x81;
	b[13] = 0x00;
	return 16;
}

static size_t ip_header_cut(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	return 14 + 12;
}

static size_t ip_options_cut(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	b[14] = 0x46; /* 24 bytes of header announced, 22 there */
	pb_fix_ip_csum(b + 14);
	return 14 + 22;
}

static size_t total_length_beyond_frame(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	set_total(b, 41);
	return len;
}

static size_t tcp_header_cut(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	set_total(b, 30);
	return 14 + 30;
}

static size_t tcp_header_cut_padded(uint8_t *b, size_t cap)
{
	syn_bytes(b, cap);
	set_total(b, 30);
	memset(b + 14 + 30, 0, 60 - (14 + 30));
	return 60;
}

static size_t tcp_options_cut(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	b[14 + 20 + 12] = 0xf0; /* data offset 15: 60 bytes announced */
	return len;
}

static size_t udp_header_cut(uint8_t *b, size_t cap)
{
	struct pb_ip dg = pb_udp(CLIENT, 5000, VIP, 53);
	struct pb_frame f = from_gw(&dg);

	pb_render(&f, b, cap);
	set_total(b, 24);
	return 14 + 24;
}

static size_t arp_cut(uint8_t *b, size_t cap)
{
	uint8_t arp[28];
	struct pb_frame f;

	pb_arp(1, MAC_GW, PKTENV_GW, (struct pb_mac){ { 0 } }, PKTENV_DIP0, arp, sizeof(arp));
	f = pb_eth_raw(MAC_BCAST, MAC_GW, PB_ETH_ARP, arp, sizeof(arp));
	return pb_render(&f, b, cap) - 1;
}

static size_t ip_version_6(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	b[14] = 0x65;
	pb_fix_ip_csum(b + 14);
	return len;
}

static size_t ip_ihl_below_5(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	b[14] = 0x44;
	return len;
}

static size_t ip_total_below_ihl(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	set_total(b, 19);
	return len;
}

static size_t ip_bad_checksum(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	b[24] ^= 0x01;
	return len;
}

static size_t tcp_data_offset_below_5(uint8_t *b, size_t cap)
{
	size_t len = syn_bytes(b, cap);

	b[14 + 20 + 12] = 0x40;
	return len;
}

/* A malformed frame, how it is made, and the reason it is dropped for. */
struct malformed {
	const char *name;
	size_t (*make)(uint8_t *b, size_t cap);
	enum fwd_drop why;
};

static const struct malformed malformed[] = {
	{ "truncated_short_ethernet", short_ethernet, FWD_DROP_TRUNCATED },
	{ "truncated_vlan_tag", vlan_tag_cut, FWD_DROP_TRUNCATED },
	{ "truncated_ip_header", ip_header_cut, FWD_DROP_TRUNCATED },
	{ "truncated_ip_options", ip_options_cut, FWD_DROP_TRUNCATED },
	{ "truncated_total_length_beyond_frame", total_length_beyond_frame, FWD_DROP_TRUNCATED },
	{ "truncated_tcp_header", tcp_header_cut, FWD_DROP_TRUNCATED },
	{ "truncated_tcp_header_padded", tcp_header_cut_padded, FWD_DROP_TRUNCATED },
	{ "truncated_tcp_options", tcp_options_cut, FWD_DROP_TRUNCATED },
	{ "truncated_udp_header", udp_header_cut, FWD_DROP_TRUNCATED },
	{ "truncated_arp", arp_cut, FWD_DROP_TRUNCATED },
	{ "bad_ip_version_6", ip_version_6, FWD_DROP_BAD_IP_HEADER },
	{ "bad_ip_ihl_below_5", ip_ihl_below_5, FWD_DROP_BAD_IP_HEADER },
	{ "bad_ip_total_below_ihl", ip_total_below_ihl, FWD_DROP_BAD_IP_HEADER },
	{ "bad_ip_checksum", ip_bad_checksum, FWD_DROP_BAD_IP_CHECKSUM },
	{ "bad_tcp_data_offset_below_5", tcp_data_offset_below_5, FWD_DROP_BAD_L4_HEADER },
};

/* Each malformed frame is dropped under its reason, makes no connection,
 * and a good SYN after it still goes through. */
static void run_malformed(struct fx *x)
{
	const struct malformed *mf = x->arg;
	uint8_t b[PB_FRAME_MAX];
	size_t len;

	setup(x, &DR, 1);
	len = mf->make(b, sizeof(b));
	fx_step_raw(x, b, len, fx_drop(mf->why));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
	dr_syn(x, CLIENT, 40000, MAC_RS1);
}

/* ------------------------------------------------ not for the workers */

static void not_for_us(struct fx *x)
{
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in = pb_eth(MAC_OTHER, MAC_GW, &syn);

	setup(x, &DR, 1);
	fx_step(x, &in, fx_drop(FWD_DROP_NOT_FOR_US));
	/* port 0's MAC arriving on port 1 */
	in = from_gw(&syn);
	x->in_port = 1;
	fx_step(x, &in, fx_drop(FWD_DROP_NOT_FOR_US));
}

static void arp_to_control(struct fx *x)
{
	uint8_t arp[28];
	struct pb_frame in;

	setup(x, &DR, 1);
	pb_arp(1, MAC_GW, PKTENV_GW, (struct pb_mac){ { 0 } }, PKTENV_DIP0, arp, sizeof(arp));
	in = pb_eth_raw(MAC_BCAST, MAC_GW, PB_ETH_ARP, arp, sizeof(arp));
	in.pad_to = 60;
	fx_step(x, &in, fx_ctl(PKT_CTL_ARP, &in));
	pb_arp(2, MAC_RS1, RS1, pktenv_port_mac[0], PKTENV_DIP0, arp, sizeof(arp));
	in = pb_eth_raw(pktenv_port_mac[0], MAC_RS1, PB_ETH_ARP, arp, sizeof(arp));
	fx_step(x, &in, fx_ctl(PKT_CTL_ARP, &in));
	/* for the VIP, tagged */
	pb_arp(1, MAC_GW, PKTENV_GW, (struct pb_mac){ { 0 } }, VIP, arp, sizeof(arp));
	in = pb_eth_raw(MAC_BCAST, MAC_GW, PB_ETH_ARP, arp, sizeof(arp));
	in.vlan = 7;
	fx_step(x, &in, fx_ctl(PKT_CTL_ARP, &in));
}

static void vrrp_to_control(struct fx *x)
{
	static const uint8_t advert[20] = { 0x21, 51, 100, 1, 0, 1, 0, 0, 172, 17, 100, 100 };
	struct pb_ip ip = { .src = PEER,
			    .dst = PB_IP4(224, 0, 0, 18),
			    .proto = PB_PROTO_VRRP,
			    .ttl = 255,
			    .payload = advert,
			    .payload_len = sizeof(advert) };
	struct pb_frame in = pb_eth(MAC_VRRP, MAC_PEER, &ip);

	setup(x, &DR, 1);
	fx_step(x, &in, fx_ctl(PKT_CTL_VRRP, &in));
	/* unicast VRRP to the director */
	ip.dst = PKTENV_DIP0;
	in = from(MAC_PEER, &ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_VRRP, &in));
}

/* EtherTypes halb does not handle (IPv6, LLDP, a second VLAN tag): the
 * kernel's, unchanged. */
static void unknown_ethertype(struct fx *x)
{
	static const uint8_t ipv6[40] = { 0x60 };
	static const uint8_t lldp[16] = { 0x02, 0x07, 0x04 };
	static const uint8_t qinq[50] = { 0x08, 0x00, 0x45 };
	const struct pb_mac lldp_mac = { { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e } };
	struct pb_frame in;

	setup(x, &DR, 1);
	in = pb_eth_raw(pktenv_port_mac[0], MAC_GW, 0x86dd, ipv6, sizeof(ipv6));
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	in = pb_eth_raw(lldp_mac, MAC_GW, 0x88cc, lldp, sizeof(lldp));
	in.pad_to = 60;
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	in = pb_eth_raw(pktenv_port_mac[0], MAC_GW, PB_ETH_VLAN, qinq, sizeof(qinq));
	in.vlan = 5;
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

/* IPv4 that is no service's: the director's own, multicast, transit. The
 * kernel's, unchanged. */
static void local_traffic_to_kernel(struct fx *x)
{
	struct pb_ip ip;
	struct pb_frame in;

	setup(x, &DR, 1);
	ip = pb_tcp(CLIENT, 40000, PKTENV_DIP0, 22, PB_TH_SYN); /* SSH to the director */
	in = from_gw(&ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	ip = pb_tcp(CLIENT, 40000, VIP, 443, PB_TH_SYN); /* an owned VIP, no service */
	in = from_gw(&ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	ip = pb_udp(CLIENT, 40000, VIP, 80); /* the service is TCP */
	in = from_gw(&ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	ip = pb_icmp_error(CLIENT, VIP, 8, 0, 0x12340001, NULL, 0); /* echo request */
	ip.payload_len = 56;
	in = from_gw(&ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	ip = pb_udp(PKTENV_DIP1 + 1, 5353, PB_IP4(224, 0, 0, 251), 5353); /* multicast */
	in = pb_eth((struct pb_mac){ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb } }, MAC_CLIENT_L, &ip);
	x->in_port = 1;
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	x->in_port = 0;
	ip = pb_tcp(CLIENT, 40000, PB_IP4(8, 8, 8, 8), 53, PB_TH_SYN); /* transit */
	in = from_gw(&ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

/* --------------------------------------------------------- neighbours */

/* The next hop's MAC is unknown (no entry, or one being resolved): the
 * frame, ready but for its destination MAC, waits at the control core. */
static void neigh_unresolved(struct fx *x)
{
	struct fx_svc s = NAT;
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip synack = pb_tcp(RS_UNKNOWN, 8080, CLIENT, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip exp;
	struct pb_frame in, out;

	s.rs[0].addr = RS_UNKNOWN;
	fx_neigh(x, RS1, MAC_RS1);
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	exp = syn;
	exp.dst = RS_UNKNOWN;
	exp.dport = 8080;
	in = from_gw(&syn);
	out = to(MAC_BCAST, 0, &exp);
	fx_step(x, &in, fx_resolve(0, RS_UNKNOWN, &out));

	/* The reply's gateway is unknown too. */
	exp = synack;
	exp.src = VIP;
	exp.sport = 80;
	exp.ttl = 63;
	in = from(MAC_RS1, &synack);
	out = to(MAC_BCAST, 0, &exp);
	fx_step(x, &in, fx_resolve(0, PKTENV_GW, &out));

	/* Being resolved (INCOMPLETE): still waiting. */
	if (pktenv_neigh_pending(&x->e, RS2) < 0)
		fx_fail(x, "cannot start resolving RS2");
	s = DR;
	s.n_rs = 1;
	s.rs[0] = (struct fx_rs){ RS2, 80, 1 };
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	syn.sport = 40001;
	in = from_gw(&syn);
	out = to(MAC_BCAST, 0, &syn);
	fx_step(x, &in, fx_resolve(0, RS2, &out));
	FX_CHECK(x, x->e.solicited == 1, "%u ARP requests", x->e.solicited);

	/* Once the control core has learned it, frames go straight out. */
	fx_neigh(x, RS2, MAC_RS2);
	syn.flags = PB_TH_ACK;
	in = from_gw(&syn);
	out = to(MAC_RS2, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
}

/* Frames the control core sends through a worker's ring go out as they
 * are, on the port they name. */
static void control_tx(struct fx *x)
{
	uint8_t arp[28], b[PB_FRAME_MAX];
	struct pb_frame f;
	struct rte_mbuf *m, *got[4];
	unsigned int n;
	size_t len;

	setup(x, &DR, 1);
	x->step++;
	pb_arp(1, pktenv_port_mac[1], PKTENV_DIP1, (struct pb_mac){ { 0 } }, RS4, arp, sizeof(arp));
	f = pb_eth_raw(MAC_BCAST, pktenv_port_mac[1], PB_ETH_ARP, arp, sizeof(arp));
	len = pb_render(&f, b, sizeof(b));
	m = pktenv_mbuf(&x->e, b, len);
	if (m == NULL) {
		fx_fail(x, "no mbuf");
		return;
	}
	pkt_meta(m)->out_port = 1;
	pkt_meta(m)->ctl = PKT_CTL_TX;
	if (rte_ring_enqueue(x->e.w[0]->from_ctl, m) != 0) {
		rte_pktmbuf_free(m);
		fx_fail(x, "cannot enqueue");
		return;
	}
	fwd_drain_control(x->e.w[0]);
	fwd_flush(x->e.w[0]);
	FX_CHECK(x, pktenv_take_tx(&x->e, 0, got, 4) == 0, "sent on port 0");
	n = pktenv_take_tx(&x->e, 1, got, 4);
	FX_CHECK(x,
		 n == 1 && rte_pktmbuf_data_len(got[0]) == len &&
		     memcmp(rte_pktmbuf_mtod(got[0], void *), b, len) == 0,
		 "%u frames on port 1", n);
	FX_CHECK(x, x->e.w[0]->st.from_control == 1, "from_control %" PRIu64,
		 x->e.w[0]->st.from_control);
	rte_pktmbuf_free_bulk(got, n);
}

/* ------------------------------------------------------------ the table */

struct fixture {
	const char *name;
	uint32_t max_conns; /* 0: 4096 */
	void (*run)(struct fx *x);
	const void *arg; /* x->arg */
};

static const struct fixture fixtures[] = {
	{ "dr_syn_then_ack", 0, dr_syn_then_ack },
	{ "dr_other_prefixes", 0, dr_other_prefixes },
	{ "dr_udp", 0, dr_udp },
	{ "udp_flow_in_one_burst", 0, udp_flow_in_one_burst },
	{ "no_real_server", 0, no_real_server },
	{ "dr_ttl_0_and_1", 0, dr_ttl_0_and_1 },
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
	{ "icmp_error_nat_to_rs", 0, icmp_error_nat_to_rs },
	{ "icmp_error_nat_to_client", 0, icmp_error_nat_to_client },
	{ "icmp_error_dr", 0, icmp_error_dr },
	{ "chained_mbufs", 0, chained_mbufs },
	{ "persistence", 0, persistence },
	{ "persistence_server_down", 0, persistence_server_down },
	{ "persistence_quiesced", 0, persistence_quiesced },
	{ "weight_zero", 0, weight_zero },
	{ "real_server_removed", 0, real_server_removed },
	{ "vip_not_owned", 0, vip_not_owned },
	{ "vip_lost_with_connection", 0, vip_lost_with_connection },
	{ "no_connection", 0, no_connection },
	{ "conn_table_full", 64, conn_table_full },
	{ "conn_table_nat_capacity", 16384, conn_table_nat_capacity },
	{ "rr_1_1", 8192, rr_1_1 },
	{ "wrr_1_2", 8192, wrr_1_2 },
	{ "conn_expires_on_time", 0, conn_expires_on_time },
	{ "conn_expiry_over_many_turns", 8192, conn_expiry_over_many_turns },
	{ "fragments", 0, fragments },
	{ "not_for_us", 0, not_for_us },
	{ "arp_to_control", 0, arp_to_control },
	{ "vrrp_to_control", 0, vrrp_to_control },
	{ "unknown_ethertype", 0, unknown_ethertype },
	{ "local_traffic_to_kernel", 0, local_traffic_to_kernel },
	{ "neigh_unresolved", 0, neigh_unresolved },
	{ "control_tx", 0, control_tx },
};

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

static bool run_fixture(struct pktenv_base *base, const struct fixture *f)
{
	unsigned int in_use = rte_mempool_in_use_count(base->pool);
	struct fx *x = calloc(1, sizeof(*x));
	bool ok;

	if (x == NULL) {
		printf("FAIL %s: out of memory\n", f->name);
		return false;
	}
	x->name = f->name;
	x->arg = f->arg;
	x->logf = open_memstream(&x->log, &x->log_len);
	if (x->logf == NULL || pktenv_open(&x->e, base, f->max_conns ? f->max_conns : 4096) != 0) {
		printf("FAIL %s: cannot set up\n", f->name);
		free(x);
		return false;
	}
	f->run(x);
	pktenv_close(&x->e);
	if (rte_mempool_in_use_count(base->pool) != in_use)
		fx_fail(x, "%u mbufs leaked", rte_mempool_in_use_count(base->pool) - in_use);
	fclose(x->logf);
	ok = !x->failed;
	if (ok)
		printf("ok %s\n", f->name);
	else
		printf("FAIL %s: %s\n%s", f->name, x->first, x->log != NULL ? x->log : "");
	fflush(stdout);
	free(x->log);
	free(x);
	return ok;
}

int main(int argc, char **argv)
{
	struct pktenv_base base;
	unsigned int run = 0, failed = 0;

	if (pktenv_base_init(&base, argv[0], false) != 0)
		return 2;
	for (size_t i = 0; i < RTE_DIM(fixtures); i++) {
		if (!selected(fixtures[i].name, argc, argv))
			continue;
		run++;
		failed += !run_fixture(&base, &fixtures[i]);
	}
	for (size_t i = 0; i < RTE_DIM(malformed); i++) {
		const struct fixture f = { malformed[i].name, 0, run_malformed, &malformed[i] };

		if (!selected(f.name, argc, argv))
			continue;
		run++;
		failed += !run_fixture(&base, &f);
	}
	printf("%u fixtures, %u failed\n", run, failed);
	pktenv_base_cleanup();
	return failed != 0 || run == 0 ? 1 : 0;
}
