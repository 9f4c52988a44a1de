/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg_check: what can only be judged with both files in hand, and what
 * parses but is probably a mistake. Errors are what halb cannot run with
 * (an instance on an interface that is no port, a VRID used twice on a
 * port, VRRPv2 with a fraction of a second, AH authentication, a gateway no
 * port reaches); warnings are what keepalived would run but an operator
 * likely did not mean (HTTP_GET aimed at an HTTPS port, checker retries
 * that outlast delay_loop, a unicast source that is not the director's, a
 * scheduler that cannot keep flows across directors behind ECMP).
 * Every message carries the FILE:LINE of the object it is about.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static bool port_has_addr(const struct cfg_port *port, const struct cfg_addr *addr)
{
	for (size_t i = 0; i < port->n_addrs; i++)
		if (cfg_addr_eq(&port->addrs[i].addr, addr))
			return true;
	return false;
}

static bool port_reaches(const struct cfg_port *port, const struct cfg_addr *addr)
{
	for (size_t i = 0; i < port->n_addrs; i++)
		if (cfg_prefix_has(&port->addrs[i], addr))
			return true;
	return false;
}

/* ---------------------------------------------- static and virtual routes */

/* Each route's dev is a port and its gateway is on a connected prefix (of
 * dev's port when dev is given), as for the dataplane file's routes. */
static void check_sroutes(const struct cfg_dataplane *p, const char *kw, const struct cfg_sroute *r,
			  size_t n, struct cfg_diags *d)
{
	char a[CFG_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		const struct cfg_port *dev = r[i].dev ? cfg_port_find(p, r[i].dev) : NULL;
		bool reached = r[i].via.af == 0;

		if (r[i].dev != NULL && dev == NULL) {
			cfg_diag_add(d, CFG_ERROR, &r[i].loc, "%s: dev %s is not a port of %s", kw,
				     r[i].dev, p->file);
			continue;
		}
		for (size_t k = 0; k < p->n_ports && !reached; k++)
			reached = (dev == NULL || dev == &p->ports[k]) &&
				  port_reaches(&p->ports[k], &r[i].via);
		if (!reached)
			cfg_diag_add(
			    d, CFG_ERROR, &r[i].loc,
			    "%s: via %s: no port%s%s has an address in the gateway's subnet", kw,
			    cfg_addr_str(&r[i].via, a), dev ? " " : "", dev ? dev->name : "");
	}
}

static void check_static(const struct cfg_keepalived *k, const struct cfg_dataplane *p,
			 struct cfg_diags *d)
{
	char a[CFG_ADDR_STRLEN];

	for (size_t i = 0; i < k->n_static_addrs; i++) {
		const struct cfg_vip *s = &k->static_addrs[i];

		if (s->dev != NULL && cfg_port_find(p, s->dev) == NULL)
			cfg_diag_add(d, CFG_ERROR, &s->loc,
				     "static_ipaddress %s: dev %s is not a port of %s",
				     cfg_addr_str(&s->pfx.addr, a), s->dev, p->file);
	}
	check_sroutes(p, "static_routes", k->static_routes, k->n_static_routes, d);
}

/* -------------------------------------------------------------- vrrp_instance */

static void check_instance_vrrp(const struct cfg_keepalived *k, const struct cfg_vrrp_instance *v,
				struct cfg_diags *d)
{
	unsigned int ver = v->version != 0 ? v->version : k->global.vrrp_version;
	unsigned int adv = v->advert_int_ms;

	if (v->auth_type == CFG_AUTH_AH)
		cfg_diag_add(d, CFG_ERROR, &v->loc,
			     "vrrp_instance %s: auth_type AH is not implemented by halb (use PASS)",
			     v->name);
	if (ver == 2 && adv % 1000 != 0)
		cfg_diag_add(
		    d, CFG_ERROR, &v->loc,
		    "vrrp_instance %s: advert_int %u.%03u: VRRPv2 advertises whole seconds "
		    "(fractions need version 3)",
		    v->name, adv / 1000, adv % 1000);
	if (ver == 3 && v->auth_type != CFG_AUTH_NONE)
		cfg_diag_add(d, CFG_WARNING, &v->loc,
			     "vrrp_instance %s: VRRPv3 has no authentication: authentication "
			     "ignored, as keepalived does",
			     v->name);
	if (ver == 3 && adv > 40950)
		cfg_diag_add(d, CFG_ERROR, &v->loc,
			     "vrrp_instance %s: advert_int above 40.95 s does not fit VRRPv3",
			     v->name);
	else if (ver == 3 && adv % 10 != 0)
		cfg_diag_add(d, CFG_WARNING, &v->loc,
			     "vrrp_instance %s: VRRPv3 counts advert_int in centiseconds: %u ms "
			     "is sent as %u ms",
			     v->name, adv, adv / 10 * 10);
}

static void check_instance_ports(const struct cfg_dataplane *p, const struct cfg_vrrp_instance *v,
				 struct cfg_diags *d)
{
	const struct cfg_port *port = cfg_port_find(p, v->interface);
	char a[CFG_ADDR_STRLEN];

	if (v->interface != NULL && port == NULL)
		cfg_diag_add(d, CFG_ERROR, &v->interface_loc,
			     "vrrp_instance %s: interface %s is not a port of %s", v->name,
			     v->interface, p->file);
	else if (port != NULL && v->family == 4 && cfg_port_addr(port, 4) == NULL)
		cfg_diag_add(d, CFG_ERROR, &v->interface_loc,
			     "vrrp_instance %s: port %s has no IPv4 address; VRRP sends from the "
			     "first one",
			     v->name, port->name);
	for (size_t i = 0; i < v->n_vips; i++)
		if (v->vips[i].dev != NULL && cfg_port_find(p, v->vips[i].dev) == NULL)
			cfg_diag_add(d, CFG_ERROR, &v->vips[i].loc,
				     "virtual_ipaddress %s: dev %s is not a port of %s",
				     cfg_addr_str(&v->vips[i].pfx.addr, a), v->vips[i].dev,
				     p->file);
	/* an advert is one frame: 48 bytes and 16 a VIP over IPv6 */
	if (port != NULL && v->family == 6 && 48 + 16 * v->n_vips > port->mtu)
		cfg_diag_add(d, CFG_ERROR, &v->loc,
			     "vrrp_instance %s: %zu IPv6 VIPs do not fit in one advert on port %s "
			     "(MTU %u: at most %u)",
			     v->name, v->n_vips, port->name, port->mtu, (port->mtu - 48) / 16);
	for (size_t i = 0; i < v->n_track_if; i++)
		if (cfg_port_find(p, v->track_if[i].name) == NULL)
			cfg_diag_add(d, CFG_ERROR, &v->track_if[i].loc,
				     "track_interface %s is not a port of %s", v->track_if[i].name,
				     p->file);
	check_sroutes(p, "virtual_routes", v->vroutes, v->n_vroutes, d);
	if (port != NULL && v->has_unicast_src_ip && !port_has_addr(port, &v->unicast_src_ip))
		cfg_diag_add(d, CFG_WARNING, &v->loc,
			     "vrrp_instance %s: unicast_src_ip %s is not an address of port %s",
			     v->name, cfg_addr_str(&v->unicast_src_ip, a), port->name);
}

/* By interface (none first), then VRID, then family. */
static int vrid_key_cmp(size_t a, size_t b, const void *ctx)
{
	const struct cfg_vrrp_instance *v = ctx;
	const char *ia = v[a].interface, *ib = v[b].interface;
	int c = ia == NULL || ib == NULL ? (ia != NULL) - (ib != NULL) : strcmp(ia, ib);

	if (c == 0)
		c = (int)v[a].vrid - (int)v[b].vrid;
	return c != 0 ? c : (int)v[a].family - (int)v[b].family;
}

/* One VRID twice on one port and family (an IPv4 and an IPv6 router may
 * share one, RFC 5798 5.2.3): sorted by (interface, vrid, family), a
 * repeat sits right after the instance it repeats. */
static void check_vrids(const struct cfg_keepalived *k, struct cfg_diags *d)
{
	const struct cfg_vrrp_instance *in = k->instances;
	size_t *v = cfg_sort_indexes(k->n_instances, vrid_key_cmp, in);
	size_t first = 0;

	if (v == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t i = 1; i < k->n_instances; i++) {
		const struct cfg_vrrp_instance *a = &in[v[first]], *b = &in[v[i]];

		if (vrid_key_cmp(v[first], v[i], in) != 0 || b->interface == NULL) {
			first = i;
			continue;
		}
		cfg_diag_add(d, CFG_ERROR, &b->vrid_loc,
			     "vrrp_instance %s: virtual_router_id %u on %s is already used by "
			     "vrrp_instance %s (%s:%d)",
			     b->name, b->vrid, b->interface, a->name, a->loc.file, a->loc.line);
	}
	free(v);
}

/* -------------------------------------------------------------- virtual_server */

/* How long one failing check can take: every try times out, with the pauses
 * between the tries. */
static unsigned long long checker_worst_ms(const struct cfg_checker *c)
{
	unsigned long long tries = (unsigned long long)c->retry + 1;
	unsigned long long timeout = c->connect_timeout_ms;

	if (c->type == CFG_CHECK_MISC)
		timeout = c->misc_timeout_ms != 0 ? c->misc_timeout_ms : c->delay_loop_ms;
	return tries * timeout + (unsigned long long)c->retry * c->delay_before_retry_ms;
}

static void check_checker(const struct cfg_real_server *rs, const struct cfg_checker *c,
			  struct cfg_diags *d)
{
	uint16_t port = c->connect_port != 0 ? c->connect_port : rs->port;
	unsigned long long worst = checker_worst_ms(c);

	if (c->type == CFG_CHECK_HTTP && port == 443)
		cfg_diag_add(d, CFG_WARNING, &c->loc,
			     "HTTP_GET to port 443: SSL_GET is probably meant");
	if (c->type == CFG_CHECK_FILE)
		return; /* read as it changes: no timeout, no retry */
	if (worst > c->delay_loop_ms)
		cfg_diag_add(d, CFG_WARNING, &c->loc,
			     "%s: a failing check takes up to %llu.%03llu s ((retry+1) * timeout + "
			     "retry * delay_before_retry), longer than delay_loop %u.%03u s",
			     cfg_check_name(c->type), worst / 1000, worst % 1000,
			     c->delay_loop_ms / 1000, c->delay_loop_ms % 1000);
}

static int addr_cmp(const void *pa, const void *pb)
{
	return cfg_addr_cmp(pa, pb);
}

/* Every instance's virtual addresses, sorted; NULL when there are none. */
static struct cfg_addr *vips_sorted(const struct cfg_keepalived *k, size_t *n)
{
	struct cfg_addr *v;

	*n = 0;
	for (size_t i = 0; i < k->n_instances; i++)
		*n += k->instances[i].n_vips;
	v = malloc((*n ? *n : 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < k->n_instances; i++)
		for (size_t j = 0; j < k->instances[i].n_vips; j++)
			v[(*n)++] = k->instances[i].vips[j].pfx.addr;
	qsort(v, *n, sizeof(*v), addr_cmp);
	return v;
}

static void check_vs(const struct cfg_virtual_server *vs, const struct cfg_addr *vips,
		     size_t n_vips, struct cfg_diags *d)
{
	char a[CFG_ADDR_STRLEN];

	for (size_t r = 0; r < vs->n_rs; r++)
		for (size_t c = 0; c < vs->rs[r].n_checkers; c++)
			check_checker(&vs->rs[r], &vs->rs[r].checkers[c], d);
	if (vs->group == NULL && vips != NULL &&
	    bsearch(&vs->addr, vips, n_vips, sizeof(*vips), addr_cmp) == NULL)
		cfg_diag_add(d, CFG_WARNING, &vs->loc,
			     "virtual_server %s %u: no vrrp_instance has %s in its "
			     "virtual_ipaddress: halb serves it at all times, without failover",
			     cfg_addr_str(&vs->addr, a), vs->port, a);
}

/* A group is served while the instance holding its first address is
 * MASTER, and its addresses reach the kernel (ARP) through that instance's
 * VIPs: every member must be one of them. */
static void check_group_members(const struct cfg_keepalived *k, const struct cfg_virtual_server *vs,
				struct cfg_diags *d)
{
	const struct cfg_vrrp_instance *owner = NULL;
	struct cfg_addr *v;
	size_t n = 0;
	char a[CFG_ADDR_STRLEN];

	for (size_t i = 0; i < k->n_instances && owner == NULL; i++)
		for (size_t j = 0; j < k->instances[i].n_vips; j++)
			if (cfg_addr_eq(&k->instances[i].vips[j].pfx.addr, &vs->addr))
				owner = &k->instances[i];
	if (owner == NULL) {
		cfg_diag_add(d, CFG_ERROR, &vs->loc,
			     "virtual_server group %s: %s is in no vrrp_instance's "
			     "virtual_ipaddress: a group whose addresses are not all on one "
			     "instance is not supported by halb",
			     vs->group, cfg_addr_str(&vs->addr, a));
		return;
	}
	v = malloc((owner->n_vips ? owner->n_vips : 1) * sizeof(*v));
	if (v == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return;
	}
	for (size_t j = 0; j < owner->n_vips; j++)
		v[n++] = owner->vips[j].pfx.addr;
	qsort(v, n, sizeof(*v), addr_cmp);
	for (size_t m = 1; m < vs->n_members; m++) {
		if (bsearch(&vs->members[m].addr, v, n, sizeof(*v), addr_cmp) != NULL)
			continue;
		cfg_diag_add(d, CFG_ERROR, &vs->loc,
			     "virtual_server group %s: %s is not in the virtual_ipaddress of "
			     "vrrp_instance %s, which holds %s: a group whose addresses are not "
			     "all on one instance is not supported by halb",
			     vs->group, cfg_addr_str(&vs->members[m].addr, a), owner->name,
			     cfg_addr_str(&vs->addr, (char[CFG_ADDR_STRLEN]){ 0 }));
		break;
	}
	free(v);
}

static void check_virtual_servers(const struct cfg_keepalived *k, struct cfg_diags *d)
{
	size_t n_vips = 0;
	struct cfg_addr *vips = k->n_instances > 0 ? vips_sorted(k, &n_vips) : NULL;

	cfg_report_dup_vs(d, k);
	for (size_t i = 0; i < k->n_vs; i++) {
		check_vs(&k->vs[i], vips, n_vips, d);
		if (k->vs[i].group != NULL && k->vs[i].n_members > 0)
			check_group_members(k, &k->vs[i], d);
	}
	free(vips);
}

/* The sync daemon's interface is a port with an address to send from. */
static void check_sync(const struct cfg_keepalived *k, const struct cfg_dataplane *p,
		       struct cfg_diags *d)
{
	const struct cfg_sync *s = &k->global.lvs_sync;
	const struct cfg_port *port;

	if (!s->set)
		return;
	port = cfg_port_find(p, s->interface);
	if (port == NULL)
		cfg_diag_add(d, CFG_ERROR, &s->loc,
			     "lvs_sync_daemon: interface %s is not a port of %s", s->interface,
			     p->file);
	else if (cfg_port_addr(port, 4) == NULL)
		cfg_diag_add(d, CFG_ERROR, &s->loc,
			     "lvs_sync_daemon: port %s has no IPv4 address to send sync messages "
			     "from",
			     s->interface);
}

/* Route health injection puts several directors behind one ECMP router: a
 * flow the router moves to another director is adopted there only when its
 * scheduler maps it to the same server everywhere (docs/SCALEOUT.md). */
static void check_announce(const struct cfg_keepalived *k, const struct cfg_dataplane *p,
			   struct cfg_diags *d)
{
	if (!p->announce.enabled)
		return;
	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *vs = &k->vs[i];

		if (vs->sched != CFG_SCHED_MH && vs->sched != CFG_SCHED_SH &&
		    vs->sched != CFG_SCHED_DH)
			cfg_diag_add(d, CFG_WARNING, &vs->loc,
				     "virtual_server: lb_algo %s with announce (%s:%d): a "
				     "connection the router moves to another director breaks "
				     "there; lb_algo mh maps it to the same real server on every "
				     "director",
				     cfg_sched_name(vs->sched), p->announce.loc.file,
				     p->announce.loc.line);
	}
}

/* ----------------------------------------------------------------- dataplane */

static void check_routes(const struct cfg_dataplane *p, struct cfg_diags *d)
{
	char a[CFG_ADDR_STRLEN];

	for (size_t r = 0; r < p->n_routes; r++) {
		const struct cfg_route *rt = &p->routes[r];
		bool reached = false;

		for (size_t i = 0; i < p->n_ports && !reached; i++)
			reached = port_reaches(&p->ports[i], &rt->via);
		if (!reached)
			cfg_diag_add(d, CFG_ERROR, &rt->loc,
				     "route via %s: no port has an address in the gateway's subnet",
				     cfg_addr_str(&rt->via, a));
	}
}

unsigned int cfg_check(const struct cfg_keepalived *k, const struct cfg_dataplane *p,
		       struct cfg_diags *d)
{
	unsigned int before = d->errors;

	if (k != NULL) {
		for (size_t i = 0; i < k->n_instances; i++) {
			check_instance_vrrp(k, &k->instances[i], d);
			if (p != NULL)
				check_instance_ports(p, &k->instances[i], d);
		}
		check_vrids(k, d);
		check_virtual_servers(k, d);
		if (p != NULL) {
			check_sync(k, p, d);
			check_static(k, p, d);
			check_announce(k, p, d);
		}
	}
	if (p != NULL)
		check_routes(p, d);
	return d->errors - before;
}
