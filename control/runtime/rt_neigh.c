/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour (ARP) table, kept by the control thread: learns from ARP the workers hand over,
 * resolves the next hops workers ask for (three tries a second apart), re-probes entries every five
 * minutes and forgets those that stop answering. Workers read the MACs from the lock-free table of
 * dp_neigh.h, which this file alone writes.
 *
 * Sized for a flat LAN of tens of thousands of hosts: entries are found by hash, timers are looked
 * at a slice per control-loop turn (the whole table within a tenth of a second), never all at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "clock.h"
#include "hold_queue.h"
#include "runtime.h"

#define NEIGH_MAX 65536
#define DP_NEIGH_SLOTS (2 * NEIGH_MAX) /* at most half keyed: probes stay short */
#define TICK_SLICE 1024                /* entries looked at per control-loop turn */
#define PROBES 3
#define PROBE_INTERVAL_MS 1000
/* Entries made from ARP requests nobody asked for (RFC 826's merge) may take at most half the table:
 * a flood of requests from made-up sources can neither push out what is in use (nothing is ever
 * evicted) nor leave no room for the next hops traffic asks for. */
#define UNSOLICITED_MAX (NEIGH_MAX / 2)

enum neigh_state {
	NEIGH_FREE,
	NEIGH_INCOMPLETE, /* asked for, not answered yet */
	NEIGH_REACHABLE,
	NEIGH_PROBE,      /* known, being re-confirmed */
};

struct neigh_entry {
	uint8_t state;
	uint8_t probes;
	bool unsolicited; /* made from a request we did not ask for; counts against UNSOLICITED_MAX */
	uint16_t port, vxc;
	rte_be32_t ip;
	uint64_t next_tsc;
};

struct rt_neigh {
	struct hold_queue hold; /* packets waiting for a MAC */
	uint64_t next_configured_ms; /* next look at the configured next hops */
	struct rte_hash *index; /* dp_neigh_key -> entry */
	unsigned n;             /* entries in use or freed, the high-water mark */
	unsigned n_free, tick_cursor;
	unsigned n_unsolicited;
	uint64_t unsolicited_refused; /* requests not learned: the unsolicited share was full */
	uint32_t free[NEIGH_MAX];
	struct neigh_entry e[NEIGH_MAX];
};

static struct dp_neigh_table *dp_table_create(void)
{
	struct dp_neigh_table *t = rte_zmalloc("dp_neigh", sizeof(*t) + DP_NEIGH_SLOTS * sizeof(t->slots[0]),
					       RTE_CACHE_LINE_SIZE);

	if (t != NULL)
		t->mask = DP_NEIGH_SLOTS - 1;
	return t;
}

int rt_neigh_init(struct runtime *rt)
{
	struct rte_hash_parameters hp = {
		.name = "neigh_index",
		.entries = NEIGH_MAX,
		.key_len = sizeof(uint64_t),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	rt->neigh = calloc(1, sizeof(*rt->neigh));
	if (rt->neigh == NULL)
		return -ENOMEM;
	hold_init(&rt->neigh->hold);
	rt->neigh->index = rte_hash_create(&hp);
	rt->shared->neigh = dp_table_create();
	if (rt->neigh->index == NULL || rt->shared->neigh == NULL)
		return -ENOMEM;
	return 0;
}

static void drop_held(const struct hold_packet *p, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(p[i].m);
}

void rt_neigh_fini(struct runtime *rt)
{
	if (rt->neigh != NULL) {
		static struct hold_packet gone[HOLD_TOTAL];

		drop_held(gone, hold_expire(&rt->neigh->hold, UINT64_MAX / 2, gone));
		rte_hash_free(rt->neigh->index);
	}
	free(rt->neigh);
	rt->neigh = NULL;
	if (rt->shared != NULL) {
		rte_free(rt->shared->neigh);
		rt->shared->neigh = NULL;
	}
}

static uint64_t ms_to_tsc(uint64_t ms)
{
	return rte_get_tsc_hz() / 1000 * ms;
}

static struct neigh_entry *find(struct rt_neigh *t, uint16_t port, rte_be32_t ip)
{
	uint64_t key = dp_neigh_key(port, ip);
	void *data;

	if (rte_hash_lookup_data(t->index, &key, &data) < 0)
		return NULL;
	return &t->e[(uintptr_t)data];
}

static struct neigh_entry *add(struct rt_neigh *t, uint16_t port, uint16_t vxc, rte_be32_t ip)
{
	uint64_t key = dp_neigh_key(port, ip);
	unsigned i;

	if (t->n_free > 0)
		i = t->free[--t->n_free];
	else if (t->n < NEIGH_MAX)
		i = t->n++;
	else
		return NULL;
	if (rte_hash_add_key_data(t->index, &key, (void *)(uintptr_t)i) < 0) {
		t->free[t->n_free++] = i;
		return NULL;
	}
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

/* The slot of `key` in the workers' table, or the empty slot where it would go. */
static struct dp_neigh_slot *dp_slot(struct dp_neigh_table *t, uint64_t key)
{
	uint32_t i = dp_neigh_home(t, key);

	while (t->slots[i].key != key && t->slots[i].key != 0)
		i = (i + 1) & t->mask;
	return &t->slots[i];
}

/*
 * The keys of forgotten neighbours fill the table: move what is resolved into a fresh one, publish
 * it, and free the old one once no worker can be reading it.
 */
static int dp_table_compact(struct runtime *rt)
{
	struct dp_neigh_table *old = rt->shared->neigh, *fresh = dp_table_create();
	uint32_t i;

	if (fresh == NULL)
		return -ENOMEM;
	for (i = 0; i <= old->mask; i++) {
		struct dp_neigh_slot *to;

		if (old->slots[i].mac == 0)
			continue;
		to = dp_slot(fresh, old->slots[i].key);
		*to = old->slots[i];
		fresh->keyed++;
	}
	__atomic_store_n(&rt->shared->neigh, fresh, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(rt->shared->qsbr, RTE_QSBR_THRID_INVALID);
	rte_free(old);
	return 0;
}

static void publish(struct runtime *rt, uint16_t port, rte_be32_t ip, const struct rte_ether_addr *mac)
{
	uint64_t key = dp_neigh_key(port, ip), value = DP_NEIGH_MAC_VALID;
	struct dp_neigh_slot *slot;

	memcpy(&value, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	slot = dp_slot(rt->shared->neigh, key);
	if (slot->key == 0 && rt->shared->neigh->keyed + 1 > DP_NEIGH_SLOTS / 2) {
		if (dp_table_compact(rt) != 0)
			return;
		slot = dp_slot(rt->shared->neigh, key);
	}
	/* The MAC first: a worker that sees the key must find it. */
	__atomic_store_n(&slot->mac, value, __ATOMIC_RELAXED);
	if (slot->key == 0) {
		__atomic_store_n(&slot->key, key, __ATOMIC_RELEASE);
		rt->shared->neigh->keyed++;
	}
}

static void forget(struct runtime *rt, struct neigh_entry *e)
{
	uint64_t key = dp_neigh_key(e->port, e->ip);
	struct dp_neigh_slot *slot = dp_slot(rt->shared->neigh, key);

	if (slot->key == key)
		__atomic_store_n(&slot->mac, 0, __ATOMIC_RELAXED);
	rte_hash_del_key(rt->neigh->index, &key);
	rt->neigh->free[rt->neigh->n_free++] = (uint32_t)(e - rt->neigh->e);
	if (e->unsolicited)
		rt->neigh->n_unsolicited--;
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

/* Back to the worker that held it, to be routed again now that its next hop is known. */
static void resume(struct runtime *rt, const struct hold_packet *p)
{
	struct rte_mbuf *m = p->m;

	m->port = DP_PORT_RESUME;
	if (rte_ring_sp_enqueue(rt->workers[p->worker]->inject, m) != 0) {
		rt->neigh->hold.full++;
		rte_pktmbuf_free(m);
	}
}

static void release(struct runtime *rt, uint64_t key)
{
	struct hold_packet p[HOLD_PER_NEIGHBOR];
	unsigned n = hold_take(&rt->neigh->hold, key, p), i;

	for (i = 0; i < n; i++)
		resume(rt, &p[i]);
}

void rt_neigh_hold(struct runtime *rt, uint16_t worker, struct rte_mbuf *m)
{
	const struct dp_adj *a = &rt->shared->adj[m->hash.usr];
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, m->l2_len);
	uint64_t key = dp_neigh_key(a->port, a->gateway ? a->gateway : ip->dst_addr);
	struct hold_packet p = {.m = m, .worker = worker};

	/* Resolved while the packet crossed the ring: no need to wait. */
	if (dp_neigh_lookup(rt->shared->neigh, key) != 0) {
		resume(rt, &p);
		return;
	}
	if (hold_add(&rt->neigh->hold, key, m, worker, monotonic_ms()) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	rt_neigh_wanted(rt, key);
}

void rt_neigh_hold_counts(const struct runtime *rt, uint64_t *full, uint64_t *timeout,
			  uint64_t *released)
{
	const struct hold_queue *q = rt->neigh != NULL ? &rt->neigh->hold : NULL;

	*full = q != NULL ? q->full : 0;
	*timeout = q != NULL ? q->timeout : 0;
	*released = q != NULL ? q->released : 0;
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
	if (e == NULL) {
		if (rt->neigh->n_unsolicited >= UNSOLICITED_MAX) {
			rt->neigh->unsolicited_refused++;
			return;
		}
		e = add(rt->neigh, port, vxc, ip);
		if (e == NULL)
			return;
		e->unsolicited = true;
		rt->neigh->n_unsolicited++;
	}
	publish(rt, port, ip, &arp->arp_data.arp_sha);
	release(rt, dp_neigh_key(port, ip)); /* after publishing: what follows them finds the MAC */
	e->state = NEIGH_REACHABLE;
	e->probes = 0;
	e->next_tsc = rte_rdtsc() + ms_to_tsc(rt->cfg.arp_timeout * 1000ull);
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
	static struct hold_packet expired[HOLD_TOTAL];
	struct rt_neigh *t = rt->neigh;
	uint64_t now = rte_rdtsc(), ms = monotonic_ms();
	unsigned k;

	drop_held(expired, hold_expire(&t->hold, ms, expired));
	if (ms >= t->next_configured_ms) {
		t->next_configured_ms = ms + PROBE_INTERVAL_MS;
		rt_neigh_resolve_configured(rt);
	}

	for (k = 0; k < TICK_SLICE && k < t->n; k++) {
		struct neigh_entry *e = &t->e[t->tick_cursor];

		t->tick_cursor = t->tick_cursor + 1 < t->n ? t->tick_cursor + 1 : 0;
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

void rt_neigh_resolve_configured(struct runtime *rt)
{
	unsigned i;
	uint16_t port;
	int vxc;

	for (i = 0; i < rt->cfg.n_vxcs; i++)
		rt_neigh_wanted(rt, dp_neigh_key(rt->cfg.vxcs[i].port, rte_cpu_to_be_32(rt->cfg.vxcs[i].peer)));
	for (i = 0; i < rt->cfg.n_routes; i++)
		if (config_gateway(&rt->cfg, rt->cfg.routes[i].via, &port, &vxc))
			rt_neigh_wanted(rt, dp_neigh_key(port, rte_cpu_to_be_32(rt->cfg.routes[i].via)));
}

static const char *state_name(uint8_t state)
{
	static const char *const names[] = {
		[NEIGH_FREE] = "free", [NEIGH_INCOMPLETE] = "incomplete",
		[NEIGH_REACHABLE] = "reachable", [NEIGH_PROBE] = "probe",
	};

	return names[state];
}

void rt_neigh_show(struct runtime *rt, FILE *out, bool json)
{
	const struct rt_neigh *t = rt->neigh;
	bool first = true;
	unsigned i;

	fprintf(out, json ? "{\"arp\":[" : "%-15s %4s %-10s %-17s %s\n", "address", "port", "vxc", "mac",
		"state");
	for (i = 0; i < t->n; i++) {
		const struct neigh_entry *e = &t->e[i];
		char ip[IPV4_STRLEN], mac[RTE_ETHER_ADDR_FMT_SIZE] = "";
		const char *vxc = NULL;
		struct rte_ether_addr ea;
		uint64_t word;

		if (e->state == NEIGH_FREE)
			continue;
		word = dp_neigh_lookup(rt->shared->neigh, dp_neigh_key(e->port, e->ip));
		if (e->vxc != DP_NO_VXC && e->vxc < rt->cfg.n_vxcs)
			vxc = rt->cfg.vxcs[e->vxc].name;
		ipv4_format(rte_be_to_cpu_32(e->ip), ip);
		if (word != 0) {
			memcpy(ea.addr_bytes, &word, RTE_ETHER_ADDR_LEN);
			rte_ether_format_addr(mac, sizeof(mac), &ea);
		}
		if (json)
			fprintf(out, "%s{\"address\":\"%s\",\"port\":%u,\"vxc\":%s%s%s,\"mac\":%s%s%s,"
				"\"state\":\"%s\"}", first ? "" : ",", ip, e->port, vxc ? "\"" : "",
				vxc ? vxc : "null", vxc ? "\"" : "", word ? "\"" : "", word ? mac : "null",
				word ? "\"" : "", state_name(e->state));
		else
			fprintf(out, "%-15s %4u %-10s %-17s %s\n", ip, e->port, vxc ? vxc : "-", word ? mac : "-",
				state_name(e->state));
		first = false;
	}
	/* What a flood of unsolicited requests could not make us learn (UNSOLICITED_MAX). */
	fprintf(out, json ? "],\"unsolicited_refused\":%lu}\n" : "unsolicited requests not learned: %lu\n",
		(unsigned long)t->unsolicited_refused);
}

unsigned rt_neigh_clear(struct runtime *rt)
{
	struct rt_neigh *t = rt->neigh;
	unsigned i, n = 0;

	for (i = 0; i < t->n; i++)
		if (t->e[i].state != NEIGH_FREE) {
			forget(rt, &t->e[i]);
			n++;
		}
	/* The peers and gateways are asked for again at once: traffic waits for them, not for a timer. */
	rt_neigh_resolve_configured(rt);
	return n;
}
