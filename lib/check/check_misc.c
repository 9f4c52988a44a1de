/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MISC_CHECK: run misc_path through lib/proc and read its exit status as
 * keepalived's check_misc.c does:
 * - 0: up (and, with misc_dynamic, back to the configured weight);
 * - misc_dynamic and 2..255: up with weight status - 2;
 * - anything else, being killed at misc_timeout (default: delay_loop), or
 *   dying of a signal: a failed attempt.
 * A script that cannot run at all (not found, unknown user, refused by
 * enable_script_security) is a failed attempt too: nothing vouches for the
 * server.
 */
#include <stdio.h>

#include "check_int.h"

static void check_misc_done(void *ctx, const struct proc_result *res)
{
	struct check *c = ctx;
	char msg[300];

	c->proc = NULL;
	if (res->outcome == PROC_EXITED && res->status == 0) {
		c->dyn_weight = -1;
		check_attempt_done(c, CHECK_PASS, "ok", "exit status 0");
	} else if (res->outcome == PROC_EXITED && c->def.misc_dynamic && res->status >= 2) {
		c->dyn_weight = res->status - 2;
		check_attempt_done(c, CHECK_PASS, "ok", "exit status %d, weight %d", res->status,
				   c->dyn_weight);
	} else if (res->outcome == PROC_TIMEDOUT) {
		check_attempt_done(c, CHECK_FAIL, "timeout", "timeout (killed after %lu ms)",
				   res->elapsed_ms);
	} else {
		proc_result_str(res, msg, sizeof(msg));
		check_attempt_done(c, CHECK_FAIL, msg, NULL);
	}
}

void check_misc_start(struct check *c)
{
	char name[96], target[CHECK_TARGET_STRLEN];
	struct proc_spec spec = {
		.cmdline = c->def.misc_path,
		.timeout_ms =
		    c->def.misc_timeout_ms != 0 ? c->def.misc_timeout_ms : c->def.delay_loop_ms,
		.user = c->def.user,
		.group = c->def.group,
		.script_security = c->def.script_security,
		.name = name,
	};

	snprintf(name, sizeof(name), "MISC_CHECK on %s",
		 check_target_str(c, target, sizeof(target)));
	c->phase = CHECK_SCRIPT;
	c->proc = proc_run(c->e->loop, &spec, check_misc_done, c);
	if (c->proc == NULL)
		check_attempt_done(c, CHECK_LOCAL_ERROR, "cannot start",
				   "cannot start the script (no memory, or not the default loop)");
}

void check_misc_stop(struct check *c)
{
	proc_cancel(c->proc);
	c->proc = NULL;
}
