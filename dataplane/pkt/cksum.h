/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental Internet checksum updates (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')).
 *
 * All values are taken exactly as they sit in the packet (network byte order): one's complement
 * addition is byte-order independent as long as every operand is in the same order.
 */
#pragma once

#include <stdint.h>

/* Folds a 32-bit one's complement accumulator into 16 bits. */
static inline uint16_t cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum field `ck` after a 16-bit word changed from `old` to `new`. */
static inline uint16_t cksum_adjust16(uint16_t ck, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~ck + (uint32_t)(uint16_t)~old + new;
	return (uint16_t)~cksum_fold(sum);
}

/* Checksum field `ck` after a 32-bit word (an IPv4 address) changed from `old` to `new`. */
static inline uint16_t cksum_adjust32(uint16_t ck, uint32_t old, uint32_t new)
{
	uint32_t sum = (uint16_t)~ck;
	sum += (uint16_t)~(old & 0xffff) + (uint32_t)(uint16_t)~(old >> 16);
	sum += (new & 0xffff) + (new >> 16);
	return (uint16_t)~cksum_fold(sum);
}

/*
 * The UDP variants: a zero checksum means "none" (RFC 768) and stays zero; a computed zero is sent
 * as 0xffff so that it is not mistaken for "none".
 */
static inline uint16_t cksum_udp_adjust16(uint16_t ck, uint16_t old, uint16_t new)
{
	if (ck == 0)
		return 0;
	ck = cksum_adjust16(ck, old, new);
	return ck == 0 ? 0xffff : ck;
}

static inline uint16_t cksum_udp_adjust32(uint16_t ck, uint32_t old, uint32_t new)
{
	if (ck == 0)
		return 0;
	ck = cksum_adjust32(ck, old, new);
	return ck == 0 ? 0xffff : ck;
}

/* One's complement sum of a buffer, not complemented; the building block of from-scratch checks. */
static inline uint32_t cksum_partial(const void *buf, uint32_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	for (; len >= 2; len -= 2, p += 2)
		sum += (uint32_t)(p[0] | (p[1] << 8));
	if (len)
		sum += p[0];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}
