/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The counters the operator reads, added up over the workers (each writes its own; a reader accepts a
 * slightly stale value) and less the baseline of the last "clear stats". The console and telemetry
 * both read them here, so they always agree.
 */
#include <string.h>

#include "runtime.h"

static uint64_t worker_drops(const struct dp_worker *w)
{
	uint64_t n = 0;
	unsigned r;

	for (r = 0; r < PKT_DROP_MAX; r++)
		n += w->nat.stats.drops[r];
	return n;
}

void rt_stats_nat(const struct runtime *rt, struct rt_nat_totals *t)
{
	uint64_t hold_full, hold_timeout;
	unsigned i, r;

	*t = (struct rt_nat_totals){0};
	for (i = 0; i < rt->shared->n_workers; i++) {
		const struct nat_worker *n = &rt->workers[i]->nat;

		t->sessions += n->live_sessions;
		t->created += n->stats.created;
		t->expired += n->stats.expired;
		for (r = 0; r < PKT_DROP_MAX; r++)
			t->drops[r] += n->stats.drops[r];
		t->frags_held += n->frags.held;
		t->embryonic_reclaimed += n->stats.embryonic_reclaimed;
		t->rerouted += n->stats.rerouted;
		t->log_events += n->stats.log_events;
		t->log_dropped += n->stats.log_dropped;
		t->fragmented += rt->workers[i]->counters.fragmented;
		t->frag_needed_sent += rt->workers[i]->counters.frag_needed_sent;
	}
	t->mbufs = rt->shared->pool->size;
	t->mbufs_in_use = rte_mempool_in_use_count(rt->shared->pool);
	t->fragmented -= rt->baseline.fragmented;
	t->embryonic_reclaimed -= rt->baseline.embryonic_reclaimed;
	t->rerouted -= rt->baseline.rerouted;
	t->log_events -= rt->baseline.log_events;
	t->log_dropped -= rt->baseline.log_dropped;
	t->frag_needed_sent -= rt->baseline.frag_needed_sent;
	/* The hold queue is the control thread's: its drops are counted here, not by a worker. */
	rt_neigh_hold_counts(rt, &hold_full, &hold_timeout, &t->neighbor_held);
	t->drops[PKT_DROP_neighbor_hold_full] += hold_full;
	t->drops[PKT_DROP_neighbor_hold_timeout] += hold_timeout;
	t->neighbor_held -= rt->baseline.neighbor_held;
	t->created -= rt->baseline.created;
	t->expired -= rt->baseline.expired;
	for (r = 0; r < PKT_DROP_MAX; r++)
		t->drops[r] -= rt->baseline.drops[r];
}

int rt_stats_port(const struct runtime *rt, uint16_t port, struct rt_port_totals *t)
{
	struct rte_eth_stats st;
	unsigned i;

	*t = (struct rt_port_totals){0};
	if (rte_eth_stats_get(port, &st) != 0)
		return -1;
	for (i = 0; i < rt->shared->n_workers; i++)
		t->tx_dropped += rt->workers[i]->counters.tx_dropped[port];
	t->rx_packets = st.ipackets - rt->baseline.port[port].ipackets;
	t->tx_packets = st.opackets - rt->baseline.port[port].opackets;
	t->rx_dropped = st.imissed + st.ierrors + st.rx_nombuf - rt->baseline.port[port].rx_dropped;
	t->tx_dropped += st.oerrors - rt->baseline.port[port].tx_dropped;
	return 0;
}

void rt_stats_vxc(const struct runtime *rt, unsigned vxc, struct rt_vxc_totals *t)
{
	unsigned i;

	*t = (struct rt_vxc_totals){0};
	for (i = 0; i < rt->shared->n_workers; i++) {
		t->tx_packets += rt->workers[i]->counters.vxc_tx[vxc];
		t->rate_dropped += rt->workers[i]->counters.vxc_rate_dropped[vxc];
	}
	t->tx_packets -= rt->baseline.vxc_tx[vxc];
	t->rate_dropped -= rt->baseline.vxc_rate_dropped[vxc];
}

void rt_stats_worker(const struct runtime *rt, unsigned worker, struct rt_worker_totals *t)
{
	const struct dp_worker *w = rt->workers[worker];
	uint64_t cycles = w->counters.busy_cycles - rt->baseline.worker_cycles[worker];

	t->packets = w->counters.packets - rt->baseline.worker_packets[worker];
	t->drops = worker_drops(w) - rt->baseline.worker_drops[worker];
	t->cycles_per_packet = t->packets ? cycles / t->packets : 0;
	t->handoffs = w->counters.handoffs - rt->baseline.worker_handoffs[worker];
}

/* "clear stats": what the counters read now becomes zero. */
void rt_stats_clear(struct runtime *rt)
{
	struct rt_nat_totals nat;
	unsigned i, r;
	uint16_t p;

	memset(&rt->baseline, 0, sizeof(rt->baseline));
	rt_stats_nat(rt, &nat);
	rt->baseline.created = nat.created;
	rt->baseline.expired = nat.expired;
	rt->baseline.neighbor_held = nat.neighbor_held;
	rt->baseline.fragmented = nat.fragmented;
	rt->baseline.embryonic_reclaimed = nat.embryonic_reclaimed;
	rt->baseline.rerouted = nat.rerouted;
	rt->baseline.log_events = nat.log_events;
	rt->baseline.log_dropped = nat.log_dropped;
	rt->baseline.frag_needed_sent = nat.frag_needed_sent;
	for (r = 0; r < PKT_DROP_MAX; r++)
		rt->baseline.drops[r] = nat.drops[r];
	for (i = 0; i < rt->shared->n_workers; i++) {
		const struct dp_worker *w = rt->workers[i];

		rt->baseline.worker_packets[i] = w->counters.packets;
		rt->baseline.worker_cycles[i] = w->counters.busy_cycles;
		rt->baseline.worker_drops[i] = worker_drops(w);
		rt->baseline.worker_handoffs[i] = w->counters.handoffs;
	}
	for (i = 0; i < DP_MAX_VXCS; i++) {
		struct rt_vxc_totals v;

		rt_stats_vxc(rt, i, &v);
		rt->baseline.vxc_tx[i] = v.tx_packets;
		rt->baseline.vxc_rate_dropped[i] = v.rate_dropped;
	}
	for (p = 0; p < rt->shared->n_ports && p < DP_MAX_PORTS; p++) {
		struct rt_port_totals t;

		if (rt_stats_port(rt, p, &t) != 0)
			continue;
		rt->baseline.port[p].ipackets = t.rx_packets;
		rt->baseline.port[p].opackets = t.tx_packets;
		rt->baseline.port[p].rx_dropped = t.rx_dropped;
		rt->baseline.port[p].tx_dropped = t.tx_dropped;
	}
}
