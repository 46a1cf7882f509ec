/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS-predicting port choice: a port picked for worker w must bring its reply to w's queue, judged
 * by a Toeplitz hash written here from its definition (not DPDK's), for several RETA sizes, worker
 * counts and queue layouts.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "nat_rss.h"

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
