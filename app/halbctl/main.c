/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halbctl: shows and adjusts a running halb. It connects to the DPDK
 * telemetry socket of the halb chosen by its file prefix, sends /halb/...
 * commands (following listings page by page), and prints the replies as
 * tables in the layouts an operator of ipvsadm and keepalived expects, or
 * with --json as JSON.
 *
 * Two ways to call it. As halbctl (`halbctl list --stats`): a command, then
 * its options; options common to every command may come before or after it.
 * As ipvsadm (`halbctl -Ln`, `-L -c -n`, `-Z -t VIP:PORT`, `-e -t VIP:PORT
 * -r RS:PORT -w 0`): ipvsadm's own options, with ipvsadm's exact layout
 * (ipvsadm.c in this directory reads those).
 *
 * This file holds the command table, argument parsing and usage; session.c
 * speaks to halb, run.c runs the commands, the view_*.c files print.
 * Exit status: 0 done, 1 halb unreachable or not answering as expected (or
 * refusing a change), 2 a bad command line, which is one line on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "halbctl.h"

#define GO_ON (-1) /* from option parsing: no reason to stop */

/* Long options without a short form. */
enum {
	OPT_SOCKET = 256,
	OPT_JSON,
	OPT_STATS,
	OPT_RATE,
	OPT_EXACT,
	OPT_SORT,
	OPT_LIMIT,
	OPT_IPVSADM,
	OPT_COUNT,
	OPT_WATCH,
	OPT_VIP,
	OPT_RS,
	OPT_CLIENT,
};

struct command {
	const char *name;
	const char *synopsis; /* its arguments, for the usage lines */
	const char *summary;  /* one line in `halbctl --help` */
	const char *help;     /* the body of `halbctl COMMAND --help` */
	const char *shortopts;
	const struct option *longopts;
	int n_args; /* positional arguments: exactly this many (-1: 2 or 3, weight) */
	int (*run)(struct session *s);
	bool watch; /* --watch makes sense */
};

/* Accepted before the command and after it. */
#define GLOBAL_SHORTOPTS ":P:hv"
/* clang-format off */
#define GLOBAL_LONGOPTS                                         \
	{ "file-prefix", required_argument, NULL, 'P' },        \
	{ "socket", required_argument, NULL, OPT_SOCKET },      \
	{ "json", no_argument, NULL, OPT_JSON },                \
	{ "help", no_argument, NULL, 'h' },                     \
	{ "version", no_argument, NULL, 'v' }
#define WATCH_LONGOPT { "watch", optional_argument, NULL, OPT_WATCH }
#define SERVICE_LONGOPTS                                        \
	{ "tcp-service", required_argument, NULL, 't' },        \
	{ "udp-service", required_argument, NULL, 'u' }
/* clang-format on */

static const struct option global_longopts[] = { GLOBAL_LONGOPTS, { NULL, 0, NULL, 0 } };
static const struct option watch_longopts[] = { GLOBAL_LONGOPTS,
						WATCH_LONGOPT,
						{ NULL, 0, NULL, 0 } };

static const struct option list_longopts[] = {
	GLOBAL_LONGOPTS,
	SERVICE_LONGOPTS,
	WATCH_LONGOPT,
	{ "numeric", no_argument, NULL, 'n' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "rate", no_argument, NULL, OPT_RATE },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ "sort", no_argument, NULL, OPT_SORT },
	{ "ipvsadm", no_argument, NULL, OPT_IPVSADM },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ NULL, 0, NULL, 0 },
};

static const struct option conns_longopts[] = {
	GLOBAL_LONGOPTS,
	SERVICE_LONGOPTS,
	WATCH_LONGOPT,
	{ "numeric", no_argument, NULL, 'n' },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "vip", required_argument, NULL, OPT_VIP },
	{ "rs", required_argument, NULL, OPT_RS },
	{ "client", required_argument, NULL, OPT_CLIENT },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ "sort", no_argument, NULL, OPT_SORT },
	{ NULL, 0, NULL, 0 },
};

static const struct option checks_longopts[] = {
	GLOBAL_LONGOPTS,
	WATCH_LONGOPT,
	{ "vip", required_argument, NULL, OPT_VIP },
	{ "rs", required_argument, NULL, OPT_RS },
	{ "count", no_argument, NULL, OPT_COUNT },
	{ NULL, 0, NULL, 0 },
};

static const struct option service_longopts[] = { GLOBAL_LONGOPTS,
						  SERVICE_LONGOPTS,
						  { NULL, 0, NULL, 0 } };

static int run_vrrp(struct session *s);
static int run_sync(struct session *s);
static int run_ports(struct session *s);
static int run_announce(struct session *s);
static int run_version(struct session *s);

static const struct command commands[] = {
	{
	    .name = "list",
	    .synopsis =
		"[--stats|--rate] [--exact] [--ipvsadm] [-t|-u VIP:PORT] [--count] [--watch]",
	    .summary = "virtual services and real servers, as ipvsadm -L -n",
	    .help = "Virtual services and their real servers (/halb/services) in the layout\n"
		    "of ipvsadm -L -n, plus a Health column: up, down, or sorry for a sorry\n"
		    "server. Weight is the weight in force; when it differs from the\n"
		    "configured one (a quiesced or inhibited server, or one set with\n"
		    "halbctl weight) the health says why. A service whose VIP this director\n"
		    "does not hold (it is BACKUP) is marked [VIP not held here].\n"
		    "\n"
		    "  -n, --numeric    accepted for ipvsadm habits: output is always numeric\n"
		    "      --stats      connections, packets and bytes (ipvsadm --stats)\n"
		    "      --rate       the same per second (ipvsadm --rate)\n"
		    "      --exact      numbers in full, without K/M/G/T (ipvsadm --exact)\n"
		    "      --sort       accepted: services and servers are always sorted\n"
		    "      --ipvsadm    exactly ipvsadm -L -n's layout, for scripts: its title\n"
		    "                   lines, no Health column, only servers in service\n"
		    "  -t, -u VIP:PORT  only this TCP or UDP service (IPv6: [2001:db8::1]:80)\n"
		    "      --count      totals only: services, real servers, connections\n"
		    "      --watch[=S]  print again every S seconds (default 2), as\n"
		    "                   watch ipvsadm -L --rate does\n",
	    .shortopts = GLOBAL_SHORTOPTS "nt:u:",
	    .longopts = list_longopts,
	    .run = run_list,
	    .watch = true,
	},
	{
	    .name = "conns",
	    .synopsis = "[--vip A[:P]] [--rs A[:P]] [--client A[:P]] [-n N | --limit N] [--count]",
	    .summary = "connection entries, as ipvsadm -L -c -n",
	    .help = "Entries of the connection table (/halb/conns) in the layout of\n"
		    "ipvsadm -L -c -n, all of them, read from halb a page at a time;\n"
		    "persistence templates show with state NONE and source port 0.\n"
		    "An IPv6 address A is written as ipvsadm writes it, [2001:db8::1]:80,\n"
		    "or bare (2001:db8::1) without a port.\n"
		    "\n"
		    "  --vip A[:P]     only connections to this virtual address (and port)\n"
		    "  -t, -u VIP:PORT the same, for the TCP or UDP service\n"
		    "  --rs A[:P]      only connections to this real server\n"
		    "  --client A[:P]  only connections from this client\n"
		    "  -n N, --limit N stop after N entries (a note on stderr says so)\n"
		    "  --count         totals only: connections by state, templates\n"
		    "  -n, --numeric   (without a number) accepted for ipvsadm habits: output\n"
		    "                  is always numeric\n"
		    "  --sort          accepted and ignored, as ipvsadm -L -c does\n",
	    .shortopts = GLOBAL_SHORTOPTS "nt:u:",
	    .longopts = conns_longopts,
	    .run = run_conns,
	    .watch = true,
	},
	{
	    .name = "vrrp",
	    .synopsis = "[--watch]",
	    .summary = "VRRP instances: state, priorities, master, VIPs, transitions",
	    .help = "Each VRRP instance (/halb/vrrp): state and since when, interface,\n"
		    "virtual router id, version, priority and effective priority (after\n"
		    "trackers), the master's address and priority, advert interval, VIPs,\n"
		    "adverts sent and received, rejected adverts by reason, trackers, and\n"
		    "the last transitions in local time.\n",
	    .shortopts = GLOBAL_SHORTOPTS,
	    .longopts = watch_longopts,
	    .run = run_vrrp,
	    .watch = true,
	},
	{
	    .name = "stats",
	    .synopsis = "[--watch]",
	    .summary = "packet counters: totals, drops, ports, workers, control core",
	    .help = "Packet counters (/halb/stats): totals, drops by reason, one row per\n"
		    "port and per worker, and the control core's exception path. With\n"
		    "--watch[=S], every S seconds (default 2) the same counters as rates:\n"
		    "what each counted per second since the previous refresh.\n",
	    .shortopts = GLOBAL_SHORTOPTS,
	    .longopts = watch_longopts,
	    .run = run_stats,
	    .watch = true,
	},
	{
	    .name = "neigh",
	    .synopsis = "",
	    .summary = "neighbours (ARP entries) of the dataplane",
	    .help = "The neighbour table of the dataplane (/halb/neigh): address, MAC,\n"
		    "port, state (INCOMPLETE, REACHABLE, STALE, FAILED) and age.\n",
	    .run = run_neigh,
	},
	{
	    .name = "ports",
	    .synopsis = "",
	    .summary = "dataplane ports",
	    .help = "The dataplane ports (/halb/ports): device, exception interface, MAC,\n"
		    "link, speed, MTU, NUMA node, queues, how the control core sends on\n"
		    "it, and the director's own addresses on it.\n",
	    .run = run_ports,
	},
	{
	    .name = "checks",
	    .synopsis = "[--vip A[:P]] [--rs A[:P]] [--count] [--watch]",
	    .summary = "health checks of the real servers",
	    .help = "The health checks of the real servers (/halb/checks): service, real\n"
		    "server, checker type and target, state and since when, failures,\n"
		    "checks run, and the last result with its reason.\n"
		    "\n"
		    "  --vip A[:P]  only the checks of this service\n"
		    "  --rs A[:P]   only the checks of this real server\n"
		    "  --count      totals only: checks up and down\n",
	    .shortopts = GLOBAL_SHORTOPTS,
	    .longopts = checks_longopts,
	    .run = run_checks,
	    .watch = true,
	},
	{
	    .name = "sync",
	    .synopsis = "",
	    .summary = "connection sync (lvs_sync_daemon): role, sent, received",
	    .help = "The connection sync daemon (/halb/sync): interface, instance whose\n"
		    "state it follows, role (MASTER sends, BACKUP receives), sync id,\n"
		    "group, port and TTL; messages and connections sent and received,\n"
		    "installed, refreshed, and those left out, with why.\n",
	    .run = run_sync,
	},
	{
	    .name = "announce",
	    .synopsis = "",
	    .summary = "route health injection: which VIPs are announced, and why",
	    .help = "Route health injection (/halb/announce, docs/SCALEOUT.md): the\n"
		    "interface whose addresses a routing daemon announces, then each VIP:\n"
		    "whether it is on that interface, since when, how many times it was\n"
		    "announced or withdrawn, and why (served: served with quorum;\n"
		    "not_served: its vrrp_instance is not MASTER; checks_pending: the\n"
		    "health checks have not all given a first verdict; quorum_lost;\n"
		    "stopping; kernel_error), with the reason in words.\n",
	    .run = run_announce,
	},
	{
	    .name = "version",
	    .synopsis = "",
	    .summary = "which halb runs, since when, with which files",
	    .help = "The running halb (/halb/version): its version and DPDK's, pid, file\n"
		    "prefix, start time, uptime, configuration files, reload count and\n"
		    "connection table size.\n",
	    .run = run_version,
	},
	{
	    .name = "weight",
	    .synopsis = "[-t|-u] VIP:PORT RS[:PORT] WEIGHT|reset",
	    .summary = "set a real server's weight (0 drains it), as ipvsadm -e -w",
	    .help = "Sets the weight of real server RS in service VIP:PORT (/halb/weight),\n"
		    "over the one keepalived.conf gives. 0 drains the server: no new\n"
		    "connections, the existing ones go on until they end. `reset` returns\n"
		    "to the configured weight. halb logs the change, halbctl list shows it\n"
		    "in the Health column, and it stays until a reload changes this real\n"
		    "server's weight or inhibit_on_failure in keepalived.conf (a reload\n"
		    "that leaves the server alone keeps it; keepalived would not).\n"
		    "\n"
		    "  -t, -u  the TCP or UDP service, when VIP:PORT has both\n",
	    .shortopts = GLOBAL_SHORTOPTS "tu",
	    .longopts = global_longopts,
	    .n_args = -1,
	    .run = run_weight,
	},
	{
	    .name = "zero",
	    .synopsis = "[-t|-u VIP:PORT]",
	    .summary = "zero the counters of every service, or one, as ipvsadm -Z",
	    .help = "Zeroes the connection, packet and byte counters and the rates of\n"
		    "every service and its real servers (/halb/zero), or of one service,\n"
		    "as ipvsadm -Z does; active and inactive connections are counts and\n"
		    "stay. Prometheus counters (/metrics) are not affected. Logged.\n"
		    "\n"
		    "  -t, -u VIP:PORT  only this TCP or UDP service\n",
	    .shortopts = GLOBAL_SHORTOPTS "t:u:",
	    .longopts = service_longopts,
	    .run = run_zero,
	},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char global_help[] =
    "Options, before or after the command:\n"
    "  -P, --file-prefix P  the halb started with DPDK file prefix P (default: " DEFAULT_PREFIX
    "),\n"
    "                       whose socket is " RUNTIME_DIR "/P/" SOCKET_NAME "\n"
    "      --socket PATH    use the telemetry socket at PATH instead\n"
    "      --json           print the reply's JSON, indented, instead of a table\n"
    "  -h, --help           this text; halbctl COMMAND --help for a command's\n"
    "  -v, --version        halbctl's version\n";

static const char ipvsadm_help[] =
    "ipvsadm's spellings, with ipvsadm's exact layout:\n"
    "  halbctl -L|-l [-n] [--stats|--rate] [--exact] [-t|-u VIP:PORT]\n"
    "  halbctl -L -c [-n]             connections (ipvsadm -L -c -n)\n"
    "  halbctl -Z [-t|-u VIP:PORT]    zero counters\n"
    "  halbctl -e -t|-u VIP:PORT -r RS:PORT -w WEIGHT   set a weight\n";

static const char exit_help[] =
    "Exit status: 0 done; 1 halb could not be reached, did not answer as\n"
    "expected or refused a change; 2 a bad command line.\n";

void halbctl_usage(FILE *out)
{
	fprintf(out, "Usage: halbctl [OPTIONS] COMMAND [COMMAND OPTIONS]\n"
		     "       halbctl [OPTIONS] IPVSADM-OPTIONS\n\n"
		     "Shows and adjusts a running halb through its DPDK telemetry socket.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char left[160];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].synopsis);
		if (strlen(left) > 16)
			fprintf(out, "  %s\n  %-16s  %s\n", left, "", commands[i].summary);
		else
			fprintf(out, "  %-16s  %s\n", left, commands[i].summary);
	}
	fprintf(out, "  %-16s  %s\n\n%s\n%s\n%s", "help [COMMAND]", "this text, or a command's",
		ipvsadm_help, global_help, exit_help);
}

static void command_usage(FILE *out, const struct command *cmd)
{
	fprintf(out, "Usage: halbctl %s%s%s [--json] [-P PREFIX | --socket PATH]\n\n%s\n%s\n%s",
		cmd->name, cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->help, global_help,
		exit_help);
}

/* One line on stderr and where to read more. */
int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("halbctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see halbctl %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "P" after "A:" is a port 0..65535. */
static bool valid_port(const char *p)
{
	char *end;
	long port;

	errno = 0;
	port = strtol(p, &end, 10);
	return p[0] != '\0' && *end == '\0' && errno == 0 && port >= 0 && port <= 65535;
}

/*
 * "A" or "A:P" for IPv4; "B", "[B]" or "[B]:P" for IPv6, as ipvsadm writes
 * it (need_port: with ":P" only).
 */
bool valid_addr(const char *s, bool need_port)
{
	const char *start = s, *end, *port = NULL;
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	int af = AF_INET;
	size_t n;

	if (s[0] == '[') {
		start = s + 1;
		end = strchr(start, ']');
		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return false;
		port = end[1] == ':' ? end + 2 : NULL;
		af = AF_INET6;
	} else if (strchr(s, ':') != strrchr(s, ':')) {
		end = s + strlen(s); /* IPv6 without brackets: no port */
		af = AF_INET6;
	} else {
		end = strchr(s, ':');
		port = end != NULL ? end + 1 : NULL;
		end = end != NULL ? end : s + strlen(s);
	}
	n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(addr) || (need_port && port == NULL))
		return false;
	memcpy(addr, start, n);
	addr[n] = '\0';
	return inet_pton(af, addr, bin) == 1 && (port == NULL || valid_port(port));
}

static int parse_limit(const char *cmd, struct opts *o, const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || errno != 0 || n < 1)
		return usage_error(cmd, "--limit wants a number of entries, at least 1, not '%s'",
				   arg);
	o->limit = n;
	return GO_ON;
}

static int parse_watch(const char *cmd, struct opts *o, const char *arg)
{
	char *end;
	double s = WATCH_DEFAULT;

	if (arg != NULL) {
		errno = 0;
		s = strtod(arg, &end);
		if (arg[0] == '\0' || *end != '\0' || errno != 0 || !(s >= 0.1) || s > 86400)
			return usage_error(cmd, "--watch wants seconds from 0.1 to 86400, not '%s'",
					   arg);
	}
	o->watch = s;
	return GO_ON;
}

/* -t/-u VIP:PORT: a service. */
int service_opt(const char *cmd, struct opts *o, int c, const char *arg)
{
	if (o->proto != NULL)
		return usage_error(cmd, "%s", "one service at a time: -t or -u, once");
	if (!valid_addr(arg, true))
		return usage_error(
		    cmd, "-%c wants VIP:PORT (IPv4 A.B.C.D:PORT or IPv6 [ADDRESS]:PORT), not '%s'",
		    c, arg);
	o->proto = c == 't' ? "tcp" : "udp";
	o->vip = arg;
	o->list.one = true;
	return GO_ON;
}

static int filter_opt(const char *cmd, const char **slot, const char *name, const char *arg)
{
	if (!valid_addr(arg, false))
		return usage_error(cmd,
				   "--%s wants an address with an optional port (A.B.C.D[:PORT], "
				   "[IPV6][:PORT]), not '%s'",
				   name, arg);
	*slot = arg;
	return GO_ON;
}

/* What getopt_long() did not like, as the user typed it. */
static const char *bad_option(char **argv, char *shortbuf)
{
	if (optopt != 0 && optopt < 256) {
		shortbuf[0] = '-';
		shortbuf[1] = (char)optopt;
		shortbuf[2] = '\0';
		return shortbuf;
	}
	return argv[optind - 1];
}

static int layout_opt(const char *cmd, struct opts *o, enum list_layout want)
{
	if (o->list.layout != LIST_PLAIN && o->list.layout != want)
		return usage_error(cmd, "%s", "--stats and --rate do not go together");
	o->list.layout = want;
	return GO_ON;
}

/*
 * Applies one option. @return GO_ON, or an exit status (help and
 * version end the program with 0, bad values with EXIT_USAGE).
 */
static int apply_option(int c, const struct command *cmd, struct opts *o, char **argv)
{
	const char *name = cmd ? cmd->name : NULL;
	char shortbuf[3];

	switch (c) {
	case 'P':
		if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
			return usage_error(name, "bad file prefix '%s'", optarg);
		o->prefix = optarg;
		return GO_ON;
	case OPT_SOCKET:
		o->socket = optarg;
		return GO_ON;
	case OPT_JSON:
		o->json = true;
		return GO_ON;
	case 'h':
		if (cmd != NULL)
			command_usage(stdout, cmd);
		else
			halbctl_usage(stdout);
		return EXIT_OK;
	case 'v':
		printf("halbctl %s\n", HALB_VERSION);
		return EXIT_OK;
	case 'n':      /* ipvsadm's --numeric: output is always numeric */
	case OPT_SORT: /* ipvsadm's --sort: a no-op there too */
		return GO_ON;
	case 't':
	case 'u':
		if (cmd != NULL && cmd->n_args == -1) { /* weight -t|-u: the protocol */
			o->proto = c == 't' ? "tcp" : "udp";
			return GO_ON;
		}
		return service_opt(name, o, c, optarg);
	case OPT_LIMIT:
		return parse_limit(name, o, optarg);
	case OPT_STATS:
		return layout_opt(name, o, LIST_STATS);
	case OPT_RATE:
		return layout_opt(name, o, LIST_RATE);
	case OPT_EXACT:
		o->list.exact = true;
		return GO_ON;
	case OPT_IPVSADM:
		o->list.ipvsadm = true;
		return GO_ON;
	case OPT_COUNT:
		o->count = true;
		return GO_ON;
	case OPT_WATCH:
		return parse_watch(name, o, optarg);
	case OPT_VIP:
		return filter_opt(name, &o->vip, "vip", optarg);
	case OPT_RS:
		return filter_opt(name, &o->rs, "rs", optarg);
	case OPT_CLIENT:
		return filter_opt(name, &o->client, "client", optarg);
	case ':':
		return usage_error(name, "option '%s' needs a value", bad_option(argv, shortbuf));
	default:
		return usage_error(name, "unknown option '%s'", bad_option(argv, shortbuf));
	}
}

/*
 * Parses argv with the given option set; with stop_at_command, up to the
 * first word that is not an option (the command). @return GO_ON, or an
 * exit status.
 */
static int parse_options(int argc, char **argv, const struct command *cmd, bool stop_at_command,
			 struct opts *o)
{
	const struct option *longopts = cmd && cmd->longopts ? cmd->longopts : global_longopts;
	char shortopts[32];
	int c;

	snprintf(shortopts, sizeof(shortopts), "%s%s", stop_at_command ? "+" : "",
		 cmd && cmd->shortopts ? cmd->shortopts : GLOBAL_SHORTOPTS);
	optind = 0; /* glibc: start afresh, as each call parses another argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int rc = apply_option(c, cmd, o, argv);

		if (rc != GO_ON)
			return rc;
	}
	return GO_ON;
}

static int run_vrrp(struct session *s)
{
	return run_plain(s, "/halb/vrrp", view_vrrp);
}

static int run_sync(struct session *s)
{
	return run_plain(s, "/halb/sync", view_sync);
}

static int run_ports(struct session *s)
{
	return run_plain(s, "/halb/ports", view_ports);
}

static int run_announce(struct session *s)
{
	return run_plain(s, "/halb/announce", view_announce);
}

static int run_version(struct session *s)
{
	return run_plain(s, "/halb/version", view_version);
}

/* `halbctl help [COMMAND]` */
static int run_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		halbctl_usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL || argc > 2)
		return usage_error(NULL, "help: no command '%s'", argv[cmd ? 2 : 1]);
	command_usage(stdout, cmd);
	return EXIT_OK;
}

/* weight VIP:PORT RS[:PORT] W|reset */
static int weight_args(struct opts *o, int n, char **args)
{
	char *end;
	long w;

	if (n != 3)
		return usage_error("weight", "%s",
				   "weight wants VIP:PORT RS[:PORT] WEIGHT (or reset)");
	if (!valid_addr(args[0], true))
		return usage_error("weight", "'%s' is not VIP:PORT", args[0]);
	if (!valid_addr(args[1], false))
		return usage_error("weight", "'%s' is not a real server address[:port]", args[1]);
	errno = 0;
	w = strtol(args[2], &end, 10);
	if (strcmp(args[2], "reset") != 0 &&
	    (args[2][0] == '\0' || *end != '\0' || errno != 0 || w < 0 || w > 65535))
		return usage_error("weight", "the weight is 0 to 65535 or reset, not '%s'",
				   args[2]);
	o->vip = args[0];
	o->rs = args[1];
	o->weight = args[2];
	return GO_ON;
}

/* What makes no sense together, said before asking halb anything. */
static int check_combination(const struct command *cmd, const struct opts *o)
{
	if (o->watch > 0 && !cmd->watch)
		return usage_error(cmd->name, "%s --watch is not a thing", cmd->name);
	if (o->watch > 0 && o->json)
		return usage_error(cmd->name, "%s", "--watch prints tables, not --json");
	if (o->watch > 0 && strcmp(cmd->name, "conns") == 0 && !o->count)
		return usage_error(cmd->name, "%s", "conns --watch needs --count");
	if (o->count && (o->list.layout != LIST_PLAIN || o->list.ipvsadm))
		return usage_error(cmd->name, "%s",
				   "--count prints totals only: no layout options");
	if (o->count && o->limit > 0)
		return usage_error(cmd->name, "%s", "--count counts everything: no --limit");
	return GO_ON;
}

void watch_title(struct opts *o, int argc, char **argv)
{
	snprintf(o->title, sizeof(o->title), "halbctl");
	for (int i = 0; i < argc; i++)
		snprintf(o->title + strlen(o->title), sizeof(o->title) - strlen(o->title), " %s",
			 argv[i]);
}

static int run_session(const struct command *cmd, struct opts *o)
{
	struct session s = { .o = o };
	int rc = check_combination(cmd, o);

	if (rc != GO_ON)
		return rc;
	rc = o->watch > 0 ? run_watch(&s, cmd->run) : cmd->run(&s);
	session_close(&s);
	return rc;
}

int run_named(const char *name, struct opts *o)
{
	return run_session(find_command(name), o);
}

/* `conns -n N` is the number of entries (halb's own spelling, kept);
 * `-n` alone is ipvsadm's --numeric. */
static void conns_n_is_limit(const struct command *cmd, int argc, char **argv)
{
	static char limit[] = "--limit";

	if (strcmp(cmd->name, "conns") != 0)
		return;
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "-n") == 0 && argv[i + 1][0] != '\0' &&
		    strspn(argv[i + 1], "0123456789") == strlen(argv[i + 1]))
			argv[i] = limit;
}

static int run_command(const struct command *cmd, int argc, char **argv, struct opts *o)
{
	int n, rc;

	conns_n_is_limit(cmd, argc, argv);
	rc = parse_options(argc, argv, cmd, false, o);

	if (rc != GO_ON)
		return rc;
	n = argc - optind;
	if (cmd->n_args == -1) {
		rc = weight_args(o, n, argv + optind);
		if (rc != GO_ON)
			return rc;
	} else if (n > 0) {
		return usage_error(cmd->name, "unexpected argument '%s'", argv[optind]);
	}
	watch_title(o, argc, argv);
	return run_session(cmd, o);
}

static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "halbctl: writing the output: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = { .prefix = DEFAULT_PREFIX };
	const struct command *cmd;
	int rc;

	if (ipvsadm_spelling(argc, argv))
		return finish(ipvsadm_main(argc, argv, &o));
	rc = parse_options(argc, argv, NULL, true, &o);
	if (rc != GO_ON)
		return finish(rc);
	if (optind >= argc)
		return usage_error(NULL, "%s", "which command? (list, conns, vrrp, ...)");
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "help") == 0)
		return finish(run_help(argc, argv));
	cmd = find_command(argv[0]);
	if (cmd == NULL)
		return usage_error(NULL, "unknown command '%s'", argv[0]);
	return finish(run_command(cmd, argc, argv, &o));
}
