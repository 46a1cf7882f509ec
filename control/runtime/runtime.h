/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running appliance on the control thread: ports, workers, the state published to them, the
 * neighbour table, and the control loop.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dp.h"

struct rt_options {
	uint32_t sessions_per_worker;
};

struct rt_neigh;

struct runtime {
	struct secnat_config cfg;
	struct rt_options opt;
	struct dp_shared *shared;
	struct dp_worker *workers[DP_MAX_WORKERS];
	unsigned worker_lcores[DP_MAX_WORKERS];
	struct rt_neigh *neigh;
	/* The routes in the FIB, so that a change can be applied as a difference. */
	unsigned n_installed;
	struct {
		struct ipv4_prefix prefix;
		uint32_t adj;
	} installed[CFG_MAX_ROUTES + 2 * CFG_MAX_PORTS + CFG_MAX_VXCS];
};

/* Sets everything up from `cfg` and starts the workers. Returns 0, or a negative errno with the
 * reason printed; exit code 2 is for configuration/hardware mismatches (*config_error set). */
int runtime_start(struct runtime *rt, const struct secnat_config *cfg, const struct rt_options *opt,
		  bool *config_error);
/* Runs the control loop until `*stop` becomes true. */
void runtime_loop(struct runtime *rt, volatile bool *stop);
void runtime_stop(struct runtime *rt);

/* Publishing (rt_publish.c). */
struct dp_config *rt_build_dp_config(const struct runtime *rt, const struct secnat_config *cfg);
int rt_publish(struct runtime *rt, const struct secnat_config *cfg);
int rt_fib_sync(struct runtime *rt, const struct secnat_config *cfg);

/* Neighbours (rt_neigh.c). */
int rt_neigh_init(struct runtime *rt);
void rt_neigh_fini(struct runtime *rt);
void rt_neigh_learn(struct runtime *rt, struct rte_mbuf *arp);
void rt_neigh_wanted(struct runtime *rt, uint64_t key);
void rt_neigh_tick(struct runtime *rt);
void rt_neigh_announce(struct runtime *rt);
