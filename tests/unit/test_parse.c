/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing: every malformed case is refused with its own reason. */
#include <criterion/criterion.h>
#include <rte_ether.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test_support.h"

TestSuite(parse, .init = test_eal_init);

static struct rte_mbuf *valid_tcp(void)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = ip4(10, 0, 0, 5), .dst = ip4(198, 51, 100, 1),
			     .sport = 1000, .dport = 443, .tcp_flags = RTE_TCP_SYN_FLAG, .payload_len = 10};

	return test_build(&p);
}

static enum pkt_drop parse(struct rte_mbuf *m)
{
	struct pkt_info info;
	enum pkt_drop why = pkt_parse(m, &info);

	rte_pktmbuf_free(m);
	return why;
}

/* Recomputes the IP header checksum after a test changed a header field. */
static void reseal(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = test_ip(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

Test(parse, valid_frame_fills_the_offsets)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = ip4(10, 0, 0, 5), .dst = ip4(198, 51, 100, 1),
			     .sport = 1, .dport = 2, .vlan = 100, .ip_options = 8};
	struct rte_mbuf *m = test_build(&p);
	struct pkt_info info;

	cr_assert_eq(pkt_parse(m, &info), PKT_DROP_NONE);
	cr_assert_eq(info.l3_off, 18);
	cr_assert_eq(m->l2_len, 18);
	cr_assert_eq(m->l3_len, 28);
	cr_assert(info.flags & PKT_F_VLAN);
	cr_assert_eq(info.vlan, 100);
	cr_assert_eq(info.proto, IPPROTO_UDP);
	cr_assert_eq((uint8_t *)info.l4 - (uint8_t *)info.ip, 28);
	rte_pktmbuf_free(m);
}

Test(parse, short_frame_is_l2_truncated)
{
	struct rte_mbuf *m = valid_tcp();

	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 10);
	cr_assert_eq(parse(m), PKT_DROP_l2_truncated);
}

Test(parse, two_vlan_tags_are_refused)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = ip4(10, 0, 0, 5), .dst = ip4(1, 1, 1, 1), .vlan = 5};
	struct rte_mbuf *m = test_build(&p);
	struct rte_vlan_hdr *vh = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *, sizeof(struct rte_ether_hdr));

	vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	cr_assert_eq(parse(m), PKT_DROP_vlan_stacked);
}

Test(parse, non_ipv4_ethertype_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	cr_assert_eq(parse(m), PKT_DROP_not_ipv4);
}

Test(parse, frame_cut_inside_the_ip_header_is_ip_truncated)
{
	struct rte_mbuf *m = valid_tcp();

	rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - 14 - 12);
	cr_assert_eq(parse(m), PKT_DROP_ip_truncated);
}

Test(parse, total_length_beyond_the_frame_is_ip_truncated)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->total_length = rte_cpu_to_be_16(1400);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_ip_truncated);
}

Test(parse, ethernet_padding_after_the_datagram_is_accepted)
{
	struct rte_mbuf *m = valid_tcp();

	cr_assert_not_null(rte_pktmbuf_append(m, 6));
	cr_assert_eq(parse(m), PKT_DROP_NONE);
}

Test(parse, ip_version_6_in_an_ipv4_frame_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->version_ihl = 0x65;
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_version);
}

Test(parse, header_length_below_20_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->version_ihl = 0x44;
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_ihl);
}

Test(parse, total_length_below_header_length_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->total_length = rte_cpu_to_be_16(19);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_total_length);
}

Test(parse, wrong_header_checksum_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->hdr_checksum ^= 0x0100;
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_checksum);
}

Test(parse, loopback_and_multicast_sources_are_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->src_addr = ip4(127, 0, 0, 1);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_source);
	m = valid_tcp();
	test_ip(m)->src_addr = ip4(224, 0, 0, 5);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_ip_bad_source);
}

Test(parse, other_protocols_are_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->next_proto_id = 47; /* GRE */
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_proto_unsupported);
}

Test(parse, datagram_too_short_for_its_transport_header_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->total_length = rte_cpu_to_be_16(20 + 12);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_l4_truncated);
}

Test(parse, tcp_data_offset_beyond_the_segment_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	((struct rte_tcp_hdr *)test_l4(m))->data_off = 15 << 4;
	cr_assert_eq(parse(m), PKT_DROP_tcp_bad_offset);
	m = valid_tcp();
	((struct rte_tcp_hdr *)test_l4(m))->data_off = 4 << 4;
	cr_assert_eq(parse(m), PKT_DROP_tcp_bad_offset);
}

Test(parse, udp_length_beyond_the_datagram_is_refused)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = ip4(10, 0, 0, 5), .dst = ip4(1, 1, 1, 1), .payload_len = 4};
	struct rte_mbuf *m = test_build(&p);

	((struct rte_udp_hdr *)test_l4(m))->dgram_len = rte_cpu_to_be_16(100);
	cr_assert_eq(parse(m), PKT_DROP_l4_truncated);
}

Test(parse, tiny_first_fragment_is_refused)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = ip4(10, 0, 0, 5), .dst = ip4(1, 1, 1, 1)};
	struct rte_mbuf *m = test_build(&p);

	/* First fragment holding only 8 bytes of the TCP header: its flags come later. */
	test_ip(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	test_ip(m)->total_length = rte_cpu_to_be_16(28);
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_frag_tiny);
}

Test(parse, fragment_overlapping_the_transport_header_is_refused)
{
	struct rte_mbuf *m = valid_tcp();

	test_ip(m)->fragment_offset = rte_cpu_to_be_16(1); /* offset 8 bytes: inside the TCP header */
	reseal(m);
	cr_assert_eq(parse(m), PKT_DROP_frag_overlap);
}

Test(parse, fragments_are_flagged)
{
	struct rte_mbuf *m = valid_tcp();
	struct pkt_info info;

	test_ip(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	reseal(m);
	cr_assert_eq(pkt_parse(m, &info), PKT_DROP_NONE);
	cr_assert_eq(info.flags & (PKT_F_FRAGMENT | PKT_F_FIRST_FRAG), PKT_F_FRAGMENT | PKT_F_FIRST_FRAG);
	test_ip(m)->fragment_offset = rte_cpu_to_be_16(100);
	reseal(m);
	cr_assert_eq(pkt_parse(m, &info), PKT_DROP_NONE);
	cr_assert_eq(info.flags & (PKT_F_FRAGMENT | PKT_F_FIRST_FRAG), PKT_F_FRAGMENT);
	cr_assert_null(info.l4);
	cr_assert_eq(info.frag_off, 800);
	rte_pktmbuf_free(m);
}

/* The one-pass parse of the common case and the full one must never disagree: mutate valid frames
 * at random (lengths, header bytes, sizes, tags) and compare verdict and every field. */
Test(parse, the_fast_path_agrees_with_the_full_parse_on_a_million_mutated_frames)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP};
	uint64_t rng = 0x5ec0a7;
	unsigned fast_accepted = 0, i;

	for (i = 0; i < 1000000; i++) {
		struct test_pkt p = {.proto = protos[i % 3], .src = ip4(10, 0, 0, 5),
				     .dst = ip4(198, 51, 100, 1), .sport = 1000, .dport = 443,
				     .tcp_flags = RTE_TCP_ACK_FLAG, .payload_len = (uint16_t)(i % 40),
				     .vlan = (uint16_t)(i % 3 == 0 ? 100 : 0), .ip_options = (uint8_t)(i % 17 == 0 ? 4 : 0)};
		struct rte_mbuf *a = test_build(&p), *b = test_build(&p);
		struct pkt_info ia, ib;
		enum pkt_drop wa, wb;
		unsigned k, n = (unsigned)(i % 4);

		/* Up to three random byte changes in the first 64 bytes, sometimes a shorter frame. */
		for (k = 0; k < n; k++) {
			uint32_t r;

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			r = (uint32_t)(rng >> 32);
			if (r % 64 < rte_pktmbuf_data_len(a)) {
				uint8_t v = (uint8_t)(r >> 8);

				rte_pktmbuf_mtod(a, uint8_t *)[r % 64] = v;
				rte_pktmbuf_mtod(b, uint8_t *)[r % 64] = v;
			}
			if ((r >> 16) % 16 == 0) {
				uint16_t cut = (uint16_t)((r >> 20) % rte_pktmbuf_data_len(a));

				rte_pktmbuf_trim(a, cut);
				rte_pktmbuf_trim(b, cut);
			}
		}
		memset(&ia, 0xa5, sizeof(ia));
		memset(&ib, 0xa5, sizeof(ib));
		wa = pkt_parse(a, &ia);
		wb = pkt_parse_full(b, &ib);
		cr_assert_eq(wa, wb, "frame %u: fast path says %d, full parse %d", i, wa, wb);
		if (wa == PKT_DROP_NONE) {
			fast_accepted++;
			cr_assert_eq((uint8_t *)ia.ip - rte_pktmbuf_mtod(a, uint8_t *),
				     (uint8_t *)ib.ip - rte_pktmbuf_mtod(b, uint8_t *), "frame %u: ip", i);
			cr_assert_eq(ia.l4 == NULL, ib.l4 == NULL, "frame %u: l4", i);
			if (ia.l4 != NULL)
				cr_assert_eq((uint8_t *)ia.l4 - (uint8_t *)ia.ip, (uint8_t *)ib.l4 - (uint8_t *)ib.ip,
					     "frame %u: l4", i);
			cr_assert_eq(ia.l3_off, ib.l3_off, "frame %u", i);
			cr_assert_eq(ia.l4_len, ib.l4_len, "frame %u", i);
			cr_assert_eq(ia.frag_off, ib.frag_off, "frame %u", i);
			cr_assert_eq(ia.proto, ib.proto, "frame %u", i);
			cr_assert_eq(ia.flags, ib.flags, "frame %u", i);
			if (ia.flags & PKT_F_VLAN)
				cr_assert_eq(ia.vlan, ib.vlan, "frame %u", i);
			cr_assert_eq(a->l2_len, b->l2_len, "frame %u", i);
			cr_assert_eq(a->l3_len, b->l3_len, "frame %u", i);
		}
		rte_pktmbuf_free(a);
		rte_pktmbuf_free(b);
	}
	cr_assert_gt(fast_accepted, 100000, "too few valid frames to compare (%u)", fast_accepted);
}
