/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker connection table: one writer (the owning worker), any number of lock-free readers.
 *
 * - Records live in one fixed array, allocated once: a reader can never follow a freed pointer.
 * - The session index maps both keys of every session (in2out and out2in) to its record. It stores
 *   no keys: an entry is a 16-bit signature and the record's index, and a match is confirmed against
 *   the record itself, whose fields are the key. Buckets are one cache line of eight entries; an
 *   entry that finds its bucket full goes to the next one, and the bucket it passed counts it
 *   (`overflow`), so a lookup stops at the first bucket that sent nothing on. Only the owning worker
 *   touches the index: no locks, no atomic read-modify-write.
 * - Per-host session counts live in a small open-addressing table of their own, and the keys of
 *   endpoint-independent mappings in an rte_hash (`aux`); both owned by the worker alone.
 * - Expiry is a timer wheel of one-second slots. A packet only stamps last_seen; when a slot comes
 *   due, each session in it is either expired or moved to the slot of its real deadline. Each
 *   refresh costs at most one later move, so expiry is O(1) amortised and never scans the table.
 *
 * Why not rte_hash for the sessions too: with two 16-byte keys per session it cost 228 bytes per
 * session (key slots, buckets, extendable buckets, free-slot ring) and about ten cache misses per new
 * session (bench/micro.sh); this index costs 25-40 bytes per session and one miss per key.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_prefetch.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "nat_session.h"

#define NAT_WHEEL_SLOTS 8192 /* > the 7440 s TCP timeout: most sessions need no second lap */
#define NAT_BUCKET_ENTRIES 8
#define NAT_REF_OUT2IN 0x80000000u /* an index entry's record reference: the key is the out2in one */
#define NAT_MAX_PROBE 32           /* buckets an insert may walk before the index counts as full */

struct nat_table_params {
	const char *name; /* unique among hashes of the process */
	int socket;
	uint32_t capacity;       /* sessions, live and held back */
	uint32_t host_capacity;  /* distinct inside hosts tracked for the per-host limit */
	uint32_t eim_capacity;   /* endpoint-independent mappings; 0 when that mode is not used */
	uint32_t block_keys;     /* port blocks and their hosts (nat_blocks.c) */
};

struct nat_bucket {
	uint16_t sig[NAT_BUCKET_ENTRIES]; /* 0: entry unused */
	uint32_t ref[NAT_BUCKET_ENTRIES]; /* record index, | NAT_REF_OUT2IN for an out2in key */
	uint16_t overflow; /* entries whose home is this bucket or an earlier one, placed further on */
} __rte_cache_aligned;

/* A key's hash: the bucket hash in the low 32 bits (also the aux hash's signature), the entry
 * signature above, from an independent mix so that keys sharing a bucket rarely share it. */
typedef uint64_t nat_hash_t;

struct nat_table {
	struct nat_bucket *buckets;
	uint32_t bucket_mask;
	uint32_t n_entries; /* keys in the index */
	struct nat_session *sessions;
	uint32_t capacity;
	uint32_t hash_seed;
	uint32_t *free_stack;
	uint32_t n_free;
	uint32_t *wheel;       /* NAT_WHEEL_SLOTS list heads */
	uint32_t wheel_cursor; /* next second to process */
	struct rte_hash *aux;  /* NAT_KEY_EIM_* keys */
	struct nat_host_slot *hosts;
	uint32_t host_mask, n_hosts, host_capacity;
};

int nat_table_init(struct nat_table *t, const struct nat_table_params *params);
void nat_table_fini(struct nat_table *t);

static inline nat_hash_t nat_key_hash(const struct nat_table *t, const struct nat_key *key)
{
	uint64_t w0, w1, mix;
	uint32_t crc;
	uint16_t sig;

	memcpy(&w0, key, 8);
	memcpy(&w1, (const uint8_t *)key + 8, 8);
	crc = rte_hash_crc_8byte(w1, rte_hash_crc_8byte(w0, t->hash_seed));
	/* CRC is linear: a second CRC would be a function of the first. A multiply is not. */
	mix = (w0 ^ t->hash_seed) * 0x9e3779b97f4a7c15ull ^ (w1 + crc) * 0xc2b2ae3d27d4eb4full;
	sig = (uint16_t)(mix >> 48);
	sig |= (uint16_t)(sig == 0);
	return (uint64_t)sig << 32 | crc;
}

static inline uint16_t nat_hash_sig(nat_hash_t h)
{
	return (uint16_t)(h >> 32);
}

/* The rte_hash signature of an aux key. */
static inline hash_sig_t nat_aux_sig(nat_hash_t h)
{
	return (hash_sig_t)h;
}

static inline struct nat_bucket *nat_home_bucket(const struct nat_table *t, nat_hash_t h)
{
	return &t->buckets[(uint32_t)h & t->bucket_mask];
}

/* Bit i set when entry i of `b` has signature `sig`. */
static inline unsigned nat_bucket_match(const struct nat_bucket *b, uint16_t sig)
{
#ifdef __SSE2__
	__m128i sigs = _mm_load_si128((const __m128i *)(const void *)b->sig);
	__m128i eq = _mm_cmpeq_epi16(sigs, _mm_set1_epi16((short)sig));

	/* Each 16-bit lane is 0 or -1: packed to bytes, one mask bit per entry. */
	return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()));
#else
	unsigned mask = 0, i;

	for (i = 0; i < NAT_BUCKET_ENTRIES; i++)
		mask |= (unsigned)(b->sig[i] == sig) << i;
	return mask;
#endif
}

/* Does record `s` hold key `k` (of kind NAT_KEY_IN2OUT or NAT_KEY_OUT2IN)? */
static inline bool nat_record_has_key(const struct nat_session *s, const struct nat_key *k)
{
	rte_be32_t addr = k->kind == NAT_KEY_OUT2IN ? s->outside_addr : s->inside_addr;
	rte_be16_t port = k->kind == NAT_KEY_OUT2IN ? s->outside_port : s->inside_port;

	return addr == k->local_addr && port == k->local_port && s->remote_addr == k->remote_addr &&
	       s->remote_port == k->remote_port && s->proto == k->proto;
}

static inline uint32_t nat_key_ref_kind(const struct nat_key *k)
{
	return k->kind == NAT_KEY_OUT2IN ? NAT_REF_OUT2IN : 0;
}

/* Starts fetching the bucket of `h`: lookups of a burst overlap their cache misses. */
static inline void nat_table_prefetch(const struct nat_table *t, nat_hash_t h)
{
	rte_prefetch0(nat_home_bucket(t, h));
}

/*
 * The record a session key of kind `k` probably leads to, from its home bucket alone (no record is
 * read): NAT_NIL when none there has its signature. The caller confirms with nat_record_has_key()
 * and falls back to nat_table_lookup().
 */
static inline uint32_t nat_table_candidate(const struct nat_table *t, const struct nat_key *k,
					   nat_hash_t h)
{
	const struct nat_bucket *b = nat_home_bucket(t, h);
	unsigned mask = nat_bucket_match(b, nat_hash_sig(h));
	uint32_t kind = nat_key_ref_kind(k);

	while (mask) {
		uint32_t ref = b->ref[__builtin_ctz(mask)];

		if ((ref & NAT_REF_OUT2IN) == kind)
			return ref & ~NAT_REF_OUT2IN;
		mask &= mask - 1;
	}
	return NAT_NIL;
}

/* The record session key `k` leads to, or -1. */
static inline int64_t nat_table_lookup(const struct nat_table *t, const struct nat_key *k, nat_hash_t h)
{
	uint32_t bi = (uint32_t)h & t->bucket_mask, kind = nat_key_ref_kind(k), probe;
	uint16_t sig = nat_hash_sig(h);

	for (probe = 0; probe < NAT_MAX_PROBE; probe++) {
		const struct nat_bucket *b = &t->buckets[bi];
		unsigned mask = nat_bucket_match(b, sig);

		while (mask) {
			uint32_t ref = b->ref[__builtin_ctz(mask)];

			if ((ref & NAT_REF_OUT2IN) == kind &&
			    nat_record_has_key(&t->sessions[ref & ~NAT_REF_OUT2IN], k))
				return ref & ~NAT_REF_OUT2IN;
			mask &= mask - 1;
		}
		if (b->overflow == 0)
			break;
		bi = (bi + 1) & t->bucket_mask;
	}
	return -1;
}

/* Files session key `k` (hash `h`) as leading to record `idx`. Returns 0 or -ENOSPC. */
int nat_table_insert(struct nat_table *t, const struct nat_key *k, nat_hash_t h, uint32_t idx);
/* Removes the entry of the key with hash `h` that leads to record `idx`. */
void nat_table_remove(struct nat_table *t, enum nat_key_kind kind, nat_hash_t h, uint32_t idx);

/* Aux keys (endpoint-independent mappings): the stored value, or -1. */
static inline int64_t nat_aux_get(const struct nat_table *t, const struct nat_key *key, nat_hash_t h)
{
	void *data;

	if (rte_hash_lookup_with_hash_data(t->aux, key, nat_aux_sig(h), &data) < 0)
		return -1;
	return (int64_t)(uintptr_t)data;
}

/* Inserts or overwrites aux `key` with `value`. Returns 0 or a negative errno. */
int nat_aux_set(struct nat_table *t, const struct nat_key *key, nat_hash_t h, uint64_t value);
void nat_aux_del(struct nat_table *t, const struct nat_key *key, nat_hash_t h);

/*
 * Per-host session counts (RFC 6888's per-subscriber limit): an open-addressing table of (address,
 * count) pairs with linear probing, at most half full. Address 0 marks a free slot: no inside host
 * has it (pkt_parse drops such sources).
 */
struct nat_host_slot {
	rte_be32_t addr;
	uint32_t sessions;
	uint32_t embryonic; /* of them half-open TCP (nat_embryonic.c) */
};

static inline uint32_t nat_host_home(const struct nat_table *t, rte_be32_t inside)
{
	return rte_hash_crc_4byte(inside, t->hash_seed) & t->host_mask;
}

static inline void nat_host_prefetch(const struct nat_table *t, rte_be32_t inside)
{
	rte_prefetch0(&t->hosts[nat_host_home(t, inside)]);
}

/* The slot of `inside`, or of the free slot where it would go; NULL when neither is found. */
struct nat_host_slot *nat_host_slot(const struct nat_table *t, rte_be32_t inside);

static inline uint32_t nat_host_sessions(const struct nat_host_slot *slot)
{
	return slot != NULL && slot->addr != 0 ? slot->sessions : 0;
}

static inline uint32_t nat_host_embryonic(const struct nat_host_slot *slot)
{
	return slot != NULL && slot->addr != 0 ? slot->embryonic : 0;
}

/* One more session for the host of `slot` (from nat_host_slot). -ENOSPC when no more hosts fit. */
int nat_host_ref(struct nat_table *t, struct nat_host_slot *slot, rte_be32_t inside);
void nat_host_unref(struct nat_table *t, rte_be32_t inside);

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
