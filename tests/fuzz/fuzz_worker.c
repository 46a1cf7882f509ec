/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames into a NAT worker, both directions, with time passing: the engine that faces the LAN and
 * the provider's network. The input is a list of records:
 *
 *   byte 0 (once): the configuration: bit 0 endpoint-independent mapping, bits 1-3 per-host limit
 *                  (0: none, else 2^n), bits 4-5 half-open limit (0: none, else 2^n), bit 6 no
 *                  port hold, bit 7 port blocks of 8 ports; NAT events are always reported (and
 *                  drained after each record)
 *   then records:  [flags][length][frame...]: flags bit 0 the direction (out2in when set), bits 1-7
 *                  seconds to let pass first (expiry runs); length one byte, in units of 8 bytes
 *                  beyond 14 (a frame of at most 2,054 bytes).
 *
 * What must hold, whatever the input:
 * - every frame that comes out parses, its IPv4 header checksum is right from scratch, and its
 *   transport checksum is right from scratch whenever the frame's was going in (a NAT never breaks a
 *   checksum, and never repairs one); fragments after the first are exempt;
 * - LAN to provider, the source is the pool address; provider to LAN, the destination never is;
 * - nat_table_check() after every record: both keys, free list, wheel, host counts;
 * - once the worker is gone, every mbuf is back in the pool.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "nat_worker.h"
#include "pkt_parse.h"

#define POOL_ADDR 0xcb007101u /* 203.0.113.1 */
#define CAPACITY 256          /* small, so that the table and the ports run out */
#define BURST_OUT 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *pool;
static struct rte_ring *events; /* the worker's NAT event ring */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {"fuzz_worker", "--no-pci", "--no-huge", "-m", "512", "--no-shconf", "-l", "0",
		       "--no-telemetry", "--log-level=*:crit", "--file-prefix", prefix};

	(void)argc;
	(void)argv;
	snprintf(prefix, sizeof(prefix), "fuzz_worker%d", getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0)
		abort();
	pool = rte_pktmbuf_pool_create("fuzz", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	events = rte_ring_create_elem("fuzz_events", sizeof(struct nat_event), 1024, SOCKET_ID_ANY,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (pool == NULL || events == NULL)
		abort();
	return 0;
}

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

/* Takes the events a record made: each must be of a known kind, about the pool's address where it
 * names one. */
static void drain_events(void)
{
	struct nat_event ev[64];
	unsigned n, i;

	while ((n = rte_ring_sc_dequeue_burst_elem(events, ev, sizeof(ev[0]), 64, NULL)) > 0)
		for (i = 0; i < n; i++) {
			must(ev[i].type > 0 && ev[i].type < NAT_EV_MAX, "an event of no known kind");
			if (ev[i].type == NAT_EV_SESSION_CREATE || ev[i].type == NAT_EV_SESSION_DELETE ||
			    ev[i].type == NAT_EV_BLOCK_ALLOC || ev[i].type == NAT_EV_BLOCK_FREE)
				must(rte_be_to_cpu_32(ev[i].outside_addr) == POOL_ADDR,
				     "an event names an outside address not in the pool");
		}
}

/* The transport checksum of a whole (unfragmented) datagram, from scratch: true when right. */
static bool l4_checksum_right(const struct rte_ipv4_hdr *ip)
{
	uint16_t ihl = rte_ipv4_hdr_len(ip), total = rte_be_to_cpu_16(ip->total_length);
	const void *l4 = (const uint8_t *)ip + ihl;

	if (total < ihl)
		return false;
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		return total - ihl >= sizeof(struct rte_tcp_hdr) && rte_ipv4_udptcp_cksum_verify(ip, l4) == 0;
	case IPPROTO_UDP:
		if (total - ihl < sizeof(struct rte_udp_hdr))
			return false;
		if (((const struct rte_udp_hdr *)l4)->dgram_cksum == 0)
			return true; /* no checksum: nothing to keep right */
		return rte_ipv4_udptcp_cksum_verify(ip, l4) == 0;
	case IPPROTO_ICMP:
		return rte_raw_cksum(l4, total - ihl) == 0xffff;
	default:
		return false;
	}
}

static bool whole_datagram(const struct rte_ipv4_hdr *ip)
{
	return (rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) == 0;
}

static void check_out(struct rte_mbuf *m, bool out2in, bool was_right)
{
	struct pkt_info info;
	const struct rte_ipv4_hdr *ip;

	must(pkt_parse(m, &info) == PKT_DROP_NONE, "a frame that came out does not parse");
	ip = info.ip;
	must(rte_ipv4_cksum(ip) == ip->hdr_checksum || (rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff),
	     "IPv4 header checksum wrong");
	if (was_right && whole_datagram(ip))
		must(l4_checksum_right(ip), "a right transport checksum went in, a wrong one came out");
	if (!out2in)
		must(rte_be_to_cpu_32(ip->src_addr) == POOL_ADDR, "LAN traffic left with a source not in the pool");
	else
		must(rte_be_to_cpu_32(ip->dst_addr) != POOL_ADDR, "provider traffic reached the LAN untranslated");
}

static void configure(struct nat_config *c, uint8_t b)
{
	nat_config_defaults(c);
	c->mapping = b & 1 ? NAT_MAPPING_ENDPOINT_INDEPENDENT : NAT_MAPPING_ENDPOINT_DEPENDENT;
	c->per_host_limit = (b >> 1) & 7 ? 1u << ((b >> 1) & 7) : 0;
	c->embryonic_per_host_limit = (b >> 4) & 3 ? 1u << ((b >> 4) & 3) : 0;
	if (b & 0x40)
		c->timeout[NAT_TIMEOUT_PORT_HOLD] = 0;
	c->port_block = b & 0x80 ? 8 : 0;
	c->log_events = true;
	c->n_pools = 1;
	c->pools[0].first = POOL_ADDR;
	c->pools[0].count = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nat_worker w;
	struct nat_config config;
	struct nat_worker_params params = {.name = "fuzz", .socket = SOCKET_ID_ANY, .worker = 0,
					   .n_workers = 1, .capacity = CAPACITY, .frag_slots = 16,
					   .frag_held_max = 32, .log_ring = events};
	char why[256];
	uint32_t now = 1;
	size_t at = 1;

	if (size < 1)
		return 0;
	configure(&config, data[0]);
	if (nat_worker_init(&w, &params, &config) != 0)
		abort();
	while (at + 2 <= size) {
		uint8_t flags = data[at];
		size_t len = 14 + 8u * data[at + 1], copied;
		struct rte_mbuf *m, *out[BURST_OUT];
		struct pkt_info info;
		bool out2in = flags & 1, was_right;
		uint16_t n, i;

		at += 2;
		len = RTE_MIN(len, size - at);
		now += flags >> 1;
		nat_worker_expire(&w, now, 1024);
		m = rte_pktmbuf_alloc(pool);
		must(m != NULL, "the pool ran dry");
		/* At most what one mbuf holds, as a port would deliver it; the rest of the record is skipped. */
		copied = RTE_MIN(len, (size_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)copied), data + at, copied);
		at += len;
		if (pkt_parse(m, &info) != PKT_DROP_NONE) {
			rte_pktmbuf_free(m);
			continue;
		}
		was_right = whole_datagram(info.ip) && l4_checksum_right(info.ip);
		n = out2in ? nat_out2in_burst(&w, &m, &info, 1, out, BURST_OUT, now)
			   : nat_in2out_burst(&w, &m, &info, NULL, 1, out, BURST_OUT, now);
		for (i = 0; i < n; i++) {
			/* Released fragments of earlier datagrams come out too: only this one's
			 * checksum state is known. */
			check_out(out[i], out2in, was_right && n == 1);
			rte_pktmbuf_free(out[i]);
		}
		must(nat_table_check(&w, why, sizeof(why)), why);
		drain_events();
	}
	nat_worker_fini(&w);
	must(rte_mempool_avail_count(pool) == pool->size, "mbufs leaked");
	return 0;
}
