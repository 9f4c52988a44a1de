/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALBCTL_VIEWS_H
#define HALBCTL_VIEWS_H

/**
 * @file
 * The human-readable views of halbctl, one per /halb/... command. Each takes
 * the value of a reply (an object; main.c checks that much) and prints it to
 * out. Missing or odd fields print as "-"; no view fails on a reply's shape.
 * view_ipvs.c: list, conns (ipvsadm layouts); view_vrrp.c: vrrp;
 * view_stats.c: stats; view_system.c: ports, neigh, checks, announce,
 * version.
 */

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

enum list_layout {
	LIST_PLAIN, /**< ipvsadm -L -n, plus a Health column */
	LIST_STATS, /**< ipvsadm -L -n --stats */
	LIST_RATE,  /**< ipvsadm -L -n --rate */
};

struct list_opts {
	enum list_layout layout;
	bool exact;   /**< ipvsadm --exact: no K/M/G/T abbreviation */
	bool ipvsadm; /**< exactly ipvsadm's layout: its title, no Health, no halb notes */
	bool one;     /**< one service asked for (-t/-u): ipvsadm prints no version line */
};

/**
 * /halb/services in ipvsadm's layout, services and real servers sorted as
 * ipvsadm sorts them. version is the /halb/version value for the title
 * line, or NULL when it could not be had.
 */
void view_list(FILE *out, const json_t *services, const json_t *version, const struct list_opts *o);

/** Totals of a /halb/services listing (halbctl list --count): services,
 * real_servers, up, down, overridden, active, inactive. A new object. */
json_t *list_count(const json_t *services);
void view_list_count(FILE *out, const json_t *counts);

/** The title lines of ipvsadm -L -c -n. */
void view_conns_head(FILE *out);

/** One /halb/conns entry as a line of ipvsadm -L -c -n. */
void view_conn(FILE *out, const json_t *conn);

/** Connection counts (halbctl conns --count): {"connections", "templates",
 * "states": {STATE: n}}. */
void view_conns_count(FILE *out, const json_t *counts);

/** /halb/vrrp: a block per instance. */
void view_vrrp(FILE *out, const json_t *vrrp);

/** /halb/stats: totals, drops by reason, ports, workers, control core. */
void view_stats(FILE *out, const json_t *stats);

/**
 * /halb/stats as rates: each counter of cur less its value in prev, per
 * second over seconds (halbctl stats --watch). @return a new object of
 * the same shape, for view_stats().
 */
json_t *stats_rates(const json_t *prev, const json_t *cur, double seconds);

/** /halb/ports as a table. */
void view_ports(FILE *out, const json_t *ports);

/** /halb/neigh as a table. */
void view_neigh(FILE *out, const json_t *neigh);

/** /halb/checks as a table. */
void view_checks(FILE *out, const json_t *checks);

/** How many checks there are, up and down (halbctl checks --count). A new
 * object: checks, up, down. */
json_t *checks_count(const json_t *checks);
void view_checks_count(FILE *out, const json_t *counts);

/** /halb/sync: set-up, role, what was sent and received. */
void view_sync(FILE *out, const json_t *sync);

/** /halb/announce: the announce interface, then a row per VIP. */
void view_announce(FILE *out, const json_t *announce);

/** /halb/version as label/value lines. */
void view_version(FILE *out, const json_t *version);

#endif /* HALBCTL_VIEWS_H */
