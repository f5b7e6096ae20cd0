/* SPDX-License-Identifier: MIT */
#include <denali.h>

void denali_terminate(int code)
{
	/* Terminate does not return; if a broken kernel lets it, ask again. */
	for (;;)
		denali_hypercall1(DENALI_HC_TERMINATE, (unsigned long)code);
}

long denali_console_write(const void *buf, unsigned int len)
{
	const char *p = buf;
	unsigned int done = 0;

	while (done < len) {
		long ret = denali_hypercall2(DENALI_HC_CONSOLE_WRITE,
					     (unsigned long)(p + done),
					     len - done);

		if (ret < 0)
			return done ? (long)done : ret;
		if (ret == 0 || (unsigned long)ret > len - done)
			break;		/* no progress, or a nonsense count */
		done += ret;
	}
	return done;
}

int denali_idle(unsigned int usec)
{
	return denali_hypercall1(DENALI_HC_IDLE, usec);
}

long denali_console_read(void *buf, unsigned int len)
{
	return denali_hypercall2(DENALI_HC_CONSOLE_READ, (unsigned long)buf,
				 len);
}

int denali_timer_set(uint64_t usec)
{
	if (usec > UINT32_MAX)
		usec = UINT32_MAX;
	return denali_hypercall1(DENALI_HC_TIMER_SET, (unsigned long)usec);
}

long denali_net_send(const struct denali_frame *frames, unsigned int count)
{
	return denali_hypercall2(DENALI_HC_NET_SEND, (unsigned long)frames,
				 count);
}

long denali_net_recv(struct denali_frame *frames, unsigned int count)
{
	return denali_hypercall2(DENALI_HC_NET_RECV, (unsigned long)frames,
				 count);
}

long denali_disk_submit(const struct denali_disk_req *reqs,
			unsigned int count)
{
	return denali_hypercall2(DENALI_HC_DISK_SUBMIT, (unsigned long)reqs,
				 count);
}

long denali_disk_reap(struct denali_disk_done *done, unsigned int count)
{
	return denali_hypercall2(DENALI_HC_DISK_REAP, (unsigned long)done,
				 count);
}
