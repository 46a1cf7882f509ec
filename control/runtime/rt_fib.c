/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB the workers look up (rte_lpm, RCU-protected) and what decides it: connected routes
 * (distance 0), static routes (their distance), and BGP routes from the daemon's kernel table
 * (BGP_DISTANCE). For each prefix the lowest distance wins; rte_lpm_add over an existing prefix
 * repoints it in one step, so a route never disappears while it changes.
 *
 * BGP routes live in their own table (a hash of prefixes), because there can be 100,000 of them and
 * each kernel event touches one. Configured routes are few and recomputed whole on each change.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "bird_conf.h"
#include "log.h"
#include "runtime.h"

static uint64_t prefix_key(const struct ipv4_prefix *p)
{
	return (uint64_t)p->addr << 8 | p->len;
}

/* The adjacency (port, vxc, gateway), appended if new: entries never change once workers see them. */
static int adjacency(struct runtime *rt, uint16_t port, uint16_t vxc, uint32_t gateway)
{
	struct dp_shared *s = rt->shared;
	rte_be32_t gw = rte_cpu_to_be_32(gateway);
	uint32_t i;

	for (i = 0; i < s->n_adj; i++)
		if (s->adj[i].n_paths <= 1 && s->adj[i].port == port && s->adj[i].vxc == vxc &&
		    s->adj[i].gateway == gw)
			return (int)i;
	if (s->n_adj == DP_MAX_ADJ)
		return -ENOSPC;
	s->adj[s->n_adj] = (struct dp_adj){.port = port, .vxc = vxc, .gateway = gw, .n_paths = 1};
	__atomic_store_n(&s->n_adj, s->n_adj + 1, __ATOMIC_RELEASE);
	return (int)i;
}

/* An equal-cost group over member adjacencies `paths` (sorted, so one group per set of paths). */
static int adjacency_group(struct runtime *rt, uint16_t *paths, unsigned n)
{
	struct dp_shared *s = rt->shared;
	unsigned i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && paths[j - 1] > paths[j]; j--) {
			uint16_t t = paths[j];

			paths[j] = paths[j - 1];
			paths[j - 1] = t;
		}
	for (i = 0; i < s->n_adj; i++)
		if (s->adj[i].n_paths == n && memcmp(s->adj[i].paths, paths, n * sizeof(paths[0])) == 0)
			return (int)i;
	if (s->n_adj == DP_MAX_ADJ)
		return -ENOSPC;
	/* The group's own port and VXC are its first member's: what a reader that ignores groups sees. */
	s->adj[s->n_adj] = s->adj[paths[0]];
	s->adj[s->n_adj].n_paths = (uint8_t)n;
	memcpy(s->adj[s->n_adj].paths, paths, n * sizeof(paths[0]));
	__atomic_store_n(&s->n_adj, s->n_adj + 1, __ATOMIC_RELEASE);
	return (int)i;
}

/* The configured route for `prefix` in the FIB, or NULL. */
static const struct rt_fib_route *configured(const struct runtime *rt, const struct ipv4_prefix *p)
{
	unsigned i;

	for (i = 0; i < rt->n_installed; i++)
		if (rt->installed[i].prefix.addr == p->addr && rt->installed[i].prefix.len == p->len)
			return &rt->installed[i];
	return NULL;
}

static struct rt_bgp_route *bgp_route(const struct runtime *rt, const struct ipv4_prefix *p)
{
	uint64_t key = prefix_key(p);
	void *data;

	if (rt->bgp == NULL || rte_hash_lookup_data(rt->bgp, &key, &data) < 0)
		return NULL;
	return &rt->bgp_routes[(uintptr_t)data];
}

static int fib_set(struct runtime *rt, const struct ipv4_prefix *p, uint32_t adj)
{
	int ret = rte_lpm_add(rt->shared->fib, p->addr, p->len, adj);

	if (ret < 0) {
		char text[IPV4_PREFIX_STRLEN];

		rt->fib_errors++;
		log_msg(LOG_ERR, "cannot install route %s: %s", ipv4_prefix_format(p, text), strerror(-ret));
	}
	return ret;
}

struct wanted_route {
	struct ipv4_prefix prefix;
	int adj;
	uint32_t via;
	unsigned distance;
};

/* Adds or improves `prefix`'s entry in the wanted list: the lowest distance wins. */
static void want(struct wanted_route *list, unsigned *n, const struct ipv4_prefix *prefix, int adj,
		 uint32_t via, unsigned distance)
{
	unsigned i;

	if (adj < 0)
		return;
	for (i = 0; i < *n; i++)
		if (list[i].prefix.addr == prefix->addr && list[i].prefix.len == prefix->len) {
			if (distance < list[i].distance) {
				list[i].adj = adj;
				list[i].via = via;
				list[i].distance = distance;
			}
			return;
		}
	list[*n].prefix = *prefix;
	list[*n].adj = adj;
	list[*n].via = via;
	list[*n].distance = distance;
	(*n)++;
}

int rt_fib_sync(struct runtime *rt, const struct secnat_config *cfg)
{
	static struct wanted_route list[RTE_DIM(((struct runtime *)0)->installed)];
	unsigned n = 0, i, j;

	for (i = 0; i < CFG_MAX_PORTS && i < rt->shared->n_ports; i++) {
		const struct cfg_port *p = &cfg->ports[i];
		struct ipv4_prefix net;

		if (!p->has_address)
			continue;
		net.len = p->address.len;
		net.addr = p->address.addr & ipv4_mask(net.len);
		want(list, &n, &net, adjacency(rt, (uint16_t)i, DP_NO_VXC, 0), 0, 0);
	}
	for (i = 0; i < cfg->n_vxcs; i++) {
		struct ipv4_prefix net = {.addr = cfg->vxcs[i].local.addr & ipv4_mask(31), .len = 31};

		want(list, &n, &net, adjacency(rt, cfg->vxcs[i].port, (uint16_t)i, 0), 0, 0);
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		uint16_t port;
		int adj = -1, vxc;

		if (config_gateway(cfg, r->via, &port, &vxc))
			adj = adjacency(rt, port, vxc >= 0 ? (uint16_t)vxc : DP_NO_VXC, r->via);
		want(list, &n, &r->prefix, adj, r->via, r->distance);
	}

	/* Add or repoint what is wanted, unless BGP has the prefix at a better distance; then remove
	 * what is no longer configured, falling back to BGP's route where it has one. */
	for (i = 0; i < n; i++) {
		const struct rt_bgp_route *b = bgp_route(rt, &list[i].prefix);
		uint32_t adj = b != NULL && b->adj >= 0 && BGP_DISTANCE < list[i].distance ? (uint32_t)b->adj
											: (uint32_t)list[i].adj;
		int ret = fib_set(rt, &list[i].prefix, adj);

		if (ret < 0)
			return ret;
	}
	for (i = 0; i < rt->n_installed; i++) {
		const struct ipv4_prefix *p = &rt->installed[i].prefix;
		const struct rt_bgp_route *b;
		bool kept = false;

		for (j = 0; j < n && !kept; j++)
			kept = list[j].prefix.addr == p->addr && list[j].prefix.len == p->len;
		if (kept)
			continue;
		b = bgp_route(rt, p);
		if (b != NULL && b->adj >= 0)
			fib_set(rt, p, (uint32_t)b->adj);
		else
			rte_lpm_delete(rt->shared->fib, p->addr, p->len);
	}
	rt->n_installed = n;
	for (i = 0; i < n; i++) {
		rt->installed[i].prefix = list[i].prefix;
		rt->installed[i].adj = (uint32_t)list[i].adj;
		rt->installed[i].via = list[i].via;
		rt->installed[i].distance = (uint8_t)list[i].distance;
	}
	return 0;
}

int rt_fib_bgp_init(struct runtime *rt)
{
	struct rte_hash_parameters hp = {
		.name = "bgp_routes",
		.entries = RT_BGP_MAX_ROUTES,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
	};
	uint32_t i;

	rt->bgp = rte_hash_create(&hp);
	rt->bgp_routes = rte_zmalloc("bgp_routes", RT_BGP_MAX_ROUTES * sizeof(rt->bgp_routes[0]), 0);
	rt->bgp_free = rte_malloc("bgp_free", RT_BGP_MAX_ROUTES * sizeof(rt->bgp_free[0]), 0);
	if (rt->bgp == NULL || rt->bgp_routes == NULL || rt->bgp_free == NULL)
		return -ENOMEM;
	for (i = 0; i < RT_BGP_MAX_ROUTES; i++)
		rt->bgp_free[i] = RT_BGP_MAX_ROUTES - 1 - i;
	rt->bgp_n_free = RT_BGP_MAX_ROUTES;
	return 0;
}

void rt_fib_bgp_fini(struct runtime *rt)
{
	rte_hash_free(rt->bgp);
	rte_free(rt->bgp_routes);
	rte_free(rt->bgp_free);
	rt->bgp = NULL;
	rt->bgp_routes = NULL;
	rt->bgp_free = NULL;
}

/* The adjacency for a BGP route's gateways: each must be a VXC's peer; several make a group. */
static int bgp_adjacency(struct runtime *rt, const uint32_t *gws, unsigned n)
{
	uint16_t paths[DP_MAX_PATHS];
	unsigned i, j, k = 0;

	for (i = 0; i < n && k < DP_MAX_PATHS; i++)
		for (j = 0; j < rt->cfg.n_vxcs; j++)
			if (rt->cfg.vxcs[j].peer == gws[i]) {
				int adj = adjacency(rt, rt->cfg.vxcs[j].port, (uint16_t)j, gws[i]);

				if (adj >= 0)
					paths[k++] = (uint16_t)adj;
				break;
			}
	if (k == 0)
		return -ENOENT;
	return k == 1 ? paths[0] : adjacency_group(rt, paths, k);
}

/* Puts `prefix` in the FIB as BGP has it, unless a configured route is better. */
static void bgp_install(struct runtime *rt, const struct rt_bgp_route *b)
{
	const struct rt_fib_route *c = configured(rt, &b->prefix);

	if (c == NULL || c->distance > BGP_DISTANCE)
		fib_set(rt, &b->prefix, (uint32_t)b->adj);
}

static void bgp_remove(struct runtime *rt, struct rt_bgp_route *b, uint32_t index)
{
	const struct rt_fib_route *c = configured(rt, &b->prefix);
	uint64_t key = prefix_key(&b->prefix);

	if (c != NULL)
		fib_set(rt, &b->prefix, c->adj);
	else
		rte_lpm_delete(rt->shared->fib, b->prefix.addr, b->prefix.len);
	rte_hash_del_key(rt->bgp, &key);
	rt->bgp_free[rt->bgp_n_free++] = index;
	rt->bgp_count--;
}

void rt_fib_bgp_set(struct runtime *rt, const struct ipv4_prefix *p, const uint32_t *gws, unsigned n)
{
	uint64_t key = prefix_key(p);
	int adj = bgp_adjacency(rt, gws, n);
	struct rt_bgp_route *b;
	uint32_t index;
	void *data;

	if (adj < 0) {
		rt->bgp_unmapped++; /* not through any VXC: nothing the dataplane could do with it */
		rt_fib_bgp_del(rt, p, true);
		return;
	}
	if (rte_hash_lookup_data(rt->bgp, &key, &data) >= 0) {
		b = &rt->bgp_routes[(uintptr_t)data];
	} else {
		if (rt->bgp_n_free == 0) {
			rt->bgp_overflow++;
			return;
		}
		index = rt->bgp_free[--rt->bgp_n_free];
		if (rte_hash_add_key_data(rt->bgp, &key, (void *)(uintptr_t)index) < 0) {
			rt->bgp_free[rt->bgp_n_free++] = index;
			rt->bgp_overflow++;
			return;
		}
		b = &rt->bgp_routes[index];
		b->prefix = *p;
		b->adj = -1;
		rt->bgp_count++;
	}
	b->stale = false;
	b->seen = true;
	b->daemon_run = rt->bgp_daemon_runs;
	b->gateway = gws[0];
	if (b->adj != adj) {
		b->adj = adj;
		bgp_install(rt, b);
	}
}

void rt_fib_bgp_del(struct runtime *rt, const struct ipv4_prefix *p, bool now)
{
	uint64_t key = prefix_key(p);
	void *data;
	int pos;

	pos = rte_hash_lookup_data(rt->bgp, &key, &data);
	if (pos < 0)
		return;
	/* While the daemon restarts, a route it has not learned again yet stays until the grace ends.
	 * One the restarted daemon learned and now withdraws is withdrawn for real: at once. */
	if (!now && rt->bgp_grace_until_ms != 0 &&
	    rt->bgp_routes[(uintptr_t)data].daemon_run != rt->bgp_daemon_runs) {
		rt->bgp_routes[(uintptr_t)data].stale = true;
		return;
	}
	bgp_remove(rt, &rt->bgp_routes[(uintptr_t)data], (uint32_t)(uintptr_t)data);
}

/* Full resynchronisation: routes not seen between begin and end are gone. */
void rt_fib_bgp_mark(struct runtime *rt)
{
	const void *key;
	uint32_t iter = 0;
	void *data;

	while (rte_hash_iterate(rt->bgp, &key, &data, &iter) >= 0)
		rt->bgp_routes[(uintptr_t)data].seen = false;
}

void rt_fib_bgp_sweep(struct runtime *rt)
{
	static uint32_t gone[RT_BGP_MAX_ROUTES];
	uint32_t iter = 0, n = 0, i;
	const void *key;
	void *data;

	/* Deleting while iterating would skip entries: collect first. */
	while (rte_hash_iterate(rt->bgp, &key, &data, &iter) >= 0)
		if (!rt->bgp_routes[(uintptr_t)data].seen)
			gone[n++] = (uint32_t)(uintptr_t)data;
	for (i = 0; i < n; i++)
		rt_fib_bgp_del(rt, &rt->bgp_routes[gone[i]].prefix, false);
}

/* The same choice rt_fib_sync and bgp_install make: the lowest distance, a configured route on a tie. */
bool rt_fib_uses_configured(const struct runtime *rt, const struct ipv4_prefix *p, uint32_t via,
			    uint8_t distance)
{
	const struct rt_fib_route *c = configured(rt, p);
	const struct rt_bgp_route *b = bgp_route(rt, p);

	if (c == NULL || c->via != via || c->distance != distance)
		return false;
	return b == NULL || b->adj < 0 || BGP_DISTANCE >= c->distance;
}

bool rt_fib_uses_bgp(const struct runtime *rt, const struct rt_bgp_route *b)
{
	const struct rt_fib_route *c = configured(rt, &b->prefix);

	return b->adj >= 0 && (c == NULL || c->distance > BGP_DISTANCE);
}
