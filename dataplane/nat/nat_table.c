/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "nat_table.h"

#define WHEEL_MASK (NAT_WHEEL_SLOTS - 1)

/* Buckets for `capacity` sessions: two keys each, at most 80% of the entries in use when full. */
static uint32_t bucket_count(uint32_t capacity)
{
	uint64_t per_bucket = 4 * NAT_BUCKET_ENTRIES; /* 80% of the entries, times five */
	uint64_t wanted = ((uint64_t)capacity * 2 * 5 + per_bucket - 1) / per_bucket;

	return rte_align32pow2((uint32_t)RTE_MAX(wanted, 2ull));
}

int nat_table_init(struct nat_table *t, const struct nat_table_params *params)
{
	uint64_t aux_keys = 2ull * params->eim_capacity + params->block_keys;
	struct rte_hash_parameters hp = {
		.name = params->name,
		.entries = (uint32_t)RTE_MAX(aux_keys, 64ull),
		.key_len = sizeof(struct nat_key),
		.hash_func = rte_hash_crc,
		.socket_id = params->socket,
		/* Cuckoo displacement alone fails inserts near full load; the extendable buckets make
		 * the capacity mean what it says. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint32_t n_buckets, i;

	memset(t, 0, sizeof(*t));
	if (params->capacity == 0 || params->capacity >= NAT_REF_OUT2IN || aux_keys > UINT32_MAX / 2 ||
	    params->host_capacity == 0 || params->host_capacity > UINT32_MAX / 4)
		return -EINVAL;
	t->capacity = params->capacity;
	t->hash_seed = (uint32_t)rte_rdtsc();
	hp.hash_func_init_val = t->hash_seed;
	n_buckets = bucket_count(t->capacity);
	t->bucket_mask = n_buckets - 1;

	t->aux = rte_hash_create(&hp);
	if (t->aux == NULL)
		return -(rte_errno ? rte_errno : ENOMEM);
	t->host_capacity = params->host_capacity;
	t->host_mask = rte_align32pow2(2 * params->host_capacity) - 1;
	t->hosts = rte_zmalloc_socket("nat_hosts", sizeof(*t->hosts) * ((size_t)t->host_mask + 1),
				      RTE_CACHE_LINE_SIZE, params->socket);
	t->buckets = rte_zmalloc_socket("nat_index", sizeof(*t->buckets) * n_buckets, RTE_CACHE_LINE_SIZE,
					params->socket);
	t->sessions = rte_zmalloc_socket("nat_sessions", sizeof(*t->sessions) * t->capacity,
					 RTE_CACHE_LINE_SIZE, params->socket);
	t->free_stack = rte_malloc_socket("nat_free", sizeof(*t->free_stack) * t->capacity, 0,
					  params->socket);
	t->wheel = rte_malloc_socket("nat_wheel", sizeof(*t->wheel) * NAT_WHEEL_SLOTS, 0,
				     params->socket);
	if (t->hosts == NULL || t->buckets == NULL || t->sessions == NULL || t->free_stack == NULL ||
	    t->wheel == NULL) {
		nat_table_fini(t);
		return -ENOMEM;
	}
	/* Hand out low indexes first: a lightly loaded table stays in few cache lines. */
	for (i = 0; i < t->capacity; i++)
		t->free_stack[i] = t->capacity - 1 - i;
	t->n_free = t->capacity;
	for (i = 0; i < NAT_WHEEL_SLOTS; i++)
		t->wheel[i] = NAT_NIL;
	return 0;
}

void nat_table_fini(struct nat_table *t)
{
	rte_hash_free(t->aux);
	rte_free(t->hosts);
	rte_free(t->buckets);
	rte_free(t->sessions);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	memset(t, 0, sizeof(*t));
}

int nat_table_insert(struct nat_table *t, const struct nat_key *k, nat_hash_t h, uint32_t idx)
{
	uint32_t home = (uint32_t)h & t->bucket_mask, bi = home, probe;

	for (probe = 0; probe < NAT_MAX_PROBE; probe++) {
		struct nat_bucket *b = &t->buckets[bi];
		unsigned free_entries = nat_bucket_match(b, 0);

		if (free_entries != 0) {
			unsigned e = (unsigned)__builtin_ctz(free_entries);

			b->ref[e] = idx | nat_key_ref_kind(k);
			b->sig[e] = nat_hash_sig(h);
			for (bi = home; probe > 0; probe--, bi = (bi + 1) & t->bucket_mask)
				t->buckets[bi].overflow++;
			t->n_entries++;
			return 0;
		}
		bi = (bi + 1) & t->bucket_mask;
	}
	return -ENOSPC;
}

void nat_table_remove(struct nat_table *t, enum nat_key_kind kind, nat_hash_t h, uint32_t idx)
{
	uint32_t home = (uint32_t)h & t->bucket_mask, bi = home, probe;
	uint32_t ref = idx | (kind == NAT_KEY_OUT2IN ? NAT_REF_OUT2IN : 0);

	for (probe = 0; probe < NAT_MAX_PROBE; probe++) {
		struct nat_bucket *b = &t->buckets[bi];
		unsigned mask = nat_bucket_match(b, nat_hash_sig(h));

		for (; mask; mask &= mask - 1) {
			unsigned e = (unsigned)__builtin_ctz(mask);

			if (b->ref[e] != ref)
				continue;
			b->sig[e] = 0;
			for (bi = home; probe > 0; probe--, bi = (bi + 1) & t->bucket_mask)
				t->buckets[bi].overflow--;
			t->n_entries--;
			return;
		}
		if (b->overflow == 0)
			return;
		bi = (bi + 1) & t->bucket_mask;
	}
}

int nat_aux_set(struct nat_table *t, const struct nat_key *key, nat_hash_t h, uint64_t value)
{
	int ret = rte_hash_add_key_with_hash_data(t->aux, key, nat_aux_sig(h), (void *)(uintptr_t)value);

	return ret < 0 ? ret : 0;
}

void nat_aux_del(struct nat_table *t, const struct nat_key *key, nat_hash_t h)
{
	rte_hash_del_key_with_hash(t->aux, key, nat_aux_sig(h));
}

struct nat_host_slot *nat_host_slot(const struct nat_table *t, rte_be32_t inside)
{
	uint32_t i = nat_host_home(t, inside), n;

	/* At most half full: a free slot always ends the probe. */
	for (n = 0; n <= t->host_mask; n++, i = (i + 1) & t->host_mask)
		if (t->hosts[i].addr == inside || t->hosts[i].addr == 0)
			return &t->hosts[i];
	return NULL;
}

int nat_host_ref(struct nat_table *t, struct nat_host_slot *slot, rte_be32_t inside)
{
	if (slot == NULL)
		return -ENOSPC;
	if (slot->addr == 0) {
		if (t->n_hosts == t->host_capacity)
			return -ENOSPC;
		slot->addr = inside;
		slot->sessions = 0;
		slot->embryonic = 0;
		t->n_hosts++;
	}
	slot->sessions++;
	return 0;
}

void nat_host_unref(struct nat_table *t, rte_be32_t inside)
{
	struct nat_host_slot *slot = nat_host_slot(t, inside);
	uint32_t hole, i;

	if (slot == NULL || slot->addr == 0 || --slot->sessions > 0)
		return;
	/* Backward-shift deletion: pull later entries of the probe run into the hole, so that no
	 * tombstones are needed and lookups still stop at the first free slot. */
	hole = (uint32_t)(slot - t->hosts);
	for (i = (hole + 1) & t->host_mask; t->hosts[i].addr != 0; i = (i + 1) & t->host_mask) {
		uint32_t home = nat_host_home(t, t->hosts[i].addr);

		/* Entry i may move to the hole unless its home lies cyclically in (hole, i]. */
		if (((i - home) & t->host_mask) >= ((i - hole) & t->host_mask)) {
			t->hosts[hole] = t->hosts[i];
			hole = i;
		}
	}
	t->hosts[hole].addr = 0;
	t->n_hosts--;
}

uint32_t nat_record_take(struct nat_table *t)
{
	if (t->n_free == 0)
		return NAT_NIL;
	return t->free_stack[--t->n_free];
}

void nat_record_give(struct nat_table *t, uint32_t idx)
{
	t->free_stack[t->n_free++] = idx;
}

void nat_wheel_insert(struct nat_table *t, uint32_t idx, uint32_t at)
{
	struct nat_session *s = &t->sessions[idx];
	uint32_t *head;

	/* A slot behind the cursor would not be seen for a whole lap; one a lap ahead would be
	 * mistaken for the current one. */
	if ((int32_t)(at - t->wheel_cursor) < 0)
		at = t->wheel_cursor;
	else if (at - t->wheel_cursor >= NAT_WHEEL_SLOTS)
		at = t->wheel_cursor + NAT_WHEEL_SLOTS - 1;
	head = &t->wheel[at & WHEEL_MASK];
	s->wheel_at = at;
	s->wheel_prev = NAT_NIL;
	s->wheel_next = *head;
	if (*head != NAT_NIL)
		t->sessions[*head].wheel_prev = idx;
	*head = idx;
}

void nat_wheel_remove(struct nat_table *t, uint32_t idx)
{
	struct nat_session *s = &t->sessions[idx];

	if (s->wheel_prev != NAT_NIL)
		t->sessions[s->wheel_prev].wheel_next = s->wheel_next;
	else
		t->wheel[s->wheel_at & WHEEL_MASK] = s->wheel_next;
	if (s->wheel_next != NAT_NIL)
		t->sessions[s->wheel_next].wheel_prev = s->wheel_prev;
	s->wheel_prev = s->wheel_next = NAT_NIL;
}

uint32_t nat_wheel_pop_due(struct nat_table *t, uint32_t now)
{
	while ((int32_t)(now - t->wheel_cursor) >= 0) {
		uint32_t head = t->wheel[t->wheel_cursor & WHEEL_MASK];

		if (head != NAT_NIL) {
			nat_wheel_remove(t, head);
			return head;
		}
		t->wheel_cursor++;
	}
	return NAT_NIL;
}

bool nat_table_read(const struct nat_table *t, uint32_t idx, struct nat_session_view *view)
{
	const struct nat_session *s = &t->sessions[idx];
	int attempt;

	for (attempt = 0; attempt < 16; attempt++) {
		uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);

		if (seq & 1) {
			rte_pause();
			continue;
		}
		view->proto = __atomic_load_n(&s->proto, __ATOMIC_ACQUIRE);
		view->state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		view->pool = __atomic_load_n(&s->pool, __ATOMIC_ACQUIRE);
		view->inside_addr = __atomic_load_n(&s->inside_addr, __ATOMIC_ACQUIRE);
		view->outside_addr = __atomic_load_n(&s->outside_addr, __ATOMIC_ACQUIRE);
		view->remote_addr = __atomic_load_n(&s->remote_addr, __ATOMIC_ACQUIRE);
		view->inside_port = __atomic_load_n(&s->inside_port, __ATOMIC_ACQUIRE);
		view->outside_port = __atomic_load_n(&s->outside_port, __ATOMIC_ACQUIRE);
		view->remote_port = __atomic_load_n(&s->remote_port, __ATOMIC_ACQUIRE);
		view->last_seen = __atomic_load_n(&s->last_seen, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq)
			return view->state != NAT_S_FREE && view->state != NAT_S_HOLD &&
			       view->state < NAT_S_MAX;
	}
	return false;
}
