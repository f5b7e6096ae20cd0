// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the virtual disks: the checks of a guest's request
 * (each bad field with the errno the ABI gives it) and the overlay's
 * layout, header and block map.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/denali_abi.h>

#include "disk.h"

#define MEM_SIZE	(1U << 20)

static const u64 disk_blocks[] = { 100, 8 };

static int check(const struct denali_disk_req *req)
{
	/* Disk 1 is read-only. */
	return denali_disk_req_check(req, MEM_SIZE, ARRAY_SIZE(disk_blocks),
				     disk_blocks, BIT(1));
}

static struct denali_disk_req good_read(void)
{
	return (struct denali_disk_req){
		.tag = 7, .disk = 0, .op = DENALI_DISK_READ,
		.blocks = 4, .block = 96, .addr = 0x10000,
	};
}

static void disk_req_good(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	KUNIT_EXPECT_EQ(test, check(&req), 0);
	req.op = DENALI_DISK_WRITE;
	KUNIT_EXPECT_EQ(test, check(&req), 0);
	req = (struct denali_disk_req){ .disk = 1, .op = DENALI_DISK_FLUSH };
	KUNIT_EXPECT_EQ(test, check(&req), 0);
	/* The largest request, ending at the end of memory. */
	req = good_read();
	req.blocks = DENALI_DISK_REQ_BLOCKS_MAX;
	req.block = 0;
	req.addr = MEM_SIZE - DENALI_DISK_REQ_BLOCKS_MAX * DENALI_DISK_BLOCK_SIZE;
	KUNIT_EXPECT_EQ(test, check(&req), 0);
}

static void disk_req_unknown_disk(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	req.disk = 2;
	KUNIT_EXPECT_EQ(test, check(&req), -ENODEV);
	req.disk = 255;
	KUNIT_EXPECT_EQ(test, check(&req), -ENODEV);
	KUNIT_EXPECT_EQ(test, denali_disk_req_check(&req, MEM_SIZE, 0, NULL, 0),
			-ENODEV);
}

static void disk_req_bad_fields(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	req.op = 3;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req = good_read();
	req.reserved = 1;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req = good_read();
	req.blocks = 0;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req.blocks = DENALI_DISK_REQ_BLOCKS_MAX + 1;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req = good_read();
	req.addr += 512;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	/* A flush names no blocks and no buffer. */
	req = (struct denali_disk_req){ .op = DENALI_DISK_FLUSH, .blocks = 1 };
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req = (struct denali_disk_req){ .op = DENALI_DISK_FLUSH, .addr = 4096 };
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
}

static void disk_req_past_end(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	req.block = 97;		/* 97 + 4 > 100 */
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	req.block = 100;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
	/* No wrap of block + blocks. */
	req.block = U64_MAX - 1;
	KUNIT_EXPECT_EQ(test, check(&req), -EINVAL);
}

static void disk_req_bad_buffer(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	req.addr = MEM_SIZE - DENALI_DISK_BLOCK_SIZE;	/* 3 blocks outside */
	KUNIT_EXPECT_EQ(test, check(&req), -EFAULT);
	req.addr = MEM_SIZE;
	KUNIT_EXPECT_EQ(test, check(&req), -EFAULT);
	/* Wrapping at 4 GiB: the last block of the address space. */
	req.addr = 0xfffff000;
	KUNIT_EXPECT_EQ(test, check(&req), -EFAULT);
	KUNIT_EXPECT_EQ(test, denali_disk_req_check(&req, DENALI_MEM_MAX, 1,
						    disk_blocks, 0), -EFAULT);
}

static void disk_req_readonly(struct kunit *test)
{
	struct denali_disk_req req = good_read();

	req.disk = 1;
	req.block = 0;
	KUNIT_EXPECT_EQ(test, check(&req), 0);
	req.op = DENALI_DISK_WRITE;
	KUNIT_EXPECT_EQ(test, check(&req), -EROFS);
}

static void disk_cow_layout(struct kunit *test)
{
	const u64 per_block = DENALI_DISK_BLOCK_SIZE * 8;

	KUNIT_EXPECT_EQ(test, denali_cow_bitmap_blocks(1), 1ULL);
	KUNIT_EXPECT_EQ(test, denali_cow_bitmap_blocks(per_block), 1ULL);
	KUNIT_EXPECT_EQ(test, denali_cow_bitmap_blocks(per_block + 1), 2ULL);
	KUNIT_EXPECT_EQ(test, denali_cow_data_start(per_block + 1), 3ULL);
}

static void disk_cow_header(struct kunit *test)
{
	struct denali_cow_header hdr;

	denali_cow_header_init(&hdr, 1000);
	KUNIT_EXPECT_EQ(test, denali_cow_header_check(&hdr, 1000), 0);
	KUNIT_EXPECT_EQ(test, denali_cow_header_check(&hdr, 999), -ERANGE);
	hdr.data_start = cpu_to_le64(7);
	KUNIT_EXPECT_EQ(test, denali_cow_header_check(&hdr, 1000), -EINVAL);
	denali_cow_header_init(&hdr, 1000);
	hdr.magic = 0;
	KUNIT_EXPECT_EQ(test, denali_cow_header_check(&hdr, 1000), -EINVAL);
	denali_cow_header_init(&hdr, 1000);
	hdr.block_size = cpu_to_le32(512);
	KUNIT_EXPECT_EQ(test, denali_cow_header_check(&hdr, 1000), -EINVAL);
}

/* Runs of blocks that the overlay holds, and of those it does not. */
static void disk_cow_runs(struct kunit *test)
{
	DECLARE_BITMAP(map, 64) = { 0 };
	bool in;

	set_bit(3, map);
	set_bit(4, map);
	set_bit(10, map);
	KUNIT_EXPECT_EQ(test, denali_cow_run(map, 0, 16, &in), 3U);
	KUNIT_EXPECT_FALSE(test, in);
	KUNIT_EXPECT_EQ(test, denali_cow_run(map, 3, 16, &in), 2U);
	KUNIT_EXPECT_TRUE(test, in);
	KUNIT_EXPECT_EQ(test, denali_cow_run(map, 5, 16, &in), 5U);
	KUNIT_EXPECT_FALSE(test, in);
	KUNIT_EXPECT_EQ(test, denali_cow_run(map, 10, 1, &in), 1U);
	KUNIT_EXPECT_TRUE(test, in);
	/* Never past count. */
	KUNIT_EXPECT_EQ(test, denali_cow_run(map, 11, 4, &in), 4U);
	KUNIT_EXPECT_FALSE(test, in);
}

static struct kunit_case denali_disk_cases[] = {
	KUNIT_CASE(disk_req_good),
	KUNIT_CASE(disk_req_unknown_disk),
	KUNIT_CASE(disk_req_bad_fields),
	KUNIT_CASE(disk_req_past_end),
	KUNIT_CASE(disk_req_bad_buffer),
	KUNIT_CASE(disk_req_readonly),
	KUNIT_CASE(disk_cow_layout),
	KUNIT_CASE(disk_cow_header),
	KUNIT_CASE(disk_cow_runs),
	{}
};

static struct kunit_suite denali_disk_suite = {
	.name = "denali_disk",
	.test_cases = denali_disk_cases,
};

kunit_test_suite(denali_disk_suite);
