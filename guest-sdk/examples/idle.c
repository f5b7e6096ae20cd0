/* SPDX-License-Identifier: MIT */
/*
 * Idles forever without a timeout: it should cost the host no CPU until
 * the operator stops it.
 */
#include <stdio.h>
#include <denali.h>

int main(void)
{
	printf("idle: idling forever\n");
	for (;;)
		denali_idle(DENALI_IDLE_FOREVER);
}
