/* SPDX-License-Identifier: BSD-3-Clause */
/* A session whose route moves to another VXC: it ends, and traffic follows the route at once. */
#include <criterion/criterion.h>
#include <rte_tcp.h>

#include "pkt_parse.h"
#include "test_support.h"

#define H ip4(10, 0, 0, 5)
#define R ip4(198, 51, 100, 10)
#define VXC1_ADDR 0xcb007101u /* 203.0.113.1 */
#define VXC2_ADDR 0xcb007103u /* 203.0.113.3 */

static struct test_engine e;

static void setup(void)
{
	test_engine_init(&e, 1024, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
	e.config.n_pools = 2;
	e.config.pools[1].first = VXC2_ADDR;
	e.config.pools[1].count = 1;
}

static void teardown(void)
{
	char why[256];

	cr_assert(nat_table_check(&e.w, why, sizeof(why)), "%s", why);
	test_engine_fini(&e);
}

TestSuite(reroute, .init = setup, .fini = teardown);

/* One packet from the LAN whose route leaves through VXC `pool`; returns its translated source
 * address (host order), 0 if dropped. */
static uint32_t send_via(uint16_t pool, uint8_t proto, uint8_t tcp_flags, uint32_t now)
{
	struct test_pkt p = {.proto = proto, .src = H, .dst = R, .sport = 40000, .dport = 443,
			     .tcp_flags = tcp_flags};
	struct rte_mbuf *m = test_build(&p), *out[4];
	struct pkt_info info;
	uint32_t src = 0;
	uint16_t n;

	cr_assert_eq(pkt_parse(m, &info), PKT_DROP_NONE);
	n = nat_in2out_burst(&e.w, &m, &info, &pool, 1, out, 4, now);
	if (n == 1)
		src = rte_be_to_cpu_32(test_ip(out[0])->src_addr);
	while (n > 0)
		rte_pktmbuf_free(out[--n]);
	return src;
}

Test(reroute, a_retransmitted_syn_follows_the_new_route)
{
	cr_assert_eq(send_via(0, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 1), VXC1_ADDR);
	/* VXC 1 went silent, the route moved: the same SYN, retransmitted, leaves through VXC 2 with
	 * VXC 2's address, not pinned to a session nothing can answer. */
	cr_assert_eq(send_via(1, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 7), VXC2_ADDR);
	cr_assert_eq(e.w.stats.rerouted, 1);
	cr_assert_eq(e.w.live_sessions, 1);
}

Test(reroute, a_udp_flow_from_a_fixed_port_moves_with_the_route)
{
	cr_assert_eq(send_via(0, IPPROTO_UDP, 0, 1), VXC1_ADDR);
	cr_assert_eq(send_via(0, IPPROTO_UDP, 0, 2), VXC1_ADDR, "same route, same session");
	cr_assert_eq(send_via(1, IPPROTO_UDP, 0, 3), VXC2_ADDR);
	cr_assert_eq(send_via(1, IPPROTO_UDP, 0, 4), VXC2_ADDR);
	cr_assert_eq(e.w.stats.rerouted, 1);
}

Test(reroute, a_connection_in_progress_ends_and_its_next_segment_is_dropped)
{
	cr_assert_eq(send_via(0, IPPROTO_TCP, RTE_TCP_SYN_FLAG, 1), VXC1_ADDR);
	cr_assert_eq(send_via(1, IPPROTO_TCP, RTE_TCP_ACK_FLAG, 2), 0,
		     "a segment of a connection cannot open a session through the new VXC");
	cr_assert_eq(test_drops(&e, PKT_DROP_tcp_not_syn), 1);
	cr_assert_eq(e.w.live_sessions, 0);
	cr_assert_eq(e.w.table.n_hosts, 0, "its host is gone too");
}
