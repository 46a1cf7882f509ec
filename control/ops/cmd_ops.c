/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Operations commands (CONSOLE.md): the running configuration shown, saved and replaced, the
 * version, and the daemon's recent messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_version.h>

#include "atomic_file.h"
#include "cli.h"
#include "log.h"
#include "runtime.h"
#include "secrets.h"

#ifndef SECNAT_VERSION
#define SECNAT_VERSION "unknown"
#endif

/* Writes `s` as the inside of a JSON string. */
static void json_string(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

static int show_running_config(struct cli_ctx *ctx, const struct cli_line *line)
{
	char *text = NULL, *row, *save = NULL;
	size_t len = 0;
	bool first = true;
	FILE *mem;

	if (ctx->out == NULL)
		return 0;
	if (!cli_wants_json(line)) {
		cli_write_config(ctx->out, ctx->cfg, true);
		return 0;
	}
	mem = open_memstream(&text, &len);
	if (mem == NULL)
		return cli_fail(ctx, "out of memory");
	cli_write_config(mem, ctx->cfg, true);
	fclose(mem);
	fprintf(ctx->out, "{\"lines\":[");
	for (row = strtok_r(text, "\n", &save); row != NULL; row = strtok_r(NULL, "\n", &save)) {
		fprintf(ctx->out, "%s\"", first ? "" : ",");
		json_string(ctx->out, row);
		fputc('"', ctx->out);
		first = false;
	}
	fprintf(ctx->out, "]}\n");
	free(text);
	return 0;
}

static int fill_config(FILE *f, void *cfg)
{
	fprintf(f, "# secnat configuration, written by 'write' on the running appliance\n");
	cli_write_config(f, cfg, false);
	return ferror(f) ? -EIO : 0;
}

/* write [<FILE>]: the running configuration, secrets included, to FILE or the startup file. */
static int write_config(struct cli_ctx *ctx, const struct cli_line *line)
{
	struct runtime *rt = ctx->runtime;
	const char *path = line->argc > 1 ? line->argv[1] : NULL;
	char err[CLI_ERR_MAX];

	if (rt == NULL)
		return 0; /* in a startup file there is nothing running to save */
	if (path == NULL)
		path = rt->opt.config_file;
	if (path == NULL)
		return cli_fail(ctx, "secnat was started without -f: say where, 'write <FILE>'");
	if (atomic_file_replace(path, 0600, fill_config, ctx->cfg, err, sizeof(err)) != 0)
		return cli_fail(ctx, "%s", err);
	log_msg(LOG_INFO, "configuration written to %s", path);
	if (ctx->out != NULL)
		fprintf(ctx->out, "configuration written to %s\n", path);
	return 0;
}

/*
 * configure replace <FILE>: the file read from scratch becomes the configuration; the runtime then
 * applies only what differs from what runs (runtime_execute), all of it or none.
 */
static int configure_replace(struct cli_ctx *ctx, const struct cli_line *line)
{
	static struct secnat_config next;
	char err[CLI_ERR_MAX];

	if (ctx->runtime == NULL)
		return cli_fail(ctx, "configure replace acts on the running secnat, not in a startup file");
	config_init(&next);
	if (cli_load_file(&next, line->argv[2], err, sizeof(err)) != 0)
		return cli_fail(ctx, "%s", err);
	secrets_warn_if_exposed(line->argv[2], &next);
	*ctx->cfg = next;
	return 0;
}

static int show_version(struct cli_ctx *ctx, const struct cli_line *line)
{
	if (ctx->out == NULL)
		return 0;
	if (cli_wants_json(line))
		fprintf(ctx->out, "{\"version\":\"%s\",\"dpdk\":\"%s\"}\n", SECNAT_VERSION, rte_version());
	else
		fprintf(ctx->out, "secnat %s\n%s\n", SECNAT_VERSION, rte_version());
	return 0;
}

/* show log [limit <n>] [json]: the most recent messages, oldest first. */
static int show_log(struct cli_ctx *ctx, const struct cli_line *line)
{
	static struct log_entry entries[LOG_KEEP];
	const char *limit_text = cli_option(line, 2, "limit");
	bool json = cli_wants_json(line);
	uint64_t limit = LOG_KEEP;
	unsigned n, i;

	if (limit_text != NULL && !cli_uint(ctx, limit_text, 1, LOG_KEEP, "limit", &limit))
		return -EINVAL;
	if (ctx->out == NULL)
		return 0;
	n = log_recent(entries, (unsigned)limit);
	if (json)
		fprintf(ctx->out, "{\"log\":[");
	for (i = 0; i < n; i++) {
		const struct log_entry *e = &entries[i];
		time_t seconds = (time_t)(e->time_ms / 1000);
		char when[32];
		struct tm tm;

		gmtime_r(&seconds, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		if (!json) {
			fprintf(ctx->out, "%s.%03uZ %-7s %s\n", when, (unsigned)(e->time_ms % 1000),
				log_priority_name(e->priority), e->text);
			continue;
		}
		fprintf(ctx->out, "%s{\"time\":\"%s.%03uZ\",\"level\":\"%s\",\"message\":\"", i ? "," : "",
			when, (unsigned)(e->time_ms % 1000), log_priority_name(e->priority));
		json_string(ctx->out, e->text);
		fprintf(ctx->out, "\"}");
	}
	if (json)
		fprintf(ctx->out, "]}\n");
	return 0;
}

const struct cli_command cli_ops_commands[] = {
	{"show running-config [json]", show_running_config},
	{"write", write_config},
	{"write <FILE>", write_config},
	{"configure replace <FILE>", configure_replace},
	{"show version [json]", show_version},
	{"show log [limit <n>] [json]", show_log},
	{NULL, NULL},
};
