/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table (see halb_neigh.h). The hash is written only by the
 * control core (single writer, lock-free readers); slots are handed out in
 * order and never reused, which keeps a worker's view safe without RCU.
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

static const char *const state_names[] = { "INCOMPLETE", "REACHABLE", "STALE", "FAILED" };

const char *neigh_state_name(uint8_t s)
{
	return s < RTE_DIM(state_names) ? state_names[s] : "?";
}

struct neigh_table *neigh_create(const char *name, uint32_t size, int socket)
{
	char hname[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = size,
		.key_len = sizeof(rte_be32_t),
		.hash_func = rte_hash_crc,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct neigh_table *t;

	t = rte_zmalloc_socket("neigh", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		goto nomem;
	t->size = size;
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
	for (uint32_t i = 0; i < t->used; i++)
		for (uint8_t h = 0; h < t->ent[i].n_held; h++)
			rte_pktmbuf_free(t->ent[i].held[h]);
	rte_hash_free(t->map);
	rte_free(t->slot);
	rte_free(t->ent);
	rte_free(t);
}

int32_t neigh_find(const struct neigh_table *t, rte_be32_t ip)
{
	void *data;

	if (rte_hash_lookup_data(t->map, &ip, &data) < 0)
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

static int32_t slot_new(struct neigh_table *t, rte_be32_t ip, uint8_t port)
{
	uint32_t s;

	if (t->used == t->size)
		return -1;
	s = t->used;
	memset(&t->ent[s], 0, sizeof(t->ent[s]));
	t->ent[s].ip = ip;
	t->ent[s].port = port;
	t->ent[s].state = NEIGH_INCOMPLETE;
	if (rte_hash_add_key_data(t->map, &ip, (void *)(uintptr_t)s) < 0)
		return -1;
	t->used++;
	return (int32_t)s;
}

static void solicit(struct neigh_entry *e, uint64_t now_ms, const struct neigh_ops *ops)
{
	e->probed_ms = now_ms;
	e->probes++;
	ops->solicit(ops->ctx, e->port, e->ip);
}

int32_t neigh_resolve(struct neigh_table *t, rte_be32_t ip, uint8_t port, uint64_t now_ms,
		      const struct neigh_ops *ops)
{
	int32_t s = neigh_find(t, ip);

	if (s >= 0)
		return s;
	s = slot_new(t, ip, port);
	if (s >= 0)
		solicit(&t->ent[s], now_ms, ops);
	return s;
}

int32_t neigh_learn(struct neigh_table *t, rte_be32_t ip, const struct rte_ether_addr *mac,
		    uint8_t port, bool create, uint64_t now_ms, const struct neigh_ops *ops)
{
	int32_t s = neigh_find(t, ip);
	struct neigh_entry *e;

	if (s < 0) {
		if (!create)
			return -1;
		s = slot_new(t, ip, port);
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

void neigh_hold(struct neigh_table *t, rte_be32_t ip, uint8_t port, struct rte_mbuf *m,
		uint64_t now_ms, const struct neigh_ops *ops)
{
	int32_t s = neigh_resolve(t, ip, port, now_ms, ops);
	struct neigh_entry *e;

	if (s < 0) {
		ops->drop(ops->ctx, m, true);
		return;
	}
	e = &t->ent[s];
	if (e->state == NEIGH_FAILED) {
		/* Try again: the host may be back. */
		e->state = NEIGH_INCOMPLETE;
		e->probes = 0;
		solicit(e, now_ms, ops);
	}
	if (e->n_held == NEIGH_HOLD_MAX) {
		ops->drop(ops->ctx, m, true);
		return;
	}
	e->held[e->n_held++] = m;
}

static void entry_age(struct neigh_table *t, uint32_t s, uint64_t now_ms,
		      const struct neigh_ops *ops)
{
	struct neigh_entry *e = &t->ent[s];

	switch (e->state) {
	case NEIGH_REACHABLE:
		if (now_ms - e->updated_ms >= REACHABLE_MS) {
			e->state = NEIGH_STALE;
			e->probes = 0;
			solicit(e, now_ms, ops);
		}
		break;
	case NEIGH_STALE:
	case NEIGH_INCOMPLETE:
		if (now_ms - e->probed_ms < PROBE_EVERY_MS)
			break;
		if (e->probes < PROBES_MAX) {
			solicit(e, now_ms, ops);
			break;
		}
		e->state = NEIGH_FAILED;
		__atomic_store_n(&t->slot[s], 0, __ATOMIC_RELEASE);
		for (uint8_t h = 0; h < e->n_held; h++)
			ops->drop(ops->ctx, e->held[h], false);
		e->n_held = 0;
		break;
	default:
		break;
	}
}

void neigh_age(struct neigh_table *t, uint64_t now_ms, const struct neigh_ops *ops)
{
	for (uint32_t s = 0; s < t->used; s++)
		entry_age(t, s, now_ms, ops);
}
