/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bringing a port up: the NIC with its queues, then its TAP. Every failure
 * says which port and what the device refused.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "halb_log.h"
#include "halb_port.h"

RTE_LOG_REGISTER(halb_logtype_port, halb.port, INFO);
HALB_LOG_DECLARE(port);

#define NB_RXD 1024
#define NB_TXD 1024

void port_device_name(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

int port_device_socket(const char *device)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t id;
	int socket;

	port_device_name(device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &id) != 0)
		return (int)rte_socket_id();
	socket = rte_eth_dev_socket_id(id);
	return socket >= 0 && socket < RTE_MAX_NUMA_NODES ? socket : (int)rte_socket_id();
}

/* Sets up and starts an ethdev with the given queue counts. */
static int dev_start(uint16_t id, uint16_t n_rx, uint16_t n_tx, uint16_t mtu,
		     struct rte_mempool *pool, int socket, bool *ip_cksum, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf = { 0 };
	uint16_t nb_rxd = NB_RXD, nb_txd = NB_TXD;
	int rc;

	rc = rte_eth_dev_info_get(id, &info);
	if (rc != 0)
		return log_error(err, errlen, "cannot read device info: %s", strerror(-rc));
	if (n_rx > info.max_rx_queues || n_tx > info.max_tx_queues)
		return log_error(
		    err, errlen,
		    "device has %u RX / %u TX queues, %u / %u are needed (one per worker)",
		    info.max_rx_queues, info.max_tx_queues, n_rx, n_tx);
	if (n_rx > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
		    (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
		    info.flow_type_rss_offloads;
	}
	/* IPv4 header checksums of headers halb writes whole (TUN's outer
	 * header, fragments) go to the NIC when it can; the rewrites of DR
	 * and NAT patch sums incrementally, cheaper than preparing an
	 * offload (docs/DESIGN.md). */
	if (ip_cksum != NULL) {
		*ip_cksum = (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) != 0;
		if (*ip_cksum)
			conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	}
	rc = rte_eth_dev_configure(id, n_rx, n_tx, &conf);
	if (rc != 0)
		return log_error(err, errlen, "cannot configure %u RX / %u TX queues: %s", n_rx,
				 n_tx, strerror(-rc));
	rte_eth_dev_adjust_nb_rx_tx_desc(id, &nb_rxd, &nb_txd);
	for (uint16_t q = 0; q < n_rx; q++) {
		rc = rte_eth_rx_queue_setup(id, q, nb_rxd, (unsigned int)socket, NULL, pool);
		if (rc != 0)
			return log_error(err, errlen, "RX queue %u: %s", q, strerror(-rc));
	}
	for (uint16_t q = 0; q < n_tx; q++) {
		rc = rte_eth_tx_queue_setup(id, q, nb_txd, (unsigned int)socket, NULL);
		if (rc != 0)
			return log_error(err, errlen, "TX queue %u: %s", q, strerror(-rc));
	}
	rc = rte_eth_dev_set_mtu(id, mtu);
	if (rc != 0 && rc != -ENOTSUP)
		HALB_LOG(port, WARNING, "port %u: cannot set MTU %u: %s", id, mtu, strerror(-rc));
	/* VRRP adverts go to 01:00:5e:00:00:12: let multicast in. */
	rte_eth_allmulticast_enable(id);
	rc = rte_eth_dev_start(id);
	if (rc != 0)
		return log_error(err, errlen, "cannot start: %s", strerror(-rc));
	return 0;
}

/* The kernel's routes through the TAP (kernel_routes), after its addresses. */
static int tap_routes(struct port_rt *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->cfg->n_kroutes; i++) {
		const struct cfg_kernel_route *r = &p->cfg->kroutes[i];
		int rc = port_kernel_route(p, r, true);
		char rt[64];

		port_route_str(r, rt, sizeof(rt));
		if (rc == -EEXIST)
			HALB_LOG(port, WARNING,
				 "%s: route %s not added: the kernel has a route to that prefix "
				 "already (through another interface?)",
				 p->cfg->kernel_if, rt);
		else if (rc != 0)
			return log_error(err, errlen, "cannot add the route %s to %s: %s", rt,
					 p->cfg->kernel_if, strerror(-rc));
		else
			HALB_LOG(port, INFO, "%s: route %s", p->cfg->kernel_if, rt);
	}
	return 0;
}

static int tap_open(struct port_rt *p, struct rte_mempool *pool, char *err, size_t errlen)
{
	char args[256], mac[RTE_ETHER_ADDR_FMT_SIZE];
	int rc;

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	snprintf(p->tap_name, sizeof(p->tap_name), "net_tap_halb%u", p->index);
	snprintf(args, sizeof(args), "%s,iface=%s,mac=%s", p->tap_name, p->cfg->kernel_if, mac);
	rc = rte_dev_probe(args);
	if (rc != 0)
		return log_error(err, errlen, "cannot create TAP %s: %s", p->cfg->kernel_if,
				 strerror(-rc));
	if (rte_eth_dev_get_port_by_name(p->tap_name, &p->tap_id) != 0)
		return log_error(err, errlen, "TAP %s created but not found", p->tap_name);
	port_kernel_ipv6_setup(p->cfg->kernel_if);
	if (dev_start(p->tap_id, 1, 1, (uint16_t)p->cfg->mtu, pool, p->socket, NULL, err, errlen) !=
	    0)
		return -1;
	p->ifindex = if_nametoindex(p->cfg->kernel_if);
	if (p->ifindex == 0)
		return log_error(err, errlen, "TAP %s has no kernel interface: %s",
				 p->cfg->kernel_if, strerror(errno));
	for (size_t a = 0; a < p->cfg->n_addrs; a++) {
		const struct cfg_prefix *pf = &p->cfg->addrs[a];

		rc = port_kernel_addr(p, &pf->addr, pf->plen, NULL, true);
		if (rc != 0)
			return log_error(err, errlen, "cannot add an address to %s: %s",
					 p->cfg->kernel_if, strerror(-rc));
	}
	return tap_routes(p, err, errlen);
}

int port_open(struct port_rt *p, const struct cfg_port *cfg, uint8_t index, uint16_t n_workers,
	      struct rte_mempool *pool, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	char name[RTE_ETH_NAME_MAX_LEN], why[200];
	int rc;

	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->index = index;
	p->tap_id = RTE_MAX_ETHPORTS;
	port_device_name(cfg->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &p->port_id) != 0) {
		p->port_id = RTE_MAX_ETHPORTS;
		return log_error(err, errlen,
				 "port %s: no device %s (is it bound to a DPDK driver?)", cfg->name,
				 name);
	}
	p->socket = rte_eth_dev_socket_id(p->port_id);
	if (p->socket < 0)
		p->socket = 0;
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return log_error(err, errlen, "port %s: %s", cfg->name, strerror(-rc));
	p->n_rxq = n_workers;
	p->n_txq = n_workers;
	p->ctl_txq = -1;
	/* A device whose queues come in pairs (af_packet: one socket each,
	 * all receiving) has no TX queue to spare for the control core. */
	if (info.max_tx_queues > n_workers && info.max_rx_queues > n_workers &&
	    strcmp(info.driver_name, "net_af_packet") != 0) {
		p->ctl_txq = (int16_t)n_workers;
		p->n_txq = n_workers + 1;
	}
	if (dev_start(p->port_id, p->n_rxq, p->n_txq, (uint16_t)cfg->mtu, pool, p->socket,
		      &p->tx_ip_cksum, why, sizeof(why)) != 0)
		return log_error(err, errlen, "port %s (%s): %s", cfg->name, cfg->device, why);
	rte_eth_macaddr_get(p->port_id, &p->mac);
	if (tap_open(p, pool, why, sizeof(why)) != 0)
		return log_error(err, errlen, "port %s: %s", cfg->name, why);
	return 0;
}

void port_close(struct port_rt *p)
{
	if (p->port_id < RTE_MAX_ETHPORTS) {
		rte_eth_dev_stop(p->port_id);
		rte_eth_dev_close(p->port_id);
		p->port_id = RTE_MAX_ETHPORTS;
	}
	if (p->tap_id < RTE_MAX_ETHPORTS) {
		rte_eth_dev_stop(p->tap_id);
		rte_eth_dev_close(p->tap_id);
		rte_eal_hotplug_remove("vdev", p->tap_name);
		p->tap_id = RTE_MAX_ETHPORTS;
	}
}

bool port_link_up(const struct port_rt *p)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(p->port_id, &link) != 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}
