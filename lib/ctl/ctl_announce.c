/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route health injection on the control core (docs/SCALEOUT.md): the glue
 * between lib/announce's policy and the world.
 *
 * With an announce group in the dataplane file, halb creates its announce
 * interface (lib/port's kif, a TUN that goes with the process) and keeps on
 * it, as /32 (IPv6: /128) addresses, the VIPs that lib/announce says to announce. A
 * routing daemon beside halb exports that interface's addresses (BIRD's
 * direct protocol); halb speaks no routing protocol.
 *
 * The facts come from the running state ctl_publish() derives snapshots
 * from: which virtual servers the dataplane serves (static, or their
 * vrrp_instance MASTER), their quorum, and whether every checker of a
 * virtual server has given its first verdict. ctl_publish() calls
 * ctl_announce_update() twice: withdrawals before the new snapshot, so a
 * VIP stops attracting traffic before the dataplane stops serving it, and
 * additions after it. While checkers are still to give their first verdict
 * a timer looks again every 20 ms (a first success changes no health, so
 * nothing else would call); while the kernel refuses a change, every second.
 * SIGTERM withdraws every VIP first; ctl.c then keeps forwarding for
 * stop_delay_ms so that routers move the flows before the dataplane stops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_priv.h"
#include "halb_announce.h"
#include "halb_check.h"

#define PENDING_INTERVAL 0.02 /* s: looking for the checkers' first verdicts */
#define RETRY_INTERVAL   1.0  /* s: trying a refused change again */

struct ctl_announce {
	struct ctl *c;
	struct announce *set;
	struct port_kif kif;
	ev_timer timer;
	/* every checker of c->k has given a first verdict: k_settled is the
	 * configuration that was true of (a reload brings new checkers) */
	const struct cfg_keepalived *k_settled;
};

/* ----------------------------------------------------------------- facts */

/* Which virtual servers' checkers have all given a first verdict (a
 * suspended checker, ha_suspend, counts as known). NULL when all have, or
 * out of memory (then none has). */
static bool *vs_settled(struct ctl *c, bool *all)
{
	size_t n_vs = c->k->n_vs, max = 0, n;
	struct check_status *st = NULL;
	bool *ok;

	*all = c->announce->k_settled == c->k;
	if (*all || c->checks == NULL) {
		*all = true;
		return NULL;
	}
	ok = calloc(n_vs ? n_vs : 1, sizeof(*ok));
	n = check_engine_status(c->checks, NULL, 0);
	if (ok == NULL || (st = calloc(n ? n : 1, sizeof(*st))) == NULL) {
		free(ok);
		*all = false;
		return NULL;
	}
	max = n;
	n = check_engine_status(c->checks, st, max);
	for (size_t i = 0; i < n_vs; i++)
		ok[i] = true;
	for (size_t i = 0; i < n && i < max; i++)
		if (st[i].running && st[i].checks == 0 && st[i].vs < n_vs)
			ok[st[i].vs] = false;
	free(st);
	*all = true;
	for (size_t i = 0; i < n_vs; i++)
		*all = *all && ok[i];
	if (*all) {
		c->announce->k_settled = c->k;
		free(ok);
		return NULL;
	}
	return ok;
}

static size_t fact_find(const struct announce_fact *f, size_t n, const struct cfg_addr *addr)
{
	for (size_t i = 0; i < n; i++)
		if (cfg_addr_eq(&f[i].addr, addr))
			return i;
	return n;
}

/* One fact per address a virtual server serves (a group's members each). */
static size_t facts_build(struct ctl *c, struct announce_fact *f)
{
	bool all;
	bool *ok = vs_settled(c, &all);
	size_t n = 0;

	for (size_t i = 0; i < c->n_vs_rt; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[i];

		for (size_t m = 0; m < v->n_members; m++) {
			size_t j = fact_find(f, n, &v->members[m].addr);

			if (j == n)
				f[n++] = (struct announce_fact){ .addr = v->members[m].addr,
								 .settled = true };
			f[j].served |= ctl_vs_owned(c, i);
			f[j].settled &= all || (ok != NULL && ok[i]);
			f[j].n_vs++;
			f[j].n_up += c->vs[i].quorum_up;
		}
	}
	free(ok);
	return n;
}

/* ------------------------------------------------------------- changing */

/* ": vrrp_instance NAME is not MASTER" for the instance holding addr. */
static void owner_words(const struct ctl *c, const struct cfg_addr *addr, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < c->n_vs_rt; i++)
		for (size_t m = 0; m < c->k->vs[i].n_members; m++)
			if (cfg_addr_eq(&c->k->vs[i].members[m].addr, addr) &&
			    c->vs[i].owner >= 0) {
				snprintf(buf, len, ": vrrp_instance %s is not MASTER",
					 c->k->instances[c->vs[i].owner].name);
				return;
			}
}

/* The words for a VIP's state, for halbctl. */
static void reason(const struct ctl *c, const struct announce_vip *v, char *buf, size_t len)
{
	const struct announce_fact *f = &v->fact;
	char inst[96];

	owner_words(c, &f->addr, inst, sizeof(inst));
	switch (v->why) {
	case ANNOUNCE_UP:
		snprintf(buf, len, "served, quorum met on %u of %u virtual servers", f->n_up,
			 f->n_vs);
		break;
	case ANNOUNCE_NOT_SERVED:
		snprintf(buf, len, "not served%s", f->n_vs ? inst : ": no virtual server");
		break;
	case ANNOUNCE_PENDING:
		snprintf(buf, len, "health checks have not all run yet");
		break;
	case ANNOUNCE_QUORUM_LOST:
		snprintf(buf, len, "quorum lost on %s%u virtual server%s",
			 f->n_vs > 1 ? "all " : "", f->n_vs, f->n_vs > 1 ? "s" : "");
		break;
	case ANNOUNCE_STOPPING:
		snprintf(buf, len, "halb is stopping");
		break;
	default:
		snprintf(buf, len, "the kernel refused to %s it on %s: %s",
			 v->announced ? "remove" : "add", c->announce->kif.name, strerror(-v->err));
		break;
	}
}

static int kif_apply(void *ctx, const struct cfg_addr *addr, bool add, enum announce_why why)
{
	struct ctl_announce *a = ctx;
	char ip[CFG_ADDR_STRLEN];
	int rc = port_kif_addr(&a->kif, addr, add);

	if (rc != 0)
		HALB_LOG(ctl, ERR, "cannot %s VIP %s %s %s: %s", add ? "announce" : "withdraw",
			 cfg_addr_str(addr, ip), add ? "on" : "from", a->kif.name, strerror(-rc));
	else
		HALB_LOG(ctl, NOTICE, "%s VIP %s (%s)", add ? "Announcing" : "Withdrawing",
			 cfg_addr_str(addr, ip),
			 add ? "served, quorum met" : announce_why_str(why));
	return rc;
}

/* The timer for what no event will bring: first verdicts, refused changes. */
static void rearm(struct ctl_announce *a)
{
	const struct announce_vip *v;
	size_t n = announce_list(a->set, &v);
	double after = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i].why == ANNOUNCE_PENDING)
			after = PENDING_INTERVAL;
		else if (v[i].why == ANNOUNCE_FAILED && after == 0)
			after = RETRY_INTERVAL;
	}
	ev_timer_stop(a->c->loop, &a->timer);
	if (after > 0) {
		ev_timer_set(&a->timer, after, 0);
		ev_timer_start(a->c->loop, &a->timer);
	}
}

void ctl_announce_update(struct ctl *c, bool adds)
{
	struct ctl_announce *a = c->announce;
	struct announce_fact *f;
	size_t n;

	if (a == NULL)
		return;
	f = calloc(ctl_members_total(c->k) + 1, sizeof(*f));
	if (f == NULL) {
		HALB_LOG(ctl, ERR, "cannot update the announced VIPs: out of memory");
		return;
	}
	n = facts_build(c, f);
	if (announce_update(a->set, f, n, c->stopping, adds, ctl_now_real()) < 0)
		HALB_LOG(ctl, ERR, "cannot update the announced VIPs: out of memory");
	free(f);
	rearm(a);
}

static void on_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl_announce *a = t->data;

	(void)loop;
	(void)revents;
	ctl_announce_update(a->c, false);
	ctl_announce_update(a->c, true);
}

/* ------------------------------------------------------------ life cycle */

int ctl_announce_start(struct ctl *c, char *err, size_t errlen)
{
	const struct cfg_announce *cfg = &c->d->announce;
	struct announce_ops ops = { .apply = kif_apply };
	struct ctl_announce *a;

	if (!cfg->enabled)
		return 0;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return log_error(err, errlen, "out of memory");
	a->c = c;
	ops.ctx = a;
	a->set = announce_create(&ops);
	if (a->set == NULL) {
		free(a);
		return log_error(err, errlen, "out of memory");
	}
	if (port_kif_open(&a->kif, cfg->interface, err, errlen) != 0) {
		announce_free(a->set);
		free(a);
		return -1;
	}
	ev_timer_init(&a->timer, on_timer, PENDING_INTERVAL, 0);
	a->timer.data = a;
	c->announce = a;
	HALB_LOG(ctl, INFO, "VIPs are announced on %s (%s:%d)", a->kif.name, cfg->loc.file,
		 cfg->loc.line);
	return 0;
}

double ctl_announce_stop(struct ctl *c)
{
	struct ctl_announce *a = c->announce;
	size_t before;

	if (a == NULL)
		return 0;
	before = announce_count(a->set);
	ctl_announce_update(c, false); /* c->stopping: every VIP goes */
	if (before == 0)
		return 0;
	HALB_LOG(ctl, NOTICE, "Withdrew %zu VIPs: forwarding %u ms more before stopping", before,
		 c->d->announce.stop_delay_ms);
	return c->d->announce.stop_delay_ms / 1000.0;
}

void ctl_announce_free(struct ctl *c)
{
	struct ctl_announce *a = c->announce;

	if (a == NULL)
		return;
	if (c->loop != NULL)
		ev_timer_stop(c->loop, &a->timer);
	port_kif_close(&a->kif);
	announce_free(a->set);
	free(a);
	c->announce = NULL;
}

/* ------------------------------------------------------------ telemetry */

static json_t *vip_json(const struct ctl *c, const struct announce_vip *v)
{
	char why[256], ip[CFG_ADDR_STRLEN];

	reason(c, v, why, sizeof(why));
	return json_pack("{s:s, s:b, s:s, s:s, s:b, s:i, s:i, s:f, s:I}", "vip",
			 cfg_addr_str(&v->fact.addr, ip), "announced", v->announced, "why",
			 announce_why_str(v->why), "reason", why, "served", v->fact.served,
			 "virtual_servers", v->fact.n_vs, "quorum_up", v->fact.n_up, "since",
			 v->since, "changes", (json_int_t)v->changes);
}

static json_t *tel_announce(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	const struct announce_vip *v;
	json_t *o, *arr = json_array();
	size_t n;

	(void)params;
	pthread_mutex_lock(&c->lock);
	if (c->announce == NULL) {
		pthread_mutex_unlock(&c->lock);
		return json_pack("{s:b, s:n, s:i, s:o}", "enabled", false, "interface", "announced",
				 0, "vips", arr);
	}
	n = announce_list(c->announce->set, &v);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, vip_json(c, &v[i]));
	o = json_pack("{s:b, s:s, s:i, s:i, s:o}", "enabled", true, "interface",
		      c->announce->kif.name, "stop_delay_ms", (int)c->d->announce.stop_delay_ms,
		      "announced", (int)announce_count(c->announce->set), "vips", arr);
	pthread_mutex_unlock(&c->lock);
	return o;
}

int ctl_announce_tel_init(struct ctl *c)
{
	return tel_register(c->tel, "/halb/announce", tel_announce, c,
			    "route health injection: each VIP, announced or not, and why");
}
