/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Diagnostics: the list of problems a parse or a check found. Every problem
 * keeps its own copy of the file name, so the list outlives the model that
 * was being built (a failed parse frees the model and returns only this).
 * The parser reports through cfg_err()/cfg_warn(), which turn a token into
 * its FILE:LINE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static void diag_count(struct cfg_diags *d, enum cfg_severity sev)
{
	if (sev == CFG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static bool diag_reserve(struct cfg_diags *d)
{
	struct cfg_diag *v;
	size_t cap;

	if (d->n < d->cap)
		return true;
	cap = d->cap ? d->cap * 2 : 16;
	v = realloc(d->v, cap * sizeof(*v));
	if (v == NULL)
		return false;
	d->v = v;
	d->cap = cap;
	return true;
}

void cfg_diag_vadd(struct cfg_diags *d, enum cfg_severity sev, const struct cfg_loc *loc,
		   const char *fmt, va_list ap)
{
	struct cfg_diag *g;
	char *msg = NULL;

	diag_count(d, sev);
	if (d->n >= CFG_DIAGS_MAX || !diag_reserve(d))
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	g = &d->v[d->n];
	g->severity = sev;
	g->line = loc != NULL ? loc->line : 0;
	g->file = NULL;
	if (loc != NULL && loc->file != NULL) {
		g->file = strdup(loc->file);
		if (g->file == NULL) {
			free(msg);
			return;
		}
	}
	g->msg = msg;
	d->n++;
}

void cfg_diag_add(struct cfg_diags *d, enum cfg_severity sev, const struct cfg_loc *loc,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(d, sev, loc, fmt, ap);
	va_end(ap);
}

void cfg_diags_print(FILE *out, const struct cfg_diags *d)
{
	unsigned int total = d->errors + d->warnings;

	for (size_t i = 0; i < d->n; i++) {
		const struct cfg_diag *g = &d->v[i];
		const char *sev = g->severity == CFG_ERROR ? "error" : "warning";

		if (g->file != NULL && g->line > 0)
			fprintf(out, "%s:%d: %s: %s\n", g->file, g->line, sev, g->msg);
		else if (g->file != NULL)
			fprintf(out, "%s: %s: %s\n", g->file, sev, g->msg);
		else
			fprintf(out, "%s: %s\n", sev, g->msg);
	}
	if (total > d->n)
		fprintf(out, "... and %zu more problems not shown\n", (size_t)total - d->n);
}

void cfg_diags_free(struct cfg_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

struct cfg_loc cfg_tok_loc(const struct cfg_parser *ps, const struct cfg_tok *t)
{
	struct cfg_loc loc = { NULL, 0 };

	if (t != NULL && t->file < ps->k->n_files) {
		loc.file = ps->k->files[t->file];
		loc.line = t->line;
	}
	return loc;
}

void cfg_err(struct cfg_parser *ps, const struct cfg_tok *t, const char *fmt, ...)
{
	struct cfg_loc loc = cfg_tok_loc(ps, t);
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(ps->d, CFG_ERROR, &loc, fmt, ap);
	va_end(ap);
}

void cfg_warn(struct cfg_parser *ps, const struct cfg_tok *t, const char *fmt, ...)
{
	struct cfg_loc loc = cfg_tok_loc(ps, t);
	va_list ap;

	va_start(ap, fmt);
	cfg_diag_vadd(ps->d, CFG_WARNING, &loc, fmt, ap);
	va_end(ap);
}
