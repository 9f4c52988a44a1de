/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses and routes on the TAP's kernel side (addresses also on another
 * interface of halb's, port_kif.c) through rtnetlink, with libmnl: one
 * request, one acknowledgement, on a short-lived socket (rare operations:
 * start-up, VRRP transitions, reloads, announcements).
 */
#include <errno.h>
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

int port_kernel_addr(const struct port_rt *p, uint32_t addr, uint8_t plen, const char *label,
		     bool add)
{
	return port_ifindex_addr(p->ifindex, addr, plen, label, add);
}

int port_ifindex_addr(unsigned int ifindex, uint32_t addr, uint8_t plen, const char *label,
		      bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t be = htonl(addr);
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, be);
	if (add && plen < 31) {
		uint32_t brd = htonl(addr | (plen == 0 ? ~0u : ~(~0u << (32 - plen))));

		mnl_attr_put_u32(nlh, IFA_BROADCAST, brd);
	}
	if (label != NULL && label[0] != '\0')
		mnl_attr_put_strz(nlh, IFA_LABEL, label);
	rc = nl_request(nlh, buf, sizeof(buf));
	/* Removing what is not there is what the caller wanted. */
	return !add && rc == -EADDRNOTAVAIL ? 0 : rc;
}

int port_kernel_route(const struct port_rt *p, const struct cfg_kernel_route *r, bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	int rc;

	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	/* EXCL: never replace a route the operator has elsewhere (a default
	 * route through a management NIC). */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = r->prefix.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (r->prefix.plen > 0)
		mnl_attr_put_u32(nlh, RTA_DST, htonl(r->prefix.addr));
	if (r->via)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(r->via));
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (r->src)
		mnl_attr_put_u32(nlh, RTA_PREFSRC, htonl(r->src));
	mnl_attr_put_u32(nlh, RTA_OIF, p->ifindex);
	rc = nl_request(nlh, buf, sizeof(buf));
	return !add && rc == -ESRCH ? 0 : rc;
}

const char *port_route_str(const struct cfg_kernel_route *r, char *buf, size_t len)
{
	char a[16], v[16];
	int n = snprintf(buf, len, "%s/%u", cfg_ipv4_str(r->prefix.addr, a), r->prefix.plen);

	if (r->via && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " via %s", cfg_ipv4_str(r->via, v));
	if (r->metric && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " metric %u", r->metric);
	return buf;
}
