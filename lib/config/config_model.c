/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's plumbing: keepalived's global defaults, the names of the
 * enums as keepalived.conf and ipvsadm spell them, and freeing. Freeing
 * walks the same tree the parser builds; every pointer in the model is owned
 * by it, so there is exactly one free per allocation and no reference
 * counting.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static const char *const sched_names[CFG_SCHED_COUNT] = {
	[CFG_SCHED_RR] = "rr",   [CFG_SCHED_WRR] = "wrr",   [CFG_SCHED_LC] = "lc",
	[CFG_SCHED_WLC] = "wlc", [CFG_SCHED_LBLC] = "lblc", [CFG_SCHED_LBLCR] = "lblcr",
	[CFG_SCHED_DH] = "dh",   [CFG_SCHED_SH] = "sh",     [CFG_SCHED_SED] = "sed",
	[CFG_SCHED_NQ] = "nq",   [CFG_SCHED_FO] = "fo",     [CFG_SCHED_OVF] = "ovf",
	[CFG_SCHED_MH] = "mh",
};

const char *cfg_sched_name(enum cfg_sched s)
{
	return (unsigned int)s < CFG_SCHED_COUNT ? sched_names[s] : NULL;
}

const char *cfg_fwd_name(enum cfg_fwd f)
{
	switch (f) {
	case CFG_FWD_NAT:
		return "NAT";
	case CFG_FWD_DR:
		return "DR";
	case CFG_FWD_TUN:
		return "TUN";
	}
	return NULL;
}

const char *cfg_check_name(enum cfg_check_type t)
{
	switch (t) {
	case CFG_CHECK_HTTP:
		return "HTTP_GET";
	case CFG_CHECK_SSL:
		return "SSL_GET";
	case CFG_CHECK_TCP:
		return "TCP_CHECK";
	case CFG_CHECK_MISC:
		return "MISC_CHECK";
	case CFG_CHECK_PING:
		return "PING_CHECK";
	case CFG_CHECK_UDP:
		return "UDP_CHECK";
	case CFG_CHECK_DNS:
		return "DNS_CHECK";
	case CFG_CHECK_SMTP:
		return "SMTP_CHECK";
	case CFG_CHECK_FILE:
		return "FILE_CHECK";
	}
	return NULL;
}

void cfg_keepalived_defaults(struct cfg_keepalived *k)
{
	struct cfg_global *g = &k->global;

	g->smtp_port = 25;
	g->smtp_connect_timeout_ms = 30000;
	g->vrrp_garp_master_delay_ms = 5000;
	g->vrrp_garp_lower_prio_delay_ms = -1;
	g->vrrp_garp_lower_prio_repeat = -1;
	g->vrrp_garp_master_repeat = 5;
	g->vrrp_garp_master_refresh_ms = 0;
	g->vrrp_garp_master_refresh_repeat = 1;
	g->vrrp_version = 2;
	g->smtp_alert_vrrp = -1;
	g->smtp_alert_checker = -1;
	g->vrrp_mcast_group4 = 0xe0000012; /* 224.0.0.18 */
	g->vrrp_mcast_group6[0] = 0xff;    /* ff02::12 */
	g->vrrp_mcast_group6[1] = 0x02;
	g->vrrp_mcast_group6[15] = 0x12;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void script_free(struct cfg_script *s)
{
	free(s->cmd);
	free(s->user);
	free(s->group);
}

static void notify_free(struct cfg_notify *n)
{
	script_free(&n->master);
	script_free(&n->backup);
	script_free(&n->fault);
	script_free(&n->stop);
	script_free(&n->any);
}

void cfg_instance_free_fields(struct cfg_vrrp_instance *v)
{
	free(v->name);
	free(v->interface);
	for (size_t i = 0; i < v->n_vips; i++) {
		free(v->vips[i].dev);
		free(v->vips[i].label);
	}
	free(v->vips);
	free(v->unicast_peers);
	free(v->peer_ttl);
	cfg_sroute_free(v->vroutes, v->n_vroutes);
	for (size_t i = 0; i < v->n_track_if; i++)
		free(v->track_if[i].name);
	free(v->track_if);
	for (size_t i = 0; i < v->n_track_scripts; i++)
		free(v->track_scripts[i].name);
	free(v->track_scripts);
	for (size_t i = 0; i < v->n_track_files; i++)
		free(v->track_files[i].name);
	free(v->track_files);
	for (size_t i = 0; i < v->n_track_processes; i++)
		free(v->track_processes[i].name);
	free(v->track_processes);
	notify_free(&v->notify);
}

void cfg_checker_free(struct cfg_checker *c)
{
	for (size_t i = 0; i < c->n_urls; i++) {
		free(c->urls[i].path);
		free(c->urls[i].virtualhost);
	}
	free(c->urls);
	free(c->virtualhost);
	free(c->misc_path);
	free(c->user);
	free(c->group);
	free(c->payload);
	free(c->reply);
	free(c->reply_care);
	free(c->dns_name);
	free(c->helo_name);
	for (size_t i = 0; i < c->n_hosts; i++)
		cfg_checker_free(&c->hosts[i]);
	free(c->hosts);
}

static void rs_free(struct cfg_real_server *rs)
{
	script_free(&rs->notify_up);
	script_free(&rs->notify_down);
	for (size_t i = 0; i < rs->n_checkers; i++)
		cfg_checker_free(&rs->checkers[i]);
	free(rs->checkers);
}

void cfg_vs_free_fields(struct cfg_virtual_server *vs)
{
	rs_free(&vs->sorry_server);
	script_free(&vs->quorum_up);
	script_free(&vs->quorum_down);
	free(vs->virtualhost);
	free(vs->group);
	free(vs->members);
	for (size_t i = 0; i < vs->n_rs; i++)
		rs_free(&vs->rs[i]);
	free(vs->rs);
}

static void global_free(struct cfg_global *g)
{
	free_strv(g->notification_email, g->n_notification_email);
	free(g->notification_email_from);
	free(g->smtp_helo_name);
	free(g->router_id);
	free(g->script_user);
	free(g->script_group);
	cfg_sync_free(&g->lvs_sync);
	cfg_fifo_free(&g->notify_fifo);
	cfg_fifo_free(&g->vrrp_notify_fifo);
}

void cfg_keepalived_free(struct cfg_keepalived *k)
{
	if (k == NULL)
		return;
	global_free(&k->global);
	for (size_t i = 0; i < k->n_scripts; i++) {
		struct cfg_vrrp_script *s = &k->scripts[i];

		free(s->name);
		free(s->script);
		free(s->user);
		free(s->group);
	}
	free(k->scripts);
	for (size_t i = 0; i < k->n_instances; i++)
		cfg_instance_free_fields(&k->instances[i]);
	free(k->instances);
	for (size_t i = 0; i < k->n_groups; i++) {
		struct cfg_sync_group *g = &k->groups[i];

		free(g->name);
		free_strv(g->members, g->n_members);
		free(g->member);
		notify_free(&g->notify);
	}
	free(k->groups);
	for (size_t i = 0; i < k->n_vs; i++)
		cfg_vs_free_fields(&k->vs[i]);
	free(k->vs);
	for (size_t i = 0; i < k->n_static_addrs; i++) {
		free(k->static_addrs[i].dev);
		free(k->static_addrs[i].label);
	}
	free(k->static_addrs);
	cfg_sroute_free(k->static_routes, k->n_static_routes);
	for (size_t i = 0; i < k->n_vs_groups; i++) {
		free(k->vs_groups[i].name);
		free(k->vs_groups[i].entries);
	}
	free(k->vs_groups);
	for (size_t i = 0; i < k->n_track_files; i++) {
		free(k->track_files[i].name);
		free(k->track_files[i].file);
	}
	free(k->track_files);
	for (size_t i = 0; i < k->n_track_processes; i++) {
		free(k->track_processes[i].name);
		free_strv(k->track_processes[i].argv, k->track_processes[i].argc);
	}
	free(k->track_processes);
	free_strv(k->files, k->n_files);
	free(k);
}

void cfg_dataplane_free(struct cfg_dataplane *p)
{
	if (p == NULL)
		return;
	free_strv(p->eal, p->n_eal);
	for (size_t i = 0; i < p->n_ports; i++) {
		free(p->ports[i].name);
		free(p->ports[i].device);
		free(p->ports[i].kernel_if);
		free(p->ports[i].addrs);
		free(p->ports[i].kroutes);
	}
	free(p->ports);
	free(p->routes);
	free(p->announce.interface);
	free(p->file);
	free(p);
}

const struct cfg_port *cfg_port_find(const struct cfg_dataplane *p, const char *name)
{
	if (p == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_ports; i++)
		if (strcmp(p->ports[i].name, name) == 0)
			return &p->ports[i];
	return NULL;
}

const struct cfg_prefix *cfg_port_addr(const struct cfg_port *p, uint8_t af)
{
	for (size_t i = 0; p != NULL && i < p->n_addrs; i++)
		if (p->addrs[i].addr.af == af)
			return &p->addrs[i];
	return NULL;
}
