/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: IPv6 that is no connection's (the scene is in scene.h):
 * neighbour discovery answered and learnt in the worker as ARP is, router
 * adverts ignored, VRRP over IPv6 to the control core, the director's own
 * traffic to the kernel, and a next hop without a MAC waiting at the
 * control core.
 */
#include "scene.h"

static const uint8_t all_nodes[16] = PB_IP6_INIT(0xff02, 0, 0, 0, 0, 0, 0, 1);

/* The answer to a solicitation for target from src at src_mac (the NA as
 * the worker makes it: router, override, solicited; the port's MAC). */
static struct pb_frame na_answer(const uint8_t *target, const uint8_t *src, struct pb_mac src_mac,
				 bool solicited)
{
	struct pb_ip na = pb_na(target, solicited ? src : all_nodes, target,
				0x80 | 0x20 | (solicited ? 0x40 : 0), &pktenv_port_mac[0]);

	return to(solicited ? src_mac : pb_mcast_mac6(all_nodes), 0, &na);
}

/* A solicitation from HOST6, to target's solicited-node group. */
static struct pb_frame ns_from_host(const uint8_t *target, bool with_lla)
{
	uint8_t group[16];
	struct pb_ip ns;

	pb_solicited_node(target, group);
	ns = pb_ns(HOST6, group, target, with_lla ? &MAC_HOST6 : NULL);
	return pb_eth(pb_mcast_mac6(group), MAC_HOST6, &ns);
}

/* Solicitations for the director's addresses (its own on the port, its
 * link-local, a VIP it holds) are answered here; for a VIP it does not
 * hold, or an address of another port or nobody's, they are counted and
 * go nowhere. A duplicate address detection probe is answered to all
 * nodes. */
static void nd_solicitations_answered(struct fx *x)
{
	struct fx_svc held = DR6, other = DR6;
	struct pb_frame in, out;
	struct pb_ip dad;
	uint8_t group[16];

	other.vip6[15] = 0x01; /* VIP6_2, held by the peer */
	other.not_owned = true;
	setup(x, (struct fx_svc[]){ held, other }, 2);
	in = ns_from_host(PKTENV_DIP0_6, true);
	out = na_answer(PKTENV_DIP0_6, HOST6, MAC_HOST6, true);
	fx_step(x, &in, fx_tx(0, &out));
	in = ns_from_host(PKTENV_LL0, true);
	out = na_answer(PKTENV_LL0, HOST6, MAC_HOST6, true);
	fx_step(x, &in, fx_tx(0, &out));
	in = ns_from_host(VIP6, false); /* no link-layer option: still answered */
	out = na_answer(VIP6, HOST6, MAC_HOST6, true);
	fx_step(x, &in, fx_tx(0, &out));
	in = ns_from_host(VIP6_2, true);
	fx_step(x, &in, fx_drop(FWD_DROP_ND_IGNORED));
	in = ns_from_host(PKTENV_DIP1_6, true); /* port 1's, asked on port 0 */
	fx_step(x, &in, fx_drop(FWD_DROP_ND_IGNORED));
	in = ns_from_host(RS6_NEW, true);
	fx_step(x, &in, fx_drop(FWD_DROP_ND_IGNORED));
	pb_solicited_node(VIP6, group);
	dad = pb_ns(PB_IP6(0, 0, 0, 0, 0, 0, 0, 0), group, VIP6, NULL);
	in = pb_eth(pb_mcast_mac6(group), MAC_HOST6, &dad);
	out = na_answer(VIP6, NULL, MAC_HOST6, false);
	fx_step(x, &in, fx_tx(0, &out));
	FX_CHECK(x, x->e.w[0]->st.nd_replies == 4, "%" PRIu64 " answers counted",
		 x->e.w[0]->st.nd_replies);
}

/* RFC 4861 7.1: what a node must discard, one row each; and frames the
 * port sent itself, seen again. */
struct bad_nd {
	const char *what;
	enum fwd_drop why;
	void (*edit)(struct pb_ip *ns, struct pb_frame *f);
};

static void nd_hop_limit(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->ttl = 64;
}

static void nd_code(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->icmp_code = 1;
}

static void nd_short(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->body_len = 8; /* 16 bytes: no room for the target */
}

static void nd_option_zero(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->body[17] = 0;
}

static void nd_option_past(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->body[17] = 2;
}

static void nd_target_multicast(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	ns->body[0] = 0xff;
}

/* ::ffff:172.17.1.7: the key of an IPv4 neighbour */
static void nd_target_mapped(struct pb_ip *ns, struct pb_frame *f)
{
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 172, 17, 1, 7 };

	(void)f;
	memcpy(ns->body, mapped, 16);
}

static void nd_dad_with_option(struct pb_ip *ns, struct pb_frame *f)
{
	(void)f;
	memset(ns->src6, 0, 16);
}

static void nd_own_frame(struct pb_ip *ns, struct pb_frame *f)
{
	(void)ns;
	f->src = pktenv_port_mac[0];
}

static const struct bad_nd bad_nds[] = {
	{ "hop limit 64", FWD_DROP_BAD_ND, nd_hop_limit },
	{ "code 1", FWD_DROP_BAD_ND, nd_code },
	{ "16 bytes", FWD_DROP_BAD_ND, nd_short },
	{ "an option of length 0", FWD_DROP_BAD_ND, nd_option_zero },
	{ "an option past the message", FWD_DROP_BAD_ND, nd_option_past },
	{ "a multicast target", FWD_DROP_BAD_ND, nd_target_multicast },
	{ "an IPv4-mapped target", FWD_DROP_BAD_ND, nd_target_mapped },
	{ "a DAD probe with a source link-layer option", FWD_DROP_BAD_ND, nd_dad_with_option },
	{ "the port's own frame", FWD_DROP_ND_IGNORED, nd_own_frame },
};

static void nd_malformed(struct fx *x)
{
	setup(x, &DR6, 1);
	for (size_t i = 0; i < RTE_DIM(bad_nds); i++) {
		uint8_t group[16];
		struct pb_ip ns;
		struct pb_frame in;

		pb_solicited_node(PKTENV_DIP0_6, group);
		ns = pb_ns(HOST6, group, PKTENV_DIP0_6, &MAC_HOST6);
		in = pb_eth(pb_mcast_mac6(group), MAC_HOST6, &ns);
		bad_nds[i].edit(&ns, &in);
		in.ip = ns;
		if (!fx_step(x, &in, fx_drop(bad_nds[i].why)))
			fprintf(x->logf, "# (that was: %s)\n", bad_nds[i].what);
	}
	/* a wrong checksum, as raw bytes */
	{
		struct pb_frame in = ns_from_host(PKTENV_DIP0_6, true);
		uint8_t b[PB_FRAME_MAX];
		size_t n = pb_render(&in, b, sizeof(b));

		b[14 + 40 + 2] ^= 0x10;
		fx_step_raw(x, b, n, fx_drop(FWD_DROP_BAD_ND));
	}
}

/* What neighbour discovery says of a neighbour halb knows reaches the
 * control core as a record (a changed MAC, or a probe's answer); of a
 * stranger, nothing. Adverts to the director (answers to the kernel's own
 * solicitations) and unsolicited ones go to the kernel; router adverts are
 * ignored, as are solicitations of routers and adverts to others. */
static void nd_learning(struct fx *x)
{
	const struct pb_mac moved = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x77 } };
	struct fwd_learn r[4];
	struct pb_frame in;
	struct pb_ip na, ns, ra;
	unsigned int n;

	setup(x, &DR6, 1);
	/* RS6_1 solicits the director from a new MAC */
	ns = pb_ns(RS6_1, PKTENV_DIP0_6, PKTENV_DIP0_6, &moved);
	in = pb_eth(pktenv_port_mac[0], moved, &ns);
	{
		struct pb_frame out = na_answer(PKTENV_DIP0_6, RS6_1, moved, true);

		fx_step(x, &in, fx_tx(0, &out));
	}
	n = pktenv_take_learn(&x->e, r, RTE_DIM(r));
	FX_CHECK(x,
		 n == 1 && memcmp(r[0].ip.b, RS6_1, 16) == 0 && memcmp(&r[0].mac, &moved, 6) == 0,
		 "%u records for the solicitation of a known neighbour", n);
	/* its advert to the director: a record, and the kernel's copy */
	na = pb_na(RS6_2, PKTENV_DIP0_6, RS6_2, 0x40 | 0x20, &moved);
	in = pb_eth(pktenv_port_mac[0], moved, &na);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	n = pktenv_take_learn(&x->e, r, RTE_DIM(r));
	FX_CHECK(x, n == 1 && memcmp(r[0].ip.b, RS6_2, 16) == 0, "%u records for RS2's advert", n);
	/* without the override flag, an advert does not move a resolved
	 * neighbour (RFC 4861 7.2.5: a proxy's or an anycast answer) */
	na = pb_na(RS6_1, PKTENV_DIP0_6, RS6_1, 0x40, &MAC_HOST6);
	in = pb_eth(pktenv_port_mac[0], MAC_HOST6, &na);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	n = pktenv_take_learn(&x->e, r, RTE_DIM(r));
	FX_CHECK(x, n == 0, "%u records for an advert without the override flag", n);
	/* a stranger's unsolicited advert: the kernel's, no record */
	na = pb_na(HOST6, all_nodes, HOST6, 0x20, &MAC_HOST6);
	in = pb_eth(pb_mcast_mac6(all_nodes), MAC_HOST6, &na);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	/* a solicited advert to a group is malformed; one to someone else
	 * is nobody's business */
	na = pb_na(HOST6, all_nodes, HOST6, 0x40, &MAC_HOST6);
	in = pb_eth(pb_mcast_mac6(all_nodes), MAC_HOST6, &na);
	fx_step(x, &in, fx_drop(FWD_DROP_BAD_ND));
	na = pb_na(HOST6, RS6_1, HOST6, 0x40, &MAC_HOST6);
	in = pb_eth(pktenv_port_mac[0], MAC_HOST6, &na);
	fx_step(x, &in, fx_drop(FWD_DROP_ND_IGNORED));
	n = pktenv_take_learn(&x->e, r, RTE_DIM(r));
	FX_CHECK(x, n == 0, "%u records about strangers", n);
	/* router adverts and solicitations */
	ra = pb_icmp6(PKTENV_LL0, all_nodes, 134, 0, 0x40000000);
	ra.ttl = 255;
	ra.payload_len = 8;
	in = pb_eth(pb_mcast_mac6(all_nodes), MAC_GW, &ra);
	fx_step(x, &in, fx_drop(FWD_DROP_RA_IGNORED));
	ra.icmp_type = 133;
	ra.icmp_rest = 0;
	ra.payload_len = 0;
	in = pb_eth(pb_mcast_mac6(all_nodes), MAC_HOST6, &ra);
	fx_step(x, &in, fx_drop(FWD_DROP_ND_IGNORED));
}

/* VRRP over IPv6: an advert to ff02::12 with hop limit 255 reaches the
 * control core's priority ring; a routed one (hop limit below 255) does
 * not; a unicast one from a stranger does not. */
static void vrrp6_to_control(struct fx *x)
{
	static const uint8_t group[16] = PB_IP6_INIT(0xff02, 0, 0, 0, 0, 0, 0, 0x12);
	struct pb_ip adv = pb_icmp6(PKTENV_LL0, group, 0, 0, 0);
	struct pb_frame in;

	setup(x, &DR6, 1);
	adv.proto = PB_PROTO_VRRP;
	memcpy(adv.src6, PB_IP6(0xfe80, 0, 0, 0, 0, 0x2ff, 0xfe00, 0x105), 16);
	adv.ttl = 255;
	adv.payload_len = 24;
	in = pb_eth(pb_mcast_mac6(group), MAC_PEER, &adv);
	fx_step(x, &in, fx_ctl(PKT_CTL_VRRP, &in));
	adv.ttl = 254;
	in = pb_eth(pb_mcast_mac6(group), MAC_PEER, &adv);
	fx_step(x, &in, fx_drop(FWD_DROP_VRRP_BAD_TTL));
	adv.ttl = 255;
	memcpy(adv.dst6, PKTENV_DIP0_6, 16);
	in = pb_eth(pktenv_port_mac[0], MAC_HOST6, &adv);
	fx_step(x, &in, fx_drop(FWD_DROP_VRRP_UNTRUSTED));
}

/* The director's own IPv6 traffic (a ping to its address, multicast) goes
 * to the kernel unchanged; to a VIP it does not hold, nowhere; a real
 * server whose next hop has no MAC yet waits for it at the control core. */
static void ipv6_local_and_unresolved(struct fx *x)
{
	struct pb_ip ping = pb_icmp6(CLIENT6, PKTENV_DIP0_6, 128, 0, 0x00010001);
	struct pb_ip mld = pb_icmp6(PKTENV_LL0, PB_IP6(0xff02, 0, 0, 0, 0, 0, 0, 0x16), 143, 0, 0);
	struct fx_svc s = DR6;
	struct pb_ip syn = pb_tcp6(CLIENT6, 40000, VIP6, 80, PB_TH_SYN);
	struct pb_frame in, out;

	setup(x, &s, 1);
	in = from_gw(&ping);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	mld.ttl = 1;
	in = pb_eth(pb_mcast_mac6(mld.dst6), MAC_HOST6, &mld);
	fx_step(x, &in, fx_ctl(PKT_CTL_KERNEL, &in));
	memcpy(ping.dst6, VIP6_2, 16);
	s.vip6[15] = 0x01;
	s.not_owned = true;
	setup(x, (struct fx_svc[]){ DR6, s }, 2);
	in = from_gw(&ping);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	/* a real server whose MAC nobody has learnt yet */
	s = DR6;
	s.n_rs = 1;
	memcpy(s.rs[0].addr6, RS6_NEW, 16);
	if (pktenv_neigh_pending6(&x->e, RS6_NEW) < 0)
		fx_fail(x, "cannot start resolving RS6_NEW");
	setup(x, &s, 1);
	in = from_gw(&syn);
	out = to_fwd(MAC_OTHER, 0, &syn);
	fx_step(x, &in, fx_resolve6(0, RS6_NEW, &out));
}

const struct fixture pkt_nd_fixtures[] = {
	{ "nd_solicitations_answered", 0, nd_solicitations_answered },
	{ "nd_malformed", 0, nd_malformed },
	{ "nd_learning", 0, nd_learning },
	{ "vrrp6_to_control", 0, vrrp6_to_control },
	{ "ipv6_local_and_unresolved", 0, ipv6_local_and_unresolved },
};
const size_t pkt_nd_n = RTE_DIM(pkt_nd_fixtures);
