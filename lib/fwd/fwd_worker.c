/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker lcore's loop. One round (fwd_worker_poll, which the benchmark
 * drives too): for each port, receive a burst on the worker's own queue and
 * process it; process what other workers redirected to it; send what the
 * control core asked for; flush the transmit buffers and the redirections;
 * turn the connection wheel a little; report a quiescent state to RCU. The
 * loop reads the clock before each round and, with idle_sleep_us, sleeps
 * when a round found nothing (for machines where workers share CPUs).
 */
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "fwd_internal.h"

#define WHEEL_BUDGET        1024 /* connections examined per round, at most */
#define REDIRECT_RING       4096
#define SYNC_INSTALL_BUDGET 64 /* synced connections installed per round, at most */

/* Rates per second and per worker; bursts. A worker receiving a flood
 * passes the kernel a few thousand frames a second from strangers, and more
 * from real servers, gateways and peers (health checks, BGP). */
const struct fwd_limits fwd_limits_default = {
	.rate = { [FWD_POL_KERNEL] = 5000,
		  [FWD_POL_TRUSTED] = 20000,
		  [FWD_POL_ARP] = 1000,
		  [FWD_POL_RESOLVE] = 10000,
		  [FWD_POL_LEARN] = 1000,
		  [FWD_POL_ICMP] = 1000,
		  [FWD_POL_SYNC] = 1000 },
	.burst = { [FWD_POL_KERNEL] = 1000,
		   [FWD_POL_TRUSTED] = 2000,
		   [FWD_POL_ARP] = 200,
		   [FWD_POL_RESOLVE] = 1000,
		   [FWD_POL_LEARN] = 200,
		   [FWD_POL_ICMP] = 100,
		   [FWD_POL_SYNC] = 200 },
};

static uint64_t clock_mult; /* ms per TSC cycle, as a 32.32 fixed point */

uint64_t fwd_clock_ms(void)
{
	if (clock_mult == 0)
		clock_mult = ((uint64_t)1000 << 32) / rte_get_tsc_hz();
	return (uint64_t)(((unsigned __int128)rte_get_tsc_cycles() * clock_mult) >> 32);
}

void fwd_worker_clock(struct fwd_worker *w, uint64_t now_ms)
{
	w->now_ms = now_ms;
	w->now_s = (uint32_t)(now_ms / 1000);
}

struct fwd_worker *fwd_worker_create(struct fwd_env *env, uint16_t id, struct rte_mempool *pool,
				     const struct conn_table_params *conns, int socket)
{
	char name[RTE_RING_NAMESIZE];
	struct fwd_worker *w;

	if (id >= FWD_MAX_WORKERS) {
		rte_errno = EINVAL;
		return NULL;
	}
	w = rte_zmalloc_socket("fwd_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL)
		goto nomem;
	w->id = id;
	w->env = env;
	/* The headers workers make for the same pair of addresses (TUN's outer
	 * ones, fragments) must not share ids: each worker its own series. */
	w->ip_id = id;
	w->frag_id = (uint32_t)id << 26 | (rte_rand() & ((1u << 26) - 1));
	w->pool = pool;
	w->conns = conn_table_create(conns);
	if (w->conns == NULL)
		goto fail;
	w->ctr = rte_zmalloc_socket("fwd_ctr", sizeof(*w->ctr) * SVC_STAT_MAX, RTE_CACHE_LINE_SIZE,
				    socket);
	w->local = rte_zmalloc_socket("fwd_local", sizeof(*w->local) * SVC_STAT_MAX,
				      RTE_CACHE_LINE_SIZE, socket);
	w->redir = rte_zmalloc_socket("fwd_redir", sizeof(*w->redir) * FWD_MAX_WORKERS,
				      RTE_CACHE_LINE_SIZE, socket);
	if (w->ctr == NULL || w->local == NULL || w->redir == NULL)
		goto nomem;
	snprintf(name, sizeof(name), "%s_rd%u", conns->name, id);
	w->redirect = rte_ring_create(name, REDIRECT_RING, socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "%s_in%u", conns->name, id);
	w->indirect = rte_pktmbuf_pool_create(name, 1023, 32, 0, 0, socket);
	if (w->redirect == NULL || w->indirect == NULL)
		goto fail;
	for (int p = 0; p < FWD_POL_COUNT; p++) {
		w->pol[p].rate = env->limits.rate[p];
		w->pol[p].burst = env->limits.burst[p];
		w->pol[p].tokens = (uint64_t)w->pol[p].burst * 1000;
	}
	return w;
nomem:
	rte_errno = ENOMEM;
fail:
	fwd_worker_free(w);
	return NULL;
}

void fwd_worker_free(struct fwd_worker *w)
{
	struct rte_mbuf *m;

	if (w == NULL)
		return;
	for (uint8_t p = 0; p < FWD_MAX_PORTS; p++)
		rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
	for (uint16_t i = 0; w->redir != NULL && i < FWD_MAX_WORKERS; i++)
		rte_pktmbuf_free_bulk(w->redir[i].pkts, w->redir[i].n);
	while (w->redirect != NULL && rte_ring_dequeue(w->redirect, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(w->redirect);
	rte_mempool_free(w->indirect);
	conn_table_free(w->conns);
	rte_free(w->ctr);
	rte_free(w->local);
	rte_free(w->redir);
	rte_free(w);
}

/* ------------------------------------------------------------ sending */

void fwd_tx_flush_port(struct fwd_worker *w, uint8_t port)
{
	struct fwd_txq *q = &w->tx[port];
	uint16_t sent;

	if (q->n == 0)
		return;
	sent = rte_eth_tx_burst(w->env->ports[port].port_id, w->id, q->pkts, q->n);
	for (uint16_t i = 0; i < sent; i++)
		w->st.tx_bytes += rte_pktmbuf_pkt_len(q->pkts[i]);
	w->st.tx_packets += sent;
	if (sent < q->n) {
		w->st.drops[FWD_DROP_TX_FULL] += q->n - sent;
		w->st.dropped += q->n - sent;
		rte_pktmbuf_free_bulk(&q->pkts[sent], q->n - sent);
	}
	q->n = 0;
}

static void redirect_flush(struct fwd_worker *w, uint16_t owner)
{
	struct fwd_redirq *q = &w->redir[owner];
	unsigned int sent;

	if (q->n == 0)
		return;
	sent = rte_ring_mp_enqueue_burst(w->env->workers[owner]->redirect, (void **)q->pkts, q->n,
					 NULL);
	w->st.redirected += sent;
	if (sent < q->n) {
		w->st.drops[FWD_DROP_REDIRECT_FULL] += q->n - sent;
		w->st.dropped += q->n - sent;
		rte_pktmbuf_free_bulk(&q->pkts[sent], q->n - sent);
	}
	q->n = 0;
}

void fwd_redirect(struct fwd_worker *w, struct rte_mbuf *m, uint16_t owner)
{
	struct fwd_redirq *q = &w->redir[owner];

	pkt_meta(m)->redirected = true;
	if (q->n == FWD_BURST)
		redirect_flush(w, owner);
	q->pkts[q->n++] = m;
}

void fwd_flush(struct fwd_worker *w)
{
	for (uint16_t i = 0; i < w->env->n_workers; i++)
		redirect_flush(w, i);
	for (uint8_t p = 0; p < w->env->n_ports; p++)
		fwd_tx_flush_port(w, p);
}

void fwd_drain_control(struct fwd_worker *w)
{
	struct rte_mbuf *m[FWD_BURST];
	unsigned int n;

	if (w->from_ctl == NULL)
		return;
	n = rte_ring_sc_dequeue_burst(w->from_ctl, (void **)m, FWD_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		w->st.from_control++;
		fwd_tx(w, pkt_meta(m[i])->out_port, m[i]);
	}
}

/* ------------------------------------------------------------ counters */

void fwd_counters_sum(const struct fwd_env *env, uint32_t stat, struct svc_counters *out)
{
	*out = (struct svc_counters){ 0 };
	for (uint16_t i = 0; i < env->n_workers; i++) {
		const struct svc_counters *c = &env->workers[i]->ctr[stat];

		out->conns += c->conns;
		out->in_pkts += c->in_pkts;
		out->out_pkts += c->out_pkts;
		out->in_bytes += c->in_bytes;
		out->out_bytes += c->out_bytes;
		out->active += c->active;
		out->inactive += c->inactive;
	}
}

void fwd_loads_publish(struct fwd_env *env, uint32_t n)
{
	for (uint32_t s = 0; s < n && s < SVC_STAT_MAX; s++) {
		int64_t act = 0, inact = 0;

		for (uint16_t i = 0; i < env->n_workers; i++) {
			act += __atomic_load_n(&env->workers[i]->ctr[s].active, __ATOMIC_RELAXED);
			inact +=
			    __atomic_load_n(&env->workers[i]->ctr[s].inactive, __ATOMIC_RELAXED);
		}
		__atomic_store_n(&env->loads.by_stat[s].active, act > 0 ? (uint32_t)act : 0,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&env->loads.by_stat[s].inactive, inact > 0 ? (uint32_t)inact : 0,
				 __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&env->loads.gen, 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- loop */

uint32_t fwd_worker_expire(struct fwd_worker *w, uint32_t budget)
{
	return conn_expire(w->conns, w->now_s, budget, fwd_conn_gone, w);
}

uint32_t fwd_worker_poll(struct fwd_worker *w)
{
	struct fwd_env *env = w->env;
	const struct svc_snapshot *snap = svc_current(&env->svc);
	struct rte_mbuf *pkts[FWD_BURST];
	uint32_t got = 0;

	for (uint8_t p = 0; p < env->n_ports; p++) {
		uint16_t n = rte_eth_rx_burst(env->ports[p].port_id, w->id, pkts, FWD_BURST);

		if (n > 0) {
			fwd_process(w, snap, pkts, n, p);
			got += n;
		}
	}
	if (env->n_workers > 1)
		got += fwd_process_redirected(w, snap);
	fwd_sync_install(w, SYNC_INSTALL_BUDGET);
	fwd_drain_control(w);
	fwd_flush(w);
	fwd_worker_expire(w, WHEEL_BUDGET);
	rte_rcu_qsbr_quiescent(env->qsbr, w->id);
	return got;
}

int fwd_worker_main(void *arg)
{
	struct fwd_worker *w = arg;
	struct fwd_env *env = w->env;

	w->lcore = rte_lcore_id();
	rte_rcu_qsbr_thread_register(env->qsbr, w->id);
	rte_rcu_qsbr_thread_online(env->qsbr, w->id);
	while (!env->quit) {
		uint32_t got;

		fwd_worker_clock(w, fwd_clock_ms());
		got = fwd_worker_poll(w);
		w->st.polls++;
		if (got > 0)
			w->st.busy_polls++;
		else if (env->idle_sleep_us > 0)
			usleep(env->idle_sleep_us);
	}
	/* Last words of the control core (VRRP's priority 0) still go out. */
	fwd_drain_control(w);
	fwd_flush(w);
	rte_rcu_qsbr_thread_offline(env->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(env->qsbr, w->id);
	return 0;
}
