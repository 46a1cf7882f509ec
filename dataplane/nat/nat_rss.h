/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Choosing external ports so that replies come back to the worker that owns the session, with no
 * handoff: the A-end NIC spreads received frames over queues by the Toeplitz hash of
 * (source address, destination address, source port, destination port) and its redirection table
 * (RETA). A reply's tuple is (remote, external address, remote port, external port), all known when
 * the session is made, so the allocating worker can compute the queue the reply will land on for a
 * candidate port — in software, with the port's own key and RETA — and keep only ports that land on
 * its own queue. About one candidate in n_workers qualifies.
 *
 * This covers TCP and UDP. NICs hash ICMP on addresses alone, so an echo identifier cannot steer;
 * those replies need the fallback (handoff by identifier block, nat_ports.h).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define NAT_RSS_KEY_MAX 52
#define NAT_RSS_RETA_MAX 512

struct nat_rss_plan {
	uint8_t key[NAT_RSS_KEY_MAX]; /* the A-end port's Toeplitz key, as the NIC uses it */
	uint8_t key_be[NAT_RSS_KEY_MAX]; /* the same, converted for rte_softrss_be */
	uint32_t key_len;
	uint16_t reta_size;               /* a power of two */
	uint16_t reta[NAT_RSS_RETA_MAX];  /* RETA entry -> RX queue */
	uint16_t worker_of_queue[NAT_RSS_RETA_MAX]; /* A-end RX queue -> the worker polling it */
};

/* Fills a plan from a key and a RETA; false when the sizes are not usable. */
bool nat_rss_plan_init(struct nat_rss_plan *p, const uint8_t *key, uint32_t key_len, const uint16_t *reta,
		       uint16_t reta_size, const uint16_t *worker_of_queue, uint16_t n_queues);

/* The worker that will receive the reply from remote:rport to ext:eport (host byte order). */
uint16_t nat_rss_reply_worker(const struct nat_rss_plan *p, uint32_t remote, uint16_t rport, uint32_t ext,
			      uint16_t eport);

/*
 * A port in [first, first + count) whose reply lands on `worker`, starting the search at `start`
 * (a random point, so that ports are not handed out in order); `usable` (may be NULL) refuses ports
 * that are taken. Returns false when none of `tries` candidates qualifies.
 */
bool nat_rss_pick_port(const struct nat_rss_plan *p, uint16_t worker, uint32_t remote, uint16_t rport,
		       uint32_t ext, uint16_t first, uint32_t count, uint32_t start, uint32_t tries,
		       bool (*usable)(void *arg, uint16_t port), void *arg, uint16_t *port);
