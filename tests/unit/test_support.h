/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the unit tests share: an EAL without hugepages or devices, frames built from a description,
 * checksums recomputed from scratch, and an engine with a fake clock.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "nat_worker.h"
#include "pkt_parse.h"

/* Starts the EAL once per test process (Criterion runs each test in its own process). */
void test_eal_init(void);
struct rte_mempool *test_pool(void);

/* Host byte order a.b.c.d to network byte order. */
rte_be32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

struct test_pkt {
	uint8_t proto;
	rte_be32_t src, dst;
	uint16_t sport, dport;  /* host order; for ICMP echo: sport is the identifier */
	uint8_t icmp_type;      /* for ICMP */
	uint8_t tcp_flags;
	uint16_t payload_len;   /* bytes after the L4 header */
	uint16_t vlan;          /* 0: untagged */
	uint16_t ip_id;
	bool df;
	bool udp_no_cksum;      /* send UDP with checksum 0 */
	uint8_t ip_options;     /* bytes of IP options (multiple of 4) */
	uint8_t seed;           /* payload pattern */
};

/* Builds a complete frame with every checksum right. */
struct rte_mbuf *test_build(const struct test_pkt *p);
/* Builds an ICMP error of `type`/`code` from `src` to `dst` quoting the IP datagram of `quoted`
 * (at most `quote_len` bytes of it; 0: all). */
struct rte_mbuf *test_build_icmp_error(rte_be32_t src, rte_be32_t dst, uint8_t type, uint8_t code,
				       uint16_t mtu, const struct rte_mbuf *quoted, uint16_t quote_len);

struct rte_ipv4_hdr *test_ip(struct rte_mbuf *m);
void *test_l4(struct rte_mbuf *m);
uint16_t test_sport(struct rte_mbuf *m);
uint16_t test_dport(struct rte_mbuf *m);

/*
 * Recomputes the IP header checksum and the transport checksum of `m` from scratch and compares
 * them with what the packet carries; for ICMP errors also the quoted IP header and transport
 * checksum. Returns true when all are right.
 */
bool test_checksums_ok(struct rte_mbuf *m);

/* An engine with one pool of `pool_count` addresses from 203.0.113.1, and its config. */
struct test_engine {
	struct nat_worker w;
	struct nat_config config;
};
void test_engine_init(struct test_engine *e, uint32_t capacity, enum nat_mapping mapping,
		      uint32_t pool_count);
/* The same as worker `worker->worker` of `worker->n_workers` (name and socket are filled in). */
void test_engine_init_worker(struct test_engine *e, const struct nat_worker_params *worker,
			     enum nat_mapping mapping, uint32_t pool_count);
void test_engine_fini(struct test_engine *e);
#define TEST_POOL_FIRST 0xcb007101u /* 203.0.113.1 */

/*
 * The engine most suites share, made fresh for each test: 4096 sessions, endpoint-dependent, one
 * pool address. Use as `TestSuite(name, .init = test_nat_setup, .fini = test_nat_teardown)`.
 */
extern struct test_engine nat;
void test_nat_setup(void);
void test_nat_teardown(void);

/* Parses and sends one packet through a direction; returns the packet that came out (NULL if
 * dropped). Fails the test if more than one came out. */
struct rte_mbuf *test_in2out(struct test_engine *e, struct rte_mbuf *m, uint32_t now);
struct rte_mbuf *test_out2in(struct test_engine *e, struct rte_mbuf *m, uint32_t now);
/* The same for a list, returning how many came out into `out`. */
uint16_t test_burst(struct test_engine *e, enum nat_dir dir, struct rte_mbuf **pkts, uint16_t n,
		    struct rte_mbuf **out, uint16_t cap, uint32_t now);

uint64_t test_drops(const struct test_engine *e, enum pkt_drop reason);
