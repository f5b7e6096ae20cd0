// SPDX-License-Identifier: GPL-2.0
/*
 * kvmbench: KVM's side of tests/bench/kvm.sh, on /dev/kvm alone.
 *
 *     kvmbench life COUNT     a VM's whole life COUNT times: create the
 *                             VM, 128 KiB of memory and a vCPU, run it to
 *                             its first instruction (HLT), destroy it
 *     kvmbench cpuid COUNT    one VM whose guest runs CPUID COUNT times
 *                             in a loop, then HLT
 *
 * Prints the mean nanoseconds per life (on the wall clock) or per CPUID
 * exit (the time in KVM_RUN, over COUNT). An empty VM is
 * held open throughout, so that KVM keeps SVM (or VMX) on between VMs
 * instead of turning it on and off for each, as denali.ko keeps it on.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define GUEST_MEM	(128 * 1024)

/* Real mode at 0: "hlt". */
static const uint8_t guest_hlt[] = { 0xf4 };

/*
 * Real mode at 0, ESI the count (patched in at offset 2):
 *     mov esi, COUNT; 1: xor eax, eax; cpuid; dec esi; jnz 1b; hlt
 */
static uint8_t guest_cpuid[] = {
	0x66, 0xbe, 0, 0, 0, 0,		/* mov esi, imm32 */
	0x66, 0x31, 0xc0,		/* xor eax, eax */
	0x0f, 0xa2,			/* cpuid */
	0x66, 0x4e,			/* dec esi */
	0x75, 0xf7,			/* jnz -9 */
	0xf4,				/* hlt */
};

static int kvm_fd;
static long run_size;

static void die(const char *what)
{
	fprintf(stderr, "kvmbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Creates a VM running code at guest address 0 in real mode, runs it to
 * its HLT and destroys it; returns the nanoseconds spent in KVM_RUN.
 */
static int64_t run_guest(const uint8_t *code, size_t len)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = GUEST_MEM,
	};
	struct kvm_regs regs = { .rflags = 2 };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int64_t start, ns;
	int vm, vcpu;
	void *mem;

	vm = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem, code, len);
	region.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	start = now_ns();
	if (ioctl(vcpu, KVM_RUN, 0))
		die("KVM_RUN");
	ns = now_ns() - start;
	if (run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "kvmbench: exit reason %u, not HLT\n",
			run->exit_reason);
		exit(1);
	}
	munmap(run, run_size);
	close(vcpu);
	close(vm);
	munmap(mem, GUEST_MEM);
	return ns;
}

int main(int argc, char **argv)
{
	unsigned long count, i;
	int64_t start, ns;
	int holder;

	count = argc == 3 ? strtoul(argv[2], NULL, 10) : 0;
	if (!count || (strcmp(argv[1], "life") && strcmp(argv[1], "cpuid"))) {
		fprintf(stderr, "usage: kvmbench life|cpuid COUNT\n");
		return 2;
	}
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		die("/dev/kvm");
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	holder = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (holder < 0)
		die("KVM_CREATE_VM");

	if (!strcmp(argv[1], "life")) {
		start = now_ns();
		for (i = 0; i < count; i++)
			run_guest(guest_hlt, sizeof(guest_hlt));
		ns = now_ns() - start;
	} else {
		memcpy(&guest_cpuid[2], &(uint32_t){ count }, 4);
		ns = run_guest(guest_cpuid, sizeof(guest_cpuid));
	}
	printf("%.0f\n", (double)ns / count);
	close(holder);
	return 0;
}
