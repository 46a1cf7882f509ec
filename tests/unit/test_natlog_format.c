/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT events on the wire: IPFIX messages (RFC 7011, RFC 8158) and RFC 5424 syslog lines. */
#include <string.h>

#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "ipfix.h"
#include "syslog5424.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static struct nat_event session_event(enum nat_event_type type)
{
	struct nat_event ev = {
		.time_ms = 1796380920123ull,
		.inside_addr = htonl(0x0a0b0005),
		.outside_addr = htonl(0xcb007101),
		.remote_addr = htonl(0xc6336400 | 10),
		.inside_port = htons(40000),
		.outside_port = htons(1234),
		.remote_port = htons(443),
		.type = (uint8_t)type,
		.proto = 6,
		.detail = NAT_END_TCP_CLOSE,
	};

	return ev;
}

/* Walks the message's sets; returns how many there are and checks that their lengths add up. */
static unsigned sets(const uint8_t *msg, size_t len, uint16_t *ids)
{
	size_t off = IPFIX_HEADER_LEN;
	unsigned n = 0;

	while (off < len) {
		uint16_t set_len = get16(msg + off + 2);

		cr_assert_geq(set_len, 4);
		ids[n++] = get16(msg + off);
		off += set_len;
	}
	cr_assert_eq(off, len, "sets fill the message exactly");
	return n;
}

Test(ipfix, header_and_templates)
{
	uint8_t buf[1472];
	struct ipfix_msg m;
	uint16_t ids[8];
	size_t len;

	ipfix_msg_begin(&m, buf, sizeof(buf));
	cr_assert(ipfix_add_templates(&m));
	len = ipfix_msg_end(&m, 1796380920, 77, 1);
	cr_assert_eq(get16(buf), 10, "version");
	cr_assert_eq(get16(buf + 2), len);
	cr_assert_eq(get32(buf + 4), 1796380920u, "export time");
	cr_assert_eq(get32(buf + 8), 77, "sequence");
	cr_assert_eq(get32(buf + 12), 1, "observation domain");
	cr_assert_eq(sets(buf, len, ids), 1);
	cr_assert_eq(ids[0], IPFIX_TEMPLATE_SET_ID);
	/* The first template: session create, 11 elements, observationTimeMilliseconds first. */
	cr_assert_eq(get16(buf + 20), 256);
	cr_assert_eq(get16(buf + 22), 11);
	cr_assert_eq(get16(buf + 24), 323);
	cr_assert_eq(get16(buf + 26), 8);
}

Test(ipfix, a_session_record_in_template_order)
{
	uint8_t buf[1472];
	struct ipfix_msg m;
	struct nat_event ev = session_event(NAT_EV_SESSION_DELETE);
	const uint8_t *r = buf + IPFIX_HEADER_LEN + IPFIX_SET_HEADER_LEN;
	uint16_t ids[8];
	size_t len;

	ipfix_msg_begin(&m, buf, sizeof(buf));
	cr_assert(ipfix_add_event(&m, &ev));
	cr_assert(ipfix_add_event(&m, &ev));
	len = ipfix_msg_end(&m, 0, 0, 1);
	cr_assert_eq(sets(buf, len, ids), 1, "records of one template share a set");
	cr_assert_eq(ids[0], 257);
	cr_assert_eq(m.records, 2);
	cr_assert_eq(len, IPFIX_HEADER_LEN + IPFIX_SET_HEADER_LEN + 2 * 35);
	cr_assert_eq(get32(r) * 4294967296ull + get32(r + 4), ev.time_ms);
	cr_assert_eq(r[8], 2, "natEvent: NAT44 session delete");
	cr_assert_eq(r[9], 6, "protocol");
	cr_assert_eq(get32(r + 10), 0x0a0b0005u, "sourceIPv4Address");
	cr_assert_eq(get16(r + 14), 40000);
	cr_assert_eq(get32(r + 16), 0xcb007101u, "postNATSourceIPv4Address");
	cr_assert_eq(get16(r + 20), 1234);
	cr_assert_eq(get32(r + 22), 0xc633640au, "destinationIPv4Address");
	cr_assert_eq(get16(r + 26), 443);
	cr_assert_eq(get32(r + 28), 0xc633640au, "postNATDestinationIPv4Address");
	cr_assert_eq(get16(r + 32), 443);
	cr_assert_eq(r[34], 3, "flowEndReason: end of flow detected");
}

Test(ipfix, records_stop_at_the_path_mtu)
{
	uint8_t buf[200];
	struct ipfix_msg m;
	struct nat_event ev = session_event(NAT_EV_SESSION_CREATE), block = session_event(NAT_EV_BLOCK_ALLOC);
	uint16_t ids[8];
	unsigned n = 0;
	size_t len;

	ipfix_msg_begin(&m, buf, sizeof(buf));
	while (ipfix_add_event(&m, &ev))
		n++;
	cr_assert_eq(n, (200 - 16 - 4) / 34);
	len = ipfix_msg_end(&m, 0, 0, 1);
	cr_assert_leq(len, sizeof(buf));
	/* Two kinds in one message: two sets. */
	ipfix_msg_begin(&m, buf, sizeof(buf));
	block.block_last = htons(1234 + 63);
	cr_assert(ipfix_add_event(&m, &ev));
	cr_assert(ipfix_add_event(&m, &block));
	len = ipfix_msg_end(&m, 0, 0, 1);
	cr_assert_eq(sets(buf, len, ids), 2);
	cr_assert_eq(ids[1], 263);
	cr_assert_eq(buf[len - 17], 14, "natEvent: port block allocation");
	cr_assert_eq(get16(buf + len - 2), 64, "portRangeNumPorts");
}

Test(syslog, session_delete_as_rfc5424)
{
	struct nat_event ev = session_event(NAT_EV_SESSION_DELETE);
	char buf[SYSLOG_MSG_MAX];
	size_t len = syslog5424_format(buf, sizeof(buf), &ev, "fw1", 4242);

	cr_assert_eq(len, strlen(buf));
	cr_assert_str_eq(buf,
			 "<134>1 2026-12-04T10:42:00.123Z fw1 secnat 4242 SESSION_DELETE [nat@32473 event=\"delete\" "
			 "proto=\"tcp\" inside-addr=\"10.11.0.5\" inside-port=\"40000\" outside-addr=\"203.0.113.1\" "
			 "outside-port=\"1234\" remote-addr=\"198.51.100.10\" remote-port=\"443\" reason=\"tcp-close\" "
			 "time-ms=\"1796380920123\"] tcp 10.11.0.5:40000 as 203.0.113.1:1234 to 198.51.100.10:443 "
			 "ended (tcp-close)");
}

Test(syslog, refusals_are_warnings)
{
	struct nat_event ev = session_event(NAT_EV_QUOTA_EXCEEDED);
	char buf[SYSLOG_MSG_MAX];

	ev.detail = NAT_QUOTA_PER_HOST;
	ev.limit = 20;
	cr_assert_gt(syslog5424_format(buf, sizeof(buf), &ev, "-", 1), 0);
	cr_assert(strncmp(buf, "<132>1 ", 7) == 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "quota=\"per-host\" limit=\"20\" inside-addr=\"10.11.0.5\""), "%s", buf);
}

Test(syslog, a_short_buffer_truncates_never_overruns)
{
	struct nat_event ev = session_event(NAT_EV_SESSION_CREATE);
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	cr_assert_leq(syslog5424_format(buf, 40, &ev, "fw1", 1), 40);
	cr_assert_eq(buf[40], 'x');
}

/* The TCP transport: octet-counted frames, a server that goes away and comes back. */

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporters.h"

static int listen_on(uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(*port);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Polls the exporter (its clock at `*now`, 100 ms a turn) until the listener has a connection. */
static int accept_polling(int lfd, struct syslog_exporter *x, uint64_t *now, struct natlog_counters *n)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	int i;

	for (i = 0; i < 200; i++) {
		syslog_exporter_poll(x, *now, n);
		if (poll(&p, 1, 10) == 1)
			return accept(lfd, NULL, NULL);
		*now += 100;
	}
	return -1;
}

/* Reads what the connection brings within a second (until `want` bytes). */
static size_t read_all(int fd, char *buf, size_t want)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t got = 0;

	while (got < want && poll(&p, 1, 1000) == 1) {
		ssize_t r = read(fd, buf + got, want - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

Test(syslog_tcp, frames_and_reconnection)
{
	struct cfg_collector c = {.addr = INADDR_LOOPBACK, .tcp = true};
	struct natlog_counters n = {0};
	struct syslog_exporter x;
	uint64_t now = 1000;
	uint16_t port = 0;
	char buf[256];
	int lfd = listen_on(&port), fd;

	c.port = port;
	cr_assert_eq(syslog_exporter_open(&x, &c, now), 0);
	fd = accept_polling(lfd, &x, &now, &n);
	cr_assert_geq(fd, 0);
	syslog_exporter_poll(&x, now, &n); /* the connection completes */
	cr_assert_eq(n.syslog_connects, 1);
	syslog_exporter_send(&x, "hello", 5, &n);
	syslog_exporter_send(&x, "world!", 6, &n);
	cr_assert_eq(read_all(fd, buf, 15), 15);
	cr_assert_str_eq(buf, "5 hello6 world!", "octet counting (RFC 6587): %s", buf);

	/* The server goes away: messages wait, the exporter notices and connects again after 1 s. */
	close(fd);
	close(lfd);
	now += 10;
	syslog_exporter_poll(&x, now, &n);
	syslog_exporter_send(&x, "while away", 10, &n);
	lfd = listen_on(&port);
	fd = accept_polling(lfd, &x, &now, &n);
	cr_assert_geq(fd, 0, "reconnected");
	syslog_exporter_poll(&x, now, &n);
	cr_assert_eq(n.syslog_connects, 2);
	cr_assert_eq(read_all(fd, buf, 13), 13);
	cr_assert_str_eq(buf, "10 while away", "the queued message, whole: %s", buf);
	cr_assert_eq(n.syslog_dropped, 0);
	close(fd);
	close(lfd);
	syslog_exporter_close(&x);
}
