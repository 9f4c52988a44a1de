/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Health checks on the control core: lib/check's engine decides whether
 * each real server is up; this file decides what that means for the service,
 * as keepalived's ipwrapper does, and publishes the next snapshot:
 * - a server that goes down leaves the service ("Removing service ..."), or
 *   stays with weight 0 under inhibit_on_failure; its connections are then
 *   expired by the workers (expire_nodest_conn) unless it is inhibited;
 * - notify_up / notify_down run; an smtp alert goes out when configured;
 * - a virtual server whose live weight falls under quorum - hysteresis loses
 *   quorum: quorum_down runs and the sorry server, if any, serves alone, until
 *   the weight reaches quorum + hysteresis again;
 * - with ha_suspend, a virtual server's checks run only while this director
 *   holds its VIP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"

/* keepalived: smtp_alert_checker when written, else smtp_alert. */
static bool checker_mail(const struct ctl *c)
{
	const struct cfg_global *g = &c->k->global;

	return g->smtp_alert_checker >= 0 ? g->smtp_alert_checker != 0 : g->smtp_alert;
}
#include "halb_check.h"
#include "halb_proc.h"

/* keepalived's "[ADDR]:tcp:PORT", for either family. */
#define ADDR_PORT_LEN (CFG_ADDR_STRLEN + 16)
static void addr_port(char *buf, size_t len, const struct cfg_addr *a, uint8_t proto, uint16_t port)
{
	char s[CFG_ADDR_STRLEN];

	snprintf(buf, len, "[%s]:%s:%u", cfg_addr_str(a, s), proto == IPPROTO_UDP ? "udp" : "tcp",
		 port);
}

/* The weight a server brings to its quorum. */
static uint64_t live_weight(const struct ctl *c, size_t vs)
{
	const struct cfg_virtual_server *v = &c->k->vs[vs];
	uint64_t sum = 0;

	for (size_t r = 0; r < v->n_rs; r++) {
		const struct ctl_rs *rt = &c->vs[vs].rs[r];

		if (rt->healthy)
			sum += rt->dyn_weight >= 0 ? (uint64_t)rt->dyn_weight
						   : (uint64_t)v->rs[r].weight;
	}
	return sum;
}

static void quorum_update(struct ctl *c, size_t vs)
{
	const struct cfg_virtual_server *v = &c->k->vs[vs];
	struct ctl_vs *cv = &c->vs[vs];
	uint64_t w = live_weight(c, vs);
	bool up = check_quorum_eval(w, v->quorum, v->hysteresis, cv->quorum_up);
	char vsn[ADDR_PORT_LEN], subject[200];

	if (up == cv->quorum_up)
		return;
	cv->quorum_up = up;
	addr_port(vsn, sizeof(vsn), &v->addr, v->protocol, v->port);
	HALB_LOG(ctl, NOTICE, "%s quorum %" PRIu64 "%s%u for VS %s", up ? "Gained" : "Lost", w,
		 up ? ">=" : "<", v->quorum, vsn);
	if (!up && v->has_sorry_server) {
		char rs[ADDR_PORT_LEN];

		addr_port(rs, sizeof(rs), &v->sorry_server.addr, v->protocol, v->sorry_server.port);
		HALB_LOG(ctl, NOTICE, "Adding sorry server %s to VS %s", rs, vsn);
	}
	ctl_run_script(c, up ? &v->quorum_up : &v->quorum_down, NULL, 0);
	snprintf(subject, sizeof(subject), "[%s] Virtual Server %s - %s quorum", ctl_router_id(c),
		 vsn, up ? "gained" : "lost");
	if (checker_mail(c))
		ctl_mail(c, subject, subject);
}

static void on_rs_changed(void *ctx, size_t vs, size_t rs, bool up, int weight)
{
	struct ctl *c = ctx;
	const struct cfg_virtual_server *v = &c->k->vs[vs];
	const struct cfg_real_server *r = &v->rs[rs];
	struct ctl_rs *rt = &c->vs[vs].rs[rs];
	char vsn[ADDR_PORT_LEN], rsn[ADDR_PORT_LEN], subject[240];

	if (c->hold_publish) {
		/* The engine's report of where things stand (start, reload): the
		 * state, not a transition; checks_apply() takes it from here. */
		rt->healthy = up;
		return;
	}
	addr_port(vsn, sizeof(vsn), &v->addr, v->protocol, v->port);
	addr_port(rsn, sizeof(rsn), &r->addr, v->protocol, r->port);
	if (weight >= 0 && weight != rt->dyn_weight) {
		HALB_LOG(ctl, INFO, "Changing weight of %s in VS %s to %d", rsn, vsn, weight);
		rt->dyn_weight = weight;
	}
	if (up != rt->healthy) {
		rt->healthy = up;
		if (r->inhibit_on_failure)
			HALB_LOG(ctl, NOTICE,
				 "%s service %s %s VS %s (inhibit_on_failure: weight %s)",
				 up ? "Enabling" : "Disabling", rsn, up ? "in" : "in", vsn,
				 up ? "restored" : "0");
		else
			HALB_LOG(ctl, NOTICE, "%s service %s %s VS %s", up ? "Adding" : "Removing",
				 rsn, up ? "to" : "from", vsn);
		ctl_run_script(c, up ? &r->notify_up : &r->notify_down, NULL, 0);
		snprintf(subject, sizeof(subject), "[%s] Realserver %s of virtual server %s - %s",
			 ctl_router_id(c), rsn, vsn, up ? "UP" : "DOWN");
		if (checker_mail(c) && !c->k->global.no_checker_emails)
			ctl_mail(c, subject, subject);
	}
	quorum_update(c, vs);
	/* Published once this round of the loop is done: thousands of checks
	 * failing together (a switch port down) make one snapshot, not one each
	 * (each holds the whole stat table until its grace period ends). */
	c->publish_due = true;
}

static void on_prepare_publish(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct ctl *c = w->data;

	(void)loop;
	(void)revents;
	if (!c->publish_due)
		return;
	c->publish_due = false;
	if (ctl_publish(c) != 0)
		HALB_LOG(ctl, ERR, "cannot publish the services after a health change");
}

/* Applies c->k to the engine; the verdicts it reports are state, not news. */
static int checks_apply(struct ctl *c)
{
	int rc;

	/* apply() reports every real server's starting health: publish once. */
	c->hold_publish = true;
	rc = check_engine_apply(c->checks, c->k);
	c->hold_publish = false;
	if (rc != 0)
		return -1;
	for (size_t i = 0; i < c->k->n_vs; i++) {
		for (size_t r = 0; r < c->k->vs[i].n_rs; r++) {
			int w = -1;

			c->vs[i].rs[r].healthy = check_engine_rs_health(c->checks, i, r, &w);
			c->vs[i].rs[r].dyn_weight = w;
		}
		c->vs[i].quorum_up = check_quorum_eval(live_weight(c, i), c->k->vs[i].quorum,
						       c->k->vs[i].hysteresis, c->vs[i].quorum_up);
	}
	ctl_check_ownership(c);
	return 0;
}

int ctl_check_start(struct ctl *c)
{
	struct check_ops ops = { .rs_changed = on_rs_changed, .ctx = c };

	c->checks = check_engine_create(c->loop, &ops);
	if (c->checks == NULL)
		return -1;
	ev_prepare_init(&c->publish_prepare, on_prepare_publish);
	c->publish_prepare.data = c;
	ev_prepare_start(c->loop, &c->publish_prepare);
	return checks_apply(c);
}

int ctl_check_reload(struct ctl *c)
{
	return checks_apply(c);
}

void ctl_check_ownership(struct ctl *c)
{
	if (c->checks == NULL)
		return;
	for (size_t i = 0; i < c->k->n_vs; i++)
		if (c->k->vs[i].ha_suspend)
			check_engine_set_active(
			    c->checks, i, c->vs[i].owner < 0 || c->inst_master[c->vs[i].owner]);
}

void ctl_check_stop(struct ctl *c)
{
	/* omega: a virtual server going away says goodbye, as keepalived */
	for (size_t i = 0; c->checks != NULL && i < c->k->n_vs; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[i];

		if (!v->omega)
			continue;
		for (size_t r = 0; r < v->n_rs; r++)
			if (c->vs[i].rs[r].healthy)
				ctl_run_script(c, &v->rs[r].notify_down, NULL, 0);
		if (c->vs[i].quorum_up)
			ctl_run_script(c, &v->quorum_down, NULL, 0);
	}
	check_engine_free(c->checks);
	c->checks = NULL;
	if (c->loop != NULL)
		ev_prepare_stop(c->loop, &c->publish_prepare);
}

/* ------------------------------------------------------------ telemetry */

static json_t *check_json(const struct ctl *c, const struct check_status *st)
{
	const struct cfg_virtual_server *v = &c->k->vs[st->vs];
	const struct cfg_real_server *r = &v->rs[st->rs];

	return json_pack("{s:o, s:i, s:s, s:o, s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:f, s:i, s:I}",
			 "vip", ctl_addr_json(&v->addr), "vport", v->port, "protocol",
			 v->protocol == IPPROTO_UDP ? "UDP" : "TCP", "rip", ctl_addr_json(&r->addr),
			 "rport", r->port, "type", cfg_check_name(st->type), "target", st->target,
			 "state", st->up ? "UP" : "DOWN", "running", st->running, "last_result",
			 st->last_result, "reason", st->reason, "since", st->since, "failures",
			 (int)st->failures, "checks", (json_int_t)st->checks);
}

/* A page of the checkers, in configuration order; the cursor is the
 * configuration generation and an index (docs/TELEMETRY.md). */
static json_t *tel_checks(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	struct check_status *st = NULL;
	unsigned long long gen = 0, from = 0;
	char err[160], next[CTL_CURSOR_LEN] = "";
	struct ctl_page pg;
	struct ctl_query q;
	size_t n, want;
	long shown = 0;
	json_t *o;
	int end = 0;

	if (ctl_query_parse(params, CTL_Q_LIMIT | CTL_Q_CURSOR | CTL_Q_VIP | CTL_Q_RS, 100000, &q,
			    err, sizeof(err)) != 0)
		return ctl_error("%s", err);
	pthread_mutex_lock(&c->lock);
	if (q.cursor[0] != '\0' && (sscanf(q.cursor, "k%llx.%llx%n", &gen, &from, &end) != 2 ||
				    q.cursor[end] != '\0' || gen != c->reloads)) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error_restart();
	}
	n = c->checks ? check_engine_status(c->checks, NULL, 0) : 0;
	want = n < from ? 0 : n;
	if (want > 0)
		st = calloc(want, sizeof(*st));
	if (want > 0 && st == NULL) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error("%s", "out of memory");
	}
	if (want > 0)
		check_engine_status(c->checks, st, want);
	ctl_page_init(&pg, TEL_PAGE_BUDGET);
	for (size_t i = (size_t)from; i < want; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[st[i].vs];
		const struct cfg_real_server *r = &v->rs[st[i].rs];

		if (!ctl_addr_match(&q.vip, &v->addr, v->port) ||
		    !ctl_addr_match(&q.rs, &r->addr, r->port))
			continue;
		if ((q.limit > 0 && shown == q.limit) ||
		    !ctl_page_add(&pg, check_json(c, &st[i]))) {
			snprintf(next, sizeof(next), "k%llx.%zx", (unsigned long long)c->reloads,
				 i);
			break;
		}
		shown++;
	}
	o = json_pack("{s:o, s:I, s:o, s:b}", "checks", pg.arr, "total", (json_int_t)n, "next",
		      next[0] ? json_string(next) : json_null(), "truncated", next[0] != '\0');
	pthread_mutex_unlock(&c->lock);
	free(st);
	return o;
}

int ctl_check_tel_init(struct ctl *c)
{
	return tel_register(c->tel, "/halb/checks", tel_checks, c,
			    "health checks of the real servers, a page at a time; parameters: "
			    "limit=N, cursor=C, vip=A[:P], rs=A[:P]");
}
