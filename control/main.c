/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat [EAL options] -- [-f FILE] [-i] [-s SOCKET] [--check]
 *
 * This build validates configurations (--check); starting ports and workers comes with the rest of
 * issue 3 ("the appliance").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EXIT_CONFIG 2

static void usage(FILE *out)
{
	fprintf(out, "usage: secnat [EAL options] -- [-f FILE] [-i] [-s SOCKET] [--check]\n"
		     "  -f, --config FILE   startup file: console commands, one per line\n"
		     "  -i, --interactive   console on the terminal\n"
		     "  -s, --socket PATH   control socket (default /run/secnat/secnat.sock)\n"
		     "      --check         validate FILE and exit: 0 if valid, 2 if not\n"
		     "commands:\n");
	cli_help(out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"interactive", no_argument, NULL, 'i'},
		{"socket", required_argument, NULL, 's'},
		{"check", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct secnat_config cfg;
	const char *file = NULL;
	char err[512];
	bool check = false;
	int i, opt;

	/* Application options follow "--"; everything before belongs to the EAL. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	if (i < argc) {
		argv[i] = argv[0];
		argc -= i;
		argv += i;
	}
	while ((opt = getopt_long(argc, argv, "f:is:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'i':
		case 's':
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "secnat: unexpected argument '%s'\n", argv[optind]);
		return EXIT_CONFIG;
	}

	config_init(&cfg);
	if (file != NULL && cli_load_file(&cfg, file, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	if (check) {
		if (file == NULL) {
			fprintf(stderr, "secnat: --check needs -f FILE\n");
			return EXIT_CONFIG;
		}
		printf("%s: ok\n", file);
		return 0;
	}
	fprintf(stderr, "secnat: this build only validates configurations (--check); the forwarding "
			"appliance is not built yet\n");
	return 1;
}
