/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses on the TAP's kernel side through rtnetlink, with libmnl: one
 * request, one acknowledgement, on a short-lived socket (rare operations:
 * start-up, VRRP transitions).
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

int port_kernel_addr(const struct port_rt *p, uint32_t addr, uint8_t plen, const char *label,
		     bool add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t seq = (uint32_t)time(NULL), portid;
	uint32_t be = htonl(addr);
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = p->ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, be);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, be);
	if (add && plen < 31) {
		uint32_t brd = htonl(addr | (plen == 0 ? ~0u : ~(~0u << (32 - plen))));

		mnl_attr_put_u32(nlh, IFA_BROADCAST, brd);
	}
	if (label != NULL && label[0] != '\0')
		mnl_attr_put_strz(nlh, IFA_LABEL, label);

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (nl == NULL)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	rc = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (rc < 0)
		goto fail;
	rc = mnl_cb_run(buf, (size_t)rc, seq, portid, NULL, NULL);
	mnl_socket_close(nl);
	if (rc < 0) {
		/* Removing what is not there is what the caller wanted. */
		if (!add && errno == EADDRNOTAVAIL)
			return 0;
		return -errno;
	}
	return 0;
fail:
	rc = -errno;
	mnl_socket_close(nl);
	return rc;
}
