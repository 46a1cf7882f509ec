/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "nat_frag.h"

#define SLOT_FREE 0xff

/* What one bucket of sources may take of `n`. */
static uint16_t share_of(uint32_t n)
{
	n /= NAT_FRAG_SOURCE_SHARE;
	return n == 0 ? 1 : n > UINT16_MAX ? UINT16_MAX : (uint16_t)n;
}

int nat_frag_init(struct nat_frag_table *ft, uint32_t n_slots, uint32_t held_max, int socket)
{
	uint32_t i;

	memset(ft, 0, sizeof(*ft));
	n_slots = rte_align32pow2(RTE_MAX(n_slots, (uint32_t)NAT_FRAG_PROBE));
	ft->held_max = held_max ? held_max : NAT_FRAG_HELD_DEFAULT;
	ft->src_entries_max = share_of(n_slots);
	ft->src_held_max = share_of(ft->held_max);
	ft->slots = rte_zmalloc_socket("nat_frag", sizeof(*ft->slots) * n_slots, RTE_CACHE_LINE_SIZE,
				       socket);
	if (ft->slots == NULL)
		return -ENOMEM;
	ft->mask = n_slots - 1;
	for (i = 0; i < n_slots; i++)
		ft->slots[i].dir = SLOT_FREE;
	return 0;
}

static inline uint32_t source_bucket(rte_be32_t src)
{
	return (rte_be_to_cpu_32(src) * 0x9e3779b1u) >> 26; /* NAT_FRAG_SOURCES = 64 */
}

uint8_t nat_frag_take_held(struct nat_frag_table *ft, struct nat_frag *e)
{
	uint8_t n = e->n_held;

	ft->held -= n;
	ft->src_held[source_bucket(e->src)] -= n;
	e->n_held = 0;
	return n;
}

static uint32_t free_held(struct nat_frag_table *ft, struct nat_frag *e)
{
	uint32_t n = nat_frag_take_held(ft, e), i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(e->held[i]);
	return n;
}

uint32_t nat_frag_release(struct nat_frag_table *ft, struct nat_frag *e)
{
	uint32_t freed = free_held(ft, e);

	ft->src_entries[source_bucket(e->src)]--;
	e->dir = SLOT_FREE;
	return freed;
}

bool nat_frag_hold(struct nat_frag_table *ft, struct nat_frag *e, struct rte_mbuf *m)
{
	uint32_t b = source_bucket(e->src);

	if (ft->held >= ft->held_max || ft->src_held[b] >= ft->src_held_max)
		return false;
	e->held[e->n_held++] = m; /* n_held <= n_ranges <= NAT_FRAG_MAX_PIECES */
	ft->held++;
	ft->src_held[b]++;
	return true;
}

uint32_t nat_frag_fini(struct nat_frag_table *ft)
{
	uint32_t freed = 0, i;

	if (ft->slots == NULL)
		return 0;
	for (i = 0; i <= ft->mask; i++)
		if (ft->slots[i].dir != SLOT_FREE)
			freed += nat_frag_release(ft, &ft->slots[i]);
	rte_free(ft->slots);
	ft->slots = NULL;
	return freed;
}

static bool entry_matches(const struct nat_frag *e, enum nat_dir dir, const struct rte_ipv4_hdr *ip)
{
	return e->dir == dir && e->src == ip->src_addr && e->dst == ip->dst_addr &&
	       e->id == ip->packet_id && e->proto == ip->next_proto_id;
}

static bool entry_expired(const struct nat_frag *e, uint32_t now)
{
	return (int32_t)(now - e->expires) >= 0;
}

struct nat_frag *nat_frag_get(struct nat_frag_table *ft, enum nat_dir dir, const struct pkt_info *info,
			      uint32_t now, uint32_t lifetime, uint64_t *orphans, enum pkt_drop *why)
{
	const struct rte_ipv4_hdr *ip = info->ip;
	uint32_t h = rte_hash_crc_4byte(ip->src_addr, ip->dst_addr ^ ((uint32_t)ip->packet_id << 8) ^
							      ip->next_proto_id ^ ((uint32_t)dir << 31));
	struct nat_frag *vacant = NULL;
	uint32_t i;

	for (i = 0; i < NAT_FRAG_PROBE; i++) {
		struct nat_frag *e = &ft->slots[(h + i) & ft->mask];

		if (e->dir != SLOT_FREE && entry_expired(e, now))
			*orphans += nat_frag_release(ft, e);
		if (e->dir == SLOT_FREE) {
			if (vacant == NULL)
				vacant = e;
			continue;
		}
		if (entry_matches(e, dir, ip))
			return e;
	}
	if (vacant == NULL || ft->src_entries[source_bucket(ip->src_addr)] >= ft->src_entries_max) {
		*why = PKT_DROP_frag_table_full;
		return NULL;
	}
	ft->src_entries[source_bucket(ip->src_addr)]++;
	memset(vacant, 0, offsetof(struct nat_frag, ranges));
	vacant->src = ip->src_addr;
	vacant->dst = ip->dst_addr;
	vacant->id = ip->packet_id;
	vacant->proto = ip->next_proto_id;
	vacant->dir = (uint8_t)dir;
	vacant->expires = now + lifetime;
	return vacant;
}

enum pkt_drop nat_frag_add_range(struct nat_frag *e, const struct pkt_info *info)
{
	uint16_t start = info->frag_off;
	uint32_t end = (uint32_t)start + info->l4_len;
	bool last = !(rte_be_to_cpu_16(info->ip->fragment_offset) & RTE_IPV4_HDR_MF_FLAG);
	uint8_t i;

	if (end > UINT16_MAX || (e->have_last && end > e->total) || (last && e->have_last))
		return PKT_DROP_frag_overlap;
	for (i = 0; i < e->n_ranges; i++)
		if (start < e->ranges[i].end && e->ranges[i].start < end)
			return PKT_DROP_frag_overlap;
	if (e->n_ranges == NAT_FRAG_MAX_PIECES)
		return PKT_DROP_frag_too_many;
	if (last) {
		for (i = 0; i < e->n_ranges; i++)
			if (e->ranges[i].end > end)
				return PKT_DROP_frag_overlap;
		e->have_last = 1;
		e->total = (uint16_t)end;
	}
	e->ranges[e->n_ranges].start = start;
	e->ranges[e->n_ranges].end = (uint16_t)end;
	e->n_ranges++;
	return PKT_DROP_NONE;
}

bool nat_frag_complete(const struct nat_frag *e)
{
	uint32_t covered = 0;
	uint8_t i;

	if (!e->have_last)
		return false;
	/* Ranges never overlap, so their lengths add up to the datagram exactly when it is whole. */
	for (i = 0; i < e->n_ranges; i++)
		covered += e->ranges[i].end - e->ranges[i].start;
	return covered == e->total;
}

uint64_t nat_frag_sweep(struct nat_frag_table *ft, uint32_t now, uint32_t budget)
{
	uint64_t freed = 0;

	while (budget--) {
		struct nat_frag *e = &ft->slots[ft->sweep++ & ft->mask];

		if (e->dir != SLOT_FREE && entry_expired(e, now))
			freed += nat_frag_release(ft, e);
	}
	return freed;
}
