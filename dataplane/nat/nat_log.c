/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT events from the worker's side (nat_log.h): stage, hand over, count what was lost. */
#include "nat_inlines.h"

void nat_log_flush(struct nat_worker *w)
{
	struct nat_log *log = &w->log;
	unsigned sent;

	if (log->n_staged == 0)
		return;
	sent = rte_ring_sp_enqueue_burst_elem(log->ring, log->staged, sizeof(log->staged[0]),
					      log->n_staged, NULL);
	w->stats.log_events += sent;
	w->stats.log_dropped += log->n_staged - sent;
	log->n_staged = 0;
}

static struct nat_event *next_event(struct nat_worker *w, enum nat_event_type type)
{
	struct nat_log *log = &w->log;
	struct nat_event *ev;

	if (log->n_staged == NAT_LOG_STAGE)
		nat_log_flush(w);
	ev = &log->staged[log->n_staged++];
	ev->tsc = log->tsc;
	ev->type = (uint8_t)type;
	ev->worker = (uint8_t)w->plan.worker;
	return ev;
}

void nat_log_session(struct nat_worker *w, const struct nat_session *s, enum nat_event_type type,
		     enum nat_end_reason reason)
{
	struct nat_event *ev = next_event(w, type);

	ev->proto = s->proto;
	ev->detail = (uint8_t)reason;
	ev->inside_addr = s->inside_addr;
	ev->inside_port = s->inside_port;
	ev->outside_addr = s->outside_addr;
	ev->outside_port = s->outside_port;
	ev->remote_addr = s->remote_addr;
	ev->remote_port = s->remote_port;
}

void nat_log_refused(struct nat_worker *w, enum nat_event_type type, enum nat_quota quota,
		     const struct nat_key *in, rte_be32_t outside, uint32_t limit, uint32_t now)
{
	struct nat_event *ev;

	/* One of a kind a second: a flood of refused flows is one line, not one per packet. */
	if (w->log.limited_at[type] == now + 1)
		return;
	w->log.limited_at[type] = now + 1;
	ev = next_event(w, type);
	ev->proto = in->proto;
	ev->detail = (uint8_t)quota;
	ev->inside_addr = in->local_addr;
	ev->inside_port = in->local_port;
	ev->outside_addr = outside;
	ev->outside_port = 0;
	if (type == NAT_EV_QUOTA_EXCEEDED || type == NAT_EV_ADDRESSES_EXHAUSTED) {
		ev->limit = limit;
		ev->remote_port = 0;
	} else {
		ev->remote_addr = in->remote_addr;
		ev->remote_port = in->remote_port;
	}
}

void nat_log_block(struct nat_worker *w, enum nat_event_type type, rte_be32_t inside, rte_be32_t outside,
		   uint16_t first, uint16_t last)
{
	struct nat_event *ev = next_event(w, type);

	ev->proto = 0;
	ev->detail = 0;
	ev->inside_addr = inside;
	ev->inside_port = 0;
	ev->outside_addr = outside;
	ev->outside_port = rte_cpu_to_be_16(first);
	ev->remote_addr = 0;
	ev->block_last = rte_cpu_to_be_16(last);
}
