/* SPDX-License-Identifier: MIT */
/*
 * An exception storm inside the guest: #DE, #UD, #GP (a bad selector),
 * INT3 and software INT 0x80, INT 32 (the upcall vector: a forged upcall
 * must not confuse the kernel's interrupt state) and INT 255, through an
 * IDT of its own whose handlers skip the faulting instruction. Exceptions
 * never leave the guest, so this costs the host nothing but the VM's
 * CPU share. Runs secs= seconds (0, the default: forever), printing its
 * rounds every second; then exits 0.
 */
#include "hostile.h"

uint32_t excstorm_count;
static struct hostile_gate idt[256] __attribute__((aligned(8)));

void exc_count(void);
void exc_skip2(void);
void exc_skip2_err(void);

/*
 * #DE, #UD and #GP (after its error code) restart the faulting 2-byte
 * instruction, so their handlers skip it; traps and INT n go on by
 * themselves.
 */
asm(".text\n"
	"exc_count:\n\t"
	"lock incl excstorm_count\n\t"
	"iret\n"
	"exc_skip2:\n\t"
	"lock incl excstorm_count\n\t"
	"addl $2, (%esp)\n\t"
	"iret\n"
	"exc_skip2_err:\n\t"
	"lock incl excstorm_count\n\t"
	"addl $4, %esp\n\t"
	"addl $2, (%esp)\n\t"
	"iret\n");

int main(void)
{
	unsigned long secs = hostile_num("secs", 0), rounds = 0;
	uint64_t start = denali_now_ns(), next = start + 1000000000ULL, now;
	uint32_t a, c;

	hostile_set_gate(idt, 0, exc_skip2, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 3, exc_count, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 6, exc_skip2, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 13, exc_skip2_err, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 32, exc_count, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 0x80, exc_count, HOSTILE_GATE_INTR);
	hostile_set_gate(idt, 255, exc_count, HOSTILE_GATE_INTR);
	hostile_lidt((uint32_t)(unsigned long)idt, sizeof(idt) - 1);
	printf("excstorm: storming\n");
	for (;;) {
		a = 1;
		c = 0;
		asm volatile("div %%ecx" : "+a" (a) : "c" (c) : "edx");
		asm volatile("ud2");
		/* Selector 0x38 lies past the GDT's end: #GP. */
		asm volatile("mov %0, %%ds" : : "r" (0x38) : "memory");
		asm volatile("int3; int $0x80; int $32; int $255");
		rounds++;
		now = denali_now_ns();
		if (now < next)
			continue;
		printf("excstorm: %lu rounds, %u exceptions\n", rounds,
		       (unsigned int)excstorm_count);
		next += 1000000000ULL;
		if (secs && now - start >= secs * 1000000000ULL) {
			printf("excstorm: done\n");
			return 0;
		}
	}
}
