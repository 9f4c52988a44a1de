/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker lcore's loop. One round (fwd_worker_poll, which the benchmark
 * drives too): for each port, receive a burst on the worker's own queue and
 * process it; send what the control core asked for; flush the transmit
 * buffers; turn the connection wheel a little; report a quiescent state to
 * RCU. The loop reads the clock before each round and, with idle_sleep_us,
 * sleeps when a round found nothing (for machines where workers share CPUs).
 */
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "fwd_internal.h"

#define WHEEL_BUDGET 1024 /* connections examined per loop, at most */

static uint64_t clock_mult; /* ms per TSC cycle, as a 32.32 fixed point */

uint64_t fwd_clock_ms(void)
{
	if (clock_mult == 0)
		clock_mult = ((uint64_t)1000 << 32) / rte_get_tsc_hz();
	return (uint64_t)(((unsigned __int128)rte_get_tsc_cycles() * clock_mult) >> 32);
}

struct fwd_worker *fwd_worker_create(struct fwd_env *env, uint16_t id, struct rte_mempool *pool,
				     int socket)
{
	struct fwd_worker *w;

	w = rte_zmalloc_socket("fwd_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL)
		goto nomem;
	w->id = id;
	w->env = env;
	w->pool = pool;
	w->cw = conn_table_worker(env->conns, id);
	w->ctr = rte_zmalloc_socket("fwd_ctr", sizeof(*w->ctr) * SVC_STAT_MAX, RTE_CACHE_LINE_SIZE,
				    socket);
	if (w->ctr == NULL)
		goto nomem;
	return w;
nomem:
	fwd_worker_free(w);
	rte_errno = ENOMEM;
	return NULL;
}

void fwd_worker_free(struct fwd_worker *w)
{
	if (w == NULL)
		return;
	for (uint8_t p = 0; p < FWD_MAX_PORTS; p++)
		rte_pktmbuf_free_bulk(w->tx[p].pkts, w->tx[p].n);
	rte_free(w->ctr);
	rte_free(w);
}

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

void fwd_flush(struct fwd_worker *w)
{
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
	fwd_drain_control(w);
	fwd_flush(w);
	conn_worker_run(env->conns, w->cw, w->now_ms, WHEEL_BUDGET, fwd_conn_gone, w);
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

		w->now_ms = fwd_clock_ms();
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
