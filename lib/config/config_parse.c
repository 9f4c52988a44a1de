/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table-driven block parser and the entry points of keepalived.conf.
 *
 * A statement is a keyword and the words after it up to the end of the line
 * or a brace. Its keyword is looked up in the table of the block being read
 * (struct cfg_block); the table entry says how many arguments it takes and
 * whether it opens a block of keywords (another table), a block of values
 * (a handler called once per line) or nothing. A word past a keyword's
 * required arguments that is itself a keyword of the same block (and not
 * quoted) starts a new statement: that is how
 * "authentication { auth_type PASS auth_pass along }" and the seed's
 * "notify_backup "..." notify_master "..."" read as several statements,
 * without making every handler count its arguments.
 *
 * Anything unexpected is reported with its FILE:LINE and reading goes on, so
 * that one run reports every problem: an unknown keyword is skipped with a
 * warning, an unknown keyword followed by a block skips the whole balanced
 * block with one warning, an unclosed block is an error at the line of the
 * keyword that opened it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static const struct cfg_tok *peek(const struct cfg_parser *ps)
{
	return ps->pos < ps->n_tok ? &ps->tok[ps->pos] : NULL;
}

/* One past the statement starting at start: the next brace or the next
 * token that starts a line. */
static size_t stmt_end(const struct cfg_parser *ps, size_t start)
{
	size_t i = start + 1;

	while (i < ps->n_tok && ps->tok[i].kind == CFG_TOK_WORD && !ps->tok[i].bol)
		i++;
	return i;
}

static const struct cfg_kw *kw_find(const struct cfg_block *b, const char *name)
{
	for (const struct cfg_kw *kw = b->kw; kw->name != NULL; kw++)
		if (strcmp(kw->name, name) == 0)
			return kw;
	return NULL;
}

/* Skips the balanced block whose '{' is at ps->pos. */
static void skip_block(struct cfg_parser *ps, const struct cfg_tok *opener)
{
	size_t depth = 0;

	for (; ps->pos < ps->n_tok; ps->pos++) {
		uint8_t kind = ps->tok[ps->pos].kind;

		if (kind == CFG_TOK_OPEN) {
			depth++;
		} else if (kind == CFG_TOK_CLOSE && --depth == 0) {
			ps->pos++;
			return;
		}
	}
	cfg_err(ps, opener, "'%s' block is not closed: missing '}'", opener->s);
}

/* Where a statement ends when more statements share its line: at the first
 * word past the required arguments that is a keyword of the same block
 * (unquoted), else at end. */
static size_t split_point(const struct cfg_parser *ps, const struct cfg_block *blk,
			  const struct cfg_kw *kw, size_t start, size_t end)
{
	if (kw->whole_line)
		return end;
	for (size_t j = start + 1 + kw->min_args; j < end; j++)
		if (!ps->tok[j].quoted && kw_find(blk, ps->tok[j].s) != NULL)
			return j;
	return end;
}

/* Checks the argument count; trims extra arguments (with a warning). */
static bool check_args(struct cfg_parser *ps, const struct cfg_kw *kw, struct cfg_stmt *st)
{
	size_t argc = st->n - 1;

	if (argc < kw->min_args) {
		cfg_err(ps, st->v, "%s: missing argument (%u needed)", kw->name, kw->min_args);
		return false;
	}
	if (kw->max_args != CFG_ARGS_ANY && argc > kw->max_args) {
		cfg_warn(ps, &st->v[kw->max_args + 1],
			 "%s takes %u argument%s: extra arguments from '%s' ignored", kw->name,
			 kw->max_args, kw->max_args == 1 ? "" : "s", st->v[kw->max_args + 1].s);
		st->n = (size_t)kw->max_args + 1;
	}
	return true;
}

static void parse_block(struct cfg_parser *ps, const struct cfg_block *blk, void *obj,
			const struct cfg_tok *opener);

static void open_block(struct cfg_parser *ps, const struct cfg_kw *kw, const struct cfg_stmt *st,
		       void *obj, bool opens)
{
	void *child;

	if (!opens) {
		cfg_err(ps, st->v, "%s must be followed by a block: %s ... { }", kw->name,
			kw->name);
		return;
	}
	child = kw->fn != NULL ? kw->fn(ps, obj, st) : obj;
	if (child == NULL) {
		skip_block(ps, st->v);
		return;
	}
	ps->pos++;
	parse_block(ps, kw->sub, child, st->v);
}

static void open_values(struct cfg_parser *ps, const struct cfg_kw *kw, const struct cfg_stmt *st,
			void *obj, bool opens)
{
	void *child;

	if (!opens) {
		cfg_err(ps, st->v, "%s takes a block of values: %s { ... }", kw->name, kw->name);
		return;
	}
	child = kw->fn != NULL ? kw->fn(ps, obj, st) : obj;
	if (child == NULL) {
		skip_block(ps, st->v);
		return;
	}
	ps->pos++;
	for (;;) {
		const struct cfg_tok *t = peek(ps);
		size_t start, end;

		if (t == NULL) {
			cfg_err(ps, st->v, "'%s' block is not closed: missing '}'", kw->name);
			return;
		}
		if (t->kind == CFG_TOK_CLOSE) {
			ps->pos++;
			return;
		}
		if (t->kind == CFG_TOK_OPEN) {
			cfg_err(ps, t, "unexpected '{' among the values of %s", kw->name);
			skip_block(ps, t);
			continue;
		}
		start = ps->pos;
		end = stmt_end(ps, start);
		ps->pos = end;
		kw->value(ps, child, &ps->tok[start], end - start);
	}
}

/* A word that is no keyword of the block: keepalived 2.2 does not know it
 * there either (every keyword it knows is in the tables). As keepalived
 * does when it runs, it is skipped with a warning (a block after it
 * whole); halb -t fails on it as keepalived -t does. */
static void skip_unknown(struct cfg_parser *ps, const struct cfg_block *blk, size_t start,
			 size_t end)
{
	const struct cfg_tok *kwt = &ps->tok[start];

	ps->pos = end;
	ps->d->unknown++;
	if (end < ps->n_tok && ps->tok[end].kind == CFG_TOK_OPEN) {
		cfg_warn(ps, kwt,
			 "unknown block '%s' in %s skipped (keepalived does not know it either)",
			 kwt->s, blk->name);
		skip_block(ps, kwt);
	} else {
		cfg_warn(ps, kwt,
			 "unknown keyword '%s' in %s skipped (keepalived does not know it "
			 "either)",
			 kwt->s, blk->name);
	}
}

static bool warned_before(struct cfg_parser *ps, const struct cfg_kw *kw)
{
	const struct cfg_kw **v;

	for (size_t i = 0; i < ps->n_warned; i++)
		if (ps->warned[i] == kw)
			return true;
	v = realloc(ps->warned, (ps->n_warned + 1) * sizeof(*v));
	if (v != NULL) {
		ps->warned = v;
		ps->warned[ps->n_warned++] = kw;
	}
	return false;
}

/* A keyword halb refuses (an error) or that has no effect in halb (one
 * warning per keyword and parse); a block after it is skipped. */
static void not_implemented(struct cfg_parser *ps, const struct cfg_kw *kw,
			    const struct cfg_stmt *st, bool opens)
{
	if (kw->status == CFG_KW_REFUSED)
		cfg_err(ps, st->v, "%s is not supported by halb: %s", kw->name, kw->why);
	else if (!warned_before(ps, kw))
		cfg_warn(ps, st->v, "%s has no effect in halb: %s", kw->name, kw->why);
	if (opens)
		skip_block(ps, st->v);
}

/* Reads one statement; returns its keyword (NULL when unknown). */
static const struct cfg_kw *parse_statement(struct cfg_parser *ps, const struct cfg_block *blk,
					    void *obj)
{
	size_t start = ps->pos, end = stmt_end(ps, start);
	const struct cfg_kw *kw = kw_find(blk, ps->tok[start].s);
	struct cfg_stmt st;
	bool opens;

	if (kw == NULL) {
		skip_unknown(ps, blk, start, end);
		return NULL;
	}
	end = split_point(ps, blk, kw, start, end);
	opens = end < ps->n_tok && ps->tok[end].kind == CFG_TOK_OPEN;
	st = (struct cfg_stmt){ &ps->tok[start], end - start };
	ps->pos = end;
	if (kw->status != CFG_KW_IMPLEMENTED) {
		not_implemented(ps, kw, &st, opens);
		return kw;
	}
	if (!check_args(ps, kw, &st)) {
		if (opens)
			skip_block(ps, st.v);
		return kw;
	}
	if (kw->sub != NULL) {
		open_block(ps, kw, &st, obj, opens);
	} else if (kw->value != NULL) {
		open_values(ps, kw, &st, obj, opens);
	} else {
		kw->fn(ps, obj, &st);
		if (opens) {
			cfg_err(ps, peek(ps), "%s does not take a block", kw->name);
			skip_block(ps, st.v);
		}
	}
	return kw;
}

/* Reads statements until the '}' that closes the block opened by opener
 * (NULL: the top level, until the end). */
static void parse_block(struct cfg_parser *ps, const struct cfg_block *blk, void *obj,
			const struct cfg_tok *opener)
{
	uint64_t seen = 0;

	for (;;) {
		const struct cfg_kw *kw;
		const struct cfg_tok *t = peek(ps);

		if (t == NULL) {
			if (opener != NULL)
				cfg_err(ps, opener, "'%s' block is not closed: missing '}'",
					opener->s);
			return;
		}
		if (t->kind == CFG_TOK_CLOSE) {
			ps->pos++;
			if (opener == NULL) {
				cfg_err(ps, t, "unexpected '}'");
				continue;
			}
			if (blk->end != NULL)
				blk->end(ps, obj, opener, seen);
			return;
		}
		if (t->kind == CFG_TOK_OPEN) {
			cfg_err(ps, t, "unexpected '{'");
			skip_block(ps, t);
			continue;
		}
		kw = parse_statement(ps, blk, obj);
		if (kw != NULL && kw - blk->kw < 64)
			seen |= UINT64_C(1) << (kw - blk->kw);
	}
}

bool cfg_saw(const struct cfg_block *blk, uint64_t seen, const char *name)
{
	const struct cfg_kw *kw = kw_find(blk, name);

	return kw != NULL && kw - blk->kw < 64 && (seen & (UINT64_C(1) << (kw - blk->kw))) != 0;
}

void cfg_parse_tokens(struct cfg_parser *ps)
{
	ps->pos = 0;
	parse_block(ps, &cfg_top_block, ps->k, NULL);
}

#define NOT_YET "not implemented yet"

static const struct cfg_kw top_kw[] = {
	{ "global_defs", 0, 0, cfg_global_open, &cfg_global_block, NULL },
	{ "vrrp_script", 1, 1, cfg_script_open, &cfg_script_block, NULL },
	{ "track_file", 1, 1, cfg_track_file_open, &cfg_track_file_block, NULL },
	{ "vrrp_track_file", 1, 1, cfg_track_file_open, &cfg_track_file_block, NULL, 0,
	  "keepalived's older name of track_file" },
	{ "vrrp_track_process", 1, 1, cfg_track_process_open, &cfg_track_process_block, NULL },
	{ "vrrp_instance", 1, 1, cfg_instance_open, &cfg_instance_block, NULL },
	{ "vrrp_sync_group", 1, 1, cfg_sync_group_open, &cfg_sync_group_block, NULL },
	{ "virtual_server_group", 1, 1, cfg_vsg_open, NULL, cfg_vsg_value },
	{ "virtual_server", 1, 2, cfg_vs_open, &cfg_vs_block, NULL },
	/* what changes where traffic goes or when, and halb does not do */
	{ "static_ipaddress", 0, 0, NULL, NULL, cfg_static_addr_value },
	{ "static_routes", 0, 0, NULL, NULL, cfg_static_route_value },
	CFG_KW_REFUSE("static_rules", "not implemented: halb's dataplane has one routing table "
				      "and no policy rules"),
	CFG_KW_REFUSE("track_group", "not implemented: static addresses and routes stay for as "
				     "long as halb runs"),
	CFG_KW_REFUSE("bfd_instance", "halb does not implement BFD"),
	CFG_KW_REFUSE("SSL", "not implemented: SSL_GET presents no client certificate and does "
			     "not verify the server's"),
	CFG_KW_REFUSE("interface_up_down_delays",
		      "not implemented: a port's link change counts when the next second's poll "
		      "sees it"),
	CFG_KW_REFUSE("net_namespace", "halb runs in the network namespace it is started in "
				       "(start it with ip netns exec)"),
	CFG_KW_REFUSE("net_namespace_ipvs", "halb has no IPVS: its services live in its dataplane"),
	CFG_KW_REFUSE("namespace_with_ipsets", "halb uses no ipsets"),
	/* what has no meaning for halb */
	CFG_KW_NOOP("garp_group", "halb does not pace gratuitous ARPs"),
	CFG_KW_NOOP("linkbeat_interfaces", "halb polls its ports' links every second"),
	CFG_KW_NOOP("linkbeat_use_polling", "halb polls its ports' links every second"),
	CFG_KW_NOOP("child_wait_time",
		    "halb is one process: it has no child processes to wait for"),
	CFG_KW_NOOP("instance", "names keepalived's pid files; halb has -p"),
	CFG_KW_NOOP("use_pid_dir", "halb has -p"),
	CFG_KW_END,
};

const struct cfg_block cfg_top_block = { "the top level", top_kw, NULL };

struct cfg_keepalived *cfg_keepalived_parse_ex(const char *text, size_t len, const char *name,
					       const struct cfg_parse_opts *opts,
					       struct cfg_diags *d)
{
	struct cfg_parser ps = { .d = d };
	unsigned int errors = d->errors;

	ps.k = calloc(1, sizeof(*ps.k));
	if (ps.k == NULL) {
		cfg_diag_add(d, CFG_ERROR, NULL, "out of memory");
		return NULL;
	}
	if (opts != NULL)
		ps.opts = *opts;
	cfg_keepalived_defaults(ps.k);
	cfg_pp_init(&ps);
	if (cfg_add_file(&ps, name, NULL) == 0) {
		ps.chain[0] = realpath(name, NULL);
		ps.depth = 1;
		cfg_lex_text(&ps, text, len, 0);
		free(ps.chain[0]);
	}
	if (!ps.too_many_tokens) {
		/* Not when the reader gave up: the cut would only add noise. */
		for (size_t i = 0; i < ps.n_tok; i++)
			ps.tok[i].s = ps.text + ps.tok[i].off;
		cfg_parse_tokens(&ps);
		cfg_resolve(&ps);
	}
	cfg_pp_free(&ps);
	free(ps.warned);
	free(ps.tok);
	free(ps.text);
	if (d->errors != errors) {
		cfg_keepalived_free(ps.k);
		return NULL;
	}
	return ps.k;
}

struct cfg_keepalived *cfg_keepalived_parse(const char *text, size_t len, const char *name,
					    struct cfg_diags *d)
{
	return cfg_keepalived_parse_ex(text, len, name, NULL, d);
}

struct cfg_keepalived *cfg_keepalived_load(const char *path, struct cfg_diags *d)
{
	return cfg_keepalived_load_ex(path, NULL, d);
}

struct cfg_keepalived *cfg_keepalived_load_ex(const char *path, const struct cfg_parse_opts *opts,
					      struct cfg_diags *d)
{
	struct cfg_loc loc = { path, 0 };
	struct cfg_keepalived *k;
	size_t len = 0;
	char *text = cfg_read_file(path, &len);

	if (text == NULL) {
		cfg_diag_add(d, CFG_ERROR, &loc, "cannot read: %s", cfg_read_strerror(errno));
		return NULL;
	}
	k = cfg_keepalived_parse_ex(text, len, path, opts, d);
	free(text);
	return k;
}
