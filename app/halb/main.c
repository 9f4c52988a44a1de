/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halb: the daemon. Reads keepalived.conf and the dataplane file, checks
 * them, starts DPDK with EAL arguments derived from the dataplane file
 * (lcores when it names none, one --vdev or -a per port), and hands over to
 * the control core until SIGTERM/SIGINT. Flags follow keepalived's where the
 * two overlap.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <numa.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_version.h>

#include "halb_config.h"
#include "halb_ctl.h"
#include "halb_log.h"
#include "halb_notify.h"

#define DEFAULT_KEEPALIVED_CONF "/etc/keepalived/keepalived.conf"
#define DEFAULT_DATAPLANE_CONF  "/etc/halb/halb.cfg"
#define DEFAULT_PID_FILE        "/run/halb.pid"
#define EAL_ARGS_MAX            256

HALB_LOG_DECLARE(ctl);

struct options {
	const char *keepalived_conf;
	const char *dataplane_conf;
	const char *pid_file;
	const char *config_id;
	bool config_test, dont_fork, log_console, log_detail;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: halb [OPTION]...\n"
		"A userspace L4 load balancer on DPDK that reads keepalived.conf.\n"
		"\n"
		"  -f, --use-file FILE     keepalived.conf (default %s)\n"
		"  -c, --dataplane FILE    the dataplane file (default %s)\n"
		"  -t, --config-test       check both files, print every problem, exit\n"
		"  -n, --dont-fork         stay in the foreground\n"
		"  -l, --log-console       log to stderr as well as syslog\n"
		"  -D, --log-detail        detailed (debug) logs\n"
		"  -p, --pid FILE          pid file (default %s)\n"
		"  -i, --config-id ID      keep the '@ID' lines of keepalived.conf, drop the\n"
		"                          other '@' lines (default: the host name)\n"
		"  -v, --version           print the version and exit\n"
		"  -h, --help              this help\n"
		"\n"
		"Signals: SIGHUP reloads both files; SIGTERM or SIGINT hand over the VIPs\n"
		"(VRRP priority 0) and stop.\n",
		DEFAULT_KEEPALIVED_CONF, DEFAULT_DATAPLANE_CONF, DEFAULT_PID_FILE);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
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
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	*o = (struct options){ .keepalived_conf = DEFAULT_KEEPALIVED_CONF,
			       .dataplane_conf = DEFAULT_DATAPLANE_CONF,
			       .pid_file = DEFAULT_PID_FILE };
	while ((opt = getopt_long(argc, argv, "f:c:tnlDp:i:vh", longs, NULL)) != -1) {
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
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "halb: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
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
			fprintf(stderr, "halb: %u unknown keywords: halb would skip them, as "
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
	for (size_t i = 0; i < d->n_ports && n < EAL_ARGS_MAX - 3; i++) {
		argv[n++] = d->ports[i].is_pci ? "-a" : "--vdev";
		argv[n++] = d->ports[i].device;
	}
	argv[n] = NULL;
	return n;
}

static const char *file_prefix(const struct cfg_dataplane *d)
{
	for (size_t i = 0; i + 1 < d->n_eal; i++)
		if (strcmp(d->eal[i], "--file-prefix") == 0)
			return d->eal[i + 1];
	for (size_t i = 0; i < d->n_eal; i++)
		if (strncmp(d->eal[i], "--file-prefix=", 14) == 0)
			return d->eal[i] + 14;
	return "rte";
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
	openlog("halb", LOG_PID, LOG_DAEMON);
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

int main(int argc, char **argv)
{
	struct options o;
	struct cfg_keepalived *k;
	struct cfg_dataplane *d;
	struct ctl_options co;
	struct ctl *c;
	char *eargv[EAL_ARGS_MAX], lcores[1024], err[512];
	sigset_t sigs;
	int eargc, rc;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
	if (load_config(&o, &k, &d) != 0)
		return 1;
	if (o.config_test) {
		cfg_keepalived_free(k);
		cfg_dataplane_free(d);
		return 0;
	}
	if (!o.dont_fork && daemon(0, o.log_console) != 0) {
		fprintf(stderr, "halb: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
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

	eargc = eal_args(d, eargv, lcores, sizeof(lcores));
	if (rte_eal_init(eargc, eargv) < 0) {
		early_error("DPDK could not start (EAL arguments from %s): %s", o.dataplane_conf,
			    rte_strerror(rte_errno));
		unlink(o.pid_file);
		return 1;
	}
	log_open("halb", o.log_console, o.log_detail);
	HALB_LOG(ctl, NOTICE, "Starting halb %s (%s)", HALB_VERSION, rte_version());

	co = (struct ctl_options){ .keepalived_conf = o.keepalived_conf,
				   .dataplane_conf = o.dataplane_conf,
				   .config_id = o.config_id,
				   .file_prefix = file_prefix(d) };
	c = ctl_create(k, d, &co, err, sizeof(err));
	if (c == NULL) {
		HALB_LOG(ctl, ERR, "halb cannot start: %s", err);
		if (!o.log_console)
			fprintf(stderr, "halb: cannot start: %s\n", err);
		rte_eal_cleanup();
		unlink(o.pid_file);
		return 1;
	}
	rc = ctl_run(c);
	ctl_destroy(c);
	/* The STOP state's mail alert is on its way: give it a moment. */
	notify_mail_drain(2000);
	log_close();
	rte_eal_cleanup();
	unlink(o.pid_file);
	return rc == 0 ? 0 : 1;
}
