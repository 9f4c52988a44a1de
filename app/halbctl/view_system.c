/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The director's own state as tables: its dataplane ports (/halb/ports),
 * the neighbours it resolved on them (/halb/neigh), the health checks of the
 * real servers (/halb/checks), and which halb is running (/halb/version).
 * One row per element, one column per field of the contract; times are local.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "views.h"

/* A table of the objects in arr, or a line saying there are none. */
static void print_table(FILE *out, const json_t *arr, size_t ncols, const char *const *head,
			const char *align, const char *none,
			void (*add_row)(struct table *t, const json_t *e))
{
	struct table t;
	size_t i;

	if (json_array_size(arr) == 0) {
		fprintf(out, "%s\n", json_is_array(arr) ? none : "(the reply has no list)");
		return;
	}
	table_init(&t, ncols, head, align);
	for (i = 0; i < json_array_size(arr); i++)
		add_row(&t, json_array_get(arr, i));
	table_print(&t, out, "");
	table_free(&t);
}

/* 10000 -> "10G", 100 -> "100M"; DPDK reports 0 when it does not know. */
static const char *speed_text(const json_t *port, char *buf)
{
	long long mbps;

	if (!jv_int(port, "speed_mbps", &mbps) || mbps <= 0)
		return FMT_MISSING;
	if (mbps >= 1000 && mbps % 1000 == 0)
		snprintf(buf, FMT_LEN, "%lldG", mbps / 1000);
	else
		snprintf(buf, FMT_LEN, "%lldM", mbps);
	return buf;
}

static void port_row(struct table *t, const json_t *p)
{
	char b[12][FMT_LEN];
	char *addrs = fmt_join(json_object_get(p, "addresses"), ",", "none");
	const char *cells[] = {
		fmt_field(p, "name", b[0]),
		fmt_field(p, "port_id", b[1]),
		fmt_field(p, "device", b[2]),
		fmt_field(p, "kernel_if", b[3]),
		fmt_field(p, "mac", b[4]),
		fmt_field(p, "link", b[5]),
		speed_text(p, b[6]),
		fmt_field(p, "mtu", b[7]),
		fmt_field(p, "numa_node", b[8]),
		fmt_field(p, "rx_queues", b[9]),
		fmt_field(p, "tx_queues", b[10]),
		fmt_field(p, "control_tx", b[11]),
		addrs,
	};

	table_add(t, cells);
	free(addrs);
}

void view_ports(FILE *out, const json_t *ports)
{
	static const char *const head[] = { "Name", "Id",        "Device",   "KernelIf", "MAC",
					    "Link", "Speed",     "MTU",      "NUMA",     "RxQ",
					    "TxQ",  "ControlTx", "Addresses" };

	print_table(out, jv_array(ports, "ports"), 13, head, "lrlllllrrrrll", "No ports.",
		    port_row);
}

static void neigh_row(struct table *t, const json_t *n)
{
	char b[5][FMT_LEN];
	double age;
	const char *cells[] = {
		fmt_field(n, "ip", b[0]),
		fmt_field(n, "mac", b[1]),
		fmt_field(n, "port", b[2]),
		fmt_field(n, "state", b[3]),
		jv_num(n, "age", &age) ? fmt_duration(age, b[4]) : FMT_MISSING,
	};

	table_add(t, cells);
}

void view_neigh(FILE *out, const json_t *neigh)
{
	static const char *const head[] = { "Address", "HWaddress", "Port", "State", "Age" };

	print_table(out, jv_array(neigh, "neighbours"), 5, head, "llllr", "No neighbours.",
		    neigh_row);
}

/* "ok (HTTP status 200)": the verdict, then why. */
static const char *result_text(const json_t *c, char *buf, size_t len)
{
	char res[FMT_LEN], why[FMT_LEN];
	const char *reason = jv_str(c, "reason");

	fmt_field(c, "last_result", res);
	if (reason != NULL && reason[0] != '\0')
		snprintf(buf, len, "%s (%s)", res, fmt_text(reason, why));
	else
		snprintf(buf, len, "%s", res);
	return buf;
}

static void check_row(struct table *t, const json_t *c)
{
	char b[9][FMT_LEN], result[2 * FMT_LEN + 4];
	const char *cells[] = {
		fmt_field(c, "protocol", b[0]),
		fmt_addr_port(c, "vip", "vport", b[1]),
		fmt_addr_port(c, "rip", "rport", b[2]),
		fmt_field(c, "type", b[3]),
		fmt_field(c, "target", b[4]),
		fmt_field(c, "state", b[5]),
		fmt_time(c, "since", b[6]),
		fmt_field(c, "failures", b[7]),
		fmt_field(c, "checks", b[8]),
		result_text(c, result, sizeof(result)),
	};

	table_add(t, cells);
}

void view_checks(FILE *out, const json_t *checks)
{
	static const char *const head[] = { "Prot",
					    "VirtualAddress:Port",
					    "RemoteAddress:Port",
					    "Type",
					    "Target",
					    "State",
					    "Since",
					    "Failures",
					    "Checks",
					    "Result" };

	print_table(out, jv_array(checks, "checks"), 10, head, "lllllllrrl", "No health checks.",
		    check_row);
}

static void announce_row(struct table *t, const json_t *v)
{
	char b[4][FMT_LEN], why[FMT_LEN];
	int on = jv_bool(v, "announced");
	const char *cells[] = {
		fmt_field(v, "vip", b[0]),
		on < 0 ? FMT_MISSING
		: on   ? "yes"
		       : "no",
		fmt_time(v, "since", b[1]),
		fmt_field(v, "changes", b[2]),
		fmt_field(v, "why", b[3]),
		jv_str(v, "reason") != NULL ? fmt_text(jv_str(v, "reason"), why) : FMT_MISSING,
	};

	table_add(t, cells);
}

void view_announce(FILE *out, const json_t *announce)
{
	static const char *const head[] = {
		"VIP", "Announced", "Since", "Changes", "Why", "Reason"
	};
	char b[3][FMT_LEN];

	if (jv_bool(announce, "enabled") != 1) {
		fprintf(out, "Route health injection is off (no announce group in the dataplane "
			     "file).\n");
		return;
	}
	fprintf(out, "Interface %s: %s of %zu VIPs announced; a stop withdraws them %s ms first\n",
		fmt_field(announce, "interface", b[0]), fmt_field(announce, "announced", b[1]),
		json_array_size(jv_array(announce, "vips")),
		fmt_field(announce, "stop_delay_ms", b[2]));
	print_table(out, jv_array(announce, "vips"), 6, head, "llllll", "No VIPs.", announce_row);
}

void view_version(FILE *out, const json_t *version)
{
	static const struct kv_field fields[] = {
		{ "version", "Version", KV_PLAIN },
		{ "dpdk", "DPDK", KV_PLAIN },
		{ "pid", "Pid", KV_PLAIN },
		{ "file_prefix", "File prefix", KV_PLAIN },
		{ "started", "Started", KV_TIME },
		{ "uptime", "Uptime", KV_DURATION },
		{ "keepalived_conf", "keepalived.conf", KV_PLAIN },
		{ "dataplane_conf", "Dataplane file", KV_PLAIN },
		{ "reloads", "Reloads", KV_PLAIN },
		{ "connections", "Connection table", KV_PLAIN },
	};
	const char *client[] = { "halbctl", HALB_VERSION };
	struct table t;

	table_init(&t, 2, NULL, "ll");
	kv_fill(&t, version, fields, sizeof(fields) / sizeof(fields[0]));
	table_add(&t, client);
	table_print(&t, out, "");
	table_free(&t);
}

json_t *checks_count(const json_t *checks)
{
	const json_t *arr = jv_array(checks, "checks");
	long long up = 0, down = 0;

	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *state = jv_str(json_array_get(arr, i), "state");

		up += state != NULL && strcmp(state, "UP") == 0;
		down += state != NULL && strcmp(state, "DOWN") == 0;
	}
	return json_pack("{s:I, s:I, s:I}", "checks", (json_int_t)json_array_size(arr), "up",
			 (json_int_t)up, "down", (json_int_t)down);
}

void view_checks_count(FILE *out, const json_t *counts)
{
	static const struct kv_field fields[] = {
		{ "checks", "Checks", KV_PLAIN },
		{ "up", "  UP", KV_PLAIN },
		{ "down", "  DOWN", KV_PLAIN },
	};

	kv_print(out, counts, fields, sizeof(fields) / sizeof(fields[0]), "lr", "");
}
