/* SPDX-License-Identifier: BSD-3-Clause */
/* A worker's share of a VXC's rate: what its token bucket lets through, over time. */
#include <criterion/criterion.h>

#include "dp_rate.h"
#include "test_support.h"

TestSuite(rate, .init = test_eal_init);

/* Offers `bytes`-byte frames every `gap` TSC cycles for `seconds`; returns the bytes let through. */
static uint64_t offer(struct dp_worker *w, uint32_t bytes, uint64_t gap, double seconds)
{
	uint64_t end = w->tsc + (uint64_t)(seconds * (double)rte_get_tsc_hz()), passed = 0;

	for (; w->tsc < end; w->tsc += gap)
		if (dp_rate_allows(w, 0, bytes))
			passed += bytes;
	return passed;
}

static struct dp_worker *worker(uint64_t share_bps)
{
	static struct dp_worker w;

	memset(&w, 0, sizeof(w));
	w.tsc = 1000;
	w.rate_share_bps[0] = share_bps;
	return &w;
}

Test(rate, twice_the_rate_offered_passes_the_rate_plus_one_burst)
{
	const uint64_t bps = 10 * 1000 * 1000, hz = rte_get_tsc_hz();
	struct dp_worker *w = worker(bps);
	/* 1,518-byte frames at 20 Mbit/s for ten seconds. */
	uint64_t gap = hz * 1518 * 8 / (2 * bps);
	uint64_t passed = offer(w, 1518, gap, 10.0), expected = bps / 8 * 10 + w->rate[0].burst;

	cr_assert_leq(passed, expected + 1518);
	cr_assert_geq(passed, expected - 2 * 1518, "%lu bytes passed, %lu expected", (unsigned long)passed,
		      (unsigned long)expected);
}

Test(rate, small_frames_at_five_gigabits_lose_no_fraction_of_a_byte)
{
	const uint64_t bps = 5000ull * 1000 * 1000, hz = rte_get_tsc_hz();
	struct dp_worker *w = worker(bps);
	/* 68-byte frames offered at 1.5 times the rate, one per "loop turn": every refill is a few
	 * cycles' worth, a fraction of a byte each time. */
	uint64_t gap = hz * 68 * 8 * 2 / (3 * bps);
	uint64_t passed = offer(w, 68, gap ? gap : 1, 1.0), expected = bps / 8 + w->rate[0].burst;

	cr_assert_leq(passed, expected + 68);
	cr_assert_geq(passed, expected - expected / 10000, "%lu bytes passed, %lu expected (%.4f%%)",
		      (unsigned long)passed, (unsigned long)expected,
		      100.0 * ((double)passed - (double)expected) / (double)expected);
}

Test(rate, a_share_of_zero_is_not_metered_and_a_new_share_applies_at_once)
{
	struct dp_worker *w = worker(0);
	unsigned i, passed = 0;

	for (i = 0; i < 1000; i++)
		passed += dp_rate_allows(w, 0, 1500);
	cr_assert_eq(passed, 1000, "an unmetered share lets everything through");
	/* 1 MB/s with a 10 ms burst: ten 1,000-byte frames at this instant, not an eleventh. */
	__atomic_store_n(&w->rate_share_bps[0], 8 * 1000 * 1000, __ATOMIC_RELAXED);
	for (i = 0, passed = 0; i < 11; i++)
		passed += dp_rate_allows(w, 0, 1000);
	cr_assert_eq(passed, 10);
	cr_assert_eq(w->rate[0].burst, 10000);
}

Test(rate, an_idle_second_fills_the_bucket_and_no_more)
{
	struct dp_worker *w = worker(8 * 1000 * 1000);
	unsigned i, passed = 0;

	for (i = 0; i < 100; i++) /* empty it */
		dp_rate_allows(w, 0, 1000);
	w->tsc += 100 * rte_get_tsc_hz(); /* long idle: the product would overflow if computed */
	for (i = 0; i < 100; i++)
		passed += dp_rate_allows(w, 0, 1000);
	cr_assert_eq(passed, 10, "a full bucket holds ten 1,000-byte frames, %u passed", passed);
}
