/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/vrrp: codec, state machine, tracking and sync groups, with a fake clock.
 *
 * Four parts, in the order of the library's files:
 * - codec: round trips, checksums checked by an RFC 1071 sum written here,
 *   a keepalived VRRPv2/v3 advert built by hand from the RFC layout, and one
 *   crafted packet per reject reason;
 * - state machine: every timer and transition on one instance, driven by
 *   hand-made events at exact milliseconds;
 * - two directors (the seed's lvs-server-master 172.17.1.6 priority 100 and
 *   lvs-server-backup 172.17.11.11 priority 99) whose adverts go through
 *   vrrp_encode -> vrrp_decode -> vrrp_advert_check, with tracking scripts;
 * - sync groups, stepped the way the daemon's glue will step them.
 *
 * Timings at priority 100 / 99 and 1 s adverts: Skew_Time = 156/256 s =
 * 609 ms and 157/256 s = 613 ms, so Master_Down_Interval = 3609 / 3613 ms.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "halb_vrrp.h"

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint32_t seed_vip = IP4(172, 17, 100, 100);
static const uint32_t seed_master = IP4(172, 17, 1, 6);
static const uint32_t seed_backup = IP4(172, 17, 11, 11);
static const uint8_t seed_pass[8] = { 'a', 'l', 'o', 'n', 'g', 0, 0, 0 };

/* =========================================================== codec helpers */

/* RFC 1071, written independently of the library. */
static uint16_t rfc1071(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(const uint8_t *ip, size_t vrrp_len)
{
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 112;
	ph[10] = (uint8_t)(vrrp_len >> 8);
	ph[11] = (uint8_t)vrrp_len;
	return (uint32_t)(uint16_t)~rfc1071(ph, sizeof(ph), 0);
}

static size_t ip_total(const uint8_t *ip)
{
	return (size_t)(ip[2] << 8 | ip[3]);
}

static size_t ip_hlen(const uint8_t *ip)
{
	return (size_t)(ip[0] & 0x0f) * 4;
}

static void fix_ip_csum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = rfc1071(ip, ip_hlen(ip), 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void fix_vrrp_csum(uint8_t *ip)
{
	uint8_t *v = ip + ip_hlen(ip);
	size_t len = ip_total(ip) - ip_hlen(ip);
	uint16_t c;

	v[6] = v[7] = 0;
	c = rfc1071(v, len, (v[0] >> 4) == 3 ? pseudo_sum(ip, len) : 0);
	v[6] = (uint8_t)(c >> 8);
	v[7] = (uint8_t)c;
}

static struct vrrp_tx seed_tx(unsigned int version)
{
	struct vrrp_tx tx = {
		.version = (uint8_t)version,
		.vrid = 51,
		.priority = 100,
		.interval_cs = 100,
		.addrs = &seed_vip,
		.n_addrs = 1,
		.auth_type = version == 2 ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
		.src = seed_master,
		.dst = VRRP_MCAST_GROUP4,
		.ip_id = 1,
	};

	if (version == 2)
		memcpy(tx.auth_pass, seed_pass, 8);
	return tx;
}

static struct vrrp_check_params seed_check(unsigned int version)
{
	struct vrrp_check_params c = {
		.version = (uint8_t)version,
		.vrid = 51,
		.auth_type = version == 2 ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
		.interval_cs = 100,
		.vips = &seed_vip,
		.n_vips = 1,
	};

	if (version == 2)
		memcpy(c.auth_pass, seed_pass, 8);
	return c;
}

static int encode(const struct vrrp_tx *tx, uint8_t *buf)
{
	int n = vrrp_encode(buf, VRRP_PKT_MAX, tx);

	assert_true(n > 0);
	return n;
}

/* Decodes and checks against the seed instance; returns the first reject. */
static enum vrrp_reject decode_check(const uint8_t *pkt, size_t len,
				     const struct vrrp_check_params *c, unsigned int *flags)
{
	struct vrrp_advert a;
	enum vrrp_reject r = vrrp_decode(pkt, len, &a);

	if (r != VRRP_OK)
		return r;
	return vrrp_advert_check(c, &a, flags);
}

/* ==================================================================== codec */

static void test_codec_v2_keepalived_bytes(void **state)
{
	(void)state;
	/* RFC 3768 5.1 / 5.3 by hand: what keepalived 2.2.7 sends for the seed's
	 * VI_1 (vrid 51, priority 100, advert_int 1, auth PASS "along") */
	/* one row per 32-bit word of the RFC's diagrams */
	/* clang-format off */
	static const uint8_t expected[] = {
		0x45, 0xc0, 0x00, 0x28, /* IPv4, IHL 5, TOS 0xc0, total length 40 */
		0x00, 0x01, 0x00, 0x00, /* id 1, no DF, offset 0 */
		0xff, 0x70, 0x2d, 0x7b, /* TTL 255, protocol 112, header checksum */
		0xac, 0x11, 0x01, 0x06, /* 172.17.1.6 */
		0xe0, 0x00, 0x00, 0x12, /* 224.0.0.18 */
		0x21, 0x33, 0x64, 0x01, /* v2 advert, vrid 51, priority 100, 1 address */
		0x01, 0x01, 0x31, 0x79, /* auth PASS, 1 s, checksum */
		0xac, 0x11, 0x64, 0x64, /* 172.17.100.100 */
		'a',  'l',  'o',  'n',  /* Authentication Data: "along", zero-padded */
		'g',  0x00, 0x00, 0x00,
	};
	/* clang-format on */
	struct vrrp_tx tx = seed_tx(2);
	uint8_t buf[VRRP_PKT_MAX];
	int n = encode(&tx, buf);

	assert_int_equal(n, sizeof(expected));
	assert_memory_equal(buf, expected, sizeof(expected));
	/* and the hand-written checksums are right by an independent sum */
	assert_int_equal(rfc1071(expected, 20, 0), 0);
	assert_int_equal(rfc1071(expected + 20, 20, 0), 0);
}

static void test_codec_v3_bytes(void **state)
{
	(void)state;
	/* RFC 5798 5.1: the same instance in VRRPv3, checksum over the IPv4
	 * pseudo-header (src, dst, 0, 112, length 12) and the message */
	/* clang-format off */
	static const uint8_t expected[] = {
		0x45, 0xc0, 0x00, 0x20, /* IPv4, IHL 5, TOS 0xc0, total length 32 */
		0x00, 0x01, 0x00, 0x00, /* id 1, no DF, offset 0 */
		0xff, 0x70, 0x2d, 0x83, /* TTL 255, protocol 112, header checksum */
		0xac, 0x11, 0x01, 0x06, /* 172.17.1.6 */
		0xe0, 0x00, 0x00, 0x12, /* 224.0.0.18 */
		0x31, 0x33, 0x64, 0x01, /* v3 advert, vrid 51, priority 100, 1 address */
		0x00, 0x64, 0xcc, 0x4a, /* reserved 0, Max Adver Int 100 cs, checksum */
		0xac, 0x11, 0x64, 0x64, /* 172.17.100.100 */
	};
	/* clang-format on */
	struct vrrp_tx tx = seed_tx(3);
	uint8_t buf[VRRP_PKT_MAX];
	int n = encode(&tx, buf);

	assert_int_equal(n, sizeof(expected));
	assert_memory_equal(buf, expected, sizeof(expected));
	assert_int_equal(rfc1071(expected + 20, 12, pseudo_sum(expected, 12)), 0);
}

static void roundtrip(unsigned int version, size_t n_addrs, uint16_t interval_cs, uint8_t prio)
{
	uint32_t addrs[VRRP_MAX_ADDRS];
	struct vrrp_tx tx = seed_tx(version);
	struct vrrp_advert a;
	uint8_t buf[VRRP_PKT_MAX];
	size_t vlen;
	int n;

	for (size_t i = 0; i < n_addrs; i++)
		addrs[i] = IP4(10, 0, i / 256, i % 256);
	tx.addrs = addrs;
	tx.n_addrs = n_addrs;
	tx.interval_cs = interval_cs;
	tx.priority = prio;
	tx.ip_id = 0xbeef;
	n = encode(&tx, buf);
	assert_int_equal((size_t)n, vrrp_encoded_len(version, n_addrs));
	/* independent checksums */
	vlen = (size_t)n - 20;
	assert_int_equal(rfc1071(buf, 20, 0), 0);
	assert_int_equal(rfc1071(buf + 20, vlen, version == 3 ? pseudo_sum(buf, vlen) : 0), 0);
	assert_int_equal(vrrp_decode(buf, (size_t)n, &a), VRRP_OK);
	assert_int_equal(a.version, version);
	assert_int_equal(a.vrid, 51);
	assert_int_equal(a.priority, prio);
	assert_int_equal(a.count, n_addrs);
	assert_int_equal(a.interval_cs, interval_cs);
	assert_int_equal(a.ttl, 255);
	assert_int_equal(a.src, seed_master);
	assert_int_equal(a.dst, VRRP_MCAST_GROUP4);
	assert_int_equal(a.auth_type, version == 2 ? VRRP_AUTH_PASS : VRRP_AUTH_NONE);
	if (version == 2)
		assert_memory_equal(a.auth_data, seed_pass, 8);
	for (size_t i = 0; i < n_addrs; i++)
		assert_int_equal(a.addrs[i], addrs[i]);
}

static void test_codec_roundtrip(void **state)
{
	(void)state;
	roundtrip(2, 1, 100, 100);
	roundtrip(2, 0, 25500, 0); /* resigning, longest v2 interval */
	roundtrip(2, 20, 300, 255);
	roundtrip(2, VRRP_MAX_ADDRS, 100, 1);
	roundtrip(3, 1, 100, 100);
	roundtrip(3, 3, 1, 99);      /* 10 ms */
	roundtrip(3, 20, 0x0fff, 0); /* 40.95 s */
	roundtrip(3, VRRP_MAX_ADDRS, 50, 254);
}

static void test_codec_unicast_v3_checksum_uses_peer(void **state)
{
	struct vrrp_tx tx = seed_tx(3);
	uint8_t buf[VRRP_PKT_MAX];
	struct vrrp_advert a;
	int n;

	(void)state;
	tx.dst = seed_backup; /* keepalived 2.2.7 default: the real destination */
	n = encode(&tx, buf);
	assert_int_equal(rfc1071(buf + 20, 12, pseudo_sum(buf, 12)), 0);
	assert_int_equal(vrrp_decode(buf, (size_t)n, &a), VRRP_OK);
	assert_int_equal(a.dst, seed_backup);
}

static void test_codec_encode_errors(void **state)
{
	struct vrrp_tx tx = seed_tx(2);
	uint8_t buf[VRRP_PKT_MAX];

	(void)state;
	assert_int_equal(vrrp_encode(buf, 39, &tx), -ENOSPC);
	assert_int_equal(vrrp_encode(NULL, 0, &tx), -ENOSPC);
	assert_int_equal(vrrp_encode(buf, 40, &tx), 40);
	tx.interval_cs = 150; /* v2 carries whole seconds */
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx.interval_cs = 25600;
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx = seed_tx(2);
	tx.n_addrs = VRRP_MAX_ADDRS + 1;
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx = seed_tx(3);
	tx.interval_cs = 0;
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx.interval_cs = 0x1000;
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx = seed_tx(3);
	tx.auth_type = VRRP_AUTH_PASS; /* VRRPv3 has no authentication */
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	tx = seed_tx(2);
	tx.version = 4;
	assert_int_equal(vrrp_encode(buf, sizeof(buf), &tx), -EINVAL);
	assert_int_equal(vrrp_encoded_len(1, 1), 0);
	assert_int_equal(vrrp_encoded_len(2, 256), 0);
	assert_int_equal(vrrp_encoded_len(3, 1), 32);
}

static void test_codec_padding_and_options(void **state)
{
	struct vrrp_tx tx = seed_tx(2);
	uint8_t buf[VRRP_PKT_MAX + 8], opt[VRRP_PKT_MAX + 8];
	struct vrrp_advert a;
	int n;

	(void)state;
	n = encode(&tx, buf);
	/* Ethernet pads a 40-byte packet to 46: the bytes past total length go */
	memset(buf + n, 0xee, 6);
	assert_int_equal(vrrp_decode(buf, (size_t)n + 6, &a), VRRP_OK);
	/* an IP option (NOP x4): the advert starts after IHL * 4 */
	memcpy(opt, buf, 20);
	memset(opt + 20, 1, 4);
	memcpy(opt + 24, buf + 20, (size_t)n - 20);
	opt[0] = 0x46;
	opt[3] = (uint8_t)(n + 4);
	fix_ip_csum(opt);
	assert_int_equal(vrrp_decode(opt, (size_t)n + 4, &a), VRRP_OK);
	assert_int_equal(a.addrs[0], seed_vip);
}

/* One crafted packet per vrrp_decode() reason. */
static void test_codec_decode_rejects(void **state)
{
	uint8_t good[VRRP_PKT_MAX], p[VRRP_PKT_MAX + 8];
	struct vrrp_tx tx = seed_tx(2);
	struct vrrp_advert a;
	size_t n;

	(void)state;
	n = (size_t)encode(&tx, good);

#define CRAFT(stmt, len, reason)                                       \
	do {                                                           \
		memcpy(p, good, n);                                    \
		stmt;                                                  \
		assert_int_equal(vrrp_decode(p, (len), &a), (reason)); \
	} while (0)

	CRAFT((void)0, n, VRRP_OK);
	CRAFT((void)0, 19, VRRP_REJECT_TRUNCATED);
	CRAFT((void)0, n - 1, VRRP_REJECT_TRUNCATED); /* total length says 40 */
	CRAFT((p[0] = 0x55, fix_ip_csum(p)), n, VRRP_REJECT_BAD_IP_HEADER);
	CRAFT((p[0] = 0x44), n, VRRP_REJECT_BAD_IP_HEADER);
	CRAFT((p[2] = 0, p[3] = 19, fix_ip_csum(p)), n, VRRP_REJECT_BAD_IP_HEADER);
	CRAFT((p[0] = 0x4f, fix_ip_csum(p)), n, VRRP_REJECT_BAD_IP_HEADER); /* IHL 60 > total */
	CRAFT((p[0] = 0x4f, p[3] = 60, fix_ip_csum(p)), n, VRRP_REJECT_TRUNCATED); /* > len */
	CRAFT((p[11] ^= 1), n, VRRP_REJECT_BAD_IP_CHECKSUM);
	CRAFT((p[6] = 0x20, fix_ip_csum(p)), n, VRRP_REJECT_FRAGMENT); /* MF */
	CRAFT((p[7] = 0x01, fix_ip_csum(p)), n, VRRP_REJECT_FRAGMENT); /* offset */
	CRAFT((p[6] = 0x40, fix_ip_csum(p)), n, VRRP_OK);              /* DF is fine */
	CRAFT((p[9] = 6, fix_ip_csum(p)), n, VRRP_REJECT_NOT_VRRP);
	CRAFT((p[3] = 27, fix_ip_csum(p)), n, VRRP_REJECT_BAD_LENGTH); /* 7-byte VRRP */
	CRAFT((p[20] = 0x11, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_VERSION);
	CRAFT((p[20] = 0x41, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_VERSION);
	CRAFT((p[20] = 0x22, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_TYPE);
	CRAFT((p[23] = 2, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_LENGTH); /* 2 addresses? */
	CRAFT((p[3] = 44, memset(p + 40, 0, 4), fix_ip_csum(p), fix_vrrp_csum(p)), n + 4,
	      VRRP_REJECT_BAD_LENGTH); /* 4 bytes too many */
	CRAFT((p[27] ^= 0x40), n, VRRP_REJECT_BAD_CHECKSUM);
	CRAFT((p[36] = 'A'), n, VRRP_REJECT_BAD_CHECKSUM); /* the password is summed */
	CRAFT((p[24] = 3, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_AUTH_TYPE);
	CRAFT((p[24] = 2, fix_vrrp_csum(p)), n, VRRP_OK); /* AH: a type, mismatched later */
	CRAFT((p[25] = 0, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_INTERVAL);
	assert_int_equal(vrrp_decode(NULL, n, &a), VRRP_REJECT_TRUNCATED);

	/* VRRPv3: the pseudo-header counts, the interval is 12 bits */
	tx = seed_tx(3);
	n = (size_t)encode(&tx, good);
	CRAFT((void)0, n, VRRP_OK);
	CRAFT((p[19] = 0x13, fix_ip_csum(p)), n, VRRP_REJECT_BAD_CHECKSUM); /* other dst */
	CRAFT((p[24] = 0xf0, fix_vrrp_csum(p)), n, VRRP_OK); /* reserved bits ignored */
	CRAFT((p[24] = 0xf0, p[25] = 0, fix_vrrp_csum(p)), n, VRRP_REJECT_BAD_INTERVAL);
	CRAFT((p[3] = 36, memset(p + 32, 0, 4), fix_ip_csum(p), fix_vrrp_csum(p)), n + 4,
	      VRRP_REJECT_BAD_LENGTH); /* v3 has no Authentication Data */
#undef CRAFT
}

/* One advert per vrrp_advert_check() reason, against the seed instance. */
static void test_codec_check_rejects(void **state)
{
	struct vrrp_check_params c = seed_check(2);
	struct vrrp_tx tx;
	uint8_t p[VRRP_PKT_MAX];
	uint32_t two[2] = { seed_vip, IP4(172, 17, 100, 101) };
	uint32_t other = IP4(172, 17, 100, 200);
	unsigned int flags;
	size_t n;

	(void)state;
#define CHECK(txstmt, cstmt, reason)                                        \
	do {                                                                \
		tx = seed_tx(2);                                            \
		c = seed_check(2);                                          \
		txstmt;                                                     \
		cstmt;                                                      \
		n = (size_t)encode(&tx, p);                                 \
		assert_int_equal(decode_check(p, n, &c, &flags), (reason)); \
	} while (0)

	CHECK((void)0, (void)0, VRRP_OK);
	assert_int_equal(flags, 0);
	CHECK(tx.vrid = 52, (void)0, VRRP_REJECT_VRID_MISMATCH);
	/* TTL: rebuilt by hand (vrrp_encode writes 255 unless tx.ttl says) */
	tx = seed_tx(2);
	c = seed_check(2);
	n = (size_t)encode(&tx, p);
	p[8] = 254;
	fix_ip_csum(p);
	assert_int_equal(decode_check(p, n, &c, &flags), VRRP_REJECT_BAD_TTL);
	p[16] = 172; /* unicast to us: keepalived does not check the TTL */
	p[17] = 17;
	p[18] = 11;
	p[19] = 11;
	fix_ip_csum(p);
	c.unicast = true;
	assert_int_equal(decode_check(p, n, &c, &flags), VRRP_OK);
	c.unicast_check_ttl = true;
	assert_int_equal(decode_check(p, n, &c, &flags), VRRP_REJECT_BAD_TTL);

	CHECK((void)0, c.version = 3, VRRP_REJECT_VERSION_MISMATCH);
	CHECK(tx.auth_type = VRRP_AUTH_NONE, (void)0, VRRP_REJECT_AUTH_TYPE_MISMATCH);
	CHECK((void)0, c.auth_type = VRRP_AUTH_NONE, VRRP_REJECT_AUTH_TYPE_MISMATCH);
	CHECK(tx.auth_pass[4] = 'G', (void)0, VRRP_REJECT_BAD_AUTH);
	CHECK(tx.auth_pass[7] = 'x', (void)0, VRRP_REJECT_BAD_AUTH); /* all 8 bytes count */
	CHECK(tx.interval_cs = 200, (void)0, VRRP_REJECT_INTERVAL_MISMATCH);
	CHECK(tx.dst = seed_backup, (void)0, VRRP_REJECT_DST_MISMATCH);
	CHECK((void)0, c.unicast = true, VRRP_REJECT_DST_MISMATCH);
	CHECK(tx.dst = seed_backup,
	      (c.unicast = true, c.check_unicast_src = true, c.peers = &seed_backup, c.n_peers = 1),
	      VRRP_REJECT_UNKNOWN_PEER);
	CHECK(tx.dst = seed_backup,
	      (c.unicast = true, c.check_unicast_src = true, c.peers = &seed_master, c.n_peers = 1),
	      VRRP_OK);
	/* unicast_peer min_ttl/max_ttl: tx.ttl is what unicast_ttl sends */
	{
		const struct vrrp_ttl_range from_far = { .min = 250, .max = 255 },
					    from_near = { .min = 0, .max = 254 },
					    one_hop = { .min = 63, .max = 63 };

		CHECK((tx.dst = seed_backup, tx.ttl = 64),
		      (c.unicast = true, c.peers = &seed_master, c.n_peers = 1,
		       c.peer_ttl = &from_far),
		      VRRP_REJECT_TTL_RANGE);
		CHECK((tx.dst = seed_backup, tx.ttl = 250),
		      (c.unicast = true, c.peers = &seed_master, c.n_peers = 1,
		       c.peer_ttl = &from_far),
		      VRRP_OK);
		CHECK(tx.dst = seed_backup,
		      (c.unicast = true, c.peers = &seed_master, c.n_peers = 1,
		       c.peer_ttl = &from_near),
		      VRRP_REJECT_TTL_RANGE);
		CHECK((tx.dst = seed_backup, tx.ttl = 63),
		      (c.unicast = true, c.peers = &seed_master, c.n_peers = 1,
		       c.peer_ttl = &one_hop),
		      VRRP_OK);
		assert_int_equal(p[8], 63); /* the TTL written */
		/* the range is of unicast adverts: a multicast one needs 255 */
		CHECK(tx.ttl = 63, c.peer_ttl = &one_hop, VRRP_REJECT_BAD_TTL);
	}

	/* addresses: keepalived drops, the RFC lets the owner through, log-only
	 * accepts; the flags say what differed in every mode */
	CHECK((tx.addrs = two, tx.n_addrs = 2), (void)0, VRRP_REJECT_ADDR_MISMATCH);
	assert_int_equal(flags, VRRP_CHECK_ADDR_COUNT);
	CHECK(tx.addrs = &other, (void)0, VRRP_REJECT_ADDR_MISMATCH);
	assert_int_equal(flags, VRRP_CHECK_ADDR_LIST);
	CHECK(tx.addrs = &other, c.addr_check = VRRP_ADDR_CHECK_RFC, VRRP_REJECT_ADDR_MISMATCH);
	CHECK((tx.addrs = &other, tx.priority = 255), c.addr_check = VRRP_ADDR_CHECK_RFC, VRRP_OK);
	assert_int_equal(flags, VRRP_CHECK_ADDR_LIST);
	CHECK((tx.addrs = two, tx.n_addrs = 2), c.addr_check = VRRP_ADDR_CHECK_LOG_ONLY, VRRP_OK);
	assert_int_equal(flags, VRRP_CHECK_ADDR_COUNT);
	CHECK((void)0, (c.vips = two, c.n_vips = 2), VRRP_REJECT_ADDR_MISMATCH);
	assert_int_equal(flags, VRRP_CHECK_ADDR_COUNT | VRRP_CHECK_ADDR_LIST);
	CHECK(tx.priority = 0, (void)0, VRRP_OK);
	assert_int_equal(flags, VRRP_CHECK_PRIO_ZERO);
#undef CHECK

	/* VRRPv3: another interval is accepted and flagged (the backup learns it) */
	tx = seed_tx(3);
	tx.interval_cs = 50;
	c = seed_check(3);
	n = (size_t)encode(&tx, p);
	assert_int_equal(decode_check(p, n, &c, &flags), VRRP_OK);
	assert_int_equal(flags, VRRP_CHECK_INTERVAL);
	c.version = 2;
	assert_int_equal(decode_check(p, n, &c, &flags), VRRP_REJECT_VERSION_MISMATCH);
}

static void test_codec_reject_names(void **state)
{
	(void)state;
	for (int i = 0; i < VRRP_REJECT_COUNT; i++) {
		const char *name = vrrp_reject_name(i);

		assert_non_null(name);
		assert_true(strlen(name) > 1);
		for (const char *c = name; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || *c == '_');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(name, vrrp_reject_name(j));
	}
	assert_string_equal(vrrp_reject_name(VRRP_OK), "ok");
	assert_string_equal(vrrp_reject_name(VRRP_REJECT_BAD_IP_CHECKSUM), "bad_ip_checksum");
	assert_string_equal(vrrp_reject_name(VRRP_REJECT_INTERVAL_MISMATCH), "interval_mismatch");
	assert_string_equal(vrrp_reject_name(VRRP_REJECT_COUNT), "unknown");
	assert_string_equal(vrrp_reject_name((enum vrrp_reject) - 1), "unknown");
}

/* ================================================== one instance, fake clock */

struct fx {
	struct vrrp_params p;
	struct vrrp_fsm s;
	struct vrrp_actions a;
	uint64_t now;
};

static void fx_setup(struct fx *f, unsigned int version, uint8_t prio)
{
	vrrp_params_init(&f->p);
	f->p.version = (uint8_t)version;
	f->p.priority = prio;
	f->p.src_ip = seed_master;
	f->now = 1000;
	vrrp_fsm_init(&f->s, &f->p);
}

static void fx_step(struct fx *f, struct vrrp_event ev)
{
	assert_int_equal(vrrp_fsm_step(&f->p, &f->s, &ev, f->now, &f->a), 0);
}

static void fx_start(struct fx *f)
{
	assert_int_equal(vrrp_params_normalise(&f->p, NULL), 0);
	vrrp_fsm_init(&f->s, &f->p);
	fx_step(f, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
}

/* Advances the clock to the next deadline and delivers TIMER there. */
static uint64_t fx_fire(struct fx *f)
{
	uint64_t d = vrrp_fsm_next_deadline(&f->s);

	assert_true(d != VRRP_NEVER);
	assert_true(d >= f->now);
	f->now = d;
	fx_step(f, (struct vrrp_event){ .type = VRRP_EV_TIMER });
	return d;
}

static void fx_advert(struct fx *f, uint8_t prio, uint32_t src, uint16_t interval_cs)
{
	struct vrrp_advert adv = {
		.version = f->p.version,
		.vrid = 51,
		.priority = prio,
		.count = 1,
		.interval_cs = interval_cs,
		.ttl = 255,
		.src = src,
		.dst = VRRP_MCAST_GROUP4,
		.addrs = { seed_vip },
	};

	fx_step(f, (struct vrrp_event){ .type = VRRP_EV_ADVERT, .advert = &adv });
}

static void assert_transition(const struct vrrp_actions *a, enum vrrp_state from,
			      enum vrrp_state to, const char *reason)
{
	assert_true(a->state_changed);
	assert_int_equal(a->from, from);
	assert_int_equal(a->to, to);
	assert_string_equal(a->reason, reason);
}

static void assert_took_over(const struct fx *f, const char *reason)
{
	assert_transition(&f->a, VRRP_STATE_BACKUP, VRRP_STATE_MASTER, reason);
	assert_true(f->a.send_advert);
	assert_int_equal(f->a.advert_priority, f->s.priority);
	assert_true(f->a.take_vips);
	assert_false(f->a.release_vips);
	assert_int_equal(f->a.garp_count, 5);
	assert_int_equal(f->s.master_ip, f->p.src_ip);
}

/* Starts a backup and makes it MASTER through its down timer. */
static void fx_master(struct fx *f, unsigned int version, uint8_t prio)
{
	fx_setup(f, version, prio);
	fx_start(f);
	fx_fire(f);
	assert_int_equal(f->s.state, VRRP_STATE_MASTER);
}

static void startup_then_takeover(unsigned int version, uint8_t prio, uint32_t advert_ms,
				  uint64_t down_ms)
{
	struct fx f;

	fx_setup(&f, version, prio);
	f.p.advert_int_ms = advert_ms;
	fx_start(&f);
	assert_transition(&f.a, VRRP_STATE_INIT, VRRP_STATE_BACKUP, "init");
	assert_false(f.a.send_advert);
	assert_false(f.a.take_vips);
	assert_int_equal(vrrp_master_down_ms(&f.p, &f.s), down_ms);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 1000 + down_ms);
	/* a millisecond early: nothing */
	f.now = 1000 + down_ms - 1;
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_TIMER });
	assert_false(f.a.state_changed);
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
	assert_int_equal(fx_fire(&f), 1000 + down_ms);
	assert_took_over(&f, "master down timer");
	/* MASTER advertises every interval from now on */
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + advert_ms);
}

static void test_fsm_startup_master_down_exact(void **state)
{
	(void)state;
	startup_then_takeover(2, 100, 1000, 3609); /* 3 s + 609.375 ms */
	startup_then_takeover(2, 99, 1000, 3613);  /* 3 s + 613.28 ms */
	startup_then_takeover(2, 100, 3000, 9609); /* v2 skew ignores the interval */
	startup_then_takeover(3, 100, 1000, 3609);
	startup_then_takeover(3, 99, 1000, 3613);
	startup_then_takeover(3, 100, 500, 1804);   /* 1.5 s + 304.69 ms */
	startup_then_takeover(3, 99, 50, 150 + 30); /* 157 * 50 / 256 = 30.66 */
	startup_then_takeover(2, 1, 1000, 3996);
}

static void test_fsm_skew(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	assert_int_equal(vrrp_skew_ms(&f.p, &f.s, 100), 609);
	assert_int_equal(vrrp_skew_ms(&f.p, &f.s, 99), 613);
	assert_int_equal(vrrp_skew_ms(&f.p, &f.s, 255), 3);
	assert_int_equal(vrrp_skew_ms(&f.p, &f.s, 1), 996);
	/* a higher priority always times out strictly earlier at 1 s */
	for (int prio = 1; prio < 254; prio++)
		assert_true(vrrp_skew_ms(&f.p, &f.s, (uint8_t)(prio + 1)) <
			    vrrp_skew_ms(&f.p, &f.s, (uint8_t)prio));
	fx_setup(&f, 3, 100);
	f.s.master_adver_int_ms = 2000;
	assert_int_equal(vrrp_skew_ms(&f.p, &f.s, 100), 1218);
	assert_int_equal(vrrp_master_down_ms(&f.p, &f.s), 7218);
}

static void test_fsm_owner_starts_master(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 255);
	f.p.initial_master = true;
	fx_start(&f);
	assert_transition(&f.a, VRRP_STATE_INIT, VRRP_STATE_MASTER, "address owner");
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 255);
	assert_true(f.a.take_vips);
	assert_int_equal(f.a.garp_count, 5);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000);

	/* priority 255 with "state BACKUP": keepalived waits like any backup */
	fx_setup(&f, 2, 255);
	fx_start(&f);
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 1000 + 3003);
}

/* keepalived 2.2.7 vrrp_init_state(): "state MASTER" below 255 starts BACKUP
 * with the full Master_Down_Interval; in a sync group one interval plus the
 * smallest skew. */
static void test_fsm_state_master_waits_election(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	f.p.initial_master = true;
	fx_start(&f);
	assert_transition(&f.a, VRRP_STATE_INIT, VRRP_STATE_BACKUP, "init");
	assert_false(f.a.send_advert);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 1000 + 3609);
	/* a higher master speaks: we stay BACKUP */
	f.now = 2000;
	fx_advert(&f, 150, seed_backup, 100);
	assert_false(f.a.state_changed);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000 + 3609);
	assert_int_equal(f.s.master_ip, seed_backup);
	assert_int_equal(f.s.master_priority, 150);

	fx_setup(&f, 2, 100);
	f.p.initial_master = true;
	f.p.sync_group = true;
	fx_start(&f);
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 1000 + 1000 + 3);
	assert_true(f.s.want_master);
}

static void test_fsm_backup_prio0_takeover_after_skew(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 99);
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 100, seed_backup, 100);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000 + 3613);
	f.now = 2500;
	fx_advert(&f, 0, seed_backup, 100); /* the master resigns */
	assert_false(f.a.state_changed);
	assert_non_null(f.a.note);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2500 + 613);
	assert_int_equal(fx_fire(&f), 3113);
	assert_took_over(&f, "master down timer");

	/* v3: the skew scales with the master's interval */
	fx_setup(&f, 3, 99);
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 100, seed_backup, 200);
	fx_advert(&f, 0, seed_backup, 200);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000 + 157 * 2000 / 256);
}

static void test_fsm_backup_adverts(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	fx_start(&f);
	/* higher: the master is alive, restart the timer */
	f.now = 2000;
	fx_advert(&f, 101, seed_backup, 100);
	assert_false(f.a.state_changed);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000 + 3609);
	/* equal: a backup does not preempt on equal priority (RFC 6.4.2) */
	f.now = 3000;
	fx_advert(&f, 100, IP4(172, 17, 0, 1), 100);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 3000 + 3609);
	assert_int_equal(f.s.master_priority, 100);
	/* lower with preempt on: ignored, the running timer stays and fires */
	f.now = 4000;
	fx_advert(&f, 99, seed_backup, 100);
	assert_false(f.a.state_changed);
	assert_string_equal(f.a.note, "lower priority advert discarded, preempting");
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 3000 + 3609);
	f.now = 5000;
	fx_advert(&f, 99, seed_backup, 100);
	assert_int_equal(fx_fire(&f), 6609);
	assert_took_over(&f, "master down timer");
}

static void test_fsm_nopreempt(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	f.p.nopreempt = true;
	fx_start(&f);
	/* a lower master keeps us BACKUP as long as it advertises */
	for (f.now = 2000; f.now < 60000; f.now += 1000) {
		fx_advert(&f, 50, seed_backup, 100);
		assert_false(f.a.state_changed);
		assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 3609);
	}
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
	/* ...and we still take over when it goes silent (last advert 59000) */
	assert_int_equal(fx_fire(&f), 59000 + 3609);
	assert_int_equal(f.s.state, VRRP_STATE_MASTER);
}

/* keepalived: the delay starts at the first lower priority advert heard in
 * BACKUP; until it ends such adverts still count as the master's. */
static void test_fsm_preempt_delay(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	f.p.preempt_delay_ms = 10000;
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 99, seed_backup, 100);
	assert_string_equal(f.a.note, "lower priority advert, preempt delay started");
	assert_int_equal(f.s.preempt_at, 12000);
	for (f.now = 3000; f.now < 12000; f.now += 1000) {
		fx_advert(&f, 99, seed_backup, 100);
		assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 3609);
	}
	/* 12000: the delay is over, the lower advert is ignored */
	fx_advert(&f, 99, seed_backup, 100);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 11000 + 3609);
	assert_int_equal(fx_fire(&f), 14609);
	assert_took_over(&f, "master down timer");

	/* an equal or higher master cancels a running delay */
	fx_setup(&f, 2, 100);
	f.p.preempt_delay_ms = 10000;
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 99, seed_backup, 100);
	f.now = 3000;
	fx_advert(&f, 120, seed_backup, 100);
	assert_int_equal(f.s.preempt_at, VRRP_NEVER);
	f.now = 4000;
	fx_advert(&f, 99, seed_backup, 100);
	assert_int_equal(f.s.preempt_at, 14000);
}

static void test_fsm_master_higher_prio_yields(void **state)
{
	struct fx f;

	(void)state;
	fx_master(&f, 2, 100);
	f.now += 100;
	fx_advert(&f, 101, seed_backup, 100);
	assert_transition(&f.a, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, "higher priority advert");
	assert_true(f.a.release_vips);
	assert_false(f.a.take_vips);
	assert_false(f.a.send_advert); /* keepalived sends no priority 0 here */
	assert_int_equal(f.s.master_ip, seed_backup);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 3609);
	assert_int_equal(f.s.advert_at, VRRP_NEVER);
	assert_int_equal(f.s.garp_delay_at, VRRP_NEVER);

	/* with higher_prio_send_advert it advertises once before yielding */
	fx_setup(&f, 2, 100);
	f.p.higher_prio_send_advert = true;
	fx_start(&f);
	fx_fire(&f);
	fx_advert(&f, 200, seed_backup, 100);
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 100);
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
}

static void test_fsm_master_equal_prio_tiebreak(void **state)
{
	struct fx f;

	(void)state;
	/* equal priority, higher primary address: it wins (RFC 6.4.3) */
	fx_master(&f, 2, 100);
	fx_advert(&f, 100, IP4(172, 17, 1, 7), 100);
	assert_transition(&f.a, VRRP_STATE_MASTER, VRRP_STATE_BACKUP,
			  "equal priority advert from higher address");
	assert_true(f.a.release_vips);

	/* equal priority, lower address: we win and answer at once */
	fx_master(&f, 2, 100);
	f.now += 300;
	fx_advert(&f, 100, IP4(172, 17, 1, 5), 100);
	assert_false(f.a.state_changed);
	assert_true(f.a.send_advert);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 1000);

	/* our own address: keepalived only warns */
	fx_master(&f, 2, 100);
	fx_advert(&f, 100, seed_master, 100);
	assert_false(f.a.state_changed);
	assert_false(f.a.send_advert);
	assert_string_equal(f.a.note, "equal priority advert from our own address");
}

static void test_fsm_master_answers_lower(void **state)
{
	struct fx f;
	uint64_t t;

	(void)state;
	fx_master(&f, 2, 100);
	t = f.now + 400;
	f.now = t;
	fx_advert(&f, 99, seed_backup, 100);
	assert_false(f.a.state_changed);
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 100);
	assert_string_equal(f.a.note, "lower priority advert, forcing new election");
	/* garp_lower_prio_repeat GARPs now and again after garp_lower_prio_delay */
	assert_int_equal(f.a.garp_count, 5);
	assert_int_equal(f.s.garp_lower_at, t + 5000);
	/* the advert timer restarts from the answer */
	assert_int_equal(f.s.advert_at, t + 1000);

	fx_setup(&f, 2, 100);
	f.p.lower_prio_no_advert = true;
	f.p.garp_lower_prio_repeat = 0;
	fx_start(&f);
	fx_fire(&f);
	fx_advert(&f, 99, seed_backup, 100);
	assert_false(f.a.send_advert);
	assert_int_equal(f.a.garp_count, 0);
	assert_int_equal(f.s.state, VRRP_STATE_MASTER);
}

static void test_fsm_master_prio0_and_advert_timer(void **state)
{
	struct fx f;
	uint64_t start;

	(void)state;
	fx_master(&f, 2, 100);
	start = f.now;
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(fx_fire(&f), start + 1000 * (uint64_t)i);
		assert_true(f.a.send_advert);
		assert_int_equal(f.a.advert_priority, 100);
		assert_false(f.a.state_changed);
	}
	f.now += 250;
	fx_advert(&f, 0, seed_backup, 100);
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 100);
	assert_false(f.a.state_changed);
	assert_int_equal(f.s.advert_at, f.now + 1000);
}

static void test_fsm_owner_conflict(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 255);
	f.p.initial_master = true;
	fx_start(&f);
	fx_advert(&f, 255, IP4(172, 17, 1, 5), 100); /* lower address, also owner */
	assert_int_equal(f.s.priority, 254);
	assert_true(f.s.owner_demoted);
	assert_transition(&f.a, VRRP_STATE_MASTER, VRRP_STATE_BACKUP, "higher priority advert");
	/* tracking cannot lift it back */
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 255 });
	assert_int_equal(f.s.priority, 254);

	/* higher_prio_send_advert goes out before the step down, still at 255 */
	fx_setup(&f, 2, 255);
	f.p.initial_master = true;
	f.p.higher_prio_send_advert = true;
	fx_start(&f);
	fx_advert(&f, 255, IP4(172, 17, 1, 7), 100); /* higher address */
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 255);
	assert_int_equal(f.s.priority, 254);
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
}

static void test_fsm_v3_learns_interval(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 3, 100);
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 200, seed_backup, 200); /* a master advertising every 2 s */
	assert_int_equal(f.s.master_adver_int_ms, 2000);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 2000 + 6000 + 1218);
	/* a lower priority advert teaches nothing: it is ignored */
	f.now = 3000;
	fx_advert(&f, 50, seed_backup, 50);
	assert_int_equal(f.s.master_adver_int_ms, 2000);
	/* on taking over, our own interval again */
	assert_int_equal(fx_fire(&f), 9218);
	assert_int_equal(f.s.master_adver_int_ms, 1000);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 10218);

	/* v3 MASTER yielding learns too */
	fx_master(&f, 3, 100);
	fx_advert(&f, 150, seed_backup, 300);
	assert_int_equal(f.s.master_adver_int_ms, 3000);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 9000 + 1828);
}

static void test_fsm_priority_change_moves_timer(void **state)
{
	struct fx f;

	(void)state;
	fx_setup(&f, 2, 100);
	fx_start(&f);
	f.now = 2000;
	fx_advert(&f, 100, IP4(172, 17, 0, 1), 100);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 5609);
	f.now = 2500;
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 96 });
	assert_int_equal(f.s.priority, 96);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 5609 + (625 - 609));
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 200 });
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), 5609 - (609 - 218));
	/* same priority or 0: nothing */
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 200 });
	assert_null(f.a.note);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 0 });
	assert_int_equal(f.s.priority, 200);

	/* a MASTER advertises the new priority from its next advert */
	fx_master(&f, 2, 100);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = 90 });
	assert_false(f.a.send_advert);
	fx_fire(&f);
	assert_int_equal(f.a.advert_priority, 90);
}

static void test_fsm_fault_and_back(void **state)
{
	struct fx f;

	(void)state;
	fx_master(&f, 2, 100);
	f.now += 10;
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_FAULT });
	assert_transition(&f.a, VRRP_STATE_MASTER, VRRP_STATE_FAULT, "fault");
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 0);
	assert_true(f.a.release_vips);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), VRRP_NEVER);
	/* FAULT ignores adverts and timers */
	fx_advert(&f, 50, seed_backup, 100);
	assert_false(f.a.state_changed);
	assert_false(f.a.send_advert);
	f.now += 100000;
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_TIMER });
	assert_false(f.a.state_changed);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_FAULT_CLEARED });
	assert_transition(&f.a, VRRP_STATE_FAULT, VRRP_STATE_BACKUP, "fault cleared");
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 3609);

	/* BACKUP -> FAULT sends nothing */
	fx_setup(&f, 2, 100);
	fx_start(&f);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_FAULT });
	assert_transition(&f.a, VRRP_STATE_BACKUP, VRRP_STATE_FAULT, "fault");
	assert_false(f.a.send_advert);
	assert_false(f.a.release_vips);

	/* the owner comes back from FAULT as BACKUP, as keepalived */
	fx_setup(&f, 2, 255);
	f.p.initial_master = true;
	fx_start(&f);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_FAULT });
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_FAULT_CLEARED });
	assert_int_equal(f.s.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), f.now + 3003);

	/* in fault from the start */
	fx_setup(&f, 2, 100);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_STARTUP, .fault = true });
	assert_transition(&f.a, VRRP_STATE_INIT, VRRP_STATE_FAULT, "init");
	assert_true(f.s.fault);
}

static void test_fsm_shutdown(void **state)
{
	struct fx f;

	(void)state;
	fx_master(&f, 2, 100);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	assert_transition(&f.a, VRRP_STATE_MASTER, VRRP_STATE_STOP, "shutdown");
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.advert_priority, 0);
	assert_true(f.a.release_vips);
	assert_int_equal(vrrp_fsm_next_deadline(&f.s), VRRP_NEVER);
	/* STOP is final */
	fx_advert(&f, 50, seed_backup, 100);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	assert_false(f.a.state_changed);
	assert_int_equal(f.s.state, VRRP_STATE_STOP);

	fx_setup(&f, 2, 100);
	fx_start(&f);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	assert_transition(&f.a, VRRP_STATE_BACKUP, VRRP_STATE_STOP, "shutdown");
	assert_false(f.a.send_advert);
	assert_false(f.a.release_vips);
}

static void test_fsm_garp_schedule(void **state)
{
	struct fx f;
	uint64_t t0;

	(void)state;
	fx_setup(&f, 2, 100);
	f.p.garp_master_repeat = 3;
	f.p.garp_master_delay_ms = 5000;
	f.p.garp_master_refresh_ms = 30000;
	f.p.garp_master_refresh_repeat = 2;
	fx_start(&f);
	t0 = fx_fire(&f);
	assert_int_equal(f.a.garp_count, 3); /* at once */
	assert_int_equal(f.s.garp_delay_at, t0 + 5000);
	assert_int_equal(f.s.garp_refresh_at, t0 + 30000);
	for (int i = 1; i < 5; i++) {
		fx_fire(&f);
		assert_int_equal(f.a.garp_count, 0);
	}
	/* t0 + 5 s: the advert and the delayed burst together */
	assert_int_equal(fx_fire(&f), t0 + 5000);
	assert_true(f.a.send_advert);
	assert_int_equal(f.a.garp_count, 3);
	assert_int_equal(f.s.garp_delay_at, VRRP_NEVER);
	while (f.now < t0 + 30000) {
		fx_fire(&f);
		if (f.now < t0 + 30000)
			assert_int_equal(f.a.garp_count, 0);
	}
	assert_int_equal(f.a.garp_count, 2); /* refresh */
	assert_int_equal(f.s.garp_refresh_at, t0 + 60000);

	/* no delay, no refresh: only the first burst */
	fx_setup(&f, 2, 100);
	f.p.garp_master_delay_ms = 0;
	fx_start(&f);
	fx_fire(&f);
	assert_int_equal(f.a.garp_count, 5);
	assert_int_equal(f.s.garp_delay_at, VRRP_NEVER);
	assert_int_equal(f.s.garp_refresh_at, VRRP_NEVER);

	/* leaving MASTER cancels the pending burst and the refresh */
	fx_setup(&f, 2, 100);
	f.p.garp_master_refresh_ms = 10000;
	fx_start(&f);
	fx_fire(&f);
	fx_advert(&f, 200, seed_backup, 100);
	assert_int_equal(f.s.garp_delay_at, VRRP_NEVER);
	assert_int_equal(f.s.garp_refresh_at, VRRP_NEVER);

	/* the delayed GARPs after a lower priority advert */
	fx_master(&f, 2, 100);
	f.now += 100;
	fx_advert(&f, 99, seed_backup, 100);
	t0 = f.now;
	while (f.now < t0 + 5000)
		fx_fire(&f);
	assert_int_equal(f.now, t0 + 5000);
	assert_int_equal(f.a.garp_count, 5);
	assert_int_equal(f.s.garp_lower_at, VRRP_NEVER);
}

static void test_fsm_params(void **state)
{
	struct vrrp_params p;
	unsigned int fixed;

	(void)state;
	vrrp_params_init(&p);
	assert_int_equal(vrrp_params_normalise(&p, &fixed), 0);
	assert_int_equal(fixed, 0);
	p.nopreempt = true;
	p.preempt_delay_ms = 300;
	assert_int_equal(vrrp_params_normalise(&p, &fixed), 0);
	assert_int_equal(fixed, VRRP_FIX_PREEMPT_DELAY_NOPREEMPT);
	assert_int_equal(p.preempt_delay_ms, 0);

	vrrp_params_init(&p);
	p.initial_master = true;
	p.nopreempt = true;
	p.preempt_delay_ms = 300;
	assert_int_equal(vrrp_params_normalise(&p, &fixed), 0);
	assert_int_equal(fixed, VRRP_FIX_NOPREEMPT_MASTER | VRRP_FIX_PREEMPT_DELAY_MASTER);
	assert_false(p.nopreempt);

	vrrp_params_init(&p);
	p.priority = 255;
	p.nopreempt = true;
	assert_int_equal(vrrp_params_normalise(&p, &fixed), 0);
	assert_int_equal(fixed, VRRP_FIX_NOPREEMPT_OWNER);

	vrrp_params_init(&p);
	p.advert_int_ms = 1500; /* v2 carries whole seconds */
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
	p.version = 3;
	assert_int_equal(vrrp_params_normalise(&p, NULL), 0);
	p.advert_int_ms = 1505;
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
	p.advert_int_ms = 41000;
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
	vrrp_params_init(&p);
	p.priority = 0;
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
	vrrp_params_init(&p);
	p.version = 4;
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
	vrrp_params_init(&p);
	p.down_timer_adverts = 0;
	assert_int_equal(vrrp_params_normalise(&p, NULL), -EINVAL);
}

static void test_fsm_bad_events_and_names(void **state)
{
	struct fx f;
	struct vrrp_event ev = { .type = VRRP_EV_ADVERT };

	(void)state;
	fx_setup(&f, 2, 100);
	assert_int_equal(vrrp_fsm_step(&f.p, &f.s, &ev, 0, &f.a), -EINVAL);
	ev.type = (enum vrrp_event_type)77;
	assert_int_equal(vrrp_fsm_step(&f.p, &f.s, &ev, 0, &f.a), -EINVAL);
	assert_int_equal(f.s.state, VRRP_STATE_INIT);
	/* before STARTUP nothing happens */
	fx_advert(&f, 50, seed_backup, 100);
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_TIMER });
	fx_step(&f, (struct vrrp_event){ .type = VRRP_EV_GROUP_MASTER });
	assert_int_equal(f.s.state, VRRP_STATE_INIT);
	assert_string_equal(vrrp_state_name(VRRP_STATE_INIT), "INIT");
	assert_string_equal(vrrp_state_name(VRRP_STATE_BACKUP), "BACKUP");
	assert_string_equal(vrrp_state_name(VRRP_STATE_MASTER), "MASTER");
	assert_string_equal(vrrp_state_name(VRRP_STATE_FAULT), "FAULT");
	assert_string_equal(vrrp_state_name(VRRP_STATE_STOP), "STOP");
	assert_string_equal(vrrp_state_name((enum vrrp_state)42), "UNKNOWN");
}

/* ================================================================= tracking */

static void test_track_fall_rise(void **state)
{
	struct vrrp_script_status s;

	(void)state;
	/* INIT: the first result decides, whatever rise and fall say */
	vrrp_script_init(&s, 2, 2);
	assert_int_equal(s.state, VRRP_TRACK_INIT);
	assert_true(vrrp_script_result(&s, true));
	assert_int_equal(s.state, VRRP_TRACK_UP);
	vrrp_script_init(&s, 3, 3);
	assert_true(vrrp_script_result(&s, false));
	assert_int_equal(s.state, VRRP_TRACK_DOWN);

	/* fall 2: two failures in a row; a success in between restarts */
	vrrp_script_init(&s, 2, 2);
	vrrp_script_result(&s, true);
	assert_false(vrrp_script_result(&s, false));
	assert_false(vrrp_script_result(&s, true));
	assert_false(vrrp_script_result(&s, false));
	assert_int_equal(s.state, VRRP_TRACK_UP);
	assert_true(vrrp_script_result(&s, false));
	assert_int_equal(s.state, VRRP_TRACK_DOWN);
	assert_false(vrrp_script_result(&s, false));
	/* rise 2 */
	assert_false(vrrp_script_result(&s, true));
	assert_false(vrrp_script_result(&s, false));
	assert_false(vrrp_script_result(&s, true));
	assert_true(vrrp_script_result(&s, true));
	assert_int_equal(s.state, VRRP_TRACK_UP);

	/* rise 1 / fall 1 (keepalived's defaults) flip on every change */
	vrrp_script_init(&s, 0, 0);
	vrrp_script_result(&s, true);
	assert_true(vrrp_script_result(&s, false));
	assert_true(vrrp_script_result(&s, true));
	assert_false(vrrp_script_result(&s, true));
}

static void test_track_effective_priority(void **state)
{
	struct vrrp_track_item it[3] = {
		{ .weight = -4, .is_script = true, .state = VRRP_TRACK_UP },   /* chk_nginx */
		{ .weight = 10, .is_script = true, .state = VRRP_TRACK_INIT }, /* no result yet */
		{ .weight = 0, .is_script = true, .state = VRRP_TRACK_UP },    /* chk_down */
	};

	(void)state;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 100);
	it[0].state = VRRP_TRACK_DOWN;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 96);
	it[1].state = VRRP_TRACK_UP;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 106);
	it[1].state = VRRP_TRACK_DOWN;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 96);
	/* reverse: "weight -4 reverse" adds 4 while the script fails */
	it[0].reverse = true;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 104);
	it[0].state = VRRP_TRACK_UP;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 100);
	it[1].reverse = true;
	it[1].state = VRRP_TRACK_UP;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 90);
	/* clamped to 1..254 */
	it[1].weight = 253;
	it[1].reverse = false;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 254);
	it[1].reverse = true;
	assert_int_equal(vrrp_effective_priority(100, it, 3), 1);
	/* the owner never floats */
	assert_int_equal(vrrp_effective_priority(255, it, 3), 255);
	assert_int_equal(vrrp_effective_priority(77, NULL, 0), 77);
}

static void test_track_fault_and_pending(void **state)
{
	struct vrrp_track_item it[2] = {
		{ .weight = 0, .is_script = true, .state = VRRP_TRACK_INIT }, /* chk_down */
		{ .weight = 0, .is_script = false, .state = VRRP_TRACK_UP },  /* eth1 link */
	};

	(void)state;
	assert_true(vrrp_track_pending(it, 2));
	assert_false(vrrp_track_fault(it, 2));
	it[0].state = VRRP_TRACK_UP;
	assert_false(vrrp_track_pending(it, 2));
	assert_false(vrrp_track_fault(it, 2));
	it[0].state = VRRP_TRACK_DOWN; /* /etc/keepalived/down exists */
	assert_true(vrrp_track_fault(it, 2));
	it[0].state = VRRP_TRACK_UP;
	it[1].state = VRRP_TRACK_DOWN; /* link down */
	assert_true(vrrp_track_fault(it, 2));
	it[1].reverse = true; /* reverse: fault while the link is up */
	assert_false(vrrp_track_fault(it, 2));
	it[1].state = VRRP_TRACK_UP;
	assert_true(vrrp_track_fault(it, 2));
	/* a weighted item never faults, nor is it awaited */
	it[1] = (struct vrrp_track_item){ .weight = -10, .state = VRRP_TRACK_DOWN };
	it[0] = (struct vrrp_track_item){ .weight = 5, .is_script = true };
	assert_false(vrrp_track_fault(it, 2));
	assert_false(vrrp_track_pending(it, 2));
}

static void test_track_normalise(void **state)
{
	struct vrrp_track_item it[4];
	const struct vrrp_track_item init[4] = {
		{ .weight = -4, .is_script = true },
		{ .weight = 0, .is_script = true },
		{ .weight = -20, .is_script = false },
		{ .weight = 0, .is_script = false },
	};

	(void)state;
	memcpy(it, init, sizeof(it));
	assert_int_equal(vrrp_track_normalise(it, 4, 100, false), 0);
	/* the owner ignores weighted items, keeps the weight-0 ones */
	assert_int_equal(vrrp_track_normalise(it, 4, 255, false), 2);
	assert_true(it[0].ignored && !it[1].ignored && it[2].ignored && !it[3].ignored);
	/* a sync group: weighted scripts ignored, weighted interfaces fault */
	memcpy(it, init, sizeof(it));
	assert_int_equal(vrrp_track_normalise(it, 4, 100, true), 2);
	assert_true(it[0].ignored);
	assert_false(it[2].ignored);
	assert_int_equal(it[2].weight, 0);
	it[2].state = VRRP_TRACK_DOWN;
	assert_true(vrrp_track_fault(it, 4));
	/* the owner in a sync group: its interface faults too (keepalived) */
	memcpy(it, init, sizeof(it));
	assert_int_equal(vrrp_track_normalise(it, 4, 255, true), 2);
	assert_int_equal(it[2].weight, 0);
	assert_false(it[2].ignored);
}

/* ============================================== two directors on one segment */

#define NET_MAX_NODES 3
#define NET_MAX_LOG   32

struct node {
	const char *name;
	struct vrrp_params p;
	struct vrrp_fsm s;
	struct vrrp_check_params c;
	uint16_t ip_id;
	bool down; /* powered off: neither sends nor hears */
	bool started;
	bool owns_vips;
	unsigned int adverts, garps;
	uint8_t last_sent_prio;
	struct vrrp_track_item items[2];
	struct vrrp_script_status scripts[2];
	size_t n_items;
};

struct transition {
	uint64_t at;
	const struct node *node;
	enum vrrp_state to;
};

struct net {
	struct node *nodes[NET_MAX_NODES];
	size_t n;
	uint64_t now;
	struct transition log[NET_MAX_LOG];
	size_t n_log;
};

static void node_setup(struct node *nd, const char *name, uint32_t src, uint8_t prio,
		       bool initial_master)
{
	memset(nd, 0, sizeof(*nd));
	nd->name = name;
	vrrp_params_init(&nd->p);
	nd->p.priority = prio;
	nd->p.src_ip = src;
	nd->p.initial_master = initial_master;
	assert_int_equal(vrrp_params_normalise(&nd->p, NULL), 0);
	nd->c = seed_check(2);
	vrrp_fsm_init(&nd->s, &nd->p);
}

static void net_deliver(struct net *net, const struct node *from, const uint8_t *pkt, size_t len);

/* What the glue does with actions: send, drop/add VIPs, GARP, log. */
static void node_apply(struct net *net, struct node *nd, const struct vrrp_actions *a)
{
	uint8_t pkt[VRRP_PKT_MAX];
	struct vrrp_tx tx = seed_tx(nd->p.version);
	int n;

	/* logged first: the peer's reaction to our advert comes after */
	if (a->state_changed) {
		assert_true(net->n_log < NET_MAX_LOG);
		net->log[net->n_log++] = (struct transition){ net->now, nd, a->to };
	}
	if (a->send_advert && !nd->down) {
		tx.priority = a->advert_priority;
		tx.interval_cs = (uint16_t)(nd->p.advert_int_ms / 10);
		tx.src = nd->p.src_ip;
		tx.ip_id = ++nd->ip_id;
		n = encode(&tx, pkt);
		nd->adverts++;
		nd->last_sent_prio = a->advert_priority;
		net_deliver(net, nd, pkt, (size_t)n);
	}
	if (a->release_vips)
		nd->owns_vips = false;
	if (a->take_vips)
		nd->owns_vips = true;
	nd->garps += a->garp_count;
}

static void node_step(struct net *net, struct node *nd, struct vrrp_event ev)
{
	struct vrrp_actions a;

	assert_int_equal(vrrp_fsm_step(&nd->p, &nd->s, &ev, net->now, &a), 0);
	node_apply(net, nd, &a);
}

/* The wire: every other powered node decodes, checks and steps the advert
 * (answers go out from inside, depth-first, as they would at once). */
static void net_deliver(struct net *net, const struct node *from, const uint8_t *pkt, size_t len)
{
	for (size_t i = 0; i < net->n; i++) {
		struct node *nd = net->nodes[i];
		struct vrrp_advert adv;

		if (nd == from || nd->down || !nd->started)
			continue;
		assert_int_equal(vrrp_decode(pkt, len, &adv), VRRP_OK);
		assert_int_equal(vrrp_advert_check(&nd->c, &adv, NULL), VRRP_OK);
		node_step(net, nd, (struct vrrp_event){ .type = VRRP_EV_ADVERT, .advert = &adv });
	}
}

static void net_start(struct net *net, struct node *nd)
{
	nd->started = true;
	node_step(net, nd,
		  (struct vrrp_event){
		      .type = VRRP_EV_STARTUP,
		      .priority = vrrp_effective_priority(nd->p.priority, nd->items, nd->n_items),
		      .fault = vrrp_track_fault(nd->items, nd->n_items) });
}

/* Runs every timer up to and including t, in time order. */
static void net_run(struct net *net, uint64_t t)
{
	for (;;) {
		struct node *next = NULL;
		uint64_t when = VRRP_NEVER;

		for (size_t i = 0; i < net->n; i++) {
			struct node *nd = net->nodes[i];
			uint64_t d = vrrp_fsm_next_deadline(&nd->s);

			if (!nd->down && d < when) {
				when = d;
				next = nd;
			}
		}
		if (!next || when > t)
			break;
		net->now = when;
		node_step(net, next, (struct vrrp_event){ .type = VRRP_EV_TIMER });
	}
	net->now = t;
}

/* A script run finished on nd: tracking -> events, as the glue will do. */
static void net_script(struct net *net, struct node *nd, size_t i, bool success)
{
	bool was_fault = vrrp_track_fault(nd->items, nd->n_items);
	bool fault;
	uint8_t prio;

	if (!vrrp_script_result(&nd->scripts[i], success))
		return;
	nd->items[i].state = nd->scripts[i].state;
	if (!nd->started) {
		if (!vrrp_track_pending(nd->items, nd->n_items))
			net_start(net, nd);
		return;
	}
	fault = vrrp_track_fault(nd->items, nd->n_items);
	prio = vrrp_effective_priority(nd->p.priority, nd->items, nd->n_items);
	if (prio != nd->s.priority)
		node_step(
		    net, nd,
		    (struct vrrp_event){ .type = VRRP_EV_PRIORITY_CHANGED, .priority = prio });
	if (fault != was_fault)
		node_step(
		    net, nd,
		    (struct vrrp_event){ .type = fault ? VRRP_EV_FAULT : VRRP_EV_FAULT_CLEARED });
}

static void assert_log(const struct net *net, size_t i, uint64_t at, const struct node *nd,
		       enum vrrp_state to)
{
	assert_true(i < net->n_log);
	assert_int_equal(net->log[i].at, at);
	assert_ptr_equal(net->log[i].node, nd);
	assert_int_equal(net->log[i].to, to);
}

static void assert_roles(const struct node *master, const struct node *backup)
{
	assert_int_equal(master->s.state, VRRP_STATE_MASTER);
	assert_true(master->owns_vips);
	assert_int_equal(backup->s.state, VRRP_STATE_BACKUP);
	assert_false(backup->owns_vips);
	assert_int_equal(backup->s.master_ip, master->p.src_ip);
}

static void seed_pair(struct net *net, struct node *m, struct node *b)
{
	memset(net, 0, sizeof(*net));
	node_setup(m, "lvs-server-master", seed_master, 100, true);
	node_setup(b, "lvs-server-backup", seed_backup, 99, false);
	net->nodes[0] = m;
	net->nodes[1] = b;
	net->n = 2;
}

/* The seed's first scenario: master and backup, the master dies and comes
 * back ("VIP又重新漂移到了主上"). */
static void test_net_failover_and_back(void **state)
{
	struct net net;
	struct node m, b;

	(void)state;
	seed_pair(&net, &m, &b);
	net_start(&net, &m);
	net_start(&net, &b);
	net_run(&net, 10000);
	assert_log(&net, 0, 0, &m, VRRP_STATE_BACKUP);
	assert_log(&net, 1, 0, &b, VRRP_STATE_BACKUP);
	assert_log(&net, 2, 3609, &m, VRRP_STATE_MASTER); /* 3609 < 3613 */
	assert_int_equal(net.n_log, 3);
	assert_roles(&m, &b);
	assert_int_equal(m.garps, 5 + 5); /* at 3609 and garp_master_delay later */

	/* pull the plug at 10000 (last advert at 9609): the backup takes over
	 * one Master_Down_Interval after it */
	m.down = true;
	net_run(&net, 20000);
	assert_log(&net, 3, 9609 + 3613, &b, VRRP_STATE_MASTER);
	assert_true(b.owns_vips);

	/* the master returns (state MASTER, priority 100) and preempts */
	m.down = false;
	m.owns_vips = false;
	vrrp_fsm_init(&m.s, &m.p);
	net.now = 20500;
	net_start(&net, &m);
	net_run(&net, 40000);
	assert_log(&net, 4, 20500, &m, VRRP_STATE_BACKUP);
	/* it ignores the 99 adverts and its timer fires: 20500 + 3609 */
	assert_log(&net, 5, 24109, &m, VRRP_STATE_MASTER);
	assert_log(&net, 6, 24109, &b, VRRP_STATE_BACKUP);
	assert_int_equal(net.n_log, 7);
	assert_roles(&m, &b);
}

/* SIGTERM on the master: priority 0, the backup is MASTER after its skew. */
static void test_net_shutdown_fast_failover(void **state)
{
	struct net net;
	struct node m, b;

	(void)state;
	seed_pair(&net, &m, &b);
	net_start(&net, &m);
	net_start(&net, &b);
	net_run(&net, 10000);
	node_step(&net, &m, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	assert_int_equal(m.last_sent_prio, 0);
	assert_false(m.owns_vips);
	m.down = true;
	net_run(&net, 20000);
	assert_log(&net, 3, 10000, &m, VRRP_STATE_STOP);
	assert_log(&net, 4, 10000 + 613, &b, VRRP_STATE_MASTER);
}

/* The seed's chk_nginx: weight -4, fall 2, rise 2, interval 2. Without nginx
 * the master drops to 96 < 99 and the backup preempts; with nginx back it is
 * 100 again and takes the VIP back. */
static void test_net_chk_nginx_weight(void **state)
{
	struct net net;
	struct node m, b;

	(void)state;
	seed_pair(&net, &m, &b);
	m.items[0] = (struct vrrp_track_item){ .weight = -4, .is_script = true };
	vrrp_script_init(&m.scripts[0], 2, 2);
	m.n_items = 1;
	net_start(&net, &m); /* weighted scripts are not awaited */
	net_start(&net, &b);
	net_run(&net, 10000);
	net_script(&net, &m, 0, true);
	assert_roles(&m, &b);

	net_run(&net, 12000);
	net_script(&net, &m, 0, false); /* 1 of fall 2 */
	assert_int_equal(m.s.priority, 100);
	net_run(&net, 14000);
	net_script(&net, &m, 0, false);
	assert_int_equal(m.s.priority, 96);
	net_run(&net, 30000);
	/* the backup heard 100 last at 13609; 96 at 14609.. is ignored */
	assert_log(&net, 3, 13609 + 3613, &b, VRRP_STATE_MASTER);
	assert_log(&net, 4, 13609 + 3613, &m, VRRP_STATE_BACKUP);
	assert_roles(&b, &m);

	/* nginx back: rise 2 */
	net_script(&net, &m, 0, true);
	assert_int_equal(m.s.priority, 96);
	net_run(&net, 32000);
	net_script(&net, &m, 0, true);
	assert_int_equal(m.s.priority, 100);
	/* m accepted b's 99 adverts while at 96, the last at 31222, so its timer
	 * was 31222 + 3625 (skew at 96); the rise to 100 moves it 16 ms earlier
	 * (skew 609) and the adverts from 32222 on are ignored */
	net_run(&net, 50000);
	assert_log(&net, 5, 31222 + 3625 - 16, &m, VRRP_STATE_MASTER);
	assert_log(&net, 6, 31222 + 3625 - 16, &b, VRRP_STATE_BACKUP);
	assert_int_equal(net.n_log, 7);
	assert_roles(&m, &b);
}

/* The seed's chk_down: weight 0. The instance waits for the script's first
 * result; /etc/keepalived/down makes it FAULT (VIP moves), removing it brings
 * it back through BACKUP, and it preempts. */
static void test_net_chk_down_fault(void **state)
{
	struct net net;
	struct node m, b;

	(void)state;
	seed_pair(&net, &m, &b);
	m.items[0] = (struct vrrp_track_item){ .weight = 0, .is_script = true };
	vrrp_script_init(&m.scripts[0], 1, 1);
	m.n_items = 1;
	net_start(&net, &b);
	assert_true(vrrp_track_pending(m.items, m.n_items));
	net_run(&net, 2000);
	net_script(&net, &m, 0, true); /* first run: started now */
	assert_true(m.started);
	net_run(&net, 10000);
	assert_log(&net, 0, 0, &b, VRRP_STATE_BACKUP);
	assert_log(&net, 1, 2000, &m, VRRP_STATE_BACKUP);
	assert_log(&net, 2, 3613, &b, VRRP_STATE_MASTER);
	assert_log(&net, 3, 2000 + 3609, &m, VRRP_STATE_MASTER);
	assert_log(&net, 4, 2000 + 3609, &b, VRRP_STATE_BACKUP);
	assert_roles(&m, &b);

	net_script(&net, &m, 0, false); /* touch /etc/keepalived/down */
	assert_int_equal(m.s.state, VRRP_STATE_FAULT);
	assert_int_equal(m.last_sent_prio, 0);
	assert_false(m.owns_vips);
	net_run(&net, 14000);
	assert_log(&net, 5, 10000, &m, VRRP_STATE_FAULT);
	assert_log(&net, 6, 10000 + 613, &b, VRRP_STATE_MASTER);
	assert_true(b.owns_vips);

	net_script(&net, &m, 0, true); /* rm /etc/keepalived/down */
	net_run(&net, 30000);
	assert_log(&net, 7, 14000, &m, VRRP_STATE_BACKUP);
	assert_log(&net, 8, 14000 + 3609, &m, VRRP_STATE_MASTER);
	assert_log(&net, 9, 14000 + 3609, &b, VRRP_STATE_BACKUP);
	assert_roles(&m, &b);
}

/* VRRPv3 with a backup that learns a 500 ms master interval. */
static void test_net_v3_learned_interval(void **state)
{
	struct net net;
	struct node m, b;

	(void)state;
	seed_pair(&net, &m, &b);
	m.p.version = b.p.version = 3;
	m.p.advert_int_ms = 500;
	m.c = seed_check(3);
	m.c.interval_cs = 50;
	b.c = seed_check(3);
	vrrp_fsm_init(&m.s, &m.p);
	vrrp_fsm_init(&b.s, &b.p);
	net_start(&net, &m);
	net_start(&net, &b);
	net_run(&net, 5000);
	assert_log(&net, 2, 1500 + 304, &m, VRRP_STATE_MASTER);
	assert_int_equal(b.s.master_adver_int_ms, 500);
	m.down = true;
	net_run(&net, 10000);
	/* last advert 4804; down = 3 * 500 + 157 * 500 / 256 = 1806 */
	assert_log(&net, 3, 4804 + 1806, &b, VRRP_STATE_MASTER);
	/* as MASTER it advertises at its own 1 s */
	assert_int_equal(b.s.master_adver_int_ms, 1000);
}

/* =============================================================== sync groups */

#define GRP_MAX 3

struct grp {
	struct vrrp_params p[GRP_MAX];
	struct vrrp_fsm s[GRP_MAX];
	const struct vrrp_fsm *m[GRP_MAX];
	struct vrrp_actions last[GRP_MAX];
	size_t n;
	struct vrrp_sync g;
	uint64_t now;
};

static void grp_setup(struct grp *G, size_t n, uint8_t prio, bool initial_master)
{
	memset(G, 0, sizeof(*G));
	G->n = n;
	for (size_t i = 0; i < n; i++) {
		vrrp_params_init(&G->p[i]);
		G->p[i].priority = prio;
		G->p[i].src_ip = seed_master;
		G->p[i].initial_master = initial_master;
		G->p[i].sync_group = true;
		assert_int_equal(vrrp_params_normalise(&G->p[i], NULL), 0);
		vrrp_fsm_init(&G->s[i], &G->p[i]);
		G->m[i] = &G->s[i];
	}
	vrrp_sync_init(&G->g);
	G->now = 1000;
}

/* Steps one member and then every force, as the glue will (FIFO). Each
 * member's last actions are kept in last[] (merged when stepped twice). */
static void grp_step(struct grp *G, size_t who, struct vrrp_event ev)
{
	struct {
		size_t member;
		struct vrrp_event ev;
	} queue[4 * GRP_MAX * GRP_MAX];
	size_t head = 0, tail = 0, rounds = 0;
	struct vrrp_sync_force forces[GRP_MAX];

	memset(G->last, 0, sizeof(G->last));
	queue[tail].member = who;
	queue[tail++].ev = ev;
	while (head < tail) {
		size_t i = queue[head].member;
		struct vrrp_actions a;
		size_t k;

		assert_int_equal(vrrp_fsm_step(&G->p[i], &G->s[i], &queue[head].ev, G->now, &a), 0);
		head++;
		if (a.state_changed || a.want_master)
			G->last[i] = a;
		k = vrrp_sync_update(&G->g, G->m, G->n, i, &a, forces);
		assert_true(k <= G->n);
		for (size_t j = 0; j < k; j++) {
			assert_true(tail < sizeof(queue) / sizeof(queue[0]));
			queue[tail].member = forces[j].member;
			queue[tail++].ev = (struct vrrp_event){ .type = forces[j].type };
		}
		assert_true(++rounds < 4 * GRP_MAX * GRP_MAX); /* converges */
	}
}

static void grp_start_all(struct grp *G)
{
	for (size_t i = 0; i < G->n; i++)
		grp_step(G, i, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
}

static void grp_fire(struct grp *G, size_t who)
{
	G->now = vrrp_fsm_next_deadline(&G->s[who]);
	grp_step(G, who, (struct vrrp_event){ .type = VRRP_EV_TIMER });
}

static void grp_assert_all(const struct grp *G, enum vrrp_state st)
{
	for (size_t i = 0; i < G->n; i++)
		assert_int_equal(G->s[i].state, st);
	assert_int_equal(G->g.state, st);
}

static void grp_advert(struct grp *G, size_t who, uint8_t prio)
{
	struct vrrp_advert adv = {
		.version = 2,
		.vrid = 51,
		.priority = prio,
		.count = 1,
		.interval_cs = 100,
		.ttl = 255,
		.src = seed_backup,
		.dst = VRRP_MCAST_GROUP4,
		.addrs = { seed_vip },
	};

	grp_step(G, who, (struct vrrp_event){ .type = VRRP_EV_ADVERT, .advert = &adv });
}

/* Taking over: one member's timer alone is not enough; when all want MASTER
 * they all go. */
static void test_sync_master_together(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 2, 100, false);
	grp_start_all(&G);
	grp_assert_all(&G, VRRP_STATE_BACKUP);
	/* VI_2 heard its master more recently: its timer is later */
	G.now = 2000;
	grp_advert(&G, 1, 150);
	grp_fire(&G, 0);
	assert_true(G.last[0].want_master);
	assert_int_equal(G.s[0].state, VRRP_STATE_BACKUP); /* VI_2 does not want it yet */
	assert_int_equal(vrrp_fsm_next_deadline(&G.s[0]), G.now + 3609);
	assert_false(vrrp_sync_can_goto_master(&G.g, G.m, 2, 0));
	assert_true(vrrp_sync_can_goto_master(&G.g, G.m, 2, 1));
	grp_fire(&G, 1);
	grp_assert_all(&G, VRRP_STATE_MASTER);
	assert_true(G.last[0].take_vips && G.last[1].take_vips);
	assert_string_equal(G.last[0].reason, "sync group");
}

static void test_sync_backup_together(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 3, 100, false);
	grp_start_all(&G);
	for (size_t i = 0; i < 3; i++)
		grp_fire(&G, i);
	grp_assert_all(&G, VRRP_STATE_MASTER);
	/* VI_2 loses an election: the group follows, without priority 0 */
	grp_advert(&G, 1, 200);
	grp_assert_all(&G, VRRP_STATE_BACKUP);
	for (size_t i = 0; i < 3; i++) {
		assert_true(G.last[i].release_vips);
		assert_false(G.last[i].send_advert);
	}
	assert_string_equal(G.last[0].reason, "sync group");
	assert_string_equal(G.last[1].reason, "higher priority advert");
}

static void test_sync_fault_together(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 2, 100, false);
	grp_start_all(&G);
	grp_fire(&G, 0);
	grp_fire(&G, 1);
	grp_assert_all(&G, VRRP_STATE_MASTER);
	/* VI_2's link goes down: both FAULT, both resign */
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_FAULT });
	grp_assert_all(&G, VRRP_STATE_FAULT);
	assert_int_equal(G.last[0].advert_priority, 0);
	assert_true(G.last[0].send_advert && G.last[1].send_advert);
	/* VI_1 also faults, then clears first: the group waits for VI_2 */
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_FAULT });
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_FAULT_CLEARED });
	grp_assert_all(&G, VRRP_STATE_FAULT);
	/* the last fault clears: back together, to BACKUP */
	G.now = 50000;
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_FAULT_CLEARED });
	grp_assert_all(&G, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_next_deadline(&G.s[0]), 50000 + 3609);
	assert_int_equal(vrrp_fsm_next_deadline(&G.s[1]), 50000 + 3609);
}

/* A member whose group is in fault at start-up starts in FAULT; a late one
 * that starts BACKUP is pulled into FAULT. */
static void test_sync_fault_at_startup(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 2, 100, false);
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_STARTUP, .fault = true });
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
	grp_assert_all(&G, VRRP_STATE_FAULT);
	assert_false(G.s[1].fault);
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_FAULT_CLEARED });
	grp_assert_all(&G, VRRP_STATE_BACKUP);

	grp_setup(&G, 2, 100, false);
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_STARTUP, .fault = true });
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_STARTUP, .group_fault = true });
	grp_assert_all(&G, VRRP_STATE_FAULT);
	assert_int_equal(G.last[1].from, VRRP_STATE_INIT); /* straight to FAULT */
}

/* Address owners with state MASTER in one group go MASTER at start-up. */
static void test_sync_owners_start_master(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 2, 255, true);
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
	assert_int_equal(G.s[0].state, VRRP_STATE_MASTER);
	assert_int_equal(G.g.state, VRRP_STATE_MASTER);
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_STARTUP });
	grp_assert_all(&G, VRRP_STATE_MASTER);

	/* non-owners with state MASTER: one interval + smallest skew, then all */
	grp_setup(&G, 2, 100, true);
	grp_start_all(&G);
	grp_assert_all(&G, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_next_deadline(&G.s[0]), 1000 + 1003);
	grp_fire(&G, 0);
	grp_assert_all(&G, VRRP_STATE_MASTER);
}

static void test_sync_shutdown(void **state)
{
	struct grp G;

	(void)state;
	grp_setup(&G, 2, 100, false);
	grp_start_all(&G);
	grp_step(&G, 0, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	assert_int_equal(G.g.state, VRRP_STATE_BACKUP);
	grp_step(&G, 1, (struct vrrp_event){ .type = VRRP_EV_SHUTDOWN });
	grp_assert_all(&G, VRRP_STATE_STOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_v2_keepalived_bytes),
		cmocka_unit_test(test_codec_v3_bytes),
		cmocka_unit_test(test_codec_roundtrip),
		cmocka_unit_test(test_codec_unicast_v3_checksum_uses_peer),
		cmocka_unit_test(test_codec_encode_errors),
		cmocka_unit_test(test_codec_padding_and_options),
		cmocka_unit_test(test_codec_decode_rejects),
		cmocka_unit_test(test_codec_check_rejects),
		cmocka_unit_test(test_codec_reject_names),
		cmocka_unit_test(test_fsm_startup_master_down_exact),
		cmocka_unit_test(test_fsm_skew),
		cmocka_unit_test(test_fsm_owner_starts_master),
		cmocka_unit_test(test_fsm_state_master_waits_election),
		cmocka_unit_test(test_fsm_backup_prio0_takeover_after_skew),
		cmocka_unit_test(test_fsm_backup_adverts),
		cmocka_unit_test(test_fsm_nopreempt),
		cmocka_unit_test(test_fsm_preempt_delay),
		cmocka_unit_test(test_fsm_master_higher_prio_yields),
		cmocka_unit_test(test_fsm_master_equal_prio_tiebreak),
		cmocka_unit_test(test_fsm_master_answers_lower),
		cmocka_unit_test(test_fsm_master_prio0_and_advert_timer),
		cmocka_unit_test(test_fsm_owner_conflict),
		cmocka_unit_test(test_fsm_v3_learns_interval),
		cmocka_unit_test(test_fsm_priority_change_moves_timer),
		cmocka_unit_test(test_fsm_fault_and_back),
		cmocka_unit_test(test_fsm_shutdown),
		cmocka_unit_test(test_fsm_garp_schedule),
		cmocka_unit_test(test_fsm_params),
		cmocka_unit_test(test_fsm_bad_events_and_names),
		cmocka_unit_test(test_track_fall_rise),
		cmocka_unit_test(test_track_effective_priority),
		cmocka_unit_test(test_track_fault_and_pending),
		cmocka_unit_test(test_track_normalise),
		cmocka_unit_test(test_net_failover_and_back),
		cmocka_unit_test(test_net_shutdown_fast_failover),
		cmocka_unit_test(test_net_chk_nginx_weight),
		cmocka_unit_test(test_net_chk_down_fault),
		cmocka_unit_test(test_net_v3_learned_interval),
		cmocka_unit_test(test_sync_master_together),
		cmocka_unit_test(test_sync_backup_together),
		cmocka_unit_test(test_sync_fault_together),
		cmocka_unit_test(test_sync_fault_at_startup),
		cmocka_unit_test(test_sync_owners_start_master),
		cmocka_unit_test(test_sync_shutdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
