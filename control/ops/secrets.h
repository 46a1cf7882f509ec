/* SPDX-License-Identifier: BSD-3-Clause */
/* BGP passwords live in the startup file: say so when others can read it. */
#pragma once

#include "config.h"

/* Logs a warning when `cfg` (read from `path`) holds a BGP password and `path` is readable by group or
 * others. Returns true when it warned. */
bool secrets_warn_if_exposed(const char *path, const struct secnat_config *cfg);
