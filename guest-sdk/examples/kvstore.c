/* SPDX-License-Identifier: MIT */
/*
 * A key-value store on TCP port 7070 (port=N), kept on a read-write disk
 * (disk 0, or disk=N) so that it outlives its VM. One command a line,
 * one answer a line:
 *
 *     set KEY VALUE    -> OK             (VALUE: the rest of the line)
 *     get KEY          -> VALUE value, or NOT_FOUND
 *     anything else    -> ERROR reason
 *
 * Keys are 1..64 bytes without spaces, values at most 1024 bytes. The
 * disk holds an append-only log from block 0: each set is one record,
 * a header (magic, sequence number, lengths, CRC-32 of it all) then the
 * key and the value, packed after the one before. A set is written and
 * flushed (DENALI_DISK_FLUSH) before it is answered OK, so a set the
 * client saw acknowledged is on the disk's backing store. At boot the
 * log is replayed up to the first record that does not check out (zeroes
 * on a new disk, or a set torn by a crash before its OK); new records
 * overwrite from there. The sequence numbers must follow each other, so
 * an old record found past a torn one never counts.
 *
 * workers=N threads (default 4) serve one connection each at a time.
 * Prints one line when it serves, then runs until the VM is destroyed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <denali/disk.h>
#include <denali/net.h>
#include <thread.h>

#define DEFAULT_PORT		7070
#define DEFAULT_WORKERS		4
#define MAX_WORKERS		32
#define BACKLOG			16
#define KEY_MAX			64
#define VALUE_MAX		1024
#define LINE_MAX		(4 + KEY_MAX + 1 + VALUE_MAX + 2)
#define IDLE_TIMEOUT_MS		30000
#define HASH_BUCKETS		256

#define BLOCK			DENALI_DISK_BLOCK_SIZE
#define RECORD_MAGIC		0x3156444bU	/* "KDV1" */
/* What the replay reads at a time: every record fits in it. */
#define READ_BLOCKS		DENALI_DISK_REQ_BLOCKS_MAX

struct record_head {
	uint32_t magic;
	uint32_t seq;			/* 1, 2, 3, ... */
	uint16_t key_len;
	uint16_t value_len;
	uint32_t crc;			/* of head (crc 0), key and value */
};

#define RECORD_MAX		(sizeof(struct record_head) + KEY_MAX + \
				 VALUE_MAX)
/* A record and the block it starts in: what an append writes. */
#define APPEND_BLOCKS		((BLOCK + RECORD_MAX + BLOCK - 1) / BLOCK)

_Static_assert(sizeof(struct record_head) == 16, "record layout");
_Static_assert(RECORD_MAX <= (READ_BLOCKS - 1) * BLOCK, "replay window");

struct entry {
	struct entry *next;
	char *value;			/* NUL-terminated: lines have no NUL */
	char key[KEY_MAX + 1];
};

struct store {
	unsigned int disk;
	uint64_t size;			/* the disk's, in bytes */
	uint64_t end;			/* the log's end */
	uint32_t seq;			/* the last record's */
	char *tail;			/* the log's last block, if partial */
	char *append;			/* APPEND_BLOCKS, for writes */
	struct thread_mutex lock;	/* one append at a time */
	struct entry *buckets[HASH_BUCKETS];
	unsigned int keys;
	int listener;
};

static uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;
	int bit;

	while (len--) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = crc >> 1 ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

static uint32_t record_crc(const struct record_head *head, const char *key,
			   const char *value)
{
	struct record_head h = *head;
	uint32_t crc;

	h.crc = 0;
	crc = crc32_update(0xffffffffU, &h, sizeof(h));
	crc = crc32_update(crc, key, h.key_len);
	return ~crc32_update(crc, value, h.value_len);
}

static unsigned int key_hash(const char *key)
{
	uint32_t h = 2166136261U;

	while (*key)
		h = (h ^ (uint8_t)*key++) * 16777619U;
	return h % HASH_BUCKETS;
}

static struct entry *lookup(struct store *st, const char *key)
{
	struct entry *e;

	for (e = st->buckets[key_hash(key)]; e; e = e->next)
		if (!strcmp(e->key, key))
			return e;
	return NULL;
}

/*
 * A value for key, ready to take its place: the memory comes first, so
 * that a set the disk took cannot fail for want of it afterwards.
 */
struct update {
	struct entry *entry;		/* the key's, or a new one */
	int is_new;
	char *value;
};

static int update_prepare(struct store *st, struct update *u,
			  const char *key, const char *value,
			  size_t value_len)
{
	u->entry = lookup(st, key);
	u->is_new = !u->entry;
	if (u->is_new) {
		u->entry = calloc(1, sizeof(*u->entry));
		if (!u->entry)
			return -ENOMEM;
		strcpy(u->entry->key, key);
	}
	u->value = malloc(value_len + 1);
	if (!u->value) {
		if (u->is_new)
			free(u->entry);
		return -ENOMEM;
	}
	memcpy(u->value, value, value_len);
	u->value[value_len] = '\0';
	return 0;
}

static void update_commit(struct store *st, struct update *u)
{
	struct entry *e = u->entry;
	unsigned int b;

	if (u->is_new) {
		b = key_hash(e->key);
		e->next = st->buckets[b];
		st->buckets[b] = e;
		st->keys++;
	}
	free(e->value);
	e->value = u->value;
}

static void update_abort(struct update *u)
{
	free(u->value);
	if (u->is_new)
		free(u->entry);
}

/* The replay's window onto the disk: READ_BLOCKS from block first. */
struct reader {
	char *buf;
	uint64_t first;
	unsigned int blocks;
};

/* Points *p at len bytes of the disk from offset, reading as needed. */
static int reader_get(struct store *st, struct reader *r, uint64_t offset,
		      size_t len, const char **p)
{
	uint64_t block = offset / BLOCK, last = st->size / BLOCK;
	int ret;

	if (offset > st->size || len > st->size - offset)
		return -EINVAL;
	if (block < r->first || offset + len >
	    (r->first + r->blocks) * BLOCK) {
		r->blocks = last - block < READ_BLOCKS ?
			    (unsigned int)(last - block) : READ_BLOCKS;
		ret = disk_read(st->disk, block, r->buf, r->blocks);
		if (ret)
			return ret;
		r->first = block;
	}
	*p = r->buf + (offset - r->first * BLOCK);
	return 0;
}

/* Whether a key is one we take: 1..KEY_MAX bytes, no spaces or controls. */
static int key_ok(const char *key, size_t len)
{
	size_t i;

	if (!len || len > KEY_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((uint8_t)key[i] <= ' ' || key[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * Reads the log into memory and finds its end. Returns the records
 * replayed, or a negative errno for a disk that fails to read.
 */
static long replay(struct store *st)
{
	struct reader r = { .buf = st->append };
	struct record_head head;
	char key[KEY_MAX + 1];
	struct update u;
	const char *p;
	long records = 0;
	int ret;

	for (;;) {
		ret = reader_get(st, &r, st->end, sizeof(head), &p);
		if (ret == -EINVAL)
			break;		/* the disk is full of records */
		if (ret)
			return ret;
		memcpy(&head, p, sizeof(head));
		if (head.magic != RECORD_MAGIC || head.seq != st->seq + 1 ||
		    !head.key_len || head.key_len > KEY_MAX ||
		    head.value_len > VALUE_MAX)
			break;
		ret = reader_get(st, &r, st->end, sizeof(head) +
				 head.key_len + head.value_len, &p);
		if (ret == -EINVAL)
			break;
		if (ret)
			return ret;
		p += sizeof(head);
		if (head.crc != record_crc(&head, p, p + head.key_len) ||
		    !key_ok(p, head.key_len))
			break;
		memcpy(key, p, head.key_len);
		key[head.key_len] = '\0';
		ret = update_prepare(st, &u, key, p + head.key_len,
				     head.value_len);
		if (ret)
			return ret;
		update_commit(st, &u);
		st->seq = head.seq;
		st->end += sizeof(head) + head.key_len + head.value_len;
		records++;
	}

	/* The partial last block, without what followed the end. */
	memset(st->tail, 0, BLOCK);
	if (st->end % BLOCK) {
		ret = disk_read(st->disk, st->end / BLOCK, st->tail, 1);
		if (ret)
			return ret;
		memset(st->tail + st->end % BLOCK, 0, BLOCK - st->end % BLOCK);
	}
	return records;
}

/* Appends a record for key and value, durably. Caller holds st->lock. */
static int append(struct store *st, const char *key, const char *value,
		  size_t value_len)
{
	struct record_head head = {
		.magic = RECORD_MAGIC,
		.seq = st->seq + 1,
		.key_len = (uint16_t)strlen(key),
		.value_len = (uint16_t)value_len,
	};
	size_t len = sizeof(head) + head.key_len + value_len;
	unsigned int skip = (unsigned int)(st->end % BLOCK), blocks;
	char *p = st->append + skip;
	int ret;

	if (len > st->size - st->end)
		return -ENOSPC;
	head.crc = record_crc(&head, key, value);
	/* The block the record starts in keeps the records before it. */
	memcpy(st->append, st->tail, BLOCK);
	memset(st->append + BLOCK, 0, (APPEND_BLOCKS - 1) * BLOCK);
	memcpy(p, &head, sizeof(head));
	memcpy(p + sizeof(head), key, head.key_len);
	memcpy(p + sizeof(head) + head.key_len, value, value_len);
	blocks = (unsigned int)((skip + len + BLOCK - 1) / BLOCK);
	ret = disk_write(st->disk, st->end / BLOCK, st->append, blocks);
	if (!ret)
		ret = disk_flush(st->disk);
	if (ret)
		return ret;
	st->seq = head.seq;
	st->end += len;
	memset(st->tail, 0, BLOCK);
	if (st->end % BLOCK)
		memcpy(st->tail, st->append + (st->end / BLOCK -
			(st->end - len) / BLOCK) * BLOCK, st->end % BLOCK);
	return 0;
}

static int reply(int fd, const char *text)
{
	size_t len = strlen(text);

	return net_send(fd, text, len) == (long)len ? 0 : -1;
}

/* Runs one command line (NUL-terminated, no newline); answers it. */
static int command(struct store *st, int fd, char *line)
{
	char *key, *value, answer[sizeof("VALUE \n") + VALUE_MAX];
	size_t key_len, value_len;
	struct update u;
	struct entry *e;
	int ret;

	if (!strncmp(line, "get ", 4)) {
		key = line + 4;
		if (!key_ok(key, strlen(key)))
			return reply(fd, "ERROR bad key\n");
		e = lookup(st, key);
		if (!e)
			return reply(fd, "NOT_FOUND\n");
		/* A copy: a set may free the value while the send blocks. */
		snprintf(answer, sizeof(answer), "VALUE %s\n", e->value);
		return reply(fd, answer);
	}
	if (strncmp(line, "set ", 4))
		return reply(fd, "ERROR unknown command\n");
	key = line + 4;
	value = strchr(key, ' ');
	key_len = value ? (size_t)(value - key) : strlen(key);
	if (!key_ok(key, key_len))
		return reply(fd, "ERROR bad key\n");
	if (!value)
		return reply(fd, "ERROR no value\n");
	*value++ = '\0';
	value_len = strlen(value);
	if (value_len > VALUE_MAX)
		return reply(fd, "ERROR value too long\n");

	/* get answers from memory only what the disk holds durably. */
	thread_mutex_lock(&st->lock);
	ret = update_prepare(st, &u, key, value, value_len);
	if (!ret) {
		ret = append(st, key, value, value_len);
		if (ret)
			update_abort(&u);
		else
			update_commit(st, &u);
	}
	thread_mutex_unlock(&st->lock);
	if (ret) {
		snprintf(answer, sizeof(answer), "ERROR %s %d\n",
			 ret == -ENOMEM ? "memory" : "disk", ret);
		return reply(fd, answer);
	}
	return reply(fd, "OK\n");
}

/* The first c in buf[0..len), or NULL. */
static char *find_byte(char *buf, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] == c)
			return buf + i;
	return NULL;
}

static void serve(struct store *st, int fd, char *buf)
{
	size_t len = 0, used;
	char *nl;
	long n;

	net_set_timeout(fd, IDLE_TIMEOUT_MS);
	for (;;) {
		while ((nl = find_byte(buf, len, '\n'))) {
			if (find_byte(buf, (size_t)(nl - buf), '\0')) {
				reply(fd, "ERROR NUL in line\n");
				goto out;
			}
			*nl = '\0';
			if (nl > buf && nl[-1] == '\r')
				nl[-1] = '\0';
			if (command(st, fd, buf))
				goto out;
			used = (size_t)(nl - buf) + 1;
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (len == LINE_MAX) {
			reply(fd, "ERROR line too long\n");
			break;
		}
		n = net_recv(fd, buf + len, LINE_MAX - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
out:
	net_close(fd);
}

static void *worker(void *arg)
{
	struct store *st = arg;
	char *buf = malloc(LINE_MAX + 1);
	int fd;

	if (!buf) {
		printf("kvstore: out of memory for a worker\n");
		return NULL;
	}
	for (;;) {
		fd = net_accept(st->listener, NULL, NULL);
		if (fd >= 0)
			serve(st, fd, buf);
		else
			thread_sleep(10000);	/* out of descriptors */
	}
	return NULL;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX], value[32], ip[NET_IPV4_STRLEN];
	unsigned long port = DEFAULT_PORT, nworkers = DEFAULT_WORKERS, i;
	struct store st = { .lock = THREAD_MUTEX_INIT };
	struct net_config cfg;
	long records;
	int ret;

	denali_cmdline(cmdline, sizeof(cmdline));
	if (net_cmdline_value(cmdline, "port", value, sizeof(value)) >= 0)
		port = strtoul(value, NULL, 10);
	if (net_cmdline_value(cmdline, "workers", value, sizeof(value)) >= 0)
		nworkers = strtoul(value, NULL, 10);
	if (net_cmdline_value(cmdline, "disk", value, sizeof(value)) >= 0)
		st.disk = (unsigned int)strtoul(value, NULL, 10);
	if (!port || port > 65535 || !nworkers || nworkers > MAX_WORKERS) {
		printf("kvstore: want port=1..65535 workers=1..%d\n",
		       MAX_WORKERS);
		return 1;
	}
	if (st.disk >= disk_count() || disk_readonly(st.disk)) {
		printf("kvstore: no read-write disk %u\n", st.disk);
		return 1;
	}
	st.size = disk_blocks(st.disk) * BLOCK;
	st.tail = disk_alloc(1);
	st.append = disk_alloc(READ_BLOCKS);
	if (!st.tail || !st.append) {
		printf("kvstore: out of memory\n");
		return 1;
	}
	records = replay(&st);
	if (records < 0) {
		printf("kvstore: cannot read disk %u: %ld\n", st.disk, records);
		return 1;
	}

	ret = net_start();
	if (ret) {
		printf("kvstore: no network: %d\n", ret);
		return 1;
	}
	net_get_config(&cfg);
	net_format_ipv4(cfg.ip, ip);
	st.listener = net_socket(NET_SOCK_STREAM);
	if (st.listener < 0 ||
	    (ret = net_bind(st.listener, (uint16_t)port)) ||
	    (ret = net_listen(st.listener, BACKLOG))) {
		printf("kvstore: cannot serve on port %lu: %d\n", port,
		       st.listener < 0 ? st.listener : ret);
		return 1;
	}
	for (i = 0; i + 1 < nworkers; i++) {
		if (!thread_create(worker, &st)) {
			printf("kvstore: out of memory for worker %lu\n", i);
			return 1;
		}
	}
	printf("kvstore: %u keys from %ld records on disk %u, serving %s port %lu\n",
	       st.keys, records, st.disk, ip, port);
	worker(&st);
	return 0;
}
