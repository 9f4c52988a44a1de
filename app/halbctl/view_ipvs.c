/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The views an ipvsadm user reads without thinking: `halbctl list` prints
 * /halb/services as `ipvsadm -L -n` does (and its --stats and --rate forms),
 * `halbctl conns` prints /halb/conns as `ipvsadm -L -c -n` does. Column
 * widths, truncation of long addresses (33 characters for a service, 28 for
 * a real server), the sort order (address family, protocol, address, port)
 * and the K/M/G/T abbreviation of big numbers follow ipvsadm 1.31's
 * print_service_entry(), print_largenum() and print_conn(), so scripts and
 * eyes trained on ipvsadm keep working.
 *
 * Two layouts of the listing. halb's own (`halbctl list`) starts with a
 * title naming halb, adds a Health column, notes after a service's flags
 * when this director does not hold its VIP or its quorum is lost, and lists
 * real servers that a failed check took out of the service. The ipvsadm
 * layout (`halbctl -Ln`, `halbctl list --ipvsadm`) is byte for byte what
 * ipvsadm prints for the same table: its "IP Virtual Server version" line
 * (the size is halb's connection table), its titles, its trailing blanks,
 * and only the real servers IPVS would hold.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fmt.h"
#include "views.h"

/* Where an entry sorts: ipvsadm's ipvs_cmp_services()/ipvs_cmp_dests(). */
struct sort_key {
	const json_t *obj;
	size_t index;
	int family; /* AF_INET, AF_INET6, or AF_MAX when the address is not one */
	int proto;
	unsigned char addr[16];
	long long port;
};

static int proto_number(const char *name)
{
	if (name == NULL)
		return 256;
	if (strcmp(name, "TCP") == 0)
		return 6;
	if (strcmp(name, "UDP") == 0)
		return 17;
	if (strcmp(name, "SCTP") == 0)
		return 132;
	return 255;
}

static void sort_key_fill(struct sort_key *k, const json_t *obj, size_t index, const char *addr_key,
			  const char *port_key, const char *proto)
{
	const char *addr = jv_str(obj, addr_key);

	memset(k, 0, sizeof(*k));
	k->obj = obj;
	k->index = index;
	k->proto = proto_number(proto);
	k->family = AF_MAX;
	if (addr != NULL && inet_pton(AF_INET, addr, k->addr) == 1)
		k->family = AF_INET;
	else if (addr != NULL && inet_pton(AF_INET6, addr, k->addr) == 1)
		k->family = AF_INET6;
	if (!jv_int(obj, port_key, &k->port))
		k->port = 1 << 17;
}

static int cmp_int(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int sort_key_cmp(const void *pa, const void *pb)
{
	const struct sort_key *a = pa, *b = pb;
	int r;

	r = cmp_int(a->family, b->family);
	if (r == 0)
		r = cmp_int(a->proto, b->proto);
	if (r == 0)
		r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r == 0)
		r = cmp_int(a->port, b->port);
	if (r == 0)
		r = cmp_int((long long)a->index, (long long)b->index);
	return r;
}

/*
 * The objects of arr (non-objects skipped) in ipvsadm's order. A real server
 * sorts under its service's protocol, which is the same for all of them.
 * @return a malloc'd array of *n keys.
 */
static struct sort_key *sorted_entries(const json_t *arr, const char *addr_key,
				       const char *port_key, bool own_proto, size_t *n)
{
	struct sort_key *keys = xmalloc(json_array_size(arr) * sizeof(*keys));
	size_t i;

	*n = 0;
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *e = json_array_get(arr, i);

		if (!json_is_object(e))
			continue;
		sort_key_fill(&keys[(*n)++], e, i, addr_key, port_key,
			      own_proto ? jv_str(e, "protocol") : NULL);
	}
	qsort(keys, *n, sizeof(*keys), sort_key_cmp);
	return keys;
}

/* ipvsadm's print_largenum(): 9 columns, abbreviated past 100 million. */
static void print_largenum(FILE *out, const json_t *obj, const char *key, bool exact)
{
	unsigned long long u;
	long long v;

	if (!jv_int(obj, key, &v)) {
		fprintf(out, "%9s", FMT_MISSING);
		return;
	}
	if (v < 0) {
		fprintf(out, "%9lld", v);
		return;
	}
	u = (unsigned long long)v;
	if (exact) {
		int len = snprintf(NULL, 0, "%llu", u);

		fprintf(out, "%*llu", len <= 8 ? 9 : len + 1, u);
	} else if (u < 100000000ULL) {
		fprintf(out, "%9llu", u);
	} else if (u < 1000000000ULL) {
		fprintf(out, "%8lluK", u / 1000);
	} else if (u < 100000000000ULL) {
		fprintf(out, "%8lluM", u / 1000000);
	} else if (u < 100000000000000ULL) {
		fprintf(out, "%8lluG", u / 1000000000ULL);
	} else {
		fprintf(out, "%8lluT", u / 1000000000000ULL);
	}
}

/* A plain number in ipvsadm's "%8u" after a space, as its --rate uses for pps. */
static void print_rate(FILE *out, const json_t *obj, const char *key)
{
	long long v;

	if (jv_int(obj, key, &v))
		fprintf(out, " %8lld", v);
	else
		fprintf(out, " %8s", FMT_MISSING);
}

/* "TCP  VIP:PORT", cut to 33 characters for IPv4 as ipvsadm does. */
static const char *service_name(const json_t *svc, char *buf)
{
	char proto[FMT_LEN], addr[FMT_LEN];

	snprintf(buf, FMT_LEN, "%s  %s", fmt_field(svc, "protocol", proto),
		 fmt_addr_port(svc, "vip", "port", addr));
	if (addr[0] != '[' && strlen(buf) > 33)
		buf[33] = '\0';
	return buf;
}

static const char *dest_name(const json_t *rs, char *buf)
{
	fmt_addr_port(rs, "ip", "port", buf);
	if (buf[0] != '[' && strlen(buf) > 28)
		buf[28] = '\0';
	return buf;
}

static const char *forward_name(const char *method)
{
	if (method == NULL)
		return FMT_MISSING;
	if (strcmp(method, "DR") == 0)
		return "Route";
	if (strcmp(method, "NAT") == 0)
		return "Masq";
	if (strcmp(method, "TUN") == 0)
		return "Tunnel";
	if (strcmp(method, "LOCAL") == 0)
		return "Local";
	return method;
}

/* " mask M" unless the persistence granularity is a single address. */
static void print_mask(FILE *out, const json_t *svc)
{
	const json_t *g = json_object_get(svc, "granularity");
	char buf[FMT_LEN];

	if (json_is_string(g)) {
		const char *m = json_string_value(g);

		if (strcmp(m, "255.255.255.255") != 0 && strcmp(m, "128") != 0 && m[0] != '\0')
			fprintf(out, " mask %s", fmt_scalar(g, buf));
	} else if (json_is_integer(g)) {
		json_int_t bits = json_integer_value(g);

		if (bits != 32 && bits != 128)
			fprintf(out, " mask %s", fmt_scalar(g, buf));
	}
}

/* " (sh-fallback,sh-port)", as ipvsadm's print_sched_flags(). */
static void print_sched_flags(FILE *out, const json_t *svc)
{
	const json_t *flags = jv_array(svc, "sched_flags");
	char buf[FMT_LEN];

	if (json_array_size(flags) == 0)
		return;
	fputs(" (", out);
	for (size_t i = 0; i < json_array_size(flags); i++)
		fprintf(out, "%s%s", i ? "," : "", fmt_scalar(json_array_get(flags, i), buf));
	fputc(')', out);
}

static void print_service_plain(FILE *out, const json_t *svc, const char *name,
				const struct list_opts *o)
{
	char sched[FMT_LEN];
	long long timeout;

	fprintf(out, "%s %s", name, fmt_field(svc, "scheduler", sched));
	print_sched_flags(out, svc);
	if (jv_int(svc, "persistence", &timeout) && timeout > 0) {
		fprintf(out, " persistent %lld", timeout);
		print_mask(out, svc);
	}
	if (!o->ipvsadm && jv_bool(svc, "owned") == 0)
		fputs(" [VIP not held here]", out);
	if (!o->ipvsadm && jv_bool(svc, "quorum_up") == 0)
		fputs(" [quorum lost]", out);
	fputc('\n', out);
}

/* up, down or sorry; and the configured weight when another is in force
 * (and whether halbctl weight set it). */
static const char *health_text(const json_t *rs, char *buf)
{
	const char *state;
	long long weight, configured, override;

	if (jv_bool(rs, "sorry") == 1)
		state = "sorry";
	else if (jv_bool(rs, "healthy") == 1)
		state = "up";
	else if (jv_bool(rs, "healthy") == 0)
		state = "down";
	else
		state = FMT_MISSING;
	if (jv_int(rs, "weight_override", &override) &&
	    jv_int(rs, "configured_weight", &configured))
		snprintf(buf, FMT_LEN, "%s (weight %lld set by halbctl, configured %lld)", state,
			 override, configured);
	else if (jv_int(rs, "weight", &weight) && jv_int(rs, "configured_weight", &configured) &&
		 weight != configured)
		snprintf(buf, FMT_LEN, "%s (configured weight %lld)", state, configured);
	else
		snprintf(buf, FMT_LEN, "%s", state);
	return buf;
}

static void print_dest_plain(FILE *out, const json_t *svc, const json_t *rs, const char *name,
			     const struct list_opts *o)
{
	char weight[FMT_LEN], active[FMT_LEN], inactive[FMT_LEN], health[FMT_LEN];
	const char *fwd = jv_str(rs, "forward");

	if (fwd == NULL)
		fwd = jv_str(svc, "forward");
	fprintf(out, "  -> %-28s %-7s %-6s %-10s %-10s", name, forward_name(fwd),
		fmt_field(rs, "weight", weight), fmt_field(rs, "active", active),
		fmt_field(rs, "inactive", inactive));
	if (o->ipvsadm)
		fputc('\n', out);
	else
		fprintf(out, " %s\n", health_text(rs, health));
}

static void print_counters(FILE *out, const json_t *obj, bool exact)
{
	print_largenum(out, obj, "conns", exact);
	print_largenum(out, obj, "in_packets", exact);
	print_largenum(out, obj, "out_packets", exact);
	print_largenum(out, obj, "in_bytes", exact);
	print_largenum(out, obj, "out_bytes", exact);
	fputc('\n', out);
}

static void print_service_rates(FILE *out, const json_t *svc, bool exact)
{
	print_largenum(out, svc, "cps", exact);
	print_largenum(out, svc, "in_pps", exact);
	print_largenum(out, svc, "out_pps", exact);
	print_largenum(out, svc, "in_bps", exact);
	print_largenum(out, svc, "out_bps", exact);
	fputc('\n', out);
}

/* ipvsadm prints a real server's cps and pps unabbreviated, its bps abbreviated. */
static void print_dest_rates(FILE *out, const json_t *rs, bool exact)
{
	print_rate(out, rs, "cps");
	print_rate(out, rs, "in_pps");
	print_rate(out, rs, "out_pps");
	print_largenum(out, rs, "in_bps", exact);
	print_largenum(out, rs, "out_bps", exact);
	fputc('\n', out);
}

static void print_dests(FILE *out, const json_t *svc, const struct list_opts *o)
{
	size_t n, i;
	struct sort_key *rs =
	    sorted_entries(jv_array(svc, "real_servers"), "ip", "port", false, &n);
	char name[FMT_LEN];

	for (i = 0; i < n; i++) {
		/* IPVS holds only the servers in service: keepalived removed the rest */
		if (o->ipvsadm && jv_bool(rs[i].obj, "in_service") == 0)
			continue;
		dest_name(rs[i].obj, name);
		if (o->layout == LIST_PLAIN) {
			print_dest_plain(out, svc, rs[i].obj, name, o);
			continue;
		}
		fprintf(out, "  -> %-28s", name);
		if (o->layout == LIST_STATS)
			print_counters(out, rs[i].obj, o->exact);
		else
			print_dest_rates(out, rs[i].obj, o->exact);
	}
	free(rs);
}

static void print_title(FILE *out, enum list_layout layout, bool ipvsadm)
{
	switch (layout) {
	case LIST_STATS:
		fprintf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes",
			"OutBytes");
		break;
	case LIST_RATE:
		fprintf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
			"Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
		break;
	default:
		fprintf(out, "Prot LocalAddress:Port Scheduler Flags\n");
		if (ipvsadm)
			fprintf(out, "  -> RemoteAddress:Port           Forward Weight ActiveConn "
				     "InActConn\n");
		else
			fprintf(out, "  -> %-28s %-7s %-6s %-10s %-10s %s\n", "RemoteAddress:Port",
				"Forward", "Weight", "ActiveConn", "InActConn", "Health");
		break;
	}
}

/* The first line: halb's, or ipvsadm's list_all() (none for one service). */
static void print_version_line(FILE *out, const json_t *version, size_t n,
			       const struct list_opts *o)
{
	char buf[FMT_LEN];
	long long size;

	if (!o->ipvsadm) {
		fprintf(out, "halb %s (services=%zu)\n", fmt_field(version, "version", buf), n);
		return;
	}
	if (o->one)
		return;
	if (!jv_int(version, "connections", &size))
		size = 0;
	fprintf(out, "IP Virtual Server version 1.2.1 (size=%lld)\n", size);
}

void view_list(FILE *out, const json_t *services, const json_t *version, const struct list_opts *o)
{
	size_t n, i;
	struct sort_key *svc =
	    sorted_entries(jv_array(services, "services"), "vip", "port", true, &n);
	char name[FMT_LEN];

	print_version_line(out, version, n, o);
	print_title(out, o->layout, o->ipvsadm);
	for (i = 0; i < n; i++) {
		service_name(svc[i].obj, name);
		if (o->layout == LIST_PLAIN) {
			print_service_plain(out, svc[i].obj, name, o);
		} else {
			fprintf(out, "%-33s", name);
			if (o->layout == LIST_STATS)
				print_counters(out, svc[i].obj, o->exact);
			else
				print_service_rates(out, svc[i].obj, o->exact);
		}
		print_dests(out, svc[i].obj, o);
	}
	free(svc);
}

/* ipvsadm's mm:ss; minutes grow past 99 rather than wrap. */
static const char *expire_text(const json_t *conn, char *buf)
{
	double secs;
	unsigned long long s;

	if (!jv_num(conn, "expires", &secs) || !(secs >= 0) || secs > 1e12)
		return FMT_MISSING;
	s = (unsigned long long)secs;
	snprintf(buf, FMT_LEN, "%02llu:%02llu", s / 60, s % 60);
	return buf;
}

void view_conn(FILE *out, const json_t *conn)
{
	char proto[FMT_LEN], expire[FMT_LEN], state[FMT_LEN];
	char client[FMT_LEN], virt[FMT_LEN], dest[FMT_LEN];

	fprintf(out, "%-3s %-6s %-11s %-18s %-18s %s\n", fmt_field(conn, "protocol", proto),
		expire_text(conn, expire), fmt_field(conn, "state", state),
		fmt_addr_port(conn, "client", "client_port", client),
		fmt_addr_port(conn, "vip", "vport", virt),
		fmt_addr_port(conn, "rip", "rport", dest));
}

void view_conns_head(FILE *out)
{
	fprintf(out, "IPVS connection entries\n");
	fprintf(out, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual",
		"destination");
}

void view_conns_count(FILE *out, const json_t *counts)
{
	static const struct kv_field fields[] = {
		{ "connections", "Connections", KV_PLAIN },
		{ "templates", "Templates", KV_PLAIN },
	};
	const json_t *states = json_object_get(counts, "states");
	struct table t;

	table_init(&t, 2, NULL, "lr");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char buf[FMT_LEN];
		const char *cells[] = { fields[i].label, fmt_field(counts, fields[i].key, buf) };

		table_add(&t, cells);
		if (i == 0 && json_is_object(states)) {
			const char *key;
			json_t *v;

			json_object_foreach((json_t *)states, key, v)
			{
				char kbuf[FMT_LEN + 2], label[FMT_LEN];
				const char *row[] = { kbuf, fmt_scalar(v, buf) };

				snprintf(kbuf, sizeof(kbuf), "  %s", fmt_text(key, label));
				table_add(&t, row);
			}
		}
	}
	table_print(&t, out, "");
	table_free(&t);
}

json_t *list_count(const json_t *services)
{
	const json_t *arr = jv_array(services, "services");
	long long services_n = 0, rs = 0, up = 0, down = 0, overridden = 0, active = 0,
		  inactive = 0;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *svc = json_array_get(arr, i);
		const json_t *rss = jv_array(svc, "real_servers");

		services_n++;
		for (size_t r = 0; r < json_array_size(rss); r++) {
			const json_t *e = json_array_get(rss, r);
			long long v;

			if (jv_bool(e, "sorry") == 1)
				continue;
			rs++;
			up += jv_bool(e, "healthy") == 1;
			down += jv_bool(e, "healthy") == 0;
			overridden += jv_int(e, "weight_override", &v);
			active += jv_int(e, "active", &v) ? v : 0;
			inactive += jv_int(e, "inactive", &v) ? v : 0;
		}
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "services", (json_int_t)services_n,
			 "real_servers", (json_int_t)rs, "up", (json_int_t)up, "down",
			 (json_int_t)down, "weight_overrides", (json_int_t)overridden, "active",
			 (json_int_t)active, "inactive", (json_int_t)inactive);
}

void view_list_count(FILE *out, const json_t *counts)
{
	static const struct kv_field fields[] = {
		{ "services", "Services", KV_PLAIN },
		{ "real_servers", "Real servers", KV_PLAIN },
		{ "up", "  up", KV_PLAIN },
		{ "down", "  down", KV_PLAIN },
		{ "weight_overrides", "  weight set by halbctl", KV_PLAIN },
		{ "active", "ActiveConn", KV_PLAIN },
		{ "inactive", "InActConn", KV_PLAIN },
	};

	kv_print(out, counts, fields, sizeof(fields) / sizeof(fields[0]), "lr", "");
}
