/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CONN_H
#define HALB_CONN_H

/**
 * @file
 * The connection table: one lock-free hash shared by every worker, keyed by
 * the 5-tuple of the packet as it arrives. A DR/TUN connection is entered
 * once (client -> VIP); a NAT connection twice, the second key being the
 * real server's reply (RIP:rport -> client), so a reply found on any worker
 * leads to the same entry. Persistence templates live in the same table
 * under keys of their own kind.
 *
 * Concurrency:
 * - Lookups take no lock (rte_hash with RW_CONCURRENCY_LF). Inserts and
 *   deletes take the hash's writer lock: once per connection, never per
 *   packet.
 * - Each connection belongs to the worker that created it: that worker's
 *   timer wheel holds it, expires it and frees it. Other workers only read
 *   it, refresh its expiry, and move its TCP state with a compare-and-swap
 *   (state changes, not packets, pay for the atomic).
 * - Memory is reclaimed after an RCU grace period (rte_rcu_qsbr): a dead
 *   connection waits in its owner's graveyard list with the hash positions
 *   of the keys it lost, and both go back together, so no reader ever sees a
 *   key slot or a connection reused under it.
 *
 * Expiry follows IPVS: TCP states and timeouts (SYN_RECV 60 s, ESTABLISHED
 * 900 s, FIN_WAIT 120 s, TIME_WAIT 120 s, CLOSE 10 s, ...), UDP 300 s; a
 * template lives while it has connections. There is no global scan: each
 * worker turns its own wheel a bounded amount per loop.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_rcu_qsbr.h>

#include "halb_config.h" /* enum cfg_fwd */

#ifdef __cplusplus
extern "C" {
#endif

enum conn_kind {
	CONN_KIND_CONN = 0,
	CONN_KIND_TEMPLATE = 1,
};

/** Hash key: the packet's 5-tuple as it arrives (network byte order). */
struct conn_key {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	uint8_t proto;
	uint8_t kind; /**< enum conn_kind */
	uint16_t pad; /**< zero */
} __rte_packed;

/** IPVS's TCP states. */
enum conn_state {
	CONN_S_NONE = 0,
	CONN_S_ESTABLISHED,
	CONN_S_SYN_SENT,
	CONN_S_SYN_RECV,
	CONN_S_FIN_WAIT,
	CONN_S_TIME_WAIT,
	CONN_S_CLOSE,
	CONN_S_CLOSE_WAIT,
	CONN_S_LAST_ACK,
	CONN_S_LISTEN,
	CONN_S_SYNACK,
	CONN_S_UDP, /**< every UDP connection */
	CONN_S_COUNT
};

/** Which key a lookup matched. */
enum conn_dir {
	CONN_DIR_IN = 0,  /**< client -> VIP */
	CONN_DIR_OUT = 1, /**< real server -> client (NAT replies) */
};

#define CONN_F_TEMPLATE   0x01 /**< a persistence template */
#define CONN_F_NAT_KEY    0x02 /**< also entered under the reply key */
#define CONN_F_DEAD       0x04 /**< keys deleted; memory awaits its owner */
#define CONN_F_INPUT_ONLY 0x08 /**< DR/TUN: replies never pass the director */

struct conn {
	rte_be32_t caddr, vaddr, daddr; /**< client, virtual, destination */
	rte_be16_t cport, vport, dport;
	uint8_t proto;
	uint8_t fwd;       /**< enum cfg_fwd */
	uint8_t state;     /**< enum conn_state; changed with conn_touch */
	uint8_t flags;     /**< CONN_F_* */
	uint16_t owner;    /**< worker whose wheel holds it */
	uint16_t rs_stat;  /**< counters slot of the real server (< SVC_STAT_MAX) */
	uint16_t svc_stat; /**< counters slot of the service */
	int32_t pos;       /**< dead: hash position of its key, to free; or -1 */
	uint64_t expires;  /**< ms, monotonic; refreshed by any worker */
	union {
		struct {
			uint32_t timeout;      /**< persistence timeout in ms */
			uint32_t n_controlled; /**< connections bound to it */
		};                             /**< templates */
		int32_t reply_pos;             /**< dead NAT connections: as pos */
	};
	union {
		struct conn *tmpl; /**< the template this connection follows */
		uint64_t token;    /**< buried: the RCU token of its death (not in
				    * expires, which a worker that found it just
				    * before may still refresh) */
	};
	struct conn *next; /**< owner's wheel or graveyard */
};

struct conn_table_params {
	const char *name;
	uint32_t max_conns; /**< connections plus templates */
	uint16_t n_workers; /**< owners; RCU reader ids 0..n_workers-1 */
	struct rte_rcu_qsbr *qsbr;
	int socket;
};

struct conn_table;

/** Per-worker part: the wheel and the graveyard. One per worker, unshared. */
struct conn_worker;

/**
 * Creates the table: an array of max_conns connection structs (64 bytes
 * each) and a hash of 2 * max_conns keys. Control core, at start-up.
 * @return NULL with rte_errno set.
 */
struct conn_table *conn_table_create(const struct conn_table_params *p);

/** Frees the table; every worker must have stopped. */
void conn_table_free(struct conn_table *t);

/** The state of worker id (0..n_workers-1). */
struct conn_worker *conn_table_worker(struct conn_table *t, uint16_t id);

/**
 * Looks up n (<= 64) keys. For each hit, conns[i] is the entry and dirs[i]
 * the direction of the matching key.
 * @return the bit mask of hits.
 */
uint64_t conn_lookup_bulk(const struct conn_table *t, const struct conn_key **keys, uint32_t n,
			  struct conn **conns, uint8_t *dirs);

/** Looks up one key; NULL when absent or dead. */
struct conn *conn_lookup(const struct conn_table *t, const struct conn_key *key, uint8_t *dir);

/** Whether c's keys are deleted (it is on its way out): what a lookup
 * treats as absent. */
static inline bool conn_is_dead(const struct conn *c)
{
	return __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE) & CONN_F_DEAD;
}

/** The key c was entered under for replies (NAT). @return false when c has
 * none. */
bool conn_reply_key(const struct conn *c, struct conn_key *key);

/** What a new connection is made of. */
struct conn_init {
	struct conn_key key; /**< the incoming packet's key (kind CONN) */
	rte_be32_t daddr;    /**< the real server */
	rte_be16_t dport;
	uint8_t fwd; /**< enum cfg_fwd; NAT also enters the reply key */
	uint32_t rs_stat, svc_stat;
	struct conn *tmpl; /**< template to bind to (reference taken), or NULL */
};

/** Why conn_create failed. */
enum conn_error {
	/** The hash could not take the key(s) though the table has room:
	 * deleted keys still waiting for their grace period. */
	CONN_ERR_NO_MEMORY = 1,
	/** max_conns entries are in use (live, or dead and waiting for their
	 * grace period): the configured size of the table is reached. */
	CONN_ERR_TABLE_FULL,
};

/**
 * Creates a connection owned by worker w, in state NONE (the caller moves it
 * with conn_touch), expiring at now + 2 s unless touched.
 * @return the entry, or NULL with *err set.
 */
struct conn *conn_create(struct conn_table *t, struct conn_worker *w, const struct conn_init *ci,
			 uint64_t now_ms, enum conn_error *err);

/**
 * Finds the persistence template for key (kind TEMPLATE) or creates one
 * pointing at daddr:dport when create is true.
 * @return the template, or NULL when absent (create false) or on failure.
 */
struct conn *conn_template_find(const struct conn_table *t, const struct conn_key *key);
struct conn *conn_template_create(struct conn_table *t, struct conn_worker *w,
				  const struct conn_key *key, rte_be32_t daddr, rte_be16_t dport,
				  uint32_t rs_stat, uint32_t svc_stat, uint32_t timeout_ms,
				  uint64_t now_ms, enum conn_error *err);

/** Whether a connection in state s counts as active (IPVS's ActiveConn). */
static inline bool conn_state_active(uint8_t s)
{
	return s == CONN_S_ESTABLISHED || s == CONN_S_UDP;
}

/**
 * Moves the connection's state for a packet in direction dir with TCP flags
 * (0 for UDP) and refreshes its expiry; safe from any worker.
 * @return the change in "active" for the real server's counters: -1, 0, +1.
 */
int conn_touch(struct conn *c, enum conn_dir dir, uint8_t tcp_flags, uint64_t now_ms);

/**
 * Deletes the connection's keys now (IPVS's expire_nodest_conn); its memory
 * goes back when the owner next meets it. Safe from any worker; only the
 * first caller does anything, and that caller owes the counters their
 * update (what conn_gone_fn does for the wheel's kills).
 * @return true when this call killed it.
 */
bool conn_kill(struct conn_table *t, struct conn *c);

/** Called once for each connection as it leaves the table (for counters),
 * by the worker that killed it. */
typedef void (*conn_gone_fn)(void *ctx, const struct conn *c);

/**
 * Turns worker w's wheel up to now: expires what is due (at most budget
 * entries), calling gone for each, and frees what has passed its grace
 * period. Call from the owning worker's loop.
 * @return the number of entries examined.
 */
uint32_t conn_worker_run(struct conn_table *t, struct conn_worker *w, uint64_t now_ms,
			 uint32_t budget, conn_gone_fn gone, void *ctx);

/** Live connections (not templates) owned by w. */
uint32_t conn_worker_count(const struct conn_worker *w);

/**
 * Iterates the table for listings (telemetry): each call returns the next
 * live entry under a forward key, or NULL at the end. The caller must be an
 * online RCU reader for the duration. *pos starts at 0.
 */
const struct conn *conn_table_next(const struct conn_table *t, uint32_t *pos);

/** Number of keys in the table. */
uint32_t conn_table_keys(const struct conn_table *t);

/** IPVS's name of a state ("ESTABLISHED"). */
const char *conn_state_name(uint8_t s);

#ifdef __cplusplus
}
#endif

#endif /* HALB_CONN_H */
