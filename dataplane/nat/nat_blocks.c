/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port blocks (`nat allocation port-block <size>`): an inside host gets external ports a block at a
 * time, on the address paired pooling gives it, and its sessions take ports inside its blocks only.
 * One event per block (RFC 8158 port block allocation and de-allocation) then says who had every
 * port of it, so the log shrinks by about the block size.
 *
 * - Blocks are cut from this worker's share of ports 1024-65535 (nat_ports.h): a block belongs to one
 *   worker, so replies still reach their owner by port alone. A host whose flows several workers
 *   carry holds blocks from each of them.
 * - A block is its host's alone: no other host uses its ports, towards any destination. Inside it,
 *   the host's own sessions overlap ports per destination (endpoint-dependent mapping), so a 64-port
 *   block carries 64 connections to each server.
 * - At most NAT_HOST_BLOCKS blocks per host and address on a worker; a block goes back when its last
 *   session ends. A changed block size applies once every block of the old size is back (the
 *   geometry must not change under the blocks in use); `nat allocation dynamic` applies to new
 *   flows at once, the sessions in blocks keeping them until they end (its held-back tuples stay held, so a late packet cannot reach the block's next
 *   owner's flow).
 * - The state lives in the worker's aux hash: per block, its owner and sessions
 *   (NAT_KEY_BLOCK); per host and address, its blocks (NAT_KEY_HOST_BLOCKS, 4 x 16 bits).
 */
#include <netinet/in.h>

#include <rte_hash_crc.h>

#include "nat_inlines.h"

#define BLOCK_DRAWS 64  /* random draws for a free block before the host is refused */
#define BLOCK_PROBES 256 /* ports of one block looked at for a new flow: all of a block up to this
			  * size, a bound on the cost of larger ones */

/* Block values: (owner << 32 | sessions). Host values: four (block number + 1), 0 when unused. */
#define BLOCK_PACK(owner, users) ((uint64_t)(owner) << 32 | (users))
#define BLOCK_OWNER(v) ((rte_be32_t)((v) >> 32))
#define BLOCK_USERS(v) ((uint32_t)(v))
#define HOST_SLOT(v, i) ((uint16_t)((v) >> (16 * (i))))

static uint16_t block_size(const struct nat_worker *w)
{
	return w->block_size;
}

/* Blocks in this worker's share of ports 1024-65535. */
static uint16_t block_count(const struct nat_worker *w)
{
	return (uint16_t)(w->block_count[0] / block_size(w));
}

static uint16_t block_first_port(const struct nat_worker *w, uint16_t block)
{
	return (uint16_t)(w->block_first[0] + block * block_size(w));
}

uint16_t nat_block_of(const struct nat_worker *w, uint16_t port)
{
	uint32_t b;

	if (w->block_size == 0 || port < w->block_first[0])
		return UINT16_MAX;
	b = (uint32_t)(port - w->block_first[0]) / block_size(w);
	return b < block_count(w) ? (uint16_t)b : UINT16_MAX;
}

static void block_key(struct nat_key *k, rte_be32_t outside, uint16_t block)
{
	nat_key_fill(k, NAT_KEY_BLOCK, 0, outside, block, 0, 0);
}

static void host_key(struct nat_key *k, rte_be32_t inside, rte_be32_t outside)
{
	nat_key_fill(k, NAT_KEY_HOST_BLOCKS, 0, inside, 0, outside, 0);
}

static int64_t aux_get(struct nat_worker *w, const struct nat_key *k)
{
	return nat_aux_get(&w->table, k, nat_key_hash(&w->table, k));
}

static int aux_set(struct nat_worker *w, const struct nat_key *k, uint64_t v)
{
	return nat_aux_set(&w->table, k, nat_key_hash(&w->table, k), v);
}

static void aux_del(struct nat_worker *w, const struct nat_key *k)
{
	nat_aux_del(&w->table, k, nat_key_hash(&w->table, k));
}

/* Tries ports of `block` in turn, from the source port if it lies inside, else from a random one; at
 * most BLOCK_PROBES of them. */
static bool port_in_block(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			  nat_hash_t *out_sig, uint16_t block, nat_port_usable_fn usable)
{
	uint16_t size = block_size(w), first = block_first_port(w, block);
	uint16_t wanted = rte_be_to_cpu_16(in->local_port), start, i;

	start = nat_block_of(w, wanted) == block ? (uint16_t)(wanted - first)
					     : (uint16_t)(((nat_random(w) >> 32) * size) >> 32);
	for (i = 0; i < size && i < BLOCK_PROBES; i++) {
		uint16_t port = (uint16_t)(first + (start + i) % size);

		if (usable(w, in, out, out_sig, port)) {
			w->stats.port_random++;
			return true;
		}
	}
	return false;
}

/*
 * Searches that failed this second, remembered so that a flood of new flows that must be refused
 * costs a comparison each instead of the search again: an address with no free block (a, 0, 0), a
 * host whose blocks have no port left towards a destination (host, remote address, remote port).
 * A port or block freed meanwhile is found from the next second on.
 */
static struct nat_block_refusal *refusal_slot(struct nat_worker *w, rte_be32_t a, rte_be32_t b, rte_be16_t p)
{
	uint32_t h = rte_hash_crc_4byte(b, rte_hash_crc_4byte(a, p));

	return &w->blocks_refused[h % RTE_DIM(w->blocks_refused)];
}

static bool refused_recently(struct nat_worker *w, rte_be32_t a, rte_be32_t b, rte_be16_t p, uint32_t now)
{
	const struct nat_block_refusal *r = refusal_slot(w, a, b, p);

	return r->at == now + 1 && r->a == a && r->b == b && r->p == p;
}

static void refused_now(struct nat_worker *w, rte_be32_t a, rte_be32_t b, rte_be16_t p, uint32_t now)
{
	*refusal_slot(w, a, b, p) = (struct nat_block_refusal){.a = a, .b = b, .p = p, .at = now + 1};
}

/* A free block of out's address for `inside`, filed as the host's; UINT16_MAX if none. */
static uint16_t take_block(struct nat_worker *w, rte_be32_t inside, rte_be32_t outside, uint32_t now)
{
	uint16_t n = block_count(w), draw;
	struct nat_key k;

	if (n == 0 || refused_recently(w, outside, 0, 0, now))
		return UINT16_MAX;
	for (draw = 0; draw < BLOCK_DRAWS; draw++) {
		uint16_t b = (uint16_t)(((nat_random(w) >> 32) * n) >> 32);

		block_key(&k, outside, b);
		if (aux_get(w, &k) >= 0)
			continue;
		if (aux_set(w, &k, BLOCK_PACK(inside, 0)) < 0)
			return UINT16_MAX;
		w->blocks_in_use++;
		if (nat_logging(w))
			nat_log_block(w, NAT_EV_BLOCK_ALLOC, inside, outside, block_first_port(w, b),
				      (uint16_t)(block_first_port(w, b) + block_size(w) - 1));
		return b;
	}
	refused_now(w, outside, 0, 0, now);
	return UINT16_MAX;
}

/* Gives block `b` of `outside` back: out of its host's list, free for anyone. */
static void block_release(struct nat_worker *w, rte_be32_t inside, rte_be32_t outside, uint16_t b)
{
	struct nat_key k;
	uint64_t kept = 0;
	unsigned i, j = 0;
	int64_t v;

	block_key(&k, outside, b);
	aux_del(w, &k);
	w->blocks_in_use--;
	host_key(&k, inside, outside);
	v = aux_get(w, &k);
	if (v >= 0) {
		for (i = 0; i < NAT_HOST_BLOCKS; i++) {
			uint16_t slot = HOST_SLOT((uint64_t)v, i);

			if (slot != 0 && slot != b + 1)
				kept |= (uint64_t)slot << (16 * j++);
		}
		if (kept == 0)
			aux_del(w, &k);
		else
			aux_set(w, &k, kept);
	}
	if (nat_logging(w))
		nat_log_block(w, NAT_EV_BLOCK_FREE, inside, outside, block_first_port(w, b),
			      (uint16_t)(block_first_port(w, b) + block_size(w) - 1));
}

bool nat_block_choose_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			   nat_hash_t *out_sig, nat_port_usable_fn usable, uint32_t now)
{
	struct nat_key hk;
	uint64_t blocks;
	int64_t v;
	unsigned i;
	uint16_t b;

	if (w->blocks_in_use == 0)
		w->block_size = w->config->port_block; /* a new size applies from a clean slate */
	if (refused_recently(w, in->local_addr, in->remote_addr, in->remote_port, now))
		return false;
	host_key(&hk, in->local_addr, out->local_addr);
	v = aux_get(w, &hk);
	blocks = v < 0 ? 0 : (uint64_t)v;
	for (i = 0; i < NAT_HOST_BLOCKS; i++) {
		if (HOST_SLOT(blocks, i) == 0)
			break;
		if (port_in_block(w, in, out, out_sig, (uint16_t)(HOST_SLOT(blocks, i) - 1), usable))
			return true;
	}
	if (i == NAT_HOST_BLOCKS) {
		/* The host has all the blocks it may have, and they are full towards this destination. */
		refused_now(w, in->local_addr, in->remote_addr, in->remote_port, now);
		return false;
	}
	b = take_block(w, in->local_addr, out->local_addr, now);
	if (b == UINT16_MAX)
		return false;
	blocks |= (uint64_t)(b + 1) << (16 * i);
	if (aux_set(w, &hk, blocks) < 0) {
		block_key(&hk, out->local_addr, b);
		aux_del(w, &hk);
		return false;
	}
	/* A block nobody uses: its ports are free but for tuples still held back from its last owner.
	 * If every one of them is, it goes back at once. */
	if (port_in_block(w, in, out, out_sig, b, usable))
		return true;
	block_release(w, in->local_addr, out->local_addr, b);
	return false;
}

/* Adds `delta` (+1 or -1) to the sessions in the block of external port `port` (network order);
 * with -1 on its last session, the block goes back. False if the port is in no block of the
 * session's host. */
static bool block_users(struct nat_worker *w, rte_be32_t inside, rte_be32_t outside, rte_be16_t port, int delta)
{
	uint16_t b = nat_block_of(w, rte_be_to_cpu_16(port));
	struct nat_key k;
	int64_t v;

	if (b == UINT16_MAX)
		return false;
	block_key(&k, outside, b);
	v = aux_get(w, &k);
	if (v < 0 || BLOCK_OWNER(v) != inside)
		return false; /* a port given before port blocks were configured */
	if (delta > 0)
		return aux_set(w, &k, (uint64_t)v + 1) == 0;
	if (BLOCK_USERS(v) > 1)
		aux_set(w, &k, (uint64_t)v - 1);
	else
		block_release(w, inside, outside, b);
	return true;
}

bool nat_block_ref(struct nat_worker *w, const struct nat_session *s)
{
	return block_users(w, s->inside_addr, s->outside_addr, s->outside_port, 1);
}

void nat_block_unref(struct nat_worker *w, const struct nat_session *s)
{
	block_users(w, s->inside_addr, s->outside_addr, s->outside_port, -1);
}

void nat_block_unused(struct nat_worker *w, const struct nat_key *in, const struct nat_key *out)
{
	uint16_t b = nat_block_of(w, rte_be_to_cpu_16(out->local_port));
	struct nat_key k;
	int64_t v;

	if (b == UINT16_MAX)
		return;
	block_key(&k, out->local_addr, b);
	v = aux_get(w, &k);
	if (v >= 0 && BLOCK_OWNER(v) == in->local_addr && BLOCK_USERS(v) == 0)
		block_release(w, in->local_addr, out->local_addr, b);
}
