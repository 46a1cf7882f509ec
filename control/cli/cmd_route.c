/* SPDX-License-Identifier: BSD-3-Clause */
/* route add|del: static routes. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

static struct cfg_route *find(struct secnat_config *cfg, const struct ipv4_prefix *p, const uint32_t *via)
{
	unsigned i;

	for (i = 0; i < cfg->n_routes; i++) {
		struct cfg_route *r = &cfg->routes[i];

		if (r->prefix.addr == p->addr && r->prefix.len == p->len && (via == NULL || r->via == *via))
			return r;
	}
	return NULL;
}

static int route_add(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	const char *distance = cli_option(line, 5, "distance");
	struct cfg_route r = {.distance = 1};
	struct cfg_route *existing;
	uint64_t d;

	if (!cli_network(ctx, line->argv[2], "route", &r.prefix) ||
	    !cli_addr(ctx, line->argv[4], "via", &r.via))
		return -EINVAL;
	if (distance != NULL) {
		if (!cli_uint(ctx, distance, 1, 255, "distance", &d))
			return -EINVAL;
		r.distance = (uint8_t)d;
	}
	if (r.prefix.len == 0 && config_vxc_by_peer(cfg, r.via) != NULL)
		return cli_fail(ctx, "a default route is never pointed at Salesforce (%s is vxc %s's peer)",
				line->argv[4], config_vxc_by_peer(cfg, r.via)->name);
	if (!cli_is_connected(cfg, r.via))
		return cli_fail(ctx, "via %s is on no connected subnet (port addresses, VXC /31s)",
				line->argv[4]);
	existing = find(cfg, &r.prefix, &r.via);
	if (existing != NULL) {
		existing->distance = r.distance;
		return 0;
	}
	if (cfg->n_routes == CFG_MAX_ROUTES)
		return cli_fail(ctx, "at most %d static routes", CFG_MAX_ROUTES);
	cfg->routes[cfg->n_routes++] = r;
	return 0;
}

static int route_del(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	const char *via_text = cli_option(line, 3, "via");
	struct ipv4_prefix p;
	struct cfg_route *r;
	uint32_t via;
	bool any = false;

	if (!cli_network(ctx, line->argv[2], "route", &p))
		return -EINVAL;
	if (via_text != NULL && !cli_addr(ctx, via_text, "via", &via))
		return -EINVAL;
	while ((r = find(cfg, &p, via_text ? &via : NULL)) != NULL) {
		*r = cfg->routes[--cfg->n_routes];
		/* The vacated slot is cleared: a configuration is compared whole (a replayed one, an
		 * unchanged one), and what was deleted must not linger in it. */
		memset(&cfg->routes[cfg->n_routes], 0, sizeof(cfg->routes[0]));
		any = true;
	}
	if (!any)
		return cli_fail(ctx, "no static route %s%s%s", line->argv[2], via_text ? " via " : "",
				via_text ? via_text : "");
	return 0;
}

const struct cli_command cli_route_commands[] = {
	{"route add <A.B.C.D/len> via <A.B.C.D> [distance <1-255>]", route_add},
	{"route del <A.B.C.D/len> [via <A.B.C.D>]", route_del},
	{NULL, NULL},
};
