/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection sync daemon (keepalived's lvs_sync_daemon over halb's data
 * plane; the codec is lib/sync, the workers' part lib/fwd/fwd_sync.c).
 *
 * Its role follows one VRRP instance, as keepalived starts IPVS's sync
 * daemon: while the instance is MASTER this director sends, otherwise it
 * receives.
 *
 * Sending. Workers report the connections that reach a state worth
 * syncing; the control core turns each into an IPVS sync record (with its
 * persistence template, at most once a second per template), packs them
 * into messages of at most maxlen bytes and multicasts them through the
 * port, as it sends VRRP adverts. A message leaves when full or when it has
 * waited FLUSH_MS. Long-lived connections are refreshed by reading the
 * tables, a share of them every millisecond, so that each one is sent again
 * every REFRESH_S (their copies on the backup outlive their timeouts); a
 * resync request from a new backup makes that walk go through everything at
 * once. Messages pass a token bucket (limits.sync messages a second):
 * bandwidth is bounded, what waits is counted.
 *
 * Receiving. A message to the sync group and port comes up the workers'
 * priority ring; each connection is bound to the same real server of the
 * same service (the counters' slot registry), else ignored and counted,
 * and handed to the worker that owns its client, which installs it;
 * templates go into the shared template table here. A director that becomes
 * BACKUP asks the MASTER for its whole table (halb's resync request, which
 * a kernel receiver ignores).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ring_elem.h>
#include <rte_udp.h>

#include "ctl_priv.h"
#include "halb_sync.h"

#define FLUSH_MS      100  /* a message waits at most this long to fill */
#define REFRESH_S     60   /* every synced connection is sent again this often */
#define RESYNC_VISIT  4096 /* entries a full resync visits per millisecond */
#define EVENT_BURST   64
#define REQUEST_AGAIN 1000 /* ms: a backup asks twice */
#define TMPL_EVERY_S  1    /* a template is sent at most this often */

struct ctl_sync_stats {
	uint64_t messages_sent, conns_sent, bytes_sent, refreshed, rate_limited, send_dropped;
	uint64_t unsyncable; /* records of a real server of the other family */
	uint64_t requests_sent, requests_received;
	uint64_t messages_received, conns_received, templates, ignored, skipped, handed;
	uint64_t dropped, refused, kept_local, as_master;
	uint64_t errors[SYNC_E_COUNT];
};

struct ctl_sync {
	const struct cfg_sync *cfg;
	uint8_t port; /* halb port index */
	uint8_t syncid;
	rte_be32_t src, group;
	rte_be16_t udp_port;
	size_t maxlen;
	bool master;
	/* sending */
	uint8_t buf[65535];
	struct sync_writer w;
	uint64_t first_ms; /* when the pending message got its first record */
	struct fwd_bucket bucket;
	uint16_t ip_id;
	uint32_t *tmpl_sent; /* second each template was last sent, by index */
	/* the refresh walk: worker, position in its table, templates */
	uint16_t walk_worker;
	uint64_t walk_pos;
	uint32_t walk_tmpl;
	uint64_t resync_until_walked; /* a full pass was asked for */
	uint64_t request_at;          /* a backup's second request */
	struct ctl_sync_stats st;
};

/* ------------------------------------------------------------ mapping */

static uint32_t fwd_flags(uint8_t fwd)
{
	switch (fwd) {
	case CFG_FWD_DR:
		return SYNC_F_DROUTE | SYNC_F_NOOUTPUT;
	case CFG_FWD_TUN:
		return SYNC_F_TUNNEL | SYNC_F_NOOUTPUT;
	default:
		return SYNC_F_MASQ;
	}
}

static int fwd_of_flags(uint32_t flags)
{
	switch (flags & SYNC_F_FWD_MASK) {
	case SYNC_F_MASQ:
		return CFG_FWD_NAT;
	case SYNC_F_DROUTE:
		return CFG_FWD_DR;
	case SYNC_F_TUNNEL:
		return CFG_FWD_TUN;
	default:
		return -1; /* local node, bypass: nothing halb forwards */
	}
}

/* halb's states are IPVS's TCP ones; UDP has one state, 0. */
static uint16_t ipvs_state(uint8_t proto, uint8_t state)
{
	return proto == IPPROTO_TCP ? state : 0;
}

static uint8_t halb_state(uint8_t proto, uint16_t state)
{
	return proto == IPPROTO_TCP ? (uint8_t)state : CONN_S_UDP;
}

/* The real server of s. @return false when it is of another family than
 * the connection (TUN across families), which a sync entry cannot carry:
 * IPVS's sync v1 has one family per entry. */
static bool dest_of(const struct ctl *c, uint16_t rs_stat, struct sync_conn *s)
{
	const struct conn_dest *d = &c->env.dests[rs_stat];

	s->dport = d->port;
	memcpy(s->daddr, &d->addr, d->af == 6 ? 16 : 4);
	return (d->af == 6) == (s->af == 6);
}

/* A worker's record as IPVS's sync connection; false when it cannot be
 * one (dest_of). */
static bool conn_record(const struct ctl *c, const struct fwd_sync *r, struct sync_conn *s)
{
	const struct conn_key *k = &r->key;

	*s = (struct sync_conn){ .af = k->af,
				 .proto = k->proto,
				 .state = ipvs_state(k->proto, r->state),
				 .flags = fwd_flags((uint8_t)(r->flags >> CONN_F_FWD_SHIFT)),
				 .cport = k->sport,
				 .vport = k->dport,
				 .timeout = r->timeout_s };
	if (k->proto == IPPROTO_TCP && r->state != CONN_S_ESTABLISHED)
		s->flags |= SYNC_F_INACTIVE;
	if (k->af == 6) {
		memcpy(s->caddr, k->v6.src, 16);
		memcpy(s->vaddr, k->v6.dst, 16);
	} else {
		memcpy(s->caddr, &k->v4.src, 4);
		memcpy(s->vaddr, &k->v4.dst, 4);
	}
	return dest_of(c, r->rs_stat, s);
}

static bool tmpl_record(const struct ctl *c, const struct conn_tmpl *t, struct sync_conn *s)
{
	const struct svc_snapshot *snap = c->env.svc.cur;
	const struct svc_rs *rs = snap != NULL ? snap->rs_of[t->rs_stat] : NULL;
	uint8_t fwd = CFG_FWD_DR;

	/* the service's method, as its real server's snapshot entry knows it */
	for (uint32_t i = 0; rs != NULL && snap != NULL && i < snap->n_svc; i++)
		if (snap->svc[i].stat == t->svc_stat)
			fwd = snap->svc[i].fwd;
	*s = (struct sync_conn){ .af = t->key.af,
				 .proto = t->key.proto,
				 .state = t->assured ? SYNC_TPL_S_ASSURED : SYNC_TPL_S_NONE,
				 .flags = SYNC_F_TEMPLATE | fwd_flags(fwd),
				 .vport = t->key.vport,
				 /* a template's timeout, as IPVS sends it: the
				  * persistence timeout (it may control connections
				  * the backup does not bind to it) */
				 .timeout = t->timeout_s ? t->timeout_s : 1 };
	memcpy(s->caddr, t->key.caddr, 16);
	memcpy(s->vaddr, t->key.vaddr, 16);
	return dest_of(c, t->rs_stat, s);
}

/* ------------------------------------------------------------ sending */

static void frame_send(struct ctl *c, const uint8_t *payload, size_t len)
{
	struct ctl_sync *s = c->sync;
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->pool);
	struct rte_ether_addr dmac;

	if (m == NULL) {
		s->st.send_dropped++;
		return;
	}
	pkt_mcast_mac(rte_be_to_cpu_32(s->group), &dmac);
	if (pkt_build_udp(m, s->src, s->group, s->udp_port, s->udp_port, (uint8_t)s->cfg->ttl,
			  s->ip_id++, payload, len) != 0 ||
	    pkt_push_ether(m, &c->ports[s->port].mac, &dmac, RTE_ETHER_TYPE_IPV4) != 0) {
		rte_pktmbuf_free(m);
		s->st.send_dropped++;
		return;
	}
	ctl_tx(c, s->port, m);
}

/* Sends the pending message, if any and the bucket allows. @return false
 * when it had to wait. */
static bool message_flush(struct ctl *c, uint64_t now_ms)
{
	struct ctl_sync *s = c->sync;
	size_t len;

	if (s->w.n == 0)
		return true;
	if (now_ms != s->bucket.last_ms) {
		s->bucket.tokens += (now_ms - s->bucket.last_ms) * s->bucket.rate;
		if (s->bucket.tokens > (uint64_t)s->bucket.burst * 1000)
			s->bucket.tokens = (uint64_t)s->bucket.burst * 1000;
		s->bucket.last_ms = now_ms;
	}
	if (s->bucket.tokens < 1000) {
		s->st.rate_limited++;
		return false;
	}
	s->bucket.tokens -= 1000;
	len = sync_writer_finish(&s->w);
	frame_send(c, s->buf, len);
	s->st.messages_sent++;
	s->st.conns_sent += s->w.n;
	s->st.bytes_sent += len;
	sync_writer_init(&s->w, s->buf, s->maxlen, s->syncid);
	return true;
}

/* Adds a record; a full message goes out first. @return false when it
 * could not (the bucket is empty). */
static bool record_add(struct ctl *c, const struct sync_conn *sc, uint64_t now_ms)
{
	struct ctl_sync *s = c->sync;

	if (!sync_writer_add(&s->w, sc)) {
		if (!message_flush(c, now_ms))
			return false;
		if (!sync_writer_add(&s->w, sc))
			return false;
	}
	if (s->w.n == 1)
		s->first_ms = now_ms;
	return true;
}

/* The template idx, unless it went out in the last TMPL_EVERY_S. */
static void tmpl_add(struct ctl *c, uint32_t idx, uint32_t now_s, uint64_t now_ms)
{
	struct ctl_sync *s = c->sync;
	const struct conn_tmpl *t = conn_tmpl_at(c->env.tmpls, idx);
	struct sync_conn sc;

	if (s->tmpl_sent == NULL ||
	    (s->tmpl_sent[idx] != 0 && now_s - s->tmpl_sent[idx] < TMPL_EVERY_S) ||
	    __atomic_load_n(&t->dead, __ATOMIC_ACQUIRE))
		return;
	if (!tmpl_record(c, t, &sc)) {
		s->st.unsyncable++;
		s->tmpl_sent[idx] = now_s;
		return;
	}
	if (record_add(c, &sc, now_ms))
		s->tmpl_sent[idx] = now_s;
}

/* What the workers reported. @return false when the bucket ran dry. */
static bool events_send(struct ctl *c, uint32_t now_s, uint64_t now_ms)
{
	for (uint16_t w = 0; w < c->n_workers; w++) {
		struct rte_ring *ring = c->env.workers[w]->sync_out;
		struct fwd_sync r;
		unsigned int n = 0;

		while (n++ < EVENT_BURST && rte_ring_sc_dequeue_elem(ring, &r, sizeof(r)) == 0) {
			struct sync_conn sc;

			if (!conn_record(c, &r, &sc)) {
				c->sync->st.unsyncable++;
				continue;
			}
			if (!record_add(c, &sc, now_ms)) {
				c->sync->st.send_dropped++;
				return false;
			}
			if (r.tmpl != 0)
				tmpl_add(c, r.tmpl - 1, now_s, now_ms);
		}
	}
	return true;
}

/* Whether a connection is one the backup should have: past its handshake,
 * established or closing. */
static bool view_worth(const struct conn_view *v)
{
	if (!(v->flags & CONN_F_ASSURED))
		return false;
	return v->proto != IPPROTO_TCP || v->state == CONN_S_ESTABLISHED ||
	       v->state == CONN_S_FIN_WAIT || v->state == CONN_S_CLOSE_WAIT ||
	       v->state == CONN_S_TIME_WAIT;
}

static void view_record(const struct conn_view *v, uint32_t now_s, struct fwd_sync *r)
{
	int32_t left = (int16_t)(uint16_t)(v->expires - (uint16_t)now_s);

	*r = (struct fwd_sync){ .rs_stat = v->rs_stat,
				.state = v->state,
				.flags = v->flags,
				.timeout_s = (uint16_t)(left > 0 ? left : 1),
				.tmpl = v->tmpl };
	r->key.af = v->af;
	r->key.proto = v->proto;
	r->key.sport = v->cport;
	r->key.dport = v->vport;
	if (v->af == 6) {
		memcpy(r->key.v6.src, v->caddr, 16);
		memcpy(r->key.v6.dst, v->vaddr, 16);
	} else {
		memcpy(&r->key.v4.src, v->caddr, 4);
		memcpy(&r->key.v4.dst, v->vaddr, 4);
	}
}

/* A full pass, fast, from the start: what a new backup needs. */
static void resync_start(struct ctl_sync *s)
{
	s->walk_worker = 0;
	s->walk_pos = 0;
	s->walk_tmpl = 0;
	s->resync_until_walked = 1;
}

/* The templates' part of the walk: at most budget positions. @return
 * the positions used, or UINT64_MAX when the bucket ran dry. */
static uint64_t walk_templates(struct ctl *c, uint64_t budget, uint64_t now_ms)
{
	struct ctl_sync *s = c->sync;
	const uint32_t start = s->walk_tmpl;
	const uint32_t end = (uint32_t)RTE_MIN((uint64_t)start + budget, UINT32_MAX);
	struct conn_tmpl tp;
	struct sync_conn sc;

	while (conn_tmpls_read_upto(c->env.tmpls, &s->walk_tmpl, end, &tp)) {
		if (!tp.assured)
			continue;
		if (!tmpl_record(c, &tp, &sc)) {
			s->st.unsyncable++;
			continue;
		}
		if (!record_add(c, &sc, now_ms)) {
			s->walk_tmpl--; /* again when the bucket has tokens */
			return UINT64_MAX;
		}
	}
	return s->walk_tmpl - start;
}

/* Reads a share of the tables (all of it, fast, after a resync request)
 * and sends the connections worth it, then the templates: positions, not
 * entries, so that a pass takes REFRESH_S however full the tables are. */
static void refresh_walk(struct ctl *c, uint32_t now_s, uint64_t now_ms)
{
	struct ctl_sync *s = c->sync;
	uint64_t total = conn_tmpls_stats(c->env.tmpls)->capacity, budget;

	for (uint16_t w = 0; w < c->n_workers; w++)
		total += conn_table_positions(c->env.workers[w]->conns);
	budget = s->resync_until_walked ? RESYNC_VISIT : total / (REFRESH_S * 1000) + 1;
	while (budget > 0) {
		const struct conn_table *t;
		uint64_t start = s->walk_pos;
		struct conn_view v;
		struct fwd_sync r;
		struct sync_conn sc;

		if (s->walk_worker == c->n_workers) { /* the templates */
			uint64_t used = walk_templates(c, budget, now_ms);

			if (used == UINT64_MAX || used >= budget)
				return;
			/* done: a new pass */
			s->walk_worker = 0;
			s->walk_tmpl = 0;
			s->resync_until_walked = 0;
			return;
		}
		t = c->env.workers[s->walk_worker]->conns;
		if (!conn_table_read_upto(t, &s->walk_pos, start + budget, &v)) {
			if (s->walk_pos < conn_table_positions(t))
				return; /* the budget is spent */
			budget -= RTE_MIN(budget, s->walk_pos - start);
			/* this table is done: the next, or the templates */
			s->walk_pos = 0;
			s->walk_worker++;
			continue;
		}
		budget -= RTE_MIN(budget, s->walk_pos - start);
		if (!view_worth(&v))
			continue;
		view_record(&v, now_s, &r);
		if (!conn_record(c, &r, &sc)) {
			s->st.unsyncable++;
			continue;
		}
		if (!record_add(c, &sc, now_ms)) {
			s->walk_pos--; /* again when the bucket has tokens */
			return;
		}
		s->st.refreshed++;
	}
}

/* -------------------------------------------------------------- roles */

static void request_send(struct ctl *c)
{
	uint8_t req[SYNC_HDR_LEN];

	frame_send(c, req, sync_write_request(req, c->sync->syncid));
	c->sync->st.requests_sent++;
}

void ctl_sync_role(struct ctl *c, size_t inst, bool master)
{
	struct ctl_sync *s = c->sync;

	if (s == NULL || inst != s->cfg->inst || s->master == master)
		return;
	s->master = master;
	__atomic_store_n(&c->env.sync_send, master, __ATOMIC_RELEASE);
	HALB_LOG(ctl, INFO, "Connection sync: %s (instance %s)",
		 master ? "MASTER, sending" : "BACKUP, receiving", s->cfg->instance);
	if (!master) {
		request_send(c);
		s->request_at = fwd_clock_ms() + REQUEST_AGAIN;
	} else {
		/* the backup's copies come from this director now: all of them */
		resync_start(s);
		s->request_at = 0;
	}
}

void ctl_sync_poll(struct ctl *c)
{
	struct ctl_sync *s = c->sync;
	const uint64_t now_ms = fwd_clock_ms();
	const uint32_t now_s = (uint32_t)(now_ms / 1000);

	if (s == NULL)
		return;
	if (!s->master) {
		if (s->request_at != 0 && now_ms >= s->request_at) {
			request_send(c);
			s->request_at = 0;
		}
		return;
	}
	if (!events_send(c, now_s, now_ms))
		return;
	refresh_walk(c, now_s, now_ms);
	if (s->w.n > 0 && now_ms - s->first_ms >= FLUSH_MS)
		message_flush(c, now_ms);
}

/* ---------------------------------------------------------- receiving */

/* The counters slot of real server daddr:dport of service vaddr:vport, if
 * the running configuration has it. */
static struct cfg_addr sync_addr(uint8_t af, const uint8_t *a)
{
	uint32_t v4;

	if (af == 6)
		return cfg_addr6(a);
	memcpy(&v4, a, 4);
	return cfg_addr4(rte_be_to_cpu_32(v4));
}

static bool rs_slot(const struct ctl *c, const struct sync_conn *sc, uint32_t *slot)
{
	const struct cfg_addr vip = sync_addr(sc->af, sc->vaddr);
	const struct cfg_addr rip = sync_addr(sc->af, sc->daddr);

	if (!ctl_rs_slot_find(c, &vip, rte_be_to_cpu_16(sc->vport), sc->proto, &rip,
			      rte_be_to_cpu_16(sc->dport), slot))
		return false;
	return c->env.svc.cur != NULL && (c->env.svc.cur->stat_flags[*slot] & SVC_SF_PRESENT);
}

static void install_tmpl(struct ctl *c, const struct sync_conn *sc, uint32_t slot, uint32_t now_s)
{
	struct ctl_sync *s = c->sync;
	struct conn_tkey k = { .af = sc->af, .proto = sc->proto, .vport = sc->vport };
	const size_t alen = sc->af == 6 ? 16 : 4;
	struct conn_tmpl *t;
	uint32_t idx;

	memcpy(k.caddr, sc->caddr, alen);
	memcpy(k.vaddr, sc->vaddr, alen);
	t = conn_tmpl_get(c->env.tmpls, &k, (uint16_t)slot, c->env.dests[slot].svc_stat,
			  sc->timeout, now_s, &idx);
	if (t == NULL) {
		s->st.refused++;
		return;
	}
	if (t->rs_stat != slot) {
		s->st.kept_local++; /* another server's template stands here */
		return;
	}
	__atomic_store_n(&t->expires, now_s + sc->timeout, __ATOMIC_RELAXED);
	if (sc->state == SYNC_TPL_S_ASSURED)
		t->assured = 1;
	s->st.templates++;
}

static void install_conn(struct ctl *c, const struct sync_conn *sc, uint32_t slot)
{
	struct ctl_sync *s = c->sync;
	int fwd = fwd_of_flags(sc->flags);
	struct fwd_sync r;
	uint16_t owner;

	if (fwd < 0) {
		s->st.ignored++;
		return;
	}
	r = (struct fwd_sync){ .rs_stat = (uint16_t)slot,
			       .state = halb_state(sc->proto, sc->state),
			       .flags = (uint8_t)(fwd << CONN_F_FWD_SHIFT),
			       .timeout_s = (uint16_t)RTE_MIN(
				   sc->timeout
				       ? sc->timeout
				       : conn_state_timeout(halb_state(sc->proto, sc->state)),
				   32767u) };
	/* past its handshake: established, closing, or UDP */
	if (!(sc->flags & SYNC_F_INACTIVE) || sc->proto != IPPROTO_TCP ||
	    r.state == CONN_S_FIN_WAIT || r.state == CONN_S_TIME_WAIT ||
	    r.state == CONN_S_CLOSE_WAIT)
		r.flags |= CONN_F_ASSURED;
	r.key = (struct conn_key){
		.af = sc->af, .proto = sc->proto, .sport = sc->cport, .dport = sc->vport
	};
	if (sc->af == 6) {
		memcpy(r.key.v6.src, sc->caddr, 16);
		memcpy(r.key.v6.dst, sc->vaddr, 16);
		owner = fwd_owner(&c->env, 6, r.key.v6.src, r.key.sport);
	} else {
		memcpy(&r.key.v4.src, sc->caddr, 4);
		memcpy(&r.key.v4.dst, sc->vaddr, 4);
		owner = fwd_owner(&c->env, 4, &r.key.v4.src, r.key.sport);
	}
	if (rte_ring_sp_enqueue_elem(c->env.workers[owner]->sync_in, &r, sizeof(r)) != 0) {
		s->st.dropped++;
		return;
	}
	s->st.handed++;
}

static void message_in(struct ctl *c, const uint8_t *p, size_t len)
{
	static struct sync_conn conns[SYNC_MAX_CONNS];
	struct ctl_sync *s = c->sync;
	const uint32_t now_s = (uint32_t)(fwd_clock_ms() / 1000);
	struct sync_msg msg;
	enum sync_error e = sync_decode(p, len, s->syncid, &msg, conns, SYNC_MAX_CONNS);

	if (e != SYNC_OK) {
		s->st.errors[e]++;
		return;
	}
	if (msg.request) {
		s->st.requests_received++;
		if (s->master)
			resync_start(s);
		return;
	}
	s->st.messages_received++;
	s->st.skipped += msg.skipped;
	if (s->master) {
		s->st.as_master++; /* another MASTER: split brain, or a kernel director */
		return;
	}
	for (unsigned int i = 0; i < msg.n; i++) {
		const struct sync_conn *sc = &conns[i];
		uint32_t slot;

		s->st.conns_received++;
		if (!rs_slot(c, sc, &slot)) {
			s->st.ignored++;
			continue;
		}
		if (sc->flags & SYNC_F_TEMPLATE)
			install_tmpl(c, sc, slot, now_s);
		else
			install_conn(c, sc, slot);
	}
}

void ctl_sync_input(struct ctl *c, struct rte_mbuf *m)
{
	const struct pkt_meta *meta = pkt_meta(m);
	const uint32_t off = meta->l2_len + meta->l3_len + sizeof(struct rte_udp_hdr);
	uint8_t *copy;

	if (c->sync != NULL && rte_pktmbuf_pkt_len(m) > off) {
		const uint32_t len = rte_pktmbuf_pkt_len(m) - off;

		copy = rte_pktmbuf_mtod_offset(m, uint8_t *, off);
		if (rte_pktmbuf_data_len(m) >= off + len) {
			message_in(c, copy, len);
		} else {
			uint8_t *buf = malloc(len);

			if (buf != NULL && rte_pktmbuf_read(m, off, len, buf) != NULL)
				message_in(c, buf, len);
			free(buf);
		}
	}
	rte_pktmbuf_free(m);
}

/* ------------------------------------------------------------ set-up */

int ctl_sync_start(struct ctl *c)
{
	const struct cfg_sync *cfg = &c->k->global.lvs_sync;
	const struct cfg_port *cp;
	struct ctl_sync_stats kept = { 0 };
	struct ctl_sync *s;
	uint32_t rate;

	if (c->sync != NULL)
		kept = c->sync->st;
	ctl_sync_stop(c);
	if (!cfg->set)
		return 0;
	cp = cfg_port_find(c->d, cfg->interface);
	if (cp == NULL || cfg_port_addr(cp, 4) == NULL)
		return -1; /* cfg_check refused it already */
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -1;
	s->cfg = cfg;
	s->port = (uint8_t)(cp - c->d->ports);
	s->syncid = (uint8_t)cfg->syncid;
	s->src = rte_cpu_to_be_32(cfg_port_addr(cp, 4)->addr.v4); /* IPVS syncs over IPv4 */
	s->group = rte_cpu_to_be_32(cfg->group);
	s->udp_port = rte_cpu_to_be_16((uint16_t)cfg->port);
	s->maxlen = cfg->maxlen ? cfg->maxlen : cp->mtu - 28;
	if (s->maxlen < SYNC_HDR_LEN + SYNC_CONN_V6_LEN)
		s->maxlen = SYNC_HDR_LEN + SYNC_CONN_V6_LEN;
	rate = c->d->limits.sync ? c->d->limits.sync : CTL_SYNC_RATE;
	s->bucket = (struct fwd_bucket){ .rate = rate,
					 .burst = RTE_MAX(rate / 10, 10u),
					 .tokens = (uint64_t)RTE_MAX(rate / 10, 10u) * 1000,
					 .last_ms = fwd_clock_ms() };
	s->tmpl_sent = calloc(conn_tmpls_stats(c->env.tmpls)->capacity, sizeof(uint32_t));
	sync_writer_init(&s->w, s->buf, s->maxlen, s->syncid);
	s->st = kept;
	c->sync = s;
	c->env.sync_group = s->group;
	c->env.sync_port = s->udp_port;
	HALB_LOG(ctl, INFO,
		 "Connection sync on %s, instance %s, sync id %u, %u.%u.%u.%u:%u ttl %u, messages "
		 "of %zu bytes at most, %u a second",
		 cfg->interface, cfg->instance, s->syncid, cfg->group >> 24,
		 (cfg->group >> 16) & 255, (cfg->group >> 8) & 255, cfg->group & 255, cfg->port,
		 cfg->ttl, s->maxlen, rate);
	/* BACKUP until the instance says otherwise: ask for the table */
	request_send(c);
	s->request_at = fwd_clock_ms() + REQUEST_AGAIN;
	return 0;
}

void ctl_sync_stop(struct ctl *c)
{
	if (c->sync == NULL)
		return;
	c->env.sync_send = false;
	c->env.sync_group = 0;
	free(c->sync->tmpl_sent);
	free(c->sync);
	c->sync = NULL;
}

/* ---------------------------------------------------------- telemetry */

static json_t *tel_sync(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	const struct ctl_sync *s;
	json_t *o, *errors = json_object();
	struct fwd_sync_stats w = { 0 };

	(void)params;
	pthread_mutex_lock(&c->lock);
	s = c->sync;
	if (s == NULL) {
		pthread_mutex_unlock(&c->lock);
		json_decref(errors);
		return json_pack("{s:b}", "configured", false);
	}
	for (uint16_t i = 0; i < c->n_workers; i++) {
		const struct fwd_sync_stats *x = &c->env.workers[i]->sst;

		w.events += x->events;
		w.events_dropped += x->events_dropped;
		w.installed += x->installed;
		w.refreshed += x->refreshed;
		w.kept_local += x->kept_local;
		w.replaced += x->replaced;
		w.refused += x->refused;
	}
	for (int e = 1; e < SYNC_E_COUNT; e++)
		if (s->st.errors[e])
			json_object_set_new(errors, sync_error_name(e),
					    json_integer((json_int_t)s->st.errors[e]));
	o = json_pack("{s:b, s:s, s:s, s:s, s:i, s:o, s:i, s:i, s:i}", "configured", true,
		      "interface", s->cfg->interface, "instance", s->cfg->instance, "role",
		      s->master ? "MASTER" : "BACKUP", "syncid", s->syncid, "group",
		      ctl_ip_json(s->cfg->group), "port", (int)s->cfg->port, "ttl",
		      (int)s->cfg->ttl, "maxlen", (int)s->maxlen);
	json_object_set_new(
	    o, "sent",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "messages",
		      (json_int_t)s->st.messages_sent, "conns", (json_int_t)s->st.conns_sent,
		      "bytes", (json_int_t)s->st.bytes_sent, "refreshed",
		      (json_int_t)s->st.refreshed, "events", (json_int_t)w.events, "events_dropped",
		      (json_int_t)w.events_dropped, "rate_limited", (json_int_t)s->st.rate_limited,
		      "requests", (json_int_t)s->st.requests_sent, "unsyncable",
		      (json_int_t)s->st.unsyncable));
	json_object_set_new(
	    o, "received",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		      "messages", (json_int_t)s->st.messages_received, "conns",
		      (json_int_t)s->st.conns_received, "installed", (json_int_t)w.installed,
		      "replaced", (json_int_t)w.replaced, "refreshed", (json_int_t)w.refreshed,
		      "templates", (json_int_t)s->st.templates, "kept_local",
		      (json_int_t)(w.kept_local + s->st.kept_local), "ignored",
		      (json_int_t)s->st.ignored, "skipped", (json_int_t)s->st.skipped, "refused",
		      (json_int_t)(w.refused + s->st.refused), "dropped", (json_int_t)s->st.dropped,
		      "as_master", (json_int_t)s->st.as_master, "requests",
		      (json_int_t)s->st.requests_received, "errors", errors));
	pthread_mutex_unlock(&c->lock);
	return o;
}

int ctl_sync_tel_init(struct ctl *c)
{
	return tel_register(c->tel, "/halb/sync", tel_sync, c,
			    "connection sync (lvs_sync_daemon): role, messages and connections");
}
