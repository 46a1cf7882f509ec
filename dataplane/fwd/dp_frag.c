/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "dp_frag.h"

int dp_fragment(struct rte_mbuf *m, uint16_t mtu, struct rte_mempool *pool, struct rte_mbuf **out,
		uint16_t max)
{
	uint16_t l2_len = (uint16_t)m->l2_len;
	int32_t n, i;

	/* DPDK's fragmenter (with the option rules of RFC 791) reads the datagram from its IP header. */
	rte_pktmbuf_adj(m, l2_len);
	n = rte_ipv4_fragment_copy_nonseg_packet(m, out, max, mtu, pool);
	if (n < 0) {
		rte_pktmbuf_prepend(m, l2_len);
		return n;
	}
	rte_pktmbuf_free(m);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(out[i], struct rte_ipv4_hdr *);

		out[i]->l2_len = 0;
		out[i]->l3_len = rte_ipv4_hdr_len(ip);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	return n;
}
