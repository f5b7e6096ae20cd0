// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: JSON output. Strings come from guests and the kernel, so
 * they are escaped and any byte sequence that is not UTF-8 becomes
 * U+FFFD: the output is always valid JSON.
 */
#include <arpa/inet.h>
#include <inttypes.h>

#include "denalictl.h"

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static int utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;	/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		int n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, f);
			} else {
				n = utf8_seq_len(s);
				if (!n) {
					fputs("\\ufffd", f);
					break;
				}
				fwrite(s, 1, n, f);
				s += n;
				continue;
			}
		}
		s++;
	}
	fputc('"', f);
}

struct json_stats_ctx {
	FILE *f;
	const char *sep;
};

static void json_stat(const char *name, uint64_t value, void *arg)
{
	struct json_stats_ctx *ctx = arg;

	fputs(ctx->sep, ctx->f);
	json_string(ctx->f, name);
	fprintf(ctx->f, ": %" PRIu64, value);
	ctx->sep = ", ";
}

void json_stats(FILE *f, const struct dn_vm *vm)
{
	struct json_stats_ctx ctx = { .f = f, .sep = "" };

	fputc('{', f);
	vm_stats_walk(vm, json_stat, &ctx);
	fputc('}', f);
}

void json_host(FILE *f, const struct dn_host *host)
{
	struct json_stats_ctx ctx = { .f = f, .sep = ", " };

	fputs("{\"backend\": ", f);
	if (host->has & DN_HAS_BACKEND)
		json_string(f, host->backend);
	else
		fputs("null", f);
	host_stats_walk(host, json_stat, &ctx);
	fputc('}', f);
}

void json_wait(FILE *f, const struct dn_vm *vm)
{
	if (vm->has & DN_HAS_WAIT)
		fprintf(f, ", \"mem_needed\": %" PRIu64 ", \"gate_free\": %" PRIu64,
			vm->mem_needed, vm->gate_free);
	else
		fputs(", \"mem_needed\": null, \"gate_free\": null", f);
}

void json_vm(FILE *f, const struct dn_vm *vm)
{
	fprintf(f, "{\"id\": %" PRIu32 ", \"name\": ", vm->id);
	json_string(f, vm->name);
	fputs(", \"state\": ", f);
	json_string(f, vm_state_name(vm->state));
	fputs(", \"mem_size\": ", f);
	if (vm->has & DN_HAS_MEM)
		fprintf(f, "%" PRIu32, vm->mem_size);
	else
		fputs("null", f);
	/* Every object has every key, so that readers need no guessing. */
	fputs(", \"exit_code\": ", f);
	if (vm->state == DENALI_VM_EXITED && (vm->has & DN_HAS_EXIT))
		fprintf(f, "%" PRId32, vm->exit_code);
	else
		fputs("null", f);
	fputs(", \"crash_reason\": ", f);
	if (vm->state == DENALI_VM_CRASHED && (vm->has & DN_HAS_REASON))
		json_string(f, vm->reason);
	else
		fputs("null", f);
	fputs(", \"backend\": ", f);
	if (vm->has & DN_HAS_BACKEND)
		json_string(f, vm->backend);
	else
		fputs("null", f);
	fputs(", \"mac\": ", f);
	if (vm->has & DN_HAS_MAC) {
		char mac[18];

		vm_format_mac(vm, mac, sizeof(mac));
		json_string(f, mac);
	} else {
		fputs("null", f);
	}
	fputs(", \"ipv4\": ", f);
	if (vm->has & DN_HAS_IPV4) {
		char addr[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &vm->ipv4, addr, sizeof(addr));
		json_string(f, addr);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"trusted\": %s", vm->trusted ? "true" : "false");
	fputs(", \"resident\": ", f);
	if (vm->has & DN_HAS_RESIDENT)
		fputs(vm->resident ? "true" : "false", f);
	else
		fputs("null", f);
	json_wait(f, vm);
	/* Events carry no counters. */
	fputs(", \"stats\": ", f);
	if (vm->has & DN_HAS_STATS)
		json_stats(f, vm);
	else
		fputs("null", f);
	fputc('}', f);
}

void json_vm_ref(FILE *f, const struct dn_vm *vm)
{
	fprintf(f, "{\"id\": %" PRIu32 ", \"name\": ", vm->id);
	json_string(f, vm->name);
	fputc('}', f);
}
