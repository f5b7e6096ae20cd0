// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: a VM's console, read from (and, with --send or
 * --interactive, written to) the file descriptor that /dev/denali hands
 * out for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "denalictl.h"

#define DENALI_DEV	"/dev/denali"

static const struct option console_opts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "send", required_argument, NULL, 's' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int open_console(const struct dn_vm *vm, const char *arg)
{
	/* Non-blocking, so that a signal is only taken while we wait. */
	struct denali_console_open req = {
		.vm_id = vm->id,
		.flags = O_NONBLOCK | O_CLOEXEC,
	};
	int dev, fd;

	dev = open(DENALI_DEV, O_RDONLY | O_CLOEXEC);
	if (dev < 0) {
		err_msg("cannot open " DENALI_DEV ": %s", strerror(errno));
		return -1;
	}
	fd = ioctl(dev, DENALI_IOCTL_CONSOLE_OPEN, &req);
	if (fd < 0) {
		/* The same texts as for the netlink requests. */
		if (errno == ENOENT)
			err_msg("no such VM: %s", arg);
		else if (errno == EPERM || errno == EACCES)
			err_msg("operation not permitted (needs CAP_NET_ADMIN)");
		else
			err_msg("cannot open the console of %s: %s", vm->name,
				strerror(errno));
	}
	close(dev);
	return fd;
}

/*
 * Queues text and a newline as the VM's console input, in one write so
 * the guest gets one interrupt; the kernel queues at most 4 KiB.
 */
static int send_input(int fd, const struct dn_vm *vm, const char *text)
{
	size_t len = strlen(text);
	char *line = malloc(len + 1);
	ssize_t n;

	if (!line) {
		err_msg("out of memory");
		return EXIT_ERR;
	}
	memcpy(line, text, len);
	line[len] = '\n';
	do {
		n = write(fd, line, len + 1);
	} while (n < 0 && errno == EINTR);
	free(line);
	if (n < 0) {
		err_msg("cannot send to the console of %s: %s", vm->name,
			errno == EAGAIN ? "its input is full" :
			errno == EPIPE ? "it has ended" : strerror(errno));
		return EXIT_ERR;
	}
	if ((size_t)n != len + 1) {
		err_msg("the console input of %s took %zd of %zu bytes",
			vm->name, n, len + 1);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* Ctrl-], as virsh and telnet: detaches an interactive console. */
#define ESCAPE_CHAR	0x1d

/* The terminal as it was before raw mode; restored on every way out. */
static struct termios saved_tty;
static bool tty_raw;

/*
 * Raw mode, but Enter still sends a newline (ICRNL) and a newline still
 * starts a line (OPOST, ONLCR): guests read and write lines that end in
 * '\n'. Everything else, Ctrl-C included, goes to the guest.
 */
static int tty_make_raw(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return -errno;
	raw = saved_tty;
	cfmakeraw(&raw);
	raw.c_iflag |= ICRNL;
	raw.c_oflag |= OPOST | ONLCR;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0)
		return -errno;
	tty_raw = true;
	return 0;
}

static void tty_restore(void)
{
	if (tty_raw && tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty) == 0)
		tty_raw = false;
}

/*
 * Copies the terminal to the console and the console to the terminal
 * until the escape character, the end of the VM, or SIGHUP, SIGINT or
 * SIGTERM. Input that does not fit in the VM's queue yet waits here,
 * and the terminal is not read meanwhile.
 */
static int interactive(int fd, const struct dn_vm *vm)
{
	char in[4096], out[4096];
	size_t in_len = 0, in_off = 0;
	bool input_open = true, output_open = true, detach = false;
	int ret, status = EXIT_OK;

	ret = catch_signals();
	if (ret) {
		err_msg("cannot catch signals: %s", strerror(-ret));
		return EXIT_ERR;
	}
	ret = tty_make_raw();
	if (ret) {
		err_msg("cannot put the terminal in raw mode: %s",
			strerror(-ret));
		return EXIT_ERR;
	}
	fprintf(stderr, "Connected to %s (id %" PRIu32 "); escape character is ^]\r\n",
		vm->name, vm->id);
	while (output_open && !signal_caught()) {
		struct pollfd pfd[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = STDIN_FILENO, .events = 0 },
		};
		ssize_t n;

		if (in_off < in_len)
			pfd[0].events |= POLLOUT;
		else if (input_open)
			pfd[1].events = POLLIN;
		else
			pfd[1].fd = -1;
		ret = poll_signals(pfd, 2, -1);
		if (ret < 0) {
			err_msg("cannot wait for the console of %s: %s",
				vm->name, strerror(-ret));
			status = EXIT_ERR;
			break;
		}
		ret = 0;
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, out, sizeof(out));
			if (n > 0) {
				ret = write_all(STDOUT_FILENO, out, n);
			} else if (n == 0) {
				output_open = false;	/* the VM has ended */
			} else if (errno != EAGAIN && errno != EINTR) {
				ret = -errno;
				output_open = false;
			}
			if (ret) {
				err_msg("console of %s: %s", vm->name,
					strerror(-ret));
				status = EXIT_ERR;
				break;
			}
		}
		if (pfd[1].revents && in_off == in_len) {
			char *esc;

			n = read(STDIN_FILENO, in, sizeof(in));
			if (n <= 0) {
				/* The end of input, not of the session. */
				input_open = n < 0 && (errno == EAGAIN ||
						       errno == EINTR);
				continue;
			}
			in_off = 0;
			in_len = n;
			esc = memchr(in, ESCAPE_CHAR, in_len);
			if (esc) {
				in_len = esc - in;
				input_open = false;
				detach = true;
			}
		}
		if (in_off < in_len) {
			n = write(fd, in + in_off, in_len - in_off);
			if (n >= 0) {
				in_off += n;
			} else if (errno == EPIPE) {
				in_off = in_len;	/* ended: output says so */
			} else if (errno != EAGAIN && errno != EINTR) {
				err_msg("cannot send to the console of %s: %s",
					vm->name, strerror(errno));
				status = EXIT_ERR;
				break;
			}
		}
		/* Detached once what came before the escape is queued. */
		if (detach && in_off == in_len)
			break;
	}
	tty_restore();
	if (!output_open && !status)
		fprintf(stderr, "\n%s has ended\n", vm->name);
	return status;
}

/*
 * Copies the console to stdout: the history first, then new output.
 * Without follow it stops when nothing more is queued; with follow at
 * the end of the VM (EOF) or at SIGINT or SIGTERM. With send it only
 * queues input.
 */
int cmd_console(int argc, char **argv)
{
	const char *why, *send = NULL;
	bool follow = false, inter = false;
	struct dn_nl *nl;
	struct dn_ref ref;
	struct dn_vm vm;
	char buf[4096];
	int c, fd, ret, status;

	while ((c = cmd_getopt("console", argc, argv, ":fis:h", console_opts,
			       &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 's')
			send = optarg;
		else if (c == 'i')
			inter = true;
		else
			follow = true;
	}
	if (!!send + follow + inter > 1)
		return usage_error("console", "--send, --follow and --interactive exclude each other");
	if (optind >= argc)
		return usage_error("console", "missing VM argument");
	if (optind + 1 < argc)
		return usage_error("console", "unexpected argument '%s'",
				   argv[optind + 1]);
	if (parse_ref(argv[optind], &ref, &why))
		return usage_error("console", "%s: '%s'", why, argv[optind]);

	/* The ioctl takes an id: resolve names, and check ids, first. */
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	status = find_vm(nl, &ref, &vm);
	dn_nl_close(nl);
	if (status)
		return status;
	fd = open_console(&vm, ref.arg);
	if (fd < 0)
		return EXIT_ERR;
	if (send || inter) {
		status = send ? send_input(fd, &vm, send) : interactive(fd, &vm);
		close(fd);
		return status;
	}
	status = EXIT_OK;
	if (follow) {
		ret = catch_signals();
		if (ret) {
			err_msg("cannot catch signals: %s", strerror(-ret));
			status = EXIT_ERR;
		}
	}
	while (!status && !signal_caught()) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n > 0) {
			ret = write_all(STDOUT_FILENO, buf, n);
			if (ret) {
				err_msg("cannot write the console out: %s",
					strerror(-ret));
				status = EXIT_ERR;
				break;
			}
			continue;
		}
		if (n == 0)
			break;		/* the VM has ended */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			err_msg("cannot read the console of %s: %s", vm.name,
				strerror(errno));
			status = EXIT_ERR;
			break;
		}
		if (!follow)
			break;
		ret = wait_readable(fd, -1);
		if (ret < 0) {
			err_msg("cannot wait for the console of %s: %s",
				vm.name, strerror(-ret));
			status = EXIT_ERR;
			break;
		}
	}
	close(fd);
	return status;
}
