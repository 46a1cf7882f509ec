/* SPDX-License-Identifier: BSD-3-Clause */
/* vxc add|del, vxc <name> rate: the Express Connect virtual cross-connects on the A-end port. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

#define RATE_MIN 1000000ull    /* Megaport's VXC rates: 1 Mbps ... */
#define RATE_MAX 5000000000ull /* ... to 5 Gbps */

/* "500M", "1G", "2.5G": a decimal number (up to three decimals) with an M or G suffix. */
static bool parse_rate(struct cli_ctx *ctx, const char *s, uint64_t *bps)
{
	uint64_t whole = 0, milli = 0, unit;
	const char *p = s;
	int decimals = 0;

	if (!isdigit((unsigned char)*p))
		goto bad;
	while (isdigit((unsigned char)*p) && whole < RATE_MAX)
		whole = whole * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p) && decimals < 3) {
			milli = milli * 10 + (uint64_t)(*p++ - '0');
			decimals++;
		}
		if (decimals == 0)
			goto bad;
	}
	while (decimals++ < 3)
		milli *= 10;
	if ((p[0] != 'M' && p[0] != 'G') || p[1] != '\0')
		goto bad;
	unit = p[0] == 'M' ? 1000000ull : 1000000000ull;
	if (whole >= RATE_MAX)
		goto range;
	*bps = whole * unit + milli * (unit / 1000);
	if (*bps < RATE_MIN || *bps > RATE_MAX)
		goto range;
	return true;
bad:
	cli_fail(ctx, "rate '%s': expected <n>M or <n>G, e.g. 500M, 1G, 2.5G", s);
	return false;
range:
	cli_fail(ctx, "rate '%s': a VXC's rate is from 1M to 5G", s);
	return false;
}

static bool valid_name(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > CFG_NAME_MAX || !isalpha((unsigned char)name[0]))
		return false;
	if (strcmp(name, "add") == 0 || strcmp(name, "del") == 0)
		return false; /* would read as the subcommands */
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
			return false;
	return true;
}

/* vxc add <name> port <id> vlan <v>|untagged local <A.B.C.D/31> peer <A.B.C.D> rate <rate> */
static int vxc_add(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	const char *vlan_text = cli_option(line, 3, "vlan");
	const char *local = cli_option(line, 3, "local");
	const char *peer = cli_option(line, 3, "peer");
	const char *rate = cli_option(line, 3, "rate");
	struct cfg_vxc v = {0};
	struct ipv4_prefix net;
	uint64_t port, vlan = 0;
	unsigned i;

	if (!valid_name(line->argv[2]))
		return cli_fail(ctx, "vxc name '%s': 1 to %d letters, digits, '-' or '_', starting with a "
				     "letter, and not 'add' or 'del'", line->argv[2], CFG_NAME_MAX);
	if (config_vxc_by_name(cfg, line->argv[2]) != NULL)
		return cli_fail(ctx, "vxc %s exists already", line->argv[2]);
	if (cfg->n_vxcs == CFG_MAX_VXCS)
		return cli_fail(ctx, "at most %d VXCs", CFG_MAX_VXCS);
	snprintf(v.name, sizeof(v.name), "%s", line->argv[2]);
	if (!cli_uint(ctx, cli_option(line, 3, "port"), 0, CFG_MAX_PORTS - 1, "port", &port))
		return -EINVAL;
	v.port = (uint16_t)port;
	if (cfg->ports[port].role != PORT_ROLE_AEND)
		return cli_fail(ctx, "port %u is not an aend port (set 'port %u role aend' first)", v.port,
				v.port);
	/* "vlan untagged" and a bare "untagged" both mean no tag. */
	if (vlan_text != NULL && strcmp(vlan_text, "untagged") != 0 &&
	    !cli_uint(ctx, vlan_text, 1, 4094, "vlan", &vlan))
		return -EINVAL;
	v.vlan = (uint16_t)vlan;
	for (i = 0; i < cfg->n_vxcs; i++) {
		const struct cfg_vxc *o = &cfg->vxcs[i];

		if (o->port != v.port)
			continue;
		if (o->vlan == 0 || v.vlan == 0)
			return cli_fail(ctx, "port %u: an untagged VXC must be the only one on its port "
					     "(vxc %s is there)", v.port, o->name);
		if (o->vlan == v.vlan)
			return cli_fail(ctx, "port %u: vlan %u is taken by vxc %s", v.port, v.vlan, o->name);
	}

	if (!cli_prefix(ctx, local, "local", &v.local))
		return -EINVAL;
	if (v.local.len != 31)
		return cli_fail(ctx, "local %s: Megaport assigns a /31 per peering", local);
	net.addr = v.local.addr & ipv4_mask(31);
	net.len = 31;
	if (ipv4_non_public_reason(&net) != NULL)
		return cli_fail(ctx, "local %s is not public address space: it is in %s (Salesforce "
				     "never accepts it)", local, ipv4_non_public_reason(&net));
	if (!cli_addr(ctx, peer, "peer", &v.peer))
		return -EINVAL;
	if (v.peer != (v.local.addr ^ 1))
		return cli_fail(ctx, "peer %s is not the other address of %s", peer, local);
	if (!cli_check_no_overlap(ctx, &net, local))
		return -EINVAL;
	if (!parse_rate(ctx, rate, &v.rate_bps))
		return -EINVAL;
	cfg->vxcs[cfg->n_vxcs++] = v;
	return 0;
}

static int vxc_rate(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct cfg_vxc *v = config_vxc_by_name(ctx->cfg, line->argv[1]);

	if (v == NULL)
		return cli_fail(ctx, "no vxc %s", line->argv[1]);
	return parse_rate(ctx, line->argv[3], &v->rate_bps) ? 0 : -EINVAL;
}

static int vxc_del(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct secnat_config *cfg = ctx->cfg;
	struct cfg_vxc *v = config_vxc_by_name(cfg, line->argv[2]);
	char peer[IPV4_STRLEN], prefix[IPV4_PREFIX_STRLEN];
	unsigned i;

	if (v == NULL)
		return cli_fail(ctx, "no vxc %s", line->argv[2]);
	ipv4_format(v->peer, peer);
	if (config_neighbor(cfg, v->peer) != NULL)
		return cli_fail(ctx, "bgp neighbor %s runs over vxc %s: remove it first", peer, v->name);
	for (i = 0; i < cfg->n_routes; i++)
		if (cfg->routes[i].via == v->peer)
			return cli_fail(ctx, "route %s via %s uses vxc %s: delete it first",
					ipv4_prefix_format(&cfg->routes[i].prefix, prefix), peer, v->name);
	*v = cfg->vxcs[--cfg->n_vxcs];
	memset(&cfg->vxcs[cfg->n_vxcs], 0, sizeof(cfg->vxcs[0])); /* compared whole: nothing lingers */
	return 0;
}

const struct cli_command cli_vxc_commands[] = {
	{"vxc add <name> port <id> vlan <1-4094>|untagged local <A.B.C.D/31> peer <A.B.C.D> rate <rate>",
	 vxc_add},
	{"vxc add <name> port <id> untagged local <A.B.C.D/31> peer <A.B.C.D> rate <rate>", vxc_add},
	{"vxc del <name>", vxc_del},
	{"vxc <name> rate <rate>", vxc_rate},
	{NULL, NULL},
};
