/* SPDX-License-Identifier: MIT */
/*
 * Prints "echo: ready", then "echo: <line>" for every line of console
 * input, idling between them until DENALI_IRQ_CONSOLE. Exits 0 after
 * the line "quit". Carriage returns are dropped; a line longer than the
 * buffer is echoed in pieces.
 */
#include <stdio.h>
#include <string.h>
#include <denali.h>

#define LINE_MAX	200

static volatile int input_arrived;
static char line[LINE_MAX + 1];
static unsigned int line_len;

static void console_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
	input_arrived = 1;
}

/* Returns 1 on the line "quit". */
static int end_line(void)
{
	line[line_len] = '\0';
	line_len = 0;
	printf("echo: %s\n", line);
	return strcmp(line, "quit") == 0;
}

int main(void)
{
	char buf[64];
	long n, i;

	denali_irq_register(DENALI_IRQ_CONSOLE, console_irq, NULL);
	printf("echo: ready\n");

	for (;;) {
		/* Cleared before reading: input after the last read sets it. */
		input_arrived = 0;
		while ((n = denali_console_read(buf, sizeof(buf))) > 0) {
			for (i = 0; i < n; i++) {
				if (buf[i] == '\n') {
					if (end_line())
						return 0;
				} else if (buf[i] != '\r') {
					line[line_len++] = buf[i];
					if (line_len == LINE_MAX)
						end_line();
				}
			}
		}
		if (n < 0) {
			printf("echo: console read failed: %ld\n", n);
			return 1;
		}
		denali_irq_disable();
		if (!input_arrived)
			denali_irq_idle(DENALI_IDLE_FOREVER);
		else
			denali_irq_enable();
	}
}
