/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane file: EAL arguments, worker count, table sizes, the ports
 * (a NIC each, by PCI address or vdev string, with the name keepalived.conf
 * uses for it, its exception TAP and the director's own addresses) and the
 * static routes. libconfig does the syntax; this file walks the settings
 * and validates each one with the line libconfig recorded for it, so every
 * message is "FILE:LINE: what is wrong and what is expected".
 *
 * libconfig's @include is refused: the dataplane file is small, and an
 * include would let text given to cfg_dataplane_parse read any file.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define DP_MAX_WORKERS     64 /* FWD_MAX_WORKERS */
#define DP_MIN_CONNECTIONS 1024
#define DP_MAX_CONNECTIONS (1 << 27)
#define DP_MIN_NEIGHBOURS  16
#define DP_MAX_NEIGHBOURS  (1 << 20)
#define DP_MIN_MTU         576
#define DP_MAX_MTU         9600
#define DP_MAX_PORTS       8 /* FWD_MAX_PORTS: each takes two of DPDK 22.11's 32 ethdevs (NIC, TAP) */
#define DP_MAX_ADDRS       64 /* per port */
#define DP_MAX_ROUTES      4096
#define DP_MAX_KROUTES     256 /* per port */

struct dp {
	struct cfg_dataplane *p;
	struct cfg_diags *d;
	bool no_pci; /* "--no-pci" is among the EAL arguments */
};

static void dp_report(struct dp *dp, enum cfg_severity sev, const config_setting_t *s,
		      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void dp_report(struct dp *dp, enum cfg_severity sev, const config_setting_t *s,
		      const char *fmt, va_list ap)
{
	struct cfg_loc loc = { dp->p->file, s != NULL ? (int)config_setting_source_line(s) : 0 };

	cfg_diag_vadd(dp->d, sev, &loc, fmt, ap);
}

static void __attribute__((format(printf, 3, 4)))
dp_err(struct dp *dp, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dp_report(dp, CFG_ERROR, s, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
dp_warn(struct dp *dp, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dp_report(dp, CFG_WARNING, s, fmt, ap);
	va_end(ap);
}

static bool in_list(const char *name, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

/* Warns about every member of group g that is not in names. */
static void warn_unknown(struct dp *dp, const config_setting_t *g, const char *const *names,
			 const char *where)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *name = config_setting_name(s);

		if (name != NULL && !in_list(name, names))
			dp_warn(dp, s, "unknown setting '%s'%s: ignored", name, where);
	}
}

/* An integer setting: absent means dflt. */
static bool read_uint(struct dp *dp, const config_setting_t *g, const char *name, long long min,
		      long long max, unsigned int dflt, unsigned int *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;

	*out = dflt;
	if (s == NULL)
		return true;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		dp_err(dp, s, "%s must be an integer", name);
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		dp_err(dp, s, "%s %lld is out of range (%lld..%lld)", name, v, min, max);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

/* A string member; NULL (with an error when required) if absent or not a
 * string. */
static const char *read_str(struct dp *dp, const config_setting_t *g, const char *name,
			    bool required, const char *what)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (s == NULL) {
		if (required)
			dp_err(dp, g, "%s has no %s", what, name);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		dp_err(dp, s, "%s must be a string", name);
		return NULL;
	}
	return config_setting_get_string(s);
}

static char *dup_or_err(struct dp *dp, const config_setting_t *s, const char *str)
{
	char *c = strdup(str);

	if (c == NULL)
		dp_err(dp, s, "out of memory");
	return c;
}

/* ------------------------------------------------------------------------ eal */

static void read_eal(struct dp *dp, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "eal");
	struct cfg_dataplane *p = dp->p;
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		dp_err(dp, s, "eal must be a list of strings: eal = [\"--no-huge\", ...]");
		return;
	}
	n = config_setting_length(s);
	p->eal = calloc(n > 0 ? (size_t)n : 1, sizeof(*p->eal));
	if (p->eal == NULL) {
		dp_err(dp, s, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			dp_err(dp, e, "eal must be a list of strings: element %d is not a string",
			       i + 1);
			continue;
		}
		p->eal[p->n_eal] = dup_or_err(dp, e, config_setting_get_string(e));
		if (p->eal[p->n_eal] != NULL)
			p->n_eal++;
		if (strcmp(config_setting_get_string(e), "--no-pci") == 0)
			dp->no_pci = true;
	}
}

/* ---------------------------------------------------------------------- ports */

static bool hex_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* DDDD:BB:DD.F or BB:DD.F (device 00..1f, function 0..7). */
static bool is_pci_addr(const char *s)
{
	size_t len = strlen(s);

	if (len == 12) {
		if (!hex_digits(s, 4) || s[4] != ':')
			return false;
		s += 5;
	} else if (len != 7) {
		return false;
	}
	/* The device number is 5 bits: its first hex digit is 0 or 1. */
	return hex_digits(s, 2) && s[2] == ':' && hex_digits(s + 3, 2) &&
	       (s[3] == '0' || s[3] == '1') && s[5] == '.' && s[6] >= '0' && s[6] <= '7';
}

/* The value of key in a vdev's "name,key=value,..." arguments, copied to
 * buf; false when absent. */
static bool vdev_arg(const char *dev, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *a = strchr(dev, ','); a != NULL; a = strchr(a, ',')) {
		a++;
		if (strncmp(a, key, klen) == 0 && a[klen] == '=') {
			size_t vlen = strcspn(a + klen + 1, ",");

			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, a + klen + 1, vlen);
			buf[vlen] = '\0';
			return true;
		}
	}
	return false;
}

/* net_af_packet: one socket per queue pair, all in one fanout group. */
static void check_af_packet(struct dp *dp, const config_setting_t *s, const char *dev)
{
	char iface[64], qp[16];
	unsigned long qpairs = 1;

	if (!vdev_arg(dev, "iface", iface, sizeof(iface)) || iface[0] == '\0')
		dp_err(dp, s, "device %s: net_af_packet needs iface=IFNAME", dev);
	if (vdev_arg(dev, "qpairs", qp, sizeof(qp)) &&
	    (!cfg_parse_ulong(qp, &qpairs) || qpairs == 0 || qpairs > 1024)) {
		dp_err(dp, s, "device %s: qpairs=%s is not a number of queue pairs", dev, qp);
		return;
	}
	if (qpairs != dp->p->workers)
		dp_err(dp, s,
		       "device %s: qpairs=%lu but workers = %u; each queue pair is a socket in "
		       "one PACKET_FANOUT group, so every queue receives a share of the traffic "
		       "and must be polled by a worker: set qpairs=%u",
		       dev, qpairs, dp->p->workers, dp->p->workers);
}

static void read_device(struct dp *dp, const config_setting_t *g, struct cfg_port *port)
{
	const config_setting_t *s = config_setting_get_member(g, "device");
	const char *dev = read_str(dp, g, "device", true, "port");

	if (dev == NULL)
		return;
	if (is_pci_addr(dev)) {
		port->is_pci = true;
		if (dp->no_pci)
			dp_err(dp, s, "device %s is a PCI address but eal has --no-pci", dev);
	} else if (strncmp(dev, "net_", 4) != 0 || dev[4] == '\0') {
		dp_err(dp, s,
		       "device '%s' is neither a PCI address (DDDD:BB:DD.F or BB:DD.F) nor a "
		       "vdev (net_...)",
		       dev);
		return;
	} else if (strncmp(dev, "net_af_packet", 13) == 0) {
		check_af_packet(dp, s, dev);
	}
	port->device = dup_or_err(dp, s, dev);
}

static const char *read_ifname(struct dp *dp, const config_setting_t *g, const char *name,
			       bool required)
{
	const char *v = read_str(dp, g, name, required, "port");

	if (v != NULL && !cfg_ifname_ok(v)) {
		dp_err(dp, config_setting_get_member(g, name),
		       "%s '%s' is not a valid interface name (1..15 bytes, no '/', ':' or blanks)",
		       name, v);
		return NULL;
	}
	return v;
}

static void read_addresses(struct dp *dp, const config_setting_t *g, struct cfg_port *port)
{
	const config_setting_t *s = config_setting_get_member(g, "addresses");
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		dp_err(dp, s,
		       "addresses must be a list of strings: [\"a.b.c.d/len\", \"2001:db8::6/64\", "
		       "...]");
		return;
	}
	n = config_setting_length(s);
	if (n > DP_MAX_ADDRS) {
		dp_err(dp, s, "more than %d addresses on one port", DP_MAX_ADDRS);
		return;
	}
	port->addrs = calloc(n > 0 ? (size_t)n : 1, sizeof(*port->addrs));
	if (port->addrs == NULL) {
		dp_err(dp, s, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		const char *a = config_setting_type(e) == CONFIG_TYPE_STRING
				    ? config_setting_get_string(e)
				    : NULL;

		if (a == NULL)
			dp_err(dp, e, "addresses: element %d is not a string", i + 1);
		else if (!cfg_parse_prefix(a, &port->addrs[port->n_addrs], true))
			dp_err(dp, e, "addresses: '%s' is not ADDRESS/len (IPv4 or IPv6)%s", a,
			       strchr(a, '/') == NULL ? " (the prefix length is required)" : "");
		else if (cfg_addr_is_multicast(&port->addrs[port->n_addrs].addr) ||
			 cfg_addr_is_any(&port->addrs[port->n_addrs].addr))
			dp_err(dp, e, "addresses: '%s' cannot be an address of the director", a);
		else
			port->n_addrs++;
	}
}

/* ------------------------------------------------------- kernel routes */

static const char *const kroute_names[] = { "prefix", "via", "metric", NULL };

/* Whether a in one of the port's connected prefixes. */
static bool port_has_subnet_of(const struct cfg_port *port, const struct cfg_addr *a)
{
	for (size_t i = 0; i < port->n_addrs; i++)
		if (cfg_prefix_has(&port->addrs[i], a))
			return true;
	return false;
}

static void read_kernel_route(struct dp *dp, const config_setting_t *g, const struct cfg_port *port,
			      struct cfg_kernel_route *r)
{
	const char *prefix, *via;
	const config_setting_t *s;
	struct cfg_addr net;
	char a[CFG_ADDR_STRLEN];

	r->loc = (struct cfg_loc){ dp->p->file, (int)config_setting_source_line(g) };
	if (!config_setting_is_group(g)) {
		dp_err(dp, g,
		       "each kernel route must be a group: { prefix = \"0.0.0.0/0\"; via = ...; }");
		return;
	}
	warn_unknown(dp, g, kroute_names, " in a kernel route");
	prefix = read_str(dp, g, "prefix", true, "kernel route");
	via = read_str(dp, g, "via", false, "kernel route");
	read_uint(dp, g, "metric", 0, UINT32_MAX >> 1, 0, &r->metric);
	s = config_setting_get_member(g, "prefix");
	if (prefix == NULL)
		return;
	if (!cfg_parse_prefix(prefix, &r->prefix, true)) {
		dp_err(dp, s, "prefix '%s' is not ADDRESS/len (a.b.c.d/len or IPv6)", prefix);
		return;
	}
	net = cfg_addr_masked(&r->prefix.addr, r->prefix.plen);
	if (!cfg_addr_eq(&net, &r->prefix.addr))
		dp_err(dp, s, "prefix %s has host bits set", prefix);
	s = config_setting_get_member(g, "via");
	if (via != NULL && !cfg_parse_addr(via, &r->via))
		dp_err(dp, s, "via '%s' is not an IPv4 or IPv6 address", via);
	else if (via != NULL && r->via.af != r->prefix.addr.af)
		dp_err(dp, s, "via %s is not of the family of prefix %s", via, prefix);
	else if (via != NULL && !port_has_subnet_of(port, &r->via))
		dp_err(dp, s,
		       "via %s is in no subnet of this port's addresses: the kernel could not "
		       "reach it through %s",
		       cfg_addr_str(&r->via, a), port->kernel_if ? port->kernel_if : "the TAP");
}

/* kernel_routes: the director kernel's routes on this port's TAP, put
 * there whenever halb creates it (a restart restores them). */
static void read_kernel_routes(struct dp *dp, const config_setting_t *g, struct cfg_port *port)
{
	const config_setting_t *s = config_setting_get_member(g, "kernel_routes");
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s)) {
		dp_err(dp, s,
		       "kernel_routes must be a list: kernel_routes = ( { prefix = ...; via = ...; "
		       "} );");
		return;
	}
	n = config_setting_length(s);
	if (n > DP_MAX_KROUTES) {
		dp_err(dp, s, "more than %d kernel routes on one port", DP_MAX_KROUTES);
		return;
	}
	port->kroutes = calloc(n > 0 ? (size_t)n : 1, sizeof(*port->kroutes));
	if (port->kroutes == NULL) {
		dp_err(dp, s, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		struct cfg_kernel_route *r = &port->kroutes[port->n_kroutes];

		read_kernel_route(dp, config_setting_get_elem(s, (unsigned int)i), port, r);
		for (size_t j = 0; j < port->n_kroutes; j++)
			if (cfg_addr_eq(&port->kroutes[j].prefix.addr, &r->prefix.addr) &&
			    port->kroutes[j].prefix.plen == r->prefix.plen &&
			    port->kroutes[j].metric == r->metric)
				dp_err(
				    dp, config_setting_get_elem(s, (unsigned int)i),
				    "a kernel route to this prefix with this metric is already at "
				    "line %d",
				    port->kroutes[j].loc.line);
		port->n_kroutes++;
	}
}

static const char *const port_names[] = { "name", "device",        "kernel_if", "addresses",
					  "mtu",  "kernel_routes", NULL };

static void read_port(struct dp *dp, const config_setting_t *g, struct cfg_port *port)
{
	const char *name, *kif;

	port->loc = (struct cfg_loc){ dp->p->file, (int)config_setting_source_line(g) };
	if (!config_setting_is_group(g)) {
		dp_err(dp, g, "each port must be a group: { name = \"eth1\"; device = ...; }");
		return;
	}
	warn_unknown(dp, g, port_names, " in a port");
	name = read_ifname(dp, g, "name", true);
	kif = read_ifname(dp, g, "kernel_if", false);
	if (name != NULL)
		port->name = dup_or_err(dp, g, name);
	if (kif != NULL || name != NULL)
		port->kernel_if = dup_or_err(dp, g, kif != NULL ? kif : name);
	read_device(dp, g, port);
	read_addresses(dp, g, port);
	read_uint(dp, g, "mtu", DP_MIN_MTU, DP_MAX_MTU, 1500, &port->mtu);
	const config_setting_t *mtu = config_setting_get_member(g, "mtu");
	if (port->mtu < 1280 && cfg_port_addr(port, 6) != NULL)
		dp_err(dp, mtu,
		       "mtu %u: a port with IPv6 addresses needs 1280 at least (RFC 8200 5)",
		       port->mtu);
	read_kernel_routes(dp, g, port);
}

/* Two ports with one name, device or kernel interface. */
static void check_port_unique(struct dp *dp, const config_setting_t *g, size_t i)
{
	const struct cfg_port *a = &dp->p->ports[i];

	for (size_t j = 0; j < i; j++) {
		const struct cfg_port *b = &dp->p->ports[j];

		if (a->name != NULL && b->name != NULL && strcmp(a->name, b->name) == 0)
			dp_err(dp, g, "port name %s is already used at line %d", a->name,
			       b->loc.line);
		if (a->device != NULL && b->device != NULL && strcmp(a->device, b->device) == 0)
			dp_err(dp, g, "device %s is already used by port %s", a->device,
			       b->name != NULL ? b->name : "?");
		if (a->kernel_if != NULL && b->kernel_if != NULL &&
		    strcmp(a->kernel_if, b->kernel_if) == 0)
			dp_err(dp, g, "kernel_if %s is already used by port %s", a->kernel_if,
			       b->name != NULL ? b->name : "?");
	}
}

static void read_ports(struct dp *dp, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "ports");
	struct cfg_dataplane *p = dp->p;
	int n;

	if (s == NULL) {
		dp_err(dp, NULL, "no ports: ports = ( { name = ...; device = ...; } );");
		return;
	}
	if (!config_setting_is_list(s) || config_setting_length(s) == 0) {
		dp_err(dp, s, "ports must be a non-empty list: ports = ( { ... }, { ... } );");
		return;
	}
	n = config_setting_length(s);
	if (n > DP_MAX_PORTS) {
		dp_err(dp, s, "more than %d ports", DP_MAX_PORTS);
		return;
	}
	p->ports = calloc((size_t)n, sizeof(*p->ports));
	if (p->ports == NULL) {
		dp_err(dp, s, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned int)i);

		read_port(dp, g, &p->ports[p->n_ports]);
		check_port_unique(dp, g, p->n_ports);
		p->n_ports++;
	}
}

/* --------------------------------------------------------------------- routes */

static const char *const route_names[] = { "prefix", "via", NULL };

static void read_route(struct dp *dp, const config_setting_t *g, struct cfg_route *r)
{
	const char *prefix, *via;

	r->loc = (struct cfg_loc){ dp->p->file, (int)config_setting_source_line(g) };
	if (!config_setting_is_group(g)) {
		dp_err(dp, g, "each route must be a group: { prefix = \"0.0.0.0/0\"; via = ...; }");
		return;
	}
	warn_unknown(dp, g, route_names, " in a route");
	prefix = read_str(dp, g, "prefix", true, "route");
	via = read_str(dp, g, "via", true, "route");
	if (prefix != NULL) {
		const config_setting_t *s = config_setting_get_member(g, "prefix");

		struct cfg_addr net;

		if (!cfg_parse_prefix(prefix, &r->prefix, true)) {
			dp_err(dp, s, "prefix '%s' is not ADDRESS/len (a.b.c.d/len or IPv6)",
			       prefix);
			return;
		}
		net = cfg_addr_masked(&r->prefix.addr, r->prefix.plen);
		if (!cfg_addr_eq(&net, &r->prefix.addr))
			dp_err(dp, s, "prefix %s has host bits set", prefix);
	}
	if (via == NULL)
		return;
	if (!cfg_parse_addr(via, &r->via))
		dp_err(dp, config_setting_get_member(g, "via"),
		       "via '%s' is not an IPv4 or IPv6 address", via);
	else if (prefix != NULL && r->via.af != r->prefix.addr.af)
		dp_err(dp, config_setting_get_member(g, "via"),
		       "via %s is not of the family of prefix %s", via, prefix);
	else if (cfg_addr_is_link_local(&r->via))
		dp_err(dp, config_setting_get_member(g, "via"),
		       "via %s: a link-local gateway is not supported (write the router's global "
		       "address, in the subnet of one of the ports' addresses)",
		       via);
}

static void read_routes(struct dp *dp, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "routes");
	struct cfg_dataplane *p = dp->p;
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s)) {
		dp_err(dp, s, "routes must be a list: routes = ( { prefix = ...; via = ...; } );");
		return;
	}
	n = config_setting_length(s);
	if (n > DP_MAX_ROUTES) {
		dp_err(dp, s, "more than %d routes", DP_MAX_ROUTES);
		return;
	}
	p->routes = calloc(n > 0 ? (size_t)n : 1, sizeof(*p->routes));
	if (p->routes == NULL) {
		dp_err(dp, s, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++)
		read_route(dp, config_setting_get_elem(s, (unsigned int)i),
			   &p->routes[p->n_routes++]);
}

/* ------------------------------------------------------------------- announce */

#define DP_ANNOUNCE_IF       "halb-announce"
#define DP_MAX_STOP_DELAY_MS 600000

static const char *const announce_names[] = { "interface", "stop_delay_ms", NULL };

/* announce = { interface = "halb-announce"; stop_delay_ms = 2000; }; */
static void read_announce(struct dp *dp, const config_setting_t *root)
{
	const config_setting_t *g = config_setting_get_member(root, "announce");
	struct cfg_announce *a = &dp->p->announce;
	const char *name;

	if (g == NULL)
		return;
	a->loc = (struct cfg_loc){ dp->p->file, (int)config_setting_source_line(g) };
	if (!config_setting_is_group(g)) {
		dp_err(dp, g,
		       "announce must be a group: announce = { interface = \"%s\"; "
		       "stop_delay_ms = 2000; };",
		       DP_ANNOUNCE_IF);
		return;
	}
	warn_unknown(dp, g, announce_names, " in announce");
	a->enabled = true;
	read_uint(dp, g, "stop_delay_ms", 0, DP_MAX_STOP_DELAY_MS, 2000, &a->stop_delay_ms);
	name = read_str(dp, g, "interface", false, "announce");
	if (name == NULL)
		name = DP_ANNOUNCE_IF;
	if (!cfg_ifname_ok(name)) {
		dp_err(dp, config_setting_get_member(g, "interface"),
		       "interface '%s' is not a valid interface name (1..15 bytes, no '/', ':' "
		       "or blanks)",
		       name);
		return;
	}
	for (size_t i = 0; i < dp->p->n_ports; i++)
		if (dp->p->ports[i].kernel_if != NULL &&
		    strcmp(dp->p->ports[i].kernel_if, name) == 0)
			dp_err(dp, g, "announce interface %s is the TAP of port %s", name,
			       dp->p->ports[i].name != NULL ? dp->p->ports[i].name : "?");
	a->interface = dup_or_err(dp, g, name);
}

/* ----------------------------------------------------------------------- file */

static const char *const top_names[] = {
	"eal",        "workers",   "idle_sleep_us",  "connections", "connections6",
	"neighbours", "templates", "embryonic",      "sloppy_tcp",  "limits",
	"ports",      "routes",    "metrics_listen", "announce",    NULL
};

static const char *const limit_names[] = { "kernel", "trusted", "arp",  "resolve",
					   "learn",  "icmp",    "sync", NULL };

const char *const *cfg_dataplane_keys(const char *group)
{
	if (group == NULL)
		return top_names;
	if (strcmp(group, "ports") == 0)
		return port_names;
	if (strcmp(group, "routes") == 0)
		return route_names;
	if (strcmp(group, "limits") == 0)
		return limit_names;
	if (strcmp(group, "announce") == 0)
		return announce_names;
	return NULL;
}

const char *cfg_dataplane_file_prefix(const struct cfg_dataplane *p)
{
	for (size_t i = 0; i < p->n_eal; i++) {
		if (strcmp(p->eal[i], "--file-prefix") == 0 && i + 1 < p->n_eal)
			return p->eal[i + 1];
		if (strncmp(p->eal[i], "--file-prefix=", 14) == 0)
			return p->eal[i] + 14;
	}
	return NULL;
}

/* metrics_listen = "ADDR:PORT": where /metrics is served (off when absent). */
static void read_metrics(struct dp *dp, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "metrics_listen");
	const char *v = read_str(dp, root, "metrics_listen", false, "file");
	const char *colon = v != NULL ? strrchr(v, ':') : NULL;
	unsigned long port = 0;
	char addr[32];

	if (v == NULL)
		return;
	if (colon == NULL || (size_t)(colon - v) >= sizeof(addr) ||
	    !cfg_parse_ulong(colon + 1, &port) || port == 0 || port > 65535) {
		dp_err(dp, s, "metrics_listen '%s' is not ADDRESS:PORT (\"172.17.1.6:9469\")", v);
		return;
	}
	memcpy(addr, v, (size_t)(colon - v));
	addr[colon - v] = '\0';
	if (!cfg_parse_ipv4(addr, &dp->p->metrics_addr)) {
		dp_err(dp, s, "metrics_listen: '%s' is not an IPv4 address", addr);
		return;
	}
	dp->p->metrics_port = (uint16_t)port;
	dp->p->has_metrics = true;
}

/* A boolean setting: absent means dflt. */
static void read_bool(struct dp *dp, const config_setting_t *g, const char *name, bool dflt,
		      bool *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	*out = dflt;
	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		dp_err(dp, s, "%s must be true or false", name);
		return;
	}
	*out = config_setting_get_bool(s) != 0;
}

/* limits = { kernel = 5000; ... }: packets per second and worker. */
static void read_limits(struct dp *dp, const config_setting_t *root, struct cfg_limits *l)
{
	const config_setting_t *g = config_setting_get_member(root, "limits");
	unsigned int *const fields[] = { &l->kernel, &l->trusted, &l->arp, &l->resolve,
					 &l->learn,  &l->icmp,    &l->sync };

	memset(l, 0, sizeof(*l));
	if (g == NULL)
		return;
	if (!config_setting_is_group(g)) {
		dp_err(dp, g, "limits must be a group: limits = { kernel = 5000; ... };");
		return;
	}
	warn_unknown(dp, g, limit_names, " in limits");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		read_uint(dp, g, limit_names[i], 1, 100000000, 0, fields[i]);
}

static void read_root(struct dp *dp, const config_setting_t *root)
{
	struct cfg_dataplane *p = dp->p;

	warn_unknown(dp, root, top_names, "");
	read_eal(dp, root);
	read_uint(dp, root, "workers", 1, DP_MAX_WORKERS, 1, &p->workers);
	read_uint(dp, root, "idle_sleep_us", 0, 1000000, 0, &p->idle_sleep_us);
	read_uint(dp, root, "connections", DP_MIN_CONNECTIONS, DP_MAX_CONNECTIONS, 1048576,
		  &p->connections);
	read_uint(dp, root, "connections6", 0, DP_MAX_CONNECTIONS, p->connections / 4,
		  &p->connections6);
	read_uint(dp, root, "neighbours", DP_MIN_NEIGHBOURS, DP_MAX_NEIGHBOURS, 4096,
		  &p->neighbours);
	read_uint(dp, root, "templates", DP_MIN_CONNECTIONS, DP_MAX_CONNECTIONS,
		  p->connections / 8 > DP_MIN_CONNECTIONS ? p->connections / 8 : DP_MIN_CONNECTIONS,
		  &p->templates);
	read_uint(dp, root, "embryonic", 1, 100, 25, &p->embryonic);
	read_bool(dp, root, "sloppy_tcp", false, &p->sloppy_tcp);
	read_limits(dp, root, &p->limits);
	read_ports(dp, root);
	read_routes(dp, root);
	read_metrics(dp, root);
	read_announce(dp, root);
}

/* libconfig would open any file an @include names. */
static bool has_include(struct dp *dp, const char *text)
{
	int line = 1;

	for (const char *l = text; l != NULL; line++) {
		const char *p = l + strspn(l, " \t\r");

		if (strncmp(p, "@include", 8) == 0) {
			struct cfg_loc loc = { dp->p->file, line };

			cfg_diag_add(dp->d, CFG_ERROR, &loc, "@include is not supported here");
			return true;
		}
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return false;
}

struct cfg_dataplane *cfg_dataplane_parse(const char *text, const char *name, struct cfg_diags *d)
{
	unsigned int errors = d->errors;
	struct dp dp = { .d = d };
	config_t cfg;

	dp.p = calloc(1, sizeof(*dp.p));
	if (dp.p == NULL || (dp.p->file = strdup(name)) == NULL) {
		free(dp.p);
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return NULL;
	}
	if (!has_include(&dp, text)) {
		config_init(&cfg);
		if (config_read_string(&cfg, text) == CONFIG_TRUE) {
			read_root(&dp, config_root_setting(&cfg));
		} else {
			struct cfg_loc loc = { dp.p->file, config_error_line(&cfg) };
			const char *why = config_error_text(&cfg);

			cfg_diag_add(d, CFG_ERROR, &loc, "%s", why != NULL ? why : "syntax error");
		}
		config_destroy(&cfg);
	}
	if (d->errors != errors) {
		cfg_dataplane_free(dp.p);
		return NULL;
	}
	return dp.p;
}

struct cfg_dataplane *cfg_dataplane_load(const char *path, struct cfg_diags *d)
{
	struct cfg_loc loc = { path, 0 };
	struct cfg_dataplane *p;
	size_t len = 0;
	char *text = cfg_read_file(path, &len);

	if (text == NULL) {
		cfg_diag_add(d, CFG_ERROR, &loc, "cannot read: %s", cfg_read_strerror(errno));
		return NULL;
	}
	if (strlen(text) != len) {
		cfg_diag_add(d, CFG_ERROR, &loc, "the file contains a NUL byte");
		free(text);
		return NULL;
	}
	p = cfg_dataplane_parse(text, path, d);
	free(text);
	return p;
}
