/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BIRD configuration secnat generates: BIRD itself accepts it (bird -p), and it carries the
 * peering policy, the sessions and the announcements the bgp commands asked for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "bird_conf.h"
#include "bird_daemon.h"
#include "cli.h"

static struct secnat_config cfg;
static char err[512], *text;
static size_t text_len;

static void run(const char *line)
{
	cr_assert_eq(cli_execute(&cfg, line, NULL, err, sizeof(err)), 0, "'%s': %s", line, err);
}

static void setup(void)
{
	config_init(&cfg);
	run("port 0 role lan");
	run("port 0 address 10.11.0.1/24");
	run("port 1 role aend");
	run("vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M");
	run("vxc add sec2 port 1 vlan 101 local 203.0.113.3/31 peer 203.0.113.2 rate 500M");
	run("bgp as 4200000001 router-id 203.0.113.1");
	run("bgp neighbor 203.0.113.0 remote-as 14340 password s3cret hold-time 30 max-prefix 1000");
	run("bgp neighbor 203.0.113.2 remote-as 14340 ttl-security");
	run("nat pool sec1 192.0.2.0/28");
	run("bgp announce 192.0.2.0/28");
}

TestSuite(bird_conf, .init = setup);

static void generate(void)
{
	FILE *out = open_memstream(&text, &text_len);

	cr_assert_not_null(out);
	cr_assert_eq(bird_conf_write(out, &cfg, "/tmp/secnat-test-bird.log"), 0);
	fclose(out);
}

static bool has(const char *needle)
{
	return strstr(text, needle) != NULL;
}

/* BIRD's own parser is the judge of the syntax. */
static int bird_parses(void)
{
	char path[] = "/tmp/secnat-bird-XXXXXX", cmd[256];
	int fd = mkstemp(path), status;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, text_len), (ssize_t)text_len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "bird -p -c %s >/dev/null 2>&1", path);
	status = system(cmd);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		snprintf(cmd, sizeof(cmd), "bird -p -c %s", path);
		status = system(cmd); /* once more, to show BIRD's complaint in the log */
	}
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(bird_conf, bird_accepts_the_generated_configuration)
{
	generate();
	cr_assert_eq(bird_parses(), 0, "bird -p refused:\n%s", text);
}

Test(bird_conf, bird_accepts_a_configuration_without_neighbors_or_announcements)
{
	config_init(&cfg);
	run("port 1 role aend");
	run("vxc add sec1 port 1 vlan 100 local 203.0.113.1/31 peer 203.0.113.0 rate 500M");
	run("bgp as 64512 router-id 203.0.113.1");
	generate();
	cr_assert_eq(bird_parses(), 0, "bird -p refused:\n%s", text);
}

Test(bird_conf, one_session_per_neighbor_from_the_vxc_local_address)
{
	generate();
	cr_assert(has("protocol bgp sf_203_0_113_0 {"));
	cr_assert(has("\tlocal 203.0.113.1 as 4200000001;\n\tneighbor 203.0.113.0 as 14340;"));
	cr_assert(has("protocol bgp sf_203_0_113_2 {"));
	cr_assert(has("\tlocal 203.0.113.3 as 4200000001;\n\tneighbor 203.0.113.2 as 14340;"));
}

Test(bird_conf, password_is_quoted_and_only_where_configured)
{
	const char *first;

	generate();
	first = strstr(text, "password \"s3cret\";");
	cr_assert_not_null(first);
	cr_assert_null(strstr(first + 1, "password"), "one password, for the one neighbor that has it");
}

Test(bird_conf, ttl_security_only_where_configured)
{
	const char *second;

	generate();
	second = strstr(text, "protocol bgp sf_203_0_113_2 {");
	cr_assert_not_null(second);
	cr_assert_null(strstr(text, "ttl security") < second ? strstr(text, "ttl security") : NULL,
		       "GTSM for the neighbor without ttl-security");
	cr_assert_not_null(strstr(second, "\tttl security on;"));
}

Test(bird_conf, hold_time_and_max_prefix_with_restart)
{
	generate();
	cr_assert(has("hold time 30;"));
	cr_assert(has("import limit 1000 action restart;"));
}

Test(bird_conf, import_policy_rejects_private_default_long_and_foreign_origin)
{
	generate();
	cr_assert(has("if net.len > 24 then return false;"));
	cr_assert(has("if net ~ SECNAT_NOT_PUBLIC then return false;"));
	cr_assert(has("if bgp_path.first != peer_as then return false;"));
	cr_assert(has("import where secnat_importable(14340);"));
	/* The not-public set holds the ranges, everything inside them, and what covers them. */
	cr_assert(has("10.0.0.0/8+"));
	cr_assert(has("192.168.0.0/16+"));
	cr_assert(has("100.64.0.0/10+"));
	cr_assert(has(", 0.0.0.0/0"), "the default route is in the refused set");
	cr_assert(has(", 172.0.0.0/8"), "a prefix covering 172.16/12 is refused too");
	cr_assert_null(strstr(text, "192.0.2.0/24+"), "documentation space stays usable");
}

Test(bird_conf, exports_only_the_announced_prefixes)
{
	generate();
	cr_assert(has("export where proto = \"secnat_announce\";"));
	cr_assert(has("protocol static secnat_announce {\n\tipv4;\n\troute 192.0.2.0/28 blackhole;\n}"));
}

Test(bird_conf, best_bgp_routes_go_to_the_followed_kernel_table_with_equal_paths_merged)
{
	generate();
	cr_assert(has("kernel table 100;"));
	cr_assert(has("merge paths on;"));
	cr_assert(has("export where source = RTS_BGP;"));
}

/* The daemon's files: the password sits in a 0600 file inside a 0700 directory, and nowhere else. */
Test(bird_conf, the_password_is_in_one_private_file_and_never_printed)
{
	char dir[] = "/tmp/secnat-bird-dir-XXXXXX", why[256] = "", cmd[512];
	struct bird_daemon d;
	struct stat st;
	FILE *errors;
	int status;

	cr_redirect_stderr();
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(bird_daemon_init(&d, dir, "/bin/true", -1), 0);
	cr_assert_eq(bird_daemon_apply(&d, &cfg, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	cr_assert_eq(stat(d.conf, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	/* Exactly one file under the directory holds the secret: the configuration. */
	snprintf(cmd, sizeof(cmd), "test \"$(grep -rl s3cret %s)\" = %s", dir, d.conf);
	status = system(cmd);
	cr_assert_eq(WEXITSTATUS(status), 0, "the password is in another file too");
	bird_daemon_stop(&d);
	fflush(stderr);
	errors = cr_get_redirected_stderr();
	while (fgets(cmd, sizeof(cmd), errors) != NULL)
		cr_assert_null(strstr(cmd, "s3cret"), "printed: %s", cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
