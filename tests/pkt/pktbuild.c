/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet builder and checker (see pktbuild.h). Headers are written byte
 * by byte in network order and every sum is this file's own, so the bytes
 * do not depend on the code under test.
 */
#include <stdarg.h>
#include <string.h>

#include "pktbuild.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071: the one's complement sum of 16-bit big-endian words, an odd
 * last byte padded with zero, added to sum (not folded). */
static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t len)
{
	while (len > 1) {
		sum += get16(p);
		p += 2;
		len -= 2;
	}
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum value (host order) to store for data. */
static uint16_t csum_of(uint32_t start, const uint8_t *p, size_t len)
{
	return (uint16_t)~fold(sum_words(start, p, len));
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
	uint8_t ph[12];

	put32(ph, src);
	put32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)len);
	return sum_words(0, ph, sizeof(ph));
}

static uint32_t pseudo_sum6(const uint8_t *src, const uint8_t *dst, uint8_t proto, size_t len)
{
	uint8_t ph[8] = { 0 };

	put32(ph, (uint32_t)len);
	ph[7] = proto;
	return sum_words(sum_words(sum_words(0, src, 16), dst, 16), ph, sizeof(ph));
}

void pb_fix_ip_csum(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0xf) * 4;

	put16(ip + 10, 0);
	put16(ip + 10, csum_of(0, ip, ihl));
}

/* The IPv4 header of a frame (l2 set), or NULL. */
static const uint8_t *frame_ip(const uint8_t *f, size_t len, size_t *l2)
{
	size_t ihl;

	*l2 = len >= 18 && get16(f + 12) == PB_ETH_VLAN ? 18 : 14;
	if (len < *l2 + 20 || get16(f + *l2 - 2) != PB_ETH_IPV4 || (f[*l2] >> 4) != 4)
		return NULL;
	ihl = (size_t)(f[*l2] & 0xf) * 4;
	if (ihl < 20 || *l2 + ihl > len)
		return NULL;
	return f + *l2;
}

bool pb_ip_csum_ok(const uint8_t *f, size_t len)
{
	size_t l2;
	const uint8_t *ip = frame_ip(f, len, &l2);

	return ip != NULL && fold(sum_words(0, ip, (size_t)(ip[0] & 0xf) * 4)) == 0xffff;
}

static bool ext_walk(const uint8_t *ip, size_t total, size_t *off, uint8_t *proto);

/* Mends an IPv6 frame (see pb_fix_frame): the payload length, then the
 * upper layer's checksum past the extension headers. */
static void fix_frame6(uint8_t *f, size_t len, size_t l2, bool fix_total, bool l4)
{
	uint8_t *ip = f + l2, *p, proto;
	size_t total, off;

	if (len < l2 + 40 || (ip[0] >> 4) != 6)
		return;
	if (fix_total && len - l2 - 40 <= 0xffff)
		put16(ip + 4, (uint16_t)(len - l2 - 40));
	total = 40 + (size_t)get16(ip + 4);
	if (!l4 || total > len - l2 || !ext_walk(ip, total, &off, &proto))
		return;
	p = ip + off;
	if (proto == PB_PROTO_TCP && total - off >= 20) {
		put16(p + 16, 0);
		put16(p + 16,
		      csum_of(pseudo_sum6(ip + 8, ip + 24, proto, total - off), p, total - off));
	} else if (proto == PB_PROTO_UDP && total - off >= 8) {
		uint16_t c;

		put16(p + 6, 0);
		c = csum_of(pseudo_sum6(ip + 8, ip + 24, proto, total - off), p, total - off);
		put16(p + 6, c == 0 ? 0xffff : c);
	} else if (proto == PB_PROTO_ICMP6 && total - off >= 8) {
		put16(p + 2, 0);
		put16(p + 2,
		      csum_of(pseudo_sum6(ip + 8, ip + 24, proto, total - off), p, total - off));
	}
}

void pb_fix_frame(uint8_t *f, size_t len, bool fix_total, bool l4)
{
	size_t l2, ihl, total, l4len;
	uint8_t *ip = (uint8_t *)(uintptr_t)frame_ip(f, len, &l2), *p;

	if (ip == NULL) {
		if (len >= l2 && get16(f + l2 - 2) == PB_ETH_IPV6)
			fix_frame6(f, len, l2, fix_total, l4);
		return;
	}
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (fix_total && len - l2 <= 0xffff)
		put16(ip + 2, (uint16_t)(len - l2));
	total = get16(ip + 2);
	if (l4 && total >= ihl && l2 + total <= len && (get16(ip + 6) & 0x3fff) == 0) {
		p = ip + ihl;
		l4len = total - ihl;
		if (ip[9] == PB_PROTO_TCP && l4len >= 20) {
			put16(p + 16, 0);
			put16(p + 16,
			      csum_of(pseudo_sum(get32(ip + 12), get32(ip + 16), ip[9], l4len), p,
				      l4len));
		} else if (ip[9] == PB_PROTO_UDP && l4len >= 8 && get16(p + 6) != 0) {
			uint16_t c;

			put16(p + 6, 0);
			c = csum_of(pseudo_sum(get32(ip + 12), get32(ip + 16), ip[9], l4len), p,
				    l4len);
			put16(p + 6, c == 0 ? 0xffff : c);
		} else if (ip[9] == PB_PROTO_ICMP && l4len >= 8) {
			put16(p + 2, 0);
			put16(p + 2, csum_of(0, p, l4len));
		}
	}
	pb_fix_ip_csum(ip);
}

/* ------------------------------------------------------------ templates */

static struct pb_ip ip_base(uint32_t src, uint32_t dst, uint8_t proto)
{
	return (struct pb_ip){
		.src = src, .dst = dst, .proto = proto, .ttl = 64, .id = 1, .frag = PB_IP_DF
	};
}

struct pb_ip pb_tcp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t flags)
{
	struct pb_ip p = ip_base(src, dst, PB_PROTO_TCP);

	p.sport = sport;
	p.dport = dport;
	p.flags = flags;
	p.seq = 1000;
	p.ack = (flags & PB_TH_ACK) ? 2000 : 0;
	p.win = 65535;
	return p;
}

struct pb_ip pb_udp(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct pb_ip p = ip_base(src, dst, PB_PROTO_UDP);

	p.sport = sport;
	p.dport = dport;
	return p;
}

struct pb_ip pb_icmp_error(uint32_t src, uint32_t dst, uint8_t type, uint8_t code, uint32_t rest,
			   const struct pb_ip *quoted, uint16_t quote)
{
	struct pb_ip p = ip_base(src, dst, PB_PROTO_ICMP);

	p.frag = 0;
	p.icmp_type = type;
	p.icmp_code = code;
	p.icmp_rest = rest;
	p.inner = quoted;
	p.quote = quote;
	return p;
}

struct pb_ip pb_ipip(uint32_t src, uint32_t dst, const struct pb_ip *inner)
{
	struct pb_ip p = ip_base(src, dst, inner->af == 6 ? PB_PROTO_IPV6 : PB_PROTO_IPIP);

	p.inner = inner;
	return p;
}

static struct pb_ip ip6_base(const uint8_t *src, const uint8_t *dst, uint8_t proto)
{
	struct pb_ip p = { .af = 6, .proto = proto, .ttl = 64 };

	memcpy(p.src6, src, 16);
	memcpy(p.dst6, dst, 16);
	return p;
}

struct pb_ip pb_tcp6(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
		     uint8_t flags)
{
	struct pb_ip p = ip6_base(src, dst, PB_PROTO_TCP);

	p.sport = sport;
	p.dport = dport;
	p.flags = flags;
	p.seq = 1000;
	p.ack = (flags & PB_TH_ACK) ? 2000 : 0;
	p.win = 65535;
	return p;
}

struct pb_ip pb_udp6(const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport)
{
	struct pb_ip p = ip6_base(src, dst, PB_PROTO_UDP);

	p.sport = sport;
	p.dport = dport;
	return p;
}

struct pb_ip pb_icmp6(const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
		      uint32_t rest)
{
	struct pb_ip p = ip6_base(src, dst, PB_PROTO_ICMP6);

	p.icmp_type = type;
	p.icmp_code = code;
	p.icmp_rest = rest;
	return p;
}

struct pb_ip pb_icmp6_error(const uint8_t *src, const uint8_t *dst, uint8_t type, uint8_t code,
			    uint32_t rest, const struct pb_ip *quoted, uint16_t quote)
{
	struct pb_ip p = pb_icmp6(src, dst, type, code, rest);

	p.inner = quoted;
	p.quote = quote;
	return p;
}

struct pb_ip pb_ip6ip(const uint8_t *src, const uint8_t *dst, const struct pb_ip *inner)
{
	struct pb_ip p = ip6_base(src, dst, inner->af == 6 ? PB_PROTO_IPV6 : PB_PROTO_IPIP);

	p.inner = inner;
	return p;
}

/* An NS or NA body: the target, then a link-layer address option. */
static struct pb_ip nd(const uint8_t *src, const uint8_t *dst, uint8_t type, uint32_t rest,
		       const uint8_t *target, uint8_t opt, const struct pb_mac *lla)
{
	struct pb_ip p = pb_icmp6(src, dst, type, 0, rest);

	p.ttl = 255;
	memcpy(p.body, target, 16);
	p.body_len = 16;
	if (lla != NULL) {
		p.body[16] = opt;
		p.body[17] = 1;
		memcpy(p.body + 18, lla->b, 6);
		p.body_len = 24;
	}
	return p;
}

struct pb_ip pb_ns(const uint8_t *src, const uint8_t *dst, const uint8_t *target,
		   const struct pb_mac *lla)
{
	return nd(src, dst, 135, 0, target, 1, lla);
}

struct pb_ip pb_na(const uint8_t *src, const uint8_t *dst, const uint8_t *target, uint8_t flags,
		   const struct pb_mac *lla)
{
	return nd(src, dst, 136, (uint32_t)flags << 24, target, 2, lla);
}

void pb_solicited_node(const uint8_t *a, uint8_t *group)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff };

	memcpy(group, prefix, sizeof(prefix));
	memcpy(group + 13, a + 13, 3);
}

struct pb_mac pb_mcast_mac6(const uint8_t *group)
{
	struct pb_mac m = { { 0x33, 0x33 } };

	memcpy(m.b + 2, group + 12, 4);
	return m;
}

/* The offset of the last extension header of p, or -1 when it has none. */
static int ext_last(const struct pb_ip *p)
{
	uint16_t off = 0;
	uint8_t type = p->ext_nh;
	int last = -1;

	while (off < p->ext_len) {
		uint16_t len = type == PB_EXT_FRAGMENT ? 8 : (uint16_t)((p->ext[off + 1] + 1) * 8);

		last = off;
		type = p->ext[off];
		off = (uint16_t)(off + len);
	}
	return last;
}

bool pb_ext_add(struct pb_ip *p, uint8_t type, uint16_t len, uint8_t segs_left, uint16_t offset,
		bool more)
{
	uint8_t *h = p->ext + p->ext_len;
	int last = ext_last(p);

	if (type == PB_EXT_FRAGMENT)
		len = 8;
	if (len < 8 || len % 8 != 0 || (size_t)p->ext_len + len > sizeof(p->ext))
		return false;
	memset(h, 0, len);
	h[0] = p->proto;
	if (type == PB_EXT_FRAGMENT) {
		put16(h + 2, (uint16_t)(offset << 3 | (more ? 1 : 0)));
		put32(h + 4, 0x12345678);
	} else {
		h[1] = (uint8_t)(len / 8 - 1);
		if (type == PB_EXT_ROUTING) {
			h[2] = (uint8_t)offset;
			h[3] = segs_left;
		} else if (len > 2) {
			h[2] = 1; /* PadN */
			h[3] = (uint8_t)(len - 4);
		}
	}
	if (last < 0)
		p->ext_nh = type;
	else
		p->ext[last] = type;
	p->ext_len = (uint16_t)(p->ext_len + len);
	return true;
}

struct pb_frame pb_eth(struct pb_mac dst, struct pb_mac src, const struct pb_ip *ip)
{
	return (struct pb_frame){ .dst = dst, .src = src, .vlan = -1, .ip = *ip };
}

struct pb_frame pb_eth_raw(struct pb_mac dst, struct pb_mac src, uint16_t ethertype,
			   const uint8_t *raw, uint16_t len)
{
	return (struct pb_frame){ .dst = dst,
				  .src = src,
				  .vlan = -1,
				  .ethertype = ethertype,
				  .raw = raw,
				  .raw_len = len };
}

/* ------------------------------------------------------------ rendering */

static size_t render_payload(const struct pb_ip *p, uint8_t *out, size_t cap)
{
	if (p->payload_len > cap)
		return SIZE_MAX;
	for (size_t i = 0; i < p->payload_len; i++)
		out[i] = p->payload != NULL ? p->payload[i] : (uint8_t)(p->payload_seed + i);
	return p->payload_len;
}

static bool carries_inner(uint8_t proto)
{
	return proto == PB_PROTO_ICMP || proto == PB_PROTO_IPIP || proto == PB_PROTO_IPV6 ||
	       proto == PB_PROTO_ICMP6;
}

/* Renders what follows the L4 header of p; SIZE_MAX when out of room. */
static size_t render_body(const struct pb_ip *p, uint8_t *out, size_t cap)
{
	if (p->inner != NULL && carries_inner(p->proto)) {
		uint8_t tmp[PB_FRAME_MAX];
		size_t n = pb_render_ip(p->inner, tmp, sizeof(tmp));

		if (n == 0)
			return SIZE_MAX;
		if ((p->proto == PB_PROTO_ICMP || p->proto == PB_PROTO_ICMP6) && p->quote != 0 &&
		    p->quote < n)
			n = p->quote;
		if (n > cap)
			return SIZE_MAX;
		memcpy(out, tmp, n);
		return n;
	}
	if (p->body_len > 0) {
		if (p->body_len > cap)
			return SIZE_MAX;
		memcpy(out, p->body, p->body_len);
		return p->body_len;
	}
	return render_payload(p, out, cap);
}

/* The length of p's L4 header as the builder writes it. */
static size_t l4_hdr_len(const struct pb_ip *p)
{
	if (p->no_l4)
		return 0;
	switch (p->proto) {
	case PB_PROTO_TCP:
		return 20;
	case PB_PROTO_UDP:
	case PB_PROTO_ICMP:
	case PB_PROTO_ICMP6:
		return 8;
	default:
		return 0;
	}
}

/* Writes p's L4 header at l4 (l4len bytes of it and what follows), its
 * checksum over the pseudo-header sum ps (ICMP: none). */
static void render_l4(const struct pb_ip *p, uint8_t *l4, size_t l4len, uint32_t ps)
{
	if (p->no_l4)
		return;
	switch (p->proto) {
	case PB_PROTO_TCP:
		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, p->ack);
		l4[12] = 5 << 4;
		l4[13] = p->flags;
		put16(l4 + 14, p->win);
		put16(l4 + 16, 0);
		put16(l4 + 18, 0);
		put16(l4 + 16, csum_of(ps, l4, l4len));
		break;
	case PB_PROTO_UDP: {
		uint16_t c;

		put16(l4, p->sport);
		put16(l4 + 2, p->dport);
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, 0);
		c = csum_of(ps, l4, l4len);
		/* RFC 768: a computed zero is sent as all ones. */
		put16(l4 + 6, p->udp_no_csum ? 0 : (c == 0 ? 0xffff : c));
		break;
	}
	case PB_PROTO_ICMP:
	case PB_PROTO_ICMP6:
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		put16(l4 + 2, 0);
		put32(l4 + 4, p->icmp_rest);
		put16(l4 + 2, csum_of(p->proto == PB_PROTO_ICMP6 ? ps : 0, l4, l4len));
		break;
	default:
		break;
	}
}

static size_t render_ip6(const struct pb_ip *p, uint8_t *out, size_t cap)
{
	const size_t hdr = 40 + (size_t)p->ext_len;
	const size_t hlen = l4_hdr_len(p);
	uint8_t *l4 = out + hdr;
	size_t body, l4len;

	if (cap < hdr + hlen)
		return 0;
	body = render_body(p, l4 + hlen, cap - hdr - hlen);
	if (body == SIZE_MAX)
		return 0;
	l4len = hlen + body;
	if (p->ext_len + l4len > 0xffff)
		return 0;
	render_l4(p, l4, l4len, pseudo_sum6(p->src6, p->dst6, p->proto, l4len));
	put32(out, 6u << 28 | (uint32_t)p->tos << 20 | (p->flow & 0xfffff));
	put16(out + 4, (uint16_t)(p->ext_len + l4len));
	out[6] = p->ext_len ? p->ext_nh : p->proto;
	out[7] = p->ttl;
	memcpy(out + 8, p->src6, 16);
	memcpy(out + 24, p->dst6, 16);
	memcpy(out + 40, p->ext, p->ext_len);
	return hdr + l4len;
}

size_t pb_render_ip(const struct pb_ip *p, uint8_t *out, size_t cap)
{
	const size_t ihl = 20 + (size_t)p->optlen;
	uint8_t *l4 = out + ihl;
	size_t hlen, body, l4len, total;

	if (p->af == 6)
		return render_ip6(p, out, cap);
	if (p->optlen > 40 || (p->optlen & 3) || cap < ihl + 20)
		return 0;
	hlen = l4_hdr_len(p);
	body = render_body(p, l4 + hlen, cap - ihl - hlen);
	if (body == SIZE_MAX)
		return 0;
	l4len = hlen + body;
	total = ihl + l4len;
	if (total > 0xffff)
		return 0;
	render_l4(p, l4, l4len, pseudo_sum(p->src, p->dst, p->proto, l4len));

	out[0] = (uint8_t)(0x40 | (ihl / 4));
	out[1] = p->tos;
	put16(out + 2, (uint16_t)total);
	put16(out + 4, p->id);
	put16(out + 6, p->frag);
	out[8] = p->ttl;
	out[9] = p->proto;
	put16(out + 10, 0);
	put32(out + 12, p->src);
	put32(out + 16, p->dst);
	memcpy(out + 20, p->opts, p->optlen);
	put16(out + 10, csum_of(0, out, ihl));
	return total;
}

size_t pb_render(const struct pb_frame *f, uint8_t *out, size_t cap)
{
	size_t l2 = f->vlan >= 0 ? 18 : 14, n;

	if (cap < l2)
		return 0;
	memcpy(out, f->dst.b, 6);
	memcpy(out + 6, f->src.b, 6);
	if (f->vlan >= 0) {
		put16(out + 12, PB_ETH_VLAN);
		put16(out + 14, (uint16_t)f->vlan);
	}
	put16(out + l2 - 2,
	      f->ethertype ? f->ethertype : (f->ip.af == 6 ? PB_ETH_IPV6 : PB_ETH_IPV4));
	if (f->ethertype == 0 || f->ethertype == PB_ETH_IPV4 || f->ethertype == PB_ETH_IPV6) {
		n = pb_render_ip(&f->ip, out + l2, cap - l2);
		if (n == 0)
			return 0;
	} else {
		n = f->raw_len;
		if (n > cap - l2)
			return 0;
		if (n > 0)
			memcpy(out + l2, f->raw, n);
	}
	n += l2;
	if (f->pad_to > n) {
		if (f->pad_to > cap)
			return 0;
		memset(out + n, 0, f->pad_to - n);
		n = f->pad_to;
	}
	return n;
}

size_t pb_arp(uint16_t op, struct pb_mac sha, uint32_t sip, struct pb_mac tha, uint32_t tip,
	      uint8_t *out, size_t cap)
{
	if (cap < 28)
		return 0;
	put16(out, 1);          /* Ethernet */
	put16(out + 2, 0x0800); /* IPv4 */
	out[4] = 6;
	out[5] = 4;
	put16(out + 6, op);
	memcpy(out + 8, sha.b, 6);
	put32(out + 14, sip);
	memcpy(out + 18, tha.b, 6);
	put32(out + 24, tip);
	return 28;
}

/* ------------------------------------------------------------- checking */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int verify_ip(const uint8_t *ip, size_t avail, int depth, char *err, size_t errlen);
static int verify_ip6(const uint8_t *ip, size_t avail, int depth, char *err, size_t errlen);

/* The quoted packet of an ICMP error: a whole header, maybe a cut body. */
static int verify_quote(const uint8_t *q, size_t len, int depth, char *err, size_t errlen)
{
	size_t ihl, total;

	if (len >= 40 && (q[0] >> 4) == 6) {
		/* IPv6 has no header checksum: the whole quote, or nothing */
		if (40 + (size_t)get16(q + 4) <= len)
			return verify_ip6(q, 40 + (size_t)get16(q + 4), depth + 1, err, errlen);
		return 0;
	}
	if (len < 20 || (q[0] >> 4) != 4)
		return 0; /* nothing we can check */
	ihl = (size_t)(q[0] & 0xf) * 4;
	if (ihl < 20 || ihl > len)
		return 0;
	if (fold(sum_words(0, q, ihl)) != 0xffff)
		return fail(err, errlen, "quoted IP header checksum wrong (depth %d)", depth);
	total = get16(q + 2);
	if (total <= len)
		return verify_ip(q, total, depth + 1, err, errlen);
	return 0;
}

static int verify_ip(const uint8_t *ip, size_t avail, int depth, char *err, size_t errlen)
{
	size_t ihl, total, l4len;
	const uint8_t *l4;
	uint32_t src, dst;
	uint8_t proto;

	if (depth > 4)
		return 0;
	if (avail < 20)
		return fail(err, errlen, "IP header cut (%zu bytes, depth %d)", avail, depth);
	if ((ip[0] >> 4) != 4)
		return fail(err, errlen, "IP version %u (depth %d)", ip[0] >> 4, depth);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	total = get16(ip + 2);
	if (ihl < 20 || total < ihl || total > avail)
		return fail(err, errlen, "IP lengths ihl %zu total %zu avail %zu (depth %d)", ihl,
			    total, avail, depth);
	if (fold(sum_words(0, ip, ihl)) != 0xffff)
		return fail(err, errlen, "IP header checksum wrong (depth %d)", depth);
	if (get16(ip + 6) & 0x3fff)
		return 0; /* a fragment: its L4 checksum covers the whole datagram */
	proto = ip[9];
	src = get32(ip + 12);
	dst = get32(ip + 16);
	l4 = ip + ihl;
	l4len = total - ihl;
	switch (proto) {
	case PB_PROTO_TCP:
		if (l4len < 20)
			return fail(err, errlen, "TCP header cut (depth %d)", depth);
		if (fold(sum_words(pseudo_sum(src, dst, proto, l4len), l4, l4len)) != 0xffff)
			return fail(err, errlen, "TCP checksum wrong (depth %d)", depth);
		break;
	case PB_PROTO_UDP:
		if (l4len < 8)
			return fail(err, errlen, "UDP header cut (depth %d)", depth);
		if (get16(l4 + 6) != 0 &&
		    fold(sum_words(pseudo_sum(src, dst, proto, l4len), l4, l4len)) != 0xffff)
			return fail(err, errlen, "UDP checksum wrong (depth %d)", depth);
		break;
	case PB_PROTO_ICMP:
		if (l4len < 8)
			return fail(err, errlen, "ICMP header cut (depth %d)", depth);
		if (fold(sum_words(0, l4, l4len)) != 0xffff)
			return fail(err, errlen, "ICMP checksum wrong (depth %d)", depth);
		if (l4[0] == 3 || l4[0] == 4 || l4[0] == 11 || l4[0] == 12)
			return verify_quote(l4 + 8, l4len - 8, depth, err, errlen);
		break;
	case PB_PROTO_IPIP:
		return verify_ip(l4, l4len, depth + 1, err, errlen);
	case PB_PROTO_IPV6:
		return verify_ip6(l4, l4len, depth + 1, err, errlen);
	default:
		break;
	}
	return 0;
}

/* Walks p's extension headers: the upper layer's offset and protocol;
 * false for a fragment or a chain that does not add up. */
static bool ext_walk(const uint8_t *ip, size_t total, size_t *off, uint8_t *proto)
{
	uint8_t nh = ip[6];
	size_t o = 40;

	for (int i = 0; i < 16; i++) {
		size_t len;

		if (nh != PB_EXT_HOPOPTS && nh != PB_EXT_ROUTING && nh != PB_EXT_DSTOPTS &&
		    nh != PB_EXT_FRAGMENT)
			break;
		if (nh == PB_EXT_FRAGMENT || o + 8 > total)
			return false; /* a fragment: its checksum covers the whole */
		len = ((size_t)ip[o + 1] + 1) * 8;
		nh = ip[o];
		o += len;
	}
	if (o > total)
		return false;
	*off = o;
	*proto = nh;
	return true;
}

static int verify_ip6(const uint8_t *ip, size_t avail, int depth, char *err, size_t errlen)
{
	size_t total, off, l4len;
	const uint8_t *l4;
	uint8_t proto;

	if (depth > 4)
		return 0;
	if (avail < 40)
		return fail(err, errlen, "IPv6 header cut (%zu bytes, depth %d)", avail, depth);
	if ((ip[0] >> 4) != 6)
		return fail(err, errlen, "IP version %u (depth %d)", ip[0] >> 4, depth);
	total = 40 + (size_t)get16(ip + 4);
	if (total > avail)
		return fail(err, errlen, "IPv6 payload %zu over %zu (depth %d)", total, avail,
			    depth);
	if (!ext_walk(ip, total, &off, &proto))
		return 0;
	l4 = ip + off;
	l4len = total - off;
	switch (proto) {
	case PB_PROTO_TCP:
	case PB_PROTO_UDP:
	case PB_PROTO_ICMP6:
		if (l4len < (proto == PB_PROTO_TCP ? 20u : 8u))
			return fail(err, errlen, "L4 header cut (depth %d)", depth);
		if (fold(sum_words(pseudo_sum6(ip + 8, ip + 24, proto, l4len), l4, l4len)) !=
		    0xffff)
			return fail(err, errlen, "%s checksum wrong (IPv6, depth %d)",
				    proto == PB_PROTO_TCP   ? "TCP"
				    : proto == PB_PROTO_UDP ? "UDP"
							    : "ICMPv6",
				    depth);
		if (proto == PB_PROTO_ICMP6 && l4[0] >= 1 && l4[0] <= 4)
			return verify_quote(l4 + 8, l4len - 8, depth, err, errlen);
		break;
	case PB_PROTO_IPIP:
		return verify_ip(l4, l4len, depth + 1, err, errlen);
	case PB_PROTO_IPV6:
		return verify_ip6(l4, l4len, depth + 1, err, errlen);
	default:
		break;
	}
	return 0;
}

int pb_verify(const uint8_t *f, size_t len, char *err, size_t errlen)
{
	size_t l2 = 14;
	uint16_t type;

	if (len < 14)
		return fail(err, errlen, "frame of %zu bytes", len);
	type = get16(f + 12);
	if (type == PB_ETH_VLAN) {
		if (len < 18)
			return fail(err, errlen, "VLAN header cut");
		type = get16(f + 16);
		l2 = 18;
	}
	if (type == PB_ETH_IPV6)
		return verify_ip6(f + l2, len - l2, 0, err, errlen);
	if (type != PB_ETH_IPV4)
		return 0;
	return verify_ip(f + l2, len - l2, 0, err, errlen);
}

/* ------------------------------------------------------------- printing */

static void hexrow(FILE *out, const char *prefix, const char *tag, const uint8_t *f, size_t len,
		   size_t row)
{
	fprintf(out, "%s%s %04zx:", prefix, tag, row);
	for (size_t i = row; i < row + 16; i++) {
		if (i < len)
			fprintf(out, " %02x", f[i]);
		else
			fputs("   ", out);
	}
	fputc('\n', out);
}

void pb_hexdump(FILE *out, const char *prefix, const uint8_t *f, size_t len)
{
	for (size_t row = 0; row < len; row += 16)
		hexrow(out, prefix, "", f, len, row);
}

void pb_hexdiff(FILE *out, const char *prefix, const uint8_t *exp, size_t elen, const uint8_t *got,
		size_t glen)
{
	size_t max = elen > glen ? elen : glen, first = SIZE_MAX;

	for (size_t i = 0; i < max && first == SIZE_MAX; i++)
		if (i >= elen || i >= glen || exp[i] != got[i])
			first = i;
	fprintf(out, "%sexpected %zu bytes, got %zu; first difference at byte %zu\n", prefix, elen,
		glen, first);
	for (size_t row = 0; row < max; row += 16) {
		bool same = true;

		for (size_t i = row; i < row + 16 && i < max; i++)
			if (i >= elen || i >= glen || exp[i] != got[i])
				same = false;
		if (same)
			continue;
		hexrow(out, prefix, "exp", exp, elen, row);
		hexrow(out, prefix, "got", got, glen, row);
	}
}
