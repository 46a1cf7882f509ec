/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Follows one kernel routing table over rtnetlink: a full dump, then change events. It does not
 * care which daemon wrote the routes (BIRD, FRR, or `ip route` in a test).
 *
 * Two sockets: the event socket subscribes before the dump is asked for, so nothing that changes
 * during the dump is missed (events replayed after it are idempotent). If the kernel drops events
 * (the receive buffer overran), the table is dumped again as a full resynchronisation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipv4.h"

#define ROUTE_MAX_PATHS 8

struct route_import_ops {
	/* A route appeared or changed: `gateways` (host order; 0 = on-link) are its equal-cost paths. */
	void (*set)(void *arg, const struct ipv4_prefix *prefix, const uint32_t *gateways, unsigned n);
	void (*del)(void *arg, const struct ipv4_prefix *prefix);
	/* A full dump begins / ended: routes not `set` in between are gone. */
	void (*sync_begin)(void *arg);
	void (*sync_end)(void *arg);
};

struct route_import {
	uint32_t table;
	int events; /* subscribed to IPv4 route changes */
	int dump;
	uint32_t seq;
	bool need_sync;
	uint64_t messages, resyncs, ignored;
};

/* Opens both sockets in the calling thread's network namespace and dumps the table once. */
int route_import_open(struct route_import *ri, uint32_t table, const struct route_import_ops *ops,
		      void *arg);
/* Applies every change waiting on the event socket; never blocks. Returns how many routes changed
 * or a negative errno. */
int route_import_poll(struct route_import *ri, const struct route_import_ops *ops, void *arg);
void route_import_close(struct route_import *ri);

/*
 * Applies the rtnetlink messages of one datagram (`size` bytes, aligned as the kernel sends them).
 * Returns the routes changed, or -errno from an error message; *done is set when a dump's
 * NLMSG_DONE arrived. What the sockets read goes through here; so do tests and the fuzzer.
 */
int route_import_parse(struct route_import *ri, const void *data, size_t size,
		       const struct route_import_ops *ops, void *arg, bool *done);
