/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A burst's way through a worker, top to bottom:
 *
 *   parse every frame once            -> drops counted by reason
 *   ARP, other EtherTypes, VRRP       -> control core (or the kernel)
 *   TCP/UDP with ports                -> one bulk connection lookup
 *     hit                             -> fwd_conn: state, counters, xmit
 *     miss to an owned service        -> fwd_new: persistence, scheduler,
 *                                        new connection, xmit
 *     miss otherwise                  -> the kernel (or dropped)
 *   ICMP errors about connections     -> translated like IPVS
 *
 * The transmit side of each method (DR, NAT, TUN) is in fwd_xmit.c.
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
	[FWD_DROP_FRAGMENT] = "fragment",
	[FWD_DROP_NOT_FOR_US] = "not_for_us",
	[FWD_DROP_VIP_NOT_OWNED] = "vip_not_owned",
	[FWD_DROP_NO_CONNECTION] = "no_connection",
	[FWD_DROP_NO_REAL_SERVER] = "no_real_server",
	[FWD_DROP_REAL_SERVER_GONE] = "real_server_gone",
	[FWD_DROP_CONN_TABLE_FULL] = "conn_table_full",
	[FWD_DROP_CONN_NO_MEMORY] = "conn_no_memory",
	[FWD_DROP_NO_ROUTE] = "no_route",
	[FWD_DROP_MTU_EXCEEDED] = "mtu_exceeded",
	[FWD_DROP_RING_FULL] = "ring_full",
	[FWD_DROP_TX_FULL] = "tx_full",
	[FWD_DROP_NO_MBUF] = "no_mbuf",
	[FWD_DROP_NEIGH_UNRESOLVED] = "neigh_unresolved",
	[FWD_DROP_NEIGH_QUEUE_FULL] = "neigh_queue_full",
};

const char *fwd_drop_name(enum fwd_drop d)
{
	return d < FWD_DROP_COUNT ? drop_names[d] : "unknown";
}

/* ------------------------------------------------------------ counting */

static inline void count_in(struct fwd_worker *w, const struct conn *c, uint32_t len)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[c->svc_stat];

	rs->in_pkts++;
	rs->in_bytes += len;
	sv->in_pkts++;
	sv->in_bytes += len;
}

static inline void count_out(struct fwd_worker *w, const struct conn *c, uint32_t len)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[c->svc_stat];

	rs->out_pkts++;
	rs->out_bytes += len;
	sv->out_pkts++;
	sv->out_bytes += len;
}

static inline void count_activity(struct fwd_worker *w, const struct conn *c, int delta)
{
	struct svc_counters *rs = &w->ctr[c->rs_stat], *sv = &w->ctr[c->svc_stat];

	rs->active += delta;
	rs->inactive -= delta;
	sv->active += delta;
	sv->inactive -= delta;
}

void fwd_conn_gone(void *ctx, const struct conn *c)
{
	struct fwd_worker *w = ctx;
	int64_t *rs, *sv;

	if (c->flags & CONN_F_TEMPLATE)
		return;
	rs =
	    conn_state_active(c->state) ? &w->ctr[c->rs_stat].active : &w->ctr[c->rs_stat].inactive;
	sv = conn_state_active(c->state) ? &w->ctr[c->svc_stat].active
					 : &w->ctr[c->svc_stat].inactive;
	(*rs)--;
	(*sv)--;
}

/* ----------------------------------------------------- the local side */

static inline bool ip_is_group(rte_be32_t dst)
{
	uint32_t a = rte_be_to_cpu_32(dst);

	return (a >> 28) == 0xe || a == 0xffffffffu;
}

/*
 * A packet that belongs to no connection and no service: the director's own
 * (its addresses, an owned VIP), multicast, or transit traffic that the
 * kernel routes. A VIP this director does not own is nobody's here.
 */
static void fwd_local(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct rte_ipv4_hdr *ip)
{
	const struct pkt_meta *meta = pkt_meta(m);
	uint8_t flags;

	if (ip->next_proto_id == PKT_IPPROTO_VRRP) {
		fwd_to_control(w, m, PKT_CTL_VRRP);
		return;
	}
	if (ip_is_group(ip->dst_addr)) {
		fwd_to_control(w, m, PKT_CTL_KERNEL);
		return;
	}
	flags = svc_addr_flags(snap, ip->dst_addr);
	if ((flags & SVC_AF_VIP) && !(flags & SVC_AF_OWNED)) {
		fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
		return;
	}
	if (meta->is_fragment && !(flags & (SVC_AF_LOCAL | SVC_AF_VIP))) {
		/* Transit fragments may belong to NAT connections, which the
		 * kernel cannot translate: halb does not reassemble. */
		fwd_drop(w, m, FWD_DROP_FRAGMENT);
		return;
	}
	fwd_to_control(w, m, PKT_CTL_KERNEL);
}

/* ------------------------------------------------- existing connections */

static void fwd_conn(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     struct conn *c, uint8_t dir)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct svc_rs *rs;
	uint32_t len = rte_pktmbuf_pkt_len(m) - meta->l2_len;
	int delta;

	if (!(snap->stat_flags[c->svc_stat] & SVC_SF_OWNED)) {
		/* BACKUP: the VIP is not ours, whatever connections remain. */
		fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
		return;
	}
	rs = snap->rs_of[c->rs_stat];
	if (!(snap->stat_flags[c->rs_stat] & SVC_SF_PRESENT) || rs == NULL) {
		/* IPVS's expire_nodest_conn: the client retries and is
		 * scheduled again. */
		if (conn_kill(w->env->conns, c))
			fwd_conn_gone(w, c);
		fwd_drop(w, m, FWD_DROP_REAL_SERVER_GONE);
		return;
	}
	delta = conn_touch(c, dir, meta->tcp_flags, w->now_ms);
	if (delta != 0)
		count_activity(w, c, delta);
	if (dir == CONN_DIR_OUT) {
		count_out(w, c, len);
		fwd_xmit_nat_out(w, snap, m, c);
		return;
	}
	count_in(w, c, len);
	switch (c->fwd) {
	case CFG_FWD_DR:
		fwd_xmit_dr(w, m, rs);
		break;
	case CFG_FWD_NAT:
		fwd_xmit_nat_in(w, m, c, rs);
		break;
	default:
		fwd_xmit_tun(w, snap, m, rs);
		break;
	}
}

/* ------------------------------------------------------ new connections */

struct load_ctx {
	const struct fwd_env *env;
	const struct svc *svc;
};

/* The real server's connections over all workers: the two counters the
 * schedulers read, not the whole svc_counters (wlc asks for every server
 * on every new connection). */
static void load_get(void *ctx, uint32_t i, uint32_t *active, uint32_t *inactive)
{
	const struct load_ctx *lc = ctx;
	const uint32_t stat = lc->svc->rs[i].stat;
	int64_t act = 0, inact = 0;

	for (uint16_t k = 0; k < lc->env->n_workers; k++) {
		const struct svc_counters *c = &lc->env->workers[k]->ctr[stat];

		act += c->active;
		inact += c->inactive;
	}
	*active = act > 0 ? (uint32_t)act : 0;
	*inactive = inact > 0 ? (uint32_t)inact : 0;
}

static inline bool tcp_is_syn(uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
			 RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

/* The index in svc->rs of the persistence template's real server, if the
 * template exists and its server is still usable; refreshes the template. */
static int persist_lookup(struct fwd_worker *w, const struct svc *svc, const struct conn_key *tkey,
			  struct conn **tmpl)
{
	struct conn *t = conn_template_find(w->env->conns, tkey);

	*tmpl = NULL;
	if (t == NULL)
		return -1;
	for (uint32_t i = 0; i < svc->n_rs; i++) {
		const struct svc_rs *rs = &svc->rs[i];

		/* IPVS keeps sending a persistent client to a quiesced
		 * (weight 0) server; a server that is down breaks the bond. */
		if (rs->stat == t->rs_stat && rs->available) {
			__atomic_store_n(&t->expires, w->now_ms + t->timeout, __ATOMIC_RELAXED);
			*tmpl = t;
			return (int)i;
		}
	}
	conn_kill(w->env->conns, t);
	return -1;
}

/* @return the connection it made, or NULL. */
static struct conn *fwd_new(struct fwd_worker *w, const struct svc_snapshot *snap,
			    struct rte_mbuf *m, const struct conn_key *key)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv4_hdr *ip = fwd_ip(m, meta);
	uint8_t flags = svc_addr_flags(snap, key->dst);
	const struct svc *svc;
	struct conn *tmpl = NULL, *c;
	struct conn_key tkey;
	enum conn_error err;
	int idx = -1;

	if (!(flags & SVC_AF_SERVICE)) {
		fwd_local(w, snap, m, ip);
		return NULL;
	}
	if (!(flags & SVC_AF_OWNED)) {
		fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
		return NULL;
	}
	svc = svc_lookup(snap, key->dst, key->dport, key->proto);
	if (svc == NULL) {
		/* An owned VIP on a port with no service: ping, SSH... */
		fwd_to_control(w, m, PKT_CTL_KERNEL);
		return NULL;
	}
	if (key->proto == IPPROTO_TCP && !tcp_is_syn(meta->tcp_flags)) {
		fwd_drop(w, m, FWD_DROP_NO_CONNECTION);
		return NULL;
	}
	if (svc->persist_ms != 0) {
		tkey = (struct conn_key){ .src = key->src & svc->persist_mask,
					  .dst = key->dst,
					  .dport = key->dport,
					  .proto = key->proto,
					  .kind = CONN_KIND_TEMPLATE };
		idx = persist_lookup(w, svc, &tkey, &tmpl);
	}
	if (idx < 0) {
		struct load_ctx lc = { .env = w->env, .svc = svc };
		struct sched_load load = { .get = load_get, .ctx = &lc };
		struct sched_key sk = { .saddr = rte_be_to_cpu_32(key->src),
					.daddr = rte_be_to_cpu_32(key->dst),
					.sport = rte_be_to_cpu_16(key->sport),
					.dport = rte_be_to_cpu_16(key->dport),
					.now_ms = w->now_ms };

		idx = sched_pick(svc->sched, svc->state[w->id], &sk, &load);
		if (idx < 0) {
			fwd_drop(w, m, FWD_DROP_NO_REAL_SERVER);
			return NULL;
		}
		if (svc->persist_ms != 0)
			tmpl = conn_template_create(w->env->conns, w->cw, &tkey, svc->rs[idx].addr,
						    svc->rs[idx].port, svc->rs[idx].stat, svc->stat,
						    svc->persist_ms, w->now_ms, &err);
	}

	{
		const struct svc_rs *rs = &svc->rs[idx];
		struct conn_init ci = { .key = *key,
					.daddr = rs->addr,
					.dport = rs->port,
					.fwd = svc->fwd,
					.rs_stat = rs->stat,
					.svc_stat = svc->stat,
					.tmpl = tmpl };

		c = conn_create(w->env->conns, w->cw, &ci, w->now_ms, &err);
		if (c == NULL) {
			fwd_drop(w, m,
				 err == CONN_ERR_NO_MEMORY ? FWD_DROP_CONN_NO_MEMORY
							   : FWD_DROP_CONN_TABLE_FULL);
			return NULL;
		}
		/* A new connection starts inactive (state NONE), as IPVS. */
		w->ctr[rs->stat].conns++;
		w->ctr[svc->stat].conns++;
		w->ctr[rs->stat].inactive++;
		w->ctr[svc->stat].inactive++;
		fwd_conn(w, snap, m, c, CONN_DIR_IN);
	}
	return c;
}

/* -------------------------------------------------------------- bursts */

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
};

/* Sorts one received frame: returns true when it is a TCP/UDP packet for
 * the bulk connection lookup (its key filled), false when it was handled. */
static bool fwd_sort(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		     uint8_t in_port, struct conn_key *key)
{
	struct pkt_meta *meta = pkt_meta(m);
	const struct rte_ipv4_hdr *ip;
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
		fwd_to_control(w, m, PKT_CTL_ARP);
		return false;
	}
	if (kind != PKT_KIND_IPV4) {
		fwd_to_control(w, m, PKT_CTL_KERNEL);
		return false;
	}
	ip = fwd_ip(m, meta);
	if ((meta->l4_proto == IPPROTO_TCP || meta->l4_proto == IPPROTO_UDP) &&
	    !meta->is_fragment) {
		const rte_be16_t *ports = fwd_l4(m, meta);

		*key = (struct conn_key){ .src = ip->src_addr,
					  .dst = ip->dst_addr,
					  .sport = ports[0],
					  .dport = ports[1],
					  .proto = meta->l4_proto,
					  .kind = CONN_KIND_CONN };
		return true;
	}
	if (meta->l4_proto == IPPROTO_ICMP && !meta->is_fragment && fwd_icmp_error(w, snap, m))
		return false;
	if (meta->is_fragment) {
		uint8_t flags = svc_addr_flags(snap, ip->dst_addr);

		if (flags & SVC_AF_SERVICE) {
			fwd_drop(w, m, FWD_DROP_FRAGMENT);
			return false;
		}
	}
	fwd_local(w, snap, m, ip);
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
	struct conn_key key[2 * FWD_BURST];
	struct conn *c[2 * FWD_BURST];
	uint8_t dir[2 * FWD_BURST];
};

static inline uint64_t key_hash(const struct conn_key *k)
{
	uint64_t a, b;

	memcpy(&a, k, sizeof(a));
	memcpy(&b, (const uint8_t *)k + sizeof(a), sizeof(b));
	return ((a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull) >> 57;
}

static void made_add(struct burst_made *md, struct conn *c, const struct conn_key *key, uint8_t dir)
{
	uint64_t h = key_hash(key);

	md->filter[h >> 6] |= 1ULL << (h & 63);
	md->key[md->n] = *key;
	md->c[md->n] = c;
	md->dir[md->n++] = dir;
}

static struct conn *made_find(const struct burst_made *md, const struct conn_key *key, uint8_t *dir)
{
	uint64_t h = key_hash(key);

	if (!(md->filter[h >> 6] & (1ULL << (h & 63))))
		return NULL;
	for (uint32_t j = 0; j < md->n; j++) {
		if (memcmp(&md->key[j], key, sizeof(*key)) == 0) {
			*dir = md->dir[j];
			/* as the lookup would: fwd_conn may have killed it */
			return conn_is_dead(md->c[j]) ? NULL : md->c[j];
		}
	}
	return NULL;
}

static void fwd_process_burst(struct fwd_worker *w, const struct svc_snapshot *snap,
			      struct rte_mbuf **pkts, uint16_t n, uint8_t in_port)
{
	struct conn_key keys[FWD_BURST];
	const struct conn_key *keyp[FWD_BURST];
	struct rte_mbuf *cand[FWD_BURST];
	struct conn *conns[FWD_BURST];
	uint8_t dirs[FWD_BURST];
	struct burst_made made;
	uint32_t nc = 0;
	uint64_t hits;

	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		if (fwd_sort(w, snap, pkts[i], in_port, &keys[nc])) {
			keyp[nc] = &keys[nc];
			cand[nc++] = pkts[i];
		}
	}
	if (nc == 0)
		return;
	hits = conn_lookup_bulk(w->env->conns, keyp, nc, conns, dirs);
	made.n = 0;
	made.filter[0] = made.filter[1] = 0;
	for (uint32_t i = 0; i < nc; i++) {
		struct conn *c = NULL;
		uint8_t dir = CONN_DIR_IN;

		if (hits & (1ULL << i)) {
			c = conns[i];
			dir = dirs[i];
		} else if (made.n > 0) {
			c = made_find(&made, &keys[i], &dir);
		}
		if (c != NULL) {
			fwd_conn(w, snap, cand[i], c, dir);
			continue;
		}
		c = fwd_new(w, snap, cand[i], &keys[i]);
		if (c != NULL) {
			struct conn_key reply;

			made_add(&made, c, &keys[i], CONN_DIR_IN);
			if (conn_reply_key(c, &reply))
				made_add(&made, c, &reply, CONN_DIR_OUT);
		}
	}
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
