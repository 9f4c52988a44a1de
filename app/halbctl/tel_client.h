/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALBCTL_TEL_CLIENT_H
#define HALBCTL_TEL_CLIENT_H

/**
 * @file
 * The client side of DPDK's telemetry protocol (v2), as halb serves it:
 * a SOCK_SEQPACKET Unix socket that greets each client with one JSON object
 * ({"version", "pid", "max_output_len"}), then answers each command message
 * ("/path" or "/path,params") with one message {"/path": VALUE}.
 * Every wait is bounded by a timeout so a hung daemon never hangs the caller.
 * Not thread-safe: one connection per thread.
 */

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/** Smallest reply buffer, whatever the greeting says (DPDK's own limit). */
#define TEL_MIN_REPLY_LEN (16u * 1024u)
/** Largest reply halbctl accepts (halb's documented limit). */
#define TEL_MAX_REPLY_LEN (1024u * 1024u)

enum tel_status {
	TEL_OK = 0,
	TEL_ECONNECT,  /**< socket()/connect() failed; tel_conn.sys_errno says why */
	TEL_EIO,       /**< send/recv failed, or the daemon closed the connection */
	TEL_ETIMEDOUT, /**< no greeting or no reply within the timeout */
	TEL_EPROTO,    /**< a message that is not JSON or not of the expected shape */
	TEL_ENULL,     /**< the reply value is null: the command is unknown */
	TEL_EREPLY,    /**< the reply value is {"error": "..."} */
};

struct tel_conn {
	int fd;
	int timeout_ms;
	int sys_errno;     /**< errno of the last TEL_ECONNECT or TEL_EIO */
	long daemon_pid;   /**< from the greeting, -1 if absent */
	size_t max_output; /**< max_output_len from the greeting, 0 if absent */
	size_t buf_len;    /**< size of buf: max_output clamped to the limits above */
	char *buf;         /**< receive buffer, one message */
	char message[512]; /**< what went wrong, for the last failed call */
	bool restart;      /**< the last TEL_EREPLY said "restart": true (a paged
			    * listing met a reload: start it again) */
};

/**
 * Connects to the telemetry socket at path and reads the greeting.
 * @param c
 *   Filled in; release it with tel_close() whatever this returns.
 * @param timeout_ms
 *   Bound on connect, on the greeting and on each later reply.
 * @return TEL_OK, or a tel_status with c->message (and for TEL_ECONNECT,
 *   c->sys_errno) saying what failed.
 */
enum tel_status tel_open(struct tel_conn *c, const char *path, int timeout_ms);

/**
 * Sends one command and returns the value of its reply.
 * @param cmd
 *   "/path" or "/path,params".
 * @param value
 *   On TEL_OK, a new reference the caller releases with json_decref();
 *   otherwise NULL.
 * @return TEL_OK or a tel_status with c->message set.
 */
enum tel_status tel_query(struct tel_conn *c, const char *cmd, json_t **value);

/** Closes the socket and frees the buffer; safe on a connection that failed. */
void tel_close(struct tel_conn *c);

#endif /* HALBCTL_TEL_CLIENT_H */
