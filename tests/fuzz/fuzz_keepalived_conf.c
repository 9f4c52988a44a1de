/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/config: the same bytes as keepalived.conf (with
 * include disabled, so input cannot make the parser read files) and as the
 * dataplane file, then cfg_check on whatever parsed and the diagnostics
 * printed. The parser must never crash, leak or hang, whatever the input.
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
 *       -Db_lundef=false
 *   ninja -C build-fuzz tests/fuzz/fuzz_keepalived_conf
 *   build-fuzz/tests/fuzz/fuzz_keepalived_conf -max_total_time=180 \
 *       tests/fuzz/corpus/keepalived_conf
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halb_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig's grammar (1.5, and upstream as of 1.7) has no %destructor:
 * when the token it stops at with a syntax error is a string or a name, the
 * scanner's copy of its text is never freed. That leak is libconfig's, one
 * token per failed parse; suppress exactly it, the memory of the scanner
 * (libconfig_yylex, and strbuf_append, its string builder, which the
 * unwinder often cannot see past since libconfig has no frame pointers), so
 * that every other leak, ours or the rest of libconfig's, still fails. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig_yylex\nleak:strbuf_append\n";
}

static FILE *sink(void)
{
	static FILE *devnull;

	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	return devnull;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_parse_opts opts = { .no_include = true };
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;
	struct cfg_dataplane *p;
	char *text;

	k = cfg_keepalived_parse_ex((const char *)data, size, "fuzz.conf", &opts, &d);
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = cfg_dataplane_parse(text, "fuzz.cfg", &d);
	if (k != NULL || p != NULL)
		cfg_check(k, p, &d);
	if (sink() != NULL)
		cfg_diags_print(sink(), &d);
	cfg_keepalived_free(k);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
	free(text);
	return 0;
}
