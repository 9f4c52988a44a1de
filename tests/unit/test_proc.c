/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/proc: shell detection, the seed's vrrp_script line, argument quoting,
 * timeouts (SIGTERM, then SIGKILL, whole process group), user switching,
 * script security, exec failures, cancellation and output logging. Every
 * command runs on the real libev default loop with a watchdog, so a hang
 * fails the test instead of blocking it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>
#include <rte_log.h>

#include "halb_proc.h"

#define WATCHDOG_S 8.0

struct run {
	bool done;
	bool watchdog;
	struct proc_result res;
};

static void run_done(void *ctx, const struct proc_result *res)
{
	struct run *r = ctx;

	r->done = true;
	r->res = *res;
	ev_break(EV_DEFAULT, EVBREAK_ALL);
}

static void watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct run *r = w->data;

	(void)revents;
	r->watchdog = true;
	ev_break(loop, EVBREAK_ALL);
}

/* Runs the loop until r is done or the watchdog fires. */
static void wait_for(struct run *r, double limit)
{
	ev_timer wd;

	ev_timer_init(&wd, watchdog_cb, limit, 0.);
	wd.data = r;
	ev_timer_start(EV_DEFAULT, &wd);
	while (!r->done && !r->watchdog)
		ev_run(EV_DEFAULT, 0);
	ev_timer_stop(EV_DEFAULT, &wd);
	assert_false(r->watchdog);
}

static struct proc_result run_spec(const struct proc_spec *spec)
{
	struct run r = { 0 };
	struct proc *p = proc_run(EV_DEFAULT, spec, run_done, &r);

	assert_non_null(p);
	/* The callback never runs inside proc_run(). */
	assert_false(r.done);
	wait_for(&r, WATCHDOG_S);
	return r.res;
}

static struct proc_result run_line(const char *line)
{
	struct proc_spec spec = { .cmdline = line };

	return run_spec(&spec);
}

static void assert_exit(struct proc_result res, int status)
{
	char buf[300];

	if (res.outcome != PROC_EXITED || res.status != status)
		fail_msg("expected exit status %d, got %s", status,
			 proc_result_str(&res, buf, sizeof(buf)));
}

static bool is_root(void)
{
	return geteuid() == 0;
}

/* ------------------------------------------------------------------ tests */

static void test_shell_detection(void **state)
{
	static const struct {
		const char *line;
		bool shell;
	} cases[] = {
		{ "/usr/bin/killall -0 nginx", false },
		{ "killall -0 haproxy", false },
		{ "  /etc/keepalived/check.sh  arg1 arg2", false },
		{ "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0", true },
		{ "test -f /x || exit 1", true },
		{ "curl -s http://127.0.0.1/ | grep ok", true },
		{ "pidof nginx > /dev/null", true },
		{ "echo $HOME", true },
		{ "echo `id`", true },
		{ "a; b", true },
		{ "/bin/check 'quoted arg'", true },
		{ "/bin/check \"quoted arg\"", true },
		{ "ls *.conf", true },
		{ "FOO=1 /bin/check", true },
		{ "exit 0", true },
		{ "if true", true },
		{ "! /bin/false", true },
		{ "/bin/echo a\nb", true },
		{ "/bin/check --level 5%", true },
		{ "/bin/check #comment", true },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (proc_needs_shell(cases[i].line) != cases[i].shell)
			fail_msg("'%s': expected %s", cases[i].line,
				 cases[i].shell ? "shell" : "direct");
	}
	assert_false(proc_needs_shell(NULL));
}

static void test_seed_down_file(void **state)
{
	char dir[] = "/tmp/halb-proc-XXXXXX";
	char file[64], line[160];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/down", dir);
	snprintf(line, sizeof(line), "[[ -f %s ]] && exit 1 || exit 0", file);
	assert_exit(run_line(line), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_exit(run_line(line), 1);
	unlink(file);
	rmdir(dir);
}

static void test_direct_exec(void **state)
{
	(void)state;
	assert_exit(run_line("/bin/true"), 0);
	assert_exit(run_line("false"), 1); /* found in PATH */
	assert_exit(run_line("  /usr/bin/test  a  =  a "), 0);
	assert_exit(run_line("exit 7"), 7); /* a shell builtin */
}

static void test_appended_args(void **state)
{
	static const char *const args[] = { "it's", "=", "it's" };
	static const char *const two[] = { "INSTANCE", "VI_1" };
	struct proc_spec direct = { .cmdline = "/usr/bin/test", .args = args, .n_args = 3 };
	struct proc_spec shell = { .cmdline = "[ x = x ] && test", .args = args, .n_args = 3 };
	struct proc_spec count = { .cmdline = "/bin/sh -c 'exit $#' sh", .args = two, .n_args = 2 };

	(void)state;
	assert_exit(run_spec(&direct), 0);
	assert_exit(run_spec(&shell), 0);
	/* Shell lines get each argument as one quoted word. */
	assert_exit(run_spec(&count), 2);
}

static void test_exec_failures(void **state)
{
	struct proc_result r;

	(void)state;
	r = run_line("/nonexistent/halb-prog arg");
	assert_int_equal(r.outcome, PROC_FAILED);
	assert_int_equal(r.error, ENOENT);
	assert_non_null(strstr(r.why, "exec"));

	r = run_line("halb-no-such-program-anywhere");
	assert_int_equal(r.outcome, PROC_FAILED);
	assert_int_equal(r.error, ENOENT);
	assert_non_null(strstr(r.why, "not found in PATH"));
	assert_int_equal(r.pid, 0);

	r = run_line("   ");
	assert_int_equal(r.outcome, PROC_FAILED);
	assert_int_equal(r.error, EINVAL);

	/* exit 127 of a command that ran is not a failure to start. */
	assert_exit(run_line("exit 127"), 127);
}

static void test_killed_by_signal(void **state)
{
	struct proc_result r = run_line("kill -9 $$");

	(void)state;
	assert_int_equal(r.outcome, PROC_SIGNALED);
	assert_int_equal(r.status, SIGKILL);
}

static void test_timeout_sigterm(void **state)
{
	struct proc_spec spec = { .cmdline = "sleep 10", .timeout_ms = 200 };
	struct proc_result r = run_spec(&spec);

	(void)state;
	assert_int_equal(r.outcome, PROC_TIMEDOUT);
	assert_int_equal(r.status, SIGTERM);
	assert_true(r.elapsed_ms >= 190 && r.elapsed_ms < 1500);
	assert_int_equal(proc_count(), 0);
}

static void test_timeout_sigkill(void **state)
{
	/* Ignores SIGTERM: killed after the grace period. */
	struct proc_spec spec = { .cmdline = "trap '' TERM; sleep 10; sleep 10",
				  .timeout_ms = 100 };
	struct proc_result r = run_spec(&spec);

	(void)state;
	assert_int_equal(r.outcome, PROC_TIMEDOUT);
	assert_int_equal(r.status, SIGKILL);
	assert_true(r.elapsed_ms >= 100 + PROC_KILL_GRACE_MS - 50);
	assert_true(r.elapsed_ms < 100 + PROC_KILL_GRACE_MS + 1500);
}

/* Members of process group pgid that are not zombies (a zombie still
 * answers kill(pid, 0) until whoever inherited it reaps it). */
static int group_alive(pid_t pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int alive = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[300], buf[512], *rp, st;
		int pg = 0;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL &&
		    sscanf(rp + 1, " %c %*d %d", &st, &pg) == 2 && pg == pgid && st != 'Z')
			alive++;
		fclose(f);
	}
	closedir(d);
	return alive;
}

static void test_timeout_kills_group(void **state)
{
	struct proc_spec spec = { .cmdline = "sleep 10 & sleep 10 & wait", .timeout_ms = 200 };
	struct proc_result r = run_spec(&spec);
	int alive = -1;

	(void)state;
	assert_int_equal(r.outcome, PROC_TIMEDOUT);
	/* The background sleeps were in the group and die with it. */
	for (int i = 0; i < 100 && alive != 0; i++) {
		alive = group_alive(r.pid);
		if (alive != 0)
			usleep(10 * 1000);
	}
	assert_int_equal(alive, 0);
}

static void test_user_switch(void **state)
{
	struct proc_spec spec = {
		.cmdline = "[ \"$(id -u)\" = 65534 ] && [ \"$(id -g)\" = 65534 ] && "
			   "[ \"$(id -G)\" = 65534 ]",
		.user = "nobody",
		.group = "nogroup",
	};
	struct proc_spec primary = { .cmdline = "[ \"$(id -un)\" = nobody ]", .user = "nobody" };
	struct proc_spec unknown = { .cmdline = "/bin/true", .user = "halb-no-such-user" };
	struct proc_result r;
	uid_t uid;
	gid_t gid;
	char why[128];

	(void)state;
	if (!is_root())
		skip();
	assert_exit(run_spec(&spec), 0);
	assert_exit(run_spec(&primary), 0);
	r = run_spec(&unknown);
	assert_int_equal(r.outcome, PROC_FAILED);
	assert_non_null(strstr(r.why, "unknown user 'halb-no-such-user'"));

	assert_int_equal(proc_resolve_user("nobody", NULL, &uid, &gid, why, sizeof(why)), 0);
	assert_int_equal(uid, 65534);
	assert_int_equal(gid, 65534);
	assert_int_equal(proc_resolve_user(NULL, "nogroup", &uid, &gid, why, sizeof(why)), 0);
	assert_int_equal(uid, geteuid());
	assert_int_equal(gid, 65534);
	assert_int_equal(proc_resolve_user(NULL, "halb-no-group", &uid, &gid, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "unknown group 'halb-no-group'");
}

static void write_script(const char *path, mode_t mode, const char *body)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_script_security(void **state)
{
	char dir[] = "/tmp/halb-sec-XXXXXX";
	char script[96], marker[96], line[256], why[512];
	struct proc_spec spec = { .script_security = true };
	struct proc_result r;
	struct stat st;

	(void)state;
	if (!is_root())
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/check.sh", dir);
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(line, sizeof(line), "touch %s", marker);
	write_script(script, 0755, line);
	spec.cmdline = script;

	/* Root-owned 0755 script in a 0755 directory: runs. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(proc_check_security(script, 0, why, sizeof(why)), 0);
	assert_exit(run_spec(&spec), 0);
	assert_int_equal(stat(marker, &st), 0);
	unlink(marker);

	/* The same script in a world-writable directory: refused, never run. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(proc_check_security(script, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, script));
	assert_non_null(strstr(why, "writable by everyone"));
	r = run_spec(&spec);
	assert_int_equal(r.outcome, PROC_REFUSED);
	assert_int_equal(r.pid, 0);
	assert_int_equal(stat(marker, &st), -1);
	/* Running as another user, the same file may run. */
	assert_int_equal(proc_check_security(script, 65534, why, sizeof(why)), 0);

	/* A sticky world-writable directory is accepted, as in keepalived. */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(proc_check_security(script, 0, why, sizeof(why)), 0);

	/* A group-writable script of a non-root group, or one owned by
	 * someone else, is refused. */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(chown(script, 0, 65534), 0);
	assert_int_equal(chmod(script, 0775), 0);
	assert_int_equal(proc_check_security(script, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by group 65534"));
	assert_int_equal(chown(script, 65534, 0), 0);
	assert_int_equal(chmod(script, 0755), 0);
	assert_int_equal(proc_check_security(script, 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "owned by uid 65534"));

	/* A bare name is checked where PATH finds it; a shell line whose first
	 * word is a keyword is checked as the shell. */
	assert_int_equal(proc_check_security("true", 0, why, sizeof(why)), 0);
	assert_int_equal(
	    proc_check_security("[[ -f /x ]] && exit 1 || exit 0", 0, why, sizeof(why)), 0);
	assert_int_equal(proc_check_security("/nonexistent/x.sh", 0, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot be accessed"));

	unlink(script);
	rmdir(dir);
}

static void test_cancel(void **state)
{
	struct proc_spec spec = { .cmdline = "sleep 10" };
	struct run never = { 0 }, waiter = { 0 };
	struct proc *p;
	ev_tstamp t0 = ev_time();

	(void)state;
	p = proc_run(EV_DEFAULT, &spec, run_done, &never);
	assert_non_null(p);
	assert_int_equal(proc_count(), 1);
	proc_cancel(p);
	/* Wait for the reaper with a second, short command. */
	spec.cmdline = "sleep 0.3";
	assert_non_null(proc_run(EV_DEFAULT, &spec, run_done, &waiter));
	wait_for(&waiter, WATCHDOG_S);
	assert_exit(waiter.res, 0);
	assert_false(never.done);
	assert_int_equal(proc_count(), 0);
	assert_true(ev_time() - t0 < 3.0);
}

static void test_kill_all(void **state)
{
	struct proc_spec spec = { .cmdline = "sleep 10" };
	struct proc_spec bad = { .cmdline = "/bin/true", .user = "halb-no-such-user" };
	struct run r[3] = { 0 }, waiter = { 0 };

	(void)state;
	for (int i = 0; i < 2; i++)
		assert_non_null(proc_run(EV_DEFAULT, &spec, run_done, &r[i]));
	assert_non_null(proc_run(EV_DEFAULT, &bad, run_done, &r[2]));
	assert_int_equal(proc_kill_all(), 2);
	spec.cmdline = "sleep 0.3";
	assert_non_null(proc_run(EV_DEFAULT, &spec, run_done, &waiter));
	wait_for(&waiter, WATCHDOG_S);
	for (int i = 0; i < 3; i++)
		assert_false(r[i].done);
	assert_int_equal(proc_count(), 0);
}

static void test_output_logged_at_debug(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(mem);
	rte_openlog_stream(mem);
	rte_log_set_level_pattern("halb.proc", RTE_LOG_DEBUG);
	assert_exit(run_line("echo hello-from-script; echo to-stderr >&2"), 0);
	rte_log_set_level_pattern("halb.proc", RTE_LOG_INFO);
	rte_openlog_stream(NULL);
	fclose(mem);
	assert_non_null(strstr(buf, "hello-from-script"));
	assert_non_null(strstr(buf, "to-stderr"));
	free(buf);
}

static void test_result_str(void **state)
{
	struct proc_result r = { .outcome = PROC_EXITED, .status = 1 };
	char buf[300];

	(void)state;
	assert_string_equal(proc_result_str(&r, buf, sizeof(buf)), "exit status 1");
	r.outcome = PROC_TIMEDOUT;
	assert_string_equal(proc_result_str(&r, buf, sizeof(buf)), "timed out");
	r.outcome = PROC_REFUSED;
	snprintf(r.why, sizeof(r.why), "nope");
	assert_string_equal(proc_result_str(&r, buf, sizeof(buf)), "refused: nope");
}

/* ------------------------------------------- security of every program */

static void write_exec(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static const struct sec_case {
	const char *line; /* %1$s is the test directory */
	uid_t uid;
	int want;
} sec_cases[] = {
	{ "%1$s/ok.sh", 0, 0 },
	{ "%1$s/bad.sh", 0, -1 },
	{ "%1$s/bad.sh", 1000, 0 }, /* not root: nothing to escalate */
	{ "[[ -f /etc/x ]] && %1$s/bad.sh || exit 0", 0, -1 },
	{ "true; %1$s/ok.sh | %1$s/bad.sh", 0, -1 },
	{ "if %1$s/ok.sh; then exit 0; fi", 0, 0 },
	{ "X=1 %1$s/ok.sh >/dev/null 2>&1 && echo \"%1$s/bad.sh\"", 0, 0 },
	{ "%1$s/interp.sh", 0, -1 }, /* its #! interpreter is unsafe */
	{ "$CMD x && %1$s/ok.sh", 0, -1 },
	{ "$CMD x && %1$s/ok.sh", 1000, 0 },
};

static void test_security_every_program(void **state)
{
	char dir[] = "/tmp/halb-sec-XXXXXX", cmd[512], why[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	write_exec(dir, "ok.sh", "#!/bin/sh\nexit 0\n", 0755);
	write_exec(dir, "bad.sh", "#!/bin/sh\nexit 0\n", 0777);
	write_exec(dir, "badinterp", "#!/bin/sh\nexit 0\n", 0777);
	snprintf(cmd, sizeof(cmd), "#!%s/badinterp\nexit 0\n", dir);
	write_exec(dir, "interp.sh", cmd, 0755);
	for (size_t i = 0; i < sizeof(sec_cases) / sizeof(sec_cases[0]); i++) {
		int rc;

		snprintf(cmd, sizeof(cmd), sec_cases[i].line, dir);
		rc = proc_check_security(cmd, sec_cases[i].uid, why, sizeof(why));
		if (rc != sec_cases[i].want)
			fail_msg("case %zu '%s': %d (%s), want %d", i, cmd, rc, why,
				 sec_cases[i].want);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------ open file limit */

static void test_nofile_need(void **state)
{
	struct rlimit rl, low;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	low = (struct rlimit){ 256, rl.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	/* the base is the limit at the first call: 256 */
	assert_int_equal(proc_nofile_need(PROC_NOFILE_CHECKS, 1000), 0);
	assert_int_equal(proc_nofile_need(PROC_NOFILE_SCRIPTS, 200), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &low), 0);
	assert_true(low.rlim_cur >= 256 + 1000 + 200);
	/* a smaller need never lowers it */
	assert_int_equal(proc_nofile_need(PROC_NOFILE_CHECKS, 10), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &low), 0);
	assert_true(low.rlim_cur >= 256 + 1000 + 200);
	assert_int_equal(proc_nofile_need(PROC_NOFILE_USERS, 1), -1);
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* ------------------------------------------------------ process counting */

static const struct match_case {
	const char *proc[4]; /* the tracker's process and parameters */
	bool by_cmdline;
	enum proc_param_match pm;
	const char *comm;
	const char *argv[4];
	bool want;
} match_cases[] = {
	{ { "nginx" }, false, PROC_PARAM_EXACT, "nginx", { "nginx: master" }, true },
	{ { "ngin" }, false, PROC_PARAM_EXACT, "nginx", { "nginx" }, false }, /* not pgrep */
	{ { "averyveryverylongname" }, false, PROC_PARAM_EXACT, "averyveryverylo", { "x" }, true },
	{ { "haproxy", "-f" }, true, PROC_PARAM_EXACT, "haproxy", { "haproxy", "-f" }, true },
	{ { "haproxy", "-f" }, true, PROC_PARAM_EXACT, "haproxy", { "haproxy", "-f", "x" }, false },
	{ { "haproxy", "-f" },
	  true,
	  PROC_PARAM_PARTIAL,
	  "haproxy",
	  { "haproxy", "-f", "x" },
	  true },
	{ { "haproxy", "-f" }, true, PROC_PARAM_PARTIAL, "haproxy", { "haproxy", "-g" }, false },
	{ { "sleep", "10" }, true, PROC_PARAM_INITIAL, "sleep", { "sleep", "1000" }, true },
	{ { "sleep", "10" }, true, PROC_PARAM_PARTIAL, "sleep", { "sleep", "1000" }, false },
	{ { "/usr/bin/x" }, true, PROC_PARAM_EXACT, "x", { "/usr/bin/x" }, true },
	{ { "/usr/bin/x" }, true, PROC_PARAM_EXACT, "x", { "x" }, false },
};

static void test_match_one(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		size_t n = 0, argc = 0;
		struct proc_match m;

		while (n < 4 && c->proc[n] != NULL)
			n++;
		while (argc < 4 && c->argv[argc] != NULL)
			argc++;
		m = (struct proc_match){ c->proc, n, c->by_cmdline, c->pm };
		if (proc_match_one(&m, c->comm, (char *const *)c->argv, argc) != c->want)
			fail_msg("case %zu: want %d", i, c->want);
	}
}

/* A fake /proc: two running "worker" processes, one zombie, one other. */
static void fake_pid(const char *root, int pid, const char *comm, char st, const char *cmd,
		     size_t cmdlen)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%d/stat", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d (%s) %c 1 1 1\n", pid, comm, st);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%d/cmdline", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(cmd, 1, cmdlen, f);
	fclose(f);
}

static void test_count_matches(void **state)
{
	char root[] = "/tmp/halb-fakeproc-XXXXXX";
	const char *w[] = { "worker" }, *wa[] = { "worker", "-a" };
	struct proc_match m[2] = { { w, 1, false, PROC_PARAM_EXACT },
				   { wa, 2, true, PROC_PARAM_EXACT } };
	unsigned int counts[2];
	char cmd[256];

	(void)state;
	assert_non_null(mkdtemp(root));
	fake_pid(root, 10, "worker", 'S', "worker\0-a\0", 10);
	fake_pid(root, 11, "worker", 'R', "worker\0-b\0", 10);
	fake_pid(root, 12, "worker", 'Z', "", 0);
	fake_pid(root, 13, "other (x)", 'S', "other\0", 6);
	assert_int_equal(proc_count_matches(root, m, 2, counts), 0);
	assert_int_equal(counts[0], 2); /* the zombie does not count */
	assert_int_equal(counts[1], 1);
	assert_true(proc_count_matches("/nonexistent-halb", m, 2, counts) < 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell_detection),
		cmocka_unit_test(test_seed_down_file),
		cmocka_unit_test(test_direct_exec),
		cmocka_unit_test(test_appended_args),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_timeout_sigterm),
		cmocka_unit_test(test_timeout_sigkill),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_user_switch),
		cmocka_unit_test(test_script_security),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_kill_all),
		cmocka_unit_test(test_output_logged_at_debug),
		cmocka_unit_test(test_result_str),
		cmocka_unit_test(test_match_one),
		cmocka_unit_test(test_nofile_need),
		cmocka_unit_test(test_security_every_program),
		cmocka_unit_test(test_count_matches),
	};

	ev_default_loop(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
