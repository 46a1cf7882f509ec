/* SPDX-License-Identifier: BSD-3-Clause */
/* The out-of-line parts of egress (dp_egress.h): frames the worker builds itself, neighbour requests. */
#include "dp_egress.h"
#include "dp_frag.h"

void dp_tx(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
	   struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&cfg->ports[port].mac, &eth->src_addr);
	if (vxc != DP_NO_VXC && cfg->vxcs[vxc].vlan != 0) {
		m->vlan_tci = cfg->vxcs[vxc].vlan;
		if (rte_vlan_insert(&m) != 0) {
			dp_drop(w, m, PKT_DROP_tx_full);
			return;
		}
	}
	dp_tx_counted(w, port, vxc, m);
}

void dp_want_neighbor(struct dp_worker *w, uint16_t port, rte_be32_t ip)
{
	uint64_t key = dp_neigh_key(port, ip);
	unsigned slot = (ip ^ (ip >> 16)) & 7;

	if (w->last_resolve[slot] == ip)
		return;
	w->last_resolve[slot] = ip;
	rte_ring_sp_enqueue_elem(w->resolve, &key, sizeof(key));
}

bool dp_hold(struct dp_worker *w, struct rte_mbuf *m, uint32_t adj)
{
	m->hash.usr = adj;
	return rte_ring_sp_enqueue(w->hold, m) == 0;
}

void dp_fragment_out(struct dp_worker *w, const struct dp_adj *a, const struct dp_port *port,
		     struct rte_mbuf *m, uint64_t mac, uint16_t vlan)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	struct rte_mbuf *frags[DP_FRAG_MAX];
	int n, i;

	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) {
		dp_drop(w, m, PKT_DROP_mtu_exceeded);
		return;
	}
	n = dp_fragment(m, port->mtu, w->shared->pool, frags, DP_FRAG_MAX);
	if (n < 0) {
		dp_drop(w, m, PKT_DROP_mtu_exceeded);
		return;
	}
	w->counters.fragmented++;
	for (i = 0; i < n; i++) {
		if (!dp_write_link_header(frags[i], &port->mac, mac, vlan)) {
			dp_drop(w, frags[i], PKT_DROP_tx_full);
			continue;
		}
		dp_tx_counted(w, a->port, a->vxc, frags[i]);
	}
}
