/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pure rules of health checking: what one attempt's result does to a
 * checker (check_fsm_*) and what the weights of the live real servers do to
 * a virtual server's quorum (check_quorum_*). No clock, no I/O: the engine
 * passes the time in, tests pass a fake one.
 *
 * The checker rules are keepalived's (check_tcp.c tcp_epilog, check_http.c
 * epilog, check_data.c): while up, retry failed attempts `retry` times every
 * delay_before_retry and go down on the (retry+1)-th consecutive failure;
 * at start-up one failure is enough ("retry_it = retry"); one success brings
 * a checker up; a checker that is down is probed every delay_loop.
 */
#include "halb_check.h"

void check_fsm_init(struct check_fsm *f, unsigned int retry, uint64_t delay_loop_ms,
		    uint64_t delay_before_retry_ms, bool alpha, uint64_t first_ms)
{
	f->up = !alpha;
	f->has_run = false;
	f->failures = 0;
	f->next_ms = first_ms;
	check_fsm_set_timing(f, retry, delay_loop_ms, delay_before_retry_ms);
}

void check_fsm_set_timing(struct check_fsm *f, unsigned int retry, uint64_t delay_loop_ms,
			  uint64_t delay_before_retry_ms)
{
	f->retry = retry;
	f->delay_loop_ms = delay_loop_ms;
	f->delay_before_retry_ms = delay_before_retry_ms;
}

static enum check_fsm_event check_fsm_success(struct check_fsm *f, uint64_t now_ms)
{
	f->failures = 0;
	f->next_ms = now_ms + f->delay_loop_ms;
	if (f->up)
		return CHECK_FSM_OK;
	f->up = true;
	return CHECK_FSM_UP;
}

static enum check_fsm_event check_fsm_failure(struct check_fsm *f, bool first, uint64_t now_ms)
{
	if (f->failures < UINT32_MAX)
		f->failures++;
	if (!f->up) {
		f->next_ms = now_ms + f->delay_loop_ms;
		return CHECK_FSM_FAILED;
	}
	if (!first && f->failures <= f->retry) {
		f->next_ms = now_ms + f->delay_before_retry_ms;
		return CHECK_FSM_RETRY;
	}
	f->up = false;
	f->next_ms = now_ms + f->delay_loop_ms;
	return CHECK_FSM_DOWN;
}

enum check_fsm_event check_fsm_step(struct check_fsm *f, bool ok, uint64_t now_ms)
{
	bool first = !f->has_run;

	f->has_run = true;
	return ok ? check_fsm_success(f, now_ms) : check_fsm_failure(f, first, now_ms);
}

int64_t check_quorum_threshold(unsigned int quorum, unsigned int hysteresis, bool was_up)
{
	return was_up ? (int64_t)quorum - (int64_t)hysteresis
		      : (int64_t)quorum + (int64_t)hysteresis;
}

bool check_quorum_eval(uint64_t up_weight_sum, unsigned int quorum, unsigned int hysteresis,
		       bool was_up)
{
	int64_t threshold = check_quorum_threshold(quorum, hysteresis, was_up);
	int64_t sum = up_weight_sum > INT64_MAX ? INT64_MAX : (int64_t)up_weight_sum;

	if (!was_up)
		return sum >= threshold;
	/* keepalived also loses quorum when nothing is left, whatever the
	 * threshold ("!weight_sum || weight_sum < threshold"). */
	return sum != 0 && sum >= threshold;
}
