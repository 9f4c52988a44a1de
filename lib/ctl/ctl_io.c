/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path. Every millisecond the control core:
 * - drains each worker's priority ring whole (VRRP adverts, for the VRRP
 *   engine), then its neighbour records (what ARP or a neighbour advert
 *   said about a known neighbour), then at most a burst of its bulk ring: frames for the
 *   kernel go to the TAP of the port they came in on; packets waiting for a
 *   neighbour are held until it answers. The workers police what they put
 *   on the bulk ring, so a flood cannot hold up the priority ring;
 * - reads each TAP: what the kernel sends leaves through the port;
 * - flushes: one burst per TAP and per port.
 * The control core transmits on a port through a TX queue of its own when
 * the device has one, otherwise through worker 0's ring.
 */
#include <rte_arp.h>
#include <rte_ethdev.h>

#include "ctl_priv.h"

#define POLL_BURST 128

/* ------------------------------------------------------------ sending */

static void txq_flush(struct ctl *c, struct fwd_txq *q, uint16_t port_id, uint16_t queue,
		      bool count_tx)
{
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(port_id, queue, q->pkts, q->n);
	if (count_tx)
		c->cst.tx += sent;
	else
		c->cst.to_kernel += sent;
	if (sent < q->n) {
		c->cst.drops[FWD_DROP_TX_FULL] += q->n - sent;
		c->cst.dropped += q->n - sent;
		rte_pktmbuf_free_bulk(&q->pkts[sent], q->n - sent);
	}
	q->n = 0;
}

void ctl_io_flush(struct ctl *c)
{
	for (uint8_t p = 0; p < c->n_ports; p++) {
		txq_flush(c, &c->tap_tx[p], c->ports[p].tap_id, 0, false);
		if (c->ports[p].ctl_txq >= 0)
			txq_flush(c, &c->nic_tx[p], c->ports[p].port_id,
				  (uint16_t)c->ports[p].ctl_txq, true);
	}
}

static void ctl_drop(struct ctl *c, struct rte_mbuf *m, enum fwd_drop why)
{
	c->cst.drops[why]++;
	c->cst.dropped++;
	rte_pktmbuf_free(m);
}

void ctl_tx(struct ctl *c, uint8_t p, struct rte_mbuf *m)
{
	struct fwd_txq *q = &c->nic_tx[p];

	if (c->ports[p].ctl_txq < 0) {
		pkt_meta(m)->out_port = p;
		if (rte_ring_sp_enqueue(c->env.workers[0]->from_ctl, m) != 0)
			ctl_drop(c, m, FWD_DROP_RING_FULL);
		else
			c->cst.tx++;
		return;
	}
	if (q->n == FWD_TX_MAX)
		txq_flush(c, q, c->ports[p].port_id, (uint16_t)c->ports[p].ctl_txq, true);
	q->pkts[q->n++] = m;
}

static void tap_tx(struct ctl *c, uint8_t p, struct rte_mbuf *m)
{
	struct fwd_txq *q = &c->tap_tx[p];

	if (q->n == FWD_TX_MAX)
		txq_flush(c, q, c->ports[p].tap_id, 0, false);
	q->pkts[q->n++] = m;
}

/* --------------------------------------------------------------- ARP */

bool ctl_addr_is_ours(const struct ctl *c, uint8_t p, rte_be32_t addr)
{
	const struct cfg_port *cp = &c->d->ports[p];
	const struct svc_snapshot *s = c->env.svc.cur;

	const struct cfg_addr a = cfg_addr4(rte_be_to_cpu_32(addr));

	for (size_t i = 0; i < cp->n_addrs; i++)
		if (cfg_addr_eq(&cp->addrs[i].addr, &a))
			return true;
	return s != NULL && (svc_addr_flags(s, addr) & SVC_AF_OWNED);
}

/* The port's address of ip's family to speak from towards ip: the one
 * whose prefix holds it, else the primary (IPv6: else the link-local). */
static struct cfg_addr source_for(const struct ctl *c, uint8_t p, const struct cfg_addr *ip)
{
	const struct cfg_port *cp = &c->d->ports[p];
	const struct cfg_prefix *first = cfg_port_addr(cp, ip->af);

	for (size_t i = 0; i < cp->n_addrs; i++)
		if (cfg_prefix_has(&cp->addrs[i], ip))
			return cp->addrs[i].addr;
	if (ip->af == 6 && (first == NULL || cfg_addr_is_link_local(ip)))
		return cfg_addr6(c->env.ports[p].ll6);
	return first != NULL ? first->addr : (struct cfg_addr){ .af = ip->af };
}

static void send_arp(struct ctl *c, uint8_t p, rte_be32_t sip, rte_be32_t tip)
{
	static const struct rte_ether_addr zero = { { 0 } };
	struct rte_ether_addr bcast;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return;
	}
	memset(&bcast, 0xff, sizeof(bcast));
	if (pkt_build_arp(m, RTE_ARP_OP_REQUEST, &c->ports[p].mac, &bcast, sip, &zero, tip) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	ctl_tx(c, p, m);
}

void ctl_send_garp(struct ctl *c, uint8_t p, rte_be32_t addr)
{
	send_arp(c, p, addr, addr);
}

/* A neighbour solicitation for target, to its solicited-node group. */
static void send_ns(struct ctl *c, uint8_t p, const uint8_t *target)
{
	struct cfg_addr t = cfg_addr6(target), src = source_for(c, p, &t);
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	uint8_t group[16];

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return;
	}
	pkt_solicited_node(target, group);
	if (pkt_build_ns(m, &c->ports[p].mac, src.v6, group, NULL, target) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	ctl_tx(c, p, m);
}

void ctl_send_una(struct ctl *c, uint8_t p, const uint8_t *addr)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	struct rte_ether_addr dmac;

	if (m == NULL) {
		c->cst.drops[FWD_DROP_NO_MBUF]++;
		return;
	}
	pkt_mcast_mac6(all_nodes, &dmac);
	if (pkt_build_na(m, &c->ports[p].mac, &dmac, addr, all_nodes, addr,
			 PKT_NA_ROUTER | PKT_NA_OVERRIDE) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	ctl_tx(c, p, m);
}

void ctl_claim_addr(struct ctl *c, uint8_t p, const struct cfg_addr *a)
{
	if (a->af == 6)
		ctl_send_una(c, p, a->v6);
	else
		ctl_send_garp(c, p, rte_cpu_to_be_32(a->v4));
}

/* ---------------------------------------------------------- neighbours */

static void nop_solicit(void *ctx, uint8_t port, const struct neigh_ip *ip)
{
	struct ctl *c = ctx;
	struct cfg_addr t, src;

	if (!neigh_ip_is4(ip)) {
		send_ns(c, port, ip->b);
		return;
	}
	t = cfg_addr4(rte_be_to_cpu_32(neigh_ip_v4(ip)));
	src = source_for(c, port, &t);
	send_arp(c, port, rte_cpu_to_be_32(src.v4), neigh_ip_v4(ip));
}

static void nop_release(void *ctx, uint8_t port, struct rte_mbuf *m,
			const struct rte_ether_addr *mac)
{
	struct ctl *c = ctx;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(mac, &eth->dst_addr);
	rte_ether_addr_copy(&c->ports[port].mac, &eth->src_addr);
	ctl_tx(c, port, m);
}

static void nop_drop(void *ctx, struct rte_mbuf *m, enum neigh_drop why)
{
	static const enum fwd_drop reasons[] = {
		[NEIGH_DROP_UNRESOLVED] = FWD_DROP_NEIGH_UNRESOLVED,
		[NEIGH_DROP_QUEUE_FULL] = FWD_DROP_NEIGH_QUEUE_FULL,
		[NEIGH_DROP_TABLE_FULL] = FWD_DROP_NEIGH_TABLE_FULL,
	};

	ctl_drop(ctx, m, reasons[why]);
}

void ctl_io_init(struct ctl *c)
{
	c->nops = (struct neigh_ops){
		.solicit = nop_solicit, .release = nop_release, .drop = nop_drop, .ctx = c
	};
}

/* -------------------------------------------------------------- polling */

static void from_worker(struct ctl *c, struct rte_mbuf *m)
{
	struct pkt_meta *meta = pkt_meta(m);

	c->cst.from_workers++;
	switch (meta->ctl) {
	case PKT_CTL_KERNEL:
		tap_tx(c, meta->in_port, m);
		break;
	case PKT_CTL_VRRP:
		ctl_vrrp_input(c, m);
		break;
	case PKT_CTL_SYNC:
		ctl_sync_input(c, m);
		break;
	case PKT_CTL_RESOLVE: {
		struct neigh_ip nh;

		memcpy(nh.b, meta->nexthop, sizeof(nh.b));
		neigh_hold(c->env.neigh, &nh, meta->out_port, m, fwd_clock_ms(), &c->nops);
		break;
	}
	default: /* a worker bug: nothing else is ever queued */
		c->cst.dropped++;
		rte_pktmbuf_free(m);
		break;
	}
}

/* What ARP said about neighbours halb knows: updates, never new entries. */
static void learn_poll(struct ctl *c, struct fwd_worker *w)
{
	struct fwd_learn r[POLL_BURST];
	unsigned int n =
	    rte_ring_sc_dequeue_burst_elem(w->learn, r, sizeof(r[0]), POLL_BURST, NULL);
	uint64_t now = fwd_clock_ms();

	for (unsigned int i = 0; i < n; i++)
		neigh_learn(c->env.neigh, &r[i].ip, &r[i].mac, r[i].port, false, now, &c->nops);
}

void ctl_io_poll(struct ctl *c)
{
	struct rte_mbuf *m[POLL_BURST];

	/* VRRP first and whole: nothing a flood sends can delay it. */
	for (uint16_t w = 0; w < c->n_workers; w++) {
		unsigned int n;

		do {
			n = rte_ring_sc_dequeue_burst(c->env.workers[w]->to_ctl_prio, (void **)m,
						      POLL_BURST, NULL);
			for (unsigned int i = 0; i < n; i++)
				from_worker(c, m[i]);
		} while (n == POLL_BURST);
	}
	for (uint16_t w = 0; w < c->n_workers; w++) {
		unsigned int n;

		learn_poll(c, c->env.workers[w]);
		n = rte_ring_sc_dequeue_burst(c->env.workers[w]->to_ctl, (void **)m, POLL_BURST,
					      NULL);
		for (unsigned int i = 0; i < n; i++)
			from_worker(c, m[i]);
	}
	for (uint8_t p = 0; p < c->n_ports; p++) {
		uint16_t n = rte_eth_rx_burst(c->ports[p].tap_id, 0, m, POLL_BURST);

		c->cst.from_kernel += n;
		for (uint16_t i = 0; i < n; i++)
			ctl_tx(c, p, m[i]);
	}
	ctl_io_flush(c);
}

void ctl_io_drain_rings(struct fwd_worker *w)
{
	struct rte_ring *rings[] = { w->to_ctl, w->to_ctl_prio, w->from_ctl };
	struct rte_mbuf *m;

	for (size_t i = 0; i < RTE_DIM(rings); i++)
		while (rings[i] != NULL && rte_ring_dequeue(rings[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
}
