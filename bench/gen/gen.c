/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat_gen: the benchmark's traffic generator, a DPDK program on one core with two ports: port 0
 * faces the device under test's LAN port, port 1 its A-end port (frames there carry the VXC's VLAN).
 * It plays the LAN hosts and the remote servers at once, answers every ARP request (so the device
 * resolves its neighbours), and receives what the device sends back.
 *
 * Flow i goes from 10.1.0.0 + i/64 port 1024 + i%64 to 198.51.100.1 + i%200 port 443, UDP; its
 * payload carries a tag, the flow number and the TSC at sending, so every received frame is matched
 * to its flow and its latency measured. Before out2in traffic, every flow is sent once in2out and
 * its external address and port are learned from what comes out of port 1; then, for out2in and
 * bidir, every flow's reply is sent once so that the device knows the LAN hosts' MACs.
 *
 * Modes: in2out, out2in, bidir (alternate bursts), new (every frame a flow never seen, up to
 * --flows of them, at full speed: sessions created per second as the table fills).
 * Two throughputs: the maximum forwarding rate (RFC 2285), what comes back while the generator
 * offers all it can; and the no-drop rate searched RFC 2544 style, the highest offered rate whose
 * loss stays under --loss (0.1%), by bisection between 0 and the generator's own rate. A frame the
 * device's full ring refuses counts as lost, as on a NIC. On a shared machine, stalls of the device
 * under test of a millisecond or so fill a ring at any rate, which the no-drop rate shows and the
 * forwarding rate hardly does. Latency percentiles are measured at half the no-drop rate. With --check, received frames are checked against the expected
 * translation (every 16th frame): source address --expect-src and VLAN on the A-end, the inside
 * endpoint restored on the LAN.
 *
 * Lanes: every EAL lcore of the generator is a lane with its own queue pair on both ports (queue i
 * of lane i; the device under test gives its worker i the same queue). Flow f belongs to lane f % N
 * in2out, so that the device's worker of that queue creates its session and owns its external port.
 * Its reply goes out on the queue of the worker that owns that port (--steer owner, what a NIC with
 * rte_flow rules or RSS prediction does) or on a queue picked by a hash of the flow (--steer hash, a
 * NIC that knows nothing of the NAT: the device hands the reply to its owner). Each lane counts its
 * own; the result adds them up and gives each lane's received rate (per device worker). The ceiling
 * is what the lanes offer at full speed on the same path in the same run; a result within 5% of it
 * is marked generator-bound: it measures the generator, not the device.
 *
 * Result: one JSON object on stdout. With --hold the generator then waits for SIGTERM before it
 * closes its ports: DPDK 22.11's memif driver can crash a peer that is still polling when the other
 * side goes away (seen here: the device's worker faulting in librte_net_memif), so the harness
 * stops the device under test first.
 *
 *   secnat_gen [EAL options] -- --mode M --flows N [--size 64] [--trial 2] [--steps 8]
 *              [--loss 0.001] [--vlan 100] [--check --expect-src A.B.C.D] [--steer owner|hash]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#define BURST 32
#define N_MBUFS 65535
#define PORT_LAN 0
#define PORT_AEND 1
#define TAG 0x5ec0a7be
#define MAX_SAMPLES (1u << 20)
#define CHECK_EVERY 16
#define WARM_FLOWS 64 /* new-connection mode: flows that only warm up (ARP) */
#define MAX_LANES 16
#define PORT_HIGH_FIRST 1024 /* secnat's port plan (dataplane/nat/nat_ports.h) */
#define PORT_HIGH_COUNT 64512
#define GENERATOR_BOUND 0.95 /* a device within 5% of the generator's ceiling is not measured */

enum mode { MODE_IN2OUT, MODE_OUT2IN, MODE_BIDIR, MODE_NEW };

struct payload {
	uint32_t tag;
	uint32_t flow;
	uint64_t tsc;
} __rte_packed;

struct options {
	enum mode mode;
	uint32_t flows;
	uint16_t size; /* frame size with CRC, untagged */
	double trial_s;
	unsigned steps;
	double loss;
	uint16_t vlan;
	bool check;
	bool hold;
	rte_be32_t expect_src;
	int watch_cpu; /* the device's CPU, whose busy share is reported for the max-rate trial; -1: none */
	bool steer_owner; /* replies to the queue of the worker owning their port (else by flow hash) */
};

struct counts {
	uint64_t offered;  /* frames handed to the port, taken or not: a full ring is a loss, as on a NIC */
	uint64_t received; /* our frames that came back out of the device */
	uint64_t bad, latency_n;
};

/* One lcore's share: its queue pair, its flows, what it counted. Written by its lcore alone. */
struct lane {
	uint16_t queue;
	struct counts cnt;
	uint32_t next_lan;       /* index into its in2out flows (f = queue + k * n_lanes) */
	uint32_t *aend_flows;    /* the flows whose replies it sends */
	uint32_t n_aend_flows, next_aend;
	uint32_t learned, answered;
	uint64_t *samples;       /* latency samples, TSC cycles */
	double pps;              /* this trial's offered rate (0: full speed) */
	double seconds;
	uint64_t quarter_rx[4], quarter_tsc[5]; /* new-connection mode */
} __rte_cache_aligned;

static struct options opt = {
	.mode = MODE_IN2OUT, .flows = 1000, .size = 64, .trial_s = 2, .steps = 8, .loss = 0.001, .vlan = 100,
	.watch_cpu = -1,
};
static struct rte_mempool *pool;
static struct rte_ether_addr mac[2];
/* Where frames go: broadcast unless the device's port MACs are given (a Linux router forwards only
 * frames addressed to it). */
static struct rte_ether_addr dut_mac[2] = {{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
					   {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}};
static rte_be32_t *ext_addr; /* per flow, learned */
static rte_be16_t *ext_port;
static uint8_t *answered; /* per flow: a reply reached the LAN side */
static struct lane lanes[MAX_LANES];
static unsigned n_lanes;
static struct counts cnt; /* the lanes' counts added up after a trial */
static uint64_t *samples; /* all lanes' latency samples, gathered after a trial */
static volatile bool interrupted;

/* Flows [0, n) of lane l's in2out share: l, l + N, l + 2N... */
static uint32_t lane_flows(const struct lane *l, uint32_t n)
{
	return n > l->queue ? (n - l->queue + n_lanes - 1) / n_lanes : 0;
}

/* The device worker (queue) that owns external port `port` (network order): secnat's port plan. */
static uint16_t port_owner(rte_be16_t port)
{
	uint16_t p = rte_be_to_cpu_16(port);

	return p < PORT_HIGH_FIRST ? 0 : (uint16_t)((uint32_t)(p - PORT_HIGH_FIRST) * n_lanes / PORT_HIGH_COUNT);
}

/* The lane that sends flow f's reply: its port's owner, or a hash of the flow. */
static unsigned reply_lane(uint32_t f)
{
	if (opt.steer_owner)
		return port_owner(ext_port[f]);
	return (unsigned)(((uint64_t)(f * 2654435761u) * n_lanes) >> 32);
}

/* a.b.c.d in host order (DPDK's RTE_IPV4 shifts an int: undefined for a >= 128). */
static uint32_t ipv4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) { return a << 24 | b << 16 | c << 8 | d; }

static rte_be32_t inside_addr(uint32_t f) { return rte_cpu_to_be_32(ipv4(10, 1, 0, 0) + (f >> 6)); }
static rte_be16_t inside_port(uint32_t f) { return rte_cpu_to_be_16((uint16_t)(1024 + (f & 63))); }
static rte_be32_t remote_addr(uint32_t f) { return rte_cpu_to_be_32(ipv4(198, 51, 100, 1) + f % 200); }
static rte_be16_t remote_port(void) { return RTE_BE16(443); }

/* Writes a UDP frame for flow f into m: LAN side untagged, A-end side with the VLAN. */
static void build(struct rte_mbuf *m, uint16_t port, uint32_t f, rte_be32_t src, rte_be16_t sport, rte_be32_t dst,
		  rte_be16_t dport, uint64_t tsc)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t l2 = sizeof(*eth), len = (uint16_t)(opt.size - RTE_ETHER_CRC_LEN);
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	struct payload *pl;

	rte_ether_addr_copy(&dut_mac[port], &eth->dst_addr);
	rte_ether_addr_copy(&mac[port], &eth->src_addr);
	if (port == PORT_AEND && opt.vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(opt.vlan);
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		l2 += sizeof(*vh);
		len += sizeof(*vh);
	} else {
		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
	udp = (struct rte_udp_hdr *)(ip + 1);
	pl = (struct payload *)(udp + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - l2));
	ip->packet_id = 0;
	ip->fragment_offset = 0;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = sport;
	udp->dst_port = dport;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(len - l2 - sizeof(*ip)));
	udp->dgram_cksum = 0; /* none, as IPv4 allows: the device must keep it none */
	pl->tag = TAG;
	pl->flow = f;
	pl->tsc = tsc;
	m->data_len = m->pkt_len = len;
}

static void build_in2out(struct rte_mbuf *m, uint32_t f, uint64_t tsc)
{
	build(m, PORT_LAN, f, inside_addr(f), inside_port(f), remote_addr(f), remote_port(), tsc);
}

static void build_out2in(struct rte_mbuf *m, uint32_t f, uint64_t tsc)
{
	build(m, PORT_AEND, f, remote_addr(f), remote_port(), ext_addr[f], ext_port[f], tsc);
}

/* Answers an ARP request in place (any address is ours: we play every host). */
static bool answer_arp(struct rte_mbuf *m, struct rte_ether_hdr *eth, uint16_t l2, uint16_t port, uint16_t queue)
{
	struct rte_arp_hdr *arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, l2);
	rte_be32_t target;

	if (rte_pktmbuf_data_len(m) < l2 + sizeof(*arp) || arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST))
		return false;
	target = arp->arp_data.arp_tip;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&mac[port], &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = target;
	eth->dst_addr = eth->src_addr;
	rte_ether_addr_copy(&mac[port], &eth->src_addr);
	return rte_eth_tx_burst(port, queue, &m, 1) == 1;
}

/* One received frame: ARP answered, our UDP frames counted, checked and timed. */
static void receive_one(struct lane *l, struct rte_mbuf *m, uint16_t port, uint64_t now)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t l2 = sizeof(*eth), type = eth->ether_type, vlan = 0;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *udp;
	const struct payload *pl;
	uint16_t ihl;

	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh = (const struct rte_vlan_hdr *)(eth + 1);

		vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		type = vh->eth_proto;
		l2 += sizeof(*vh);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		if (answer_arp(m, eth, l2, port, l->queue))
			return;
		goto drop;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || rte_pktmbuf_data_len(m) < l2 + 20 + 8 + sizeof(*pl))
		goto drop;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, l2);
	ihl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	if (ip->next_proto_id != IPPROTO_UDP || rte_pktmbuf_data_len(m) < l2 + ihl + 8 + sizeof(*pl))
		goto drop;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
	pl = (const struct payload *)(udp + 1);
	if (pl->tag != TAG || pl->flow >= opt.flows)
		goto drop;
	l->cnt.received++;
	if (port == PORT_AEND && ext_port[pl->flow] == 0) { /* learning, or a new connection */
		ext_addr[pl->flow] = ip->src_addr;
		ext_port[pl->flow] = udp->src_port;
		l->learned++;
	}
	if (port == PORT_LAN && !answered[pl->flow]) {
		answered[pl->flow] = 1;
		l->answered++;
	}
	if (l->cnt.latency_n < MAX_SAMPLES / n_lanes && (l->cnt.received & 7) == 0)
		l->samples[l->cnt.latency_n++] = now - pl->tsc;
	if (opt.check && (l->cnt.received % CHECK_EVERY) == 0) {
		bool ok = port == PORT_AEND ? ip->src_addr == opt.expect_src && vlan == opt.vlan &&
						     ip->dst_addr == remote_addr(pl->flow) &&
						     udp->src_port == ext_port[pl->flow]
					    : ip->dst_addr == inside_addr(pl->flow) &&
						     udp->dst_port == inside_port(pl->flow) && vlan == 0;

		ok = ok && rte_ipv4_cksum(ip) == 0;
		l->cnt.bad += !ok;
	}
drop:
	rte_pktmbuf_free(m);
}

static void poll_rx(struct lane *l, uint64_t now)
{
	struct rte_mbuf *m[BURST];
	uint16_t port, n, i;

	for (port = 0; port < 2; port++) {
		n = rte_eth_rx_burst(port, l->queue, m, BURST);
		for (i = 0; i < n; i++)
			receive_one(l, m[i], port, now);
	}
}

/* Single-threaded phases (learning, warming) poll every lane's queues. */
static void poll_all(uint64_t now)
{
	unsigned i;

	for (i = 0; i < n_lanes; i++)
		poll_rx(&lanes[i], now);
}

/* A lane counter (its offset in struct lane) added up over the lanes. */
static uint32_t lanes_total(size_t offset)
{
	uint32_t n = 0;
	unsigned i;

	for (i = 0; i < n_lanes; i++)
		n += *(const uint32_t *)(const void *)((const char *)&lanes[i] + offset);
	return n;
}

static uint32_t total_learned(void)
{
	return lanes_total(offsetof(struct lane, learned));
}

static uint32_t total_answered(void)
{
	return lanes_total(offsetof(struct lane, answered));
}

/*
 * Offers a burst of lane l's next flows in the given direction; returns how many the port took (-1:
 * no mbufs, nothing offered). Only the flows taken advance the lane's position, which wraps to its
 * first flow after its last.
 */
static int send_burst(struct lane *l, uint16_t port, uint64_t now)
{
	bool lan = port == PORT_LAN;
	uint32_t n = lan ? lane_flows(l, opt.flows) : l->n_aend_flows;
	uint32_t *next = lan ? &l->next_lan : &l->next_aend, k = *next;
	struct rte_mbuf *m[BURST];
	uint16_t i, sent;

	if (n == 0 || rte_pktmbuf_alloc_bulk(pool, m, BURST) != 0)
		return -1;
	for (i = 0; i < BURST; i++) {
		if (lan)
			build_in2out(m[i], l->queue + k * n_lanes, now);
		else
			build_out2in(m[i], l->aend_flows[k], now);
		if (++k == n)
			k = 0;
	}
	sent = rte_eth_tx_burst(port, l->queue, m, BURST);
	if (sent < BURST)
		rte_pktmbuf_free_bulk(m + sent, BURST - sent);
	*next = (uint32_t)(((uint64_t)*next + sent) % n);
	return sent;
}

static void drain(struct lane *l, double seconds)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(seconds * (double)rte_get_tsc_hz());

	while (rte_rdtsc() < end)
		if (l != NULL)
			poll_rx(l, rte_rdtsc());
		else
			poll_all(rte_rdtsc());
}

/* One lane's part of a trial (an lcore function): l->pps for l->seconds. */
static int lane_trial(void *arg)
{
	struct lane *l = arg;
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), end = start + (uint64_t)(l->seconds * (double)hz);
	uint64_t gap = l->pps > 0 ? (uint64_t)((double)hz * BURST / l->pps) : 0, next = start, now;
	unsigned turn = 0;

	memset(&l->cnt, 0, sizeof(l->cnt));
	while ((now = rte_rdtsc()) < end && !interrupted) {
		poll_rx(l, now);
		if (now < next)
			continue;
		next += gap;
		if (opt.mode == MODE_OUT2IN || (opt.mode == MODE_BIDIR && (turn++ & 1)))
			l->cnt.offered += send_burst(l, PORT_AEND, now) >= 0 ? BURST : 0;
		else
			l->cnt.offered += send_burst(l, PORT_LAN, now) >= 0 ? BURST : 0;
	}
	drain(l, 0.2);
	return 0;
}

/* Runs fn on every lane at once, the main lcore being lane 0. */
static void on_all_lanes(lcore_function_t *fn)
{
	unsigned lcore, i = 1;

	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(fn, &lanes[i++], lcore);
	fn(&lanes[0]);
	rte_eal_mp_wait_lcore();
}

/* Adds up the lanes' counts into cnt and their latency samples into samples. */
static void gather(void)
{
	unsigned i;

	memset(&cnt, 0, sizeof(cnt));
	for (i = 0; i < n_lanes; i++) {
		const struct counts *c = &lanes[i].cnt;

		memmove(samples + cnt.latency_n, lanes[i].samples, c->latency_n * sizeof(samples[0]));
		cnt.offered += c->offered;
		cnt.received += c->received;
		cnt.bad += c->bad;
		cnt.latency_n += c->latency_n;
	}
}

/*
 * Offers `pps` in all (0: as fast as the generator goes) for `seconds`, shared evenly by the lanes;
 * counts in cnt. For out2in and bidir only learned flows are sent out2in (all of them, after learn()).
 */
static void trial(double pps, double seconds)
{
	unsigned i;

	for (i = 0; i < n_lanes; i++) {
		lanes[i].pps = pps / n_lanes;
		lanes[i].seconds = seconds;
	}
	on_all_lanes(lane_trial);
	gather();
}

static bool waits_for_mapping(uint32_t f) { return ext_port[f] == 0; }
static bool waits_for_reply(uint32_t f) { return !answered[f] && ext_port[f] != 0; }

/*
 * Sends each flow of [0, n) that `waiting` still holds back once out of `port` (made by `make`), on
 * the queue of the lane `lane_of` gives it, at a gentle 2 Mpps from the main lcore alone, in rounds
 * until `done()` reaches n or six rounds have passed.
 */
static void rounds_until(uint32_t n, uint16_t port, bool (*waiting)(uint32_t),
			 void (*make)(struct rte_mbuf *, uint32_t, uint64_t), unsigned (*lane_of)(uint32_t),
			 uint32_t (*done)(void))
{
	unsigned round, q;

	for (round = 0; round < 6 && done() < n; round++) {
		uint64_t hz = rte_get_tsc_hz(), gap = hz * BURST / 2000000, next = rte_rdtsc();

		for (q = 0; q < n_lanes; q++) {
			uint32_t f = 0;

			while (f < n && !interrupted) {
				struct rte_mbuf *m[BURST];
				uint16_t k = 0, sent;
				uint64_t now = rte_rdtsc();

				poll_all(now);
				if (now < next)
					continue;
				next += gap;
				if (rte_pktmbuf_alloc_bulk(pool, m, BURST) != 0)
					continue;
				for (; f < n && k < BURST; f++)
					if (lane_of(f) == q && waiting(f))
						make(m[k++], f, now);
				sent = rte_eth_tx_burst(port, q, m, k);
				rte_pktmbuf_free_bulk(m + sent, BURST - sent);
			}
		}
		drain(NULL, round == 0 ? 1.0 : 0.5); /* the first round also waits for ARP */
	}
}

static unsigned in2out_lane(uint32_t f)
{
	return f % n_lanes;
}

/* Flows [0, n) once in2out, each on its lane's queue, until all are learned: the device's sessions
 * (each on the worker of that queue) and neighbours, our external mappings. */
static void learn(uint32_t n)
{
	rounds_until(n, PORT_LAN, waits_for_mapping, build_in2out, in2out_lane, total_learned);
}

/* Replies to flows [0, n) once, until each reached its host: the device resolves the LAN hosts'
 * MACs, as a network that has been running has. Then each lane gets the list of the replies it
 * sends in the trials. */
static void warm_replies(uint32_t n)
{
	uint32_t f;
	unsigned i;

	rounds_until(n, PORT_AEND, waits_for_reply, build_out2in, reply_lane, total_answered);
	for (i = 0; i < n_lanes; i++)
		lanes[i].n_aend_flows = 0;
	for (f = 0; f < n; f++) {
		struct lane *l = &lanes[reply_lane(f)];

		l->aend_flows[l->n_aend_flows++] = f;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double percentile_us(double p)
{
	uint64_t i;

	if (cnt.latency_n == 0)
		return 0;
	i = (uint64_t)(p * (double)(cnt.latency_n - 1));
	return (double)samples[i] * 1e6 / (double)rte_get_tsc_hz();
}

static bool passes(void)
{
	return cnt.offered > 0 &&
	       (double)(cnt.offered - RTE_MIN(cnt.received, cnt.offered)) <= opt.loss * (double)cnt.offered;
}

static const char *mode_name(enum mode m)
{
	static const char *names[] = {"in2out", "out2in", "bidir", "new"};

	return names[m];
}

/* Jiffies of `cpu` so far, from /proc/stat: busy (all but idle and iowait), in softirq, in all. */
struct cpu_time {
	uint64_t busy, softirq, total;
};

static void cpu_time(int cpu, struct cpu_time *t)
{
	char name[16], line[256];
	FILE *f = fopen("/proc/stat", "r");

	memset(t, 0, sizeof(*t));
	if (f == NULL)
		return;
	snprintf(name, sizeof(name), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long v[8] = {0};

		if (strncmp(line, name, strlen(name)) != 0)
			continue;
		if (sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			t->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
			t->busy = t->total - v[3] - v[4];
			t->softirq = v[6];
		}
		break;
	}
	fclose(f);
}

/* The RFC 2544 search; prints the result. */
static void search(void)
{
	double lo = 0, hi, ceiling, best_pps = 0, rate, mfr, dut_cpu = -1, dut_softirq = -1;
	double lane_mfr[MAX_LANES];
	struct cpu_time t0, t1;
	uint64_t bad = 0;
	unsigned step, i;

	cpu_time(opt.watch_cpu, &t0);
	trial(0, opt.trial_s); /* the generator's own ceiling, on this very path */
	cpu_time(opt.watch_cpu, &t1);
	if (opt.watch_cpu >= 0 && t1.total > t0.total) {
		dut_cpu = (double)(t1.busy - t0.busy) / (double)(t1.total - t0.total);
		dut_softirq = (double)(t1.softirq - t0.softirq) / (double)(t1.total - t0.total);
	}
	ceiling = hi = (double)cnt.offered / opt.trial_s;
	mfr = (double)cnt.received / opt.trial_s;
	for (i = 0; i < n_lanes; i++) /* what came back on queue i: what the device's worker i sent */
		lane_mfr[i] = (double)lanes[i].cnt.received / opt.trial_s;
	bad += cnt.bad;
	if (passes()) {
		best_pps = hi;
	} else {
		for (step = 0; step < opt.steps && !interrupted; step++) {
			rate = (lo + hi) / 2;
			trial(rate, opt.trial_s);
			bad += cnt.bad;
			if (passes()) {
				lo = rate;
				best_pps = (double)cnt.offered / opt.trial_s;
			} else {
				hi = rate;
			}
		}
	}
	memset(&cnt, 0, sizeof(cnt));
	if (best_pps > 0) {
		trial(best_pps / 2, opt.trial_s);
		bad += cnt.bad;
		qsort(samples, cnt.latency_n, sizeof(samples[0]), cmp_u64);
	}
	printf("{\"mode\":\"%s\",\"flows\":%u,\"frame\":%u,\"lanes\":%u,\"steer\":\"%s\",\"learned\":%u,"
	       "\"answered\":%u,\"mfr_mpps\":%.4f,\"ndr_mpps\":%.4f,\"gen_ceiling_mpps\":%.4f,"
	       "\"generator_bound\":%s,\"mfr_by_lane_mpps\":[",
	       mode_name(opt.mode), opt.flows, opt.size, n_lanes, opt.steer_owner ? "owner" : "hash", total_learned(),
	       total_answered(), mfr / 1e6, best_pps / 1e6, ceiling / 1e6,
	       mfr >= GENERATOR_BOUND * ceiling ? "true" : "false");
	for (i = 0; i < n_lanes; i++)
		printf("%s%.4f", i ? "," : "", lane_mfr[i] / 1e6);
	printf("],\"dut_cpu_busy\":%.3f,\"dut_cpu_softirq\":%.3f,\"latency_us\":{\"p50\":%.2f,\"p99\":%.2f,"
	       "\"p999\":%.2f},\"checked_bad\":%" PRIu64 "}\n",
	       dut_cpu, dut_softirq, percentile_us(0.5), percentile_us(0.99), percentile_us(0.999), bad);
}

/* One lane's part of the new-connection run: its flows from WARM_FLOWS on, as fast as the device
 * takes them (a frame its full ring refuses is offered again), once each. */
static int lane_new(void *arg)
{
	struct lane *l = arg;
	uint32_t first = lane_flows(l, WARM_FLOWS), n = lane_flows(l, opt.flows);
	unsigned q = 0;

	memset(&l->cnt, 0, sizeof(l->cnt));
	memset(l->quarter_rx, 0, sizeof(l->quarter_rx));
	l->next_lan = first;
	l->quarter_tsc[0] = rte_rdtsc();
	/* send_burst wraps to the lane's flow 0 after its last: that ends the run. */
	while (l->next_lan >= first && l->next_lan + BURST <= n && !interrupted) {
		uint64_t now = rte_rdtsc();
		int taken;

		poll_rx(l, now);
		taken = send_burst(l, PORT_LAN, now);
		l->cnt.offered += (uint64_t)RTE_MAX(taken, 0);
		l->quarter_rx[q] = l->cnt.received;
		if (q < 3 && l->next_lan >= (uint64_t)n * (q + 1) / 4)
			l->quarter_tsc[++q] = now;
	}
	while (q < 4)
		l->quarter_tsc[++q] = rte_rdtsc();
	drain(l, 0.5);
	return 0;
}

/* New connections: every frame a new flow until --flows are used; the rate at which translated
 * frames come back, per quarter of the fill (the lanes' rates added up). The first WARM_FLOWS only
 * warm up (ARP). */
static void new_connections(void)
{
	uint64_t hz = rte_get_tsc_hz(), start = UINT64_MAX, end = 0;
	double by_quarter[4] = {0};
	unsigned q, i;

	learn(WARM_FLOWS);
	on_all_lanes(lane_new);
	gather();
	for (i = 0; i < n_lanes; i++) {
		const struct lane *l = &lanes[i];

		start = RTE_MIN(start, l->quarter_tsc[0]);
		end = RTE_MAX(end, l->quarter_tsc[4]);
		for (q = 0; q < 4; q++)
			by_quarter[q] += (double)(l->quarter_rx[q] - (q ? l->quarter_rx[q - 1] : 0)) * (double)hz /
					 (double)RTE_MAX(l->quarter_tsc[q + 1] - l->quarter_tsc[q], (uint64_t)1);
	}
	printf("{\"mode\":\"new\",\"flows\":%u,\"frame\":%u,\"lanes\":%u,\"sent\":%" PRIu64 ",\"created\":%" PRIu64
	       ",\"offered_mcps\":%.4f,\"mcps_by_quarter\":[",
	       opt.flows, opt.size, n_lanes, cnt.offered, cnt.received,
	       (double)cnt.offered * (double)hz / (double)RTE_MAX(end - start, (uint64_t)1) / 1e6);
	for (q = 0; q < 4; q++)
		printf("%s%.4f", q ? "," : "", by_quarter[q] / 1e6);
	printf("],\"checked_bad\":%" PRIu64 "}\n", cnt.bad);
}

static int parse(int argc, char **argv)
{
	static const struct option longs[] = {
		{"mode", 1, NULL, 'm'}, {"flows", 1, NULL, 'f'}, {"size", 1, NULL, 's'}, {"trial", 1, NULL, 't'},
		{"steps", 1, NULL, 'n'}, {"loss", 1, NULL, 'l'}, {"vlan", 1, NULL, 'v'}, {"check", 0, NULL, 'c'},
		{"expect-src", 1, NULL, 'e'}, {"hold", 0, NULL, 'h'}, {"dut-macs", 1, NULL, 'd'},
		{"watch-cpu", 1, NULL, 'w'}, {"steer", 1, NULL, 'r'}, {NULL, 0, NULL, 0},
	};
	struct in_addr a;
	int c;

	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'm':
			for (opt.mode = MODE_IN2OUT; opt.mode <= MODE_NEW; opt.mode++)
				if (strcmp(optarg, mode_name(opt.mode)) == 0)
					break;
			if (opt.mode > MODE_NEW)
				return -1;
			break;
		case 'f': opt.flows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': opt.size = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 't': opt.trial_s = strtod(optarg, NULL); break;
		case 'n': opt.steps = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'l': opt.loss = strtod(optarg, NULL); break;
		case 'v': opt.vlan = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'c': opt.check = true; break;
		case 'h': opt.hold = true; break;
		case 'd': {
			char lan[32];

			if (sscanf(optarg, "%31[^,],", lan) != 1 || strchr(optarg, ',') == NULL ||
			    rte_ether_unformat_addr(lan, &dut_mac[PORT_LAN]) != 0 ||
			    rte_ether_unformat_addr(strchr(optarg, ',') + 1, &dut_mac[PORT_AEND]) != 0)
				return -1;
			break;
		}
		case 'w': opt.watch_cpu = (int)strtol(optarg, NULL, 0); break;
		case 'r':
			if (strcmp(optarg, "owner") != 0 && strcmp(optarg, "hash") != 0)
				return -1;
			opt.steer_owner = strcmp(optarg, "owner") == 0;
			break;
		case 'e':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return -1;
			opt.expect_src = a.s_addr;
			break;
		default: return -1;
		}
	}
	/* Frames must hold Ethernet, IPv4, UDP and the payload; flows fit the address plan (10.1/16 x 64). */
	if (opt.flows == 0 || opt.flows > (1u << 22) || (opt.mode == MODE_NEW && opt.flows < 16 * WARM_FLOWS) || opt.size < 64 || opt.size > 1518 || opt.trial_s <= 0)
		return -1;
	return 0;
}

static int port_start(uint16_t port)
{
	struct rte_eth_conf conf = {0};

	uint16_t q;

	if (rte_eth_dev_configure(port, (uint16_t)n_lanes, (uint16_t)n_lanes, &conf) != 0)
		return -1;
	for (q = 0; q < n_lanes; q++)
		if (rte_eth_rx_queue_setup(port, q, 1024, rte_eth_dev_socket_id(port), NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup(port, q, 1024, rte_eth_dev_socket_id(port), NULL) != 0)
			return -1;
	if (rte_eth_dev_start(port) != 0 || rte_eth_macaddr_get(port, &mac[port]) != 0)
		return -1;
	rte_eth_promiscuous_enable(port);
	return 0;
}

/* Both ports started first: a memif link comes up when the device under test connects to it. */
static int ports_up(void)
{
	struct rte_eth_link link;
	uint16_t port;
	unsigned i;

	if (port_start(PORT_LAN) != 0 || port_start(PORT_AEND) != 0)
		return -1;
	for (port = 0; port < 2; port++) {
		for (i = 0; i < 300; i++) {
			if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
				break;
			rte_delay_ms(100);
		}
		if (i == 300) {
			fprintf(stderr, "secnat_gen: port %u: no link after 30 s\n", port);
			return -1;
		}
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	interrupted = true;
}

int main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv);

	if (n < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed\n");
	if (parse(argc - n, argv + n) != 0)
		rte_exit(EXIT_FAILURE, "usage: secnat_gen [EAL] -- --mode in2out|out2in|bidir|new --flows N "
				       "[--size 64..1518] [--trial S] [--steps N] [--loss F] [--vlan V] "
				       "[--check --expect-src A.B.C.D] [--hold] [--dut-macs LAN,AEND] "
				       "[--watch-cpu N] [--steer owner|hash]\n");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (rte_eth_dev_count_avail() < 2)
		rte_exit(EXIT_FAILURE, "two ports needed: LAN side, A-end side\n");
	n_lanes = rte_lcore_count();
	if (n_lanes > MAX_LANES)
		rte_exit(EXIT_FAILURE, "at most %d lcores (lanes)\n", MAX_LANES);
	pool = rte_pktmbuf_pool_create("gen", N_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	ext_addr = rte_zmalloc("ext_addr", sizeof(*ext_addr) * opt.flows, 0);
	ext_port = rte_zmalloc("ext_port", sizeof(*ext_port) * opt.flows, 0);
	answered = rte_zmalloc("answered", opt.flows, 0);
	samples = rte_malloc("samples", sizeof(*samples) * MAX_SAMPLES, 0);
	if (pool == NULL || ext_addr == NULL || ext_port == NULL || answered == NULL || samples == NULL)
		rte_exit(EXIT_FAILURE, "out of memory\n");
	for (unsigned i = 0; i < n_lanes; i++) {
		lanes[i].queue = (uint16_t)i;
		lanes[i].samples = samples + (size_t)i * (MAX_SAMPLES / n_lanes);
		lanes[i].aend_flows = rte_malloc("aend_flows", sizeof(uint32_t) * opt.flows, 0);
		if (lanes[i].aend_flows == NULL)
			rte_exit(EXIT_FAILURE, "out of memory\n");
	}
	if (ports_up() != 0)
		rte_exit(EXIT_FAILURE, "ports not up\n");
	if (opt.mode == MODE_NEW) {
		new_connections();
	} else {
		learn(opt.flows);
		if (total_learned() < opt.flows)
			fprintf(stderr, "secnat_gen: only %u of %u flows learned\n", total_learned(), opt.flows);
		if (opt.mode != MODE_IN2OUT)
			warm_replies(opt.flows);
		search();
	}
	fflush(stdout);
	while (opt.hold && !interrupted)
		rte_delay_ms(10);
	rte_eal_cleanup();
	return 0;
}
