/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Warnings the workers cannot give (they never log): the control loop watches the drop counters of
 * refused new flows (ports exhausted, table full, per-host limit) and says so, at most once a minute
 * per kind, with the number refused since the last word and how many warnings it held back.
 */
#pragma once

#include <stdint.h>

#include "log.h"

struct runtime;

enum alarm_kind {
	ALARM_PORTS_EXHAUSTED,
	ALARM_TABLE_FULL,
	ALARM_HOST_LIMIT,
	ALARM_HOST_TABLE_FULL,
	ALARM_HOST_EMBRYONIC_LIMIT,
	ALARM_MAX,
};

struct alarms {
	uint64_t next_check_ms;
	uint64_t seen[ALARM_MAX];     /* the counter at the last check */
	uint64_t refused[ALARM_MAX];  /* refused since the last message */
	struct log_limit limit[ALARM_MAX];
};

void alarms_init(struct alarms *a, struct runtime *rt);
void alarms_poll(struct alarms *a, struct runtime *rt, uint64_t now_ms);
