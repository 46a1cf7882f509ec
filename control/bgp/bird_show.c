/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bird_show.h"

void bird_protocol_line(void *arg, int code, const char *text)
{
	char name[64], proto[16], table[16], up[16], since[32], info[24] = "";
	struct bird_protocol *p = arg;
	const char *routes;

	/* 1002: "<name> BGP --- up <since> Established"; the last word may be missing. */
	if (code == 1002 && sscanf(text, "%63s %15s %15s %15s %31s %23s", name, proto, table, up, since, info) >= 5) {
		p->since = strtoull(since, NULL, 10);
		snprintf(p->state, sizeof(p->state), "%s", strcmp(up, "down") == 0 ? "Idle" : info);
	}
	routes = strstr(text, "Routes:");
	if (routes != NULL)
		sscanf(routes, "Routes: %lu imported, %lu filtered, %lu exported", &p->imported, &p->filtered,
		       &p->exported);
}
