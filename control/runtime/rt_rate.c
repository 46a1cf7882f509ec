/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sharing each VXC's rate among the workers by demand (the workers meter their shares: dp_rate.h).
 * Every 100 ms the control thread looks at how many bytes each worker offered to each VXC and divides
 * the rate in proportion. A worker that offered nothing keeps a sliver (a thousandth of the rate) so
 * that a flow starting on it is not cut off until the next look, while the others lose almost
 * nothing of the rate. One worker simply gets the whole rate.
 */
#include <rte_cycles.h>

#include "runtime.h"

#define REBALANCE_MS 100
#define IDLE_SHARE_DIVISOR 1000

static void share_out(struct runtime *rt, unsigned v, uint64_t rate)
{
	uint16_t n = rt->shared->n_workers, i;
	uint64_t demand[DP_MAX_WORKERS], total = 0, idle, rest;
	unsigned n_idle = 0;

	for (i = 0; i < n; i++) {
		uint64_t offered = rt->workers[i]->counters.vxc_offered_bytes[v];

		demand[i] = offered - rt->rate_seen[i][v];
		rt->rate_seen[i][v] = offered;
		total += demand[i];
	}
	idle = rate / IDLE_SHARE_DIVISOR;
	for (i = 0; i < n; i++)
		if (demand[i] == 0)
			n_idle++;
	rest = rate - idle * n_idle;
	for (i = 0; i < n; i++) {
		uint64_t share;

		if (n == 1)
			share = rate;
		else if (total == 0)
			share = rate / n;
		else
			share = demand[i] == 0 ? idle : (uint64_t)((double)rest * demand[i] / total);
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
