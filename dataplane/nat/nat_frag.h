/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shallow virtual reassembly: fragments are translated, never reassembled.
 *
 * Only the first fragment carries the ports, so it decides the translation; the table remembers that
 * decision per datagram (source, destination, IP ID, protocol, direction) so that later fragments can
 * follow it. Fragments that arrive before the first are held, a few per datagram, until it comes or
 * the datagram times out. Memory is bounded: a fixed number of entries, a fixed number of fragments
 * each, and held fragments are mbufs taken from the pool that forwarding needs, so they are bounded
 * again: in total (the pool is sized with that share set aside, runtime.c) and per source, so that
 * one sender's never-completed datagrams cannot take what everyone else's need. Sources are counted
 * in hashed buckets: a collision only makes two sources share one bound.
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
#define NAT_FRAG_HELD_DEFAULT 1024 /* fragments a worker may hold waiting for their first */
#define NAT_FRAG_SOURCES 64        /* buckets of sources, each with its own bounds */
#define NAT_FRAG_SOURCE_SHARE 4    /* one bucket may take 1/4 of the entries and of the held */

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
	uint32_t held, held_max; /* fragments held, in all datagrams */
	uint16_t src_entries_max, src_held_max;
	uint16_t src_entries[NAT_FRAG_SOURCES], src_held[NAT_FRAG_SOURCES];
};

/* `held_max`: how many fragments may wait for their first at once (0: NAT_FRAG_HELD_DEFAULT). */
int nat_frag_init(struct nat_frag_table *ft, uint32_t n_slots, uint32_t held_max, int socket);
/* Frees the table and every fragment still held; returns how many were held. */
uint32_t nat_frag_fini(struct nat_frag_table *ft);

/*
 * The entry of the datagram `info` belongs to, created if needed with a lifetime of `lifetime`
 * seconds. NULL (with *why set) when the table has no room, or the source has its share of it. Held
 * fragments of timed-out entries met on the way are freed and added to *orphans.
 */
struct nat_frag *nat_frag_get(struct nat_frag_table *ft, enum nat_dir dir, const struct pkt_info *info,
			      uint32_t now, uint32_t lifetime, uint64_t *orphans, enum pkt_drop *why);

/* Records the byte range of fragment `info` in `e`; refuses overlaps and too many pieces. */
enum pkt_drop nat_frag_add_range(struct nat_frag *e, const struct pkt_info *info);

/* True once every byte of the datagram has passed: the entry can go. */
bool nat_frag_complete(const struct nat_frag *e);

/*
 * Holds `m` in `e` until the first fragment comes. False, and nothing held, when the worker or the
 * source already holds its share.
 */
bool nat_frag_hold(struct nat_frag_table *ft, struct nat_frag *e, struct rte_mbuf *m);

/* The held fragments leave the table (to be sent): returns how many, in e->held[0..n). */
uint8_t nat_frag_take_held(struct nat_frag_table *ft, struct nat_frag *e);

/* Frees the entry and whatever it holds; returns how many fragments were freed. */
uint32_t nat_frag_release(struct nat_frag_table *ft, struct nat_frag *e);

/* Looks at `budget` slots, freeing entries that timed out. Returns held fragments freed. */
uint64_t nat_frag_sweep(struct nat_frag_table *ft, uint32_t now, uint32_t budget);
