/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_FWD_H
#define HALB_FWD_H

/**
 * @file
 * The worker path: receive a burst, parse, classify, look connections up in
 * bulk in the worker's own table, schedule new ones, rewrite for DR, NAT or
 * TUN, transmit in bursts.
 *
 * Each worker owns its connections (lib/conn). A packet that belongs to
 * another worker's connection is redirected to it through that worker's
 * redirect ring: NAT connections are owned by a hash of the client's address
 * and port, which both directions carry, so replies find their owner without
 * a lookup; a DR/TUN flow stays on the queue the NIC's RSS gave it, and a
 * mid-flow packet that finds no connection asks the other tables before it
 * is dropped or adopted (a connection installed from a sync message, or a
 * flow af_packet's fanout rolled over to another queue under load).
 *
 * Frames the dataplane does not forward itself go to the control core on
 * two rings: the priority ring (VRRP adverts, sync messages), drained first
 * and whole, and the bulk ring (traffic for the kernel, frames waiting for a
 * neighbour), fed through per-worker token buckets so that a flood fills
 * neither. ARP requests and IPv6 neighbour solicitations for the director's
 * own addresses are answered here, and what ARP and neighbour adverts say
 * about known neighbours goes to the control core as small records, not
 * frames.
 *
 * fwd_process() is the single entry point used by the worker loop, the
 * packet fixtures, the fuzzer and the benchmark: they all drive the real
 * code. Nothing on this path takes a lock (but the persistence templates'
 * on a new client), makes a syscall or logs; every frame is sent, handed
 * on, or dropped and counted under a reason.
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

#define FWD_MAX_PORTS   8
#define FWD_MAX_WORKERS 64 /**< DP_MAX_WORKERS */
#define FWD_BURST       32
#define FWD_TX_MAX      64 /**< frames buffered per port before a forced flush */

/** Reasons a frame is dropped; names in fwd_drop_name(). */
enum fwd_drop {
	FWD_DROP_TRUNCATED = 0,
	FWD_DROP_BAD_IP_HEADER,
	FWD_DROP_BAD_IP_CHECKSUM,
	FWD_DROP_BAD_L4_HEADER,
	FWD_DROP_BAD_IPV6_EXT,   /**< an extension header malformed or out of place */
	FWD_DROP_IPV6_EXT_CHAIN, /**< too many extension headers, or too long */
	FWD_DROP_IPV6_ROUTING,   /**< to a VIP, with a routing header's segments left */
	FWD_DROP_FRAGMENT,
	FWD_DROP_NOT_FOR_US,
	FWD_DROP_VIP_NOT_OWNED,
	FWD_DROP_NO_CONNECTION,
	FWD_DROP_NO_REAL_SERVER,
	FWD_DROP_REAL_SERVER_GONE,
	FWD_DROP_CONN_TABLE_FULL,
	FWD_DROP_NO_ROUTE,
	FWD_DROP_MTU_EXCEEDED,
	FWD_DROP_TTL_EXCEEDED,
	FWD_DROP_RING_FULL,       /**< the bulk ring to the control core */
	FWD_DROP_PRIO_RING_FULL,  /**< the priority ring to the control core */
	FWD_DROP_REDIRECT_FULL,   /**< another worker's redirect ring */
	FWD_DROP_KERNEL_POLICED,  /**< for the kernel, over its token bucket */
	FWD_DROP_TRUSTED_POLICED, /**< the same, from a real server or peer */
	FWD_DROP_ARP_POLICED,
	FWD_DROP_RESOLVE_POLICED, /**< waiting for a neighbour, over its bucket */
	FWD_DROP_BAD_ARP,
	FWD_DROP_ARP_IGNORED, /**< about nobody halb or its kernel cares for */
	FWD_DROP_VRRP_BAD_TTL,
	FWD_DROP_VRRP_UNTRUSTED,
	FWD_DROP_BAD_ND,     /**< a neighbour discovery message RFC 4861 7.1 refuses */
	FWD_DROP_ND_IGNORED, /**< about nobody halb or its kernel cares for */
	FWD_DROP_ND_POLICED, /**< neighbour discovery for the kernel, over the ARP bucket */
	FWD_DROP_RA_IGNORED, /**< router adverts: routes come from the dataplane file */
	FWD_DROP_TX_FULL,
	FWD_DROP_NO_MBUF,
	FWD_DROP_NEIGH_UNRESOLVED, /**< counted by the control core */
	FWD_DROP_NEIGH_QUEUE_FULL, /**< counted by the control core */
	FWD_DROP_NEIGH_TABLE_FULL, /**< counted by the control core */
	FWD_DROP_SYNC_POLICED,     /**< sync messages over their token bucket */
	FWD_DROP_COUNT
};

/** "truncated", "bad_ip_header", ... (telemetry keys). */
const char *fwd_drop_name(enum fwd_drop d);

/** A port as the workers see it; immutable once workers run. */
struct fwd_port {
	uint16_t port_id; /**< DPDK ethdev id */
	struct rte_ether_addr mac;
	uint16_t mtu;
	rte_be32_t addr;   /**< primary address (TUN's outer source, ICMP) */
	int16_t ctl_txq;   /**< control TX queue, or -1: through worker 0 */
	bool ip_cksum;     /**< the NIC sums the IPv4 headers halb writes whole */
	uint8_t addr6[16]; /**< primary IPv6 address (TUN's outer source, ICMPv6);
			    * the link-local one when it has none */
	uint8_t ll6[16];   /**< IPv6 link-local address (from the MAC) */
};

/** A token bucket: rate per second, burst at most. */
struct fwd_bucket {
	uint64_t tokens; /**< thousandths of a token */
	uint64_t last_ms;
	uint32_t rate, burst;
};

/** The token buckets of a worker, by what they police. */
enum fwd_policer {
	FWD_POL_KERNEL = 0, /**< for the kernel, from anybody */
	FWD_POL_TRUSTED,    /**< for the kernel, from a real server, gateway or peer */
	FWD_POL_ARP,        /**< ARP frames for the kernel */
	FWD_POL_RESOLVE,    /**< frames waiting for a neighbour */
	FWD_POL_LEARN,      /**< ARP records about known neighbours */
	FWD_POL_ICMP,       /**< ICMP errors the worker originates */
	FWD_POL_SYNC,       /**< sync messages received, for the control core */
	FWD_POL_COUNT
};

/** Rates (per second, per worker) and bursts of the token buckets. */
struct fwd_limits {
	uint32_t rate[FWD_POL_COUNT];
	uint32_t burst[FWD_POL_COUNT];
};

/** The defaults: what a director's kernel and control core take easily. */
extern const struct fwd_limits fwd_limits_default;

/** Counters of one worker (written only by it). */
struct fwd_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t forwarded;
	uint64_t to_kernel, to_control;
	uint64_t from_control; /**< frames sent on behalf of the control core */
	uint64_t redirected;   /**< sent to the owner worker */
	uint64_t redirects_in; /**< received from other workers */
	uint64_t adopted;      /**< mid-flow packets given a connection */
	uint64_t reused;       /**< SYNs that replaced a closed connection */
	uint64_t arp_replies;  /**< ARP requests answered here */
	uint64_t nd_replies;   /**< neighbour solicitations answered here */
	uint64_t learn;        /**< neighbour records sent to the control core */
	uint64_t icmp_sent, icmp_limited;
	uint64_t fragments; /**< fragments made of frames over the MTU */
	uint64_t dropped;
	uint64_t drops[FWD_DROP_COUNT];
	uint64_t polls, busy_polls;
} __rte_cache_aligned;

/**
 * A connection for connection synchronisation, either way: a worker tells
 * the control core (sync_out) that one of its connections reached a state
 * worth syncing, and the control core hands a worker (sync_in) one received
 * from the MASTER to install in its table.
 */
struct fwd_sync {
	struct conn_key key; /**< the client's key (incoming direction) */
	uint16_t rs_stat;
	uint8_t state;      /**< enum conn_state */
	uint8_t flags;      /**< CONN_F_* (the forwarding method, assured) */
	uint16_t timeout_s; /**< what is left of it */
	uint16_t pad;
	uint32_t tmpl; /**< sync_out: its template + 1, to sync with it */
};

/** Sync counters of a worker. */
struct fwd_sync_stats {
	uint64_t events, events_dropped; /**< sent to the control core, or not (ring full) */
	uint64_t installed, refreshed;   /**< received connections made or updated */
	uint64_t kept_local;             /**< received, but a connection of its own stood */
	uint64_t replaced; /**< a synced copy bound to another server, made anew (IPVS) */
	uint64_t refused;  /**< received, no room in the table */
};

/** A neighbour fact from ARP or a neighbour advert, for the control core
 * (struct in the learn ring). */
struct fwd_learn {
	struct neigh_ip ip;
	struct rte_ether_addr mac;
	uint8_t port;
	uint8_t pad;
};

/**
 * The schedulers' view of every real server's load, published by the control
 * core (fwd_loads_publish) about every millisecond: the sums over workers of
 * active and inactive connections. A worker adds what it made since.
 */
struct fwd_load {
	uint32_t active, inactive;
};

struct fwd_loads {
	uint32_t gen;             /**< +1 at each publication */
	struct fwd_load *by_stat; /**< [SVC_STAT_MAX] */
};

/** What a worker made since a publication, by stat slot. */
struct fwd_load_local {
	uint32_t gen, made;
};

struct fwd_worker;

/** What every worker shares. Set up by the daemon before workers start. */
struct fwd_env {
	struct svc_domain svc;
	struct conn_tmpls *tmpls;
	struct conn_dest *dests; /**< [SVC_STAT_MAX] by stat slot, filled by the control core */
	struct neigh_table *neigh;
	struct rte_rcu_qsbr *qsbr;
	struct fwd_loads loads;
	struct fwd_limits limits;
	bool sloppy_tcp;       /**< adopt mid-flow TCP for every scheduler (IPVS's sloppy_tcp) */
	bool sync_send;        /**< the sync daemon is MASTER: workers report state changes */
	rte_be32_t sync_group; /**< sync messages' group (0: no sync daemon) */
	rte_be16_t sync_port;
	uint16_t n_ports;
	struct fwd_port ports[FWD_MAX_PORTS];
	uint16_t n_workers;
	struct fwd_worker *workers[FWD_MAX_WORKERS];
	uint32_t idle_sleep_us;
	volatile bool quit;
};

struct fwd_txq {
	uint16_t n;
	struct rte_mbuf *pkts[FWD_TX_MAX];
};

/** Frames waiting to be redirected to one worker. */
struct fwd_redirq {
	uint16_t n;
	struct rte_mbuf *pkts[FWD_BURST];
};

struct fwd_worker {
	uint16_t id; /**< also its RX/TX queue on every port and RCU id */
	unsigned int lcore;
	struct fwd_env *env;
	struct conn_table *conns;     /**< its own connections */
	struct rte_ring *to_ctl;      /**< worker -> control, bulk */
	struct rte_ring *to_ctl_prio; /**< worker -> control, VRRP and sync */
	struct rte_ring *learn;       /**< worker -> control, struct fwd_learn */
	struct rte_ring *from_ctl;    /**< control -> worker: frames to send */
	struct rte_ring *redirect;    /**< other workers -> this one (MP/SC) */
	struct rte_ring *sync_out;    /**< worker -> control, struct fwd_sync (or NULL) */
	struct rte_ring *sync_in;     /**< control -> worker, struct fwd_sync (or NULL) */
	struct rte_mempool *pool;     /**< for frames the worker makes */
	struct rte_mempool *indirect; /**< for fragments */
	uint64_t now_ms;              /**< the clock of this round */
	uint32_t now_s;
	uint16_t ip_id;   /**< next id of an IPv4 header it makes (ids: w->id mod n_workers) */
	uint32_t frag_id; /**< next IPv6 fragment id (w->id in the top 6 bits) */
	struct fwd_bucket pol[FWD_POL_COUNT];
	struct fwd_txq tx[FWD_MAX_PORTS];
	struct fwd_redirq *redir; /**< [n_workers] */
	struct fwd_stats st;
	struct fwd_sync_stats sst;
	struct svc_counters *ctr;     /**< [SVC_STAT_MAX] */
	struct fwd_load_local *local; /**< [SVC_STAT_MAX] */
};

/**
 * Creates worker id's state (its connection table of capacity connections,
 * counters, redirect ring) on socket.
 * @return NULL with rte_errno set.
 */
struct fwd_worker *fwd_worker_create(struct fwd_env *env, uint16_t id, struct rte_mempool *pool,
				     const struct conn_table_params *conns, int socket);

void fwd_worker_free(struct fwd_worker *w);

/**
 * Processes n frames received on halb port in_port at w->now_ms: each is
 * queued for transmission (fwd_flush sends), redirected, passed to the
 * control core, or dropped and counted. snap is the snapshot of this burst.
 */
void fwd_process(struct fwd_worker *w, const struct svc_snapshot *snap, struct rte_mbuf **pkts,
		 uint16_t n, uint8_t in_port);

/** Processes what other workers redirected to w (at most a burst). @return
 * how many. */
uint32_t fwd_process_redirected(struct fwd_worker *w, const struct svc_snapshot *snap);

/** Sends what fwd_process queued, one burst per port, and hands redirected
 * frames to their workers; frees what is refused (counted). */
void fwd_flush(struct fwd_worker *w);

/** Sends the frames the control core left in w->from_ctl. */
void fwd_drain_control(struct fwd_worker *w);

/**
 * One round of the worker loop at w->now_ms: a burst from every port and
 * from the redirect ring through fwd_process, the control core's frames,
 * fwd_flush, a bounded turn of the connection wheel and an RCU quiescent
 * report. The caller is w's RCU reader (registered and online).
 * @return the frames received.
 */
uint32_t fwd_worker_poll(struct fwd_worker *w);

/** Sets the worker's clock. */
void fwd_worker_clock(struct fwd_worker *w, uint64_t now_ms);

/** The lcore entry point: sets the clock and polls until env->quit. */
int fwd_worker_main(void *arg);

/** Turns w's connection wheel (up to budget entries), counters included. */
uint32_t fwd_worker_expire(struct fwd_worker *w, uint32_t budget);

/** Installs (at most max) connections the control core received from the
 * sync MASTER. @return how many it looked at. */
uint32_t fwd_sync_install(struct fwd_worker *w, uint32_t max);

/** Sum over workers of a stat slot's counters. */
void fwd_counters_sum(const struct fwd_env *env, uint32_t stat, struct svc_counters *out);

/** Control core: publishes the summed loads of the first n stat slots. */
void fwd_loads_publish(struct fwd_env *env, uint32_t n);

/** Milliseconds on the TSC clock the workers use. */
uint64_t fwd_clock_ms(void);

/** The worker that owns a NAT connection of this client address and port. */
uint16_t fwd_owner(const struct fwd_env *env, uint8_t af, const void *addr, rte_be16_t port);

#ifdef __cplusplus
}
#endif

#endif /* HALB_FWD_H */
