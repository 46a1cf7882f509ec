/* SPDX-License-Identifier: BSD-3-Clause */
/* The two kinds of NAT event exporter, as natlog.c drives them. One per configured destination. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ipfix.h"
#include "natlog.h"

#define IPFIX_MSG_MAX 8972      /* a 9000-byte MTU less IP and UDP headers */
#define IPFIX_FLUSH_MS 100      /* a record waits at most this long for others to share its message */
#define IPFIX_TEMPLATE_MS 60000 /* templates again every minute (RFC 7011 §8.4: UDP has no other way) */

#define NATLOG_RETRY_MS 5000 /* a UDP destination the host cannot reach yet is tried again */

struct ipfix_exporter {
	struct cfg_collector cfg;
	int fd;                /* -1: unreachable so far (no route, source not ours): retry_ms */
	uint64_t retry_ms;
	size_t cap;            /* message size: the path MTU less IP and UDP headers */
	uint32_t sequence;     /* data records sent so far (RFC 7011 §3.1) */
	uint64_t templates_ms; /* when the templates were last sent */
	uint64_t opened_ms;    /* when the open message got its first record */
	struct ipfix_msg msg;  /* open while msg.records > 0 */
	uint8_t buf[IPFIX_MSG_MAX];
};

/* Opening never fails for the network's sake: an unreachable collector is tried again. Returns
 * the socket's error (0: connected), for the operator's information. */
int ipfix_exporter_open(struct ipfix_exporter *x, const struct cfg_collector *c, uint64_t now_ms);
int ipfix_exporter_connect(struct ipfix_exporter *x, uint64_t now_ms);
void ipfix_exporter_close(struct ipfix_exporter *x);
void ipfix_exporter_event(struct ipfix_exporter *x, const struct nat_event *ev, uint64_t now_ms,
			  struct natlog_counters *n);
void ipfix_exporter_poll(struct ipfix_exporter *x, uint64_t now_ms, struct natlog_counters *n);

#define SYSLOG_QUEUE (1u << 20) /* bytes a TCP server may fall behind before messages are dropped */

struct syslog_exporter {
	struct cfg_collector cfg;
	int fd;                /* -1: not connected: waiting for retry_ms */
	bool connecting;       /* TCP: connect() in progress */
	uint64_t retry_ms;     /* when to connect again */
	uint32_t backoff_ms;   /* TCP: the next pause, doubling up to a minute */
	char *queue;           /* TCP: framed messages not yet written */
	size_t head, tail;     /* TCP: queue[head..tail) waits to be written */
	size_t frame_start;    /* TCP: where the frame `head` is in began */
};

int syslog_exporter_open(struct syslog_exporter *x, const struct cfg_collector *c, uint64_t now_ms);
void syslog_exporter_close(struct syslog_exporter *x);
void syslog_exporter_send(struct syslog_exporter *x, const char *msg, size_t len, struct natlog_counters *n);
void syslog_exporter_poll(struct syslog_exporter *x, uint64_t now_ms, struct natlog_counters *n);

/* A non-blocking UDP socket connected to `addr`:`port` (host order), bound to `source` if not 0. */
int natlog_udp_socket(uint32_t addr, uint16_t port, uint32_t source);
