/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT events as a worker reports them (nat_log.h) and port blocks (nat_blocks.c): what goes into the
 * event ring, with which fields, and when; which ports a host's sessions get in port-block mode.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include "test_support.h"

#define R ip4(198, 51, 100, 10)
#define P ip4(203, 0, 113, 1)
#define H ip4(10, 11, 0, 5)
#define RING_SIZE 1024

static struct test_engine e;
static struct rte_ring *ring;

static void setup(void)
{
	static unsigned n;
	char name[32];
	struct nat_worker_params params = {.worker = 0, .n_workers = 1, .capacity = 4096};

	test_eal_init();
	snprintf(name, sizeof(name), "natlog%u", n++);
	ring = rte_ring_create_elem(name, sizeof(struct nat_event), RING_SIZE, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
	cr_assert_not_null(ring);
	params.log_ring = ring;
	test_engine_init_worker(&e, &params, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.log_events = true;
	e.w.log.tsc = 12345;
}

static void teardown(void)
{
	char why[256];

	cr_assert(nat_table_check(&e.w, why, sizeof(why)), "%s", why);
	test_engine_fini(&e);
	rte_ring_free(ring);
}

TestSuite(natlog, .init = setup, .fini = teardown, .timeout = 60);

/* One UDP datagram from host:sport to R:dport; its external port (0: refused). */
static uint16_t udp(rte_be32_t host, uint16_t sport, uint16_t dport, uint32_t now)
{
	struct test_pkt p = {.proto = IPPROTO_UDP, .src = host, .dst = R, .sport = sport, .dport = dport};
	struct rte_mbuf *m = test_in2out(&e, test_build(&p), now);
	uint16_t port = m != NULL ? test_sport(m) : 0;

	rte_pktmbuf_free(m);
	return port;
}

static unsigned take(struct nat_event *ev, unsigned max)
{
	return rte_ring_sc_dequeue_burst_elem(ring, ev, sizeof(ev[0]), max, NULL);
}

Test(natlog, session_create_and_timeout_delete_carry_the_session)
{
	struct nat_event ev[8];
	uint16_t port = udp(H, 40000, 53, 1);

	cr_assert_neq(port, 0);
	cr_assert_eq(take(ev, 8), 1, "one event for one new session");
	cr_assert_eq(ev[0].type, NAT_EV_SESSION_CREATE);
	cr_assert_eq(ev[0].proto, IPPROTO_UDP);
	cr_assert_eq(ev[0].tsc, 12345, "stamped with the loop turn's clock");
	cr_assert_eq(ev[0].inside_addr, H);
	cr_assert_eq(rte_be_to_cpu_16(ev[0].inside_port), 40000);
	cr_assert_eq(ev[0].outside_addr, P);
	cr_assert_eq(rte_be_to_cpu_16(ev[0].outside_port), port);
	cr_assert_eq(ev[0].remote_addr, R);
	cr_assert_eq(rte_be_to_cpu_16(ev[0].remote_port), 53);

	udp(H, 40000, 53, 2); /* the same flow: no new event */
	cr_assert_eq(take(ev, 8), 0);
	nat_worker_expire(&e.w, 2 + e.config.timeout[NAT_TIMEOUT_UDP] + 1, 1000);
	cr_assert_eq(take(ev, 8), 1);
	cr_assert_eq(ev[0].type, NAT_EV_SESSION_DELETE);
	cr_assert_eq(ev[0].detail, NAT_END_TIMEOUT);
	cr_assert_eq(rte_be_to_cpu_16(ev[0].outside_port), port);
	cr_assert_eq(e.w.stats.log_events, 2);
}

Test(natlog, tcp_close_and_reset_say_so)
{
	struct test_pkt syn = {.proto = IPPROTO_TCP, .src = H, .dst = R, .sport = 41000, .dport = 443,
			       .tcp_flags = RTE_TCP_SYN_FLAG};
	struct test_pkt rst = syn;
	struct nat_event ev[8];
	unsigned n;

	rte_pktmbuf_free(test_in2out(&e, test_build(&syn), 1));
	rst.tcp_flags = RTE_TCP_RST_FLAG;
	rte_pktmbuf_free(test_in2out(&e, test_build(&rst), 2));
	nat_worker_expire(&e.w, 100000, 1000);
	n = take(ev, 8);
	cr_assert_eq(n, 2);
	cr_assert_eq(ev[1].type, NAT_EV_SESSION_DELETE);
	cr_assert_eq(ev[1].detail, NAT_END_RESET);
}

Test(natlog, nothing_is_reported_unless_wanted)
{
	struct nat_event ev[8];

	e.config.log_events = false;
	udp(H, 40000, 53, 1);
	cr_assert_eq(take(ev, 8), 0);
	cr_assert_eq(e.w.stats.log_events, 0);
}

Test(natlog, a_refused_flood_is_one_event_a_second)
{
	struct nat_event ev[64];
	unsigned i, n;

	e.config.per_host_limit = 2;
	for (i = 0; i < 50; i++)
		udp(H, (uint16_t)(42000 + i), 53, 7);
	n = take(ev, 64);
	cr_assert_eq(n, 3, "two sessions and one quota event, got %u", n);
	cr_assert_eq(ev[2].type, NAT_EV_QUOTA_EXCEEDED);
	cr_assert_eq(ev[2].detail, NAT_QUOTA_PER_HOST);
	cr_assert_eq(ev[2].limit, 2);
	cr_assert_eq(ev[2].inside_addr, H);
	udp(H, 43000, 53, 8); /* the next second: reported again */
	cr_assert_eq(take(ev, 64), 1);
}

Test(natlog, a_full_ring_counts_what_it_loses)
{
	uint32_t i;

	for (i = 0; i < RING_SIZE + 100; i++)
		udp(rte_cpu_to_be_32(0x0a0b0000u + i), 40000, 53, 1);
	cr_assert_eq(e.w.stats.log_events, RING_SIZE - 1, "%lu", e.w.stats.log_events); /* a ring holds one less than its size */
	cr_assert_eq(e.w.stats.log_dropped, 100 + 1, "%lu", e.w.stats.log_dropped);
}

/* Port blocks */

Test(natlog, port_blocks_hold_a_hosts_sessions_and_are_logged_instead_of_them)
{
	struct nat_event ev[16];
	uint16_t first, port;
	unsigned i, n;

	e.config.port_block = 64;
	port = udp(H, 40000, 53, 1);
	cr_assert_neq(port, 0);
	n = take(ev, 16);
	cr_assert_eq(n, 1, "the block, not the session: %u events", n);
	cr_assert_eq(ev[0].type, NAT_EV_BLOCK_ALLOC);
	first = rte_be_to_cpu_16(ev[0].outside_port);
	cr_assert_eq(rte_be_to_cpu_16(ev[0].block_last), first + 63);
	cr_assert_eq((first - 1024) % 64, 0, "blocks are aligned in the worker's share");
	cr_assert(port >= first && port <= first + 63);
	/* 63 more flows to the same server fit the block; towards another, its ports are used again. */
	for (i = 1; i < 64; i++) {
		port = udp(H, (uint16_t)(40000 + i), 53, 1);
		cr_assert(port >= first && port <= first + 63, "flow %u got %u", i, port);
	}
	cr_assert_eq(take(ev, 16), 0, "no more events while the block holds them");
	port = udp(H, 40000, 54, 1);
	cr_assert(port >= first && port <= first + 63, "port overlap inside the block: %u", port);
	/* The 65th flow to one server takes a second block. */
	port = udp(H, 40100, 53, 1);
	cr_assert_eq(take(ev, 16), 1);
	cr_assert_eq(ev[0].type, NAT_EV_BLOCK_ALLOC);
	cr_assert(port >= rte_be_to_cpu_16(ev[0].outside_port) && port <= rte_be_to_cpu_16(ev[0].block_last));
	cr_assert(port < first || port > first + 63);
}

Test(natlog, a_host_gets_at_most_four_blocks_then_ports_exhausted)
{
	struct nat_event ev[16];
	unsigned i, n, allocs = 0, exhausted = 0;

	e.config.port_block = 8;
	for (i = 0; i < 33; i++)
		udp(H, (uint16_t)(40000 + i), 53, 1);
	n = take(ev, 16);
	for (i = 0; i < n; i++) {
		allocs += ev[i].type == NAT_EV_BLOCK_ALLOC;
		exhausted += ev[i].type == NAT_EV_PORTS_EXHAUSTED;
	}
	cr_assert_eq(allocs, 4);
	cr_assert_eq(exhausted, 1);
	cr_assert_eq(e.w.stats.drops[PKT_DROP_ports_exhausted], 1);
	/* Another host is not affected. */
	cr_assert_neq(udp(ip4(10, 11, 0, 6), 40000, 53, 1), 0);
}

Test(natlog, a_block_goes_back_with_its_last_session)
{
	struct nat_event ev[16];
	unsigned n;

	e.config.port_block = 64;
	e.config.timeout[NAT_TIMEOUT_PORT_HOLD] = 0;
	udp(H, 40000, 53, 1);
	udp(H, 40001, 53, 100);
	take(ev, 16);
	nat_worker_expire(&e.w, 1 + e.config.timeout[NAT_TIMEOUT_UDP] + 1, 1000);
	cr_assert_eq(take(ev, 16), 0, "one session left: the block stays");
	nat_worker_expire(&e.w, 100 + e.config.timeout[NAT_TIMEOUT_UDP] + 1, 1000);
	n = take(ev, 16);
	cr_assert_eq(n, 1);
	cr_assert_eq(ev[0].type, NAT_EV_BLOCK_FREE);
	cr_assert_eq(ev[0].inside_addr, H);
}

Test(natlog, sessions_from_before_port_blocks_are_still_logged_one_by_one)
{
	struct nat_event ev[16];

	udp(H, 40000, 53, 1);
	take(ev, 16);
	e.config.port_block = 64;
	nat_worker_expire(&e.w, 1 + e.config.timeout[NAT_TIMEOUT_UDP] + 1, 1000);
	cr_assert_eq(take(ev, 16), 1);
	cr_assert_eq(ev[0].type, NAT_EV_SESSION_DELETE);
}
