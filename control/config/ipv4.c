/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipv4.h"

bool ipv4_parse(const char *s, uint32_t *addr)
{
	uint32_t value = 0;
	int octet;

	for (octet = 0; octet < 4; octet++) {
		unsigned n = 0, digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (digits == 1 && n == 0)
				return false; /* "01": ambiguous (octal in some tools) */
			n = n * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || n > 255)
				return false;
		}
		if (digits == 0)
			return false;
		value = value << 8 | n;
		if (octet < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*addr = value;
	return true;
}

bool ipv4_prefix_parse(const char *s, struct ipv4_prefix *p)
{
	const char *slash = strchr(s, '/');
	char addr[IPV4_STRLEN];
	char *end;
	long len;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(addr) || slash[1] == '\0')
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || len < 0 || len > 32 || (slash[1] == '0' && slash[2] != '\0'))
		return false;
	if (!ipv4_parse(addr, &p->addr))
		return false;
	p->len = (uint8_t)len;
	return true;
}

bool ipv4_prefix_overlaps(const struct ipv4_prefix *a, const struct ipv4_prefix *b)
{
	uint8_t len = a->len < b->len ? a->len : b->len;

	return (a->addr & ipv4_mask(len)) == (b->addr & ipv4_mask(len));
}

static const struct {
	uint32_t addr;
	uint8_t len;
	const char *name;
} non_public[] = {
	{0x00000000, 8, "0.0.0.0/8 (this network)"},
	{0x0a000000, 8, "10.0.0.0/8 (RFC 1918 private)"},
	{0x64400000, 10, "100.64.0.0/10 (RFC 6598 shared address space)"},
	{0x7f000000, 8, "127.0.0.0/8 (loopback)"},
	{0xa9fe0000, 16, "169.254.0.0/16 (link local)"},
	{0xac100000, 12, "172.16.0.0/12 (RFC 1918 private)"},
	{0xc0a80000, 16, "192.168.0.0/16 (RFC 1918 private)"},
	{0xe0000000, 4, "224.0.0.0/4 (multicast)"},
	{0xf0000000, 4, "240.0.0.0/4 (reserved)"},
};

bool ipv4_non_public_range(unsigned i, struct ipv4_prefix *out)
{
	if (i >= sizeof(non_public) / sizeof(non_public[0]))
		return false;
	out->addr = non_public[i].addr;
	out->len = non_public[i].len;
	return true;
}

const char *ipv4_non_public_reason(const struct ipv4_prefix *p)
{
	size_t i;

	if (p->len == 0)
		return "the default route";
	for (i = 0; i < sizeof(non_public) / sizeof(non_public[0]); i++) {
		struct ipv4_prefix np = {.addr = non_public[i].addr, .len = non_public[i].len};

		if (ipv4_prefix_overlaps(p, &np))
			return non_public[i].name;
	}
	return NULL;
}

char *ipv4_format(uint32_t addr, char *buf)
{
	snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
	return buf;
}

char *ipv4_prefix_format(const struct ipv4_prefix *p, char *buf)
{
	char a[IPV4_STRLEN];

	snprintf(buf, IPV4_PREFIX_STRLEN, "%s/%u", ipv4_format(p->addr, a), p->len);
	return buf;
}
