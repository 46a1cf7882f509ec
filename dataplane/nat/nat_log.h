/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT events as a worker reports them (RFC 6888 REQ-12: who had which external address and port,
 * when, towards whom). The worker never formats, sends or waits: it fills fixed-size records into a
 * small array of its own and hands the array to its event ring (single producer, single consumer)
 * once per burst; the control thread drains the ring and exports (control/natlog/). A full ring
 * costs the events that did not fit, counted in `log_dropped`, never a stall.
 *
 * Exhaustion and quota events are refused flows: a flood would make one per packet, so each kind is
 * reported at most once a second per worker (NAT-BEHAVIOUR: "logged at most once a second").
 */
#pragma once

#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ring.h>

enum nat_event_type {
	NAT_EV_SESSION_CREATE = 1,
	NAT_EV_SESSION_DELETE,
	NAT_EV_ADDRESSES_EXHAUSTED, /* the flow's pool had no address for it */
	NAT_EV_PORTS_EXHAUSTED,     /* no external port (or port block) free on the host's address */
	NAT_EV_QUOTA_EXCEEDED,      /* a limit refused the flow: `detail` says which */
	NAT_EV_BLOCK_ALLOC,         /* a port block given to an inside host (port-block mode) */
	NAT_EV_BLOCK_FREE,          /* and given back, its last session gone */
	NAT_EV_MAX,
};

/* Why a session ended (`detail` of NAT_EV_SESSION_DELETE). */
enum nat_end_reason {
	NAT_END_TIMEOUT,   /* idle past its timer */
	NAT_END_TCP_CLOSE, /* FIN both ways, then the transitory timer */
	NAT_END_RESET,     /* RST seen, then its timer */
	NAT_END_RECLAIMED, /* unanswered, ended early to give its port or record to a new flow */
	NAT_END_REROUTED,  /* its route moved to another VXC */
	NAT_END_MAX,
};

/* Which limit (`detail` of NAT_EV_QUOTA_EXCEEDED): RFC 8158's natQuotaExceededEvent values. */
enum nat_quota {
	NAT_QUOTA_SESSIONS = 1,  /* the session table is full */
	NAT_QUOTA_PER_HOST = 3,  /* the host's session (or half-open, or port-block) limit */
	NAT_QUOTA_HOSTS = 4,     /* the table of inside hosts is full */
};

/*
 * One event, 32 bytes. Addresses and ports in network byte order, as in the session record. For a
 * quota event, `limit` is the limit hit (for exhausted addresses, the pool's index); for a port
 * block, [outside_port, block_last] its ports.
 */
struct nat_event {
	union {
		uint64_t tsc;     /* when: the worker's TSC at the start of its loop turn */
		uint64_t time_ms; /* the same as the control thread reads it: ms since the Unix epoch */
	};
	rte_be32_t inside_addr;
	rte_be32_t outside_addr;
	union {
		rte_be32_t remote_addr;
		uint32_t limit;
	};
	rte_be16_t inside_port;
	rte_be16_t outside_port;
	union {
		rte_be16_t remote_port;
		rte_be16_t block_last;
	};
	uint8_t type;   /* enum nat_event_type */
	uint8_t proto;
	uint8_t detail; /* enum nat_end_reason or nat_quota */
	uint8_t worker;
};

_Static_assert(sizeof(struct nat_event) == 32, "events are ring elements of a fixed size");

#define NAT_LOG_STAGE 64 /* events gathered before they go to the ring: one enqueue per burst */

struct nat_log {
	struct rte_ring *ring; /* NULL: nobody wants events (the engine then makes none) */
	uint64_t tsc;          /* the time stamped on events: set by the caller each loop turn */
	uint16_t n_staged;
	uint32_t limited_at[NAT_EV_MAX]; /* second + 1 of the last refused-flow event of each type */
	struct nat_event staged[NAT_LOG_STAGE];
};
