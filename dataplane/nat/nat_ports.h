/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which worker owns which external port.
 *
 * Each worker allocates external ports only from its own share, so the I/O layer can steer a reply
 * to the worker that owns its session by looking at the reply's destination port alone: the share
 * of worker w is one contiguous block of the privileged range (1-1023) and one of the rest
 * (1024-65535), in worker order, which `rte_flow` can match as port ranges. Port 0 belongs to
 * nobody. With RSS prediction (nat_rss.h) a worker further keeps, within its block, the TCP and UDP
 * ports whose replies the A-end port's RSS brings to its own queue; ownership stays by block, so a
 * reply that lands elsewhere all the same (ICMP, a reused endpoint-independent mapping) is still
 * handed to its owner.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define NAT_PORT_LOW_FIRST 1
#define NAT_PORT_LOW_COUNT 1023 /* 1-1023 */
#define NAT_PORT_HIGH_FIRST 1024
#define NAT_PORT_HIGH_COUNT 64512 /* 1024-65535 */

struct nat_rss_plan;

struct nat_port_plan {
	uint16_t worker;
	uint16_t n_workers;
	const struct nat_rss_plan *rss; /* the A-end ports' RSS, when it can be predicted; else NULL */
};

/* The worker that owns external port `port` (host byte order) among `n_workers`. */
static inline uint16_t nat_port_owner(uint16_t n_workers, uint16_t port)
{
	if (port == 0)
		return UINT16_MAX;
	if (port < NAT_PORT_HIGH_FIRST)
		return (uint16_t)((uint32_t)(port - NAT_PORT_LOW_FIRST) * n_workers / NAT_PORT_LOW_COUNT);
	return (uint16_t)((uint32_t)(port - NAT_PORT_HIGH_FIRST) * n_workers / NAT_PORT_HIGH_COUNT);
}

/*
 * The block of ports worker `plan->worker` owns in the privileged (`low`) or the other range:
 * [*first, *first + *count). Consistent with nat_port_owner().
 */
void nat_port_block(const struct nat_port_plan *plan, bool low, uint16_t *first, uint16_t *count);
