/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How a reply reaches the worker that owns its session (README "Workers and steering").
 *
 * With several workers every port is asked to spread received frames by a Toeplitz hash under a key
 * of secnat's own. If secnat then knows, for every A-end port, the key and the redirection table
 * (RETA) in force — read back from a NIC, or set by secnat itself on a TAP through the kernel's
 * steering hook (tun_steering.bpf.c) — and all A-end ports agree, workers pick TCP and UDP ports
 * whose replies land on their own queue (nat_rss.h): RSS prediction. Otherwise, and always for what
 * cannot be predicted, a reply landing on another worker is handed over (the port blocks).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <rte_malloc.h>
#include <rte_random.h>

#include "nat_rss.h"
#include "runtime.h"
#include "tun_steering.h"

extern const unsigned char tun_steering_obj[]; /* tun_steering.bpf.c, compiled (meson) */
extern const size_t tun_steering_obj_len;

void rt_steering_port_conf(struct runtime *rt, const struct rte_eth_dev_info *info, uint16_t n_workers,
			   struct rte_eth_conf *conf)
{
	unsigned i;

	if (n_workers < 2 || !(info->flow_type_rss_offloads & (RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)))
		return;
	if (!rt->rss_key_made) {
		for (i = 0; i < sizeof(rt->rss_key); i++)
			rt->rss_key[i] = (uint8_t)rte_rand();
		rt->rss_key_made = true;
	}
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf =
		info->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	/* Our key where the device takes one of a size we have; else it keeps its own. */
	if (info->hash_key_size >= 16 && info->hash_key_size <= sizeof(rt->rss_key)) {
		conf->rx_adv_conf.rss_conf.rss_key = rt->rss_key;
		conf->rx_adv_conf.rss_conf.rss_key_len = info->hash_key_size;
	}
}

/* Worker i polls queue i of every port. */
static bool plan_init(struct nat_rss_plan *plan, const uint8_t *key, uint32_t key_len, const uint16_t *reta,
		      uint16_t reta_size, uint16_t n_workers)
{
	uint16_t worker_of_queue[NAT_RSS_RETA_MAX], i;

	for (i = 0; i < n_workers; i++)
		worker_of_queue[i] = i;
	return nat_rss_plan_init(plan, key, key_len, reta, reta_size, worker_of_queue, n_workers);
}

/* A NIC: what it reports is what it does. */
static bool nic_plan(uint16_t port, const struct rte_eth_dev_info *info, uint16_t n_workers,
		     struct nat_rss_plan *plan, char *why, size_t why_len)
{
	struct rte_eth_rss_reta_entry64 groups[NAT_RSS_RETA_MAX / RTE_ETH_RETA_GROUP_SIZE];
	uint16_t reta[NAT_RSS_RETA_MAX];
	uint8_t key[NAT_RSS_KEY_MAX];
	struct rte_eth_rss_conf rc = {.rss_key = key, .rss_key_len = sizeof(key)};
	unsigned i;

	if (info->reta_size == 0 || info->reta_size > NAT_RSS_RETA_MAX || !rte_is_power_of_2(info->reta_size)) {
		snprintf(why, why_len, "port %u (%s) has a RETA of %u entries", port, info->driver_name,
			 info->reta_size);
		return false;
	}
	if (info->hash_key_size > sizeof(key) || rte_eth_dev_rss_hash_conf_get(port, &rc) != 0 ||
	    rc.rss_key_len < 16) {
		snprintf(why, why_len, "port %u (%s) does not report its RSS key", port, info->driver_name);
		return false;
	}
	if ((rc.rss_hf & (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)) !=
	    (RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_NONFRAG_IPV4_UDP)) {
		snprintf(why, why_len, "port %u (%s) does not hash TCP and UDP ports", port, info->driver_name);
		return false;
	}
	memset(groups, 0, sizeof(groups));
	for (i = 0; i < info->reta_size / RTE_ETH_RETA_GROUP_SIZE; i++)
		groups[i].mask = UINT64_MAX;
	if (info->reta_size < RTE_ETH_RETA_GROUP_SIZE)
		groups[0].mask = (UINT64_C(1) << info->reta_size) - 1;
	if (rte_eth_dev_rss_reta_query(port, groups, info->reta_size) != 0) {
		snprintf(why, why_len, "port %u (%s) does not report its RETA", port, info->driver_name);
		return false;
	}
	for (i = 0; i < info->reta_size; i++) {
		reta[i] = groups[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
		if (reta[i] >= n_workers) {
			snprintf(why, why_len, "port %u (%s) sends to queue %u", port, info->driver_name, reta[i]);
			return false;
		}
	}
	if (!plan_init(plan, key, rc.rss_key_len, reta, info->reta_size, n_workers)) {
		snprintf(why, why_len, "port %u (%s): unusable RSS key or RETA", port, info->driver_name);
		return false;
	}
	return true;
}

/* The u8 attribute `type` among the attributes at `rta`, or -1. */
static int nested_u8(struct rtattr *rta, int len, unsigned short type)
{
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == type && RTA_PAYLOAD(rta) >= 1)
			return *(const uint8_t *)RTA_DATA(rta);
	return -1;
}

/*
 * A TUN/TAP device's flags as TUNSETIFF takes them (IFF_TAP, IFF_NO_PI, ...), asked of rtnetlink:
 * sysfs would show the devices of whichever namespace mounted it, not necessarily ours.
 */
static int tun_flags(unsigned ifindex, unsigned *flags)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg i;
	} req = {
		.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_GETLINK,
		      .nlmsg_flags = NLM_F_REQUEST},
		.i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex},
	};
	static uint8_t buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsghdr *h = (const void *)buf;
	struct rtattr *rta, *data = NULL;
	int fd, len, type, pi, vnet, mq;
	bool is_tun = false;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	len = send(fd, &req, req.h.nlmsg_len, 0) < 0 ? -1 : (int)recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (len < 0)
		return -errno;
	if (!NLMSG_OK(h, (unsigned)len) || h->nlmsg_type != RTM_NEWLINK)
		return h->nlmsg_type == NLMSG_ERROR ? ((const struct nlmsgerr *)NLMSG_DATA(h))->error : -EPROTO;
	len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg));
	for (rta = IFLA_RTA(NLMSG_DATA(h)); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		struct rtattr *info;
		int info_len = (int)RTA_PAYLOAD(rta);

		if (rta->rta_type != IFLA_LINKINFO)
			continue;
		for (info = RTA_DATA(rta); RTA_OK(info, info_len); info = RTA_NEXT(info, info_len)) {
			if (info->rta_type == IFLA_INFO_KIND)
				is_tun = strncmp(RTA_DATA(info), "tun", RTA_PAYLOAD(info)) == 0;
			else if (info->rta_type == IFLA_INFO_DATA)
				data = info;
		}
	}
	if (!is_tun || data == NULL)
		return -ENOTTY;
	type = nested_u8(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_TUN_TYPE);
	pi = nested_u8(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_TUN_PI);
	vnet = nested_u8(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_TUN_VNET_HDR);
	mq = nested_u8(RTA_DATA(data), (int)RTA_PAYLOAD(data), IFLA_TUN_MULTI_QUEUE);
	if (type < 0 || pi < 0 || vnet < 0 || mq < 0)
		return -EPROTO;
	*flags = (unsigned)type | (pi ? 0 : IFF_NO_PI) | (vnet ? IFF_VNET_HDR : 0) | (mq ? IFF_MULTI_QUEUE : 0);
	return 0;
}

/* Loads the steering program with `conf` and hangs it on TAP `ifname` (in our namespace). */
static int tap_install(unsigned ifindex, const char *ifname, const struct tun_steering_conf *conf)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	struct ifreq ifr;
	unsigned flags = 0;
	uint32_t zero = 0;
	int prog_fd, fd, ret;

	/* Joining the device as an extra queue needs its exact flags: others would change the device's. */
	ret = tun_flags(ifindex, &flags);
	if (ret != 0)
		return ret;
	if (!(flags & IFF_MULTI_QUEUE))
		return -EOPNOTSUPP;

	obj = bpf_object__open_mem(tun_steering_obj, tun_steering_obj_len, NULL);
	if (obj == NULL)
		return -errno;
	ret = bpf_object__load(obj);
	prog = bpf_object__find_program_by_name(obj, "tun_steer");
	map = bpf_object__find_map_by_name(obj, "steering_conf");
	if (ret == 0 && (prog == NULL || map == NULL))
		ret = -ENOENT;
	if (ret == 0)
		ret = bpf_map__update_elem(map, &zero, sizeof(zero), conf, sizeof(*conf), BPF_ANY);
	if (ret != 0)
		goto out;
	prog_fd = bpf_program__fd(prog);

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = (short)flags;
	/* The program belongs to the device: it stays when our queue goes, at close, and goes with the
	 * device. Our queue is the last one, so closing it renumbers no other. */
	if (ioctl(fd, TUNSETIFF, &ifr) != 0 || ioctl(fd, TUNSETSTEERINGEBPF, &prog_fd) != 0)
		ret = -errno;
	close(fd);
out:
	bpf_object__close(obj); /* the device keeps its reference to the program, the program to the map */
	return ret;
}

/* A TAP: secnat makes the RSS itself, with its key and a RETA over the workers' queues. */
static bool tap_plan(struct runtime *rt, uint16_t port, const struct rte_eth_dev_info *info, uint16_t n_workers,
		     struct nat_rss_plan *plan, char *why, size_t why_len)
{
	struct tun_steering_conf conf;
	char ifname[IF_NAMESIZE];
	unsigned i;
	int ret;

	if (info->if_index == 0 || if_indextoname(info->if_index, ifname) == NULL) {
		snprintf(why, why_len, "port %u (%s): its kernel interface is not found", port, info->driver_name);
		return false;
	}
	memset(&conf, 0, sizeof(conf));
	memcpy(conf.key, rt->rss_key, sizeof(conf.key));
	conf.reta_mask = TUN_STEERING_RETA - 1;
	for (i = 0; i < TUN_STEERING_RETA; i++)
		conf.reta[i] = (uint16_t)(i % n_workers);
	ret = tap_install(info->if_index, ifname, &conf);
	if (ret != 0) {
		snprintf(why, why_len, "port %u (%s %s): cannot install the steering program: %s", port,
			 info->driver_name, ifname, strerror(-ret));
		return false;
	}
	return plan_init(plan, conf.key, sizeof(conf.key), conf.reta, TUN_STEERING_RETA, n_workers);
}

int rt_steering_setup(struct runtime *rt, uint16_t n_workers)
{
	struct nat_rss_plan plan, first;
	unsigned n_aend = 0;
	uint16_t p;

	rt->shared->rss = NULL;
	if (n_workers < 2) {
		snprintf(rt->steering, sizeof(rt->steering), "one worker");
		return 0;
	}
	for (p = 0; p < rt->shared->n_ports && p < CFG_MAX_PORTS; p++) {
		struct rte_eth_dev_info info;
		bool known;

		if (rt->cfg.ports[p].role != PORT_ROLE_AEND)
			continue;
		if (rte_eth_dev_info_get(p, &info) != 0)
			return -ENODEV;
		if (strcmp(info.driver_name, "net_tap") == 0)
			known = tap_plan(rt, p, &info, n_workers, &plan, rt->steering, sizeof(rt->steering));
		else
			known = nic_plan(p, &info, n_workers, &plan, rt->steering, sizeof(rt->steering));
		if (known && n_aend > 0 && memcmp(&plan, &first, sizeof(plan)) != 0) {
			snprintf(rt->steering, sizeof(rt->steering), "port %u spreads differently from the first "
				 "A-end port", p);
			known = false;
		}
		if (!known)
			return 0; /* rt->steering says why: handoff */
		if (n_aend++ == 0)
			first = plan;
	}
	if (n_aend == 0) {
		snprintf(rt->steering, sizeof(rt->steering), "no A-end port");
		return 0;
	}
	rt->shared->rss = rte_malloc("rss_plan", sizeof(first), RTE_CACHE_LINE_SIZE);
	if (rt->shared->rss == NULL)
		return -ENOMEM;
	*rt->shared->rss = first;
	snprintf(rt->steering, sizeof(rt->steering), "Toeplitz key and %u-entry RETA known on %u A-end port%s",
		 first.reta_size, n_aend, n_aend == 1 ? "" : "s");
	return 0;
}
