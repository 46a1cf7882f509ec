/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table's learning rule (RFC 826's merge): a host asking for the appliance is learned,
 * an existing entry takes the sender's new MAC, nothing off the subnet is learned, and a flood of
 * requests from made-up sources neither evicts an entry in use nor leaves no room for the next hops
 * that traffic asks for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <rte_arp.h>
#include <rte_malloc.h>

#include "cli.h"
#include "runtime.h"
#include "test_support.h"

static struct runtime rt;
static struct dp_worker worker0;

static void setup(void)
{
	static const char *const lines[] = {"port 0 role lan", "port 0 address 10.0.0.1/8"};
	char err[256];
	size_t i;

	test_eal_init();
	config_init(&rt.cfg);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_assert_eq(cli_execute(&rt.cfg, lines[i], NULL, err, sizeof(err)), 0, "%s", err);
	rt.shared = rte_zmalloc("shared", sizeof(*rt.shared), 0);
	cr_assert_not_null(rt.shared);
	rt.shared->n_ports = 1;
	rt.shared->n_workers = 1;
	rt.shared->pool = test_pool();
	rt.shared->config = rt_build_dp_config(&rt, &rt.cfg);
	cr_assert_not_null(rt.shared->config);
	cr_assert_eq(rt_neigh_init(&rt), 0);
	worker0.inject = rte_ring_create("inject_test", 4096, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	cr_assert_not_null(worker0.inject);
	rt.workers[0] = &worker0;
}

TestSuite(neigh, .init = setup);

static uint64_t mac_of(uint32_t n)
{
	return 0x020000000000ull | n; /* locally administered, distinct per n */
}

/* An ARP request on port 0 from `ip` (host order) with MAC `mac` for `target`. */
static void request(uint32_t ip, uint64_t mac, uint32_t target)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(test_pool());
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	unsigned k;

	cr_assert_not_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	memset(eth, 0, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	for (k = 0; k < RTE_ETHER_ADDR_LEN; k++) /* the MAC as the wire has it: most significant first */
		arp->arp_data.arp_sha.addr_bytes[k] = (uint8_t)(mac >> (8 * (RTE_ETHER_ADDR_LEN - 1 - k)));
	arp->arp_data.arp_sip = rte_cpu_to_be_32(ip);
	arp->arp_data.arp_tip = rte_cpu_to_be_32(target);
	m->port = 0;
	m->hash.usr = DP_NO_VXC;
	rt_neigh_learn(&rt, m);
	rte_pktmbuf_free(m);
}

/* The MAC the workers would use for `ip`, in the same byte order as request(); 0: unresolved. */
static uint64_t resolved(uint32_t ip)
{
	uint64_t word = dp_neigh_lookup(rt.shared->neigh, dp_neigh_key(0, rte_cpu_to_be_32(ip)));
	uint8_t bytes[8];
	uint64_t mac = 0;
	unsigned k;

	if (word == 0)
		return 0;
	memcpy(bytes, &word, sizeof(bytes));
	for (k = 0; k < RTE_ETHER_ADDR_LEN; k++)
		mac = mac << 8 | bytes[k];
	return mac;
}

#define GW 0x0a000001u   /* 10.0.0.1: the appliance */
#define HOST 0x0a000005u /* 10.0.0.5 */

Test(neigh, a_host_asking_for_us_is_learned)
{
	cr_assert_eq(resolved(HOST), 0);
	request(HOST, mac_of(5), GW);
	cr_assert_eq(resolved(HOST), mac_of(5));
}

Test(neigh, a_known_host_s_new_mac_replaces_the_old)
{
	request(HOST, mac_of(5), GW);
	request(HOST, mac_of(55), GW);
	cr_assert_eq(resolved(HOST), mac_of(55));
}

Test(neigh, nothing_off_the_subnet_or_ours_is_learned)
{
	request(0xc0a80105u, mac_of(1), GW); /* 192.168.1.5: not on port 0's 10/8 */
	request(GW, mac_of(2), GW);          /* our own address */
	cr_assert_eq(resolved(0xc0a80105u), 0);
	cr_assert_eq(resolved(GW), 0);
}

Test(neigh, a_flood_evicts_nothing_in_use_and_leaves_room_for_wanted_next_hops)
{
	const uint32_t flood = 100000, wanted = 0x0a020001u; /* 10.2.0.1 */
	uint32_t i, learned = 0;
	unsigned before;

	request(HOST, mac_of(5), GW); /* a host in use before the flood */
	for (i = 0; i < flood; i++)
		request(0x0a100000u + i, mac_of(0x100000 + i), GW); /* 10.16.x.y, all different */
	cr_assert_eq(resolved(HOST), mac_of(5), "the entry in use survived the flood, unchanged");
	for (i = 0; i < flood; i++)
		learned += resolved(0x0a100000u + i) != 0;
	cr_assert_gt(learned, 0, "requests are still learned, up to a share");
	cr_assert_leq(learned, 65536 / 2, "the flood took %u entries, more than half the table", learned);
	{
		char *text = NULL, *at;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		rt_neigh_show(&rt, f, true);
		fclose(f);
		at = strstr(text, "\"unsolicited_refused\":");
		cr_assert_not_null(at, "show arp json counts what it refused");
		cr_assert_eq(strtoul(at + strlen("\"unsolicited_refused\":"), NULL, 10), flood - learned,
			     "every request not learned is counted");
		free(text);
	}
	/* Traffic needs 10.2.0.1: it is asked for (an ARP request goes out) and learned from the reply. */
	before = rte_ring_count(worker0.inject);
	rt_neigh_wanted(&rt, dp_neigh_key(0, rte_cpu_to_be_32(wanted)));
	cr_assert_eq(rte_ring_count(worker0.inject), before + 1, "an ARP request for the wanted next hop");
	request(wanted, mac_of(0x20001), GW); /* its answer (a request or a reply: the same merge) */
	cr_assert_eq(resolved(wanted), mac_of(0x20001));
}
