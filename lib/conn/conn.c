/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table (see halb_conn.h for the model).
 *
 * Layout: a rte_hash maps keys to tagged pointers (bit 0 set for the NAT
 * reply key) into one array of struct conn, a cache line each; a ring of
 * free indices, with a small cache per worker, hands them out (no
 * per-object header as in a mempool). Each worker keeps a timer wheel
 * of the entries it created (1024 one-second slots, entries re-filed when
 * their slot comes round and they are still alive) and a graveyard: a FIFO
 * of dead entries, each stamped with an RCU token, freed once every reader
 * has passed a quiescent point after it died.
 *
 * The hash is lock-free for readers, so a deleted key's slot must not be
 * reused while a reader may still compare against it: deleting does not
 * free it (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF without the hash's RCU
 * defer queue), the dead connection carries the positions of the keys it
 * lost, and the graveyard frees them with it. That is one grace period per
 * connection, in a list with no size limit, instead of a token, a queue
 * entry and a log call per key in rte_hash's defer queue, which also lost
 * key slots for good when it overflowed.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_ring_elem.h>
#include <rte_spinlock.h>
#include <rte_tcp.h>

#include "halb_conn.h"

/* A connection is one cache line: one miss per packet, none shared. */
_Static_assert(sizeof(struct conn) == RTE_CACHE_LINE_SIZE, "struct conn is one cache line");

#define WHEEL_SLOTS     1024u
#define WHEEL_MASK      (WHEEL_SLOTS - 1)
#define WHEEL_RECHECK_S 30 /* a TCP connection is looked at this often */

#define FREE_CACHE 256u /* free entries a worker keeps at hand */

struct conn_worker {
	uint16_t id;
	uint32_t live;   /* connections (not templates) it owns */
	uint32_t n_free; /* entries in free[] */
	uint32_t free[FREE_CACHE];
	uint64_t cursor;      /* next wheel second to turn */
	struct conn *pending; /* the rest of the cursor's slot, out of budget */
	struct conn *grave_head, *grave_tail;
	struct conn *slot[WHEEL_SLOTS];
} __rte_cache_aligned;

struct conn_table {
	struct rte_hash *hash;
	/* rte_hash_free_key_with_position puts an emptied extension bucket
	 * back with a single-producer enqueue: one worker at a time. */
	rte_spinlock_t free_lock;
	struct conn *conns;   /* max_conns of them */
	struct rte_ring *idx; /* indices in conns[] of the free ones */
	struct rte_rcu_qsbr *qsbr;
	uint16_t n_workers;
	struct conn_worker *workers;
};

/* IPVS's timeouts (ip_vs_proto_tcp.c, ip_vs_proto_udp.c), in ms. */
static const uint32_t state_timeout[CONN_S_COUNT] = {
	[CONN_S_NONE] = 2000,      [CONN_S_ESTABLISHED] = 900000, [CONN_S_SYN_SENT] = 120000,
	[CONN_S_SYN_RECV] = 60000, [CONN_S_FIN_WAIT] = 120000,    [CONN_S_TIME_WAIT] = 120000,
	[CONN_S_CLOSE] = 10000,    [CONN_S_CLOSE_WAIT] = 60000,   [CONN_S_LAST_ACK] = 30000,
	[CONN_S_LISTEN] = 120000,  [CONN_S_SYNACK] = 120000,      [CONN_S_UDP] = 300000,
};

static const char *const state_names[CONN_S_COUNT] = {
	[CONN_S_NONE] = "NONE",         [CONN_S_ESTABLISHED] = "ESTABLISHED",
	[CONN_S_SYN_SENT] = "SYN_SENT", [CONN_S_SYN_RECV] = "SYN_RECV",
	[CONN_S_FIN_WAIT] = "FIN_WAIT", [CONN_S_TIME_WAIT] = "TIME_WAIT",
	[CONN_S_CLOSE] = "CLOSE",       [CONN_S_CLOSE_WAIT] = "CLOSE_WAIT",
	[CONN_S_LAST_ACK] = "LAST_ACK", [CONN_S_LISTEN] = "LISTEN",
	[CONN_S_SYNACK] = "SYNACK",     [CONN_S_UDP] = "UDP",
};

/* IPVS's TCP state table (ip_vs_proto_tcp.c): rows by direction and event
 * (syn, fin, ack, rst), columns by the current state. */
#define sNO CONN_S_NONE
#define sES CONN_S_ESTABLISHED
#define sSS CONN_S_SYN_SENT
#define sSR CONN_S_SYN_RECV
#define sFW CONN_S_FIN_WAIT
#define sTW CONN_S_TIME_WAIT
#define sCL CONN_S_CLOSE
#define sCW CONN_S_CLOSE_WAIT
#define sLA CONN_S_LAST_ACK
#define sLI CONN_S_LISTEN
#define sSA CONN_S_SYNACK
static const uint8_t tcp_states[12][CONN_S_SYNACK + 1] = {
	/* INPUT: sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA */
	/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
	/*fin*/ { sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW },
	/*ack*/ { sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
	/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR },
	/* OUTPUT */
	/*syn*/ { sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR },
	/*fin*/ { sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW },
	/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES },
	/*rst*/ { sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL },
	/* INPUT-ONLY (DR, TUN) */
	/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
	/*fin*/ { sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
	/*ack*/ { sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
	/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
};

const char *conn_state_name(uint8_t s)
{
	return s < CONN_S_COUNT ? state_names[s] : "?";
}

/* ------------------------------------------------------------ creation */

struct conn_table *conn_table_create(const struct conn_table_params *p)
{
	char name[RTE_HASH_NAMESIZE];
	struct conn_table *t;
	struct rte_hash_parameters hp = {
		.name = name,
		/* A NAT connection has two keys: max_conns NAT connections
		 * need twice as many. */
		.entries = p->max_conns * 2,
		.key_len = sizeof(struct conn_key),
		.hash_func = rte_hash_crc,
		.socket_id = p->socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			      RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	if (p->max_conns < 64 || p->max_conns > UINT32_MAX / 2 || p->n_workers == 0 ||
	    p->qsbr == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("conn_table", sizeof(*t), RTE_CACHE_LINE_SIZE, p->socket);
	if (t == NULL)
		goto nomem;
	t->qsbr = p->qsbr;
	t->n_workers = p->n_workers;
	rte_spinlock_init(&t->free_lock);
	t->workers = rte_zmalloc_socket("conn_workers", sizeof(*t->workers) * p->n_workers,
					RTE_CACHE_LINE_SIZE, p->socket);
	if (t->workers == NULL)
		goto nomem;
	for (uint16_t i = 0; i < p->n_workers; i++)
		t->workers[i].id = i;

	snprintf(name, sizeof(name), "%s_h", p->name);
	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		goto fail;
	t->conns = rte_zmalloc_socket("conns", (size_t)p->max_conns * sizeof(struct conn),
				      RTE_CACHE_LINE_SIZE, p->socket);
	if (t->conns == NULL)
		goto nomem;
	snprintf(name, sizeof(name), "%s_f", p->name);
	t->idx =
	    rte_ring_create_elem(name, sizeof(uint32_t), p->max_conns, p->socket, RING_F_EXACT_SZ);
	if (t->idx == NULL)
		goto fail;
	for (uint32_t i = 0; i < p->max_conns;) {
		uint32_t batch[256], n = RTE_MIN(256u, p->max_conns - i);

		for (uint32_t k = 0; k < n; k++)
			batch[k] = i + k;
		rte_ring_enqueue_bulk_elem(t->idx, batch, sizeof(batch[0]), n, NULL);
		i += n;
	}
	return t;
nomem:
	rte_errno = ENOMEM;
fail:
	conn_table_free(t);
	return NULL;
}

void conn_table_free(struct conn_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->hash);
	rte_ring_free(t->idx);
	rte_free(t->conns);
	rte_free(t->workers);
	rte_free(t);
}

struct conn_worker *conn_table_worker(struct conn_table *t, uint16_t id)
{
	return id < t->n_workers ? &t->workers[id] : NULL;
}

uint32_t conn_worker_count(const struct conn_worker *w)
{
	return w->live;
}

uint32_t conn_table_keys(const struct conn_table *t)
{
	return (uint32_t)rte_hash_count(t->hash);
}

/* An entry goes back to its freeing worker's cache; half a full cache
 * goes back to the ring. */
static void conn_free(struct conn_table *t, struct conn_worker *w, struct conn *c)
{
	if (w->n_free == FREE_CACHE) {
		w->n_free -= rte_ring_enqueue_burst_elem(t->idx, &w->free[FREE_CACHE / 2],
							 sizeof(uint32_t), FREE_CACHE / 2, NULL);
	}
	w->free[w->n_free++] = (uint32_t)(c - t->conns);
}

/* --------------------------------------------------------------- lookup */

static inline struct conn *untag(void *data, uint8_t *dir)
{
	uintptr_t v = (uintptr_t)data;

	*dir = (uint8_t)(v & 1);
	return (struct conn *)(v & ~(uintptr_t)1);
}

uint64_t conn_lookup_bulk(const struct conn_table *t, const struct conn_key **keys, uint32_t n,
			  struct conn **conns, uint8_t *dirs)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0, live = 0;

	if (rte_hash_lookup_bulk_data(t->hash, (const void **)keys, n, &hits, data) <= 0)
		return 0;
	/* Every connection's line is asked for before any is read: their
	 * misses overlap instead of following one another. */
	for (uint32_t i = 0; i < n; i++) {
		if (hits & (1ULL << i)) {
			conns[i] = untag(data[i], &dirs[i]);
			rte_prefetch0(conns[i]);
		}
	}
	for (uint32_t i = 0; i < n; i++)
		if ((hits & (1ULL << i)) && !conn_is_dead(conns[i]))
			live |= 1ULL << i;
	return live;
}

struct conn *conn_lookup(const struct conn_table *t, const struct conn_key *key, uint8_t *dir)
{
	void *data;
	struct conn *c;

	if (rte_hash_lookup_data(t->hash, key, &data) < 0)
		return NULL;
	c = untag(data, dir);
	return conn_is_dead(c) ? NULL : c;
}

/* ------------------------------------------------------------ the wheel */

/*
 * Files c in the slot of its expiry. A TCP connection's expiry can also come
 * nearer (a FIN or RST moves ESTABLISHED's 900 s to 120 s or 10 s), which any
 * worker may cause without touching the owner's wheel: so a TCP connection
 * is looked at again at least every WHEEL_RECHECK_S, and leaves the table at
 * most that long after its due time.
 */
static void wheel_file(struct conn_worker *w, struct conn *c)
{
	uint64_t s = c->expires / 1000;
	uint32_t i;

	if (w->cursor == 0)
		w->cursor = s; /* the first entry ever: the wheel starts here */
	if (s < w->cursor)
		s = w->cursor;
	if (c->proto == IPPROTO_TCP && !(c->flags & CONN_F_TEMPLATE) &&
	    s > w->cursor + WHEEL_RECHECK_S)
		s = w->cursor + WHEEL_RECHECK_S;
	i = (uint32_t)(s & WHEEL_MASK);
	c->next = w->slot[i];
	w->slot[i] = c;
}

static void key_of_reply(const struct conn *c, struct conn_key *k)
{
	*k = (struct conn_key){ .src = c->daddr,
				.dst = c->caddr,
				.sport = c->dport,
				.dport = c->cport,
				.proto = c->proto,
				.kind = CONN_KIND_CONN };
}

static void key_of_request(const struct conn *c, struct conn_key *k)
{
	*k = (struct conn_key){ .src = c->caddr,
				.dst = c->vaddr,
				.sport = c->cport,
				.dport = c->vport,
				.proto = c->proto,
				.kind = (c->flags & CONN_F_TEMPLATE) ? CONN_KIND_TEMPLATE
								     : CONN_KIND_CONN };
}

bool conn_reply_key(const struct conn *c, struct conn_key *key)
{
	if (!(c->flags & CONN_F_NAT_KEY))
		return false;
	key_of_reply(c, key);
	return true;
}

/* Deletes k only while it still leads to c: a template key may have been
 * taken over by a racing worker's newer template.
 * @return the key's position, for the graveyard to free, or -1. */
static int32_t del_key_of(struct conn_table *t, const struct conn_key *k, const struct conn *c)
{
	void *data;
	uint8_t dir;

	if (rte_hash_lookup_data(t->hash, k, &data) < 0 || untag(data, &dir) != c)
		return -1;
	return rte_hash_del_key(t->hash, k);
}

bool conn_kill(struct conn_table *t, struct conn *c)
{
	uint8_t old = __atomic_load_n(&c->flags, __ATOMIC_RELAXED);
	struct conn_key k;

	do {
		if (old & CONN_F_DEAD)
			return false;
	} while (!__atomic_compare_exchange_n(&c->flags, &old, old | CONN_F_DEAD, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	key_of_request(c, &k);
	c->pos = del_key_of(t, &k, c);
	if (c->flags & CONN_F_NAT_KEY) {
		key_of_reply(c, &k);
		c->reply_pos = del_key_of(t, &k, c);
	}
	return true;
}

static void bury(struct conn_table *t, struct conn_worker *w, struct conn *c)
{
	if (!(c->flags & CONN_F_TEMPLATE) && c->tmpl != NULL)
		__atomic_fetch_sub(&c->tmpl->n_controlled, 1, __ATOMIC_RELAXED);
	if (!(c->flags & CONN_F_TEMPLATE))
		w->live--;
	c->token = rte_rcu_qsbr_start(t->qsbr); /* replaces tmpl, done with */
	c->next = NULL;
	if (w->grave_tail != NULL)
		w->grave_tail->next = c;
	else
		w->grave_head = c;
	w->grave_tail = c;
}

/* The key slots a dead connection held go back to the hash (free_lock
 * held). */
static void free_positions(struct conn_table *t, const struct conn *c)
{
	if (c->pos >= 0)
		rte_hash_free_key_with_position(t->hash, c->pos);
	if ((c->flags & CONN_F_NAT_KEY) && c->reply_pos >= 0)
		rte_hash_free_key_with_position(t->hash, c->reply_pos);
}

/* Frees, with their key slots, the dead whose grace period is over; the
 * lock is taken once for all of them. */
static void graveyard_sweep(struct conn_table *t, struct conn_worker *w)
{
	bool locked = false;

	while (w->grave_head != NULL &&
	       rte_rcu_qsbr_check(t->qsbr, w->grave_head->token, false) == 1) {
		struct conn *c = w->grave_head;

		w->grave_head = c->next;
		if (w->grave_head == NULL)
			w->grave_tail = NULL;
		if (!locked) {
			rte_spinlock_lock(&t->free_lock);
			locked = true;
		}
		free_positions(t, c);
		conn_free(t, w, c);
	}
	if (locked)
		rte_spinlock_unlock(&t->free_lock);
}

/* Decides the fate of c when its wheel slot comes round. */
static void wheel_visit(struct conn_table *t, struct conn_worker *w, struct conn *c,
			uint64_t now_ms, conn_gone_fn gone, void *ctx)
{
	uint64_t expires = __atomic_load_n(&c->expires, __ATOMIC_RELAXED);

	if (!conn_is_dead(c)) {
		if (expires > now_ms) {
			wheel_file(w, c);
			return;
		}
		if ((c->flags & CONN_F_TEMPLATE) &&
		    __atomic_load_n(&c->n_controlled, __ATOMIC_RELAXED) > 0) {
			/* A template outlives its connections (IPVS). */
			c->expires = now_ms + c->timeout;
			wheel_file(w, c);
			return;
		}
		/* Whoever kills a connection reports it gone, once. */
		if (conn_kill(t, c) && gone != NULL)
			gone(ctx, c);
	}
	/* A template killed early (persist_lookup found its server down)
	 * may still have connections pointing at it: they let go of it when
	 * they are buried, so its memory waits for the last of them. The
	 * fence pairs with the one in conn_create (a racing bind). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((c->flags & CONN_F_TEMPLATE) &&
	    __atomic_load_n(&c->n_controlled, __ATOMIC_RELAXED) > 0) {
		c->expires = now_ms + 1000;
		wheel_file(w, c);
		return;
	}
	bury(t, w, c);
}

uint32_t conn_worker_run(struct conn_table *t, struct conn_worker *w, uint64_t now_ms,
			 uint32_t budget, conn_gone_fn gone, void *ctx)
{
	const uint64_t now_s = now_ms / 1000;
	uint32_t seen = 0;

	graveyard_sweep(t, w);
	if (w->cursor == 0)
		w->cursor = now_s;
	/* A slot is turned once its second is over: everything filed there
	 * has expired by then, or been refreshed into a later slot. Turning
	 * the current second's slot would re-file the entries that expire
	 * later in that second into the slot just emptied, where the wheel
	 * would next look 1024 s later. */
	while (w->cursor < now_s && seen < budget) {
		uint32_t i = (uint32_t)(w->cursor & WHEEL_MASK);

		/* A slot is taken whole; what the budget leaves of it waits
		 * in pending, so a slot of a million entries costs a million
		 * visits over as many turns, never a walk per turn. */
		if (w->pending == NULL) {
			w->pending = w->slot[i];
			w->slot[i] = NULL;
		}
		while (w->pending != NULL && seen < budget) {
			struct conn *c = w->pending;

			w->pending = c->next;
			wheel_visit(t, w, c, now_ms, gone, ctx);
			seen++;
		}
		if (w->pending != NULL)
			break; /* out of budget: the next turn goes on from here */
		w->cursor++;
	}
	return seen;
}

/* ------------------------------------------------------------- inserts */

static struct conn *conn_alloc(struct conn_table *t, struct conn_worker *w, enum conn_error *err)
{
	if (w->n_free == 0)
		w->n_free = rte_ring_dequeue_burst_elem(t->idx, w->free, sizeof(uint32_t),
							FREE_CACHE / 2, NULL);
	if (w->n_free == 0) {
		*err = CONN_ERR_TABLE_FULL; /* the array is the table's size */
		return NULL;
	}
	return memset(&t->conns[w->free[--w->n_free]], 0, sizeof(struct conn));
}

static int add_key(struct conn_table *t, const struct conn_key *k, struct conn *c, uintptr_t tag)
{
	return rte_hash_add_key_data(t->hash, k, (void *)((uintptr_t)c | tag));
}

struct conn *conn_create(struct conn_table *t, struct conn_worker *w, const struct conn_init *ci,
			 uint64_t now_ms, enum conn_error *err)
{
	struct conn *c = conn_alloc(t, w, err);
	struct conn_key reply;

	if (c == NULL)
		return NULL;
	c->caddr = ci->key.src;
	c->vaddr = ci->key.dst;
	c->cport = ci->key.sport;
	c->vport = ci->key.dport;
	c->proto = ci->key.proto;
	c->daddr = ci->daddr;
	c->dport = ci->dport;
	c->fwd = ci->fwd;
	c->state = CONN_S_NONE;
	c->owner = w->id;
	c->rs_stat = (uint16_t)ci->rs_stat;
	c->svc_stat = (uint16_t)ci->svc_stat;
	c->expires = now_ms + state_timeout[CONN_S_NONE];
	c->flags = ci->fwd == CFG_FWD_NAT ? CONN_F_NAT_KEY : CONN_F_INPUT_ONLY;

	if (c->flags & CONN_F_NAT_KEY) {
		key_of_reply(c, &reply);
		if (add_key(t, &reply, c, 1) < 0)
			goto no_room;
	}
	if (add_key(t, &ci->key, c, 0) < 0) {
		if (c->flags & CONN_F_NAT_KEY)
			goto stillborn;
		goto no_room;
	}
	if (ci->tmpl != NULL) {
		__atomic_fetch_add(&ci->tmpl->n_controlled, 1, __ATOMIC_RELAXED);
		/* Its owner buries a dead template once nothing holds it: a
		 * template that died meanwhile is let go of (the memory is
		 * still ours until this worker's next quiescent state). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (conn_is_dead(ci->tmpl))
			__atomic_fetch_sub(&ci->tmpl->n_controlled, 1, __ATOMIC_RELAXED);
		else
			c->tmpl = ci->tmpl;
	}
	w->live++;
	wheel_file(w, c);
	return c;
no_room:
	/* Never published: no reader can hold it, so it goes straight back. */
	conn_free(t, w, c);
	*err = CONN_ERR_NO_MEMORY;
	return NULL;
stillborn:
	/* Its reply key was published: a reader may hold it, so it dies the
	 * ordinary way and waits for a grace period. */
	c->flags |= CONN_F_DEAD;
	c->pos = -1;
	c->reply_pos = rte_hash_del_key(t->hash, &reply);
	w->live++;
	bury(t, w, c);
	*err = CONN_ERR_NO_MEMORY;
	return NULL;
}

struct conn *conn_template_find(const struct conn_table *t, const struct conn_key *key)
{
	uint8_t dir;

	return conn_lookup(t, key, &dir);
}

struct conn *conn_template_create(struct conn_table *t, struct conn_worker *w,
				  const struct conn_key *key, rte_be32_t daddr, rte_be16_t dport,
				  uint32_t rs_stat, uint32_t svc_stat, uint32_t timeout_ms,
				  uint64_t now_ms, enum conn_error *err)
{
	struct conn *c = conn_alloc(t, w, err);

	if (c == NULL)
		return NULL;
	c->caddr = key->src;
	c->vaddr = key->dst;
	c->cport = key->sport;
	c->vport = key->dport;
	c->proto = key->proto;
	c->daddr = daddr;
	c->dport = dport;
	c->flags = CONN_F_TEMPLATE;
	c->state = CONN_S_NONE;
	c->owner = w->id;
	c->rs_stat = (uint16_t)rs_stat;
	c->svc_stat = (uint16_t)svc_stat;
	c->timeout = timeout_ms;
	c->expires = now_ms + timeout_ms;
	if (add_key(t, key, c, 0) < 0) {
		conn_free(t, w, c);
		*err = CONN_ERR_NO_MEMORY;
		return NULL;
	}
	wheel_file(w, c);
	return c;
}

/* ---------------------------------------------------------- state moves */

static inline int tcp_event(uint8_t flags)
{
	if (flags & RTE_TCP_RST_FLAG)
		return 3;
	if (flags & RTE_TCP_SYN_FLAG)
		return 0;
	if (flags & RTE_TCP_FIN_FLAG)
		return 1;
	if (flags & RTE_TCP_ACK_FLAG)
		return 2;
	return -1;
}

int conn_touch(struct conn *c, enum conn_dir dir, uint8_t tcp_flags, uint64_t now_ms)
{
	uint8_t old = __atomic_load_n(&c->state, __ATOMIC_RELAXED);
	uint8_t new_;

	/* Most packets: an ACK (or no flag) on an established connection,
	 * which every row of the table leaves established. */
	if (old == CONN_S_ESTABLISHED && c->proto == IPPROTO_TCP &&
	    !(tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))) {
		__atomic_store_n(&c->expires, now_ms + state_timeout[CONN_S_ESTABLISHED],
				 __ATOMIC_RELAXED);
		return 0;
	}
	if (c->proto != IPPROTO_TCP) {
		new_ = CONN_S_UDP;
		if (old != new_ && !__atomic_compare_exchange_n(&c->state, &old, new_, false,
								__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			new_ = old; /* another worker got there first */
	} else {
		int ev = tcp_event(tcp_flags);
		int row;

		if (ev < 0) {
			new_ = old;
		} else {
			row = ((c->flags & CONN_F_INPUT_ONLY) ? 8 : (dir == CONN_DIR_OUT ? 4 : 0)) +
			      ev;
			do {
				new_ = old <= CONN_S_SYNACK ? tcp_states[row][old] : old;
				if (new_ == old)
					break;
			} while (!__atomic_compare_exchange_n(&c->state, &old, new_, false,
							      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
		}
	}
	__atomic_store_n(&c->expires, now_ms + state_timeout[new_], __ATOMIC_RELAXED);
	if (new_ == old)
		return 0;
	return (int)conn_state_active(new_) - (int)conn_state_active(old);
}

/* ------------------------------------------------------------ listings */

const struct conn *conn_table_next(const struct conn_table *t, uint32_t *pos)
{
	const void *key;
	void *data;

	while (rte_hash_iterate(t->hash, &key, &data, pos) >= 0) {
		uint8_t dir;
		struct conn *c = untag(data, &dir);

		if (dir == CONN_DIR_IN && !conn_is_dead(c))
			return c;
	}
	return NULL;
}
