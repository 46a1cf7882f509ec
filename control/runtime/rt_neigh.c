/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour (ARP) table, kept by the control thread: learns from ARP the workers hand over,
 * resolves the next hops workers ask for (three tries a second apart), re-probes entries every five
 * minutes and forgets those that stop answering. Workers read the MACs from a lock-free rte_hash;
 * removed entries are reclaimed after an RCU grace period.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "runtime.h"

#define NEIGH_MAX 4096
#define PROBES 3
#define PROBE_INTERVAL_MS 1000
#define REACHABLE_S 300

enum neigh_state {
	NEIGH_FREE,
	NEIGH_INCOMPLETE, /* asked for, not answered yet */
	NEIGH_REACHABLE,
	NEIGH_PROBE,      /* known, being re-confirmed */
};

struct neigh_entry {
	uint8_t state;
	uint8_t probes;
	uint16_t port, vxc;
	rte_be32_t ip;
	uint64_t next_tsc;
};

struct rt_neigh {
	unsigned n;
	struct neigh_entry e[NEIGH_MAX];
};

int rt_neigh_init(struct runtime *rt)
{
	rt->neigh = calloc(1, sizeof(*rt->neigh));
	return rt->neigh ? 0 : -ENOMEM;
}

void rt_neigh_fini(struct runtime *rt)
{
	free(rt->neigh);
	rt->neigh = NULL;
}

static uint64_t ms_to_tsc(uint64_t ms)
{
	return rte_get_tsc_hz() / 1000 * ms;
}

static struct neigh_entry *find(struct rt_neigh *t, uint16_t port, rte_be32_t ip)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].state != NEIGH_FREE && t->e[i].port == port && t->e[i].ip == ip)
			return &t->e[i];
	return NULL;
}

static struct neigh_entry *add(struct rt_neigh *t, uint16_t port, uint16_t vxc, rte_be32_t ip)
{
	unsigned i;

	for (i = 0; i < t->n && t->e[i].state != NEIGH_FREE; i++)
		;
	if (i == NEIGH_MAX)
		return NULL;
	if (i == t->n)
		t->n++;
	t->e[i] = (struct neigh_entry){.state = NEIGH_INCOMPLETE, .port = port, .vxc = vxc, .ip = ip};
	return &t->e[i];
}

/* Our address on `port` (or on `vxc`), the sender of our ARP. */
static rte_be32_t our_address(const struct runtime *rt, uint16_t port, uint16_t vxc)
{
	const struct dp_config *dc = rt->shared->config;

	if (vxc != DP_NO_VXC)
		return dc->vxcs[vxc].local;
	return dc->ports[port].has_addr ? dc->ports[port].addr : 0;
}

/* Queues an ARP request for `target` (a gratuitous one when target is our own address). */
static void send_request(struct runtime *rt, uint16_t port, uint16_t vxc, rte_be32_t target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rt->shared->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(eth, 0, sizeof(*eth) + sizeof(*arp));
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_eth_macaddr_get(port, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = our_address(rt, port, vxc);
	arp->arp_data.arp_tip = target;
	m->port = port;
	m->hash.usr = vxc;
	/* The first worker sends it: the control thread owns no TX queue. */
	if (rte_ring_sp_enqueue(rt->workers[0]->inject, m) != 0)
		rte_pktmbuf_free(m);
}

static void publish(struct runtime *rt, uint16_t port, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	uint64_t key = dp_neigh_key(port, ip), value = 0;

	memcpy(&value, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	rte_hash_add_key_data(rt->shared->neigh, &key, (void *)(uintptr_t)value);
}

static void forget(struct runtime *rt, struct neigh_entry *e)
{
	uint64_t key = dp_neigh_key(e->port, e->ip);

	rte_hash_del_key(rt->shared->neigh, &key);
	e->state = NEIGH_FREE;
}

/* Is `ip` someone we may talk to on `port`/`vxc`: the VXC's peer, or a host on the port's subnet? */
static bool plausible(const struct runtime *rt, uint16_t port, uint16_t vxc, rte_be32_t ip)
{
	const struct dp_config *dc = rt->shared->config;
	const struct cfg_port *cp;

	if (port >= CFG_MAX_PORTS || port >= DP_MAX_PORTS)
		return false;
	if (vxc != DP_NO_VXC)
		return vxc < DP_MAX_VXCS && dc->vxcs[vxc].used && dc->vxcs[vxc].peer == ip;
	cp = &rt->cfg.ports[port];
	return cp->has_address && ipv4_prefix_contains(&cp->address, rte_be_to_cpu_32(ip)) &&
	       dc->ports[port].addr != ip;
}

void rt_neigh_learn(struct runtime *rt, struct rte_mbuf *m)
{
	const struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *,
								  sizeof(struct rte_ether_hdr));
	uint16_t port = m->port, vxc = (uint16_t)m->hash.usr;
	rte_be32_t ip = arp->arp_data.arp_sip;
	struct neigh_entry *e;

	if (!plausible(rt, port, vxc, ip))
		return;
	e = find(rt->neigh, port, ip);
	if (e == NULL && (e = add(rt->neigh, port, vxc, ip)) == NULL)
		return;
	publish(rt, port, ip, &arp->arp_data.arp_sha);
	e->state = NEIGH_REACHABLE;
	e->probes = 0;
	e->next_tsc = rte_rdtsc() + ms_to_tsc(REACHABLE_S * 1000ull);
}

void rt_neigh_wanted(struct runtime *rt, uint64_t key)
{
	uint16_t port = (uint16_t)(key >> 32), vxc = DP_NO_VXC, i;
	rte_be32_t ip = (rte_be32_t)key;
	struct neigh_entry *e;

	if (port >= rt->shared->n_ports || find(rt->neigh, port, ip) != NULL)
		return;
	for (i = 0; i < rt->cfg.n_vxcs; i++)
		if (rt->shared->config->vxcs[i].port == port && rt->shared->config->vxcs[i].peer == ip)
			vxc = i;
	if (!plausible(rt, port, vxc, ip) || (e = add(rt->neigh, port, vxc, ip)) == NULL)
		return;
	send_request(rt, port, vxc, ip);
	e->probes = 1;
	e->next_tsc = rte_rdtsc() + ms_to_tsc(PROBE_INTERVAL_MS);
}

void rt_neigh_tick(struct runtime *rt)
{
	uint64_t now = rte_rdtsc();
	unsigned i;

	for (i = 0; i < rt->neigh->n; i++) {
		struct neigh_entry *e = &rt->neigh->e[i];

		if (e->state == NEIGH_FREE || now < e->next_tsc)
			continue;
		if (e->state == NEIGH_REACHABLE) {
			e->state = NEIGH_PROBE;
			e->probes = 0;
		}
		if (e->probes >= PROBES) {
			forget(rt, e);
			continue;
		}
		send_request(rt, e->port, e->vxc, e->ip);
		e->probes++;
		e->next_tsc = now + ms_to_tsc(PROBE_INTERVAL_MS);
	}
}

void rt_neigh_announce(struct runtime *rt)
{
	const struct dp_config *dc = rt->shared->config;
	uint16_t i;

	for (i = 0; i < rt->shared->n_ports; i++)
		if (dc->ports[i].has_addr)
			send_request(rt, i, DP_NO_VXC, dc->ports[i].addr);
	for (i = 0; i < DP_MAX_VXCS; i++)
		if (dc->vxcs[i].used)
			send_request(rt, dc->vxcs[i].port, i, dc->vxcs[i].local);
}
