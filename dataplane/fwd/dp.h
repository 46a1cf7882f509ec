/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding dataplane: what the control thread publishes to the workers, and the workers.
 *
 * Control -> workers: a dp_config (replaced whole, never modified once published: the old one is
 * freed after an RCU QSBR grace period), the FIB (rte_lpm with RCU), the adjacency table (entries
 * are appended, never changed), the neighbour table (dp_neigh.h), and a
 * per-worker inject ring of frames to send. Workers -> control: per-worker punt rings of frames the
 * control thread must see, one per class (BGP for the control plane's kernel, ARP for learning;
 * dp_punt.c), and a per-worker ring of resolution requests.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_lpm.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_neigh.h"
#include "nat_worker.h"

#define DP_MAX_PORTS 16
#define DP_MAX_VXCS 64
#define DP_MAX_ADJ 1024
#define DP_MAX_WORKERS 16
#define DP_MAX_EXEMPTS 64
#define DP_BURST 32
#define DP_NO_VXC 0xffff

enum dp_role {
	DP_ROLE_NONE,
	DP_ROLE_LAN,
	DP_ROLE_AEND,
	DP_ROLE_INTERNET,
};

struct dp_port {
	uint8_t role;      /* enum dp_role */
	bool has_addr;
	rte_be32_t addr;   /* the appliance's own address on a lan/internet port */
	uint16_t mtu;
	struct rte_ether_addr mac;
	uint16_t untagged_vxc;        /* DP_NO_VXC, or the VXC of untagged frames */
	uint16_t vlan_vxc[4096];      /* A-end: VLAN ID -> VXC, DP_NO_VXC when none */
};

struct dp_vxc {
	bool used;
	uint16_t port;
	uint16_t vlan;     /* 0: untagged */
	rte_be32_t local;  /* our /31 address: answers ARP and ping, and is the default NAT address */
	rte_be32_t peer;
	bool bgp;          /* a BGP session runs with the peer: its TCP 179 is punted (dp_punt.c) */
	rte_be32_t pool_first; /* host order; the NAT pool (the /31 address when none is configured) */
	uint32_t pool_count;
};

struct dp_config {
	struct dp_port ports[DP_MAX_PORTS];
	uint16_t lan_mtu; /* the smallest MTU of the LAN ports: what a reply to the LAN may carry */
	struct dp_vxc vxcs[DP_MAX_VXCS];
	/* NAT pools are indexed by VXC: pool i translates traffic leaving through VXC i. */
	struct nat_config nat;
	uint16_t n_exempts;
	struct {
		uint32_t net, mask; /* host order */
	} exempts[DP_MAX_EXEMPTS];
};

#define DP_MAX_PATHS 4

/*
 * Where a route leads: out of `port`, to `gateway` (0: the destination is on the link). An entry with
 * n_paths > 1 is an equal-cost group instead: the route leaves by one of the member adjacencies in
 * `paths`, chosen by destination address, so that a flow's NAT pool and its way out agree.
 */
struct dp_adj {
	uint16_t port;
	uint16_t vxc; /* DP_NO_VXC unless the route leaves through a VXC, which means NAT */
	rte_be32_t gateway;
	uint8_t n_paths;
	uint16_t paths[DP_MAX_PATHS];
};

/* Per-worker counters, written by that worker only; readers accept a slightly stale value. */
struct dp_counters {
	uint64_t rx[DP_MAX_PORTS], tx[DP_MAX_PORTS], tx_dropped[DP_MAX_PORTS];
	uint64_t vxc_tx[DP_MAX_VXCS];
	uint64_t vxc_offered_bytes[DP_MAX_VXCS]; /* the demand the rate shares follow */
	uint64_t vxc_rate_dropped[DP_MAX_VXCS];
	uint64_t packets, busy_cycles;
	uint64_t handoffs;     /* replies passed to the worker that owns their session */
	uint64_t fragmented;   /* datagrams sent on as fragments, larger than their egress MTU */
	uint64_t frag_needed_sent; /* ICMP fragmentation-needed sent for DF datagrams too large */
};

struct dp_shared {
	struct dp_config *config; /* swapped atomically by the control thread */
	struct rte_lpm *fib;
	struct dp_adj adj[DP_MAX_ADJ];
	uint32_t n_adj;
	struct dp_neigh_table *neigh; /* replaced whole by the control thread (dp_neigh.h) */
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	struct nat_rss_plan *rss; /* the A-end ports' RSS when predictable (rt_steering.c), else NULL */
	uint16_t n_workers;
	uint16_t n_ports;
	volatile bool stop;
};

/* A worker's token bucket for its share of a VXC's rate (dp_rate.h). */
struct dp_rate {
	uint64_t tokens;       /* bytes that may leave now, 32.32 fixed point (no fraction is lost) */
	uint64_t burst;        /* the bucket's depth, bytes */
	uint64_t bytes_per_tsc; /* the refill, bytes per TSC cycle in 32.32 fixed point */
	uint64_t refill_tsc;   /* when tokens were last added */
	uint64_t share_bps;    /* what the bucket was set up for; 0: not metered */
};

/* A token bucket refilled from the TSC. */
struct dp_bucket {
	uint64_t tokens, refill_tsc;
};

struct dp_rxq {
	uint16_t port, queue;
};

/* mbuf->port of a packet the control thread held for its next hop's MAC and hands back. */
#define DP_PORT_RESUME UINT16_MAX

struct dp_worker {
	struct nat_worker nat;
	struct dp_shared *shared;
	uint16_t id;
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_PORTS];
	struct rte_eth_dev_tx_buffer *txb[DP_MAX_PORTS];
	struct rte_ring *punt_bgp; /* BGP from configured neighbors, for the control plane's kernel */
	struct rte_ring *punt;    /* other frames for the control thread (ARP to learn from) */
	struct rte_ring *resolve; /* next hops whose MAC is wanted: dp_neigh_key() values */
	struct rte_ring *inject;  /* frames from the control thread, egress port in mbuf->port, or
				   * DP_PORT_RESUME: a held packet to route again (adjacency in hash.usr) */
	struct rte_ring *hold;    /* packets whose next hop is unresolved, to wait at the control
				   * thread (adjacency in hash.usr) */
	/* A-end replies for sessions another worker owns: out to it, and in from each other worker
	 * (one single-producer single-consumer ring per pair; NULL for oneself). */
	struct rte_ring *handoff_out[DP_MAX_WORKERS];
	struct rte_ring *handoff_in[DP_MAX_WORKERS];
	uint32_t now;             /* seconds */
	uint64_t tsc;             /* TSC at the start of this loop turn: the rate meters' clock */
	const struct dp_neigh_table *neigh; /* the table of this loop turn (the control thread may
					     * publish a new one; this stays valid until quiescent) */
	struct dp_bucket icmp_errors; /* rate of ICMP errors we originate */
	struct dp_bucket punts_bgp, punts_arp; /* rates of what is handed to the control thread */
	struct dp_rate rate[DP_MAX_VXCS];
	uint64_t rate_share_bps[DP_MAX_VXCS]; /* this worker's share of each VXC's rate, set by control */
	rte_be32_t last_resolve[8];
	struct dp_counters counters __rte_cache_aligned;
} __rte_cache_aligned;

/* The worker's lcore function (rte_eal_remote_launch). */
int dp_worker_main(void *arg);

/* Sends `m` out of adjacency-less `port` with `vxc`'s tag: for replies the worker builds itself. */
void dp_tx(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
	   struct rte_mbuf *m);
