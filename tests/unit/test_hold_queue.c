/* SPDX-License-Identifier: BSD-3-Clause */
/* The hold queue: packets wait for their next hop in order, a few per neighbour, bounded in total, and
 * no longer than the timeout. */
#include <stdint.h>

#include <criterion/criterion.h>

#include "hold_queue.h"

static struct hold_queue q;
static struct hold_packet out[HOLD_TOTAL];

static void *packet(uintptr_t n)
{
	return (void *)(n + 1); /* any distinct pointer will do */
}

static void setup(void)
{
	hold_init(&q);
}

TestSuite(hold, .init = setup);

Test(hold, packets_leave_in_order_for_their_neighbor_only)
{
	unsigned n, i;

	for (i = 0; i < 3; i++) {
		cr_assert_eq(hold_add(&q, 0xa, packet(i), (uint16_t)i, 100), 0);
		cr_assert_eq(hold_add(&q, 0xb, packet(10 + i), 0, 100), 0);
	}
	n = hold_take(&q, 0xa, out);
	cr_assert_eq(n, 3);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(out[i].m, packet(i), "packet %u out of order", i);
		cr_assert_eq(out[i].worker, i, "the worker that held it sends it");
	}
	cr_assert_eq(hold_take(&q, 0xa, out), 0, "taken once");
	cr_assert_eq(q.held, 3);
	cr_assert_eq(hold_take(&q, 0xb, out), 3);
	cr_assert_eq(q.held, 0);
	cr_assert_eq(q.released, 6);
}

Test(hold, a_neighbor_holds_a_few_and_refuses_more)
{
	unsigned i;

	for (i = 0; i < HOLD_PER_NEIGHBOR; i++)
		cr_assert_eq(hold_add(&q, 0xa, packet(i), 0, 0), 0);
	cr_assert_eq(hold_add(&q, 0xa, packet(99), 0, 0), -1);
	cr_assert_eq(q.full, 1);
	cr_assert_eq(hold_add(&q, 0xb, packet(100), 0, 0), 0, "another neighbour still has room");
}

Test(hold, a_flood_of_unknown_destinations_stays_bounded)
{
	uint64_t key;
	unsigned accepted = 0;

	/* Every packet towards a different unknown next hop. */
	for (key = 1; key <= 100000; key++)
		accepted += hold_add(&q, key, packet(key), 0, 0) == 0;
	cr_assert_leq(accepted, HOLD_TOTAL);
	cr_assert_leq(accepted, HOLD_NEIGHBORS);
	cr_assert_eq(q.held, accepted);
	cr_assert_eq(q.full, 100000 - accepted);
	/* And several packets per destination: never more than HOLD_TOTAL in all. */
	hold_init(&q);
	accepted = 0;
	for (key = 1; key <= 100000; key++)
		accepted += hold_add(&q, 1 + key % HOLD_NEIGHBORS, packet(key), 0, 0) == 0;
	cr_assert_leq(q.held, HOLD_TOTAL);
	cr_assert_eq(accepted, q.held);
}

Test(hold, packets_that_waited_a_second_are_dropped_oldest_first)
{
	unsigned n;

	cr_assert_eq(hold_add(&q, 0xa, packet(1), 0, 1000), 0);
	cr_assert_eq(hold_add(&q, 0xa, packet(2), 0, 1500), 0);
	cr_assert_eq(hold_add(&q, 0xb, packet(3), 0, 1200), 0);
	cr_assert_eq(hold_expire(&q, 1999, out), 0, "nothing has waited %d ms yet", HOLD_TIMEOUT_MS);
	n = hold_expire(&q, 2000, out);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0].m, packet(1));
	n = hold_expire(&q, 2300, out);
	cr_assert_eq(n, 1);
	cr_assert_eq(out[0].m, packet(3));
	cr_assert_eq(q.timeout, 2);
	cr_assert_eq(hold_take(&q, 0xa, out), 1, "the younger one still waits");
	cr_assert_eq(out[0].m, packet(2));
	cr_assert_eq(q.held, 0);
}

Test(hold, an_expired_neighbor_frees_its_slot)
{
	uint64_t key;

	for (key = 1; key <= HOLD_NEIGHBORS; key++)
		cr_assert_eq(hold_add(&q, key, packet(key), 0, 0), 0);
	cr_assert_eq(hold_add(&q, 9999, packet(0), 0, 0), -1, "all neighbour slots in use");
	cr_assert_eq(hold_expire(&q, HOLD_TIMEOUT_MS, out), HOLD_NEIGHBORS);
	cr_assert_eq(hold_add(&q, 9999, packet(0), 0, HOLD_TIMEOUT_MS), 0);
}
