/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The health-check engine: turns a cfg_keepalived into running checkers,
 * keeps their time, judges their attempts with the state machine, and tells
 * the caller when a real server's health or weight changes.
 *
 * Each checker (struct check) owns two libev timers: `round` starts the next
 * attempt when the state machine says it is due; `deadline` bounds a network
 * attempt (connect_timeout: connect, request and the complete response; an
 * echo or datagram and its answer). The probes (check_tcp.c, check_get.c,
 * check_misc.c, check_ping.c, check_dgram.c, check_smtp.c, check_file.c)
 * end an attempt with check_attempt_done(), which is the one place where
 * health changes, log lines are written and the next attempt is scheduled.
 *
 * Real servers are the unit the caller sees: one is up while all of its
 * checkers are up, and its effective weight is the configured one adjusted
 * by misc_dynamic results and FILE_CHECK numbers (keepalived's cur_weight
 * arithmetic). Checkers are kept in configuration order so that a real
 * server's checkers are a contiguous run of e->checks.
 *
 * Turning a configuration into checkers, and reloads, are in check_reload.c.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_int.h"

RTE_LOG_REGISTER(halb_logtype_check, halb.check, INFO);

#define CHECK_WEIGHT_MAX 65535

/* ----------------------------------------------------------------- helpers */

const char *check_target_str(const struct check *c, char *buf, size_t len)
{
	char s[CFG_ADDR_STRLEN + 8];

	snprintf(buf, len, "%s", cfg_addr_port_str(&c->def.ip, c->def.port, s));
	return buf;
}

const char *check_errno_str(int err, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* xorshift64: DNS query ids and echo ids need to be unlikely, not secret. */
uint64_t check_rand(struct check_engine *e)
{
	e->rand ^= e->rand << 13;
	e->rand ^= e->rand >> 7;
	e->rand ^= e->rand << 17;
	return e->rand;
}

uint64_t check_now_ms(const struct check_engine *e)
{
	return (uint64_t)(ev_now(e->loop) * 1000.0);
}

double check_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
		if (c->has_file_delta) {
			/* keepalived: cur_weight = number * weight */
			w += c->file_delta;
			*dynamic = true;
		}
	}
	*weight = w < 0 ? 0 : (w > CHECK_WEIGHT_MAX ? CHECK_WEIGHT_MAX : (int)w);
}

/* Reports real server `slot` if its health or weight changed (or always). */
void check_rs_report(struct check_engine *e, size_t slot, bool always)
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
	const char *type = cfg_check_name(c->def.type);
	const char *proto = c->vs_proto == IPPROTO_UDP ? "udp" : "tcp";
	char target[CHECK_TARGET_STRLEN], ip[CFG_ADDR_STRLEN];

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
		cfg_addr_str(&c->def.ip, ip);
		if (c->fsm.failures > 1)
			HALB_LOG(check, WARNING, "Check on service [%s]:%s:%u failed after %u %s.",
				 ip, proto, c->def.port, c->fsm.failures - 1,
				 c->fsm.failures == 2 ? "retry" : "retries");
		else
			HALB_LOG(check, WARNING, "Check on service [%s]:%s:%u failed.", ip, proto,
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
	char target[CHECK_TARGET_STRLEN], res[sizeof(c->last_result)];
	va_list ap;

	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
		va_end(ap);
	} else {
		snprintf(c->reason, sizeof(c->reason), "%s", result);
	}
	/* result may live in what the probe frees */
	snprintf(res, sizeof(res), "%s", result);
	result = res;
	check_probe_stop(c);
	c->running = false;
	if (v == CHECK_LOCAL_ERROR) {
		/* No socket (RLIMIT_NOFILE reached...), no bind: the server could
		 * not be checked, which must never pass for a success. It counts
		 * as a failed check, with its own reason. */
		HALB_LOG(check, WARNING, "%s on %s could not run: %s; counted as a failure",
			 cfg_check_name(c->def.type), check_target_str(c, target, sizeof(target)),
			 c->reason);
		result = c->reason;
	}
	c->checks++;
	ev = check_fsm_step(&c->fsm, v == CHECK_PASS, check_now_ms(e));
	if (v == CHECK_LOCAL_ERROR)
		snprintf(c->last_result, sizeof(c->last_result), "cannot check: %.*s",
			 (int)(sizeof(c->last_result) - 16), result);
	else
		snprintf(c->last_result, sizeof(c->last_result), "%s",
			 v == CHECK_PASS ? "ok" : result);
	if (ev == CHECK_FSM_UP || ev == CHECK_FSM_DOWN)
		c->since = check_realtime();
	if (ev == CHECK_FSM_DOWN) {
		/* keepalived drops cur_weight with the server */
		c->dyn_weight = -1;
		c->has_file_delta = false;
	}
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
	switch (c->def.type) {
	case CFG_CHECK_MISC:
		check_misc_start(c);
		break;
	case CFG_CHECK_FILE:
		check_file_start(c);
		break;
	case CFG_CHECK_PING:
		check_deadline_start(c);
		check_ping_start(c);
		break;
	case CFG_CHECK_UDP:
	case CFG_CHECK_DNS:
		check_deadline_start(c);
		check_dgram_start(c);
		break;
	case CFG_CHECK_HTTP:
	case CFG_CHECK_SSL:
		if (c->def.n_urls == 0) {
			/* keepalived: no url, nothing to fetch, the server is up
			 * (halb -t refuses it). */
			check_attempt_done(c, CHECK_PASS, "ok", "no url to check");
			break;
		}
		/* fall through */
	case CFG_CHECK_TCP:
	case CFG_CHECK_SMTP:
		check_deadline_start(c);
		check_tcp_start(c);
		break;
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
	case CHECK_WAITING:
		return "waiting for the answer";
	case CHECK_TALKING:
		return "in the SMTP conversation";
	default:
		return "running";
	}
}

static void check_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *c = w->data;

	(void)loop;
	(void)revents;
	if (c->def.type == CFG_CHECK_UDP && !c->def.require_reply) {
		check_udp_deadline(c);
		return;
	}
	check_attempt_done(c, CHECK_FAIL, "timeout", "timeout after %u ms %s",
			   c->def.connect_timeout_ms, check_phase_str(c->phase));
}

/* Applies ha_suspend: runs c only while its virtual server is active.
 * Resuming starts an attempt at once, or when it is due for a checker that
 * was never started (its warm-up). */
void check_update_suspension(struct check *c, bool at_once)
{
	uint64_t now = check_now_ms(c->e);
	const struct check_vs *v = &c->e->vs[c->vs];
	/* keepalived's FILE_CHECK follows its file whatever ha_suspend says */
	bool suspend = v->ha_suspend && !v->active && c->def.type != CFG_CHECK_FILE;

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

struct check *check_new(struct check_engine *e)
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

void check_destroy(struct check *c)
{
	if (c == NULL)
		return;
	ev_timer_stop(c->e->loop, &c->round);
	check_probe_stop(c);
	check_def_free(&c->def);
	free(c);
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

static void check_status_target(const struct check *c, char *buf, size_t len)
{
	char ip[CFG_ADDR_STRLEN];

	if (c->def.type == CFG_CHECK_FILE)
		snprintf(buf, len, "%s", c->def.file_path != NULL ? c->def.file_path : "");
	else if (c->def.type == CFG_CHECK_PING)
		snprintf(buf, len, "%s", cfg_addr_str(&c->def.ip, ip));
	else
		check_target_str(c, buf, len);
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
		check_status_target(c, st->target, sizeof(st->target));
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
	e->dgram_buf = malloc(CHECK_DGRAM_BUF);
	if (e->dgram_buf == NULL) {
		SSL_CTX_free(e->ssl_ctx);
		free(e);
		return NULL;
	}
	e->rand = ((uint64_t)getpid() << 32) ^ (uint64_t)(check_realtime() * 1e6) ^
		  (uint64_t)(uintptr_t)e;
	if (e->rand == 0)
		e->rand = 0x9e3779b97f4a7c15ULL;
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
	free(e->dgram_buf);
	free(e);
}
