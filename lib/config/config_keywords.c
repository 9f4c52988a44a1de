/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyword tables seen from outside: what halb does with each keepalived
 * keyword, block by block, for docs/CONFIGURATION.md's table (made from
 * here, and a unit test holds the page to it) and for the test that every
 * keyword keepalived 2.2 accepts is in a table. The walk starts at the top
 * level and follows each keyword that opens a block of keywords; a block
 * reached twice (HTTP_GET and SSL_GET share theirs) is listed once.
 */
#include <string.h>

#include "config_int.h"

#define MAX_BLOCKS 64

struct walk {
	const struct cfg_block *seen[MAX_BLOCKS];
	size_t n;
};

static bool walk_add(struct walk *w, const struct cfg_block *b)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->seen[i] == b)
			return false;
	if (w->n < MAX_BLOCKS)
		w->seen[w->n++] = b;
	return true;
}

/* Every block, parents before children, in table order. */
static void walk_blocks(struct walk *w, const struct cfg_block *b)
{
	if (!walk_add(w, b))
		return;
	for (const struct cfg_kw *kw = b->kw; kw->name != NULL; kw++)
		if (kw->sub != NULL && kw->status == CFG_KW_IMPLEMENTED)
			walk_blocks(w, kw->sub);
}

static const char *handling(const struct cfg_kw *kw)
{
	switch (kw->status) {
	case CFG_KW_REFUSED:
		return "refused";
	case CFG_KW_IRRELEVANT:
		return "no effect (one warning)";
	default:
		return "implemented";
	}
}

void cfg_keyword_table_md(FILE *out)
{
	struct walk w = { .n = 0 };

	walk_blocks(&w, &cfg_top_block);
	fprintf(out, "| block | keyword | halb | why, or a note |\n|---|---|---|---|\n");
	for (size_t i = 0; i < w.n; i++)
		for (const struct cfg_kw *kw = w.seen[i]->kw; kw->name != NULL; kw++)
			fprintf(out, "| %s | `%s` | %s | %s |\n", w.seen[i]->name, kw->name,
				handling(kw), kw->why != NULL ? kw->why : "");
}

int cfg_keyword_status(const char *block, const char *name)
{
	struct walk w = { .n = 0 };

	walk_blocks(&w, &cfg_top_block);
	for (size_t i = 0; i < w.n; i++) {
		if (strcmp(w.seen[i]->name, block) != 0)
			continue;
		for (const struct cfg_kw *kw = w.seen[i]->kw; kw->name != NULL; kw++)
			if (strcmp(kw->name, name) == 0)
				return kw->status;
	}
	return -1;
}
