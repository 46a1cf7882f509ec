/* SPDX-License-Identifier: BSD-3-Clause */
/* Translation and mapping behaviour of NAT-BEHAVIOUR.md, one behaviour per test. */
#include <criterion/criterion.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test_support.h"

#define H ip4(10, 0, 0, 5)
#define H2 ip4(10, 0, 0, 6)
#define R ip4(198, 51, 100, 10)
#define R2 ip4(198, 51, 100, 11)
#define P ip4(203, 0, 113, 1)

TestSuite(translate, .init = test_nat_setup, .fini = test_nat_teardown);

static struct rte_mbuf *udp(rte_be32_t src, uint16_t sport, rte_be32_t dst, uint16_t dport)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = src, .dst = dst, .sport = sport, .dport = dport,
			     .payload_len = 13};

	return test_build(&p);
}

static struct rte_mbuf *tcp(rte_be32_t src, uint16_t sport, rte_be32_t dst, uint16_t dport,
			    uint8_t flags)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = src, .dst = dst, .sport = sport, .dport = dport,
			     .tcp_flags = flags, .payload_len = 7, .df = true};

	return test_build(&p);
}

/* Sends H:sport -> dst:dport out and returns the external port it got. */
static uint16_t udp_out(rte_be32_t h, uint16_t sport, rte_be32_t dst, uint16_t dport)
{
	struct rte_mbuf *m = test_in2out(&nat, udp(h, sport, dst, dport), 1);
	uint16_t x;

	cr_assert_not_null(m, "outbound UDP was dropped");
	cr_assert(test_checksums_ok(m), "checksums wrong after translation");
	x = test_sport(m);
	rte_pktmbuf_free(m);
	return x;
}

Test(translate, outbound_udp_leaves_with_the_pool_address_and_its_source_port)
{
	struct rte_mbuf *m = test_in2out(&nat, udp(H, 40000, R, 53), 1);

	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->src_addr, P);
	cr_assert_eq(test_ip(m)->dst_addr, R);
	cr_assert_eq(test_sport(m), 40000);
	cr_assert_eq(test_dport(m), 53);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
}

Test(translate, reply_reaches_the_inside_host_with_valid_checksums)
{
	struct rte_mbuf *m;

	cr_assert_eq(udp_out(H, 40000, R, 53), 40000);
	m = test_out2in(&nat, udp(R, 53, P, 40000), 2);
	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->dst_addr, H);
	cr_assert_eq(test_dport(m), 40000);
	cr_assert_eq(test_ip(m)->src_addr, R);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
}

Test(translate, unsolicited_inbound_is_dropped_and_counted)
{
	cr_assert_null(test_out2in(&nat, udp(R, 53, P, 40000), 1));
	cr_assert_null(test_out2in(&nat, tcp(R, 443, P, 40000, RTE_TCP_SYN_FLAG), 1));
	cr_assert_eq(test_drops(&nat, PKT_DROP_no_session), 2);
}

Test(translate, filtering_is_address_and_port_dependent)
{
	udp_out(H, 40000, R, 53);
	cr_assert_null(test_out2in(&nat, udp(R, 54, P, 40000), 2), "other remote port got in");
	cr_assert_null(test_out2in(&nat, udp(R2, 53, P, 40000), 2), "other remote address got in");
}

Test(translate, a_udp_mapping_does_not_open_tcp)
{
	udp_out(H, 40000, R, 53);
	cr_assert_null(test_out2in(&nat, tcp(R, 53, P, 40000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG), 2));
}

Test(translate, tcp_connection_round_trip)
{
	struct rte_mbuf *m = test_in2out(&nat, tcp(H, 33000, R, 443, RTE_TCP_SYN_FLAG), 1);

	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->src_addr, P);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
	m = test_out2in(&nat, tcp(R, 443, P, 33000, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG), 1);
	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->dst_addr, H);
	cr_assert_eq(test_dport(m), 33000);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
}

Test(translate, tcp_without_syn_opens_nothing)
{
	cr_assert_null(test_in2out(&nat, tcp(H, 33000, R, 443, RTE_TCP_ACK_FLAG), 1));
	cr_assert_eq(test_drops(&nat, PKT_DROP_tcp_not_syn), 1);
	cr_assert_eq(nat.w.stats.created, 0);
}

Test(translate, port_overlapping_serves_two_remotes_with_one_external_port)
{
	struct rte_mbuf *a, *b;

	cr_assert_eq(udp_out(H, 40000, R, 53), 40000);
	cr_assert_eq(udp_out(H2, 40000, R2, 53), 40000, "the same P:x must serve another remote");
	a = test_out2in(&nat, udp(R, 53, P, 40000), 2);
	b = test_out2in(&nat, udp(R2, 53, P, 40000), 2);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_eq(test_ip(a)->dst_addr, H);
	cr_assert_eq(test_ip(b)->dst_addr, H2);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

Test(translate, two_hosts_with_the_same_port_to_the_same_remote_get_different_ports)
{
	uint16_t x1 = udp_out(H, 5000, R, 53);
	uint16_t x2 = udp_out(H2, 5000, R, 53);

	cr_assert_eq(x1, 5000);
	cr_assert_neq(x2, x1);
	cr_assert_geq(x2, 1024, "a port above 1024 must stay above");
}

Test(translate, privileged_ports_map_below_1024)
{
	uint16_t x1 = udp_out(H, 123, R, 123);
	uint16_t x2 = udp_out(H2, 123, R, 123);

	cr_assert_eq(x1, 123);
	cr_assert_neq(x2, 123);
	cr_assert_lt(x2, 1024);
	cr_assert_gt(x2, 0);
}

Test(translate, replacement_ports_are_random_not_sequential)
{
	uint16_t ports[16];
	int i, sequential = 0;

	udp_out(H, 6000, R, 53);
	for (i = 0; i < 16; i++)
		ports[i] = udp_out(ip4(10, 0, 1, (uint8_t)(i + 1)), 6000, R, 53);
	for (i = 1; i < 16; i++)
		sequential += ports[i] == ports[i - 1] + 1;
	cr_assert_lt(sequential, 3, "ports look sequential");
}

Test(translate, the_bgp_port_is_never_allocated)
{
	struct rte_mbuf *m = test_in2out(&nat, tcp(H, 179, R, 179, RTE_TCP_SYN_FLAG), 1);

	cr_assert_not_null(m);
	cr_assert_neq(test_sport(m), 179);
	cr_assert_lt(test_sport(m), 1024);
	rte_pktmbuf_free(m);
	/* UDP 179 is not the appliance's: it may be kept. */
	cr_assert_eq(udp_out(H, 179, R, 179), 179);
}

Test(translate, endpoint_independent_mapping_keeps_the_port_for_every_destination)
{
	uint16_t x1, x2;

	test_engine_fini(&nat);
	test_engine_init(&nat, 4096, NAT_MAPPING_ENDPOINT_INDEPENDENT, 1);
	udp_out(H2, 7000, R, 53); /* takes 7000 */
	x1 = udp_out(H, 7000, R, 53);
	x2 = udp_out(H, 7000, R2, 80);
	cr_assert_neq(x1, 7000, "endpoint-independent ports are unique per address");
	cr_assert_eq(x1, x2, "H:p must keep one P:x towards every destination");
}

Test(translate, endpoint_independent_mapping_ends_with_its_last_session)
{
	test_engine_fini(&nat);
	test_engine_init(&nat, 4096, NAT_MAPPING_ENDPOINT_INDEPENDENT, 1);
	nat.config.timeout[NAT_TIMEOUT_PORT_HOLD] = 0;
	udp_out(H, 7000, R, 53);
	udp_out(H, 7000, R2, 53);
	nat_worker_expire(&nat.w, 1 + 301, 1000);
	cr_assert_eq(nat.w.live_sessions, 0);
	/* With the mapping gone, another host may take the port. */
	cr_assert_eq(udp_out(H2, 7000, R, 53), 7000);
}

Test(translate, paired_pooling_gives_a_host_one_address_for_all_protocols)
{
	int i;

	test_engine_fini(&nat);
	test_engine_init(&nat, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 8);
	for (i = 1; i <= 20; i++) {
		rte_be32_t h = ip4(10, 0, 2, (uint8_t)i);
		struct rte_mbuf *a = test_in2out(&nat, udp(h, 1000 + i, R, 53), 1);
		struct rte_mbuf *b = test_in2out(&nat, tcp(h, 2000 + i, R2, 443, RTE_TCP_SYN_FLAG), 1);
		struct test_pkt ping = {.proto = IPPROTO_ICMP, .src = h, .dst = R, .sport = 9,
					.icmp_type = RTE_IP_ICMP_ECHO_REQUEST};
		struct rte_mbuf *c = test_in2out(&nat, test_build(&ping), 1);
		uint32_t addr;

		cr_assert(a && b && c);
		addr = rte_be_to_cpu_32(test_ip(a)->src_addr);
		cr_assert(addr >= TEST_POOL_FIRST && addr < TEST_POOL_FIRST + 8);
		cr_assert_eq(test_ip(b)->src_addr, test_ip(a)->src_addr);
		cr_assert_eq(test_ip(c)->src_addr, test_ip(a)->src_addr);
		rte_pktmbuf_free(a);
		rte_pktmbuf_free(b);
		rte_pktmbuf_free(c);
	}
}

Test(translate, payload_is_never_rewritten)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 21, .dport = 21,
			     .payload_len = 200, .seed = 9};
	struct rte_mbuf *ref = test_build(&p), *m = test_in2out(&nat, test_build(&p), 1);

	cr_assert_not_null(m);
	cr_assert_eq(memcmp((uint8_t *)test_l4(m) + 8, (uint8_t *)test_l4(ref) + 8, 200), 0);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(ref);
}

Test(translate, random_packets_have_checksums_equal_to_a_fresh_computation)
{
	uint64_t seed = 0x1234567;
	int i, changed = 0;

	for (i = 0; i < 2000; i++) {
		struct test_pkt p = {0};
		struct rte_mbuf *m, *back;
		uint16_t x;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		p.proto = (seed >> 40) % 2 ? IPPROTO_TCP : IPPROTO_UDP;
		p.src = ip4(10, (uint8_t)(seed >> 8), (uint8_t)(seed >> 16), (uint8_t)((seed >> 24) | 1));
		/* Few remotes and source ports: many flows collide and must take a random port. */
		p.dst = ip4(198, 51, 100, (uint8_t)((seed >> 32) % 4));
		p.sport = (uint16_t)(1000 + (seed >> 20) % 4);
		p.dport = (uint16_t)(53 + (seed >> 36) % 2);
		p.payload_len = (uint16_t)((seed >> 48) % 1201); /* odd lengths included */
		p.ip_options = (uint8_t)(((seed >> 12) % 3) * 4);
		p.udp_no_cksum = p.proto == IPPROTO_UDP && (seed >> 60) == 0;
		p.seed = (uint8_t)i;
		p.tcp_flags = RTE_TCP_SYN_FLAG;
		m = test_in2out(&nat, test_build(&p), 1);
		if (m == NULL) /* a repeated random tuple whose TCP session exists: SYN again is fine */
			cr_assert_fail("packet %d dropped", i);
		cr_assert(test_checksums_ok(m), "in2out checksum wrong for packet %d", i);
		if (p.udp_no_cksum)
			cr_assert_eq(((struct rte_udp_hdr *)test_l4(m))->dgram_cksum, 0,
				     "a zero UDP checksum must stay zero");
		else if (p.proto == IPPROTO_UDP)
			cr_assert_neq(((struct rte_udp_hdr *)test_l4(m))->dgram_cksum, 0,
				      "a computed zero must be sent as 0xffff");
		x = test_sport(m);
		changed += x != p.sport;
		rte_pktmbuf_free(m);

		/* and the reply */
		p.src = p.dst;
		p.dst = P;
		p.dport = x;
		p.sport = (uint16_t)(53 + (seed >> 36) % 2);
		p.tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG;
		back = test_out2in(&nat, test_build(&p), 1);
		cr_assert_not_null(back, "reply %d dropped", i);
		cr_assert(test_checksums_ok(back), "out2in checksum wrong for packet %d", i);
		cr_assert_eq(test_dport(back), (uint16_t)(1000 + (seed >> 20) % 4));
		rte_pktmbuf_free(back);
	}
	cr_assert_gt(changed, 100, "too few port changes exercised (%d)", changed);
}

Test(translate, udp_checksum_that_becomes_zero_is_sent_as_ffff)
{
	/* Find a payload whose translated UDP checksum computes to zero; check it goes out as 0xffff. */
	int seed, found = 0;

	for (seed = 0; seed < 65536 * 4 && !found; seed++) {
		struct test_pkt p = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 40000, .dport = 53,
				     .payload_len = 2};
		struct rte_mbuf *m = test_build(&p);
		struct rte_udp_hdr *u = test_l4(m);
		uint8_t *pl = (uint8_t *)(u + 1);
		struct rte_ipv4_hdr *ip = test_ip(m);
		uint16_t translated;

		pl[0] = (uint8_t)seed;
		pl[1] = (uint8_t)(seed >> 8);
		/* Checksum as it would be after translation to P (same port): computed from scratch. */
		ip->src_addr = P;
		u->dgram_cksum = 0;
		translated = rte_ipv4_udptcp_cksum(ip, u);
		ip->src_addr = H;
		u->dgram_cksum = 0;
		u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
		if (translated != 0xffff || u->dgram_cksum == 0xffff) { /* DPDK maps 0 to 0xffff */
			rte_pktmbuf_free(m);
			continue;
		}
		found = 1;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		m = test_in2out(&nat, m, 1);
		cr_assert_not_null(m);
		cr_assert_eq(((struct rte_udp_hdr *)test_l4(m))->dgram_cksum, 0xffff);
		rte_pktmbuf_free(m);
	}
	cr_assert(found, "no payload found that makes the checksum zero");
}

Test(translate, ip_ids_of_fragmentable_packets_are_rewritten_uniquely)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .dst = R, .dport = 53, .ip_id = 777, .df = false};
	struct rte_mbuf *a, *b;

	p.src = H;
	p.sport = 1111;
	a = test_in2out(&nat, test_build(&p), 1);
	p.src = H2;
	p.sport = 2222;
	b = test_in2out(&nat, test_build(&p), 1);
	cr_assert(a && b);
	cr_assert_neq(test_ip(a)->packet_id, test_ip(b)->packet_id,
		      "two hosts' equal IDs must not collide behind one address");
	cr_assert(test_checksums_ok(a) && test_checksums_ok(b));
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

Test(translate, no_mbuf_is_leaked)
{
	struct rte_mbuf *m;
	unsigned before;

	before = rte_mempool_avail_count(test_pool());
	udp_out(H, 1, R, 2);
	cr_assert_null(test_out2in(&nat, udp(R2, 1, P, 2), 1));
	cr_assert_null(test_in2out(&nat, tcp(H, 1, R, 2, RTE_TCP_ACK_FLAG), 1));
	m = test_out2in(&nat, udp(R, 2, P, 1), 1);
	cr_assert_not_null(m);
	rte_pktmbuf_free(m);
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before);
}
