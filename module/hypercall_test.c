// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for hypercall arguments: a guest passes any 32-bit number,
 * address and length. An unknown number gets -ENOSYS; only a buffer
 * wholly inside the guest's memory may be used, cut to the hypercall's
 * maximum; a NIC descriptor must also hold a frame of a valid size.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/denali.h>
#include <linux/denali_abi.h>

#include "hc.h"
#include "hc_console.h"
#include "hc_net.h"
#include "hypercall.h"
#include "vm.h"

#define VM_MEM	(4U << 20)
#define CON_MAX	DENALI_CONSOLE_WRITE_MAX

static void hc_buffer_inside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 13, CON_MAX), 13);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - 1, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX, CON_MAX, CON_MAX),
			CON_MAX);
	/* An empty buffer is nothing to do, even at the very end. */
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 0, CON_MAX), 0);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM, 0, CON_MAX), 0);
}

/* A longer buffer is used up to max; it must still lie in memory whole. */
static void hc_buffer_cut_to_max(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, CON_MAX + 1, CON_MAX),
			CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, VM_MEM, CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 100, 16), 16);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 100, 0), 0);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX - 1, CON_MAX + 1,
					       CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - CON_MAX, CON_MAX + 1, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0, VM_MEM + 1, CON_MAX),
			-EFAULT);
}

static void hc_buffer_outside(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM, 1, CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM - 1, 2, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, VM_MEM + 1, 0, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x80000000, 16, CON_MAX),
			-EFAULT);
}

/* gpa + len past 4 GiB must not wrap around to a small address. */
static void hc_buffer_wraps(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xfffff000, 0x2000, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0x2000, 0xffffffff, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xffffffff, 1, CON_MAX),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(VM_MEM, 0xffffffff, 0xffffffff,
					       CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(DENALI_MEM_MAX, 0xbffff000,
					       0x40001000, CON_MAX), -EFAULT);
}

/* The largest VM: its last byte is usable, one more is not. */
static void hc_buffer_largest_vm(struct kunit *test)
{
	u32 mem = DENALI_MEM_MAX;

	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, mem - 1, 1, CON_MAX), 1);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, 0, mem, CON_MAX), CON_MAX);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, mem, 1, CON_MAX), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_hc_buffer(mem, 0, mem + 1, CON_MAX),
			-EFAULT);
}

static long send_desc(u32 addr, u32 len)
{
	struct denali_frame f = { .addr = addr, .len = len };

	return denali_hc_net_check_send(VM_MEM, &f);
}

static long recv_desc(u32 addr, u32 len)
{
	struct denali_frame f = { .addr = addr, .len = len };

	return denali_hc_net_check_recv(VM_MEM, &f);
}

static void hc_net_check_descs(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, 60), 60);
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, DENALI_FRAME_MIN),
			DENALI_FRAME_MIN);
	KUNIT_EXPECT_EQ(test, send_desc(VM_MEM - DENALI_FRAME_MAX,
					DENALI_FRAME_MAX), DENALI_FRAME_MAX);
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, DENALI_FRAME_MIN - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, DENALI_FRAME_MAX + 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, send_desc(0x2000, U32_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, send_desc(VM_MEM - 59, 60), -EFAULT);
	KUNIT_EXPECT_EQ(test, send_desc(VM_MEM, 60), -EFAULT);
	/* 0xffffffc4 + 60 wraps to 0 in 32 bits: still outside. */
	KUNIT_EXPECT_EQ(test, send_desc(0xffffffc4, 60), -EFAULT);

	/* A receive buffer may be larger than a frame; it must be whole. */
	KUNIT_EXPECT_EQ(test, recv_desc(0x2000, 2048), DENALI_FRAME_MAX);
	KUNIT_EXPECT_EQ(test, recv_desc(0x2000, 100), 100);
	KUNIT_EXPECT_EQ(test, recv_desc(0x2000, DENALI_FRAME_MIN - 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, recv_desc(VM_MEM - 1000, 2048), -EFAULT);
	KUNIT_EXPECT_EQ(test, recv_desc(0xfffff800, 2048), -EFAULT);
}


/* A VM with a vCPU, as far as the dispatch goes. */
static struct denali_vm *hc_test_vm(struct kunit *test)
{
	struct denali_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	vm->vcpu = kunit_kzalloc(test, sizeof(*vm->vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, vm->vcpu);
	return vm;
}

/* The result the guest finds in EAX after calling nr through the table. */
static long hc_dispatch(struct kunit *test, struct denali_vm *vm, u32 nr,
			u32 arg1, u32 arg2)
{
	u64 calls = vm->stats.hypercalls;

	vm->vcpu->regs.gpr[DENALI_REG_AX] = nr;
	vm->vcpu->regs.gpr[DENALI_REG_BX] = arg1;
	vm->vcpu->regs.gpr[DENALI_REG_CX] = arg2;
	KUNIT_EXPECT_TRUE(test, denali_hypercall(vm));
	KUNIT_EXPECT_EQ(test, vm->stats.hypercalls, calls + 1);
	return (s32)vm->vcpu->regs.gpr[DENALI_REG_AX];
}

static void hc_dispatch_unknown(struct kunit *test)
{
	static const u32 unknown[] = { DENALI_HC_DISK_REAP + 1, 0x80000000,
				       U32_MAX };
	struct denali_vm *vm = hc_test_vm(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++)
		KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, unknown[i], 0, 0),
				-ENOSYS);
}

/*
 * The table reaches the front ends, which refuse what they must before
 * touching guest memory: a buffer outside it, a NIC or disks the VM does
 * not have.
 */
static void hc_dispatch_front_ends(struct kunit *test)
{
	struct denali_vm *vm = hc_test_vm(test);

	vm->mem.size = VM_MEM;
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_CONSOLE_WRITE,
					  VM_MEM, 1), -EFAULT);
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_CONSOLE_READ,
					  VM_MEM - 1, 2), -EFAULT);
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_NET_SEND,
					  0x2000, 1), -ENETDOWN);
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_NET_RECV,
					  0x2000, 1), -ENETDOWN);
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_DISK_SUBMIT,
					  0x2000, 1), -ENODEV);
	KUNIT_EXPECT_EQ(test, hc_dispatch(test, vm, DENALI_HC_DISK_REAP,
					  0x2000, 1), 0);
}

static struct kunit_case denali_hypercall_cases[] = {
	KUNIT_CASE(hc_buffer_inside),
	KUNIT_CASE(hc_buffer_cut_to_max),
	KUNIT_CASE(hc_buffer_outside),
	KUNIT_CASE(hc_buffer_wraps),
	KUNIT_CASE(hc_buffer_largest_vm),
	KUNIT_CASE(hc_net_check_descs),
	KUNIT_CASE(hc_dispatch_unknown),
	KUNIT_CASE(hc_dispatch_front_ends),
	{}
};

static struct kunit_suite denali_hypercall_suite = {
	.name = "denali_hypercall",
	.test_cases = denali_hypercall_cases,
};

kunit_test_suite(denali_hypercall_suite);
