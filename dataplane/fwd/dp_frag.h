/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fragmentation as a router does it (RFC 791, RFC 1812 §4.2.2.7): an IPv4 datagram larger than the
 * egress MTU and without DF leaves as fragments, after translation, each carrying the translated
 * header with its IP ID, offsets in 8-byte units, MF on all but the last (or all, when the datagram
 * was itself a non-last fragment), only the options RFC 791 says to copy past the first, and its own
 * header checksum. Rare by nature (the MTUs of a path are normally set to avoid it), so it copies:
 * each fragment is one single-segment mbuf, which every driver can send.
 */
#pragma once

#include <rte_mbuf.h>

#define DP_FRAG_MAX 64 /* a 64 KiB datagram over a 1,280-byte MTU: 52 fragments */

/*
 * Splits `m` (IP header at m->l2_len, DF clear) into fragments of at most `mtu` bytes of IP, new
 * mbufs from `pool` that start at their IP header (l2_len 0), headroom left for the link header.
 * Returns how many, with `m` freed; or a negative errno, `m` untouched.
 */
int dp_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool, struct rte_mbuf **out,
		uint16_t max);
