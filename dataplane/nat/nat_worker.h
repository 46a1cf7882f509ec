/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT engine as one worker owns it: its connection table, its fragment tracker, its counters.
 *
 * All functions here are for the owning worker's thread only, except nat_table_read() on
 * `w->table` and reading the counters, which any thread may do at any time.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "nat_config.h"
#include "nat_frag.h"
#include "nat_log.h"
#include "nat_ports.h"
#include "nat_table.h"
#include "pkt_drop.h"
#include "pkt_parse.h"

#define NAT_BURST_MAX 64 /* packets per lookup pass */

struct nat_stats {
	uint64_t drops[PKT_DROP_MAX];
	uint64_t in2out;            /* packets translated LAN -> A-end */
	uint64_t out2in;            /* packets translated A-end -> LAN */
	uint64_t created;           /* sessions created */
	uint64_t expired;           /* sessions ended by their timer */
	uint64_t port_kept;         /* new sessions that kept their source port */
	uint64_t port_random;       /* new sessions that got a random port */
	uint64_t icmp_errors;       /* ICMP errors translated, both directions */
	uint64_t frags_held;        /* fragments that waited for their first fragment */
	uint64_t burst_overflow;    /* released fragments dropped for lack of room in the burst */
	uint64_t embryonic_reclaimed; /* unanswered sessions ended early for a new flow */
	uint64_t rerouted;          /* sessions ended because their route moved to another VXC */
	uint64_t log_events;        /* NAT events handed to the event ring */
	uint64_t log_dropped;       /* NAT events lost: the ring was full */
};

/* Unanswered sessions in the order they opened (nat_embryonic.c): (seq << 32 | record). */
struct nat_embryos {
	uint64_t *ring;
	uint32_t mask, head, tail;
};

struct nat_worker_params {
	const char *name; /* unique per process: names the worker's DPDK objects */
	int socket;
	uint16_t worker;    /* this worker's index among n_workers, for the port plan */
	uint16_t n_workers;
	const struct nat_rss_plan *rss; /* RSS prediction (nat_rss.h), NULL: handoff only */
	uint32_t capacity;      /* sessions */
	uint32_t host_capacity; /* inside hosts; 0: as many as sessions */
	uint32_t frag_slots;    /* datagrams tracked at once; 0: a default */
	uint32_t frag_held_max; /* fragments held for their first at once; 0: NAT_FRAG_HELD_DEFAULT */
	struct rte_ring *log_ring; /* where NAT events go (elements of struct nat_event); NULL: none */
};

struct nat_worker {
	struct nat_table table;
	struct nat_frag_table frags;
	struct nat_embryos embryos;
	const struct nat_config *config; /* published by the control thread; read-only here */
	struct nat_port_plan plan;
	/* The plan's blocks of this worker, [0] of ports from 1024 up, [1] of those below: asked for
	 * each new session, and block boundaries divide. */
	uint16_t block_first[2], block_count[2];
	uint64_t rng;
	uint16_t next_ip_id;
	uint32_t live_sessions; /* created and not yet released (held-back records not counted) */
	uint32_t frags_swept_at; /* the second of the last pass over the fragment table */
	struct nat_log log;      /* NAT events on their way to the control thread (nat_log.h) */
	/* Port blocks (nat_blocks.c): the size of those handed out, kept while any is, so that a new
	 * configured size applies once the old blocks are back. */
	uint16_t block_size;
	uint32_t blocks_in_use;
	struct nat_block_refusal {
		rte_be32_t a, b;
		rte_be16_t p;
		uint32_t at; /* second + 1 of the failed search */
	} blocks_refused[16];
	struct nat_stats stats __rte_cache_aligned;
} __rte_cache_aligned;

/* The mapping mode of `config` decides the table's key space; a later switch needs a new worker. */
int nat_worker_init(struct nat_worker *w, const struct nat_worker_params *params,
		    const struct nat_config *config);
void nat_worker_fini(struct nat_worker *w);

/*
 * Translates a burst from the LAN. `info` is each packet's pkt_parse() result; `pools[i]` the
 * translation pool its route chose (NULL: pool 0). Translated packets go to `out` (room for
 * `out_cap`, which should exceed `n`: fragments held from earlier bursts may be released); dropped
 * packets are freed and counted. Returns the number of packets in `out`. `now` is in seconds.
 */
uint16_t nat_in2out_burst(struct nat_worker *w, struct rte_mbuf **pkts, struct pkt_info *info,
			  const uint16_t *pools, uint16_t n, struct rte_mbuf **out, uint16_t out_cap,
			  uint32_t now);

/* Same, for a burst from the A-end (VLAN already matched and popped or not: only L3 is touched). */
uint16_t nat_out2in_burst(struct nat_worker *w, struct rte_mbuf **pkts, struct pkt_info *info,
			  uint16_t n, struct rte_mbuf **out, uint16_t out_cap, uint32_t now);

/*
 * Ends sessions whose time is up, at most `budget` timer events per call; call it every loop. Returns
 * the number of events handled (below `budget`: nothing more is due).
 */
uint32_t nat_worker_expire(struct nat_worker *w, uint32_t now, uint32_t budget);

/*
 * Checks the table's invariants from scratch (nat_check.c): every session reachable by both its keys
 * (a held-back record by its outside key alone), the free list, the timer wheel and the host counts
 * consistent with the records, and the counts equal. False, with the first violation in `why`, if
 * not. Slow and allocating: for tests and fuzzing only.
 */
bool nat_table_check(const struct nat_worker *w, char *why, size_t len);

/* Hands the events gathered so far to the event ring (the burst functions do it before they
 * return; a caller that stamps its own events calls it too). */
void nat_log_flush(struct nat_worker *w);

static inline void nat_count_drop(struct nat_worker *w, enum pkt_drop reason)
{
	w->stats.drops[reason]++;
}
