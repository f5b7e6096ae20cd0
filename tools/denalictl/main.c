// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: the operator's command line tool for the Denali isolation
 * kernel. It speaks the "denali" generic netlink family and reads VM
 * consoles through /dev/denali; see Documentation/netlink.rst.
 */
#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "denalictl.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

static const struct command commands[] = {
	{ "start", cmd_start,
	  "start IMAGE [--name NAME] [--mem SIZE] [--cmdline TEXT] [--mac MAC]\n"
	  "      [--ip ADDR/LEN] [--gw ADDR] [--trust] [--disk DISK[:MODE]]...\n"
	  "      [--count N] [-j]",
	  "Create a VM from the ELF32 image IMAGE and start it. Prints\n"
	  "\"started NAME (id N)\". Without --name the kernel names it vmN.\n"
	  "A VM the gatekeeper cannot admit at once waits for memory, and a\n"
	  "second line says so: \"vm NAME waits for memory: needs 1.2 MiB,\n"
	  "0.8 MiB free above the watermark\".\n"
	  "If the VM cannot be started it is destroyed again.\n"
	  "\n"
	  "  -j, --json           print {\"id\": N, \"name\": NAME} instead, with\n"
	  "                       the keys mem_needed and gate_free (bytes)\n"
	  "                       after them when it waits; with --count an\n"
	  "                       array of them, one per VM made\n"
	  "  -n, --name NAME      1 to 31 bytes, no blanks; not all digits and\n"
	  "                       not starting with '#' (those forms mean ids)\n"
	  "  -m, --mem SIZE       guest memory: bytes, or with a K, M or G suffix\n"
	  "                       (4M, 512K); 64K to 3G, a multiple of 4K;\n"
	  "                       default 4M\n"
	  "  -c, --cmdline TEXT   boot command line, at most 255 bytes\n"
	  "      --mac MAC        the NIC's MAC address, unicast and not another\n"
	  "                       VM's (02:00:00:00:00:01); default: the kernel\n"
	  "                       picks a locally administered one\n"
	  "      --ip ADDR/LEN    the VM owns ADDR: the switch drops its ARP and\n"
	  "                       IPv4 from any other address; also adds\n"
	  "                       \"ip=ADDR/LEN\" to the command line\n"
	  "                       (10.0.0.5/24), for the guest's network stack\n"
	  "      --gw ADDR        adds \"gw=ADDR\" to the command line\n"
	  "      --trust          the VM routes: no address checks, and it may\n"
	  "                       send router advertisements, redirects and\n"
	  "                       DHCP server replies, which the switch drops\n"
"                       from every other VM\n"
	  "      --disk DISK[:MODE] attach the disk DISK (see 'disk'); the guest\n"
	  "                       sees up to 8, numbered in the order given.\n"
	  "                       MODE: rw (exclusive: no other VM may have\n"
	  "                       the disk), ro (shared with other readers),\n"
	  "                       cow=FILE (reads and writes through a private\n"
	  "                       overlay kept in FILE, made if missing, over\n"
	  "                       the disk shared read-only). Default: the\n"
	  "                       disk's own mode, ro or rw\n"
	  "      --count N        make N VMs (1 to 100000) one after another,\n"
	  "                       each as above, with one line each; with\n"
	  "                       --name NAME they are NAME1 .. NAMEN. Stops at\n"
	  "                       the first failure and keeps the VMs made.\n"
	  "                       Not with --mac when N > 1\n" },
	{ "create", cmd_create,
	  "create IMAGE [--name NAME] [--mem SIZE] [--cmdline TEXT] [--mac MAC]\n"
	  "       [--ip ADDR/LEN] [--gw ADDR] [--trust] [--disk DISK[:MODE]]...\n"
	  "       [--count N] [-j]",
	  "Create a VM as start does, but leave it in the created state.\n"
	  "Prints \"created NAME (id N)\". Start it later with 'run'.\n"
	  "The options are start's; --count N creates N VMs.\n" },
	{ "run", cmd_run,
	  "run VM [-j]",
	  "Start an existing VM. Prints \"started NAME (id N)\".\n"
	  "\n"
	  "  -j, --json   print {\"id\": N, \"name\": NAME} instead\n" },
	{ "stop", cmd_stop,
	  "stop VM [-j]",
	  "Stop a created, waiting, running or idle VM. It stays listed, in\n"
	  "the stopped state, until destroyed. Prints \"stopped NAME (id N)\".\n"
	  "\n"
	  "  -j, --json   print {\"id\": N, \"name\": NAME} instead\n" },
	{ "destroy", cmd_destroy,
	  "destroy VM [-j]",
	  "Stop a VM if it runs, and remove it with its memory and console.\n"
	  "Prints \"destroyed NAME (id N)\".\n"
	  "\n"
	  "  -j, --json   print {\"id\": N, \"name\": NAME} instead\n" },
	{ "swap", cmd_swap,
	  "swap VM [-j] | swap --idle [-j]",
	  "Swap an idle or ended VM out now: free what only a running VM\n"
	  "needs, so that its memory can go to swap. Fails while the VM is\n"
	  "runnable. Prints \"swapped out NAME (id N)\". The VM comes back in\n"
	  "by itself when it next runs.\n"
	  "\n"
	  "  -i, --idle   swap out every idle VM that is resident; prints\n"
	  "               \"swapped out N idle VMs\"\n"
	  "  -j, --json   print {\"id\": N, \"name\": NAME}, with --idle\n"
	  "               {\"swapped\": N}, instead\n" },
	{ "list", cmd_list,
	  "list [-j]",
	  "List every VM: id, name, state, memory, exit code or crash reason,\n"
	  "backend and counters. A waiting VM's state says how much memory it\n"
	  "needs: \"waiting (needs 1.2 MiB)\".\n"
	  "\n"
	  "  -j, --json   print a JSON array of objects with the keys id, name,\n"
	  "               state, mem_size, exit_code (null unless exited),\n"
	  "               crash_reason (null unless crashed), backend, mac\n"
	  "               (\"02:00:00:00:00:01\"), resident (false while\n"
	  "               swapped out), mem_needed and gate_free (bytes it\n"
	  "               needs and bytes free above the watermark; null\n"
	  "               unless waiting) and stats (an object of counters)\n" },
	{ "show", cmd_show,
	  "show VM [-j]",
	  "Print every attribute and counter of one VM, one per line.\n"
	  "\n"
	  "  -j, --json   print one JSON object, as in 'list -j'\n" },
	{ "stats", cmd_stats,
	  "stats [VM] [-j]",
	  "Print every counter of one VM, one \"name value\" pair per line.\n"
	  "Without VM, print the host-wide counters after a line\n"
	  "\"backend NAME\" (vmx or svm):\n"
	  "\n"
	  "  vms            VMs that exist, in any state\n"
	  "  admitted       VMs running or idle: past the gatekeeper\n"
	  "  waiting        VMs waiting for admission\n"
	  "  swapped        admitted VMs swapped out\n"
	  "  pinned_pages   pages that VMs keep from reclaim\n"
	  "\n"
	  "  -j, --json   print one JSON object of counters (the host's has\n"
	  "               the key backend first)\n" },
	{ "disk", cmd_disk,
	  "disk create NAME FILE [--blocks N] [--ro] [-j]\n"
	  "     disk list [-j] | disk show NAME [-j] | disk destroy NAME",
	  "Manage virtual disks, which exist apart from VMs (see --disk of\n"
	  "start and create).\n"
	  "\n"
	  "  create   make disk NAME (1 to 31 printable bytes, no blanks or\n"
	  "           ':') over FILE, a regular file or a block device, which\n"
	  "           must hold it; prints \"created disk NAME (N blocks)\"\n"
	  "    --blocks N   its size in 4 KiB blocks; default: all of FILE\n"
	  "    --ro         read-only: VMs may only read it, many at once\n"
	  "  list     one line per disk: name, blocks, read-only, attachments\n"
	  "           and counters\n"
	  "  show     every attribute and counter of one disk, one per line\n"
	  "  destroy  remove a disk (FILE stays); fails while a VM has it\n"
	  "\n"
	  "  -j, --json   print objects with the keys name, blocks, readonly,\n"
	  "               attached and stats (reads, writes, flushes,\n"
	  "               blocks_read, blocks_written, errors); list: an array\n" },
	{ "console", cmd_console,
	  "console VM [-f | -i | --send TEXT]",
	  "Print the VM's console: the retained history (the last 4 KiB)\n"
	  "and what is new since.\n"
	  "\n"
	  "  -f, --follow      keep printing new output until the VM ends or\n"
	  "                    SIGINT/SIGTERM arrives (exit status 0 either way)\n"
	  "  -s, --send TEXT   instead, queue TEXT and a newline as the VM's\n"
	  "                    console input (at most 4 KiB queued; fails when\n"
	  "                    it does not fit) and raise its console interrupt\n"
	  "  -i, --interactive attach the terminal both ways, in raw mode: what\n"
	  "                    is typed goes to the VM (Enter as a newline,\n"
	  "                    Ctrl-C too), what it prints comes back. Ctrl-]\n"
	  "                    detaches; the VM's end, SIGHUP and SIGTERM end\n"
	  "                    it too; the terminal is restored each way\n" },
	{ "wait", cmd_wait,
	  "wait VM [--timeout SEC] [-j]",
	  "Wait until the VM has stopped, exited or crashed, then print its\n"
	  "state: \"stopped\", \"exited (code N)\" or \"crashed (REASON)\".\n"
	  "The exit status says how it ended, as a shell's does for a process\n"
	  "and timeout(1)'s for the wait itself:\n"
	  "\n"
	  "  N     exited with code N (its low 8 bits, as exit(3) keeps them)\n"
	  "  124   --timeout ran out first\n"
	  "  125   wait failed: bad command line, no such VM, no module\n"
	  "  139   crashed: the kernel stopped it (128 + SIGSEGV)\n"
	  "  143   stopped by the operator (128 + SIGTERM, as 'docker stop')\n"
	  "\n"
	  "  -t, --timeout SEC   give up after SEC seconds (fractions allowed);\n"
	  "                      default: wait forever\n"
	  "  -j, --json          print the VM's object, as in 'list -j'\n" },
	{ "events", cmd_events,
	  "events [-j] [-n COUNT]",
	  "Print each VM state change as it happens, one line each:\n"
	  "\"NAME (id N): STATE\", until SIGINT/SIGTERM.\n"
	  "\n"
	  "  -j, --json        print one JSON object per line instead\n"
	  "  -n, --count COUNT exit after COUNT events\n" },
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: " PROG_NAME " COMMAND [ARGS]\n"
		"       " PROG_NAME " COMMAND --help\n"
		"       " PROG_NAME " -b FILE [-f]\n"
		"\n"
		"Manage the VMs of the Denali isolation kernel (the denali module).\n"
		"Every command but --help needs CAP_NET_ADMIN.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f,
		"\n"
		"VM is a VM's name, or #N or N (all digits) for the VM with id N.\n"
		"SIZE is a number of bytes, or a number with a K, M or G suffix.\n"
		"\n"
		"  -b, --batch FILE   run the commands in FILE (- for standard\n"
		"                     input), one per line, in this one process;\n"
		"                     words as on the command line, with '...' and\n"
		"                     \"...\" quoting; # starts a comment; blank lines\n"
		"                     are skipped. A failing command is reported\n"
		"                     with its line (\"FILE:N: command failed\") and\n"
		"                     ends the batch with its exit status\n"
		"  -f, --force        with -b, go on after a failing command; the\n"
		"                     exit status is then the first failure's\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 bad command line; wait's are\n"
		"how the VM ended (see '" PROG_NAME " wait --help').\n");
}

void usage_cmd(const char *cmd, FILE *f)
{
	const struct command *c = find_command(cmd);

	if (!c) {
		usage(f);
		return;
	}
	fprintf(f, "Usage: " PROG_NAME " %s\n\n%s", c->synopsis, c->help);
	if (strstr(c->synopsis, "VM"))
		fprintf(f, "\nVM is a name, or #N or N (all digits) for the VM with id N.\n");
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs(PROG_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* One line, as every error: scripts read the first line only. */
	if (cmd)
		fprintf(stderr, " (see '" PROG_NAME " %s --help')\n", cmd);
	else
		fprintf(stderr, " (see '" PROG_NAME " --help')\n");
	return EXIT_USAGE;
}

int cmd_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *status)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	switch (c) {
	case 'h':
		usage_cmd(cmd, stdout);
		*status = EXIT_OK;
		return -2;
	case ':':
		*status = usage_error(cmd, "option '%s' needs an argument",
				      argv[optind - 1]);
		return -2;
	case '?':
		/* A long option is always the whole of the last argument. */
		if (!strncmp(argv[optind - 1], "--", 2))
			*status = usage_error(cmd, "bad option '%s'",
					      argv[optind - 1]);
		else
			*status = usage_error(cmd, "unknown option '-%c'", optopt);
		return -2;
	default:
		return c;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "-b") || !strncmp(argv[1], "--batch", 7) ||
	    !strcmp(argv[1], "-f") || !strcmp(argv[1], "--force"))
		return cmd_batch(argc, argv);
	return run_command(argc - 1, argv + 1);
}

int run_command(int argc, char **argv)
{
	const struct command *c;

	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "help")) {
		if (argc > 1 && !find_command(argv[1]))
			return usage_error(NULL, "unknown command '%s'", argv[1]);
		if (argc > 1)
			usage_cmd(argv[1], stdout);
		else
			usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "-V") || !strcmp(argv[0], "--version")) {
		printf(PROG_NAME " " PROG_VERSION " (denali genetlink version %d)\n",
		       DENALI_GENL_VERSION);
		return EXIT_OK;
	}
	if (argv[0][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[0]);

	c = find_command(argv[0]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[0]);
	return c->fn(argc, argv);
}
