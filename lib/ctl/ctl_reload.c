/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIGHUP: re-read both files and apply the difference without dropping
 * established connections.
 *
 * A file that fails to parse or check changes nothing (every problem is
 * logged with FILE:LINE). Otherwise, in this order: VRRP instances that are
 * gone resign and VIPs that left an instance leave the TAP (while the old
 * model is still in force); the new model takes over; services get their
 * running state again (counters keep their slots, health is carried over by
 * identity, then refreshed by the check engine, which keeps the state of
 * unchanged checkers); VRRP restarts with each surviving instance going on
 * from its state; one snapshot is published. The connection table is never
 * touched: connections to real servers that remain go on, those to servers
 * that left expire on their next packet as IPVS's expire_nodest_conn.
 *
 * Dataplane changes that need new ports, queues or tables (ports, devices,
 * workers, table sizes, EAL arguments, the announce interface) cannot be
 * applied to a running process: they are logged and left for a restart.
 * Port addresses, routes, the kernel's routes on the TAPs, idle_sleep_us and
 * announce's stop_delay_ms are applied.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "ctl_priv.h"
#include "halb_check.h"
#include "halb_proc.h"

static bool strs_equal(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* What in the dataplane file would need a restart, or NULL. */
static const char *needs_restart(const struct cfg_dataplane *a, const struct cfg_dataplane *b)
{
	if (!strs_equal(a->eal, a->n_eal, b->eal, b->n_eal))
		return "eal";
	if (a->workers != b->workers)
		return "workers";
	if (a->connections != b->connections)
		return "connections";
	if (a->connections6 != b->connections6)
		return "connections6";
	if (a->neighbours != b->neighbours)
		return "neighbours";
	if (a->n_ports != b->n_ports)
		return "ports";
	if (a->has_metrics != b->has_metrics || a->metrics_addr != b->metrics_addr ||
	    a->metrics_port != b->metrics_port)
		return "metrics_listen";
	if (a->announce.enabled != b->announce.enabled ||
	    (a->announce.enabled && strcmp(a->announce.interface, b->announce.interface) != 0))
		return "announce";
	for (size_t p = 0; p < a->n_ports; p++) {
		const struct cfg_port *x = &a->ports[p], *y = &b->ports[p];

		if (strcmp(x->name, y->name) != 0 || strcmp(x->device, y->device) != 0 ||
		    strcmp(x->kernel_if, y->kernel_if) != 0 || x->mtu != y->mtu)
			return "ports";
	}
	return NULL;
}

static bool has_prefix(const struct cfg_port *p, const struct cfg_prefix *x)
{
	for (size_t a = 0; a < p->n_addrs; a++)
		if (cfg_addr_eq(&p->addrs[a].addr, &x->addr) && p->addrs[a].plen == x->plen)
			return true;
	return false;
}

static bool kroute_same(const struct cfg_kernel_route *a, const struct cfg_kernel_route *b)
{
	return cfg_addr_eq(&a->prefix.addr, &b->prefix.addr) && a->prefix.plen == b->prefix.plen &&
	       cfg_addr_eq(&a->via, &b->via) && a->metric == b->metric;
}

static bool has_kroute(const struct cfg_port *p, const struct cfg_kernel_route *r)
{
	for (size_t i = 0; i < p->n_kroutes; i++)
		if (kroute_same(&p->kroutes[i], r))
			return true;
	return false;
}

/* kernel_routes of port p from o to n: add (true) those n has and o not, or
 * remove (false) those o has and n not. */
static void kroutes_apply(struct ctl *c, uint16_t p, const struct cfg_port *o,
			  const struct cfg_port *n, bool add)
{
	const struct cfg_port *from = add ? n : o, *other = add ? o : n;

	for (size_t i = 0; i < from->n_kroutes; i++) {
		const struct cfg_kernel_route *r = &from->kroutes[i];
		char rt[64];
		int rc;

		if (has_kroute(other, r))
			continue;
		rc = port_kernel_route(&c->ports[p], r, add);
		port_route_str(r, rt, sizeof(rt));
		if (rc != 0)
			HALB_LOG(ctl, WARNING, "reload: cannot %s the route %s %s %s: %s",
				 add ? "add" : "remove", rt, add ? "to" : "from", n->kernel_if,
				 strerror(-rc));
	}
}

/* Port addresses, routes and the idle sleep of the new dataplane file. */
static void dataplane_apply(struct ctl *c, const struct cfg_dataplane *d2)
{
	for (uint16_t p = 0; p < c->n_ports; p++) {
		const struct cfg_port *o = &c->d->ports[p], *n = &d2->ports[p];

		kroutes_apply(c, p, o, n, false);
		for (size_t a = 0; a < o->n_addrs; a++)
			if (!has_prefix(n, &o->addrs[a]))
				port_kernel_addr(&c->ports[p], &o->addrs[a].addr, o->addrs[a].plen,
						 NULL, false);
		for (size_t a = 0; a < n->n_addrs; a++)
			if (!has_prefix(o, &n->addrs[a]))
				port_kernel_addr(&c->ports[p], &n->addrs[a].addr, n->addrs[a].plen,
						 NULL, true);
		kroutes_apply(c, p, o, n, true);
		c->ports[p].cfg = n;
		/* Workers read these as they go: a reload that changes a
		 * port's primary IPv6 address may see one packet (an ICMPv6
		 * error, a tunnel's outer header) leave from half of each. */
		ctl_port_addrs(&c->env.ports[p], n);
	}
	c->env.idle_sleep_us = d2->idle_sleep_us;
	/* The routing table is built again, with keepalived.conf's routes,
	 * before the next publication (ctl_routes_refresh). */
	c->routes_dirty = true;
}

static void log_diags(const struct cfg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct cfg_diag *g = &d->v[i];

		if (g->severity == CFG_ERROR)
			HALB_LOG(ctl, ERR, "%s:%d: error: %s", g->file ? g->file : "?", g->line,
				 g->msg);
		else
			HALB_LOG(ctl, WARNING, "%s:%d: warning: %s", g->file ? g->file : "?",
				 g->line, g->msg);
	}
}

int ctl_reload(struct ctl *c)
{
	struct cfg_diags diags = { 0 };
	struct cfg_keepalived *k2, *old_k;
	struct cfg_dataplane *d2, *old_d = NULL;
	const struct cfg_dataplane *dp;
	struct ctl_vrrp *old_v;
	const char *restart = NULL;
	struct cfg_addr *old_static;
	size_t n_old_static;

	HALB_LOG(ctl, NOTICE, "Reloading %s and %s", c->opt.keepalived_conf, c->opt.dataplane_conf);
	k2 = cfg_keepalived_load_ex(c->opt.keepalived_conf,
				    &(struct cfg_parse_opts){ .config_id = c->opt.config_id },
				    &diags);
	d2 = cfg_dataplane_load(c->opt.dataplane_conf, &diags);
	if (d2 != NULL)
		restart = needs_restart(c->d, d2);
	dp = d2 != NULL && restart == NULL ? d2 : c->d;
	if (k2 != NULL) {
		cfg_check(k2, dp, &diags);
		/* users may have changed: resolve them all again now, not when a
		 * script is due */
		proc_user_cache_reset();
		ctl_lint_scripts(k2, &diags);
	}
	log_diags(&diags);
	if (diags.errors > 0 || k2 == NULL || d2 == NULL) {
		HALB_LOG(ctl, ERR, "Reload failed (%u errors): the running configuration stays",
			 diags.errors);
		cfg_diags_free(&diags);
		cfg_keepalived_free(k2);
		cfg_dataplane_free(d2);
		return -1;
	}
	cfg_diags_free(&diags);
	if (restart != NULL)
		HALB_LOG(ctl, WARNING,
			 "Reload: '%s' changed in %s: restart halb to apply the dataplane file; "
			 "keepalived.conf is applied",
			 restart, c->opt.dataplane_conf);
	if (dp == d2)
		dataplane_apply(c, d2);

	old_static = calloc(c->n_vs_rt + 1, sizeof(*old_static));
	n_old_static = old_static ? ctl_static_vip_list(c, old_static) : 0;
	ctl_vrrp_retire(c, k2);
	old_v = ctl_vrrp_detach(c);
	old_k = c->k;
	c->k = k2;
	if (dp == d2) {
		old_d = c->d;
		c->d = d2;
	} else {
		cfg_dataplane_free(d2);
	}
	if (ctl_svc_reload(c, old_k) != 0) {
		HALB_LOG(ctl, CRIT, "Reload failed half-way (out of memory): stopping");
		raise(SIGTERM);
	}
	/* Before VRRP takes any of them as an instance's VIP again. */
	ctl_static_vips_drop(c, old_static, n_old_static);
	free(old_static);
	/* The sync daemon reads c->k: it starts again (its counters go on),
	 * and follows its instance as VRRP takes up where it was. */
	if (ctl_sync_start(c) != 0)
		HALB_LOG(ctl, ERR, "Reload: cannot start the connection sync daemon");
	ctl_fifo_start(c);
	if (ctl_check_reload(c) != 0 || ctl_vrrp_start(c, old_v, old_k) != 0) {
		/* Out of memory half-way: nothing sane to go back to. */
		HALB_LOG(ctl, CRIT, "Reload failed half-way (out of memory): stopping");
		raise(SIGTERM);
	}
	if (c->k->global.fifo_write_vrrp_states_on_reload)
		ctl_vrrp_fifo_states(c);
	ctl_static_vips(c);
	ctl_static_apply(c, old_k);
	if (ctl_publish(c) != 0)
		HALB_LOG(ctl, ERR, "Reload: cannot publish the services: %s",
			 rte_strerror(rte_errno));
	ctl_vrrp_free(old_v);
	cfg_keepalived_free(old_k);
	cfg_dataplane_free(old_d);
	c->reloads++;
	HALB_LOG(ctl, NOTICE, "Reloaded: %zu VRRP instances, %zu virtual servers",
		 c->k->n_instances, c->k->n_vs);
	return 0;
}
