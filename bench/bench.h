/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_BENCH_H
#define HALB_BENCH_H

/*
 * halb-bench: the perf mode of the packet-fixture harness (tests/pkt).
 *
 * The world is pktenv's (EAL without hugepages, ring-backed ports, a fake
 * clock); the code under test is the worker's own round, fwd_worker_poll:
 * rx_burst from the port's RX ring, fwd_process, fwd_flush into the TX
 * ring, a turn of the connection wheel and an RCU quiescent report. The
 * harness fills the RX ring with prepared frames between rounds and takes
 * the sent ones back from the TX ring; only the round is timed.
 *
 *   traffic.c   frames, flows, the timed worker loops, the cases
 *   control.c   Maglev builds, snapshot publishing, table memory
 *   callgrind.c instructions per packet: the cases again under callgrind
 *   report.c    medians and spreads, the table, the JSON
 *   main.c      options and the order of things
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktenv.h"

#define BENCH_RUNS_MAX 15
#define BENCH_RS       8 /* real servers per service */

/* The forwarding cases. */
enum bench_case {
	BC_DR_EST = 0, /* DR, ACKs of established connections */
	BC_DR_NEW,     /* DR, SYNs: schedule, insert; old ones expire */
	BC_NAT_REQ,    /* NAT, client -> VIP */
	BC_NAT_REP,    /* NAT, real server -> client */
	BC_TUN,        /* TUN, established: an outer IPv4 header */
	BC_DR6_EST,    /* DR over IPv6, established */
	BC_DR6_NEW,    /* DR over IPv6, SYNs */
	BC_COUNT
};

enum bench_frames {
	BF_64 = 0, /* 64-byte frames (60 on the wire without FCS) */
	BF_IMIX,   /* 7 x 64 : 4 x 594 : 1 x 1518 (Simple IMIX) */
	BF_COUNT
};

const char *bench_case_name(enum bench_case c);
const char *bench_frames_name(enum bench_frames f);

/* What one run gives per worker; a series keeps one value per run. */
struct bench_series {
	unsigned int n;
	double v[BENCH_RUNS_MAX];
};

void series_add(struct bench_series *s, double v);
double series_median(const struct bench_series *s);
double series_min(const struct bench_series *s);
double series_max(const struct bench_series *s);

/* One row of the forwarding table. */
struct bench_row {
	enum bench_case c;
	enum bench_frames frames;
	uint32_t conns; /* concurrent connections */
	unsigned int workers;
	struct bench_series mpps;   /* per worker core, each run the mean of the workers */
	struct bench_series cycles; /* TSC cycles per packet */
	struct bench_series gbps;   /* per worker core, frame bytes (no FCS) */
	uint64_t packets;           /* timed, over all runs and workers */
	uint64_t anomalies;         /* frames not forwarded (must be 0) */
	uint64_t rounds, skipped;   /* worker rounds; left out as preempted */
};

/* Per connection level: the table's memory and how fast it filled. */
struct bench_level {
	uint32_t conns;
	uint32_t capacity;     /* max_conns of the table */
	uint64_t table_bytes;  /* what conn_table_create took from the heap */
	uint64_t exact_bytes;  /* the same for a table of exactly conns */
	uint64_t exact_bytes6; /* what conns IPv6 entries add to a table */
	double fill_per_s[4];  /* DR, NAT, TUN, DR6: SYNs of an empty table, 1 worker */
	uint64_t fill_packets; /* per fill */
	bool fitted;           /* false: the table could not be made */
};

struct bench_ir {
	enum bench_case c;
	double per_packet; /* instructions (Ir) per packet in fwd_worker_poll */
	uint64_t packets;
};

/* Control-plane timings, milliseconds per run. */
struct bench_ctl {
	uint32_t maglev_rs[3];
	struct bench_series maglev_ms[3];
	uint32_t snap_services;
	struct bench_series snap_build_ms; /* svc_snapshot_build */
	struct bench_series snap_pub_us;   /* svc_publish */
	struct bench_series snap_flap_ms;  /* svc_snapshot_build, one change */
};

struct bench_opts {
	bool quick;
	unsigned int runs;
	unsigned int max_workers;
	uint32_t levels[4];
	unsigned int n_levels;
	uint64_t packets; /* timed packets per worker and run */
	unsigned int mem_mb;
	bool callgrind; /* measure instructions per packet */
	const char *json;
	const char *only;    /* run only the cases whose name contains this */
	bool keep_preempted; /* time every round, preempted or not */
	enum cfg_sched new_sched;
};

struct bench {
	struct bench_opts o;
	struct pktenv_base base;
	unsigned int n_lcores;
	double tsc_hz;
	uint64_t rdtsc_cost; /* cycles of an empty timed region */
	struct bench_row rows[256];
	unsigned int n_rows;
	struct bench_level levels[4];
	struct bench_ir ir[BC_COUNT];
	unsigned int n_ir;
	const char *ir_note;
	struct bench_ctl ctl;
	double seconds;
};

/* traffic.c: every case at one connection level; appends rows. */
int bench_level_run(struct bench *b, struct bench_level *lv);

/* traffic.c: a short deterministic pass of each case (under callgrind, the
 * instructions in fwd_worker_poll are counted between markers). */
int bench_callgrind_cases(struct bench *b, uint64_t packets);

/* control.c */
int bench_control(struct bench *b);
/* The heap bytes a table of max_conns IPv4 and max_conns6 IPv6 entries
 * takes (made and freed); 0 when it cannot be made. */
uint64_t bench_table_bytes(struct rte_rcu_qsbr *qsbr, uint32_t max_conns, uint32_t max_conns6);

/* callgrind.c: runs this program's callgrind mode under valgrind and
 * fills b->ir. @return 0, or -1 with b->ir_note saying why not. */
int bench_callgrind(struct bench *b, const char *self);
/* The child's side: markers around a case. */
void bench_cg_begin(void);
void bench_cg_end(enum bench_case c, uint64_t packets);
bool bench_cg_running(void);

/* report.c */
void bench_print_header(const struct bench *b, FILE *out);
void bench_print_table(const struct bench *b, FILE *out);
int bench_write_json(const struct bench *b, const char *path);
/* CPU model and MHz from /proc/cpuinfo. */
void bench_cpu(char *model, size_t len, double *mhz);

#endif /* HALB_BENCH_H */
