/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command language, as the startup file, the console and the control socket all feed it: the
 * input is lines of text applied one by one to a configuration that starts as the lab's.
 *
 * What must hold, whatever the input:
 * - a refused command changes nothing (the configuration is byte for byte what it was);
 * - the configuration reached replays: what `show running-config` (the saved form) prints, applied
 *   to a fresh configuration, is accepted line by line and gives the same configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const base[] = {
	"port 0 role lan",
	"port 0 address 10.11.0.1/24",
	"port 1 role aend",
	"vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 1G",
	"route add 198.51.100.0/24 via 203.0.113.0",
	"bgp as 64512 router-id 203.0.113.1",
};

static void must(bool ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n%s\n", what, detail);
		abort();
	}
}

static void replay(const struct secnat_config *cfg)
{
	static struct secnat_config again;
	char *text = NULL, *line, *save = NULL, err[256];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	must(out != NULL, "out of memory", "");
	cli_write_config(out, cfg, false);
	fclose(out);
	config_init(&again);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		must(cli_execute(&again, line, NULL, err, sizeof(err)) == 0, "the running configuration does not replay",
		     line);
	if (memcmp(cfg, &again, sizeof(again)) != 0) {
		const uint8_t *a = (const uint8_t *)cfg, *b = (const uint8_t *)&again;
		char where[64];
		size_t i;

		for (i = 0; a[i] == b[i]; i++)
			;
		snprintf(where, sizeof(where), "first difference at byte %zu of the configuration", i);
		fprintf(stderr, "running configuration:\n");
		cli_write_config(stderr, cfg, false);
		must(false, "the replayed configuration differs", where);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct secnat_config cfg, before;
	char line[1024], err[256];
	size_t at = 0, i;

	config_init(&cfg);
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		must(cli_execute(&cfg, base[i], NULL, err, sizeof(err)) == 0, "the base configuration is refused", base[i]);
	while (at < size) {
		size_t n = 0;

		while (at < size && data[at] != '\n' && n < sizeof(line) - 1)
			line[n++] = (char)data[at++];
		while (at < size && data[at] != '\n')
			at++; /* the rest of an over-long line: the console would refuse it whole too */
		at++;
		line[n] = '\0';
		before = cfg;
		if (cli_execute(&cfg, line, NULL, err, sizeof(err)) != 0)
			must(memcmp(&cfg, &before, sizeof(cfg)) == 0, "a refused command changed the configuration", line);
	}
	replay(&cfg);
	return 0;
}
