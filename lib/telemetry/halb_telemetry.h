/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_TELEMETRY_H
#define HALB_TELEMETRY_H

/**
 * @file
 * halb's telemetry socket. It speaks DPDK's telemetry protocol (v2) on the
 * path DPDK would use, /var/run/dpdk/<prefix>/dpdk_telemetry.v2, so
 * dpdk-telemetry.py and halbctl both work, but builds its replies with
 * jansson: DPDK 22.11's rte_telemetry cannot nest arrays of objects, and the
 * replies of the halb commands need them (docs/TELEMETRY.md). DPDK's own server keeps
 * running on a private path beside it; commands halb does not know are
 * passed to it and its reply relayed unchanged, so /ethdev/stats and the
 * rest keep working.
 *
 * One I/O thread holds every client connection (at most TEL_MAX_CLIENTS)
 * without ever blocking on one: it reads requests, sends replies as each
 * socket can take them, closes a client idle for TEL_IDLE_TIMEOUT_MS or one
 * that does not take its reply within TEL_SEND_TIMEOUT_MS, and when every
 * slot is taken closes the client idle the longest to make room. Requests
 * run on a pool of TEL_HANDLERS threads; handlers run there and must do
 * their own locking. A handler that waits (for the control core's lock)
 * delays its own client only.
 */

#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The largest reply, announced to clients as max_output_len. A reply is
 * one SOCK_SEQPACKET message, which must fit in the socket's send buffer:
 * this fits in Linux's default wmem_max, so a halb without CAP_NET_ADMIN
 * (no SO_SNDBUFFORCE) can still send it. Lists page under it. */
#define TEL_MAX_OUTPUT (192 * 1024)

/** What a page of a list may take, leaving room for its envelope. */
#define TEL_PAGE_BUDGET (TEL_MAX_OUTPUT - 4096)

/** Client connections held at once. */
#define TEL_MAX_CLIENTS 64
/** Requests answered at once. */
#define TEL_HANDLERS 4
/** Longest request (bytes); a longer one is answered with an error. */
#define TEL_MAX_REQUEST 1024

/** Timeouts, in milliseconds; tel_server_set_timeouts() changes them. */
#define TEL_IDLE_TIMEOUT_MS 60000
#define TEL_SEND_TIMEOUT_MS 5000

/**
 * Answers one command. params is what followed the comma (or NULL).
 * @return the reply value (the server owns it afterwards), or NULL for
 *   JSON null (an invalid request).
 */
typedef json_t *(*tel_handler)(void *ctx, const char *params);

struct tel_server;

/**
 * Takes over the telemetry socket in runtime_dir (the EAL's runtime
 * directory): DPDK's socket is moved aside, ours is bound in its place and
 * the threads start. Call after rte_eal_init().
 * @return the server, or NULL with errno set.
 */
struct tel_server *tel_server_start(const char *runtime_dir);

/** Registers a command ("/halb/stats"); before or after start. */
int tel_register(struct tel_server *s, const char *cmd, tel_handler fn, void *ctx,
		 const char *help);

/** Sets the idle and send timeouts (tests; the defaults suit operators). */
void tel_server_set_timeouts(struct tel_server *s, uint32_t idle_ms, uint32_t send_ms);

/** What the server has done so far, for tests and halbctl stats. */
struct tel_server_stats {
	uint64_t accepted;  /**< connections taken */
	uint64_t refused;   /**< closed at once: every slot busy with a request */
	uint64_t evicted;   /**< idle clients closed to make room */
	uint64_t idle_out;  /**< clients closed after TEL_IDLE_TIMEOUT_MS idle */
	uint64_t slow_out;  /**< clients that did not take a reply in time */
	uint64_t malformed; /**< requests answered with an error unread */
	uint64_t requests;  /**< requests answered */
	uint32_t clients;   /**< connections now */
};

/** A copy of the counters. */
void tel_server_stats(struct tel_server *s, struct tel_server_stats *out);

/** Stops accepting, closes every client, waits for the threads (a handler
 * in progress finishes first), removes our socket and puts DPDK's back. */
void tel_server_stop(struct tel_server *s);

/** Builds the reply string for cmd,params (what a client would receive):
 * exposed for tests. The caller frees it. */
char *tel_answer(struct tel_server *s, const char *request);

#ifdef __cplusplus
}
#endif

#endif /* HALB_TELEMETRY_H */
