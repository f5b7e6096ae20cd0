// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: creation from an ELF32 image, the life-cycle state
 * machine, lookup by id and name, and teardown.
 */
#include <linux/atomic.h>
#include <linux/etherdevice.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/wait_bit.h>
#include <net/netlink.h>
#include <asm/tsc.h>
#include <linux/denali_abi.h>

#include "elf.h"
#include "fpu.h"
#include "net.h"
#include "vm.h"

/* The host's VMs, by id, name and MAC. */
static struct denali_vm_table vms;
static atomic64_t vm_serial;
/* VMs not yet freed; module unload waits for none. */
static atomic_t vms_alive = ATOMIC_INIT(0);
/*
 * Protects vm_listeners, and serializes telling them so that each hears
 * every VM's changes in the order they happened.
 */
static DEFINE_MUTEX(vm_listeners_lock);
static LIST_HEAD(vm_listeners);
/* Reasons are rare: a VM carries none until it crashes. */
static const char vm_reason_lost[] = "unknown (no memory to record it)";
/* Its own cache: a swapped-out VM is mostly this, so no slack. */
static struct kmem_cache *vm_cache;
static const struct denali_vm_ops *vm_ops;
/* Set up before the first VM and torn down after the last: no lock. */
static LIST_HEAD(vm_devices);

int denali_vm_init(const struct denali_vm_ops *ops)
{
	int ret;

	vm_ops = ops;
	vm_cache = KMEM_CACHE(denali_vm, SLAB_ACCOUNT);
	if (!vm_cache)
		return -ENOMEM;
	ret = denali_vm_table_init(&vms);
	if (ret)
		kmem_cache_destroy(vm_cache);
	return ret;
}

void denali_vm_add_device(struct denali_vm_device *dev)
{
	list_add_tail(&dev->node, &vm_devices);
}

void denali_vm_remove_device(struct denali_vm_device *dev)
{
	list_del(&dev->node);
}

/* Attaches every device, or none: undoes what it did on failure. */
static int vm_attach_devices(struct denali_vm *vm,
			     const struct denali_vm_config *cfg,
			     struct netlink_ext_ack *extack)
{
	struct denali_vm_device *dev;
	int ret;

	list_for_each_entry(dev, &vm_devices, node) {
		ret = dev->attach(vm, cfg, extack);
		if (ret)
			goto err_detach;
	}
	return 0;

err_detach:
	list_for_each_entry_continue_reverse(dev, &vm_devices, node)
		dev->detach(vm);
	return ret;
}

static void vm_detach_devices(struct denali_vm *vm)
{
	struct denali_vm_device *dev;

	list_for_each_entry_reverse(dev, &vm_devices, node)
		dev->detach(vm);
}

void denali_vm_exit(void)
{
	denali_vm_table_destroy(&vms);
	kmem_cache_destroy(vm_cache);
}

/* Under vm->lock, or before anyone else can see the VM. */
static void vm_event_due(struct denali_vm *vm, enum denali_vm_state state)
{
	/* Cannot happen, see DENALI_VM_EVENTS_DUE_MAX; a lost event can. */
	if (WARN_ON_ONCE(vm->nr_events_due == DENALI_VM_EVENTS_DUE_MAX))
		return;
	vm->events_due[vm->nr_events_due++] = state;
}

int denali_vm_transition(struct denali_vm *vm, enum denali_vm_event event)
{
	int next;

	lockdep_assert_held(&vm->lock);
	next = denali_vm_next_state(vm->state, event);
	if (next < 0)
		return next;
	vm->state = next;
	/*
	 * A guest idles and wakes thousands of times a second: an event
	 * each would flood the listeners, and the hot path must stay
	 * cheap. The tracepoints denali_sched_in/out show those instead.
	 */
	if (event != DENALI_EV_IDLE && event != DENALI_EV_WAKE)
		vm_event_due(vm, next);
	return next;
}

void denali_vm_notify(struct denali_vm *vm)
{
	u8 due[DENALI_VM_EVENTS_DUE_MAX];
	struct denali_vm_listener *listener;
	unsigned long flags;
	unsigned int i, n;

	might_sleep();
	/* Taken first: whoever takes the VM's changes tells them first. */
	mutex_lock(&vm_listeners_lock);
	spin_lock_irqsave(&vm->lock, flags);
	n = vm->nr_events_due;
	memcpy(due, vm->events_due, n);
	vm->nr_events_due = 0;
	spin_unlock_irqrestore(&vm->lock, flags);
	for (i = 0; i < n; i++)
		list_for_each_entry(listener, &vm_listeners, node)
			listener->changed(vm, due[i]);
	mutex_unlock(&vm_listeners_lock);
}

void denali_vm_listen(struct denali_vm_listener *listener)
{
	mutex_lock(&vm_listeners_lock);
	list_add_tail(&listener->node, &vm_listeners);
	mutex_unlock(&vm_listeners_lock);
}

void denali_vm_unlisten(struct denali_vm_listener *listener)
{
	mutex_lock(&vm_listeners_lock);
	list_del(&listener->node);
	mutex_unlock(&vm_listeners_lock);
}

bool denali_vm_state_is_final(enum denali_vm_state state)
{
	return state == DENALI_VM_STOPPED || state == DENALI_VM_EXITED ||
	       state == DENALI_VM_CRASHED;
}

int denali_vm_next_state(enum denali_vm_state state,
			 enum denali_vm_event event)
{
	switch (state) {
	case DENALI_VM_CREATED:
		/* Every start passes the gatekeeper, see gate.c. */
		if (event == DENALI_EV_START)
			return DENALI_VM_WAITING;
		if (event == DENALI_EV_STOP)
			return DENALI_VM_STOPPED;
		break;
	case DENALI_VM_RUNNING:
		switch (event) {
		case DENALI_EV_STOP:
			return DENALI_VM_STOPPED;
		case DENALI_EV_READMIT:
			return DENALI_VM_WAITING;
		case DENALI_EV_IDLE:
			return DENALI_VM_IDLE;
		case DENALI_EV_TERMINATE:
			return DENALI_VM_EXITED;
		case DENALI_EV_CRASH:
			return DENALI_VM_CRASHED;
		default:
			break;
		}
		break;
	case DENALI_VM_WAITING:
		if (event == DENALI_EV_ADMIT)
			return DENALI_VM_RUNNING;
		if (event == DENALI_EV_STOP)
			return DENALI_VM_STOPPED;
		break;
	case DENALI_VM_IDLE:
		if (event == DENALI_EV_WAKE)
			return DENALI_VM_RUNNING;
		if (event == DENALI_EV_STOP)
			return DENALI_VM_STOPPED;
		break;
	default:
		break;
	}
	return -EINVAL;
}

static void vm_release(struct kref *ref)
{
	struct denali_vm *vm = container_of(ref, struct denali_vm, ref);

	WARN_ON(vm->port);
	vm_ops->release(vm);
	denali_mem_free(&vm->mem);
	denali_backend->vcpu_free(vm->vcpu);
	mem_cgroup_put(vm->memcg);
	if (vm->crash_reason != vm_reason_lost)
		kfree(vm->crash_reason);
	kmem_cache_free(vm_cache, vm);
	if (atomic_dec_and_test(&vms_alive))
		wake_up_var(&vms_alive);
}

void denali_vm_put(struct denali_vm *vm)
{
	kref_put(&vm->ref, vm_release);
}

u64 denali_vm_new_serial(void)
{
	return atomic64_inc_return(&vm_serial);
}

/* A fresh FPU state in its kernel page. */
static int vm_setup_fpu(struct denali_vm *vm)
{
	struct page *page;

	page = denali_mem_pin(&vm->mem, DENALI_KPAGE_FPU);
	if (IS_ERR(page))
		return PTR_ERR(page);
	denali_fpu_init_state(page_address(page));
	denali_mem_unpin(page, true);
	return 0;
}

/* Fills the virtual registers, the hypercall page and the FPU state. */
static int vm_setup_pages(struct denali_vm *vm, const char *cmdline)
{
	const u8 *insn = denali_backend->hypercall_insn;
	struct denali_vregs *vregs;
	int ret;

	vregs = kzalloc(sizeof(*vregs), GFP_KERNEL);
	if (!vregs)
		return -ENOMEM;
	vregs->magic = DENALI_ABI_MAGIC;
	vregs->abi_version = DENALI_ABI_VERSION;
	vregs->vm_id = vm->id;
	vregs->mem_size = vm->mem.size;
	vregs->tsc_khz = tsc_khz;
	vregs->tsc_base = rdtsc_ordered();
	vregs->ns_base = ktime_get_real_ns();
	vregs->mtu = DENALI_NET_MTU;
	ether_addr_copy(vregs->mac, vm->mac);
	if (cmdline)
		strscpy(vregs->cmdline, cmdline, sizeof(vregs->cmdline));

	ret = denali_mem_write(&vm->mem, DENALI_VREGS_ADDR, vregs,
			       sizeof(*vregs));
	kfree(vregs);
	if (ret)
		return ret;
	ret = denali_mem_write(&vm->mem, DENALI_HYPERCALL_ADDR, insn,
			       sizeof(denali_backend->hypercall_insn));
	if (ret)
		return ret;
	return vm_setup_fpu(vm);
}

static const struct rhashtable_params vm_name_params = {
	.key_len = DENALI_NAME_MAX,
	.key_offset = offsetof(struct denali_vm, name),
	.head_offset = offsetof(struct denali_vm, name_node),
	.automatic_shrinking = true,
};

static const struct rhashtable_params vm_mac_params = {
	.key_len = ETH_ALEN,
	.key_offset = offsetof(struct denali_vm, mac),
	.head_offset = offsetof(struct denali_vm, mac_node),
	.automatic_shrinking = true,
};

int denali_vm_table_init(struct denali_vm_table *table)
{
	int ret;

	mutex_init(&table->lock);
	idr_init(&table->ids);
	ret = rhashtable_init(&table->names, &vm_name_params);
	if (ret)
		return ret;
	ret = rhashtable_init(&table->macs, &vm_mac_params);
	if (ret)
		rhashtable_destroy(&table->names);
	return ret;
}

/* After the last VM is gone: the tables hold no entries any more. */
void denali_vm_table_destroy(struct denali_vm_table *table)
{
	rhashtable_destroy(&table->macs);
	rhashtable_destroy(&table->names);
	idr_destroy(&table->ids);
}

/* Claims vm->name; -EEXIST when another VM has it. */
static int vm_table_claim_name(struct denali_vm_table *table,
			       struct denali_vm *vm)
{
	return rhashtable_lookup_insert_fast(&table->names, &vm->name_node,
					     vm_name_params);
}

int denali_vm_table_add(struct denali_vm_table *table, struct denali_vm *vm,
			const char *name, const u8 *mac,
			struct netlink_ext_ack *extack)
{
	int ret, id;

	if (mac)
		ether_addr_copy(vm->mac, mac);
	mutex_lock(&table->lock);
	if (name) {
		strscpy_pad(vm->name, name, sizeof(vm->name));
		ret = vm_table_claim_name(table, vm);
		if (ret) {
			if (ret == -EEXIST)
				NL_SET_ERR_MSG(extack, "name already in use");
			goto unlock;
		}
	}
	/* Any VM's, ended ones included: a listing never shows a MAC twice. */
	ret = rhashtable_lookup_insert_fast(&table->macs, &vm->mac_node,
					    vm_mac_params);
	if (ret == -EEXIST && mac)
		NL_SET_ERR_MSG(extack, "MAC address in use");
	else if (ret == -EEXIST)
		NL_SET_ERR_MSG(extack, "default MAC address in use");
	if (ret)
		goto err_name;
	/* NULL until published: no lookup finds a VM being built. */
	id = idr_alloc_cyclic(&table->ids, NULL, 1, 0, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		NL_SET_ERR_MSG(extack, "too many VMs");
		goto err_mac;
	}
	vm->id = id;
	if (!name) {
		memset(vm->name, 0, sizeof(vm->name));
		snprintf(vm->name, sizeof(vm->name), "vm%d", id);
		/* An unnamed VM's default name may collide with a chosen one. */
		ret = vm_table_claim_name(table, vm);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG(extack, "default name already in use");
		if (ret)
			goto err_id;
	}
	mutex_unlock(&table->lock);
	return 0;

err_id:
	idr_remove(&table->ids, id);
err_mac:
	rhashtable_remove_fast(&table->macs, &vm->mac_node, vm_mac_params);
err_name:
	if (name)
		rhashtable_remove_fast(&table->names, &vm->name_node,
				       vm_name_params);
unlock:
	mutex_unlock(&table->lock);
	return ret;
}

void denali_vm_table_publish(struct denali_vm_table *table,
			     struct denali_vm *vm)
{
	mutex_lock(&table->lock);
	idr_replace(&table->ids, vm, vm->id);
	mutex_unlock(&table->lock);
}

bool denali_vm_table_del(struct denali_vm_table *table, struct denali_vm *vm)
{
	bool found;

	mutex_lock(&table->lock);
	/* The name's entry is this VM's own exactly while its MAC's is. */
	found = !rhashtable_remove_fast(&table->macs, &vm->mac_node,
					vm_mac_params);
	if (found) {
		rhashtable_remove_fast(&table->names, &vm->name_node,
				       vm_name_params);
		idr_remove(&table->ids, vm->id);
	}
	mutex_unlock(&table->lock);
	return found;
}

static struct denali_vm *vm_get(struct denali_vm *vm)
{
	if (vm)
		kref_get(&vm->ref);
	return vm;
}

struct denali_vm *denali_vm_table_get_by_id(struct denali_vm_table *table,
					    u32 id)
{
	struct denali_vm *vm;

	if (id > INT_MAX)
		return NULL;
	mutex_lock(&table->lock);
	vm = vm_get(idr_find(&table->ids, id));
	mutex_unlock(&table->lock);
	return vm;
}

struct denali_vm *denali_vm_table_get_by_name(struct denali_vm_table *table,
					      const char *name)
{
	char key[DENALI_NAME_MAX] = {};
	struct denali_vm *vm;

	/* Longer than any VM's name: nobody's. */
	if (strscpy(key, name, sizeof(key)) < 0)
		return NULL;
	mutex_lock(&table->lock);
	vm = rhashtable_lookup_fast(&table->names, key, vm_name_params);
	/* Found only once published, as by id. */
	if (vm && idr_find(&table->ids, vm->id) != vm)
		vm = NULL;
	vm = vm_get(vm);
	mutex_unlock(&table->lock);
	return vm;
}

struct denali_vm *denali_vm_create(const struct denali_vm_config *cfg,
				   struct netlink_ext_ack *extack)
{
	const char *why = NULL;
	struct denali_vm *vm;
	u64 image_pages;
	u32 entry;
	int ret;

	ret = vm_ops->may_create();
	if (ret) {
		NL_SET_ERR_MSG(extack, "not enough memory for another VM");
		return ERR_PTR(ret);
	}
	vm = kmem_cache_zalloc(vm_cache, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->ref);
	spin_lock_init(&vm->lock);
	mutex_init(&vm->op_lock);
	INIT_LIST_HEAD(&vm->run_node);
	INIT_LIST_HEAD(&vm->gate_node);
	INIT_LIST_HEAD(&vm->swap_node);
	init_waitqueue_head(&vm->off_cpu);
	vm->serial = denali_vm_new_serial();
	/*
	 * Its first state, not a change: every later one is made by
	 * denali_vm_transition(). Recorded before it is published, so that
	 * its creation is told before anything done to it by id.
	 */
	vm->state = DENALI_VM_CREATED;
	vm_event_due(vm, DENALI_VM_CREATED);
	vm_ops->init(vm);
	vm->ipv4 = cfg->ipv4;
	vm->trusted = cfg->trusted;

	vm->vcpu = denali_backend->vcpu_alloc();
	if (!vm->vcpu) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = denali_mem_init(&vm->mem, cfg->mem_size, "denali-vm");
	if (ret)
		goto err_vcpu;
	denali_console_init(&vm->console, &vm->mem, vm_ops->console_input);
	if (!cfg->mac)
		denali_net_default_mac(vm->serial, vm->mac);
	ret = denali_vm_table_add(&vms, vm, cfg->name, cfg->mac, extack);
	if (ret)
		goto err_mem;
	/*
	 * Its id, name and MAC are its own from here, but nobody finds it
	 * until it is published, whole; vm_release() undoes the rest.
	 */
	atomic_inc(&vms_alive);
	vm->vcpu->id = vm->id;
	/* Netlink runs this in the creator's context. */
	vm->memcg = get_mem_cgroup_from_mm(current->mm);

	ret = vm_setup_pages(vm, cfg->cmdline);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot set up guest memory");
		goto err_unpublish;
	}
	ret = denali_elf_load(cfg->image, &vm->mem, &entry, &why);
	if (ret) {
		/* why is a static string, as NL_SET_ERR_MSG() requires. */
		if (extack)
			extack->_msg = why;
		goto err_unpublish;
	}
	/* Before it ever ran, its image is all it is known to use. */
	image_pages = DIV_ROUND_UP(i_size_read(file_inode(cfg->image)),
				   PAGE_SIZE);
	vm->ws_pages = min_t(u64, image_pages, vm->mem.size >> PAGE_SHIFT);

	/* Last: from here frames arrive and raise its interrupt. */
	ret = vm_attach_devices(vm, cfg, extack);
	if (ret)
		goto err_unpublish;

	vm->vcpu->regs.rip = entry;
	vm->vcpu->regs.rflags = X86_EFLAGS_FIXED;
	vm->vcpu->regs.gpr[DENALI_REG_AX] = DENALI_BOOT_MAGIC;
	vm->vcpu->regs.gpr[DENALI_REG_BX] = DENALI_VREGS_ADDR;
	vm->vcpu->regs.gpr[DENALI_REG_SP] = vm->mem.size;
	/*
	 * One reference for the id, one for the caller, taken before a
	 * destroy by id can drop the first.
	 */
	kref_get(&vm->ref);
	denali_vm_table_publish(&vms, vm);
	denali_vm_notify(vm);
	return vm;

err_unpublish:
	denali_vm_table_del(&vms, vm);
	denali_vm_put(vm);
	return ERR_PTR(ret);
err_mem:
	denali_mem_free(&vm->mem);
err_vcpu:
	denali_backend->vcpu_free(vm->vcpu);
err_free:
	kmem_cache_free(vm_cache, vm);
	return ERR_PTR(ret);
}

int denali_vm_start(struct denali_vm *vm, struct netlink_ext_ack *extack)
{
	unsigned long flags;
	int ret;

	/* A stop may not come between the start and the submit. */
	mutex_lock(&vm->op_lock);
	spin_lock_irqsave(&vm->lock, flags);
	ret = denali_vm_transition(vm, DENALI_EV_START);
	if (ret >= 0)
		vm->waiting_since = ktime_get_ns();
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ret < 0) {
		mutex_unlock(&vm->op_lock);
		NL_SET_ERR_MSG(extack, "VM was already started");
		return -EBUSY;
	}
	/* Waiting, even if only until the gatekeeper admits it below. */
	denali_vm_notify(vm);
	vm_ops->submit(vm);
	mutex_unlock(&vm->op_lock);
	return 0;
}

/* Ends a VM that is leaving for a final state, and waits for its CPU. */
static void vm_finish(struct denali_vm *vm)
{
	denali_console_close(&vm->console);
	vm_ops->finish(vm);
	vm_detach_devices(vm);
}

int denali_vm_stop(struct denali_vm *vm, struct netlink_ext_ack *extack)
{
	unsigned long flags;
	int ret;

	/* A second stop or a destroy finishes it after this one. */
	mutex_lock(&vm->op_lock);
	spin_lock_irqsave(&vm->lock, flags);
	ret = denali_vm_transition(vm, DENALI_EV_STOP);
	if (ret >= 0) {
		vm->stop = true;
		vm_ops->dequeue_locked(vm);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ret < 0) {
		mutex_unlock(&vm->op_lock);
		NL_SET_ERR_MSG(extack, "VM is not running");
		return -EINVAL;
	}
	vm_finish(vm);
	/* Told once it is off its CPU for good. */
	denali_vm_notify(vm);
	mutex_unlock(&vm->op_lock);
	return 0;
}

void denali_vm_destroy(struct denali_vm *vm)
{
	unsigned long flags;

	mutex_lock(&vm->op_lock);
	spin_lock_irqsave(&vm->lock, flags);
	if (denali_vm_transition(vm, DENALI_EV_STOP) >= 0) {
		vm->stop = true;
		vm_ops->dequeue_locked(vm);
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	vm_finish(vm);
	/* A live VM stops first, as with denali_vm_stop(). */
	denali_vm_notify(vm);

	/* The first destroy drops the reference that the id held. */
	if (denali_vm_table_del(&vms, vm))
		kref_put(&vm->ref, vm_release);
	mutex_unlock(&vm->op_lock);
}

struct denali_vm *denali_vm_get_by_id(u32 id)
{
	return denali_vm_table_get_by_id(&vms, id);
}

struct denali_vm *denali_vm_get_by_name(const char *name)
{
	return denali_vm_table_get_by_name(&vms, name);
}

struct denali_vm *denali_vm_get_next(u32 *id)
{
	struct denali_vm *vm;
	int next;

	if (*id > INT_MAX)
		return NULL;
	next = *id;
	mutex_lock(&vms.lock);
	vm = vm_get(idr_get_next(&vms.ids, &next));
	mutex_unlock(&vms.lock);
	if (vm)
		*id = (u32)next + 1;
	return vm;
}

/* Moves a VM on its CPU to a final state; false if it already left. */
static bool vm_end(struct denali_vm *vm, enum denali_vm_event event)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&vm->lock, flags);
	ret = denali_vm_transition(vm, event);
	spin_unlock_irqrestore(&vm->lock, flags);
	if (ret < 0)
		return false;
	denali_console_close(&vm->console);
	vm_ops->ended(vm);
	/* Its runner calls: nothing else uses its devices concurrently. */
	vm_detach_devices(vm);
	return true;
}

void denali_vm_terminate(struct denali_vm *vm, int exit_code)
{
	vm->exit_code = exit_code;
	if (vm_end(vm, DENALI_EV_TERMINATE))
		denali_vm_notify(vm);
}

void denali_vm_crash(struct denali_vm *vm, const char *fmt, ...)
{
	unsigned long flags;
	va_list args;
	char *reason;

	va_start(args, fmt);
	reason = kvasprintf(GFP_KERNEL, fmt, args);
	va_end(args);
	if (reason && strlen(reason) >= DENALI_REASON_MAX)
		reason[DENALI_REASON_MAX - 1] = '\0';

	spin_lock_irqsave(&vm->lock, flags);
	/* The first reason stays; a VM ends only once. */
	if (!vm->crash_reason) {
		vm->crash_reason = reason ?: vm_reason_lost;
		reason = NULL;
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	kfree(reason);

	if (vm_end(vm, DENALI_EV_CRASH)) {
		pr_info_ratelimited("denali: VM %u (%s) crashed: %s\n",
				    vm->id, vm->name, vm->crash_reason);
		denali_vm_notify(vm);
	}
}

void denali_vm_count(struct denali_vm_counts *c)
{
	struct denali_vm *vm;
	int id;

	memset(c, 0, sizeof(*c));
	mutex_lock(&vms.lock);
	idr_for_each_entry(&vms.ids, vm, id) {
		enum denali_vm_state state = READ_ONCE(vm->state);

		c->vms++;
		if (state == DENALI_VM_WAITING) {
			c->waiting++;
		} else if (state == DENALI_VM_RUNNING ||
			   state == DENALI_VM_IDLE) {
			c->admitted++;
			if (!READ_ONCE(vm->resident))
				c->swapped++;
		}
	}
	mutex_unlock(&vms.lock);
}

void denali_vms_exit(void)
{
	struct denali_vm *vm;
	u32 id = 0;

	while ((vm = denali_vm_get_next(&id))) {
		denali_vm_destroy(vm);
		denali_vm_put(vm);
	}
	wait_var_event(&vms_alive, !atomic_read(&vms_alive));
}
