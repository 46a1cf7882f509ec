/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interactive console (-i): DPDK's cmdline library on the terminal, prompt "secnat> ".
 *
 * The grammar lives in control/cli, written once for the startup file, the console and secnatctl, so
 * the console does not declare testpmd-style token lists per command. It registers one instruction with
 * dynamic tokens (the mechanism cmdline_parse.h describes): every word is one token of a single type,
 * the words seen so far are kept here, and completion asks the grammar what may follow them. The
 * finished line goes to runtime_execute() like a secnatctl command, so both answer the same way and a
 * malformed line gets the grammar's own "usage: ..." rather than cmdline's "Bad arguments".
 *
 * cmdline_parse.h requires the context of dynamic tokens to be static, so there is one console per
 * process, polled by the control loop: it never blocks the thread that also serves the socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_socket.h>

#include "cli.h"
#include "log.h"
#include "runtime.h"

#define WORD_MAX 128
#define CHOICES_MAX 64

static struct {
	struct runtime *rt;
	struct cmdline *cl;
	/* The words of the line being parsed or completed, and where the next token stands. */
	char words[CLI_MAX_TOKENS][WORD_MAX];
	char *argv[CLI_MAX_TOKENS];
	int argc;
	bool at_end_of_line;
	/* What completion may offer after those words: words to type, or the placeholder to fill. */
	unsigned n_choices;
	struct {
		char word[WORD_MAX];
		const char *syntax;
	} choices[CHOICES_MAX];
	char placeholder[WORD_MAX];
	const char *placeholder_syntax;
	char help_label[WORD_MAX]; /* what cmdline shows in brackets for the choice it lists */
} console;

static void console_call(void *result, struct cmdline *cl, void *data);

static cmdline_parse_inst_t console_command = {
	.f = console_call,
	.help_str = "",
	.tokens = {NULL}, /* dynamic: console_call() hands out a word token per position */
};

static cmdline_parse_ctx_t console_context[] = {&console_command, NULL};

static size_t word_length(const char *buf)
{
	size_t len = 0;

	while (!cmdline_isendoftoken(buf[len]))
		len++;
	return len;
}

/* Any word is accepted for running: the grammar judges the whole line and explains a refusal. */
static int word_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res, unsigned size)
{
	size_t len = word_length(buf), i = len;

	(void)tk;
	(void)res;
	(void)size;
	if (len == 0 || len >= WORD_MAX || console.argc == CLI_MAX_TOKENS)
		return -1;
	memcpy(console.words[console.argc], buf, len);
	console.words[console.argc][len] = '\0';
	console.argc++;
	/* A line handed over to run ends with '\n'; one being completed ends with '\0' only. While
	 * completing, words that begin no command end the match, so nothing is offered after them. */
	if (strchr(buf, '\n') == NULL && !cli_next_words(console.argc, console.argv, NULL, NULL))
		return -1;
	while (buf[i] == ' ' || buf[i] == '\t')
		i++;
	console.at_end_of_line = buf[i] == '\n' || buf[i] == '\r' || buf[i] == '#';
	return (int)len;
}

static void add_choice(const char *item, const char *syntax)
{
	unsigned i;

	for (i = 0; i < console.n_choices; i++)
		if (strcmp(console.choices[i].word, item) == 0)
			return;
	if (console.n_choices == CHOICES_MAX)
		return;
	snprintf(console.choices[i].word, sizeof(console.choices[i].word), "%s", item);
	console.choices[i].syntax = syntax;
	console.n_choices++;
}

static void collect_choice(void *arg, const char *item, bool literal, const char *syntax)
{
	(void)arg;
	if (literal)
		add_choice(item, syntax);
	else if (console.placeholder[0] == '\0') {
		snprintf(console.placeholder, sizeof(console.placeholder), "%s", item);
		console.placeholder_syntax = syntax;
	}
}

/*
 * Only words the operator can type are completed. A placeholder ("<name>") is listed among them so
 * that '?' shows every way on ("vxc add", "vxc del", "vxc <name> rate"); alone, it is not offered as
 * text to insert, and cmdline shows its help instead.
 */
static int word_complete_count(cmdline_parse_token_hdr_t *tk)
{
	(void)tk;
	console.n_choices = 0;
	console.placeholder[0] = '\0';
	cli_next_words(console.argc, console.argv, collect_choice, NULL);
	snprintf(console.help_label, sizeof(console.help_label), "%s", console.placeholder);
	if (console.n_choices == 0) {
		console_command.help_str = console.placeholder_syntax;
		return 0;
	}
	if (console.placeholder[0] != '\0')
		add_choice(console.placeholder, console.placeholder_syntax);
	return (int)console.n_choices;
}

static int word_complete_get(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned size)
{
	const char *word;

	(void)tk;
	if (idx < 0 || (unsigned)idx >= console.n_choices)
		return -1;
	word = console.choices[idx].word;
	snprintf(dst, size, "%s", word);
	/* cmdline prints this choice's help right after asking for it: say what it is and which
	 * command it starts. */
	snprintf(console.help_label, sizeof(console.help_label), "%s", word[0] == '<' ? "value" : "keyword");
	console_command.help_str = console.choices[idx].syntax;
	return 0;
}

static int word_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned size)
{
	(void)tk;
	snprintf(dst, size, "%s", console.help_label);
	return 0;
}

static struct cmdline_token_ops word_ops = {
	.parse = word_parse,
	.complete_get_nb = word_complete_count,
	.complete_get_elt = word_complete_get,
	.get_help = word_help,
};

static struct cmdline_token_hdr word_token = {.ops = &word_ops, .offset = 0};

static void run_line(void)
{
	char line[CLI_MAX_TOKENS * WORD_MAX], err[512];
	size_t used = 0;
	int i;

	line[0] = '\0';
	for (i = 0; i < console.argc; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", i ? " " : "",
					 console.words[i]);
	if (runtime_execute(console.rt, line, stdout, err, sizeof(err)) != 0)
		printf("%s\n", err);
	fflush(stdout); /* cmdline writes the next prompt straight to the descriptor */
	if (strcmp(line, "quit") == 0) {
		console.rt->quit = true;
		cmdline_quit(console.cl); /* no new prompt after the last command */
	}
}

/* cmdline calls this for two jobs: with cl == NULL to ask for the token at a position (dynamic
 * tokens), otherwise to run the instruction that matched. */
static void console_call(void *result, struct cmdline *cl, void *data)
{
	if (cl == NULL) {
		cmdline_parse_token_hdr_t **token = result;
		int position = (int)((cmdline_parse_token_hdr_t **)data - console_command.tokens);

		if (position == 0) {
			console.argc = 0;
			console.at_end_of_line = false;
		}
		*token = console.at_end_of_line || position >= CLI_MAX_TOKENS ? NULL : &word_token;
		return;
	}
	(void)result; /* the words were kept as they were parsed */
	run_line();
}

int rt_console_open(struct runtime *rt)
{
	int i;

	for (i = 0; i < CLI_MAX_TOKENS; i++)
		console.argv[i] = console.words[i];
	console.rt = rt;
	console.cl = cmdline_stdin_new(console_context, "secnat> ");
	if (console.cl == NULL) {
		log_msg(LOG_ERR, "cannot start the console");
		return -ENOMEM;
	}
	rt->console = console.cl;
	return 0;
}

/* Feeds what the terminal has typed; end of input leaves the console like "quit". */
void rt_console_poll(struct runtime *rt)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char buf[256];
	ssize_t n;

	if (rt->console == NULL)
		return;
	while (!rt->quit && poll(&pfd, 1, 0) == 1) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0 || cmdline_in(rt->console, buf, (int)n) < 0) {
			if (!rt->quit)
				printf("\n"); /* end of input or Ctrl-D left the cursor after the prompt */
			rt->quit = true;
		}
	}
}

void rt_console_close(struct runtime *rt)
{
	if (rt->console == NULL)
		return;
	cmdline_stdin_exit(rt->console); /* gives the terminal its settings back */
	rt->console = NULL;
	console.cl = NULL;
}
