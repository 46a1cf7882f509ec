/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of the NAT engine alone: cycles per packet for in2out and out2in with 1K and 1M
 * established sessions, for new connections, and the memory each session costs.
 *
 * Frames are rebuilt from a template before each burst (outside the timed region), so their headers
 * are warm in cache, as after an RX that delivers into cache (DDIO); the session table is not.
 * Flows are visited in random order so that a 1M-session table really misses the caches.
 *
 *   nat_bench [EAL options] [-- --packets N]
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "nat_worker.h"
#include "pkt_parse.h"

#define BURST 32
#define FRAME_LEN 64
#define N_MBUFS 8192

struct flow {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
};

struct bench {
	struct nat_worker w;
	struct nat_config config;
	struct rte_mempool *pool;
	struct rte_mbuf *mbufs[N_MBUFS];
	uint32_t next_mbuf;
	uint32_t now;
};

static void write_frame(struct rte_mbuf *m, const struct flow *f)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t l4_len = FRAME_LEN - RTE_ETHER_CRC_LEN - sizeof(*eth) - sizeof(*ip);

	m->data_len = m->pkt_len = FRAME_LEN - RTE_ETHER_CRC_LEN;
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD; /* as a NIC with checksum offload reports it */
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_len);
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = f->src;
	ip->dst_addr = f->dst;
	ip->hdr_checksum = 0;
	udp->src_port = f->sport;
	udp->dst_port = f->dport;
	udp->dgram_len = rte_cpu_to_be_16(l4_len);
	udp->dgram_cksum = 0x1234; /* any value: updated incrementally, never verified here */
}

static struct rte_mbuf **take_mbufs(struct bench *b)
{
	struct rte_mbuf **m = &b->mbufs[b->next_mbuf];

	b->next_mbuf = (b->next_mbuf + BURST) % N_MBUFS;
	return m;
}

/* Runs `n_packets` through one direction over `flows` (in the order of `order`); returns cycles
 * spent inside the engine. Any drop is fatal: the benchmark reuses its mbufs. */
static uint64_t run(struct bench *b, enum nat_dir dir, const struct flow *flows, const uint32_t *order,
		    uint32_t n_flows, uint64_t n_packets, struct flow *translated)
{
	uint64_t cycles = 0, sent = 0;
	uint32_t cursor = 0;

	while (sent < n_packets) {
		struct rte_mbuf **in = take_mbufs(b), *out[BURST];
		struct pkt_info info[BURST];
		uint32_t idx[BURST];
		uint64_t start;
		uint16_t i, got;

		for (i = 0; i < BURST; i++) {
			idx[i] = order[cursor];
			cursor = cursor + 1 == n_flows ? 0 : cursor + 1;
			write_frame(in[i], &flows[idx[i]]);
		}
		start = rte_rdtsc_precise();
		for (i = 0; i < BURST; i++)
			pkt_parse(in[i], &info[i]);
		if (dir == NAT_DIR_IN2OUT)
			got = nat_in2out_burst(&b->w, in, info, NULL, BURST, out, BURST, b->now);
		else
			got = nat_out2in_burst(&b->w, in, info, BURST, out, BURST, b->now);
		cycles += rte_rdtsc_precise() - start;
		if (got != BURST) {
			fprintf(stderr, "nat_bench: %u of %u packets dropped; aborting\n", BURST - got, BURST);
			exit(1);
		}
		if (translated != NULL) {
			for (i = 0; i < BURST; i++) {
				struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(out[i], struct rte_ipv4_hdr *,
										   sizeof(struct rte_ether_hdr));
				struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

				translated[idx[i]] = (struct flow){.src = ip->dst_addr, .dst = ip->src_addr,
								   .sport = udp->dst_port, .dport = udp->src_port};
			}
		}
		sent += BURST;
	}
	return cycles;
}

static void make_flows(struct flow *flows, uint32_t n, uint32_t salt)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		flows[i].src = rte_cpu_to_be_32(0x0a000000u | ((i + salt) & 0xffffff));
		flows[i].dst = rte_cpu_to_be_32(0xc6336400u | (i % 200));
		flows[i].sport = rte_cpu_to_be_16((uint16_t)(1024 + (i + salt) % 60000));
		flows[i].dport = RTE_BE16(443);
	}
}

static void shuffle(uint32_t *order, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rte_rand() % (i + 1));
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats(0, &st);
	return st.heap_allocsz_bytes;
}

static void report(const char *name, uint64_t cycles, uint64_t packets)
{
	double cpp = (double)cycles / (double)packets;

	printf("%-34s %8.1f cycles/packet  %6.2f Mpps at %.2f GHz\n", name, cpp,
	       (double)rte_get_tsc_hz() / cpp / 1e6, (double)rte_get_tsc_hz() / 1e9);
}

/* Ends every session (no port hold), so that the next run creates them all again. */
static void empty_table(struct bench *b)
{
	b->config.timeout[NAT_TIMEOUT_PORT_HOLD] = 0;
	b->now += b->config.timeout[NAT_TIMEOUT_UDP];
	while (nat_worker_expire(&b->w, b->now, 1u << 20) == 1u << 20)
		;
	b->config.timeout[NAT_TIMEOUT_PORT_HOLD] = 120;
	if (b->w.live_sessions != 0) {
		fprintf(stderr, "nat_bench: sessions did not expire\n");
		exit(1);
	}
}

static void scenario(struct bench *b, uint32_t n_sessions, uint64_t n_packets)
{
	struct nat_worker_params params = {
		.name = "bench", .socket = 0, .worker = 0, .n_workers = 1, .capacity = n_sessions,
	};
	struct rte_ring *events = rte_ring_create_elem("bench_events", sizeof(struct nat_event), n_sessions,
						       0, RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	struct flow *flows = calloc(n_sessions, sizeof(*flows));
	struct flow *replies = calloc(n_sessions, sizeof(*replies));
	uint32_t *order = calloc(n_sessions, sizeof(*order));
	size_t before = heap_used();
	char name[64];
	uint64_t c;

	if (events == NULL || flows == NULL || replies == NULL || order == NULL ||
	    nat_worker_init(&b->w, &params, &b->config)) {
		fprintf(stderr, "nat_bench: cannot set up %u sessions\n", n_sessions);
		exit(1);
	}
	printf("\n%u sessions: %.1f bytes per session (table, keys, timers, free list)\n", n_sessions,
	       (double)(heap_used() - before) / n_sessions);
	make_flows(flows, n_sessions, 0);
	shuffle(order, n_sessions);

	/* Fill and empty the table once first: an appliance touches its memory at start, so the
	 * kernel's first-touch page zeroing is not part of a new connection's cost. */
	run(b, NAT_DIR_IN2OUT, flows, order, n_sessions, (uint64_t)n_sessions / BURST * BURST, NULL);
	empty_table(b);

	/* New connections: every packet opens a session. */
	c = run(b, NAT_DIR_IN2OUT, flows, order, n_sessions, (uint64_t)n_sessions / BURST * BURST, replies);
	snprintf(name, sizeof(name), "new connection (to %u)", n_sessions);
	report(name, c, (uint64_t)n_sessions / BURST * BURST);

	snprintf(name, sizeof(name), "in2out, %u sessions", n_sessions);
	report(name, run(b, NAT_DIR_IN2OUT, flows, order, n_sessions, n_packets, NULL), n_packets);
	snprintf(name, sizeof(name), "out2in, %u sessions", n_sessions);
	report(name, run(b, NAT_DIR_OUT2IN, replies, order, n_sessions, n_packets, NULL), n_packets);

	/* New connections again, each reported as a NAT event: the worker's share of logging (the
	 * ring holds them all, drained after the measurement; the control thread's export is not in
	 * this number). */
	empty_table(b);
	b->w.log.ring = events;
	b->config.log_events = true;
	c = run(b, NAT_DIR_IN2OUT, flows, order, n_sessions, (uint64_t)n_sessions / BURST * BURST, NULL);
	snprintf(name, sizeof(name), "new connection, logged (to %u)", n_sessions);
	report(name, c, (uint64_t)n_sessions / BURST * BURST);
	if (rte_ring_count(events) != (uint64_t)n_sessions / BURST * BURST) {
		fprintf(stderr, "nat_bench: %u events for %u new sessions\n", rte_ring_count(events), n_sessions);
		exit(1);
	}
	b->config.log_events = false;
	b->w.log.ring = NULL;

	nat_worker_fini(&b->w);
	rte_ring_free(events);
	free(flows);
	free(replies);
	free(order);
}

int main(int argc, char **argv)
{
	static struct bench b;
	uint64_t n_packets = 8 * 1000 * 1000;
	int consumed, opt;
	uint32_t i;

	consumed = rte_eal_init(argc, argv);
	if (consumed < 0) {
		fprintf(stderr, "nat_bench: rte_eal_init failed\n");
		return 2;
	}
	argc -= consumed;
	argv += consumed;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: nat_bench [EAL options] -- [-n packets]\n");
			return 2;
		}
		n_packets = strtoull(optarg, NULL, 0) / BURST * BURST;
	}
	b.pool = rte_pktmbuf_pool_create("bench", N_MBUFS * 2 - 1, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (b.pool == NULL || rte_pktmbuf_alloc_bulk(b.pool, b.mbufs, N_MBUFS) != 0) {
		fprintf(stderr, "nat_bench: no mbufs\n");
		return 1;
	}
	for (i = 0; i < N_MBUFS; i++)
		b.mbufs[i]->data_off = RTE_PKTMBUF_HEADROOM;
	nat_config_defaults(&b.config);
	b.config.n_pools = 1;
	b.config.pools[0] = (struct nat_pool){.first = 0xcb007101u, .count = 1};
	b.now = 1;

	printf("secnat NAT engine micro-benchmark: 64-byte UDP frames, bursts of %d, %" PRIu64
	       " packets per measurement, sessions visited in random order\n", BURST, n_packets);
	scenario(&b, 1024, n_packets);
	scenario(&b, 1024 * 1024, n_packets);
	rte_eal_cleanup();
	return 0;
}
