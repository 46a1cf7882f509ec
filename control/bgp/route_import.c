/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "route_import.h"

#define RECV_BUFFER (256 * 1024)
/* Room for a burst of 100,000 route changes between two polls of the control loop. */
#define SOCKET_BUFFER (64 * 1024 * 1024)

static uint8_t buffer[RECV_BUFFER] __attribute__((aligned(NLMSG_ALIGNTO)));

static int open_socket(unsigned groups, bool nonblock)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int size = SOCKET_BUFFER;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	/* FORCE needs CAP_NET_ADMIN, which secnat has; the plain option is capped by rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* The gateways of a route: RTA_GATEWAY, or each hop of RTA_MULTIPATH; an on-link route has one, 0. */
static unsigned route_gateways(struct rtattr *multipath, struct rtattr *gateway, uint32_t *gws)
{
	unsigned n = 0;

	if (multipath != NULL) {
		struct rtnexthop *nh = RTA_DATA(multipath);
		int left = RTA_PAYLOAD(multipath);

		while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) && nh->rtnh_len <= left &&
		       n < ROUTE_MAX_PATHS) {
			struct rtattr *a = RTNH_DATA(nh);
			int alen = nh->rtnh_len - (int)sizeof(*nh);
			uint32_t gw = 0;

			for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen))
				if (a->rta_type == RTA_GATEWAY && RTA_PAYLOAD(a) == 4)
					memcpy(&gw, RTA_DATA(a), 4);
			gws[n++] = ntohl(gw);
			left -= RTNH_ALIGN(nh->rtnh_len);
			nh = RTNH_NEXT(nh);
		}
		return n;
	}
	gws[0] = 0;
	if (gateway != NULL && RTA_PAYLOAD(gateway) == 4) {
		memcpy(&gws[0], RTA_DATA(gateway), 4);
		gws[0] = ntohl(gws[0]);
	}
	return 1;
}

/* One RTM_NEWROUTE/RTM_DELROUTE: applies it if it is an IPv4 route of our table. Returns 1 if it
 * changed something, 0 if it was not ours. */
static int route_message(struct route_import *ri, const struct nlmsghdr *h,
			 const struct route_import_ops *ops, void *arg)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *a, *gateway = NULL, *multipath = NULL;
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*rtm));
	struct ipv4_prefix prefix = {.addr = 0, .len = 0};
	uint32_t table, gws[ROUTE_MAX_PATHS], dst = 0;
	unsigned n;

	if (len < 0 || rtm->rtm_family != AF_INET || (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	table = rtm->rtm_table;
	for (a = RTM_RTA(rtm); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) == 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) == 4)
			memcpy(&dst, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_GATEWAY)
			gateway = a;
		else if (a->rta_type == RTA_MULTIPATH)
			multipath = a;
	}
	/* The kernel's own routes (connected subnets) are not the daemon's: the FIB has those already. */
	if (table != ri->table || rtm->rtm_dst_len > 32 || rtm->rtm_protocol == RTPROT_KERNEL)
		return 0;
	prefix.len = rtm->rtm_dst_len;
	prefix.addr = ntohl(dst) & ipv4_mask(prefix.len);
	/* Blackhole, unreachable and the like carry no traffic through us: as good as no route. */
	if (h->nlmsg_type == RTM_DELROUTE || rtm->rtm_type != RTN_UNICAST) {
		ops->del(arg, &prefix);
		return 1;
	}
	n = route_gateways(multipath, gateway, gws);
	if (n == 0) {
		ri->ignored++;
		return 0;
	}
	ops->set(arg, &prefix, gws, n);
	return 1;
}

int route_import_parse(struct route_import *ri, const void *data, size_t size,
		       const struct route_import_ops *ops, void *arg, bool *done)
{
	const struct nlmsghdr *h = data;
	int left = size > INT_MAX ? INT_MAX : (int)size, changed = 0;

	/* NLMSG_OK and NLMSG_NEXT spelled out, signedness right: the remaining length may go below
	 * zero after the last (padded) message, which ends the walk. */
	for (; left >= (int)sizeof(*h) && h->nlmsg_len >= sizeof(*h) && h->nlmsg_len <= (unsigned)left;
	     left -= (int)NLMSG_ALIGN(h->nlmsg_len),
	     h = (const struct nlmsghdr *)((const char *)h + NLMSG_ALIGN(h->nlmsg_len))) {
		ri->messages++;
		if (h->nlmsg_type == NLMSG_DONE) {
			*done = true;
			break;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e->error)))
				continue; /* too short to say which error: not one to act on */
			if (e->error != 0)
				return e->error;
			continue;
		}
		if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE)
			changed += route_message(ri, h, ops, arg);
	}
	return changed;
}

static int dump(struct route_import *ri, const struct route_import_ops *ops, void *arg)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req = {
		.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)), .nlmsg_type = RTM_GETROUTE,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++ri->seq},
		.r = {.rtm_family = AF_INET},
	};
	bool done = false;
	int changed = 0, ret;
	ssize_t n;

	if (send(ri->dump, &req, req.h.nlmsg_len, 0) < 0)
		return -errno;
	ri->resyncs++;
	ops->sync_begin(arg);
	while (!done) {
		n = recv(ri->dump, buffer, sizeof(buffer), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			ops->sync_end(arg);
			return ret;
		}
		ret = route_import_parse(ri, buffer, (size_t)n, ops, arg, &done);
		if (ret < 0) {
			ops->sync_end(arg);
			return ret;
		}
		changed += ret;
	}
	ops->sync_end(arg);
	ri->need_sync = false;
	return changed;
}

int route_import_open(struct route_import *ri, uint32_t table, const struct route_import_ops *ops,
		      void *arg)
{
	int ret;

	memset(ri, 0, sizeof(*ri));
	ri->table = table;
	ri->dump = -1;
	ri->events = open_socket(RTMGRP_IPV4_ROUTE, true);
	if (ri->events < 0)
		return ri->events;
	ri->dump = open_socket(0, false);
	if (ri->dump < 0) {
		ret = ri->dump;
		route_import_close(ri);
		return ret;
	}
	ret = dump(ri, ops, arg);
	if (ret < 0) {
		route_import_close(ri);
		return ret;
	}
	return 0;
}

int route_import_poll(struct route_import *ri, const struct route_import_ops *ops, void *arg)
{
	int changed = 0, ret;
	bool done = false;
	ssize_t n;

	if (ri->events < 0)
		return -EBADF;
	for (;;) {
		n = recv(ri->events, buffer, sizeof(buffer), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			ri->need_sync = true; /* events were lost: only a full dump tells the truth now */
			continue;
		}
		if (n <= 0)
			break;
		ret = route_import_parse(ri, buffer, (size_t)n, ops, arg, &done);
		if (ret > 0)
			changed += ret;
	}
	if (ri->need_sync) {
		ret = dump(ri, ops, arg);
		if (ret < 0)
			return ret;
		changed += ret;
	}
	return changed;
}

void route_import_close(struct route_import *ri)
{
	if (ri->events >= 0)
		close(ri->events);
	if (ri->dump >= 0)
		close(ri->dump);
	ri->events = ri->dump = -1;
}
