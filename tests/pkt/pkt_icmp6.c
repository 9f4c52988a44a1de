/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: ICMPv6 errors about connections (the scene is in
 * scene.h), as IPVS's ip_vs_in_icmp_v6 / ip_vs_out_icmp_v6 treat them: to
 * the real server when they are about what it sent, to the client when
 * they are about what halb sent to the real server, translated for NAT
 * with the ICMPv6 checksum (which covers the addresses) made again; taken
 * to the worker that owns the connection first.
 */
#include "scene.h"

/* A NAT connection client:40000 -> VIP6:80 -> RS6_1:8080, made on worker
 * wid. */
static void nat6_connect(struct fx *x, uint16_t wid)
{
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN), rsyn = syn;
	struct pb_frame in = from_gw(&syn), out;

	memcpy(rsyn.dst6, RS6_1, 16);
	rsyn.dport = 8080;
	out = to_fwd(MAC_RS6_1, 0, &rsyn);
	x->wid = wid;
	fx_step(x, &in, fx_tx(0, &out));
	x->wid = 0;
}

/* Packet Too Big from a router on the client's side about the reply the
 * director sent (VIP6:80 -> client): to the real server, the destination
 * and the quote's source its own address and port. Also from the other
 * worker, which hands it to the connection's owner first. */
static void icmp6_ptb_nat_to_rs(struct fx *x)
{
	struct pb_ip quoted = pb_tcp6(VIP6, 80, CLIENT6, 40000, PB_TH_ACK);
	struct pb_ip quoted_x = quoted, err, exp;
	struct pb_frame in, out;

	setup(x, &NAT6, 1);
	nat6_connect(x, 0);
	quoted.payload_len = 1200;
	quoted_x.payload_len = 1200;
	memcpy(quoted_x.src6, RS6_1, 16);
	quoted_x.sport = 8080;
	/* the quote cut so that the error is 1280 bytes (RFC 4443 2.4 c) */
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1280, &quoted, 1280 - 48);
	exp = pb_icmp6_error(ROUTER6, RS6_1, 2, 0, 1280, &quoted_x, 1280 - 48);
	exp.ttl = 63;
	in = from_gw(&err);
	out = to(MAC_RS6_1, 0, &exp);
	for (uint16_t w = 0; w < PKTENV_WORKERS; w++) {
		x->wid = w;
		fx_step(x, &in, fx_tx(0, &out));
	}
	x->wid = 0;
	/* a longer one, whole quote: it would need cutting, which IPv6
	 * routers do not do */
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1280, &quoted, 0);
	in = from_gw(&err);
	fx_step(x, &in, fx_drop(FWD_DROP_MTU_EXCEEDED));
}

/* Port unreachable from the real server about the request halb sent it
 * (client -> RS6_1:8080): back to the client from the VIP, the quote's
 * destination VIP6:80; one from a router between them keeps its source. */
static void icmp6_unreach_nat_to_client(struct fx *x)
{
	struct pb_ip quoted = pb_tcp6(CLIENT6, 40000, RS6_1, 8080, PB_TH_SYN);
	struct pb_ip quoted_x = quoted, err, exp;
	struct pb_frame in, out;

	setup(x, &NAT6, 1);
	nat6_connect(x, 0);
	quoted.ttl = 63;
	quoted_x.ttl = 63;
	memcpy(quoted_x.dst6, VIP6, 16);
	quoted_x.dport = 80;
	err = pb_icmp6_error(RS6_1, CLIENT6, 1, 4, 0, &quoted, 0);
	exp = pb_icmp6_error(VIP6, CLIENT6, 1, 4, 0, &quoted_x, 0);
	exp.ttl = 63;
	in = from(MAC_RS6_1, &err);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
	err = pb_icmp6_error(HOST6, CLIENT6, 3, 0, 0, &quoted, 48);
	exp = pb_icmp6_error(HOST6, CLIENT6, 3, 0, 0, &quoted_x, 48);
	exp.ttl = 63;
	in = from(MAC_HOST6, &err);
	out = to(MAC_GW, 0, &exp);
	fx_step(x, &in, fx_tx(0, &out));
}

/* DR: an error about what the real server sent from the VIP goes to it as
 * it came (one hop on); about no connection, to the kernel; one whose
 * quote has extension headers is found past them. */
static void icmp6_dr(struct fx *x)
{
	struct pb_ip quoted = pb_tcp6(VIP6, 80, CLIENT6, 40000, PB_TH_ACK);
	struct pb_ip err;
	struct pb_frame in, out;
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);

	setup(x, &DR6, 1);
	in = from_gw(&syn);
	out = to_fwd(MAC_RS6_1, 0, &syn);
	fx_step(x, &in, fx_tx(0, &out));
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1400, &quoted, 0);
	in = from_gw(&err);
	out = to_fwd(MAC_RS6_1, 0, &err);
	fx_step(x, &in, fx_tx(0, &out));
	pb_ext_add(&quoted, PB_EXT_DSTOPTS, 8, 0, 0, false);
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1400, &quoted, 0);
	in = from_gw(&err);
	out = to_fwd(MAC_RS6_1, 0, &err);
	fx_step(x, &in, fx_tx(0, &out));
	quoted = pb_tcp6(VIP6, 80, CLIENT6, 40999, PB_TH_ACK);
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1400, &quoted, 0);
	in = from_gw(&err);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	/* a quote too short to hold the ports: the kernel's */
	quoted.dport = 40000;
	err = pb_icmp6_error(ROUTER6, VIP6, 2, 0, 1400, &quoted, 42);
	in = from_gw(&err);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
}

const struct fixture pkt_ipv6_icmp_fixtures[] = {
	{ "icmp6_ptb_nat_to_rs", 0, icmp6_ptb_nat_to_rs },
	{ "icmp6_unreach_nat_to_client", 0, icmp6_unreach_nat_to_client },
	{ "icmp6_dr", 0, icmp6_dr },
};
const size_t pkt_ipv6_icmp_n = RTE_DIM(pkt_ipv6_icmp_fixtures);
