// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: a VM's console, read from (and, with --send, written to)
 * the file descriptor that /dev/denali hands out for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denalictl.h"

#define DENALI_DEV	"/dev/denali"

static const struct option console_opts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "send", required_argument, NULL, 's' },
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

/*
 * Copies the console to stdout: the history first, then new output.
 * Without follow it stops when nothing more is queued; with follow at
 * the end of the VM (EOF) or at SIGINT or SIGTERM. With send it only
 * queues input.
 */
int cmd_console(int argc, char **argv)
{
	const char *why, *send = NULL;
	bool follow = false;
	struct dn_nl *nl;
	struct dn_ref ref;
	struct dn_vm vm;
	char buf[4096];
	int c, fd, ret, status;

	while ((c = cmd_getopt("console", argc, argv, ":fs:h", console_opts,
			       &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 's')
			send = optarg;
		else
			follow = true;
	}
	if (send && follow)
		return usage_error("console", "--send and --follow exclude each other");
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
	if (send) {
		status = send_input(fd, &vm, send);
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
