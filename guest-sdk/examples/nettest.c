/* SPDX-License-Identifier: MIT */
/*
 * A test tool for VM-to-VM checks. The command line holds ip= and gw=
 * for the interface and, among its words without '=', a mode and its
 * arguments:
 *
 *   udp-client DST PORT COUNT  COUNT datagrams to a UDP echo server,
 *                              each tried up to 3 times
 *   tcp-server PORT [CONNS]    echoes each connection back (CONNS of
 *                              them, default: for ever)
 *   tcp-client DST PORT BYTES  sends BYTES and reads the echo back, at
 *                              once; checks that both match
 *   tcp-sink PORT [CONNS]      reads each connection to its end
 *   tcp-source DST PORT BYTES  sends BYTES, then closes
 *   ping DST COUNT             COUNT ICMP echoes, one a second
 *
 * buf=N sizes the TCP buffers (default: libnet's, 8 KiB): more bytes in
 * flight per round trip. What is sent is the pattern byte(i) = i mod 251
 * (from 0 at each connection's start); what is received is summed with
 * 32-bit FNV-1a.
 * Each mode prints one line per result, "nettest: MODE key=value ...",
 * and exits 0 on success, 1 on failure, 2 for a bad command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <denali.h>
#include <denali/net.h>
#include <thread.h>

#define ARGS_MAX		8
#define FNV_INIT		2166136261U
#define UDP_TRIES		3
#define UDP_TIMEOUT_MS		1000
#define PING_TIMEOUT_MS		1000
#define CONNECT_TRIES		5
#define SERVER_CONNS_MAX	64	/* CONNS, as the server joins them */
#define LINGER_MS		10000

/* buf=: TCP send and receive buffer size; 0: libnet's default. */
static uint32_t tcp_buffers;

/* A TCP socket, with the buffers buf= asked for. */
static int tcp_socket(void)
{
	int fd = net_socket(NET_SOCK_STREAM), ret;

	if (fd >= 0 && tcp_buffers &&
	    (ret = net_set_buffers(fd, tcp_buffers, tcp_buffers))) {
		net_close(fd);
		return ret;
	}
	return fd;
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619U;
	return h;
}

static void fill_pattern(uint8_t *buf, size_t n, uint64_t offset)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)((offset + i) % 251);
}

/* What one direction of a connection carried. */
struct stream {
	int fd;
	uint64_t bytes;		/* to send, or received */
	uint32_t fnv;
	long error;		/* 0, or the failing call's negative errno */
};

static void *send_stream(void *arg)
{
	struct stream *st = arg;
	uint8_t buf[4096];
	uint64_t done = 0;
	size_t n;
	long ret;

	st->fnv = FNV_INIT;
	while (done < st->bytes) {
		n = st->bytes - done < sizeof(buf) ?
		    (size_t)(st->bytes - done) : sizeof(buf);
		fill_pattern(buf, n, done);
		ret = net_send(st->fd, buf, n);
		if (ret != (long)n) {
			st->error = ret < 0 ? ret : -1;
			return NULL;
		}
		st->fnv = fnv1a(st->fnv, buf, n);
		done += n;
	}
	st->error = net_shutdown(st->fd);
	return NULL;
}

/* Reads to the end; with echo, sends everything back as it comes. */
static void recv_stream(struct stream *st, int echo)
{
	uint8_t buf[2048];
	long n;

	st->fnv = FNV_INIT;
	st->bytes = 0;
	while ((n = net_recv(st->fd, buf, sizeof(buf))) > 0) {
		st->fnv = fnv1a(st->fnv, buf, (size_t)n);
		st->bytes += (uint64_t)n;
		if (echo && net_send(st->fd, buf, (size_t)n) != n) {
			st->error = -1;
			return;
		}
	}
	st->error = n;
}

static int parse_ip(const char *s, uint32_t *ip)
{
	const char *end = net_parse_ipv4(s, ip);

	return end && !*end ? 0 : -1;
}

static int parse_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	*v = strtoul(s, &end, 10);
	return *s && !*end && *v <= max ? 0 : -1;
}

static int connect_to(uint32_t ip, unsigned long port)
{
	int fd, ret = -1, i;

	/* The server VM may still be booting: retry a refused connect. */
	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = tcp_socket();
		if (fd < 0)
			return fd;
		ret = net_connect(fd, ip, (uint16_t)port);
		if (!ret)
			return fd;
		net_close(fd);
		thread_sleep(1000000);
	}
	return ret;
}

static int udp_client(uint32_t dst, unsigned long port, unsigned long count)
{
	char msg[64], reply[128];
	unsigned long seq, received = 0, retries = 0;
	int fd = net_socket(NET_SOCK_DGRAM), try;
	long n;

	if (fd < 0 || net_set_timeout(fd, UDP_TIMEOUT_MS)) {
		printf("nettest: udp-client result=fail error=%d\n", fd);
		return 1;
	}
	for (seq = 0; seq < count; seq++) {
		snprintf(msg, sizeof(msg), "nettest udp seq %lu", seq);
		for (try = 0; try < UDP_TRIES; try++) {
			if (try)
				retries++;
			n = net_sendto(fd, msg, strlen(msg), dst,
				       (uint16_t)port);
			if (n < 0)
				break;
			/* Skip late echoes of earlier tries. */
			do {
				n = net_recvfrom(fd, reply, sizeof(reply) - 1,
						 NULL, NULL);
			} while (n > 0 && ((size_t)n != strlen(msg) ||
					   memcmp(reply, msg, (size_t)n)));
			if (n > 0)
				break;
		}
		if (n > 0)
			received++;
	}
	net_close(fd);
	printf("nettest: udp-client result=%s sent=%lu received=%lu retries=%lu\n",
	       received == count ? "ok" : "fail", count, received, retries);
	return received == count ? 0 : 1;
}

/* What an echo thread that failed returns to thread_join(). */
static char echo_failed;

static void *echo_conn(void *arg)
{
	struct stream st = { .fd = (int)(intptr_t)arg };

	recv_stream(&st, 1);
	net_close(st.fd);
	printf("nettest: tcp-server result=%s bytes=%llu fnv1a=%08x\n",
	       st.error ? "fail" : "ok", (unsigned long long)st.bytes, st.fnv);
	return st.error ? &echo_failed : NULL;
}

/* tcp-server and tcp-sink: conns connections, 0 for ever. */
static int server(unsigned long port, unsigned long conns, int echo)
{
	struct stream st;
	int fd = tcp_socket(), conn, ret, failed = 0;
	struct thread *t, *threads[SERVER_CONNS_MAX];
	unsigned long served = 0, i;
	void *result;

	if (fd < 0 || (ret = net_bind(fd, (uint16_t)port)) ||
	    (ret = net_listen(fd, 64))) {
		printf("nettest: %s result=fail error=%d\n",
		       echo ? "tcp-server" : "tcp-sink", fd < 0 ? fd : ret);
		return 1;
	}
	printf("nettest: %s listening port=%lu\n",
	       echo ? "tcp-server" : "tcp-sink", port);
	while (!conns || served < conns) {
		conn = net_accept(fd, NULL, NULL);
		if (conn < 0) {
			printf("nettest: accept failed error=%d\n", conn);
			return 1;
		}
		served++;
		if (echo) {
			/* Echo in threads: clients may overlap. */
			t = thread_create(echo_conn, (void *)(intptr_t)conn);
			if (!t) {
				printf("nettest: out of memory\n");
				return 1;
			}
			if (conns)
				threads[served - 1] = t;
			continue;
		}
		st = (struct stream){ .fd = conn };
		recv_stream(&st, 0);
		net_close(conn);
		failed |= st.error != 0;
		printf("nettest: tcp-sink result=%s bytes=%llu fnv1a=%08x\n",
		       st.error ? "fail" : "ok", (unsigned long long)st.bytes,
		       st.fnv);
	}
	for (i = 0; echo && conns && i < served; i++) {
		thread_join(threads[i], &result);
		failed |= result == &echo_failed;
	}
	net_close(fd);
	return failed;
}

static int tcp_client(uint32_t dst, unsigned long port, uint64_t bytes,
		      int echo)
{
	struct stream out = { .bytes = bytes }, in = { 0 };
	struct thread *sender;
	int fd = connect_to(dst, port), ok;

	if (fd < 0) {
		printf("nettest: %s result=fail error=%d\n",
		       echo ? "tcp-client" : "tcp-source", fd);
		return 1;
	}
	out.fd = in.fd = fd;
	if (!echo) {
		send_stream(&out);
		net_close(fd);
		printf("nettest: tcp-source result=%s bytes=%llu fnv1a=%08x\n",
		       out.error ? "fail" : "ok", (unsigned long long)bytes,
		       out.fnv);
		return out.error ? 1 : 0;
	}
	/* Send and receive at once, or both windows fill and we stall. */
	sender = thread_create(send_stream, &out);
	if (!sender) {
		printf("nettest: out of memory\n");
		return 1;
	}
	recv_stream(&in, 0);
	thread_join(sender, NULL);
	net_close(fd);
	ok = !out.error && !in.error && in.bytes == bytes && in.fnv == out.fnv;
	printf("nettest: tcp-client result=%s sent=%llu sent_fnv1a=%08x received=%llu received_fnv1a=%08x\n",
	       ok ? "ok" : "fail", (unsigned long long)bytes, out.fnv,
	       (unsigned long long)in.bytes, in.fnv);
	if (out.error || in.error)
		printf("nettest: tcp-client send error=%ld receive error=%ld\n",
		       out.error, in.error);
	return ok ? 0 : 1;
}

static int ping(uint32_t dst, unsigned long count)
{
	unsigned long seq, received = 0;
	uint64_t rtt, total_ns = 0;
	int ret;

	for (seq = 1; seq <= count; seq++) {
		ret = net_ping(dst, (uint16_t)seq, PING_TIMEOUT_MS, &rtt);
		if (!ret) {
			received++;
			total_ns += rtt;
		}
		/* One a second; a timeout took its second already. */
		if (seq < count && !ret)
			thread_sleep(1000000 - rtt / 1000);
	}
	printf("nettest: ping result=%s sent=%lu received=%lu avg_rtt_us=%llu\n",
	       received == count ? "ok" : "fail", count, received,
	       (unsigned long long)(received ? total_ns / received / 1000 : 0));
	return received == count ? 0 : 1;
}

/* Splits s in place; the words without '=' go to argv. */
static int split_args(char *s, char **argv, int max)
{
	int argc = 0;
	char *word;

	while (*s) {
		while (*s == ' ')
			*s++ = '\0';
		if (!*s)
			break;
		word = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
		if (!strchr(word, '=') && argc < max)
			argv[argc++] = word;
	}
	return argc;
}

static void usage(void)
{
	printf("nettest: usage: udp-client DST PORT COUNT | tcp-server PORT [CONNS] |\n"
	       "nettest:   tcp-client DST PORT BYTES | tcp-sink PORT [CONNS] |\n"
	       "nettest:   tcp-source DST PORT BYTES | ping DST COUNT; buf=%u..%u\n",
	       NET_TCP_BUF_MIN, NET_TCP_BUF_MAX);
}

/* Runs the mode argv[0] names; returns the program's exit code. */
static int run_mode(int argc, char **argv)
{
	unsigned long port, n = 0;
	uint32_t dst = 0;

	if (!strcmp(argv[0], "tcp-server") || !strcmp(argv[0], "tcp-sink")) {
		if ((argc != 2 && argc != 3) ||
		    parse_num(argv[1], 65535, &port) ||
		    (argc == 3 && parse_num(argv[2], SERVER_CONNS_MAX, &n))) {
			usage();
			return 2;
		}
		return server(port, n, !strcmp(argv[0], "tcp-server"));
	}
	if (!strcmp(argv[0], "ping")) {
		if (argc != 3 || parse_ip(argv[1], &dst) ||
		    parse_num(argv[2], 65535, &n)) {
			usage();
			return 2;
		}
		return ping(dst, n);
	}
	if (argc != 4 || parse_ip(argv[1], &dst) ||
	    parse_num(argv[2], 65535, &port) || parse_num(argv[3], ~0UL, &n)) {
		usage();
		return 2;
	}
	if (!strcmp(argv[0], "udp-client"))
		return udp_client(dst, port, n);
	if (!strcmp(argv[0], "tcp-client"))
		return tcp_client(dst, port, n, 1);
	if (!strcmp(argv[0], "tcp-source"))
		return tcp_client(dst, port, n, 0);
	usage();
	return 2;
}

int main(void)
{
	char cmdline[DENALI_VREGS_CMDLINE_MAX], value[16];
	char *argv[ARGS_MAX];
	unsigned long n = 0;
	int argc, ret;

	/* The words without '=' are ours; ip=, gw= and others are not. */
	denali_cmdline(cmdline, sizeof(cmdline));
	if (net_cmdline_value(cmdline, "buf", value, sizeof(value)) >= 0 &&
	    (parse_num(value, NET_TCP_BUF_MAX, &n) || n < NET_TCP_BUF_MIN)) {
		usage();
		return 2;
	}
	tcp_buffers = (uint32_t)n;
	argc = split_args(cmdline, argv, ARGS_MAX);
	if (!argc) {
		usage();
		return 2;
	}

	ret = net_start();
	if (ret) {
		printf("nettest: no network: %d\n", ret);
		return 1;
	}
	ret = run_mode(argc, argv);
	/* What was sent must reach the peer before the VM ends. */
	if (net_linger(LINGER_MS))
		printf("nettest: connections still open after %d ms\n",
		       LINGER_MS);
	return ret;
}
