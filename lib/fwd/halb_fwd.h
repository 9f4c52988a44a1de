/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_FWD_H
#define HALB_FWD_H

/**
 * @file
 * The worker path: receive a burst, parse, classify, look connections up in
 * bulk, schedule new ones, rewrite for DR, NAT or TUN, transmit in bursts.
 * Frames the dataplane does not forward itself (ARP, VRRP, traffic for the
 * director, packets waiting for a neighbour) go to the control core through
 * the worker's ring; frames the control core sends come back the same way
 * when a port has no control TX queue of its own.
 *
 * fwd_process() is the single entry point used by the worker loop, the
 * packet fixtures, the fuzzer and the benchmark: they all drive the real
 * code. Nothing on this path takes a lock, makes a syscall or logs; every
 * frame is either sent, handed to the control core, or dropped and counted
 * under a reason.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "halb_conn.h"
#include "halb_neigh.h"
#include "halb_pkt.h"
#include "halb_svc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FWD_MAX_PORTS 8
#define FWD_BURST     32
#define FWD_TX_MAX    64 /**< frames buffered per port before a forced flush */

/** Reasons a frame is dropped; names in fwd_drop_name(). */
enum fwd_drop {
	FWD_DROP_TRUNCATED = 0,
	FWD_DROP_BAD_IP_HEADER,
	FWD_DROP_BAD_IP_CHECKSUM,
	FWD_DROP_BAD_L4_HEADER,
	FWD_DROP_FRAGMENT,
	FWD_DROP_NOT_FOR_US,
	FWD_DROP_VIP_NOT_OWNED,
	FWD_DROP_NO_CONNECTION,
	FWD_DROP_NO_REAL_SERVER,
	FWD_DROP_REAL_SERVER_GONE,
	FWD_DROP_CONN_TABLE_FULL,
	FWD_DROP_CONN_NO_MEMORY,
	FWD_DROP_NO_ROUTE,
	FWD_DROP_MTU_EXCEEDED,
	FWD_DROP_RING_FULL,
	FWD_DROP_TX_FULL,
	FWD_DROP_NO_MBUF,
	FWD_DROP_NEIGH_UNRESOLVED, /**< counted by the control core */
	FWD_DROP_NEIGH_QUEUE_FULL, /**< counted by the control core */
	FWD_DROP_COUNT
};

/** "truncated", "bad_ip_header", ... (telemetry keys). */
const char *fwd_drop_name(enum fwd_drop d);

/** A port as the workers see it; immutable once workers run. */
struct fwd_port {
	uint16_t port_id; /**< DPDK ethdev id */
	struct rte_ether_addr mac;
	uint16_t mtu;
	rte_be32_t addr; /**< primary address (TUN's outer source, ICMP) */
	int16_t ctl_txq; /**< control TX queue, or -1: through worker 0 */
};

/** Counters of one worker (written only by it). */
struct fwd_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t forwarded;
	uint64_t to_kernel, to_control;
	uint64_t from_control; /**< frames sent on behalf of the control core */
	uint64_t dropped;
	uint64_t drops[FWD_DROP_COUNT];
	uint64_t polls, busy_polls;
} __rte_cache_aligned;

struct fwd_worker;

/** What every worker shares. Set up by the daemon before workers start. */
struct fwd_env {
	struct svc_domain svc;
	struct conn_table *conns;
	struct neigh_table *neigh;
	struct rte_rcu_qsbr *qsbr;
	uint16_t n_ports;
	struct fwd_port ports[FWD_MAX_PORTS];
	uint16_t n_workers;
	struct fwd_worker *workers[RTE_MAX_LCORE];
	uint32_t idle_sleep_us;
	volatile bool quit;
};

struct fwd_txq {
	uint16_t n;
	struct rte_mbuf *pkts[FWD_TX_MAX];
};

struct fwd_worker {
	uint16_t id; /**< also its RX/TX queue on every port and RCU id */
	unsigned int lcore;
	struct fwd_env *env;
	struct conn_worker *cw;
	struct rte_ring *to_ctl;   /**< worker -> control */
	struct rte_ring *from_ctl; /**< control -> worker: frames to send */
	struct rte_mempool *pool;  /**< for frames the worker makes (ICMP) */
	uint64_t now_ms;           /**< the clock of this burst */
	uint16_t ip_id;            /**< TUN outer IP ids */
	struct fwd_txq tx[FWD_MAX_PORTS];
	struct fwd_stats st;
	struct svc_counters *ctr; /**< [SVC_STAT_MAX] */
};

/**
 * Creates worker id's state (counters included) on socket.
 * @return NULL with rte_errno set.
 */
struct fwd_worker *fwd_worker_create(struct fwd_env *env, uint16_t id, struct rte_mempool *pool,
				     int socket);

void fwd_worker_free(struct fwd_worker *w);

/**
 * Processes n frames received on halb port in_port at w->now_ms: each is
 * queued for transmission (fwd_flush sends), passed to the control core,
 * or dropped and counted. snap is the snapshot of this burst.
 */
void fwd_process(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf **pkts,
		 uint16_t n, uint8_t in_port);

/** Sends what fwd_process queued, one burst per port; frees what the NIC
 * refuses (counted as tx_full). */
void fwd_flush(struct fwd_worker *w);

/** Sends the frames the control core left in w->from_ctl. */
void fwd_drain_control(struct fwd_worker *w);

/**
 * One round of the worker loop at w->now_ms: a burst from every port through
 * fwd_process, the control core's frames, fwd_flush, a bounded turn of the
 * connection wheel and an RCU quiescent report. The caller is w's RCU reader
 * (registered and online). @return the frames received.
 */
uint32_t fwd_worker_poll(struct fwd_worker *w);

/** The lcore entry point: sets the clock and polls until env->quit. */
int fwd_worker_main(void *arg);

/** Sum over workers of a stat slot's counters. */
void fwd_counters_sum(const struct fwd_env *env, uint32_t stat, struct svc_counters *out);

/** Milliseconds on the TSC clock the workers use. */
uint64_t fwd_clock_ms(void);

#ifdef __cplusplus
}
#endif

#endif /* HALB_FWD_H */
