/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes fuzz_fwd's seed inputs (tests/fuzz/corpus/fwd/) with the packet
 * builder of tests/pkt: a few valid conversations with the director of
 * fwd_scene.h, each a file of records.
 *
 * Usage: fwd_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fwd_scene.h"

struct seed {
	uint8_t b[8192];
	size_t len;
};

/* Seed frames ask for their checksums to be fixed, so that mutations of
 * them still reach the code past the checksum checks. */
#define FIX (FUZZ_F_FIX_IP | FUZZ_F_FIX_L4 | FUZZ_F_FIX_LEN)

/* A frame for worker and port op & 3, arriving as the FUZZ_F_* bits of op
 * say (FIX always), in two segments at split/32 of it if split is not 0. */
static void put_frame_split(struct seed *s, uint8_t op, unsigned int split,
			    const struct pb_frame *f)
{
	size_t n = pb_render(f, s->b + s->len + 3, sizeof(s->b) - s->len - 3);
	uint16_t word = (uint16_t)(n | (split & 31) << 11);

	if (n == 0) {
		fprintf(stderr, "fwd_seeds: a frame does not fit\n");
		return;
	}
	s->b[s->len] = op | FIX | (split ? FUZZ_F_SPLIT : 0);
	s->b[s->len + 1] = (uint8_t)word;
	s->b[s->len + 2] = (uint8_t)(word >> 8);
	s->len += 3 + n;
}

static void put_frame(struct seed *s, uint8_t op, const struct pb_frame *f)
{
	put_frame_split(s, op, 0, f);
}

static void put_op(struct seed *s, uint8_t op, int arg)
{
	s->b[s->len++] = op;
	if (arg >= 0)
		s->b[s->len++] = (uint8_t)arg;
}

/* A frame from the gateway to port 0. */
static struct pb_frame in0(const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], fuzz_mac_gw, ip);
}

static int save(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(s->b, 1, s->len, f) != s->len) {
		fprintf(stderr, "fwd_seeds: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* A frame from a host on port 0's link. */
static struct pb_frame from0(struct pb_mac src, const struct pb_ip *ip)
{
	return pb_eth(pktenv_port_mac[0], src, ip);
}

/* IPv6: DR, NAT with its replies, TUN of both families, extension
 * headers, fragments, ICMPv6 errors and neighbour discovery. */
static int ipv6_seeds(const char *dir)
{
	static const uint8_t all_nodes[16] = PB_IP6_INIT(0xff02, 0, 0, 0, 0, 0, 0, 1);
	static struct seed s;
	struct pb_ip ip, q;
	struct pb_frame f;
	uint8_t group[16];
	int rc = 0;

	memset(&s, 0, sizeof(s));
	ip = pb_tcp6(FUZZ_CLIENT6, 40000, FUZZ_VIP6, 80, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.flags = PB_TH_ACK;
	ip.payload_len = 64;
	pb_ext_add(&ip, PB_EXT_HOPOPTS, 8, 0, 0, false);
	pb_ext_add(&ip, PB_EXT_DSTOPTS, 16, 0, 0, false);
	f = in0(&ip);
	put_frame(&s, 1, &f);
	put_op(&s, FUZZ_OP_CLOCK, 40);
	rc |= save(dir, "ipv6_dr_ext", &s);

	memset(&s, 0, sizeof(s));
	ip = pb_tcp6(FUZZ_CLIENT6, 40001, FUZZ_VIP6, 8080, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	ip = pb_tcp6(FUZZ_RS6_1, 80, FUZZ_CLIENT6, 40001, PB_TH_SYN | PB_TH_ACK);
	f = from0(fuzz_mac_rs6_1, &ip);
	put_frame(&s, 1, &f);
	q = pb_tcp6(FUZZ_VIP6, 8080, FUZZ_CLIENT6, 40001, PB_TH_ACK);
	ip = pb_icmp6_error(PB_IP6(0x2001, 0xdb8, 0x99, 0, 0, 0, 0, 1), FUZZ_VIP6, 2, 0, 1280, &q,
			    0);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip = pb_udp6(FUZZ_CLIENT6, 5000, FUZZ_VIP6, 53);
	ip.payload_len = 30;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	q = ip;
	memcpy(q.dst6, FUZZ_RS6_1, 16);
	q.dport = 5353;
	ip = pb_icmp6_error(FUZZ_RS6_1, FUZZ_CLIENT6, 1, 4, 0, &q, 0);
	f = from0(fuzz_mac_rs6_1, &ip);
	put_frame(&s, 1, &f);
	rc |= save(dir, "ipv6_nat_icmp", &s);

	memset(&s, 0, sizeof(s));
	ip = pb_tcp6(FUZZ_CLIENT6, 40002, FUZZ_VIP6_2, 80, PB_TH_SYN);
	ip.payload_len = 1400;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip = pb_tcp(FUZZ_CLIENT, 40002, FUZZ_VIP2, 8081, PB_TH_SYN);
	ip.frag = 0;
	ip.payload_len = 1440;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(dir, "ipv6_tun", &s);

	memset(&s, 0, sizeof(s));
	ip = pb_tcp6(FUZZ_CLIENT6, 40003, FUZZ_VIP6, 80, PB_TH_SYN);
	pb_ext_add(&ip, PB_EXT_FRAGMENT, 8, 0, 0, true);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip = pb_tcp6(FUZZ_CLIENT6, 40003, FUZZ_VIP6, 80, PB_TH_SYN);
	pb_ext_add(&ip, PB_EXT_ROUTING, 24, 1, 4, false);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip = pb_tcp6(FUZZ_CLIENT6, 40003, FUZZ_VIP6, 80, PB_TH_SYN);
	for (int i = 0; i < 9; i++)
		pb_ext_add(&ip, PB_EXT_DSTOPTS, 8, 0, 0, false);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(dir, "ipv6_chains", &s);

	memset(&s, 0, sizeof(s));
	pb_solicited_node(PKTENV_DIP0_6, group);
	ip = pb_ns(FUZZ_RS6_1, group, PKTENV_DIP0_6, &fuzz_mac_rs6_2);
	f = pb_eth(pb_mcast_mac6(group), fuzz_mac_rs6_2, &ip);
	put_frame(&s, 0, &f);
	ip = pb_na(FUZZ_RS6_2, PKTENV_DIP0_6, FUZZ_RS6_2, 0x60, &fuzz_mac_rs6_1);
	f = from0(fuzz_mac_rs6_1, &ip);
	put_frame(&s, 0, &f);
	ip = pb_na(FUZZ_RS6_2, all_nodes, FUZZ_RS6_2, 0x20, &fuzz_mac_rs6_2);
	f = pb_eth(pb_mcast_mac6(all_nodes), fuzz_mac_rs6_2, &ip);
	put_frame(&s, 0, &f);
	ip = pb_icmp6(PB_IP6(0xfe80, 0, 0, 0, 0, 0, 0, 1), all_nodes, 134, 0, 0);
	ip.ttl = 255;
	ip.payload_len = 8;
	f = pb_eth(pb_mcast_mac6(all_nodes), fuzz_mac_gw, &ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_NEIGH_AGE, 3);
	rc |= save(dir, "ipv6_nd", &s);
	return rc;
}

int main(int argc, char **argv)
{
	static struct seed s;
	struct pb_ip ip, q;
	struct pb_frame f;
	uint8_t raw[64];
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fwd_seeds DIR\n");
		return 2;
	}

	/* DR: a SYN, then data, then the clock moves. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40000, FUZZ_VIP, 80, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.flags = PB_TH_ACK;
	ip.payload_len = 64;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_CLOCK, 40);
	put_frame(&s, 1, &f);
	rc |= save(argv[1], "dr_syn", &s);

	/* NAT: a SYN, the real server's reply (routed back), a second flow. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40001, FUZZ_VIP, 8080, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	ip = pb_tcp(FUZZ_RS1, 80, FUZZ_CLIENT, 40001, PB_TH_SYN | PB_TH_ACK);
	f = pb_eth(pktenv_port_mac[0], fuzz_mac_rs1, &ip);
	put_frame(&s, 1, &f);
	ip = pb_udp(FUZZ_CLIENT, 5000, FUZZ_VIP, 53);
	ip.payload_len = 30;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "nat_reply", &s);

	/* An ICMP error about a NAT connection, from the client's side. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40002, FUZZ_VIP, 8080, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	q = pb_tcp(FUZZ_VIP, 8080, FUZZ_CLIENT, 40002, PB_TH_SYN | PB_TH_ACK);
	ip = pb_icmp_error(PB_IP4(203, 0, 113, 1), FUZZ_VIP, 3, 1, 0, &q, 0);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "icmp_error", &s);

	/* TUN, with a frame too big for the tunnel. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40003, FUZZ_VIP2, 80, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.flags = PB_TH_ACK;
	ip.payload_len = 1460;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "tun", &s);

	/* Persistence: two clients (wrr sends the second to RS1), RS1 goes
	 * down, the second client comes back; neighbours age. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40004, FUZZ_VIP, 443, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.src = FUZZ_CLIENT + 1;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_SERVICES, 3);
	ip.sport = 40005;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_NEIGH_AGE, 5);
	ip.sport = 40006;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "persistence", &s);

	/* A real server removed under its connection (real_server_gone). */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40010, FUZZ_VIP, 80, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_SERVICES, 1);
	ip.flags = PB_TH_ACK;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "real_server_gone", &s);

	/* An ICMP error from a NAT real server about the request it got. */
	memset(&s, 0, sizeof(s));
	ip = pb_udp(FUZZ_CLIENT, 5001, FUZZ_VIP, 53);
	ip.payload_len = 20;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	q = ip;
	q.dst = FUZZ_RS1;
	q.dport = 5353;
	ip = pb_icmp_error(FUZZ_RS1, FUZZ_CLIENT, 3, 3, 0, &q, 0);
	f = pb_eth(pktenv_port_mac[0], fuzz_mac_rs1, &ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "icmp_error_from_rs", &s);

	/* ICMP errors about DR and TUN connections. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40007, FUZZ_VIP, 80, PB_TH_SYN);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.dst = FUZZ_VIP2;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	q = pb_tcp(FUZZ_VIP, 80, FUZZ_CLIENT, 40007, PB_TH_ACK);
	ip = pb_icmp_error(PB_IP4(203, 0, 113, 1), FUZZ_VIP, 3, 4, 1400, &q, 28);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	q.src = FUZZ_VIP2;
	ip = pb_icmp_error(PB_IP4(203, 0, 113, 1), FUZZ_VIP2, 3, 4, 1400, &q, 0);
	f = in0(&ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "icmp_error_dr_tun", &s);

	/* More new connections than the table (64) holds. */
	memset(&s, 0, sizeof(s));
	for (uint16_t p = 0; p < 70; p++) {
		ip = pb_tcp(FUZZ_CLIENT, (uint16_t)(41000 + p), FUZZ_VIP, 80, PB_TH_SYN);
		f = in0(&ip);
		put_frame(&s, 0, &f);
	}
	rc |= save(argv[1], "table_full", &s);

	/* Fragments, to a VIP and to the director; a frame in two segments. */
	memset(&s, 0, sizeof(s));
	ip = pb_tcp(FUZZ_CLIENT, 40008, FUZZ_VIP, 80, PB_TH_SYN);
	ip.frag = PB_IP_MF;
	ip.payload_len = 16;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip.dst = PKTENV_DIP0;
	ip.frag = 3;
	f = in0(&ip);
	put_frame(&s, 0, &f);
	ip = pb_tcp(FUZZ_CLIENT, 40009, FUZZ_VIP, 8080, PB_TH_SYN);
	ip.payload_len = 200;
	f = in0(&ip);
	put_frame_split(&s, FUZZ_F_OFFLOAD, 16, &f);
	put_op(&s, FUZZ_OP_FLUSH, -1);
	q = pb_tcp(FUZZ_VIP, 8080, FUZZ_CLIENT, 40009, PB_TH_SYN | PB_TH_ACK);
	q.payload_len = 100;
	ip = pb_icmp_error(PB_IP4(203, 0, 113, 1), FUZZ_VIP, 3, 1, 0, &q, 0);
	f = in0(&ip);
	put_frame_split(&s, 0, 16, &f);
	rc |= save(argv[1], "fragments_segments", &s);

	/* ARP: a request for the director's address. */
	memset(&s, 0, sizeof(s));
	pb_arp(1, fuzz_mac_gw, PKTENV_GW, (struct pb_mac){ { 0 } }, PKTENV_DIP0, raw, 28);
	f = pb_eth_raw((struct pb_mac){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } }, fuzz_mac_gw,
		       PB_ETH_ARP, raw, 28);
	f.pad_to = 60;
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "arp", &s);

	/* VRRP: an advert from the peer director. */
	memset(&s, 0, sizeof(s));
	memset(raw, 0, sizeof(raw));
	raw[0] = 0x21;
	raw[1] = 51;
	raw[2] = 100;
	raw[3] = 1;
	raw[5] = 1;
	memcpy(raw + 8, (const uint8_t[]){ 172, 17, 100, 100 }, 4);
	ip = (struct pb_ip){ .src = FUZZ_PEER,
			     .dst = PB_IP4(224, 0, 0, 18),
			     .proto = PB_PROTO_VRRP,
			     .ttl = 255,
			     .payload = raw,
			     .payload_len = 20 };
	f = pb_eth((struct pb_mac){ { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 } },
		   (struct pb_mac){ { 0x02, 0x00, 0x00, 0x00, 0x01, 0x05 } }, &ip);
	put_frame(&s, 0, &f);
	rc |= save(argv[1], "vrrp", &s);

	rc |= ipv6_seeds(argv[1]);
	return rc == 0 ? 0 : 1;
}
