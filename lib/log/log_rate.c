/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rate limiting of repeated log lines. A flapping checker or a peer sending
 * bad adverts would otherwise fill syslog with the same few lines. Each
 * distinct line (the whole text, so two real servers never share a count)
 * gets a window of window_ms from its first copy; the first `burst` copies
 * in the window are logged, the rest only counted. When the window closes
 * (the next copy after it, log_rate_tick, or the slot being needed for
 * another line) one summary says how many copies were left out, in syslog's
 * own words: "last message repeated N times: LINE".
 *
 * Pure: the caller passes the clock and does the locking, so the unit tests
 * drive it with a fake clock.
 */
#include <stdio.h>
#include <string.h>

#include "halb_log.h"

void log_rate_init(struct log_rate *r, unsigned int burst, uint64_t window_ms)
{
	memset(r, 0, sizeof(*r));
	r->burst = burst;
	r->window_ms = window_ms;
}

/* FNV-1a, never 0 (0 marks a free slot). */
static uint64_t line_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

static void summarise(struct log_rate_slot *s, log_rate_emit_fn emit, void *ctx)
{
	char buf[LOG_RATE_TEXT + 64];

	if (s->suppressed == 0 || emit == NULL)
		return;
	snprintf(buf, sizeof(buf), "last message repeated %u times: %s", s->suppressed, s->text);
	emit(ctx, s->prio, buf);
	s->suppressed = 0;
}

static bool window_closed(const struct log_rate *r, const struct log_rate_slot *s, uint64_t now)
{
	return now - s->since_ms >= r->window_ms;
}

static void slot_start(struct log_rate_slot *s, uint64_t h, const char *line, size_t len, int prio,
		       uint64_t now)
{
	if (len >= sizeof(s->text))
		len = sizeof(s->text) - 1;
	s->hash = h;
	s->since_ms = now;
	s->seen = 0;
	s->suppressed = 0;
	s->prio = prio;
	memcpy(s->text, line, len);
	s->text[len] = '\0';
}

/* The slot following line h, else a free one, else the one whose window
 * started first (its summary goes out before it is reused). */
static struct log_rate_slot *slot_for(struct log_rate *r, uint64_t h, bool *found)
{
	struct log_rate_slot *free_slot = NULL, *oldest = &r->slot[0];

	*found = false;
	for (size_t i = 0; i < LOG_RATE_SLOTS; i++) {
		struct log_rate_slot *s = &r->slot[i];

		if (s->hash == h) {
			*found = true;
			return s;
		}
		if (s->hash == 0 && free_slot == NULL)
			free_slot = s;
		if (s->since_ms < oldest->since_ms)
			oldest = s;
	}
	return free_slot ? free_slot : oldest;
}

bool log_rate_admit(struct log_rate *r, const char *line, size_t len, int prio, uint64_t now_ms,
		    log_rate_emit_fn emit, void *ctx)
{
	uint64_t h = line_hash(line, len);
	bool found;
	struct log_rate_slot *s = slot_for(r, h, &found);

	if (!found || window_closed(r, s, now_ms)) {
		summarise(s, emit, ctx);
		slot_start(s, h, line, len, prio, now_ms);
	}
	if (++s->seen <= r->burst)
		return true;
	s->suppressed++;
	return false;
}

void log_rate_tick(struct log_rate *r, uint64_t now_ms, log_rate_emit_fn emit, void *ctx)
{
	for (size_t i = 0; i < LOG_RATE_SLOTS; i++) {
		struct log_rate_slot *s = &r->slot[i];

		if (s->hash == 0 || !window_closed(r, s, now_ms))
			continue;
		summarise(s, emit, ctx);
		s->hash = 0;
	}
}
