/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of lib/config: every keepalived.conf directive halb supports lands in
 * its model field with keepalived's defaults; the grammar (comments, quotes,
 * one-line blocks, value blocks, include); every error and warning with its
 * exact line; the dataplane file's validation; cfg_check's errors and lints;
 * and the seed's six configurations in conf/seed, which must parse to the
 * model the seed describes and pass cfg_check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "halb_config.h"

#ifndef HALB_SOURCE_ROOT
#define HALB_SOURCE_ROOT "."
#endif

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* An IPv4 address of the model, against a host-order value. */
#define assert_addr4(a, want)                     \
	do {                                      \
		assert_int_equal((a).af, 4);      \
		assert_int_equal((a).v4, (want)); \
	} while (0)

/* ------------------------------------------------------------------ helpers */

static struct cfg_keepalived *parse(const char *text, struct cfg_diags *d)
{
	return cfg_keepalived_parse(text, strlen(text), "test.conf", d);
}

static struct cfg_dataplane *parse_dp(const char *text, struct cfg_diags *d)
{
	return cfg_dataplane_parse(text, "test.cfg", d);
}

static void dump(const struct cfg_diags *d)
{
	cfg_diags_print(stderr, d);
}

static const struct cfg_diag *find_diag(const struct cfg_diags *d, enum cfg_severity sev, int line,
					const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && d->v[i].line == line &&
		    strstr(d->v[i].msg, needle) != NULL)
			return &d->v[i];
	return NULL;
}

static unsigned int count_diag(const struct cfg_diags *d, enum cfg_severity sev, const char *needle)
{
	unsigned int n = 0;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && strstr(d->v[i].msg, needle) != NULL)
			n++;
	return n;
}

#define assert_diag(d, sev, line, needle)                                                     \
	do {                                                                                  \
		if (find_diag((d), (sev), (line), (needle)) == NULL) {                        \
			dump(d);                                                              \
			fail_msg("no %s at line %d containing \"%s\"",                        \
				 (sev) == CFG_ERROR ? "error" : "warning", (line), (needle)); \
		}                                                                             \
	} while (0)

#define assert_clean(d)                                                                 \
	do {                                                                            \
		if ((d)->errors != 0 || (d)->warnings != 0) {                           \
			dump(d);                                                        \
			fail_msg("%u errors, %u warnings", (d)->errors, (d)->warnings); \
		}                                                                       \
	} while (0)

#define assert_no_errors(d)                                 \
	do {                                                \
		if ((d)->errors != 0) {                     \
			dump(d);                            \
			fail_msg("%u errors", (d)->errors); \
		}                                           \
	} while (0)

/* Parses text that must fail with exactly one error, at line, saying needle. */
static void expect_one_error(const char *text, int line, const char *needle)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	assert_null(k);
	assert_diag(&d, CFG_ERROR, line, needle);
	if (d.errors != 1) {
		dump(&d);
		fail_msg("%u errors, expected 1", d.errors);
	}
	cfg_diags_free(&d);
}

static void expect_dp_error(const char *text, int line, const char *needle)
{
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p = parse_dp(text, &d);

	assert_null(p);
	assert_diag(&d, CFG_ERROR, line, needle);
	cfg_diags_free(&d);
}

static bool status_has(const struct cfg_url *u, unsigned int code)
{
	return (u->status[(code - 100) / 64] >> ((code - 100) % 64)) & 1;
}

/* An instance that satisfies the parser, for tests about something else. */
#define MIN_INSTANCE(name, vrid)                                               \
	"vrrp_instance " name " {\n interface eth1\n virtual_router_id " #vrid \
	"\n virtual_ipaddress {\n  10.0.0." #vrid "\n }\n}\n"

/* ---------------------------------------------------------------- global_defs */

static void test_global_defs(void **state)
{
	const char *text = "global_defs {\n"
			   "  notification_email {\n"
			   "    root@localhost\n"
			   "    ops@example.com noc@example.com\n"
			   "  }\n"
			   "  notification_email_from root@along.com\n"
			   "  smtp_server 127.0.0.1 2525\n"
			   "  smtp_connect_timeout 30\n"
			   "  smtp_helo_name director1\n"
			   "  smtp_alert\n"
			   "  router_id keepalived_lvs\n"
			   "  enable_script_security\n"
			   "  script_user keepalived_script scripts\n"
			   "  vrrp_garp_master_delay 10\n"
			   "  vrrp_garp_master_repeat 3\n"
			   "  vrrp_garp_master_refresh 60\n"
			   "  vrrp_garp_master_refresh_repeat 2\n"
			   "  vrrp_version 3\n"
			   "  vrrp_mcast_group4 224.0.0.19\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_global *g;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	g = &k->global;
	assert_int_equal(g->n_notification_email, 3);
	assert_string_equal(g->notification_email[0], "root@localhost");
	assert_string_equal(g->notification_email[2], "noc@example.com");
	assert_string_equal(g->notification_email_from, "root@along.com");
	assert_true(g->has_smtp_server);
	assert_int_equal(g->smtp_server, IP(127, 0, 0, 1));
	assert_int_equal(g->smtp_port, 2525);
	assert_int_equal(g->smtp_connect_timeout_ms, 30000);
	assert_string_equal(g->smtp_helo_name, "director1");
	assert_true(g->smtp_alert);
	assert_string_equal(g->router_id, "keepalived_lvs");
	assert_true(g->enable_script_security);
	assert_string_equal(g->script_user, "keepalived_script");
	assert_string_equal(g->script_group, "scripts");
	assert_int_equal(g->vrrp_garp_master_delay_ms, 10000);
	assert_int_equal(g->vrrp_garp_master_repeat, 3);
	assert_int_equal(g->vrrp_garp_master_refresh_ms, 60000);
	assert_int_equal(g->vrrp_garp_master_refresh_repeat, 2);
	assert_int_equal(g->vrrp_version, 3);
	assert_int_equal(g->vrrp_mcast_group4, IP(224, 0, 0, 19));
	assert_string_equal(g->loc.file, "test.conf");
	assert_int_equal(g->loc.line, 1);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_global_defaults(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse("", &d);
	const struct cfg_global *g;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	g = &k->global;
	assert_int_equal(g->n_notification_email, 0);
	assert_null(g->notification_email_from);
	assert_false(g->has_smtp_server);
	assert_int_equal(g->smtp_port, 25);
	assert_int_equal(g->smtp_connect_timeout_ms, 30000);
	assert_null(g->router_id);
	assert_false(g->enable_script_security);
	assert_int_equal(g->vrrp_garp_master_delay_ms, 5000);
	assert_int_equal(g->vrrp_garp_master_repeat, 5);
	assert_int_equal(g->vrrp_garp_master_refresh_ms, 0);
	assert_int_equal(g->vrrp_garp_master_refresh_repeat, 1);
	assert_int_equal(g->vrrp_version, 2);
	assert_int_equal(g->vrrp_mcast_group4, IP(224, 0, 0, 18));
	assert_int_equal(k->n_files, 1);
	assert_string_equal(k->files[0], "test.conf");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* -------------------------------------------------------------- vrrp_instance */

static const char *full_instance = "vrrp_script chk_a {\n"
				   "  script \"/bin/true\"\n"
				   "}\n"
				   "vrrp_script chk_b {\n"
				   "  script \"/bin/false\"\n"
				   "}\n"
				   "vrrp_instance VI_1 {\n" /* 7 */
				   "  state MASTER\n"
				   "  interface eth1\n"
				   "  virtual_router_id 51\n" /* 10 */
				   "  priority 150\n"
				   "  advert_int 0.5\n"
				   "  version 3\n"
				   "  authentication {\n"
				   "    auth_type PASS\n" /* 15 */
				   "    auth_pass secret\n"
				   "  }\n"
				   "  virtual_ipaddress {\n"
				   "    172.17.100.100\n"
				   "    192.168.30.100/24 dev eth2 label eth2:vip\n" /* 20 */
				   "    10.1.1.1/32 brd 10.1.1.1 scope global noprefixroute\n"
				   "  }\n"
				   "  preempt\n"
				   "  garp_master_delay 3\n"
				   "  garp_master_repeat 2\n" /* 25 */
				   "  garp_master_refresh 30\n"
				   "  unicast_src_ip 172.17.1.6\n"
				   "  unicast_peer {\n"
				   "    172.17.11.11\n"
				   "    172.17.11.12\n" /* 30 */
				   "  }\n"
				   "  track_interface {\n"
				   "    eth1\n"
				   "    eth2 weight -20\n"
				   "  }\n" /* 35 */
				   "  track_script {\n"
				   "    chk_b\n"
				   "    chk_a weight 30 reverse\n"
				   "  }\n"
				   "  notify_master \"/etc/keepalived/notify.sh master\"\n" /* 40 */
				   "  notify_backup \"/etc/keepalived/notify.sh backup\"\n"
				   "  notify_fault \"/etc/keepalived/notify.sh fault\"\n"
				   "  notify_stop /etc/keepalived/stop.sh\n"
				   "  notify /etc/keepalived/any.sh\n"
				   "  smtp_alert false\n" /* 45 */
				   "}\n";

static void test_instance_fields(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(full_instance, &d);
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->n_instances, 1);
	v = &k->instances[0];
	assert_string_equal(v->name, "VI_1");
	assert_int_equal(v->loc.line, 7);
	assert_int_equal(v->state, CFG_VRRP_MASTER);
	assert_string_equal(v->interface, "eth1");
	assert_int_equal(v->vrid, 51);
	assert_int_equal(v->priority, 150);
	assert_int_equal(v->advert_int_ms, 500);
	assert_int_equal(v->version, 3);
	assert_int_equal(v->auth_type, CFG_AUTH_PASS);
	assert_string_equal(v->auth_pass, "secret");
	assert_int_equal(v->n_vips, 3);
	assert_addr4(v->vips[0].pfx.addr, IP(172, 17, 100, 100));
	assert_int_equal(v->vips[0].pfx.plen, 32);
	assert_null(v->vips[0].dev);
	assert_null(v->vips[0].label);
	assert_int_equal(v->vips[0].loc.line, 19);
	assert_addr4(v->vips[1].pfx.addr, IP(192, 168, 30, 100));
	assert_int_equal(v->vips[1].pfx.plen, 24);
	assert_string_equal(v->vips[1].dev, "eth2");
	assert_string_equal(v->vips[1].label, "eth2:vip");
	assert_addr4(v->vips[2].pfx.addr, IP(10, 1, 1, 1));
	assert_false(v->nopreempt);
	assert_int_equal(v->garp_master_delay_ms, 3000);
	assert_int_equal(v->garp_master_repeat, 2);
	assert_int_equal(v->garp_master_refresh_ms, 30000);
	assert_true(v->has_unicast_src_ip);
	assert_addr4(v->unicast_src_ip, IP(172, 17, 1, 6));
	assert_int_equal(v->n_unicast_peers, 2);
	assert_addr4(v->unicast_peers[1], IP(172, 17, 11, 12));
	assert_int_equal(v->n_track_if, 2);
	assert_string_equal(v->track_if[0].name, "eth1");
	assert_int_equal(v->track_if[0].weight, 0);
	assert_string_equal(v->track_if[1].name, "eth2");
	assert_int_equal(v->track_if[1].weight, -20);
	assert_int_equal(v->n_track_scripts, 2);
	assert_string_equal(v->track_scripts[0].name, "chk_b");
	assert_int_equal(v->track_scripts[0].script, 1);
	assert_false(v->track_scripts[0].has_weight);
	assert_string_equal(v->track_scripts[1].name, "chk_a");
	assert_int_equal(v->track_scripts[1].script, 0);
	assert_true(v->track_scripts[1].has_weight);
	assert_int_equal(v->track_scripts[1].weight, 30);
	assert_true(v->track_scripts[1].weight_reverse);
	assert_int_equal(v->track_scripts[1].loc.line, 38);
	assert_string_equal(v->notify.master.cmd, "/etc/keepalived/notify.sh master");
	assert_string_equal(v->notify.backup.cmd, "/etc/keepalived/notify.sh backup");
	assert_string_equal(v->notify.fault.cmd, "/etc/keepalived/notify.sh fault");
	assert_string_equal(v->notify.stop.cmd, "/etc/keepalived/stop.sh");
	assert_string_equal(v->notify.any.cmd, "/etc/keepalived/any.sh");
	assert_int_equal(v->smtp_alert, 0);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_instance_defaults(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(MIN_INSTANCE("VI_9", 9), &d);
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	v = &k->instances[0];
	assert_int_equal(v->state, CFG_VRRP_BACKUP);
	assert_int_equal(v->priority, 100);
	assert_int_equal(v->advert_int_ms, 1000);
	assert_int_equal(v->version, 0);
	assert_int_equal(v->auth_type, CFG_AUTH_NONE);
	assert_string_equal(v->auth_pass, "");
	assert_false(v->nopreempt);
	assert_int_equal(v->preempt_delay_ms, 0);
	assert_int_equal(v->garp_master_delay_ms, -1);
	assert_int_equal(v->garp_master_repeat, -1);
	assert_int_equal(v->garp_master_refresh_ms, -1);
	assert_false(v->has_unicast_src_ip);
	assert_int_equal(v->n_unicast_peers, 0);
	assert_null(v->notify.master.cmd);
	assert_int_equal(v->smtp_alert, -1);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_instance_preempt(void **state)
{
	const char *text = "vrrp_instance VI_1 {\n"
			   "  interface eth1\n"
			   "  virtual_router_id 1\n"
			   "  virtual_ipaddress { 10.0.0.1 }\n"
			   "  nopreempt\n"
			   "}\n"
			   "vrrp_instance VI_2 {\n"
			   "  interface eth1\n"
			   "  virtual_router_id 2\n"
			   "  virtual_ipaddress { 10.0.0.2 }\n"
			   "  preempt_delay 2.5\n"
			   "}\n"
			   "vrrp_instance VI_3 {\n" /* 13 */
			   "  state MASTER\n"
			   "  interface eth1\n"
			   "  virtual_router_id 3\n"
			   "  virtual_ipaddress { 10.0.0.3 }\n"
			   "  nopreempt\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_int_equal(d.errors, 0);
	assert_true(k->instances[0].nopreempt);
	assert_int_equal(k->instances[1].preempt_delay_ms, 2500);
	/* keepalived clears nopreempt for an initial MASTER, with a warning */
	assert_false(k->instances[2].nopreempt);
	assert_diag(&d, CFG_WARNING, 13, "need state BACKUP");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_auth_pass_truncated(void **state)
{
	const char *text = "vrrp_instance VI_1 {\n"
			   "  interface eth1\n"
			   "  virtual_router_id 1\n"
			   "  virtual_ipaddress { 10.0.0.1 }\n"
			   "  authentication {\n"
			   "    auth_type AH\n"
			   "    auth_pass 0123456789\n"
			   "  }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_diag(&d, CFG_WARNING, 7, "truncated");
	assert_string_equal(k->instances[0].auth_pass, "01234567");
	assert_int_equal(k->instances[0].auth_type, CFG_AUTH_AH);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* -------------------------------------------------------- scripts and groups */

static void test_vrrp_script(void **state)
{
	const char *text = "vrrp_script chk_nginx {\n"
			   "  script \"killall -0 nginx\"\n"
			   "  interval 2\n"
			   "  timeout 5\n"
			   "  weight -4 reverse\n"
			   "  fall 2\n"
			   "  rise 3\n"
			   "  user nobody nogroup\n"
			   "}\n"
			   "vrrp_script chk_down {\n"
			   "  script \"[[ -f /etc/keepalived/down ]] && exit 1 || exit 0\"\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_script *s;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->n_scripts, 2);
	s = &k->scripts[0];
	assert_string_equal(s->name, "chk_nginx");
	assert_string_equal(s->script, "killall -0 nginx");
	assert_int_equal(s->interval_ms, 2000);
	assert_int_equal(s->timeout_ms, 5000);
	assert_int_equal(s->weight, -4);
	assert_true(s->weight_reverse);
	assert_int_equal(s->fall, 2);
	assert_int_equal(s->rise, 3);
	assert_string_equal(s->user, "nobody");
	assert_string_equal(s->group, "nogroup");
	s = &k->scripts[1];
	assert_string_equal(s->script, "[[ -f /etc/keepalived/down ]] && exit 1 || exit 0");
	assert_int_equal(s->interval_ms, 1000);
	assert_int_equal(s->timeout_ms, 0);
	assert_int_equal(s->weight, 0);
	assert_false(s->weight_reverse);
	assert_int_equal(s->fall, 1);
	assert_int_equal(s->rise, 1);
	assert_null(s->user);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_sync_group(void **state)
{
	const char *text = "vrrp_sync_group G1 {\n"
			   "  group {\n"
			   "    VI_2\n"
			   "    VI_1\n"
			   "  }\n"
			   "  notify_master \"/bin/g master\"\n"
			   "  notify_backup /bin/gb\n"
			   "  notify_fault /bin/gf\n"
			   "  notify_stop /bin/gs\n"
			   "  notify /bin/gn\n"
			   "  smtp_alert\n"
			   "}\n" MIN_INSTANCE("VI_1", 1) MIN_INSTANCE("VI_2", 2);
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_sync_group *g;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->n_groups, 1);
	g = &k->groups[0];
	assert_string_equal(g->name, "G1");
	assert_int_equal(g->n_members, 2);
	assert_string_equal(g->members[0], "VI_2");
	assert_int_equal(g->member[0], 1);
	assert_int_equal(g->member[1], 0);
	assert_string_equal(g->notify.master.cmd, "/bin/g master");
	assert_string_equal(g->notify.backup.cmd, "/bin/gb");
	assert_string_equal(g->notify.fault.cmd, "/bin/gf");
	assert_string_equal(g->notify.stop.cmd, "/bin/gs");
	assert_string_equal(g->notify.any.cmd, "/bin/gn");
	assert_int_equal(g->smtp_alert, 1);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_sync_group_errors(void **state)
{
	const char *text = MIN_INSTANCE("VI_1", 1) /* lines 1-7 */
	    "vrrp_sync_group G1 {\n"               /* 8 */
	    "  group { VI_1 VI_7 }\n"
	    "}\n"
	    "vrrp_sync_group G2 {\n" /* 11 */
	    "  group { VI_1 }\n"
	    "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_null(k);
	assert_diag(&d, CFG_ERROR, 8, "no vrrp_instance named VI_7");
	assert_diag(&d, CFG_ERROR, 11, "VI_1 is already in vrrp_sync_group G1");
	assert_diag(&d, CFG_WARNING, 11, "only one instance");
	cfg_diags_free(&d);
}

/* ------------------------------------------------------------- virtual_server */

static const char *full_vs = "virtual_server 10.0.0.1 80 {\n"
			     "  delay_loop 10\n"
			     "  lvs_sched sh\n"
			     "  sh-port\n"
			     "  sh-fallback\n"
			     "  lvs_method TUN\n"
			     "  nat_mask 255.255.255.0\n"
			     "  persistence_timeout 600\n"
			     "  persistence_granularity 255.255.255.0\n"
			     "  protocol UDP\n" /* 10 */
			     "  sorry_server 10.9.9.9 8080\n"
			     "  sorry_server_inhibit\n"
			     "  quorum 2\n"
			     "  hysteresis 1\n"
			     "  quorum_up \"/bin/up 1\"\n"
			     "  quorum_down /bin/down\n"
			     "  inhibit_on_failure\n"
			     "  alpha\n"
			     "  omega\n"
			     "  virtualhost www.example.com\n" /* 20 */
			     "  ha_suspend\n"
			     "  real_server 10.0.1.1 8080 {\n"
			     "    weight 0\n"
			     "    notify_up /bin/rs_up\n"
			     "    notify_down \"/bin/rs_down now\"\n"
			     "    TCP_CHECK {\n"
			     "      connect_timeout 2\n"
			     "    }\n"
			     "  }\n"
			     "  real_server 10.0.1.2 {\n" /* 30 */
			     "    weight 65535\n"
			     "    inhibit_on_failure false\n"
			     "  }\n"
			     "}\n";

static void test_virtual_server_fields(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(full_vs, &d);
	const struct cfg_virtual_server *vs;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->n_vs, 1);
	vs = &k->vs[0];
	assert_addr4(vs->addr, IP(10, 0, 0, 1));
	assert_int_equal(vs->port, 80);
	assert_int_equal(vs->loc.line, 1);
	assert_int_equal(vs->delay_loop_ms, 10000);
	assert_int_equal(vs->sched, CFG_SCHED_SH);
	assert_true(vs->sched_port);
	assert_true(vs->sched_fallback);
	assert_int_equal(vs->fwd, CFG_FWD_TUN);
	assert_int_equal(vs->persistence_timeout, 600);
	assert_int_equal(vs->persistence_granularity, IP(255, 255, 255, 0));
	assert_int_equal(vs->protocol, IPPROTO_UDP);
	assert_true(vs->has_sorry_server);
	assert_addr4(vs->sorry_server.addr, IP(10, 9, 9, 9));
	assert_int_equal(vs->sorry_server.port, 8080);
	assert_true(vs->sorry_server_inhibit);
	assert_int_equal(vs->quorum, 2);
	assert_int_equal(vs->hysteresis, 1);
	assert_string_equal(vs->quorum_up.cmd, "/bin/up 1");
	assert_string_equal(vs->quorum_down.cmd, "/bin/down");
	assert_true(vs->inhibit_on_failure);
	assert_true(vs->alpha);
	assert_true(vs->omega);
	assert_string_equal(vs->virtualhost, "www.example.com");
	assert_true(vs->ha_suspend);
	assert_int_equal(vs->n_rs, 2);
	assert_addr4(vs->rs[0].addr, IP(10, 0, 1, 1));
	assert_int_equal(vs->rs[0].port, 8080);
	assert_int_equal(vs->rs[0].weight, 0);
	assert_string_equal(vs->rs[0].notify_up.cmd, "/bin/rs_up");
	assert_string_equal(vs->rs[0].notify_down.cmd, "/bin/rs_down now");
	/* inherited from the virtual server */
	assert_true(vs->rs[0].inhibit_on_failure);
	assert_false(vs->rs[0].inhibit_on_failure_set);
	assert_int_equal(vs->rs[0].n_checkers, 1);
	assert_int_equal(vs->rs[0].checkers[0].type, CFG_CHECK_TCP);
	/* a real server without a port takes the virtual server's */
	assert_int_equal(vs->rs[1].port, 80);
	assert_int_equal(vs->rs[1].weight, 65535);
	assert_int_equal(vs->rs[1].loc.line, 30);
	/* written on the real server: not inherited */
	assert_false(vs->rs[1].inhibit_on_failure);
	assert_true(vs->rs[1].inhibit_on_failure_set);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_virtual_server_defaults(void **state)
{
	const char *text = "virtual_server 10.0.0.1 443 { protocol TCP\n"
			   "  lb_algo rr\n"
			   "  lb_kind DR\n"
			   "  persistence_timeout\n"
			   "  real_server 10.0.1.1 443 {\n"
			   "  }\n"
			   "}\n"
			   "virtual_server 10.0.0.2 80 {\n" /* 8: no protocol */
			   "  real_server 10.0.1.1 80 {\n"
			   "  }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_virtual_server *vs;

	(void)state;
	assert_non_null(k);
	/* keepalived 2.2: "no protocol set - defaulting to UDP" */
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 1);
	assert_diag(&d, CFG_WARNING, 8, "virtual_server has no protocol: UDP");
	vs = &k->vs[0];
	assert_int_equal(vs->sched, CFG_SCHED_RR);
	assert_int_equal(vs->fwd, CFG_FWD_DR);
	assert_int_equal(vs->persistence_timeout, 360);
	vs = &k->vs[1];
	assert_int_equal(vs->protocol, IPPROTO_UDP);
	assert_int_equal(vs->delay_loop_ms, 60000);
	assert_int_equal(vs->sched, CFG_SCHED_WLC);
	assert_int_equal(vs->fwd, CFG_FWD_NAT);
	assert_int_equal(vs->persistence_timeout, 0);
	assert_int_equal(vs->persistence_granularity, UINT32_MAX);
	assert_int_equal(vs->quorum, 1);
	assert_int_equal(vs->hysteresis, 0);
	assert_false(vs->has_sorry_server);
	assert_false(vs->inhibit_on_failure);
	assert_int_equal(vs->retry, CFG_UNSET);
	assert_int_equal(vs->delay_before_retry_ms, CFG_UNSET);
	assert_int_equal(vs->connect_timeout_ms, 5000);
	assert_int_equal(vs->rs[0].weight, 1);
	assert_int_equal(vs->rs[0].n_checkers, 0);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_all_schedulers(void **state)
{
	(void)state;
	for (int s = 0; s < CFG_SCHED_COUNT; s++) {
		char text[256];
		struct cfg_diags d = { 0 };
		struct cfg_keepalived *k;

		snprintf(text, sizeof(text),
			 "virtual_server 10.0.0.1 80 { protocol TCP\n lb_algo %s\n real_server "
			 "10.0.1.1 80 {\n "
			 "}\n}\n",
			 cfg_sched_name((enum cfg_sched)s));
		k = parse(text, &d);
		assert_non_null(k);
		assert_int_equal(k->vs[0].sched, s);
		cfg_keepalived_free(k);
		cfg_diags_free(&d);
	}
}

/* ------------------------------------------------------------------ checkers */

static const char *checkers_text = "virtual_server 10.0.0.1 80 { protocol TCP\n"
				   "  delay_loop 20\n"
				   "  retry 7\n"
				   "  connect_timeout 4\n"
				   "  real_server 10.0.1.1 80 {\n" /* 5 */
				   "    delay_before_retry 2\n"
				   "    HTTP_GET {\n"
				   "      url {\n"
				   "        path /health\n"
				   "        status_code 200 204 301-302\n" /* 10 */
				   "        digest 9B3A0C85A887A256D6939DA88AABD8CD\n"
				   "        virtualhost url.example.com\n"
				   "      }\n"
				   "      url {\n"
				   "        path /\n" /* 15 */
				   "      }\n"
				   "      connect_ip 10.0.2.1\n"
				   "      connect_port 8081\n"
				   "      bindto 10.0.0.254\n"
				   "      bind_port 40000\n" /* 20 */
				   "      connect_timeout 1.5\n"
				   "      virtualhost chk.example.com\n"
				   "    }\n"
				   "    SSL_GET {\n"
				   "      url {\n" /* 25 */
				   "        path /tls\n"
				   "      }\n"
				   "      enable_sni\n"
				   "      nb_get_retry 0\n"
				   "      delay_loop 3\n" /* 30 */
				   "    }\n"
				   "    TCP_CHECK {\n"
				   "      retry 9\n"
				   "    }\n"
				   "    MISC_CHECK {\n" /* 35 */
				   "      misc_path \"/usr/local/bin/check --deep\"\n"
				   "      misc_timeout 8\n"
				   "      misc_dynamic\n"
				   "      user nobody nogroup\n"
				   "    }\n" /* 40 */
				   "  }\n"
				   "  real_server 10.0.1.2 80 {\n"
				   "    MISC_CHECK {\n"
				   "      misc_path /bin/true\n"
				   "    }\n" /* 45 */
				   "    HTTP_GET {\n"
				   "      url { path / }\n"
				   "    }\n"
				   "  }\n"
				   "}\n";

static void test_checker_fields(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(checkers_text, &d);
	const struct cfg_real_server *rs;
	const struct cfg_checker *c;
	const struct cfg_url *u;

	(void)state;
	assert_non_null(k);
	assert_int_equal(d.errors, 0);
	/* nb_get_retry works, with a warning */
	assert_diag(&d, CFG_WARNING, 29, "nb_get_retry is deprecated");
	assert_int_equal(d.warnings, 1);
	rs = &k->vs[0].rs[0];
	assert_int_equal(rs->n_checkers, 4);
	assert_int_equal(rs->delay_before_retry_ms, 2000);

	c = &rs->checkers[0];
	assert_int_equal(c->type, CFG_CHECK_HTTP);
	assert_int_equal(c->loc.line, 7);
	assert_int_equal(c->n_urls, 2);
	u = &c->urls[0];
	assert_string_equal(u->path, "/health");
	assert_true(status_has(u, 200));
	assert_true(status_has(u, 204));
	assert_true(status_has(u, 301));
	assert_true(status_has(u, 302));
	assert_false(status_has(u, 201));
	assert_false(status_has(u, 303));
	assert_true(u->has_digest);
	assert_string_equal(u->digest, "9b3a0c85a887a256d6939da88aabd8cd");
	assert_string_equal(u->virtualhost, "url.example.com");
	u = &c->urls[1];
	assert_string_equal(u->path, "/");
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(u->status[i], 0);
	assert_false(u->has_digest);
	assert_true(c->has_connect_ip);
	assert_addr4(c->connect_ip, IP(10, 0, 2, 1));
	assert_int_equal(c->connect_port, 8081);
	assert_true(c->has_bindto);
	assert_addr4(c->bindto, IP(10, 0, 0, 254));
	assert_int_equal(c->bind_port, 40000);
	assert_string_equal(c->virtualhost, "chk.example.com");
	/* own connect_timeout; retry from the VS; dbr from the RS; loop from the VS */
	assert_int_equal(c->connect_timeout_ms, 1500);
	assert_int_equal(c->retry, 7);
	assert_int_equal(c->delay_before_retry_ms, 2000);
	assert_int_equal(c->delay_loop_ms, 20000);

	c = &rs->checkers[1];
	assert_int_equal(c->type, CFG_CHECK_SSL);
	assert_true(c->enable_sni);
	assert_int_equal(c->retry, 0);
	assert_int_equal(c->delay_loop_ms, 3000);
	assert_int_equal(c->connect_timeout_ms, 4000);

	c = &rs->checkers[2];
	assert_int_equal(c->type, CFG_CHECK_TCP);
	assert_int_equal(c->retry, 9);
	assert_int_equal(c->connect_port, 0);

	c = &rs->checkers[3];
	assert_int_equal(c->type, CFG_CHECK_MISC);
	assert_string_equal(c->misc_path, "/usr/local/bin/check --deep");
	assert_int_equal(c->misc_timeout_ms, 8000);
	assert_true(c->misc_dynamic);
	assert_string_equal(c->user, "nobody");
	assert_string_equal(c->group, "nogroup");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_checker_defaults(void **state)
{
	const char *text = "virtual_server 10.0.0.1 80 { protocol TCP\n"
			   "  real_server 10.0.1.1 80 {\n"
			   "    HTTP_GET { url { path / } }\n"
			   "    SSL_GET { url { path / } }\n"
			   "    TCP_CHECK { }\n"
			   "    MISC_CHECK { misc_path /bin/true }\n"
			   "  }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_checker *c;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	c = k->vs[0].rs[0].checkers;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(c[i].connect_timeout_ms, 5000);
		assert_int_equal(c[i].delay_loop_ms, 60000);
	}
	assert_int_equal(c[0].retry, 1);
	assert_int_equal(c[0].delay_before_retry_ms, 3000);
	assert_int_equal(c[1].retry, 1);
	assert_int_equal(c[1].delay_before_retry_ms, 3000);
	assert_int_equal(c[2].retry, 1);
	assert_int_equal(c[2].delay_before_retry_ms, 1000);
	assert_int_equal(c[3].retry, 0);
	assert_int_equal(c[3].delay_before_retry_ms, 1000);
	assert_int_equal(c[3].misc_timeout_ms, 0);
	assert_false(c[0].enable_sni);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* ------------------------------------------------------------------- grammar */

static void test_comments_and_quotes(void **state)
{
	const char *text = "# a comment line\n"
			   "! another one\n"
			   "global_defs {   # trailing\n"
			   "  router_id r1! no space before the bang\n"
			   "  notification_email_from \"a#b!c d\"  # quoted: not a comment\n"
			   "  smtp_helo_name x\\#y\n"
			   "  script_user \"\" ! an empty quoted argument\n"
			   "}\n"
			   "vrrp_instance VI_1 {     #VI_1是自定义的实例名称\n"
			   "    state MASTER        #初始状态,MASTER|BACKUP\n" /* 10 */
			   "    interface eth1      #通告选举所用端口\n"
			   "    virtual_router_id 51  #虚拟路由的ID号(一般不可大于255)\n"
			   "    priority 100       #优先级信息 #备节点必须更低\n"
			   "\tadvert_int\t1\t\t#VRRP通告间隔,秒\r\n"
			   "    virtual_ipaddress {\r\n"
			   "        172.17.100.100    #vip\r\n"
			   "    }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_string_equal(k->global.router_id, "r1");
	assert_string_equal(k->global.notification_email_from, "a#b!c d");
	assert_string_equal(k->global.smtp_helo_name, "x#y");
	assert_string_equal(k->global.script_user, "");
	v = &k->instances[0];
	assert_int_equal(v->state, CFG_VRRP_MASTER);
	assert_string_equal(v->interface, "eth1");
	assert_int_equal(v->vrid, 51);
	assert_int_equal(v->priority, 100);
	assert_int_equal(v->advert_int_ms, 1000);
	assert_int_equal(v->n_vips, 1);
	assert_int_equal(v->vips[0].loc.line, 16);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_utf8_bom_and_crlf(void **state)
{
	const char *text =
	    "\xef\xbb\xbfglobal_defs {\r\n router_id \xe8\xb7\xaf\xe7\x94\xb1\r\n}\r\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_string_equal(k->global.router_id, "\xe8\xb7\xaf\xe7\x94\xb1");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	expect_one_error("global_defs {\n router_id \"abc\n}\n", 2, "unterminated quoted string");
}

static void test_one_line_blocks(void **state)
{
	const char *text =
	    "global_defs { router_id r1 smtp_server 10.0.0.9 smtp_connect_timeout 5 }\n"
	    "vrrp_instance VI_1{state BACKUP interface eth1 virtual_router_id 7 priority 90\n"
	    "  authentication { auth_type PASS auth_pass along }\n"
	    "  virtual_ipaddress{10.0.0.7}}\n"
	    "virtual_server 10.0.0.7 80 { protocol TCP lb_algo wrr lb_kind DR real_server 10.0.1.1 "
	    "80 { "
	    "weight 3 HTTP_GET { url { path / status_code 200 } connect_timeout 2 } } }\n"
	    "vrrp_instance VI_2\n"
	    "{\n"
	    "  interface eth1\n"
	    "  virtual_router_id 8\n"
	    "  virtual_ipaddress\n"
	    "  {\n"
	    "    10.0.0.8\n"
	    "  }\n"
	    "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_instance *v;
	const struct cfg_real_server *rs;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_string_equal(k->global.router_id, "r1");
	assert_int_equal(k->global.smtp_server, IP(10, 0, 0, 9));
	assert_int_equal(k->global.smtp_connect_timeout_ms, 5000);
	v = &k->instances[0];
	assert_int_equal(v->state, CFG_VRRP_BACKUP);
	assert_string_equal(v->interface, "eth1");
	assert_int_equal(v->vrid, 7);
	assert_int_equal(v->priority, 90);
	assert_int_equal(v->auth_type, CFG_AUTH_PASS);
	assert_string_equal(v->auth_pass, "along");
	assert_int_equal(v->n_vips, 1);
	assert_addr4(v->vips[0].pfx.addr, IP(10, 0, 0, 7));
	assert_int_equal(k->vs[0].sched, CFG_SCHED_WRR);
	assert_int_equal(k->vs[0].fwd, CFG_FWD_DR);
	rs = &k->vs[0].rs[0];
	assert_int_equal(rs->weight, 3);
	assert_int_equal(rs->checkers[0].connect_timeout_ms, 2000);
	assert_true(status_has(&rs->checkers[0].urls[0], 200));
	v = &k->instances[1];
	assert_string_equal(v->name, "VI_2");
	assert_int_equal(v->vrid, 8);
	assert_int_equal(v->n_vips, 1);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* The seed writes its notify hooks on one line. */
static void test_notify_on_one_line(void **state)
{
	const char *text =
	    "vrrp_instance VI_1 {\n"
	    "  interface eth1\n"
	    "  virtual_router_id 1\n"
	    "  virtual_ipaddress { 10.0.0.1 }\n"
	    "  notify_backup \"/etc/keepalived/notify.sh backup\" notify_master "
	    "\"/etc/keepalived/notify.sh master\" notify_fault \"/etc/keepalived/notify.sh "
	    "fault\"\n"
	    "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_string_equal(k->instances[0].notify.backup.cmd, "/etc/keepalived/notify.sh backup");
	assert_string_equal(k->instances[0].notify.master.cmd, "/etc/keepalived/notify.sh master");
	assert_string_equal(k->instances[0].notify.fault.cmd, "/etc/keepalived/notify.sh fault");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_value_blocks(void **state)
{
	const char *text =
	    "global_defs {\n"
	    "  notification_email { a@x b@x }\n"
	    "}\n"
	    "vrrp_instance VI_1 {\n"
	    "  interface eth1\n"
	    "  virtual_router_id 1\n"
	    "  virtual_ipaddress { 10.0.0.1 10.0.0.2/24 dev eth2 10.0.0.3 label eth1:3 }\n"
	    "  unicast_peer { 10.0.1.1 10.0.1.2 }\n"
	    "  track_interface { eth1 weight 5 eth2 }\n"
	    "  virtual_ipaddress {\n"
	    "    10.0.0.4\n"
	    "  }\n"
	    "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);
	const struct cfg_vrrp_instance *v;

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->global.n_notification_email, 2);
	v = &k->instances[0];
	assert_int_equal(v->n_vips, 4);
	assert_null(v->vips[0].dev);
	assert_string_equal(v->vips[1].dev, "eth2");
	assert_int_equal(v->vips[1].pfx.plen, 24);
	assert_string_equal(v->vips[2].label, "eth1:3");
	assert_addr4(v->vips[3].pfx.addr, IP(10, 0, 0, 4));
	assert_int_equal(v->vips[3].loc.line, 11);
	assert_int_equal(v->n_unicast_peers, 2);
	assert_int_equal(v->n_track_if, 2);
	assert_int_equal(v->track_if[0].weight, 5);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_unknown_keyword_and_block(void **state)
{
	const char *text = "global_defs {\n"
			   "  router_id r1\n"
			   "  frobnicate 1 2 3\n"
			   "}\n"
			   "static_rules {\n" /* 5 */
			   "  from 10.9.9.9/24 table 5\n"
			   "  nested { vrrp_instance X { } }\n"
			   "}\n"
			   "vrrp_instance VI_1 {\n"
			   "  interface eth1\n" /* 10 */
			   "  virtual_router_id 1\n"
			   "  mystery_block\n"
			   "  {\n"
			   "    priority 1\n"
			   "  }\n" /* 15 */
			   "  priority 42\n"
			   "  virtual_ipaddress { 10.0.0.1 }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	/* refused: static_rules, a keepalived block halb does not do */
	assert_null(k);
	assert_int_equal(d.errors, 1);
	assert_diag(&d, CFG_ERROR, 5, "static_rules is not supported by halb");
	cfg_diags_free(&d);
	/* keepalived does not know the others either: skipped with a warning,
	 * as keepalived skips them (halb -t fails on them: d.unknown); the
	 * skipped block's contents do not leak out, what follows is read */
	d = (struct cfg_diags){ 0 };
	k = parse("global_defs {\n router_id r1\n frobnicate 1 2 3\n}\n"
		  "vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
		  " mystery_block\n {\n  priority 1\n }\n priority 42\n"
		  " virtual_ipaddress { 10.0.0.1 }\n}\n",
		  &d);
	assert_non_null(k);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 2);
	assert_int_equal(d.unknown, 2);
	assert_diag(&d, CFG_WARNING, 3, "unknown keyword 'frobnicate'");
	assert_diag(&d, CFG_WARNING, 8, "unknown block 'mystery_block'");
	assert_int_equal(k->n_instances, 1);
	assert_int_equal(k->instances[0].priority, 42);
	assert_string_equal(k->global.router_id, "r1");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_ignored_keywords(void **state)
{
	const char *text = "global_defs {\n  vrrp_strict\n  vrrp_garp_interval 0\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_diag(&d, CFG_WARNING, 2, "vrrp_strict has no effect in halb");
	assert_diag(&d, CFG_WARNING, 3, "vrrp_garp_interval has no effect in halb");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* ------------------------------------------------------------ errors by line */

static void test_error_lines(void **state)
{
	(void)state;
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 0\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 3, "virtual_router_id 0 is out of range (1..255)");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 256\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 3, "virtual_router_id 256 is out of range");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " priority 256\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 4, "priority 256 is out of range (1..255)");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " priority 0\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 4, "priority 0 is out of range");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id x1\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 3, "'x1' is not a number");
	expect_one_error("vrrp_instance VI_1 {\n state EQUAL\n interface eth1\n"
			 " virtual_router_id 1\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 2, "unknown state 'EQUAL'");
	expect_one_error(
	    "vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
	    " authentication {\n  auth_type SHA\n }\n virtual_ipaddress { 10.0.0.1 }\n}\n",
	    5, "unknown type 'SHA'");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " advert_int 0\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 4, "advert_int 0 is out of range");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " advert_int 1.0001\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 4, "not a number of seconds");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " virtual_ipaddress {\n  10.0.0.1\n  10.0.0.256\n }\n}\n",
			 6, "'10.0.0.256' is not an IPv4 or IPv6 address");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " virtual_ipaddress {\n  10.0.0.1/33\n }\n}\n",
			 5, "bad prefix length in '10.0.0.1/33'");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " unicast_src_ip 10.0.0\n virtual_ipaddress { 10.0.0.1 }\n}\n",
			 4, "'10.0.0' is not an IPv4 or IPv6 address");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1/bad\n virtual_router_id 1\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 2, "not a valid interface name");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n lb_kind FULLNAT\n"
			 " real_server 10.0.1.1 80 { }\n}\n",
			 2, "unknown forwarding method 'FULLNAT'");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n lb_algo fastest\n"
			 " real_server 10.0.1.1 80 { }\n}\n",
			 2, "unknown scheduler 'fastest'");
	expect_one_error("virtual_server 10.0.0.1 80 {\n protocol ICMP\n"
			 " real_server 10.0.1.1 80 { }\n}\n",
			 2, "unknown protocol 'ICMP'");
	expect_one_error(
	    "virtual_server 10.0.0.300 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n", 1,
	    "'10.0.0.300' is not an IPv4 or IPv6 address");
	expect_one_error(
	    "virtual_server 10.0.0.1 65536 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n", 1,
	    "65536 is out of range (0..65535)");
	expect_one_error(
	    "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 0 { }\n}\n", 2,
	    "real_server port 0 is out of range (1..65535)");
	expect_one_error(
	    "virtual_server 10.0.0.1 0 { protocol TCP\n lb_kind DR\n real_server 10.0.1.1 { }\n}\n",
	    1, "port 0 (all ports) needs persistence_timeout");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  weight 65536\n }\n}\n",
			 3, "weight 65536 is out of range (0..65535)");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  weight -1\n }\n}\n",
			 3, "weight -1 is out of range");
	expect_one_error("vrrp_script s {\n script /bin/true\n weight 254\n}\n", 3,
			 "weight 254 is out of range (-253..253)");
	expect_one_error("vrrp_script s {\n script /bin/true\n weight -254\n}\n", 3,
			 "weight -254 is out of range");
	expect_one_error("virtual_server fwmark 1 {\n real_server 10.0.1.1 80 { }\n}\n", 1,
			 "virtual_server fwmark is not supported by halb");
	expect_one_error("virtual_server group G { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n",
			 1, "virtual_server group G: no virtual_server_group of that name");
	expect_one_error("virtual_server 10.0.0.1 {\n real_server 10.0.1.1 80 { }\n}\n", 1,
			 "missing port");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  HTTP_GET {\n   url {\n    status_code 200\n   }\n  }\n }\n}\n",
			 4, "url has no path");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  HTTP_GET {\n   connect_timeout 3\n  }\n }\n}\n",
			 3, "HTTP_GET has no url");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  HTTP_GET {\n   url { path / digest abc }\n  }\n }\n}\n",
			 4, "is not an MD5 digest");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  HTTP_GET {\n   url { path / status_code 99 }\n  }\n }\n}\n",
			 4, "'99' is not a code or range in 100..599");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 {\n"
			 "  MISC_CHECK {\n   misc_timeout 3\n  }\n }\n}\n",
			 3, "MISC_CHECK has no misc_path");
	expect_one_error("global_defs {\n smtp_server mail.example.com\n}\n", 2,
			 "halb does not resolve host names");
	expect_one_error("global_defs {\n vrrp_mcast_group4 10.0.0.1\n}\n", 2,
			 "is not a multicast address");
	expect_one_error("global_defs {\n vrrp_version 4\n}\n", 2,
			 "vrrp_version 4 is out of range");
	expect_one_error("vrrp_script s {\n interval 2\n}\n", 1, "vrrp_script s has no script");
	expect_one_error("vrrp_instance VI_1 {\n virtual_router_id 1\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 1, "vrrp_instance VI_1 has no interface");
	expect_one_error("vrrp_instance VI_1 {\n interface eth1\n"
			 " virtual_ipaddress { 10.0.0.1 }\n}\n",
			 1, "vrrp_instance VI_1 has no virtual_router_id");
}

static void test_missing_and_extra_arguments(void **state)
{
	const char *text = "vrrp_instance VI_1 {\n"
			   "  interface\n"
			   "  interface eth1 eth2\n"
			   "  virtual_router_id 1\n"
			   "  virtual_ipaddress { 10.0.0.1 }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_null(k);
	assert_int_equal(d.errors, 1);
	assert_diag(&d, CFG_ERROR, 2, "interface: missing argument");
	assert_diag(&d, CFG_WARNING, 3, "extra arguments from 'eth2' ignored");
	cfg_diags_free(&d);
}

static void test_unbalanced_braces(void **state)
{
	struct cfg_diags d = { 0 };

	(void)state;
	/* every block left open is reported, each at its own line */
	assert_null(parse("global_defs {\n notification_email {\n  a@b\n", &d));
	assert_int_equal(d.errors, 2);
	assert_diag(&d, CFG_ERROR, 1, "'global_defs' block is not closed");
	assert_diag(&d, CFG_ERROR, 2, "'notification_email' block is not closed");
	cfg_diags_free(&d);
	/* the block left open is reported at the line that opened it */
	expect_one_error("global_defs {\n router_id r\n}\n"
			 "vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " virtual_ipaddress {\n  10.0.0.1\n }\n",
			 4, "'vrrp_instance' block is not closed: missing '}'");
	expect_one_error("global_defs {\n router_id r\n}\n}\n", 4, "unexpected '}'");
	/* the skipped block took the only '}': global_defs is the one left open */
	d = (struct cfg_diags){ 0 };
	assert_null(parse("global_defs {\n router_id r\n unknown_thing {\n  x\n}\n", &d));
	assert_int_equal(d.errors, 1);
	assert_diag(&d, CFG_WARNING, 3, "unknown block 'unknown_thing'");
	assert_diag(&d, CFG_ERROR, 1, "'global_defs' block is not closed");
	cfg_diags_free(&d);
}

static void test_duplicates(void **state)
{
	(void)state;
	expect_one_error(MIN_INSTANCE("VI_1", 1) MIN_INSTANCE("VI_1", 2), 8,
			 "vrrp_instance VI_1 is already defined at test.conf:1");
	expect_one_error("vrrp_script s { script /bin/a }\nvrrp_script s { script /bin/b }\n", 2,
			 "vrrp_script s is already defined at test.conf:1");
	expect_one_error("vrrp_sync_group G { group { A B } }\n"
			 "vrrp_sync_group G { group { C D } }\n" MIN_INSTANCE("A", 1)
			     MIN_INSTANCE("B", 2) MIN_INSTANCE("C", 3) MIN_INSTANCE("D", 4),
			 2, "vrrp_sync_group G is already defined");
	expect_one_error(
	    "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n"
	    "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n",
	    4, "virtual_server 10.0.0.1 80 TCP is already defined at test.conf:1");
	expect_one_error("virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n"
			 " real_server 10.0.1.1 80 { }\n}\n",
			 3, "real_server 10.0.1.1 80 is already defined");
}

static void test_same_vs_other_protocol(void **state)
{
	const char *text =
	    "virtual_server 10.0.0.1 53 { protocol TCP\n real_server 10.0.1.1 53 { }\n}\n"
	    "virtual_server 10.0.0.1 53 {\n protocol udp\n"
	    " real_server 10.0.1.1 53 { }\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	assert_clean(&d);
	assert_int_equal(k->vs[1].protocol, IPPROTO_UDP);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

static void test_unknown_track_script(void **state)
{
	(void)state;
	expect_one_error("vrrp_script chk_nginx { script \"killall -0 nginx\" }\n"
			 "vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			 " virtual_ipaddress { 10.0.0.1 }\n track_script {\n  chk_nginx\n"
			 "  chk_missing\n }\n}\n",
			 8, "track_script chk_missing: no vrrp_script of that name");
}

/* Reading goes on after an error: every problem is reported in one run. */
static void test_all_problems_reported(void **state)
{
	const char *text = "vrrp_instance VI_1 {\n"
			   "  interface eth1\n"
			   "  virtual_router_id 300\n"
			   "  priority 0\n"
			   "  virtual_ipaddress { 10.0.0.1 }\n"
			   "}\n"
			   "virtual_server 10.0.0.1 80 { protocol TCP\n"
			   "  lb_kind XXX\n"
			   "  lb_algo yyy\n"
			   "  bogus\n" /* 10 */
			   "  real_server 10.0.1.1 80 { weight 70000 }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_null(k);
	assert_int_equal(d.errors, 5);
	assert_int_equal(d.warnings, 1);
	assert_diag(&d, CFG_ERROR, 3, "virtual_router_id 300");
	assert_diag(&d, CFG_ERROR, 4, "priority 0");
	assert_diag(&d, CFG_ERROR, 8, "'XXX'");
	assert_diag(&d, CFG_ERROR, 9, "'yyy'");
	assert_diag(&d, CFG_WARNING, 10, "unknown keyword 'bogus'");
	assert_diag(&d, CFG_ERROR, 11, "weight 70000");
	cfg_diags_free(&d);
}

/* ------------------------------------------------------------------- include */

struct tmpdir {
	char path[64];
	char files[16][128];
	int n_files;
	char dirs[4][128];
	int n_dirs;
};

static void tmp_file(struct tmpdir *t, const char *rel, const char *text)
{
	FILE *f;

	char path[128];

	assert_true(t->n_files < 16);
	snprintf(path, sizeof(path), "%s/%s", t->path, rel);
	memcpy(t->files[t->n_files], path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	t->n_files++;
}

static void tmp_dir(struct tmpdir *t, const char *rel)
{
	char path[128];

	assert_true(t->n_dirs < 4);
	snprintf(path, sizeof(path), "%s/%s", t->path, rel);
	memcpy(t->dirs[t->n_dirs], path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	t->n_dirs++;
}

static void tmp_make(struct tmpdir *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->path, "/tmp/halb-test-config-XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmp_clean(struct tmpdir *t)
{
	for (int i = 0; i < t->n_files; i++)
		unlink(t->files[i]);
	for (int i = t->n_dirs - 1; i >= 0; i--)
		rmdir(t->dirs[i]);
	rmdir(t->path);
}

static void test_include_glob(void **state)
{
	struct tmpdir t;
	char main_path[160];
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;

	(void)state;
	tmp_make(&t);
	tmp_dir(&t, "conf.d");
	tmp_dir(&t, "parts");
	tmp_file(&t, "keepalived.conf",
		 "global_defs {\n  router_id main\n}\n"
		 "include conf.d/*.conf\n"
		 "vrrp_instance VI_1 {\n  include parts/vi1.inc\n}\n");
	/* written out of order: include reads them sorted */
	tmp_file(&t, "conf.d/20-vs.conf",
		 "virtual_server 10.0.0.1 80 { protocol TCP\n  real_server 10.0.1.1 80 { }\n}\n");
	tmp_file(&t, "conf.d/10-script.conf", "vrrp_script chk { script /bin/true }\n");
	tmp_file(&t, "conf.d/notes.txt", "this is not included\n");
	/* relative to the including file's directory, not the main file's */
	tmp_file(&t, "parts/vi1.inc", "interface eth1\ninclude vrid.inc\n");
	tmp_file(&t, "parts/vrid.inc",
		 "virtual_router_id 5\nvirtual_ipaddress { 10.0.0.1 }\ntrack_script { chk }\n"
		 "priority 300\n");
	snprintf(main_path, sizeof(main_path), "%s/keepalived.conf", t.path);

	k = cfg_keepalived_load(main_path, &d);
	assert_null(k); /* priority 300, reported in the included file */
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[0].line, 4);
	assert_non_null(strstr(d.v[0].file, "parts/vrid.inc"));
	cfg_diags_free(&d);

	tmp_file(&t, "parts/vrid.inc",
		 "virtual_router_id 5\nvirtual_ipaddress { 10.0.0.1 }\ntrack_script { chk }\n");
	t.n_files--; /* same file rewritten */
	k = cfg_keepalived_load(main_path, &d);
	assert_non_null(k);
	assert_clean(&d);
	assert_string_equal(k->global.router_id, "main");
	assert_int_equal(k->n_scripts, 1);
	assert_int_equal(k->n_vs, 1);
	assert_int_equal(k->instances[0].vrid, 5);
	assert_string_equal(k->instances[0].interface, "eth1");
	assert_int_equal(k->instances[0].track_scripts[0].script, 0);
	assert_int_equal(k->n_files, 5);
	assert_string_equal(k->files[0], main_path);
	assert_non_null(strstr(k->files[1], "conf.d/10-script.conf"));
	assert_non_null(strstr(k->files[2], "conf.d/20-vs.conf"));
	assert_non_null(strstr(k->files[3], "parts/vi1.inc"));
	assert_non_null(strstr(k->files[4], "parts/vrid.inc"));
	/* an object's place is in its own file */
	assert_non_null(strstr(k->vs[0].loc.file, "20-vs.conf"));
	assert_int_equal(k->vs[0].loc.line, 1);
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
	tmp_clean(&t);
}

static void test_include_cycle(void **state)
{
	struct tmpdir t;
	char main_path[160];
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;

	(void)state;
	tmp_make(&t);
	tmp_file(&t, "a.conf", "global_defs {\n router_id a\n}\ninclude b.conf\n");
	tmp_file(&t, "b.conf", "\ninclude a.conf\n");
	snprintf(main_path, sizeof(main_path), "%s/a.conf", t.path);
	k = cfg_keepalived_load(main_path, &d);
	assert_null(k);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[0].line, 2);
	assert_non_null(strstr(d.v[0].file, "b.conf"));
	assert_non_null(strstr(d.v[0].msg, "include cycle"));
	cfg_diags_free(&d);
	tmp_clean(&t);
}

static void test_include_depth(void **state)
{
	struct tmpdir t;
	char main_path[160];
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;

	(void)state;
	tmp_make(&t);
	/* d0 includes d1 includes ... d9: deeper than CFG_MAX_INCLUDE_DEPTH */
	for (int i = 0; i < 10; i++) {
		char name[16], text[64];

		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include d%d.conf\n", i + 1);
		tmp_file(&t, name, text);
	}
	snprintf(main_path, sizeof(main_path), "%s/d0.conf", t.path);
	k = cfg_keepalived_load(main_path, &d);
	assert_null(k);
	assert_int_equal(d.errors, 1);
	assert_non_null(strstr(d.v[0].msg, "include nested more than 8 deep"));
	assert_non_null(strstr(d.v[0].file, "d8.conf"));
	cfg_diags_free(&d);
	tmp_clean(&t);
}

static void test_include_missing(void **state)
{
	struct tmpdir t;
	char main_path[160];
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;

	(void)state;
	tmp_make(&t);
	tmp_dir(&t, "sub");
	tmp_file(&t, "main.conf",
		 "include none/*.conf\ninclude absent.conf\ninclude\n"
		 "include /dev/null\ninclude sub\n");
	snprintf(main_path, sizeof(main_path), "%s/main.conf", t.path);
	k = cfg_keepalived_load(main_path, &d);
	assert_null(k);
	assert_diag(&d, CFG_WARNING, 1, "matches no file");
	assert_diag(&d, CFG_ERROR, 2, "include absent.conf: no such file");
	assert_diag(&d, CFG_ERROR, 3, "include: missing file name");
	/* a device is never read (think of /dev/zero), a directory neither */
	assert_diag(&d, CFG_ERROR, 4, "include /dev/null: not a regular file");
	assert_diag(&d, CFG_WARNING, 5, "is a directory: not read");
	cfg_diags_free(&d);
	tmp_clean(&t);
}

static void test_include_disabled(void **state)
{
	struct cfg_parse_opts opts = { .no_include = true };
	struct cfg_diags d = { 0 };
	const char *text = "\ninclude /etc/*\n";
	struct cfg_keepalived *k = cfg_keepalived_parse_ex(text, strlen(text), "t", &opts, &d);

	(void)state;
	assert_null(k);
	assert_diag(&d, CFG_ERROR, 2, "include is not allowed here");
	cfg_diags_free(&d);
}

static void test_load_missing_file(void **state)
{
	struct cfg_diags d = { 0 };

	(void)state;
	assert_null(cfg_keepalived_load("/nonexistent/keepalived.conf", &d));
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].file, "/nonexistent/keepalived.conf");
	assert_int_equal(d.v[0].line, 0);
	cfg_diags_free(&d);
	assert_null(cfg_dataplane_load("/nonexistent/halb.cfg", &d));
	assert_int_equal(d.errors, 1);
	cfg_diags_free(&d);
}

static void test_nul_and_long_line(void **state)
{
	char *text = malloc(70000 + 64);
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k;
	size_t n;
	static const char head[] = "global_defs {\n router_id a\0b\n}\n# ";

	(void)state;
	assert_non_null(text);
	n = sizeof(head) - 1;
	memcpy(text, head, n);
	memset(text + n, 'x', 70000);
	n += 70000;
	text[n++] = '\n';
	k = cfg_keepalived_parse(text, n, "t", &d);
	assert_null(k);
	assert_diag(&d, CFG_ERROR, 2, "NUL byte");
	assert_diag(&d, CFG_ERROR, 4, "line longer than");
	cfg_diags_free(&d);
	free(text);
}

/* --------------------------------------------------------------- diagnostics */

static void test_diags_print(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_loc at = { "k.conf", 12 }, file_only = { "k.conf", 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	cfg_diag_add(&d, CFG_ERROR, &at, "bad %s", "thing");
	cfg_diag_add(&d, CFG_WARNING, &at, "odd");
	cfg_diag_add(&d, CFG_ERROR, &file_only, "cannot read");
	cfg_diag_add(&d, CFG_WARNING, NULL, "nowhere");
	cfg_diags_print(f, &d);
	fclose(f);
	assert_string_equal(buf, "k.conf:12: error: bad thing\n"
				 "k.conf:12: warning: odd\n"
				 "k.conf: error: cannot read\n"
				 "warning: nowhere\n");
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.warnings, 2);
	free(buf);
	cfg_diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
}

static void test_diags_cap(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_loc at = { "k.conf", 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	for (int i = 0; i < CFG_DIAGS_MAX + 5; i++)
		cfg_diag_add(&d, CFG_WARNING, &at, "w%d", i);
	assert_int_equal(d.n, CFG_DIAGS_MAX);
	assert_int_equal(d.warnings, CFG_DIAGS_MAX + 5);
	f = open_memstream(&buf, &len);
	cfg_diags_print(f, &d);
	fclose(f);
	assert_non_null(strstr(buf, "... and 5 more problems not shown"));
	free(buf);
	cfg_diags_free(&d);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(cfg_sched_name(CFG_SCHED_RR), "rr");
	assert_string_equal(cfg_sched_name(CFG_SCHED_WRR), "wrr");
	assert_string_equal(cfg_sched_name(CFG_SCHED_LBLCR), "lblcr");
	assert_string_equal(cfg_sched_name(CFG_SCHED_MH), "mh");
	assert_null(cfg_sched_name(CFG_SCHED_COUNT));
	assert_string_equal(cfg_fwd_name(CFG_FWD_NAT), "NAT");
	assert_string_equal(cfg_fwd_name(CFG_FWD_DR), "DR");
	assert_string_equal(cfg_fwd_name(CFG_FWD_TUN), "TUN");
	assert_string_equal(cfg_check_name(CFG_CHECK_HTTP), "HTTP_GET");
	assert_string_equal(cfg_check_name(CFG_CHECK_SSL), "SSL_GET");
	assert_string_equal(cfg_check_name(CFG_CHECK_TCP), "TCP_CHECK");
	assert_string_equal(cfg_check_name(CFG_CHECK_MISC), "MISC_CHECK");
}

/* ------------------------------------------------------------------ dataplane */

static const char *full_dp = "eal = [\"--no-huge\", \"-m\", \"256\", \"--file-prefix\", \"h1\"];\n"
			     "workers = 4;\n"
			     "idle_sleep_us = 100;\n"
			     "connections = 65536;\n"
			     "neighbours = 8192;\n"
			     "ports = (\n"
			     "  { name = \"eth1\";\n"
			     "    device = \"0000:03:00.0\";\n"
			     "    kernel_if = \"halb-eth1\";\n"
			     "    addresses = [\"172.17.1.6/16\", \"10.0.0.1/24\"];\n"
			     "    mtu = 9000;\n"
			     "  },\n"
			     "  { name = \"eth2\";\n" /* 13 */
			     "    device = \"net_af_packet1,iface=veth2,qpairs=4\";\n"
			     "  }\n"
			     ");\n"
			     "routes = ( { prefix = \"0.0.0.0/0\"; via = \"172.17.0.1\"; } );\n";

static void test_dataplane_fields(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p = parse_dp(full_dp, &d);
	const struct cfg_port *port;

	(void)state;
	assert_non_null(p);
	assert_clean(&d);
	assert_string_equal(p->file, "test.cfg");
	assert_int_equal(p->n_eal, 5);
	assert_string_equal(p->eal[0], "--no-huge");
	assert_string_equal(p->eal[4], "h1");
	assert_int_equal(p->workers, 4);
	assert_int_equal(p->idle_sleep_us, 100);
	assert_int_equal(p->connections, 65536);
	assert_int_equal(p->neighbours, 8192);
	assert_int_equal(p->n_ports, 2);
	port = &p->ports[0];
	assert_string_equal(port->name, "eth1");
	assert_string_equal(port->device, "0000:03:00.0");
	assert_true(port->is_pci);
	assert_string_equal(port->kernel_if, "halb-eth1");
	assert_int_equal(port->n_addrs, 2);
	assert_addr4(port->addrs[0].addr, IP(172, 17, 1, 6));
	assert_int_equal(port->addrs[0].plen, 16);
	assert_int_equal(port->mtu, 9000);
	assert_int_equal(port->loc.line, 7);
	port = &p->ports[1];
	assert_false(port->is_pci);
	assert_string_equal(port->kernel_if, "eth2");
	assert_int_equal(port->n_addrs, 0);
	assert_int_equal(port->mtu, 1500);
	assert_int_equal(port->loc.line, 13);
	assert_ptr_equal(cfg_port_find(p, "eth2"), port);
	assert_null(cfg_port_find(p, "eth3"));
	assert_int_equal(p->n_routes, 1);
	assert_addr4(p->routes[0].prefix.addr, 0u);
	assert_int_equal(p->routes[0].prefix.plen, 0);
	assert_addr4(p->routes[0].via, IP(172, 17, 0, 1));
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
}

static void test_dataplane_defaults(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p =
	    parse_dp("ports = ( { name = \"e0\"; device = \"03:00.1\"; } );\n", &d);

	(void)state;
	assert_non_null(p);
	assert_clean(&d);
	assert_int_equal(p->n_eal, 0);
	assert_int_equal(p->workers, 1);
	assert_int_equal(p->idle_sleep_us, 0);
	assert_int_equal(p->connections, 1048576);
	assert_int_equal(p->neighbours, 4096);
	assert_true(p->ports[0].is_pci);
	assert_int_equal(p->ports[0].mtu, 1500);
	assert_int_equal(p->n_routes, 0);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
}

#define DP_PORT "ports = ( { name = \"eth1\"; device = \"net_tap0\"; } );\n"

static void test_dataplane_errors(void **state)
{
	(void)state;
	expect_dp_error("workers = 1;\nworkers2 = ;\n" DP_PORT, 2, "syntax error");
	expect_dp_error("eal = \"--no-huge\";\n" DP_PORT, 1, "eal must be a list of strings");
	expect_dp_error("eal = ( \"--no-huge\", 3 );\n" DP_PORT, 1, "element 2 is not a string");
	expect_dp_error(DP_PORT "workers = 0;\n", 2, "workers 0 is out of range (1..64)");
	expect_dp_error(DP_PORT "workers = 128;\n", 2, "workers 128 is out of range");
	expect_dp_error(DP_PORT "workers = \"2\";\n", 2, "workers must be an integer");
	expect_dp_error(DP_PORT "idle_sleep_us = 1000001;\n", 2,
			"idle_sleep_us 1000001 is out of range");
	expect_dp_error(DP_PORT "connections = 1023;\n", 2, "connections 1023 is out of range");
	expect_dp_error(DP_PORT "connections = 134217729;\n", 2, "out of range (1024..134217728)");
	expect_dp_error(DP_PORT "neighbours = 1;\n", 2, "neighbours 1 is out of range");
	expect_dp_error("ports = ();\n", 1, "ports must be a non-empty list");
	expect_dp_error("ports = { name = \"eth1\"; };\n", 1, "ports must be a non-empty list");
	expect_dp_error("workers = 1;\n", 0, "no ports");
	expect_dp_error("ports = (\n { device = \"net_tap0\"; }\n);\n", 2, "port has no name");
	expect_dp_error("ports = (\n { name = \"eth1\"; }\n);\n", 2, "port has no device");
	expect_dp_error("ports = (\n { name = \"a/b\"; device = \"net_tap0\"; }\n);\n", 2,
			"name 'a/b' is not a valid interface name");
	expect_dp_error("ports = (\n { name = \"eth1\";\n device = \"net_tap0\";\n"
			" kernel_if = \"sixteen-chars-xx\"; }\n);\n",
			4, "kernel_if 'sixteen-chars-xx' is not a valid interface name");
	expect_dp_error("ports = (\n { name = \"with space\"; device = \"net_tap0\"; }\n);\n", 2,
			"not a valid interface name");
	expect_dp_error("ports = (\n { name = \"eth1\";\n device = \"eth1\"; }\n);\n", 3,
			"neither a PCI address (DDDD:BB:DD.F or BB:DD.F) nor a vdev (net_...)");
	expect_dp_error("ports = (\n { name = \"eth1\";\n device = \"0000:03:20.0\"; }\n);\n", 3,
			"neither a PCI address");
	expect_dp_error("eal = [\"--no-pci\"];\nports = (\n { name = \"eth1\";\n"
			" device = \"0000:03:00.0\"; }\n);\n",
			4, "is a PCI address but eal has --no-pci");
	expect_dp_error(
	    "workers = 2;\nports = (\n { name = \"eth1\";\n"
	    " device = \"net_af_packet0,iface=nic0\"; }\n);\n",
	    4, "qpairs=1 but workers = 2; each queue pair is a socket in one PACKET_FANOUT group");
	expect_dp_error("workers = 2;\nports = (\n { name = \"eth1\";\n"
			" device = \"net_af_packet0,iface=nic0,qpairs=3\"; }\n);\n",
			4, "qpairs=3 but workers = 2");
	expect_dp_error("ports = (\n { name = \"eth1\";\n device = \"net_af_packet0\"; }\n);\n", 3,
			"net_af_packet needs iface=IFNAME");
	expect_dp_error(
	    "ports = (\n { name = \"eth1\"; device = \"net_tap0\";\n"
	    "   addresses = [\"10.0.0.1\"]; }\n);\n",
	    3, "'10.0.0.1' is not ADDRESS/len (IPv4 or IPv6) (the prefix length is required)");
	expect_dp_error("ports = (\n { name = \"eth1\"; device = \"net_tap0\";\n"
			"   addresses = [\"10.0.0.1/40\"]; }\n);\n",
			3, "'10.0.0.1/40' is not ADDRESS/len");
	expect_dp_error("ports = (\n { name = \"eth1\"; device = \"net_tap0\";\n"
			"   mtu = 100; }\n);\n",
			3, "mtu 100 is out of range");
	expect_dp_error("ports = (\n { name = \"eth1\"; device = \"net_tap0\"; },\n"
			" { name = \"eth1\"; device = \"net_tap1\"; kernel_if = \"t1\"; }\n);\n",
			3, "port name eth1 is already used at line 2");
	expect_dp_error("ports = (\n { name = \"eth1\"; device = \"net_tap0\"; },\n"
			" { name = \"eth2\"; device = \"net_tap0\"; }\n);\n",
			3, "device net_tap0 is already used by port eth1");
	expect_dp_error(DP_PORT "routes = (\n { prefix = \"10.0.0.0\"; via = \"10.0.0.1\"; }\n);\n",
			3, "prefix '10.0.0.0' is not ADDRESS/len");
	expect_dp_error(DP_PORT
			"routes = (\n { prefix = \"10.1.0.0/8\"; via = \"10.0.0.1\"; }\n);\n",
			3, "prefix 10.1.0.0/8 has host bits set");
	expect_dp_error(DP_PORT "routes = (\n { prefix = \"10.0.0.0/8\";\n via = \"gw\"; }\n);\n",
			4, "via 'gw' is not an IPv4 or IPv6 address");
	expect_dp_error(DP_PORT "routes = (\n { prefix = \"10.0.0.0/8\"; }\n);\n", 3,
			"route has no via");
	expect_dp_error("@include \"/etc/passwd\"\n" DP_PORT, 1, "@include is not supported");
}

/* kernel_routes: the kernel's routes on a port's TAP. */
static void test_dataplane_kernel_routes(void **state)
{
	static const char *ok =
	    "ports = (\n"
	    " { name = \"eth1\"; device = \"net_tap0\";\n"
	    "   addresses = [\"172.17.1.6/16\"];\n"
	    "   kernel_routes = (\n"
	    "     { prefix = \"0.0.0.0/0\"; via = \"172.17.0.1\"; },\n"
	    "     { prefix = \"10.9.0.0/16\"; },\n"
	    "     { prefix = \"0.0.0.0/0\"; via = \"172.17.0.2\"; metric = 200; }\n"
	    "   ); }\n);\n";
	static const struct {
		const char *routes;
		int line;
		const char *error;
	} bad[] = {
		{ "{ prefix = \"0.0.0.0/0\"; via = \"10.0.0.1\"; }", 5,
		  "via 10.0.0.1 is in no subnet of this port's addresses: the kernel could not "
		  "reach it through eth1" },
		{ "{ via = \"172.17.0.1\"; }", 5, "kernel route has no prefix" },
		{ "{ prefix = \"10.1.0.0/8\"; }", 5, "prefix 10.1.0.0/8 has host bits set" },
		{ "{ prefix = \"10.0.0.0/8\"; metric = -1; }", 5, "metric -1 is out of range" },
		{ "{ prefix = \"10.0.0.0/8\"; }, { prefix = \"10.0.0.0/8\"; }", 5,
		  "a kernel route to this prefix with this metric is already at line 5" },
		/* libconfig dates a scalar in a list by the token after it */
		{ "\"0.0.0.0/0\"", 6, "each kernel route must be a group" },
	};
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p = parse_dp(ok, &d);
	const struct cfg_port *port;

	(void)state;
	assert_non_null(p);
	assert_clean(&d);
	port = &p->ports[0];
	assert_int_equal(port->n_kroutes, 3);
	assert_int_equal(port->kroutes[0].prefix.plen, 0);
	assert_addr4(port->kroutes[0].via, IP(172, 17, 0, 1));
	assert_int_equal(port->kroutes[0].metric, 0);
	assert_addr4(port->kroutes[1].prefix.addr, IP(10, 9, 0, 0));
	assert_int_equal(port->kroutes[1].via.af, 0);
	assert_int_equal(port->kroutes[2].metric, 200);
	assert_int_equal(port->kroutes[2].loc.line, 7);
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];

		snprintf(
		    text, sizeof(text),
		    "ports = (\n { name = \"eth1\"; device = \"net_tap0\";\n"
		    "   addresses = [\"172.17.1.6/16\"];\n   kernel_routes = (\n%s\n ); }\n);\n",
		    bad[i].routes);
		expect_dp_error(text, bad[i].line, bad[i].error);
	}
}

static void test_dataplane_warnings(void **state)
{
	struct cfg_diags d = { 0 };
	struct cfg_dataplane *p =
	    parse_dp("colour = 3;\n"
		     "ports = (\n"
		     " { name = \"eth1\"; device = \"net_tap0\";\n"
		     "   speed = 10; }\n"
		     ");\n"
		     "routes = ( { prefix = \"0.0.0.0/0\"; via = \"1.1.1.1\";\n"
		     "  metric = 5; } );\n",
		     &d);

	(void)state;
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_diag(&d, CFG_WARNING, 1, "unknown setting 'colour'");
	assert_diag(&d, CFG_WARNING, 4, "unknown setting 'speed' in a port");
	assert_diag(&d, CFG_WARNING, 7, "unknown setting 'metric' in a route");
	cfg_dataplane_free(p);
	cfg_diags_free(&d);
}

/* ----------------------------------------------------------------- cfg_check */

static const char *check_dp = "ports = (\n"
			      "  { name = \"eth1\"; device = \"net_tap0\";\n"
			      "    addresses = [\"172.17.1.6/16\"]; },\n"
			      "  { name = \"eth2\"; device = \"net_tap1\"; }\n"
			      ");\n"
			      "routes = (\n"
			      "  { prefix = \"0.0.0.0/0\"; via = \"172.17.0.1\"; },\n"
			      "  { prefix = \"10.0.0.0/8\"; via = \"192.168.1.1\"; }\n"
			      ");\n";

static unsigned int check_text(const char *text, struct cfg_diags *d)
{
	struct cfg_keepalived *k = parse(text, d);
	struct cfg_dataplane *p = parse_dp(check_dp, d);
	unsigned int errors;

	if (k == NULL || p == NULL) {
		dump(d);
		fail_msg("the inputs of a cfg_check test must parse");
	}
	errors = cfg_check(k, p, d);
	cfg_keepalived_free(k);
	cfg_dataplane_free(p);
	return errors;
}

static void test_check_ports(void **state)
{
	const char *text = "vrrp_instance VI_1 {\n"
			   "  interface eth9\n"
			   "  virtual_router_id 1\n"
			   "  virtual_ipaddress { 10.0.0.1 dev eth7 }\n"
			   "}\n"
			   "vrrp_instance VI_2 {\n" /* 6 */
			   "  interface eth2\n"
			   "  virtual_router_id 2\n"
			   "  virtual_ipaddress { 10.0.0.2 }\n"
			   "}\n"
			   "vrrp_instance VI_3 {\n" /* 11 */
			   "  interface eth1\n"
			   "  virtual_router_id 3\n"
			   "  virtual_ipaddress { 10.0.0.3 }\n"
			   "  unicast_src_ip 172.17.1.7\n"
			   "  track_interface {\n"
			   "    eth1\n"
			   "    eth8\n" /* 18 */
			   "  }\n"
			   "}\n";
	struct cfg_diags d = { 0 };
	unsigned int errors = check_text(text, &d);

	(void)state;
	/* at the interface line, not the block's first line */
	assert_diag(&d, CFG_ERROR, 2, "interface eth9 is not a port of test.cfg");
	assert_diag(&d, CFG_ERROR, 4, "dev eth7 is not a port of test.cfg");
	assert_diag(&d, CFG_ERROR, 7, "port eth2 has no IPv4 address");
	assert_diag(&d, CFG_ERROR, 18, "track_interface eth8 is not a port");
	assert_diag(&d, CFG_WARNING, 11,
		    "unicast_src_ip 172.17.1.7 is not an address of port eth1");
	/* and the route whose gateway no port reaches */
	assert_diag(&d, CFG_ERROR, 8, "route via 192.168.1.1: no port has an address");
	assert_int_equal(errors, 5);
	assert_int_equal(d.errors, 5);
	cfg_diags_free(&d);
}

static void test_check_vrrp(void **state)
{
	const char *text = MIN_INSTANCE("VI_1", 1) /* 1-7 */
	    "vrrp_instance VI_2 {\n"               /* 8 */
	    "  interface eth1\n"
	    "  virtual_router_id 1\n"
	    "  virtual_ipaddress { 10.0.0.2 }\n"
	    "}\n"
	    "vrrp_instance VI_3 {\n" /* 13 */
	    "  interface eth1\n"
	    "  virtual_router_id 3\n"
	    "  advert_int 1.5\n"
	    "  virtual_ipaddress { 10.0.0.3 }\n"
	    "  authentication { auth_type AH }\n"
	    "}\n"
	    "vrrp_instance VI_4 {\n" /* 20 */
	    "  interface eth1\n"
	    "  virtual_router_id 4\n"
	    "  version 3\n"
	    "  advert_int 0.25\n"
	    "  virtual_ipaddress { 10.0.0.4 }\n"
	    "  authentication { auth_type PASS auth_pass x }\n"
	    "}\n"
	    "vrrp_instance VI_5 {\n" /* 28 */
	    "  interface eth1\n"
	    "  virtual_router_id 5\n"
	    "  version 3\n"
	    "  advert_int 41\n"
	    "  virtual_ipaddress { 10.0.0.5 }\n"
	    "}\n";
	struct cfg_diags d = { 0 };
	unsigned int errors = check_text(text, &d);

	(void)state;
	/* at the virtual_router_id line of the repeat */
	assert_diag(&d, CFG_ERROR, 10,
		    "virtual_router_id 1 on eth1 is already used by vrrp_instance VI_1");
	assert_diag(&d, CFG_ERROR, 13, "advert_int 1.500: VRRPv2 advertises whole seconds");
	assert_diag(&d, CFG_ERROR, 13, "auth_type AH is not implemented");
	assert_diag(&d, CFG_WARNING, 20, "VRRPv3 has no authentication");
	assert_diag(&d, CFG_ERROR, 28, "above 40.95 s");
	assert_int_equal(errors, 5); /* and check_dp's unreachable route */
	assert_null(find_diag(&d, CFG_ERROR, 20, "advert_int"));
	cfg_diags_free(&d);
}

static void test_check_global_version(void **state)
{
	const char *text = "global_defs { vrrp_version 3 }\n"
			   "vrrp_instance VI_1 {\n interface eth1\n virtual_router_id 1\n"
			   " advert_int 0.5\n virtual_ipaddress { 10.0.0.1 }\n}\n";
	struct cfg_diags d = { 0 };

	(void)state;
	assert_int_equal(check_text(text, &d), 1); /* only the unreachable route */
	assert_int_equal(count_diag(&d, CFG_ERROR, "advert_int"), 0);
	cfg_diags_free(&d);
}

static void test_check_virtual_servers(void **state)
{
	const char *text = MIN_INSTANCE("VI_1", 1)         /* VIP 10.0.0.1 */
	    "virtual_server 10.0.0.1 443 { protocol TCP\n" /* 8 */
	    "  delay_loop 60\n"
	    "  real_server 10.0.1.1 443 {\n"
	    "    HTTP_GET {\n" /* 11 */
	    "      url { path / }\n"
	    "    }\n"
	    "    SSL_GET {\n"
	    "      url { path / }\n"
	    "    }\n"
	    "  }\n"
	    "  real_server 10.0.1.2 8443 {\n"
	    "    HTTP_GET {\n" /* 19 */
	    "      connect_port 443\n"
	    "      url { path / }\n"
	    "    }\n"
	    "  }\n"
	    "}\n"
	    "virtual_server 10.0.0.9 80 { protocol TCP\n" /* 25 */
	    "  delay_loop 5\n"
	    "  real_server 10.0.1.1 80 {\n"
	    "    TCP_CHECK {\n" /* 28 */
	    "      connect_timeout 2\n"
	    "      retry 1\n"
	    "      delay_before_retry 1.5\n"
	    "    }\n"
	    "    TCP_CHECK {\n" /* 33 */
	    "      connect_timeout 2\n"
	    "      retry 1\n"
	    "      delay_before_retry 0.5\n"
	    "    }\n"
	    "  }\n"
	    "}\n";
	struct cfg_diags d = { 0 };

	(void)state;
	assert_int_equal(check_text(text, &d), 1); /* only the route */
	assert_diag(&d, CFG_WARNING, 11, "HTTP_GET to port 443: SSL_GET is probably meant");
	assert_diag(&d, CFG_WARNING, 19, "HTTP_GET to port 443: SSL_GET is probably meant");
	assert_int_equal(count_diag(&d, CFG_WARNING, "port 443"), 2);
	/* (1+1) * 2 + 1 * 1.5 = 5.5 s > 5 s; (1+1) * 2 + 0.5 = 4.5 s is fine */
	assert_diag(&d, CFG_WARNING, 28, "takes up to 5.500 s");
	assert_null(find_diag(&d, CFG_WARNING, 33, "takes up to"));
	assert_diag(&d, CFG_WARNING, 25, "no vrrp_instance has 10.0.0.9");
	cfg_diags_free(&d);
}

/* A model not built by the parser may hold a virtual server twice. */
static void test_check_duplicate_vs(void **state)
{
	const char *text =
	    "virtual_server 10.0.0.1 80 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n"
	    "virtual_server 10.0.0.1 81 { protocol TCP\n real_server 10.0.1.1 80 { }\n}\n";
	struct cfg_diags d = { 0 };
	struct cfg_keepalived *k = parse(text, &d);

	(void)state;
	assert_non_null(k);
	k->vs[1].port = 80;
	k->vs[1].members[0].port = 80;
	assert_int_equal(cfg_check(k, NULL, &d), 1);
	assert_diag(&d, CFG_ERROR, 4,
		    "virtual_server 10.0.0.1 80 TCP is already defined at test.conf:1");
	cfg_keepalived_free(k);
	cfg_diags_free(&d);
}

/* ---------------------------------------------------------------- seed files */

struct seed {
	struct cfg_keepalived *k;
	struct cfg_dataplane *p;
	struct cfg_diags d;
	unsigned int check_errors;
};

static void seed_load(struct seed *s, const char *name)
{
	char conf[512], cfg[512];

	memset(s, 0, sizeof(*s));
	snprintf(conf, sizeof(conf), "%s/conf/seed/%s.conf", HALB_SOURCE_ROOT, name);
	snprintf(cfg, sizeof(cfg), "%s/conf/seed/%s.cfg", HALB_SOURCE_ROOT, name);
	s->k = cfg_keepalived_load(conf, &s->d);
	s->p = cfg_dataplane_load(cfg, &s->d);
	if (s->k == NULL || s->p == NULL) {
		dump(&s->d);
		fail_msg("seed %s does not parse", name);
	}
	s->check_errors = cfg_check(s->k, s->p, &s->d);
	assert_no_errors(&s->d);
	assert_int_equal(s->check_errors, 0);
}

static void seed_free(struct seed *s)
{
	cfg_keepalived_free(s->k);
	cfg_dataplane_free(s->p);
	cfg_diags_free(&s->d);
}

static void expect_seed_global(const struct cfg_keepalived *k)
{
	assert_int_equal(k->global.n_notification_email, 1);
	assert_string_equal(k->global.notification_email[0], "root@localhost");
	assert_string_equal(k->global.notification_email_from, "root@along.com");
	assert_int_equal(k->global.smtp_server, IP(127, 0, 0, 1));
	assert_int_equal(k->global.smtp_connect_timeout_ms, 30000);
	assert_string_equal(k->global.router_id, "keepalived_lvs");
}

static void expect_seed_instance(const struct cfg_vrrp_instance *v, const char *name,
				 const char *ifname, uint8_t vrid, enum cfg_vrrp_state st,
				 uint8_t prio)
{
	assert_string_equal(v->name, name);
	assert_string_equal(v->interface, ifname);
	assert_int_equal(v->vrid, vrid);
	assert_int_equal(v->state, st);
	assert_int_equal(v->priority, prio);
	assert_int_equal(v->advert_int_ms, 1000);
	assert_int_equal(v->auth_type, CFG_AUTH_PASS);
	assert_string_equal(v->auth_pass, "along");
}

/* The seed's real servers: HTTP_GET { url { path / } connect_timeout 3
 * nb_get_retry 3 delay_before_retry 3 } under delay_loop 6. */
static void expect_seed_rs(const struct cfg_real_server *rs, uint32_t addr, uint16_t port,
			   int weight)
{
	const struct cfg_checker *c;

	assert_addr4(rs->addr, addr);
	assert_int_equal(rs->port, port);
	assert_int_equal(rs->weight, weight);
	assert_int_equal(rs->n_checkers, 1);
	c = &rs->checkers[0];
	assert_int_equal(c->type, CFG_CHECK_HTTP);
	assert_int_equal(c->n_urls, 1);
	assert_string_equal(c->urls[0].path, "/");
	assert_int_equal(c->connect_timeout_ms, 3000);
	assert_int_equal(c->retry, 3);
	assert_int_equal(c->delay_before_retry_ms, 3000);
	assert_int_equal(c->delay_loop_ms, 6000);
	assert_int_equal(c->connect_port, 0);
}

static void expect_seed_vs(const struct cfg_virtual_server *vs, uint32_t addr, uint16_t port,
			   enum cfg_fwd fwd, unsigned int persistence)
{
	assert_addr4(vs->addr, addr);
	assert_int_equal(vs->port, port);
	assert_int_equal(vs->protocol, IPPROTO_TCP);
	assert_int_equal(vs->delay_loop_ms, 6000);
	assert_int_equal(vs->sched, CFG_SCHED_WRR);
	assert_int_equal(vs->fwd, fwd);
	assert_int_equal(vs->persistence_timeout, persistence);
	assert_int_equal(vs->n_rs, 2);
}

static void expect_seed_dp(const struct cfg_dataplane *p, const char *prefix, const char *port,
			   const struct cfg_prefix *addrs, size_t n_addrs)
{
	assert_int_equal(p->n_eal, 6);
	assert_string_equal(p->eal[0], "--no-huge");
	assert_string_equal(p->eal[3], "--no-pci");
	assert_string_equal(p->eal[5], prefix);
	assert_int_equal(p->workers, 2);
	assert_int_equal(p->idle_sleep_us, 100);
	assert_int_equal(p->connections, 65536);
	assert_int_equal(p->n_ports, 1);
	assert_string_equal(p->ports[0].name, port);
	assert_string_equal(p->ports[0].kernel_if, port);
	assert_string_equal(p->ports[0].device, "net_af_packet0,iface=nic0,qpairs=2");
	assert_false(p->ports[0].is_pci);
	assert_int_equal(p->ports[0].n_addrs, n_addrs);
	for (size_t i = 0; i < n_addrs; i++) {
		assert_true(cfg_addr_eq(&p->ports[0].addrs[i].addr, &addrs[i].addr));
		assert_int_equal(p->ports[0].addrs[i].plen, addrs[i].plen);
	}
	assert_int_equal(p->n_routes, 0);
}

static void expect_seed_dr(const char *name, enum cfg_vrrp_state st, uint8_t prio, uint32_t dip)
{
	struct cfg_prefix addr = { cfg_addr4(dip), 16 };
	struct seed s;

	seed_load(&s, name);
	expect_seed_global(s.k);
	assert_int_equal(s.k->n_instances, 1);
	expect_seed_instance(&s.k->instances[0], "VI_1", "eth1", 51, st, prio);
	assert_int_equal(s.k->instances[0].n_vips, 1);
	assert_addr4(s.k->instances[0].vips[0].pfx.addr, IP(172, 17, 100, 100));
	assert_int_equal(s.k->instances[0].vips[0].pfx.plen, 32);
	assert_int_equal(s.k->n_vs, 1);
	expect_seed_vs(&s.k->vs[0], IP(172, 17, 100, 100), 80, CFG_FWD_DR, 600);
	expect_seed_rs(&s.k->vs[0].rs[0], IP(172, 17, 1, 7), 80, 1);
	expect_seed_rs(&s.k->vs[0].rs[1], IP(172, 17, 22, 22), 80, 2);
	expect_seed_dp(s.p, name, "eth1", &addr, 1);
	assert_int_equal(count_diag(&s.d, CFG_WARNING, "port 443"), 0);
	seed_free(&s);
}

static void test_seed_dr(void **state)
{
	(void)state;
	expect_seed_dr("dr-master", CFG_VRRP_MASTER, 100, IP(172, 17, 1, 6));
	expect_seed_dr("dr-backup", CFG_VRRP_BACKUP, 99, IP(172, 17, 11, 11));
}

static void expect_seed_mutual(const char *name, bool first, uint32_t dip)
{
	struct cfg_prefix addr = { cfg_addr4(dip), 16 };
	const struct cfg_virtual_server *vs;
	struct seed s;

	seed_load(&s, name);
	expect_seed_global(s.k);
	assert_int_equal(s.k->n_instances, 2);
	expect_seed_instance(&s.k->instances[0], "VI_1", "eth1", 51,
			     first ? CFG_VRRP_MASTER : CFG_VRRP_BACKUP, first ? 100 : 98);
	expect_seed_instance(&s.k->instances[1], "VI_2", "eth1", 52,
			     first ? CFG_VRRP_BACKUP : CFG_VRRP_MASTER, first ? 98 : 100);
	assert_addr4(s.k->instances[0].vips[0].pfx.addr, IP(172, 17, 100, 100));
	assert_addr4(s.k->instances[1].vips[0].pfx.addr, IP(172, 17, 100, 101));
	assert_int_equal(s.k->n_vs, 2);
	vs = &s.k->vs[0];
	expect_seed_vs(vs, IP(172, 17, 100, 100), 80, CFG_FWD_DR, 600);
	expect_seed_rs(&vs->rs[0], IP(172, 17, 1, 7), 80, 1);
	expect_seed_rs(&vs->rs[1], IP(172, 17, 22, 22), 80, 1);
	vs = &s.k->vs[1];
	expect_seed_vs(vs, IP(172, 17, 100, 101), 443, CFG_FWD_DR, 600);
	expect_seed_rs(&vs->rs[0], IP(172, 17, 1, 7), 443, 1);
	expect_seed_rs(&vs->rs[1], IP(172, 17, 22, 22), 443, 1);
	expect_seed_dp(s.p, name, "eth1", &addr, 1);
	/* halb -t accepts the seed but says what it probably meant */
	assert_int_equal(
	    count_diag(&s.d, CFG_WARNING, "HTTP_GET to port 443: SSL_GET is probably meant"), 2);
	assert_non_null(find_diag(&s.d, CFG_WARNING, vs->rs[0].checkers[0].loc.line, "port 443"));
	seed_free(&s);
}

static void test_seed_mutual(void **state)
{
	(void)state;
	expect_seed_mutual("mutual-1", true, IP(172, 17, 1, 6));
	expect_seed_mutual("mutual-2", false, IP(172, 17, 11, 11));
}

static void expect_seed_nat(const char *name, const char *ifname, enum cfg_vrrp_state st,
			    uint8_t prio, uint32_t dip, uint32_t rs_side)
{
	struct cfg_prefix addrs[2] = { { cfg_addr4(dip), 16 }, { cfg_addr4(rs_side), 24 } };
	const struct cfg_vrrp_instance *v;
	struct seed s;

	seed_load(&s, name);
	expect_seed_global(s.k);
	assert_int_equal(s.k->n_instances, 1);
	v = &s.k->instances[0];
	expect_seed_instance(v, "VI_1", ifname, 51, st, prio);
	assert_int_equal(v->n_vips, 2);
	assert_addr4(v->vips[0].pfx.addr, IP(172, 17, 100, 100));
	assert_addr4(v->vips[1].pfx.addr, IP(192, 168, 30, 100));
	assert_int_equal(s.k->n_vs, 1);
	expect_seed_vs(&s.k->vs[0], IP(172, 17, 100, 100), 80, CFG_FWD_NAT, 100);
	expect_seed_rs(&s.k->vs[0].rs[0], IP(192, 168, 30, 107), 80, 1);
	expect_seed_rs(&s.k->vs[0].rs[1], IP(192, 168, 30, 7), 80, 2);
	expect_seed_dp(s.p, name, ifname, addrs, 2);
	seed_free(&s);
}

static void test_seed_nat(void **state)
{
	(void)state;
	/* the seed's quirk: the master says eth0, the backup eth1 */
	expect_seed_nat("nat-master", "eth0", CFG_VRRP_MASTER, 100, IP(172, 17, 1, 6),
			IP(192, 168, 30, 6));
	expect_seed_nat("nat-backup", "eth1", CFG_VRRP_BACKUP, 99, IP(172, 17, 11, 11),
			IP(192, 168, 30, 11));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global_defs),
		cmocka_unit_test(test_global_defaults),
		cmocka_unit_test(test_instance_fields),
		cmocka_unit_test(test_instance_defaults),
		cmocka_unit_test(test_instance_preempt),
		cmocka_unit_test(test_auth_pass_truncated),
		cmocka_unit_test(test_vrrp_script),
		cmocka_unit_test(test_sync_group),
		cmocka_unit_test(test_sync_group_errors),
		cmocka_unit_test(test_virtual_server_fields),
		cmocka_unit_test(test_virtual_server_defaults),
		cmocka_unit_test(test_all_schedulers),
		cmocka_unit_test(test_checker_fields),
		cmocka_unit_test(test_checker_defaults),
		cmocka_unit_test(test_comments_and_quotes),
		cmocka_unit_test(test_utf8_bom_and_crlf),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_one_line_blocks),
		cmocka_unit_test(test_notify_on_one_line),
		cmocka_unit_test(test_value_blocks),
		cmocka_unit_test(test_unknown_keyword_and_block),
		cmocka_unit_test(test_ignored_keywords),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_missing_and_extra_arguments),
		cmocka_unit_test(test_unbalanced_braces),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_same_vs_other_protocol),
		cmocka_unit_test(test_unknown_track_script),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_include_glob),
		cmocka_unit_test(test_include_cycle),
		cmocka_unit_test(test_include_depth),
		cmocka_unit_test(test_include_missing),
		cmocka_unit_test(test_include_disabled),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_nul_and_long_line),
		cmocka_unit_test(test_diags_print),
		cmocka_unit_test(test_diags_cap),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dataplane_fields),
		cmocka_unit_test(test_dataplane_defaults),
		cmocka_unit_test(test_dataplane_errors),
		cmocka_unit_test(test_dataplane_warnings),
		cmocka_unit_test(test_dataplane_kernel_routes),
		cmocka_unit_test(test_check_ports),
		cmocka_unit_test(test_check_vrrp),
		cmocka_unit_test(test_check_global_version),
		cmocka_unit_test(test_check_virtual_servers),
		cmocka_unit_test(test_check_duplicate_vs),
		cmocka_unit_test(test_seed_dr),
		cmocka_unit_test(test_seed_mutual),
		cmocka_unit_test(test_seed_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
