/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing and validation of one received frame: Ethernet, at most one 802.1Q tag, IPv4 with
 * options, and the TCP, UDP or ICMP header. Nothing past this point has to check a length again.
 */
#pragma once

#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

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

/*
 * Parses `m` into `info`. Returns PKT_DROP_NONE, or the reason to drop it. Sets the mbuf's l2_len
 * and l3_len so that later stages and TX offloads can use them.
 */
enum pkt_drop pkt_parse(struct rte_mbuf *m, struct pkt_info *info);

/* Transport header size the NAT needs to see in a first fragment (ports, TCP flags, checksums). */
static inline uint16_t pkt_l4_min_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 20 : 8;
}
