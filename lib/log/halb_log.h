/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_LOG_H
#define HALB_LOG_H

/**
 * @file
 * Logging for every component: one rte_log type per component ("halb.vrrp",
 * "halb.check", ...) so levels are set at run time, and one sink that sends
 * each line to syslog (ident "halb") and, with -l, to stderr.
 *
 * Components declare their type once in a .c file:
 *     RTE_LOG_REGISTER(halb_logtype_vrrp, halb.vrrp, INFO);
 * and log with HALB_LOG(vrrp, NOTICE, "(%s) Entering MASTER STATE", name).
 * Logging works before the EAL is up (lines go to stderr until log_open()).
 * Never call it per packet: workers count, the control core logs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_log.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HALB_LOG(comp, level, fmt, ...) \
	rte_log(RTE_LOG_##level, halb_logtype_##comp, fmt "\n", ##__VA_ARGS__)

/** Declares a component's log type (defined with RTE_LOG_REGISTER). */
#define HALB_LOG_DECLARE(comp) extern int halb_logtype_##comp

/**
 * Formats an error message into buf (len bytes) for a caller to report.
 * @return -1, so that `return log_error(err, errlen, "...")` fails a call.
 */
int log_error(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Where log lines go (keepalived's -l, -D, -S, -G, -g). */
struct log_options {
	const char *ident; /**< syslog ident ("halb") */
	bool console;      /**< also stderr, with a timestamp (-l); see log_console() */
	bool detail;       /**< every halb.* type at DEBUG (-D) */
	bool no_syslog;    /**< not to syslog (-G) */
	int facility;      /**< syslog facility (LOG_DAEMON, LOG_LOCAL0...) */
	const char *file;  /**< also this file, appended to (-g); NULL: none */
};

/**
 * Routes every DPDK and halb log line to syslog (o->facility, o->ident) and
 * to stderr and a log file as o asks. Repeated lines are rate-limited
 * (log_rate.c): past LOG_RATE_BURST copies of one line within
 * LOG_RATE_WINDOW_MS, copies are counted and summed up in one line
 * "last message repeated N times: LINE" when the window closes.
 * @return 0, or -1 with the reason in err (the log file cannot be opened,
 *   the stream cannot be made; logs stay on stderr).
 */
int log_setup(const struct log_options *o, char *err, size_t errlen);

/** log_setup() with the ident, console and detail flags only, to syslog's
 * daemon facility. */
int log_open(const char *ident, bool console, bool detail);

/**
 * Which lines also go to stderr: those at syslog priority max_prio or more
 * urgent (LOG_DEBUG: all, as -l; LOG_WARNING: problems only, what a
 * start-up in the foreground shows; -1: none).
 */
void log_console(int max_prio);

/** Reopens the log file (after logrotate moved it: SIGHUP). */
void log_reopen(void);

/** Writes the summaries of rate-limited lines whose window has closed; the
 * control core calls it every second. Thread-safe. */
void log_tick(void);

/** Restores stderr logging, writes pending summaries, closes syslog and the
 * log file. */
void log_close(void);

/**
 * Parses a syslog facility as keepalived's -S takes it: 0..7 (local0..7),
 * "local0".."local7", "user" or "daemon".
 * @return 0 with *facility set, or -1.
 */
int log_facility_parse(const char *s, int *facility);

/* ------------------------------------------------------- rate limiting */

#define LOG_RATE_SLOTS     64    /**< distinct lines followed at once */
#define LOG_RATE_TEXT      256   /**< bytes of a line kept for its summary */
#define LOG_RATE_BURST     5     /**< copies of a line logged per window */
#define LOG_RATE_WINDOW_MS 60000 /**< the window, from a line's first copy */

struct log_rate_slot {
	uint64_t hash;       /**< of the whole line; 0: free */
	uint64_t since_ms;   /**< start of the window */
	uint32_t seen;       /**< copies in the window */
	uint32_t suppressed; /**< copies not logged */
	int prio;            /**< syslog priority of the line */
	char text[LOG_RATE_TEXT];
};

/** The rate limiter's state: pure, driven by the caller's clock. */
struct log_rate {
	unsigned int burst;
	uint64_t window_ms;
	struct log_rate_slot slot[LOG_RATE_SLOTS];
};

/** Receives a summary: "last message repeated N times: TEXT". */
typedef void (*log_rate_emit_fn)(void *ctx, int prio, const char *summary);

void log_rate_init(struct log_rate *r, unsigned int burst, uint64_t window_ms);

/**
 * Whether one line (len bytes, no newline) at syslog priority prio may be
 * logged at now_ms. A line that replaces a followed one whose copies were
 * suppressed, or whose own window has closed, first has emit called with
 * the summary of the earlier copies.
 */
bool log_rate_admit(struct log_rate *r, const char *line, size_t len, int prio, uint64_t now_ms,
		    log_rate_emit_fn emit, void *ctx);

/** Emits the summaries of windows closed at now_ms and forgets those lines. */
void log_rate_tick(struct log_rate *r, uint64_t now_ms, log_rate_emit_fn emit, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* HALB_LOG_H */
