/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fixtures: halb's forwarding behaviour, one named fixture per
 * behaviour, each feeding built frames to the real worker code and holding
 * it to the exact frames, control-core hand-overs and drop counters it must
 * produce (see fx.h for the harness, pktbuild.h for the builder, scene.h
 * for the director, its neighbours and services). The fixtures live by
 * theme in pkt_*.c, each file with its table; this file runs them.
 *
 * Usage: test_pkt [NAME...]   (no name: every fixture)
 * Prints "ok NAME" or "FAIL NAME: what differed" (details on the following
 * lines, starting with '#'); exits non-zero when a fixture failed.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "scene.h"

static bool selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

static bool run_fixture(struct pktenv_base *base, const struct fixture *f)
{
	unsigned int in_use = rte_mempool_in_use_count(base->pool);
	struct fx *x = calloc(1, sizeof(*x));
	bool ok;

	if (x == NULL) {
		printf("FAIL %s: out of memory\n", f->name);
		return false;
	}
	x->name = f->name;
	x->arg = f->arg;
	x->logf = open_memstream(&x->log, &x->log_len);
	if (x->logf == NULL ||
	    pktenv_open(&x->e, base, f->max_conns ? f->max_conns : 4096, f->embryonic_max) != 0) {
		printf("FAIL %s: cannot set up\n", f->name);
		free(x);
		return false;
	}
	f->run(x);
	pktenv_close(&x->e);
	if (rte_mempool_in_use_count(base->pool) != in_use)
		fx_fail(x, "%u mbufs leaked", rte_mempool_in_use_count(base->pool) - in_use);
	fclose(x->logf);
	ok = !x->failed;
	if (ok)
		printf("ok %s\n", f->name);
	else
		printf("FAIL %s: %s\n%s", f->name, x->first, x->log != NULL ? x->log : "");
	fflush(stdout);
	free(x->log);
	free(x);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct {
		const struct fixture *f;
		const size_t *n;
	} files[] = {
		{ pkt_forward_fixtures, &pkt_forward_n },     { pkt_icmp_fixtures, &pkt_icmp_n },
		{ pkt_conn_fixtures, &pkt_conn_n },           { pkt_local_fixtures, &pkt_local_n },
		{ pkt_hostile_fixtures, &pkt_hostile_n },     { pkt_ipv6_fixtures, &pkt_ipv6_n },
		{ pkt_ipv6_icmp_fixtures, &pkt_ipv6_icmp_n }, { pkt_nd_fixtures, &pkt_nd_n },
	};
	struct pktenv_base base;
	unsigned int run = 0, failed = 0;

	if (pktenv_base_init(&base, argv[0], false) != 0)
		return 2;
	for (size_t i = 0; i < RTE_DIM(files); i++) {
		for (size_t k = 0; k < *files[i].n; k++) {
			if (!selected(files[i].f[k].name, argc, argv))
				continue;
			run++;
			failed += !run_fixture(&base, &files[i].f[k]);
		}
	}
	printf("%u fixtures, %u failed\n", run, failed);
	pktenv_base_cleanup();
	return failed != 0 || run == 0 ? 1 : 0;
}
