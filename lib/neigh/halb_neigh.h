/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_NEIGH_H
#define HALB_NEIGH_H

/**
 * @file
 * The neighbour table: ARP for IPv4, neighbour discovery for IPv6, in one
 * table with one set of bounds and one aging policy. An address is 16 bytes
 * (struct neigh_ip): an IPv6 address, or an IPv4 one mapped into IPv6
 * (::ffff:a.b.c.d), so that both families share the map and the slots.
 *
 * Workers read it without locks: an address maps (lock-free rte_hash,
 * single writer) to a slot, and a slot is one 64-bit word holding the MAC
 * address, the port and flag bits, written by the control core with one
 * atomic store. Real servers carry their slot in the service snapshot, so
 * the DR fast path pays one load, not a hash lookup.
 *
 * The control core owns everything else: states (INCOMPLETE, REACHABLE,
 * STALE, FAILED), ages, probes, and the few packets held while an address
 * is being resolved. Entries exist only for next hops halb needs: they are
 * made by neigh_resolve (real servers, gateways, on-link destinations of
 * forwarded traffic), never by a stranger's ARP or neighbour advert; those
 * only update them.
 *
 * Bounds, as the kernel's table has them: an entry the current
 * configuration needs (a real server's or a gateway's, "pinned" at each
 * snapshot) is kept and probed: REACHABLE for 30 s, then STALE and probed,
 * FAILED after three unanswered probes, probed again later. Any other entry
 * is not probed: it goes STALE after 30 s and is freed 60 s later, or when
 * it FAILED; a full table frees the oldest unpinned entry or refuses (a
 * counted drop). A freed slot is reused only after an RCU grace period, so a
 * worker that found the slot for one address never reads another's MAC.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#ifdef __cplusplus
extern "C" {
#endif

enum neigh_state {
	NEIGH_INCOMPLETE = 0,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_FAILED,
	NEIGH_FREE,
};

/** A neighbour's address: IPv6, or IPv4 mapped (::ffff:a.b.c.d, RFC 4291
 * 2.5.5.2); network order. */
struct neigh_ip {
	uint8_t b[16];
} __rte_aligned(8); /* rte_hash's CRC reads the key 8 bytes at a time */

/** The neighbour address of IPv4 address a (network order). */
static inline struct neigh_ip neigh_ip4(rte_be32_t a)
{
	struct neigh_ip ip = { { 0 } };

	ip.b[10] = 0xff;
	ip.b[11] = 0xff;
	memcpy(&ip.b[12], &a, 4);
	return ip;
}

/** The neighbour address of IPv6 address a (16 bytes). */
static inline struct neigh_ip neigh_ip6(const uint8_t *a)
{
	struct neigh_ip ip;

	memcpy(ip.b, a, 16);
	return ip;
}

/** Whether ip is an IPv4 address (mapped). */
static inline bool neigh_ip_is4(const struct neigh_ip *ip)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(ip->b, prefix, sizeof(prefix)) == 0;
}

/** The IPv4 address of a mapped ip (network order). */
static inline rte_be32_t neigh_ip_v4(const struct neigh_ip *ip)
{
	rte_be32_t a;

	memcpy(&a, &ip->b[12], 4);
	return a;
}

#define NEIGH_VALID    (1ULL << 63)
#define NEIGH_PROBING  (1ULL << 62) /**< the control core wants to hear from it */
#define NEIGH_HOLD_MAX 4            /**< packets held per address while resolving */

struct neigh_table {
	struct rte_hash *map;    /**< struct neigh_ip -> slot */
	uint64_t *slot;          /**< MAC (bits 0-47), port (48-55), NEIGH_* bits */
	struct neigh_entry *ent; /**< control-only bookkeeping, per slot */
	uint32_t size;
	uint32_t used;                 /**< slots ever handed out (the high-water mark) */
	uint32_t live;                 /**< entries in the table */
	uint32_t free;                 /**< free slots, linked through ent[].next */
	uint32_t dead_head, dead_tail; /**< freed, waiting for their grace period */
	uint32_t pin_gen;              /**< the current configuration's pins */
	struct rte_rcu_qsbr *qsbr;
	uint64_t full; /**< times a new entry found no room */
	uint64_t freed;
};

/** Control-only view of one slot. */
struct neigh_entry {
	struct neigh_ip ip;
	uint8_t state;  /**< enum neigh_state */
	uint8_t port;   /**< halb port index */
	uint8_t probes; /**< unanswered requests */
	uint8_t n_held;
	uint32_t pin_gen; /**< == the table's: the configuration needs it */
	int32_t pos;      /**< freed: its key's position in the map */
	uint32_t next;    /**< free or dead list */
	uint64_t created_ms;
	uint64_t updated_ms; /**< last confirmation (or state change) */
	uint64_t probed_ms;  /**< last request sent */
	uint64_t token;      /**< freed: RCU token */
	struct rte_mbuf *held[NEIGH_HOLD_MAX];
};

/** Creates a table of size slots whose readers are qsbr's (NULL: slots are
 * never freed). @return NULL with rte_errno set. */
struct neigh_table *neigh_create(const char *name, uint32_t size, struct rte_rcu_qsbr *qsbr,
				 int socket);

void neigh_free(struct neigh_table *t);

/** Worker: the MAC and port in a slot. @return false when not resolved. */
static inline bool neigh_slot_get(const struct neigh_table *t, uint32_t slot,
				  struct rte_ether_addr *mac, uint8_t *port)
{
	uint64_t v = __atomic_load_n(&t->slot[slot], __ATOMIC_ACQUIRE);
	uint64_t le = rte_cpu_to_le_64(v);

	if (!(v & NEIGH_VALID))
		return false;
	/* Byte i of the MAC is bits 8i..8i+7: the word's first six bytes in
	 * little-endian order, copied at once. */
	memcpy(mac->addr_bytes, &le, RTE_ETHER_ADDR_LEN);
	*port = (uint8_t)(v >> 48);
	return true;
}

/** Worker: whether an ARP frame or a neighbour advert saying the
 * neighbour in slot is at mac on port is news to the control core: the
 * slot is unresolved, being probed, or says otherwise. */
static inline bool neigh_slot_news(const struct neigh_table *t, uint32_t slot,
				   const struct rte_ether_addr *mac, uint8_t port)
{
	uint64_t v = __atomic_load_n(&t->slot[slot], __ATOMIC_ACQUIRE);
	uint64_t le = rte_cpu_to_le_64(v);

	return !(v & NEIGH_VALID) || (v & NEIGH_PROBING) || (uint8_t)(v >> 48) != port ||
	       memcmp(&le, mac->addr_bytes, RTE_ETHER_ADDR_LEN) != 0;
}

/** Worker or control: the slot of ip, or -1. */
int32_t neigh_find(const struct neigh_table *t, const struct neigh_ip *ip);

/** The same for an IPv4 address (network order). */
static inline int32_t neigh_find4(const struct neigh_table *t, rte_be32_t ip)
{
	const struct neigh_ip k = neigh_ip4(ip);

	return neigh_find(t, &k);
}

/** Why a packet waiting for a neighbour is dropped. */
enum neigh_drop {
	NEIGH_DROP_UNRESOLVED = 0, /**< nobody answered */
	NEIGH_DROP_QUEUE_FULL,     /**< NEIGH_HOLD_MAX already wait for it */
	NEIGH_DROP_TABLE_FULL,     /**< no entry could be made for it */
};

/** Callbacks through which the table acts on the network (control core). */
struct neigh_ops {
	/** Send an ARP request (IPv4) or a neighbour solicitation (IPv6) for
	 * ip out of port. */
	void (*solicit)(void *ctx, uint8_t port, const struct neigh_ip *ip);
	/** A held packet can go: its destination MAC is mac. */
	void (*release)(void *ctx, uint8_t port, struct rte_mbuf *m,
			const struct rte_ether_addr *mac);
	/** A packet cannot wait or go, for the reason why. */
	void (*drop)(void *ctx, struct rte_mbuf *m, enum neigh_drop why);
	void *ctx;
};

/**
 * Control: the slot for ip reachable on port, created INCOMPLETE (and
 * solicited) when absent; pin: the current configuration needs it.
 * @return the slot, or -1 when the table is full.
 */
int32_t neigh_resolve(struct neigh_table *t, const struct neigh_ip *ip, uint8_t port, bool pin,
		      uint64_t now_ms, const struct neigh_ops *ops);

/** Control: a new configuration pins its entries from now on (the
 * previous configuration's pins lapse). */
void neigh_pin_begin(struct neigh_table *t);

/**
 * Control: what an ARP frame or a neighbour advert said (ip has mac, on
 * port). Updates an existing entry, or creates one when create is true;
 * releases held packets. @return the slot, or -1.
 */
int32_t neigh_learn(struct neigh_table *t, const struct neigh_ip *ip,
		    const struct rte_ether_addr *mac, uint8_t port, bool create, uint64_t now_ms,
		    const struct neigh_ops *ops);

/**
 * Control: holds m until ip is resolved (it is solicited if needed). When
 * the queue is full the packet is dropped through ops->drop.
 */
void neigh_hold(struct neigh_table *t, const struct neigh_ip *ip, uint8_t port, struct rte_mbuf *m,
		uint64_t now_ms, const struct neigh_ops *ops);

/** Control: ages entries, retries requests, frees what is unpinned and
 * old, and reclaims freed slots; call about once a second. */
void neigh_age(struct neigh_table *t, uint64_t now_ms, const struct neigh_ops *ops);

const char *neigh_state_name(uint8_t s);

#ifdef __cplusplus
}
#endif

#endif /* HALB_NEIGH_H */
