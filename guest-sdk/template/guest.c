/* SPDX-License-Identifier: MIT */
/*
 * A guest to start from: greets, shows its command line and ends with
 * exit code 0. main() runs after the SDK's start code; its return value
 * is the VM's exit code (0 to 125 are the program's own).
 */
#include <stdio.h>
#include <denali.h>

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];

	printf("guest: VM id %u, %u KiB of memory\n", denali_vregs()->vm_id,
	       denali_vregs()->mem_size / 1024);
	if (denali_cmdline(cmdline, sizeof(cmdline)))
		printf("guest: cmdline '%s'\n", cmdline);
	return 0;
}
