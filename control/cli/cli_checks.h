/* SPDX-License-Identifier: BSD-3-Clause */
/* Consistency checks shared by several command groups. */
#pragma once

#include "cli.h"

const char *port_role_name(enum port_role role);

/* Refuses `p` (written as `text`) if it overlaps a port subnet, a VXC /31 or a NAT pool. */
bool cli_check_no_overlap(struct cli_ctx *ctx, const struct ipv4_prefix *p, const char *text);

/* Is `addr` on a connected subnet (a port's or a VXC's), i.e. usable as a next hop? */
bool cli_is_connected(const struct secnat_config *cfg, uint32_t addr);
