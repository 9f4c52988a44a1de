/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/telemetry: the server under clients that misbehave. A real server on
 * a socket in a temporary directory (no DPDK server behind it) answers a few
 * test commands; clients that stay idle, fill every slot, do not read their
 * replies, or send malformed requests must never keep a well-behaved client
 * from its answer, and each must be dealt with as halb_telemetry.h says.
 * Every wait on a socket is bounded, so a hang fails instead of blocking.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "halb_telemetry.h"

#define WAIT_MS 3000

struct fixture {
	char dir[64];
	char path[100];
	struct tel_server *s;
};

static json_t *h_echo(void *ctx, const char *params)
{
	(void)ctx;
	return json_pack("{s:s}", "echo", params ? params : "");
}

static json_t *h_big(void *ctx, const char *params)
{
	size_t n = 150 * 1024;
	char *text = malloc(n + 1);
	json_t *o;

	(void)ctx;
	(void)params;
	memset(text, 'x', n);
	text[n] = '\0';
	o = json_pack("{s:s}", "big", text);
	free(text);
	return o;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/halb-tel-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/dpdk_telemetry.v2", f->dir);
	f->s = tel_server_start(f->dir);
	assert_non_null(f->s);
	assert_int_equal(tel_register(f->s, "/t/echo", h_echo, NULL, "echo"), 0);
	assert_int_equal(tel_register(f->s, "/t/big", h_big, NULL, "150 KiB"), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tel_server_stop(f->s);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Waits for one message; returns its length, 0 when closed, -1 on timeout. */
static ssize_t recv_msg(int fd, char *buf, size_t len, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, wait_ms) != 1)
		return -1;
	n = recv(fd, buf, len - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	return n < 0 ? 0 : n;
}

/* A connected client that has read its greeting. */
static int client(const struct fixture *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	char buf[512];

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_true(recv_msg(fd, buf, sizeof(buf), WAIT_MS) > 0);
	assert_non_null(strstr(buf, "\"max_output_len\""));
	return fd;
}

/* Sends req on fd and returns the reply (static buffer), or NULL. */
static const char *ask(int fd, const char *req)
{
	static char buf[TEL_MAX_OUTPUT + 1];

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
		return NULL;
	return recv_msg(fd, buf, sizeof(buf), WAIT_MS) > 0 ? buf : NULL;
}

static void assert_answers(const struct fixture *f)
{
	int fd = client(f);
	const char *r = ask(fd, "/t/echo,hello");

	assert_non_null(r);
	assert_string_equal(r, "{\"/t/echo\":{\"echo\":\"hello\"}}");
	close(fd);
}

static void test_answers(void **state)
{
	struct fixture *f = *state;
	int fd = client(f);

	assert_string_equal(ask(fd, "/t/echo"), "{\"/t/echo\":{\"echo\":\"\"}}");
	assert_string_equal(ask(fd, "/help,/t/big"), "{\"/help\":{\"/t/big\":\"150 KiB\"}}");
	assert_string_equal(ask(fd, "/no/such"), "{\"/no/such\":null}");
	assert_non_null(strstr(ask(fd, "/"), "\"/t/echo\""));
	close(fd);
}

/* More idle clients than slots: the longest idle make room; nobody is locked out. */
static void test_idle_clients_do_not_lock_out(void **state)
{
	struct fixture *f = *state;
	int fds[TEL_MAX_CLIENTS + 8];
	struct tel_server_stats st;

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		fds[i] = client(f);
	assert_answers(f);
	tel_server_stats(f->s, &st);
	assert_true(st.evicted >= 9);
	assert_true(st.clients <= TEL_MAX_CLIENTS);
	/* The first ones were closed to make room. */
	{
		char buf[64];

		assert_int_equal(recv_msg(fds[0], buf, sizeof(buf), WAIT_MS), 0);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
}

static void test_idle_timeout(void **state)
{
	struct fixture *f = *state;
	struct tel_server_stats st;
	char buf[64];
	int fd;

	tel_server_set_timeouts(f->s, 200, TEL_SEND_TIMEOUT_MS);
	fd = client(f);
	assert_int_equal(recv_msg(fd, buf, sizeof(buf), WAIT_MS), 0); /* closed */
	tel_server_stats(f->s, &st);
	assert_int_equal(st.idle_out, 1);
	close(fd);
	assert_answers(f);
}

/* A client that asks and never reads holds only its own socket. */
static void test_slow_reader(void **state)
{
	struct fixture *f = *state;
	struct tel_server_stats st;
	int slow, i;

	tel_server_set_timeouts(f->s, TEL_IDLE_TIMEOUT_MS, 300);
	slow = client(f);
	for (i = 0; i < 4; i++)
		assert_true(send(slow, "/t/big", 6, MSG_NOSIGNAL) == 6);
	for (i = 0; i < 3; i++)
		assert_answers(f);
	/* Its replies do not fit: the server gives up on it after 300 ms. */
	for (i = 0; i < 30; i++) {
		tel_server_stats(f->s, &st);
		if (st.slow_out == 1)
			break;
		usleep(100 * 1000);
	}
	assert_int_equal(st.slow_out, 1);
	close(slow);
	assert_answers(f);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *req;
		size_t len;
		const char *error;
	} cases[] = {
		{ "halb/stats", 10, "malformed request: expected /command or /command,parameters" },
		{ "/t/echo\n", 8, "malformed request: control characters" },
		{ "/t/e\0cho", 8, "malformed request: control characters" },
		{ NULL, 2000, "request too long: at most 1023 bytes" },
	};
	struct fixture *f = *state;
	struct tel_server_stats st;
	char big[2000];
	int fd = client(f);

	memset(big, 'a', sizeof(big));
	big[0] = '/';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[256], want[256];
		const char *req = cases[i].req ? cases[i].req : big;

		assert_true(send(fd, req, cases[i].len, MSG_NOSIGNAL) == (ssize_t)cases[i].len);
		assert_true(recv_msg(fd, buf, sizeof(buf), WAIT_MS) > 0);
		snprintf(want, sizeof(want), "{\"error\":\"%s\"}", cases[i].error);
		assert_string_equal(buf, want);
	}
	/* The same connection still works. */
	assert_string_equal(ask(fd, "/t/echo,x"), "{\"/t/echo\":{\"echo\":\"x\"}}");
	tel_server_stats(f->s, &st);
	assert_int_equal(st.malformed, 4);
	close(fd);
}

/* Stopping with clients connected and a request in flight returns. */
static void test_stop_with_clients(void **state)
{
	struct fixture *f = *state;
	int a = client(f), b = client(f);

	assert_true(send(b, "/t/big", 6, MSG_NOSIGNAL) == 6);
	tel_server_stop(f->s);
	f->s = tel_server_start(f->dir);
	assert_non_null(f->s);
	close(a);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_clients_do_not_lock_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_with_clients, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
