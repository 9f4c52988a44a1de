/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table-driven schedulers: a key hashes to a slot of a table built with
 * the struct sched, and the slot names the destination. A pick is a hash, a
 * multiply or a mask, and one load; nothing divides.
 *
 * dh and sh (ip_vs_dh.c, ip_vs_sh.c) share a 256-bucket table filled as
 * ip_vs_sh_reassign() does: round robin over the available destinations,
 * each filling `weight` consecutive buckets in its turn (so weights summing
 * past 256 skew the shares, as in the kernel). A weight-0 destination still
 * fills one bucket per turn, again as the kernel, so quiescing one server of
 * a weight-1 set moves nobody else; its keys find no usable destination and
 * get -1, or with params->fallback walk the table the way
 * ip_vs_sh_get_fallback() does. An unavailable destination is a removed one
 * and takes no bucket. The hashes are the kernel's, so a set of weight-1
 * destinations maps each key to the same one as an LVS director would:
 * sh takes hash_32(sport + saddr, 8) (sport 0 without params->port), dh
 * (daddr * 2654435761) & 255. Unlike the kernel's dh, which gives every
 * destination one bucket per turn and has no fallback, dh here is weighted
 * and takes params->fallback as sh does.
 *
 * mh (ip_vs_mh.c) is Maglev hashing. Each usable destination gets a
 * permutation of the M slots (M prime) from its address and port: it starts
 * at offset = h1 % M and steps by skip = h2 % (M - 1) + 1. Destinations take
 * turns, each claiming its next free slot `weight / gcd` times per round
 * (scaled down so the largest takes at most 2^(bits/2) per round, bits the
 * size of M, as the kernel's rshift), until every slot is claimed. They take
 * their turns in the order of their address and port, not of the
 * configuration (the kernel takes its list's order): the table is a function
 * of the destination *set*, so directors whose keepalived.conf lists the
 * same real servers in another order, or added one at another place, still
 * agree on every flow (docs/SCALEOUT.md). A
 * destination's place in the table depends only on its own permutation and
 * the others', so removing one of N moves about 1/N of the keys. Unusable
 * destinations claim no slot, so every slot's destination is usable and
 * mh-fallback has nothing to do: the rebuild already moves only (about) the
 * keys of the one that left. A key maps to slot ((h >> 32) * M) >> 32, a
 * multiply-shift reduction instead of the kernel's modulo.
 *
 * Maglev's hash is splitmix64's finaliser (Steele, Lea and Flood) over the
 * address and port packed into 48 bits, xor-ed with a different constant for
 * the offset, the skip and the key. It is a bijection of 64-bit words with
 * full avalanche, cheap, and has no seed: every director builds the same
 * table from the same destinations, which Maglev relies on when several
 * directors share a service. The kernel uses hsiphash with fixed keys for
 * the same reason.
 */
#include <stdlib.h>

#include "sched_priv.h"

/* dh and sh: IPVS's 256-bucket table. */
#define SCHED_BUCKET_BITS 8
#define SCHED_BUCKETS     (1u << SCHED_BUCKET_BITS)

#define SCHED_MH_SALT_OFFSET 0x9e3779b97f4a7c15ull
#define SCHED_MH_SALT_SKIP   0xc2b2ae3d27d4eb4full
#define SCHED_MH_SALT_KEY    0x165667b19e3779f9ull

/* ------------------------------------------------------------------ dh, sh */

static uint32_t sched_next_available(const struct sched *s, uint32_t i)
{
	do {
		i = i + 1 < s->n ? i + 1 : 0;
	} while (!s->dests[i].available);
	return i;
}

int sched_bucket_build(struct sched *s)
{
	uint32_t b, i, filled = 0;
	bool any = false;

	s->table = malloc(SCHED_BUCKETS * sizeof(*s->table));
	if (s->table == NULL)
		return -1;
	s->table_size = SCHED_BUCKETS;
	for (i = 0; i < s->n; i++)
		any = any || s->dests[i].available;
	if (!any) {
		for (b = 0; b < SCHED_BUCKETS; b++)
			s->table[b] = -1;
		return 0;
	}
	i = sched_next_available(s, s->n - 1);
	for (b = 0; b < SCHED_BUCKETS; b++) {
		s->table[b] = (int32_t)i;
		/* ++filled >= weight: a weight-0 destination fills one bucket. */
		if (++filled >= s->dests[i].weight) {
			i = sched_next_available(s, i);
			filled = 0;
		}
	}
	return 0;
}

/* The bucket's destination if usable; else, with fallback, the first usable
 * one on ip_vs_sh_get_fallback()'s walk, which visits bucket
 * ((ihash + offset) % 256 + ihash) & 255 for offset 0..255. */
static int sched_bucket_lookup(const struct sched *s, uint32_t ihash)
{
	int32_t d = s->table[ihash];
	uint32_t off;

	if (d < 0)
		return -1;
	if (sched_usable(&s->dests[d]))
		return d;
	if (!s->fallback)
		return -1;
	for (off = 0; off < SCHED_BUCKETS; off++) {
		d = s->table[(off + 2 * ihash) & (SCHED_BUCKETS - 1)];
		if (sched_usable(&s->dests[d]))
			return d;
	}
	return -1;
}

int sched_dh_pick(const struct sched *s, const struct sched_key *key)
{
	return sched_bucket_lookup(s, (key->daddr * 2654435761u) & (SCHED_BUCKETS - 1));
}

int sched_sh_pick(const struct sched *s, const struct sched_key *key)
{
	uint32_t port = s->port ? key->sport : 0;

	return sched_bucket_lookup(s, sched_hash_32(port + key->saddr, SCHED_BUCKET_BITS));
}

/* ---------------------------------------------------------------------- mh */

static uint64_t sched_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t sched_mh_hash(uint32_t addr, uint16_t port, uint64_t salt)
{
	return sched_mix64((((uint64_t)addr << 16) | port) ^ salt);
}

/* [0, m) from the top 32 bits of h (Lemire's multiply-shift reduction). */
static uint32_t sched_mh_reduce(uint64_t h, uint32_t m)
{
	return (uint32_t)(((h >> 32) * m) >> 32);
}

static bool sched_is_prime(uint32_t m)
{
	uint32_t d;

	if (m < 2)
		return false;
	if (m % 2 == 0)
		return m == 2;
	for (d = 3; (uint64_t)d * d <= m; d += 2)
		if (m % d == 0)
			return false;
	return true;
}

static unsigned int sched_ilog2(uint32_t v)
{
	return 31u - (unsigned int)__builtin_clz(v);
}

/* A usable destination's walk over the table while it is being filled. */
struct sched_mh_perm {
	uint32_t dest;  /* its index in s->dests */
	uint32_t next;  /* the next slot it tries */
	uint32_t skip;  /* 1..m-1; m prime, so the walk visits every slot */
	uint32_t turns; /* slots claimed per round */
};

/* ip_vs_mh_gcd_weight() and ip_vs_mh_shift_weight(): turns = weight / gcd,
 * shifted right until the largest fits in (ilog2(m) + 1) / 2 bits. */
static void sched_mh_turns(const struct sched *s, struct sched_mh_perm *perm, uint32_t m)
{
	uint32_t g = 0, max = 0, k;
	unsigned int bits = (sched_ilog2(m) + 1) / 2, shift = 0, used;

	for (k = 0; k < s->n_usable; k++) {
		uint32_t w = s->dests[perm[k].dest].weight;

		g = sched_gcd(w, g);
		if (w > max)
			max = w;
	}
	used = sched_ilog2(max / g) + 1;
	if (used > bits)
		shift = used - bits;
	for (k = 0; k < s->n_usable; k++) {
		uint32_t t = (s->dests[perm[k].dest].weight / g) >> shift;

		perm[k].turns = t > 0 ? t : 1;
	}
}

/* Claiming order: by address and port, then by index (two entries for one
 * server keep the configuration's order). */
static int sched_mh_cmp(const void *a, const void *b, void *arg)
{
	const struct sched *s = arg;
	const struct sched_mh_perm *x = a, *y = b;
	const struct sched_dest *dx = &s->dests[x->dest], *dy = &s->dests[y->dest];

	if (dx->addr != dy->addr)
		return dx->addr < dy->addr ? -1 : 1;
	if (dx->port != dy->port)
		return dx->port < dy->port ? -1 : 1;
	return x->dest < y->dest ? -1 : x->dest > y->dest;
}

static void sched_mh_permute(const struct sched *s, struct sched_mh_perm *perm, uint32_t m)
{
	uint32_t k;

	for (k = 0; k < s->n_usable; k++)
		perm[k].dest = s->usable[k];
	qsort_r(perm, s->n_usable, sizeof(*perm), sched_mh_cmp, (void *)s);
	for (k = 0; k < s->n_usable; k++) {
		const struct sched_dest *d = &s->dests[perm[k].dest];

		perm[k].next =
		    (uint32_t)(sched_mh_hash(d->addr, d->port, SCHED_MH_SALT_OFFSET) % m);
		perm[k].skip =
		    (uint32_t)(sched_mh_hash(d->addr, d->port, SCHED_MH_SALT_SKIP) % (m - 1)) + 1;
	}
}

/* ip_vs_mh_populate(): rounds over the destinations, each claiming its next
 * free slot `turns` times, until all m slots are claimed. */
static void sched_mh_populate(struct sched *s, struct sched_mh_perm *perm, uint32_t m)
{
	uint32_t filled = 0, k, t, c;

	for (c = 0; c < m; c++)
		s->table[c] = -1;
	for (;;) {
		for (k = 0; k < s->n_usable; k++) {
			for (t = 0; t < perm[k].turns; t++) {
				c = perm[k].next;
				while (s->table[c] >= 0) {
					c += perm[k].skip;
					if (c >= m)
						c -= m;
				}
				perm[k].next = c;
				s->table[c] = (int32_t)perm[k].dest;
				if (++filled == m)
					return;
			}
		}
	}
}

int sched_mh_build(struct sched *s, uint32_t m)
{
	struct sched_mh_perm *perm;

	if (!sched_is_prime(m) || m > SCHED_MH_TABLE_MAX || s->n_usable > m)
		return -1;
	s->table_size = m;
	if (s->n_usable == 0)
		return 0; /* no table: every pick is -1 */
	s->table = malloc((size_t)m * sizeof(*s->table));
	perm = calloc(s->n_usable, sizeof(*perm));
	if (s->table == NULL || perm == NULL) {
		free(perm);
		return -1;
	}
	sched_mh_permute(s, perm, m);
	sched_mh_turns(s, perm, m);
	sched_mh_populate(s, perm, m);
	free(perm);
	return 0;
}

int sched_mh_pick(const struct sched *s, const struct sched_key *key)
{
	uint16_t port = s->port ? key->sport : 0;
	uint64_t h = sched_mh_hash(key->saddr, port, SCHED_MH_SALT_KEY);

	return s->table[sched_mh_reduce(h, s->table_size)];
}
