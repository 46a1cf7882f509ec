/* SPDX-License-Identifier: BSD-3-Clause */
/* Half-open TCP sessions under a SYN flood: reclaimed oldest first, answered sessions never. */
#include <string.h>

#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "test_support.h"

#define R ip4(198, 51, 100, 10)
#define P ip4(203, 0, 113, 1)
#define PRIVILEGED 1022 /* external TCP ports 1-1023 less 179 (BGP): a small space to exhaust */

static struct test_engine e;

static void teardown(void)
{
	char why[256];

	cr_assert(nat_table_check(&e.w, why, sizeof(why)), "%s", why);
	test_engine_fini(&e);
}

TestSuite(embryonic, .fini = teardown, .timeout = 120);

static rte_be32_t host(uint32_t i)
{
	return rte_cpu_to_be_32(0x0a010000u + i + 1);
}

/* A SYN from host i's source port `sport` to R:443; returns its external port, or 0 if refused. */
static uint16_t syn(uint32_t i, uint16_t sport, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = host(i), .dst = R, .sport = sport, .dport = 443,
			     .tcp_flags = RTE_TCP_SYN_FLAG};
	struct rte_mbuf *m = test_in2out(&e, test_build(&p), now);
	uint16_t port = m != NULL ? test_sport(m) : 0;

	rte_pktmbuf_free(m);
	return port;
}

/* The server's SYN+ACK to external port `port`; true if it reached the host. */
static bool answer(uint16_t port, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = R, .dst = P, .sport = 443, .dport = port,
			     .tcp_flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG};
	struct rte_mbuf *m = test_out2in(&e, test_build(&p), now);

	rte_pktmbuf_free(m);
	return m != NULL;
}

/* Host i's ACK from `sport`: true if it left, which tells whether its session exists (a bare
 * ACK opens none). */
static bool ack(uint32_t i, uint16_t sport, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_TCP, .src = host(i), .dst = R, .sport = sport, .dport = 443,
			     .tcp_flags = RTE_TCP_ACK_FLAG};
	struct rte_mbuf *m = test_in2out(&e, test_build(&p), now);

	rte_pktmbuf_free(m);
	return m != NULL;
}

/* A whole handshake of host i from `sport`: returns the external port, 0 if refused. */
static uint16_t connect_host(uint32_t i, uint16_t sport, uint32_t now)
{
	uint16_t port = syn(i, sport, now);

	if (port == 0)
		return 0;
	cr_assert(answer(port, now), "the SYN+ACK of host %u did not reach it", i);
	cr_assert(ack(i, sport, now));
	return port;
}

Test(embryonic, a_syn_flood_gives_way_to_new_flows_oldest_first)
{
	uint16_t first_port, port;
	uint32_t i;

	test_engine_init(&e, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	/* Spoofed SYNs take every privileged port towards R:443, three times over... */
	first_port = syn(0, 100, 1);
	cr_assert_neq(first_port, 0);
	for (i = 1; i < 3 * PRIVILEGED; i++)
		if (syn(i, 100, 1) == 0)
			break;
	cr_assert_geq(i, 3 * PRIVILEGED, "SYN %u refused: half-open sessions must give way", i);
	cr_assert_eq(e.w.live_sessions, PRIVILEGED);
	cr_assert_eq(e.w.stats.embryonic_reclaimed, 3 * PRIVILEGED - PRIVILEGED);
	cr_assert_eq(test_drops(&e, PKT_DROP_ports_exhausted), 0);
	/* ...and a real host's connection still opens, and completes. */
	port = connect_host(5000, 100, 2);
	cr_assert_neq(port, 0, "the real host's SYN was refused");
}

Test(embryonic, answered_sessions_are_never_reclaimed_and_the_oldest_half_open_go_first)
{
	uint16_t ports[400];
	uint32_t i;

	test_engine_init(&e, 8192, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	for (i = 0; i < 400; i++)
		ports[i] = connect_host(i, 100, 1);
	/* A flood of half-open sessions, many times the ports left, some of them answered by the
	 * server (SYN+ACK) but never acknowledged by their spoofed source. */
	for (i = 0; i < 3000; i++) {
		uint16_t port = syn(1000 + i, 100, 2);

		cr_assert_neq(port, 0, "flood SYN %u refused", i);
		if (i % 3 == 0)
			cr_assert(answer(port, 2));
	}
	cr_assert_gt(e.w.stats.embryonic_reclaimed, 2000);
	cr_assert_eq(test_drops(&e, PKT_DROP_ports_exhausted), 0);
	for (i = 0; i < 400; i++)
		cr_assert(answer(ports[i], 3), "answered session %u was ended", i);
	for (i = 0; i < 100; i++) {
		cr_assert(!ack(1000 + i, 100, 3), "old half-open session %u outlived newer ones", i);
		cr_assert(ack(3900 + i, 100, 3), "new half-open session %u was reclaimed", i);
	}
}

Test(embryonic, ports_stay_exhausted_when_every_session_was_answered)
{
	uint16_t port;
	uint32_t i;

	test_engine_init(&e, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	for (i = 0; (port = connect_host(i, 100, 1)) != 0; i++)
		;
	cr_assert_gt(i, 900, "only %u sessions before the ports ran out", i);
	cr_assert_eq(test_drops(&e, PKT_DROP_ports_exhausted), 1);
	cr_assert_eq(e.w.stats.embryonic_reclaimed, 0, "an answered session was reclaimed");
	cr_assert_eq(e.w.live_sessions, i);
}

Test(embryonic, a_full_table_gives_a_half_open_record_to_a_new_flow)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = host(7000), .dst = R, .sport = 5000, .dport = 53};
	struct rte_mbuf *m;
	uint32_t i;

	test_engine_init(&e, 100, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	for (i = 0; i < 100; i++)
		cr_assert_neq(syn(i, (uint16_t)(2000 + i), 1), 0);
	cr_assert(answer(2000, 1) && ack(0, 2000, 1), "the oldest session is established: it must stay");
	m = test_in2out(&e, test_build(&p), 2);
	cr_assert_not_null(m, "a full table of half-open sessions refused a new flow");
	rte_pktmbuf_free(m);
	cr_assert_eq(e.w.stats.embryonic_reclaimed, 1);
	cr_assert(answer(2000, 2), "the answered session was taken instead of a half-open one");
	cr_assert(!answer(2001, 2), "the oldest half-open session should have given way");
}

Test(embryonic, a_host_at_its_half_open_limit_is_refused_until_answered)
{
	uint16_t port = 0;
	uint32_t i;

	test_engine_init(&e, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.embryonic_per_host_limit = 10;
	for (i = 0; i < 10; i++) {
		port = syn(0, (uint16_t)(3000 + i), 1);
		cr_assert_neq(port, 0);
	}
	cr_assert_eq(syn(0, 4000, 1), 0);
	cr_assert_eq(test_drops(&e, PKT_DROP_host_embryonic_limit), 1);
	cr_assert_neq(syn(1, 4000, 1), 0, "another host is not limited by this one");
	cr_assert(answer(port, 1));
	cr_assert_eq(syn(0, 4000, 1), 0, "answered by the server but not acknowledged: still half-open");
	cr_assert(ack(0, 3009, 1));
	cr_assert_neq(syn(0, 4001, 1), 0, "an established session no longer counts as half-open");
	/* Expiry gives the count back too. */
	while (nat_worker_expire(&e.w, 1 + 240 + 1, 64) == 64)
		;
	for (i = 0; i < 10; i++)
		cr_assert_neq(syn(0, (uint16_t)(5000 + i), 300), 0, "half-open count not returned at expiry");
}
