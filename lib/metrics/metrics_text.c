/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus text exposition format, version 0.0.4: families of
 * "# HELP", "# TYPE" and samples `name{label="value",...} value`. Label
 * values escape backslash, double quote and newline; HELP text escapes
 * backslash and newline. Integer counters are written exactly.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halb_metrics.h"

static bool reserve(struct metrics_buf *b, size_t more)
{
	size_t cap;
	char *t;

	if (b->failed)
		return false;
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	t = realloc(b->text, cap);
	if (t == NULL) {
		b->failed = true;
		return false;
	}
	b->text = t;
	b->cap = cap;
	return true;
}

static void put(struct metrics_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
}

static void puts_(struct metrics_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3))) putf(struct metrics_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Escapes \ and newline, and " too when quote is set. */
static void put_escaped(struct metrics_buf *b, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			puts_(b, "\\\\");
		else if (*s == '\n')
			puts_(b, "\\n");
		else if (*s == '"' && quote)
			puts_(b, "\\\"");
		else
			put(b, s, 1);
	}
}

void metrics_family(struct metrics_buf *b, const char *name, enum metrics_type type,
		    const char *help)
{
	puts_(b, "# HELP ");
	puts_(b, name);
	puts_(b, " ");
	put_escaped(b, help, false);
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	puts_(b, type == METRICS_COUNTER ? " counter\n" : " gauge\n");
}

static void put_name_labels(struct metrics_buf *b, const char *name,
			    const struct metrics_label *labels, size_t n)
{
	puts_(b, name);
	if (n == 0)
		return;
	puts_(b, "{");
	for (size_t i = 0; i < n; i++) {
		if (i)
			puts_(b, ",");
		puts_(b, labels[i].name);
		puts_(b, "=\"");
		put_escaped(b, labels[i].value, true);
		puts_(b, "\"");
	}
	puts_(b, "}");
}

void metrics_sample(struct metrics_buf *b, const char *name, const struct metrics_label *labels,
		    size_t n_labels, double value)
{
	put_name_labels(b, name, labels, n_labels);
	if (isnan(value))
		puts_(b, " NaN\n");
	else if (isinf(value))
		puts_(b, value > 0 ? " +Inf\n" : " -Inf\n");
	else if (value == (double)(int64_t)value && fabs(value) < 9e15)
		putf(b, " %" PRId64 "\n", (int64_t)value);
	else
		putf(b, " %.17g\n", value);
}

void metrics_sample_u64(struct metrics_buf *b, const char *name, const struct metrics_label *labels,
			size_t n_labels, uint64_t value)
{
	put_name_labels(b, name, labels, n_labels);
	putf(b, " %" PRIu64 "\n", value);
}

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->text);
	*b = (struct metrics_buf){ 0 };
}
