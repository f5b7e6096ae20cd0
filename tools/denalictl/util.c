// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: argument parsing, error text and waiting, free of any
 * netlink.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "denalictl.h"

#define PAGE_BYTES	4096u

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Decimal digits only: no sign, no blanks, no base prefix. */
static int parse_u64(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

/* A count: decimal digits only, 1 to max. */
int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	const char *end;
	uint64_t v;

	if (parse_u64(s, &end, &v) || *end || !v || v > max)
		return -EINVAL;
	*out = (unsigned long)v;
	return 0;
}

/*
 * A memory size: decimal bytes, or with a K, M or G suffix (either case,
 * binary multiples). It must be a page multiple within the limits the
 * uapi header gives.
 */
int parse_size(const char *s, uint32_t *out, const char **why)
{
	const char *end;
	uint64_t v, mult = 1;
	int ret;

	ret = parse_u64(s, &end, &v);
	if (ret == -ERANGE) {
		*why = "too large (at most 3G)";
		return ret;
	}
	if (ret) {
		*why = "expected a number of bytes with an optional K, M or G suffix";
		return ret;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1ull << 10;
		end++;
		break;
	case 'm': case 'M':
		mult = 1ull << 20;
		end++;
		break;
	case 'g': case 'G':
		mult = 1ull << 30;
		end++;
		break;
	default:
		*why = "unknown suffix (use K, M or G)";
		return -EINVAL;
	}
	if (*end) {
		*why = "trailing characters after the suffix";
		return -EINVAL;
	}
	if (v > UINT64_MAX / mult || v * mult > DENALI_MEM_MAX) {
		*why = "too large (at most 3G)";
		return -ERANGE;
	}
	v *= mult;
	if (v < DENALI_MEM_MIN) {
		*why = "too small (at least 64K)";
		return -ERANGE;
	}
	if (v % PAGE_BYTES) {
		*why = "not a multiple of the 4K page size";
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * A VM on the command line: "#N" or all digits is the VM with id N,
 * anything else is a name.
 */
int parse_ref(const char *s, struct dn_ref *ref, const char **why)
{
	const char *num = NULL, *end;
	uint64_t v;
	int ret;

	memset(ref, 0, sizeof(*ref));
	ref->arg = s;
	if (!*s) {
		*why = "empty VM name";
		return -EINVAL;
	}
	if (s[0] == '#')
		num = s + 1;
	else if (all_digits(s))
		num = s;

	if (num) {
		ret = parse_u64(num, &end, &v);
		if (ret || *end || v > UINT32_MAX) {
			*why = "bad VM id (expected #N or N, N a number below 2^32)";
			return -EINVAL;
		}
		ref->by_id = true;
		ref->id = (uint32_t)v;
		return 0;
	}
	if (strlen(s) >= DENALI_NAME_MAX) {
		*why = "VM name too long (at most 31 bytes)";
		return -EINVAL;
	}
	ref->name = s;
	return 0;
}

/*
 * Names we give new VMs: 1 to 31 printable bytes, no blanks, and not a
 * form that parse_ref() reads as an id, so every VM stays addressable.
 */
int check_vm_name(const char *name, const char **why)
{
	const unsigned char *p;

	if (!*name) {
		*why = "empty name";
		return -EINVAL;
	}
	if (strlen(name) >= DENALI_NAME_MAX) {
		*why = "name too long (at most 31 bytes)";
		return -EINVAL;
	}
	if (name[0] == '#' || all_digits(name)) {
		*why = "a name must not start with '#' or be all digits (those mean ids)";
		return -EINVAL;
	}
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p <= ' ' || *p == 0x7f) {
			*why = "a name must not contain blanks or control characters";
			return -EINVAL;
		}
	}
	return 0;
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* 4194304 -> "4M", 65536 -> "64K", 5000 -> "5000". */
void fmt_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && !(bytes % (1ull << 30)))
		snprintf(buf, len, "%" PRIu64 "G", bytes >> 30);
	else if (bytes && !(bytes % (1ull << 20)))
		snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
	else if (bytes && !(bytes % (1ull << 10)))
		snprintf(buf, len, "%" PRIu64 "K", bytes >> 10);
	else
		snprintf(buf, len, "%" PRIu64, bytes);
}

void fmt_mib(uint64_t bytes, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sig_fd = -1;
static bool caught;

int catch_signals(void)
{
	sigset_t set;

	/* Once per process: a batch (-b) may wait many times. */
	if (sig_fd >= 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	return sig_fd < 0 ? -errno : 0;
}

bool signal_caught(void)
{
	return caught;
}

int poll_signals(struct pollfd *fds, unsigned int n, int timeout_ms)
{
	struct pollfd pfd[8];
	unsigned int i;
	int r;

	if (caught)
		return 0;
	if (n >= ARRAY_SIZE(pfd))
		return -EINVAL;
	memcpy(pfd, fds, n * sizeof(*fds));
	pfd[n] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
	do {
		r = poll(pfd, n + 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (pfd[n].revents) {
		caught = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		fds[i].revents = pfd[i].revents;
	return r;
}

int wait_readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = poll_signals(&pfd, 1, timeout_ms);

	return r > 0 ? 1 : r;
}

int parse_mac(const char *s, uint8_t mac[6], const char **why)
{
	const char *p = s;
	int i;

	for (i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    p[2] != (i < 5 ? ':' : '\0')) {
			*why = "expected six hex bytes separated by colons, like 02:00:00:00:00:01";
			return -EINVAL;
		}
		mac[i] = (uint8_t)strtoul((char[]){ p[0], p[1], '\0' }, NULL, 16);
		p += 3;
	}
	if (mac[0] & 1) {
		*why = "a multicast address (the first byte is odd); a NIC needs a unicast one";
		return -EINVAL;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		*why = "all zero";
		return -EINVAL;
	}
	return 0;
}

int parse_ipv4_addr(const char *s, uint32_t *addr, const char **why)
{
	char buf[INET_ADDRSTRLEN];
	size_t n = strcspn(s, "/");
	struct in_addr in;
	uint32_t host;

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &in) != 1)
		goto bad;
	/* The kernel's rule for an address a VM owns. */
	host = ntohl(in.s_addr);
	if (host == INADDR_BROADCAST || IN_MULTICAST(host) ||
	    host >> 24 == IN_LOOPBACKNET || !(host >> 24)) {
		*why = "not a unicast host address";
		return -EINVAL;
	}
	*addr = in.s_addr;
	return 0;
bad:
	*why = "not a dotted IPv4 address";
	return -EINVAL;
}

int check_ipv4(const char *s, bool with_len, const char **why)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	size_t n;

	if (with_len != !!slash) {
		*why = with_len ? "expected ADDRESS/LENGTH, like 10.0.0.5/24" :
				  "expected an address, like 10.0.0.1";
		return -EINVAL;
	}
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(addr)) {
		*why = "not a dotted IPv4 address";
		return -EINVAL;
	}
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, &in) != 1) {
		*why = "not a dotted IPv4 address";
		return -EINVAL;
	}
	if (slash) {
		const char *len = slash + 1;
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*len)) {
			*why = "the prefix length is not a number";
			return -EINVAL;
		}
		errno = 0;
		v = strtoul(len, &end, 10);
		if (*end || errno || v > 32 || (len[0] == '0' && len[1])) {
			*why = "the prefix length must be 0 to 32";
			return -EINVAL;
		}
	}
	return 0;
}
