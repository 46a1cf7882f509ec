/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop: RX burst -> classify -> NAT -> route -> TX, per port; then the control thread's
 * frames, TX flush, session expiry and an RCU quiescent state. No locks, syscalls or logging.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_tcp.h>

#include "dp_egress.h"
#include "nat_burst.h"
#include "nat_ports.h"


/* A received burst goes to the NAT engine whole. */
_Static_assert(DP_BURST <= NAT_BURST_MAX, "a burst must fit the NAT engine's");

/* A datagram larger than `mtu`: with DF it is dropped and its sender told the MTU (RFC 1191);
 * without, it may go on, to be fragmented at egress. */
static bool dp_fits_or_may_fragment(struct dp_worker *w, const struct dp_config *cfg, uint16_t port,
				    uint16_t vxc, struct rte_mbuf *m, const struct pkt_info *info,
				    uint16_t mtu)
{
	if (!(info->ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)))
		return true;
	dp_icmp_error(w, cfg, port, vxc, info, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
	dp_drop(w, m, PKT_DROP_mtu_exceeded);
	return false;
}

/* Forwarding checks every transit packet passes before NAT: TTL, route, MTU (a datagram too large
 * with DF is answered here, where the packet is still as its sender sent it; without DF it is
 * fragmented at egress, after translation). Returns the adjacency, or -1 when the packet was dropped
 * (and answered with an ICMP error where one is due). */
static __rte_always_inline int32_t transit(struct dp_worker *w, const struct dp_config *cfg,
					   uint16_t port, uint16_t vxc, struct rte_mbuf *m,
					   const struct pkt_info *info, rte_be32_t dst)
{
	const struct rte_ipv4_hdr *ip = info->ip;
	int32_t adj;
	uint16_t mtu;

	if (ip->time_to_live <= 1) {
		dp_icmp_error(w, cfg, port, vxc, info, ICMP_TIME_EXCEEDED, 0, 0);
		dp_drop(w, m, PKT_DROP_ttl_exceeded);
		return -1;
	}
	adj = dp_route(w, dst);
	if (adj < 0) {
		dp_drop(w, m, PKT_DROP_no_route);
		return -1;
	}
	mtu = cfg->ports[w->shared->adj[adj].port].mtu;
	if (unlikely(rte_be_to_cpu_16(ip->total_length) > mtu) &&
	    !dp_fits_or_may_fragment(w, cfg, port, vxc, m, info, mtu))
		return -1;
	return adj;
}

/* Runs a NAT burst and sends what comes out. In2out packets carry the adjacency their route chose
 * in hash.usr (their destination stays); out2in ones are routed by their new destination. */
static void nat_and_route(struct dp_worker *w, const struct dp_config *cfg, struct nat_burst *b)
{
	struct rte_mbuf *out[DP_BURST * 2];
	uint16_t n, i;

	if (b->n == 0)
		return;
	n = nat_burst_run(&w->nat, b, out, RTE_DIM(out), w->now);
	if (b->dir == NAT_DIR_OUT2IN) {
		uint16_t routed = 0;

		for (i = 0; i < n; i++) {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(out[i], struct rte_ipv4_hdr *,
										 out[i]->l2_len);
			int32_t adj = dp_route(w, ip->dst_addr);

			if (adj < 0) {
				dp_drop(w, out[i], PKT_DROP_no_route);
				continue;
			}
			out[i]->hash.usr = (uint32_t)adj;
			out[routed++] = out[i];
		}
		n = routed;
	}
	dp_route_out_burst(w, cfg, out, n);
}

/* Starts fetching the headers of a packet a few places further in the burst. */
static inline void prefetch_ahead(struct rte_mbuf **pkts, uint16_t i, uint16_t n)
{
	if (i + 3 < n)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
}

static inline rte_be16_t ether_type(const struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, const struct rte_ether_hdr *)->ether_type;
}

/* From the LAN (or the Internet port): to us, through a VXC with NAT, or routed as is. */
static void lan_input(struct dp_worker *w, const struct dp_config *cfg, uint16_t port,
		      struct rte_mbuf **pkts, uint16_t n)
{
	const struct dp_port *p = &cfg->ports[port];
	struct pkt_info infos[DP_BURST];
	struct nat_burst b;
	uint16_t i;

	nat_burst_begin(&b, NAT_DIR_IN2OUT);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct pkt_info *info = &infos[b.n];
		enum pkt_drop why;
		int32_t adj;

		prefetch_ahead(pkts, i, n);
		if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN && ether_type(m) == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			dp_arp_input(w, cfg, port, DP_NO_VXC, m);
			continue;
		}
		why = pkt_parse(m, info);
		if (why == PKT_DROP_NONE && (info->flags & PKT_F_VLAN))
			why = PKT_DROP_unknown_vlan; /* LAN ports are untagged */
		if (why != PKT_DROP_NONE) {
			dp_drop(w, m, why);
			continue;
		}
		if (p->has_addr && info->ip->dst_addr == p->addr) {
			if (info->proto == IPPROTO_ICMP && info->l4 != NULL &&
			    ((struct rte_icmp_hdr *)info->l4)->icmp_type == RTE_IP_ICMP_ECHO_REQUEST)
				dp_echo_reply(w, cfg, port, DP_NO_VXC, m, info);
			else
				dp_drop(w, m, PKT_DROP_local_unsupported);
			continue;
		}
		adj = transit(w, cfg, port, DP_NO_VXC, m, info, info->ip->dst_addr);
		if (adj < 0)
			continue;
		if (w->shared->adj[adj].vxc == DP_NO_VXC || dp_is_exempt(cfg, info->ip->src_addr)) {
			dp_route_out(w, cfg, m, (uint32_t)adj); /* announced public sources need no NAT */
			continue;
		}
		m->hash.usr = (uint32_t)adj; /* translation keeps the destination: so does the route */
		nat_burst_add(&w->nat, &b, m, info, w->shared->adj[adj].vxc);
	}
	nat_and_route(w, cfg, &b);
}

/*
 * The worker that owns the session a reply belongs to: by the external port (TCP, UDP), echo
 * identifier, or the source port of the packet an ICMP error quotes, each allocated from the owner's
 * block (nat_ports.h). A non-first fragment carries no port and stays here.
 */
static uint16_t reply_owner(const struct dp_worker *w, const struct pkt_info *info)
{
	const uint8_t *l4 = info->l4;
	uint16_t port;

	if (w->shared->n_workers == 1 || l4 == NULL)
		return w->id;
	if (info->proto != IPPROTO_ICMP) {
		memcpy(&port, l4 + 2, 2); /* destination port */
	} else if (l4[0] == RTE_IP_ICMP_ECHO_REPLY || l4[0] == RTE_IP_ICMP_ECHO_REQUEST) {
		memcpy(&port, l4 + 4, 2); /* identifier */
	} else {
		/* An error: the quoted IP header, then the first bytes of its transport header. */
		const struct rte_ipv4_hdr *q = (const struct rte_ipv4_hdr *)(l4 + 8);
		uint16_t ihl;

		if (info->l4_len < 8 + sizeof(*q) || (ihl = rte_ipv4_hdr_len(q)) < sizeof(*q) ||
		    info->l4_len < 8 + ihl + 8)
			return w->id; /* the NAT engine counts it as malformed */
		if (q->next_proto_id == IPPROTO_ICMP)
			memcpy(&port, l4 + 8 + ihl + 4, 2);
		else
			memcpy(&port, l4 + 8 + ihl, 2); /* its source port: our external port */
	}
	return RTE_MIN(nat_port_owner(w->shared->n_workers, rte_be_to_cpu_16(port)), w->shared->n_workers - 1);
}

/* Passes a reply to the worker that owns its session (its VXC in hash.usr), counted. */
static void hand_off(struct dp_worker *w, uint16_t owner, uint16_t port, uint16_t vxc, struct rte_mbuf *m)
{
	m->port = port;
	m->hash.usr = vxc;
	if (rte_ring_sp_enqueue(w->handoff_out[owner], m) != 0) {
		dp_drop(w, m, PKT_DROP_handoff_full);
		return;
	}
	w->counters.handoffs++;
}

/* Which VXC an A-end frame belongs to, by its tag (left in place: egress writes a new link header);
 * DP_NO_VXC: none. *type is the ethertype after the tag. */
static uint16_t aend_vxc(const struct dp_port *p, struct rte_mbuf *m, rte_be16_t *type)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)
		return DP_NO_VXC;
	*type = eth->ether_type;
	if (eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return p->untagged_vxc;
	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*vh))
		return DP_NO_VXC;
	*type = vh->eth_proto;
	return p->vlan_vxc[rte_be_to_cpu_16(vh->vlan_tci) & 0xfff];
}

static bool in_pool(const struct dp_vxc *v, rte_be32_t be)
{
	uint32_t a = rte_be_to_cpu_32(be);

	return a - v->pool_first < v->pool_count;
}

/* From a VXC: replies to translated flows, our own traffic, or traffic to announced LAN space. */
static void aend_input(struct dp_worker *w, const struct dp_config *cfg, uint16_t port,
		       struct rte_mbuf **pkts, uint16_t n, bool handed_off)
{
	const struct dp_port *p = &cfg->ports[port];
	struct pkt_info infos[DP_BURST];
	struct nat_burst b;
	uint16_t i;

	nat_burst_begin(&b, NAT_DIR_OUT2IN);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct pkt_info *info = &infos[b.n];
		rte_be16_t type = RTE_BE16(RTE_ETHER_TYPE_IPV4); /* what is handed over */
		uint16_t vxc = handed_off ? (uint16_t)m->hash.usr : aend_vxc(p, m, &type);
		const struct dp_vxc *v;
		rte_be32_t dst;
		enum pkt_drop why;
		int32_t adj;

		prefetch_ahead(pkts, i, n);
		if (vxc == DP_NO_VXC) {
			dp_drop(w, m, PKT_DROP_unknown_vlan);
			continue;
		}
		v = &cfg->vxcs[vxc];
		if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			if (v->vlan != 0)
				rte_vlan_strip(m); /* ARP is parsed right after the Ethernet header */
			dp_arp_input(w, cfg, port, vxc, m);
			continue;
		}
		why = pkt_parse(m, info);
		if (why != PKT_DROP_NONE) {
			dp_drop(w, m, why);
			continue;
		}
		dst = info->ip->dst_addr;
		if (dst == v->local && info->l4 != NULL) {
			if (info->proto == IPPROTO_ICMP &&
			    ((struct rte_icmp_hdr *)info->l4)->icmp_type == RTE_IP_ICMP_ECHO_REQUEST) {
				dp_echo_reply(w, cfg, port, vxc, m, info);
				continue;
			}
			if (dp_is_bgp(info)) {
				dp_punt_bgp(w, cfg, port, vxc, m, info); /* for the control plane's kernel */
				continue;
			}
		}
		if (dst == v->local || in_pool(v, dst)) {
			uint16_t owner = handed_off ? w->id : reply_owner(w, info);

			if (owner != w->id) {
				hand_off(w, owner, port, vxc, m);
				continue;
			}
			if (info->ip->time_to_live <= 1) {
				dp_icmp_error(w, cfg, port, vxc, info, ICMP_TIME_EXCEEDED, 0, 0);
				dp_drop(w, m, PKT_DROP_ttl_exceeded);
				continue;
			}
			/* Towards the LAN: a DF datagram that no LAN port carries is answered now, quoted
			 * as its sender sent it (after NAT it would name the inside host). */
			if (unlikely(rte_be_to_cpu_16(info->ip->total_length) > cfg->lan_mtu) &&
			    !dp_fits_or_may_fragment(w, cfg, port, vxc, m, info, cfg->lan_mtu))
				continue;
			nat_burst_add(&w->nat, &b, m, info, 0); /* a reply, or unsolicited: NAT decides */
			continue;
		}
		if (!dp_is_exempt(cfg, dst)) {
			dp_drop(w, m, PKT_DROP_not_for_us);
			continue;
		}
		adj = transit(w, cfg, port, vxc, m, info, dst);
		if (adj >= 0)
			dp_route_out(w, cfg, m, (uint32_t)adj);
	}
	nat_and_route(w, cfg, &b);
}

/* Replies other workers received for this one's sessions; a burst may mix A-end ports. */
static void handed_over(struct dp_worker *w, const struct dp_config *cfg)
{
	struct rte_mbuf *m[DP_BURST];
	uint16_t j, n, i, run;

	for (j = 0; j < w->shared->n_workers; j++) {
		if (w->handoff_in[j] == NULL)
			continue;
		n = (uint16_t)rte_ring_sc_dequeue_burst(w->handoff_in[j], (void **)m, DP_BURST, NULL);
		for (i = 0; i < n; i += run) {
			for (run = 1; i + run < n && m[i + run]->port == m[i]->port; run++)
				;
			aend_input(w, cfg, m[i]->port, m + i, run, true);
		}
	}
}

/* Frames the control thread wants sent (ARP requests, gratuitous ARP): mbuf->port is the egress,
 * mbuf->hash.usr the VXC. */
static void inject(struct dp_worker *w, const struct dp_config *cfg)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(w->inject, (void **)m, DP_BURST, NULL), i;

	for (i = 0; i < n; i++) {
		if (m[i]->port == DP_PORT_RESUME)
			dp_route_out_held(w, cfg, m[i], m[i]->hash.usr, false);
		else
			dp_tx(w, cfg, m[i]->port, (uint16_t)m[i]->hash.usr, m[i]);
	}
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_shared *s = w->shared;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc();
	uint64_t flush_tsc = 0, next_second = start + hz;

	rte_rcu_qsbr_thread_register(s->qsbr, w->id);
	rte_rcu_qsbr_thread_online(s->qsbr, w->id);
	w->icmp_errors = (struct dp_bucket){.tokens = 0, .refill_tsc = start};
	dp_punt_init(w, start);
	w->now = 1;
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		const struct dp_config *cfg = __atomic_load_n(&s->config, __ATOMIC_ACQUIRE);
		uint64_t t0 = rte_rdtsc();
		uint32_t received = 0;
		uint16_t q, p;

		if (t0 >= next_second) { /* a new second: next hops may be asked for again */
			w->now = (uint32_t)((t0 - start) / hz) + 1;
			next_second = start + (uint64_t)w->now * hz;
			memset(w->last_resolve, 0, sizeof(w->last_resolve));
		}
		w->tsc = t0;
		w->nat.log.tsc = t0;
		w->neigh = __atomic_load_n(&s->neigh, __ATOMIC_ACQUIRE);
		w->nat.config = &cfg->nat;
		/* Before new packets: packets that waited for a next hop leave ahead of their flow's next. */
		inject(w, cfg);
		for (q = 0; q < w->n_rxq; q++) {
			struct rte_mbuf *pkts[DP_BURST];
			uint16_t port = w->rxq[q].port;
			uint16_t n = rte_eth_rx_burst(port, w->rxq[q].queue, pkts, DP_BURST);

			if (n == 0)
				continue;
			w->counters.rx[port] += n;
			received += n;
			if (cfg->ports[port].role == DP_ROLE_AEND)
				aend_input(w, cfg, port, pkts, n, false);
			else
				lan_input(w, cfg, port, pkts, n);
		}
		handed_over(w, cfg);
		/* Drain partly filled TX buffers every 100 µs so a lone packet never waits. */
		if (t0 - flush_tsc > hz / 10000) {
			for (p = 0; p < s->n_ports; p++)
				if (w->txb[p] != NULL)
					rte_eth_tx_buffer_flush(p, w->id, w->txb[p]);
			flush_tsc = t0;
		}
		nat_worker_expire(&w->nat, w->now, 64);
		if (received > 0) {
			w->counters.packets += received;
			w->counters.busy_cycles += rte_rdtsc() - t0;
		}
		rte_rcu_qsbr_quiescent(s->qsbr, w->id);
	}
	for (uint16_t p = 0; p < s->n_ports; p++)
		if (w->txb[p] != NULL)
			rte_eth_tx_buffer_flush(p, w->id, w->txb[p]);
	rte_rcu_qsbr_thread_offline(s->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(s->qsbr, w->id);
	return 0;
}
