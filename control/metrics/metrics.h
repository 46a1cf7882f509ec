/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics (`metrics listen <A.B.C.D> <port>`): /metrics in the text exposition format
 * (version 0.0.4), served by libmicrohttpd from the control loop without a thread of its own. The
 * listening socket lives in the namespace secnat started in (the management network); the daemon
 * runs in "external select" mode and is driven once per loop turn, never waiting, so a slow or
 * stalled scraper holds nothing but its own connection (MHD writes non-blocking, and drops a
 * client idle for 10 s). Counters are the operator's (the same as the show commands, so they restart
 * from zero after "clear stats", which Prometheus reads as a counter reset).
 */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "runtime.h"

struct metrics_server;

/* BGP sessions as BIRD last told: asking it on every scrape would put BIRD's answer time (up to
 * its 2 s timeout, if it hangs) into the control loop each time; at most once in this long. */
#define METRICS_BGP_MAX_AGE_MS 10000

struct metrics_bgp_cache {
	uint64_t at_ms; /* 0: never asked */
	unsigned n;
	uint32_t neighbor[CFG_MAX_NEIGHBORS];
	struct rt_bgp_session session[CFG_MAX_NEIGHBORS];
};

/* Writes every metric of `rt` in the text format. */
void metrics_render(struct runtime *rt, struct metrics_bgp_cache *bgp, FILE *out);

/* Starts serving on addr:port (host order). Returns NULL with `err` filled. */
struct metrics_server *metrics_server_start(struct runtime *rt, uint32_t addr, uint16_t port, char *err,
					    size_t err_len);
void metrics_server_poll(struct metrics_server *m);
void metrics_server_stop(struct metrics_server *m);
