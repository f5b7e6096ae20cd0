/* SPDX-License-Identifier: MIT */
/*
 * The blocking socket API of <denali/net.h>. Each call runs the protocol
 * code itself in the calling thread and hands the frames it built to
 * the NIC before it returns or blocks; a blocked thread waits on its
 * socket's condition variable, which the stack broadcasts whenever the
 * socket's state changes (and sock_timers() when a timeout expires).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stack.h"
#include "tcp.h"

#define LISTEN_BACKLOG_MAX	128
/* Bytes per tcp_write(): a size_t may not fit the rings' counters. */
#define TCP_CHUNK		(1U << 30)
/* How often net_linger() looks again: a round trip on the LAN or less. */
#define LINGER_POLL_US		1000

void sock_wake(struct net_sock *s)
{
	thread_cond_broadcast(&s->wait);
}

void sock_timers(struct net_stack *ns, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < ns->socks_used; i++)
		if (ns->socks[i].wait_until_ns &&
		    ns->socks[i].wait_until_ns <= now)
			sock_wake(&ns->socks[i]);
}

uint64_t sock_next_timer(struct net_stack *ns)
{
	uint64_t next = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < ns->socks_used; i++)
		if (ns->socks[i].wait_until_ns &&
		    ns->socks[i].wait_until_ns < next)
			next = ns->socks[i].wait_until_ns;
	return next;
}

/* The calling VM's stack, locked, and fd's socket; NULL for a bad fd. */
static struct net_sock *sock_lock(int fd, struct net_stack **nsp)
{
	struct net_stack *ns = net_port_stack();

	*nsp = ns;
	if (!ns)
		return NULL;
	thread_mutex_lock(&ns->lock);
	if (fd < 0 || fd >= NET_SOCKETS_MAX || !ns->socks[fd].type) {
		thread_mutex_unlock(&ns->lock);
		return NULL;
	}
	return &ns->socks[fd];
}

/* Sends what the call built, and unlocks. */
static void sock_unlock(struct net_stack *ns)
{
	eth_flush(ns);
	thread_mutex_unlock(&ns->lock);
}

static uint64_t sock_deadline(const struct net_sock *s)
{
	return s->timeout_ns ? net_port_now_ns() + s->timeout_ns : 0;
}

/*
 * Blocks until the socket's state changes or the deadline (0: none)
 * passes. Returns 0, -ETIMEDOUT, or -EBADF when the socket was closed.
 */
static int sock_wait(struct net_stack *ns, struct net_sock *s,
		     uint64_t deadline)
{
	unsigned int generation = s->generation;

	if (deadline && net_port_now_ns() >= deadline)
		return -ETIMEDOUT;
	eth_flush(ns);
	net_timer_set(ns, &s->wait_until_ns, deadline);
	thread_cond_wait(&s->wait, &ns->lock);
	s->wait_until_ns = 0;
	return s->generation == generation ? 0 : -EBADF;
}

/* A free slot becomes a socket; its generation goes on counting. */
static void sock_init(struct net_stack *ns, struct net_sock *s, int type)
{
	unsigned int generation = s->generation;
	unsigned int fd = (unsigned int)(s - ns->socks);

	memset(s, 0, sizeof(*s));
	s->generation = generation;
	s->type = type;
	s->snd_size = NET_TCP_SNDBUF;
	s->rcv_size = NET_TCP_RCVBUF;
	thread_cond_init(&s->wait);
	if (fd >= ns->socks_used)
		ns->socks_used = fd + 1;
}

static int port_taken(struct net_stack *ns, int type, uint16_t port)
{
	unsigned int i;

	if (type == NET_SOCK_STREAM && tcp_port_in_use(ns, port))
		return 1;
	for (i = 0; i < ns->socks_used; i++)
		if (ns->socks[i].type == type && ns->socks[i].port == port)
			return 1;
	return 0;
}

int net_socket(int type)
{
	struct net_stack *ns = net_port_stack();
	struct udp_datagram *queue = NULL;
	struct net_sock *s = NULL;
	int fd;

	if (!ns)
		return -ENETDOWN;
	if (type != NET_SOCK_STREAM && type != NET_SOCK_DGRAM)
		return -EPROTOTYPE;
	thread_mutex_lock(&ns->lock);
	for (fd = 0; fd < NET_SOCKETS_MAX; fd++) {
		if (!ns->socks[fd].type) {
			s = &ns->socks[fd];
			break;
		}
	}
	if (!s) {
		thread_mutex_unlock(&ns->lock);
		return -EMFILE;
	}
	if (type == NET_SOCK_DGRAM) {
		queue = malloc(NET_UDP_QUEUE * sizeof(*queue));
		if (!queue) {
			thread_mutex_unlock(&ns->lock);
			return -ENOMEM;
		}
	}
	sock_init(ns, s, type);
	s->queue = queue;
	thread_mutex_unlock(&ns->lock);
	return fd;
}

int net_bind(int fd, uint16_t port)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	int ret = 0;

	if (!s)
		return -EBADF;
	if (s->port || s->conn)
		ret = -EINVAL;
	else if (!port && !(port = net_ephemeral_port(ns)))
		ret = -EADDRINUSE;
	else if (port_taken(ns, s->type, port))
		ret = -EADDRINUSE;
	else
		s->port = port;
	sock_unlock(ns);
	return ret;
}

int net_listen(int fd, int backlog)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	int ret;

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_STREAM)
		ret = -EOPNOTSUPP;
	else if (!s->port || s->conn)
		ret = -EINVAL;
	else
		ret = tcp_listen(ns, s, backlog < 1 ? 1 :
				 backlog > LISTEN_BACKLOG_MAX ?
				 LISTEN_BACKLOG_MAX : (unsigned int)backlog);
	sock_unlock(ns);
	return ret;
}

int net_accept(int fd, uint32_t *ip, uint16_t *port)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns), *child = NULL;
	struct tcp_conn *l, *c;
	uint64_t deadline;
	int ret = 0, i;

	if (!s)
		return -EBADF;
	l = s->conn;
	if (s->type != NET_SOCK_STREAM || !l || l->state != TCP_LISTEN) {
		sock_unlock(ns);
		return -EINVAL;
	}
	deadline = sock_deadline(s);
	while (!ret && !l->accept_head)
		ret = sock_wait(ns, s, deadline);
	if (ret) {
		sock_unlock(ns);
		return ret;
	}
	for (i = 0; i < NET_SOCKETS_MAX && !child; i++)
		if (!ns->socks[i].type)
			child = &ns->socks[i];
	if (!child) {
		sock_unlock(ns);
		return -EMFILE;	/* the connection waits for a descriptor */
	}
	sock_init(ns, child, NET_SOCK_STREAM);
	child->port = s->port;
	c = tcp_accept(l, child);
	if (ip)
		*ip = c->remote_ip;
	if (port)
		*port = c->remote_port;
	sock_unlock(ns);
	return (int)(child - ns->socks);
}

int net_connect(int fd, uint32_t ip, uint16_t port)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	struct tcp_conn *c;
	int ret = 0;

	if (!s)
		return -EBADF;
	if (!s->port && !(s->port = net_ephemeral_port(ns)))
		ret = -EADDRINUSE;
	else if (s->type == NET_SOCK_DGRAM) {
		s->peer_ip = ip;
		s->peer_port = port;
	} else if (s->conn) {
		ret = -EISCONN;
	} else if (!(ret = tcp_connect(ns, s, ip, port))) {
		c = s->conn;
		while (!ret && !tcp_connected(c))
			ret = sock_wait(ns, s, 0);
		if (!ret && c->state == TCP_CLOSED) {
			ret = -c->error;
			s->conn = NULL;
			tcp_close(c);
		}
	}
	sock_unlock(ns);
	return ret;
}

static long tcp_send_all(struct net_stack *ns, struct net_sock *s,
			 const uint8_t *buf, size_t len)
{
	struct tcp_conn *c = s->conn;
	size_t done = 0;
	long ret = 0;

	if (!c || !tcp_connected(c))
		return -ENOTCONN;
	while (done < len && !ret) {
		if (c->error)
			ret = -c->error;
		else if (!tcp_can_send(c))
			ret = -EPIPE;
		else
			done += tcp_write(c, buf + done,
					  len - done > TCP_CHUNK ? TCP_CHUNK :
					  (uint32_t)(len - done));
		if (done < len && !ret)
			ret = sock_wait(ns, s, 0);
	}
	return done ? (long)done : ret;
}

long net_send(int fd, const void *buf, size_t len)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	long ret;

	if (!s)
		return -EBADF;
	if (s->type == NET_SOCK_STREAM)
		ret = tcp_send_all(ns, s, buf, len);
	else if (!s->peer_port)
		ret = -ENOTCONN;
	else if (len > UINT16_MAX)
		ret = -EMSGSIZE;
	else if (!(ret = udp_output(ns, s->port, s->peer_ip, s->peer_port,
				    buf, (unsigned int)len)))
		ret = (long)len;
	sock_unlock(ns);
	return ret;
}

static long tcp_recv_some(struct net_stack *ns, struct net_sock *s,
			  uint8_t *buf, size_t len)
{
	struct tcp_conn *c = s->conn;
	uint64_t deadline = sock_deadline(s);
	uint32_t n;
	int ret;

	if (!c || c->state == TCP_LISTEN)
		return -ENOTCONN;
	for (;;) {
		n = tcp_read(c, buf, len > TCP_CHUNK ? TCP_CHUNK :
			     (uint32_t)len);
		if (n || !len)
			return n;
		if (c->error)
			return -c->error;
		if (c->fin_received || c->state == TCP_CLOSED)
			return 0;
		ret = sock_wait(ns, s, deadline);
		if (ret)
			return ret;
	}
}

long net_recv(int fd, void *buf, size_t len)
{
	return net_recvfrom(fd, buf, len, NULL, NULL);
}

long net_sendto(int fd, const void *buf, size_t len, uint32_t ip,
		uint16_t port)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	long ret;

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_DGRAM)
		ret = -EOPNOTSUPP;
	else if (!s->port && !(s->port = net_ephemeral_port(ns)))
		ret = -EADDRINUSE;
	else if (len > UINT16_MAX)
		ret = -EMSGSIZE;
	else
		ret = udp_output(ns, s->port, ip, port, buf,
				 (unsigned int)len);
	sock_unlock(ns);
	return ret ? ret : (long)len;
}

long net_recvfrom(int fd, void *buf, size_t len, uint32_t *ip,
		  uint16_t *port)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	struct udp_datagram *d;
	uint64_t deadline;
	long ret = 0;

	if (!s)
		return -EBADF;
	if (s->type == NET_SOCK_STREAM) {
		ret = tcp_recv_some(ns, s, buf, len);
		sock_unlock(ns);
		return ret;
	}
	deadline = sock_deadline(s);
	while (!ret && !s->queue_len)
		ret = sock_wait(ns, s, deadline);
	if (!ret) {
		d = &s->queue[s->queue_head];
		ret = d->len < len ? d->len : (long)len;
		memcpy(buf, d->data, (size_t)ret);
		if (ip)
			*ip = d->ip;
		if (port)
			*port = d->port;
		s->queue_head = (s->queue_head + 1) % NET_UDP_QUEUE;
		s->queue_len--;
	}
	sock_unlock(ns);
	return ret;
}

int net_shutdown(int fd)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	int ret = 0;

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_STREAM || !s->conn ||
	    !tcp_connected(s->conn))
		ret = -ENOTCONN;
	else
		tcp_shutdown(s->conn);
	sock_unlock(ns);
	return ret;
}

int net_close(int fd)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);

	if (!s)
		return -EBADF;
	if (s->conn)
		tcp_close(s->conn);
	free(s->queue);
	s->queue = NULL;
	s->conn = NULL;
	s->type = 0;
	s->port = 0;
	s->wait_until_ns = 0;
	s->generation++;
	/* Threads blocked on it find it gone (sock_wait() says -EBADF). */
	sock_wake(s);
	sock_unlock(ns);
	return 0;
}

int net_set_buffers(int fd, uint32_t snd, uint32_t rcv)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);
	int ret = 0;

	if (!s)
		return -EBADF;
	if (s->type != NET_SOCK_STREAM)
		ret = -EOPNOTSUPP;
	else if (s->conn)
		ret = -EISCONN;
	else if (snd < NET_TCP_BUF_MIN || snd > NET_TCP_BUF_MAX ||
		 rcv < NET_TCP_BUF_MIN || rcv > NET_TCP_BUF_MAX)
		ret = -EINVAL;
	else {
		s->snd_size = snd;
		s->rcv_size = rcv;
	}
	sock_unlock(ns);
	return ret;
}

int net_set_timeout(int fd, uint32_t msec)
{
	struct net_stack *ns;
	struct net_sock *s = sock_lock(fd, &ns);

	if (!s)
		return -EBADF;
	s->timeout_ns = (uint64_t)msec * NSEC_PER_MSEC;
	sock_unlock(ns);
	return 0;
}

/* Whether a closed connection still owes its peer data or its FIN. */
static int conn_owes(const struct tcp_conn *c)
{
	return !c->sock && (c->state == TCP_FIN_WAIT_1 ||
			    c->state == TCP_CLOSING ||
			    c->state == TCP_LAST_ACK);
}

int net_linger(uint32_t msec)
{
	struct net_stack *ns = net_port_stack();
	uint64_t deadline = net_port_now_ns() + (uint64_t)msec * 1000000;
	const struct tcp_conn *c;
	int owing;

	if (!ns)
		return 0;
	for (;;) {
		thread_mutex_lock(&ns->lock);
		for (c = ns->conns, owing = 0; c && !owing; c = c->next)
			owing = conn_owes(c);
		thread_mutex_unlock(&ns->lock);
		if (!owing)
			return 0;
		if (net_port_now_ns() >= deadline)
			return -ETIMEDOUT;
		thread_sleep(LINGER_POLL_US);
	}
}

void net_get_config(struct net_config *cfg)
{
	struct net_stack *ns = net_port_stack();

	if (ns)
		*cfg = ns->cfg;
	else
		memset(cfg, 0, sizeof(*cfg));
}

void net_get_stats(struct net_stats *stats)
{
	struct net_stack *ns = net_port_stack();

	if (ns)
		*stats = ns->stats;
	else
		memset(stats, 0, sizeof(*stats));
}
