// SPDX-License-Identifier: GPL-2.0
/*
 * Denali isolation kernel: module entry. Picks the hardware backend,
 * keeps other hypervisors off the CPU's virtualization extensions while
 * loaded, and brings the pieces up and down in order.
 */
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <asm/cpufeature.h>

#include "backend.h"
#include "chardev.h"
#include "cpu.h"
#include "disk.h"
#include "exec.h"
#include "gate.h"
#include "hc_disk.h"
#include "hc_net.h"
#include "hypercall.h"
#include "net.h"
#include "netdev.h"
#include "netlink.h"
#include "run.h"
#include "runner.h"
#include "swap.h"
#include "vm.h"

const struct denali_backend *denali_backend;

/* Hypervisors that would fight us for VMX or SVM. */
static const char *const rival_modules[] = { "kvm_intel", "kvm_amd" };

static bool is_rival(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(rival_modules); i++)
		if (!strcmp(name, rival_modules[i]))
			return true;
	return false;
}

static int module_event(struct notifier_block *nb, unsigned long action,
			void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING || !is_rival(mod->name))
		return NOTIFY_DONE;
	pr_err("denali: %s cannot load while denali holds %s\n", mod->name,
	       denali_backend->name);
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block module_nb = {
	.notifier_call = module_event,
};

/* The name of a loaded rival module, or NULL. */
static const char *loaded_rival(void)
{
#ifdef MODULE
	struct kset *modules = THIS_MODULE->mkobj.kobj.kset;
	int i;

	for (i = 0; i < ARRAY_SIZE(rival_modules); i++) {
		struct kobject *kobj = kset_find_obj(modules, rival_modules[i]);

		if (kobj) {
			kobject_put(kobj);
			return rival_modules[i];
		}
	}
#endif
	return NULL;
}

/* Every VM's NIC: its port on the switch. */
static struct denali_vm_device vm_nic = {
	.attach = denali_net_vm_attach,
	.detach = denali_net_vm_detach,
};

/* Every VM's disks, none or more. */
static struct denali_vm_device vm_disks = {
	.attach = denali_disk_vm_attach,
	.detach = denali_disk_vm_detach,
};

static int __init denali_init(void)
{
	const char *rival;
	int ret;

	if (boot_cpu_has(X86_FEATURE_VMX)) {
		denali_backend = &denali_vmx_backend;
	} else if (boot_cpu_has(X86_FEATURE_SVM)) {
		denali_backend = &denali_svm_backend;
	} else {
		pr_err("denali: the CPU has neither Intel VMX nor AMD SVM\n");
		return -ENODEV;
	}

	/* Registered first so no rival slips in after the check. */
	ret = register_module_notifier(&module_nb);
	if (ret)
		return ret;
	rival = loaded_rival();
	if (rival) {
		pr_err("denali: %s holds %s; unload it first\n", rival,
		       denali_backend->name);
		ret = -EBUSY;
		goto err_notifier;
	}

	ret = denali_backend->init();
	if (ret)
		goto err_notifier;
	/* Virtualization on every CPU before any runner comes up. */
	ret = denali_cpu_init();
	if (ret)
		goto err_backend;
	ret = denali_vm_init(&denali_exec_vm_ops);
	if (ret)
		goto err_cpu;
	ret = denali_swap_init();
	if (ret)
		goto err_vm;
	denali_gate_init();
	/* The runners' hypercall exits go to the dispatch table. */
	denali_run_set_hypercall(denali_hypercall);
	ret = denali_runner_init();
	if (ret)
		goto err_swap;
	/* The switch and its uplink before any VM can be created. */
	ret = denali_net_init();
	if (ret)
		goto err_runner;
	denali_vm_add_device(&vm_nic);
	ret = denali_disk_init();
	if (ret)
		goto err_nic;
	denali_vm_add_device(&vm_disks);
	ret = denali_netdev_init();
	if (ret)
		goto err_disks;
	ret = denali_netlink_init();
	if (ret)
		goto err_netdev;
	ret = denali_chardev_init();
	if (ret)
		goto err_netlink;

	pr_info("denali: ready, %s on %u CPUs\n", denali_backend->name,
		num_online_cpus());
	return 0;

err_netlink:
	denali_netlink_exit();
err_netdev:
	denali_netdev_exit();
err_disks:
	denali_vm_remove_device(&vm_disks);
	denali_disk_exit();
err_nic:
	denali_vm_remove_device(&vm_nic);
	denali_net_exit();
err_runner:
	denali_runner_exit();
err_swap:
	denali_swap_exit();
err_vm:
	denali_vm_exit();
err_cpu:
	denali_cpu_exit();
err_backend:
	denali_backend->exit();
err_notifier:
	unregister_module_notifier(&module_nb);
	return ret;
}

static void __exit denali_exit(void)
{
	denali_chardev_exit();
	denali_netlink_exit();
	denali_vms_exit();
	denali_gate_exit();
	/* The VMs' ports are gone; the uplink's goes with the device. */
	denali_netdev_exit();
	/* Every VM waited for its disk I/O as it ended. */
	denali_vm_remove_device(&vm_disks);
	denali_disk_exit();
	denali_vm_remove_device(&vm_nic);
	denali_net_exit();
	denali_runner_exit();
	denali_swap_exit();
	denali_vm_exit();
	denali_cpu_exit();
	denali_backend->exit();
	unregister_module_notifier(&module_nb);
}

module_init(denali_init);
module_exit(denali_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Denali isolation kernel: many tiny VMs on VMX or SVM");
