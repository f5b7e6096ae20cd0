/* SPDX-License-Identifier: MIT */
/*
 * A well-formed static x86-64 executable (exit(0) on Linux), which a
 * Denali VM must refuse: the ABI runs ELF32 i386 images only.
 */
void _start(void)
{
	asm volatile("syscall" : : "a" (60), "D" (0));
	__builtin_unreachable();
}
