/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fixtures' and the fuzzer's world (see pktenv.h): EAL and ring ports
 * once, then per fixture the tables and workers the daemon would make,
 * filled by hand. Frames go through the real fwd_process and fwd_flush;
 * what the workers send ends in the ports' TX rings, what they hand over
 * in their to_ctl rings.
 */
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "fwd_internal.h" /* fwd_conn_gone: the worker loop's wheel callback */
#include "pktenv.h"

const struct pb_mac pktenv_port_mac[PKTENV_PORTS] = {
	{ { 0x02, 0x00, 0x00, 0x00, 0x01, 0x06 } },
	{ { 0x02, 0x00, 0x00, 0x00, 0x02, 0x06 } },
};

const uint32_t pktenv_port_addr[PKTENV_PORTS] = { PKTENV_DIP0, PKTENV_DIP1 };

/* ---------------------------------------------------------- process-wide */

static int make_port(struct pktenv_base *b, uint8_t p)
{
	struct rte_eth_conf conf = { 0 };
	char name[RTE_RING_NAMESIZE];
	int port;

	for (uint16_t q = 0; q < PKTENV_WORKERS; q++) {
		snprintf(name, sizeof(name), "p%ut%u", p, q);
		b->tx[p][q] = rte_ring_create(name, PKTENV_RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "p%ur%u", p, q);
		b->rx[p][q] = rte_ring_create(name, PKTENV_RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (b->tx[p][q] == NULL || b->rx[p][q] == NULL)
			return -1;
	}
	snprintf(name, sizeof(name), "pktport%u", p);
	port = rte_eth_from_rings(name, b->rx[p], PKTENV_WORKERS, b->tx[p], PKTENV_WORKERS,
				  SOCKET_ID_ANY);
	if (port < 0)
		return -1;
	b->port_id[p] = (uint16_t)port;
	if (rte_eth_dev_configure(b->port_id[p], PKTENV_WORKERS, PKTENV_WORKERS, &conf) != 0)
		return -1;
	for (uint16_t q = 0; q < PKTENV_WORKERS; q++) {
		if (rte_eth_rx_queue_setup(b->port_id[p], q, 64, SOCKET_ID_ANY, NULL, b->pool) !=
			0 ||
		    rte_eth_tx_queue_setup(b->port_id[p], q, 64, SOCKET_ID_ANY, NULL) != 0)
			return -1;
	}
	return rte_eth_dev_start(b->port_id[p]);
}

/* The CPUs this process may run on, in order, for the lcore map. */
static unsigned int allowed_cpus(unsigned int *cpus, unsigned int max)
{
	cpu_set_t set;
	unsigned int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (unsigned int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

/* "0@3,1@5": lcore i on the i-th allowed CPU (wrapping round when there
 * are fewer CPUs than lcores). */
static int lcore_map(char *buf, size_t len, unsigned int lcores)
{
	unsigned int cpus[RTE_MAX_LCORE];
	unsigned int n = allowed_cpus(cpus, RTE_DIM(cpus));
	size_t off = 0;

	if (n == 0)
		return -1;
	for (unsigned int i = 0; i < lcores; i++) {
		int k = snprintf(buf + off, len - off, "%s%u@%u", i ? "," : "", i, cpus[i % n]);

		if (k < 0 || (size_t)k >= len - off)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

int pktenv_base_init(struct pktenv_base *b, const char *prog, bool no_shconf)
{
	const struct pktenv_opts opts = { .no_shconf = no_shconf };

	return pktenv_base_init_opts(b, prog, &opts);
}

int pktenv_base_init_opts(struct pktenv_base *b, const char *prog, const struct pktenv_opts *opts)
{
	const unsigned int lcores = opts != NULL ? opts->lcores : 0;
	const bool no_shconf = opts != NULL && opts->no_shconf;
	const unsigned int mbufs = opts != NULL && opts->mbufs ? opts->mbufs : PKTENV_MBUFS;
	char prefix[32], mem[16], lmap[512];
	char *argv[] = { (char *)(uintptr_t)prog,
			 "--no-huge",
			 "-m",
			 mem,
			 "--no-pci",
			 "--file-prefix",
			 prefix,
			 "--no-telemetry",
			 "--log-level=*:warning",
			 NULL,
			 NULL,
			 NULL,
			 NULL };
	/* Optional arguments after the fixed ones: --lcores MAP (without a
	 * lcore count, the EAL's default: a lcore per CPU), --no-shconf. */
	int argc = (int)RTE_DIM(argv) - 4;
	size_t sz;

	memset(b, 0, sizeof(*b));
	snprintf(prefix, sizeof(prefix), "pkt%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", opts != NULL && opts->mem_mb ? opts->mem_mb : 128);
	if (lcores > RTE_MAX_LCORE || (lcores > 0 && lcore_map(lmap, sizeof(lmap), lcores) != 0)) {
		fprintf(stderr, "pktenv: cannot map %u lcores on this process's CPUs\n", lcores);
		return -1;
	}
	if (lcores > 0) {
		argv[argc++] = "--lcores";
		argv[argc++] = lmap;
	}
	if (no_shconf)
		argv[argc++] = "--no-shconf";
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (no_shconf)
		rmdir(rte_eal_get_runtime_dir()); /* empty without shared config */
	b->pool = rte_pktmbuf_pool_create("pktenv_mbufs", mbufs, 256, PKT_PRIV_SIZE,
					  RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (b->pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	sz = rte_rcu_qsbr_get_memsize(PKTENV_WORKERS);
	b->qsbr = rte_zmalloc("pktenv_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (b->qsbr == NULL || rte_rcu_qsbr_init(b->qsbr, PKTENV_WORKERS) != 0) {
		fprintf(stderr, "rcu qsbr: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	/* The test thread is every worker's RCU reader. */
	for (unsigned int i = 0; i < PKTENV_WORKERS; i++) {
		rte_rcu_qsbr_thread_register(b->qsbr, i);
		rte_rcu_qsbr_thread_online(b->qsbr, i);
	}
	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		if (make_port(b, p) != 0) {
			fprintf(stderr, "ring port %u: %s\n", p, rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

void pktenv_base_cleanup(void)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX + 256];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ----------------------------------------------------------- per fixture */

static void ops_solicit(void *ctx, uint8_t port, const struct neigh_ip *ip)
{
	struct pktenv *e = ctx;

	(void)port;
	(void)ip;
	e->solicited++;
}

static void ops_release(void *ctx, uint8_t port, struct rte_mbuf *m,
			const struct rte_ether_addr *mac)
{
	(void)ctx;
	(void)port;
	(void)mac;
	rte_pktmbuf_free(m);
}

static void ops_drop(void *ctx, struct rte_mbuf *m, enum neigh_drop why)
{
	(void)ctx;
	(void)why;
	rte_pktmbuf_free(m);
}

static struct route_table *director_routes(void)
{
	static struct cfg_prefix eth1[3], eth2[2];
	static struct cfg_port ports[] = {
		{ .name = "eth1", .device = "net_ring", .addrs = eth1, .n_addrs = 3, .mtu = 1500 },
		{ .name = "eth2", .device = "net_ring", .addrs = eth2, .n_addrs = 2, .mtu = 1500 },
	};
	static struct cfg_route routes[2];
	const struct cfg_dataplane dp = { .workers = PKTENV_WORKERS,
					  .connections = 4096,
					  .neighbours = 64,
					  .ports = ports,
					  .n_ports = RTE_DIM(ports),
					  .routes = routes,
					  .n_routes = RTE_DIM(routes) };

	eth1[0] = (struct cfg_prefix){ cfg_addr4(PKTENV_DIP0), 16 };
	eth1[1] = (struct cfg_prefix){ cfg_addr4(PKTENV_DIP0B), 24 };
	eth1[2] = (struct cfg_prefix){ cfg_addr6(PKTENV_DIP0_6), 64 };
	eth2[0] = (struct cfg_prefix){ cfg_addr4(PKTENV_DIP1), 24 };
	eth2[1] = (struct cfg_prefix){ cfg_addr6(PKTENV_DIP1_6), 64 };
	routes[0] =
	    (struct cfg_route){ .prefix = { cfg_addr4(0), 0 }, .via = cfg_addr4(PKTENV_GW) };
	routes[1] =
	    (struct cfg_route){ .prefix = { { .af = 6 }, 0 }, .via = cfg_addr6(PKTENV_GW6) };
	return route_table_build(&dp, SOCKET_ID_ANY);
}

static struct rte_ring *ring(const char *what, unsigned int seq, uint16_t i, unsigned int size,
			     unsigned int esize)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "%s%u_%u", what, seq, i);
	return rte_ring_create_elem(name, esize, size, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int pktenv_open(struct pktenv *e, struct pktenv_base *b, uint32_t max_conns, uint32_t embryonic_max)
{
	const struct pktenv_tables t = {
		.per_worker = (max_conns + PKTENV_WORKERS - 1) / PKTENV_WORKERS,
		.embryonic_max = embryonic_max,
		.templates = max_conns / 4,
	};

	return pktenv_open_tables(e, b, &t);
}

int pktenv_open_tables(struct pktenv *e, struct pktenv_base *b, const struct pktenv_tables *t)
{
	static unsigned int seq;
	char name[32];
	const uint32_t share6 = b->conns6 ? (b->conns6 + PKTENV_WORKERS - 1) / PKTENV_WORKERS : 64;
	struct conn_table_params cp = { .name = name,
					.capacity = t->per_worker,
					.capacity6 = share6,
					.embryonic_max = t->embryonic_max ? t->embryonic_max
									  : t->per_worker + share6,
					.socket = SOCKET_ID_ANY };

	memset(e, 0, sizeof(*e));
	e->base = b;
	seq++;
	e->neigh_ops = (struct neigh_ops){
		.solicit = ops_solicit, .release = ops_release, .drop = ops_drop, .ctx = e
	};
	e->env.qsbr = b->qsbr;
	e->env.svc.qsbr = b->qsbr;
	e->env.svc.n_workers = PKTENV_WORKERS;
	e->env.limits = fwd_limits_default;
	e->env.dests = rte_zmalloc("pktenv_dests", sizeof(*e->env.dests) * SVC_STAT_MAX, 0);
	e->env.loads.by_stat =
	    rte_zmalloc("pktenv_loads", sizeof(*e->env.loads.by_stat) * SVC_STAT_MAX, 0);
	snprintf(name, sizeof(name), "tp%u", seq);
	e->env.tmpls = conn_tmpls_create(name, RTE_MAX(t->templates, 64u), b->qsbr, SOCKET_ID_ANY);
	snprintf(name, sizeof(name), "nb%u", seq);
	e->env.neigh = neigh_create(name, 64, b->qsbr, SOCKET_ID_ANY);
	e->routes = director_routes();
	if (e->env.dests == NULL || e->env.loads.by_stat == NULL || e->env.tmpls == NULL ||
	    e->env.neigh == NULL || e->routes == NULL) {
		fprintf(stderr, "pktenv: tables (tmpls %p, neigh %p, routes %p): %s\n",
			(void *)e->env.tmpls, (void *)e->env.neigh, (void *)e->routes,
			rte_strerror(rte_errno));
		goto fail;
	}
	cp.dests = e->env.dests;
	cp.tmpls = e->env.tmpls;
	e->env.n_ports = PKTENV_PORTS;
	for (uint8_t p = 0; p < PKTENV_PORTS; p++) {
		struct fwd_port *fp = &e->env.ports[p];

		fp->port_id = b->port_id[p];
		memcpy(fp->mac.addr_bytes, pktenv_port_mac[p].b, RTE_ETHER_ADDR_LEN);
		fp->mtu = 1500;
		fp->addr = rte_cpu_to_be_32(pktenv_port_addr[p]);
		fp->ctl_txq = -1;
		pkt_link_local(&fp->mac, fp->ll6);
		memcpy(fp->addr6, p == 0 ? PKTENV_DIP0_6 : PKTENV_DIP1_6, 16);
	}
	e->env.n_workers = PKTENV_WORKERS;
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		struct fwd_worker *w;

		snprintf(name, sizeof(name), "ct%u", seq);
		w = fwd_worker_create(&e->env, i, b->pool, &cp, SOCKET_ID_ANY);
		if (w == NULL) {
			fprintf(stderr, "pktenv: worker %u: %s\n", i, rte_strerror(rte_errno));
			goto fail;
		}
		e->w[i] = w;
		e->env.workers[i] = w;
		w->to_ctl = ring("toctl", seq, i, PKTENV_RING_SIZE, sizeof(void *));
		w->to_ctl_prio = ring("prio", seq, i, PKTENV_RING_SIZE, sizeof(void *));
		w->learn = ring("learn", seq, i, 256, sizeof(struct fwd_learn));
		w->from_ctl = ring("fromctl", seq, i, PKTENV_RING_SIZE, sizeof(void *));
		if (w->to_ctl == NULL || w->to_ctl_prio == NULL || w->learn == NULL ||
		    w->from_ctl == NULL) {
			fprintf(stderr, "pktenv: rings: %s\n", rte_strerror(rte_errno));
			goto fail;
		}
	}
	pktenv_clock(e, 1000000);
	return 0;
fail:
	pktenv_close(e);
	return -1;
}

void pktenv_dest(struct pktenv *e, uint32_t slot, uint32_t rip, uint16_t rport, uint32_t svc_slot)
{
	e->env.dests[slot] = (struct conn_dest){ .af = 4,
						 .port = rte_cpu_to_be_16(rport),
						 .svc_stat = (uint16_t)svc_slot,
						 .addr.v4 = rte_cpu_to_be_32(rip) };
}

void pktenv_dest6(struct pktenv *e, uint32_t slot, const uint8_t *rip6, uint16_t rport,
		  uint32_t svc_slot)
{
	e->env.dests[slot] = (struct conn_dest){ .af = 6,
						 .port = rte_cpu_to_be_16(rport),
						 .svc_stat = (uint16_t)svc_slot };
	memcpy(e->env.dests[slot].addr.v6, rip6, 16);
}

unsigned int pktenv_take_learn(struct pktenv *e, struct fwd_learn *out, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t i = 0; i < PKTENV_WORKERS && n < max; i++)
		n += rte_ring_dequeue_burst_elem(e->w[i]->learn, out + n, sizeof(*out), max - n,
						 NULL);
	return n;
}

unsigned int pktenv_drain(struct pktenv *e)
{
	struct rte_mbuf *m[64];
	unsigned int n, total = 0;

	for (uint8_t p = 0; p < PKTENV_PORTS; p++)
		while ((n = pktenv_take_tx(e, p, m, RTE_DIM(m))) > 0) {
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		if (e->w[i] == NULL)
			continue;
		while ((n = pktenv_take_ctl(e, i, m, RTE_DIM(m))) > 0) {
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
		while (e->w[i]->from_ctl != NULL &&
		       (n = rte_ring_dequeue_burst(e->w[i]->from_ctl, (void **)m, RTE_DIM(m),
						   NULL)) > 0) {
			rte_pktmbuf_free_bulk(m, n);
			total += n;
		}
	}
	return total;
}

void pktenv_close(struct pktenv *e)
{
	pktenv_drain(e);
	svc_domain_clear(&e->env.svc);
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
		if (e->w[i] == NULL)
			continue;
		rte_ring_free(e->w[i]->to_ctl);
		rte_ring_free(e->w[i]->to_ctl_prio);
		rte_ring_free(e->w[i]->learn);
		rte_ring_free(e->w[i]->from_ctl);
		fwd_worker_free(e->w[i]);
		e->w[i] = NULL;
	}
	pktenv_quiesce(e);
	conn_tmpls_free(e->env.tmpls);
	neigh_free(e->env.neigh);
	rte_free(e->env.dests);
	rte_free(e->env.loads.by_stat);
	route_table_free(e->routes);
	memset(&e->env, 0, sizeof(e->env));
	e->routes = NULL;
}

void pktenv_clock(struct pktenv *e, uint64_t now_ms)
{
	e->now_ms = now_ms;
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		if (e->w[i] != NULL)
			fwd_worker_clock(e->w[i], now_ms);
}

void pktenv_quiesce(struct pktenv *e)
{
	for (unsigned int i = 0; i < PKTENV_WORKERS; i++)
		rte_rcu_qsbr_quiescent(e->base->qsbr, i);
	if (e->env.svc.qsbr != NULL)
		svc_reclaim(&e->env.svc);
}

void pktenv_expire(struct pktenv *e)
{
	for (uint16_t i = 0; i < PKTENV_WORKERS; i++)
		fwd_worker_expire(e->w[i], UINT32_MAX);
	pktenv_quiesce(e);
	conn_tmpls_expire(e->env.tmpls, (uint32_t)(e->now_ms / 1000), UINT32_MAX);
}

int pktenv_publish(struct pktenv *e, const struct svc_spec *specs, uint32_t n,
		   const struct svc_spec_addr *addrs, uint32_t n_addrs)
{
	struct route_table *routes = e->env.svc.cur != NULL ? e->env.svc.cur->routes : e->routes;
	struct svc_snapshot *s;

	s = svc_snapshot_build(specs, n, addrs, n_addrs, routes, PKTENV_WORKERS, SOCKET_ID_ANY,
			       e->env.svc.cur);
	if (s == NULL) {
		fprintf(stderr, "svc_snapshot_build: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	svc_publish(&e->env.svc, s);
	e->routes = NULL; /* the snapshots own it now */
	pktenv_quiesce(e);
	return 0;
}

const struct svc_snapshot *pktenv_snap(const struct pktenv *e)
{
	return svc_current(&e->env.svc);
}

int pktenv_route(const struct pktenv *e, uint32_t dst, uint32_t *nexthop, uint8_t *port)
{
	const struct route_table *rt = e->routes;
	rte_be32_t nh;

	if (rt == NULL)
		rt = e->env.svc.cur->routes;
	if (route_lookup(rt, rte_cpu_to_be_32(dst), &nh, port) != 0)
		return -1;
	*nexthop = rte_be_to_cpu_32(nh);
	return 0;
}

int pktenv_route6(const struct pktenv *e, const uint8_t *dst, uint8_t *nexthop, uint8_t *port)
{
	const struct route_table *rt = e->routes;

	if (rt == NULL)
		rt = e->env.svc.cur->routes;
	return route_lookup6(rt, dst, nexthop, port);
}

/* The port that leads to ip (of either family). */
static int port_to(struct pktenv *e, const struct neigh_ip *ip, uint8_t *port)
{
	uint8_t nh6[16];
	uint32_t nh;

	if (neigh_ip_is4(ip))
		return pktenv_route(e, rte_be_to_cpu_32(neigh_ip_v4(ip)), &nh, port);
	return pktenv_route6(e, ip->b, nh6, port);
}

static int32_t learn(struct pktenv *e, const struct neigh_ip *ip, struct pb_mac mac)
{
	struct rte_ether_addr ea;
	uint8_t port;

	if (port_to(e, ip, &port) != 0)
		return -1;
	memcpy(ea.addr_bytes, mac.b, RTE_ETHER_ADDR_LEN);
	return neigh_learn(e->env.neigh, ip, &ea, port, true, e->now_ms, &e->neigh_ops);
}

static int32_t pending(struct pktenv *e, const struct neigh_ip *ip)
{
	uint8_t port;

	if (port_to(e, ip, &port) != 0)
		return -1;
	return neigh_resolve(e->env.neigh, ip, port, true, e->now_ms, &e->neigh_ops);
}

int32_t pktenv_neigh_learn(struct pktenv *e, uint32_t ip, struct pb_mac mac)
{
	const struct neigh_ip k = neigh_ip4(rte_cpu_to_be_32(ip));

	return learn(e, &k, mac);
}

int32_t pktenv_neigh_learn6(struct pktenv *e, const uint8_t *ip, struct pb_mac mac)
{
	const struct neigh_ip k = neigh_ip6(ip);

	return learn(e, &k, mac);
}

int32_t pktenv_neigh_pending(struct pktenv *e, uint32_t ip)
{
	const struct neigh_ip k = neigh_ip4(rte_cpu_to_be_32(ip));

	return pending(e, &k);
}

int32_t pktenv_neigh_pending6(struct pktenv *e, const uint8_t *ip)
{
	const struct neigh_ip k = neigh_ip6(ip);

	return pending(e, &k);
}

struct rte_mbuf *pktenv_mbuf(struct pktenv *e, const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->base->pool);
	char *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, bytes, len);
	return m;
}

struct rte_mbuf *pktenv_mbuf_split(struct pktenv *e, const uint8_t *bytes, size_t len, size_t split)
{
	struct rte_mbuf *m, *tail;

	if (split == 0 || split >= len)
		return NULL;
	m = pktenv_mbuf(e, bytes, split);
	tail = pktenv_mbuf(e, bytes + split, len - split);
	if (m == NULL || tail == NULL || rte_pktmbuf_chain(m, tail) != 0) {
		rte_pktmbuf_free(m);
		rte_pktmbuf_free(tail);
		return NULL;
	}
	return m;
}

void pktenv_process(struct pktenv *e, uint16_t wid, struct rte_mbuf **m, uint16_t n,
		    uint8_t in_port)
{
	struct fwd_worker *w = e->w[wid];

	const struct svc_snapshot *snap = svc_current(&e->env.svc);
	bool more = true;

	fwd_process(w, snap, m, n, in_port);
	fwd_flush(w);
	/* What went to another worker is processed there, as its loop would. */
	while (more) {
		more = false;
		for (uint16_t i = 0; i < PKTENV_WORKERS; i++) {
			if (fwd_process_redirected(e->w[i], snap) > 0)
				more = true;
			fwd_flush(e->w[i]);
		}
	}
}

unsigned int pktenv_take_tx(struct pktenv *e, uint8_t port, struct rte_mbuf **m, unsigned int max)
{
	unsigned int n = 0;

	for (uint16_t q = 0; q < PKTENV_WORKERS && n < max; q++)
		n += rte_ring_dequeue_burst(e->base->tx[port][q], (void **)(m + n), max - n, NULL);
	return n;
}

unsigned int pktenv_take_ctl(struct pktenv *e, uint16_t wid, struct rte_mbuf **m, unsigned int max)
{
	unsigned int n = rte_ring_dequeue_burst(e->w[wid]->to_ctl_prio, (void **)m, max, NULL);

	return n + rte_ring_dequeue_burst(e->w[wid]->to_ctl, (void **)(m + n), max - n, NULL);
}
