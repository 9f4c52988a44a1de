/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /metrics for Prometheus (docs/OPERATIONS.md, "Metrics"). A scrape runs on
 * the metrics server's thread, never on the control core, in two steps:
 *   1. take: under the control core's lock, copy the numbers that the lock
 *      guards (services, real servers and their counters, VRRP, checks,
 *      control counters) into plain arrays; nothing is formatted or logged
 *      while the lock is held;
 *   2. write: with the lock released, read what the lock does not guard
 *      (per-worker counters, the ports' NIC counters, the connection table's
 *      fill), and write every family in the text format.
 * Counters are IPVS's and the telemetry's (/halb/services, /halb/stats),
 * under Prometheus's names: halb_..._total for counters, labels vip, port,
 * proto and rs ("ip:port").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "ctl_priv.h"
#include "halb_check.h"
#include "halb_vrrp.h"

#define LABELS_MAX 6

struct m_rs {
	struct cfg_addr ip;
	uint16_t port;
	long weight; /* in force; -1 out of service */
	int cfg_weight;
	bool healthy, sorry;
	struct svc_counters ctr;
};

struct m_vs {
	struct cfg_addr vip;
	uint16_t port;
	uint8_t proto;
	bool owned;
	struct svc_counters ctr;
	size_t first_rs, n_rs;
};

struct m_check {
	struct cfg_addr vip, rip;
	uint16_t vport, rport;
	uint8_t proto;
	enum cfg_check_type type;
	bool up;
	unsigned int failures;
	uint64_t checks;
};

struct m_sample {
	struct m_vs *vs;
	size_t n_vs;
	struct m_rs *rs;
	size_t n_rs;
	struct ctl_vrrp_metric *vi;
	size_t n_vi;
	struct m_check *chk;
	size_t n_chk;
	struct ctl_counters cst;
	double started;
	uint64_t reloads;
	char port_names[FWD_MAX_PORTS][16]; /* 1..15 bytes (the parser's rule) */
};

/* ------------------------------------------------------------- 1. take */

static void take_rs(const struct ctl *c, struct m_rs *out, const struct cfg_real_server *r,
		    const struct ctl_rs *rt, bool sorry)
{
	*out = (struct m_rs){ .ip = r->addr,
			      .port = r->port,
			      .weight = ctl_weight_in_force(c, rt->stat),
			      .cfg_weight = r->weight,
			      .healthy = rt->healthy,
			      .sorry = sorry };
	fwd_counters_sum(&c->env, rt->stat, &out->ctr);
}

static int take_services(const struct ctl *c, struct m_sample *m)
{
	const struct svc_snapshot *snap = c->env.svc.cur;
	size_t n_rs = 0;

	for (size_t i = 0; i < c->k->n_vs; i++)
		n_rs += c->k->vs[i].n_rs + (c->k->vs[i].has_sorry_server ? 1 : 0);
	m->vs = calloc(c->k->n_vs + 1, sizeof(*m->vs));
	m->rs = calloc(n_rs + 1, sizeof(*m->rs));
	if (m->vs == NULL || m->rs == NULL)
		return -1;
	for (size_t i = 0; i < c->k->n_vs; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[i];
		struct m_vs *o = &m->vs[m->n_vs++];

		*o = (struct m_vs){ .vip = v->addr,
				    .port = v->port,
				    .proto = v->protocol,
				    .owned = snap != NULL &&
					     (snap->stat_flags[c->vs[i].stat] & SVC_SF_OWNED),
				    .first_rs = m->n_rs };
		fwd_counters_sum(&c->env, c->vs[i].stat, &o->ctr);
		for (size_t r = 0; r < v->n_rs; r++)
			take_rs(c, &m->rs[m->n_rs++], &v->rs[r], &c->vs[i].rs[r], false);
		if (v->has_sorry_server)
			take_rs(c, &m->rs[m->n_rs++], &v->sorry_server, &c->vs[i].sorry, true);
		o->n_rs = m->n_rs - o->first_rs;
	}
	return 0;
}

static int take_checks(const struct ctl *c, struct m_sample *m)
{
	size_t max = 1024, n;
	struct check_status *st = NULL;

	if (c->checks == NULL)
		return 0;
	for (;;) {
		free(st);
		st = calloc(max, sizeof(*st));
		if (st == NULL)
			return -1;
		n = check_engine_status(c->checks, st, max);
		if (n <= max)
			break;
		max = n;
	}
	m->chk = calloc(n + 1, sizeof(*m->chk));
	if (m->chk == NULL) {
		free(st);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[st[i].vs];
		const struct cfg_real_server *r = &v->rs[st[i].rs];

		m->chk[i] = (struct m_check){ .vip = v->addr,
					      .vport = v->port,
					      .proto = v->protocol,
					      .rip = r->addr,
					      .rport = r->port,
					      .type = st[i].type,
					      .up = st[i].up,
					      .failures = st[i].failures,
					      .checks = st[i].checks };
	}
	m->n_chk = n;
	free(st);
	return 0;
}

static int take_vrrp(const struct ctl *c, struct m_sample *m)
{
	size_t n = ctl_vrrp_metrics(c, NULL, 0);

	m->vi = calloc(n + 1, sizeof(*m->vi));
	if (m->vi == NULL)
		return -1;
	m->n_vi = ctl_vrrp_metrics(c, m->vi, n);
	return 0;
}

static void sample_free(struct m_sample *m)
{
	for (size_t i = 0; i < m->n_vi; i++) {
		free(m->vi[i].name);
		free(m->vi[i].interface);
	}
	free(m->vi);
	free(m->vs);
	free(m->rs);
	free(m->chk);
}

static int take(struct ctl *c, struct m_sample *m)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = take_services(c, m) | take_checks(c, m) | take_vrrp(c, m);
	m->cst = c->cst;
	m->started = c->started;
	m->reloads = c->reloads;
	/* A reload replaces the dataplane model: nothing of it is read later. */
	for (uint16_t p = 0; p < c->n_ports; p++)
		snprintf(m->port_names[p], sizeof(m->port_names[p]), "%s", c->d->ports[p].name);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* ------------------------------------------------------------ 2. write */

struct lbl {
	struct metrics_label l[LABELS_MAX];
	size_t n;
	char buf[LABELS_MAX][48];
};

static void lbl_add(struct lbl *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void lbl_add(struct lbl *x, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->buf[x->n], sizeof(x->buf[0]), fmt, ap);
	va_end(ap);
	x->l[x->n] = (struct metrics_label){ name, x->buf[x->n] };
	x->n++;
}

static void lbl_service(struct lbl *x, const struct cfg_addr *vip, uint16_t port, uint8_t proto)
{
	char ip[CFG_ADDR_STRLEN];

	x->n = 0;
	lbl_add(x, "vip", "%s", cfg_addr_str(vip, ip));
	lbl_add(x, "port", "%u", port);
	lbl_add(x, "proto", "%s", ctl_proto_name(proto));
}

static void lbl_rs(struct lbl *x, const struct m_vs *v, const struct cfg_addr *rip, uint16_t rport)
{
	char rs[CFG_ADDR_STRLEN + 8];

	lbl_service(x, &v->vip, v->port, v->proto);
	lbl_add(x, "rs", "%s", cfg_addr_port_str(rip, rport, rs)); /* [v6]:port */
}

/* The counters of services and real servers, one family each. */
enum ctr_field { F_CONNS, F_IN_PKTS, F_OUT_PKTS, F_IN_BYTES, F_OUT_BYTES, F_ACTIVE, F_INACTIVE };

static const struct {
	const char *suffix, *help;
	enum ctr_field f;
	bool counter;
} ctr_families[] = {
	{ "connections_total", "connections scheduled", F_CONNS, true },
	{ "incoming_packets_total", "packets from clients", F_IN_PKTS, true },
	{ "outgoing_packets_total", "packets to clients (NAT replies)", F_OUT_PKTS, true },
	{ "incoming_bytes_total", "bytes from clients", F_IN_BYTES, true },
	{ "outgoing_bytes_total", "bytes to clients (NAT replies)", F_OUT_BYTES, true },
	{ "active_connections", "connections ESTABLISHED (ipvsadm ActiveConn)", F_ACTIVE, false },
	{ "inactive_connections", "other connections (ipvsadm InActConn)", F_INACTIVE, false },
};

static uint64_t ctr_get(const struct svc_counters *s, enum ctr_field f)
{
	switch (f) {
	case F_CONNS:
		return s->conns;
	case F_IN_PKTS:
		return s->in_pkts;
	case F_OUT_PKTS:
		return s->out_pkts;
	case F_IN_BYTES:
		return s->in_bytes;
	case F_OUT_BYTES:
		return s->out_bytes;
	case F_ACTIVE:
		return s->active > 0 ? (uint64_t)s->active : 0;
	case F_INACTIVE:
		return s->inactive > 0 ? (uint64_t)s->inactive : 0;
	}
	return 0;
}

static void write_services(struct metrics_buf *b, const struct m_sample *m)
{
	struct lbl x;
	char name[96], help[160];

	for (size_t f = 0; f < sizeof(ctr_families) / sizeof(ctr_families[0]); f++) {
		enum metrics_type t = ctr_families[f].counter ? METRICS_COUNTER : METRICS_GAUGE;

		snprintf(name, sizeof(name), "halb_service_%s", ctr_families[f].suffix);
		snprintf(help, sizeof(help), "Virtual service: %s.", ctr_families[f].help);
		metrics_family(b, name, t, help);
		for (size_t i = 0; i < m->n_vs; i++) {
			lbl_service(&x, &m->vs[i].vip, m->vs[i].port, m->vs[i].proto);
			metrics_sample_u64(b, name, x.l, x.n,
					   ctr_get(&m->vs[i].ctr, ctr_families[f].f));
		}
		snprintf(name, sizeof(name), "halb_real_server_%s", ctr_families[f].suffix);
		snprintf(help, sizeof(help), "Real server: %s.", ctr_families[f].help);
		metrics_family(b, name, t, help);
		for (size_t i = 0; i < m->n_vs; i++)
			for (size_t r = 0; r < m->vs[i].n_rs; r++) {
				const struct m_rs *rs = &m->rs[m->vs[i].first_rs + r];

				lbl_rs(&x, &m->vs[i], &rs->ip, rs->port);
				metrics_sample_u64(b, name, x.l, x.n,
						   ctr_get(&rs->ctr, ctr_families[f].f));
			}
	}
	metrics_family(
	    b, "halb_service_owned", METRICS_GAUGE,
	    "1 when this director holds the service's VIP (VRRP MASTER or no instance).");
	for (size_t i = 0; i < m->n_vs; i++) {
		lbl_service(&x, &m->vs[i].vip, m->vs[i].port, m->vs[i].proto);
		metrics_sample(b, "halb_service_owned", x.l, x.n, m->vs[i].owned);
	}
	metrics_family(b, "halb_real_server_up", METRICS_GAUGE,
		       "1 when the real server passes its health checks.");
	for (size_t i = 0; i < m->n_vs; i++)
		for (size_t r = 0; r < m->vs[i].n_rs; r++) {
			const struct m_rs *rs = &m->rs[m->vs[i].first_rs + r];

			lbl_rs(&x, &m->vs[i], &rs->ip, rs->port);
			metrics_sample(b, "halb_real_server_up", x.l, x.n, rs->healthy);
		}
	metrics_family(b, "halb_real_server_weight", METRICS_GAUGE,
		       "The weight in force (0: quiesced, -1: out of service); "
		       "configured_weight is keepalived.conf's.");
	for (size_t i = 0; i < m->n_vs; i++)
		for (size_t r = 0; r < m->vs[i].n_rs; r++) {
			const struct m_rs *rs = &m->rs[m->vs[i].first_rs + r];

			lbl_rs(&x, &m->vs[i], &rs->ip, rs->port);
			metrics_sample(b, "halb_real_server_weight", x.l, x.n, (double)rs->weight);
		}
	metrics_family(b, "halb_real_server_configured_weight", METRICS_GAUGE,
		       "The weight keepalived.conf gives the real server.");
	for (size_t i = 0; i < m->n_vs; i++)
		for (size_t r = 0; r < m->vs[i].n_rs; r++) {
			const struct m_rs *rs = &m->rs[m->vs[i].first_rs + r];

			lbl_rs(&x, &m->vs[i], &rs->ip, rs->port);
			metrics_sample(b, "halb_real_server_configured_weight", x.l, x.n,
				       rs->cfg_weight);
		}
}

static void write_vrrp(struct metrics_buf *b, const struct m_sample *m)
{
	static const int states[] = { VRRP_STATE_INIT, VRRP_STATE_BACKUP, VRRP_STATE_MASTER,
				      VRRP_STATE_FAULT, VRRP_STATE_STOP };
	static const struct {
		const char *name, *help;
		bool counter;
	} fam[] = {
		{ "halb_vrrp_priority", "The configured priority.", false },
		{ "halb_vrrp_effective_priority", "The priority after tracking.", false },
		{ "halb_vrrp_transitions_total", "State changes since start.", true },
		{ "halb_vrrp_adverts_sent_total", "Adverts sent.", true },
		{ "halb_vrrp_adverts_received_total", "Adverts received and accepted.", true },
	};
	struct lbl x;

	metrics_family(b, "halb_vrrp_state", METRICS_GAUGE,
		       "1 for the instance's current state (INIT, BACKUP, MASTER, FAULT, STOP).");
	for (size_t i = 0; i < m->n_vi; i++)
		for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			x.n = 0;
			lbl_add(&x, "instance", "%s", m->vi[i].name);
			lbl_add(&x, "interface", "%s", m->vi[i].interface);
			lbl_add(&x, "vrid", "%u", m->vi[i].vrid);
			lbl_add(&x, "state", "%s", vrrp_state_name(states[s]));
			metrics_sample(b, "halb_vrrp_state", x.l, x.n, m->vi[i].state == states[s]);
		}
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		metrics_family(b, fam[f].name, fam[f].counter ? METRICS_COUNTER : METRICS_GAUGE,
			       fam[f].help);
		for (size_t i = 0; i < m->n_vi; i++) {
			const struct ctl_vrrp_metric *v = &m->vi[i];
			uint64_t val = f == 0   ? v->priority
				       : f == 1 ? v->effective_priority
				       : f == 2 ? v->transitions
				       : f == 3 ? v->adverts_sent
						: v->adverts_received;

			x.n = 0;
			lbl_add(&x, "instance", "%s", v->name);
			metrics_sample_u64(b, fam[f].name, x.l, x.n, val);
		}
	}
}

static void write_checks(struct metrics_buf *b, const struct m_sample *m)
{
	struct lbl x;

	for (int f = 0; f < 3; f++) {
		static const char *const names[] = { "halb_check_up", "halb_check_runs_total",
						     "halb_check_consecutive_failures" };
		static const char *const helps[] = {
			"1 when the checker's last verdict is up.",
			"Check attempts completed.",
			"Failed attempts since the last success.",
		};

		metrics_family(b, names[f], f == 1 ? METRICS_COUNTER : METRICS_GAUGE, helps[f]);
		for (size_t i = 0; i < m->n_chk; i++) {
			const struct m_check *k = &m->chk[i];
			struct m_vs v = { .vip = k->vip, .port = k->vport, .proto = k->proto };

			lbl_rs(&x, &v, &k->rip, k->rport);
			lbl_add(&x, "type", "%s", cfg_check_name(k->type));
			metrics_sample_u64(b, names[f], x.l, x.n,
					   f == 0   ? k->up
					   : f == 1 ? k->checks
						    : k->failures);
		}
	}
}

static void write_ports(struct metrics_buf *b, const struct ctl *c, const struct m_sample *m)
{
	static const char *const names[] = {
		"halb_port_receive_packets_total", "halb_port_transmit_packets_total",
		"halb_port_receive_bytes_total",   "halb_port_transmit_bytes_total",
		"halb_port_drops_total",
	};
	struct rte_eth_stats es[FWD_MAX_PORTS];
	struct lbl x;

	for (uint16_t p = 0; p < c->n_ports; p++) {
		memset(&es[p], 0, sizeof(es[p]));
		rte_eth_stats_get(c->ports[p].port_id, &es[p]);
	}
	for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
		metrics_family(b, names[f], METRICS_COUNTER,
			       f < 4 ? "The NIC's counters of the port."
				     : "Frames the NIC dropped or failed, by reason.");
		for (uint16_t p = 0; p < c->n_ports; p++) {
			const uint64_t v[] = { es[p].ipackets, es[p].opackets, es[p].ibytes,
					       es[p].obytes };
			const struct {
				const char *why;
				uint64_t n;
			} d[] = { { "rx_missed", es[p].imissed },
				  { "rx_errors", es[p].ierrors },
				  { "rx_no_mbuf", es[p].rx_nombuf },
				  { "tx_errors", es[p].oerrors } };

			x.n = 0;
			lbl_add(&x, "port", "%s", m->port_names[p]);
			if (f < 4) {
				metrics_sample_u64(b, names[f], x.l, x.n, v[f]);
				continue;
			}
			for (size_t r = 0; r < sizeof(d) / sizeof(d[0]); r++) {
				x.n = 1;
				lbl_add(&x, "reason", "%s", d[r].why);
				metrics_sample_u64(b, names[f], x.l, x.n, d[r].n);
			}
		}
	}
}

static void write_workers(struct metrics_buf *b, const struct ctl *c, const struct m_sample *m)
{
	uint64_t drops[FWD_DROP_COUNT] = { 0 };
	struct conn_table_stats cn;
	struct lbl x;

	metrics_family(b, "halb_worker_polls_total", METRICS_COUNTER,
		       "Worker loop rounds: busy found frames, idle found none.");
	for (uint16_t w = 0; w < c->n_workers; w++) {
		const struct fwd_stats *s = &c->env.workers[w]->st;
		uint64_t polls = s->polls, busy = s->busy_polls;

		x.n = 0;
		lbl_add(&x, "worker", "%u", w);
		lbl_add(&x, "result", "busy");
		metrics_sample_u64(b, "halb_worker_polls_total", x.l, x.n, busy);
		x.n = 1;
		lbl_add(&x, "result", "idle");
		metrics_sample_u64(b, "halb_worker_polls_total", x.l, x.n,
				   polls > busy ? polls - busy : 0);
	}
	metrics_family(b, "halb_worker_packets_total", METRICS_COUNTER,
		       "Frames a worker received (rx) and sent (tx).");
	for (uint16_t w = 0; w < c->n_workers; w++) {
		const struct fwd_stats *s = &c->env.workers[w]->st;

		x.n = 0;
		lbl_add(&x, "worker", "%u", w);
		lbl_add(&x, "direction", "rx");
		metrics_sample_u64(b, "halb_worker_packets_total", x.l, x.n, s->rx_packets);
		x.n = 1;
		lbl_add(&x, "direction", "tx");
		metrics_sample_u64(b, "halb_worker_packets_total", x.l, x.n, s->tx_packets);
		for (int d = 0; d < FWD_DROP_COUNT; d++)
			drops[d] += s->drops[d];
	}
	metrics_family(b, "halb_drops_total", METRICS_COUNTER,
		       "Frames the workers and the control core dropped, by reason.");
	for (int d = 0; d < FWD_DROP_COUNT; d++) {
		x.n = 0;
		lbl_add(&x, "reason", "%s", fwd_drop_name(d));
		metrics_sample_u64(b, "halb_drops_total", x.l, x.n, drops[d] + m->cst.drops[d]);
	}
	ctl_conns_sum(c, &cn);
	metrics_family(b, "halb_connections", METRICS_GAUGE,
		       "Connections in the workers' connection tables (templates apart).");
	metrics_sample_u64(b, "halb_connections", NULL, 0, cn.live);
	metrics_family(b, "halb_connections_embryonic", METRICS_GAUGE,
		       "Of those, connections not yet assured (SYN seen, no answer yet).");
	metrics_sample_u64(b, "halb_connections_embryonic", NULL, 0, cn.embryonic);
	metrics_family(b, "halb_connection_table_size", METRICS_GAUGE,
		       "Entries the workers' connection tables hold in all.");
	metrics_sample_u64(b, "halb_connection_table_size", NULL, 0,
			   (uint64_t)cn.capacity + cn.capacity6);
	metrics_family(b, "halb_connection_table_events_total", METRICS_COUNTER,
		       "Entries evicted and connections refused, by reason.");
	for (int r = 0; r < CONN_REASON_COUNT; r++) {
		x.n = 0;
		lbl_add(&x, "reason", "%s", conn_reason_name(r));
		metrics_sample_u64(b, "halb_connection_table_events_total", x.l, x.n,
				   cn.reasons[r]);
	}
}

static void write_process(struct metrics_buf *b, const struct m_sample *m)
{
	struct lbl x = { .n = 0 };

	lbl_add(&x, "version", "%s", HALB_VERSION);
	lbl_add(&x, "dpdk", "%s", rte_version());
	metrics_family(b, "halb_info", METRICS_GAUGE, "halb's version; always 1.");
	metrics_sample(b, "halb_info", x.l, x.n, 1);
	metrics_family(b, "halb_start_time_seconds", METRICS_GAUGE,
		       "When halb started, in seconds since the epoch.");
	metrics_sample(b, "halb_start_time_seconds", NULL, 0, m->started);
	metrics_family(b, "halb_reloads_total", METRICS_COUNTER, "Successful reloads (SIGHUP).");
	metrics_sample_u64(b, "halb_reloads_total", NULL, 0, m->reloads);
}

static int render(void *ctx, struct metrics_buf *b)
{
	struct ctl *c = ctx;
	struct m_sample m = { 0 };

	if (take(c, &m) != 0) {
		sample_free(&m);
		return -1;
	}
	write_process(b, &m);
	write_services(b, &m);
	write_vrrp(b, &m);
	write_checks(b, &m);
	write_ports(b, c, &m);
	write_workers(b, c, &m);
	sample_free(&m);
	return 0;
}

int ctl_metrics_start(struct ctl *c, char *err, size_t errlen)
{
	char ip[16];

	if (!c->d->has_metrics)
		return 0;
	c->metrics = metrics_start(c->d->metrics_addr, c->d->metrics_port, render, c, err, errlen);
	if (c->metrics == NULL)
		return -1;
	HALB_LOG(ctl, INFO, "metrics on http://%s:%u/metrics", cfg_ipv4_str(c->d->metrics_addr, ip),
		 c->d->metrics_port);
	return 0;
}

void ctl_metrics_stop(struct ctl *c)
{
	metrics_stop(c->metrics);
	c->metrics = NULL;
}
