/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The configuration written back as commands: what `show running-config` prints and `write` saves.
 * Every line must parse again to the same value (tests/unit/test_running_config.c replays it).
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "cli_checks.h"

/* The shortest form parse_rate() reads back: "5G", "500M", "1.5M" (rates are whole kbit/s). */
static void write_rate(FILE *out, uint64_t bps)
{
	if (bps % 1000000000u == 0)
		fprintf(out, "%" PRIu64 "G", bps / 1000000000u);
	else if (bps % 1000000u == 0)
		fprintf(out, "%" PRIu64 "M", bps / 1000000u);
	else
		fprintf(out, "%" PRIu64 ".%03" PRIu64 "M", bps / 1000000u, bps % 1000000u / 1000u);
}

static void write_ports(FILE *out, const struct secnat_config *cfg)
{
	char prefix[IPV4_PREFIX_STRLEN];
	unsigned p;

	for (p = 0; p < CFG_MAX_PORTS; p++) {
		const struct cfg_port *port = &cfg->ports[p];

		/* A port may be given an address or MTU before (or without) its role: all of it shows. */
		if (port->role != PORT_ROLE_NONE)
			fprintf(out, "port %u role %s\n", p, port_role_name(port->role));
		if (port->has_address)
			fprintf(out, "port %u address %s\n", p, ipv4_prefix_format(&port->address, prefix));
		if (port->mtu != 0)
			fprintf(out, "port %u mtu %u\n", p, port->mtu);
	}
	if (cfg->arp_timeout != CFG_ARP_TIMEOUT_DEFAULT)
		fprintf(out, "arp timeout %u\n", cfg->arp_timeout);
}

static void write_vxcs(FILE *out, const struct secnat_config *cfg)
{
	char local[IPV4_PREFIX_STRLEN], peer[IPV4_STRLEN];
	unsigned i;

	for (i = 0; i < cfg->n_vxcs; i++) {
		const struct cfg_vxc *v = &cfg->vxcs[i];

		fprintf(out, "vxc add %s port %u ", v->name, v->port);
		if (v->vlan == 0)
			fprintf(out, "untagged");
		else
			fprintf(out, "vlan %u", v->vlan);
		fprintf(out, " local %s peer %s rate ", ipv4_prefix_format(&v->local, local),
			ipv4_format(v->peer, peer));
		write_rate(out, v->rate_bps);
		fputc('\n', out);
	}
	for (i = 0; i < cfg->n_vxcs; i++)
		if (cfg->vxcs[i].has_pool)
			fprintf(out, "nat pool %s %s\n", cfg->vxcs[i].name,
				ipv4_prefix_format(&cfg->vxcs[i].pool, local));
}

static void write_nat(FILE *out, const struct secnat_config *cfg)
{
	struct nat_config defaults;
	char prefix[IPV4_PREFIX_STRLEN];
	unsigned i;

	nat_config_defaults(&defaults);
	for (i = 0; i < cfg->n_exempts; i++)
		fprintf(out, "nat exempt %s\n", ipv4_prefix_format(&cfg->exempts[i], prefix));
	if (cfg->mapping != defaults.mapping)
		fprintf(out, "nat mapping %s\n", cfg->mapping == NAT_MAPPING_ENDPOINT_INDEPENDENT
							 ? "endpoint-independent"
							 : "endpoint-dependent");
	for (i = 0; i < NAT_TIMEOUT_MAX; i++)
		if (cfg->timeout[i] != defaults.timeout[i] && cli_nat_timeout_name(i) != NULL)
			fprintf(out, "nat timeout %s %u\n", cli_nat_timeout_name(i), cfg->timeout[i]);
	if (cfg->per_host_limit != CFG_PER_HOST_DEFAULT)
		fprintf(out, "nat limit per-host %u\n", cfg->per_host_limit);
	if (cfg->embryonic_per_host_limit != CFG_EMBRYONIC_PER_HOST_DEFAULT)
		fprintf(out, "nat limit embryonic-per-host %u\n", cfg->embryonic_per_host_limit);
	if (cfg->port_block != 0)
		fprintf(out, "nat allocation port-block %u\n", cfg->port_block);
}

static void write_logging(FILE *out, const struct secnat_config *cfg)
{
	char addr[IPV4_STRLEN];
	unsigned i;

	for (i = 0; i < cfg->n_ipfix; i++) {
		const struct cfg_collector *c = &cfg->ipfix[i];

		fprintf(out, "log ipfix collector %s", ipv4_format(c->addr, addr));
		if (c->port != CFG_IPFIX_PORT_DEFAULT)
			fprintf(out, " port %u", c->port);
		if (c->source != 0)
			fprintf(out, " source %s", ipv4_format(c->source, addr));
		fputc('\n', out);
	}
	for (i = 0; i < cfg->n_syslog; i++) {
		const struct cfg_collector *c = &cfg->syslog[i];

		fprintf(out, "log syslog server %s", ipv4_format(c->addr, addr));
		if (c->port != CFG_SYSLOG_PORT_DEFAULT)
			fprintf(out, " port %u", c->port);
		fprintf(out, "%s\n", c->tcp ? " tcp" : "");
	}
	if (cfg->metrics_port != 0)
		fprintf(out, "metrics listen %s %u\n", ipv4_format(cfg->metrics_addr, addr), cfg->metrics_port);
}

static void write_routes(FILE *out, const struct secnat_config *cfg)
{
	char prefix[IPV4_PREFIX_STRLEN], via[IPV4_STRLEN];
	unsigned i;

	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];

		fprintf(out, "route add %s via %s", ipv4_prefix_format(&r->prefix, prefix),
			ipv4_format(r->via, via));
		if (r->distance != 1)
			fprintf(out, " distance %u", r->distance);
		fputc('\n', out);
	}
}

static void write_bgp(FILE *out, const struct secnat_config *cfg, bool hide_secrets)
{
	char addr[IPV4_PREFIX_STRLEN];
	unsigned i;

	if (cfg->bgp_as == 0)
		return;
	fprintf(out, "bgp as %u router-id %s\n", cfg->bgp_as, ipv4_format(cfg->router_id, addr));
	for (i = 0; i < cfg->n_neighbors; i++) {
		const struct cfg_neighbor *n = &cfg->neighbors[i];

		fprintf(out, "bgp neighbor %s remote-as %u", ipv4_format(n->addr, addr), n->remote_as);
		if (n->password[0] != '\0')
			fprintf(out, " password %s", hide_secrets ? "<hidden>" : n->password);
		if (n->hold_time != 0)
			fprintf(out, " hold-time %u", n->hold_time);
		if (n->max_prefix != 0)
			fprintf(out, " max-prefix %u", n->max_prefix);
		if (n->ttl_security)
			fprintf(out, " ttl-security");
		fputc('\n', out);
	}
	for (i = 0; i < cfg->n_announces; i++)
		fprintf(out, "bgp announce %s\n", ipv4_prefix_format(&cfg->announces[i], addr));
}

void cli_write_config(FILE *out, const struct secnat_config *cfg, bool hide_secrets)
{
	write_ports(out, cfg);
	write_vxcs(out, cfg);
	write_nat(out, cfg);
	write_routes(out, cfg);
	write_bgp(out, cfg, hide_secrets);
	write_logging(out, cfg);
}
