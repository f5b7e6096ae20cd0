// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/denali: netlink carries commands and reports, this device carries
 * data streams. An ioctl turns a VM id into a file descriptor for its
 * console; the file keeps the VM alive until it is closed. Its reads
 * return the VM's console output from the file's own position in the
 * ring; its writes queue console input, which raises the VM's console
 * interrupt (see hc_console.c).
 *
 * Who may: the ioctls need CAP_NET_ADMIN, as every netlink command does.
 * A console file, once handed out, is the right to that console: whoever
 * holds it (inherited, or passed over a Unix socket) may read and write
 * it, as with any open file.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/denali.h>

#include "chardev.h"
#include "console.h"
#include "vm.h"

#define CONSOLE_OPEN_FLAGS	(O_NONBLOCK | O_CLOEXEC)

/* An open console: its VM, held, and its position in the output ring. */
struct console_file {
	struct denali_vm *vm;
	u64 pos;
};

static ssize_t console_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct console_file *cf = file->private_data;
	struct denali_console *con = &cf->vm->console;
	ssize_t n;
	char *buf;
	int ret;

	if (!count)
		return 0;
	count = min_t(size_t, count, DENALI_CONSOLE_RING);

	if (file->f_flags & O_NONBLOCK) {
		if (!denali_console_readable(con, &cf->pos))
			return -EAGAIN;
	} else {
		ret = wait_event_interruptible(con->wait,
					       denali_console_readable(con,
								       &cf->pos));
		if (ret)
			return ret;
	}

	buf = kmalloc(count, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	n = denali_console_read(con, &cf->pos, buf, count);
	if (n > 0 && copy_to_user(ubuf, buf, n))
		n = -EFAULT;
	kfree(buf);
	return n;
}

static ssize_t console_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct console_file *cf = file->private_data;
	ssize_t ret;
	char *buf;

	if (!count)
		return 0;
	/* More than the ring holds could never go in at once. */
	count = min_t(size_t, count, DENALI_CONSOLE_INPUT);
	buf = memdup_user(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = denali_console_queue_input(&cf->vm->console, buf, count);
	kfree(buf);
	return ret;
}

static __poll_t console_poll(struct file *file, poll_table *wait)
{
	struct console_file *cf = file->private_data;
	struct denali_console *con = &cf->vm->console;

	poll_wait(file, &con->wait, wait);
	return denali_console_poll(con, &cf->pos);
}

static int console_release(struct inode *inode, struct file *file)
{
	struct console_file *cf = file->private_data;

	denali_vm_put(cf->vm);
	kfree(cf);
	return 0;
}

static const struct file_operations console_fops = {
	.owner = THIS_MODULE,
	.read = console_read,
	.write = console_write,
	.poll = console_poll,
	.release = console_release,
	.llseek = noop_llseek,
};

/* A new console file for the VM; it takes a reference of its own. */
static struct file *console_file_open(struct denali_vm *vm, int flags)
{
	struct console_file *cf;
	struct file *file;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf)
		return ERR_PTR(-ENOMEM);
	kref_get(&vm->ref);
	cf->vm = vm;
	denali_console_reader_init(&vm->console, &cf->pos);

	file = anon_inode_getfile("[denali-console]", &console_fops, cf,
				  O_RDWR | (flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		denali_vm_put(vm);
		kfree(cf);
	}
	return file;
}

static long chardev_console_open(void __user *argp)
{
	struct denali_console_open req;
	struct denali_vm *vm;
	struct file *file;
	int fd;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~CONSOLE_OPEN_FLAGS)
		return -EINVAL;

	vm = denali_vm_get_by_id(req.vm_id);
	if (!vm)
		return -ENOENT;

	fd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (fd < 0)
		goto out;
	file = console_file_open(vm, req.flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out;
	}
	fd_install(fd, file);
out:
	denali_vm_put(vm);
	return fd;
}

/*
 * As the netlink family's GENL_ADMIN_PERM: CAP_NET_ADMIN in the initial
 * user namespace, both for whoever opened the device and for the caller
 * (netlink_capable() checks the socket's opener and the sender alike).
 */
static bool chardev_capable(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN) &&
	       capable(CAP_NET_ADMIN);
}

static long chardev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case DENALI_IOCTL_CONSOLE_OPEN:
		if (!chardev_capable(file))
			return -EPERM;
		return chardev_console_open((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations chardev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = chardev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice denali_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "denali",
	.fops = &chardev_fops,
	/*
	 * Anyone may open it, as /dev/net/tun: the ioctls check the
	 * capability, so that a service with CAP_NET_ADMIN but not root
	 * reaches the consoles of the VMs it may manage over netlink.
	 */
	.mode = 0666,
};

int denali_chardev_init(void)
{
	return misc_register(&denali_misc);
}

void denali_chardev_exit(void)
{
	misc_deregister(&denali_misc);
}
