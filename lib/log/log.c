/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The log sink. DPDK formats each message into a stdio stream and flushes it
 * once per message; a fopencookie() stream turns each flush into one syslog()
 * call at the message's level and, with -l, one line on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "halb_log.h"

static bool log_console;
static FILE *log_stream;

static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
	int level = rte_log_cur_msg_loglevel();
	int prio = LOG_INFO;
	size_t len = size;

	(void)cookie;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	/* rte_log levels are syslog's plus one. */
	if (level >= (int)RTE_LOG_EMERG && level <= (int)RTE_LOG_DEBUG)
		prio = level - 1;
	syslog(prio, "%.*s", (int)len, buf);
	if (log_console) {
		char stamp[32];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%a %b %e %H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld: %.*s\n", stamp, ts.tv_nsec / 1000000, (int)len, buf);
	}
	return (ssize_t)size;
}

int log_error(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

int log_open(const char *ident, bool console, bool detail)
{
	cookie_io_functions_t io = { .write = log_write };

	log_console = console;
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	if (detail)
		rte_log_set_level_pattern("halb.*", RTE_LOG_DEBUG);
	log_stream = fopencookie(NULL, "w", io);
	if (log_stream == NULL)
		return -1;
	return rte_openlog_stream(log_stream);
}

void log_close(void)
{
	rte_openlog_stream(NULL);
	if (log_stream != NULL)
		fclose(log_stream);
	log_stream = NULL;
	closelog();
}
