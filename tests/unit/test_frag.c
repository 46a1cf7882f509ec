/* SPDX-License-Identifier: BSD-3-Clause */
/* Fragments: shallow virtual reassembly, both directions, in and out of order. */
#include <string.h>

#include <criterion/criterion.h>
#include <rte_ether.h>
#include <rte_udp.h>

#include "cksum.h"
#include "test_support.h"

#define H ip4(10, 0, 0, 5)
#define H2 ip4(10, 0, 0, 6)
#define R ip4(198, 51, 100, 10)
#define P ip4(203, 0, 113, 1)

TestSuite(frag, .init = test_nat_setup, .fini = test_nat_teardown);

/* A fragment of datagram `whole` holding transport bytes [start, end). */
static struct rte_mbuf *fragment(struct rte_mbuf *whole, uint16_t start, uint16_t end)
{
	struct rte_ipv4_hdr *wip = test_ip(whole);
	uint16_t ihl = rte_ipv4_hdr_len(wip);
	uint16_t l4_total = rte_be_to_cpu_16(wip->total_length) - ihl;
	uint16_t l2 = (uint16_t)((uint8_t *)wip - rte_pktmbuf_mtod(whole, uint8_t *));
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool());
	uint8_t *d;
	struct rte_ipv4_hdr *ip;
	uint16_t flags;

	cr_assert_not_null(m);
	d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l2 + ihl + (end - start)));
	memcpy(d, rte_pktmbuf_mtod(whole, uint8_t *), (size_t)l2 + ihl);
	memcpy(d + l2 + ihl, (uint8_t *)wip + ihl + start, end - start);
	ip = (struct rte_ipv4_hdr *)(d + l2);
	flags = (uint16_t)(start / 8) | (end < l4_total ? RTE_IPV4_HDR_MF_FLAG : 0);
	ip->fragment_offset = rte_cpu_to_be_16(flags);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + end - start));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

static struct rte_mbuf *datagram(rte_be32_t src, uint16_t sport, rte_be32_t dst, uint16_t dport,
				 uint16_t id)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = src, .dst = dst, .sport = sport, .dport = dport,
			     .payload_len = 100 /* 108 transport bytes: 40 + 40 + 28 */, .ip_id = id, .seed = 3};

	return test_build(&p);
}

/* Puts translated fragments back together and checks the datagram's UDP checksum from scratch. */
static void check_reassembled(struct rte_mbuf **frags, uint16_t n, uint16_t l4_total)
{
	uint8_t buf[2048];
	struct rte_ipv4_hdr first_ip;
	uint16_t i, covered = 0;
	uint32_t sum;

	for (i = 0; i < n; i++) {
		struct rte_ipv4_hdr *ip = test_ip(frags[i]);
		uint16_t off = (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_OFFSET_MASK) * 8;
		uint16_t len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);

		cr_assert(test_checksums_ok(frags[i]), "fragment %u: IP header checksum", i);
		cr_assert_eq(ip->packet_id, test_ip(frags[0])->packet_id, "fragments must share their ID");
		cr_assert_eq(ip->src_addr, test_ip(frags[0])->src_addr);
		cr_assert_eq(ip->dst_addr, test_ip(frags[0])->dst_addr);
		memcpy(buf + off, (uint8_t *)ip + rte_ipv4_hdr_len(ip), len);
		if (off == 0)
			first_ip = *ip;
		covered = (uint16_t)(covered + len);
	}
	cr_assert_eq(covered, l4_total);
	sum = cksum_partial(&first_ip.src_addr, 8, 0);
	sum += rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(l4_total);
	sum = cksum_partial(buf, l4_total, sum);
	cr_assert_eq(cksum_fold(sum), 0xffff, "reassembled UDP checksum wrong");
}

static void free_all(struct rte_mbuf **m, uint16_t n)
{
	while (n--)
		rte_pktmbuf_free(m[n]);
}

Test(frag, in_order_fragments_follow_the_first)
{
	struct rte_mbuf *whole = datagram(H, 5000, R, 53, 42);
	struct rte_mbuf *in[3] = {fragment(whole, 0, 40), fragment(whole, 40, 80), fragment(whole, 80, 108)};
	struct rte_mbuf *out[8];
	uint16_t n = test_burst(&nat, NAT_DIR_IN2OUT, in, 3, out, 8, 1);

	cr_assert_eq(n, 3);
	cr_assert_eq(test_ip(out[0])->src_addr, P);
	cr_assert_eq(test_sport(out[0]), 5000);
	check_reassembled(out, n, 108);
	free_all(out, n);
	rte_pktmbuf_free(whole);
}

Test(frag, out_of_order_fragments_wait_for_the_first)
{
	struct rte_mbuf *whole = datagram(H, 5000, R, 53, 43);
	struct rte_mbuf *later[2] = {fragment(whole, 80, 108), fragment(whole, 40, 80)};
	struct rte_mbuf *first = fragment(whole, 0, 40);
	struct rte_mbuf *out[8];
	uint16_t n;

	n = test_burst(&nat, NAT_DIR_IN2OUT, later, 2, out, 8, 1);
	cr_assert_eq(n, 0, "later fragments must wait for the first");
	cr_assert_eq(nat.w.stats.frags_held, 2);
	n = test_burst(&nat, NAT_DIR_IN2OUT, &first, 1, out, 8, 2);
	cr_assert_eq(n, 3, "the first fragment releases the held ones");
	check_reassembled(out, n, 108);
	free_all(out, n);
	rte_pktmbuf_free(whole);
}

Test(frag, inbound_fragments_reach_the_host_in_any_order)
{
	struct rte_mbuf *first = datagram(H, 5000, R, 53, 1), *reply, *in[3], *out[8];
	uint16_t n;

	first = test_in2out(&nat, first, 1);
	cr_assert_not_null(first);
	rte_pktmbuf_free(first);
	reply = datagram(R, 53, P, 5000, 900);
	in[0] = fragment(reply, 40, 80);
	in[1] = fragment(reply, 0, 40);
	in[2] = fragment(reply, 80, 108);
	n = test_burst(&nat, NAT_DIR_OUT2IN, in, 3, out, 8, 2);
	cr_assert_eq(n, 3);
	cr_assert_eq(test_ip(out[0])->dst_addr, H);
	check_reassembled(out, n, 108);
	free_all(out, n);
	rte_pktmbuf_free(reply);
}

Test(frag, ip_ids_stay_unique_after_translation)
{
	struct rte_mbuf *a = datagram(H, 5000, R, 53, 7), *b = datagram(H2, 6000, R, 53, 7);
	struct rte_mbuf *in[2] = {fragment(a, 0, 40), fragment(b, 0, 40)}, *out[4];
	uint16_t n = test_burst(&nat, NAT_DIR_IN2OUT, in, 2, out, 4, 1);

	cr_assert_eq(n, 2);
	cr_assert_eq(test_ip(out[0])->src_addr, test_ip(out[1])->src_addr);
	cr_assert_neq(test_ip(out[0])->packet_id, test_ip(out[1])->packet_id,
		      "two datagrams from one public address with one ID would be merged by the receiver");
	free_all(out, n);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

Test(frag, lone_non_first_fragment_is_freed_when_it_times_out)
{
	struct rte_mbuf *whole = datagram(H, 5000, R, 53, 44), *lone = fragment(whole, 40, 80), *out[2];
	unsigned before;
	int i;

	rte_pktmbuf_free(whole);
	before = rte_mempool_avail_count(test_pool());
	cr_assert_eq(test_burst(&nat, NAT_DIR_IN2OUT, &lone, 1, out, 2, 1), 0);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before);
	for (i = 0; i < 2048; i++)
		nat_worker_expire(&nat.w, 1 + nat.config.timeout[NAT_TIMEOUT_FRAGMENT], 64);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before + 1, "held fragment leaked");
	cr_assert_eq(test_drops(&nat, PKT_DROP_frag_orphan), 1);
}

Test(frag, overlapping_fragment_is_dropped)
{
	struct rte_mbuf *whole = datagram(H, 5000, R, 53, 45);
	struct rte_mbuf *in[2] = {fragment(whole, 0, 40), fragment(whole, 32, 80)}, *out[4];
	uint16_t n = test_burst(&nat, NAT_DIR_IN2OUT, in, 2, out, 4, 1);

	cr_assert_eq(n, 1);
	cr_assert_eq(test_drops(&nat, PKT_DROP_frag_overlap), 1);
	free_all(out, n);
	rte_pktmbuf_free(whole);
}

Test(frag, duplicate_fragment_is_dropped)
{
	struct rte_mbuf *whole = datagram(H, 5000, R, 53, 46);
	struct rte_mbuf *in[3] = {fragment(whole, 0, 40), fragment(whole, 40, 80), fragment(whole, 40, 80)};
	struct rte_mbuf *out[4];
	uint16_t n = test_burst(&nat, NAT_DIR_IN2OUT, in, 3, out, 4, 1);

	cr_assert_eq(n, 2);
	cr_assert_eq(test_drops(&nat, PKT_DROP_frag_overlap), 1);
	free_all(out, n);
	rte_pktmbuf_free(whole);
}

Test(frag, fragments_of_an_unknown_inbound_flow_are_dropped_and_freed)
{
	struct rte_mbuf *reply = datagram(R, 53, P, 5000, 901), *out[4];
	struct rte_mbuf *in[2] = {fragment(reply, 40, 80), fragment(reply, 0, 40)};
	unsigned before;
	int i;

	rte_pktmbuf_free(reply);
	before = rte_mempool_avail_count(test_pool());
	cr_assert_eq(test_burst(&nat, NAT_DIR_OUT2IN, in, 2, out, 4, 1), 0);
	for (i = 0; i < 2048; i++)
		nat_worker_expire(&nat.w, 100, 64);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before + 2);
	cr_assert_eq(test_drops(&nat, PKT_DROP_no_session), 1);
}

/* Sends the later pieces (never the first) of `n` datagrams from `src`; returns how many were held. */
static uint32_t hold_orphans(rte_be32_t src, uint16_t first_id, unsigned n)
{
	struct rte_mbuf *whole, *in[2], *out[4];
	unsigned i;

	for (i = 0; i < n; i++) {
		whole = datagram(src, 5000, R, 53, (uint16_t)(first_id + i));
		in[0] = fragment(whole, 40, 80);
		in[1] = fragment(whole, 80, 108);
		rte_pktmbuf_free(whole);
		cr_assert_eq(test_burst(&nat, NAT_DIR_IN2OUT, in, 2, out, 4, 1), 0);
	}
	return nat.w.frags.held;
}

Test(frag, held_fragments_stay_within_the_workers_share_and_return_to_the_pool)
{
	unsigned before = rte_mempool_avail_count(test_pool()), i;

	/* From many sources, more than the share: the excess is refused, counted, and freed at once. */
	for (i = 0; i < 64; i++)
		hold_orphans(ip4(10, 0, 1, (uint8_t)i), (uint16_t)(i * 64), 24);
	cr_assert_leq(nat.w.frags.held, NAT_FRAG_HELD_DEFAULT);
	cr_assert_gt(test_drops(&nat, PKT_DROP_frag_table_full), 0);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before - nat.w.frags.held,
		     "every refused fragment goes back to the pool");
	for (i = 0; i < 2048; i++)
		nat_worker_expire(&nat.w, 1 + nat.config.timeout[NAT_TIMEOUT_FRAGMENT], 64);
	cr_assert_eq(nat.w.frags.held, 0);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before, "held fragments leaked");
}

Test(frag, one_source_holds_at_most_a_quarter_and_others_still_get_through)
{
	struct rte_mbuf *whole, *later[2], *first, *out[8];

	hold_orphans(H2, 1000, 400);
	cr_assert_eq(nat.w.frags.held, NAT_FRAG_HELD_DEFAULT / NAT_FRAG_SOURCE_SHARE);
	/* Another host's out-of-order datagram still waits and completes. */
	whole = datagram(H, 5000, R, 53, 77);
	later[0] = fragment(whole, 80, 108);
	later[1] = fragment(whole, 40, 80);
	first = fragment(whole, 0, 40);
	cr_assert_eq(test_burst(&nat, NAT_DIR_IN2OUT, later, 2, out, 8, 1), 0);
	cr_assert_eq(test_burst(&nat, NAT_DIR_IN2OUT, &first, 1, out, 8, 1), 3);
	check_reassembled(out, 3, 108);
	free_all(out, 3);
	rte_pktmbuf_free(whole);
}
