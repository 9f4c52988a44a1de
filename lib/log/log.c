/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The log sink. DPDK formats each message into a stdio stream and flushes it
 * once per message; a fopencookie() stream turns each flush into one syslog()
 * call at the message's level and, with -l, one line on stderr, and with -g
 * one line in the log file. Repeated lines pass the rate limiter first
 * (log_rate.c); its summaries go to the same places.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "halb_log.h"

static struct {
	int console; /* highest syslog priority (least urgent) shown on stderr; -1: none */
	bool syslog;
	char *file_path;
	FILE *file;
	FILE *stream;
	struct log_rate rate;
	pthread_mutex_t lock; /* the rate limiter and the log file */
} lg = { .console = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%a %b %e %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

/* One line to every sink; the caller holds lg.lock. */
static void emit_line(void *ctx, int prio, const char *line)
{
	char when[40];

	(void)ctx;
	if (lg.syslog)
		syslog(prio, "%s", line);
	if (prio > lg.console && lg.file == NULL)
		return;
	stamp(when, sizeof(when));
	if (prio <= lg.console)
		fprintf(stderr, "%s: %s\n", when, line);
	if (lg.file != NULL) {
		fprintf(lg.file, "%s: %s\n", when, line);
		fflush(lg.file);
	}
}

static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
	int level = rte_log_cur_msg_loglevel();
	int prio = LOG_INFO;
	size_t len = size;
	char line[1024];

	(void)cookie;
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	memcpy(line, buf, len);
	line[len] = '\0';
	/* rte_log levels are syslog's plus one. */
	if (level >= (int)RTE_LOG_EMERG && level <= (int)RTE_LOG_DEBUG)
		prio = level - 1;
	pthread_mutex_lock(&lg.lock);
	/* Debug lines are asked for (-D): never left out. */
	if (prio == LOG_DEBUG ||
	    log_rate_admit(&lg.rate, line, len, prio, now_ms(), emit_line, NULL))
		emit_line(NULL, prio, line);
	pthread_mutex_unlock(&lg.lock);
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

static FILE *file_open(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (f != NULL)
		setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int log_setup(const struct log_options *o, char *err, size_t errlen)
{
	cookie_io_functions_t io = { .write = log_write };

	pthread_mutex_lock(&lg.lock);
	lg.console = o->console ? LOG_DEBUG : -1;
	lg.syslog = !o->no_syslog;
	log_rate_init(&lg.rate, LOG_RATE_BURST, LOG_RATE_WINDOW_MS);
	free(lg.file_path);
	lg.file_path = NULL;
	if (o->file != NULL) {
		lg.file = file_open(o->file);
		lg.file_path = strdup(o->file);
		if (lg.file == NULL || lg.file_path == NULL) {
			pthread_mutex_unlock(&lg.lock);
			return log_error(err, errlen, "cannot open the log file %s: %s", o->file,
					 strerror(errno ? errno : ENOMEM));
		}
	}
	pthread_mutex_unlock(&lg.lock);
	openlog(o->ident, LOG_PID | LOG_NDELAY, o->facility);
	if (o->detail)
		rte_log_set_level_pattern("halb.*", RTE_LOG_DEBUG);
	lg.stream = fopencookie(NULL, "w", io);
	if (lg.stream == NULL)
		return log_error(err, errlen, "cannot make the log stream: %s", strerror(errno));
	return rte_openlog_stream(lg.stream) == 0
		   ? 0
		   : log_error(err, errlen, "DPDK refused the log stream");
}

int log_open(const char *ident, bool console, bool detail)
{
	struct log_options o = {
		.ident = ident, .console = console, .detail = detail, .facility = LOG_DAEMON
	};
	char err[256];

	return log_setup(&o, err, sizeof(err));
}

void log_console(int max_prio)
{
	pthread_mutex_lock(&lg.lock);
	lg.console = max_prio;
	pthread_mutex_unlock(&lg.lock);
}

void log_reopen(void)
{
	FILE *f;

	pthread_mutex_lock(&lg.lock);
	if (lg.file_path != NULL && (f = file_open(lg.file_path)) != NULL) {
		if (lg.file != NULL)
			fclose(lg.file);
		lg.file = f;
	}
	pthread_mutex_unlock(&lg.lock);
}

void log_tick(void)
{
	pthread_mutex_lock(&lg.lock);
	log_rate_tick(&lg.rate, now_ms(), emit_line, NULL);
	pthread_mutex_unlock(&lg.lock);
}

void log_close(void)
{
	rte_openlog_stream(NULL);
	if (lg.stream != NULL)
		fclose(lg.stream);
	lg.stream = NULL;
	pthread_mutex_lock(&lg.lock);
	/* Whatever was left out is said before the end. */
	log_rate_tick(&lg.rate, UINT64_MAX / 2, emit_line, NULL);
	if (lg.file != NULL)
		fclose(lg.file);
	lg.file = NULL;
	free(lg.file_path);
	lg.file_path = NULL;
	pthread_mutex_unlock(&lg.lock);
	closelog();
}

int log_facility_parse(const char *s, int *facility)
{
	static const int local[8] = { LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
				      LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };

	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0') {
		*facility = local[s[0] - '0'];
		return 0;
	}
	if (strncmp(s, "local", 5) == 0 && s[5] >= '0' && s[5] <= '7' && s[6] == '\0') {
		*facility = local[s[5] - '0'];
		return 0;
	}
	if (strcmp(s, "user") == 0) {
		*facility = LOG_USER;
		return 0;
	}
	if (strcmp(s, "daemon") == 0) {
		*facility = LOG_DAEMON;
		return 0;
	}
	return -1;
}
