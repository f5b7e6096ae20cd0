/* SPDX-License-Identifier: MIT */
/*
 * Exercises the virtual disks with raw hypercalls. The command line is a
 * list of commands separated by blanks, run in order; each prints one
 * line "disktest: ..." and the program exits 0 when all succeeded, 1
 * otherwise:
 *
 *   info             "info disks C ro M blocks B0 B1 ..." from the vregs
 *   w:D:B:N:S        write N blocks of pattern S from block B of disk D,
 *                    then flush: "w ok N blocks H hypercalls"; prints
 *                    "w submitted" once every request is in
 *   r:D:B:N:S        read them back and check the pattern (S 0: zeros):
 *                    "r ok N blocks H hypercalls", or "r bad block X"
 *   bad:D            submit bad requests against disk D (disk 1, if
 *                    attached, must be read-only), one line each:
 *                    "bad NAME ERRNO", then a good flush: "bad none 0"
 *   flood:D          submit reads without reaping until the kernel
 *                    refuses: "flood took T then E", then reap them:
 *                    "flood reaped R"
 *   hold:D:N         submit N one-block writes of pattern 1 to blocks
 *                    0 to N - 1 and never reap them: "hold submitted N"
 *   idle             idle forever: "idling"
 *   crash            triple-fault, leaving any I/O in flight
 *
 * A request that fails prints "CMD error E" with the errno.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>

#define BLOCK		DENALI_DISK_BLOCK_SIZE
#define REQ_BLOCKS	DENALI_DISK_REQ_BLOCKS_MAX
#define BUF_BLOCKS	256		/* one submit's worth of data */
#define REQS_MAX	DENALI_DISK_INFLIGHT_MAX

static uint8_t buf[BUF_BLOCKS * BLOCK] __attribute__((aligned(BLOCK)));
static struct denali_disk_req reqs[REQS_MAX];
static struct denali_disk_done dones[DENALI_DISK_BATCH_MAX];
static unsigned long hypercalls;

static long disk_submit(const struct denali_disk_req *r, unsigned int n)
{
	hypercalls++;
	return denali_hypercall2(DENALI_HC_DISK_SUBMIT, (unsigned long)r, n);
}

static long disk_reap(struct denali_disk_done *d, unsigned int n)
{
	hypercalls++;
	return denali_hypercall2(DENALI_HC_DISK_REAP, (unsigned long)d, n);
}

static void disk_irq(unsigned int irq, void *arg)
{
	(void)irq;
	(void)arg;
}

/*
 * Reaps until want completions came, idling for the disk interrupt in
 * between. Returns the first error among them, or 0.
 */
static int reap_all(unsigned int want)
{
	int first = 0;

	while (want) {
		long n, i;

		denali_irq_disable();
		n = disk_reap(dones, DENALI_DISK_BATCH_MAX);
		if (n < 0)
			return (int)n;
		if (!n) {
			denali_irq_idle(DENALI_IDLE_FOREVER);
			continue;
		}
		denali_irq_enable();
		for (i = 0; i < n; i++)
			if (dones[i].result && !first)
				first = dones[i].result;
		want -= n;
	}
	denali_irq_enable();
	return first;
}

/* Submits n requests, all of them, in batches. */
static int submit_all(const struct denali_disk_req *r, unsigned int n)
{
	while (n) {
		long k = disk_submit(r, n > DENALI_DISK_BATCH_MAX ?
				     DENALI_DISK_BATCH_MAX : n);

		if (k <= 0)
			return k ? (int)k : -1;
		r += k;
		n -= k;
	}
	return 0;
}

static uint32_t pattern(unsigned long seed, uint64_t block, unsigned int i)
{
	return seed ? (uint32_t)(seed * 0x9e3779b1u) ^ (uint32_t)(block << 10) ^ i
		    : 0;
}

static void fill(uint8_t *p, unsigned long seed, uint64_t block)
{
	uint32_t *w = (uint32_t *)p;
	unsigned int i;

	for (i = 0; i < BLOCK / 4; i++)
		w[i] = pattern(seed, block, i);
}

static int check(const uint8_t *p, unsigned long seed, uint64_t block)
{
	const uint32_t *w = (const uint32_t *)p;
	unsigned int i;

	for (i = 0; i < BLOCK / 4; i++)
		if (w[i] != pattern(seed, block, i))
			return -1;
	return 0;
}

/* Requests for blocks [b, b + n) of disk d, up to BUF_BLOCKS of them. */
static unsigned int make_reqs(uint8_t op, unsigned int d, uint64_t b,
			      unsigned int n)
{
	unsigned int k = 0, done = 0;

	while (done < n) {
		unsigned int c = n - done > REQ_BLOCKS ? REQ_BLOCKS : n - done;

		reqs[k] = (struct denali_disk_req){
			.tag = k, .disk = d, .op = op, .blocks = c,
			.block = b + done,
			.addr = (uint32_t)(uintptr_t)(buf + done * BLOCK),
		};
		k++;
		done += c;
	}
	return k;
}

static int do_rw(const char *cmd, uint8_t op, unsigned int d, uint64_t b,
		 unsigned long n, unsigned long seed)
{
	unsigned long done = 0, i;
	int ret;

	hypercalls = 0;
	while (done < n) {
		unsigned int c = n - done > BUF_BLOCKS ? BUF_BLOCKS : n - done;
		unsigned int k;

		if (op == DENALI_DISK_WRITE)
			for (i = 0; i < c; i++)
				fill(buf + i * BLOCK, seed, b + done + i);
		else
			memset(buf, 0xa5, c * BLOCK);
		k = make_reqs(op, d, b + done, c);
		ret = submit_all(reqs, k);
		if (!ret && op == DENALI_DISK_WRITE && done + c == n)
			printf("disktest: w submitted\n");
		if (!ret)
			ret = reap_all(k);
		if (ret) {
			printf("disktest: %s error %d\n", cmd, ret);
			return 1;
		}
		if (op == DENALI_DISK_READ)
			for (i = 0; i < c; i++)
				if (check(buf + i * BLOCK, seed, b + done + i)) {
					printf("disktest: r bad block %lu\n",
					       (unsigned long)(b + done + i));
					return 1;
				}
		done += c;
	}
	if (op == DENALI_DISK_WRITE) {
		reqs[0] = (struct denali_disk_req){
			.disk = d, .op = DENALI_DISK_FLUSH };
		ret = submit_all(reqs, 1);
		if (!ret)
			ret = reap_all(1);
		if (ret) {
			printf("disktest: flush error %d\n", ret);
			return 1;
		}
	}
	printf("disktest: %s ok %lu blocks %lu hypercalls\n", cmd, n,
	       hypercalls);
	return 0;
}

/* Submits one request and prints the errno it completed with. */
static void bad_one(const char *name, struct denali_disk_req r)
{
	long ret = disk_submit(&r, 1);

	if (ret == 1)
		ret = reap_all(1);
	printf("disktest: bad %s %ld\n", name, ret);
}

static int do_bad(unsigned int d)
{
	const volatile struct denali_vregs *v = denali_vregs();
	struct denali_disk_req good = {
		.disk = d, .op = DENALI_DISK_READ, .blocks = 1,
		.addr = (uint32_t)(uintptr_t)buf,
	};
	struct denali_disk_req r;

	r = good;
	r.disk = v->disk_count;
	bad_one("nodisk", r);
	r = good;
	r.op = 9;
	bad_one("op", r);
	r = good;
	r.blocks = 0;
	bad_one("zero", r);
	r = good;
	r.blocks = REQ_BLOCKS + 1;
	bad_one("big", r);
	r = good;
	r.reserved = 1;
	bad_one("reserved", r);
	r = good;
	r.addr += 8;
	bad_one("unaligned", r);
	r = good;
	r.block = v->disk_blocks[d];
	bad_one("past", r);
	r = good;
	r.addr = v->mem_size;
	bad_one("outside", r);
	r = good;
	r.addr = 0xfffff000u;
	r.blocks = 2;
	bad_one("wrap", r);
	if (v->disk_count > 1 && (v->disk_readonly & 2)) {
		r = good;
		r.disk = 1;
		r.op = DENALI_DISK_WRITE;
		bad_one("rofs", r);
	}
	printf("disktest: bad array %ld\n",
	       disk_submit((void *)(uintptr_t)(v->mem_size - 8), 1));
	printf("disktest: bad count0 %ld\n", disk_submit(reqs, 0));
	printf("disktest: bad count65 %ld\n",
	       disk_submit(reqs, DENALI_DISK_BATCH_MAX + 1));
	/* The disk still works after all that. */
	r = (struct denali_disk_req){ .disk = d, .op = DENALI_DISK_FLUSH };
	bad_one("none", r);
	return 0;
}

static int do_flood(unsigned int d)
{
	unsigned int i, taken = 0;
	long ret = 0;

	for (i = 0; i < REQS_MAX; i++)
		reqs[i] = (struct denali_disk_req){
			.tag = i, .disk = d, .op = DENALI_DISK_READ,
			.blocks = 1, .addr = (uint32_t)(uintptr_t)buf };
	/* One more batch than fits. */
	for (i = 0; i < 3; i++) {
		ret = disk_submit(reqs, DENALI_DISK_BATCH_MAX);
		if (ret <= 0)
			break;
		taken += ret;
	}
	printf("disktest: flood took %u then %ld\n", taken, ret);
	ret = reap_all(taken);
	printf("disktest: flood reaped %u result %ld\n", taken, ret);
	return ret != 0;
}

static int do_hold(unsigned int d, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < REQS_MAX; i++) {
		fill(buf + (i % BUF_BLOCKS) * BLOCK, 1, i);
		reqs[i] = (struct denali_disk_req){
			.tag = i, .disk = d, .op = DENALI_DISK_WRITE,
			.blocks = 1, .block = i,
			.addr = (uint32_t)(uintptr_t)(buf + (i % BUF_BLOCKS) * BLOCK),
		};
	}
	if (submit_all(reqs, i)) {
		printf("disktest: hold error\n");
		return 1;
	}
	printf("disktest: hold submitted %u\n", i);
	return 0;
}

static void do_crash(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printf("disktest: crashing\n");
	asm volatile("lidt %0\n\tud2" : : "m" (empty));
}

static unsigned long arg(char **p)
{
	unsigned long v = 0;

	if (**p == ':')
		v = strtoul(*p + 1, p, 0);
	return v;
}

static int run(char *cmd)
{
	char *p = strchr(cmd, ':');
	unsigned long a, b, c, s;
	unsigned int i;

	if (!p)
		p = cmd + strlen(cmd);
	a = arg(&p);
	b = arg(&p);
	c = arg(&p);
	s = arg(&p);
	if (!strncmp(cmd, "info", 4)) {
		const volatile struct denali_vregs *v = denali_vregs();

		printf("disktest: info disks %u ro %u blocks", v->disk_count,
		       v->disk_readonly);
		for (i = 0; i < v->disk_count && i < DENALI_VREGS_DISKS_MAX; i++)
			printf(" %lu", (unsigned long)v->disk_blocks[i]);
		printf("\n");
		return 0;
	}
	if (!strncmp(cmd, "w:", 2))
		return do_rw("w", DENALI_DISK_WRITE, a, b, c, s);
	if (!strncmp(cmd, "r:", 2))
		return do_rw("r", DENALI_DISK_READ, a, b, c, s);
	if (!strncmp(cmd, "bad:", 4))
		return do_bad(a);
	if (!strncmp(cmd, "flood:", 6))
		return do_flood(a);
	if (!strncmp(cmd, "hold:", 5))
		return do_hold(a, b);
	if (!strcmp(cmd, "idle")) {
		printf("disktest: idling\n");
		for (;;)
			denali_idle(DENALI_IDLE_FOREVER);
	}
	if (!strcmp(cmd, "crash"))
		do_crash();
	printf("disktest: unknown command %s\n", cmd);
	return 1;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX];
	char *p = cmdline;
	int failed = 0;

	denali_cmdline(cmdline, sizeof(cmdline));
	denali_irq_register(DENALI_IRQ_DISK, disk_irq, NULL);
	denali_irq_enable();
	while (*p) {
		char *end = strchr(p, ' ');

		if (end)
			*end = '\0';
		if (*p)
			failed |= run(p);
		if (!end)
			break;
		p = end + 1;
	}
	printf("disktest: done %s\n", failed ? "failed" : "ok");
	return failed;
}
