/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packets waiting for their next hop's MAC (Linux's "unres_qlen"): a few per neighbour, in order,
 * bounded in total so that a flood towards unknown destinations cannot take the packet buffers.
 * Kept by the control thread, which also does ARP: a worker that finds a next hop unresolved hands
 * the packet over a ring of its own and goes on; when the ARP reply is learned, the packets leave
 * again through their worker, oldest first. What waits longer than the timeout is dropped.
 *
 * Plain data: packets are opaque pointers, so the bounds and timeouts are unit-tested without DPDK.
 */
#pragma once

#include <stdint.h>

#define HOLD_PER_NEIGHBOR 8    /* packets one unresolved neighbour may have waiting */
#define HOLD_TOTAL 512         /* packets waiting in all */
#define HOLD_NEIGHBORS 128     /* neighbours being waited for at once */
#define HOLD_TIMEOUT_MS 1000   /* a packet that waited this long is dropped */

struct hold_packet {
	void *m;
	uint16_t worker; /* the worker that held it sends it */
	uint64_t since_ms;
};

struct hold_neighbor {
	uint64_t key; /* dp_neigh_key(); 0: slot free */
	unsigned n;
	struct hold_packet p[HOLD_PER_NEIGHBOR]; /* oldest first */
};

struct hold_queue {
	unsigned held;
	struct hold_neighbor nb[HOLD_NEIGHBORS];
	uint64_t full, timeout, released; /* packets refused, expired, sent on */
};

void hold_init(struct hold_queue *q);
/* Queues `m` for `key`. Returns 0, or -1 when this neighbour's queue or the whole is full (the
 * caller drops it; counted in q->full). */
int hold_add(struct hold_queue *q, uint64_t key, void *m, uint16_t worker, uint64_t now_ms);
/* `key` is resolved: moves its packets, oldest first, to `out` (room for HOLD_PER_NEIGHBOR). */
unsigned hold_take(struct hold_queue *q, uint64_t key, struct hold_packet *out);
/* Moves packets that waited HOLD_TIMEOUT_MS or more to `out` (room for HOLD_TOTAL), for dropping. */
unsigned hold_expire(struct hold_queue *q, uint64_t now_ms, struct hold_packet *out);
