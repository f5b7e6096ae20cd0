/* SPDX-License-Identifier: MIT */
/*
 * A receive flood: distinct full-size frames to count= victims whose
 * MACs run from base= upwards in the last byte (the victims never read
 * their NIC), round robin, as fast as the send queue takes them. Each
 * victim's receive queue must stay bounded in bytes, its overflow
 * counted as its rx drops, and the memory charged, not the host's.
 */
#include "hostile.h"

static uint8_t f[DENALI_NET_BATCH_MAX][DENALI_FRAME_MAX];
static struct denali_frame d[DENALI_NET_BATCH_MAX];

int main(void)
{
	unsigned int count = hostile_num("count", 1), v = 0;
	unsigned long n = 0, full = 0;
	uint8_t mac[6], base[6];
	long r;
	int i;

	hostile_own_mac(mac);
	hostile_mac_arg("base", base);
	for (i = 0; i < DENALI_NET_BATCH_MAX; i++) {
		hostile_eth(f[i], base, mac, 0x88b5);
		memset(f[i] + ETH_HLEN, 0x3c, DENALI_FRAME_MAX - ETH_HLEN);
		d[i].addr = (uint32_t)(unsigned long)f[i];
		d[i].len = DENALI_FRAME_MAX;
	}
	printf("rxflood: flooding %u victims\n", count);
	for (;;) {
		for (i = 0; i < DENALI_NET_BATCH_MAX; i++) {
			f[i][5] = base[5] + v;
			v = (v + 1) % count;
			/* Distinct contents: no frame is a copy of another. */
			hostile_put32(f[i] + ETH_HLEN, n + i);
		}
		r = denali_net_send(d, DENALI_NET_BATCH_MAX);
		if (r > 0)
			n += r;
		if (r < DENALI_NET_BATCH_MAX) {
			if (!(++full % 1000))
				printf("rxflood: %lu sent\n", n);
			hostile_drain();
			denali_idle(0);
		}
	}
}
