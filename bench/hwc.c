/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hardware counters, as `perf stat` reads them: cycles, instructions,
 * last-level cache misses, L1d load misses and dTLB load misses of the
 * worker thread, user space only, through perf_event_open(2). They are
 * enabled around each worker round of one extra run per row (the ioctls
 * would disturb the timed runs), so they count fwd_worker_poll and nothing
 * the harness does between rounds.
 *
 * A virtual machine often exposes no PMU: perf_event_open then fails with
 * ENOENT or EOPNOTSUPP, the counters are not printed at all (never zeros),
 * and the output says why.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "traffic.h"

#define CACHE_MISS(cache) \
	((cache) | PERF_COUNT_HW_CACHE_OP_READ << 8 | PERF_COUNT_HW_CACHE_RESULT_MISS << 16)

/* What perf stat calls them, and how perf_event_open asks for them. */
static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} hw_events[HW_COUNT] = {
	[HW_CYCLES] = { "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	[HW_INSTRUCTIONS] = { "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	[HW_CACHE_MISSES] = { "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	[HW_L1D_MISSES] = { "L1-dcache-load-misses", PERF_TYPE_HW_CACHE,
			    CACHE_MISS(PERF_COUNT_HW_CACHE_L1D) },
	[HW_DTLB_MISSES] = { "dTLB-load-misses", PERF_TYPE_HW_CACHE,
			     CACHE_MISS(PERF_COUNT_HW_CACHE_DTLB) },
};

const char *bench_hw_name(enum bench_hw_event e)
{
	return e < HW_COUNT ? hw_events[e].name : "?";
}

static int event_open(enum bench_hw_event e)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.type = hw_events[e].type;
	a.config = hw_events[e].config;
	/* this thread, any CPU */
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

bool hwc_open(struct hwc *h, char *why, size_t len)
{
	int err = 0;

	h->any = false;
	for (unsigned int e = 0; e < HW_COUNT; e++) {
		h->fd[e] = event_open(e);
		if (h->fd[e] >= 0)
			h->any = true;
		else if (err == 0)
			err = errno;
	}
	if (!h->any)
		snprintf(why, len, "perf_event_open(%s): %s: %s", hw_events[HW_CYCLES].name,
			 strerror(err),
			 err == EACCES || err == EPERM
			     ? "not allowed (kernel.perf_event_paranoid, or run as root)"
			     : "the CPU exposes no hardware counters (as a VM often does)");
	return h->any;
}

void hwc_enable(struct hwc *h)
{
	for (unsigned int e = 0; e < HW_COUNT; e++)
		if (h->fd[e] >= 0)
			ioctl(h->fd[e], PERF_EVENT_IOC_ENABLE, 0);
}

void hwc_disable(struct hwc *h)
{
	for (unsigned int e = 0; e < HW_COUNT; e++)
		if (h->fd[e] >= 0)
			ioctl(h->fd[e], PERF_EVENT_IOC_DISABLE, 0);
}

void hwc_read(const struct hwc *h, uint64_t out[HW_COUNT])
{
	for (unsigned int e = 0; e < HW_COUNT; e++) {
		out[e] = UINT64_MAX; /* not counted */
		if (h->fd[e] >= 0 && read(h->fd[e], &out[e], sizeof(out[e])) != sizeof(out[e]))
			out[e] = UINT64_MAX;
	}
}

void hwc_close(struct hwc *h)
{
	for (unsigned int e = 0; e < HW_COUNT; e++) {
		if (h->fd[e] >= 0)
			close(h->fd[e]);
		h->fd[e] = -1;
	}
	h->any = false;
}

bool bench_hw_probe(struct bench *b)
{
	struct hwc h;
	if (!hwc_open(&h, b->hw_note, sizeof(b->hw_note)))
		return false;
	hwc_close(&h);
	b->hw_note[0] = '\0';
	return true;
}
