// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl -b FILE: run one command per line in this one process, as
 * "ip -batch" does, so that a script driving thousands of VMs does not
 * pay a process start for each.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "denalictl.h"

/* More words than any command takes; a longer line is refused. */
#define BATCH_MAX_WORDS	64

/*
 * Splits line into words in place: blanks separate them, '...' and "..."
 * quote (a backslash in "..." or outside quotes takes the next character
 * as it is), and '#' outside a word starts a comment. Returns the number
 * of words, or -1 with *why set.
 */
static int split_words(char *line, char **words, const char **why)
{
	char *in = line, *out;
	int n = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
			in++;
		if (!*in || *in == '#')
			return n;
		if (n == BATCH_MAX_WORDS) {
			*why = "too many words";
			return -1;
		}
		words[n++] = out = in;
		for (; *in; in++) {
			if (quote && *in == quote) {
				quote = 0;
				continue;
			}
			if (!quote && (*in == '\'' || *in == '"')) {
				quote = *in;
				continue;
			}
			if (!quote && strchr(" \t\r\n", *in))
				break;
			if (*in == '\\' && quote != '\'') {
				if (!in[1] || in[1] == '\n')
					break;
				in++;
			}
			*out++ = *in;
		}
		if (quote) {
			*why = "unterminated quote";
			return -1;
		}
		if (*in)
			in++;
		*out = '\0';
	}
}

static const struct option batch_opts[] = {
	{ "batch", required_argument, NULL, 'b' },
	{ "force", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

int cmd_batch(int argc, char **argv)
{
	const char *path = NULL, *why;
	char *words[BATCH_MAX_WORDS + 1];
	bool force = false;
	unsigned long lineno = 0;
	int c, status = EXIT_OK;
	char *line = NULL;
	size_t size = 0;
	FILE *f;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:f", batch_opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			path = optarg;
			break;
		case 'f':
			force = true;
			break;
		case ':':
			return usage_error(NULL, "option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error(NULL, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (!path)
		return usage_error(NULL, "--force needs -b FILE");
	if (optind < argc)
		return usage_error(NULL, "unexpected argument '%s' after -b FILE",
				   argv[optind]);

	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		err_msg("cannot open %s: %s", path, strerror(errno));
		return EXIT_ERR;
	}
	while (getline(&line, &size, f) != -1) {
		int n, ret;

		lineno++;
		n = split_words(line, words, &why);
		if (!n)
			continue;
		if (n < 0) {
			ret = usage_error(NULL, "%s", why);
		} else {
			words[n] = NULL;
			/* Each command parses its options afresh. */
			optind = 0;
			ret = run_command(n, words);
		}
		fflush(stdout);
		if (ret == EXIT_OK)
			continue;
		fprintf(stderr, PROG_NAME ": %s:%lu: command failed\n",
			strcmp(path, "-") ? path : "stdin", lineno);
		if (status == EXIT_OK)
			status = ret;
		if (!force)
			break;
	}
	if (ferror(f)) {
		err_msg("cannot read %s: %s", path, strerror(errno));
		status = EXIT_ERR;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return status;
}
