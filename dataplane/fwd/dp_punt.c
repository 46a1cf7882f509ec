/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-plane policing: what the workers hand to the control thread, by class, each class with
 * its own ring and its own rate, so that no flood of one kind can crowd out another.
 *
 * - BGP: TCP port 179 from a configured neighbor's address (the peer of a VXC that has a BGP
 *   session), into the BGP ring, which the control thread empties first. A session's keepalives and
 *   updates are a few thousand segments at most, a second.
 * - ARP for our addresses, for learning who asked (the worker has already answered): its own ring,
 *   at a rate that a LAN's worth of hosts never needs.
 * - TCP port 179 from anyone else is nobody's business: counted and dropped here, never punted.
 */
#include <rte_tcp.h>

#include "dp_egress.h"

#define BGP_PORT RTE_BE16(179)
#define BGP_PUNTS_PER_SECOND 20000
#define BGP_PUNT_BURST 2000
#define ARP_PUNTS_PER_SECOND 1000
#define ARP_PUNT_BURST 200

static void enqueue(struct dp_worker *w, struct rte_ring *ring, uint16_t port, uint16_t vxc, struct rte_mbuf *m)
{
	/* Not every driver sets the mbuf's port (net_ring passes mbufs through as they were sent). */
	m->port = port;
	m->hash.usr = vxc;
	if (rte_ring_sp_enqueue(ring, m) != 0)
		dp_drop(w, m, PKT_DROP_punt_full);
}

bool dp_is_bgp(const struct pkt_info *info)
{
	const struct rte_tcp_hdr *tcp = info->l4;

	return info->proto == IPPROTO_TCP && (tcp->dst_port == BGP_PORT || tcp->src_port == BGP_PORT);
}

void dp_punt_bgp(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		 struct rte_mbuf *m, const struct pkt_info *info)
{
	const struct dp_vxc *v = &cfg->vxcs[vxc];

	if (!v->bgp || info->ip->src_addr != v->peer) {
		dp_drop(w, m, PKT_DROP_bgp_not_neighbor);
		return;
	}
	if (!dp_bucket_take(&w->punts_bgp, BGP_PUNTS_PER_SECOND, BGP_PUNT_BURST)) {
		dp_drop(w, m, PKT_DROP_punt_rate);
		return;
	}
	enqueue(w, w->punt_bgp, port, vxc, m);
}

void dp_punt_arp(struct dp_worker *w, uint16_t port, uint16_t vxc, struct rte_mbuf *m)
{
	if (!dp_bucket_take(&w->punts_arp, ARP_PUNTS_PER_SECOND, ARP_PUNT_BURST)) {
		dp_drop(w, m, PKT_DROP_punt_arp_rate);
		return;
	}
	enqueue(w, w->punt, port, vxc, m);
}

void dp_punt_init(struct dp_worker *w, uint64_t now_tsc)
{
	w->punts_bgp = (struct dp_bucket){.tokens = BGP_PUNT_BURST, .refill_tsc = now_tsc};
	w->punts_arp = (struct dp_bucket){.tokens = ARP_PUNT_BURST, .refill_tsc = now_tsc};
}
