/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One syslog server: over UDP a datagram per message; over TCP (RFC 6587 octet counting: "LEN SP
 * MSG") a queue written as the socket takes it. A broken connection is made again after 1 s, then 2,
 * 4, ... up to a minute; the message it broke off in is sent again whole, as the server dropped the
 * partial frame with the connection. While the server is away messages wait in the queue; when the
 * queue is full they are dropped and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "exporters.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000

int natlog_udp_socket(uint32_t addr, uint16_t port, uint32_t source)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr)};
	struct sockaddr_in from = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(source)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	if ((source != 0 && bind(fd, (struct sockaddr *)&from, sizeof(from)) != 0) ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static void tcp_connect(struct syslog_exporter *x, uint64_t now_ms)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(x->cfg.port),
				 .sin_addr.s_addr = htonl(x->cfg.addr)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	x->retry_ms = now_ms + x->backoff_ms;
	x->backoff_ms = x->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : x->backoff_ms * 2;
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0 && errno != EINPROGRESS) {
		close(fd);
		return;
	}
	x->fd = fd;
	x->connecting = true;
}

static void tcp_broken(struct syslog_exporter *x)
{
	close(x->fd);
	x->fd = -1;
	x->connecting = false;
	/* The frame being written went with the connection: it is sent again whole. */
	x->head = x->frame_start;
}

/* The size of the frame at queue[at]: its length field, the space and the message. */
static size_t frame_size(const struct syslog_exporter *x, size_t at)
{
	size_t len = 0, i = at;

	while (x->queue[i] != ' ')
		len = len * 10 + (size_t)(x->queue[i++] - '0');
	return i + 1 - at + len;
}

/* Writes what the socket takes; a frame written whole moves frame_start past it. */
static void tcp_write(struct syslog_exporter *x)
{
	while (x->head < x->tail) {
		ssize_t n = send(x->fd, x->queue + x->head, x->tail - x->head, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				tcp_broken(x);
			return;
		}
		x->head += (size_t)n;
		while (x->frame_start < x->head && x->frame_start + frame_size(x, x->frame_start) <= x->head)
			x->frame_start += frame_size(x, x->frame_start);
	}
	x->head = x->tail = x->frame_start = 0;
}

int syslog_exporter_open(struct syslog_exporter *x, const struct cfg_collector *c, uint64_t now_ms)
{
	memset(x, 0, sizeof(*x));
	x->cfg = *c;
	x->fd = -1;
	if (!c->tcp) {
		x->fd = natlog_udp_socket(c->addr, c->port, 0);
		x->retry_ms = now_ms + NATLOG_RETRY_MS;
		return x->fd < 0 ? x->fd : 0;
	}
	x->queue = malloc(SYSLOG_QUEUE);
	if (x->queue == NULL)
		return -ENOMEM;
	x->backoff_ms = BACKOFF_FIRST_MS;
	tcp_connect(x, now_ms);
	return 0;
}

void syslog_exporter_close(struct syslog_exporter *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->queue);
	x->queue = NULL;
}

/* Room for `need` more bytes at the queue's tail, moving what waits to the front if that helps. */
static bool queue_room(struct syslog_exporter *x, size_t need)
{
	if (SYSLOG_QUEUE - x->tail >= need)
		return true;
	if (x->frame_start > 0) {
		memmove(x->queue, x->queue + x->frame_start, x->tail - x->frame_start);
		x->head -= x->frame_start;
		x->tail -= x->frame_start;
		x->frame_start = 0;
	}
	return SYSLOG_QUEUE - x->tail >= need;
}

void syslog_exporter_send(struct syslog_exporter *x, const char *msg, size_t len, struct natlog_counters *n)
{
	char prefix[16];
	int plen;

	if (!x->cfg.tcp) {
		if (x->fd >= 0 && send(x->fd, msg, len, MSG_DONTWAIT) == (ssize_t)len)
			n->syslog_messages++;
		else
			n->syslog_dropped++;
		return;
	}
	plen = snprintf(prefix, sizeof(prefix), "%zu ", len);
	if (!queue_room(x, (size_t)plen + len)) {
		n->syslog_dropped++;
		return;
	}
	memcpy(x->queue + x->tail, prefix, (size_t)plen);
	memcpy(x->queue + x->tail + plen, msg, len);
	x->tail += (size_t)plen + len;
	n->syslog_messages++;
	if (x->fd >= 0 && !x->connecting)
		tcp_write(x);
}

void syslog_exporter_poll(struct syslog_exporter *x, uint64_t now_ms, struct natlog_counters *n)
{
	if (!x->cfg.tcp) {
		if (x->fd < 0 && (int64_t)(now_ms - x->retry_ms) >= 0) {
			x->fd = natlog_udp_socket(x->cfg.addr, x->cfg.port, 0);
			x->retry_ms = now_ms + NATLOG_RETRY_MS;
		}
		return;
	}
	if (x->fd < 0) {
		if ((int64_t)(now_ms - x->retry_ms) >= 0)
			tcp_connect(x, now_ms);
		return;
	}
	if (x->connecting) {
		struct pollfd p = {.fd = x->fd, .events = POLLOUT};
		int err = 0;
		socklen_t len = sizeof(err);

		if (poll(&p, 1, 0) <= 0)
			return;
		if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			tcp_broken(x);
			return;
		}
		x->connecting = false;
		x->backoff_ms = BACKOFF_FIRST_MS;
		n->syslog_connects++;
	}
	if (x->head < x->tail) {
		tcp_write(x);
		return;
	}
	/* Nothing to write: a server that closed the connection is noticed by reading. */
	{
		char byte;
		ssize_t r = recv(x->fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			tcp_broken(x);
	}
}
