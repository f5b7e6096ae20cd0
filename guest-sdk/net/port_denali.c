/* SPDX-License-Identifier: MIT */
/*
 * libnet on the Denali virtual machine: the NIC hypercalls, the guest
 * clock, and the network thread. The thread polls the stack while
 * frames keep coming and otherwise waits on a condition variable that
 * the DENALI_IRQ_NET upcall and a software timer (at the stack's next
 * protocol deadline) signal; when no thread can run, the scheduler idles
 * the VM with upcalls enabled, so an idle VM costs no CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <denali.h>
#include "stack.h"

/* While the NIC's send queue stays full: how often, how long to idle. */
#define TX_RETRIES		20
#define TX_RETRY_USEC		500

_Static_assert(NET_FRAME_MAX == DENALI_FRAME_MAX, "frame size");
_Static_assert(NET_BATCH <= DENALI_NET_BATCH_MAX, "batch size");

static struct net_stack *the_stack;
static struct thread_mutex loop_lock = THREAD_MUTEX_INIT;
static struct thread_cond loop_wait = THREAD_COND_INIT;
/* Set by upcalls and by stack calls: the loop must poll again. */
static volatile int loop_kicked;
static struct denali_timer loop_timer;

uint64_t net_port_now_ns(void)
{
	return denali_now_ns();
}

struct net_stack *net_port_stack(void)
{
	return the_stack;
}

unsigned int net_port_send(struct net_stack *ns, const struct net_frame *f,
			   unsigned int count)
{
	struct denali_frame frames[NET_BATCH];
	unsigned int i, done = 0, tries = 0;
	long ret;

	(void)ns;
	for (i = 0; i < count; i++) {
		frames[i].addr = (uint32_t)(uintptr_t)f[i].data;
		frames[i].len = f[i].len;
	}
	while (done < count) {
		ret = denali_net_send(frames + done, count - done);
		if (ret > 0 && (unsigned long)ret <= count - done) {
			done += (unsigned int)ret;
			tries = 0;
			continue;
		}
		if (ret != -EAGAIN || ++tries > TX_RETRIES)
			break;
		/* The queue drains without telling us: idle a little. */
		denali_idle(TX_RETRY_USEC);
	}
	return done;
}

unsigned int net_port_recv(struct net_stack *ns, struct net_frame *f,
			   unsigned int count)
{
	struct denali_frame frames[NET_BATCH];
	unsigned int i;
	long ret;

	(void)ns;
	for (i = 0; i < count; i++) {
		frames[i].addr = (uint32_t)(uintptr_t)f[i].data;
		frames[i].len = f[i].len;
	}
	ret = denali_net_recv(frames, count);
	if (ret <= 0)
		return 0;
	if ((unsigned long)ret > count)
		ret = count;
	for (i = 0; i < (unsigned int)ret; i++)
		f[i].len = frames[i].len;
	return (unsigned int)ret;
}

/* From an upcall, a timer callback or a thread: upcalls are disabled. */
static void loop_kick(void)
{
	loop_kicked = 1;
	thread_cond_signal(&loop_wait);
}

void net_port_wake(struct net_stack *ns)
{
	int was = denali_irq_save();

	(void)ns;
	loop_kick();
	denali_irq_restore(was);
}

static void net_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	loop_kick();
}

static void loop_timer_fired(struct denali_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	loop_kick();
}

static void *net_loop(void *arg)
{
	struct net_stack *ns = arg;

	for (;;) {
		loop_kicked = 0;
		/* A full batch: more frames may wait, but let others run. */
		if (net_stack_poll(ns) == NET_BATCH) {
			thread_yield();
			continue;
		}

		thread_mutex_lock(&loop_lock);
		denali_irq_disable();
		if (ns->wake_ns != UINT64_MAX)
			denali_timer_add(&loop_timer, ns->wake_ns,
					 loop_timer_fired, NULL);
		else
			denali_timer_cancel(&loop_timer);
		/* Upcalls stay off from the test to the wait: none is lost. */
		while (!loop_kicked)
			thread_cond_wait(&loop_wait, &loop_lock);
		denali_irq_enable();
		thread_mutex_unlock(&loop_lock);
	}
	return NULL;
}

int net_start(void)
{
	const volatile struct denali_vregs *vr = denali_vregs();
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	struct net_config cfg = { 0 };
	struct net_stack *ns;
	unsigned int i, mac_bits = 0;
	int ret;

	if (the_stack)
		return -EALREADY;
	denali_cmdline(cmdline, sizeof(cmdline));
	ret = net_config_parse(cmdline, &cfg);
	if (ret || !cfg.ip) {
		printf("net: no usable ip=A.B.C.D/LEN (and gw=) on the command line\n");
		return -EINVAL;
	}
	for (i = 0; i < 6; i++) {
		cfg.mac[i] = vr->mac[i];
		mac_bits |= cfg.mac[i];
	}
	if (!mac_bits) {
		printf("net: this VM has no NIC\n");
		return -ENODEV;
	}
	cfg.mtu = vr->mtu;

	ns = net_stack_create(&cfg, NULL);
	if (!ns)
		return -ENOMEM;
	the_stack = ns;
	denali_irq_register(DENALI_IRQ_NET, net_irq, NULL);
	if (!thread_create(net_loop, ns)) {
		denali_irq_register(DENALI_IRQ_NET, NULL, NULL);
		the_stack = NULL;
		free(ns);
		return -ENOMEM;
	}
	return 0;
}
