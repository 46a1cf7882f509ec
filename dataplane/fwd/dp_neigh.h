/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table as the workers read it: (port, IPv4 address) -> MAC, one lookup per packet
 * leaving the appliance.
 *
 * An open-addressing array of 16-byte slots with linear probing, written by the control thread
 * alone (rt_neigh.c) and read by the workers without locks:
 * - a slot's key, once set, never changes while the table is published; a new entry gets its MAC
 *   stored before its key (release), so a reader that sees the key also sees the MAC;
 * - a MAC changes or is withdrawn (0) by one atomic 64-bit store; a withdrawn slot keeps its key,
 *   so probe sequences stay intact;
 * - when keys of departed neighbours would fill half the slots, the control thread builds a
 *   compacted table, publishes it, and frees the old one after an RCU grace period.
 * It replaces an rte_hash lookup per packet (about 150 instructions, callgrind) with a probe of one
 * or two slots.
 */
#pragma once

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#define DP_NEIGH_MAC_VALID (1ull << 63)

struct dp_neigh_slot {
	uint64_t key; /* dp_neigh_key(); 0: never used */
	uint64_t mac; /* DP_NEIGH_MAC_VALID | MAC in the low 48 bits (as in memory); 0: unresolved */
};

struct dp_neigh_table {
	uint32_t mask;  /* slots - 1 */
	uint32_t keyed; /* slots with a key, resolved or not (control thread only) */
	struct dp_neigh_slot slots[];
};

static inline uint64_t dp_neigh_key(uint16_t port, rte_be32_t ip)
{
	return (uint64_t)port << 32 | ip;
}

static inline uint32_t dp_neigh_home(const struct dp_neigh_table *t, uint64_t key)
{
	return rte_hash_crc_8byte(key, 0x6e656967u) & t->mask;
}

/* The MAC word of `key` (DP_NEIGH_MAC_VALID set), or 0 when the neighbour is not resolved. */
static inline uint64_t dp_neigh_lookup(const struct dp_neigh_table *t, uint64_t key)
{
	uint32_t i = dp_neigh_home(t, key), n;

	/* At most half the slots hold keys: an empty slot ends every probe long before the bound. */
	for (n = 0; n <= t->mask; n++, i = (i + 1) & t->mask) {
		uint64_t k = __atomic_load_n(&t->slots[i].key, __ATOMIC_ACQUIRE);

		if (k == key)
			return __atomic_load_n(&t->slots[i].mac, __ATOMIC_RELAXED);
		if (k == 0)
			return 0;
	}
	return 0;
}
