/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "nat_config.h"

#define BGP_PORT 179

void nat_config_defaults(struct nat_config *config)
{
	memset(config, 0, sizeof(*config));
	config->mapping = NAT_MAPPING_ENDPOINT_DEPENDENT;
	config->timeout[NAT_TIMEOUT_UDP] = 300;
	config->timeout[NAT_TIMEOUT_TCP_ESTABLISHED] = 7440;
	config->timeout[NAT_TIMEOUT_TCP_TRANSITORY] = 240;
	config->timeout[NAT_TIMEOUT_ICMP] = 60;
	config->timeout[NAT_TIMEOUT_PORT_HOLD] = 120;
	config->timeout[NAT_TIMEOUT_FRAGMENT] = 5;
	config->n_reserved_tcp = 1;
	config->reserved_tcp[0] = BGP_PORT;
}
