/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive-side scaling for a TAP port, done the way a NIC does it: the Toeplitz hash of the IPv4
 * (source, destination, source port, destination port) under a key, an indirection table (RETA)
 * indexed by the hash's low bits, the queue it names. Installed with TUNSETSTEERINGEBPF: the kernel
 * runs it for every frame it sends into the TAP and delivers the frame to queue (return value mod
 * queues), i.e. to the DPDK RX queue of that index.
 *
 * DPDK's TAP driver has no RSS of its own on a kernel without multiq/flower, and the kernel's own
 * choice (its flow hash) cannot be computed in advance. With this program secnat knows the key and
 * the RETA, so it can pick external ports whose replies come back to the worker that made the
 * session (dataplane/nat/nat_rss.h). TCP and UDP are hashed with their ports; other IPv4 and
 * fragments on addresses alone, as NICs do; anything else goes to queue 0.
 *
 * Built with clang -target bpf and embedded in secnat (control/meson.build).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tun_steering.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tun_steering_conf);
} steering_conf SEC(".maps");

/* Toeplitz over `len` bytes of input (at most 12), most significant bit first. */
static __always_inline __u32 toeplitz(const __u8 *input, int len, const __u8 *key)
{
	__u32 window = (__u32)key[0] << 24 | (__u32)key[1] << 16 | (__u32)key[2] << 8 | key[3];
	__u32 hash = 0;
	int i, bit;

#pragma unroll
	for (i = 0; i < 12; i++) {
		__u8 next = key[i + 4];

		if (i >= len)
			break;
#pragma unroll
		for (bit = 7; bit >= 0; bit--) {
			if (input[i] & (1u << bit))
				hash ^= window;
			window = window << 1 | ((next >> bit) & 1u);
		}
	}
	return hash;
}

SEC("socket")
int tun_steer(struct __sk_buff *skb)
{
	const struct tun_steering_conf *conf;
	__u32 zero = 0, off = ETH_HLEN;
	__u8 tuple[12];
	struct iphdr ip;
	__be16 proto;
	int len = 8;

	conf = bpf_map_lookup_elem(&steering_conf, &zero);
	if (conf == NULL)
		return 0;
	/* A VLAN tag is usually still in skb metadata here; one already in the frame is skipped. */
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)) < 0)
		return 0;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		if (bpf_skb_load_bytes(skb, 16, &proto, sizeof(proto)) < 0)
			return 0;
		off += 4;
	}
	if (proto != bpf_htons(ETH_P_IP) || bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) < 0)
		return 0;
	__builtin_memcpy(tuple, &ip.saddr, 4);
	__builtin_memcpy(tuple + 4, &ip.daddr, 4);
	if ((ip.protocol == IPPROTO_TCP || ip.protocol == IPPROTO_UDP) &&
	    (ip.frag_off & bpf_htons(0x3fff)) == 0 &&
	    bpf_skb_load_bytes(skb, off + ip.ihl * 4u, tuple + 8, 4) == 0)
		len = 12;
	return conf->reta[toeplitz(tuple, len, conf->key) & conf->reta_mask & (TUN_STEERING_RETA - 1)];
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
