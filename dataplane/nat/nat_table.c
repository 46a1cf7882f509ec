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

int nat_table_init(struct nat_table *t, const struct nat_table_params *params)
{
	uint64_t keys = 2ull * params->capacity + params->host_capacity + 2ull * params->eim_capacity;
	struct rte_hash_parameters hp = {
		.name = params->name,
		.entries = (uint32_t)RTE_MAX(keys, 64ull),
		.key_len = sizeof(struct nat_key),
		.hash_func = rte_hash_crc,
		.socket_id = params->socket,
		/* Cuckoo displacement alone fails inserts near full load; the extendable buckets make
		 * "capacity" mean what it says. */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint32_t i;

	memset(t, 0, sizeof(*t));
	if (params->capacity == 0 || params->capacity >= NAT_NIL || keys > UINT32_MAX)
		return -EINVAL;
	t->capacity = params->capacity;
	t->hash_seed = (uint32_t)rte_rdtsc();
	hp.hash_func_init_val = t->hash_seed;

	t->hash = rte_hash_create(&hp);
	if (t->hash == NULL)
		return -(rte_errno ? rte_errno : ENOMEM);
	t->sessions = rte_zmalloc_socket("nat_sessions", sizeof(*t->sessions) * t->capacity,
					 RTE_CACHE_LINE_SIZE, params->socket);
	t->free_stack = rte_malloc_socket("nat_free", sizeof(*t->free_stack) * t->capacity, 0,
					  params->socket);
	t->wheel = rte_malloc_socket("nat_wheel", sizeof(*t->wheel) * NAT_WHEEL_SLOTS, 0,
				     params->socket);
	if (t->sessions == NULL || t->free_stack == NULL || t->wheel == NULL) {
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
	rte_hash_free(t->hash);
	rte_free(t->sessions);
	rte_free(t->free_stack);
	rte_free(t->wheel);
	memset(t, 0, sizeof(*t));
}

int nat_table_set(struct nat_table *t, const struct nat_key *key, hash_sig_t sig, uint64_t value)
{
	int ret = rte_hash_add_key_with_hash_data(t->hash, key, sig, (void *)(uintptr_t)value);

	return ret < 0 ? ret : 0;
}

void nat_table_del(struct nat_table *t, const struct nat_key *key, hash_sig_t sig)
{
	rte_hash_del_key_with_hash(t->hash, key, sig);
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
