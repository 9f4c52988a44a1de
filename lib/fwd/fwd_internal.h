/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the files of lib/fwd: counting, token buckets, handing
 * frames on, and the functions each file gives the others:
 *   fwd.c        the burst: sort, bulk lookup, existing connections
 *   fwd_new.c    new connections: scheduling, persistence, adoption
 *   fwd_local.c  what is not a connection's: ARP, VRRP, the kernel, ICMP
 *   fwd_nd.c     the same for IPv6: neighbour discovery, VRRP, the kernel
 *   fwd_xmit.c   DR, NAT, TUN, TTL, MTU and the ICMP errors halb makes
 *   fwd_xmit6.c  the same for IPv6: hop limit, Packet Too Big, ICMPv6 errors
 *   fwd_worker.c the loop, the rings, the counters
 */
#ifndef HALB_FWD_INTERNAL_H
#define HALB_FWD_INTERNAL_H

#include <rte_ip.h>

#include "halb_fwd.h"

static inline struct rte_ipv4_hdr *fwd_ip(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, meta->l2_len);
}

static inline struct rte_ipv6_hdr *fwd_ip6(struct rte_mbuf *m, const struct pkt_meta *meta)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, meta->l2_len);
}

static inline bool fwd_is_v6(const struct pkt_meta *meta)
{
	return meta->ether_type == RTE_ETHER_TYPE_IPV6;
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

/* Takes a token from bucket p. @return false when it is empty. */
static inline bool fwd_police(struct fwd_worker *w, enum fwd_policer p)
{
	struct fwd_bucket *b = &w->pol[p];

	if (w->now_ms != b->last_ms) {
		uint64_t cap = (uint64_t)b->burst * 1000;

		b->tokens += (w->now_ms - b->last_ms) * b->rate;
		if (b->tokens > cap)
			b->tokens = cap;
		b->last_ms = w->now_ms;
	}
	if (b->tokens < 1000)
		return false;
	b->tokens -= 1000;
	return true;
}

/* Hands m to the control core on the priority ring (VRRP, sync). */
static inline void fwd_to_control_prio(struct fwd_worker *w, struct rte_mbuf *m, uint8_t reason)
{
	pkt_meta(m)->ctl = reason;
	if (rte_ring_sp_enqueue(w->to_ctl_prio, m) != 0) {
		fwd_drop(w, m, FWD_DROP_PRIO_RING_FULL);
		return;
	}
	w->st.to_control++;
}

/* Hands m to the control core on the bulk ring for reason (enum
 * pkt_ctl_reason), once its token bucket p lets it (else dropped as why). */
static inline void fwd_to_control(struct fwd_worker *w, struct rte_mbuf *m, uint8_t reason,
				  enum fwd_policer p, enum fwd_drop why)
{
	if (!fwd_police(w, p)) {
		fwd_drop(w, m, why);
		return;
	}
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

/* Hands m to the kernel (its port's TAP), policed by where it comes from. */
void fwd_to_kernel(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* The counters' side of a connection leaving (conn_gone_fn). */
void fwd_conn_gone(void *ctx, const struct conn *c);

/* The counters of a connection just made. */
void fwd_count_new(struct fwd_worker *w, const struct conn *c);

/* The sync daemon's view of c's change from state `old` (and assured or
 * not): reported to the control core when it is worth syncing. */
void fwd_sync_event(struct fwd_worker *w, const struct conn *c, uint8_t old, bool was_assured);

/* Forwards m along its connection c; first: c was made for m (its state is
 * already m's). */
void fwd_conn(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
	      struct conn *c, uint8_t dir, bool first);

/* Sends m to worker `owner`, which owns its connection. */
void fwd_redirect(struct fwd_worker *w, struct rte_mbuf *m, uint16_t owner);

/* The worker other than w whose table holds key, or -1. */
int fwd_probe(const struct fwd_worker *w, const struct conn_key *key);

void fwd_tx_flush_port(struct fwd_worker *w, uint8_t port);

/* Queues m for transmission on halb port `port`. */
static inline void fwd_tx(struct fwd_worker *w, uint8_t port, struct rte_mbuf *m)
{
	struct fwd_txq *q = &w->tx[port];

	if (q->n == FWD_TX_MAX)
		fwd_tx_flush_port(w, port);
	q->pkts[q->n++] = m;
}

/* The checksum of an IPv4 header halb wrote whole, l2_len bytes into m:
 * the NIC's when it offers it, else computed here. */
void fwd_ip_cksum(const struct fwd_worker *w, struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
		  uint8_t port, uint8_t l2_len);
/* Routes m towards dst and sends it. */
void fwd_send_routed(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     rte_be32_t dst);

/* The same for an IPv6 packet: no fragmenting (the callers refused what
 * does not fit) but for a tunnel's outer header, which halb makes. */
void fwd_send_to6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  uint8_t port, int32_t neigh_slot, const uint8_t *nexthop);
void fwd_send_routed6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const uint8_t *dst);

/* Sends one frame whose IP part fits the port, to the neighbour in slot
 * (found for nh when slot is -1); without its MAC, to the control core. */
void fwd_send_frame(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
		    const struct neigh_ip *nh);

/* Decrements a forwarded packet's TTL. @return false when it expired (m
 * is consumed: ICMP time exceeded goes back). */
bool fwd_ttl(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* The IPv6 forwarding methods (fwd_xmit6.c); each consumes m. */
void fwd_xmit_dr6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  const struct svc_rs *rs);
void fwd_xmit_nat_in6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct svc_rs *rs);
void fwd_xmit_nat_out6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		       const struct conn *c);

/* Decrements a forwarded IPv6 packet's hop limit. @return false when it
 * expired (m is consumed: ICMPv6 time exceeded goes back). */
bool fwd_hop6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* fwd_fits4's answer for a packet over the port's MTU (out of line: rare). */
bool fwd_fits4_over(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		    uint32_t len, uint8_t port, rte_be32_t src);

/* The same for the IPv6 packet m: it fits, or Packet Too Big goes back from
 * src (routers never fragment IPv6) and m is dropped. */
bool fwd_fits6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
	       uint32_t len, uint8_t port, const uint8_t *src);

/* The IP length of m (what follows its L2 header). */
static inline uint32_t fwd_ip_len(const struct rte_mbuf *m)
{
	return rte_pktmbuf_pkt_len(m) - pkt_meta((struct rte_mbuf *)(uintptr_t)m)->l2_len;
}

/* An ICMPv6 error (type, code, its 32-bit parameter) about m back to m's
 * source from src, rate-limited. m is not consumed. */
void fwd_icmp6_send(struct fwd_worker *w, const struct svc_snapshot *snap, const struct rte_mbuf *m,
		    uint8_t type, uint8_t code, uint32_t param, const uint8_t *src);

/* ICMPv6 errors about connections. @return true when m was consumed. */
bool fwd_icmp6_error(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* What is not a connection's, for IPv6 (fwd_nd.c). Consumes m. */
void fwd_local6(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* Tells the control core what ARP or a neighbour advert said about ip, if
 * halb knows ip and this is news. Without override (a neighbour advert
 * without its override flag: a proxy's, an anycast answer) only an
 * unresolved entry learns (RFC 4861 7.2.5). */
void fwd_learn(struct fwd_worker *w, const struct neigh_ip *ip, const struct rte_ether_addr *mac,
	       uint8_t port, bool override);

/* The real server of the connection an ICMP error about a TCP/UDP packet
 * belongs to (key: the connection's, reversed from the quote), found in w's
 * table (*cp, *dir) with its service owned and its server present; NULL
 * when there is none, or when m went to the owner of the connection
 * (*redirected). */
const struct svc_rs *fwd_icmp_conn(struct fwd_worker *w, const struct svc_snapshot *snap,
				   struct rte_mbuf *m, const struct conn_key *key, struct conn **cp,
				   uint8_t *dir, bool *redirected);

/* The forwarding methods; each consumes m. */
void fwd_xmit_dr(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		 const struct svc_rs *rs);
void fwd_xmit_nat_in(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     const struct svc_rs *rs);
void fwd_xmit_nat_out(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct conn *c);
/* TUN (fwd_tun.c): IPIP, IPv6 in IPv6, IPv4 in IPv6 and IPv6 in IPv4, by
 * the packet's family and the real server's. */
void fwd_xmit_tun(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		  const struct svc_rs *rs);

/* An mbuf for an ICMP or ICMPv6 error the worker makes: NULL when ICMP's
 * bucket is empty (icmp_limited) or no mbuf is left (no_mbuf). */
struct rte_mbuf *fwd_icmp_mbuf(struct fwd_worker *w);
/* The Ethernet header's room and type in front of the error built into e
 * (built: the builder's return, 0 when it built it); otherwise e is freed
 * (no_mbuf). @return whether e is still to send. */
bool fwd_icmp_ether(struct fwd_worker *w, struct rte_mbuf *e, int built, uint16_t ether_type);
/* Cuts m (over the port's MTU: IPv4 without DF, or an IPv6 packet whose
 * header is halb's own, a tunnel's) into fragments and sends them. */
void fwd_send_fragments(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
			const struct neigh_ip *nh);
/* Sends m out of port to the next hop nh (its neighbour slot when known,
 * else -1), in fragments when it is over the port's MTU (the callers have
 * checked that it may be cut). Inline, as the next two: every forwarded
 * packet goes through them. */
static inline void fwd_send_nh(struct fwd_worker *w, struct rte_mbuf *m, uint8_t port,
			       int32_t neigh_slot, const struct neigh_ip *nh)
{
	if (unlikely(fwd_ip_len(m) > w->env->ports[port].mtu))
		fwd_send_fragments(w, m, port, neigh_slot, nh);
	else
		fwd_send_frame(w, m, port, neigh_slot, nh);
}

/*
 * Sets the Ethernet addresses for the next hop and queues m: source the
 * port's MAC, destination the neighbour in slot (or the one found for
 * nexthop). Without a resolved MAC the frame waits at the control core.
 * Frames over the port's MTU are fragmented (the callers checked DF with
 * fwd_fits4).
 */
static inline void fwd_send_to(struct fwd_worker *w, const struct svc_snapshot *snap,
			       struct rte_mbuf *m, uint8_t port, int32_t neigh_slot,
			       rte_be32_t nexthop)
{
	const struct neigh_ip nh = neigh_ip4(nexthop);

	(void)snap;
	fwd_send_nh(w, m, port, neigh_slot, &nh);
}

/* Whether the IPv4 packet m, len bytes once sent (with any outer header),
 * may leave through port: it fits, or may be fragmented. Else "fragmentation
 * needed" goes back from src and m is dropped. */
static inline bool fwd_fits4(struct fwd_worker *w, const struct svc_snapshot *snap,
			     struct rte_mbuf *m, uint32_t len, uint8_t port, rte_be32_t src)
{
	return likely(len <= w->env->ports[port].mtu) || fwd_fits4_over(w, snap, m, len, port, src);
}
/* The end of the local path, both families: traffic for a VIP this director
 * does not hold is dropped, and so are fragments of a service's traffic or
 * transit ones (no reassembly); the rest goes to the kernel. flags: the
 * destination's SVC_AF_* flags. */
void fwd_local_rest(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		    uint8_t flags);
/* An ICMP error (type, code; mtu for "fragmentation needed") about m back
 * to m's source from src, rate-limited. m is not consumed. */
void fwd_icmp_send(struct fwd_worker *w, const struct svc_snapshot *snap, const struct rte_mbuf *m,
		   uint8_t type, uint8_t code, uint16_t mtu, rte_be32_t src);

/* ICMP errors about connections (IPVS's ip_vs_in_icmp / ip_vs_out_icmp).
 * @return true when m was consumed. */
bool fwd_icmp_error(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

/* A TCP/UDP packet that found no connection in w's table. @return the
 * connection made for it, or NULL (m consumed either way). */
struct conn *fwd_miss(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct conn_key *key);

/* What is not a connection's: ARP, VRRP, the director's own traffic,
 * transit. Consumes m. */
void fwd_local(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);
void fwd_arp(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m);

#endif
