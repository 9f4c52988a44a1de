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

/**
 * Routes every DPDK and halb log line to syslog with the given ident and,
 * when console is true, to stderr with a timestamp. detail lowers every
 * halb.* type to DEBUG (keepalived's -D).
 * @return 0, or -1 when the stream could not be made (logs stay on stderr).
 */
int log_open(const char *ident, bool console, bool detail);

/** Restores stderr logging and closes syslog. */
void log_close(void);

#ifdef __cplusplus
}
#endif

#endif /* HALB_LOG_H */
