/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS-predicting port choice: a port picked for worker w must bring its reply to w's queue, judged
 * by a Toeplitz hash written here from its definition (not DPDK's), for several RETA sizes, worker
 * counts and queue layouts; and the engine, given such a plan, must translate to those ports only.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "nat_ports.h"
#include "nat_rss.h"
#include "test_support.h"

/* The key most NICs and DPDK's testpmd default to (Microsoft's RSS verification key). */
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* Toeplitz, bit by bit: for each set bit of the input, XOR in the 32 key bits starting there. */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *input, unsigned len)
{
	uint32_t result = 0, window = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	unsigned byte, bit;

	for (byte = 0; byte < len; byte++)
		for (bit = 0; bit < 8; bit++) {
			if (input[byte] & (0x80 >> bit))
				result ^= window;
			window = window << 1 | ((key[byte + 4] >> (7 - bit)) & 1);
		}
	return result;
}

/* The reply's bytes as the NIC hashes them: source, destination addresses, then ports, big endian. */
static uint32_t nic_hash(uint32_t remote, uint16_t rport, uint32_t ext, uint16_t eport)
{
	uint8_t in[12] = {
		remote >> 24, remote >> 16, remote >> 8, remote, ext >> 24, ext >> 16, ext >> 8, ext,
		rport >> 8, rport, eport >> 8, eport,
	};

	return toeplitz(ms_key, in, sizeof(in));
}

Test(rss, the_bitwise_toeplitz_matches_the_published_verification_vector)
{
	/* Microsoft's RSS verification suite: 66.9.149.187:2794 -> 161.142.100.80:1766 = 0x51ccc178. */
	cr_assert_eq(nic_hash(0x420995bb, 2794, 0xa18e6450, 1766), 0x51ccc178);
}

static void check_plan(uint16_t reta_size, uint16_t n_workers, uint16_t n_queues)
{
	uint16_t reta[NAT_RSS_RETA_MAX], worker_of_queue[NAT_RSS_RETA_MAX];
	struct nat_rss_plan plan;
	unsigned i, picked = 0;

	for (i = 0; i < reta_size; i++)
		reta[i] = (uint16_t)(i % n_queues);
	for (i = 0; i < n_queues; i++)
		worker_of_queue[i] = (uint16_t)(i % n_workers);
	cr_assert(nat_rss_plan_init(&plan, ms_key, sizeof(ms_key), reta, reta_size, worker_of_queue, n_queues));
	srand(reta_size * 7 + n_workers);
	for (i = 0; i < 2000; i++) {
		uint32_t remote = (uint32_t)rand(), ext = 0xcb007101u; /* 203.0.113.1 */
		uint16_t rport = (uint16_t)(rand() % 65535 + 1), worker = (uint16_t)(i % n_workers), port;
		uint32_t hash;

		if (!nat_rss_pick_port(&plan, worker, remote, rport, ext, 1024, 64512, (uint32_t)rand(), 256,
				       NULL, NULL, &port))
			continue;
		picked++;
		hash = nic_hash(remote, rport, ext, port);
		cr_assert_eq(worker_of_queue[reta[hash % reta_size]], worker,
			     "RETA %u, %u workers: port %u of %08x:%u lands on worker %u, not %u", reta_size, n_workers,
			     port, remote, rport, worker_of_queue[reta[hash % reta_size]], worker);
		cr_assert_geq(port, 1024);
	}
	cr_assert_eq(picked, 2000, "a port was found for every flow within 256 candidates");
}

Test(rss, picked_ports_bring_replies_to_their_worker_reta_64_two_workers) { check_plan(64, 2, 2); }
Test(rss, picked_ports_bring_replies_to_their_worker_reta_128_four_workers) { check_plan(128, 4, 4); }
Test(rss, picked_ports_bring_replies_to_their_worker_reta_512_three_workers) { check_plan(512, 3, 3); }
Test(rss, picked_ports_bring_replies_to_their_worker_with_two_queues_each) { check_plan(256, 2, 4); }

static bool odd_only(void *arg, uint16_t port)
{
	(void)arg;
	return port & 1;
}

Test(rss, taken_ports_are_skipped)
{
	uint16_t reta[64], workers[2] = {0, 1}, port;
	struct nat_rss_plan plan;
	unsigned i;

	for (i = 0; i < 64; i++)
		reta[i] = (uint16_t)(i & 1);
	cr_assert(nat_rss_plan_init(&plan, ms_key, sizeof(ms_key), reta, 64, workers, 2));
	for (i = 0; i < 200; i++) {
		cr_assert(nat_rss_pick_port(&plan, 1, 0xc6336400u + i, 443, 0xcb007101u, 1024, 64512, i * 97, 256,
					    odd_only, NULL, &port));
		cr_assert(port & 1);
		cr_assert_eq(nat_rss_reply_worker(&plan, 0xc6336400u + i, 443, 0xcb007101u, port), 1);
	}
}

Test(rss, a_bad_plan_is_refused)
{
	uint16_t reta[64] = {0}, workers[1] = {0};
	struct nat_rss_plan plan;

	cr_assert_not(nat_rss_plan_init(&plan, ms_key, 8, reta, 64, workers, 1), "key too short");
	cr_assert_not(nat_rss_plan_init(&plan, ms_key, sizeof(ms_key), reta, 48, workers, 1), "RETA not a power of 2");
}

/*
 * The engine as worker 1 of 2 with RSS prediction: every TCP and UDP flow it translates leaves with
 * an external port whose reply the NIC brings back to worker 1, from worker 1's own block (so that
 * replies that land elsewhere all the same can still be handed over by port).
 */
static void check_engine(enum nat_mapping mapping)
{
	uint16_t reta[128], workers[2] = {0, 1}, first, count;
	struct nat_worker_params params = {.worker = 1, .n_workers = 2, .capacity = 8192};
	struct nat_port_plan block = {.worker = 1, .n_workers = 2};
	struct nat_rss_plan plan;
	struct test_engine e;
	unsigned i, kept = 0;

	for (i = 0; i < 128; i++)
		reta[i] = (uint16_t)(i % 2);
	cr_assert(nat_rss_plan_init(&plan, ms_key, sizeof(ms_key), reta, 128, workers, 2));
	params.rss = &plan;
	test_engine_init_worker(&e, &params, mapping, 1);
	nat_port_block(&block, false, &first, &count);
	for (i = 0; i < 3000; i++) {
		struct test_pkt p = {
			.proto = i % 3 ? IPPROTO_UDP : IPPROTO_TCP,
			.tcp_flags = RTE_TCP_SYN_FLAG,
			.src = ip4(10, 11, 0, (uint8_t)(5 + i % 7)),
			.dst = ip4(198, 51, (uint8_t)(i % 5), (uint8_t)(i % 251)),
			.sport = (uint16_t)(40000 + i),
			.dport = (uint16_t)(i % 2 ? 443 : 5353),
		};
		struct rte_mbuf *out = test_in2out(&e, test_build(&p), 1);
		uint16_t eport;

		cr_assert_not_null(out, "flow %u translated", i);
		eport = test_sport(out);
		kept += eport == p.sport;
		cr_assert(eport >= first && eport < first + count, "port %u in worker 1's block", eport);
		cr_assert_eq(nic_hash(rte_be_to_cpu_32(p.dst), p.dport, TEST_POOL_FIRST, eport) % 2, 1,
			     "flow %u: the reply to port %u lands on worker 1's queue", i, eport);
		rte_pktmbuf_free(out);
	}
	/* Source ports in worker 1's block are kept when their reply lands here: about half of them. */
	cr_assert(kept > 0 && kept < 3000, "%u source ports kept", kept);
	test_engine_fini(&e);
}

Test(rss, the_engine_translates_to_ports_whose_replies_come_back_endpoint_dependent)
{
	check_engine(NAT_MAPPING_ENDPOINT_DEPENDENT);
}

Test(rss, the_engine_translates_to_ports_whose_replies_come_back_endpoint_independent)
{
	check_engine(NAT_MAPPING_ENDPOINT_INDEPENDENT);
}
