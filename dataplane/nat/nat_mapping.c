/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session creation: which external address and port a new flow gets.
 *
 * - Address: paired pooling (RFC 4787 REQ-2): a hash of the inside address picks the pool member, so
 *   a host always appears as the same public address, whatever the protocol.
 * - Port: the source port itself when it is in this worker's share and free, else random draws in
 *   the same range class (below 1024 or not, RFC 6056 algorithm 1). With RSS prediction, a TCP or
 *   UDP port must also bring the reply to this worker's queue (nat_rss.h). "Free" means no session (live or
 *   held back) uses the external tuple towards this remote endpoint (endpoint-dependent, RFC 7857
 *   §3: port overlapping), or additionally no other inside endpoint holds it
 *   (endpoint-independent).
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_hash_crc.h>

#include "nat_inlines.h"
#include "nat_rss.h"

#define PORT_DRAWS 64 /* random draws before the flow is refused: enough below ~90% use */

/* EIM mapping values pack what the mapping needs into the hash's data word. */
#define EIM_PACK(addr, port, users) (((uint64_t)(addr) << 32) | ((uint64_t)(port) << 16) | (users))
#define EIM_ADDR(v) ((rte_be32_t)((v) >> 32))
#define EIM_PORT(v) ((rte_be16_t)((v) >> 16))
#define EIM_USERS(v) ((uint16_t)(v))

static rte_be32_t choose_address(const struct nat_pool *pool, rte_be32_t inside)
{
	uint32_t member = rte_hash_crc_4byte(inside, 0x5ec0a7u) % pool->count;

	return rte_cpu_to_be_32(pool->first + member);
}

static bool port_reserved(const struct nat_config *cfg, uint8_t proto, uint16_t port)
{
	uint16_t i;

	if (proto != IPPROTO_TCP)
		return false;
	for (i = 0; i < cfg->n_reserved_tcp; i++)
		if (cfg->reserved_tcp[i] == port)
			return true;
	return false;
}

/* Frees a held-back record early: only done when the same inside endpoint takes the same external
 * tuple again, which is the very flow the hold protects. */
static void drop_hold(struct nat_worker *w, uint32_t idx, nat_hash_t out_hash)
{
	struct nat_session *s = &w->table.sessions[idx];

	nat_table_remove(&w->table, NAT_KEY_OUT2IN, out_hash, idx);
	nat_wheel_remove(&w->table, idx);
	nat_record_write_begin(s);
	nat_record_set_state(s, NAT_S_FREE);
	nat_record_write_end(s);
	nat_record_give(&w->table, idx);
}

/*
 * Is external tuple `out` free for the flow `in`? A tuple held back for the same inside endpoint is
 * taken over.
 */
static bool out_tuple_free(struct nat_worker *w, const struct nat_key *in, const struct nat_key *out,
			   nat_hash_t out_hash)
{
	int64_t idx = nat_table_lookup(&w->table, out, out_hash);
	const struct nat_session *s;

	if (idx < 0)
		return true;
	s = &w->table.sessions[idx];
	if (s->state == NAT_S_HOLD && s->inside_addr == in->local_addr &&
	    s->inside_port == in->local_port) {
		drop_hold(w, (uint32_t)idx, out_hash);
		return true;
	}
	return false;
}

static bool eim_port_taken(struct nat_worker *w, uint8_t proto, rte_be32_t addr, rte_be16_t port)
{
	struct nat_key k;

	nat_key_fill(&k, NAT_KEY_EIM_PORT, proto, addr, port, 0, 0);
	return nat_aux_get(&w->table, &k, nat_key_hash(&w->table, &k)) >= 0;
}

static bool candidate_ok(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			 nat_hash_t *out_sig, uint16_t port, bool eim)
{
	if (nat_port_owner(w->plan.n_workers, port) != w->plan.worker ||
	    port_reserved(w->config, in->proto, port))
		return false;
	out->local_port = rte_cpu_to_be_16(port);
	if (eim && eim_port_taken(w, in->proto, out->local_addr, out->local_port))
		return false;
	*out_sig = nat_key_hash(&w->table, out);
	return out_tuple_free(w, in, out, *out_sig);
}

/* candidate_ok for nat_block_choose_port(). */
static bool block_port_usable(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			      nat_hash_t *out_sig, uint16_t port)
{
	return candidate_ok(w, in, out, out_sig, port, w->config->mapping == NAT_MAPPING_ENDPOINT_INDEPENDENT);
}

/* RSS prediction applies: NICs hash TCP and UDP with their ports, everything else on addresses. */
static bool rss_steers(const struct nat_worker *w, uint8_t proto)
{
	return w->plan.rss != NULL && (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

/* Does the reply to external `port` land on this worker's queue? */
static bool reply_lands_here(const struct nat_worker *w, const struct nat_key *in, const struct nat_key *out,
			     uint16_t port)
{
	return nat_rss_reply_worker(w->plan.rss, rte_be_to_cpu_32(in->remote_addr),
				    rte_be_to_cpu_16(in->remote_port), rte_be_to_cpu_32(out->local_addr),
				    port) == w->plan.worker;
}

struct port_search {
	struct nat_worker *w;
	const struct nat_key *in;
	struct nat_key *out;
	nat_hash_t *out_sig;
	bool eim;
};

static bool search_usable(void *arg, uint16_t port)
{
	struct port_search *s = arg;

	return candidate_ok(s->w, s->in, s->out, s->out_sig, port, s->eim);
}

/* This worker's block of ports in the range class of `port` (below 1024 or not, RFC 6056). */
static void port_block(const struct nat_worker *w, uint16_t port, uint16_t *first, uint16_t *count)
{
	bool low = port < NAT_PORT_HIGH_FIRST;

	*first = w->block_first[low];
	*count = w->block_count[low];
}

/* A random port of the block [first, first + count): a multiply and a shift instead of a modulo. */
static uint16_t draw_port(struct nat_worker *w, uint16_t first, uint16_t count)
{
	return (uint16_t)(first + (((nat_random(w) >> 32) * count) >> 32));
}

/*
 * Fills out->local_port with a free external port; false when none was found. `drawn`, when not 0,
 * is the first random port to try, drawn ahead by nat_session_prefetch().
 */
static bool choose_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			nat_hash_t *out_sig, bool eim, uint16_t drawn)
{
	uint16_t wanted = rte_be_to_cpu_16(in->local_port);
	bool steered = rss_steers(w, in->proto);
	uint16_t first, count;
	int draw;

	if ((!steered || reply_lands_here(w, in, out, wanted)) && candidate_ok(w, in, out, out_sig, wanted, eim)) {
		w->stats.port_kept++;
		return true;
	}
	port_block(w, wanted, &first, &count);
	if (count == 0)
		return false;
	if (drawn == 0)
		drawn = draw_port(w, first, count);
	if (steered) {
		/* About one port in n_workers lands here: look at that many more. */
		struct port_search search = {w, in, out, out_sig, eim};
		uint16_t port;

		if (!nat_rss_pick_port(w->plan.rss, w->plan.worker, rte_be_to_cpu_32(in->remote_addr),
				       rte_be_to_cpu_16(in->remote_port), rte_be_to_cpu_32(out->local_addr),
				       first, count, (uint32_t)(drawn - first),
				       (uint32_t)PORT_DRAWS * w->plan.n_workers, search_usable, &search, &port))
			return false;
		w->stats.port_random++;
		return true;
	}
	for (draw = 0; draw < PORT_DRAWS; draw++) {
		uint16_t port = draw == 0 ? drawn : draw_port(w, first, count);

		if (candidate_ok(w, in, out, out_sig, port, eim)) {
			w->stats.port_random++;
			return true;
		}
	}
	return false;
}

/* Endpoint-independent: reuse H:p's mapping if it has one. Returns false if the flow must be refused. */
static bool eim_lookup(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
		       nat_hash_t *out_sig, bool *have_mapping)
{
	struct nat_key mk;
	int64_t v;

	nat_key_fill(&mk, NAT_KEY_EIM_MAP, in->proto, in->local_addr, in->local_port, 0, 0);
	v = nat_aux_get(&w->table, &mk, nat_key_hash(&w->table, &mk));
	*have_mapping = v >= 0;
	if (v < 0)
		return true;
	if (EIM_USERS(v) == UINT16_MAX)
		return false;
	out->local_addr = EIM_ADDR(v);
	out->local_port = EIM_PORT(v);
	*out_sig = nat_key_hash(&w->table, out);
	return out_tuple_free(w, in, out, *out_sig);
}

/* Takes a reference on H:p's endpoint-independent mapping P:x, creating it on first use. */
static int eim_ref(struct nat_worker *w, const struct nat_key *in, rte_be32_t addr, rte_be16_t port)
{
	struct nat_key mk, pk;
	nat_hash_t msig, psig;
	int64_t v;
	int ret;

	nat_key_fill(&mk, NAT_KEY_EIM_MAP, in->proto, in->local_addr, in->local_port, 0, 0);
	msig = nat_key_hash(&w->table, &mk);
	v = nat_aux_get(&w->table, &mk, msig);
	if (v >= 0)
		return nat_aux_set(&w->table, &mk, msig, (uint64_t)v + 1);

	nat_key_fill(&pk, NAT_KEY_EIM_PORT, in->proto, addr, port, 0, 0);
	psig = nat_key_hash(&w->table, &pk);
	ret = nat_aux_set(&w->table, &pk, psig, 0);
	if (ret < 0)
		return ret;
	ret = nat_aux_set(&w->table, &mk, msig, EIM_PACK(addr, port, 1));
	if (ret < 0)
		nat_aux_del(&w->table, &pk, psig);
	return ret;
}

void nat_eim_unref(struct nat_worker *w, const struct nat_session *s)
{
	struct nat_key mk, pk;
	nat_hash_t msig;
	int64_t v;

	nat_key_fill(&mk, NAT_KEY_EIM_MAP, s->proto, s->inside_addr, s->inside_port, 0, 0);
	msig = nat_key_hash(&w->table, &mk);
	v = nat_aux_get(&w->table, &mk, msig);
	if (v < 0)
		return;
	if (EIM_USERS(v) > 1) {
		nat_aux_set(&w->table, &mk, msig, (uint64_t)v - 1);
		return;
	}
	nat_aux_del(&w->table, &mk, msig);
	nat_key_fill(&pk, NAT_KEY_EIM_PORT, s->proto, EIM_ADDR(v), EIM_PORT(v), 0, 0);
	nat_aux_del(&w->table, &pk, nat_key_hash(&w->table, &pk));
}

static uint32_t take_record(struct nat_worker *w, uint32_t now)
{
	uint32_t idx = nat_record_take(&w->table);

	if (idx == NAT_NIL) {
		/* Sessions past their deadline may still be waiting in the wheel: end them now. */
		nat_worker_expire(w, now, 2 * NAT_BURST_MAX);
		idx = nat_record_take(&w->table);
	}
	/* Full of live sessions: the oldest unanswered one gives way, never one that was answered. */
	if (idx == NAT_NIL && nat_embryo_reclaim_any(w))
		idx = nat_record_take(&w->table);
	return idx;
}

/* Every port towards in's destination is taken: an unanswered session towards it gives its own. */
static bool reclaim_port(struct nat_worker *w, const struct nat_key *in, struct nat_key *out,
			 nat_hash_t *out_sig, bool eim)
{
	int tries;

	for (tries = 0; tries < 4 && nat_embryo_reclaim_port(w, in, out); tries++)
		if (candidate_ok(w, in, out, out_sig, rte_be_to_cpu_16(out->local_port), eim))
			return true;
	return false;
}

uint16_t nat_session_prefetch(struct nat_worker *w, const struct nat_key *in, uint16_t pool,
			      uint32_t nth)
{
	const struct nat_config *cfg = w->config;
	const struct nat_table *t = &w->table;
	uint16_t wanted = rte_be_to_cpu_16(in->local_port), first, count, drawn = 0;
	struct nat_key out;

	if (pool >= cfg->n_pools || cfg->pools[pool].count == 0)
		return 0;
	/* The external tuple that keeps the source port, which a new session gets when it is free. */
	nat_key_fill(&out, NAT_KEY_OUT2IN, in->proto, choose_address(&cfg->pools[pool], in->local_addr),
		     in->local_port, in->remote_addr, in->remote_port);
	nat_table_prefetch(t, nat_key_hash(t, &out));
	/* And the one it tries next: in a busy table (many hosts, few servers) the source port is
	 * mostly taken towards the same server, and that first random port's bucket would be a cache
	 * miss of its own. */
	port_block(w, wanted, &first, &count);
	if (count != 0) {
		drawn = draw_port(w, first, count);
		if (!rss_steers(w, in->proto)) {
			out.local_port = rte_cpu_to_be_16(drawn);
			nat_table_prefetch(t, nat_key_hash(t, &out));
		}
	}
	nat_host_prefetch(t, in->local_addr);
	if (nth < t->n_free)
		rte_prefetch0(&t->sessions[t->free_stack[t->n_free - 1 - nth]]);
	return drawn;
}

/* The event of a refused new flow (RFC 8158's exhaustion and quota events). */
static void log_refusal(struct nat_worker *w, enum pkt_drop why, const struct nat_key *in, rte_be32_t outside,
			uint32_t now)
{
	const struct nat_config *cfg = w->config;

	switch (why) {
	case PKT_DROP_ports_exhausted:
		nat_log_refused(w, NAT_EV_PORTS_EXHAUSTED, 0, in, outside, 0, now);
		break;
	case PKT_DROP_table_full:
		nat_log_refused(w, NAT_EV_QUOTA_EXCEEDED, NAT_QUOTA_SESSIONS, in, 0, w->table.capacity, now);
		break;
	case PKT_DROP_host_limit:
		nat_log_refused(w, NAT_EV_QUOTA_EXCEEDED, NAT_QUOTA_PER_HOST, in, 0, cfg->per_host_limit, now);
		break;
	case PKT_DROP_host_embryonic_limit:
		nat_log_refused(w, NAT_EV_QUOTA_EXCEEDED, NAT_QUOTA_PER_HOST, in, 0,
				cfg->embryonic_per_host_limit, now);
		break;
	case PKT_DROP_host_table_full:
		nat_log_refused(w, NAT_EV_QUOTA_EXCEEDED, NAT_QUOTA_HOSTS, in, 0, w->table.host_capacity, now);
		break;
	default:
		break;
	}
}

uint32_t nat_session_create(struct nat_worker *w, const struct nat_key *in, nat_hash_t in_sig,
			    uint16_t pool, enum nat_state state, uint16_t drawn, uint32_t now,
			    enum pkt_drop *why)
{
	const struct nat_config *cfg = w->config;
	bool eim = cfg->mapping == NAT_MAPPING_ENDPOINT_INDEPENDENT;
	bool have_mapping = false, blocks = cfg->port_block != 0, new_port = false;
	struct nat_key out = {0};
	nat_hash_t out_sig = 0;
	enum pkt_drop fail = PKT_DROP_table_full;
	struct nat_host_slot *host;
	struct nat_session *s;
	uint32_t idx;

	if (pool >= cfg->n_pools || cfg->pools[pool].count == 0) {
		*why = PKT_DROP_no_pool;
		if (nat_logging(w))
			nat_log_refused(w, NAT_EV_ADDRESSES_EXHAUSTED, 0, in, 0, pool, now);
		return NAT_NIL;
	}
	/* First, because it may run expiry, which changes host counts, mappings and held ports that
	 * the steps below read. */
	idx = take_record(w, now);
	if (idx == NAT_NIL) {
		*why = PKT_DROP_table_full;
		if (nat_logging(w))
			log_refusal(w, PKT_DROP_table_full, in, 0, now);
		return NAT_NIL;
	}
	host = nat_host_slot(&w->table, in->local_addr);
	if (cfg->per_host_limit && nat_host_sessions(host) >= cfg->per_host_limit) {
		fail = PKT_DROP_host_limit;
		goto give_back;
	}
	if (state == NAT_S_TCP_SYN_IN && cfg->embryonic_per_host_limit &&
	    nat_host_embryonic(host) >= cfg->embryonic_per_host_limit) {
		fail = PKT_DROP_host_embryonic_limit;
		goto give_back;
	}

	nat_key_fill(&out, NAT_KEY_OUT2IN, in->proto, choose_address(&cfg->pools[pool], in->local_addr),
		     0, in->remote_addr, in->remote_port);
	if (eim && !eim_lookup(w, in, &out, &out_sig, &have_mapping)) {
		fail = PKT_DROP_ports_exhausted;
		goto give_back;
	}
	if (!have_mapping && blocks) {
		/* Port blocks: the host's own ports only, so reclaiming another's session would not help. */
		if (!nat_block_choose_port(w, in, &out, &out_sig, block_port_usable, now)) {
			fail = PKT_DROP_ports_exhausted;
			goto give_back;
		}
		new_port = true;
	} else if (!have_mapping && !choose_port(w, in, &out, &out_sig, eim, drawn)) {
		if (!reclaim_port(w, in, &out, &out_sig, eim)) {
			fail = PKT_DROP_ports_exhausted;
			goto give_back;
		}
		host = nat_host_slot(&w->table, in->local_addr); /* the reclaimed host's may have moved it */
	}
	/* The record's identity is the index's key: write it before the keys can lead to it. */
	s = &w->table.sessions[idx];
	nat_record_write_begin(s);
	NAT_RECORD_STORE(s->proto, in->proto);
	NAT_RECORD_STORE(s->pool, pool);
	NAT_RECORD_STORE(s->flags, (uint16_t)(eim ? NAT_SESSION_F_EIM : 0));
	NAT_RECORD_STORE(s->inside_addr, in->local_addr);
	NAT_RECORD_STORE(s->inside_port, in->local_port);
	NAT_RECORD_STORE(s->outside_addr, out.local_addr);
	NAT_RECORD_STORE(s->outside_port, out.local_port);
	NAT_RECORD_STORE(s->remote_addr, in->remote_addr);
	NAT_RECORD_STORE(s->remote_port, in->remote_port);
	nat_record_touch(s, now);
	nat_record_set_state(s, state);
	nat_record_write_end(s);

	if (nat_table_insert(&w->table, in, in_sig, idx) < 0)
		goto unwrite;
	if (nat_table_insert(&w->table, &out, out_sig, idx) < 0)
		goto unkey_in;
	if (nat_host_ref(&w->table, host, in->local_addr) < 0) {
		fail = PKT_DROP_host_table_full;
		goto unkey_out;
	}
	if (eim && eim_ref(w, in, out.local_addr, out.local_port) < 0)
		goto unhost;

	nat_wheel_insert(&w->table, idx, nat_session_deadline(w, s));
	/* In port-block mode the session's port is in a block of its host's: the block's event says
	 * who had it, and the session counts towards keeping the block. */
	if (blocks && nat_block_ref(w, s))
		NAT_RECORD_STORE(s->flags, (uint16_t)(s->flags | NAT_SESSION_F_BLOCK));
	else if (nat_logging(w))
		nat_log_session(w, s, NAT_EV_SESSION_CREATE, 0);
	if (nat_state_unanswered(state))
		nat_embryo_opened(w, idx, nat_host_slot(&w->table, in->local_addr));
	w->live_sessions++;
	w->stats.created++;
	return idx;

unhost:
	nat_host_unref(&w->table, in->local_addr); /* the reference just taken */
unkey_out:
	nat_table_remove(&w->table, NAT_KEY_OUT2IN, out_sig, idx);
unkey_in:
	nat_table_remove(&w->table, NAT_KEY_IN2OUT, in_sig, idx);
unwrite:
	nat_record_write_begin(s);
	nat_record_set_state(s, NAT_S_FREE);
	nat_record_write_end(s);
	if (new_port)
		nat_block_unused(w, in, &out);
give_back:
	*why = fail;
	nat_record_give(&w->table, idx);
	if (nat_logging(w))
		log_refusal(w, fail, in, out.local_addr, now);
	return NAT_NIL;
}
