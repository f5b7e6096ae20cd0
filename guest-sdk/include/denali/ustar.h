/* SPDX-License-Identifier: MIT */
/*
 * A read-only file system over a POSIX ustar archive (what
 * `tar --format=ustar` writes), part of libdisk. Mounting reads every
 * header once and keeps an index of the names in memory; lookups then
 * cost no I/O, and reads go to the file's bytes in the archive.
 *
 * Regular files, directories, symbolic links (followed, at most
 * USTAR_MAX_LINKS of them per lookup) and hard links to earlier files
 * are understood; other entries (devices, FIFOs) are indexed but cannot
 * be opened. Names are relative to the archive's root: "./a", "/a" and
 * "a" are the same file. The archive is checked as it is read: a bad
 * header checksum or magic, a number that is not octal, a file that runs
 * past the end of the medium make the mount fail with -EINVAL, and no
 * name or size in it can make the code read outside its buffers or the
 * medium.
 *
 * The medium is reached through a read function, so the same code reads
 * a virtual disk in a guest (ustar_mount_disk()) and a file in the host
 * tests.
 */
#ifndef _DENALI_USTAR_H
#define _DENALI_USTAR_H

#include <stddef.h>
#include <stdint.h>

#define USTAR_MAX_LINKS		8	/* symbolic links per lookup */
#define USTAR_PATH_MAX		256	/* prefix, '/', name */

/*
 * Reads len bytes at offset of the medium into buf: 0 or a negative
 * errno. Called only for ranges inside the size given to ustar_mount().
 */
typedef int (*ustar_read_t)(void *ctx, uint64_t offset, void *buf,
			    size_t len);

struct ustar_fs;

enum ustar_type {
	USTAR_FILE,
	USTAR_DIR,
	USTAR_SYMLINK,
	USTAR_OTHER,
};

/* An open file: where its bytes lie. */
struct ustar_file {
	uint64_t offset;	/* in the medium */
	uint64_t size;
	uint32_t mode;		/* permission bits, from the header */
	enum ustar_type type;	/* USTAR_FILE or USTAR_DIR */
};

/*
 * Reads the archive on a medium of size bytes and builds its index.
 * Returns 0 and *fs, -EINVAL for a corrupt archive, -ENOMEM, or what
 * read returned.
 */
int ustar_mount(struct ustar_fs **fs, uint64_t size, ustar_read_t read,
		void *ctx);
/* The archive on disk (<denali/disk.h>), read through disk_pread(). */
int ustar_mount_disk(struct ustar_fs **fs, unsigned int disk);
void ustar_unmount(struct ustar_fs *fs);

/* Entries indexed (later ones of the same name replace earlier ones). */
unsigned int ustar_entries(const struct ustar_fs *fs);

/*
 * Looks path up, following symbolic links, and fills *file. Returns 0,
 * -ENOENT, -ENOTDIR (a file in the middle of the path), -ELOOP (more
 * than USTAR_MAX_LINKS links), -ENAMETOOLONG, or -EINVAL for an entry
 * that is neither a file nor a directory. A directory opens as one
 * (USTAR_DIR, size 0); it has no bytes to read.
 */
int ustar_open(struct ustar_fs *fs, const char *path,
	       struct ustar_file *file);

/*
 * Reads up to len bytes of file from offset on. Returns the count (0 at
 * or past the end) or a negative errno from the medium.
 */
long ustar_pread(struct ustar_fs *fs, const struct ustar_file *file,
		 void *buf, size_t len, uint64_t offset);

#endif /* _DENALI_USTAR_H */
