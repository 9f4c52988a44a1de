/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route health injection's policy and record (halb_announce.h).
 *
 * The record is a small array of VIPs in the order the caller lists them
 * (a director has a handful, a large one a few thousand; every update
 * rebuilds the array, matching old entries by address in a sorted index of
 * the previous array). An update is two passes over the new facts, as the
 * caller needs them around a snapshot: withdrawals always, additions only
 * with adds. A change the kernel refused leaves the entry as it was, marked
 * ANNOUNCE_FAILED with the errno, and is tried again on the next update.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "halb_announce.h"

struct announce {
	struct announce_ops ops;
	struct announce_vip *v;
	size_t n;
};

struct announce *announce_create(const struct announce_ops *ops)
{
	struct announce *a = calloc(1, sizeof(*a));

	if (a != NULL)
		a->ops = *ops;
	return a;
}

void announce_free(struct announce *a)
{
	if (a == NULL)
		return;
	free(a->v);
	free(a);
}

enum announce_why announce_verdict(const struct announce_fact *f, bool stopping)
{
	if (stopping)
		return ANNOUNCE_STOPPING;
	if (!f->served)
		return ANNOUNCE_NOT_SERVED;
	if (!f->settled)
		return ANNOUNCE_PENDING;
	if (f->n_up == 0)
		return ANNOUNCE_QUORUM_LOST;
	return ANNOUNCE_UP;
}

const char *announce_why_str(enum announce_why why)
{
	static const char *const names[] = {
		[ANNOUNCE_UP] = "served",
		[ANNOUNCE_NOT_SERVED] = "not_served",
		[ANNOUNCE_PENDING] = "checks_pending",
		[ANNOUNCE_QUORUM_LOST] = "quorum_lost",
		[ANNOUNCE_STOPPING] = "stopping",
		[ANNOUNCE_FAILED] = "kernel_error",
	};

	return (unsigned int)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}

/* ------------------------------------------------------------ the record */

static int by_addr(const void *x, const void *y)
{
	const struct announce_vip *a = *(const struct announce_vip *const *)x;
	const struct announce_vip *b = *(const struct announce_vip *const *)y;

	return cfg_addr_cmp(&a->fact.addr, &b->fact.addr);
}

static struct announce_vip *find(struct announce_vip **idx, size_t n, const struct cfg_addr *addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = cfg_addr_cmp(&idx[mid]->fact.addr, addr);

		if (d == 0)
			return idx[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Puts v on the interface (add) or takes it off; records the outcome. */
static int change(struct announce *a, struct announce_vip *v, bool add, enum announce_why why,
		  double now)
{
	int rc = a->ops.apply(a->ops.ctx, &v->fact.addr, add, why);

	if (rc != 0) {
		v->why = ANNOUNCE_FAILED;
		v->err = rc;
		return 0;
	}
	v->announced = add;
	v->why = why;
	v->err = 0;
	v->since = now;
	v->changes++;
	return 1;
}

/* The old entries no fact names any more: off the interface. */
static int drop_gone(struct announce *a, struct announce_vip *nv, size_t n, double now)
{
	int changes = 0;

	for (size_t i = 0; i < a->n; i++) {
		bool kept = false;

		for (size_t j = 0; j < n && !kept; j++)
			kept = cfg_addr_eq(&nv[j].fact.addr, &a->v[i].fact.addr);
		if (!kept && a->v[i].announced)
			changes += change(a, &a->v[i], false, ANNOUNCE_NOT_SERVED, now);
	}
	return changes;
}

/* The new array: each fact with its old entry's state, or a fresh one. */
static struct announce_vip *carry(const struct announce *a, const struct announce_fact *facts,
				  size_t n, double now)
{
	struct announce_vip *nv = calloc(n ? n : 1, sizeof(*nv));
	struct announce_vip **idx = calloc(a->n ? a->n : 1, sizeof(*idx));

	if (nv == NULL || idx == NULL) {
		free(nv);
		free(idx);
		return NULL;
	}
	for (size_t i = 0; i < a->n; i++)
		idx[i] = &a->v[i];
	qsort(idx, a->n, sizeof(*idx), by_addr);
	for (size_t i = 0; i < n; i++) {
		const struct announce_vip *old = find(idx, a->n, &facts[i].addr);

		if (old != NULL)
			nv[i] = *old;
		else
			nv[i] = (struct announce_vip){ .why = ANNOUNCE_PENDING, .since = now };
		nv[i].fact = facts[i];
	}
	free(idx);
	return nv;
}

/* One VIP towards its verdict. A VIP to announce waits for the pass with
 * adds; until then it keeps its state. One announced stays while checks
 * are pending (a reload's new checkers). */
static int settle(struct announce *a, struct announce_vip *v, enum announce_why why, bool adds,
		  double now)
{
	if (why == ANNOUNCE_PENDING && v->announced)
		why = ANNOUNCE_UP;
	if (why != ANNOUNCE_UP && v->announced)
		return change(a, v, false, why, now);
	if (why == ANNOUNCE_UP && !v->announced)
		return adds ? change(a, v, true, why, now) : 0;
	v->why = why;
	v->err = 0;
	return 0;
}

int announce_update(struct announce *a, const struct announce_fact *facts, size_t n, bool stopping,
		    bool adds, double now)
{
	struct announce_vip *nv = carry(a, facts, n, now);
	int changes;

	if (nv == NULL)
		return -1;
	changes = drop_gone(a, nv, n, now);
	free(a->v);
	a->v = nv;
	a->n = n;
	for (size_t i = 0; i < n; i++)
		changes += settle(a, &nv[i], announce_verdict(&nv[i].fact, stopping), adds, now);
	return changes;
}

size_t announce_list(const struct announce *a, const struct announce_vip **v)
{
	*v = a->v;
	return a->n;
}

size_t announce_count(const struct announce *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += a->v[i].announced;
	return n;
}
