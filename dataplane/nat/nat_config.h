/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT policy as the control thread publishes it to the workers. Workers only read it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

enum nat_mapping {
	/* RFC 7857 §3: the external port is unique per remote endpoint, so one public address serves
	 * 64,512 TCP connections to *each* remote endpoint instead of 64,512 in total. */
	NAT_MAPPING_ENDPOINT_DEPENDENT,
	/* RFC 4787/5382 REQ-1: H:p keeps the same P:x towards every destination. */
	NAT_MAPPING_ENDPOINT_INDEPENDENT,
};

enum nat_timeout {
	NAT_TIMEOUT_UDP,
	NAT_TIMEOUT_TCP_ESTABLISHED,
	NAT_TIMEOUT_TCP_TRANSITORY,
	NAT_TIMEOUT_ICMP,
	NAT_TIMEOUT_PORT_HOLD, /* a released external tuple is not reused before this */
	NAT_TIMEOUT_FRAGMENT,  /* how long a partly seen fragmented datagram is remembered */
	NAT_TIMEOUT_MAX,
};

#define NAT_MAX_POOLS 64
#define NAT_MAX_RESERVED_PORTS 8

/* A contiguous range of public addresses, host byte order. */
struct nat_pool {
	uint32_t first;
	uint32_t count;
};

struct nat_config {
	enum nat_mapping mapping;
	uint32_t timeout[NAT_TIMEOUT_MAX]; /* seconds */
	uint32_t per_host_limit;           /* sessions per inside address; 0: unlimited */
	uint32_t embryonic_per_host_limit; /* of them half-open TCP; 0: unlimited */
	uint16_t n_pools;
	struct nat_pool pools[NAT_MAX_POOLS];
	/* TCP ports the appliance itself listens on (BGP): never handed out as external ports. */
	uint16_t n_reserved_tcp;
	uint16_t reserved_tcp[NAT_MAX_RESERVED_PORTS];
	/* Report NAT events (nat_log.h): set while a collector is configured. */
	bool log_events;
	/* Ports handed to an inside host a block at a time (nat_blocks.c); 0: one by one. */
	uint16_t port_block;
};

/* The defaults of NAT-BEHAVIOUR.md: UDP 300 s, TCP 7440/240 s, ICMP 60 s, 120 s port hold. */
void nat_config_defaults(struct nat_config *config);
