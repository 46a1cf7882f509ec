/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-VXC rate limit on the way to the A-end. Megaport polices each VXC at its ordered rate;
 * secnat holds traffic to it so that what exceeds is dropped here, counted, rather than at random
 * in the provider's network.
 *
 * No shared state between workers: each worker meters its own share of the VXC's rate with DPDK's
 * srTCM meter (green passes, anything else is dropped). The control thread sets the shares from the
 * workers' demand (rt_rate.c); a worker rebuilds its meter profile when its share changes.
 */
#pragma once

#include <rte_cycles.h>
#include <rte_meter.h>

#include "dp.h"

/* A share's burst: this long at its rate, and never less than two full tagged frames. */
#define DP_RATE_BURST_US 10000
#define DP_RATE_MIN_BURST (2 * 1522)

static inline void dp_rate_configure(struct dp_rate *r, uint64_t share_bps)
{
	struct rte_meter_srtcm_params params = {
		.cir = share_bps / 8,
		.cbs = RTE_MAX(share_bps / 8 * DP_RATE_BURST_US / 1000000, (uint64_t)DP_RATE_MIN_BURST),
		.ebs = 0,
	};

	r->share_bps = share_bps;
	if (rte_meter_srtcm_profile_config(&r->profile, &params) != 0 ||
	    rte_meter_srtcm_config(&r->meter, &r->profile) != 0)
		r->share_bps = 0; /* cannot meter: let traffic through rather than drop all of it */
}

/* May a frame of `bytes` (as it will be on the wire, VLAN tag included) leave through `vxc` now? */
static inline bool dp_rate_allows(struct dp_worker *w, uint16_t vxc, uint32_t bytes)
{
	struct dp_rate *r = &w->rate[vxc];
	uint64_t share = __atomic_load_n(&w->rate_share_bps[vxc], __ATOMIC_RELAXED);

	w->counters.vxc_offered_bytes[vxc] += bytes;
	if (share != r->share_bps)
		dp_rate_configure(r, share);
	if (r->share_bps == 0)
		return true;
	return rte_meter_srtcm_color_blind_check(&r->meter, &r->profile, w->tsc, bytes) == RTE_COLOR_GREEN;
}
