/* SPDX-License-Identifier: BSD-3-Clause */
#include <sys/stat.h>

#include "log.h"
#include "secrets.h"

bool secrets_warn_if_exposed(const char *path, const struct secnat_config *cfg)
{
	struct stat st;
	unsigned i;

	for (i = 0; i < cfg->n_neighbors && cfg->neighbors[i].password[0] == '\0'; i++)
		;
	if (i == cfg->n_neighbors || stat(path, &st) != 0 || (st.st_mode & (S_IRGRP | S_IROTH)) == 0)
		return false;
	log_msg(LOG_WARNING, "%s holds a BGP password and others may read it (mode %03o): chmod 600 %s",
		path, (unsigned)(st.st_mode & 0777), path);
	return true;
}
