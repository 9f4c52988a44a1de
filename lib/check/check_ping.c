/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PING_CHECK: one ICMP echo request to the target (ICMPv6 for an IPv6 one);
 * an echo reply within connect_timeout passes (keepalived's check_ping.c).
 *
 * The echo leaves from a kernel socket, like every other check: through the
 * TAP, the control core and the dataplane port to the real server, and the
 * reply comes back the same way (docs/CHECKS.md). The socket is an ICMP
 * datagram socket ("ping socket": the kernel picks the echo id and hands
 * over only the replies to it) when net.ipv4.ping_group_range lets halb's
 * group have one; otherwise, as root with CAP_NET_RAW, a raw ICMP socket
 * that lets only echo replies through (ICMP_FILTER) and whose replies are
 * matched on id and sequence here (IPv6: ICMP6_FILTER). keepalived widens
 * ping_group_range instead; halb changes no system setting.
 *
 * An ICMP error about the echo (host unreachable...) fails at once on a
 * datagram socket (IP_RECVERR); on a raw socket the deadline decides.
 */
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ip.h>

#include "check_int.h"

#define ECHO_REQUEST  8
#define ECHO_REPLY    0
#define ECHO_REQUEST6 128
#define ECHO_REPLY6   129

/* ---------------------------------------------------------------- pure */

void check_icmp_echo(uint8_t *buf, uint8_t af, uint16_t id, uint16_t seq)
{
	static const char pattern[] = "halb PING_CHECK ";
	uint16_t sum;

	memset(buf, 0, 8);
	buf[0] = af == 6 ? ECHO_REQUEST6 : ECHO_REQUEST;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (size_t i = 8; i < CHECK_ICMP_ECHO_LEN; i++)
		buf[i] = (uint8_t)pattern[(i - 8) % (sizeof(pattern) - 1)];
	if (af == 6)
		return; /* the kernel sums ICMPv6, which covers its pseudo-header */
	/* DPDK's sum is in the buffer's byte order: stored as it is */
	sum = (uint16_t)~rte_raw_cksum(buf, CHECK_ICMP_ECHO_LEN);
	memcpy(buf + 2, &sum, sizeof(sum));
}

bool check_icmp_is_reply(const uint8_t *buf, size_t len, uint8_t af, bool raw, uint16_t id,
			 uint16_t seq)
{
	size_t off = 0;

	if (raw && af != 6) {
		if (len < 20 || (buf[0] >> 4) != 4 || (buf[0] & 15) < 5)
			return false;
		off = (size_t)(buf[0] & 15) * 4;
	}
	if (len < off + 8 || buf[off] != (af == 6 ? ECHO_REPLY6 : ECHO_REPLY) || buf[off + 1] != 0)
		return false;
	if (((uint16_t)(buf[off + 6] << 8) | buf[off + 7]) != seq)
		return false;
	return !raw || ((uint16_t)(buf[off + 4] << 8) | buf[off + 5]) == id;
}

/* ------------------------------------------------------------------ probe */

static uint16_t ping_id(const struct check *c)
{
	/* a raw socket sees every echo reply: the id tells ours apart */
	return (uint16_t)(((uintptr_t)c >> 4) ^ ((uintptr_t)c >> 20));
}

static void ping_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	ssize_t n;

	(void)loop;
	(void)revents;
	for (;;) {
		n = recv(c->fd, c->e->dgram_buf, CHECK_DGRAM_BUF, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			check_net_failed(c, errno, "recv");
			return;
		}
		if (check_icmp_is_reply(c->e->dgram_buf, (size_t)n, c->def.ip.af, c->icmp_raw,
					ping_id(c), c->seq)) {
			check_attempt_done(c, CHECK_PASS, "ok", "echo reply (seq %u)", c->seq);
			return;
		}
	}
}

/* Only echo replies through a raw socket of family af. */
static void only_replies(int fd, bool v6)
{
	if (v6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ECHO_REPLY6, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	} else {
		struct icmp_filter f = { .data = ~(1U << ECHO_REPLY) };

		setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	}
}

/* An ICMP datagram socket, else a raw one; -1 after ending the attempt. */
static int ping_socket(struct check *c)
{
	const bool v6 = c->def.ip.af == 6;
	const int family = v6 ? AF_INET6 : AF_INET, proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int one = 1;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

	/* EACCES: our group is outside ping_group_range */
	c->icmp_raw = fd < 0 && (errno == EACCES || errno == EPERM);
	if (c->icmp_raw) {
		fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (!c->e->icmp_raw_said)
			HALB_LOG(check, INFO,
				 "PING_CHECK: net.ipv4.ping_group_range leaves out group %u: "
				 "echoes go out of raw ICMP sockets",
				 (unsigned int)getegid());
		c->e->icmp_raw_said = true;
	}
	if (check_socket_setup(c, fd, false) < 0)
		return -1;
	if (c->icmp_raw)
		only_replies(c->fd, v6);
	else if (v6)
		setsockopt(c->fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(c->fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	return c->fd;
}

void check_ping_start(struct check *c)
{
	uint8_t echo[CHECK_ICMP_ECHO_LEN];

	if (ping_socket(c) < 0)
		return;
	c->seq++;
	check_icmp_echo(echo, c->def.ip.af, ping_id(c), c->seq);
	if (check_connect(c) != 0) {
		check_net_failed(c, errno, "connect");
		return;
	}
	if (send(c->fd, echo, sizeof(echo), 0) != (ssize_t)sizeof(echo)) {
		check_net_failed(c, errno, "send");
		return;
	}
	c->phase = CHECK_WAITING;
	ev_io_init(&c->io, ping_io_cb, c->fd, EV_READ);
	c->io.data = c;
	ev_io_start(c->e->loop, &c->io);
}
