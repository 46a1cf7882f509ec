/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT events as RFC 5424 syslog messages: the fields in structured data (SD-ID "nat@32473", the
 * example enterprise number of RFC 5612), and the same in words as the message:
 *
 *   <134>1 2026-12-05T10:42:00.123Z fw1 secnat 4242 SESSION_CREATE [nat@32473 event="create"
 *   proto="tcp" inside-addr="10.11.0.5" inside-port="40000" outside-addr="203.0.113.1"
 *   outside-port="40000" remote-addr="198.51.100.10" remote-port="443" time-ms="1796380920123"]
 *   tcp 10.11.0.5:40000 as 203.0.113.1:40000 to 198.51.100.10:443 created
 *
 * Facility local0; severity informational for sessions and blocks, warning for refused flows.
 * Pure formatting: the transport (UDP, or TCP with RFC 6587 octet counting) is natlog.c's.
 */
#pragma once

#include <stddef.h>

#include "nat_log.h"

#define SYSLOG_MSG_MAX 768 /* longer than any message formatted here */

/* Formats `ev` (time_ms set) into `buf`; returns the length (no trailing newline), or 0 if the event
 * says nothing (unknown type). `host` is the HOSTNAME field ("-" when unknown), `pid` the PROCID. */
size_t syslog5424_format(char *buf, size_t cap, const struct nat_event *ev, const char *host, int pid);
