/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PROC_H
#define HALB_PROC_H

/**
 * @file
 * The asynchronous command runner behind every program halb starts:
 * vrrp_script trackers, notify scripts and MISC_CHECK.
 *
 * proc_run() forks and execs a command line as written in keepalived.conf and
 * returns at once; the control core's libev default loop reaps the child with
 * an ev_child watcher and calls the caller back exactly once with the
 * outcome. Nothing here blocks the loop: users and groups are resolved and
 * the script's permissions are checked before the fork, the child does only
 * async-signal-safe work between fork and exec, and an exec failure travels
 * back through a close-on-exec pipe that is read when the child is reaped.
 *
 * Command lines:
 * - A line with shell syntax (one of |&;<>()$`\"'*?[]#~=% or a newline, or
 *   a first word that is a shell keyword or builtin such as [[, if, exit)
 *   runs as "/bin/bash -c LINE" (or "/bin/sh -c LINE" when bash is missing),
 *   so `[[ -f /etc/keepalived/down ]] && exit 1 || exit 0` works.
 * - Any other line is split on blanks and exec'd directly; a bare first word
 *   is looked up in PATH (execvp's rule), a word with a slash is used as is.
 * - Appended arguments (notify scripts' "GROUP|INSTANCE NAME STATE PRIO")
 *   become more argv entries, or single-quoted words for the shell.
 *
 * Each child runs in its own session and process group, with stdin, stdout
 * and stderr on /dev/null (stdout and stderr go to the log, one DEBUG line
 * per output line, when halb.proc logs at DEBUG), every other descriptor
 * closed, the signal mask and dispositions reset, PR_SET_PDEATHSIG SIGTERM,
 * and the requested group and user. A timeout sends SIGTERM to the whole
 * process group, then SIGKILL after PROC_KILL_GRACE_MS, as keepalived does.
 *
 * Threading: call everything from the thread running the default loop. The
 * default loop must be the only reaper of children (no other SIGCHLD handler,
 * no waitpid(-1)); libev installs its SIGCHLD handler with the default loop.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ev_loop;

/** Time between the timeout's SIGTERM and the SIGKILL that follows. */
#define PROC_KILL_GRACE_MS 2000

/** What to run. Every pointer is only read during proc_run(). */
struct proc_spec {
	const char *cmdline;     /**< as written in keepalived.conf */
	const char *const *args; /**< appended arguments; may be NULL */
	size_t n_args;
	unsigned int timeout_ms; /**< 0: no timeout */
	const char *user;        /**< NULL: our own user (root) */
	const char *group;       /**< NULL: the user's primary group */
	bool script_security;    /**< enable_script_security */
	const char *name;        /**< for log lines; NULL: the command line */
};

enum proc_outcome {
	PROC_EXITED,   /**< ended by itself; status is the exit status */
	PROC_SIGNALED, /**< killed by a signal we did not send; status: the signal */
	PROC_TIMEDOUT, /**< we killed it at its timeout; status: the signal it died of
			*   (0 when it exited by itself after our SIGTERM) */
	PROC_FAILED,   /**< never ran: error is the errno, why says what failed */
	PROC_REFUSED,  /**< never ran: script security refused it; why says why */
};

struct proc_result {
	enum proc_outcome outcome;
	int status;
	int error;
	pid_t pid;                /**< 0 when no process was made */
	unsigned long elapsed_ms; /**< from proc_run() to the end */
	char why[256];            /**< PROC_FAILED and PROC_REFUSED: the reason */
};

/** Called once, from the loop, never from inside proc_run(). res is only
 * valid during the call. */
typedef void proc_done_fn(void *ctx, const struct proc_result *res);

struct proc;

/**
 * Starts spec's command; cb(ctx, result) follows once it has ended, been
 * killed, or could not start (user unknown, refused by script security,
 * fork or exec failed: all reported through cb, asynchronously).
 *
 * @param loop must be libev's default loop (ev_child needs it).
 * @return a handle for proc_cancel(), valid until cb runs; NULL when no
 *   memory was left (errno ENOMEM) or loop is not the default loop (EINVAL),
 *   in which case cb is never called.
 */
struct proc *proc_run(struct ev_loop *loop, const struct proc_spec *spec, proc_done_fn *cb,
		      void *ctx);

/**
 * Forgets p's callback (it will not be called) and, if the command still
 * runs, ends it as a timeout does (SIGTERM to its process group, SIGKILL
 * after the grace period). The child is still reaped by the loop.
 */
void proc_cancel(struct proc *p);

/**
 * proc_cancel() for every live command, for shutdown.
 * @return how many commands were still running.
 */
unsigned int proc_kill_all(void);

/** Commands started and not yet reaped (including cancelled ones). */
unsigned int proc_count(void);

/** True when cmdline needs a shell (see the file comment). */
bool proc_needs_shell(const char *cmdline);

/** A textual form of res for log lines: "exit status 1", "killed by signal 9",
 * "timed out", "cannot run: ...", "refused: ...". Returns buf. */
const char *proc_result_str(const struct proc_result *res, char *buf, size_t len);

/**
 * Resolves user and group names (getpwnam_r/getgrnam_r; numeric ids are
 * accepted). user NULL: our own uid; group NULL: the user's primary group
 * (our own gid when user is NULL too).
 * @return 0, or -1 with a reason in why ("unknown user 'x'").
 */
int proc_resolve_user(const char *user, const char *group, uid_t *uid, gid_t *gid, char *why,
		      size_t whylen);

/**
 * Forgets what proc_resolve_user() remembered (it answers each user and
 * group from memory after the first time, so that a script run never waits
 * on NSS): call before re-reading the configuration, then resolve every
 * script's user again off the hot path (ctl_lint_scripts does).
 */
void proc_user_cache_reset(void);

/**
 * keepalived's choice of user for scripts: script_user when global_defs
 * sets it, else "keepalived_script" when that user exists, else NULL (halb's
 * own user, root).
 */
const char *proc_default_user(const char *script_user);

/**
 * enable_script_security's test, keepalived's rule: when the command runs
 * as root (uid 0), the file it runs (the first word, looked up in PATH; for
 * a shell line whose first word is no file, the shell) is resolved to its
 * real path, and that file and every directory above it must be owned by
 * root and writable neither by a non-root group nor by others (a directory
 * with the sticky bit, such as /tmp, may be). A command that runs as
 * another user passes.
 * @return 0 when the command may run, -1 with the reason in why (naming the
 *   file and what is wrong with it).
 */
int proc_check_security(const char *cmdline, uid_t uid, char *why, size_t whylen);

/* ------------------------------------------------------ open file limit */

/** Who needs file descriptors beyond what halb started with. */
enum proc_nofile_user {
	PROC_NOFILE_CHECKS = 0, /**< the checkers (one socket each, MISC_CHECK pipes) */
	PROC_NOFILE_SCRIPTS,    /**< vrrp_script and notify scripts */
	PROC_NOFILE_USERS
};

/** Descriptors a running script holds in halb (exec-error and output pipes,
 * /dev/null while it starts). */
#define PROC_FDS_PER_SCRIPT 4

/**
 * Says that who needs fds descriptors (replacing what it said before) and
 * raises RLIMIT_NOFILE to the limit halb started with plus every user's
 * need, the hard limit too when allowed, as keepalived does.
 * @return 0 when the limit covers the needs, -1 when it could not (logged).
 */
int proc_nofile_need(enum proc_nofile_user who, unsigned int fds);

/* ------------------------------------------------------ process counting */

/** How the parameters of a process are compared (vrrp_track_process). */
enum proc_param_match {
	PROC_PARAM_EXACT = 0, /**< all of them */
	PROC_PARAM_PARTIAL,   /**< the first N, more may follow */
	PROC_PARAM_INITIAL,   /**< as partial, the last one may be longer */
};

/** What a vrrp_track_process looks for. */
struct proc_match {
	const char *const *argv; /**< the process and its parameters */
	size_t argc;
	bool by_cmdline; /**< match the command line, else the process name */
	enum proc_param_match param_match;
};

/** Whether a process with name comm and command line argv matches m. */
bool proc_match_one(const struct proc_match *m, const char *comm, char *const *argv, size_t argc);

/**
 * Counts the running processes (zombies excluded) that match each of
 * m[0..n-1], reading root (NULL: /proc). Reads only; never blocks on
 * anything but /proc.
 * @return 0, or -errno when root cannot be read.
 */
int proc_count_matches(const char *root, const struct proc_match *m, size_t n,
		       unsigned int *counts);

#ifdef __cplusplus
}
#endif

#endif /* HALB_PROC_H */
