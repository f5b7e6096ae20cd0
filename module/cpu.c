// SPDX-License-Identifier: GPL-2.0
/*
 * Virtualization on each CPU, as a CPU hotplug state of its own: the
 * backend's extensions are on wherever a CPU is online, whether or not
 * it runs VMs, so that no other hypervisor takes them while Denali is
 * loaded. The runners' state (runner.c) is set up after this one, so a
 * runner comes up only where virtualization is on, and goes down before
 * it is turned off.
 */
#include <linux/cpuhotplug.h>
#include <linux/errno.h>
#include <linux/printk.h>

#include "backend.h"
#include "cpu.h"

static enum cpuhp_state cpu_hp_state;

static int cpu_virt_online(unsigned int cpu)
{
	int ret = denali_backend->cpu_enable();

	if (ret == -EBUSY)
		pr_err("denali: another hypervisor holds %s on CPU %u\n",
		       denali_backend->name, cpu);
	else if (ret)
		pr_err("denali: cannot enable %s on CPU %u (error %d)\n",
		       denali_backend->name, cpu, ret);
	return ret;
}

static int cpu_virt_offline(unsigned int cpu)
{
	denali_backend->cpu_disable();
	return 0;
}

int denali_cpu_init(void)
{
	int ret;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "virt/denali:enable",
				cpu_virt_online, cpu_virt_offline);
	if (ret < 0)
		return ret;
	cpu_hp_state = ret;
	return 0;
}

void denali_cpu_exit(void)
{
	cpuhp_remove_state(cpu_hp_state);
}
