/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnetlink messages into the route importer, as the kernel's table sends them to secnat: the input
 * is one datagram of messages (the importer follows table 201).
 *
 * What must hold, whatever the input: every route handed on is a valid IPv4 prefix (length at most
 * 32, no host bits) with 1 to ROUTE_MAX_PATHS gateways; nothing is read beyond the datagram (the
 * sanitizers watch that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

static void check_prefix(const struct ipv4_prefix *p)
{
	must(p->len <= 32, "prefix longer than 32");
	must((p->addr & ~ipv4_mask(p->len)) == 0, "prefix with host bits");
}

static void on_set(void *arg, const struct ipv4_prefix *prefix, const uint32_t *gateways, unsigned n)
{
	(void)arg;
	(void)gateways;
	check_prefix(prefix);
	must(n >= 1 && n <= ROUTE_MAX_PATHS, "a route with no path or too many");
}

static void on_del(void *arg, const struct ipv4_prefix *prefix)
{
	(void)arg;
	check_prefix(prefix);
}

static void on_sync(void *arg)
{
	(void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct route_import_ops ops = {on_set, on_del, on_sync, on_sync};
	struct route_import ri = {.table = 201};
	void *copy = malloc(size ? size : 1); /* exactly the datagram: overreads are caught */
	bool done = false;

	must(copy != NULL, "out of memory");
	memcpy(copy, data, size);
	route_import_parse(&ri, copy, size, &ops, NULL, &done);
	free(copy);
	return 0;
}
