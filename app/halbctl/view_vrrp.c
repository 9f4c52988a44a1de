/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `halbctl vrrp`: a block per VRRP instance of /halb/vrrp, the facts an
 * operator checks during a failover first (state, priorities, who is
 * master, the VIPs), then the counters that explain a wrong state (adverts,
 * rejects by reason, trackers) and the last transitions in local time.
 * States are printed as halb reports them, spelled as keepalived does.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "views.h"

/* Values start in column 22, under each other. */
static void line(FILE *out, const char *label, const char *value)
{
	fprintf(out, "  %-19s %s\n", label, value);
}

/* The last transition into the current state tells since when it holds. */
static void print_state(FILE *out, const json_t *vi)
{
	const json_t *tr = jv_array(vi, "transitions");
	const json_t *last = json_array_get(tr, json_array_size(tr) - 1);
	const char *state = jv_str(vi, "state");
	const char *to = jv_str(last, "to");
	char buf[FMT_LEN], value[2 * FMT_LEN + 16], at[FMT_LEN];

	fmt_field(vi, "state", buf);
	if (state != NULL && to != NULL && strcmp(state, to) == 0 &&
	    strcmp(fmt_time(last, "at", at), FMT_MISSING) != 0)
		snprintf(value, sizeof(value), "%s since %s", buf, at);
	else
		snprintf(value, sizeof(value), "%s", buf);
	line(out, "State:", value);
}

static void print_priority(FILE *out, const json_t *vi)
{
	char prio[FMT_LEN], eff[FMT_LEN], value[3 * FMT_LEN];

	snprintf(value, sizeof(value), "%s, effective %s", fmt_field(vi, "priority", prio),
		 fmt_field(vi, "effective_priority", eff));
	line(out, "Priority:", value);
}

static void print_master(FILE *out, const json_t *vi)
{
	const char *state = jv_str(vi, "state");
	char addr[FMT_LEN], prio[FMT_LEN], value[3 * FMT_LEN];

	fmt_field(vi, "master", addr);
	if (strcmp(addr, FMT_MISSING) == 0) {
		line(out, "Master:", FMT_MISSING);
		return;
	}
	snprintf(value, sizeof(value), "%s, priority %s%s", addr,
		 fmt_field(vi, "master_priority", prio),
		 state != NULL && strcmp(state, "MASTER") == 0 ? " (this director)" : "");
	line(out, "Master:", value);
}

static void print_advert_int(FILE *out, const json_t *vi)
{
	char value[FMT_LEN];
	double secs;

	if (jv_num(vi, "advert_int", &secs))
		snprintf(value, sizeof(value), "%g s", secs);
	else
		snprintf(value, sizeof(value), "%s", FMT_MISSING);
	line(out, "Advert interval:", value);
}

static void print_adverts(FILE *out, const json_t *vi)
{
	char sent[FMT_LEN], rcvd[FMT_LEN], value[3 * FMT_LEN];

	snprintf(value, sizeof(value), "%s sent, %s received", fmt_field(vi, "adverts_sent", sent),
		 fmt_field(vi, "adverts_received", rcvd));
	line(out, "Adverts:", value);
}

static void print_list_field(FILE *out, const char *label, const json_t *vi, const char *key)
{
	char *text = fmt_join(json_object_get(vi, key), ", ", "none");

	line(out, label, text);
	free(text);
}

static void print_rejects(FILE *out, const json_t *vi)
{
	char *text = fmt_pairs(json_object_get(vi, "rejects"), " ", ", ", "none");

	line(out, "Rejects:", text);
	free(text);
}

/*
 * A label with a table of objects under it, or "none"/"-" on the label's
 * line. add_row turns one element into cells.
 */
static void print_sub_table(FILE *out, const char *label, const json_t *arr, size_t ncols,
			    const char *const *head, const char *align,
			    void (*add_row)(struct table *t, const json_t *e))
{
	struct table t;
	size_t i;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		line(out, label, json_is_array(arr) ? "none" : FMT_MISSING);
		return;
	}
	fprintf(out, "  %s\n", label);
	table_init(&t, ncols, head, align);
	for (i = 0; i < json_array_size(arr); i++)
		add_row(&t, json_array_get(arr, i));
	table_print(&t, out, "    ");
	table_free(&t);
}

static void tracker_row(struct table *t, const json_t *e)
{
	char name[FMT_LEN], type[FMT_LEN], status[FMT_LEN], weight[FMT_LEN];
	const char *cells[] = {
		fmt_field(e, "name", name),
		fmt_field(e, "type", type),
		fmt_field(e, "status", status),
		fmt_field(e, "weight", weight),
	};

	table_add(t, cells);
}

static void transition_row(struct table *t, const json_t *e)
{
	char at[FMT_LEN], from[FMT_LEN], to[FMT_LEN], reason[FMT_LEN];
	const char *cells[] = {
		fmt_time(e, "at", at),
		fmt_field(e, "from", from),
		fmt_field(e, "to", to),
		fmt_field(e, "reason", reason),
	};

	table_add(t, cells);
}

static void print_instance(FILE *out, const json_t *vi)
{
	static const char *const tracker_head[] = { "Name", "Type", "Status", "Weight" };
	static const char *const transition_head[] = { "Time", "From", "To", "Reason" };
	char buf[FMT_LEN];

	fprintf(out, "VRRP instance %s\n", fmt_field(vi, "name", buf));
	print_state(out, vi);
	line(out, "Interface:", fmt_field(vi, "interface", buf));
	line(out, "Virtual router ID:", fmt_field(vi, "vrid", buf));
	line(out, "VRRP version:", fmt_field(vi, "version", buf));
	print_priority(out, vi);
	print_master(out, vi);
	print_advert_int(out, vi);
	print_list_field(out, "Virtual IPs:", vi, "vips");
	line(out, "Sync group:", fmt_field(vi, "sync_group", buf));
	print_adverts(out, vi);
	print_rejects(out, vi);
	print_sub_table(out, "Trackers:", json_object_get(vi, "trackers"), 4, tracker_head, "lllr",
			tracker_row);
	print_sub_table(out, "Transitions:", json_object_get(vi, "transitions"), 4, transition_head,
			"llll", transition_row);
}

void view_vrrp(FILE *out, const json_t *vrrp)
{
	const json_t *list = jv_array(vrrp, "instances");
	size_t i, shown = 0;

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *vi = json_array_get(list, i);

		if (!json_is_object(vi))
			continue;
		if (shown++ > 0)
			fputc('\n', out);
		print_instance(out, vi);
	}
	if (shown == 0)
		fprintf(out, "No VRRP instances.\n");
}
