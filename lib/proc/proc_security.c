/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who a command runs as, and whether it may run at all.
 *
 * Users and groups are resolved by name with the reentrant NSS calls before
 * any fork, so the child only has to call setgid/setuid.
 *
 * enable_script_security follows keepalived's check_security(): a command
 * that runs as root (or group root, or a set-uid/set-gid root file) must not
 * be replaceable by anyone but root. The file is resolved to its real path
 * (no symbolic links left) and every component from "/" down to the file is
 * checked: owned by root, and neither group-writable with a non-root group
 * nor world-writable; a directory with the sticky bit may be writable, since
 * nobody can then rename or remove a root-owned file in it (keepalived's
 * exception, which is what makes /tmp acceptable).
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc_int.h"

#define PROC_NSS_BUF_MIN 1024
#define PROC_NSS_BUF_MAX (1024 * 1024)

static bool proc_parse_id(const char *s, unsigned long *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*id = strtoul(s, &end, 10);
	return errno == 0 && *end == '\0' && *id < (unsigned long)UINT32_MAX;
}

static int proc_lookup_user(const char *name, uid_t *uid, gid_t *gid, bool *has_gid, char *why,
			    size_t whylen)
{
	struct passwd pw, *res = NULL;
	unsigned long id;
	size_t sz = PROC_NSS_BUF_MIN;
	char *buf = NULL;
	int r;

	for (;;) {
		free(buf);
		buf = malloc(sz);
		if (buf == NULL) {
			snprintf(why, whylen, "out of memory resolving user '%s'", name);
			return -1;
		}
		r = getpwnam_r(name, &pw, buf, sz, &res);
		if (r != ERANGE || sz >= PROC_NSS_BUF_MAX)
			break;
		sz *= 4;
	}
	if (res == NULL && proc_parse_id(name, &id)) {
		r = getpwuid_r((uid_t)id, &pw, buf, sz, &res);
		if (res == NULL) {
			/* A bare number is a uid even without a passwd entry. */
			free(buf);
			*uid = (uid_t)id;
			*has_gid = false;
			return 0;
		}
	}
	if (res == NULL) {
		if (r != 0)
			snprintf(why, whylen, "cannot resolve user '%s': %s", name, strerror(r));
		else
			snprintf(why, whylen, "unknown user '%s'", name);
		free(buf);
		return -1;
	}
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	*has_gid = true;
	free(buf);
	return 0;
}

static int proc_lookup_group(const char *name, gid_t *gid, char *why, size_t whylen)
{
	struct group gr, *res = NULL;
	unsigned long id;
	size_t sz = PROC_NSS_BUF_MIN;
	char *buf = NULL;
	int r;

	for (;;) {
		free(buf);
		buf = malloc(sz);
		if (buf == NULL) {
			snprintf(why, whylen, "out of memory resolving group '%s'", name);
			return -1;
		}
		r = getgrnam_r(name, &gr, buf, sz, &res);
		if (r != ERANGE || sz >= PROC_NSS_BUF_MAX)
			break;
		sz *= 4;
	}
	if (res != NULL)
		*gid = gr.gr_gid;
	free(buf);
	if (res != NULL)
		return 0;
	if (proc_parse_id(name, &id)) {
		*gid = (gid_t)id;
		return 0;
	}
	if (r != 0)
		snprintf(why, whylen, "cannot resolve group '%s': %s", name, strerror(r));
	else
		snprintf(why, whylen, "unknown group '%s'", name);
	return -1;
}

/* What each (user, group) resolved to, so that running a script never
 * waits on NSS (a directory server may take seconds): halb -t, the start
 * and each reload resolve every script's user (ctl_lint_scripts), and the
 * runs after that find the answer here. Control core only. */
struct proc_user_memo {
	char *user, *group; /* NULL as given */
	uid_t uid;
	gid_t gid;
	int rc;
	char why[128];
};

static struct proc_user_memo *proc_memo;
static size_t proc_n_memo;

static bool proc_streq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int proc_resolve_uncached(const char *user, const char *group, uid_t *uid, gid_t *gid,
				 char *why, size_t whylen);

int proc_resolve_user(const char *user, const char *group, uid_t *uid, gid_t *gid, char *why,
		      size_t whylen)
{
	struct proc_user_memo *m, *v;

	for (size_t i = 0; i < proc_n_memo; i++) {
		m = &proc_memo[i];
		if (proc_streq(m->user, user) && proc_streq(m->group, group)) {
			*uid = m->uid;
			*gid = m->gid;
			if (m->rc != 0)
				snprintf(why, whylen, "%s", m->why);
			return m->rc;
		}
	}
	v = realloc(proc_memo, (proc_n_memo + 1) * sizeof(*v));
	if (v == NULL)
		return proc_resolve_uncached(user, group, uid, gid, why, whylen);
	proc_memo = v;
	m = &proc_memo[proc_n_memo];
	memset(m, 0, sizeof(*m));
	m->rc = proc_resolve_uncached(user, group, &m->uid, &m->gid, m->why, sizeof(m->why));
	m->user = user != NULL ? strdup(user) : NULL;
	m->group = group != NULL ? strdup(group) : NULL;
	if ((user == NULL || m->user != NULL) && (group == NULL || m->group != NULL))
		proc_n_memo++;
	else {
		free(m->user);
		free(m->group);
	}
	*uid = m->uid;
	*gid = m->gid;
	if (m->rc != 0)
		snprintf(why, whylen, "%s", m->why);
	return m->rc;
}

void proc_user_cache_reset(void)
{
	for (size_t i = 0; i < proc_n_memo; i++) {
		free(proc_memo[i].user);
		free(proc_memo[i].group);
	}
	free(proc_memo);
	proc_memo = NULL;
	proc_n_memo = 0;
}

static int proc_resolve_uncached(const char *user, const char *group, uid_t *uid, gid_t *gid,
				 char *why, size_t whylen)
{
	bool has_gid = true;

	*uid = geteuid();
	*gid = getegid();
	if (user != NULL && proc_lookup_user(user, uid, gid, &has_gid, why, whylen) != 0)
		return -1;
	if (group != NULL)
		return proc_lookup_group(group, gid, why, whylen);
	if (!has_gid) {
		snprintf(why, whylen, "user %s has no passwd entry: give a group", user);
		return -1;
	}
	return 0;
}

const char *proc_default_user(const char *script_user)
{
	uid_t uid;
	gid_t gid;
	char why[128];

	if (script_user != NULL)
		return script_user;
	/* through the memo: asked for every script run */
	if (proc_resolve_user("keepalived_script", NULL, &uid, &gid, why, sizeof(why)) == 0)
		return "keepalived_script";
	return NULL;
}

/* keepalived's per-component rule; returns NULL when st is acceptable. */
static const char *proc_unsafe_reason(const struct stat *st, bool last, char *buf, size_t len)
{
	bool dir = S_ISDIR(st->st_mode);

	if (!last && !dir)
		return "is not a directory";
	if (last && !S_ISREG(st->st_mode))
		return "is not a regular file";
	if (st->st_uid != 0) {
		snprintf(buf, len, "is owned by uid %u, not root", (unsigned int)st->st_uid);
		return buf;
	}
	if (dir && (st->st_mode & S_ISVTX))
		return NULL;
	if (st->st_gid != 0 && (st->st_mode & S_IWGRP)) {
		snprintf(buf, len, "is writable by group %u", (unsigned int)st->st_gid);
		return buf;
	}
	if (st->st_mode & S_IWOTH)
		return "is writable by everyone";
	return NULL;
}

/* Checks "/", then every directory of real (an absolute path with no
 * symbolic links), then real itself. */
static int proc_check_path(const char *real, const char *file, char *why, size_t whylen)
{
	char part[PATH_MAX];
	size_t len = strlen(real);

	for (size_t end = 1; end <= len;) {
		char reason[64];
		const char *bad;
		struct stat st;
		size_t next = end;

		if (end > 1) {
			while (next < len && real[next] != '/')
				next++;
		}
		memcpy(part, real, next);
		part[next] = '\0';
		if (lstat(part, &st) != 0) {
			snprintf(why, whylen, "script '%s': cannot stat '%s': %s", file, part,
				 strerror(errno));
			return -1;
		}
		bad = proc_unsafe_reason(&st, next == len, reason, sizeof(reason));
		if (bad != NULL) {
			snprintf(why, whylen, "unsafe permissions for script '%s': '%s' %s", file,
				 part, bad);
			return -1;
		}
		end = next + 1;
	}
	return 0;
}

static bool proc_runs_as_root(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid == 0 || gid == 0)
		return true;
	if (st->st_uid == 0 && (st->st_mode & S_ISUID) && (st->st_mode & S_IXUSR))
		return true;
	return st->st_gid == 0 && (st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP);
}

struct proc_sec {
	uid_t uid;
	gid_t gid;
	char *why;
	size_t whylen;
	unsigned int depth; /* interpreters followed */
};

static int proc_check_file(const char *file, void *ctx);

/* A script starting "#!INTERPRETER": the interpreter runs too. */
static int proc_check_interpreter(struct proc_sec *s, const char *real)
{
	char line[PATH_MAX + 3], *p, *end;
	FILE *f;
	int rc = 0;

	if (s->depth >= 4)
		return 0;
	f = fopen(real, "re");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL && line[0] == '#' && line[1] == '!') {
		p = line + 2 + strspn(line + 2, " \t");
		end = p + strcspn(p, " \t\r\n");
		*end = '\0';
		if (*p == '/') {
			s->depth++;
			rc = proc_check_file(p, s);
			s->depth--;
		}
	}
	fclose(f);
	return rc;
}

/* One program of the line: when it runs as root, it and every directory
 * above it must be safe, and so must its interpreter. */
static int proc_check_file(const char *file, void *ctx)
{
	struct proc_sec *s = ctx;
	char real[PATH_MAX];
	struct stat st;

	if (realpath(file, real) == NULL || stat(real, &st) != 0) {
		/* Not found: exec reports it when the command cannot escalate. */
		if (s->uid != 0 && s->gid != 0)
			return 0;
		snprintf(s->why, s->whylen, "script '%s' cannot be accessed: %s", file,
			 strerror(errno));
		return -1;
	}
	if (!proc_runs_as_root(&st, s->uid, s->gid))
		return 0;
	if (proc_check_path(real, file, s->why, s->whylen) != 0)
		return -1;
	return proc_check_interpreter(s, real);
}

int proc_security_check(const char *cmdline, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	struct proc_sec s = { uid, gid, why, whylen, 0 };
	int rc = proc_cmd_each_file(cmdline, proc_check_file, &s, why, whylen);

	if (rc == 0)
		return 0;
	/* a line no check can read only matters when it runs as root */
	return rc > 0 && uid != 0 && gid != 0 ? 0 : -1;
}

int proc_check_security(const char *cmdline, uid_t uid, char *why, size_t whylen)
{
	return proc_security_check(cmdline, uid, uid == 0 ? 0 : (gid_t)-1, why, whylen);
}
