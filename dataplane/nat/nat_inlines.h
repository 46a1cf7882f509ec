/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the NAT's own files share and nobody else needs.
 */
#pragma once

#include "nat_worker.h"

static inline uint64_t nat_random(struct nat_worker *w)
{
	/* xorshift64*: per worker, no shared state, good enough to make ports unpredictable. */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545f4914f6cdd1dull;
}

/* The IP ID for a translated datagram that may be fragmented later: unique per worker among the
 * last 65536 / n_workers, and never equal across workers. */
static inline rte_be16_t nat_next_ip_id(struct nat_worker *w)
{
	uint16_t id = (uint16_t)(w->next_ip_id++ * w->plan.n_workers + w->plan.worker);

	return rte_cpu_to_be_16(id);
}

static inline void nat_session_key_in2out(const struct nat_session *s, struct nat_key *k)
{
	nat_key_fill(k, NAT_KEY_IN2OUT, s->proto, s->inside_addr, s->inside_port, s->remote_addr,
		     s->remote_port);
}

static inline void nat_session_key_out2in(const struct nat_session *s, struct nat_key *k)
{
	nat_key_fill(k, NAT_KEY_OUT2IN, s->proto, s->outside_addr, s->outside_port, s->remote_addr,
		     s->remote_port);
}

static inline uint32_t nat_session_deadline(const struct nat_worker *w, const struct nat_session *s)
{
	return s->last_seen + w->config->timeout[nat_state_timeout((enum nat_state)s->state)];
}

/*
 * Creates the session for in2out key `in` (already known to be absent), choosing the external
 * address from pool `pool` and an external port: its source port if free, else random ones, the
 * first of them `drawn` unless that is 0 (nat_session_prefetch()). Returns its index, or NAT_NIL
 * with *why set.
 */
uint32_t nat_session_create(struct nat_worker *w, const struct nat_key *in, nat_hash_t in_sig,
			    uint16_t pool, enum nat_state state, uint16_t drawn, uint32_t now,
			    enum pkt_drop *why);

/*
 * Starts fetching what creating the session for in2out key `in` would touch: the out2in buckets of
 * its source port and of the random port it would try next, its host's slot and the record it
 * would take (the `nth` new one of this burst). Returns that random port, for
 * nat_session_create(); 0 when there is none.
 */
uint16_t nat_session_prefetch(struct nat_worker *w, const struct nat_key *in, uint16_t pool,
			      uint32_t nth);

/* Drops session `s`'s reference on its endpoint-independent mapping, ending it with the last one. */
void nat_eim_unref(struct nat_worker *w, const struct nat_session *s);

/* Moves session `idx` to the timer slot of its deadline if that came earlier (state change). */
void nat_session_retime(struct nat_worker *w, uint32_t idx);

/* ICMP errors (RFC 5508 §4): translate the error and the packet it quotes. */
enum pkt_drop nat_icmp_error_in2out(struct nat_worker *w, struct pkt_info *info);
enum pkt_drop nat_icmp_error_out2in(struct nat_worker *w, struct pkt_info *info);

/* Ends live session `idx` at once, wherever its timer stands, its external tuple free at once
 * (reclaimed for a new flow, or its route moved to another VXC). */
void nat_session_end_now(struct nat_worker *w, uint32_t idx, enum nat_end_reason why);

/* NAT events (nat_log.c). Sessions are reported one by one unless port blocks are (nat_blocks.c). */
static inline bool nat_logging(const struct nat_worker *w)
{
	return w->log.ring != NULL && w->config->log_events;
}
void nat_log_session(struct nat_worker *w, const struct nat_session *s, enum nat_event_type type,
		     enum nat_end_reason reason);
/* A refused flow (in2out key `in`, external address `outside` when one was chosen): at most one
 * event of each type a second. */
void nat_log_refused(struct nat_worker *w, enum nat_event_type type, enum nat_quota quota,
		     const struct nat_key *in, rte_be32_t outside, uint32_t limit, uint32_t now);
void nat_log_block(struct nat_worker *w, enum nat_event_type type, rte_be32_t inside, rte_be32_t outside,
		   uint16_t first, uint16_t last);

/* Port blocks (nat_blocks.c). NAT_HOST_BLOCKS: blocks one host may hold per address and worker. */
#define NAT_HOST_BLOCKS 4
#define NAT_BLOCK_KEYS 65536 /* aux hash room for blocks and their hosts, per worker */
/* Is `port` (host order) usable for flow `in`? Fills out->local_port and *out_sig when it is. */
typedef bool (*nat_port_usable_fn)(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
				   nat_hash_t *out_sig, uint16_t port);
/* Fills out->local_port with a free port of one of in's host's blocks on out->local_addr, taking a
 * new block (and reporting it) when those are full. False when the host may take no more. */
bool nat_block_choose_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			   nat_hash_t *out_sig, nat_port_usable_fn usable, uint32_t now);
/* The block of this worker's holding external port `port` (host order); UINT16_MAX if none. */
uint16_t nat_block_of(const struct nat_worker *w, uint16_t port);
/* Session `s` opened in its host's block (false: its port is in none, as when it reused an
 * endpoint-independent mapping made before port blocks) / a session flagged NAT_SESSION_F_BLOCK
 * ended. */
bool nat_block_ref(struct nat_worker *w, const struct nat_session *s);
void nat_block_unref(struct nat_worker *w, const struct nat_session *s);
/* The flow given out's port could not open after all: its block goes back if nothing uses it. */
void nat_block_unused(struct nat_worker *w, const struct nat_key *in, const struct nat_key *out);

/* Unanswered sessions (nat_embryonic.c). */
int nat_embryos_init(struct nat_embryos *e, uint32_t capacity, int socket);
void nat_embryos_fini(struct nat_embryos *e);
/* Session `idx` of the host of `host` opened unanswered (a SYN, or UDP). */
void nat_embryo_opened(struct nat_worker *w, uint32_t idx, struct nat_host_slot *host);
/* Half-open TCP session `s` is so no more (answered, ended or reclaimed): its host's count drops. */
void nat_embryo_done(struct nat_worker *w, const struct nat_session *s);
/*
 * Ends the oldest unanswered session towards in's remote endpoint from out's external address (for
 * a new flow that found all its ports taken) and puts its port in out->local_port. False when none
 * was found among the oldest few. Host slots may move: look them up again after.
 */
bool nat_embryo_reclaim_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out);
/* Ends the oldest unanswered session, whatever its destination (the table is full). */
bool nat_embryo_reclaim_any(struct nat_worker *w);
