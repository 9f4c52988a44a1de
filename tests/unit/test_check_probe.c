/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/check: PING_CHECK, UDP_CHECK, DNS_CHECK, SMTP_CHECK and FILE_CHECK in
 * the engine (their pure parts are in test_check_proto.c), against servers
 * on 127.0.0.1 run by this test in the same libev loop: a UDP echo, a DNS server that answers with
 * the RCODE the test asks for (after a datagram with the wrong id), an SMTP server with a script,
 * the kernel's own echo replies, and a file. Every wait is bounded by a few seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <ev.h>

#include "halb_check.h"

#include "check_harness.h"

/* =========================================================== engine tests */

struct want_result {
	size_t i;
	const char *result;
};

static bool has_result(const void *arg)
{
	const struct want_result *w = arg;

	return strcmp(status_of(w->i).last_result, w->result) == 0;
}

/* Runs the loop until checker i's last result is result (at most max_s). */
static void wait_result(size_t i, const char *result, double max_s)
{
	struct want_result w = { i, result };

	if (!run_until(has_result, &w, max_s))
		fail_msg("checker %zu: last result '%s', not '%s'", i, status_of(i).last_result,
			 result);
}

/* A UDP socket on 127.0.0.1 served in the loop: echo (when echo is set) or
 * a DNS answer with rcode (dns_rcode >= 0), after a wrong-id datagram. */
struct userver {
	int fd;
	uint16_t port;
	ev_io io;
	bool echo;
	int dns_rcode;
	unsigned int got;
	uint8_t last[512];
	size_t last_len;
};

static void userver_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct userver *u = w->data;
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	ssize_t n;

	(void)loop;
	(void)revents;
	n = recvfrom(u->fd, u->last, sizeof(u->last), 0, (struct sockaddr *)&peer, &plen);
	if (n < 0)
		return;
	u->got++;
	u->last_len = (size_t)n;
	if (u->echo)
		sendto(u->fd, u->last, (size_t)n, 0, (struct sockaddr *)&peer, plen);
	if (u->dns_rcode >= 0 && n >= 12) {
		uint8_t ans[12];

		memcpy(ans, u->last, 12);
		ans[1] ^= 0xff; /* someone else's answer first: skipped */
		ans[2] = 0x81;
		ans[3] = (uint8_t)(0x80 | u->dns_rcode);
		sendto(u->fd, ans, sizeof(ans), 0, (struct sockaddr *)&peer, plen);
		ans[1] = u->last[1];
		sendto(u->fd, ans, sizeof(ans), 0, (struct sockaddr *)&peer, plen);
	}
}

static void userver_start(struct userver *u, bool echo, int dns_rcode)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
	socklen_t len = sizeof(sa);

	memset(u, 0, sizeof(*u));
	u->echo = echo;
	u->dns_rcode = dns_rcode;
	u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(u->fd >= 0);
	assert_int_equal(bind(u->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(u->fd, (struct sockaddr *)&sa, &len), 0);
	u->port = ntohs(sa.sin_port);
	ev_io_init(&u->io, userver_cb, u->fd, EV_READ);
	u->io.data = u;
	ev_io_start(EV_DEFAULT, &u->io);
}

static void userver_stop(struct userver *u)
{
	ev_io_stop(EV_DEFAULT, &u->io);
	close(u->fd);
}

static void test_engine_ping(void **state)
{
	struct tconf *t = tconf_new(1, CFG_CHECK_PING, 80);

	(void)state;
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(status_of(0).target, "127.0.0.1");
	assert_non_null(strstr(status_of(0).reason, "echo reply"));
	check_engine_free(eng);
	eng = NULL;
	free(t);
}

static void test_engine_udp(void **state)
{
	static const uint8_t payload[] = "halb?";
	static const uint8_t want[] = { 'h', 'a', 0x60 }, care[] = { 0xff, 0xff, 0xf0 };
	static const uint8_t other[] = "nope";
	struct userver echo, mute;
	struct tconf *t;
	size_t n;

	(void)state;
	userver_start(&echo, true, -1);
	userver_start(&mute, false, -1);
	t = tconf_new(4, CFG_CHECK_UDP, echo.port);
	for (size_t i = 0; i < 4; i++) {
		t->ck[i].max_reply_len = 255;
		t->ck[i].connect_timeout_ms = 300;
		t->ck[i].payload = (uint8_t *)payload;
		t->ck[i].payload_len = 5;
		t->ck[i].require_reply = true;
	}
	t->ck[0].reply = (uint8_t *)want; /* "ha" then 0x6X: matches "hal" */
	t->ck[0].reply_care = (uint8_t *)care;
	t->ck[0].reply_len = 3;
	t->ck[1].reply = (uint8_t *)other; /* does not match */
	t->ck[1].reply_len = 4;
	t->rs[2].port = mute.port; /* never answers */
	t->ck[3].require_reply = false;
	t->rs[3].port = mute.port; /* no ICMP error: passes at the timeout */
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_true(wait_report(3, true, 0, 3.0));
	assert_int_equal(echo.last_len, 5);
	assert_memory_equal(echo.last, payload, 5);
	assert_non_null(strstr(status_of(3).reason, "no ICMP error within 300 ms"));
	wait_result(1, "reply does not match require_reply", 3.0);
	assert_false(status_of(1).up);
	wait_result(2, "timeout", 3.0);
	assert_false(status_of(2).up);
	/* the server goes away: ICMP port unreachable, at once */
	n = n_recs;
	userver_stop(&echo);
	assert_true(wait_report(0, false, n, 3.0));
	/* (an attempt in flight as the server closed may time out first) */
	wait_result(0, "ICMP port unreachable", 3.0);
	check_engine_free(eng);
	eng = NULL;
	userver_stop(&mute);
	free(t);
}

static void test_engine_dns(void **state)
{
	struct userver ok, nx;
	struct tconf *t;
	size_t n;

	(void)state;
	userver_start(&ok, false, 0);
	userver_start(&nx, false, 3);
	t = tconf_new(2, CFG_CHECK_DNS, ok.port);
	t->rs[1].port = nx.port;
	for (size_t i = 0; i < 2; i++) {
		t->ck[i].dns_type = 1;
		t->ck[i].dns_name = "rs.halb.test";
	}
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(status_of(0).reason, "answer NOERROR");
	/* the query: one question, rs.halb.test, type A, class IN */
	assert_int_equal(ok.last_len, 12 + 14 + 4);
	assert_memory_equal(ok.last + 12, "\x02rs\x04halb\x04test\x00\x00\x01\x00\x01", 18);
	wait_result(1, "NXDOMAIN", 3.0);
	assert_false(status_of(1).up);
	n = n_recs;
	userver_stop(&ok);
	assert_true(wait_report(0, false, n, 3.0));
	wait_result(0, "ICMP port unreachable", 3.0);
	check_engine_free(eng);
	eng = NULL;
	userver_stop(&nx);
	free(t);
}

/* ------------------------------------------------------------- SMTP server */

struct sserver {
	int lfd;
	uint16_t port;
	ev_io accept_io;
	const char *greeting, *helo_reply;
	char heard[512]; /* every line the clients sent */
	struct sconn {
		int fd;
		ev_io io;
		struct sserver *s;
		char buf[512];
		size_t len;
	} conn;
};

static void sconn_close(struct sconn *c)
{
	ev_io_stop(EV_DEFAULT, &c->io);
	close(c->fd);
	c->fd = -1;
}

static void sconn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sconn *c = w->data;
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len - 1, 0);
	char *nl;

	(void)loop;
	(void)revents;
	if (n <= 0) {
		sconn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n')) != NULL) {
		size_t l = (size_t)(nl - c->buf) + 1;

		strncat(c->s->heard, c->buf,
			l < sizeof(c->s->heard) - strlen(c->s->heard) - 1
			    ? l
			    : sizeof(c->s->heard) - strlen(c->s->heard) - 1);
		if (strncmp(c->buf, "QUIT", 4) == 0) {
			send(c->fd, "221 bye\r\n", 9, MSG_NOSIGNAL);
			sconn_close(c);
			return;
		}
		if (strncmp(c->buf, "HELO", 4) == 0)
			send(c->fd, c->s->helo_reply, strlen(c->s->helo_reply), MSG_NOSIGNAL);
		memmove(c->buf, c->buf + l, c->len - l + 1);
		c->len -= l;
	}
}

static void saccept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sserver *s = w->data;
	int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK);

	(void)loop;
	(void)revents;
	if (fd < 0)
		return;
	if (s->conn.fd >= 0)
		sconn_close(&s->conn);
	s->conn = (struct sconn){ .fd = fd, .s = s };
	ev_io_init(&s->conn.io, sconn_cb, fd, EV_READ);
	s->conn.io.data = &s->conn;
	ev_io_start(EV_DEFAULT, &s->conn.io);
	send(fd, s->greeting, strlen(s->greeting), MSG_NOSIGNAL);
}

static void sserver_start(struct sserver *s, const char *greeting, const char *helo_reply)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK) };
	socklen_t len = sizeof(sa);

	memset(s, 0, sizeof(*s));
	s->greeting = greeting;
	s->helo_reply = helo_reply;
	s->conn.fd = -1;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	ev_io_init(&s->accept_io, saccept_cb, s->lfd, EV_READ);
	s->accept_io.data = s;
	ev_io_start(EV_DEFAULT, &s->accept_io);
}

static void sserver_stop(struct sserver *s)
{
	if (s->conn.fd >= 0)
		sconn_close(&s->conn);
	ev_io_stop(EV_DEFAULT, &s->accept_io);
	close(s->lfd);
}

static void test_engine_smtp(void **state)
{
	struct sserver good, busy, picky;
	struct tconf *t;

	(void)state;
	sserver_start(&good, "220-mx.halb.test ESMTP\r\n220 ready\r\n", "250 mx.halb.test\r\n");
	sserver_start(&busy, "421 busy\r\n", "250 x\r\n");
	sserver_start(&picky, "220 ready\r\n", "550 not you\r\n");
	t = tconf_new(3, CFG_CHECK_SMTP, good.port);
	t->ck[0].helo_name = "lb1.halb.test";
	t->rs[1].port = busy.port;
	t->rs[2].port = picky.port;
	t->vs.alpha = true;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(wait_report(0, true, 0, 3.0));
	assert_string_equal(good.heard, "HELO lb1.halb.test\r\nQUIT\r\n");
	wait_result(1, "greeting 421, not 220", 3.0);
	assert_false(status_of(1).up);
	wait_result(2, "HELO answered 550, not 250", 3.0);
	assert_false(status_of(2).up);
	assert_non_null(strstr(picky.heard, "HELO smtpchecker.keepalived.org\r\n"));
	check_engine_free(eng);
	eng = NULL;
	sserver_stop(&good);
	sserver_stop(&busy);
	sserver_stop(&picky);
	free(t);
}

/* ------------------------------------------------------------- FILE_CHECK */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_engine_file(void **state)
{
	char path[] = "/tmp/halb-test-file-XXXXXX";
	struct cfg_track_file tf = { .name = "tf", .weight = 1 };
	int weight = -1;
	struct tconf *t;
	size_t n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "1\n");
	tf.file = path;
	t = tconf_new(2, CFG_CHECK_FILE, 80);
	t->k.track_files = &tf;
	t->k.n_track_files = 1;
	t->ck[0].file_weight = 0; /* a number other than 0: down */
	t->ck[1].file_weight = 3; /* the number times 3 moves the weight */
	t->rs[1].weight = 10;
	t->vs.alpha = true;      /* no effect: the file is read at once */
	t->vs.ha_suspend = true; /* no effect either: never suspended */
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(status_of(0).running);
	/* the first reports already say what the file says */
	assert_false(last_rec(0)->up);
	assert_true(last_rec(1)->up);
	assert_int_equal(last_rec(1)->weight, 13);
	assert_false(check_engine_rs_health(eng, 0, 0, NULL));
	assert_true(check_engine_rs_health(eng, 0, 1, &weight));
	assert_int_equal(weight, 13);
	assert_string_equal(status_of(0).target, path);
	n = n_recs;
	write_file(path, "0\n");
	assert_true(wait_report(0, true, n, 2.5));
	assert_true(check_engine_rs_health(eng, 0, 1, &weight));
	assert_int_equal(weight, 10);
	write_file(path, "-5\n"); /* 10 - 15: weight 0, still up */
	n = n_recs;
	assert_true(wait_report(0, false, n, 2.5));
	assert_true(check_engine_rs_health(eng, 0, 1, &weight));
	assert_int_equal(weight, 0);
	unlink(path); /* missing: 0 */
	n = n_recs;
	assert_true(wait_report(0, true, n, 2.5));
	check_engine_free(eng);
	eng = NULL;
	free(t);
}

/* A reload keeps a checker whose definition did not change (its counters go
 * on) and starts afresh one whose name, payload or helo changed. */
static void test_engine_reload_probe(void **state)
{
	static const uint8_t p1[] = "a", p2[] = "b";
	struct userver dns;
	struct tconf *t;
	uint64_t before;

	(void)state;
	userver_start(&dns, true, 0); /* answers as DNS and echoes as UDP */
	t = tconf_new(3, CFG_CHECK_DNS, dns.port);
	t->ck[0].dns_type = 1;
	t->ck[0].dns_name = "a.test";
	t->ck[1].type = CFG_CHECK_UDP;
	t->ck[1].payload = (uint8_t *)p1;
	t->ck[1].payload_len = 1;
	t->ck[1].require_reply = true;
	t->ck[1].max_reply_len = 255;
	t->ck[2].type = CFG_CHECK_SMTP;
	t->ck[2].helo_name = "one";
	t->rs[2].port = closed_port();
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	wait_checks(2, 3.0);
	before = status_of(0).checks;
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	assert_true(status_of(0).checks >= before);
	assert_true(status_of(1).checks >= 1);
	assert_true(status_of(2).checks >= 1);
	t->ck[0].dns_name = "b.test";
	t->ck[1].payload = (uint8_t *)p2;
	t->ck[2].helo_name = "two";
	assert_int_equal(check_engine_apply(eng, &t->k), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(status_of(i).checks, 0);
	check_engine_free(eng);
	eng = NULL;
	userver_stop(&dns);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_engine_ping, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_udp, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_dns, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_smtp, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_file, engine_setup, engine_teardown),
		cmocka_unit_test_setup_teardown(test_engine_reload_probe, engine_setup,
						engine_teardown),
	};

	ev_default_loop(0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
