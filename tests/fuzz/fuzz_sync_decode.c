/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for lib/sync's decoder: any datagram is decoded without
 * reading past it; what was decoded, written again and decoded again, is
 * the same connections (the writer and the reader agree).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "halb_sync.h"

#define MAX 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sync_conn out[MAX], again[MAX];
	static uint8_t buf[65535];
	struct sync_msg m, m2;
	struct sync_writer w;
	uint8_t *copy;
	unsigned int written = 0;

	/* An exact-size copy: ASan sees any read past the datagram. */
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (sync_decode(copy, size, 0, &m, out, MAX) != SYNC_OK || m.request) {
		free(copy);
		return 0;
	}
	free(copy);
	sync_writer_init(&w, buf, sizeof(buf), m.syncid);
	for (unsigned int i = 0; i < m.n; i++)
		if (sync_writer_add(&w, &out[i]))
			written++;
	sync_writer_finish(&w);
	if (sync_decode(buf, w.len, m.syncid, &m2, again, MAX) != SYNC_OK || m2.n != written ||
	    memcmp(out, again, written * sizeof(out[0])) != 0) {
		fprintf(stderr, "fuzz_sync_decode: %u written, %u read back differently\n", written,
			m2.n);
		abort();
	}
	return 0;
}
