/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show running-config / write: the configuration written back as commands must build the same
 * configuration again, whatever it holds, and keep secrets out of what is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cli.h"

static struct secnat_config cfg, again;
static char err[512];

static void apply(struct secnat_config *c, const char *const *lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_eq(cli_execute(c, lines[i], NULL, err, sizeof(err)), 0, "'%s': %s", lines[i], err);
}

/* Writes `c` as commands, replays them into a fresh configuration, returns the text. */
static char *round_trip(const struct secnat_config *c, bool hide, struct secnat_config *out)
{
	char *text = NULL, *line, *save = NULL, *copy;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cli_write_config(f, c, hide);
	fclose(f);
	config_init(out);
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		cr_assert_eq(cli_execute(out, line, NULL, err, sizeof(err)), 0, "written line '%s' refused: %s",
			     line, err);
	free(copy);
	return text;
}

/* Everything the grammar can set, away from its defaults. */
static const char *const everything[] = {
	"port 0 role lan",
	"port 0 address 10.11.0.1/24",
	"port 0 mtu 9000",
	"port 1 role aend",
	"port 2 role aend",
	"port 3 role internet",
	"port 3 address 198.51.100.2/30",
	"arp timeout 60",
	"vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M",
	"vxc add sec2 port 1 vlan 200 local 203.0.113.3/31 peer 203.0.113.2 rate 2.5G",
	"vxc add sec3 port 2 untagged local 203.0.113.5/31 peer 203.0.113.4 rate 1.001M",
	"nat pool sec1 192.0.2.0/28",
	"nat exempt 192.0.2.64/26",
	"nat mapping endpoint-independent",
	"nat timeout udp 600",
	"nat timeout tcp-established 8000",
	"nat timeout tcp-transitory 300",
	"nat timeout icmp 90",
	"nat limit per-host 2000",
	"nat limit embryonic-per-host 100",
	"route add 198.18.0.0/15 via 10.11.0.9",
	"route add 198.51.100.0/24 via 203.0.113.2 distance 250",
	"route add 0.0.0.0/0 via 198.51.100.1 distance 200",
	"bgp as 4200000000 router-id 203.0.113.1",
	"bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 9 max-prefix 5000",
	"bgp neighbor 203.0.113.2 remote-as 14340 ttl-security",
	"bgp announce 192.0.2.0/28",
};

Test(running_config, replays_to_the_same_configuration)
{
	char *text;

	config_init(&cfg);
	apply(&cfg, everything, sizeof(everything) / sizeof(everything[0]));
	text = round_trip(&cfg, false, &again);
	cr_assert(memcmp(&cfg, &again, sizeof(cfg)) == 0, "replayed configuration differs:\n%s", text);
	free(text);
}

Test(running_config, defaults_write_nothing)
{
	char *text;

	config_init(&cfg);
	text = round_trip(&cfg, false, &again);
	cr_assert_str_empty(text);
	free(text);
}

Test(running_config, shown_form_hides_passwords_and_saved_form_keeps_them)
{
	char *shown, *saved;

	config_init(&cfg);
	apply(&cfg, everything, sizeof(everything) / sizeof(everything[0]));
	shown = round_trip(&cfg, true, &again);
	cr_assert_null(strstr(shown, "s3cret"), "password shown:\n%s", shown);
	cr_assert_not_null(strstr(shown, "password <hidden>"));
	saved = round_trip(&cfg, false, &again);
	cr_assert_not_null(strstr(saved, "password s3cret"));
	free(shown);
	free(saved);
}

Test(running_config, rates_print_in_the_shortest_form_that_reads_back)
{
	static const char *const lines[] = {
		"port 1 role aend",
		"vxc add a port 1 vlan 1 local 203.0.113.1/31 peer 203.0.113.0 rate 5G",
		"vxc add b port 1 vlan 2 local 203.0.113.3/31 peer 203.0.113.2 rate 1M",
		"vxc add c port 1 vlan 3 local 203.0.113.5/31 peer 203.0.113.4 rate 2.5G",
		"vxc add d port 1 vlan 4 local 203.0.113.7/31 peer 203.0.113.6 rate 1.5M",
	};
	char *text;

	config_init(&cfg);
	apply(&cfg, lines, sizeof(lines) / sizeof(lines[0]));
	text = round_trip(&cfg, false, &again);
	cr_assert_not_null(strstr(text, " rate 5G\n"), "%s", text);
	cr_assert_not_null(strstr(text, " rate 1M\n"), "%s", text);
	cr_assert_not_null(strstr(text, " rate 2500M\n"), "%s", text);
	cr_assert_not_null(strstr(text, " rate 1.500M\n"), "%s", text);
	cr_assert(memcmp(&cfg, &again, sizeof(cfg)) == 0);
	free(text);
}

Test(running_config, configure_replace_is_refused_in_a_startup_file)
{
	config_init(&cfg);
	cr_assert_neq(cli_execute(&cfg, "configure replace /etc/secnat/secnat.conf", NULL, err, sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "running secnat"), "%s", err);
}
