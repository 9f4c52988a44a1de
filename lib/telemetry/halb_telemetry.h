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
 * Each client connection is served by its own thread; handlers run there and
 * must do their own locking.
 */

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The largest reply, announced to clients as max_output_len. */
#define TEL_MAX_OUTPUT (192 * 1024)

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
 * a thread starts accepting. Call after rte_eal_init().
 * @return the server, or NULL with errno set.
 */
struct tel_server *tel_server_start(const char *runtime_dir);

/** Registers a command ("/halb/stats"); before or after start. */
int tel_register(struct tel_server *s, const char *cmd, tel_handler fn, void *ctx,
		 const char *help);

/** Stops accepting, waits for client threads, removes our socket and puts
 * DPDK's back. */
void tel_server_stop(struct tel_server *s);

/** Builds the reply string for cmd,params (what a client would receive):
 * exposed for tests. The caller frees it. */
char *tel_answer(struct tel_server *s, const char *request);

#ifdef __cplusplus
}
#endif

#endif /* HALB_TELEMETRY_H */
