/* SPDX-License-Identifier: BSD-3-Clause */
/* The port plan: which worker owns an external port. */
#include <criterion/criterion.h>

#include "nat_ports.h"

Test(ports, blocks_partition_both_ranges_and_agree_with_the_owner_function)
{
	uint16_t n;

	for (n = 1; n <= 16; n++) {
		uint32_t seen_low = 0, seen_high = 0;
		uint16_t w;

		for (w = 0; w < n; w++) {
			struct nat_port_plan plan = {.worker = w, .n_workers = n};
			uint16_t first, count;
			uint32_t p;

			nat_port_block(&plan, true, &first, &count);
			for (p = first; p < (uint32_t)first + count; p++)
				cr_assert_eq(nat_port_owner(n, (uint16_t)p), w, "n=%u port %u", n, p);
			seen_low += count;
			nat_port_block(&plan, false, &first, &count);
			cr_assert_geq(first, 1024);
			for (p = first; p < (uint32_t)first + count; p++)
				cr_assert_eq(nat_port_owner(n, (uint16_t)p), w, "n=%u port %u", n, p);
			seen_high += count;
		}
		cr_assert_eq(seen_low, 1023, "n=%u", n);
		cr_assert_eq(seen_high, 64512, "n=%u", n);
	}
}

Test(ports, port_zero_belongs_to_nobody)
{
	cr_assert_eq(nat_port_owner(4, 0), UINT16_MAX);
}
