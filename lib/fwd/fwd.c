/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A burst's way through a worker, top to bottom:
 *
 *   parse every frame once            -> drops counted by reason
 *   ARP, other EtherTypes, VRRP, ...  -> fwd_local.c (IPv6, ND: fwd_nd.c)
 *   TCP/UDP with ports, IPv4 or IPv6  -> one bulk lookup in the worker's table
 *     hit                             -> fwd_conn: state, counters, xmit
 *     miss                            -> fwd_miss (fwd_new.c): redirect to
 *                                        the owner, or schedule, or local
 *   ICMP errors about connections     -> translated like IPVS (fwd_xmit.c)
 *
 * Frames redirected by other workers come in already parsed and take the
 * same way from the lookup on.
 */
#include <string.h>

#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "fwd_internal.h"

static const char *const drop_names[FWD_DROP_COUNT] = {
	[FWD_DROP_TRUNCATED] = "truncated",
	[FWD_DROP_BAD_IP_HEADER] = "bad_ip_header",
	[FWD_DROP_BAD_IP_CHECKSUM] = "bad_ip_checksum",
	[FWD_DROP_BAD_L4_HEADER] = "bad_l4_header",
	[FWD_DROP_BAD_IPV6_EXT] = "bad_ipv6_ext",
	[FWD_DROP_IPV6_EXT_CHAIN] = "ipv6_ext_chain",
	[FWD_DROP_IPV6_ROUTING] = "ipv6_routing",
	[FWD_DROP_FRAGMENT] = "fragment",
	[FWD_DROP_NOT_FOR_US] = "not_for_us",
	[FWD_DROP_VIP_NOT_OWNED] = "vip_not_owned",
	[FWD_DROP_NO_CONNECTION] = "no_connection",
	[FWD_DROP_NO_REAL_SERVER] = "no_real_server",
	[FWD_DROP_REAL_SERVER_GONE] = "real_server_gone",
	[FWD_DROP_CONN_TABLE_FULL] = "conn_table_full",
	[FWD_DROP_NO_ROUTE] = "no_route",
	[FWD_DROP_MTU_EXCEEDED] = "mtu_exceeded",
	[FWD_DROP_TTL_EXCEEDED] = "ttl_exceeded",
	[FWD_DROP_RING_FULL] = "ring_full",
	[FWD_DROP_PRIO_RING_FULL] = "prio_ring_full",
	[FWD_DROP_REDIRECT_FULL] = "redirect_full",
	[FWD_DROP_KERNEL_POLICED] = "kernel_policed",
	[FWD_DROP_TRUSTED_POLICED] = "trusted_policed",
	[FWD_DROP_ARP_POLICED] = "arp_policed",
	[FWD_DROP_RESOLVE_POLICED] = "resolve_policed",
	[FWD_DROP_BAD_ARP] = "bad_arp",
	[FWD_DROP_ARP_IGNORED] = "arp_ignored",
	[FWD_DROP_VRRP_BAD_TTL] = "vrrp_bad_ttl",
	[FWD_DROP_VRRP_UNTRUSTED] = "vrrp_untrusted",
	[FWD_DROP_BAD_ND] = "bad_nd",
	[FWD_DROP_ND_IGNORED] = "nd_ignored",
	[FWD_DROP_ND_POLICED] = "nd_policed",
	[FWD_DROP_RA_IGNORED] = "ra_ignored",
	[FWD_DROP_TX_FULL] = "tx_full",
	[FWD_DROP_NO_MBUF] = "no_mbuf",
	[FWD_DROP_NEIGH_UNRESOLVED] = "neigh_unresolved",
	[FWD_DROP_NEIGH_QUEUE_FULL] = "neigh_queue_full",
	[FWD_DROP_NEIGH_TABLE_FULL] = "neigh_table_full",
	[FWD_DROP_SYNC_POLICED] = "sync_policed",
};

const char *fwd_drop_name(enum fwd_drop d)
{
	return d < FWD_DROP_COUNT ? drop_names[d] : "unknown";
}

/* ------------------------------------------------------------ counting */

static inline uint16_t svc_stat_of(const struct fwd_worker *w, const struct conn *c)
{
	return w->env->dests[c->rs_stat].svc_stat;
}

static inline void count_pkt(struct fwd_worker *w, const struct conn *c, uint32_t len, bool out)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[svc_stat_of(w, c)];

	if (out) {
		rs->out_pkts++;
		rs->out_bytes += len;
		sv->out_pkts++;
		sv->out_bytes += len;
	} else {
		rs->in_pkts++;
		rs->in_bytes += len;
		sv->in_pkts++;
		sv->in_bytes += len;
	}
}

static inline void count_activity(struct fwd_worker *w, const struct conn *c, int delta)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[svc_stat_of(w, c)];

	rs->active += delta;
	rs->inactive -= delta;
	sv->active += delta;
	sv->inactive -= delta;
}

void fwd_count_new(struct fwd_worker *w, const struct conn *c)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[svc_stat_of(w, c)];
	const bool active = conn_state_active(c->state);

	rs->conns++;
	sv->conns++;
	rs->active += active;
	sv->active += active;
	rs->inactive += !active;
	sv->inactive += !active;
}

void fwd_conn_gone(void *ctx, const struct conn *c)
{
	struct fwd_worker *w = ctx;
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[svc_stat_of(w, c)];

	if (conn_state_active(c->state)) {
		rs->active--;
		sv->active--;
	} else {
		rs->inactive--;
		sv->inactive--;
	}
}

/* ------------------------------------------------- existing connections */

/* The IPv6 connection c's packet m, on its way. */
static void fwd_conn_xmit6(struct fwd_worker *w, const struct svc_snapshot *snap,
			   struct rte_mbuf *m, const struct conn *c, const struct svc_rs *rs,
			   uint8_t dir)
{
	if (dir == CONN_DIR_OUT)
		fwd_xmit_nat_out6(w, snap, m, c);
	else if (conn_fwd(c) == CFG_FWD_DR)
		fwd_xmit_dr6(w, snap, m, rs);
	else if (conn_fwd(c) == CFG_FWD_NAT)
		fwd_xmit_nat_in6(w, snap, m, rs);
	else
		fwd_xmit_tun(w, snap, m, rs);
}

void fwd_conn(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
	      struct conn *c, uint8_t dir, bool first)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct svc_rs *rs;
	uint32_t len = rte_pktmbuf_pkt_len(m) - meta->l2_len;

	if (!(snap->stat_flags[svc_stat_of(w, c)] & SVC_SF_OWNED)) {
		/* BACKUP: the VIP is not ours, whatever connections remain. */
		fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
		return;
	}
	rs = snap->rs_of[c->rs_stat];
	if (!(snap->stat_flags[c->rs_stat] & SVC_SF_PRESENT) || rs == NULL) {
		/* IPVS's expire_nodest_conn: the client retries and is
		 * scheduled again. */
		conn_kill(w->conns, c, fwd_conn_gone, w);
		fwd_drop(w, m, FWD_DROP_REAL_SERVER_GONE);
		return;
	}
	if (!first) {
		const uint8_t old = c->state;
		const bool was_assured = c->flags & CONN_F_ASSURED;
		int delta = conn_touch(w->conns, c, dir, meta->tcp_flags, w->now_s);

		if (delta != 0)
			count_activity(w, c, delta);
		if (w->env->sync_send && (c->state != old || !was_assured))
			fwd_sync_event(w, c, old, was_assured);
	}
	count_pkt(w, c, len, dir == CONN_DIR_OUT);
	if (unlikely(c->flags & CONN_F_V6)) {
		fwd_conn_xmit6(w, snap, m, c, rs, dir);
		return;
	}
	if (dir == CONN_DIR_OUT) {
		fwd_xmit_nat_out(w, snap, m, c);
		return;
	}
	switch (conn_fwd(c)) {
	case CFG_FWD_DR:
		fwd_xmit_dr(w, snap, m, rs);
		break;
	case CFG_FWD_NAT:
		fwd_xmit_nat_in(w, snap, m, rs);
		break;
	default:
		fwd_xmit_tun(w, snap, m, rs);
		break;
	}
}

static inline bool tcp_is_syn(uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
			 RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

/*
 * IPVS's conn_reuse_mode (1, its default): a new SYN that finds the
 * client's old connection closed (TIME_WAIT, CLOSE) and bound to no
 * template is a new connection, scheduled afresh; so is one whose server
 * was quiesced (weight 0), which must take no new connection (the IPVS
 * sysctl expire_nodest_conn's behaviour for weight 0).
 */
static bool conn_reusable(const struct fwd_worker *w, const struct svc_snapshot *snap,
			  const struct conn *c, const struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta((struct rte_mbuf *)(uintptr_t)m);
	const struct svc_rs *rs;

	(void)w;
	if (c->proto != IPPROTO_TCP || !tcp_is_syn(meta->tcp_flags) || c->tmpl != 0)
		return false;
	if (c->state == CONN_S_TIME_WAIT || c->state == CONN_S_CLOSE)
		return true;
	rs = snap->rs_of[c->rs_stat];
	return rs != NULL && rs->weight == 0;
}

/* ------------------------------------------------------------- sorting */

static inline bool mac_for_us(const struct rte_mbuf *m, const struct fwd_port *port)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	return rte_is_same_ether_addr(&eth->dst_addr, &port->mac) ||
	       rte_is_multicast_ether_addr(&eth->dst_addr);
}

static const enum fwd_drop parse_drop[] = {
	[PKT_ERR_TRUNCATED] = FWD_DROP_TRUNCATED,
	[PKT_ERR_BAD_IP_HEADER] = FWD_DROP_BAD_IP_HEADER,
	[PKT_ERR_BAD_IP_CHECKSUM] = FWD_DROP_BAD_IP_CHECKSUM,
	[PKT_ERR_BAD_L4_HEADER] = FWD_DROP_BAD_L4_HEADER,
	[PKT_ERR_BAD_IPV6_EXT] = FWD_DROP_BAD_IPV6_EXT,
	[PKT_ERR_IPV6_EXT_CHAIN] = FWD_DROP_IPV6_EXT_CHAIN,
};

/* The key of a parsed TCP/UDP packet (IPv4, or IPv6 whose destination is
 * its last stop). @return false for anything else. */
static inline bool key_of(struct rte_mbuf *m, struct conn_key *key)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const rte_be16_t *ports;

	if ((meta->l4_proto != IPPROTO_TCP && meta->l4_proto != IPPROTO_UDP) || meta->is_fragment)
		return false;
	if (likely(meta->ether_type == RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip = fwd_ip(m, meta);

		key->af = 4;
		key->v4.src = ip->src_addr;
		key->v4.dst = ip->dst_addr;
	} else if (fwd_is_v6(meta) && !meta->v6_routed) {
		const struct rte_ipv6_hdr *ip = fwd_ip6(m, meta);

		key->af = 6;
		/* src and dst in a row, both in the header and in the key */
		memcpy(&key->v6, (const uint8_t *)ip + offsetof(struct rte_ipv6_hdr, src_addr),
		       sizeof(key->v6));
	} else {
		return false;
	}
	ports = fwd_l4(m, meta);
	key->proto = meta->l4_proto;
	key->sport = ports[0];
	key->dport = ports[1];
	key->pad = 0;
	return true;
}

/* Sorts one received frame: returns true when it is a TCP/UDP packet for
 * the bulk connection lookup (its key filled), false when it was handled. */
static bool fwd_sort(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     uint8_t in_port, struct conn_key *key)
{
	struct pkt_meta *meta = pkt_meta(m);
	int kind;

	w->st.rx_packets++;
	w->st.rx_bytes += rte_pktmbuf_pkt_len(m);
	kind = pkt_parse(m, meta);
	meta->in_port = in_port;
	if (kind < 0) {
		fwd_drop(w, m, parse_drop[-kind]);
		return false;
	}
	if (!mac_for_us(m, &w->env->ports[in_port])) {
		fwd_drop(w, m, FWD_DROP_NOT_FOR_US);
		return false;
	}
	if (kind == PKT_KIND_ARP) {
		fwd_arp(w, snap, m);
		return false;
	}
	if ((kind == PKT_KIND_IPV4 || kind == PKT_KIND_IPV6) && key_of(m, key))
		return true;
	fwd_local(w, snap, m);
	return false;
}

/*
 * The keys of the connections a burst has made (a NAT connection has two).
 * The bulk lookup ran before any was made, and the first packets of a new
 * flow often arrive together: they must find the connection, not be
 * scheduled twice. A 128-bit filter of the keys spares the other packets
 * the search.
 */
struct burst_made {
	uint64_t filter[2];
	uint32_t n;
	struct conn_key key[FWD_BURST];
	struct conn *c[FWD_BURST];
	uint8_t gen[FWD_BURST];
};

static inline uint64_t key_hash(const struct conn_key *k)
{
	uint64_t a, b;

	memcpy(&a, k, sizeof(a));
	memcpy(&b, &k->v4, sizeof(b));
	return ((a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull) >> 57;
}

static void made_add(struct burst_made *md, struct conn *c, const struct conn_key *key)
{
	uint64_t h = key_hash(key);

	md->filter[h >> 6] |= 1ULL << (h & 63);
	md->key[md->n] = *key;
	md->gen[md->n] = c->gen;
	md->c[md->n++] = c;
}

static struct conn *made_find(const struct burst_made *md, const struct conn_key *key)
{
	uint64_t h = key_hash(key);

	if (!(md->filter[h >> 6] & (1ULL << (h & 63))))
		return NULL;
	for (uint32_t j = 0; j < md->n; j++) {
		/* gone if another packet of the burst killed or evicted it */
		if (conn_key_eq(&md->key[j], key))
			return ((md->c[j]->flags & CONN_F_LIVE) && md->c[j]->gen == md->gen[j])
				   ? md->c[j]
				   : NULL;
	}
	return NULL;
}

/* From the bulk lookup on: packets with keys, their connections found or
 * made. */
static void fwd_dispatch(struct fwd_worker *w, const struct svc_snapshot *snap,
			 struct rte_mbuf **cand, struct conn_key *keys, uint32_t nc)
{
	struct conn *conns[FWD_BURST];
	uint8_t dirs[FWD_BURST], gens[FWD_BURST];
	struct burst_made made;
	uint32_t hits;

	hits = conn_lookup_bulk(w->conns, keys, nc, conns, dirs);
	for (uint32_t i = 0; i < nc; i++)
		if (hits & (1u << i))
			gens[i] = conns[i]->gen;
	made.n = 0;
	made.filter[0] = made.filter[1] = 0;
	for (uint32_t i = 0; i < nc; i++) {
		struct conn *c = NULL;
		uint8_t dir = CONN_DIR_IN;

		/* An earlier packet of the burst may have killed or evicted the
		 * connection found (and its entry made another): a hit holds
		 * only while its entry is live in the same generation. */
		if ((hits & (1u << i)) && (conns[i]->flags & CONN_F_LIVE) &&
		    conns[i]->gen == gens[i]) {
			c = conns[i];
			dir = dirs[i];
		} else if (made.n > 0) {
			c = made_find(&made, &keys[i]);
		}
		if (c != NULL && dir == CONN_DIR_IN && conn_reusable(w, snap, c, cand[i])) {
			conn_kill(w->conns, c, fwd_conn_gone, w);
			w->st.reused++;
			c = NULL;
		}
		if (c != NULL) {
			fwd_conn(w, snap, cand[i], c, dir, false);
			continue;
		}
		c = fwd_miss(w, snap, cand[i], &keys[i]);
		if (c != NULL && made.n < FWD_BURST)
			made_add(&made, c, &keys[i]);
	}
}

static void fwd_process_burst(struct fwd_worker *w, const struct svc_snapshot *snap,
			      struct rte_mbuf **pkts, uint16_t n, uint8_t in_port)
{
	struct conn_key keys[FWD_BURST];
	struct rte_mbuf *cand[FWD_BURST];
	uint32_t nc = 0;

	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++)
		if (fwd_sort(w, snap, pkts[i], in_port, &keys[nc]))
			cand[nc++] = pkts[i];
	if (nc > 0)
		fwd_dispatch(w, snap, cand, keys, nc);
}

void fwd_process(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf **pkts,
		 uint16_t n, uint8_t in_port)
{
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)FWD_BURST);

		fwd_process_burst(w, snap, pkts, k, in_port);
		pkts += k;
		n -= k;
	}
}

uint32_t fwd_process_redirected(struct fwd_worker *w, const struct svc_snapshot *snap)
{
	struct rte_mbuf *pkts[FWD_BURST], *cand[FWD_BURST];
	struct conn_key keys[FWD_BURST];
	uint32_t n, nc = 0;

	n = rte_ring_sc_dequeue_burst(w->redirect, (void **)pkts, FWD_BURST, NULL);
	w->st.redirects_in += n;
	for (uint32_t i = 0; i < n; i++) {
		if (key_of(pkts[i], &keys[nc]))
			cand[nc++] = pkts[i];
		else if (!fwd_icmp_error(w, snap, pkts[i]))
			fwd_local(w, snap, pkts[i]);
	}
	if (nc > 0)
		fwd_dispatch(w, snap, cand, keys, nc);
	return n;
}
