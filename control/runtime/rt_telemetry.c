/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry under /secnat/: ports, vxc, nat, workers, bgp — what dpdk-telemetry.py reads, with
 * the numbers of the console (both come from rt_stats.c).
 *
 * Telemetry callbacks run on DPDK's telemetry thread, while the configuration, the BGP daemon and the
 * baselines belong to the control thread. So a callback posts its request to the control thread and
 * waits (at most a second) for the control loop to fill the answer in; nothing is read across threads
 * without the hand-over.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "cli_checks.h"
#include "runtime.h"

#define ANSWER_TIMEOUT_MS 1000

struct request {
	const char *command;
	struct rte_tel_data *data;
	int result;
	bool done;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct request *pending; /* the one request the control thread is to answer */
} mailbox = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL};

static void fill_ports(struct runtime *rt, struct rte_tel_data *d)
{
	uint16_t p;

	rte_tel_data_start_dict(d);
	for (p = 0; p < rt->shared->n_ports && p < CFG_MAX_PORTS; p++) {
		struct rte_tel_data *port;
		struct rt_port_totals t;
		char id[8];

		if (rt->cfg.ports[p].role == PORT_ROLE_NONE || rt_stats_port(rt, p, &t) != 0 ||
		    (port = rte_tel_data_alloc()) == NULL)
			continue;
		rte_tel_data_start_dict(port);
		rte_tel_data_add_dict_string(port, "role", port_role_name(rt->cfg.ports[p].role));
		rte_tel_data_add_dict_u64(port, "rx_packets", t.rx_packets);
		rte_tel_data_add_dict_u64(port, "tx_packets", t.tx_packets);
		rte_tel_data_add_dict_u64(port, "rx_dropped", t.rx_dropped);
		rte_tel_data_add_dict_u64(port, "tx_dropped", t.tx_dropped);
		snprintf(id, sizeof(id), "%u", p);
		rte_tel_data_add_dict_container(d, id, port, 0);
	}
}

static void fill_vxc(struct runtime *rt, struct rte_tel_data *d)
{
	unsigned v;

	rte_tel_data_start_dict(d);
	for (v = 0; v < rt->cfg.n_vxcs; v++) {
		const struct cfg_vxc *c = &rt->cfg.vxcs[v];
		struct rte_tel_data *vxc = rte_tel_data_alloc();
		struct rt_vxc_totals t;

		if (vxc == NULL)
			continue;
		rt_stats_vxc(rt, v, &t);
		rte_tel_data_start_dict(vxc);
		rte_tel_data_add_dict_u64(vxc, "port", c->port);
		rte_tel_data_add_dict_u64(vxc, "vlan", c->vlan);
		rte_tel_data_add_dict_u64(vxc, "rate_bps", c->rate_bps);
		rte_tel_data_add_dict_u64(vxc, "tx_packets", t.tx_packets);
		rte_tel_data_add_dict_u64(vxc, "rate_dropped", t.rate_dropped);
		rte_tel_data_add_dict_container(d, c->name, vxc, 0);
	}
}

static void fill_nat(struct runtime *rt, struct rte_tel_data *d)
{
	struct rte_tel_data *drops = rte_tel_data_alloc();
	struct rt_nat_totals t;
	unsigned r;

	rt_stats_nat(rt, &t);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "sessions", t.sessions);
	rte_tel_data_add_dict_u64(d, "created", t.created);
	rte_tel_data_add_dict_u64(d, "expired", t.expired);
	if (drops == NULL)
		return;
	rte_tel_data_start_dict(drops);
	for (r = 0; r < PKT_DROP_MAX; r++)
		rte_tel_data_add_dict_u64(drops, pkt_drop_name(r), t.drops[r]);
	rte_tel_data_add_dict_container(d, "drops", drops, 0);
}

static void fill_workers(struct runtime *rt, struct rte_tel_data *d)
{
	unsigned i;

	rte_tel_data_start_dict(d);
	for (i = 0; i < rt->shared->n_workers; i++) {
		struct rte_tel_data *worker = rte_tel_data_alloc();
		struct rt_worker_totals t;
		char lcore[12];

		if (worker == NULL)
			continue;
		rt_stats_worker(rt, i, &t);
		rte_tel_data_start_dict(worker);
		rte_tel_data_add_dict_u64(worker, "packets", t.packets);
		rte_tel_data_add_dict_u64(worker, "drops", t.drops);
		rte_tel_data_add_dict_u64(worker, "handoffs", t.handoffs);
		rte_tel_data_add_dict_u64(worker, "cycles_per_packet", t.cycles_per_packet);
		snprintf(lcore, sizeof(lcore), "%u", rt->worker_lcores[i]);
		rte_tel_data_add_dict_container(d, lcore, worker, 0);
	}
}

static void fill_bgp(struct runtime *rt, struct rte_tel_data *d)
{
	unsigned i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "routes_in_fib", rt->bgp_count);
	rte_tel_data_add_dict_u64(d, "unmapped", rt->bgp_unmapped);
	for (i = 0; i < rt->cfg.n_neighbors; i++) {
		struct rte_tel_data *n = rte_tel_data_alloc();
		struct rt_bgp_session s;
		char addr[IPV4_STRLEN];

		if (n == NULL)
			continue;
		rt_bgp_session(rt, rt->cfg.neighbors[i].addr, &s);
		rte_tel_data_start_dict(n);
		rte_tel_data_add_dict_string(n, "state", s.state);
		rte_tel_data_add_dict_u64(n, "remote_as", rt->cfg.neighbors[i].remote_as);
		rte_tel_data_add_dict_u64(n, "uptime_s", s.uptime_s);
		rte_tel_data_add_dict_u64(n, "prefixes_received", s.received);
		rte_tel_data_add_dict_u64(n, "prefixes_accepted", s.accepted);
		rte_tel_data_add_dict_container(d, ipv4_format(rt->cfg.neighbors[i].addr, addr), n, 0);
	}
}

static const struct {
	const char *command;
	void (*fill)(struct runtime *rt, struct rte_tel_data *d);
	const char *help;
} commands[] = {
	{"/secnat/ports", fill_ports, "Ports by id: role, packets and drops. No parameters."},
	{"/secnat/vxc", fill_vxc, "VXCs by name: VLAN, rate, packets, rate drops. No parameters."},
	{"/secnat/nat", fill_nat, "NAT sessions, creations, expiries and drops by reason. No parameters."},
	{"/secnat/workers", fill_workers, "Workers by lcore: packets, drops, cycles per packet. No parameters."},
	{"/secnat/bgp", fill_bgp, "BGP sessions by neighbor, and routes in the FIB. No parameters."},
};

/* On a telemetry thread: hand the request over and wait for the answer. */
static int handle(const char *command, const char *params, struct rte_tel_data *d)
{
	struct request r = {.command = command, .data = d};
	struct timespec deadline;
	int ret = 0;

	(void)params;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += ANSWER_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&mailbox.lock);
	while (mailbox.pending != NULL && ret == 0) /* another client's request goes first */
		ret = pthread_cond_timedwait(&mailbox.changed, &mailbox.lock, &deadline);
	if (ret == 0) {
		mailbox.pending = &r;
		while (!r.done && ret == 0)
			ret = pthread_cond_timedwait(&mailbox.changed, &mailbox.lock, &deadline);
		if (!r.done && mailbox.pending == &r)
			mailbox.pending = NULL; /* withdrawn: the control thread will not touch `d` */
	}
	pthread_mutex_unlock(&mailbox.lock);
	return r.done ? r.result : -ETIMEDOUT;
}

int rt_telemetry_register(void)
{
	size_t i;

	for (i = 0; i < RTE_DIM(commands); i++)
		if (rte_telemetry_register_cmd(commands[i].command, handle, commands[i].help) != 0)
			return -EINVAL;
	return 0;
}

/* On the control thread: answer a waiting request, if any. */
void rt_telemetry_poll(struct runtime *rt)
{
	struct request *r;
	size_t i;

	if (__atomic_load_n(&mailbox.pending, __ATOMIC_RELAXED) == NULL)
		return;
	pthread_mutex_lock(&mailbox.lock);
	r = mailbox.pending;
	if (r != NULL) {
		r->result = -EINVAL;
		for (i = 0; i < RTE_DIM(commands); i++)
			if (strcmp(commands[i].command, r->command) == 0) {
				commands[i].fill(rt, r->data);
				r->result = 0;
			}
		r->done = true;
		mailbox.pending = NULL;
		pthread_cond_broadcast(&mailbox.changed);
	}
	pthread_mutex_unlock(&mailbox.lock);
}
