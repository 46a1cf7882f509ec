/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Makes a kernel interface speak 802.1Q on a kernel without the 8021q module, for the lab's
 * "Salesforce" peer: frames leaving get VLAN_ID pushed, frames arriving with VLAN_ID are popped, and
 * frames with any other tag (or none) are dropped, as a VLAN subinterface would.
 * Built with clang -target bpf; attached with tc (clsact, direct action) to ingress and egress.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef VLAN_ID
#define VLAN_ID 100
#endif

SEC("tc/egress")
int vlan_push(struct __sk_buff *skb)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VLAN_ID) != 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

SEC("tc/ingress")
int vlan_pop(struct __sk_buff *skb)
{
	/* The tag is either still in the frame or already lifted into skb metadata by the driver. */
	if (skb->vlan_present) {
		if ((skb->vlan_tci & 0x0fff) != VLAN_ID)
			return TC_ACT_SHOT;
		return bpf_skb_vlan_pop(skb) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
	}
	if (skb->protocol != bpf_htons(ETH_P_8021Q))
		return TC_ACT_SHOT;
	{
		void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
		__u16 *tci = data + ETH_HLEN;

		if ((void *)(tci + 1) > end || (bpf_ntohs(*tci) & 0x0fff) != VLAN_ID)
			return TC_ACT_SHOT;
	}
	return bpf_skb_vlan_pop(skb) == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
