/* SPDX-License-Identifier: MIT */
/*
 * The porting layer: all that the stack needs from its machine. The
 * guest has one implementation (port_denali.c: hypercalls, the guest
 * clock, a network thread); the host tests have another (test/sim.c: a
 * simulated wire and clock joining many stacks in one process). The
 * stack itself never touches hardware, so it runs unchanged on both.
 */
#ifndef _NET_PORT_H
#define _NET_PORT_H

#include <stdint.h>

struct net_stack;

/* A frame buffer: the NIC's view of one frame. */
struct net_frame {
	uint8_t *data;
	unsigned int len;	/* the frame's length, or the buffer's size */
};

/* The clock, in nanoseconds; it never goes back. */
uint64_t net_port_now_ns(void);

/* The stack of the calling thread's VM. */
struct net_stack *net_port_stack(void);

/*
 * Hands count frames to the NIC, waiting (bounded) while its queue is
 * full; returns how many it took. The NIC copies them.
 */
unsigned int net_port_send(struct net_stack *ns, const struct net_frame *f,
			   unsigned int count);

/* Fills up to count buffers with received frames; returns how many. */
unsigned int net_port_recv(struct net_stack *ns, struct net_frame *f,
			   unsigned int count);

/*
 * A timer of the stack now expires before the network thread meant to
 * wake: it must call net_stack_poll() by then.
 */
void net_port_wake(struct net_stack *ns);

#endif /* _NET_PORT_H */
