/* SPDX-License-Identifier: BSD-3-Clause */
/* Invariant 5: a malformed packet is counted and dropped, never a crash, a hang or a leak. */
#include <string.h>

#include <criterion/criterion.h>
#include <rte_icmp.h>
#include <rte_tcp.h>

#include "test_support.h"

#define P ip4(203, 0, 113, 1)

TestSuite(robustness, .init = test_nat_setup, .fini = test_nat_teardown, .timeout = 240);

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* A valid frame of a random kind: flows that exist, flows that do not, ICMP errors, fragments. */
static struct rte_mbuf *seed_frame(bool outbound)
{
	struct test_pkt p = {0};
	uint32_t kind = next() % 4;

	p.proto = kind == 0 ? IPPROTO_TCP : kind == 1 ? IPPROTO_UDP : IPPROTO_ICMP;
	p.src = outbound ? ip4(10, 0, 0, (uint8_t)(1 + next() % 8)) : ip4(198, 51, 100, (uint8_t)(next() % 4));
	p.dst = outbound ? ip4(198, 51, 100, (uint8_t)(next() % 4)) : P;
	p.sport = (uint16_t)(next() % 8 + 1000);
	p.dport = (uint16_t)(next() % 8 + 1000);
	p.tcp_flags = (uint8_t)next();
	p.icmp_type = kind == 2 ? (outbound ? RTE_IP_ICMP_ECHO_REQUEST : RTE_IP_ICMP_ECHO_REPLY) : 3;
	p.payload_len = (uint16_t)(next() % 80);
	p.ip_options = (uint8_t)((next() % 3) * 4);
	p.vlan = next() % 4 == 0 ? 100 : 0;
	if (kind == 3) {
		/* An ICMP error quoting something plausible. */
		struct test_pkt q = {.proto = IPPROTO_UDP, .src = outbound ? ip4(198, 51, 100, 1) : P,
				     .dst = outbound ? ip4(10, 0, 0, 1) : ip4(198, 51, 100, 1),
				     .sport = 1000, .dport = 1000};
		struct rte_mbuf *inner = test_build(&q), *m;

		m = test_build_icmp_error(p.src, q.src, 3, 3, 1400, inner, (uint16_t)(next() % 60));
		rte_pktmbuf_free(inner);
		return m;
	}
	return test_build(&p);
}

/* Flips bytes, cuts the frame short or sets fragment fields at random. */
static void mutate(struct rte_mbuf *m)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), flips = next() % 6, i;

	for (i = 0; i < flips; i++)
		d[next() % len] = (uint8_t)next();
	if (next() % 4 == 0)
		rte_pktmbuf_trim(m, (uint16_t)(next() % len));
	if (next() % 4 == 0 && len > 34) {
		/* Fragment fields, with the header checksum made right again so the parser lets it by. */
		struct rte_ipv4_hdr *ip = test_ip(m);

		if ((uint8_t *)ip + sizeof(*ip) <= d + rte_pktmbuf_data_len(m)) {
			ip->fragment_offset = rte_cpu_to_be_16((uint16_t)(next() & 0x3fff));
			ip->hdr_checksum = 0;
			if ((ip->version_ihl & 0xf) == 5)
				ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
	}
}

Test(robustness, random_malformed_frames_never_crash_and_never_leak)
{
	unsigned before = rte_mempool_avail_count(test_pool());
	uint64_t dropped = 0, passed = 0;
	int round, i;

	for (round = 0; round < 20000; round++) {
		bool outbound = round % 2 == 0;
		struct rte_mbuf *ok[32], *out[64];
		struct pkt_info info[32];
		uint16_t n = 0, got;

		for (i = 0; i < 32; i++) {
			struct rte_mbuf *m = seed_frame(outbound);

			if (next() % 2)
				mutate(m);
			if (pkt_parse(m, &info[n]) != PKT_DROP_NONE) {
				rte_pktmbuf_free(m);
				dropped++;
				continue;
			}
			ok[n++] = m;
		}
		got = outbound ? nat_in2out_burst(&nat.w, ok, info, NULL, n, out, 64, (uint32_t)round / 500)
			       : nat_out2in_burst(&nat.w, ok, info, n, out, 64, (uint32_t)round / 500);
		passed += got;
		for (i = 0; i < got; i++)
			rte_pktmbuf_free(out[i]);
		nat_worker_expire(&nat.w, (uint32_t)round / 500, 64);
	}
	/* Let every held fragment time out. */
	for (i = 0; i < 4096; i++)
		nat_worker_expire(&nat.w, 1000, 64);
	cr_assert_gt(dropped, 1000, "the mutations should have broken many frames");
	cr_assert_gt(passed, 1000, "and left many valid");
	cr_assert_eq(rte_mempool_avail_count(test_pool()), before, "mbufs leaked");
}
