/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Denali's tracepoints (Documentation/tracing.rst). trace.c defines them;
 * the other files include this header and call trace_denali_*(), which
 * costs a static branch while the event is off. Arguments that cost
 * anything to compute are worked out in TP_fast_assign, only when on.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM denali

#ifndef _DENALI_TRACE_TYPES_H
#define _DENALI_TRACE_TYPES_H

#include <linux/types.h>

/* Why the switch, or a VM's receive hypercall, dropped a frame. */
enum denali_drop_reason {
	DENALI_DROP_TX_FULL,		/* the sender's queue was full */
	DENALI_DROP_RX_FULL,		/* the receiver's queue was full */
	DENALI_DROP_NO_MEMORY,		/* no copy for one flooded port */
	DENALI_DROP_SPOOFED,		/* a source MAC not the sender's */
	DENALI_DROP_ADDR_SPOOFED,	/* an IPv4 source not the sender's */
	DENALI_DROP_ROUTER,		/* a router's or DHCP server's frame */
	DENALI_DROP_TOO_LONG,		/* longer than the guest's buffer */
};

#endif /* _DENALI_TRACE_TYPES_H */

#if !defined(_DENALI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DENALI_TRACE_H

#include <linux/ktime.h>
#include <linux/smp.h>
#include <linux/tracepoint.h>
#include <linux/denali_abi.h>

#include "backend.h"

/* Enum names, so that user space can decode the symbolic fields. */
TRACE_DEFINE_ENUM(DENALI_EXIT_NONE);
TRACE_DEFINE_ENUM(DENALI_EXIT_HYPERCALL);
TRACE_DEFINE_ENUM(DENALI_EXIT_MEM_FAULT);
TRACE_DEFINE_ENUM(DENALI_EXIT_FPU);
TRACE_DEFINE_ENUM(DENALI_EXIT_CRASH);

TRACE_DEFINE_ENUM(DENALI_HC_TERMINATE);
TRACE_DEFINE_ENUM(DENALI_HC_CONSOLE_WRITE);
TRACE_DEFINE_ENUM(DENALI_HC_IDLE);
TRACE_DEFINE_ENUM(DENALI_HC_TIMER_SET);
TRACE_DEFINE_ENUM(DENALI_HC_CONSOLE_READ);
TRACE_DEFINE_ENUM(DENALI_HC_NET_SEND);
TRACE_DEFINE_ENUM(DENALI_HC_NET_RECV);

TRACE_DEFINE_ENUM(DENALI_IRQ_TIMER);
TRACE_DEFINE_ENUM(DENALI_IRQ_CONSOLE);
TRACE_DEFINE_ENUM(DENALI_IRQ_NET);

TRACE_DEFINE_ENUM(DENALI_DROP_TX_FULL);
TRACE_DEFINE_ENUM(DENALI_DROP_RX_FULL);
TRACE_DEFINE_ENUM(DENALI_DROP_NO_MEMORY);
TRACE_DEFINE_ENUM(DENALI_DROP_SPOOFED);
TRACE_DEFINE_ENUM(DENALI_DROP_ADDR_SPOOFED);
TRACE_DEFINE_ENUM(DENALI_DROP_ROUTER);
TRACE_DEFINE_ENUM(DENALI_DROP_TOO_LONG);

TRACE_EVENT(denali_vm_exit,
	TP_PROTO(u32 vm_id, const struct denali_exit *exit),
	TP_ARGS(vm_id, exit),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, kind)
		__field(u64, gpa)
		/* Only a crash exit sets its reason. */
		__string(reason, exit->kind == DENALI_EXIT_CRASH ?
				 exit->reason : "")
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->kind = exit->kind;
		__entry->gpa = exit->kind == DENALI_EXIT_MEM_FAULT ?
			       exit->gpa : 0;
		__assign_str(reason, exit->kind == DENALI_EXIT_CRASH ?
				     exit->reason : "");
	),

	TP_printk("vm %u kind %s gpa 0x%llx reason \"%s\"", __entry->vm_id,
		  __print_symbolic(__entry->kind,
			  { DENALI_EXIT_NONE, "host" },
			  { DENALI_EXIT_HYPERCALL, "hypercall" },
			  { DENALI_EXIT_MEM_FAULT, "mem_fault" },
			  { DENALI_EXIT_FPU, "fpu" },
			  { DENALI_EXIT_CRASH, "crash" }),
		  __entry->gpa, __get_str(reason))
);

TRACE_EVENT(denali_hypercall,
	TP_PROTO(u32 vm_id, u32 nr, long result),
	TP_ARGS(vm_id, nr, result),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, nr)
		__field(long, result)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->nr = nr;
		__entry->result = result;
	),

	TP_printk("vm %u nr %s result %ld", __entry->vm_id,
		  __print_symbolic(__entry->nr,
			  { DENALI_HC_TERMINATE, "terminate" },
			  { DENALI_HC_CONSOLE_WRITE, "console_write" },
			  { DENALI_HC_IDLE, "idle" },
			  { DENALI_HC_TIMER_SET, "timer_set" },
			  { DENALI_HC_CONSOLE_READ, "console_read" },
			  { DENALI_HC_NET_SEND, "net_send" },
			  { DENALI_HC_NET_RECV, "net_recv" }),
		  __entry->result)
);

TRACE_EVENT(denali_sched_in,
	TP_PROTO(u32 vm_id),
	TP_ARGS(vm_id),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, cpu)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->cpu = smp_processor_id();
	),

	TP_printk("vm %u cpu %u", __entry->vm_id, __entry->cpu)
);

TRACE_EVENT(denali_sched_out,
	TP_PROTO(u32 vm_id, u64 since_ns),
	TP_ARGS(vm_id, since_ns),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, cpu)
		__field(u64, ran_ns)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->cpu = smp_processor_id();
		__entry->ran_ns = ktime_get_ns() - since_ns;
	),

	TP_printk("vm %u cpu %u ran_ns %llu", __entry->vm_id, __entry->cpu,
		  __entry->ran_ns)
);

TRACE_EVENT(denali_irq_raise,
	TP_PROTO(u32 vm_id, unsigned int irq),
	TP_ARGS(vm_id, irq),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, irq)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->irq = irq;
	),

	TP_printk("vm %u irq %s", __entry->vm_id,
		  __print_symbolic(__entry->irq,
			  { DENALI_IRQ_TIMER, "timer" },
			  { DENALI_IRQ_CONSOLE, "console" },
			  { DENALI_IRQ_NET, "net" }))
);

TRACE_EVENT(denali_irq_deliver,
	TP_PROTO(u32 vm_id, u32 pending),
	TP_ARGS(vm_id, pending),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, pending)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->pending = pending;
	),

	TP_printk("vm %u pending %s", __entry->vm_id,
		  __print_flags(__entry->pending, "|",
			  { BIT(DENALI_IRQ_TIMER), "timer" },
			  { BIT(DENALI_IRQ_CONSOLE), "console" },
			  { BIT(DENALI_IRQ_NET), "net" }))
);

DECLARE_EVENT_CLASS(denali_vm_pages,
	TP_PROTO(u32 vm_id, u64 pages),
	TP_ARGS(vm_id, pages),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u64, pages)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->pages = pages;
	),

	TP_printk("vm %u pages %llu", __entry->vm_id, __entry->pages)
);

/* It waits for pages: its memory and a full receive queue. */
DEFINE_EVENT(denali_vm_pages, denali_gate_wait,
	TP_PROTO(u32 vm_id, u64 pages),
	TP_ARGS(vm_id, pages)
);

/* The pages reserved for it until it touches them. */
DEFINE_EVENT(denali_vm_pages, denali_gate_admit,
	TP_PROTO(u32 vm_id, u64 pages),
	TP_ARGS(vm_id, pages)
);

/* The pinned pages it gives up. */
DEFINE_EVENT(denali_vm_pages, denali_swap_out,
	TP_PROTO(u32 vm_id, u64 pages),
	TP_ARGS(vm_id, pages)
);

/* The pages pinned again; the rest fault back in as it runs. */
TRACE_EVENT(denali_swap_in,
	TP_PROTO(u32 vm_id, u64 pages, u64 swapped_since),
	TP_ARGS(vm_id, pages, swapped_since),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u64, pages)
		__field(u64, swapped_ns)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->pages = pages;
		/* 0: it never ran before, so it was never out. */
		__entry->swapped_ns = swapped_since ?
				      ktime_get_ns() - swapped_since : 0;
	),

	TP_printk("vm %u pages %llu swapped_ns %llu", __entry->vm_id,
		  __entry->pages, __entry->swapped_ns)
);

TRACE_EVENT(denali_frame_drop,
	TP_PROTO(u32 vm_id, enum denali_drop_reason reason),
	TP_ARGS(vm_id, reason),

	TP_STRUCT__entry(
		__field(u32, vm_id)
		__field(u32, reason)
	),

	TP_fast_assign(
		__entry->vm_id = vm_id;
		__entry->reason = reason;
	),

	TP_printk("vm %u reason %s", __entry->vm_id,
		  __print_symbolic(__entry->reason,
			  { DENALI_DROP_TX_FULL, "tx_full" },
			  { DENALI_DROP_RX_FULL, "rx_full" },
			  { DENALI_DROP_NO_MEMORY, "no_memory" },
			  { DENALI_DROP_SPOOFED, "spoofed" },
			  { DENALI_DROP_ADDR_SPOOFED, "addr_spoofed" },
			  { DENALI_DROP_ROUTER, "router" },
			  { DENALI_DROP_TOO_LONG, "too_long" }))
);

#endif /* _DENALI_TRACE_H */

/* Out of tree too: trace.c's directory is on the include path. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

#include <trace/define_trace.h>
