/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From the operator's configuration to what the workers read: the dp_config (replaced whole, the old
 * one freed after a grace period) and the FIB (connected routes, then static routes by distance).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "runtime.h"

struct dp_config *rt_build_dp_config(const struct runtime *rt, const struct secnat_config *cfg)
{
	struct dp_config *dc = rte_zmalloc("dp_config", sizeof(*dc), RTE_CACHE_LINE_SIZE);
	unsigned i;

	if (dc == NULL)
		return NULL;
	for (i = 0; i < DP_MAX_PORTS; i++) {
		struct dp_port *p = &dc->ports[i];
		const struct cfg_port *cp = i < CFG_MAX_PORTS ? &cfg->ports[i] : NULL;

		memset(p->vlan_vxc, 0xff, sizeof(p->vlan_vxc));
		p->untagged_vxc = DP_NO_VXC;
		if (cp == NULL || cp->role == PORT_ROLE_NONE || i >= rt->shared->n_ports)
			continue;
		p->role = cp->role == PORT_ROLE_LAN ? DP_ROLE_LAN
			  : cp->role == PORT_ROLE_AEND ? DP_ROLE_AEND
						       : DP_ROLE_INTERNET;
		p->has_addr = cp->has_address;
		p->addr = rte_cpu_to_be_32(cp->address.addr);
		rte_eth_macaddr_get((uint16_t)i, &p->mac);
		if (rte_eth_dev_get_mtu((uint16_t)i, &p->mtu) != 0)
			p->mtu = RTE_ETHER_MTU;
	}
	nat_config_defaults(&dc->nat);
	dc->nat.mapping = cfg->mapping;
	memcpy(dc->nat.timeout, cfg->timeout, sizeof(cfg->timeout));
	dc->nat.per_host_limit = cfg->per_host_limit;
	dc->nat.n_pools = DP_MAX_VXCS;
	for (i = 0; i < cfg->n_vxcs; i++) {
		const struct cfg_vxc *cv = &cfg->vxcs[i];
		struct dp_vxc *v = &dc->vxcs[i];

		v->used = true;
		v->port = cv->port;
		v->vlan = cv->vlan;
		v->local = rte_cpu_to_be_32(cv->local.addr);
		v->peer = rte_cpu_to_be_32(cv->peer);
		/* Mode 2 translates to the customer's pool; mode 1 to the /31 address itself. */
		v->pool_first = cv->has_pool ? cv->pool.addr : cv->local.addr;
		v->pool_count = cv->has_pool ? 1u << (32 - cv->pool.len) : 1;
		dc->nat.pools[i].first = v->pool_first;
		dc->nat.pools[i].count = v->pool_count;
		if (cv->vlan == 0)
			dc->ports[cv->port].untagged_vxc = (uint16_t)i;
		else
			dc->ports[cv->port].vlan_vxc[cv->vlan] = (uint16_t)i;
	}
	dc->n_exempts = (uint16_t)cfg->n_exempts;
	for (i = 0; i < cfg->n_exempts; i++) {
		dc->exempts[i].mask = ipv4_mask(cfg->exempts[i].len);
		dc->exempts[i].net = cfg->exempts[i].addr & dc->exempts[i].mask;
	}
	return dc;
}

int rt_publish(struct runtime *rt, const struct secnat_config *cfg)
{
	struct dp_config *fresh = rt_build_dp_config(rt, cfg), *old;

	if (fresh == NULL)
		return -ENOMEM;
	old = __atomic_exchange_n(&rt->shared->config, fresh, __ATOMIC_ACQ_REL);
	if (old != NULL) {
		/* Workers may still be reading the old one until each has passed a quiescent state. */
		rte_rcu_qsbr_synchronize(rt->shared->qsbr, RTE_QSBR_THRID_INVALID);
		rte_free(old);
	}
	return rt_fib_sync(rt, cfg);
}

/* The adjacency (port, vxc, gateway), appended if new: entries never change once workers see them. */
static int adjacency(struct runtime *rt, uint16_t port, uint16_t vxc, uint32_t gateway)
{
	struct dp_shared *s = rt->shared;
	rte_be32_t gw = rte_cpu_to_be_32(gateway);
	uint32_t i;

	for (i = 0; i < s->n_adj; i++)
		if (s->adj[i].port == port && s->adj[i].vxc == vxc && s->adj[i].gateway == gw)
			return (int)i;
	if (s->n_adj == DP_MAX_ADJ)
		return -ENOSPC;
	s->adj[s->n_adj] = (struct dp_adj){.port = port, .vxc = vxc, .gateway = gw};
	__atomic_store_n(&s->n_adj, s->n_adj + 1, __ATOMIC_RELEASE);
	return (int)i;
}

struct wanted_route {
	struct ipv4_prefix prefix;
	int adj;
	unsigned distance;
};

/* Adds or improves `prefix`'s entry in the wanted list: the lowest distance wins. */
static void want(struct wanted_route *list, unsigned *n, const struct ipv4_prefix *prefix, int adj,
		 unsigned distance)
{
	unsigned i;

	if (adj < 0)
		return;
	for (i = 0; i < *n; i++)
		if (list[i].prefix.addr == prefix->addr && list[i].prefix.len == prefix->len) {
			if (distance < list[i].distance) {
				list[i].adj = adj;
				list[i].distance = distance;
			}
			return;
		}
	list[*n].prefix = *prefix;
	list[*n].adj = adj;
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
		want(list, &n, &net, adjacency(rt, (uint16_t)i, DP_NO_VXC, 0), 0);
	}
	for (i = 0; i < cfg->n_vxcs; i++) {
		struct ipv4_prefix net = {.addr = cfg->vxcs[i].local.addr & ipv4_mask(31), .len = 31};

		want(list, &n, &net, adjacency(rt, cfg->vxcs[i].port, (uint16_t)i, 0), 0);
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		int adj = -1;

		for (j = 0; j < cfg->n_vxcs && adj < 0; j++)
			if (cfg->vxcs[j].peer == r->via)
				adj = adjacency(rt, cfg->vxcs[j].port, (uint16_t)j, r->via);
		for (j = 0; j < CFG_MAX_PORTS && adj < 0; j++)
			if (cfg->ports[j].has_address && ipv4_prefix_contains(&cfg->ports[j].address, r->via))
				adj = adjacency(rt, (uint16_t)j, DP_NO_VXC, r->via);
		want(list, &n, &r->prefix, adj, r->distance);
	}

	/* Add or repoint what is wanted (an add over an existing prefix replaces it in one step),
	 * then remove what is no longer wanted. */
	for (i = 0; i < n; i++) {
		int ret = rte_lpm_add(rt->shared->fib, list[i].prefix.addr, list[i].prefix.len,
				      (uint32_t)list[i].adj);

		if (ret < 0) {
			char text[IPV4_PREFIX_STRLEN];

			fprintf(stderr, "secnat: cannot install route %s: %s\n",
				ipv4_prefix_format(&list[i].prefix, text), strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < rt->n_installed; i++) {
		bool kept = false;

		for (j = 0; j < n && !kept; j++)
			kept = list[j].prefix.addr == rt->installed[i].prefix.addr &&
			       list[j].prefix.len == rt->installed[i].prefix.len;
		if (!kept)
			rte_lpm_delete(rt->shared->fib, rt->installed[i].prefix.addr, rt->installed[i].prefix.len);
	}
	rt->n_installed = n;
	for (i = 0; i < n; i++) {
		rt->installed[i].prefix = list[i].prefix;
		rt->installed[i].adj = (uint32_t)list[i].adj;
	}
	return 0;
}
