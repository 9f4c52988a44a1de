/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control core says to the outside world about events: notify
 * scripts (run as keepalived runs them: script_user, script security,
 * asynchronously, their failure logged) and mail alerts (from
 * notification_email_from to every notification_email through smtp_server).
 * VRRP transitions and health changes both speak through here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_priv.h"
#include "halb_notify.h"
#include "halb_proc.h"

static void script_done(void *ctx, const struct proc_result *res)
{
	char buf[160];

	if (res->outcome != PROC_EXITED || res->status != 0)
		HALB_LOG(ctl, WARNING, "notify script %s: %s", (const char *)ctx,
			 proc_result_str(res, buf, sizeof(buf)));
	free(ctx);
}

void ctl_run_script(struct ctl *c, const struct cfg_script *s, const char *const *args,
		    size_t n_args)
{
	const struct cfg_global *g = &c->k->global;
	struct proc_spec spec = { .cmdline = s->cmd,
				  .args = args,
				  .n_args = n_args,
				  /* its own USER [GROUP], else script_user */
				  .user =
				      s->user != NULL ? s->user : proc_default_user(g->script_user),
				  .group = s->user != NULL ? s->group : g->script_group,
				  .script_security = g->enable_script_security };
	char *name;

	if (s->cmd == NULL)
		return;
	name = strdup(s->cmd);
	if (name != NULL && proc_run(c->loop, &spec, script_done, name) == NULL)
		free(name);
}

static const char *hostname(void)
{
	static char host[128];

	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	return host;
}

const char *ctl_router_id(const struct ctl *c)
{
	return c->k->global.router_id != NULL ? c->k->global.router_id : hostname();
}

void ctl_mail(struct ctl *c, const char *subject, const char *text)
{
	const struct cfg_global *g = &c->k->global;
	char body[768], date[64], from[256];

	if (!g->has_smtp_server || g->n_notification_email == 0)
		return;
	notify_mail_date(date, sizeof(date));
	snprintf(body, sizeof(body), "%s: %s\n", date, text);
	if (g->notification_email_from != NULL)
		snprintf(from, sizeof(from), "%s", g->notification_email_from);
	else
		snprintf(from, sizeof(from), "keepalived@%s", hostname());
	notify_mail_send(&(struct notify_mail){ .server = g->smtp_server,
						.port = g->smtp_port,
						.timeout_ms = g->smtp_connect_timeout_ms,
						.helo = g->smtp_helo_name,
						.from = from,
						.to = (const char *const *)g->notification_email,
						.n_to = g->n_notification_email,
						.subject = subject,
						.body = body });
}
