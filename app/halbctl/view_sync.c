/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection sync daemon (/halb/sync): how it is set up, its role, and
 * what it sent and received, as label/value blocks.
 */
#include <stdlib.h>

#include "fmt.h"
#include "views.h"

void view_sync(FILE *out, const json_t *sync)
{
	static const struct kv_field setup[] = {
		{ "role", "Role", KV_PLAIN },         { "interface", "Interface", KV_PLAIN },
		{ "instance", "Instance", KV_PLAIN }, { "syncid", "Sync id", KV_PLAIN },
		{ "group", "Group", KV_PLAIN },       { "port", "Port", KV_PLAIN },
		{ "ttl", "TTL", KV_PLAIN },           { "maxlen", "Message size", KV_PLAIN },
	};
	static const struct kv_field sent[] = {
		{ "messages", "Messages", KV_PLAIN },
		{ "conns", "Connections", KV_PLAIN },
		{ "bytes", "Bytes", KV_PLAIN },
		{ "refreshed", "Refreshed", KV_PLAIN },
		{ "events", "Worker reports", KV_PLAIN },
		{ "events_dropped", "Reports lost", KV_PLAIN },
		{ "rate_limited", "Rate-limited", KV_PLAIN },
		{ "requests", "Resync requests", KV_PLAIN },
	};
	static const struct kv_field received[] = {
		{ "messages", "Messages", KV_PLAIN },
		{ "conns", "Connections", KV_PLAIN },
		{ "installed", "Installed", KV_PLAIN },
		{ "replaced", "Replaced (other server)", KV_PLAIN },
		{ "refreshed", "Refreshed", KV_PLAIN },
		{ "templates", "Templates", KV_PLAIN },
		{ "kept_local", "Kept local", KV_PLAIN },
		{ "ignored", "Ignored (no such server)", KV_PLAIN },
		{ "skipped", "Skipped (unsupported)", KV_PLAIN },
		{ "refused", "Refused (table full)", KV_PLAIN },
		{ "dropped", "Dropped (ring full)", KV_PLAIN },
		{ "as_master", "Received as MASTER", KV_PLAIN },
		{ "requests", "Resync requests", KV_PLAIN },
	};
	char *errors;

	if (jv_bool(sync, "configured") != 1) {
		fprintf(out,
			"Connection sync is not configured (lvs_sync_daemon in global_defs).\n");
		return;
	}
	kv_print(out, sync, setup, sizeof(setup) / sizeof(setup[0]), "ll", "");
	fprintf(out, "Sent:\n");
	kv_print(out, json_object_get(sync, "sent"), sent, sizeof(sent) / sizeof(sent[0]), "lr",
		 "  ");
	fprintf(out, "Received:\n");
	kv_print(out, json_object_get(sync, "received"), received,
		 sizeof(received) / sizeof(received[0]), "lr", "  ");
	errors = fmt_pairs(json_object_get(json_object_get(sync, "received"), "errors"), " ", ", ",
			   "none");
	fprintf(out, "  Refused messages    %s\n", errors);
	free(errors);
}
