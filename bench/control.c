/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control core pays: building a Maglev table (sched_create for mh
 * over 10, 100 and 1000 real servers, the default 65537 slots), building and
 * publishing a service snapshot of 10,000 services, decoding sync messages
 * (sync.c), and the heap a connection table of a given size takes.
 */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "bench.h"

#define SNAP_SERVICES 10000u
#define SNAP_RS       2u /* real servers per service */

static uint64_t heap_used(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

uint64_t bench_table_bytes(uint32_t max_conns, uint32_t max_conns6)
{
	static const struct conn_dest dests[1];
	struct conn_table_params p = { .name = "bench_mem",
				       .capacity = max_conns,
				       .capacity6 = max_conns6,
				       .dests = dests,
				       .socket = SOCKET_ID_ANY };
	uint64_t before = heap_used(), after;
	struct conn_table *t;

	t = conn_table_create(&p);

	if (t == NULL)
		return 0;
	after = heap_used();
	conn_table_free(t);
	return after - before;
}

static double ms_since(uint64_t t0, double hz)
{
	return (double)(rte_rdtsc() - t0) * 1e3 / hz;
}

static int maglev(struct bench *b)
{
	static const uint32_t sizes[3] = { 10, 100, 1000 };

	for (unsigned int k = 0; k < 3; k++) {
		struct sched_dest *d = calloc(sizes[k], sizeof(*d));

		if (d == NULL)
			return -1;
		for (uint32_t i = 0; i < sizes[k]; i++)
			d[i] = (struct sched_dest){ .addr = PB_IP4(10, 1, i >> 8, i & 0xff),
						    .port = 80,
						    .weight = 1,
						    .available = true };
		b->ctl.maglev_rs[k] = sizes[k];
		for (unsigned int r = 0; r < b->o.runs; r++) {
			uint64_t t0 = rte_rdtsc();
			struct sched *s = sched_create(CFG_SCHED_MH, d, sizes[k], NULL);

			series_add(&b->ctl.maglev_ms[k], ms_since(t0, b->tsc_hz));
			if (s == NULL) {
				free(d);
				return -1;
			}
			sched_free(s);
		}
		free(d);
	}
	return 0;
}

/* The workers (this thread) pass a quiescent state; the old snapshot goes. */
static void quiesce(struct bench *b, struct svc_domain *dom)
{
	for (unsigned int w = 0; w < PKTENV_WORKERS; w++)
		rte_rcu_qsbr_quiescent(b->base.qsbr, w);
	svc_reclaim(dom);
}

/* 10,000 services: 100 VIPs of 100 ports, two real servers each (wlc,
 * keepalived's default), every address known to the snapshot. */
static int snapshot(struct bench *b)
{
	const uint32_t n = b->o.quick ? SNAP_SERVICES / 10 : SNAP_SERVICES;
	struct svc_spec *specs = calloc(n, sizeof(*specs));
	struct svc_spec_rs *rs = calloc((size_t)n * SNAP_RS, sizeof(*rs));
	struct svc_spec_addr *addrs = calloc(n / 100 + 1, sizeof(*addrs));
	struct svc_domain dom = { .qsbr = b->base.qsbr, .n_workers = PKTENV_WORKERS };
	uint32_t stat = 0, n_addrs = 0;
	int rc = -1;

	if (specs == NULL || rs == NULL || addrs == NULL)
		goto out;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t vip = PB_IP4(172, 20, 0, 0) + i / 100;

		if (i % 100 == 0)
			addrs[n_addrs++] = (struct svc_spec_addr){ vip, SVC_AF_VIP | SVC_AF_OWNED |
									    SVC_AF_SERVICE };
		for (uint32_t r = 0; r < SNAP_RS; r++)
			rs[i * SNAP_RS + r] = (struct svc_spec_rs){
				.addr = PB_IP4(172, 21, 0, 0) + i * SNAP_RS + r,
				.port = 80,
				.weight = 1,
				.available = true,
				.stat = ++stat,
				.neigh = -1,
				.nexthop = PB_IP4(172, 21, 0, 0) + i * SNAP_RS + r,
			};
		specs[i] = (struct svc_spec){ .vip = vip,
					      .vport = (uint16_t)(1000 + i % 100),
					      .proto = IPPROTO_TCP,
					      .fwd = CFG_FWD_DR,
					      .sched = CFG_SCHED_WLC,
					      .persist_mask = 0xffffffffu,
					      .stat = ++stat,
					      .owned = true,
					      .rs = &rs[i * SNAP_RS],
					      .n_rs = SNAP_RS };
	}
	b->ctl.snap_services = n;
	for (unsigned int r = 0; r < b->o.runs; r++) {
		uint64_t t0 = rte_rdtsc(), t1;
		struct svc_snapshot *s = svc_snapshot_build(specs, n, addrs, n_addrs, NULL,
							    PKTENV_WORKERS, SOCKET_ID_ANY, NULL);

		series_add(&b->ctl.snap_build_ms, ms_since(t0, b->tsc_hz));
		if (s == NULL)
			goto out;
		t1 = rte_rdtsc();
		svc_publish(&dom, s);
		series_add(&b->ctl.snap_pub_us, ms_since(t1, b->tsc_hz) * 1e3);
		quiesce(b, &dom);
	}
	/* A health flap: one real server changes, the snapshot in force is
	 * the previous one, so every other service keeps its scheduler. */
	for (unsigned int r = 0; r < b->o.runs; r++) {
		struct svc_spec_rs *flap = &rs[(r * 7919u) % n * SNAP_RS];
		uint64_t t0;
		struct svc_snapshot *s;

		flap->available = !flap->available;
		t0 = rte_rdtsc();
		s = svc_snapshot_build(specs, n, addrs, n_addrs, NULL, PKTENV_WORKERS,
				       SOCKET_ID_ANY, dom.cur);
		series_add(&b->ctl.snap_flap_ms, ms_since(t0, b->tsc_hz));
		if (s == NULL)
			goto out;
		svc_publish(&dom, s);
		quiesce(b, &dom);
	}
	rc = 0;
out:
	svc_domain_clear(&dom);
	free(specs);
	free(rs);
	free(addrs);
	return rc;
}

int bench_control(struct bench *b)
{
	fprintf(stderr, "control plane: Maglev builds, snapshot publishing\n");
	if (maglev(b) != 0) {
		fprintf(stderr, "bench: Maglev build failed\n");
		return -1;
	}
	if (snapshot(b) != 0) {
		fprintf(stderr, "bench: snapshot build failed\n");
		return -1;
	}
	return bench_wanted_name(b, "sync-decode") ? bench_sync_decode(b) : 0;
}
