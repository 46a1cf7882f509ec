/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "cksum.h"
#include "test_support.h"

static struct rte_mempool *pool;

void test_eal_init(void)
{
	char prefix[64];
	char *argv[] = {"secnat-unit", "--no-pci", "--no-huge", "-m", "3072", "--no-shconf", "-l", "0",
			"--no-telemetry", "--log-level=lib.eal:error", "--file-prefix", prefix};
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));

	if (pool != NULL)
		return;
	/* One prefix for all: --no-shconf keeps concurrent test processes apart. */
	snprintf(prefix, sizeof(prefix), "secnat-unit");
	cr_assert(rte_eal_init(argc, argv) >= 0, "rte_eal_init failed");
	pool = rte_pktmbuf_pool_create("test_mbufs", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	cr_assert_not_null(pool);
}

struct rte_mempool *test_pool(void)
{
	return pool;
}

rte_be32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return rte_cpu_to_be_32(((uint32_t)a << 24) | ((uint32_t)b << 16) | ((uint32_t)c << 8) | d);
}

static uint16_t l4_header_len(uint8_t proto)
{
	return proto == IPPROTO_TCP ? 20 : 8;
}

/* Computes every checksum of a datagram from scratch. */
static void fill_checksums(struct rte_ipv4_hdr *ip, bool udp_no_cksum)
{
	void *l4 = (uint8_t *)ip + rte_ipv4_hdr_len(ip);
	uint16_t l4_len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (ip->next_proto_id == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = l4;

		tcp->cksum = 0;
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else if (ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = l4;

		udp->dgram_cksum = 0;
		if (!udp_no_cksum)
			udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	} else {
		struct rte_icmp_hdr *icmp = l4;

		icmp->icmp_cksum = 0;
		icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4_len);
	}
}

struct rte_mbuf *test_build(const struct test_pkt *p)
{
	uint16_t l2 = sizeof(struct rte_ether_hdr) + (p->vlan ? sizeof(struct rte_vlan_hdr) : 0);
	uint16_t ihl = (uint16_t)(20 + p->ip_options);
	uint16_t l4_len = (uint16_t)(l4_header_len(p->proto) + p->payload_len);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	uint8_t *l4, *payload;
	uint16_t i;

	cr_assert_not_null(m, "mbuf pool empty");
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(l2 + ihl + l4_len));
	cr_assert_not_null(eth);
	memset(eth, 0, (size_t)l2 + ihl + l4_len);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	if (p->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(p->vlan);
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	ip = (struct rte_ipv4_hdr *)((uint8_t *)eth + l2);
	ip->version_ihl = (uint8_t)(0x40 | (ihl / 4));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(ihl + l4_len));
	ip->packet_id = rte_cpu_to_be_16(p->ip_id);
	ip->fragment_offset = p->df ? RTE_BE16(RTE_IPV4_HDR_DF_FLAG) : 0;
	ip->time_to_live = 64;
	ip->next_proto_id = p->proto;
	ip->src_addr = p->src;
	ip->dst_addr = p->dst;
	for (i = 0; i < p->ip_options; i++)
		((uint8_t *)(ip + 1))[i] = 1; /* NOP options */

	l4 = (uint8_t *)ip + ihl;
	payload = l4 + l4_header_len(p->proto);
	for (i = 0; i < p->payload_len; i++)
		payload[i] = (uint8_t)(p->seed * 31 + i * 7 + (i >> 3));
	if (p->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)l4;

		tcp->src_port = rte_cpu_to_be_16(p->sport);
		tcp->dst_port = rte_cpu_to_be_16(p->dport);
		tcp->data_off = 5 << 4;
		tcp->tcp_flags = p->tcp_flags;
		tcp->rx_win = RTE_BE16(65535);
	} else if (p->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;

		udp->src_port = rte_cpu_to_be_16(p->sport);
		udp->dst_port = rte_cpu_to_be_16(p->dport);
		udp->dgram_len = rte_cpu_to_be_16(l4_len);
	} else {
		struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)l4;

		icmp->icmp_type = p->icmp_type;
		icmp->icmp_ident = rte_cpu_to_be_16(p->sport);
		icmp->icmp_seq_nb = rte_cpu_to_be_16(p->dport);
	}
	fill_checksums(ip, p->udp_no_cksum);
	return m;
}

struct rte_mbuf *test_build_icmp_error(rte_be32_t src, rte_be32_t dst, uint8_t type, uint8_t code,
				       uint16_t mtu, const struct rte_mbuf *quoted, uint16_t quote_len)
{
	const struct rte_ipv4_hdr *qip = rte_pktmbuf_mtod_offset(quoted, const struct rte_ipv4_hdr *,
								  quoted->l2_len ? quoted->l2_len
										 : sizeof(struct rte_ether_hdr));
	uint16_t qlen = rte_be_to_cpu_16(qip->total_length);
	struct test_pkt p = {.proto = IPPROTO_ICMP, .src = src, .dst = dst, .icmp_type = type, .df = false};
	struct rte_mbuf *m;
	struct rte_icmp_hdr *icmp;

	if (quote_len && quote_len < qlen)
		qlen = quote_len;
	p.payload_len = qlen;
	m = test_build(&p);
	icmp = test_l4(m);
	icmp->icmp_code = code;
	icmp->icmp_ident = 0;
	icmp->icmp_seq_nb = rte_cpu_to_be_16(mtu);
	memcpy(icmp + 1, qip, qlen);
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, (size_t)8 + qlen);
	return m;
}

struct rte_ipv4_hdr *test_ip(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t l2 = sizeof(*eth);

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN))
		l2 += sizeof(struct rte_vlan_hdr);
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
}

void *test_l4(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = test_ip(m);

	return (uint8_t *)ip + rte_ipv4_hdr_len(ip);
}

uint16_t test_sport(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = test_ip(m);

	if (ip->next_proto_id == IPPROTO_ICMP)
		return rte_be_to_cpu_16(((struct rte_icmp_hdr *)test_l4(m))->icmp_ident);
	return rte_be_to_cpu_16(((struct rte_udp_hdr *)test_l4(m))->src_port);
}

uint16_t test_dport(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = test_ip(m);

	if (ip->next_proto_id == IPPROTO_ICMP)
		return rte_be_to_cpu_16(((struct rte_icmp_hdr *)test_l4(m))->icmp_ident);
	return rte_be_to_cpu_16(((struct rte_udp_hdr *)test_l4(m))->dst_port);
}

/* A checksum field holds the right value when the sum over what it covers, itself included, is
 * 0xffff: that accepts both representations of zero where the RFCs allow either. */
static bool l4_checksum_ok(const struct rte_ipv4_hdr *ip, const uint8_t *l4, uint16_t l4_len)
{
	uint32_t sum;

	if (ip->next_proto_id == IPPROTO_ICMP)
		return cksum_fold(cksum_partial(l4, l4_len, 0)) == 0xffff;
	if (ip->next_proto_id == IPPROTO_UDP && ((const struct rte_udp_hdr *)l4)->dgram_cksum == 0)
		return true; /* "no checksum" */
	sum = cksum_partial(&ip->src_addr, 8, 0);
	sum += rte_cpu_to_be_16(ip->next_proto_id) + rte_cpu_to_be_16(l4_len);
	sum = cksum_partial(l4, l4_len, sum);
	return cksum_fold(sum) == 0xffff;
}

bool test_checksums_ok(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = test_ip(m);
	uint8_t *l4 = test_l4(m);
	uint16_t l4_len = rte_be_to_cpu_16(ip->total_length) - rte_ipv4_hdr_len(ip);

	if (rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) != 0xffff)
		return false;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return true; /* a fragment's transport checksum covers the whole datagram */
	if (!l4_checksum_ok(ip, l4, l4_len))
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP && l4[0] != RTE_IP_ICMP_ECHO_REPLY &&
	    l4[0] != RTE_IP_ICMP_ECHO_REQUEST && l4_len >= 8 + 20 + 8) {
		const struct rte_ipv4_hdr *q = (const struct rte_ipv4_hdr *)(l4 + 8);
		uint16_t qihl = rte_ipv4_hdr_len(q);
		const uint8_t *ql4 = (const uint8_t *)q + qihl;
		uint16_t qtotal = rte_be_to_cpu_16(q->total_length);
		uint16_t have = (uint16_t)(l4_len - 8);

		if (rte_raw_cksum(q, qihl) != 0xffff)
			return false;
		/* The quoted transport checksum can only be checked when the whole datagram is quoted. */
		if (have >= qtotal && !l4_checksum_ok(q, ql4, (uint16_t)(qtotal - qihl)))
			return false;
	}
	return true;
}

void test_engine_init(struct test_engine *e, uint32_t capacity, enum nat_mapping mapping,
		      uint32_t pool_count)
{
	struct nat_worker_params params = {.worker = 0, .n_workers = 1, .capacity = capacity};

	test_engine_init_worker(e, &params, mapping, pool_count);
}

void test_engine_init_worker(struct test_engine *e, const struct nat_worker_params *worker,
			     enum nat_mapping mapping, uint32_t pool_count)
{
	static unsigned instance;
	char name[32];
	struct nat_worker_params params = *worker;

	params.name = name;
	params.socket = SOCKET_ID_ANY;
	test_eal_init();
	snprintf(name, sizeof(name), "test_nat%u", instance++);
	nat_config_defaults(&e->config);
	e->config.mapping = mapping;
	e->config.n_pools = 1;
	e->config.pools[0].first = TEST_POOL_FIRST;
	e->config.pools[0].count = pool_count;
	cr_assert_eq(nat_worker_init(&e->w, &params, &e->config), 0, "nat_worker_init");
}

void test_engine_fini(struct test_engine *e)
{
	nat_worker_fini(&e->w);
}

struct test_engine nat;

void test_nat_setup(void)
{
	test_engine_init(&nat, 4096, NAT_MAPPING_ENDPOINT_DEPENDENT, 1);
}

void test_nat_teardown(void)
{
	test_engine_fini(&nat);
}

uint16_t test_burst(struct test_engine *e, enum nat_dir dir, struct rte_mbuf **pkts, uint16_t n,
		    struct rte_mbuf **out, uint16_t cap, uint32_t now)
{
	struct pkt_info info[256];
	struct rte_mbuf *parsed[256];
	uint16_t i, n_parsed = 0;

	cr_assert(n <= 256);
	for (i = 0; i < n; i++) {
		enum pkt_drop why = pkt_parse(pkts[i], &info[n_parsed]);

		cr_assert_eq(why, PKT_DROP_NONE, "test packet %u does not parse: %s", i, pkt_drop_name(why));
		parsed[n_parsed++] = pkts[i];
	}
	if (dir == NAT_DIR_IN2OUT)
		return nat_in2out_burst(&e->w, parsed, info, NULL, n_parsed, out, cap, now);
	return nat_out2in_burst(&e->w, parsed, info, n_parsed, out, cap, now);
}

static struct rte_mbuf *one(struct test_engine *e, enum nat_dir dir, struct rte_mbuf *m, uint32_t now)
{
	struct rte_mbuf *out[4];
	uint16_t n = test_burst(e, dir, &m, 1, out, 4, now);

	cr_assert(n <= 1, "one packet in, %u out", n);
	return n ? out[0] : NULL;
}

struct rte_mbuf *test_in2out(struct test_engine *e, struct rte_mbuf *m, uint32_t now)
{
	return one(e, NAT_DIR_IN2OUT, m, now);
}

struct rte_mbuf *test_out2in(struct test_engine *e, struct rte_mbuf *m, uint32_t now)
{
	return one(e, NAT_DIR_OUT2IN, m, now);
}

uint64_t test_drops(const struct test_engine *e, enum pkt_drop reason)
{
	return e->w.stats.drops[reason];
}
