/* SPDX-License-Identifier: MIT */
/*
 * The ustar file system of <denali/ustar.h>. Every field of a header is
 * read with its length as the bound (names need no NUL), every number is
 * checked octal, and every file must end inside the medium before it is
 * indexed; a lookup only ever reads the index. Builds for the host too
 * (libdisk/test/).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <denali/ustar.h>

#define RECORD			512
#define NAME_LEN		100
#define LINKNAME_LEN		100
#define PREFIX_LEN		155

/* The header's fields: offsets in the 512-byte record. */
#define OFF_NAME		0
#define OFF_MODE		100
#define OFF_SIZE		124
#define OFF_CHKSUM		148
#define OFF_TYPEFLAG		156
#define OFF_LINKNAME		157
#define OFF_MAGIC		257
#define OFF_VERSION		263
#define OFF_PREFIX		345

/* What a link resolution may put together: a directory, a target, a rest. */
#define RESOLVE_MAX		(2 * USTAR_PATH_MAX + LINKNAME_LEN + 3)

enum ustar_kind {
	KIND_FILE = USTAR_FILE,
	KIND_DIR = USTAR_DIR,
	KIND_SYMLINK = USTAR_SYMLINK,
	KIND_OTHER = USTAR_OTHER,
	KIND_HARDLINK,			/* until the mount resolves it */
};

struct ustar_entry {
	char *name;			/* normalized */
	char *link;			/* a link's target, as archived */
	uint64_t offset;
	uint64_t size;
	uint32_t mode;
	enum ustar_kind kind;
};

struct ustar_fs {
	ustar_read_t read;
	void *ctx;
	uint64_t size;
	struct ustar_entry *entries;
	unsigned int count, capacity;
	/* Open addressing: entry index + 1, 0 for an empty slot. */
	unsigned int *hash;
	unsigned int hash_mask;
};

/*
 * A numeric field: octal digits, maybe after spaces, then only spaces
 * or NULs. Anything else (base-256 numbers included) is refused.
 */
static int parse_octal(const unsigned char *field, size_t len,
		       uint64_t *value)
{
	size_t i = 0;
	uint64_t v = 0;
	int digits = 0;

	while (i < len && field[i] == ' ')
		i++;
	for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v >> 61)
			return -EINVAL;
		v = v << 3 | (uint64_t)(field[i] - '0');
		digits++;
	}
	for (; i < len; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return -EINVAL;
	if (!digits)
		return -EINVAL;
	*value = v;
	return 0;
}

static int record_is_zero(const unsigned char *rec)
{
	size_t i;

	for (i = 0; i < RECORD; i++)
		if (rec[i])
			return 0;
	return 1;
}

/*
 * The stored sum, against the sum with the field as spaces; old tars
 * summed signed chars, which POSIX readers accept too.
 */
static int checksum_ok(const unsigned char *rec)
{
	uint64_t stored;
	uint32_t sum = 0;
	int32_t ssum = 0;
	size_t i;

	if (parse_octal(rec + OFF_CHKSUM, 8, &stored))
		return 0;
	for (i = 0; i < RECORD; i++) {
		unsigned char c = i >= OFF_CHKSUM && i < OFF_CHKSUM + 8 ?
				  ' ' : rec[i];

		sum += c;
		ssum += (signed char)c;
	}
	return stored == sum || (int64_t)stored == ssum;
}

/*
 * Puts path in canonical form into out (size bytes): no leading, trailing
 * or doubled '/', no "." components, ".." taking the one before (never
 * above the root). Returns the length, or -ENAMETOOLONG.
 */
static int normalize(const char *path, size_t path_len, char *out,
		     size_t size)
{
	size_t i = 0, len = 0, start, n;

	while (i < path_len) {
		while (i < path_len && path[i] == '/')
			i++;
		start = i;
		while (i < path_len && path[i] != '/')
			i++;
		n = i - start;
		if (!n || (n == 1 && path[start] == '.'))
			continue;
		if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			continue;
		}
		if (len + !!len + n + 1 > size)
			return -ENAMETOOLONG;
		if (len)
			out[len++] = '/';
		memcpy(out + len, path + start, n);
		len += n;
	}
	out[len] = '\0';
	return (int)len;
}

static uint32_t name_hash(const char *name)
{
	uint32_t h = 2166136261U;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 16777619U;
	return h;
}

static struct ustar_entry *lookup(const struct ustar_fs *fs, const char *name)
{
	uint32_t i = name_hash(name) & fs->hash_mask;
	unsigned int slot;

	while ((slot = fs->hash[i])) {
		if (!strcmp(fs->entries[slot - 1].name, name))
			return &fs->entries[slot - 1];
		i = (i + 1) & fs->hash_mask;
	}
	return NULL;
}

static int build_hash(struct ustar_fs *fs)
{
	unsigned int size = 16, i;
	uint32_t h;

	while (size < 2 * fs->count)
		size *= 2;
	fs->hash = calloc(size, sizeof(*fs->hash));
	if (!fs->hash)
		return -ENOMEM;
	fs->hash_mask = size - 1;
	/* In archive order: a later entry of a name replaces the earlier. */
	for (i = 0; i < fs->count; i++) {
		h = name_hash(fs->entries[i].name) & fs->hash_mask;
		while (fs->hash[h] &&
		       strcmp(fs->entries[fs->hash[h] - 1].name,
			      fs->entries[i].name))
			h = (h + 1) & fs->hash_mask;
		fs->hash[h] = i + 1;
	}
	return 0;
}

/*
 * A hard link shares the data of the earlier file it names; one naming
 * anything else, or nothing earlier, cannot be opened. In archive order,
 * so a link to a link finds its target resolved already.
 */
static void resolve_hard_links(struct ustar_fs *fs)
{
	char target[USTAR_PATH_MAX + 1];
	struct ustar_entry *e, *t;
	unsigned int i;

	for (i = 0; i < fs->count; i++) {
		e = &fs->entries[i];
		if (e->kind != KIND_HARDLINK)
			continue;
		e->kind = KIND_OTHER;
		if (normalize(e->link, strlen(e->link), target,
			      sizeof(target)) < 0)
			continue;
		t = lookup(fs, target);
		if (t && t < e && t->kind == KIND_FILE) {
			e->kind = KIND_FILE;
			e->offset = t->offset;
			e->size = t->size;
		}
	}
}

static char *copy_field(const unsigned char *field, size_t len)
{
	size_t n = strnlen((const char *)field, len);
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, field, n);
		s[n] = '\0';
	}
	return s;
}

static int add_entry(struct ustar_fs *fs, const struct ustar_entry *e)
{
	struct ustar_entry *grown;

	if (fs->count == fs->capacity) {
		unsigned int capacity = fs->capacity ? 2 * fs->capacity : 64;

		if (capacity > UINT32_MAX / 2 / sizeof(*grown))
			return -ENOMEM;
		grown = malloc(capacity * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		if (fs->count)
			memcpy(grown, fs->entries, fs->count * sizeof(*grown));
		free(fs->entries);
		fs->entries = grown;
		fs->capacity = capacity;
	}
	fs->entries[fs->count++] = *e;
	return 0;
}

static enum ustar_kind kind_of(unsigned char typeflag)
{
	switch (typeflag) {
	case '0':
	case '\0':
	case '7':		/* contiguous: a regular file to a reader */
		return KIND_FILE;
	case '1':
		return KIND_HARDLINK;
	case '2':
		return KIND_SYMLINK;
	case '5':
		return KIND_DIR;
	default:
		return KIND_OTHER;
	}
}

/* Indexes the header in rec at pos; *next gets the next header's offset. */
static int index_header(struct ustar_fs *fs, const unsigned char *rec,
			uint64_t pos, uint64_t *next)
{
	char path[PREFIX_LEN + 1 + NAME_LEN], name[USTAR_PATH_MAX + 1];
	struct ustar_entry e = { 0 };
	size_t prefix_len, name_len, len = 0;
	uint64_t size, mode, data = pos + RECORD;
	int n;

	if (!checksum_ok(rec) || memcmp(rec + OFF_MAGIC, "ustar", 6) ||
	    memcmp(rec + OFF_VERSION, "00", 2) ||
	    parse_octal(rec + OFF_SIZE, 12, &size) ||
	    parse_octal(rec + OFF_MODE, 8, &mode))
		return -EINVAL;
	if (data > fs->size || size > fs->size - data)
		return -EINVAL;
	/* Rounded up to a record; the medium's end bounds the result. */
	*next = data + ((size + RECORD - 1) & ~(uint64_t)(RECORD - 1));

	prefix_len = strnlen((const char *)rec + OFF_PREFIX, PREFIX_LEN);
	name_len = strnlen((const char *)rec + OFF_NAME, NAME_LEN);
	if (prefix_len) {
		memcpy(path, rec + OFF_PREFIX, prefix_len);
		path[prefix_len] = '/';
		len = prefix_len + 1;
	}
	memcpy(path + len, rec + OFF_NAME, name_len);
	len += name_len;
	n = normalize(path, len, name, sizeof(name));
	if (n < 0)
		return -EINVAL;
	if (!n)
		return 0;		/* the root itself, "./" */

	e.kind = kind_of(rec[OFF_TYPEFLAG]);
	e.offset = data;
	e.size = e.kind == KIND_FILE ? size : 0;
	e.mode = (uint32_t)(mode & 07777);
	e.name = copy_field((const unsigned char *)name, (size_t)n);
	if (e.kind == KIND_SYMLINK || e.kind == KIND_HARDLINK)
		e.link = copy_field(rec + OFF_LINKNAME, LINKNAME_LEN);
	if (!e.name || ((e.kind == KIND_SYMLINK || e.kind == KIND_HARDLINK) &&
			!e.link) || add_entry(fs, &e)) {
		free(e.name);
		free(e.link);
		return -ENOMEM;
	}
	return 0;
}

int ustar_mount(struct ustar_fs **fsp, uint64_t size, ustar_read_t read,
		void *ctx)
{
	unsigned char rec[RECORD];
	struct ustar_fs *fs;
	uint64_t pos = 0, next;
	int ret = 0;

	*fsp = NULL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->read = read;
	fs->ctx = ctx;
	fs->size = size;
	/* A zero record ends the archive, as does the end of the medium. */
	while (size >= RECORD && pos <= size - RECORD) {
		ret = read(ctx, pos, rec, RECORD);
		if (ret || record_is_zero(rec))
			break;
		ret = index_header(fs, rec, pos, &next);
		if (ret)
			break;
		pos = next;
	}
	if (!ret)
		ret = build_hash(fs);
	if (ret) {
		ustar_unmount(fs);
		return ret;
	}
	resolve_hard_links(fs);
	*fsp = fs;
	return 0;
}

void ustar_unmount(struct ustar_fs *fs)
{
	unsigned int i;

	if (!fs)
		return;
	for (i = 0; i < fs->count; i++) {
		free(fs->entries[i].name);
		free(fs->entries[i].link);
	}
	free(fs->entries);
	free(fs->hash);
	free(fs);
}

unsigned int ustar_entries(const struct ustar_fs *fs)
{
	return fs->count;
}

/*
 * Replaces the component of path ending at end, a symbolic link, by its
 * target: relative to the link's directory, or to the root when absolute.
 */
static int splice_link(char *path, size_t end, const char *target)
{
	char joined[RESOLVE_MAX];
	size_t dir = end, target_len = strlen(target), rest;
	int n;

	while (dir && path[dir - 1] != '/')
		dir--;
	if (target[0] == '/')
		dir = 0;
	rest = strlen(path + end);
	if (dir + target_len + 1 + rest + 1 > sizeof(joined))
		return -ENAMETOOLONG;
	memcpy(joined, path, dir);
	memcpy(joined + dir, target, target_len);
	joined[dir + target_len] = '/';
	memcpy(joined + dir + target_len + 1, path + end, rest + 1);
	n = normalize(joined, strlen(joined), path, USTAR_PATH_MAX + 1);
	return n < 0 ? n : 0;
}

int ustar_open(struct ustar_fs *fs, const char *path, struct ustar_file *file)
{
	char cur[USTAR_PATH_MAX + 1];
	unsigned int links = 0;
	struct ustar_entry *e;
	size_t end, len;
	int ret, last;
	char saved;

	ret = normalize(path, strlen(path), cur, sizeof(cur));
	if (ret < 0)
		return ret;
restart:
	len = strlen(cur);
	/* Each leading part of the path in turn: a link may be anywhere. */
	for (end = 0; end < len; end++) {
		while (end < len && cur[end] != '/')
			end++;
		last = end == len;
		saved = cur[end];
		cur[end] = '\0';
		e = lookup(fs, cur);
		cur[end] = saved;
		if (!e) {
			if (last)
				return -ENOENT;
			continue;	/* a directory with no entry of its own */
		}
		switch (e->kind) {
		case KIND_DIR:
			if (last)
				break;
			continue;
		case KIND_FILE:
			if (!last)
				return -ENOTDIR;
			break;
		case KIND_SYMLINK:
			if (++links > USTAR_MAX_LINKS)
				return -ELOOP;
			ret = splice_link(cur, end, e->link);
			if (ret)
				return ret;
			goto restart;
		default:
			return last ? -EINVAL : -ENOTDIR;
		}
		file->offset = e->offset;
		file->size = e->size;
		file->mode = e->mode;
		file->type = (enum ustar_type)e->kind;
		return 0;
	}
	/* The root, or a path that led back to it. */
	file->offset = 0;
	file->size = 0;
	file->mode = 0755;
	file->type = USTAR_DIR;
	return 0;
}

long ustar_pread(struct ustar_fs *fs, const struct ustar_file *file,
		 void *buf, size_t len, uint64_t offset)
{
	uint64_t avail;
	int ret;

	if (file->offset > fs->size || file->size > fs->size - file->offset)
		return -EINVAL;
	if (file->type != USTAR_FILE || offset >= file->size)
		return 0;
	avail = file->size - offset;
	if (len > avail)
		len = (size_t)avail;
	if (len > (size_t)0x7fffffff)
		len = 0x7fffffff;
	ret = fs->read(fs->ctx, file->offset + offset, buf, len);
	return ret ? ret : (long)len;
}
