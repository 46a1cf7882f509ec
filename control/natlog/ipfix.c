/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPFIX encoding of NAT events: each template is a list of information elements, and a data record
 * is the event's values for that list, in order, in network byte order (RFC 7011 §3, §8).
 */
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "ipfix.h"

/* IANA IPFIX information element identifiers used here. */
enum ie_id {
	IE_PROTOCOL = 4,
	IE_SRC_PORT = 7,
	IE_SRC_ADDR = 8,
	IE_DST_PORT = 11,
	IE_DST_ADDR = 12,
	IE_FLOW_END_REASON = 136,
	IE_POST_NAT_SRC_ADDR = 225,
	IE_POST_NAT_DST_ADDR = 226,
	IE_POST_NAPT_SRC_PORT = 227,
	IE_POST_NAPT_DST_PORT = 228,
	IE_NAT_EVENT = 230,
	IE_NAT_POOL_ID = 283,
	IE_TIME_MS = 323, /* observationTimeMilliseconds */
	IE_PORT_RANGE_START = 361,
	IE_PORT_RANGE_END = 362,
	IE_PORT_RANGE_STEP = 363,
	IE_PORT_RANGE_NUM = 364,
	IE_QUOTA_EVENT = 466, /* natQuotaExceededEvent */
	IE_MAX_SESSIONS = 471,
	IE_MAX_PER_USER = 473,
	IE_MAX_SUBSCRIBERS = 474,
};

struct field {
	uint16_t id, len;
};

#define MAX_FIELDS 12

struct template {
	uint16_t id;
	uint8_t n;
	struct field f[MAX_FIELDS];
};

enum template_id {
	T_SESSION_CREATE = 256,
	T_SESSION_DELETE,
	T_ADDRESSES_EXHAUSTED,
	T_PORTS_EXHAUSTED,
	T_QUOTA_SESSIONS,
	T_QUOTA_PER_HOST,
	T_QUOTA_HOSTS,
	T_PORT_BLOCK,
};

#define SESSION_FIELDS                                                                               \
	{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_PROTOCOL, 1}, {IE_SRC_ADDR, 4}, {IE_SRC_PORT, 2},        \
	{IE_POST_NAT_SRC_ADDR, 4}, {IE_POST_NAPT_SRC_PORT, 2}, {IE_DST_ADDR, 4}, {IE_DST_PORT, 2},       \
	{IE_POST_NAT_DST_ADDR, 4}, {IE_POST_NAPT_DST_PORT, 2}

#define SESSION_RECORD_LEN 34 /* the create template's record: put_session() writes it */

static const struct template templates[] = {
	{T_SESSION_CREATE, 11, {SESSION_FIELDS}},
	{T_SESSION_DELETE, 12, {SESSION_FIELDS, {IE_FLOW_END_REASON, 1}}},
	{T_ADDRESSES_EXHAUSTED, 3, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_NAT_POOL_ID, 4}}},
	{T_PORTS_EXHAUSTED, 7, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_POST_NAT_SRC_ADDR, 4}, {IE_PROTOCOL, 1},
				{IE_SRC_ADDR, 4}, {IE_DST_ADDR, 4}, {IE_DST_PORT, 2}}},
	{T_QUOTA_SESSIONS, 4, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_QUOTA_EVENT, 4}, {IE_MAX_SESSIONS, 4}}},
	{T_QUOTA_PER_HOST, 5, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_QUOTA_EVENT, 4}, {IE_MAX_PER_USER, 4},
			       {IE_SRC_ADDR, 4}}},
	{T_QUOTA_HOSTS, 4, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_QUOTA_EVENT, 4}, {IE_MAX_SUBSCRIBERS, 4}}},
	{T_PORT_BLOCK, 8, {{IE_TIME_MS, 8}, {IE_NAT_EVENT, 1}, {IE_SRC_ADDR, 4}, {IE_POST_NAT_SRC_ADDR, 4},
			   {IE_PORT_RANGE_START, 2}, {IE_PORT_RANGE_END, 2}, {IE_PORT_RANGE_STEP, 2},
			   {IE_PORT_RANGE_NUM, 2}}},
};

/* The natEvent value of an event type. */
static uint8_t nat_event_value(uint8_t type)
{
	switch (type) {
	case NAT_EV_SESSION_CREATE:
		return IPFIX_NAT44_SESSION_CREATE;
	case NAT_EV_SESSION_DELETE:
		return IPFIX_NAT44_SESSION_DELETE;
	case NAT_EV_ADDRESSES_EXHAUSTED:
		return IPFIX_NAT_ADDRESSES_EXHAUSTED;
	case NAT_EV_PORTS_EXHAUSTED:
		return IPFIX_NAT_PORTS_EXHAUSTED;
	case NAT_EV_QUOTA_EXCEEDED:
		return IPFIX_NAT_QUOTA_EXCEEDED;
	case NAT_EV_BLOCK_ALLOC:
		return IPFIX_NAT_PORT_BLOCK_ALLOC;
	case NAT_EV_BLOCK_FREE:
		return IPFIX_NAT_PORT_BLOCK_DEALLOC;
	default:
		return 0;
	}
}

static const struct template *template_of(const struct nat_event *ev)
{
	enum template_id id;

	switch (ev->type) {
	case NAT_EV_SESSION_CREATE:
		id = T_SESSION_CREATE;
		break;
	case NAT_EV_SESSION_DELETE:
		id = T_SESSION_DELETE;
		break;
	case NAT_EV_ADDRESSES_EXHAUSTED:
		id = T_ADDRESSES_EXHAUSTED;
		break;
	case NAT_EV_PORTS_EXHAUSTED:
		id = T_PORTS_EXHAUSTED;
		break;
	case NAT_EV_QUOTA_EXCEEDED:
		id = ev->detail == NAT_QUOTA_SESSIONS ? T_QUOTA_SESSIONS
		     : ev->detail == NAT_QUOTA_HOSTS  ? T_QUOTA_HOSTS
						      : T_QUOTA_PER_HOST;
		break;
	case NAT_EV_BLOCK_ALLOC:
	case NAT_EV_BLOCK_FREE:
		id = T_PORT_BLOCK;
		break;
	default:
		return NULL;
	}
	return &templates[id - T_SESSION_CREATE];
}

/* RFC 7270 flowEndReason: idle timeout 1, end of flow detected 3, forced end 4, lack of resources 5. */
static uint8_t flow_end_reason(uint8_t reason)
{
	switch (reason) {
	case NAT_END_TCP_CLOSE:
	case NAT_END_RESET:
		return 3;
	case NAT_END_REROUTED:
		return 4;
	case NAT_END_RECLAIMED:
		return 5;
	default:
		return 1;
	}
}

/* Values in host order, written in network order at any alignment. */
static void put16(uint8_t *p, uint16_t v)
{
	uint16_t be = htons(v);

	memcpy(p, &be, sizeof(be));
}

static void put32(uint8_t *p, uint32_t v)
{
	uint32_t be = htonl(v);

	memcpy(p, &be, sizeof(be));
}

/* Values already in network byte order are copied as they are. */
static void put_field(uint8_t *p, const struct field *f, const struct nat_event *ev)
{
	switch (f->id) {
	case IE_TIME_MS:
		put32(p, (uint32_t)(ev->time_ms >> 32));
		put32(p + 4, (uint32_t)ev->time_ms);
		break;
	case IE_NAT_EVENT:
		*p = nat_event_value(ev->type);
		break;
	case IE_PROTOCOL:
		*p = ev->proto;
		break;
	case IE_SRC_ADDR:
		memcpy(p, &ev->inside_addr, 4);
		break;
	case IE_SRC_PORT:
		memcpy(p, &ev->inside_port, 2);
		break;
	case IE_POST_NAT_SRC_ADDR:
		memcpy(p, &ev->outside_addr, 4);
		break;
	case IE_POST_NAPT_SRC_PORT:
	case IE_PORT_RANGE_START:
		memcpy(p, &ev->outside_port, 2);
		break;
	case IE_DST_ADDR:
	case IE_POST_NAT_DST_ADDR: /* source NAT leaves the destination as it is */
		memcpy(p, &ev->remote_addr, 4);
		break;
	case IE_DST_PORT:
	case IE_POST_NAPT_DST_PORT:
		memcpy(p, &ev->remote_port, 2);
		break;
	case IE_FLOW_END_REASON:
		*p = flow_end_reason(ev->detail);
		break;
	case IE_NAT_POOL_ID:
	case IE_MAX_SESSIONS:
	case IE_MAX_PER_USER:
	case IE_MAX_SUBSCRIBERS:
		put32(p, ev->limit);
		break;
	case IE_QUOTA_EVENT:
		put32(p, ev->detail);
		break;
	case IE_PORT_RANGE_END:
		memcpy(p, &ev->block_last, 2);
		break;
	case IE_PORT_RANGE_STEP:
		put16(p, 1);
		break;
	case IE_PORT_RANGE_NUM:
		put16(p, (uint16_t)(ntohs(ev->block_last) - ntohs(ev->outside_port) + 1));
		break;
	default:
		memset(p, 0, f->len);
		break;
	}
}

static size_t record_len(const struct template *t)
{
	size_t len = 0;
	unsigned i;

	for (i = 0; i < t->n; i++)
		len += t->f[i].len;
	return len;
}

static void close_set(struct ipfix_msg *m)
{
	if (m->set_at == 0)
		return;
	put16(m->buf + m->set_at + 2, (uint16_t)(m->len - m->set_at));
	m->set_at = 0;
}

/* Opens a set of `id` unless it is the one open; false when its header does not fit. */
static bool open_set(struct ipfix_msg *m, uint16_t id, size_t need)
{
	if (m->set_at != 0 && m->set_id == id)
		return m->len + need <= m->cap;
	if (m->len + IPFIX_SET_HEADER_LEN + need > m->cap)
		return false;
	close_set(m);
	m->set_at = m->len;
	m->set_id = id;
	put16(m->buf + m->len, id);
	m->len += IPFIX_SET_HEADER_LEN;
	return true;
}

void ipfix_msg_begin(struct ipfix_msg *m, uint8_t *buf, size_t cap)
{
	m->buf = buf;
	m->cap = cap;
	m->len = IPFIX_HEADER_LEN;
	m->set_at = 0;
	m->set_id = 0;
	m->records = 0;
}

bool ipfix_add_templates(struct ipfix_msg *m)
{
	size_t need = 0, i, k;

	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++)
		need += 4 + 4u * templates[i].n;
	if (!open_set(m, IPFIX_TEMPLATE_SET_ID, need))
		return false;
	for (i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
		const struct template *t = &templates[i];

		put16(m->buf + m->len, t->id);
		put16(m->buf + m->len + 2, t->n);
		m->len += 4;
		for (k = 0; k < t->n; k++) {
			put16(m->buf + m->len, t->f[k].id);
			put16(m->buf + m->len + 2, t->f[k].len);
			m->len += 4;
		}
	}
	close_set(m);
	return true;
}

/* The session templates' record written straight, the fields in SESSION_FIELDS order: these are
 * nearly every record, and the control thread encodes millions a second under a flood of new flows. */
static size_t put_session(uint8_t *p, const struct nat_event *ev, bool ended)
{
	put32(p, (uint32_t)(ev->time_ms >> 32));
	put32(p + 4, (uint32_t)ev->time_ms);
	p[8] = ended ? IPFIX_NAT44_SESSION_DELETE : IPFIX_NAT44_SESSION_CREATE;
	p[9] = ev->proto;
	memcpy(p + 10, &ev->inside_addr, 4);
	memcpy(p + 14, &ev->inside_port, 2);
	memcpy(p + 16, &ev->outside_addr, 4);
	memcpy(p + 20, &ev->outside_port, 2);
	memcpy(p + 22, &ev->remote_addr, 4);
	memcpy(p + 26, &ev->remote_port, 2);
	memcpy(p + 28, &ev->remote_addr, 4);
	memcpy(p + 32, &ev->remote_port, 2);
	if (!ended)
		return SESSION_RECORD_LEN;
	p[34] = flow_end_reason(ev->detail);
	return SESSION_RECORD_LEN + 1;
}

bool ipfix_add_event(struct ipfix_msg *m, const struct nat_event *ev)
{
	const struct template *t = template_of(ev);
	size_t len;
	unsigned i;

	if (t == NULL)
		return true; /* nothing IPFIX can say: skipped, not a reason to start a new message */
	len = record_len(t);
	if (!open_set(m, t->id, len))
		return false;
	if (t->id == T_SESSION_CREATE || t->id == T_SESSION_DELETE) {
		m->len += put_session(m->buf + m->len, ev, t->id == T_SESSION_DELETE);
	} else {
		for (i = 0; i < t->n; i++) {
			put_field(m->buf + m->len, &t->f[i], ev);
			m->len += t->f[i].len;
		}
	}
	m->records++;
	return true;
}

size_t ipfix_msg_end(struct ipfix_msg *m, uint32_t export_time, uint32_t sequence, uint32_t domain)
{
	close_set(m);
	put16(m->buf, IPFIX_VERSION);
	put16(m->buf + 2, (uint16_t)m->len);
	put32(m->buf + 4, export_time);
	put32(m->buf + 8, sequence);
	put32(m->buf + 12, domain);
	return m->len;
}
