/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sharing each VXC's rate among the workers by demand (the workers meter their shares: dp_rate.h).
 * Every 100 ms the control thread looks at how many bytes each worker offered to each VXC and gives
 * each a share in proportion, with a floor so that a worker whose flows just started is not starved
 * until the next look. One worker simply gets the whole rate.
 */
#include <rte_cycles.h>

#include "runtime.h"

#define REBALANCE_MS 100
#define FLOOR_DIVISOR 10 /* each worker keeps at least rate / (10 * workers) */

static void share_out(struct runtime *rt, unsigned v, uint64_t rate)
{
	uint16_t n = rt->shared->n_workers, i;
	uint64_t demand[DP_MAX_WORKERS], total = 0, floor, rest;

	for (i = 0; i < n; i++) {
		uint64_t offered = rt->workers[i]->counters.vxc_offered_bytes[v];

		demand[i] = offered - rt->rate_seen[i][v];
		rt->rate_seen[i][v] = offered;
		total += demand[i];
	}
	floor = n > 1 ? rate / (FLOOR_DIVISOR * n) : 0;
	rest = rate - floor * n;
	for (i = 0; i < n; i++) {
		uint64_t share = total == 0 ? rate / n : floor + (uint64_t)((double)rest * demand[i] / total);

		__atomic_store_n(&rt->workers[i]->rate_share_bps[v], share, __ATOMIC_RELAXED);
	}
}

void rt_rate_rebalance(struct runtime *rt, const struct secnat_config *cfg, bool now)
{
	uint64_t tsc = rte_rdtsc();
	unsigned v;

	if (!now && tsc - rt->rate_last_tsc < rte_get_tsc_hz() / 1000 * REBALANCE_MS)
		return;
	rt->rate_last_tsc = tsc;
	for (v = 0; v < DP_MAX_VXCS; v++)
		share_out(rt, v, v < cfg->n_vxcs ? cfg->vxcs[v].rate_bps : 0);
}
