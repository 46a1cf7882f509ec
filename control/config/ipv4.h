/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 addresses and prefixes as the operator writes them, and the address-space rules of
 * Express Connect (CONSOLE.md): what may be used as customer or public space.
 * Addresses are in host byte order in the control plane.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipv4_prefix {
	uint32_t addr;
	uint8_t len;
};

/* Parses "A.B.C.D" strictly (four decimal octets, no leading zeros beyond "0"). */
bool ipv4_parse(const char *s, uint32_t *addr);
/* Parses "A.B.C.D/len". Host bits may be set (an interface address); see ipv4_prefix_is_network. */
bool ipv4_prefix_parse(const char *s, struct ipv4_prefix *p);

static inline uint32_t ipv4_mask(uint8_t len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

static inline bool ipv4_prefix_contains(const struct ipv4_prefix *p, uint32_t addr)
{
	return (addr & ipv4_mask(p->len)) == (p->addr & ipv4_mask(p->len));
}

static inline bool ipv4_prefix_is_network(const struct ipv4_prefix *p)
{
	return (p->addr & ~ipv4_mask(p->len)) == 0;
}

/* Do two prefixes share any address? */
bool ipv4_prefix_overlaps(const struct ipv4_prefix *a, const struct ipv4_prefix *b);

/*
 * When `p` touches space that is never customer or public space (RFC 1918, 0/8, 127/8, 169.254/16,
 * 100.64/10, 224/4, 240/4, or the default route), the name of that space; NULL when it is usable.
 * RFC 5737's documentation ranges are usable, so that examples and labs work.
 */
const char *ipv4_non_public_reason(const struct ipv4_prefix *p);
/* The i-th range that is not public space, for policies written elsewhere (the BGP import filter);
 * false past the last. */
bool ipv4_non_public_range(unsigned i, struct ipv4_prefix *out);

/* Formats into `buf` (at least IPV4_PREFIX_STRLEN bytes); returns buf. */
#define IPV4_STRLEN 16
#define IPV4_PREFIX_STRLEN 19
char *ipv4_format(uint32_t addr, char *buf);
char *ipv4_prefix_format(const struct ipv4_prefix *p, char *buf);
