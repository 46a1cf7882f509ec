/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "config.h"

void config_init(struct secnat_config *cfg)
{
	struct nat_config defaults;

	memset(cfg, 0, sizeof(*cfg));
	nat_config_defaults(&defaults);
	cfg->mapping = defaults.mapping;
	cfg->arp_timeout = CFG_ARP_TIMEOUT_DEFAULT;
	cfg->per_host_limit = CFG_PER_HOST_DEFAULT;
	cfg->embryonic_per_host_limit = CFG_EMBRYONIC_PER_HOST_DEFAULT;
	memcpy(cfg->timeout, defaults.timeout, sizeof(cfg->timeout));
}

const struct cfg_neighbor *config_neighbor(const struct secnat_config *cfg, uint32_t addr)
{
	unsigned i;

	for (i = 0; i < cfg->n_neighbors; i++)
		if (cfg->neighbors[i].addr == addr)
			return &cfg->neighbors[i];
	return NULL;
}

struct cfg_vxc *config_vxc_by_name(struct secnat_config *cfg, const char *name)
{
	unsigned i;

	for (i = 0; i < cfg->n_vxcs; i++)
		if (strcmp(cfg->vxcs[i].name, name) == 0)
			return &cfg->vxcs[i];
	return NULL;
}

const struct cfg_vxc *config_vxc_by_peer(const struct secnat_config *cfg, uint32_t peer)
{
	unsigned i;

	for (i = 0; i < cfg->n_vxcs; i++)
		if (cfg->vxcs[i].peer == peer)
			return &cfg->vxcs[i];
	return NULL;
}

bool config_gateway(const struct secnat_config *cfg, uint32_t gw, uint16_t *port, int *vxc)
{
	const struct cfg_vxc *v = config_vxc_by_peer(cfg, gw);
	uint16_t p;

	if (v != NULL) {
		*port = v->port;
		*vxc = (int)(v - cfg->vxcs);
		return true;
	}
	for (p = 0; p < CFG_MAX_PORTS; p++)
		if (cfg->ports[p].has_address && ipv4_prefix_contains(&cfg->ports[p].address, gw)) {
			*port = p;
			*vxc = -1;
			return true;
		}
	return false;
}
