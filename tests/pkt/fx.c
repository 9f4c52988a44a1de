/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet-fixture harness (see fx.h): runs a frame through the worker,
 * gathers everything that came out (TX rings of every port, every worker's
 * control ring, every drop counter) and compares it with the expectation.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "fx.h"

struct fx_expect fx_tx(uint8_t port, const struct pb_frame *f)
{
	struct fx_expect e = { .n_tx = 1 };

	e.tx[0].port = port;
	e.tx[0].f = *f;
	return e;
}

struct fx_expect fx_ctl(uint8_t reason, const struct pb_frame *f)
{
	struct fx_expect e = { .n_ctl = 1 };

	e.ctl[0].reason = reason;
	if (f != NULL) {
		e.ctl[0].compare = true;
		e.ctl[0].f = *f;
	}
	return e;
}

struct fx_expect fx_resolve(uint8_t port, uint32_t nexthop, const struct pb_frame *f)
{
	struct fx_expect e = fx_ctl(PKT_CTL_RESOLVE, f);

	e.ctl[0].nexthop = nexthop;
	e.ctl[0].out_port = port;
	return e;
}

struct fx_expect fx_resolve6(uint8_t port, const uint8_t *nexthop, const struct pb_frame *f)
{
	struct fx_expect e = fx_ctl(PKT_CTL_RESOLVE, f);

	e.ctl[0].nexthop_is6 = true;
	memcpy(e.ctl[0].nexthop6, nexthop, 16);
	e.ctl[0].out_port = port;
	return e;
}

struct fx_expect fx_drop(enum fwd_drop why)
{
	struct fx_expect e = { .n_drop = 1 };

	e.drop[0] = why;
	return e;
}

struct fx_expect fx_and_drop(struct fx_expect e, enum fwd_drop why)
{
	if (e.n_drop < FX_MAX_DROP)
		e.drop[e.n_drop++] = why;
	return e;
}

void fx_fail(struct fx *x, const char *fmt, ...)
{
	va_list ap;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!x->failed) {
		snprintf(x->first, sizeof(x->first), "step %u: %s", x->step, msg);
		x->failed = true;
	} else {
		fprintf(x->logf, "# also, step %u: %s\n", x->step, msg);
	}
}

static const char *ctl_name(uint8_t r)
{
	static const char *const names[] = { "NONE", "KERNEL", "ARP", "VRRP", "RESOLVE", "TX" };

	return r < RTE_DIM(names) ? names[r] : "?";
}

/* ------------------------------------------------------------ injecting */

static void drop_totals(struct fx *x, uint64_t *out)
{
	memset(out, 0, sizeof(uint64_t) * FWD_DROP_COUNT);
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
			out[d] += x->e.w[i]->st.drops[d];
}

/* What a NIC with IPv4 checksum offload does to a frame the worker asked
 * it to sum: the header at l2_len, l3_len long, its checksum field zero. */
static void nic_offload(struct fx *x, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip;

	if (!(m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM))
		return;
	x->offloaded++;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	if (!(m->ol_flags & RTE_MBUF_F_TX_IPV4) || m->l3_len != rte_ipv4_hdr_len(ip) ||
	    (ip->version_ihl >> 4) != 4 || ip->hdr_checksum != 0) {
		fx_fail(x, "checksum offload asked with l2_len %u l3_len %u, checksum %#x",
			m->l2_len, m->l3_len, ip->hdr_checksum);
		return;
	}
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static void gather(struct fx *x, const uint64_t *before)
{
	uint64_t after[FWD_DROP_COUNT];
	struct rte_mbuf *extra[16];
	unsigned int n;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		x->got.n_tx[p] = pktenv_take_tx(&x->e, p, x->got.tx[p], FX_MAX_GOT);
		for (unsigned int i = 0; i < x->got.n_tx[p]; i++)
			nic_offload(x, x->got.tx[p][i]);
		while ((n = pktenv_take_tx(&x->e, p, extra, RTE_DIM(extra))) > 0) {
			fx_fail(x, "more than %d frames out of port %u", FX_MAX_GOT, p);
			rte_pktmbuf_free_bulk(extra, n);
		}
	}
	x->got.n_ctl = 0;
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		x->got.n_ctl +=
		    pktenv_take_ctl(&x->e, i, x->got.ctl + x->got.n_ctl, FX_MAX_GOT - x->got.n_ctl);
	drop_totals(x, after);
	for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
		x->got.drops[d] = after[d] - before[d];
}

bool fx_inject(struct fx *x, const struct pb_frame *const *in, unsigned int n)
{
	struct rte_mbuf *m[FX_MAX_GOT];
	uint64_t before[FWD_DROP_COUNT];

	if (n > FX_MAX_GOT)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		uint8_t buf[PB_FRAME_MAX];
		size_t len = pb_render(in[i], buf, sizeof(buf));

		m[i] = len > 0 ? pktenv_mbuf(&x->e, buf, len) : NULL;
		if (m[i] == NULL) {
			fx_fail(x, "cannot render or allocate input frame %u", i);
			rte_pktmbuf_free_bulk(m, i);
			return false;
		}
	}
	drop_totals(x, before);
	pktenv_process(&x->e, x->wid, m, (uint16_t)n, x->in_port);
	gather(x, before);
	return true;
}

void fx_release(struct fx *x)
{
	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		rte_pktmbuf_free_bulk(x->got.tx[p], x->got.n_tx[p]);
		x->got.n_tx[p] = 0;
	}
	rte_pktmbuf_free_bulk(x->got.ctl, x->got.n_ctl);
	x->got.n_ctl = 0;
	pktenv_quiesce(&x->e);
}

/* ------------------------------------------------------------- checking */

static bool same_bytes(struct fx *x, const char *what, const struct pb_frame *f, size_t from,
		       const struct rte_mbuf *m)
{
	uint8_t exp[PB_FRAME_MAX], copy[PB_FRAME_MAX];
	size_t elen = pb_render(f, exp, sizeof(exp));
	size_t glen = rte_pktmbuf_pkt_len(m);
	const uint8_t *got;

	if (elen == 0) {
		fx_fail(x, "%s: the expected frame does not render", what);
		return false;
	}
	got = glen <= sizeof(copy) ? rte_pktmbuf_read(m, 0, (uint32_t)glen, copy) : NULL;
	if (got == NULL) {
		fx_fail(x, "%s: %zu bytes in %u segments", what, glen, m->nb_segs);
		return false;
	}
	if (elen == glen && memcmp(exp + from, got + from, elen - from) == 0)
		return true;
	fx_fail(x, "%s differs (hex diff below)", what);
	fprintf(x->logf, "# %s:\n", what);
	if (from > 0 && glen >= from && elen >= from)
		pb_hexdiff(x->logf, "#   ", exp + from, elen - from, got + from, glen - from);
	else
		pb_hexdiff(x->logf, "#   ", exp, elen, got, glen);
	return false;
}

/* Says what came out; whole frames when there were not the expected ones
 * (a frame that differs has its diff already). */
static void describe_got(struct fx *x, bool dump)
{
	for (uint8_t p = 0; p < PKTENV_PORTS; p++)
		for (unsigned int i = 0; i < x->got.n_tx[p]; i++) {
			fprintf(x->logf, "# sent on port %u (%u bytes)%s\n", p,
				rte_pktmbuf_data_len(x->got.tx[p][i]), dump ? ":" : "");
			if (dump)
				pb_hexdump(x->logf, "#   ",
					   rte_pktmbuf_mtod(x->got.tx[p][i], uint8_t *),
					   rte_pktmbuf_data_len(x->got.tx[p][i]));
		}
	for (unsigned int i = 0; i < x->got.n_ctl; i++)
		fprintf(x->logf, "# to control: %s\n", ctl_name(pkt_meta(x->got.ctl[i])->ctl));
	for (unsigned int d = 0; d < FWD_DROP_COUNT; d++)
		if (x->got.drops[d] != 0)
			fprintf(x->logf, "# dropped: %s +%" PRIu64 "\n",
				fwd_drop_name((enum fwd_drop)d), x->got.drops[d]);
}

static bool checksums_right(const struct rte_mbuf *m, char *err, size_t errlen)
{
	uint8_t copy[PB_FRAME_MAX];
	const uint8_t *f = rte_pktmbuf_pkt_len(m) <= sizeof(copy)
			       ? rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), copy)
			       : NULL;

	if (f == NULL) {
		snprintf(err, errlen, "a frame of %u bytes", rte_pktmbuf_pkt_len(m));
		return false;
	}
	return pb_verify(f, rte_pktmbuf_pkt_len(m), err, errlen) == 0;
}

static bool check_tx(struct fx *x, const struct fx_expect *exp)
{
	bool ok = true;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		unsigned int want = 0, k = 0;

		for (unsigned int i = 0; i < exp->n_tx; i++)
			want += exp->tx[i].port == p;
		if (x->got.n_tx[p] != want) {
			fx_fail(x, "%u frames sent on port %u, expected %u", x->got.n_tx[p], p,
				want);
			return false;
		}
		for (unsigned int i = 0; i < exp->n_tx; i++) {
			struct rte_mbuf *m;
			char what[64], err[160];

			if (exp->tx[i].port != p)
				continue;
			m = x->got.tx[p][k++];
			snprintf(what, sizeof(what), "frame %u sent on port %u", k, p);
			ok &= same_bytes(x, what, &exp->tx[i].f, 0, m);
			if (!checksums_right(m, err, sizeof(err))) {
				fx_fail(x, "%s: %s", what, err);
				ok = false;
			}
		}
	}
	return ok;
}

static bool check_ctl(struct fx *x, const struct fx_expect *exp)
{
	bool ok = true;

	if (x->got.n_ctl != exp->n_ctl) {
		fx_fail(x, "%u frames to the control core, expected %u", x->got.n_ctl, exp->n_ctl);
		return false;
	}
	for (unsigned int i = 0; i < exp->n_ctl; i++) {
		struct rte_mbuf *m = x->got.ctl[i];
		const struct pkt_meta *meta = pkt_meta(m);

		if (meta->ctl != exp->ctl[i].reason) {
			fx_fail(x, "to control for %s, expected %s", ctl_name(meta->ctl),
				ctl_name(exp->ctl[i].reason));
			ok = false;
			continue;
		}
		if (exp->ctl[i].reason == PKT_CTL_RESOLVE) {
			const struct neigh_ip want =
			    exp->ctl[i].nexthop_is6
				? neigh_ip6(exp->ctl[i].nexthop6)
				: neigh_ip4(rte_cpu_to_be_32(exp->ctl[i].nexthop));

			if (memcmp(meta->nexthop, want.b, 16) != 0 ||
			    meta->out_port != exp->ctl[i].out_port) {
				fx_fail(x, "RESOLVE for another next hop or port %u (expected %u)",
					meta->out_port, exp->ctl[i].out_port);
				pb_hexdiff(x->logf, "#   ", want.b, 16, meta->nexthop, 16);
				ok = false;
			}
		}
		if (exp->ctl[i].compare)
			ok &= same_bytes(x, "frame to control", &exp->ctl[i].f,
					 exp->ctl[i].reason == PKT_CTL_RESOLVE ? 6 : 0, m);
	}
	return ok;
}

static bool check_drops(struct fx *x, const struct fx_expect *exp)
{
	bool ok = true;

	for (unsigned int d = 0; d < FWD_DROP_COUNT; d++) {
		uint64_t want = 0;

		for (unsigned int i = 0; i < exp->n_drop; i++)
			want += exp->drop[i] == d;
		if (x->got.drops[d] != want) {
			fx_fail(x, "drop %s counted %" PRIu64 ", expected %" PRIu64,
				fwd_drop_name((enum fwd_drop)d), x->got.drops[d], want);
			ok = false;
		}
	}
	return ok;
}

static bool check(struct fx *x, const struct fx_expect *exp)
{
	unsigned int n_tx = 0;
	bool ok = check_drops(x, exp);

	ok = check_tx(x, exp) && ok;
	ok = check_ctl(x, exp) && ok;
	for (uint8_t p = 0; p < PKTENV_PORTS; p++)
		n_tx += x->got.n_tx[p];
	if (!ok)
		describe_got(x, n_tx != exp->n_tx || x->got.n_ctl != exp->n_ctl);
	return ok;
}

bool fx_step(struct fx *x, const struct pb_frame *in, struct fx_expect exp)
{
	const struct pb_frame *one[1] = { in };
	bool ok;

	x->step++;
	if (!fx_inject(x, one, 1))
		return false;
	ok = check(x, &exp);
	fx_release(x);
	return ok;
}

/* Processes m (consumed) and checks the verdict. */
static bool step_mbuf(struct fx *x, struct rte_mbuf *m, const struct fx_expect *exp)
{
	uint64_t before[FWD_DROP_COUNT];
	bool ok;

	if (m == NULL) {
		fx_fail(x, "cannot allocate the input frame");
		return false;
	}
	drop_totals(x, before);
	pktenv_process(&x->e, x->wid, &m, 1, x->in_port);
	gather(x, before);
	ok = check(x, exp);
	fx_release(x);
	return ok;
}

bool fx_step_raw(struct fx *x, const uint8_t *bytes, size_t len, struct fx_expect exp)
{
	x->step++;
	return step_mbuf(x, pktenv_mbuf(&x->e, bytes, len), &exp);
}

bool fx_step_split(struct fx *x, const struct pb_frame *in, size_t split, struct fx_expect exp)
{
	uint8_t buf[PB_FRAME_MAX];
	size_t len = pb_render(in, buf, sizeof(buf));

	x->step++;
	return step_mbuf(x, pktenv_mbuf_split(&x->e, buf, len, split), &exp);
}

/* ------------------------------------------------------------ the setup */

uint32_t fx_stat_ip(struct fx *x, const struct neigh_ip *vip, uint16_t vport, uint8_t proto,
		    const struct neigh_ip *rip, uint16_t rport)
{
	const struct fx_stat_id want = { .vip = *vip,
					 .rip = rip != NULL ? *rip : (struct neigh_ip){ { 0 } },
					 .has_rip = rip != NULL,
					 .vport = vport,
					 .rport = rip != NULL ? rport : 0,
					 .proto = proto };
	uint32_t slot;

	for (unsigned int i = 0; i < x->n_stat; i++) {
		const struct fx_stat_id *s = &x->stat[i];

		if (memcmp(&s->vip, &want.vip, sizeof(want.vip)) == 0 &&
		    memcmp(&s->rip, &want.rip, sizeof(want.rip)) == 0 &&
		    s->has_rip == want.has_rip && s->vport == vport && s->proto == proto &&
		    s->rport == want.rport)
			return i + 1;
	}
	if (x->n_stat == FX_MAX_STAT) {
		fx_fail(x, "too many stat slots");
		return 0;
	}
	x->stat[x->n_stat++] = want;
	slot = x->n_stat;
	if (rip == NULL)
		return slot;
	if (neigh_ip_is4(rip))
		pktenv_dest(&x->e, slot, rte_be_to_cpu_32(neigh_ip_v4(rip)), rport,
			    fx_stat_ip(x, vip, vport, proto, NULL, 0));
	else
		pktenv_dest6(&x->e, slot, rip->b, rport, fx_stat_ip(x, vip, vport, proto, NULL, 0));
	return slot;
}

uint32_t fx_stat(struct fx *x, uint32_t vip, uint16_t vport, uint8_t proto, uint32_t rip,
		 uint16_t rport)
{
	const struct neigh_ip v = neigh_ip4(rte_cpu_to_be_32(vip));
	const struct neigh_ip r = neigh_ip4(rte_cpu_to_be_32(rip));

	return fx_stat_ip(x, &v, vport, proto, rip != 0 ? &r : NULL, rport);
}

struct svc_counters fx_counters(struct fx *x, uint32_t vip, uint16_t vport, uint8_t proto,
				uint32_t rip, uint16_t rport)
{
	struct svc_counters c;

	fwd_counters_sum(&x->e.env, fx_stat(x, vip, vport, proto, rip, rport), &c);
	return c;
}

static void add_addr(struct svc_spec_addr *a, unsigned int *n, uint32_t addr, uint8_t flags,
		     uint8_t port)
{
	for (unsigned int i = 0; i < *n; i++)
		if (a[i].af != 6 && a[i].addr == addr) {
			a[i].flags |= flags;
			return;
		}
	a[(*n)++] = (struct svc_spec_addr){ .addr = addr, .flags = flags, .port = port };
}

static void add_addr6(struct svc_spec_addr *a, unsigned int *n, const uint8_t *addr, uint8_t flags,
		      uint8_t port)
{
	for (unsigned int i = 0; i < *n; i++)
		if (a[i].af == 6 && memcmp(a[i].addr6, addr, 16) == 0) {
			a[i].flags |= flags;
			return;
		}
	a[*n] = (struct svc_spec_addr){ .flags = flags, .port = port, .af = 6 };
	memcpy(a[(*n)++].addr6, addr, 16);
}

/* The director's own addresses, its gateways and its VRRP peer. */
static void director_addrs(struct fx *x, struct svc_spec_addr *addrs, unsigned int *n)
{
	add_addr(addrs, n, PKTENV_DIP0, SVC_AF_LOCAL, 0);
	add_addr(addrs, n, PKTENV_DIP0B, SVC_AF_LOCAL, 0);
	add_addr(addrs, n, PKTENV_DIP1, SVC_AF_LOCAL, 1);
	add_addr(addrs, n, PKTENV_GW, SVC_AF_TRUSTED, SVC_PORT_ANY);
	add_addr(addrs, n, PB_IP4(172, 17, 1, 5), SVC_AF_TRUSTED, SVC_PORT_ANY); /* a peer */
	add_addr6(addrs, n, PKTENV_DIP0_6, SVC_AF_LOCAL, 0);
	add_addr6(addrs, n, PKTENV_DIP1_6, SVC_AF_LOCAL, 1);
	for (uint8_t p = 0; p < PKTENV_PORTS; p++)
		add_addr6(addrs, n, x->e.env.ports[p].ll6, SVC_AF_LOCAL, p);
	add_addr6(addrs, n, PKTENV_GW6, SVC_AF_TRUSTED, SVC_PORT_ANY);
}

/* A real server of a fixture's service as the snapshot builder takes it. */
static int rs_spec(struct fx *x, const struct fx_svc *v, const struct neigh_ip *vip, uint8_t proto,
		   const struct fx_rs *r, struct svc_spec_rs *o)
{
	struct neigh_ip rip, nh;
	uint8_t port = 0;
	uint32_t nh4 = 0;

	*o = (struct svc_spec_rs){ .port = r->port,
				   .weight = r->weight,
				   .available = !r->down,
				   .af = r->af == 6 ? 6 : 4 };
	if (r->af == 6) {
		if (pktenv_route6(&x->e, r->addr6, nh.b, &port) != 0)
			return -1;
		rip = neigh_ip6(r->addr6);
		memcpy(o->addr6, r->addr6, 16);
		memcpy(o->nexthop6, nh.b, 16);
	} else {
		if (pktenv_route(&x->e, r->addr, &nh4, &port) != 0)
			return -1;
		rip = neigh_ip4(rte_cpu_to_be_32(r->addr));
		nh = neigh_ip4(rte_cpu_to_be_32(nh4));
		o->addr = r->addr;
		o->nexthop = nh4;
	}
	o->out_port = port;
	o->neigh = neigh_find(x->e.env.neigh, &nh);
	o->stat = fx_stat_ip(x, vip, v->vport, proto, &rip, r->port);
	return 0;
}

int fx_services(struct fx *x, const struct fx_svc *svcs, unsigned int n)
{
	struct svc_spec specs[8];
	struct svc_spec_rs rs[8][4];
	struct svc_spec_addr addrs[48];
	unsigned int n_addrs = 0;

	if (n > RTE_DIM(specs))
		return -1;
	director_addrs(x, addrs, &n_addrs);
	for (unsigned int i = 0; i < n; i++) {
		const struct fx_svc *v = &svcs[i];
		uint8_t proto = v->proto ? v->proto : IPPROTO_TCP;
		const struct neigh_ip vip =
		    v->af == 6 ? neigh_ip6(v->vip6) : neigh_ip4(rte_cpu_to_be_32(v->vip));

		for (unsigned int r = 0; r < v->n_rs && r < 4; r++)
			if (rs_spec(x, v, &vip, proto, &v->rs[r], &rs[i][r]) != 0)
				return -1;
		specs[i] = (struct svc_spec){
			.vip = v->vip,
			.af = v->af == 6 ? 6 : 4,
			.persist_plen6 = v->persist_plen6,
			.vport = v->vport,
			.proto = proto,
			.fwd = v->fwd,
			.sched = v->sched,
			.persist_s = v->persist_s,
			.persist_mask = v->persist_mask ? v->persist_mask : 0xffffffffu,
			.stat = fx_stat_ip(x, &vip, v->vport, proto, NULL, 0),
			.owned = !v->not_owned,
			.rs = rs[i],
			.n_rs = v->n_rs,
		};
		memcpy(specs[i].vip6, v->vip6, 16);
		if (v->af == 6)
			add_addr6(addrs, &n_addrs, v->vip6,
				  SVC_AF_VIP | SVC_AF_SERVICE | (v->not_owned ? 0 : SVC_AF_OWNED),
				  0);
		else
			add_addr(addrs, &n_addrs, v->vip,
				 SVC_AF_VIP | SVC_AF_SERVICE | (v->not_owned ? 0 : SVC_AF_OWNED),
				 0);
		for (unsigned int r = 0; r < v->n_rs && r < 4; r++) {
			uint8_t f = SVC_AF_RS | (v->fwd == CFG_FWD_NAT ? SVC_AF_NAT_RS : 0);

			if (v->rs[r].af == 6)
				add_addr6(addrs, &n_addrs, v->rs[r].addr6, f, SVC_PORT_ANY);
			else
				add_addr(addrs, &n_addrs, v->rs[r].addr, f, SVC_PORT_ANY);
		}
	}
	return pktenv_publish(&x->e, specs, n, addrs, n_addrs);
}

void fx_neigh(struct fx *x, uint32_t ip, struct pb_mac mac)
{
	if (pktenv_neigh_learn(&x->e, ip, mac) < 0)
		fx_fail(x, "cannot learn neighbour %08x", ip);
}

void fx_neigh6(struct fx *x, const uint8_t *ip, struct pb_mac mac)
{
	if (pktenv_neigh_learn6(&x->e, ip, mac) < 0)
		fx_fail(x, "cannot learn an IPv6 neighbour");
}

void fx_advance(struct fx *x, uint64_t ms, uint64_t tick_ms)
{
	const uint64_t end = x->e.now_ms + ms;

	while (tick_ms != 0 && x->e.now_ms + tick_ms < end) {
		pktenv_clock(&x->e, x->e.now_ms + tick_ms);
		pktenv_expire(&x->e);
	}
	pktenv_clock(&x->e, end);
	pktenv_expire(&x->e);
}

static struct conn *conn_any(struct fx *x, const struct conn_key *k)
{
	uint8_t dir;

	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		struct conn *c = conn_lookup(x->e.w[i]->conns, k, &dir);

		if (c != NULL)
			return c;
	}
	return NULL;
}

struct conn *fx_conn(struct fx *x, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		     uint8_t proto)
{
	struct conn_key k = { .af = 4,
			      .proto = proto,
			      .sport = rte_cpu_to_be_16(sport),
			      .dport = rte_cpu_to_be_16(dport),
			      .v4 = { .src = rte_cpu_to_be_32(src),
				      .dst = rte_cpu_to_be_32(dst) } };

	return conn_any(x, &k);
}

struct conn *fx_conn6(struct fx *x, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		      uint16_t dport, uint8_t proto)
{
	struct conn_key k = { .af = 6,
			      .proto = proto,
			      .sport = rte_cpu_to_be_16(sport),
			      .dport = rte_cpu_to_be_16(dport) };

	memcpy(k.v6.src, src, 16);
	memcpy(k.v6.dst, dst, 16);
	return conn_any(x, &k);
}

struct conn_tmpl *fx_template(struct fx *x, uint32_t client, uint32_t vip, uint16_t vport,
			      uint8_t proto)
{
	struct conn_tkey k = { .af = 4, .proto = proto, .vport = rte_cpu_to_be_16(vport) };
	rte_be32_t c = rte_cpu_to_be_32(client), v = rte_cpu_to_be_32(vip);
	uint32_t idx;

	memcpy(k.caddr, &c, sizeof(c));
	memcpy(k.vaddr, &v, sizeof(v));
	return conn_tmpl_find(x->e.env.tmpls, &k, &idx);
}

struct pb_mac fx_dst_mac(const struct rte_mbuf *m)
{
	struct pb_mac mac;

	memcpy(mac.b, rte_pktmbuf_mtod(m, const uint8_t *), sizeof(mac.b));
	return mac;
}
