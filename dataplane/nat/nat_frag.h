/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shallow virtual reassembly: fragments are translated, never reassembled.
 *
 * Only the first fragment carries the ports, so it decides the translation; the table remembers that
 * decision per datagram (source, destination, IP ID, protocol, direction) so that later fragments can
 * follow it. Fragments that arrive before the first are held, a few per datagram, until it comes or
 * the datagram times out. Memory is bounded: a fixed number of entries, a fixed number of fragments
 * each.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>

#include "nat_tcp.h"
#include "pkt_drop.h"
#include "pkt_parse.h"

#define NAT_FRAG_MAX_PIECES 16 /* fragments per datagram: a 64 KiB datagram over 4 KiB MTU */
#define NAT_FRAG_PROBE 8

struct nat_frag_range {
	uint16_t start, end; /* byte offsets in the datagram, end exclusive */
};

struct nat_frag {
	rte_be32_t src, dst;
	rte_be16_t id;
	uint8_t proto;
	uint8_t dir;     /* enum nat_dir; 0xff: slot free */
	uint32_t expires;
	uint8_t have_first;
	uint8_t n_ranges;
	uint8_t n_held;
	uint8_t have_last;
	uint16_t total;  /* datagram length, known once the last fragment arrived */
	rte_be32_t new_addr; /* translated source (in2out) or destination (out2in) */
	rte_be16_t new_id;   /* translated IP ID (in2out) */
	struct nat_frag_range ranges[NAT_FRAG_MAX_PIECES];
	struct rte_mbuf *held[NAT_FRAG_MAX_PIECES];
};

struct nat_frag_table {
	struct nat_frag *slots;
	uint32_t mask;
	uint32_t sweep; /* next slot the periodic sweep looks at */
};

int nat_frag_init(struct nat_frag_table *ft, uint32_t n_slots, int socket);
/* Frees the table and every fragment still held; returns how many were held. */
uint32_t nat_frag_fini(struct nat_frag_table *ft);

/*
 * The entry of the datagram `info` belongs to, created if needed with a lifetime of `lifetime`
 * seconds. NULL (with *why set) when the table has no room. Held fragments of timed-out entries met
 * on the way are freed and added to *orphans.
 */
struct nat_frag *nat_frag_get(struct nat_frag_table *ft, enum nat_dir dir, const struct pkt_info *info,
			      uint32_t now, uint32_t lifetime, uint64_t *orphans, enum pkt_drop *why);

/* Records the byte range of fragment `info` in `e`; refuses overlaps and too many pieces. */
enum pkt_drop nat_frag_add_range(struct nat_frag *e, const struct pkt_info *info);

/* True once every byte of the datagram has passed: the entry can go. */
bool nat_frag_complete(const struct nat_frag *e);

static inline void nat_frag_release(struct nat_frag *e)
{
	e->dir = 0xff;
}

/* Looks at `budget` slots, freeing entries that timed out. Returns held fragments freed. */
uint64_t nat_frag_sweep(struct nat_frag_table *ft, uint32_t now, uint32_t budget);
