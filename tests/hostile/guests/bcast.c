/* SPDX-License-Identifier: MIT */
/*
 * A broadcast storm: distinct full-size (1514-byte) broadcast frames as
 * fast as the send queue takes them, yielding when it is full. Every
 * port and denali0 get each one; the storm must stay the attacker's
 * (its own tx drops), and the others' receive queues bounded.
 */
#include "hostile.h"

static uint8_t f[DENALI_NET_BATCH_MAX][DENALI_FRAME_MAX];
static struct denali_frame d[DENALI_NET_BATCH_MAX];

int main(void)
{
	unsigned long n = 0, full = 0;
	uint8_t mac[6];
	long r;
	int i;

	hostile_own_mac(mac);
	for (i = 0; i < DENALI_NET_BATCH_MAX; i++) {
		hostile_eth(f[i], hostile_bcast, mac, 0x88b5);
		memset(f[i] + ETH_HLEN, 0xbc, DENALI_FRAME_MAX - ETH_HLEN);
		d[i].addr = (uint32_t)(unsigned long)f[i];
		d[i].len = DENALI_FRAME_MAX;
	}
	printf("bcast: storming\n");
	for (;;) {
		for (i = 0; i < DENALI_NET_BATCH_MAX; i++)
			hostile_put32(f[i] + ETH_HLEN, n + i);
		r = denali_net_send(d, DENALI_NET_BATCH_MAX);
		if (r > 0)
			n += r;
		if (r < DENALI_NET_BATCH_MAX) {
			if (!(++full % 1000))
				printf("bcast: %lu sent, queue full %lu times\n",
				       n, full);
			hostile_drain();
			denali_idle(0);
		}
	}
}
