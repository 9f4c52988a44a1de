/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine: turns a cfg_keepalived into running checkers,
 * keeps their time, judges their attempts with the state machine, and tells
 * the caller when a real server's health or weight changes.
 *
 * Each checker (struct check) owns two libev timers: `round` starts the next
 * attempt when the state machine says it is due; `deadline` bounds a network
 * attempt's connection (connect_timeout: connect, request and the complete
 * response). The probes in check_tcp.c, check_get.c and check_misc.c end an
 * attempt with check_attempt_done(), which is the one place where health
 * changes, log lines are written and the next attempt is scheduled.
 *
 * Real servers are the unit the caller sees: one is up while all of its
 * checkers are up, and its effective weight is the configured one adjusted
 * by misc_dynamic results (keepalived's cur_weight arithmetic). Checkers are
 * kept in configuration order so that a real server's checkers are a
 * contiguous run of e->checks.
 *
 * A reload (check_engine_apply) builds the new arrays and every new checker
 * first, so running out of memory leaves the old configuration running;
 * then it moves each unchanged checker, state and attempt in flight
 * included, into the new configuration and drops the rest.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_int.h"

RTE_LOG_REGISTER(halb_logtype_check, halb.check, INFO);

#define CHECK_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define CHECK_DEFAULT_DELAY_LOOP_MS      60000
#define CHECK_WARMUP_MAX_MS              1000 /* new checkers start within this */
#define CHECK_WEIGHT_MAX                 65535

/* ----------------------------------------------------------------- helpers */

const char *check_type_name(enum cfg_check_type t)
{
	switch (t) {
	case CFG_CHECK_HTTP:
		return "HTTP_GET";
	case CFG_CHECK_SSL:
		return "SSL_GET";
	case CFG_CHECK_TCP:
		return "TCP_CHECK";
	case CFG_CHECK_MISC:
		return "MISC_CHECK";
	}
	return "CHECK";
}

static const char *check_ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
	return buf;
}

const char *check_target_str(const struct check *c, char *buf, size_t len)
{
	char ip[16];

	snprintf(buf, len, "%s:%u", check_ip_str(c->def.ip, ip, sizeof(ip)), c->def.port);
	return buf;
}

const char *check_errno_str(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static uint64_t check_now_ms(const struct check_engine *e)
{
	return (uint64_t)(ev_now(e->loop) * 1000.0);
}

static double check_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool check_str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ------------------------------------------------------------- definitions */

static void check_def_free(struct check_def *d)
{
	for (size_t i = 0; i < d->n_urls; i++) {
		free(d->urls[i].path);
		free(d->urls[i].host);
	}
	free(d->urls);
	free(d->misc_path);
	free(d->user);
	free(d->group);
	memset(d, 0, sizeof(*d));
}

static bool check_dup(char **dst, const char *src)
{
	*dst = src != NULL ? strdup(src) : NULL;
	return src == NULL || *dst != NULL;
}

static int check_def_urls(struct check_def *d, const struct cfg_checker *ck, const char *vhost)
{
	d->urls = ck->n_urls > 0 ? calloc(ck->n_urls, sizeof(*d->urls)) : NULL;
	if (ck->n_urls > 0 && d->urls == NULL)
		return -1;
	d->n_urls = ck->n_urls;
	for (size_t i = 0; i < ck->n_urls; i++) {
		const struct cfg_url *cu = &ck->urls[i];
		struct check_url *u = &d->urls[i];

		memcpy(u->status, cu->status, sizeof(u->status));
		u->has_digest = cu->has_digest;
		for (size_t j = 0; j < sizeof(u->digest) - 1 && cu->digest[j] != '\0'; j++)
			u->digest[j] = (char)(cu->digest[j] >= 'A' && cu->digest[j] <= 'F'
						  ? cu->digest[j] - 'A' + 'a'
						  : cu->digest[j]);
		if (!check_dup(&u->path, cu->path != NULL ? cu->path : "/") ||
		    !check_dup(&u->host, cu->virtualhost != NULL ? cu->virtualhost : vhost))
			return -1;
	}
	return 0;
}

/* What checker ck of real server rs of virtual server vs does, with
 * keepalived's inheritance resolved. */
static int check_def_build(struct check_def *d, const struct cfg_keepalived *k,
			   const struct cfg_virtual_server *vs, const struct cfg_real_server *rs,
			   const struct cfg_checker *ck)
{
	const char *vhost = ck->virtualhost != NULL ? ck->virtualhost : vs->virtualhost;
	const char *user = ck->user != NULL ? ck->user : proc_default_user(k->global.script_user);
	const char *group =
	    ck->user != NULL ? ck->group : (ck->group != NULL ? ck->group : k->global.script_group);

	memset(d, 0, sizeof(*d));
	d->type = ck->type;
	d->ip = ck->has_connect_ip ? ck->connect_ip : rs->addr;
	d->port = ck->connect_port != 0 ? ck->connect_port : rs->port;
	d->has_bindto = ck->has_bindto;
	d->bindto = ck->bindto;
	d->bind_port = ck->bind_port;
	d->enable_sni = ck->type == CFG_CHECK_SSL && ck->enable_sni;
	d->misc_dynamic = ck->misc_dynamic;
	d->script_security = k->global.enable_script_security;
	d->connect_timeout_ms =
	    ck->connect_timeout_ms != 0 ? ck->connect_timeout_ms : CHECK_DEFAULT_CONNECT_TIMEOUT_MS;
	d->retry = ck->retry;
	d->delay_before_retry_ms = ck->delay_before_retry_ms;
	d->delay_loop_ms = ck->delay_loop_ms != 0   ? ck->delay_loop_ms
			   : vs->delay_loop_ms != 0 ? vs->delay_loop_ms
						    : CHECK_DEFAULT_DELAY_LOOP_MS;
	d->misc_timeout_ms = ck->misc_timeout_ms;
	if ((ck->type == CFG_CHECK_HTTP || ck->type == CFG_CHECK_SSL) &&
	    check_def_urls(d, ck, vhost) != 0)
		goto nomem;
	if (ck->type == CFG_CHECK_MISC &&
	    (!check_dup(&d->misc_path, ck->misc_path) || !check_dup(&d->user, user) ||
	     !check_dup(&d->group, group)))
		goto nomem;
	return 0;
nomem:
	check_def_free(d);
	return -1;
}

static bool check_url_same(const struct check_url *a, const struct check_url *b)
{
	return check_str_eq(a->path, b->path) && check_str_eq(a->host, b->host) &&
	       memcmp(a->status, b->status, sizeof(a->status)) == 0 &&
	       a->has_digest == b->has_digest &&
	       (!a->has_digest || strcmp(a->digest, b->digest) == 0);
}

/* Same checker, timing aside? */
static bool check_def_same(const struct check_def *a, const struct check_def *b)
{
	if (a->type != b->type || a->ip != b->ip || a->port != b->port ||
	    a->has_bindto != b->has_bindto || a->bindto != b->bindto ||
	    a->bind_port != b->bind_port || a->n_urls != b->n_urls ||
	    a->enable_sni != b->enable_sni || a->misc_dynamic != b->misc_dynamic ||
	    !check_str_eq(a->misc_path, b->misc_path) || !check_str_eq(a->user, b->user) ||
	    !check_str_eq(a->group, b->group))
		return false;
	for (size_t i = 0; i < a->n_urls; i++)
		if (!check_url_same(&a->urls[i], &b->urls[i]))
			return false;
	return true;
}

/* ---------------------------------------------------------- real servers */

static void check_rs_eval(const struct check_engine *e, const struct check_rs *r, bool *up,
			  int *weight, bool *dynamic)
{
	long w = r->weight;

	*up = true;
	*dynamic = false;
	for (size_t i = r->first; i < r->first + r->count; i++) {
		const struct check *c = e->checks[i];

		*up = *up && c->fsm.up;
		if (c->dyn_weight >= 0) {
			/* keepalived: cur_weight = status - 2 - iweight */
			w += c->dyn_weight - r->weight;
			*dynamic = true;
		}
	}
	*weight = w < 0 ? 0 : (w > CHECK_WEIGHT_MAX ? CHECK_WEIGHT_MAX : (int)w);
}

/* Reports real server `slot` if its health or weight changed (or always). */
static void check_rs_report(struct check_engine *e, size_t slot, bool always)
{
	struct check_rs *r = &e->rs[slot];
	bool up, dynamic;
	int weight, report;

	check_rs_eval(e, r, &up, &weight, &dynamic);
	if (!always && up == r->up && weight == r->eff_weight)
		return;
	if (always)
		report = dynamic ? weight : -1;
	else
		report = weight != r->eff_weight ? weight : -1;
	r->up = up;
	r->eff_weight = weight;
	if (e->ops.rs_changed != NULL)
		e->ops.rs_changed(e->ops.ctx, r->vs, r->rs, up, report);
}

/* ----------------------------------------------------------------- timing */

static void check_schedule(struct check *c)
{
	uint64_t now = check_now_ms(c->e);
	uint64_t at = c->fsm.next_ms > now ? c->fsm.next_ms - now : 0;

	ev_timer_stop(c->e->loop, &c->round);
	ev_timer_set(&c->round, (double)at / 1000.0, 0.);
	ev_timer_start(c->e->loop, &c->round);
}

void check_deadline_start(struct check *c)
{
	ev_timer_stop(c->e->loop, &c->deadline);
	ev_timer_set(&c->deadline, c->def.connect_timeout_ms / 1000.0, 0.);
	ev_timer_start(c->e->loop, &c->deadline);
}

/* Releases whatever the attempt in flight holds. */
static void check_probe_stop(struct check *c)
{
	ev_timer_stop(c->e->loop, &c->deadline);
	check_net_stop(c);
	check_misc_stop(c);
	c->phase = CHECK_IDLE;
}

/* ------------------------------------------------------------ log lines */

static void check_log_result(struct check *c, enum check_fsm_event ev)
{
	const char *type = check_type_name(c->def.type);
	char target[32], ip[16];

	check_target_str(c, target, sizeof(target));
	switch (ev) {
	case CHECK_FSM_OK:
		HALB_LOG(check, DEBUG, "%s on %s ok: %s", type, target, c->reason);
		break;
	case CHECK_FSM_UP:
		HALB_LOG(check, NOTICE, "%s on %s succeeded", type, target);
		break;
	case CHECK_FSM_RETRY:
		HALB_LOG(check, INFO, "%s on %s failed: %s", type, target, c->reason);
		break;
	case CHECK_FSM_FAILED:
		HALB_LOG(check, DEBUG, "%s on %s failed: %s", type, target, c->reason);
		break;
	case CHECK_FSM_DOWN:
		HALB_LOG(check, INFO, "%s on %s failed: %s", type, target, c->reason);
		check_ip_str(c->def.ip, ip, sizeof(ip));
		if (c->fsm.failures > 1)
			HALB_LOG(check, WARNING, "Check on service [%s]:tcp:%u failed after %u %s.",
				 ip, c->def.port, c->fsm.failures - 1,
				 c->fsm.failures == 2 ? "retry" : "retries");
		else
			HALB_LOG(check, WARNING, "Check on service [%s]:tcp:%u failed.", ip,
				 c->def.port);
		break;
	}
}

/* --------------------------------------------------------------- attempts */

void check_attempt_done(struct check *c, enum check_verdict v, const char *result, const char *fmt,
			...)
{
	struct check_engine *e = c->e;
	enum check_fsm_event ev;
	char target[32];
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
		va_end(ap);
	} else {
		snprintf(c->reason, sizeof(c->reason), "%s", result);
	}
	check_probe_stop(c);
	c->running = false;
	if (v == CHECK_LOCAL_ERROR) {
		HALB_LOG(check, WARNING, "%s on %s not run: %s; next attempt in %u ms",
			 check_type_name(c->def.type), check_target_str(c, target, sizeof(target)),
			 c->reason, c->def.delay_loop_ms);
		c->fsm.next_ms = check_now_ms(e) + c->def.delay_loop_ms;
		check_schedule(c);
		return;
	}
	c->checks++;
	ev = check_fsm_step(&c->fsm, v == CHECK_PASS, check_now_ms(e));
	snprintf(c->last_result, sizeof(c->last_result), "%s", v == CHECK_PASS ? "ok" : result);
	if (ev == CHECK_FSM_UP || ev == CHECK_FSM_DOWN)
		c->since = check_realtime();
	if (ev == CHECK_FSM_DOWN)
		c->dyn_weight = -1; /* keepalived drops cur_weight with the server */
	check_log_result(c, ev);
	check_schedule(c);
	check_rs_report(e, c->slot, false);
}

static void check_attempt_begin(struct check *c)
{
	if (c->suspended || c->running)
		return;
	c->running = true;
	c->url = 0;
	if (c->def.type == CFG_CHECK_MISC) {
		check_misc_start(c);
	} else if (c->def.type != CFG_CHECK_TCP && c->def.n_urls == 0) {
		/* keepalived: no url, nothing to fetch, the server is up. */
		check_attempt_done(c, CHECK_PASS, "ok", "no url to check");
	} else {
		check_deadline_start(c);
		check_tcp_start(c);
	}
}

static void check_round_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	check_attempt_begin(w->data);
}

static const char *check_phase_str(enum check_phase p)
{
	switch (p) {
	case CHECK_CONNECTING:
		return "connecting";
	case CHECK_HANDSHAKE:
		return "in the TLS handshake";
	case CHECK_SENDING:
		return "sending the request";
	case CHECK_RECEIVING:
		return "waiting for the complete response";
	default:
		return "running";
	}
}

static void check_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *c = w->data;

	(void)loop;
	(void)revents;
	check_attempt_done(c, CHECK_FAIL, "timeout", "timeout after %u ms %s",
			   c->def.connect_timeout_ms, check_phase_str(c->phase));
}

/* Applies ha_suspend: runs c only while its virtual server is active.
 * Resuming starts an attempt at once, or when it is due for a checker that
 * was never started (its warm-up). */
static void check_update_suspension(struct check *c, bool at_once)
{
	uint64_t now = check_now_ms(c->e);
	const struct check_vs *v = &c->e->vs[c->vs];
	bool suspend = v->ha_suspend && !v->active;

	if (suspend == c->suspended)
		return;
	c->suspended = suspend;
	if (suspend) {
		ev_timer_stop(c->e->loop, &c->round);
		if (c->running)
			check_probe_stop(c);
		c->running = false;
		return;
	}
	if (at_once || c->fsm.next_ms < now)
		c->fsm.next_ms = now;
	check_schedule(c);
}

/* ---------------------------------------------------------------- checkers */

static struct check *check_new(struct check_engine *e)
{
	struct check *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->e = e;
	c->fd = -1;
	c->dyn_weight = -1;
	c->since = check_realtime();
	ev_timer_init(&c->round, check_round_cb, 0., 0.);
	ev_timer_init(&c->deadline, check_deadline_cb, 0., 0.);
	ev_io_init(&c->io, NULL, -1, 0);
	c->round.data = c;
	c->deadline.data = c;
	c->io.data = c;
	return c;
}

static void check_destroy(struct check *c)
{
	if (c == NULL)
		return;
	ev_timer_stop(c->e->loop, &c->round);
	check_probe_stop(c);
	check_def_free(&c->def);
	free(c);
}

/* ---------------------------------------------------------------- reload */

/* The next configuration, built before anything running is touched. */
struct check_next {
	struct check_vs *vs;
	struct check_rs *rs;
	struct check **checks;
	struct check_def *defs;
	struct check **match; /* the running checker each new one continues, or NULL */
	size_t n_vs, n_rs, n_checks;
	size_t n_fresh;
};

static void check_next_free(struct check_next *n)
{
	for (size_t i = 0; i < n->n_checks; i++) {
		check_def_free(&n->defs[i]);
		if (n->match == NULL || n->match[i] == NULL)
			free(n->checks != NULL ? n->checks[i] : NULL);
	}
	free(n->vs);
	free(n->rs);
	free(n->checks);
	free(n->defs);
	free(n->match);
}

static bool check_vs_same(const struct check_vs *a, const struct check_vs *b)
{
	return a->addr == b->addr && a->port == b->port && a->proto == b->proto;
}

static int check_next_alloc(struct check_next *n, const struct cfg_keepalived *k)
{
	n->n_vs = k->n_vs;
	for (size_t i = 0; i < k->n_vs; i++) {
		n->n_rs += k->vs[i].n_rs;
		for (size_t j = 0; j < k->vs[i].n_rs; j++)
			n->n_checks += k->vs[i].rs[j].n_checkers;
	}
	n->vs = calloc(n->n_vs + 1, sizeof(*n->vs));
	n->rs = calloc(n->n_rs + 1, sizeof(*n->rs));
	n->checks = calloc(n->n_checks + 1, sizeof(*n->checks));
	n->defs = calloc(n->n_checks + 1, sizeof(*n->defs));
	n->match = calloc(n->n_checks + 1, sizeof(*n->match));
	return n->vs && n->rs && n->checks && n->defs && n->match ? 0 : -1;
}

/* Fills the virtual servers, real servers and checker definitions. */
static int check_next_build(struct check_next *n, const struct check_engine *e,
			    const struct cfg_keepalived *k)
{
	size_t slot = 0, ci = 0;

	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *vs = &k->vs[i];
		struct check_vs *v = &n->vs[i];

		*v = (struct check_vs){ .addr = vs->addr,
					.port = vs->port,
					.proto = vs->protocol,
					.ha_suspend = vs->ha_suspend };
		for (size_t o = 0; o < e->n_vs; o++)
			if (check_vs_same(&e->vs[o], v))
				v->active = e->vs[o].active;
		for (size_t j = 0; j < vs->n_rs; j++, slot++) {
			const struct cfg_real_server *rs = &vs->rs[j];

			n->rs[slot] = (struct check_rs){ .vs = i,
							 .rs = j,
							 .addr = rs->addr,
							 .port = rs->port,
							 .weight = rs->weight,
							 .first = ci,
							 .count = rs->n_checkers };
			for (size_t c = 0; c < rs->n_checkers; c++, ci++)
				if (check_def_build(&n->defs[ci], k, vs, rs, &rs->checkers[c]) != 0)
					return -1;
		}
	}
	return 0;
}

static bool check_is_continued(const struct check *old, const struct check_vs *v,
			       const struct check_rs *r, const struct check_def *def)
{
	return old->vs_addr == v->addr && old->vs_port == v->port && old->vs_proto == v->proto &&
	       old->rs_addr == r->addr && old->rs_port == r->port && check_def_same(&old->def, def);
}

static uint64_t check_hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t check_key(uint32_t vs_addr, uint16_t vs_port, uint32_t rs_addr, uint16_t rs_port,
			  const struct check_def *d)
{
	uint64_t h = check_hash_mix(vs_addr, ((uint64_t)vs_port << 32) | rs_addr);

	h = check_hash_mix(h, ((uint64_t)rs_port << 32) | (uint64_t)d->type);
	return check_hash_mix(h, ((uint64_t)d->ip << 16) | d->port);
}

/* Finds, for every new checker, an unchanged running one to continue
 * (a hash of the running checkers keeps this linear). */
static int check_next_match(struct check_next *n, const struct check_engine *e)
{
	size_t size = 16, mask;
	size_t *table;
	bool *taken;

	while (size < 2 * e->n_checks)
		size *= 2;
	mask = size - 1;
	table = calloc(size, sizeof(*table));
	taken = calloc(e->n_checks + 1, sizeof(*taken));
	if (table == NULL || taken == NULL) {
		free(table);
		free(taken);
		return -1;
	}
	for (size_t i = 0; i < e->n_checks; i++) {
		const struct check *c = e->checks[i];
		size_t h =
		    check_key(c->vs_addr, c->vs_port, c->rs_addr, c->rs_port, &c->def) & mask;

		while (table[h] != 0)
			h = (h + 1) & mask;
		table[h] = i + 1;
	}
	for (size_t s = 0; s < n->n_rs; s++) {
		const struct check_rs *r = &n->rs[s];
		const struct check_vs *v = &n->vs[r->vs];

		for (size_t i = r->first; i < r->first + r->count; i++) {
			size_t h =
			    check_key(v->addr, v->port, r->addr, r->port, &n->defs[i]) & mask;

			for (; table[h] != 0; h = (h + 1) & mask) {
				size_t o = table[h] - 1;

				if (!taken[o] &&
				    check_is_continued(e->checks[o], v, r, &n->defs[i])) {
					taken[o] = true;
					n->match[i] = e->checks[o];
					break;
				}
			}
		}
	}
	free(table);
	free(taken);
	return 0;
}

static int check_next_prepare(struct check_next *n, struct check_engine *e,
			      const struct cfg_keepalived *k)
{
	if (check_next_alloc(n, k) != 0 || check_next_build(n, e, k) != 0 ||
	    check_next_match(n, e) != 0)
		return -1;
	for (size_t i = 0; i < n->n_checks; i++) {
		if (n->match[i] != NULL)
			continue;
		n->checks[i] = check_new(e);
		if (n->checks[i] == NULL)
			return -1;
		n->n_fresh++;
	}
	return 0;
}

/* Moves a running checker into the new configuration. */
static struct check *check_continue(struct check *c, struct check_def *def)
{
	check_def_free(&c->def);
	c->def = *def;
	memset(def, 0, sizeof(*def));
	check_fsm_set_timing(&c->fsm, c->def.retry, c->def.delay_loop_ms,
			     c->def.delay_before_retry_ms);
	return c;
}

/* Starts a new checker: up unless alpha, first attempt within the warm-up. */
static void check_start_fresh(struct check *c, struct check_def *def, bool alpha, size_t nth,
			      size_t n_fresh)
{
	uint64_t spread =
	    def->delay_loop_ms < CHECK_WARMUP_MAX_MS ? def->delay_loop_ms : CHECK_WARMUP_MAX_MS;

	c->def = *def;
	memset(def, 0, sizeof(*def));
	check_fsm_init(&c->fsm, c->def.retry, c->def.delay_loop_ms, c->def.delay_before_retry_ms,
		       alpha, check_now_ms(c->e) + spread * nth / (n_fresh ? n_fresh : 1));
	c->suspended = true; /* check_update_suspension() starts it */
}

static void check_commit(struct check_engine *e, struct check_next *n,
			 const struct cfg_keepalived *k)
{
	size_t nth = 0;

	e->gen++;
	for (size_t s = 0; s < n->n_rs; s++) {
		const struct check_rs *r = &n->rs[s];
		const struct check_vs *v = &n->vs[r->vs];

		for (size_t i = r->first; i < r->first + r->count; i++) {
			struct check *c;

			if (n->match[i] != NULL) {
				c = check_continue(n->match[i], &n->defs[i]);
			} else {
				c = n->checks[i];
				check_start_fresh(c, &n->defs[i], k->vs[r->vs].alpha, nth++,
						  n->n_fresh);
			}
			n->checks[i] = c;
			c->gen = e->gen;
			c->vs = r->vs;
			c->rs = r->rs;
			c->slot = s;
			c->vs_addr = v->addr;
			c->vs_port = v->port;
			c->vs_proto = v->proto;
			c->rs_addr = r->addr;
			c->rs_port = r->port;
		}
	}
	/* Drop the running checkers that were not continued. */
	for (size_t i = 0; i < e->n_checks; i++)
		if (e->checks[i]->gen != e->gen)
			check_destroy(e->checks[i]);
}

int check_engine_apply(struct check_engine *e, const struct cfg_keepalived *k)
{
	struct check_next n;

	memset(&n, 0, sizeof(n));
	if (check_next_prepare(&n, e, k) != 0) {
		check_next_free(&n);
		HALB_LOG(check, ERR,
			 "out of memory applying the checkers; the old ones keep running");
		return -1;
	}
	check_commit(e, &n, k);
	free(e->vs);
	free(e->rs);
	free(e->checks);
	e->vs = n.vs;
	e->rs = n.rs;
	e->checks = n.checks;
	e->n_vs = n.n_vs;
	e->n_rs = n.n_rs;
	e->n_checks = n.n_checks;
	free(n.defs);
	free(n.match);
	for (size_t i = 0; i < e->n_checks; i++)
		check_update_suspension(e->checks[i], false);
	for (size_t s = 0; s < e->n_rs; s++)
		check_rs_report(e, s, true);
	HALB_LOG(check, INFO, "%zu checkers on %zu real servers (%zu new)", e->n_checks, e->n_rs,
		 n.n_fresh);
	return 0;
}

/* ------------------------------------------------------------------ public */

void check_engine_set_active(struct check_engine *e, size_t vs, bool active)
{
	if (vs >= e->n_vs)
		return;
	e->vs[vs].active = active;
	for (size_t i = 0; i < e->n_checks; i++)
		if (e->checks[i]->vs == vs)
			check_update_suspension(e->checks[i], true);
}

bool check_engine_rs_health(const struct check_engine *e, size_t vs, size_t rs, int *weight)
{
	for (size_t s = 0; s < e->n_rs; s++) {
		const struct check_rs *r = &e->rs[s];

		if (r->vs != vs || r->rs != rs)
			continue;
		if (weight != NULL)
			*weight = r->eff_weight;
		return r->up;
	}
	if (weight != NULL)
		*weight = 0;
	return false;
}

size_t check_engine_status(const struct check_engine *e, struct check_status *out, size_t max)
{
	for (size_t i = 0; i < e->n_checks && i < max; i++) {
		const struct check *c = e->checks[i];
		struct check_status *st = &out[i];

		memset(st, 0, sizeof(*st));
		st->vs = c->vs;
		st->rs = c->rs;
		st->type = c->def.type;
		st->ip = c->def.ip;
		st->port = c->def.port;
		st->up = c->fsm.up;
		st->running = !c->suspended;
		snprintf(st->last_result, sizeof(st->last_result), "%s", c->last_result);
		snprintf(st->reason, sizeof(st->reason), "%s", c->reason);
		st->since = c->since;
		st->failures = c->fsm.failures;
		st->checks = c->checks;
	}
	return e->n_checks;
}

struct check_engine *check_engine_create(struct ev_loop *loop, const struct check_ops *ops)
{
	struct check_engine *e = calloc(1, sizeof(*e));
	struct sigaction sa;

	if (e == NULL)
		return NULL;
	e->loop = loop;
	if (ops != NULL)
		e->ops = *ops;
	e->ssl_ctx = check_ssl_ctx_new();
	if (e->ssl_ctx == NULL) {
		HALB_LOG(check, ERR, "cannot set up TLS for SSL_GET");
		free(e);
		return NULL;
	}
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	return e;
}

void check_engine_free(struct check_engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n_checks; i++)
		check_destroy(e->checks[i]);
	free(e->checks);
	free(e->rs);
	free(e->vs);
	SSL_CTX_free(e->ssl_ctx);
	free(e);
}
