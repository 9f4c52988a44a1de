/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PROC_INT_H
#define HALB_PROC_INT_H

/*
 * What proc.c (spawning and reaping), proc_cmd.c (turning a command line into
 * an argv) and proc_security.c (users, script security) share.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "halb_log.h"
#include "halb_proc.h"

HALB_LOG_DECLARE(proc);

/** An argv ready for execve(): path is the file to exec, argv[0] the name
 * the program sees. Everything is allocated and freed with proc_cmd_free(). */
struct proc_cmd {
	char *path;
	char **argv;
	size_t argc;
	bool shell;
};

/**
 * Builds the argv for spec's command line and appended arguments.
 * @return 0, or an errno (ENOENT: a bare name not in PATH; EINVAL: an empty
 *   line; ENOMEM) with the reason in why.
 */
int proc_cmd_build(const struct proc_spec *spec, struct proc_cmd *cmd, char *why, size_t whylen);

void proc_cmd_free(struct proc_cmd *cmd);

/** The shell that runs shell lines: /bin/bash when it is executable, else /bin/sh. */
const char *proc_shell_path(void);

/**
 * The file a command line runs, for the security check: the first word
 * looked up in PATH, or the shell for a shell line whose first word is a
 * keyword, a builtin or no file.
 * @return 0 with the path in buf, or an errno with the reason in why.
 */
int proc_cmd_file(const char *cmdline, char *buf, size_t len, char *why, size_t whylen);

/**
 * Every program a command line would run: for a direct line its first word
 * (looked up in PATH); for a shell line the shell and the command word of
 * each simple command (after ';', '&', '|', '(', ')', a newline and the
 * reserved words if/then/else/elif/do/while/until/!/{), skipping
 * assignments and builtins. fn(file, ctx) is called for each; a non-zero
 * return stops the walk and is returned.
 * @return 0; an errno with why set when the line cannot be read (a command
 *   word made by $ or `, which no check can follow, is EINVAL).
 */
int proc_cmd_each_file(const char *cmdline, int (*fn)(const char *file, void *ctx), void *ctx,
		       char *why, size_t whylen);

/** Looks a bare name up in $PATH (execvp's default when unset).
 * @return 0 with the full path in buf, or ENOENT / EACCES. */
int proc_path_lookup(const char *name, char *buf, size_t len);

/** proc_check_security() knowing the group too: a command running with
 * group root is held to the same rule as one running as root. */
int proc_security_check(const char *cmdline, uid_t uid, gid_t gid, char *why, size_t whylen);

#endif /* HALB_PROC_INT_H */
