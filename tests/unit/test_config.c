/* SPDX-License-Identifier: BSD-3-Clause */
/* The operator grammar of CONSOLE.md: what is accepted, what is refused and why; refusals change nothing. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli.h"

static struct secnat_config cfg;
static char err[512];

/* The mode-1 example of CONSOLE.md, the base most tests add one line to. */
static const char *const base[] = {
	"port 0 role lan",
	"port 0 address 10.11.0.1/24",
	"port 1 role aend",
	"vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M",
	"bgp as 64512 router-id 203.0.113.1",
	"bgp neighbor 203.0.113.0 remote-as 14340 password s3cret",
};

static void setup(void)
{
	size_t i;

	config_init(&cfg);
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		cr_assert_eq(cli_execute(&cfg, base[i], NULL, err, sizeof(err)), 0, "base line '%s': %s",
			     base[i], err);
}

TestSuite(config, .init = setup);

static void accepted(const char *line)
{
	cr_assert_eq(cli_execute(&cfg, line, NULL, err, sizeof(err)), 0, "'%s' refused: %s", line, err);
}

/* `line` must be refused with a reason containing `why`, and leave the configuration as it was. */
static void refused(const char *line, const char *why)
{
	static struct secnat_config before;

	before = cfg;
	cr_assert_neq(cli_execute(&cfg, line, NULL, err, sizeof(err)), 0, "'%s' was accepted", line);
	cr_assert(strstr(err, why) != NULL, "'%s': reason '%s' does not say '%s'", line, err, why);
	cr_assert_eq(memcmp(&before, &cfg, sizeof(cfg)), 0, "'%s' changed the configuration", line);
}

Test(config, the_console_md_examples_are_accepted)
{
	accepted("nat pool sec1 192.0.2.0/28");
	accepted("bgp announce 192.0.2.0/28");
	cr_assert_eq(cfg.n_vxcs, 1);
	cr_assert_eq(cfg.vxcs[0].rate_bps, 500000000ull);
	cr_assert_eq(cfg.vxcs[0].vlan, 100);
	cr_assert(cfg.vxcs[0].has_pool);
	cr_assert_str_eq(cfg.neighbors[0].password, "s3cret");
}

Test(config, comments_and_blank_lines_do_nothing)
{
	accepted("");
	accepted("   # a comment");
	accepted("port 2 role internet   # trailing comment");
	cr_assert_eq(cfg.ports[2].role, PORT_ROLE_INTERNET);
}

Test(config, unknown_commands_and_wrong_shapes_are_refused_with_usage)
{
	refused("frobnicate 1", "unknown command 'frobnicate'");
	refused("port 0 role", "usage: port <id> role lan|aend|internet");
	refused("port 0 role core", "usage: port <id> role lan|aend|internet");
	refused("route add 198.51.100.0/24 via 203.0.113.0 metric 5", "usage: route add");
	refused("vxc add sec2 port 1 vlan 200 local 198.51.100.1/31 peer 198.51.100.0", "usage: vxc add");
}

Test(config, port_ids_and_addresses_are_checked)
{
	refused("port 99 role lan", "port '99'");
	refused("port 1 address 198.51.100.1/24", "not a lan or internet port");
	refused("port 0 address 10.11.0.0/24", "network or broadcast");
	refused("port 0 address 10.11.0.300/24", "expected an IPv4 prefix");
	refused("port 1 role lan", "carries vxc sec1");
}

Test(config, port_mtu_is_from_576_to_9600)
{
	accepted("port 1 mtu 1400");
	cr_assert_eq(cfg.ports[1].mtu, 1400);
	refused("port 1 mtu 100", "mtu '100'");
	refused("port 1 mtu 9601", "mtu '9601'");
}

Test(config, show_commands_are_valid_in_a_startup_file)
{
	accepted("show nat sessions limit 5 json");
	accepted("show port stats");
	accepted("clear stats");
	refused("show nat sessions limit 0", "limit '0'");
	refused("show everything", "usage: show");
}

Test(config, rates_are_from_1M_to_5G)
{
	accepted("vxc sec1 rate 1M");
	accepted("vxc sec1 rate 2.5G");
	cr_assert_eq(cfg.vxcs[0].rate_bps, 2500000000ull);
	accepted("vxc sec1 rate 5G");
	refused("vxc sec1 rate 0.5M", "from 1M to 5G");
	refused("vxc sec1 rate 5.001G", "from 1M to 5G");
	refused("vxc sec1 rate 6G", "from 1M to 5G");
	refused("vxc sec1 rate 100", "expected <n>M or <n>G");
	refused("vxc sec1 rate 1.G", "expected <n>M or <n>G");
	refused("vxc nope rate 1G", "no vxc nope");
}

Test(config, vlans_are_unique_per_port_and_untagged_is_alone)
{
	accepted("vxc add sec2 port 1 vlan 200 local 198.51.100.1/31 peer 198.51.100.0 rate 1G");
	refused("vxc add sec3 port 1 vlan 200 local 198.51.100.3/31 peer 198.51.100.2 rate 1G",
		"vlan 200 is taken by vxc sec2");
	refused("vxc add sec3 port 1 untagged local 198.51.100.3/31 peer 198.51.100.2 rate 1G",
		"untagged VXC must be the only one");
	refused("vxc add sec3 port 1 vlan 4095 local 198.51.100.3/31 peer 198.51.100.2 rate 1G", "vlan '4095'");
	refused("vxc add sec3 port 1 vlan 0 local 198.51.100.3/31 peer 198.51.100.2 rate 1G", "vlan '0'");
	refused("vxc add sec2 port 1 vlan 300 local 198.51.100.3/31 peer 198.51.100.2 rate 1G", "exists already");
	refused("vxc add sec3 port 0 vlan 300 local 198.51.100.3/31 peer 198.51.100.2 rate 1G", "not an aend port");
}

Test(config, an_untagged_vxc_refuses_company)
{
	accepted("port 2 role aend");
	accepted("vxc add solo port 2 untagged local 198.51.100.5/31 peer 198.51.100.4 rate 1G");
	cr_assert_eq(config_vxc_by_name(&cfg, "solo")->vlan, 0);
	accepted("vxc del solo");
	accepted("vxc add solo port 2 vlan untagged local 198.51.100.5/31 peer 198.51.100.4 rate 1G");
	cr_assert_eq(config_vxc_by_name(&cfg, "solo")->vlan, 0, "'vlan untagged' is the same");
	refused("vxc add sec3 port 2 vlan 10 local 198.51.100.7/31 peer 198.51.100.6 rate 1G",
		"untagged VXC must be the only one");
}

Test(config, local_is_a_public_31_and_peer_its_other_address)
{
	refused("vxc add sec2 port 1 vlan 200 local 198.51.100.1/30 peer 198.51.100.2 rate 1G", "a /31");
	refused("vxc add sec2 port 1 vlan 200 local 198.51.100.1/31 peer 198.51.100.2 rate 1G",
		"not the other address");
	refused("vxc add sec2 port 1 vlan 200 local 10.1.1.1/31 peer 10.1.1.0 rate 1G", "RFC 1918");
	refused("vxc add sec2 port 1 vlan 200 local 203.0.113.1/31 peer 203.0.113.0 rate 1G", "overlaps vxc sec1");
}

Test(config, non_public_space_is_refused_everywhere_customer_space_is_configured)
{
	static const struct {
		const char *prefix, *why;
	} bad[] = {
		{"10.0.0.0/8", "RFC 1918"},         {"172.16.0.0/12", "RFC 1918"},
		{"192.168.1.0/24", "RFC 1918"},     {"0.0.0.0/8", "this network"},
		{"127.0.0.0/8", "loopback"},        {"169.254.0.0/16", "link local"},
		{"100.64.0.0/10", "shared address"}, {"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"},        {"0.0.0.0/0", "default route"},
		{"172.31.255.0/24", "RFC 1918"},    {"100.127.0.0/16", "shared address"},
	};
	char line[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "nat pool sec1 %s", bad[i].prefix);
		refused(line, bad[i].why);
		snprintf(line, sizeof(line), "nat exempt %s", bad[i].prefix);
		refused(line, bad[i].why);
		snprintf(line, sizeof(line), "bgp announce %s", bad[i].prefix);
		refused(line, bad[i].why);
	}
	/* RFC 5737's documentation ranges are accepted, so examples and labs work. */
	accepted("nat exempt 198.51.100.0/24");
	accepted("bgp announce 203.0.113.128/25");
	accepted("nat pool sec1 192.0.2.0/24");
	/* Neighbours of private space are public. */
	accepted("bgp announce 172.32.0.0/16");
	accepted("nat exempt 11.0.0.0/8");
}

Test(config, prefixes_with_host_bits_are_refused_with_the_network_suggested)
{
	refused("bgp announce 192.0.2.1/24", "did you mean 192.0.2.0/24?");
	refused("route add 198.51.100.7/24 via 10.11.0.254", "did you mean 198.51.100.0/24?");
}

Test(config, default_route_is_never_pointed_at_salesforce)
{
	refused("route add 0.0.0.0/0 via 203.0.113.0", "never pointed at Salesforce");
	/* A default route through the LAN (an Internet backup router) is fine. */
	accepted("route add 0.0.0.0/0 via 10.11.0.254 distance 250");
	accepted("route add 198.51.100.0/24 via 203.0.113.0");
	cr_assert_eq(cfg.n_routes, 2);
	cr_assert_eq(cfg.routes[0].distance, 250);
	cr_assert_eq(cfg.routes[1].distance, 1);
}

Test(config, routes_need_a_connected_next_hop_and_del_needs_a_route)
{
	refused("route add 198.51.100.0/24 via 192.0.2.1", "no connected subnet");
	refused("route add 198.51.100.0/24 via 10.11.0.1", "no connected subnet"); /* our own address */
	refused("route add 198.51.100.0/24 via 203.0.113.0 distance 0", "distance '0'");
	refused("route del 198.51.100.0/24", "no static route 198.51.100.0/24");
	accepted("route add 198.51.100.0/24 via 203.0.113.0 distance 20");
	refused("route del 198.51.100.0/24 via 10.11.0.9", "no static route 198.51.100.0/24 via 10.11.0.9");
	accepted("route del 198.51.100.0/24 via 203.0.113.0");
	cr_assert_eq(cfg.n_routes, 0);
}

Test(config, asns_are_1_to_4294967295)
{
	accepted("bgp as 4294967295 router-id 203.0.113.1");
	accepted("bgp as 1 router-id 203.0.113.1");
	refused("bgp as 0 router-id 203.0.113.1", "as '0'");
	refused("bgp as 4294967296 router-id 203.0.113.1", "as '4294967296'");
	refused("bgp neighbor 203.0.113.0 remote-as 0", "remote-as '0'");
	refused("bgp as 65000 router-id 0.0.0.0", "router-id 0.0.0.0");
}

Test(config, bgp_neighbors_are_vxc_peers_with_sane_options)
{
	accepted("bgp neighbor 203.0.113.0 remote-as 14340 max-prefix 1000 hold-time 90 password x");
	cr_assert_eq(cfg.n_neighbors, 1, "re-issuing a neighbor updates it");
	cr_assert_eq(cfg.neighbors[0].hold_time, 90);
	cr_assert_eq(cfg.neighbors[0].max_prefix, 1000);
	refused("bgp neighbor 198.51.100.9 remote-as 14340", "no VXC's peer");
	refused("bgp neighbor 203.0.113.0 remote-as 14340 hold-time 2", "RFC 4271");
	refused("bgp neighbor 203.0.113.0 remote-as 14340 password", "usage: bgp neighbor");
	refused("vxc del sec1", "bgp neighbor 203.0.113.0 runs over vxc sec1");
}

Test(config, a_refused_password_is_never_echoed)
{
	refused("bgp neighbor 203.0.113.0 remote-as 14340 password se\"cret", "password:");
	cr_assert_null(strstr(err, "se\"cret"));
}

Test(config, nat_timeouts_respect_the_rfc_minimums)
{
	accepted("nat timeout udp 120");
	accepted("nat timeout tcp-established 7440");
	cr_assert_eq(cfg.timeout[NAT_TIMEOUT_UDP], 120);
	refused("nat timeout udp 119", "udp timeout '119'");
	refused("nat timeout tcp-established 7439", "tcp-established timeout");
	refused("nat timeout tcp-transitory 100", "tcp-transitory timeout");
	refused("nat timeout icmp 59", "icmp timeout");
	refused("nat timeout sctp 300", "usage: nat timeout");
}

Test(config, nat_mapping_and_limits)
{
	cr_assert_eq(cfg.mapping, NAT_MAPPING_ENDPOINT_DEPENDENT);
	accepted("nat mapping endpoint-independent");
	cr_assert_eq(cfg.mapping, NAT_MAPPING_ENDPOINT_INDEPENDENT);
	accepted("nat limit per-host 1000");
	cr_assert_eq(cfg.per_host_limit, 1000);
	refused("nat limit per-host -1", "per-host sessions");
	accepted("nat limit embryonic-per-host 50");
	cr_assert_eq(cfg.embryonic_per_host_limit, 50);
	cr_assert_eq(cfg.per_host_limit, 1000, "the other limit stays as it was");
	refused("nat limit embryonic-per-host x", "half-open TCP sessions per host");
	refused("nat pool nope 192.0.2.0/28", "no vxc nope");
}

Test(config, vxc_del_removes_an_unused_vxc)
{
	accepted("vxc add sec2 port 1 vlan 200 local 198.51.100.1/31 peer 198.51.100.0 rate 1G");
	accepted("route add 192.0.2.0/24 via 198.51.100.0");
	refused("vxc del sec2", "route 192.0.2.0/24 via 198.51.100.0 uses vxc sec2");
	accepted("route del 192.0.2.0/24");
	accepted("vxc del sec2");
	cr_assert_null(config_vxc_by_name(&cfg, "sec2"));
	refused("vxc del sec2", "no vxc sec2");
}

static char *write_file(const char *text)
{
	static char path[] = "/tmp/secnat-config-XXXXXX";
	int fd;

	strcpy(path, "/tmp/secnat-config-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(config, a_file_is_applied_in_full_or_not_at_all_and_names_the_bad_line)
{
	static struct secnat_config before;
	char *path = write_file("# startup\n\nnat limit per-host 50\nport 3 role lan\nport 3 address 10.0.0.1/33\n");
	char expect[256];

	before = cfg;
	cr_assert_neq(cli_load_file(&cfg, path, err, sizeof(err)), 0);
	snprintf(expect, sizeof(expect), "%s:5: address '10.0.0.1/33'", path);
	cr_assert(strncmp(err, expect, strlen(expect)) == 0, "got '%s'", err);
	cr_assert_eq(memcmp(&before, &cfg, sizeof(cfg)), 0, "earlier lines of a refused file were applied");
	unlink(path);
	path = write_file("nat limit per-host 50\r\nport 3 role lan\n");
	cr_assert_eq(cli_load_file(&cfg, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.per_host_limit, 50);
	unlink(path);
}
