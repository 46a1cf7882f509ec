/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path's control-thread side: one TUN interface per VXC in the control-plane namespace,
 * carrying the VXC's local /31 address. What the workers punt (BGP) is written into the VXC's TUN, so
 * the kernel's TCP stack (with TCP MD5) terminates it for the BGP daemon; what the kernel sends back
 * leaves through the dataplane with the VXC's VLAN and the peer's MAC.
 *
 * TUN (layer 3), not TAP: the kernel then needs no ARP of its own on the link; the dataplane's
 * neighbour table already knows the peer. A TUN disappears when its descriptor closes, so stopping
 * secnat removes them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ip.h>

#include "log.h"
#include "runtime.h"

#define KERNEL_READS_PER_POLL 256
#define TUN_PREFIX "sn-"

static void tun_name(const struct cfg_vxc *v, unsigned index, char *buf)
{
	if (strlen(v->name) + strlen(TUN_PREFIX) < IFNAMSIZ)
		snprintf(buf, IFNAMSIZ, TUN_PREFIX "%s", v->name);
	else
		snprintf(buf, IFNAMSIZ, TUN_PREFIX "vxc%u", (uint8_t)index); /* the name does not fit */
}

static int ifreq_ioctl(int s, unsigned long request, struct ifreq *ifr, const char *what)
{
	int err;

	if (ioctl(s, request, ifr) == 0)
		return 0;
	err = errno;
	log_msg(LOG_ERR, "%s on %s: %s", what, ifr->ifr_name, strerror(err));
	return -err;
}

static void set_inet(struct sockaddr *sa, uint32_t host_order)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(host_order);
}

/* Makes the TUN of `v` in the control-plane namespace (the caller is inside it). */
static int tun_create(const struct cfg_vxc *v, const char *name, uint16_t mtu)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC), s, ret;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ret = s < 0 ? -errno : ifreq_ioctl(fd, TUNSETIFF, &ifr, "TUNSETIFF");
	if (ret == 0) {
		set_inet(&ifr.ifr_addr, v->local.addr);
		ret = ifreq_ioctl(s, SIOCSIFADDR, &ifr, "address");
	}
	if (ret == 0) {
		set_inet(&ifr.ifr_netmask, ipv4_mask(v->local.len));
		ret = ifreq_ioctl(s, SIOCSIFNETMASK, &ifr, "netmask");
	}
	if (ret == 0) {
		ifr.ifr_mtu = mtu;
		ret = ifreq_ioctl(s, SIOCSIFMTU, &ifr, "mtu");
	}
	if (ret == 0)
		ret = ifreq_ioctl(s, SIOCGIFFLAGS, &ifr, "flags");
	if (ret == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		ret = ifreq_ioctl(s, SIOCSIFFLAGS, &ifr, "up");
	}
	if (s >= 0)
		close(s);
	if (ret != 0) {
		close(fd);
		return ret;
	}
	return fd;
}

static struct rt_tun *tun_of(struct runtime *rt, const char *vxc_name)
{
	unsigned i;

	for (i = 0; i < RTE_DIM(rt->tun); i++)
		if (rt->tun[i].fd >= 0 && strcmp(rt->tun[i].vxc, vxc_name) == 0)
			return &rt->tun[i];
	return NULL;
}

int rt_kernel_sync(struct runtime *rt, const struct secnat_config *cfg)
{
	unsigned i, k;
	int ret = 0;

	/* VXCs gone: their TUN goes (closing it removes the interface). */
	for (k = 0; k < RTE_DIM(rt->tun); k++) {
		bool kept = false;

		if (rt->tun[k].fd < 0)
			continue;
		for (i = 0; i < cfg->n_vxcs && !kept; i++)
			kept = strcmp(cfg->vxcs[i].name, rt->tun[k].vxc) == 0 &&
			       cfg->vxcs[i].local.addr == rt->tun[k].local;
		if (!kept) {
			close(rt->tun[k].fd);
			rt->tun[k].fd = -1;
		}
	}
	if (rt_netns_enter(rt) != 0)
		return -errno;
	for (i = 0; i < cfg->n_vxcs && ret == 0; i++) {
		const struct cfg_vxc *v = &cfg->vxcs[i];
		uint16_t mtu = rt->shared->config->ports[v->port].mtu;
		struct rt_tun *t = tun_of(rt, v->name);
		int fd;

		if (t != NULL)
			continue;
		for (k = 0; k < RTE_DIM(rt->tun) && rt->tun[k].fd >= 0; k++)
			;
		if (k == RTE_DIM(rt->tun)) {
			ret = -ENOSPC;
			break;
		}
		t = &rt->tun[k];
		tun_name(v, i, t->ifname);
		fd = tun_create(v, t->ifname, mtu ? mtu : RTE_ETHER_MTU);
		if (fd < 0) {
			ret = fd;
			break;
		}
		snprintf(t->vxc, sizeof(t->vxc), "%s", v->name);
		t->local = v->local.addr;
		t->fd = fd;
	}
	rt_netns_leave(rt);
	return ret;
}

void rt_kernel_close(struct runtime *rt)
{
	unsigned k;

	for (k = 0; k < RTE_DIM(rt->tun); k++)
		if (rt->tun[k].fd >= 0) {
			close(rt->tun[k].fd);
			rt->tun[k].fd = -1;
		}
}

/* A frame a worker punted (its VLAN already popped): the IP packet goes into its VXC's TUN. */
void rt_kernel_deliver(struct runtime *rt, struct rte_mbuf *m)
{
	uint16_t vxc = (uint16_t)m->hash.usr;
	static uint8_t packet[RTE_MBUF_DEFAULT_BUF_SIZE * 8];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const void *ip;
	struct rt_tun *t;

	/* The worker parsed it: the IP header is at l2_len, after the VXC's tag if it had one. */
	if (vxc >= rt->cfg.n_vxcs || len <= m->l2_len || len - m->l2_len > sizeof(packet) ||
	    (t = tun_of(rt, rt->cfg.vxcs[vxc].name)) == NULL) {
		rt->exception.dropped++;
		return;
	}
	len -= m->l2_len;
	ip = rte_pktmbuf_read(m, m->l2_len, len, packet);
	if (write(t->fd, ip, len) == (ssize_t)len)
		rt->exception.to_kernel++;
	else
		rt->exception.dropped++;
}

/* One packet the kernel sent on `vxc`'s TUN: framed for the peer and handed to a worker. */
static void from_kernel(struct runtime *rt, uint16_t vxc, const uint8_t *packet, size_t len)
{
	const struct dp_vxc *v = &rt->shared->config->vxcs[vxc];
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)packet;
	uint64_t key = dp_neigh_key(v->port, v->peer), mac = dp_neigh_lookup(rt->shared->neigh, key);
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m;

	if (len < sizeof(*ip) || (ip->version_ihl >> 4) != 4 || ip->dst_addr != v->peer) {
		rt->exception.dropped++; /* only the peer lives on the other side of the /31 */
		return;
	}
	if (mac == 0) {
		rt->exception.unresolved++;
		rt_neigh_wanted(rt, key); /* TCP will send again once the peer has answered */
		return;
	}
	m = rte_pktmbuf_alloc(rt->shared->pool);
	if (m == NULL || (eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + len))) == NULL) {
		rte_pktmbuf_free(m);
		rt->exception.dropped++;
		return;
	}
	memcpy(&eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	eth->src_addr = rt->shared->config->ports[v->port].mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memcpy(eth + 1, packet, len);
	m->port = v->port;
	m->hash.usr = vxc;
	m->l2_len = sizeof(*eth);
	if (rte_ring_sp_enqueue(rt->workers[0]->inject, m) != 0) {
		rte_pktmbuf_free(m);
		rt->exception.dropped++;
		return;
	}
	rt->exception.from_kernel++;
}

void rt_kernel_poll(struct runtime *rt)
{
	static uint8_t packet[65536];
	unsigned k, i, reads;

	for (k = 0; k < RTE_DIM(rt->tun); k++) {
		struct rt_tun *t = &rt->tun[k];
		uint16_t vxc = DP_NO_VXC;
		ssize_t n;

		if (t->fd < 0)
			continue;
		for (i = 0; i < rt->cfg.n_vxcs; i++)
			if (strcmp(rt->cfg.vxcs[i].name, t->vxc) == 0)
				vxc = (uint16_t)i;
		for (reads = 0; reads < KERNEL_READS_PER_POLL; reads++) {
			n = read(t->fd, packet, sizeof(packet));
			if (n <= 0)
				break;
			if (vxc == DP_NO_VXC)
				rt->exception.dropped++;
			else
				from_kernel(rt, vxc, packet, (size_t)n);
		}
	}
}
