/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/conn's table API: the input is a small table's
 * size and a sequence of operations (create, lookup one or in bulk, touch,
 * kill, resync, the clock moved and the wheel turned, a listing, templates
 * bound and killed), run against the real table and against a model: an
 * array of the connections that should be there.
 *
 * After every operation:
 * - every connection of the model is found under its key (and a NAT one
 *   under its reply key, in the other direction), alone in the bulk lookup
 *   as well, and conn_probe agrees; a key the model does not have is found
 *   nowhere (no lost entries, no ghosts);
 * - live and embryonic counts are the model's; embryonic <= embryonic_max;
 *   a connection is assured exactly when its handshake is over (TCP reached
 *   ESTABLISHED, UDP saw a second packet or a reply, or a sync said so);
 * - states follow conn_tcp_next, expiries the state's timeout;
 * - each template's bound count is the model's.
 * During a create, whatever leaves (the gone callback) is embryonic, leaves
 * only under pressure (the budget reached, its family's entries all taken,
 * or a bucket pair full, never a full embryonic queue) and is counted under
 * the reason that says so.
 * A turn of the wheel removes only what is due (never early), and a turn
 * to the end leaves nothing more than WHEEL_RECHECK_S late (UDP: its
 * timeout). Killing calls gone once, for that connection.
 * At the end the clock runs on for 2000 s: the table and every template's
 * count are empty.
 *
 * A broken rule aborts with a message (libFuzzer keeps the input).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "conn_int.h" /* conn_tcp_next, WHEEL_RECHECK_S */
#include "halb_config.h"

#define CLIENTS  8
#define CPORTS   4
#define VPORTS   2
#define KEYS     (CLIENTS * CPORTS * VPORTS * 2 * 2) /* x proto x family */
#define TMPLS    8
#define START_S  1000
#define MAX_GONE 64

static struct rte_rcu_qsbr *qsbr;
static struct conn_dest *dests;

/* What the model knows of a connection, by key number. */
struct mconn {
	bool live, assured, nat;
	struct conn *c;
	uint8_t gen;
	uint32_t tmpl; /* template index + 1 */
};

static struct {
	struct conn_table *t;
	struct conn_tmpls *ts;
	uint32_t cap, cap6, embryonic_max;
	uint32_t now;
	struct mconn m[KEYS];
	uint32_t tmpl_refs[TMPLS];
	/* what gone saw during one call */
	const struct conn *gone[MAX_GONE];
	struct mconn gone_was[MAX_GONE];
	unsigned int n_gone;
	bool gone_ok; /* a call that may remove connections is running */
} S;

static void die(const char *what, unsigned int k)
{
	fprintf(stderr, "fuzz_conn: %s (key %u, t=%u)\n", what, k, S.now);
	abort();
}

/* ----------------------------------------------------------------- keys */

/* Key k: client, client port, service port, protocol, family. */
static void key_of(unsigned int k, struct conn_key *key)
{
	const unsigned int client = k % CLIENTS, cport = (k / CLIENTS) % CPORTS;
	const unsigned int vport = (k / (CLIENTS * CPORTS)) % VPORTS;
	const bool udp = (k / (CLIENTS * CPORTS * VPORTS)) % 2;
	const bool v6 = k / (CLIENTS * CPORTS * VPORTS * 2);

	memset(key, 0, sizeof(*key));
	key->af = v6 ? 6 : 4;
	key->proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
	key->sport = rte_cpu_to_be_16((uint16_t)(1000 + cport));
	key->dport = rte_cpu_to_be_16(vport ? 443 : 80);
	if (v6) {
		key->v6.src[0] = 0x20;
		key->v6.src[15] = (uint8_t)(client + 1);
		key->v6.dst[0] = 0x20;
		key->v6.dst[15] = 0x64;
	} else {
		key->v4.src = rte_cpu_to_be_32(0xc6120000u + client); /* 198.18.0.x */
		key->v4.dst = rte_cpu_to_be_32(0xac116464u);          /* 172.17.100.100 */
	}
}

/* Real servers: slot 1 + 4 * family + 2 * vport + which; each its own
 * address and port, so that no two connections share a reply key. */
static uint16_t rs_of(unsigned int k, uint8_t which)
{
	const unsigned int vport = (k / (CLIENTS * CPORTS)) % VPORTS;
	const bool v6 = k / (CLIENTS * CPORTS * VPORTS * 2);

	return (uint16_t)(1 + 4 * v6 + 2 * vport + (which & 1));
}

static void dests_fill(void)
{
	for (uint16_t s = 1; s <= 8; s++) {
		struct conn_dest *d = &dests[s];

		d->port = rte_cpu_to_be_16((uint16_t)(8000 + s));
		d->svc_stat = 100;
		if (s > 4) {
			d->af = 6;
			d->addr.v6[0] = 0xfd;
			d->addr.v6[15] = (uint8_t)s;
		} else {
			d->af = 4;
			d->addr.v4 = rte_cpu_to_be_32(0x0a000000u + s);
		}
	}
}

static void reply_of(const struct conn_key *in, uint16_t rs, struct conn_key *out)
{
	const struct conn_dest *d = &dests[rs];

	*out = *in;
	out->sport = d->port;
	out->dport = in->sport;
	if (in->af == 6) {
		memcpy(out->v6.src, d->addr.v6, 16);
		memcpy(out->v6.dst, in->v6.src, 16);
	} else {
		out->v4.src = d->addr.v4;
		out->v4.dst = in->v4.src;
	}
}

static struct conn_key keytab[KEYS]; /* key_of, once */

static int key_number(const struct conn *c)
{
	for (unsigned int k = 0; k < KEYS; k++)
		if (S.m[k].live && S.m[k].c == c && S.m[k].gen == c->gen)
			return (int)k;
	return -1;
}

/* ----------------------------------------------------------- the model */

static void gone(void *ctx, const struct conn *c)
{
	int k = key_number(c);

	(void)ctx;
	if (!S.gone_ok || k < 0 || S.n_gone == MAX_GONE)
		die("a connection the model does not have left, or outside a call", 0);
	S.gone[S.n_gone] = c;
	S.gone_was[S.n_gone++] = S.m[k];
	if (S.m[k].tmpl != 0)
		S.tmpl_refs[S.m[k].tmpl - 1]--;
	S.m[k].live = false;
}

static unsigned int model_count(bool embryonic_only, int af)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < KEYS; k++)
		if (S.m[k].live && (!embryonic_only || !S.m[k].assured) &&
		    (af == 0 || keytab[k].af == af))
			n++;
	return n;
}

static uint64_t reason_sum(const uint64_t *r, int from, int to)
{
	uint64_t n = 0;

	for (int i = from; i <= to; i++)
		n += r[i];
	return n;
}

/* Key k is in the table as the model says. @return its connection. */
static struct conn *check_key(unsigned int k)
{
	const struct mconn *m = &S.m[k];
	struct conn_key rep;
	struct conn *c;
	uint8_t dir = 9;

	c = conn_lookup(S.t, &keytab[k], &dir);
	if (m->live != (c != NULL) || (c != NULL && (c != m->c || dir != CONN_DIR_IN)))
		die(m->live ? "a connection is lost" : "a key found that is not there", k);
	if (conn_probe(S.t, &keytab[k]) != m->live)
		die("conn_probe disagrees", k);
	if (!m->live)
		return NULL;
	if (!(c->flags & CONN_F_LIVE) || !!(c->flags & CONN_F_ASSURED) != m->assured)
		die("assured or not, not as the model", k);
	if (m->nat) {
		reply_of(&keytab[k], c->rs_stat, &rep);
		if (conn_lookup(S.t, &rep, &dir) != c || dir != CONN_DIR_OUT)
			die("a NAT reply key is lost", k);
	}
	return c;
}

/* The counts the model says, after every operation. */
static void check_counts(void)
{
	const struct conn_table_stats *st = conn_table_stats(S.t);

	if (st->live != model_count(false, 0) || st->embryonic != model_count(true, 0))
		die("live or embryonic counts are not the model's", st->live);
	if (st->embryonic > S.embryonic_max)
		die("more embryonic connections than the budget", st->embryonic);
	for (unsigned int i = 0; S.ts != NULL && i < TMPLS; i++)
		if (S.tmpl_refs[i] != 0 && conn_tmpl_at(S.ts, i)->n_controlled != S.tmpl_refs[i])
			die("a template's count of connections is not the model's", i);
}

/* Every key, and the live ones in bulk too. */
static void check_all(void)
{
	struct conn_key keys[32];
	struct conn *found[32], *want[32];
	uint8_t dirs[32];
	unsigned int nk = 0;

	for (unsigned int k = 0; k < KEYS; k++) {
		struct conn *c = check_key(k);

		if (c != NULL && nk < 32) {
			want[nk] = c;
			keys[nk++] = keytab[k];
		}
	}
	if (nk > 0 &&
	    conn_lookup_bulk(S.t, keys, nk, found, dirs) != (nk == 32 ? ~0u : (1u << nk) - 1))
		die("the bulk lookup missed a live key", nk);
	for (unsigned int i = 0; i < nk; i++)
		if (found[i] != want[i] || dirs[i] != CONN_DIR_IN)
			die("the bulk lookup found another connection", i);
	check_counts();
}

/* ----------------------------------------------------------- operations */

static uint8_t next(const uint8_t **p, const uint8_t *end)
{
	return *p < end ? *(*p)++ : 0;
}

static uint32_t template_for(unsigned int k, uint16_t rs)
{
	struct conn_tkey tk = { 0 };
	const struct conn_key key = keytab[k];
	struct conn_tmpl *t;
	uint32_t idx;

	if (S.ts == NULL)
		return 0;
	tk.af = key.af;
	tk.proto = key.proto;
	tk.vport = key.dport;
	memcpy(tk.caddr, key.af == 6 ? key.v6.src : (const uint8_t *)&key.v4.src,
	       key.af == 6 ? 16 : 4);
	t = conn_tmpl_get(S.ts, &tk, rs, 100, 30, S.now, &idx);
	if (t == NULL || idx >= TMPLS)
		return 0;
	conn_tmpl_bind(t, S.now);
	S.tmpl_refs[idx]++;
	return idx + 1;
}

static void op_create(unsigned int k, uint8_t a, uint8_t b)
{
	static const uint8_t states[4] = { CONN_S_NONE, CONN_S_SYN_RECV, CONN_S_ESTABLISHED,
					   CONN_S_FIN_WAIT };
	const struct conn_table_stats *st = conn_table_stats(S.t);
	uint64_t before[CONN_REASON_COUNT];
	struct conn_init ci = { .fwd = (uint8_t)(a % 3 == 0   ? CFG_FWD_DR
						 : a % 3 == 1 ? CFG_FWD_NAT
							      : CFG_FWD_TUN) };
	const unsigned int emb = model_count(true, 0);
	unsigned int fam_live;
	struct conn *c;

	if (S.m[k].live)
		return; /* the caller looks up first */
	ci.key = keytab[k];
	fam_live = model_count(false, ci.key.af);
	ci.rs_stat = rs_of(k, b);
	ci.state = ci.key.proto == IPPROTO_UDP ? CONN_S_UDP : states[(a >> 2) & 3];
	ci.assured = (a >> 4) & 1;
	ci.synced = (a >> 5) & 1;
	ci.timeout_s = (a >> 6) ? (uint16_t)(b >> 1) : 0;
	ci.tmpl = (b & 0x80) ? template_for(k, ci.rs_stat) : 0;
	memcpy(before, st->reasons, sizeof(before));
	S.n_gone = 0;
	S.gone_ok = true;
	c = conn_create(S.t, &ci, S.now, gone, NULL);
	S.gone_ok = false;
	for (unsigned int i = 0; i < S.n_gone; i++)
		if (S.gone_was[i].assured)
			die("an assured connection was evicted", k);
	/* a full queue is never a reason to evict (CONN_QUEUE_FULL counts
	 * a connection left out of it) */
	if (S.n_gone !=
	    reason_sum(st->reasons, CONN_EVICT_EMBRYONIC_BUDGET, CONN_EVICT_BUCKET_FULL) -
		reason_sum(before, CONN_EVICT_EMBRYONIC_BUDGET, CONN_EVICT_BUCKET_FULL))
		die("evictions not counted as such", k);
	if (st->reasons[CONN_EVICT_EMBRYONIC_BUDGET] != before[CONN_EVICT_EMBRYONIC_BUDGET] &&
	    (ci.assured || emb < S.embryonic_max))
		die("evicted for the budget under it", k);
	if (st->reasons[CONN_EVICT_TABLE_FULL] != before[CONN_EVICT_TABLE_FULL] &&
	    fam_live < (ci.key.af == 6 ? S.cap6 : S.cap))
		die("evicted for a full table with room in it", k);
	if (c == NULL) {
		if (reason_sum(st->reasons, CONN_REFUSE_TABLE_FULL, CONN_REFUSE_BUCKET_FULL) ==
		    reason_sum(before, CONN_REFUSE_TABLE_FULL, CONN_REFUSE_BUCKET_FULL))
			die("a refusal not counted", k);
		if (ci.tmpl != 0) {
			conn_tmpl_unbind(S.ts, ci.tmpl - 1);
			S.tmpl_refs[ci.tmpl - 1]--;
		}
		return;
	}
	S.m[k] = (struct mconn){ .live = true,
				 .assured = ci.assured,
				 .nat = ci.fwd == CFG_FWD_NAT,
				 .c = c,
				 .gen = c->gen,
				 .tmpl = ci.tmpl };
	if (c->state != ci.state || c->rs_stat != ci.rs_stat)
		die("made other than asked", k);
}

static void op_touch(unsigned int k, uint8_t a)
{
	static const uint8_t flags[8] = { RTE_TCP_ACK_FLAG,
					  RTE_TCP_SYN_FLAG,
					  RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
					  RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
					  RTE_TCP_RST_FLAG,
					  RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
					  0,
					  RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG };
	struct mconn *m = &S.m[k];
	struct conn *c = m->c;
	const enum conn_dir dir = (m->nat && (a & 8)) ? CONN_DIR_OUT : CONN_DIR_IN;
	const uint8_t f = flags[a & 7];
	const bool was_assured = m->assured;
	uint8_t want, old;
	int delta;

	if (!m->live)
		return;
	old = c->state;
	if (c->proto == IPPROTO_TCP) {
		want = conn_tcp_next(old, c->flags & CONN_F_INPUT_ONLY, dir, f);
		if (want == CONN_S_ESTABLISHED)
			m->assured = true;
	} else {
		want = CONN_S_UDP;
		if (old == CONN_S_UDP || dir == CONN_DIR_OUT)
			m->assured = true;
	}
	delta = conn_touch(S.t, c, dir, c->proto == IPPROTO_TCP ? f : 0, S.now);
	if (!was_assured && m->assured && m->tmpl != 0 && !conn_tmpl_at(S.ts, m->tmpl - 1)->assured)
		die("a connection assured, its template not", k);
	if (c->state != want)
		die("a state other than the state table's", k);
	if (delta != (int)conn_state_active(want) - (int)conn_state_active(old))
		die("the change in activity is wrong", k);
	if (conn_left(c, S.now) != (int32_t)conn_state_timeout(want))
		die("an expiry other than the state's timeout", k);
}

static void op_kill(unsigned int k)
{
	if (!S.m[k].live)
		return;
	S.n_gone = 0;
	S.gone_ok = true;
	conn_kill(S.t, S.m[k].c, gone, NULL);
	S.gone_ok = false;
	if (S.n_gone != 1 || S.m[k].live)
		die("a kill did not call gone once for its connection", k);
}

static void op_resync(unsigned int k, uint8_t a)
{
	static const uint8_t states[6] = {
		CONN_S_SYN_RECV,  CONN_S_ESTABLISHED, CONN_S_FIN_WAIT,
		CONN_S_TIME_WAIT, CONN_S_CLOSE,       CONN_S_CLOSE_WAIT
	};
	struct mconn *m = &S.m[k];
	const uint8_t state = m->live && m->c->proto == IPPROTO_UDP ? CONN_S_UDP : states[a % 6];
	const uint16_t timeout = (uint16_t)(1 + (a >> 3) * 10);

	if (!m->live)
		return;
	conn_resync(S.t, m->c, state, timeout, S.now);
	if (state != CONN_S_SYN_RECV && state != CONN_S_CLOSE)
		m->assured = true;
	if (m->c->state != state || conn_left(m->c, S.now) != timeout)
		die("a resync left another state or expiry", k);
}

/* The clock on by step seconds, the wheel turned `budget` entries at most
 * (to the end when budget is 0). */
static void op_time(uint8_t step, uint8_t budget)
{
	uint32_t seen;

	S.now += step;
	do {
		S.n_gone = 0;
		S.gone_ok = true;
		seen = conn_expire(S.t, S.now, budget ? budget : 64, gone, NULL);
		S.gone_ok = false;
		for (unsigned int i = 0; i < S.n_gone; i++)
			if (conn_left(S.gone[i], S.now) > 0)
				die("a connection expired early",
				    (unsigned int)conn_left(S.gone[i], S.now));
	} while (budget == 0 && seen == 64);
	if (S.ts != NULL) {
		conn_tmpls_expire(S.ts, S.now, 64);
		rte_rcu_qsbr_quiescent(qsbr, 0);
	}
	if (budget != 0)
		return;
	for (unsigned int k = 0; k < KEYS; k++) {
		const struct mconn *m = &S.m[k];
		int32_t late;

		if (!m->live)
			continue;
		late = -conn_left(m->c, S.now);

		/* filed at most WHEEL_RECHECK_S ahead (TCP) or its longest
		 * timeout here (UDP: a resync's 311 s) */
		if (late > (int32_t)(m->c->proto == IPPROTO_TCP ? WHEEL_RECHECK_S : 311))
			die("a connection stayed past its expiry", k);
	}
}

/* The listing has every connection of the model, once. */
static void op_read(void)
{
	uint64_t pos = 0;
	struct conn_view v;
	unsigned int n = 0;

	while (conn_table_read(S.t, &pos, &v)) {
		n++;
		if (v.state >= CONN_S_COUNT || !(v.flags & CONN_F_LIVE))
			die("the listing has a dead or odd entry", v.state);
	}
	if (n != model_count(false, 0))
		die("the listing's count is not the model's", n);
}

static void op_tmpl_kill(uint8_t a)
{
	struct conn_tmpl *t;

	if (S.ts == NULL || (t = conn_tmpl_at(S.ts, a % TMPLS))->dead != 0)
		return;
	conn_tmpl_kill(S.ts, t);
}

/* -------------------------------------------------------------- an input */

static void table_open(const uint8_t **p, const uint8_t *end)
{
	const uint8_t a = next(p, end), b = next(p, end);

	S.cap = 1 + a % 48;
	S.cap6 = (b & 1) ? b % 16 : 0;
	S.embryonic_max = (b >> 4) ? 1 + (b >> 4) % S.cap : (S.cap + 3) / 4;
	S.now = START_S;
	memset(S.m, 0, sizeof(S.m));
	memset(S.tmpl_refs, 0, sizeof(S.tmpl_refs));
	S.ts = (a & 0x80) ? conn_tmpls_create("fz", TMPLS, qsbr, SOCKET_ID_ANY) : NULL;
	S.t = conn_table_create(&(struct conn_table_params){ .name = "fz",
							     .capacity = S.cap,
							     .capacity6 = S.cap6,
							     .embryonic_max = S.embryonic_max,
							     .dests = dests,
							     .tmpls = S.ts,
							     .socket = SOCKET_ID_ANY });
	if (S.t == NULL || ((a & 0x80) && S.ts == NULL))
		die("cannot make the tables", S.cap);
}

static void table_close(void)
{
	for (unsigned int i = 0; i < 2000 / 200; i++)
		op_time(200, 0);
	check_all();
	if (conn_table_stats(S.t)->live != 0 || model_count(false, 0) != 0)
		die("connections outlived 2000 s", conn_table_stats(S.t)->live);
	for (unsigned int i = 0; S.ts != NULL && i < TMPLS; i++)
		if (conn_tmpl_at(S.ts, i)->n_controlled != 0 || S.tmpl_refs[i] != 0)
			die("a template still counts connections", i);
	if (S.ts != NULL && conn_tmpls_stats(S.ts)->live != 0)
		die("templates outlived their connections and timeout",
		    conn_tmpls_stats(S.ts)->live);
	conn_table_free(S.t);
	conn_tmpls_free(S.ts);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[32];
	char *eal[] = { (*argv)[0],
			"--no-huge",
			"-m",
			"64",
			"--no-pci",
			"--no-shconf",
			"--no-telemetry",
			"--log-level=*:error",
			"--lcores",
			"0@0",
			"--file-prefix",
			prefix };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "fzconn%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal), eal) < 0)
		die("cannot start the EAL", 0);
	rmdir(rte_eal_get_runtime_dir()); /* empty without shared config */
	qsbr = rte_zmalloc("qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	dests = rte_zmalloc("dests", sizeof(*dests) * 16, 0);
	if (qsbr == NULL || dests == NULL || rte_rcu_qsbr_init(qsbr, 1) != 0)
		die("no memory", 0);
	rte_rcu_qsbr_thread_register(qsbr, 0);
	rte_rcu_qsbr_thread_online(qsbr, 0);
	dests_fill();
	for (unsigned int k = 0; k < KEYS; k++)
		key_of(k, &keytab[k]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	unsigned int ops = 0;

	table_open(&p, end);
	while (p < end) {
		const uint8_t op = next(&p, end), k8 = next(&p, end), a = next(&p, end);
		const unsigned int k = (unsigned int)(k8 | (op & 0xf0) << 4) % KEYS;

		switch (op & 7) {
		case 0:
		case 1:
			op_create(k, a, next(&p, end));
			break;
		case 2:
			op_touch(k, a);
			break;
		case 3:
			op_kill(k);
			break;
		case 4:
			op_resync(k, a);
			break;
		case 5:
			op_time(a, k8 & 3 ? k8 : 0);
			break;
		case 6:
			op_read();
			break;
		default:
			op_tmpl_kill(a);
			break;
		}
		if (S.ts != NULL)
			rte_rcu_qsbr_quiescent(qsbr, 0);
		/* the key operated on and the counts every time; all keys
		 * every 16 operations (and at the end) */
		check_key(k);
		check_counts();
		if (++ops % 16 == 0)
			check_all();
	}
	check_all();
	table_close();
	return 0;
}
