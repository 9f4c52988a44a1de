/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prints what the dataplane parser knows, for test_man.py: one "GROUP KEY"
 * line per setting (GROUP "top", "ports", "routes", "limits" or "announce") and the default EAL
 * file prefix ("prefix halb"), so halb.cfg(5) is checked against the
 * parser's own list and cannot drift from it.
 */
#include <stdio.h>

#include "halb_config.h"

int main(void)
{
	static const char *const groups[] = { NULL, "ports", "routes", "limits", "announce" };

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const char *const *keys = cfg_dataplane_keys(groups[g]);

		for (size_t i = 0; keys != NULL && keys[i] != NULL; i++)
			printf("%s %s\n", groups[g] ? groups[g] : "top", keys[i]);
	}
	printf("prefix %s\n", CFG_DEFAULT_FILE_PREFIX);
	return 0;
}
