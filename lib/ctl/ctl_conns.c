/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /halb/conns: the connection tables a page at a time, without stopping
 * anyone.
 *
 * ctl_conns_page() is the one place that knows how the tables are walked:
 * each worker's own table with conn_table_read() (any thread may read a
 * table while its owner changes it, without a lock or RCU: lib/conn), then
 * the shared persistence templates with conn_tmpls_read(). It takes no lock
 * at all, so the control core, VRRP, the health checks and the workers
 * never wait for a listing. Its cursor is a position in one of those
 * tables, as text opaque to clients ("c<worker>.<pos>", "t<pos>").
 *
 * A walk is not a snapshot: a connection created or removed while a
 * listing pages through may be missing or, if it moved, seen twice, as
 * with reading /proc/net/ip_vs_conn while IPVS runs. Each request examines
 * at most scan_max entries, so a filter that matches little still answers
 * quickly, with a cursor to go on from.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"

#define CONNS_SCAN_MAX   (64u * 1024)  /* entries examined per listing request */
#define CONNS_COUNT_SCAN (512u * 1024) /* ... per counting request */
#define CONNS_LIMIT_MAX  100000
/* More than the longest /halb/conns entry (IPv4: 256 bytes with 15-character
 * addresses, 5-digit ports, 10-digit numbers, state ESTABLISHED; IPv6: 328).
 * A page counts each entry at this size rather than printing it twice to
 * measure it, and a comma. */
#define CONN_JSON_MAX4 288
#define CONN_JSON_MAX6 384

/* ---------------------------------------------------------------- walk */

static bool addr_match(const struct ctl_addr_filter *f, uint8_t af, const uint8_t *a, uint16_t port)
{
	struct cfg_addr x;
	rte_be32_t v4;

	if (!f->set)
		return true;
	if (af == 6) {
		x = cfg_addr6(a);
	} else {
		memcpy(&v4, a, sizeof(v4));
		x = cfg_addr4(rte_be_to_cpu_32(v4));
	}
	return ctl_addr_match(f, &x, port);
}

static bool filter_match(const struct ctl_conn_filter *f, const struct ctl_conn_info *ci)
{
	return (f->proto == 0 || f->proto == ci->proto) &&
	       addr_match(&f->vip, ci->af, ci->vaddr, ci->vport) &&
	       addr_match(&f->rs, ci->af, ci->daddr, ci->dport) &&
	       addr_match(&f->client, ci->af, ci->caddr, ci->cport);
}

static void dest_info(const struct ctl_conns_src *src, uint16_t rs_stat, struct ctl_conn_info *ci)
{
	const struct conn_dest *d = &src->dests[rs_stat];

	memcpy(ci->daddr, d->af == 6 ? d->addr.v6 : (const uint8_t *)&d->addr.v4,
	       d->af == 6 ? 16 : 4);
	ci->dport = rte_be_to_cpu_16(d->port);
}

static void view_info(const struct ctl_conns_src *src, const struct conn_view *v, uint16_t w,
		      struct ctl_conn_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->af = v->af;
	ci->proto = v->proto;
	ci->state = v->state;
	ci->fwd = v->flags >> CONN_F_FWD_SHIFT;
	ci->assured = v->flags & CONN_F_ASSURED;
	ci->worker = w;
	memcpy(ci->caddr, v->caddr, sizeof(ci->caddr));
	memcpy(ci->vaddr, v->vaddr, sizeof(ci->vaddr));
	ci->cport = rte_be_to_cpu_16(v->cport);
	ci->vport = rte_be_to_cpu_16(v->vport);
	dest_info(src, v->rs_stat, ci);
	ci->expires_s = (int16_t)(uint16_t)(v->expires - (uint16_t)src->now_s);
	if (ci->expires_s < 0)
		ci->expires_s = 0;
}

static void tmpl_info(const struct ctl_conns_src *src, const struct conn_tmpl *t,
		      struct ctl_conn_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	ci->tmpl = true;
	ci->af = t->key.af;
	ci->proto = t->key.proto;
	ci->state = CONN_S_NONE;
	ci->assured = t->assured;
	ci->controls = t->n_controlled;
	memcpy(ci->caddr, t->key.caddr, sizeof(ci->caddr));
	memcpy(ci->vaddr, t->key.vaddr, sizeof(ci->vaddr));
	ci->vport = rte_be_to_cpu_16(t->key.vport);
	dest_info(src, t->rs_stat, ci);
	ci->expires_s = t->expires > src->now_s ? (int32_t)(t->expires - src->now_s) : 0;
}

/* Where a walk is: a worker's table (w < n_tables), or the templates. */
struct walk_pos {
	uint32_t w;
	uint64_t pos;
};

static bool cursor_decode(const struct ctl_conns_src *src, const char *cursor, struct walk_pos *p)
{
	unsigned long long pos;
	unsigned int w;
	int n = 0;

	*p = (struct walk_pos){ 0, 0 };
	if (cursor == NULL || cursor[0] == '\0')
		return true;
	if (sscanf(cursor, "c%x.%llx%n", &w, &pos, &n) == 2 && cursor[n] == '\0' &&
	    w < src->n_tables) {
		*p = (struct walk_pos){ w, pos };
		return true;
	}
	if (sscanf(cursor, "t%llx%n", &pos, &n) == 1 && cursor[n] == '\0' && pos <= UINT32_MAX) {
		*p = (struct walk_pos){ src->n_tables, pos };
		return true;
	}
	return false;
}

/* The entry at or after p, or false at the end of the walk. */
static bool walk_next(const struct ctl_conns_src *src, struct walk_pos *p, struct ctl_conn_info *ci)
{
	for (; p->w < src->n_tables; p->w++, p->pos = 0) {
		struct conn_view v;

		if (conn_table_read(src->tables[p->w], &p->pos, &v)) {
			view_info(src, &v, (uint16_t)p->w, ci);
			return true;
		}
	}
	if (src->tmpls != NULL) {
		uint32_t pos = (uint32_t)p->pos;
		struct conn_tmpl t;

		if (conn_tmpls_read(src->tmpls, &pos, &t)) {
			p->pos = pos;
			tmpl_info(src, &t, ci);
			return true;
		}
		p->pos = pos;
	}
	return false;
}

int ctl_conns_page(const struct ctl_conns_src *src, const char *cursor,
		   const struct ctl_conn_filter *f, uint32_t scan_max, ctl_conn_fn fn, void *arg,
		   char next[CTL_CURSOR_LEN], uint32_t *scanned)
{
	struct walk_pos p;
	struct ctl_conn_info ci;
	uint32_t n = 0;
	bool more = false;

	if (!cursor_decode(src, cursor, &p))
		return -1;
	for (;;) {
		struct walk_pos at = p;

		if (!walk_next(src, &p, &ci))
			break;
		if (n == scan_max || (filter_match(f, &ci) && !fn(arg, &ci))) {
			p = at; /* this one starts the next request */
			more = true;
			break;
		}
		n++;
	}
	if (!more)
		next[0] = '\0';
	else if (p.w < src->n_tables)
		snprintf(next, CTL_CURSOR_LEN, "c%" PRIx32 ".%" PRIx64, p.w, p.pos);
	else
		snprintf(next, CTL_CURSOR_LEN, "t%" PRIx64, p.pos);
	if (scanned != NULL)
		*scanned = n;
	return 0;
}

/* ------------------------------------------------------------ telemetry */

static json_t *addr_json(uint8_t af, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(af == 6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)) == NULL)
		return json_string("?");
	return json_string(buf);
}

static json_t *conn_json(const struct ctl_conn_info *ci)
{
	json_t *o =
	    json_pack("{s:s, s:o, s:i, s:o, s:i, s:o, s:i, s:s, s:s, s:i, s:b, s:b}", "protocol",
		      ctl_proto_name(ci->proto), "client", addr_json(ci->af, ci->caddr),
		      "client_port", ci->cport, "vip", addr_json(ci->af, ci->vaddr), "vport",
		      ci->vport, "rip", addr_json(ci->af, ci->daddr), "rport", ci->dport, "forward",
		      ci->tmpl ? "-" : cfg_fwd_name(ci->fwd), "state", conn_state_name(ci->state),
		      "expires", (int)ci->expires_s, "template", ci->tmpl, "assured", ci->assured);

	if (ci->tmpl)
		json_object_set_new(o, "controls", json_integer(ci->controls));
	else
		json_object_set_new(o, "worker", json_integer(ci->worker));
	return o;
}

struct list_page {
	struct ctl_page page;
	long left;
};

static bool list_one(void *arg, const struct ctl_conn_info *ci)
{
	struct list_page *lp = arg;
	size_t size = ci->af == 6 ? CONN_JSON_MAX6 : CONN_JSON_MAX4;

	if (lp->left == 0 || lp->page.bytes + size > lp->page.budget)
		return false;
	json_array_append_new(lp->page.arr, conn_json(ci));
	lp->page.bytes += size;
	lp->left--;
	return true;
}

struct count_page {
	uint64_t by_state[CONN_S_COUNT];
	uint64_t templates;
};

static bool count_one(void *arg, const struct ctl_conn_info *ci)
{
	struct count_page *cp = arg;

	if (ci->tmpl)
		cp->templates++;
	else if (ci->state < CONN_S_COUNT)
		cp->by_state[ci->state]++;
	return true;
}

/* Live connections (not templates), from the workers' own counts. */
static uint64_t conns_total(const struct ctl *c)
{
	uint64_t n = 0;

	for (uint16_t w = 0; w < c->n_workers; w++)
		n += conn_table_stats(c->env.workers[w]->conns)->live;
	return n;
}

static json_t *next_json(const char *next)
{
	return next[0] ? json_string(next) : json_null();
}

static json_t *count_reply(struct ctl *c, const struct ctl_conns_src *src,
			   const struct ctl_query *q, const struct ctl_conn_filter *f)
{
	struct count_page cp = { { 0 } };
	json_t *states = json_object();
	char next[CTL_CURSOR_LEN];
	uint32_t scanned;
	uint64_t conns = 0;

	if (ctl_conns_page(src, q->cursor, f, CONNS_COUNT_SCAN, count_one, &cp, next, &scanned) !=
	    0) {
		json_decref(states);
		return ctl_error("bad cursor '%s': start again without one", q->cursor);
	}
	for (int s = 0; s < CONN_S_COUNT; s++) {
		if (cp.by_state[s] == 0)
			continue;
		conns += cp.by_state[s];
		json_object_set_new(states, conn_state_name((uint8_t)s),
				    json_integer((json_int_t)cp.by_state[s]));
	}
	return json_pack("{s:I, s:I, s:o, s:I, s:I, s:o, s:b}", "connections", (json_int_t)conns,
			 "templates", (json_int_t)cp.templates, "states", states, "scanned",
			 (json_int_t)scanned, "total", (json_int_t)conns_total(c), "next",
			 next_json(next), "truncated", next[0] != '\0');
}

static json_t *tel_conns(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	const struct conn_table *tables[RTE_MAX_LCORE];
	struct ctl_conns_src src = { .tables = tables,
				     .n_tables = c->n_workers,
				     .tmpls = c->env.tmpls,
				     .dests = c->env.dests,
				     .now_s = (uint32_t)(fwd_clock_ms() / 1000) };
	struct ctl_conn_filter f = { 0 };
	struct list_page lp;
	struct ctl_query q;
	char err[160], next[CTL_CURSOR_LEN];

	if (ctl_query_parse(params,
			    CTL_Q_LIMIT | CTL_Q_CURSOR | CTL_Q_COUNT | CTL_Q_VIP | CTL_Q_RS |
				CTL_Q_CLIENT | CTL_Q_PROTO,
			    CONNS_LIMIT_MAX, &q, err, sizeof(err)) != 0)
		return ctl_error("%s", err);
	for (uint16_t w = 0; w < c->n_workers; w++)
		tables[w] = c->env.workers[w]->conns;
	f.vip = q.vip;
	f.rs = q.rs;
	f.client = q.client;
	f.proto = q.proto;
	if (q.count)
		return count_reply(c, &src, &q, &f);
	ctl_page_init(&lp.page, TEL_PAGE_BUDGET);
	lp.left = q.limit > 0 ? q.limit : CONNS_LIMIT_MAX;
	if (ctl_conns_page(&src, q.cursor, &f, CONNS_SCAN_MAX, list_one, &lp, next, NULL) != 0) {
		json_decref(lp.page.arr);
		return ctl_error("bad cursor '%s': start again without one", q.cursor);
	}
	return json_pack("{s:o, s:I, s:o, s:b}", "conns", lp.page.arr, "total",
			 (json_int_t)conns_total(c), "next", next_json(next), "truncated",
			 next[0] != '\0');
}

int ctl_conns_tel_init(struct ctl *c)
{
	return tel_register(c->tel, "/halb/conns", tel_conns, c,
			    "connection entries (ipvsadm -Lcn), a page at a time; parameters: "
			    "limit=N, cursor=C, vip=A[:P], rs=A[:P], client=A[:P], proto=tcp|udp, "
			    "count=1");
}
