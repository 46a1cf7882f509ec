/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A burst on its way into the NAT engine, gathered packet by packet by the worker.
 *
 * Adding a packet makes its session key and hash and starts fetching its home bucket, so that the
 * miss overlaps whatever the worker does with the packets after it (parsing, routing) instead of
 * joining a run of 32 prefetches issued back to back, more than a core keeps in flight at once.
 * nat_burst_run() then finds, translates and tracks them (nat_translate.c).
 */
#pragma once

#include <rte_icmp.h>
#include <rte_udp.h>

#include "nat_tcp.h"
#include "nat_worker.h"

enum nat_pkt_class {
	NAT_CLASS_KEYED,      /* has a session key */
	NAT_CLASS_ICMP_ERROR, /* translated through the session of the packet it quotes */
	NAT_CLASS_FRAG_LATER, /* follows the first fragment of its datagram */
	NAT_CLASS_DROP,
};

struct nat_burst {
	uint8_t dir; /* enum nat_dir */
	uint16_t n, n_keys;
	struct rte_mbuf *pkts[NAT_BURST_MAX];
	struct pkt_info *info[NAT_BURST_MAX]; /* the caller's pkt_parse() results, kept until the run */
	uint8_t class[NAT_BURST_MAX];
	uint8_t slot[NAT_BURST_MAX]; /* a keyed packet's key */
	uint8_t why[NAT_BURST_MAX];  /* enum pkt_drop, for NAT_CLASS_DROP */
	/* Per key: */
	struct nat_key keys[NAT_BURST_MAX];
	nat_hash_t hashes[NAT_BURST_MAX];
	uint16_t pool[NAT_BURST_MAX];
};

static inline void nat_burst_begin(struct nat_burst *b, enum nat_dir dir)
{
	b->dir = (uint8_t)dir;
	b->n = 0;
	b->n_keys = 0;
}

static __rte_always_inline enum nat_pkt_class nat_classify(enum nat_dir dir, const struct pkt_info *info,
							    struct nat_key *k, uint8_t *why)
{
	const struct rte_ipv4_hdr *ip = info->ip;
	bool in2out = dir == NAT_DIR_IN2OUT;
	enum nat_key_kind kind = in2out ? NAT_KEY_IN2OUT : NAT_KEY_OUT2IN;
	/* "local" is the inside host going out, our external address coming in. */
	rte_be32_t local = in2out ? ip->src_addr : ip->dst_addr;
	rte_be32_t remote = in2out ? ip->dst_addr : ip->src_addr;

	if ((info->flags & (PKT_F_FRAGMENT | PKT_F_FIRST_FRAG)) == PKT_F_FRAGMENT)
		return NAT_CLASS_FRAG_LATER;
	if (info->proto == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *icmp = info->l4;
		uint8_t query = in2out ? RTE_IP_ICMP_ECHO_REQUEST : RTE_IP_ICMP_ECHO_REPLY;

		if (icmp->icmp_type == query) {
			nat_key_fill(k, kind, IPPROTO_ICMP, local, icmp->icmp_ident, remote, 0);
			return NAT_CLASS_KEYED;
		}
		if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST && icmp->icmp_type != RTE_IP_ICMP_ECHO_REPLY)
			return NAT_CLASS_ICMP_ERROR; /* which rejects types that are not errors */
		*why = in2out ? PKT_DROP_icmp_unsupported_type : PKT_DROP_no_session;
		return NAT_CLASS_DROP;
	}
	{
		const struct rte_udp_hdr *ports = info->l4; /* TCP and UDP start alike */

		if (in2out)
			nat_key_fill(k, kind, info->proto, local, ports->src_port, remote, ports->dst_port);
		else
			nat_key_fill(k, kind, info->proto, local, ports->dst_port, remote, ports->src_port);
	}
	return NAT_CLASS_KEYED;
}

/* Adds `m`, parsed into `info` (which must stay as it is until the run), to a burst that holds
 * fewer than NAT_BURST_MAX; `pool` is the translation pool its route chose (in2out; 0 for out2in). */
static __rte_always_inline void nat_burst_add(const struct nat_worker *w, struct nat_burst *b,
					      struct rte_mbuf *m, struct pkt_info *info, uint16_t pool)
{
	uint16_t i = b->n++, k = b->n_keys;

	b->pkts[i] = m;
	b->info[i] = info;
	b->class[i] = (uint8_t)nat_classify((enum nat_dir)b->dir, info, &b->keys[k], &b->why[i]);
	if (b->class[i] != NAT_CLASS_KEYED)
		return;
	b->hashes[k] = nat_key_hash(&w->table, &b->keys[k]);
	nat_table_prefetch(&w->table, b->hashes[k]);
	b->pool[k] = pool;
	b->slot[i] = (uint8_t)k;
	b->n_keys = k + 1;
}

/*
 * Translates the burst: translated packets go to `out` (room for `out_cap`, which should exceed the
 * burst: fragments held from earlier bursts may be released); dropped ones are freed and counted.
 * Returns the number of packets in `out`. `now` is in seconds.
 */
uint16_t nat_burst_run(struct nat_worker *w, struct nat_burst *b, struct rte_mbuf **out, uint16_t out_cap,
		       uint32_t now);
