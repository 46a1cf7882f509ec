/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_common.h>
#include <rte_thash.h>

#include "nat_rss.h"

bool nat_rss_plan_init(struct nat_rss_plan *p, const uint8_t *key, uint32_t key_len, const uint16_t *reta,
		       uint16_t reta_size, const uint16_t *worker_of_queue, uint16_t n_queues)
{
	/* Toeplitz over 12 bytes of IPv4 tuple needs 16 bytes of key (the tuple length plus 4). */
	if (key_len < 16 || key_len > NAT_RSS_KEY_MAX || reta_size == 0 || reta_size > NAT_RSS_RETA_MAX ||
	    !rte_is_power_of_2(reta_size) || n_queues == 0 || n_queues > NAT_RSS_RETA_MAX)
		return false;
	memset(p, 0, sizeof(*p));
	memcpy(p->key, key, key_len);
	rte_convert_rss_key((const uint32_t *)(const void *)p->key, (uint32_t *)(void *)p->key_be, key_len);
	p->key_len = key_len;
	p->reta_size = reta_size;
	memcpy(p->reta, reta, reta_size * sizeof(reta[0]));
	memcpy(p->worker_of_queue, worker_of_queue, n_queues * sizeof(worker_of_queue[0]));
	return true;
}

uint16_t nat_rss_reply_worker(const struct nat_rss_plan *p, uint32_t remote, uint16_t rport, uint32_t ext,
			      uint16_t eport)
{
	/* The reply's tuple, in the order of the RSS specification, host order as rte_softrss wants. */
	uint32_t tuple[RTE_THASH_V4_L4_LEN] = {remote, ext, (uint32_t)rport << 16 | eport};
	uint32_t hash = rte_softrss_be(tuple, RTE_THASH_V4_L4_LEN, p->key_be);

	return p->worker_of_queue[p->reta[hash & (p->reta_size - 1)]];
}

bool nat_rss_pick_port(const struct nat_rss_plan *p, uint16_t worker, uint32_t remote, uint16_t rport,
		       uint32_t ext, uint16_t first, uint32_t count, uint32_t start, uint32_t tries,
		       bool (*usable)(void *arg, uint16_t port), void *arg, uint16_t *port)
{
	uint32_t i;

	if (count == 0)
		return false;
	for (i = 0; i < tries && i < count; i++) {
		uint16_t candidate = (uint16_t)(first + (start + i) % count);

		if (nat_rss_reply_worker(p, remote, rport, ext, candidate) == worker &&
		    (usable == NULL || usable(arg, candidate))) {
			*port = candidate;
			return true;
		}
	}
	return false;
}
