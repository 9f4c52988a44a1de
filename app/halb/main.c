/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halb: the daemon. Reads keepalived.conf and the dataplane file, checks
 * them, starts DPDK with EAL arguments derived from the dataplane file
 * (lcores when it names none, one --vdev or -a per port), and hands over to
 * the control core until SIGTERM/SIGINT. Flags follow keepalived's where the
 * two overlap; keepalived's flags that do not apply are compat.c's, the
 * foreground start-up and sd_notify startup.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <numa.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "halb_app.h"
#include "halb_config.h"
#include "halb_ctl.h"
#include "halb_log.h"
#include "halb_notify.h"

#define DEFAULT_KEEPALIVED_CONF "/etc/keepalived/keepalived.conf"
#define DEFAULT_DATAPLANE_CONF  "/etc/halb/halb.cfg"
#define DEFAULT_PID_FILE        "/run/halb.pid"
#define EAL_ARGS_MAX            256

/* Exit statuses (halb --help, halb(8)). */
#define EXIT_UNUSABLE 1 /* configuration unusable, or start-up failed */
#define EXIT_USAGE    2 /* bad command line */

/* Long-only options. */
enum {
	OPT_SIGNUM = 0x100,
};

HALB_LOG_DECLARE(ctl);

static int syslog_facility = LOG_DAEMON;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: halb [OPTION]...\n"
		"A userspace L4 load balancer on DPDK that reads keepalived.conf.\n"
		"\n"
		"  -f, --use-file FILE      keepalived.conf (default\n"
		"                           %s)\n"
		"  -c, --dataplane FILE     the dataplane file (default %s)\n"
		"  -t, --config-test        check both files, print every problem, exit\n"
		"  -n, --dont-fork          stay in the foreground (under systemd: Type=notify)\n"
		"  -l, --log-console        log to stderr as well as syslog\n"
		"  -D, --log-detail         detailed (debug) logs\n"
		"  -S, --log-facility F     syslog facility: 0-7 (local0-7), local0-7, user,\n"
		"                           daemon (default daemon)\n"
		"  -G, --no-syslog          do not log to syslog\n"
		"  -g, --log-file FILE      also log to FILE (reopened on SIGHUP)\n"
		"  -p, --pid FILE           pid file (default %s)\n"
		"  -i, --config-id ID       keep the '@ID' lines of keepalived.conf, drop the\n"
		"                           other '@' lines (default: the host name)\n"
		"  -u, --umask MASK         umask for the files halb creates (octal)\n"
		"  -m, --core-dump          dump core if halb crashes (no core size limit)\n"
		"  -s, --namespace NAME     run in network namespace NAME (/run/netns/NAME)\n"
		"      --signum SIGFUNC     print the signal for STOP or RELOAD and exit\n"
		"  -v, --version            print the version and exit\n"
		"  -h, --help               this help\n"
		"\n"
		"keepalived's -P -C -B -X -V -I -R -d -r -b -a -x -A -e -M and --all,\n"
		"--checkers_pid are accepted for an existing DAEMON_ARGS, each with a warning\n"
		"saying why it does not apply. keepalived's -c is --checkers_pid, halb's -c\n"
		"the dataplane file: where both may read a command line, use --dataplane.\n"
		"\n"
		"halb stays in the foreground until it forwards, then becomes a daemon; the\n"
		"DPDK file prefix is the dataplane file's --file-prefix, default '%s'.\n"
		"\n"
		"Signals: SIGHUP reloads both files; SIGTERM or SIGINT hand over the VIPs\n"
		"(VRRP priority 0) and stop.\n"
		"\n"
		"Exit status:\n"
		"  0  stopped in order, or -t found both files usable\n"
		"  1  the configuration is unusable, or start-up failed (the reason is on\n"
		"     stderr and in syslog)\n"
		"  2  bad command line\n",
		DEFAULT_KEEPALIVED_CONF, DEFAULT_DATAPLANE_CONF, DEFAULT_PID_FILE,
		CFG_DEFAULT_FILE_PREFIX);
}

/* The option table: halb's own, then keepalived's that do not apply. */
static struct option *long_options(void)
{
	static const struct option own[] = {
		{ "use-file", required_argument, NULL, 'f' },
		{ "dataplane", required_argument, NULL, 'c' },
		{ "config-test", no_argument, NULL, 't' },
		{ "dont-fork", no_argument, NULL, 'n' },
		{ "log-console", no_argument, NULL, 'l' },
		{ "log-detail", no_argument, NULL, 'D' },
		{ "pid", required_argument, NULL, 'p' },
		{ "config-id", required_argument, NULL, 'i' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		/* keepalived's daemon flags halb honours */
		{ "log-facility", required_argument, NULL, 'S' },
		{ "no-syslog", no_argument, NULL, 'G' },
		{ "log-file", required_argument, NULL, 'g' },
		{ "umask", required_argument, NULL, 'u' },
		{ "core-dump", no_argument, NULL, 'm' },
		{ "core-dump-pattern", optional_argument, NULL, 'M' },
		{ "namespace", required_argument, NULL, 's' },
		{ "signum", required_argument, NULL, OPT_SIGNUM },
	};
	static struct option all[sizeof(own) / sizeof(own[0]) + 32];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		all[n++] = own[i];
	for (size_t i = 0; compat_longs[i].name != NULL && n + 1 < sizeof(all) / sizeof(all[0]);
	     i++)
		all[n++] = compat_longs[i];
	all[n] = (struct option){ NULL, 0, NULL, 0 };
	return all;
}

#define OWN_SHORTS "f:c:tnlDp:i:vhS:Gg:u:mM::s:"

/* The flags halb honours beyond its own; 0, or -1 for a bad value. */
static int keepalived_option(int opt, const char *arg, struct options *o)
{
	char *end;

	switch (opt) {
	case 'S':
		if (log_facility_parse(arg, &o->facility) != 0) {
			fprintf(stderr, "halb: -S %s: expected 0-7, local0-7, user or daemon\n",
				arg);
			return -1;
		}
		return 0;
	case 'G':
		o->no_syslog = true;
		return 0;
	case 'g':
		o->log_file = arg;
		return 0;
	case 'u':
		o->umask = strtol(arg, &end, 8);
		if (*arg == '\0' || *end != '\0' || o->umask < 0 || o->umask > 0777) {
			fprintf(stderr, "halb: -u %s: expected an octal umask (022)\n", arg);
			return -1;
		}
		return 0;
	case 'm':
		o->core_dump = true;
		return 0;
	case 'M':
		o->core_dump = true;
		if (o->n_warnings < APP_MAX_WARNINGS)
			o->warnings[o->n_warnings++] =
			    "-M (--core-dump-pattern): halb dumps core as -m does but leaves the "
			    "system's kernel.core_pattern alone";
		return 0;
	case 's':
		o->netns = arg;
		return 0;
	case OPT_SIGNUM:
		exit(compat_signum(arg));
	default:
		return compat_option(opt, arg, o);
	}
}

/* The daemon runs in /, and a reload reads the files again: the paths
 * given relative to where halb was started are made absolute first. */
static int absolute_path(const char **path)
{
	static char cwd[PATH_MAX];
	char *abs;

	if (*path == NULL || (*path)[0] == '/')
		return 0;
	if (cwd[0] == '\0' && getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "halb: cannot tell the working directory for %s: %s\n", *path,
			strerror(errno));
		return -1;
	}
	if (asprintf(&abs, "%s/%s", cwd, *path) < 0) {
		fprintf(stderr, "halb: out of memory\n");
		return -1;
	}
	*path = abs; /* lives as long as the process */
	return 0;
}

static int absolute_paths(struct options *o)
{
	return absolute_path(&o->keepalived_conf) | absolute_path(&o->dataplane_conf) |
	       absolute_path(&o->pid_file) | absolute_path(&o->log_file);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	const struct option *longs = long_options();
	char shorts[128];
	int opt;

	snprintf(shorts, sizeof(shorts), "%s%s", OWN_SHORTS, compat_shorts);
	*o = (struct options){ .keepalived_conf = DEFAULT_KEEPALIVED_CONF,
			       .dataplane_conf = DEFAULT_DATAPLANE_CONF,
			       .pid_file = DEFAULT_PID_FILE,
			       .facility = LOG_DAEMON,
			       .umask = -1 };
	while ((opt = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->keepalived_conf = optarg;
			break;
		case 'c':
			o->dataplane_conf = optarg;
			break;
		case 't':
			o->config_test = true;
			break;
		case 'n':
			o->dont_fork = true;
			break;
		case 'l':
			o->log_console = true;
			break;
		case 'D':
			o->log_detail = true;
			break;
		case 'p':
			o->pid_file = optarg;
			break;
		case 'i':
			o->config_id = optarg;
			break;
		case 'v':
			printf("halb %s (%s)\n", HALB_VERSION, rte_version());
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case '?':
			fprintf(stderr, "Try 'halb --help' for more information.\n");
			return -1;
		default:
			if (keepalived_option(opt, optarg, o) != 0)
				return -1;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"halb: unexpected argument '%s'\nTry 'halb --help' for more information.\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* Loads and checks both files; prints every problem. */
static int load_config(const struct options *o, struct cfg_keepalived **k, struct cfg_dataplane **d)
{
	struct cfg_diags diags = { 0 };
	struct cfg_parse_opts po = { .config_id = o->config_id };
	int rc;

	*k = cfg_keepalived_load_ex(o->keepalived_conf, &po, &diags);
	*d = cfg_dataplane_load(o->dataplane_conf, &diags);
	if (*k != NULL && *d != NULL)
		cfg_check(*k, *d, &diags);
	if (*k != NULL)
		ctl_lint_scripts(*k, &diags);
	cfg_diags_print(stderr, &diags);
	rc = diags.errors == 0 && *k != NULL && *d != NULL ? 0 : -1;
	if (o->config_test) {
		fprintf(stderr, "halb: %s and %s: %s (%u errors, %u warnings)\n",
			o->keepalived_conf, o->dataplane_conf,
			rc == 0 ? "configuration is usable" : "configuration is NOT usable",
			diags.errors, diags.warnings);
		/* keepalived runs past words it does not know, and so does
		 * halb; keepalived -t fails on them, and so does halb -t. */
		if (rc == 0 && diags.unknown > 0) {
			fprintf(stderr,
				"halb: %u unknown keywords: halb would skip them, as "
				"keepalived does, but -t fails, as keepalived -t does\n",
				diags.unknown);
			rc = -1;
		}
	}
	cfg_diags_free(&diags);
	if (rc != 0) {
		cfg_keepalived_free(*k);
		cfg_dataplane_free(*d);
		*k = NULL;
		*d = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------ EAL args */

static bool eal_names_lcores(const struct cfg_dataplane *d)
{
	for (size_t i = 0; i < d->n_eal; i++) {
		const char *a = d->eal[i];

		if (strncmp(a, "-l", 2) == 0 || strncmp(a, "-c", 2) == 0 ||
		    strncmp(a, "--lcores", 8) == 0)
			return true;
	}
	return false;
}

/* The NUMA node of the first PCI port, or -1. */
static int ports_numa_node(const struct cfg_dataplane *d)
{
	for (size_t i = 0; i < d->n_ports; i++) {
		char path[256];
		FILE *f;
		int node = -1;

		if (!d->ports[i].is_pci)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s%s/numa_node",
			 strchr(d->ports[i].device, ':') == strrchr(d->ports[i].device, ':')
			     ? "0000:"
			     : "",
			 d->ports[i].device);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%d", &node) != 1)
			node = -1;
		fclose(f);
		return node;
	}
	return -1;
}

/*
 * Chooses CPUs for the control core and the workers: those this process may
 * run on, preferring the ports' NUMA node when it has enough of them. With
 * fewer CPUs than lcores, lcores share CPUs (tests; idle_sleep_us helps).
 */
static void lcores_arg(const struct cfg_dataplane *d, char *buf, size_t len)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], n = 0, node = ports_numa_node(d);
	size_t used = 0;

	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	if (node >= 0 && numa_available() >= 0) {
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set) && numa_node_of_cpu(c) == node)
				cpus[n++] = c;
		if ((unsigned int)n < d->workers + 1)
			n = 0; /* not enough on that node: take any */
	}
	if (n == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpus[n++] = c;
	if (n == 0)
		cpus[n++] = 0;
	for (unsigned int l = 0; l <= d->workers && used < len; l++) {
		/* lcore 0, the control core, takes the first CPU; workers the
		 * others, wrapping round when there are too few. */
		int cpu = n == 1 ? cpus[0] : (l == 0 ? cpus[0] : cpus[1 + (l - 1) % (n - 1)]);

		used += (size_t)snprintf(buf + used, len - used, "%s%u@%d", l ? "," : "", l, cpu);
	}
}

static int eal_args(const struct cfg_dataplane *d, char **argv, char *lcores, size_t lcores_len)
{
	int n = 0;

	argv[n++] = "halb";
	for (size_t i = 0; i < d->n_eal && n < EAL_ARGS_MAX - 8; i++)
		argv[n++] = d->eal[i];
	if (!eal_names_lcores(d)) {
		lcores_arg(d, lcores, lcores_len);
		argv[n++] = "--lcores";
		argv[n++] = lcores;
	}
	if (cfg_dataplane_file_prefix(d) == NULL) {
		/* DPDK's default, "rte", is what every other DPDK program uses. */
		argv[n++] = "--file-prefix";
		argv[n++] = CFG_DEFAULT_FILE_PREFIX;
	}
	for (size_t i = 0; i < d->n_ports && n < EAL_ARGS_MAX - 3; i++) {
		argv[n++] = d->ports[i].is_pci ? "-a" : "--vdev";
		argv[n++] = d->ports[i].device;
	}
	argv[n] = NULL;
	return n;
}

static const char *file_prefix(const struct cfg_dataplane *d)
{
	const char *p = cfg_dataplane_file_prefix(d);

	return p != NULL ? p : CFG_DEFAULT_FILE_PREFIX;
}

/* An error before the log is set up: on stderr, and in syslog, which is
 * all a daemon without -l has. */
static void early_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void early_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("halb: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	va_start(ap, fmt);
	openlog("halb", LOG_PID, syslog_facility);
	vsyslog(LOG_ERR, fmt, ap);
	va_end(ap);
}

static void write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		early_error("cannot write pid file %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

/* rte_eal_init, without the page of EAL usage it prints on stdout for a bad
 * argument: the EAL's own error line and halb's say what is wrong. */
static int eal_init(int argc, char **argv)
{
	int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC), rc;

	fflush(stdout);
	if (saved >= 0 && null >= 0)
		dup2(null, STDOUT_FILENO);
	rc = rte_eal_init(argc, argv);
	fflush(stdout);
	if (saved >= 0 && null >= 0)
		dup2(saved, STDOUT_FILENO);
	if (saved >= 0)
		close(saved);
	if (null >= 0)
		close(null);
	return rc;
}

/* keepalived's -u, -m and -s, before anything is created. */
static int process_setup(const struct options *o)
{
	if (o->umask >= 0)
		umask((mode_t)o->umask);
	if (o->core_dump) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_CORE, &rl) != 0)
			early_error("-m: cannot lift the core size limit: %s", strerror(errno));
	}
	if (o->netns != NULL) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", o->netns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
			early_error("-s %s: cannot enter %s: %s", o->netns, path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* Another process holding the prefix: a warning for -t, an error to start. */
static bool prefix_taken(const char *prefix, bool test)
{
	char comm[64];
	pid_t pid;

	if (startup_prefix_holder(prefix, &pid, comm, sizeof(comm)) != 1 || pid == getpid())
		return false;
	if (test)
		fprintf(
		    stderr,
		    "halb: warning: DPDK file prefix '%s' is in use by %s (pid %d): a second "
		    "halb with this dataplane file cannot start beside it; unless these are the "
		    "running instance's files, give it its own --file-prefix in eal\n",
		    prefix, comm, (int)pid);
	else
		early_error("DPDK file prefix '%s' is in use by %s (pid %d): stop it, or give "
			    "this instance its own --file-prefix in eal",
			    prefix, comm, (int)pid);
	return true;
}

/* Logs to syslog (and the log file) from now on; until halb is ready,
 * problems also go to stderr, which the starting shell or journald reads. */
static int log_start(const struct options *o)
{
	struct log_options lo = { .ident = "halb",
				  .console = o->log_console,
				  .detail = o->log_detail,
				  .no_syslog = o->no_syslog,
				  .facility = o->facility,
				  .file = o->log_file };
	char err[512];

	if (log_setup(&lo, err, sizeof(err)) != 0) {
		early_error("%s", err);
		return -1;
	}
	/* Under systemd without -l, stderr is the journal that syslog reaches too. */
	if (!o->log_console && getenv("JOURNAL_STREAM") == NULL)
		log_console(LOG_WARNING);
	for (int i = 0; i < o->n_warnings; i++)
		HALB_LOG(ctl, WARNING, "%s", o->warnings[i]);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	struct cfg_keepalived *k;
	struct cfg_dataplane *d;
	struct ctl_options co;
	struct ctl *c;
	char *eargv[EAL_ARGS_MAX], lcores[1024], err[512];
	const char *prefix;
	sigset_t sigs;
	int eargc, rc;

	if (parse_args(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (!o.config_test && absolute_paths(&o) != 0)
		return EXIT_UNUSABLE;
	syslog_facility = o.facility;
	if (o.config_test)
		for (int i = 0; i < o.n_warnings; i++)
			fprintf(stderr, "halb: warning: %s\n", o.warnings[i]);
	if (process_setup(&o) != 0)
		return EXIT_UNUSABLE;
	if (load_config(&o, &k, &d) != 0)
		return EXIT_UNUSABLE;
	prefix = file_prefix(d);
	if (prefix_taken(prefix, o.config_test) && !o.config_test) {
		cfg_keepalived_free(k);
		cfg_dataplane_free(d);
		return EXIT_UNUSABLE;
	}
	if (o.config_test) {
		cfg_keepalived_free(k);
		cfg_dataplane_free(d);
		return 0;
	}
	startup_detach(o.dont_fork);
	write_pid(o.pid_file);

	/* The control core's event loop takes these signals through a
	 * signalfd: block them before any thread exists, so every thread the
	 * EAL starts inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGCHLD);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (log_start(&o) != 0) {
		unlink(o.pid_file);
		return EXIT_UNUSABLE;
	}
	eargc = eal_args(d, eargv, lcores, sizeof(lcores));
	if (eal_init(eargc, eargv) < 0) {
		HALB_LOG(ctl, ERR,
			 "halb cannot start: DPDK could not start (EAL arguments from %s): %s",
			 o.dataplane_conf, rte_strerror(rte_errno));
		log_close();
		unlink(o.pid_file);
		return EXIT_UNUSABLE;
	}
	HALB_LOG(ctl, NOTICE, "Starting halb %s (%s)", HALB_VERSION, rte_version());
	/* dpdk-dumpcap and dpdk-pdump attach as secondary processes. */
	if (rte_pdump_init() != 0)
		HALB_LOG(ctl, WARNING, "packet capture unavailable: %s", rte_strerror(rte_errno));

	co = (struct ctl_options){ .keepalived_conf = o.keepalived_conf,
				   .dataplane_conf = o.dataplane_conf,
				   .config_id = o.config_id,
				   .file_prefix = prefix,
				   .on_state = startup_on_state,
				   .state_arg = &o.log_console };
	c = ctl_create(k, d, &co, err, sizeof(err));
	if (c == NULL) {
		HALB_LOG(ctl, ERR, "halb cannot start: %s", err);
		rte_pdump_uninit();
		log_close();
		rte_eal_cleanup();
		unlink(o.pid_file);
		return EXIT_UNUSABLE;
	}
	rc = ctl_run(c);
	ctl_destroy(c);
	rte_pdump_uninit();
	/* The STOP state's mail alert is on its way: give it a moment. */
	notify_mail_drain(2000);
	log_close();
	rte_eal_cleanup();
	unlink(o.pid_file);
	return rc == 0 ? 0 : EXIT_UNUSABLE;
}
