/* SPDX-License-Identifier: BSD-3-Clause */
/* log ipfix|syslog, metrics listen: where NAT events and metrics go (the management network). */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* The collector of `addr` in `list`, or NULL. */
static struct cfg_collector *find(struct cfg_collector *list, unsigned n, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (list[i].addr == addr)
			return &list[i];
	return NULL;
}

/* Adds `c` to `list`, or replaces the entry of the same address (a changed port or transport). */
static int add(struct cli_ctx *ctx, struct cfg_collector *list, unsigned *n, const struct cfg_collector *c,
	       const char *what)
{
	struct cfg_collector *slot = find(list, *n, c->addr);

	if (slot == NULL) {
		if (*n == CFG_MAX_COLLECTORS)
			return cli_fail(ctx, "at most %d %ss", CFG_MAX_COLLECTORS, what);
		slot = &list[(*n)++];
	}
	*slot = *c;
	return 0;
}

static int del(struct cli_ctx *ctx, struct cfg_collector *list, unsigned *n, const char *text, const char *what)
{
	struct cfg_collector *slot;
	uint32_t addr;

	if (!cli_addr(ctx, text, what, &addr))
		return -EINVAL;
	slot = find(list, *n, addr);
	if (slot == NULL)
		return cli_fail(ctx, "no %s %s", what, text);
	/* Keep the order the operator gave: show running-config replays it. */
	memmove(slot, slot + 1, (size_t)(&list[*n] - (slot + 1)) * sizeof(*slot));
	memset(&list[--*n], 0, sizeof(*slot));
	return 0;
}

static bool port_option(struct cli_ctx *ctx, const struct cli_line *line, int from, uint16_t fallback,
			uint16_t *port)
{
	const char *text = cli_option(line, from, "port");
	uint64_t v;

	*port = fallback;
	if (text == NULL)
		return true;
	if (!cli_uint(ctx, text, 1, 65535, "port", &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

/* log ipfix collector <A.B.C.D> [port <n>] [source <A.B.C.D>] */
static int log_ipfix(struct cli_ctx *ctx, const struct cli_line *line)
{
	const char *source = cli_option(line, 4, "source");
	struct cfg_collector c = {0};

	if (!cli_addr(ctx, line->argv[3], "collector", &c.addr) ||
	    !port_option(ctx, line, 4, CFG_IPFIX_PORT_DEFAULT, &c.port) ||
	    (source != NULL && !cli_addr(ctx, source, "source", &c.source)))
		return -EINVAL;
	if (c.addr == 0)
		return cli_fail(ctx, "collector 0.0.0.0: give the collector's address");
	return add(ctx, ctx->cfg->ipfix, &ctx->cfg->n_ipfix, &c, "IPFIX collector");
}

/* log syslog server <A.B.C.D> [port <n>] [tcp] */
static int log_syslog(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct cfg_collector c = {0};

	if (!cli_addr(ctx, line->argv[3], "server", &c.addr) ||
	    !port_option(ctx, line, 4, CFG_SYSLOG_PORT_DEFAULT, &c.port))
		return -EINVAL;
	if (c.addr == 0)
		return cli_fail(ctx, "server 0.0.0.0: give the syslog server's address");
	c.tcp = cli_has_keyword(line, 4, "tcp");
	return add(ctx, ctx->cfg->syslog, &ctx->cfg->n_syslog, &c, "syslog server");
}

static int no_log_ipfix(struct cli_ctx *ctx, const struct cli_line *line)
{
	return del(ctx, ctx->cfg->ipfix, &ctx->cfg->n_ipfix, line->argv[4], "IPFIX collector");
}

static int no_log_syslog(struct cli_ctx *ctx, const struct cli_line *line)
{
	return del(ctx, ctx->cfg->syslog, &ctx->cfg->n_syslog, line->argv[4], "syslog server");
}

static int metrics_listen(struct cli_ctx *ctx, const struct cli_line *line)
{
	uint32_t addr;
	uint64_t port;

	if (!cli_addr(ctx, line->argv[2], "metrics address", &addr) ||
	    !cli_uint(ctx, line->argv[3], 1, 65535, "metrics port", &port))
		return -EINVAL;
	ctx->cfg->metrics_addr = addr;
	ctx->cfg->metrics_port = (uint16_t)port;
	return 0;
}

static int no_metrics_listen(struct cli_ctx *ctx, const struct cli_line *line)
{
	(void)line;
	ctx->cfg->metrics_addr = 0;
	ctx->cfg->metrics_port = 0;
	return 0;
}

const struct cli_command cli_log_commands[] = {
	{"log ipfix collector <A.B.C.D> [port <n>] [source <A.B.C.D>]", log_ipfix},
	{"log syslog server <A.B.C.D> [port <n>] [tcp]", log_syslog},
	{"no log ipfix collector <A.B.C.D>", no_log_ipfix},
	{"no log syslog server <A.B.C.D>", no_log_syslog},
	{"metrics listen <A.B.C.D> <port>", metrics_listen},
	{"no metrics listen", no_metrics_listen},
	{NULL, NULL},
};
