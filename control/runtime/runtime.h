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
#include "nat_rss.h"
#include "alarms.h"
#include "run_dir.h"
#include "service.h"

#define RT_DEFAULT_SOCKET "/run/secnat/secnat.sock"

struct rt_options {
	uint32_t sessions_per_worker;
	const char *socket_path;   /* NULL: RT_DEFAULT_SOCKET */
	const char *config_file;   /* the startup file (-f): `write`'s default, SIGHUP's source */
	const char *bird_binary;  /* NULL: /usr/sbin/bird; "none": another daemon writes the table */
	const char *cp_netns_name; /* name the control-plane namespace under /run/netns */
	uint32_t bgp_table;        /* the kernel table routes are imported from; 0: BGP_KERNEL_TABLE */
	bool interactive; /* a console on the terminal (-i) */
};

struct rt_neigh;
struct cmdline;

struct rt_bgp;
struct natlog;
struct metrics_server;

#define RT_NATLOG_RING 65536 /* NAT events a worker may have waiting for the control thread */

#define RT_BGP_MAX_ROUTES (1u << 18)

/* A configured (connected or static) route in the FIB. */
struct rt_fib_route {
	struct ipv4_prefix prefix;
	uint32_t adj;
	uint32_t via;     /* the static route's gateway; 0 for a connected subnet */
	uint8_t distance; /* 0: connected */
};

/* A route the BGP daemon chose. */
struct rt_bgp_route {
	struct ipv4_prefix prefix;
	int32_t adj;      /* a VXC adjacency or an equal-cost group of them */
	uint32_t gateway; /* the first path's, for show */
	bool stale;       /* withdrawn while the daemon restarted: kept for the grace period */
	bool seen;        /* in the current full resynchronisation */
	uint32_t daemon_run; /* rt->bgp_daemon_runs when it was last learned */
};

/* The TUN interface of a VXC on the exception path (rt_kernel.c). */
struct rt_tun {
	char vxc[CFG_NAME_MAX + 1];
	char ifname[16];
	uint32_t local;
	int fd; /* -1: unused */
};

struct runtime {
	struct secnat_config cfg;
	struct rt_options opt;
	struct run_dir run_dir; /* the socket's folder, made if missing */
	struct service service; /* systemd: readiness and the watchdog */
	struct alarms alarms;   /* refused new flows, said in words */
	struct dp_shared *shared;
	struct dp_worker *workers[DP_MAX_WORKERS];
	unsigned worker_lcores[DP_MAX_WORKERS];
	struct rt_neigh *neigh;
	int listen_fd;
	int host_netns, cp_netns; /* the namespace secnat started in, and its control-plane one */
	char cp_netns_path[64];    /* its name under /run/netns, if it has one */
	struct rt_tun tun[CFG_MAX_VXCS];
	/* Steering (rt_steering.c): the RSS key secnat gives its ports, and what came of it. */
	uint8_t rss_key[NAT_RSS_KEY_MAX];
	bool rss_key_made;
	char steering[160];
	struct {
		uint64_t to_kernel, from_kernel, unresolved, dropped;
	} exception;
	struct cmdline *console; /* NULL without -i */
	bool quit;               /* the console asked to leave */
	/* Counter values at the last "clear stats": workers own their counters, so shows subtract. */
	struct {
		uint64_t drops[PKT_DROP_MAX];
		uint64_t created, expired, neighbor_held, fragmented, frag_needed_sent, embryonic_reclaimed, rerouted;
		uint64_t log_events, log_dropped;
		uint64_t vxc_tx[DP_MAX_VXCS], vxc_rate_dropped[DP_MAX_VXCS];
		uint64_t worker_packets[DP_MAX_WORKERS], worker_cycles[DP_MAX_WORKERS];
		uint64_t worker_drops[DP_MAX_WORKERS], worker_handoffs[DP_MAX_WORKERS];
		struct {
			uint64_t ipackets, opackets, rx_dropped, tx_dropped;
		} port[DP_MAX_PORTS];
	} baseline;
	/* The configured routes in the FIB, so that a change can be applied as a difference. */
	unsigned n_installed;
	struct rt_fib_route installed[CFG_MAX_ROUTES + 2 * CFG_MAX_PORTS + CFG_MAX_VXCS];
	/* BGP routes from the daemon's kernel table (rt_fib.c), and the daemon (rt_bgp.c). */
	struct rte_hash *bgp;             /* prefix key -> index in bgp_routes */
	struct rt_bgp_route *bgp_routes;
	uint32_t *bgp_free, bgp_n_free, bgp_count;
	uint64_t bgp_unmapped, bgp_overflow, fib_errors;
	uint64_t bgp_grace_until_ms;      /* the daemon died: its routes stay until then (0: no grace) */
	uint32_t bgp_daemon_runs;         /* restarts of the daemon so far: which run learned a route */
	struct rt_bgp *bgp_ctl;
	/* Rate shares (rt_rate.c): the offered bytes seen at the last rebalance. */
	uint64_t rate_seen[DP_MAX_WORKERS][DP_MAX_VXCS];
	uint64_t rate_last_tsc;
	/* NAT event logging (control/natlog/): the exporters, and the TSC-to-wall-clock pair. */
	struct natlog *natlog;
	uint64_t natlog_clock_tsc, natlog_clock_ms, natlog_ms_per_tsc;
	struct metrics_server *metrics; /* Prometheus /metrics (control/metrics/); NULL: not served */
};

/* Sets everything up from `cfg` and starts the workers. Returns 0, or a negative errno with the
 * reason printed; exit code 2 is for configuration/hardware mismatches (*config_error set). */
int runtime_start(struct runtime *rt, const struct secnat_config *cfg, const struct rt_options *opt,
		  bool *config_error);
/* Runs the control loop (and the console, with -i) until `*stop` becomes true or the console quits.
 * `*reload` set (SIGHUP): `configure replace` of the startup file, then cleared. */
void runtime_loop(struct runtime *rt, volatile bool *stop, volatile bool *reload);
void runtime_stop(struct runtime *rt);

/*
 * Runs one operator command against the running appliance: shows read it, configuration commands
 * are applied (or refused, changing nothing). Returns 0 or a negative errno with `err` filled.
 */
int runtime_execute(struct runtime *rt, const char *line, FILE *out, char *err, size_t err_len);

/* Steering (rt_steering.c): a port's RSS request before it starts; after all have started, the
 * choice between RSS prediction (shared->rss set) and handoff, with the reason in rt->steering. */
void rt_steering_port_conf(struct runtime *rt, const struct rte_eth_dev_info *info, uint16_t n_workers,
			   struct rte_eth_conf *conf);
int rt_steering_setup(struct runtime *rt, uint16_t n_workers);
/* The control socket (rt_socket.c). rt_socket_answers: does a secnat listen on `path` already? */
bool rt_socket_answers(const char *path);
int rt_socket_open(struct runtime *rt);
void rt_socket_poll(struct runtime *rt);
void rt_socket_close(struct runtime *rt);

/* The interactive console (rt_console.c). */
int rt_console_open(struct runtime *rt);
void rt_console_poll(struct runtime *rt);
void rt_console_close(struct runtime *rt);

/* Counters as the operator reads them (rt_stats.c), for the console and telemetry alike. */
struct rt_nat_totals {
	uint64_t sessions, created, expired, drops[PKT_DROP_MAX];
	uint64_t neighbor_held; /* packets that waited for their next hop's MAC and left */
	uint64_t fragmented, frag_needed_sent;
	uint64_t embryonic_reclaimed; /* unanswered sessions ended early for new flows */
	uint64_t rerouted;            /* sessions ended because their route moved to another VXC */
	uint64_t log_events;          /* NAT events the workers handed to the control thread */
	uint64_t log_dropped;         /* NAT events lost: a worker's event ring was full */
	/* Gauges, never cleared: fragments waiting for their first, and the shared pool's use. */
	uint64_t frags_held, mbufs_in_use, mbufs;
};
struct rt_port_totals {
	uint64_t rx_packets, tx_packets, rx_dropped, tx_dropped;
};
struct rt_vxc_totals {
	uint64_t tx_packets, rate_dropped;
};
struct rt_worker_totals {
	uint64_t packets, drops, cycles_per_packet, handoffs;
};
void rt_stats_nat(const struct runtime *rt, struct rt_nat_totals *t);
int rt_stats_port(const struct runtime *rt, uint16_t port, struct rt_port_totals *t);
void rt_stats_vxc(const struct runtime *rt, unsigned vxc, struct rt_vxc_totals *t);
void rt_stats_worker(const struct runtime *rt, unsigned worker, struct rt_worker_totals *t);
void rt_stats_clear(struct runtime *rt);

/* The VXC rate shares (rt_rate.c): every 100 ms from the loop, or `now` after a change. */
void rt_rate_rebalance(struct runtime *rt, const struct secnat_config *cfg, bool now);

/* DPDK telemetry under /secnat/ (rt_telemetry.c), answered by the control loop. */
int rt_telemetry_register(void);
void rt_telemetry_poll(struct runtime *rt);

/* The control-plane namespace (rt_netns.c): made at start; enter, do, leave. */
int rt_netns_create(struct runtime *rt);
int rt_netns_enter(struct runtime *rt);
void rt_netns_leave(struct runtime *rt);
void rt_netns_close(struct runtime *rt);

/* The exception path (rt_kernel.c): a TUN per VXC, punted frames in, the kernel's packets out. */
int rt_kernel_sync(struct runtime *rt, const struct secnat_config *cfg);
void rt_kernel_deliver(struct runtime *rt, struct rte_mbuf *m);
void rt_kernel_poll(struct runtime *rt);
void rt_kernel_close(struct runtime *rt);

/* Publishing (rt_publish.c). */
struct dp_config *rt_build_dp_config(const struct runtime *rt, const struct secnat_config *cfg);
int rt_publish(struct runtime *rt, const struct secnat_config *cfg);

/* The FIB (rt_fib.c): configured routes recomputed on each change; BGP routes one by one. */
int rt_fib_sync(struct runtime *rt, const struct secnat_config *cfg);
int rt_fib_bgp_init(struct runtime *rt);
void rt_fib_bgp_fini(struct runtime *rt);
void rt_fib_bgp_set(struct runtime *rt, const struct ipv4_prefix *p, const uint32_t *gws, unsigned n);
/* `now`: even during the daemon's restart grace. */
void rt_fib_bgp_del(struct runtime *rt, const struct ipv4_prefix *p, bool now);
void rt_fib_bgp_mark(struct runtime *rt);  /* a full resync begins: all unseen */
void rt_fib_bgp_sweep(struct runtime *rt); /* it ended: what was not seen is withdrawn */
/* Which route the FIB forwards `prefix` with, for show route: the configured one with this gateway
 * and distance (via 0, distance 0: connected), or BGP's. */
bool rt_fib_uses_configured(const struct runtime *rt, const struct ipv4_prefix *p, uint32_t via,
			    uint8_t distance);
bool rt_fib_uses_bgp(const struct runtime *rt, const struct rt_bgp_route *b);

/* BGP (rt_bgp.c): the supervised daemon and the import of its routes. */
int rt_bgp_start(struct runtime *rt);
void rt_bgp_poll(struct runtime *rt);
int rt_bgp_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len);
void rt_bgp_stop(struct runtime *rt);
struct bird_daemon *rt_bgp_daemon(struct runtime *rt); /* for show and clear; NULL before start */
/* A BGP session as the daemon reports it. */
struct rt_bgp_session {
	char state[24];
	uint64_t uptime_s, received, accepted, rejected, announced;
};
void rt_bgp_session(struct runtime *rt, uint32_t neighbor, struct rt_bgp_session *s);
/* Next hops map to VXCs by index: after VXCs change, every BGP route is looked at again. */
void rt_bgp_resync(struct runtime *rt);

/* NAT event logging (control/natlog/natlog_drain.c). */
int rt_natlog_ring_create(uint16_t worker, struct rte_ring **ring);
int rt_natlog_start(struct runtime *rt);
/* Opens what `cfg` adds; -errno with `err` filled and nothing changed when a destination cannot be. */
int rt_natlog_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len);
void rt_natlog_poll(struct runtime *rt);
void rt_natlog_stop(struct runtime *rt);

/* Prometheus metrics (control/metrics/): serves what `cfg` says, starting the new listener before
 * the old one stops; -errno with `err` filled and nothing changed when it cannot listen. */
int rt_metrics_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len);

/* Neighbours (rt_neigh.c). */
int rt_neigh_init(struct runtime *rt);
void rt_neigh_fini(struct runtime *rt);
void rt_neigh_learn(struct runtime *rt, struct rte_mbuf *arp);
void rt_neigh_wanted(struct runtime *rt, uint64_t key);
void rt_neigh_tick(struct runtime *rt);
void rt_neigh_announce(struct runtime *rt);
/* A packet of `worker` whose next hop is unresolved: it waits here until ARP answers (or a second). */
void rt_neigh_hold(struct runtime *rt, uint16_t worker, struct rte_mbuf *m);
/* The hold queue's count of packets refused, timed out and sent on, for show nat stats. */
void rt_neigh_hold_counts(const struct runtime *rt, uint64_t *full, uint64_t *timeout,
			  uint64_t *released);
/* Asks for the MACs of every VXC peer and static-route gateway not known yet (at start, after a
 * change, and every second), so that they are resolved before traffic needs them. */
void rt_neigh_resolve_configured(struct runtime *rt);
/* show arp: every neighbour, its MAC and state. clear arp: forgets them all (learned again as
 * traffic needs them; the configured next hops are asked for at once). Returns how many. */
void rt_neigh_show(struct runtime *rt, FILE *out, bool json);
unsigned rt_neigh_clear(struct runtime *rt);
