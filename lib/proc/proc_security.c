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

int proc_resolve_user(const char *user, const char *group, uid_t *uid, gid_t *gid, char *why,
		      size_t whylen)
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
	struct passwd pw, *res = NULL;
	char buf[PROC_NSS_BUF_MIN * 4];

	if (script_user != NULL)
		return script_user;
	if (getpwnam_r("keepalived_script", &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
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

int proc_security_check(const char *cmdline, uid_t uid, gid_t gid, char *why, size_t whylen)
{
	char file[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (proc_cmd_file(cmdline, file, sizeof(file), why, whylen) != 0)
		return uid == 0 || gid == 0 ? -1 : 0;
	if (realpath(file, real) == NULL || stat(real, &st) != 0) {
		/* Not found: exec reports it when the command cannot escalate. */
		if (uid != 0 && gid != 0)
			return 0;
		snprintf(why, whylen, "script '%s' cannot be accessed: %s", file, strerror(errno));
		return -1;
	}
	if (!proc_runs_as_root(&st, uid, gid))
		return 0;
	return proc_check_path(real, file, why, whylen);
}

int proc_check_security(const char *cmdline, uid_t uid, char *why, size_t whylen)
{
	return proc_security_check(cmdline, uid, uid == 0 ? 0 : (gid_t)-1, why, whylen);
}
