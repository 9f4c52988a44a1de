/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: persistence, changing services, the table, scheduling, expiry (the scene is in
 * scene.h).
 */
#include <rte_ring_elem.h>

#include "scene.h"

/* --------------------------------------------------------- persistence */

/* Two connections of one client reach the same real server through the
 * template; once connections and template have expired (the wheel turning
 * every 100 ms as in the worker loop) the client is scheduled anew. */
static void persistence(struct fx *x)
{
	struct fx_svc s = DR;
	struct svc_counters ctr;
	struct conn_tmpl *t;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	dr_syn(x, CLIENT, 1001, MAC_RS1); /* rr alone would pick RS2 */
	t = fx_template(x, CLIENT, VIP, 80, TCP);
	FX_CHECK(x, tmpl_to(x, t, RS1), "no template to RS1");
	FX_CHECK(x,
		 fx_conn(x, CLIENT, 1000, VIP, 80, TCP) != NULL &&
		     fx_conn(x, CLIENT, 1001, VIP, 80, TCP) != NULL,
		 "a connection is missing");

	/* Connections (SYN_RECV, 60 s) keep the template past its 30 s. */
	fx_advance(x, 45000, 100);
	FX_CHECK(x, fx_template(x, CLIENT, VIP, 80, TCP) != NULL,
		 "the template died under its connections");
	dr_syn(x, CLIENT, 1002, MAC_RS1);

	/* Everything gone 30 s after the last connection (+1 s of wheel). */
	fx_advance(x, 60000 + 30000 + 1000, 100);
	FX_CHECK(x, fx_conn(x, CLIENT, 1002, VIP, 80, TCP) == NULL, "connection still there");
	FX_CHECK(x, fx_template(x, CLIENT, VIP, 80, TCP) == NULL, "template still there");
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, ctr.active == 0 && ctr.inactive == 0,
		 "RS1 active %" PRId64 " inactive %" PRId64 " after expiry", ctr.active,
		 ctr.inactive);
	dr_syn(x, CLIENT, 1003, MAC_RS2);
	FX_CHECK(x, tmpl_to(x, fx_template(x, CLIENT, VIP, 80, TCP), RS2), "no new template");
}

/* A template whose real server went down is dropped for new connections
 * (the client is scheduled anew) but its memory must stay until its own
 * connections, which continue, are gone: another client's template must
 * keep living while that client's connection does. */
static void persistence_server_down(struct fx *x)
{
	struct fx_svc s = DR;
	struct conn_tmpl *t;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	fx_advance(x, 1000, 100);
	s.rs[0].down = true;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	dr_syn(x, CLIENT, 1000, MAC_RS1); /* its connection goes on */
	dr_syn(x, CLIENT, 1001, MAC_RS2); /* a new one is scheduled anew */
	FX_CHECK(x, tmpl_to(x, fx_template(x, CLIENT, VIP, 80, TCP), RS2), "template not replaced");

	/* The old template's slot comes round; then another client. */
	fx_advance(x, 34000, 100);
	dr_syn(x, CLIENT2, 2000, MAC_RS2);
	/* The first connections expire... */
	fx_advance(x, 30000, 100);
	FX_CHECK(x, fx_conn(x, CLIENT, 1000, VIP, 80, TCP) == NULL, "old connection still there");
	/* ...and CLIENT2's template must live on with its connection. */
	fx_advance(x, 10000, 100);
	t = fx_template(x, CLIENT2, VIP, 80, TCP);
	FX_CHECK(x, fx_conn(x, CLIENT2, 2000, VIP, 80, TCP) != NULL, "CLIENT2's connection died");
	FX_CHECK(x, tmpl_to(x, t, RS2), "CLIENT2's template died under its connection");
	if (t != NULL)
		FX_CHECK(x, t->n_controlled == 1, "CLIENT2's template controls %u connections",
			 t->n_controlled);
}

/* As IPVS: a persistent client keeps reaching a quiesced (weight 0) server
 * while its template lives; other clients are not sent there. */
static void persistence_quiesced(struct fx *x)
{
	struct fx_svc s = DR;

	s.persist_s = 30;
	setup(x, &s, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	s.rs[0].weight = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	dr_syn(x, CLIENT, 1001, MAC_RS1);
	dr_syn(x, CLIENT2, 2000, MAC_RS2);
	dr_syn(x, CLIENT2, 2001, MAC_RS2);
}

/* ------------------------------------------------- services that change */

/* Weight 0 quiesces: no new connection, the existing one continues. */
static void weight_zero(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in, out;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.rs[0].weight = 0;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
	for (uint16_t p = 0; p < 6; p++)
		dr_syn(x, CLIENT, (uint16_t)(41000 + p), MAC_RS2);
	fx_step(x, &in, fx_tx(0, &out));
}

/* A real server removed from the service: its connection's next packet is
 * dropped as real_server_gone and the connection is gone, so the client's
 * retry is scheduled anew. */
static void real_server_removed(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack);
	struct svc_counters ctr;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.rs[0] = s.rs[1];
	s.n_rs = 1;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_drop(FWD_DROP_REAL_SERVER_GONE));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "connection still there");
	ctr = fx_counters(x, VIP, 80, TCP, RS1, 80);
	FX_CHECK(x, ctr.active == 0 && ctr.inactive == 0,
		 "RS1 active %" PRId64 " inactive %" PRId64, ctr.active, ctr.inactive);
	dr_syn(x, CLIENT, 40000, MAC_RS2);
}

/* A VIP this director does not own (BACKUP): new connections and other
 * traffic to it are dropped. */
static void vip_not_owned(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip syn = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_SYN);
	struct pb_ip ping = pb_tcp(CLIENT, 40000, VIP, 443, PB_TH_SYN);
	struct pb_frame in;

	s.not_owned = true;
	setup(x, &s, 1);
	in = from_gw(&syn);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	in = from_gw(&ping);
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
}

/* An established connection when the VIP stops being owned: dropped while
 * BACKUP, forwarded again once MASTER. */
static void vip_lost_with_connection(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack), out = to_fwd(MAC_RS1, 0, &ack);

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.not_owned = true;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_drop(FWD_DROP_VIP_NOT_OWNED));
	s.not_owned = false;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	fx_step(x, &in, fx_tx(0, &out));
}

/* A TCP segment other than a SYN, with no connection: dropped. */
static void no_connection(struct fx *x)
{
	static const uint8_t flags[] = { PB_TH_ACK, PB_TH_FIN | PB_TH_ACK, PB_TH_RST,
					 PB_TH_SYN | PB_TH_ACK, 0 };

	setup(x, &DR, 1);
	for (unsigned int i = 0; i < RTE_DIM(flags); i++) {
		struct pb_ip seg = pb_tcp(CLIENT, 40000, VIP, 80, flags[i]);
		struct pb_frame in = from_gw(&seg);

		fx_step(x, &in, fx_drop(FWD_DROP_NO_CONNECTION));
	}
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL, "a connection was made");
}

/* Opens an established DR or NAT connection client:sport -> VIP:80 (its
 * SYN and first ACK) on the worker that owns it. @return whether both were
 * forwarded. */
static bool open_conn(struct fx *x, uint32_t client, uint16_t sport)
{
	struct pb_ip syn = pb_tcp(client, sport, VIP, 80, PB_TH_SYN);
	struct pb_ip ack = pb_tcp(client, sport, VIP, 80, PB_TH_ACK);
	struct pb_frame fr[2] = { from_gw(&syn), from_gw(&ack) };
	const struct pb_frame *in[2] = { &fr[0], &fr[1] };
	bool ok;

	if (!fx_inject(x, in, 2))
		return false;
	ok = x->got.n_tx[0] == 2;
	fx_release(x);
	return ok;
}

/* A table full of established connections: the next SYN is refused
 * (conn_table_full, counted as refuse_table_full), established connections
 * still forward. (A table full of embryonic ones evicts instead: see the
 * hostile fixtures.) */
static void conn_table_full(struct fx *x)
{
	const uint32_t cap = conn_table_stats(x->e.w[0]->conns)->capacity;
	struct pb_ip ack = pb_tcp(CLIENT, 1000, VIP, 80, PB_TH_ACK);
	struct pb_ip syn = pb_tcp(CLIENT2, 9999, VIP, 80, PB_TH_SYN);
	struct pb_frame in, out;
	struct fx_svc s = DR;
	uint32_t opened = 0;

	s.n_rs = 1;
	setup(x, &s, 1);
	for (uint16_t p = 0; p < cap; p++)
		opened += open_conn(x, CLIENT, (uint16_t)(1000 + p));
	FX_CHECK(x, opened == cap, "%u of %u connections opened", opened, cap);
	in = from_gw(&syn);
	fx_step(x, &in, fx_drop(FWD_DROP_CONN_TABLE_FULL));
	FX_CHECK(x, conn_table_stats(x->e.w[0]->conns)->reasons[CONN_REFUSE_TABLE_FULL] == 1,
		 "the refusal is not counted");
	in = from_gw(&ack);
	out = to_fwd(MAC_RS1, 0, &ack);
	fx_step(x, &in, fx_tx(0, &out));
}

/* A worker's table of C entries holds C NAT connections (each indexed
 * under two keys, its reply's too), then refuses the next. The clients are
 * chosen among those worker 0 owns (NAT connections belong to a hash of
 * their client). */
static void conn_table_nat_capacity(struct fx *x)
{
	const uint32_t cap = conn_table_stats(x->e.w[0]->conns)->capacity;
	struct pb_ip syn = pb_tcp(0, 40000, VIP, 80, PB_TH_SYN);
	struct pb_frame in;
	uint32_t opened = 0, id = 0, client = 0;

	setup(x, &NAT, 1);
	for (uint32_t n = 0; n <= cap; n++) {
		rte_be32_t a;

		do {
			client = PB_IP4(100, 64, 0, 0) + id++;
			a = rte_cpu_to_be_32(client);
		} while (fwd_owner(&x->e.env, 4, &a, rte_cpu_to_be_16(40000)) != 0);
		if (n < cap) {
			opened += open_conn(x, client, 40000);
			continue;
		}
		syn.src = client;
		in = from_gw(&syn);
		fx_step(x, &in, fx_drop(FWD_DROP_CONN_TABLE_FULL));
	}
	FX_CHECK(x, opened == cap, "%u of %u NAT connections opened", opened, cap);
	FX_CHECK(x, fx_conn(x, RS1, 8080, client, 40000, TCP) == NULL,
		 "a reply key answers a connection that was refused");
}

/* ---------------------------------------------------------- scheduling */

/* Sends n SYNs from distinct clients in bursts of 32; counts the frames
 * that reached each of RS1 and RS2. */
static void spread(struct fx *x, unsigned int n, unsigned int *to1, unsigned int *to2)
{
	struct pb_ip syn[32];
	struct pb_frame fr[32];
	const struct pb_frame *in[32];
	char err[160];

	*to1 = *to2 = 0;
	for (unsigned int i = 0; i < n; i += 32) {
		unsigned int k, b = RTE_MIN(32u, n - i);

		for (k = 0; k < b; k++) {
			syn[k] = pb_tcp(CLIENT, (uint16_t)(10000 + i + k), VIP, 80, PB_TH_SYN);
			fr[k] = from_gw(&syn[k]);
			in[k] = &fr[k];
		}
		if (!fx_inject(x, in, b))
			return;
		FX_CHECK(x, x->got.n_tx[0] == b && x->got.n_ctl == 0, "burst at %u: %u of %u sent",
			 i, x->got.n_tx[0], b);
		for (k = 0; k < x->got.n_tx[0]; k++) {
			struct rte_mbuf *m = x->got.tx[0][k];
			struct pb_mac d = fx_dst_mac(m);

			*to1 += memcmp(&d, &MAC_RS1, sizeof(d)) == 0;
			*to2 += memcmp(&d, &MAC_RS2, sizeof(d)) == 0;
			if (pb_verify(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_data_len(m), err,
				      sizeof(err)) != 0)
				fx_fail(x, "burst at %u: %s", i, err);
		}
		fx_release(x);
	}
}

static void rr_1_1(struct fx *x)
{
	unsigned int a, b;

	setup(x, &DR, 1);
	spread(x, 3000, &a, &b);
	FX_CHECK(x, a == 1500 && b == 1500, "rr: %u to RS1, %u to RS2", a, b);
}

static void wrr_1_2(struct fx *x)
{
	struct fx_svc s = DR;
	unsigned int a, b;

	s.sched = CFG_SCHED_WRR;
	s.rs[1].weight = 2;
	setup(x, &s, 1);
	spread(x, 3000, &a, &b);
	FX_CHECK(x, a == 1000 && b == 2000, "wrr 1:2: %u to RS1, %u to RS2", a, b);
}

/* A SYN from CLIENT:sport to VIP:vport reaches the real server behind mac. */
static void syn_to(struct fx *x, uint16_t sport, uint16_t vport, struct pb_mac mac)
{
	struct pb_ip syn = pb_tcp(CLIENT, sport, VIP, vport, PB_TH_SYN);
	struct pb_frame in = from_gw(&syn), out = to_fwd(mac, 0, &syn);

	fx_step(x, &in, fx_tx(0, &out));
}

/* Publishing again (a reload, another service's health) keeps the state of
 * the schedulers whose service did not change: rr goes on where it was. A
 * service that changed starts over. */
static void sched_state_kept(struct fx *x)
{
	struct fx_svc s[2] = { DR, DR };

	s[1].vport = 81;
	setup(x, s, 2);
	syn_to(x, 40000, 80, MAC_RS1);
	syn_to(x, 40001, 81, MAC_RS1);
	s[1].rs[1].weight = 2; /* rr does not weigh, but the service changed */
	if (fx_services(x, s, 2) != 0)
		fx_fail(x, "cannot publish");
	syn_to(x, 40002, 80, MAC_RS2);
	syn_to(x, 40003, 81, MAC_RS1);
	syn_to(x, 40004, 81, MAC_RS2);
}

/* Two segments of one connection in one burst, its real server removed:
 * the first ends the connection, the second finds it gone (it must not
 * end it again: the entry would be freed twice). */
static void burst_kill_then_hit(struct fx *x)
{
	struct fx_svc s = DR;
	struct pb_ip a1 = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK), a2 = a1;
	struct pb_frame f1, f2;
	const struct pb_frame *in[2] = { &f1, &f2 };
	const struct conn_table_stats *st = conn_table_stats(x->e.w[0]->conns);
	struct conn *c1, *c2;

	setup(x, &s, 1);
	dr_syn(x, CLIENT, 40000, MAC_RS1);
	s.rs[0] = s.rs[1];
	s.n_rs = 1;
	if (fx_services(x, &s, 1) != 0)
		fx_fail(x, "cannot publish");
	a2.payload_len = 10;
	f1 = from_gw(&a1);
	f2 = from_gw(&a2);
	x->step++;
	if (!fx_inject(x, in, 2))
		return;
	FX_CHECK(x,
		 x->got.drops[FWD_DROP_REAL_SERVER_GONE] == 1 &&
		     x->got.drops[FWD_DROP_NO_CONNECTION] == 1,
		 "real_server_gone %" PRIu64 ", no_connection %" PRIu64,
		 x->got.drops[FWD_DROP_REAL_SERVER_GONE], x->got.drops[FWD_DROP_NO_CONNECTION]);
	fx_release(x);
	FX_CHECK(x, st->live == 0 && st->embryonic == 0, "live %u embryonic %u", st->live,
		 st->embryonic);
	FX_CHECK(x, fx_counters(x, VIP, 80, TCP, RS1, 80).inactive == 0, "RS1's inactive drifted");
	dr_syn(x, CLIENT2, 1, MAC_RS2);
	dr_syn(x, CLIENT2, 2, MAC_RS2);
	c1 = fx_conn(x, CLIENT2, 1, VIP, 80, TCP);
	c2 = fx_conn(x, CLIENT2, 2, VIP, 80, TCP);
	FX_CHECK(x, c1 != NULL && c2 != NULL && c1 != c2, "two new connections share an entry");
}

/* A burst's SYN evicts (budget 1) the embryonic connection a later packet
 * of the same burst found, and its entry is reused: that packet must not
 * follow the new connection. */
static void burst_evict_then_hit(struct fx *x)
{
	struct pb_ip syn2 = pb_tcp(CLIENT2, 2000, VIP, 80, PB_TH_SYN);
	struct pb_ip ack1 = pb_tcp(CLIENT, 1000, VIP, 80, PB_TH_ACK);
	struct pb_frame f1 = from_gw(&syn2), f2 = from_gw(&ack1);
	const struct pb_frame *in[2] = { &f1, &f2 };
	struct conn *c;

	setup(x, &DR, 1);
	dr_syn(x, CLIENT, 1000, MAC_RS1);
	x->step++;
	if (!fx_inject(x, in, 2))
		return;
	FX_CHECK(x, x->got.n_tx[0] == 1 && x->got.drops[FWD_DROP_NO_CONNECTION] == 1,
		 "%u frames sent, %" PRIu64 " no_connection: CLIENT's ACK followed another's "
		 "connection",
		 x->got.n_tx[0], x->got.drops[FWD_DROP_NO_CONNECTION]);
	fx_release(x);
	c = fx_conn(x, CLIENT2, 2000, VIP, 80, TCP);
	FX_CHECK(x, c != NULL && c->state == CONN_S_SYN_RECV,
		 "CLIENT2's connection moved by CLIENT's ACK");
}

/* ---------------------------------------------------------- synced */

/* A synced connection's record, as the control core hands it to a worker. */
static struct fwd_sync synced(struct fx *x, uint32_t rs, uint8_t state)
{
	struct fwd_sync r = { .rs_stat = (uint16_t)fx_stat(x, VIP, 80, TCP, rs, 80),
			      .state = state,
			      .flags = (uint8_t)(CONN_F_ASSURED | CFG_FWD_DR << CONN_F_FWD_SHIFT),
			      .timeout_s = 100 };

	r.key = (struct conn_key){ .af = 4,
				   .proto = TCP,
				   .sport = rte_cpu_to_be_16(40000),
				   .dport = rte_cpu_to_be_16(80),
				   .v4 = { rte_cpu_to_be_32(CLIENT), rte_cpu_to_be_32(VIP) } };
	return r;
}

/* Received connections: installed; a later message naming another real
 * server replaces the copy when the connection is active (the client's
 * port was reused and scheduled elsewhere, as IPVS's receiver sees it),
 * and leaves it when inactive; the flow then follows the copy. */
static void sync_replaces_copy(struct fx *x)
{
	struct fwd_worker *w = x->e.w[0];
	struct pb_ip ack = pb_tcp(CLIENT, 40000, VIP, 80, PB_TH_ACK);
	struct pb_frame in = from_gw(&ack), out = to_fwd(MAC_RS2, 0, &ack);
	struct fwd_sync r[3];
	struct conn *c;

	setup(x, &DR, 1);
	w->sync_in = rte_ring_create_elem("fx_sync_in", sizeof(struct fwd_sync), 16, SOCKET_ID_ANY,
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->sync_in == NULL) {
		fx_fail(x, "no ring");
		return;
	}
	r[0] = synced(x, RS1, CONN_S_ESTABLISHED);
	r[1] = synced(x, RS2, CONN_S_ESTABLISHED);
	r[2] = synced(x, RS1, CONN_S_CLOSE);
	for (int i = 0; i < 3; i++) {
		rte_ring_sp_enqueue_elem(w->sync_in, &r[i], sizeof(r[i]));
		fwd_sync_install(w, 8);
		c = fx_conn(x, CLIENT, 40000, VIP, 80, TCP);
		FX_CHECK(x, c != NULL && (c->flags & CONN_F_SYNCED), "record %d: no synced copy",
			 i);
		if (c == NULL)
			break;
		FX_CHECK(x, c->rs_stat == (i == 0 ? r[0].rs_stat : r[1].rs_stat),
			 "record %d: bound to stat %u", i, c->rs_stat);
	}
	FX_CHECK(x, w->sst.installed == 2 && w->sst.replaced == 1,
		 "installed %" PRIu64 ", replaced %" PRIu64, w->sst.installed, w->sst.replaced);
	FX_CHECK(x, fx_counters(x, VIP, 80, TCP, RS1, 80).active == 0, "RS1 still counts it");
	fx_step(x, &in, fx_tx(0, &out));
	rte_ring_free(w->sync_in);
	w->sync_in = NULL;
}

/* ------------------------------------------------------------- expiry */

/* A connection expires within a second of its timeout while the wheel
 * turns every 10 ms, as the worker loop turns it. */
static void conn_expires_on_time(struct fx *x)
{
	setup(x, &DR, 1);
	pktenv_clock(&x->e, x->e.now_ms + 250); /* not on a second boundary */
	dr_syn(x, CLIENT, 40000, MAC_RS1);      /* SYN_RECV: 60 s */
	fx_advance(x, 59000, 10);
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) != NULL, "expired early");
	fx_advance(x, 2000, 10);
	FX_CHECK(x, fx_conn(x, CLIENT, 40000, VIP, 80, TCP) == NULL,
		 "still there 61 s after a SYN_RECV connection was made");
}

/* Connections made in the same second share a wheel slot; one turn of the
 * wheel visits at most its budget of them (1024 in the worker loop) and the
 * next turn goes on where it stopped, until every one has expired. */
static void conn_expiry_over_many_turns(struct fx *x)
{
	const uint32_t n = 3000, budget = 1024;
	struct fwd_worker *w = x->e.w[0];
	unsigned int a, b, turns = 0;
	uint32_t seen, first;
	struct svc_counters c;

	setup(x, &DR, 1);
	pktenv_expire(&x->e); /* the wheels start turning, as the worker loop's do */
	spread(x, n, &a, &b); /* n SYN_RECV connections, all in one second */
	FX_CHECK(x, conn_table_stats(w->conns)->live == n, "%u connections made of %u",
		 conn_table_stats(w->conns)->live, n);
	pktenv_clock(&x->e, x->e.now_ms + 61000);
	first = fwd_worker_expire(w, budget);
	do {
		seen = fwd_worker_expire(w, budget);
	} while (seen > 0 && ++turns < 100);
	c = fx_counters(x, VIP, 80, TCP, 0, 0);
	FX_CHECK(x, first == budget, "the first turn visited %u, not its budget %u", first, budget);
	FX_CHECK(x, conn_table_stats(w->conns)->live == 0 && c.inactive == 0 && c.active == 0,
		 "after %u turns: %u connections live, %" PRId64 " inactive, %" PRId64 " active",
		 turns, conn_table_stats(w->conns)->live, c.inactive, c.active);
	FX_CHECK(x,
		 fx_conn(x, CLIENT, 10000, VIP, 80, TCP) == NULL &&
		     fx_conn(x, CLIENT, (uint16_t)(10000 + n - 1), VIP, 80, TCP) == NULL,
		 "an expired connection is still found");
}

const struct fixture pkt_conn_fixtures[] = {
	{ "persistence", 0, persistence },
	{ "persistence_server_down", 0, persistence_server_down },
	{ "persistence_quiesced", 0, persistence_quiesced },
	{ "weight_zero", 0, weight_zero },
	{ "real_server_removed", 0, real_server_removed },
	{ "vip_not_owned", 0, vip_not_owned },
	{ "vip_lost_with_connection", 0, vip_lost_with_connection },
	{ "no_connection", 0, no_connection },
	{ "conn_table_full", 128, conn_table_full },
	{ "conn_table_nat_capacity", 4096, conn_table_nat_capacity },
	{ "rr_1_1", 8192, rr_1_1 },
	{ "wrr_1_2", 8192, wrr_1_2 },
	{ "sched_state_kept", 0, sched_state_kept },
	{ "burst_kill_then_hit", 0, burst_kill_then_hit },
	{ "burst_evict_then_hit", 0, burst_evict_then_hit, NULL, 1 },
	{ "sync_replaces_copy", 0, sync_replaces_copy },
	{ "conn_expires_on_time", 0, conn_expires_on_time },
	{ "conn_expiry_over_many_turns", 8192, conn_expiry_over_many_turns },
};
const size_t pkt_conn_n = RTE_DIM(pkt_conn_fixtures);
