/* SPDX-License-Identifier: MIT */
/*
 * The stack's tests, on the host: VMs in the simulator of sim.h talk
 * through the socket API as guests do, and the tests check what arrived,
 * the counters and (white box) the TCP states. Prints TAP; exits 1 when
 * a test fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "../tcp.h"

#define IP_A		NET_IPV4(10, 0, 0, 5)
#define IP_B		NET_IPV4(10, 0, 0, 6)
#define IP_GW		NET_IPV4(10, 0, 0, 1)
#define SEC		NSEC_PER_SEC
#define MSEC		NSEC_PER_MSEC
#define MIB		(1024 * 1024)

static char failure[512];

/* In a test: record the first failure and return 0 (not ok). */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fail_at(__LINE__, #cond);				\
		return 0;						\
	}								\
} while (0)

/* In a thread: record the failure and end the thread. */
#define T_CHECK(cond) do {						\
	if (!(cond)) {							\
		fail_at(__LINE__, #cond);				\
		return NULL;						\
	}								\
} while (0)

static void fail_at(int line, const char *what)
{
	if (!failure[0])
		snprintf(failure, sizeof(failure), "line %d: %s", line, what);
}

static struct sim_vm *vm_a, *vm_b;

static void two_vms(void)
{
	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24", 6, 1500);
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619U;
	return h;
}

#define FNV_INIT	2166136261U

/* The byte at offset i of a transfer tagged seed. */
static uint8_t pattern(uint32_t seed, uint64_t i)
{
	return (uint8_t)((i * 131 + seed * 7 + (i >> 10)) & 0xff);
}

static uint32_t pattern_fnv(uint32_t seed, uint64_t len)
{
	uint32_t h = FNV_INIT;
	uint64_t i;
	uint8_t b;

	for (i = 0; i < len; i++) {
		b = pattern(seed, i);
		h = fnv1a(h, &b, 1);
	}
	return h;
}

static struct tcp_conn *conn_of(struct sim_vm *vm, int fd)
{
	return vm->ns->socks[fd].conn;
}

/* The one connection of vm on local port `port` (orphans included). */
static struct tcp_conn *find_conn(struct sim_vm *vm, uint16_t port)
{
	struct tcp_conn *c;

	for (c = vm->ns->conns; c; c = c->next)
		if (c->local_port == port && c->state != TCP_LISTEN)
			return c;
	return NULL;
}

static struct tcp_conn *find_listener(struct sim_vm *vm, uint16_t port)
{
	struct tcp_conn *c;

	for (c = vm->ns->conns; c; c = c->next)
		if (c->local_port == port && c->state == TCP_LISTEN)
			return c;
	return NULL;
}

/* Frames built by hand, for what a well-behaved stack never sends. */

static unsigned int build_ipv4(uint8_t *f, const uint8_t *dst_mac,
			       uint32_t src, uint32_t dst, uint8_t proto,
			       uint16_t frag, const void *payload,
			       unsigned int len)
{
	struct eth_hdr *eh = (struct eth_hdr *)f;
	struct ip_hdr *ih = (struct ip_hdr *)(f + ETH_HLEN);

	memcpy(eh->dst, dst_mac, 6);
	memcpy(eh->src, "\x02\x00\x00\x00\x00\x77", 6);
	eh->type = net_htons(ETH_TYPE_IPV4);
	memset(ih, 0, sizeof(*ih));
	ih->ver_ihl = 0x45;
	ih->len = net_htons((uint16_t)(IP_HLEN + len));
	ih->frag = net_htons(frag);
	ih->ttl = 64;
	ih->proto = proto;
	ih->src = net_htonl(src);
	ih->dst = net_htonl(dst);
	ih->csum = net_csum_fold(net_csum_add(0, ih, IP_HLEN));
	memcpy(ih + 1, payload, len);
	return ETH_HLEN + IP_HLEN + len;
}

static unsigned int build_udp(uint8_t *f, const uint8_t *dst_mac,
			      uint32_t src, uint32_t dst, uint16_t dport,
			      uint16_t frag, const char *text)
{
	uint8_t seg[256];
	struct udp_hdr *uh = (struct udp_hdr *)seg;
	unsigned int len = UDP_HLEN + (unsigned int)strlen(text);

	uh->sport = net_htons(1234);
	uh->dport = net_htons(dport);
	uh->len = net_htons((uint16_t)len);
	uh->csum = 0;
	memcpy(uh + 1, text, strlen(text));
	uh->csum = net_csum_fold(net_csum_add(net_csum_pseudo(
		net_htonl(src), net_htonl(dst), IP_PROTO_UDP, (uint16_t)len),
		seg, len));
	return build_ipv4(f, dst_mac, src, dst, IP_PROTO_UDP, frag, seg, len);
}

/* config, checksum */

static int test_config(void)
{
	struct net_config cfg = { 0 };
	char buf[NET_IPV4_STRLEN];
	uint32_t ip;

	CHECK(net_config_parse("console=1 ip=10.0.0.5/24 size=9 gw=10.0.0.1",
			       &cfg) == 0);
	CHECK(cfg.ip == IP_A && cfg.netmask == 0xffffff00 &&
	      cfg.gateway == IP_GW);
	memset(&cfg, 0, sizeof(cfg));
	CHECK(net_config_parse("xip=1.2.3.4/8 ipx gw", &cfg) == 0 && !cfg.ip);
	CHECK(net_config_parse("ip=10.0.0.256/24", &cfg) == -EINVAL);
	CHECK(net_config_parse("ip=10.0.0.5", &cfg) == -EINVAL);
	CHECK(net_config_parse("ip=10.0.0.5/33", &cfg) == -EINVAL);
	CHECK(net_config_parse("ip=10.0.0.5/24x", &cfg) == -EINVAL);
	CHECK(net_config_parse("ip=10.0.0.5/24 gw=10.0.1.1", &cfg) == -EINVAL);
	CHECK(net_config_parse("gw=10.0.0.1 ip=10.0.0.5/16", &cfg) == 0 &&
	      cfg.netmask == 0xffff0000);
	CHECK(!net_parse_ipv4("1.2.3", &ip) && !net_parse_ipv4("1..2.3", &ip));
	CHECK(!strcmp(net_format_ipv4(NET_IPV4(192, 168, 0, 255), buf),
		      "192.168.0.255"));
	return 1;
}

static int test_checksum(void)
{
	/* RFC 1071's example: the sum is 0xddf2. */
	static const uint8_t words[] = { 0x00, 0x01, 0xf2, 0x03,
					 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t buf[10];

	CHECK(net_csum_fold(net_csum_add(0, words, 8)) == net_htons(0x220d));
	/* Odd lengths pad with a zero byte; a sum with its checksum is 0. */
	CHECK(net_csum_fold(net_csum_add(0, words, 7)) ==
	      net_csum_fold(net_csum_add(0, (const uint8_t[8]){ 0x00, 0x01,
			0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0 }, 8)));
	memcpy(buf, words, 8);
	*(uint16_t *)(buf + 8) = net_csum_fold(net_csum_add(0, words, 8));
	CHECK(net_csum_fold(net_csum_add(0, buf, 10)) == 0);
	return 1;
}

/* ARP */

static unsigned int announcements;

static int count_announcements(struct sim_vm *from, const uint8_t *f,
			       unsigned int len)
{
	const struct arp_pkt *ap = (const struct arp_pkt *)(f + ETH_HLEN);

	(void)from;
	if (len >= ETH_HLEN + sizeof(*ap) && !memcmp(f, eth_broadcast, 6) &&
	    net_ntohs(((const struct eth_hdr *)f)->type) == ETH_TYPE_ARP &&
	    ap->spa == ap->tpa && net_ntohl(ap->spa) == IP_A)
		announcements++;
	return 1;
}

static int test_gratuitous_arp(void)
{
	announcements = 0;
	sim_wire.tap = count_announcements;
	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	CHECK(announcements == 1);
	return 1;
}

static int ping_result;
static uint64_t ping_rtt;

static void *ping_thread(void *arg)
{
	/* After the boot announcements, which would answer for ARP. */
	thread_sleep(1000);
	ping_result = net_ping(*(uint32_t *)arg, 1, 1000, &ping_rtt);
	return NULL;
}

static int test_arp_and_ping(void)
{
	uint32_t dst = IP_B;
	struct arp_entry *e = NULL;
	unsigned int i;

	two_vms();
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(ping_result == 0);
	/* Request, reply, echo, echo reply: four wire latencies. */
	CHECK(ping_rtt == 4 * sim_wire.latency_ns);
	for (i = 0; i < ARP_CACHE_SIZE; i++)
		if (vm_a->ns->arp[i].state == ARP_RESOLVED &&
		    vm_a->ns->arp[i].ip == IP_B)
			e = &vm_a->ns->arp[i];
	CHECK(e && !memcmp(e->mac, vm_b->mac, 6));
	CHECK(vm_a->ns->stats.arp_requests == 2);	/* boot, and B */
	CHECK(vm_b->ns->stats.arp_replies == 1);
	CHECK(vm_b->ns->stats.icmp_echo_replies == 1);

	/* Cached now, on both sides: just the echo and its reply. */
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(ping_result == 0 && ping_rtt == 2 * sim_wire.latency_ns);
	CHECK(vm_a->ns->stats.arp_requests == 2);
	CHECK(vm_b->ns->stats.arp_requests == 1);	/* only at boot */
	return 1;
}

static int test_arp_failure(void)
{
	uint32_t dst = NET_IPV4(10, 0, 0, 99);

	two_vms();
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(ping_result == -ETIMEDOUT);
	/* Wait out the retries: three requests, then the frame is dropped. */
	sim_wait(5 * SEC);
	CHECK(vm_a->ns->stats.arp_requests == 1 + 3);
	CHECK(vm_a->ns->stats.arp_failed == 1);
	CHECK(net_stack_next_timer(vm_a->ns) == UINT64_MAX);
	return 1;
}

static int via_gateway;

static int check_gateway(struct sim_vm *from, const uint8_t *f,
			 unsigned int len)
{
	const struct ip_hdr *ih = (const struct ip_hdr *)(f + ETH_HLEN);

	if (from == vm_a && len >= ETH_HLEN + IP_HLEN &&
	    net_ntohs(((const struct eth_hdr *)f)->type) == ETH_TYPE_IPV4 &&
	    net_ntohl(ih->dst) == NET_IPV4(192, 168, 1, 1))
		via_gateway = !memcmp(f, vm_b->mac, 6);
	return 1;
}

static int test_routing(void)
{
	uint32_t dst = NET_IPV4(192, 168, 1, 1);

	vm_a = sim_vm_new("ip=10.0.0.5/24 gw=10.0.0.6", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24", 6, 1500);
	sim_wire.tap = check_gateway;
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(ping_result == -ETIMEDOUT);	/* B routes nothing */
	CHECK(via_gateway);
	CHECK(vm_b->ns->stats.rx_not_ours == 1);

	/* Without a gateway, off-link is unreachable at once. */
	sim_reset(2);
	two_vms();
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(ping_result == -ENETUNREACH);
	CHECK(vm_a->ns->stats.ip_no_route == 1);
	return 1;
}

/* UDP */

#define UDP_ROUNDS	20

static int udp_echoed;

static void *udp_echo_server(void *arg)
{
	char buf[2048];
	uint32_t ip;
	uint16_t port;
	long n;
	int fd = net_socket(NET_SOCK_DGRAM), i;

	(void)arg;
	T_CHECK(fd >= 0 && net_bind(fd, 7) == 0);
	T_CHECK(net_bind(net_socket(NET_SOCK_DGRAM), 7) == -EADDRINUSE);
	for (i = 0; i < UDP_ROUNDS; i++) {
		n = net_recvfrom(fd, buf, sizeof(buf), &ip, &port);
		T_CHECK(n > 0 && ip == IP_A);
		T_CHECK(net_sendto(fd, buf, (size_t)n, ip, port) == n);
	}
	net_close(fd);
	return NULL;
}

static void *udp_client(void *arg)
{
	char msg[1472], buf[2048];
	long n;
	int fd = net_socket(NET_SOCK_DGRAM), i;

	(void)arg;
	T_CHECK(fd >= 0);
	T_CHECK(net_set_timeout(fd, 500) == 0);
	T_CHECK(net_sendto(fd, msg, sizeof(msg) + 1, IP_B, 7) == -EMSGSIZE);
	for (i = 0; i < UDP_ROUNDS; i++) {
		/* 1 to 1472 bytes: every size a datagram can have here. */
		size_t len = i == UDP_ROUNDS - 1 ? sizeof(msg) :
			     1 + (size_t)i * 61;

		memset(msg, 'a' + i, len);
		T_CHECK(net_sendto(fd, msg, len, IP_B, 7) == (long)len);
		n = net_recvfrom(fd, buf, sizeof(buf), NULL, NULL);
		T_CHECK(n == (long)len && !memcmp(buf, msg, len));
		udp_echoed++;
	}
	T_CHECK(net_recvfrom(fd, buf, sizeof(buf), NULL, NULL) == -ETIMEDOUT);
	/* Nobody listens on 9: dropped there, and counted. */
	T_CHECK(net_sendto(fd, "x", 1, IP_B, 9) == 1);
	net_close(fd);
	return NULL;
}

static int test_udp(void)
{
	udp_echoed = 0;
	two_vms();
	sim_spawn(vm_b, udp_echo_server, NULL);
	sim_spawn(vm_a, udp_client, NULL);
	CHECK(sim_run(10 * SEC) == 0);
	sim_wait(1 * MSEC);
	CHECK(udp_echoed == UDP_ROUNDS);
	CHECK(vm_b->ns->stats.udp_no_port == 1);
	return 1;
}

/* TCP: opening */

static int accepted_fd, client_fd;
static uint32_t accepted_ip;
static uint16_t accepted_port, client_port;

static int listen_on(uint16_t port, int backlog)
{
	int fd = net_socket(NET_SOCK_STREAM);

	if (fd < 0 || net_bind(fd, port) || net_listen(fd, backlog))
		return -1;
	return fd;
}

static void *accept_one(void *arg)
{
	int fd = listen_on(80, 4);

	(void)arg;
	T_CHECK(fd >= 0);
	accepted_fd = net_accept(fd, &accepted_ip, &accepted_port);
	T_CHECK(accepted_fd >= 0);
	net_close(fd);
	return NULL;
}

static void *connect_one(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(fd >= 0);
	client_fd = net_connect(fd, IP_B, 80) ? -1 : fd;
	client_port = vm_a->ns->socks[fd].port;
	return NULL;
}

static int test_tcp_handshake(void)
{
	two_vms();
	sim_spawn(vm_b, accept_one, NULL);
	sim_spawn(vm_a, connect_one, NULL);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(client_fd >= 0 && accepted_fd >= 0);
	CHECK(accepted_ip == IP_A && accepted_port == client_port);
	CHECK(conn_of(vm_a, client_fd)->state == TCP_ESTABLISHED);
	CHECK(conn_of(vm_b, accepted_fd)->state == TCP_ESTABLISHED);
	CHECK(conn_of(vm_a, client_fd)->mss == 1460);
	/* Closing the listener leaves the accepted connection alone. */
	CHECK(vm_b->ns->conn_count == 1);
	return 1;
}

static int connect_result;

static void *connect_report(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	connect_result = net_connect(fd, IP_B, *(uint16_t *)arg);
	net_close(fd);
	return NULL;
}

static int test_tcp_refused(void)
{
	uint16_t port = 81;

	two_vms();
	sim_spawn(vm_a, connect_report, &port);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(connect_result == -ECONNREFUSED);
	CHECK(vm_b->ns->stats.tcp_resets_sent == 1);
	CHECK(vm_a->ns->conn_count == 0);
	return 1;
}

static int syn_dropped, syn_ack_dropped;

/* Drops the first SYN and the first SYN-ACK. */
static int drop_syns(struct sim_vm *from, const uint8_t *f, unsigned int len)
{
	const struct ip_hdr *ih = (const struct ip_hdr *)(f + ETH_HLEN);
	const struct tcp_hdr *th = (const struct tcp_hdr *)(ih + 1);

	(void)from;
	if (len < ETH_HLEN + IP_HLEN + TCP_HLEN ||
	    net_ntohs(((const struct eth_hdr *)f)->type) != ETH_TYPE_IPV4 ||
	    ih->proto != IP_PROTO_TCP || !(th->flags & TCP_SYN))
		return 1;
	if (th->flags & TCP_ACK) {
		if (syn_ack_dropped)
			return 1;
		syn_ack_dropped = 1;
		return 0;
	}
	if (syn_dropped)
		return 1;
	syn_dropped = 1;
	return 0;
}

static int test_tcp_syn_retransmit(void)
{
	uint64_t start;

	two_vms();
	syn_dropped = syn_ack_dropped = 0;
	sim_wire.tap = drop_syns;
	start = sim_now();
	sim_spawn(vm_b, accept_one, NULL);
	sim_spawn(vm_a, connect_one, NULL);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(client_fd >= 0 && accepted_fd >= 0);
	CHECK(syn_dropped && syn_ack_dropped);
	CHECK(vm_a->ns->stats.tcp_retransmits == 1);
	CHECK(vm_b->ns->stats.tcp_retransmits == 1);
	/* Each waited out its initial RTO. */
	CHECK(sim_now() - start >= 2 * SEC);
	return 1;
}

/* TCP: transfers */

struct transfer {
	uint32_t seed;
	uint64_t bytes;
	uint32_t got_fnv;
	uint64_t got_bytes;
	unsigned int read_delay_us;	/* between reads: a slow reader */
	unsigned int read_size;
	int fd;
	int done;
};

static void *send_pattern(void *arg)
{
	struct transfer *t = arg;
	uint8_t buf[3000];
	uint64_t off = 0;
	size_t n, i;

	while (off < t->bytes) {
		n = t->bytes - off < sizeof(buf) ? (size_t)(t->bytes - off) :
		    sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = pattern(t->seed, off + i);
		T_CHECK(net_send(t->fd, buf, n) == (long)n);
		off += n;
	}
	T_CHECK(net_shutdown(t->fd) == 0);
	return NULL;
}

static void *recv_all(void *arg)
{
	struct transfer *t = arg;
	uint8_t buf[4096];
	size_t want = t->read_size ? t->read_size : sizeof(buf);
	long n;

	t->got_fnv = FNV_INIT;
	while ((n = net_recv(t->fd, buf, want)) > 0) {
		t->got_fnv = fnv1a(t->got_fnv, buf, (size_t)n);
		t->got_bytes += (uint64_t)n;
		if (t->read_delay_us)
			thread_sleep(t->read_delay_us);
	}
	T_CHECK(n == 0);
	t->done = 1;
	return NULL;
}

/* Echoes one connection until its end, then closes. */
static void *echo_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	uint8_t buf[2000];
	long n;

	while ((n = net_recv(fd, buf, sizeof(buf))) > 0)
		T_CHECK(net_send(fd, buf, (size_t)n) == n);
	T_CHECK(n == 0);
	net_close(fd);
	return NULL;
}

static void *echo_server(void *arg)
{
	int fd = listen_on(7, 128), conn;
	unsigned int count = *(unsigned int *)arg;

	T_CHECK(fd >= 0);
	while (count--) {
		conn = net_accept(fd, NULL, NULL);
		T_CHECK(conn >= 0);
		thread_create(echo_conn, (void *)(intptr_t)conn);
	}
	net_close(fd);
	return NULL;
}

/* A client sending t->bytes and reading the echo back, both at once. */
static void *echo_client(void *arg)
{
	struct transfer *t = arg;
	struct thread *reader;

	t->fd = net_socket(NET_SOCK_STREAM);
	T_CHECK(t->fd >= 0 && net_connect(t->fd, IP_B, 7) == 0);
	reader = thread_create(recv_all, t);
	send_pattern(t);
	thread_join(reader, NULL);
	net_close(t->fd);
	return NULL;
}

static int test_tcp_lossy_echo(void)
{
	static struct transfer t = { .seed = 1, .bytes = MIB };
	unsigned int one = 1;

	two_vms();
	sim_wire.loss_pct = 5;
	sim_wire.reorder_pct = 5;
	sim_wire.reorder_ns = 300000;
	sim_wire.dup_pct = 2;
	sim_spawn(vm_b, echo_server, &one);
	sim_spawn(vm_a, echo_client, &t);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(t.done && t.got_bytes == MIB);
	CHECK(t.got_fnv == pattern_fnv(1, MIB));
	CHECK(vm_a->ns->stats.tcp_retransmits > 0);
	CHECK(vm_b->ns->stats.tcp_retransmits > 0);
	return 1;
}

/*
 * Reordering alone: what comes past a gap is kept, so the data arrives
 * whole with hardly a retransmission, and never a timeout's.
 */
static int test_tcp_reordering(void)
{
	static struct transfer t = { .seed = 6, .bytes = 256 * 1024 };
	unsigned int one = 1;

	two_vms();
	sim_wire.reorder_pct = 20;
	sim_wire.reorder_ns = 200000;
	sim_spawn(vm_b, echo_server, &one);
	sim_spawn(vm_a, echo_client, &t);
	CHECK(sim_run(60 * SEC) == 0);
	CHECK(t.done && t.got_fnv == pattern_fnv(6, t.bytes));
	CHECK(vm_a->ns->stats.tcp_out_of_order > 0);
	CHECK(vm_b->ns->stats.tcp_out_of_order > 0);
	/* Each fast retransmit is at most one segment per 3 dup ACKs. */
	CHECK(vm_a->ns->stats.tcp_retransmits <
	      vm_a->ns->stats.tcp_out_of_order / 2);
	CHECK(sim_now() < 1 * SEC + 5 * SEC);
	return 1;
}

/* Both ends send 1 MiB at once on one connection, each its own pattern. */
static struct transfer duplex[4];

static void *duplex_end(void *arg)
{
	struct transfer *out = arg, *in = out + 1;
	struct thread *reader;

	in->fd = out->fd;
	reader = thread_create(recv_all, in);
	send_pattern(out);
	thread_join(reader, NULL);
	net_close(out->fd);
	return NULL;
}

static void *duplex_server(void *arg)
{
	int fd = listen_on(9000, 1);

	(void)arg;
	T_CHECK(fd >= 0);
	duplex[2].fd = net_accept(fd, NULL, NULL);
	T_CHECK(duplex[2].fd >= 0);
	net_close(fd);
	return duplex_end(&duplex[2]);
}

static void *duplex_client(void *arg)
{
	(void)arg;
	duplex[0].fd = net_socket(NET_SOCK_STREAM);
	T_CHECK(net_connect(duplex[0].fd, IP_B, 9000) == 0);
	return duplex_end(&duplex[0]);
}

static int test_tcp_duplex(void)
{
	memset(duplex, 0, sizeof(duplex));
	duplex[0].seed = 10;	/* A to B */
	duplex[0].bytes = MIB;
	duplex[2].seed = 20;	/* B to A */
	duplex[2].bytes = MIB;
	two_vms();
	sim_wire.loss_pct = 5;
	sim_wire.reorder_pct = 5;
	sim_wire.reorder_ns = 300000;
	sim_spawn(vm_b, duplex_server, NULL);
	sim_spawn(vm_a, duplex_client, NULL);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(duplex[1].done && duplex[3].done);
	CHECK(duplex[3].got_bytes == MIB && duplex[1].got_bytes == MIB);
	CHECK(duplex[3].got_fnv == pattern_fnv(10, MIB));
	CHECK(duplex[1].got_fnv == pattern_fnv(20, MIB));
	return 1;
}

#define MANY		100

static struct transfer many[MANY];
static unsigned int many_connected;
static struct thread_mutex many_lock = THREAD_MUTEX_INIT;
static struct thread_cond many_all_in = THREAD_COND_INIT;

/* Connects, waits for all the others to be connected, then echoes. */
static void *many_client(void *arg)
{
	struct transfer *t = arg;
	struct thread *reader;

	t->fd = net_socket(NET_SOCK_STREAM);
	T_CHECK(t->fd >= 0 && net_connect(t->fd, IP_B, 7) == 0);
	thread_mutex_lock(&many_lock);
	if (++many_connected == MANY)
		thread_cond_broadcast(&many_all_in);
	while (many_connected < MANY)
		thread_cond_wait(&many_all_in, &many_lock);
	thread_mutex_unlock(&many_lock);
	reader = thread_create(recv_all, t);
	send_pattern(t);
	thread_join(reader, NULL);
	net_close(t->fd);
	return NULL;
}

static int test_tcp_many(void)
{
	unsigned int count = MANY, i;

	memset(many, 0, sizeof(many));
	many_connected = 0;
	two_vms();
	sim_wire.loss_pct = 1;
	sim_spawn(vm_b, echo_server, &count);
	for (i = 0; i < MANY; i++) {
		many[i].seed = 100 + i;
		many[i].bytes = 5000 + i * 97;
		sim_spawn(vm_a, many_client, &many[i]);
	}
	CHECK(sim_run(300 * SEC) == 0);
	CHECK(many_connected == MANY);
	for (i = 0; i < MANY; i++) {
		CHECK(many[i].done && many[i].got_bytes == many[i].bytes);
		CHECK(many[i].got_fnv == pattern_fnv(many[i].seed,
						     many[i].bytes));
	}
	return 1;
}

static int test_tcp_slow_reader(void)
{
	static struct transfer out, in;

	memset(&out, 0, sizeof(out));
	memset(&in, 0, sizeof(in));
	out.seed = 3;
	out.bytes = 128 * 1024;
	in.read_size = 700;
	in.read_delay_us = 20000;
	two_vms();
	sim_spawn(vm_b, accept_one, NULL);
	sim_spawn(vm_a, connect_one, NULL);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(client_fd >= 0 && accepted_fd >= 0);
	out.fd = client_fd;
	in.fd = accepted_fd;
	sim_spawn(vm_a, send_pattern, &out);
	sim_spawn(vm_b, recv_all, &in);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(in.done && in.got_bytes == out.bytes);
	CHECK(in.got_fnv == pattern_fnv(3, out.bytes));
	/* The window closed and the sender waited for it to open. */
	CHECK(vm_b->ns->stats.tcp_zero_windows > 0);
	CHECK(sim_now() > 1 * SEC + (out.bytes / 700) * 20 * MSEC);
	CHECK(vm_a->ns->stats.tcp_retransmits == 0);
	return 1;
}

/* Bigger buffers: more in flight per round trip of 2 ms. */
static uint32_t buffer_size;

static void *accept_sized(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(net_set_buffers(fd, buffer_size, buffer_size) == 0);
	T_CHECK(net_bind(fd, 80) == 0 && net_listen(fd, 1) == 0);
	accepted_fd = net_accept(fd, NULL, NULL);
	T_CHECK(accepted_fd >= 0);
	T_CHECK(net_set_buffers(fd, 4096, 4096) == -EISCONN);
	net_close(fd);
	return NULL;
}

static void *connect_sized(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(net_set_buffers(fd, buffer_size, buffer_size) == 0);
	T_CHECK(net_connect(fd, IP_B, 80) == 0);
	client_fd = fd;
	return NULL;
}

/* Simulated time to send 1 MiB from A to B with buffers of size. */
static uint64_t sized_transfer(uint32_t size, struct transfer *in)
{
	static struct transfer out;
	uint64_t start;

	memset(&out, 0, sizeof(out));
	memset(in, 0, sizeof(*in));
	out.seed = 5;
	out.bytes = MIB;
	buffer_size = size;
	sim_reset(size);
	two_vms();
	sim_wire.latency_ns = 1 * MSEC;
	sim_spawn(vm_b, accept_sized, NULL);
	sim_spawn(vm_a, connect_sized, NULL);
	if (sim_run(5 * SEC))
		return 0;
	out.fd = client_fd;
	in->fd = accepted_fd;
	start = sim_now();
	sim_spawn(vm_a, send_pattern, &out);
	sim_spawn(vm_b, recv_all, in);
	if (sim_run(60 * SEC))
		return 0;
	return sim_now() - start;
}

static int test_tcp_buffers(void)
{
	struct transfer in;
	uint64_t small, big;

	small = sized_transfer(NET_TCP_RCVBUF, &in);
	CHECK(small && in.done && in.got_fnv == pattern_fnv(5, MIB));
	big = sized_transfer(NET_TCP_BUF_MAX, &in);
	CHECK(big && in.done && in.got_fnv == pattern_fnv(5, MIB));
	/* The window, not the wire, limits: about 1 MiB / 8 KiB trips. */
	CHECK(small > 100 * 2 * MSEC);
	CHECK(big * 5 < small);
	CHECK(conn_of(vm_b, accepted_fd)->rcv.size == NET_TCP_BUF_MAX);
	return 1;
}

/* MSS: B's MTU of 576 limits what A sends to it. */

static unsigned int biggest_segment;

static int measure_segments(struct sim_vm *from, const uint8_t *f,
			    unsigned int len)
{
	const struct ip_hdr *ih = (const struct ip_hdr *)(f + ETH_HLEN);

	if (from == vm_a && len > ETH_HLEN + IP_HLEN + TCP_HLEN &&
	    ih->proto == IP_PROTO_TCP &&
	    len - ETH_HLEN - IP_HLEN - TCP_HLEN > biggest_segment)
		biggest_segment = len - ETH_HLEN - IP_HLEN - TCP_HLEN;
	return 1;
}

static int test_tcp_mss(void)
{
	static struct transfer t = { .seed = 4, .bytes = 20000 };
	unsigned int one = 1;

	biggest_segment = 0;
	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24", 6, 576);
	sim_wire.tap = measure_segments;
	sim_spawn(vm_b, echo_server, &one);
	sim_spawn(vm_a, echo_client, &t);
	CHECK(sim_run(60 * SEC) == 0);
	CHECK(t.done && t.got_fnv == pattern_fnv(4, t.bytes));
	CHECK(biggest_segment == 576 - 40);
	return 1;
}

/* TCP: closing */

static int close_checked;

static void *passive_closer(void *arg)
{
	struct tcp_conn *a;
	char buf[16];
	int fd = listen_on(80, 1), conn;

	(void)arg;
	T_CHECK(fd >= 0);
	conn = net_accept(fd, NULL, NULL);
	T_CHECK(conn >= 0);
	T_CHECK(net_recv(conn, buf, sizeof(buf)) == 5);
	T_CHECK(net_recv(conn, buf, sizeof(buf)) == 0);
	/* A closed first: A waits in FIN_WAIT_2, we in CLOSE_WAIT. */
	T_CHECK(conn_of(vm_b, conn)->state == TCP_CLOSE_WAIT);
	thread_sleep(1000);	/* our ACK of A's FIN gets there */
	a = find_conn(vm_a, client_port);
	T_CHECK(a && a->state == TCP_FIN_WAIT_2 && !a->sock);
	net_close(conn);
	T_CHECK(find_conn(vm_b, 80)->state == TCP_LAST_ACK);
	thread_sleep(10000);
	/* Our FIN was acknowledged: the connection is gone, A waits. */
	T_CHECK(!find_conn(vm_b, 80));
	T_CHECK(a->state == TCP_TIME_WAIT);
	net_close(fd);
	T_CHECK(vm_b->ns->conn_count == 0);
	close_checked = 1;
	return NULL;
}

static void *active_closer(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(net_connect(fd, IP_B, 80) == 0);
	client_port = vm_a->ns->socks[fd].port;
	T_CHECK(net_send(fd, "hello", 5) == 5);
	net_close(fd);
	T_CHECK(find_conn(vm_a, client_port)->state == TCP_FIN_WAIT_1);
	return NULL;
}

static int test_tcp_close_states(void)
{
	close_checked = 0;
	two_vms();
	sim_spawn(vm_b, passive_closer, NULL);
	sim_spawn(vm_a, active_closer, NULL);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(close_checked);
	CHECK(vm_a->ns->conn_count == 1);
	CHECK(find_conn(vm_a, client_port)->state == TCP_TIME_WAIT);
	sim_wait(29 * SEC);
	CHECK(vm_a->ns->conn_count == 1);
	sim_wait(2 * SEC);
	CHECK(vm_a->ns->conn_count == 0);	/* 2 MSL later */
	return 1;
}

static int closings;

static void *shut_both(void *arg)
{
	struct sim_vm *vm = arg;
	int fd = vm == vm_a ? client_fd : accepted_fd;
	char buf[8];

	T_CHECK(net_shutdown(fd) == 0);
	T_CHECK(conn_of(vm, fd)->state == TCP_FIN_WAIT_1);
	T_CHECK(net_recv(fd, buf, sizeof(buf)) == 0);
	/* The peer's FIN came before its ACK of ours. */
	T_CHECK(conn_of(vm, fd)->state == TCP_CLOSING);
	closings++;
	return NULL;
}

static int test_tcp_simultaneous_close(void)
{
	two_vms();
	sim_spawn(vm_b, accept_one, NULL);
	sim_spawn(vm_a, connect_one, NULL);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(client_fd >= 0 && accepted_fd >= 0);
	/* Both FINs cross on the wire: FIN_WAIT_1, CLOSING, TIME_WAIT. */
	closings = 0;
	sim_spawn(vm_a, shut_both, vm_a);
	sim_spawn(vm_b, shut_both, vm_b);
	CHECK(sim_run(1 * SEC) == 0);
	CHECK(closings == 2);
	sim_wait(1 * MSEC);
	CHECK(conn_of(vm_a, client_fd)->state == TCP_TIME_WAIT);
	CHECK(conn_of(vm_b, accepted_fd)->state == TCP_TIME_WAIT);
	return 1;
}

static long reset_recv, reset_send;

static void *reset_victim(void *arg)
{
	char buf[16];
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(net_connect(fd, IP_B, 80) == 0);
	T_CHECK(net_send(fd, "unread", 6) == 6);
	reset_recv = net_recv(fd, buf, sizeof(buf));
	reset_send = net_send(fd, "more", 4);
	net_close(fd);
	return NULL;
}

static void *close_unread(void *arg)
{
	int fd = listen_on(80, 1), conn;

	(void)arg;
	T_CHECK(fd >= 0);
	conn = net_accept(fd, NULL, NULL);
	T_CHECK(conn >= 0);
	thread_sleep(100000);	/* the data is in, never read */
	net_close(conn);
	net_close(fd);
	return NULL;
}

static int test_tcp_reset(void)
{
	two_vms();
	sim_spawn(vm_b, close_unread, NULL);
	sim_spawn(vm_a, reset_victim, NULL);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(reset_recv == -ECONNRESET);
	CHECK(reset_send == -ECONNRESET);
	CHECK(vm_b->ns->stats.tcp_resets_sent == 1);
	CHECK(vm_a->ns->conn_count == 0 && vm_b->ns->conn_count == 0);
	return 1;
}

/* B goes silent after the handshake: A gives up after its retries. */
static int silence_b;

static int drop_from_b(struct sim_vm *from, const uint8_t *f,
		       unsigned int len)
{
	(void)f;
	(void)len;
	return !(silence_b && from == vm_b);
}

static void *send_into_void(void *arg)
{
	int fd = net_socket(NET_SOCK_STREAM);

	(void)arg;
	T_CHECK(net_connect(fd, IP_B, 80) == 0);
	silence_b = 1;
	T_CHECK(net_send(fd, "hello?", 6) == 6);
	reset_recv = net_recv(fd, (char[8]){ 0 }, 8);
	net_close(fd);
	return NULL;
}

static int test_tcp_give_up(void)
{
	silence_b = 0;
	two_vms();
	sim_wire.tap = drop_from_b;
	sim_spawn(vm_b, accept_one, NULL);
	sim_spawn(vm_a, send_into_void, NULL);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(reset_recv == -ETIMEDOUT);
	CHECK(vm_a->ns->stats.tcp_retransmits == 8);
	return 1;
}

/* A listener with a backlog of 2 that accepts only after 3 s. */
static int backlog_accepted;

static void *late_acceptor(void *arg)
{
	int fd = listen_on(80, 2), i;

	(void)arg;
	T_CHECK(fd >= 0);
	thread_sleep(3000000);
	T_CHECK(find_listener(vm_b, 80)->pending == 2);
	for (i = 0; i < 5; i++) {
		T_CHECK(net_accept(fd, NULL, NULL) >= 0);
		backlog_accepted++;
	}
	return NULL;
}

static int test_tcp_backlog(void)
{
	uint16_t port = 80;
	int i;

	backlog_accepted = 0;
	two_vms();
	sim_spawn(vm_b, late_acceptor, NULL);
	for (i = 0; i < 5; i++)
		sim_spawn(vm_a, connect_report, &port);
	CHECK(sim_run(60 * SEC) == 0);
	CHECK(backlog_accepted == 5);
	CHECK(connect_result == 0);
	CHECK(vm_b->ns->stats.tcp_backlog_full > 0);
	return 1;
}

/* More connections one after another than the table holds. */
static void *serial_server(void *arg)
{
	int fd = listen_on(80, 8), conn, i;
	char buf[8];

	(void)arg;
	T_CHECK(fd >= 0);
	for (i = 0; i < NET_TCP_CONNS_MAX + 100; i++) {
		conn = net_accept(fd, NULL, NULL);
		T_CHECK(conn >= 0);
		T_CHECK(net_send(conn, "hi", 2) == 2);
		net_close(conn);	/* we close first: TIME_WAIT here */
	}
	T_CHECK(net_recv(fd, buf, sizeof(buf)) == -ENOTCONN);
	net_close(fd);
	return NULL;
}

static int serial_done;

static void *serial_client(void *arg)
{
	char buf[8];
	int i, fd;

	(void)arg;
	for (i = 0; i < NET_TCP_CONNS_MAX + 100; i++) {
		fd = net_socket(NET_SOCK_STREAM);
		T_CHECK(net_connect(fd, IP_B, 80) == 0);
		T_CHECK(net_recv(fd, buf, sizeof(buf)) == 2);
		T_CHECK(net_recv(fd, buf, sizeof(buf)) == 0);
		net_close(fd);
		serial_done++;
	}
	return NULL;
}

static int test_tcp_time_wait_reuse(void)
{
	serial_done = 0;
	two_vms();
	sim_spawn(vm_b, serial_server, NULL);
	sim_spawn(vm_a, serial_client, NULL);
	CHECK(sim_run(60 * SEC) == 0);
	CHECK(serial_done == NET_TCP_CONNS_MAX + 100);
	/* Full of TIME_WAIT, but for the listener's place. */
	CHECK(vm_b->ns->conn_count == NET_TCP_CONNS_MAX - 1);
	return 1;
}

/* The client comes back from the same port while the server waits. */
static int reconnected;

static void *twice_server(void *arg)
{
	int fd = listen_on(80, 2), conn, i;

	(void)arg;
	T_CHECK(fd >= 0);
	for (i = 0; i < 2; i++) {
		conn = net_accept(fd, NULL, NULL);
		T_CHECK(conn >= 0);
		T_CHECK(net_send(conn, "hi", 2) == 2);
		net_close(conn);
	}
	net_close(fd);
	return NULL;
}

static void *twice_client(void *arg)
{
	char buf[8];
	uint64_t start;
	int fd, i;

	(void)arg;
	for (i = 0; i < 2; i++) {
		fd = net_socket(NET_SOCK_STREAM);
		T_CHECK(net_bind(fd, 40000) == 0);
		start = sim_now();
		T_CHECK(net_connect(fd, IP_B, 80) == 0);
		T_CHECK(sim_now() - start < 10 * MSEC);
		T_CHECK(net_recv(fd, buf, sizeof(buf)) == 2);
		T_CHECK(net_recv(fd, buf, sizeof(buf)) == 0);
		net_close(fd);
		thread_sleep(1000000);
		T_CHECK(find_conn(vm_b, 80)->state == TCP_TIME_WAIT);
	}
	reconnected = 1;
	return NULL;
}

static int test_tcp_time_wait_new_syn(void)
{
	reconnected = 0;
	two_vms();
	sim_spawn(vm_b, twice_server, NULL);
	sim_spawn(vm_a, twice_client, NULL);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(reconnected);
	CHECK(vm_a->ns->stats.tcp_retransmits == 0);
	CHECK(vm_b->ns->conn_count == 1);	/* the second's TIME_WAIT */
	return 1;
}

/* Hostile and broken input */

static int udp_got;

static void *udp_listener(void *arg)
{
	char buf[64];
	int fd = net_socket(NET_SOCK_DGRAM);

	(void)arg;
	T_CHECK(net_bind(fd, 7) == 0);
	T_CHECK(net_set_timeout(fd, 1000) == 0);
	while (net_recv(fd, buf, sizeof(buf)) > 0)
		udp_got++;
	return NULL;
}

static int test_fragments_dropped(void)
{
	uint8_t f[NET_FRAME_MAX];
	unsigned int len;

	udp_got = 0;
	two_vms();
	sim_spawn(vm_b, udp_listener, NULL);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, IP_FLAG_MF, "first");
	sim_inject(vm_b, f, len);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, 185, "middle");
	sim_inject(vm_b, f, len);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, 0x4000, "whole");
	sim_inject(vm_b, f, len);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(vm_b->ns->stats.ip_fragments == 2);
	CHECK(udp_got == 1);	/* DF set is no fragment */
	return 1;
}

static int test_bad_checksums(void)
{
	uint8_t f[NET_FRAME_MAX], seg[TCP_HLEN] = { 0 };
	struct tcp_hdr *th = (struct tcp_hdr *)seg;
	unsigned int len;

	udp_got = 0;
	two_vms();
	sim_spawn(vm_b, udp_listener, NULL);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, 0, "ip");
	f[ETH_HLEN + 10] ^= 1;		/* the IP header's checksum */
	sim_inject(vm_b, f, len);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, 0, "udp");
	f[len - 1] ^= 0x20;		/* the data */
	sim_inject(vm_b, f, len);
	th->sport = net_htons(1234);
	th->dport = net_htons(80);
	th->off = 5 << 4;
	th->flags = TCP_SYN;
	th->csum = 0x1234;
	len = build_ipv4(f, vm_b->mac, IP_A, IP_B, IP_PROTO_TCP, 0, seg,
			 sizeof(seg));
	sim_inject(vm_b, f, len);
	len = build_udp(f, vm_b->mac, IP_A, IP_B, 7, 0, "good");
	sim_inject(vm_b, f, len);
	CHECK(sim_run(5 * SEC) == 0);
	CHECK(vm_b->ns->stats.ip_bad_checksum == 1);
	CHECK(vm_b->ns->stats.udp_bad_checksum == 1);
	CHECK(vm_b->ns->stats.tcp_bad_checksum == 1);
	CHECK(vm_b->ns->stats.tcp_resets_sent == 0);
	CHECK(udp_got == 1);
	return 1;
}

/*
 * Random frames, and valid headers over random rest, at a VM with a
 * listener and a UDP socket: it must survive (the sanitizers watch) and
 * still answer.
 */
static uint64_t fuzz_state;

static uint32_t fuzz_rand(void)
{
	fuzz_state = fuzz_state * 6364136223846793005ULL +
		     1442695040888963407ULL;
	return (uint32_t)(fuzz_state >> 33);
}

static void *fuzz_servers(void *arg)
{
	int fd = listen_on(80, 16);

	(void)arg;
	T_CHECK(fd >= 0);
	T_CHECK(net_bind(net_socket(NET_SOCK_DGRAM), 7) == 0);
	return NULL;
}

static int test_fuzz(void)
{
	static const uint8_t protos[] = { IP_PROTO_ICMP, IP_PROTO_UDP,
					  IP_PROTO_TCP, 99 };
	uint8_t f[NET_FRAME_MAX], body[NET_FRAME_MAX];
	uint32_t dst = IP_B;
	unsigned int i, j, len, kind;

	fuzz_state = 42;
	two_vms();
	sim_spawn(vm_b, fuzz_servers, NULL);
	CHECK(sim_run(1 * SEC) == 0);
	for (i = 0; i < 30000; i++) {
		len = fuzz_rand() % (NET_FRAME_MAX + 1);
		for (j = 0; j < len; j++)
			body[j] = (uint8_t)fuzz_rand();
		kind = fuzz_rand() % 4;
		if (kind == 0 && len >= ETH_HLEN) {
			memcpy(body, vm_b->mac, 6);
			memcpy(f, body, len);
		} else if (kind == 1 && len >= ETH_HLEN + 28) {
			memcpy(f, vm_b->mac, 6);
			memcpy(f + 6, "\x02\x00\x00\x00\x00\x77", 6);
			f[12] = 0x08;
			f[13] = 0x06;
			memcpy(f + ETH_HLEN, "\x00\x01\x08\x00\x06\x04", 6);
			memcpy(f + ETH_HLEN + 6, body, len - ETH_HLEN - 6);
		} else if (len > ETH_HLEN + IP_HLEN) {
			/* Valid IP header, a protocol we have, random rest. */
			len = build_ipv4(f, vm_b->mac, IP_A, IP_B,
					 protos[fuzz_rand() % 4], 0, body,
					 len - ETH_HLEN - IP_HLEN);
			if (fuzz_rand() % 2) {
				/* Now a matching transport checksum too. */
				uint8_t *p = f + ETH_HLEN + IP_HLEN;
				unsigned int plen = len - ETH_HLEN - IP_HLEN;
				uint8_t proto = f[ETH_HLEN + 9];
				unsigned int at = proto == IP_PROTO_TCP ? 16 :
						  proto == IP_PROTO_UDP ? 6 : 2;

				if (proto == IP_PROTO_UDP && plen >= UDP_HLEN) {
					p[4] = (uint8_t)(plen >> 8);
					p[5] = (uint8_t)plen;
				}
				if (plen >= at + 2) {
					uint32_t sum = proto == IP_PROTO_ICMP ||
						       proto == 99 ? 0 :
						net_csum_pseudo(net_htonl(IP_A),
							net_htonl(IP_B), proto,
							(uint16_t)plen);

					p[at] = p[at + 1] = 0;
					*(uint16_t *)(p + at) = net_csum_fold(
						net_csum_add(sum, p, plen));
				}
			}
		} else {
			memcpy(f, body, len);
		}
		sim_inject(vm_b, f, len);
		if (i % 64 == 63)
			sim_run(1 * MSEC);
	}
	sim_spawn(vm_a, ping_thread, &dst);
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(ping_result == 0);
	CHECK(vm_b->ns->stats.rx_malformed > 0);
	return 1;
}

/* SYNs from nowhere: each costs a small entry, no buffers, and goes. */
static void *flood_target(void *arg)
{
	int fd = listen_on(80, 8);

	(void)arg;
	T_CHECK(fd >= 0);
	T_CHECK(net_accept(fd, NULL, NULL) >= 0);
	net_close(fd);
	return NULL;
}

static int test_tcp_syn_flood(void)
{
	uint8_t f[NET_FRAME_MAX], seg[TCP_HLEN];
	struct tcp_hdr *th = (struct tcp_hdr *)seg;
	struct tcp_conn *c;
	uint32_t spoofed = NET_IPV4(10, 0, 0, 200);
	uint16_t port = 80;
	unsigned int i, len, half_open = 0;

	two_vms();
	sim_wire.rx_queue_max = 1000;
	sim_spawn(vm_b, flood_target, NULL);
	CHECK(sim_run(1 * MSEC) == -1);
	for (i = 0; i < 1000; i++) {
		memset(seg, 0, sizeof(seg));
		th->sport = net_htons((uint16_t)(1024 + i));
		th->dport = net_htons(80);
		th->seq = net_htonl(i * 7919);
		th->off = 5 << 4;
		th->flags = TCP_SYN;
		th->win = net_htons(8192);
		th->csum = net_csum_fold(net_csum_add(net_csum_pseudo(
			net_htonl(spoofed), net_htonl(IP_B), IP_PROTO_TCP,
			TCP_HLEN), seg, TCP_HLEN));
		len = build_ipv4(f, vm_b->mac, spoofed, IP_B, IP_PROTO_TCP, 0,
				 seg, TCP_HLEN);
		sim_inject(vm_b, f, len);
	}
	sim_wait(10 * MSEC);
	for (c = vm_b->ns->conns; c; c = c->next) {
		if (c->state != TCP_SYN_RECEIVED)
			continue;
		half_open++;
		CHECK(!c->rcv.data && !c->snd.data);
	}
	CHECK(half_open == 8);
	CHECK(vm_b->ns->stats.tcp_backlog_full == 1000 - 8);
	/* They give up (nobody answers the SYN-ACKs), then A gets in. */
	sim_wait(70 * SEC);
	CHECK(vm_b->ns->conn_count == 1);
	sim_spawn(vm_a, connect_report, &port);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(connect_result == 0);
	return 1;
}

static int closed_wait_result;

static void *blocked_reader(void *arg)
{
	char buf[8];

	closed_wait_result = (int)net_recv(*(int *)arg, buf, sizeof(buf));
	return NULL;
}

static void *api_errors(void *arg)
{
	char buf[8];
	uint32_t ip;
	uint16_t port;
	int tcp = net_socket(NET_SOCK_STREAM), udp = net_socket(NET_SOCK_DGRAM);
	int other;

	(void)arg;
	T_CHECK(tcp >= 0 && udp >= 0);
	T_CHECK(net_socket(3) == -EPROTOTYPE);
	T_CHECK(net_send(-1, "x", 1) == -EBADF);
	T_CHECK(net_recv(NET_SOCKETS_MAX, buf, 1) == -EBADF);
	T_CHECK(net_listen(udp, 1) == -EOPNOTSUPP);
	T_CHECK(net_listen(tcp, 1) == -EINVAL);		/* not bound */
	T_CHECK(net_send(tcp, "x", 1) == -ENOTCONN);
	T_CHECK(net_recv(tcp, buf, 1) == -ENOTCONN);
	T_CHECK(net_shutdown(tcp) == -ENOTCONN);
	T_CHECK(net_accept(tcp, NULL, NULL) == -EINVAL);
	T_CHECK(net_send(udp, "x", 1) == -ENOTCONN);
	T_CHECK(net_bind(tcp, 5000) == 0 && net_bind(tcp, 5001) == -EINVAL);
	other = net_socket(NET_SOCK_STREAM);
	T_CHECK(net_bind(other, 5000) == -EADDRINUSE);
	T_CHECK(net_close(other) == 0 && net_close(other) == -EBADF);
	T_CHECK(net_set_buffers(udp, 4096, 4096) == -EOPNOTSUPP);
	T_CHECK(net_set_buffers(tcp, 4096, 65536) == -EINVAL);
	T_CHECK(net_set_buffers(tcp, 1000, 4096) == -EINVAL);
	T_CHECK(net_set_buffers(tcp, 4096, 4096) == 0);

	/* A connected UDP socket: net_send() and net_recv(). */
	T_CHECK(net_connect(udp, IP_B, 7) == 0);
	T_CHECK(net_send(udp, "ping", 4) == 4);
	T_CHECK(net_recvfrom(udp, buf, 2, &ip, &port) == 2);	/* cut */
	T_CHECK(!memcmp(buf, "pi", 2) && ip == IP_B && port == 7);

	/* Closing a socket wakes its blocked readers: it is gone. */
	sim_spawn(vm_a, blocked_reader, &udp);
	thread_sleep(1000);
	T_CHECK(net_close(udp) == 0);
	thread_sleep(1000);
	T_CHECK(closed_wait_result == -EBADF);
	net_close(tcp);
	return NULL;
}

static void *udp_echo_once(void *arg)
{
	char buf[64];
	uint32_t ip;
	uint16_t port;
	int fd = net_socket(NET_SOCK_DGRAM);
	long n;

	(void)arg;
	T_CHECK(net_bind(fd, 7) == 0);
	n = net_recvfrom(fd, buf, sizeof(buf), &ip, &port);
	T_CHECK(n == 4 && net_sendto(fd, buf, (size_t)n, ip, port) == 4);
	return NULL;
}

static int test_api_errors(void)
{
	closed_wait_result = 0;
	two_vms();
	sim_spawn(vm_b, udp_echo_once, NULL);
	sim_spawn(vm_a, api_errors, NULL);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(closed_wait_result == -EBADF);
	return 1;
}

/* The examples, booted in the simulator */

int example_httpd(void);
int example_nettest(void);
int example_udp_echo(void);

static int console_has(struct sim_vm *vm, const char *text)
{
	return strstr(vm->console, text) != NULL;
}

/* FNV-1a of nettest's pattern, byte(i) = i mod 251. */
static uint32_t nettest_fnv(uint64_t len)
{
	uint32_t h = FNV_INIT;
	uint64_t i;
	uint8_t b;

	for (i = 0; i < len; i++) {
		b = (uint8_t)(i % 251);
		h = fnv1a(h, &b, 1);
	}
	return h;
}

static int test_nettest_tcp(void)
{
	char want[128];

	vm_a = sim_vm_new("ip=10.0.0.5/24 tcp-client 10.0.0.6 7 1048576 "
			  "buf=32768", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 tcp-server 7 1 buf=32768", 6, 1500);
	sim_wire.loss_pct = 5;
	sim_wire.reorder_pct = 5;
	sim_wire.reorder_ns = 300000;
	sim_boot(vm_b, example_nettest, 0);
	sim_boot(vm_a, example_nettest, 0);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(vm_a->exit_code == 0 && vm_b->exit_code == 0);
	snprintf(want, sizeof(want), "nettest: tcp-client result=ok sent=1048576 sent_fnv1a=%08x received=1048576 received_fnv1a=%08x\n",
		 nettest_fnv(MIB), nettest_fnv(MIB));
	CHECK(console_has(vm_a, want));
	snprintf(want, sizeof(want), "nettest: tcp-server result=ok bytes=1048576 fnv1a=%08x\n",
		 nettest_fnv(MIB));
	CHECK(console_has(vm_b, want));
	return 1;
}

static int test_nettest_sink(void)
{
	char want[128];

	vm_a = sim_vm_new("ip=10.0.0.5/24 tcp-source 10.0.0.6 9 1048576", 5,
			  1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 tcp-sink 9 1", 6, 1500);
	sim_wire.loss_pct = 2;
	sim_boot(vm_b, example_nettest, 0);
	sim_boot(vm_a, example_nettest, 0);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(vm_a->exit_code == 0 && vm_b->exit_code == 0);
	snprintf(want, sizeof(want), "result=ok bytes=1048576 fnv1a=%08x\n",
		 nettest_fnv(MIB));
	CHECK(console_has(vm_a, want) && console_has(vm_b, want));
	return 1;
}

static int test_nettest_udp_ping(void)
{
	struct sim_vm *pinger;

	vm_a = sim_vm_new("ip=10.0.0.5/24 udp-client 10.0.0.6 7 50", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24", 6, 1500);
	pinger = sim_vm_new("ip=10.0.0.7/24 ping 10.0.0.6 3", 7, 1500);
	/* udp-client tries each datagram 3 times; ping does not retry. */
	sim_wire.loss_pct = 2;
	sim_boot(vm_b, example_udp_echo, 1);
	sim_boot(vm_a, example_nettest, 0);
	CHECK(sim_run(600 * SEC) == 0);
	CHECK(console_has(vm_b, "udp-echo: listening on 10.0.0.6 port 7\n"));
	CHECK(vm_a->exit_code == 0);
	CHECK(console_has(vm_a, "nettest: udp-client result=ok sent=50 received=50"));
	sim_wire.loss_pct = 0;
	sim_boot(pinger, example_nettest, 0);
	CHECK(sim_run(60 * SEC) == 0);
	CHECK(pinger->exit_code == 0);
	CHECK(console_has(pinger, "nettest: ping result=ok sent=3 received=3"));
	return 1;
}

static int test_nettest_usage(void)
{
	vm_a = sim_vm_new("ip=10.0.0.5/24 tcp-client 10.0.0.6 70000 5", 5,
			  1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 tcp-sink 9 buf=100", 6, 1500);
	sim_boot(vm_a, example_nettest, 0);
	sim_boot(vm_b, example_nettest, 0);
	CHECK(sim_run(1 * SEC) == 0);
	CHECK(vm_a->exit_code == 2 && vm_b->exit_code == 2);
	CHECK(console_has(vm_a, "nettest: usage:"));
	return 1;
}

/* One connection: sends request, reads to the end into buf. */
static long http_exchange(uint32_t ip, const char *request, char *buf,
			  size_t size)
{
	size_t len = 0;
	long n;
	int fd = net_socket(NET_SOCK_STREAM);

	if (fd < 0)
		return fd;
	n = net_connect(fd, ip, 80);
	if (!n)
		n = net_send(fd, request, strlen(request));
	while (n >= 0 && len < size &&
	       (n = net_recv(fd, buf + len, size - len)) > 0)
		len += (size_t)n;
	net_close(fd);
	return n < 0 ? n : (long)len;
}

/* httpd's document: "denali-httpd TAG\n" over and over, cut at size. */
static int document_ok(const char *body, size_t len, const char *tag,
		       size_t size)
{
	char line[64];
	size_t line_len, i;

	line_len = (size_t)snprintf(line, sizeof(line), "denali-httpd %s\n",
				    tag);
	if (len != size)
		return 0;
	for (i = 0; i < len; i++)
		if (body[i] != line[i % line_len])
			return 0;
	return 1;
}

#define HTTPD_VMS	100
#define HTTPD_CLIENTS	10

static struct sim_vm *httpds[HTTPD_VMS];
static unsigned int documents_ok;

static uint32_t httpd_ip(unsigned int i)
{
	return NET_IPV4(10, 0, 1, i + 1);
}

static size_t httpd_size(unsigned int i)
{
	return i % 10 == 3 ? 100000 : i % 10 == 7 ? 0 : 2258;
}

/* Each client fetches the document of every tenth VM, all at once. */
static void *http_client(void *arg)
{
	unsigned int first = (unsigned int)(intptr_t)arg, i;
	char tag[NET_IPV4_STRLEN + 8], head[128], *body;
	static char bufs[HTTPD_CLIENTS][200000];
	char *buf = bufs[first];
	long n;

	for (i = first; i < HTTPD_VMS; i += HTTPD_CLIENTS) {
		n = http_exchange(httpd_ip(i), "GET / HTTP/1.0\r\n\r\n", buf,
				  sizeof(bufs[0]) - 1);
		T_CHECK(n > 0);
		buf[n] = '\0';
		body = strstr(buf, "\r\n\r\n");
		T_CHECK(body);
		body += 4;
		snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nServer: denali-httpd\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
			 httpd_size(i));
		T_CHECK(!strncmp(buf, head, strlen(head)));
		if (i % 2)
			snprintf(tag, sizeof(tag), "vm%u", i);
		else
			net_format_ipv4(httpd_ip(i), tag);
		T_CHECK(document_ok(body, (size_t)(buf + n - body), tag,
				    httpd_size(i)));
		documents_ok++;
	}
	return NULL;
}

static int test_httpd_many(void)
{
	char cmdline[128], ip[NET_IPV4_STRLEN];
	struct sim_vm *client;
	unsigned int i;

	documents_ok = 0;
	for (i = 0; i < HTTPD_VMS; i++) {
		net_format_ipv4(httpd_ip(i), ip);
		snprintf(cmdline, sizeof(cmdline), "ip=%s/16 size=%zu%s%u",
			 ip, httpd_size(i), i % 2 ? " tag=vm" : " x=", i);
		httpds[i] = sim_vm_new(cmdline, (uint8_t)(i + 1), 1500);
		sim_boot(httpds[i], example_httpd, 1);
	}
	client = sim_vm_new("ip=10.0.2.1/16", 200, 1500);
	sim_wire.loss_pct = 1;
	for (i = 0; i < HTTPD_CLIENTS; i++)
		sim_spawn(client, http_client, (void *)(intptr_t)i);
	CHECK(sim_run(300 * SEC) == 0);
	CHECK(documents_ok == HTTPD_VMS);
	CHECK(console_has(httpds[0], "httpd: serving 2258 bytes tagged \"10.0.1.1\" at http://10.0.1.1:80/ with 16 workers\n"));
	return 1;
}

static long http_result;
static char http_reply[20000];

static void *http_fetch(void *arg)
{
	http_result = http_exchange(IP_B, arg, http_reply,
				    sizeof(http_reply) - 1);
	if (http_result >= 0)
		http_reply[http_result] = '\0';
	return NULL;
}

static int test_httpd_requests(void)
{
	static const char pipelined[] =
		"GET / HTTP/1.1\r\nHost: b\r\n\r\n"
		"HEAD /index.html HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
		"GET /nothing HTTP/1.1\r\n\r\n";
	static const char ok11[] = "HTTP/1.1 200 OK\r\nServer: denali-httpd\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\n";
	static const char ok10[] = "HTTP/1.0 200 OK\r\nServer: denali-httpd\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\n";
	static const char not_found[] = "HTTP/1.1 404 Not Found\r\nServer: denali-httpd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	static char huge[3000];
	char want[1024];

	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 size=10 tag=t workers=2", 6, 1500);
	sim_boot(vm_b, example_httpd, 1);
	/* Three requests at once: the third ends the connection. */
	sim_spawn(vm_a, http_fetch, (void *)pipelined);
	CHECK(sim_run(30 * SEC) == 0);
	snprintf(want, sizeof(want), "%sdenali-htt%s%s", ok11, ok10,
		 not_found);
	CHECK(http_result > 0 && !strcmp(http_reply, want));

	sim_spawn(vm_a, http_fetch, "POST / HTTP/1.1\r\n\r\n");
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(!strncmp(http_reply, "HTTP/1.1 501 Not Implemented\r\n", 30));
	sim_spawn(vm_a, http_fetch, "GET / HTTP/2.0\r\n\r\n");
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(!strncmp(http_reply, "HTTP/1.1 505 ", 13));
	memset(huge, 'x', sizeof(huge) - 1);
	sim_spawn(vm_a, http_fetch, huge);
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(!strncmp(http_reply, "HTTP/1.1 431 ", 13));
	/* An idle connection is closed after 10 s. */
	sim_spawn(vm_a, http_fetch, "GET / HTTP/1.1\r\n");
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(http_result == 0);
	return 1;
}

/* httpd with a disk: a ustar archive that tar makes of a small site. */

static char disk_reply[40000];
static long disk_result;

static void *disk_fetch(void *arg)
{
	disk_result = http_exchange(IP_B, arg, disk_reply,
				    sizeof(disk_reply) - 1);
	if (disk_result >= 0)
		disk_reply[disk_result] = '\0';
	return NULL;
}

/* Byte i of a site file tagged seed. */
static uint8_t site_byte(unsigned int seed, size_t i)
{
	return (uint8_t)((i * 13 + seed) % 256);
}

static int write_site_file(const char *dir, const char *name, size_t size,
			   unsigned int seed)
{
	char path[256];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/site/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	for (i = 0; i < size; i++)
		fputc(site_byte(seed, i), f);
	return fclose(f);
}

/* The site as `tar --format=ustar -C site .` archives it, in 4 KiB blocks. */
static uint8_t *make_site_disk(uint64_t *size)
{
	char dir[] = "/tmp/test-net-site.XXXXXX", cmd[512];
	uint8_t *disk = NULL;
	FILE *f;
	long len;

	if (!mkdtemp(dir))
		return NULL;
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/site/img %s/site/docs", dir,
		 dir);
	if (system(cmd) || write_site_file(dir, "index.html", 300, 1) ||
	    write_site_file(dir, "style.css", 50, 2) ||
	    write_site_file(dir, "img/logo.PNG", 20000, 3) ||
	    write_site_file(dir, "docs/index.html", 10, 4) ||
	    write_site_file(dir, "data", 7, 5))
		goto out;
	snprintf(cmd, sizeof(cmd),
		 "tar --format=ustar -cf %s/site.tar -C %s/site .", dir, dir);
	if (system(cmd))
		goto out;
	snprintf(cmd, sizeof(cmd), "%s/site.tar", dir);
	f = fopen(cmd, "r");
	if (!f)
		goto out;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	*size = ((uint64_t)len + 4095) / 4096 * 4096;
	disk = calloc(1, *size);
	if (disk && fread(disk, 1, (size_t)len, f) != (size_t)len) {
		free(disk);
		disk = NULL;
	}
	fclose(f);
out:
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return disk;
}

/* The reply is 200 with type and the site file of size and seed. */
static int site_reply_ok(const char *type, size_t size, unsigned int seed)
{
	char head[256];
	const char *body;
	size_t i;

	snprintf(head, sizeof(head), "HTTP/1.0 200 OK\r\nServer: denali-httpd\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		 type, size);
	if (disk_result != (long)(strlen(head) + size) ||
	    strncmp(disk_reply, head, strlen(head)))
		return 0;
	body = disk_reply + strlen(head);
	for (i = 0; i < size; i++)
		if ((uint8_t)body[i] != site_byte(seed, i))
			return 0;
	return 1;
}

static int test_httpd_disk(void)
{
	static const char not_found[] = "HTTP/1.1 404 Not Found\r\nServer: denali-httpd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	static const char head_css[] = "HTTP/1.1 200 OK\r\nServer: denali-httpd\r\nContent-Type: text/css\r\nContent-Length: 50\r\nConnection: close\r\n\r\n";
	static const struct {
		const char *request, *type;
		size_t size;
		unsigned int seed;
	} files[] = {
		{ "GET / HTTP/1.0\r\n\r\n", "text/html", 300, 1 },
		{ "GET /index.html HTTP/1.0\r\n\r\n", "text/html", 300, 1 },
		{ "GET /style.css?v=2 HTTP/1.0\r\n\r\n", "text/css", 50, 2 },
		{ "GET /st%79le.css HTTP/1.0\r\n\r\n", "text/css", 50, 2 },
		{ "GET /img/logo.PNG HTTP/1.0\r\n\r\n", "image/png", 20000, 3 },
		{ "GET /docs HTTP/1.0\r\n\r\n", "text/html", 10, 4 },
		{ "GET /./img/../docs/ HTTP/1.0\r\n\r\n", "text/html", 10, 4 },
		{ "GET /data HTTP/1.0\r\n\r\n", "application/octet-stream",
		  7, 5 },
	};
	static const char *const missing[] = {
		"GET /missing HTTP/1.1\r\n\r\n",
		"GET /img HTTP/1.1\r\n\r\n",		/* no index.html */
		"GET /style.css/x HTTP/1.1\r\n\r\n",
		"GET /st%00yle.css HTTP/1.1\r\n\r\n",
		"GET /st%7 HTTP/1.1\r\n\r\n",
		"GET style.css HTTP/1.1\r\n\r\n",
	};
	uint64_t size;
	unsigned int i;
	uint8_t *disk = make_site_disk(&size);

	CHECK(disk);
	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 workers=2", 6, 1500);
	vm_b->disk = disk;
	vm_b->disk_size = size;
	sim_boot(vm_b, example_httpd, 1);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		sim_spawn(vm_a, disk_fetch, (void *)files[i].request);
		CHECK(sim_run(30 * SEC) == 0);
		CHECK(site_reply_ok(files[i].type, files[i].size,
				    files[i].seed));
	}
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		sim_spawn(vm_a, disk_fetch, (void *)missing[i]);
		CHECK(sim_run(30 * SEC) == 0);
		CHECK(!strcmp(disk_reply, not_found));
	}
	sim_spawn(vm_a, disk_fetch,
		  "HEAD /style.css HTTP/1.1\r\nConnection: close\r\n\r\n");
	CHECK(sim_run(30 * SEC) == 0);
	CHECK(!strcmp(disk_reply, head_css));
	CHECK(console_has(vm_b, "httpd: serving 7 files from disk 0 at http://10.0.0.6:80/ with 2 workers\n"));
	free(disk);
	return 1;
}

/* kvstore: its log on a disk, through restarts and a torn write. */

int example_kvstore(void);

#define KV_DISK_SIZE	(64 * 1024)

static char kv_reply[8192];
static long kv_result;

/* Sends the lines of arg to kvstore at IP_B and reads as many answers. */
static void *kv_exchange(void *arg)
{
	const char *request = arg;
	unsigned int lines = 0, got = 0;
	size_t len = 0, i;
	long n;
	int fd = net_socket(NET_SOCK_STREAM);

	for (i = 0; request[i]; i++)
		lines += request[i] == '\n';
	kv_result = -1;
	if (fd < 0)
		return NULL;
	n = net_connect(fd, IP_B, 7070);
	if (!n)
		n = net_send(fd, request, strlen(request));
	while (n >= 0 && got < lines && len < sizeof(kv_reply) - 1 &&
	       (n = net_recv(fd, kv_reply + len,
			     sizeof(kv_reply) - 1 - len)) > 0) {
		for (i = len; i < len + (size_t)n; i++)
			got += kv_reply[i] == '\n';
		len += (size_t)n;
	}
	net_close(fd);
	kv_reply[len] = '\0';
	kv_result = n < 0 ? n : (long)len;
	return NULL;
}

/*
 * Boots kvstore on a fresh VM B with a disk that holds what durable
 * does (written back there by flushes), and a client VM A.
 */
static void kv_boot(uint8_t *disk, uint8_t *durable)
{
	memcpy(disk, durable, KV_DISK_SIZE);
	vm_a = sim_vm_new("ip=10.0.0.5/24", 5, 1500);
	vm_b = sim_vm_new("ip=10.0.0.6/24 workers=2", 6, 1500);
	vm_b->disk = disk;
	vm_b->disk_size = KV_DISK_SIZE;
	vm_b->disk_durable = durable;
	sim_boot(vm_b, example_kvstore, 1);
}

static int kv_ask(const char *request, const char *want)
{
	sim_spawn(vm_a, kv_exchange, (void *)request);
	return sim_run(30 * SEC) == 0 && !strcmp(kv_reply, want);
}

/* The VM ends; another starts on what its disk's backing store kept. */
static void kv_restart(uint8_t *disk, uint8_t *durable)
{
	sim_reset(7);
	kv_boot(disk, durable);
}

static int test_kvstore(void)
{
	static uint8_t disk[KV_DISK_SIZE], durable[KV_DISK_SIZE];
	static char request[2048], want[sizeof(kv_reply)];
	char value[600];
	size_t len = 0, wlen = 0;
	unsigned int i;

	memset(durable, 0, sizeof(durable));
	kv_boot(disk, durable);
	CHECK(kv_ask("set a 1\nset b hello world\r\nget a\nget b\nget c\n"
		     "set a 2\nget a\nbogus\nset k\nget \nset \n",
		     "OK\nOK\nVALUE 1\nVALUE hello world\nNOT_FOUND\nOK\n"
		     "VALUE 2\nERROR unknown command\nERROR no value\n"
		     "ERROR bad key\nERROR bad key\n"));
	CHECK(console_has(vm_b, "kvstore: 0 keys from 0 records on disk 0, serving 10.0.0.6 port 7070\n"));

	kv_restart(disk, durable);
	CHECK(kv_ask("get a\nget b\n", "VALUE 2\nVALUE hello world\n"));
	CHECK(console_has(vm_b, "kvstore: 2 keys from 3 records on disk 0"));

	/* Records across block boundaries, in several connections. */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	for (i = 0; i < 60; i++) {
		value[0] = (char)('A' + i % 26);
		snprintf(request, sizeof(request), "set key%u %s\n", i, value);
		CHECK(kv_ask(request, "OK\n"));
	}
	kv_restart(disk, durable);
	for (i = 0; i < 60; i += 7) {
		value[0] = (char)('A' + i % 26);
		len += (size_t)snprintf(request + len, sizeof(request) - len,
					"get key%u\n", i);
		wlen += (size_t)snprintf(want + wlen, sizeof(want) - wlen,
					 "VALUE %s\n", value);
	}
	CHECK(kv_ask(request, want));
	CHECK(console_has(vm_b, "kvstore: 62 keys from 63 records"));

	/* A set torn by a crash: the write reached the disk, not all of it. */
	CHECK(kv_ask("set key1 new\n", "OK\n"));
	for (i = KV_DISK_SIZE; i && !durable[i - 1]; i--)
		;
	durable[i - 1] ^= 0x40;
	kv_restart(disk, durable);
	value[0] = 'B';
	snprintf(want, sizeof(want), "VALUE %s\n", value);
	CHECK(kv_ask("get key1\n", want));
	CHECK(kv_ask("set key1 newer\nget key1\n", "OK\nVALUE newer\n"));
	kv_restart(disk, durable);
	CHECK(kv_ask("get key1\n", "VALUE newer\n"));

	/* Until the disk is full: refused, and nothing lost. */
	for (i = 0; i < 100; i++) {
		snprintf(request, sizeof(request), "set full%u %s\n", i, value);
		if (!kv_ask(request, "OK\n"))
			break;
	}
	CHECK(i > 10 && i < 100 && !strcmp(kv_reply, "ERROR disk -28\n"));
	snprintf(request, sizeof(request), "set full1 %s\nget full1\n", value);
	snprintf(want, sizeof(want), "ERROR disk -28\nVALUE B%s\n", value + 1);
	CHECK(kv_ask(request, want));
	kv_restart(disk, durable);
	snprintf(request, sizeof(request), "get full%u\nget full%u\n", i - 1,
		 i);
	snprintf(want, sizeof(want), "VALUE %s\nNOT_FOUND\n", value);
	CHECK(kv_ask(request, want));
	return 1;
}

static int test_kvstore_no_disk(void)
{
	vm_b = sim_vm_new("ip=10.0.0.6/24", 6, 1500);
	sim_boot(vm_b, example_kvstore, 0);
	CHECK(sim_run(10 * SEC) == 0);
	CHECK(vm_b->exit_code == 1);
	CHECK(console_has(vm_b, "kvstore: no read-write disk 0\n"));
	return 1;
}

/*
 * Segments with valid checksums and random flags, sequence and
 * acknowledgment numbers near the real ones, lengths and windows, into
 * an established connection from its peer's address and port: every
 * path of the state machine, none may crash or wedge the stack.
 */
static void *close_fd(void *arg)
{
	int *fd = arg;

	if (*fd >= 0)
		net_close(*fd);
	*fd = -1;
	return NULL;
}

static int test_tcp_segment_fuzz(void)
{
	uint8_t f[NET_FRAME_MAX], seg[TCP_HLEN + 1200];
	struct tcp_hdr *th = (struct tcp_hdr *)seg;
	struct tcp_conn *c;
	uint32_t dst = IP_B;
	unsigned int i, data, len, round;

	fuzz_state = 7;
	for (round = 0; round < 10; round++) {
		sim_reset(100 + round);
		two_vms();
		sim_spawn(vm_b, accept_one, NULL);
		sim_spawn(vm_a, connect_one, NULL);
		CHECK(sim_run(5 * SEC) == 0);
		CHECK(client_fd >= 0 && accepted_fd >= 0);
		for (i = 0; i < 500; i++) {
			c = find_conn(vm_b, 80);
			if (!c)
				break;		/* reset or closed: fine */
			data = fuzz_rand() % 4 ? 0 : fuzz_rand() % 1200;
			memset(seg, 0, TCP_HLEN);
			th->sport = net_htons(client_port);
			th->dport = net_htons(80);
			th->seq = net_htonl(c->rcv_nxt - 2000 +
					    fuzz_rand() % 12000);
			th->ack = net_htonl(c->snd_una - 100 +
					    fuzz_rand() % 200);
			th->off = 5 << 4;
			th->flags = (uint8_t)(fuzz_rand() & 0x3f);
			th->win = net_htons((uint16_t)fuzz_rand());
			for (len = 0; len < data; len++)
				seg[TCP_HLEN + len] = (uint8_t)fuzz_rand();
			th->csum = net_csum_fold(net_csum_add(net_csum_pseudo(
				net_htonl(IP_A), net_htonl(IP_B),
				IP_PROTO_TCP, (uint16_t)(TCP_HLEN + data)),
				seg, TCP_HLEN + data));
			len = build_ipv4(f, vm_b->mac, IP_A, IP_B,
					 IP_PROTO_TCP, 0, seg, TCP_HLEN + data);
			sim_inject(vm_b, f, len);
			/* Now and then B closes its end meanwhile. */
			if (fuzz_rand() % 128 == 0)
				sim_spawn(vm_b, close_fd, &accepted_fd);
			sim_wait(fuzz_rand() % 2 ? 1 * MSEC : 300 * MSEC);
		}
		sim_spawn(vm_a, ping_thread, &dst);
		CHECK(sim_run(300 * SEC) == 0);
		CHECK(ping_result == 0);
	}
	return 1;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "config: ip=, gw= and other words", test_config },
	{ "checksum: RFC 1071", test_checksum },
	{ "arp: gratuitous ARP at boot", test_gratuitous_arp },
	{ "arp: resolution, cache; icmp: echo", test_arp_and_ping },
	{ "arp: retries, then failure", test_arp_failure },
	{ "ipv4: gateway route, no route", test_routing },
	{ "udp: echo of every size, timeout, no port", test_udp },
	{ "tcp: handshake", test_tcp_handshake },
	{ "tcp: connection refused (RST)", test_tcp_refused },
	{ "tcp: SYN and SYN-ACK retransmitted", test_tcp_syn_retransmit },
	{ "tcp: 1 MiB echoed, 5% loss, reordering, duplicates",
	  test_tcp_lossy_echo },
	{ "tcp: 1 MiB each way at once, 5% loss, reordering",
	  test_tcp_duplex },
	{ "tcp: reordering: out-of-order data kept", test_tcp_reordering },
	{ "tcp: 100 concurrent connections", test_tcp_many },
	{ "tcp: slow reader, zero window", test_tcp_slow_reader },
	{ "tcp: MSS option", test_tcp_mss },
	{ "tcp: buffer sizes, and what they buy", test_tcp_buffers },
	{ "tcp: FIN_WAIT_2, CLOSE_WAIT, LAST_ACK, TIME_WAIT",
	  test_tcp_close_states },
	{ "tcp: simultaneous close (CLOSING)", test_tcp_simultaneous_close },
	{ "tcp: reset on close with unread data", test_tcp_reset },
	{ "tcp: retransmission gives up", test_tcp_give_up },
	{ "tcp: listen backlog", test_tcp_backlog },
	{ "tcp: TIME_WAIT recycled when the table is full",
	  test_tcp_time_wait_reuse },
	{ "tcp: a new SYN ends TIME_WAIT", test_tcp_time_wait_new_syn },
	{ "tcp: SYN flood: no buffers, backlog holds", test_tcp_syn_flood },
	{ "socket API: errors, connected UDP, close wakes", test_api_errors },
	{ "ipv4: fragments dropped and counted", test_fragments_dropped },
	{ "ipv4, udp, tcp: bad checksums dropped", test_bad_checksums },
	{ "robustness: 30000 malformed frames", test_fuzz },
	{ "robustness: 5000 wild segments on connections",
	  test_tcp_segment_fuzz },
	{ "nettest: tcp-client, tcp-server, 1 MiB, 5% loss", test_nettest_tcp },
	{ "nettest: tcp-source, tcp-sink, 1 MiB", test_nettest_sink },
	{ "nettest, udp-echo: udp-client, ping", test_nettest_udp_ping },
	{ "nettest: bad command lines", test_nettest_usage },
	{ "httpd: 100 VMs, each its own document", test_httpd_many },
	{ "httpd: keep-alive, pipelining, HEAD, errors", test_httpd_requests },
	{ "httpd: files from a ustar disk, types, 404", test_httpd_disk },
	{ "kvstore: its log survives restarts and a torn write",
	  test_kvstore },
	{ "kvstore: no read-write disk", test_kvstore_no_disk },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]), failed = 0;
	int ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("1..%u\n", n);
	for (i = 0; i < n; i++) {
		/* Seeded by name: adding a test changes no other's wire. */
		sim_reset(fnv1a(FNV_INIT, (const uint8_t *)tests[i].name,
				strlen(tests[i].name)));
		failure[0] = '\0';
		ok = tests[i].fn() && !failure[0];
		printf("%sok %u %s\n", ok ? "" : "not ", i + 1, tests[i].name);
		if (!ok) {
			printf("# %s\n", failure[0] ? failure : "failed");
			failed++;
		}
	}
	return failed ? 1 : 0;
}
