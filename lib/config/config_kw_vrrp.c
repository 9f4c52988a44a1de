/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vrrp_instance: its keyword table, its authentication block and its blocks
 * of values (virtual_ipaddress, unicast_peer, track_interface,
 * track_script). Ranges and defaults are keepalived 2.2's (vrrp_parser.c):
 * virtual_router_id 1..255, priority 1..255 (default 100), advert_int
 * 0.01..255 s (default 1), track_script weight -253..253. track_script names
 * are kept as written and resolved once everything is read
 * (config_resolve.c), so the order of the blocks does not matter. Settings
 * that contradict each other are settled as keepalived settles them, with a
 * warning. vrrp_script and vrrp_sync_group are in config_kw_script.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define NOT_YET "not implemented yet"

/* --------------------------------------------------------------- vrrp_instance */

void *cfg_instance_open(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_keepalived *k = obj;
	const struct cfg_tok *name = &st->v[1];
	struct cfg_vrrp_instance *v;

	v = CFG_GROW(ps, name, k->instances, k->n_instances);
	if (v == NULL)
		return NULL;
	v->name = cfg_strdup(ps, name, name->s);
	if (v->name == NULL) {
		k->n_instances--;
		return NULL;
	}
	v->state = CFG_VRRP_BACKUP;
	v->priority = 100;
	v->advert_int_ms = 1000;
	v->garp_master_delay_ms = -1;
	v->garp_master_repeat = -1;
	v->garp_master_refresh_ms = -1;
	v->garp_master_refresh_repeat = -1;
	v->skip_check_adv_addr = -1;
	v->garp_lower_prio_delay_ms = -1;
	v->garp_lower_prio_repeat = -1;
	v->lower_prio_no_advert = -1;
	v->higher_prio_send_advert = -1;
	v->unicast_ttl = 255;
	v->smtp_alert = -1;
	v->loc = cfg_tok_loc(ps, st->v);
	v->interface_loc = v->loc;
	v->vrid_loc = v->loc;
	return v;
}

/* The advertised VIPs first, then the excluded ones, each in the order
 * written. An advert holds at most VRRP_MAX_ADV_ADDRS addresses: as
 * keepalived, the ones past that are moved to the excluded list, with a
 * warning (they are still taken and released, only not advertised). */
static void vips_partition(struct cfg_parser *ps, struct cfg_vrrp_instance *v,
			   const struct cfg_tok *kw)
{
	struct cfg_vip *sorted;
	size_t n = 0, adv = 0;

	for (size_t i = 0; i < v->n_vips; i++)
		adv += !v->vips[i].excluded;
	if (adv > CFG_VRRP_MAX_ADV_ADDRS) {
		size_t first = 0; /* the first address that does not fit */

		for (size_t i = 0, seen = 0; i < v->n_vips; i++)
			if (!v->vips[i].excluded && ++seen > CFG_VRRP_MAX_ADV_ADDRS) {
				if (seen == CFG_VRRP_MAX_ADV_ADDRS + 1)
					first = i;
				v->vips[i].excluded = true;
			}
		cfg_diag_add(ps->d, CFG_WARNING, &v->vips[first].loc,
			     "vrrp_instance %s: %zu addresses in virtual_ipaddress, an advert "
			     "holds %u: the last %zu, from this one on, are moved to "
			     "virtual_ipaddress_excluded, as keepalived does",
			     v->name, adv, CFG_VRRP_MAX_ADV_ADDRS, adv - CFG_VRRP_MAX_ADV_ADDRS);
		adv = CFG_VRRP_MAX_ADV_ADDRS;
	}
	v->n_vips_adv = adv;
	if (adv == v->n_vips || v->n_vips == 0)
		return;
	sorted = malloc(v->n_vips * sizeof(*sorted));
	if (sorted == NULL) {
		cfg_err(ps, kw, "out of memory");
		return;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < v->n_vips; i++)
			if (v->vips[i].excluded == (pass == 1))
				sorted[n++] = v->vips[i];
	memcpy(v->vips, sorted, v->n_vips * sizeof(*sorted));
	free(sorted);
}

/* An instance carries one family, as keepalived requires: its first VIP's
 * (or native_ipv6's, or IPv4); every VIP, the unicast source and the peers
 * must be of it. */
static void instance_family(struct cfg_parser *ps, struct cfg_vrrp_instance *v)
{
	char a[CFG_ADDR_STRLEN];

	if (v->family == 0)
		v->family = v->n_vips > 0 ? v->vips[0].pfx.addr.af : 4;
	for (size_t i = 0; i < v->n_vips; i++)
		if (v->vips[i].pfx.addr.af != v->family)
			cfg_diag_add(ps->d, CFG_ERROR, &v->vips[i].loc,
				     "virtual_ipaddress %s: vrrp_instance %s is IPv%u: one family "
				     "per instance, as keepalived requires",
				     cfg_addr_str(&v->vips[i].pfx.addr, a), v->name, v->family);
	if (v->has_unicast_src_ip && v->unicast_src_ip.af != v->family)
		cfg_diag_add(ps->d, CFG_ERROR, &v->loc,
			     "vrrp_instance %s: unicast_src_ip %s is not IPv%u like the instance",
			     v->name, cfg_addr_str(&v->unicast_src_ip, a), v->family);
	for (size_t i = 0; i < v->n_unicast_peers; i++)
		if (v->unicast_peers[i].af != v->family)
			cfg_diag_add(ps->d, CFG_ERROR, &v->loc,
				     "vrrp_instance %s: unicast_peer %s is not IPv%u like the "
				     "instance",
				     v->name, cfg_addr_str(&v->unicast_peers[i], a), v->family);
}

static void instance_end(struct cfg_parser *ps, void *obj, const struct cfg_tok *kw, uint64_t seen)
{
	struct cfg_vrrp_instance *v = obj;

	if (v->interface == NULL && !cfg_saw(&cfg_instance_block, seen, "interface"))
		cfg_err(ps, kw, "vrrp_instance %s has no interface", v->name);
	if (v->vrid == 0 && !cfg_saw(&cfg_instance_block, seen, "virtual_router_id"))
		cfg_err(ps, kw, "vrrp_instance %s has no virtual_router_id", v->name);
	if (v->n_vips == 0)
		cfg_warn(ps, kw, "vrrp_instance %s has no virtual_ipaddress", v->name);
	instance_family(ps, v);
	vips_partition(ps, v, kw);
	if (v->nopreempt && v->priority == 255) {
		cfg_warn(ps, kw,
			 "vrrp_instance %s: nopreempt does not apply to priority 255: cleared",
			 v->name);
		v->nopreempt = false;
	}
	if (v->state == CFG_VRRP_MASTER && (v->nopreempt || v->preempt_delay_ms != 0)) {
		cfg_warn(ps, kw,
			 "vrrp_instance %s: nopreempt and preempt_delay need state BACKUP: cleared",
			 v->name);
		v->nopreempt = false;
		v->preempt_delay_ms = 0;
	}
	if (v->nopreempt && v->preempt_delay_ms != 0) {
		cfg_warn(ps, kw,
			 "vrrp_instance %s: preempt_delay does not apply with nopreempt: cleared",
			 v->name);
		v->preempt_delay_ms = 0;
	}
}

static void *inst_state(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	const char *s = st->v[1].s;

	if (strcmp(s, "MASTER") == 0)
		v->state = CFG_VRRP_MASTER;
	else if (strcmp(s, "BACKUP") == 0)
		v->state = CFG_VRRP_BACKUP;
	else
		cfg_err(ps, &st->v[1], "state: unknown state '%s' (MASTER or BACKUP)", s);
	v->state_set = true;
	return NULL;
}

static void *inst_interface(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	if (cfg_arg_ifname(ps, &st->v[1], cfg_kw_name(st)))
		cfg_set_str(ps, &v->interface, &st->v[1]);
	v->interface_loc = cfg_tok_loc(ps, st->v);
	return NULL;
}

static void *inst_vrid(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int vrid;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, 255, &vrid))
		v->vrid = (uint8_t)vrid;
	v->vrid_loc = cfg_tok_loc(ps, st->v);
	return NULL;
}

static void *inst_priority(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int prio;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, 255, &prio))
		v->priority = (uint8_t)prio;
	return NULL;
}

static void *inst_advert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), true, 10, 255000, &v->advert_int_ms);
	return NULL;
}

static void *inst_version(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 2, 3, &v->version);
	return NULL;
}

static void *inst_nopreempt(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	(void)ps;
	v->nopreempt = strcmp(cfg_kw_name(st), "nopreempt") == 0;
	return NULL;
}

static void *inst_preempt_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), true, 0, 1000000, &v->preempt_delay_ms);
	return NULL;
}

static void *inst_garp_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int ms;

	if (cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS, &ms))
		v->garp_master_delay_ms = ms;
	return NULL;
}

static void *inst_garp_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int n;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, UINT32_MAX, &n))
		v->garp_master_repeat = n;
	return NULL;
}

static void *inst_garp_refresh(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int ms;

	if (cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS, &ms))
		v->garp_master_refresh_ms = ms;
	return NULL;
}

static void *inst_unicast_src(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	if (cfg_arg_addr(ps, &st->v[1], cfg_kw_name(st), &v->unicast_src_ip))
		v->has_unicast_src_ip = true;
	return NULL;
}

/* native_ipv6: an IPv6 instance even without IPv6 VIPs. */
static void *inst_native_ipv6(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	(void)ps;
	(void)st;
	v->family = 6;
	return NULL;
}

static void *inst_smtp_alert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	bool on;

	if (cfg_arg_bool(ps, st->n > 1 ? &st->v[1] : NULL, cfg_kw_name(st), &on))
		v->smtp_alert = on;
	return NULL;
}

/* KEYWORD SCRIPT [USER [GROUP]], for every notify and quorum script, as
 * keepalived's notify_script_init(): the script is the first word (quote a
 * command line with arguments), the next words the user and group to run
 * it as. */
void cfg_set_script(struct cfg_parser *ps, struct cfg_script *slot, const struct cfg_stmt *st)
{
	cfg_set_str(ps, &slot->cmd, &st->v[1]);
	free(slot->user);
	free(slot->group);
	slot->user = st->n > 2 ? cfg_strdup(ps, &st->v[2], st->v[2].s) : NULL;
	slot->group = st->n > 3 ? cfg_strdup(ps, &st->v[3], st->v[3].s) : NULL;
}

/* notify_master and friends; sync groups share it. */
void cfg_set_notify(struct cfg_parser *ps, struct cfg_notify *n, const struct cfg_stmt *st)
{
	const char *kw = cfg_kw_name(st);
	struct cfg_script *slot = strcmp(kw, "notify_master") == 0   ? &n->master
				  : strcmp(kw, "notify_backup") == 0 ? &n->backup
				  : strcmp(kw, "notify_fault") == 0  ? &n->fault
				  : strcmp(kw, "notify_stop") == 0   ? &n->stop
								     : &n->any;

	cfg_set_script(ps, slot, st);
}

static void *inst_notify(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	cfg_set_notify(ps, &v->notify, st);
	return NULL;
}

/* ---------------------------------------------------- authentication { } */

static void *auth_type(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	const char *s = st->v[1].s;

	if (strcmp(s, "PASS") == 0)
		v->auth_type = CFG_AUTH_PASS;
	else if (strcmp(s, "AH") == 0)
		v->auth_type = CFG_AUTH_AH;
	else
		cfg_err(ps, &st->v[1], "auth_type: unknown type '%s' (PASS or AH)", s);
	return NULL;
}

static void *auth_pass(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	size_t len = strlen(st->v[1].s);

	if (len > sizeof(v->auth_pass) - 1) {
		cfg_warn(ps, &st->v[1],
			 "auth_pass is longer than 8 bytes: truncated, as keepalived does");
		len = sizeof(v->auth_pass) - 1;
	}
	memset(v->auth_pass, 0, sizeof(v->auth_pass));
	memcpy(v->auth_pass, st->v[1].s, len);
	return NULL;
}

static const struct cfg_kw auth_kw[] = {
	{ "auth_type", 1, 1, auth_type, NULL, NULL },
	{ "auth_pass", 1, 1, auth_pass, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct cfg_block auth_block = { "authentication", auth_kw, NULL };

/* ----------------------------------------------------------- blocks of values */

/* Whether s is one of keepalived's options after a virtual_ipaddress
 * address, and whether it takes a value. Only dev and label reach the
 * model; the rest concern the kernel's address and mean nothing to halb. */
static bool vip_is_option(const char *s, bool *has_arg)
{
	static const char *const with_arg[] = { "dev",   "label", "brd",          "broadcast",
						"scope", "peer",  "preferred_lft" };
	static const char *const flags[] = { "home",          "-nodad",   "nodad",   "mngtmpaddr",
					     "noprefixroute", "autojoin", "no_track" };

	for (size_t i = 0; i < sizeof(with_arg) / sizeof(with_arg[0]); i++) {
		if (strcmp(s, with_arg[i]) == 0) {
			*has_arg = true;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(s, flags[i]) == 0) {
			*has_arg = false;
			return true;
		}
	}
	return false;
}

/* Reads "IP[/len]" with a message that says which half is wrong. */
static bool vip_addr(struct cfg_parser *ps, const struct cfg_tok *t, const char *kw,
		     struct cfg_prefix *pfx)
{
	struct cfg_prefix any;
	const char *slash = strchr(t->s, '/');

	if (cfg_parse_prefix(t->s, pfx, false))
		return true;
	if (slash != NULL) {
		char *addr = strndup(t->s, (size_t)(slash - t->s));

		if (addr != NULL && cfg_parse_prefix(addr, &any, false)) {
			cfg_err(ps, t, "%s: bad prefix length in '%s' (0..%u)", kw, t->s,
				any.addr.af == 6 ? 128 : 32);
			free(addr);
			return false;
		}
		free(addr);
	}
	if (strchr(t->s, ':') != NULL || (t->s[0] >= '0' && t->s[0] <= '9'))
		cfg_err(ps, t, "%s: '%s' is not an IPv4 or IPv6 address", kw, t->s);
	else
		cfg_err(ps, t, "%s: '%s' is neither an address nor an option", kw, t->s);
	return false;
}

/* The options after one address; returns the index after them. */
static size_t vip_options(struct cfg_parser *ps, const char *kw, struct cfg_vip *vip,
			  const struct cfg_tok *v, size_t i, size_t n)
{
	bool has_arg;

	while (i < n && vip_is_option(v[i].s, &has_arg)) {
		if (!has_arg) {
			i++;
			continue;
		}
		if (i + 1 >= n) {
			cfg_err(ps, &v[i], "%s: %s needs a value", kw, v[i].s);
			return n;
		}
		if (strcmp(v[i].s, "dev") == 0 && cfg_arg_ifname(ps, &v[i + 1], "dev"))
			cfg_set_str(ps, &vip->dev, &v[i + 1]);
		else if (strcmp(v[i].s, "label") == 0)
			cfg_set_str(ps, &vip->label, &v[i + 1]);
		i += 2;
	}
	return i;
}

void cfg_vip_line(struct cfg_parser *ps, const char *kw, struct cfg_vip **arr, size_t *n_arr,
		  bool excluded, const struct cfg_tok *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		struct cfg_prefix pfx;
		struct cfg_vip *vip;

		if (!vip_addr(ps, &v[i], kw, &pfx)) {
			struct cfg_vip skipped = { 0 };

			/* Check the options all the same, then go on. */
			i = vip_options(ps, kw, &skipped, v, i + 1, n);
			free(skipped.dev);
			free(skipped.label);
			continue;
		}
		vip = CFG_GROW(ps, &v[i], *arr, *n_arr);
		if (vip == NULL)
			return;
		vip->pfx = pfx;
		vip->excluded = excluded;
		vip->loc = cfg_tok_loc(ps, &v[i]);
		i = vip_options(ps, kw, vip, v, i + 1, n);
	}
}

static void vip_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	cfg_vip_line(ps, "virtual_ipaddress", &inst->vips, &inst->n_vips, false, v, n);
}

static void vip_excluded_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	cfg_vip_line(ps, "virtual_ipaddress_excluded", &inst->vips, &inst->n_vips, true, v, n);
}

static void vroute_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	cfg_route_line(ps, "virtual_routes", &inst->vroutes, &inst->n_vroutes, v, n);
}

/* min_ttl N / max_ttl N after a peer's address (0..255, as keepalived). */
static size_t peer_ttl_opts(struct cfg_parser *ps, struct cfg_ttl_range *t, const struct cfg_tok *v,
			    size_t i, size_t n)
{
	while (i < n && (strcmp(v[i].s, "min_ttl") == 0 || strcmp(v[i].s, "max_ttl") == 0)) {
		bool min = strcmp(v[i].s, "min_ttl") == 0;
		char what[32];
		unsigned int ttl;

		if (i + 1 >= n) {
			cfg_err(ps, &v[i], "unicast_peer: %s needs a value", v[i].s);
			return n;
		}
		snprintf(what, sizeof(what), "unicast_peer %s", v[i].s);
		if (cfg_arg_uint(ps, &v[i + 1], what, 0, 255, &ttl)) {
			if (min)
				t->min = (uint8_t)ttl;
			else
				t->max = (uint8_t)ttl;
		}
		i += 2;
	}
	if (t->min > t->max)
		cfg_err(ps, &v[i - 1], "unicast_peer: min_ttl %u is above max_ttl %u", t->min,
			t->max);
	return i;
}

/* IP [min_ttl N] [max_ttl N] ... */
static void peer_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;
	size_t i = 0;

	while (i < n) {
		struct cfg_addr addr, *slot;
		struct cfg_ttl_range *ttl;
		size_t m;

		if (!cfg_arg_addr(ps, &v[i], "unicast_peer", &addr)) {
			i++;
			continue;
		}
		m = inst->n_unicast_peers;
		ttl = CFG_GROW(ps, &v[i], inst->peer_ttl, m);
		if (ttl == NULL)
			return;
		slot = CFG_GROW(ps, &v[i], inst->unicast_peers, inst->n_unicast_peers);
		if (slot == NULL)
			return;
		*slot = addr;
		*ttl = (struct cfg_ttl_range){ .min = 0, .max = 255 };
		i = peer_ttl_opts(ps, ttl, v, i + 1, n);
	}
}

/* NAME [weight W] ... */
static void track_if_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	for (size_t i = 0; i < n; i++) {
		struct cfg_track_if *t;

		if (!cfg_arg_ifname(ps, &v[i], "track_interface"))
			continue;
		t = CFG_GROW(ps, &v[i], inst->track_if, inst->n_track_if);
		if (t == NULL)
			return;
		t->loc = cfg_tok_loc(ps, &v[i]);
		t->name = cfg_strdup(ps, &v[i], v[i].s);
		if (t->name == NULL) {
			inst->n_track_if--;
			return;
		}
		if (i + 1 < n && strcmp(v[i + 1].s, "weight") == 0) {
			if (i + 2 >= n) {
				cfg_err(ps, &v[i + 1], "track_interface: weight needs a value");
				return;
			}
			cfg_arg_int(ps, &v[i + 2], "track_interface weight", -254, 254, &t->weight);
			i += 2;
		}
	}
}

/* NAME [weight W [reverse]] ..., of track_script, track_file and
 * track_process: names resolved after the walk (config_resolve.c). */
static void track_ref_value(struct cfg_parser *ps, struct cfg_track_script **arr, size_t *n,
			    const char *what, int wmax, const struct cfg_tok *v, size_t nv)
{
	for (size_t i = 0; i < nv; i++) {
		struct cfg_track_script *t = CFG_GROW(ps, &v[i], *arr, *n);
		char kw[48];

		if (t == NULL)
			return;
		t->loc = cfg_tok_loc(ps, &v[i]);
		t->name = cfg_strdup(ps, &v[i], v[i].s);
		if (t->name == NULL) {
			(*n)--;
			return;
		}
		if (i + 1 < nv && strcmp(v[i + 1].s, "weight") == 0) {
			if (i + 2 >= nv) {
				cfg_err(ps, &v[i + 1], "%s: weight needs a value", what);
				return;
			}
			snprintf(kw, sizeof(kw), "%s weight", what);
			t->has_weight = cfg_arg_int(ps, &v[i + 2], kw, -wmax, wmax, &t->weight);
			i += 2;
			if (i + 1 < nv && strcmp(v[i + 1].s, "reverse") == 0) {
				t->weight_reverse = true;
				i++;
			}
		}
	}
}

static void track_script_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	track_ref_value(ps, &inst->track_scripts, &inst->n_track_scripts, "track_script", 253, v,
			n);
}

static void track_file_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	track_ref_value(ps, &inst->track_files, &inst->n_track_files, "track_file", 254, v, n);
}

static void track_process_value(struct cfg_parser *ps, void *obj, const struct cfg_tok *v, size_t n)
{
	struct cfg_vrrp_instance *inst = obj;

	track_ref_value(ps, &inst->track_processes, &inst->n_track_processes, "track_process", 254,
			v, n);
}

static void *inst_garp_refresh_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int n;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, UINT32_MAX, &n))
		v->garp_master_refresh_repeat = n;
	return NULL;
}

/* garp_lower_prio_delay SECS (whole seconds, as keepalived) */
static void *inst_garp_lower_delay(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int ms;

	if (cfg_arg_ms(ps, &st->v[1], cfg_kw_name(st), false, 0, CFG_SEC_MAX_MS, &ms))
		v->garp_lower_prio_delay_ms = ms;
	return NULL;
}

/* garp_lower_prio_repeat N: 0 sends none */
static void *inst_garp_lower_repeat(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	unsigned int n;

	if (cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 0, INT32_MAX, &n))
		v->garp_lower_prio_repeat = n;
	return NULL;
}

/* lower_prio_no_advert [bool], higher_prio_send_advert [bool] */
static void *inst_prio_advert(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	const char *kw = cfg_kw_name(st);
	bool on = true;

	if (st->n > 1 && !cfg_arg_bool(ps, &st->v[1], kw, &on))
		return NULL;
	if (strcmp(kw, "lower_prio_no_advert") == 0)
		v->lower_prio_no_advert = on;
	else
		v->higher_prio_send_advert = on;
	return NULL;
}

static void *inst_unicast_ttl(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;

	cfg_arg_uint(ps, &st->v[1], cfg_kw_name(st), 1, 255, &v->unicast_ttl);
	return NULL;
}

/* dont_track_primary, skip_check_adv_addr [bool], check_unicast_src */
static void *inst_flag(struct cfg_parser *ps, void *obj, const struct cfg_stmt *st)
{
	struct cfg_vrrp_instance *v = obj;
	const char *kw = cfg_kw_name(st);
	bool on = true;

	if (st->n > 1 && !cfg_arg_bool(ps, &st->v[1], kw, &on))
		return NULL;
	if (strcmp(kw, "dont_track_primary") == 0)
		v->dont_track_primary = true;
	else if (strcmp(kw, "skip_check_adv_addr") == 0)
		v->skip_check_adv_addr = on;
	return NULL; /* check_unicast_src: halb always checks */
}

static const struct cfg_kw instance_kw[] = {
	{ "state", 1, 1, inst_state, NULL, NULL },
	{ "interface", 1, 1, inst_interface, NULL, NULL },
	{ "virtual_router_id", 1, 1, inst_vrid, NULL, NULL },
	{ "priority", 1, 1, inst_priority, NULL, NULL },
	{ "advert_int", 1, 1, inst_advert, NULL, NULL },
	{ "version", 1, 1, inst_version, NULL, NULL },
	{ "authentication", 0, 0, NULL, &auth_block, NULL },
	{ "virtual_ipaddress", 0, 0, NULL, NULL, vip_value },
	{ "nopreempt", 0, 0, inst_nopreempt, NULL, NULL },
	{ "preempt", 0, 0, inst_nopreempt, NULL, NULL },
	{ "preempt_delay", 1, 1, inst_preempt_delay, NULL, NULL },
	{ "garp_master_delay", 1, 1, inst_garp_delay, NULL, NULL },
	{ "garp_master_repeat", 1, 1, inst_garp_repeat, NULL, NULL },
	{ "garp_master_refresh", 1, 1, inst_garp_refresh, NULL, NULL },
	{ "unicast_src_ip", 1, 1, inst_unicast_src, NULL, NULL },
	{ "native_ipv6", 0, 0, inst_native_ipv6, NULL, NULL },
	{ "unicast_peer", 0, 0, NULL, NULL, peer_value },
	{ "track_interface", 0, 0, NULL, NULL, track_if_value },
	{ "track_script", 0, 0, NULL, NULL, track_script_value },
	{ "notify_master", 1, 3, inst_notify, NULL, NULL },
	{ "notify_backup", 1, 3, inst_notify, NULL, NULL },
	{ "notify_fault", 1, 3, inst_notify, NULL, NULL },
	{ "notify_stop", 1, 3, inst_notify, NULL, NULL },
	{ "notify", 1, 3, inst_notify, NULL, NULL },
	{ "smtp_alert", 0, 1, inst_smtp_alert, NULL, NULL },
	{ "mcast_src_ip", 1, 1, inst_unicast_src, NULL, NULL, 0,
	  "the same as unicast_src_ip, as in keepalived" },
	{ "garp_master_refresh_repeat", 1, 1, inst_garp_refresh_repeat, NULL, NULL },
	{ "dont_track_primary", 0, 0, inst_flag, NULL, NULL },
	{ "skip_check_adv_addr", 0, 1, inst_flag, NULL, NULL },
	{ "check_unicast_src", 0, 0, inst_flag, NULL, NULL, 0,
	  "halb always drops unicast adverts from an address that is no unicast_peer" },
	{ "track_file", 0, 0, NULL, NULL, track_file_value },
	{ "track_process", 0, 0, NULL, NULL, track_process_value },
	{ "virtual_ipaddress_excluded", 0, 0, NULL, NULL, vip_excluded_value },
	{ "virtual_routes", 0, 0, NULL, NULL, vroute_value },
	{ "garp_lower_prio_delay", 1, 1, inst_garp_lower_delay, NULL, NULL },
	{ "garp_lower_prio_repeat", 1, 1, inst_garp_lower_repeat, NULL, NULL },
	{ "lower_prio_no_advert", 0, 1, inst_prio_advert, NULL, NULL },
	{ "higher_prio_send_advert", 0, 1, inst_prio_advert, NULL, NULL },
	{ "unicast_ttl", 1, 1, inst_unicast_ttl, NULL, NULL },
	/* what changes where traffic goes or when, and halb does not do */
	CFG_KW_REFUSE("virtual_rules", "not implemented: halb's dataplane has one routing table "
				       "and no policy rules"),
	CFG_KW_REFUSE("unicast_fault_no_peer", NOT_YET),
	CFG_KW_REFUSE("notify_deleted", NOT_YET),
	CFG_KW_REFUSE("notify_master_rx_lower_pri", NOT_YET),
	CFG_KW_REFUSE("notify_priority_changes",
		      "not implemented: notify scripts run on state changes only"),
	CFG_KW_REFUSE("down_timer_adverts",
		      "not implemented: the master down timer is 3 advert intervals (RFC 5798)"),
	CFG_KW_REFUSE("garp_extra_if",
		      "not implemented: gratuitous ARPs go out of the VIP's own port only"),
	CFG_KW_REFUSE("mcast_dst_ip", "not implemented: every instance uses vrrp_mcast_group4 "
				      "(IPv6: vrrp_mcast_group6)"),
	CFG_KW_REFUSE("track_bfd", "halb does not implement BFD"),
	CFG_KW_REFUSE("use_vmac", "not implemented: VIPs answer with the port's MAC address and "
				  "gratuitous ARPs move them"),
	CFG_KW_REFUSE("use_ipvlan", "not implemented: VIPs answer with the port's MAC address and "
				    "gratuitous ARPs move them"),
	CFG_KW_REFUSE("vrf", "halb has no VRFs"),
	CFG_KW_REFUSE("no_accept", "not implemented: traffic to a VIP that no virtual server "
				   "takes goes to the director's kernel, as with accept"),
	CFG_KW_REFUSE("old_unicast_checksum",
		      "not implemented: halb sends and checks the RFC's checksum"),
	{ "lvs_sync_daemon_interface", 1, 1, cfg_kw_lvs_sync_interface, NULL, NULL },
	/* what has no meaning for halb */
	CFG_KW_NOOP("accept", "traffic to a VIP that no virtual server takes goes to the "
			      "director's kernel, which answers it"),
	CFG_KW_NOOP("strict_mode", "halb makes no firewall rules and checks adverts as it always "
				   "does"),
	CFG_KW_NOOP("debug", "halb's log levels are set per component (see docs/OPERATIONS.md)"),
	CFG_KW_NOOP("kernel_rx_buf_size", "halb receives adverts from its dataplane, not a socket"),
	CFG_KW_NOOP("linkbeat_use_polling", "halb polls its ports' links every second"),
	CFG_KW_NOOP("promote_secondaries", "halb adds and removes only the VIPs on its TAP"),
	CFG_KW_NOOP("track_src_ip", "halb's addresses come from the dataplane file and cannot go "
				    "away"),
	CFG_KW_NOOP("use_vmac_addr", "applies to use_vmac, which halb refuses"),
	CFG_KW_NOOP("vmac_xmit_base", "applies to use_vmac, which halb refuses"),
	CFG_KW_NOOP("vmac_garp_intvl", "applies to use_vmac, which halb refuses"),
	CFG_KW_END,
};

const struct cfg_block cfg_instance_block = { "vrrp_instance", instance_kw, instance_end };
