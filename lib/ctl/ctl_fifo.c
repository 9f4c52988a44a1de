/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keepalived's notify FIFOs (global_defs notify_fifo and vrrp_notify_fifo):
 * one line per VRRP transition, in keepalived's format, so the readers
 * written for keepalived work unchanged:
 *
 *   INSTANCE "VI_1" MASTER 100
 *   GROUP "G1" BACKUP 0
 *
 * As keepalived: the FIFO is made when it does not exist (mode 0644, given
 * to USER and GROUP when named), opened read-write and non-blocking (a
 * missing reader neither blocks halb nor loses the FIFO), and the _script,
 * when set, is started once with the FIFO's path as its argument. A line
 * that does not fit (no reader draining it) is dropped and counted. A FIFO
 * whose path does not change stays open across a reload; halb removes on
 * exit only a FIFO it made.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_priv.h"

static void fifo_close(struct ctl_fifo *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->created && f->path != NULL)
		unlink(f->path);
	free(f->path);
	*f = (struct ctl_fifo){ .fd = -1 };
}

/* USER [GROUP] of a FIFO halb made: its owner, as keepalived. */
static void fifo_chown(const struct cfg_fifo *cf)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	char buf[4096];
	uid_t uid;
	gid_t gid;

	if (cf->user == NULL)
		return;
	if (getpwnam_r(cf->user, &pw, buf, sizeof(buf), &pwp) != 0 || pwp == NULL) {
		HALB_LOG(ctl, WARNING, "notify FIFO %s: no user %s", cf->path, cf->user);
		return;
	}
	uid = pw.pw_uid;
	gid = pw.pw_gid;
	if (cf->group != NULL) {
		if (getgrnam_r(cf->group, &gr, buf, sizeof(buf), &grp) != 0 || grp == NULL) {
			HALB_LOG(ctl, WARNING, "notify FIFO %s: no group %s", cf->path, cf->group);
			return;
		}
		gid = gr.gr_gid;
	}
	if (chown(cf->path, uid, gid) != 0)
		HALB_LOG(ctl, WARNING, "notify FIFO %s: cannot give it to %s: %s", cf->path,
			 cf->user, strerror(errno));
}

static void fifo_open(struct ctl *c, struct ctl_fifo *f, const struct cfg_fifo *cf)
{
	struct stat st;

	if (f->path != NULL && cf->path != NULL && strcmp(f->path, cf->path) == 0)
		return; /* unchanged by a reload */
	fifo_close(f);
	if (cf->path == NULL)
		return;
	if (mkfifo(cf->path, 0644) == 0) {
		f->created = true;
		fifo_chown(cf);
	} else if (errno != EEXIST) {
		HALB_LOG(ctl, ERR, "cannot make the notify FIFO %s: %s", cf->path, strerror(errno));
		return;
	}
	f->path = strdup(cf->path);
	/* a script that reads it starts before the FIFO is written */
	if (cf->script.cmd != NULL) {
		const char *arg[1] = { cf->path };

		ctl_run_script(c, &cf->script, arg, 1);
	}
	f->fd = open(cf->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		HALB_LOG(ctl, ERR, "cannot open the notify FIFO %s: %s", cf->path,
			 f->fd < 0 ? strerror(errno) : "not a FIFO");
		fifo_close(f);
	}
}

void ctl_fifo_start(struct ctl *c)
{
	fifo_open(c, &c->fifos[0], &c->k->global.notify_fifo);
	fifo_open(c, &c->fifos[1], &c->k->global.vrrp_notify_fifo);
}

void ctl_fifo_stop(struct ctl *c)
{
	for (size_t i = 0; i < RTE_DIM(c->fifos); i++)
		fifo_close(&c->fifos[i]);
}

void ctl_fifo_write(struct ctl *c, const char *kind, const char *name, const char *state,
		    unsigned int prio)
{
	char line[320];
	int n = snprintf(line, sizeof(line), "%s \"%s\" %s %u\n", kind, name, state, prio);

	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	for (size_t i = 0; i < RTE_DIM(c->fifos); i++) {
		if (c->fifos[i].fd < 0)
			continue;
		/* at most PIPE_BUF bytes: written whole or not at all */
		if (write(c->fifos[i].fd, line, (size_t)n) != n)
			c->fifos[i].dropped++;
		else
			c->fifos[i].written++;
	}
}
