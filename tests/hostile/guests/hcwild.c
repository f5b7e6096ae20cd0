/* SPDX-License-Identifier: MIT */
/*
 * Every hypercall of the ABI with its pointers and lengths at the edges
 * of memory (mem_size - 1, mem_size, 4 GiB - 1, ranges that wrap past
 * 4 GiB onto valid memory, counts whose byte size wraps 32 bits), unknown
 * numbers, and a check that a hypercall keeps every register, DF
 * included. Each result must be what the ABI says; a wrong one is
 * printed. Ends with "hcwild: ok" and exit code INT_MIN (the exit code
 * is a signed 32-bit value end to end), or exit code 1.
 */
#include "hostile.h"

static int failures;
static uint8_t frame[64];
static struct denali_frame one;

static void expect(const char *what, long got, long want, long alt)
{
	if (got == want || got == alt)
		return;
	printf("hcwild: %s: got %ld, want %ld\n", what, got, want);
	failures++;
}

/* Both console hypercalls on the same (address, length) pairs. */
static void console(uint32_t mem)
{
	static const struct { const char *what; uint32_t off, len; } bad[] = {
		{ "at mem_size", 0, 1 },
		{ "across the end", 1, 2 },
		{ "at 4 GiB - 1", 2, 1 },
		{ "wrapping to 0", 2, 2 },
		{ "length 4 GiB - 1", 3, 0xffffffffU },
		{ "length wrapping to image", 4, 0 },
	};
	unsigned int i, nr;

	for (nr = DENALI_HC_CONSOLE_WRITE; nr <= DENALI_HC_CONSOLE_READ;
	     nr += DENALI_HC_CONSOLE_READ - DENALI_HC_CONSOLE_WRITE) {
		int wr = nr == DENALI_HC_CONSOLE_WRITE;

		expect("console last byte",
		       denali_hypercall2(nr, mem - 1, 1), wr ? 1 : 0, 0);
		expect("console all memory", denali_hypercall2(nr, 0, mem),
		       wr ? 4096 : 0, 0);
		/* Empty ranges: nothing to fault on, or refused. */
		expect("console empty at mem_size",
		       denali_hypercall2(nr, mem, 0), 0, -EFAULT);
		expect("console empty at 4 GiB - 1",
		       denali_hypercall2(nr, 0xffffffffU, 0), -EFAULT, 0);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			uint32_t a, l = bad[i].len;

			switch (bad[i].off) {
			case 0:
				a = mem;
				break;
			case 1:
				a = mem - 1;
				break;
			case 2:
				a = 0xffffffffU;
				break;
			case 3:
				a = 1;
				break;
			default:
				/* 0x2000 + 0xfffff000 wraps to 0x1000. */
				a = 0x2000;
				l = 0 - 0x1000;
				break;
			}
			expect(bad[i].what, denali_hypercall2(nr, a, l),
			       -EFAULT, -EFAULT);
		}
	}
}

static void net(uint32_t mem)
{
	static const uint8_t nobody[6] = { 0x02, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe };
	struct denali_frame *top = (struct denali_frame *)(unsigned long)
				   (mem - DENALI_NET_BATCH_MAX * sizeof(*top));
	uint8_t mac[6];
	long r;
	int i;

	hostile_own_mac(mac);
	hostile_eth(frame, nobody, mac, 0x88b5);
	one.addr = (uint32_t)(unsigned long)frame;
	one.len = 60;
	for (i = 0; i < DENALI_NET_BATCH_MAX; i++)
		top[i] = one;

	for (i = DENALI_HC_NET_SEND; i <= DENALI_HC_NET_RECV; i++) {
		expect("net array at mem_size",
		       denali_hypercall2(i, mem, 1), -EFAULT, -EFAULT);
		expect("net array across the end",
		       denali_hypercall2(i, mem - 7, 1), -EFAULT, -EFAULT);
		expect("net array at 4 GiB - 8",
		       denali_hypercall2(i, 0xfffffff8U, 1), -EFAULT, -EFAULT);
		/* 0x20000000 descriptors are 4 GiB: zero bytes in 32 bits. */
		expect("net count * 8 wrapping",
		       denali_hypercall2(i, mem - 8, 0x20000000), -EFAULT,
		       -EFAULT);
		/* Cut to 64, which end one byte past memory. */
		expect("net huge count, 64 cross the end",
		       denali_hypercall2(i, (uint32_t)(unsigned long)top + 1,
					 0xffffffffU), -EFAULT, -EFAULT);
	}

	/* The last 64 descriptors of memory with a huge count: fine. */
	r = denali_hypercall2(DENALI_HC_NET_SEND,
			      (uint32_t)(unsigned long)top, 0xffffffffU);
	if (r != -EAGAIN && (r < 1 || r > DENALI_NET_BATCH_MAX))
		expect("net send huge count at the top", r, 64, -EAGAIN);
	denali_idle(10000);

	one.addr = mem - 59;
	expect("send frame across the end", denali_net_send(&one, 1),
	       -EFAULT, -EFAULT);
	one.addr = 0xffffffc4U;		/* + 60 wraps to 0 */
	expect("send frame wrapping", denali_net_send(&one, 1), -EFAULT,
	       -EFAULT);
	one.addr = (uint32_t)(unsigned long)frame;
	one.len = 0x80000000U;
	expect("send length 2 GiB", denali_net_send(&one, 1), -EINVAL,
	       -EINVAL);

	one.addr = mem - 13;
	one.len = 14;
	expect("recv buffer across the end", denali_net_recv(&one, 1),
	       -EFAULT, -EFAULT);
	one.addr = 0xfffffff2U;
	expect("recv buffer wrapping", denali_net_recv(&one, 1), -EFAULT,
	       -EFAULT);
	one.addr = DENALI_IMAGE_BASE;
	one.len = 0xffffffffU;
	expect("recv buffer of 4 GiB - 1", denali_net_recv(&one, 1),
	       -EFAULT, -EFAULT);
	one.len = 13;
	expect("recv buffer of 13", denali_net_recv(&one, 1), -EINVAL,
	       -EINVAL);
	/* The last 14 bytes of memory: a frame may or may not wait. */
	one.addr = mem - 14;
	one.len = 14;
	r = denali_net_recv(&one, 1);
	if (r != 0 && r != 1)
		expect("recv into the last 14 bytes", r, 0, 1);
}

static void timer(void)
{
	uint32_t pending;

	/* The longest timeout: a wrap in the host's arithmetic fires now. */
	expect("timer 4 GiB - 1 us",
	       denali_hypercall1(DENALI_HC_TIMER_SET, 0xffffffffU), 0, 0);
	denali_idle(20000);
	pending = denali_vregs()->irq_pending;
	if (pending & (1U << DENALI_IRQ_TIMER)) {
		printf("hcwild: the timer of 4 GiB - 1 us fired at once\n");
		failures++;
	}
	expect("timer cancel", denali_hypercall1(DENALI_HC_TIMER_SET, 0), 0, 0);
	expect("idle 0", denali_hypercall1(DENALI_HC_IDLE, 0), 0, 0);
}

/*
 * Disk calls on a VM with no disk: the arrays at the edges of memory and
 * at 4 GiB, counts past the batch, and a request for a disk it lacks,
 * which is taken and completes at once with -ENODEV.
 */
static void disk(uint32_t mem)
{
	static struct denali_disk_req req __attribute__((aligned(4096)));
	static struct denali_disk_done done[2];
	uint32_t r = (uint32_t)(unsigned long)&req;
	uint32_t d = (uint32_t)(unsigned long)done;

	expect("disk submit array at mem_size",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, mem, 1), -EFAULT,
	       -EFAULT);
	expect("disk submit array across the end",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, mem - 23, 1), -EFAULT,
	       -EFAULT);
	expect("disk submit array at 4 GiB - 8",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, 0xfffffff8U, 1),
	       -EFAULT, -EFAULT);
	expect("disk submit count 0",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, r, 0), -EINVAL,
	       -EINVAL);
	expect("disk submit huge count",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, r, 0xffffffffU),
	       -EINVAL, -EINVAL);
	expect("disk reap array at mem_size",
	       denali_hypercall2(DENALI_HC_DISK_REAP, mem, 1), -EFAULT,
	       -EFAULT);
	expect("disk reap array at 4 GiB - 8",
	       denali_hypercall2(DENALI_HC_DISK_REAP, 0xfffffff8U, 1),
	       -EFAULT, -EFAULT);
	expect("disk reap with nothing done",
	       denali_hypercall2(DENALI_HC_DISK_REAP, d, 2), 0, 0);

	req.tag = 0x7a67;
	req.disk = 0;
	req.op = DENALI_DISK_READ;
	req.blocks = 1;
	req.block = 0;
	req.addr = r;
	expect("disk submit for a disk it lacks",
	       denali_hypercall2(DENALI_HC_DISK_SUBMIT, r, 1), 1, 1);
	expect("disk reap of that request",
	       denali_hypercall2(DENALI_HC_DISK_REAP, d, 2), 1, 1);
	expect("its tag", done[0].tag, 0x7a67, 0x7a67);
	expect("its result", done[0].result, -ENODEV, -ENODEV);
}

static void unknown(void)
{
	static const uint32_t nrs[] = {
		9, 10, 0xff, 0x100, 0x7fffffff, 0x80000000U, 0xfffffffeU,
		0xffffffffU,
	};
	unsigned int i;

	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		expect("unknown hypercall",
		       denali_hypercall2(nrs[i], 0xffffffffU, 0xffffffffU),
		       -ENOSYS, -ENOSYS);
}

/* Results of the register check; static, so not addressed off ESP. */
static uint32_t r_si, r_di, r_dx, r_bp, r_fl;

static void registers(void)
{
	long ret;

	r_si = 0x51515151;
	r_di = 0xd1d1d1d1;
	r_dx = 0xdddddddd;
	asm volatile("push %%ebp\n\t"
		     "mov $0xbbbbbbbb, %%ebp\n\t"
		     "std\n\t"
		     "call %P[hc]\n\t"
		     "pushf\n\t"
		     "popl %[fl]\n\t"
		     "cld\n\t"
		     "mov %%ebp, %[bp]\n\t"
		     "pop %%ebp"
		     : "=a" (ret), "+S" (r_si), "+D" (r_di), "+d" (r_dx),
		       [fl] "=m" (r_fl), [bp] "=m" (r_bp)
		     : "a" (DENALI_HC_CONSOLE_WRITE), "b" (frame), "c" (0),
		       [hc] "i" (DENALI_HYPERCALL_ADDR)
		     : "memory", "cc");
	expect("write of 0 bytes", ret, 0, 0);
	expect("ESI kept", r_si, 0x51515151, 0x51515151);
	expect("EDI kept", r_di, 0xd1d1d1d1, 0xd1d1d1d1);
	expect("EDX kept", r_dx, 0xdddddddd, 0xdddddddd);
	expect("EBP kept", r_bp, 0xbbbbbbbb, 0xbbbbbbbb);
	expect("DF kept", r_fl & 0x400, 0x400, 0x400);
}

int main(void)
{
	uint32_t mem = hostile_mem_size();

	printf("hcwild: mem_size %#x\n", (unsigned int)mem);
	console(mem);
	net(mem);
	timer();
	disk(mem);
	unknown();
	registers();
	if (failures) {
		printf("hcwild: %d failed\n", failures);
		denali_terminate(1);
	}
	printf("hcwild: ok\n");
	denali_terminate((int)0x80000000);
}
