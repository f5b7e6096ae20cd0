// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/denali: netlink carries commands and reports, this device carries
 * data streams. An ioctl turns a VM id into a file descriptor for its
 * console; the file keeps the VM alive until it is closed.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/uaccess.h>
#include <linux/denali.h>

#include "chardev.h"
#include "vm.h"

#define CONSOLE_OPEN_FLAGS	(O_NONBLOCK | O_CLOEXEC)

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
	file = denali_console_open(vm, req.flags);
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

static long chardev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case DENALI_IOCTL_CONSOLE_OPEN:
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
	.mode = 0600,
};

int denali_chardev_init(void)
{
	return misc_register(&denali_misc);
}

void denali_chardev_exit(void)
{
	misc_deregister(&denali_misc);
}
