/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * halbctl spoken as ipvsadm. An operator's hands and scripts type
 * `ipvsadm -Ln`, `ipvsadm -L -n --stats`, `ipvsadm -Lcn`, `ipvsadm -Z -t
 * VIP:PORT` and `ipvsadm -e -t VIP:PORT -r RIP:PORT -w 0`; halbctl accepts
 * those where halb can do what they mean, and prints ipvsadm's own layout
 * for them (the listing's "IP Virtual Server version" line included, no
 * Health column), so `alias ipvsadm=halbctl` keeps a script working.
 *
 * What ipvsadm does that halb takes from keepalived.conf instead (adding
 * and deleting services and servers, timeouts, the sync daemon) is refused
 * with a one-line error: it is not among the options below.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "halbctl.h"

enum { IPV_NONE, IPV_LIST, IPV_ZERO, IPV_EDIT };

enum {
	IPV_STATS = 256,
	IPV_RATE,
	IPV_EXACT,
	IPV_SORT,
	IPV_SOCKET,
	IPV_JSON,
};

static const struct option ipvsadm_longopts[] = {
	{ "list", no_argument, NULL, 'L' },
	{ "zero", no_argument, NULL, 'Z' },
	{ "edit-server", no_argument, NULL, 'e' },
	{ "connection", no_argument, NULL, 'c' },
	{ "numeric", no_argument, NULL, 'n' },
	{ "tcp-service", required_argument, NULL, 't' },
	{ "udp-service", required_argument, NULL, 'u' },
	{ "real-server", required_argument, NULL, 'r' },
	{ "weight", required_argument, NULL, 'w' },
	{ "stats", no_argument, NULL, IPV_STATS },
	{ "rate", no_argument, NULL, IPV_RATE },
	{ "exact", no_argument, NULL, IPV_EXACT },
	{ "sort", no_argument, NULL, IPV_SORT },
	{ "file-prefix", required_argument, NULL, 'P' },
	{ "socket", required_argument, NULL, IPV_SOCKET },
	{ "json", no_argument, NULL, IPV_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* ipvsadm's commands that keepalived.conf does for halb. */
static const char *const refused_long[] = { "--add-service",  "--edit-service",  "--delete-service",
					    "--clear",        "--restore",       "--save",
					    "--add-server",   "--delete-server", "--set",
					    "--start-daemon", "--stop-daemon",   NULL };
#define REFUSED_SHORT "AEDCRSad"

/* A bundle of ipvsadm's short options ("-Ln", "-lcn") with a command in it. */
static bool short_command(const char *a)
{
	if (a[0] != '-' || a[1] == '-' || a[1] == '\0')
		return false;
	if (strspn(a + 1, "LlZecn" REFUSED_SHORT) != strlen(a + 1))
		return false;
	return strpbrk(a + 1, "LlZe" REFUSED_SHORT) != NULL;
}

static bool refused_command(const char *a)
{
	for (size_t i = 0; refused_long[i] != NULL; i++)
		if (strcmp(a, refused_long[i]) == 0)
			return true;
	return false;
}

bool ipvsadm_spelling(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--list") == 0 || strcmp(argv[i], "--zero") == 0 ||
		    strcmp(argv[i], "--edit-server") == 0 || short_command(argv[i]) ||
		    refused_command(argv[i]))
			return true;
	}
	return false;
}

struct ipv {
	int cmd;
	bool conns;
	const char *rs, *weight;
};

static int set_command(struct ipv *v, int cmd)
{
	if (v->cmd != IPV_NONE && v->cmd != cmd)
		return usage_error(NULL, "%s", "multiple commands specified");
	v->cmd = cmd;
	return -1;
}

static int layout(struct opts *o, enum list_layout want)
{
	if (o->list.layout != LIST_PLAIN && o->list.layout != want)
		return usage_error(NULL, "%s", "--stats and --rate do not go together");
	o->list.layout = want;
	return -1;
}

/* One option; -1 to go on, else an exit status. */
static int ipv_option(int c, struct ipv *v, struct opts *o, char **argv)
{
	switch (c) {
	case 'L':
	case 'l':
		return set_command(v, IPV_LIST);
	case 'Z':
		return set_command(v, IPV_ZERO);
	case 'e':
		return set_command(v, IPV_EDIT);
	case 'c':
		v->conns = true;
		return -1;
	case 'n':
	case IPV_SORT:
		return -1;
	case 't':
	case 'u':
		return service_opt(NULL, o, c, optarg);
	case 'r':
		if (!valid_addr(optarg, false))
			return usage_error(
			    NULL, "-r wants a real server's address[:port], not '%s'", optarg);
		v->rs = optarg;
		return -1;
	case 'w':
		v->weight = optarg;
		return -1;
	case IPV_STATS:
		return layout(o, LIST_STATS);
	case IPV_RATE:
		return layout(o, LIST_RATE);
	case IPV_EXACT:
		o->list.exact = true;
		return -1;
	case 'P':
		if (optarg[0] == '\0' || strchr(optarg, '/') != NULL)
			return usage_error(NULL, "bad file prefix '%s'", optarg);
		o->prefix = optarg;
		return -1;
	case IPV_SOCKET:
		o->socket = optarg;
		return -1;
	case IPV_JSON:
		o->json = true;
		return -1;
	case 'h':
		halbctl_usage(stdout);
		return EXIT_OK;
	case 'v':
		printf("halbctl %s\n", HALB_VERSION);
		return EXIT_OK;
	case ':':
		return usage_error(NULL, "option '%s' needs a value", argv[optind - 1]);
	default:
		if (optopt != 0 && optopt < 256 && strchr(REFUSED_SHORT, optopt) != NULL)
			return usage_error(
			    NULL,
			    "ipvsadm's -%c is not for halb: services and real servers "
			    "come from keepalived.conf (reload with SIGHUP)",
			    optopt);
		if (refused_command(argv[optind - 1]))
			return usage_error(NULL,
					   "ipvsadm's %s is not for halb: services, servers and "
					   "timeouts come from keepalived.conf",
					   argv[optind - 1]);
		if (optopt != 0 && optopt < 256)
			return usage_error(
			    NULL, "option '-%c' is not one halbctl takes from ipvsadm", optopt);
		return usage_error(NULL, "option '%s' is not one halbctl takes from ipvsadm",
				   argv[optind - 1]);
	}
}

/* What each ipvsadm command may carry. */
static int ipv_check(const struct ipv *v, const struct opts *o)
{
	if (v->cmd == IPV_NONE)
		return usage_error(NULL, "%s", "which command? -L, -Z or -e");
	if (v->cmd != IPV_EDIT && (v->rs != NULL || v->weight != NULL))
		return usage_error(NULL, "%s", "-r and -w go with -e");
	if (v->cmd != IPV_LIST && (v->conns || o->list.layout != LIST_PLAIN || o->list.exact))
		return usage_error(NULL, "%s", "-c, --stats, --rate and --exact go with -L");
	if (v->conns && o->list.layout != LIST_PLAIN)
		return usage_error(NULL, "%s", "-L -c lists connections: no --stats or --rate");
	if (v->cmd == IPV_EDIT && (o->vip == NULL || v->rs == NULL || v->weight == NULL))
		return usage_error(NULL, "%s", "-e wants -t|-u VIP:PORT -r RS:PORT -w WEIGHT");
	return -1;
}

int ipvsadm_main(int argc, char **argv, struct opts *o)
{
	struct ipv v = { IPV_NONE, false, NULL, NULL };
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":LlZecnt:u:r:w:P:hv", ipvsadm_longopts, NULL)) != -1) {
		rc = ipv_option(c, &v, o, argv);
		if (rc != -1)
			return rc;
	}
	if (optind < argc)
		return usage_error(NULL, "unexpected argument '%s'", argv[optind]);
	rc = ipv_check(&v, o);
	if (rc != -1)
		return rc;
	watch_title(o, argc - 1, argv + 1);
	switch (v.cmd) {
	case IPV_LIST:
		if (v.conns)
			return run_named("conns", o);
		o->list.ipvsadm = true;
		return run_named("list", o);
	case IPV_ZERO:
		return run_named("zero", o);
	default:
		o->rs = v.rs;
		o->weight = v.weight;
		if (strcmp(v.weight, "reset") != 0 &&
		    (v.weight[0] == '\0' || strspn(v.weight, "0123456789") != strlen(v.weight) ||
		     strlen(v.weight) > 5 || atol(v.weight) > 65535))
			return usage_error(NULL, "-w wants a weight from 0 to 65535, not '%s'",
					   v.weight);
		return run_named("weight", o);
	}
}
