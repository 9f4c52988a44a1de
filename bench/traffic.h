/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_BENCH_TRAFFIC_H
#define HALB_BENCH_TRAFFIC_H

/*
 * What the files of bench/ share about traffic: the generators (what frames
 * a worker receives), a level (the director, its tables filled), and the
 * timed runs of one or two workers over a generator.
 */

#include <rte_ring.h>

#include "bench.h"

#define VIP_DR      PB_IP4(172, 17, 100, 100)
#define VIP_NAT     PB_IP4(172, 17, 100, 101)
#define VIP_TUN     PB_IP4(172, 17, 100, 102)
#define VIP_DR_PERS PB_IP4(172, 17, 100, 103) /* DR, persistence_timeout */
#define VIP_DR6     PB_IP6(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0x100)
#define CLIENT6     PB_IP6(0x2001, 0xdb8, 0xc, 0, 0, 0, 0, 0) /* low 32 bits: the client */
#define VPORT       80
#define NAT_RPORT   8080
#define HDR_LEN     54  /* Ethernet, IPv4, TCP without options */
#define HDR6_LEN    74  /* Ethernet, IPv6, TCP without options */
#define RING_MBUFS  512 /* frames in flight per worker */
#define PERSIST_S   300 /* the persistent service's persistence_timeout */

/* Flow numbers (a client address and port each, client_addr/port): the
 * established ones of a level count from 0, the others from these, each
 * worker in its own stretch. */
#define NEW_FLOWS   (1ull << 30) /* SYNs of new connections; 2^28 a worker */
#define LIFE_FLOWS  (1ull << 29) /* whole connections; 2^27 a worker */
#define LEGIT_FLOWS (3ull << 28) /* a flood's legitimate clients; 2^26 a worker */

/* DR6: DR over IPv6, its connections in the tables' IPv6 entries */
enum method { M_DR, M_NAT, M_TUN, M_DR6, M_COUNT };

enum gen_kind {
	G_FLOWS, /* the level's flows: in order (a fill) or at random */
	G_NEW,   /* SYNs of new flows */
	G_LIFE,  /* whole connections: SYN, ACK, FIN of new flows, interleaved */
	G_FLOOD, /* SYNs from random sources; a legitimate SYN every K, its ACK D later */
};

/* The TCP flags of a frame. */
enum { V_SYN, V_ACK, V_FIN, V_COUNT };

/* What a worker receives. */
struct gen {
	enum gen_kind kind;
	enum method m;
	uint32_t vip;    /* the service's VIP (host order; 0 for DR6: VIP_DR6) */
	bool reply;      /* NAT: real server -> client */
	uint8_t variant; /* V_*: G_FLOWS's frames */
	bool imix;
	bool sequential;      /* G_FLOWS: the worker's flows in order (else at random) */
	bool cross;           /* G_FLOWS: the other worker's flows (NAT replies) */
	uint32_t n_flows;     /* G_FLOWS: the level's */
	uint32_t legit_every; /* G_FLOOD: K flood SYNs a legitimate one */
	uint64_t legit_delay; /* G_FLOOD: D packets from a legitimate SYN to its ACK */
	/* set per worker by run_workers: its flows, as RSS would give each
	 * worker its own: own[0..n_own) when own is set (NAT: the flows whose
	 * clients the worker owns), else base..base + n_own (a contiguous
	 * range: a worker's connections are its own memory in a director) */
	const uint32_t *own;
	uint32_t base, n_own;
	uint64_t next; /* G_FLOWS in order: the next; G_NEW, G_LIFE: the position */
	/* the templates: by flags, by frame size; hdr_len of each copied */
	uint8_t hdr[V_COUNT][3][HDR6_LEN];
	uint16_t len[3];
	uint16_t hdr_len;
};

struct gen gen_make(enum gen_kind kind, enum method m, bool reply, uint8_t variant, bool imix);
/* The same generator towards another VIP of the method. */
void gen_vip(struct gen *g, uint32_t vip);

/* A level: the director with its tables, filled with n connections of one
 * method for `workers` workers. */
struct level {
	struct bench *b;
	struct pktenv e;
	uint32_t n;
	unsigned int workers;
	uint32_t per_worker, budget; /* each worker's table and embryonic budget */
	uint64_t seed;
	uint64_t next_new[PKTENV_WORKERS], next_life[PKTENV_WORKERS];
	uint64_t next_legit[PKTENV_WORKERS];
	/* with two workers, the flows of [0, n) whose NAT clients each owns */
	uint32_t *own[PKTENV_WORKERS];
	uint32_t n_own[PKTENV_WORKERS];
	struct rte_ring *sync_out[PKTENV_WORKERS]; /* the sync sender's, when on */
};

/* What a run gives, summed over its workers. */
struct result {
	uint64_t sent; /* packets, timed or not */
	uint64_t pkts, cycles, anomalies, rounds, skipped;
	double mpps_per_worker, gbps_per_worker;
	uint64_t legit_syns, legit_acks, legit_done; /* G_FLOOD */
	uint64_t sync_events;
	bool hw_counted;
	uint64_t hw[HW_COUNT];
};

/* What a run is asked for beyond its generator. */
struct run_opts {
	unsigned int workers;
	uint64_t target;     /* packets per worker */
	uint64_t clock_step; /* ms per round, 16.16 fixed point (churn) */
	bool realtime;       /* the clock follows the TSC (floods) */
	bool verify;         /* check the first burst's output frames */
	bool count_hw;       /* count hardware events around each round */
};

/*
 * Runs workers (1 or 2) on generator g and sums up. Worker 0 is this
 * thread, worker 1 the next lcore; with fewer lcores (the callgrind child)
 * one thread runs the workers' rounds in turn. @return 0 or -1.
 */
int run_workers(struct level *lv, const struct gen *g, const struct run_opts *ro,
		struct result *res);

/* ------------------------------------------------------------ level.c */

/* Each worker's table at level n with one worker: n, and room for the
 * churn of the new-connection cases. */
uint32_t level_capacity(uint32_t n);

/* Opens level n for `workers` workers: each its share of level_capacity(n)
 * (as the daemon shares `connections`), embryonic_pct of it embryonic at
 * most (0: no budget), and templates for `templates` clients (0: few).
 * @return 0 or -1. */
int level_open(struct level *lv, struct bench *b, uint32_t n, unsigned int workers,
	       unsigned int embryonic_pct, uint32_t templates);
/* The same, v6: the level's connections are IPv6 (DR6): each worker's
 * table has its share in IPv6 entries, few IPv4 ones. */
int level_open_af(struct level *lv, struct bench *b, uint32_t n, unsigned int workers,
		  unsigned int embryonic_pct, uint32_t templates, bool v6);
void level_close(struct level *lv);

/* The services and neighbours (every fill starts with it: rr starts over).
 * @return 0 or -1. */
int level_setup(struct level *lv);

/* Fills the level with n established connections of method m, each worker
 * its own; *per_s: SYNs a second per worker while the table filled.
 * @return 0 or -1. */
int level_fill(struct level *lv, enum method m, double *per_s);

/* Expires every connection. @return 0 when the tables are empty. */
int level_empty(struct level *lv);

uint32_t level_live(const struct level *lv);
uint32_t level_assured(const struct level *lv);

/* Why frames were not forwarded: the workers' drop counters, on stderr. */
void report_losses(const struct level *lv);

/* Whether a row is made: asked for, and in the callgrind child one of
 * 64-byte frames and one worker (two across). */
bool row_wanted(const struct bench *b, enum bench_case c, enum bench_frames f,
		unsigned int workers);
struct bench_row *row_new(struct bench *b, enum bench_case c, enum bench_frames f, uint32_t conns,
			  unsigned int workers);

/* A row: a warm-up of `warm` packets per worker, then the runs (in the
 * callgrind child, one run between markers); then a run with hardware
 * counters when there are. @return 0 or -1. */
int row_run(struct level *lv, struct bench_row *row, const struct gen *g, const struct run_opts *ro,
	    uint64_t warm);

/* Two rows of one case whose runs alternate, set(lv, false) before each of
 * rows[0]'s and set(lv, true) before rows[1]'s: two settings measured under
 * the same conditions. Ends with set(lv, false). @return 0 or -1. */
int row_run_ab(struct level *lv, struct bench_row *rows[2], const struct gen *g,
	       const struct run_opts *ro, uint64_t warm, int (*set)(struct level *, bool));

/* flood.c: the flood rows and handshakes at level n. */
int flood_level(struct bench *b, uint32_t n);

/* sync.c: the sync sender on (its rings made the first time) or off; the
 * rings freed; the install rate. */
int sync_sender(struct level *lv, bool on);
void sync_sender_free(struct level *lv);
int sync_install_level(struct level *lv);

/* The client of a flow (host order). */
uint32_t client_addr(uint64_t flow);
uint16_t client_port(uint64_t flow);
uint32_t rs_addr(unsigned int r);
/* The IPv6 real servers, on port 0's link (2001:db8:17::/64). */
void rs_addr6(unsigned int r, uint8_t *a);
struct pb_mac rs_mac(unsigned int r);
uint32_t method_vip(enum method m);

/* hwc.c: a thread's hardware counters, enabled around what is counted. */
struct hwc {
	int fd[HW_COUNT];
	bool any;
};

bool hwc_open(struct hwc *h, char *why, size_t len);
void hwc_enable(struct hwc *h);
void hwc_disable(struct hwc *h);
void hwc_read(const struct hwc *h, uint64_t out[HW_COUNT]);
void hwc_close(struct hwc *h);

#endif
