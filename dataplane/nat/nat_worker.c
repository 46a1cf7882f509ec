/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "nat_inlines.h"

#define DEFAULT_FRAG_SLOTS 1024

int nat_worker_init(struct nat_worker *w, const struct nat_worker_params *params,
		    const struct nat_config *config)
{
	struct nat_table_params tp = {
		.name = params->name,
		.socket = params->socket,
		.capacity = params->capacity,
		.host_capacity = params->host_capacity ? params->host_capacity : params->capacity,
		.eim_capacity = config->mapping == NAT_MAPPING_ENDPOINT_INDEPENDENT ? params->capacity : 0,
		/* A block and its host's entry per session at most: a small table needs few. */
		.block_keys = RTE_MIN((uint32_t)NAT_BLOCK_KEYS, 2 * params->capacity),
	};
	int ret;

	memset(w, 0, sizeof(*w));
	if (params->n_workers == 0 || params->worker >= params->n_workers)
		return -EINVAL;
	w->config = config;
	w->log.ring = params->log_ring;
	w->plan.worker = params->worker;
	w->plan.n_workers = params->n_workers;
	w->plan.rss = params->rss;
	nat_port_block(&w->plan, false, &w->block_first[0], &w->block_count[0]);
	nat_port_block(&w->plan, true, &w->block_first[1], &w->block_count[1]);
	/* Never zero: xorshift would stay at zero forever. */
	w->rng = rte_rdtsc() | 1;
	w->next_ip_id = (uint16_t)rte_rdtsc();

	ret = nat_table_init(&w->table, &tp);
	if (ret < 0)
		return ret;
	ret = nat_frag_init(&w->frags, params->frag_slots ? params->frag_slots : DEFAULT_FRAG_SLOTS,
			    params->frag_held_max, params->socket);
	if (ret < 0) {
		nat_table_fini(&w->table);
		return ret;
	}
	ret = nat_embryos_init(&w->embryos, params->capacity, params->socket);
	if (ret < 0) {
		nat_frag_fini(&w->frags);
		nat_table_fini(&w->table);
		return ret;
	}
	return 0;
}

void nat_worker_fini(struct nat_worker *w)
{
	nat_embryos_fini(&w->embryos);
	nat_frag_fini(&w->frags);
	nat_table_fini(&w->table);
}
