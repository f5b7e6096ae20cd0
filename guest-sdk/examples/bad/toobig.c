/* SPDX-License-Identifier: MIT */
/*
 * A valid guest whose .bss alone is 16 MiB: more than the default 4 MiB
 * of memory, so the kernel must refuse to load it there.
 */
#include <stdio.h>

static char big[16 << 20];

int main(void)
{
	big[sizeof(big) - 1] = 1;
	printf("toobig: loaded with %u bytes of bss\n", (unsigned int)sizeof(big));
	return big[sizeof(big) - 1] - 1;
}
