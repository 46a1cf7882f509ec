/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP: echo identifiers and error translation with the quoted packet (RFC 5508). */
#include <criterion/criterion.h>
#include <rte_icmp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "test_support.h"

#define H ip4(10, 0, 0, 5)
#define H2 ip4(10, 0, 0, 6)
#define R ip4(198, 51, 100, 10)
#define ROUTER ip4(198, 51, 100, 1)
#define LAN_ROUTER ip4(10, 0, 0, 254)
#define P ip4(203, 0, 113, 1)

TestSuite(icmp, .init = test_nat_setup, .fini = test_nat_teardown);

static struct rte_mbuf *echo(rte_be32_t src, rte_be32_t dst, uint8_t type, uint16_t id)
{
	struct test_pkt p = {.proto = IPPROTO_ICMP, .src = src, .dst = dst, .icmp_type = type,
			     .sport = id, .dport = 1, .payload_len = 31};

	return test_build(&p);
}

/* Sends `p` out and returns the translated copy the remote would see (the caller frees it). */
static struct rte_mbuf *send_out(const struct test_pkt *p)
{
	struct rte_mbuf *m = test_in2out(&nat, test_build(p), 1);

	cr_assert_not_null(m);
	return m;
}

static const struct rte_ipv4_hdr *quoted_ip(struct rte_mbuf *m)
{
	return (const struct rte_ipv4_hdr *)((uint8_t *)test_l4(m) + 8);
}

static const struct rte_udp_hdr *quoted_ports(struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *q = quoted_ip(m);

	return (const struct rte_udp_hdr *)((const uint8_t *)q + rte_ipv4_hdr_len(q));
}

Test(icmp, echo_identifier_is_translated_and_the_reply_returns)
{
	struct rte_mbuf *m = test_in2out(&nat, echo(H, R, RTE_IP_ICMP_ECHO_REQUEST, 1234), 1);
	uint16_t x;

	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->src_addr, P);
	cr_assert(test_checksums_ok(m));
	x = test_sport(m);
	rte_pktmbuf_free(m);
	m = test_out2in(&nat, echo(R, P, RTE_IP_ICMP_ECHO_REPLY, x), 2);
	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->dst_addr, H);
	cr_assert_eq(test_sport(m), 1234);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
}

Test(icmp, two_hosts_pinging_with_the_same_id_both_get_their_replies)
{
	struct rte_mbuf *a = test_in2out(&nat, echo(H, R, RTE_IP_ICMP_ECHO_REQUEST, 99), 1);
	struct rte_mbuf *b = test_in2out(&nat, echo(H2, R, RTE_IP_ICMP_ECHO_REQUEST, 99), 1);
	uint16_t xa, xb;

	cr_assert(a && b);
	xa = test_sport(a);
	xb = test_sport(b);
	cr_assert_neq(xa, xb);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
	a = test_out2in(&nat, echo(R, P, RTE_IP_ICMP_ECHO_REPLY, xa), 2);
	b = test_out2in(&nat, echo(R, P, RTE_IP_ICMP_ECHO_REPLY, xb), 2);
	cr_assert(a && b);
	cr_assert_eq(test_ip(a)->dst_addr, H);
	cr_assert_eq(test_ip(b)->dst_addr, H2);
	cr_assert_eq(test_sport(a), 99);
	cr_assert_eq(test_sport(b), 99);
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(b);
}

Test(icmp, unsolicited_echo_request_from_outside_does_not_enter)
{
	cr_assert_null(test_out2in(&nat, echo(R, P, RTE_IP_ICMP_ECHO_REQUEST, 5), 1));
}

/* An error from the A-end side about packet `sent` (as it left), to P, with `quote_len` bytes. */
static void check_inbound_error(const struct test_pkt *flow, uint8_t type, uint8_t code,
				uint16_t quote_len)
{
	struct rte_mbuf *sent = send_out(flow);
	struct rte_mbuf *err = test_build_icmp_error(ROUTER, P, type, code, 1400, sent, quote_len);
	struct rte_mbuf *m;

	cr_assert(test_checksums_ok(err), "test error built wrong");
	m = test_out2in(&nat, err, 2);
	cr_assert_not_null(m, "error type %u code %u dropped", type, code);
	cr_assert_eq(test_ip(m)->dst_addr, H);
	cr_assert_eq(test_ip(m)->src_addr, ROUTER);
	cr_assert_eq(quoted_ip(m)->src_addr, H, "quoted source not rewritten");
	cr_assert_eq(quoted_ip(m)->dst_addr, R);
	if (flow->proto == IPPROTO_ICMP)
		cr_assert_eq(rte_be_to_cpu_16(((const struct rte_icmp_hdr *)quoted_ports(m))->icmp_ident),
			     flow->sport);
	else
		cr_assert_eq(rte_be_to_cpu_16(quoted_ports(m)->src_port), flow->sport,
			     "quoted port not rewritten");
	cr_assert(test_checksums_ok(m), "a checksum is wrong after translating the error");
	if (type == 3 && code == 4)
		cr_assert_eq(rte_be_to_cpu_16(((struct rte_icmp_hdr *)test_l4(m))->icmp_seq_nb), 1400,
			     "the MTU must survive");
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(sent);
}

Test(icmp, port_unreachable_about_udp_is_translated_with_its_quote)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 5353, .dport = 53,
			     .payload_len = 21};

	/* A second flow takes 5353 first, so the quoted port really changes. */
	struct test_pkt other = f;

	other.src = H2;
	rte_pktmbuf_free(send_out(&other));
	check_inbound_error(&f, 3, 3, 0);
}

Test(icmp, fragmentation_needed_about_tcp_keeps_the_mtu)
{
	struct test_pkt f = {.proto = IPPROTO_TCP, .src = H, .dst = R, .sport = 40000, .dport = 443,
			     .tcp_flags = RTE_TCP_SYN_FLAG, .payload_len = 100, .df = true};

	check_inbound_error(&f, 3, 4, 0);
}

Test(icmp, time_exceeded_with_a_short_quote_is_translated)
{
	struct test_pkt f = {.proto = IPPROTO_TCP, .src = H, .dst = R, .sport = 40001, .dport = 443,
			     .tcp_flags = RTE_TCP_SYN_FLAG, .payload_len = 100, .df = true};

	check_inbound_error(&f, 11, 0, 28); /* IP header + 8 bytes: the TCP checksum is not quoted */
}

Test(icmp, error_about_an_echo_request_is_translated)
{
	struct test_pkt f = {.proto = IPPROTO_ICMP, .src = H, .dst = R, .sport = 4242, .dport = 1,
			     .icmp_type = RTE_IP_ICMP_ECHO_REQUEST, .payload_len = 12};

	check_inbound_error(&f, 11, 0, 0);
}

Test(icmp, error_about_a_udp_packet_with_zero_checksum_keeps_zero)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 999, .dport = 53,
			     .udp_no_cksum = true};
	struct rte_mbuf *sent = send_out(&f), *m;

	m = test_out2in(&nat, test_build_icmp_error(ROUTER, P, 3, 3, 0, sent, 0), 2);
	cr_assert_not_null(m);
	cr_assert_eq(quoted_ports(m)->dgram_cksum, 0);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(sent);
}

Test(icmp, outbound_error_about_an_inbound_flow_is_translated)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 7000, .dport = 53};
	struct test_pkt reply = {.proto = IPPROTO_UDP, .src = R, .dst = P, .sport = 53, .payload_len = 40};
	struct rte_mbuf *sent, *delivered, *err, *m;
	uint16_t x;

	rte_pktmbuf_free(send_out(&(struct test_pkt){.proto = IPPROTO_UDP, .src = H2, .dst = R,
						       .sport = 7000, .dport = 53}));
	sent = send_out(&f);
	x = test_sport(sent);
	cr_assert_neq(x, 7000);
	reply.dport = x;
	delivered = test_out2in(&nat, test_build(&reply), 2);
	cr_assert_not_null(delivered);
	/* A router on the LAN reports the delivered packet as undeliverable. */
	err = test_build_icmp_error(LAN_ROUTER, R, 3, 1, 0, delivered, 0);
	m = test_in2out(&nat, err, 3);
	cr_assert_not_null(m);
	cr_assert_eq(test_ip(m)->src_addr, P, "no private source may leave");
	cr_assert_eq(quoted_ip(m)->dst_addr, P);
	cr_assert_eq(rte_be_to_cpu_16(quoted_ports(m)->dst_port), x);
	cr_assert(test_checksums_ok(m));
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(sent);
	rte_pktmbuf_free(delivered);
}

Test(icmp, error_matching_no_session_is_dropped)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = P, .dst = R, .sport = 1, .dport = 53};
	struct rte_mbuf *fake = test_build(&f);

	cr_assert_null(test_out2in(&nat, test_build_icmp_error(ROUTER, P, 3, 3, 0, fake, 0), 1));
	cr_assert_eq(test_drops(&nat, PKT_DROP_icmp_error_no_session), 1);
	rte_pktmbuf_free(fake);
}

Test(icmp, error_with_a_bad_checksum_is_dropped)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 5, .dport = 53};
	struct rte_mbuf *sent = send_out(&f);
	struct rte_mbuf *err = test_build_icmp_error(ROUTER, P, 3, 3, 0, sent, 0);

	((struct rte_icmp_hdr *)test_l4(err))->icmp_cksum ^= 0x0101;
	cr_assert_null(test_out2in(&nat, err, 2));
	cr_assert_eq(test_drops(&nat, PKT_DROP_icmp_error_bad_checksum), 1);
	rte_pktmbuf_free(sent);
}

Test(icmp, error_quoting_less_than_a_header_and_8_bytes_is_dropped)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 5, .dport = 53};
	struct rte_mbuf *sent = send_out(&f);

	cr_assert_null(test_out2in(&nat, test_build_icmp_error(ROUTER, P, 3, 3, 0, sent, 27), 2));
	cr_assert_eq(test_drops(&nat, PKT_DROP_icmp_error_short_quote), 1);
	rte_pktmbuf_free(sent);
}

Test(icmp, error_to_another_address_than_the_quoted_source_is_dropped)
{
	struct test_pkt f = {.proto = IPPROTO_UDP, .src = H, .dst = R, .sport = 5, .dport = 53};
	struct rte_mbuf *sent = send_out(&f);

	cr_assert_null(test_out2in(&nat, test_build_icmp_error(ROUTER, ip4(203, 0, 113, 9), 3, 3, 0, sent, 0), 2));
	cr_assert_eq(test_drops(&nat, PKT_DROP_icmp_error_bad_quote), 1);
	rte_pktmbuf_free(sent);
}

Test(icmp, other_icmp_types_are_dropped)
{
	struct test_pkt p = {.proto = IPPROTO_ICMP, .src = H, .dst = R, .icmp_type = 13 /* timestamp */};

	cr_assert_null(test_in2out(&nat, test_build(&p), 1));
	cr_assert_eq(test_drops(&nat, PKT_DROP_icmp_unsupported_type), 1);
}
