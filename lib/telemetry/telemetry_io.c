/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How the telemetry server serves its clients without letting any of them
 * hold it up.
 *
 * One I/O thread owns every socket and never blocks on one: the listening
 * socket, the clients (non-blocking, in epoll) and an eventfd. A client is
 * in one of three states. IDLE: the thread waits for its next request;
 * after idle_ms it is closed. BUSY: its request is queued for, or running
 * on, one of TEL_HANDLERS handler threads; the socket is out of epoll until
 * the handler hands the reply back through the done queue and the eventfd.
 * SENDING: the reply did not fit in the socket (the client has not read the
 * previous one); the thread waits for room, and closes the client after
 * send_ms.
 *
 * A request that is not a printable "/command" of less than TEL_MAX_REQUEST
 * bytes is answered {"error": ...} by the I/O thread itself. When all
 * TEL_MAX_CLIENTS slots are taken, a new connection closes the client that
 * has been idle the longest; when none is idle (every one has a request in
 * progress) the new connection is closed at once, and halbctl says so.
 *
 * So idle clients cannot lock others out, a slow reader delays only itself
 * (its reply waits in its own socket), and a handler that waits for the
 * control core's lock holds one handler thread, not the server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_version.h>

#include "tel_int.h"

#define EV_LISTEN UINT64_MAX
#define EV_WAKE   (UINT64_MAX - 1)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ep_set(struct tel_server *s, struct tel_client *cl, int op, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)(cl - s->clients) };

	epoll_ctl(s->epfd, op, cl->fd, &ev);
}

/* Closes a client the I/O thread holds (not BUSY). Lock held. */
static void client_close(struct tel_client *cl)
{
	close(cl->fd); /* also takes it out of epoll */
	free(cl->reply);
	cl->reply = NULL;
	cl->fd = -1;
	cl->st = TEL_CL_FREE;
	cl->next = NULL;
}

static void to_idle(struct tel_server *s, struct tel_client *cl, int op)
{
	cl->st = TEL_CL_IDLE;
	cl->since_ms = now_ms();
	ep_set(s, cl, op, EPOLLIN);
}

/* Sends cl's reply if the socket has room; else waits for it. Lock held. */
static void try_send(struct tel_server *s, struct tel_client *cl, bool in_epoll)
{
	ssize_t n = send(cl->fd, cl->reply, strlen(cl->reply), MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0) {
		free(cl->reply);
		cl->reply = NULL;
		to_idle(s, cl, in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD);
		return;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		client_close(cl);
		s->st.clients--;
		return;
	}
	if (cl->st != TEL_CL_SENDING) {
		cl->st = TEL_CL_SENDING;
		cl->since_ms = now_ms();
		ep_set(s, cl, in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, EPOLLOUT);
	}
}

/* Why req cannot be a command, or NULL when it can. */
static const char *malformed(const char *req, ssize_t n)
{
	if (n >= TEL_MAX_REQUEST)
		return "request too long: at most 1023 bytes";
	if (n == 0 || req[0] != '/')
		return "malformed request: expected /command or /command,parameters";
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)req[i] < 0x20 || req[i] == 0x7f)
			return "malformed request: control characters";
	return NULL;
}

/* A request arrived on an idle client. Lock held. */
static void on_request(struct tel_server *s, struct tel_client *cl)
{
	ssize_t n = recv(cl->fd, cl->req, TEL_MAX_REQUEST - 1, MSG_DONTWAIT | MSG_TRUNC);
	const char *why;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) { /* closed (an empty message reads as a close too) */
		client_close(cl);
		s->st.clients--;
		return;
	}
	cl->req[n < TEL_MAX_REQUEST ? n : TEL_MAX_REQUEST - 1] = '\0';
	why = malformed(cl->req, n);
	if (why != NULL) {
		s->st.malformed++;
		cl->reply = tel_error_reply(why);
		if (cl->reply == NULL) {
			client_close(cl);
			s->st.clients--;
			return;
		}
		try_send(s, cl, true);
		return;
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, cl->fd, NULL);
	cl->st = TEL_CL_BUSY;
	cl->next = NULL;
	if (s->jobs_tail != NULL)
		s->jobs_tail->next = cl;
	else
		s->jobs = cl;
	s->jobs_tail = cl;
	pthread_cond_signal(&s->work);
}

/* A free slot, or the one of the client idle the longest, closed. */
static struct tel_client *slot_for_new(struct tel_server *s)
{
	struct tel_client *oldest = NULL;

	for (int i = 0; i < TEL_MAX_CLIENTS; i++) {
		struct tel_client *cl = &s->clients[i];

		if (cl->st == TEL_CL_FREE)
			return cl;
		if (cl->st == TEL_CL_IDLE && (oldest == NULL || cl->since_ms < oldest->since_ms))
			oldest = cl;
	}
	if (oldest != NULL) {
		client_close(oldest);
		s->st.clients--;
		s->st.evicted++;
	}
	return oldest;
}

static void greet(struct tel_server *s, struct tel_client *cl)
{
	char greeting[256];

	snprintf(greeting, sizeof(greeting),
		 "{\"version\":\"%s\",\"pid\":%d,\"max_output_len\":%d}", rte_version(),
		 (int)getpid(), TEL_MAX_OUTPUT);
	cl->reply = strdup(greeting);
	if (cl->reply == NULL) {
		client_close(cl);
		s->st.clients--;
		return;
	}
	try_send(s, cl, false);
}

static void on_accept(struct tel_server *s)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		int sndbuf = TEL_MAX_OUTPUT + 4096;
		struct tel_client *cl;

		if (fd < 0)
			return;
		/* A reply is one message: make room for the largest. */
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		pthread_mutex_lock(&s->lock);
		cl = slot_for_new(s);
		if (cl == NULL) {
			s->st.refused++;
			pthread_mutex_unlock(&s->lock);
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->st = TEL_CL_IDLE;
		s->st.accepted++;
		s->st.clients++;
		greet(s, cl);
		pthread_mutex_unlock(&s->lock);
	}
}

/* Replies the handlers finished. Lock held. */
static void on_done(struct tel_server *s)
{
	uint64_t n;
	struct tel_client *cl = s->done;

	if (read(s->wakefd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	s->done = NULL;
	while (cl != NULL) {
		struct tel_client *next = cl->next;

		cl->next = NULL;
		s->st.requests++;
		if (cl->reply == NULL) {
			client_close(cl);
			s->st.clients--;
		} else {
			try_send(s, cl, false);
		}
		cl = next;
	}
}

/* Closes clients past their time; returns ms until the next deadline. */
static int expire(struct tel_server *s)
{
	uint64_t now = now_ms(), next = now + 1000;

	for (int i = 0; i < TEL_MAX_CLIENTS; i++) {
		struct tel_client *cl = &s->clients[i];
		uint64_t limit;

		if (cl->st != TEL_CL_IDLE && cl->st != TEL_CL_SENDING)
			continue;
		limit = cl->since_ms + (cl->st == TEL_CL_IDLE ? s->idle_ms : s->send_ms);
		if (now >= limit) {
			if (cl->st == TEL_CL_IDLE)
				s->st.idle_out++;
			else
				s->st.slow_out++;
			client_close(cl);
			s->st.clients--;
		} else if (limit < next) {
			next = limit;
		}
	}
	return (int)(next - now);
}

static void on_client_event(struct tel_server *s, struct tel_client *cl, uint32_t events)
{
	if (cl->st == TEL_CL_IDLE && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		on_request(s, cl);
	else if (cl->st == TEL_CL_SENDING && (events & (EPOLLHUP | EPOLLERR))) {
		client_close(cl);
		s->st.clients--;
	} else if (cl->st == TEL_CL_SENDING && (events & EPOLLOUT))
		try_send(s, cl, true);
}

static void *io_main(void *arg)
{
	struct tel_server *s = arg;
	struct epoll_event evs[32];
	int timeout = 1000;

	for (;;) {
		int n = epoll_wait(s->epfd, evs, 32, timeout);

		pthread_mutex_lock(&s->lock);
		if (s->stopping) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		pthread_mutex_unlock(&s->lock);
		for (int i = 0; i < n; i++) {
			uint64_t id = evs[i].data.u64;

			if (id == EV_LISTEN) {
				on_accept(s);
				continue;
			}
			pthread_mutex_lock(&s->lock);
			if (id == EV_WAKE)
				on_done(s);
			else if (id < TEL_MAX_CLIENTS)
				on_client_event(s, &s->clients[id], evs[i].events);
			pthread_mutex_unlock(&s->lock);
		}
		pthread_mutex_lock(&s->lock);
		timeout = expire(s);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* ------------------------------------------------------------ handlers */

static void *handler_main(void *arg)
{
	struct tel_server *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct tel_client *cl;
		char *reply;
		uint64_t one = 1;

		while (s->jobs == NULL && !s->stopping)
			pthread_cond_wait(&s->work, &s->lock);
		if (s->stopping)
			break;
		cl = s->jobs;
		s->jobs = cl->next;
		if (s->jobs == NULL)
			s->jobs_tail = NULL;
		pthread_mutex_unlock(&s->lock);

		reply = tel_answer(s, cl->req);

		pthread_mutex_lock(&s->lock);
		cl->reply = reply;
		cl->next = s->done;
		s->done = cl;
		if (write(s->wakefd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow: the I/O thread reads it */
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ----------------------------------------------------- start and stop */

static int ep_add(int epfd, int fd, uint64_t id)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = id };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int tel_io_start(struct tel_server *s)
{
	for (int i = 0; i < TEL_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->epfd < 0 || s->wakefd < 0 || ep_add(s->epfd, s->fd, EV_LISTEN) != 0 ||
	    ep_add(s->epfd, s->wakefd, EV_WAKE) != 0)
		goto fail;
	for (; s->n_handlers < TEL_HANDLERS; s->n_handlers++) {
		char name[16];

		if (pthread_create(&s->handlers[s->n_handlers], NULL, handler_main, s) != 0)
			goto fail;
		snprintf(name, sizeof(name), "halb-tel-%d", s->n_handlers);
		pthread_setname_np(s->handlers[s->n_handlers], name);
	}
	if (pthread_create(&s->io_thread, NULL, io_main, s) != 0)
		goto fail;
	pthread_setname_np(s->io_thread, "halb-telemetry");
	return 0;
fail:
	tel_io_stop(s);
	return -1;
}

void tel_io_wake(struct tel_server *s)
{
	uint64_t one = 1;

	if (write(s->wakefd, &one, sizeof(one)) < 0) {
		/* nothing to do: the I/O thread wakes within a second anyway */
	}
}

void tel_io_stop(struct tel_server *s)
{
	bool io_running = s->n_handlers == TEL_HANDLERS && s->io_thread != 0;
	int saved = errno;

	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	if (s->wakefd >= 0)
		tel_io_wake(s);
	if (io_running)
		pthread_join(s->io_thread, NULL);
	/* A handler in the middle of a request finishes it first. */
	for (int i = 0; i < s->n_handlers; i++)
		pthread_join(s->handlers[i], NULL);
	for (int i = 0; i < TEL_MAX_CLIENTS; i++)
		if (s->clients[i].fd >= 0)
			client_close(&s->clients[i]);
	if (s->wakefd >= 0)
		close(s->wakefd);
	if (s->epfd >= 0)
		close(s->epfd);
	s->wakefd = s->epfd = -1;
	errno = saved;
}
