/* SPDX-License-Identifier: MIT */
/*
 * Raw frames on the virtual NIC. The first word of the command line
 * picks the mode:
 *
 *   echo (or nothing)  sends every frame it receives back to its source,
 *                      MACs swapped, idling between bursts until
 *                      DENALI_IRQ_NET
 *   spoof              first sends 16 broadcast frames with a forged
 *                      source MAC (02:66:66:66:66:66), then echoes
 *   flood              sends frames to an unknown MAC as fast as the
 *                      send queue takes them, yielding when it is full,
 *                      forever
 *   badargs            checks the errnos of bad NIC hypercall arguments,
 *                      prints "netraw: badargs ok" and exits 0, or
 *                      prints what failed and exits 1
 *
 * Every mode but badargs first prints "netraw: ready mac=<MAC> mtu=<MTU>".
 */
#include <stdio.h>
#include <string.h>
#include <denali.h>

#define EAGAIN	11
#define EFAULT	14
#define EINVAL	22

#define BATCH	16

static uint8_t rx_buf[BATCH][DENALI_FRAME_MAX];
static uint8_t tx_buf[DENALI_FRAME_MAX];
static struct denali_frame descs[DENALI_NET_BATCH_MAX];
static uint8_t mac[6];
static volatile int frames_arrived;

static void net_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	frames_arrived = 1;
}

static const char *word_is(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(cmdline, word, n) == 0 &&
	    (cmdline[n] == '\0' || cmdline[n] == ' '))
		return cmdline + n;
	return NULL;
}

/* A 60-byte frame of EtherType 0x88b5 (local experimental). */
static unsigned int make_frame(uint8_t *f, const uint8_t *dst,
			       const uint8_t *src, uint8_t tag)
{
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	f[14] = tag;
	return 60;
}

static void echo(void)
{
	long n, i;

	denali_irq_register(DENALI_IRQ_NET, net_irq, NULL);
	for (;;) {
		frames_arrived = 0;
		for (i = 0; i < BATCH; i++) {
			descs[i].addr = (uint32_t)(unsigned long)rx_buf[i];
			descs[i].len = sizeof(rx_buf[i]);
		}
		n = denali_net_recv(descs, BATCH);
		if (n < 0) {
			printf("netraw: recv failed: %ld\n", n);
			denali_terminate(1);
		}
		for (i = 0; i < n; i++) {
			uint8_t *f = rx_buf[i];

			/* Back to its source, from us. */
			memcpy(f, f + 6, 6);
			memcpy(f + 6, mac, 6);
		}
		if (n > 0) {
			long sent;

			/* The receive descriptors now hold the frames' lengths. */
			while ((sent = denali_net_send(descs, n)) == -EAGAIN)
				denali_idle(0);
			if (sent < 0)
				printf("netraw: send failed: %ld\n", sent);
			continue;
		}
		denali_irq_disable();
		if (!frames_arrived)
			denali_irq_idle(DENALI_IDLE_FOREVER);
		else
			denali_irq_enable();
	}
}

static void spoof(void)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t forged[6] = { 0x02, 0x66, 0x66, 0x66, 0x66, 0x66 };
	struct denali_frame d;
	long ret, taken = 0;
	int i;

	d.addr = (uint32_t)(unsigned long)tx_buf;
	d.len = make_frame(tx_buf, bcast, forged, 0x5f);
	/* The kernel takes them (and drops them): the ABI says so. */
	for (i = 0; i < 16; i++) {
		ret = denali_net_send(&d, 1);
		if (ret == 1)
			taken++;
	}
	printf("netraw: spoofed %ld\n", taken);
}

static void flood(void)
{
	static const uint8_t nobody[6] = { 0x02, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe };
	unsigned long full = 0;
	long ret;
	int i;

	for (i = 0; i < DENALI_NET_BATCH_MAX; i++) {
		descs[i].addr = (uint32_t)(unsigned long)tx_buf;
		descs[i].len = 60;
	}
	make_frame(tx_buf, nobody, mac, 0xf1);
	printf("netraw: flooding\n");
	for (;;) {
		ret = denali_net_send(descs, DENALI_NET_BATCH_MAX);
		if (ret == -EAGAIN) {
			if (!(full++ % 1000))
				printf("netraw: queue full %lu times\n", full);
			denali_idle(0);
		} else if (ret < 0) {
			printf("netraw: flood send failed: %ld\n", ret);
			denali_terminate(1);
		}
	}
}

static int failures;

static void expect(const char *what, long got, long want)
{
	if (got == want)
		return;
	printf("netraw: %s: got %ld, want %ld\n", what, got, want);
	failures++;
}

static void badargs(void)
{
	uint32_t mem = denali_vregs()->mem_size;
	uint32_t frame = (uint32_t)(unsigned long)tx_buf;
	struct denali_frame *d = descs;

	make_frame(tx_buf, mac, mac, 0xba);

	/* The descriptor array itself outside memory, or wrapping. */
	expect("send array outside", denali_hypercall2(DENALI_HC_NET_SEND,
						       mem, 1), -EFAULT);
	expect("send array wraps", denali_hypercall2(DENALI_HC_NET_SEND,
						     0xfffffffc, 1), -EFAULT);
	expect("recv array outside", denali_hypercall2(DENALI_HC_NET_RECV,
						       mem - 4, 1), -EFAULT);
	expect("send none", denali_hypercall2(DENALI_HC_NET_SEND, mem, 0), 0);

	/* Bad lengths and frames outside memory. */
	d[0].addr = frame;
	d[0].len = 0;
	expect("send len 0", denali_net_send(d, 1), -EINVAL);
	d[0].len = DENALI_FRAME_MIN - 1;
	expect("send len 13", denali_net_send(d, 1), -EINVAL);
	d[0].len = DENALI_FRAME_MAX + 1;
	expect("send len 1515", denali_net_send(d, 1), -EINVAL);
	d[0].len = 0xffffffff;
	expect("send len max", denali_net_send(d, 1), -EINVAL);
	d[0].addr = mem - 30;
	d[0].len = 60;
	expect("send frame outside", denali_net_send(d, 1), -EFAULT);
	d[0].addr = 0xffffffe0;
	expect("send frame wraps", denali_net_send(d, 1), -EFAULT);

	/* A good first frame and a bad second: one taken. */
	d[0].addr = frame;
	d[0].len = 60;
	d[1].addr = mem;
	d[1].len = 60;
	expect("send good then bad", denali_net_send(d, 2), 1);

	d[0].addr = frame;
	d[0].len = DENALI_FRAME_MIN - 1;
	expect("recv buffer too small", denali_net_recv(d, 1), -EINVAL);
	d[0].addr = mem - 100;
	d[0].len = 2048;
	expect("recv buffer outside", denali_net_recv(d, 1), -EFAULT);
	d[0].addr = frame;
	d[0].len = sizeof(tx_buf);
	expect("recv nothing waiting", denali_net_recv(d, 1), 0);

	/* The hypercall page and vregs are guest memory too: no harm. */
	d[0].addr = 0;
	d[0].len = 64;
	expect("send from vregs", denali_net_send(d, 1), 1);

	/* Let the switch forward what was taken before the port goes. */
	denali_idle(200000);
	if (failures) {
		printf("netraw: badargs: %d failed\n", failures);
		denali_terminate(1);
	}
	printf("netraw: badargs ok\n");
	denali_terminate(0);
}

int main(void)
{
	const volatile struct denali_vregs *vregs = denali_vregs();
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	int i;

	denali_cmdline(cmdline, sizeof(cmdline));
	for (i = 0; i < 6; i++)
		mac[i] = vregs->mac[i];

	if (word_is(cmdline, "badargs"))
		badargs();
	printf("netraw: ready mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%u\n",
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       (unsigned int)vregs->mtu);
	if (word_is(cmdline, "spoof"))
		spoof();
	else if (word_is(cmdline, "flood"))
		flood();
	echo();
	return 0;
}
