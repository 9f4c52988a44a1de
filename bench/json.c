/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halb-bench --json FILE: every number of the printed tables, every run of
 * every row included, for docs/benchmarks.json and bench/compare.sh. Keys
 * only grow: a reader of an older file (compare.sh reads the commit before
 * data plane v2) finds the keys it knows where they were.
 */
#include <jansson.h>
#include <rte_version.h>

#include "bench.h"

static json_t *series_json(const struct bench_series *s)
{
	json_t *runs = json_array();

	for (unsigned int i = 0; i < s->n; i++)
		json_array_append_new(runs, json_real(s->v[i]));
	return json_pack("{s:f, s:f, s:f, s:o}", "median", series_median(s), "min", series_min(s),
			 "max", series_max(s), "runs", runs);
}

static json_t *row_json(const struct bench_row *r)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I}", "case",
	    bench_case_name(r->c), "frames", bench_frames_name(r->frames), "conns",
	    (json_int_t)r->conns, "workers", (json_int_t)r->workers, "mpps_per_worker",
	    series_json(&r->mpps), "cycles_per_packet", series_json(&r->cycles), "gbps_per_worker",
	    series_json(&r->gbps), "packets", (json_int_t)r->packets, "anomalies",
	    (json_int_t)r->anomalies, "rounds", (json_int_t)r->rounds, "rounds_left_out",
	    (json_int_t)r->skipped, "sync_records", (json_int_t)r->sync_events);

	if (r->hw_counted) {
		json_t *hw = json_object();

		for (unsigned int e = 0; e < HW_COUNT; e++)
			if (r->hw[e] >= 0)
				json_object_set_new(hw, bench_hw_name(e), json_real(r->hw[e]));
		json_object_set_new(o, "hw_per_packet", hw);
	}
	return o;
}

static json_t *ir_json(const struct bench_ir *ir)
{
	json_t *o = json_pack("{s:s, s:s, s:f, s:I}", "case", ir->name, "unit", ir->unit,
			      "per_unit", ir->ir, "units", (json_int_t)ir->units);

	if (ir->unit[0] == 'p') /* the older key */
		json_object_set_new(o, "per_packet", json_real(ir->ir));
	if (ir->cache_sim) {
		json_object_set_new(o, "d1_misses", json_real(ir->d1));
		json_object_set_new(o, "ll_misses", json_real(ir->ll));
	}
	return o;
}

static json_t *level_json(const struct bench_level *l)
{
	return json_pack("{s:I, s:I, s:I, s:b, s:I, s:I, s:f, s:f, s:[f,f,f,f]}", "conns",
			 (json_int_t)l->conns, "exact_table_bytes", (json_int_t)l->exact_bytes,
			 "exact_table_bytes6", (json_int_t)l->exact_bytes6, "fitted", l->fitted,
			 "capacity", (json_int_t)l->capacity, "table_bytes",
			 (json_int_t)l->table_bytes, "bytes_per_conn",
			 l->conns ? (double)l->exact_bytes / l->conns : 0.0, "bytes_per_conn6",
			 l->conns ? (double)l->exact_bytes6 / l->conns : 0.0, "fill_inserts_per_s",
			 l->fill_per_s[0], l->fill_per_s[1], l->fill_per_s[2], l->fill_per_s[3]);
}

static json_t *flood_json(const struct bench_flood *f)
{
	json_t *shares = json_array(), *reasons = json_object();

	for (unsigned int k = 0; k < f->n_rtt; k++)
		json_array_append_new(shares, json_pack("{s:f, s:I, s:I, s:I}", "rtt_ms",
							f->share[k].rtt_ms, "delay_packets",
							(json_int_t)f->share[k].delay, "acks",
							(json_int_t)f->share[k].acks, "completed",
							(json_int_t)f->share[k].completed));
	for (unsigned int k = 0; k < CONN_REASON_COUNT; k++)
		json_object_set_new(reasons, conn_reason_name(k), json_integer(f->reasons[k]));
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:f, s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, "
			 "s:I}, s:b}",
			 "case", bench_case_name(f->c), "conns", (json_int_t)f->conns, "per_worker",
			 (json_int_t)f->per_worker, "budget", (json_int_t)f->budget, "room",
			 (json_int_t)f->room, "mpps", f->mpps, "legit_every",
			 (json_int_t)f->legit_every, "handshakes", shares, "reasons", reasons,
			 "templates", "live", (json_int_t)f->tmpl.live, "capacity",
			 (json_int_t)f->tmpl.capacity, "created", (json_int_t)f->tmpl.created,
			 "evicted", (json_int_t)f->tmpl.evicted, "refused",
			 (json_int_t)f->tmpl.refused, "established_kept", f->established_kept);
}

static json_t *control_json(const struct bench *b)
{
	return json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:I}", "maglev_10_ms",
			 series_json(&b->ctl.maglev_ms[0]), "maglev_100_ms",
			 series_json(&b->ctl.maglev_ms[1]), "maglev_1000_ms",
			 series_json(&b->ctl.maglev_ms[2]), "snapshot_services",
			 (json_int_t)b->ctl.snap_services, "snapshot_build_ms",
			 series_json(&b->ctl.snap_build_ms), "snapshot_publish_us",
			 series_json(&b->ctl.snap_pub_us), "snapshot_flap_build_ms",
			 series_json(&b->ctl.snap_flap_ms), "sync_decode_cycles_per_conn",
			 series_json(&b->ctl.decode_cycles), "sync_decode_conns_per_msg",
			 (json_int_t)b->ctl.decode_per_msg);
}

int bench_write_json(const struct bench *b, const char *path)
{
	char model[256];
	double mhz;
	json_t *root, *rows = json_array(), *ir = json_array(), *levels = json_array();
	json_t *floods = json_array(), *syncs = json_array();
	int rc;

	bench_cpu(model, sizeof(model), &mhz);
	for (unsigned int i = 0; i < b->n_rows; i++)
		json_array_append_new(rows, row_json(&b->rows[i]));
	for (unsigned int i = 0; i < b->n_ir; i++)
		json_array_append_new(ir, ir_json(&b->ir[i]));
	for (unsigned int i = 0; i < b->o.n_levels; i++)
		json_array_append_new(levels, level_json(&b->levels[i]));
	for (unsigned int i = 0; i < b->n_floods; i++)
		json_array_append_new(floods, flood_json(&b->floods[i]));
	for (unsigned int i = 0; i < b->n_syncs; i++)
		json_array_append_new(
		    syncs, json_pack("{s:I, s:o, s:o}", "conns", (json_int_t)b->syncs[i].conns,
				     "install_cycles_per_conn", series_json(&b->syncs[i].install),
				     "refresh_cycles_per_conn", series_json(&b->syncs[i].refresh)));
	root = json_pack(
	    "{s:{s:s, s:f, s:f, s:I, s:s, s:I, s:I}, s:{s:I, s:I, s:I, s:b, s:s}, s:o, s:o, s:s?, "
	    "s:I, s:o, s:o, s:o, s:s?, s:o, s:f}",
	    "machine", "cpu", model, "cpu_mhz", mhz, "tsc_mhz", b->tsc_hz / 1e6, "lcores",
	    (json_int_t)b->n_lcores, "dpdk", rte_version(), "eal_mem_mb", (json_int_t)b->o.mem_mb,
	    "peak_rss_kib", (json_int_t)bench_peak_rss_kib(), "method", "runs",
	    (json_int_t)b->o.runs, "packets_per_run", (json_int_t)b->o.packets, "rdtsc_overhead",
	    (json_int_t)b->rdtsc_cost, "quick", b->o.quick, "dr_new_scheduler",
	    cfg_sched_name(b->o.new_sched), "forwarding", rows, "instructions", ir,
	    "instructions_note", b->ir_note, "instructions_conns", (json_int_t)b->o.cg_conns,
	    "tables", levels, "floods", floods, "sync_install", syncs, "hw_note",
	    b->hw_note[0] ? b->hw_note : NULL, "control", control_json(b), "seconds", b->seconds);
	if (root == NULL) {
		fprintf(stderr, "bench: cannot build the JSON\n");
		return -1;
	}
	rc = json_dump_file(root, path, JSON_INDENT(1));
	json_decref(root);
	if (rc != 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	return rc;
}
