/* SPDX-License-Identifier: BSD-3-Clause */
/* The operations helpers: rate-limited log lines, the recent-message ring, atomic file replacement and
 * the runtime directory secnat makes and removes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "atomic_file.h"
#include "log.h"
#include "run_dir.h"

static struct log_entry entries[LOG_KEEP];

static const struct log_entry *last_message(void)
{
	unsigned n = log_recent(entries, LOG_KEEP);

	cr_assert_gt(n, 0);
	return &entries[n - 1];
}

Test(log, keeps_the_most_recent_oldest_first_with_priority)
{
	unsigned n, i;

	for (i = 0; i < LOG_KEEP + 10; i++)
		log_msg(i % 2 ? LOG_WARNING : LOG_INFO, "message %u", i);
	n = log_recent(entries, LOG_KEEP);
	cr_assert_eq(n, LOG_KEEP);
	cr_assert_str_eq(entries[0].text, "message 10");
	cr_assert_str_eq(entries[LOG_KEEP - 1].text, "message 521");
	cr_assert_eq(entries[LOG_KEEP - 1].priority, LOG_WARNING);
	n = log_recent(entries, 3);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(entries[0].text, "message 519");
	cr_assert_str_eq(entries[2].text, "message 521");
}

Test(log, repeated_warnings_are_held_back_and_counted)
{
	struct log_limit limit = {.interval_ms = 200};
	unsigned i, shown = 0;

	for (i = 0; i < 50; i++)
		shown += log_limited(&limit, LOG_WARNING, "ports exhausted");
	cr_assert_eq(shown, 1, "one message in the interval, not %u", shown);
	cr_assert_eq(limit.suppressed, 49);
	usleep(250 * 1000);
	cr_assert(log_limited(&limit, LOG_WARNING, "ports exhausted"));
	cr_assert_str_eq(last_message()->text, "ports exhausted (49 similar messages suppressed)");
	cr_assert_eq(limit.suppressed, 0);
}

Test(log, priority_names_follow_syslog)
{
	cr_assert_str_eq(log_priority_name(LOG_ERR), "err");
	cr_assert_str_eq(log_priority_name(LOG_WARNING), "warning");
	cr_assert_str_eq(log_priority_name(LOG_INFO), "info");
}

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/secnat-ops-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static int fill_text(FILE *f, void *text)
{
	fputs(text, f);
	return 0;
}

static int fill_fails(FILE *f, void *text)
{
	fputs(text, f);
	return -EIO;
}

static void expect_content(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	cr_assert_not_null(f, "%s missing", path);
	cr_assert_geq(fread(buf, 1, sizeof(buf) - 1, f), 0);
	fclose(f);
	cr_assert_str_eq(buf, want, "%s", path);
}

TestSuite(atomic_file, .init = make_dir, .fini = remove_dir);

Test(atomic_file, writes_0600_and_keeps_the_previous_as_bak)
{
	char path[96], bak[100], err[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/secnat.conf", dir);
	snprintf(bak, sizeof(bak), "%s.bak", path);
	cr_assert_eq(atomic_file_replace(path, 0600, fill_text, "first\n", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(access(bak, F_OK), -1, "no backup of a file that did not exist");
	cr_assert_eq(atomic_file_replace(path, 0600, fill_text, "second\n", err, sizeof(err)), 0, "%s", err);
	expect_content(path, "second\n");
	expect_content(bak, "first\n");
	cr_assert_eq(atomic_file_replace(path, 0600, fill_text, "third\n", err, sizeof(err)), 0, "%s", err);
	expect_content(bak, "second\n");
}

Test(atomic_file, a_failed_write_leaves_the_file_and_no_litter)
{
	char path[96], err[256], cmd[160];

	snprintf(path, sizeof(path), "%s/secnat.conf", dir);
	cr_assert_eq(atomic_file_replace(path, 0600, fill_text, "good\n", err, sizeof(err)), 0);
	cr_assert_lt(atomic_file_replace(path, 0600, fill_fails, "half", err, sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "cannot write"), "%s", err);
	expect_content(path, "good\n");
	snprintf(cmd, sizeof(cmd), "test $(ls %s | wc -l) -eq 1", dir);
	cr_assert_eq(system(cmd), 0, "a temporary file was left behind");
}

Test(atomic_file, an_unwritable_place_is_an_error_naming_it)
{
	char err[256];

	cr_assert_lt(atomic_file_replace("/nonexistent-dir/secnat.conf", 0600, fill_text, "x", err,
					 sizeof(err)), 0);
	cr_assert_not_null(strstr(err, "/nonexistent-dir/secnat.conf"), "%s", err);
}

TestSuite(run_dir, .init = make_dir, .fini = remove_dir);

Test(run_dir, makes_missing_folders_0755_and_removes_only_those)
{
	char sock[256], inner[128], outer[128];
	struct run_dir d;
	struct stat st;

	umask(077); /* the caller's umask must not narrow the mode */
	snprintf(outer, sizeof(outer), "%s/run", dir);
	snprintf(inner, sizeof(inner), "%s/run/secnat", dir);
	snprintf(sock, sizeof(sock), "%s/secnat.sock", inner);
	cr_assert_eq(run_dir_claim(&d, sock), 0);
	cr_assert_eq(stat(inner, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0755);
	cr_assert_eq(stat(outer, &st), 0);
	cr_assert_eq(d.n_made, 2);
	run_dir_release(&d);
	cr_assert_eq(access(outer, F_OK), -1, "made folders removed");
	cr_assert_eq(access(dir, F_OK), 0, "the folder that existed stays");
}

Test(run_dir, an_existing_folder_is_used_and_kept)
{
	char sock[128];
	struct run_dir d;

	snprintf(sock, sizeof(sock), "%s/secnat.sock", dir);
	cr_assert_eq(run_dir_claim(&d, sock), 0);
	cr_assert_eq(d.n_made, 0);
	run_dir_release(&d);
	cr_assert_eq(access(dir, F_OK), 0);
}

Test(run_dir, a_file_in_the_way_is_an_error)
{
	char file[128], sock[192];
	FILE *f;

	snprintf(file, sizeof(file), "%s/run", dir);
	f = fopen(file, "w");
	cr_assert_not_null(f);
	fclose(f);
	snprintf(sock, sizeof(sock), "%s/secnat.sock", file);
	{
		struct run_dir d;

		cr_assert_eq(run_dir_claim(&d, sock), -ENOTDIR);
	}
}
