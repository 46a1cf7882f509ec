/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sessions that never became connections: TCP whose handshake did not complete (a SYN went out;
 * perhaps a SYN+ACK or a RST came back, but the inside never acknowledged) and UDP that no reply
 * reached. A flood from spoofed LAN sources creates nothing else, and would otherwise hold every
 * external port towards its target (and every record) for the transitory timeout. So under
 * pressure, the oldest of them give way to new flows (NAT-BEHAVIOUR: "reclaimed first, oldest
 * first"): towards a destination whose ports are all taken, those towards the same destination;
 * when the table is full, any. An established connection is never touched. Half-open TCP sessions
 * are also counted per host, for the host's half-open limit.
 *
 * The sessions are remembered in the order they opened, in a ring of (record, seq) pairs: a record
 * that completed its handshake, ended or was reused since is recognised by its state or sequence
 * number and skipped. The ring is as large as the table, so it only overflows with such stale
 * entries; when it does, the oldest entry is forgotten (its session just expires as usual).
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_malloc.h>

#include "nat_inlines.h"

/* Entries one new flow may look at: live sessions towards other destinations (each may be looked at
 * again later), and stale entries (each looked at once ever, so their cost is one per session
 * opened, whatever the bound; it only bounds one packet's delay). */
#define RECLAIM_SCAN_LIVE 64
#define RECLAIM_SCAN_STALE 4096

int nat_embryos_init(struct nat_embryos *e, uint32_t capacity, int socket)
{
	uint32_t n = rte_align32pow2(RTE_MAX(capacity, 2u));

	e->ring = rte_malloc_socket("nat_embryos", sizeof(*e->ring) * n, RTE_CACHE_LINE_SIZE, socket);
	if (e->ring == NULL)
		return -ENOMEM;
	e->mask = n - 1;
	e->head = e->tail = 0;
	return 0;
}

void nat_embryos_fini(struct nat_embryos *e)
{
	rte_free(e->ring);
	e->ring = NULL;
}

static void push(struct nat_embryos *e, uint64_t entry)
{
	if (e->tail - e->head > e->mask)
		e->head++; /* full of entries older than any live one could need: forget the oldest */
	e->ring[e->tail++ & e->mask] = entry;
}

void nat_embryo_opened(struct nat_worker *w, uint32_t idx, struct nat_host_slot *host)
{
	const struct nat_session *s = &w->table.sessions[idx];

	push(&w->embryos, (uint64_t)s->seq << 32 | idx);
	if (nat_state_half_open((enum nat_state)s->state))
		host->embryonic++;
}

void nat_embryo_done(struct nat_worker *w, const struct nat_session *s)
{
	struct nat_host_slot *host = nat_host_slot(&w->table, s->inside_addr);

	if (host != NULL && host->addr != 0 && host->embryonic > 0)
		host->embryonic--;
}

/* The oldest entry's session if it is still unanswered, else NAT_NIL; the entry leaves the ring. */
static uint32_t pop_live(struct nat_worker *w)
{
	uint64_t entry = w->embryos.ring[w->embryos.head++ & w->embryos.mask];
	uint32_t idx = (uint32_t)entry;
	const struct nat_session *s = &w->table.sessions[idx];

	if (s->seq != (uint32_t)(entry >> 32) || !nat_state_unanswered((enum nat_state)s->state))
		return NAT_NIL;
	return idx;
}

static void reclaim(struct nat_worker *w, uint32_t idx)
{
	nat_session_end_now(w, idx, NAT_END_RECLAIMED);
	w->stats.embryonic_reclaimed++;
}

bool nat_embryo_reclaim_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out)
{
	struct nat_embryos *e = &w->embryos;
	unsigned live = 0, stale = 0;

	while (live < RECLAIM_SCAN_LIVE && stale < RECLAIM_SCAN_STALE && e->head != e->tail) {
		uint64_t entry = e->ring[e->head & e->mask];
		uint32_t idx = pop_live(w);
		const struct nat_session *s;

		if (idx == NAT_NIL) {
			stale++;
			continue;
		}
		s = &w->table.sessions[idx];
		if (s->proto != in->proto || s->remote_addr != in->remote_addr ||
		    s->remote_port != in->remote_port || s->outside_addr != out->local_addr) {
			push(e, entry); /* unanswered towards elsewhere: it keeps its turn, roughly */
			live++;
			continue;
		}
		out->local_port = s->outside_port;
		reclaim(w, idx);
		return true;
	}
	return false;
}

bool nat_embryo_reclaim_any(struct nat_worker *w)
{
	struct nat_embryos *e = &w->embryos;
	unsigned looked;

	for (looked = 0; looked < RECLAIM_SCAN_STALE && e->head != e->tail; looked++) {
		uint32_t idx = pop_live(w);

		if (idx != NAT_NIL) {
			reclaim(w, idx);
			return true;
		}
	}
	return false;
}
