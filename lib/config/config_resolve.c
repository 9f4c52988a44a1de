/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * After the whole file is read: names become indexes and inherited settings
 * become values, so that the model's users never search or inherit.
 *
 * - an instance, script, sync group, virtual server or real server written
 *   twice is an error at the repeat (found through sorted views, so a large
 *   file costs n log n, see config_index.c);
 * - track_script names resolve to indexes of cfg_keepalived.scripts, sync
 *   group members to indexes of cfg_keepalived.instances (an instance in two
 *   groups is an error, as in keepalived);
 * - each checker's connect_timeout, retry, delay_before_retry and delay_loop
 *   come from the checker, else its real server, else its virtual server,
 *   else keepalived's default for the checker's type (check_data.c); the
 *   host blocks of an SMTP_CHECK become checkers of their own first;
 * - a real server without its own inhibit_on_failure takes the virtual
 *   server's.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static void resolve_refs(struct cfg_parser *ps, const struct cfg_vrrp_instance *v,
			 struct cfg_track_script *refs, size_t n, const struct cfg_name_ref *names,
			 size_t n_names, const char *what, const char *kind)
{
	for (size_t i = 0; i < n; i++) {
		struct cfg_track_script *t = &refs[i];

		t->script = cfg_names_find(names, n_names, t->name);
		if (t->script == SIZE_MAX)
			cfg_diag_add(ps->d, CFG_ERROR, &t->loc,
				     "vrrp_instance %s: %s %s: no %s of that name", v->name, what,
				     t->name, kind);
	}
}

static void resolve_track_scripts(struct cfg_parser *ps, struct cfg_vrrp_instance *v,
				  const struct cfg_name_ref *scripts,
				  const struct cfg_name_ref *files,
				  const struct cfg_name_ref *procs)
{
	const struct cfg_keepalived *k = ps->k;

	resolve_refs(ps, v, v->track_scripts, v->n_track_scripts, scripts, k->n_scripts,
		     "track_script", "vrrp_script");
	resolve_refs(ps, v, v->track_files, v->n_track_files, files, k->n_track_files, "track_file",
		     "track_file");
	resolve_refs(ps, v, v->track_processes, v->n_track_processes, procs, k->n_track_processes,
		     "track_process", "vrrp_track_process");
}

static void resolve_group(struct cfg_parser *ps, struct cfg_sync_group *g, size_t gi,
			  const struct cfg_name_ref *instances, size_t *owner)
{
	const struct cfg_keepalived *k = ps->k;

	g->member = calloc(g->n_members ? g->n_members : 1, sizeof(*g->member));
	if (g->member == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, &g->loc, "out of memory");
		return;
	}
	for (size_t m = 0; m < g->n_members; m++) {
		size_t idx = cfg_names_find(instances, k->n_instances, g->members[m]);

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

/* VRRP over IPv6 is version 3 (RFC 5798): keepalived upgrades an IPv6
 * instance of version 2, with a word. */
static void resolve_version(struct cfg_parser *ps, struct cfg_vrrp_instance *v)
{
	unsigned int ver = v->version != 0 ? v->version : ps->k->global.vrrp_version;

	if (v->family != 6 || ver == 3)
		return;
	cfg_diag_add(ps->d, CFG_WARNING, &v->loc,
		     "vrrp_instance %s: IPv6 needs VRRP version 3: version 3, as keepalived sets",
		     v->name);
	v->version = 3;
}

static void resolve_vrrp(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;
	struct cfg_name_ref *scripts = cfg_names_sorted(
	    k->scripts, k->n_scripts, sizeof(*k->scripts), offsetof(struct cfg_vrrp_script, name));
	struct cfg_name_ref *instances =
	    cfg_names_sorted(k->instances, k->n_instances, sizeof(*k->instances),
			     offsetof(struct cfg_vrrp_instance, name));
	struct cfg_name_ref *files =
	    cfg_names_sorted(k->track_files, k->n_track_files, sizeof(*k->track_files),
			     offsetof(struct cfg_track_file, name));
	struct cfg_name_ref *procs =
	    cfg_names_sorted(k->track_processes, k->n_track_processes, sizeof(*k->track_processes),
			     offsetof(struct cfg_track_process, name));
	size_t *owner = malloc((k->n_instances ? k->n_instances : 1) * sizeof(*owner));

	if (scripts == NULL || instances == NULL || owner == NULL || files == NULL ||
	    procs == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < k->n_instances; i++) {
		owner[i] = SIZE_MAX;
		resolve_track_scripts(ps, &k->instances[i], scripts, files, procs);
		resolve_version(ps, &k->instances[i]);
	}
	for (size_t g = 0; g < k->n_groups; g++)
		resolve_group(ps, &k->groups[g], g, instances, owner);
out:
	free(scripts);
	free(files);
	free(procs);
	free(instances);
	free(owner);
}

/* Names and addresses written twice: the later one is the error. */
static void report_repeats(struct cfg_parser *ps)
{
	const struct cfg_keepalived *k = ps->k;

	cfg_report_dup_names(ps->d, "vrrp_script", k->scripts, k->n_scripts, sizeof(*k->scripts),
			     offsetof(struct cfg_vrrp_script, name),
			     offsetof(struct cfg_vrrp_script, loc));
	cfg_report_dup_names(ps->d, "vrrp_instance", k->instances, k->n_instances,
			     sizeof(*k->instances), offsetof(struct cfg_vrrp_instance, name),
			     offsetof(struct cfg_vrrp_instance, loc));
	cfg_report_dup_names(ps->d, "track_file", k->track_files, k->n_track_files,
			     sizeof(*k->track_files), offsetof(struct cfg_track_file, name),
			     offsetof(struct cfg_track_file, loc));
	cfg_report_dup_names(ps->d, "vrrp_track_process", k->track_processes, k->n_track_processes,
			     sizeof(*k->track_processes), offsetof(struct cfg_track_process, name),
			     offsetof(struct cfg_track_process, loc));
	cfg_report_dup_names(ps->d, "virtual_server_group", k->vs_groups, k->n_vs_groups,
			     sizeof(*k->vs_groups), offsetof(struct cfg_vs_group, name),
			     offsetof(struct cfg_vs_group, loc));
	cfg_report_dup_names(ps->d, "vrrp_sync_group", k->groups, k->n_groups, sizeof(*k->groups),
			     offsetof(struct cfg_sync_group, name),
			     offsetof(struct cfg_sync_group, loc));
	for (size_t i = 0; i < k->n_vs; i++)
		cfg_report_dup_rs(ps->d, &k->vs[i]);
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
	unsigned int retry = c->type == CFG_CHECK_MISC ? 0 : c->type == CFG_CHECK_DNS ? 3 : 1;

	c->connect_timeout_ms =
	    pick(c->connect_timeout_ms, rs->connect_timeout_ms, vs->connect_timeout_ms, 5000);
	c->retry = pick(c->retry, rs->retry, vs->retry, retry);
	c->delay_loop_ms = pick(c->delay_loop_ms, rs->delay_loop_ms, vs->delay_loop_ms, 60000);
	/* DNS_CHECK retries after delay_loop unless told otherwise */
	c->delay_before_retry_ms =
	    pick(c->delay_before_retry_ms, rs->delay_before_retry_ms, vs->delay_before_retry_ms,
		 http                       ? 3000
		 : c->type == CFG_CHECK_DNS ? c->delay_loop_ms
					    : 1000);
}

static void resolve_vs(struct cfg_parser *ps, struct cfg_virtual_server *vs)
{
	for (size_t r = 0; r < vs->n_rs; r++) {
		struct cfg_real_server *rs = &vs->rs[r];

		if (!rs->inhibit_on_failure_set)
			rs->inhibit_on_failure = vs->inhibit_on_failure;
		cfg_smtp_expand(ps, rs);
		for (size_t c = 0; c < rs->n_checkers; c++)
			resolve_checker(&rs->checkers[c], rs, vs);
	}
}

/* How many addresses a group entry stands for, and its i-th. */
static uint32_t vsg_entry_size(const struct cfg_vsg_entry *e)
{
	uint32_t low = e->first.af == 6 ? (uint32_t)(e->first.v6[14] << 8 | e->first.v6[15])
					: (e->first.v4 & 0xff);

	return e->last >= low ? e->last - low + 1 : 0;
}

static struct cfg_addr vsg_entry_addr(const struct cfg_vsg_entry *e, uint32_t i)
{
	struct cfg_addr a = e->first;

	if (a.af == 6) {
		uint32_t low = (uint32_t)(a.v6[14] << 8 | a.v6[15]) + i;

		a.v6[14] = (uint8_t)(low >> 8);
		a.v6[15] = (uint8_t)low;
	} else {
		a.v4 += i;
	}
	return a;
}

/* The addresses a virtual server serves: its own, or its group's, each
 * range written out. total counts the members of all virtual servers. */
static void resolve_members(struct cfg_parser *ps, struct cfg_virtual_server *vs,
			    const struct cfg_name_ref *groups, size_t *total)
{
	const struct cfg_keepalived *k = ps->k;
	const struct cfg_vs_group *g;
	size_t gi, n = 0;

	if (vs->group == NULL) {
		vs->members = malloc(sizeof(*vs->members));
		if (vs->members == NULL) {
			cfg_diag_add(ps->d, CFG_ERROR, &vs->loc, "out of memory");
			return;
		}
		vs->members[0] = (struct cfg_vs_member){ vs->addr, vs->port };
		vs->n_members = 1;
		(*total)++;
		return;
	}
	gi = cfg_names_find(groups, k->n_vs_groups, vs->group);
	if (gi == SIZE_MAX) {
		cfg_diag_add(ps->d, CFG_ERROR, &vs->loc,
			     "virtual_server group %s: no virtual_server_group of that name",
			     vs->group);
		return;
	}
	g = &k->vs_groups[gi];
	for (size_t e = 0; e < g->n_entries; e++)
		n += vsg_entry_size(&g->entries[e]);
	if (n == 0) {
		if (!g->refused) /* its entries were errors already */
			cfg_diag_add(ps->d, CFG_ERROR, &vs->loc,
				     "virtual_server group %s: the group has no address",
				     vs->group);
		return;
	}
	if (*total + n > CFG_MAX_VS_MEMBERS) {
		cfg_diag_add(ps->d, CFG_ERROR, &vs->loc,
			     "virtual_server group %s: more than %u addresses in all virtual "
			     "servers",
			     vs->group, CFG_MAX_VS_MEMBERS);
		return;
	}
	vs->members = calloc(n, sizeof(*vs->members));
	if (vs->members == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, &vs->loc, "out of memory");
		return;
	}
	for (size_t e = 0; e < g->n_entries; e++) {
		const struct cfg_vsg_entry *en = &g->entries[e];

		if (en->port == 0 && vs->persistence_timeout == 0)
			cfg_diag_add(ps->d, CFG_ERROR, &en->loc,
				     "virtual_server group %s: port 0 (all ports) needs "
				     "persistence_timeout",
				     vs->group);
		if (en->first.af != g->entries[0].first.af)
			cfg_diag_add(
			    ps->d, CFG_ERROR, &en->loc,
			    "virtual_server_group %s: IPv4 and IPv6 addresses in one group "
			    "(a virtual server has one family, as in IPVS)",
			    g->name);
		for (uint32_t i = 0; i < vsg_entry_size(en); i++)
			vs->members[vs->n_members++] =
			    (struct cfg_vs_member){ vsg_entry_addr(en, i), en->port };
	}
	*total += n;
	vs->addr = vs->members[0].addr;
	vs->port = vs->members[0].port;
	if (vs->ip_family != 0 && vs->ip_family != vs->addr.af)
		cfg_diag_add(ps->d, CFG_ERROR, &vs->loc,
			     "virtual_server group %s: ip_family conflicts with the group's "
			     "addresses",
			     vs->group);
}

/* A real or sorry server of the other family than its virtual server is
 * refused, except with lb_kind TUN: IPVS tunnels IPv4 in IPv6 and IPv6 in
 * IPv4, and refuses a mixed family for DR and NAT. */
static void check_families(struct cfg_parser *ps, const struct cfg_virtual_server *vs)
{
	char a[CFG_ADDR_STRLEN];

	if (vs->n_members == 0 || vs->fwd == CFG_FWD_TUN)
		return;
	for (size_t r = 0; r < vs->n_rs; r++)
		if (vs->rs[r].addr.af != vs->addr.af)
			cfg_diag_add(ps->d, CFG_ERROR, &vs->rs[r].loc,
				     "real_server %s: an IPv%u real server of an IPv%u virtual "
				     "server needs lb_kind TUN (IPVS refuses mixed families for "
				     "%s)",
				     cfg_addr_str(&vs->rs[r].addr, a), vs->rs[r].addr.af,
				     vs->addr.af, cfg_fwd_name(vs->fwd));
	if (vs->has_sorry_server && vs->sorry_server.addr.af != vs->addr.af)
		cfg_diag_add(ps->d, CFG_ERROR, &vs->sorry_server.loc,
			     "sorry_server %s: an IPv%u sorry server of an IPv%u virtual server "
			     "needs lb_kind TUN (IPVS refuses mixed families for %s)",
			     cfg_addr_str(&vs->sorry_server.addr, a), vs->sorry_server.addr.af,
			     vs->addr.af, cfg_fwd_name(vs->fwd));
}

static void resolve_groups(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;
	struct cfg_name_ref *groups =
	    cfg_names_sorted(k->vs_groups, k->n_vs_groups, sizeof(*k->vs_groups),
			     offsetof(struct cfg_vs_group, name));
	size_t total = 0;

	if (groups == NULL) {
		cfg_diag_add(ps->d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 0; i < k->n_vs; i++) {
		resolve_members(ps, &k->vs[i], groups, &total);
		check_families(ps, &k->vs[i]);
	}
	free(groups);
}

void cfg_resolve(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;

	resolve_groups(ps);
	report_repeats(ps);
	cfg_report_dup_vs(ps->d, k);
	resolve_vrrp(ps);
	cfg_sync_resolve(ps);
	for (size_t i = 0; i < k->n_vs; i++)
		resolve_vs(ps, &k->vs[i]);
}
