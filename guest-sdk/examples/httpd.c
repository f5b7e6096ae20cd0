/* SPDX-License-Identifier: MIT */
/*
 * An HTTP/1.0 and 1.1 server (port 80, or port=N) serving one document
 * from memory at "/" and "/index.html", for GET and HEAD, with
 * keep-alive. The document is size=N bytes (default 2258, the median web
 * object of the Denali paper's workload) of text that names the VM, so
 * that a test can tell a hundred VMs apart: the lines
 * "denali-httpd TAG\n" over and over, cut at size, where TAG is the
 * command line's tag= or else the VM's IP address. The same bytes as
 * `yes "denali-httpd TAG" | head -c SIZE`.
 *
 * With a disk, the VM serves files instead: disk 0 holds a ustar
 * archive (`tar --format=ustar -cf site.tar -C site .`), GET /PATH sends
 * the archive's file PATH (a directory's index.html) with a Content-Type
 * from its extension, and a path the archive lacks is 404 Not Found.
 *
 * workers=N threads (default 16) each accept and serve one connection at
 * a time; more connections wait in the listen backlog. Prints one line
 * when it serves, then runs until the VM is destroyed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <denali/disk.h>
#include <denali/net.h>
#include <denali/ustar.h>
#include <thread.h>

#define DEFAULT_SIZE		2258
#define MAX_SIZE		(1024 * 1024)
#define DEFAULT_WORKERS		16
#define MAX_WORKERS		64
#define BACKLOG			64
#define REQUEST_MAX		2048
#define IDLE_TIMEOUT_MS		10000
/* A file goes out in pieces of this size, read from the disk each. */
#define FILE_CHUNK		8192

struct server {
	int listener;
	const char *document;
	unsigned long document_size;
	struct ustar_fs *fs;	/* the disk's files, or NULL */
};

struct request {
	char buf[REQUEST_MAX + 1];
	size_t len;		/* bytes in buf, this request's and after */
	size_t head_len;	/* this request's, up to the blank line */
};

/* A thread's: the server, the request it is reading, a file's piece. */
struct worker {
	const struct server *server;
	struct request req;
	char *chunk;		/* FILE_CHUNK bytes, when serving files */
};

static const struct {
	const char *ext;
	const char *type;
} content_types[] = {
	{ "html", "text/html" }, { "htm", "text/html" },
	{ "txt", "text/plain" }, { "css", "text/css" },
	{ "js", "text/javascript" }, { "json", "application/json" },
	{ "xml", "application/xml" }, { "svg", "image/svg+xml" },
	{ "png", "image/png" }, { "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" }, { "gif", "image/gif" },
	{ "ico", "image/x-icon" }, { "webp", "image/webp" },
	{ "pdf", "application/pdf" }, { "wasm", "application/wasm" },
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Whether s starts with prefix, ignoring case. */
static int starts_with_nocase(const char *s, const char *prefix)
{
	while (*prefix)
		if (lower(*s++) != lower(*prefix++))
			return 0;
	return 1;
}

/* The Content-Type of path, from its extension (any case). */
static const char *content_type(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	const char *a, *b;
	size_t i;

	if (dot && (!slash || dot > slash)) {
		for (i = 0; i < sizeof(content_types) / sizeof(content_types[0]);
		     i++) {
			for (a = dot + 1, b = content_types[i].ext;
			     *a && lower(*a) == *b; a++, b++)
				;
			if (!*a && !*b)
				return content_types[i].type;
		}
	}
	return "application/octet-stream";
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Opens the file a request target (up to its space) names: the path
 * without its query, %XX decoded, a directory's index.html. Puts the
 * path opened in path (USTAR_PATH_MAX + 1 bytes). Returns 0 or -1.
 */
static int open_target(struct ustar_fs *fs, const char *target,
		       struct ustar_file *file, char *path)
{
	size_t len = 0;
	int hi, lo;

	for (; *target && *target != ' ' && *target != '?'; target++) {
		if (len + sizeof("/index.html") > USTAR_PATH_MAX + 1)
			return -1;
		if (*target == '%') {
			hi = hex_value(target[1]);
			lo = hex_value(hi < 0 ? 0 : target[2]);
			if (hi < 0 || lo < 0 || (!hi && !lo))
				return -1;
			path[len++] = (char)(hi << 4 | lo);
			target += 2;
		} else {
			path[len++] = *target;
		}
	}
	path[len] = '\0';
	if (path[0] != '/' || ustar_open(fs, path, file))
		return -1;
	if (file->type == USTAR_DIR) {
		strcpy(path + len, "/index.html");
		if (ustar_open(fs, path, file))
			return -1;
	}
	return file->type == USTAR_FILE ? 0 : -1;
}

static int send_all(int fd, const char *buf, size_t len)
{
	return net_send(fd, buf, len) == (long)len ? 0 : -1;
}

/* Sends size bytes of file, a chunk at a time. */
static int send_file(int fd, struct ustar_fs *fs,
		     const struct ustar_file *file, char *chunk)
{
	uint64_t offset = 0;
	long n;

	while (offset < file->size) {
		n = ustar_pread(fs, file, chunk, FILE_CHUNK, offset);
		if (n <= 0 || send_all(fd, chunk, (size_t)n))
			return -1;
		offset += (uint64_t)n;
	}
	return 0;
}

static char *find_blank_line(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 3 < len; i++)
		if (!memcmp(buf + i, "\r\n\r\n", 4))
			return buf + i;
	return NULL;
}

/*
 * Reads until a whole request head is in req. Returns 1, 0 when the
 * client closed or went idle between requests, -1 for a head too big.
 */
static int read_request(int fd, struct request *req)
{
	char *end;
	long n;

	for (;;) {
		end = find_blank_line(req->buf, req->len);
		if (end) {
			req->head_len = (size_t)(end - req->buf) + 4;
			return 1;
		}
		if (req->len == REQUEST_MAX)
			return -1;
		n = net_recv(fd, req->buf + req->len, REQUEST_MAX - req->len);
		if (n <= 0)
			return 0;
		req->len += (size_t)n;
	}
}

static int send_status(int fd, const char *status)
{
	char head[256];
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %s\r\nServer: denali-httpd\r\n"
		     "Content-Length: 0\r\nConnection: close\r\n\r\n", status);
	return send_all(fd, head, (size_t)n);
}

/*
 * Answers the request at the start of req. Returns 1 to keep the
 * connection for another, 0 to close it.
 */
static int serve_request(int fd, const struct server *srv,
			 struct request *req, char *chunk)
{
	char head[256], path[USTAR_PATH_MAX + 1], *line = req->buf, *p, *eol;
	int head_only, http11, keep_alive, n;
	struct ustar_file file;

	/* NUL-terminated by serve(); a NUL inside would hide the rest. */
	if (strlen(line) != req->head_len)
		return send_status(fd, "400 Bad Request"), 0;
	eol = strchr(line, '\r');	/* the head ends in \r\n\r\n */
	*eol = '\0';
	if (!strncmp(line, "GET ", 4))
		head_only = 0;
	else if (!strncmp(line, "HEAD ", 5))
		head_only = 1;
	else
		return send_status(fd, "501 Not Implemented"), 0;
	p = strchr(line, ' ') + 1;
	if (srv->fs) {
		if (!strchr(p, ' '))
			return send_status(fd, "400 Bad Request"), 0;
		if (open_target(srv->fs, p, &file, path))
			return send_status(fd, "404 Not Found"), 0;
	} else if (strncmp(p, "/ ", 2) && strncmp(p, "/index.html ", 12)) {
		return send_status(fd, "404 Not Found"), 0;
	}
	p = strchr(p, ' ') + 1;
	if (!strcmp(p, "HTTP/1.1"))
		http11 = 1;
	else if (!strcmp(p, "HTTP/1.0"))
		http11 = 0;
	else
		return send_status(fd, "505 HTTP Version Not Supported"), 0;

	/* 1.1 keeps the connection unless told not to; 1.0 the reverse. */
	keep_alive = http11;
	for (p = eol + 2; *p && *p != '\r'; p = strchr(p, '\n') + 1) {
		if (starts_with_nocase(p, "connection:")) {
			for (p += 11; *p == ' '; p++)
				;
			if (starts_with_nocase(p, "close"))
				keep_alive = 0;
			else if (starts_with_nocase(p, "keep-alive"))
				keep_alive = 1;
		}
	}

	if (srv->fs) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.%d 200 OK\r\nServer: denali-httpd\r\n"
			     "Content-Type: %s\r\nContent-Length: %llu\r\n"
			     "Connection: %s\r\n\r\n", http11,
			     content_type(path), (unsigned long long)file.size,
			     keep_alive ? "keep-alive" : "close");
		if (send_all(fd, head, (size_t)n) ||
		    (!head_only && send_file(fd, srv->fs, &file, chunk)))
			return 0;
		return keep_alive;
	}
	n = snprintf(head, sizeof(head),
		     "HTTP/1.%d 200 OK\r\nServer: denali-httpd\r\n"
		     "Content-Type: text/plain\r\nContent-Length: %lu\r\n"
		     "Connection: %s\r\n\r\n", http11, srv->document_size,
		     keep_alive ? "keep-alive" : "close");
	if (send_all(fd, head, (size_t)n) ||
	    (!head_only && send_all(fd, srv->document, srv->document_size)))
		return 0;
	return keep_alive;
}

static void serve(int fd, struct worker *w)
{
	struct request *req = &w->req;
	int ret, keep;
	char next;

	req->len = 0;
	net_set_timeout(fd, IDLE_TIMEOUT_MS);
	for (;;) {
		ret = read_request(fd, req);
		if (ret < 0)
			send_status(fd, "431 Request Header Fields Too Large");
		if (ret <= 0)
			break;
		/* The head as a string, for a moment: the byte after it
		 * may be the next request's first. */
		next = req->buf[req->head_len];
		req->buf[req->head_len] = '\0';
		keep = serve_request(fd, w->server, req, w->chunk);
		req->buf[req->head_len] = next;
		if (!keep)
			break;
		/* Pipelined requests: keep what came after this one. */
		memmove(req->buf, req->buf + req->head_len,
			req->len - req->head_len);
		req->len -= req->head_len;
	}
	net_close(fd);
}

/* Serves connections one after another; arg is its struct worker. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	int fd;

	for (;;) {
		fd = net_accept(w->server->listener, NULL, NULL);
		if (fd >= 0)
			serve(fd, w);
		else
			thread_sleep(10000);	/* out of descriptors */
	}
	return NULL;
}

/* The lines "denali-httpd TAG\n", over and over, cut at size bytes. */
static char *make_document(const char *tag, unsigned long size)
{
	char line[80];
	unsigned long i;
	size_t len;
	char *doc;

	len = (size_t)snprintf(line, sizeof(line), "denali-httpd %s\n", tag);
	doc = malloc(size ? size : 1);
	if (!doc)
		return NULL;
	for (i = 0; i < size; i++)
		doc[i] = line[i % len];
	return doc;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX], value[64];
	char tag[48], ip[NET_IPV4_STRLEN];
	unsigned long port = 80, nworkers = DEFAULT_WORKERS, i;
	struct server srv = { .document_size = DEFAULT_SIZE };
	struct worker *workers;
	struct net_config cfg;
	int ret;

	denali_cmdline(cmdline, sizeof(cmdline));
	if (net_cmdline_value(cmdline, "size", value, sizeof(value)) >= 0)
		srv.document_size = strtoul(value, NULL, 10);
	if (net_cmdline_value(cmdline, "port", value, sizeof(value)) >= 0)
		port = strtoul(value, NULL, 10);
	if (net_cmdline_value(cmdline, "workers", value, sizeof(value)) >= 0)
		nworkers = strtoul(value, NULL, 10);
	if (srv.document_size > MAX_SIZE || !port || port > 65535 ||
	    !nworkers || nworkers > MAX_WORKERS) {
		printf("httpd: want size=0..%d port=1..65535 workers=1..%d\n",
		       MAX_SIZE, MAX_WORKERS);
		return 1;
	}
	if (disk_count()) {
		ret = ustar_mount_disk(&srv.fs, 0);
		if (ret) {
			printf("httpd: no ustar archive on disk 0: %d\n", ret);
			return 1;
		}
	}

	ret = net_start();
	if (ret) {
		printf("httpd: no network: %d\n", ret);
		return 1;
	}
	net_get_config(&cfg);
	net_format_ipv4(cfg.ip, ip);
	if (net_cmdline_value(cmdline, "tag", tag, sizeof(tag)) < 0)
		strcpy(tag, ip);
	if (!srv.fs)
		srv.document = make_document(tag, srv.document_size);
	workers = calloc(nworkers, sizeof(*workers));
	srv.listener = net_socket(NET_SOCK_STREAM);
	if ((!srv.fs && !srv.document) || !workers || srv.listener < 0 ||
	    (ret = net_bind(srv.listener, (uint16_t)port)) ||
	    (ret = net_listen(srv.listener, BACKLOG))) {
		printf("httpd: cannot serve on port %lu: %d\n", port,
		       srv.listener < 0 ? srv.listener : ret);
		return 1;
	}
	/* main() is the last worker. */
	for (i = 0; i < nworkers; i++) {
		workers[i].server = &srv;
		if (srv.fs)
			workers[i].chunk = malloc(FILE_CHUNK);
		if ((srv.fs && !workers[i].chunk) ||
		    (i + 1 < nworkers && !thread_create(worker, &workers[i]))) {
			printf("httpd: out of memory for worker %lu\n", i);
			return 1;
		}
	}
	if (srv.fs)
		printf("httpd: serving %u files from disk 0 at http://%s:%lu/ with %lu workers\n",
		       ustar_entries(srv.fs), ip, port, nworkers);
	else
		printf("httpd: serving %lu bytes tagged \"%s\" at http://%s:%lu/ with %lu workers\n",
		       srv.document_size, tag, ip, port, nworkers);
	worker(&workers[nworkers - 1]);
	return 0;
}
