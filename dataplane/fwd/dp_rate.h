/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-VXC rate limit on the way to the A-end. Megaport polices each VXC at its ordered rate;
 * secnat holds traffic to it so that what exceeds is dropped here, counted, rather than at random
 * in the provider's network.
 *
 * No shared state between workers: each worker meters its own share of the VXC's rate with a token
 * bucket (what srTCM's committed bucket is; a frame leaves if the bucket holds its bytes). The
 * control thread sets the shares from the workers' demand (rt_rate.c); a worker sets its bucket up
 * again when its share changes.
 *
 * Not rte_meter: its check divides the time since the last packet by the refill period, a 64-bit
 * division for every packet. Here the bucket is refilled once per loop turn (every packet of a
 * turn carries the turn's TSC) by a multiplication, and a packet only compares and subtracts.
 */
#pragma once

#include <rte_cycles.h>

#include "dp.h"

/* A share's burst: this long at its rate, and never less than two full tagged frames. */
#define DP_RATE_BURST_US 10000
#define DP_RATE_MIN_BURST (2 * 1522)

static inline void dp_rate_configure(struct dp_rate *r, uint64_t share_bps, uint64_t now_tsc)
{
	uint64_t bytes_per_s = share_bps / 8;

	r->share_bps = share_bps;
	r->burst = RTE_MAX(bytes_per_s * DP_RATE_BURST_US / 1000000, (uint64_t)DP_RATE_MIN_BURST);
	/* 5 Gbit/s is 625 MB/s: shifted by 32 it still fits 64 bits many times over. */
	r->bytes_per_tsc = (bytes_per_s << 32) / rte_get_tsc_hz();
	r->tokens = r->burst << 32;
	r->refill_tsc = now_tsc;
}

/* Takes `bytes` (frames as they will be on the wire, VLAN tags included) from `vxc`'s bucket; false,
 * taking nothing, when it does not hold them all. Offered bytes are the caller's to count. */
static inline bool dp_rate_take(struct dp_worker *w, uint16_t vxc, uint32_t bytes)
{
	struct dp_rate *r = &w->rate[vxc];
	uint64_t share = __atomic_load_n(&w->rate_share_bps[vxc], __ATOMIC_RELAXED);

	if (unlikely(share != r->share_bps))
		dp_rate_configure(r, share, w->tsc);
	if (r->share_bps == 0)
		return true;
	if (r->refill_tsc != w->tsc) {
		uint64_t elapsed = w->tsc - r->refill_tsc;

		/* A second or more idle fills any bucket (and keeps the product below 2^64). */
		if (elapsed >= rte_get_tsc_hz())
			r->tokens = r->burst << 32;
		else
			r->tokens = RTE_MIN(r->burst << 32, r->tokens + elapsed * r->bytes_per_tsc);
		r->refill_tsc = w->tsc;
	}
	if (r->tokens < (uint64_t)bytes << 32)
		return false;
	r->tokens -= (uint64_t)bytes << 32;
	return true;
}

/* May a frame of `bytes` (as it will be on the wire, VLAN tag included) leave through `vxc` now? */
static inline bool dp_rate_allows(struct dp_worker *w, uint16_t vxc, uint32_t bytes)
{
	w->counters.vxc_offered_bytes[vxc] += bytes;
	return dp_rate_take(w, vxc, bytes);
}
