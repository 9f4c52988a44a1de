/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the control core. Until the VRRP engine is wired in, instances
 * whose configured state is MASTER own their VIPs from start-up and adverts
 * from the network are counted and dropped.
 */
#include "ctl_priv.h"

void ctl_vrrp_start(struct ctl *c)
{
	for (size_t i = 0; i < c->k->n_instances; i++)
		if (c->k->instances[i].state == CFG_VRRP_MASTER) {
			HALB_LOG(ctl, NOTICE, "(%s) Entering MASTER STATE",
				 c->k->instances[i].name);
			ctl_instance_own(c, i, true);
		}
}

void ctl_vrrp_input(struct ctl *c, struct rte_mbuf *m)
{
	c->cst.dropped++;
	rte_pktmbuf_free(m);
}
