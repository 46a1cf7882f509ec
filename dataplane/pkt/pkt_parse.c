/* SPDX-License-Identifier: BSD-3-Clause */
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pkt_parse.h"

static int ipv4_header_checksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint64_t status = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (status == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		return 1;
	if (status == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return 0;
	/* The checksum over a header that includes its own checksum field is 0 when it is right. */
	if (ip->version_ihl == RTE_IPV4_VHL_DEF)
		return pkt_ipv4_hdr20_sum_ok(ip);
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

/*
 * A source that no unicast host can have. Such packets are spoofed or broken, and translating them
 * would create sessions nobody can answer.
 */
static enum pkt_drop parse_l4(struct pkt_info *info)
{
	uint8_t *l4 = (uint8_t *)info->ip + rte_ipv4_hdr_len(info->ip);
	uint16_t need = pkt_l4_min_len(info->proto);

	if (info->flags & PKT_F_FRAGMENT) {
		if (!(info->flags & PKT_F_FIRST_FRAG)) {
			/* RFC 1858: a later fragment reaching into the transport header could rewrite the
			 * ports or flags the NAT decided on. */
			return info->frag_off < need ? PKT_DROP_frag_overlap : PKT_DROP_NONE;
		}
		if (info->l4_len < need)
			return PKT_DROP_frag_tiny;
	} else if (info->l4_len < need) {
		return PKT_DROP_l4_truncated;
	}
	info->l4 = l4;

	if (info->proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *tcp = (const void *)l4;
		uint16_t doff = (tcp->data_off >> 4) * 4;

		if (doff < 20 || doff > info->l4_len)
			return PKT_DROP_tcp_bad_offset;
	} else if (info->proto == IPPROTO_UDP && !(info->flags & PKT_F_FRAGMENT)) {
		const struct rte_udp_hdr *udp = (const void *)l4;
		uint16_t len = rte_be_to_cpu_16(udp->dgram_len);

		if (len < 8 || len > info->l4_len)
			return PKT_DROP_l4_truncated;
	}
	return PKT_DROP_NONE;
}

enum pkt_drop pkt_parse_full(struct rte_mbuf *m, struct pkt_info *info)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t seg_len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eth = (const void *)frame;
	uint16_t l3_off = sizeof(*eth);
	rte_be16_t ethertype;
	struct rte_ipv4_hdr *ip;
	uint16_t ihl, total_len, frag;

	info->flags = 0;
	info->l4 = NULL;
	if (seg_len < sizeof(*eth))
		return PKT_DROP_l2_truncated;
	ethertype = eth->ether_type;
	if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const void *)(eth + 1);

		l3_off += sizeof(*vh);
		if (seg_len < l3_off)
			return PKT_DROP_l2_truncated;
		info->flags |= PKT_F_VLAN;
		info->vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		ethertype = vh->eth_proto;
		if (ethertype == RTE_BE16(RTE_ETHER_TYPE_VLAN) ||
		    ethertype == RTE_BE16(RTE_ETHER_TYPE_QINQ))
			return PKT_DROP_vlan_stacked;
	}
	if (ethertype != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return PKT_DROP_not_ipv4;

	if (seg_len < l3_off + sizeof(struct rte_ipv4_hdr))
		return PKT_DROP_ip_truncated;
	ip = (struct rte_ipv4_hdr *)(frame + l3_off);
	if ((ip->version_ihl >> 4) != 4)
		return PKT_DROP_ip_bad_version;
	ihl = rte_ipv4_hdr_len(ip);
	if (ihl < sizeof(struct rte_ipv4_hdr))
		return PKT_DROP_ip_bad_ihl;
	total_len = rte_be_to_cpu_16(ip->total_length);
	if (total_len < ihl)
		return PKT_DROP_ip_bad_total_length;
	/* Headers must sit in the first segment; the datagram may not run past the frame (Ethernet
	 * padding after it is fine). */
	if (seg_len < l3_off + ihl || rte_pktmbuf_pkt_len(m) < (uint32_t)l3_off + total_len)
		return PKT_DROP_ip_truncated;
	if (!ipv4_header_checksum_ok(m, ip))
		return PKT_DROP_ip_bad_checksum;
	if (pkt_ipv4_source_is_bogus(ip->src_addr))
		return PKT_DROP_ip_bad_source;

	info->ip = ip;
	info->l3_off = l3_off;
	info->l4_len = total_len - ihl;
	info->proto = ip->next_proto_id;
	frag = rte_be_to_cpu_16(ip->fragment_offset);
	info->frag_off = (frag & RTE_IPV4_HDR_OFFSET_MASK) * RTE_IPV4_HDR_OFFSET_UNITS;
	if ((frag & RTE_IPV4_HDR_MF_FLAG) || info->frag_off)
		info->flags |= PKT_F_FRAGMENT | (info->frag_off == 0 ? PKT_F_FIRST_FRAG : 0);
	m->l2_len = l3_off;
	m->l3_len = ihl;

	if (info->proto != IPPROTO_TCP && info->proto != IPPROTO_UDP && info->proto != IPPROTO_ICMP)
		return PKT_DROP_proto_unsupported;
	/* The transport header must also sit in the first segment. */
	if (seg_len < l3_off + ihl + RTE_MIN(info->l4_len, pkt_l4_min_len(info->proto)))
		return PKT_DROP_l4_truncated;
	return parse_l4(info);
}
