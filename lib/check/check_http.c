/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP side of HTTP_GET and SSL_GET, without any I/O: the request
 * keepalived sends, the status codes a url accepts, and an incremental reader
 * for the response.
 *
 * The reader is a small state machine fed with whatever read() returned.
 * Line-oriented parts (status line, headers, chunk sizes, trailers) are
 * assembled in one buffer bounded by the header limit; body bytes are never
 * stored, only passed to MD5 as they stream by. Framing follows RFC 9112
 * section 6.3 as a client applies it: no body for 1xx, 204 and 304;
 * Transfer-Encoding ending in chunked is decoded, any other coding is read
 * until close; otherwise Content-Length, otherwise until close. Lines may end
 * in CRLF or a bare LF.
 *
 * keepalived digests whatever follows the headers, undecoded; its requests
 * are HTTP/1.0, which servers do not answer with chunked bodies, so the two
 * agree on every response keepalived itself can get.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "halb_check.h"

#define CHUNK_LINE_MAX 1024 /* chunk-size line, extensions included */

enum rd_phase {
	RD_STATUS,      /* status line (empty lines before it are skipped) */
	RD_HEADER,      /* header lines up to the empty one */
	RD_BODY_LENGTH, /* Content-Length bytes */
	RD_BODY_CLOSE,  /* everything until the end of the stream */
	RD_CHUNK_SIZE,  /* hex size [; extensions] */
	RD_CHUNK_DATA,  /* that many bytes */
	RD_CHUNK_END,   /* the CRLF after a chunk's data */
	RD_TRAILER,     /* trailer lines up to the empty one */
	RD_DONE,
	RD_ERROR,
};

struct check_http_reader {
	size_t max_header;
	size_t max_body;
	enum rd_phase phase;
	char *line; /* the line being assembled, max_header + 1 bytes */
	size_t line_len;
	size_t header_bytes; /* status lines, headers and trailers so far */
	uint64_t fed;        /* every byte fed */
	int status;
	bool has_length;
	bool te_present; /* a Transfer-Encoding header was seen */
	bool chunked;    /* ... and its last coding is chunked */
	uint64_t length;
	uint64_t remaining; /* of the body (Content-Length) or of the chunk */
	uint64_t body_len;
	EVP_MD_CTX *md;
	char digest[33];
	char error[96];
};

static bool rd_is_line_phase(enum rd_phase p)
{
	return p == RD_STATUS || p == RD_HEADER || p == RD_CHUNK_SIZE || p == RD_CHUNK_END ||
	       p == RD_TRAILER;
}

static enum check_http_state rd_state(const struct check_http_reader *r)
{
	if (r->phase == RD_DONE)
		return CHECK_HTTP_COMPLETE;
	return r->phase == RD_ERROR ? CHECK_HTTP_ERROR : CHECK_HTTP_INCOMPLETE;
}

static void __attribute__((format(printf, 2, 3)))
rd_fail(struct check_http_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->phase = RD_ERROR;
}

/* --------------------------------------------------------------------- body */

static void rd_finish(struct check_http_reader *r)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(r->md, md, &n) != 1 || n != 16) {
		rd_fail(r, "MD5 failed");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		r->digest[2 * i] = hex[md[i] >> 4];
		r->digest[2 * i + 1] = hex[md[i] & 15];
	}
	r->digest[32] = '\0';
	r->phase = RD_DONE;
}

static void rd_body(struct check_http_reader *r, const char *p, size_t n)
{
	if (n > r->max_body - r->body_len) {
		rd_fail(r, "body larger than %zu bytes", r->max_body);
		return;
	}
	r->body_len += n;
	if (EVP_DigestUpdate(r->md, p, n) != 1)
		rd_fail(r, "MD5 failed");
}

/* ------------------------------------------------------------ status line */

static void rd_status_line(struct check_http_reader *r, const char *s, size_t len)
{
	const char *p = s + 8;

	if (len == 0)
		return; /* tolerate blank lines before the status line */
	if (len < 12 || (memcmp(s, "HTTP/1.0", 8) != 0 && memcmp(s, "HTTP/1.1", 8) != 0)) {
		rd_fail(r, "not an HTTP/1.x response");
		return;
	}
	if (*p != ' ') {
		rd_fail(r, "bad status line");
		return;
	}
	while (*p == ' ')
		p++;
	if (p + 3 > s + len || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' ||
	    p[2] > '9' || (p + 3 < s + len && p[3] != ' ')) {
		rd_fail(r, "bad status code");
		return;
	}
	r->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	r->phase = RD_HEADER;
}

/* ----------------------------------------------------------------- headers */

/* Is token (case-insensitive) the last element of the comma-separated list v? */
static bool rd_list_ends_with(const char *v, const char *token)
{
	size_t tl = strlen(token);
	bool last = false;

	while (*v != '\0') {
		const char *next = v + strcspn(v, ",");
		const char *b = v, *e = next;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b) /* empty elements do not count (RFC 9110 5.6.1) */
			last = (size_t)(e - b) == tl && strncasecmp(b, token, tl) == 0;
		v = *next == ',' ? next + 1 : next;
	}
	return last;
}

static void rd_content_length(struct check_http_reader *r, const char *v)
{
	/* "5" or a list of identical values "5, 5" (RFC 9110 8.6). */
	while (*v != '\0') {
		uint64_t n = 0;
		int digits = 0;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		if (*v == '\0')
			break;
		for (; *v >= '0' && *v <= '9'; v++, digits++) {
			if (n > (UINT64_MAX - 9) / 10) {
				rd_fail(r, "invalid Content-Length");
				return;
			}
			n = n * 10 + (uint64_t)(*v - '0');
		}
		while (*v == ' ' || *v == '\t')
			v++;
		if (digits == 0 || (*v != ',' && *v != '\0')) {
			rd_fail(r, "invalid Content-Length");
			return;
		}
		if (r->has_length && r->length != n) {
			rd_fail(r, "conflicting Content-Length");
			return;
		}
		r->has_length = true;
		r->length = n;
	}
	if (!r->has_length)
		rd_fail(r, "invalid Content-Length");
}

/* Decides how the body ends, once the headers are all in. */
static void rd_headers_done(struct check_http_reader *r)
{
	if (r->status < 200 && r->status != 101) {
		/* An interim response: the real one follows. */
		r->status = 0;
		r->has_length = r->te_present = r->chunked = false;
		r->phase = RD_STATUS;
		return;
	}
	if (r->status == 101 || r->status == 204 || r->status == 304) {
		rd_finish(r);
	} else if (r->te_present) {
		r->phase = r->chunked ? RD_CHUNK_SIZE : RD_BODY_CLOSE;
	} else if (r->has_length) {
		if (r->length > r->max_body) {
			rd_fail(r, "body larger than %zu bytes", r->max_body);
			return;
		}
		r->remaining = r->length;
		r->phase = RD_BODY_LENGTH;
		if (r->remaining == 0)
			rd_finish(r);
	} else {
		r->phase = RD_BODY_CLOSE;
	}
}

static void rd_header_line(struct check_http_reader *r, char *s, size_t len)
{
	char *colon, *v, *end;
	size_t nl;

	if (len == 0) {
		rd_headers_done(r);
		return;
	}
	if (s[0] == ' ' || s[0] == '\t')
		return; /* obsolete line folding: continues a header we ignore */
	colon = memchr(s, ':', len);
	if (colon == NULL || colon == s) {
		rd_fail(r, "malformed header line");
		return;
	}
	nl = (size_t)(colon - s);
	v = colon + 1;
	end = s + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	if (nl == 14 && strncasecmp(s, "Content-Length", nl) == 0) {
		rd_content_length(r, v);
	} else if (nl == 17 && strncasecmp(s, "Transfer-Encoding", nl) == 0) {
		/* Several headers form one list: the last coding decides. */
		r->te_present = true;
		if (*v != '\0')
			r->chunked = rd_list_ends_with(v, "chunked");
	}
}

/* ------------------------------------------------------------------ chunks */

static int rd_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void rd_chunk_size(struct check_http_reader *r, const char *s, size_t len)
{
	uint64_t n = 0;
	size_t i = 0;

	for (; i < len && rd_hex(s[i]) >= 0; i++) {
		if (n > r->max_body) {
			rd_fail(r, "body larger than %zu bytes", r->max_body);
			return;
		}
		n = n * 16 + (uint64_t)rd_hex(s[i]);
	}
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == 0 || (i < len && s[i] != ';')) {
		rd_fail(r, "bad chunk size");
		return;
	}
	if (n > r->max_body - r->body_len) {
		rd_fail(r, "body larger than %zu bytes", r->max_body);
		return;
	}
	r->remaining = n;
	r->phase = n == 0 ? RD_TRAILER : RD_CHUNK_DATA;
}

/* ------------------------------------------------------------------- lines */

static void rd_line(struct check_http_reader *r)
{
	char *s = r->line;
	size_t len = r->line_len;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	s[len] = '\0';
	r->line_len = 0;
	switch (r->phase) {
	case RD_STATUS:
		rd_status_line(r, s, len);
		break;
	case RD_HEADER:
		rd_header_line(r, s, len);
		break;
	case RD_CHUNK_SIZE:
		rd_chunk_size(r, s, len);
		break;
	case RD_CHUNK_END:
		if (len != 0)
			rd_fail(r, "bad chunk terminator");
		else
			r->phase = RD_CHUNK_SIZE;
		break;
	case RD_TRAILER:
		if (len == 0)
			rd_finish(r);
		break;
	default:
		break;
	}
}

/* Takes bytes of a line; returns how many were used. */
static size_t rd_take_line(struct check_http_reader *r, const char *p, size_t len)
{
	const char *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len;
	size_t limit =
	    r->phase == RD_CHUNK_SIZE || r->phase == RD_CHUNK_END ? CHUNK_LINE_MAX : r->max_header;
	size_t keep = nl != NULL ? n - 1 : n;

	if (r->phase != RD_CHUNK_SIZE && r->phase != RD_CHUNK_END) {
		r->header_bytes += n;
		if (r->header_bytes > r->max_header) {
			rd_fail(r, "header larger than %zu bytes", r->max_header);
			return n;
		}
	}
	/* After a chunk's data only CRLF may come: say so at the first wrong
	 * byte, however the stream was cut. */
	if (r->phase == RD_CHUNK_END && (r->line_len + keep > 1 || (keep == 1 && p[0] != '\r'))) {
		rd_fail(r, "bad chunk terminator");
		return n;
	}
	if (keep > limit - r->line_len) {
		rd_fail(r, "line longer than %zu bytes", limit);
		return n;
	}
	memcpy(r->line + r->line_len, p, keep);
	r->line_len += keep;
	if (nl != NULL)
		rd_line(r);
	return n;
}

/* Takes body bytes; returns how many were used. */
static size_t rd_take_body(struct check_http_reader *r, const char *p, size_t len)
{
	size_t n = len;

	if (r->phase != RD_BODY_CLOSE && n > r->remaining)
		n = (size_t)r->remaining;
	rd_body(r, p, n);
	if (r->phase == RD_BODY_CLOSE || r->phase == RD_ERROR)
		return n;
	r->remaining -= n;
	if (r->remaining == 0) {
		if (r->phase == RD_CHUNK_DATA)
			r->phase = RD_CHUNK_END;
		else
			rd_finish(r);
	}
	return n;
}

/* ------------------------------------------------------------------ public */

enum check_http_state check_http_reader_feed(struct check_http_reader *r, const void *data,
					     size_t len)
{
	const char *p = data;

	while (len > 0 && r->phase != RD_DONE && r->phase != RD_ERROR) {
		size_t n;

		if (rd_is_line_phase(r->phase))
			n = rd_take_line(r, p, len);
		else
			n = rd_take_body(r, p, len);
		r->fed += n;
		p += n;
		len -= n;
	}
	return rd_state(r);
}

enum check_http_state check_http_reader_eof(struct check_http_reader *r)
{
	switch (r->phase) {
	case RD_DONE:
	case RD_ERROR:
		break;
	case RD_BODY_CLOSE:
		rd_finish(r);
		break;
	case RD_STATUS:
		rd_fail(r,
			r->fed == 0 ? "no data received" : "truncated response (in the headers)");
		break;
	case RD_HEADER:
		rd_fail(r, "truncated response (in the headers)");
		break;
	case RD_BODY_LENGTH:
		rd_fail(r, "truncated body (%llu of %llu bytes)", (unsigned long long)r->body_len,
			(unsigned long long)r->length);
		break;
	default:
		rd_fail(r, "truncated chunked body (%llu bytes)", (unsigned long long)r->body_len);
		break;
	}
	return rd_state(r);
}

void check_http_reader_reset(struct check_http_reader *r)
{
	r->phase = RD_STATUS;
	r->line_len = 0;
	r->header_bytes = 0;
	r->fed = 0;
	r->status = 0;
	r->has_length = r->te_present = r->chunked = false;
	r->length = r->remaining = r->body_len = 0;
	r->digest[0] = '\0';
	r->error[0] = '\0';
	if (EVP_DigestInit_ex(r->md, EVP_md5(), NULL) != 1)
		rd_fail(r, "MD5 unavailable");
}

struct check_http_reader *check_http_reader_new(size_t max_header, size_t max_body)
{
	struct check_http_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->max_header = max_header != 0 ? max_header : CHECK_HTTP_MAX_HEADER;
	r->max_body = max_body != 0 ? max_body : CHECK_HTTP_MAX_BODY;
	r->line =
	    malloc(r->max_header + 1 > CHUNK_LINE_MAX + 1 ? r->max_header + 1 : CHUNK_LINE_MAX + 1);
	r->md = EVP_MD_CTX_new();
	if (r->line == NULL || r->md == NULL) {
		check_http_reader_free(r);
		return NULL;
	}
	check_http_reader_reset(r);
	return r;
}

void check_http_reader_free(struct check_http_reader *r)
{
	if (r == NULL)
		return;
	EVP_MD_CTX_free(r->md);
	free(r->line);
	free(r);
}

int check_http_reader_status(const struct check_http_reader *r)
{
	return r->status;
}

const char *check_http_reader_digest(const struct check_http_reader *r)
{
	return r->phase == RD_DONE ? r->digest : "";
}

uint64_t check_http_reader_body_len(const struct check_http_reader *r)
{
	return r->body_len;
}

const char *check_http_reader_error(const struct check_http_reader *r)
{
	return r->phase == RD_ERROR ? r->error : "";
}

/* ------------------------------------------------------- request and status */

bool check_http_status_ok(const struct cfg_url *url, int status)
{
	bool any = false;
	unsigned int bit;

	if (status < 100 || status > 599)
		return false;
	for (size_t i = 0; i < 8; i++)
		any |= url->status[i] != 0;
	if (!any)
		return status >= 200 && status <= 299;
	bit = (unsigned int)(status - 100);
	return (url->status[bit / 64] >> (bit % 64)) & 1;
}

/* A request-line or Host value must not smuggle anything in. */
static bool check_http_clean(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int check_http_request(char *buf, size_t len, const char *path, const char *host,
		       const struct cfg_addr *ip, uint16_t port)
{
	char addr[CFG_ADDR_STRLEN + 8];
	int n;

	if (!check_http_clean(path) || (host != NULL && !check_http_clean(host)))
		return -1;
	if (host == NULL)
		host = cfg_addr_port_str(ip, port, addr); /* RFC 7230: [v6]:port */
	n = snprintf(buf, len,
		     "GET %s HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: %s\r\n"
		     "Connection: close\r\n\r\n",
		     path, host);
	return n > 0 && (size_t)n < len ? n : -1;
}
