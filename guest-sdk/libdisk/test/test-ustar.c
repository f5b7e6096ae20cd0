/* SPDX-License-Identifier: MIT */
/*
 * The ustar file system's tests, on the host: archives that
 * `tar --format=ustar` makes of a directory built here, read from
 * memory through a medium that fails the test when a read strays past
 * its end; then the same archives damaged (checksums, sizes, magic,
 * names without NUL, truncation, link loops) and fuzzed. Prints TAP;
 * exits 1 when a test fails.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <denali/ustar.h>

#define RECORD		512
#define BIG_SIZE	(100 * 1024 + 17)

static char failure[512];
static char workdir[] = "/tmp/test-ustar.XXXXXX";

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		if (!failure[0])					\
			snprintf(failure, sizeof(failure),		\
				 "line %d: %s", __LINE__, #cond);	\
		return 0;						\
	}								\
} while (0)

/* An archive in memory; reads outside it are counted, not done. */
struct medium {
	unsigned char *data;
	uint64_t size;
	unsigned int strays;
	int fail_reads;			/* return -EIO instead */
};

static int medium_read(void *ctx, uint64_t offset, void *buf, size_t len)
{
	struct medium *m = ctx;

	if (m->fail_reads)
		return -EIO;
	if (offset > m->size || len > m->size - offset) {
		m->strays++;
		return -EIO;
	}
	memcpy(buf, m->data + offset, len);
	return 0;
}

static void write_file(const char *rel, size_t size, unsigned int seed)
{
	char path[512];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/site/%s", workdir, rel);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	for (i = 0; i < size; i++)
		fputc((int)((i * 7 + seed) % 251), f);
	fclose(f);
}

static int shell(const char *fmt, const char *arg)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, workdir, arg);
	return system(cmd);
}

/* Reads workdir/NAME into m. */
static int load_archive(struct medium *m, const char *name)
{
	char path[512];
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/%s", workdir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	m->data = malloc((size_t)size + 1);
	m->size = (uint64_t)size;
	m->strays = 0;
	m->fail_reads = 0;
	if (!m->data || fread(m->data, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Runs tar on WHAT in the site directory into workdir/NAME, and loads it. */
static int make_archive(struct medium *m, const char *name, const char *what)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "cd %s/site && tar --format=ustar -cf ../%s %s", workdir,
		 name, what);
	if (system(cmd))
		return -1;
	return load_archive(m, name);
}

/* Whether file holds exactly the bytes write_file(size, seed) wrote. */
static int content_ok(struct ustar_fs *fs, const struct ustar_file *file,
		      size_t size, unsigned int seed)
{
	static unsigned char buf[BIG_SIZE + 100];
	size_t i, got = 0;
	long n;

	if (file->type != USTAR_FILE || file->size != size)
		return 0;
	/* Odd chunks, so that reads start and end anywhere. */
	while ((n = ustar_pread(fs, file, buf + got, 4093, got)) > 0)
		got += (size_t)n;
	if (n < 0 || got != size)
		return 0;
	for (i = 0; i < size; i++)
		if (buf[i] != (i * 7 + seed) % 251)
			return 0;
	return 1;
}

static char long_dir[160], long_path[300];

/* The site every test starts from. */
static void make_site(void)
{
	char rel[400];

	if (!mkdtemp(workdir)) {
		perror("mkdtemp");
		exit(1);
	}
	shell("mkdir -p %s/site/sub/dir%s", "");
	shell("mkdir -p %s/site/empty%s", "");
	/* A path over 100 bytes: tar puts its start in the prefix field. */
	memset(long_dir, 'd', 120);
	long_dir[60] = '/';
	snprintf(rel, sizeof(rel), "mkdir -p %%s/site/%s", long_dir);
	shell(rel, "");
	snprintf(long_path, sizeof(long_path), "%s/%s", long_dir,
		 "a-file-with-a-name-of-some-length.txt");
	write_file("index.html", 1234, 1);
	write_file("sub/dir/file.txt", 5000, 2);
	write_file("big.bin", BIG_SIZE, 3);
	write_file("zero", 0, 4);
	write_file(long_path, 77, 5);
	shell("cd %s/site && ln -s dir/file.txt sub/rel-link && "
	      "ln -s /index.html abs-link && ln -s sub/dir dir-link && "
	      "ln -s loop-b loop-a && ln -s loop-a loop-b && "
	      "ln -s self self && ln -s nowhere dangling && "
	      "ln -s ../../index.html sub/dir/up && "
	      "ln index.html hard%s", "");
}

static int test_basic(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(make_archive(&m, "basic.tar", ".") == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "/index.html", &f) == 0 &&
	      content_ok(fs, &f, 1234, 1));
	CHECK(ustar_open(fs, "index.html", &f) == 0 &&
	      content_ok(fs, &f, 1234, 1));
	CHECK(ustar_open(fs, "/sub/dir/file.txt", &f) == 0 &&
	      content_ok(fs, &f, 5000, 2));
	CHECK(ustar_open(fs, "/big.bin", &f) == 0 &&
	      content_ok(fs, &f, BIG_SIZE, 3));
	CHECK(ustar_open(fs, "/zero", &f) == 0 && content_ok(fs, &f, 0, 4));
	CHECK(ustar_open(fs, long_path, &f) == 0 &&
	      content_ok(fs, &f, 77, 5));
	CHECK(ustar_open(fs, "/./sub//dir/../dir/file.txt", &f) == 0 &&
	      f.size == 5000);
	CHECK(ustar_open(fs, "/sub", &f) == 0 && f.type == USTAR_DIR);
	CHECK(ustar_open(fs, "/empty/", &f) == 0 && f.type == USTAR_DIR);
	CHECK(ustar_open(fs, "/", &f) == 0 && f.type == USTAR_DIR);
	CHECK(ustar_pread(fs, &f, m.data, 10, 0) == 0);
	CHECK(ustar_open(fs, "/missing", &f) == -ENOENT);
	CHECK(ustar_open(fs, "/sub/missing/x", &f) == -ENOENT);
	CHECK(ustar_open(fs, "/index.html/x", &f) == -ENOTDIR);
	CHECK(ustar_open(fs, "/../../index.html", &f) == 0 && f.size == 1234);
	CHECK(m.strays == 0);
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

static int test_read_offsets(void)
{
	unsigned char buf[64];
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;
	size_t i;

	CHECK(make_archive(&m, "basic.tar", ".") == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "index.html", &f) == 0);
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), 1200) == 34);
	for (i = 0; i < 34; i++)
		CHECK(buf[i] == ((1200 + i) * 7 + 1) % 251);
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), 1234) == 0);
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), UINT64_MAX) == 0);
	CHECK(ustar_pread(fs, &f, buf, 0, 0) == 0);
	/* A forged file outside the medium is refused, not read. */
	f.offset = m.size - 10;
	f.size = 100;
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), 0) == -EINVAL);
	f.offset = UINT64_MAX - 5;
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), 0) == -EINVAL);
	m.fail_reads = 1;
	CHECK(ustar_open(fs, "index.html", &f) == 0);
	CHECK(ustar_pread(fs, &f, buf, sizeof(buf), 0) == -EIO);
	CHECK(m.strays == 0);
	ustar_unmount(fs);
	m.fail_reads = 1;
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == -EIO && !fs);
	free(m.data);
	return 1;
}

static int test_links(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(make_archive(&m, "basic.tar", ".") == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "/sub/rel-link", &f) == 0 &&
	      content_ok(fs, &f, 5000, 2));
	CHECK(ustar_open(fs, "/abs-link", &f) == 0 &&
	      content_ok(fs, &f, 1234, 1));
	CHECK(ustar_open(fs, "/dir-link/file.txt", &f) == 0 &&
	      content_ok(fs, &f, 5000, 2));
	CHECK(ustar_open(fs, "/dir-link", &f) == 0 && f.type == USTAR_DIR);
	CHECK(ustar_open(fs, "/sub/dir/up", &f) == 0 && f.size == 1234);
	CHECK(ustar_open(fs, "/hard", &f) == 0 &&
	      content_ok(fs, &f, 1234, 1));
	CHECK(ustar_open(fs, "/loop-a", &f) == -ELOOP);
	CHECK(ustar_open(fs, "/self", &f) == -ELOOP);
	CHECK(ustar_open(fs, "/self/x", &f) == -ELOOP);
	CHECK(ustar_open(fs, "/dangling", &f) == -ENOENT);
	CHECK(m.strays == 0);
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

/* "tar -cf x site": every name starts with "site/". */
static int test_prefixed_names(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(shell("cd %s && tar --format=ustar -cf prefixed.tar site%s",
		    "") == 0);
	CHECK(load_archive(&m, "prefixed.tar") == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "/site/sub/dir/file.txt", &f) == 0 &&
	      content_ok(fs, &f, 5000, 2));
	CHECK(ustar_open(fs, "/sub/dir/file.txt", &f) == -ENOENT);
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

/* Writes a header's checksum as tar does: six digits, NUL, space. */
static void fix_checksum(unsigned char *rec)
{
	unsigned int sum = 0, i;

	memset(rec + 148, ' ', 8);
	for (i = 0; i < RECORD; i++)
		sum += rec[i];
	snprintf((char *)rec + 148, 8, "%06o", sum);
	rec[155] = ' ';
}

/*
 * a.txt (1000 bytes) then b.txt (10 bytes): headers at 0 and 1536,
 * b's data at 2048, the end-of-archive records at 2560.
 */
static int two_files(struct medium *m)
{
	write_file("a.txt", 1000, 6);
	write_file("b.txt", 10, 7);
	return make_archive(m, "two.tar", "a.txt b.txt");
}

/* Mounting fails with want, and reads nothing outside the medium. */
static int mount_fails(struct medium *m, int want)
{
	struct ustar_fs *fs = (struct ustar_fs *)1;
	int ret = ustar_mount(&fs, m->size, medium_read, m);

	return ret == want && !fs && !m->strays;
}

static int test_corrupt_headers(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(two_files(&m) == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_entries(fs) == 2);
	ustar_unmount(fs);

	/* A flipped bit in a name: the checksum no longer matches. */
	m.data[1536 + 1] ^= 1;
	CHECK(mount_fails(&m, -EINVAL));
	m.data[1536 + 1] ^= 1;
	m.data[148] = 'x';		/* not octal */
	CHECK(mount_fails(&m, -EINVAL));
	m.data[148] = '0';
	fix_checksum(m.data);
	/* Not a ustar header (a GNU or v7 one, or garbage). */
	memcpy(m.data + 257, "ustar ", 6);
	fix_checksum(m.data);
	CHECK(mount_fails(&m, -EINVAL));
	memcpy(m.data + 257, "ustar", 6);
	memcpy(m.data + 263, "01", 2);
	fix_checksum(m.data);
	CHECK(mount_fails(&m, -EINVAL));
	memcpy(m.data + 263, "00", 2);
	fix_checksum(m.data);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	ustar_unmount(fs);

	/* Sizes: past the end, not octal, base-256, all digits. */
	memcpy(m.data + 1536 + 124, "77777777777", 12);
	fix_checksum(m.data + 1536);
	CHECK(mount_fails(&m, -EINVAL));
	memcpy(m.data + 1536 + 124, "0000000001x", 12);
	fix_checksum(m.data + 1536);
	CHECK(mount_fails(&m, -EINVAL));
	memset(m.data + 1536 + 124, 0, 12);
	m.data[1536 + 124] = 0x80;
	m.data[1536 + 135] = 0x10;
	fix_checksum(m.data + 1536);
	CHECK(mount_fails(&m, -EINVAL));
	memcpy(m.data + 1536 + 124, "000000000012", 12);	/* no NUL */
	fix_checksum(m.data + 1536);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == 0 && f.size == 10);
	ustar_unmount(fs);
	/* The largest size that fits exactly. */
	snprintf((char *)m.data + 1536 + 124, 12, "%011llo",
		 (unsigned long long)(m.size - 2048));
	fix_checksum(m.data + 1536);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == 0 && f.size == m.size - 2048);
	ustar_unmount(fs);
	snprintf((char *)m.data + 1536 + 124, 12, "%011llo",
		 (unsigned long long)(m.size - 2048 + 1));
	fix_checksum(m.data + 1536);
	CHECK(mount_fails(&m, -EINVAL));
	free(m.data);
	return 1;
}

static int test_names_without_nul(void)
{
	char want[300];
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(two_files(&m) == 0);
	/* Every byte of name, prefix and link name used: no NUL at all. */
	memset(m.data, 'n', 100);
	memset(m.data + 345, 'p', 155);
	memset(m.data + 157, 'l', 100);
	fix_checksum(m.data);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	memset(want, 'p', 155);
	want[155] = '/';
	memset(want + 156, 'n', 100);
	want[256] = '\0';
	CHECK(ustar_open(fs, want, &f) == 0 && content_ok(fs, &f, 1000, 6));
	/* Longer than any archived name can be. */
	memset(want, 'x', 299);
	want[299] = '\0';
	CHECK(ustar_open(fs, want, &f) == -ENAMETOOLONG);
	ustar_unmount(fs);

	/*
	 * A symlink whose 100-byte target has no NUL either (its size
	 * field still counts the data that follows).
	 */
	m.data[156] = '2';
	fix_checksum(m.data);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	memset(want, 'p', 155);
	want[155] = '/';
	memset(want + 156, 'n', 100);
	want[256] = '\0';
	CHECK(ustar_open(fs, want, &f) == -ENOENT);
	CHECK(m.strays == 0);
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

static int test_truncated(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;
	uint64_t full;

	CHECK(two_files(&m) == 0);
	full = m.size;
	/* Cut inside a's data, inside b's header, after b's data. */
	m.size = 700;
	CHECK(mount_fails(&m, -EINVAL));
	m.size = 1536 + 100;
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_entries(fs) == 1);
	ustar_unmount(fs);
	m.size = 2048 + 5;
	CHECK(mount_fails(&m, -EINVAL));
	/* No end-of-archive records: the medium's end ends it. */
	m.size = 2048 + 10;
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == 0 &&
	      content_ok(fs, &f, 10, 7));
	ustar_unmount(fs);
	m.size = 0;
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_entries(fs) == 0);
	CHECK(ustar_open(fs, "a.txt", &f) == -ENOENT);
	ustar_unmount(fs);
	/* A zero record ends the archive, whatever follows. */
	m.size = full;
	memset(m.data, 0, RECORD);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_entries(fs) == 0);
	ustar_unmount(fs);
	CHECK(m.strays == 0);
	free(m.data);
	return 1;
}

/* A hard link must name an earlier regular file. */
static int test_bad_hard_links(void)
{
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;

	CHECK(two_files(&m) == 0);
	/* b.txt a hard link to itself, then to a later or missing name. */
	m.data[1536 + 156] = '1';
	memcpy(m.data + 1536 + 157, "b.txt", 6);
	fix_checksum(m.data + 1536);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == -EINVAL);
	ustar_unmount(fs);
	memcpy(m.data + 1536 + 157, "a.txt", 6);
	fix_checksum(m.data + 1536);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == 0 &&
	      content_ok(fs, &f, 1000, 6));
	ustar_unmount(fs);
	/* A device node: indexed, not opened. */
	m.data[1536 + 156] = '3';
	fix_checksum(m.data + 1536);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_open(fs, "b.txt", &f) == -EINVAL);
	CHECK(ustar_open(fs, "b.txt/x", &f) == -ENOTDIR);
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

static int test_many_files(void)
{
	char rel[64];
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;
	unsigned int i;

	CHECK(shell("mkdir -p %s/site/many%s", "") == 0);
	for (i = 0; i < 500; i++) {
		snprintf(rel, sizeof(rel), "many/f%u", i);
		write_file(rel, i, i);
	}
	CHECK(make_archive(&m, "many.tar", "many") == 0);
	CHECK(ustar_mount(&fs, m.size, medium_read, &m) == 0);
	CHECK(ustar_entries(fs) == 501);
	for (i = 0; i < 500; i++) {
		snprintf(rel, sizeof(rel), "/many/f%u", i);
		CHECK(ustar_open(fs, rel, &f) == 0 &&
		      content_ok(fs, &f, i, i));
	}
	ustar_unmount(fs);
	free(m.data);
	return 1;
}

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Random damage to the basic archive, with the checksums made right
 * again half of the time so that the damage reaches past them: whatever
 * mounts must open and read without a stray read (ASan watches ours).
 */
static int test_fuzz(void)
{
	static const char *const paths[] = {
		"/index.html", "/sub/dir/file.txt", "/big.bin", "/zero",
		"/sub/rel-link", "/abs-link", "/dir-link/file.txt",
		"/loop-a", "/hard", "/sub/dir/up", "/sub", "/dangling",
	};
	unsigned char buf[4096], *orig;
	struct medium m;
	struct ustar_fs *fs;
	struct ustar_file f;
	unsigned int round, i, flips, mounted = 0;
	uint64_t pos, off, orig_size;
	long n;

	CHECK(make_archive(&m, "basic.tar", ".") == 0);
	orig = malloc(m.size);
	CHECK(orig);
	memcpy(orig, m.data, m.size);
	orig_size = m.size;
	for (round = 0; round < 3000; round++) {
		memcpy(m.data, orig, m.size);
		flips = 1 + rng() % 8;
		for (i = 0; i < flips; i++) {
			/* Mostly in headers: the first records of files. */
			pos = rng() % (m.size / RECORD) * RECORD +
			      rng() % (rng() % 2 ? 512 : 160);
			m.data[pos] = (unsigned char)rng();
			if (rng() % 2)
				fix_checksum(m.data + pos / RECORD * RECORD);
		}
		m.size = rng() % 4 ? m.size : rng() % m.size;
		if (ustar_mount(&fs, m.size, medium_read, &m) == 0) {
			mounted++;
			for (i = 0; i < sizeof(paths) / sizeof(paths[0]);
			     i++) {
				if (ustar_open(fs, paths[i], &f))
					continue;
				off = rng() % (f.size + 2);
				n = ustar_pread(fs, &f, buf, sizeof(buf), off);
				CHECK(n >= 0 && (uint64_t)n <= sizeof(buf));
			}
			ustar_unmount(fs);
		}
		CHECK(m.strays == 0);
		m.size = orig_size;
	}
	/* Some got through the checks, and were read. */
	CHECK(mounted > 100);
	free(orig);
	free(m.data);
	return 1;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "files, directories and paths of a tar --format=ustar archive",
	  test_basic },
	{ "reads at any offset, forged files and medium errors",
	  test_read_offsets },
	{ "symbolic and hard links, loops and dangling links", test_links },
	{ "names under a directory prefix", test_prefixed_names },
	{ "bad checksums, magic, versions and sizes", test_corrupt_headers },
	{ "names, prefixes and link names without NUL",
	  test_names_without_nul },
	{ "truncated archives and the end of the medium", test_truncated },
	{ "hard links to themselves, to nothing, device nodes",
	  test_bad_hard_links },
	{ "500 files", test_many_files },
	{ "3000 randomly damaged archives", test_fuzz },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]), failed = 0;

	make_site();
	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		failure[0] = '\0';
		if (tests[i].fn()) {
			printf("ok %u - ustar: %s\n", i + 1, tests[i].name);
		} else {
			printf("not ok %u - ustar: %s\n# %s\n", i + 1,
			       tests[i].name, failure);
			failed++;
		}
		fflush(stdout);
	}
	shell("rm -rf %s%s", "");
	return failed ? 1 : 0;
}
