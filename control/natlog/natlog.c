/* SPDX-License-Identifier: BSD-3-Clause */
/* The exporters of the configured destinations, and the events handed to each of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporters.h"
#include "ipv4.h"
#include "log.h"
#include "syslog5424.h"

struct natlog {
	unsigned n_ipfix, n_syslog;
	struct ipfix_exporter ipfix[CFG_MAX_COLLECTORS];
	struct syslog_exporter syslog[CFG_MAX_COLLECTORS];
	char host[64]; /* syslog's HOSTNAME */
	int pid;
	struct natlog_counters counters;
};

struct natlog *natlog_create(void)
{
	struct natlog *nl = calloc(1, sizeof(*nl));

	if (nl == NULL)
		return NULL;
	if (gethostname(nl->host, sizeof(nl->host)) != 0 || nl->host[0] == '\0')
		snprintf(nl->host, sizeof(nl->host), "-");
	nl->host[sizeof(nl->host) - 1] = '\0';
	nl->pid = (int)getpid();
	return nl;
}

void natlog_destroy(struct natlog *nl)
{
	unsigned i;

	if (nl == NULL)
		return;
	for (i = 0; i < nl->n_ipfix; i++)
		ipfix_exporter_close(&nl->ipfix[i]);
	for (i = 0; i < nl->n_syslog; i++)
		syslog_exporter_close(&nl->syslog[i]);
	free(nl);
}

/* The running exporter for configured destination `c` if its settings did not change, or -1. */
static int same_ipfix(const struct natlog *nl, const struct cfg_collector *c)
{
	unsigned i;

	for (i = 0; i < nl->n_ipfix; i++)
		if (memcmp(&nl->ipfix[i].cfg, c, sizeof(*c)) == 0)
			return (int)i;
	return -1;
}

static int same_syslog(const struct natlog *nl, const struct cfg_collector *c)
{
	unsigned i;

	for (i = 0; i < nl->n_syslog; i++)
		if (memcmp(&nl->syslog[i].cfg, c, sizeof(*c)) == 0)
			return (int)i;
	return -1;
}

static void describe(const struct cfg_collector *c, char *text, size_t len)
{
	char addr[IPV4_STRLEN];

	snprintf(text, len, "%s port %u", ipv4_format(c->addr, addr), c->port);
}

int natlog_apply(struct natlog *nl, const struct secnat_config *cfg, uint64_t now_ms, char *err,
		 size_t err_len)
{
	/* Built aside, so that a refused destination changes nothing. Exporters are large (a message
	 * buffer each): the new set lives on the heap. */
	struct natlog *next = calloc(1, sizeof(*next));
	bool kept_ipfix[CFG_MAX_COLLECTORS] = {0}, kept_syslog[CFG_MAX_COLLECTORS] = {0};
	char what[64];
	unsigned i;
	int ret = 0, k;

	if (next == NULL) {
		snprintf(err, err_len, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < cfg->n_ipfix; i++) {
		k = same_ipfix(nl, &cfg->ipfix[i]);
		if (k >= 0) {
			next->ipfix[i] = nl->ipfix[k];
			kept_ipfix[k] = true;
		} else if ((k = ipfix_exporter_open(&next->ipfix[i], &cfg->ipfix[i], now_ms)) != 0) {
			describe(&cfg->ipfix[i], what, sizeof(what));
			log_msg(LOG_WARNING, "IPFIX collector %s not reachable yet (%s): tried again every %d s",
				what, strerror(-k), NATLOG_RETRY_MS / 1000);
		}
		next->n_ipfix = i + 1;
	}
	for (i = 0; i < cfg->n_syslog && ret == 0; i++) {
		k = same_syslog(nl, &cfg->syslog[i]);
		if (k >= 0) {
			next->syslog[i] = nl->syslog[k];
			kept_syslog[k] = true;
		} else if ((ret = syslog_exporter_open(&next->syslog[i], &cfg->syslog[i], now_ms)) != 0) {
			describe(&cfg->syslog[i], what, sizeof(what));
			if (ret == -ENOMEM) {
				snprintf(err, err_len, "syslog server %s: %s", what, strerror(-ret));
			} else {
				log_msg(LOG_WARNING, "syslog server %s not reachable yet (%s): tried again every %d s",
					what, strerror(-ret), NATLOG_RETRY_MS / 1000);
				ret = 0;
			}
		}
		next->n_syslog = i + 1;
	}
	if (ret != 0) {
		/* Close only what was opened for the attempt. */
		for (i = 0; i < next->n_ipfix; i++)
			if (same_ipfix(nl, &next->ipfix[i].cfg) < 0)
				ipfix_exporter_close(&next->ipfix[i]);
		for (i = 0; i < next->n_syslog; i++)
			if (same_syslog(nl, &next->syslog[i].cfg) < 0)
				syslog_exporter_close(&next->syslog[i]);
		free(next);
		return ret;
	}
	for (i = 0; i < nl->n_ipfix; i++)
		if (!kept_ipfix[i])
			ipfix_exporter_close(&nl->ipfix[i]);
	for (i = 0; i < nl->n_syslog; i++)
		if (!kept_syslog[i])
			syslog_exporter_close(&nl->syslog[i]);
	memcpy(nl->ipfix, next->ipfix, sizeof(nl->ipfix));
	memcpy(nl->syslog, next->syslog, sizeof(nl->syslog));
	nl->n_ipfix = next->n_ipfix;
	nl->n_syslog = next->n_syslog;
	free(next);
	/* Exporters moved: each message must point into its own exporter's buffer again. */
	for (i = 0; i < nl->n_ipfix; i++)
		nl->ipfix[i].msg.buf = nl->ipfix[i].buf;
	return 0;
}

void natlog_events(struct natlog *nl, const struct nat_event *ev, unsigned n, uint64_t now_ms)
{
	char msg[SYSLOG_MSG_MAX];
	unsigned e, i;

	for (e = 0; e < n; e++) {
		for (i = 0; i < nl->n_ipfix; i++)
			ipfix_exporter_event(&nl->ipfix[i], &ev[e], now_ms, &nl->counters);
		if (nl->n_syslog > 0) {
			size_t len = syslog5424_format(msg, sizeof(msg), &ev[e], nl->host, nl->pid);

			for (i = 0; i < nl->n_syslog && len > 0; i++)
				syslog_exporter_send(&nl->syslog[i], msg, len, &nl->counters);
		}
		nl->counters.events++;
	}
}

void natlog_poll(struct natlog *nl, uint64_t now_ms)
{
	unsigned i;

	for (i = 0; i < nl->n_ipfix; i++)
		ipfix_exporter_poll(&nl->ipfix[i], now_ms, &nl->counters);
	for (i = 0; i < nl->n_syslog; i++)
		syslog_exporter_poll(&nl->syslog[i], now_ms, &nl->counters);
}

void natlog_counters(const struct natlog *nl, struct natlog_counters *c)
{
	if (nl == NULL)
		memset(c, 0, sizeof(*c));
	else
		*c = nl->counters;
}
