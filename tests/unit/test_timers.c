/* SPDX-License-Identifier: BSD-3-Clause */
/* The TCP state machine and every timer, driven by a fake clock. */
#include <criterion/criterion.h>
#include <rte_icmp.h>
#include <rte_tcp.h>

#include "nat_tcp.h"
#include "test_support.h"

#define H ip4(10, 0, 0, 5)
#define H2 ip4(10, 0, 0, 6)
#define R ip4(198, 51, 100, 10)
#define P ip4(203, 0, 113, 1)
#define SYN RTE_TCP_SYN_FLAG
#define ACK RTE_TCP_ACK_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG

TestSuite(timers, .init = test_nat_setup, .fini = test_nat_teardown);

/* Runs the clock to `now`, ending what is due. */
static void clock_to(uint32_t now)
{
	while (nat_worker_expire(&nat.w, now, 64) == 64)
		;
}

static bool out_tcp(uint8_t flags, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = H, .dst = R, .sport = 40000, .dport = 443,
			     .tcp_flags = flags, .df = true};
	struct rte_mbuf *m;

	clock_to(now);
	m = test_in2out(&nat, test_build(&p), now);
	rte_pktmbuf_free(m);
	return m != NULL;
}

static bool in_tcp(uint8_t flags, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = R, .dst = P, .sport = 443, .dport = 40000,
			     .tcp_flags = flags, .df = true};
	struct rte_mbuf *m;

	clock_to(now);
	m = test_out2in(&nat, test_build(&p), now);
	rte_pktmbuf_free(m);
	return m != NULL;
}

static bool out_udp(rte_be32_t h, uint16_t sport, uint32_t now, uint16_t *x)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = h, .dst = R, .sport = sport, .dport = 53};
	struct rte_mbuf *m;

	clock_to(now);
	m = test_in2out(&nat, test_build(&p), now);
	if (m && x)
		*x = test_sport(m);
	rte_pktmbuf_free(m);
	return m != NULL;
}

static bool in_udp(uint16_t x, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = R, .dst = P, .sport = 53, .dport = x};
	struct rte_mbuf *m;

	clock_to(now);
	m = test_out2in(&nat, test_build(&p), now);
	rte_pktmbuf_free(m);
	return m != NULL;
}

static void handshake(uint32_t now)
{
	cr_assert(out_tcp(SYN, now));
	cr_assert(in_tcp(SYN | ACK, now));
	cr_assert(out_tcp(ACK, now));
}

Test(timers, syn_only_session_lives_240_seconds)
{
	cr_assert(out_tcp(SYN, 100));
	cr_assert(in_tcp(SYN | ACK, 100 + 239));
	cr_assert_eq(nat.w.live_sessions, 1);
	/* The SYN+ACK established it: now the long timer applies. Start again with a lone SYN. */
	test_engine_fini(&nat);
	test_nat_setup();
	cr_assert(out_tcp(SYN, 100));
	clock_to(100 + 240);
	cr_assert_eq(nat.w.live_sessions, 0);
	cr_assert_not(in_tcp(SYN | ACK, 100 + 241));
}

Test(timers, established_session_lives_7440_seconds)
{
	handshake(10);
	cr_assert(in_tcp(ACK, 10 + 7439));
	clock_to(10 + 7439 + 7439);
	cr_assert_eq(nat.w.live_sessions, 1);
	clock_to(10 + 7439 + 7440);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, fin_both_ways_shortens_to_240_seconds)
{
	handshake(10);
	cr_assert(out_tcp(FIN | ACK, 20));
	clock_to(20 + 300);
	cr_assert_eq(nat.w.live_sessions, 1, "half-closed keeps the established timer");
	cr_assert(in_tcp(FIN | ACK, 400));
	cr_assert(out_tcp(ACK, 400));
	clock_to(400 + 239);
	cr_assert_eq(nat.w.live_sessions, 1);
	clock_to(400 + 240);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, rst_is_translated_and_the_session_kept_4_minutes)
{
	handshake(10);
	cr_assert(in_tcp(RST, 50), "the RST must reach the host");
	clock_to(50 + 239);
	cr_assert_eq(nat.w.live_sessions, 1);
	cr_assert(out_tcp(RST | ACK, 60), "a second RST passes too");
	clock_to(60 + 240);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, traffic_after_rst_restores_established)
{
	handshake(10);
	cr_assert(in_tcp(RST, 50));
	cr_assert(out_tcp(ACK, 60));
	clock_to(60 + 7000);
	cr_assert_eq(nat.w.live_sessions, 1);
}

Test(timers, simultaneous_open_establishes)
{
	cr_assert(out_tcp(SYN, 10));
	cr_assert(in_tcp(SYN, 11), "a bare SYN from outside answers an inside SYN");
	cr_assert(out_tcp(SYN | ACK, 12));
	clock_to(12 + 1000);
	cr_assert_eq(nat.w.live_sessions, 1, "simultaneous open must reach established");
}

Test(timers, udp_lives_300_seconds_refreshed_by_outbound_only)
{
	uint16_t x;

	cr_assert(out_udp(H, 5000, 10, &x));
	cr_assert(in_udp(x, 200));
	cr_assert(in_udp(x, 300)); /* inbound does not refresh */
	clock_to(10 + 300);
	cr_assert_eq(nat.w.live_sessions, 0);
	cr_assert_not(in_udp(x, 311));
}

Test(timers, outbound_udp_refreshes)
{
	uint16_t x;

	cr_assert(out_udp(H, 5000, 10, &x));
	cr_assert(out_udp(H, 5000, 250, NULL));
	clock_to(250 + 299);
	cr_assert(in_udp(x, 250 + 299));
	clock_to(250 + 300);
	cr_assert_not(in_udp(x, 250 + 300));
}

Test(timers, icmp_query_lives_60_seconds)
{
	struct test_pkt p = {.proto = IPPROTO_ICMP, .src = H, .dst = R, .sport = 77,
			     .icmp_type = RTE_IP_ICMP_ECHO_REQUEST};
	struct rte_mbuf *m = test_in2out(&nat, test_build(&p), 5);

	cr_assert_not_null(m);
	rte_pktmbuf_free(m);
	clock_to(5 + 59);
	cr_assert_eq(nat.w.live_sessions, 1);
	clock_to(5 + 60);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, timeouts_are_configurable)
{
	uint16_t x;

	nat.config.timeout[NAT_TIMEOUT_UDP] = 120;
	cr_assert(out_udp(H, 5000, 10, &x));
	clock_to(10 + 119);
	cr_assert_eq(nat.w.live_sessions, 1);
	clock_to(10 + 120);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, released_port_is_held_120_seconds)
{
	uint16_t x;

	cr_assert(out_udp(H, 5000, 10, &x));
	cr_assert_eq(x, 5000);
	clock_to(10 + 300); /* expired */
	cr_assert(out_udp(H2, 5000, 311, &x));
	cr_assert_neq(x, 5000, "the port was handed out again within the hold time");
	cr_assert(out_udp(ip4(10, 0, 0, 7), 5000, 10 + 300 + 120, &x));
	cr_assert_eq(x, 5000, "after the hold time the port is free again");
}

Test(timers, the_same_host_gets_its_held_port_back)
{
	uint16_t x;

	cr_assert(out_udp(H, 5000, 10, &x));
	clock_to(10 + 300);
	cr_assert(out_udp(H, 5000, 320, &x));
	cr_assert_eq(x, 5000, "the held tuple protects this very flow: it may take it again");
}

Test(timers, port_of_a_closed_tcp_connection_is_not_held)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = H2, .dst = R, .sport = 40000, .dport = 443,
			     .tcp_flags = SYN, .df = true};
	struct rte_mbuf *m;

	handshake(10);
	cr_assert(out_tcp(FIN | ACK, 20));
	cr_assert(in_tcp(FIN | ACK, 21));
	clock_to(21 + 240);
	cr_assert_eq(nat.w.live_sessions, 0);
	m = test_in2out(&nat, test_build(&p), 21 + 241);
	cr_assert_not_null(m);
	cr_assert_eq(test_sport(m), 40000, "a closed connection's port is free at once");
	rte_pktmbuf_free(m);
}

Test(timers, icmp_errors_do_not_refresh_a_session)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = P, .dst = R, .sport = 5000, .dport = 53};
	struct rte_mbuf *quoted = test_build(&p), *err, *m;
	uint16_t x;

	cr_assert(out_udp(H, 5000, 10, &x));
	err = test_build_icmp_error(ip4(198, 51, 100, 1), P, 3, 3, 0, quoted, 0);
	m = test_out2in(&nat, err, 300);
	cr_assert_not_null(m);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(quoted);
	clock_to(10 + 300);
	cr_assert_eq(nat.w.live_sessions, 0);
}

Test(timers, state_machine_table)
{
	/* RFC 6146 §3.5.2 transitions, as a table. */
	struct {
		enum nat_state from;
		enum nat_dir dir;
		uint8_t flags;
		enum nat_state to;
	} cases[] = {
		{NAT_S_TCP_SYN_IN, NAT_DIR_IN2OUT, SYN, NAT_S_TCP_SYN_IN},
		{NAT_S_TCP_SYN_IN, NAT_DIR_OUT2IN, SYN | ACK, NAT_S_TCP_SYN_BOTH},
		{NAT_S_TCP_SYN_IN, NAT_DIR_OUT2IN, SYN, NAT_S_TCP_SYN_BOTH},
		{NAT_S_TCP_SYN_IN, NAT_DIR_OUT2IN, ACK, NAT_S_TCP_SYN_IN},
		/* The handshake completes with the inside's acknowledgement, never without it. */
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_IN2OUT, ACK, NAT_S_TCP_ESTABLISHED},
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_IN2OUT, SYN | ACK, NAT_S_TCP_ESTABLISHED},
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_IN2OUT, SYN, NAT_S_TCP_SYN_BOTH},
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_OUT2IN, ACK, NAT_S_TCP_SYN_BOTH},
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_IN2OUT, FIN | ACK, NAT_S_TCP_FIN_IN},
		{NAT_S_TCP_ESTABLISHED, NAT_DIR_IN2OUT, FIN, NAT_S_TCP_FIN_IN},
		{NAT_S_TCP_ESTABLISHED, NAT_DIR_OUT2IN, FIN, NAT_S_TCP_FIN_OUT},
		{NAT_S_TCP_FIN_IN, NAT_DIR_OUT2IN, FIN, NAT_S_TCP_FIN_BOTH},
		{NAT_S_TCP_FIN_IN, NAT_DIR_IN2OUT, FIN, NAT_S_TCP_FIN_IN},
		{NAT_S_TCP_FIN_OUT, NAT_DIR_IN2OUT, FIN, NAT_S_TCP_FIN_BOTH},
		{NAT_S_TCP_ESTABLISHED, NAT_DIR_OUT2IN, RST, NAT_S_TCP_RST},
		/* A connection refused before it existed: as transitory, but it may give way. */
		{NAT_S_TCP_SYN_IN, NAT_DIR_OUT2IN, RST, NAT_S_TCP_REFUSED},
		{NAT_S_TCP_SYN_BOTH, NAT_DIR_IN2OUT, RST, NAT_S_TCP_REFUSED},
		{NAT_S_TCP_REFUSED, NAT_DIR_IN2OUT, SYN, NAT_S_TCP_SYN_IN},
		{NAT_S_TCP_REFUSED, NAT_DIR_OUT2IN, ACK, NAT_S_TCP_REFUSED},
		{NAT_S_TCP_RST, NAT_DIR_IN2OUT, ACK, NAT_S_TCP_ESTABLISHED},
		{NAT_S_TCP_FIN_BOTH, NAT_DIR_IN2OUT, ACK, NAT_S_TCP_FIN_BOTH},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(nat_tcp_next(cases[i].from, cases[i].dir, cases[i].flags), cases[i].to,
			     "case %zu", i);
}
