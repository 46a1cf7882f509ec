/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the worker answers itself: ARP for our addresses, echo to our addresses, and the ICMP errors
 * a router sends (time exceeded, fragmentation needed), rate-limited.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>

#include "cksum.h"
#include "dp_egress.h"

#define ICMP_ERRORS_PER_SECOND 100
#define ICMP_ERROR_BURST 20
#define ICMP_QUOTE_MAX 548 /* RFC 1812 §4.3.2.3: as much as fits in 576 bytes */

static rte_be32_t our_address(const struct dp_config *cfg, uint16_t port, uint16_t vxc)
{
	if (vxc != DP_NO_VXC)
		return cfg->vxcs[vxc].local;
	return cfg->ports[port].has_addr ? cfg->ports[port].addr : 0;
}

void dp_arp_input(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		  struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	rte_be32_t ours = our_address(cfg, port, vxc);
	struct rte_ether_hdr *reth;
	struct rte_arp_hdr *rarp;
	struct rte_mbuf *r;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
	    arp->arp_plen != 4) {
		dp_drop(w, m, PKT_DROP_arp_invalid);
		return;
	}
	if (ours == 0 || arp->arp_data.arp_tip != ours) {
		dp_drop(w, m, PKT_DROP_arp_not_for_us);
		return;
	}
	if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) && (r = rte_pktmbuf_alloc(w->shared->pool))) {
		reth = (struct rte_ether_hdr *)rte_pktmbuf_append(r, sizeof(*reth) + sizeof(*rarp));
		rarp = (struct rte_arp_hdr *)(reth + 1);
		rte_ether_addr_copy(&arp->arp_data.arp_sha, &reth->dst_addr);
		reth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
		*rarp = *arp;
		rarp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
		rte_ether_addr_copy(&cfg->ports[port].mac, &rarp->arp_data.arp_sha);
		rarp->arp_data.arp_sip = ours;
		rte_ether_addr_copy(&arp->arp_data.arp_sha, &rarp->arp_data.arp_tha);
		rarp->arp_data.arp_tip = arp->arp_data.arp_sip;
		dp_tx(w, cfg, port, vxc, r);
	}
	/* The control thread learns the sender (RFC 826: whoever asks for us will talk to us). */
	dp_punt_arp(w, port, vxc, m);
}

void dp_echo_reply(struct dp_worker *w, const struct dp_config *cfg, uint16_t port, uint16_t vxc,
		   struct rte_mbuf *m, struct pkt_info *info)
{
	struct rte_ipv4_hdr *ip = info->ip;
	struct rte_icmp_hdr *icmp = info->l4;
	struct rte_ether_hdr *eth;
	struct rte_ether_addr sender;
	rte_be32_t peer = ip->src_addr;
	uint16_t before, after;

	if (info->flags & PKT_F_FRAGMENT) {
		dp_drop(w, m, PKT_DROP_local_unsupported);
		return;
	}
	memcpy(&before, &icmp->icmp_type, 2);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	memcpy(&after, &icmp->icmp_type, 2);
	icmp->icmp_cksum = cksum_adjust16(icmp->icmp_cksum, before, after);
	ip->src_addr = ip->dst_addr; /* a swap leaves the header checksum as it was */
	ip->dst_addr = peer;
	memcpy(&before, &ip->time_to_live, 2);
	ip->time_to_live = 64;
	memcpy(&after, &ip->time_to_live, 2);
	ip->hdr_checksum = cksum_adjust16(ip->hdr_checksum, before, after);

	/* Back to whoever sent it; a tag it came with is dropped here and dp_tx writes the VXC's. */
	rte_ether_addr_copy(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr, &sender);
	if (m->l2_len > sizeof(*eth))
		rte_pktmbuf_adj(m, (uint16_t)(m->l2_len - sizeof(*eth)));
	m->l2_len = sizeof(*eth);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&sender, &eth->dst_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	dp_tx(w, cfg, port, vxc, m);
}

void dp_icmp_error(struct dp_worker *w, const struct dp_config *cfg, uint16_t in_port, uint16_t in_vxc,
		   const struct pkt_info *info, uint8_t type, uint8_t code, uint16_t mtu)
{
	const struct rte_ipv4_hdr *orig = info->ip;
	rte_be32_t src = our_address(cfg, in_port, in_vxc);
	uint16_t quote = RTE_MIN((uint16_t)(rte_ipv4_hdr_len(orig) + info->l4_len), (uint16_t)ICMP_QUOTE_MAX);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	struct rte_mbuf *r;
	uint8_t *frame;
	int32_t adj;

	/* RFC 1812 §4.3.2.7: never about an ICMP error, a non-first fragment or a multicast packet
	 * (pkt_parse already refused non-unicast sources). */
	if (src == 0 || (info->flags & PKT_F_FRAGMENT && !(info->flags & PKT_F_FIRST_FRAG)) ||
	    (rte_be_to_cpu_32(orig->dst_addr) >> 28) == 0xe)
		return;
	if (orig->next_proto_id == IPPROTO_ICMP && info->l4 != NULL) {
		uint8_t t = ((const struct rte_icmp_hdr *)info->l4)->icmp_type;

		if (t != RTE_IP_ICMP_ECHO_REQUEST && t != RTE_IP_ICMP_ECHO_REPLY)
			return;
	}
	adj = dp_route(w, orig->src_addr);
	if (adj < 0 || !dp_bucket_take(&w->icmp_errors, ICMP_ERRORS_PER_SECOND, ICMP_ERROR_BURST) ||
	    (r = rte_pktmbuf_alloc(w->shared->pool)) == NULL)
		return;
	frame = (uint8_t *)rte_pktmbuf_append(r, (uint16_t)(RTE_ETHER_HDR_LEN + sizeof(*ip) +
							     sizeof(*icmp) + quote));
	if (frame == NULL) {
		rte_pktmbuf_free(r);
		return;
	}
	ip = (struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN);
	icmp = (struct rte_icmp_hdr *)(ip + 1);
	memset(ip, 0, sizeof(*ip) + sizeof(*icmp));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*icmp) + quote));
	ip->time_to_live = 65; /* dp_route_out takes one */
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = src;
	ip->dst_addr = orig->src_addr;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu); /* RFC 1191: next-hop MTU in the low 16 bits */
	memcpy(icmp + 1, orig, quote);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, sizeof(*icmp) + quote);
	r->l2_len = RTE_ETHER_HDR_LEN;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		w->counters.frag_needed_sent++;
	dp_route_out(w, cfg, r, (uint32_t)adj);
}
