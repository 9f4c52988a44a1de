/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: fragments, malformed frames, what is not for the workers, neighbours (the scene
 * is in scene.h).
 */
#include "scene.h"

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

/* ---------------------------------------------------------------- ARP */

enum arp_verdict { ARP_ANSWERED, ARP_KERNEL, ARP_IGNORED, ARP_BAD };

/* An ARP frame and what must become of it: answered here (on the port it
 * came in on), passed to the kernel, ignored or refused; and whether the
 * control core hears about its sender (a neighbour halb knows, with news). */
struct arp_case {
	const char *what;
	uint16_t op;
	struct pb_mac sha;
	uint32_t sip, tip;
	uint8_t in_port;
	int32_t vlan; /* -1: none */
	enum arp_verdict verdict;
	bool news;
	uint8_t hlen; /* 0: 6 */
};

static const struct pb_mac MAC_NEW = { { 0x02, 0x00, 0x00, 0x00, 0x77, 0x77 } };

static const struct arp_case arp_cases[] = {
	{ "request for the director's address", 1, MAC_GW, PKTENV_GW, PKTENV_DIP0, 0, -1,
	  ARP_ANSWERED, false },
	{ "request for its second address", 1, MAC_GW, PKTENV_GW, PKTENV_DIP0B, 0, -1, ARP_ANSWERED,
	  false },
	{ "request for the VIP it holds", 1, MAC_GW, PKTENV_GW, VIP, 0, -1, ARP_ANSWERED, false },
	{ "request for the VIP, tagged", 1, MAC_GW, PKTENV_GW, VIP, 0, 7, ARP_ANSWERED, false },
	{ "request from a stranger", 1, MAC_OTHER, PB_IP4(172, 17, 9, 9), PKTENV_DIP0, 0, -1,
	  ARP_ANSWERED, false },
	{ "request from a known neighbour with a new MAC", 1, MAC_NEW, RS1, PKTENV_DIP0, 0, -1,
	  ARP_ANSWERED, true },
	{ "request for port 1's address on port 0", 1, MAC_GW, PKTENV_GW, PKTENV_DIP1, 0, -1,
	  ARP_IGNORED, false },
	{ "request for another host", 1, MAC_GW, PKTENV_GW, RS2, 0, -1, ARP_IGNORED, false },
	{ "reply to the director", 2, MAC_RS1, RS1, PKTENV_DIP0, 0, -1, ARP_KERNEL, false },
	{ "reply with a new MAC", 2, MAC_NEW, RS1, PKTENV_DIP0, 0, -1, ARP_KERNEL, true },
	{ "reply from a stranger", 2, MAC_OTHER, PB_IP4(172, 17, 9, 9), PKTENV_DIP0, 0, -1,
	  ARP_KERNEL, false },
	{ "reply to another host", 2, MAC_RS1, RS1, RS2, 0, -1, ARP_IGNORED, false },
	{ "gratuitous, a known neighbour's new MAC", 1, MAC_NEW, PKTENV_GW, PKTENV_GW, 0, -1,
	  ARP_KERNEL, true },
	{ "hardware address length 8", 1, MAC_GW, PKTENV_GW, PKTENV_DIP0, 0, -1, ARP_BAD, false,
	  8 },
	{ "opcode 3", 3, MAC_GW, PKTENV_GW, PKTENV_DIP0, 0, -1, ARP_BAD, false },
};

/* The workers answer ARP for the director's addresses and the VIPs it
 * holds, on the port each lives on, without the kernel or the control
 * core; strangers create nothing; what a known neighbour's ARP says that
 * halb did not know goes to the control core as a record. */
static void arp_cases_all(struct fx *x)
{
	struct fwd_learn r[4];
	uint8_t arp[28];

	setup(x, &DR, 1);
	for (size_t i = 0; i < RTE_DIM(arp_cases); i++) {
		const struct arp_case *c = &arp_cases[i];
		const struct pb_mac dst = c->op == 1 ? MAC_BCAST : pktenv_port_mac[c->in_port];
		const struct pb_mac port_mac = pktenv_port_mac[c->in_port];
		struct pb_frame in, out;
		struct fx_expect e;
		unsigned int n;

		pb_arp(c->op, c->sha, c->sip, (struct pb_mac){ { 0 } }, c->tip, arp, sizeof(arp));
		if (c->hlen)
			arp[4] = c->hlen;
		in = pb_eth_raw(dst, c->sha, PB_ETH_ARP, arp, sizeof(arp));
		in.vlan = c->vlan;
		in.pad_to = 60;
		x->in_port = c->in_port;
		switch (c->verdict) {
		case ARP_ANSWERED: {
			static uint8_t reply[28];

			pb_arp(2, port_mac, c->tip, c->sha, c->sip, reply, sizeof(reply));
			out = pb_eth_raw(c->sha, port_mac, PB_ETH_ARP, reply, sizeof(reply));
			out.vlan = c->vlan;
			out.pad_to = 60;
			e = fx_tx(c->in_port, &out);
			break;
		}
		case ARP_KERNEL:
			e = fx_ctl(PKT_CTL_KERNEL, &in);
			break;
		case ARP_IGNORED:
			e = fx_drop(FWD_DROP_ARP_IGNORED);
			break;
		default:
			e = fx_drop(FWD_DROP_BAD_ARP);
			break;
		}
		if (!fx_step(x, &in, e))
			fprintf(x->logf, "# (that was: %s)\n", c->what);
		n = pktenv_take_learn(&x->e, r, RTE_DIM(r));
		FX_CHECK(
		    x,
		    n == (c->news ? 1u : 0u) &&
			(n == 0 || (neigh_ip_v4(&r[0].ip) == rte_cpu_to_be_32(c->sip) &&
				    neigh_ip_is4(&r[0].ip) && memcmp(&r[0].mac, &c->sha, 6) == 0)),
		    "%s: %u records to the control core, expected %d", c->what, n, c->news);
	}
	x->in_port = 0;
	FX_CHECK(x, neigh_find4(x->e.env.neigh, rte_cpu_to_be_32(PB_IP4(172, 17, 9, 9))) < 0,
		 "a stranger's ARP made a neighbour entry");
}

/* ARP for a VIP this director does not hold (BACKUP) goes unanswered. */
static void arp_vip_not_held(struct fx *x)
{
	struct fx_svc s = DR;
	uint8_t arp[28];
	struct pb_frame in;

	s.not_owned = true;
	setup(x, &s, 1);
	pb_arp(1, MAC_GW, PKTENV_GW, (struct pb_mac){ { 0 } }, VIP, arp, sizeof(arp));
	in = pb_eth_raw(MAC_BCAST, MAC_GW, PB_ETH_ARP, arp, sizeof(arp));
	fx_step(x, &in, fx_drop(FWD_DROP_ARP_IGNORED));
}

/* VRRP adverts take the priority ring, if they can be adverts: a multicast
 * one with TTL 255 (a router would have decremented it; RFC 5798 5.1.1.3),
 * a unicast one from a peer. */
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
	FX_CHECK(x, rte_ring_count(x->e.w[0]->to_ctl) == 0, "the advert took the bulk ring");
	ip.ttl = 254;
	in = pb_eth(MAC_VRRP, MAC_PEER, &ip);
	fx_step(x, &in, fx_drop(FWD_DROP_VRRP_BAD_TTL));
	/* unicast VRRP to the director, from a peer, then from a stranger */
	ip.dst = PKTENV_DIP0;
	in = from(MAC_PEER, &ip);
	fx_step(x, &in, fx_ctl(PKT_CTL_VRRP, &in));
	ip.src = PB_IP4(172, 17, 9, 9);
	in = from(MAC_OTHER, &ip);
	fx_step(x, &in, fx_drop(FWD_DROP_VRRP_UNTRUSTED));
}

/* EtherTypes halb does not handle (LLDP, a second VLAN tag): the kernel's,
 * unchanged. */
static void unknown_ethertype(struct fx *x)
{
	static const uint8_t lldp[16] = { 0x02, 0x07, 0x04 };
	static const uint8_t qinq[50] = { 0x08, 0x00, 0x45 };
	const struct pb_mac lldp_mac = { { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e } };
	struct pb_frame in;

	setup(x, &DR, 1);
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
	out = to_fwd(MAC_BCAST, 0, &exp);
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
	out = to_fwd(MAC_BCAST, 0, &syn);
	fx_step(x, &in, fx_resolve(0, RS2, &out));
	FX_CHECK(x, x->e.solicited == 1, "%u ARP requests", x->e.solicited);

	/* Once the control core has learned it, frames go straight out. */
	fx_neigh(x, RS2, MAC_RS2);
	syn.flags = PB_TH_ACK;
	in = from_gw(&syn);
	out = to_fwd(MAC_RS2, 0, &syn);
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

const struct fixture pkt_local_fixtures[] = {
	{ "fragments", 0, fragments },
	{ "not_for_us", 0, not_for_us },
	{ "arp_cases", 0, arp_cases_all },
	{ "arp_vip_not_held", 0, arp_vip_not_held },
	{ "vrrp_to_control", 0, vrrp_to_control },
	{ "unknown_ethertype", 0, unknown_ethertype },
	{ "local_traffic_to_kernel", 0, local_traffic_to_kernel },
	{ "neigh_unresolved", 0, neigh_unresolved },
	{ "control_tx", 0, control_tx },
	{ "truncated_short_ethernet", 0, run_malformed, &malformed[0] },
	{ "truncated_vlan_tag", 0, run_malformed, &malformed[1] },
	{ "truncated_ip_header", 0, run_malformed, &malformed[2] },
	{ "truncated_ip_options", 0, run_malformed, &malformed[3] },
	{ "truncated_total_length_beyond_frame", 0, run_malformed, &malformed[4] },
	{ "truncated_tcp_header", 0, run_malformed, &malformed[5] },
	{ "truncated_tcp_header_padded", 0, run_malformed, &malformed[6] },
	{ "truncated_tcp_options", 0, run_malformed, &malformed[7] },
	{ "truncated_udp_header", 0, run_malformed, &malformed[8] },
	{ "truncated_arp", 0, run_malformed, &malformed[9] },
	{ "bad_ip_version_6", 0, run_malformed, &malformed[10] },
	{ "bad_ip_ihl_below_5", 0, run_malformed, &malformed[11] },
	{ "bad_ip_total_below_ihl", 0, run_malformed, &malformed[12] },
	{ "bad_ip_checksum", 0, run_malformed, &malformed[13] },
	{ "bad_tcp_data_offset_below_5", 0, run_malformed, &malformed[14] },
};
const size_t pkt_local_n = RTE_DIM(pkt_local_fixtures);
