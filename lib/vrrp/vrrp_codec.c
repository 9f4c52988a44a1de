/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VRRP on the wire: adverts in IPv4 packets (RFC 3768 5, RFC 5798 5) and,
 * version 3, in IPv6 ones (RFC 5798 5.1.2: hop limit 255, to ff02::12 from
 * the link-local address; no extension headers, as keepalived sends them).
 *
 * vrrp_encode() writes the IP header keepalived writes (TOS 0xc0, no DF,
 * TTL 255) and the advert behind it. vrrp_decode() trusts nothing: it checks
 * the packet against itself only, so a worker or the fuzzer can run it on any
 * bytes. vrrp_advert_check() then compares a sound advert with the instance
 * that receives it, in the order of keepalived's vrrp_check_packet(), so both
 * drop the same adverts for the same first reason.
 *
 * Byte order: the packet is big-endian; every address handed in or out is in
 * host order. All reads go through get16()/get32() on byte pointers, so no
 * alignment is assumed.
 */

#include <errno.h>
#include <string.h>

#include "halb_vrrp.h"

#define IP_FLAG_MF     0x2000
#define IP_OFFSET_MASK 0x1fff
#define IP_TOS_NETCTL  0xc0 /* internetwork control, as keepalived */

#define VRRP_TYPE_ADVERT 1

static const char *const reject_names[VRRP_REJECT_COUNT] = {
	[VRRP_OK] = "ok",
	[VRRP_REJECT_TRUNCATED] = "truncated",
	[VRRP_REJECT_BAD_IP_HEADER] = "bad_ip_header",
	[VRRP_REJECT_BAD_IP_CHECKSUM] = "bad_ip_checksum",
	[VRRP_REJECT_FRAGMENT] = "fragment",
	[VRRP_REJECT_NOT_VRRP] = "not_vrrp",
	[VRRP_REJECT_BAD_VERSION] = "bad_version",
	[VRRP_REJECT_BAD_TYPE] = "bad_type",
	[VRRP_REJECT_BAD_LENGTH] = "bad_length",
	[VRRP_REJECT_BAD_CHECKSUM] = "bad_checksum",
	[VRRP_REJECT_BAD_AUTH_TYPE] = "bad_auth_type",
	[VRRP_REJECT_BAD_INTERVAL] = "bad_interval",
	[VRRP_REJECT_VRID_MISMATCH] = "vrid_mismatch",
	[VRRP_REJECT_BAD_TTL] = "bad_ttl",
	[VRRP_REJECT_VERSION_MISMATCH] = "version_mismatch",
	[VRRP_REJECT_AUTH_TYPE_MISMATCH] = "auth_type_mismatch",
	[VRRP_REJECT_BAD_AUTH] = "bad_auth",
	[VRRP_REJECT_INTERVAL_MISMATCH] = "interval_mismatch",
	[VRRP_REJECT_DST_MISMATCH] = "dst_mismatch",
	[VRRP_REJECT_UNKNOWN_PEER] = "unknown_peer",
	[VRRP_REJECT_TTL_RANGE] = "ttl_out_of_range",
	[VRRP_REJECT_ADDR_MISMATCH] = "addr_mismatch",
};

const char *vrrp_reject_name(enum vrrp_reject r)
{
	if ((unsigned int)r >= VRRP_REJECT_COUNT)
		return "unknown";
	return reject_names[r];
}

/* ------------------------------------------------------------ byte helpers */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* RFC 1071: the one's complement sum of big-endian 16-bit words, an odd last
 * byte padded with zero. The longest input (VRRP_PKT_MAX) cannot overflow. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 5798 5.2.8: VRRPv3 over IPv4 sums the pseudo-header src, dst, zero,
 * protocol, VRRP length before the message. */
static uint32_t csum_pseudo(uint32_t src, uint32_t dst, size_t vrrp_len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + VRRP_IPPROTO +
	       (uint32_t)vrrp_len;
}

static uint16_t vrrp_csum(unsigned int version, uint32_t src, uint32_t dst, const uint8_t *msg,
			  size_t len)
{
	uint32_t sum = version == 3 ? csum_pseudo(src, dst, len) : 0;

	return csum_fold(csum_add(sum, msg, len));
}

/* RFC 5798 5.2.8 over IPv6: the RFC 8200 8.1 pseudo-header (source,
 * destination, upper-layer length, next header) before the message. */
static uint16_t vrrp_csum6(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	uint32_t sum = csum_add(csum_add(0, src, 16), dst, 16);

	return csum_fold(csum_add(sum + (uint32_t)len + VRRP_IPPROTO, msg, len));
}

/* ------------------------------------------------------------------ encode */

size_t vrrp_encoded_len(unsigned int version, size_t n_addrs)
{
	if ((version != 2 && version != 3) || n_addrs > VRRP_MAX_ADDRS)
		return 0;
	return VRRP_IP_HDR_LEN + VRRP_HDR_LEN + 4 * n_addrs +
	       (version == 2 ? VRRP_AUTH_PASS_LEN : 0);
}

size_t vrrp_encoded_len6(size_t n_addrs)
{
	if (n_addrs > VRRP_MAX_ADDRS)
		return 0;
	return VRRP_IP6_HDR_LEN + VRRP_HDR_LEN + 16 * n_addrs;
}

static bool tx_valid(const struct vrrp_tx *tx)
{
	if (tx->af == 6 && tx->version != 3)
		return false;
	if (tx->version == 2)
		return tx->interval_cs >= 100 && tx->interval_cs % 100 == 0 &&
		       tx->interval_cs / 100 <= 255 && tx->auth_type <= VRRP_AUTH_PASS;
	if (tx->version == 3)
		return tx->interval_cs >= 1 && tx->interval_cs <= 0x0fff &&
		       tx->auth_type == VRRP_AUTH_NONE;
	return false;
}

static void encode_ip(uint8_t *ip, const struct vrrp_tx *tx, size_t total)
{
	memset(ip, 0, VRRP_IP_HDR_LEN);
	ip[0] = 0x45; /* version 4, IHL 5 */
	ip[1] = IP_TOS_NETCTL;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 4, tx->ip_id);
	/* flags and fragment offset stay 0: keepalived sets no DF */
	ip[8] = tx->ttl != 0 ? tx->ttl : VRRP_TTL;
	ip[9] = VRRP_IPPROTO;
	put32(ip + 12, tx->src);
	put32(ip + 16, tx->dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, VRRP_IP_HDR_LEN)));
}

static void encode_ip6(uint8_t *ip, const struct vrrp_tx *tx, size_t payload)
{
	put32(ip, 6u << 28 | (uint32_t)IP_TOS_NETCTL << 20);
	put16(ip + 4, (uint16_t)payload);
	ip[6] = VRRP_IPPROTO;
	ip[7] = VRRP_TTL;
	memcpy(ip + 8, tx->src6, 16);
	memcpy(ip + 24, tx->dst6, 16);
}

static size_t encode_vrrp(uint8_t *h, const struct vrrp_tx *tx)
{
	uint8_t *a = h + VRRP_HDR_LEN;
	const size_t alen = tx->af == 6 ? 16 : 4;
	size_t len = VRRP_HDR_LEN + alen * tx->n_addrs;

	h[0] = (uint8_t)(tx->version << 4 | VRRP_TYPE_ADVERT);
	h[1] = tx->vrid;
	h[2] = tx->priority;
	h[3] = (uint8_t)tx->n_addrs;
	if (tx->version == 2) {
		h[4] = tx->auth_type;
		h[5] = (uint8_t)(tx->interval_cs / 100);
	} else {
		put16(h + 4, tx->interval_cs & 0x0fff); /* reserved bits zero */
	}
	put16(h + 6, 0);
	for (size_t i = 0; i < tx->n_addrs; i++) {
		if (tx->af == 6)
			memcpy(a + 16 * i, tx->addrs6[i], 16);
		else
			put32(a + 4 * i, tx->addrs[i]);
	}
	if (tx->version == 2) {
		/* RFC 3768 5.3.10: with no authentication the field is zero */
		if (tx->auth_type == VRRP_AUTH_PASS)
			memcpy(h + len, tx->auth_pass, VRRP_AUTH_PASS_LEN);
		else
			memset(h + len, 0, VRRP_AUTH_PASS_LEN);
		len += VRRP_AUTH_PASS_LEN;
	}
	put16(h + 6, tx->af == 6 ? vrrp_csum6(tx->src6, tx->dst6, h, len)
				 : vrrp_csum(tx->version, tx->src, tx->dst, h, len));
	return len;
}

int vrrp_encode(void *buf, size_t cap, const struct vrrp_tx *tx)
{
	const bool v6 = tx->af == 6;
	size_t total;

	if (!tx_valid(tx) || tx->n_addrs > VRRP_MAX_ADDRS ||
	    (tx->n_addrs && (v6 ? !tx->addrs6 : !tx->addrs)))
		return -EINVAL;
	total = v6 ? vrrp_encoded_len6(tx->n_addrs) : vrrp_encoded_len(tx->version, tx->n_addrs);
	if (!buf || cap < total)
		return -ENOSPC;
	if (v6) {
		encode_vrrp((uint8_t *)buf + VRRP_IP6_HDR_LEN, tx);
		encode_ip6(buf, tx, total - VRRP_IP6_HDR_LEN);
	} else {
		encode_vrrp((uint8_t *)buf + VRRP_IP_HDR_LEN, tx);
		encode_ip(buf, tx, total);
	}
	return (int)total;
}

/* ------------------------------------------------------------------ decode */

/* The IPv4 header: sets *vrrp and *vrrp_len to the IP payload. */
static enum vrrp_reject decode_ip(const uint8_t *ip, size_t len, struct vrrp_advert *out,
				  const uint8_t **vrrp, size_t *vrrp_len)
{
	size_t ihl, total;

	if (len < VRRP_IP_HDR_LEN)
		return VRRP_REJECT_TRUNCATED;
	if (ip[0] >> 4 != 4)
		return VRRP_REJECT_BAD_IP_HEADER;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	total = get16(ip + 2);
	if (ihl < VRRP_IP_HDR_LEN || total < ihl)
		return VRRP_REJECT_BAD_IP_HEADER;
	if (len < ihl || len < total)
		return VRRP_REJECT_TRUNCATED;
	if (csum_fold(csum_add(0, ip, ihl)) != 0)
		return VRRP_REJECT_BAD_IP_CHECKSUM;
	if (get16(ip + 6) & (IP_FLAG_MF | IP_OFFSET_MASK))
		return VRRP_REJECT_FRAGMENT;
	if (ip[9] != VRRP_IPPROTO)
		return VRRP_REJECT_NOT_VRRP;
	out->af = 4;
	out->ttl = ip[8];
	out->src = get32(ip + 12);
	out->dst = get32(ip + 16);
	memset(out->src6, 0, sizeof(out->src6));
	memset(out->dst6, 0, sizeof(out->dst6));
	*vrrp = ip + ihl;
	*vrrp_len = total - ihl;
	return VRRP_OK;
}

/* The IPv6 header: the advert must follow it directly (keepalived sends no
 * extension header; a fragment header would make it a fragment). */
static enum vrrp_reject decode_ip6(const uint8_t *ip, size_t len, struct vrrp_advert *out,
				   const uint8_t **vrrp, size_t *vrrp_len)
{
	size_t payload;

	if (len < VRRP_IP6_HDR_LEN)
		return VRRP_REJECT_TRUNCATED;
	payload = get16(ip + 4);
	if (len < VRRP_IP6_HDR_LEN + payload)
		return VRRP_REJECT_TRUNCATED;
	if (ip[6] == 44)
		return VRRP_REJECT_FRAGMENT;
	if (ip[6] != VRRP_IPPROTO)
		return VRRP_REJECT_NOT_VRRP;
	out->af = 6;
	out->ttl = ip[7];
	out->src = out->dst = 0;
	memcpy(out->src6, ip + 8, 16);
	memcpy(out->dst6, ip + 24, 16);
	*vrrp = ip + VRRP_IP6_HDR_LEN;
	*vrrp_len = payload;
	return VRRP_OK;
}

static size_t expected_vrrp_len(const struct vrrp_advert *a, unsigned int version,
				unsigned int count)
{
	return VRRP_HDR_LEN + (a->af == 6 ? 16 : 4) * (size_t)count +
	       (version == 2 ? VRRP_AUTH_PASS_LEN : 0);
}

static void decode_fields(const uint8_t *h, struct vrrp_advert *out)
{
	out->version = h[0] >> 4;
	out->vrid = h[1];
	out->priority = h[2];
	out->count = h[3];
	if (out->version == 2) {
		out->auth_type = h[4];
		out->interval_cs = (uint16_t)(h[5] * 100);
		memcpy(out->auth_data, h + VRRP_HDR_LEN + 4 * (size_t)out->count,
		       VRRP_AUTH_PASS_LEN);
	} else {
		out->auth_type = VRRP_AUTH_NONE;
		out->interval_cs = get16(h + 4) & 0x0fff; /* reserved bits ignored */
		memset(out->auth_data, 0, VRRP_AUTH_PASS_LEN);
	}
	for (unsigned int i = 0; i < out->count; i++) {
		if (out->af == 6)
			memcpy(out->addrs6[i], h + VRRP_HDR_LEN + 16 * (size_t)i, 16);
		else
			out->addrs[i] = get32(h + VRRP_HDR_LEN + 4 * (size_t)i);
	}
}

enum vrrp_reject vrrp_decode(const void *pkt, size_t len, struct vrrp_advert *out)
{
	const uint8_t *h;
	size_t vlen;
	unsigned int version;
	enum vrrp_reject r;

	if (!pkt || !out || len < 1)
		return VRRP_REJECT_TRUNCATED;
	if ((*(const uint8_t *)pkt >> 4) == 6)
		r = decode_ip6(pkt, len, out, &h, &vlen);
	else
		r = decode_ip(pkt, len, out, &h, &vlen);
	if (r != VRRP_OK)
		return r;
	if (vlen < VRRP_HDR_LEN)
		return VRRP_REJECT_BAD_LENGTH;
	version = h[0] >> 4;
	if ((version != 2 && version != 3) || (version == 2 && out->af == 6))
		return VRRP_REJECT_BAD_VERSION;
	if ((h[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_REJECT_BAD_TYPE;
	/* RFC 3768 7.1: the complete packet, and keepalived: nothing more */
	if (vlen != expected_vrrp_len(out, version, h[3]))
		return VRRP_REJECT_BAD_LENGTH;
	if ((out->af == 6 ? vrrp_csum6(out->src6, out->dst6, h, vlen)
			  : vrrp_csum(version, out->src, out->dst, h, vlen)) != 0)
		return VRRP_REJECT_BAD_CHECKSUM;
	decode_fields(h, out);
	if (version == 2 && out->auth_type > VRRP_AUTH_AH)
		return VRRP_REJECT_BAD_AUTH_TYPE;
	if (out->interval_cs == 0)
		return VRRP_REJECT_BAD_INTERVAL;
	return VRRP_OK;
}

/* ------------------------------------------------------------------- check */

/* Compares every byte whatever the first difference, so the time taken says
 * nothing about how much of a guessed password was right. */
static bool equal_constant_time(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static bool is_multicast(const struct vrrp_advert *a)
{
	if (a->af == 6)
		return a->dst6[0] == 0xff;
	return (a->dst & 0xf0000000) == 0xe0000000;
}

static bool addr_in(uint32_t addr, const uint32_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == addr)
			return true;
	return false;
}

static bool addr6_in(const uint8_t *addr, const uint8_t (*set)[16], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(set[i], addr, 16) == 0)
			return true;
	return false;
}

/* Whether our VIP i is among the advert's addresses. */
static bool vip_advertised(const struct vrrp_check_params *c, const struct vrrp_advert *a, size_t i)
{
	if (a->af == 6)
		return addr6_in(c->vips6[i], (const uint8_t(*)[16])a->addrs6, a->count);
	return addr_in(c->vips[i], a->addrs, a->count);
}

/* keepalived's vrrp_in_chk_vips(): every VIP of ours must be advertised. */
static unsigned int addr_mismatch(const struct vrrp_check_params *c, const struct vrrp_advert *a)
{
	unsigned int flags = 0;

	if (a->count != c->n_vips)
		flags |= VRRP_CHECK_ADDR_COUNT;
	for (size_t i = 0; i < c->n_vips; i++) {
		if (!vip_advertised(c, a, i)) {
			flags |= VRRP_CHECK_ADDR_LIST;
			break;
		}
	}
	return flags;
}

/* Whether the unicast advert's sender is one of our peers. */
static bool from_peer(const struct vrrp_check_params *c, const struct vrrp_advert *a)
{
	if (a->af == 6)
		return addr6_in(a->src6, c->peers6, c->n_peers);
	return addr_in(a->src, c->peers, c->n_peers);
}

static bool addr_mismatch_rejects(enum vrrp_addr_check mode, const struct vrrp_advert *a)
{
	switch (mode) {
	case VRRP_ADDR_CHECK_KEEPALIVED:
		return true;
	case VRRP_ADDR_CHECK_RFC:
		return a->priority != VRRP_PRIO_OWNER;
	case VRRP_ADDR_CHECK_LOG_ONLY:
		return false;
	}
	return true;
}

/* The VRRPv2-only checks, in keepalived's order. */
static enum vrrp_reject check_v2(const struct vrrp_check_params *c, const struct vrrp_advert *a)
{
	if (a->auth_type != c->auth_type)
		return VRRP_REJECT_AUTH_TYPE_MISMATCH;
	if (c->auth_type == VRRP_AUTH_PASS &&
	    !equal_constant_time(a->auth_data, c->auth_pass, VRRP_AUTH_PASS_LEN))
		return VRRP_REJECT_BAD_AUTH;
	/* keepalived: "to prevent concurrent VRID running => multiple master" */
	if (a->interval_cs != c->interval_cs)
		return VRRP_REJECT_INTERVAL_MISMATCH;
	return VRRP_OK;
}

/* keepalived: a unicast advert from a known peer must arrive with a TTL in
 * that peer's min_ttl..max_ttl. */
static bool ttl_out_of_range(const struct vrrp_check_params *c, const struct vrrp_advert *a)
{
	if (c->peer_ttl == NULL)
		return false;
	for (size_t i = 0; i < c->n_peers; i++)
		if (a->af == 6 ? memcmp(c->peers6[i], a->src6, 16) == 0 : c->peers[i] == a->src)
			return a->ttl < c->peer_ttl[i].min || a->ttl > c->peer_ttl[i].max;
	return false;
}

static bool ttl_checked(const struct vrrp_check_params *c)
{
	return !c->unicast || c->unicast_check_ttl;
}

enum vrrp_reject vrrp_advert_check(const struct vrrp_check_params *c, const struct vrrp_advert *a,
				   unsigned int *flags)
{
	unsigned int f = 0;
	enum vrrp_reject r = VRRP_OK;

	if (a->priority == VRRP_PRIO_STOP)
		f |= VRRP_CHECK_PRIO_ZERO;
	if (a->vrid != c->vrid || a->af != (c->af == 6 ? 6 : 4))
		r = VRRP_REJECT_VRID_MISMATCH;
	else if (ttl_checked(c) && a->ttl != VRRP_TTL)
		r = VRRP_REJECT_BAD_TTL;
	else if (a->version != c->version)
		r = VRRP_REJECT_VERSION_MISMATCH;
	else if (a->version == 2)
		r = check_v2(c, a);
	if (r == VRRP_OK && a->version == 3 && a->interval_cs != c->interval_cs)
		f |= VRRP_CHECK_INTERVAL;
	if (r == VRRP_OK && is_multicast(a) == c->unicast)
		r = VRRP_REJECT_DST_MISMATCH;
	if (r == VRRP_OK && c->unicast && c->check_unicast_src && !from_peer(c, a))
		r = VRRP_REJECT_UNKNOWN_PEER;
	if (r == VRRP_OK && c->unicast && ttl_out_of_range(c, a))
		r = VRRP_REJECT_TTL_RANGE;
	if (r == VRRP_OK) {
		unsigned int m = addr_mismatch(c, a);

		f |= m;
		if (m && addr_mismatch_rejects(c->addr_check, a))
			r = VRRP_REJECT_ADDR_MISMATCH;
	}
	if (flags)
		*flags = f;
	return r;
}
