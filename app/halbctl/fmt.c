/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Field access and text for the views. The jv_* readers treat a field of the
 * wrong type as missing, so a reply from a newer or broken daemon prints "-"
 * where it does not match rather than crashing or printing garbage. The
 * fmt_* writers produce bounded text in caller buffers (FMT_LEN bytes) or,
 * for lists of unknown length, malloc'd strings built with open_memstream().
 * The table at the bottom sizes columns from the cells it was given.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL) {
		fputs("halbctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

const char *jv_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool jv_int(const json_t *obj, const char *key, long long *out)
{
	const json_t *v = json_object_get(obj, key);
	double d;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	d = json_real_value(v);
	if (d != floor(d) || fabs(d) > 9.0e18)
		return false;
	*out = (long long)d;
	return true;
}

bool jv_num(const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

int jv_bool(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		return -1;
	return json_is_true(v);
}

json_t *jv_array(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_array(v) ? v : NULL;
}

const char *fmt_text(const char *s, char *buf)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < FMT_LEN - 1; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

const char *fmt_scalar(const json_t *v, char *buf)
{
	const char *word = FMT_MISSING;

	/* json_typeof() would dereference NULL */
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		return fmt_text(json_string_value(v), buf);
	case JSON_INTEGER:
		snprintf(buf, FMT_LEN, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	case JSON_REAL:
		snprintf(buf, FMT_LEN, "%.15g", json_real_value(v));
		return buf;
	case JSON_TRUE:
		word = "yes";
		break;
	case JSON_FALSE:
		word = "no";
		break;
	default:
		break;
	}
	snprintf(buf, FMT_LEN, "%s", word);
	return buf;
}

const char *fmt_field(const json_t *obj, const char *key, char *buf)
{
	return fmt_scalar(json_object_get(obj, key), buf);
}

const char *fmt_addr_port(const json_t *obj, const char *addr_key, const char *port_key, char *buf)
{
	char addr[FMT_LEN], port[FMT_LEN];
	const char *a = fmt_field(obj, addr_key, addr);
	const char *p = fmt_field(obj, port_key, port);

	if (strchr(a, ':') != NULL)
		snprintf(buf, FMT_LEN, "[%s]:%s", a, p);
	else
		snprintf(buf, FMT_LEN, "%s:%s", a, p);
	return buf;
}

const char *fmt_time(const json_t *obj, const char *key, char *buf)
{
	double t, whole;
	struct tm tm;
	time_t secs;
	int ms;

	if (!jv_num(obj, key, &t) || !isfinite(t) || t < 0 || t > 1e12)
		return FMT_MISSING;
	ms = (int)lround(modf(t, &whole) * 1000);
	secs = (time_t)whole;
	if (ms >= 1000) {
		secs++;
		ms -= 1000;
	}
	if (localtime_r(&secs, &tm) == NULL)
		return FMT_MISSING;
	strftime(buf, FMT_LEN, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + strlen(buf), FMT_LEN - strlen(buf), ".%03d", ms);
	return buf;
}

const char *fmt_duration(double seconds, char *buf)
{
	unsigned long long s;

	if (!isfinite(seconds) || seconds < 0) {
		snprintf(buf, FMT_LEN, "%s", FMT_MISSING);
		return buf;
	}
	if (seconds < 10 && seconds != floor(seconds)) {
		snprintf(buf, FMT_LEN, "%.1fs", seconds);
		return buf;
	}
	s = (unsigned long long)seconds;
	if (s < 60)
		snprintf(buf, FMT_LEN, "%llus", s);
	else if (s < 3600)
		snprintf(buf, FMT_LEN, "%llum %llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, FMT_LEN, "%lluh %llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, FMT_LEN, "%llud %lluh", s / 86400, s % 86400 / 3600);
	return buf;
}

/* open_memstream() with the out-of-memory policy of xmalloc(). */
static FILE *memstream(char **text, size_t *len)
{
	FILE *m = open_memstream(text, len);

	if (m == NULL) {
		fputs("halbctl: out of memory\n", stderr);
		exit(1);
	}
	return m;
}

char *fmt_join(const json_t *arr, const char *sep, const char *empty_text)
{
	char *text = NULL;
	char buf[FMT_LEN];
	size_t i, len;
	FILE *m;

	if (!json_is_array(arr))
		return xstrdup(FMT_MISSING);
	if (json_array_size(arr) == 0)
		return xstrdup(empty_text);
	m = memstream(&text, &len);
	for (i = 0; i < json_array_size(arr); i++)
		fprintf(m, "%s%s", i ? sep : "", fmt_scalar(json_array_get(arr, i), buf));
	fclose(m);
	return text;
}

char *fmt_pairs(const json_t *obj, const char *kv_sep, const char *sep, const char *empty_text)
{
	char *text = NULL;
	char kbuf[FMT_LEN], vbuf[FMT_LEN];
	const char *key;
	json_t *v;
	bool first = true;
	size_t len;
	FILE *m;

	if (!json_is_object(obj))
		return xstrdup(FMT_MISSING);
	if (json_object_size(obj) == 0)
		return xstrdup(empty_text);
	m = memstream(&text, &len);
	json_object_foreach((json_t *)obj, key, v)
	{
		fprintf(m, "%s%s%s%s", first ? "" : sep, fmt_text(key, kbuf), kv_sep,
			fmt_scalar(v, vbuf));
		first = false;
	}
	fclose(m);
	return text;
}

void table_init(struct table *t, size_t ncols, const char *const *head, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->head = head;
	t->align = align;
}

void table_add(struct table *t, const char *const *cells)
{
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));

		if (grown == NULL) {
			fputs("halbctl: out of memory\n", stderr);
			exit(1);
		}
		t->cells = grown;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] ? cells[i] : FMT_MISSING);
	t->nrows++;
}

static void table_line(const struct table *t, FILE *out, const char *indent,
		       const char *const *cells, const size_t *width)
{
	size_t i;

	fputs(indent, out);
	for (i = 0; i < t->ncols; i++) {
		const char *sep = i + 1 < t->ncols ? "  " : "";

		if (t->align[i] == 'r')
			fprintf(out, "%*s%s", (int)width[i], cells[i], sep);
		else if (i + 1 < t->ncols)
			fprintf(out, "%-*s%s", (int)width[i], cells[i], sep);
		else
			fputs(cells[i], out);
	}
	fputc('\n', out);
}

void table_print(const struct table *t, FILE *out, const char *indent)
{
	size_t *width = xmalloc(t->ncols * sizeof(*width));
	size_t r, i;

	for (i = 0; i < t->ncols; i++) {
		width[i] = t->head ? strlen(t->head[i]) : 0;
		for (r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->cells[r * t->ncols + i]);

			if (n > width[i])
				width[i] = n;
		}
	}
	if (t->head != NULL)
		table_line(t, out, indent, t->head, width);
	for (r = 0; r < t->nrows; r++)
		table_line(t, out, indent, (const char *const *)&t->cells[r * t->ncols], width);
	free(width);
}

void table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

static bool kv_known(const struct kv_field *fields, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(fields[i].key, key) == 0)
			return true;
	return false;
}

static const char *kv_value(const json_t *obj, const struct kv_field *f, char *buf)
{
	double d;

	switch (f->kind) {
	case KV_TIME:
		return fmt_time(obj, f->key, buf);
	case KV_DURATION:
		return jv_num(obj, f->key, &d) ? fmt_duration(d, buf) : FMT_MISSING;
	default:
		return fmt_field(obj, f->key, buf);
	}
}

void kv_fill(struct table *t, const json_t *obj, const struct kv_field *fields, size_t n)
{
	char buf[FMT_LEN], kbuf[FMT_LEN];
	const char *cells[2];
	const char *key;
	json_t *v;
	size_t i;

	for (i = 0; i < n; i++) {
		cells[0] = fields[i].label;
		cells[1] = kv_value(obj, &fields[i], buf);
		table_add(t, cells);
	}
	/* Fields added by a newer halb still show, under their own names. */
	json_object_foreach((json_t *)obj, key, v)
	{
		if (kv_known(fields, n, key) || json_is_object(v) || json_is_array(v))
			continue;
		cells[0] = fmt_text(key, kbuf);
		cells[1] = fmt_scalar(v, buf);
		table_add(t, cells);
	}
}

void kv_print(FILE *out, const json_t *obj, const struct kv_field *fields, size_t n,
	      const char *align, const char *indent)
{
	struct table t;

	table_init(&t, 2, NULL, align);
	kv_fill(&t, obj, fields, n);
	table_print(&t, out, indent);
	table_free(&t);
}
