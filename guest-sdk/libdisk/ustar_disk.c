/* SPDX-License-Identifier: MIT */
/* The ustar file system on a virtual disk: the guest's medium for it. */
#include <errno.h>
#include <stdint.h>
#include <denali/disk.h>
#include <denali/ustar.h>

static int disk_medium_read(void *ctx, uint64_t offset, void *buf, size_t len)
{
	return disk_pread((unsigned int)(uintptr_t)ctx, offset, buf, len);
}

int ustar_mount_disk(struct ustar_fs **fs, unsigned int disk)
{
	if (disk >= disk_count()) {
		*fs = NULL;
		return -ENODEV;
	}
	return ustar_mount(fs, disk_blocks(disk) * DENALI_DISK_BLOCK_SIZE,
			   disk_medium_read, (void *)(uintptr_t)disk);
}
