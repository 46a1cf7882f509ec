/* SPDX-License-Identifier: BSD-3-Clause */
#include "nat_ports.h"

/* Block boundaries are rounded up, which makes "port p is in block w" equal to
 * floor((p - base) * n / size) == w, the formula of nat_port_owner(). */
static uint32_t block_start(uint32_t worker, uint32_t n_workers, uint32_t size)
{
	return (worker * size + n_workers - 1) / n_workers;
}

void nat_port_block(const struct nat_port_plan *plan, bool low, uint16_t *first, uint16_t *count)
{
	uint32_t base = low ? NAT_PORT_LOW_FIRST : NAT_PORT_HIGH_FIRST;
	uint32_t size = low ? NAT_PORT_LOW_COUNT : NAT_PORT_HIGH_COUNT;
	uint32_t start = block_start(plan->worker, plan->n_workers, size);
	uint32_t end = block_start(plan->worker + 1u, plan->n_workers, size);

	*first = (uint16_t)(base + start);
	*count = (uint16_t)(end - start);
}
