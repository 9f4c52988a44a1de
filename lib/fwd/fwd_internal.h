/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the files of lib/fwd: counting, handing frames on, and
 * the transmit functions of each forwarding method (fwd_xmit.c).
 */
#ifndef HALB_FWD_INTERNAL_H
#define HALB_FWD_INTERNAL_H

#include <rte_ip.h>

#include "halb_fwd.h"

static inline struct rte_ipv4_hdr *fwd_ip(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l2_len);
}

static inline void *fwd_l4(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, meta->l2_len + meta->l3_len);
}

static inline void fwd_drop(struct fwd_worker *w, struct rte_mbuf *m, enum fwd_drop why)
{
	w->st.drops[why]++;
	w->st.dropped++;
	rte_pktmbuf_free(m);
}

/* Hands m to the control core for reason (enum pkt_ctl_reason). */
static inline void fwd_to_control(struct fwd_worker *w, struct rte_mbuf *m, uint8_t reason)
{
	pkt_meta(m)->ctl = reason;
	if (rte_ring_sp_enqueue(w->to_ctl, m) != 0) {
		fwd_drop(w, m, FWD_DROP_RING_FULL);
		return;
	}
	if (reason == PKT_CTL_KERNEL)
		w->st.to_kernel++;
	else
		w->st.to_control++;
}

/* The counters' side of a connection leaving (conn_gone_fn). */
void fwd_conn_gone(void *ctx, const struct conn *c);

void fwd_tx_flush_port(struct fwd_worker *w, uint8_t port);

/* Queues m for transmission on halb port `port`. */
static inline void fwd_tx(struct fwd_worker *w, uint8_t port, struct rte_mbuf *m)
{
	struct fwd_txq *q = &w->tx[port];

	if (q->n == FWD_TX_MAX)
		fwd_tx_flush_port(w, port);
	q->pkts[q->n++] = m;
}

/*
 * Sets the Ethernet addresses for the next hop and queues m: source the
 * port's MAC, destination the neighbour in slot (or the one found for
 * nexthop). Without a resolved MAC the frame waits at the control core.
 */
void fwd_send_to(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
		 rte_be32_t nexthop);

/* The forwarding methods; each consumes m. */
void fwd_xmit_dr(struct fwd_worker *w, struct rte_mbuf *m, const struct svc_rs *rs);
void fwd_xmit_nat_in(struct fwd_worker *w, struct rte_mbuf *m, const struct conn *c,
		     const struct svc_rs *rs);
void fwd_xmit_nat_out(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct conn *c);
void fwd_xmit_tun(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  const struct svc_rs *rs);

/* ICMP errors about connections (IPVS's ip_vs_in_icmp / ip_vs_out_icmp).
 * @return true when m was consumed. */
bool fwd_icmp_error(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

#endif
