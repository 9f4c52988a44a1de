/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_FX_H
#define HALB_FX_H

/*
 * The packet-fixture harness. A fixture is a name and a short script: it
 * declares services and neighbours, then feeds frames one at a time, each
 * with the verdict expected of the worker:
 *
 *   fx_step(x, &in, fx_tx(0, &out));        sent on port 0, exactly out
 *   fx_step(x, &in, fx_ctl(PKT_CTL_ARP, &in)); handed to the control core
 *   fx_step(x, &in, fx_drop(FWD_DROP_FRAGMENT)); dropped under a reason
 *
 * and nothing else may happen: no other frame on any port or control ring,
 * no other drop counted. Sent frames must also pass pb_verify (every
 * checksum right). The first difference fails the fixture with a hex diff;
 * a fixture also fails when it leaks an mbuf.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktenv.h"

#define FX_MAX_TX   4
#define FX_MAX_CTL  2
#define FX_MAX_DROP 2
#define FX_MAX_GOT  64
#define FX_MAX_STAT 64

struct fx_expect {
	unsigned int n_tx;
	struct {
		uint8_t port;
		struct pb_frame f;
	} tx[FX_MAX_TX];
	unsigned int n_ctl;
	struct {
		uint8_t reason;
		bool compare; /* compare the frame (RESOLVE: from byte 6) */
		struct pb_frame f;
		uint32_t nexthop; /* RESOLVE */
		uint8_t out_port; /* RESOLVE */
		bool nexthop_is6; /* RESOLVE: nexthop6 instead */
		uint8_t nexthop6[16];
	} ctl[FX_MAX_CTL];
	unsigned int n_drop;
	enum fwd_drop drop[FX_MAX_DROP];
};

/* Sent on port, exactly f. */
struct fx_expect fx_tx(uint8_t port, const struct pb_frame *f);
/* Handed to the control core for reason; unchanged f when f is not NULL. */
struct fx_expect fx_ctl(uint8_t reason, const struct pb_frame *f);
/* Waiting for nexthop's MAC to go out of port as f (dst MAC aside). */
struct fx_expect fx_resolve(uint8_t port, uint32_t nexthop, const struct pb_frame *f);
struct fx_expect fx_resolve6(uint8_t port, const uint8_t *nexthop, const struct pb_frame *f);
/* Dropped and counted under why. */
struct fx_expect fx_drop(enum fwd_drop why);
/* Adds a drop to an expectation (a frame sent and another dropped). */
struct fx_expect fx_and_drop(struct fx_expect e, enum fwd_drop why);

/* A real server of a fixture's service. */
struct fx_rs {
	uint32_t addr;
	uint16_t port;
	uint32_t weight;
	bool down;  /* not available (failed its checks) */
	uint8_t af; /* 0: IPv4 in addr; 6: IPv6 in addr6 */
	uint8_t addr6[16];
};

/* A service of a fixture. */
struct fx_svc {
	uint32_t vip;
	uint16_t vport;
	uint8_t proto; /* 0: TCP */
	enum cfg_fwd fwd;
	enum cfg_sched sched;
	uint32_t persist_s;
	uint32_t persist_mask; /* 0: 255.255.255.255 */
	bool not_owned;        /* this director is BACKUP for the VIP */
	unsigned int n_rs;
	struct fx_rs rs[4];
	uint8_t af; /* 0: IPv4 in vip; 6: IPv6 in vip6 */
	uint8_t vip6[16];
	uint8_t persist_plen6; /* 0: 128 */
};

/* What the last fx_inject produced. */
struct fx_got {
	unsigned int n_tx[PKTENV_PORTS];
	struct rte_mbuf *tx[PKTENV_PORTS][FX_MAX_GOT];
	unsigned int n_ctl;
	struct rte_mbuf *ctl[FX_MAX_GOT];
	uint64_t drops[FWD_DROP_COUNT]; /* counted during the injection */
};

struct fx_stat_id {
	struct neigh_ip vip, rip; /* IPv4 mapped, or IPv6 */
	bool has_rip;
	uint16_t vport, rport;
	uint8_t proto;
};

struct fx {
	const char *name;
	const void *arg; /* the fixture's own data */
	struct pktenv e;
	uint16_t wid;    /* the worker that receives (0) */
	uint8_t in_port; /* the port frames arrive on (0) */
	unsigned int step;
	bool failed;
	char first[512];        /* the first failure */
	unsigned int offloaded; /* frames whose IPv4 checksum the "NIC" made */
	char *log;              /* details: hex diffs */
	size_t log_len;
	FILE *logf;
	struct fx_got got;
	unsigned int n_stat;
	struct fx_stat_id stat[FX_MAX_STAT];
};

/* Records a failure (the first one is the fixture's message). */
void fx_fail(struct fx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define FX_CHECK(x, cond, ...)                                        \
	do {                                                          \
		if (!(cond)) {                                        \
			fx_fail((x), "line %d: %s", __LINE__, #cond); \
			fprintf((x)->logf, "# line %d: ", __LINE__);  \
			fprintf((x)->logf, __VA_ARGS__);              \
			fputc('\n', (x)->logf);                       \
		}                                                     \
	} while (0)

/* Feeds one frame and checks the verdict. @return true when it matched. */
bool fx_step(struct fx *x, const struct pb_frame *in, struct fx_expect exp);

/* Feeds raw bytes (a frame the builder cannot describe). */
bool fx_step_raw(struct fx *x, const uint8_t *bytes, size_t len, struct fx_expect exp);

/* Feeds a frame in two segments, the first of split bytes. */
bool fx_step_split(struct fx *x, const struct pb_frame *in, size_t split, struct fx_expect exp);

/* Feeds n frames in one fwd_process call; the outputs are left in x->got
 * until fx_release. @return false when an mbuf could not be made. */
bool fx_inject(struct fx *x, const struct pb_frame *const *in, unsigned int n);
void fx_release(struct fx *x);

/* Publishes a snapshot of these services. @return 0 or -1. */
int fx_services(struct fx *x, const struct fx_svc *svcs, unsigned int n);

/* Learns a neighbour. */
void fx_neigh(struct fx *x, uint32_t ip, struct pb_mac mac);
void fx_neigh6(struct fx *x, const uint8_t *ip, struct pb_mac mac);

/* Moves the fake clock forward by ms, turning the connection wheels every
 * tick_ms as the worker loop would (tick_ms 0: once, at the end). */
void fx_advance(struct fx *x, uint64_t ms, uint64_t tick_ms);

/* The live connection under this key (incoming direction), or NULL. */
struct conn *fx_conn(struct fx *x, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		     uint8_t proto);
struct conn *fx_conn6(struct fx *x, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		      uint16_t dport, uint8_t proto);
/* The persistence template of client for vip:vport, or NULL. */
struct conn_tmpl *fx_template(struct fx *x, uint32_t client, uint32_t vip, uint16_t vport,
			      uint8_t proto);

/* The stat slot of a real server (rip != 0) or a service (rip == 0). */
uint32_t fx_stat(struct fx *x, uint32_t vip, uint16_t vport, uint8_t proto, uint32_t rip,
		 uint16_t rport);
/* The same for any family: rip NULL for the service. */
uint32_t fx_stat_ip(struct fx *x, const struct neigh_ip *vip, uint16_t vport, uint8_t proto,
		    const struct neigh_ip *rip, uint16_t rport);
/* Its counters summed over the workers. */
struct svc_counters fx_counters(struct fx *x, uint32_t vip, uint16_t vport, uint8_t proto,
				uint32_t rip, uint16_t rport);

/* The frame's destination MAC as a pb_mac. */
struct pb_mac fx_dst_mac(const struct rte_mbuf *m);

#endif /* HALB_FX_H */
