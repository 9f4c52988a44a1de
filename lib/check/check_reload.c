/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a cfg_keepalived to running checkers, first start and reloads alike.
 *
 * A checker's definition (struct check_def) is what it does with keepalived's
 * inheritance resolved: target (connect_ip/connect_port, else the real
 * server), Host per url (url, checker, virtual server virtualhost), script
 * user (checker, global script_user, keepalived_script), delay_loop (checker,
 * virtual server, 60 s), and for FILE_CHECK its track_file's path.
 *
 * check_engine_apply() prepares the whole next configuration first: arrays,
 * definitions, and a struct check for every checker that is new, so running
 * out of memory leaves the old configuration running untouched. Then it
 * commits, which cannot fail: every checker whose virtual server, real server
 * and definition are unchanged is continued (health, counters, timers and
 * any attempt in flight), found through a hash of the running checkers so
 * that large configurations reload in linear time; new checkers start up
 * (down with alpha) with their first attempts spread over a short warm-up;
 * the others are destroyed. Last, every real server is reported once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_int.h"

#define CHECK_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define CHECK_DEFAULT_DELAY_LOOP_MS      60000
#define CHECK_WARMUP_MAX_MS              1000 /* new checkers start within this */
#define CHECK_FILE_POLL_MS               1000 /* FILE_CHECK reads its file this often */

static bool check_str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ------------------------------------------------------------- definitions */

void check_def_free(struct check_def *d)
{
	for (size_t i = 0; i < d->n_urls; i++) {
		free(d->urls[i].path);
		free(d->urls[i].host);
	}
	free(d->urls);
	free(d->misc_path);
	free(d->user);
	free(d->group);
	free(d->payload);
	free(d->reply);
	free(d->reply_care);
	free(d->dns_name);
	free(d->helo_name);
	free(d->file_path);
	memset(d, 0, sizeof(*d));
}

static bool check_dup_bytes(uint8_t **dst, const uint8_t *src, size_t len)
{
	*dst = NULL;
	if (src == NULL || len == 0)
		return true;
	*dst = malloc(len);
	if (*dst != NULL)
		memcpy(*dst, src, len);
	return *dst != NULL;
}

static bool check_bytes_eq(const uint8_t *a, const uint8_t *b, size_t len)
{
	return a == b || (a != NULL && b != NULL && memcmp(a, b, len) == 0);
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

/* The settings of PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK, FILE_CHECK. */
static int check_def_probe(struct check_def *d, const struct cfg_keepalived *k,
			   const struct cfg_checker *ck)
{
	const struct cfg_track_file *tf;

	d->require_reply = ck->require_reply;
	d->min_reply_len = ck->min_reply_len;
	d->max_reply_len = ck->max_reply_len;
	d->dns_type = ck->dns_type;
	d->payload_len = ck->payload_len;
	d->reply_len = ck->reply_len;
	if (!check_dup_bytes(&d->payload, ck->payload, ck->payload_len) ||
	    !check_dup_bytes(&d->reply, ck->reply, ck->reply_len) ||
	    !check_dup_bytes(&d->reply_care, ck->reply_care, ck->reply_len) ||
	    !check_dup(&d->dns_name, ck->type == CFG_CHECK_DNS ? ck->dns_name : NULL) ||
	    !check_dup(&d->helo_name, ck->type == CFG_CHECK_SMTP ? ck->helo_name : NULL))
		return -1;
	if (ck->type != CFG_CHECK_FILE || ck->track_file >= k->n_track_files)
		return 0;
	tf = &k->track_files[ck->track_file];
	d->file_weight = ck->file_weight;
	d->file_reverse = ck->file_reverse;
	d->file_init = tf->init_file;
	d->file_init_value = tf->init_value;
	/* read as it changes: no retry, no timeout */
	d->retry = 0;
	d->delay_loop_ms = CHECK_FILE_POLL_MS;
	d->delay_before_retry_ms = CHECK_FILE_POLL_MS;
	return check_dup(&d->file_path, tf->file) ? 0 : -1;
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
	if (check_def_probe(d, k, ck) != 0)
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

static bool check_probe_same(const struct check_def *a, const struct check_def *b)
{
	return a->payload_len == b->payload_len &&
	       check_bytes_eq(a->payload, b->payload, a->payload_len) &&
	       a->require_reply == b->require_reply && a->reply_len == b->reply_len &&
	       check_bytes_eq(a->reply, b->reply, a->reply_len) &&
	       check_bytes_eq(a->reply_care, b->reply_care, a->reply_len) &&
	       a->min_reply_len == b->min_reply_len && a->max_reply_len == b->max_reply_len &&
	       a->dns_type == b->dns_type && check_str_eq(a->dns_name, b->dns_name) &&
	       check_str_eq(a->helo_name, b->helo_name) &&
	       check_str_eq(a->file_path, b->file_path) && a->file_weight == b->file_weight &&
	       a->file_reverse == b->file_reverse;
}

/* Same checker, timing aside? */
static bool check_def_same(const struct check_def *a, const struct check_def *b)
{
	if (a->type != b->type || !cfg_addr_eq(&a->ip, &b->ip) || a->port != b->port ||
	    a->has_bindto != b->has_bindto || !cfg_addr_eq(&a->bindto, &b->bindto) ||
	    a->bind_port != b->bind_port || a->n_urls != b->n_urls ||
	    a->enable_sni != b->enable_sni || a->misc_dynamic != b->misc_dynamic ||
	    !check_str_eq(a->misc_path, b->misc_path) || !check_str_eq(a->user, b->user) ||
	    !check_str_eq(a->group, b->group) || !check_probe_same(a, b))
		return false;
	for (size_t i = 0; i < a->n_urls; i++)
		if (!check_url_same(&a->urls[i], &b->urls[i]))
			return false;
	return true;
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
	return cfg_addr_eq(&a->addr, &b->addr) && a->port == b->port && a->proto == b->proto;
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
	return cfg_addr_eq(&old->vs_addr, &v->addr) && old->vs_port == v->port &&
	       old->vs_proto == v->proto && cfg_addr_eq(&old->rs_addr, &r->addr) &&
	       old->rs_port == r->port && check_def_same(&old->def, def);
}

static uint64_t check_hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/* An address folded to 32 bits for the hash. */
static uint32_t check_addr_fold(const struct cfg_addr *a)
{
	uint32_t w[4] = { 0 };

	if (a->af != 6)
		return a->v4;
	memcpy(w, a->v6, sizeof(w));
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

static uint64_t check_key(const struct cfg_addr *vs_addr, uint16_t vs_port,
			  const struct cfg_addr *rs_addr, uint16_t rs_port,
			  const struct check_def *d)
{
	uint64_t h = check_hash_mix(check_addr_fold(vs_addr),
				    ((uint64_t)vs_port << 32) | check_addr_fold(rs_addr));

	h = check_hash_mix(h, ((uint64_t)rs_port << 32) | (uint64_t)d->type);
	return check_hash_mix(h, ((uint64_t)check_addr_fold(&d->ip) << 16) | d->port);
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
		    check_key(&c->vs_addr, c->vs_port, &c->rs_addr, c->rs_port, &c->def) & mask;

		while (table[h] != 0)
			h = (h + 1) & mask;
		table[h] = i + 1;
	}
	for (size_t s = 0; s < n->n_rs; s++) {
		const struct check_rs *r = &n->rs[s];
		const struct check_vs *v = &n->vs[r->vs];

		for (size_t i = r->first; i < r->first + r->count; i++) {
			size_t h =
			    check_key(&v->addr, v->port, &r->addr, r->port, &n->defs[i]) & mask;

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
	if (c->def.type == CFG_CHECK_FILE) {
		/* known at once, as in keepalived: no alpha, no warm-up */
		check_file_first(c);
		c->fsm.next_ms = check_now_ms(c->e) + c->def.delay_loop_ms;
	}
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
	/* a socket per checker, a script's pipes per MISC_CHECK (the bound
	 * of both); a checker that still finds none fails its check */
	proc_nofile_need(PROC_NOFILE_CHECKS, (unsigned int)e->n_checks * PROC_FDS_PER_SCRIPT + 16);
	HALB_LOG(check, INFO, "%zu checkers on %zu real servers (%zu new)", e->n_checks, e->n_rs,
		 n.n_fresh);
	return 0;
}
