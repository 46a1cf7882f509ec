/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The lab's attacker: floods of crafted frames from a namespace's interface, paced and bounded, for
 * the robustness tests (tests/lab/test_attacks.sh). Frames leave through a packet socket, so a tc
 * program on the interface (the A-end's VLAN tagging) still applies.
 *
 *   flood IFACE KIND RATE SECONDS SRC/LEN DST[:PORT] [DSTMAC]
 *
 * KIND:
 *   frag  UDP datagrams of which only the non-first fragments are sent (16 each, 1,480 bytes of
 *         data), never completed: what takes a reassembler's buffers
 *   syn   TCP SYNs from random ports to DST:PORT
 *   arp   ARP requests for DST from random sender addresses and MACs (broadcast)
 * SRC/LEN: each frame's source address is drawn from this prefix (/32: one source).
 * DSTMAC: the next hop's MAC (default broadcast). RATE: frames per second; SECONDS: how long.
 * Prints the number of frames sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define FRAME_MAX 1514
#define FRAG_PIECES 16
#define FRAG_DATA 1480

enum kind { KIND_FRAG, KIND_SYN, KIND_ARP };

struct target {
	uint32_t src_net, src_span; /* host order */
	uint32_t dst;               /* host order */
	uint16_t dport;
	uint8_t dmac[6], smac[6];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t pick_source(const struct target *t)
{
	return t->src_net + (t->src_span > 1 ? rnd() % t->src_span : 0);
}

/* Ethernet + IPv4 header; returns the IP header. */
static uint8_t *ip_frame(uint8_t *f, const struct target *t, uint32_t src, uint8_t proto, uint16_t ip_len,
			 uint16_t id, uint16_t frag)
{
	uint8_t *ip = f + 14;

	memcpy(f, t->dmac, 6);
	memcpy(f + 6, t->smac, 6);
	put16(f + 12, ETHERTYPE_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, ip_len);
	put16(ip + 4, id);
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, t->dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	return ip;
}

/* Fills frames[0..n) for the next sends; returns how many frames it built and their lengths. */
static unsigned build(enum kind kind, const struct target *t, uint8_t frames[][FRAME_MAX], size_t *len,
		      unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		uint32_t src = pick_source(t);
		uint8_t *f = frames[i];

		if (kind == KIND_FRAG) {
			/* One datagram's later pieces; the first (with the ports) is never sent. */
			uint16_t id = (uint16_t)rnd();
			unsigned k;

			for (k = 1; k <= FRAG_PIECES && i < n; k++, i++) {
				uint16_t off = (uint16_t)(k * FRAG_DATA / 8);

				f = frames[i];
				ip_frame(f, t, src, IPPROTO_UDP, 20 + FRAG_DATA, id, 0x2000 | off);
				memset(f + 34, 0xa5, FRAG_DATA);
				len[i] = 34 + FRAG_DATA;
			}
			continue;
		}
		if (kind == KIND_SYN) {
			uint8_t *ip = ip_frame(f, t, src, IPPROTO_TCP, 40, (uint16_t)rnd(), 0x4000), *tcp = ip + 20;
			uint8_t pseudo[12];

			memset(tcp, 0, 20);
			put16(tcp, (uint16_t)(1024 + rnd() % 64000));
			put16(tcp + 2, t->dport);
			put32(tcp + 4, rnd());
			tcp[12] = 5 << 4;
			tcp[13] = 0x02; /* SYN */
			put16(tcp + 14, 64240);
			memcpy(pseudo, ip + 12, 8);
			pseudo[8] = 0;
			pseudo[9] = IPPROTO_TCP;
			put16(pseudo + 10, 20);
			put16(tcp + 16, csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, 20)));
			len[i++] = 54;
			continue;
		}
		/* ARP request for DST from a random sender. */
		memset(f, 0xff, 6);
		memcpy(f + 6, t->smac, 6);
		put16(f + 12, ETHERTYPE_ARP);
		put16(f + 14, 1);
		put16(f + 16, ETHERTYPE_IP);
		f[18] = 6;
		f[19] = 4;
		put16(f + 20, 1);
		memcpy(f + 22, t->smac, 6);
		put32(f + 22 + 2, rnd()); /* a different sender MAC each time, same OUI */
		put32(f + 28, src);
		memset(f + 32, 0, 6);
		put32(f + 38, t->dst);
		memset(f + 42, 0, 18);
		len[i++] = 60;
	}
	return i;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6], i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int parse_target(const char *source, const char *dest, const char *mac, struct target *t)
{
	char buf[64], *slash, *colon;
	struct in_addr a;
	unsigned len = 32;

	snprintf(buf, sizeof(buf), "%s", source);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash = '\0';
		len = (unsigned)atoi(slash + 1);
	}
	if (inet_pton(AF_INET, buf, &a) != 1 || len < 8 || len > 32)
		return -1;
	t->src_span = 1u << (32 - len);
	t->src_net = ntohl(a.s_addr) & ~(t->src_span - 1);
	if (len < 31) { /* neither the network nor the broadcast address */
		t->src_net++;
		t->src_span -= 2;
	}
	snprintf(buf, sizeof(buf), "%s", dest);
	if ((colon = strchr(buf, ':')) != NULL) {
		*colon = '\0';
		t->dport = (uint16_t)atoi(colon + 1);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -1;
	t->dst = ntohl(a.s_addr);
	memset(t->dmac, 0xff, 6);
	return mac != NULL ? parse_mac(mac, t->dmac) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t frames[BATCH][FRAME_MAX];
	size_t len[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_halen = 6};
	struct target t = {0};
	struct ifreq ifr = {0};
	enum kind kind;
	double rate, seconds, start, next;
	uint64_t sent = 0, goal;
	int fd, i;

	if (argc < 7) {
		fprintf(stderr, "usage: %s IFACE frag|syn|arp RATE SECONDS SRC/LEN DST[:PORT] [DSTMAC]\n", argv[0]);
		return 2;
	}
	kind = !strcmp(argv[2], "frag") ? KIND_FRAG : !strcmp(argv[2], "syn") ? KIND_SYN
		: !strcmp(argv[2], "arp") ? KIND_ARP : (enum kind)-1;
	rate = atof(argv[3]);
	seconds = atof(argv[4]);
	if ((int)kind < 0 || rate <= 0 || rate > 2e6 || seconds <= 0 || seconds > 600) {
		fprintf(stderr, "flood: bad kind, rate (at most 2,000,000/s) or duration (at most 600 s)\n");
		return 2;
	}
	if (parse_target(argv[5], argv[6], argc > 7 ? argv[7] : NULL, &t) != 0) {
		fprintf(stderr, "flood: bad source prefix, destination or MAC\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		fprintf(stderr, "flood: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		fprintf(stderr, "flood: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memcpy(t.smac, ifr.ifr_hwaddr.sa_data, 6);
	memcpy(sll.sll_addr, t.dmac, 6);
	rng_state ^= (uint64_t)getpid() << 32 | (uint64_t)time(NULL);

	goal = (uint64_t)(rate * seconds);
	start = next = now_s();
	while (sent < goal) {
		unsigned n = build(kind, &t, frames, len, (unsigned)(goal - sent < BATCH ? goal - sent : BATCH));
		int done;

		for (i = 0; i < (int)n; i++) {
			iov[i] = (struct iovec){.iov_base = frames[i], .iov_len = len[i]};
			msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &sll, .msg_namelen = sizeof(sll),
							       .msg_iov = &iov[i], .msg_iovlen = 1}};
		}
		done = sendmmsg(fd, msgs, n, 0);
		if (done < 0 && errno != ENOBUFS && errno != EAGAIN) {
			fprintf(stderr, "flood: send: %s\n", strerror(errno));
			return 1;
		}
		sent += n; /* what the kernel could not queue counts as offered: the rate stays the rate */
		next += n / rate;
		for (double t_now = now_s(); t_now < next; t_now = now_s()) {
			double gap = next - t_now;

			if (gap > 0.0002) {
				struct timespec ts = {0, (long)((gap - 0.0001) * 1e9)};

				nanosleep(&ts, NULL);
			}
		}
		if (now_s() - start > seconds + 5)
			break; /* far behind the pace: the time bound holds regardless */
	}
	printf("%llu frames in %.2f s\n", (unsigned long long)sent, now_s() - start);
	return 0;
}
