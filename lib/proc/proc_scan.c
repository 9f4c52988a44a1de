/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counting running processes for vrrp_track_process, keepalived's rules
 * (track_process.c): a process matches by its name (the Name: of
 * /proc/PID/status, which is /proc/PID/comm, at most 15 bytes) unless the
 * tracker gives parameters or param_match, or full_command, in which case
 * its command line (/proc/PID/cmdline) must match: argv[0] the process
 * exactly, then the parameters exactly (all of them; with "partial" the
 * first N, more may follow; with "initial" the same, the last one may be
 * longer). Zombies do not count. keepalived watches the kernel's process
 * events; halb reads /proc when asked (the glue asks every second), which
 * needs no privilege beyond reading /proc and is bounded by the number of
 * processes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_int.h"

#define COMM_MAX 15 /* TASK_COMM_LEN - 1 */

static bool match_params(const struct proc_match *m, char *const *argv, size_t argc)
{
	size_t want = m->argc - 1;

	if (argc - 1 < want || (m->param_match == PROC_PARAM_EXACT && argc - 1 != want))
		return false;
	for (size_t i = 1; i <= want; i++) {
		bool last = i == want;

		if (last && m->param_match == PROC_PARAM_INITIAL) {
			if (strncmp(argv[i], m->argv[i], strlen(m->argv[i])) != 0)
				return false;
		} else if (strcmp(argv[i], m->argv[i]) != 0) {
			return false;
		}
	}
	return true;
}

bool proc_match_one(const struct proc_match *m, const char *comm, char *const *argv, size_t argc)
{
	if (m->argc == 0)
		return false;
	if (!m->by_cmdline)
		return strncmp(comm, m->argv[0], COMM_MAX) == 0 &&
		       (strlen(m->argv[0]) <= COMM_MAX || strlen(comm) == COMM_MAX);
	return argc > 0 && strcmp(argv[0], m->argv[0]) == 0 && match_params(m, argv, argc);
}

/* Reads a small /proc file into buf; returns its length, -1 on error. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* /proc/PID/stat: "PID (comm) S ...": the name and whether it is a zombie. */
static bool read_stat(int dirfd, char *comm, size_t len, bool *zombie)
{
	char buf[512];
	char *open, *close;

	if (read_small(dirfd, "stat", buf, sizeof(buf)) < 0)
		return false;
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (open == NULL || close == NULL || close < open || close[1] != ' ')
		return false;
	snprintf(comm, len, "%.*s", (int)(close - open - 1), open + 1);
	*zombie = close[2] == 'Z' || close[2] == 'X';
	return true;
}

/* /proc/PID/cmdline split at its NULs (argv points into buf). */
static size_t read_cmdline(int dirfd, char *buf, size_t len, char **argv, size_t max)
{
	ssize_t n = read_small(dirfd, "cmdline", buf, len);
	size_t argc = 0;

	for (ssize_t i = 0; n > 0 && i < n && argc < max; i += (ssize_t)strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	return argc;
}

int proc_count_matches(const char *root, const struct proc_match *m, size_t n, unsigned int *counts)
{
	DIR *d = opendir(root != NULL ? root : "/proc");
	bool need_cmdline = false;
	struct dirent *e;

	if (d == NULL)
		return -errno;
	memset(counts, 0, n * sizeof(*counts));
	for (size_t i = 0; i < n; i++)
		need_cmdline |= m[i].by_cmdline;
	while ((e = readdir(d)) != NULL) {
		char comm[64], cmd[4096], *argv[64];
		size_t argc = 0;
		bool zombie;
		int pfd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		pfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			continue; /* gone already */
		if (read_stat(pfd, comm, sizeof(comm), &zombie) && !zombie) {
			if (need_cmdline)
				argc = read_cmdline(pfd, cmd, sizeof(cmd), argv, 64);
			for (size_t i = 0; i < n; i++)
				counts[i] += proc_match_one(&m[i], comm, argv, argc);
		}
		close(pfd);
	}
	closedir(d);
	return 0;
}
