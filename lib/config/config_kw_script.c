/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vrrp_script and vrrp_sync_group: their keyword tables and handlers.
 * A script's defaults are keepalived 2.2's: interval 1 s, timeout the
 * interval, weight 0 (a failure means FAULT) within -253..253, fall and rise
 * 1. A sync group's members are kept as names and resolved to instances
 * after the walk (config_resolve.c); its notify hooks read like an
 * instance's (cfg_set_notify in config_kw_vrrp.c).
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define GROUP_TRACK "not implemented: track in each vrrp_instance of the group"

/* ----------------------------------------------------------------- vrrp_script */

void *cfg_script_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	const struct cfg_tok *name = &st->v[1];
	struct cfg_vrrp_script *s;

	s = CFG_GROW(ps, name, k->scripts, k->n_scripts);
	if (s == NULL)
		return NULL;
	s->name = cfg_strdup(ps, name, name->s);
	if (s->name == NULL) {
		k->n_scripts--;
		return NULL;
	}
	s->interval_ms = 1000;
	s->fall = 1;
	s->rise = 1;
	s->loc = cfg_tok_loc(ps, st->v);
	return s;
}

static void script_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_vrrp_script *s = obj;

	if (s->script == NULL && !cfg_saw(&cfg_script_block, seen, "script"))
		cfg_err(ps, kw, "vrrp_script %s has no script", s->name);
}

/* script COMMAND [ARGS...]: the whole line, quoted or not. keepalived 2.2
 * runs only the first word of an unquoted line (and drops the rest without a
 * word), which is never what "script /usr/bin/killall -0 haproxy" means:
 * halb runs the whole line, and says so. */
static void *script_cmd(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;
	char *line = cfg_cmdline(ps, st);

	if (line == NULL)
		return NULL;
	free(s->script);
	s->script = line;
	if (st->n > 2)
		cfg_warn(ps, &st->v[2],
			 "%s: halb runs the whole line '%s'; keepalived 2.2 would run only '%s' "
			 "(quote the command line to make both agree)",
			 cfg_kw_name(st), line, st->v[1].s);
	return NULL;
}

static void *script_interval(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 1000, CFG_SEC_MAX_MS, &s->interval_ms);
	return NULL;
}

static void *script_timeout(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 1000, CFG_SEC_MAX_MS, &s->timeout_ms);
	return NULL;
}

static void *script_weight(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;

	cfg_arg_int(ps, &st->v[1], cfg_kw_name(st), -253, 253, &s->weight);
	if (st->n > 2) {
		if (strcmp(st->v[2].s, "reverse") == 0)
			s->weight_reverse = true;
		else
			cfg_err(ps, &st->v[2], "weight: unknown option '%s' (reverse)", st->v[2].s);
	}
	return NULL;
}

static void *script_count(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;
	unsigned int *dst = strcmp(cfg_kw_name(st), "fall") == 0 ? &s->fall : &s->rise;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, INT32_MAX, dst);
	return NULL;
}

static void *script_user(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;

	cfg_set_str(ps, &s->user, &st->v[1]);
	if (st->n > 2)
		cfg_set_str(ps, &s->group, &st->v[2]);
	return NULL;
}

static void *script_init_fail(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_script *s = obj;

	(void)ps;
	(void)st;
	s->init_fail = true;
	return NULL;
}

static const struct cfg_kw script_kw[] = {
	{ "script", 1, CFG_ARGS_ANY, script_cmd, NULL, NULL, 0,
	  "the whole line is the command and its arguments (keepalived 2.2 drops the words after "
	  "the first of an unquoted line: halb warns)",
	  true },
	{ "interval", 1, 1, script_interval, NULL, NULL },
	{ "timeout", 1, 1, script_timeout, NULL, NULL },
	{ "weight", 1, 2, script_weight, NULL, NULL },
	{ "fall", 1, 1, script_count, NULL, NULL },
	{ "rise", 1, 1, script_count, NULL, NULL },
	{ "user", 1, 2, script_user, NULL, NULL },
	{ "init_fail", 0, 0, script_init_fail, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_script_block = { "vrrp_script", script_kw, script_end };

/* ------------------------------------------------------------- vrrp_sync_group */

void *cfg_sync_group_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	const struct cfg_tok *name = &st->v[1];
	struct cfg_sync_group *g;

	g = CFG_GROW(ps, name, k->groups, k->n_groups);
	if (g == NULL)
		return NULL;
	g->name = cfg_strdup(ps, name, name->s);
	if (g->name == NULL) {
		k->n_groups--;
		return NULL;
	}
	g->smtp_alert = -1;
	g->loc = cfg_tok_loc(ps, st->v);
	return g;
}

static void sync_group_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw,
			   uint64_t seen)
{
	struct cfg_sync_group *g = obj;

	if (g->n_members == 0 && !cfg_saw(&cfg_sync_group_block, seen, "group"))
		cfg_err(ps, kw, "vrrp_sync_group %s has no group { } of instances", g->name);
	else if (g->n_members == 1)
		cfg_warn(ps, kw, "vrrp_sync_group %s has only one instance", g->name);
}

static void group_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_sync_group *g = obj;

	for (size_t i = 0; i < n; i++) {
		char **slot = CFG_GROW(ps, &v[i], g->members, g->n_members);

		if (slot == NULL)
			return;
		*slot = cfg_strdup(ps, &v[i], v[i].s);
		if (*slot == NULL) {
			g->n_members--;
			return;
		}
	}
}

static void *group_notify(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_sync_group *g = obj;

	cfg_set_notify(ps, &g->notify, st);
	return NULL;
}

static void *group_smtp_alert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_sync_group *g = obj;
	bool on;

	if (cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &on))
		g->smtp_alert = on;
	return NULL;
}

static const struct cfg_kw sync_group_kw[] = {
	{ "group", 0, 0, NULL, NULL, group_value },
	{ "notify_master", 1, 3, group_notify, NULL, NULL },
	{ "notify_backup", 1, 3, group_notify, NULL, NULL },
	{ "notify_fault", 1, 3, group_notify, NULL, NULL },
	{ "notify_stop", 1, 3, group_notify, NULL, NULL },
	{ "notify", 1, 3, group_notify, NULL, NULL },
	{ "smtp_alert", 0, 1, group_smtp_alert, NULL, NULL },
	CFG_KW_REFUSE(
	    "sync_group_tracking_weight",
	    "not implemented: in a sync group weighted trackers are ignored, as keepalived "
	    "does without this option"),
	CFG_KW_REFUSE(
	    "global_tracking",
	    "not implemented: in a sync group weighted trackers are ignored, as keepalived "
	    "does without this option"),
	CFG_KW_REFUSE("notify_priority_changes",
		      "not implemented: notify scripts run on state changes only"),
	CFG_KW_REFUSE("track_script", GROUP_TRACK),
	CFG_KW_REFUSE("track_interface", GROUP_TRACK),
	CFG_KW_REFUSE("track_file", GROUP_TRACK),
	CFG_KW_REFUSE("track_process", GROUP_TRACK),
	CFG_KW_REFUSE("track_bfd", "halb does not implement BFD"),
	CFG_KW_END,
};

const struct cfg_block cfg_sync_group_block = { "vrrp_sync_group", sync_group_kw, sync_group_end };
