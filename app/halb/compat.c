/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived's daemon flags that an existing DAEMON_ARGS line (Debian's
 * /etc/default/keepalived) may carry and that have no meaning for halb.
 * They are accepted, so the line works unchanged, and each is answered with
 * one warning saying why it does not apply (keepalived 2.2's keepalived(8)
 * and --help list them). The flags halb honours (-i, -S, -g, -G, -u, -m, -s,
 * --signum, -D, -l, -n, -p, -f, -t) are main.c's.
 *
 * keepalived's -c is --checkers_pid; halb's -c is the dataplane file, so
 * only the long --checkers_pid is accepted here (docs/OPERATIONS.md).
 */
#include <stdio.h>
#include <string.h>

#include "halb_app.h"

enum {
	OPT_ALL = 0x200,
	OPT_CHECKERS_PID,
};

struct compat {
	int opt;
	const char *name;
	const char *why;
};

#define ONE_PROCESS "halb is one process: its only pid file is -p"

static const struct compat compats[] = {
	{ 'P', "vrrp",
	  "halb runs VRRP, the checks and forwarding in one process; one cannot run alone" },
	{ 'C', "check",
	  "halb runs VRRP, the checks and forwarding in one process; one cannot run alone" },
	{ 'B', "no_bfd", "halb has no BFD" },
	{ OPT_ALL, "all", "halb has no child processes" },
	{ 'X', "release-vips", "halb always takes its VIPs off its TAP when it stops" },
	{ 'V', "dont-release-vrrp",
	  "halb's VIPs are on its TAP, which goes away when halb stops: they cannot stay" },
	{ 'I', "dont-release-ipvs", "halb keeps no IPVS table: forwarding ends with the process" },
	{ 'R', "dont-respawn", "halb has no child processes to respawn" },
	{ 'd', "dump-conf",
	  "halb does not dump its configuration: use halb -t, halbctl list and halbctl vrrp" },
	{ 'r', "vrrp_pid", ONE_PROCESS },
	{ OPT_CHECKERS_PID, "checkers_pid", ONE_PROCESS " (and halb's -c is the dataplane file)" },
	{ 'b', "bfd_pid", ONE_PROCESS },
	{ 'a', "address-monitoring", "halb does not log the kernel's address changes" },
	{ 'x', "snmp", "halb has no SNMP agent: use its Prometheus metrics (metrics_listen)" },
	{ 'A', "snmp-agent-socket",
	  "halb has no SNMP agent: use its Prometheus metrics (metrics_listen)" },
	{ 'e', "all-config",
	  "halb always refuses an include of a missing file; a pattern that matches none is a "
	  "warning" },
};

const struct option compat_longs[] = {
	{ "vrrp", no_argument, NULL, 'P' },
	{ "check", no_argument, NULL, 'C' },
	{ "no_bfd", no_argument, NULL, 'B' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "release-vips", no_argument, NULL, 'X' },
	{ "dont-release-vrrp", no_argument, NULL, 'V' },
	{ "dont-release-ipvs", no_argument, NULL, 'I' },
	{ "dont-respawn", no_argument, NULL, 'R' },
	{ "dump-conf", no_argument, NULL, 'd' },
	{ "vrrp_pid", required_argument, NULL, 'r' },
	{ "checkers_pid", required_argument, NULL, OPT_CHECKERS_PID },
	{ "bfd_pid", required_argument, NULL, 'b' },
	{ "address-monitoring", no_argument, NULL, 'a' },
	{ "snmp", no_argument, NULL, 'x' },
	{ "snmp-agent-socket", required_argument, NULL, 'A' },
	{ "all-config", no_argument, NULL, 'e' },
	{ NULL, 0, NULL, 0 },
};

const char compat_shorts[] = "PCBXVIRdr:b:axA:e";

int compat_option(int opt, const char *arg, struct options *o)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(compats) / sizeof(compats[0]); i++) {
		static char buf[sizeof(compats) / sizeof(compats[0])][256];
		const struct compat *c = &compats[i];

		if (c->opt != opt)
			continue;
		if (opt < 0x100)
			snprintf(buf[i], sizeof(buf[i]), "-%c (--%s) is ignored: %s", opt, c->name,
				 c->why);
		else
			snprintf(buf[i], sizeof(buf[i]), "--%s is ignored: %s", c->name, c->why);
		/* One warning per flag, however often it is given. */
		for (int w = 0; w < o->n_warnings; w++)
			if (o->warnings[w] == buf[i])
				return 0;
		if (o->n_warnings < APP_MAX_WARNINGS)
			o->warnings[o->n_warnings++] = buf[i];
		return 0;
	}
	return -1;
}

int compat_signum(const char *sigfunc)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = { { "STOP", 15 }, { "RELOAD", 1 } };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sigfunc, sigs[i].name) == 0) {
			printf("%d\n", sigs[i].sig);
			return 0;
		}
	fprintf(stderr,
		"halb: --signum=%s: halb takes only STOP (SIGTERM) and RELOAD (SIGHUP); its "
		"data and statistics are read with halbctl\n",
		sigfunc);
	return 1;
}
