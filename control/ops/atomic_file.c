/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

static int fail(char *err, size_t err_len, const char *what, const char *path, int error)
{
	snprintf(err, err_len, "%s %s: %s", what, path, strerror(error));
	return -error;
}

static int sync_directory_of(const char *path)
{
	char dir[PATH_MAX];
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		ret = -errno;
	close(fd);
	return ret;
}

int atomic_file_replace(const char *path, mode_t mode, atomic_fill_fn fill, void *arg, char *err,
			size_t err_len)
{
	char tmp[PATH_MAX], bak[PATH_MAX];
	FILE *f;
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(bak, sizeof(bak), "%s.bak", path) >= (int)sizeof(bak))
		return fail(err, err_len, "cannot write", path, ENAMETOOLONG);
	fd = mkstemp(tmp); /* beside the file: rename() cannot cross filesystems */
	if (fd < 0)
		return fail(err, err_len, "cannot create a temporary file for", path, errno);
	if (fchmod(fd, mode) != 0 || (f = fdopen(fd, "w")) == NULL) {
		ret = errno;
		close(fd);
		unlink(tmp);
		return fail(err, err_len, "cannot write", tmp, ret);
	}
	ret = fill(f, arg);
	if (ret == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		ret = -errno;
	if (fclose(f) != 0 && ret == 0)
		ret = -errno;
	if (ret != 0) {
		unlink(tmp);
		return fail(err, err_len, "cannot write", tmp, -ret);
	}
	/* The old file stays reachable under its name until the rename: the backup is a second link
	 * to it, not a move. */
	if (unlink(bak) != 0 && errno != ENOENT) {
		ret = errno;
		unlink(tmp);
		return fail(err, err_len, "cannot replace", bak, ret);
	}
	if (link(path, bak) != 0 && errno != ENOENT) {
		ret = errno;
		unlink(tmp);
		return fail(err, err_len, "cannot keep the previous file as", bak, ret);
	}
	if (rename(tmp, path) != 0) {
		ret = errno;
		unlink(tmp);
		return fail(err, err_len, "cannot rename over", path, ret);
	}
	ret = sync_directory_of(path);
	return ret == 0 ? 0 : fail(err, err_len, "cannot sync the directory of", path, -ret);
}
