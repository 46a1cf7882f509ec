/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running appliance's side of NAT event logging: each worker's event ring drained on every turn
 * of the control loop, the workers' TSC stamps turned into wall-clock milliseconds, the events handed
 * to the exporters.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>

#include "clock.h"
#include "log.h"
#include "natlog.h"
#include "runtime.h"

/* Events taken from one worker per loop turn: 8 per µs of a 1 ms turn, and the ring holds 64 ms. */
#define DRAIN_BURST 256
#define DRAIN_MAX 8192
#define CALIBRATE_MS 1000

int rt_natlog_ring_create(uint16_t worker, struct rte_ring **ring)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "natlog%u", worker);
	*ring = rte_ring_create_elem(name, sizeof(struct nat_event), RT_NATLOG_RING, (int)rte_socket_id(),
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	return *ring == NULL ? -ENOMEM : 0;
}

/* A fresh pair of (TSC, wall clock) readings: the wall clock may be stepped or slewed by NTP. And
 * milliseconds per TSC tick as a 32.32 fixed-point factor: a multiply per event, not a division. */
static void calibrate(struct runtime *rt)
{
	rt->natlog_clock_tsc = rte_rdtsc();
	rt->natlog_clock_ms = realtime_ms();
	rt->natlog_ms_per_tsc = (1000ull << 32) / rte_get_tsc_hz();
}

int rt_natlog_start(struct runtime *rt)
{
	char err[256];
	int ret;

	rt->natlog = natlog_create();
	if (rt->natlog == NULL)
		return -ENOMEM;
	calibrate(rt);
	ret = natlog_apply(rt->natlog, &rt->cfg, rt->natlog_clock_ms, err, sizeof(err));
	if (ret != 0)
		log_msg(LOG_ERR, "%s", err);
	return ret;
}

int rt_natlog_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len)
{
	return natlog_apply(rt->natlog, cfg, realtime_ms(), err, err_len);
}

/* Events are at most a few seconds from the calibration: delta * factor stays far within 63 bits. */
static uint64_t tsc_to_ms(const struct runtime *rt, uint64_t tsc)
{
	int64_t delta = (int64_t)(tsc - rt->natlog_clock_tsc);

	return rt->natlog_clock_ms + (uint64_t)((delta * (int64_t)rt->natlog_ms_per_tsc) >> 32);
}

void rt_natlog_poll(struct runtime *rt)
{
	struct nat_event ev[DRAIN_BURST];
	uint64_t now_ms = realtime_ms();
	uint16_t i;

	if (rt->natlog == NULL)
		return;
	for (i = 0; i < rt->shared->n_workers; i++) {
		struct rte_ring *ring = rt->workers[i]->nat.log.ring;
		unsigned n, k, taken = 0;

		do {
			n = rte_ring_sc_dequeue_burst_elem(ring, ev, sizeof(ev[0]), DRAIN_BURST, NULL);
			for (k = 0; k < n; k++)
				ev[k].time_ms = tsc_to_ms(rt, ev[k].tsc);
			natlog_events(rt->natlog, ev, n, now_ms);
			taken += n;
		} while (n == DRAIN_BURST && taken < DRAIN_MAX);
	}
	natlog_poll(rt->natlog, now_ms);
	if (now_ms - rt->natlog_clock_ms >= CALIBRATE_MS)
		calibrate(rt);
}

void rt_natlog_stop(struct runtime *rt)
{
	if (rt->natlog == NULL)
		return;
	rt_natlog_poll(rt); /* what the workers reported before they stopped */
	natlog_destroy(rt->natlog);
	rt->natlog = NULL;
}
