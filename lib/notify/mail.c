/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMTP alerts through libcurl. The message is formatted once (headers and
 * body) and streamed to curl from memory; each send runs on a detached
 * thread that logs the result and frees the copy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "halb_log.h"
#include "halb_notify.h"

RTE_LOG_REGISTER(halb_logtype_notify, halb.notify, INFO);
HALB_LOG_DECLARE(notify);

struct mail_job {
	char url[192];
	char from[256];
	struct curl_slist *rcpt;
	char *text; /* headers and body */
	size_t len, sent;
	long timeout_ms;
	char subject[256];
};

static pthread_mutex_t flight_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flight_done = PTHREAD_COND_INITIALIZER;
static unsigned int in_flight;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void notify_mail_date(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S %z", &tm);
}

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct mail_job *j = userp;
	size_t room = size * nmemb, n = j->len - j->sent;

	if (n > room)
		n = room;
	memcpy(ptr, j->text + j->sent, n);
	j->sent += n;
	return n;
}

static void job_free(struct mail_job *j)
{
	curl_slist_free_all(j->rcpt);
	free(j->text);
	free(j);
}

static void *mail_thread(void *arg)
{
	struct mail_job *j = arg;
	CURL *curl = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;

	if (curl != NULL) {
		curl_easy_setopt(curl, CURLOPT_URL, j->url);
		curl_easy_setopt(curl, CURLOPT_MAIL_FROM, j->from);
		curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, j->rcpt);
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(curl, CURLOPT_READDATA, j);
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, j->timeout_ms);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, j->timeout_ms * 2);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		rc = curl_easy_perform(curl);
		curl_easy_cleanup(curl);
	}
	if (rc == CURLE_OK)
		HALB_LOG(notify, INFO, "SMTP alert sent: %s", j->subject);
	else
		HALB_LOG(notify, WARNING, "SMTP alert not sent (%s): %s", j->url,
			 curl_easy_strerror(rc));
	job_free(j);
	pthread_mutex_lock(&flight_lock);
	in_flight--;
	pthread_cond_broadcast(&flight_done);
	pthread_mutex_unlock(&flight_lock);
	return NULL;
}

static char *format_message(const struct notify_mail *m, size_t *len)
{
	char date[64], *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (f == NULL)
		return NULL;
	notify_mail_date(date, sizeof(date));
	fprintf(f, "From: %s\r\n", m->from);
	for (size_t i = 0; i < m->n_to; i++)
		fprintf(f, "%s%s", i == 0 ? "To: " : ", ", m->to[i]);
	fprintf(f, "\r\nSubject: %s\r\nDate: %s\r\nX-Mailer: halb\r\n\r\n", m->subject, date);
	for (const char *p = m->body; *p != '\0'; p++) {
		/* SMTP lines end in CRLF */
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			fputc('\r', f);
		fputc(*p, f);
	}
	fputs("\r\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*len = size;
	return text;
}

int notify_mail_send(const struct notify_mail *m)
{
	struct mail_job *j;
	pthread_attr_t attr;
	pthread_t t;
	char host[128];

	pthread_once(&curl_once, curl_setup);
	pthread_mutex_lock(&flight_lock);
	if (in_flight >= NOTIFY_MAIL_MAX) {
		pthread_mutex_unlock(&flight_lock);
		HALB_LOG(notify, WARNING, "SMTP alert dropped, %u already in flight: %s", in_flight,
			 m->subject);
		return -1;
	}
	in_flight++;
	pthread_mutex_unlock(&flight_lock);

	j = calloc(1, sizeof(*j));
	if (j == NULL)
		goto fail;
	if (m->helo == NULL && gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(j->url, sizeof(j->url), "smtp://%u.%u.%u.%u:%u/%s", m->server >> 24,
		 (m->server >> 16) & 255, (m->server >> 8) & 255, m->server & 255,
		 m->port ? m->port : 25, m->helo ? m->helo : host);
	snprintf(j->from, sizeof(j->from), "<%s>", m->from);
	snprintf(j->subject, sizeof(j->subject), "%s", m->subject);
	j->timeout_ms = m->timeout_ms ? (long)m->timeout_ms : 30000;
	for (size_t i = 0; i < m->n_to; i++) {
		char rcpt[512];
		struct curl_slist *l;

		snprintf(rcpt, sizeof(rcpt), "<%s>", m->to[i]);
		l = curl_slist_append(j->rcpt, rcpt);
		if (l == NULL)
			goto fail;
		j->rcpt = l;
	}
	j->text = format_message(m, &j->len);
	if (j->text == NULL)
		goto fail;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, mail_thread, j) != 0) {
		pthread_attr_destroy(&attr);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	return 0;
fail:
	if (j != NULL)
		job_free(j);
	pthread_mutex_lock(&flight_lock);
	in_flight--;
	pthread_mutex_unlock(&flight_lock);
	HALB_LOG(notify, ERR, "SMTP alert not sent: out of memory or threads: %s", m->subject);
	return -1;
}

unsigned int notify_mail_drain(unsigned int timeout_ms)
{
	struct timespec until;
	unsigned int left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&flight_lock);
	while (in_flight > 0 && pthread_cond_timedwait(&flight_done, &flight_lock, &until) == 0)
		;
	left = in_flight;
	pthread_mutex_unlock(&flight_lock);
	return left;
}
