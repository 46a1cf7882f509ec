/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The route importer against a real kernel table: each test runs in a throwaway network namespace
 * (Criterion gives each test its own process) where `ip route ... table 100` plays the daemon.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "route_import.h"

#define TABLE 100
#define MAX_ROUTES 262147 /* a prime above twice the largest burst */

/* What the importer told us: the table as it believes it to be. */
static struct {
	uint32_t key[MAX_ROUTES]; /* addr | len packed as addr >> 8 << 8 | len (all test prefixes are /24 or shorter) */
	uint32_t gw[MAX_ROUTES][ROUTE_MAX_PATHS];
	unsigned n_gw[MAX_ROUTES];
	bool used[MAX_ROUTES], present[MAX_ROUTES], seen_in_sync[MAX_ROUTES];
	unsigned live;
	bool syncing;
} view;

static struct route_import ri;

/* Open addressing: the burst test has 100,000 prefixes. */
static unsigned slot(const struct ipv4_prefix *p)
{
	uint32_t key = (p->addr & 0xffffff00u) | p->len;
	unsigned i = (key * 2654435761u) % MAX_ROUTES;

	while (view.used[i] && view.key[i] != key)
		i = (i + 1) % MAX_ROUTES;
	view.used[i] = true;
	view.key[i] = key;
	return i;
}

static void on_set(void *arg, const struct ipv4_prefix *p, const uint32_t *gws, unsigned n)
{
	unsigned i = slot(p);

	(void)arg;
	if (!view.present[i])
		view.live++;
	view.present[i] = true;
	view.seen_in_sync[i] = true;
	memcpy(view.gw[i], gws, n * sizeof(gws[0]));
	view.n_gw[i] = n;
}

static void on_del(void *arg, const struct ipv4_prefix *p)
{
	unsigned i = slot(p);

	(void)arg;
	if (view.present[i])
		view.live--;
	view.present[i] = false;
}

static void on_sync_begin(void *arg)
{
	(void)arg;
	view.syncing = true;
	memset(view.seen_in_sync, 0, sizeof(view.seen_in_sync));
}

static void on_sync_end(void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < MAX_ROUTES; i++)
		if (view.present[i] && !view.seen_in_sync[i]) {
			view.present[i] = false;
			view.live--;
		}
	view.syncing = false;
}

static const struct route_import_ops ops = {on_set, on_del, on_sync_begin, on_sync_end};

static void sh(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

static void setup(void)
{
	memset(&view, 0, sizeof(view));
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET) needs root");
	/* No dummy interfaces on this kernel: a veth pair gives the gateways a connected subnet. */
	sh("ip link add t0 type veth peer name t1 && ip link set t0 up && ip link set t1 up");
	sh("ip addr add 203.0.113.1/31 dev t0 && ip addr add 203.0.113.3/31 dev t0");
}

static void teardown(void)
{
	route_import_close(&ri);
}

TestSuite(route_import, .init = setup, .fini = teardown, .timeout = 120);

static const struct ipv4_prefix *prefix(const char *text)
{
	static struct ipv4_prefix p;

	cr_assert(ipv4_prefix_parse(text, &p));
	return &p;
}

static bool has(const char *text, uint32_t gateway)
{
	unsigned i = slot(prefix(text)), k;

	if (!view.present[i])
		return false;
	for (k = 0; k < view.n_gw[i]; k++)
		if (view.gw[i][k] == gateway)
			return true;
	return false;
}

/* Polls until `live` routes are in the view (events may take a moment), up to 10 s. */
static void settle(unsigned live)
{
	int i;

	for (i = 0; i < 10000 && view.live != live; i++) {
		cr_assert_geq(route_import_poll(&ri, &ops, NULL), 0);
		if (view.live != live)
			usleep(1000);
	}
	cr_assert_eq(view.live, live, "expected %u routes, the importer has %u", live, view.live);
}

#define GW0 0xcb007100u /* 203.0.113.0 */
#define GW2 0xcb007102u /* 203.0.113.2 */

Test(route_import, the_first_dump_finds_the_routes_already_in_the_table)
{
	sh("ip route add 198.51.100.0/24 via 203.0.113.0 table 100");
	sh("ip route add 192.0.2.0/24 via 203.0.113.2 table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	cr_assert_eq(view.live, 2);
	cr_assert(has("198.51.100.0/24", GW0));
	cr_assert(has("192.0.2.0/24", GW2));
}

Test(route_import, routes_of_other_tables_are_not_imported)
{
	sh("ip route add 198.51.100.0/24 via 203.0.113.0");
	sh("ip route add 192.0.2.0/24 via 203.0.113.0 table 101");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route add 198.18.0.0/15 via 203.0.113.0 table 102");
	usleep(100000);
	cr_assert_geq(route_import_poll(&ri, &ops, NULL), 0);
	cr_assert_eq(view.live, 0);
}

Test(route_import, an_added_route_arrives_as_an_event)
{
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route add 198.51.100.0/24 via 203.0.113.0 table 100");
	settle(1);
	cr_assert(has("198.51.100.0/24", GW0));
}

Test(route_import, a_replaced_route_moves_to_its_new_gateway)
{
	sh("ip route add 198.51.100.0/24 via 203.0.113.0 table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route replace 198.51.100.0/24 via 203.0.113.2 table 100");
	settle(1);
	for (int i = 0; i < 1000 && !has("198.51.100.0/24", GW2); i++) {
		route_import_poll(&ri, &ops, NULL);
		usleep(1000);
	}
	cr_assert(has("198.51.100.0/24", GW2));
	cr_assert_not(has("198.51.100.0/24", GW0));
}

Test(route_import, a_deleted_route_leaves)
{
	sh("ip route add 198.51.100.0/24 via 203.0.113.0 table 100");
	sh("ip route add 192.0.2.0/24 via 203.0.113.0 table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route del 198.51.100.0/24 table 100");
	settle(1);
	cr_assert_not(has("198.51.100.0/24", GW0));
	cr_assert(has("192.0.2.0/24", GW0));
}

Test(route_import, equal_cost_paths_arrive_together)
{
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route add 198.51.100.0/24 table 100 nexthop via 203.0.113.0 nexthop via 203.0.113.2");
	settle(1);
	cr_assert(has("198.51.100.0/24", GW0));
	cr_assert(has("198.51.100.0/24", GW2));
}

Test(route_import, a_blackhole_in_the_table_is_no_route)
{
	sh("ip route add 198.51.100.0/24 via 203.0.113.0 table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	sh("ip route replace blackhole 198.51.100.0/24 table 100");
	settle(0);
}

Test(route_import, a_next_hop_that_is_no_vxc_peer_is_reported_as_it_is)
{
	/* The importer does not judge next hops; mapping them to VXCs is the FIB's job. */
	sh("ip route add 198.51.100.0/24 via 203.0.113.3 table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	cr_assert(has("198.51.100.0/24", 0xcb007103u));
}

/* Writes `n` route commands for `ip -batch` ("add" or "del"), /24s from 20.0.0.0. */
static void batch(const char *path, const char *verb, unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned i;

	cr_assert_not_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "route %s %u.%u.%u.0/24 via 203.0.113.0 table 100\n", verb, 20 + (i >> 16),
			(i >> 8) & 0xff, i & 0xff);
	fclose(f);
}

Test(route_import, a_burst_of_100000_adds_then_deletes_is_followed_exactly)
{
	char cmd[128];
	const unsigned n = 100000;

	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	batch("/tmp/secnat-routes-add", "add", n);
	batch("/tmp/secnat-routes-del", "del", n);
	snprintf(cmd, sizeof(cmd), "ip -batch /tmp/secnat-routes-add");
	sh(cmd);
	settle(n);
	cr_assert(has("20.0.0.0/24", GW0));
	cr_assert(has("21.134.159.0/24", GW0)); /* the 100,000th */
	snprintf(cmd, sizeof(cmd), "ip -batch /tmp/secnat-routes-del");
	sh(cmd);
	settle(0);
	unlink("/tmp/secnat-routes-add");
	unlink("/tmp/secnat-routes-del");
}

Test(route_import, lost_events_are_recovered_by_a_full_dump)
{
	const unsigned n = 20000;

	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	/* Shrink the event socket's buffer so that a burst overruns it. */
	int small = 4096;
	cr_assert_eq(setsockopt(ri.events, SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof(small)), 0);
	batch("/tmp/secnat-routes-lost", "add", n);
	sh("ip -batch /tmp/secnat-routes-lost");
	unlink("/tmp/secnat-routes-lost");
	settle(n);
	cr_assert_gt(ri.resyncs, 1, "the overrun was noticed and the table dumped again");
}

Test(route_import, the_kernels_own_connected_routes_are_not_the_daemons)
{
	/* Following a namespace's main table (FRR), the TUNs' subnets must not come in as BGP routes. */
	sh("ip route add 198.51.100.0/24 dev t0 proto kernel table 100");
	sh("ip route add 192.0.2.0/24 via 203.0.113.0 proto bgp table 100");
	cr_assert_eq(route_import_open(&ri, TABLE, &ops, NULL), 0);
	cr_assert_eq(view.live, 1);
	cr_assert(has("192.0.2.0/24", GW0));
}
