/* SPDX-License-Identifier: MIT */
/*
 * The smallest useful guest: greets with its VM id, echoes its command
 * line, and ends with exit code 7 so the operator can tell a clean
 * terminate from a default 0.
 */
#include <stdio.h>
#include <denali.h>

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];

	printf("Hello from Denali VM %u\n", denali_vregs()->vm_id);
	if (denali_cmdline(cmdline, sizeof(cmdline)))
		printf("cmdline: %s\n", cmdline);
	return 7;
}
