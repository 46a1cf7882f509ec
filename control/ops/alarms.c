/* SPDX-License-Identifier: BSD-3-Clause */
#include "alarms.h"
#include "runtime.h"

#define CHECK_MS 1000
#define REPEAT_MS 60000

static const struct {
	enum pkt_drop reason;
	const char *what;
} kinds[ALARM_MAX] = {
	[ALARM_PORTS_EXHAUSTED] = {PKT_DROP_ports_exhausted, "no free external port (ports_exhausted)"},
	[ALARM_TABLE_FULL] = {PKT_DROP_table_full, "session table full (table_full)"},
	[ALARM_HOST_LIMIT] = {PKT_DROP_host_limit, "inside host at its session limit (host_limit)"},
	[ALARM_HOST_TABLE_FULL] = {PKT_DROP_host_table_full, "too many inside hosts (host_table_full)"},
	[ALARM_HOST_EMBRYONIC_LIMIT] = {PKT_DROP_host_embryonic_limit,
					"inside host at its limit of half-open TCP sessions (host_embryonic_limit)"},
};

/* Raw worker counters: a "clear stats" must not look like a flood of new refusals. */
static uint64_t refused(struct runtime *rt, enum pkt_drop reason)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < rt->shared->n_workers; i++)
		n += rt->workers[i]->nat.stats.drops[reason];
	return n;
}

void alarms_init(struct alarms *a, struct runtime *rt)
{
	unsigned k;

	*a = (struct alarms){0};
	for (k = 0; k < ALARM_MAX; k++) {
		a->seen[k] = refused(rt, kinds[k].reason);
		a->limit[k].interval_ms = REPEAT_MS;
	}
}

void alarms_poll(struct alarms *a, struct runtime *rt, uint64_t now_ms)
{
	unsigned k;

	if (now_ms < a->next_check_ms)
		return;
	a->next_check_ms = now_ms + CHECK_MS;
	for (k = 0; k < ALARM_MAX; k++) {
		uint64_t now = refused(rt, kinds[k].reason);

		if (now == a->seen[k])
			continue;
		a->refused[k] += now - a->seen[k];
		a->seen[k] = now;
		if (log_limited(&a->limit[k], LOG_WARNING, "%lu new flow%s refused: %s",
				(unsigned long)a->refused[k], a->refused[k] == 1 ? "" : "s", kinds[k].what))
			a->refused[k] = 0;
	}
}
