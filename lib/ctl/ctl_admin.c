/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes that a keepalived + ipvsadm operator makes by hand, here
 * through the telemetry socket (halbctl weight, halbctl -Z):
 *
 * /halb/weight sets a real server's weight over the configuration's, as
 * `ipvsadm -e ... -w W`: 0 drains it (no new connections; existing ones go
 * on, as the schedulers skip weight 0), "reset" returns it to the
 * configuration. The override is running state of the real server
 * (struct ctl_rs.override), applied where the snapshot takes its weight
 * (ctl_svc.c rs_spec), shown by /halb/services, and carried over a reload
 * unless the reload changed that server's weight or inhibit_on_failure
 * (keepalived, which rewrites IPVS from its file, would lose it).
 *
 * /halb/zero zeroes the counters of every service or of one, as
 * `ipvsadm -Z [-t|-u VIP:PORT]`. The workers' counters are theirs alone and
 * never written by another thread, so zeroing records a baseline that
 * /halb/services subtracts (ctl_counters_get) and restarts the rate
 * estimates; active and inactive connections are counts, not counters, and
 * stay.
 *
 * Both run on a telemetry thread under the control core's lock, like a
 * reload, and log what they did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include "ctl_priv.h"

struct ctl_zero {
	uint64_t conns, in_pkts, out_pkts, in_bytes, out_bytes;
};

static uint64_t minus(uint64_t now, uint64_t base)
{
	return now > base ? now - base : 0;
}

void ctl_counters_get(struct ctl *c, uint32_t stat, struct svc_counters *out)
{
	const struct ctl_zero *z;

	fwd_counters_sum(&c->env, stat, out);
	if (c->zero == NULL)
		return;
	z = &c->zero[stat];
	out->conns = minus(out->conns, z->conns);
	out->in_pkts = minus(out->in_pkts, z->in_pkts);
	out->out_pkts = minus(out->out_pkts, z->out_pkts);
	out->in_bytes = minus(out->in_bytes, z->in_bytes);
	out->out_bytes = minus(out->out_bytes, z->out_bytes);
}

static void zero_stat(struct ctl *c, uint32_t stat)
{
	struct ctl_rate *r = &c->rates[stat];
	struct svc_counters now;

	fwd_counters_sum(&c->env, stat, &now);
	c->zero[stat] =
	    (struct ctl_zero){ now.conns, now.in_pkts, now.out_pkts, now.in_bytes, now.out_bytes };
	r->cps = r->in_pps = r->out_pps = r->in_bps = r->out_bps = 0;
}

static void vs_name(const struct cfg_virtual_server *v, char *buf, size_t len)
{
	char a[CFG_ADDR_STRLEN];

	snprintf(buf, len, "[%s]:%s:%u", cfg_addr_str(&v->addr, a),
		 v->protocol == IPPROTO_UDP ? "udp" : "tcp", v->port);
}

static void rs_name(const struct cfg_virtual_server *v, const struct cfg_real_server *r, char *buf,
		    size_t len)
{
	char a[CFG_ADDR_STRLEN];

	snprintf(buf, len, "[%s]:%s:%u", cfg_addr_str(&r->addr, a),
		 v->protocol == IPPROTO_UDP ? "udp" : "tcp", r->port);
}

/* ---------------------------------------------------------------- zero */

static json_t *tel_zero(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	struct ctl_query q;
	char err[160], name[64];
	long services = 0, servers = 0;

	if (ctl_query_parse(params, CTL_Q_VIP | CTL_Q_PROTO, 1, &q, err, sizeof(err)) != 0)
		return ctl_error("%s", err);
	pthread_mutex_lock(&c->lock);
	if (c->zero == NULL)
		c->zero = calloc(SVC_STAT_MAX, sizeof(*c->zero));
	if (c->zero == NULL) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error("%s", "out of memory");
	}
	for (size_t i = 0; i < c->k->n_vs; i++) {
		const struct cfg_virtual_server *v = &c->k->vs[i];

		if (!ctl_vs_match(c, i, &q))
			continue;
		zero_stat(c, c->vs[i].stat);
		for (size_t r = 0; r < v->n_rs; r++)
			zero_stat(c, c->vs[i].rs[r].stat);
		if (v->has_sorry_server)
			zero_stat(c, c->vs[i].sorry.stat);
		services++;
		servers += (long)v->n_rs;
		vs_name(v, name, sizeof(name));
	}
	if (services == 0) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error("%s", "no such service");
	}
	if (q.vip.set)
		HALB_LOG(ctl, NOTICE, "Counters of VS %s zeroed (halbctl)", name);
	else
		HALB_LOG(ctl, NOTICE, "Counters of all %ld virtual servers zeroed (halbctl)",
			 services);
	pthread_mutex_unlock(&c->lock);
	return json_pack("{s:I, s:I}", "services", (json_int_t)services, "real_servers",
			 (json_int_t)servers);
}

/* -------------------------------------------------------------- weight */

/* The one service q names, or -1 with a reason in err. */
static long find_vs(const struct ctl *c, const struct ctl_query *q, char *err, size_t len)
{
	long found = -1;
	int n = 0;

	if (!q->vip.set || !q->vip.has_port) {
		snprintf(err, len, "which service? vip=ADDRESS:PORT");
		return -1;
	}
	for (size_t i = 0; i < c->k->n_vs; i++) {
		if (!ctl_vs_match(c, i, q))
			continue;
		found = (long)i;
		n++;
	}
	if (n == 0)
		snprintf(err, len, "no such service");
	else if (n > 1)
		snprintf(err, len,
			 "a TCP and a UDP service have this address: say proto=tcp or udp");
	return n == 1 ? found : -1;
}

/* The one real server of service vs q names, or -1 with a reason in err. */
static long find_rs(const struct cfg_virtual_server *v, const struct ctl_query *q, char *err,
		    size_t len)
{
	long found = -1;
	int n = 0;

	if (!q->rs.set) {
		snprintf(err, len, "which real server? rs=ADDRESS[:PORT]");
		return -1;
	}
	for (size_t r = 0; r < v->n_rs; r++) {
		if (!ctl_addr_match(&q->rs, &v->rs[r].addr, v->rs[r].port))
			continue;
		found = (long)r;
		n++;
	}
	if (n == 0)
		snprintf(err, len, "no such real server in this service");
	else if (n > 1)
		snprintf(err, len, "several real servers have this address: give its port");
	return n == 1 ? found : -1;
}

static void log_weight(const struct cfg_virtual_server *v, const struct cfg_real_server *r,
		       long weight)
{
	char vn[64], rn[64];

	vs_name(v, vn, sizeof(vn));
	rs_name(v, r, rn, sizeof(rn));
	if (weight < 0)
		HALB_LOG(ctl, NOTICE,
			 "Weight of %s in VS %s back to the configured %d (halbctl weight reset)",
			 rn, vn, r->weight);
	else
		HALB_LOG(
		    ctl, NOTICE,
		    "Changing weight of %s in VS %s to %ld (halbctl; configured %d, kept until "
		    "a reload changes this server)",
		    rn, vn, weight, r->weight);
}

static json_t *tel_weight(void *ctx, const char *params)
{
	struct ctl *c = ctx;
	struct ctl_query q;
	char err[160];
	long i, r;
	json_t *o;

	if (ctl_query_parse(params, CTL_Q_VIP | CTL_Q_PROTO | CTL_Q_RS | CTL_Q_WEIGHT, 1, &q, err,
			    sizeof(err)) != 0)
		return ctl_error("%s", err);
	if (!q.has_weight)
		return ctl_error("%s", "which weight? weight=0..65535 or weight=reset");
	pthread_mutex_lock(&c->lock);
	i = find_vs(c, &q, err, sizeof(err));
	r = i < 0 ? -1 : find_rs(&c->k->vs[i], &q, err, sizeof(err));
	if (r < 0) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error("%s", err);
	}
	c->vs[i].rs[r].override = (int)q.weight;
	if (ctl_publish(c) != 0) {
		pthread_mutex_unlock(&c->lock);
		return ctl_error("cannot publish the services: %s", rte_strerror(rte_errno));
	}
	log_weight(&c->k->vs[i], &c->k->vs[i].rs[r], q.weight);
	o = json_pack("{s:o, s:i, s:s, s:o, s:i, s:o, s:i}", "vip",
		      ctl_addr_json(&c->k->vs[i].addr), "port", c->k->vs[i].port, "protocol",
		      c->k->vs[i].protocol == IPPROTO_UDP ? "UDP" : "TCP", "rs",
		      ctl_addr_json(&c->k->vs[i].rs[r].addr), "rport", c->k->vs[i].rs[r].port,
		      "weight_override", q.weight >= 0 ? json_integer(q.weight) : json_null(),
		      "configured_weight", c->k->vs[i].rs[r].weight);
	pthread_mutex_unlock(&c->lock);
	return o;
}

void ctl_admin_fini(struct ctl *c)
{
	free(c->zero);
	c->zero = NULL;
}

int ctl_admin_tel_init(struct ctl *c)
{
	int rc = 0;

	rc |= tel_register(c->tel, "/halb/weight", tel_weight, c,
			   "set a real server's weight until a reload changes it (ipvsadm -e -w; "
			   "0 drains); parameters: vip=A:P, proto=tcp|udp, rs=A[:P], "
			   "weight=W|reset");
	rc |= tel_register(c->tel, "/halb/zero", tel_zero, c,
			   "zero the counters of every service, or of one (ipvsadm -Z); "
			   "parameters: vip=A:P, proto=tcp|udp");
	return rc;
}
