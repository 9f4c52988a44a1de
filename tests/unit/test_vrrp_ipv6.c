/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vrrp over IPv6 (RFC 5798 with an IPv6 header): an advert built by
 * hand from the RFC's layout and keepalived's choices (traffic class 0xc0,
 * hop limit 255, to ff02::12 from the link-local address, the checksum over
 * the IPv6 pseudo-header), decoded back; one crafted packet per reject
 * that IPv6 adds; the instance checks with IPv6 VIPs and peers; and the
 * election's tie-break on 128-bit addresses. One row per case where cases
 * repeat.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "halb_vrrp.h"

static const uint8_t vip_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
static const uint8_t vip_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 };
static const uint8_t ll_master[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x06 };
static const uint8_t ll_backup[16] = { 0xfe, 0x80, [8] = 0x02, [15] = 0x11 };
static const uint8_t group[16] = { 0xff, 0x02, [15] = 0x12 };

/* RFC 1071 over the IPv6 pseudo-header and the message, written apart from
 * the library. */
static uint16_t csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	uint32_t sum = 112 + (uint32_t)len;

	for (size_t i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static const uint8_t vips[2][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 },
};

static struct vrrp_tx tx6(uint8_t prio)
{
	struct vrrp_tx tx = { .version = 3,
			      .vrid = 51,
			      .priority = prio,
			      .interval_cs = 100,
			      .n_addrs = 2,
			      .af = 6,
			      .addrs6 = vips };

	memcpy(tx.src6, ll_master, 16);
	memcpy(tx.dst6, group, 16);
	return tx;
}

static size_t encode6(const struct vrrp_tx *tx, uint8_t *buf, size_t cap)
{
	int n = vrrp_encode(buf, cap, tx);

	assert_true(n > 0);
	return (size_t)n;
}

static void test_bytes(void **state)
{
	uint8_t want[40 + 8 + 32], got[sizeof(want) + 8];
	struct vrrp_tx tx = tx6(100);
	uint16_t c;

	(void)state;
	memset(want, 0, sizeof(want));
	want[0] = 0x6c; /* version 6, traffic class 0xc0 */
	want[5] = 40;   /* payload: 8 + 2 * 16 */
	want[6] = 112;
	want[7] = 255;
	memcpy(want + 8, ll_master, 16);
	memcpy(want + 24, group, 16);
	want[40] = 0x31; /* version 3, advertisement */
	want[41] = 51;
	want[42] = 100;
	want[43] = 2;
	want[45] = 100; /* 1 s in centiseconds */
	memcpy(want + 48, vip_a, 16);
	memcpy(want + 64, vip_b, 16);
	c = csum6(ll_master, group, want + 40, 40);
	want[46] = (uint8_t)(c >> 8);
	want[47] = (uint8_t)c;
	assert_int_equal(vrrp_encoded_len6(2), sizeof(want));
	assert_int_equal(encode6(&tx, got, sizeof(got)), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
}

static void test_roundtrip(void **state)
{
	uint8_t buf[256];
	struct vrrp_tx tx = tx6(254);
	struct vrrp_advert a;
	size_t n = encode6(&tx, buf, sizeof(buf));

	(void)state;
	assert_int_equal(vrrp_decode(buf, n, &a), VRRP_OK);
	assert_int_equal(a.af, 6);
	assert_int_equal(a.version, 3);
	assert_int_equal(a.priority, 254);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.ttl, 255);
	assert_int_equal(a.interval_cs, 100);
	assert_memory_equal(a.src6, ll_master, 16);
	assert_memory_equal(a.dst6, group, 16);
	assert_memory_equal(a.addrs6[1], vip_b, 16);
}

/* Crafted packets: what each edit must be rejected for. */
static void test_rejects(void **state)
{
	static const struct {
		const char *what;
		size_t off;
		uint8_t value;
		int len_delta;
		enum vrrp_reject want;
	} cases[] = {
		{ "cut short", 0, 0x6c, -1, VRRP_REJECT_TRUNCATED },
		{ "a fragment header", 6, 44, 0, VRRP_REJECT_FRAGMENT },
		{ "another next header", 6, 17, 0, VRRP_REJECT_NOT_VRRP },
		{ "version 2 over IPv6", 40, 0x21, 0, VRRP_REJECT_BAD_VERSION },
		{ "a wrong address count", 43, 3, 0, VRRP_REJECT_BAD_LENGTH },
		{ "a bit flipped in an address", 60, 0x55, 0, VRRP_REJECT_BAD_CHECKSUM },
		{ "a bit flipped in the source", 20, 0x77, 0, VRRP_REJECT_BAD_CHECKSUM },
	};
	uint8_t good[256], p[256];
	struct vrrp_tx tx = tx6(100);
	size_t n = encode6(&tx, good, sizeof(good));

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vrrp_advert a;

		memcpy(p, good, n);
		p[cases[i].off] = cases[i].value;
		if (vrrp_decode(p, (size_t)((int)n + cases[i].len_delta), &a) != cases[i].want)
			fail_msg(
			    "%s: got %s, want %s", cases[i].what,
			    vrrp_reject_name(vrrp_decode(p, n + (size_t)cases[i].len_delta, &a)),
			    vrrp_reject_name(cases[i].want));
	}
}

static struct vrrp_check_params check6(void)
{
	return (struct vrrp_check_params){
		.version = 3, .vrid = 51, .interval_cs = 100, .n_vips = 2, .af = 6, .vips6 = vips
	};
}

/* The instance's checks, with IPv6 addresses. */
static void test_check(void **state)
{
	static const uint8_t other_peer[1][16] = { { 0xfe, 0x80, [15] = 0x99 } };
	uint8_t buf[256];
	struct vrrp_tx tx = tx6(100);
	struct vrrp_check_params c = check6();
	struct vrrp_advert a;
	unsigned int flags;

	(void)state;
	assert_int_equal(vrrp_decode(buf, encode6(&tx, buf, sizeof(buf)), &a), VRRP_OK);
	assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_OK);
	/* one VIP of ours missing from the advert */
	tx.n_addrs = 1;
	assert_int_equal(vrrp_decode(buf, encode6(&tx, buf, sizeof(buf)), &a), VRRP_OK);
	assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_REJECT_ADDR_MISMATCH);
	assert_true(flags & VRRP_CHECK_ADDR_COUNT);
	/* a unicast instance: the group is the wrong destination, and a
	 * unicast advert from a stranger is refused */
	tx.n_addrs = 2;
	c.unicast = true;
	c.check_unicast_src = true;
	c.peers6 = other_peer;
	c.n_peers = 1;
	assert_int_equal(vrrp_decode(buf, encode6(&tx, buf, sizeof(buf)), &a), VRRP_OK);
	assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_REJECT_DST_MISMATCH);
	memcpy(tx.dst6, ll_backup, 16);
	assert_int_equal(vrrp_decode(buf, encode6(&tx, buf, sizeof(buf)), &a), VRRP_OK);
	assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_REJECT_UNKNOWN_PEER);
	/* the known peer's min_ttl/max_ttl apply to its hop limit (255 here) */
	{
		uint8_t master_peer[1][16];
		const struct vrrp_ttl_range near = { .min = 0, .max = 254 },
					    any = { .min = 0, .max = 255 };

		memcpy(master_peer[0], ll_master, 16);
		c.peers6 = (const uint8_t(*)[16])master_peer;
		c.peer_ttl = &near;
		assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_REJECT_TTL_RANGE);
		c.peer_ttl = &any;
		assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_OK);
	}
	/* an IPv4 instance of the same VRID does not take an IPv6 advert */
	c = check6();
	c.af = 4;
	memcpy(tx.dst6, group, 16);
	assert_int_equal(vrrp_decode(buf, encode6(&tx, buf, sizeof(buf)), &a), VRRP_OK);
	assert_int_equal(vrrp_advert_check(&c, &a, &flags), VRRP_REJECT_VRID_MISMATCH);
}

/* RFC 5798 6.4.3: of two masters of one priority, the higher primary
 * address (here, 128 bits of link-local) wins. */
static void test_tie_break(void **state)
{
	static const struct {
		const uint8_t *theirs;
		enum vrrp_state after;
	} cases[] = {
		{ ll_backup, VRRP_STATE_BACKUP }, /* fe80::2:0:0:11 > fe80::2:0:0:6 */
		{ ll_master, VRRP_STATE_MASTER }, /* our own: nothing */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vrrp_params p;
		struct vrrp_fsm s;
		struct vrrp_actions out;
		struct vrrp_advert adv = { .version = 3,
					   .vrid = 51,
					   .priority = 100,
					   .count = 2,
					   .interval_cs = 100,
					   .ttl = 255,
					   .af = 6 };
		struct vrrp_event ev = { .type = VRRP_EV_STARTUP };
		uint64_t now = 1000;

		vrrp_params_init(&p);
		p.version = 3;
		p.af = 6;
		memcpy(p.src_ip6, ll_master, 16);
		assert_int_equal(vrrp_params_normalise(&p, NULL), 0);
		vrrp_fsm_init(&s, &p);
		assert_int_equal(vrrp_fsm_step(&p, &s, &ev, now, &out), 0);
		now = vrrp_fsm_next_deadline(&s);
		ev.type = VRRP_EV_TIMER;
		assert_int_equal(vrrp_fsm_step(&p, &s, &ev, now, &out), 0);
		assert_int_equal(s.state, VRRP_STATE_MASTER);
		assert_memory_equal(s.master_ip6, ll_master, 16);
		memcpy(adv.src6, cases[i].theirs, 16);
		memcpy(adv.dst6, group, 16);
		memcpy(adv.addrs6, vips, sizeof(vips));
		ev = (struct vrrp_event){ .type = VRRP_EV_ADVERT, .advert = &adv };
		assert_int_equal(vrrp_fsm_step(&p, &s, &ev, now + 10, &out), 0);
		assert_int_equal(s.state, cases[i].after);
		if (cases[i].after == VRRP_STATE_BACKUP)
			assert_memory_equal(s.master_ip6, ll_backup, 16);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),     cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rejects),   cmocka_unit_test(test_check),
		cmocka_unit_test(test_tie_break),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
