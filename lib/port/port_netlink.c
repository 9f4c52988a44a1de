/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses and routes on the TAP's kernel side (addresses also on another
 * interface of halb's, port_kif.c) through rtnetlink, with libmnl: one
 * request, one acknowledgement, on a short-lived socket (rare operations:
 * start-up, VRRP transitions, reloads, announcements). IPv6 addresses are
 * added without duplicate address detection (IFA_F_NODAD): halb answers
 * neighbour solicitations for them itself, and an address that waited for
 * DAD would be unusable for a second after every VRRP takeover.
 */
#include <errno.h>
#include <stdio.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "halb_port.h"

/* Sends one request and waits for its acknowledgement. @return 0 or -errno. */
static int nl_request(struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	uint32_t portid;
	int rc;

	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	rc = (int)mnl_socket_recvfrom(nl, buf, len);
	if (rc < 0)
		goto fail;
	rc = mnl_cb_run(buf, (size_t)rc, nlh->nlmsg_seq, portid, NULL, NULL);
	if (rc < 0)
		goto fail;
	mnl_socket_close(nl);
	return 0;
fail:
	rc = -errno;
	mnl_socket_close(nl);
	return rc;
}

/* An address attribute of either family. */
static void put_addr(struct nlmsghdr *nlh, uint16_t type, const struct cfg_addr *a)
{
	if (a->af == 6)
		mnl_attr_put(nlh, type, 16, a->v6);
	else
		mnl_attr_put_u32(nlh, type, htonl(a->v4));
}

int port_kernel_addr(const struct port_rt *p, const struct cfg_addr *addr, uint8_t plen,
		     const char *label, bool add)
{
	return port_ifindex_addr(p->ifindex, addr, plen, label, add);
}

int port_ifindex_addr(unsigned int ifindex, const struct cfg_addr *addr, uint8_t plen,
		      const char *label, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = addr->af == 6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = cfg_addr_is_link_local(addr) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	ifa->ifa_flags = addr->af == 6 ? IFA_F_NODAD : 0;
	put_addr(nlh, IFA_LOCAL, addr);
	put_addr(nlh, IFA_ADDRESS, addr);
	if (addr->af == 4 && add && plen < 31) {
		uint32_t brd = htonl(addr->v4 | (plen == 0 ? ~0u : ~(~0u << (32 - plen))));

		mnl_attr_put_u32(nlh, IFA_BROADCAST, brd);
	}
	if (addr->af == 4 && label != NULL && label[0] != '\0')
		mnl_attr_put_strz(nlh, IFA_LABEL, label);
	rc = nl_request(nlh, buf, sizeof(buf));
	/* Removing what is not there is what the caller wanted. */
	return !add && rc == -EADDRNOTAVAIL ? 0 : rc;
}

int port_kernel_route(const struct port_rt *p, const struct cfg_kernel_route *r, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	const bool has_via = r->via.af != 0;
	struct rtmsg *rtm;
	int rc;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/* EXCL: never replace a route the operator has elsewhere (a default
	 * route through a management NIC). */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->prefix.addr.af == 6 ? AF_INET6 : AF_INET;
	rtm->rtm_dst_len = r->prefix.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = has_via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->prefix.plen > 0)
		put_addr(nlh, RTA_DST, &r->prefix.addr);
	if (has_via)
		put_addr(nlh, RTA_GATEWAY, &r->via);
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (r->src.af != 0)
		put_addr(nlh, RTA_PREFSRC, &r->src);
	mnl_attr_put_u32(nlh, RTA_OIF, p->ifindex);
	rc = nl_request(nlh, buf, sizeof(buf));
	return !add && rc == -ESRCH ? 0 : rc;
}

const char *port_route_str(const struct cfg_kernel_route *r, char *buf, size_t len)
{
	char a[CFG_ADDR_STRLEN], v[CFG_ADDR_STRLEN];
	int n = snprintf(buf, len, "%s/%u", cfg_addr_str(&r->prefix.addr, a), r->prefix.plen);

	if (r->via.af != 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " via %s", cfg_addr_str(&r->via, v));
	if (r->metric && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " metric %u", r->metric);
	return buf;
}

/* Writes value to /proc/sys/net/ipv6/conf/IF/name; quietly nothing when
 * the kernel has no IPv6. */
static void ipv6_sysctl(const char *ifname, const char *name, const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, name);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fputs(value, f);
	fclose(f);
}

void port_kernel_ipv6_setup(const char *ifname)
{
	/* IPv6 on, whatever the host's default; no router advertisements (the
	 * routes are the dataplane file's); no duplicate address detection:
	 * halb answers neighbour solicitations for the TAP's addresses itself;
	 * the link-local address from the MAC (EUI-64), the one halb answers
	 * for, whatever the host's addr_gen_mode (stable privacy, say). */
	ipv6_sysctl(ifname, "addr_gen_mode", "0");
	ipv6_sysctl(ifname, "disable_ipv6", "0");
	ipv6_sysctl(ifname, "accept_ra", "0");
	ipv6_sysctl(ifname, "accept_dad", "0");
	ipv6_sysctl(ifname, "dad_transmits", "0");
}
