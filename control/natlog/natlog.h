/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT event exporters: IPFIX collectors (UDP) and syslog servers (UDP, or TCP with octet
 * counting and reconnection), on the control thread, through the host's own network stack. Times
 * (`now_ms`) are the wall clock's milliseconds, as IPFIX's export time wants. Nothing
 * here blocks: sockets are non-blocking, a TCP server that is away or slow has its messages queued up
 * to a bound and then counted as dropped, and a connection is tried again after a growing pause.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "nat_log.h"

struct natlog_counters {
	uint64_t events;          /* events exported (to every destination) */
	uint64_t ipfix_messages;  /* IPFIX messages sent, templates included */
	uint64_t ipfix_records;   /* IPFIX data records sent */
	uint64_t ipfix_errors;    /* messages the host refused to send */
	uint64_t syslog_messages; /* syslog messages sent (UDP) or queued (TCP) */
	uint64_t syslog_dropped;  /* not sent: a TCP server away too long, or the host refused */
	uint64_t syslog_connects; /* TCP connections made */
};

struct natlog;

struct natlog *natlog_create(void);
void natlog_destroy(struct natlog *nl);

/*
 * Makes the exporters those of `cfg`: new or changed destinations get sockets (a new IPFIX collector
 * its templates at once), removed ones are closed, unchanged ones keep their state. Returns 0, or a
 * negative errno with `err` filled and nothing changed.
 */
int natlog_apply(struct natlog *nl, const struct secnat_config *cfg, uint64_t now_ms, char *err,
		 size_t err_len);

/* Exports `n` events (their time_ms set). */
void natlog_events(struct natlog *nl, const struct nat_event *ev, unsigned n, uint64_t now_ms);
/* Sends what waited long enough, resends templates, moves TCP queues, reconnects. */
void natlog_poll(struct natlog *nl, uint64_t now_ms);

void natlog_counters(const struct natlog *nl, struct natlog_counters *c);
