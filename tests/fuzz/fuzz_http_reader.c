/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the HTTP response reader (lib/check/check_http.c).
 *
 * Input: one byte that seeds how the rest is cut into pieces, then the bytes
 * a server might send. The same bytes go to two readers, one whole and one
 * in pieces of 1..64 bytes, followed by the end of the stream when still
 * incomplete; the verdicts must be identical (state, status, digest, error)
 * because read() may cut a response anywhere. Small limits let the fuzzer
 * reach the header and body limits. The bytes are also offered to the
 * request builder as a path and a host.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "halb_check.h"

#define FUZZ_MAX_HEADER 512
#define FUZZ_MAX_BODY   4096

static struct check_http_reader *whole, *pieces;

static enum check_http_state feed_pieces(struct check_http_reader *r, const uint8_t *p, size_t n,
					 uint32_t seed)
{
	enum check_http_state st = CHECK_HTTP_INCOMPLETE;

	while (n > 0) {
		size_t k;

		seed = seed * 1103515245u + 12345u;
		k = 1 + (seed >> 16) % 64;
		if (k > n)
			k = n;
		st = check_http_reader_feed(r, p, k);
		p += k;
		n -= k;
	}
	return st;
}

static void check_verdict(const struct check_http_reader *r, enum check_http_state st)
{
	const char *digest = check_http_reader_digest(r);

	if (st == CHECK_HTTP_COMPLETE) {
		int status = check_http_reader_status(r);

		if (strlen(digest) != 32 || strspn(digest, "0123456789abcdef") != 32 ||
		    status < 100 || status > 599 || *check_http_reader_error(r) != '\0')
			abort();
		if (check_http_reader_body_len(r) > FUZZ_MAX_BODY)
			abort();
	} else if (st == CHECK_HTTP_ERROR) {
		if (*check_http_reader_error(r) == '\0' || *digest != '\0')
			abort();
	} else {
		abort(); /* after the end of the stream nothing is left pending */
	}
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	static const struct cfg_addr addr = { .af = 4, .v4 = 0x7f000001 };
	char text[256], buf[600];
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	int len;

	memcpy(text, data, n);
	text[n] = '\0';
	len = check_http_request(buf, sizeof(buf), text, n % 2 ? text : NULL, &addr, 80);
	if (len >= 0 && (strstr(buf, "\r\n\r\n") != buf + len - 4 || (size_t)len >= sizeof(buf)))
		abort(); /* nothing may end the request early */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum check_http_state a, b;

	if (size < 1)
		return 0;
	if (whole == NULL) {
		whole = check_http_reader_new(FUZZ_MAX_HEADER, FUZZ_MAX_BODY);
		pieces = check_http_reader_new(FUZZ_MAX_HEADER, FUZZ_MAX_BODY);
		if (whole == NULL || pieces == NULL)
			abort();
	}
	check_http_reader_reset(whole);
	check_http_reader_reset(pieces);
	a = check_http_reader_feed(whole, data + 1, size - 1);
	b = feed_pieces(pieces, data + 1, size - 1, data[0]);
	if (a != b)
		abort();
	if (a == CHECK_HTTP_INCOMPLETE) {
		a = check_http_reader_eof(whole);
		b = check_http_reader_eof(pieces);
	}
	if (a != b || check_http_reader_status(whole) != check_http_reader_status(pieces) ||
	    strcmp(check_http_reader_digest(whole), check_http_reader_digest(pieces)) != 0 ||
	    strcmp(check_http_reader_error(whole), check_http_reader_error(pieces)) != 0 ||
	    check_http_reader_body_len(whole) != check_http_reader_body_len(pieces))
		abort();
	check_verdict(whole, a);
	fuzz_request(data + 1, size - 1);
	return 0;
}
