/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE /* fopencookie */
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <rte_log.h>

#include "clock.h"
#include "log.h"

/* DPDK's EAL threads may log while the control thread does: the ring is shared under a mutex. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_entry ring[LOG_KEEP];
static uint64_t written; /* messages ever kept; ring[written % LOG_KEEP] is the next slot */

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void emit(int priority, const char *program, const char *text)
{
	struct log_entry *e;

	pthread_mutex_lock(&lock);
	e = &ring[written++ % LOG_KEEP];
	e->time_ms = wall_ms();
	e->priority = (uint8_t)priority;
	snprintf(e->text, sizeof(e->text), "%s", text);
	/* One write per line: lines of two threads never interleave on the journal's stream. */
	fprintf(stderr, "<%d>%s%s\n", priority, program, text);
	pthread_mutex_unlock(&lock);
}

void log_vmsg(int priority, const char *fmt, va_list ap)
{
	char text[LOG_TEXT_MAX];

	vsnprintf(text, sizeof(text), fmt, ap);
	emit(priority, "secnat: ", text);
}

void log_bare(int priority, const char *text)
{
	emit(priority, "", text);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(priority, fmt, ap);
	va_end(ap);
}

bool log_limited(struct log_limit *limit, int priority, const char *fmt, ...)
{
	uint64_t now = monotonic_ms();
	char text[LOG_TEXT_MAX];
	size_t len;
	va_list ap;

	if (now < limit->next_ms) {
		limit->suppressed++;
		return false;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	len = strlen(text);
	if (limit->suppressed != 0 && len < sizeof(text))
		snprintf(text + len, sizeof(text) - len, " (%lu similar message%s suppressed)",
			 (unsigned long)limit->suppressed, limit->suppressed == 1 ? "" : "s");
	emit(priority, "secnat: ", text);
	limit->suppressed = 0;
	limit->next_ms = now + limit->interval_ms;
	return true;
}

unsigned log_recent(struct log_entry *out, unsigned max)
{
	uint64_t first;
	unsigned n = 0;

	pthread_mutex_lock(&lock);
	first = written > LOG_KEEP ? written - LOG_KEEP : 0;
	if (written - first > max)
		first = written - max;
	for (; first < written; first++)
		out[n++] = ring[first % LOG_KEEP];
	pthread_mutex_unlock(&lock);
	return n;
}

const char *log_priority_name(int priority)
{
	static const char *const names[] = {"emerg", "alert", "crit", "err",
					    "warning", "notice", "info", "debug"};

	return priority >= 0 && priority < 8 ? names[priority] : "info";
}

/* DPDK writes each message with one or more writes; lines are gathered until their newline, per
 * thread, since EAL threads log too. */
static __thread char dpdk_line[LOG_TEXT_MAX];
static __thread size_t dpdk_used;

static ssize_t dpdk_write(void *cookie, const char *buf, size_t size)
{
	/* RTE_LOG_EMERG is 1 where syslog's LOG_EMERG is 0: the same scale, one apart. */
	int level = rte_log_cur_msg_loglevel(), priority = level >= 1 && level <= 8 ? level - 1 : LOG_INFO;
	size_t i;

	(void)cookie;
	for (i = 0; i < size; i++) {
		if (buf[i] == '\n') {
			dpdk_line[dpdk_used] = '\0';
			if (dpdk_used != 0)
				log_msg(priority, "dpdk: %s", dpdk_line);
			dpdk_used = 0;
		} else if (dpdk_used < sizeof(dpdk_line) - 1) {
			dpdk_line[dpdk_used++] = buf[i];
		}
	}
	return (ssize_t)size;
}

int log_capture_dpdk(void)
{
	static const cookie_io_functions_t io = {.write = dpdk_write};
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	return rte_openlog_stream(f);
}
