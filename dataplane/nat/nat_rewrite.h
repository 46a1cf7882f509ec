/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header rewrites with their checksum updates (RFC 1624). Every change of an address or port goes
 * through these, so no caller can forget a checksum.
 */
#pragma once

#include <netinet/in.h>

#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "cksum.h"

/* Which end of a packet a rewrite applies to. (DPDK's headers are packed, so fields are named,
 * never reached through pointers that would claim an alignment the frame does not have.) */
enum nat_side {
	NAT_SIDE_SRC,
	NAT_SIDE_DST,
};

/*
 * Sets the IPv4 source or destination address to `addr`, updating the header checksum and, when the
 * transport header `l4` is present, its pseudo-header checksum.
 */
static inline void nat_rewrite_addr(struct rte_ipv4_hdr *ip, enum nat_side side, rte_be32_t addr,
				    void *l4)
{
	rte_be32_t old;

	if (side == NAT_SIDE_SRC) {
		old = ip->src_addr;
		ip->src_addr = addr;
	} else {
		old = ip->dst_addr;
		ip->dst_addr = addr;
	}
	ip->hdr_checksum = cksum_adjust32(ip->hdr_checksum, old, addr);
	if (l4 == NULL)
		return;
	if (ip->next_proto_id == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = l4;

		tcp->cksum = cksum_adjust32(tcp->cksum, old, addr);
	} else if (ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = l4;

		udp->dgram_cksum = cksum_udp_adjust32(udp->dgram_cksum, old, addr);
	}
}

/* Sets the source or destination port, or for ICMP echo the identifier, to `port`. */
static inline void nat_rewrite_port(uint8_t proto, void *l4, enum nat_side side, rte_be16_t port)
{
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = l4;

		if (side == NAT_SIDE_SRC) {
			tcp->cksum = cksum_adjust16(tcp->cksum, tcp->src_port, port);
			tcp->src_port = port;
		} else {
			tcp->cksum = cksum_adjust16(tcp->cksum, tcp->dst_port, port);
			tcp->dst_port = port;
		}
	} else if (proto == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = l4;

		if (side == NAT_SIDE_SRC) {
			udp->dgram_cksum = cksum_udp_adjust16(udp->dgram_cksum, udp->src_port, port);
			udp->src_port = port;
		} else {
			udp->dgram_cksum = cksum_udp_adjust16(udp->dgram_cksum, udp->dst_port, port);
			udp->dst_port = port;
		}
	} else {
		struct rte_icmp_hdr *icmp = l4;

		icmp->icmp_cksum = cksum_adjust16(icmp->icmp_cksum, icmp->icmp_ident, port);
		icmp->icmp_ident = port;
	}
}

static inline void nat_rewrite_ip_id(struct rte_ipv4_hdr *ip, rte_be16_t id)
{
	ip->hdr_checksum = cksum_adjust16(ip->hdr_checksum, ip->packet_id, id);
	ip->packet_id = id;
}
