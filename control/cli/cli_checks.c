/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli_checks.h"

bool cli_check_no_overlap(struct cli_ctx *ctx, const struct ipv4_prefix *p, const char *text)
{
	const struct secnat_config *cfg = ctx->cfg;
	char other[IPV4_PREFIX_STRLEN];
	unsigned i;

	for (i = 0; i < CFG_MAX_PORTS; i++)
		if (cfg->ports[i].has_address && ipv4_prefix_overlaps(p, &cfg->ports[i].address)) {
			cli_fail(ctx, "%s overlaps port %u's subnet %s", text, i,
				 ipv4_prefix_format(&cfg->ports[i].address, other));
			return false;
		}
	for (i = 0; i < cfg->n_vxcs; i++) {
		const struct cfg_vxc *v = &cfg->vxcs[i];

		if (ipv4_prefix_overlaps(p, &v->local)) {
			cli_fail(ctx, "%s overlaps vxc %s's %s", text, v->name,
				 ipv4_prefix_format(&v->local, other));
			return false;
		}
		if (v->has_pool && ipv4_prefix_overlaps(p, &v->pool)) {
			cli_fail(ctx, "%s overlaps vxc %s's nat pool %s", text, v->name,
				 ipv4_prefix_format(&v->pool, other));
			return false;
		}
	}
	return true;
}

bool cli_is_connected(const struct secnat_config *cfg, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < CFG_MAX_PORTS; i++)
		if (cfg->ports[i].has_address && ipv4_prefix_contains(&cfg->ports[i].address, addr) &&
		    addr != cfg->ports[i].address.addr)
			return true;
	for (i = 0; i < cfg->n_vxcs; i++)
		if (cfg->vxcs[i].peer == addr)
			return true;
	return false;
}
