/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operator's command language: one grammar for the startup file, the interactive console and
 * secnatctl. Each command is its syntax string (which is also its help text) and a handler; the
 * matcher checks the shape of a line against the syntax, the handler checks the values.
 *
 * Syntax: literal words ("port"), alternatives ("lan|aend|internet"), placeholders ("<id>",
 * "<1-4094>|untagged"), and trailing optional groups ("[distance <1-255>]") that may come in any order.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "config.h"

#define CLI_MAX_TOKENS 24
#define CLI_ERR_MAX 256
#define CLI_MAX_DEPTH 3 /* a command line, and the lines of the file `configure replace` reads */

struct cli_line {
	int argc;
	char *argv[CLI_MAX_TOKENS];
};

struct cli_ctx {
	struct secnat_config *cfg; /* the copy the command changes */
	FILE *out;                 /* where show commands write */
	void *runtime;             /* the running appliance; NULL when only validating a file */
	char err[CLI_ERR_MAX];
};

typedef int (*cli_handler_t)(struct cli_ctx *ctx, const struct cli_line *line);

struct cli_command {
	const char *syntax;
	cli_handler_t handler;
};

/* Each noun group lists its commands; cli.c knows the groups. */
extern const struct cli_command cli_port_commands[];
extern const struct cli_command cli_vxc_commands[];
extern const struct cli_command cli_nat_commands[];
extern const struct cli_command cli_route_commands[];
extern const struct cli_command cli_bgp_commands[];
extern const struct cli_command cli_log_commands[];
extern const struct cli_command cli_show_commands[];
extern const struct cli_command cli_show_bgp_commands[];
extern const struct cli_command cli_ops_commands[];

/*
 * Runs one command line against `cfg`. Returns 0 (cfg changed as the command says; blank and comment
 * lines do nothing) or a negative errno with the reason in `err` (cfg untouched).
 */
int cli_execute(struct secnat_config *cfg, const char *line, FILE *out, char *err, size_t err_len);
/* The same with the running appliance, which show commands read. */
int cli_execute_rt(struct secnat_config *cfg, void *runtime, const char *line, FILE *out, char *err,
		   size_t err_len);

/*
 * Completion: what may follow the words argv[0..argc-1]. `fn` is called for each possible next item:
 * a word to type (`literal`) or a placeholder such as "<A.B.C.D/len>", with the syntax of the command
 * it belongs to. Returns false when no command begins with these words.
 */
typedef void (*cli_next_fn)(void *arg, const char *item, bool literal, const char *syntax);
bool cli_next_words(int argc, char *const *argv, cli_next_fn fn, void *arg);

/* Prints every command's syntax, one per line. */
void cli_help(FILE *out);

/* For handlers: record the reason a command is refused; returns -EINVAL. */
int cli_fail(struct cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Does a show command end with "json" (the machine-readable form)? */
bool cli_wants_json(const struct cli_line *line);

/* The value after keyword `key` in the line's optional part, or NULL. */
const char *cli_option(const struct cli_line *line, int from, const char *key);
/* Whether keyword `key` (an optional group without argument) appears from argv[from] on. */
bool cli_has_keyword(const struct cli_line *line, int from, const char *key);

/* Value parsers: on failure they fill ctx->err naming `what` and return false. */
bool cli_uint(struct cli_ctx *ctx, const char *s, uint64_t min, uint64_t max, const char *what,
	      uint64_t *out);
bool cli_addr(struct cli_ctx *ctx, const char *s, const char *what, uint32_t *out);
bool cli_prefix(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out);
/* A prefix with no host bits set. */
bool cli_network(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out);
/* A network prefix of public space (refuses RFC 1918, bogons, the default route). */
bool cli_public_network(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out);

/*
 * The configuration as the commands that build it, one per line, in an order the startup file can
 * replay (ports before the VXCs on them, VXCs before their pools, routes and neighbors). Settings at
 * their defaults are left out. With `hide_secrets`, BGP passwords print as "<hidden>".
 */
void cli_write_config(FILE *out, const struct secnat_config *cfg, bool hide_secrets);

/* The keyword of `nat timeout <which>`, or NULL for a timeout the operator does not set. */
const char *cli_nat_timeout_name(enum nat_timeout which);

/*
 * Loads a startup file: commands one per line, '#' comments, blank lines. All or nothing: on the first
 * refused line, `err` gets "FILE:LINE: reason" and `cfg` is untouched. Returns 0 or a negative errno.
 */
int cli_load_file(struct secnat_config *cfg, const char *path, char *err, size_t err_len);
