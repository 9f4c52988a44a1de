/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sorted views of the model, so that finding repeats and resolving names
 * cost n log n however large the configuration: a file with a hundred
 * thousand real servers must not take minutes to read or check. A view is
 * an array sorted by a key and then by the object's index, so equal keys
 * sit together in the order they were written and the first of them is the
 * original that a repeat is reported against.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

struct sort_ctx {
	int (*cmp)(size_t a, size_t b, const void *ctx);
	const void *ctx;
};

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *sc = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = sc->cmp(a, b, sc->ctx);

	if (c != 0)
		return c;
	return a < b ? -1 : a > b;
}

size_t *cfg_sort_indexes(size_t n, int (*cmp)(size_t a, size_t b, const void *ctx), const void *ctx)
{
	struct sort_ctx sc = { cmp, ctx };
	size_t *v = malloc((n ? n : 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = i;
	qsort_r(v, n, sizeof(*v), sort_cmp, &sc);
	return v;
}

/* ----------------------------------------------------------------- by name */

static int name_ref_cmp(const void *pa, const void *pb)
{
	const struct cfg_name_ref *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (c != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

struct cfg_name_ref *cfg_names_sorted(const void *base, size_t n, size_t stride, size_t name_off)
{
	struct cfg_name_ref *v = malloc((n ? n : 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *obj = (const char *)base + i * stride;

		memcpy(&v[i].name, obj + name_off, sizeof(v[i].name));
		v[i].idx = i;
	}
	qsort(v, n, sizeof(*v), name_ref_cmp);
	return v;
}

size_t cfg_names_find(const struct cfg_name_ref *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	/* The first entry not below name: the first written of its equals. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].name, name) == 0 ? v[lo].idx : SIZE_MAX;
}

static const struct cfg_loc *loc_at(const void *base, size_t i, size_t stride, size_t loc_off)
{
	return (const struct cfg_loc *)((const char *)base + i * stride + loc_off);
}

void cfg_report_dup_names(struct cfg_diags *d, const char *kind, const void *base, size_t n,
			  size_t stride, size_t name_off, size_t loc_off)
{
	struct cfg_name_ref *v = cfg_names_sorted(base, n, stride, name_off);
	size_t first = 0;

	if (v == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 1; i < n; i++) {
		const struct cfg_loc *orig = loc_at(base, v[first].idx, stride, loc_off);

		if (strcmp(v[i].name, v[first].name) != 0) {
			first = i;
			continue;
		}
		cfg_diag_add(d, CFG_ERROR, loc_at(base, v[i].idx, stride, loc_off),
			     "%s %s is already defined at %s:%d", kind, v[i].name, orig->file,
			     orig->line);
	}
	free(v);
}

/* ----------------------------------------------------------- by address */

/* Every address and port of every virtual server, with its protocol. */
struct vs_key {
	struct cfg_addr addr;
	uint16_t port;
	uint8_t proto;
	size_t vs;
};

static int vs_key_cmp(size_t a, size_t b, const void *ctx)
{
	const struct vs_key *v = ctx;
	int c = cfg_addr_cmp(&v[a].addr, &v[b].addr);

	if (c != 0)
		return c;
	if (v[a].port != v[b].port)
		return v[a].port < v[b].port ? -1 : 1;
	return (int)v[a].proto - (int)v[b].proto;
}

void cfg_report_dup_vs(struct cfg_diags *d, const struct cfg_keepalived *k)
{
	size_t n = 0, first = 0, *v;
	struct vs_key *keys;
	char a[CFG_ADDR_STRLEN];

	for (size_t i = 0; i < k->n_vs; i++)
		n += k->vs[i].n_members;
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (keys == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	n = 0;
	for (size_t i = 0; i < k->n_vs; i++)
		for (size_t m = 0; m < k->vs[i].n_members; m++)
			keys[n++] =
			    (struct vs_key){ k->vs[i].members[m].addr, k->vs[i].members[m].port,
					     k->vs[i].protocol, i };
	v = cfg_sort_indexes(n, vs_key_cmp, keys);
	if (v == NULL) {
		free(keys);
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 1; i < n; i++) {
		const struct vs_key *o = &keys[v[first]], *r = &keys[v[i]];

		if (vs_key_cmp(v[first], v[i], keys) != 0) {
			first = i;
			continue;
		}
		cfg_diag_add(d, CFG_ERROR, &k->vs[r->vs].loc,
			     "virtual_server %s %u %s is already defined at %s:%d",
			     cfg_addr_str(&r->addr, a), r->port,
			     r->proto == IPPROTO_UDP ? "UDP" : "TCP", k->vs[o->vs].loc.file,
			     k->vs[o->vs].loc.line);
	}
	free(v);
	free(keys);
}

static int rs_key_cmp(size_t a, size_t b, const void *ctx)
{
	const struct cfg_real_server *rs = ctx;
	int c = cfg_addr_cmp(&rs[a].addr, &rs[b].addr);

	if (c != 0)
		return c;
	return (int)rs[a].port - (int)rs[b].port;
}

void cfg_report_dup_rs(struct cfg_diags *d, const struct cfg_virtual_server *vs)
{
	size_t *v = cfg_sort_indexes(vs->n_rs, rs_key_cmp, vs->rs);
	size_t first = 0;
	char a[CFG_ADDR_STRLEN];

	if (v == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 1; i < vs->n_rs; i++) {
		const struct cfg_real_server *o = &vs->rs[v[first]], *rs = &vs->rs[v[i]];

		if (rs_key_cmp(v[first], v[i], vs->rs) != 0) {
			first = i;
			continue;
		}
		cfg_diag_add(d, CFG_ERROR, &rs->loc,
			     "real_server %s %u is already defined at %s:%d",
			     cfg_addr_str(&rs->addr, a), rs->port, o->loc.file, o->loc.line);
	}
	free(v);
}
