/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived's line preprocessor (keepalived.conf(5), "ADVANCED
 * CONFIGURATION"), between reading a physical line and splitting it into
 * words. Following keepalived 2.2's read_line(), replace_param(),
 * check_definition() and add_seq() (lib/parser.c), for each line:
 *
 * 1. Comments go: '#' or '!' outside a double-quoted string starts one;
 *    "\#" and "\!" are a literal '#' and '!'. Leading and trailing blanks go.
 * 2. "@ID rest" keeps rest only when ID is the config id (-i, else the host
 *    name up to its first dot); "@^ID rest" only when it is not. A line that
 *    is only "@ID" is dropped.
 * 3. "$NAME=value" defines NAME (letters, digits, '_', not starting with a
 *    digit; no blank before '='). A value ending in '\' continues on the
 *    next lines, each ending in '\' but the last: a multi-line definition.
 *    An empty line or a line of only a comment ends it too.
 * 4. "~SEQ(VAR, START, STEP, END) rest" (STEP, then START, may be left
 *    out; ~SEQx for hexadecimal) and "~LST(VAR, V1, V2...)" or
 *    "~LST({A,B}, {1,2}, {3,4}) rest" process rest once per value with the
 *    variables defined; they nest.
 * 5. "$NAME" followed by a blank, ',', ')' or the end of the line, and
 *    "${NAME}" anywhere, are replaced by NAME's value, again and again (a
 *    value may name other definitions, resolved when used). An undefined
 *    name stays as written. A multi-line definition is replaced only where
 *    it ends the line: its first line takes the place of the name and its
 *    other lines follow as lines of their own, each preprocessed in turn.
 *    Predefined: ${_PWD} (the directory of the file being read),
 *    ${_INSTANCE} (the config id), ${_RANDOM [MIN [MAX]]}, ${_HASH} ('#'),
 *    ${_BANG} ('!').
 *
 * Every line produced keeps the FILE:LINE of the line it came from (the
 * line that named the definition, or the ~SEQ line), so messages point at
 * what the operator wrote. Expansion is bounded (nesting depth, replacements
 * per line, line length); a definition that names itself is an error, not a
 * hang. Where keepalived 2.2 has bugs (a "$NAME rest" whose value starts
 * with '@' repeats part of rest), halb does what the manual says.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_int.h"

#define PP_MAX_DEPTH        64
#define PP_MAX_REPLACEMENTS 10000
/* Logical lines over all files: keepalived's manual makes 65024 instances
 * with three nested ~SEQ; a loop that makes no words must still end. */
#define PP_MAX_LINES (1u << 22)

struct pp_where {
	int line;
	uint16_t file;
	const char *dir;
};

static void pp_err(struct cfg_parser *ps, const struct pp_where *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void pp_err(struct cfg_parser *ps, const struct pp_where *w, const char *fmt, ...)
{
	struct cfg_tok t = { .line = w->line, .file = w->file };
	struct cfg_loc loc = cfg_tok_loc(ps, &t);
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(ps->d, CFG_ERROR, &loc, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ definitions */

static struct cfg_def *def_find(struct cfg_pp *pp, const char *name, size_t len)
{
	for (size_t i = 0; i < pp->n_defs; i++)
		if (strlen(pp->defs[i].name) == len && memcmp(pp->defs[i].name, name, len) == 0)
			return &pp->defs[i];
	return NULL;
}

/* Sets NAME (len bytes) to value; NULL on OOM (reported). */
static struct cfg_def *def_set(struct cfg_parser *ps, const struct pp_where *w, const char *name,
			       size_t len, const char *value, size_t vlen)
{
	struct cfg_pp *pp = &ps->pp;
	struct cfg_def *d = def_find(pp, name, len);
	char *v = strndup(value, vlen);

	if (v == NULL) {
		pp_err(ps, w, "out of memory");
		return NULL;
	}
	if (d == NULL) {
		struct cfg_def *nv = realloc(pp->defs, (pp->n_defs + 1) * sizeof(*nv));
		char *n = strndup(name, len);

		if (nv == NULL || n == NULL) {
			if (nv != NULL)
				pp->defs = nv;
			free(n);
			free(v);
			pp_err(ps, w, "out of memory");
			return NULL;
		}
		pp->defs = nv;
		d = &pp->defs[pp->n_defs++];
		memset(d, 0, sizeof(*d));
		d->name = n;
	}
	free(d->value);
	d->value = v;
	d->kind = CFG_DEF_USER; /* a predefined name may be overridden */
	d->multiline = false;
	return d;
}

void cfg_pp_init(struct cfg_parser *ps)
{
	static const struct {
		const char *name;
		enum cfg_def_kind kind;
	} std[] = {
		{ "_PWD", CFG_DEF_PWD },       { "_INSTANCE", CFG_DEF_INSTANCE },
		{ "_RANDOM", CFG_DEF_RANDOM }, { "_HASH", CFG_DEF_HASH },
		{ "_BANG", CFG_DEF_BANG },
	};
	struct pp_where w = { 0, 0, NULL };

	ps->pp.mdef = SIZE_MAX;
	for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
		struct cfg_def *d = def_set(ps, &w, std[i].name, strlen(std[i].name), "", 0);

		if (d != NULL)
			d->kind = std[i].kind;
	}
	if (ps->opts.config_id != NULL) {
		ps->pp.config_id = strdup(ps->opts.config_id);
	} else {
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		host[strcspn(host, ".")] = '\0';
		ps->pp.config_id = strdup(host);
	}
}

void cfg_pp_free(struct cfg_parser *ps)
{
	for (size_t i = 0; i < ps->pp.n_defs; i++) {
		free(ps->pp.defs[i].name);
		free(ps->pp.defs[i].value);
	}
	free(ps->pp.defs);
	free(ps->pp.config_id);
	memset(&ps->pp, 0, sizeof(ps->pp));
}

/* The value of a predefined name at the time of use, in buf. */
static const char *def_value(struct cfg_parser *ps, const struct cfg_def *d,
			     const struct pp_where *w, const char *params, char *buf, size_t len)
{
	unsigned long lo = 0, hi = 32767;

	switch (d->kind) {
	case CFG_DEF_USER:
		return d->value;
	case CFG_DEF_PWD:
		return w->dir;
	case CFG_DEF_INSTANCE:
		return ps->pp.config_id != NULL ? ps->pp.config_id : "";
	case CFG_DEF_HASH:
		return "#";
	case CFG_DEF_BANG:
		return "!";
	case CFG_DEF_RANDOM:
		if (params != NULL) {
			char *end;

			lo = strtoul(params, &end, 10);
			if (*end == ' ')
				hi = strtoul(end, &end, 10);
		}
		if (hi < lo)
			hi = lo;
		snprintf(buf, len, "%lu", lo + (unsigned long)random() % (hi - lo + 1));
		return buf;
	}
	return "";
}

/* ---------------------------------------------------------------- lines */

/* keepalived's decomment(): drops the comment, unescapes "\#" and "\!"
 * outside quotes, trims blanks. Works in place; returns the new length. */
static size_t decomment(char *s, size_t len)
{
	bool quote = false;
	size_t r = 0, w = 0, start;

	while (r < len) {
		char c = s[r];

		if (c == '"') {
			quote = !quote;
		} else if (c == '\\' && r + 1 < len) {
			if (!quote && (s[r + 1] == '#' || s[r + 1] == '!'))
				r++;
			else
				s[w++] = s[r++];
			c = s[r];
		} else if (!quote && (c == '#' || c == '!')) {
			break;
		}
		s[w++] = c;
		r++;
	}
	while (w > 0 && (s[w - 1] == ' ' || s[w - 1] == '\t' || s[w - 1] == '\r'))
		w--;
	s[w] = '\0';
	start = strspn(s, " \t");
	memmove(s, s + start, w - start + 1);
	return w - start;
}

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* "$NAME=value": defines it; true when buf was a definition. */
static bool pp_define(struct cfg_parser *ps, const struct pp_where *w, const char *buf)
{
	const char *p = buf + 2, *v;
	struct cfg_def *d;
	size_t vlen;
	bool multi = false;

	if (buf[0] != '$' || !is_name_start(buf[1]))
		return false;
	while (is_name_char(*p))
		p++;
	if (*p != '=')
		return false;
	v = p + 1 + strspn(p + 1, " \t");
	vlen = strlen(v);
	if (vlen > 0 && v[vlen - 1] == '\\') {
		multi = true;
		vlen--;
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
	}
	d = def_set(ps, w, buf + 1, (size_t)(p - buf - 1), v, vlen);
	if (d == NULL || !multi)
		return true;
	if (vlen > 0) {
		/* the first line, its end marked as keepalived marks it */
		char *nv = realloc(d->value, vlen + 2);

		if (nv == NULL) {
			pp_err(ps, w, "out of memory");
			return true;
		}
		nv[vlen] = '\n';
		nv[vlen + 1] = '\0';
		d->value = nv;
	}
	d->multiline = true;
	ps->pp.mdef = (size_t)(d - ps->pp.defs);
	return true;
}

/* A line of the multi-line definition being collected (not empty). */
static void pp_collect(struct cfg_parser *ps, const struct pp_where *w, char *buf, size_t len)
{
	struct cfg_def *d = &ps->pp.defs[ps->pp.mdef];
	bool more = len > 0 && buf[len - 1] == '\\';
	size_t old;
	char *nv;

	if (more) {
		len--;
		while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
			len--;
	} else {
		ps->pp.mdef = SIZE_MAX;
	}
	if (len > 0) {
		old = strlen(d->value);
		nv = realloc(d->value, old + len + 2);
		if (nv == NULL) {
			pp_err(ps, w, "out of memory");
			return;
		}
		memcpy(nv + old, buf, len);
		if (more)
			nv[old + len++] = '\n';
		nv[old + len] = '\0';
		d->value = nv;
	}
	if (!more && d->value[0] == '\0')
		d->multiline = false;
}

/* ------------------------------------------------------------ substitution */

struct pp_ref {
	struct cfg_def *def;
	size_t len;         /* of the reference: "$NAME" or "${NAME ...}" */
	const char *params; /* ${_RANDOM 1 6}: "1 6" */
};

/* The definition named at s (on a '$'), as keepalived's find_definition(). */
static bool pp_ref_at(struct cfg_pp *pp, const char *s, struct pp_ref *ref)
{
	bool braces = s[1] == '{';
	const char *n = s + 1 + braces, *p = n;

	if (!is_name_start(*n))
		return false;
	while (is_name_char(*p))
		p++;
	ref->params = NULL;
	if (braces) {
		const char *q = p;

		while (*q == ' ' || isdigit((unsigned char)*q))
			q++;
		if (*q != '}' || (q > p && q[-1] == ' '))
			return false;
		if (q > p)
			ref->params = p + strspn(p, " ");
		ref->len = (size_t)(q + 1 - s);
	} else {
		if (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',' && *p != ')')
			return false;
		ref->len = (size_t)(p - s);
	}
	ref->def = def_find(pp, n, (size_t)(p - n));
	if (ref->def == NULL || (ref->params != NULL && ref->def->kind != CFG_DEF_RANDOM))
		return false;
	/* a multi-line definition only where it ends the line */
	return !ref->def->multiline || s[ref->len] == '\0';
}

/* Replaces the references in *buf (malloc'd, may move). *rest gets the
 * lines after the first of a multi-line definition used (malloc'd, NULL:
 * none). Returns 1 when something was replaced, 0 when not, -1 on error. */
static int pp_substitute(struct cfg_parser *ps, const struct pp_where *w, char **buf, char **rest)
{
	size_t i = 0, n = 0;
	bool changed = false;

	while ((*buf)[i] != '\0') {
		struct pp_ref ref;
		char tmp[32], *nb;
		const char *val;
		size_t vlen, blen = strlen(*buf);

		if ((*buf)[i] != '$' || !pp_ref_at(&ps->pp, *buf + i, &ref)) {
			i++;
			continue;
		}
		if (++n > PP_MAX_REPLACEMENTS) {
			pp_err(ps, w,
			       "parameter substitution does not end (a definition that names "
			       "itself?)");
			return -1;
		}
		val = def_value(ps, ref.def, w, ref.params, tmp, sizeof(tmp));
		vlen = strlen(val);
		if (ref.def->multiline) {
			free(*rest);
			*rest = NULL;
			vlen = strcspn(val, "\n");
			if (val[vlen] == '\n' && val[vlen + 1] != '\0' &&
			    (*rest = strdup(val + vlen + 1)) == NULL) {
				pp_err(ps, w, "out of memory");
				return -1;
			}
		}
		if (blen - ref.len + vlen > CFG_MAX_LINE) {
			pp_err(ps, w, "parameter substitution makes the line longer than %u bytes",
			       CFG_MAX_LINE);
			return -1;
		}
		nb = malloc(blen - ref.len + vlen + 1);
		if (nb == NULL) {
			pp_err(ps, w, "out of memory");
			return -1;
		}
		memcpy(nb, *buf, i);
		memcpy(nb + i, val, vlen);
		memcpy(nb + i + vlen, *buf + i + ref.len, blen - i - ref.len + 1);
		free(*buf);
		*buf = nb;
		changed = true;
		if (val[strspn(val, " \t")] == '~')
			break; /* a ~SEQ in the value: the line is read again */
	}
	return changed;
}

/* ------------------------------------------------------------ ~SEQ, ~LST */

static void pp_logical(struct cfg_parser *ps, const struct pp_where *w, const char *text,
		       unsigned int depth);

/* Runs text once with var set to value. */
static void pp_iterate(struct cfg_parser *ps, const struct pp_where *w, const char *var,
		       size_t var_len, const char *value, const char *text, unsigned int depth)
{
	if (def_set(ps, w, var, var_len, value, strlen(value)) != NULL)
		pp_logical(ps, w, text, depth + 1);
}

/* The text between the '(' at *p and its ')', definitions replaced;
 * *p moves past the ')'. NULL (reported) when malformed. */
static char *pp_args(struct cfg_parser *ps, const struct pp_where *w, const char *head,
		     const char **p)
{
	const char *open = *p, *close;
	char *args, *rest = NULL;

	if (*open != '(' || (close = strchr(open, ')')) == NULL) {
		pp_err(ps, w, "invalid %s: %s(VAR, ...) expected", head, head);
		return NULL;
	}
	args = strndup(open + 1, (size_t)(close - open - 1));
	if (args == NULL) {
		pp_err(ps, w, "out of memory");
		return NULL;
	}
	if (pp_substitute(ps, w, &args, &rest) < 0 || rest != NULL) {
		if (rest != NULL)
			pp_err(ps, w, "%s: a multi-line definition cannot be a parameter", head);
		free(rest);
		free(args);
		return NULL;
	}
	*p = close + 1 + strspn(close + 1, " \t");
	return args;
}

static bool parse_long(const char **p, long *v)
{
	char *end;

	*p += strspn(*p, " \t");
	*v = strtol(*p, &end, 0);
	if (end == *p)
		return false;
	*p = end + strspn(end, " \t");
	return true;
}

/* ~SEQ(VAR, [START,] [STEP,] END) and ~SEQx(...). */
static void pp_seq(struct cfg_parser *ps, const struct pp_where *w, const char *buf,
		   unsigned int depth)
{
	bool hex = buf[4] == 'x';
	const char *p = buf + 4 + hex, *text, *var, *q;
	long v[3], start, step, end;
	size_t n = 0, var_len;
	char *args;

	p += strspn(p, " \t");
	args = pp_args(ps, w, "~SEQ", &p);
	if (args == NULL)
		return;
	text = p;
	q = args + strspn(args, " \t");
	var = q;
	var_len = strcspn(q, " \t,");
	q += var_len;
	q += strspn(q, " \t");
	while (*q == ',' && n < 3) {
		q++;
		if (!parse_long(&q, &v[n++]))
			break;
	}
	if (var_len == 0 || n == 0 || *q != '\0') {
		pp_err(ps, w, "invalid ~SEQ(%s): ~SEQ(VAR, [START,] [STEP,] END) expected", args);
		free(args);
		return;
	}
	if (n == 1) {
		end = v[0];
		step = end < 1 ? -1 : 1;
		start = end < 0 ? -1 : 1;
	} else if (n == 2) {
		start = v[0];
		end = v[1];
		step = start <= end ? 1 : -1;
	} else {
		start = v[0];
		step = v[1];
		end = v[2];
	}
	if (step == 0 || (start < end && step < 0) || (start > end && step > 0)) {
		pp_err(ps, w, "invalid ~SEQ(%s): the step does not lead from start to end", args);
	} else if (hex && (start < 0 || end < 0)) {
		pp_err(ps, w, "invalid ~SEQx(%s): only for numbers >= 0", args);
	} else {
		for (long i = start; step > 0 ? i <= end : i >= end; i += step) {
			char val[24];

			snprintf(val, sizeof(val), hex ? "%lx" : "%ld", i);
			pp_iterate(ps, w, var, var_len, val, text, depth);
			if (ps->too_many_tokens ||
			    (step > 0 ? i > LONG_MAX - step : i < LONG_MIN - step))
				break;
		}
	}
	free(args);
}

/* Splits s at top-level commas into trimmed items; braces group. Returns
 * the count (at most max), or -1 when braces do not balance. */
static int split_items(char *s, char **items, int max)
{
	int n = 0, depth = 0;
	char *start = s;

	for (char *p = s;; p++) {
		if (*p == '{') {
			depth++;
		} else if (*p == '}') {
			if (--depth < 0)
				return -1;
		} else if ((*p == ',' && depth == 0) || *p == '\0') {
			bool last = *p == '\0';
			char *e = p;

			if (n == max)
				return -1;
			*p = '\0';
			start += strspn(start, " \t");
			while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
				*--e = '\0';
			items[n++] = start;
			start = p + 1;
			if (last)
				break;
		}
	}
	return depth == 0 ? n : -1;
}

/* "{a, b}" into its items (in place); a bare item is a list of one. */
static int unbrace(char *s, char **items, int max)
{
	size_t len = strlen(s);

	if (s[0] != '{')
		return (items[0] = s, 1);
	if (len < 2 || s[len - 1] != '}')
		return -1;
	s[len - 1] = '\0';
	return split_items(s + 1, items, max);
}

#define LST_MAX 1024

/* ~LST(VAR, V1, V2, ...) and ~LST({A, B}, {1, 2}, ...). */
static void pp_lst(struct cfg_parser *ps, const struct pp_where *w, const char *buf,
		   unsigned int depth)
{
	const char *p = buf + 4 + strspn(buf + 4, " \t");
	char *args = pp_args(ps, w, "~LST", &p);
	char *items[LST_MAX], *vars[32], *vals[32];
	int n, nv;

	if (args == NULL)
		return;
	n = split_items(args, items, LST_MAX);
	nv = n > 1 ? unbrace(items[0], vars, 32) : -1;
	if (nv <= 0) {
		pp_err(ps, w,
		       "invalid ~LST: ~LST(VAR, V1, V2...) or ~LST({A, B}, {1, 2}...) "
		       "expected");
		free(args);
		return;
	}
	for (int i = 1; i < n && !ps->too_many_tokens; i++) {
		if (unbrace(items[i], vals, 32) != nv) {
			pp_err(ps, w, "invalid ~LST: '%s' does not give %d values", items[i], nv);
			break;
		}
		for (int v = 0; v + 1 < nv; v++)
			def_set(ps, w, vars[v], strlen(vars[v]), vals[v], strlen(vals[v]));
		if (def_set(ps, w, vars[nv - 1], strlen(vars[nv - 1]), vals[nv - 1],
			    strlen(vals[nv - 1])) != NULL)
			pp_logical(ps, w, p, depth + 1);
	}
	free(args);
}

/* ------------------------------------------------------------ the driver */

/* "@ID rest" / "@^ID rest": whether rest stays; moves it to the front. */
static bool pp_config_id(struct cfg_parser *ps, char *buf)
{
	bool neg = buf[1] == '^';
	const char *id = buf + 1 + neg, *cid = ps->pp.config_id;
	size_t idlen = strcspn(id, " \t");
	bool match;
	const char *rest;

	if (id[idlen] == '\0')
		return false;
	match = cid != NULL && strlen(cid) == idlen && memcmp(id, cid, idlen) == 0;
	if (match == neg)
		return false;
	rest = id + idlen + strspn(id + idlen, " \t");
	memmove(buf, rest, strlen(rest) + 1);
	return true;
}

/* One logical line. */
static void pp_logical(struct cfg_parser *ps, const struct pp_where *w, const char *text,
		       unsigned int depth)
{
	char *buf, *rest = NULL;
	unsigned int rounds = 0;

	if (depth > PP_MAX_DEPTH) {
		pp_err(ps, w, "definitions, ~SEQ and ~LST nest more than %d deep", PP_MAX_DEPTH);
		return;
	}
	if (ps->too_many_tokens)
		return;
	if (++ps->pp.lines > PP_MAX_LINES) {
		pp_err(ps, w,
		       "definitions, ~SEQ and ~LST make more than %u lines; the rest of the "
		       "configuration is not read",
		       PP_MAX_LINES);
		ps->too_many_tokens = true; /* the reader stops */
		return;
	}
	buf = strdup(text);
	if (buf == NULL) {
		pp_err(ps, w, "out of memory");
		return;
	}
	for (;;) {
		int r;

		if (buf[0] == '@' && !pp_config_id(ps, buf))
			goto out;
		if (buf[0] == '$' && pp_define(ps, w, buf))
			goto out;
		if (strncmp(buf, "~SEQ", 4) == 0) {
			pp_seq(ps, w, buf, depth);
			goto out;
		}
		if (strncmp(buf, "~LST", 4) == 0) {
			pp_lst(ps, w, buf, depth);
			goto out;
		}
		if (buf[0] == '~' || strchr(buf, '$') == NULL)
			break;
		r = ++rounds > PP_MAX_DEPTH ? -1 : pp_substitute(ps, w, &buf, &rest);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		memmove(buf, buf + strspn(buf, " \t"), strlen(buf + strspn(buf, " \t")) + 1);
		if (buf[0] != '@' && buf[0] != '~' && strchr(buf, '$') == NULL)
			break;
	}
	if (buf[0] != '\0')
		cfg_lex_logical(ps, buf, strlen(buf), w->line, w->file, w->dir);
	/* the other lines of a multi-line definition, each read in turn */
	for (char *l = rest; l != NULL && !ps->too_many_tokens;) {
		char *nl = strchr(l, '\n');

		if (nl != NULL)
			*nl = '\0';
		if (*l != '\0')
			pp_logical(ps, w, l, depth + 1);
		l = nl != NULL ? nl + 1 : NULL;
	}
out:
	free(buf);
	free(rest);
}

void cfg_pp_line(struct cfg_parser *ps, const char *text, size_t len, int line, uint16_t file,
		 const char *dir)
{
	struct pp_where w = { line, file, dir };
	char *buf = malloc(len + 1); /* not strndup: the line may hold a NUL */
	size_t n;

	if (buf == NULL) {
		pp_err(ps, &w, "out of memory");
		return;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* a NUL byte reads as a blank */
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	n = decomment(buf, len);
	if (ps->pp.mdef != SIZE_MAX) {
		if (n == 0) {
			struct cfg_def *d = &ps->pp.defs[ps->pp.mdef];

			ps->pp.mdef = SIZE_MAX;
			if (d->value[0] == '\0')
				d->multiline = false;
		} else {
			pp_collect(ps, &w, buf, n);
		}
		free(buf);
		return;
	}
	if (n > 0)
		pp_logical(ps, &w, buf, 0);
	free(buf);
}
