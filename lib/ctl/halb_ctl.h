/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CTL_H
#define HALB_CTL_H

/**
 * @file
 * The control core: everything halb does besides forwarding. It brings the
 * dataplane up from the two configuration files, then runs one libev event
 * loop on the EAL main lcore: the exception path between the workers, the
 * TAPs and the NICs; ARP; VRRP; health checks and scripts; publishing
 * service snapshots; telemetry; signals (SIGHUP reload, SIGTERM/SIGINT
 * orderly stop).
 *
 * Control-plane state is guarded by one mutex that the loop holds except
 * while it waits for events, so telemetry threads read a consistent view.
 */

#include <stdbool.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the control core tells its owner (sd_notify, the start-up pipe). */
enum ctl_state {
	CTL_STATE_READY,     /**< ports up, first snapshot published, workers run */
	CTL_STATE_RELOADING, /**< SIGHUP received: re-reading both files */
	CTL_STATE_RELOADED,  /**< the reload is over (applied or refused) */
	CTL_STATE_STOPPING,  /**< SIGTERM/SIGINT: handing over and stopping */
};

struct ctl_options {
	const char *keepalived_conf;
	const char *dataplane_conf;
	const char *config_id;   /**< -i: for "@ID" lines; NULL: the host name */
	const char *file_prefix; /**< for /halb/version */
	/** Called on the control core at each change of state; may be NULL. */
	void (*on_state)(void *arg, enum ctl_state state);
	void *state_arg;
};

struct ctl;

/**
 * Adds to d what keepalived.conf's scripts would meet on this machine: an
 * unknown script user (error), a script enable_script_security would refuse
 * (warning, naming the file and why).
 */
void ctl_lint_scripts(const struct cfg_keepalived *k, struct cfg_diags *d);

/**
 * Builds the dataplane (mempool, ports with their TAPs, tables, workers)
 * for k and d, which the control core owns from now on. Call after
 * rte_eal_init() on the main lcore; workers are not started yet.
 * @return the control core, or NULL with the reason in err.
 */
struct ctl *ctl_create(struct cfg_keepalived *k, struct cfg_dataplane *d,
		       const struct ctl_options *opt, char *err, size_t errlen);

/**
 * Starts the workers on the EAL worker lcores and runs the event loop until
 * SIGTERM or SIGINT; then hands over (VRRP priority 0), stops the workers.
 * @return 0 on an orderly stop.
 */
int ctl_run(struct ctl *c);

/** Releases the ports (removing the TAPs) and everything else. */
void ctl_destroy(struct ctl *c);

#ifdef __cplusplus
}
#endif

#endif /* HALB_CTL_H */
