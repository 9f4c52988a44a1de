/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/sync, the IPVS sync codec, against messages written
 * byte by byte from the kernel's layout (struct ip_vs_sync_mesg, struct
 * ip_vs_sync_v4 / _v6 and struct ip_vs_sync_conn_v0 in ip_vs_sync.c): what
 * halb writes is what the kernel's receiver parses, and what the kernel's
 * sender writes halb reads; then every way a message can be wrong, each
 * refused as the kernel refuses it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "halb_sync.h"

/* A version 1 message as the kernel writes it: sync id 51, one IPv4 TCP
 * connection 198.51.100.10:40000 -> 172.17.100.100:80 -> 172.17.1.7:8080,
 * NAT (flags 0), ESTABLISHED (1), timeout 900, then a DR template
 * (flags 0x1003) 198.51.100.0:0 -> 172.17.100.100:80 -> 172.17.1.8:80,
 * timeout 600. */
static const uint8_t kernel_v1[] = {
	/* header: reserved, syncid, size 80, count 2, version 1, spare */
	0x00,
	51,
	0x00,
	80,
	2,
	1,
	0x00,
	0x00,
	/* conn 1: type 0, TCP, ver 0 size 36, flags 0, state 1 */
	0x00,
	6,
	0x00,
	36,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x01,
	/* cport 40000, vport 80, dport 8080 */
	0x9c,
	0x40,
	0x00,
	0x50,
	0x1f,
	0x90,
	/* fwmark 0, timeout 900 */
	0,
	0,
	0,
	0,
	0x00,
	0x00,
	0x03,
	0x84,
	/* caddr, vaddr, daddr */
	198,
	51,
	100,
	10,
	172,
	17,
	100,
	100,
	172,
	17,
	1,
	7,
	/* conn 2: the template */
	0x00,
	6,
	0x00,
	36,
	0x00,
	0x00,
	0x10,
	0x03,
	0x00,
	0x00,
	0x00,
	0x00,
	0x00,
	0x50,
	0x00,
	0x50,
	0,
	0,
	0,
	0,
	0x00,
	0x00,
	0x02,
	0x58,
	198,
	51,
	100,
	0,
	172,
	17,
	100,
	100,
	172,
	17,
	1,
	8,
};

static struct sync_conn nat_conn(void)
{
	struct sync_conn c = { .af = 4, .proto = IPPROTO_TCP, .state = 1, .timeout = 900 };
	const uint8_t ca[4] = { 198, 51, 100, 10 }, va[4] = { 172, 17, 100, 100 },
		      da[4] = { 172, 17, 1, 7 };

	c.cport = htons(40000);
	c.vport = htons(80);
	c.dport = htons(8080);
	memcpy(c.caddr, ca, 4);
	memcpy(c.vaddr, va, 4);
	memcpy(c.daddr, da, 4);
	return c;
}

static struct sync_conn tmpl_conn(void)
{
	struct sync_conn c = nat_conn();
	const uint8_t ca[4] = { 198, 51, 100, 0 }, da[4] = { 172, 17, 1, 8 };

	c.flags = SYNC_F_TEMPLATE | SYNC_F_DROUTE;
	c.state = 0;
	c.timeout = 600;
	c.cport = 0;
	c.dport = htons(80);
	memcpy(c.caddr, ca, 4);
	memcpy(c.daddr, da, 4);
	return c;
}

/* halb writes, byte for byte, what the kernel writes. */
static void test_write_v1(void **state)
{
	uint8_t buf[1500];
	struct sync_writer w;
	struct sync_conn a = nat_conn(), b = tmpl_conn();

	(void)state;
	sync_writer_init(&w, buf, sizeof(buf), 51);
	assert_true(sync_writer_add(&w, &a));
	assert_true(sync_writer_add(&w, &b));
	assert_int_equal(sync_writer_finish(&w), sizeof(kernel_v1));
	assert_memory_equal(buf, kernel_v1, sizeof(kernel_v1));
}

/* halb reads what the kernel writes, flags masked and marked as the
 * kernel's backup does. */
static void test_read_v1(void **state)
{
	struct sync_conn out[4];
	struct sync_msg m;
	struct sync_conn a = nat_conn(), b = tmpl_conn();

	(void)state;
	assert_int_equal(sync_decode(kernel_v1, sizeof(kernel_v1), 0, &m, out, 4), SYNC_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.syncid, 51);
	assert_int_equal(m.n, 2);
	a.flags |= SYNC_F_SYNC;
	b.flags |= SYNC_F_SYNC;
	assert_memory_equal(&out[0], &a, sizeof(a));
	assert_memory_equal(&out[1], &b, sizeof(b));
	/* another sync id: someone else's */
	assert_int_equal(sync_decode(kernel_v1, sizeof(kernel_v1), 52, &m, out, 4), SYNC_E_SYNCID);
	assert_int_equal(sync_decode(kernel_v1, sizeof(kernel_v1), 51, &m, out, 4), SYNC_OK);
}

/* IPv6 (type 1, 72 bytes) round trip, and a message full to its maxlen. */
static void test_v6_and_maxlen(void **state)
{
	uint8_t buf[SYNC_HDR_LEN + 3 * SYNC_CONN_V6_LEN];
	struct sync_conn c = nat_conn(), out[4];
	struct sync_writer w;
	struct sync_msg m;

	(void)state;
	c.af = 6;
	memset(c.caddr, 0x20, 16);
	memset(c.vaddr, 0x21, 16);
	memset(c.daddr, 0x22, 16);
	sync_writer_init(&w, buf, sizeof(buf), 7);
	assert_true(sync_writer_add(&w, &c));
	assert_true(sync_writer_add(&w, &c));
	assert_true(sync_writer_add(&w, &c));
	assert_false(sync_writer_add(&w, &c)); /* no room for a fourth */
	assert_int_equal(sync_writer_finish(&w), sizeof(buf));
	assert_int_equal(buf[SYNC_HDR_LEN], 1); /* type: IPv6 */
	assert_int_equal(buf[SYNC_HDR_LEN + 3], SYNC_CONN_V6_LEN);
	assert_int_equal(sync_decode(buf, sizeof(buf), 0, &m, out, 2), SYNC_OK);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.skipped, 1); /* out had room for two */
	c.flags |= SYNC_F_SYNC;
	assert_memory_equal(&out[1], &c, sizeof(c));
}

/* A version 0 message (sync_version=0 on an old kernel): a 4-byte header
 * and 24-byte connections, one with sequence options after it. */
static void test_read_v0(void **state)
{
	static const uint8_t v0[] = {
		2,
		51,
		0x00,
		76,
		/* reserved, UDP, cport 5000, vport 53, dport 5353 */
		0,
		17,
		0x13,
		0x88,
		0x00,
		0x35,
		0x14,
		0xe9,
		198,
		51,
		100,
		10,
		172,
		17,
		100,
		100,
		172,
		17,
		1,
		7,
		/* flags DR, state 0 */
		0x00,
		0x03,
		0x00,
		0x00,
		/* TCP with OUT_SEQ (0x0200): 24 bytes of options follow */
		0,
		6,
		0x9c,
		0x40,
		0x00,
		0x50,
		0x00,
		0x50,
		198,
		51,
		100,
		11,
		172,
		17,
		100,
		100,
		172,
		17,
		1,
		8,
		0x02,
		0x00,
		0x00,
		0x01,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		8,
		9,
		10,
		11,
		12,
		13,
		14,
		15,
		16,
		17,
		18,
		19,
		20,
		21,
		22,
		23,
		24,
	};
	struct sync_conn out[4];
	struct sync_msg m;

	(void)state;
	assert_int_equal(sync_decode(v0, sizeof(v0), 0, &m, out, 4), SYNC_OK);
	assert_int_equal(m.version, 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(out[0].proto, IPPROTO_UDP);
	assert_int_equal(ntohs(out[0].dport), 5353);
	assert_int_equal(out[0].flags, SYNC_F_DROUTE | SYNC_F_SYNC);
	assert_int_equal(out[1].state, 1);
	assert_int_equal(out[1].caddr[3], 11);
}

/* halb's resync request: a header a kernel receiver takes for an empty
 * version 0 message. */
static void test_request(void **state)
{
	uint8_t buf[SYNC_HDR_LEN];
	struct sync_msg m;

	(void)state;
	assert_int_equal(sync_write_request(buf, 9), SYNC_HDR_LEN);
	assert_int_equal(sync_decode(buf, sizeof(buf), 9, &m, NULL, 0), SYNC_OK);
	assert_true(m.request);
	assert_int_equal(buf[0], 0); /* a kernel's count of version 0 connections */
}

/* Every way a message is wrong: refused whole, or a connection skipped,
 * as the kernel does. One row per case: an edit of kernel_v1. */
struct bad_case {
	const char *what;
	size_t at; /* byte to overwrite */
	uint8_t value;
	int cut; /* bytes removed from the end (the size field follows) */
	enum sync_error want;
	unsigned int n, skipped;
};

static const struct bad_case bad_cases[] = {
	{ "size field wrong", 3, 79, 0, SYNC_E_SIZE, 0, 0 },
	{ "a connection cut short", 0, 0, 4, SYNC_E_CONN, 1, 0 },
	{ "type 2 (neither v4 nor v6)", 8, 2, 0, SYNC_E_CONN, 0, 0 },
	{ "connection version 1", 10, 0x10, 0, SYNC_E_VERSION, 0, 0 },
	{ "connection size past the end", 11, 200, 0, SYNC_E_CONN, 0, 0 },
	{ "connection size below a v4 one", 11, 20, 0, SYNC_E_CONN, 0, 0 },
	{ "protocol 132 (SCTP): skipped", 9, 132, 0, SYNC_OK, 1, 1 },
	{ "TCP state 11: skipped", 17, 11, 0, SYNC_OK, 1, 1 },
	{ "count 3, two there", 4, 3, 0, SYNC_E_CONN, 2, 0 },
};

static void test_bad_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];
		uint8_t buf[sizeof(kernel_v1)];
		size_t len = sizeof(kernel_v1) - (size_t)b->cut;
		struct sync_conn out[4];
		struct sync_msg m;
		enum sync_error e;

		memcpy(buf, kernel_v1, sizeof(buf));
		if (b->cut)
			buf[3] = (uint8_t)len;
		else
			buf[b->at] = b->value;
		e = sync_decode(buf, len, 0, &m, out, 4);
		if (e != b->want || (e == SYNC_OK && (m.n != b->n || m.skipped != b->skipped)))
			fail_msg("%s: %s, %u decoded, %u skipped; want %s, %u, %u", b->what,
				 sync_error_name(e), m.n, m.skipped, sync_error_name(b->want), b->n,
				 b->skipped);
	}
	/* shorter than any header */
	{
		struct sync_msg m;

		assert_int_equal(sync_decode(kernel_v1, 3, 0, &m, NULL, 0), SYNC_E_SHORT);
	}
}

/* Options: sequence data (24 bytes) is read past; a mandatory option
 * halb does not know skips the connection; a persistence engine's data
 * skips it too (halb has none); an option past the end drops the message. */
static void test_options(void **state)
{
	uint8_t buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN + 28];
	struct sync_conn out[2];
	struct sync_msg m;
	const size_t len = sizeof(buf);

	(void)state;
	memcpy(buf, kernel_v1, SYNC_HDR_LEN + SYNC_CONN_V4_LEN);
	buf[3] = (uint8_t)len;
	buf[4] = 1;
	buf[SYNC_HDR_LEN + 3] = SYNC_CONN_V4_LEN + 26; /* size with the option */
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN] = 1;      /* SEQ_DATA */
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN + 1] = 24;
	memset(buf + SYNC_HDR_LEN + SYNC_CONN_V4_LEN + 2, 0xaa, 26);
	assert_int_equal(sync_decode(buf, len, 0, &m, out, 2), SYNC_OK);
	assert_int_equal(m.n, 1);
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN] = 5; /* unknown, mandatory */
	assert_int_equal(sync_decode(buf, len, 0, &m, out, 2), SYNC_OK);
	assert_int_equal(m.skipped, 1);
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN] = 5 | 64; /* unknown, may be skipped */
	assert_int_equal(sync_decode(buf, len, 0, &m, out, 2), SYNC_OK);
	assert_int_equal(m.n, 1);
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN] = 2; /* PE data */
	assert_int_equal(sync_decode(buf, len, 0, &m, out, 2), SYNC_OK);
	assert_int_equal(m.skipped, 1);
	buf[SYNC_HDR_LEN + SYNC_CONN_V4_LEN + 1] = 25; /* past the connection */
	assert_int_equal(sync_decode(buf, len, 0, &m, out, 2), SYNC_E_CONN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_v1),      cmocka_unit_test(test_read_v1),
		cmocka_unit_test(test_v6_and_maxlen), cmocka_unit_test(test_read_v0),
		cmocka_unit_test(test_request),       cmocka_unit_test(test_bad_messages),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
