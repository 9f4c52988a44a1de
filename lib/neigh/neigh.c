/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table (see halb_neigh.h). The hash is written only by the
 * control core (single writer, lock-free readers, RW_CONCURRENCY_LF); a
 * deleted key keeps its position, and a freed slot its number, until every
 * worker has passed a quiescent point: then both go back together.
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "halb_neigh.h"

#define REACHABLE_MS   30000u /* confirmed this recently: no probe needed */
#define PROBE_EVERY_MS 1000u
#define PROBES_MAX     3u
#define STALE_GC_MS    60000u /* an unpinned STALE entry is freed after this */
#define RETRY_MS       10000u /* a pinned FAILED entry is probed again after this */
#define NIL            UINT32_MAX

static const char *const state_names[] = { "INCOMPLETE", "REACHABLE", "STALE", "FAILED", "FREE" };

const char *neigh_state_name(uint8_t s)
{
	return s < RTE_DIM(state_names) ? state_names[s] : "?";
}

struct neigh_table *neigh_create(const char *name, uint32_t size, struct rte_rcu_qsbr *qsbr,
				 int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = size,
		.key_len = sizeof(struct neigh_ip),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct neigh_table *t;

	t = rte_zmalloc_socket("neigh", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		goto nomem;
	t->size = size;
	t->qsbr = qsbr;
	t->free = t->dead_head = t->dead_tail = NIL;
	t->pin_gen = 1;
	t->slot =
	    rte_zmalloc_socket("neigh_slot", sizeof(*t->slot) * size, RTE_CACHE_LINE_SIZE, socket);
	t->ent =
	    rte_zmalloc_socket("neigh_ent", sizeof(*t->ent) * size, RTE_CACHE_LINE_SIZE, socket);
	if (t->slot == NULL || t->ent == NULL)
		goto nomem;
	snprintf(hname, sizeof(hname), "%s", name);
	t->map = rte_hash_create(&hp);
	if (t->map == NULL)
		goto fail;
	return t;
nomem:
	rte_errno = ENOMEM;
fail:
	neigh_free(t);
	return NULL;
}

void neigh_free(struct neigh_table *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; t->ent != NULL && i < t->used; i++)
		for (uint8_t h = 0; h < t->ent[i].n_held; h++)
			rte_pktmbuf_free(t->ent[i].held[h]);
	rte_hash_free(t->map);
	rte_free(t->slot);
	rte_free(t->ent);
	rte_free(t);
}

int32_t neigh_find(const struct neigh_table *t, const struct neigh_ip *ip)
{
	void *data;

	if (rte_hash_lookup_data(t->map, ip, &data) < 0)
		return -1;
	return (int32_t)(uintptr_t)data;
}

static void slot_publish(struct neigh_table *t, uint32_t s, const struct rte_ether_addr *mac,
			 uint8_t port)
{
	uint64_t v = NEIGH_VALID | ((uint64_t)port << 48);

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v |= (uint64_t)mac->addr_bytes[i] << (8 * i);
	__atomic_store_n(&t->slot[s], v, __ATOMIC_RELEASE);
}

static inline bool pinned(const struct neigh_table *t, const struct neigh_entry *e)
{
	return e->pin_gen == t->pin_gen;
}

/* ------------------------------------------------------- freeing slots */

static void drop_held(struct neigh_entry *e, const struct neigh_ops *ops)
{
	for (uint8_t h = 0; h < e->n_held; h++)
		ops->drop(ops->ctx, e->held[h], NEIGH_DROP_UNRESOLVED);
	e->n_held = 0;
}

/* Takes slot s out of the map; it is reused after a grace period. */
static void slot_kill(struct neigh_table *t, uint32_t s, const struct neigh_ops *ops)
{
	struct neigh_entry *e = &t->ent[s];

	__atomic_store_n(&t->slot[s], 0, __ATOMIC_RELEASE);
	drop_held(e, ops);
	e->pos = rte_hash_del_key(t->map, &e->ip);
	e->state = NEIGH_FREE;
	e->token = t->qsbr != NULL ? rte_rcu_qsbr_start(t->qsbr) : 0;
	e->next = NIL;
	if (t->dead_tail != NIL)
		t->ent[t->dead_tail].next = s;
	else
		t->dead_head = s;
	t->dead_tail = s;
	t->live--;
	t->freed++;
}

/* The freed slots whose grace period is over go back (in death order). */
static void dead_reclaim(struct neigh_table *t)
{
	while (t->dead_head != NIL) {
		uint32_t s = t->dead_head;
		struct neigh_entry *e = &t->ent[s];

		if (t->qsbr != NULL && rte_rcu_qsbr_check(t->qsbr, e->token, false) != 1)
			break;
		t->dead_head = e->next;
		if (t->dead_head == NIL)
			t->dead_tail = NIL;
		if (e->pos >= 0)
			rte_hash_free_key_with_position(t->map, e->pos);
		e->next = t->free;
		t->free = s;
	}
}

/* The unpinned entry to sacrifice for a new one: FAILED first, then the
 * least recently confirmed; -1 when every entry is pinned. */
static int32_t victim(const struct neigh_table *t)
{
	int32_t best = -1;

	for (uint32_t s = 0; s < t->used; s++) {
		const struct neigh_entry *e = &t->ent[s];

		if (e->state == NEIGH_FREE || pinned(t, e) || e->n_held > 0)
			continue;
		if (e->state == NEIGH_FAILED)
			return (int32_t)s;
		if (best < 0 || e->updated_ms < t->ent[best].updated_ms)
			best = (int32_t)s;
	}
	return best;
}

static int32_t slot_new(struct neigh_table *t, const struct neigh_ip *ip, uint8_t port,
			uint64_t now_ms, const struct neigh_ops *ops)
{
	struct neigh_entry *e;
	uint32_t s;

	if (t->free == NIL && t->used < t->size) {
		t->ent[t->used].next = NIL;
		t->free = t->used++;
	}
	if (t->free == NIL) {
		/* The victim's slot comes back after a grace period: this one
		 * is refused, a later one finds room. One victim at a time: a
		 * flood of new addresses does not empty the table. */
		if (t->dead_head == NIL) {
			int32_t v = victim(t);

			if (v >= 0)
				slot_kill(t, (uint32_t)v, ops);
		}
		t->full++;
		return -1;
	}
	s = t->free;
	e = &t->ent[s];
	t->free = e->next;
	memset(e, 0, sizeof(*e));
	e->ip = *ip;
	e->port = port;
	e->state = NEIGH_INCOMPLETE;
	e->created_ms = e->updated_ms = now_ms;
	e->pos = -1;
	if (rte_hash_add_key_data(t->map, ip, (void *)(uintptr_t)s) < 0) {
		e->state = NEIGH_FREE;
		e->next = t->free;
		t->free = s;
		t->full++;
		return -1;
	}
	t->live++;
	return (int32_t)s;
}

/* ------------------------------------------------------------ resolving */

static void solicit(struct neigh_table *t, uint32_t s, uint64_t now_ms, const struct neigh_ops *ops)
{
	struct neigh_entry *e = &t->ent[s];
	uint64_t v = __atomic_load_n(&t->slot[s], __ATOMIC_RELAXED);

	/* An entry with a MAC being probed: workers report what they hear. */
	if (v & NEIGH_VALID)
		__atomic_store_n(&t->slot[s], v | NEIGH_PROBING, __ATOMIC_RELEASE);
	e->probed_ms = now_ms;
	e->probes++;
	ops->solicit(ops->ctx, e->port, &e->ip);
}

void neigh_pin_begin(struct neigh_table *t)
{
	t->pin_gen++;
}

int32_t neigh_resolve(struct neigh_table *t, const struct neigh_ip *ip, uint8_t port, bool pin,
		      uint64_t now_ms, const struct neigh_ops *ops)
{
	int32_t s = neigh_find(t, ip);

	if (s < 0) {
		s = slot_new(t, ip, port, now_ms, ops);
		if (s < 0)
			return -1;
		solicit(t, (uint32_t)s, now_ms, ops);
	}
	if (pin)
		t->ent[s].pin_gen = t->pin_gen;
	return s;
}

int32_t neigh_learn(struct neigh_table *t, const struct neigh_ip *ip,
		    const struct rte_ether_addr *mac, uint8_t port, bool create, uint64_t now_ms,
		    const struct neigh_ops *ops)
{
	int32_t s = neigh_find(t, ip);
	struct neigh_entry *e;

	if (s < 0) {
		if (!create)
			return -1;
		s = slot_new(t, ip, port, now_ms, ops);
		if (s < 0)
			return -1;
	}
	e = &t->ent[s];
	e->port = port;
	e->state = NEIGH_REACHABLE;
	e->probes = 0;
	e->updated_ms = now_ms;
	slot_publish(t, (uint32_t)s, mac, port);
	for (uint8_t h = 0; h < e->n_held; h++)
		ops->release(ops->ctx, port, e->held[h], mac);
	e->n_held = 0;
	return s;
}

void neigh_hold(struct neigh_table *t, const struct neigh_ip *ip, uint8_t port, struct rte_mbuf *m,
		uint64_t now_ms, const struct neigh_ops *ops)
{
	int32_t s = neigh_resolve(t, ip, port, false, now_ms, ops);
	struct neigh_entry *e;

	if (s < 0) {
		ops->drop(ops->ctx, m, NEIGH_DROP_TABLE_FULL);
		return;
	}
	e = &t->ent[s];
	if (e->state == NEIGH_FAILED) {
		/* Try again: the host may be back. */
		e->state = NEIGH_INCOMPLETE;
		e->probes = 0;
		e->updated_ms = now_ms;
		solicit(t, (uint32_t)s, now_ms, ops);
	}
	if (e->n_held == NEIGH_HOLD_MAX) {
		ops->drop(ops->ctx, m, NEIGH_DROP_QUEUE_FULL);
		return;
	}
	e->held[e->n_held++] = m;
}

/* ---------------------------------------------------------------- aging */

static void entry_fail(struct neigh_table *t, uint32_t s, uint64_t now_ms,
		       const struct neigh_ops *ops)
{
	struct neigh_entry *e = &t->ent[s];

	if (!pinned(t, e)) {
		slot_kill(t, s, ops);
		return;
	}
	e->state = NEIGH_FAILED;
	e->updated_ms = now_ms;
	__atomic_store_n(&t->slot[s], 0, __ATOMIC_RELEASE);
	drop_held(e, ops);
}

static void entry_age(struct neigh_table *t, uint32_t s, uint64_t now_ms,
		      const struct neigh_ops *ops)
{
	struct neigh_entry *e = &t->ent[s];

	switch (e->state) {
	case NEIGH_REACHABLE:
		if (now_ms - e->updated_ms < REACHABLE_MS)
			break;
		e->state = NEIGH_STALE;
		e->probes = 0;
		e->updated_ms = now_ms;
		if (pinned(t, e))
			solicit(t, s, now_ms, ops);
		break;
	case NEIGH_STALE:
		if (!pinned(t, e)) {
			if (now_ms - e->updated_ms >= STALE_GC_MS)
				slot_kill(t, s, ops);
			break;
		}
		/* a pinned one is being probed */
		__attribute__((fallthrough));
	case NEIGH_INCOMPLETE:
		if (now_ms - e->probed_ms < PROBE_EVERY_MS)
			break;
		if (e->probes < PROBES_MAX)
			solicit(t, s, now_ms, ops);
		else
			entry_fail(t, s, now_ms, ops);
		break;
	case NEIGH_FAILED:
		if (!pinned(t, e)) {
			slot_kill(t, s, ops);
		} else if (now_ms - e->updated_ms >= RETRY_MS) {
			e->state = NEIGH_INCOMPLETE;
			e->probes = 0;
			solicit(t, s, now_ms, ops);
		}
		break;
	default:
		break;
	}
}

void neigh_age(struct neigh_table *t, uint64_t now_ms, const struct neigh_ops *ops)
{
	dead_reclaim(t);
	for (uint32_t s = 0; s < t->used; s++)
		entry_age(t, s, now_ms, ops);
}
