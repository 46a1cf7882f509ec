/* SPDX-License-Identifier: BSD-3-Clause */
/* bgp as|neighbor|announce: what the supervised BGP daemon is told. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

#define ASN_MAX 4294967295ull /* 4-byte ASNs (RFC 6793) */

static int bgp_as(struct cli_ctx *ctx, const struct cli_line *line)
{
	uint64_t asn;
	uint32_t id;

	if (!cli_uint(ctx, line->argv[2], 1, ASN_MAX, "as", &asn) ||
	    !cli_addr(ctx, line->argv[4], "router-id", &id))
		return -EINVAL;
	if (id == 0)
		return cli_fail(ctx, "router-id 0.0.0.0 is not a valid BGP identifier");
	ctx->cfg->bgp_as = (uint32_t)asn;
	ctx->cfg->router_id = id;
	return 0;
}

static bool valid_password(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > CFG_PASSWORD_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]) || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* bgp neighbor <A.B.C.D> remote-as <asn> [password <secret>] [hold-time <s>] [max-prefix <n>]
 * [ttl-security] */
static int bgp_neighbor(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	const char *password = cli_option(line, 5, "password");
	const char *hold = cli_option(line, 5, "hold-time");
	const char *max_prefix = cli_option(line, 5, "max-prefix");
	struct cfg_neighbor n = {0};
	uint64_t v;
	unsigned i;

	if (cfg->bgp_as == 0)
		return cli_fail(ctx, "set 'bgp as <asn> router-id <A.B.C.D>' first");
	if (!cli_addr(ctx, line->argv[2], "neighbor", &n.addr) ||
	    !cli_uint(ctx, line->argv[4], 1, ASN_MAX, "remote-as", &v))
		return -EINVAL;
	n.remote_as = (uint32_t)v;
	/* GTSM (RFC 5082): the peer is one hop away, so only TTL 255 can be it. */
	n.ttl_security = cli_has_keyword(line, 5, "ttl-security");
	if (config_vxc_by_peer(cfg, n.addr) == NULL)
		return cli_fail(ctx, "neighbor %s is no VXC's peer: BGP with Salesforce runs over a VXC's /31",
				line->argv[2]);
	if (password != NULL) {
		if (!valid_password(password))
			/* Never echo the secret. */
			return cli_fail(ctx, "password: 1 to %d printable characters, no quotes or backslashes",
					CFG_PASSWORD_MAX);
		snprintf(n.password, sizeof(n.password), "%s", password);
	}
	if (hold != NULL) {
		/* RFC 4271 §4.2: zero (no keepalives) or at least three seconds. */
		if (!cli_uint(ctx, hold, 0, 65535, "hold-time", &v))
			return -EINVAL;
		if (v == 1 || v == 2)
			return cli_fail(ctx, "hold-time %s: must be 0 or at least 3 seconds (RFC 4271)", hold);
		n.hold_time = (uint16_t)v;
	}
	if (max_prefix != NULL) {
		if (!cli_uint(ctx, max_prefix, 1, 10000000, "max-prefix", &v))
			return -EINVAL;
		n.max_prefix = (uint32_t)v;
	}
	for (i = 0; i < cfg->n_neighbors; i++)
		if (cfg->neighbors[i].addr == n.addr) {
			cfg->neighbors[i] = n;
			return 0;
		}
	if (cfg->n_neighbors == CFG_MAX_NEIGHBORS)
		return cli_fail(ctx, "at most %d BGP neighbors", CFG_MAX_NEIGHBORS);
	cfg->neighbors[cfg->n_neighbors++] = n;
	return 0;
}

static int bgp_announce(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	struct ipv4_prefix p;
	unsigned i;

	if (!cli_public_network(ctx, line->argv[2], "bgp announce", &p))
		return -EINVAL;
	for (i = 0; i < cfg->n_announces; i++)
		if (cfg->announces[i].addr == p.addr && cfg->announces[i].len == p.len)
			return 0;
	if (cfg->n_announces == CFG_MAX_ANNOUNCES)
		return cli_fail(ctx, "at most %d announced prefixes", CFG_MAX_ANNOUNCES);
	cfg->announces[cfg->n_announces++] = p;
	return 0;
}

const struct cli_command cli_bgp_commands[] = {
	{"bgp as <asn> router-id <A.B.C.D>", bgp_as},
	{"bgp neighbor <A.B.C.D> remote-as <asn> [password <secret>] [hold-time <seconds>] "
	 "[max-prefix <n>] [ttl-security]", bgp_neighbor},
	{"bgp announce <A.B.C.D/len>", bgp_announce},
	{NULL, NULL},
};
