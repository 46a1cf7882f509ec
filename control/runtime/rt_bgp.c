/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP on the control thread: the supervised BIRD (control/bgp/bird_daemon) and the import of the
 * routes it chose (control/bgp/route_import) into the FIB (rt_fib.c).
 *
 * If BIRD dies, its routes stay in the FIB for a grace period while it restarts and learns them
 * again (a restarted BIRD first clears the kernel table, and those deletions are held back); when the
 * grace ends, a full dump of the table decides what stays.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>

#include "bird_conf.h"
#include "bird_daemon.h"
#include "bird_show.h"
#include "clock.h"
#include "log.h"
#include "route_import.h"
#include "runtime.h"

#define RESTART_GRACE_MS 30000

struct rt_bgp {
	struct bird_daemon bird;
	struct route_import import;
	bool import_open;
	bool external; /* --bird none: no daemon of ours */
	char *applied; /* the configuration text BIRD runs with: reload only when it changes */
	struct log_limit restart_log; /* a BIRD that dies at once would otherwise say so every second */
};

static void import_set(void *arg, const struct ipv4_prefix *p, const uint32_t *gws, unsigned n)
{
	rt_fib_bgp_set(arg, p, gws, n);
}

static void import_del(void *arg, const struct ipv4_prefix *p)
{
	rt_fib_bgp_del(arg, p, false);
}

static void import_sync_begin(void *arg)
{
	rt_fib_bgp_mark(arg);
}

static void import_sync_end(void *arg)
{
	rt_fib_bgp_sweep(arg);
}

static const struct route_import_ops import_ops = {
	.set = import_set,
	.del = import_del,
	.sync_begin = import_sync_begin,
	.sync_end = import_sync_end,
};

/* The generated configuration, as text, to compare with what BIRD runs. */
static char *conf_text(const struct rt_bgp *b, const struct secnat_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	bird_conf_write(f, cfg, b->bird.log);
	fclose(f);
	return text;
}

int rt_bgp_apply(struct runtime *rt, const struct secnat_config *cfg, char *err, size_t err_len)
{
	struct rt_bgp *b = rt->bgp_ctl;
	char *text;
	int ret;

	if (b == NULL || b->external)
		return 0;
	text = cfg->bgp_as != 0 ? conf_text(b, cfg) : NULL;
	if (cfg->bgp_as != 0 && text == NULL)
		return -ENOMEM;
	if ((text == NULL && b->applied == NULL) ||
	    (text != NULL && b->applied != NULL && strcmp(text, b->applied) == 0)) {
		free(text);
		return 0;
	}
	ret = bird_daemon_apply(&b->bird, cfg, err, err_len);
	if (ret != 0) {
		free(text);
		return ret;
	}
	free(b->applied);
	b->applied = text;
	return 0;
}

int rt_bgp_start(struct runtime *rt)
{
	const char *bird_binary = rt->opt.bird_binary ? rt->opt.bird_binary : "/usr/sbin/bird";
	uint32_t table = rt->opt.bgp_table ? rt->opt.bgp_table : BGP_KERNEL_TABLE;
	char dir[BIRD_PATH_MAX], err[256];
	struct rt_bgp *b;
	int ret;

	ret = rt_fib_bgp_init(rt);
	if (ret != 0)
		return ret;
	b = rt->bgp_ctl = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	b->restart_log.interval_ms = 60000;
	/* Beside the control socket, so that two secnat instances never share a daemon. */
	if ((size_t)snprintf(dir, sizeof(dir), "%s.bird", rt->opt.socket_path) >= sizeof(dir))
		return -ENAMETOOLONG;
	ret = bird_daemon_init(&b->bird, dir, bird_binary, rt->cp_netns);
	if (ret != 0) {
		log_msg(LOG_ERR, "BGP directory %s: %s", dir, strerror(-ret));
		return ret;
	}
	ret = rt_netns_enter(rt);
	if (ret == 0) {
		ret = route_import_open(&b->import, table, &import_ops, rt);
		rt_netns_leave(rt);
	}
	if (ret != 0) {
		log_msg(LOG_ERR, "cannot follow kernel table %u: %s", table, strerror(-ret));
		return ret;
	}
	b->import_open = true;
	if (strcmp(bird_binary, "none") == 0) {
		b->external = true; /* the operator runs the daemon (FRR, ...) in the namespace */
		return 0;
	}
	if (!b->bird.unprivileged && rt->cfg.bgp_as != 0)
		log_msg(LOG_WARNING, "BIRD runs as root: %s", b->bird.privileged_why);
	ret = rt_bgp_apply(rt, &rt->cfg, err, sizeof(err));
	if (ret != 0)
		log_msg(LOG_ERR, "%s", err);
	return ret;
}

void rt_bgp_poll(struct runtime *rt)
{
	struct rt_bgp *b = rt->bgp_ctl;
	uint64_t now = monotonic_ms();

	if (b == NULL)
		return;
	if (!b->external && bird_daemon_tick(&b->bird, now)) {
		log_limited(&b->restart_log, LOG_WARNING, "BIRD exited; restarting it, its routes kept for %d s",
			    RESTART_GRACE_MS / 1000);
		rt->bgp_grace_until_ms = now + RESTART_GRACE_MS;
		rt->bgp_daemon_runs++;
	}
	if (rt->bgp_grace_until_ms != 0 && now >= rt->bgp_grace_until_ms) {
		rt->bgp_grace_until_ms = 0;
		b->import.need_sync = true; /* the kernel table now says what stays */
	}
	if (b->import_open && route_import_poll(&b->import, &import_ops, rt) < 0)
		b->import.need_sync = true;
}

void rt_bgp_stop(struct runtime *rt)
{
	struct rt_bgp *b = rt->bgp_ctl;

	if (b == NULL)
		return;
	bird_daemon_fini(&b->bird);
	if (b->import_open)
		route_import_close(&b->import);
	free(b->applied);
	free(b);
	rt->bgp_ctl = NULL;
	rt_fib_bgp_fini(rt);
}

void rt_bgp_session(struct runtime *rt, uint32_t neighbor, struct rt_bgp_session *s)
{
	struct bird_daemon *bird = rt_bgp_daemon(rt);
	struct bird_protocol p = {.state = "Idle"};
	char name[BIRD_PROTO_NAME_MAX], command[64];
	time_t now = time(NULL);

	memset(s, 0, sizeof(*s));
	snprintf(s->state, sizeof(s->state), "Idle");
	if (bird == NULL)
		return;
	snprintf(command, sizeof(command), "show protocols all %s", bird_proto_name(neighbor, name));
	if (bird_daemon_query(bird, command, bird_protocol_line, &p) != 0) {
		/* BIRD running but not answering in time says nothing about the session itself. */
		snprintf(s->state, sizeof(s->state), bird->pid ? "Unknown" : "Down");
		return;
	}
	snprintf(s->state, sizeof(s->state), "%s", p.state);
	if (strcmp(s->state, "Established") == 0 && p.since != 0 && (uint64_t)now >= p.since)
		s->uptime_s = (uint64_t)now - p.since;
	s->received = p.imported + p.filtered; /* "import keep filtered" keeps the refused ones */
	s->accepted = p.imported;
	s->rejected = p.filtered;
	s->announced = p.exported;
}

void rt_bgp_resync(struct runtime *rt)
{
	if (rt->bgp_ctl != NULL)
		rt->bgp_ctl->import.need_sync = true;
}

struct bird_daemon *rt_bgp_daemon(struct runtime *rt)
{
	return rt->bgp_ctl != NULL && !rt->bgp_ctl->external ? &rt->bgp_ctl->bird : NULL;
}
