/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LINE_MAX_LEN 1024
#define SYNTAX_MAX_ELEMS 24

static const struct cli_command *const groups[] = {
	cli_port_commands, cli_vxc_commands, cli_nat_commands, cli_route_commands, cli_bgp_commands,
	cli_log_commands,
	cli_show_commands, cli_show_bgp_commands, cli_ops_commands,
};

/* One element of a syntax string. */
struct elem {
	char text[64];   /* "port", "lan|aend", "<id>", or an optional group's keyword */
	char arg[64];    /* an optional group's argument placeholder ("<1-255>"), if it has one */
	bool literal;
	bool optional;   /* an optional group: keyword, then n_args placeholders */
	int n_args;
};

static int syntax_parse(const char *syntax, struct elem *elems)
{
	char buf[256], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", syntax);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && n < SYNTAX_MAX_ELEMS;
	     tok = strtok_r(NULL, " ", &save)) {
		struct elem *e = &elems[n++];

		memset(e, 0, sizeof(*e));
		if (tok[0] == '[') {
			/* "[keyword <arg> ...]": count the arguments up to the closing bracket. */
			e->optional = true;
			snprintf(e->text, sizeof(e->text), "%s", tok + 1);
			e->text[strcspn(e->text, "]")] = '\0'; /* "[json]": a keyword alone */
			while (strchr(tok, ']') == NULL && (tok = strtok_r(NULL, " ", &save)) != NULL) {
				if (e->n_args++ == 0)
					snprintf(e->arg, sizeof(e->arg), "%.*s", (int)strcspn(tok, "]"), tok);
			}
			continue;
		}
		snprintf(e->text, sizeof(e->text), "%s", tok);
		e->literal = tok[0] != '<';
	}
	return n;
}

static bool literal_matches(const char *alternatives, const char *word)
{
	size_t len = strlen(word);
	const char *p = alternatives;

	while (p != NULL) {
		if (strncmp(p, word, len) == 0 && (p[len] == '|' || p[len] == '\0'))
			return true;
		p = strchr(p, '|');
		p = p ? p + 1 : NULL;
	}
	return false;
}

/* Reports each alternative of "lan|aend" or "<1-4094>|untagged" as a possible next word. */
static void report_alternatives(const char *alternatives, const char *syntax, cli_next_fn fn, void *arg)
{
	char buf[64], *alt, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", alternatives);
	for (alt = strtok_r(buf, "|", &save); alt != NULL; alt = strtok_r(NULL, "|", &save))
		fn(arg, alt, alt[0] != '<', syntax);
}

enum walk_result { WALK_NO_MATCH, WALK_PREFIX, WALK_COMPLETE };

/*
 * Walks the words of `line` through `syntax`: do they form the command, the start of it, or neither?
 * *depth tells how far the fixed part matched, to pick a usage hint. With `fn`, reports what may come
 * after the words.
 */
static enum walk_result syntax_walk(const char *syntax, const struct cli_line *line, int *depth,
				    cli_next_fn fn, void *arg)
{
	struct elem elems[SYNTAX_MAX_ELEMS];
	bool used[SYNTAX_MAX_ELEMS] = {false};
	int n = syntax_parse(syntax, elems), e, i = 0, o;

	*depth = 0;
	for (e = 0; e < n && !elems[e].optional; e++, i++) {
		if (i >= line->argc) {
			if (fn != NULL)
				report_alternatives(elems[e].text, syntax, fn, arg);
			return WALK_PREFIX;
		}
		if (elems[e].literal && !literal_matches(elems[e].text, line->argv[i]))
			return WALK_NO_MATCH;
		*depth = e + 1;
	}
	while (i < line->argc) {
		for (o = e; o < n; o++)
			if (!used[o] && strcmp(elems[o].text, line->argv[i]) == 0)
				break;
		if (o == n)
			return WALK_NO_MATCH;
		used[o] = true;
		if (i + elems[o].n_args >= line->argc) {
			if (fn != NULL)
				fn(arg, elems[o].arg, false, syntax);
			return WALK_PREFIX;
		}
		i += 1 + elems[o].n_args;
	}
	if (fn != NULL)
		for (o = e; o < n; o++)
			if (!used[o])
				fn(arg, elems[o].text, true, syntax);
	return WALK_COMPLETE;
}

static bool syntax_matches(const char *syntax, const struct cli_line *line, int *depth)
{
	return syntax_walk(syntax, line, depth, NULL, NULL) == WALK_COMPLETE;
}

bool cli_next_words(int argc, char *const *argv, cli_next_fn fn, void *arg)
{
	struct cli_line line = {.argc = argc};
	bool any = false;
	size_t g;
	int i;

	if (argc > CLI_MAX_TOKENS)
		return false;
	for (i = 0; i < argc; i++)
		line.argv[i] = argv[i];
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct cli_command *c;

		for (c = groups[g]; c->syntax != NULL; c++) {
			int depth;

			if (syntax_walk(c->syntax, &line, &depth, fn, arg) != WALK_NO_MATCH)
				any = true;
		}
	}
	return any;
}

static int tokenize(char *buf, struct cli_line *line)
{
	char *p = buf;

	line->argc = 0;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			return 0;
		if (line->argc == CLI_MAX_TOKENS)
			return -E2BIG;
		line->argv[line->argc++] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
}

int cli_fail(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cli_execute(struct secnat_config *cfg, const char *text, FILE *out, char *err, size_t err_len)
{
	return cli_execute_rt(cfg, NULL, text, out, err, err_len);
}

int cli_execute_rt(struct secnat_config *cfg, void *runtime, const char *text, FILE *out, char *err,
		   size_t err_len)
{
	/* Control thread only; too large for its stack. One per nesting level: `configure replace`
	 * runs the lines of its file while its own line is being executed. */
	static struct secnat_config scratches[CLI_MAX_DEPTH];
	static unsigned depth;
	struct secnat_config *scratch = &scratches[depth];
	const struct cli_command *best = NULL;
	struct cli_ctx ctx = {.cfg = scratch, .out = out, .runtime = runtime, .err = ""};
	char buf[LINE_MAX_LEN];
	struct cli_line line;
	int best_depth = 0, ret;
	size_t g;

	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, err_len, "line longer than %zu characters", sizeof(buf) - 1);
		return -E2BIG;
	}
	strcpy(buf, text);
	if (tokenize(buf, &line) < 0) {
		snprintf(err, err_len, "more than %d words", CLI_MAX_TOKENS);
		return -E2BIG;
	}
	if (line.argc == 0)
		return 0;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct cli_command *c;

		for (c = groups[g]; c->syntax != NULL; c++) {
			int matched;

			if (syntax_matches(c->syntax, &line, &matched)) {
				if (depth + 1 == CLI_MAX_DEPTH) {
					snprintf(err, err_len, "commands nested too deep");
					return -ELOOP;
				}
				*scratch = *cfg;
				depth++;
				ret = c->handler(&ctx, &line);
				depth--;
				if (ret < 0) {
					snprintf(err, err_len, "%s", ctx.err);
					return ret;
				}
				*cfg = *scratch;
				return 0;
			}
			if (matched > best_depth) {
				best_depth = matched;
				best = c;
			}
		}
	}
	if (best == NULL)
		snprintf(err, err_len, "unknown command '%s' (try 'help')", line.argv[0]);
	else
		snprintf(err, err_len, "usage: %s", best->syntax);
	return -EINVAL;
}

void cli_help(FILE *out)
{
	size_t g;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		const struct cli_command *c;

		for (c = groups[g]; c->syntax != NULL; c++)
			fprintf(out, "%s\n", c->syntax);
	}
}

bool cli_wants_json(const struct cli_line *line)
{
	return line->argc > 0 && strcmp(line->argv[line->argc - 1], "json") == 0;
}

const char *cli_option(const struct cli_line *line, int from, const char *key)
{
	int i;

	for (i = from; i + 1 < line->argc; i++)
		if (strcmp(line->argv[i], key) == 0)
			return line->argv[i + 1];
	return NULL;
}

bool cli_has_keyword(const struct cli_line *line, int from, const char *key)
{
	int i;

	for (i = from; i < line->argc; i++)
		if (strcmp(line->argv[i], key) == 0)
			return true;
	return false;
}

bool cli_uint(struct cli_ctx *ctx, const char *s, uint64_t min, uint64_t max, const char *what,
	      uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno != 0 || v < min || v > max) {
		cli_fail(ctx, "%s '%s': expected a number from %llu to %llu", what, s,
			 (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool cli_addr(struct cli_ctx *ctx, const char *s, const char *what, uint32_t *out)
{
	if (ipv4_parse(s, out))
		return true;
	cli_fail(ctx, "%s '%s': expected an IPv4 address A.B.C.D", what, s);
	return false;
}

bool cli_prefix(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out)
{
	if (ipv4_prefix_parse(s, out))
		return true;
	cli_fail(ctx, "%s '%s': expected an IPv4 prefix A.B.C.D/len", what, s);
	return false;
}

bool cli_network(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out)
{
	char canonical[IPV4_PREFIX_STRLEN];
	struct ipv4_prefix net;

	if (!cli_prefix(ctx, s, what, out))
		return false;
	if (ipv4_prefix_is_network(out))
		return true;
	net.addr = out->addr & ipv4_mask(out->len);
	net.len = out->len;
	cli_fail(ctx, "%s '%s' has host bits set: did you mean %s?", what, s,
		 ipv4_prefix_format(&net, canonical));
	return false;
}

bool cli_public_network(struct cli_ctx *ctx, const char *s, const char *what, struct ipv4_prefix *out)
{
	const char *reason;

	if (!cli_network(ctx, s, what, out))
		return false;
	reason = ipv4_non_public_reason(out);
	if (reason == NULL)
		return true;
	cli_fail(ctx, "%s %s is not public address space: it is in %s", what, s, reason);
	return false;
}

int cli_load_file(struct secnat_config *cfg, const char *path, char *err, size_t err_len)
{
	static struct secnat_config candidate;
	char line[LINE_MAX_LEN + 1], reason[CLI_ERR_MAX];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (f == NULL) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -errno;
	}
	candidate = *cfg;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, err_len, "%s:%u: line longer than %d characters", path, lineno,
				 LINE_MAX_LEN - 1);
			ret = -E2BIG;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		ret = cli_execute(&candidate, line, NULL, reason, sizeof(reason));
		if (ret < 0) {
			snprintf(err, err_len, "%s:%u: %s", path, lineno, reason);
			break;
		}
	}
	if (ret == 0 && ferror(f)) {
		snprintf(err, err_len, "%s: read error", path);
		ret = -EIO;
	}
	fclose(f);
	if (ret == 0)
		*cfg = candidate;
	return ret;
}
