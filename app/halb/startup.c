/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up that reports failure. A daemon that forks before DPDK starts
 * leaves the shell with exit status 0 whatever happens next; halb instead
 * stays in the foreground until it is ready (ports up, the first service
 * snapshot published, the workers running), and only then lets the shell
 * go. The process that runs is the child of a fork made before the EAL
 * starts (no thread exists yet); the parent waits on a pipe for one byte
 * saying "ready", or for the pipe to close because the child failed, and
 * exits with the child's status. The child says why it failed on stderr,
 * which it still shares with the parent, and in syslog.
 *
 * Under systemd (-n, Type=notify) the same moment is READY=1 through
 * sd_notify; RELOADING=1 and READY=1 frame a SIGHUP reload and STOPPING=1
 * starts the stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "halb_app.h"
#include "halb_log.h"

static struct {
	int ready_fd;    /* the child's end of the pipe; -1 without one */
	bool keep_stdio; /* -l: the daemon keeps the terminal's streams */
	bool ready;
} su = { .ready_fd = -1 };

/* The parent: waits for the child's word, never returns. */
static void parent_wait(pid_t child, int fd)
{
	char c;
	ssize_t n;
	int status;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 && c == 'R')
		_exit(0);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
	fprintf(stderr, "halb: the daemon died during start-up: %s\n",
		WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "unknown status");
	_exit(1);
}

void startup_detach(bool dont_fork)
{
	int p[2];
	pid_t pid;

	if (dont_fork)
		return;
	if (pipe2(p, O_CLOEXEC) != 0) {
		fprintf(stderr, "halb: cannot become a daemon: %s\n", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "halb: cannot become a daemon: %s\n", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		parent_wait(pid, p[0]);
	}
	close(p[0]);
	su.ready_fd = p[1];
	setsid();
	if (chdir("/") != 0)
		fprintf(stderr, "halb: cannot change to /: %s\n", strerror(errno));
}

/* The daemon's streams leave the terminal the parent hands back. */
static void stdio_detach(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void ready(void)
{
	if (su.ready)
		return;
	su.ready = true;
	sd_notifyf(0, "READY=1\nSTATUS=Forwarding\nMAINPID=%d", (int)getpid());
	if (su.ready_fd >= 0) {
		if (!su.keep_stdio) {
			log_console(-1);
			stdio_detach();
		}
		if (write(su.ready_fd, "R", 1) != 1)
			syslog(LOG_WARNING, "cannot tell the starting shell that halb is ready");
		close(su.ready_fd);
		su.ready_fd = -1;
	} else if (!su.keep_stdio) {
		/* -n: stderr stays, but only -l puts the log there after start-up. */
		log_console(-1);
	}
}

void startup_on_state(void *arg, enum ctl_state state)
{
	su.keep_stdio = arg != NULL && *(const bool *)arg;
	switch (state) {
	case CTL_STATE_READY:
		ready();
		break;
	case CTL_STATE_RELOADING:
		sd_notify(0, "RELOADING=1\nSTATUS=Reloading");
		log_reopen();
		break;
	case CTL_STATE_RELOADED:
		sd_notify(0, "READY=1\nSTATUS=Forwarding");
		break;
	case CTL_STATE_STOPPING:
		sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
		break;
	}
}

/* DPDK's runtime directory for prefix: eal_get_runtime_dir()'s rule. */
static void runtime_dir(const char *prefix, char *buf, size_t len)
{
	const char *base = "/var/run";

	if (getuid() != 0) {
		const char *x = getenv("XDG_RUNTIME_DIR");

		base = x != NULL ? x : "/tmp";
	}
	snprintf(buf, len, "%s/dpdk/%s", base, prefix);
}

int startup_prefix_holder(const char *prefix, pid_t *pid, char *comm, size_t len)
{
	char dir[512], path[600];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	FILE *f;
	int fd;

	runtime_dir(prefix, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* A primary process holds a write lock on its config file for life. */
	if (fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) {
		close(fd);
		return 0;
	}
	close(fd);
	*pid = fl.l_pid;
	snprintf(comm, len, "a process");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)fl.l_pid);
	f = fopen(path, "re");
	if (f != NULL) {
		if (fgets(comm, (int)len, f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	return 1;
}
