/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From the operator's configuration to what the workers read: the dp_config (replaced whole, the old
 * one freed after a grace period), then the FIB (rt_fib.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_malloc.h>

#include "runtime.h"

struct dp_config *rt_build_dp_config(const struct runtime *rt, const struct secnat_config *cfg)
{
	struct dp_config *dc = rte_zmalloc("dp_config", sizeof(*dc), RTE_CACHE_LINE_SIZE);
	bool external_bgp = rt->opt.bird_binary != NULL && strcmp(rt->opt.bird_binary, "none") == 0;
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
		/* The configured MTU where there is one: the driver may not report it (net_af_packet). */
		if (cp->mtu != 0)
			p->mtu = cp->mtu;
		else if (rte_eth_dev_get_mtu((uint16_t)i, &p->mtu) != 0)
			p->mtu = RTE_ETHER_MTU;
		if (p->role == DP_ROLE_LAN && (dc->lan_mtu == 0 || p->mtu < dc->lan_mtu))
			dc->lan_mtu = p->mtu;
	}
	if (dc->lan_mtu == 0)
		dc->lan_mtu = UINT16_MAX;
	nat_config_defaults(&dc->nat);
	dc->nat.mapping = cfg->mapping;
	memcpy(dc->nat.timeout, cfg->timeout, sizeof(cfg->timeout));
	dc->nat.per_host_limit = cfg->per_host_limit;
	dc->nat.embryonic_per_host_limit = cfg->embryonic_per_host_limit;
	dc->nat.log_events = cfg->n_ipfix + cfg->n_syslog > 0;
	dc->nat.port_block = cfg->port_block;
	dc->nat.n_pools = DP_MAX_VXCS;
	for (i = 0; i < cfg->n_vxcs; i++) {
		const struct cfg_vxc *cv = &cfg->vxcs[i];
		struct dp_vxc *v = &dc->vxcs[i];

		v->used = true;
		v->port = cv->port;
		v->vlan = cv->vlan;
		v->local = rte_cpu_to_be_32(cv->local.addr);
		v->peer = rte_cpu_to_be_32(cv->peer);
		/* Its BGP is punted if a session is configured with the peer, or if the operator's own
		 * daemon (--bird none) decides the sessions: then any VXC's peer may be one. */
		v->bgp = config_neighbor(cfg, cv->peer) != NULL || external_bgp;
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

