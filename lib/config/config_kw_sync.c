/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPVS connection synchronisation, as keepalived 2.2 configures it
 * (global_parser.c's lvs_syncd_handler, vrrp_parser.c's
 * vrrp_lvs_syncd_handler):
 *
 *   global_defs { lvs_sync_daemon eth1 VI_1 [id 51] [maxlen 1472]
 *                                [port 8848] [ttl 1] [group 224.0.0.81] }
 *   vrrp_instance VI_1 { lvs_sync_daemon_interface eth1 }   (deprecated)
 *
 * Where keepalived logs a bad option and goes on, halb refuses the file:
 * synchronisation is what keeps connections alive through a failover, and
 * a director that silently ran without it would break them. The sync id
 * defaults to the instance's virtual_router_id, as in keepalived.
 */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define SYNC_MAXLEN_MAX (65535 - 20 - 8)

/* One "name value" option of lvs_sync_daemon. @return false when bad. */
static bool sync_option(struct cfg_parser *ps, struct cfg_sync *s, const struct cfg_tok *name,
			const struct cfg_tok *val)
{
	unsigned int v;

	if (val == NULL) {
		cfg_err(ps, name, "lvs_sync_daemon %s: no value", name->s);
		return false;
	}
	if (strcmp(name->s, "id") == 0) {
		if (!cfg_arg_uint(ps, val, "lvs_sync_daemon id", 0, 255, &v))
			return false;
		s->syncid = (int)v;
		return true;
	}
	if (strcmp(name->s, "maxlen") == 0)
		return cfg_arg_uint(ps, val, "lvs_sync_daemon maxlen", 128, SYNC_MAXLEN_MAX,
				    &s->maxlen);
	if (strcmp(name->s, "port") == 0)
		return cfg_arg_uint(ps, val, "lvs_sync_daemon port", 1, 65535, &s->port);
	if (strcmp(name->s, "ttl") == 0)
		return cfg_arg_uint(ps, val, "lvs_sync_daemon ttl", 1, 255, &s->ttl);
	if (strcmp(name->s, "group") == 0) {
		uint32_t g;

		if (!cfg_arg_ipv4(ps, val, "lvs_sync_daemon group", &g))
			return false;
		if ((g >> 28) != 0xe) {
			cfg_err(ps, val, "lvs_sync_daemon group %s is not a multicast address",
				val->s);
			return false;
		}
		s->group = g;
		return true;
	}
	cfg_err(ps, name, "lvs_sync_daemon: unknown option '%s' (id, maxlen, port, ttl, group)",
		name->s);
	return false;
}

static void sync_defaults(struct cfg_sync *s)
{
	s->syncid = -1;
	s->port = 8848;
	s->ttl = 1;
	s->group = 0xe0000051; /* 224.0.0.81 */
}

void *cfg_kw_lvs_sync_daemon(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_global *g = obj;
	struct cfg_sync *s = &g->lvs_sync;

	if (s->set) {
		cfg_err(ps, &st->v[0], "lvs_sync_daemon is already set (%s %s)", s->interface,
			s->instance ? s->instance : "");
		return NULL;
	}
	sync_defaults(s);
	s->loc = cfg_tok_loc(ps, &st->v[0]);
	cfg_set_str(ps, &s->interface, &st->v[1]);
	cfg_set_str(ps, &s->instance, &st->v[2]);
	for (size_t i = 3; i < st->n; i += 2)
		if (!sync_option(ps, s, &st->v[i], i + 1 < st->n ? &st->v[i + 1] : NULL))
			return NULL;
	s->set = true;
	return NULL;
}

void *cfg_kw_lvs_sync_interface(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	struct cfg_sync *s = &ps->k->global.lvs_sync;

	cfg_warn(ps, &st->v[0],
		 "lvs_sync_daemon_interface is deprecated (keepalived says so too): use "
		 "'lvs_sync_daemon %s %s' in global_defs",
		 st->v[1].s, v->name ? v->name : "INSTANCE");
	if (s->set) {
		cfg_err(ps, &st->v[0], "lvs_sync_daemon is already set (%s)", s->interface);
		return NULL;
	}
	sync_defaults(s);
	s->loc = cfg_tok_loc(ps, &st->v[0]);
	cfg_set_str(ps, &s->interface, &st->v[1]);
	if (v->name != NULL)
		s->instance = strdup(v->name);
	s->set = s->instance != NULL;
	return NULL;
}

void cfg_sync_resolve(struct cfg_parser *ps)
{
	struct cfg_keepalived *k = ps->k;
	struct cfg_sync *s = &k->global.lvs_sync;

	if (!s->set)
		return;
	for (size_t i = 0; i < k->n_instances; i++) {
		if (strcmp(k->instances[i].name, s->instance) != 0)
			continue;
		s->inst = i;
		if (s->syncid < 0)
			s->syncid = (int)k->instances[i].vrid;
		return;
	}
	cfg_diag_add(ps->d, CFG_ERROR, &s->loc, "lvs_sync_daemon: no vrrp_instance named %s",
		     s->instance);
}

void cfg_sync_free(struct cfg_sync *s)
{
	free(s->interface);
	free(s->instance);
}
