/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_NOTIFY_H
#define HALB_NOTIFY_H

/**
 * @file
 * Mail alerts, as keepalived's smtp_alert: one message per event to each
 * notification_email address, from notification_email_from, through
 * smtp_server within smtp_connect_timeout.
 *
 * Each message is sent by libcurl on a short-lived thread of its own, so a
 * slow or dead SMTP server never blocks the control core; the outcome is
 * logged. At most NOTIFY_MAIL_MAX messages are in flight; more are dropped
 * with a log line rather than queued without bound.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NOTIFY_MAIL_MAX 16

struct notify_mail {
	uint32_t server;         /**< IPv4, host order */
	uint16_t port;           /**< 25 unless set */
	unsigned int timeout_ms; /**< smtp_connect_timeout */
	const char *helo;        /**< NULL: this host's name */
	const char *from;
	const char *const *to;
	size_t n_to;
	const char *subject;
	const char *body;
};

/**
 * Sends m (copied) in the background.
 * @return 0 when the message was handed to a sender thread, -1 when too many
 *   are in flight or memory ran out (logged).
 */
int notify_mail_send(const struct notify_mail *m);

/** Waits up to timeout_ms for the messages in flight (at shutdown).
 * @return how many are still in flight. */
unsigned int notify_mail_drain(unsigned int timeout_ms);

/** Formats the Date header value of now (RFC 5322) into buf. */
void notify_mail_date(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* HALB_NOTIFY_H */
