/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Starting, timing out and reaping commands on the libev default loop.
 *
 * proc_run() does everything that can fail or block before the fork:
 * resolve the user, apply script security, build the argv, open /dev/null and
 * the pipes. The child then only makes async-signal-safe calls (the parent is
 * multi-threaded: DPDK's threads may hold malloc's or stdio's locks): reset
 * signals, start a session (so its process group can be killed whole), move
 * descriptors, drop privileges with raw syscalls, exec. If anything fails it
 * writes {stage, errno} to a close-on-exec pipe and exits 127; the parent
 * reads that pipe when it reaps the child, so a failed exec is told apart
 * from a command that exited 127.
 *
 * A struct proc lives from proc_run() to its callback. Its one timer serves
 * three purposes in turn: deliver an early failure asynchronously (DEFERRED),
 * the command's timeout (RUNNING), and the SIGTERM -> SIGKILL escalation.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "proc_int.h"

RTE_LOG_REGISTER(halb_logtype_proc, halb.proc, INFO);

#define PROC_KILL_RETRY_MS 10000 /* after SIGKILL, how often to complain and retry */
#define PROC_OUT_LINE      256   /* longest output line logged whole */

enum proc_state {
	PROC_ST_DEFERRED,  /* never started; the timer delivers the failure */
	PROC_ST_RUNNING,   /* the timer is the timeout, if any */
	PROC_ST_TERM_SENT, /* SIGTERM sent; the timer sends SIGKILL */
	PROC_ST_KILL_SENT, /* SIGKILL sent; waiting for the reaper */
};

struct proc {
	TAILQ_ENTRY(proc) link;
	struct ev_loop *loop;
	ev_child child;
	ev_timer timer;
	ev_io out;
	enum proc_state state;
	pid_t pid;
	int errfd; /* read end of the exec-error pipe */
	int outfd; /* read end of the output pipe, or -1 */
	bool timed_out;
	bool cancelled;
	struct timespec started;
	proc_done_fn *cb;
	void *ctx;
	struct proc_result res;
	char *name;
	size_t outlen;
	char outbuf[PROC_OUT_LINE];
};

/* Where the child failed, sent through the error pipe. */
enum proc_stage {
	PROC_STAGE_FDS = 1,
	PROC_STAGE_SETGROUPS,
	PROC_STAGE_SETGID,
	PROC_STAGE_SETUID,
	PROC_STAGE_EXEC,
};

struct proc_child_error {
	int stage;
	int err;
};

/* Everything the child needs, prepared before the fork. */
struct proc_exec {
	const char *path;
	char *const *argv;
	char *const *envp;
	int nullfd, outfd, errfd;
	bool set_ids;
	uid_t uid;
	gid_t gid;
	pid_t parent;
	int maxfd;
};

/* A command line refused by script security, logged once until it passes. */
struct proc_refused {
	struct proc_refused *next;
	char cmdline[];
};

static TAILQ_HEAD(proc_list, proc) proc_live = TAILQ_HEAD_INITIALIZER(proc_live);
static unsigned int proc_n_running;
static struct proc_refused *proc_refused_list;

extern char **environ;

static const char *const proc_stage_names[] = {
	[PROC_STAGE_FDS] = "setting up descriptors",
	[PROC_STAGE_SETGROUPS] = "setgroups",
	[PROC_STAGE_SETGID] = "setgid",
	[PROC_STAGE_SETUID] = "setuid",
	[PROC_STAGE_EXEC] = "exec",
};

/* ------------------------------------------------------------------ child */

static void __attribute__((noreturn)) proc_child_fail(int stage)
{
	struct proc_child_error ce = { .stage = stage, .err = errno };
	ssize_t r = write(3, &ce, sizeof(ce));

	(void)r;
	_exit(127);
}

/* Runs in the child: async-signal-safe calls only. */
static void __attribute__((noreturn)) proc_child(const struct proc_exec *x)
{
	struct sigaction dfl;
	sigset_t none;
	int out = x->outfd >= 0 ? x->outfd : x->nullfd;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	/* Every descriptor here is >= 4 (proc_fd_above_std), so nothing is
	 * overwritten before it is copied. */
	if (dup2(x->errfd, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		_exit(127);
	if (dup2(x->nullfd, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		proc_child_fail(PROC_STAGE_FDS);
	if (close_range(4, ~0U, 0) != 0)
		for (int fd = 4; fd < x->maxfd; fd++)
			close(fd);
	if (x->set_ids) {
		/* Raw syscalls: glibc's wrappers synchronise with threads that
		 * do not exist in the child. */
		if (syscall(SYS_setgroups, 1, &x->gid) != 0)
			proc_child_fail(PROC_STAGE_SETGROUPS);
		if (syscall(SYS_setresgid, x->gid, x->gid, x->gid) != 0)
			proc_child_fail(PROC_STAGE_SETGID);
		if (syscall(SYS_setresuid, x->uid, x->uid, x->uid) != 0)
			proc_child_fail(PROC_STAGE_SETUID);
	}
	/* If halb dies, so do its scripts (keepalived does the same). */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != x->parent)
		_exit(127);
	execve(x->path, x->argv, x->envp);
	proc_child_fail(PROC_STAGE_EXEC);
}

/* ----------------------------------------------------------------- helpers */

static unsigned long proc_elapsed_ms(const struct proc *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)((now.tv_sec - p->started.tv_sec) * 1000 +
			       (now.tv_nsec - p->started.tv_nsec) / 1000000);
}

static const char *proc_name(const struct proc *p)
{
	return p->name != NULL ? p->name : "command";
}

/* Moves fd to a number >= 3 (keeping close-on-exec), so that the child's
 * dup2() onto 0..3 never clobbers a descriptor it still has to copy. */
static int proc_fd_above_std(int fd)
{
	int nfd;

	if (fd < 0 || fd > 3)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 4);
	close(fd);
	return nfd;
}

static void proc_kill_group(struct proc *p, int sig)
{
	/* The child may not have reached setsid() yet: then only it exists. */
	if (kill(-p->pid, sig) != 0 && errno == ESRCH)
		kill(p->pid, sig);
}

static void proc_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void proc_free(struct proc *p)
{
	TAILQ_REMOVE(&proc_live, p, link);
	proc_close_fd(&p->errfd);
	proc_close_fd(&p->outfd);
	free(p->name);
	free(p);
}

/* ----------------------------------------------------- output to the log */

static void proc_out_flush(struct proc *p)
{
	if (p->outlen > 0)
		HALB_LOG(proc, DEBUG, "%s[%d]: %.*s", proc_name(p), (int)p->pid, (int)p->outlen,
			 p->outbuf);
	p->outlen = 0;
}

static void proc_out_feed(struct proc *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			proc_out_flush(p);
			continue;
		}
		if (p->outlen == sizeof(p->outbuf))
			proc_out_flush(p);
		p->outbuf[p->outlen++] = buf[i];
	}
}

/* Reads what the command wrote; returns false at end of file or error. */
static bool proc_out_read(struct proc *p)
{
	char buf[1024];

	for (;;) {
		ssize_t r = read(p->outfd, buf, sizeof(buf));

		if (r > 0) {
			proc_out_feed(p, buf, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 && errno == EAGAIN;
	}
}

static void proc_out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proc *p = w->data;

	(void)revents;
	if (!proc_out_read(p)) {
		ev_io_stop(loop, w);
		proc_out_flush(p);
		proc_close_fd(&p->outfd);
	}
}

/* ------------------------------------------------------------ completion */

static void proc_finish(struct proc *p)
{
	p->res.elapsed_ms = proc_elapsed_ms(p);
	if (!p->cancelled && p->cb != NULL)
		p->cb(p->ctx, &p->res);
	proc_free(p);
}

/* Fills res from the error pipe; false when the exec went through. */
static bool proc_read_child_error(struct proc *p)
{
	struct proc_child_error ce;
	ssize_t r = read(p->errfd, &ce, sizeof(ce));
	const char *stage;

	if (r != (ssize_t)sizeof(ce))
		return false;
	stage = ce.stage > 0 && ce.stage <= PROC_STAGE_EXEC ? proc_stage_names[ce.stage] : "start";
	p->res.outcome = PROC_FAILED;
	p->res.error = ce.err;
	snprintf(p->res.why, sizeof(p->res.why), "%s: %s", stage, strerror(ce.err));
	return true;
}

static void proc_fill_status(struct proc *p, int wstatus)
{
	if (proc_read_child_error(p))
		return;
	if (p->timed_out) {
		p->res.outcome = PROC_TIMEDOUT;
		p->res.status = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	} else if (WIFEXITED(wstatus)) {
		p->res.outcome = PROC_EXITED;
		p->res.status = WEXITSTATUS(wstatus);
	} else {
		p->res.outcome = PROC_SIGNALED;
		p->res.status = WTERMSIG(wstatus);
	}
}

static void proc_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct proc *p = w->data;

	(void)revents;
	ev_child_stop(loop, w);
	ev_timer_stop(loop, &p->timer);
	proc_n_running--;
	/* Whatever the shell started goes with it when we had to kill it. */
	if (p->state != PROC_ST_RUNNING)
		proc_kill_group(p, SIGKILL);
	proc_fill_status(p, w->rstatus);
	if (p->outfd >= 0) {
		ev_io_stop(loop, &p->out);
		proc_out_read(p);
		proc_out_flush(p);
	}
	HALB_LOG(proc, DEBUG, "%s[%d] ended after %lu ms", proc_name(p), (int)p->pid,
		 proc_elapsed_ms(p));
	proc_finish(p);
}

static void proc_begin_kill(struct proc *p)
{
	proc_kill_group(p, SIGTERM);
	p->state = PROC_ST_TERM_SENT;
	ev_timer_stop(p->loop, &p->timer);
	ev_timer_set(&p->timer, PROC_KILL_GRACE_MS / 1000.0, 0.);
	ev_timer_start(p->loop, &p->timer);
}

static void proc_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc *p = w->data;

	(void)revents;
	switch (p->state) {
	case PROC_ST_DEFERRED:
		proc_finish(p);
		return;
	case PROC_ST_RUNNING:
		HALB_LOG(proc, DEBUG, "%s[%d] timed out, sending SIGTERM", proc_name(p),
			 (int)p->pid);
		p->timed_out = true;
		proc_begin_kill(p);
		return;
	case PROC_ST_TERM_SENT:
		HALB_LOG(proc, INFO, "%s[%d] survived SIGTERM, sending SIGKILL", proc_name(p),
			 (int)p->pid);
		proc_kill_group(p, SIGKILL);
		p->state = PROC_ST_KILL_SENT;
		break;
	case PROC_ST_KILL_SENT:
		HALB_LOG(proc, WARNING, "%s[%d] still alive after SIGKILL", proc_name(p),
			 (int)p->pid);
		proc_kill_group(p, SIGKILL);
		break;
	}
	ev_timer_set(w, PROC_KILL_RETRY_MS / 1000.0, 0.);
	ev_timer_start(loop, w);
}

/* --------------------------------------------------------------- starting */

static bool proc_refused_seen(const char *cmdline, bool refused)
{
	struct proc_refused **pp = &proc_refused_list;

	for (; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->cmdline, cmdline) == 0)
			break;
	}
	if (*pp != NULL && !refused) {
		struct proc_refused *r = *pp;

		*pp = r->next;
		free(r);
		return false;
	}
	if (*pp == NULL && refused) {
		struct proc_refused *r = malloc(sizeof(*r) + strlen(cmdline) + 1);

		if (r != NULL) {
			strcpy(r->cmdline, cmdline);
			r->next = proc_refused_list;
			proc_refused_list = r;
		}
		return false;
	}
	return *pp != NULL;
}

/* Schedules the callback for a command that never started. */
static struct proc *proc_defer(struct proc *p, enum proc_outcome outcome, int err)
{
	p->state = PROC_ST_DEFERRED;
	p->res.outcome = outcome;
	p->res.error = err;
	ev_timer_set(&p->timer, 0., 0.);
	ev_timer_start(p->loop, &p->timer);
	return p;
}

/* Applies script security; false when the command must not run. */
static bool proc_secure(struct proc *p, const struct proc_spec *spec, uid_t uid, gid_t gid)
{
	if (!spec->script_security)
		return true;
	if (proc_security_check(spec->cmdline, uid, gid, p->res.why, sizeof(p->res.why)) == 0) {
		proc_refused_seen(spec->cmdline, false);
		return true;
	}
	if (!proc_refused_seen(spec->cmdline, true))
		HALB_LOG(proc, WARNING, "%s: %s - not running it (enable_script_security)",
			 proc_name(p), p->res.why);
	return false;
}

static int proc_open_fds(struct proc_exec *x, int errpipe[2], int outpipe[2], bool capture)
{
	x->nullfd = proc_fd_above_std(open("/dev/null", O_RDWR | O_CLOEXEC));
	if (x->nullfd < 0)
		return errno;
	if (pipe2(errpipe, O_CLOEXEC) != 0)
		return errno;
	errpipe[0] = proc_fd_above_std(errpipe[0]);
	errpipe[1] = proc_fd_above_std(errpipe[1]);
	if (capture && pipe2(outpipe, O_CLOEXEC) == 0) {
		outpipe[0] = proc_fd_above_std(outpipe[0]);
		outpipe[1] = proc_fd_above_std(outpipe[1]);
		fcntl(outpipe[0], F_SETFL, O_NONBLOCK);
	}
	if (errpipe[0] < 0 || errpipe[1] < 0)
		return EMFILE;
	fcntl(errpipe[0], F_SETFL, O_NONBLOCK);
	x->errfd = errpipe[1];
	x->outfd = outpipe[1];
	return 0;
}

static void proc_start_watchers(struct proc *p, unsigned int timeout_ms)
{
	ev_child_set(&p->child, p->pid, 0);
	ev_child_start(p->loop, &p->child);
	if (timeout_ms > 0) {
		ev_timer_set(&p->timer, timeout_ms / 1000.0, 0.);
		ev_timer_start(p->loop, &p->timer);
	}
	if (p->outfd >= 0) {
		ev_io_set(&p->out, p->outfd, EV_READ);
		ev_io_start(p->loop, &p->out);
	}
}

/* Forks and execs cmd; on failure returns an errno and p->res.why says why. */
static int proc_spawn(struct proc *p, const struct proc_cmd *cmd, uid_t uid, gid_t gid,
		      unsigned int timeout_ms)
{
	struct proc_exec x = { .path = cmd->path,
			       .argv = cmd->argv,
			       .envp = environ,
			       .nullfd = -1,
			       .outfd = -1,
			       .errfd = -1 };
	int errpipe[2] = { -1, -1 }, outpipe[2] = { -1, -1 };
	struct rlimit rl;
	int err;

	x.set_ids = uid != geteuid() || gid != getegid();
	x.uid = uid;
	x.gid = gid;
	x.parent = getpid();
	x.maxfd =
	    getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	err =
	    proc_open_fds(&x, errpipe, outpipe, rte_log_can_log(halb_logtype_proc, RTE_LOG_DEBUG));
	if (err == 0) {
		p->pid = fork();
		if (p->pid == 0)
			proc_child(&x);
		if (p->pid < 0)
			err = errno;
	}
	if (x.nullfd >= 0)
		close(x.nullfd);
	proc_close_fd(&errpipe[1]);
	proc_close_fd(&outpipe[1]);
	p->errfd = errpipe[0];
	p->outfd = outpipe[0];
	if (err != 0) {
		p->pid = 0;
		snprintf(p->res.why, sizeof(p->res.why), "cannot start: %s", strerror(err));
		return err;
	}
	p->res.pid = p->pid;
	p->state = PROC_ST_RUNNING;
	proc_n_running++;
	proc_start_watchers(p, timeout_ms);
	HALB_LOG(proc, DEBUG, "%s[%d] started: %s%s", proc_name(p), (int)p->pid, cmd->path,
		 cmd->shell ? " -c" : "");
	return 0;
}

static struct proc *proc_new(struct ev_loop *loop, const struct proc_spec *spec, proc_done_fn *cb,
			     void *ctx)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->name =
	    strdup(spec->name != NULL ? spec->name : (spec->cmdline != NULL ? spec->cmdline : ""));
	if (p->name == NULL) {
		free(p);
		return NULL;
	}
	p->loop = loop;
	p->cb = cb;
	p->ctx = ctx;
	p->errfd = -1;
	p->outfd = -1;
	clock_gettime(CLOCK_MONOTONIC, &p->started);
	ev_child_init(&p->child, proc_child_cb, 0, 0);
	ev_timer_init(&p->timer, proc_timer_cb, 0., 0.);
	ev_io_init(&p->out, proc_out_cb, -1, EV_READ);
	p->child.data = p;
	p->timer.data = p;
	p->out.data = p;
	TAILQ_INSERT_TAIL(&proc_live, p, link);
	return p;
}

struct proc *proc_run(struct ev_loop *loop, const struct proc_spec *spec, proc_done_fn *cb,
		      void *ctx)
{
	struct proc_cmd cmd;
	struct proc *p;
	uid_t uid;
	gid_t gid;
	int err;

	if (loop == NULL || !ev_is_default_loop(loop)) {
		errno = EINVAL;
		return NULL;
	}
	p = proc_new(loop, spec, cb, ctx);
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (proc_resolve_user(spec->user, spec->group, &uid, &gid, p->res.why,
			      sizeof(p->res.why)) != 0) {
		HALB_LOG(proc, WARNING, "%s: %s", proc_name(p), p->res.why);
		return proc_defer(p, PROC_FAILED, ENOENT);
	}
	err = proc_cmd_build(spec, &cmd, p->res.why, sizeof(p->res.why));
	if (err != 0)
		return proc_defer(p, PROC_FAILED, err);
	if (!proc_secure(p, spec, uid, gid)) {
		proc_cmd_free(&cmd);
		return proc_defer(p, PROC_REFUSED, EPERM);
	}
	err = proc_spawn(p, &cmd, uid, gid, spec->timeout_ms);
	proc_cmd_free(&cmd);
	if (err != 0) {
		HALB_LOG(proc, WARNING, "%s: %s", proc_name(p), p->res.why);
		return proc_defer(p, PROC_FAILED, err);
	}
	return p;
}

void proc_cancel(struct proc *p)
{
	if (p == NULL || p->cancelled)
		return;
	p->cancelled = true;
	if (p->state == PROC_ST_DEFERRED) {
		ev_timer_stop(p->loop, &p->timer);
		proc_free(p);
	} else if (p->state == PROC_ST_RUNNING) {
		proc_begin_kill(p);
	}
}

unsigned int proc_kill_all(void)
{
	unsigned int running = proc_n_running;
	struct proc *p = TAILQ_FIRST(&proc_live);

	while (p != NULL) {
		struct proc *next = TAILQ_NEXT(p, link);

		proc_cancel(p);
		p = next;
	}
	return running;
}

unsigned int proc_count(void)
{
	return proc_n_running;
}

const char *proc_result_str(const struct proc_result *res, char *buf, size_t len)
{
	switch (res->outcome) {
	case PROC_EXITED:
		snprintf(buf, len, "exit status %d", res->status);
		break;
	case PROC_SIGNALED:
		snprintf(buf, len, "killed by signal %d (%s)", res->status, strsignal(res->status));
		break;
	case PROC_TIMEDOUT:
		snprintf(buf, len, "timed out");
		break;
	case PROC_FAILED:
		snprintf(buf, len, "cannot run: %s", res->why);
		break;
	case PROC_REFUSED:
		snprintf(buf, len, "refused: %s", res->why);
		break;
	}
	return buf;
}
