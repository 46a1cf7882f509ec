/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Leaving the appliance: next-hop MAC, TTL, the egress guard, the VXC's rate limit, the link header
 * with the A-end VLAN tag, TX buffering. Inline: every forwarded packet passes here once.
 */
#pragma once

#include <string.h>

#include <rte_icmp.h>

#include "cksum.h"
#include "dp_inlines.h"
#include "dp_rate.h"

/* Counts and buffers a finished frame for `port`. */
static __rte_always_inline void dp_tx_counted(struct dp_worker *w, uint16_t port, uint16_t vxc,
					      struct rte_mbuf *m)
{
	if (vxc != DP_NO_VXC)
		w->counters.vxc_tx[vxc]++;
	w->counters.tx[port]++;
	rte_eth_tx_buffer(port, w->id, w->txb[port], m);
}

/* Asks the control thread for the MAC of `ip` on `port`, at most once a second per address. */
void dp_want_neighbor(struct dp_worker *w, uint16_t port, rte_be32_t ip);
/* Hands `m` (routed through `adj`) to the control thread to wait for the next hop's MAC; false when
 * the ring is full. The control thread asks ARP and sends it back through inject when resolved. */
bool dp_hold(struct dp_worker *w, struct rte_mbuf *m, uint32_t adj);
/* Sends `m`, larger than `port`'s MTU, as fragments (DF set: dropped, the sender was told before). */
void dp_fragment_out(struct dp_worker *w, const struct dp_adj *a, const struct dp_port *port,
		     struct rte_mbuf *m, uint64_t mac, uint16_t vlan);

/* Invariant 1: nothing private or bogon leaves the A-end as a source, outer or quoted. */
static inline bool dp_source_is_public(const struct rte_ipv4_hdr *ip, uint32_t len)
{
	const struct rte_ipv4_hdr *q;
	uint16_t ihl = rte_ipv4_hdr_len(ip);
	const uint8_t *icmp = (const uint8_t *)ip + ihl;

	if (dp_is_private(ip->src_addr))
		return false;
	if (ip->next_proto_id != IPPROTO_ICMP || icmp[0] == RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp[0] == RTE_IP_ICMP_ECHO_REPLY || len < (uint32_t)ihl + 8 + sizeof(*q))
		return true;
	q = (const struct rte_ipv4_hdr *)(icmp + 8);
	return !dp_is_private(q->src_addr) && !dp_is_private(q->dst_addr);
}

/*
 * Gives `m` the link header for `port` (and the VXC's tag when `vlan` is not 0) in front of its IP
 * header at l2_len. Whatever header it came with is overwritten, so a tag is popped or pushed by
 * moving the start of the frame, never its bytes. False when there is no headroom for the tag.
 */
static __rte_always_inline bool dp_write_link_header(struct rte_mbuf *m,
						     const struct rte_ether_addr *src, uint64_t dst,
						     uint16_t vlan)
{
	uint16_t want = vlan ? RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr) : RTE_ETHER_HDR_LEN;
	struct rte_ether_hdr *eth;

	if (m->l2_len > want)
		rte_pktmbuf_adj(m, (uint16_t)(m->l2_len - want));
	else if (m->l2_len < want && rte_pktmbuf_prepend(m, (uint16_t)(want - m->l2_len)) == NULL)
		return false;
	m->l2_len = want;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memcpy(&eth->dst_addr, &dst, RTE_ETHER_ADDR_LEN); /* the low 48 bits, as stored */
	rte_ether_addr_copy(src, &eth->src_addr);
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(vlan);
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	return true;
}

/* What every routed packet gets last: its TTL, fragments where it exceeds the port's MTU, the link
 * header. True when `m` is ready to be buffered for a->port; false when it is gone (sent as fragments,
 * or dropped and counted). */
static __rte_always_inline bool dp_egress_finish(struct dp_worker *w, const struct dp_adj *a,
						 const struct dp_port *port, struct rte_mbuf *m,
						 struct rte_ipv4_hdr *ip, uint64_t mac, uint16_t vlan)
{
	uint16_t ttl_word_before, ttl_word_after;

	/* The TTL shares its checksum word with the protocol. The word is changed in a register and
	 * stored once: reading it back over a one-byte store still in flight would stall. */
	memcpy(&ttl_word_before, &ip->time_to_live, 2);
	ttl_word_after = ttl_word_before;
	((uint8_t *)&ttl_word_after)[0]--; /* the word's first byte is the TTL */
	memcpy(&ip->time_to_live, &ttl_word_after, 2);
	ip->hdr_checksum = cksum_adjust16(ip->hdr_checksum, ttl_word_before, ttl_word_after);

	if (unlikely(rte_pktmbuf_pkt_len(m) - m->l2_len > port->mtu)) {
		dp_fragment_out(w, a, port, m, mac, vlan);
		return false;
	}
	if (!dp_write_link_header(m, &port->mac, mac, vlan)) {
		dp_drop(w, m, PKT_DROP_tx_full);
		return false;
	}
	return true;
}

/* Sends routed IPv4 packet `m` (IP header at m->l2_len) through adjacency `adj`. An unresolved
 * next hop makes it wait at the control thread, once (`may_hold`): a resumed packet is not held
 * again. */
static __rte_always_inline void dp_route_out_held(struct dp_worker *w, const struct dp_config *cfg,
						  struct rte_mbuf *m, uint32_t adj, bool may_hold)
{
	const struct dp_adj *a = &w->shared->adj[adj];
	const struct dp_port *port = &cfg->ports[a->port];
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	rte_be32_t next_hop = a->gateway ? a->gateway : ip->dst_addr;
	uint64_t mac = dp_neigh_lookup(w->neigh, dp_neigh_key(a->port, next_hop));
	uint16_t vlan = a->vxc != DP_NO_VXC ? cfg->vxcs[a->vxc].vlan : 0;

	if (unlikely(mac == 0)) {
		if (may_hold && dp_hold(w, m, adj))
			return;
		dp_want_neighbor(w, a->port, next_hop);
		dp_drop(w, m, PKT_DROP_neighbor_unresolved);
		return;
	}
	if (port->role == DP_ROLE_AEND && !dp_source_is_public(ip, rte_pktmbuf_pkt_len(m) - m->l2_len)) {
		dp_drop(w, m, PKT_DROP_egress_private_source);
		return;
	}
	if (a->vxc != DP_NO_VXC &&
	    !dp_rate_allows(w, a->vxc, rte_pktmbuf_pkt_len(m) - m->l2_len + RTE_ETHER_HDR_LEN +
						(vlan ? (uint32_t)sizeof(struct rte_vlan_hdr) : 0))) {
		w->counters.vxc_rate_dropped[a->vxc]++;
		dp_drop(w, m, PKT_DROP_rate_limited);
		return;
	}
	if (dp_egress_finish(w, a, port, m, ip, mac, vlan))
		dp_tx_counted(w, a->port, a->vxc, m);
}

static __rte_always_inline void dp_route_out(struct dp_worker *w, const struct dp_config *cfg,
					     struct rte_mbuf *m, uint32_t adj)
{
	dp_route_out_held(w, cfg, m, adj, true);
}

/*
 * Sends `n` routed packets that all leave through adjacency `adj` by a gateway: the next hop's MAC,
 * the VLAN tag, the rate meter and the counters are done once for them all. The meter takes the
 * run's bytes at once, or, when its bucket does not hold them all, packet by packet as
 * dp_route_out() would, so the same packets pass.
 */
static __rte_always_inline void dp_route_out_run(struct dp_worker *w, const struct dp_config *cfg,
						 struct rte_mbuf **pkts, uint16_t n, uint32_t adj)
{
	const struct dp_adj *a = &w->shared->adj[adj];
	const struct dp_port *port = &cfg->ports[a->port];
	uint64_t mac = dp_neigh_lookup(w->neigh, dp_neigh_key(a->port, a->gateway));
	uint16_t vlan = a->vxc != DP_NO_VXC ? cfg->vxcs[a->vxc].vlan : 0;
	uint32_t link = RTE_ETHER_HDR_LEN + (vlan ? (uint32_t)sizeof(struct rte_vlan_hdr) : 0);
	uint32_t bytes = 0;
	uint16_t i, kept = 0, sent = 0;

	if (unlikely(mac == 0)) {
		for (i = 0; i < n; i++)
			dp_route_out(w, cfg, pkts[i], adj); /* each waits for the next hop, or is dropped */
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
		uint32_t len = rte_pktmbuf_pkt_len(m) - m->l2_len;

		if (port->role == DP_ROLE_AEND && !dp_source_is_public(ip, len)) {
			dp_drop(w, m, PKT_DROP_egress_private_source);
			continue;
		}
		bytes += len + link;
		pkts[kept++] = m;
	}
	n = kept;
	if (a->vxc != DP_NO_VXC) {
		w->counters.vxc_offered_bytes[a->vxc] += bytes;
		if (unlikely(!dp_rate_take(w, a->vxc, bytes))) {
			for (i = 0, kept = 0; i < n; i++) {
				if (dp_rate_take(w, a->vxc, rte_pktmbuf_pkt_len(pkts[i]) - pkts[i]->l2_len + link)) {
					pkts[kept++] = pkts[i];
					continue;
				}
				w->counters.vxc_rate_dropped[a->vxc]++;
				dp_drop(w, pkts[i], PKT_DROP_rate_limited);
			}
			n = kept;
		}
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (!dp_egress_finish(w, a, port, m,
				      rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len), mac, vlan))
			continue;
		rte_eth_tx_buffer(a->port, w->id, w->txb[a->port], m);
		sent++;
	}
	if (a->vxc != DP_NO_VXC)
		w->counters.vxc_tx[a->vxc] += sent;
	w->counters.tx[a->port] += sent;
}

/* Sends routed packets, each through the adjacency in its hash.usr: runs through one gateway go
 * together (dp_route_out_run()); a connected destination has its own next hop, so goes alone. */
static __rte_always_inline void dp_route_out_burst(struct dp_worker *w, const struct dp_config *cfg,
						   struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i, run;

	for (i = 0; i < n; i += run) {
		uint32_t adj = pkts[i]->hash.usr;

		for (run = 1; i + run < n && pkts[i + run]->hash.usr == adj; run++)
			;
		if (run > 1 && w->shared->adj[adj].gateway != 0)
			dp_route_out_run(w, cfg, pkts + i, run, adj);
		else
			for (uint16_t j = 0; j < run; j++)
				dp_route_out(w, cfg, pkts[i + j], adj);
	}
}
