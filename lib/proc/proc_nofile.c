/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RLIMIT_NOFILE sized from what the configuration needs, as keepalived's
 * set_max_file_limit() does for its checker and VRRP processes: each
 * checker holds a socket while it runs, each running script a few pipes in
 * halb (its exec-error pipe, its output pipe, /dev/null while it starts).
 * halb is one process, so the users of descriptors say what they need
 * (proc_nofile_need) and the soft limit becomes the limit halb started with
 * plus the sum, raising the hard limit too when that is allowed (root). A
 * descriptor that still cannot be had is a failed check (lib/check) or a
 * script that could not run, never a pass.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "proc_int.h"

static rlim_t proc_nofile_base; /* the soft limit at the first call */
static unsigned int proc_nofile_needs[PROC_NOFILE_USERS];

int proc_nofile_need(enum proc_nofile_user who, unsigned int fds)
{
	struct rlimit rl;
	rlim_t want = 0;

	if ((unsigned int)who >= PROC_NOFILE_USERS || getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	if (proc_nofile_base == 0)
		proc_nofile_base = rl.rlim_cur;
	proc_nofile_needs[who] = fds;
	want = proc_nofile_base;
	for (int i = 0; i < PROC_NOFILE_USERS; i++)
		want += proc_nofile_needs[i];
	if (rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
		struct rlimit raised = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
			HALB_LOG(proc, INFO, "open file limit raised to %llu",
				 (unsigned long long)want);
			return 0;
		}
		rl.rlim_cur = rl.rlim_max; /* as far as we may */
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		HALB_LOG(proc, WARNING, "cannot raise the open file limit to %llu: %s",
			 (unsigned long long)want, strerror(errno));
		return -1;
	}
	if (rl.rlim_cur < want) {
		HALB_LOG(proc, WARNING,
			 "open file limit %llu, below the %llu the configuration may need: "
			 "checks that find no descriptor fail",
			 (unsigned long long)rl.rlim_cur, (unsigned long long)want);
		return -1;
	}
	HALB_LOG(proc, INFO, "open file limit raised to %llu", (unsigned long long)want);
	return 0;
}
