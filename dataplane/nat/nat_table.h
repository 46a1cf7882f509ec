/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker connection table: one writer (the owning worker), any number of lock-free readers.
 *
 * - Records live in one fixed array, allocated once: a reader can never follow a freed pointer.
 * - One rte_hash maps every key kind to a record index (or, for HOST and EIM keys, a small value).
 *   Only the owning worker touches the hash, so it is created without any concurrency flags: no
 *   locks, no atomic read-modify-write.
 * - Expiry is a timer wheel of one-second slots. A packet only stamps last_seen; when a slot comes
 *   due, each session in it is either expired or moved to the slot of its real deadline. Each
 *   refresh costs at most one later move, so expiry is O(1) amortised and never scans the table.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_hash.h>
#include <rte_hash_crc.h>

#include "nat_session.h"

#define NAT_WHEEL_SLOTS 8192 /* > the 7440 s TCP timeout: most sessions need no second lap */

struct nat_table_params {
	const char *name; /* unique among hashes of the process */
	int socket;
	uint32_t capacity;       /* sessions, live and held back */
	uint32_t host_capacity;  /* distinct inside hosts tracked for the per-host limit */
	uint32_t eim_capacity;   /* endpoint-independent mappings; 0 when that mode is not used */
};

struct nat_table {
	struct rte_hash *hash;
	struct nat_session *sessions;
	uint32_t capacity;
	uint32_t hash_seed;
	uint32_t *free_stack;
	uint32_t n_free;
	uint32_t *wheel;       /* NAT_WHEEL_SLOTS list heads */
	uint32_t wheel_cursor; /* next second to process */
};

int nat_table_init(struct nat_table *t, const struct nat_table_params *params);
void nat_table_fini(struct nat_table *t);

static inline hash_sig_t nat_key_hash(const struct nat_table *t, const struct nat_key *key)
{
	return rte_hash_crc(key, sizeof(*key), t->hash_seed);
}

/* Single-key lookup; returns the stored value or -ENOENT. */
static inline int64_t nat_table_lookup(const struct nat_table *t, const struct nat_key *key,
				       hash_sig_t sig)
{
	void *data;

	if (rte_hash_lookup_with_hash_data(t->hash, key, sig, &data) < 0)
		return -1;
	return (int64_t)(uintptr_t)data;
}

/* Inserts or overwrites `key` with `value`. Returns 0 or a negative errno. */
int nat_table_set(struct nat_table *t, const struct nat_key *key, hash_sig_t sig, uint64_t value);
void nat_table_del(struct nat_table *t, const struct nat_key *key, hash_sig_t sig);

/* Takes a free record (NAT_NIL if none) and gives one back. */
uint32_t nat_record_take(struct nat_table *t);
void nat_record_give(struct nat_table *t, uint32_t idx);

/* Files session `idx` in the wheel slot of second `at` / takes it out. */
void nat_wheel_insert(struct nat_table *t, uint32_t idx, uint32_t at);
void nat_wheel_remove(struct nat_table *t, uint32_t idx);
/* Pops one session from the slot at the cursor, advancing the cursor up to `now` over empty
 * slots. Returns NAT_NIL when nothing up to `now` is left. */
uint32_t nat_wheel_pop_due(struct nat_table *t, uint32_t now);

/*
 * Seqlock write section around changes of a record's identity (owning worker only). Instead of
 * fences, every field store inside the section is a release store and every reader load an acquire
 * load: a reader that sees any new field value then also sees the odd sequence number. On x86 these
 * are plain moves; ThreadSanitizer understands them, which it does not fences.
 */
static inline void nat_record_write_begin(struct nat_session *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
}

static inline void nat_record_write_end(struct nat_session *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

/* Per-packet fields: one word each, stored atomically so readers never see half a value. */
static inline void nat_record_touch(struct nat_session *s, uint32_t now)
{
	__atomic_store_n(&s->last_seen, now, __ATOMIC_RELAXED);
}

static inline void nat_record_set_state(struct nat_session *s, enum nat_state state)
{
	__atomic_store_n(&s->state, (uint8_t)state, __ATOMIC_RELEASE);
}

#define NAT_RECORD_STORE(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELEASE)

/* A consistent copy of one record, as a reader on any thread sees it. */
struct nat_session_view {
	uint8_t proto;
	uint8_t state;
	uint16_t pool;
	rte_be32_t inside_addr, outside_addr, remote_addr;
	rte_be16_t inside_port, outside_port, remote_port;
	uint32_t last_seen;
};

/*
 * Copies record `idx` without locking, from any thread. Returns true with `view` filled when the
 * record holds a live session (not free, not held back); false otherwise. Never returns a mix of
 * two sessions.
 */
bool nat_table_read(const struct nat_table *t, uint32_t idx, struct nat_session_view *view);
