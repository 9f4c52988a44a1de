/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CHECK_INT_H
#define HALB_CHECK_INT_H

/*
 * What the engine (check_engine.c, check_reload.c) and the probes share: check_tcp.c
 * (sockets, TCP_CHECK), check_ssl.c (TLS), check_get.c (the HTTP_GET and
 * SSL_GET conversation), check_misc.c (MISC_CHECK through lib/proc),
 * check_ping.c (PING_CHECK), check_dgram.c (UDP_CHECK and DNS_CHECK),
 * check_smtp.c (SMTP_CHECK) and check_file.c (FILE_CHECK).
 *
 * An attempt begins in the engine (check_attempt_begin), which starts the
 * probe of the checker's type; the probe ends it exactly once with
 * check_attempt_done(), possibly before its start function returns. The
 * engine alone owns timing (the checker's round and deadline timers) and
 * health; a probe only owns its socket, TLS session, reader or process, and
 * releases them in check_probe_stop().
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "halb_check.h"
#include "halb_log.h"
#include "halb_proc.h"

HALB_LOG_DECLARE(check);

#define CHECK_DGRAM_BUF 65536 /* the largest datagram a probe reads */

/* A url of HTTP_GET/SSL_GET with its Host header resolved. */
struct check_url {
	char *path;
	uint64_t status[8];
	bool has_digest;
	char digest[33];
	char *host; /* NULL: "IP:PORT" */
};

/* What a checker does. Everything above "timing" identifies it across a
 * reload; the timing may change under a running checker. */
struct check_def {
	enum cfg_check_type type;
	struct cfg_addr ip;
	uint16_t port;
	bool has_bindto;
	struct cfg_addr bindto;
	uint16_t bind_port;
	struct check_url *urls;
	size_t n_urls;
	bool enable_sni; /* SSL_GET: send the url's host as SNI */
	char *misc_path;
	bool misc_dynamic;
	char *user, *group;
	bool script_security;
	/* UDP_CHECK */
	uint8_t *payload; /* NULL: CHECK_UDP_DEFAULT_PAYLOAD */
	size_t payload_len;
	bool require_reply;
	uint8_t *reply, *reply_care;
	size_t reply_len;
	unsigned int min_reply_len, max_reply_len;
	/* DNS_CHECK */
	uint16_t dns_type;
	char *dns_name;
	/* SMTP_CHECK */
	char *helo_name;
	/* FILE_CHECK: the track_file's path and init_file, the weight */
	char *file_path;
	bool file_init;
	long file_init_value;
	int file_weight;
	bool file_reverse;
	/* timing */
	unsigned int connect_timeout_ms;
	unsigned int retry;
	unsigned int delay_before_retry_ms;
	unsigned int delay_loop_ms;
	unsigned int misc_timeout_ms;
};

enum check_phase {
	CHECK_IDLE,
	CHECK_CONNECTING,
	CHECK_HANDSHAKE,
	CHECK_SENDING,
	CHECK_RECEIVING,
	CHECK_SCRIPT,
	CHECK_WAITING, /* a datagram sent, waiting for the answer */
	CHECK_TALKING, /* SMTP: the conversation */
};

enum check_verdict {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_LOCAL_ERROR, /* our side failed (no socket, bind): counted as a failure,
			    * since the server could not be checked */
};

struct check_engine;

struct check {
	struct check_engine *e;
	size_t vs, rs; /* indexes in the applied configuration */
	size_t slot;   /* its real server in e->rs */
	struct cfg_addr vs_addr, rs_addr;
	uint16_t vs_port, rs_port;
	uint8_t vs_proto;
	unsigned int gen; /* the apply that last kept it */
	struct check_def def;
	struct check_fsm fsm;
	bool running;      /* an attempt is in flight */
	bool suspended;    /* ha_suspend and its virtual server is not active */
	ev_timer round;    /* the next attempt */
	ev_timer deadline; /* connect_timeout of the connection in flight */
	/* the probe */
	enum check_phase phase;
	ev_io io;
	int fd;
	SSL *ssl;
	size_t url; /* HTTP_GET/SSL_GET: the url being fetched */
	char *req;
	size_t req_len, req_off;
	struct check_http_reader *rd;
	struct proc *proc;
	uint16_t seq;            /* PING_CHECK's echo sequence, DNS_CHECK's query id */
	bool icmp_raw;           /* PING_CHECK on a raw socket (ping_group_range) */
	struct check_smtp *smtp; /* SMTP_CHECK's conversation */
	int dyn_weight;          /* misc_dynamic: the weight asked for; -1: none */
	bool has_file_delta;     /* FILE_CHECK: its number moves the weight */
	long file_delta;
	bool file_known;  /* FILE_CHECK: a number was read */
	long file_number; /* the last one */
	/* for check_status */
	char last_result[64];
	char reason[160];
	double since;
	uint64_t checks;
};

/* A real server as the engine sees it. */
struct check_rs {
	size_t vs, rs;
	struct cfg_addr addr;
	uint16_t port;
	int weight;          /* configured */
	size_t first, count; /* its checkers in e->checks */
	bool up;             /* as last reported */
	int eff_weight;      /* as last reported */
};

struct check_vs {
	struct cfg_addr addr;
	uint16_t port;
	uint8_t proto;
	bool ha_suspend;
	bool active;
};

struct check_engine {
	struct ev_loop *loop;
	struct check_ops ops;
	SSL_CTX *ssl_ctx;
	uint8_t *dgram_buf; /* a datagram being read: CHECK_DGRAM_BUF bytes */
	uint64_t rand;      /* xorshift state: DNS ids, echo ids */
	bool icmp_raw_said; /* PING_CHECK's raw socket was logged */
	struct check_vs *vs;
	size_t n_vs;
	struct check_rs *rs;
	size_t n_rs;
	struct check **checks;
	size_t n_checks;
	unsigned int gen; /* counts applies */
};

/* check_reload.c */
void check_def_free(struct check_def *d);

/* check_engine.c */
uint64_t check_now_ms(const struct check_engine *e);
double check_realtime(void);
struct check *check_new(struct check_engine *e);
void check_destroy(struct check *c);
/* Reports real server `slot` if its health or weight changed (or always). */
void check_rs_report(struct check_engine *e, size_t slot, bool always);
/* Runs c only while its virtual server is active (ha_suspend). */
void check_update_suspension(struct check *c, bool at_once);
void check_attempt_done(struct check *c, enum check_verdict v, const char *result, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));
/* Restarts the deadline for a new connection (one per url). */
void check_deadline_start(struct check *c);
/* "172.17.1.7:80" */
#define CHECK_TARGET_STRLEN (CFG_ADDR_STRLEN + 8)
const char *check_target_str(const struct check *c, char *buf, size_t len);
/* strerror() in lower case: "connection refused". */
const char *check_errno_str(int err, char *buf, size_t len);

/* check_tcp.c: connects c to its target; TCP_CHECK passes when connected,
 * the others go on in check_get_connected(). */
void check_tcp_start(struct check *c);
void check_net_stop(struct check *c);

/* check_get.c */
void check_get_connected(struct check *c);
void check_get_io(struct check *c, int revents);

/* check_ssl.c. The I/O calls return > 0 (bytes), 0 (end of stream, reads
 * only), or one of these. */
#define CHECK_IO_ERROR      (-1)
#define CHECK_IO_WANT_READ  (-2)
#define CHECK_IO_WANT_WRITE (-3)
SSL_CTX *check_ssl_ctx_new(void);
int check_ssl_begin(struct check *c, char *why, size_t whylen);
int check_ssl_handshake(struct check *c, char *why, size_t whylen);
long check_ssl_read(struct check *c, void *buf, size_t len, char *why, size_t whylen);
long check_ssl_write(struct check *c, const void *buf, size_t len, char *why, size_t whylen);
void check_ssl_stop(struct check *c);

/* check_misc.c */
void check_misc_start(struct check *c);
void check_misc_stop(struct check *c);

/* check_tcp.c: a socket of type and protocol for c, bound as bindto and
 * bind_port ask; -1 after ending the attempt (a local error). */
int check_socket(struct check *c, int type, int protocol, bool bind_port);
/* The same for a socket fd already made (socket()'s result, errno set when
 * it is -1). */
int check_socket_setup(struct check *c, int fd, bool bind_port);
/* connect() of c->fd to the target (def.ip, def.port). */
int check_connect(struct check *c);
/* Ends the attempt for a failed connect()/send()/recv(): a local error
 * (EMFILE, EADDRNOTAVAIL...) or a failure ("connection refused"). */
void check_net_failed(struct check *c, int err, const char *what);
uint64_t check_rand(struct check_engine *e);

/* check_ping.c */
void check_ping_start(struct check *c);

/* check_dgram.c: UDP_CHECK and DNS_CHECK; the deadline of a UDP_CHECK
 * without require_reply is a pass (no ICMP error came back). */
#define CHECK_UDP_DEFAULT_PAYLOAD "halb UDP_CHECK - halb UDP_CHECK "
void check_dgram_start(struct check *c);
void check_udp_deadline(struct check *c);

/* check_smtp.c */
void check_smtp_connected(struct check *c);
void check_smtp_io(struct check *c, int revents);
void check_smtp_stop(struct check *c);

/* check_file.c: reads the file now and ends the attempt; check_file_first()
 * sets a new checker's health from the file before it is reported. */
void check_file_start(struct check *c);
void check_file_first(struct check *c);

#endif /* HALB_CHECK_INT_H */
