/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of lib/conn share: the index bucket, entry references, the
 * table's layout and the pure state machine (conn_state.c).
 */
#ifndef HALB_CONN_INT_H
#define HALB_CONN_INT_H

#include <rte_common.h>

#include "halb_conn.h"

/* An entry reference: the index in its array, which array, and for index
 * slots the direction of the key. */
#define CONN_REF_V6    0x80000000u
#define CONN_REF_OUT   0x40000000u
#define CONN_REF_INDEX 0x3fffffffu
#define CONN_REF_NIL   UINT32_MAX
#define CONN_MAX_INDEX CONN_REF_INDEX

/* One cache line of the index: ten signatures (0: empty slot), the count of
 * keys whose first choice is this bucket but which live in their second,
 * and the ten entry references. */
#define BUCKET_SLOTS 10
struct conn_bucket {
	uint16_t sig[BUCKET_SLOTS];
	uint16_t overflow;
	uint16_t pad;
	uint32_t ref[BUCKET_SLOTS];
} __rte_cache_aligned;

#define WHEEL_SLOTS 1024u
#define WHEEL_MASK  (WHEEL_SLOTS - 1)
/* A TCP connection's expiry can come nearer (a FIN moves ESTABLISHED's
 * 900 s to 120 s) without moving it in the wheel, so it is looked at again
 * at least this often: it leaves at most this late. */
#define WHEEL_RECHECK_S 60u
#define EVICT_VISITS    64u /* queue entries an eviction or a trim looks at, at most */

struct conn_table {
	struct conn_bucket *bk;
	uint32_t n_buckets;
	uint32_t seed1, seed2;
	struct conn *c4;       /* capacity of them */
	struct conn6 *c6;      /* capacity6 of them */
	uint32_t free4, free6; /* free lists through next */
	const struct conn_dest *dests;
	struct conn_tmpls *tmpls;
	/* Embryonic connections in creation order: ref | gen << 32. */
	uint64_t *fifo;
	uint32_t fifo_size, fifo_head, fifo_n;
	/* The wheel. */
	bool started;
	uint32_t cursor;  /* next second to turn */
	uint32_t pending; /* the rest of a slot the budget cut short */
	uint32_t slot[WHEEL_SLOTS];
	uint16_t es_timeout; /* ESTABLISHED's, for conn_touch's common case */
	size_t memory;
	struct conn_table_stats st;
};

/* The next state of a TCP connection (IPVS's table). */
uint8_t conn_tcp_next(uint8_t state, bool input_only, enum conn_dir dir, uint8_t tcp_flags);

#endif
