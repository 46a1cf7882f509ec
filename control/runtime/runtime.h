/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running appliance on the control thread: ports, workers, the state published to them, the
 * neighbour table, and the control loop.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "dp.h"

struct rt_options {
	uint32_t sessions_per_worker;
	const char *socket_path;
	bool interactive; /* a console on the terminal (-i) */
};

struct rt_neigh;
struct cmdline;

struct runtime {
	struct secnat_config cfg;
	struct rt_options opt;
	struct dp_shared *shared;
	struct dp_worker *workers[DP_MAX_WORKERS];
	unsigned worker_lcores[DP_MAX_WORKERS];
	struct rt_neigh *neigh;
	int listen_fd;
	struct cmdline *console; /* NULL without -i */
	bool quit;               /* the console asked to leave */
	/* Counter values at the last "clear stats": workers own their counters, so shows subtract. */
	struct {
		uint64_t drops[PKT_DROP_MAX];
		uint64_t created, expired;
		uint64_t vxc_tx[DP_MAX_VXCS];
		uint64_t worker_packets[DP_MAX_WORKERS], worker_cycles[DP_MAX_WORKERS];
		struct {
			uint64_t ipackets, opackets, rx_dropped, tx_dropped;
		} port[DP_MAX_PORTS];
	} baseline;
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
/* Runs the control loop (and the console, with -i) until `*stop` becomes true or the console quits. */
void runtime_loop(struct runtime *rt, volatile bool *stop);
void runtime_stop(struct runtime *rt);

/*
 * Runs one operator command against the running appliance: shows read it, configuration commands
 * are applied (or refused, changing nothing). Returns 0 or a negative errno with `err` filled.
 */
int runtime_execute(struct runtime *rt, const char *line, FILE *out, char *err, size_t err_len);

/* The control socket (rt_socket.c). */
int rt_socket_open(struct runtime *rt);
void rt_socket_poll(struct runtime *rt);
void rt_socket_close(struct runtime *rt);

/* The interactive console (rt_console.c). */
int rt_console_open(struct runtime *rt);
void rt_console_poll(struct runtime *rt);
void rt_console_close(struct runtime *rt);

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
