/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Start-up, the event loop and the stop of the control core.
 *
 * Start-up order matters: ports first (their MACs and TAPs), then the
 * tables the workers share, then the workers' state and rings, then the
 * service snapshot; workers are launched only in ctl_run, when everything
 * they read exists. The stop is the reverse, with one courtesy first: what
 * the control core still has to say (VRRP's priority 0) is flushed and the
 * workers get a moment to send it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ctl_priv.h"

RTE_LOG_REGISTER(halb_logtype_ctl, halb.ctl, INFO);

#define POLL_INTERVAL  0.001 /* rings and TAPs, seconds */
#define HOUSE_INTERVAL 1.0   /* neighbours, reclaim */
#define RATE_INTERVAL  2.0   /* IPVS's estimator period */
#define STOP_GRACE     0.2   /* time the workers get to send the last frames */
#define TMPL_BUDGET    256   /* persistence templates expired per poll, at most */

/* Enough mbufs for the RX/TX rings of n_ports ports, the worker rings, the
 * TAPs and the packets held for ARP, with room for the per-lcore caches. */
static unsigned int mbufs_needed(const struct cfg_dataplane *d, unsigned int n_ports)
{
	unsigned int per_port = d->workers * (1024 + 1024) + 2 * 1024 + 1024;
	unsigned int rings = d->workers * (2 * CTL_RING_SIZE + CTL_PRIO_RING_SIZE + 4096);

	return n_ports * per_port + rings + NEIGH_HOLD_MAX * 256 + 256 * (d->workers + 1) + 4096;
}

/* The packet buffers of the ports on one NUMA node, made there on first use:
 * a NIC reads and writes its buffers in its own node's memory. */
static struct rte_mempool *pool_for(struct ctl *c, int socket, char *err, size_t errlen)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n_ports = 0, n;

	if (c->pools[socket] != NULL)
		return c->pools[socket];
	for (size_t p = 0; p < c->d->n_ports; p++)
		n_ports += port_device_socket(c->d->ports[p].device) == socket;
	n = mbufs_needed(c->d, n_ports ? n_ports : 1);
	snprintf(name, sizeof(name), "halb_mbuf%d", socket);
	c->pools[socket] =
	    rte_pktmbuf_pool_create(name, n, 256, PKT_PRIV_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (c->pools[socket] == NULL)
		log_error(err, errlen,
			  "cannot allocate %u packet buffers on NUMA node %d: %s (more memory: -m)",
			  n, socket, rte_strerror(rte_errno));
	return c->pools[socket];
}

void ctl_limits(struct fwd_limits *out, const struct cfg_limits *in)
{
	const unsigned int rates[FWD_POL_COUNT] = {
		[FWD_POL_KERNEL] = in->kernel, [FWD_POL_TRUSTED] = in->trusted,
		[FWD_POL_ARP] = in->arp,       [FWD_POL_RESOLVE] = in->resolve,
		[FWD_POL_LEARN] = in->learn,   [FWD_POL_ICMP] = in->icmp,
		[FWD_POL_SYNC] = in->sync,
	};

	*out = fwd_limits_default;
	for (int p = 0; p < FWD_POL_COUNT; p++) {
		if (rates[p] == 0)
			continue;
		out->rate[p] = rates[p];
		/* a fifth of a second's worth, as the defaults */
		out->burst[p] = rates[p] / 5 > 1 ? rates[p] / 5 : 1;
	}
}

/* The addresses the workers speak from on a port: its first IPv4 one, its
 * first global IPv6 one (else its link-local), and its link-local, the
 * EUI-64 of its MAC as the TAP's kernel makes it. */
void ctl_port_addrs(struct fwd_port *fp, const struct cfg_port *cp)
{
	const struct cfg_prefix *a4 = cfg_port_addr(cp, 4);

	fp->addr = a4 != NULL ? rte_cpu_to_be_32(a4->addr.v4) : 0;
	pkt_link_local(&fp->mac, fp->ll6);
	memcpy(fp->addr6, fp->ll6, 16);
	for (size_t i = 0; i < cp->n_addrs; i++)
		if (cp->addrs[i].addr.af == 6 && !cfg_addr_is_link_local(&cp->addrs[i].addr)) {
			memcpy(fp->addr6, cp->addrs[i].addr.v6, 16);
			break;
		}
}

/* Worker w: its connection table (its share of `connections` and
 * `connections6`), counters and rings. */
static int worker_create(struct ctl *c, uint16_t w, int socket, char *err, size_t errlen)
{
	const struct cfg_dataplane *d = c->d;
	const uint32_t share = (d->connections + c->n_workers - 1) / c->n_workers;
	const uint32_t share6 = (d->connections6 + c->n_workers - 1) / c->n_workers;
	struct conn_table_params cp = { .name = "halb",
					.capacity = share,
					.capacity6 = share6,
					.embryonic_max =
					    (uint32_t)((uint64_t)share * d->embryonic / 100),
					.dests = c->env.dests,
					.tmpls = c->env.tmpls,
					.socket = socket };
	char name[RTE_RING_NAMESIZE];
	struct fwd_worker *fw = fwd_worker_create(&c->env, w, c->pool, &cp, socket);

	if (fw == NULL)
		return log_error(err, errlen, "cannot create worker %u (%u connections): %s", w,
				 share, rte_strerror(rte_errno));
	c->env.workers[w] = fw;
	snprintf(name, sizeof(name), "halb_up%u", w);
	fw->to_ctl = rte_ring_create(name, CTL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "halb_prio%u", w);
	fw->to_ctl_prio =
	    rte_ring_create(name, CTL_PRIO_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "halb_learn%u", w);
	fw->learn = rte_ring_create_elem(name, sizeof(struct fwd_learn), CTL_LEARN_RING_SIZE,
					 socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "halb_so%u", w);
	fw->sync_out = rte_ring_create_elem(name, sizeof(struct fwd_sync), CTL_SYNC_RING_SIZE,
					    socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "halb_si%u", w);
	fw->sync_in = rte_ring_create_elem(name, sizeof(struct fwd_sync), CTL_SYNC_RING_SIZE,
					   socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "halb_down%u", w);
	fw->from_ctl = rte_ring_create(name, CTL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (fw->to_ctl == NULL || fw->to_ctl_prio == NULL || fw->learn == NULL ||
	    fw->from_ctl == NULL || fw->sync_out == NULL || fw->sync_in == NULL)
		return log_error(err, errlen, "cannot create the rings of worker %u", w);
	return 0;
}

static int dataplane_create(struct ctl *c, char *err, size_t errlen)
{
	const struct cfg_dataplane *d = c->d;
	size_t qsz = rte_rcu_qsbr_get_memsize(d->workers + 1);
	int socket;
	char why[256];

	if (rte_lcore_count() < d->workers + 1)
		return log_error(err, errlen,
				 "the EAL has %u lcores: %u workers and the control core need %u",
				 rte_lcore_count(), d->workers, d->workers + 1);
	if (d->n_ports > FWD_MAX_PORTS)
		return log_error(err, errlen, "at most %d ports", FWD_MAX_PORTS);
	c->n_workers = (uint16_t)d->workers;
	c->n_ports = (uint16_t)d->n_ports;

	c->qsbr = rte_zmalloc("halb_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (c->qsbr == NULL || rte_rcu_qsbr_init(c->qsbr, d->workers + 1) != 0)
		return log_error(err, errlen, "cannot set up RCU");

	/* The control core's own frames come from the first port's pool. */
	c->pool = pool_for(c, port_device_socket(d->ports[0].device), err, errlen);
	if (c->pool == NULL)
		return -1;
	for (uint16_t p = 0; p < c->n_ports; p++) {
		c->ports[p].port_id = RTE_MAX_ETHPORTS;
		c->ports[p].tap_id = RTE_MAX_ETHPORTS;
	}
	for (uint16_t p = 0; p < c->n_ports; p++) {
		struct fwd_port *fp = &c->env.ports[p];

		struct rte_mempool *pool =
		    pool_for(c, port_device_socket(d->ports[p].device), err, errlen);

		if (pool == NULL)
			return -1;
		if (port_open(&c->ports[p], &d->ports[p], (uint8_t)p, c->n_workers, pool, why,
			      sizeof(why)) != 0)
			return log_error(err, errlen, "%s", why);
		fp->port_id = c->ports[p].port_id;
		fp->mac = c->ports[p].mac;
		fp->mtu = (uint16_t)d->ports[p].mtu;
		ctl_port_addrs(fp, &d->ports[p]);
		fp->ctl_txq = c->ports[p].ctl_txq;
		fp->ip_cksum = c->ports[p].tx_ip_cksum;
		HALB_LOG(ctl, INFO, "port %s: %s, TAP %s, %s", d->ports[p].name, d->ports[p].device,
			 d->ports[p].kernel_if,
			 fp->ctl_txq >= 0 ? "control TX queue of its own"
					  : "control TX through worker 0");
	}
	socket = c->ports[0].socket;

	c->env.qsbr = c->qsbr;
	c->env.n_ports = c->n_ports;
	c->env.n_workers = c->n_workers;
	c->env.idle_sleep_us = d->idle_sleep_us;
	c->env.sloppy_tcp = d->sloppy_tcp;
	ctl_limits(&c->env.limits, &d->limits);
	c->env.svc.qsbr = c->qsbr;
	c->env.svc.n_workers = c->n_workers;
	c->env.dests = rte_zmalloc_socket("halb_dests", sizeof(*c->env.dests) * SVC_STAT_MAX,
					  RTE_CACHE_LINE_SIZE, socket);
	c->env.loads.by_stat =
	    rte_zmalloc_socket("halb_loads", sizeof(*c->env.loads.by_stat) * SVC_STAT_MAX,
			       RTE_CACHE_LINE_SIZE, socket);
	if (c->env.dests == NULL || c->env.loads.by_stat == NULL)
		return log_error(err, errlen, "out of memory");
	c->env.tmpls = conn_tmpls_create("halb", d->templates, c->qsbr, socket);
	if (c->env.tmpls == NULL)
		return log_error(err, errlen, "cannot create a template table of %u entries: %s",
				 d->templates, rte_strerror(rte_errno));
	c->env.neigh = neigh_create("neigh", d->neighbours, c->qsbr, socket);
	if (c->env.neigh == NULL)
		return log_error(err, errlen, "cannot create the neighbour table: %s",
				 rte_strerror(rte_errno));
	for (uint16_t w = 0; w < c->n_workers; w++) {
		if (worker_create(c, w, socket, err, errlen) != 0)
			return -1;
	}
	c->routes = route_table_build(d, socket);
	if (c->routes == NULL)
		return log_error(err, errlen, "cannot build the routing table: %s",
				 rte_strerror(rte_errno));
	return 0;
}

struct ctl *ctl_create(struct cfg_keepalived *k, struct cfg_dataplane *d,
		       const struct ctl_options *opt, char *err, size_t errlen)
{
	struct ctl *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		log_error(err, errlen, "out of memory");
		return NULL;
	}
	c->k = k;
	c->d = d;
	c->opt = *opt;
	/* The dataplane model that holds the prefix goes away on reload. */
	snprintf(c->file_prefix, sizeof(c->file_prefix), "%s",
		 opt->file_prefix ? opt->file_prefix : "");
	c->opt.file_prefix = c->file_prefix;
	c->started = ctl_now_real();
	for (size_t f = 0; f < RTE_DIM(c->fifos); f++)
		c->fifos[f].fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	if (dataplane_create(c, err, errlen) != 0)
		goto fail;
	c->loop = ev_default_loop(EVBACKEND_EPOLL | EVFLAG_SIGNALFD);
	if (c->loop == NULL) {
		log_error(err, errlen, "cannot create the event loop");
		goto fail;
	}
	ctl_io_init(c);
	if (ctl_svc_init(c) != 0) {
		log_error(err, errlen, "cannot set up the services: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if (ctl_announce_start(c, err, errlen) != 0)
		goto fail;
	ctl_static_vips(c);
	ctl_static_apply(c, NULL);
	if (ctl_check_start(c) != 0) {
		log_error(err, errlen, "cannot start the health checks");
		goto fail;
	}
	if (ctl_publish(c) != 0) {
		log_error(err, errlen, "cannot publish the services: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if (ctl_sync_start(c) != 0) {
		log_error(err, errlen, "cannot start the connection sync daemon");
		goto fail;
	}
	ctl_fifo_start(c);
	if (ctl_vrrp_start(c, NULL, NULL) != 0) {
		log_error(err, errlen, "cannot start VRRP: out of memory");
		goto fail;
	}
	/* Last: from here on, telemetry threads read the state built above. */
	c->tel = tel_server_start(rte_eal_get_runtime_dir());
	if (c->tel == NULL)
		HALB_LOG(ctl, WARNING, "telemetry socket unavailable: %s", strerror(errno));
	else if (ctl_tel_init(c) != 0 || ctl_vrrp_tel_init(c) != 0 || ctl_check_tel_init(c) != 0 ||
		 ctl_sync_tel_init(c) != 0 || ctl_announce_tel_init(c) != 0)
		HALB_LOG(ctl, WARNING, "telemetry commands could not all be registered");
	if (ctl_metrics_start(c, err, errlen) != 0)
		goto fail;
	return c;
fail:
	ctl_destroy(c);
	return NULL;
}

/* ------------------------------------------------------------- the loop */

static void state_change(struct ctl *c, enum ctl_state st)
{
	if (c->opt.on_state != NULL)
		c->opt.on_state(c->opt.state_arg, st);
}

static void on_poll(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = t->data;

	(void)loop;
	(void)revents;
	ctl_io_poll(c);
	ctl_sync_poll(c);
	fwd_loads_publish(&c->env, c->n_stats);
	conn_tmpls_expire(c->env.tmpls, (uint32_t)(fwd_clock_ms() / 1000), TMPL_BUDGET);
	svc_reclaim(&c->env.svc);
}

static void on_house(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct ctl *c = t->data;

	(void)loop;
	(void)revents;
	neigh_age(c->env.neigh, fwd_clock_ms(), &c->nops);
	ctl_defence_tick(c, fwd_clock_ms());
	ctl_io_flush(c);
	log_tick();
}

static void on_rates(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	ctl_rates_update(t->data, RATE_INTERVAL);
}

static void on_stop_grace(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void on_stop(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct ctl *c = s->data;
	static ev_timer grace;
	double delay;

	(void)revents;
	if (c->stopping) {
		/* a second signal cuts the announce stop delay short */
		HALB_LOG(ctl, NOTICE, "Stopping halb now (%s)", strsignal(s->signum));
		ev_timer_stop(loop, &grace);
		ev_timer_init(&grace, on_stop_grace, STOP_GRACE, 0);
		ev_timer_start(loop, &grace);
		return;
	}
	c->stopping = true;
	state_change(c, CTL_STATE_STOPPING);
	HALB_LOG(ctl, NOTICE, "Stopping halb (%s)", strsignal(s->signum));
	/* Routes first: the routers move the flows while the dataplane
	 * still forwards what reaches it. */
	delay = ctl_announce_stop(c);
	ctl_vrrp_shutdown(c);
	ctl_check_stop(c);
	ctl_io_flush(c);
	ev_timer_init(&grace, on_stop_grace, delay > STOP_GRACE ? delay : STOP_GRACE, 0);
	ev_timer_start(loop, &grace);
}

static void on_hup(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct ctl *c = s->data;

	(void)loop;
	(void)revents;
	if (c->stopping)
		return;
	state_change(c, CTL_STATE_RELOADING);
	ctl_reload(c);
	state_change(c, CTL_STATE_RELOADED);
}

static void loop_unlock(struct ev_loop *loop)
{
	struct ctl *c = ev_userdata(loop);

	pthread_mutex_unlock(&c->lock);
}

static void loop_lock(struct ev_loop *loop)
{
	struct ctl *c = ev_userdata(loop);

	pthread_mutex_lock(&c->lock);
}

static int workers_launch(struct ctl *c)
{
	unsigned int lcore;
	uint16_t w = 0;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (w == c->n_workers)
			break;
		if (rte_eal_remote_launch(fwd_worker_main, c->env.workers[w], lcore) != 0) {
			HALB_LOG(ctl, ERR, "cannot launch worker %u on lcore %u", w, lcore);
			return -1;
		}
		w++;
	}
	return 0;
}

int ctl_run(struct ctl *c)
{
	if (workers_launch(c) != 0) {
		c->env.quit = true;
		rte_eal_mp_wait_lcore();
		return -1;
	}
	HALB_LOG(ctl, INFO, "%u workers forwarding on %u ports", c->n_workers, c->n_ports);

	ev_timer_init(&c->poll_timer, on_poll, POLL_INTERVAL, POLL_INTERVAL);
	ev_timer_init(&c->house_timer, on_house, HOUSE_INTERVAL, HOUSE_INTERVAL);
	ev_timer_init(&c->rate_timer, on_rates, RATE_INTERVAL, RATE_INTERVAL);
	ev_signal_init(&c->sig_term, on_stop, SIGTERM);
	ev_signal_init(&c->sig_int, on_stop, SIGINT);
	ev_signal_init(&c->sig_hup, on_hup, SIGHUP);
	c->poll_timer.data = c->house_timer.data = c->rate_timer.data = c;
	c->sig_term.data = c->sig_int.data = c->sig_hup.data = c;
	ev_timer_start(c->loop, &c->poll_timer);
	ev_timer_start(c->loop, &c->house_timer);
	ev_timer_start(c->loop, &c->rate_timer);
	ev_signal_start(c->loop, &c->sig_term);
	ev_signal_start(c->loop, &c->sig_int);
	ev_signal_start(c->loop, &c->sig_hup);

	ev_set_userdata(c->loop, c);
	ev_set_loop_release_cb(c->loop, loop_unlock, loop_lock);
	pthread_mutex_lock(&c->lock);
	state_change(c, CTL_STATE_READY);
	ev_run(c->loop, 0);
	pthread_mutex_unlock(&c->lock);

	c->env.quit = true;
	rte_eal_mp_wait_lcore();
	HALB_LOG(ctl, NOTICE, "Stopped halb");
	return 0;
}

void ctl_destroy(struct ctl *c)
{
	if (c == NULL)
		return;
	ctl_metrics_stop(c);
	tel_server_stop(c->tel);
	c->tel = NULL;
	pthread_mutex_lock(&c->lock);
	ctl_announce_free(c);
	ctl_check_stop(c);
	ctl_vrrp_free(ctl_vrrp_detach(c));
	ctl_fifo_stop(c);
	ctl_sync_stop(c);
	ctl_svc_fini(c);
	for (uint16_t p = 0; p < c->n_ports; p++)
		port_close(&c->ports[p]);
	for (uint16_t w = 0; w < c->n_workers; w++) {
		struct fwd_worker *fw = c->env.workers[w];

		if (fw == NULL)
			continue;
		ctl_io_drain_rings(fw);
		rte_ring_free(fw->to_ctl);
		rte_ring_free(fw->to_ctl_prio);
		rte_ring_free(fw->learn);
		rte_ring_free(fw->sync_out);
		rte_ring_free(fw->sync_in);
		rte_ring_free(fw->from_ctl);
		fwd_worker_free(fw);
	}
	/* Published routes go with the last snapshot that uses them. */
	if (c->env.svc.cur == NULL && c->env.svc.retired == NULL)
		route_table_free(c->routes);
	svc_domain_clear(&c->env.svc);
	conn_tmpls_free(c->env.tmpls);
	neigh_free(c->env.neigh);
	rte_free(c->env.dests);
	rte_free(c->env.loads.by_stat);
	for (uint16_t p = 0; p < FWD_MAX_PORTS; p++) {
		rte_pktmbuf_free_bulk(c->tap_tx[p].pkts, c->tap_tx[p].n);
		rte_pktmbuf_free_bulk(c->nic_tx[p].pkts, c->nic_tx[p].n);
	}
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
		rte_mempool_free(c->pools[s]);
	rte_free(c->qsbr);
	cfg_keepalived_free(c->k);
	cfg_dataplane_free(c->d);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
