/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's connection table (see halb_conn.h for the model).
 *
 * Index: n_buckets cache lines (struct conn_bucket), each with ten slots of
 * a 16-bit signature and an entry reference. A key hashes (CRC32C with two
 * secret seeds) to two buckets; it lives in the first when there is room,
 * else in the second, and the first counts it in `overflow`, so a lookup
 * reads the second only when the first has overflowed. No chains: a bucket
 * pair holds at most twenty keys, so keys crafted to collide cost the
 * attacker their own flows, and lookups stay bounded. Sized at 80% load,
 * a pair is rarely full; when it is, one of its keys moves to its own
 * second bucket (one cuckoo step), or an embryonic connection of the pair
 * makes room, or the key is refused.
 *
 * Entries: IPv4 connections in one array of 32-byte entries, IPv6 ones in
 * another of 64-byte entries; free entries are linked through `next`.
 *
 * Expiry: a wheel of one-second slots, doubly linked through next/prev so
 * that a connection evicted or killed leaves its slot at once and its entry
 * is reused at once. Entries are filed at their expiry (a TCP one at most
 * WHEEL_RECHECK_S ahead) and, when their slot comes round, freed or filed
 * again if they were refreshed meanwhile.
 *
 * Embryonic queue: every connection created embryonic is queued (its
 * reference and generation); eviction pops the oldest and evicts it if it is
 * still the same, live, embryonic connection, else forgets it.
 *
 * Readers on other threads: an entry's fields are written before LIVE is
 * set (release), and its generation changes at every create and free, so a
 * reader that saw LIVE and the same generation before and after its copy
 * read one connection whole. A slot's reference is written before its
 * signature (release), and cleared by zeroing the signature.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "conn_int.h"
#include "halb_config.h" /* CFG_FWD_NAT */

_Static_assert(sizeof(struct conn) == 32, "an IPv4 connection is 32 bytes");
_Static_assert(sizeof(struct conn6) == 64, "an IPv6 connection is 64 bytes");
_Static_assert(sizeof(struct conn_bucket) == RTE_CACHE_LINE_SIZE, "a bucket is one line");

/* A wheel link that is a list's head: which list (a slot, or pending). */
#define LINK_HEAD    0x40000000u
#define LIST_PENDING WHEEL_SLOTS

static const char *const reason_names[CONN_REASON_COUNT] = {
	[CONN_EVICT_EMBRYONIC_BUDGET] = "evict_embryonic_budget",
	[CONN_EVICT_TABLE_FULL] = "evict_table_full",
	[CONN_EVICT_BUCKET_FULL] = "evict_bucket_full",
	[CONN_EVICT_QUEUE_WRAP] = "evict_queue_wrap",
	[CONN_REFUSE_TABLE_FULL] = "refuse_table_full",
	[CONN_REFUSE_BUCKET_FULL] = "refuse_bucket_full",
};

const char *conn_reason_name(enum conn_reason r)
{
	return r < CONN_REASON_COUNT ? reason_names[r] : "?";
}

/* ------------------------------------------------------------- entries */

static inline struct conn *entry(const struct conn_table *t, uint32_t ref)
{
	uint32_t i = ref & CONN_REF_INDEX;

	return (ref & CONN_REF_V6) ? &t->c6[i].h : &t->c4[i];
}

static inline struct conn6 *entry6(struct conn *c)
{
	return (struct conn6 *)c;
}

static inline const struct conn6 *centry6(const struct conn *c)
{
	return (const struct conn6 *)c;
}

static inline uint32_t ref_of(const struct conn_table *t, const struct conn *c)
{
	if (c->flags & CONN_F_V6)
		return (uint32_t)(centry6(c) - t->c6) | CONN_REF_V6;
	return (uint32_t)(c - t->c4);
}

static struct conn *entry_alloc(struct conn_table *t, bool v6, uint32_t *ref)
{
	uint32_t *head = v6 ? &t->free6 : &t->free4;
	struct conn *c;

	if (*head == CONN_REF_NIL)
		return NULL;
	*ref = *head;
	c = entry(t, *ref);
	*head = c->next;
	return c;
}

static void entry_free(struct conn_table *t, struct conn *c, uint32_t ref)
{
	uint32_t *head = (ref & CONN_REF_V6) ? &t->free6 : &t->free4;

	__atomic_store_n(&c->flags, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&c->gen, (uint8_t)(c->gen + 1), __ATOMIC_RELEASE);
	c->next = *head;
	*head = ref;
}

/* ---------------------------------------------------------------- keys */

struct khash {
	uint32_t b1, b2;
	uint16_t sig;
};

static inline void key_hash(const struct conn_table *t, const struct conn_key *k, struct khash *h)
{
	uint64_t ports = (uint64_t)k->sport | (uint64_t)k->dport << 16 | (uint64_t)k->proto << 32;
	uint32_t a = t->seed1, b = t->seed2;

	if (k->af == 4) {
		uint64_t addrs = (uint64_t)k->v4.src | (uint64_t)k->v4.dst << 32;

		a = rte_hash_crc_8byte(addrs, a);
		b = rte_hash_crc_8byte(addrs, b);
	} else {
		const uint8_t *p = k->v6.src; /* src and dst: 32 bytes in a row */

		for (int i = 0; i < 4; i++) {
			uint64_t w;

			memcpy(&w, p + 8 * i, sizeof(w));
			a = rte_hash_crc_8byte(w, a);
			b = rte_hash_crc_8byte(w, b);
		}
	}
	a = rte_hash_crc_8byte(ports, a);
	b = rte_hash_crc_8byte(ports, b);
	h->b1 = (uint32_t)(((uint64_t)a * t->n_buckets) >> 32);
	h->b2 = (uint32_t)(((uint64_t)b * t->n_buckets) >> 32);
	if (h->b2 == h->b1)
		h->b2 = h->b1 + 1 == t->n_buckets ? 0 : h->b1 + 1;
	h->sig = (uint16_t)(a ^ b);
	if (h->sig == 0)
		h->sig = 1;
}

_Static_assert(offsetof(struct conn_key, v6.dst) == offsetof(struct conn_key, v6.src) + 16,
	       "v6 addresses in a row");

void conn_key_of(const struct conn *c, struct conn_key *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = c->proto;
	k->sport = c->cport;
	k->dport = c->vport;
	if (c->flags & CONN_F_V6) {
		k->af = 6;
		memcpy(k->v6.src, centry6(c)->caddr, 16);
		memcpy(k->v6.dst, centry6(c)->vaddr, 16);
	} else {
		k->af = 4;
		k->v4.src = c->caddr;
		k->v4.dst = c->vaddr;
	}
}

/* The key of a NAT connection's replies: real server -> client. */
static void reply_key_of(const struct conn_table *t, const struct conn *c, struct conn_key *k)
{
	const struct conn_dest *d = &t->dests[c->rs_stat];

	memset(k, 0, sizeof(*k));
	k->proto = c->proto;
	k->sport = d->port;
	k->dport = c->cport;
	if (c->flags & CONN_F_V6) {
		k->af = 6;
		memcpy(k->v6.src, d->addr.v6, 16);
		memcpy(k->v6.dst, centry6(c)->caddr, 16);
	} else {
		k->af = 4;
		k->v4.src = d->addr.v4;
		k->v4.dst = c->caddr;
	}
}

/* Whether the live entry c answers key k in direction out. */
static inline bool key_matches(const struct conn_table *t, const struct conn *c,
			       const struct conn_key *k, bool out)
{
	const struct conn_dest *d;

	if (c->proto != k->proto || !(c->flags & CONN_F_LIVE))
		return false;
	if (!out) {
		if (c->cport != k->sport || c->vport != k->dport)
			return false;
		if (k->af == 4)
			return !(c->flags & CONN_F_V6) && c->caddr == k->v4.src &&
			       c->vaddr == k->v4.dst;
		return (c->flags & CONN_F_V6) && memcmp(centry6(c)->caddr, k->v6.src, 32) == 0;
	}
	d = &t->dests[c->rs_stat];
	if (!(c->flags & CONN_F_NAT) || c->cport != k->dport || d->port != k->sport)
		return false;
	if (k->af == 4)
		return !(c->flags & CONN_F_V6) && c->caddr == k->v4.dst && d->addr.v4 == k->v4.src;
	return (c->flags & CONN_F_V6) && memcmp(centry6(c)->caddr, k->v6.dst, 16) == 0 &&
	       memcmp(d->addr.v6, k->v6.src, 16) == 0;
}

_Static_assert(offsetof(struct conn6, vaddr) == offsetof(struct conn6, caddr) + 16,
	       "v6 entry addresses in a row");

/* --------------------------------------------------------------- index */

/* The slots of b whose signature is sig, as a bit mask. */
static inline uint32_t sig_match(const struct conn_bucket *b, uint16_t sig)
{
#if defined(__SSE2__)
	__m128i want = _mm_set1_epi16((short)sig);
	__m128i got = _mm_loadu_si128((const __m128i *)b->sig);
	__m128i eq = _mm_cmpeq_epi16(got, want);
	uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_packs_epi16(eq, eq)) & 0xff;

	m |= (uint32_t)(b->sig[8] == sig) << 8;
	m |= (uint32_t)(b->sig[9] == sig) << 9;
	return m;
#else
	uint32_t m = 0;

	for (int i = 0; i < BUCKET_SLOTS; i++)
		m |= (uint32_t)(b->sig[i] == sig) << i;
	return m;
#endif
}

/* The reference matching k in bucket b, or NIL. Owner only. */
static inline uint32_t bucket_find(const struct conn_table *t, const struct conn_bucket *b,
				   uint16_t sig, const struct conn_key *k)
{
	uint32_t m = sig_match(b, sig);

	while (m != 0) {
		uint32_t i = (uint32_t)__builtin_ctz(m), ref = b->ref[i];

		m &= m - 1;
		if (key_matches(t, entry(t, ref), k, ref & CONN_REF_OUT))
			return ref;
	}
	return CONN_REF_NIL;
}

static uint32_t index_find(const struct conn_table *t, const struct conn_key *k,
			   const struct khash *h)
{
	const struct conn_bucket *b1 = &t->bk[h->b1];
	uint32_t ref = bucket_find(t, b1, h->sig, k);

	if (ref == CONN_REF_NIL && b1->overflow != 0)
		ref = bucket_find(t, &t->bk[h->b2], h->sig, k);
	return ref;
}

static inline int bucket_free_slot(const struct conn_bucket *b)
{
	for (int i = 0; i < BUCKET_SLOTS; i++)
		if (b->sig[i] == 0)
			return i;
	return -1;
}

static inline void slot_set(struct conn_bucket *b, int i, uint16_t sig, uint32_t ref)
{
	__atomic_store_n(&b->ref[i], ref, __ATOMIC_RELAXED);
	__atomic_store_n(&b->sig[i], sig, __ATOMIC_RELEASE);
}

static int index_add(struct conn_table *t, const struct khash *h, uint32_t ref)
{
	struct conn_bucket *b1 = &t->bk[h->b1], *b2;
	int i = bucket_free_slot(b1);

	if (i >= 0) {
		slot_set(b1, i, h->sig, ref);
		return 0;
	}
	b2 = &t->bk[h->b2];
	i = bucket_free_slot(b2);
	if (i < 0)
		return -1;
	slot_set(b2, i, h->sig, ref);
	b1->overflow++;
	return 0;
}

static bool bucket_del(struct conn_bucket *b, uint16_t sig, uint32_t ref)
{
	for (int i = 0; i < BUCKET_SLOTS; i++) {
		if (b->sig[i] == sig && b->ref[i] == ref) {
			__atomic_store_n(&b->sig[i], 0, __ATOMIC_RELEASE);
			return true;
		}
	}
	return false;
}

static void index_del(struct conn_table *t, const struct khash *h, uint32_t ref)
{
	if (bucket_del(&t->bk[h->b1], h->sig, ref))
		return;
	if (bucket_del(&t->bk[h->b2], h->sig, ref))
		t->bk[h->b1].overflow--;
}

/* ---------------------------------------------------------------- wheel */

static inline uint32_t *link_head(struct conn_table *t, uint32_t list)
{
	return list == LIST_PENDING ? &t->pending : &t->slot[list];
}

static void list_push(struct conn_table *t, uint32_t list, struct conn *c, uint32_t ref)
{
	uint32_t *head = link_head(t, list);

	c->next = *head;
	c->prev = LINK_HEAD | list;
	if (*head != CONN_REF_NIL)
		entry(t, *head)->prev = ref;
	*head = ref;
}

static void list_unlink(struct conn_table *t, struct conn *c)
{
	if (c->prev & LINK_HEAD)
		*link_head(t, c->prev & ~LINK_HEAD) = c->next;
	else
		entry(t, c->prev)->next = c->next;
	if (c->next != CONN_REF_NIL)
		entry(t, c->next)->prev = c->prev;
}

/* Seconds until c expires at now_s (negative: overdue). */
static inline int32_t due_in(const struct conn *c, uint32_t now_s)
{
	return (int16_t)(uint16_t)(c->expires - (uint16_t)now_s);
}

/* The wheel starts at the first connection or turn. */
static inline void wheel_start(struct conn_table *t, uint32_t now_s)
{
	if (!t->started) {
		t->started = true;
		t->cursor = now_s;
	}
}

static void wheel_file(struct conn_table *t, struct conn *c, uint32_t ref)
{
	int32_t ahead;
	uint32_t s;

	ahead = due_in(c, t->cursor);
	if (ahead < 0)
		ahead = 0;
	if (ahead > (int32_t)WHEEL_MASK)
		ahead = WHEEL_MASK;
	if (c->proto == IPPROTO_TCP && ahead > (int32_t)WHEEL_RECHECK_S)
		ahead = WHEEL_RECHECK_S;
	s = (t->cursor + (uint32_t)ahead) & WHEEL_MASK;
	list_push(t, s, c, ref);
}

/* --------------------------------------------------------- removal */

static void fifo_push(struct conn_table *t, uint32_t ref, uint8_t gen)
{
	uint32_t tail = t->fifo_head + t->fifo_n;

	if (tail >= t->fifo_size)
		tail -= t->fifo_size;
	t->fifo[tail] = (uint64_t)ref | (uint64_t)gen << 32;
	t->fifo_n++;
}

static uint64_t fifo_pop(struct conn_table *t)
{
	uint64_t v = t->fifo[t->fifo_head];

	if (++t->fifo_head == t->fifo_size)
		t->fifo_head = 0;
	t->fifo_n--;
	return v;
}

static void index_del_conn(struct conn_table *t, struct conn *c, uint32_t ref)
{
	struct conn_key k;
	struct khash h;

	conn_key_of(c, &k);
	key_hash(t, &k, &h);
	index_del(t, &h, ref);
	if (c->flags & CONN_F_NAT) {
		reply_key_of(t, c, &k);
		key_hash(t, &k, &h);
		index_del(t, &h, ref | CONN_REF_OUT);
	}
}

/* Takes c out of the table: counters (gone), template, index, wheel. */
static void conn_remove(struct conn_table *t, struct conn *c, uint32_t ref, conn_gone_fn gone,
			void *ctx)
{
	if (gone != NULL)
		gone(ctx, c);
	if (c->tmpl != 0 && t->tmpls != NULL)
		conn_tmpl_unbind(t->tmpls, c->tmpl - 1);
	index_del_conn(t, c, ref);
	list_unlink(t, c);
	if (!(c->flags & CONN_F_ASSURED))
		t->st.embryonic--;
	t->st.live--;
	entry_free(t, c, ref);
}

void conn_kill(struct conn_table *t, struct conn *c, conn_gone_fn gone, void *ctx)
{
	conn_remove(t, c, ref_of(t, c), gone, ctx);
}

/*
 * Evicts the oldest live embryonic connection, of the family v6 when
 * want_family; an embryonic one of the other family goes back to the
 * queue's tail. @return false when there is none.
 */
static bool evict_oldest(struct conn_table *t, enum conn_reason why, bool want_family, bool v6,
			 conn_gone_fn gone, void *ctx)
{
	for (uint32_t n = t->fifo_n; n > 0; n--) {
		uint64_t v = fifo_pop(t);
		uint32_t ref = (uint32_t)v;
		struct conn *c = entry(t, ref);

		if (!(c->flags & CONN_F_LIVE) || c->gen != (uint8_t)(v >> 32) ||
		    (c->flags & CONN_F_ASSURED))
			continue; /* gone, or past its handshake: forgotten */
		if (want_family && !!(ref & CONN_REF_V6) != v6) {
			fifo_push(t, ref, c->gen);
			continue;
		}
		t->st.reasons[why]++;
		conn_remove(t, c, ref, gone, ctx);
		return true;
	}
	return false;
}

/* Makes room in a full bucket pair by evicting an embryonic connection
 * indexed there. @return false when all twenty are assured. */
static bool evict_in_buckets(struct conn_table *t, const struct khash *h, conn_gone_fn gone,
			     void *ctx)
{
	const uint32_t bs[2] = { h->b1, h->b2 };

	for (int k = 0; k < 2; k++) {
		const struct conn_bucket *b = &t->bk[bs[k]];

		for (int i = 0; i < BUCKET_SLOTS; i++) {
			uint32_t ref = b->ref[i] & ~CONN_REF_OUT;
			struct conn *c;

			if (b->sig[i] == 0)
				continue;
			c = entry(t, ref);
			if ((c->flags & CONN_F_LIVE) && !(c->flags & CONN_F_ASSURED)) {
				t->st.reasons[CONN_EVICT_BUCKET_FULL]++;
				conn_remove(t, c, ref, gone, ctx);
				return true;
			}
		}
	}
	return false;
}

/* ------------------------------------------------------------- create */

static void fill(struct conn *c, const struct conn_init *ci, uint32_t now_s)
{
	const struct conn_key *k = &ci->key;
	uint16_t timeout = ci->timeout_s ? ci->timeout_s : (uint16_t)conn_state_timeout(ci->state);

	c->state = ci->state;
	c->proto = k->proto;
	c->rs_stat = ci->rs_stat;
	c->expires = (uint16_t)(now_s + timeout);
	c->tmpl = ci->tmpl;
	c->cport = k->sport;
	c->vport = k->dport;
	if (k->af == 6) {
		c->caddr = c->vaddr = 0;
		memcpy(entry6(c)->caddr, k->v6.src, 16);
		memcpy(entry6(c)->vaddr, k->v6.dst, 16);
	} else {
		c->caddr = k->v4.src;
		c->vaddr = k->v4.dst;
	}
}

static uint8_t flags_of(const struct conn_init *ci)
{
	uint8_t f = CONN_F_LIVE | (uint8_t)(ci->fwd << CONN_F_FWD_SHIFT);

	f |= ci->key.af == 6 ? CONN_F_V6 : 0;
	f |= ci->fwd == CFG_FWD_NAT ? CONN_F_NAT : CONN_F_INPUT_ONLY;
	f |= ci->assured ? CONN_F_ASSURED : 0;
	f |= ci->synced ? CONN_F_SYNCED : 0;
	return f;
}

/* The key an index slot's reference stands for. */
static void key_of_ref(const struct conn_table *t, uint32_t ref, struct conn_key *k)
{
	const struct conn *c = entry(t, ref & ~CONN_REF_OUT);

	if (ref & CONN_REF_OUT)
		reply_key_of(t, c, k);
	else
		conn_key_of(c, k);
}

/*
 * Both buckets of h are full: moves one of their keys that lives in its
 * first choice to its second, when that has room. Only that way round: a
 * reader on another thread looks at a key's first bucket before its second,
 * and the move writes the second before it clears the first, so it never
 * misses the key. @return whether a slot was freed.
 */
static bool index_make_room(struct conn_table *t, const struct khash *h)
{
	const uint32_t bs[2] = { h->b1, h->b2 };

	for (int k = 0; k < 2; k++) {
		struct conn_bucket *b = &t->bk[bs[k]];

		for (int i = 0; i < BUCKET_SLOTS; i++) {
			struct conn_key key;
			struct khash hr;
			int j;

			key_of_ref(t, b->ref[i], &key);
			key_hash(t, &key, &hr);
			if (hr.b1 != bs[k] || hr.sig != b->sig[i])
				continue;
			j = bucket_free_slot(&t->bk[hr.b2]);
			if (j < 0)
				continue;
			slot_set(&t->bk[hr.b2], j, hr.sig, b->ref[i]);
			__atomic_store_n(&b->sig[i], 0, __ATOMIC_RELEASE);
			b->overflow++;
			return true;
		}
	}
	return false;
}

/*
 * The queue is full: its oldest entry goes. Only when that is a live
 * embryonic connection is one evicted (evict_queue_wrap); an entry of a
 * connection that is gone or past its handshake was room already.
 */
static void fifo_make_room(struct conn_table *t, conn_gone_fn gone, void *ctx)
{
	const uint64_t v = fifo_pop(t);
	const uint32_t ref = (uint32_t)v;
	struct conn *c = entry(t, ref);

	if (!(c->flags & CONN_F_LIVE) || c->gen != (uint8_t)(v >> 32) ||
	    (c->flags & CONN_F_ASSURED))
		return;
	t->st.reasons[CONN_EVICT_QUEUE_WRAP]++;
	conn_remove(t, c, ref, gone, ctx);
}

/* Adds one index key for ref; when both its buckets are full, a key of
 * theirs moves to its second bucket, or an embryonic connection there
 * makes room. */
static int index_add_room(struct conn_table *t, const struct khash *h, uint32_t ref,
			  conn_gone_fn gone, void *ctx)
{
	if (index_add(t, h, ref) == 0)
		return 0;
	if (index_make_room(t, h) && index_add(t, h, ref) == 0)
		return 0;
	if (evict_in_buckets(t, h, gone, ctx) && index_add(t, h, ref) == 0)
		return 0;
	t->st.reasons[CONN_REFUSE_BUCKET_FULL]++;
	return -1;
}

struct conn *conn_create(struct conn_table *t, const struct conn_init *ci, uint32_t now_s,
			 conn_gone_fn gone, void *ctx)
{
	const bool v6 = ci->key.af == 6;
	const uint8_t flags = flags_of(ci);
	struct khash h_in, h_out;
	struct conn_key reply;
	struct conn *c;
	uint32_t ref;

	if (!(flags & CONN_F_ASSURED) && t->st.embryonic >= t->st.embryonic_max)
		evict_oldest(t, CONN_EVICT_EMBRYONIC_BUDGET, false, false, gone, ctx);
	wheel_start(t, now_s);
	c = entry_alloc(t, v6, &ref);
	if (c == NULL && evict_oldest(t, CONN_EVICT_TABLE_FULL, true, v6, gone, ctx))
		c = entry_alloc(t, v6, &ref);
	if (c == NULL) {
		t->st.reasons[CONN_REFUSE_TABLE_FULL]++;
		return NULL;
	}
	/* Filled but not LIVE until indexed: a reader meeting it skips it. */
	c->flags = flags & (uint8_t)~CONN_F_LIVE;
	__atomic_store_n(&c->gen, (uint8_t)(c->gen + 1), __ATOMIC_RELEASE);
	fill(c, ci, now_s);
	key_hash(t, &ci->key, &h_in);
	if (index_add_room(t, &h_in, ref, gone, ctx) != 0)
		goto refused;
	if (flags & CONN_F_NAT) {
		reply_key_of(t, c, &reply);
		key_hash(t, &reply, &h_out);
		if (index_add_room(t, &h_out, ref | CONN_REF_OUT, gone, ctx) != 0) {
			index_del(t, &h_in, ref);
			goto refused;
		}
	}
	__atomic_store_n(&c->flags, flags, __ATOMIC_RELEASE);
	wheel_file(t, c, ref);
	if (!(flags & CONN_F_ASSURED)) {
		if (t->fifo_n == t->fifo_size)
			fifo_make_room(t, gone, ctx);
		if (t->fifo_n < t->fifo_size)
			fifo_push(t, ref, c->gen);
		t->st.embryonic++;
	}
	t->st.live++;
	t->st.created++;
	return c;
refused:
	entry_free(t, c, ref);
	return NULL;
}

/* ------------------------------------------------------------- lookups */

struct conn *conn_lookup(const struct conn_table *t, const struct conn_key *key, uint8_t *dir)
{
	struct khash h;
	uint32_t ref;

	key_hash(t, key, &h);
	ref = index_find(t, key, &h);
	if (ref == CONN_REF_NIL)
		return NULL;
	*dir = (ref & CONN_REF_OUT) ? CONN_DIR_OUT : CONN_DIR_IN;
	return entry(t, ref & ~CONN_REF_OUT);
}

/*
 * Three passes over the burst, so that the misses of one packet overlap
 * with the others': hash every key and prefetch its first bucket; match
 * signatures and prefetch the candidate entries (and the second bucket
 * where the first overflowed); then compare the keys.
 */
uint32_t conn_lookup_bulk(const struct conn_table *t, const struct conn_key *keys, uint32_t n,
			  struct conn **conns, uint8_t *dirs)
{
	struct khash h[32];
	uint32_t cand[32];
	uint32_t hits = 0;

	for (uint32_t i = 0; i < n; i++) {
		key_hash(t, &keys[i], &h[i]);
		rte_prefetch0(&t->bk[h[i].b1]);
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct conn_bucket *b = &t->bk[h[i].b1];
		uint32_t m = sig_match(b, h[i].sig);

		cand[i] = CONN_REF_NIL;
		if (m != 0) {
			cand[i] = b->ref[__builtin_ctz(m)];
			rte_prefetch0(entry(t, cand[i] & ~CONN_REF_OUT));
		} else if (b->overflow != 0) {
			rte_prefetch0(&t->bk[h[i].b2]);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t ref = cand[i];

		/* The first candidate is nearly always the one; any other
		 * signature match or the second bucket is the slow way. */
		if (ref == CONN_REF_NIL ||
		    !key_matches(t, entry(t, ref & ~CONN_REF_OUT), &keys[i], ref & CONN_REF_OUT))
			ref = index_find(t, &keys[i], &h[i]);
		if (ref == CONN_REF_NIL)
			continue;
		conns[i] = entry(t, ref & ~CONN_REF_OUT);
		dirs[i] = (ref & CONN_REF_OUT) ? CONN_DIR_OUT : CONN_DIR_IN;
		hits |= 1u << i;
	}
	return hits;
}

/* A reader's copy of the entry under ref, if it is live and whole. */
static bool entry_read(const struct conn_table *t, uint32_t ref, struct conn6 *out)
{
	const struct conn *c = entry(t, ref);
	uint8_t gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);
	uint8_t flags = __atomic_load_n(&c->flags, __ATOMIC_ACQUIRE);

	if (!(flags & CONN_F_LIVE))
		return false;
	memcpy(out, c, (ref & CONN_REF_V6) ? sizeof(struct conn6) : sizeof(struct conn));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->h.flags = flags;
	return __atomic_load_n(&c->gen, __ATOMIC_RELAXED) == gen;
}

static bool bucket_probe(const struct conn_table *t, const struct conn_bucket *b, uint16_t sig,
			 const struct conn_key *k)
{
	for (int i = 0; i < BUCKET_SLOTS; i++) {
		struct conn6 copy;
		uint32_t ref;

		if (__atomic_load_n(&b->sig[i], __ATOMIC_ACQUIRE) != sig)
			continue;
		ref = __atomic_load_n(&b->ref[i], __ATOMIC_RELAXED);
		if (entry_read(t, ref & ~CONN_REF_OUT, &copy) &&
		    key_matches(t, &copy.h, k, ref & CONN_REF_OUT))
			return true;
	}
	return false;
}

bool conn_probe(const struct conn_table *t, const struct conn_key *key)
{
	struct khash h;

	key_hash(t, key, &h);
	return bucket_probe(t, &t->bk[h.b1], h.sig, key) ||
	       bucket_probe(t, &t->bk[h.b2], h.sig, key);
}

/* --------------------------------------------------------- state moves */

static inline void set_expires(struct conn *c, uint32_t at)
{
	if (c->expires != (uint16_t)at)
		c->expires = (uint16_t)at;
}

static void assure(struct conn_table *t, struct conn *c)
{
	c->flags |= CONN_F_ASSURED;
	t->st.embryonic--;
	if (c->tmpl != 0 && t->tmpls != NULL)
		conn_tmpl_at(t->tmpls, c->tmpl - 1)->assured = 1;
}

int conn_touch(struct conn_table *t, struct conn *c, enum conn_dir dir, uint8_t tcp_flags,
	       uint32_t now_s)
{
	uint8_t old = c->state, new_;

	if (c->proto != IPPROTO_TCP) {
		/* UDP: a second packet in, or any reply, assures it. */
		new_ = CONN_S_UDP;
		if (!(c->flags & CONN_F_ASSURED) && (old == CONN_S_UDP || dir == CONN_DIR_OUT))
			assure(t, c);
	} else {
		new_ = conn_tcp_next(old, c->flags & CONN_F_INPUT_ONLY, dir, tcp_flags);
		if (new_ == CONN_S_ESTABLISHED && !(c->flags & CONN_F_ASSURED))
			assure(t, c);
	}
	if (new_ != old)
		c->state = new_;
	set_expires(c, now_s + conn_state_timeout(new_));
	return (int)conn_state_active(new_) - (int)conn_state_active(old);
}

int conn_resync(struct conn_table *t, struct conn *c, uint8_t state, uint16_t timeout_s,
		uint32_t now_s)
{
	const uint8_t old = c->state;

	if ((state == CONN_S_ESTABLISHED || state == CONN_S_UDP || state == CONN_S_FIN_WAIT ||
	     state == CONN_S_TIME_WAIT || state == CONN_S_CLOSE_WAIT) &&
	    !(c->flags & CONN_F_ASSURED))
		assure(t, c);
	c->state = state;
	set_expires(c, now_s + timeout_s);
	return (int)conn_state_active(state) - (int)conn_state_active(old);
}

/* -------------------------------------------------------------- expiry */

uint32_t conn_expire(struct conn_table *t, uint32_t now_s, uint32_t budget, conn_gone_fn gone,
		     void *ctx)
{
	uint32_t seen = 0;

	wheel_start(t, now_s);
	/* A slot is turned once its second has come: what is filed there is
	 * due, or was refreshed and is filed again further on. */
	while (t->cursor <= now_s && seen < budget) {
		uint32_t s = t->cursor & WHEEL_MASK;

		if (t->pending == CONN_REF_NIL && t->slot[s] != CONN_REF_NIL) {
			t->pending = t->slot[s];
			t->slot[s] = CONN_REF_NIL;
			entry(t, t->pending)->prev = LINK_HEAD | LIST_PENDING;
		}
		while (t->pending != CONN_REF_NIL && seen < budget) {
			uint32_t ref = t->pending;
			struct conn *c = entry(t, ref);

			seen++;
			if (due_in(c, now_s) > 0) {
				/* refreshed: filed again, at least a slot on */
				list_unlink(t, c);
				wheel_file(t, c, ref);
				continue;
			}
			conn_remove(t, c, ref, gone, ctx);
		}
		if (t->pending != CONN_REF_NIL)
			break; /* out of budget: the next turn goes on */
		t->cursor++;
	}
	return seen;
}

/* ------------------------------------------------------------ creation */

static uint32_t buckets_for(uint32_t keys)
{
	/* 80% load at most */
	uint64_t n = ((uint64_t)keys * 10 + 7) / 8 / BUCKET_SLOTS + 1;

	return (uint32_t)RTE_MAX(n, 2ull);
}

static void *zalloc(struct conn_table *t, const char *what, size_t size, int socket)
{
	void *p = rte_zmalloc_socket(what, size ? size : RTE_CACHE_LINE_SIZE, RTE_CACHE_LINE_SIZE,
				     socket);

	if (p != NULL)
		t->memory += size;
	return p;
}

struct conn_table *conn_table_create(const struct conn_table_params *p)
{
	struct conn_table *t;
	uint32_t keys;

	if (p->capacity == 0 || p->capacity > CONN_MAX_INDEX || p->capacity6 > CONN_MAX_INDEX ||
	    p->dests == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("conn_table", sizeof(*t), RTE_CACHE_LINE_SIZE, p->socket);
	if (t == NULL)
		goto nomem;
	t->memory = sizeof(*t);
	t->dests = p->dests;
	t->tmpls = p->tmpls;
	t->st.capacity = p->capacity;
	t->st.capacity6 = p->capacity6;
	t->st.embryonic_max = p->embryonic_max ? p->embryonic_max : (p->capacity + 3) / 4;
	/* A NAT connection has two keys: a table of them all is what the
	 * index is sized for (6.4 bytes a slot at 80% load: 16 bytes a
	 * connection). */
	keys = 2 * (p->capacity + p->capacity6);
	t->n_buckets = buckets_for(keys);
	t->seed1 = (uint32_t)rte_rand();
	t->seed2 = (uint32_t)rte_rand() | 1;
	t->bk = zalloc(t, "conn_bk", (size_t)t->n_buckets * sizeof(*t->bk), p->socket);
	t->c4 = zalloc(t, "conn_c4", (size_t)p->capacity * sizeof(*t->c4), p->socket);
	t->c6 = zalloc(t, "conn_c6", (size_t)p->capacity6 * sizeof(*t->c6), p->socket);
	t->fifo_size = p->capacity + p->capacity6;
	t->fifo = zalloc(t, "conn_fifo", (size_t)t->fifo_size * sizeof(*t->fifo), p->socket);
	if (t->bk == NULL || t->c4 == NULL || t->c6 == NULL || t->fifo == NULL)
		goto nomem;
	t->free4 = t->free6 = t->pending = CONN_REF_NIL;
	for (uint32_t i = p->capacity; i-- > 0;) {
		t->c4[i].next = t->free4;
		t->free4 = i;
	}
	for (uint32_t i = p->capacity6; i-- > 0;) {
		t->c6[i].h.next = t->free6;
		t->free6 = i | CONN_REF_V6;
	}
	for (uint32_t s = 0; s < WHEEL_SLOTS; s++)
		t->slot[s] = CONN_REF_NIL;
	return t;
nomem:
	conn_table_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void conn_table_free(struct conn_table *t)
{
	if (t == NULL)
		return;
	rte_free(t->bk);
	rte_free(t->c4);
	rte_free(t->c6);
	rte_free(t->fifo);
	rte_free(t);
}

size_t conn_table_memory(const struct conn_table *t)
{
	return t->memory;
}

const struct conn_table_stats *conn_table_stats(const struct conn_table *t)
{
	return &t->st;
}

/* ------------------------------------------------------------ listings */

uint64_t conn_table_positions(const struct conn_table *t)
{
	return (uint64_t)t->st.capacity + t->st.capacity6;
}

bool conn_table_read(const struct conn_table *t, uint64_t *pos, struct conn_view *v)
{
	return conn_table_read_upto(t, pos, UINT64_MAX, v);
}

bool conn_table_read_upto(const struct conn_table *t, uint64_t *pos, uint64_t end,
			  struct conn_view *v)
{
	const uint64_t n4 = t->st.capacity, n = RTE_MIN(n4 + t->st.capacity6, end);

	for (; *pos < n; (*pos)++) {
		uint32_t ref = *pos < n4 ? (uint32_t)*pos : (uint32_t)(*pos - n4) | CONN_REF_V6;
		struct conn6 copy;
		const struct conn *c = &copy.h;

		if (!entry_read(t, ref, &copy))
			continue;
		(*pos)++;
		memset(v, 0, sizeof(*v));
		v->proto = c->proto;
		v->state = c->state;
		v->flags = c->flags;
		v->rs_stat = c->rs_stat;
		v->expires = c->expires;
		v->tmpl = c->tmpl;
		v->cport = c->cport;
		v->vport = c->vport;
		if (c->flags & CONN_F_V6) {
			v->af = 6;
			memcpy(v->caddr, copy.caddr, 16);
			memcpy(v->vaddr, copy.vaddr, 16);
		} else {
			v->af = 4;
			memcpy(v->caddr, &c->caddr, 4);
			memcpy(v->vaddr, &c->vaddr, 4);
		}
		return true;
	}
	return false;
}

uint32_t conn_client_hash(uint8_t af, const void *addr, rte_be16_t port)
{
	uint32_t h = 0x9e3779b9u;

	if (af == 4) {
		rte_be32_t a;

		memcpy(&a, addr, sizeof(a));
		h = rte_hash_crc_4byte(a, h);
	} else {
		for (int i = 0; i < 2; i++) {
			uint64_t w;

			memcpy(&w, (const uint8_t *)addr + 8 * i, sizeof(w));
			h = rte_hash_crc_8byte(w, h);
		}
	}
	return rte_hash_crc_2byte(port, h);
}
