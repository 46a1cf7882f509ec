/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BIRD's control socket replies into secnat's reader and its session parser: the input is what the
 * socket would deliver (read through a pipe, so the reader's own buffering is exercised).
 *
 * What must hold, whatever the input: every line handed on is a string within the reader's buffer,
 * with a code from 0 to 9999; the parsed session state is a terminated string of BIRD's words or
 * "Idle"; nothing hangs (the reader stops at the end of the input).
 */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bird_daemon.h"
#include "bird_show.h"

#define INPUT_MAX 60000 /* within a pipe's buffer: written whole before it is read */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

static void on_line(void *arg, int code, const char *text)
{
	must(code >= 0 && code <= 9999, "a reply code out of range");
	must(strlen(text) < 65536, "a line longer than the reader's buffer");
	bird_protocol_line(arg, code, text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bird_protocol p = {.state = "Idle"};
	int fds[2];

	if (size > INPUT_MAX || pipe2(fds, O_CLOEXEC) != 0)
		return 0;
	must(write(fds[1], data, size) == (ssize_t)size, "the pipe took less than the input");
	close(fds[1]);
	bird_daemon_read_reply(fds[0], on_line, &p);
	close(fds[0]);
	must(memchr(p.state, '\0', sizeof(p.state)) != NULL, "the session state is not terminated");
	return 0;
}
