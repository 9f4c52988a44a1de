/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TCP/UDP packet that found no connection in its worker's table
 * (fwd_miss), in this order:
 *
 *   to an owned service:
 *     NAT, and another worker owns the client      -> redirected there
 *     a SYN, or UDP                                 -> a new connection
 *     mid-flow TCP another worker holds (synced)    -> redirected there
 *     mid-flow TCP, scheduler hashing the flow (mh, sh, dh) or sloppy_tcp
 *                                                   -> adopted: a new
 *                                                      connection, embryonic
 *                                                      until its next packet
 *     other mid-flow TCP                            -> dropped (no_connection)
 *   a NAT real server's reply owned by another worker -> redirected there
 *   anything else                                   -> fwd_local
 *
 * A new connection takes its real server from the persistence template of
 * its client when there is one whose server is still available, else from
 * the service's scheduler (which reads the loads the control core publishes
 * plus what this worker made since), and makes the template.
 */
#include <rte_tcp.h>

#include "fwd_internal.h"

uint16_t fwd_owner(const struct fwd_env *env, uint8_t af, const void *addr, rte_be16_t port)
{
	if (env->n_workers == 1)
		return 0;
	return (uint16_t)(((uint64_t)conn_client_hash(af, addr, port) * env->n_workers) >> 32);
}

int fwd_probe(const struct fwd_worker *w, const struct conn_key *key)
{
	const struct fwd_env *env = w->env;

	for (uint16_t i = 0; i < env->n_workers; i++)
		if (i != w->id && conn_probe(env->workers[i]->conns, key))
			return i;
	return -1;
}

/* ------------------------------------------------------------ scheduling */

struct load_ctx {
	const struct fwd_worker *w;
	const struct svc *svc;
	uint32_t gen;
};

/* A real server's connections: the control core's sum, plus the ones this
 * worker made since it was published (new ones count as inactive, as IPVS
 * counts a connection before its handshake). */
static void load_get(void *ctx, uint32_t i, uint32_t *active, uint32_t *inactive)
{
	const struct load_ctx *lc = ctx;
	const uint32_t stat = lc->svc->rs[i].stat;
	const struct fwd_load *l = &lc->w->env->loads.by_stat[stat];
	const struct fwd_load_local *mine = &lc->w->local[stat];

	*active = __atomic_load_n(&l->active, __ATOMIC_RELAXED);
	*inactive = __atomic_load_n(&l->inactive, __ATOMIC_RELAXED) +
		    (mine->gen == lc->gen ? mine->made : 0);
}

static void load_made(struct fwd_worker *w, uint32_t stat)
{
	struct fwd_load_local *mine = &w->local[stat];
	uint32_t gen = __atomic_load_n(&w->env->loads.gen, __ATOMIC_ACQUIRE);

	if (mine->gen != gen) {
		mine->gen = gen;
		mine->made = 0;
	}
	mine->made++;
}

static int sched_for(struct fwd_worker *w, const struct svc *svc, const struct conn_key *key)
{
	struct load_ctx lc = { .w = w,
			       .svc = svc,
			       .gen = __atomic_load_n(&w->env->loads.gen, __ATOMIC_ACQUIRE) };
	struct sched_load load = { .get = load_get, .ctx = &lc };
	struct sched_key sk = { .sport = rte_be_to_cpu_16(key->sport),
				.dport = rte_be_to_cpu_16(key->dport),
				.now_ms = w->now_ms };

	if (key->af == 6) {
		sk.saddr = sched_addr_fold6(key->v6.src);
		sk.daddr = sched_addr_fold6(key->v6.dst);
	} else {
		sk.saddr = rte_be_to_cpu_32(key->v4.src);
		sk.daddr = rte_be_to_cpu_32(key->v4.dst);
	}
	return sched_pick(svc->sched, svc->state[w->id], &sk, &load);
}

/* The index in svc->rs of the available real server of counters slot stat,
 * or -1. */
static int rs_index(const struct svc *svc, uint32_t stat)
{
	for (uint32_t i = 0; i < svc->n_rs; i++)
		if (svc->rs[i].stat == stat && svc->rs[i].available)
			return (int)i;
	return -1;
}

/* The persistence template's key: the client masked by the granularity
 * (a netmask for IPv4, a prefix length for IPv6), and the service. */
static void tkey_of(const struct svc *svc, const struct conn_key *key, struct conn_tkey *tk)
{
	*tk = (struct conn_tkey){ .af = key->af, .proto = key->proto, .vport = key->dport };
	if (key->af == 6) {
		const unsigned int plen = svc->persist_plen6;

		memcpy(tk->caddr, key->v6.src, plen / 8);
		if (plen % 8)
			tk->caddr[plen / 8] =
			    key->v6.src[plen / 8] & (uint8_t)(0xff00u >> (plen % 8));
		memcpy(tk->vaddr, key->v6.dst, 16);
	} else {
		rte_be32_t c = key->v4.src & svc->persist_mask;

		memcpy(tk->caddr, &c, sizeof(c));
		memcpy(tk->vaddr, &key->v4.dst, sizeof(key->v4.dst));
	}
}

/*
 * The real server for a new connection: the template's while its server is
 * available (IPVS keeps a persistent client on a quiesced server; a server
 * that is down breaks the bond), else the scheduler's, then the template is
 * made (a racing worker's template wins). *tmpl: the template to bind.
 */
static int pick(struct fwd_worker *w, const struct svc *svc, const struct conn_key *key,
		struct conn_tmpl **tmpl, uint32_t *tidx)
{
	struct conn_tmpls *ts = w->env->tmpls;
	struct conn_tkey tk;
	int idx;

	*tmpl = NULL;
	tkey_of(svc, key, &tk);
	if (svc->persist_ms != 0 && ts != NULL) {
		*tmpl = conn_tmpl_find(ts, &tk, tidx);
		if (*tmpl != NULL) {
			idx = rs_index(svc, (*tmpl)->rs_stat);
			if (idx >= 0)
				return idx;
			conn_tmpl_kill(ts, *tmpl);
			*tmpl = NULL;
		}
	}
	idx = sched_for(w, svc, key);
	if (idx < 0 || svc->persist_ms == 0 || ts == NULL)
		return idx;
	*tmpl = conn_tmpl_get(ts, &tk, (uint16_t)svc->rs[idx].stat, (uint16_t)svc->stat,
			      svc->persist_ms / 1000, w->now_s, tidx);
	if (*tmpl != NULL && (*tmpl)->rs_stat != svc->rs[idx].stat) {
		int theirs = rs_index(svc, (*tmpl)->rs_stat);

		if (theirs >= 0)
			idx = theirs;
		else
			*tmpl = NULL; /* theirs is down: this one goes without */
	}
	return idx;
}

/* @return the connection it made, or NULL (m consumed either way). */
static struct conn *fwd_new(struct fwd_worker *w, const struct svc_snapshot *snap,
			    struct rte_mbuf *m, const struct conn_key *key, const struct svc *svc,
			    uint8_t state)
{
	struct conn_tmpl *tmpl;
	uint32_t tidx = 0;
	struct conn *c;
	int idx = pick(w, svc, key, &tmpl, &tidx);
	struct conn_init ci;

	if (idx < 0) {
		fwd_drop(w, m, FWD_DROP_NO_REAL_SERVER);
		return NULL;
	}
	ci = (struct conn_init){ .key = *key,
				 .fwd = svc->fwd,
				 .rs_stat = (uint16_t)svc->rs[idx].stat,
				 .tmpl = tmpl != NULL ? tidx + 1 : 0,
				 .state = state };
	c = conn_create(w->conns, &ci, w->now_s, fwd_conn_gone, w);
	if (c == NULL) {
		fwd_drop(w, m, FWD_DROP_CONN_TABLE_FULL);
		return NULL;
	}
	if (tmpl != NULL)
		conn_tmpl_bind(tmpl, w->now_s);
	fwd_count_new(w, c);
	load_made(w, svc->rs[idx].stat);
	fwd_conn(w, snap, m, c, CONN_DIR_IN, true);
	return c;
}

/* ----------------------------------------------------------------- misses */

static inline bool tcp_is_syn(uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG |
			 RTE_TCP_FIN_FLAG)) == RTE_TCP_SYN_FLAG;
}

static inline const void *key_src(const struct conn_key *key)
{
	return key->af == 6 ? (const void *)key->v6.src : (const void *)&key->v4.src;
}

static inline const void *key_dst(const struct conn_key *key)
{
	return key->af == 6 ? (const void *)key->v6.dst : (const void *)&key->v4.dst;
}

/* A packet to an owned service's VIP:port. */
static struct conn *to_service(struct fwd_worker *w, const struct svc_snapshot *snap,
			       struct rte_mbuf *m, const struct conn_key *key,
			       const struct svc *svc)
{
	const struct pkt_meta *meta = pkt_meta(m);
	int owner;

	if (svc->fwd == CFG_FWD_NAT && !meta->redirected) {
		owner = fwd_owner(w->env, key->af, key_src(key), key->sport);
		if (owner != w->id) {
			fwd_redirect(w, m, (uint16_t)owner);
			return NULL;
		}
	}
	if (key->proto != IPPROTO_TCP)
		return fwd_new(w, snap, m, key, svc, CONN_S_UDP);
	if (tcp_is_syn(meta->tcp_flags))
		return fwd_new(w, snap, m, key, svc, CONN_S_SYN_RECV);
	if (!meta->redirected && svc->fwd != CFG_FWD_NAT) {
		owner = fwd_probe(w, key);
		if (owner >= 0) {
			fwd_redirect(w, m, (uint16_t)owner);
			return NULL;
		}
	}
	/* Mid-flow: a connection this director never saw (a failover sync
	 * missed, another director's flow behind ECMP). Where every director
	 * maps the flow to the same server, it is adopted. */
	if ((svc->flow_hashed || w->env->sloppy_tcp) && !(meta->tcp_flags & RTE_TCP_RST_FLAG)) {
		w->st.adopted++;
		return fwd_new(w, snap, m, key, svc, CONN_S_ESTABLISHED);
	}
	fwd_drop(w, m, FWD_DROP_NO_CONNECTION);
	return NULL;
}

/* What the snapshot says of the key's destination and source addresses,
 * and the service it goes to. */
static uint8_t dst_info(const struct svc_snapshot *snap, const struct conn_key *key, uint8_t *port)
{
	return key->af == 6 ? svc_addr_info6(snap, key->v6.dst, port)
			    : svc_addr_info(snap, key->v4.dst, port);
}

static uint8_t src_flags(const struct svc_snapshot *snap, const struct conn_key *key)
{
	return key->af == 6 ? svc_addr_flags6(snap, key->v6.src)
			    : svc_addr_flags(snap, key->v4.src);
}

static const struct svc *svc_of(const struct svc_snapshot *snap, const struct conn_key *key)
{
	return key->af == 6 ? svc_lookup6(snap, key->v6.dst, key->dport, key->proto)
			    : svc_lookup(snap, key->v4.dst, key->dport, key->proto);
}

struct conn *fwd_miss(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf *m,
		      const struct conn_key *key)
{
	uint8_t port, flags = dst_info(snap, key, &port);
	const struct svc *svc;

	if (flags & SVC_AF_SERVICE) {
		if (!(flags & SVC_AF_OWNED)) {
			fwd_drop(w, m, FWD_DROP_VIP_NOT_OWNED);
			return NULL;
		}
		svc = svc_of(snap, key);
		if (svc != NULL)
			return to_service(w, snap, m, key, svc);
		/* an owned VIP on a port with no service: ping, SSH... */
	} else if (!(flags & SVC_AF_LOCAL) && w->env->n_workers > 1 && !pkt_meta(m)->redirected &&
		   (src_flags(snap, key) & SVC_AF_NAT_RS)) {
		/* a NAT reply: its connection is its client's owner's */
		uint16_t owner = fwd_owner(w->env, key->af, key_dst(key), key->dport);

		if (owner != w->id) {
			fwd_redirect(w, m, owner);
			return NULL;
		}
	}
	fwd_local(w, snap, m);
	return NULL;
}
