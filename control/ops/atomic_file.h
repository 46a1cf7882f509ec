/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replacing a file so that a crash or power loss at any moment leaves either the old or the new
 * content, never a mix: write a temporary file beside it, fsync, keep the old one as FILE.bak,
 * rename over, fsync the directory.
 */
#pragma once

#include <stdio.h>
#include <sys/types.h>

typedef int (*atomic_fill_fn)(FILE *f, void *arg); /* 0 or a negative errno */

/* Writes `path` (mode `mode`) with what `fill` writes. Returns 0, or a negative errno with `err`. */
int atomic_file_replace(const char *path, mode_t mode, atomic_fill_fn fill, void *arg, char *err,
			size_t err_len);
