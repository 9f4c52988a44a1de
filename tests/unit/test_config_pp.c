/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived's line preprocessor (lib/config/config_pp.c): @ID lines,
 * $NAME definitions, multi-line definitions, ~SEQ and ~LST. Each row is a
 * configuration, the config id it is read with and what global_defs ends
 * up holding (router_id, the notification_email list), or the error it
 * must give at its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "halb_config.h"

static const struct pp_case {
	const char *id; /* -i */
	const char *text;
	const char *router_id; /* NULL: not set */
	const char *emails;    /* the notification_email list, blank-separated */
} pp_cases[] = {
	{ "lb1", "global_defs {\n @lb1 router_id one\n @lb2 router_id two\n}\n", "one", "" },
	{ "lb2", "global_defs {\n @lb1 router_id one\n @lb2 router_id two\n}\n", "two", "" },
	{ "lb2", "global_defs {\n @^lb1 router_id notone\n}\n", "notone", "" },
	{ "lb1", "global_defs {\n @^lb1 router_id notone\n}\n", NULL, "" },
	{ "lb1", "global_defs {\n @lb1\n}\n", NULL, "" },
	{ "x", "$R=abc\nglobal_defs {\n router_id $R\n}\n", "abc", "" },
	{ "x", "$R=abc\nglobal_defs {\n router_id ${R}x\n}\n", "abcx", "" },
	{ "x", "$A=1${B}\n$B=2\nglobal_defs {\n router_id $A\n}\n", "12", "" },
	{ "x", "$A=1\nglobal_defs {\n router_id $NOPE\n}\n", "$NOPE", "" },
	{ "x", "@x $P=240\n@y $P=100\nglobal_defs {\n router_id $P\n}\n", "240", "" },
	{ "x", "$IF=@x\nglobal_defs {\n $IF router_id yes\n}\n", "yes", "" },
	{ "x", "$BLK= \\\nglobal_defs { \\\n router_id ml \\\n}\n$BLK\n", "ml", "" },
	{ "x", "$M= \\\n a@b \\\n c@d\nglobal_defs {\n notification_email {\n  $M\n }\n}\n", NULL,
	  "a@b c@d" },
	{ "x", "global_defs {\n notification_email {\n  ~SEQ(I, 1, 3) a${I}@x\n }\n}\n", NULL,
	  "a1@x a2@x a3@x" },
	{ "x", "global_defs {\n notification_email {\n  ~SEQ(I, 3) a${I}@x\n }\n}\n", NULL,
	  "a1@x a2@x a3@x" },
	{ "x", "global_defs {\n notification_email {\n  ~SEQ(I, 6, -2, 2) a${I}@x\n }\n}\n", NULL,
	  "a6@x a4@x a2@x" },
	{ "x", "global_defs {\n notification_email {\n  ~SEQx(I, 9, 11) h${I}@x\n }\n}\n", NULL,
	  "h9@x ha@x hb@x" },
	{ "x", "global_defs {\n notification_email {\n  ~LST(V, p, q) ${V}@x\n }\n}\n", NULL,
	  "p@x q@x" },
	{ "x",
	  "global_defs {\n notification_email {\n  ~LST({A, B}, {1, 2}, {3, 4}) ${A}${B}@x\n "
	  "}\n}\n",
	  NULL, "12@x 34@x" },
	{ "x",
	  "global_defs {\n notification_email {\n  ~SEQ(I, 1, 2) ~SEQ(J, 1, 2) ${I}${J}@x\n }\n}\n",
	  NULL, "11@x 12@x 21@x 22@x" },
	/* $NAME needs a blank, ',', ')' or the line's end after it */
	{ "x", "global_defs {\n notification_email {\n  ~SEQ(I, 1, 1) a$I@x\n }\n}\n", NULL,
	  "a$I@x" },
	{ "lb7", "global_defs {\n router_id ${_INSTANCE}\n}\n", "lb7", "" },
	{ "x", "global_defs {\n router_id a${_HASH}b${_BANG}c\n}\n", "a#b!c", "" },
	{ "x", "global_defs {\n router_id x # comment\n}\n", "x", "" },
	{ "x", "global_defs {\n router_id a\\#b\n}\n", "a#b", "" },
	{ "x", "global_defs {\n router_id ${_RANDOM 7 7}\n}\n", "7", "" },
};

static void emails(const struct cfg_global *g, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < g->n_notification_email && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "",
					 g->notification_email[i]);
}

static void test_pp_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pp_cases) / sizeof(pp_cases[0]); i++) {
		const struct pp_case *c = &pp_cases[i];
		struct cfg_parse_opts o = { .config_id = c->id };
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse_ex(c->text, strlen(c->text), "pp.conf", &o, &d);
		char got[256];

		if (k == NULL) {
			cfg_diags_print(stderr, &d);
			fail_msg("case %zu: does not parse", i);
		}
		emails(&k->global, got, sizeof(got));
		if ((c->router_id == NULL) != (k->global.router_id == NULL) ||
		    (c->router_id != NULL && strcmp(c->router_id, k->global.router_id) != 0) ||
		    strcmp(got, c->emails) != 0)
			fail_msg("case %zu: router_id '%s' emails '%s'", i,
				 k->global.router_id ? k->global.router_id : "(none)", got);
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

static const struct err_case {
	const char *text;
	int line;
	const char *msg;
} err_cases[] = {
	{ "$A=x$A\nglobal_defs {\n router_id $A\n}\n", 3, "parameter substitution does not end" },
	{ "~SEQ(I, 1, 0, 3) router_id x\n", 1, "invalid ~SEQ" },
	{ "~SEQ(I, 3, 1, 1) router_id x\n", 1, "the step does not lead from start to end" },
	{ "~SEQ(I) router_id x\n", 1, "invalid ~SEQ" },
	{ "~SEQx(I, -1, 2) router_id x\n", 1, "only for numbers >= 0" },
	{ "~LST(X) router_id x\n", 1, "invalid ~LST" },
	{ "~LST({A, B}, {1}) router_id x\n", 1, "does not give 2 values" },
	/* a line made by a definition is reported at the line that used it */
	{ "$B= \\\n vrrp_version 9\nglobal_defs {\n router_id r\n $B\n}\n", 5,
	  "vrrp_version 9 is out of range" },
	{ "global_defs {\n ~SEQ(I, 1, 4) vrrp_version $I\n}\n", 2,
	  "vrrp_version 4 is out of range" },
	/* a loop that makes no words still ends */
	{ "~SEQ(I, 0, 100000000) @nomatch x\n", 1, "make more than 4194304 lines" },
};

static void test_pp_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k =
		    cfg_keepalived_parse(c->text, strlen(c->text), "pp.conf", &d);
		bool found = false;

		for (size_t j = 0; j < d.n; j++)
			found |= d.v[j].severity == CFG_ERROR && d.v[j].line == c->line &&
				 strstr(d.v[j].msg, c->msg) != NULL;
		if (!found) {
			cfg_diags_print(stderr, &d);
			fail_msg("case %zu: no error at %d '%s'", i, c->line, c->msg);
		}
		assert_null(k);
		cfg_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pp_cases),
		cmocka_unit_test(test_pp_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
