// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl: requests to the "denali" generic netlink family.
 *
 * Every request asks for extended ACKs, and the error callback takes the
 * kernel's message (NLMSGERR_ATTR_MSG) out of the NLMSG_ERROR itself,
 * since libnl does not report it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "denalictl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct dn_nl {
	struct nl_sock *sk;
	int family;
	char errmsg[256];	/* the kernel's extack message, if any */
};

struct req_ctx {
	struct dn_nl *nl;
	bool done;
	int err;		/* negative errno from the kernel */
	dn_vm_cb cb;		/* each VM message, for dumps and events */
	void *arg;
	int cb_err;
	struct dn_vm *out;	/* the reply of a do request */
	struct dn_host *host;	/* instead, the reply of HOST_GET */
	dn_msg_cb raw;		/* instead, each message as it came */
	bool got;
};

/* Copies the NLMSGERR_ATTR_MSG in the TLVs found at tlvs into errmsg. */
static void take_extack(struct dn_nl *nl, const struct nlmsghdr *nlh,
			const void *payload, size_t off)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *start = (const char *)payload + NLMSG_ALIGN(off);
	struct nlattr *a;
	int rem;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || start >= end)
		return;
	nla_for_each_attr(a, (struct nlattr *)start, (int)(end - start), rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG) {
			nla_strlcpy(nl->errmsg, a, sizeof(nl->errmsg));
			return;
		}
	}
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct req_ctx *ctx = arg;
	/* libnl hands us the payload; the header sits right before it. */
	const struct nlmsghdr *nlh =
		(const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	(void)nla;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off <= nlh->nlmsg_len)
		take_extack(ctx->nl, nlh, e, off);
	ctx->err = e->error < 0 ? e->error : -EPROTO;
	ctx->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;

	(void)msg;
	ctx->done = true;
	return NL_STOP;
}

/* NLMSG_DONE ends a dump; an error found mid-dump rides in it. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int *err = nlmsg_data(nlh);

	if (nlmsg_datalen(nlh) >= (int)sizeof(int) && *err < 0) {
		ctx->err = *err;
		take_extack(ctx->nl, nlh, err, sizeof(int));
	}
	ctx->done = true;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct dn_vm vm;

	if (nlh->nlmsg_type != ctx->nl->family)
		return NL_SKIP;
	if (ctx->raw) {
		if (!ctx->cb_err)
			ctx->cb_err = ctx->raw(nlh, ctx->arg);
		ctx->got = true;
		return NL_OK;
	}
	if (ctx->host) {
		if (host_parse_attrs(nlh, ctx->host) < 0)
			return NL_SKIP;
		ctx->got = true;
		return NL_OK;
	}
	if (vm_parse_attrs(nlh, &vm) < 0)
		return NL_SKIP;
	if (ctx->out) {
		*ctx->out = vm;
		ctx->got = true;
	}
	if (ctx->cb && !ctx->cb_err)
		ctx->cb_err = ctx->cb(&vm, ctx->arg);
	return NL_OK;
}

static void setsockopt_int(struct nl_sock *sk, int opt)
{
	int one = 1;

	/* Older kernels lack these; errors then carry no message. */
	(void)setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, opt, &one,
			 sizeof(one));
}

struct dn_nl *dn_nl_open(void)
{
	struct dn_nl *nl;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		err_msg("out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		err_msg("out of memory");
		free(nl);
		return NULL;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		err_msg("cannot open a generic netlink socket: %s",
			nl_geterror(ret));
		goto fail;
	}
	setsockopt_int(nl->sk, NETLINK_EXT_ACK);
	setsockopt_int(nl->sk, NETLINK_CAP_ACK);
	nl_socket_enable_msg_peek(nl->sk);

	nl->family = genl_ctrl_resolve(nl->sk, DENALI_GENL_NAME);
	if (nl->family < 0) {
		/*
		 * The family lives in the initial network namespace only;
		 * /sys/module is the same in every one.
		 */
		if (nl->family == -NLE_OBJ_NOTFOUND &&
		    !access("/sys/module/denali", F_OK))
			err_msg("the denali family is only in the initial network namespace, not in this one");
		else if (nl->family == -NLE_OBJ_NOTFOUND)
			err_msg("the denali module is not loaded");
		else
			err_msg("cannot look up the denali netlink family: %s",
				nl_geterror(nl->family));
		goto fail;
	}
	return nl;
fail:
	nl_socket_free(nl->sk);
	free(nl);
	return NULL;
}

void dn_nl_close(struct dn_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

static struct nl_msg *new_msg(struct dn_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, DENALI_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Sends msg (and frees it), then reads until the ACK, error or DONE. */
static int transact(struct dn_nl *nl, struct nl_msg *msg,
		    struct req_ctx *ctx, bool dump)
{
	struct nl_cb *cb;
	int ret;

	nl->errmsg[0] = '\0';
	ctx->nl = nl;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, ctx);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, ctx);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, ctx);

	/* A dump ends with NLMSG_DONE; an extra ACK would only linger. */
	if (dump)
		nl_socket_disable_auto_ack(nl->sk);
	ret = nl_send_auto(nl->sk, msg);
	if (dump)
		nl_socket_enable_auto_ack(nl->sk);
	nlmsg_free(msg);
	if (ret < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot send to the kernel: %s", nl_geterror(ret));
		ret = -EIO;
		goto out;
	}

	ret = 0;
	while (!ctx->done) {
		int r = nl_recvmsgs(nl->sk, cb);

		if (ctx->done)
			break;
		if (r < 0) {
			snprintf(nl->errmsg, sizeof(nl->errmsg),
				 "reading the kernel's reply: %s",
				 nl_geterror(r));
			ret = -EIO;
			goto out;
		}
	}
	ret = ctx->err;
out:
	nl_cb_put(cb);
	return ret;
}

static int put_ref(struct nl_msg *msg, const struct dn_ref *ref)
{
	if (ref->by_id)
		return nla_put_u32(msg, DENALI_A_VM_ID, ref->id);
	return nla_put_string(msg, DENALI_A_VM_NAME, ref->name);
}

static int put_disk(struct nl_msg *msg, const struct dn_disk_arg *disk)
{
	struct nlattr *nest = nla_nest_start(msg, DENALI_A_VM_DISK);
	int ret;

	if (!nest)
		return -EMSGSIZE;
	ret = nla_put_string(msg, DENALI_VM_DISK_NAME, disk->name);
	if (!ret && disk->readonly)
		ret = nla_put_flag(msg, DENALI_VM_DISK_READONLY);
	if (!ret && disk->cow_fd >= 0)
		ret = nla_put_s32(msg, DENALI_VM_DISK_COW_FD, disk->cow_fd);
	if (ret)
		return ret;
	nla_nest_end(msg, nest);
	return 0;
}

int dn_vm_create(struct dn_nl *nl, const struct dn_create_args *args,
		 struct dn_vm *out)
{
	struct req_ctx ctx = { .out = out };
	struct nl_msg *msg;
	unsigned int i;
	int ret;

	msg = new_msg(nl, DENALI_CMD_VM_CREATE, 0);
	if (!msg)
		return -ENOMEM;
	ret = nla_put_s32(msg, DENALI_A_VM_IMAGE_FD, args->image_fd);
	if (!ret && args->name)
		ret = nla_put_string(msg, DENALI_A_VM_NAME, args->name);
	if (!ret && args->mem_size)
		ret = nla_put_u32(msg, DENALI_A_VM_MEM_SIZE, args->mem_size);
	if (!ret && args->cmdline)
		ret = nla_put_string(msg, DENALI_A_VM_CMDLINE, args->cmdline);
	if (!ret && args->mac)
		ret = nla_put(msg, DENALI_A_VM_MAC, 6, args->mac);
	if (!ret && args->ipv4)
		ret = nla_put_u32(msg, DENALI_A_VM_IPV4, args->ipv4);
	if (!ret && args->trusted)
		ret = nla_put_flag(msg, DENALI_A_VM_TRUSTED);
	for (i = 0; !ret && i < args->nr_disks; i++)
		ret = put_disk(msg, &args->disks[i]);
	if (ret < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = transact(nl, msg, &ctx, false);
	if (!ret && !ctx.got) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the kernel created a VM but did not describe it");
		ret = -EPROTO;
	}
	return ret;
}

/* Sends a request naming one VM; its reply, if any, lands in out. */
static int vm_request(struct dn_nl *nl, uint8_t cmd, const struct dn_ref *ref,
		      struct dn_vm *out, bool *got)
{
	struct req_ctx ctx = { .out = out };
	struct nl_msg *msg;
	int ret;

	msg = new_msg(nl, cmd, 0);
	if (!msg)
		return -ENOMEM;
	if (put_ref(msg, ref) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = transact(nl, msg, &ctx, false);
	*got = ctx.got;
	return ret;
}

int dn_vm_cmd(struct dn_nl *nl, uint8_t cmd, uint32_t id)
{
	struct dn_ref ref = { .by_id = true, .id = id };
	struct dn_vm reply;
	bool got;

	return vm_request(nl, cmd, &ref, &reply, &got);
}

int dn_vm_get(struct dn_nl *nl, const struct dn_ref *ref, struct dn_vm *out)
{
	bool got;
	int ret;

	ret = vm_request(nl, DENALI_CMD_VM_GET, ref, out, &got);
	if (!ret && !got) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the kernel sent no description of the VM");
		ret = -EPROTO;
	}
	return ret;
}

int dn_vm_dump(struct dn_nl *nl, dn_vm_cb cb, void *arg)
{
	struct req_ctx ctx = { .cb = cb, .arg = arg };
	struct nl_msg *msg;
	int ret;

	msg = new_msg(nl, DENALI_CMD_VM_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	ret = transact(nl, msg, &ctx, true);
	return ret ? ret : ctx.cb_err;
}

struct nl_msg *dn_msg_new(struct dn_nl *nl, uint8_t cmd, bool dump)
{
	return new_msg(nl, cmd, dump ? NLM_F_DUMP : 0);
}

int dn_msg_send(struct dn_nl *nl, struct nl_msg *msg, bool dump,
		dn_msg_cb cb, void *arg, bool *got)
{
	struct req_ctx ctx = { .raw = cb, .arg = arg };
	int ret;

	ret = transact(nl, msg, &ctx, dump);
	if (got)
		*got = ctx.got;
	return ret ? ret : ctx.cb_err;
}

int dn_host_get(struct dn_nl *nl, struct dn_host *out)
{
	struct req_ctx ctx = { .host = out };
	struct nl_msg *msg;
	int ret;

	msg = new_msg(nl, DENALI_CMD_HOST_GET, 0);
	if (!msg)
		return -ENOMEM;
	ret = transact(nl, msg, &ctx, false);
	if (!ret && !ctx.got) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the kernel sent no description of the host");
		ret = -EPROTO;
	}
	return ret;
}

int dn_events_join(struct dn_nl *nl)
{
	int grp, ret;

	nl->errmsg[0] = '\0';
	grp = genl_ctrl_resolve_grp(nl->sk, DENALI_GENL_NAME,
				    DENALI_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the denali family has no \"%s\" group: %s",
			 DENALI_MCGRP_EVENTS, nl_geterror(grp));
		return -ENOENT;
	}
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0) {
		if (ret == -NLE_PERM)
			return -EPERM;
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "cannot join the \"%s\" group: %s",
			 DENALI_MCGRP_EVENTS, nl_geterror(ret));
		return -EIO;
	}
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	return 0;
}

int dn_events_fd(const struct dn_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

/* Events carry sequence number 0, not that of a request. */
static int any_seq(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int dn_events_read(struct dn_nl *nl, dn_vm_cb cb, void *arg)
{
	struct req_ctx ctx = { .nl = nl, .cb = cb, .arg = arg };
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nl_cb *nlcb;
	int ret = 0;

	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb)
		return -ENOMEM;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, any_seq, NULL);

	/* Only read what is queued, so that the blocking socket never blocks. */
	while (!ctx.cb_err && poll(&pfd, 1, 0) > 0) {
		int r = nl_recvmsgs(nl->sk, nlcb);

		if (r == -NLE_NOMEM) {
			/* ENOBUFS: we fell behind and the kernel dropped some. */
			ret = -ENOBUFS;
			break;
		}
		if (r < 0) {
			snprintf(nl->errmsg, sizeof(nl->errmsg),
				 "reading events: %s", nl_geterror(r));
			ret = -EIO;
			break;
		}
	}
	nl_cb_put(nlcb);
	return ret ? ret : ctx.cb_err;
}

int report_nl_error(struct dn_nl *nl, int err, const char *vm,
		    const char *new_name)
{
	/* These have fixed texts that scripts may look for. */
	if (err == -EPERM)
		err_msg("operation not permitted (needs CAP_NET_ADMIN)");
	else if (err == -ENOENT && vm)
		err_msg("no such VM: %s", vm);
	else if (err == -EEXIST && new_name &&
		 (!nl || !nl->errmsg[0] ||
		  !strcmp(nl->errmsg, "name already in use")))
		err_msg("name already in use: %s", new_name);
	else if (nl && nl->errmsg[0])
		err_msg("%s", nl->errmsg);
	else
		err_msg("%s", strerror(err < 0 ? -err : EPROTO));
	return EXIT_ERR;
}
