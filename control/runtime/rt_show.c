/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show ..., clear stats, help, quit: what the operator reads. Each show has a text form and, with a
 * trailing "json", the JSON of CONSOLE.md. When only validating a startup file, they do nothing.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "cli.h"
#include "cli_checks.h"
#include "nat_tcp.h"
#include "runtime.h"

static void addr_port(char *buf, size_t len, rte_be32_t addr, rte_be16_t port)
{
	char a[IPV4_STRLEN];

	snprintf(buf, len, "%s:%u", ipv4_format(rte_be_to_cpu_32(addr), a), rte_be_to_cpu_16(port));
}

static const char *state_name(uint8_t proto, uint8_t state)
{
	static const char *const tcp[NAT_S_MAX] = {
		[NAT_S_TCP_SYN_IN] = "syn-sent",    [NAT_S_TCP_ESTABLISHED] = "established",
		[NAT_S_TCP_FIN_IN] = "fin-inside",   [NAT_S_TCP_FIN_OUT] = "fin-outside",
		[NAT_S_TCP_FIN_BOTH] = "closing",    [NAT_S_TCP_RST] = "reset",
		[NAT_S_TCP_SYN_BOTH] = "syn-answered", [NAT_S_TCP_REFUSED] = "refused",
	};

	if (proto == IPPROTO_TCP && state < NAT_S_MAX && tcp[state] != NULL)
		return tcp[state];
	return state == NAT_S_UDP_OUT ? "one-way" : "active";
}

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "icmp";
}

/* An endpoint a session list is filtered by: an address, and a port unless `any_port`. */
struct endpoint_filter {
	bool set, any_port;
	rte_be32_t addr;
	rte_be16_t port;
};

/* Reads "A.B.C.D" or "A.B.C.D:port" after keyword `key`, if the line has it. */
static bool endpoint_option(struct cli_ctx *ctx, const struct cli_line *line, const char *key,
			    struct endpoint_filter *f)
{
	const char *text = cli_option(line, 3, key), *colon;
	char addr[IPV4_STRLEN];
	uint64_t port;
	uint32_t a;

	*f = (struct endpoint_filter){.any_port = true};
	if (text == NULL)
		return true;
	colon = strchr(text, ':');
	snprintf(addr, sizeof(addr), "%.*s", colon ? (int)(colon - text) : (int)strlen(text), text);
	if (!cli_addr(ctx, addr, key, &a) || (colon != NULL && !cli_uint(ctx, colon + 1, 0, 65535, key, &port)))
		return false;
	f->set = true;
	f->addr = rte_cpu_to_be_32(a);
	if (colon != NULL) {
		f->any_port = false;
		f->port = rte_cpu_to_be_16((uint16_t)port);
	}
	return true;
}

static bool endpoint_matches(const struct endpoint_filter *f, rte_be32_t addr, rte_be16_t port)
{
	return !f->set || (f->addr == addr && (f->any_port || f->port == port));
}

/* show nat sessions [inside E] [outside E] [remote E] [limit n] [json]: who has which mapping now. */
static int show_nat_sessions(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	const char *limit_text = cli_option(line, 3, "limit");
	bool json = cli_wants_json(line), first = true;
	uint64_t limit = UINT64_MAX, shown = 0;
	struct endpoint_filter inside, outside, remote;
	unsigned wid;

	if (limit_text != NULL && !cli_uint(ctx, limit_text, 1, UINT32_MAX, "limit", &limit))
		return -EINVAL;
	if (!endpoint_option(ctx, line, "inside", &inside) || !endpoint_option(ctx, line, "outside", &outside) ||
	    !endpoint_option(ctx, line, "remote", &remote))
		return -EINVAL;
	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"sessions\":[" : "%-5s %-21s %-21s %-21s %-12s %7s %s\n", "proto",
		"inside", "outside", "remote", "state", "idle_s", "worker");
	for (wid = 0; wid < rt->shared->n_workers; wid++) {
		const struct nat_table *t = &rt->workers[wid]->nat.table;
		uint32_t now = __atomic_load_n(&rt->workers[wid]->now, __ATOMIC_RELAXED), idx;

		for (idx = 0; idx < t->capacity && shown < limit; idx++) {
			struct nat_session_view v;
			char in[24], out[24], rem[24];

			if (!nat_table_read(t, idx, &v) || !endpoint_matches(&inside, v.inside_addr, v.inside_port) ||
			    !endpoint_matches(&outside, v.outside_addr, v.outside_port) ||
			    !endpoint_matches(&remote, v.remote_addr, v.remote_port))
				continue;
			addr_port(in, sizeof(in), v.inside_addr, v.inside_port);
			addr_port(out, sizeof(out), v.outside_addr, v.outside_port);
			addr_port(rem, sizeof(rem), v.remote_addr, v.remote_port);
			if (json)
				fprintf(ctx->out,
					"%s{\"proto\":\"%s\",\"inside\":\"%s\",\"outside\":\"%s\",\"remote\":\"%s\","
					"\"state\":\"%s\",\"idle_s\":%u,\"worker\":%u}",
					first ? "" : ",", proto_name(v.proto), in, out, rem,
					state_name(v.proto, v.state), now > v.last_seen ? now - v.last_seen : 0, wid);
			else
				fprintf(ctx->out, "%-5s %-21s %-21s %-21s %-12s %7u %u\n", proto_name(v.proto), in,
					out, rem, state_name(v.proto, v.state),
					now > v.last_seen ? now - v.last_seen : 0, wid);
			first = false;
			shown++;
		}
	}
	if (json)
		fprintf(ctx->out, "]}\n");
	return 0;
}

static int show_nat_stats(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line);
	struct rt_nat_totals t;
	unsigned i;

	if (rt == NULL)
		return 0;
	rt_stats_nat(rt, &t);
	if (json)
		fprintf(ctx->out, "{\"sessions\":%lu,\"created\":%lu,\"expired\":%lu,\"neighbor_held\":%lu,"
			"\"fragmented\":%lu,\"frag_needed_sent\":%lu,\"embryonic_reclaimed\":%lu,"
			"\"rerouted\":%lu,\"frags_held\":%lu,\"mbufs_in_use\":%lu,\"mbufs\":%lu,"
			"\"log_events\":%lu,\"log_dropped\":%lu,\"drops\":{",
			t.sessions, t.created, t.expired, t.neighbor_held, t.fragmented, t.frag_needed_sent,
			t.embryonic_reclaimed, t.rerouted, t.frags_held, t.mbufs_in_use, t.mbufs, t.log_events,
			t.log_dropped);
	else
		fprintf(ctx->out, "sessions %lu\ncreated  %lu\nexpired  %lu\nheld for ARP %lu\n"
			"fragmented %lu\nfrag-needed sent %lu\nunanswered reclaimed %lu\nrerouted %lu\n"
			"fragments held %lu\nmbufs in use %lu of %lu\nlog events %lu (dropped %lu)\ndrops:\n",
			t.sessions, t.created, t.expired, t.neighbor_held, t.fragmented, t.frag_needed_sent,
			t.embryonic_reclaimed, t.rerouted, t.frags_held, t.mbufs_in_use, t.mbufs, t.log_events,
			t.log_dropped);
	for (i = 0; i < PKT_DROP_MAX; i++) {
		if (json)
			fprintf(ctx->out, "%s\"%s\":%lu", i ? "," : "", pkt_drop_name(i), t.drops[i]);
		else if (t.drops[i] != 0)
			fprintf(ctx->out, "  %-24s %10lu  %s\n", pkt_drop_name(i), t.drops[i], pkt_drop_text(i));
	}
	fprintf(ctx->out, json ? "}}\n" : "");
	return 0;
}

static int show_port_stats(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line), first = true;
	uint16_t p;

	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"ports\":[" : "%-4s %-8s %12s %12s %12s %12s\n", "id", "role",
		"rx_packets", "tx_packets", "rx_dropped", "tx_dropped");
	for (p = 0; p < rt->shared->n_ports && p < CFG_MAX_PORTS; p++) {
		struct rt_port_totals t;

		if (rt->cfg.ports[p].role == PORT_ROLE_NONE || rt_stats_port(rt, p, &t) != 0)
			continue;
		fprintf(ctx->out,
			json ? "%s{\"id\":%u,\"role\":\"%s\",\"rx_packets\":%lu,\"tx_packets\":%lu,"
			       "\"rx_dropped\":%lu,\"tx_dropped\":%lu}"
			     : "%s%-4u %-8s %12lu %12lu %12lu %12lu\n",
			json && !first ? "," : "", p, port_role_name(rt->cfg.ports[p].role), t.rx_packets,
			t.tx_packets, t.rx_dropped, t.tx_dropped);
		first = false;
	}
	fprintf(ctx->out, json ? "]}\n" : "");
	return 0;
}

static void peer_mac(const struct runtime *rt, uint16_t port, uint32_t peer, char *buf, size_t len)
{
	uint64_t key = dp_neigh_key(port, rte_cpu_to_be_32(peer));
	uint64_t value = dp_neigh_lookup(rt->shared->neigh, key);
	struct rte_ether_addr mac;

	if (value == 0) {
		buf[0] = '\0';
		return;
	}
	memcpy(mac.addr_bytes, &value, RTE_ETHER_ADDR_LEN);
	rte_ether_format_addr(buf, len, &mac);
}

static int show_vxc(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line);
	unsigned v;

	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"vxcs\":[" : "%-12s %4s %5s %-18s %-15s %12s %-17s %12s %12s\n", "name",
		"port", "vlan", "local", "peer", "rate_bps", "peer_mac", "tx_packets", "rate_dropped");
	for (v = 0; v < rt->cfg.n_vxcs; v++) {
		const struct cfg_vxc *c = &rt->cfg.vxcs[v];
		char local[IPV4_PREFIX_STRLEN], peer[IPV4_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE], vlan[8];
		struct rt_vxc_totals t;

		rt_stats_vxc(rt, v, &t);
		peer_mac(rt, c->port, c->peer, mac, sizeof(mac));
		ipv4_prefix_format(&c->local, local);
		ipv4_format(c->peer, peer);
		snprintf(vlan, sizeof(vlan), c->vlan ? "%u" : (json ? "null" : "-"), c->vlan);
		if (json)
			fprintf(ctx->out,
				"%s{\"name\":\"%s\",\"port\":%u,\"vlan\":%s,\"local\":\"%s\",\"peer\":\"%s\","
				"\"rate_bps\":%lu,\"peer_mac\":%s%s%s,\"tx_packets\":%lu,\"rate_dropped\":%lu}",
				v ? "," : "", c->name, c->port, vlan, local, peer, (unsigned long)c->rate_bps,
				mac[0] ? "\"" : "", mac[0] ? mac : "null", mac[0] ? "\"" : "", t.tx_packets,
				t.rate_dropped);
		else
			fprintf(ctx->out, "%-12s %4u %5s %-18s %-15s %12lu %-17s %12lu %12lu\n", c->name, c->port,
				vlan, local, peer, (unsigned long)c->rate_bps, mac[0] ? mac : "(unresolved)",
				t.tx_packets, t.rate_dropped);
	}
	fprintf(ctx->out, json ? "]}\n" : "");
	return 0;
}

/* One route; `selected`: the one the FIB forwards its prefix with ("*", as routers mark it). */
static void route_row(struct cli_ctx *ctx, bool json, bool *first, const struct ipv4_prefix *p,
		      const char *via, const char *source, const char *vxc, bool selected)
{
	char prefix[IPV4_PREFIX_STRLEN];

	ipv4_prefix_format(p, prefix);
	if (json)
		fprintf(ctx->out, "%s{\"prefix\":\"%s\",\"via\":%s%s%s,\"source\":\"%s\",\"vxc\":%s%s%s,"
			"\"selected\":%s}",
			*first ? "" : ",", prefix, via ? "\"" : "", via ? via : "null", via ? "\"" : "", source,
			vxc ? "\"" : "", vxc ? vxc : "null", vxc ? "\"" : "", selected ? "true" : "false");
	else
		fprintf(ctx->out, "%c %-18s %-15s %-9s %s\n", selected ? '*' : ' ', prefix, via ? via : "-",
			source, vxc ? vxc : "-");
	*first = false;
}

static int show_route(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line), first = true;
	uint32_t iter = 0;
	const void *key;
	unsigned i;
	void *data;

	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"routes\":[" : "  %-18s %-15s %-9s %s\n", "prefix", "via", "source", "vxc");
	for (i = 0; i < CFG_MAX_PORTS; i++)
		if (rt->cfg.ports[i].has_address) {
			struct ipv4_prefix net = rt->cfg.ports[i].address;

			net.addr &= ipv4_mask(net.len);
			route_row(ctx, json, &first, &net, NULL, "connected", NULL,
				  rt_fib_uses_configured(rt, &net, 0, 0));
		}
	for (i = 0; i < rt->cfg.n_vxcs; i++) {
		struct ipv4_prefix net = {.addr = rt->cfg.vxcs[i].local.addr & ipv4_mask(31), .len = 31};

		route_row(ctx, json, &first, &net, NULL, "connected", rt->cfg.vxcs[i].name,
			  rt_fib_uses_configured(rt, &net, 0, 0));
	}
	for (i = 0; i < rt->cfg.n_routes; i++) {
		const struct cfg_route *r = &rt->cfg.routes[i];
		const struct cfg_vxc *v = config_vxc_by_peer(&rt->cfg, r->via);
		char via[IPV4_STRLEN];

		route_row(ctx, json, &first, &r->prefix, ipv4_format(r->via, via), "static", v ? v->name : NULL,
			  rt_fib_uses_configured(rt, &r->prefix, r->via, r->distance));
	}
	while (rt->bgp != NULL && rte_hash_iterate(rt->bgp, &key, &data, &iter) >= 0) {
		const struct rt_bgp_route *b = &rt->bgp_routes[(uintptr_t)data];
		const struct cfg_vxc *v = config_vxc_by_peer(&rt->cfg, b->gateway);
		char via[IPV4_STRLEN];

		route_row(ctx, json, &first, &b->prefix, ipv4_format(b->gateway, via), "bgp", v ? v->name : NULL,
			  rt_fib_uses_bgp(rt, b));
	}
	fprintf(ctx->out, json ? "]}\n" : "");
	return 0;
}

static int show_workers(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line);
	unsigned i, q;

	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"workers\":[" : "%-6s %-20s %12s %12s %12s %17s\n", "lcore", "rx_queues",
		"packets", "drops", "handoffs", "cycles_per_packet");
	for (i = 0; i < rt->shared->n_workers; i++) {
		const struct dp_worker *w = rt->workers[i];
		struct rt_worker_totals t;
		char queues[128] = "";
		size_t used = 0;

		rt_stats_worker(rt, i, &t);
		for (q = 0; q < w->n_rxq && used < sizeof(queues); q++)
			used += (size_t)snprintf(queues + used, sizeof(queues) - used,
						 json ? "%s\"%u/%u\"" : "%s%u/%u", q ? "," : "", w->rxq[q].port,
						 w->rxq[q].queue);
		fprintf(ctx->out,
			json ? "%s{\"lcore\":%u,\"rx_queues\":[%s],\"packets\":%lu,\"drops\":%lu,"
			       "\"handoffs\":%lu,\"cycles_per_packet\":%lu}"
			     : "%s%-6u %-20s %12lu %12lu %12lu %17lu\n",
			json && i ? "," : "", rt->worker_lcores[i], queues, t.packets, t.drops, t.handoffs,
			t.cycles_per_packet);
	}
	/* How replies find their worker (rt_steering.c); the reason is plain text, no quotes in it. */
	fprintf(ctx->out, json ? "],\"steering\":\"%s\",\"steering_detail\":\"%s\"}\n" : "steering: %s (%s)\n",
		rt->shared->rss != NULL ? "rss" : rt->shared->n_workers > 1 ? "handoff" : "none", rt->steering);
	return 0;
}

static int show_arp(struct cli_ctx *ctx, const struct cli_line *line)
{
	if (ctx->runtime != NULL)
		rt_neigh_show(ctx->runtime, ctx->out, cli_wants_json(line));
	return 0;
}

static int clear_arp(struct cli_ctx *ctx, const struct cli_line *line)
{
	unsigned n;

	(void)line;
	if (ctx->runtime == NULL)
		return 0;
	n = rt_neigh_clear(ctx->runtime);
	if (ctx->out != NULL)
		fprintf(ctx->out, "%u neighbours forgotten\n", n);
	return 0;
}

static int clear_stats(struct cli_ctx *ctx, const struct cli_line *line)
{
	(void)line;
	if (ctx->runtime != NULL)
		rt_stats_clear(ctx->runtime);
	return 0;
}

/* What the DPDK heap holds: route churn must give back what it took. */
static int show_memory(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct rte_malloc_socket_stats st;

	if (ctx->runtime == NULL)
		return 0;
	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st) != 0)
		return cli_fail(ctx, "no heap statistics");
	fprintf(ctx->out,
		cli_wants_json(line) ? "{\"heap_allocated\":%zu,\"heap_free\":%zu,\"allocations\":%u}\n"
				: "heap: %zu bytes allocated, %zu free, %u allocations\n",
		st.heap_allocsz_bytes, st.heap_freesz_bytes, st.alloc_count);
	return 0;
}

static int help(struct cli_ctx *ctx, const struct cli_line *line)
{
	(void)line;
	if (ctx->out != NULL)
		cli_help(ctx->out);
	return 0;
}

static int quit(struct cli_ctx *ctx, const struct cli_line *line)
{
	(void)ctx;
	(void)line;
	return 0; /* the console or secnatctl ends its own session; the daemon runs on */
}

const struct cli_command cli_show_commands[] = {
	{"show port stats [json]", show_port_stats},
	{"show vxc [json]", show_vxc},
	{"show nat stats [json]", show_nat_stats},
	{"show nat sessions [inside <A.B.C.D[:port]>] [outside <A.B.C.D[:port]>] [remote <A.B.C.D[:port]>] "
	 "[limit <n>] [json]", show_nat_sessions},
	{"show route [json]", show_route},
	{"show workers [json]", show_workers},
	{"show memory [json]", show_memory},
	{"show arp [json]", show_arp},
	{"clear arp", clear_arp},
	{"clear stats", clear_stats},
	{"help", help},
	{"quit", quit},
	{NULL, NULL},
};
