/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show bgp neighbors, show bgp routes, clear bgp: read from the supervised BIRD over its control
 * socket (sessions, counts, rejected routes) and from the FIB (the routes in use).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bird_conf.h"
#include "bird_daemon.h"
#include "cli.h"
#include "runtime.h"

#define ROUTES_SHOWN_DEFAULT 1000

static const char *vxc_name(const struct runtime *rt, uint32_t peer)
{
	const struct cfg_vxc *v = config_vxc_by_peer(&rt->cfg, peer);

	return v != NULL ? v->name : "-";
}

static int show_bgp_neighbors(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	bool json = cli_wants_json(line);
	unsigned i;

	if (rt == NULL)
		return 0;
	fprintf(ctx->out, json ? "{\"neighbors\":[" : "%-15s %10s %-12s %9s %9s %9s %9s %s\n", "address",
		"remote_as", "state", "uptime_s", "received", "accepted", "rejected", "vxc");
	for (i = 0; i < rt->cfg.n_neighbors; i++) {
		const struct cfg_neighbor *n = &rt->cfg.neighbors[i];
		struct rt_bgp_session s;
		char addr[IPV4_STRLEN];

		rt_bgp_session(rt, n->addr, &s);
		ipv4_format(n->addr, addr);
		if (json)
			fprintf(ctx->out,
				"%s{\"address\":\"%s\",\"remote_as\":%u,\"state\":\"%s\",\"uptime_s\":%lu,"
				"\"prefixes_received\":%lu,\"prefixes_accepted\":%lu,\"prefixes_rejected\":%lu,"
				"\"prefixes_announced\":%lu,\"vxc\":\"%s\"}",
				i ? "," : "", addr, n->remote_as, s.state, s.uptime_s, s.received, s.accepted,
				s.rejected, s.announced, vxc_name(rt, n->addr));
		else
			fprintf(ctx->out, "%-15s %10u %-12s %9lu %9lu %9lu %9lu %s\n", addr, n->remote_as, s.state,
				s.uptime_s, s.received, s.accepted, s.rejected, vxc_name(rt, n->addr));
	}
	/* The exception path BGP rides on: punted frames into the TUNs and the kernel's packets out
	 * (the workers count what they could not punt as punt_rate and punt_full in show nat stats). */
	fprintf(ctx->out,
		json ? "],\"exception_path\":{\"to_kernel\":%lu,\"from_kernel\":%lu,"
		       "\"peer_unresolved\":%lu,\"dropped\":%lu}}\n"
		     : "exception path: %lu packets to the kernel, %lu from it, %lu waiting for the peer's MAC, "
		       "%lu dropped\n",
		rt->exception.to_kernel, rt->exception.from_kernel, rt->exception.unresolved,
		rt->exception.dropped);
	return 0;
}

/* The routes a neighbor sent that the policy refused ("show route filtered protocol <name>"). */
struct rejected {
	struct cli_ctx *ctx;
	bool json, *first;
	const char *neighbor;
	unsigned shown, limit;
};

static void rejected_line(void *arg, int code, const char *text)
{
	struct rejected *r = arg;
	char prefix[32];

	if (code != 1007 || sscanf(text, "%31s", prefix) != 1 || strchr(prefix, '/') == NULL ||
	    r->shown >= r->limit)
		return;
	r->shown++;
	if (r->json)
		fprintf(r->ctx->out, "%s{\"prefix\":\"%s\",\"neighbor\":\"%s\"}", *r->first ? "" : ",", prefix,
			r->neighbor);
	else
		fprintf(r->ctx->out, "%-18s %-15s rejected by policy\n", prefix, r->neighbor);
	*r->first = false;
}

static int show_bgp_routes(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	struct bird_daemon *bird;
	bool json = cli_wants_json(line), first = true;
	const char *limit_text = cli_option(line, 3, "limit");
	uint64_t limit = ROUTES_SHOWN_DEFAULT;
	unsigned shown = 0, i;
	const void *key;
	uint32_t iter = 0;
	void *data;

	if (rt == NULL)
		return 0;
	if (limit_text != NULL && !cli_uint(ctx, limit_text, 1, 1000000, "limit", &limit))
		return -EINVAL;
	bird = rt_bgp_daemon(rt);
	if (json)
		fprintf(ctx->out, "{\"in_fib\":%u,\"unmapped\":%lu,\"restart_grace\":%s,\"routes\":[",
			rt->bgp_count, rt->bgp_unmapped, rt->bgp_grace_until_ms ? "true" : "false");
	else
		fprintf(ctx->out, "%u BGP routes in the FIB, %lu with a next hop through no VXC%s\n%-18s %-15s %s\n",
			rt->bgp_count, rt->bgp_unmapped,
			rt->bgp_grace_until_ms ? " (the daemon restarts: withdrawn routes kept for now)" : "",
			"prefix", "via", "vxc");
	while (rt->bgp != NULL && shown < limit && rte_hash_iterate(rt->bgp, &key, &data, &iter) >= 0) {
		const struct rt_bgp_route *b = &rt->bgp_routes[(uintptr_t)data];
		char prefix[IPV4_PREFIX_STRLEN], via[IPV4_STRLEN];

		ipv4_prefix_format(&b->prefix, prefix);
		ipv4_format(b->gateway, via);
		if (json)
			fprintf(ctx->out, "%s{\"prefix\":\"%s\",\"via\":\"%s\",\"vxc\":\"%s\",\"paths\":%u,\"stale\":%s}",
				first ? "" : ",", prefix, via, vxc_name(rt, b->gateway),
				b->adj >= 0 ? RTE_MAX(rt->shared->adj[b->adj].n_paths, (uint8_t)1) : 0,
				b->stale ? "true" : "false");
		else
			fprintf(ctx->out, "%-18s %-15s %s%s\n", prefix, via, vxc_name(rt, b->gateway),
				b->stale ? " (stale)" : "");
		first = false;
		shown++;
	}
	fprintf(ctx->out, json ? "],\"rejected\":[" : "%-18s %-15s\n", "rejected", "neighbor");
	first = true;
	for (i = 0; i < rt->cfg.n_neighbors && bird != NULL; i++) {
		char name[BIRD_PROTO_NAME_MAX], command[80], addr[IPV4_STRLEN];
		struct rejected r = {ctx, json, &first, ipv4_format(rt->cfg.neighbors[i].addr, addr), 0,
				     (unsigned)limit};

		snprintf(command, sizeof(command), "show route filtered protocol %s",
			 bird_proto_name(rt->cfg.neighbors[i].addr, name));
		bird_daemon_query(bird, command, rejected_line, &r);
	}
	fprintf(ctx->out, json ? "]}\n" : "");
	return 0;
}

static int clear_bgp(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	char name[BIRD_PROTO_NAME_MAX], command[64];
	struct bird_daemon *bird;
	uint32_t addr;
	unsigned i;

	if (!cli_addr(ctx, line->argv[2], "neighbor", &addr))
		return -EINVAL;
	for (i = 0; i < ctx->cfg->n_neighbors && ctx->cfg->neighbors[i].addr != addr; i++)
		;
	if (i == ctx->cfg->n_neighbors)
		return cli_fail(ctx, "no bgp neighbor %s", line->argv[2]);
	if (rt == NULL)
		return 0;
	bird = rt_bgp_daemon(rt);
	snprintf(command, sizeof(command), "restart %s", bird_proto_name(addr, name));
	if (bird == NULL || bird_daemon_query(bird, command, NULL, NULL) != 0)
		return cli_fail(ctx, "the BGP daemon does not answer");
	return 0;
}

const struct cli_command cli_show_bgp_commands[] = {
	{"show bgp neighbors [json]", show_bgp_neighbors},
	{"show bgp routes [limit <n>] [json]", show_bgp_routes},
	{"clear bgp <A.B.C.D>", clear_bgp},
	{NULL, NULL},
};
