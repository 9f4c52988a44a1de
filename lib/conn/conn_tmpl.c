/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence templates (see halb_conn.h). A client's connections reach
 * several workers, so its template is shared: an rte_hash (lock-free for
 * readers) maps the key to an entry of one array. Templates are made only
 * for a persistent service's new clients, so writers take one spinlock:
 * creating is "insert unless present", and two workers that race for one
 * client get the same template instead of orphaning each other's.
 *
 * Under the lock the table also keeps, doubly linked through next/prev:
 * - a wheel of one-second slots by expiry, turned by the control core: a
 *   due template with no connection bound to it dies (as IPVS's, a template
 *   lives while it controls connections, then its timeout);
 * - the dying: out of the index, in order of death, waiting for every
 *   worker to pass a quiescent point (after which none can bind them);
 * - the held: dying ones past that point that connections still hold; the
 *   last connection to let go frees it (a SYN flood's evicted templates
 *   wait here for their embryonic connections, and no walk steps over them
 *   again and again);
 * - the free list.
 * And an eviction queue of templates in creation order: when the table is
 * full, the oldest one that no connection has assured (a SYN flood's) dies,
 * so a flood of new sources cannot keep real clients' templates out.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "conn_int.h"

#define T_WHEEL_SLOTS 1024u
#define T_WHEEL_MASK  (T_WHEEL_SLOTS - 1)
#define T_NIL         UINT32_MAX

/* conn_tmpl.dead */
enum { T_LIVE, T_DYING, T_HELD, T_FREE };

struct conn_tmpls {
	struct rte_hash *hash;
	struct conn_tmpl *t;
	uint32_t capacity;
	struct rte_rcu_qsbr *qsbr;
	rte_spinlock_t lock;
	uint32_t free;
	uint32_t dying_head, dying_tail; /* singly linked through next */
	uint32_t held;                   /* doubly linked through next/prev */
	uint32_t serial;
	bool started;
	uint32_t cursor;
	uint32_t slot[T_WHEEL_SLOTS];
	uint64_t *queue; /* eviction queue: index | serial << 32 */
	uint32_t q_head, q_n;
	struct conn_tmpls_stats st;
};

/* A wheel link that is a slot's head. */
#define T_HEAD 0x80000000u

static void wheel_unlink(struct conn_tmpls *ts, struct conn_tmpl *t)
{
	if (t->prev & T_HEAD)
		ts->slot[t->prev & ~T_HEAD] = t->next;
	else
		ts->t[t->prev].next = t->next;
	if (t->next != T_NIL)
		ts->t[t->next].prev = t->prev;
}

static void wheel_file(struct conn_tmpls *ts, struct conn_tmpl *t, uint32_t idx)
{
	uint32_t at = __atomic_load_n(&t->expires, __ATOMIC_RELAXED), s;

	if (at < ts->cursor)
		at = ts->cursor;
	if (at - ts->cursor > T_WHEEL_MASK)
		at = ts->cursor + T_WHEEL_MASK;
	s = at & T_WHEEL_MASK;
	t->next = ts->slot[s];
	t->prev = T_HEAD | s;
	if (t->next != T_NIL)
		ts->t[t->next].prev = idx;
	ts->slot[s] = idx;
}

/* Out of the index and the wheel, into the dying (lock held). */
static void tmpl_die(struct conn_tmpls *ts, struct conn_tmpl *t, uint32_t idx)
{
	if (t->dead != T_LIVE)
		return;
	/* The key's slot stays taken until the grace period is over. */
	t->pos = rte_hash_del_key(ts->hash, &t->key);
	__atomic_store_n(&t->dead, T_DYING, __ATOMIC_RELEASE);
	wheel_unlink(ts, t);
	t->token = rte_rcu_qsbr_start(ts->qsbr);
	t->next = T_NIL;
	if (ts->dying_tail != T_NIL)
		ts->t[ts->dying_tail].next = idx;
	else
		ts->dying_head = idx;
	ts->dying_tail = idx;
	ts->st.live--;
}

/* Onto the free list, its key's slot given back (lock held). */
static void tmpl_free(struct conn_tmpls *ts, struct conn_tmpl *t, uint32_t idx)
{
	if (t->pos >= 0)
		rte_hash_free_key_with_position(ts->hash, t->pos);
	__atomic_store_n(&t->dead, T_FREE, __ATOMIC_RELEASE);
	t->next = ts->free;
	ts->free = idx;
}

static void held_unlink(struct conn_tmpls *ts, struct conn_tmpl *t)
{
	if (t->prev == T_NIL)
		ts->held = t->next;
	else
		ts->t[t->prev].next = t->next;
	if (t->next != T_NIL)
		ts->t[t->next].prev = t->prev;
}

/* The dying whose grace period is over are freed, or held while bound
 * connections remain. They died in token order, so the walk stops at the
 * first still in its grace period; each is visited once (lock held). */
static void dying_sweep(struct conn_tmpls *ts)
{
	uint32_t idx;

	while ((idx = ts->dying_head) != T_NIL) {
		struct conn_tmpl *t = &ts->t[idx];

		if (rte_rcu_qsbr_check(ts->qsbr, t->token, false) != 1)
			break;
		ts->dying_head = t->next;
		if (ts->dying_head == T_NIL)
			ts->dying_tail = T_NIL;
		if (__atomic_load_n(&t->n_controlled, __ATOMIC_ACQUIRE) == 0) {
			tmpl_free(ts, t, idx);
			continue;
		}
		t->prev = T_NIL;
		t->next = ts->held;
		if (ts->held != T_NIL)
			ts->t[ts->held].prev = idx;
		ts->held = idx;
		/* The last unbind may have come between the load above and
		 * this store, seen T_DYING and left: look again (both sides
		 * store, then load, sequentially consistent). */
		__atomic_store_n(&t->dead, T_HELD, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&t->n_controlled, __ATOMIC_SEQ_CST) == 0) {
			held_unlink(ts, t);
			tmpl_free(ts, t, idx);
		}
	}
}

/* ------------------------------------------------------------- workers */

struct conn_tmpl *conn_tmpl_at(const struct conn_tmpls *ts, uint32_t idx)
{
	return &ts->t[idx];
}

struct conn_tmpl *conn_tmpl_find(const struct conn_tmpls *ts, const struct conn_tkey *key,
				 uint32_t *idx)
{
	void *data;
	struct conn_tmpl *t;

	if (rte_hash_lookup_data(ts->hash, key, &data) < 0)
		return NULL;
	*idx = (uint32_t)(uintptr_t)data;
	t = &ts->t[*idx];
	return __atomic_load_n(&t->dead, __ATOMIC_ACQUIRE) != T_LIVE ? NULL : t;
}

void conn_tmpl_bind(struct conn_tmpl *t, uint32_t now_s)
{
	__atomic_fetch_add(&t->n_controlled, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&t->expires, __ATOMIC_RELAXED) != now_s + t->timeout_s)
		__atomic_store_n(&t->expires, now_s + t->timeout_s, __ATOMIC_RELAXED);
}

void conn_tmpl_unbind(struct conn_tmpls *ts, uint32_t idx)
{
	struct conn_tmpl *t = &ts->t[idx];

	if (__atomic_sub_fetch(&t->n_controlled, 1, __ATOMIC_SEQ_CST) != 0 ||
	    __atomic_load_n(&t->dead, __ATOMIC_SEQ_CST) != T_HELD)
		return; /* a dying one still in its grace period: the sweep frees it */
	rte_spinlock_lock(&ts->lock);
	if (t->dead == T_HELD && __atomic_load_n(&t->n_controlled, __ATOMIC_ACQUIRE) == 0) {
		held_unlink(ts, t);
		tmpl_free(ts, t, idx);
	}
	rte_spinlock_unlock(&ts->lock);
}

void conn_tmpl_kill(struct conn_tmpls *ts, struct conn_tmpl *t)
{
	rte_spinlock_lock(&ts->lock);
	tmpl_die(ts, t, (uint32_t)(t - ts->t));
	rte_spinlock_unlock(&ts->lock);
}

static uint64_t queue_pop(struct conn_tmpls *ts)
{
	uint64_t v = ts->queue[ts->q_head];

	if (++ts->q_head == ts->capacity)
		ts->q_head = 0;
	ts->q_n--;
	return v;
}

/* Queues a new template; a full queue forgets its oldest entry. */
static void queue_push(struct conn_tmpls *ts, uint32_t idx, uint32_t serial)
{
	uint32_t tail;

	if (ts->q_n == ts->capacity)
		queue_pop(ts);
	tail = ts->q_head + ts->q_n;

	if (tail >= ts->capacity)
		tail -= ts->capacity;
	ts->queue[tail] = (uint64_t)idx | (uint64_t)serial << 32;
	ts->q_n++;
}

/* Evicts the oldest template no connection has assured; assured and gone
 * ones leave the queue (lock held). */
static void evict_unassured(struct conn_tmpls *ts)
{
	while (ts->q_n > 0) {
		uint64_t v = queue_pop(ts);
		struct conn_tmpl *t = &ts->t[(uint32_t)v];

		if (t->dead != T_LIVE || t->serial != (uint32_t)(v >> 32) || t->assured)
			continue;
		tmpl_die(ts, t, (uint32_t)v);
		ts->st.evicted++;
		return;
	}
}

struct conn_tmpl *conn_tmpl_get(struct conn_tmpls *ts, const struct conn_tkey *key,
				uint16_t rs_stat, uint16_t svc_stat, uint32_t timeout_s,
				uint32_t now_s, uint32_t *idx)
{
	struct conn_tmpl *t = conn_tmpl_find(ts, key, idx);
	if (t != NULL)
		return t;
	rte_spinlock_lock(&ts->lock);
	t = conn_tmpl_find(ts, key, idx); /* a racing worker's */
	if (t != NULL)
		goto out;
	if (!ts->started) {
		ts->started = true;
		ts->cursor = now_s;
	}
	if (ts->free == T_NIL) {
		dying_sweep(ts);
		if (ts->free == T_NIL)
			evict_unassured(ts); /* room for a later one */
		if (ts->free == T_NIL) {
			ts->st.refused++;
			goto out;
		}
	}
	*idx = ts->free;
	t = &ts->t[*idx];
	if (rte_hash_add_key_data(ts->hash, key, (void *)(uintptr_t)*idx) != 0) {
		t = NULL;
		ts->st.refused++;
		goto out;
	}
	ts->free = t->next;
	t->key = *key;
	t->rs_stat = rs_stat;
	t->svc_stat = svc_stat;
	t->timeout_s = timeout_s;
	t->expires = now_s + timeout_s;
	t->n_controlled = 0;
	t->assured = 0;
	t->pos = -1;
	t->serial = ++ts->serial;
	__atomic_store_n(&t->dead, T_LIVE, __ATOMIC_RELEASE);
	wheel_file(ts, t, *idx);
	queue_push(ts, *idx, t->serial);
	ts->st.live++;
	ts->st.created++;
out:
	rte_spinlock_unlock(&ts->lock);
	return t;
}

/* -------------------------------------------------------- control core */

void conn_tmpls_expire(struct conn_tmpls *ts, uint32_t now_s, uint32_t budget)
{
	rte_spinlock_lock(&ts->lock);
	dying_sweep(ts);
	if (!ts->started) {
		ts->started = true;
		ts->cursor = now_s;
	}
	while (ts->cursor <= now_s && budget > 0) {
		uint32_t s = ts->cursor & T_WHEEL_MASK;

		while (ts->slot[s] != T_NIL && budget > 0) {
			uint32_t idx = ts->slot[s];
			struct conn_tmpl *t = &ts->t[idx];

			budget--;
			if (__atomic_load_n(&t->n_controlled, __ATOMIC_ACQUIRE) > 0 &&
			    __atomic_load_n(&t->expires, __ATOMIC_RELAXED) <= now_s)
				/* it lives while it controls connections: looked at
				 * again a timeout later, as IPVS re-arms it */
				__atomic_store_n(&t->expires, now_s + t->timeout_s,
						 __ATOMIC_RELAXED);
			if (__atomic_load_n(&t->expires, __ATOMIC_RELAXED) > now_s) {
				/* filed again, a slot on at least */
				wheel_unlink(ts, t);
				wheel_file(ts, t, idx);
				continue;
			}
			tmpl_die(ts, t, idx);
		}
		if (ts->slot[s] != T_NIL)
			break;
		ts->cursor++;
	}
	rte_spinlock_unlock(&ts->lock);
}

const struct conn_tmpls_stats *conn_tmpls_stats(const struct conn_tmpls *ts)
{
	return &ts->st;
}

bool conn_tmpls_read(const struct conn_tmpls *ts, uint32_t *pos, struct conn_tmpl *out)
{
	return conn_tmpls_read_upto(ts, pos, UINT32_MAX, out);
}

bool conn_tmpls_read_upto(const struct conn_tmpls *ts, uint32_t *pos, uint32_t end,
			  struct conn_tmpl *out)
{
	const uint32_t n = RTE_MIN(ts->capacity, end);

	for (; *pos < n; (*pos)++) {
		const struct conn_tmpl *t = &ts->t[*pos];
		uint32_t serial = __atomic_load_n(&t->serial, __ATOMIC_ACQUIRE);

		if (serial == 0 || __atomic_load_n(&t->dead, __ATOMIC_ACQUIRE) != T_LIVE)
			continue;
		memcpy(out, t, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&t->serial, __ATOMIC_RELAXED) != serial ||
		    __atomic_load_n(&t->dead, __ATOMIC_RELAXED) != T_LIVE)
			continue;
		(*pos)++;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------ creation */

struct conn_tmpls *conn_tmpls_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *qsbr,
				     int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = capacity,
		.key_len = sizeof(struct conn_tkey),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag =
		    RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	struct conn_tmpls *ts;

	if (capacity == 0 || capacity >= T_HEAD || qsbr == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	ts = rte_zmalloc_socket("conn_tmpls", sizeof(*ts), RTE_CACHE_LINE_SIZE, socket);
	if (ts == NULL)
		goto nomem;
	ts->capacity = capacity;
	ts->qsbr = qsbr;
	ts->st.capacity = capacity;
	rte_spinlock_init(&ts->lock);
	snprintf(hname, sizeof(hname), "%s_t", name);
	ts->hash = rte_hash_create(&hp);
	ts->t =
	    rte_zmalloc_socket("conn_tmpl", sizeof(*ts->t) * capacity, RTE_CACHE_LINE_SIZE, socket);
	ts->queue = rte_zmalloc_socket("conn_tq", sizeof(*ts->queue) * capacity, 0, socket);
	if (ts->hash == NULL || ts->t == NULL || ts->queue == NULL)
		goto nomem;
	ts->free = T_NIL;
	for (uint32_t i = capacity; i-- > 0;) {
		ts->t[i].next = ts->free;
		ts->t[i].dead = T_FREE;
		ts->free = i;
	}
	ts->dying_head = ts->dying_tail = ts->held = T_NIL;
	for (uint32_t s = 0; s < T_WHEEL_SLOTS; s++)
		ts->slot[s] = T_NIL;
	return ts;
nomem:
	conn_tmpls_free(ts);
	rte_errno = ENOMEM;
	return NULL;
}

void conn_tmpls_free(struct conn_tmpls *ts)
{
	if (ts == NULL)
		return;
	rte_hash_free(ts->hash);
	rte_free(ts->t);
	rte_free(ts->queue);
	rte_free(ts);
}
