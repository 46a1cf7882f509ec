/* SPDX-License-Identifier: BSD-3-Clause */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_dir.h"

/* Makes `path` if missing, remembering it; the parents must exist. */
static int make_one(struct run_dir *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	if (d->n_made == RUN_DIR_DEPTH)
		return -ENAMETOOLONG;
	if (mkdir(path, 0755) != 0)
		return errno == EEXIST ? 0 : -errno;
	/* mkdir's mode passes through the umask: the directory is 0755 whatever the caller's is. */
	if (chmod(path, 0755) != 0)
		return -errno;
	memcpy(d->made[d->n_made++], path, strlen(path) + 1); /* path is d->path: no longer than it */
	return 0;
}

int run_dir_claim(struct run_dir *d, const char *socket_path)
{
	char *slash;
	int ret;

	memset(d, 0, sizeof(*d));
	if (snprintf(d->path, sizeof(d->path), "%s", socket_path) >= (int)sizeof(d->path))
		return -ENAMETOOLONG;
	slash = strrchr(d->path, '/');
	if (slash == NULL) {
		snprintf(d->path, sizeof(d->path), ".");
		return 0;
	}
	*slash = '\0';
	if (d->path[0] == '\0')
		return 0; /* "/secnat.sock": the root exists */
	/* Each missing component from the outermost in, as mkdir -p does. */
	for (slash = strchr(d->path + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash != NULL)
			*slash = '\0';
		ret = make_one(d, d->path);
		if (slash == NULL)
			break;
		*slash = '/';
		if (ret != 0)
			return ret;
	}
	return ret;
}

void run_dir_release(struct run_dir *d)
{
	while (d->n_made > 0)
		rmdir(d->made[--d->n_made]); /* fails, harmlessly, where someone else put files */
}

void run_dir_remove_eal(const char *path)
{
	struct dirent *e;
	DIR *dir;

	if (path == NULL || path[0] == '\0' || (dir = opendir(path)) == NULL)
		return;
	/* EAL puts only files there (no subfolders): remove each, then the folder. */
	while ((e = readdir(dir)) != NULL)
		if (e->d_type != DT_DIR)
			unlinkat(dirfd(dir), e->d_name, 0);
	closedir(dir);
	rmdir(path);
}
