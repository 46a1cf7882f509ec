/* SPDX-License-Identifier: BSD-3-Clause */
/* Start-up, the control loop and shutdown of the running appliance. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "clock.h"
#include "cli.h"
#include "hold_queue.h"
#include "log.h"
#include "metrics.h"
#include "runtime.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define RING_SIZE 1024
#define MBUFS_PER_PORT 8192
#define FIB_RULES (RT_BGP_MAX_ROUTES + 65536)
#define FIB_TBL8S 4096
/* Next hops wanted, per worker and loop turn: a LAN of thousands of hosts comes up within a second. */
#define RESOLVE_BURST 256

static int fail(bool *config_error, bool is_config, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(bool *config_error, bool is_config, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_ERR, fmt, ap);
	va_end(ap);
	*config_error = is_config;
	return err;
}

static int setup_port(struct runtime *rt, uint16_t port, uint16_t n_workers, bool *config_error)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t q;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return fail(config_error, false, ret, "port %u: rte_eth_dev_info_get: %s", port, strerror(-ret));
	if (info.max_rx_queues < n_workers || info.max_tx_queues < n_workers)
		return fail(config_error, true, -EINVAL,
			    "port %u (%s) has %u RX/%u TX queues; %u workers need one each (for "
			    "net_af_packet: qpairs=%u)", port, info.driver_name, info.max_rx_queues,
			    info.max_tx_queues, n_workers, n_workers);
	/* Several workers: let the port spread flows over their queues where it can (NICs by RSS; the
	 * virtual devices of the lab spread by themselves, af_packet by the kernel's flow hash). */
	rt_steering_port_conf(rt, &info, n_workers, &conf);
	ret = rte_eth_dev_configure(port, n_workers, n_workers, &conf);
	if (ret != 0)
		return fail(config_error, false, ret, "port %u: configure: %s", port, strerror(-ret));
	if (rt->cfg.ports[port].mtu != 0 && (ret = rte_eth_dev_set_mtu(port, rt->cfg.ports[port].mtu)) != 0) {
		/* DPDK 22.11's af_packet reports 1,518-byte frames whatever its ring holds (framesz): the
		 * configured MTU is taken at its word, and the kernel interface must carry it. */
		if (strcmp(info.driver_name, "net_af_packet") != 0)
			return fail(config_error, true, ret, "port %u (%s): cannot set mtu %u: %s", port,
				    info.driver_name, rt->cfg.ports[port].mtu, strerror(-ret));
		log_msg(LOG_WARNING, "port %u (net_af_packet): the driver takes no mtu above %u; using mtu %u "
			"as configured (its framesz and the interface's mtu must hold it)", port,
			info.max_rx_pktlen - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN, rt->cfg.ports[port].mtu);
	}
	for (q = 0; q < n_workers; q++) {
		ret = rte_eth_rx_queue_setup(port, q, RX_DESC, rte_eth_dev_socket_id(port), NULL, rt->shared->pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, TX_DESC, rte_eth_dev_socket_id(port), NULL);
		if (ret != 0)
			return fail(config_error, false, ret, "port %u: queue %u: %s", port, q, strerror(-ret));
	}
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		return fail(config_error, false, ret, "port %u: start: %s", port, strerror(-ret));
	rte_eth_promiscuous_enable(port); /* VLANs and our MAC: not every virtual device filters */
	return 0;
}

static int create_shared(struct runtime *rt, uint16_t n_workers, uint16_t n_ports, bool *config_error)
{
	struct rte_lpm_config lpm_conf = {.max_rules = FIB_RULES, .number_tbl8s = FIB_TBL8S};
	struct dp_shared *s;
	size_t qsbr_size;
	unsigned mbufs, room, max_mtu = RTE_ETHER_MTU, p;

	s = rt->shared = rte_zmalloc("dp_shared", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return fail(config_error, false, -ENOMEM, "out of memory (EAL -m too small?)");
	s->n_workers = n_workers;
	s->n_ports = n_ports;
	/* Every queue's descriptors full at once, twice over for frames in flight in rings and TX
	 * buffers; never fewer than MBUFS_PER_PORT a port. */
	mbufs = 2u * n_ports * n_workers * (RX_DESC + TX_DESC);
	if (mbufs < (unsigned)MBUFS_PER_PORT * RTE_MAX(n_ports, 2))
		mbufs = (unsigned)MBUFS_PER_PORT * RTE_MAX(n_ports, 2);
	/* Set aside what may wait rather than move: fragments for their first (each worker's share,
	 * nat_frag.h) and packets for their next hop's MAC (hold_queue.h). Forwarding keeps the rest. */
	mbufs += (unsigned)n_workers * NAT_FRAG_HELD_DEFAULT + HOLD_TOTAL;
	/* One mbuf holds a whole frame of the largest configured MTU: jumbo frames are received, NATed
	 * and fragmented without chains of segments. Rounded up to whole KiB with a KiB to spare, as
	 * drivers that receive into fixed frames (af_packet's ring) want the frame to fit whole. */
	for (p = 0; p < CFG_MAX_PORTS; p++)
		max_mtu = RTE_MAX(max_mtu, rt->cfg.ports[p].mtu);
	room = RTE_MBUF_DEFAULT_BUF_SIZE;
	if (max_mtu > RTE_ETHER_MTU)
		room = RTE_PKTMBUF_HEADROOM + RTE_ALIGN_CEIL(max_mtu + 1024u, 1024u);
	s->pool = rte_pktmbuf_pool_create("mbufs", mbufs - 1, 256, 0, (uint16_t)room, (int)rte_socket_id());
	qsbr_size = rte_rcu_qsbr_get_memsize(n_workers);
	s->qsbr = rte_zmalloc("qsbr", qsbr_size, RTE_CACHE_LINE_SIZE);
	s->fib = rte_lpm_create("fib", (int)rte_socket_id(), &lpm_conf);
	if (s->pool == NULL || s->qsbr == NULL || s->fib == NULL)
		return fail(config_error, false, -ENOMEM, "cannot allocate mbufs, FIB or tables (EAL -m too small?)");
	rte_rcu_qsbr_init(s->qsbr, n_workers);
	{
		struct rte_lpm_rcu_config lc = {.v = s->qsbr, .mode = RTE_LPM_QSBR_MODE_DQ};

		if (rte_lpm_rcu_qsbr_add(s->fib, &lc) != 0)
			return fail(config_error, false, -ENOMEM, "cannot attach RCU to the FIB");
	}
	return 0;
}

/*
 * Replies reach whichever worker the port's queue spreading gives them to; the one that does not own
 * the session passes it on. One ring per ordered pair of workers, so each has one producer and one
 * consumer and needs no atomic read-modify-write.
 */
static int create_handoff_rings(struct runtime *rt, uint16_t n_workers, bool *config_error)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t from, to;

	for (from = 0; from < n_workers; from++)
		for (to = 0; to < n_workers; to++) {
			struct rte_ring *r;

			if (from == to)
				continue;
			snprintf(name, sizeof(name), "handoff%u_%u", from, to);
			r = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				return fail(config_error, false, -ENOMEM, "cannot create ring %s", name);
			rt->workers[from]->handoff_out[to] = r;
			rt->workers[to]->handoff_in[from] = r;
		}
	return 0;
}

static int create_worker(struct runtime *rt, uint16_t id, bool *config_error)
{
	struct dp_shared *s = rt->shared;
	struct dp_worker *w = rte_zmalloc("worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	char name[RTE_RING_NAMESIZE];
	struct nat_worker_params np = {
		.name = name,
		.socket = (int)rte_socket_id(),
		.worker = id,
		.n_workers = s->n_workers,
		.rss = s->rss,
		.capacity = rt->opt.sessions_per_worker,
		.frag_held_max = NAT_FRAG_HELD_DEFAULT, /* as create_shared set aside in the pool */
	};
	uint16_t p;
	int ret;

	if (w == NULL)
		return fail(config_error, false, -ENOMEM, "out of memory for worker %u", id);
	rt->workers[id] = w;
	if (rt_natlog_ring_create(id, &np.log_ring) != 0)
		return fail(config_error, false, -ENOMEM, "cannot create worker %u's event ring", id);
	w->shared = s;
	w->id = id;
	snprintf(name, sizeof(name), "nat%u", id);
	ret = nat_worker_init(&w->nat, &np, &s->config->nat);
	if (ret != 0)
		return fail(config_error, false, ret, "worker %u: %u sessions do not fit (EAL -m, --sessions)",
			    id, np.capacity);
	for (p = 0; p < s->n_ports && p < CFG_MAX_PORTS; p++) {
		if (rt->cfg.ports[p].role == PORT_ROLE_NONE)
			continue;
		w->rxq[w->n_rxq++] = (struct dp_rxq){.port = p, .queue = id};
		w->txb[p] = rte_zmalloc("txb", RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0);
		if (w->txb[p] == NULL)
			return fail(config_error, false, -ENOMEM, "out of memory for TX buffers");
		rte_eth_tx_buffer_init(w->txb[p], DP_BURST);
		rte_eth_tx_buffer_set_err_callback(w->txb[p], rte_eth_tx_buffer_count_callback,
						   &w->counters.tx_dropped[p]);
	}
	snprintf(name, sizeof(name), "punt%u", id);
	w->punt = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "punt_bgp%u", id);
	w->punt_bgp = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "resolve%u", id);
	w->resolve = rte_ring_create_elem(name, sizeof(uint64_t), RING_SIZE, (int)rte_socket_id(),
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "inject%u", id);
	w->inject = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "hold%u", id);
	w->hold = rte_ring_create(name, RING_SIZE, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->punt == NULL || w->punt_bgp == NULL || w->resolve == NULL || w->inject == NULL || w->hold == NULL)
		return fail(config_error, false, -ENOMEM, "cannot create worker %u's rings", id);
	return 0;
}

int runtime_start(struct runtime *rt, const struct secnat_config *cfg, const struct rt_options *opt,
		  bool *config_error)
{
	char err[256];
	uint16_t n_ports = rte_eth_dev_count_avail(), n_workers = 0, p, i;
	unsigned lcore;
	int ret;

	*config_error = false;
	rt->listen_fd = -1;
	rt->host_netns = rt->cp_netns = -1;
	rt->cp_netns_path[0] = '\0';
	for (i = 0; i < RTE_DIM(rt->tun); i++)
		rt->tun[i].fd = -1;
	rt->console = NULL;
	rt->quit = false;
	rt->cfg = *cfg;
	rt->opt = *opt;
	if (rt->opt.socket_path == NULL)
		rt->opt.socket_path = RT_DEFAULT_SOCKET;
	/* Another secnat on this socket owns the folder and BIRD's files beside it: touch nothing. */
	if (rt_socket_answers(rt->opt.socket_path))
		return fail(config_error, false, -EADDRINUSE, "another secnat answers on %s",
			    rt->opt.socket_path);
	/* Before anything puts a file there: the socket, BIRD's directory. */
	ret = run_dir_claim(&rt->run_dir, rt->opt.socket_path);
	if (ret != 0)
		return fail(config_error, false, ret, "runtime directory of %s: %s", rt->opt.socket_path,
			    strerror(-ret));
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n_workers < DP_MAX_WORKERS)
			rt->worker_lcores[n_workers++] = lcore;
	}
	if (n_workers == 0)
		return fail(config_error, true, -EINVAL, "no worker lcore: give the EAL at least two (e.g. -l 0-1)");
	if (n_ports > DP_MAX_PORTS)
		n_ports = DP_MAX_PORTS;
	for (p = 0; p < CFG_MAX_PORTS; p++)
		if (cfg->ports[p].role != PORT_ROLE_NONE && p >= n_ports)
			return fail(config_error, true, -ENODEV,
				    "port %u is configured but the EAL has %u port%s (add a --vdev or a NIC)", p,
				    n_ports, n_ports == 1 ? "" : "s");

	ret = create_shared(rt, n_workers, n_ports, config_error);
	if (ret == 0)
		ret = rt_neigh_init(rt);
	if (ret != 0)
		return ret;
	rt->shared->config = rt_build_dp_config(rt, cfg);
	if (rt->shared->config == NULL)
		return fail(config_error, false, -ENOMEM, "out of memory");
	for (p = 0; p < n_ports && p < CFG_MAX_PORTS; p++)
		if (cfg->ports[p].role != PORT_ROLE_NONE && (ret = setup_port(rt, p, n_workers, config_error)) != 0)
			return ret;
	if ((ret = rt_steering_setup(rt, n_workers)) != 0)
		return fail(config_error, false, ret, "cannot set up steering");
	/* Refresh MACs and MTUs now that the ports run. */
	ret = rt_publish(rt, cfg);
	if (ret != 0)
		return fail(config_error, false, ret, "cannot publish the configuration");
	for (i = 0; i < n_workers; i++)
		if ((ret = create_worker(rt, i, config_error)) != 0)
			return ret;
	if ((ret = create_handoff_rings(rt, n_workers, config_error)) != 0)
		return ret;
	rt_rate_rebalance(rt, cfg, true);
	for (i = 0; i < n_workers; i++) {
		ret = rte_eal_remote_launch(dp_worker_main, rt->workers[i], rt->worker_lcores[i]);
		if (ret != 0)
			return fail(config_error, false, ret, "cannot launch worker %u", i);
	}
	rt_neigh_announce(rt);
	rt_neigh_resolve_configured(rt);
	ret = rt_netns_create(rt);
	if (ret == 0)
		ret = rt_kernel_sync(rt, cfg);
	if (ret != 0)
		return fail(config_error, false, ret, "cannot set up the exception path (TUN per VXC)");
	ret = rt_bgp_start(rt);
	if (ret != 0)
		return fail(config_error, false, ret, "cannot start BGP");
	if (rt_telemetry_register() != 0)
		log_msg(LOG_WARNING, "telemetry commands not registered (EAL started with --no-telemetry?)");
	ret = rt_socket_open(rt);
	if (ret != 0)
		return fail(config_error, false, ret, "cannot open the control socket");
	ret = rt_natlog_start(rt);
	if (ret != 0)
		return fail(config_error, false, ret, "cannot start NAT event logging");
	rt->cfg.metrics_port = 0; /* nothing serves yet: apply starts what cfg says */
	ret = rt_metrics_apply(rt, cfg, err, sizeof(err));
	rt->cfg.metrics_port = cfg->metrics_port;
	if (ret != 0)
		return fail(config_error, true, ret, "%s", err);
	return 0;
}

/* Did a port address or a VXC's /31 appear or change? */
static bool addresses_changed(const struct secnat_config *old, const struct secnat_config *new)
{
	unsigned i;

	for (i = 0; i < CFG_MAX_PORTS; i++)
		if (new->ports[i].has_address && (!old->ports[i].has_address ||
						  old->ports[i].address.addr != new->ports[i].address.addr))
			return true;
	for (i = 0; i < new->n_vxcs; i++)
		if (i >= old->n_vxcs || old->vxcs[i].local.addr != new->vxcs[i].local.addr)
			return true;
	return false;
}

int runtime_execute(struct runtime *rt, const char *line, FILE *out, char *err, size_t err_len)
{
	static struct secnat_config candidate;
	bool announce;
	unsigned p;
	int ret;

	candidate = rt->cfg;
	ret = cli_execute_rt(&candidate, rt, line, out, err, err_len);
	if (ret != 0 || memcmp(&candidate, &rt->cfg, sizeof(candidate)) == 0)
		return ret;
	/* What the running ports and session tables were built for cannot change under them. */
	for (p = 0; p < CFG_MAX_PORTS; p++)
		if (candidate.ports[p].role != rt->cfg.ports[p].role ||
		    candidate.ports[p].mtu != rt->cfg.ports[p].mtu) {
			snprintf(err, err_len, "port roles and MTUs are fixed while secnat runs: change the "
					       "startup file and restart");
			return -EBUSY;
		}
	if (candidate.mapping != rt->cfg.mapping) {
		snprintf(err, err_len, "the NAT mapping mode is fixed while secnat runs: change the startup "
				       "file and restart");
		return -EBUSY;
	}
	ret = rt_metrics_apply(rt, &candidate, err, err_len);
	if (ret != 0)
		return ret;
	ret = rt_natlog_apply(rt, &candidate, err, err_len);
	if (ret != 0) {
		rt_metrics_apply(rt, &rt->cfg, (char[64]){0}, 64);
		return ret;
	}
	ret = rt_publish(rt, &candidate);
	if (ret == 0)
		ret = rt_kernel_sync(rt, &candidate);
	if (ret != 0)
		snprintf(err, err_len, "cannot apply: %s", strerror(-ret));
	else
		ret = rt_bgp_apply(rt, &candidate, err, err_len);
	if (ret != 0) {
		rt_publish(rt, &rt->cfg); /* put back what ran before */
		rt_kernel_sync(rt, &rt->cfg);
		rt_natlog_apply(rt, &rt->cfg, (char[64]){0}, 64);
		rt_metrics_apply(rt, &rt->cfg, (char[64]){0}, 64);
		return ret;
	}
	if (candidate.n_vxcs != rt->cfg.n_vxcs ||
	    memcmp(candidate.vxcs, rt->cfg.vxcs, sizeof(candidate.vxcs[0]) * candidate.n_vxcs) != 0)
		rt_bgp_resync(rt);
	announce = addresses_changed(&rt->cfg, &candidate);
	rt->cfg = candidate;
	if (announce)
		rt_neigh_announce(rt); /* a new address: hosts and peers learn it now */
	rt_neigh_resolve_configured(rt); /* new peers and gateways resolved before traffic needs them */
	rt_rate_rebalance(rt, &rt->cfg, true); /* a new rate applies now, not at the next rebalance */
	return 0;
}

/* SIGHUP: the startup file, edited, becomes the running configuration (what differs, or nothing). */
static void reload(struct runtime *rt)
{
	char line[PATH_MAX + 32], err[512];
	int ret;

	if (rt->opt.config_file == NULL) {
		log_msg(LOG_WARNING, "SIGHUP ignored: secnat was started without -f");
		return;
	}
	service_reloading();
	snprintf(line, sizeof(line), "configure replace %s", rt->opt.config_file);
	ret = runtime_execute(rt, line, NULL, err, sizeof(err));
	if (ret == 0)
		log_msg(LOG_INFO, "SIGHUP: %s applied", rt->opt.config_file);
	else
		log_msg(LOG_ERR, "SIGHUP: %s refused, nothing changed: %s", rt->opt.config_file, err);
	service_ready(rt);
}

/* Everything a worker punted for BGP, into the VXCs' TUNs. */
static void deliver_bgp(struct runtime *rt, struct dp_worker *w)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned n, k;

	do {
		n = rte_ring_sc_dequeue_burst(w->punt_bgp, (void **)m, DP_BURST, NULL);
		for (k = 0; k < n; k++) {
			rt_kernel_deliver(rt, m[k]);
			rte_pktmbuf_free(m[k]);
		}
	} while (n == DP_BURST);
}

void runtime_loop(struct runtime *rt, volatile bool *stop, volatile bool *reload_wanted)
{
	if (rt->opt.interactive && rt_console_open(rt) != 0)
		return;
	service_init(&rt->service);
	service_ready(rt);
	alarms_init(&rt->alarms, rt);
	while (!*stop && !rt->quit) {
		uint64_t now_ms;
		uint16_t i;

		if (*reload_wanted) {
			*reload_wanted = false;
			reload(rt);
		}

		/* BGP first, all of it: whatever else arrives never delays the session. */
		for (i = 0; i < rt->shared->n_workers; i++)
			deliver_bgp(rt, rt->workers[i]);
		for (i = 0; i < rt->shared->n_workers; i++) {
			struct dp_worker *w = rt->workers[i];
			struct rte_mbuf *m[DP_BURST];
			uint64_t keys[RESOLVE_BURST];
			unsigned n, k;

			n = rte_ring_sc_dequeue_burst(w->punt, (void **)m, DP_BURST, NULL);
			for (k = 0; k < n; k++) {
				rt_neigh_learn(rt, m[k]); /* ARP: the only other class punted */
				rte_pktmbuf_free(m[k]);
			}
			n = rte_ring_sc_dequeue_burst_elem(w->resolve, keys, sizeof(keys[0]), RESOLVE_BURST, NULL);
			for (k = 0; k < n; k++)
				rt_neigh_wanted(rt, keys[k]);
			n = rte_ring_sc_dequeue_burst(w->hold, (void **)m, DP_BURST, NULL);
			for (k = 0; k < n; k++)
				rt_neigh_hold(rt, i, m[k]);
		}
		rt_neigh_tick(rt);
		rt_kernel_poll(rt);
		rt_bgp_poll(rt);
		rt_natlog_poll(rt);
		rt_rate_rebalance(rt, &rt->cfg, false);
		rt_telemetry_poll(rt);
		rt_socket_poll(rt);
		metrics_server_poll(rt->metrics);
		rt_console_poll(rt);
		now_ms = monotonic_ms();
		service_watchdog(&rt->service, rt, now_ms);
		alarms_poll(&rt->alarms, rt, now_ms);
		usleep(1000); /* the control thread may sleep; workers never wait for it */
	}
}

void runtime_stop(struct runtime *rt)
{
	uint16_t p, i;

	service_stopping();
	if (rt->shared == NULL) {
		run_dir_release(&rt->run_dir);
		return;
	}
	rt_console_close(rt);
	rt_socket_close(rt);
	metrics_server_stop(rt->metrics);
	rt->metrics = NULL;
	rt_bgp_stop(rt); /* before the TUNs: BIRD's sessions close over them */
	rt_kernel_close(rt);
	__atomic_store_n(&rt->shared->stop, true, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	for (p = 0; p < rt->shared->n_ports && p < CFG_MAX_PORTS; p++) {
		if (rt->cfg.ports[p].role == PORT_ROLE_NONE)
			continue;
		rte_eth_dev_stop(p);
		rte_eth_dev_close(p);
	}
	rt_natlog_stop(rt); /* what the workers reported before they stopped goes out first */
	for (i = 0; i < rt->shared->n_workers; i++)
		if (rt->workers[i] != NULL)
			nat_worker_fini(&rt->workers[i]->nat);
	rt_neigh_fini(rt);
	rt_netns_close(rt);
	run_dir_release(&rt->run_dir);
}
