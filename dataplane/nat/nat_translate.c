/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst translation loop, both directions.
 *
 * Each packet's key was made and its bucket fetched as it joined the burst (nat_burst.h). One pass
 * then runs two stages PROCESS_LAG packets apart: find the key's candidate record in its bucket and
 * fetch it; and, for the packet that far behind, confirm and translate, in arrival order, so that
 * the record misses overlap the work on the packets before them. Packets without a key (ICMP
 * errors, non-first fragments) take their own slower path in the second stage.
 */
#include <rte_prefetch.h>

#include "nat_burst.h"
#include "nat_inlines.h"
#include "nat_rewrite.h"
#include "nat_tcp.h"

struct burst_out {
	struct rte_mbuf **pkts;
	uint16_t n, cap;
};

static inline void emit(struct nat_worker *w, struct burst_out *o, struct rte_mbuf *m)
{
	if (likely(o->n < o->cap)) {
		o->pkts[o->n++] = m;
		return;
	}
	w->stats.burst_overflow++;
	rte_pktmbuf_free(m);
}

static inline void drop(struct nat_worker *w, struct rte_mbuf *m, enum pkt_drop why)
{
	nat_count_drop(w, why);
	rte_pktmbuf_free(m);
}

/* Does record `s` still hold the session `k` led to? A record found in the bulk pass may have been
 * released meanwhile by expiry that a session creation in the same burst ran. */
static inline bool session_matches(const struct nat_session *s, const struct nat_key *k)
{
	return s->state != NAT_S_FREE && s->state != NAT_S_HOLD && nat_record_has_key(s, k);
}

/* The state a new session starts in, or NAT_S_FREE when this packet may not open one. */
static inline enum nat_state opening_state(const struct pkt_info *info)
{
	if (info->proto == IPPROTO_UDP)
		return NAT_S_UDP_OUT;
	if (info->proto == IPPROTO_ICMP)
		return NAT_S_ICMP;
	/* RFC 6146: only a SYN opens a TCP session; stray segments of unknown connections die here. */
	if ((((const struct rte_tcp_hdr *)info->l4)->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
	    RTE_TCP_SYN_FLAG)
		return NAT_S_TCP_SYN_IN;
	return NAT_S_FREE;
}

static inline uint32_t find_or_create(struct nat_worker *w, enum nat_dir dir, const struct nat_key *k,
				      nat_hash_t sig, int64_t found, const struct pkt_info *info,
				      uint16_t pool, uint16_t drawn, uint32_t now, enum pkt_drop *why)
{
	enum nat_state state;

	if (found < 0 || !session_matches(&w->table.sessions[found], k)) {
		/* Missed in the bulk pass, or the record changed since: an earlier packet of this burst
		 * may have created or ended the session. */
		found = nat_table_lookup(&w->table, k, sig);
		if (found >= 0 && !session_matches(&w->table.sessions[found], k))
			found = -1;
	}
	if (found >= 0) {
		if (likely(dir == NAT_DIR_OUT2IN || w->table.sessions[found].pool == pool))
			return (uint32_t)found;
		/* The route now leaves through another VXC than the one whose address the session has:
		 * no reply to that address can come back on the new one (nor to a /31 through anyone
		 * else), so the session is dead. It ends here, and this packet opens a new one through
		 * the new VXC if it may (a SYN retransmitted, UDP): traffic follows the route at once
		 * instead of waiting out the old session's timer. */
		nat_session_end_now(w, (uint32_t)found, NAT_END_REROUTED);
		w->stats.rerouted++;
	}
	if (dir == NAT_DIR_OUT2IN) {
		*why = PKT_DROP_no_session;
		return NAT_NIL;
	}
	state = opening_state(info);
	if (state == NAT_S_FREE) {
		*why = PKT_DROP_tcp_not_syn;
		return NAT_NIL;
	}
	return nat_session_create(w, k, sig, pool, state, drawn, now, why);
}

/* Translates the addresses and ports of a packet with a transport header in session `s`. */
static inline void translate(enum nat_dir dir, const struct nat_session *s, struct pkt_info *info)
{
	struct rte_ipv4_hdr *ip = info->ip;

	if (dir == NAT_DIR_IN2OUT) {
		nat_rewrite_addr(ip, NAT_SIDE_SRC, s->outside_addr, info->l4);
		nat_rewrite_port(info->proto, info->l4, NAT_SIDE_SRC, s->outside_port);
	} else {
		nat_rewrite_addr(ip, NAT_SIDE_DST, s->inside_addr, info->l4);
		nat_rewrite_port(info->proto, info->l4, NAT_SIDE_DST, s->inside_port);
	}
}

static inline void track_state(struct nat_worker *w, enum nat_dir dir, uint32_t idx,
			       const struct pkt_info *info, uint32_t now)
{
	struct nat_session *s = &w->table.sessions[idx];

	if (info->proto == IPPROTO_TCP) {
		enum nat_state next = nat_tcp_next((enum nat_state)s->state, dir,
						   ((const struct rte_tcp_hdr *)info->l4)->tcp_flags);

		nat_record_touch(s, now); /* TCP state is two-sided: both directions keep it */
		if (next != s->state) {
			if (nat_state_half_open((enum nat_state)s->state) && !nat_state_half_open(next))
				nat_embryo_done(w, s);
			nat_record_set_state(s, next);
			nat_session_retime(w, idx);
		}
	} else if (dir == NAT_DIR_IN2OUT) {
		/* RFC 4787 REQ-6: UDP (and ICMP query) mappings are refreshed by outbound traffic only. */
		nat_record_touch(s, now);
	} else if (unlikely(s->state == NAT_S_UDP_OUT)) {
		nat_record_set_state(s, NAT_S_UDP); /* answered: no longer one to give way */
	}
}

/* Applies a datagram's remembered translation to one of its later fragments. */
static inline void frag_apply(enum nat_dir dir, const struct nat_frag *e, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);

	if (dir == NAT_DIR_IN2OUT) {
		nat_rewrite_addr(ip, NAT_SIDE_SRC, e->new_addr, NULL);
		nat_rewrite_ip_id(ip, e->new_id);
	} else {
		nat_rewrite_addr(ip, NAT_SIDE_DST, e->new_addr, NULL);
	}
}

static struct nat_frag *frag_entry(struct nat_worker *w, enum nat_dir dir, const struct pkt_info *info,
				   uint32_t now, enum pkt_drop *why)
{
	struct nat_frag *e = nat_frag_get(&w->frags, dir, info, now,
					  w->config->timeout[NAT_TIMEOUT_FRAGMENT],
					  &w->stats.drops[PKT_DROP_frag_orphan], why);

	if (e == NULL)
		return NULL;
	*why = nat_frag_add_range(e, info);
	if (*why != PKT_DROP_NONE)
		return NULL;
	if (e->n_ranges == 1 && !e->have_first && dir == NAT_DIR_IN2OUT)
		e->new_id = nat_next_ip_id(w); /* first piece of this datagram seen */
	return e;
}

static void frag_done_if_complete(struct nat_worker *w, struct nat_frag *e)
{
	if (nat_frag_complete(e))
		nat_frag_release(&w->frags, e);
}

static void frag_later(struct nat_worker *w, enum nat_dir dir, struct rte_mbuf *m,
		       const struct pkt_info *info, struct burst_out *o, uint32_t now)
{
	enum pkt_drop why = PKT_DROP_NONE;
	struct nat_frag *e = frag_entry(w, dir, info, now, &why);

	if (e == NULL) {
		drop(w, m, why);
		return;
	}
	if (!e->have_first) {
		if (!nat_frag_hold(&w->frags, e, m)) {
			/* Over its share: this datagram can no longer complete, so what it holds goes
			 * back to the pool now rather than when it times out. */
			w->stats.drops[PKT_DROP_frag_table_full] += nat_frag_release(&w->frags, e);
			drop(w, m, PKT_DROP_frag_table_full);
			return;
		}
		w->stats.frags_held++;
		return;
	}
	frag_apply(dir, e, m);
	emit(w, o, m);
	frag_done_if_complete(w, e);
}

/* The first fragment decided the translation: remember it and release what waited for it. */
static void frag_first(struct nat_worker *w, enum nat_dir dir, struct nat_frag *e,
		       const struct nat_session *s, struct burst_out *o)
{
	uint8_t n, i;

	e->have_first = 1;
	e->new_addr = dir == NAT_DIR_IN2OUT ? s->outside_addr : s->inside_addr;
	n = nat_frag_take_held(&w->frags, e);
	for (i = 0; i < n; i++) {
		frag_apply(dir, e, e->held[i]);
		emit(w, o, e->held[i]);
	}
	frag_done_if_complete(w, e);
}

static __rte_always_inline void process_keyed(struct nat_worker *w, enum nat_dir dir, struct rte_mbuf *m,
				 struct pkt_info *info, const struct nat_key *k, nat_hash_t sig,
				 int64_t found, uint16_t pool, uint16_t drawn, struct burst_out *o,
				 uint32_t now)
{
	enum pkt_drop why = PKT_DROP_NONE;
	struct nat_frag *frag = NULL;
	struct nat_session *s;
	uint32_t idx;

	idx = find_or_create(w, dir, k, sig, found, info, pool, drawn, now, &why);
	if (idx == NAT_NIL) {
		drop(w, m, why);
		return;
	}
	if (unlikely(info->flags & PKT_F_FRAGMENT)) {
		frag = frag_entry(w, dir, info, now, &why);
		if (frag == NULL) {
			drop(w, m, why);
			return;
		}
	}
	s = &w->table.sessions[idx];
	translate(dir, s, info);
	track_state(w, dir, idx, info, now);
	if (dir == NAT_DIR_IN2OUT) {
		/* Keep IP IDs unique per public address: hosts behind it pick theirs independently, and a
		 * datagram that may still be fragmented on the way needs a unique one (RFC 6864). */
		if (frag != NULL)
			nat_rewrite_ip_id(info->ip, frag->new_id);
		else if (!(info->ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)))
			nat_rewrite_ip_id(info->ip, nat_next_ip_id(w));
		w->stats.in2out++;
	} else {
		w->stats.out2in++;
	}
	emit(w, o, m);
	if (frag != NULL)
		frag_first(w, dir, frag, s, o);
}

/*
 * How many packets the translation runs behind the record fetches: about one memory latency of work
 * (a packet takes some 60-100 cycles here), and few enough misses in flight at once for a core to
 * follow. 4, 8 and 16 measured alike (bench/micro.sh, 1M sessions); 8 is in the middle.
 */
#define PROCESS_LAG 8

/* The candidate record for key `k` in its (fetched) bucket, itself fetched; or, for a new in2out
 * session, what creating it will touch. */
static __rte_always_inline void find_candidate(struct nat_worker *w, const struct nat_burst *b, uint16_t k,
					       uint32_t *candidate, uint16_t *drawn, uint32_t *n_new)
{
	*candidate = nat_table_candidate(&w->table, &b->keys[k], b->hashes[k]);
	*drawn = 0;
	if (*candidate != NAT_NIL)
		rte_prefetch0(&w->table.sessions[*candidate]);
	else if (b->dir == NAT_DIR_IN2OUT)
		*drawn = nat_session_prefetch(w, &b->keys[k], b->pool[k], (*n_new)++);
}

static __rte_always_inline void process_packet(struct nat_worker *w, enum nat_dir dir, const struct nat_burst *b,
					       uint16_t i, const uint32_t *candidate, const uint16_t *drawn,
					       struct burst_out *o, uint32_t now)
{
	struct rte_mbuf *m = b->pkts[i];
	struct pkt_info *pi = b->info[i];
	enum pkt_drop err;

	switch (b->class[i]) {
	case NAT_CLASS_KEYED: {
		uint8_t k = b->slot[i];
		int64_t found = candidate[k] == NAT_NIL ? -1 : (int64_t)candidate[k];

		process_keyed(w, dir, m, pi, &b->keys[k], b->hashes[k], found, b->pool[k], drawn[k], o, now);
		break;
	}
	case NAT_CLASS_ICMP_ERROR:
		err = dir == NAT_DIR_IN2OUT ? nat_icmp_error_in2out(w, pi) : nat_icmp_error_out2in(w, pi);
		if (err != PKT_DROP_NONE) {
			drop(w, m, err);
			break;
		}
		w->stats.icmp_errors++;
		emit(w, o, m);
		break;
	case NAT_CLASS_FRAG_LATER:
		frag_later(w, dir, m, pi, o, now);
		break;
	default:
		drop(w, m, (enum pkt_drop)b->why[i]);
		break;
	}
}

static __rte_always_inline uint16_t run(struct nat_worker *w, enum nat_dir dir, const struct nat_burst *b,
					struct rte_mbuf **out, uint16_t out_cap, uint32_t now)
{
	struct burst_out o = {.pkts = out, .n = 0, .cap = out_cap};
	uint32_t candidate[NAT_BURST_MAX], n_new = 0;
	uint16_t drawn[NAT_BURST_MAX];
	uint16_t i;

	/* A key is never behind its packet (k <= i), so its candidate is found before the packet is
	 * processed. Found early, it may be gone, or a session it missed made, by then: an earlier
	 * packet of the burst may have ended or created it. find_or_create() looks again. */
	for (i = 0; i < b->n + PROCESS_LAG; i++) {
		if (i < b->n_keys)
			find_candidate(w, b, i, &candidate[i], &drawn[i], &n_new);
		if (i >= PROCESS_LAG)
			process_packet(w, dir, b, (uint16_t)(i - PROCESS_LAG), candidate, drawn, &o, now);
	}
	if (w->log.n_staged != 0)
		nat_log_flush(w);
	return o.n;
}

uint16_t nat_burst_run(struct nat_worker *w, struct nat_burst *b, struct rte_mbuf **out, uint16_t out_cap,
		       uint32_t now)
{
	/* Two copies, each with its direction a constant. */
	if (b->dir == NAT_DIR_IN2OUT)
		return run(w, NAT_DIR_IN2OUT, b, out, out_cap, now);
	return run(w, NAT_DIR_OUT2IN, b, out, out_cap, now);
}

/* The burst functions for callers that have their packets parsed in an array already. */
static uint16_t translate_array(struct nat_worker *w, enum nat_dir dir, struct rte_mbuf **pkts,
				struct pkt_info *info, const uint16_t *pools, uint16_t n,
				struct rte_mbuf **out, uint16_t out_cap, uint32_t now)
{
	struct nat_burst b;
	uint16_t done = 0, i;

	while (n > 0) {
		uint16_t count = RTE_MIN(n, (uint16_t)NAT_BURST_MAX);

		nat_burst_begin(&b, dir);
		for (i = 0; i < count; i++)
			nat_burst_add(w, &b, pkts[i], &info[i], pools ? pools[i] : 0);
		done += nat_burst_run(w, &b, out + done, (uint16_t)(out_cap - done), now);
		pkts += count;
		info += count;
		if (pools)
			pools += count;
		n -= count;
	}
	return done;
}

uint16_t nat_in2out_burst(struct nat_worker *w, struct rte_mbuf **pkts, struct pkt_info *info,
			  const uint16_t *pools, uint16_t n, struct rte_mbuf **out, uint16_t out_cap,
			  uint32_t now)
{
	return translate_array(w, NAT_DIR_IN2OUT, pkts, info, pools, n, out, out_cap, now);
}

uint16_t nat_out2in_burst(struct nat_worker *w, struct rte_mbuf **pkts, struct pkt_info *info,
			  uint16_t n, struct rte_mbuf **out, uint16_t out_cap, uint32_t now)
{
	return translate_array(w, NAT_DIR_OUT2IN, pkts, info, NULL, n, out, out_cap, now);
}
