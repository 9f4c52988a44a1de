/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halbctl: shows the state of a running halb. It connects to the DPDK
 * telemetry socket of the halb chosen by its file prefix, sends one
 * /halb/... command (two for `list`, which also names the version), and
 * prints the reply as a table in the layout an operator of ipvsadm and
 * keepalived expects, or with --json as the JSON itself.
 *
 * This file holds the command table, argument parsing (options common to
 * every command may come before or after it, as in `halbctl list --json`)
 * and error reporting; tel_client.c speaks the protocol and the view_*.c
 * files print. Exit status: 0 done, 1 halb unreachable or not answering as
 * expected, 2 a bad command line.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tel_client.h"
#include "views.h"

#define EXIT_OK    0
#define EXIT_FAIL  1
#define EXIT_USAGE 2
#define GO_ON      (-1) /* from option parsing: no reason to stop */

#define DEFAULT_PREFIX "halb"
#define RUNTIME_DIR    "/var/run/dpdk"
#define SOCKET_NAME    "dpdk_telemetry.v2"
#define TIMEOUT_MS     2000
#define CONNS_MAX      100000

/* Long options without a short form. */
enum {
	OPT_SOCKET = 256,
	OPT_JSON,
	OPT_STATS,
	OPT_RATE,
	OPT_EXACT,
	OPT_LIMIT,
};

struct opts {
	const char *prefix;
	const char *socket;
	bool json;
	struct list_opts list;
	long conns_limit; /* 0: the daemon's default */
};

struct session {
	const struct opts *o;
	char path[PATH_MAX];
	struct tel_conn conn;
	bool open;
};

struct command {
	const char *name;
	const char *synopsis; /* its arguments, for the usage lines */
	const char *summary;  /* one line in `halbctl --help` */
	const char *help;     /* the body of `halbctl COMMAND --help` */
	const char *shortopts;
	const struct option *longopts;
	const char *path; /* the telemetry command of a plain view */
	void (*view)(FILE *out, const json_t *value);
	int (*run)(struct session *s); /* instead of path and view */
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
/* clang-format on */

static const struct option global_longopts[] = { GLOBAL_LONGOPTS, { NULL, 0, NULL, 0 } };

static const struct option list_longopts[] = {
	GLOBAL_LONGOPTS,
	{ "numeric", no_argument, NULL, 'n' },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "rate", no_argument, NULL, OPT_RATE },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ NULL, 0, NULL, 0 },
};

static const struct option conns_longopts[] = {
	GLOBAL_LONGOPTS,
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ NULL, 0, NULL, 0 },
};

static int run_list(struct session *s);
static int run_conns(struct session *s);

static const struct command commands[] = {
	{
	    .name = "list",
	    .synopsis = "[-n] [--stats | --rate] [--exact]",
	    .summary = "virtual services and real servers, as ipvsadm -L -n",
	    .help = "Virtual services and their real servers (/halb/services) in the layout\n"
		    "of ipvsadm -L -n, plus a Health column: up, down, or sorry for a sorry\n"
		    "server. Weight is the weight in force; when it differs from the\n"
		    "configured one (a quiesced or inhibited server) the configured weight\n"
		    "follows the health. A service whose VIP this director does not hold\n"
		    "(it is BACKUP) is marked [VIP not held here].\n"
		    "\n"
		    "  -n, --numeric  accepted for ipvsadm habits: output is always numeric\n"
		    "      --stats    connections, packets and bytes (ipvsadm --stats)\n"
		    "      --rate     the same per second (ipvsadm --rate)\n"
		    "      --exact    numbers in full, without K/M/G/T (ipvsadm --exact)\n",
	    .shortopts = GLOBAL_SHORTOPTS "n",
	    .longopts = list_longopts,
	    .run = run_list,
	},
	{
	    .name = "conns",
	    .synopsis = "[-n N]",
	    .summary = "connection entries, as ipvsadm -L -c -n",
	    .help = "Entries of the connection table (/halb/conns) in the layout of\n"
		    "ipvsadm -L -c -n; persistence templates show with state NONE and\n"
		    "source port 0. When halb cut the list, a note on stderr says so.\n"
		    "\n"
		    "  -n, --limit N  list at most N entries (1 to 100000; halb's default\n"
		    "                 is 1000). A bare -n is accepted, as in ipvsadm -L -c -n\n",
	    .shortopts = GLOBAL_SHORTOPTS "n::",
	    .longopts = conns_longopts,
	    .run = run_conns,
	},
	{
	    .name = "vrrp",
	    .synopsis = "",
	    .summary = "VRRP instances: state, priorities, master, VIPs, transitions",
	    .help = "Each VRRP instance (/halb/vrrp): state and since when, interface,\n"
		    "virtual router id, version, priority and effective priority (after\n"
		    "trackers), the master's address and priority, advert interval, VIPs,\n"
		    "adverts sent and received, rejected adverts by reason, trackers, and\n"
		    "the last transitions in local time.\n",
	    .path = "/halb/vrrp",
	    .view = view_vrrp,
	},
	{
	    .name = "stats",
	    .synopsis = "",
	    .summary = "packet counters: totals, drops, ports, workers, control core",
	    .help = "Packet counters (/halb/stats): totals, drops by reason, one row per\n"
		    "port and per worker, and the control core's exception path.\n",
	    .path = "/halb/stats",
	    .view = view_stats,
	},
	{
	    .name = "neigh",
	    .synopsis = "",
	    .summary = "neighbours (ARP entries) of the dataplane",
	    .help = "The neighbour table of the dataplane (/halb/neigh): address, MAC,\n"
		    "port, state (INCOMPLETE, REACHABLE, STALE, FAILED) and age.\n",
	    .path = "/halb/neigh",
	    .view = view_neigh,
	},
	{
	    .name = "ports",
	    .synopsis = "",
	    .summary = "dataplane ports",
	    .help = "The dataplane ports (/halb/ports): device, exception interface, MAC,\n"
		    "link, speed, MTU, NUMA node, queues, how the control core sends on\n"
		    "it, and the director's own addresses on it.\n",
	    .path = "/halb/ports",
	    .view = view_ports,
	},
	{
	    .name = "checks",
	    .synopsis = "",
	    .summary = "health checks of the real servers",
	    .help = "The health checks of the real servers (/halb/checks): service, real\n"
		    "server, checker type and target, state and since when, failures,\n"
		    "checks run, and the last result with its reason.\n",
	    .path = "/halb/checks",
	    .view = view_checks,
	},
	{
	    .name = "sync",
	    .synopsis = "",
	    .summary = "connection sync (lvs_sync_daemon): role, sent, received",
	    .help = "The connection sync daemon (/halb/sync): interface, instance whose\n"
		    "state it follows, role (MASTER sends, BACKUP receives), sync id,\n"
		    "group, port and TTL; messages and connections sent and received,\n"
		    "installed, refreshed, and those left out, with why.\n",
	    .path = "/halb/sync",
	    .view = view_sync,
	},
	{
	    .name = "version",
	    .synopsis = "",
	    .summary = "which halb runs, since when, with which files",
	    .help = "The running halb (/halb/version): its version and DPDK's, pid, file\n"
		    "prefix, start time, uptime, configuration files and reload count.\n",
	    .path = "/halb/version",
	    .view = view_version,
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

static const char exit_help[] =
    "Exit status: 0 done; 1 halb could not be reached or did not answer as\n"
    "expected; 2 a bad command line.\n";

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: halbctl [OPTIONS] COMMAND [COMMAND OPTIONS]\n\n"
		     "Shows the state of a running halb, read from its DPDK telemetry socket.\n\n"
		     "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].synopsis);
		if (strlen(left) > 16)
			fprintf(out, "  %s\n  %-16s  %s\n", left, "", commands[i].summary);
		else
			fprintf(out, "  %-16s  %s\n", left, commands[i].summary);
	}
	fprintf(out, "  %-16s  %s\n\n%s\n%s", "help [COMMAND]", "this text, or a command's",
		global_help, exit_help);
}

static void command_usage(FILE *out, const struct command *cmd)
{
	fprintf(out, "Usage: halbctl %s%s%s [--json] [-P PREFIX | --socket PATH]\n\n%s\n%s\n%s",
		cmd->name, cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->help, global_help,
		exit_help);
}

static int usage_error(const struct command *cmd, const char *fmt, const char *what)
{
	fputs("halbctl: ", stderr);
	fprintf(stderr, fmt, what);
	fputs("\n\n", stderr);
	if (cmd != NULL)
		command_usage(stderr, cmd);
	else
		usage(stderr);
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static bool all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int parse_limit(const struct command *cmd, struct opts *o, const char *arg)
{
	long n = all_digits(arg) && strlen(arg) <= 7 ? strtol(arg, NULL, 10) : 0;

	if (n < 1 || n > CONNS_MAX)
		return usage_error(cmd, "-n wants a number of entries from 1 to 100000, not '%s'",
				   arg);
	o->conns_limit = n;
	return EXIT_OK;
}

/*
 * conns takes -n with an optional number: "-n 50", "-n50", or a bare -n out
 * of ipvsadm -L -c -n habit. getopt hands over only the attached form, so a
 * number in the next word is taken here.
 */
static int conns_numeric_opt(const struct command *cmd, struct opts *o, int argc, char **argv)
{
	if (optarg != NULL)
		return parse_limit(cmd, o, optarg);
	if (optind < argc && all_digits(argv[optind]))
		return parse_limit(cmd, o, argv[optind++]);
	return EXIT_OK;
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

/*
 * Applies one option. @return GO_ON, or an exit status (help and
 * version end the program with 0, bad values with EXIT_USAGE).
 */
static int apply_option(int c, const struct command *cmd, struct opts *o, int argc, char **argv)
{
	char shortbuf[3];

	switch (c) {
	case 'P':
		if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
			return usage_error(cmd, "bad file prefix '%s'", optarg);
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
			usage(stdout);
		return EXIT_OK;
	case 'v':
		printf("halbctl %s\n", HALB_VERSION);
		return EXIT_OK;
	case 'n':
		if (cmd != NULL && strcmp(cmd->name, "conns") == 0) {
			int rc = conns_numeric_opt(cmd, o, argc, argv);

			return rc == EXIT_OK ? GO_ON : rc;
		}
		return GO_ON; /* list: addresses are always numeric */
	case OPT_LIMIT: {
		int rc = parse_limit(cmd, o, optarg);

		return rc == EXIT_OK ? GO_ON : rc;
	}
	case OPT_STATS:
	case OPT_RATE:
		if (o->list.layout != LIST_PLAIN &&
		    o->list.layout != (c == OPT_STATS ? LIST_STATS : LIST_RATE))
			return usage_error(cmd, "%s", "--stats and --rate do not go together");
		o->list.layout = c == OPT_STATS ? LIST_STATS : LIST_RATE;
		return GO_ON;
	case OPT_EXACT:
		o->list.exact = true;
		return GO_ON;
	case ':':
		return usage_error(cmd, "option '%s' needs a value", bad_option(argv, shortbuf));
	default:
		return usage_error(cmd, "unknown option '%s'", bad_option(argv, shortbuf));
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
		int rc = apply_option(c, cmd, o, argc, argv);

		if (rc != GO_ON)
			return rc;
	}
	return GO_ON;
}

static const char *socket_path(struct session *s)
{
	if (s->o->socket != NULL)
		snprintf(s->path, sizeof(s->path), "%s", s->o->socket);
	else
		snprintf(s->path, sizeof(s->path), RUNTIME_DIR "/%s/" SOCKET_NAME, s->o->prefix);
	return s->path;
}

/* A hint that fits why connect() failed. */
static const char *connect_hint(int err, bool by_prefix)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return by_prefix ? "is halb running? use -P to choose the instance"
				 : "is halb running?";
	case EACCES:
	case EPERM:
		return "run halbctl as root, or as the user halb runs as";
	case ECONNREFUSED:
		return "nobody listens on it: halb has stopped and left its socket behind";
	default:
		return NULL;
	}
}

static void report_connect_error(const struct session *s)
{
	const char *hint = connect_hint(s->conn.sys_errno, s->o->socket == NULL);

	fputs("halbctl: cannot reach halb", stderr);
	if (s->o->socket == NULL)
		fprintf(stderr, " (file prefix '%s')", s->o->prefix);
	fprintf(stderr, ": %s%s%s\n", s->conn.message, hint ? " \u2014 " : "", hint ? hint : "");
}

/* Opens the connection on first use; reports failures itself. */
static int session_open(struct session *s)
{
	enum tel_status st;

	if (s->open)
		return EXIT_OK;
	st = tel_open(&s->conn, socket_path(s), TIMEOUT_MS);
	if (st == TEL_ECONNECT) {
		report_connect_error(s);
		return EXIT_FAIL;
	}
	if (st != TEL_OK) {
		fprintf(stderr, "halbctl: %s: %s\n", s->path, s->conn.message);
		return EXIT_FAIL;
	}
	s->open = true;
	return EXIT_OK;
}

/* Sends cmd and hands back the reply's value; reports failures itself. */
static int session_query(struct session *s, const char *cmd, json_t **value)
{
	int rc = session_open(s);

	*value = NULL;
	if (rc != EXIT_OK)
		return rc;
	if (tel_query(&s->conn, cmd, value) != TEL_OK) {
		fprintf(stderr, "halbctl: %s\n", s->conn.message);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/*
 * 16 significant digits, not jansson's 17: a value the daemon wrote as 61.9
 * prints as 61.9 rather than 61.899999999999999, and microseconds of a
 * timestamp (16 digits) survive.
 */
static int print_json(const json_t *value)
{
	if (json_dumpf(value, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(16)) !=
	    0) {
		fprintf(stderr, "halbctl: cannot print the reply: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	putchar('\n');
	return EXIT_OK;
}

/* The views read objects; anything else means the daemon broke the contract. */
static bool expect_object(const json_t *value, const char *cmd)
{
	if (json_is_object(value))
		return true;
	fprintf(stderr, "halbctl: the reply to %s is not a JSON object; try --json to see it\n",
		cmd);
	return false;
}

static int run_plain(struct session *s, const struct command *cmd)
{
	json_t *value;
	int rc = session_query(s, cmd->path, &value);

	if (rc != EXIT_OK)
		return rc;
	if (s->o->json)
		rc = print_json(value);
	else if (!expect_object(value, cmd->path))
		rc = EXIT_FAIL;
	else
		cmd->view(stdout, value);
	json_decref(value);
	return rc;
}

static int run_list(struct session *s)
{
	json_t *services, *version = NULL;
	int rc = session_query(s, "/halb/services", &services);

	if (rc != EXIT_OK)
		return rc;
	if (s->o->json) {
		rc = print_json(services);
	} else if (!expect_object(services, "/halb/services")) {
		rc = EXIT_FAIL;
	} else {
		/* The title names the version; a halb that cannot say still lists. */
		if (tel_query(&s->conn, "/halb/version", &version) != TEL_OK)
			version = NULL;
		view_list(stdout, services, version, &s->o->list);
	}
	json_decref(version);
	json_decref(services);
	return rc;
}

static int run_conns(struct session *s)
{
	char cmd[64];
	json_t *conns;
	int rc;

	if (s->o->conns_limit > 0)
		snprintf(cmd, sizeof(cmd), "/halb/conns,%ld", s->o->conns_limit);
	else
		snprintf(cmd, sizeof(cmd), "/halb/conns");
	rc = session_query(s, cmd, &conns);
	if (rc != EXIT_OK)
		return rc;
	if (s->o->json)
		rc = print_json(conns);
	else if (!expect_object(conns, cmd))
		rc = EXIT_FAIL;
	else
		view_conns(stdout, stderr, conns);
	json_decref(conns);
	return rc;
}

/* `halbctl help [COMMAND]` */
static int run_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL || argc > 2)
		return usage_error(NULL, "help: no command '%s'", argv[cmd ? 2 : 1]);
	command_usage(stdout, cmd);
	return EXIT_OK;
}

static int run_command(const struct command *cmd, int argc, char **argv, struct opts *o)
{
	struct session s = { .o = o };
	int rc = parse_options(argc, argv, cmd, false, o);

	if (rc != GO_ON)
		return rc;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	rc = cmd->run ? cmd->run(&s) : run_plain(&s, cmd);
	if (s.open || s.conn.buf != NULL)
		tel_close(&s.conn);
	return rc;
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
	int rc = parse_options(argc, argv, NULL, true, &o);

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
