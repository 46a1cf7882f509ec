/* SPDX-License-Identifier: BSD-3-Clause */
/* port <id> role ..., port <id> address ... */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

static const char *const role_names[] = {
	[PORT_ROLE_NONE] = "none",
	[PORT_ROLE_LAN] = "lan",
	[PORT_ROLE_AEND] = "aend",
	[PORT_ROLE_INTERNET] = "internet",
};

const char *port_role_name(enum port_role role)
{
	return role_names[role];
}

static bool port_id(struct cli_ctx *ctx, const char *s, uint16_t *id)
{
	uint64_t v;

	if (!cli_uint(ctx, s, 0, CFG_MAX_PORTS - 1, "port", &v))
		return false;
	*id = (uint16_t)v;
	return true;
}

static int port_role(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct cfg_port *port;
	enum port_role role;
	uint16_t id;
	unsigned i;

	if (!port_id(ctx, line->argv[1], &id))
		return -EINVAL;
	port = &ctx->cfg->ports[id];
	for (role = PORT_ROLE_LAN; role <= PORT_ROLE_INTERNET; role++)
		if (strcmp(line->argv[3], role_names[role]) == 0)
			break;
	if (role == port->role)
		return 0;
	if (role == PORT_ROLE_AEND && port->has_address)
		return cli_fail(ctx, "port %u has address configured; an aend port's addresses are its "
				     "VXCs' /31s", id);
	for (i = 0; i < ctx->cfg->n_vxcs; i++)
		if (ctx->cfg->vxcs[i].port == id)
			return cli_fail(ctx, "port %u carries vxc %s: delete it before changing the role", id,
					ctx->cfg->vxcs[i].name);
	port->role = role;
	return 0;
}

static int port_address(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct ipv4_prefix addr;
	struct cfg_port *port;
	uint32_t host;
	uint16_t id;

	if (!port_id(ctx, line->argv[1], &id) || !cli_prefix(ctx, line->argv[3], "address", &addr))
		return -EINVAL;
	port = &ctx->cfg->ports[id];
	if (port->role != PORT_ROLE_LAN && port->role != PORT_ROLE_INTERNET)
		return cli_fail(ctx, "port %u is not a lan or internet port (set 'port %u role' first)", id, id);
	if (addr.len < 8 || addr.len > 30)
		return cli_fail(ctx, "address %s: prefix length must be from 8 to 30", line->argv[3]);
	host = addr.addr & ~ipv4_mask(addr.len);
	if (host == 0 || host == ~ipv4_mask(addr.len))
		return cli_fail(ctx, "address %s is the subnet's network or broadcast address", line->argv[3]);
	port->has_address = false; /* do not collide with itself */
	if (!cli_check_no_overlap(ctx, &addr, line->argv[3]))
		return -EINVAL;
	port->has_address = true;
	port->address = addr;
	return 0;
}

static int port_mtu(struct cli_ctx *ctx, const struct cli_line *line)
{
	uint64_t mtu;
	uint16_t id;

	if (!port_id(ctx, line->argv[1], &id) || !cli_uint(ctx, line->argv[3], 576, 9600, "mtu", &mtu))
		return -EINVAL;
	ctx->cfg->ports[id].mtu = (uint16_t)mtu;
	return 0;
}

/* arp timeout <s>: how long a neighbour's MAC is trusted before it is asked again (three tries a
 * second apart, the MAC kept meanwhile); one that never answers is then forgotten. */
static int arp_timeout(struct cli_ctx *ctx, const struct cli_line *line)
{
	uint64_t s;

	if (!cli_uint(ctx, line->argv[2], 10, 86400, "arp timeout (seconds)", &s))
		return -EINVAL;
	ctx->cfg->arp_timeout = (uint32_t)s;
	return 0;
}

const struct cli_command cli_port_commands[] = {
	{"port <id> role lan|aend|internet", port_role},
	{"port <id> address <A.B.C.D/len>", port_address},
	{"port <id> mtu <576-9600>", port_mtu},
	{"arp timeout <seconds>", arp_timeout},
	{NULL, NULL},
};
