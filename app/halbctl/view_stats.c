/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `halbctl stats`: /halb/stats as sections, from the director as a whole
 * down to its parts: totals, drops by reason, the connection tables and the
 * defences engaged, one row per port, one row per worker, and the control
 * core. Counters are printed exactly (no
 * K/M abbreviation): these are what one compares between two runs. Counters
 * a newer halb adds to the totals or the control core still show, under
 * their own names.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "views.h"

static void print_totals(FILE *out, const json_t *total)
{
	static const struct kv_field fields[] = {
		{ "rx_packets", "Received packets", KV_PLAIN },
		{ "rx_bytes", "Received bytes", KV_PLAIN },
		{ "tx_packets", "Sent packets", KV_PLAIN },
		{ "tx_bytes", "Sent bytes", KV_PLAIN },
		{ "forwarded", "Forwarded", KV_PLAIN },
		{ "to_kernel", "To kernel", KV_PLAIN },
		{ "to_control", "To control core", KV_PLAIN },
		{ "from_kernel", "From kernel", KV_PLAIN },
		{ "dropped", "Dropped", KV_PLAIN },
	};

	fprintf(out, "Totals:\n");
	kv_print(out, total, fields, sizeof(fields) / sizeof(fields[0]), "lr", "  ");
}

static void print_drops(FILE *out, const json_t *drops)
{
	static const char *const head[] = { "Reason", "Packets" };
	char kbuf[FMT_LEN], vbuf[FMT_LEN];
	const char *cells[2];
	const char *key;
	struct table t;
	json_t *v;

	if (!json_is_object(drops) || json_object_size(drops) == 0) {
		fprintf(out, "Drops by reason: %s\n", json_is_object(drops) ? "none" : FMT_MISSING);
		return;
	}
	fprintf(out, "Drops by reason:\n");
	table_init(&t, 2, head, "lr");
	json_object_foreach((json_t *)drops, key, v)
	{
		cells[0] = fmt_text(key, kbuf);
		cells[1] = fmt_scalar(v, vbuf);
		table_add(&t, cells);
	}
	table_print(&t, out, "  ");
	table_free(&t);
}

static void port_row(struct table *t, const json_t *p)
{
	char b[8][FMT_LEN];
	const char *cells[] = {
		fmt_field(p, "name", b[0]),      fmt_field(p, "rx_packets", b[1]),
		fmt_field(p, "rx_bytes", b[2]),  fmt_field(p, "tx_packets", b[3]),
		fmt_field(p, "tx_bytes", b[4]),  fmt_field(p, "rx_missed", b[5]),
		fmt_field(p, "rx_errors", b[6]), fmt_field(p, "tx_errors", b[7]),
	};

	table_add(t, cells);
}

static void worker_row(struct table *t, const json_t *w)
{
	char b[8][FMT_LEN];
	char *drops = fmt_pairs(json_object_get(w, "drops"), " ", ", ", "none");
	const char *cells[] = {
		fmt_field(w, "id", b[0]),
		fmt_field(w, "lcore", b[1]),
		fmt_field(w, "rx_packets", b[2]),
		fmt_field(w, "tx_packets", b[3]),
		fmt_field(w, "forwarded", b[4]),
		fmt_field(w, "to_kernel", b[5]),
		fmt_field(w, "to_control", b[6]),
		fmt_field(w, "dropped", b[7]),
		drops,
	};

	table_add(t, cells);
	free(drops);
}

/* A section with one row per element of arr, or a note that it is empty. */
static void print_rows(FILE *out, const char *title, const json_t *arr, size_t ncols,
		       const char *const *head, const char *align,
		       void (*add_row)(struct table *t, const json_t *e))
{
	struct table t;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		fprintf(out, "%s %s\n", title, json_is_array(arr) ? "none" : FMT_MISSING);
		return;
	}
	fprintf(out, "%s\n", title);
	table_init(&t, ncols, head, align);
	for (i = 0; i < json_array_size(arr); i++)
		add_row(&t, json_array_get(arr, i));
	table_print(&t, out, "  ");
	table_free(&t);
}

static long long num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* The connection tables of every worker together: fill, the embryonic
 * share, the evictions and refusals (the defence against floods), the
 * persistence templates. */
static void print_conns(FILE *out, const json_t *conns)
{
	const json_t *t = json_object_get(conns, "table"),
		     *tp = json_object_get(conns, "templates");
	static const char *const reasons[] = { "evict_embryonic_budget", "evict_table_full",
					       "evict_bucket_full",      "queue_full",
					       "refuse_table_full",      "refuse_bucket_full" };
	long long cap = num(t, "capacity");
	bool any = false;

	if (!json_is_object(t)) {
		fprintf(out, "Connections: %s\n", FMT_MISSING);
		return;
	}
	fprintf(out, "Connections:\n");
	fprintf(out, "  Live        %lld of %lld (%lld%%)\n", num(t, "live"), cap,
		cap > 0 ? num(t, "live") * 100 / cap : 0);
	fprintf(out, "  Embryonic   %lld (at most %lld)\n", num(t, "embryonic"),
		num(t, "embryonic_max"));
	fprintf(out, "  Created     %lld\n", num(t, "created"));
	fprintf(out, "  Evicted and refused:");
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (num(t, reasons[i]) == 0)
			continue;
		fprintf(out, "%s %s %lld", any ? "," : "", reasons[i], num(t, reasons[i]));
		any = true;
	}
	fprintf(out, "%s\n", any ? "" : " none");
	if (json_is_object(tp))
		fprintf(out,
			"  Templates   %lld of %lld; created %lld, evicted %lld, refused %lld\n",
			num(tp, "live"), num(tp, "capacity"), num(tp, "created"),
			num(tp, "evicted"), num(tp, "refused"));
}

/* The defences engaged now, per worker ("none" when none is). */
static void print_defences(FILE *out, const json_t *workers)
{
	bool any = false;

	fprintf(out, "Defences engaged:");
	for (size_t i = 0; json_is_array(workers) && i < json_array_size(workers); i++) {
		const json_t *w = json_array_get(workers, i);
		const char *key;
		json_t *on;

		json_object_foreach((json_t *)json_object_get(w, "defences"), key, on)
		{
			if (!json_is_true(on))
				continue;
			fprintf(out, "%s worker %lld %s", any ? "," : "", num(w, "id"), key);
			any = true;
		}
	}
	fprintf(out, "%s\n", any ? "" : " none");
}

static void print_control(FILE *out, const json_t *control)
{
	static const struct kv_field fields[] = {
		{ "from_workers", "From workers", KV_PLAIN },
		{ "to_kernel", "To kernel", KV_PLAIN },
		{ "from_kernel", "From kernel", KV_PLAIN },
		{ "tx", "Sent", KV_PLAIN },
		{ "dropped", "Dropped", KV_PLAIN },
	};

	fprintf(out, "Control core:\n");
	kv_print(out, control, fields, sizeof(fields) / sizeof(fields[0]), "lr", "  ");
}

void view_stats(FILE *out, const json_t *stats)
{
	static const char *const port_head[] = { "Port",    "RxPackets", "RxBytes",  "TxPackets",
						 "TxBytes", "RxMissed",  "RxErrors", "TxErrors" };
	static const char *const worker_head[] = { "Worker",    "Lcore",     "RxPackets",
						   "TxPackets", "Forwarded", "ToKernel",
						   "ToControl", "Dropped",   "Drops" };

	print_totals(out, json_object_get(stats, "total"));
	fputc('\n', out);
	print_drops(out, json_object_get(stats, "drops"));
	fputc('\n', out);
	print_conns(out, json_object_get(stats, "conns"));
	print_defences(out, json_object_get(stats, "workers"));
	fputc('\n', out);
	print_rows(out, "Ports:", json_object_get(stats, "ports"), 8, port_head, "lrrrrrrr",
		   port_row);
	fputc('\n', out);
	print_rows(out, "Workers:", json_object_get(stats, "workers"), 9, worker_head, "rrrrrrrrl",
		   worker_row);
	fputc('\n', out);
	print_control(out, json_object_get(stats, "control"));
}

/* Fields that name things rather than count them. */
static bool is_label(const char *key)
{
	return strcmp(key, "id") == 0 || strcmp(key, "lcore") == 0 || strcmp(key, "port_id") == 0;
}

static json_t *rates_of(const json_t *prev, const json_t *cur, double seconds);

/* One value: integers become (cur - prev) / seconds; others are kept. */
static json_t *rate_value(const char *key, const json_t *prev, const json_t *cur, double seconds)
{
	if (json_is_object(cur) || json_is_array(cur))
		return rates_of(prev, cur, seconds);
	if (json_is_integer(cur) && (key == NULL || !is_label(key))) {
		json_int_t was = json_is_integer(prev) ? json_integer_value(prev) : 0;
		double d = (double)(json_integer_value(cur) - was) / seconds;

		return json_integer((json_int_t)(d < 0 ? 0 : d + 0.5));
	}
	return json_deep_copy(cur);
}

static json_t *rates_of(const json_t *prev, const json_t *cur, double seconds)
{
	json_t *out;

	if (json_is_array(cur)) {
		out = json_array();
		for (size_t i = 0; i < json_array_size(cur); i++)
			json_array_append_new(out, rate_value(NULL, json_array_get(prev, i),
							      json_array_get(cur, i), seconds));
		return out;
	}
	if (json_is_object(cur)) {
		const char *key;
		json_t *v;

		out = json_object();
		json_object_foreach((json_t *)cur, key, v) json_object_set_new(
		    out, key, rate_value(key, json_object_get(prev, key), v, seconds));
		return out;
	}
	return json_deep_copy(cur);
}

json_t *stats_rates(const json_t *prev, const json_t *cur, double seconds)
{
	return rates_of(prev, cur, seconds > 0 ? seconds : 1);
}
