/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing and validation of one received frame: Ethernet, at most one 802.1Q tag, IPv4 with
 * options, and the TCP, UDP or ICMP header. Nothing past this point has to check a length again.
 */
#pragma once

#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "pkt_drop.h"

enum {
	PKT_F_VLAN = 1 << 0,       /* the frame carried an 802.1Q tag */
	PKT_F_FRAGMENT = 1 << 1,   /* part of a fragmented datagram (MF set or offset non-zero) */
	PKT_F_FIRST_FRAG = 1 << 2, /* the fragment at offset 0: it holds the transport header */
};

struct pkt_info {
	struct rte_ipv4_hdr *ip;
	void *l4;           /* transport header; NULL in a non-first fragment */
	uint16_t l3_off;    /* offset of the IPv4 header in the frame */
	uint16_t l4_len;    /* bytes after the IPv4 header in this datagram or fragment */
	uint16_t frag_off;  /* fragment offset in bytes */
	uint16_t vlan;      /* VLAN ID when PKT_F_VLAN */
	uint8_t proto;      /* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_ICMP */
	uint8_t flags;      /* PKT_F_* */
};

/* Transport header size the NAT needs to see in a first fragment (ports, TCP flags, checksums). */
static inline uint16_t pkt_l4_min_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 20 : 8;
}

/* Is the 20-byte IPv4 header at `ip` (no options) consistent with its checksum? Five 32-bit words
 * summed in 64 bits and folded: the one's complement sum is the same over words of any even width. */
static inline int pkt_ipv4_hdr20_sum_ok(const struct rte_ipv4_hdr *ip)
{
	uint32_t w[5];
	uint64_t sum;

	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * A source that no unicast host can have. Such packets are spoofed or broken, and translating them
 * would create sessions nobody can answer.
 */
static inline int pkt_ipv4_source_is_bogus(rte_be32_t src_be)
{
	uint32_t src = rte_be_to_cpu_32(src_be);

	return src == 0 || src == UINT32_MAX || (src >> 24) == 127 || (src >> 28) == 0xe;
}

/* Every case, with the precise reason for a drop. */
enum pkt_drop pkt_parse_full(struct rte_mbuf *m, struct pkt_info *info);

/*
 * Parses `m` into `info`. Returns PKT_DROP_NONE, or the reason to drop it. Sets the mbuf's l2_len
 * and l3_len so that later stages and TX offloads can use them.
 *
 * What nearly every packet is, checked in one pass here: at most one tag, IPv4 without options,
 * not a fragment, TCP, UDP or ICMP, headers in the first segment, lengths and checksum right.
 * Anything else goes to pkt_parse_full(), which accepts exactly the same packets the same way and
 * names the reason for the others.
 */
static __rte_always_inline enum pkt_drop pkt_parse(struct rte_mbuf *m, struct pkt_info *info)
{
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eth = (const void *)frame;
	uint16_t seg_len = rte_pktmbuf_data_len(m), l3_off = sizeof(*eth), total_len, l4_len, vlan = 0;
	rte_be16_t type = eth->ether_type;
	uint8_t flags = 0, proto;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4;

	if (unlikely(seg_len < RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr) + 20 + 20))
		return pkt_parse_full(m, info); /* short: every check matters */
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const void *)(eth + 1);

		flags = PKT_F_VLAN;
		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		type = vh->eth_proto;
		l3_off += sizeof(*vh);
	}
	ip = (struct rte_ipv4_hdr *)(uintptr_t)(frame + l3_off);
	total_len = rte_be_to_cpu_16(ip->total_length);
	proto = ip->next_proto_id;
	/* 40 bytes after the link header are in the segment: enough for IPv4 and any of the three. */
	if (unlikely(type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || ip->version_ihl != RTE_IPV4_VHL_DEF ||
		     (ip->fragment_offset & ~RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) != 0 ||
		     rte_pktmbuf_pkt_len(m) < (uint32_t)l3_off + total_len ||
		     total_len < sizeof(*ip) + pkt_l4_min_len(proto) ||
		     (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP) ||
		     (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		     ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
		      !pkt_ipv4_hdr20_sum_ok(ip)) ||
		     pkt_ipv4_source_is_bogus(ip->src_addr)))
		return pkt_parse_full(m, info);
	l4 = (uint8_t *)ip + sizeof(*ip);
	l4_len = (uint16_t)(total_len - sizeof(*ip));
	if (proto == IPPROTO_TCP) {
		const struct rte_tcp_hdr *tcp = (const void *)l4;
		uint16_t doff = (uint16_t)((tcp->data_off >> 4) * 4);

		if (unlikely(doff < 20 || doff > l4_len))
			return pkt_parse_full(m, info);
	} else if (proto == IPPROTO_UDP) {
		uint16_t len = rte_be_to_cpu_16(((const struct rte_udp_hdr *)(const void *)l4)->dgram_len);

		if (unlikely(len < 8 || len > l4_len))
			return pkt_parse_full(m, info);
	}
	info->ip = ip;
	info->l4 = l4;
	info->l3_off = l3_off;
	info->l4_len = l4_len;
	info->frag_off = 0;
	info->vlan = vlan;
	info->proto = proto;
	info->flags = flags;
	m->l2_len = l3_off;
	m->l3_len = sizeof(*ip);
	return PKT_DROP_NONE;
}
