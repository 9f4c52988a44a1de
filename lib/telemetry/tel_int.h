/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry server's state, shared by its two files:
 *   telemetry.c     commands, answering, DPDK's server behind ours, start/stop
 *   telemetry_io.c  the I/O thread, the handler pool, timeouts
 */
#ifndef HALB_TEL_INT_H
#define HALB_TEL_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "halb_telemetry.h"

#define TEL_MAX_CMDS 64

struct tel_cmd {
	char name[64];
	char help[256];
	tel_handler fn;
	void *ctx;
};

enum tel_cl_state {
	TEL_CL_FREE = 0,
	TEL_CL_IDLE,    /* waiting for a request (the I/O thread polls it) */
	TEL_CL_BUSY,    /* a handler has its request */
	TEL_CL_SENDING, /* its reply waits for room in the socket */
};

struct tel_client {
	int fd;
	enum tel_cl_state st;
	uint64_t since_ms; /* idle since, or sending since */
	char req[TEL_MAX_REQUEST];
	char *reply;
	struct tel_client *next; /* in the job or done queue */
};

struct tel_server {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char aside[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool have_dpdk;
	int fd;     /* listening */
	int epfd;   /* the I/O thread's */
	int wakefd; /* eventfd: handlers finished, or stop */
	pthread_t io_thread;
	pthread_t handlers[TEL_HANDLERS];
	int n_handlers;

	/* lock: commands, the queues, client states, timeouts, stats */
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct tel_cmd cmds[TEL_MAX_CMDS];
	int n_cmds;
	struct tel_client clients[TEL_MAX_CLIENTS];
	struct tel_client *jobs, *jobs_tail; /* requests for the handlers */
	struct tel_client *done;             /* replies for the I/O thread */
	uint32_t idle_ms, send_ms;
	struct tel_server_stats st;
	bool stopping;
};

/* telemetry.c */
/* {"error": what} as a reply string (malloc'd). */
char *tel_error_reply(const char *what);

/* telemetry_io.c */
int tel_io_start(struct tel_server *s);
void tel_io_wake(struct tel_server *s);
void tel_io_stop(struct tel_server *s);

#endif
