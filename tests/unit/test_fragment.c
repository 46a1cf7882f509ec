/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fragmenter (dp_frag.c): datagrams of random sizes over random MTUs, each fragment checked from
 * scratch (length within the MTU, offsets in 8-byte units, MF, ID, header checksum recomputed, the
 * options RFC 791 copies), and the fragments reassembled equal to the original.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <rte_ip.h>

#include "dp_frag.h"
#include "test_support.h"

#define BIG_ROOM (RTE_PKTMBUF_HEADROOM + 16384)

static struct rte_mempool *big;

static void setup(void)
{
	test_eal_init();
	big = rte_pktmbuf_pool_create("frag_big", 511, 0, 0, BIG_ROOM, SOCKET_ID_ANY);
	cr_assert_not_null(big);
}

TestSuite(fragment, .init = setup);

/* Router Alert (copied into every fragment), then Record Route (first fragment only), then NOPs. */
static const uint8_t options[] = {0x94, 4, 0, 0, 0x07, 7, 4, 0, 0, 0, 0, 0x01};

/* An Ethernet + IPv4 datagram of `payload` bytes after a header with `opt_len` option bytes. */
static struct rte_mbuf *datagram(uint16_t payload, uint8_t opt_len, uint16_t frag_off, unsigned seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(big);
	uint16_t ihl = (uint16_t)(20 + opt_len), i;
	uint8_t *frame;
	struct rte_ipv4_hdr *ip;

	cr_assert_not_null(m);
	frame = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(RTE_ETHER_HDR_LEN + ihl + payload));
	cr_assert_not_null(frame);
	memset(frame, 0, RTE_ETHER_HDR_LEN);
	m->l2_len = RTE_ETHER_HDR_LEN;
	ip = (struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = (uint8_t)(0x40 | ihl / 4);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + payload));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)(seed * 7919));
	ip->fragment_offset = rte_cpu_to_be_16(frag_off);
	ip->time_to_live = 63;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = ip4(203, 0, 113, 1);
	ip->dst_addr = ip4(198, 51, 100, 10);
	memcpy(ip + 1, options, opt_len);
	for (i = 0; i < payload; i++)
		((uint8_t *)ip)[ihl + i] = (uint8_t)(seed + i * 13 + (i >> 8));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

/* Fragments `m` over `mtu` and checks every fragment and the reassembly. */
static void check_fragments(struct rte_mbuf *m, uint16_t mtu)
{
	const struct rte_ipv4_hdr *orig = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	uint16_t orig_ihl = rte_ipv4_hdr_len(orig), orig_len = rte_be_to_cpu_16(orig->total_length);
	uint16_t orig_off = rte_be_to_cpu_16(orig->fragment_offset);
	uint16_t payload = (uint16_t)(orig_len - orig_ihl), next = 0;
	struct rte_ipv4_hdr saved = *orig;
	uint8_t *want = malloc(payload), *got = calloc(1, payload);
	struct rte_mbuf *frags[DP_FRAG_MAX];
	int n, i;

	memcpy(want, (const uint8_t *)orig + orig_ihl, payload);
	n = dp_fragment(m, mtu, big, frags, DP_FRAG_MAX);
	cr_assert_gt(n, 1, "%u bytes over MTU %u: %d fragments", orig_len, mtu, n);
	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(frags[i], struct rte_ipv4_hdr *);
		uint16_t ihl = rte_ipv4_hdr_len(ip), len = rte_be_to_cpu_16(ip->total_length);
		uint16_t off = rte_be_to_cpu_16(ip->fragment_offset), at = (off & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		uint16_t cksum = ip->hdr_checksum;
		bool last = i == n - 1;

		cr_assert_eq(frags[i]->nb_segs, 1, "one segment: every driver sends it");
		cr_assert_eq(frags[i]->l2_len, 0);
		cr_assert_geq(rte_pktmbuf_headroom(frags[i]), RTE_ETHER_HDR_LEN + 4, "room for the link header");
		cr_assert_eq(rte_pktmbuf_pkt_len(frags[i]), len);
		cr_assert_leq(len, mtu, "fragment %d: %u bytes over MTU %u", i, len, mtu);
		cr_assert_eq(ip->packet_id, saved.packet_id, "the datagram's IP ID");
		cr_assert_eq(ip->src_addr, saved.src_addr);
		cr_assert_eq(ip->dst_addr, saved.dst_addr);
		cr_assert_eq(ip->next_proto_id, saved.next_proto_id);
		cr_assert_eq(ip->time_to_live, saved.time_to_live);
		cr_assert_eq(off & RTE_IPV4_HDR_DF_FLAG, 0);
		/* MF on all but the last; on the last too when the datagram was a non-last fragment. */
		cr_assert_eq(!!(off & RTE_IPV4_HDR_MF_FLAG), !last || (orig_off & RTE_IPV4_HDR_MF_FLAG),
			     "fragment %d of %d: MF", i, n);
		cr_assert_geq(at, (orig_off & RTE_IPV4_HDR_OFFSET_MASK) * 8);
		at = (uint16_t)(at - (orig_off & RTE_IPV4_HDR_OFFSET_MASK) * 8);
		cr_assert_eq(at, next, "fragment %d starts at %u, not where the last ended (%u)", i, at, next);
		cr_assert(last || (len - ihl) % 8 == 0, "all but the last carry multiples of 8 bytes");
		ip->hdr_checksum = 0;
		cr_assert_eq(cksum, rte_ipv4_cksum(ip), "fragment %d: header checksum", i);
		ip->hdr_checksum = cksum;
		/* RFC 791: the first fragment keeps every option; the others only those with the copy bit. */
		if (i == 0)
			cr_assert_eq(ihl, orig_ihl);
		else if (orig_ihl > 20)
			cr_assert(ihl == 24 && memcmp(ip + 1, options, 4) == 0,
				  "fragment %d: only Router Alert (copied) follows, ihl %u", i, ihl);
		cr_assert_leq(at + len - ihl, payload);
		memcpy(got + at, (const uint8_t *)ip + ihl, (size_t)len - ihl);
		next = (uint16_t)(at + len - ihl);
		rte_pktmbuf_free(frags[i]);
	}
	cr_assert_eq(next, payload, "the fragments cover the datagram");
	cr_assert(memcmp(got, want, payload) == 0, "reassembly equals the original");
	free(want);
	free(got);
}

Test(fragment, random_sizes_and_mtus_reassemble_to_the_original)
{
	unsigned seed;

	srand(14);
	for (seed = 0; seed < 2000; seed++) {
		uint16_t mtu = (uint16_t)(576 + rand() % (9000 - 576));
		uint16_t payload = (uint16_t)(mtu + 1 + rand() % (12000 - mtu));
		uint8_t opt = (uint8_t)(rand() % 2 ? sizeof(options) : 0);

		check_fragments(datagram(payload, opt, 0, seed), mtu);
	}
}

Test(fragment, an_8000_byte_datagram_over_1500)
{
	check_fragments(datagram(7972, 0, 0, 1), 1500);
}

Test(fragment, a_fragment_fragmented_again_keeps_its_place_and_mf)
{
	/* Offset 1480 bytes, MF: the middle of a datagram fragmented upstream. */
	check_fragments(datagram(4000, 0, (uint16_t)(RTE_IPV4_HDR_MF_FLAG | 185), 2), 1280);
	check_fragments(datagram(4000, 0, 370, 3), 1280); /* the last one: no MF */
}

Test(fragment, not_enough_room_leaves_the_datagram_untouched)
{
	struct rte_mbuf *m = datagram(8000, 0, 0, 4), *frags[2];
	uint16_t len = rte_pktmbuf_pkt_len(m);

	cr_assert_lt(dp_fragment(m, 1500, big, frags, 2), 0);
	cr_assert_eq(rte_pktmbuf_pkt_len(m), len, "the caller still owns the whole frame");
	cr_assert_eq(m->l2_len, RTE_ETHER_HDR_LEN);
	rte_pktmbuf_free(m);
}
