/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TUN: the packet goes to the real server inside an outer header of the
 * real server's family, as IPVS's ip_vs_tunnel_xmit(_v6) sends it:
 *
 *   packet  real server  outer header           next header
 *   IPv4    IPv4         IPv4, from the port    4  (IPIP)
 *   IPv6    IPv6         IPv6, from the port    41 (IPv6 in IPv6, RFC 2473)
 *   IPv4    IPv6         IPv6                   4  (IPv4 in IPv6)
 *   IPv6    IPv4         IPv4                   41 (6in4, RFC 4213)
 *
 * The inner packet's TTL or hop limit is decremented (it is forwarded);
 * the outer one starts at 64 and carries the inner's traffic class. The
 * inner packet must fit with the outer header; when it does not:
 * - IPv4 with DF, or IPv6: "fragmentation needed" or Packet Too Big goes
 *   back to the client with the MTU less the outer header (IPv6: at least
 *   1280; a smaller inner packet has its outer one fragmented, RFC 2473);
 * - IPv4 without DF: the outer packet is fragmented (IPVS does the same).
 * An IPv4 outer header around IPv6 sets DF only when the inner packet is
 * above IPv6's minimum MTU (RFC 4213 3.2).
 */
#include <string.h>

#include "fwd_internal.h"

/* Checks the size and the TTL / hop limit of the inner packet m for an
 * outer header of hdr bytes. @return false when m was consumed. */
static bool tun_inner_ok(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
			 const struct svc_rs *rs, uint32_t hdr, uint8_t *tos, bool *df)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint32_t len = fwd_ip_len(m) + hdr;

	if (fwd_is_v6(meta)) {
		const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);
		uint8_t vip[16];

		memcpy(vip, ip->dst_addr, 16);
		*tos = (uint8_t)(rte_be_to_cpu_32(ip->vtc_flow) >> 20);
		*df = fwd_ip_len(m) > PKT_IPV6_MIN_MTU;
		return fwd_fits6(w, snap, m, len, rs->out_port, vip) && fwd_hop6(w, snap, m);
	} else {
		const struct rte_ipv4_hdr *ip = fwd_ip(m, meta);

		*tos = ip->type_of_service;
		*df = (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) != 0;
		return fwd_fits4(w, snap, m, len, rs->out_port, ip->dst_addr) &&
		       fwd_ttl(w, snap, m);
	}
}

static void outer4(struct fwd_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *o,
		   const struct svc_rs *rs, uint32_t inner_len, uint8_t proto, uint8_t tos, bool df)
{
	const struct fwd_port *port = &w->env->ports[rs->out_port];

	o->version_ihl = RTE_IPV4_VHL_DEF;
	o->type_of_service = tos;
	o->total_length = rte_cpu_to_be_16((uint16_t)(inner_len + sizeof(*o)));
	o->packet_id = rte_cpu_to_be_16(w->ip_id);
	w->ip_id = (uint16_t)(w->ip_id + RTE_MAX(w->env->n_workers, 1));
	o->fragment_offset = df ? rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG) : 0;
	o->time_to_live = 64;
	o->next_proto_id = proto;
	o->src_addr = port->addr;
	o->dst_addr = rs->addr;
	fwd_ip_cksum(w, m, o, rs->out_port, pkt_meta(m)->l2_len);
}

void fwd_xmit_tun(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  const struct svc_rs *rs)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct fwd_port *port = &w->env->ports[rs->out_port];
	const bool out6 = rs->af == 6;
	const uint32_t hdr = out6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	const uint8_t proto = fwd_is_v6(meta) ? IPPROTO_IPV6 : IPPROTO_IPIP;
	const uint32_t inner_len = fwd_ip_len(m);
	rte_be16_t type = rte_cpu_to_be_16(out6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	uint8_t *start, tos;
	bool df;

	if (!tun_inner_ok(w, snap, m, rs, hdr, &tos, &df))
		return;
	start = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)hdr);
	if (start == NULL) {
		fwd_drop(w, m, FWD_DROP_NO_MBUF);
		return;
	}
	/* Slide the Ethernet header (and VLAN tag) to the new front; its
	 * EtherType becomes the outer header's. */
	memmove(start, start + hdr, meta->l2_len);
	memcpy(start + meta->l2_len - 2, &type, 2);
	meta->ether_type = out6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4;
	meta->l3_len = (uint16_t)hdr;
	meta->l4_proto = proto;
	if (out6) {
		struct rte_ipv6_hdr *o = (struct rte_ipv6_hdr *)(start + meta->l2_len);

		pkt_ipv6_hdr(o, port->addr6, rs->addr6, proto, (uint16_t)inner_len, 64);
		o->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tos << 20);
		fwd_send_to6(w, snap, m, rs->out_port, rs->neigh, rs->nexthop6);
		return;
	}
	outer4(w, m, (struct rte_ipv4_hdr *)(start + meta->l2_len), rs, inner_len, proto, tos, df);
	fwd_send_to(w, snap, m, rs->out_port, rs->neigh, rs->nexthop);
}
