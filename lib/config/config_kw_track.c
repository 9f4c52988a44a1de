/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track_file (and its older name vrrp_track_file) and vrrp_track_process:
 * what an instance's track_file and track_process blocks name. Ranges and
 * defaults are keepalived 2.2's (vrrp_parser.c, track_process.c): a file's
 * weight defaults to 1 and may be any int, init_file writes VALUE (0) when
 * the file is missing (or always, with overwrite); a process's quorum is 1,
 * quorum_max unbounded, weight 1 in -254..254, delays in seconds with
 * fractions. A process written with parameters (or param_match) is matched
 * against command lines, else against process names.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* ------------------------------------------------------------- track_file */

void *cfg_track_file_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	struct cfg_track_file *f = CFG_GROW(ps, &st->v[1], k->track_files, k->n_track_files);

	if (f == NULL)
		return NULL;
	f->name = cfg_strdup(ps, &st->v[1], st->v[1].s);
	if (f->name == NULL) {
		k->n_track_files--;
		return NULL;
	}
	f->weight = 1;
	f->loc = cfg_tok_loc(ps, st->v);
	return f;
}

static void file_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_track_file *f = obj;

	(void)seen;
	if (f->file == NULL)
		cfg_err(ps, kw, "track_file %s has no file", f->name);
}

static void *file_path(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_file *f = obj;

	cfg_set_str(ps, &f->file, &st->v[1]);
	return NULL;
}

static void *file_weight(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_file *f = obj;

	cfg_arg_int(ps, &st->v[1], cfg_kw_name(st), -2147483647L, 2147483647L, &f->weight);
	if (st->n > 2) {
		if (strcmp(st->v[2].s, "reverse") == 0)
			f->reverse = true;
		else if (strcmp(st->v[2].s, "noreverse") != 0)
			cfg_err(ps, &st->v[2], "weight: unknown option '%s' (reverse)", st->v[2].s);
	}
	return NULL;
}

static void *file_init(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_file *f = obj;
	int v = 0;

	f->init_file = true;
	for (size_t i = 1; i < st->n; i++) {
		if (strcmp(st->v[i].s, "overwrite") == 0)
			f->init_overwrite = true;
		else if (cfg_arg_int(ps, &st->v[i], "init_file", -2147483647L, 2147483647L, &v))
			f->init_value = v;
	}
	return NULL;
}

static const struct cfg_kw file_kw[] = {
	{ "file", 1, 1, file_path, NULL, NULL },
	{ "weight", 1, 2, file_weight, NULL, NULL },
	{ "init_file", 0, 2, file_init, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_track_file_block = { "track_file", file_kw, file_end };

/* ---------------------------------------------------------- track_process */

void *cfg_track_process_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	struct cfg_track_process *p =
	    CFG_GROW(ps, &st->v[1], k->track_processes, k->n_track_processes);

	if (p == NULL)
		return NULL;
	p->name = cfg_strdup(ps, &st->v[1], st->v[1].s);
	if (p->name == NULL) {
		k->n_track_processes--;
		return NULL;
	}
	p->quorum = 1;
	p->quorum_max = UINT_MAX;
	p->weight = 1;
	p->loc = cfg_tok_loc(ps, st->v);
	return p;
}

static void process_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_track_process *p = obj;

	(void)seen;
	if (p->argc == 0)
		cfg_err(ps, kw, "vrrp_track_process %s has no process", p->name);
	if (p->quorum > p->quorum_max)
		cfg_err(ps, kw, "vrrp_track_process %s: quorum %u is above quorum_max %u", p->name,
			p->quorum, p->quorum_max);
}

static void *proc_process(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;

	for (size_t i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	p->argc = 0;
	p->argv = calloc(st->n, sizeof(*p->argv));
	if (p->argv == NULL) {
		cfg_err(ps, st->v, "out of memory");
		return NULL;
	}
	for (size_t i = 1; i < st->n; i++) {
		p->argv[p->argc] = cfg_strdup(ps, &st->v[i], st->v[i].s);
		if (p->argv[p->argc] == NULL)
			return NULL;
		p->argc++;
	}
	if (p->argc > 1)
		p->has_params = true;
	return NULL;
}

static void *proc_count(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;
	bool max = strcmp(cfg_kw_name(st), "quorum_max") == 0;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), max ? 0 : 1, UINT_MAX - 1,
		     max ? &p->quorum_max : &p->quorum);
	return NULL;
}

static void *proc_weight(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;

	cfg_arg_int(ps, &st->v[1], cfg_kw_name(st), -254, 254, &p->weight);
	if (st->n > 2) {
		if (strcmp(st->v[2].s, "reverse") == 0)
			p->reverse = true;
		else if (strcmp(st->v[2].s, "noreverse") != 0)
			cfg_err(ps, &st->v[2], "weight: unknown option '%s' (reverse)", st->v[2].s);
	}
	return NULL;
}

static void *proc_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;
	const char *kw = cfg_kw_name(st);
	unsigned int ms;

	if (!cfg_arg_ms(ps, &st->v[1], kw, true, 0, CFG_SEC_MAX_MS, &ms))
		return NULL;
	if (strcmp(kw, "terminate_delay") != 0)
		p->fork_delay_ms = ms;
	if (strcmp(kw, "fork_delay") != 0)
		p->terminate_delay_ms = ms;
	return NULL;
}

static void *proc_param_match(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;

	if (strcmp(st->v[1].s, "initial") == 0)
		p->param_match = CFG_PARAM_INITIAL;
	else if (strcmp(st->v[1].s, "partial") == 0)
		p->param_match = CFG_PARAM_PARTIAL;
	else
		cfg_err(ps, &st->v[1], "param_match: '%s' is neither initial nor partial",
			st->v[1].s);
	p->has_params = true;
	return NULL;
}

static void *proc_full(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_track_process *p = obj;

	(void)ps;
	(void)st;
	p->full_command = true;
	return NULL;
}

static const struct cfg_kw process_kw[] = {
	{ "process", 1, CFG_ARGS_ANY, proc_process, NULL, NULL },
	{ "quorum", 1, 1, proc_count, NULL, NULL },
	{ "quorum_max", 1, 1, proc_count, NULL, NULL },
	{ "weight", 1, 2, proc_weight, NULL, NULL },
	{ "delay", 1, 1, proc_delay, NULL, NULL },
	{ "fork_delay", 1, 1, proc_delay, NULL, NULL },
	{ "terminate_delay", 1, 1, proc_delay, NULL, NULL },
	{ "param_match", 1, 1, proc_param_match, NULL, NULL },
	{ "full_command", 0, 0, proc_full, NULL, NULL },
	CFG_KW_END,
};

const struct cfg_block cfg_track_process_block = { "vrrp_track_process", process_kw, process_end };
