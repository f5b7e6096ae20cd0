/* SPDX-License-Identifier: MIT */
/*
 * libdisk's request layer (disk.c) on the host, built 32-bit so that a
 * buffer's address fits the ABI's: a simulated kernel behind the two
 * disk hypercalls takes a limited number of requests per call and in
 * flight, completes them in reverse order, and raises the interrupt
 * when the one thread idles (thread_cond_wait() here). Checks the
 * synchronous calls, their errors, queueing past the in-flight limit,
 * completion by polling, made-up tags, and a kernel without disks.
 * Prints TAP; exits 1 when a test fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <denali/disk.h>
#include <thread.h>

#define BLOCK		DENALI_DISK_BLOCK_SIZE
#define DISK0_BLOCKS	256
#define DISK1_BLOCKS	64
#define ASYNC_IOS	300

_Static_assert(sizeof(void *) == 4, "build with -m32: addresses are 32-bit");

static char failure[512];

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		if (!failure[0])					\
			snprintf(failure, sizeof(failure),		\
				 "line %d: %s", __LINE__, #cond);	\
		return 0;						\
	}								\
} while (0)

/* The simulated kernel */

struct denali_vregs test_vregs;
int test_irq_enabled;

static denali_irq_handler_t disk_handler;
static void *disk_handler_arg;
static uint8_t *disk_data[2];
static struct denali_disk_req in_flight[DENALI_DISK_INFLIGHT_MAX];
static unsigned int nr_in_flight;
static struct denali_disk_done done_queue[DENALI_DISK_INFLIGHT_MAX + 1];
static unsigned int nr_done;
static unsigned int take_limit;		/* requests per submit call */
static unsigned int foreign;		/* slots taken by no one we know */
static long submit_error;		/* what every submit returns */
static int io_error;			/* reads and writes fail with it */
static int bogus_tag;			/* add a completion nobody asked for */
static unsigned int submits, flushes, idles;

int denali_irq_register(unsigned int irq, denali_irq_handler_t handler,
			void *arg)
{
	if (irq != DENALI_IRQ_DISK)
		return -EINVAL;
	disk_handler = handler;
	disk_handler_arg = arg;
	return 0;
}

long denali_disk_submit(const struct denali_disk_req *reqs,
			unsigned int count)
{
	unsigned int room, n;

	submits++;
	if (submit_error)
		return submit_error;
	if (!count || count > DENALI_DISK_BATCH_MAX)
		return -EINVAL;
	room = DENALI_DISK_INFLIGHT_MAX - nr_in_flight - nr_done - foreign;
	if (!room)
		return -EAGAIN;
	n = count < room ? count : room;
	if (n > take_limit)
		n = take_limit;
	memcpy(in_flight + nr_in_flight, reqs, n * sizeof(*reqs));
	nr_in_flight += n;
	return n;
}

long denali_disk_reap(struct denali_disk_done *done, unsigned int count)
{
	unsigned int n = count < nr_done ? count : nr_done;

	if (n > DENALI_DISK_BATCH_MAX)
		n = DENALI_DISK_BATCH_MAX;
	memcpy(done, done_queue, n * sizeof(*done));
	memmove(done_queue, done_queue + n, (nr_done - n) * sizeof(*done));
	nr_done -= n;
	return n;
}

/* A request's result, checked as the ABI says, and its transfer done. */
static int run_request(const struct denali_disk_req *r)
{
	uint64_t size;
	uint8_t *data;
	void *buf = (void *)(uintptr_t)r->addr;

	if (r->disk >= test_vregs.disk_count)
		return -ENODEV;
	if (r->op == DENALI_DISK_FLUSH) {
		if (r->blocks || r->block || r->addr || r->reserved)
			return -EINVAL;
		flushes++;
		return 0;
	}
	size = test_vregs.disk_blocks[r->disk];
	if (r->op > DENALI_DISK_WRITE || !r->blocks ||
	    r->blocks > DENALI_DISK_REQ_BLOCKS_MAX || r->reserved ||
	    r->addr % BLOCK || r->block > size || r->blocks > size - r->block)
		return -EINVAL;
	if (r->op == DENALI_DISK_WRITE &&
	    (test_vregs.disk_readonly >> r->disk & 1))
		return -EROFS;
	if (io_error)
		return io_error;
	data = disk_data[r->disk] + r->block * BLOCK;
	if (r->op == DENALI_DISK_READ)
		memcpy(buf, data, (size_t)r->blocks * BLOCK);
	else
		memcpy(data, buf, (size_t)r->blocks * BLOCK);
	return 0;
}

/* The disk completes all it holds, newest first, and maybe says so. */
static void disk_work(int raise)
{
	struct denali_disk_req *r;

	/* First, a completion with a live request's slot, not its tag. */
	if (bogus_tag && nr_in_flight) {
		done_queue[nr_done].tag = (in_flight[0].tag ^ 0x5a5a0000);
		done_queue[nr_done++].result = -EIO;
		bogus_tag = 0;
	}
	while (nr_in_flight) {
		r = &in_flight[--nr_in_flight];
		done_queue[nr_done].tag = r->tag;
		done_queue[nr_done++].result = run_request(r);
	}
	if (raise && disk_handler) {
		test_irq_enabled = 0;
		disk_handler(DENALI_IRQ_DISK, disk_handler_arg);
		test_irq_enabled = 1;
	}
}

/* <thread.h> for the one thread: waiting is idling until the upcall. */

void thread_mutex_lock(struct thread_mutex *m)
{
	(void)m;
}

void thread_mutex_unlock(struct thread_mutex *m)
{
	(void)m;
}

static unsigned int signals;

void thread_cond_signal(struct thread_cond *c)
{
	(void)c;
	signals++;
}

void thread_cond_wait(struct thread_cond *c, struct thread_mutex *m)
{
	(void)c;
	(void)m;
	idles++;
	if (!nr_in_flight && !nr_done) {
		printf("Bail out! waiting for a disk that holds nothing\n");
		exit(1);
	}
	disk_work(1);
}

static void reset(void)
{
	unsigned int i;

	memset(&test_vregs, 0, sizeof(test_vregs));
	test_vregs.disk_count = 2;
	test_vregs.disk_blocks[0] = DISK0_BLOCKS;
	test_vregs.disk_blocks[1] = DISK1_BLOCKS;
	test_vregs.disk_readonly = 1U << 1;
	for (i = 0; i < 2; i++) {
		free(disk_data[i]);
		disk_data[i] = malloc(test_vregs.disk_blocks[i] * BLOCK);
	}
	for (i = 0; i < DISK0_BLOCKS * BLOCK; i++)
		disk_data[0][i] = (uint8_t)(i * 7 + i / BLOCK);
	memset(disk_data[1], 0x11, DISK1_BLOCKS * BLOCK);
	take_limit = DENALI_DISK_BATCH_MAX;
	foreign = 0;
	submit_error = 0;
	io_error = 0;
	submits = flushes = idles = signals = 0;
}

/* The tests */

static int test_sync(void)
{
	uint8_t *buf = disk_alloc(200);
	unsigned int i;

	CHECK(buf && (uintptr_t)buf % BLOCK == 0);
	for (i = 0; i < 100 * BLOCK; i++)
		buf[i] = (uint8_t)(i * 13);
	/* 100 blocks: seven requests of up to 16, in one batch. */
	CHECK(disk_write(0, 10, buf, 100) == 0);
	CHECK(submits == 1 && idles >= 1);
	CHECK(!memcmp(disk_data[0] + 10 * BLOCK, buf, 100 * BLOCK));
	CHECK(disk_flush(0) == 0 && flushes == 1);
	memset(buf, 0, 200 * BLOCK);
	CHECK(disk_read(0, 10, buf, 100) == 0);
	for (i = 0; i < 100 * BLOCK; i++)
		CHECK(buf[i] == (uint8_t)(i * 13));
	/* 200 blocks: 13 requests, eight at a time. */
	CHECK(disk_read(0, 0, buf, 200) == 0);
	CHECK(!memcmp(buf, disk_data[0], 200 * BLOCK));
	CHECK(disk_read(0, 0, buf, 0) == 0);
	CHECK(disk_pending() == 0);
	disk_free(buf);
	return 1;
}

static int test_errors(void)
{
	uint8_t *buf = disk_alloc(2);

	CHECK(buf);
	CHECK(disk_count() == 2 && disk_blocks(0) == DISK0_BLOCKS &&
	      disk_blocks(2) == 0);
	CHECK(!disk_readonly(0) && disk_readonly(1) && disk_readonly(7));
	CHECK(disk_read(2, 0, buf, 1) == -ENODEV);
	CHECK(disk_flush(2) == -ENODEV);
	CHECK(disk_read(0, DISK0_BLOCKS - 1, buf, 2) == -EINVAL);
	CHECK(disk_read(0, UINT64_MAX, buf, 1) == -EINVAL);
	CHECK(disk_read(0, 0, buf + 1, 1) == -EINVAL);
	CHECK(disk_write(1, 0, buf, 1) == -EROFS);
	CHECK(submits == 0);
	CHECK(disk_read(1, 0, buf, 1) == 0 && buf[0] == 0x11);
	io_error = -EIO;
	CHECK(disk_read(0, 0, buf, 2) == -EIO);
	io_error = -ENOSPC;
	CHECK(disk_write(0, 0, buf, 1) == -ENOSPC);
	io_error = 0;
	/* The registers say more disks than the ABI has. */
	test_vregs.disk_count = 100;
	CHECK(disk_count() == DENALI_VREGS_DISKS_MAX);
	CHECK(disk_pending() == 0);
	disk_free(buf);
	return 1;
}

static struct disk_io ios[ASYNC_IOS];
static unsigned int completions[ASYNC_IOS];
static int results[ASYNC_IOS];

static void io_done(struct disk_io *io, int result)
{
	unsigned int i = (unsigned int)(io - ios);

	completions[i]++;
	results[i] = result;
}

static int submit_reads(uint8_t *buf, unsigned int count)
{
	struct disk_io *list[ASYNC_IOS];
	unsigned int i;

	memset(completions, 0, sizeof(completions));
	for (i = 0; i < count; i++) {
		ios[i] = (struct disk_io){
			.disk = 0, .op = DENALI_DISK_READ, .blocks = 1,
			.block = i % DISK0_BLOCKS, .buf = buf + i * BLOCK,
			.done = io_done,
		};
		list[i] = &ios[i];
	}
	disk_submit(list, count);
	return 0;
}

/* Far more than the kernel holds, a few per call: all complete once. */
static int test_queueing(void)
{
	uint8_t *buf = disk_alloc(ASYNC_IOS);
	unsigned int i, rounds;

	CHECK(buf);
	take_limit = 5;
	submit_reads(buf, ASYNC_IOS);
	CHECK(disk_pending() == ASYNC_IOS);
	CHECK(nr_in_flight == DENALI_DISK_INFLIGHT_MAX);
	for (rounds = 0; disk_pending() && rounds < 100; rounds++) {
		bogus_tag = rounds == 1;
		disk_work(1);
	}
	CHECK(disk_pending() == 0 && !nr_in_flight && !nr_done);
	for (i = 0; i < ASYNC_IOS; i++) {
		CHECK(completions[i] == 1 && results[i] == 0);
		CHECK(!memcmp(buf + i * BLOCK,
			      disk_data[0] + (i % DISK0_BLOCKS) * BLOCK, BLOCK));
	}
	disk_free(buf);
	return 1;
}

/* With upcalls off, disk_poll() reaps and dispatches. */
static int test_polling(void)
{
	struct disk_io *one = &ios[0];
	uint8_t *buf = disk_alloc(10);
	unsigned int i;

	CHECK(buf);
	submit_reads(buf, 10);
	CHECK(disk_poll() == 0 && disk_pending() == 10);
	disk_work(0);
	CHECK(disk_pending() == 10);
	CHECK(disk_poll() == 10 && disk_pending() == 0);
	for (i = 0; i < 10; i++)
		CHECK(completions[i] == 1 && results[i] == 0);
	/* One the kernel finds bad completes with its errno. */
	ios[0].blocks = DENALI_DISK_REQ_BLOCKS_MAX + 1;
	disk_submit(&one, 1);
	disk_work(0);
	CHECK(disk_poll() == 1 && completions[0] == 2 &&
	      results[0] == -EINVAL);
	disk_free(buf);
	return 1;
}

/* A kernel without disk hypercalls, or one whose queue others fill. */
static int test_refused(void)
{
	uint8_t *buf = disk_alloc(4);
	unsigned int i;

	CHECK(buf);
	submit_error = -ENOSYS;
	submit_reads(buf, 3);
	for (i = 0; i < 3; i++)
		CHECK(completions[i] == 1 && results[i] == -ENOSYS);
	CHECK(disk_read(0, 0, buf, 4) == -ENOSYS);
	CHECK(disk_flush(0) == -ENOSYS);
	submit_error = 0;
	foreign = DENALI_DISK_INFLIGHT_MAX;
	CHECK(disk_read(0, 0, buf, 1) == -EAGAIN);
	foreign = 0;
	CHECK(disk_read(0, 0, buf, 4) == 0);
	CHECK(disk_pending() == 0);
	disk_free(buf);
	return 1;
}

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)rng_state;
}

/* Any byte range into any buffer, through the bounce buffer. */
static int test_pread(void)
{
	uint64_t size = (uint64_t)DISK0_BLOCKS * BLOCK, offset;
	uint8_t *buf = malloc(size + 1);
	unsigned int round;
	size_t len;

	CHECK(buf);
	for (round = 0; round < 300; round++) {
		offset = rng() % size;
		len = rng() % (round % 3 ? 9000 : 200000);
		if (len > size - offset)
			len = (size_t)(size - offset);
		CHECK(disk_pread(0, offset, buf + round % 7, len) == 0);
		CHECK(!memcmp(buf + round % 7, disk_data[0] + offset, len));
	}
	CHECK(disk_pread(0, size, buf, 0) == 0);
	CHECK(disk_pread(0, size - 1, buf, 2) == -EINVAL);
	CHECK(disk_pread(0, UINT64_MAX, buf, 1) == -EINVAL);
	CHECK(disk_pread(3, 0, buf, 1) == -ENODEV);
	CHECK(disk_pending() == 0);
	free(buf);
	return 1;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "reads, writes and flushes in batches, waiting", test_sync },
	{ "bad disks, ranges, buffers, read-only disks, I/O errors",
	  test_errors },
	{ "300 requests through 128 in flight, 5 taken per call",
	  test_queueing },
	{ "completions by polling", test_polling },
	{ "a kernel that refuses every batch", test_refused },
	{ "byte ranges at any offset into any buffer", test_pread },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]), failed = 0;

	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		reset();
		failure[0] = '\0';
		if (tests[i].fn()) {
			printf("ok %u - libdisk: %s\n", i + 1, tests[i].name);
		} else {
			printf("not ok %u - libdisk: %s\n# %s\n", i + 1,
			       tests[i].name, failure);
			failed++;
		}
		fflush(stdout);
	}
	for (i = 0; i < 2; i++)
		free(disk_data[i]);
	return failed ? 1 : 0;
}
