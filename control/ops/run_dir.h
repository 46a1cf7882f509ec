/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat's runtime directory: the folder of its control socket (/run/secnat by default, whatever -s
 * names otherwise). secnat makes it (0755, and any missing parent) before anything needs it, and at
 * stop removes what it made, so a fresh machine needs no preparation and a stopped secnat leaves
 * nothing behind. A directory that existed before is left in place.
 */
#pragma once

#include <stdbool.h>
#include <limits.h>

#define RUN_DIR_DEPTH 8

struct run_dir {
	char path[PATH_MAX];
	unsigned n_made;
	char made[RUN_DIR_DEPTH][PATH_MAX]; /* the folders we created, outermost first */
};

/* Makes sure the folder holding `socket_path` exists. Returns 0 or a negative errno. */
int run_dir_claim(struct run_dir *d, const char *socket_path);
/* Removes the folders run_dir_claim made, innermost first, if they are empty by now. */
void run_dir_release(struct run_dir *d);

/*
 * Removes DPDK's runtime directory of this process (/var/run/dpdk/<file-prefix>: its config,
 * memory maps and multi-process socket), which rte_eal_cleanup() leaves behind. Only for the
 * primary process, after rte_eal_cleanup(); `path` as rte_eal_get_runtime_dir() gave it.
 */
void run_dir_remove_eal(const char *path);
