/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat as a systemd service (Type=notify): READY=1 once the configuration is applied and the ports
 * run, RELOADING=1 around a SIGHUP's `configure replace`, STOPPING=1 at the end, and the watchdog
 * fed from the control loop only while every worker is seen making progress, so that a stuck worker
 * (not only a stuck control thread) gets the service restarted. Outside systemd ($NOTIFY_SOCKET unset)
 * every call does nothing.
 */
#pragma once

#include <stdint.h>

#include "dp.h"

struct runtime;

struct service {
	uint64_t watchdog_ms; /* feed interval (half of WatchdogSec=); 0: no watchdog */
	uint64_t next_feed_ms;
	uint64_t worker_tsc[DP_MAX_WORKERS]; /* each worker's loop clock at the last feed */
	uint64_t stalled;                    /* feeds withheld because a worker stood still */
};

void service_init(struct service *s);
void service_ready(struct runtime *rt);
void service_reloading(void);
void service_stopping(void);
/* From the control loop: feeds the watchdog when it is due and every worker has moved since. */
void service_watchdog(struct service *s, struct runtime *rt, uint64_t now_ms);
