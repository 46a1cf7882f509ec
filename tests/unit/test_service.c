/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat under systemd: READY=1 with a status, and the watchdog fed only when it is due and every
 * worker's loop clock has moved since the last feed. The notify socket is one this test binds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "runtime.h"
#include "service.h"

static int notify_fd = -1;
static char notify_path[64];
static struct runtime rt;
static struct dp_shared shared;
static struct dp_worker workers[2];

static void setup(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval timeout = {.tv_usec = 100000};

	snprintf(notify_path, sizeof(notify_path), "/tmp/secnat-notify-%d", getpid());
	strcpy(sa.sun_path, notify_path);
	unlink(notify_path);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	cr_assert_geq(notify_fd, 0);
	cr_assert_eq(bind(notify_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(notify_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setenv("NOTIFY_SOCKET", notify_path, 1);
	setenv("WATCHDOG_USEC", "10000000", 1); /* WatchdogSec=10: fed every 5 s */
	unsetenv("WATCHDOG_PID");
	shared.n_workers = 2;
	rt.shared = &shared;
	rt.workers[0] = &workers[0];
	rt.workers[1] = &workers[1];
}

static void teardown(void)
{
	close(notify_fd);
	unlink(notify_path);
}

/* The next datagram's text, or "" when none came within 100 ms. */
static const char *received(void)
{
	static char buf[256];
	ssize_t n = recv(notify_fd, buf, sizeof(buf) - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TestSuite(service, .init = setup, .fini = teardown);

Test(service, ready_says_so_with_a_status)
{
	rt.cfg.n_vxcs = 1;
	service_ready(&rt);
	cr_assert_str_eq(received(), "READY=1\nSTATUS=running: 2 workers, 1 VXC");
}

Test(service, the_watchdog_is_fed_at_half_its_period_while_workers_move)
{
	struct service s;

	service_init(&s);
	cr_assert_eq(s.watchdog_ms, 5000);
	workers[0].tsc = 100, workers[1].tsc = 200;
	service_watchdog(&s, &rt, 1000);
	cr_assert_str_eq(received(), "WATCHDOG=1");
	workers[0].tsc = 101, workers[1].tsc = 201;
	service_watchdog(&s, &rt, 3000);
	cr_assert_str_empty(received(), "fed before it was due");
	service_watchdog(&s, &rt, 6000);
	cr_assert_str_eq(received(), "WATCHDOG=1");
}

Test(service, a_worker_standing_still_starves_the_watchdog)
{
	struct service s;

	service_init(&s);
	workers[0].tsc = 100, workers[1].tsc = 200;
	service_watchdog(&s, &rt, 1000);
	cr_assert_str_eq(received(), "WATCHDOG=1");
	workers[0].tsc = 150; /* worker 1 is stuck */
	service_watchdog(&s, &rt, 6000);
	cr_assert_str_empty(received(), "fed although worker 1 stood still");
	cr_assert_eq(s.stalled, 1);
	workers[0].tsc = 160, workers[1].tsc = 260; /* it moves again */
	service_watchdog(&s, &rt, 11000);
	cr_assert_str_eq(received(), "WATCHDOG=1");
}

Test(service, without_systemd_nothing_is_sent)
{
	struct service s;

	unsetenv("WATCHDOG_USEC");
	service_init(&s);
	cr_assert_eq(s.watchdog_ms, 0);
	service_watchdog(&s, &rt, 100000);
	cr_assert_str_empty(received());
}
