// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: virtual disks, "disk create|list|show|destroy", and the
 * --disk NAME[:MODE] of start and create.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "denalictl.h"

/* One disk as the kernel reported it. */
struct dn_disk {
	char name[DENALI_NAME_MAX];
	uint64_t blocks;
	bool readonly;
	uint32_t attached;
	uint64_t stats[DENALI_DISK_STAT_MAX + 1];
};

static const char *const disk_stat_names[] = {
	[DENALI_DISK_STAT_READS]		= "reads",
	[DENALI_DISK_STAT_WRITES]		= "writes",
	[DENALI_DISK_STAT_FLUSHES]		= "flushes",
	[DENALI_DISK_STAT_BLOCKS_READ]		= "blocks_read",
	[DENALI_DISK_STAT_BLOCKS_WRITTEN]	= "blocks_written",
	[DENALI_DISK_STAT_ERRORS]		= "errors",
};

struct disk_list {
	struct dn_disk *disks;
	size_t n, cap;
};

static int parse_disk(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[DENALI_A_MAX + 1], *st[DENALI_DISK_STAT_MAX + 1];
	struct disk_list *l = arg;
	struct dn_disk *d;
	int i;

	if (genlmsg_parse(nlh, 0, tb, DENALI_A_MAX, NULL) < 0 ||
	    !tb[DENALI_A_DISK_NAME])
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;

		d = realloc(l->disks, cap * sizeof(*d));
		if (!d)
			return -ENOMEM;
		l->disks = d;
		l->cap = cap;
	}
	d = &l->disks[l->n++];
	memset(d, 0, sizeof(*d));
	nla_strlcpy(d->name, tb[DENALI_A_DISK_NAME], sizeof(d->name));
	if (tb[DENALI_A_DISK_BLOCKS])
		d->blocks = nla_get_u64(tb[DENALI_A_DISK_BLOCKS]);
	d->readonly = tb[DENALI_A_DISK_READONLY];
	if (tb[DENALI_A_DISK_ATTACHED])
		d->attached = nla_get_u32(tb[DENALI_A_DISK_ATTACHED]);
	if (tb[DENALI_A_DISK_STATS] &&
	    !nla_parse_nested(st, DENALI_DISK_STAT_MAX,
			      tb[DENALI_A_DISK_STATS], NULL))
		for (i = DENALI_DISK_STAT_PAD + 1; i <= DENALI_DISK_STAT_MAX; i++)
			if (st[i])
				d->stats[i] = nla_get_u64(st[i]);
	return 0;
}

/* DISK_GET of one disk, or a dump of all into l. */
static int disk_get(struct dn_nl *nl, const char *name, struct disk_list *l)
{
	struct nl_msg *msg = dn_msg_new(nl, DENALI_CMD_DISK_GET, !name);
	bool got;
	int ret;

	if (!msg)
		return -ENOMEM;
	if (name && nla_put_string(msg, DENALI_A_DISK_NAME, name) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = dn_msg_send(nl, msg, !name, parse_disk, l, &got);
	if (!ret && name && !l->n)
		ret = -EPROTO;
	return ret;
}

static int disk_error(struct dn_nl *nl, int err, const char *name)
{
	if (err == -ENOENT && name) {
		err_msg("no such disk: %s", name);
		return EXIT_ERR;
	}
	if (err == -EEXIST && name) {
		err_msg("disk name already in use: %s", name);
		return EXIT_ERR;
	}
	return report_nl_error(nl, err, NULL, NULL);
}

static void json_disk(const struct dn_disk *d)
{
	const char *sep = "";
	size_t i;

	fputs("{\"name\": ", stdout);
	json_string(stdout, d->name);
	printf(", \"blocks\": %" PRIu64 ", \"readonly\": %s, \"attached\": %" PRIu32
	       ", \"stats\": {", d->blocks, d->readonly ? "true" : "false",
	       d->attached);
	for (i = 0; i < ARRAY_SIZE(disk_stat_names); i++) {
		if (!disk_stat_names[i])
			continue;
		printf("%s\"%s\": %" PRIu64, sep, disk_stat_names[i],
		       d->stats[i]);
		sep = ", ";
	}
	fputs("}}", stdout);
}

static void show_disk(const struct dn_disk *d)
{
	size_t i;

	printf("name %s\nblocks %" PRIu64 "\nreadonly %s\nattached %" PRIu32 "\n",
	       d->name, d->blocks, d->readonly ? "yes" : "no", d->attached);
	for (i = 0; i < ARRAY_SIZE(disk_stat_names); i++)
		if (disk_stat_names[i])
			printf("%s %" PRIu64 "\n", disk_stat_names[i],
			       d->stats[i]);
}

static const struct option disk_create_opts[] = {
	{ "blocks", required_argument, NULL, 'B' },
	{ "ro", no_argument, NULL, 'r' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option disk_json_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* A disk name as the kernel takes it: printable, no blanks or colons. */
static int check_disk_name(const char *name)
{
	const char *p;

	if (!*name || strlen(name) >= DENALI_NAME_MAX)
		return -1;
	for (p = name; *p; p++)
		if (*p <= ' ' || *p > '~' || *p == ':')
			return -1;
	return 0;
}

static int disk_create(int argc, char **argv)
{
	struct disk_list l = { 0 };
	uint64_t blocks = 0;
	bool readonly = false, json = false;
	const char *name, *path;
	struct nl_msg *msg;
	struct dn_nl *nl;
	int c, fd, ret, status;
	char *end;

	while ((c = cmd_getopt("disk", argc, argv, ":rjh", disk_create_opts,
			       &status)) != -1) {
		switch (c) {
		case -2:
			return status;
		case 'B':
			errno = 0;
			blocks = strtoull(optarg, &end, 10);
			if (errno || *end || !blocks || *optarg < '0' ||
			    *optarg > '9')
				return usage_error("disk", "bad --blocks '%s'",
						   optarg);
			break;
		case 'r':
			readonly = true;
			break;
		case 'j':
			json = true;
			break;
		}
	}
	if (argc - optind != 2)
		return usage_error("disk", "disk create takes NAME and FILE");
	name = argv[optind];
	path = argv[optind + 1];
	if (check_disk_name(name))
		return usage_error("disk", "bad disk name '%s': 1 to 31 printable bytes, no blanks or ':'",
				   name);
	fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		err_msg("cannot open %s: %s", path, strerror(errno));
		return EXIT_ERR;
	}
	nl = dn_nl_open();
	if (!nl) {
		close(fd);
		return EXIT_ERR;
	}
	msg = dn_msg_new(nl, DENALI_CMD_DISK_CREATE, false);
	if (!msg || nla_put_string(msg, DENALI_A_DISK_NAME, name) < 0 ||
	    nla_put_s32(msg, DENALI_A_DISK_FD, fd) < 0 ||
	    (blocks && nla_put_u64(msg, DENALI_A_DISK_BLOCKS, blocks) < 0) ||
	    (readonly && nla_put_flag(msg, DENALI_A_DISK_READONLY) < 0)) {
		nlmsg_free(msg);
		ret = -ENOMEM;
	} else {
		ret = dn_msg_send(nl, msg, false, parse_disk, &l, NULL);
	}
	close(fd);
	if (ret) {
		status = disk_error(nl, ret, ret == -EEXIST ? name : NULL);
	} else if (json && l.n) {
		json_disk(&l.disks[0]);
		fputc('\n', stdout);
		status = EXIT_OK;
	} else {
		printf("created disk %s (%" PRIu64 " blocks%s)\n", name,
		       l.n ? l.disks[0].blocks : blocks,
		       readonly ? ", read-only" : "");
		status = EXIT_OK;
	}
	free(l.disks);
	dn_nl_close(nl);
	return status;
}

/* list, show, destroy: an optional -j and at most one NAME. */
static int disk_query(const char *sub, int argc, char **argv, bool need_name)
{
	struct disk_list l = { 0 };
	const char *name = NULL;
	bool json = false;
	struct dn_nl *nl;
	int c, ret, status;
	size_t i;

	while ((c = cmd_getopt("disk", argc, argv, ":jh", disk_json_opts,
			       &status)) != -1) {
		if (c == -2)
			return status;
		json = true;
	}
	if (argc - optind != (need_name ? 1 : 0))
		return usage_error("disk", need_name ? "disk %s takes NAME" :
				   "disk %s takes no argument", sub);
	if (need_name)
		name = argv[optind];
	nl = dn_nl_open();
	if (!nl)
		return EXIT_ERR;

	if (!strcmp(sub, "destroy")) {
		struct nl_msg *msg = dn_msg_new(nl, DENALI_CMD_DISK_DESTROY,
						false);

		if (!msg || nla_put_string(msg, DENALI_A_DISK_NAME, name) < 0) {
			nlmsg_free(msg);
			ret = -ENOMEM;
		} else {
			ret = dn_msg_send(nl, msg, false, NULL, NULL, NULL);
		}
		status = ret ? disk_error(nl, ret, name) : EXIT_OK;
		if (!ret && json) {
			fputs("{\"name\": ", stdout);
			json_string(stdout, name);
			fputs("}\n", stdout);
		} else if (!ret) {
			printf("destroyed disk %s\n", name);
		}
		goto out;
	}

	ret = disk_get(nl, name, &l);
	if (ret) {
		status = disk_error(nl, ret, name);
		goto out;
	}
	status = EXIT_OK;
	if (name && json) {
		json_disk(&l.disks[0]);
		fputc('\n', stdout);
	} else if (name) {
		show_disk(&l.disks[0]);
	} else if (json) {
		fputc('[', stdout);
		for (i = 0; i < l.n; i++) {
			fputs(i ? ",\n " : "", stdout);
			json_disk(&l.disks[i]);
		}
		fputs("]\n", stdout);
	} else {
		printf("%-31s %12s %-3s %8s %10s %10s %7s\n", "NAME", "BLOCKS",
		       "RO", "ATTACHED", "READS", "WRITES", "ERRORS");
		for (i = 0; i < l.n; i++) {
			const struct dn_disk *d = &l.disks[i];

			printf("%-31s %12" PRIu64 " %-3s %8" PRIu32 " %10" PRIu64
			       " %10" PRIu64 " %7" PRIu64 "\n", d->name,
			       d->blocks, d->readonly ? "yes" : "no",
			       d->attached, d->stats[DENALI_DISK_STAT_READS],
			       d->stats[DENALI_DISK_STAT_WRITES],
			       d->stats[DENALI_DISK_STAT_ERRORS]);
		}
	}
out:
	free(l.disks);
	dn_nl_close(nl);
	return status;
}

int cmd_disk(int argc, char **argv)
{
	const char *sub;

	if (argc < 2)
		return usage_error("disk", "missing subcommand");
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		usage_cmd("disk", stdout);
		return EXIT_OK;
	}
	/* getopt starts after the subcommand. */
	optind = 0;
	if (!strcmp(sub, "create"))
		return disk_create(argc - 1, argv + 1);
	if (!strcmp(sub, "list"))
		return disk_query(sub, argc - 1, argv + 1, false);
	if (!strcmp(sub, "show") || !strcmp(sub, "destroy"))
		return disk_query(sub, argc - 1, argv + 1, true);
	return usage_error("disk", "unknown subcommand '%s'", sub);
}

int parse_disk_arg(struct dn_nl *nl, const char *cmd, const char *s,
		   struct dn_disk_arg *arg)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	char *name = arg->name;
	struct disk_list l = { 0 };
	int ret;

	arg->cow_fd = -1;
	arg->readonly = false;
	if (!len || len >= DENALI_NAME_MAX) {
		usage_error(cmd, "bad --disk '%s'", s);
		return EXIT_USAGE;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	if (colon && !strcmp(colon, ":ro")) {
		arg->readonly = true;
	} else if (colon && !strncmp(colon, ":cow=", 5) && colon[5]) {
		arg->cow_fd = open(colon + 5, O_RDWR | O_CREAT | O_CLOEXEC,
				   0600);
		if (arg->cow_fd < 0) {
			err_msg("cannot open overlay %s: %s", colon + 5,
				strerror(errno));
			return EXIT_ERR;
		}
	} else if (colon && strcmp(colon, ":rw")) {
		usage_error(cmd, "bad --disk mode in '%s' (ro, rw or cow=FILE)",
			    s);
		return EXIT_USAGE;
	} else if (!colon) {
		/* The disk's own mode. */
		ret = disk_get(nl, name, &l);
		if (ret) {
			free(l.disks);
			return disk_error(nl, ret, name);
		}
		arg->readonly = l.disks[0].readonly;
		free(l.disks);
	}
	return EXIT_OK;
}
