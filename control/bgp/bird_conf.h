/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BIRD 2 configuration generated from the operator's `bgp` commands: sessions, the built-in
 * peering policy, the announced prefixes, and the export of the chosen routes into the kernel table
 * that secnat's route importer follows.
 */
#pragma once

#include <stdio.h>

#include "config.h"

/* The kernel routing table (in the control-plane namespace) the daemon writes its best routes to. */
#define BGP_KERNEL_TABLE 100
/* The administrative distance of routes learned over eBGP, against static and connected routes. */
#define BGP_DISTANCE 20

/* The BIRD protocol name of neighbor `addr`, stable across reconfigurations ("sf_203_0_113_0"). */
#define BIRD_PROTO_NAME_MAX 24
char *bird_proto_name(uint32_t addr, char *buf);

/*
 * Writes the configuration. `log_path` is where BIRD logs. The text holds the neighbors' passwords:
 * the caller writes it to a file only the daemon's user can read, and never anywhere else.
 * Returns 0, or -EIO when `out` failed.
 */
int bird_conf_write(FILE *out, const struct secnat_config *cfg, const char *log_path);
