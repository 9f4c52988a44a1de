/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: ICMP errors about connections, and scattered frames
 * (the scene is in scene.h). Every forwarded packet, ICMP errors too, is
 * one hop on: its TTL one less.
 */
#include "scene.h"

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
	out = to_fwd(MAC_RS1, 0, &exp);
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
		exp.ttl = 249;
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
	out = to_fwd(MAC_RS1, 0, &exp);
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
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));

	quoted = hop(&exp); /* what RS1 received */
	quoted_x = hop(&dg);
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
	out = to_fwd(MAC_RS1, 0, &icmp);
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
	out = to_fwd(MAC_RS1, 0, &exp);
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
	out = to_fwd(MAC_RS1, 0, &exp);
	fx_step_split(x, &in, 14 + 20 + 20 + 100, fx_tx(0, &out));
}

const struct fixture pkt_icmp_fixtures[] = {
	{ "icmp_error_nat_to_rs", 0, icmp_error_nat_to_rs },
	{ "icmp_error_nat_to_client", 0, icmp_error_nat_to_client },
	{ "icmp_error_dr", 0, icmp_error_dr },
	{ "chained_mbufs", 0, chained_mbufs },
};
const size_t pkt_icmp_n = RTE_DIM(pkt_icmp_fixtures);
