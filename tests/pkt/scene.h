/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scene every packet fixture plays in (see test_pkt.c): clients on the
 * Internet reach the director (port 0, 172.17.1.6) through the gateway
 * 172.17.0.1; real servers sit on 172.17.0.0/16, 192.168.30.0/24 (port 0)
 * and 10.2.0.0/24 (port 1); the VIP is 172.17.100.100. The services,
 * addresses and MACs the fixture files share, and their small helpers.
 */
#ifndef HALB_PKT_SCENE_H
#define HALB_PKT_SCENE_H

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "fwd_internal.h"
#include "fx.h"

/* A named fixture: the fixture files' tables, run by test_pkt.c. */
struct fixture {
	const char *name;
	uint32_t max_conns; /* connections of both workers; 0: 4096 */
	void (*run)(struct fx *x);
	const void *arg;        /* x->arg */
	uint32_t embryonic_max; /* per worker; 0: no budget (the table's size) */
};

extern const struct fixture pkt_forward_fixtures[], pkt_icmp_fixtures[], pkt_conn_fixtures[],
    pkt_local_fixtures[], pkt_hostile_fixtures[], pkt_ipv6_fixtures[], pkt_ipv6_icmp_fixtures[],
    pkt_nd_fixtures[];
extern const size_t pkt_forward_n, pkt_icmp_n, pkt_conn_n, pkt_local_n, pkt_hostile_n, pkt_ipv6_n,
    pkt_ipv6_icmp_n, pkt_nd_n;

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

/* IPv6: the VIP, real servers on port 0's 2001:db8:17::/64 and port 1's
 * 2001:db8:2::/64, clients behind the gateway 2001:db8:17::1. Each name
 * is its eight groups (for initializers, PB_IP6_INIT) and an address. */
#define VIP6_G      0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x100
#define VIP6_2_G    0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x101
#define RS6_1_G     0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 7
#define RS6_2_G     0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 8
#define RS6_4_G     0x2001, 0xdb8, 0x2, 0, 0, 0, 0, 7
#define VIP6        PB_IP6(VIP6_G)
#define VIP6_2      PB_IP6(VIP6_2_G)
#define RS6_1       PB_IP6(RS6_1_G)
#define RS6_2       PB_IP6(RS6_2_G)
#define RS6_4       PB_IP6(RS6_4_G)
#define RS6_NEW     PB_IP6(0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 9)
#define CLIENT6     PB_IP6(0x2001, 0xdb8, 0x51, 0, 0, 0, 0, 0x10)
#define CLIENT6_2   PB_IP6(0x2001, 0xdb8, 0x51, 0, 0, 0, 0, 0x20)
#define CLIENT6_FAR PB_IP6(0x2001, 0xdb8, 0x52, 0, 0, 0, 0, 0x10)
#define ROUTER6     PB_IP6(0x2001, 0xdb8, 0x99, 0, 0, 0, 0, 1)
#define HOST6       PB_IP6(0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 0x50)

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
static const struct pb_mac MAC_RS6_1 = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x07 } };
static const struct pb_mac MAC_RS6_2 = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x08 } };
static const struct pb_mac MAC_RS6_4 = { { 0x02, 0x00, 0x00, 0x06, 0x02, 0x07 } };
static const struct pb_mac MAC_HOST6 = { { 0x02, 0x00, 0x00, 0x06, 0x01, 0x50 } };

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

/* The same services over IPv6. */
static const struct fx_svc DR6 = {
	.af = 6,
	.vip6 = PB_IP6_INIT(VIP6_G),
	.vport = 80,
	.fwd = CFG_FWD_DR,
	.sched = CFG_SCHED_RR,
	.n_rs = 2,
	.rs = { { .af = 6, .addr6 = PB_IP6_INIT(RS6_1_G), .port = 80, .weight = 1 },
		{ .af = 6, .addr6 = PB_IP6_INIT(RS6_2_G), .port = 80, .weight = 1 } }
};
static const struct fx_svc NAT6 = {
	.af = 6,
	.vip6 = PB_IP6_INIT(VIP6_G),
	.vport = 80,
	.fwd = CFG_FWD_NAT,
	.sched = CFG_SCHED_RR,
	.n_rs = 1,
	.rs = { { .af = 6, .addr6 = PB_IP6_INIT(RS6_1_G), .port = 8080, .weight = 1 } }
};
static const struct fx_svc TUN6 = {
	.af = 6,
	.vip6 = PB_IP6_INIT(VIP6_G),
	.vport = 80,
	.fwd = CFG_FWD_TUN,
	.sched = CFG_SCHED_RR,
	.n_rs = 1,
	.rs = { { .af = 6, .addr6 = PB_IP6_INIT(RS6_1_G), .port = 80, .weight = 1 } }
};

/* ------------------------------------------------------------- helpers */

/* A frame as it reaches port 0 from the gateway (client traffic). */
static inline struct pb_frame from_gw(const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], MAC_GW, ip);
}

/* A frame from a host on port 0's link, addressed to the director. */
static inline struct pb_frame from(struct pb_mac src, const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], src, ip);
}

/* A frame as the director sends it out of port to dst. */
static inline struct pb_frame to(struct pb_mac dst, uint8_t port, const struct pb_ip *ip)
{
	return pb_eth(dst, pktenv_port_mac[port], ip);
}

/* The neighbours every fixture knows, then the services. */
static inline void setup(struct fx *x, const struct fx_svc *svcs, unsigned int n)
{
	fx_neigh(x, PKTENV_GW, MAC_GW);
	fx_neigh6(x, PKTENV_GW6, MAC_GW);
	fx_neigh6(x, RS6_1, MAC_RS6_1);
	fx_neigh6(x, RS6_2, MAC_RS6_2);
	fx_neigh6(x, RS6_4, MAC_RS6_4);
	fx_neigh(x, RS1, MAC_RS1);
	fx_neigh(x, RS2, MAC_RS2);
	fx_neigh(x, RS3, MAC_RS3);
	fx_neigh(x, RS4, MAC_RS4);
	fx_neigh(x, CLIENT_L, MAC_CLIENT_L);
	if (fx_services(x, svcs, n) != 0)
		fx_fail(x, "cannot publish the services");
}

/* The packet as the director forwards it: one hop on, its TTL one less. */
static inline struct pb_ip hop(const struct pb_ip *ip)
{
	struct pb_ip h = *ip;

	h.ttl--;
	return h;
}

/* A forwarded frame as the director sends it out of port to dst. */
static inline struct pb_frame to_fwd(struct pb_mac dst, uint8_t port, const struct pb_ip *ip)
{
	struct pb_ip h = hop(ip);

	return to(dst, port, &h);
}

/* Whether connection c goes to real server rip (as the workers' registry
 * of stat slots says). */
static inline bool conn_to(struct fx *x, const struct conn *c, uint32_t rip)
{
	return c != NULL && x->e.env.dests[c->rs_stat].addr.v4 == rte_cpu_to_be_32(rip);
}

/* Whether connection c goes to the IPv6 real server rip. */
static inline bool conn_to6(struct fx *x, const struct conn *c, const uint8_t *rip)
{
	const struct conn_dest *d = c != NULL ? &x->e.env.dests[c->rs_stat] : NULL;

	return d != NULL && d->af == 6 && memcmp(d->addr.v6, rip, 16) == 0;
}

/* Whether template t sends its client to real server rip. */
static inline bool tmpl_to(struct fx *x, const struct conn_tmpl *t, uint32_t rip)
{
	return t != NULL && x->e.env.dests[t->rs_stat].addr.v4 == rte_cpu_to_be_32(rip);
}

/* Sends a SYN from client:sport to the VIP's port 80 and expects it on port
 * 0 towards mac, untouched (DR). */
static inline void dr_syn(struct fx *x, uint32_t client, uint16_t sport, struct pb_mac mac)
{
	struct pb_ip syn = pb_tcp(client, sport, VIP, 80, PB_TH_SYN);
	struct pb_frame in = from_gw(&syn), out = to_fwd(mac, 0, &syn);

	fx_step(x, &in, fx_tx(0, &out));
}

#endif
