/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session ends: timers come due in the wheel; a session past its deadline is released; its external
 * tuple is held back for the port-hold time unless its TCP connection was seen to close.
 */
#include "nat_inlines.h"

static void free_record(struct nat_worker *w, uint32_t idx)
{
	struct nat_session *s = &w->table.sessions[idx];
	struct nat_key out;

	nat_session_key_out2in(s, &out);
	nat_table_remove(&w->table, NAT_KEY_OUT2IN, nat_key_hash(&w->table, &out), idx);
	nat_record_write_begin(s);
	nat_record_set_state(s, NAT_S_FREE);
	nat_record_write_end(s);
	nat_record_give(&w->table, idx);
}

/* Ends session `idx`, which went idle at `when`; its external tuple is held back if `may_hold`. */
static void release(struct nat_worker *w, uint32_t idx, uint32_t when, bool may_hold, enum nat_end_reason why)
{
	struct nat_session *s = &w->table.sessions[idx];
	uint32_t hold = w->config->timeout[NAT_TIMEOUT_PORT_HOLD];
	struct nat_key in;

	if (s->flags & NAT_SESSION_F_BLOCK)
		nat_block_unref(w, s); /* the block's own event covers the session */
	else if (nat_logging(w))
		nat_log_session(w, s, NAT_EV_SESSION_DELETE, why);

	nat_session_key_in2out(s, &in);
	nat_table_remove(&w->table, NAT_KEY_IN2OUT, nat_key_hash(&w->table, &in), idx);
	nat_host_unref(&w->table, s->inside_addr);
	if (s->flags & NAT_SESSION_F_EIM)
		nat_eim_unref(w, s);
	w->live_sessions--;

	if (!may_hold || hold == 0 || nat_state_closed((enum nat_state)s->state)) {
		free_record(w, idx);
		return;
	}
	/* The hold counts from the deadline, not from when a lagging wheel got to it. */
	nat_record_touch(s, when);
	nat_record_set_state(s, NAT_S_HOLD);
	nat_wheel_insert(&w->table, idx, when + hold);
}

/* Why a session that ran out its timer ended, as its last state says. */
static enum nat_end_reason timer_end_reason(enum nat_state state)
{
	if (state == NAT_S_TCP_FIN_BOTH)
		return NAT_END_TCP_CLOSE;
	if (state == NAT_S_TCP_RST || state == NAT_S_TCP_REFUSED)
		return NAT_END_RESET;
	return NAT_END_TIMEOUT;
}

static void expire(struct nat_worker *w, uint32_t idx, uint32_t deadline)
{
	struct nat_session *s = &w->table.sessions[idx];

	if (nat_state_half_open((enum nat_state)s->state))
		nat_embryo_done(w, s); /* before its host may go */
	w->stats.expired++;
	release(w, idx, deadline, true, timer_end_reason((enum nat_state)s->state));
}

uint32_t nat_worker_expire(struct nat_worker *w, uint32_t now, uint32_t budget)
{
	uint32_t done = 0, idx;

	/* Fragment timeouts are whole seconds: one pass over the fragment table a second is enough. */
	if (now != w->frags_swept_at) {
		w->frags_swept_at = now;
		w->stats.drops[PKT_DROP_frag_orphan] += nat_frag_sweep(&w->frags, now, w->frags.mask + 1);
	}
	while (done < budget && (idx = nat_wheel_pop_due(&w->table, now)) != NAT_NIL) {
		struct nat_session *s = &w->table.sessions[idx];
		uint32_t deadline = nat_session_deadline(w, s);

		done++;
		if ((int32_t)(deadline - now) > 0)
			nat_wheel_insert(&w->table, idx, deadline); /* refreshed since it was filed */
		else if (s->state == NAT_S_HOLD)
			free_record(w, idx);
		else
			expire(w, idx, deadline);
	}
	if (w->log.n_staged != 0)
		nat_log_flush(w);
	return done;
}

/* A session reclaimed for a new flow (it never carried a connection: nat_embryonic.c) or whose
 * route moved to another VXC (its address can no longer receive): no late packet of it can reach
 * whoever takes its tuple next, so the tuple is free at once. */
void nat_session_end_now(struct nat_worker *w, uint32_t idx, enum nat_end_reason why)
{
	struct nat_session *s = &w->table.sessions[idx];

	if (nat_state_half_open((enum nat_state)s->state))
		nat_embryo_done(w, s); /* before its host may go */
	nat_wheel_remove(&w->table, idx);
	release(w, idx, s->last_seen, false, why);
}

void nat_session_retime(struct nat_worker *w, uint32_t idx)
{
	struct nat_session *s = &w->table.sessions[idx];
	uint32_t deadline = nat_session_deadline(w, s);

	if ((int32_t)(deadline - s->wheel_at) < 0) {
		nat_wheel_remove(&w->table, idx);
		nat_wheel_insert(&w->table, idx, deadline);
	}
}
