/* SPDX-License-Identifier: BSD-3-Clause */
/* What the forwarding files share. */
#pragma once

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "pkt_parse.h"

static inline void dp_drop(struct dp_worker *w, struct rte_mbuf *m, enum pkt_drop why)
{
	w->nat.stats.drops[why]++;
	rte_pktmbuf_free(m);
}

/* Addresses no public packet may carry as its source (the egress guard of DESIGN.md invariant 1). */
static inline bool dp_is_private(rte_be32_t be)
{
	uint32_t a = rte_be_to_cpu_32(be);

	return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
	       (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == (169u << 8 | 254) ||
	       (a >> 22) == (100u << 2 | 1) || (a >> 28) >= 0xe;
}

static inline bool dp_is_exempt(const struct dp_config *cfg, rte_be32_t be)
{
	uint32_t a = rte_be_to_cpu_32(be);
	uint16_t i;

	for (i = 0; i < cfg->n_exempts; i++)
		if ((a & cfg->exempts[i].mask) == cfg->exempts[i].net)
			return true;
	return false;
}

/* The FIB's adjacency for `dst`, or -1. Of an equal-cost group, the member `dst` hashes to. */
static inline int32_t dp_route(const struct dp_worker *w, rte_be32_t dst)
{
	const struct dp_adj *adj;
	uint32_t next_hop;

	if (rte_lpm_lookup(w->shared->fib, rte_be_to_cpu_32(dst), &next_hop) != 0)
		return -1;
	adj = &w->shared->adj[next_hop];
	if (adj->n_paths > 1)
		next_hop = adj->paths[(rte_be_to_cpu_32(dst) * 2654435761u >> 16) % adj->n_paths];
	return (int32_t)next_hop;
}

/* Takes a token from `b`, refilled at `rate` per second up to `burst`; false when empty. */
static inline bool dp_bucket_take(struct dp_bucket *b, uint64_t rate, uint64_t burst)
{
	uint64_t now = rte_rdtsc(), earned = (now - b->refill_tsc) * rate / rte_get_tsc_hz();

	if (earned > 0) {
		b->tokens = RTE_MIN(b->tokens + earned, burst);
		b->refill_tsc = now;
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

/* Control-plane policing (dp_punt.c): frames for the control thread, by class and rate. */
void dp_punt_init(struct dp_worker *w, uint64_t now_tsc);
/* TCP from or to port 179: BGP, or someone pretending. */
bool dp_is_bgp(const struct pkt_info *info);
/* BGP to our /31 on `vxc`: punted if from the VXC's BGP neighbor, else counted and dropped. */
void dp_punt_bgp(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		 struct rte_mbuf *m, const struct pkt_info *info);
/* ARP for our address, already answered, for the control thread to learn the sender from. */
void dp_punt_arp(struct dp_worker *w, uint16_t port, uint16_t vxc, struct rte_mbuf *m);

/* Local answers: ARP, echo, and the ICMP errors a router sends. */
void dp_arp_input(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		  struct rte_mbuf *m);
void dp_echo_reply(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		   struct rte_mbuf *m, struct pkt_info *info);
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4 /* code of ICMP_DEST_UNREACH */
#define ICMP_TIME_EXCEEDED 11
/* Sends ICMP `type`/`code` about `m` (left untouched) back to its source, rate-limited. */
void dp_icmp_error(struct dp_worker *w, const struct dp_config *cfg, uint16_t in_port, uint16_t in_vxc,
		   const struct pkt_info *info, uint8_t type, uint8_t code, uint16_t mtu);
