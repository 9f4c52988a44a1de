/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FILE_CHECK: a real server's health and weight from the number in a
 * track_file, with keepalived's rules (track_file.c,
 * process_update_checker_track_file_status):
 * - the file holds a number (strtol, any base; missing, empty or no number
 *   is 0; a number outside the int32 range is ignored and the last one
 *   kept);
 * - weight 0: the checker is down while the number is not 0 (while it is 0
 *   with reverse);
 * - otherwise number * weight (negated with reverse) is added to the real
 *   server's weight (which stays within 0..65535), and the checker is down
 *   only when that product reaches INT_MIN.
 *
 * keepalived watches the file with inotify; halb reads it every second
 * (the checker's round), as it does for VRRP's track_file, and at once when
 * the checker starts so that its first report is the file's verdict: no
 * retry, no alpha. A missing file with init_file reads as its init value
 * the first time (ctl writes the file right after the checkers start).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_int.h"

#define FILE_READ_MAX 128 /* keepalived reads at most this much */

bool check_file_number(const char *text, long *value)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 0);
	if (errno == ERANGE || v < INT32_MIN || v > (long long)INT32_MAX + 1)
		return false;
	*value = end == text ? 0 : (long)v;
	return true;
}

bool check_file_verdict(long number, int weight, bool reverse, long *delta)
{
	long long product;

	*delta = 0;
	if (weight == 0)
		return (number != 0) == reverse;
	product = (long long)number * weight * (reverse ? -1 : 1);
	if (product <= INT_MIN)
		return false;
	*delta = product > INT_MAX ? INT_MAX : (long)product;
	return true;
}

/* The file's number now; false (and *why) when it must be ignored. */
static bool file_read(struct check *c, long *number, char *why, size_t len)
{
	char buf[FILE_READ_MAX];
	int fd = open(c->def.file_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		*number = errno == ENOENT && c->def.file_init && !c->file_known
			      ? c->def.file_init_value
			      : 0;
		snprintf(why, len, "cannot read %s: %s", c->def.file_path, strerror(errno));
		return true;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (!check_file_number(buf, number)) {
		snprintf(why, len, "%s holds no int32 number: ignored", c->def.file_path);
		return false;
	}
	snprintf(why, len, "%s reads %ld", c->def.file_path, *number);
	return true;
}

/* Reads the file; returns whether the checker is up. */
static bool file_judge(struct check *c, char *why, size_t len)
{
	long number, delta;
	bool up;

	if (file_read(c, &number, why, len)) {
		c->file_number = number;
		c->file_known = true;
	}
	up = check_file_verdict(c->file_number, c->def.file_weight, c->def.file_reverse, &delta);
	c->has_file_delta = up && c->def.file_weight != 0;
	c->file_delta = delta;
	return up;
}

void check_file_start(struct check *c)
{
	char why[160];
	char res[64];

	if (file_judge(c, why, sizeof(why))) {
		if (c->has_file_delta)
			check_attempt_done(c, CHECK_PASS, "ok", "%s: weight %+ld", why,
					   c->file_delta);
		else
			check_attempt_done(c, CHECK_PASS, "ok", "%s", why);
		return;
	}
	snprintf(res, sizeof(res), "file reads %ld", c->file_number);
	check_attempt_done(c, CHECK_FAIL, res, "%s", why);
}

void check_file_first(struct check *c)
{
	char why[160];

	c->fsm.up = file_judge(c, why, sizeof(why));
	c->fsm.has_run = true;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	snprintf(c->last_result, sizeof(c->last_result), "%s", c->fsm.up ? "ok" : "file says down");
}
