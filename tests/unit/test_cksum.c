/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 1624 incremental updates against from-scratch computation. */
#include <stdlib.h>

#include <criterion/criterion.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "cksum.h"

static uint16_t from_scratch(const uint16_t *words, int n)
{
	return (uint16_t)~cksum_fold(cksum_partial(words, (uint32_t)n * 2, 0));
}

Test(cksum, adjust16_equals_recomputation_for_random_words)
{
	uint16_t buf[32];
	int round, i;

	srand(1);
	for (round = 0; round < 100000; round++) {
		uint16_t ck, old, pos;

		for (i = 0; i < 32; i++)
			buf[i] = (uint16_t)rand();
		ck = from_scratch(buf, 32);
		pos = (uint16_t)(rand() % 32);
		old = buf[pos];
		buf[pos] = (uint16_t)rand();
		ck = cksum_adjust16(ck, old, buf[pos]);
		/* Both encodings of zero are valid; compare by verifying the sum. */
		cr_assert_eq(cksum_fold(cksum_partial(buf, 64, ck)), 0xffff, "round %d", round);
	}
}

Test(cksum, adjust32_equals_recomputation_for_random_addresses)
{
	uint32_t buf[8];
	int round, i;

	srand(2);
	for (round = 0; round < 100000; round++) {
		uint32_t old;
		uint16_t ck;
		int pos = rand() % 8;

		for (i = 0; i < 8; i++)
			buf[i] = (uint32_t)rand() * 2654435761u;
		ck = (uint16_t)~cksum_fold(cksum_partial(buf, sizeof(buf), 0));
		old = buf[pos];
		buf[pos] = (uint32_t)rand() ^ ((uint32_t)rand() << 16);
		ck = cksum_adjust32(ck, old, buf[pos]);
		cr_assert_eq(cksum_fold(cksum_partial(buf, sizeof(buf), ck)), 0xffff, "round %d", round);
	}
}

Test(cksum, udp_zero_checksum_stays_zero)
{
	cr_assert_eq(cksum_udp_adjust16(0, 0x1234, 0x4321), 0);
	cr_assert_eq(cksum_udp_adjust32(0, 0x0a000005, 0xcb007101), 0);
}

Test(cksum, udp_result_of_zero_is_sent_as_ffff)
{
	/* Data summing to 0xfffe has checksum 0x0001; one word going from 0 to 1 makes the sum 0xffff,
	 * whose checksum is 0x0000: "no checksum" for UDP unless sent as 0xffff. */
	cr_assert_eq(cksum_adjust16(0x0001, 0x0000, 0x0001), 0x0000);
	cr_assert_eq(cksum_udp_adjust16(0x0001, 0x0000, 0x0001), 0xffff);
}

Test(cksum, partial_sum_matches_dpdk_for_every_length_odd_or_even)
{
	uint8_t buf[101];
	uint32_t len;
	int i;

	srand(3);
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (len = 0; len <= sizeof(buf); len++)
		cr_assert_eq(cksum_fold(cksum_partial(buf, len, 0)), rte_raw_cksum(buf, len), "len %u", len);
}
