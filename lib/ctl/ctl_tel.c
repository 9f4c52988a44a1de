/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The halb telemetry commands (shapes in docs/TELEMETRY.md). Each handler
 * runs on a telemetry handler thread and takes the control core's lock, so
 * it sees configuration, snapshots and control state at rest; lists that
 * grow with the configuration (services, neighbours) answer a page at a
 * time, so the lock is held for one page, never for the whole list. The
 * connection table is listed without that lock (ctl_conns.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "ctl_priv.h"

#define LIST_LIMIT_MAX 100000

json_t *ctl_ip_json(uint32_t host)
{
	char buf[16];

	return json_string(cfg_ipv4_str(host, buf));
}

json_t *ctl_addr_json(const struct cfg_addr *a)
{
	char buf[CFG_ADDR_STRLEN];

	return json_string(cfg_addr_str(a, buf));
}

json_t *ctl_neigh_ip_json(const struct neigh_ip *ip)
{
	struct cfg_addr a =
	    neigh_ip_is4(ip) ? cfg_addr4(rte_be_to_cpu_32(neigh_ip_v4(ip))) : cfg_addr6(ip->b);

	return ctl_addr_json(&a);
}

static json_t *mac_json(const struct rte_ether_addr *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m->addr_bytes[0],
		 m->addr_bytes[1], m->addr_bytes[2], m->addr_bytes[3], m->addr_bytes[4],
		 m->addr_bytes[5]);
	return json_string(buf);
}

const char *ctl_proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "TCP" : p == IPPROTO_UDP ? "UDP" : "?";
}

/* ------------------------------------------------------------- version */

static json_t *tel_version(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	json_t *o;

	(void)params;
	pthread_mutex_lock(&c->lock);
	o = json_pack("{s:s, s:s, s:i, s:s, s:f, s:f, s:s, s:s, s:I, s:I}", "version", HALB_VERSION,
		      "dpdk", rte_version(), "pid", (int)getpid(), "file_prefix",
		      c->opt.file_prefix ? c->opt.file_prefix : "", "started", c->started, "uptime",
		      ctl_now_real() - c->started, "keepalived_conf", c->opt.keepalived_conf,
		      "dataplane_conf", c->opt.dataplane_conf, "reloads", (json_int_t)c->reloads,
		      "connections", (json_int_t)c->d->connections);
	pthread_mutex_unlock(&c->lock);
	return o;
}

/* --------------------------------------------------------------- ports */

static json_t *port_json(struct ctl *c, uint16_t p)
{
	const struct port_rt *pr = &c->ports[p];
	const struct cfg_port *cp = &c->d->ports[p];
	struct rte_eth_link link = { 0 };
	json_t *addrs = json_array(), *kroutes = json_array(), *o;
	char ctl_tx[32];

	for (size_t a = 0; a < cp->n_addrs; a++) {
		char buf[CFG_ADDR_STRLEN + 4], s[CFG_ADDR_STRLEN];

		snprintf(buf, sizeof(buf), "%s/%u", cfg_addr_str(&cp->addrs[a].addr, s),
			 cp->addrs[a].plen);
		json_array_append_new(addrs, json_string(buf));
	}
	for (size_t r = 0; r < cp->n_kroutes; r++) {
		char buf[64];

		json_array_append_new(
		    kroutes, json_string(port_route_str(&cp->kroutes[r], buf, sizeof(buf))));
	}
	rte_eth_link_get_nowait(pr->port_id, &link);
	if (pr->ctl_txq >= 0)
		snprintf(ctl_tx, sizeof(ctl_tx), "queue %d", pr->ctl_txq);
	else
		snprintf(ctl_tx, sizeof(ctl_tx), "worker ring");
	o = json_pack("{s:s, s:i, s:s, s:s, s:o, s:s, s:I, s:i, s:i, s:o, s:i, s:i, s:s}", "name",
		      cp->name, "port_id", pr->port_id, "device", cp->device, "kernel_if",
		      cp->kernel_if, "mac", mac_json(&pr->mac), "link",
		      link.link_status ? "up" : "down", "speed_mbps", (json_int_t)link.link_speed,
		      "mtu", (int)cp->mtu, "numa_node", pr->socket, "addresses", addrs, "rx_queues",
		      pr->n_rxq, "tx_queues", pr->n_txq, "control_tx", ctl_tx);
	json_object_set_new(o, "kernel_routes", kroutes);
	return o;
}

static json_t *tel_ports(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	json_t *arr = json_array();

	(void)params;
	pthread_mutex_lock(&c->lock);
	for (uint16_t p = 0; p < c->n_ports; p++)
		json_array_append_new(arr, port_json(c, p));
	pthread_mutex_unlock(&c->lock);
	return json_pack("{s:o}", "ports", arr);
}

/* --------------------------------------------------------------- stats */

static void drops_add(json_t *drops, const uint64_t *v)
{
	for (int d = 0; d < FWD_DROP_COUNT; d++) {
		json_t *old;

		if (v[d] == 0)
			continue;
		old = json_object_get(drops, fwd_drop_name(d));
		json_object_set_new(
		    drops, fwd_drop_name(d),
		    json_integer((json_int_t)v[d] + (old ? json_integer_value(old) : 0)));
	}
}

/* A worker's connection table: fill, embryonic share, evictions. */
static json_t *table_json(const struct conn_table_stats *t)
{
	json_t *o =
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "live", (json_int_t)t->live, "embryonic",
		      (json_int_t)t->embryonic, "capacity", (json_int_t)t->capacity, "capacity6",
		      (json_int_t)t->capacity6, "embryonic_max", (json_int_t)t->embryonic_max,
		      "created", (json_int_t)t->created);

	for (int r = 0; r < CONN_REASON_COUNT; r++)
		json_object_set_new(o, conn_reason_name(r),
				    json_integer((json_int_t)t->reasons[r]));
	return o;
}

static json_t *worker_json(const struct ctl *c, const struct fwd_worker *w)
{
	const struct fwd_stats *s = &w->st;
	json_t *drops = json_object(), *o;

	drops_add(drops, s->drops);
	o = json_pack("{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		      "id", w->id, "lcore", (int)w->lcore, "rx_packets", (json_int_t)s->rx_packets,
		      "rx_bytes", (json_int_t)s->rx_bytes, "tx_packets", (json_int_t)s->tx_packets,
		      "tx_bytes", (json_int_t)s->tx_bytes, "forwarded", (json_int_t)s->forwarded,
		      "to_kernel", (json_int_t)s->to_kernel, "to_control",
		      (json_int_t)s->to_control, "from_control", (json_int_t)s->from_control,
		      "dropped", (json_int_t)s->dropped, "polls", (json_int_t)s->polls,
		      "busy_polls", (json_int_t)s->busy_polls, "drops", drops);
	json_object_set_new(
	    o, "events",
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "redirected",
		      (json_int_t)s->redirected, "redirects_in", (json_int_t)s->redirects_in,
		      "adopted", (json_int_t)s->adopted, "reused", (json_int_t)s->reused,
		      "arp_replies", (json_int_t)s->arp_replies, "nd_replies",
		      (json_int_t)s->nd_replies, "neigh_news", (json_int_t)s->learn, "icmp_sent",
		      (json_int_t)s->icmp_sent, "icmp_limited", (json_int_t)s->icmp_limited,
		      "fragments", (json_int_t)s->fragments));
	json_object_set_new(o, "conns", table_json(conn_table_stats(w->conns)));
	json_object_set_new(o, "defences", ctl_defence_json(c, w->id));
	return o;
}

void ctl_conns_sum(const struct ctl *c, struct conn_table_stats *t)
{
	memset(t, 0, sizeof(*t));
	for (uint16_t i = 0; i < c->n_workers; i++) {
		const struct conn_table_stats *w = conn_table_stats(c->env.workers[i]->conns);

		t->live += w->live;
		t->embryonic += w->embryonic;
		t->capacity += w->capacity;
		t->capacity6 += w->capacity6;
		t->embryonic_max += w->embryonic_max;
		t->created += w->created;
		for (int r = 0; r < CONN_REASON_COUNT; r++)
			t->reasons[r] += w->reasons[r];
	}
}

/* The tables of every worker together, and the persistence templates. */
static json_t *conns_total_json(const struct ctl *c)
{
	const struct conn_tmpls_stats *ts = conn_tmpls_stats(c->env.tmpls);
	struct conn_table_stats t;

	ctl_conns_sum(c, &t);
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "table", table_json(&t), "templates",
			 "live", (json_int_t)ts->live, "capacity", (json_int_t)ts->capacity,
			 "created", (json_int_t)ts->created, "evicted", (json_int_t)ts->evicted,
			 "refused", (json_int_t)ts->refused);
}

static json_t *tel_stats(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	json_t *workers = json_array(), *ports = json_array(), *drops = json_object();
	struct fwd_stats t = { 0 };
	json_t *o;

	(void)params;
	pthread_mutex_lock(&c->lock);
	for (uint16_t i = 0; i < c->n_workers; i++) {
		const struct fwd_stats *s = &c->env.workers[i]->st;

		json_array_append_new(workers, worker_json(c, c->env.workers[i]));
		t.rx_packets += s->rx_packets;
		t.rx_bytes += s->rx_bytes;
		t.tx_packets += s->tx_packets;
		t.tx_bytes += s->tx_bytes;
		t.forwarded += s->forwarded;
		t.to_kernel += s->to_kernel;
		t.to_control += s->to_control;
		t.dropped += s->dropped;
		drops_add(drops, s->drops);
	}
	drops_add(drops, c->cst.drops);
	for (uint16_t p = 0; p < c->n_ports; p++) {
		struct rte_eth_stats es = { 0 };

		rte_eth_stats_get(c->ports[p].port_id, &es);
		json_array_append_new(
		    ports, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
				     c->d->ports[p].name, "rx_packets", (json_int_t)es.ipackets,
				     "rx_bytes", (json_int_t)es.ibytes, "tx_packets",
				     (json_int_t)es.opackets, "tx_bytes", (json_int_t)es.obytes,
				     "rx_missed", (json_int_t)es.imissed, "rx_errors",
				     (json_int_t)es.ierrors, "tx_errors", (json_int_t)es.oerrors));
	}
	o = json_pack(
	    "{s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, "
	    "s:{s:I, s:I, s:I, s:I, s:I}}",
	    "total", "rx_packets", (json_int_t)t.rx_packets, "rx_bytes", (json_int_t)t.rx_bytes,
	    "tx_packets", (json_int_t)t.tx_packets, "tx_bytes", (json_int_t)t.tx_bytes, "forwarded",
	    (json_int_t)t.forwarded, "to_kernel", (json_int_t)t.to_kernel, "to_control",
	    (json_int_t)t.to_control, "from_kernel", (json_int_t)c->cst.from_kernel, "dropped",
	    (json_int_t)(t.dropped + c->cst.dropped), "drops", drops, "ports", ports, "workers",
	    workers, "control", "from_workers", (json_int_t)c->cst.from_workers, "to_kernel",
	    (json_int_t)c->cst.to_kernel, "from_kernel", (json_int_t)c->cst.from_kernel, "tx",
	    (json_int_t)c->cst.tx, "dropped", (json_int_t)c->cst.dropped);
	json_object_set_new(o, "conns", conns_total_json(c));
	pthread_mutex_unlock(&c->lock);
	return o;
}

/* ------------------------------------------------------------ services */

static void counters_set(json_t *o, struct ctl *c, uint32_t stat)
{
	struct svc_counters s;
	const struct ctl_rate *r = &c->rates[stat];

	ctl_counters_get(c, stat, &s);
	json_object_set_new(o, "active", json_integer(s.active > 0 ? s.active : 0));
	json_object_set_new(o, "inactive", json_integer(s.inactive > 0 ? s.inactive : 0));
	json_object_set_new(o, "conns", json_integer((json_int_t)s.conns));
	json_object_set_new(o, "in_packets", json_integer((json_int_t)s.in_pkts));
	json_object_set_new(o, "out_packets", json_integer((json_int_t)s.out_pkts));
	json_object_set_new(o, "in_bytes", json_integer((json_int_t)s.in_bytes));
	json_object_set_new(o, "out_bytes", json_integer((json_int_t)s.out_bytes));
	json_object_set_new(o, "cps", json_integer((json_int_t)(r->cps + 0.5)));
	json_object_set_new(o, "in_pps", json_integer((json_int_t)(r->in_pps + 0.5)));
	json_object_set_new(o, "out_pps", json_integer((json_int_t)(r->out_pps + 0.5)));
	json_object_set_new(o, "in_bps", json_integer((json_int_t)(r->in_bps + 0.5)));
	json_object_set_new(o, "out_bps", json_integer((json_int_t)(r->out_bps + 0.5)));
}

long ctl_weight_in_force(const struct ctl *c, uint32_t stat)
{
	const struct svc_snapshot *s = c->env.svc.cur;
	const struct svc_rs *rs;

	if (s == NULL || !(s->stat_flags[stat] & SVC_SF_PRESENT))
		return -1;
	rs = s->rs_of[stat];
	return rs ? (long)rs->weight : -1;
}

static json_t *rs_json(struct ctl *c, const struct cfg_real_server *r, const struct ctl_rs *rt,
		       bool sorry)
{
	long w = ctl_weight_in_force(c, rt->stat);
	json_t *o = json_pack(
	    "{s:o, s:i, s:I, s:i, s:o, s:b, s:b, s:b}", "ip", ctl_addr_json(&r->addr), "port",
	    r->port, "weight", (json_int_t)(w < 0 ? 0 : w), "configured_weight", r->weight,
	    "weight_override", rt->override >= 0 ? json_integer(rt->override) : json_null(),
	    "healthy", rt->healthy, "in_service", w >= 0, "sorry", sorry);

	counters_set(o, c, rt->stat);
	return o;
}

/* The scheduler's flags as ipvsadm names them ("sh-port", "mh-fallback"). */
static json_t *sched_flags_json(const struct cfg_virtual_server *v)
{
	const char *sched = cfg_sched_name(v->sched);
	json_t *flags = json_array();
	char buf[32];

	if (strcmp(sched, "sh") != 0 && strcmp(sched, "mh") != 0)
		return flags;
	if (v->sched_fallback) {
		snprintf(buf, sizeof(buf), "%s-fallback", sched);
		json_array_append_new(flags, json_string(buf));
	}
	if (v->sched_port) {
		snprintf(buf, sizeof(buf), "%s-port", sched);
		json_array_append_new(flags, json_string(buf));
	}
	return flags;
}

/* persistence_granularity as ipvsadm shows it: a netmask, or an IPv6
 * prefix length ("64"). */
static json_t *granularity_json(const struct cfg_virtual_server *v)
{
	char buf[8];

	if (v->addr.af != 6)
		return ctl_ip_json(v->persistence_granularity);
	snprintf(buf, sizeof(buf), "%u", v->persistence_plen6);
	return json_string(buf);
}

/* A service without its real servers. */
static json_t *vs_json(struct ctl *c, size_t i)
{
	const struct cfg_virtual_server *v = &c->k->vs[i];
	const struct ctl_vs *vs = &c->vs[i];
	const struct svc_snapshot *s = c->env.svc.cur;
	json_t *o;

	o = json_pack(
	    "{s:o, s:i, s:s, s:s, s:o, s:s, s:i, s:o, s:b, s:b}", "vip", ctl_addr_json(&v->addr),
	    "port", v->port, "protocol", ctl_proto_name(v->protocol), "scheduler",
	    cfg_sched_name(v->sched), "sched_flags", sched_flags_json(v), "forward",
	    cfg_fwd_name(v->fwd), "persistence", (int)v->persistence_timeout, "granularity",
	    granularity_json(v), "owned", s != NULL && (s->stat_flags[vs->stat] & SVC_SF_OWNED),
	    "quorum_up", vs->quorum_up);
	counters_set(o, c, vs->stat);
	return o;
}

/* Real server r of service i (r == n_rs: its sorry server). */
static json_t *vs_rs_json(struct ctl *c, size_t i, size_t r)
{
	const struct cfg_virtual_server *v = &c->k->vs[i];

	if (r < v->n_rs)
		return rs_json(c, &v->rs[r], &c->vs[i].rs[r], false);
	return rs_json(c, &v->sorry_server, &c->vs[i].sorry, true);
}

static size_t vs_rs_count(const struct cfg_virtual_server *v)
{
	return v->n_rs + (v->has_sorry_server ? 1 : 0);
}

bool ctl_vs_match(const struct ctl *c, size_t i, const struct ctl_query *q)
{
	const struct cfg_virtual_server *v = &c->k->vs[i];

	return (q->proto == 0 || q->proto == v->protocol) &&
	       ctl_addr_match(&q->vip, &v->addr, v->port);
}

/* Where a services listing is: configuration generation, service, real server. */
struct svc_pos {
	uint64_t gen;
	size_t vs, rs;
};

static bool svc_cursor_decode(const char *cur, uint64_t gen, struct svc_pos *p)
{
	unsigned long long g, i, r;
	int n = 0;

	p->gen = gen;
	p->vs = p->rs = 0;
	if (cur[0] == '\0')
		return true;
	if (sscanf(cur, "s%llx.%llx.%llx%n", &g, &i, &r, &n) != 3 || cur[n] != '\0')
		return false;
	p->gen = g;
	p->vs = (size_t)i;
	p->rs = (size_t)r;
	return true;
}

/*
 * Adds service i, from its real server first_rs, to the page as far as it
 * fits. @return the real server to go on from, or SIZE_MAX when the rest of
 * the service is on the page.
 */
static size_t page_add_vs(struct ctl *c, struct ctl_page *pg, size_t i, size_t first_rs)
{
	json_t *o = vs_json(c, i), *rss = json_array();
	size_t n = vs_rs_count(&c->k->vs[i]), r;

	if (first_rs > 0)
		json_object_set_new(o, "rs_offset", json_integer((json_int_t)first_rs));
	if (!ctl_page_fits(pg, o)) {
		json_decref(o);
		json_decref(rss);
		return first_rs;
	}
	ctl_page_grow(pg, json_dumpb(o, NULL, 0, JSON_COMPACT) + sizeof(",\"real_servers\":[]"));
	for (r = first_rs; r < n; r++) {
		json_t *e = vs_rs_json(c, i, r);
		size_t len = json_dumpb(e, NULL, 0, JSON_COMPACT) + 1;

		if (pg->bytes + len > pg->budget) {
			json_decref(e);
			break;
		}
		pg->bytes += len;
		json_array_append_new(rss, e);
	}
	if (r == first_rs && r < n) { /* nothing of it fits: all on the next page */
		json_decref(o);
		json_decref(rss);
		return first_rs;
	}
	json_object_set_new(o, "real_servers", rss);
	json_array_append_new(pg->arr, o);
	return r == n ? SIZE_MAX : r;
}

static json_t *tel_services(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	struct ctl_page pg;
	struct ctl_query q;
	struct svc_pos pos;
	char err[160], next[CTL_CURSOR_LEN] = "";
	long shown = 0;
	json_t *o;

	if (ctl_query_parse(params, CTL_Q_LIMIT | CTL_Q_CURSOR | CTL_Q_VIP | CTL_Q_PROTO,
			    LIST_LIMIT_MAX, &q, err, sizeof(err)) != 0)
		return ctl_error("%s", err);
	pthread_mutex_lock(&c->lock);
	if (!svc_cursor_decode(q.cursor, c->reloads, &pos) || pos.gen != c->reloads) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error_restart();
	}
	ctl_page_init(&pg, TEL_PAGE_BUDGET);
	for (size_t i = pos.vs; i < c->k->n_vs; i++) {
		size_t go_on;

		if (!ctl_vs_match(c, i, &q))
			continue;
		if (q.limit > 0 && shown == q.limit) {
			snprintf(next, sizeof(next), "s%llx.%zx.0", (unsigned long long)c->reloads,
				 i);
			break;
		}
		go_on = page_add_vs(c, &pg, i, i == pos.vs ? pos.rs : 0);
		if (go_on != SIZE_MAX) {
			snprintf(next, sizeof(next), "s%llx.%zx.%zx",
				 (unsigned long long)c->reloads, i, go_on);
			break;
		}
		shown++;
	}
	o = json_pack("{s:o, s:I, s:I, s:o, s:b}", "services", pg.arr, "total",
		      (json_int_t)c->k->n_vs, "generation", (json_int_t)c->reloads, "next",
		      next[0] ? json_string(next) : json_null(), "truncated", next[0] != '\0');
	pthread_mutex_unlock(&c->lock);
	return o;
}

/* --------------------------------------------------------------- neigh */

static json_t *neigh_json(struct ctl *c, uint32_t slot, uint64_t now)
{
	const struct neigh_table *t = c->env.neigh;
	const struct neigh_entry *e = &t->ent[slot];
	struct rte_ether_addr mac = { { 0 } };
	uint8_t port;

	neigh_slot_get(t, slot, &mac, &port);
	return json_pack("{s:o, s:o, s:s, s:s, s:f}", "ip", ctl_neigh_ip_json(&e->ip), "mac",
			 mac_json(&mac), "port", c->d->ports[e->port].name, "state",
			 neigh_state_name(e->state), "age",
			 e->updated_ms ? (double)(now - e->updated_ms) / 1000.0 : -1.0);
}

/* Entries are never removed (slots live as long as the process), so a
 * slot number is a stable cursor. */
static json_t *tel_neigh(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	const struct neigh_table *t = c->env.neigh;
	uint64_t now = fwd_clock_ms();
	unsigned long long from = 0;
	char err[160], next[CTL_CURSOR_LEN] = "";
	struct ctl_page pg;
	struct ctl_query q;
	long shown = 0;
	int n = 0;

	if (ctl_query_parse(params, CTL_Q_LIMIT | CTL_Q_CURSOR, LIST_LIMIT_MAX, &q, err,
			    sizeof(err)) != 0)
		return ctl_error("%s", err);
	if (q.cursor[0] != '\0' &&
	    (sscanf(q.cursor, "n%llx%n", &from, &n) != 1 || q.cursor[n] != '\0'))
		return ctl_error("bad cursor '%s': start again without one", q.cursor);
	ctl_page_init(&pg, TEL_PAGE_BUDGET);
	pthread_mutex_lock(&c->lock);
	for (uint32_t s = (uint32_t)from; from < t->used && s < t->used; s++) {
		if ((q.limit > 0 && shown == q.limit) ||
		    !ctl_page_add(&pg, neigh_json(c, s, now))) {
			snprintf(next, sizeof(next), "n%x", s);
			break;
		}
		shown++;
	}
	pthread_mutex_unlock(&c->lock);
	return json_pack("{s:o, s:o, s:b}", "neighbours", pg.arr, "next",
			 next[0] ? json_string(next) : json_null(), "truncated", next[0] != '\0');
}

int ctl_tel_init(struct ctl *c)
{
	int rc = 0;

	rc |= tel_register(c->tel, "/halb/version", tel_version, c, "halb's version and uptime");
	rc |= tel_register(c->tel, "/halb/ports", tel_ports, c, "ports, TAPs, links, addresses");
	rc |= tel_register(c->tel, "/halb/stats", tel_stats, c,
			   "packet counters: totals, drops by reason, ports, workers, control");
	rc |= tel_register(c->tel, "/halb/services", tel_services, c,
			   "virtual services and their real servers (ipvsadm -Ln), a page at a "
			   "time; parameters: limit=N, cursor=C, vip=A[:P], proto=tcp|udp");
	rc |= tel_register(c->tel, "/halb/neigh", tel_neigh, c,
			   "the neighbour (ARP) table, a page at a time; parameters: limit=N, "
			   "cursor=C");
	rc |= ctl_conns_tel_init(c);
	rc |= ctl_admin_tel_init(c);
	return rc;
}
