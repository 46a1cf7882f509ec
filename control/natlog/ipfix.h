/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPFIX messages (RFC 7011) carrying NAT events with the information elements of RFC 8158. Pure
 * encoding, no sockets: the exporter (natlog.c) decides when to send what.
 *
 * One template per kind of event (ipfix.c lists them). Extensions to RFC 8158's templates, which a
 * collector learns from the templates themselves: a session delete carries flowEndReason (IE 136);
 * exhaustion events carry the refused flow's inside source and destination.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat_log.h"

#define IPFIX_VERSION 10
#define IPFIX_HEADER_LEN 16
#define IPFIX_SET_HEADER_LEN 4
#define IPFIX_TEMPLATE_SET_ID 2

/* RFC 8158 natEvent values. */
enum ipfix_nat_event {
	IPFIX_NAT44_SESSION_CREATE = 1,
	IPFIX_NAT44_SESSION_DELETE = 2,
	IPFIX_NAT_ADDRESSES_EXHAUSTED = 3,
	IPFIX_NAT_PORTS_EXHAUSTED = 10,
	IPFIX_NAT_QUOTA_EXCEEDED = 11,
	IPFIX_NAT_PORT_BLOCK_ALLOC = 14,
	IPFIX_NAT_PORT_BLOCK_DEALLOC = 15,
};

/* A message being filled: header, then sets; a data set stays open while records of its template
 * follow one another. */
struct ipfix_msg {
	uint8_t *buf;
	size_t cap, len;
	size_t set_at;      /* where the open set's header is; 0: none open */
	uint16_t set_id;
	uint32_t records;   /* data records in the message */
};

/* Starts a message in `buf` (`cap` bytes: the path MTU less IP and UDP headers). */
void ipfix_msg_begin(struct ipfix_msg *m, uint8_t *buf, size_t cap);
/* Adds the template set announcing every template. False if it does not fit (never, above 512 bytes). */
bool ipfix_add_templates(struct ipfix_msg *m);
/* Adds event `ev` (its time_ms set) as a data record. False when the message has no room for it. */
bool ipfix_add_event(struct ipfix_msg *m, const struct nat_event *ev);
/* Closes the message: export time (seconds), the sequence number (data records sent before this
 * message in this stream) and the observation domain. Returns its length. */
size_t ipfix_msg_end(struct ipfix_msg *m, uint32_t export_time, uint32_t sequence, uint32_t domain);
