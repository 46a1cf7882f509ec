/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The supervised BIRD: started in the control-plane namespace with a generated configuration,
 * watched, restarted with backoff when it dies, reconfigured in place (unchanged sessions stay up),
 * and asked questions over its control socket. Used from the control thread only; nothing here blocks
 * for long (socket replies time out after two seconds).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "config.h"

#define BIRD_PATH_MAX 256
#define BIRD_USER "bird" /* Debian's bird2 package makes it */

struct bird_daemon {
	char dir[BIRD_PATH_MAX];   /* private (0700): configuration, control socket, log */
	char conf[BIRD_PATH_MAX + 16], sock[BIRD_PATH_MAX + 16], log[BIRD_PATH_MAX + 16];
	const char *binary;
	int netns_fd;
	/* BIRD drops root for this user and group (-u/-g), keeping only the CAP_NET_* capabilities it
	 * needs; its directory and configuration are theirs. Root when `unprivileged` is false, with
	 * the reason in `privileged_why`. */
	bool unprivileged;
	uid_t uid;
	gid_t gid;
	char privileged_why[BIRD_PATH_MAX + 64];
	pid_t pid;                 /* 0: not running */
	bool wanted;               /* BGP is configured: keep it running */
	unsigned restarts;
	uint64_t backoff_ms, next_start_ms, started_ms, died_ms;
};

/* Prepares `dir` (made if missing, mode 0700, owned by BIRD_USER where it exists and can reach it).
 * Starts nothing. */
int bird_daemon_init(struct bird_daemon *d, const char *dir, const char *binary, int netns_fd);

/*
 * Writes the configuration for `cfg` (mode 0600) and brings BIRD in line: started if BGP is
 * configured and BIRD is not running, told to reload if it runs, stopped if BGP is gone.
 * Returns 0, or a negative errno with a message in `err` (BIRD refused the configuration, ...).
 */
int bird_daemon_apply(struct bird_daemon *d, const struct secnat_config *cfg, char *err, size_t err_len);

/* Reaps a dead BIRD and restarts it when its backoff has passed. Returns true when it died just now. */
bool bird_daemon_tick(struct bird_daemon *d, uint64_t now_ms);

/*
 * Sends one command to BIRD's control socket and calls `line` for each line of the reply, with the
 * reply code (e.g. 1002) and the text. Returns 0, or a negative errno (-ECONNREFUSED: not running).
 */
typedef void (*bird_line_fn)(void *arg, int code, const char *text);
int bird_daemon_query(struct bird_daemon *d, const char *command, bird_line_fn line, void *arg);

/* Reads one reply from `fd` as bird_daemon_query() does (the reply reader alone, for tests and
 * fuzzing). */
int bird_daemon_read_reply(int fd, bird_line_fn line, void *arg);

/* Stops BIRD (SIGTERM, then SIGKILL after two seconds); its kernel routes go with it. */
void bird_daemon_stop(struct bird_daemon *d);
/* Stops BIRD and removes its directory with everything in it (the configuration holds passwords). */
void bird_daemon_fini(struct bird_daemon *d);

