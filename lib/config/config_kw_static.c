/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses and routes outside the VRRP election, and the notify FIFOs:
 * static_ipaddress and static_routes (top level, in force for as long as
 * halb runs), the route lines shared with an instance's virtual_routes (in
 * force while it is MASTER), and global_defs notify_fifo/vrrp_notify_fifo
 * with their _script.
 *
 * A route line is keepalived's, which is ip-route's: DEST [src IP]
 * [via|gw GW] [dev IF] [metric N], DEST a prefix or "default". halb puts
 * the route in its own routing table (the dataplane's) and on the TAP, so
 * both the dataplane and the director's kernel use it. What else ip-route
 * takes (tables, route types, multipath, scope, ...) changes routing in a
 * way halb's single table cannot follow: it is refused at its word, with
 * FILE:LINE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ------------------------------------------------------------------ routes */

/* DEST: a prefix of either family, or "default" (its family is the
 * gateway's or the source's, IPv4 when neither says: af 0 until then). */
static bool route_dest(struct cfg_parser *ps, const char *kw, const struct cfg_tok *t,
		       struct cfg_prefix *out)
{
	if (strcmp(t->s, "default") == 0) {
		*out = (struct cfg_prefix){ 0 };
		return true;
	}
	if (cfg_parse_prefix(t->s, out, false)) {
		const struct cfg_addr net = cfg_addr_masked(&out->addr, out->plen);

		if (!cfg_addr_eq(&net, &out->addr)) {
			cfg_err(ps, t, "%s: %s has host bits set", kw, t->s);
			return false;
		}
		return true;
	}
	cfg_err(ps, t,
		"%s: '%s' is not supported by halb: a route here is DEST [src IP] [via|gw "
		"GW] [dev IF] [metric N] (one table, unicast routes only)",
		kw, t->s);
	return false;
}

/* via or src: an address of the route's family (which a "default" takes
 * from the first of them). */
static bool route_addr(struct cfg_parser *ps, const char *what, struct cfg_sroute *r,
		       const struct cfg_tok *val, struct cfg_addr *out)
{
	if (!cfg_arg_addr(ps, val, what, out))
		return false;
	if (r->prefix.addr.af == 0)
		r->prefix.addr.af = out->af;
	if (out->af != r->prefix.addr.af) {
		cfg_err(ps, val, "%s: %s is not of the route's family (IPv%u)", what, val->s,
			r->prefix.addr.af);
		return false;
	}
	return true;
}

/* One option and its value; returns false when the line is refused. */
static bool route_opt(struct cfg_parser *ps, const char *kw, struct cfg_sroute *r,
		      const struct cfg_tok *o, const struct cfg_tok *val)
{
	char what[48];

	snprintf(what, sizeof(what), "%s %s", kw, o->s);
	if (strcmp(o->s, "via") == 0 || strcmp(o->s, "gw") == 0) {
		if (strcmp(val->s, "inet") == 0) {
			cfg_err(ps, val,
				"%s: 'via inet ADDRESS' is not supported by halb: write "
				"via ADDRESS",
				kw);
			return false;
		}
		return route_addr(ps, what, r, val, &r->via);
	}
	if (strcmp(o->s, "src") == 0)
		return route_addr(ps, what, r, val, &r->src);
	if (strcmp(o->s, "dev") == 0) {
		if (!cfg_arg_ifname(ps, val, what))
			return false;
		cfg_set_str(ps, &r->dev, val);
		return true;
	}
	if (strcmp(o->s, "metric") == 0 || strcmp(o->s, "preference") == 0 ||
	    strcmp(o->s, "priority") == 0) {
		unsigned int m;

		if (!cfg_arg_uint(ps, val, what, 0, UINT32_MAX, &m))
			return false;
		r->metric = m;
		return true;
	}
	cfg_err(ps, o,
		"%s: '%s' is not supported by halb: its routes are DEST [src IP] [via|gw GW] "
		"[dev IF] [metric N] in one table",
		kw, o->s);
	return false;
}

void cfg_route_line(struct cfg_parser *ps, const char *kw, struct cfg_sroute **arr, size_t *n_arr,
		    const struct cfg_tok *v, size_t n)
{
	struct cfg_sroute r = { .loc = cfg_tok_loc(ps, &v[0]) };
	size_t i = 1;

	if (!route_dest(ps, kw, &v[0], &r.prefix))
		return;
	for (; i < n; i += 2) {
		if (i + 1 >= n) {
			cfg_err(ps, &v[i],
				strcmp(v[i].s, "via") == 0 || strcmp(v[i].s, "gw") == 0 ||
					strcmp(v[i].s, "src") == 0 || strcmp(v[i].s, "dev") == 0 ||
					strcmp(v[i].s, "metric") == 0
				    ? "%s: %s needs a value"
				    : "%s: '%s' is not supported by halb: its routes are DEST [src "
				      "IP] [via|gw GW] [dev IF] [metric N] in one table",
				kw, v[i].s);
			free(r.dev);
			return;
		}
		if (!route_opt(ps, kw, &r, &v[i], &v[i + 1])) {
			free(r.dev);
			return;
		}
	}
	if (r.via.af == 0 && r.dev == NULL) {
		cfg_err(ps, &v[0], "%s: %s needs via GATEWAY or dev IF", kw, v[0].s);
		return;
	}
	if (r.prefix.addr.af == 0) /* "default" with neither via nor src */
		r.prefix.addr.af = 4;
	{
		struct cfg_sroute *slot = CFG_GROW(ps, &v[0], *arr, *n_arr);

		if (slot == NULL) {
			free(r.dev);
			return;
		}
		*slot = r;
	}
}

void cfg_sroute_free(struct cfg_sroute *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].dev);
	free(r);
}

/* ----------------------------------------------------------- the top level */

void cfg_static_addr_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_keepalived *k = obj;
	size_t before = k->n_static_addrs;

	cfg_vip_line(ps, "static_ipaddress", &k->static_addrs, &k->n_static_addrs, false, v, n);
	/* keepalived needs the interface: there is no instance to take it from */
	for (size_t i = before; i < k->n_static_addrs; i++)
		if (k->static_addrs[i].dev == NULL) {
			cfg_err(ps, &v[0], "static_ipaddress: %s needs dev IF (a dataplane port)",
				v[0].s);
			break;
		}
}

void cfg_static_route_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_keepalived *k = obj;

	cfg_route_line(ps, "static_routes", &k->static_routes, &k->n_static_routes, v, n);
}

/* ------------------------------------------------------------ notify FIFOs */

/* notify_fifo PATH [USER [GROUP]], vrrp_notify_fifo ..., and their
 * _script SCRIPT [USER [GROUP]]. */
void *cfg_kw_fifo(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	const char *kw = cfg_kw_name(st);
	struct cfg_fifo *f = strncmp(kw, "vrrp_", 5) == 0 ? &g->vrrp_notify_fifo : &g->notify_fifo;

	if (strstr(kw, "_script") != NULL) {
		cfg_set_script(ps, &f->script, st);
		return NULL;
	}
	if (st->v[1].s[0] != '/') {
		cfg_err(ps, &st->v[1], "%s: %s is not an absolute path", kw, st->v[1].s);
		return NULL;
	}
	cfg_set_str(ps, &f->path, &st->v[1]);
	free(f->user);
	free(f->group);
	f->user = st->n > 2 ? cfg_strdup(ps, &st->v[2], st->v[2].s) : NULL;
	f->group = st->n > 3 ? cfg_strdup(ps, &st->v[3], st->v[3].s) : NULL;
	f->loc = cfg_tok_loc(ps, st->v);
	return NULL;
}

void cfg_fifo_free(struct cfg_fifo *f)
{
	free(f->path);
	free(f->user);
	free(f->group);
	free(f->script.cmd);
	free(f->script.user);
	free(f->script.group);
}
