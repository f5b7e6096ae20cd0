/* SPDX-License-Identifier: GPL-2.0 */
/*
 * denalictl: the operator's command line tool for the Denali isolation
 * kernel. Declarations shared by its files.
 */
#ifndef _DENALICTL_H
#define _DENALICTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <poll.h>

#include <linux/denali.h>

#define PROG_NAME	"denalictl"
#define PROG_VERSION	"1.0"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* As the kernel spells it. */
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))

/* Exit statuses. */
#define EXIT_OK		0
#define EXIT_ERR	1	/* the operation failed */
#define EXIT_USAGE	2	/* bad command line */
/*
 * wait's, beside the guest's own exit code: timeout(1)'s for its time-out
 * and its own failures, a shell's for a process killed by a signal for
 * the VMs that did not exit by themselves.
 */
#define EXIT_WAIT_TIMEOUT	124	/* --timeout ran out */
#define EXIT_WAIT_FAILED	125	/* wait itself failed */
#define EXIT_WAIT_CRASHED	139	/* 128 + SIGSEGV: the kernel stopped it */
#define EXIT_WAIT_STOPPED	143	/* 128 + SIGTERM: the operator did */

/* Stat attribute types we keep; larger ones are ignored. */
#define DN_STAT_SLOTS	64

/* Which optional fields of struct dn_vm a message carried. */
#define DN_HAS_ID	(1u << 0)
#define DN_HAS_NAME	(1u << 1)
#define DN_HAS_STATE	(1u << 2)
#define DN_HAS_MEM	(1u << 3)
#define DN_HAS_EXIT	(1u << 4)
#define DN_HAS_REASON	(1u << 5)
#define DN_HAS_BACKEND	(1u << 6)
#define DN_HAS_STATS	(1u << 7)
#define DN_HAS_MAC	(1u << 8)
#define DN_HAS_RESIDENT	(1u << 9)
#define DN_HAS_IPV4	(1u << 10)
#define DN_HAS_WAIT	(1u << 11)	/* mem_needed and gate_free */

/* One VM as the kernel reported it. */
struct dn_vm {
	unsigned int has;		/* DN_HAS_* */
	uint32_t id;
	char name[DENALI_NAME_MAX];
	uint32_t state;			/* enum denali_vm_state */
	uint32_t mem_size;
	int32_t exit_code;
	char reason[DENALI_REASON_MAX];
	char backend[16];
	uint8_t mac[6];
	bool resident;			/* run-time state in memory */
	uint32_t ipv4;			/* its own address, network order */
	bool trusted;			/* routes: no address checks */
	uint64_t mem_needed;		/* waiting: bytes it needs free */
	uint64_t gate_free;		/* waiting: bytes free above the watermark */
	uint64_t stats[DN_STAT_SLOTS];	/* indexed by enum denali_stat */
	uint64_t stats_present;		/* bit n: stats[n] was reported */
};

/* The host as the kernel reported it; has holds DN_HAS_BACKEND, _STATS. */
struct dn_host {
	unsigned int has;
	char backend[16];
	uint64_t stats[DN_STAT_SLOTS];	/* by enum denali_host_stat */
	uint64_t stats_present;
};

/* How the operator named a VM on the command line. */
struct dn_ref {
	bool by_id;
	uint32_t id;
	const char *name;		/* when !by_id */
	const char *arg;		/* the argument as typed */
};

/* util.c */
void err_msg(const char *fmt, ...) __printf(1, 2);
int parse_size(const char *s, uint32_t *out, const char **why);
/* Decimal digits only, 1 to max. */
int parse_count(const char *s, unsigned long max, unsigned long *out);
int parse_ref(const char *s, struct dn_ref *ref, const char **why);
int check_vm_name(const char *name, const char **why);
/* "02:00:00:00:00:01": six hex bytes, unicast, not all zero. */
int parse_mac(const char *s, uint8_t mac[6], const char **why);
/* A dotted IPv4 address, with "/LEN" (0 to 32) when with_len. */
int check_ipv4(const char *s, bool with_len, const char **why);
/* The address of ADDR or ADDR/LEN in network order, if a VM may own it. */
int parse_ipv4_addr(const char *s, uint32_t *addr, const char **why);
int parse_seconds(const char *s, double *out);
void fmt_size(uint64_t bytes, char *buf, size_t len);
/* "1.2 MiB": a size that is seldom a round number, for people. */
void fmt_mib(uint64_t bytes, char *buf, size_t len);
/* Milliseconds on a monotonic clock. */
int64_t now_ms(void);
/*
 * SIGHUP, SIGINT and SIGTERM end the commands that wait: after
 * catch_signals() they are blocked and read from a signalfd in
 * wait_readable() and poll_signals(), which
 * then returns 0 and makes signal_caught() true. No signal can slip in
 * between a check and a wait.
 */
int catch_signals(void);
bool signal_caught(void);
/* 1 when fd is readable, 0 on timeout or a caught signal, or -errno. */
int wait_readable(int fd, int timeout_ms);
/*
 * poll(2) on fds and, after catch_signals(), the signals: the count of
 * fds with events, 0 on timeout or a caught signal, or -errno.
 */
int poll_signals(struct pollfd *fds, unsigned int n, int timeout_ms);

/* vm.c */
const char *vm_state_name(uint32_t state);
bool vm_state_is_final(uint32_t state);
/*
 * Calls fn for every counter this build knows (0 where the kernel did not
 * report it), then for any newer one the kernel reported, named stat_N.
 */
void vm_stats_walk(const struct dn_vm *vm,
		   void (*fn)(const char *name, uint64_t value, void *arg),
		   void *arg);
int vm_parse_attrs(void *nlmsghdr, struct dn_vm *vm);
/* As vm_stats_walk, for the host-wide counters. */
void host_stats_walk(const struct dn_host *host,
		     void (*fn)(const char *name, uint64_t value, void *arg),
		     void *arg);
int host_parse_attrs(void *nlmsghdr, struct dn_host *host);
void vm_describe_state(const struct dn_vm *vm, char *buf, size_t len);
/* "02:00:00:00:00:01"; buf holds at least 18 bytes. */
void vm_format_mac(const struct dn_vm *vm, char *buf, size_t len);

/* json.c */
void json_string(FILE *f, const char *s);
void json_vm(FILE *f, const struct dn_vm *vm);
/* The keys "mem_needed" and "gate_free", null unless it waits. */
void json_wait(FILE *f, const struct dn_vm *vm);
/* {"id": N, "name": NAME}: what start, create, run, stop... print. */
void json_vm_ref(FILE *f, const struct dn_vm *vm);
void json_stats(FILE *f, const struct dn_vm *vm);
void json_host(FILE *f, const struct dn_host *host);

/* nl.c: every function returns 0 or a negative errno. */
struct dn_nl;

/* One --disk of a create: a disk's name, and how it is attached. */
struct dn_disk_arg {
	char name[DENALI_NAME_MAX];
	bool readonly;
	int cow_fd;			/* -1: no overlay */
};

struct dn_create_args {
	int image_fd;
	const char *name;		/* NULL: the kernel picks one */
	uint32_t mem_size;		/* 0: the kernel's default */
	const char *cmdline;		/* NULL: none */
	const uint8_t *mac;		/* NULL: the kernel picks one */
	uint32_t ipv4;			/* network order; 0: none */
	bool trusted;			/* it routes: no address checks */
	struct dn_disk_arg disks[8];	/* DENALI_VREGS_DISKS_MAX */
	unsigned int nr_disks;
};

typedef int (*dn_vm_cb)(const struct dn_vm *vm, void *arg);

struct dn_nl *dn_nl_open(void);
void dn_nl_close(struct dn_nl *nl);
int dn_vm_create(struct dn_nl *nl, const struct dn_create_args *args,
		 struct dn_vm *out);
/* START, STOP, DESTROY or SWAP_OUT of the VM with this id. */
int dn_vm_cmd(struct dn_nl *nl, uint8_t cmd, uint32_t id);
int dn_vm_get(struct dn_nl *nl, const struct dn_ref *ref, struct dn_vm *out);
int dn_vm_dump(struct dn_nl *nl, dn_vm_cb cb, void *arg);
int dn_host_get(struct dn_nl *nl, struct dn_host *out);
/*
 * Any request: a message for cmd (a dump with dump) that the caller
 * fills, then sends with dn_msg_send(), which frees it and calls cb with
 * each message of the reply; *got (may be NULL) says whether one came.
 */
struct nl_msg;
struct nlmsghdr;
typedef int (*dn_msg_cb)(struct nlmsghdr *nlh, void *arg);
struct nl_msg *dn_msg_new(struct dn_nl *nl, uint8_t cmd, bool dump);
int dn_msg_send(struct dn_nl *nl, struct nl_msg *msg, bool dump,
		dn_msg_cb cb, void *arg, bool *got);
/* Joins the "events" group; the socket then serves events only. */
int dn_events_join(struct dn_nl *nl);
int dn_events_fd(const struct dn_nl *nl);
/*
 * Reads the events already queued, calling cb (may be NULL) for each
 * until it returns non-zero. Returns 0, cb's value, -ENOBUFS when the
 * kernel dropped some, or another negative errno.
 */
int dn_events_read(struct dn_nl *nl, dn_vm_cb cb, void *arg);

/*
 * Prints one line for a failed request and returns EXIT_ERR. vm names
 * an existing VM as typed (for ENOENT), new_name the name asked for in a
 * create (for EEXIST); either may be NULL.
 */
int report_nl_error(struct dn_nl *nl, int err, const char *vm,
		    const char *new_name);

/* batch.c: -b FILE, the commands of FILE one per line. */
int cmd_batch(int argc, char **argv);

/* disk.c */
int cmd_disk(int argc, char **argv);
/*
 * Parses a --disk NAME[:ro|:rw|:cow=FILE] into arg, opening FILE (made
 * when missing). Without a mode, a read-only disk is attached read-only
 * and any other read-write, which takes asking the kernel: nl.
 */
int parse_disk_arg(struct dn_nl *nl, const char *cmd, const char *s,
		   struct dn_disk_arg *arg);

/* console.c */
int cmd_console(int argc, char **argv);

/* cmds.c */
/* Looks up a VM by name or id; reports failure and returns EXIT_ERR. */
int find_vm(struct dn_nl *nl, const struct dn_ref *ref, struct dn_vm *vm);
int cmd_start(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_swap(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_events(int argc, char **argv);

/* main.c: help texts, option parsing for subcommands. */
struct option;
/*
 * getopt_long() for a subcommand, whose shortopts start with ':' and
 * hold 'h'. Returns the option, -1 after the last, or -2 when the caller
 * must return *status now (after --help or a bad option).
 */
int cmd_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *status);
void usage_cmd(const char *cmd, FILE *f);
/* Runs one command line, argv[0] being the command; its exit status. */
int run_command(int argc, char **argv);
int usage_error(const char *cmd, const char *fmt, ...) __printf(2, 3);

#endif /* _DENALICTL_H */
