/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A kernel interface of halb's own that carries no traffic: a TUN device,
 * up, whose addresses a routing daemon reads (route health injection puts
 * the announced VIPs there, docs/SCALEOUT.md). It is not persistent: it
 * lives while halb holds its file descriptor, so when halb dies, even by
 * kill -9, the kernel removes the interface and its addresses, and the
 * routing daemon withdraws them. Nothing is ever read from it; the kernel
 * sends nothing through it, since no route points there.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "halb_log.h"
#include "halb_port.h"

/* Sets IFF_UP on the interface named ifr->ifr_name. */
static int kif_up(struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, SIOCGIFFLAGS, ifr) != 0) {
		rc = -errno;
	} else {
		ifr->ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, ifr) != 0)
			rc = -errno;
	}
	close(s);
	return rc;
}

int port_kif_open(struct port_kif *k, const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int rc;

	*k = (struct port_kif){ .fd = -1 };
	if (strlen(name) >= IFNAMSIZ)
		return log_error(err, errlen, "interface name %s is too long", name);
	k->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return log_error(err, errlen, "cannot open /dev/net/tun for %s: %s", name,
				 strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(k->fd, TUNSETIFF, &ifr) != 0) {
		rc = errno;
		port_kif_close(k);
		return log_error(err, errlen, "cannot create interface %s: %s%s", name,
				 strerror(rc),
				 rc == EBUSY || rc == EINVAL
				     ? " (an interface of that name exists: remove it, or name "
				       "another in announce.interface)"
				     : "");
	}
	snprintf(k->name, sizeof(k->name), "%s", ifr.ifr_name);
	rc = kif_up(&ifr);
	k->ifindex = if_nametoindex(k->name);
	if (rc == 0 && k->ifindex == 0)
		rc = -errno;
	if (rc != 0) {
		port_kif_close(k);
		return log_error(err, errlen, "cannot bring interface %s up: %s", name,
				 strerror(-rc));
	}
	return 0;
}

void port_kif_close(struct port_kif *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->ifindex = 0;
}

int port_kif_addr(const struct port_kif *k, const struct cfg_addr *addr, bool add)
{
	if (k->fd < 0)
		return -ENODEV;
	return port_ifindex_addr(k->ifindex, addr, addr->af == 6 ? 128 : 32, NULL, add);
}
