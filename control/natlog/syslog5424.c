/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "syslog5424.h"

#define FACILITY_LOCAL0 16
#define SEVERITY_WARNING 4
#define SEVERITY_INFO 6

static const char *const msgids[NAT_EV_MAX] = {
	[NAT_EV_SESSION_CREATE] = "SESSION_CREATE",
	[NAT_EV_SESSION_DELETE] = "SESSION_DELETE",
	[NAT_EV_ADDRESSES_EXHAUSTED] = "ADDRESSES_EXHAUSTED",
	[NAT_EV_PORTS_EXHAUSTED] = "PORTS_EXHAUSTED",
	[NAT_EV_QUOTA_EXCEEDED] = "QUOTA_EXCEEDED",
	[NAT_EV_BLOCK_ALLOC] = "PORT_BLOCK_ALLOC",
	[NAT_EV_BLOCK_FREE] = "PORT_BLOCK_FREE",
};

static const char *const end_reasons[NAT_END_MAX] = {
	[NAT_END_TIMEOUT] = "timeout",
	[NAT_END_TCP_CLOSE] = "tcp-close",
	[NAT_END_RESET] = "reset",
	[NAT_END_RECLAIMED] = "reclaimed",
	[NAT_END_REROUTED] = "rerouted",
};

/* The word for a session's end ("timeout", "tcp-close", "reset", "reclaimed", "rerouted"). */
static const char *end_reason(uint8_t reason)
{
	return reason < NAT_END_MAX ? end_reasons[reason] : "unknown";
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	default:
		return "ip";
	}
}

static const char *quota_name(uint8_t quota)
{
	switch (quota) {
	case NAT_QUOTA_SESSIONS:
		return "sessions";
	case NAT_QUOTA_HOSTS:
		return "hosts";
	default:
		return "per-host";
	}
}

/* Appends to buf[*len..cap); the length stops growing at cap (the caller sees truncation). */
static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len;
}

static const char *addr(rte_be32_t a, char *text)
{
	struct in_addr in = {.s_addr = a};

	return inet_ntop(AF_INET, &in, text, INET_ADDRSTRLEN);
}

size_t syslog5424_format(char *buf, size_t cap, const struct nat_event *ev, const char *host, int pid)
{
	const char *msgid = ev->type < NAT_EV_MAX ? msgids[ev->type] : NULL;
	bool refused = ev->type == NAT_EV_ADDRESSES_EXHAUSTED || ev->type == NAT_EV_PORTS_EXHAUSTED ||
		       ev->type == NAT_EV_QUOTA_EXCEEDED;
	char in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN], rem[INET_ADDRSTRLEN], stamp[32];
	time_t secs = (time_t)(ev->time_ms / 1000);
	uint16_t in_port = ntohs(ev->inside_port), out_port = ntohs(ev->outside_port);
	uint16_t rem_port = ntohs(ev->remote_port);
	struct tm tm;
	size_t len = 0;

	if (msgid == NULL || cap == 0)
		return 0;
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	addr(ev->inside_addr, in);
	addr(ev->outside_addr, out);
	addr(ev->remote_addr, rem);
	add(buf, cap, &len, "<%d>1 %s.%03uZ %s secnat %d %s [nat@32473 ",
	    FACILITY_LOCAL0 * 8 + (refused ? SEVERITY_WARNING : SEVERITY_INFO), stamp,
	    (unsigned)(ev->time_ms % 1000), host, pid, msgid);
	switch (ev->type) {
	case NAT_EV_SESSION_CREATE:
	case NAT_EV_SESSION_DELETE: {
		bool created = ev->type == NAT_EV_SESSION_CREATE;

		add(buf, cap, &len,
		    "event=\"%s\" proto=\"%s\" inside-addr=\"%s\" inside-port=\"%u\" outside-addr=\"%s\" "
		    "outside-port=\"%u\" remote-addr=\"%s\" remote-port=\"%u\"",
		    created ? "create" : "delete", proto_name(ev->proto), in, in_port, out, out_port, rem, rem_port);
		if (!created)
			add(buf, cap, &len, " reason=\"%s\"", end_reason(ev->detail));
		add(buf, cap, &len, " time-ms=\"%" PRIu64 "\"] %s %s:%u as %s:%u to %s:%u %s", ev->time_ms,
		    proto_name(ev->proto), in, in_port, out, out_port, rem, rem_port, created ? "created" : "ended");
		if (!created)
			add(buf, cap, &len, " (%s)", end_reason(ev->detail));
		break;
	}
	case NAT_EV_BLOCK_ALLOC:
	case NAT_EV_BLOCK_FREE: {
		bool alloc = ev->type == NAT_EV_BLOCK_ALLOC;
		uint16_t last = ntohs(ev->block_last);

		add(buf, cap, &len,
		    "event=\"%s\" inside-addr=\"%s\" outside-addr=\"%s\" port-first=\"%u\" port-last=\"%u\" "
		    "time-ms=\"%" PRIu64 "\"] %s ports %u-%u of %s %s %s",
		    alloc ? "block-alloc" : "block-free", in, out, out_port, last, ev->time_ms, in, out_port, last, out,
		    alloc ? "given to" : "given back by", in);
		break;
	}
	case NAT_EV_QUOTA_EXCEEDED:
		add(buf, cap, &len,
		    "event=\"quota-exceeded\" quota=\"%s\" limit=\"%u\" inside-addr=\"%s\" time-ms=\"%" PRIu64
		    "\"] new flow from %s refused: %s limit %u reached",
		    quota_name(ev->detail), ev->limit, in, ev->time_ms, in, quota_name(ev->detail), ev->limit);
		break;
	case NAT_EV_PORTS_EXHAUSTED:
		add(buf, cap, &len,
		    "event=\"ports-exhausted\" proto=\"%s\" inside-addr=\"%s\" outside-addr=\"%s\" remote-addr=\"%s\" "
		    "remote-port=\"%u\" time-ms=\"%" PRIu64 "\"] %s from %s refused: no port of %s free towards %s:%u",
		    proto_name(ev->proto), in, out, rem, rem_port, ev->time_ms, proto_name(ev->proto), in, out, rem,
		    rem_port);
		break;
	default: /* NAT_EV_ADDRESSES_EXHAUSTED */
		add(buf, cap, &len,
		    "event=\"addresses-exhausted\" pool=\"%u\" inside-addr=\"%s\" time-ms=\"%" PRIu64
		    "\"] new flow from %s refused: pool %u has no address",
		    ev->limit, in, ev->time_ms, in, ev->limit);
		break;
	}
	return len;
}
