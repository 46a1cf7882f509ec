/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table's invariants, checked from scratch: for tests and the fuzzer, never the fast
 * path (it walks everything and allocates).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "nat_inlines.h"

static bool fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

static bool reachable(const struct nat_table *t, const struct nat_key *k, uint32_t idx)
{
	return nat_table_lookup(t, k, nat_key_hash(t, k)) == (int64_t)idx;
}

static bool check_free_list(const struct nat_table *t, uint8_t *seen, char *why, size_t len)
{
	uint32_t i;

	if (t->n_free > t->capacity)
		return fail(why, len, "%u free records in a table of %u", t->n_free, t->capacity);
	for (i = 0; i < t->n_free; i++) {
		uint32_t idx = t->free_stack[i];

		if (idx >= t->capacity || seen[idx]++)
			return fail(why, len, "free list entry %u (record %u) out of range or twice", i, idx);
		if (t->sessions[idx].state != NAT_S_FREE)
			return fail(why, len, "record %u is on the free list in state %u", idx,
				    t->sessions[idx].state);
	}
	return true;
}

static bool check_wheel(const struct nat_table *t, uint8_t *seen, uint32_t in_use, char *why, size_t len)
{
	uint32_t slot, filed = 0;

	for (slot = 0; slot < NAT_WHEEL_SLOTS; slot++) {
		uint32_t prev = NAT_NIL, idx;

		for (idx = t->wheel[slot]; idx != NAT_NIL; prev = idx, idx = t->sessions[idx].wheel_next) {
			const struct nat_session *s;

			if (idx >= t->capacity || seen[idx]++)
				return fail(why, len, "wheel slot %u: record %u out of range, free or filed twice",
					    slot, idx);
			s = &t->sessions[idx];
			if ((s->wheel_at & (NAT_WHEEL_SLOTS - 1)) != slot || s->wheel_prev != prev)
				return fail(why, len, "wheel slot %u: record %u says slot %u, previous %u (not %u)",
					    slot, idx, s->wheel_at & (NAT_WHEEL_SLOTS - 1), s->wheel_prev, prev);
			filed++;
		}
	}
	if (filed != in_use)
		return fail(why, len, "%u records in use, %u in the timer wheel", in_use, filed);
	return true;
}

static bool check_hosts(const struct nat_worker *w, char *why, size_t len)
{
	const struct nat_table *t = &w->table;
	uint32_t i, j, hosts = 0;

	for (i = 0; i <= t->host_mask; i++) {
		const struct nat_host_slot *h = &t->hosts[i];
		uint32_t sessions = 0, half_open = 0;

		if (h->addr == 0)
			continue;
		hosts++;
		if (nat_host_slot(t, h->addr) != h)
			return fail(why, len, "host slot %u cannot be found by its address", i);
		for (j = 0; j < t->capacity; j++) {
			const struct nat_session *s = &t->sessions[j];

			if (s->state == NAT_S_FREE || s->state == NAT_S_HOLD || s->inside_addr != h->addr)
				continue;
			sessions++;
			half_open += nat_state_half_open((enum nat_state)s->state);
		}
		if (sessions != h->sessions || half_open != h->embryonic)
			return fail(why, len, "host %08x counts %u sessions (%u half-open), has %u (%u)",
				    rte_be_to_cpu_32(h->addr), h->sessions, h->embryonic, sessions, half_open);
	}
	if (hosts != t->n_hosts)
		return fail(why, len, "%u hosts in slots, %u counted", hosts, t->n_hosts);
	return true;
}

/* Port blocks: each block's session count is that of the live sessions in it flagged as its owner's,
 * every flagged session's block is its host's, and the blocks counted are those filed. */
static bool check_blocks(const struct nat_worker *w, char *why, size_t len)
{
	const struct nat_table *t = &w->table;
	const void *key;
	void *data;
	uint32_t it = 0, blocks = 0, i;

	while (rte_hash_iterate(t->aux, &key, &data, &it) >= 0) {
		const struct nat_key *k = key;
		uint64_t v = (uint64_t)(uintptr_t)data;
		uint32_t users = 0;

		if (k->kind != NAT_KEY_BLOCK)
			continue;
		blocks++;
		for (i = 0; i < t->capacity; i++) {
			const struct nat_session *s = &t->sessions[i];

			if (s->state != NAT_S_FREE && s->state != NAT_S_HOLD && (s->flags & NAT_SESSION_F_BLOCK) &&
			    s->outside_addr == k->local_addr &&
			    nat_block_of(w, rte_be_to_cpu_16(s->outside_port)) == k->local_port) {
				if (s->inside_addr != (rte_be32_t)(v >> 32))
					return fail(why, len, "record %u uses block %u of another host", i, k->local_port);
				users++;
			}
		}
		if (users != (uint32_t)v)
			return fail(why, len, "block %u counts %u sessions, %u are in it", k->local_port, (uint32_t)v,
				    users);
	}
	if (blocks != w->blocks_in_use)
		return fail(why, len, "%u blocks filed, the worker counts %u", blocks, w->blocks_in_use);
	for (i = 0; i < t->capacity; i++) {
		const struct nat_session *s = &t->sessions[i];
		struct nat_key k;

		if (s->state == NAT_S_FREE || s->state == NAT_S_HOLD || !(s->flags & NAT_SESSION_F_BLOCK))
			continue;
		nat_key_fill(&k, NAT_KEY_BLOCK, 0, s->outside_addr, nat_block_of(w, rte_be_to_cpu_16(s->outside_port)),
			     0, 0);
		if (nat_aux_get(t, &k, nat_key_hash(t, &k)) < 0)
			return fail(why, len, "record %u is flagged as in a block that is not filed", i);
	}
	return true;
}

bool nat_table_check(const struct nat_worker *w, char *why, size_t len)
{
	const struct nat_table *t = &w->table;
	uint32_t i, in_use = 0, live = 0, held = 0;
	uint8_t *seen = calloc(t->capacity, 1);
	bool ok = false;

	if (seen == NULL)
		return fail(why, len, "out of memory");
	if (!check_free_list(t, seen, why, len))
		goto out;
	for (i = 0; i < t->capacity; i++) {
		const struct nat_session *s = &t->sessions[i];
		struct nat_key in, out;

		if (s->state == NAT_S_FREE) {
			if (!seen[i]) {
				fail(why, len, "free record %u is not on the free list", i);
				goto out;
			}
			continue;
		}
		if (s->state >= NAT_S_MAX || s->seq & 1) {
			fail(why, len, "record %u: state %u, sequence %u", i, s->state, s->seq);
			goto out;
		}
		in_use++;
		nat_session_key_out2in(s, &out);
		if (!reachable(t, &out, i)) {
			fail(why, len, "record %u cannot be found by its outside key", i);
			goto out;
		}
		if (s->state == NAT_S_HOLD) {
			held++;
			continue;
		}
		live++;
		nat_session_key_in2out(s, &in);
		if (!reachable(t, &in, i)) {
			fail(why, len, "live record %u cannot be found by its inside key", i);
			goto out;
		}
	}
	if (in_use + t->n_free != t->capacity) {
		fail(why, len, "%u records in use and %u free in a table of %u", in_use, t->n_free, t->capacity);
		goto out;
	}
	if (live != w->live_sessions || t->n_entries != 2 * live + held) {
		fail(why, len, "%u live and %u held records; the worker counts %u live, the index %u keys", live,
		     held, w->live_sessions, t->n_entries);
		goto out;
	}
	memset(seen, 0, t->capacity);
	ok = check_wheel(t, seen, in_use, why, len) && check_hosts(w, why, len) && check_blocks(w, why, len);
out:
	free(seen);
	return ok;
}
