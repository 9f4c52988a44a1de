/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for what a worker hands the control core: any bytes as an
 * IPv4 or IPv6 packet. vrrp_decode() must never read outside them; what it
 * accepts is checked against four fixed instances (the seed's VI_1 in VRRPv2
 * with PASS, the same in VRRPv3, a unicast v2 instance checking its peers,
 * an IPv6 VRRPv3 one), must
 * re-encode to the same advert, and is stepped through a BACKUP and a MASTER
 * state machine. A broken invariant aborts, which libFuzzer reports.
 *
 * Random mutations almost never keep the two checksums right, which would
 * leave everything behind them unexplored; so each input is also decoded
 * once more with its IP and VRRP checksums repaired (where its lengths allow).
 *
 * Seeds: tests/fuzz/corpus/vrrp_decode/ (valid v2 and v3 adverts).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "halb_vrrp.h"

static const uint32_t vips[] = { 0xac116464 };  /* 172.17.100.100 */
static const uint32_t peers[] = { 0xac110106 }; /* 172.17.1.6 */
static const uint8_t vips6[1][16] = { { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0, [14] = 1 } };
static const uint8_t ll6[16] = { 0xfe, 0x80, [15] = 6 };

static void require(int ok)
{
	if (!ok)
		abort();
}

static struct vrrp_check_params instance(unsigned int which)
{
	struct vrrp_check_params c = {
		.version = which == 1 ? 3 : 2,
		.vrid = 51,
		.auth_type = which == 1 ? VRRP_AUTH_NONE : VRRP_AUTH_PASS,
		.auth_pass = { 'a', 'l', 'o', 'n', 'g' },
		.interval_cs = 100,
		.vips = vips,
		.n_vips = 1,
		.unicast = which == 2,
		.check_unicast_src = which == 2,
		.peers = peers,
		.n_peers = 1,
		.addr_check = (enum vrrp_addr_check)(which % 3),
	};

	if (which == 3) {
		c.version = 3;
		c.auth_type = VRRP_AUTH_NONE;
		c.af = 6;
		c.vips6 = vips6;
	}
	return c;
}

/* decode(encode(a)) == a for every field the encoder carries. */
static void check_roundtrip(const struct vrrp_advert *a)
{
	static uint8_t buf[VRRP_PKT_MAX];
	struct vrrp_tx tx = {
		.version = a->version,
		.vrid = a->vrid,
		.priority = a->priority,
		.interval_cs = a->interval_cs,
		.addrs = a->addrs,
		.n_addrs = a->count,
		.auth_type = a->auth_type,
		.src = a->src,
		.dst = a->dst,
		.af = a->af,
		.addrs6 = (const uint8_t(*)[16])a->addrs6,
	};
	static struct vrrp_advert b;
	int n;

	memcpy(tx.auth_pass, a->auth_data, sizeof(tx.auth_pass));
	memcpy(tx.src6, a->src6, 16);
	memcpy(tx.dst6, a->dst6, 16);
	n = vrrp_encode(buf, sizeof(buf), &tx);
	if (n < 0) {
		/* only AH (v2 Auth Type 2) cannot be sent */
		require(n == -EINVAL && a->version == 2 && a->auth_type == VRRP_AUTH_AH);
		return;
	}
	require(vrrp_decode(buf, (size_t)n, &b) == VRRP_OK);
	require(b.version == a->version && b.vrid == a->vrid && b.priority == a->priority);
	require(b.count == a->count && b.interval_cs == a->interval_cs);
	require(b.src == a->src && b.dst == a->dst && b.auth_type == a->auth_type);
	require(b.af == a->af && memcmp(b.src6, a->src6, 16) == 0 &&
		memcmp(b.dst6, a->dst6, 16) == 0);
	if (a->af == 6)
		require(memcmp(b.addrs6, a->addrs6, 16 * (size_t)a->count) == 0);
	else
		require(memcmp(b.addrs, a->addrs, sizeof(uint32_t) * a->count) == 0);
	if (a->auth_type == VRRP_AUTH_PASS)
		require(memcmp(b.auth_data, a->auth_data, VRRP_AUTH_PASS_LEN) == 0);
}

/* An accepted advert at a BACKUP and at a MASTER: any outcome is fine as
 * long as the state stays sane and a deadline stays armed. */
static void check_fsm(const struct vrrp_advert *a)
{
	struct vrrp_params p;
	struct vrrp_fsm s;
	struct vrrp_actions out;
	struct vrrp_event start = { .type = VRRP_EV_STARTUP };
	struct vrrp_event timer = { .type = VRRP_EV_TIMER };
	struct vrrp_event adv = { .type = VRRP_EV_ADVERT, .advert = a };

	vrrp_params_init(&p);
	p.version = a->version;
	p.src_ip = peers[0];
	p.af = a->af;
	memcpy(p.src_ip6, ll6, 16);
	require(vrrp_params_normalise(&p, NULL) == 0);
	vrrp_fsm_init(&s, &p);
	require(vrrp_fsm_step(&p, &s, &start, 1000, &out) == 0);
	require(vrrp_fsm_step(&p, &s, &adv, 1500, &out) == 0);
	require(s.state == VRRP_STATE_BACKUP && vrrp_fsm_next_deadline(&s) >= 1500);
	require(vrrp_fsm_step(&p, &s, &timer, vrrp_fsm_next_deadline(&s), &out) == 0);
	require(s.state == VRRP_STATE_MASTER || s.state == VRRP_STATE_BACKUP);
	if (s.state != VRRP_STATE_MASTER)
		return;
	require(vrrp_fsm_step(&p, &s, &adv, s.advert_at - 1, &out) == 0);
	require(s.state == VRRP_STATE_MASTER || s.state == VRRP_STATE_BACKUP);
	require(vrrp_fsm_next_deadline(&s) != VRRP_NEVER);
	require(!(out.take_vips && out.release_vips));
}

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Rewrites both checksums of pkt in place when its IHL and total length fit
 * in size; returns 0 when they do not (nothing to repair). */
static int repair_checksums6(uint8_t *pkt, size_t size)
{
	size_t vlen = (size_t)(pkt[4] << 8 | pkt[5]);
	uint32_t pseudo = 112 + (uint32_t)vlen;

	if (size < 40 + 8 || 40 + vlen > size || vlen < 8)
		return 0;
	for (size_t i = 8; i < 40; i += 2)
		pseudo += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
	put16(pkt + 40 + 6, 0);
	put16(pkt + 40 + 6, csum(pkt + 40, vlen, pseudo));
	return 1;
}

static int repair_checksums(uint8_t *pkt, size_t size)
{
	size_t ihl, total, vlen;
	uint32_t pseudo = 0;

	if (size >= 40 && pkt[0] >> 4 == 6)
		return repair_checksums6(pkt, size);
	if (size < 20)
		return 0;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = (size_t)(pkt[2] << 8 | pkt[3]);
	if (ihl < 20 || total < ihl + 8 || total > size)
		return 0;
	put16(pkt + 10, 0);
	put16(pkt + 10, csum(pkt, ihl, 0));
	vlen = total - ihl;
	if (pkt[ihl] >> 4 == 3) {
		for (size_t i = 12; i < 20; i += 2)
			pseudo += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
		pseudo += 112 + (uint32_t)vlen;
	}
	put16(pkt + ihl + 6, 0);
	put16(pkt + ihl + 6, csum(pkt + ihl, vlen, pseudo));
	return 1;
}

static void one_input(const uint8_t *data, size_t size)
{
	static struct vrrp_advert a;
	enum vrrp_reject r = vrrp_decode(data, size, &a);
	int accepted = 0;

	require(r < VRRP_REJECT_COUNT && r <= VRRP_REJECT_BAD_INTERVAL);
	if (r != VRRP_OK)
		return;
	require(a.version == 2 || a.version == 3);
	require(a.interval_cs != 0);
	check_roundtrip(&a);
	for (unsigned int i = 0; i < 4; i++) {
		struct vrrp_check_params c = instance(i);
		unsigned int flags;

		r = vrrp_advert_check(&c, &a, &flags);
		require(r == VRRP_OK || r >= VRRP_REJECT_VRID_MISMATCH);
		require(r < VRRP_REJECT_COUNT && strcmp(vrrp_reject_name(r), "unknown") != 0);
		accepted |= r == VRRP_OK;
	}
	if (accepted)
		check_fsm(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t copy[65536];

	one_input(data, size);
	if (size >= 20 && size <= sizeof(copy)) {
		memcpy(copy, data, size);
		if (repair_checksums(copy, size))
			one_input(copy, size);
	}
	return 0;
}
