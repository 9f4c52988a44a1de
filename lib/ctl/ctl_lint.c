/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks of keepalived.conf that need the machine, not just the text: every
 * script's user must exist, and under enable_script_security every script
 * must be safe to run as keepalived decides it (lib/proc). halb -t, the
 * start and every reload run them.
 */
#include "ctl_priv.h"
#include "halb_proc.h"

/* One script of keepalived.conf: its user must exist, and under
 * enable_script_security it must be safe to run (keepalived's rule). */
static void lint_script(const struct cfg_keepalived *k, const char *cmd, const char *user,
			const char *group, const struct cfg_loc *loc, struct cfg_diags *d)
{
	const struct cfg_global *g = &k->global;
	char why[256];
	uid_t uid;
	gid_t gid;

	if (cmd == NULL)
		return;
	if (user == NULL) {
		user = proc_default_user(g->script_user);
		group = g->script_group;
	}
	if (proc_resolve_user(user, group, &uid, &gid, why, sizeof(why)) != 0) {
		cfg_diag_add(d, CFG_ERROR, loc, "script '%s': %s", cmd, why);
		return;
	}
	if (g->enable_script_security && proc_check_security(cmd, uid, why, sizeof(why)) != 0)
		cfg_diag_add(d, CFG_WARNING, loc,
			     "script '%s' will not run (enable_script_security): %s", cmd, why);
}

static void lint_notify(const struct cfg_keepalived *k, const struct cfg_notify *n,
			const struct cfg_loc *loc, struct cfg_diags *d)
{
	const struct cfg_script *const s[] = { &n->master, &n->backup, &n->fault, &n->stop,
					       &n->any };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		lint_script(k, s[i]->cmd, s[i]->user, s[i]->group, loc, d);
}

/* Every script keepalived.conf would run. */
void ctl_lint_scripts(const struct cfg_keepalived *k, struct cfg_diags *d)
{
	for (size_t i = 0; i < k->n_scripts; i++)
		lint_script(k, k->scripts[i].script, k->scripts[i].user, k->scripts[i].group,
			    &k->scripts[i].loc, d);
	for (size_t i = 0; i < k->n_instances; i++)
		lint_notify(k, &k->instances[i].notify, &k->instances[i].loc, d);
	for (size_t i = 0; i < k->n_groups; i++)
		lint_notify(k, &k->groups[i].notify, &k->groups[i].loc, d);
	for (size_t i = 0; i < k->n_vs; i++) {
		const struct cfg_virtual_server *v = &k->vs[i];

		lint_script(k, v->quorum_up.cmd, v->quorum_up.user, v->quorum_up.group, &v->loc, d);
		lint_script(k, v->quorum_down.cmd, v->quorum_down.user, v->quorum_down.group,
			    &v->loc, d);
		for (size_t r = 0; r < v->n_rs; r++) {
			const struct cfg_script *rss[] = { &v->rs[r].notify_up,
							   &v->rs[r].notify_down };

			for (size_t j = 0; j < 2; j++)
				lint_script(k, rss[j]->cmd, rss[j]->user, rss[j]->group,
					    &v->rs[r].loc, d);
			for (size_t c = 0; c < v->rs[r].n_checkers; c++) {
				const struct cfg_checker *ch = &v->rs[r].checkers[c];

				if (ch->type == CFG_CHECK_MISC)
					lint_script(k, ch->misc_path, ch->user, ch->group, &ch->loc,
						    d);
			}
		}
	}
}
