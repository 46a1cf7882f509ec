/* SPDX-License-Identifier: BSD-3-Clause */
/* nat pool|exempt|mapping|timeout|limit */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

static int nat_pool(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct cfg_vxc *v = config_vxc_by_name(ctx->cfg, line->argv[2]);
	struct ipv4_prefix pool;

	if (v == NULL)
		return cli_fail(ctx, "no vxc %s", line->argv[2]);
	if (!cli_public_network(ctx, line->argv[3], "nat pool", &pool))
		return -EINVAL;
	if (pool.len < 16)
		return cli_fail(ctx, "nat pool %s: at most a /16", line->argv[3]);
	v->has_pool = false; /* a new pool replaces the old one: do not collide with it */
	if (!cli_check_no_overlap(ctx, &pool, line->argv[3]))
		return -EINVAL;
	v->has_pool = true;
	v->pool = pool;
	return 0;
}

static int nat_exempt(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	struct ipv4_prefix p;
	unsigned i;

	if (!cli_public_network(ctx, line->argv[2], "nat exempt", &p))
		return -EINVAL;
	for (i = 0; i < cfg->n_exempts; i++)
		if (cfg->exempts[i].addr == p.addr && cfg->exempts[i].len == p.len)
			return 0;
	if (cfg->n_exempts == CFG_MAX_EXEMPTS)
		return cli_fail(ctx, "at most %d nat exempt prefixes", CFG_MAX_EXEMPTS);
	cfg->exempts[cfg->n_exempts++] = p;
	return 0;
}

static int nat_mapping(struct cli_ctx *ctx, const struct cli_line *line)
{
	ctx->cfg->mapping = strcmp(line->argv[2], "endpoint-independent") == 0
				    ? NAT_MAPPING_ENDPOINT_INDEPENDENT
				    : NAT_MAPPING_ENDPOINT_DEPENDENT;
	return 0;
}

/* The RFC minimums (RFC 4787 REQ-5, RFC 5382 REQ-5, RFC 5508 REQ-1): shorter would break flows that
 * the RFCs promise to keep. */
static const struct {
	const char *name;
	enum nat_timeout which;
	uint32_t min;
} timeouts[] = {
	{"udp", NAT_TIMEOUT_UDP, 120},
	{"tcp-established", NAT_TIMEOUT_TCP_ESTABLISHED, 7440},
	{"tcp-transitory", NAT_TIMEOUT_TCP_TRANSITORY, 240},
	{"icmp", NAT_TIMEOUT_ICMP, 60},
};

#define TIMEOUT_MAX (7 * 24 * 3600)

const char *cli_nat_timeout_name(enum nat_timeout which)
{
	size_t i;

	for (i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
		if (timeouts[i].which == which)
			return timeouts[i].name;
	return NULL; /* not one the operator sets */
}

static int nat_timeout(struct cli_ctx *ctx, const struct cli_line *line)
{
	char what[48];
	uint64_t s;
	size_t i;

	for (i = 0; strcmp(timeouts[i].name, line->argv[2]) != 0; i++)
		;
	snprintf(what, sizeof(what), "%s timeout", timeouts[i].name);
	if (!cli_uint(ctx, line->argv[3], timeouts[i].min, TIMEOUT_MAX, what, &s))
		return -EINVAL;
	ctx->cfg->timeout[timeouts[i].which] = (uint32_t)s;
	return 0;
}

static int nat_limit(struct cli_ctx *ctx, const struct cli_line *line)
{
	bool embryonic = strcmp(line->argv[2], "embryonic-per-host") == 0;
	uint64_t n;

	if (!cli_uint(ctx, line->argv[3], 0, 1u << 24,
		      embryonic ? "half-open TCP sessions per host (0: no limit)" : "per-host sessions (0: no limit)",
		      &n))
		return -EINVAL;
	*(embryonic ? &ctx->cfg->embryonic_per_host_limit : &ctx->cfg->per_host_limit) = (uint32_t)n;
	return 0;
}

/* nat allocation port-block <size>|dynamic: ports handed to hosts in blocks (one event per block) or
 * one by one. */
static int nat_allocation(struct cli_ctx *ctx, const struct cli_line *line)
{
	uint64_t size;

	if (strcmp(line->argv[2], "dynamic") == 0) {
		ctx->cfg->port_block = 0;
		return 0;
	}
	if (line->argc < 4)
		return cli_fail(ctx, "nat allocation port-block <size>: give the block size");
	if (!cli_uint(ctx, line->argv[3], CFG_PORT_BLOCK_MIN, CFG_PORT_BLOCK_MAX, "port-block size", &size))
		return -EINVAL;
	if ((size & (size - 1)) != 0)
		return cli_fail(ctx, "port-block size %s: a power of two (8, 16, ... 4096)", line->argv[3]);
	ctx->cfg->port_block = (uint16_t)size;
	return 0;
}

const struct cli_command cli_nat_commands[] = {
	{"nat pool <vxc> <A.B.C.D/len>", nat_pool},
	{"nat exempt <A.B.C.D/len>", nat_exempt},
	{"nat mapping endpoint-dependent|endpoint-independent", nat_mapping},
	{"nat timeout udp|tcp-established|tcp-transitory|icmp <seconds>", nat_timeout},
	{"nat limit per-host|embryonic-per-host <sessions>", nat_limit},
	{"nat allocation port-block <size>", nat_allocation},
	{"nat allocation dynamic", nat_allocation},
	{NULL, NULL},
};
