/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building, publishing and retiring service snapshots (see halb_svc.h).
 * Each snapshot has its own two small rte_hash tables (services by key,
 * addresses by value); they are read-only once built, so workers look them
 * up concurrently without any flag.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "halb_svc.h"

/* IPv6 keys in storage rte_hash's CRC can read 8 bytes at a time (an
 * address inside a packet or a spec is not so aligned). */
union svc_key6_aligned {
	struct svc_key6 k;
	uint64_t align;
};

struct addr6_key {
	uint8_t b[16];
} __rte_aligned(8);

static struct rte_hash *small_hash(const char *what, uint64_t gen, uint32_t entries,
				   uint32_t key_len, int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(entries * 2, 16u),
		.key_len = key_len,
		.hash_func = rte_hash_crc,
		.socket_id = socket,
	};

	snprintf(name, sizeof(name), "%s%" PRIu64, what, gen);
	return rte_hash_create(&hp);
}

struct svc_sched {
	uint32_t refs;
	uint16_t n_workers;
	enum cfg_sched kind;
	struct sched_params params;
	uint32_t n;
	struct sched_dest *dests; /* what it was built over */
	struct sched *sched;
	struct sched_state **state;
};

static void shared_put(struct svc_sched *sh)
{
	if (sh == NULL || --sh->refs > 0)
		return;
	for (uint16_t w = 0; sh->state != NULL && w < sh->n_workers; w++)
		sched_state_free(sh->state[w]);
	sched_free(sh->sched);
	free(sh->state);
	free(sh->dests);
	free(sh);
}

static struct svc_sched *shared_new(const struct svc_spec *sp, struct sched_dest *dests,
				    uint16_t n_workers)
{
	struct svc_sched *sh = calloc(1, sizeof(*sh));

	if (sh == NULL)
		goto fail;
	sh->refs = 1;
	sh->n_workers = n_workers;
	sh->kind = sp->sched;
	sh->params = sp->sched_params;
	sh->n = sp->n_rs;
	sh->dests = dests;
	dests = NULL;
	sh->sched = sched_create(sp->sched, sh->dests, sh->n, &sp->sched_params);
	sh->state = calloc(n_workers, sizeof(*sh->state));
	if (sh->sched == NULL || sh->state == NULL)
		goto fail;
	for (uint16_t w = 0; w < n_workers; w++) {
		sh->state[w] = sched_state_create(sh->sched);
		if (sh->state[w] == NULL)
			goto fail;
	}
	return sh;
fail:
	free(dests);
	shared_put(sh);
	return NULL;
}

/* The scheduler of prev's service under the same key, when it was built
 * over exactly these destinations and parameters. */
static struct svc_sched *shared_reuse(const struct svc_snapshot *prev, const struct svc_spec *sp,
				      const struct sched_dest *dests)
{
	const struct svc *old;
	const struct svc_sched *sh;

	if (prev == NULL)
		return NULL;
	old = sp->af == 6 ? svc_lookup6(prev, sp->vip6, rte_cpu_to_be_16(sp->vport), sp->proto)
			  : svc_lookup(prev, rte_cpu_to_be_32(sp->vip), rte_cpu_to_be_16(sp->vport),
				       sp->proto);
	if (old == NULL || old->stat != sp->stat || (sh = old->shared) == NULL)
		return NULL;
	if (sh->kind != sp->sched || sh->n != sp->n_rs ||
	    memcmp(&sh->params, &sp->sched_params, sizeof(sh->params)) != 0 ||
	    (sh->n > 0 && memcmp(sh->dests, dests, sizeof(*dests) * sh->n) != 0))
		return NULL;
	return old->shared;
}

static int fill_rs(struct svc *v, const struct svc_spec *sp, struct svc_snapshot *s,
		   uint16_t n_workers, int socket, const struct svc_snapshot *prev)
{
	struct sched_dest *dests = calloc(sp->n_rs ? sp->n_rs : 1, sizeof(*dests));

	if (dests == NULL)
		return -ENOMEM;
	v->n_rs = sp->n_rs;
	v->rs = rte_zmalloc_socket("svc_rs", sizeof(*v->rs) * (sp->n_rs ? sp->n_rs : 1), 0, socket);
	if (v->rs == NULL)
		goto nomem;
	for (uint32_t r = 0; r < sp->n_rs; r++) {
		const struct svc_spec_rs *in = &sp->rs[r];
		struct svc_rs *o = &v->rs[r];

		o->af = in->af == 6 ? 6 : 4;
		o->addr = rte_cpu_to_be_32(in->addr);
		o->port = rte_cpu_to_be_16(in->port);
		o->weight = in->weight;
		o->available = in->available;
		o->stat = in->stat;
		o->neigh = in->neigh;
		o->nexthop = rte_cpu_to_be_32(in->nexthop);
		o->out_port = in->out_port;
		memcpy(o->addr6, in->addr6, 16);
		memcpy(o->nexthop6, in->nexthop6, 16);
		if (in->stat < SVC_STAT_MAX) {
			s->stat_flags[in->stat] |= SVC_SF_PRESENT;
			s->rs_of[in->stat] = o;
		}
		dests[r] = (struct sched_dest){ .addr = in->af == 6 ? sched_addr_fold6(in->addr6)
								    : in->addr,
						.port = in->port,
						.weight = in->weight,
						.available = in->available };
	}
	v->shared = shared_reuse(prev, sp, dests);
	if (v->shared != NULL) {
		v->shared->refs++;
		free(dests);
	} else {
		v->shared = shared_new(sp, dests, n_workers);
		if (v->shared == NULL)
			return -ENOMEM;
	}
	v->sched = v->shared->sched;
	v->state = v->shared->state;
	return 0;
nomem:
	free(dests);
	return -ENOMEM;
}

/* Enters service i under its key, in its family's table. */
static int svc_index(struct svc_snapshot *s, const struct svc *v, uint32_t i)
{
	if (v->af == 6) {
		union svc_key6_aligned k = { .k = { .vport = v->vport, .proto = v->proto } };

		memcpy(k.k.vip, v->vip6, 16);
		return rte_hash_add_key_data(s->by_key6, &k.k, (void *)(uintptr_t)i);
	} else {
		struct svc_key k = { .vip = v->vip, .vport = v->vport, .proto = v->proto };

		return rte_hash_add_key_data(s->by_key, &k, (void *)(uintptr_t)i);
	}
}

/* Enters an address with its flags and port (data: the flags, and the port
 * above them); given twice, the flags add up and the first port stays. */
static int addr_add(struct svc_snapshot *s, const struct svc_spec_addr *a)
{
	rte_be32_t a4 = rte_cpu_to_be_32(a->addr);
	struct rte_hash *h = a->af == 6 ? s->addrs6 : s->addrs;
	struct addr6_key k6;
	const void *key = a->af == 6 ? (const void *)k6.b : (const void *)&a4;
	uintptr_t v = a->flags | (uintptr_t)a->port << 8;
	void *old = NULL;

	memcpy(k6.b, a->addr6, 16);
	if (rte_hash_lookup_data(h, key, &old) >= 0) {
		v = (uintptr_t)old | a->flags;
		if (((uintptr_t)old >> 8) == SVC_PORT_ANY)
			v = (v & 0xff) | (uintptr_t)a->port << 8;
	}
	return rte_hash_add_key_data(h, key, (void *)v);
}

struct svc_snapshot *svc_snapshot_build(const struct svc_spec *specs, uint32_t n,
					const struct svc_spec_addr *addrs, uint32_t n_addrs,
					struct route_table *routes, uint16_t n_workers, int socket,
					const struct svc_snapshot *prev)
{
	static uint64_t generation;
	struct svc_snapshot *s;
	int rc = -ENOMEM;

	s = rte_zmalloc_socket("svc_snap", sizeof(*s), RTE_CACHE_LINE_SIZE, socket);
	if (s == NULL)
		goto fail;
	s->generation = ++generation;
	s->routes = routes;
	s->n_svc = n;
	s->svc =
	    rte_zmalloc_socket("svc", sizeof(*s->svc) * (n ? n : 1), RTE_CACHE_LINE_SIZE, socket);
	s->stat_flags = rte_zmalloc_socket("svc_sf", SVC_STAT_MAX, RTE_CACHE_LINE_SIZE, socket);
	s->rs_of = rte_zmalloc_socket("svc_rsof", sizeof(*s->rs_of) * SVC_STAT_MAX,
				      RTE_CACHE_LINE_SIZE, socket);
	s->by_key = small_hash("svck", s->generation, n, sizeof(struct svc_key), socket);
	s->addrs = small_hash("svca", s->generation, n_addrs, sizeof(rte_be32_t), socket);
	s->by_key6 = small_hash("svck6_", s->generation, n, sizeof(struct svc_key6), socket);
	s->addrs6 = small_hash("svca6_", s->generation, n_addrs, 16, socket);
	if (s->svc == NULL || s->stat_flags == NULL || s->rs_of == NULL || s->by_key == NULL ||
	    s->addrs == NULL || s->by_key6 == NULL || s->addrs6 == NULL)
		goto fail;

	for (uint32_t i = 0; i < n; i++) {
		const struct svc_spec *sp = &specs[i];
		struct svc *v = &s->svc[i];

		v->af = sp->af == 6 ? 6 : 4;
		v->vip = rte_cpu_to_be_32(sp->vip);
		memcpy(v->vip6, sp->vip6, 16);
		v->vport = rte_cpu_to_be_16(sp->vport);
		v->proto = sp->proto;
		v->fwd = (uint8_t)sp->fwd;
		v->flow_hashed = sp->sched == CFG_SCHED_MH || sp->sched == CFG_SCHED_SH ||
				 sp->sched == CFG_SCHED_DH;
		v->stat = sp->stat;
		v->persist_ms = sp->persist_s * 1000u;
		v->persist_mask = rte_cpu_to_be_32(sp->persist_mask);
		v->persist_plen6 = sp->persist_plen6 != 0 ? sp->persist_plen6 : 128;
		if (sp->stat < SVC_STAT_MAX && sp->owned)
			s->stat_flags[sp->stat] |= SVC_SF_OWNED;
		rc = fill_rs(v, sp, s, n_workers, socket, prev);
		if (rc < 0)
			goto fail;
		rc = svc_index(s, v, i);
		if (rc < 0)
			goto fail;
	}
	for (uint32_t i = 0; i < n_addrs; i++) {
		rc = addr_add(s, &addrs[i]);
		if (rc < 0)
			goto fail;
	}
	return s;
fail:
	svc_snapshot_free(s, n_workers);
	rte_errno = -rc;
	return NULL;
}

void svc_snapshot_free(struct svc_snapshot *s, uint16_t n_workers)
{
	if (s == NULL)
		return;
	(void)n_workers;
	for (uint32_t i = 0; s->svc != NULL && i < s->n_svc; i++) {
		shared_put(s->svc[i].shared);
		rte_free(s->svc[i].rs);
	}
	rte_hash_free(s->by_key);
	rte_hash_free(s->addrs);
	rte_hash_free(s->by_key6);
	rte_hash_free(s->addrs6);
	rte_free(s->svc);
	rte_free(s->stat_flags);
	rte_free(s->rs_of);
	rte_free(s);
}

uint8_t svc_addr_info(const struct svc_snapshot *s, rte_be32_t dst, uint8_t *port)
{
	void *data;

	if (rte_hash_lookup_data(s->addrs, &dst, &data) < 0) {
		*port = SVC_PORT_ANY;
		return 0;
	}
	*port = (uint8_t)((uintptr_t)data >> 8);
	return (uint8_t)(uintptr_t)data;
}

uint8_t svc_addr_flags(const struct svc_snapshot *s, rte_be32_t dst)
{
	uint8_t port;

	return svc_addr_info(s, dst, &port);
}

const struct svc *svc_lookup(const struct svc_snapshot *s, rte_be32_t vip, rte_be16_t vport,
			     uint8_t proto)
{
	struct svc_key k = { .vip = vip, .vport = vport, .proto = proto };
	void *data;

	if (rte_hash_lookup_data(s->by_key, &k, &data) < 0)
		return NULL;
	return &s->svc[(uintptr_t)data];
}

uint8_t svc_addr_info6(const struct svc_snapshot *s, const uint8_t *dst, uint8_t *port)
{
	struct addr6_key k;
	void *data;

	memcpy(k.b, dst, 16);
	if (rte_hash_lookup_data(s->addrs6, k.b, &data) < 0) {
		*port = SVC_PORT_ANY;
		return 0;
	}
	*port = (uint8_t)((uintptr_t)data >> 8);
	return (uint8_t)(uintptr_t)data;
}

uint8_t svc_addr_flags6(const struct svc_snapshot *s, const uint8_t *dst)
{
	uint8_t port;

	return svc_addr_info6(s, dst, &port);
}

const struct svc *svc_lookup6(const struct svc_snapshot *s, const uint8_t *vip, rte_be16_t vport,
			      uint8_t proto)
{
	union svc_key6_aligned k = { .k = { .vport = vport, .proto = proto } };
	void *data;

	memcpy(k.k.vip, vip, 16);
	if (rte_hash_lookup_data(s->by_key6, &k.k, &data) < 0)
		return NULL;
	return &s->svc[(uintptr_t)data];
}

void svc_publish(struct svc_domain *d, struct svc_snapshot *s)
{
	struct svc_snapshot *old = __atomic_exchange_n(&d->cur, s, __ATOMIC_ACQ_REL);

	if (old == NULL)
		return;
	old->retired_token = rte_rcu_qsbr_start(d->qsbr);
	old->retired_next = d->retired;
	d->retired = old;
}

/* Whether a snapshot other than s, current or retired, uses routes. */
static bool routes_in_use(const struct svc_domain *d, const struct route_table *routes)
{
	if (d->cur != NULL && d->cur->routes == routes)
		return true;
	for (const struct svc_snapshot *r = d->retired; r != NULL; r = r->retired_next)
		if (r->routes == routes)
			return true;
	return false;
}

void svc_reclaim(struct svc_domain *d)
{
	struct svc_snapshot **pp = &d->retired;

	while (*pp != NULL) {
		struct svc_snapshot *s = *pp;

		if (rte_rcu_qsbr_check(d->qsbr, s->retired_token, false) == 1) {
			struct route_table *routes = s->routes;

			*pp = s->retired_next;
			svc_snapshot_free(s, d->n_workers);
			/* Routes are shared between snapshots: the last one out frees them. */
			if (!routes_in_use(d, routes))
				route_table_free(routes);
		} else {
			pp = &s->retired_next;
		}
	}
}

void svc_domain_clear(struct svc_domain *d)
{
	struct svc_snapshot *cur = d->cur;

	/* Retire the current one too, then free everything as if the grace
	 * period were over: the workers have stopped. */
	d->cur = NULL;
	if (cur != NULL) {
		cur->retired_next = d->retired;
		d->retired = cur;
	}
	while (d->retired != NULL) {
		struct svc_snapshot *s = d->retired;
		struct route_table *routes = s->routes;

		d->retired = s->retired_next;
		svc_snapshot_free(s, d->n_workers);
		if (!routes_in_use(d, routes))
			route_table_free(routes);
	}
}
