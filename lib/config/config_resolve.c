/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * After the whole file is read: names become indexes and inherited settings
 * become values, so that the model's users never search or inherit.
 *
 * - track_script names resolve to indexes of cfg_keepalived.scripts, sync
 *   group members to indexes of cfg_keepalived.instances (an instance in two
 *   groups is an error, as in keepalived);
 * - each checker's connect_timeout, retry, delay_before_retry and delay_loop
 *   come from the checker, else its real server, else its virtual server,
 *   else keepalived's default for the checker's type (check_data.c);
 * - a real server without its own inhibit_on_failure takes the virtual
 *   server's.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static void resolve_track_scripts(struct cfg_parser *ps, struct cfg_vrrp_instance *v)
{
	const struct cfg_keepalived *k = ps->k;

	for (size_t i = 0; i < v->n_track_scripts; i++) {
		struct cfg_track_script *t = &v->track_scripts[i];
		size_t s;

		for (s = 0; s < k->n_scripts; s++)
			if (strcmp(k->scripts[s].name, t->name) == 0)
				break;
		if (s == k->n_scripts)
			cfg_diag_add(
			    ps->d, CFG_ERROR, &t->loc,
			    "vrrp_instance %s: track_script %s: no vrrp_script of that name",
			    v->name, t->name);
		t->script = s;
	}
}

static size_t instance_index(const struct cfg_keepalived *k, const char *name)
{
	for (size_t i = 0; i < k->n_instances; i++)
		if (strcmp(k->instances[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static void resolve_group(struct cfg_parser *ps, struct cfg_sync_group *g, size_t gi, size_t *owner)
{
	const struct cfg_keepalived *k = ps->k;

	g->member = calloc(g->n_members ? g->n_members : 1, sizeof(*g->member));
	if (g->member == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, &g->loc, "out of memory");
		return;
	}
	for (size_t m = 0; m < g->n_members; m++) {
		size_t idx = instance_index(k, g->members[m]);

		g->member[m] = idx;
		if (idx == SIZE_MAX) {
			cfg_diag_add(ps->d, CFG_ERROR, &g->loc,
				     "vrrp_sync_group %s: no vrrp_instance named %s", g->name,
				     g->members[m]);
		} else if (owner[idx] == gi) {
			cfg_diag_add(ps->d, CFG_WARNING, &g->loc,
				     "vrrp_sync_group %s lists %s twice", g->name, g->members[m]);
		} else if (owner[idx] != SIZE_MAX) {
			cfg_diag_add(ps->d, CFG_ERROR, &g->loc,
				     "vrrp_sync_group %s: %s is already in vrrp_sync_group %s",
				     g->name, g->members[m], k->groups[owner[idx]].name);
		} else {
			owner[idx] = gi;
		}
	}
}

static void resolve_groups(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;
	size_t *owner;

	if (k->n_groups == 0)
		return;
	owner = malloc((k->n_instances ? k->n_instances : 1) * sizeof(*owner));
	if (owner == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < k->n_instances; i++)
		owner[i] = SIZE_MAX;
	for (size_t g = 0; g < k->n_groups; g++)
		resolve_group(ps, &k->groups[g], g, owner);
	free(owner);
}

static unsigned int pick(unsigned int checker, unsigned int rs, unsigned int vs, unsigned int dflt)
{
	if (checker != CFG_UNSET)
		return checker;
	if (rs != CFG_UNSET)
		return rs;
	if (vs != CFG_UNSET)
		return vs;
	return dflt;
}

static void resolve_checker(struct cfg_checker *c, const struct cfg_real_server *rs,
			    const struct cfg_virtual_server *vs)
{
	bool http = c->type == CFG_CHECK_HTTP || c->type == CFG_CHECK_SSL;

	c->connect_timeout_ms =
	    pick(c->connect_timeout_ms, rs->connect_timeout_ms, vs->connect_timeout_ms, 5000);
	c->retry = pick(c->retry, rs->retry, vs->retry, c->type == CFG_CHECK_MISC ? 0 : 1);
	c->delay_before_retry_ms = pick(c->delay_before_retry_ms, rs->delay_before_retry_ms,
					vs->delay_before_retry_ms, http ? 3000 : 1000);
	c->delay_loop_ms = pick(c->delay_loop_ms, rs->delay_loop_ms, vs->delay_loop_ms, 60000);
}

static void resolve_vs(struct cfg_virtual_server *vs)
{
	for (size_t r = 0; r < vs->n_rs; r++) {
		struct cfg_real_server *rs = &vs->rs[r];

		if (!rs->inhibit_on_failure_set)
			rs->inhibit_on_failure = vs->inhibit_on_failure;
		for (size_t c = 0; c < rs->n_checkers; c++)
			resolve_checker(&rs->checkers[c], rs, vs);
	}
}

void cfg_resolve(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;

	for (size_t i = 0; i < k->n_instances; i++)
		resolve_track_scripts(ps, &k->instances[i]);
	resolve_groups(ps);
	for (size_t i = 0; i < k->n_vs; i++)
		resolve_vs(&k->vs[i]);
}
