/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secnat's control-plane network namespace: a private one, made when secnat starts, that holds the
 * TUN interfaces of the exception path, the kernel routing table BIRD writes, and BIRD itself. The
 * host's routing never sees Salesforce's routes or the /31 addresses. With --cp-netns NAME it also
 * gets a name, for `ip netns exec NAME`.
 *
 * Namespaces belong to threads: the control thread steps in to make a socket or a device (which stay
 * in the namespace they were made in) and steps back out; workers never change namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "runtime.h"

static int set_loopback_up(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ret == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		ret = -errno;
	close(s);
	return ret;
}

/* Gives the namespace a name under /run/netns, as `ip netns add` does, so that an operator can run
 * `ip netns exec NAME ...` in it (look at table 100, run FRR instead of BIRD). */
static int name_namespace(struct runtime *rt, const char *name)
{
	int fd;

	if (snprintf(rt->cp_netns_path, sizeof(rt->cp_netns_path), "/run/netns/%s", name) >=
	    (int)sizeof(rt->cp_netns_path))
		return -ENAMETOOLONG;
	mkdir("/run/netns", 0755);
	fd = open(rt->cp_netns_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0) {
		log_msg(LOG_ERR, "namespace %s: %s", name,
			errno == EEXIST ? "exists already (another secnat, or left over: ip netns del it)"
					: strerror(errno));
		rt->cp_netns_path[0] = '\0';
		return -EEXIST;
	}
	close(fd);
	if (mount("/proc/thread-self/ns/net", rt->cp_netns_path, "none", MS_BIND, NULL) != 0) {
		int ret = -errno;

		log_msg(LOG_ERR, "cannot name namespace %s: %s", name, strerror(errno));
		unlink(rt->cp_netns_path);
		rt->cp_netns_path[0] = '\0';
		return ret;
	}
	return 0;
}

int rt_netns_create(struct runtime *rt)
{
	int ret;

	rt->host_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (rt->host_netns < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) != 0) {
		ret = -errno;
		log_msg(LOG_ERR, "cannot make the control-plane namespace: %s (needs CAP_SYS_ADMIN)",
			strerror(errno));
		return ret;
	}
	rt->cp_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ret = rt->cp_netns < 0 ? -errno : set_loopback_up();
	if (ret == 0 && rt->opt.cp_netns_name != NULL)
		ret = name_namespace(rt, rt->opt.cp_netns_name);
	rt_netns_leave(rt);
	return ret;
}

int rt_netns_enter(struct runtime *rt)
{
	return setns(rt->cp_netns, CLONE_NEWNET) == 0 ? 0 : -errno;
}

void rt_netns_leave(struct runtime *rt)
{
	if (setns(rt->host_netns, CLONE_NEWNET) != 0)
		log_msg(LOG_ERR, "cannot return to the host namespace: %s", strerror(errno));
}

void rt_netns_close(struct runtime *rt)
{
	if (rt->cp_netns_path[0] != '\0') {
		umount2(rt->cp_netns_path, MNT_DETACH);
		unlink(rt->cp_netns_path);
		rt->cp_netns_path[0] = '\0';
	}
	if (rt->cp_netns >= 0)
		close(rt->cp_netns);
	if (rt->host_netns >= 0)
		close(rt->host_netns);
	rt->cp_netns = rt->host_netns = -1;
}
