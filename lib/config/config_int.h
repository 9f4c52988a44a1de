/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the pieces of lib/config share; not part of the public contract.
 *
 * keepalived.conf is read in two passes. The reader (config_lex.c) turns the
 * main file and every file it includes into one flat array of tokens, each
 * knowing its file, its line and whether it starts a line; braces are tokens
 * of their own. The block parser (config_parse.c) then walks that array with
 * keyword tables: a table lists, for one kind of block, each keyword with its
 * argument count and its handler; a keyword that opens a block names the
 * table of that block, a keyword that opens a block of values names the
 * handler called for each line of values. Handlers receive the object they
 * fill (there is no "current object" anywhere) and report problems through
 * the parser with the token's FILE:LINE. The tables live next to the model
 * they fill: config_kw_global.c, config_kw_vrrp.c, config_kw_script.c,
 * config_kw_vs.c, config_kw_check.c. After the walk, config_resolve.c
 * reports repeats, resolves names into indexes and folds inherited checker
 * settings into each checker.
 */
#ifndef HALB_CONFIG_INT_H
#define HALB_CONFIG_INT_H

#include <stdarg.h>
#include <string.h>

#include "halb_config.h"

/* Bounds that keep hostile input from exhausting the parser. */
#define CFG_MAX_FILE_SIZE (16u << 20) /* bytes of one file */
#define CFG_MAX_LINE      65536u      /* bytes of one line */
#define CFG_MAX_TOKENS    (1u << 21)  /* tokens over all files */
#define CFG_MAX_FILES     256u        /* files read through include */

/* The longest duration in milliseconds a keepalived setting can hold. */
#define CFG_SEC_MAX_MS (UINT32_MAX / 1000 * 1000ul)

enum cfg_tok_kind {
	CFG_TOK_WORD = 0,
	CFG_TOK_OPEN,  /* an unquoted '{' */
	CFG_TOK_CLOSE, /* an unquoted '}' */
};

struct cfg_tok {
	const char *s; /* NUL-terminated, quotes removed */
	uint32_t off;  /* offset of s in the parser's text buffer while lexing */
	int line;
	uint16_t file; /* index into cfg_keepalived.files */
	uint8_t kind;  /* enum cfg_tok_kind */
	bool quoted;
	bool bol; /* first token of its line */
};

/* A definition of the preprocessor (config_pp.c): "$NAME=value" or one of
 * keepalived's predefined names, whose value is made when used. */
enum cfg_def_kind {
	CFG_DEF_USER = 0,
	CFG_DEF_PWD,
	CFG_DEF_INSTANCE,
	CFG_DEF_RANDOM,
	CFG_DEF_HASH,
	CFG_DEF_BANG,
};

struct cfg_def {
	char *name;
	char *value; /* a multi-line value has its lines separated by '\n' */
	bool multiline;
	enum cfg_def_kind kind;
};

struct cfg_pp {
	struct cfg_def *defs;
	size_t n_defs;
	size_t mdef;     /* the multi-line definition being read, or SIZE_MAX */
	char *config_id; /* what "@ID" lines are matched against */
	size_t lines;    /* logical lines made so far (bounded) */
};

struct cfg_parser {
	struct cfg_keepalived *k;
	struct cfg_diags *d;
	struct cfg_parse_opts opts;
	struct cfg_tok *tok;
	size_t n_tok, cap_tok;
	size_t pos; /* next token of the walk */
	char *text; /* the tokens' text, NUL-separated */
	size_t n_text, cap_text;
	/* real paths of the files being read, outermost first (cycle check) */
	char *chain[CFG_MAX_INCLUDE_DEPTH + 2];
	unsigned int depth;
	bool too_many_tokens;
	struct cfg_pp pp;
	/* keywords without effect in halb already warned about (once each) */
	const struct cfg_kw **warned;
	size_t n_warned;
};

/* One statement: v[0] is the keyword, v[1..n-1] its arguments. */
struct cfg_stmt {
	const struct cfg_tok *v;
	size_t n;
};

struct cfg_block;

/* Handles a statement of the block that obj is. For a keyword that opens a
 * block, returns the object that block fills (NULL: skip the block, the
 * handler said why); the return value of other handlers is ignored. */
typedef void *(*cfg_kw_fn)(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
/* Handles one line v[0..n-1] of a block of values. */
typedef void (*cfg_value_fn)(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n);
/* Runs when a block is closed; kw is the keyword that opened it, seen says
 * which keywords the block held (ask cfg_saw()). */
typedef void (*cfg_end_fn)(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw,
			   uint64_t seen);

#define CFG_ARGS_ANY 255

/* What halb does with a keepalived keyword: every keyword keepalived 2.2
 * accepts is in some table with one of these (docs/CONFIGURATION.md's
 * keyword table is made from the tables, and a unit test keeps the two in
 * step). */
enum cfg_kw_status {
	CFG_KW_IMPLEMENTED = 0, /* with keepalived's semantics (why: a note, or NULL) */
	CFG_KW_REFUSED,         /* an error at FILE:LINE, saying why */
	CFG_KW_IRRELEVANT,      /* one warning saying why it has no effect in halb */
};

struct cfg_kw {
	const char *name;
	uint8_t min_args, max_args;
	cfg_kw_fn fn;                /* NULL for a block: the block fills obj */
	const struct cfg_block *sub; /* the keyword opens this block */
	cfg_value_fn value;          /* the keyword opens a block of values */
	uint8_t status;              /* enum cfg_kw_status */
	const char *why;
	bool whole_line; /* every word to the end of the line is an argument,
			  * even one that is a keyword of the block */
};

/* A keyword halb refuses, and one that has no effect in halb: any
 * arguments, and a block after it is skipped. */
#define CFG_KW_REFUSE(name, why)                                             \
	{                                                                    \
		name, 0, CFG_ARGS_ANY, NULL, NULL, NULL, CFG_KW_REFUSED, why \
	}
#define CFG_KW_NOOP(name, why)                                                  \
	{                                                                       \
		name, 0, CFG_ARGS_ANY, NULL, NULL, NULL, CFG_KW_IRRELEVANT, why \
	}
#define CFG_KW_END                                    \
	{                                             \
		NULL, 0, 0, NULL, NULL, NULL, 0, NULL \
	}

struct cfg_block {
	const char *name;
	const struct cfg_kw *kw; /* ends with a NULL name; at most 64 entries */
	cfg_end_fn end;
};

/* Whether the block whose end handler got seen held keyword name (even with
 * a bad value: "missing" is only said of what is really missing). */
bool cfg_saw(const struct cfg_block *blk, uint64_t seen, const char *name);

/* Keyword tables (config_kw_*.c). */
extern const struct cfg_block cfg_top_block;
extern const struct cfg_block cfg_global_block;
extern const struct cfg_block cfg_instance_block;
extern const struct cfg_block cfg_script_block;
extern const struct cfg_block cfg_track_file_block;
extern const struct cfg_block cfg_track_process_block;
extern const struct cfg_block cfg_sync_group_block;
extern const struct cfg_block cfg_vs_block;
extern const struct cfg_block cfg_rs_block;
extern const struct cfg_block cfg_http_block;
extern const struct cfg_block cfg_tcp_block;
extern const struct cfg_block cfg_misc_block;
extern const struct cfg_block cfg_ping_block;
extern const struct cfg_block cfg_udp_block;
extern const struct cfg_block cfg_dns_block;
extern const struct cfg_block cfg_smtp_block;
extern const struct cfg_block cfg_file_block;

/* The blocks the top level opens: each returns the object its block fills. */
void *cfg_global_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_script_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_instance_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_sync_group_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_vs_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_track_file_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_track_process_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_vsg_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void cfg_vsg_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n);

/* notify_* SCRIPT [USER [GROUP]] of an instance or a sync group. */
void cfg_set_script(struct cfg_parser *ps, struct cfg_script *slot, const struct cfg_stmt *st);
void cfg_set_notify(struct cfg_parser *ps, struct cfg_notify *n, const struct cfg_stmt *st);

/* One line of virtual_ipaddress, virtual_ipaddress_excluded or
 * static_ipaddress: IP[/len] [dev IF] [label L] ..., appended to arr. */
void cfg_vip_line(struct cfg_parser *ps, const char *kw, struct cfg_vip **arr, size_t *n_arr,
		  bool excluded, const struct cfg_tok *v, size_t n);
/* One line of static_routes or virtual_routes (config_kw_static.c). */
void cfg_route_line(struct cfg_parser *ps, const char *kw, struct cfg_sroute **arr, size_t *n_arr,
		    const struct cfg_tok *v, size_t n);
void cfg_sroute_free(struct cfg_sroute *r, size_t n);
void cfg_static_addr_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n);
void cfg_static_route_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n);
void cfg_fifo_free(struct cfg_fifo *f);
/* global_defs notify_fifo, vrrp_notify_fifo and their _script. */
void *cfg_kw_fifo(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);

/* Opens a checker (HTTP_GET, SSL_GET, TCP_CHECK, MISC_CHECK, PING_CHECK,
 * UDP_CHECK, DNS_CHECK, SMTP_CHECK, FILE_CHECK) in a real server. */
void *cfg_checker_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
/* config_kw_check.c: the settings every checker (and an SMTP_CHECK host)
 * shares, for the tables of config_kw_probe.c too. */
void *cfg_chk_timing(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_chk_connect_ip(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_chk_connect_port(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_chk_bindto(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_chk_bind_port(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);

/* clang-format off */
#define CFG_CHECK_COMMON_KW \
	{ "retry", 1, 1, cfg_chk_timing, NULL, NULL, 0, NULL, false }, \
	{ "delay_before_retry", 1, 1, cfg_chk_timing, NULL, NULL, 0, NULL, false }, \
	{ "delay_loop", 1, 1, cfg_chk_timing, NULL, NULL, 0, NULL, false }, \
	CFG_KW_REFUSE("warmup", "not implemented: a checker's first attempt is one delay_loop " \
				"after start"), \
	CFG_KW_REFUSE("alpha", "not implemented on a checker: use alpha on the virtual_server"), \
	CFG_KW_NOOP("log_all_failures", "halb logs every checker state change, and each failure " \
					"at DEBUG")

/* Where a checker's packets go and come from, ports aside. */
#define CFG_CHECK_ADDR_KW \
	{ "connect_ip", 1, 1, cfg_chk_connect_ip, NULL, NULL, 0, NULL, false }, \
	{ "bindto", 1, 1, cfg_chk_bindto, NULL, NULL, 0, NULL, false }, \
	{ "connect_timeout", 1, 1, cfg_chk_timing, NULL, NULL, 0, NULL, false }, \
	CFG_KW_REFUSE("bind_if", "not implemented: checks leave through the kernel's route (use " \
				 "bindto)"), \
	CFG_KW_REFUSE("fwmark", "not implemented: halb marks no checker traffic")

#define CFG_CHECK_PORT_KW \
	{ "connect_port", 1, 1, cfg_chk_connect_port, NULL, NULL, 0, NULL, false }, \
	{ "bind_port", 1, 1, cfg_chk_bind_port, NULL, NULL, 0, NULL, false }
/* clang-format on */

/* Makes each host block of the SMTP_CHECKs of rs a checker of its own, in
 * place, as keepalived 2.2 does (config_resolve.c, before inheritance). */
void cfg_smtp_expand(struct cfg_parser *ps, struct cfg_real_server *rs);
/* Frees what a checker owns (not the checker itself). */
void cfg_checker_free(struct cfg_checker *c);

/* config_kw_sync.c: lvs_sync_daemon (global_defs) and the older
 * lvs_sync_daemon_interface (vrrp_instance); after the file is read, the
 * instance's index and the default sync id. */
void *cfg_kw_lvs_sync_daemon(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void *cfg_kw_lvs_sync_interface(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st);
void cfg_sync_resolve(struct cfg_parser *ps);
void cfg_sync_free(struct cfg_sync *s);

/* config_lex.c: reads text (and its includes) into ps->tok. file is the
 * index of text's name in ps->k->files; the caller has put its real path
 * (or NULL) in ps->chain[0] with ps->depth 1. */
void cfg_lex_text(struct cfg_parser *ps, const char *text, size_t len, uint16_t file);
/* Splits one preprocessed line into tokens; "include" lines are read
 * here. dir is the directory of the file it came from. */
void cfg_lex_logical(struct cfg_parser *ps, const char *text, size_t len, int line, uint16_t file,
		     const char *dir);

/* config_pp.c: conditional lines, definitions, ~SEQ and ~LST. */
void cfg_pp_init(struct cfg_parser *ps);
void cfg_pp_free(struct cfg_parser *ps);
/* One physical line of file (comments not yet removed). */
void cfg_pp_line(struct cfg_parser *ps, const char *text, size_t len, int line, uint16_t file,
		 const char *dir);

/* Adds path to ps->k->files; returns its index, -1 when full or OOM. */
int cfg_add_file(struct cfg_parser *ps, const char *path, const struct cfg_tok *where);
/* Reads a whole regular file of at most CFG_MAX_FILE_SIZE bytes;
 * returns NULL with errno set (EINVAL: not a regular file, EFBIG: too large),
 * which cfg_read_strerror() words for a message. */
char *cfg_read_file(const char *path, size_t *len);
const char *cfg_read_strerror(int e);

/* config_parse.c: walks ps->tok from the top-level block. */
void cfg_parse_tokens(struct cfg_parser *ps);

/* config_resolve.c: names to indexes, checker inheritance. */
void cfg_resolve(struct cfg_parser *ps);

/* config_index.c: sorted views of the model, for lookups and duplicates in
 * n log n. A name index holds (name, object index) sorted by name, then
 * index, so the first of equal names is the one written first. */
struct cfg_name_ref {
	const char *name;
	size_t idx;
};

/* Indexes n objects of size stride at base whose name is the char * at
 * name_off; NULL on OOM (or when n is 0). */
struct cfg_name_ref *cfg_names_sorted(const void *base, size_t n, size_t stride, size_t name_off);
/* The first-written object named name, or SIZE_MAX. */
size_t cfg_names_find(const struct cfg_name_ref *v, size_t n, const char *name);
/* Reports each object that repeats an earlier one's name: "KIND NAME is
 * already defined at FILE:LINE", at the repeat's struct cfg_loc (loc_off). */
void cfg_report_dup_names(struct cfg_diags *d, const char *kind, const void *base, size_t n,
			  size_t stride, size_t name_off, size_t loc_off);
/* The same for virtual servers (address, port, protocol) and for the real
 * servers of one virtual server (address, port). */
void cfg_report_dup_vs(struct cfg_diags *d, const struct cfg_keepalived *k);
void cfg_report_dup_rs(struct cfg_diags *d, const struct cfg_virtual_server *vs);
/* Indexes 0..n-1 sorted by cmp(a, b, ctx) then by index; NULL on OOM. */
size_t *cfg_sort_indexes(size_t n, int (*cmp)(size_t a, size_t b, const void *ctx),
			 const void *ctx);

/* config_model.c: keepalived's defaults for a new model; freeing parts. */
void cfg_keepalived_defaults(struct cfg_keepalived *k);
void cfg_instance_free_fields(struct cfg_vrrp_instance *v);
void cfg_vs_free_fields(struct cfg_virtual_server *vs);

/* ------------------------------------------------- reporting (config_diag.c) */

struct cfg_loc cfg_tok_loc(const struct cfg_parser *ps, const struct cfg_tok *t);
void cfg_err(struct cfg_parser *ps, const struct cfg_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_warn(struct cfg_parser *ps, const struct cfg_tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_diag_vadd(struct cfg_diags *d, enum cfg_severity sev, const struct cfg_loc *loc,
		   const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* ------------------------------------------------ values (config_value.c) */

/* Pure text parsers, shared with the dataplane file. */
bool cfg_parse_ulong(const char *s, unsigned long *out);
bool cfg_parse_ipv4(const char *s, uint32_t *out);
/* "ADDR/len" (need_len) or "ADDR[/len]" (plen 32 or 128 when absent),
 * IPv4 or IPv6. */
bool cfg_parse_prefix(const char *s, struct cfg_prefix *out, bool need_len);
bool cfg_ifname_ok(const char *s);
uint32_t cfg_plen_mask(uint8_t plen);

/* Argument readers: each reports its own error at the token, naming the
 * setting what, and returns false. */
bool cfg_arg_uint(struct cfg_parser *ps, const struct cfg_tok *t, const char *what,
		  unsigned long min, unsigned long max, unsigned int *out);
bool cfg_arg_int(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, long min,
		 long max, int *out);
/* keepalived's seconds, with up to 3 decimals when fraction is true; the
 * result in milliseconds must lie in min_ms..max_ms. */
bool cfg_arg_ms(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool fraction,
		unsigned long min_ms, unsigned long max_ms, unsigned int *out);
bool cfg_arg_ipv4(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, uint32_t *out);
/* An IPv4 or IPv6 address. */
bool cfg_arg_addr(struct cfg_parser *ps, const struct cfg_tok *t, const char *what,
		  struct cfg_addr *out);
bool cfg_arg_port(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool allow_zero,
		  uint16_t *out);
/* true/on/yes or false/off/no; a missing argument (t NULL) means true. */
bool cfg_arg_bool(struct cfg_parser *ps, const struct cfg_tok *t, const char *what, bool *out);
bool cfg_arg_ifname(struct cfg_parser *ps, const struct cfg_tok *t, const char *what);

/* The command line of "script"/"misc_path": the words after the keyword,
 * joined by blanks; a quoted word after the first is single-quoted so that
 * it stays one argument. NULL on OOM (reported). */
char *cfg_cmdline(struct cfg_parser *ps, const struct cfg_stmt *st);

/* Replaces *dst with a copy of t's text (OOM: an error, *dst unchanged). */
void cfg_set_str(struct cfg_parser *ps, char **dst, const struct cfg_tok *t);
char *cfg_strdup(struct cfg_parser *ps, const struct cfg_tok *t, const char *s);

/* Makes room for element n of an array that only ever grows through
 * CFG_GROW (its capacity is implied by n: 4, 8, 16...). Returns the possibly
 * moved array, or NULL on OOM (an error is reported at t). */
void *cfg_grow(struct cfg_parser *ps, const struct cfg_tok *t, void *base, size_t n, size_t size);

/* Appends a zeroed element to arr[0..n-1]; evaluates to it, or NULL. */
#define CFG_GROW(ps, t, arr, n)                                                           \
	__extension__({                                                                   \
		__typeof__(arr) cfg_b_ = cfg_grow((ps), (t), (arr), (n), sizeof(*(arr))); \
		__typeof__(arr) cfg_e_ = NULL;                                            \
		if (cfg_b_ != NULL) {                                                     \
			(arr) = cfg_b_;                                                   \
			cfg_e_ = &cfg_b_[(n)++];                                          \
			memset(cfg_e_, 0, sizeof(*cfg_e_));                               \
		}                                                                         \
		cfg_e_;                                                                   \
	})

/* The keyword of statement st, for messages. */
static inline const char *cfg_kw_name(const struct cfg_stmt *st)
{
	return st->v[0].s;
}

#endif /* HALB_CONFIG_INT_H */
