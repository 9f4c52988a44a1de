/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_PORT_H
#define HALB_PORT_H

/**
 * @file
 * Ports: a NIC (a PCI device or a vdev such as net_af_packet) with one RX
 * and TX queue per worker, and beside it a TAP device (DPDK's net_tap) that
 * is the kernel's view of the port: same MAC, the port's addresses, and the
 * VIPs while this director owns them. Whatever the dataplane does not
 * forward itself is written to the TAP, and what the kernel sends through
 * the TAP goes out of the port, so ARP, ping, SSH and health checks work on
 * the director as they do on a keepalived machine.
 *
 * The kernel side is driven with rtnetlink (libmnl): addresses added and
 * removed on the TAP, and the routes the dataplane file gives the kernel
 * there (kernel_routes), so that whenever halb creates the TAP (a start, a
 * restart) the director's own traffic finds its way again. Control core
 * only.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct port_rt {
	const struct cfg_port *cfg;
	uint8_t index;    /**< position in the dataplane file */
	uint16_t port_id; /**< the NIC's ethdev */
	uint16_t tap_id;  /**< the TAP's ethdev */
	struct rte_ether_addr mac;
	int socket; /**< NUMA node of the NIC (0 when unknown) */
	uint16_t n_rxq, n_txq;
	int16_t ctl_txq;      /**< dedicated control TX queue, or -1 */
	bool tx_ip_cksum;     /**< the NIC computes IPv4 header checksums it is asked to */
	unsigned int ifindex; /**< the TAP's kernel interface index */
	char tap_name[64];
};

/** The ethdev name a device string designates ("net_af_packet0" for
 * "net_af_packet0,iface=nic0"; the PCI address itself for PCI). */
void port_device_name(const char *device, char *name, size_t len);

/** The NUMA node of the device a port names (after rte_eal_init, before
 * port_open), or the calling lcore's when the device does not say. */
int port_device_socket(const char *device);

/**
 * Opens the NIC for n_workers RX/TX queues (plus a control TX queue where
 * the device has one to spare), starts it, then creates and starts its TAP
 * with the same MAC and adds the port's addresses to it.
 * @return 0, or -1 with a message in err.
 */
int port_open(struct port_rt *p, const struct cfg_port *cfg, uint8_t index, uint16_t n_workers,
	      struct rte_mempool *pool, char *err, size_t errlen);

/** Stops and releases the NIC and removes the TAP (and its kernel side). */
void port_close(struct port_rt *p);

/** Whether the NIC's link is up. */
bool port_link_up(const struct port_rt *p);

/** Adds (add true) or removes an IPv4 or IPv6 address on the TAP's kernel
 * side (IPv6 without duplicate address detection; label: IPv4 only).
 * @return 0, or a negative errno (adding an existing address is 0). */
int port_kernel_addr(const struct port_rt *p, const struct cfg_addr *addr, uint8_t plen,
		     const char *label, bool add);

/** Sets the IPv6 sysctls of a new TAP (before it goes up): IPv6 on, no
 * router advertisements, no duplicate address detection. */
void port_kernel_ipv6_setup(const char *ifname);

/** Adds (add true) or removes a route of the kernel through the TAP. Adding
 * never replaces a route the kernel has (-EEXIST); removing one that is not
 * there is 0. @return 0, or a negative errno. */
int port_kernel_route(const struct port_rt *p, const struct cfg_kernel_route *r, bool add);

/** "0.0.0.0/0 via 172.17.0.1 metric 100" for messages. @return buf */
const char *port_route_str(const struct cfg_kernel_route *r, char *buf, size_t len);

/** Same, on the interface of index ifindex. */
int port_ifindex_addr(unsigned int ifindex, const struct cfg_addr *addr, uint8_t plen,
		      const char *label, bool add);

/** A kernel interface of halb's own that carries no traffic (a TUN device,
 * up): its addresses are for a routing daemon to read. It lives while halb
 * holds it open, so it goes with halb however halb ends. */
struct port_kif {
	int fd; /**< -1: closed */
	unsigned int ifindex;
	char name[16];
};

/**
 * Creates the interface name and brings it up.
 * @return 0, or -1 with a message in err (the name is taken, no
 *   /dev/net/tun, no CAP_NET_ADMIN).
 */
int port_kif_open(struct port_kif *k, const char *name, char *err, size_t errlen);

/** Removes the interface (and its addresses). Closed twice is harmless. */
void port_kif_close(struct port_kif *k);

/** Adds (add true) or removes addr/32 (IPv6: /128) on it: 0 or a negative errno. */
int port_kif_addr(const struct port_kif *k, const struct cfg_addr *addr, bool add);

#ifdef __cplusplus
}
#endif

#endif /* HALB_PORT_H */
