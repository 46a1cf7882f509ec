/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's configuration as the operator's commands build it. A plain value: commands apply
 * to a copy which replaces the original only when the command succeeded, so a refused command
 * changes nothing.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ipv4.h"
#include "nat_config.h"

#define CFG_MAX_PORTS 16
#define CFG_MAX_VXCS 64
#define CFG_MAX_EXEMPTS 64
#define CFG_MAX_ROUTES 1024
#define CFG_MAX_NEIGHBORS 16
#define CFG_MAX_ANNOUNCES 64
#define CFG_NAME_MAX 31
#define CFG_PASSWORD_MAX 79 /* TCP MD5 keys are at most 80 bytes */
#define CFG_ARP_TIMEOUT_DEFAULT 300
#define CFG_MAX_COLLECTORS 4 /* IPFIX collectors, and as many syslog servers */
#define CFG_IPFIX_PORT_DEFAULT 4739
#define CFG_SYSLOG_PORT_DEFAULT 514
#define CFG_PORT_BLOCK_MIN 8
#define CFG_PORT_BLOCK_MAX 4096
/* Per inside host: a quarter of the ports towards one destination, so that no single host (or
 * whoever spoofs it) takes a Salesforce endpoint from everyone; and of them half-open TCP, enough
 * for a browser or a proxy's bursts but not for a SYN flood (RFC 6888 REQ-4, REQ-5). */
#define CFG_PER_HOST_DEFAULT 16384
#define CFG_EMBRYONIC_PER_HOST_DEFAULT 1024

enum port_role {
	PORT_ROLE_NONE,
	PORT_ROLE_LAN,
	PORT_ROLE_AEND,
	PORT_ROLE_INTERNET,
};

struct cfg_port {
	enum port_role role;
	bool has_address;
	struct ipv4_prefix address; /* the appliance's own address and the connected subnet */
	uint16_t mtu;               /* 0: what the driver reports */
};

struct cfg_vxc {
	char name[CFG_NAME_MAX + 1];
	uint16_t port;
	uint16_t vlan;              /* 0: untagged */
	struct ipv4_prefix local;   /* our address of the Megaport /31 */
	uint32_t peer;              /* Salesforce's address of it */
	uint64_t rate_bps;
	bool has_pool;
	struct ipv4_prefix pool;    /* customer public space used instead of the /31 address */
};

struct cfg_route {
	struct ipv4_prefix prefix;
	uint32_t via;
	uint8_t distance;
};

struct cfg_neighbor {
	uint32_t addr;
	uint32_t remote_as;
	char password[CFG_PASSWORD_MAX + 1]; /* empty: none */
	uint16_t hold_time;                  /* seconds; 0: BGP's default */
	uint32_t max_prefix;                 /* 0: no limit */
	bool ttl_security;                   /* GTSM (RFC 5082): accept only TTL 255 */
};

/* Where NAT events go: an IPFIX collector or a syslog server, reached through the host's stack. */
struct cfg_collector {
	uint32_t addr;
	uint32_t source; /* IPFIX: the source address to send from; 0: the host's choice */
	uint16_t port;
	bool tcp;        /* syslog: TCP with octet counting (RFC 6587) instead of UDP */
	uint8_t zero;    /* no padding: configurations are compared as bytes */
};

struct secnat_config {
	struct cfg_port ports[CFG_MAX_PORTS];
	unsigned n_vxcs;
	struct cfg_vxc vxcs[CFG_MAX_VXCS];
	unsigned n_exempts;
	struct ipv4_prefix exempts[CFG_MAX_EXEMPTS];
	enum nat_mapping mapping;
	uint32_t timeout[NAT_TIMEOUT_MAX];
	uint32_t per_host_limit;           /* 0: no limit */
	uint32_t embryonic_per_host_limit; /* 0: no limit */
	uint32_t arp_timeout; /* seconds a neighbour is trusted before it is asked again */
	unsigned n_routes;
	struct cfg_route routes[CFG_MAX_ROUTES];
	uint32_t bgp_as; /* 0: BGP not configured */
	uint32_t router_id;
	unsigned n_neighbors;
	struct cfg_neighbor neighbors[CFG_MAX_NEIGHBORS];
	unsigned n_announces;
	struct ipv4_prefix announces[CFG_MAX_ANNOUNCES];
	uint16_t port_block; /* ports per block handed to an inside host; 0: port by port */
	unsigned n_ipfix;
	struct cfg_collector ipfix[CFG_MAX_COLLECTORS];
	unsigned n_syslog;
	struct cfg_collector syslog[CFG_MAX_COLLECTORS];
	uint32_t metrics_addr; /* Prometheus /metrics; metrics_port 0: not served */
	uint16_t metrics_port;
};

/* The configuration before any command: no ports, the NAT defaults of NAT-BEHAVIOUR.md. */
void config_init(struct secnat_config *cfg);

struct cfg_vxc *config_vxc_by_name(struct secnat_config *cfg, const char *name);
/* The BGP neighbor of address `addr` (host order), or NULL. */
const struct cfg_neighbor *config_neighbor(const struct secnat_config *cfg, uint32_t addr);
const struct cfg_vxc *config_vxc_by_peer(const struct secnat_config *cfg, uint32_t peer);
/* Where configured gateway `gw` is reached: through the VXC whose peer it is (*vxc its index), or on
 * the port whose subnet holds it (*vxc -1). False when it is on no connected subnet. */
bool config_gateway(const struct secnat_config *cfg, uint32_t gw, uint16_t *port, int *vxc);
