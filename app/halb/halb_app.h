/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of app/halb share:
 *   main.c     the flags, the order of start-up, the EAL arguments
 *   compat.c   keepalived's daemon flags that do not apply to halb
 *   startup.c  staying in the foreground until ready, sd_notify, and the
 *              EAL file prefix another process may hold
 */
#ifndef HALB_APP_H
#define HALB_APP_H

#include <getopt.h>
#include <stdbool.h>
#include <sys/types.h>

#include "halb_ctl.h"

#define APP_MAX_WARNINGS 32

struct options {
	const char *keepalived_conf;
	const char *dataplane_conf;
	const char *pid_file;
	const char *config_id; /* -i */
	const char *log_file;  /* -g */
	const char *netns;     /* -s */
	int facility;          /* -S */
	long umask;            /* -u; -1: unchanged */
	bool config_test, dont_fork, log_console, log_detail, no_syslog, core_dump;
	/* keepalived flags accepted without effect, each with its reason */
	const char *warnings[APP_MAX_WARNINGS];
	int n_warnings;
};

/* compat.c */
/* keepalived's flags that halb accepts but that do not apply: getopt_long
 * entries (terminated by a zeroed one) and their short letters. */
extern const struct option compat_longs[];
extern const char compat_shorts[];
/* Handles getopt's opt for a compat flag: records the warning in o.
 * @return 0, or -1 when opt is none of them. */
int compat_option(int opt, const char *arg, struct options *o);
/* keepalived's --signum=SIGFUNC: prints the signal number halb takes for
 * SIGFUNC. @return the exit status. */
int compat_signum(const char *sigfunc);

/* startup.c */
/*
 * Without -n: forks. The parent waits until the child reports ready (exit
 * 0) or ends (its exit status; the child has said why on stderr), and never
 * returns. The child starts a session and returns. With -n: nothing.
 */
void startup_detach(bool dont_fork);
/* The ctl_options.on_state callback: at READY the parent is released, the
 * daemon's standard streams leave the terminal (unless -l) and systemd is
 * told READY=1; RELOADING/READY around a reload, STOPPING=1 at the stop. */
void startup_on_state(void *arg, enum ctl_state state);
/*
 * Whether a running process holds the EAL file prefix (the lock DPDK's
 * primary process keeps on <runtime dir>/<prefix>/config).
 * @return 1 with *pid and comm (the holder's name) set, 0 when free.
 */
int startup_prefix_holder(const char *prefix, pid_t *pid, char *comm, size_t len);

#endif
