/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One IPFIX collector over UDP: records gather in one message until it is full or the first of them
 * has waited IPFIX_FLUSH_MS; templates go first and again every minute.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "exporters.h"

#define OBSERVATION_DOMAIN 1
#define UDP_IP_HEADERS 28

static void send_message(struct ipfix_exporter *x, uint64_t now_ms, struct natlog_counters *n)
{
	uint32_t records = x->msg.records;
	size_t len = ipfix_msg_end(&x->msg, (uint32_t)(now_ms / 1000), x->sequence, OBSERVATION_DOMAIN);

	if (x->fd >= 0 && send(x->fd, x->buf, len, MSG_DONTWAIT) == (ssize_t)len) {
		n->ipfix_messages++;
		n->ipfix_records += records;
	} else {
		n->ipfix_errors++;
	}
	/* Records lost to a refused send still count: the collector learns of the loss from the gap. */
	x->sequence += records;
	ipfix_msg_begin(&x->msg, x->buf, x->cap);
}

static void send_templates(struct ipfix_exporter *x, uint64_t now_ms, struct natlog_counters *n)
{
	if (x->msg.records > 0)
		send_message(x, now_ms, n);
	ipfix_add_templates(&x->msg);
	send_message(x, now_ms, n);
	x->templates_ms = now_ms;
}

int ipfix_exporter_open(struct ipfix_exporter *x, const struct cfg_collector *c, uint64_t now_ms)
{
	memset(x, 0, sizeof(*x));
	x->cfg = *c;
	x->cap = 1500 - UDP_IP_HEADERS;
	ipfix_msg_begin(&x->msg, x->buf, x->cap);
	return ipfix_exporter_connect(x, now_ms);
}

int ipfix_exporter_connect(struct ipfix_exporter *x, uint64_t now_ms)
{
	int mtu = 1500;
	socklen_t len = sizeof(mtu);

	x->retry_ms = now_ms + NATLOG_RETRY_MS;
	x->fd = natlog_udp_socket(x->cfg.addr, x->cfg.port, x->cfg.source);
	if (x->fd < 0)
		return x->fd; /* no route yet, or the source address is not ours yet: tried again */
	/* The route's MTU towards the collector: messages are never fragmented. */
	if (getsockopt(x->fd, IPPROTO_IP, IP_MTU, &mtu, &len) != 0 || mtu < 576)
		mtu = 1500;
	x->cap = (size_t)mtu - UDP_IP_HEADERS;
	if (x->cap > IPFIX_MSG_MAX)
		x->cap = IPFIX_MSG_MAX;
	ipfix_msg_begin(&x->msg, x->buf, x->cap);
	x->templates_ms = now_ms - IPFIX_TEMPLATE_MS; /* due: sent with the first poll or event */
	return 0;
}

void ipfix_exporter_close(struct ipfix_exporter *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}

void ipfix_exporter_event(struct ipfix_exporter *x, const struct nat_event *ev, uint64_t now_ms,
			  struct natlog_counters *n)
{
	if (now_ms - x->templates_ms >= IPFIX_TEMPLATE_MS)
		send_templates(x, now_ms, n);
	if (x->msg.records == 0)
		x->opened_ms = now_ms;
	if (ipfix_add_event(&x->msg, ev))
		return;
	send_message(x, now_ms, n);
	x->opened_ms = now_ms;
	ipfix_add_event(&x->msg, ev);
}

void ipfix_exporter_poll(struct ipfix_exporter *x, uint64_t now_ms, struct natlog_counters *n)
{
	if (x->fd < 0 && (int64_t)(now_ms - x->retry_ms) >= 0)
		ipfix_exporter_connect(x, now_ms);
	if (now_ms - x->templates_ms >= IPFIX_TEMPLATE_MS)
		send_templates(x, now_ms, n);
	if (x->msg.records > 0 && now_ms - x->opened_ms >= IPFIX_FLUSH_MS)
		send_message(x, now_ms, n);
}
