/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket secnatctl talks to: a Unix stream socket (mode 0600). One command per
 * connection: the client sends a line, the daemon answers "OK\n" and the output, or "ERR\n" and the
 * reason, and closes. Polled by the control loop, never by a worker.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "runtime.h"

#define LINE_MAX_LEN 1024

bool rt_socket_answers(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool answers;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	strcpy(sa.sun_path, path);
	answers = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return answers;
}

int rt_socket_open(struct runtime *rt)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = rt->opt.socket_path;
	mode_t old_umask;
	int fd, ret;

	rt->listen_fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_msg(LOG_ERR, "socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file that nobody answers on is left over from a crash: take its place. */
	if (rt_socket_answers(path)) {
		log_msg(LOG_ERR, "another secnat answers on %s", path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	old_umask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (ret != 0 || listen(fd, 16) != 0) {
		ret = -errno;
		log_msg(LOG_ERR, "control socket %s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	rt->listen_fd = fd;
	return 0;
}

static void serve(struct runtime *rt, int fd)
{
	struct timeval timeout = {.tv_sec = 1};
	char line[LINE_MAX_LEN], err[512];
	size_t used = 0, out_len = 0;
	char *out_buf = NULL;
	FILE *out;
	ssize_t n;
	int ret;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	while (used < sizeof(line) - 1 && (n = read(fd, line + used, sizeof(line) - 1 - used)) > 0) {
		used += (size_t)n;
		if (memchr(line, '\n', used) != NULL)
			break;
	}
	line[used] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	out = open_memstream(&out_buf, &out_len);
	if (out == NULL)
		return;
	ret = runtime_execute(rt, line, out, err, sizeof(err));
	fclose(out);
	if (ret == 0)
		dprintf(fd, "OK\n%s", out_buf);
	else
		dprintf(fd, "ERR\n%s\n", err);
	free(out_buf);
}

void rt_socket_poll(struct runtime *rt)
{
	int fd;

	if (rt->listen_fd < 0)
		return;
	while ((fd = accept4(rt->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		serve(rt, fd);
		close(fd);
	}
}

void rt_socket_close(struct runtime *rt)
{
	if (rt->listen_fd < 0)
		return;
	close(rt->listen_fd);
	unlink(rt->opt.socket_path);
	rt->listen_fd = -1;
}
