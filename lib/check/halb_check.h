/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_CHECK_H
#define HALB_CHECK_H

/**
 * @file
 * Health checks of real servers: keepalived's HTTP_GET, SSL_GET, TCP_CHECK,
 * MISC_CHECK, PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK and FILE_CHECK,
 * with keepalived's timing (delay_loop, retry, delay_before_retry, alpha)
 * and wording in the log.
 *
 * Five pieces:
 * - The HTTP response reader, pure: bytes in as they arrive, out comes
 *   incomplete / complete (status, MD5 of the body) / error (reason).
 * - The other protocols' pure parts: the SMTP dialogue, DNS query and
 *   reply, the UDP reply match, ICMP echo, a FILE_CHECK's number.
 * - The checker state machine, pure, with the clock passed in: what one
 *   attempt's success or failure means and when the next attempt is due.
 * - keepalived's quorum rule, pure.
 * - The engine: one probe per checker of a cfg_keepalived, driven by the
 *   control core's libev loop with non-blocking sockets (and lib/proc for
 *   MISC_CHECK); it reports each real server's health through check_ops.
 *   What a real server's health means for its service (quorum, sorry
 *   server, inhibit_on_failure, notify_up/down) is the caller's business.
 *
 * Threading: the engine and everything it calls back run on the loop's
 * thread. The pure pieces are reentrant.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "halb_config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ev_loop;

/* -------------------------------------------------------- HTTP response reader */

/** Largest status line plus headers (and trailers) accepted. */
#define CHECK_HTTP_MAX_HEADER (16 * 1024)
/** Largest body accepted; the body is digested as it streams, never stored. */
#define CHECK_HTTP_MAX_BODY (1024 * 1024)

enum check_http_state {
	CHECK_HTTP_INCOMPLETE, /**< feed more bytes (or report the end of the stream) */
	CHECK_HTTP_COMPLETE,   /**< status and digest are ready */
	CHECK_HTTP_ERROR,      /**< check_http_reader_error() says why */
};

struct check_http_reader;

/**
 * A reader for one HTTP/1.0 or HTTP/1.1 response. The body ends by
 * Content-Length, by chunked transfer coding (decoded: the digest covers
 * the entity body) or by the end of the stream; 1xx interim responses are
 * skipped; 204 and 304 have no body.
 * @param max_header, max_body limits; 0 picks CHECK_HTTP_MAX_HEADER and
 *   CHECK_HTTP_MAX_BODY.
 * @return the reader, or NULL when out of memory.
 */
struct check_http_reader *check_http_reader_new(size_t max_header, size_t max_body);

void check_http_reader_free(struct check_http_reader *r);

/** Makes r ready for another response. */
void check_http_reader_reset(struct check_http_reader *r);

/** Feeds the next len bytes of the stream. Once complete or in error, further
 * bytes are ignored and the state stays. */
enum check_http_state check_http_reader_feed(struct check_http_reader *r, const void *data,
					     size_t len);

/** Reports the end of the stream: completes a body read until close,
 * otherwise a response that is not complete yet is an error (truncated). */
enum check_http_state check_http_reader_eof(struct check_http_reader *r);

/** The status code (100..599) once the status line was read, else 0. */
int check_http_reader_status(const struct check_http_reader *r);

/** The body's MD5 in lower-case hex (genhash's form) once complete, else "". */
const char *check_http_reader_digest(const struct check_http_reader *r);

/** Body bytes received so far (after chunked decoding). */
uint64_t check_http_reader_body_len(const struct check_http_reader *r);

/** Why the reader is in error, else "". */
const char *check_http_reader_error(const struct check_http_reader *r);

/** True when url accepts status: its status_code bitmap, or any 2xx when the
 * bitmap is empty (keepalived's default). */
bool check_http_status_ok(const struct cfg_url *url, int status);

/**
 * Writes keepalived's request:
 * "GET PATH HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: HOST\r\n
 * Connection: close\r\n\r\n", HOST being host or, when host is NULL,
 * "IP:PORT" of the server ("[IP]:PORT" for IPv6; port in host order).
 * @return the request's length, or -1 when path or host is empty or holds
 *   blanks or control characters, or the request does not fit in len.
 */
int check_http_request(char *buf, size_t len, const char *path, const char *host,
		       const struct cfg_addr *ip, uint16_t port);

/* ------------------------------------------------------------- SMTP dialogue */

/** Longest reply line kept (RFC 5321's 512 with CRLF); the rest of a longer
 * line is skipped, only its code matters. */
#define CHECK_SMTP_LINE_MAX 512

enum check_smtp_step {
	CHECK_SMTP_READ,  /**< feed more bytes */
	CHECK_SMTP_WRITE, /**< send check_smtp's out[0..out_len-1], then feed on */
	CHECK_SMTP_OK,    /**< the server passed */
	CHECK_SMTP_FAIL,  /**< why says why */
};

/**
 * keepalived's SMTP_CHECK conversation: the greeting must be 220, then
 * "HELO name" must get 250, then "QUIT" must get a reply (any code, as
 * keepalived). Replies may span lines ("250-..." until "250 ..."); the
 * code of the last line counts.
 */
struct check_smtp {
	int stage;                      /**< private */
	char line[CHECK_SMTP_LINE_MAX]; /**< private: the line being read */
	size_t line_len;                /**< private */
	bool line_long;                 /**< private: past CHECK_SMTP_LINE_MAX */
	int code;                       /**< the last complete reply's code */
	char out[CHECK_SMTP_LINE_MAX];  /**< what to send on CHECK_SMTP_WRITE */
	size_t out_len;
	char why[160]; /**< on CHECK_SMTP_FAIL */
	char helo[256];
};

/** Starts a conversation; helo NULL is keepalived's smtpchecker.keepalived.org. */
void check_smtp_begin(struct check_smtp *s, const char *helo);

/**
 * Feeds len bytes the server sent. Stops after the reply that asks for a
 * step: *used says how many bytes were taken (feed the rest after the
 * write). Bytes after OK or FAIL are not looked at.
 */
enum check_smtp_step check_smtp_feed(struct check_smtp *s, const char *data, size_t len,
				     size_t *used);

/** The server closed the connection: FAIL with the stage it was in. */
enum check_smtp_step check_smtp_eof(struct check_smtp *s);

/* --------------------------------------------------------------------- DNS */

/** Bytes a DNS_CHECK query can take: header, name, type, class. */
#define CHECK_DNS_QUERY_MAX (12 + 255 + 4)

/**
 * Writes keepalived's DNS_CHECK query: id, RD set, one question of type
 * (class IN) for name ("." or NULL: the root; a last dot is optional).
 * @return its length, or -1 when name is not a valid DNS name or len is
 *   too short.
 */
int check_dns_query(uint8_t *buf, size_t len, uint16_t id, uint16_t type, const char *name);

enum check_dns_verdict {
	CHECK_DNS_IGNORE, /**< not the answer: too short, another id, a query */
	CHECK_DNS_OK,     /**< the answer, RCODE NOERROR */
	CHECK_DNS_ERROR,  /**< the answer, with an error RCODE */
};

/** Judges a datagram as keepalived does; *rcode gets the RCODE of an answer. */
enum check_dns_verdict check_dns_reply(const uint8_t *buf, size_t len, uint16_t id, int *rcode);

/** "NXDOMAIN", "SERVFAIL"... for an RCODE; "RCODE n" for others. */
const char *check_dns_rcode_str(int rcode, char *buf, size_t len);

/* --------------------------------------------------------------- UDP reply */

/**
 * UDP_CHECK's verdict on a reply of len bytes: its length must lie in
 * min..max, and its first min(len, want_len) bytes must match want on the
 * bits care sets (care NULL: every bit).
 * @return NULL when it matches, else why not (a static string).
 */
const char *check_udp_reply_mismatch(const uint8_t *data, size_t len, const uint8_t *want,
				     const uint8_t *care, size_t want_len, unsigned int min,
				     unsigned int max);

/* --------------------------------------------------------------- ICMP echo */

/** Bytes of a PING_CHECK echo request: header and payload. */
#define CHECK_ICMP_ECHO_LEN 64

/** Writes an echo request of CHECK_ICMP_ECHO_LEN bytes: ICMP (af 4, with its
 * checksum) or ICMPv6 (af 6; the kernel sums it, over its pseudo-header). */
void check_icmp_echo(uint8_t *buf, uint8_t af, uint16_t id, uint16_t seq);

/**
 * Whether a datagram is the reply to echo (id, seq) of family af. From a
 * raw socket (raw) the id must match too, and an IPv4 one starts with the
 * IPv4 header (an IPv6 raw socket hands over the ICMPv6 message alone);
 * from an ICMP datagram socket the kernel owns the id and has already
 * matched it.
 */
bool check_icmp_is_reply(const uint8_t *buf, size_t len, uint8_t af, bool raw, uint16_t id,
			 uint16_t seq);

/* -------------------------------------------------------------- FILE_CHECK */

/**
 * The number a track_file holds, read as keepalived does: strtol in any
 * base C accepts (12, 0x1f, 017); empty or no number is 0.
 * @return false when the number is outside the int32 range (keepalived
 *   ignores such a file and keeps the last number).
 */
bool check_file_number(const char *text, long *value);

/**
 * What FILE_CHECK makes of a number (keepalived's track_file rules): with
 * weight 0, the checker is down while the number is not 0 (is 0, with
 * reverse); otherwise *delta = number * weight (negated with reverse),
 * added to the real server's weight, and the checker is down only when
 * that reaches INT_MIN.
 * @return whether the checker is up.
 */
bool check_file_verdict(long number, int weight, bool reverse, long *delta);

/* -------------------------------------------------------- checker state machine */

/**
 * One checker's health, keepalived's rules:
 * - an attempt every delay_loop;
 * - while UP, a failed attempt is retried up to retry more times, spaced
 *   delay_before_retry; only the (retry+1)-th consecutive failure makes it
 *   DOWN; the first attempt ever is the exception: one failure is enough
 *   (keepalived sets retry_it = retry at start-up);
 * - one success makes it UP;
 * - alpha: it starts DOWN, otherwise UP.
 * Times are milliseconds on any monotonic clock the caller likes.
 */
struct check_fsm {
	unsigned int retry;
	uint64_t delay_loop_ms;
	uint64_t delay_before_retry_ms;
	bool up;
	bool has_run;          /**< an attempt has completed */
	unsigned int failures; /**< consecutive failed attempts */
	uint64_t next_ms;      /**< when the next attempt is due */
};

enum check_fsm_event {
	CHECK_FSM_OK,     /**< success, was already up */
	CHECK_FSM_UP,     /**< success, was down: now up */
	CHECK_FSM_RETRY,  /**< failure while up: retry at next_ms */
	CHECK_FSM_DOWN,   /**< failure: now down */
	CHECK_FSM_FAILED, /**< failure, was already down */
};

/** Starts a checker: up unless alpha, first attempt at first_ms. */
void check_fsm_init(struct check_fsm *f, unsigned int retry, uint64_t delay_loop_ms,
		    uint64_t delay_before_retry_ms, bool alpha, uint64_t first_ms);

/** Changes the timing (a reload) without touching the health. */
void check_fsm_set_timing(struct check_fsm *f, unsigned int retry, uint64_t delay_loop_ms,
			  uint64_t delay_before_retry_ms);

/** Records an attempt's result at now_ms; sets f->next_ms. */
enum check_fsm_event check_fsm_step(struct check_fsm *f, bool ok, uint64_t now_ms);

/* ---------------------------------------------------------------------- quorum */

/**
 * keepalived's quorum rule (ipwrapper.c, update_quorum_state): with
 * threshold = quorum + hysteresis while down and quorum - hysteresis while
 * up, quorum is gained when up_weight_sum >= threshold and lost when
 * up_weight_sum < threshold or is 0; otherwise it stays as it was.
 * @param up_weight_sum the sum of the weights of the real servers that are up.
 * @return whether quorum is up now.
 */
bool check_quorum_eval(uint64_t up_weight_sum, unsigned int quorum, unsigned int hysteresis,
		       bool was_up);

/** The threshold check_quorum_eval() compares with, for log lines. */
int64_t check_quorum_threshold(unsigned int quorum, unsigned int hysteresis, bool was_up);

/* ---------------------------------------------------------------------- engine */

struct check_ops {
	/**
	 * A real server's health or effective weight changed. vs and rs index
	 * the cfg_keepalived last applied. weight is the effective weight when
	 * it changed (MISC_CHECK misc_dynamic), -1 when it did not. Must not
	 * call check_engine_apply() or check_engine_free().
	 */
	void (*rs_changed)(void *ctx, size_t vs, size_t rs, bool up, int weight);
	void *ctx;
};

/** One checker's state, for telemetry (/halb/checks) and tests. */
struct check_status {
	size_t vs, rs; /**< indexes in the applied configuration */
	enum cfg_check_type type;
	struct cfg_addr ip; /**< target: connect_ip, else the real server */
	uint16_t port;      /**< target: connect_port, else the real server's */
	char target[160];   /**< "IP:PORT" ("[IP]:PORT" for IPv6); "IP" for
			     *   PING_CHECK, the file's path for FILE_CHECK */
	bool up;
	bool running;          /**< false while suspended (ha_suspend) */
	char last_result[64];  /**< "ok", "connection refused", "timeout",
				*   "HTTP status 500", "digest mismatch",
				*   "exit status 1", ...; "" before the first */
	char reason[160];      /**< the last attempt in words ("HTTP status 200") */
	double since;          /**< CLOCK_REALTIME seconds of the last up/down change
				*   (or of its creation) */
	unsigned int failures; /**< consecutive failed attempts */
	uint64_t checks;       /**< attempts completed */
};

struct check_engine;

/**
 * Makes an engine that runs on loop (libev's default loop when any
 * MISC_CHECK is used: lib/proc needs it). ops is copied. SIGPIPE is set to
 * SIG_IGN if it still has its default action: TLS writes on a socket the
 * server closed would otherwise kill the daemon.
 * @return the engine, or NULL when out of memory or TLS cannot be set up.
 */
struct check_engine *check_engine_create(struct ev_loop *loop, const struct check_ops *ops);

/**
 * Starts the checkers of k or, on a reload, replaces the running ones. A
 * checker whose virtual server (address, port, protocol), real server
 * (address, port) and definition (type, target, bindto, URLs, virtualhost,
 * SNI, script, user) are unchanged keeps its health, counters and any
 * attempt in flight: no flap on SIGHUP. Changed timings (delay_loop, retry,
 * delay_before_retry, connect_timeout, misc_timeout) apply from its next
 * attempt. Other checkers start afresh: up (down with alpha), first attempts
 * spread over min(delay_loop, 1 s).
 *
 * Before returning, rs_changed() is called once for every real server of
 * k with the health it starts with (carried over or initial; a real server
 * without checkers is up), so the caller's new state is complete; weight is
 * the effective weight when a misc_dynamic result is in force, else -1.
 * Virtual servers with ha_suspend keep their active flag when they survive
 * the reload, and start inactive otherwise.
 *
 * k is not referenced after the call.
 * @return 0, or -1 (out of memory) with the running checkers untouched.
 */
int check_engine_apply(struct check_engine *e, const struct cfg_keepalived *k);

/**
 * ha_suspend: the checkers of virtual server vs run only while it is active
 * (the director owns its address); FILE_CHECK always runs, as keepalived's. Deactivating aborts
 * attempts in flight and keeps the health as it was; activating starts an attempt at once. Without
 * ha_suspend on that virtual server this only records the flag.
 */
void check_engine_set_active(struct check_engine *e, size_t vs, bool active);

/** A real server's health now; *weight (may be NULL) gets its effective
 * weight. False for indexes out of range. */
bool check_engine_rs_health(const struct check_engine *e, size_t vs, size_t rs, int *weight);

/**
 * Copies the state of at most max checkers, in configuration order.
 * @return the number of checkers (more than max when out was too short).
 */
size_t check_engine_status(const struct check_engine *e, struct check_status *out, size_t max);

/** Stops every checker (closing sockets, cancelling scripts) and frees e. */
void check_engine_free(struct check_engine *e);

#ifdef __cplusplus
}
#endif

#endif /* HALB_CHECK_H */
