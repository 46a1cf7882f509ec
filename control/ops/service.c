/* SPDX-License-Identifier: BSD-3-Clause */
#include <systemd/sd-daemon.h>

#include "log.h"
#include "runtime.h"
#include "service.h"

void service_init(struct service *s)
{
	uint64_t usec = 0;

	*s = (struct service){0};
	if (sd_watchdog_enabled(0, &usec) > 0)
		s->watchdog_ms = usec / 2000; /* twice per period, as sd_watchdog_enabled(3) advises */
}

void service_ready(struct runtime *rt)
{
	sd_notifyf(0, "READY=1\nSTATUS=running: %u worker%s, %u VXC%s", rt->shared->n_workers,
		   rt->shared->n_workers == 1 ? "" : "s", rt->cfg.n_vxcs, rt->cfg.n_vxcs == 1 ? "" : "s");
}

void service_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void service_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void service_watchdog(struct service *s, struct runtime *rt, uint64_t now_ms)
{
	unsigned i;
	bool all_moved = true;

	if (s->watchdog_ms == 0 || now_ms < s->next_feed_ms)
		return;
	s->next_feed_ms = now_ms + s->watchdog_ms;
	/* A worker's loop clock (w->tsc) changes every turn of its loop, traffic or not. */
	for (i = 0; i < rt->shared->n_workers; i++) {
		uint64_t tsc = __atomic_load_n(&rt->workers[i]->tsc, __ATOMIC_RELAXED);

		if (tsc == s->worker_tsc[i])
			all_moved = false;
		s->worker_tsc[i] = tsc;
	}
	if (!all_moved) {
		s->stalled++;
		log_msg(LOG_ERR, "a worker has not moved for %lu ms: watchdog not fed",
			(unsigned long)s->watchdog_ms);
		return;
	}
	sd_notify(0, "WATCHDOG=1");
}
