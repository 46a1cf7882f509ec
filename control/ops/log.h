/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's messages. Each line goes to stderr with a syslog priority prefix ("<3>", "<4>", "<6>",
 * sd-daemon(3)'s convention), so journald files it at the right level and strips the prefix; the
 * most recent ones are kept for `show log`. Repeated warnings go through a struct log_limit: at most
 * one per interval, the next one saying how many were held back. DPDK's own log is routed here too.
 *
 * Control plane only: workers never log (they count, and the control thread reads the counters).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h> /* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

#define LOG_TEXT_MAX 240
#define LOG_KEEP 512 /* messages `show log` can return */

struct log_entry {
	uint64_t time_ms; /* wall clock, milliseconds since the epoch */
	uint8_t priority;
	char text[LOG_TEXT_MAX];
};

/* A warning that may repeat: one line per interval, with the count of those suppressed since. */
struct log_limit {
	uint32_t interval_ms;
	uint64_t next_ms;
	uint64_t suppressed;
};

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Without the "secnat: " before the text: for "FILE:LINE: reason", which CONSOLE.md fixes. */
void log_bare(int priority, const char *text);
void log_vmsg(int priority, const char *fmt, va_list ap);
/* Returns true when the message went out (false: counted as suppressed). */
bool log_limited(struct log_limit *limit, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copies up to `max` of the most recent messages, oldest first; returns how many. */
unsigned log_recent(struct log_entry *out, unsigned max);

/* "err", "warning", ... for a priority. */
const char *log_priority_name(int priority);

/* Sends DPDK's log lines (EAL, drivers) through log_msg at their own level; call before rte_eal_init. */
int log_capture_dpdk(void);
