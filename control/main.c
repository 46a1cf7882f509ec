/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat [EAL options] -- [-f FILE] [-i] [-s SOCKET] [--check] [--sessions N]
 *
 * The EAL options come first; the configuration is validated in full before the EAL starts, so a
 * bad file starts nothing.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "cli.h"
#include "log.h"
#include "run_dir.h"
#include "runtime.h"
#include "secrets.h"

#define EXIT_CONFIG 2

static volatile bool stopping, reload_wanted;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_wanted = true;
	else
		stopping = true;
}

static bool is_app_option(const char *arg)
{
	static const char *const ours[] = {"-f", "--config", "--check", "-i", "--interactive",
					   "--socket", "--sessions", "--bird", "--cp-netns", "--bgp-table"};
	size_t i;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strncmp(arg, ours[i], strlen(ours[i])) == 0)
			return true;
	return false;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: secnat [EAL options] -- [-f FILE] [-i] [-s SOCKET] [--check]\n"
		     "  -f, --config FILE   startup file: console commands, one per line\n"
		     "  -i, --interactive   console on the terminal\n"
		     "  -s, --socket PATH   control socket (default /run/secnat/secnat.sock)\n"
		     "      --check         validate FILE and exit: 0 if valid, 2 if not\n"
		     "      --sessions N    session table size per worker (default 1048576)\n"
		     "      --bird PATH     the BIRD 2 binary to supervise (default /usr/sbin/bird);\n"
		     "                      'none': run no daemon, another one (FRR) writes the table\n"
		     "      --cp-netns NAME name the control-plane namespace (ip netns exec NAME ...)\n"
		     "      --bgp-table N   kernel table of BGP routes to import (default 100)\n"
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
		{"sessions", required_argument, NULL, 'S'},
		{"bird", required_argument, NULL, 'B'},
		{"cp-netns", required_argument, NULL, 'N'},
		{"bgp-table", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct secnat_config cfg;
	static struct runtime rt;
	struct rt_options rt_opt = {.sessions_per_worker = 1u << 20};
	int eal_argc, i, opt, ret;
	char **eal_argv = argv;
	const char *file = NULL;
	bool check = false, config_error;
	char err[512], *end, eal_dir[PATH_MAX];

	/* Application options follow "--"; everything before belongs to the EAL. Without "--", a
	 * command line that starts with one of ours ("secnat --check -f FILE") is all ours. */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	eal_argc = i;
	if (i < argc) {
		argv[i] = argv[0];
		argc -= i;
		argv += i;
	} else if (argc > 1 && is_app_option(argv[1])) {
		eal_argc = 1;
	} else {
		argc = 1;
	}
	while ((opt = getopt_long(argc, argv, "f:is:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'i':
			rt_opt.interactive = true;
			break;
		case 's':
			rt_opt.socket_path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'B':
			rt_opt.bird_binary = optarg;
			break;
		case 'N':
			rt_opt.cp_netns_name = optarg;
			break;
		case 'T':
			rt_opt.bgp_table = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || rt_opt.bgp_table == 0 || rt_opt.bgp_table >= 0xfffffff0u) {
				log_msg(LOG_ERR, "--bgp-table '%s': a kernel table number", optarg);
				return EXIT_CONFIG;
			}
			break;
		case 'S':
			rt_opt.sessions_per_worker = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || rt_opt.sessions_per_worker < 64) {
				log_msg(LOG_ERR, "--sessions '%s': a number of at least 64", optarg);
				return EXIT_CONFIG;
			}
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
		log_msg(LOG_ERR, "unexpected argument '%s'", argv[optind]);
		return EXIT_CONFIG;
	}

	config_init(&cfg);
	if (file != NULL && cli_load_file(&cfg, file, err, sizeof(err)) < 0) {
		/* --check answers a person at a terminal; the daemon's lines go to the journal. */
		if (check)
			fprintf(stderr, "%s\n", err);
		else
			log_bare(LOG_ERR, err);
		return EXIT_CONFIG;
	}
	rt_opt.config_file = file;
	if (check) {
		if (file == NULL) {
			fprintf(stderr, "secnat: --check needs -f FILE\n");
			return EXIT_CONFIG;
		}
		printf("%s: ok\n", file);
		return 0;
	}

	if (file != NULL)
		secrets_warn_if_exposed(file, &cfg);
	log_capture_dpdk();
	ret = rte_eal_init(eal_argc, eal_argv);
	if (ret < 0) {
		log_msg(LOG_ERR, "EAL initialisation failed (see above)");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal); /* configure replace with the startup file */
	signal(SIGPIPE, SIG_IGN); /* a client or BIRD hanging up is an error return, not our death */
	ret = runtime_start(&rt, &cfg, &rt_opt, &config_error);
	if (ret == 0) {
		log_msg(LOG_INFO, "running (%u worker%s); %s", rt.shared->n_workers,
			rt.shared->n_workers == 1 ? "" : "s",
			rt_opt.interactive ? "'help' lists the commands, Tab completes, '?' shows choices, "
					     "'quit' stops secnat"
					   : "SIGINT or SIGTERM stops it");
		runtime_loop(&rt, &stopping, &reload_wanted);
	}
	runtime_stop(&rt);
	snprintf(eal_dir, sizeof(eal_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		run_dir_remove_eal(eal_dir); /* nothing of ours left behind */
	if (ret != 0)
		return config_error ? EXIT_CONFIG : 1;
	return 0;
}
