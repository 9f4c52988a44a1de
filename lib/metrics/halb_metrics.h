/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_METRICS_H
#define HALB_METRICS_H

/**
 * @file
 * Prometheus metrics: the text exposition format (version 0.0.4) and the
 * HTTP server that serves it at /metrics. The server is libmicrohttpd with
 * its own thread, a bounded number of clients and a timeout for each, on an
 * ordinary kernel socket (on a director, reached through the TAP). Each
 * scrape calls the owner's render function on that thread; the owner takes
 * its numbers quickly (copies under its lock) and writes them with the
 * metrics_buf functions below, one family at a time (HELP, TYPE, samples),
 * as the format requires. Nothing here knows DPDK or halb's state.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A growing text buffer; an allocation failure makes it fail as a whole. */
struct metrics_buf {
	char *text;
	size_t len, cap;
	bool failed;
};

/** One label: name="value" (value escaped as the format asks). */
struct metrics_label {
	const char *name;
	const char *value;
};

enum metrics_type {
	METRICS_COUNTER,
	METRICS_GAUGE,
};

/** Starts a family: "# HELP name help" and "# TYPE name type". */
void metrics_family(struct metrics_buf *b, const char *name, enum metrics_type type,
		    const char *help);

/** One sample of the current family: name{labels} value. */
void metrics_sample(struct metrics_buf *b, const char *name, const struct metrics_label *labels,
		    size_t n_labels, double value);

/** Same with an exact 64-bit integer value (counters past 2^53). */
void metrics_sample_u64(struct metrics_buf *b, const char *name, const struct metrics_label *labels,
			size_t n_labels, uint64_t value);

void metrics_buf_free(struct metrics_buf *b);

/** Fills b for one scrape. @return 0, or -1 (the scrape gets a 500). */
typedef int (*metrics_render_fn)(void *ctx, struct metrics_buf *b);

struct metrics_server;

/**
 * Listens on addr:port (host order; addr 0: every address) and serves
 * GET /metrics from render(ctx) on a thread of its own.
 * @return the server, or NULL with the reason in err.
 */
struct metrics_server *metrics_start(uint32_t addr, uint16_t port, metrics_render_fn render,
				     void *ctx, char *err, size_t errlen);

/** Stops serving: waits for a scrape in progress, closes the socket. */
void metrics_stop(struct metrics_server *s);

#ifdef __cplusplus
}
#endif

#endif /* HALB_METRICS_H */
