/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS for SSL_GET, on the checker's non-blocking socket.
 *
 * As keepalived's check_ssl.c: no certificate verification (a health check
 * asks whether the server answers, not whom to trust), and SNI only with
 * enable_sni, naming the url's virtualhost, else the checker's, else the
 * virtual server's (an IP address is not a valid SNI name, RFC 6066 3).
 * One SSL_CTX serves every checker of an engine.
 *
 * Every call maps OpenSSL's SSL_ERROR_WANT_READ/WRITE to the socket event to
 * wait for; reads are drained until OpenSSL wants the socket again, since
 * bytes already decrypted inside OpenSSL would never wake the ev_io.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "check_int.h"

SSL_CTX *check_ssl_ctx_new(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* Servers that close without close_notify are common; the HTTP
	 * framing tells a truncated response anyway. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				  SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	return ctx;
}

/* Maps an OpenSSL result to CHECK_IO_*, with the reason in why. */
static int check_ssl_error(struct check *c, int ret, const char *what, char *why, size_t whylen)
{
	int err = SSL_get_error(c->ssl, ret);
	unsigned long e;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return CHECK_IO_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return CHECK_IO_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		if (errno != 0) {
			char msg[96];

			snprintf(why, whylen, "%s: %s", what,
				 check_errno_str(errno, msg, sizeof(msg)));
		} else {
			snprintf(why, whylen, "%s: connection closed", what);
		}
		return CHECK_IO_ERROR;
	default:
		e = ERR_get_error();
		snprintf(why, whylen, "%s: %s", what,
			 e != 0 && ERR_reason_error_string(e) != NULL ? ERR_reason_error_string(e)
								      : "TLS error");
		return CHECK_IO_ERROR;
	}
}

int check_ssl_begin(struct check *c, char *why, size_t whylen)
{
	const char *sni = c->def.enable_sni ? c->def.urls[c->url].host : NULL;

	c->ssl = SSL_new(c->e->ssl_ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		snprintf(why, whylen, "cannot set up TLS");
		return -1;
	}
	if (sni != NULL && SSL_set_tlsext_host_name(c->ssl, sni) != 1) {
		snprintf(why, whylen, "cannot set SNI '%s'", sni);
		return -1;
	}
	SSL_set_connect_state(c->ssl);
	return 0;
}

int check_ssl_handshake(struct check *c, char *why, size_t whylen)
{
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(c->ssl);
	if (r == 1)
		return 1;
	r = check_ssl_error(c, r, "TLS handshake", why, whylen);
	if (r == 0) {
		snprintf(why, whylen, "TLS handshake: connection closed");
		return CHECK_IO_ERROR;
	}
	return r;
}

long check_ssl_read(struct check *c, void *buf, size_t len, char *why, size_t whylen)
{
	size_t n = 0;

	ERR_clear_error();
	errno = 0;
	if (SSL_read_ex(c->ssl, buf, len, &n) == 1)
		return (long)n;
	return check_ssl_error(c, 0, "TLS read", why, whylen);
}

long check_ssl_write(struct check *c, const void *buf, size_t len, char *why, size_t whylen)
{
	size_t n = 0;
	int r;

	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(c->ssl, buf, len, &n) == 1)
		return (long)n;
	r = check_ssl_error(c, 0, "TLS write", why, whylen);
	if (r == 0) {
		snprintf(why, whylen, "TLS write: connection closed");
		return CHECK_IO_ERROR;
	}
	return r;
}

void check_ssl_stop(struct check *c)
{
	/* No close_notify: the connection is torn down either way. */
	SSL_free(c->ssl);
	c->ssl = NULL;
}
