/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The locality-based schedulers, for cache clusters: requests for one
 * destination address should keep reaching the same server(s).
 *
 * lblc (ip_vs_lblc.c) remembers one server per destination address. It
 * keeps sending the address there while that server is usable and not
 * overloaded; otherwise it picks a new one by wlc and remembers that.
 *
 * lblcr (ip_vs_lblcr.c) remembers a set of servers per address and picks
 * the least loaded member (overhead / weight). When that one is overloaded,
 * or no member is usable, wlc picks a server that joins the set. A set of two
 * or more that has not changed for SCHED_LBLCR_SHRINK_MS drops its most
 * loaded member, so a set grown by a burst shrinks back.
 *
 * "Overloaded" is the kernel's is_overloaded(): the server has more active
 * connections than its weight while some usable server has fewer than half
 * of its own.
 *
 * Where halb's maps differ from the kernel's hash tables, so that a pick
 * never allocates and a worker's map has a fixed size:
 * - each sched_state holds SCHED_LOC_ENTRIES entries, direct-mapped by the
 *   kernel's hash_32(daddr, 10); a new address replaces whatever shared its
 *   slot (IPVS chains them and collects the stale ones from a timer);
 * - an entry unused for SCHED_LOC_EXPIRE_MS (key->now_ms) is forgotten when
 *   next looked up, instead of after the kernel's lblc(r)_expiration sysctl
 *   (24 h by default) or its 6-minute collection of a full table;
 * - an lblcr set shrinks after SCHED_LBLCR_SHRINK_MS without change (the
 *   kernel uses lblcr_expiration, 24 h by default), holds at most
 *   SCHED_LBLCR_SET_MAX servers (a full set makes room by dropping the one a
 *   shrink would drop), drops an unusable member before a loaded one, and
 *   shrinks before it picks, so the server it returns is always a member.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_priv.h"

/* The map is direct-mapped by hash_32(daddr, 10), the size of IPVS's table. */
#define SCHED_LOC_BITS 10
_Static_assert(SCHED_LOC_ENTRIES == 1u << SCHED_LOC_BITS, "SCHED_LOC_ENTRIES is 2^SCHED_LOC_BITS");

/* An entry unused this long is forgotten. */
#define SCHED_LOC_EXPIRE_MS (60u * 1000u)
/* An lblcr set of two or more unchanged this long drops its most loaded one. */
#define SCHED_LBLCR_SHRINK_MS (6u * 60u * 1000u)
/* Most destinations an lblcr set holds (IPVS's sets are unbounded lists). */
#define SCHED_LBLCR_SET_MAX 8

/* lblc: a destination address and the server it was last sent to. */
struct sched_lblc_entry {
	uint64_t lastuse_ms;
	uint32_t daddr;
	int32_t dest; /* -1: empty */
};

/* lblcr: a destination address and its server set, newest member first as
 * IPVS's list_add_rcu() keeps it (ties in the set go to the newest). */
struct sched_lblcr_entry {
	uint64_t lastuse_ms;
	uint64_t lastmod_ms;
	uint32_t daddr;
	uint32_t size; /* 0: empty */
	int32_t set[SCHED_LBLCR_SET_MAX];
};

int sched_lblc_state_init(struct sched_state *st)
{
	uint32_t i;

	st->lblc = calloc(SCHED_LOC_ENTRIES, sizeof(*st->lblc));
	if (st->lblc == NULL)
		return -1;
	for (i = 0; i < SCHED_LOC_ENTRIES; i++)
		st->lblc[i].dest = -1;
	return 0;
}

int sched_lblcr_state_init(struct sched_state *st)
{
	st->lblcr = calloc(SCHED_LOC_ENTRIES, sizeof(*st->lblcr));
	return st->lblcr != NULL ? 0 : -1;
}

static uint32_t sched_loc_slot(uint32_t daddr)
{
	return sched_hash_32(daddr, SCHED_LOC_BITS);
}

/* A clock that went back leaves the entry alive. */
static bool sched_loc_expired(uint64_t lastuse_ms, uint64_t now_ms)
{
	return now_ms > lastuse_ms + SCHED_LOC_EXPIRE_MS;
}

static bool sched_loc_overloaded(const struct sched *s, uint32_t d, const struct sched_load *load)
{
	uint32_t active, inactive, k;

	sched_load_read(load, d, &active, &inactive);
	if (active <= s->dests[d].weight)
		return false;
	for (k = 0; k < s->n_usable; k++) {
		uint32_t i = s->usable[k];

		sched_load_read(load, i, &active, &inactive);
		if ((uint64_t)active * 2 < s->dests[i].weight)
			return true;
	}
	return false;
}

int sched_lblc_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
		    const struct sched_load *load)
{
	struct sched_lblc_entry *e = &st->lblc[sched_loc_slot(key->daddr)];
	int d;

	if (e->dest >= 0 && e->daddr == key->daddr &&
	    !sched_loc_expired(e->lastuse_ms, key->now_ms)) {
		e->lastuse_ms = key->now_ms;
		d = e->dest;
		if (sched_usable(&s->dests[d]) && !sched_loc_overloaded(s, (uint32_t)d, load))
			return d;
	}
	d = sched_wlc_pick(s, load);
	if (d < 0)
		return -1;
	e->daddr = key->daddr;
	e->dest = d;
	e->lastuse_ms = key->now_ms;
	return d;
}

/* ip_vs_dest_set_min(): the first usable member, replaced by any member
 * strictly less loaded per unit of weight. -1 when no member is usable. */
static int sched_set_min(const struct sched *s, const struct sched_lblcr_entry *e,
			 const struct sched_load *load)
{
	uint64_t loh = 0;
	int least = -1;
	uint32_t k;

	for (k = 0; k < e->size; k++) {
		uint32_t i = (uint32_t)e->set[k], active, inactive;
		uint64_t doh;

		if (!sched_usable(&s->dests[i]))
			continue;
		sched_load_read(load, i, &active, &inactive);
		doh = sched_conn_overhead(active, inactive);
		if (least < 0 ||
		    sched_heavier(loh, s->dests[least].weight, doh, s->dests[i].weight)) {
			least = (int)i;
			loh = doh;
		}
	}
	return least;
}

/* The position of the member to drop: the first unusable one, else the most
 * loaded per unit of weight (ip_vs_dest_set_max()). The set is not empty. */
static uint32_t sched_set_victim(const struct sched *s, const struct sched_lblcr_entry *e,
				 const struct sched_load *load)
{
	uint32_t most = 0, k;
	uint64_t moh = 0;

	for (k = 0; k < e->size; k++)
		if (!sched_usable(&s->dests[e->set[k]]))
			return k;
	for (k = 0; k < e->size; k++) {
		uint32_t i = (uint32_t)e->set[k], active, inactive;
		uint64_t doh;

		sched_load_read(load, i, &active, &inactive);
		doh = sched_conn_overhead(active, inactive);
		if (k == 0 ||
		    sched_heavier(doh, s->dests[i].weight, moh, s->dests[e->set[most]].weight)) {
			most = k;
			moh = doh;
		}
	}
	return most;
}

static void sched_set_erase(struct sched_lblcr_entry *e, uint32_t pos, uint64_t now_ms)
{
	memmove(&e->set[pos], &e->set[pos + 1], (e->size - pos - 1) * sizeof(e->set[0]));
	e->size--;
	e->lastmod_ms = now_ms;
}

/* ip_vs_dest_set_insert(): a new member goes first; a member already in the
 * set changes nothing. */
static void sched_set_insert(const struct sched *s, struct sched_lblcr_entry *e, int d,
			     uint64_t now_ms, const struct sched_load *load)
{
	uint32_t k;

	for (k = 0; k < e->size; k++)
		if (e->set[k] == d)
			return;
	if (e->size == SCHED_LBLCR_SET_MAX)
		sched_set_erase(e, sched_set_victim(s, e, load), now_ms);
	memmove(&e->set[1], &e->set[0], e->size * sizeof(e->set[0]));
	e->set[0] = d;
	e->size++;
	e->lastmod_ms = now_ms;
}

static bool sched_set_stale(const struct sched_lblcr_entry *e, uint64_t now_ms)
{
	return e->size > 1 && now_ms > e->lastmod_ms + SCHED_LBLCR_SHRINK_MS;
}

int sched_lblcr_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
		     const struct sched_load *load)
{
	struct sched_lblcr_entry *e = &st->lblcr[sched_loc_slot(key->daddr)];
	uint64_t now = key->now_ms;
	int d;

	if (e->size > 0 && e->daddr == key->daddr && !sched_loc_expired(e->lastuse_ms, now)) {
		e->lastuse_ms = now;
		if (sched_set_stale(e, now))
			sched_set_erase(e, sched_set_victim(s, e, load), now);
		d = sched_set_min(s, e, load);
		if (d >= 0 && !sched_loc_overloaded(s, (uint32_t)d, load))
			return d;
		d = sched_wlc_pick(s, load);
		if (d >= 0)
			sched_set_insert(s, e, d, now, load);
		return d;
	}
	d = sched_wlc_pick(s, load);
	if (d < 0)
		return -1;
	e->daddr = key->daddr;
	e->size = 1;
	e->set[0] = d;
	e->lastuse_ms = now;
	e->lastmod_ms = now;
	return d;
}
