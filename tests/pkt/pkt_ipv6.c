/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures for IPv6 forwarding (the scene is in scene.h): DR, NAT
 * both ways, TUN in every combination IPVS allows (IPv6 in IPv6, IPv4 in
 * IPv6, IPv6 in IPv4), the hop limit, Packet Too Big, persistence by
 * prefix, extension headers kept and hostile chains refused, fragments.
 * Every forwarded packet is one hop on: its hop limit one less.
 */
#include "scene.h"

/* Sends a SYN from client:sport to the IPv6 VIP's port 80 and expects it on
 * port 0 towards mac, untouched but for the hop limit (DR). */
static void dr6_syn(struct fx *x, const uint8_t *client, uint16_t sport, struct pb_mac mac)
{
	struct pb_ip syn = pb_tcp6(client, sport, VIP6, 80, PB_TH_SYN);
	struct pb_frame in = from_gw(&syn), out = to_fwd(mac, 0, &syn);

	fx_step(x, &in, fx_tx(0, &out));
}

/* ------------------------------------------------------------------ DR */

/* A SYN makes the connection, its ACK follows it (also through the other
 * worker), the next client is rr's second pick; the IPv6 connection is in
 * the table's 64-byte entries. */
static void dr6_syn_then_ack(struct fx *x)
{
	struct pb_ip ack = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_ACK);
	struct pb_frame in, out;
	struct conn *c;

	setup(x, &DR6, 1);
	dr6_syn(x, CLIENT6, 40000, MAC_RS6_1);
	c = fx_conn6(x, CLIENT6, 40000, VIP6, 80, TCP);
	FX_CHECK(x, conn_to6(x, c, RS6_1) && (c->flags & CONN_F_V6), "no IPv6 connection to RS1");
	ack.payload_len = 200;
	in = from_gw(&ack);
	out = to_fwd(MAC_RS6_1, 0, &ack);
	x->wid = 1;
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 0;
	c = fx_conn6(x, CLIENT6, 40000, VIP6, 80, TCP);
	FX_CHECK(x, c != NULL && c->state == CONN_S_ESTABLISHED, "not ESTABLISHED after the ACK");
	dr6_syn(x, CLIENT6, 40001, MAC_RS6_2);
}

/* Hop-by-Hop and Destination Options headers stay as they came; the
 * connection is keyed by the TCP ports past them. */
static void dr6_extension_headers(struct fx *x)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &DR6, 1);
	pb_ext_add(&syn, PB_EXT_HOPOPTS, 8, 0, 0, false);
	pb_ext_add(&syn, PB_EXT_DSTOPTS, 16, 0, 0, false);
	in = from_gw(&syn);
	out = to_fwd(MAC_RS6_1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, fx_conn6(x, CLIENT6, 40000, VIP6, 80, TCP) != NULL, "no connection");
	/* an atomic fragment (offset 0, no more) is a whole packet */
	syn = pb_tcp6(CLIENT6, 40001, VIP6, 80, PB_TH_SYN);
	pb_ext_add(&syn, PB_EXT_FRAGMENT, 8, 0, 0, false);
	in = from_gw(&syn);
	out = to_fwd(MAC_RS6_2, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
}

/* The hop limit: 1 cannot go on (time exceeded back from the port's
 * address, routed to the client); a director BACKUP for the VIP does not
 * serve it. */
static void dr6_hop_limit_and_owner(struct fx *x)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_ip err;
	struct pb_frame in, out;
	struct fx_svc s = DR6;

	setup(x, &DR6, 1);
	syn.ttl = 1;
	err = pb_icmp6_error(PKTENV_DIP0_6, CLIENT6, 3, 0, 0, &syn, 0);
	in = from_gw(&syn);
	out = to(MAC_GW, 0, &err);
	fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_TTL_EXCEEDED));
	/* a port with no global address would answer from its link-local
	 * one, which the client off the link would discard: no answer */
	{
		uint8_t global[16];

		memcpy(global, x->e.env.ports[0].addr6, 16);
		memcpy(x->e.env.ports[0].addr6, PKTENV_LL0, 16);
		fx_step(x, &in, fx_drop(FWD_DROP_TTL_EXCEEDED));
		memcpy(x->e.env.ports[0].addr6, global, 16);
	}
	s.not_owned = true;
	setup(x, &s, 1);
	syn.ttl = 64;
	in = from_gw(&syn);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
}

/* persistence_granularity 64: clients of one /64 reach one real server,
 * another /64 is scheduled anew (rr: the other one). */
static void dr6_persistence_prefix(struct fx *x)
{
	struct fx_svc s = DR6;

	s.persist_s = 300;
	s.persist_plen6 = 64;
	setup(x, &s, 1);
	dr6_syn(x, CLIENT6, 40000, MAC_RS6_1);
	dr6_syn(x, CLIENT6_2, 40000, MAC_RS6_1); /* same /64: the template's */
	dr6_syn(x, CLIENT6_FAR, 40000, MAC_RS6_2);
	dr6_syn(x, CLIENT6, 40001, MAC_RS6_1);
}

/* ----------------------------------------------------------------- NAT */

/* Requests to the real server's address and port, replies back from the
 * VIP through the IPv6 default route; the TCP checksum made right by the
 * incremental update over 128 bits (pb_verify sums from scratch). */
static void nat6_both_ways(struct fx *x)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_ip rsyn = syn,
		     reply = pb_tcp6(RS6_1, 8080, CLIENT6, 40000, PB_TH_SYN | PB_TH_ACK);
	struct pb_ip out_reply = reply;
	struct pb_frame in, out;

	setup(x, &NAT6, 1);
	memcpy(rsyn.dst6, RS6_1, 16);
	rsyn.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS6_1, 0, &rsyn);
	fx_step(x, &in, fx_tx(0, &out));
	memcpy(out_reply.src6, VIP6, 16);
	out_reply.sport = 80;
	reply.payload_len = 33;
	out_reply.payload_len = 33;
	in = from(MAC_RS6_1, &reply);
	out = to_fwd(MAC_GW, 0, &out_reply);
	fx_step(x, &in, fx_tx(0, &out));
	/* UDP: the same, the checksum mandatory in IPv6 */
	{
		struct fx_svc u = NAT6;
		struct pb_ip dg = pb_udp6(CLIENT6, 5000, VIP6, 53), rdg;

		u.proto = UDP;
		u.vport = 53;
		u.rs[0].port = 5353;
		setup(x, &u, 1);
		dg.payload_len = 21;
		rdg = dg;
		memcpy(rdg.dst6, RS6_1, 16);
		rdg.dport = 5353;
		in = from_gw(&dg);
		out = to_fwd(MAC_RS6_1, 0, &rdg);
		fx_step(x, &in, fx_tx(0, &out));
	}
}

/* A NAT reply that reaches the worker that does not own the connection
 * goes to the owner (the client's hash chose it), and out from there. */
static void nat6_reply_other_worker(struct fx *x)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_ip reply = pb_tcp6(RS6_1, 8080, CLIENT6, 40000, PB_TH_ACK);
	struct pb_ip out_reply = reply, rsyn = syn;
	struct pb_frame in, out;

	setup(x, &NAT6, 1);
	memcpy(rsyn.dst6, RS6_1, 16);
	rsyn.dport = 8080;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS6_1, 0, &rsyn);
	for (uint16_t w = 0; w < PKTENV_WORKERS; w++) {
		x->wid = w;
		fx_step(x, &in, fx_tx(0, &out));
	}
	memcpy(out_reply.src6, VIP6, 16);
	out_reply.sport = 80;
	in = from(MAC_RS6_1, &reply);
	out = to_fwd(MAC_GW, 0, &out_reply);
	for (uint16_t w = 0; w < PKTENV_WORKERS; w++) {
		x->wid = w;
		fx_step(x, &in, fx_tx(0, &out));
	}
	x->wid = 0;
}

/* ----------------------------------------------------------------- TUN */

/* IPv6 in IPv6 to an IPv6 real server, IPv4 in IPv6 when an IPv4 service
 * has one (IPVS allows families to mix for TUN only), IPv6 in IPv4 the
 * other way: the outer header from the port's address of the real
 * server's family, hop limit (TTL) 64, the inner packet one hop on. */
static void tun6_every_family(struct fx *x)
{
	struct pb_ip syn6 = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_ip syn4 = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip in6 = hop(&syn6), in4 = hop(&syn4), outer;
	struct fx_svc s[2] = { TUN6, TUN };
	struct pb_frame in, out;

	s[1].rs[0] =
	    (struct fx_rs){ .af = 6, .addr6 = PB_IP6_INIT(RS6_4_G), .port = 80, .weight = 1 };
	setup(x, s, 2);
	outer = pb_ip6ip(PKTENV_DIP0_6, RS6_1, &in6);
	in = from_gw(&syn6);
	out = to(MAC_RS6_1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));
	outer = pb_ip6ip(PKTENV_DIP1_6, RS6_4, &in4);
	in = from_gw(&syn4);
	out = to(MAC_RS6_4, 1, &outer);
	fx_step(x, &in, fx_tx(1, &out));
	/* IPv6 in IPv4: an IPv6 service of an IPv4 real server */
	s[0].rs[0] = (struct fx_rs){ RS1, 80, 1 };
	setup(x, s, 1);
	outer = pb_ipip(PKTENV_DIP0, RS1, &in6);
	outer.frag = 0; /* DF only above 1280 bytes (RFC 4213 3.2) */
	outer.id = x->e.w[0]->ip_id;
	syn6.sport = 40002;
	in6.sport = 40002;
	in = from_gw(&syn6);
	out = to(MAC_RS1, 0, &outer);
	fx_step(x, &in, fx_tx(0, &out));
}

/* Injects in, which must come out in two fragments of the port's MTU
 * (1300) with the same Fragment id. @return that id. */
static uint32_t tun6_fragments(struct fx *x, const struct pb_frame *in)
{
	const struct pb_frame *one[1] = { in };
	uint32_t id[2] = { 0, 0 };

	x->step++;
	if (!fx_inject(x, one, 1))
		return 0;
	FX_CHECK(x, x->got.n_tx[0] == 2, "%u fragments, expected 2", x->got.n_tx[0]);
	for (unsigned int i = 0; i < x->got.n_tx[0] && i < 2; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(x->got.tx[0][i], uint8_t *);

		FX_CHECK(x,
			 f[14 + 6] == PB_EXT_FRAGMENT &&
			     rte_pktmbuf_pkt_len(x->got.tx[0][i]) <= 14 + 1300,
			 "fragment %u: next header %u, %u bytes", i, f[14 + 6],
			 rte_pktmbuf_pkt_len(x->got.tx[0][i]));
		memcpy(&id[i], f + 14 + 40 + 4, 4);
	}
	FX_CHECK(x, id[0] == id[1], "the fragments of one packet have ids %08x and %08x", id[0],
		 id[1]);
	fx_release(x);
	return id[0];
}

/* Packet Too Big: an IPv6 packet that does not fit with the tunnel's
 * header gets one back (from the VIP, the MTU less the header); one of at
 * most 1280 bytes has its outer packet fragmented instead (RFC 2473). */
static void tun6_packet_too_big(struct fx *x)
{
	struct pb_ip big = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_ip err, small;
	struct pb_frame in, out;

	setup(x, &TUN6, 1);
	big.payload_len = 1500 - 40 - 20; /* a full 1500-byte packet */
	err = pb_icmp6_error(VIP6, CLIENT6, 2, 0, 1460, &big, 1280 - 48);
	in = from_gw(&big);
	out = to(MAC_GW, 0, &err);
	fx_step(x, &in, fx_and_drop(fx_tx(0, &out), FWD_DROP_MTU_EXCEEDED));
	/* 1280 bytes inside, 1320 outside, over a 1300-byte MTU: two pieces */
	x->e.env.ports[0].mtu = 1300;
	small = pb_tcp6(CLIENT6, 40001, VIP6, 80, PB_TH_SYN);
	small.payload_len = 1280 - 60;
	in = from_gw(&small);
	{
		uint32_t first = tun6_fragments(x, &in);

		/* the next packet's fragments: another id (RFC 8200 4.5) */
		small.sport = 40002;
		in = from_gw(&small);
		FX_CHECK(x, tun6_fragments(x, &in) != first,
			 "two packets' fragments share the id %" PRIu32, first);
	}
	x->e.env.ports[0].mtu = 1500;
}

/* ---------------------------------------------------- hostile and broken */

/* One row per malformed or hostile extension header chain: each is
 * counted under its reason and goes nowhere. */
struct bad_chain {
	const char *what;
	enum fwd_drop why;
	void (*make)(struct pb_ip *p);
};

static void chain_too_many(struct pb_ip *p)
{
	for (int i = 0; i < PKT_IPV6_EXT_MAX + 1; i++)
		pb_ext_add(p, PB_EXT_DSTOPTS, 8, 0, 0, false);
}

static void chain_too_long(struct pb_ip *p)
{
	/* each header at most 2 KiB: 4 of 144 bytes and more pass the frame's
	 * room only in length, not in count */
	pb_ext_add(p, PB_EXT_DSTOPTS, 8, 0, 0, false);
	p->ext[1] = 70; /* 568 bytes: past the chain's bound, within the frame */
	p->payload_len = 600;
}

static void chain_hbh_second(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_DSTOPTS, 8, 0, 0, false);
	pb_ext_add(p, PB_EXT_HOPOPTS, 8, 0, 0, false);
}

static void chain_two_fragments(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_FRAGMENT, 8, 0, 0, false);
	pb_ext_add(p, PB_EXT_FRAGMENT, 8, 0, 0, false);
}

static void chain_rh0(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_ROUTING, 24, 1, 0, false);
}

static void chain_routed(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_ROUTING, 24, 1, 4, false); /* a segment routing header */
}

static void chain_cut(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_DSTOPTS, 8, 0, 0, false);
	p->ext[1] = 20; /* 168 bytes, past the packet */
}

static void first_fragment(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_FRAGMENT, 8, 0, 0, true);
}

static void later_fragment(struct pb_ip *p)
{
	pb_ext_add(p, PB_EXT_FRAGMENT, 8, 0, 100, false);
	p->no_l4 = true;
}

static const struct bad_chain bad_chains[] = {
	{ "nine extension headers", FWD_DROP_IPV6_EXT_CHAIN, chain_too_many },
	{ "a 568-byte extension header", FWD_DROP_IPV6_EXT_CHAIN, chain_too_long },
	{ "Hop-by-Hop Options second", FWD_DROP_BAD_IPV6_EXT, chain_hbh_second },
	{ "two Fragment headers", FWD_DROP_BAD_IPV6_EXT, chain_two_fragments },
	{ "a type 0 Routing header with segments left", FWD_DROP_BAD_IPV6_EXT, chain_rh0 },
	{ "to the VIP with segments left", FWD_DROP_IPV6_ROUTING, chain_routed },
	{ "a header running past the packet", FWD_DROP_TRUNCATED, chain_cut },
	{ "a first fragment", FWD_DROP_FRAGMENT, first_fragment },
	{ "a later fragment", FWD_DROP_FRAGMENT, later_fragment },
};

static void ipv6_bad_chains(struct fx *x)
{
	setup(x, &DR6, 1);
	for (size_t i = 0; i < RTE_DIM(bad_chains); i++) {
		struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
		struct pb_frame in;

		bad_chains[i].make(&syn);
		in = from_gw(&syn);
		if (!fx_step(x, &in, fx_drop(bad_chains[i].why)))
			fprintf(x->logf, "# (that was: %s)\n", bad_chains[i].what);
	}
	FX_CHECK(x, fx_conn6(x, CLIENT6, 40000, VIP6, 80, TCP) == NULL,
		 "a refused packet made a connection");
}

/* Broken IPv6 headers, as raw bytes: each under its reason. */
static void ipv6_bad_headers(struct fx *x)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_frame f = from_gw(&syn);
	uint8_t b[PB_FRAME_MAX];
	size_t n;

	setup(x, &DR6, 1);
	n = pb_render(&f, b, sizeof(b));
	fx_step_raw(x, b, 14 + 39, fx_drop(FWD_DROP_TRUNCATED)); /* a header cut short */
	b[18] = b[19] = 0;                                       /* a jumbogram */
	fx_step_raw(x, b, n, fx_drop(FWD_DROP_BAD_IP_HEADER));
	n = pb_render(&f, b, sizeof(b));
	b[19] += 8; /* a payload length past the frame */
	fx_step_raw(x, b, n, fx_drop(FWD_DROP_TRUNCATED));
	n = pb_render(&f, b, sizeof(b));
	b[14] = 0x50; /* version 5 under the IPv6 EtherType */
	fx_step_raw(x, b, n, fx_drop(FWD_DROP_BAD_IP_HEADER));
	n = pb_render(&f, b, sizeof(b));
	b[14 + 40 + 12] = 0x30; /* a TCP data offset of 3 words */
	fx_step_raw(x, b, n, fx_drop(FWD_DROP_BAD_L4_HEADER));
}

const struct fixture pkt_ipv6_fixtures[] = {
	{ "dr6_syn_then_ack", 0, dr6_syn_then_ack },
	{ "dr6_extension_headers", 0, dr6_extension_headers },
	{ "dr6_hop_limit_and_owner", 0, dr6_hop_limit_and_owner },
	{ "dr6_persistence_prefix", 0, dr6_persistence_prefix },
	{ "nat6_both_ways", 0, nat6_both_ways },
	{ "nat6_reply_other_worker", 0, nat6_reply_other_worker },
	{ "tun6_every_family", 0, tun6_every_family },
	{ "tun6_packet_too_big", 0, tun6_packet_too_big },
	{ "ipv6_bad_chains", 0, ipv6_bad_chains },
	{ "ipv6_bad_headers", 0, ipv6_bad_headers },
};
const size_t pkt_ipv6_n = RTE_DIM(pkt_ipv6_fixtures);
