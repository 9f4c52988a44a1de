/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CONN_H
#define HALB_CONN_H

/**
 * @file
 * Connection tracking: one table per worker, and the persistence templates
 * all workers share.
 *
 * A worker owns its table. Every packet of a connection, in both
 * directions, is processed by the worker that made it (lib/fwd steers the
 * ones that arrive elsewhere), so the owner is the only writer: no lock, no
 * atomic, no line shared with another worker on the fast path. Any other
 * thread may read a table concurrently (the control core lists and syncs
 * connections; a worker asks whether another one holds a flow) without a
 * lock or RCU: entries live in one array that is never freed, and a reader
 * validates what it read with the entry's generation.
 *
 * The table (conn_table.c) is an index of one-cache-line buckets, each with
 * ten 16-bit signatures and ten entry references, and an array of entries:
 * 32 bytes for an IPv4 connection, 64 for an IPv6 one (struct conn6), so
 * IPv6 keys cost IPv4 nothing. A key has two candidate buckets; a lookup
 * reads one bucket line (the second only when the first overflowed) and one
 * entry line, and conn_lookup_bulk prefetches both stages across a burst.
 * A DR/TUN connection has one index slot, a NAT connection two (its reply
 * key too).
 *
 * Embryonic connections (a TCP handshake not completed, a UDP flow that has
 * seen one packet) cannot starve the table: they are queued in creation
 * order, and once `embryonic_max` of them are live, or the table or a
 * bucket pair is full, the oldest embryonic one makes room. An assured
 * connection (it reached ESTABLISHED, or UDP saw a second packet or a
 * reply) is never evicted. Every eviction and refusal is counted by reason.
 *
 * Expiry follows IPVS's TCP state table and timeouts, in seconds, through a
 * per-worker timer wheel (entries re-filed lazily when their slot comes
 * round); a connection's expiry is written only when its second changes.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_rcu_qsbr.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A lookup key: the packet's 5-tuple as it arrives, network byte order. */
struct conn_key {
	uint8_t af;    /**< 4 or 6 */
	uint8_t proto; /**< IPPROTO_TCP or IPPROTO_UDP */
	rte_be16_t sport, dport;
	uint16_t pad; /**< zero */
	union {
		struct {
			rte_be32_t src, dst;
		} v4;
		struct {
			uint8_t src[16], dst[16];
		} v6;
	};
};

/** Whether two keys are the same 5-tuple (bytes past the family's
 * addresses are not compared). */
static inline bool conn_key_eq(const struct conn_key *a, const struct conn_key *b)
{
	if (a->af != b->af || a->proto != b->proto || a->sport != b->sport || a->dport != b->dport)
		return false;
	if (a->af == 4)
		return a->v4.src == b->v4.src && a->v4.dst == b->v4.dst;
	return memcmp(a->v6.src, b->v6.src, 32) == 0;
}

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

#define CONN_F_LIVE       0x01 /**< in use (readers skip the others) */
#define CONN_F_V6         0x02 /**< a struct conn6 */
#define CONN_F_NAT        0x04 /**< also indexed under its reply key */
#define CONN_F_INPUT_ONLY 0x08 /**< DR/TUN: replies never pass the director */
#define CONN_F_ASSURED    0x10 /**< past the handshake: never evicted */
#define CONN_F_SYNCED     0x20 /**< installed from a sync message */
#define CONN_F_FWD_SHIFT  6    /**< bits 6-7: enum cfg_fwd */

/**
 * A connection: 32 bytes, the whole of an IPv4 one and the head of an IPv6
 * one. Written only by the owner worker. The service it belongs to is its
 * real server's (struct conn_dest.svc_stat).
 */
struct conn {
	uint8_t state; /**< enum conn_state */
	uint8_t flags; /**< CONN_F_*, and the forwarding method */
	uint8_t gen;   /**< +1 on every create and free: readers' check */
	uint8_t proto;
	uint16_t rs_stat; /**< counters slot of the real server */
	uint16_t expires; /**< second on the worker clock, modulo 2^16 */
	uint32_t next;    /**< wheel link, or the free list's */
	uint32_t prev;    /**< wheel link */
	uint32_t tmpl;    /**< persistence template + 1; 0: none */
	rte_be16_t cport, vport;
	rte_be32_t caddr, vaddr; /**< IPv4 only */
};

/** An IPv6 connection: 64 bytes. */
struct conn6 {
	struct conn h; /**< caddr/vaddr unused */
	uint8_t caddr[16], vaddr[16];
};

static inline uint8_t conn_fwd(const struct conn *c)
{
	return (uint8_t)(c->flags >> CONN_F_FWD_SHIFT);
}

/** Whether a connection in state s counts as active (IPVS's ActiveConn). */
static inline bool conn_state_active(uint8_t s)
{
	return s == CONN_S_ESTABLISHED || s == CONN_S_UDP;
}

/** IPVS's name of a state ("ESTABLISHED"). */
const char *conn_state_name(uint8_t s);

/** IPVS's timeout of a state, in seconds. */
uint32_t conn_state_timeout(uint8_t s);

/* ----------------------------------------------------------- the table */

/** Why an entry was evicted or a connection refused (counters' index). */
enum conn_reason {
	CONN_EVICT_EMBRYONIC_BUDGET = 0, /**< embryonic_max live embryonic ones */
	CONN_EVICT_TABLE_FULL,           /**< no free entry: the oldest embryonic went */
	CONN_EVICT_BUCKET_FULL,          /**< both buckets full: an embryonic one there went */
	CONN_QUEUE_FULL, /**< an embryonic connection not queued: the queue was full (not evicted)
			  */
	CONN_REFUSE_TABLE_FULL,  /**< full of assured connections */
	CONN_REFUSE_BUCKET_FULL, /**< both buckets full of assured connections */
	CONN_REASON_COUNT
};

/** Names for telemetry ("evict_embryonic_budget", ...). */
const char *conn_reason_name(enum conn_reason r);

/** A real server's address and port by its counters slot (rs_stat): the
 * reply key of a NAT connection is rebuilt from it. Stable: a slot never
 * changes hands. */
struct conn_dest {
	uint8_t af;
	uint8_t pad;
	rte_be16_t port;
	uint16_t svc_stat; /**< the service's counters slot */
	uint16_t pad2;
	union {
		rte_be32_t v4;
		uint8_t v6[16];
	} addr;
};

struct conn_tmpls;

struct conn_table_params {
	const char *name;
	uint32_t capacity;             /**< IPv4 connections */
	uint32_t capacity6;            /**< IPv6 connections (0: none) */
	uint32_t embryonic_max;        /**< live embryonic ones before eviction; 0: a quarter */
	const struct conn_dest *dests; /**< by rs_stat, for NAT reply keys */
	struct conn_tmpls *tmpls;      /**< templates connections bind to, or NULL */
	int socket;
};

/** Counters of a table; written by the owner only. */
struct conn_table_stats {
	uint32_t live;      /**< connections in the table */
	uint32_t embryonic; /**< of which not assured */
	uint32_t capacity;  /**< IPv4 entries */
	uint32_t capacity6; /**< IPv6 entries */
	uint32_t embryonic_max;
	uint64_t created;
	uint64_t reasons[CONN_REASON_COUNT];
};

struct conn_table;

/**
 * Creates a worker's table. Control core, at start-up.
 * @return NULL with rte_errno set.
 */
struct conn_table *conn_table_create(const struct conn_table_params *p);

/** Frees a table; its owner must have stopped. */
void conn_table_free(struct conn_table *t);

/** Bytes the table took from the DPDK heap. */
size_t conn_table_memory(const struct conn_table *t);

/** The table's counters (any thread; a torn read is possible). */
const struct conn_table_stats *conn_table_stats(const struct conn_table *t);

/**
 * Owner: looks up n (<= 32) keys, prefetching across them. For each hit,
 * conns[i] and dirs[i] are set. @return the bit mask of hits.
 */
uint32_t conn_lookup_bulk(const struct conn_table *t, const struct conn_key *keys, uint32_t n,
			  struct conn **conns, uint8_t *dirs);

/** Owner: looks one key up. @return the connection or NULL. */
struct conn *conn_lookup(const struct conn_table *t, const struct conn_key *key, uint8_t *dir);

/**
 * Any thread: whether t holds key. A racing change may make the answer
 * stale, never wrong about what it read.
 */
bool conn_probe(const struct conn_table *t, const struct conn_key *key);

/** What a new connection is made of. */
struct conn_init {
	struct conn_key key; /**< the incoming packet's key */
	uint8_t fwd;         /**< enum cfg_fwd; NAT: the reply key is made of
			      * the table's dests[rs_stat] */
	uint16_t rs_stat;
	uint32_t tmpl;      /**< template index + 1, bound (conn_tmpl_bind) by the
			     * caller; the table lets go of it when the connection goes */
	uint8_t state;      /**< initial state: NONE, or a synced one */
	bool assured;       /**< never embryonic (a synced established connection) */
	bool synced;        /**< installed from a sync message (CONN_F_SYNCED) */
	uint16_t timeout_s; /**< 0: the state's */
};

/** Called for each connection as it leaves the table (counters, the
 * template's reference), on the owner. */
typedef void (*conn_gone_fn)(void *ctx, const struct conn *c);

/**
 * Owner: creates a connection, evicting an embryonic one when the budget,
 * the table or its buckets are full (each eviction goes through gone).
 * @return the connection, or NULL when the table is full of assured ones
 * (counted).
 */
struct conn *conn_create(struct conn_table *t, const struct conn_init *ci, uint32_t now_s,
			 conn_gone_fn gone, void *ctx);

/**
 * Owner: moves c's state for a packet in direction dir with TCP flags (0
 * for UDP), refreshes its expiry and assures it when its handshake is over.
 * @return the change in "active" for the counters: -1, 0, +1.
 */
int conn_touch(struct conn_table *t, struct conn *c, enum conn_dir dir, uint8_t tcp_flags,
	       uint32_t now_s);

/**
 * Owner: what a newer sync message says of a synced connection: its state
 * and the time it has left (assured when past the handshake).
 * @return the change in "active" for the counters.
 */
int conn_resync(struct conn_table *t, struct conn *c, uint8_t state, uint16_t timeout_s,
		uint32_t now_s);

/** Seconds c has left at now_s (negative: overdue). */
static inline int32_t conn_left(const struct conn *c, uint32_t now_s)
{
	return (int16_t)(uint16_t)(c->expires - (uint16_t)now_s);
}

/** Owner: removes c now, calling gone. */
void conn_kill(struct conn_table *t, struct conn *c, conn_gone_fn gone, void *ctx);

/**
 * Owner: turns the wheel up to now_s, expiring what is due (at most budget
 * entries examined), calling gone for each.
 * @return the number of entries examined.
 */
uint32_t conn_expire(struct conn_table *t, uint32_t now_s, uint32_t budget, conn_gone_fn gone,
		     void *ctx);

/** What a reader sees of a connection. */
struct conn_view {
	uint8_t af, proto, state, flags;
	uint16_t rs_stat;
	uint16_t expires; /**< second on the worker clock, modulo 2^16 */
	uint32_t tmpl;
	rte_be16_t cport, vport;
	uint8_t caddr[16], vaddr[16]; /**< IPv4: the first 4 bytes */
};

/**
 * Any thread: the next live connection at or after *pos, copied
 * consistently into v; *pos moves past it. Starts at 0.
 * @return false at the end.
 */
bool conn_table_read(const struct conn_table *t, uint64_t *pos, struct conn_view *v);

/**
 * The same, looking no further than position end (exclusive), so that a
 * walk over a nearly empty table advances by a bounded amount per call.
 * @return false when no live connection lies in [*pos, end); *pos is then
 * end, or conn_table_positions(t) when the table is done.
 */
bool conn_table_read_upto(const struct conn_table *t, uint64_t *pos, uint64_t end,
			  struct conn_view *v);

/** The positions conn_table_read walks: capacity + capacity6. */
uint64_t conn_table_positions(const struct conn_table *t);

/** The key a connection was made under (incoming direction). */
void conn_key_of(const struct conn *c, struct conn_key *k);

/** Hash of a client address and port, the same from both directions:
 * what NAT steering picks an owner by. */
uint32_t conn_client_hash(uint8_t af, const void *addr, rte_be16_t port);

/* -------------------------------------------------- persistence templates */

/** A template's key: the client (masked by persistence_granularity) and
 * the service. Ports are 0 in persistent services of any port. */
struct conn_tkey {
	uint8_t af, proto;
	rte_be16_t vport;
	uint32_t pad;
	uint8_t caddr[16], vaddr[16]; /**< IPv4: the first 4 bytes */
};

/**
 * A persistence template. Workers find it without a lock, bind connections
 * to it and refresh it; everything else (creating, killing, expiring,
 * freeing) happens under the table's lock, the periodic part on the control
 * core (conn_tmpls_expire).
 */
struct conn_tmpl {
	struct conn_tkey key;
	uint16_t rs_stat, svc_stat;
	uint32_t timeout_s;
	uint32_t expires;      /**< second; refreshed by any worker */
	uint32_t n_controlled; /**< connections bound to it (atomic) */
	uint8_t assured;       /**< a bound connection got past its handshake */
	uint8_t dead;          /**< 0: live; else dying, held or free */
	uint16_t pad;
	int32_t pos;         /**< its key's position in the index */
	uint32_t next, prev; /**< wheel, dying, held or free list */
	uint32_t serial;     /**< creation number: the eviction queue's check */
	uint64_t token;      /**< dying: RCU token of its death */
};

/** Counters of the template table. */
struct conn_tmpls_stats {
	uint32_t live, capacity;
	uint64_t created;
	uint64_t evicted; /**< unassured ones evicted for room */
	uint64_t refused; /**< none could be made: the table is full */
};

/**
 * Creates the shared template table. Readers are the workers, RCU readers
 * of qsbr: a template leaves memory only after a grace period once nothing
 * is bound to it. @return NULL with rte_errno set.
 */
struct conn_tmpls *conn_tmpls_create(const char *name, uint32_t capacity, struct rte_rcu_qsbr *qsbr,
				     int socket);

void conn_tmpls_free(struct conn_tmpls *ts);

/** Worker (an online RCU reader): the live template under key, or NULL;
 * *idx is its index. Valid until the caller's next quiescent report. */
struct conn_tmpl *conn_tmpl_find(const struct conn_tmpls *ts, const struct conn_tkey *key,
				 uint32_t *idx);

/**
 * Worker: the template under key, created pointing at rs_stat when there is
 * none (a racing worker's template wins and is returned instead). When the
 * table is full the oldest unassured template is evicted, which frees room
 * for a later one. @return the template or NULL (counted).
 */
struct conn_tmpl *conn_tmpl_get(struct conn_tmpls *ts, const struct conn_tkey *key,
				uint16_t rs_stat, uint16_t svc_stat, uint32_t timeout_s,
				uint32_t now_s, uint32_t *idx);

/** The template of index idx (a connection's tmpl - 1). */
struct conn_tmpl *conn_tmpl_at(const struct conn_tmpls *ts, uint32_t idx);

/** Any worker: a connection binds to the template (refreshing it), or lets
 * go of it. */
void conn_tmpl_bind(struct conn_tmpl *t, uint32_t now_s);
void conn_tmpl_unbind(struct conn_tmpls *ts, uint32_t idx);

/** Any worker: takes the template out of the index (its server is down). */
void conn_tmpl_kill(struct conn_tmpls *ts, struct conn_tmpl *t);

/** Control core: expires templates due at now_s (budget at most) and frees
 * the dead whose grace period is over and that nothing holds. */
void conn_tmpls_expire(struct conn_tmpls *ts, uint32_t now_s, uint32_t budget);

const struct conn_tmpls_stats *conn_tmpls_stats(const struct conn_tmpls *ts);

/** Any thread: the next live template at or after *pos, copied into out. */
bool conn_tmpls_read(const struct conn_tmpls *ts, uint32_t *pos, struct conn_tmpl *out);

/** The same, looking no further than position end (exclusive); false
 * when none is live in [*pos, end), *pos then end or the capacity. */
bool conn_tmpls_read_upto(const struct conn_tmpls *ts, uint32_t *pos, uint32_t end,
			  struct conn_tmpl *out);

#ifdef __cplusplus
}
#endif

#endif /* HALB_CONN_H */
