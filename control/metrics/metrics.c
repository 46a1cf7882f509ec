/* SPDX-License-Identifier: BSD-3-Clause */
/* The metrics themselves: the show commands' counters in Prometheus' text format. */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "clock.h"
#include "cli_checks.h"
#include "metrics.h"
#include "natlog.h"

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP secnat_%s %s\n# TYPE secnat_%s %s\n", name, help, name, type);
}

static void value(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, "secnat_%s %" PRIu64 "\n", name, v);
}

static void one(FILE *out, const char *name, const char *type, const char *help, uint64_t v)
{
	family(out, name, type, help);
	value(out, name, v);
}

static void ports(struct runtime *rt, FILE *out)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} fields[] = {
		{"port_rx_packets_total", "Packets received by the port.", offsetof(struct rt_port_totals, rx_packets)},
		{"port_tx_packets_total", "Packets sent by the port.", offsetof(struct rt_port_totals, tx_packets)},
		{"port_rx_dropped_total", "Packets the port could not receive (missed, errors, no mbuf).",
		 offsetof(struct rt_port_totals, rx_dropped)},
		{"port_tx_dropped_total", "Packets the port could not send.", offsetof(struct rt_port_totals, tx_dropped)},
	};
	size_t f;
	uint16_t p;

	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		family(out, fields[f].name, "counter", fields[f].help);
		for (p = 0; p < rt->shared->n_ports && p < CFG_MAX_PORTS; p++) {
			struct rt_port_totals t;

			if (rt->cfg.ports[p].role == PORT_ROLE_NONE || rt_stats_port(rt, p, &t) != 0)
				continue;
			fprintf(out, "secnat_%s{port=\"%u\",role=\"%s\"} %" PRIu64 "\n", fields[f].name, p,
				port_role_name(rt->cfg.ports[p].role),
				*(const uint64_t *)(const void *)((const char *)&t + fields[f].offset));
		}
	}
}

static void vxcs(struct runtime *rt, FILE *out)
{
	struct rt_vxc_totals t[CFG_MAX_VXCS];
	unsigned v;

	for (v = 0; v < rt->cfg.n_vxcs; v++)
		rt_stats_vxc(rt, v, &t[v]);
	family(out, "vxc_tx_packets_total", "counter", "Packets sent into the VXC.");
	for (v = 0; v < rt->cfg.n_vxcs; v++)
		fprintf(out, "secnat_vxc_tx_packets_total{vxc=\"%s\"} %" PRIu64 "\n", rt->cfg.vxcs[v].name,
			t[v].tx_packets);
	family(out, "vxc_rate_dropped_total", "counter", "Packets dropped by the VXC's rate limit.");
	for (v = 0; v < rt->cfg.n_vxcs; v++)
		fprintf(out, "secnat_vxc_rate_dropped_total{vxc=\"%s\"} %" PRIu64 "\n", rt->cfg.vxcs[v].name,
			t[v].rate_dropped);
	family(out, "vxc_rate_bps", "gauge", "The VXC's configured rate limit, bits per second.");
	for (v = 0; v < rt->cfg.n_vxcs; v++)
		fprintf(out, "secnat_vxc_rate_bps{vxc=\"%s\"} %" PRIu64 "\n", rt->cfg.vxcs[v].name,
			rt->cfg.vxcs[v].rate_bps);
}

/* Per-worker metrics: one family per field of struct rt_worker_totals. */
static void workers(struct runtime *rt, FILE *out)
{
	static const struct {
		const char *name, *type, *help;
		size_t offset;
	} fields[] = {
		{"worker_packets_total", "counter", "Packets the worker received.",
		 offsetof(struct rt_worker_totals, packets)},
		{"worker_cycles_per_packet", "gauge", "CPU cycles the worker spent per packet received.",
		 offsetof(struct rt_worker_totals, cycles_per_packet)},
		{"worker_handoffs_total", "counter", "Replies handed to the worker owning their session.",
		 offsetof(struct rt_worker_totals, handoffs)},
		{"worker_drops_total", "counter", "Packets the worker dropped, all reasons.",
		 offsetof(struct rt_worker_totals, drops)},
	};
	struct rt_worker_totals t[DP_MAX_WORKERS];
	uint16_t n = rt->shared->n_workers, i;
	size_t f;

	for (i = 0; i < n; i++)
		rt_stats_worker(rt, i, &t[i]);
	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		family(out, fields[f].name, fields[f].type, fields[f].help);
		for (i = 0; i < n; i++)
			fprintf(out, "secnat_%s{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n", fields[f].name, i,
				rt->worker_lcores[i],
				*(const uint64_t *)(const void *)((const char *)&t[i] + fields[f].offset));
	}
}

static void nat(struct runtime *rt, FILE *out)
{
	struct rt_nat_totals t;
	unsigned r;

	rt_stats_nat(rt, &t);
	one(out, "sessions", "gauge", "NAT sessions live.", t.sessions);
	one(out, "sessions_created_total", "counter", "NAT sessions created.", t.created);
	one(out, "sessions_expired_total", "counter", "NAT sessions ended by their timer.", t.expired);
	one(out, "sessions_reclaimed_total", "counter",
	    "Unanswered NAT sessions ended early to give way to new flows.", t.embryonic_reclaimed);
	one(out, "sessions_rerouted_total", "counter", "NAT sessions ended because their route moved to another VXC.",
	    t.rerouted);
	family(out, "drops_total", "counter", "Packets dropped, by reason (secnatctl show nat stats explains each).");
	for (r = 0; r < PKT_DROP_MAX; r++)
		fprintf(out, "secnat_drops_total{reason=\"%s\"} %" PRIu64 "\n", pkt_drop_name(r), t.drops[r]);
	one(out, "fragments_held", "gauge", "Fragments waiting for their datagram's first fragment.", t.frags_held);
	one(out, "mbufs_in_use", "gauge", "Packet buffers in use.", t.mbufs_in_use);
	one(out, "mbufs", "gauge", "Packet buffers in the pool.", t.mbufs);
	one(out, "log_events_total", "counter", "NAT events the workers reported.", t.log_events);
	one(out, "log_dropped_total", "counter", "NAT events lost because a worker's event ring was full.",
	    t.log_dropped);
}

static void natlog(struct runtime *rt, FILE *out)
{
	struct natlog_counters c;

	natlog_counters(rt->natlog, &c);
	one(out, "log_exported_total", "counter", "NAT events handed to the configured exporters.", c.events);
	one(out, "ipfix_messages_total", "counter", "IPFIX messages sent.", c.ipfix_messages);
	one(out, "ipfix_records_total", "counter", "IPFIX data records sent.", c.ipfix_records);
	one(out, "ipfix_errors_total", "counter", "IPFIX messages the host could not send.", c.ipfix_errors);
	one(out, "syslog_messages_total", "counter", "Syslog messages sent (UDP) or queued (TCP).", c.syslog_messages);
	one(out, "syslog_dropped_total", "counter", "Syslog messages lost (server away too long, send refused).",
	    c.syslog_dropped);
	one(out, "syslog_connects_total", "counter", "TCP connections made to syslog servers.", c.syslog_connects);
}

static void bgp(struct runtime *rt, struct metrics_bgp_cache *cache, FILE *out)
{
	uint64_t now = monotonic_ms();
	char addr[IPV4_STRLEN];
	unsigned i;

	if (cache->at_ms == 0 || now - cache->at_ms >= METRICS_BGP_MAX_AGE_MS) {
		cache->n = rt->cfg.n_neighbors;
		for (i = 0; i < cache->n; i++) {
			cache->neighbor[i] = rt->cfg.neighbors[i].addr;
			rt_bgp_session(rt, cache->neighbor[i], &cache->session[i]);
		}
		cache->at_ms = now;
	}
	family(out, "bgp_session_up", "gauge", "1 when the BGP session is Established.");
	for (i = 0; i < cache->n; i++)
		fprintf(out, "secnat_bgp_session_up{neighbor=\"%s\",state=\"%s\"} %d\n",
			ipv4_format(cache->neighbor[i], addr), cache->session[i].state,
			strcmp(cache->session[i].state, "Established") == 0);
	family(out, "bgp_prefixes_received", "gauge", "Prefixes the neighbor announced.");
	for (i = 0; i < cache->n; i++)
		fprintf(out, "secnat_bgp_prefixes_received{neighbor=\"%s\"} %" PRIu64 "\n",
			ipv4_format(cache->neighbor[i], addr), cache->session[i].received);
	family(out, "bgp_prefixes_accepted", "gauge", "Prefixes of the neighbor's accepted by policy.");
	for (i = 0; i < cache->n; i++)
		fprintf(out, "secnat_bgp_prefixes_accepted{neighbor=\"%s\"} %" PRIu64 "\n",
			ipv4_format(cache->neighbor[i], addr), cache->session[i].accepted);
	one(out, "bgp_routes", "gauge", "BGP routes in the forwarding table.", rt->bgp_count);
}

void metrics_render(struct runtime *rt, struct metrics_bgp_cache *bgp_cache, FILE *out)
{
	family(out, "info", "gauge", "secnat's version.");
	fprintf(out, "secnat_info{version=\"%s\"} 1\n", SECNAT_VERSION);
	ports(rt, out);
	vxcs(rt, out);
	workers(rt, out);
	nat(rt, out);
	natlog(rt, out);
	bgp(rt, bgp_cache, out);
}
