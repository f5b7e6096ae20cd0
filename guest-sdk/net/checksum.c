/* SPDX-License-Identifier: MIT */
/*
 * The Internet checksum (RFC 1071): a ones' complement sum of 16-bit
 * words, carried in 32 bits and folded at the end, so that sums over
 * pieces (pseudo-header, header, data) simply add.
 */
#include "stack.h"

uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	/* Words in network order: high byte first. */
	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		if (sum & 0x80000000U)
			sum = (sum & 0xffff) + (sum >> 16);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

/* The checksum to store, in network order; 0 when checking means good. */
uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return net_htons((uint16_t)~sum);
}

uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			 uint16_t len)
{
	uint32_t sum;

	sum = net_csum_add(0, &src, 4);
	sum = net_csum_add(sum, &dst, 4);
	return sum + proto + len;
}
