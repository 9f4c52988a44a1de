/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PKTENV_H
#define HALB_PKTENV_H

/*
 * The worker's world without a NIC, for the packet fixtures and the fuzzer.
 *
 * Once per process (pktenv_base_init): the EAL without hugepages or PCI, two
 * ring-backed ethdevs (net_ring) whose TX queues are rings the test reads
 * back, a mempool of mbufs with halb's private area, and the RCU variable.
 *
 * Per fixture (pktenv_open): a template table, a neighbour table, the
 * routing table of a small director, the fwd_env and PKTENV_WORKERS workers
 * with their connection tables and control rings, all driven from the
 * calling thread, which is registered as every worker's RCU reader.
 * pktenv_process runs what a worker redirects to another on that one. The clock is fake:
 * pktenv_clock sets what the workers see as now.
 *
 * The director:
 *   port 0 "eth1" 02:00:00:00:01:06, 172.17.1.6/16 and 192.168.30.6/24,
 *                 2001:db8:17::6/64 (and fe80::ff:fe00:106)
 *   port 1 "eth2" 02:00:00:00:02:06, 10.2.0.6/24, 2001:db8:2::6/64
 *   default routes via 172.17.0.1 and 2001:db8:17::1 (on port 0)
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "halb_fwd.h"
#include "halb_route.h"
#include "pktbuild.h"

#define PKTENV_PORTS     2
#define PKTENV_WORKERS   2
#define PKTENV_RING_SIZE 4096
#define PKTENV_MBUFS     8191

#define PKTENV_DIP0  PB_IP4(172, 17, 1, 6)
#define PKTENV_DIP0B PB_IP4(192, 168, 30, 6)
#define PKTENV_DIP1  PB_IP4(10, 2, 0, 6)
#define PKTENV_GW    PB_IP4(172, 17, 0, 1)

#define PKTENV_DIP0_6 PB_IP6(0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 6)
#define PKTENV_DIP1_6 PB_IP6(0x2001, 0xdb8, 0x2, 0, 0, 0, 0, 6)
#define PKTENV_GW6    PB_IP6(0x2001, 0xdb8, 0x17, 0, 0, 0, 0, 1)
#define PKTENV_LL0    PB_IP6(0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 0x106)

extern const struct pb_mac pktenv_port_mac[PKTENV_PORTS];
extern const uint32_t pktenv_port_addr[PKTENV_PORTS];

struct pktenv_base {
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *qsbr;
	uint16_t port_id[PKTENV_PORTS];
	struct rte_ring *tx[PKTENV_PORTS][PKTENV_WORKERS]; /* what the ports "sent" */
	struct rte_ring *rx[PKTENV_PORTS][PKTENV_WORKERS]; /* unused: frames are fed directly */
	/* IPv6 connections of the next pktenv_open's tables in all (each
	 * worker its share); 0: 64 each, for the fixtures */
	uint32_t conns6;
};

/* How big a world: the fixtures take the defaults, the benchmark asks for
 * the memory of millions of connections and a lcore per worker. */
struct pktenv_opts {
	unsigned int mem_mb; /* EAL memory (no hugepages); 0: 128 */
	unsigned int lcores; /* EAL lcores on the CPUs we may use; 0: one per CPU */
	unsigned int mbufs;  /* mbufs in the pool; 0: PKTENV_MBUFS */
	/* The EAL keeps no files (--no-shconf) and its runtime directory is
	 * removed at once, so that a process that dies (a fuzzer) leaves
	 * nothing behind. */
	bool no_shconf;
};

/* Starts the EAL and makes the ports with the defaults; prog is argv[0].
 * @return 0 or -1. */
int pktenv_base_init(struct pktenv_base *b, const char *prog, bool no_shconf);

/* The same with opts (NULL: the defaults). */
int pktenv_base_init_opts(struct pktenv_base *b, const char *prog, const struct pktenv_opts *opts);

/* Stops the EAL and removes its runtime directory (/var/run/dpdk/pkt<pid>),
 * which it would otherwise leave behind on every run. */
void pktenv_base_cleanup(void);

struct pktenv {
	struct pktenv_base *base;
	struct fwd_env env;
	struct route_table *routes; /* until a snapshot owns it */
	struct fwd_worker *w[PKTENV_WORKERS];
	uint64_t now_ms;
	struct neigh_ops neigh_ops;
	unsigned int solicited; /* ARP requests the neighbour table asked for */
};

/* Sets up a fixture's world with tables of max_conns IPv4 entries in all
 * (each worker its share; IPv6: b->conns6), embryonic_max of them per
 * worker embryonic before the oldest are evicted (0: no budget but the
 * table's size). @return 0 or -1 (with a message on stderr). */
int pktenv_open(struct pktenv *e, struct pktenv_base *b, uint32_t max_conns,
		uint32_t embryonic_max);

/* The sizes of a world's tables, for the benchmark (pktenv_open splits
 * max_conns evenly between the workers, as the daemon does). */
struct pktenv_tables {
	uint32_t per_worker;    /* connections of each worker's table */
	uint32_t embryonic_max; /* per worker; 0: no budget but the table's size */
	uint32_t templates;     /* persistence templates; 0: at least 64 */
};

/* pktenv_open with the tables sized by t. @return 0 or -1. */
int pktenv_open_tables(struct pktenv *e, struct pktenv_base *b, const struct pktenv_tables *t);

/* Frees it all and empties the rings. */
void pktenv_close(struct pktenv *e);

/* The workers' registry learns that stat slot is the real server rip:rport
 * of the service of slot svc_slot (IPv6: rip6). */
void pktenv_dest(struct pktenv *e, uint32_t slot, uint32_t rip, uint16_t rport, uint32_t svc_slot);
void pktenv_dest6(struct pktenv *e, uint32_t slot, const uint8_t *rip6, uint16_t rport,
		  uint32_t svc_slot);

/* Takes up to max neighbour records the workers passed on. */
unsigned int pktenv_take_learn(struct pktenv *e, struct fwd_learn *out, unsigned int max);

/* The workers' clock. */
void pktenv_clock(struct pktenv *e, uint64_t now_ms);

/* Every worker reports a quiescent state; retired snapshots are freed. */
void pktenv_quiesce(struct pktenv *e);

/* Turns every worker's connection wheel at the current time, as the worker
 * loop does, then reports quiescent states. */
void pktenv_expire(struct pktenv *e);

/* Builds and publishes a snapshot (the routes are those of the director).
 * @return 0 or -1. */
int pktenv_publish(struct pktenv *e, const struct svc_spec *specs, uint32_t n,
		   const struct svc_spec_addr *addrs, uint32_t n_addrs);

/* The current snapshot. */
const struct svc_snapshot *pktenv_snap(const struct pktenv *e);

/* The route towards dst: next hop and port. @return 0 or -1. */
int pktenv_route(const struct pktenv *e, uint32_t dst, uint32_t *nexthop, uint8_t *port);
int pktenv_route6(const struct pktenv *e, const uint8_t *dst, uint8_t *nexthop, uint8_t *port);

/* Learns ip at mac on the port that leads to it. @return its slot or -1. */
int32_t pktenv_neigh_learn(struct pktenv *e, uint32_t ip, struct pb_mac mac);
int32_t pktenv_neigh_learn6(struct pktenv *e, const uint8_t *ip, struct pb_mac mac);

/* Starts resolving ip (an INCOMPLETE entry). @return its slot or -1. */
int32_t pktenv_neigh_pending(struct pktenv *e, uint32_t ip);
int32_t pktenv_neigh_pending6(struct pktenv *e, const uint8_t *ip);

/* A single-segment mbuf holding len bytes, or NULL. */
struct rte_mbuf *pktenv_mbuf(struct pktenv *e, const uint8_t *bytes, size_t len);

/* The same in two segments, the first holding split bytes (as a NIC with
 * scattered receive delivers a large frame), or NULL. */
struct rte_mbuf *pktenv_mbuf_split(struct pktenv *e, const uint8_t *bytes, size_t len,
				   size_t split);

/* Feeds n frames to worker wid as received on in_port, then flushes. */
void pktenv_process(struct pktenv *e, uint16_t wid, struct rte_mbuf **m, uint16_t n,
		    uint8_t in_port);

/* Takes up to max frames sent on port (every TX queue). @return how many. */
unsigned int pktenv_take_tx(struct pktenv *e, uint8_t port, struct rte_mbuf **m, unsigned int max);

/* Takes up to max frames worker wid passed to the control core. */
unsigned int pktenv_take_ctl(struct pktenv *e, uint16_t wid, struct rte_mbuf **m, unsigned int max);

/* Frees whatever is left in the TX and control rings. @return how many. */
unsigned int pktenv_drain(struct pktenv *e);

#endif /* HALB_PKTENV_H */
