/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket secnatctl talks to: a Unix stream socket (mode 0600). One command per
 * connection: the client sends a line, the daemon answers "OK\n" and the output, or "ERR\n" and the
 * reason, and closes. Polled by the control loop, never by a worker, and never waited on: up to
 * CLIENTS_MAX clients at once, each read and written only as far as its socket allows without
 * blocking, so an idle, trickling or non-reading client costs the others nothing. A client has
 * CLIENT_TIMEOUT_MS to send its line, and may pause that long while reading its reply; then it is
 * dropped. (The reply is produced whole, then sent as the client reads it.)
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

#include "clock.h"
#include "log.h"
#include "runtime.h"

#define LINE_MAX_LEN 1024
#define CLIENTS_MAX 16
#define CLIENT_TIMEOUT_MS 5000

/* A connected secnatctl: its line being read, then its reply being written, never waited for. */
struct rt_client {
	int fd; /* -1: slot free */
	size_t used;
	char line[LINE_MAX_LEN];
	char *reply; /* NULL while the line is read */
	size_t reply_len, sent;
	uint64_t deadline_ms; /* to send its line (from connecting), or to read more of its reply */
};

static struct rt_client clients[CLIENTS_MAX]; /* one control socket per process */
static struct log_limit dropped_log = {.interval_ms = 60000};

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
	unsigned i;
	int fd, ret;

	rt->listen_fd = -1;
	for (i = 0; i < CLIENTS_MAX; i++)
		clients[i] = (struct rt_client){.fd = -1};
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

static void client_close(struct rt_client *c)
{
	close(c->fd);
	free(c->reply);
	*c = (struct rt_client){.fd = -1};
}

/* Runs the client's line; its reply ("OK\n" and the output, or "ERR\n" and the reason) goes out as
 * the client reads it. */
static void client_execute(struct runtime *rt, struct rt_client *c, const char *refusal)
{
	char err[512], *out_buf = NULL;
	size_t out_len = 0;
	FILE *out;
	int ret, len;

	c->line[c->used] = '\0';
	c->line[strcspn(c->line, "\r\n")] = '\0';
	out = open_memstream(&out_buf, &out_len);
	if (out == NULL) {
		client_close(c);
		return;
	}
	if (refusal != NULL) {
		snprintf(err, sizeof(err), "%s", refusal);
		ret = -EINVAL;
	} else {
		ret = runtime_execute(rt, c->line, out, err, sizeof(err));
	}
	fclose(out);
	if (ret == 0)
		len = asprintf(&c->reply, "OK\n%.*s", (int)out_len, out_buf);
	else
		len = asprintf(&c->reply, "ERR\n%s\n", err);
	free(out_buf);
	if (len < 0) {
		c->reply = NULL;
		client_close(c);
		return;
	}
	c->reply_len = (size_t)len;
	c->sent = 0;
	c->deadline_ms = monotonic_ms() + CLIENT_TIMEOUT_MS;
}

static void client_read(struct runtime *rt, struct rt_client *c)
{
	ssize_t n = read(c->fd, c->line + c->used, sizeof(c->line) - 1 - c->used);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c);
		return;
	}
	if (n == 0) { /* the client is done sending: a last line without its newline still counts */
		if (c->used == 0)
			client_close(c);
		else
			client_execute(rt, c, NULL);
		return;
	}
	c->used += (size_t)n;
	if (memchr(c->line, '\n', c->used) != NULL)
		client_execute(rt, c, NULL);
	else if (c->used == sizeof(c->line) - 1)
		client_execute(rt, c, "line longer than 1023 characters");
}

static void client_write(struct rt_client *c)
{
	ssize_t n = send(c->fd, c->reply + c->sent, c->reply_len - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c);
		return;
	}
	c->sent += (size_t)n;
	c->deadline_ms = monotonic_ms() + CLIENT_TIMEOUT_MS; /* it reads: it may take its time */
	if (c->sent == c->reply_len)
		client_close(c); /* the end of the reply is the end of the connection */
}

static void accept_clients(uint64_t now, int listen_fd)
{
	int fd;
	unsigned i;

	while ((fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (i = 0; i < CLIENTS_MAX && clients[i].fd >= 0; i++)
			;
		if (i == CLIENTS_MAX) {
			static const char busy[] = "ERR\ntoo many clients connected; try again\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
				/* nothing more to tell it */
			}
			close(fd);
			continue;
		}
		clients[i] = (struct rt_client){.fd = fd, .deadline_ms = now + CLIENT_TIMEOUT_MS};
	}
}

void rt_socket_poll(struct runtime *rt)
{
	uint64_t now;
	unsigned i;

	if (rt->listen_fd < 0)
		return;
	now = monotonic_ms();
	accept_clients(now, rt->listen_fd);
	for (i = 0; i < CLIENTS_MAX; i++) {
		struct rt_client *c = &clients[i];

		if (c->fd < 0)
			continue;
		if (c->reply == NULL)
			client_read(rt, c);
		if (c->fd >= 0 && c->reply != NULL)
			client_write(c);
		if (c->fd >= 0 && monotonic_ms() > c->deadline_ms) {
			log_limited(&dropped_log, LOG_WARNING, "control socket: a client that %s was dropped after %d s",
				    c->reply == NULL ? "sent no complete line" : "stopped reading its reply",
				    CLIENT_TIMEOUT_MS / 1000);
			client_close(c);
		}
	}
}

void rt_socket_close(struct runtime *rt)
{
	unsigned i;

	if (rt->listen_fd < 0)
		return;
	for (i = 0; i < CLIENTS_MAX; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	close(rt->listen_fd);
	unlink(rt->opt.socket_path);
	rt->listen_fd = -1;
}
