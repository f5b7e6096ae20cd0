// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: the commands that manage VMs through the denali family.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denalictl.h"

static const struct option help_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * The options and the one VM argument of run, stop, destroy, swap, show
 * and stats; json NULL means -j is not an option. given NULL means the VM
 * is required; else *given says whether there was one. Returns true when
 * the command goes on, false when it must return *status.
 */
static bool parse_vm_args(const char *cmd, int argc, char **argv, bool *json,
			  struct dn_ref *ref, bool *given, int *status)
{
	const char *why;
	int c;

	while ((c = cmd_getopt(cmd, argc, argv, json ? ":jh" : ":h",
			       json ? json_opts : help_opts, status)) != -1) {
		if (c == -2)
			return false;
		if (c == 'j')
			*json = true;
	}
	if (given)
		*given = optind < argc;
	if (optind >= argc) {
		if (given)
			return true;
		*status = usage_error(cmd, "missing VM argument");
		return false;
	}
	if (optind + 1 < argc) {
		*status = usage_error(cmd, "unexpected argument '%s'",
				      argv[optind + 1]);
		return false;
	}
	if (parse_ref(argv[optind], ref, &why)) {
		*status = usage_error(cmd, "%s: '%s'", why, argv[optind]);
		return false;
	}
	return true;
}

int find_vm(struct dn_nl *nl, const struct dn_ref *ref, struct dn_vm *vm)
{
	int ret = dn_vm_get(nl, ref, vm);

	if (ret)
		return report_nl_error(nl, ret, ref->arg, NULL);
	if (!(vm->has & DN_HAS_ID) || !(vm->has & DN_HAS_NAME)) {
		err_msg("the kernel did not report the id and name of %s",
			ref->arg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static const struct option create_opts[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "mem", required_argument, NULL, 'm' },
	{ "cmdline", required_argument, NULL, 'c' },
	/* Long only: no letters in the short option string. */
	{ "mac", required_argument, NULL, 'A' },
	{ "ip", required_argument, NULL, 'I' },
	{ "gw", required_argument, NULL, 'G' },
	{ "trust", no_argument, NULL, 'T' },
	{ "count", required_argument, NULL, 'C' },
	{ "disk", required_argument, NULL, 'D' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The most VMs one start or create --count makes. */
#define CREATE_COUNT_MAX	100000

/* Opens the image for the kernel to read, as a file descriptor. */
static int open_image(const char *path)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot read image %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_msg("cannot read image %s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Appends " KEYVALUE" (no blank when buf is empty); -1 when it won't fit. */
static int append_word(char *buf, size_t size, const char *key,
		       const char *value)
{
	size_t len = strlen(buf);
	int n;

	n = snprintf(buf + len, size - len, "%s%s%s", len ? " " : "", key,
		     value);
	return n < 0 || (size_t)n >= size - len ? -1 : 0;
}

/*
 * A VM just started, and whether the gatekeeper left it waiting for
 * memory: with json, the keys mem_needed and gate_free then follow id
 * and name.
 */
static int report_start(struct dn_nl *nl, const struct dn_vm *vm, bool json,
			const char *sep)
{
	struct dn_ref ref = { .by_id = true, .id = vm->id, .arg = vm->name };
	char need[32], room[32];
	struct dn_vm now;
	bool waits;

	/* Gone or admitted meanwhile: it does not wait. */
	waits = !dn_vm_get(nl, &ref, &now) && now.state == DENALI_VM_WAITING &&
		(now.has & DN_HAS_WAIT);
	if (json) {
		fputs(sep, stdout);
		fprintf(stdout, "{\"id\": %" PRIu32 ", \"name\": ", vm->id);
		json_string(stdout, vm->name);
		if (waits)
			json_wait(stdout, &now);
		fputc('}', stdout);
		return EXIT_OK;
	}
	printf("started %s (id %" PRIu32 ")\n", vm->name, vm->id);
	if (waits) {
		fmt_mib(now.mem_needed, need, sizeof(need));
		fmt_mib(now.gate_free, room, sizeof(room));
		printf("vm %s waits for memory: needs %s, %s free above the watermark\n",
		       vm->name, need, room);
	}
	return EXIT_OK;
}

/*
 * Creates one VM, and for start starts it, destroying it again when that
 * fails. Reports any failure; returns the exit status. With json the
 * line printed is {"id": N, "name": NAME}, after sep.
 */
static int create_one(struct dn_nl *nl, const struct dn_create_args *args,
		      bool start, bool json, const char *sep)
{
	struct dn_vm vm;
	int ret, status;

	ret = dn_vm_create(nl, args, &vm);
	if (ret)
		return report_nl_error(nl, ret, NULL, args->name);
	if (start) {
		ret = dn_vm_cmd(nl, DENALI_CMD_VM_START, vm.id);
		if (ret) {
			status = report_nl_error(nl, ret, NULL, NULL);
			/* Leave no VM behind that the operator did not get. */
			if (dn_vm_cmd(nl, DENALI_CMD_VM_DESTROY, vm.id))
				err_msg("could not destroy %s (id %" PRIu32 ") again",
					vm.name, vm.id);
			return status;
		}
	}
	if (start)
		return report_start(nl, &vm, json, sep);
	if (json) {
		fputs(sep, stdout);
		json_vm_ref(stdout, &vm);
	} else {
		printf("created %s (id %" PRIu32 ")\n", vm.name, vm.id);
	}
	return EXIT_OK;
}

/*
 * create, and start: create then start, destroying it again on failure.
 * With --count N, N VMs one after another, stopping at the first failure.
 */
static int create_vm(const char *cmd, int argc, char **argv, bool start)
{
	struct dn_create_args args = { 0 };
	const char *ip = NULL, *gw = NULL, *prefix;
	char cmdline[DENALI_CMDLINE_MAX];
	/* Room for a prefix that is too long with its number, to check. */
	char name[DENALI_NAME_MAX + 8];
	unsigned long i, count = 0;	/* 0: no --count */
	const char *disks[ARRAY_SIZE(args.disks)];
	bool json = false;
	uint8_t mac[6];
	const char *why;
	struct dn_nl *nl;
	int c, status;

	while ((c = cmd_getopt(cmd, argc, argv, ":n:m:c:jh", create_opts,
			       &status)) != -1) {
		switch (c) {
		case -2:
			return status;
		case 'n':
			if (check_vm_name(optarg, &why))
				return usage_error(cmd, "bad name '%s': %s",
						   optarg, why);
			args.name = optarg;
			break;
		case 'm':
			if (parse_size(optarg, &args.mem_size, &why))
				return usage_error(cmd, "bad memory size '%s': %s",
						   optarg, why);
			break;
		case 'c':
			if (strlen(optarg) >= DENALI_CMDLINE_MAX)
				return usage_error(cmd, "command line too long (at most %d bytes)",
						   DENALI_CMDLINE_MAX - 1);
			args.cmdline = optarg;
			break;
		case 'A':
			if (parse_mac(optarg, mac, &why))
				return usage_error(cmd, "bad MAC address '%s': %s",
						   optarg, why);
			args.mac = mac;
			break;
		case 'I':
			if (check_ipv4(optarg, true, &why) ||
			    parse_ipv4_addr(optarg, &args.ipv4, &why))
				return usage_error(cmd, "bad --ip '%s': %s",
						   optarg, why);
			ip = optarg;
			break;
		case 'T':
			args.trusted = true;
			break;
		case 'G':
			if (check_ipv4(optarg, false, &why))
				return usage_error(cmd, "bad --gw '%s': %s",
						   optarg, why);
			gw = optarg;
			break;
		case 'C':
			if (parse_count(optarg, CREATE_COUNT_MAX, &count))
				return usage_error(cmd, "bad count '%s' (expected 1 to %d)",
						   optarg, CREATE_COUNT_MAX);
			break;
		case 'D':
			if (args.nr_disks == ARRAY_SIZE(disks))
				return usage_error(cmd, "too many --disk (at most %zu)",
						   ARRAY_SIZE(disks));
			disks[args.nr_disks++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		}
	}
	/* The kernel refuses a MAC that another VM has. */
	if (count > 1 && args.mac)
		return usage_error(cmd, "--mac gives one VM's MAC: not with --count above 1");
	/* With --count, --name is the prefix of PREFIX1 .. PREFIXN. */
	prefix = count ? args.name : NULL;
	if (prefix) {
		snprintf(name, sizeof(name), "%s%lu", prefix, count);
		if (check_vm_name(name, &why))
			return usage_error(cmd, "bad name '%s' (the last of --count %lu): %s",
					   name, count, why);
	}
	/* The guest's network stack reads ip= and gw= from its command line. */
	if (ip || gw) {
		snprintf(cmdline, sizeof(cmdline), "%s",
			 args.cmdline ? args.cmdline : "");
		if ((ip && append_word(cmdline, sizeof(cmdline), "ip=", ip)) ||
		    (gw && append_word(cmdline, sizeof(cmdline), "gw=", gw)))
			return usage_error(cmd, "command line with --ip and --gw too long (at most %d bytes)",
					   DENALI_CMDLINE_MAX - 1);
		args.cmdline = cmdline;
	}
	if (optind >= argc)
		return usage_error(cmd, "missing IMAGE argument");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'",
				   argv[optind + 1]);

	args.image_fd = open_image(argv[optind]);
	if (args.image_fd < 0)
		return EXIT_ERR;
	nl = dn_nl_open();
	if (!nl) {
		close(args.image_fd);
		return EXIT_ERR;
	}
	status = EXIT_OK;
	for (i = 0; i < args.nr_disks; i++)
		args.disks[i].cow_fd = -1;
	for (i = 0; i < args.nr_disks && !status; i++)
		status = parse_disk_arg(nl, cmd, disks[i], &args.disks[i]);
	/*
	 * The kernel takes its own reference to the file while it reads, so
	 * the one descriptor serves every create; it closes after the last.
	 */
	/* With --count, JSON is an array: whole even after a failure. */
	if (json && count && !status)
		fputc('[', stdout);
	for (i = 1; i <= (count ? count : 1) && !status; i++) {
		if (prefix) {
			snprintf(name, sizeof(name), "%s%lu", prefix, i);
			args.name = name;
		}
		status = create_one(nl, &args, start, json,
				    i > 1 ? ",\n " : "");
	}
	if (json && count && i > 1)
		fputs("]\n", stdout);
	else if (json && !status)
		fputc('\n', stdout);
	for (i = 0; i < args.nr_disks; i++)
		if (args.disks[i].cow_fd >= 0)
			close(args.disks[i].cow_fd);
	close(args.image_fd);
	dn_nl_close(nl);
	return status;
}

int cmd_start(int argc, char **argv)
{
	return create_vm("start", argc, argv, true);
}

int cmd_create(int argc, char **argv)
{
	return create_vm("create", argc, argv, false);
}

/*
 * run, stop, destroy, swap: one request for one VM, then one line, or
 * with -j the object {"id": N, "name": NAME}.
 */
static int vm_action(const char *cmd, int argc, char **argv, uint8_t nl_cmd,
		     const char *done)
{
	bool json = false;
	struct dn_nl *nl;
	struct dn_ref ref;
	struct dn_vm vm;
	int ret, status;

	if (!parse_vm_args(cmd, argc, argv, &json, &ref, NULL, &status))
		return status;
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	/* Resolve a name first: the line printed names both. */
	status = find_vm(nl, &ref, &vm);
	if (status)
		goto out;
	ret = dn_vm_cmd(nl, nl_cmd, vm.id);
	if (ret) {
		status = report_nl_error(nl, ret, ref.arg, NULL);
		goto out;
	}
	if (json) {
		json_vm_ref(stdout, &vm);
		fputc('\n', stdout);
	} else {
		printf("%s %s (id %" PRIu32 ")\n", done, vm.name, vm.id);
	}
out:
	dn_nl_close(nl);
	return status;
}

int cmd_run(int argc, char **argv)
{
	return vm_action("run", argc, argv, DENALI_CMD_VM_START, "started");
}

int cmd_stop(int argc, char **argv)
{
	return vm_action("stop", argc, argv, DENALI_CMD_VM_STOP, "stopped");
}

int cmd_destroy(int argc, char **argv)
{
	return vm_action("destroy", argc, argv, DENALI_CMD_VM_DESTROY,
			 "destroyed");
}

struct vm_list {
	struct dn_vm *vms;
	size_t n, cap;
};

static int collect_vm(const struct dn_vm *vm, void *arg)
{
	struct vm_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct dn_vm *v = realloc(l->vms, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->vms = v;
		l->cap = cap;
	}
	l->vms[l->n++] = *vm;
	return 0;
}

/* Every idle resident VM, over one socket: thousands take a second. */
static int swap_idle(bool json)
{
	struct vm_list l = { 0 };
	size_t i, swapped = 0;
	struct dn_nl *nl;
	int ret, status;

	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	ret = dn_vm_dump(nl, collect_vm, &l);
	if (ret) {
		status = report_nl_error(nl, ret, NULL, NULL);
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		const struct dn_vm *vm = &l.vms[i];

		if (vm->state != DENALI_VM_IDLE ||
		    !(vm->has & DN_HAS_RESIDENT) || !vm->resident)
			continue;
		ret = dn_vm_cmd(nl, DENALI_CMD_VM_SWAP_OUT, vm->id);
		/* Woken or gone since the dump: not idle any more. */
		if (ret == -EBUSY || ret == -ENOENT)
			continue;
		if (ret) {
			status = report_nl_error(nl, ret, vm->name, NULL);
			goto out;
		}
		swapped++;
	}
	if (json)
		printf("{\"swapped\": %zu}\n", swapped);
	else
		printf("swapped out %zu idle VMs\n", swapped);
	status = EXIT_OK;
out:
	free(l.vms);
	dn_nl_close(nl);
	return status;
}

static const struct option swap_opts[] = {
	{ "idle", no_argument, NULL, 'i' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int cmd_swap(int argc, char **argv)
{
	bool json = false;
	int i, status;

	/* --idle takes no VM; without it, swap is one VM's action. */
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--idle") || !strcmp(argv[i], "-i"))
			break;
	if (i == argc)
		return vm_action("swap", argc, argv, DENALI_CMD_VM_SWAP_OUT,
				 "swapped out");
	while ((i = cmd_getopt("swap", argc, argv, ":ijh", swap_opts,
			       &status)) != -1) {
		if (i == -2)
			return status;
		if (i == 'j')
			json = true;
	}
	if (optind < argc)
		return usage_error("swap", "--idle takes no VM: '%s'",
				   argv[optind]);
	return swap_idle(json);
}

static void print_table(const struct vm_list *l)
{
	int name_w = 4, state_w = 5;
	char state[DENALI_REASON_MAX + 32];
	char mem[24];
	size_t i;

	for (i = 0; i < l->n; i++) {
		int w = (int)strlen(l->vms[i].name);

		if (w > name_w)
			name_w = w;
		vm_describe_state(&l->vms[i], state, sizeof(state));
		w = (int)strlen(state);
		if (w > state_w)
			state_w = w;
	}
	printf("%-5s %-*s %-*s %6s %-7s %10s %10s %10s\n", "ID", name_w,
	       "NAME", state_w, "STATE", "MEM", "BACKEND", "CPU_MS", "EXITS",
	       "CONSOLE");
	for (i = 0; i < l->n; i++) {
		const struct dn_vm *vm = &l->vms[i];

		vm_describe_state(vm, state, sizeof(state));
		if (vm->has & DN_HAS_MEM)
			fmt_size(vm->mem_size, mem, sizeof(mem));
		else
			snprintf(mem, sizeof(mem), "-");
		printf("%-5" PRIu32 " %-*s %-*s %6s %-7s %10" PRIu64 " %10" PRIu64
		       " %10" PRIu64 "\n", vm->id, name_w, vm->name, state_w,
		       state, mem, vm->backend[0] ? vm->backend : "-",
		       vm->stats[DENALI_STAT_CPU_NS] / 1000000,
		       vm->stats[DENALI_STAT_EXITS],
		       vm->stats[DENALI_STAT_CONSOLE_BYTES]);
	}
}

int cmd_list(int argc, char **argv)
{
	struct vm_list l = { 0 };
	bool json = false;
	struct dn_nl *nl;
	int c, ret, status;
	size_t i;

	while ((c = cmd_getopt("list", argc, argv, ":jh", json_opts,
			       &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 'j')
			json = true;
	}
	if (optind < argc)
		return usage_error("list", "unexpected argument '%s'",
				   argv[optind]);
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	ret = dn_vm_dump(nl, collect_vm, &l);
	if (ret) {
		status = report_nl_error(nl, ret, NULL, NULL);
		goto out;
	}
	if (json) {
		fputc('[', stdout);
		for (i = 0; i < l.n; i++) {
			fputs(i ? ",\n " : "", stdout);
			json_vm(stdout, &l.vms[i]);
		}
		fputs("]\n", stdout);
	} else {
		print_table(&l);
	}
	status = EXIT_OK;
out:
	free(l.vms);
	dn_nl_close(nl);
	return status;
}

/*
 * Fetches the VM named on the command line of show and stats; with given,
 * as in parse_vm_args(), fetches nothing when none was named.
 */
static int get_one(const char *cmd, int argc, char **argv, bool *json,
		   bool *given, struct dn_vm *vm)
{
	struct dn_nl *nl;
	struct dn_ref ref;
	int status;

	if (!parse_vm_args(cmd, argc, argv, json, &ref, given, &status))
		return status;
	if (given && !*given)
		return EXIT_OK;
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	status = find_vm(nl, &ref, vm);
	dn_nl_close(nl);
	return status;
}

static void print_stat_line(const char *name, uint64_t value, void *arg)
{
	const char *fmt = arg;

	printf(fmt, name, value);
}

int cmd_show(int argc, char **argv)
{
	char buf[DENALI_REASON_MAX + 32];
	bool json = false;
	struct dn_vm vm;
	int status;

	status = get_one("show", argc, argv, &json, NULL, &vm);
	if (status)
		return status;
	if (json) {
		json_vm(stdout, &vm);
		fputc('\n', stdout);
		return EXIT_OK;
	}
	printf("%-14s %" PRIu32 "\n", "id:", vm.id);
	printf("%-14s %s\n", "name:", vm.name);
	vm_describe_state(&vm, buf, sizeof(buf));
	printf("%-14s %s\n", "state:", buf);
	if (vm.has & DN_HAS_MEM) {
		fmt_size(vm.mem_size, buf, sizeof(buf));
		printf("%-14s %" PRIu32 " (%s)\n", "mem_size:", vm.mem_size, buf);
	}
	if (vm.has & DN_HAS_BACKEND)
		printf("%-14s %s\n", "backend:", vm.backend);
	if (vm.has & DN_HAS_MAC) {
		vm_format_mac(&vm, buf, sizeof(buf));
		printf("%-14s %s\n", "mac:", buf);
	}
	if (vm.has & DN_HAS_IPV4) {
		inet_ntop(AF_INET, &vm.ipv4, buf, sizeof(buf));
		printf("%-14s %s%s\n", "ipv4:", buf,
		       vm.trusted ? " (trusted: may route)" : "");
	}
	if (vm.has & DN_HAS_RESIDENT)
		printf("%-14s %s\n", "resident:", vm.resident ? "yes" : "no");
	if (vm.has & DN_HAS_STATS)
		vm_stats_walk(&vm, print_stat_line,
			      (void *)"%-14s %" PRIu64 "\n");
	return EXIT_OK;
}

/* stats without a VM: the host-wide counters. */
static int host_stats(bool json)
{
	struct dn_host host;
	struct dn_nl *nl;
	int ret, status;

	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	ret = dn_host_get(nl, &host);
	status = ret ? report_nl_error(nl, ret, NULL, NULL) : EXIT_OK;
	dn_nl_close(nl);
	if (status)
		return status;
	if (!(host.has & DN_HAS_STATS)) {
		err_msg("the kernel reported no host counters");
		return EXIT_ERR;
	}
	if (json) {
		json_host(stdout, &host);
		fputc('\n', stdout);
		return EXIT_OK;
	}
	if (host.has & DN_HAS_BACKEND)
		printf("backend %s\n", host.backend);
	host_stats_walk(&host, print_stat_line, (void *)"%s %" PRIu64 "\n");
	return EXIT_OK;
}

int cmd_stats(int argc, char **argv)
{
	bool json = false, given;
	struct dn_vm vm;
	int status;

	status = get_one("stats", argc, argv, &json, &given, &vm);
	if (status)
		return status;
	if (!given)
		return host_stats(json);
	if (!(vm.has & DN_HAS_STATS)) {
		err_msg("the kernel reported no counters for %s", vm.name);
		return EXIT_ERR;
	}
	if (json) {
		json_stats(stdout, &vm);
		fputc('\n', stdout);
	} else {
		vm_stats_walk(&vm, print_stat_line,
			      (void *)"%s %" PRIu64 "\n");
	}
	return EXIT_OK;
}

static const struct option wait_opts[] = {
	{ "timeout", required_argument, NULL, 't' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * wait's exit status tells how the VM ended, as a shell tells how a
 * process did: a guest's exit code as is (the low 8 bits, as exit(3)
 * keeps them), a VM the kernel stopped as a process killed by SIGSEGV, one
 * the operator stopped as a container 'docker stop' stopped (SIGTERM).
 * Its own time-out and failures take timeout(1)'s codes.
 */
static int wait_status(const struct dn_vm *vm)
{
	switch (vm->state) {
	case DENALI_VM_EXITED:
		return vm->has & DN_HAS_EXIT ? vm->exit_code & 0xff :
		       EXIT_WAIT_FAILED;
	case DENALI_VM_CRASHED:
		return EXIT_WAIT_CRASHED;
	default:
		return EXIT_WAIT_STOPPED;
	}
}

/*
 * Asks for the VM's state again after each of its events, and every
 * second anyway: events are lost when the socket's buffer overflows.
 */
int cmd_wait(int argc, char **argv)
{
	char buf[DENALI_REASON_MAX + 32];
	struct dn_nl *nl, *ev;
	int64_t deadline = -1;
	bool json = false;
	const char *why;
	struct dn_ref ref;
	struct dn_vm vm;
	double secs;
	int c, ret, status;

	while ((c = cmd_getopt("wait", argc, argv, ":t:jh", wait_opts,
			       &status)) != -1) {
		/* A bad command line is one of wait's own failures. */
		if (c == -2)
			return status == EXIT_OK ? status : EXIT_WAIT_FAILED;
		if (c == 'j') {
			json = true;
			continue;
		}
		if (parse_seconds(optarg, &secs) || secs > 1e9) {
			usage_error("wait", "bad timeout '%s' (expected seconds)",
				    optarg);
			return EXIT_WAIT_FAILED;
		}
		deadline = now_ms() + (int64_t)(secs * 1000);
	}
	if (optind >= argc) {
		usage_error("wait", "missing VM argument");
		return EXIT_WAIT_FAILED;
	}
	if (optind + 1 < argc) {
		usage_error("wait", "unexpected argument '%s'", argv[optind + 1]);
		return EXIT_WAIT_FAILED;
	}
	if (parse_ref(argv[optind], &ref, &why)) {
		usage_error("wait", "%s: '%s'", why, argv[optind]);
		return EXIT_WAIT_FAILED;
	}

	nl = dn_nl_open();
	if (!nl)
		return EXIT_WAIT_FAILED;
	/* Join before the first look, so that no change slips between. */
	ev = dn_nl_open();
	if (!ev) {
		dn_nl_close(nl);
		return EXIT_WAIT_FAILED;
	}
	ret = dn_events_join(ev);
	if (ret) {
		report_nl_error(ev, ret, NULL, NULL);
		status = EXIT_WAIT_FAILED;
		goto out;
	}
	for (;;) {
		int wait_ms = 1000;

		ret = dn_vm_get(nl, &ref, &vm);
		if (ret) {
			report_nl_error(nl, ret, ref.arg, NULL);
			status = EXIT_WAIT_FAILED;
			break;
		}
		if (vm_state_is_final(vm.state)) {
			if (json) {
				json_vm(stdout, &vm);
				fputc('\n', stdout);
			} else {
				vm_describe_state(&vm, buf, sizeof(buf));
				printf("%s\n", buf);
			}
			status = wait_status(&vm);
			break;
		}
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				err_msg("timed out waiting for %s", ref.arg);
				status = EXIT_WAIT_TIMEOUT;
				break;
			}
			if (left < wait_ms)
				wait_ms = (int)left;
		}
		ret = wait_readable(dn_events_fd(ev), wait_ms);
		if (ret > 0)
			ret = dn_events_read(ev, NULL, NULL);
		if (ret < 0 && ret != -ENOBUFS) {
			report_nl_error(ev, ret, NULL, NULL);
			status = EXIT_WAIT_FAILED;
			break;
		}
	}
out:
	dn_nl_close(ev);
	dn_nl_close(nl);
	return status;
}

static const struct option events_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "count", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct events_ctx {
	bool json;
	unsigned long left;	/* events still to print; 0: no limit */
};

static int print_event(const struct dn_vm *vm, void *arg)
{
	struct events_ctx *ctx = arg;
	char buf[DENALI_REASON_MAX + 32];

	if (ctx->json) {
		json_vm(stdout, vm);
		fputc('\n', stdout);
	} else {
		vm_describe_state(vm, buf, sizeof(buf));
		printf("%s (id %" PRIu32 "): %s\n", vm->name, vm->id, buf);
	}
	/* A reader at the other end of a pipe wants each event now. */
	fflush(stdout);
	return ctx->left && !--ctx->left;
}

int cmd_events(int argc, char **argv)
{
	struct events_ctx ctx = { 0 };
	struct dn_nl *nl;
	int c, ret, status;

	while ((c = cmd_getopt("events", argc, argv, ":jn:h", events_opts,
			       &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 'j') {
			ctx.json = true;
			continue;
		}
		if (parse_count(optarg, ULONG_MAX, &ctx.left))
			return usage_error("events", "bad count '%s' (expected a positive number)",
					   optarg);
	}
	if (optind < argc)
		return usage_error("events", "unexpected argument '%s'",
				   argv[optind]);
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;
	ret = dn_events_join(nl);
	if (ret) {
		status = report_nl_error(nl, ret, NULL, NULL);
		goto out;
	}
	ret = catch_signals();
	if (ret) {
		err_msg("cannot catch signals: %s", strerror(-ret));
		status = EXIT_ERR;
		goto out;
	}
	status = EXIT_OK;
	while (!signal_caught()) {
		ret = wait_readable(dn_events_fd(nl), -1);
		if (ret > 0)
			ret = dn_events_read(nl, print_event, &ctx);
		if (ret > 0)
			break;
		if (ret == -ENOBUFS) {
			err_msg("events lost: the receive buffer overflowed");
			continue;
		}
		if (ret < 0) {
			status = report_nl_error(nl, ret, NULL, NULL);
			break;
		}
	}
out:
	dn_nl_close(nl);
	return status;
}
