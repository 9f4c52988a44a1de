/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet fixtures: hostile traffic (the scene is in scene.h).
 */
#include "scene.h"

const struct fixture pkt_hostile_fixtures[] = {
	{ NULL, 0, NULL },
};
const size_t pkt_hostile_n = 0;
