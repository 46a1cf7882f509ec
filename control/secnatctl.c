/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnatctl [-s SOCKET] [COMMAND ...]: sends one command to the running secnat and prints the answer.
 * Exit 0 on success, 1 when the command was refused (reason on stderr), 2 when secnat cannot be
 * reached. Without a command, reads commands from standard input ("quit" or end of file ends).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/secnat/secnat.sock"

static int run(const char *path, const char *line)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[65536];
	size_t used = 0;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "secnatctl: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "secnatctl: cannot reach secnat at %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	dprintf(fd, "%s\n", line);
	/* The answer ends when secnat closes the connection. */
	while ((n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0) {
		used += (size_t)n;
		if (used == sizeof(buf) - 1)
			break;
	}
	buf[used] = '\0';
	if (strncmp(buf, "OK\n", 3) == 0) {
		fputs(buf + 3, stdout);
		/* Answers longer than the buffer (large session lists) continue here. */
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		close(fd);
		return 0;
	}
	close(fd);
	if (strncmp(buf, "ERR\n", 4) == 0) {
		fprintf(stderr, "%s", buf + 4);
		return 1;
	}
	fprintf(stderr, "secnatctl: no answer from secnat\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	char line[1024];
	size_t used = 0;
	int i = 1, status = 0;

	if (argc > 2 && (strcmp(argv[1], "-s") == 0 || strcmp(argv[1], "--socket") == 0)) {
		path = argv[2];
		i = 3;
	}
	if (i < argc) {
		line[0] = '\0';
		for (; i < argc; i++) {
			int n = snprintf(line + used, sizeof(line) - used, "%s%s", used ? " " : "", argv[i]);

			if (n < 0 || (size_t)n >= sizeof(line) - used) {
				fprintf(stderr, "secnatctl: command too long\n");
				return 1;
			}
			used += (size_t)n;
		}
		return run(path, line);
	}
	for (;;) {
		if (isatty(STDIN_FILENO))
			fputs("secnat> ", stdout), fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, "quit") == 0)
			break;
		if (line[0] != '\0')
			status = run(path, line);
		if (status == 2)
			return 2;
	}
	return status;
}
