/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALBCTL_FMT_H
#define HALBCTL_FMT_H

/**
 * @file
 * What every view needs: reading fields of a reply that may be missing or of
 * the wrong type, turning them into text ("-" for anything missing, control
 * characters masked), and printing aligned tables. Nothing here fails on odd
 * JSON: a field that is not what the contract says reads as missing.
 * Out of memory ends the program (exit 1) with a message.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/** What a view prints for a field the reply does not have. */
#define FMT_MISSING "-"

/** Size of the buffers the fmt_* functions write into. */
#define FMT_LEN 256

/** The string value of obj.key, or NULL when missing or not a string. */
const char *jv_str(const json_t *obj, const char *key);

/** obj.key as an integer (a real with no fraction counts); false if missing. */
bool jv_int(const json_t *obj, const char *key, long long *out);

/** obj.key as a number, integer or real; false if missing. */
bool jv_num(const json_t *obj, const char *key, double *out);

/** obj.key: 1 for true, 0 for false, -1 when missing or not a boolean. */
int jv_bool(const json_t *obj, const char *key);

/** The array obj.key, or NULL; json_array_size(NULL) is 0, so loops just work. */
json_t *jv_array(const json_t *obj, const char *key);

/**
 * s cut to FMT_LEN - 1 bytes, control characters masked as '?' so a reply
 * cannot drive the terminal. @return buf, which holds at least FMT_LEN bytes.
 */
const char *fmt_text(const char *s, char *buf);

/**
 * Any scalar as text: strings as they are (control characters as '?'),
 * integers in decimal, reals with up to 15 significant digits, booleans as
 * yes/no; FMT_MISSING for NULL, null, objects and arrays.
 * @return buf (always written), which holds at least FMT_LEN bytes.
 */
const char *fmt_scalar(const json_t *v, char *buf);

/** fmt_scalar() of obj.key. */
const char *fmt_field(const json_t *obj, const char *key, char *buf);

/** "ADDR:PORT", "[ADDR]:PORT" for IPv6; FMT_MISSING for a missing part. */
const char *fmt_addr_port(const json_t *obj, const char *addr_key, const char *port_key, char *buf);

/** Seconds since the epoch as local "YYYY-MM-DD HH:MM:SS.mmm", or FMT_MISSING. */
const char *fmt_time(const json_t *obj, const char *key, char *buf);

/** A duration as "42s", "3m 12s", "5h 3m" or "2d 5h". */
const char *fmt_duration(double seconds, char *buf);

/**
 * The elements of an array joined with sep (each through fmt_scalar), or
 * FMT_MISSING when it is not an array; empty_text for an empty one.
 * @return a malloc'd string the caller frees.
 */
char *fmt_join(const json_t *arr, const char *sep, const char *empty_text);

/**
 * The members of an object as "key value" pairs joined with sep (values
 * through fmt_scalar), empty_text for an empty object, FMT_MISSING when it is
 * not an object. @return a malloc'd string the caller frees.
 */
char *fmt_pairs(const json_t *obj, const char *kv_sep, const char *sep, const char *empty_text);

/** malloc() that ends the program with a message when memory runs out. */
void *xmalloc(size_t size);
/** strdup() likewise. */
char *xstrdup(const char *s);

/**
 * A table printed with each column as wide as its widest cell, two spaces
 * apart; the last column is not padded so lines carry no trailing blanks.
 */
struct table {
	size_t ncols;
	const char *const *head; /**< ncols column titles, not copied; NULL: no title line */
	const char *align;       /**< ncols characters: 'l' left, 'r' right */
	char **cells;            /**< nrows * ncols copies */
	size_t nrows;
	size_t cap;
};

/** Starts an empty table; head and align must outlive it. */
void table_init(struct table *t, size_t ncols, const char *const *head, const char *align);

/** Appends a row of ncols cells (copied; NULL prints as FMT_MISSING). */
void table_add(struct table *t, const char *const *cells);

/** Prints the titles and rows, each line prefixed with indent. */
void table_print(const struct table *t, FILE *out, const char *indent);

/** Frees the copied cells. */
void table_free(struct table *t);

/** How kv_print() renders one field. */
enum kv_kind {
	KV_PLAIN,    /**< fmt_scalar() */
	KV_TIME,     /**< fmt_time(): seconds since the epoch */
	KV_DURATION, /**< fmt_duration(): seconds */
};

/** One line of a label/value listing: the field, its label, how to show it. */
struct kv_field {
	const char *key;
	const char *label;
	enum kv_kind kind;
};

/**
 * Adds the given fields of obj to a two-column table as (label, value) rows,
 * in order, "-" for a missing one; then every other scalar member of obj
 * under its own name, so fields a newer halb adds are not hidden.
 */
void kv_fill(struct table *t, const json_t *obj, const struct kv_field *fields, size_t n);

/**
 * Prints the given fields of obj as "label  value" lines, in order, "-" for a
 * missing one; then every other scalar member of obj under its own name, so
 * fields a newer halb adds are not hidden.
 * @param align
 *   "ll" or "lr": how to align the values (numbers read better on the right).
 */
void kv_print(FILE *out, const json_t *obj, const struct kv_field *fields, size_t n,
	      const char *align, const char *indent);

#endif /* HALBCTL_FMT_H */
