/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_BENCH_H
#define HALB_BENCH_H

/*
 * halb-bench: the perf mode of the packet-fixture harness (tests/pkt).
 *
 * The world is pktenv's (EAL without hugepages, ring-backed ports, a fake
 * clock); the code under test is the worker's own round, fwd_worker_poll:
 * rx_burst from the port's RX ring, fwd_process, redirected frames, sync
 * installs, fwd_flush into the TX ring, a turn of the connection wheel and
 * an RCU quiescent report. The harness fills the RX ring with prepared
 * frames between rounds and takes the sent ones back from the TX ring; only
 * the round is timed.
 *
 *   traffic.c   frames, generators, the timed worker loops
 *   level.c     a level of connections: tables, services, fills, and the
 *               forwarding cases (established, new, whole connections,
 *               NAT across workers)
 *   flood.c     dr-syn-flood: random-source SYNs against the embryonic
 *               budget, and how many legitimate handshakes complete
 *   sync.c      connection sync: the sender's cost, decode and install
 *   hwc.c       hardware counters (perf_event_open), where the machine has them
 *   control.c   Maglev builds, snapshot publishing, table memory
 *   callgrind.c instructions and simulated cache misses: the cases again
 *               under callgrind
 *   report.c    medians and spreads, the tables, the JSON
 *   main.c      options and the order of things
 *
 * A case is a row of case_defs (level.c): adding one (an IPv6 variant, say)
 * is a row there and a generator kind or method if it needs a new one.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktenv.h"

#define BENCH_RUNS_MAX 15
#define BENCH_RS       8 /* real servers per service */
#define BENCH_RTTS     4 /* round-trip times of the legitimate clients in a flood */

/* The forwarding cases, in the order the table prints them. */
enum bench_case {
	BC_DR_EST = 0,       /* DR, ACKs of established connections */
	BC_DR_NEW,           /* DR, SYNs: schedule, insert; old ones expire */
	BC_DR_CONN,          /* DR, whole connections: SYN, ACK, FIN, expiry */
	BC_DR_CONN_SYNC,     /* the same with the sync sender on */
	BC_DR_FLOOD,         /* random-source SYNs past the embryonic budget */
	BC_DR_FLOOD_PERSIST, /* the same at a persistent service (templates) */
	BC_NAT_REQ,          /* NAT, client -> VIP */
	BC_NAT_REP,          /* NAT, real server -> client, on the owner */
	BC_NAT_REP_CROSS,    /* the same on the other worker: redirected */
	BC_NAT_NEW,          /* NAT, SYNs (two keys a connection) */
	BC_TUN,              /* TUN, established: an outer IPv4 header */
	BC_DR6_EST,          /* DR over IPv6, established */
	BC_DR6_NEW,          /* DR over IPv6, SYNs */
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

/* Hardware events counted per packet (hwc.c), where the CPU exposes them. */
enum bench_hw_event {
	HW_CYCLES = 0,
	HW_INSTRUCTIONS,
	HW_CACHE_MISSES, /* last-level cache, as perf's cache-misses */
	HW_L1D_MISSES,   /* L1d load misses */
	HW_DTLB_MISSES,  /* dTLB load misses */
	HW_COUNT
};

const char *bench_hw_name(enum bench_hw_event e);

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
	uint64_t sent;              /* the same, timed or not */
	uint64_t sync_events;       /* records the sync sender made */
	uint64_t anomalies;         /* frames not forwarded (must be 0) */
	uint64_t rounds, skipped;   /* worker rounds; left out as preempted */
	bool hw_counted;
	double hw[HW_COUNT]; /* per packet, one extra run counted */
};

/* Per connection level: the table's memory and how fast it filled. */
struct bench_level {
	uint32_t conns;
	uint32_t capacity;     /* each worker's table with one worker */
	uint64_t table_bytes;  /* what conn_table_create took from the heap */
	uint64_t exact_bytes;  /* the same for a table of exactly conns */
	uint64_t exact_bytes6; /* what conns IPv6 entries add to a table */
	double fill_per_s[4];  /* DR, NAT, TUN, DR6: SYNs of an empty table, 1 worker */
	uint64_t fill_packets; /* per fill */
	bool fitted;           /* false: the table could not be made */
};

/* Instructions (and simulated cache misses) per unit, from callgrind. */
struct bench_ir {
	char name[32];    /* a case's name, or sync-decode / sync-install */
	const char *unit; /* "packet" or "connection" */
	double ir;        /* instructions */
	double d1, ll;    /* simulated L1d and last-level misses (reads + writes) */
	bool cache_sim;   /* d1 and ll were measured */
	uint64_t units;
};

/* A SYN flood at one level (flood.c). */
struct bench_flood {
	enum bench_case c;                 /* BC_DR_FLOOD or BC_DR_FLOOD_PERSIST */
	uint32_t conns;                    /* established connections in the table (survivors) */
	uint32_t per_worker, budget, room; /* room: embryonic entries that fit */
	double mpps;                       /* one worker, the row's median */
	uint32_t legit_every;
	unsigned int n_rtt;
	struct {
		double rtt_ms;
		uint64_t delay; /* packets between a legitimate SYN and its ACK */
		uint64_t acks, completed;
	} share[BENCH_RTTS];
	uint64_t reasons[CONN_REASON_COUNT]; /* the tables' counters after it */
	struct conn_tmpls_stats tmpl;
	bool established_kept; /* every established connection survived */
};

/* Connection sync at one level (sync.c); the sender's cost is the
 * difference of the dr-conn rows. */
struct bench_sync {
	uint32_t conns;
	struct bench_series install; /* cycles per connection installed */
	struct bench_series refresh; /* cycles per connection refreshed */
};

/* Control-plane timings, milliseconds per run. */
struct bench_ctl {
	uint32_t maglev_rs[3];
	struct bench_series maglev_ms[3];
	uint32_t snap_services;
	struct bench_series snap_build_ms; /* svc_snapshot_build */
	struct bench_series snap_pub_us;   /* svc_publish */
	struct bench_series snap_flap_ms;  /* svc_snapshot_build, one change */
	struct bench_series decode_cycles; /* sync_decode, cycles per connection */
	unsigned int decode_per_msg;       /* connections in a message */
};

struct bench_opts {
	bool quick;
	unsigned int runs;
	unsigned int max_workers;
	uint32_t levels[4];
	unsigned int n_levels;
	uint64_t packets; /* timed packets per worker and run */
	unsigned int mem_mb;
	bool callgrind;    /* measure instructions per packet */
	uint32_t cg_conns; /* the level of the callgrind pass */
	bool hw;           /* count hardware events where there are any */
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
	bool cg;             /* this is the callgrind child */
	struct bench_row rows[256];
	unsigned int n_rows;
	struct bench_level levels[4];
	struct bench_ir ir[32];
	unsigned int n_ir;
	const char *ir_note;
	char hw_note[256]; /* why there are no hardware counts ("" when there are) */
	bool hw_ok;
	struct bench_flood floods[8];
	unsigned int n_floods;
	struct bench_sync syncs[4];
	unsigned int n_syncs;
	struct bench_ctl ctl;
	double seconds;
};

/* level.c: every case at one connection level; appends rows. */
int bench_level_run(struct bench *b, struct bench_level *lv);
/* Whether a case was asked for (--only). */
bool bench_wanted(const struct bench *b, enum bench_case c);
/* The same for what is not a forwarding case (sync-decode, sync-install). */
bool bench_wanted_name(const struct bench *b, const char *name);

/* control.c */
int bench_control(struct bench *b);
/* The heap bytes a table of max_conns IPv4 and max_conns6 IPv6 entries
 * takes (made and freed); 0 when it cannot be made. */
uint64_t bench_table_bytes(uint32_t max_conns, uint32_t max_conns6);

/* sync.c: sync_decode of full IPVS v1 messages (control core's side). */
int bench_sync_decode(struct bench *b);

/* callgrind.c: runs this program's callgrind mode under valgrind and
 * fills b->ir. @return 0, or -1 with b->ir_note saying why not. */
int bench_callgrind(struct bench *b, const char *self);
/* The child's side: markers around what is counted. */
void bench_cg_begin(void);
void bench_cg_end(const char *name, const char *unit, uint64_t units);
bool bench_cg_running(void);

/* hwc.c: whether this thread can count hardware events; b->hw_note says
 * why not. */
bool bench_hw_probe(struct bench *b);

/* report.c */
void bench_print_header(const struct bench *b, FILE *out);
void bench_print_table(const struct bench *b, FILE *out);
/* CPU model and MHz from /proc/cpuinfo. */
void bench_cpu(char *model, size_t len, double *mhz);
/* The process's peak resident memory (VmHWM) in KiB, 0 when unknown. */
unsigned long bench_peak_rss_kib(void);
/* The 64-byte row of case c at conns and workers, or NULL. */
const struct bench_row *bench_row_find(const struct bench *b, enum bench_case c, uint32_t conns,
				       unsigned int workers);

/* json.c */
int bench_write_json(const struct bench *b, const char *path);

#endif /* HALB_BENCH_H */
