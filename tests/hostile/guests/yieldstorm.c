/* SPDX-License-Identifier: MIT */
/*
 * A scheduler storm of idle hypercalls, by us=: 0 (the default) yields
 * forever, 1 idles for 1 us forever, "mix" alternates 0 and 1 us. Each
 * call is a trip through the run queue; the others must keep their
 * share and the host its responsiveness.
 */
#include "hostile.h"

int main(void)
{
	int mix = hostile_is("us", "mix");
	unsigned int us = mix ? 0 : hostile_num("us", 0);
	unsigned long calls = 0;

	printf("yieldstorm: idling %s us\n", mix ? "0/1" : hostile_arg("us") ?
	       hostile_arg("us") : "0");
	for (;;) {
		denali_idle(mix ? calls & 1 : us);
		if (!(++calls % 1000000))
			printf("yieldstorm: %lu calls\n", calls);
	}
}
