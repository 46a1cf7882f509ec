/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading what BIRD's control socket says about a session ("show protocols all <name>"): the
 * parser, apart from the socket, so that it can be tested and fuzzed on its own.
 */
#pragma once

#include <stdint.h>

struct bird_protocol {
	char state[24];  /* BIRD's word for the session: Established, Active, Connect, ...; Idle when down */
	uint64_t since;  /* seconds since the epoch of the last change (the generated timeformat) */
	uint64_t imported, filtered, exported;
};

/* A bird_line_fn (bird_daemon.h) for one reply line of "show protocols all"; `arg` is the
 * struct bird_protocol to fill, zeroed by the caller. Any text is safe to give it. */
void bird_protocol_line(void *arg, int code, const char *text);
